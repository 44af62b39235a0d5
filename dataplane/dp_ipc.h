/*
 * dp_ipc: the dataplane side of gw_ipc.h. Creates the info memzone, the
 * shared mempool and the per-worker rings at start-up; each worker then
 * serves its own command and tx rings on its tick (no locks: every ring is
 * single-producer/single-consumer).
 */
#ifndef DP_IPC_H
#define DP_IPC_H

#include <stdint.h>

struct dp_worker;

/**
 * Create the info memzone and the shared mempool (before ports are set up:
 * the ports take their buffers from this pool).
 * @return 0; -ENOMEM or -EEXIST (another dataplane with this file prefix).
 */
int dp_ipc_create(unsigned n_workers, uint32_t n_mbufs);

/** Create worker w's four rings. @return 0 or -ENOMEM / -EEXIST. */
int dp_ipc_worker_rings(struct dp_worker *w);

/** Publish: the control plane may attach now. */
void dp_ipc_ready(void);

/**
 * Announce shutdown (state STOPPING) and wait up to wait_ms for attached
 * control planes to detach.
 */
void dp_ipc_stopping(uint32_t wait_ms);

/** Free the mbufs still waiting in rings (after the workers stopped). */
void dp_ipc_drain(void);

struct gw_ipc_msg;

/**
 * A command handler: serves one command of its type on worker w, answers
 * with dp_ipc_event() if the type has an answer. May modify q (wipe keys).
 */
typedef void dp_ipc_cmd_fn(struct dp_worker *w, struct gw_ipc_msg *q);

/**
 * Register the handler for command type (STYLE.md practice 10: each feature
 * registers its rows; dp_ipc.c names no feature). Call at start-up, before
 * the workers run: the table is read-only afterwards, so it needs no lock.
 * @return 0; -EINVAL (type out of range, or fn NULL); -EEXIST (the type has
 *         a handler already).
 */
int dp_ipc_on(uint16_t type, dp_ipc_cmd_fn *fn);

/** Send an event to the control plane on w's event ring (counted when full). */
void dp_ipc_event(struct dp_worker *w, struct gw_ipc_msg *m);

struct rte_mbuf;

/**
 * Hand frame m (whole, from its Ethernet header) to the control plane on
 * w's punt ring, e.g. a DTLS record for its handshake. Consumes m: queued
 * (ipc_punt) or, with the ring full, freed (ipc_punt_drop): a control plane
 * that is down or slow never stalls the worker.
 */
void dp_ipc_punt(struct dp_worker *w, struct rte_mbuf *m);

/** Serve up to a small batch of commands and tx frames (worker tick). */
void dp_ipc_poll(struct dp_worker *w);

#endif
