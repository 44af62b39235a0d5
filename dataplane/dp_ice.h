/*
 * dp_ice: the ICE-lite credentials table and per-leg consent state.
 *
 * One rte_hash (RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF) keyed by the local
 * ufrag, zero-padded to GW_ICE_UFRAG_MAX bytes, whose data is a leg in a
 * fixed array. Only the dataplane touches it (the control plane sends
 * GW_IPC_ICE_ADD_REQ / GW_IPC_ICE_DEL_REQ), and only worker 0 writes it: it
 * owns every leg, runs the consent timer and reclaims deleted legs through
 * rte_rcu_qsbr once every worker has passed a quiescent state. Every worker
 * reads it lock-free to answer checks.
 *
 * The mutable part of a leg: last_ok (TSC of the last valid check, relaxed
 * atomic, written by whichever worker answered the check) and state, moved
 * by compare-and-swap: WAITING -> NOMINATING -> NOMINATED by the worker that
 * saw the first USE-CANDIDATE (it writes the peer address in between and
 * raises the event on its own event ring), WAITING/NOMINATED -> CONSENT_LOST
 * by worker 0's timer. The credential itself is immutable while published.
 */
#ifndef DP_ICE_H
#define DP_ICE_H

#include <stdbool.h>
#include <stdint.h>

#include "gw_ipc.h"
#include "stunsrv.h"

struct dp_worker;

/**
 * Create the table (process start, before the workers run) and register
 * dp_ice_command() for GW_IPC_ICE_ADD_REQ / GW_IPC_ICE_DEL_REQ.
 * @param entries  most legs at once
 * @param n_workers  worker lcores that will read it (RCU readers)
 * @return 0, or -ENOMEM / -EEXIST (rte_hash or rcu creation failed, or the
 *         command types have handlers already).
 */
int dp_ice_create(uint32_t entries, unsigned n_workers);

/** Register worker w as an RCU reader (on its lcore, before its loop). */
void dp_ice_worker_start(struct dp_worker *w);

/** Worker w holds no table reference now (once per loop iteration). */
void dp_ice_quiescent(struct dp_worker *w);

/** Worker w stops reading (after its loop). */
void dp_ice_worker_stop(struct dp_worker *w);

/**
 * Handle GW_IPC_ICE_ADD_REQ / GW_IPC_ICE_DEL_REQ on worker w (must be 0);
 * answers with a GW_IPC_ICE_EVENT (ADDED / REMOVED, status). Wipes the
 * password in q.
 */
void dp_ice_command(struct dp_worker *w, struct gw_ipc_msg *q);

/**
 * gw_ice_lookup_fn for the media port whose number is *(uint16_t *)ctx:
 * the credential of a published leg on that port, or NULL.
 */
const struct gw_ice_cred *dp_ice_lookup(void *ctx, const uint8_t *ufrag, size_t len);

/**
 * A check authenticated with cred (from dp_ice_lookup) came from
 * peer_ip:peer_port: refresh consent, and nominate on USE-CANDIDATE.
 */
void dp_ice_checked(struct dp_worker *w, const struct gw_ice_cred *cred, uint32_t peer_ip,
		    uint16_t peer_port, bool use_candidate, uint32_t priority, uint64_t now);

/**
 * dp_ice_checked() for a check that came over IPv6 from [peer_ip6]:peer_port
 * (16 bytes, network order): the nomination event carries
 * GW_IPC_FAMILY_IPV6 and the address, consent is kept as for IPv4.
 */
void dp_ice_checked6(struct dp_worker *w, const struct gw_ice_cred *cred,
		     const uint8_t *peer_ip6, uint16_t peer_port, bool use_candidate,
		     uint32_t priority, uint64_t now);

/** Worker tick: worker 0 scans a slice of the legs for lost consent. */
void dp_ice_tick(struct dp_worker *w, uint64_t now);

#endif
