/*
 * cp_ipc: the control plane's side of gw_ipc.h. Attaches to the rings a
 * running dataplane created, asks it for counters and port status on a
 * period, and keeps the last complete answer (the snapshot) for REST.
 * Single-threaded: called from the control plane's event loop only.
 */
#ifndef CP_IPC_H
#define CP_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gw_ipc.h"

struct cp_ipc;

/** The last complete answer of the dataplane. */
struct cp_dp_snapshot {
	bool valid;
	uint64_t at_ms;                              /* monotonic ms when completed */
	uint64_t total[GW_CNT_MAX];                  /* summed over workers */
	uint64_t per_worker[GW_IPC_MAX_WORKERS][GW_CNT_MAX];
	struct gw_ipc_port ports[GW_IPC_MAX_PORTS];
	unsigned n_ports;
	unsigned n_workers;
};

/** What the dataplane said in its hello, and its memzone. */
struct cp_dp_info {
	int32_t pid;
	uint16_t abi_version;
	uint16_t n_workers;
	uint64_t start_unix_ns;
	char version[32];
	bool hello_ok;                               /* a hello answer arrived */
};

/**
 * Attach to a dataplane after EAL secondary init: wait up to wait_ms for its
 * info memzone to reach READY, check the ABI, look the rings up.
 * @return 0; -ENOENT when no dataplane appeared in time; -EPROTO when its
 *         ABI differs (err says both versions); -ENOMEM.
 */
int cp_ipc_attach(struct cp_ipc **out, uint32_t wait_ms, char *err, size_t errlen);

/**
 * Detach: tell a still-running dataplane we let go (it waits for that
 * before it exits), then free c. NULL-safe.
 */
void cp_ipc_free(struct cp_ipc *c);

/**
 * Drain the event rings, send the periodic requests, and check that the
 * dataplane is alive. Call every few milliseconds.
 * @return 0; -ESHUTDOWN when the dataplane announced that it is stopping
 *         (detach now: it waits for us); -EPIPE when it died.
 */
int cp_ipc_poll(struct cp_ipc *c, uint64_t now_ms);

/**
 * Send a command to worker w (sets m->version). The caller wipes secrets in
 * m afterwards.
 * @return 0; -EINVAL (no such worker, or the dataplane is gone); -ENOBUFS
 *         (command ring full).
 */
int cp_ipc_send(struct cp_ipc *c, unsigned w, struct gw_ipc_msg *m);

/**
 * Commands worker w's ring has room for now (0 when the dataplane is gone):
 * a module that sends a sequence of commands checks first, so a full ring
 * refuses the whole sequence instead of cutting it in the middle.
 */
unsigned cp_ipc_send_room(const struct cp_ipc *c, unsigned w);

/**
 * An event handler: one message of its type from worker m->worker. Runs on
 * the control plane's loop (from cp_ipc_poll()).
 */
typedef void cp_ipc_evt_fn(void *ctx, struct cp_ipc *c, const struct gw_ipc_msg *m);

/**
 * Register the handler of event type (STYLE.md practice 10: each feature
 * registers its rows; cp_ipc.c names no feature). The table belongs to the
 * process and outlives attachments. Call before the first attach.
 * @return 0; -EINVAL (type out of range or fn NULL); -EEXIST (taken).
 */
int cp_ipc_on(uint16_t type, cp_ipc_evt_fn *fn, void *ctx);

/** Called once each time cp_ipc_attach() succeeded (a feature resyncs). */
typedef void cp_ipc_attach_fn(void *ctx, struct cp_ipc *c);

/**
 * Register an attach callback (at most CP_IPC_MAX_ATTACH_FN).
 * @return 0; -EINVAL (fn NULL); -ENOSPC (table full).
 */
int cp_ipc_on_attach(cp_ipc_attach_fn *fn, void *ctx);

#define CP_IPC_MAX_ATTACH_FN 8

/**
 * Asked first on each attach, before the attach callbacks: does this process
 * take over the state a previous control plane left in this dataplane (the
 * journal describes it)? Then the events that control plane left unread
 * (consent lost meanwhile, nominations) are delivered instead of dropped.
 */
typedef bool cp_ipc_restore_fn(void *ctx, const struct cp_dp_info *dpi);

/** Set the one restore hook (cp_journal's glue in main.c). */
void cp_ipc_on_restore(cp_ipc_restore_fn *fn, void *ctx);

struct rte_mbuf;

/**
 * A frame the dataplane punted (a whole Ethernet frame, e.g. a DTLS record
 * for the control plane's handshake). The handler consumes m.
 */
typedef void cp_ipc_punt_fn(void *ctx, struct cp_ipc *c, unsigned worker, struct rte_mbuf *m);

/**
 * Register the consumer of punted frames (one; without it they are freed
 * and counted in cp_ipc_punt_dropped()).
 * @return 0; -EINVAL (fn NULL); -EEXIST (one is registered).
 */
int cp_ipc_on_punt(cp_ipc_punt_fn *fn, void *ctx);

/**
 * Send len bytes as the payload of a UDP datagram from the dataplane (e.g. a
 * DTLS record): copied into an mbuf of the shared pool and queued on worker
 * w's tx ring; the dataplane adds UDP/IPv4/Ethernet headers (from port
 * meta->port_id, its address, meta->src_port) and resolves the next hop.
 * @return 0; -EINVAL (no such worker, dataplane gone, len 0 or over
 *         CP_IPC_TX_MAX); -ENOMEM (no mbuf); -ENOBUFS (tx ring full).
 */
int cp_ipc_tx(struct cp_ipc *c, unsigned w, const struct gw_ipc_tx_meta *meta,
	      const void *data, size_t len);

#define CP_IPC_TX_MAX 1472          /* UDP payload in a 1500-byte MTU */

/** Punted frames freed because no consumer was registered. */
uint64_t cp_ipc_punt_dropped(const struct cp_ipc *c);

const struct cp_dp_snapshot *cp_ipc_snapshot(const struct cp_ipc *c);
const struct cp_dp_info *cp_ipc_info(const struct cp_ipc *c);

/**
 * Is a dataplane primary alive for this file prefix? Works without EAL (it
 * checks the lock the primary holds on its runtime config file).
 */
bool cp_ipc_primary_alive(const char *file_prefix);

#endif
