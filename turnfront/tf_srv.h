/*
 * tf_srv: rtcgw-turnfront's connections: TURN over TCP and TLS (RFC 8656
 * §6.2) on kernel sockets, one epoll loop, non-blocking, no thread per
 * connection (DESIGN.md "Exception path and TCP").
 *
 * - Listeners: turn.tcp.ports (plain) and tls_ports (TLS 1.2/1.3, OpenSSL)
 *   on the exception interface's address (the dataplane port's).
 * - Each connection's stream is cut into whole STUN and ChannelData messages
 *   (wire/stream.h) and each goes to the dataplane (tf_ring) tagged with the
 *   connection's id and addresses; the dataplane's answers and relayed data
 *   come back by id (tf_srv_deliver) and are written to the connection.
 * - Bounds: a send buffer per connection (turn.tcp.send_buffer_kb): a
 *   message that does not fit is dropped and counted, never waited for; a
 *   client that reads nothing for stall_timeout_s with its buffer full is
 *   closed. Connections in all and per source address are limited; a TLS
 *   handshake (or a plain connection's first message) must come within
 *   handshake_timeout_s, and a connection that sends nothing for
 *   idle_timeout_s is closed. A closed connection's allocation is deleted
 *   (GW_IPC_STRM_CLOSE).
 */
#ifndef TF_SRV_H
#define TF_SRV_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "gw_config.h"
#include "gw_ipc.h"

struct tf_srv;

struct tf_srv_params {
	uint32_t addr;                  /**< host order: where to listen */
	bool has_addr6;                 /**< also listen on addr6 (the port's address6) */
	uint8_t addr6[16];
	const uint16_t *ports;          /**< plain TCP */
	unsigned n_ports;
	const uint16_t *tls_ports;
	unsigned n_tls_ports;
	SSL_CTX *tls;                   /**< needed with tls_ports; not owned */
	uint32_t max_conns, max_per_ip;
	uint32_t idle_ms, handshake_ms, stall_ms;
	size_t send_buffer;             /**< bytes per connection */
	size_t max_msg;                 /**< largest message to the dataplane */
};

/**
 * Open the listeners and the tables.
 * @return 0, or -errno with err naming the port and the failing call.
 */
int tf_srv_create(struct tf_srv **out, const struct tf_srv_params *p, char *err, size_t errlen);

/**
 * Wait up to timeout_ms for socket events and serve them (accept, TLS
 * handshakes, reads to the dataplane, buffered writes).
 * @return events served (0 after a timeout), or -errno from epoll_wait.
 */
int tf_srv_run(struct tf_srv *s, int timeout_ms, uint64_t now_ms);

/** A message from the dataplane for connection h->conn (tf_ring_poll's callback). */
void tf_srv_deliver(const struct gw_ipc_strm *h, const uint8_t *msg, void *srv);

/** Timeouts (handshake, idle, stalled readers); call about once a second. */
void tf_srv_tick(struct tf_srv *s, uint64_t now_ms);

/** Open connections. */
uint32_t tf_srv_conns(const struct tf_srv *s);

/** Close every connection (telling the dataplane) and the listeners. NULL-safe. */
void tf_srv_free(struct tf_srv *s);

#endif
