/*
 * tf_ring: rtcgw-turnfront's side of the shared memory (a DPDK secondary,
 * like the control plane): the dataplane's info memzone, mbuf pool and the
 * two stream rings (gw_ipc.h), and the front's own memzone with its counters.
 *
 * Messages to the dataplane are batched (tf_ring_put, then tf_ring_flush once
 * per loop iteration): one ring operation per batch, order kept. A full ring
 * or an empty pool drops the message and counts it (DROP_RING): the front
 * never blocks on the dataplane.
 */
#ifndef TF_RING_H
#define TF_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gw_ipc.h"

/** The counters (the memzone's once attached). */
extern uint64_t *tf_cnt;
#define TF_CNT(sym)        (tf_cnt[GW_FRONT_CNT_##sym]++)
#define TF_CNT_ADD(sym, n) (tf_cnt[GW_FRONT_CNT_##sym] += (n))

/**
 * Find the dataplane's objects, waiting up to wait_ms for it to be READY;
 * reserve (or find, after a restart) the front's memzone; count this process
 * as attached (the dataplane waits for it at stop).
 * @return 0, or -ETIMEDOUT / -ENOENT / -EPROTO with err saying what is missing.
 */
int tf_ring_attach(uint32_t wait_ms, char *err, size_t errlen);

/** Stop being counted as attached (clean exit). */
void tf_ring_detach(void);

/** False once the dataplane said it is stopping. */
bool tf_ring_dp_ready(void);

/** Publish the open-connections gauge. */
void tf_ring_set_conns(uint32_t n);

/**
 * Queue a message (type GW_IPC_STRM_MSG with msg/len, or CLOSE/RESET with
 * none) for the dataplane. h->len is set here.
 * @return true when queued (it may still be dropped by a full ring at flush).
 */
bool tf_ring_put(const struct gw_ipc_strm *h, const uint8_t *msg, size_t len);

/** Hand the queued messages over (end of each loop iteration). */
void tf_ring_flush(void);

/** Largest message the mbufs carry behind the header. */
size_t tf_ring_max_msg(void);

/** Called for each message the dataplane sent to a client. */
typedef void tf_ring_deliver_fn(const struct gw_ipc_strm *h, const uint8_t *msg, void *arg);

/** Take up to max messages from the dataplane. @return how many. */
unsigned tf_ring_poll(tf_ring_deliver_fn *fn, void *arg, unsigned max);

#endif
