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

/** Send an event to the control plane on w's event ring (counted when full). */
void dp_ipc_event(struct dp_worker *w, struct gw_ipc_msg *m);

/** Serve up to a small batch of commands and tx frames (worker tick). */
void dp_ipc_poll(struct dp_worker *w);

#endif
