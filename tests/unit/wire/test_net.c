/* Unit tests for dataplane/wire/net.[ch] and demux.[ch]. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "demux.h"
#include "net.h"

/* The IPv4 header example of the "Internet checksum" literature (also in
 * Wikipedia's IPv4 header checksum article): checksum 0xb861. */
static const uint8_t hdr_example[20] = {
	0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
	0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
};

/* Naive reference: RFC 1071 as written, one 16-bit word at a time, from a
 * starting sum. */
static uint16_t
ref_cksum_from(uint32_t start, const uint8_t *p, size_t n)
{
	uint64_t s = start;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static uint16_t
ref_cksum(const uint8_t *p, size_t n)
{
	return ref_cksum_from(0, p, n);
}

/* gw_cksum_add (native-order 32-bit words, 64-bit accumulator) against the
 * naive byte-pair sum: every length 0..300 at every alignment 0..7, random
 * data and starting sums, and the edge data (all zero, all 0xff). */
static void
test_cksum_fast_vs_naive(void **state)
{
	static const uint32_t starts[] = { 0, 1, 0xffff, 0x1fffe, 0xfffffffeu, 0xffffffffu };
	uint8_t buf[320];
	uint32_t seed = 12345;

	(void)state;
	for (int fill = 0; fill < 3; fill++) {
		for (size_t i = 0; i < sizeof(buf); i++) {
			seed = seed * 1103515245u + 12345u;
			buf[i] = fill == 0 ? (uint8_t)(seed >> 16) : fill == 1 ? 0x00 : 0xff;
		}
		for (size_t off = 0; off < 8; off++)
			for (size_t n = 0; n <= 300; n++)
				for (size_t k = 0; k < sizeof(starts) / sizeof(starts[0]); k++) {
					uint32_t st = fill == 0 && k == 0 ? seed : starts[k];

					assert_int_equal(gw_cksum_fold(gw_cksum_add(st, buf + off, n)),
							 ref_cksum_from(st, buf + off, n));
				}
	}
	/* Chained: a pseudo header then a segment, as the UDP checksum does. */
	assert_int_equal(gw_cksum_fold(gw_cksum_add(gw_cksum_add(0, buf, 12), buf + 12, 201)),
			 ref_cksum(buf, 213));
}

static void
test_ipv4_example(void **state)
{
	uint8_t pkt[0x73] = {0};
	struct gw_ipv4_view v;

	(void)state;
	memcpy(pkt, hdr_example, sizeof(hdr_example));
	assert_int_equal(gw_ipv4_parse(&v, pkt, sizeof(pkt)), 0);
	assert_int_equal(v.hdr_len, 20);
	assert_int_equal(v.total_len, 0x73);
	assert_int_equal(v.proto, 17);
	assert_int_equal(v.ttl, 64);
	assert_int_equal(v.src, 0xc0a80001);
	assert_int_equal(v.dst, 0xc0a800c7);
	assert_int_equal(v.is_fragment, 0);
	assert_int_equal(v.payload_len, 0x73 - 20);
	assert_ptr_equal(v.payload, pkt + 20);
}

static void
test_ipv4_encode_matches_example(void **state)
{
	uint8_t out[20];

	(void)state;
	gw_ipv4_encode(out, 0xc0a80001, 0xc0a800c7, 17, 64, 0x73 - 20, 0);
	assert_memory_equal(out, hdr_example, sizeof(out));
	/* the checksum summed from the values agrees with a pass over the bytes
	 * (RFC 1071: the header sums to 0xffff) for any values */
	for (uint32_t i = 0, x = 1; i < 20000; i++) {
		uint32_t src, dst;

		x = x * 1103515245u + 12345u;
		src = x;
		x = x * 1103515245u + 12345u;
		dst = i & 1 ? ~x : x;
		gw_ipv4_encode(out, src, dst, (uint8_t)(i * 7), (uint8_t)(i >> 3),
			       (uint16_t)(x >> 16) % (65535 - 20), (uint16_t)(x ^ i));
		if (gw_cksum_fold(gw_cksum_add(0, out, sizeof(out))) != 0)
			fail_msg("values %u: header checksum wrong", i);
	}
}

static void
test_ipv4_errors(void **state)
{
	static const struct {
		int row;
		size_t len;         /* bytes handed to the parser */
		int off, val;       /* byte to overwrite (-1: none) */
		int fix_cksum;
		int want;
	} rows[] = {
		{ 1, 19, -1, 0, 0, -EBADMSG },     /* shorter than a header */
		{ 2, 0x73, 0, 0x65, 1, -EBADMSG },  /* version 6 */
		{ 3, 0x73, 0, 0x44, 1, -EBADMSG },  /* IHL 4 */
		{ 4, 30, 0, 0x4f, 1, -EBADMSG },    /* IHL 15 = 60 bytes > 30 */
		{ 5, 0x73, 3, 0x10, 1, -EBADMSG },  /* total 16 < header */
		{ 6, 0x72, -1, 0, 0, -EBADMSG },    /* total 0x73 > 0x72 given */
		{ 7, 0x73, 11, 0x62, 0, -EILSEQ },  /* checksum off by one */
		{ 8, 0x73, 8, 0x3f, 0, -EILSEQ },   /* TTL changed, checksum not */
		{ 9, 0x80, -1, 0, 0, 0 },           /* Ethernet padding after total */
	};
	uint8_t hw[0x73] = {0};
	struct gw_ipv4_view hv;

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t pkt[0x80] = {0};
		struct gw_ipv4_view v;

		memcpy(pkt, hdr_example, sizeof(hdr_example));
		if (rows[i].off >= 0)
			pkt[rows[i].off] = (uint8_t)rows[i].val;
		if (rows[i].fix_cksum) {
			uint16_t c;

			pkt[10] = pkt[11] = 0;
			c = ref_cksum(pkt, (size_t)(pkt[0] & 0xf) * 4 > 20 ? 20 : (size_t)(pkt[0] & 0xf) * 4);
			pkt[10] = (uint8_t)(c >> 8);
			pkt[11] = (uint8_t)c;
		}
		print_message("row %d\n", rows[i].row);
		assert_int_equal(gw_ipv4_parse(&v, pkt, rows[i].len), rows[i].want);
		if (rows[i].want == 0)
			assert_int_equal(v.payload_len, 0x73 - 20);
	}
	/* 10: a NIC-verified header checksum is not summed again */
	memcpy(hw, hdr_example, sizeof(hdr_example));
	hw[11] ^= 0xff;
	assert_int_equal(gw_ipv4_parse(&hv, hw, sizeof(hw)), -EILSEQ);
	assert_int_equal(gw_ipv4_parse_opt(&hv, hw, sizeof(hw), GW_NET_CKSUM_VERIFIED), 0);
}

static void
test_ipv4_fragments(void **state)
{
	static const struct { uint16_t frag; uint8_t want; } rows[] = {
		{ 0x4000, 0 },  /* DF only */
		{ 0x0000, 0 },
		{ 0x2000, 1 },  /* MF */
		{ 0x0001, 1 },  /* offset 8 */
		{ 0x1fff, 1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t pkt[40] = {0};
		struct gw_ipv4_view v;

		gw_ipv4_encode(pkt, 0xc6120001, 0xc6120002, 17, 64, 20, 7);
		pkt[6] = (uint8_t)(rows[i].frag >> 8);
		pkt[7] = (uint8_t)rows[i].frag;
		pkt[10] = pkt[11] = 0;
		{
			uint16_t c = ref_cksum(pkt, 20);

			pkt[10] = (uint8_t)(c >> 8);
			pkt[11] = (uint8_t)c;
		}
		assert_int_equal(gw_ipv4_parse(&v, pkt, sizeof(pkt)), 0);
		assert_int_equal(v.is_fragment, rows[i].want);
	}
}

/* RFC 1122 §3.2.1.3 / RFC 5735: sources a datagram can never come from */
static void
test_ipv4_martian_src(void **state)
{
	static const struct { uint32_t src; bool martian; } rows[] = {
		/* 1 */ { 0x00000000u, true },   /* 0.0.0.0 */
		/* 2 */ { 0x00ffffffu, true },   /* 0.255.255.255 ("this network") */
		/* 3 */ { 0x7f000001u, true },   /* 127.0.0.1 */
		/* 4 */ { 0x7fffffffu, true },   /* 127.255.255.255 */
		/* 5 */ { 0xe0000001u, true },   /* 224.0.0.1 multicast */
		/* 6 */ { 0xefffffffu, true },   /* 239.255.255.255 */
		/* 7 */ { 0xf0000001u, true },   /* 240.0.0.1 reserved */
		/* 8 */ { 0xffffffffu, true },   /* limited broadcast */
		/* 9 */ { 0x01000000u, false },  /* 1.0.0.0 */
		/* 10 */ { 0x7effffffu, false }, /* 126.255.255.255 */
		/* 11 */ { 0x80000000u, false }, /* 128.0.0.0 */
		/* 12 */ { 0xc6120001u, false }, /* 198.18.0.1 */
		/* 13 */ { 0xdfffffffu, false }, /* 223.255.255.255 */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (gw_ipv4_src_martian(rows[i].src) != rows[i].martian)
			fail_msg("row %zu: 0x%08x", i + 1, rows[i].src);
}

/* Build IPv4+UDP with payload n bytes; returns the total length. */
static size_t
mk_udp(uint8_t *pkt, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pkt[28 + i] = (uint8_t)(i * 7 + 3);
	gw_udp4_encode(pkt + 20, 0xc6120001, 0xc6120002, 5000, 3478, (uint16_t)n);
	gw_ipv4_encode(pkt, 0xc6120001, 0xc6120002, GW_IPPROTO_UDP, 64, (uint16_t)(8 + n), 1);
	return 28 + n;
}

static void
test_udp_checksum_against_reference(void **state)
{
	(void)state;
	for (size_t n = 0; n < 300; n += 1 + n / 8) {
		uint8_t pkt[400], ph[12 + 400];
		size_t len = mk_udp(pkt, n);
		struct gw_ipv4_view ip;
		struct gw_udp_view u;
		uint16_t want, got;

		/* reference: pseudo header + segment with the checksum zeroed */
		ph[0] = 0xc6; ph[1] = 0x12; ph[2] = 0; ph[3] = 1;
		ph[4] = 0xc6; ph[5] = 0x12; ph[6] = 0; ph[7] = 2;
		ph[8] = 0; ph[9] = 17; ph[10] = (uint8_t)((8 + n) >> 8); ph[11] = (uint8_t)(8 + n);
		memcpy(ph + 12, pkt + 20, 8 + n);
		ph[12 + 6] = ph[12 + 7] = 0;
		want = ref_cksum(ph, 12 + 8 + n);
		if (want == 0)
			want = 0xffff;
		got = (uint16_t)(pkt[26] << 8 | pkt[27]);
		assert_int_equal(got, want);
		assert_int_equal(gw_ipv4_parse(&ip, pkt, len), 0);
		assert_int_equal(gw_udp_parse(&u, &ip), 0);
		assert_int_equal(u.sport, 5000);
		assert_int_equal(u.dport, 3478);
		assert_int_equal(u.payload_len, n);
	}
}

static void
test_udp_errors(void **state)
{
	uint8_t pkt[64];
	struct gw_ipv4_view ip;
	struct gw_udp_view u;
	size_t len;

	(void)state;
	/* 1: bad checksum */
	len = mk_udp(pkt, 16);
	pkt[30] ^= 1;
	assert_int_equal(gw_ipv4_parse(&ip, pkt, len), 0);
	assert_int_equal(gw_udp_parse(&u, &ip), -EILSEQ);
	/* 2: checksum 0 means none: accepted even with changed data */
	pkt[26] = pkt[27] = 0;
	assert_int_equal(gw_udp_parse(&u, &ip), 0);
	/* 3: UDP length larger than the IP payload */
	len = mk_udp(pkt, 16);
	pkt[24] = 0; pkt[25] = 200;
	assert_int_equal(gw_ipv4_parse(&ip, pkt, len), 0);
	assert_int_equal(gw_udp_parse(&u, &ip), -EBADMSG);
	/* 4: UDP length below the header size */
	pkt[25] = 7;
	assert_int_equal(gw_udp_parse(&u, &ip), -EBADMSG);
	/* 5: UDP length shorter than the IP payload (hidden trailing bytes) */
	pkt[25] = 20;
	assert_int_equal(gw_udp_parse(&u, &ip), -EBADMSG);
	/* 6: a NIC-verified checksum is not summed again; lengths still are */
	len = mk_udp(pkt, 16);
	pkt[30] ^= 1;
	assert_int_equal(gw_ipv4_parse(&ip, pkt, len), 0);
	assert_int_equal(gw_udp_parse_opt(&u, &ip, GW_NET_CKSUM_VERIFIED), 0);
	pkt[25] = 200;
	assert_int_equal(gw_udp_parse_opt(&u, &ip, GW_NET_CKSUM_VERIFIED), -EBADMSG);
	/* 7: IP payload too short for a UDP header */
	gw_ipv4_encode(pkt, 1, 2, 17, 64, 4, 0);
	assert_int_equal(gw_ipv4_parse(&ip, pkt, 24), 0);
	assert_int_equal(gw_udp_parse(&u, &ip), -EBADMSG);
}

static void
test_icmp(void **state)
{
	uint8_t m[16] = { 8, 0, 0, 0, 0, 7, 0, 1, 'r', 't', 'c', 'g', 'w', '!', '!', '!' };
	struct gw_icmp_view v;
	uint16_t c = ref_cksum(m, sizeof(m));

	(void)state;
	m[2] = (uint8_t)(c >> 8);
	m[3] = (uint8_t)c;
	assert_int_equal(gw_icmp_parse(&v, m, sizeof(m)), 0);
	assert_int_equal(v.type, GW_ICMP_ECHO_REQUEST);
	assert_int_equal(v.body_len, sizeof(m) - 4);
	m[15] ^= 0x40;
	assert_int_equal(gw_icmp_parse(&v, m, sizeof(m)), -EILSEQ);
	assert_int_equal(gw_icmp_parse(&v, m, 7), -EBADMSG);
}

static void
test_eth_arp(void **state)
{
	static const uint8_t a[6] = {2, 0, 0, 0, 0, 1}, b[6] = {2, 0, 0, 0, 0, 2};
	uint8_t f[GW_ETH_HLEN + GW_ARP_LEN];
	struct gw_eth_view e;
	struct gw_arp_view v;

	(void)state;
	gw_eth_encode(f, b, a, GW_ETHERTYPE_ARP);
	gw_arp_encode(f + GW_ETH_HLEN, GW_ARP_OP_REQUEST, a, 0xc6120001, b, 0xc6120002);
	assert_int_equal(gw_eth_parse(&e, f, 13), -EBADMSG);
	assert_int_equal(gw_eth_parse(&e, f, sizeof(f)), 0);
	assert_int_equal(e.ethertype, GW_ETHERTYPE_ARP);
	assert_memory_equal(e.dst, b, 6);
	assert_memory_equal(e.src, a, 6);
	assert_int_equal(gw_arp_parse(&v, e.payload, e.payload_len), 0);
	assert_int_equal(v.op, GW_ARP_OP_REQUEST);
	assert_int_equal(v.spa, 0xc6120001);
	assert_int_equal(v.tpa, 0xc6120002);
	assert_memory_equal(v.sha, a, 6);
	/* numbered error rows */
	assert_int_equal(gw_arp_parse(&v, e.payload, 27), -EBADMSG);          /* 1 truncated */
	f[GW_ETH_HLEN + 1] = 6;                                                  /* 2 htype 6 */
	assert_int_equal(gw_arp_parse(&v, e.payload, 28), -EPROTONOSUPPORT);
	f[GW_ETH_HLEN + 1] = 1;
	f[GW_ETH_HLEN + 5] = 16;                                                 /* 3 plen 16 */
	assert_int_equal(gw_arp_parse(&v, e.payload, 28), -EPROTONOSUPPORT);
	f[GW_ETH_HLEN + 5] = 4;
	f[GW_ETH_HLEN + 7] = 3;                                                  /* 4 RARP op */
	assert_int_equal(gw_arp_parse(&v, e.payload, 28), -EINVAL);
}

static void
test_demux_table(void **state)
{
	static const struct { int row; uint8_t b0, b1; size_t len; enum gw_demux_class want; } rows[] = {
		{ 1, 0, 1, 20, GW_DEMUX_STUN },      { 2, 3, 0, 20, GW_DEMUX_STUN },
		{ 3, 4, 0, 20, GW_DEMUX_UNKNOWN },   { 4, 15, 0, 20, GW_DEMUX_UNKNOWN },
		{ 5, 16, 0, 20, GW_DEMUX_ZRTP },     { 6, 19, 0, 20, GW_DEMUX_ZRTP },
		{ 7, 20, 0, 20, GW_DEMUX_DTLS },     { 8, 63, 0, 20, GW_DEMUX_DTLS },
		{ 9, 64, 0, 20, GW_DEMUX_CHANDATA }, { 10, 79, 0, 20, GW_DEMUX_CHANDATA },
		{ 11, 80, 0, 20, GW_DEMUX_UNKNOWN }, { 12, 127, 0, 20, GW_DEMUX_UNKNOWN },
		{ 13, 128, 96, 20, GW_DEMUX_RTP },   { 14, 0x80, 200, 20, GW_DEMUX_RTCP },
		{ 15, 0x81, 192, 20, GW_DEMUX_RTCP },{ 16, 0x81, 223, 20, GW_DEMUX_RTCP },
		{ 17, 0x80, 224, 20, GW_DEMUX_RTP }, { 18, 191, 0, 20, GW_DEMUX_RTP },
		{ 19, 192, 0, 20, GW_DEMUX_UNKNOWN },{ 20, 255, 0, 20, GW_DEMUX_UNKNOWN },
		{ 21, 0, 0, 0, GW_DEMUX_EMPTY },     { 22, 0x80, 0, 1, GW_DEMUX_RTP },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t p[20] = { rows[i].b0, rows[i].b1 };

		print_message("row %d\n", rows[i].row);
		assert_int_equal(gw_demux_classify(p, rows[i].len), rows[i].want);
	}
	assert_string_equal(gw_demux_name(GW_DEMUX_DTLS), "dtls");
	assert_string_equal(gw_demux_name(GW_DEMUX_MAX), "invalid");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_example),
		cmocka_unit_test(test_ipv4_encode_matches_example),
		cmocka_unit_test(test_ipv4_errors),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv4_martian_src),
		cmocka_unit_test(test_udp_checksum_against_reference),
		cmocka_unit_test(test_cksum_fast_vs_naive),
		cmocka_unit_test(test_udp_errors),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_eth_arp),
		cmocka_unit_test(test_demux_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
