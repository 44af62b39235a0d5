#include "cp_ipc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "cp_ice.h"
#include "cp_clock.h"
#include "cp_log.h"

#define REFRESH_MS   100      /* counters + port status period */
#define ALIVE_MS     100      /* primary liveness check period */
#define EVT_BATCH    64
#define CHUNKS       ((GW_CNT_MAX + GW_IPC_COUNTERS_PER_MSG - 1) / GW_IPC_COUNTERS_PER_MSG)

struct cp_ipc {
	struct gw_ipc_info *info;
	unsigned n_workers;
	struct rte_ring *cmd[GW_IPC_MAX_WORKERS];
	struct rte_ring *evt[GW_IPC_MAX_WORKERS];
	struct rte_ring *punt[GW_IPC_MAX_WORKERS];
	struct rte_ring *tx[GW_IPC_MAX_WORKERS];
	struct rte_mempool *pool;
	uint64_t punt_dropped;
	uint32_t seq;
	uint64_t next_refresh_ms;
	uint64_t next_alive_ms;
	bool gone;
	bool counted;             /* we added ourselves to info->attached */
	/* the answer being assembled for request build_seq */
	uint32_t build_seq;
	unsigned chunks_got[GW_IPC_MAX_WORKERS];
	unsigned ports_got;
	struct cp_dp_snapshot building;
	struct cp_dp_snapshot snap;
	struct cp_dp_info dpi;
};

/* What the features registered: process-wide, read by every attachment. */
static struct {
	cp_ipc_evt_fn *fn;
	void *ctx;
} evt_fns[GW_IPC_TYPE_MAX];
static struct {
	cp_ipc_attach_fn *fn;
	void *ctx;
} attach_fns[CP_IPC_MAX_ATTACH_FN];
static unsigned n_attach_fns;
static struct {
	cp_ipc_punt_fn *fn;
	void *ctx;
} punt_fn;
static struct {
	cp_ipc_restore_fn *fn;
	void *ctx;
} restore_fn;

void
cp_ipc_on_restore(cp_ipc_restore_fn *fn, void *ctx)
{
	restore_fn.fn = fn;
	restore_fn.ctx = ctx;
}

int
cp_ipc_on(uint16_t type, cp_ipc_evt_fn *fn, void *ctx)
{
	if (type == 0 || type >= GW_IPC_TYPE_MAX || fn == NULL)
		return -EINVAL;
	if (evt_fns[type].fn != NULL)
		return -EEXIST;
	evt_fns[type].fn = fn;
	evt_fns[type].ctx = ctx;
	return 0;
}

int
cp_ipc_on_attach(cp_ipc_attach_fn *fn, void *ctx)
{
	if (fn == NULL)
		return -EINVAL;
	if (n_attach_fns == CP_IPC_MAX_ATTACH_FN)
		return -ENOSPC;
	attach_fns[n_attach_fns].fn = fn;
	attach_fns[n_attach_fns++].ctx = ctx;
	return 0;
}

int
cp_ipc_on_punt(cp_ipc_punt_fn *fn, void *ctx)
{
	if (fn == NULL)
		return -EINVAL;
	if (punt_fn.fn != NULL)
		return -EEXIST;
	punt_fn.fn = fn;
	punt_fn.ctx = ctx;
	return 0;
}

uint64_t
cp_ipc_punt_dropped(const struct cp_ipc *c)
{
	return c->punt_dropped;
}

bool
cp_ipc_primary_alive(const char *file_prefix)
{
	char path[256];

	snprintf(path, sizeof(path), "/var/run/dpdk/%s/config", file_prefix);
	return rte_eal_primary_proc_alive(path) != 0;
}

static int
send_req(struct cp_ipc *c, unsigned w, uint16_t type)
{
	struct gw_ipc_msg m = {
		.version = GW_IPC_VERSION,
		.type = type,
		.seq = c->seq,
	};

	if (type == GW_IPC_HELLO_REQ) {
		m.u.hello.abi_version = GW_IPC_VERSION;
		m.u.hello.pid = (int32_t)getpid();
	}
	return rte_ring_enqueue_elem(c->cmd[w], &m, sizeof(m)) == 0 ? 0 : -ENOBUFS;
}

int
cp_ipc_attach(struct cp_ipc **out, uint32_t wait_ms, char *err, size_t errlen)
{
	const struct rte_memzone *mz = NULL;
	uint64_t deadline = cp_mono_ms() + wait_ms;
	struct gw_ipc_info *info;
	struct cp_ipc *c = NULL;
	int rc;

	/* The dataplane publishes READY last; until then objects may be missing. */
	for (;;) {
		mz = rte_memzone_lookup(GW_IPC_INFO_NAME);
		if (mz != NULL &&
		    __atomic_load_n(&((struct gw_ipc_info *)mz->addr)->state, __ATOMIC_ACQUIRE) ==
			    GW_IPC_STATE_READY)
			break;
		if (cp_mono_ms() >= deadline) {
			snprintf(err, errlen, "no ready dataplane after %u ms (memzone %s %s)",
				 wait_ms, GW_IPC_INFO_NAME, mz ? "not READY" : "missing");
			return -ENOENT;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000000 }, NULL);
	}
	info = mz->addr;
	rc = gw_ipc_check_info(info, err, errlen);
	if (rc != 0)
		return rc;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->info = info;
	c->n_workers = info->n_workers;
	for (unsigned w = 0; w < c->n_workers; w++) {
		char name[RTE_RING_NAMESIZE];

		gw_ipc_ring_name(name, sizeof(name), GW_IPC_RING_CMD, w);
		c->cmd[w] = rte_ring_lookup(name);
		gw_ipc_ring_name(name, sizeof(name), GW_IPC_RING_EVT, w);
		c->evt[w] = rte_ring_lookup(name);
		gw_ipc_ring_name(name, sizeof(name), GW_IPC_RING_PUNT, w);
		c->punt[w] = rte_ring_lookup(name);
		gw_ipc_ring_name(name, sizeof(name), GW_IPC_RING_TX, w);
		c->tx[w] = rte_ring_lookup(name);
		if (c->cmd[w] == NULL || c->evt[w] == NULL || c->punt[w] == NULL ||
		    c->tx[w] == NULL) {
			snprintf(err, errlen, "dataplane ring %s missing", name);
			rc = -ENOENT;
			goto fail;
		}
	}
	c->pool = rte_mempool_lookup(GW_IPC_POOL_NAME);
	if (c->pool == NULL) {
		snprintf(err, errlen, "dataplane mempool %s missing", GW_IPC_POOL_NAME);
		rc = -ENOENT;
		goto fail;
	}
	c->dpi.pid = info->dp_pid;
	c->dpi.start_unix_ns = info->start_unix_ns;
	c->dpi.n_workers = (uint16_t)info->n_workers;
	/* A previous control plane may have left answers nobody read: stale,
	 * unless we take its state over (then its events are ours to handle). */
	if (restore_fn.fn == NULL || !restore_fn.fn(restore_fn.ctx, &c->dpi)) {
		for (unsigned w = 0; w < c->n_workers; w++) {
			struct gw_ipc_msg m;

			while (rte_ring_dequeue_elem(c->evt[w], &m, sizeof(m)) == 0)
				;
		}
	}
	c->seq = 1;
	if (send_req(c, 0, GW_IPC_HELLO_REQ) != 0) {
		snprintf(err, errlen, "dataplane command ring full");
		rc = -ENOBUFS;
		goto fail;
	}
	__atomic_add_fetch(&info->attached, 1, __ATOMIC_ACQ_REL);
	c->counted = true;
	/* each feature resyncs the dataplane with what this (fresh) process
	 * knows, e.g. ICE flushes the legs a previous control plane published */
	for (unsigned i = 0; i < n_attach_fns; i++)
		attach_fns[i].fn(attach_fns[i].ctx, c);
	*out = c;
	return 0;
fail:
	free(c);
	return rc;
}

void
cp_ipc_free(struct cp_ipc *c)
{
	if (c == NULL)
		return;
	/* Only while the primary lives: after it died its memory is ours
	 * alone and nobody reads the count. */
	if (c->counted && rte_eal_primary_proc_alive(NULL))
		__atomic_sub_fetch(&c->info->attached, 1, __ATOMIC_ACQ_REL);
	free(c);
}

static void
start_refresh(struct cp_ipc *c)
{
	c->seq++;
	c->build_seq = c->seq;
	memset(c->chunks_got, 0, sizeof(c->chunks_got));
	c->ports_got = 0;
	memset(&c->building, 0, sizeof(c->building));
	for (unsigned w = 0; w < c->n_workers; w++)
		(void)send_req(c, w, GW_IPC_COUNTERS_REQ);
	(void)send_req(c, 0, GW_IPC_PORT_REQ);
}

static void
maybe_complete(struct cp_ipc *c, uint64_t now)
{
	struct cp_dp_snapshot *b = &c->building;

	if (c->ports_got < c->info->n_ports)
		return;
	for (unsigned w = 0; w < c->n_workers; w++)
		if (c->chunks_got[w] < CHUNKS)
			return;
	for (unsigned w = 0; w < c->n_workers; w++)
		for (unsigned i = 0; i < GW_CNT_MAX; i++)
			b->total[i] += b->per_worker[w][i];
	b->n_ports = c->info->n_ports;
	b->n_workers = c->n_workers;
	b->at_ms = now;
	b->valid = true;
	c->snap = *b;
	c->build_seq = 0;         /* answers for it from now on are late */
}

static void
handle(struct cp_ipc *c, const struct gw_ipc_msg *m, uint64_t now)
{
	if (m->version != GW_IPC_VERSION) {
		CP_WARN("ipc: answer with version %u ignored", m->version);
		return;
	}
	switch (m->type) {
	case GW_IPC_HELLO_RESP:
		c->dpi.abi_version = m->u.hello.abi_version;
		c->dpi.n_workers = m->u.hello.n_workers;
		c->dpi.pid = m->u.hello.pid;
		memcpy(c->dpi.version, m->u.hello.version, sizeof(c->dpi.version));
		c->dpi.version[sizeof(c->dpi.version) - 1] = '\0';
		c->dpi.hello_ok = m->status == 0;
		CP_NOTICE("dataplane pid %d version %s answered hello: %s", (int)c->dpi.pid,
			  c->dpi.version, m->status == 0 ? "ABI matches" : "ABI MISMATCH");
		break;
	case GW_IPC_COUNTERS_RESP: {
		const struct gw_ipc_counters *k = &m->u.counters;

		if (m->seq != c->build_seq || m->worker >= c->n_workers ||
		    k->total != GW_CNT_MAX || k->first >= GW_CNT_MAX ||
		    k->n > GW_IPC_COUNTERS_PER_MSG || k->first + k->n > GW_CNT_MAX)
			return;
		memcpy(&c->building.per_worker[m->worker][k->first], k->v,
		       k->n * sizeof(uint64_t));
		c->chunks_got[m->worker]++;
		maybe_complete(c, now);
		break;
	}
	case GW_IPC_PORT_RESP:
		if (m->seq != c->build_seq || c->ports_got >= GW_IPC_MAX_PORTS)
			return;
		c->building.ports[c->ports_got++] = m->u.port;
		maybe_complete(c, now);
		break;
	case GW_IPC_ERROR_RESP:
		CP_WARN("ipc: dataplane refused request %u: %s", m->seq, strerror(-m->status));
		break;
	default:
		if (m->type < GW_IPC_TYPE_MAX && evt_fns[m->type].fn != NULL)
			evt_fns[m->type].fn(evt_fns[m->type].ctx, c, m);
		else
			CP_WARN("ipc: unexpected message type %u", m->type);
	}
}

int
cp_ipc_poll(struct cp_ipc *c, uint64_t now_ms)
{
	struct gw_ipc_msg m[EVT_BATCH];

	if (c->gone)
		return -EPIPE;
	/* A clean stop is announced in shared memory (checked every call: a
	 * plain load); a crash only shows as the primary's lock going away. */
	if (__atomic_load_n(&c->info->state, __ATOMIC_ACQUIRE) != GW_IPC_STATE_READY) {
		CP_WARN("dataplane pid %d is stopping", (int)c->dpi.pid);
		c->snap.valid = false;
		return -ESHUTDOWN;
	}
	if (now_ms >= c->next_alive_ms) {
		c->next_alive_ms = now_ms + ALIVE_MS;
		if (rte_eal_primary_proc_alive(NULL) == 0) {
			CP_ERR("dataplane pid %d died", (int)c->dpi.pid);
			c->gone = true;
			c->snap.valid = false;
			return -EPIPE;
		}
	}
	for (unsigned w = 0; w < c->n_workers; w++) {
		unsigned n = rte_ring_dequeue_burst_elem(c->evt[w], m, sizeof(m[0]), EVT_BATCH, NULL);
		void *punted[EVT_BATCH];

		for (unsigned i = 0; i < n; i++)
			handle(c, &m[i], now_ms);
		n = rte_ring_dequeue_burst(c->punt[w], punted, EVT_BATCH, NULL);
		for (unsigned i = 0; i < n; i++) {
			if (punt_fn.fn != NULL) {
				punt_fn.fn(punt_fn.ctx, c, w, punted[i]);
			} else {
				c->punt_dropped++;
				rte_pktmbuf_free(punted[i]);
			}
		}
	}
	if (now_ms >= c->next_refresh_ms) {
		c->next_refresh_ms = now_ms + REFRESH_MS;
		start_refresh(c);
	}
	return 0;
}

int
cp_ipc_send(struct cp_ipc *c, unsigned w, struct gw_ipc_msg *m)
{
	if (c->gone || w >= c->n_workers)
		return -EINVAL;
	m->version = GW_IPC_VERSION;
	return rte_ring_enqueue_elem(c->cmd[w], m, sizeof(*m)) == 0 ? 0 : -ENOBUFS;
}

unsigned
cp_ipc_send_room(const struct cp_ipc *c, unsigned w)
{
	if (c == NULL || c->gone || w >= c->n_workers)
		return 0;
	return rte_ring_free_count(c->cmd[w]);
}

int
cp_ipc_tx(struct cp_ipc *c, unsigned w, const struct gw_ipc_tx_meta *meta, const void *data,
	  size_t len)
{
	struct rte_mbuf *m;
	void *p;

	if (c->gone || w >= c->n_workers || meta == NULL || data == NULL || len == 0 ||
	    len > CP_IPC_TX_MAX)
		return -EINVAL;
	m = rte_pktmbuf_alloc(c->pool);
	if (m == NULL)
		return -ENOMEM;
	p = rte_pktmbuf_append(m, (uint16_t)len);
	if (p == NULL) {
		rte_pktmbuf_free(m);
		return -ENOMEM;
	}
	memcpy(p, data, len);
	memcpy(rte_mbuf_to_priv(m), meta, sizeof(*meta));
	if (rte_ring_enqueue(c->tx[w], m) != 0) {
		rte_pktmbuf_free(m);
		return -ENOBUFS;
	}
	return 0;
}

const struct cp_dp_snapshot *
cp_ipc_snapshot(const struct cp_ipc *c)
{
	return &c->snap;
}

const struct cp_dp_info *
cp_ipc_info(const struct cp_ipc *c)
{
	return &c->dpi;
}
