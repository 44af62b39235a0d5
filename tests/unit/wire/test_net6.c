/*
 * net6: IPv6 parsing and extension headers, UDP/ICMPv6 checksums against a
 * naive reference, echo, NDP (RFC 4861 validation rules row by row), frames
 * the Linux kernel wrote (tests/vectors/linux_ipv6.h) parsed and re-encoded
 * byte for byte, address classes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "linux_ipv6.h"
#include "net6.h"

#define A6(...) ((const uint8_t[16]){ __VA_ARGS__ })

static const uint8_t H1[16] = { 0x20, 0x01, 0, 2, 0, 0, 0, 0x28, [15] = 1 }; /* 2001:2:0:28::1 */
static const uint8_t H2[16] = { 0x20, 0x01, 0, 2, 0, 0, 0, 0x28, [15] = 2 }; /* 2001:2:0:28::2 */
static const uint8_t MAC1[6] = { 2, 0, 0, 0, 0x28, 1 };
static const uint8_t MAC2[6] = { 2, 0, 0, 0, 0x28, 2 };
static const uint8_t UNSPEC[16];
static const uint8_t ALLNODES[16] = { 0xff, 0x02, [15] = 1 };

/* ---- naive reference checksum ------------------------------------------------ */

/* RFC 1071 the slow way: lay out pseudo header + segment, sum 16-bit words. */
static uint16_t
ref_cksum6(const uint8_t *src, const uint8_t *dst, uint8_t proto, const uint8_t *seg,
	   size_t len)
{
	static uint8_t buf[40 + 70000];
	uint64_t sum = 0;
	size_t n = 0;

	memcpy(buf, src, 16);
	memcpy(buf + 16, dst, 16);
	buf[32] = (uint8_t)(len >> 24);
	buf[33] = (uint8_t)(len >> 16);
	buf[34] = (uint8_t)(len >> 8);
	buf[35] = (uint8_t)len;
	buf[36] = buf[37] = buf[38] = 0;
	buf[39] = proto;
	memcpy(buf + 40, seg, len);
	n = 40 + len;
	if (n % 2)
		buf[n++] = 0;
	for (size_t i = 0; i < n; i += 2)
		sum += (uint64_t)buf[i] << 8 | buf[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void
test_cksum_reference(void **state)
{
	static uint8_t seg[1600];
	uint8_t src[16], dst[16];

	(void)state;
	for (int it = 0; it < 3000; it++) {
		size_t len = it < 20 ? (size_t)it : rnd() % sizeof(seg);
		uint16_t want;

		for (int i = 0; i < 16; i++) {
			src[i] = (uint8_t)rnd();
			dst[i] = (uint8_t)rnd();
		}
		for (size_t i = 0; i < len; i++)
			seg[i] = (uint8_t)(it % 7 == 0 ? 0xff : rnd());
		/* ICMPv6: the raw ones' complement */
		want = ref_cksum6(src, dst, GW_IPPROTO_ICMPV6, seg, len);
		if (gw_icmp6_cksum(src, dst, seg, len) != want)
			fail_msg("icmp6 iteration %d len %zu", it, len);
		/* UDP: the same sum, zero sent as 0xffff */
		want = ref_cksum6(src, dst, GW_IPPROTO_UDP, seg, len);
		if (gw_udp6_cksum(src, dst, seg, len) != (want == 0 ? 0xffff : want))
			fail_msg("udp6 iteration %d len %zu", it, len);
		/* the pseudo header alone against the reference over an empty segment */
		assert_int_equal(gw_cksum_fold(gw_ipv6_pseudo_sum(src, dst, 17, 0)),
				 ref_cksum6(src, dst, 17, seg, 0));
	}
}

/* A UDP segment whose sum is 0xffff encodes as 0xffff, never 0, and verifies. */
static void
test_udp6_zero_sum(void **state)
{
	uint8_t pkt[40 + 8 + 2];
	struct gw_ipv6_view ip;
	struct gw_udp_view u;
	uint16_t c;

	(void)state;
	gw_ipv6_encode(pkt, H1, H2, GW_IPPROTO_UDP, 64, 10);
	memset(pkt + 40, 0, 10);
	gw_udp6_encode(pkt + 40, H1, H2, 1000, 2000, 2);
	/* pick the 2 payload bytes so that the whole sum is 0 before complement */
	c = (uint16_t)(pkt[46] << 8 | pkt[47]);
	pkt[46] = pkt[47] = 0;
	pkt[48] = (uint8_t)(c >> 8);
	pkt[49] = (uint8_t)c;
	assert_int_equal(gw_udp6_cksum(H1, H2, pkt + 40, 10), 0xffff);
	assert_int_equal(ref_cksum6(H1, H2, GW_IPPROTO_UDP, pkt + 40, 10), 0);
	pkt[46] = pkt[47] = 0xff;
	assert_int_equal(gw_ipv6_parse(&ip, pkt, sizeof(pkt)), 0);
	assert_int_equal(gw_udp6_parse(&u, &ip, 0), 0);
	/* zero: refused, even when the NIC claims to have checked it */
	pkt[46] = pkt[47] = 0;
	assert_int_equal(gw_udp6_parse(&u, &ip, 0), -EILSEQ);
	assert_int_equal(gw_udp6_parse(&u, &ip, GW_NET_CKSUM_VERIFIED), -EILSEQ);
}

/* ---- frames the kernel wrote ---------------------------------------------------- */

static void
eth_ip(const uint8_t *f, size_t n, struct gw_ipv6_view *ip)
{
	struct gw_eth_view e;

	assert_int_equal(gw_eth_parse(&e, f, n), 0);
	assert_int_equal(e.ethertype, GW_ETHERTYPE_IPV6);
	assert_int_equal(gw_ipv6_parse(ip, e.payload, e.payload_len), 0);
}

static void
test_linux_ns(void **state)
{
	struct gw_ipv6_view ip;
	struct gw_icmp6_view ic;
	struct gw_ndp_view nd;
	uint8_t sn[16], mac[6], buf[64], hdr[40];

	(void)state;
	eth_ip(linux_ns, sizeof(linux_ns), &ip);
	assert_int_equal(ip.proto, GW_IPPROTO_ICMPV6);
	assert_int_equal(ip.hop_limit, 255);
	assert_int_equal(ip.n_ext, 0);
	assert_int_equal(gw_icmp6_parse(&ic, &ip), 0);
	assert_int_equal(ic.type, GW_ICMP6_NS);
	assert_int_equal(gw_ndp_parse(&nd, &ip, &ic), 0);
	assert_memory_equal(nd.target, H2, 16);
	assert_non_null(nd.slla);
	assert_memory_equal(nd.slla, MAC1, 6);
	assert_null(nd.tlla);
	assert_false(nd.dad);
	/* the destination is the target's solicited-node group, on 33:33:ff:00:00:02 */
	gw_ipv6_solicited_node(sn, H2);
	assert_memory_equal(ip.dst, sn, 16);
	assert_true(gw_ipv6_is_solicited_node(sn));
	gw_ipv6_mcast_mac(mac, sn);
	assert_memory_equal(mac, linux_ns, 6);
	assert_memory_equal(mac, ((uint8_t[6]){ 0x33, 0x33, 0xff, 0, 0, 2 }), 6);
	/* our encoder writes the kernel's bytes */
	assert_int_equal(gw_ndp_ns_encode(buf, sizeof(buf), H1, sn, H2, MAC1), 32);
	assert_memory_equal(buf, linux_ns + 14 + 40, 32);
	gw_ipv6_encode(hdr, H1, sn, GW_IPPROTO_ICMPV6, 255, 32);
	assert_memory_equal(hdr, linux_ns + 14, 40);
}

static void
test_linux_na(void **state)
{
	struct gw_ipv6_view ip;
	struct gw_icmp6_view ic;
	struct gw_ndp_view nd;
	uint8_t buf[64];

	(void)state;
	eth_ip(linux_na, sizeof(linux_na), &ip);
	assert_int_equal(gw_icmp6_parse(&ic, &ip), 0);
	assert_int_equal(gw_ndp_parse(&nd, &ip, &ic), 0);
	assert_int_equal(nd.type, GW_ICMP6_NA);
	assert_int_equal(nd.flags, GW_NDP_NA_SOLICITED);
	assert_memory_equal(nd.target, H1, 16);
	assert_null(nd.tlla);
	assert_null(nd.slla);
	assert_int_equal(gw_ndp_na_encode(buf, sizeof(buf), ip.src, ip.dst, H1,
					  GW_NDP_NA_SOLICITED, NULL), 24);
	assert_memory_equal(buf, ip.payload, 24);
}

static void
test_linux_echo_udp(void **state)
{
	struct gw_ipv6_view ip, ip2;
	struct gw_icmp6_view ic;
	struct gw_icmp6_echo e;
	uint8_t pkt[128];
	int n;

	(void)state;
	eth_ip(linux_echo_req, sizeof(linux_echo_req), &ip);
	assert_int_equal(gw_icmp6_parse(&ic, &ip), 0);
	assert_int_equal(gw_icmp6_echo_parse(&e, &ic), 0);
	assert_int_equal(ic.type, GW_ICMP6_ECHO_REQUEST);
	assert_int_equal(e.seq, 1);
	assert_int_equal(e.data_len, 12);
	assert_int_equal(e.data[11], 0x0b);
	/* re-encode the request: the kernel's bytes */
	n = gw_icmp6_echo_encode(pkt, sizeof(pkt), H1, H2, GW_ICMP6_ECHO_REQUEST, e.id, e.seq,
				 e.data, e.data_len);
	assert_int_equal(n, 20);
	assert_memory_equal(pkt, ip.payload, 20);
	/* answer it in place: reply from H2 to H1, which parses and verifies */
	n = gw_icmp6_echo_encode(pkt + 40, sizeof(pkt) - 40, H2, H1, GW_ICMP6_ECHO_REPLY, e.id,
				 e.seq, e.data, e.data_len);
	gw_ipv6_encode(pkt, H2, H1, GW_IPPROTO_ICMPV6, 64, (uint16_t)n);
	assert_int_equal(gw_ipv6_parse(&ip2, pkt, 40 + (size_t)n), 0);
	assert_int_equal(gw_icmp6_parse(&ic, &ip2), 0);
	assert_int_equal(ic.type, GW_ICMP6_ECHO_REPLY);
	assert_int_equal(gw_icmp6_echo_parse(&e, &ic), 0);
	assert_int_equal(e.seq, 1);

	(void)ip2;
}

/* The kernel's fragmented UDP datagram: both fragments parse, the first one
 * carries the UDP header, and the checksum holds over the reassembled whole. */
static void
test_linux_fragments(void **state)
{
	static uint8_t seg[1400];
	struct gw_ipv6_view f1, f2, whole;
	struct gw_udp_view u;
	static uint8_t pkt[40 + 1400];
	size_t n;

	(void)state;
	eth_ip(linux_frag1, sizeof(linux_frag1), &f1);
	eth_ip(linux_frag2, sizeof(linux_frag2), &f2);
	assert_true(f1.is_fragment && f1.frag_more);
	assert_int_equal(f1.frag_off, 0);
	assert_int_equal(f1.proto, GW_IPPROTO_UDP);
	assert_int_equal(f1.ext, GW_IPV6_EXT_FRAGMENT);
	assert_true(f2.is_fragment && !f2.frag_more);
	assert_int_equal(f2.frag_off, f1.payload_len);
	assert_int_equal(f2.proto, GW_IPPROTO_UDP);
	assert_int_equal(f1.frag_id, f2.frag_id);
	/* a fragment is not parsed as UDP */
	assert_int_equal(gw_udp6_parse(&u, &f1, 0), -EINVAL);
	/* reassemble by hand: 8 + 1300 bytes */
	memcpy(seg, f1.payload, f1.payload_len);
	memcpy(seg + f1.payload_len, f2.payload, f2.payload_len);
	n = f1.payload_len + f2.payload_len;
	assert_int_equal(n, 1308);
	assert_int_equal(gw_cksum_fold(gw_cksum_add(gw_ipv6_pseudo_sum(f1.src, f1.dst, 17,
									(uint32_t)n), seg, n)), 0);
	assert_int_equal(ref_cksum6(f1.src, f1.dst, 17, seg, n), 0);
	gw_ipv6_encode(pkt, f1.src, f1.dst, GW_IPPROTO_UDP, 64, (uint16_t)n);
	memcpy(pkt + 40, seg, n);
	assert_int_equal(gw_ipv6_parse(&whole, pkt, 40 + n), 0);
	assert_int_equal(gw_udp6_parse(&u, &whole, 0), 0);
	assert_int_equal(u.sport, 46201);
	assert_int_equal(u.dport, 3478);
	assert_int_equal(u.payload_len, 1300);
	for (size_t i = 0; i < 1300; i++)
		if (u.payload[i] != (uint8_t)(i * 7 + 1))
			fail_msg("payload byte %zu", i);
	/* our encoder computes the kernel's checksum */
	gw_udp6_encode(pkt + 40, f1.src, f1.dst, 46201, 3478, 1300);
	assert_memory_equal(pkt + 40, f1.payload, 8);
	/* one flipped payload bit: bad checksum; trusted when the NIC verified */
	pkt[40 + 100] ^= 1;
	assert_int_equal(gw_udp6_parse(&u, &whole, 0), -EILSEQ);
	assert_int_equal(gw_udp6_parse(&u, &whole, GW_NET_CKSUM_VERIFIED), 0);
}

static void
test_linux_na_tlla(void **state)
{
	struct gw_ipv6_view ip;
	struct gw_icmp6_view ic;
	struct gw_ndp_view nd;
	uint8_t buf[64];

	(void)state;
	eth_ip(linux_na_tlla, sizeof(linux_na_tlla), &ip);
	assert_int_equal(gw_icmp6_parse(&ic, &ip), 0);
	assert_int_equal(gw_ndp_parse(&nd, &ip, &ic), 0);
	assert_int_equal(nd.flags, GW_NDP_NA_SOLICITED | GW_NDP_NA_OVERRIDE);
	assert_memory_equal(nd.target, H1, 16);
	assert_non_null(nd.tlla);
	assert_memory_equal(nd.tlla, MAC1, 6);
	assert_int_equal(gw_ndp_na_encode(buf, sizeof(buf), H1, H2, H1,
					  GW_NDP_NA_SOLICITED | GW_NDP_NA_OVERRIDE, MAC1), 32);
	assert_memory_equal(buf, ip.payload, 32);
}

static void
test_linux_mld_rs(void **state)
{
	struct gw_ipv6_view ip;
	struct gw_icmp6_view ic;
	struct gw_ndp_view nd;

	(void)state;
	/* MLDv2 report: hop-by-hop with Router Alert (skippable), then ICMPv6 */
	eth_ip(linux_mld2_report, sizeof(linux_mld2_report), &ip);
	assert_int_equal(ip.next_header, GW_IPPROTO_HOPOPTS);
	assert_int_equal(ip.ext, GW_IPV6_EXT_HOPOPTS);
	assert_int_equal(ip.n_ext, 1);
	assert_int_equal(ip.ext_len, 8);
	assert_int_equal(ip.proto, GW_IPPROTO_ICMPV6);
	assert_int_equal(ip.payload_len, 48);
	assert_int_equal(gw_icmp6_parse(&ic, &ip), 0);     /* pseudo header over 48 bytes */
	assert_int_equal(ic.type, 143);
	assert_int_equal(gw_ndp_parse(&nd, &ip, &ic), -ENOTSUP);
	/* router solicitation: not ours */
	eth_ip(linux_rs, sizeof(linux_rs), &ip);
	assert_int_equal(gw_icmp6_parse(&ic, &ip), 0);
	assert_int_equal(ic.type, 133);
	assert_int_equal(gw_ndp_parse(&nd, &ip, &ic), -ENOTSUP);
}

/* ---- IPv6 header and extension headers, row by row ------------------------------ */

struct ext_case {
	uint8_t nh;                  /* the fixed header's next header */
	uint8_t body[96];            /* payload after the fixed header */
	uint8_t blen;
	int16_t plen_adj;            /* added to blen for the payload length field */
	uint8_t trailer;             /* bytes after the payload (Ethernet padding) */
	int want;
	uint8_t proto, ext, n_ext;
	bool frag;
};

#define UDP8 0x12, 0x34, 0x0d, 0x96, 0x00, 0x08, 0x00, 0x00
#define DST8(nh) nh, 0, 1, 4, 0, 0, 0, 0       /* destination options: PadN(4) */

static const struct ext_case ext_cases[] = {
	/* 1 */  { 17, { UDP8 }, 8, 0, 0, 0, 17, 0, 0, false },
	/* 2 */  { 0, { 17, 0, 1, 4, 0, 0, 0, 0, UDP8 }, 16, 0, 0, 0, 17, GW_IPV6_EXT_HOPOPTS, 1, false },
	/* 3: hop-by-hop after another header */
	{ 60, { DST8(0), 17, 0, 1, 4, 0, 0, 0, 0, UDP8 }, 24, 0, 0, -EBADMSG, 0, 0, 0, false },
	/* 4: Jumbo Payload option */
	{ 0, { 17, 0, 0xc2, 4, 0, 1, 0, 0, UDP8 }, 16, 0, 0, -EMSGSIZE, 0, 0, 0, false },
	/* 5: payload length 0 with hop-by-hop: jumbogram */
	{ 0, { 17, 0, 1, 4, 0, 0, 0, 0 }, 8, -8, 8, -EMSGSIZE, 0, 0, 0, false },
	/* 6: routing, segments left 0: ignored */
	{ 43, { 17, 0, 4, 0, 0, 0, 0, 0, UDP8 }, 16, 0, 0, 0, 17, GW_IPV6_EXT_ROUTING, 1, false },
	/* 7: routing, segments left 1: we are not the final destination */
	{ 43, { 17, 0, 4, 1, 0, 0, 0, 0, UDP8 }, 16, 0, 0, -EOPNOTSUPP, 0, 0, 0, false },
	/* 8: first fragment (offset 0, M): walked on, flagged */
	{ 44, { 17, 0, 0, 1, 0, 0, 0, 7, UDP8 }, 16, 0, 0, 0, 17, GW_IPV6_EXT_FRAGMENT, 1, true },
	/* 9: later fragment (offset 8): stops at the fragment header */
	{ 44, { 60, 0, 0, 8, 0, 0, 0, 7, 1, 2, 3, 4 }, 12, 0, 0, 0, 60, GW_IPV6_EXT_FRAGMENT, 1, true },
	/* 10: atomic fragment (RFC 6946): not a fragment */
	{ 44, { 17, 0, 0, 0, 0, 0, 0, 7, UDP8 }, 16, 0, 0, 0, 17, GW_IPV6_EXT_FRAGMENT, 1, false },
	/* 11: two fragment headers */
	{ 44, { 44, 0, 0, 0, 0, 0, 0, 7, 17, 0, 0, 0, 0, 0, 0, 7, UDP8 }, 24, 0, 0, -EBADMSG,
	  0, 0, 0, false },
	/* 12: nine extension headers */
	{ 60, { DST8(60), DST8(60), DST8(60), DST8(60), DST8(60), DST8(60), DST8(60), DST8(60),
		DST8(17), UDP8 }, 80, 0, 0, -E2BIG, 0, 0, 0, false },
	/* 13: eight are fine */
	{ 60, { DST8(60), DST8(60), DST8(60), DST8(60), DST8(60), DST8(60), DST8(60),
		DST8(17), UDP8 }, 72, 0, 0, 0, 17, GW_IPV6_EXT_DSTOPTS, 8, false },
	/* 14: unknown option, type bits 00: skipped */
	{ 60, { 17, 0, 0x3e, 4, 9, 9, 9, 9, UDP8 }, 16, 0, 0, 0, 17, GW_IPV6_EXT_DSTOPTS, 1, false },
	/* 15: unknown option, type bits 01: discard */
	{ 60, { 17, 0, 0x7f, 4, 9, 9, 9, 9, UDP8 }, 16, 0, 0, -EOPNOTSUPP, 0, 0, 0, false },
	/* 16: unknown option, type bits 10 */
	{ 60, { 17, 0, 0x88, 4, 9, 9, 9, 9, UDP8 }, 16, 0, 0, -EOPNOTSUPP, 0, 0, 0, false },
	/* 17: option length past the header */
	{ 60, { 17, 0, 1, 5, 0, 0, 0, 0, UDP8 }, 16, 0, 0, -EBADMSG, 0, 0, 0, false },
	/* 18: extension header shorter than 8 bytes of payload */
	{ 60, { 17, 0, 1, 2 }, 4, 0, 0, -EBADMSG, 0, 0, 0, false },
	/* 19: header length past the payload */
	{ 60, { 17, 2, 1, 4, 0, 0, 0, 0, UDP8 }, 16, 0, 0, -EBADMSG, 0, 0, 0, false },
	/* 20: payload length past the buffer */
	{ 17, { UDP8 }, 8, 1, 0, -EBADMSG, 0, 0, 0, false },
	/* 21: Ethernet padding after the payload is excluded */
	{ 17, { UDP8 }, 8, 0, 6, 0, 17, 0, 0, false },
	/* 22: no next header */
	{ 59, { 0 }, 0, 0, 0, 0, 59, 0, 0, false },
	/* 23: ESP: not walked, reported as the protocol */
	{ 50, { 1, 2, 3, 4, 5, 6, 7, 8 }, 8, 0, 0, 0, 50, 0, 0, false },
	/* 24: seventeen Pad1 options (and PadN) in one header */
	{ 60, { 17, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0 },
	  24, 0, 0, -EBADMSG, 0, 0, 0, false },
	/* 25: Pad1 then PadN(0) filling 8 bytes */
	{ 60, { 17, 0, 0, 0, 0, 0, 1, 0, UDP8 }, 16, 0, 0, 0, 17, GW_IPV6_EXT_DSTOPTS, 1, false },
	/* 26: option header cut after its type byte */
	{ 60, { 17, 0, 1, 3, 0, 0, 0, 0x3e }, 8, 0, 0, -EBADMSG, 0, 0, 0, false },
};

static void
test_ext_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ext_cases) / sizeof(ext_cases[0]); i++) {
		const struct ext_case *c = &ext_cases[i];
		uint8_t pkt[40 + 128];
		struct gw_ipv6_view v;
		size_t len = 40 + c->blen + c->trailer;
		int plen = c->blen + c->plen_adj;
		int err;

		gw_ipv6_encode(pkt, H1, H2, c->nh, 64, (uint16_t)plen);
		memcpy(pkt + 40, c->body, c->blen);
		memset(pkt + 40 + c->blen, 0xee, c->trailer);
		err = gw_ipv6_parse(&v, pkt, len);
		if (err != c->want)
			fail_msg("row %zu: got %d want %d", i + 1, err, c->want);
		if (err != 0)
			continue;
		if (v.proto != c->proto || v.ext != c->ext || v.n_ext != c->n_ext ||
		    v.is_fragment != c->frag)
			fail_msg("row %zu: proto %u ext %#x n_ext %u frag %d", i + 1, v.proto, v.ext,
				 v.n_ext, v.is_fragment);
		/* the view stays inside the payload length */
		assert_ptr_equal(v.payload + v.payload_len, pkt + 40 + plen);
		assert_int_equal(v.ext_len + v.payload_len, (size_t)plen);
	}
}

static void
test_ipv6_header_fields(void **state)
{
	uint8_t pkt[48];
	struct gw_ipv6_view v;
	struct gw_udp_view u;
	struct gw_icmp6_view ic;

	(void)state;
	gw_ipv6_encode(pkt, H1, H2, 17, 7, 8);
	pkt[0] = 0x6a;                    /* traffic class 0xab, flow 0xcdef0 */
	pkt[1] = 0xbc;
	pkt[2] = 0xde;
	pkt[3] = 0xf0;
	memset(pkt + 40, 0, 8);
	assert_int_equal(gw_ipv6_parse(&v, pkt, sizeof(pkt)), 0);
	assert_int_equal(v.tclass, 0xab);
	assert_int_equal(v.flow, 0xcdef0);
	assert_int_equal(v.hop_limit, 7);
	assert_int_equal(v.plen, 8);
	assert_memory_equal(v.src, H1, 16);
	assert_memory_equal(v.dst, H2, 16);
	/* short and wrong version */
	assert_int_equal(gw_ipv6_parse(&v, pkt, 39), -EBADMSG);
	pkt[0] = 0x4a;
	assert_int_equal(gw_ipv6_parse(&v, pkt, sizeof(pkt)), -EBADMSG);
	assert_int_equal(gw_ipv6_parse(NULL, pkt, sizeof(pkt)), -EINVAL);
	assert_int_equal(gw_ipv6_parse(&v, NULL, sizeof(pkt)), -EINVAL);
	pkt[0] = 0x60;
	/* UDP: wrong protocol, fragment, bad lengths */
	assert_int_equal(gw_ipv6_parse(&v, pkt, sizeof(pkt)), 0);
	v.proto = 58;
	assert_int_equal(gw_udp6_parse(&u, &v, 0), -EINVAL);
	assert_int_equal(gw_icmp6_parse(&ic, &v), -EILSEQ);   /* zeros: bad checksum */
	v.proto = 17;
	v.is_fragment = true;
	assert_int_equal(gw_udp6_parse(&u, &v, 0), -EINVAL);
	v.is_fragment = false;
	pkt[44] = 0;
	pkt[45] = 9;                      /* UDP length 9 in an 8-byte payload */
	assert_int_equal(gw_udp6_parse(&u, &v, 0), -EBADMSG);
	pkt[45] = 7;
	assert_int_equal(gw_udp6_parse(&u, &v, 0), -EBADMSG);
	v.payload_len = 7;
	assert_int_equal(gw_udp6_parse(&u, &v, 0), -EBADMSG);
	v.payload_len = 3;
	v.proto = 58;
	assert_int_equal(gw_icmp6_parse(&ic, &v), -EBADMSG);
}

/* ---- NDP validation, row by row ---------------------------------------------------- */

/* Lay an ICMPv6 message into an IPv6 packet with a correct checksum and run
 * the three parsers. */
static int
ndp_run(const uint8_t *src, const uint8_t *dst, uint8_t hop, uint8_t *msg, size_t n,
	struct gw_ndp_view *nd)
{
	static uint8_t pkt[40 + 256];
	struct gw_ipv6_view ip;
	struct gw_icmp6_view ic;

	msg[2] = msg[3] = 0;
	{
		uint16_t c = gw_icmp6_cksum(src, dst, msg, n);

		msg[2] = (uint8_t)(c >> 8);
		msg[3] = (uint8_t)c;
	}
	gw_ipv6_encode(pkt, src, dst, GW_IPPROTO_ICMPV6, hop, (uint16_t)n);
	memcpy(pkt + 40, msg, n);
	assert_int_equal(gw_ipv6_parse(&ip, pkt, 40 + n), 0);
	assert_int_equal(gw_icmp6_parse(&ic, &ip), 0);
	return gw_ndp_parse(nd, &ip, &ic);
}

enum { M_NONE, M_HOP254, M_CODE1, M_MCAST_TARGET, M_OPTLEN0, M_OPT_TRUNC, M_SLLA_LEN2,
       M_DAD, M_DAD_SLLA, M_DAD_UNICAST, M_SHORT, M_NA, M_NA_MCAST_S, M_NA_MCAST_O,
       M_NA_FROM_UNSPEC, M_UNKNOWN_OPT, M_TWO_SLLA, M_ECHO, M_MANY_OPTS, M_NA_TLLA_RESERVED };

static const struct {
	int mut;
	int want;
} ndp_cases[] = {
	/* 1 */  { M_NONE, 0 },
	/* 2 */  { M_HOP254, -EPROTO },          /* forwarded by a router: not on-link */
	/* 3 */  { M_CODE1, -EPROTO },
	/* 4 */  { M_MCAST_TARGET, -EPROTO },
	/* 5 */  { M_OPTLEN0, -EBADMSG },
	/* 6 */  { M_OPT_TRUNC, -EBADMSG },
	/* 7 */  { M_SLLA_LEN2, -EBADMSG },       /* not an Ethernet address */
	/* 8 */  { M_DAD, 0 },
	/* 9 */  { M_DAD_SLLA, -EPROTO },
	/* 10 */ { M_DAD_UNICAST, -EPROTO },
	/* 11 */ { M_SHORT, -EBADMSG },
	/* 12 */ { M_NA, 0 },
	/* 13 */ { M_NA_MCAST_S, -EPROTO },
	/* 14 */ { M_NA_MCAST_O, 0 },
	/* 15 */ { M_NA_FROM_UNSPEC, -EPROTO },
	/* 16 */ { M_UNKNOWN_OPT, 0 },            /* nonce option (14): skipped */
	/* 17 */ { M_TWO_SLLA, 0 },               /* the first one counts */
	/* 18 */ { M_ECHO, -ENOTSUP },
	/* 19 */ { M_MANY_OPTS, -EBADMSG },
	/* 20 */ { M_NA_TLLA_RESERVED, 0 },       /* reserved flag bits ignored */
};

static void
test_ndp_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(ndp_cases) / sizeof(ndp_cases[0]); i++) {
		uint8_t msg[256], sn[16];
		const uint8_t *src = H1, *dst;
		uint8_t hop = 255;
		size_t n;
		struct gw_ndp_view nd;
		int err, mut = ndp_cases[i].mut;

		gw_ipv6_solicited_node(sn, H2);
		dst = sn;
		n = (size_t)gw_ndp_ns_encode(msg, sizeof(msg), H1, sn, H2, MAC1);
		switch (mut) {
		case M_HOP254: hop = 254; break;
		case M_CODE1: msg[1] = 1; break;
		case M_MCAST_TARGET: msg[8] = 0xff; break;
		case M_OPTLEN0: msg[25] = 0; break;
		case M_OPT_TRUNC: n = 30; break;
		case M_SLLA_LEN2: msg[25] = 2; memset(msg + 32, 0, 8); n = 40; break;
		case M_DAD: src = UNSPEC; n = 24; break;
		case M_DAD_SLLA: src = UNSPEC; break;
		case M_DAD_UNICAST: src = UNSPEC; dst = H2; n = 24; break;
		case M_SHORT: n = 23; break;
		case M_NA: case M_NA_MCAST_S: case M_NA_MCAST_O: case M_NA_FROM_UNSPEC:
		case M_NA_TLLA_RESERVED:
			src = H2;
			n = (size_t)gw_ndp_na_encode(msg, sizeof(msg), H2, H1, H2,
						     mut == M_NA_MCAST_O ? GW_NDP_NA_OVERRIDE :
						     GW_NDP_NA_SOLICITED | GW_NDP_NA_OVERRIDE,
						     MAC2);
			dst = mut == M_NA ? H1 : ALLNODES;
			if (mut == M_NA_MCAST_S)
				msg[4] |= GW_NDP_NA_SOLICITED;
			if (mut == M_NA_FROM_UNSPEC) {
				src = UNSPEC;
				dst = H1;
			}
			if (mut == M_NA_TLLA_RESERVED) {
				dst = H1;
				msg[4] |= 0x1f;
				msg[7] = 0xff;
			}
			break;
		case M_UNKNOWN_OPT:
			msg[32] = 14; msg[33] = 1; memset(msg + 34, 7, 6); n = 40; break;
		case M_TWO_SLLA:
			msg[32] = 1; msg[33] = 1; memset(msg + 34, 9, 6); n = 40; break;
		case M_ECHO: msg[0] = GW_ICMP6_ECHO_REQUEST; break;
		case M_MANY_OPTS:
			for (int k = 0; k < 17; k++) {
				msg[24 + 8 * k] = 14;
				msg[25 + 8 * k] = 1;
				memset(msg + 26 + 8 * k, 0, 6);
			}
			n = 24 + 17 * 8;
			break;
		default: break;
		}
		err = ndp_run(src, dst, hop, msg, n, &nd);
		if (err != ndp_cases[i].want)
			fail_msg("row %zu: got %d want %d", i + 1, err, ndp_cases[i].want);
		if (err != 0)
			continue;
		switch (mut) {
		case M_NONE: case M_UNKNOWN_OPT: case M_TWO_SLLA:
			assert_int_equal(nd.type, GW_ICMP6_NS);
			assert_memory_equal(nd.slla, MAC1, 6);
			assert_false(nd.dad);
			break;
		case M_DAD:
			assert_true(nd.dad);
			assert_null(nd.slla);
			break;
		case M_NA: case M_NA_TLLA_RESERVED:
			assert_int_equal(nd.flags, GW_NDP_NA_SOLICITED | GW_NDP_NA_OVERRIDE);
			assert_memory_equal(nd.tlla, MAC2, 6);
			assert_memory_equal(nd.target, H2, 16);
			break;
		case M_NA_MCAST_O:
			assert_int_equal(nd.flags, GW_NDP_NA_OVERRIDE);
			break;
		default: break;
		}
	}
}

static void
test_ndp_encode_errors(void **state)
{
	uint8_t buf[64], sn[16];

	(void)state;
	gw_ipv6_solicited_node(sn, H2);
	assert_int_equal(gw_ndp_ns_encode(buf, sizeof(buf), UNSPEC, sn, H2, NULL), 24);
	assert_int_equal(gw_ndp_ns_encode(buf, sizeof(buf), UNSPEC, sn, H2, MAC1), -EINVAL);
	assert_int_equal(gw_ndp_ns_encode(buf, sizeof(buf), H1, sn, sn, MAC1), -EINVAL);
	assert_int_equal(gw_ndp_ns_encode(buf, 31, H1, sn, H2, MAC1), -ENOSPC);
	assert_int_equal(gw_ndp_ns_encode(buf, 24, H1, sn, H2, NULL), 24);
	assert_int_equal(gw_ndp_ns_encode(NULL, 64, H1, sn, H2, NULL), -EINVAL);
	assert_int_equal(gw_ndp_na_encode(buf, sizeof(buf), H2, ALLNODES, H2,
					  GW_NDP_NA_SOLICITED, MAC2), -EINVAL);
	assert_int_equal(gw_ndp_na_encode(buf, sizeof(buf), H2, H1, H2, 0x10, MAC2), -EINVAL);
	assert_int_equal(gw_ndp_na_encode(buf, sizeof(buf), H2, H1, H2,
					  GW_NDP_NA_ROUTER | GW_NDP_NA_SOLICITED, MAC2), 32);
	assert_int_equal(buf[4], 0xc0);
	assert_int_equal(buf[24], GW_NDP_OPT_TLLA);
	assert_int_equal(gw_ndp_na_encode(buf, 24, H2, H1, H2, 0, MAC2), -ENOSPC);
	/* echo */
	assert_int_equal(gw_icmp6_echo_encode(buf, 8, H1, H2, GW_ICMP6_ECHO_REPLY, 1, 2, NULL, 0), 8);
	assert_int_equal(gw_icmp6_echo_encode(buf, 8, H1, H2, GW_ICMP6_ECHO_REPLY, 1, 2,
					      (const uint8_t *)"x", 1), -ENOSPC);
	assert_int_equal(gw_icmp6_echo_encode(buf, 64, H1, H2, GW_ICMP6_NS, 1, 2, NULL, 0), -EINVAL);
	/* solicited-node in place, and its MAC */
	memcpy(buf, H2, 16);
	buf[13] = 0xab;
	gw_ipv6_solicited_node(buf, buf);
	assert_memory_equal(buf, A6(0xff, 0x02, [11] = 1, [12] = 0xff, [13] = 0xab, [15] = 2), 16);
	assert_false(gw_ipv6_is_solicited_node(ALLNODES));
	assert_false(gw_ipv6_is_solicited_node(H2));
}

/* ---- address classes ------------------------------------------------------------------- */

static const struct {
	uint8_t a[16];
	enum gw_ipv6_class c;
	bool has_v4;
	uint32_t v4;
	bool martian;
} class_cases[] = {
	/* 1 */  { { 0 }, GW_IPV6_UNSPECIFIED, false, 0, true },
	/* 2 */  { { [15] = 1 }, GW_IPV6_LOOPBACK, false, 0, true },
	/* 3 */  { { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 }, GW_IPV6_V4MAPPED, true, 0x7f000001, true },
	/* 4 */  { { [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 }, GW_IPV6_V4MAPPED, true, 0x0a000001, true },
	/* 5 */  { { [8] = 0xff, [9] = 0xff, [12] = 198, 18, 0, 1 }, GW_IPV6_V4TRANSLATED, true,
		   0xc6120001, false },
	/* 6 */  { { [12] = 10, 0, 0, 1 }, GW_IPV6_V4COMPAT, true, 0x0a000001, false },
	/* 7 */  { { [15] = 2 }, GW_IPV6_V4COMPAT, true, 2, false },             /* ::2 */
	/* 8 */  { { 0, 0x64, 0xff, 0x9b, [12] = 10, 0, 0, 1 }, GW_IPV6_NAT64, true, 0x0a000001, false },
	/* 9 */  { { 0, 0x64, 0xff, 0x9b, [12] = 0x7f, 0, 0, 1 }, GW_IPV6_NAT64, true, 0x7f000001, false },
	/* 10 */ { { 0, 0x64, 0xff, 0x9b, [8] = 1, [12] = 8, 8, 8, 8 }, GW_IPV6_RESERVED, false, 0, false },
	/* 11 */ { { 0, 0x64, 0xff, 0x9b, 0, 1, [15] = 1 }, GW_IPV6_NAT64_LOCAL, false, 0, false },
	/* 12 */ { { 0, 0x64, 0xff, 0x9b, 0, 2, [15] = 1 }, GW_IPV6_RESERVED, false, 0, false },
	/* 13 */ { { 0, 0, 0, 0, 0, 0, 0, 1 }, GW_IPV6_RESERVED, false, 0, false },   /* ::1:0:0:0 */
	/* 14 */ { { 0x01, 0x00, [15] = 1 }, GW_IPV6_DISCARD, false, 0, false },
	/* 15 */ { { 0x01, 0x00, 0, 0, 0, 0, 0, 1 }, GW_IPV6_GLOBAL, false, 0, false }, /* 100:0:0:1:: */
	/* 16 */ { { 0x20, 0x01, 0, 0, [15] = 1 }, GW_IPV6_TEREDO, false, 0, false },
	/* 17 */ { { 0x20, 0x01, 0, 2, [15] = 1 }, GW_IPV6_GLOBAL, false, 0, false },  /* 2001:2::1 */
	/* 18 */ { { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, GW_IPV6_GLOBAL, false, 0, false },
	/* 19 */ { { 0x20, 0x02, 0x7f, 0, 0, 1 }, GW_IPV6_6TO4, true, 0x7f000001, false },
	/* 20 */ { { 0x20, 0x02, 0x0a, 0, 0, 1, [15] = 1 }, GW_IPV6_6TO4, true, 0x0a000001, false },
	/* 21 */ { { 0x20, 0x03, [15] = 1 }, GW_IPV6_GLOBAL, false, 0, false },
	/* 22 */ { { 0xfc, [15] = 1 }, GW_IPV6_ULA, false, 0, false },
	/* 23 */ { { 0xfd, 0x12, [15] = 1 }, GW_IPV6_ULA, false, 0, false },
	/* 24 */ { { 0xfe, 0x80, [15] = 1 }, GW_IPV6_LINKLOCAL, false, 0, false },
	/* 25 */ { { 0xfe, 0xbf, [15] = 1 }, GW_IPV6_LINKLOCAL, false, 0, false },
	/* 26 */ { { 0xfe, 0xc0, [15] = 1 }, GW_IPV6_SITELOCAL, false, 0, false },
	/* 27 */ { { 0xff, 0x02, [15] = 1 }, GW_IPV6_MULTICAST, false, 0, true },
	/* 28 */ { { 0xff, 0x0e, [15] = 1 }, GW_IPV6_MULTICAST, false, 0, true },
	/* 29 */ { { 0xfb, 0xff, [15] = 1 }, GW_IPV6_GLOBAL, false, 0, false },       /* below fc00::/7 */
	/* 30 */ { { 0x01, 0, 0, 0, 0, 0, 0, 0, [15] = 1 }, GW_IPV6_DISCARD, false, 0, false },
	/* 31 */ { { 0x20, 0x01, 0, 1, [15] = 1 }, GW_IPV6_GLOBAL, false, 0, false },  /* just past Teredo */
};

static void
test_classify(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(class_cases) / sizeof(class_cases[0]); i++) {
		uint32_t v4 = 0;
		bool has;
		enum gw_ipv6_class c = gw_ipv6_classify(class_cases[i].a);

		if (c != class_cases[i].c)
			fail_msg("row %zu: got %s want %s", i + 1, gw_ipv6_class_name(c),
				 gw_ipv6_class_name(class_cases[i].c));
		has = gw_ipv6_embedded_ipv4(class_cases[i].a, &v4);
		if (has != class_cases[i].has_v4 || (has && v4 != class_cases[i].v4))
			fail_msg("row %zu: embedded %d %#x", i + 1, has, v4);
		if (gw_ipv6_src_martian(class_cases[i].a) != class_cases[i].martian)
			fail_msg("row %zu: martian", i + 1);
	}
	assert_string_equal(gw_ipv6_class_name(GW_IPV6_NAT64), "nat64");
	assert_string_equal(gw_ipv6_class_name((enum gw_ipv6_class)99), "?");
	/* prefix match edges */
	assert_true(gw_ipv6_prefix_match(A6(0xfe, 0x80), 10, A6(0xfe, 0xbf, 0xff)));
	assert_false(gw_ipv6_prefix_match(A6(0xfe, 0x80), 10, A6(0xfe, 0xc0)));
	assert_true(gw_ipv6_prefix_match(A6(1), 0, A6(0xff)));
	assert_true(gw_ipv6_prefix_match(H1, 128, H1));
	assert_false(gw_ipv6_prefix_match(H1, 128, H2));
	assert_true(gw_ipv6_prefix_match(H1, 126, H2));
	assert_false(gw_ipv6_prefix_match(H1, 129, H1));
	assert_true(gw_ipv6_equal(H1, H1));
	assert_false(gw_ipv6_equal(H1, H2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cksum_reference),
		cmocka_unit_test(test_udp6_zero_sum),
		cmocka_unit_test(test_linux_ns),
		cmocka_unit_test(test_linux_na),
		cmocka_unit_test(test_linux_echo_udp),
		cmocka_unit_test(test_linux_fragments),
		cmocka_unit_test(test_linux_na_tlla),
		cmocka_unit_test(test_linux_mld_rs),
		cmocka_unit_test(test_ext_table),
		cmocka_unit_test(test_ipv6_header_fields),
		cmocka_unit_test(test_ndp_table),
		cmocka_unit_test(test_ndp_encode_errors),
		cmocka_unit_test(test_classify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
