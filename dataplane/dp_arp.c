#include "dp_arp.h"

#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_spinlock.h>

#include "dp_ctx.h"
#include "dp_log.h"
#include "dp_xmit.h"
#include "net.h"

#define PROBE 8                        /* linear-probe window */

/* One warning per port about another host claiming our address. */
static bool conflict_logged[GW_IPC_MAX_PORTS];

struct neigh {
	uint32_t seq;                      /* odd while being written */
	uint32_t ip;
	uint16_t port;
	uint8_t mac[6];
	uint64_t expire;                   /* TSC; 0 = empty slot */
};

struct dp_neigh_table {
	rte_spinlock_t lock;               /* writers only */
	unsigned mask;
	uint64_t ttl_tsc;
	struct neigh e[];
};

int
dp_arp_table_create(struct dp_neigh_table **tp, unsigned entries, uint32_t timeout_s)
{
	struct dp_neigh_table *t;

	entries = rte_align32pow2(entries);
	t = rte_zmalloc("rtcgw_neigh", sizeof(*t) + entries * sizeof(struct neigh),
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
slot_of(const struct dp_neigh_table *t, uint16_t port, uint32_t ip)
{
	/* Fibonacci hashing: cheap and spreads consecutive addresses. */
	return (unsigned)(((uint64_t)(ip ^ ((uint32_t)port << 24)) * 0x9E3779B97F4A7C15ull) >> 40)
	       & t->mask;
}

bool
dp_arp_lookup(const struct dp_neigh_table *t, uint16_t port, uint32_t ip,
	      struct rte_ether_addr *mac, uint64_t now)
{
	unsigned s = slot_of(t, port, ip);

	for (unsigned i = 0; i < PROBE; i++) {
		const struct neigh *e = &t->e[(s + i) & t->mask];

		/* Bounded seqcount read: a writer holds an entry for a few
		 * stores, so a handful of retries always suffices. */
		for (int tries = 0; tries < 4; tries++) {
			uint32_t s1 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);
			uint32_t eip;
			uint16_t eport;
			uint64_t exp;
			uint8_t m[6];

			if (s1 & 1)
				continue;
			eip = e->ip;
			eport = e->port;
			exp = e->expire;
			memcpy(m, e->mac, 6);
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (__atomic_load_n(&e->seq, __ATOMIC_RELAXED) != s1)
				continue;
			if (exp == 0)
				return false;              /* empty slot ends the probe */
			if (eip == ip && eport == port) {
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
dp_arp_learn(struct dp_neigh_table *t, uint16_t port, uint32_t ip, const uint8_t *mac,
	     uint64_t now)
{
	unsigned s = slot_of(t, port, ip);
	struct neigh *victim = NULL;

	rte_spinlock_lock(&t->lock);
	for (unsigned i = 0; i < PROBE; i++) {
		struct neigh *e = &t->e[(s + i) & t->mask];

		if ((e->ip == ip && e->port == port && e->expire != 0) || e->expire == 0) {
			victim = e;
			break;
		}
		/* Otherwise prefer an expired entry, then the one expiring first. */
		if (victim == NULL || e->expire < victim->expire)
			victim = e;
	}
	__atomic_store_n(&victim->seq, victim->seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	victim->ip = ip;
	victim->port = port;
	memcpy(victim->mac, mac, 6);
	victim->expire = now + t->ttl_tsc;
	__atomic_store_n(&victim->seq, victim->seq + 1, __ATOMIC_RELEASE);
	rte_spinlock_unlock(&t->lock);
}

static void
send_arp(struct dp_worker *w, unsigned pi, uint16_t op, const uint8_t *dst_mac,
	 const uint8_t *tha, uint32_t tpa)
{
	const struct dp_port *p = &dp.ports[pi];
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp.pool);
	uint8_t *b;

	if (m == NULL)
		return;
	b = (uint8_t *)rte_pktmbuf_append(m, GW_ETH_HLEN + GW_ARP_LEN);
	gw_eth_encode(b, dst_mac, p->mac.addr_bytes, GW_ETHERTYPE_ARP);
	gw_arp_encode(b + GW_ETH_HLEN, op, p->mac.addr_bytes, p->ipv4, tha, tpa);
	dp_xmit(w, pi, m);
}

void
dp_arp_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *arp,
	     uint16_t arp_len)
{
	const struct dp_port *p = &dp.ports[pi];
	struct gw_arp_view a;
	bool mine_spa, mine_tpa;
	uint8_t *b;

	if (gw_arp_parse(&a, arp, arp_len) != 0) {
		DP_CNT(w, ARP_BAD);
		goto drop;
	}
	/* Someone else claims our address (a conflict, or an attempt to draw our
	 * traffic): never learn it, say so once on the slow path. Our own
	 * gratuitous ARP looped back by a switch carries our MAC and is ignored
	 * too, and so are impossible sender addresses. An RFC 5227 probe (sender
	 * 0.0.0.0) for our address is answered below: that defends it. */
	mine_spa = a.spa == p->ipv4 || dp_port_relay_ip(p, a.spa);
	if (mine_spa || (a.spa != 0 && gw_ipv4_src_martian(a.spa)) ||
	    (dp_port_bcast(p) != 0 && a.spa == dp_port_bcast(p))) {
		if (mine_spa && memcmp(a.sha, p->mac.addr_bytes, 6) != 0) {
			DP_CNT(w, ARP_CONFLICT);
			if (!__atomic_exchange_n(&conflict_logged[pi], true, __ATOMIC_RELAXED))
				DP_LOG(WARNING, "port %s: ARP from %02x:%02x:%02x:%02x:%02x:%02x "
				       "claims our address; ignored (logged once)", p->name,
				       a.sha[0], a.sha[1], a.sha[2], a.sha[3], a.sha[4], a.sha[5]);
		} else {
			DP_CNT(w, ARP_BAD);
		}
		goto drop;
	}
	/* The port's own address or one of its relay_addresses (TURN relayed
	 * addresses a peer must reach on the link). */
	mine_tpa = a.tpa == p->ipv4 || dp_port_relay_ip(p, a.tpa);
	/* RFC 826 merge: learn any neighbour on our subnet that talks ARP to us. */
	if (mine_tpa && (a.spa & p->mask) == (p->ipv4 & p->mask) && a.spa != 0) {
		dp_arp_learn(dp.neigh, (uint16_t)pi, a.spa, a.sha, rte_rdtsc());
		DP_CNT(w, ARP_LEARNED);
	}
	if (!mine_tpa) {
		DP_CNT(w, ARP_NOT_FOR_US);
		goto drop;
	}
	if (a.op != GW_ARP_OP_REQUEST)
		goto drop;

	/* Turn the request into the reply in place: the frame is big enough. */
	b = rte_pktmbuf_mtod(m, uint8_t *);
	{
		uint8_t sha[6];
		uint32_t spa = a.spa, tpa = a.tpa;

		memcpy(sha, a.sha, 6);
		gw_eth_encode(b, sha, p->mac.addr_bytes, GW_ETHERTYPE_ARP);
		gw_arp_encode(b + GW_ETH_HLEN, GW_ARP_OP_REPLY, p->mac.addr_bytes, tpa, sha, spa);
	}
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - (GW_ETH_HLEN + GW_ARP_LEN)));
	DP_CNT(w, ARP_REQUEST_ANSWERED);
	dp_xmit(w, pi, m);
	return;
drop:
	rte_pktmbuf_free(m);
}

static void
fill_eth_and_send(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		  const struct rte_ether_addr *dst)
{
	gw_eth_encode(rte_pktmbuf_mtod(m, uint8_t *), dst->addr_bytes,
		      dp.ports[pi].mac.addr_bytes, GW_ETHERTYPE_IPV4);
	dp_xmit(w, pi, m);
}

/* dp_nbq's view of ARP: next hops are IPv4 addresses in the first 4 bytes */
static uint32_t
nh4(const uint8_t *nexthop)
{
	uint32_t ip;

	memcpy(&ip, nexthop, 4);
	return ip;
}

static bool
nbq_lookup(unsigned pi, const uint8_t *nexthop, struct rte_ether_addr *mac, uint64_t now)
{
	return dp_arp_lookup(dp.neigh, (uint16_t)pi, nh4(nexthop), mac, now);
}

static void
nbq_solicit(struct dp_worker *w, unsigned pi, const uint8_t *nexthop)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t zero[6];

	send_arp(w, pi, GW_ARP_OP_REQUEST, bcast, zero, nh4(nexthop));
	DP_CNT(w, ARP_REQUEST_SENT);
}

static const struct dp_nbq_ops nbq_ops = {
	.lookup = nbq_lookup,
	.send = fill_eth_and_send,
	.solicit = nbq_solicit,
	.queued = GW_CNT_ARP_PENDING_QUEUED,
	.sent = GW_CNT_ARP_PENDING_SENT,
	.overflow = GW_CNT_ARP_PENDING_OVERFLOW,
	.timeout = GW_CNT_ARP_PENDING_TIMEOUT,
};

void
dp_arp_send_ip(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, uint32_t dst_ip)
{
	const struct dp_port *p = &dp.ports[pi];
	struct rte_ether_addr mac;
	uint64_t now = rte_rdtsc();
	uint8_t key[16] = { 0 };
	uint32_t nh = dst_ip;

	if ((dst_ip & p->mask) != (p->ipv4 & p->mask)) {
		if (p->gateway == 0) {
			DP_CNT(w, ARP_NO_ROUTE);
			rte_pktmbuf_free(m);
			return;
		}
		nh = p->gateway;
	}
	if (likely(dp_arp_lookup(dp.neigh, (uint16_t)pi, nh, &mac, now))) {
		fill_eth_and_send(w, pi, m, &mac);
		return;
	}
	memcpy(key, &nh, 4);
	dp_nbq_add(w, &w->arp_pending, &nbq_ops, pi, m, key, now);
}

void
dp_arp_tick(struct dp_worker *w, uint64_t now)
{
	dp_nbq_tick(w, &w->arp_pending, &nbq_ops, now);
}

void
dp_arp_flush_pending(struct dp_worker *w)
{
	dp_nbq_flush(&w->arp_pending);
}
