/*
 * dp_turn: the TURN server (RFC 8656, UDP to the server, UDP relay) in the
 * dataplane. Transactions arrive through dp_stun_input()'s hook
 * (dp_turn_input, declared in dp_stun.h); ChannelData from clients and
 * every datagram to a relay port come from dp_classify.
 *
 * - Long-term credentials (RFC 8489 §9.2): static users and TURN REST API
 *   usernames (turn.auth_secrets, several for rotation); stateless nonces
 *   (wire/turn.h) that go stale (438); MESSAGE-INTEGRITY and
 *   MESSAGE-INTEGRITY-SHA256 with PASSWORD-ALGORITHMS (MD5, SHA-256).
 * - State lives in dp_turn_table (lock-free readers); each allocation is
 *   owned by the worker that took its Allocate, its only writer.
 * - Relay: packets are rewritten in place and transmitted in the same burst;
 *   a peer that is one of our relay addresses is delivered to that
 *   allocation directly (hairpin, never on the wire).
 * - Operator safety: peer policy (wire/turn.h), quotas (486), port pool
 *   (508), per-allocation token bucket (turn.bandwidth_bps), counters.
 *
 * Workers: RSS keeps a client's 5-tuple on one queue, so every request and
 * every client-to-peer datagram of an allocation reaches its owner, the only
 * writer. Peer-to-client datagrams may land on any worker (RSS of the peer's
 * 5-tuple): that path only reads the tables and charges the token bucket
 * atomically, so it needs no hand-off to the owner (DESIGN.md practice 8's
 * rings are for state that is not safe to touch from another lcore).
 *
 * Per packet: no allocation, lock or log. Requests that derive a REST
 * credential's long-term key call libcrypto's EVP digest (which allocates);
 * that is once per Allocate, not per relayed packet.
 */
#ifndef DP_TURN_H
#define DP_TURN_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "gw_config.h"
#include "net.h"
#include "net6.h"

struct dp_worker;

/**
 * Create the TURN state from the config (process start, after the ports'
 * addresses are known in dp.ports). Does nothing when turn.enabled is false.
 * @return 0, or -EINVAL (bad sizes), -ENOMEM, -EIO (libcrypto or random
 *         source failed), or an error of dp_turn_table_create().
 */
int dp_turn_create(const struct gw_config *c, unsigned n_workers);

/**
 * Config reload: replace the credentials (turn.users, turn.auth_secrets), the
 * peer policy (allowed_peers, denied_peers), the bandwidth cap and the quotas
 * (user_quota, ip_quota, max_allocations) with c's, without disturbing live
 * allocations: each keeps the long-term key it was made with until it
 * expires (a Refresh signed with the old password still works, as in
 * coturn), and new Allocates need the new credentials. The new state is
 * built beside the old one and published with one atomic store; the old
 * one is freed once every worker passed a quiescent point (QSBR), so the
 * workers read it without locks. Blocks for that grace period.
 * Every other key of c is ignored (the start-up values stay).
 * @param self  the caller's reader id (its worker index), or
 *              RTE_QSBR_THRID_INVALID when it is not a worker.
 * @return 0 (also when TURN is off); -EINVAL (max_allocations above the
 *         start-up value: the tables are sized from it); -ENOMEM; -EIO
 *         (libcrypto). On error the running state stays.
 */
int dp_turn_reload(const struct gw_config *c, unsigned self);

/** Register worker w as a reader of the TURN tables (its lcore, before its loop). */
void dp_turn_worker_start(struct dp_worker *w);

/** Worker w holds no TURN table reference now (once per loop iteration). */
void dp_turn_quiescent(struct dp_worker *w);

/** Worker w stops reading (after its loop). */
void dp_turn_worker_stop(struct dp_worker *w);

/** Worker tick: expiry work on the allocations w owns (bounded). */
void dp_turn_tick(struct dp_worker *w, uint64_t tsc);

/**
 * Before a burst is classified: the frames that look like ChannelData or a
 * Send indication to the TURN port, or like a peer's datagram to a relayed
 * address, over IPv4 (a cheap peek at fixed offsets; classification proper
 * still decides) have their allocations looked up in bulk and prefetched,
 * so the burst's cache misses overlap instead of stalling each packet in
 * turn. The allocations found are left in w's burst hints (w->hint_m,
 * w->hint_idx) for the relay paths to use instead of a second lookup.
 * Consumes nothing.
 */
void dp_turn_prefetch(struct dp_worker *w, struct rte_mbuf *const *pkts, uint16_t n);

/**
 * A ChannelData message (first byte 64..79) on the TURN/STUN port.
 * Consumes m (relayed, or counted and freed).
 */
void dp_turn_chandata_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
			    const struct gw_ipv4_view *ip, const struct gw_udp_view *u);

/**
 * Any datagram to a relay port (a peer sending to an allocation).
 * Consumes m (delivered to the client, or counted and freed).
 */
void dp_turn_relay_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
			 const struct gw_ipv4_view *ip, const struct gw_udp_view *u);

/*
 * IPv6 (RFC 6156): the same services over UDP/IPv6 on a port with address6.
 * An allocation relays IPv4 (the default), IPv6 (REQUESTED-ADDRESS-FAMILY)
 * or both (ADDITIONAL-ADDRESS-FAMILY), whatever its client's family; IPv6
 * peers are judged by the IPv6 peer policy (wire/turn.h) and reached from
 * the port's address6; nonces are bound to the client's IPv6 address. The
 * TURN request hook over IPv6 is dp_turn_input6 (dp_stun.h).
 */

/** dp_turn_chandata_input() over IPv6. Consumes m. */
void dp_turn_chandata6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
			     const struct gw_ipv6_view *ip, const struct gw_udp_view *u);

/**
 * A datagram to a relay port on port pi's IPv6 address (an IPv6 peer sending
 * to an allocation's IPv6 relayed address). Consumes m.
 */
void dp_turn_relay6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
			  const struct gw_ipv6_view *ip, const struct gw_udp_view *u);

struct gw_ipc_strm;

/**
 * A message from a TCP/TLS client (dp_strm, worker 0): m's data is h and
 * then the message (STUN or ChannelData). Served as the UDP path serves a
 * datagram; answers and relayed data for the client go back to the front.
 * Consumes m.
 */
void dp_turn_stream_input(struct dp_worker *w, struct rte_mbuf *m, const struct gw_ipc_strm *h);

/** TCP/TLS connection h->conn closed: its allocation goes (RFC 8656 §3.1). */
void dp_turn_stream_close(struct dp_worker *w, const struct gw_ipc_strm *h);

/** A front (re)started: every TCP/TLS allocation of worker w goes. */
void dp_turn_stream_reset(struct dp_worker *w);

/** Live allocations (all workers). */
uint32_t dp_turn_active(void);

#endif
