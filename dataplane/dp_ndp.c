#include "dp_ndp.h"

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_spinlock.h>

#include "dp_ctx.h"
#include "dp_log.h"
#include "dp_xmit.h"
#include "gw_config.h"
#include "net.h"
#include "net6.h"

#define PROBE 8                        /* linear-probe window */
#define NDP_MSG_MAX 32                 /* NS/NA with one link-layer option */

/* One warning per port about another host claiming our address. */
static bool conflict_logged[GW_IPC_MAX_PORTS];

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };

struct neigh6 {
	uint32_t seq;                      /* odd while being written */
	uint16_t port;
	uint8_t mac[6];
	uint8_t ip[16];
	uint64_t expire;                   /* TSC; 0 = empty slot */
};

struct dp_neigh6_table {
	rte_spinlock_t lock;               /* writers only */
	unsigned mask;
	uint64_t ttl_tsc;
	struct neigh6 e[];
};

void
dp_ndp_port_init(struct dp_port *p, const struct gw_conf_port *cp)
{
	const uint8_t *mac = p->mac.addr_bytes;

	p->has_ipv6 = cp->address6.len != 0;
	p->has_gateway6 = false;
	if (!p->has_ipv6)
		return;
	memcpy(p->ipv6, cp->address6.addr, 16);
	p->ipv6_plen = cp->address6.len;
	/* RFC 4291 Appendix A: the MAC split by ff:fe, universal/local bit flipped */
	memset(p->ipv6_ll, 0, 16);
	p->ipv6_ll[0] = 0xfe;
	p->ipv6_ll[1] = 0x80;
	p->ipv6_ll[8] = mac[0] ^ 0x02;
	p->ipv6_ll[9] = mac[1];
	p->ipv6_ll[10] = mac[2];
	p->ipv6_ll[11] = 0xff;
	p->ipv6_ll[12] = 0xfe;
	p->ipv6_ll[13] = mac[3];
	p->ipv6_ll[14] = mac[4];
	p->ipv6_ll[15] = mac[5];
	gw_ipv6_solicited_node(p->ipv6_sn, p->ipv6);
	gw_ipv6_solicited_node(p->ipv6_ll_sn, p->ipv6_ll);
	for (unsigned i = 0; i < 16; i++)
		p->has_gateway6 |= cp->gateway6[i] != 0;
	memcpy(p->gateway6, cp->gateway6, 16);
}

bool
dp_ndp_ours(const struct dp_port *p, const uint8_t *a)
{
	return p->has_ipv6 && (memcmp(a, p->ipv6, 16) == 0 || memcmp(a, p->ipv6_ll, 16) == 0);
}

bool
dp_ndp_on_link(const struct dp_port *p, const uint8_t *a)
{
	return (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
	       gw_ipv6_prefix_match(p->ipv6, p->ipv6_plen, a);
}

int
dp_ndp_table_create(struct dp_neigh6_table **tp, unsigned entries, uint32_t timeout_s)
{
	struct dp_neigh6_table *t;

	entries = rte_align32pow2(entries);
	t = rte_zmalloc("rtcgw_neigh6", sizeof(*t) + entries * sizeof(struct neigh6),
			RTE_CACHE_LINE_SIZE);
	if (t == NULL)
		return -ENOMEM;
	rte_spinlock_init(&t->lock);
	t->mask = entries - 1;
	t->ttl_tsc = (uint64_t)timeout_s * rte_get_tsc_hz();
	*tp = t;
	return 0;
}

static inline unsigned
slot_of(const struct dp_neigh6_table *t, uint16_t port, const uint8_t *ip)
{
	uint64_t hi, lo;

	/* The interface identifier (low half) carries most of the entropy;
	 * fold the prefix in so two prefixes on one link spread too. */
	memcpy(&hi, ip, 8);
	memcpy(&lo, ip + 8, 8);
	return (unsigned)(((lo ^ (hi * 31) ^ ((uint64_t)port << 56)) * 0x9E3779B97F4A7C15ull) >> 40)
	       & t->mask;
}

bool
dp_ndp_lookup(const struct dp_neigh6_table *t, uint16_t port, const uint8_t *ip,
	      struct rte_ether_addr *mac, uint64_t now)
{
	unsigned s = slot_of(t, port, ip);

	for (unsigned i = 0; i < PROBE; i++) {
		const struct neigh6 *e = &t->e[(s + i) & t->mask];

		/* Bounded seqcount read, as dp_arp_lookup(). */
		for (int tries = 0; tries < 4; tries++) {
			uint32_t s1 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
			uint8_t eip[16], m[6];
			uint16_t eport;
			uint64_t exp;

			if (s1 & 1)
				continue;
			memcpy(eip, e->ip, 16);
			eport = e->port;
			exp = e->expire;
			memcpy(m, e->mac, 6);
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (__atomic_load_n(&e->seq, __ATOMIC_RELAXED) != s1)
				continue;
			if (exp == 0)
				return false;              /* empty slot ends the probe */
			if (eport == port && memcmp(eip, ip, 16) == 0) {
				if (now >= exp)
					return false;
				memcpy(mac->addr_bytes, m, 6);
				return true;
			}
			break;
		}
	}
	return false;
}

void
dp_ndp_learn(struct dp_neigh6_table *t, uint16_t port, const uint8_t *ip, const uint8_t *mac,
	     uint64_t now)
{
	unsigned s = slot_of(t, port, ip);
	struct neigh6 *victim = NULL;

	rte_spinlock_lock(&t->lock);
	for (unsigned i = 0; i < PROBE; i++) {
		struct neigh6 *e = &t->e[(s + i) & t->mask];

		if ((e->port == port && memcmp(e->ip, ip, 16) == 0 && e->expire != 0) ||
		    e->expire == 0) {
			victim = e;
			break;
		}
		/* Otherwise the one expiring first (an expired one first of all). */
		if (victim == NULL || e->expire < victim->expire)
			victim = e;
	}
	__atomic_store_n(&victim->seq, victim->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(victim->ip, ip, 16);
	victim->port = port;
	memcpy(victim->mac, mac, 6);
	victim->expire = now + t->ttl_tsc;
	__atomic_store_n(&victim->seq, victim->seq + 1, __ATOMIC_RELEASE);
	rte_spinlock_unlock(&t->lock);
}

/* Write [eth][ipv6][msg] into m (resized to fit) and hand it to the port. */
static void
xmit_ndp(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *dst_mac,
	 const uint8_t *src, const uint8_t *dst, const uint8_t *msg, size_t len)
{
	uint16_t want = (uint16_t)(GW_ETH_HLEN + GW_IPV6_HLEN + len);
	uint16_t have = (uint16_t)rte_pktmbuf_pkt_len(m);
	uint8_t *b;

	if (want > have) {
		if (rte_pktmbuf_append(m, (uint16_t)(want - have)) == NULL) {
			rte_pktmbuf_free(m);
			return;
		}
	} else if (want < have) {
		rte_pktmbuf_trim(m, (uint16_t)(have - want));
	}
	b = rte_pktmbuf_mtod(m, uint8_t *);
	gw_eth_encode(b, dst_mac, dp.ports[pi].mac.addr_bytes, GW_ETHERTYPE_IPV6);
	gw_ipv6_encode(b + GW_ETH_HLEN, src, dst, GW_IPPROTO_ICMPV6, GW_NDP_HOP_LIMIT,
		       (uint16_t)len);
	memcpy(b + GW_ETH_HLEN + GW_IPV6_HLEN, msg, len);
	m->ol_flags = 0;
	dp_xmit(w, pi, m);
}

/* Solicit nexthop's link-layer address (multicast to its solicited-node
 * group, from our address on the same scope). */
static void
send_ns(struct dp_worker *w, unsigned pi, const uint8_t *nexthop)
{
	const struct dp_port *p = &dp.ports[pi];
	const uint8_t *src = nexthop[0] == 0xfe && (nexthop[1] & 0xc0) == 0x80 ? p->ipv6_ll
									     : p->ipv6;
	uint8_t msg[NDP_MSG_MAX], dst[16], dmac[6];
	struct rte_mbuf *m;
	int n;

	gw_ipv6_solicited_node(dst, nexthop);
	gw_ipv6_mcast_mac(dmac, dst);
	n = gw_ndp_ns_encode(msg, sizeof(msg), src, dst, nexthop, p->mac.addr_bytes);
	if (n < 0)
		return;
	m = rte_pktmbuf_alloc(dp.pool);
	if (m == NULL)
		return;
	DP_CNT(w, NDP_NS_SENT);
	xmit_ndp(w, pi, m, dmac, src, dst, msg, (size_t)n);
}

static void
conflict(struct dp_worker *w, unsigned pi, const uint8_t *mac, const char *what)
{
	DP_CNT(w, NDP_CONFLICT);
	if (!__atomic_exchange_n(&conflict_logged[pi], true, __ATOMIC_RELAXED))
		DP_LOG(WARNING, "port %s: %s from %02x:%02x:%02x:%02x:%02x:%02x for our IPv6 "
		       "address; ignored (logged once)", dp.ports[pi].name, what,
		       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

void
dp_ndp_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
	     const struct gw_ipv6_view *ip, const struct gw_icmp6_view *ic)
{
	const struct dp_port *p = &dp.ports[pi];
	const uint8_t *eth_src = rte_pktmbuf_mtod(m, const uint8_t *) + GW_ETH_ALEN;
	struct gw_ndp_view v;
	uint8_t target[16], peer[16], peer_mac[6], msg[NDP_MSG_MAX];
	int n;

	if (gw_ndp_parse(&v, ip, ic) != 0) {
		DP_CNT(w, NDP_BAD);
		goto drop;
	}
	if (v.type == GW_ICMP6_NA) {
		/* Another host advertising our address: a conflict, or an
		 * attempt to draw our traffic. Never learned. */
		if (dp_ndp_ours(p, v.target)) {
			if (v.tlla == NULL || memcmp(v.tlla, p->mac.addr_bytes, 6) != 0)
				conflict(w, pi, v.tlla != NULL ? v.tlla : eth_src, "NA");
			goto drop;
		}
		if (!dp_ndp_on_link(p, v.target)) {
			DP_CNT(w, NDP_NOT_FOR_US);
			goto drop;
		}
		/* Learn from an NA sent to us (the answer to our NS), or one
		 * that updates a neighbour we know (RFC 4861 §7.2.5: an NA for
		 * an address without an entry is discarded), so multicast
		 * advertisements cannot fill the table. An NA without the
		 * option teaches nothing on Ethernet. */
		if (v.tlla != NULL) {
			struct rte_ether_addr old;
			uint64_t now = rte_rdtsc();

			if (!dp_ndp_ours(p, ip->dst) &&
			    !dp_ndp_lookup(dp.neigh6, (uint16_t)pi, v.target, &old, now)) {
				DP_CNT(w, NDP_NOT_FOR_US);
				goto drop;
			}
			dp_ndp_learn(dp.neigh6, (uint16_t)pi, v.target, v.tlla, now);
			DP_CNT(w, NDP_LEARNED);
		}
		goto drop;
	}

	/* NS */
	if (!dp_ndp_ours(p, v.target)) {
		DP_CNT(w, NDP_NOT_FOR_US);
		goto drop;
	}
	memcpy(target, v.target, 16);
	if (v.dad) {
		/* Someone wants our address: defend it (RFC 4862 §5.4.3), to
		 * all-nodes, without S (RFC 4861 §7.2.4). */
		conflict(w, pi, eth_src, "duplicate address detection probe");
		memcpy(peer, all_nodes, 16);
		gw_ipv6_mcast_mac(peer_mac, all_nodes);
		n = gw_ndp_na_encode(msg, sizeof(msg), target, peer, target, GW_NDP_NA_OVERRIDE,
				     p->mac.addr_bytes);
	} else {
		memcpy(peer, ip->src, 16);
		/* RFC 4861 §7.2.3: the sender's link-layer option creates or
		 * updates its entry; without it, answer the frame's source. */
		memcpy(peer_mac, v.slla != NULL ? v.slla : eth_src, 6);
		if (v.slla != NULL && dp_ndp_on_link(p, peer)) {
			dp_ndp_learn(dp.neigh6, (uint16_t)pi, peer, v.slla, rte_rdtsc());
			DP_CNT(w, NDP_LEARNED);
		}
		n = gw_ndp_na_encode(msg, sizeof(msg), target, peer, target,
				     GW_NDP_NA_SOLICITED | GW_NDP_NA_OVERRIDE, p->mac.addr_bytes);
	}
	if (n < 0) {
		DP_CNT(w, NDP_BAD);
		goto drop;
	}
	DP_CNT(w, NDP_NS_ANSWERED);
	xmit_ndp(w, pi, m, peer_mac, target, peer, msg, (size_t)n);
	return;
drop:
	rte_pktmbuf_free(m);
}

static void
fill_eth_and_send(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		  const struct rte_ether_addr *dst)
{
	gw_eth_encode(rte_pktmbuf_mtod(m, uint8_t *), dst->addr_bytes,
		      dp.ports[pi].mac.addr_bytes, GW_ETHERTYPE_IPV6);
	dp_xmit(w, pi, m);
}

static bool
nbq_lookup(unsigned pi, const uint8_t *nexthop, struct rte_ether_addr *mac, uint64_t now)
{
	return dp_ndp_lookup(dp.neigh6, (uint16_t)pi, nexthop, mac, now);
}

static const struct dp_nbq_ops nbq_ops = {
	.lookup = nbq_lookup,
	.send = fill_eth_and_send,
	.solicit = send_ns,
	.queued = GW_CNT_NDP_PENDING_QUEUED,
	.sent = GW_CNT_NDP_PENDING_SENT,
	.overflow = GW_CNT_NDP_PENDING_OVERFLOW,
	.timeout = GW_CNT_NDP_PENDING_TIMEOUT,
};

void
dp_ndp_send_ip6(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *dst)
{
	const struct dp_port *p = &dp.ports[pi];
	struct rte_ether_addr mac;
	uint64_t now = rte_rdtsc();
	const uint8_t *nh = dst;

	if (!dp_ndp_on_link(p, dst)) {
		if (!p->has_gateway6) {
			DP_CNT(w, NDP_NO_ROUTE);
			rte_pktmbuf_free(m);
			return;
		}
		nh = p->gateway6;
	}
	if (likely(dp_ndp_lookup(dp.neigh6, (uint16_t)pi, nh, &mac, now))) {
		fill_eth_and_send(w, pi, m, &mac);
		return;
	}
	dp_nbq_add(w, &w->ndp_pending, &nbq_ops, pi, m, nh, now);
}

void
dp_ndp_tick(struct dp_worker *w, uint64_t now)
{
	dp_nbq_tick(w, &w->ndp_pending, &nbq_ops, now);
}

void
dp_ndp_flush_pending(struct dp_worker *w)
{
	dp_nbq_flush(&w->ndp_pending);
}
