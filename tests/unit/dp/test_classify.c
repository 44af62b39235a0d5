/*
 * test_classify: the dataplane's receive path in front of the protocol
 * handlers (dataplane/dp_classify.c) on a real EAL and real mbufs, with the
 * handlers replaced by recorders: impossible IPv4 sources are dropped and
 * counted before any handler could answer them (RFC 1122 §3.2.1.3), and
 * ChannelData in RFC 5766's upper channel range reaches TURN only when
 * turn.rfc5766_channels is on. What no handler takes is offered to the
 * exception path (dp_exc_input) by kind, and counted as dropped only when
 * the exception path declines it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

#include "dp_classify.h"
#include "dp_ctx.h"
#include "dp_exc.h"
#include "dp_frag.h"
#include "dp_harness.h"
#include "dp_ipc.h"
#include "dp_ipv6.h"
#include "dp_media.h"
#include "dp_stun.h"
#include "dp_turn.h"
#include "gw_config.h"
#include "net.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define GW IP(198, 18, 4, 2)
#define GW_R IP(198, 18, 4, 3)       /* the port's relay_addresses[0] */

static struct gw_config conf;
static struct dp_worker wk;
static struct rte_mempool *pool;
static unsigned n_stun, n_chandata, n_relay, n_arp, n_punt, n_media, n_ipv6;
static unsigned n_exc[DP_EXC_PROTO + 1];
static bool exc_takes;
static bool last_pending;   /* the last handler's u->cksum_pending */

/* The exception path: records the kind; takes the frame when exc_takes. */
bool
dp_exc_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, enum dp_exc_kind kind)
{
	(void)w, (void)pi;
	if (!exc_takes)
		return false;
	n_exc[kind]++;
	rte_pktmbuf_free(m);
	return true;
}

/* The handlers dp_classify hands packets to: count and free. */
void
dp_ipv6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *p,
	      uint16_t len)
{
	(void)w, (void)pi, (void)p, (void)len;
	n_ipv6++;
	rte_pktmbuf_free(m);
}

void
dp_arp_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *arp,
	     uint16_t arp_len)
{
	(void)w, (void)pi, (void)arp, (void)arp_len;
	n_arp++;
	rte_pktmbuf_free(m);
}

/* dp_classify warms dp_turn's tables before a burst: nothing to warm here */
void
dp_turn_prefetch(struct dp_worker *w, struct rte_mbuf *const *pkts, uint16_t n)
{
	(void)w, (void)pkts, (void)n;
}

/* dp_frag links against it; IPv6 never reaches it here (dp_ipv6 is a recorder) */
void
dp_ndp_send_ip6(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *dst)
{
	(void)w, (void)pi, (void)dst;
	rte_pktmbuf_free(m);
}

static uint8_t stun_seen[2048];
static size_t stun_seen_len;

void
dp_stun_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
	      const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	(void)w, (void)pi, (void)ip;
	stun_seen_len = u->payload_len < sizeof(stun_seen) ? u->payload_len : sizeof(stun_seen);
	memcpy(stun_seen, u->payload, stun_seen_len);
	last_pending = u->cksum_pending;
	n_stun++;
	rte_pktmbuf_free(m);
}

void
dp_turn_chandata_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		       const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	(void)w, (void)pi, (void)ip;
	last_pending = u->cksum_pending;
	n_chandata++;
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
dp_media_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
	       const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	(void)w, (void)pi, (void)ip;
	last_pending = u->cksum_pending;
	n_media++;
	rte_pktmbuf_free(m);
}

void
dp_turn_relay_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		    const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	(void)w, (void)pi, (void)ip;
	last_pending = u->cksum_pending;
	n_relay++;
	rte_pktmbuf_free(m);
}

static void
rx(uint32_t src, uint16_t dport, const uint8_t *payload, size_t len)
{
	struct rte_mbuf *m = dp_harness_mbuf(pool, src, 5000, GW, dport, payload, len);

	assert_non_null(m);
	dp_classify_burst(&wk, 0, &m, 1);
}

/* A STUN Binding request header is enough: the STUN handler is a recorder. */
static const uint8_t binding[20] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1 };

static const struct {
	uint32_t src;
	bool martian;
} src_cases[] = {
	/* 1 */ { IP(198, 18, 4, 1), false },       /* a neighbour */
	/* 2 */ { IP(203, 0, 113, 9), false },      /* off-link, via the gateway */
	/* 3 */ { IP(255, 255, 255, 255), true },   /* limited broadcast */
	/* 4 */ { IP(224, 0, 0, 1), true },         /* multicast */
	/* 5 */ { IP(0, 0, 0, 0), true },           /* unspecified */
	/* 6 */ { IP(127, 0, 0, 1), true },         /* loopback */
	/* 7 */ { GW, true },                       /* our own address */
	/* 8 */ { IP(198, 18, 4, 255), true },      /* our subnet's broadcast */
	/* 9 */ { IP(240, 1, 2, 3), true },         /* reserved */
};

static void
test_martian_sources(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(src_cases) / sizeof(src_cases[0]); i++) {
		unsigned stun = n_stun;
		uint64_t mart = wk.cnt[GW_CNT_IPV4_MARTIAN_SRC];

		rx(src_cases[i].src, 3478, binding, sizeof(binding));
		if ((n_stun == stun) != src_cases[i].martian ||
		    wk.cnt[GW_CNT_IPV4_MARTIAN_SRC] != mart + src_cases[i].martian)
			fail_msg("row %zu: handled %u, martian counter %+d", i + 1, n_stun - stun,
				 (int)(wk.cnt[GW_CNT_IPV4_MARTIAN_SRC] - mart));
	}
	/* an impossible source on a relay port is dropped too */
	rx(IP(127, 0, 0, 1), 50000, binding, sizeof(binding));
	assert_int_equal(n_relay, 0);
	assert_int_equal(dp_harness_n_sent, 0);      /* nothing was answered */
}

static void
test_channel_range(void **state)
{
	uint8_t cd[8] = { 0x50, 0x01, 0x00, 0x04, 1, 2, 3, 4 };
	uint8_t low[8] = { 0x40, 0x01, 0x00, 0x04, 1, 2, 3, 4 };

	(void)state;
	n_chandata = 0;
	rx(IP(198, 18, 4, 1), 3478, low, sizeof(low));
	assert_int_equal(n_chandata, 1);
	/* RFC 8656 §12: 0x5001 is not ChannelData unless configured */
	rx(IP(198, 18, 4, 1), 3478, cd, sizeof(cd));
	assert_int_equal(n_chandata, 1);
	conf.turn.rfc5766_channels = true;
	rx(IP(198, 18, 4, 1), 3478, cd, sizeof(cd));
	assert_int_equal(n_chandata, 2);
	conf.turn.rfc5766_channels = false;
}

/*
 * Without RX checksum offload the UDP checksum is checked before anything
 * reads the datagram, except relayed data (ChannelData, Send indications on
 * the TURN port, a peer's datagram to a relay port), whose checksum dp_turn
 * carries forward: those arrive with it pending. flip: the payload byte
 * XORed after the checksum was computed (-1: none); flags: the mbuf's RX
 * offload verdict.
 */
static void
rx_flip(uint16_t dport, const uint8_t *payload, size_t len, int flip, uint64_t flags)
{
	struct rte_mbuf *m = dp_harness_mbuf(pool, IP(198, 18, 4, 1), 5000, GW, dport, payload,
					     len);

	assert_non_null(m);
	if (flip >= 0)
		*rte_pktmbuf_mtod_offset(m, uint8_t *, GW_ETH_HLEN + GW_IPV4_HLEN + GW_UDP_HLEN +
					 flip) ^= 0x20;
	m->ol_flags = flags;
	dp_classify_burst(&wk, 0, &m, 1);
}

static void
test_cksum_defer(void **state)
{
	static const uint8_t cd[8] = { 0x40, 0x01, 0x00, 0x04, 1, 2, 3, 4 };
	static const uint8_t send[24] = { 0x00, 0x16, 0x00, 0x04, 0x21, 0x12, 0xa4, 0x42, 7 };
	static const uint8_t rtp[12] = { 0x80, 0x00, 0, 1 };
	const uint64_t bad0 = wk.cnt[GW_CNT_UDP_BAD_CKSUM];
	unsigned stun = n_stun, chd = n_chandata, relay = n_relay, media = n_media;

	(void)state;
	/* a Binding request: checked here; a corrupted one never reaches STUN */
	rx_flip(3478, binding, sizeof(binding), 9, 0);
	assert_int_equal(n_stun, stun);
	assert_int_equal(wk.cnt[GW_CNT_UDP_BAD_CKSUM], bad0 + 1);
	rx_flip(3478, binding, sizeof(binding), -1, 0);
	assert_int_equal(n_stun, stun + 1);
	assert_false(last_pending);
	/* media (SRTP/RTP on a media port): checked here too */
	rx_flip(40000, rtp, sizeof(rtp), 5, 0);
	assert_int_equal(n_media, media);
	assert_int_equal(wk.cnt[GW_CNT_UDP_BAD_CKSUM], bad0 + 2);
	rx_flip(40000, rtp, sizeof(rtp), -1, 0);
	assert_int_equal(n_media, media + 1);
	assert_false(last_pending);
	/* a port with nothing on it: checked before the exception path */
	exc_takes = true;
	rx_flip(39999, rtp, sizeof(rtp), 5, 0);
	assert_int_equal(n_exc[DP_EXC_UDP], 0);
	assert_int_equal(wk.cnt[GW_CNT_UDP_BAD_CKSUM], bad0 + 3);
	exc_takes = false;

	/* relayed data: handed on with the checksum pending, corrupted or not */
	for (int flip = -1; flip <= 5; flip += 6) {
		rx_flip(3478, cd, sizeof(cd), flip, 0);
		assert_true(last_pending);
		rx_flip(3478, send, sizeof(send), flip < 0 ? -1 : 20, 0);
		assert_true(last_pending);
		rx_flip(50000, rtp, sizeof(rtp), flip, 0);
		assert_true(last_pending);
	}
	assert_int_equal(n_chandata, chd + 2);
	assert_int_equal(n_stun, stun + 3);
	assert_int_equal(n_relay, relay + 2);
	assert_int_equal(wk.cnt[GW_CNT_UDP_BAD_CKSUM], bad0 + 3);
	/* a NIC that verified it: nothing pending; one that found it bad: dropped */
	rx_flip(3478, cd, sizeof(cd), -1, RTE_MBUF_F_RX_L4_CKSUM_GOOD);
	assert_false(last_pending);
	rx_flip(3478, cd, sizeof(cd), -1, RTE_MBUF_F_RX_L4_CKSUM_BAD);
	assert_int_equal(n_chandata, chd + 3);
	assert_int_equal(wk.cnt[GW_CNT_UDP_BAD_CKSUM], bad0 + 4);
}

/* RFC 7983: 20..63 is DTLS; on a media port it goes to the control plane */
static void
test_dtls_punt(void **state)
{
	static const uint8_t hello[13] = { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };

	(void)state;
	n_punt = 0;
	rx(IP(198, 18, 4, 1), 40000, hello, sizeof(hello));       /* media port */
	assert_int_equal(n_punt, 1);
	rx(IP(198, 18, 4, 1), 3478, hello, sizeof(hello));        /* STUN/TURN port */
	assert_int_equal(n_punt, 1);
	rx(IP(198, 18, 4, 1), 39999, hello, sizeof(hello));       /* no service */
	assert_int_equal(n_punt, 1);
}

/* A frame of IPv4 protocol proto with the L4 bytes l4 (built as UDP by the
 * harness, then rewritten, IPv4 checksum redone). */
static void
rx_proto(uint8_t proto, const uint8_t *l4, size_t len)
{
	static const uint8_t pad[64];
	struct rte_mbuf *m = dp_harness_mbuf(pool, IP(198, 18, 4, 1), 5000, GW, 1, pad, len - 8);
	struct rte_ipv4_hdr *ih;

	assert_non_null(m);
	ih = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	assert_int_equal(rte_ipv4_hdr_len(ih), 20);
	memcpy(ih + 1, l4, len);
	ih->next_proto_id = proto;
	ih->hdr_checksum = 0;
	ih->hdr_checksum = rte_ipv4_cksum(ih);
	dp_classify_burst(&wk, 0, &m, 1);
}

static void
test_exception_hooks(void **state)
{
	uint8_t tcp_syn[20] = { 0xc3, 0x50, 0x00, 0x16, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02 };
	uint8_t gre[12] = { 0 };
	uint8_t unreach[16] = { 3, 3, 0, 0 };
	uint8_t dgram[4] = { 1, 2, 3, 4 };
	uint16_t c = (uint16_t)~rte_raw_cksum(unreach, sizeof(unreach));
	uint64_t no_handler = wk.cnt[GW_CNT_UDP_NO_HANDLER];
	uint64_t proto_other = wk.cnt[GW_CNT_IPV4_PROTO_OTHER];
	uint64_t icmp_other = wk.cnt[GW_CNT_ICMP_OTHER];

	(void)state;
	memcpy(&unreach[2], &c, 2);
	memset(n_exc, 0, sizeof(n_exc));
	/* declined: dropped and counted as before */
	exc_takes = false;
	rx(IP(198, 18, 4, 1), 39999, dgram, sizeof(dgram));
	rx_proto(GW_IPPROTO_TCP, tcp_syn, sizeof(tcp_syn));
	rx_proto(47, gre, sizeof(gre));
	rx_proto(GW_IPPROTO_ICMP, unreach, sizeof(unreach));
	assert_int_equal(wk.cnt[GW_CNT_UDP_NO_HANDLER], no_handler + 1);
	assert_int_equal(wk.cnt[GW_CNT_IPV4_PROTO_OTHER], proto_other + 2);
	assert_int_equal(wk.cnt[GW_CNT_ICMP_OTHER], icmp_other + 1);
	/* taken: each by its kind, no drop counted */
	exc_takes = true;
	rx(IP(198, 18, 4, 1), 39999, dgram, sizeof(dgram));
	rx_proto(GW_IPPROTO_TCP, tcp_syn, sizeof(tcp_syn));
	rx_proto(47, gre, sizeof(gre));
	rx_proto(GW_IPPROTO_ICMP, unreach, sizeof(unreach));
	assert_int_equal(n_exc[DP_EXC_UDP], 1);
	assert_int_equal(n_exc[DP_EXC_TCP], 1);
	assert_int_equal(n_exc[DP_EXC_PROTO], 1);
	assert_int_equal(n_exc[DP_EXC_ICMP], 1);
	assert_int_equal(wk.cnt[GW_CNT_UDP_NO_HANDLER], no_handler + 1);
	assert_int_equal(wk.cnt[GW_CNT_IPV4_PROTO_OTHER], proto_other + 2);
	assert_int_equal(wk.cnt[GW_CNT_ICMP_OTHER], icmp_other + 1);
	/* never offered: service ports, echo requests, impossible sources */
	rx(IP(198, 18, 4, 1), 3478, binding, sizeof(binding));
	rx(IP(127, 0, 0, 1), 39999, dgram, sizeof(dgram));
	assert_int_equal(n_exc[DP_EXC_UDP], 1);
	exc_takes = false;
}

/* 128..191 (RTP, and RTCP by RFC 5761) on a media port goes to dp_media */
static void
test_media_hook(void **state)
{
	static const uint8_t rtp[12] = { 0x80, 111, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9 };
	static const uint8_t rtcp[8] = { 0x80, 200, 0, 1, 0, 0, 0, 9 };

	(void)state;
	n_media = 0;
	rx(IP(198, 18, 4, 1), 40000, rtp, sizeof(rtp));           /* media port */
	rx(IP(198, 18, 4, 1), 49151, rtcp, sizeof(rtcp));         /* media port, RTCP */
	assert_int_equal(n_media, 2);
	rx(IP(198, 18, 4, 1), 3478, rtp, sizeof(rtp));            /* STUN/TURN port */
	rx(IP(198, 18, 4, 1), 39999, rtp, sizeof(rtp));           /* no service */
	assert_int_equal(n_media, 2);
}

/* ethertype 0x86dd goes to dp_ipv6 whole (it judges the port's address itself);
 * other ethertypes are still counted as unknown */
static void
test_ipv6_hook(void **state)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t dmac[6], *b;
	uint64_t unknown = wk.cnt[GW_CNT_ETH_UNKNOWN_TYPE];

	(void)state;
	assert_non_null(m);
	b = (uint8_t *)rte_pktmbuf_append(m, 60);
	memset(b, 0, 60);
	dp_harness_port_mac(0, dmac);
	gw_eth_encode(b, dmac, (const uint8_t[6]){ 2, 0, 0, 0, 0, 9 }, GW_ETHERTYPE_IPV6);
	b[14] = 0x60;
	dp_classify_burst(&wk, 0, &m, 1);
	assert_int_equal(n_ipv6, 1);
	m = rte_pktmbuf_alloc(pool);
	assert_non_null(m);
	b = (uint8_t *)rte_pktmbuf_append(m, 60);
	memset(b, 0, 60);
	gw_eth_encode(b, dmac, (const uint8_t[6]){ 2, 0, 0, 0, 0, 9 }, 0x88b5);
	dp_classify_burst(&wk, 0, &m, 1);
	assert_int_equal(n_ipv6, 1);
	assert_int_equal(wk.cnt[GW_CNT_ETH_UNKNOWN_TYPE], unknown + 1);
}

/*
 * The frame in f (len bytes: Ethernet, 20-byte IPv4 header, UDP datagram)
 * as IPv4 fragments of at most chunk bytes of IP payload (a multiple of 8),
 * into out[]; @return their number.
 */
static unsigned
fragment4(const uint8_t *f, size_t len, size_t chunk, struct rte_mbuf **out, unsigned max)
{
	size_t data = len - GW_ETH_HLEN - GW_IPV4_HLEN;
	unsigned n = 0;

	for (size_t off = 0; off < data && n < max; off += chunk, n++) {
		size_t part = data - off < chunk ? data - off : chunk;
		struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
		uint8_t *b;
		struct rte_ipv4_hdr *ip;

		assert_non_null(m);
		b = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(GW_ETH_HLEN + GW_IPV4_HLEN + part));
		if (b == NULL) {
			fail();
			return n;
		}
		memcpy(b, f, GW_ETH_HLEN + GW_IPV4_HLEN);
		memcpy(b + GW_ETH_HLEN + GW_IPV4_HLEN, f + GW_ETH_HLEN + GW_IPV4_HLEN + off, part);
		ip = (struct rte_ipv4_hdr *)(b + GW_ETH_HLEN);
		ip->total_length = rte_cpu_to_be_16((uint16_t)(GW_IPV4_HLEN + part));
		ip->fragment_offset = rte_cpu_to_be_16(
			(uint16_t)((off + part < data ? RTE_IPV4_HDR_MF_FLAG : 0) | off / 8));
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		out[n] = m;
	}
	return n;
}

/*
 * Received IPv4 fragments are reassembled (librte_ip_frag, dp_frag): the
 * whole datagram goes on as if it had come in one piece, in order or not;
 * a datagram too large for one mbuf is counted and dropped, and nothing
 * else is lost.
 */
static void
test_reassembly(void **state)
{
	static uint8_t frame[4096], payload[3000];
	struct rte_mbuf *fr[8];
	unsigned n, stun = n_stun;
	size_t len;

	(void)state;
	memcpy(payload, binding, sizeof(binding));
	for (size_t i = sizeof(binding); i < sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 13 + 5);
	/* 1800 bytes of STUN to the STUN port: two fragments, in order */
	len = dp_harness_frame(frame, NULL, IP(198, 18, 4, 1), 5000, GW, 3478, payload, 1800, 41);
	n = fragment4(frame, len, 1480, fr, 8);
	assert_int_equal(n, 2);
	dp_classify_burst(&wk, 0, &fr[0], 1);
	assert_int_equal(n_stun, stun);                  /* held */
	dp_classify_burst(&wk, 0, &fr[1], 1);
	dp_frag_rx_flush(&wk);
	assert_int_equal(n_stun, stun + 1);
	assert_int_equal(stun_seen_len, 1800);
	assert_memory_equal(stun_seen, payload, 1800);
	assert_int_equal(wk.cnt[GW_CNT_IPV4_FRAGMENT], 2);
	assert_int_equal(wk.cnt[GW_CNT_FRAG_REASSEMBLED], 1);
	/* three fragments, last one first, in one burst */
	len = dp_harness_frame(frame, NULL, IP(198, 18, 4, 1), 5001, GW, 3478, payload, 1900, 42);
	n = fragment4(frame, len, 640, fr, 8);
	assert_int_equal(n, 3);
	{
		struct rte_mbuf *burst[3] = { fr[2], fr[0], fr[1] };

		dp_classify_burst(&wk, 0, burst, 3);
	}
	dp_frag_rx_flush(&wk);
	assert_int_equal(n_stun, stun + 2);
	assert_int_equal(stun_seen_len, 1900);
	assert_memory_equal(stun_seen, payload, 1900);
	/* larger than one mbuf: counted, dropped, its mbufs back */
	len = dp_harness_frame(frame, NULL, IP(198, 18, 4, 1), 5002, GW, 3478, payload, 2900, 43);
	n = fragment4(frame, len, 1480, fr, 8);
	assert_int_equal(n, 2);
	dp_classify_burst(&wk, 0, fr, 2);
	dp_frag_rx_flush(&wk);
	assert_int_equal(n_stun, stun + 2);
	assert_int_equal(wk.cnt[GW_CNT_FRAG_REASM_FAIL], 1);
	assert_int_equal(wk.cnt[GW_CNT_FRAG_REASSEMBLED], 2);
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

/*
 * ports[].relay_addresses: datagrams to a relay address are ours only on a
 * relay port (to dp_turn, fragments reassembled first); its other ports,
 * other protocols and the exception path see none; it is no source a
 * neighbour may use; an address not configured stays not for us.
 */
static void
test_relay_address(void **state)
{
	static const uint8_t pad[64];
	uint64_t nfu = wk.cnt[GW_CNT_IPV4_NOT_FOR_US];
	uint64_t noh = wk.cnt[GW_CNT_UDP_NO_HANDLER];
	uint64_t mart = wk.cnt[GW_CNT_IPV4_MARTIAN_SRC];
	unsigned relay = n_relay, stun = n_stun;
	struct rte_mbuf *m;
	struct rte_ipv4_hdr *ih;

	(void)state;
	exc_takes = true;
	memset(n_exc, 0, sizeof(n_exc));
	m = dp_harness_mbuf(pool, IP(198, 18, 4, 1), 5000, GW_R, 50003, binding, sizeof(binding));
	dp_classify_burst(&wk, 0, &m, 1);
	assert_int_equal(n_relay, relay + 1);
	/* the STUN port and an unhandled port there: dropped, not offered */
	m = dp_harness_mbuf(pool, IP(198, 18, 4, 1), 5000, GW_R, 3478, binding, sizeof(binding));
	dp_classify_burst(&wk, 0, &m, 1);
	m = dp_harness_mbuf(pool, IP(198, 18, 4, 1), 5000, GW_R, 39999, binding, sizeof(binding));
	dp_classify_burst(&wk, 0, &m, 1);
	assert_int_equal(n_stun, stun);
	assert_int_equal(wk.cnt[GW_CNT_UDP_NO_HANDLER], noh + 2);
	/* not UDP: not for us there */
	m = dp_harness_mbuf(pool, IP(198, 18, 4, 1), 5000, GW_R, 1, pad, 8);
	ih = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, RTE_ETHER_HDR_LEN);
	ih->next_proto_id = GW_IPPROTO_TCP;
	ih->hdr_checksum = 0;
	ih->hdr_checksum = rte_ipv4_cksum(ih);
	dp_classify_burst(&wk, 0, &m, 1);
	assert_int_equal(wk.cnt[GW_CNT_IPV4_NOT_FOR_US], nfu + 1);
	assert_int_equal(n_exc[DP_EXC_UDP] + n_exc[DP_EXC_TCP], 0);
	/* a neighbour of ours: not in the list */
	m = dp_harness_mbuf(pool, IP(198, 18, 4, 1), 5000, IP(198, 18, 4, 4), 50003, binding,
			    sizeof(binding));
	dp_classify_burst(&wk, 0, &m, 1);
	assert_int_equal(wk.cnt[GW_CNT_IPV4_NOT_FOR_US], nfu + 2);
	assert_int_equal(n_relay, relay + 1);
	/* our relay address as a source: martian */
	m = dp_harness_mbuf(pool, GW_R, 5000, GW, 50003, binding, sizeof(binding));
	dp_classify_burst(&wk, 0, &m, 1);
	assert_int_equal(wk.cnt[GW_CNT_IPV4_MARTIAN_SRC], mart + 1);
	assert_int_equal(n_relay, relay + 1);
	exc_takes = false;
	assert_int_equal(rte_mempool_in_use_count(pool), 0);
}

static int
setup(void **state)
{
	(void)state;
	gw_config_defaults(&conf);
	conf.turn.enabled = true;
	conf.turn.relay_port_min = 50000;
	conf.turn.relay_port_max = 50007;
	conf.dataplane.ports[0].relay_addresses[0] = GW_R;
	conf.dataplane.ports[0].n_relay_addresses = 1;
	dp_harness_dp(&conf, (const uint32_t[]){ GW }, 1);
	pool = rte_pktmbuf_pool_create("rtt_cls", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	dp.pool = pool;
	return pool == NULL || dp_frag_init(255) != 0 || dp_frag_rx_create(&wk) != 0 ? -1 : 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_martian_sources),
		cmocka_unit_test(test_channel_range),
		cmocka_unit_test(test_dtls_punt),
		cmocka_unit_test(test_cksum_defer),
		cmocka_unit_test(test_exception_hooks),
		cmocka_unit_test(test_media_hook),
		cmocka_unit_test(test_ipv6_hook),
		cmocka_unit_test(test_reassembly),
		cmocka_unit_test(test_relay_address),
	};
	int rc;

	if (dp_harness_eal_init("test_classify", "rtt-cls", 128) != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, setup, NULL);
	dp_harness_sent_reset();
	dp_harness_eal_fini("rtt-cls");
	return rc;
}
