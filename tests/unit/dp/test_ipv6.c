/*
 * test_ipv6: the dataplane's IPv6 path (dataplane/dp_ipv6.c, dp_ndp.c and
 * dp_stun6_input in dp_stun.c) on a real EAL and real mbufs, through
 * dp_classify_burst(): neighbour solicitations answered (global, link-local,
 * DAD defended), the sender learned, conflicts never learned, next hops
 * resolved by our own NS with the reply held until the NA (and dropped after
 * three unanswered tries, or when the pending queue is full), echo answered,
 * STUN Binding over IPv6 answered with an IPv6 XOR-MAPPED-ADDRESS, an ICE
 * check over IPv6 answered without touching the leg, addresses and sources we
 * must not answer dropped and counted. What the dataplane sends is taken out
 * of the worker's TX buffer (no ethdev behind it) and parsed back with the
 * wire library; UDP checksums are cross-checked with DPDK's
 * rte_ipv6_udptcp_cksum_verify().
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dp_classify.h"
#include "dp_ctx.h"
#include "dp_exc.h"
#include "dp_harness.h"
#include "dp_ice.h"
#include "dp_ipc.h"
#include "dp_ipv6.h"
#include "dp_media.h"
#include "dp_ndp.h"
#include "dp_frag.h"
#include "dp_stun.h"
#include "dp_turn.h"
#include "gw_config.h"
#include "net.h"
#include "net6.h"
#include "stun.h"
#include "stunsrv.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define A6(last) { 0x20, 0x01, 0, 2, 0, 0, 0, 0x60, [15] = (last) }

static const uint8_t gw6[16] = A6(2);
static const uint8_t cl6[16] = A6(1);
static const uint8_t cmac[6] = { 2, 0, 0, 0, 0, 9 };
static const uint8_t cmac7[6] = { 2, 0, 0, 0, 0, 7 };

static struct gw_config conf;
static struct dp_worker wk;
static struct rte_mempool *pool;
static struct gw_ice_cred cred;
static unsigned n_ice_checked, n_ice_checked6, n_punt, n_media6;
static uint8_t ice6_peer[16];
static uint16_t ice6_port;
static bool ice6_use;

/* ---- what dp_classify and dp_stun call besides the IPv6 path ------------------ */

/* dp_classify warms dp_turn's tables before a burst: nothing to warm here */
void
dp_turn_prefetch(struct dp_worker *w, struct rte_mbuf *const *pkts, uint16_t n)
{
	(void)w, (void)pkts, (void)n;
}


void
dp_arp_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *arp,
	     uint16_t arp_len)
{
	(void)w, (void)pi, (void)arp, (void)arp_len;
	rte_pktmbuf_free(m);
}

void
dp_turn_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
	      const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	(void)w, (void)pi, (void)ip, (void)u;
	fail_msg("IPv6 reached the (IPv4) TURN handler");
	rte_pktmbuf_free(m);
}

void
dp_turn_chandata_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		       const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	(void)w, (void)pi, (void)ip, (void)u;
	rte_pktmbuf_free(m);
}

void
dp_turn_relay_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		    const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	(void)w, (void)pi, (void)ip, (void)u;
	rte_pktmbuf_free(m);
}

/* The TURN server's IPv6 entry points (dp_turn.c, tested in test_turn_server):
 * which one the IPv6 path picked. */
static unsigned n_turn6_req, n_turn6_chandata, n_turn6_relay;
static bool last_pending;      /* the last TURN or media entry's u->cksum_pending */

void
dp_turn_input6(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
	       const struct gw_ipv6_view *ip, const struct gw_udp_view *u)
{
	(void)w, (void)pi, (void)ip;
	last_pending = u->cksum_pending;
	n_turn6_req++;
	rte_pktmbuf_free(m);
}

void
dp_turn_chandata6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
			const struct gw_ipv6_view *ip, const struct gw_udp_view *u)
{
	(void)w, (void)pi, (void)ip;
	last_pending = u->cksum_pending;
	n_turn6_chandata++;
	rte_pktmbuf_free(m);
}

void
dp_turn_relay6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		     const struct gw_ipv6_view *ip, const struct gw_udp_view *u)
{
	(void)w, (void)pi, (void)ip;
	last_pending = u->cksum_pending;
	n_turn6_relay++;
	rte_pktmbuf_free(m);
}

void
dp_ipc_punt(struct dp_worker *w, struct rte_mbuf *m)
{
	(void)w;
	n_punt++;
	rte_pktmbuf_free(m);
}

void
dp_media6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		const struct gw_ipv6_view *ip, const struct gw_udp_view *u)
{
	(void)w, (void)pi, (void)ip;
	last_pending = u->cksum_pending;
	n_media6++;
	rte_pktmbuf_free(m);
}

void
dp_media_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
	       const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	(void)w, (void)pi, (void)ip, (void)u;
	rte_pktmbuf_free(m);
}

bool
dp_exc_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, enum dp_exc_kind kind)
{
	(void)w, (void)pi, (void)m, (void)kind;
	return false;
}

/* The ICE table: one credential, on media port 40000. */
const struct gw_ice_cred *
dp_ice_lookup(void *ctx, const uint8_t *ufrag, size_t len)
{
	return *(const uint16_t *)ctx == 40000 && len == cred.local_ufrag_len &&
	       memcmp(ufrag, cred.local_ufrag, len) == 0 ? &cred : NULL;
}

void
dp_ice_checked(struct dp_worker *w, const struct gw_ice_cred *c, uint32_t peer_ip,
	       uint16_t peer_port, bool use_candidate, uint32_t priority, uint64_t now)
{
	(void)w, (void)c, (void)peer_ip, (void)peer_port, (void)use_candidate, (void)priority;
	(void)now;
	n_ice_checked++;
}

void
dp_ice_checked6(struct dp_worker *w, const struct gw_ice_cred *c, const uint8_t *peer_ip6,
		uint16_t peer_port, bool use_candidate, uint32_t priority, uint64_t now)
{
	(void)w, (void)c, (void)priority, (void)now;
	memcpy(ice6_peer, peer_ip6, 16);
	ice6_port = peer_port;
	ice6_use = use_candidate;
	n_ice_checked6++;
}

/* ---- frames in, frames out ------------------------------------------------------ */

/* Everything the worker handed to port 0, in order; the TX buffer emptied. */
static unsigned
sent(struct rte_mbuf **out, unsigned cap)
{
	struct rte_eth_dev_tx_buffer *b = wk.txb[0];
	unsigned n = b->length;

	assert_true(n <= cap);
	memcpy(out, b->pkts, n * sizeof(*out));
	b->length = 0;
	return n;
}

static void
sent_none(void)
{
	struct rte_mbuf *m[4];

	assert_int_equal(sent(m, 4), 0);
}

/* [eth][ipv6][l4] from (smac, src) to (dmac, dst), into port 0. */
static void
rx6(const uint8_t *smac, const uint8_t *dmac, const uint8_t *src, const uint8_t *dst,
    uint8_t nh, uint8_t hlim, const uint8_t *l4, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t d[6], *b;

	assert_non_null(m);
	b = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(GW_ETH_HLEN + GW_IPV6_HLEN + len));
	assert_non_null(b);
	if (dmac == NULL) {
		dp_harness_port_mac(0, d);
		dmac = d;
	}
	gw_eth_encode(b, dmac, smac, GW_ETHERTYPE_IPV6);
	gw_ipv6_encode(b + GW_ETH_HLEN, src, dst, nh, hlim, (uint16_t)len);
	memcpy(b + GW_ETH_HLEN + GW_IPV6_HLEN, l4, len);
	dp_classify_burst(&wk, 0, &m, 1);
}

static void
rx_udp6(const uint8_t *src, uint16_t sport, uint16_t dport, const uint8_t *payload, size_t len)
{
	uint8_t seg[600];

	assert_true(len + 8 <= sizeof(seg));
	memcpy(seg + 8, payload, len);
	gw_udp6_encode(seg, src, gw6, sport, dport, (uint16_t)len);
	rx6(cmac, NULL, src, gw6, GW_IPPROTO_UDP, 64, seg, len + 8);
}

/* rx_udp6() with payload byte flip XORed after the checksum was computed */
static void
rx_udp6_flip(uint16_t dport, const uint8_t *payload, size_t len, size_t flip)
{
	uint8_t seg[600];

	assert_true(len + 8 <= sizeof(seg) && flip < len);
	memcpy(seg + 8, payload, len);
	gw_udp6_encode(seg, cl6, gw6, 45002, dport, (uint16_t)len);
	seg[8 + flip] ^= 0x20;
	rx6(cmac, NULL, cl6, gw6, GW_IPPROTO_UDP, 64, seg, len + 8);
}

static void
rx_echo(const uint8_t *smac, const uint8_t *src, const uint8_t *dst, uint16_t seq)
{
	uint8_t msg[64];
	int n = gw_icmp6_echo_encode(msg, sizeof(msg), src, dst, GW_ICMP6_ECHO_REQUEST, 0x77,
				     seq, (const uint8_t *)"ping6-data", 10);

	assert_true(n > 0);
	rx6(smac, NULL, src, dst, GW_IPPROTO_ICMPV6, 64, msg, (size_t)n);
}

/* An NS from src (with its MAC as source link-layer option unless src is ::)
 * for target, to target's solicited-node group. */
static void
rx_ns(const uint8_t *smac, const uint8_t *src, const uint8_t *target, uint8_t hlim)
{
	static const uint8_t zero[16];
	uint8_t msg[32], dst[16], dmac[6];
	bool dad = memcmp(src, zero, 16) == 0;
	int n;

	gw_ipv6_solicited_node(dst, target);
	gw_ipv6_mcast_mac(dmac, dst);
	n = gw_ndp_ns_encode(msg, sizeof(msg), src, dst, target, dad ? NULL : smac);
	assert_true(n > 0);
	rx6(smac, dmac, src, dst, GW_IPPROTO_ICMPV6, hlim, msg, (size_t)n);
}

static void
rx_na(const uint8_t *smac, const uint8_t *src, const uint8_t *target, uint8_t flags)
{
	uint8_t msg[32];
	int n = gw_ndp_na_encode(msg, sizeof(msg), src, gw6, target, flags, smac);

	assert_true(n > 0);
	rx6(smac, NULL, src, gw6, GW_IPPROTO_ICMPV6, 255, msg, (size_t)n);
}

/* An unsolicited NA to all-nodes. */
static void
rx_na_mc(const uint8_t *smac, const uint8_t *src, const uint8_t *target)
{
	static const uint8_t all[16] = { 0xff, 0x02, [15] = 1 };
	uint8_t msg[32];
	int n = gw_ndp_na_encode(msg, sizeof(msg), src, all, target, GW_NDP_NA_OVERRIDE, smac);

	assert_true(n > 0);
	rx6(smac, (const uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 1 }, src, all, GW_IPPROTO_ICMPV6, 255,
	    msg, (size_t)n);
}

/* Views of an IPv6 frame we sent, with the Ethernet header checked. */
static void
out6(struct rte_mbuf *m, const uint8_t *dmac, struct gw_ipv6_view *ip)
{
	const uint8_t *b = rte_pktmbuf_mtod(m, const uint8_t *);
	uint8_t our[6];
	struct gw_eth_view e;

	dp_harness_port_mac(0, our);
	assert_int_equal(gw_eth_parse(&e, b, rte_pktmbuf_pkt_len(m)), 0);
	assert_int_equal(e.ethertype, GW_ETHERTYPE_IPV6);
	assert_memory_equal(e.dst, dmac, 6);
	assert_memory_equal(e.src, our, 6);
	assert_int_equal(gw_ipv6_parse(ip, e.payload, e.payload_len), 0);
	assert_int_equal(rte_pktmbuf_pkt_len(m), GW_ETH_HLEN + GW_IPV6_HLEN + ip->plen);
}

/* An NDP message we sent: checksum and RFC 4861 validity checked. */
static void
out_ndp(struct rte_mbuf *m, const uint8_t *dmac, struct gw_ipv6_view *ip,
	struct gw_ndp_view *v)
{
	struct gw_icmp6_view ic;

	out6(m, dmac, ip);
	assert_int_equal(ip->proto, GW_IPPROTO_ICMPV6);
	assert_int_equal(gw_icmp6_parse(&ic, ip), 0);
	assert_int_equal(gw_ndp_parse(v, ip, &ic), 0);
}

static uint64_t
cnt(enum gw_counter c)
{
	return wk.cnt[c];
}

/* ---- tests ------------------------------------------------------------------------ */

static void
test_port_init(void **state)
{
	const struct dp_port *p = &dp.ports[0];
	static const uint8_t ll[16] = { 0xfe, 0x80, [11] = 0xff, [12] = 0xfe, [15] = 1 };
	static const uint8_t sn[16] = { 0xff, 0x02, [11] = 1, [12] = 0xff, [15] = 2 };
	static const uint8_t llsn[16] = { 0xff, 0x02, [11] = 1, [12] = 0xff, [13] = 0, 0, 1 };

	(void)state;
	/* MAC 02:00:00:00:00:01: the universal/local bit flipped to 0 */
	assert_true(p->has_ipv6);
	assert_memory_equal(p->ipv6_ll, ll, 16);
	assert_memory_equal(p->ipv6_sn, sn, 16);
	assert_memory_equal(p->ipv6_ll_sn, llsn, 16);
	assert_true(dp_ndp_ours(p, gw6));
	assert_true(dp_ndp_ours(p, ll));
	assert_false(dp_ndp_ours(p, cl6));
	assert_true(dp_ndp_on_link(p, cl6));
	assert_true(dp_ndp_on_link(p, (uint8_t[16]){ 0xfe, 0x80, [15] = 9 }));
	assert_true(dp_ndp_on_link(p, (uint8_t[16]){ 0xfe, 0xbf, [15] = 9 }));
	assert_false(dp_ndp_on_link(p, (uint8_t[16]){ 0xfe, 0xc0, [15] = 9 }));
	assert_false(dp_ndp_on_link(p, (uint8_t[16]){ 0x20, 0x01, 0, 2, 0, 0, 0, 0x61, [15] = 1 }));
}

static void
test_ns_answered(void **state)
{
	struct rte_mbuf *m[4];
	struct gw_ipv6_view ip;
	struct gw_ndp_view v;
	struct rte_ether_addr mac;
	uint64_t ans = cnt(GW_CNT_NDP_NS_ANSWERED);

	(void)state;
	rx_ns(cmac, cl6, gw6, 255);
	assert_int_equal(sent(m, 4), 1);
	out_ndp(m[0], cmac, &ip, &v);
	assert_memory_equal(ip.src, gw6, 16);
	assert_memory_equal(ip.dst, cl6, 16);
	assert_int_equal(ip.hop_limit, 255);
	assert_int_equal(v.type, GW_ICMP6_NA);
	assert_int_equal(v.flags, GW_NDP_NA_SOLICITED | GW_NDP_NA_OVERRIDE);
	assert_memory_equal(v.target, gw6, 16);
	assert_non_null(v.tlla);
	assert_memory_equal(v.tlla, dp.ports[0].mac.addr_bytes, 6);
	rte_pktmbuf_free(m[0]);
	assert_int_equal(cnt(GW_CNT_NDP_NS_ANSWERED), ans + 1);
	/* the solicitation's source link-layer option taught us the client */
	assert_true(dp_ndp_lookup(dp.neigh6, 0, cl6, &mac, rte_rdtsc()));
	assert_memory_equal(mac.addr_bytes, cmac, 6);

	/* the link-local address is ours too, and answers from itself */
	rx_ns(cmac, (uint8_t[16]){ 0xfe, 0x80, [15] = 9 }, dp.ports[0].ipv6_ll, 255);
	assert_int_equal(sent(m, 4), 1);
	out_ndp(m[0], cmac, &ip, &v);
	assert_memory_equal(ip.src, dp.ports[0].ipv6_ll, 16);
	assert_memory_equal(v.target, dp.ports[0].ipv6_ll, 16);
	rte_pktmbuf_free(m[0]);

	/* not ours: to a group we are not in, not even looked at */
	rx_ns(cmac, cl6, (uint8_t[16])A6(0x77), 255);
	sent_none();
	assert_int_equal(cnt(GW_CNT_IPV6_NOT_FOR_US), 1);
	assert_int_equal(cnt(GW_CNT_NDP_NOT_FOR_US), 0);
	/* hop limit below 255: not from the link (RFC 4861 §7.1.1) */
	rx_ns(cmac, cl6, gw6, 64);
	sent_none();
	assert_int_equal(cnt(GW_CNT_NDP_BAD), 1);
	assert_int_equal(cnt(GW_CNT_NDP_NS_ANSWERED), ans + 2);
}

static void
test_dad_and_conflicts(void **state)
{
	static const uint8_t zero[16];
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	struct rte_mbuf *m[4];
	struct gw_ipv6_view ip;
	struct gw_ndp_view v;
	struct rte_ether_addr mac;
	uint64_t conf0 = cnt(GW_CNT_NDP_CONFLICT);

	(void)state;
	/* a DAD probe for our address is defended: NA to all-nodes, no S */
	rx_ns(cmac7, zero, gw6, 255);
	assert_int_equal(sent(m, 4), 1);
	out_ndp(m[0], all_nodes_mac, &ip, &v);
	assert_memory_equal(ip.dst, ((uint8_t[16]){ 0xff, 0x02, [15] = 1 }), 16);
	assert_int_equal(v.flags, GW_NDP_NA_OVERRIDE);
	rte_pktmbuf_free(m[0]);
	assert_int_equal(cnt(GW_CNT_NDP_CONFLICT), conf0 + 1);
	/* an NA claiming our address is never learned */
	rx_na(cmac7, (uint8_t[16])A6(7), gw6, GW_NDP_NA_OVERRIDE);
	sent_none();
	assert_int_equal(cnt(GW_CNT_NDP_CONFLICT), conf0 + 2);
	assert_false(dp_ndp_lookup(dp.neigh6, 0, gw6, &mac, rte_rdtsc()));
	/* an NA for an off-link target is not learned either */
	rx_na(cmac7, (uint8_t[16])A6(7), (uint8_t[16]){ 0x20, 0x01, 0, 2, 0, 0, 0, 0x61, [15] = 7 },
	      GW_NDP_NA_OVERRIDE);
	assert_int_equal(cnt(GW_CNT_NDP_NOT_FOR_US), 1);
	/* a multicast NA teaches nothing about a neighbour we do not know ... */
	rx_na_mc(cmac7, (uint8_t[16])A6(8), (uint8_t[16])A6(8));
	assert_int_equal(cnt(GW_CNT_NDP_NOT_FOR_US), 2);
	assert_false(dp_ndp_lookup(dp.neigh6, 0, (uint8_t[16])A6(8), &mac, rte_rdtsc()));
	/* ... and updates one we know (the client moved to another MAC, then back) */
	rx_na_mc(cmac7, cl6, cl6);
	assert_true(dp_ndp_lookup(dp.neigh6, 0, cl6, &mac, rte_rdtsc()));
	assert_memory_equal(mac.addr_bytes, cmac7, 6);
	rx_na_mc(cmac, cl6, cl6);
	assert_true(dp_ndp_lookup(dp.neigh6, 0, cl6, &mac, rte_rdtsc()));
	assert_memory_equal(mac.addr_bytes, cmac, 6);
	/* a source of ours is impossible */
	rx_echo(cmac, gw6, gw6, 1);
	sent_none();
	assert_int_equal(cnt(GW_CNT_IPV6_MARTIAN_SRC), 1);
	/* :: is allowed for DAD only */
	rx_echo(cmac, zero, gw6, 1);
	sent_none();
	assert_int_equal(cnt(GW_CNT_IPV6_MARTIAN_SRC), 2);
	rx_echo(cmac, (uint8_t[16]){ [15] = 1 }, gw6, 1);
	assert_int_equal(cnt(GW_CNT_IPV6_MARTIAN_SRC), 3);
	rx_echo(cmac, (uint8_t[16]){ 0xff, 0x02, [15] = 1 }, gw6, 1);
	assert_int_equal(cnt(GW_CNT_IPV6_MARTIAN_SRC), 4);
	/* not our address, not our group */
	rx_echo(cmac, cl6, (uint8_t[16])A6(3), 1);
	rx_echo(cmac, cl6, (uint8_t[16]){ 0xff, 0x02, [15] = 2 }, 1);
	sent_none();
	assert_int_equal(cnt(GW_CNT_IPV6_NOT_FOR_US), 3);
	/* echo to all-nodes: not answered */
	rx_echo(cmac, cl6, (uint8_t[16]){ 0xff, 0x02, [15] = 1 }, 1);
	sent_none();
	assert_int_equal(cnt(GW_CNT_ICMP6_OTHER), 1);
}

/* The echo reply to a known neighbour goes out at once, checksummed. */
static void
check_echo_reply(struct rte_mbuf *m, const uint8_t *dmac, const uint8_t *dst, uint16_t seq)
{
	struct gw_ipv6_view ip;
	struct gw_icmp6_view ic;
	struct gw_icmp6_echo e;

	out6(m, dmac, &ip);
	assert_memory_equal(ip.src, gw6, 16);
	assert_memory_equal(ip.dst, dst, 16);
	assert_int_equal(gw_icmp6_parse(&ic, &ip), 0);
	assert_int_equal(ic.type, GW_ICMP6_ECHO_REPLY);
	assert_int_equal(gw_icmp6_echo_parse(&e, &ic), 0);
	assert_int_equal(e.id, 0x77);
	assert_int_equal(e.seq, seq);
	assert_int_equal(e.data_len, 10);
	assert_memory_equal(e.data, "ping6-data", 10);
}

static void
test_echo_and_resolution(void **state)
{
	static const uint8_t c7[16] = A6(7);
	static const uint8_t sn7_mac[6] = { 0x33, 0x33, 0xff, 0, 0, 7 };
	struct rte_mbuf *m[4];
	struct gw_ipv6_view ip;
	struct gw_ndp_view v;
	uint64_t now;

	(void)state;
	/* known neighbour (learned in test_ns_answered) */
	rx_echo(cmac, cl6, gw6, 1);
	assert_int_equal(sent(m, 4), 1);
	check_echo_reply(m[0], cmac, cl6, 1);
	rte_pktmbuf_free(m[0]);

	/* unknown: our NS goes to its solicited-node group, the reply waits */
	rx_echo(cmac7, c7, gw6, 2);
	rx_echo(cmac7, c7, gw6, 3);
	assert_int_equal(sent(m, 4), 1);               /* one NS for both */
	out_ndp(m[0], sn7_mac, &ip, &v);
	assert_int_equal(v.type, GW_ICMP6_NS);
	assert_memory_equal(v.target, c7, 16);
	assert_memory_equal(ip.src, gw6, 16);
	assert_non_null(v.slla);
	rte_pktmbuf_free(m[0]);
	assert_int_equal(wk.ndp_pending.n, 2);
	assert_int_equal(cnt(GW_CNT_NDP_NS_SENT), 1);
	dp_ndp_tick(&wk, rte_rdtsc());                 /* nothing to send yet */
	sent_none();
	/* the advertisement arrives: both replies leave on the next tick */
	rx_na(cmac7, c7, c7, GW_NDP_NA_SOLICITED | GW_NDP_NA_OVERRIDE);
	sent_none();
	now = rte_rdtsc();
	dp_ndp_tick(&wk, now);
	assert_int_equal(sent(m, 4), 2);
	check_echo_reply(m[0], cmac7, c7, 2);
	check_echo_reply(m[1], cmac7, c7, 3);
	rte_pktmbuf_free_bulk(m, 2);
	assert_int_equal(wk.ndp_pending.n, 0);
	assert_int_equal(cnt(GW_CNT_NDP_PENDING_SENT), 2);
	assert_int_equal(cnt(GW_CNT_ICMP6_ECHO_ANSWERED), 3);
	/* the entry expires after arp_timeout_s */
	{
		struct rte_ether_addr mac;

		assert_true(dp_ndp_lookup(dp.neigh6, 0, c7, &mac, now));
		assert_false(dp_ndp_lookup(dp.neigh6, 0, c7, &mac,
					   now + (uint64_t)(conf.dataplane.arp_timeout_s + 1) *
						 dp.tsc_hz));
		assert_false(dp_ndp_lookup(dp.neigh6, 1, c7, &mac, now));   /* other port */
	}
}

/* A hundred answers to a neighbour not yet resolved (a fresh gateway's
 * first burst, dp_nbq.h): one solicitation, all held, all sent once it
 * answers, none dropped. */
static void
test_burst_resolution(void **state)
{
	static const uint8_t c8[16] = A6(8);
	static const uint8_t cmac8[6] = { 0x02, 0, 0, 0, 0, 8 };
	struct rte_mbuf *m[128];
	uint64_t ns0 = cnt(GW_CNT_NDP_NS_SENT), sent0 = cnt(GW_CNT_NDP_PENDING_SENT);
	uint64_t over0 = cnt(GW_CNT_NDP_PENDING_OVERFLOW);

	(void)state;
	for (uint16_t i = 0; i < 100; i++)
		rx_echo(cmac8, c8, gw6, i);
	assert_int_equal(sent(m, 4), 1);               /* the one NS */
	rte_pktmbuf_free(m[0]);
	assert_int_equal(cnt(GW_CNT_NDP_NS_SENT), ns0 + 1);
	assert_int_equal(wk.ndp_pending.n, 100);
	rx_na(cmac8, c8, c8, GW_NDP_NA_SOLICITED | GW_NDP_NA_OVERRIDE);
	dp_ndp_tick(&wk, rte_rdtsc());
	assert_int_equal(sent(m, 128), 100);
	for (uint16_t i = 0; i < 100; i++)
		check_echo_reply(m[i], cmac8, c8, i);
	rte_pktmbuf_free_bulk(m, 100);
	assert_int_equal(wk.ndp_pending.n, 0);
	assert_int_equal(cnt(GW_CNT_NDP_PENDING_SENT), sent0 + 100);
	assert_int_equal(cnt(GW_CNT_NDP_PENDING_OVERFLOW), over0);
}

static void
test_unanswered_and_limits(void **state)
{
	static const uint8_t far[16] = { 0x20, 0x01, 0, 2, 0, 0, 0, 0x99, [15] = 1 };
	struct rte_mbuf *m[4];
	struct gw_ipv6_view ip;
	struct gw_ndp_view v;
	uint64_t t0 = rte_rdtsc(), ns0 = cnt(GW_CNT_NDP_NS_SENT);

	(void)state;
	/* off-link without gateway6: no route */
	dp.ports[0].has_gateway6 = false;
	rx_echo(cmac, far, gw6, 1);
	sent_none();
	assert_int_equal(cnt(GW_CNT_NDP_NO_ROUTE), 1);
	/* with gateway6 (link-local): the gateway is solicited from our link-local */
	dp.ports[0].has_gateway6 = true;
	memcpy(dp.ports[0].gateway6, (uint8_t[16]){ 0xfe, 0x80, [15] = 0x11 }, 16);
	rx_echo(cmac, far, gw6, 1);
	assert_int_equal(sent(m, 4), 1);
	out_ndp(m[0], (uint8_t[6]){ 0x33, 0x33, 0xff, 0, 0, 0x11 }, &ip, &v);
	assert_memory_equal(ip.src, dp.ports[0].ipv6_ll, 16);
	assert_memory_equal(v.target, dp.ports[0].gateway6, 16);
	rte_pktmbuf_free(m[0]);
	/* two more tries 1 s apart, then the packet is dropped */
	dp_ndp_tick(&wk, t0 + dp.tsc_hz + dp.tsc_hz / 2);
	dp_ndp_tick(&wk, t0 + 3 * dp.tsc_hz);
	assert_int_equal(sent(m, 4), 2);
	rte_pktmbuf_free_bulk(m, 2);
	assert_int_equal(cnt(GW_CNT_NDP_NS_SENT), ns0 + 3);
	dp_ndp_tick(&wk, t0 + 5 * dp.tsc_hz);
	sent_none();
	assert_int_equal(cnt(GW_CNT_NDP_PENDING_TIMEOUT), 1);
	assert_int_equal(wk.ndp_pending.n, 0);
	/* the queue is bounded */
	for (unsigned i = 0; i < DP_NDP_PENDING_MAX + 3; i++)
		rx_echo(cmac, far, gw6, (uint16_t)i);
	assert_int_equal(sent(m, 4), 1);               /* one NS */
	rte_pktmbuf_free(m[0]);
	assert_int_equal(wk.ndp_pending.n, DP_NDP_PENDING_MAX);
	assert_int_equal(cnt(GW_CNT_NDP_PENDING_OVERFLOW), 3);
	dp_ndp_flush_pending(&wk);
	assert_int_equal(wk.ndp_pending.n, 0);
	dp.ports[0].has_gateway6 = false;
}

/* A STUN response we sent: UDP/IPv6 checked two ways, message parsed. */
static void
out_stun(struct rte_mbuf *m, uint16_t dport, struct gw_stun_view *sv)
{
	struct gw_ipv6_view ip;
	struct gw_udp_view u;
	uint8_t *b = rte_pktmbuf_mtod(m, uint8_t *);

	out6(m, cmac, &ip);
	assert_memory_equal(ip.src, gw6, 16);
	assert_memory_equal(ip.dst, cl6, 16);
	assert_int_equal(gw_udp6_parse(&u, &ip, 0), 0);
	assert_int_equal(u.dport, dport);
	/* DPDK's own sum agrees with the wire library's */
	assert_int_equal(rte_ipv6_udptcp_cksum_verify((struct rte_ipv6_hdr *)(b + GW_ETH_HLEN),
						      b + GW_ETH_HLEN + GW_IPV6_HLEN), 0);
	assert_int_equal(gw_stun_parse(sv, u.payload, u.payload_len), 0);
}

/*
 * Received IPv6 fragments are reassembled (dp_frag): a 1700-byte Binding
 * request (an unknown comprehension-optional attribute pads it) in two
 * fragments, the second first, is answered once whole; a fragment whose
 * Fragment header follows another extension header is counted and dropped.
 */
static void
test_reassembly6(void **state)
{
	static const uint8_t txid[12] = "rtcgw-v6-frg";
	static uint8_t req[1700], pad[1600], dgram[2048], frag[1600];
	struct gw_stun_enc e;
	struct gw_stun_view sv;
	struct rte_mbuf *m[4];
	size_t dlen, first;
	uint64_t reasm = cnt(GW_CNT_FRAG_REASSEMBLED), fail = cnt(GW_CNT_FRAG_REASM_FAIL);
	unsigned in_use = rte_mempool_in_use_count(pool);

	(void)state;
	memset(pad, 0x5a, sizeof(pad));
	gw_stun_enc_init(&e, req, sizeof(req), gw_stun_type(GW_STUN_BINDING, GW_STUN_REQUEST), txid);
	assert_int_equal(gw_stun_enc_bytes(&e, 0x8050, pad, sizeof(pad)), 0);
	gw_stun_enc_fingerprint(&e);
	dlen = GW_UDP_HLEN + gw_stun_enc_len(&e);
	memcpy(dgram + GW_UDP_HLEN, req, gw_stun_enc_len(&e));
	gw_udp6_encode(dgram, cl6, gw6, 45020, 3478, (uint16_t)gw_stun_enc_len(&e));
	first = 1232;                              /* a multiple of 8 */
	for (int k = 1; k >= 0; k--) {             /* the last fragment first */
		size_t off = k == 0 ? 0 : first, part = k == 0 ? first : dlen - first;

		frag[0] = GW_IPPROTO_UDP;          /* next header */
		frag[1] = 0;
		frag[2] = (uint8_t)(off >> 8);
		frag[3] = (uint8_t)((off & 0xf8) | (k == 0 ? 1 : 0));   /* offset, M */
		memcpy(frag + 4, "\x12\x34\x56\x78", 4);             /* Identification */
		memcpy(frag + 8, dgram + off, part);
		rx6(cmac, NULL, cl6, gw6, 44, 64, frag, 8 + part);
		dp_frag_rx_flush(&wk);
		if (k == 1)
			sent_none();                /* held */
	}
	assert_int_equal(sent(m, 4), 1);
	out_stun(m[0], 45020, &sv);
	assert_int_equal(sv.cls, GW_STUN_SUCCESS);
	assert_memory_equal(sv.txid, txid, 12);
	rte_pktmbuf_free(m[0]);
	assert_int_equal(cnt(GW_CNT_FRAG_REASSEMBLED), reasm + 1);
	/* hop-by-hop options, then the Fragment header: not reassembled */
	{
		uint8_t l4[64] = { 44, 0, 1, 4, 0, 0, 0, 0 };   /* HBH: next 44, PadN */

		l4[8] = GW_IPPROTO_UDP;
		l4[11] = 1;                                     /* offset 0, M */
		rx6(cmac, NULL, cl6, gw6, 0, 64, l4, sizeof(l4));
		dp_frag_rx_flush(&wk);
		sent_none();
		assert_int_equal(cnt(GW_CNT_FRAG_REASM_FAIL), fail + 1);
	}
	assert_int_equal(rte_mempool_in_use_count(pool), in_use);   /* nothing held or lost */
}

static void
test_stun_binding6(void **state)
{
	static const uint8_t txid[12] = "rtcgw-v6-tx1";
	uint8_t req[64];
	struct gw_stun_enc e;
	struct gw_stun_view sv;
	struct gw_stun_addr a;
	struct rte_mbuf *m[4];

	(void)state;
	gw_stun_enc_init(&e, req, sizeof(req), gw_stun_type(GW_STUN_BINDING, GW_STUN_REQUEST), txid);
	gw_stun_enc_fingerprint(&e);
	rx_udp6(cl6, 45002, 3478, req, gw_stun_enc_len(&e));
	assert_int_equal(sent(m, 4), 1);
	out_stun(m[0], 45002, &sv);
	assert_int_equal(sv.cls, GW_STUN_SUCCESS);
	assert_int_equal(gw_stun_get_xor_addr(&sv, &sv.attr[GW_STUN_A_XOR_MAPPED_ADDRESS], &a), 0);
	assert_int_equal(a.family, GW_STUN_FAMILY_IPV6);
	assert_memory_equal(a.addr, cl6, 16);
	assert_int_equal(a.port, 45002);
	rte_pktmbuf_free(m[0]);
	assert_int_equal(cnt(GW_CNT_STUN_BINDING_OK), 1);
	assert_int_equal(cnt(GW_CNT_DEMUX_STUN), 1);

	/* TURN over IPv6 (RFC 6156): requests, ChannelData on the TURN port and
	 * anything on a relay port reach the TURN server's IPv6 entries */
	gw_stun_enc_init(&e, req, sizeof(req), gw_stun_type(GW_STUN_ALLOCATE, GW_STUN_REQUEST), txid);
	rx_udp6(cl6, 45002, 3478, req, gw_stun_enc_len(&e));
	sent_none();
	assert_int_equal(n_turn6_req, 1);
	assert_int_equal(cnt(GW_CNT_STUN_NOT_BINDING), 1);
	rx_udp6(cl6, 45002, 3478, (const uint8_t[8]){ 0x40, 0x01, 0, 4, 1, 2, 3, 4 }, 8);
	assert_int_equal(n_turn6_chandata, 1);
	rx_udp6(cl6, 45002, 50000, req, gw_stun_enc_len(&e));                /* relay port */
	assert_int_equal(n_turn6_relay, 1);
	/* ChannelData elsewhere than the TURN port: not TURN's */
	rx_udp6(cl6, 45002, 40000, (const uint8_t[8]){ 0x40, 0x01, 0, 4, 1, 2, 3, 4 }, 8);
	assert_int_equal(n_turn6_chandata, 1);
	/* media over IPv6: RTP/RTCP on a media port to dp_media6_input, DTLS
	 * punted to the control plane; a class no service takes is dropped */
	rx_udp6(cl6, 45002, 40000, (const uint8_t[12]){ 0x80, 111 }, 12);      /* RTP */
	rx_udp6(cl6, 45002, 40000, (const uint8_t[13]){ 22, 0xfe, 0xfd }, 13); /* DTLS */
	assert_int_equal(n_media6, 1);
	assert_int_equal(n_punt, 1);
	rx_udp6(cl6, 45002, 9999, req, gw_stun_enc_len(&e));                 /* no service */
	sent_none();
	assert_int_equal(n_media6, 1);
	assert_int_equal(n_punt, 1);
	/* only the ChannelData on the media port above */
	assert_int_equal(cnt(GW_CNT_IPV6_UDP_UNSUPPORTED), 1);
	assert_int_equal(cnt(GW_CNT_UDP_NO_HANDLER), 1);
	/* a bad checksum */
	{
		uint8_t seg[40];

		memcpy(seg + 8, req, 20);
		gw_udp6_encode(seg, cl6, gw6, 45002, 3478, 20);
		seg[7] ^= 1;
		rx6(cmac, NULL, cl6, gw6, GW_IPPROTO_UDP, 64, seg, 28);
		seg[6] = seg[7] = 0;                   /* zero: forbidden over IPv6 */
		rx6(cmac, NULL, cl6, gw6, GW_IPPROTO_UDP, 64, seg, 28);
		sent_none();
		assert_int_equal(cnt(GW_CNT_UDP_BAD_CKSUM), 2);
	}
	/* without RX offload relayed TURN data keeps its checksum pending for
	 * dp_turn to carry (corrupted or not: ChannelData and a Send indication
	 * on the TURN port, anything on a relay port); everything else is
	 * checked first, as over IPv4 */
	{
		static const uint8_t send[24] = { 0x00, 0x16, 0x00, 0x04, 0x21, 0x12, 0xa4, 0x42, 7 };
		static const uint8_t cd[8] = { 0x40, 0x01, 0, 4, 1, 2, 3, 4 };
		static const uint8_t rtp[12] = { 0x80, 111 };
		unsigned nreq = n_turn6_req, chd = n_turn6_chandata, rel = n_turn6_relay;
		unsigned med = n_media6;

		rx_udp6_flip(3478, cd, sizeof(cd), 5);
		assert_int_equal(n_turn6_chandata, chd + 1);
		assert_true(last_pending);
		rx_udp6_flip(3478, send, sizeof(send), 20);
		assert_int_equal(n_turn6_req, nreq + 1);
		assert_true(last_pending);
		rx_udp6_flip(50000, rtp, sizeof(rtp), 5);
		assert_int_equal(n_turn6_relay, rel + 1);
		assert_true(last_pending);
		rx_udp6_flip(40000, rtp, sizeof(rtp), 5);           /* media: checked */
		assert_int_equal(n_media6, med);
		assert_int_equal(cnt(GW_CNT_UDP_BAD_CKSUM), 3);
		rx_udp6(cl6, 45002, 40000, rtp, sizeof(rtp));
		assert_int_equal(n_media6, med + 1);
		assert_false(last_pending);
		sent_none();
	}
}

static void
test_ice6(void **state)
{
	static const uint8_t txid[12] = "rtcgw-v6-ice";
	uint8_t req[200];
	struct gw_stun_enc e;
	struct gw_stun_view sv;
	struct gw_stun_addr a;
	struct rte_mbuf *m[4];

	(void)state;
	gw_stun_enc_init(&e, req, sizeof(req), gw_stun_type(GW_STUN_BINDING, GW_STUN_REQUEST), txid);
	gw_stun_enc_bytes(&e, GW_STUN_ATTR_USERNAME, "gwL0cal1:Fx3q", 13);
	gw_stun_enc_u32(&e, GW_STUN_ATTR_PRIORITY, 0x6e7f1eff);
	gw_stun_enc_u64(&e, GW_STUN_ATTR_ICE_CONTROLLING, 0x932ff9b151263b36ull);
	gw_stun_enc_bytes(&e, GW_STUN_ATTR_USE_CANDIDATE, NULL, 0);
	gw_stun_enc_integrity(&e, &cred.key);
	gw_stun_enc_fingerprint(&e);
	rx_udp6(cl6, 45010, 40000, req, gw_stun_enc_len(&e));
	assert_int_equal(sent(m, 4), 1);
	out_stun(m[0], 45010, &sv);
	assert_int_equal(sv.cls, GW_STUN_SUCCESS);
	assert_int_equal(gw_stun_get_xor_addr(&sv, &sv.attr[GW_STUN_A_XOR_MAPPED_ADDRESS], &a), 0);
	assert_int_equal(a.family, GW_STUN_FAMILY_IPV6);
	assert_memory_equal(a.addr, cl6, 16);
	assert_int_not_equal(sv.attr[GW_STUN_A_MESSAGE_INTEGRITY].off, 0);
	rte_pktmbuf_free(m[0]);
	assert_int_equal(cnt(GW_CNT_ICE_OK), 1);
	assert_int_equal(cnt(GW_CNT_ICE6_CHECKED), 1);
	/* the check reached the ICE leg with its IPv6 source (dp_ice_checked6) */
	assert_int_equal(n_ice_checked, 0);
	assert_int_equal(n_ice_checked6, 1);
	assert_memory_equal(ice6_peer, cl6, 16);
	assert_int_equal(ice6_port, 45010);
	assert_true(ice6_use);
}

static void
test_bad_headers_and_no_ipv6(void **state)
{
	uint8_t echo[32];
	int n = gw_icmp6_echo_encode(echo, sizeof(echo), cl6, gw6, GW_ICMP6_ECHO_REQUEST, 1, 1,
				     NULL, 0);
	struct rte_mbuf *m;
	uint8_t *b, d[6];

	(void)state;
	assert_true(n > 0);
	/* payload length past the frame */
	m = rte_pktmbuf_alloc(pool);
	b = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(GW_ETH_HLEN + GW_IPV6_HLEN + n));
	dp_harness_port_mac(0, d);
	gw_eth_encode(b, d, cmac, GW_ETHERTYPE_IPV6);
	gw_ipv6_encode(b + GW_ETH_HLEN, cl6, gw6, GW_IPPROTO_ICMPV6, 64, 300);
	memcpy(b + GW_ETH_HLEN + GW_IPV6_HLEN, echo, (size_t)n);
	dp_classify_burst(&wk, 0, &m, 1);
	assert_int_equal(cnt(GW_CNT_IPV6_BAD_HDR), 1);
	/* another next header */
	rx6(cmac, NULL, cl6, gw6, 6, 64, echo, (size_t)n);
	assert_int_equal(cnt(GW_CNT_IPV6_PROTO_OTHER), 1);
	/* a bad ICMPv6 checksum */
	echo[3] ^= 1;
	rx6(cmac, NULL, cl6, gw6, GW_IPPROTO_ICMPV6, 64, echo, (size_t)n);
	assert_int_equal(cnt(GW_CNT_ICMP6_BAD), 1);
	echo[3] ^= 1;
	sent_none();
	/* a port without address6: IPv6 is an unknown ethertype, as before */
	dp.ports[0].has_ipv6 = false;
	{
		uint64_t unk = cnt(GW_CNT_ETH_UNKNOWN_TYPE), rx = cnt(GW_CNT_IPV6_RX);

		rx_echo(cmac, cl6, gw6, 1);
		sent_none();
		assert_int_equal(cnt(GW_CNT_ETH_UNKNOWN_TYPE), unk + 1);
		assert_int_equal(cnt(GW_CNT_IPV6_RX), rx);
	}
	dp.ports[0].has_ipv6 = true;
}

static int
setup(void **state)
{
	struct gw_conf_port cp = { 0 };
	struct rte_eth_dev_tx_buffer *txb;

	(void)state;
	gw_config_defaults(&conf);
	conf.turn.enabled = true;
	conf.turn.relay_port_min = 50000;
	conf.turn.relay_port_max = 50007;
	dp_harness_dp(&conf, (const uint32_t[]){ IP(198, 18, 60, 2), IP(198, 18, 61, 2) }, 2);
	memcpy(cp.address6.addr, gw6, 16);
	cp.address6.len = 64;
	dp_ndp_port_init(&dp.ports[0], &cp);
	pool = rte_pktmbuf_pool_create("rtt_v6", 511, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	dp.pool = pool;
	/* TX buffer larger than any test sends: never flushed to the (absent) port */
	txb = rte_zmalloc("rtt_v6_txb", RTE_ETH_TX_BUFFER_SIZE(128), 0);
	if (pool == NULL || txb == NULL)
		return -1;
	rte_eth_tx_buffer_init(txb, 128);
	wk.txb[0] = txb;
	if (dp_ndp_table_create(&dp.neigh6, 256, conf.dataplane.arp_timeout_s) != 0 ||
	    dp_frag_init(255) != 0 || dp_frag_rx_create(&wk) != 0)
		return -1;
	return gw_ice_cred_init(&cred, "gwL0cal1", "Fx3q", "Zh6mC0nFqDvH2sXk8pY1wRtA");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_init),
		cmocka_unit_test(test_ns_answered),
		cmocka_unit_test(test_dad_and_conflicts),
		cmocka_unit_test(test_echo_and_resolution),
		cmocka_unit_test(test_burst_resolution),
		cmocka_unit_test(test_unanswered_and_limits),
		cmocka_unit_test(test_stun_binding6),
		cmocka_unit_test(test_reassembly6),
		cmocka_unit_test(test_ice6),
		cmocka_unit_test(test_bad_headers_and_no_ipv6),
	};
	int rc;

	if (dp_harness_eal_init("test_ipv6", "rtt-v6", 128) != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, setup, NULL);
	dp_harness_sent_reset();
	dp_harness_eal_fini("rtt-v6");
	return rc;
}
