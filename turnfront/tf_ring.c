#include "tf_ring.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_errno.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#define BATCH 64

static uint64_t cnt_local[GW_FRONT_CNT_MAX];
uint64_t *tf_cnt = cnt_local;

static struct {
	struct gw_ipc_info *info;
	struct gw_ipc_front *front;
	struct rte_mempool *pool;
	struct rte_ring *in, *out;
	struct rte_mbuf *batch[BATCH];
	unsigned n;
	bool attached;
} R;

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
tf_ring_attach(uint32_t wait_ms, char *err, size_t errlen)
{
	const struct rte_memzone *mz;
	uint64_t deadline = mono_ms() + wait_ms;

	for (;;) {
		mz = rte_memzone_lookup(GW_IPC_INFO_NAME);
		if (mz != NULL && __atomic_load_n(&((struct gw_ipc_info *)mz->addr)->state,
						  __ATOMIC_ACQUIRE) == GW_IPC_STATE_READY)
			break;
		if (mono_ms() >= deadline) {
			snprintf(err, errlen, "the dataplane did not become ready in %u ms",
				 wait_ms);
			return -ETIMEDOUT;
		}
		usleep(20000);
	}
	R.info = mz->addr;
	if (gw_ipc_check_info(R.info, err, errlen) != 0)
		return -EPROTO;
	R.pool = rte_mempool_lookup(GW_IPC_POOL_NAME);
	R.in = rte_ring_lookup(GW_IPC_RING_STRM_IN);
	R.out = rte_ring_lookup(GW_IPC_RING_STRM_OUT);
	if (R.pool == NULL || R.in == NULL || R.out == NULL) {
		snprintf(err, errlen, "the dataplane has no %s (turn.tcp.enabled false in its "
			 "config, or another file_prefix)", R.pool == NULL ? GW_IPC_POOL_NAME :
			 R.in == NULL ? GW_IPC_RING_STRM_IN : GW_IPC_RING_STRM_OUT);
		return -ENOENT;
	}
	/* A memzone outlives the secondary that reserved it: after a restart
	 * the counters go on from where they were (Prometheus counters). */
	mz = rte_memzone_lookup(GW_IPC_FRONT_NAME);
	if (mz == NULL)
		mz = rte_memzone_reserve(GW_IPC_FRONT_NAME, sizeof(struct gw_ipc_front),
					 SOCKET_ID_ANY, 0);
	if (mz == NULL) {
		snprintf(err, errlen, "memzone %s: %s", GW_IPC_FRONT_NAME,
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	R.front = mz->addr;
	if (R.front->magic != GW_IPC_MAGIC || R.front->abi_version != GW_IPC_VERSION) {
		memset(R.front, 0, sizeof(*R.front));
		R.front->magic = GW_IPC_MAGIC;
		R.front->abi_version = GW_IPC_VERSION;
		R.front->n_counters = GW_FRONT_CNT_MAX;
	}
	for (unsigned i = 0; i < GW_FRONT_CNT_MAX; i++)
		R.front->cnt[i] += cnt_local[i];
	tf_cnt = R.front->cnt;
	R.front->conns = 0;
	__atomic_store_n(&R.front->pid, (int32_t)getpid(), __ATOMIC_RELEASE);
	__atomic_add_fetch(&R.info->attached, 1, __ATOMIC_ACQ_REL);
	R.attached = true;
	return 0;
}

void
tf_ring_detach(void)
{
	void *m;

	if (!R.attached)
		return;
	tf_ring_flush();
	while (R.n > 0)
		rte_pktmbuf_free(R.batch[--R.n]);
	/* what the dataplane sent to connections that are gone now */
	while (rte_ring_sc_dequeue(R.out, &m) == 0)
		rte_pktmbuf_free(m);
	R.front->conns = 0;
	__atomic_store_n(&R.front->pid, 0, __ATOMIC_RELEASE);
	__atomic_sub_fetch(&R.info->attached, 1, __ATOMIC_ACQ_REL);
	R.attached = false;
}

bool
tf_ring_dp_ready(void)
{
	return R.info != NULL &&
	       __atomic_load_n(&R.info->state, __ATOMIC_ACQUIRE) == GW_IPC_STATE_READY;
}

void
tf_ring_set_conns(uint32_t n)
{
	if (R.front != NULL)
		__atomic_store_n(&R.front->conns, n, __ATOMIC_RELAXED);
}

size_t
tf_ring_max_msg(void)
{
	/* single-segment mbufs of the dataplane's pool: data room less the
	 * header (the dataplane prepends its own headers in the headroom) */
	size_t room = R.pool != NULL ? rte_pktmbuf_data_room_size(R.pool) - RTE_PKTMBUF_HEADROOM :
				       RTE_MBUF_DEFAULT_DATAROOM;

	return room - sizeof(struct gw_ipc_strm);
}

bool
tf_ring_put(const struct gw_ipc_strm *h, const uint8_t *msg, size_t len)
{
	struct rte_mbuf *m;
	struct gw_ipc_strm *p;

	if (R.n == BATCH)
		tf_ring_flush();
	m = rte_pktmbuf_alloc(R.pool);
	if (m == NULL)
		goto drop;
	p = (struct gw_ipc_strm *)rte_pktmbuf_append(m, (uint16_t)(sizeof(*p) + len));
	if (p == NULL) {
		rte_pktmbuf_free(m);
		goto drop;
	}
	*p = *h;
	p->len = (uint16_t)len;
	if (len > 0)
		memcpy(p + 1, msg, len);
	R.batch[R.n++] = m;
	return true;
drop:
	TF_CNT(DROP_RING);
	return false;
}

void
tf_ring_flush(void)
{
	unsigned done;

	if (R.n == 0)
		return;
	done = rte_ring_sp_enqueue_burst(R.in, (void **)R.batch, R.n, NULL);
	for (unsigned i = done; i < R.n; i++)
		rte_pktmbuf_free(R.batch[i]);
	TF_CNT_ADD(DROP_RING, R.n - done);
	R.n = 0;
}

unsigned
tf_ring_poll(tf_ring_deliver_fn *fn, void *arg, unsigned max)
{
	struct rte_mbuf *ms[BATCH];
	unsigned n, total = 0;

	while (total < max) {
		n = rte_ring_sc_dequeue_burst(R.out, (void **)ms, BATCH, NULL);
		for (unsigned i = 0; i < n; i++) {
			const struct gw_ipc_strm *h = rte_pktmbuf_mtod(ms[i], const void *);

			if (rte_pktmbuf_data_len(ms[i]) >= sizeof(*h) &&
			    (size_t)h->len + sizeof(*h) == rte_pktmbuf_data_len(ms[i]))
				fn(h, (const uint8_t *)(h + 1), arg);
			rte_pktmbuf_free(ms[i]);
		}
		total += n;
		if (n < BATCH)
			break;
	}
	return total;
}
