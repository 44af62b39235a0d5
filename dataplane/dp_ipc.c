#include "dp_ipc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "dp_arp.h"
#include "dp_ctx.h"
#include "dp_log.h"
#include "dp_ndp.h"
#include "net.h"
#include "net6.h"

/* Commands per tick (100 us): a SIP proxy's burst of calls is about ten
 * commands per call (legs, modes, rules, peers, keys); at 8 per tick the
 * 1024-entry command ring filled after ~100 calls set up back to back
 * (scripts/bench_calls.sh: 'dataplane not reachable (command ring)'). 64 per
 * tick drains 640k/s; one command costs a few microseconds at most. */
#define CMD_BATCH 64
#define TX_BATCH  32

static const struct rte_memzone *info_mz;
static dp_ipc_cmd_fn *handlers[GW_IPC_TYPE_MAX];

static void answer_hello(struct dp_worker *w, struct gw_ipc_msg *q);
static void answer_counters(struct dp_worker *w, struct gw_ipc_msg *q);
static void answer_ports(struct dp_worker *w, struct gw_ipc_msg *q);

int
dp_ipc_on(uint16_t type, dp_ipc_cmd_fn *fn)
{
	if (type == 0 || type >= GW_IPC_TYPE_MAX || fn == NULL)
		return -EINVAL;
	if (handlers[type] != NULL)
		return -EEXIST;
	handlers[type] = fn;
	return 0;
}

int
dp_ipc_create(unsigned n_workers, uint32_t n_mbufs)
{
	struct timespec ts;
	struct gw_ipc_info *info;

	info_mz = rte_memzone_reserve(GW_IPC_INFO_NAME, sizeof(*info), SOCKET_ID_ANY, 0);
	if (info_mz == NULL)
		return rte_errno == EEXIST ? -EEXIST : -ENOMEM;
	info = info_mz->addr;
	memset(info, 0, sizeof(*info));
	clock_gettime(CLOCK_REALTIME, &ts);
	info->magic = GW_IPC_MAGIC;
	info->abi_version = GW_IPC_VERSION;
	info->msg_size = sizeof(struct gw_ipc_msg);
	info->n_counters = GW_CNT_MAX;
	info->n_workers = n_workers;
	info->dp_pid = getpid();
	info->start_unix_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	__atomic_store_n(&info->state, GW_IPC_STATE_INIT, __ATOMIC_RELEASE);
	dp.info = info;
	(void)dp_ipc_on(GW_IPC_HELLO_REQ, answer_hello);
	(void)dp_ipc_on(GW_IPC_COUNTERS_REQ, answer_counters);
	(void)dp_ipc_on(GW_IPC_PORT_REQ, answer_ports);

	dp.pool = rte_pktmbuf_pool_create(GW_IPC_POOL_NAME, n_mbufs, 256, GW_IPC_MBUF_PRIV,
					  RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (dp.pool == NULL)
		return rte_errno == EEXIST ? -EEXIST : -ENOMEM;
	return 0;
}

static struct rte_ring *
mkring(const char *kind, unsigned w, unsigned esize)
{
	char name[RTE_RING_NAMESIZE];

	gw_ipc_ring_name(name, sizeof(name), kind, w);
	return rte_ring_create_elem(name, esize, GW_IPC_RING_SIZE, SOCKET_ID_ANY,
				    RING_F_SP_ENQ | RING_F_SC_DEQ);
}

int
dp_ipc_worker_rings(struct dp_worker *w)
{
	w->cmd = mkring(GW_IPC_RING_CMD, w->idx, sizeof(struct gw_ipc_msg));
	w->evt = mkring(GW_IPC_RING_EVT, w->idx, sizeof(struct gw_ipc_msg));
	w->punt = mkring(GW_IPC_RING_PUNT, w->idx, sizeof(void *));
	w->tx = mkring(GW_IPC_RING_TX, w->idx, sizeof(void *));
	if (w->cmd == NULL || w->evt == NULL || w->punt == NULL || w->tx == NULL)
		return rte_errno == EEXIST ? -EEXIST : -ENOMEM;
	return 0;
}

void
dp_ipc_ready(void)
{
	dp.info->n_ports = dp.n_ports;
	__atomic_store_n(&dp.info->state, GW_IPC_STATE_READY, __ATOMIC_RELEASE);
}

static void
drain_mbuf_ring(struct rte_ring *r)
{
	void *m;

	while (rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
}

void
dp_ipc_stopping(uint32_t wait_ms)
{
	if (dp.info == NULL)
		return;
	__atomic_store_n(&dp.info->state, GW_IPC_STATE_STOPPING, __ATOMIC_RELEASE);
	/* An attached control plane holds locks on the shared-memory files; a
	 * new dataplane could not start until it lets go. It sees STOPPING
	 * within one poll period and detaches; one killed with -9 never
	 * will, hence the bound. */
	for (uint32_t t = 0; t < wait_ms; t += 10) {
		if (__atomic_load_n(&dp.info->attached, __ATOMIC_ACQUIRE) == 0)
			return;
		rte_delay_us_sleep(10 * 1000);
	}
	DP_LOG(WARNING, "a control plane is still attached after %u ms; stopping anyway",
	       wait_ms);
}

void
dp_ipc_drain(void)
{
	for (unsigned i = 0; i < dp.n_workers; i++) {
		struct dp_worker *w = dp.workers[i];

		if (w == NULL)
			continue;
		if (w->punt != NULL)
			drain_mbuf_ring(w->punt);
		if (w->tx != NULL)
			drain_mbuf_ring(w->tx);
	}
	/* The rings, the pool and the info memzone are deliberately not freed:
	 * freeing hugepage memory makes DPDK unmap it in every attached
	 * secondary too, and a control plane still reading a ring would fault.
	 * The pages go with the process; main() unlinks the hugepage files. */
}

static void
reply(struct dp_worker *w, struct gw_ipc_msg *r)
{
	r->version = GW_IPC_VERSION;
	r->worker = (uint16_t)w->idx;
	if (rte_ring_enqueue_elem(w->evt, r, sizeof(*r)) != 0)
		DP_CNT(w, IPC_EVT_DROP);
}

static void
answer_hello(struct dp_worker *w, struct gw_ipc_msg *q)
{
	struct gw_ipc_msg r = { .type = GW_IPC_HELLO_RESP, .seq = q->seq };

	r.u.hello.abi_version = GW_IPC_VERSION;
	r.u.hello.n_workers = (uint16_t)dp.n_workers;
	r.u.hello.n_counters = GW_CNT_MAX;
	r.u.hello.pid = dp.info->dp_pid;
	snprintf(r.u.hello.version, sizeof(r.u.hello.version), "%s", RTCGW_VERSION);
	if (q->u.hello.abi_version != GW_IPC_VERSION)
		r.status = -EPROTO;
	reply(w, &r);
}

static void
answer_counters(struct dp_worker *w, struct gw_ipc_msg *q)
{
	/* Copied from this worker's own array: the snapshot is consistent
	 * per worker because nothing else writes it meanwhile. */
	for (unsigned first = 0; first < GW_CNT_MAX; first += GW_IPC_COUNTERS_PER_MSG) {
		struct gw_ipc_msg r = { .type = GW_IPC_COUNTERS_RESP, .seq = q->seq };
		unsigned n = RTE_MIN(GW_IPC_COUNTERS_PER_MSG, GW_CNT_MAX - first);

		r.u.counters.first = (uint16_t)first;
		r.u.counters.n = (uint16_t)n;
		r.u.counters.total = GW_CNT_MAX;
		memcpy(r.u.counters.v, &w->cnt[first], n * sizeof(uint64_t));
		reply(w, &r);
	}
}

static void
answer_ports(struct dp_worker *w, struct gw_ipc_msg *q)
{
	for (unsigned i = 0; i < dp.n_ports; i++) {
		const struct dp_port *p = &dp.ports[i];
		struct gw_ipc_msg r = { .type = GW_IPC_PORT_RESP, .seq = q->seq };
		struct gw_ipc_port *o = &r.u.port;
		struct rte_eth_link link;
		struct rte_eth_stats st;

		o->port_id = p->port_id;
		if (rte_eth_link_get_nowait(p->port_id, &link) == 0) {
			o->link_up = link.link_status == RTE_ETH_LINK_UP;
			o->full_duplex = link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX;
			o->speed_mbps = link.link_speed;
		}
		memcpy(o->mac, p->mac.addr_bytes, 6);
		o->mtu = p->mtu;
		o->ipv4 = p->ipv4;
		o->prefix_len = (uint8_t)__builtin_popcount(p->mask);
		if (rte_eth_stats_get(p->port_id, &st) == 0) {
			o->ipackets = st.ipackets;
			o->opackets = st.opackets;
			o->ibytes = st.ibytes;
			o->obytes = st.obytes;
			o->imissed = st.imissed;
			o->ierrors = st.ierrors;
			o->oerrors = st.oerrors;
			o->rx_nombuf = st.rx_nombuf;
		}
		snprintf(o->name, sizeof(o->name), "%s", p->name);
		reply(w, &r);
	}
}

void
dp_ipc_event(struct dp_worker *w, struct gw_ipc_msg *m)
{
	reply(w, m);
}

static void
answer(struct dp_worker *w, struct gw_ipc_msg *q)
{
	struct gw_ipc_msg r = { .seq = q->seq };

	DP_CNT(w, IPC_CMD);
	if (q->version != GW_IPC_VERSION || q->type == 0 || q->type >= GW_IPC_TYPE_MAX) {
		DP_CNT(w, IPC_CMD_BAD);
		r.type = GW_IPC_ERROR_RESP;
		r.status = -EPROTO;
		reply(w, &r);
		return;
	}
	if (handlers[q->type] == NULL) {
		/* a response type sent as a request, or a feature not built in */
		DP_CNT(w, IPC_CMD_BAD);
		r.type = GW_IPC_ERROR_RESP;
		r.status = -EOPNOTSUPP;
		reply(w, &r);
		return;
	}
	handlers[q->type](w, q);
}

void
dp_ipc_punt(struct dp_worker *w, struct rte_mbuf *m)
{
	if (rte_ring_enqueue(w->punt, m) != 0) {
		DP_CNT(w, IPC_PUNT_DROP);
		rte_pktmbuf_free(m);
		return;
	}
	DP_CNT(w, IPC_PUNT);
}

/* tx_frame() to an IPv6 destination (meta->dst_ip6), from the port's
 * address6, through NDP. Consumes m. */
static void
tx_frame6(struct dp_worker *w, struct rte_mbuf *m, const struct gw_ipc_tx_meta *meta)
{
	uint16_t plen = (uint16_t)rte_pktmbuf_pkt_len(m);
	uint16_t hdr = GW_ETH_HLEN + GW_IPV6_HLEN + GW_UDP_HLEN;
	const struct dp_port *p;
	uint8_t dst[16], *b;

	if (meta->port_id >= dp.n_ports || !dp.ports[meta->port_id].has_ipv6 ||
	    m->nb_segs != 1 || plen + hdr - GW_ETH_HLEN > dp.ports[meta->port_id].mtu ||
	    (b = (uint8_t *)rte_pktmbuf_prepend(m, hdr)) == NULL) {
		DP_CNT(w, IPC_TX_BAD);
		rte_pktmbuf_free(m);
		return;
	}
	p = &dp.ports[meta->port_id];
	memcpy(dst, meta->dst_ip6, 16);
	gw_ipv6_encode(b + GW_ETH_HLEN, p->ipv6, dst, GW_IPPROTO_UDP, 64,
		       (uint16_t)(GW_UDP_HLEN + plen));
	gw_udp6_encode(b + GW_ETH_HLEN + GW_IPV6_HLEN, p->ipv6, dst, meta->src_port,
		       meta->dst_port, plen);
	DP_CNT(w, IPC_TX);
	dp_ndp_send_ip6(w, meta->port_id, m, dst);
}

static void
tx_frame(struct dp_worker *w, struct rte_mbuf *m)
{
	const struct gw_ipc_tx_meta *meta = rte_mbuf_to_priv(m);

	if (meta->family == GW_IPC_FAMILY_IPV6) {
		tx_frame6(w, m, meta);
		return;
	}
	uint16_t plen = (uint16_t)rte_pktmbuf_pkt_len(m);
	uint16_t hdr = GW_ETH_HLEN + GW_IPV4_HLEN + GW_UDP_HLEN;
	const struct dp_port *p;
	uint8_t *b;

	if (meta->port_id >= dp.n_ports || m->nb_segs != 1 ||
	    plen + hdr - GW_ETH_HLEN > dp.ports[meta->port_id].mtu ||
	    (b = (uint8_t *)rte_pktmbuf_prepend(m, hdr)) == NULL) {
		DP_CNT(w, IPC_TX_BAD);
		rte_pktmbuf_free(m);
		return;
	}
	p = &dp.ports[meta->port_id];
	gw_udp4_encode(b + GW_ETH_HLEN + GW_IPV4_HLEN, p->ipv4, meta->dst_ip, meta->src_port,
		       meta->dst_port, plen);
	gw_ipv4_encode(b + GW_ETH_HLEN, p->ipv4, meta->dst_ip, GW_IPPROTO_UDP, 64,
		       (uint16_t)(GW_UDP_HLEN + plen), w->ip_id++);
	DP_CNT(w, IPC_TX);
	dp_arp_send_ip(w, meta->port_id, m, meta->dst_ip);
}

void
dp_ipc_poll(struct dp_worker *w)
{
	struct gw_ipc_msg q[CMD_BATCH];
	void *tx[TX_BATCH];
	unsigned n;

	n = rte_ring_dequeue_burst_elem(w->cmd, q, sizeof(q[0]), CMD_BATCH, NULL);
	for (unsigned i = 0; i < n; i++)
		answer(w, &q[i]);
	n = rte_ring_dequeue_burst(w->tx, tx, TX_BATCH, NULL);
	for (unsigned i = 0; i < n; i++)
		tx_frame(w, tx[i]);
}
