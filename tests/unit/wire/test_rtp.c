/* gw_rtp: RTP header views, RFC 8285 extensions, RTCP compounds, RFC 5761 demux. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rtp.h"

/* RFC 7714 §16.1's RTP packet: plain 12-byte header, 38-byte payload. */
static const uint8_t plain[] = {
	0x80, 0x40, 0xf1, 0x7b, 0x80, 0x41, 0xf8, 0xd3, 0x55, 0x01, 0xa0, 0xb2,
	'G', 'a', 'l', 'l', 'i', 'a',
};

static void
test_parse_plain(void **state)
{
	struct gw_rtp_view v;

	(void)state;
	assert_int_equal(gw_rtp_parse(&v, plain, sizeof(plain)), 0);
	assert_int_equal(v.version, 2);
	assert_false(v.padding);
	assert_false(v.extension);
	assert_false(v.marker);
	assert_int_equal(v.pt, 0x40);
	assert_int_equal(v.seq, 0xf17b);
	assert_int_equal(v.ts, 0x8041f8d3);
	assert_int_equal(v.ssrc, 0x5501a0b2);
	assert_int_equal(v.hdr_len, 12);
	assert_ptr_equal(v.payload, plain + 12);
	assert_int_equal(v.payload_len, 6);
	assert_int_equal(gw_rtp_hdr_len(plain, sizeof(plain)), 12);
}

/* CSRCs, a one-byte-form extension block, padding. */
static void
test_parse_full(void **state)
{
	static const uint8_t p[] = {
		0xb2, 0xe0, 0x00, 0x01, 0, 0, 0, 9, 0, 0, 0, 7,      /* P X CC=2, M, PT 96 */
		0, 0, 0, 1, 0, 0, 0, 2,                              /* CSRCs */
		0xbe, 0xde, 0x00, 0x02,                              /* 8 bytes of elements */
		0x10, 0xaa,                                          /* id 1, 1 byte */
		0x00,                                                /* padding byte */
		0x22, 0x01, 0x02, 0x03,                              /* id 2, 3 bytes */
		0x00,
		'x', 'y', 0, 0, 3,                                   /* payload + 3 pad */
	};
	struct gw_rtp_view v;
	struct gw_rtp_ext_elem e;
	struct gw_rtp_ext_iter it;

	(void)state;
	assert_int_equal(gw_rtp_parse(&v, p, sizeof(p)), 0);
	assert_true(v.padding && v.extension && v.marker);
	assert_int_equal(v.cc, 2);
	assert_int_equal(v.pt, 96);
	assert_ptr_equal(v.csrc, p + 12);
	assert_int_equal(v.ext_profile, 0xbede);
	assert_int_equal(v.ext_len, 8);
	assert_int_equal(v.hdr_len, 32);
	assert_int_equal(v.pad_len, 3);
	assert_int_equal(v.payload_len, 2);
	assert_memory_equal(v.payload, "xy", 2);

	assert_int_equal(gw_rtp_ext_begin(&it, &v), 0);
	assert_int_equal(gw_rtp_ext_next(&it, &e), 1);
	assert_int_equal(e.id, 1);
	assert_int_equal(e.len, 1);
	assert_int_equal(e.data[0], 0xaa);
	assert_int_equal(gw_rtp_ext_next(&it, &e), 1);
	assert_int_equal(e.id, 2);
	assert_int_equal(e.len, 3);
	assert_int_equal(gw_rtp_ext_next(&it, &e), 0);
	assert_int_equal(gw_rtp_ext_find(&v, 2, &e), 0);
	assert_int_equal(e.data[2], 0x03);
	assert_int_equal(gw_rtp_ext_find(&v, 3, &e), -ENOENT);
}

static void
test_ext_two_byte_and_bad(void **state)
{
	uint8_t p[] = {
		0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1,
		0x10, 0x00, 0x00, 0x01,                 /* two-byte form, 4 bytes */
		0x05, 0x02, 0xab, 0xcd,                 /* id 5, 2 bytes */
	};
	struct gw_rtp_view v;
	struct gw_rtp_ext_elem e;

	(void)state;
	assert_int_equal(gw_rtp_parse(&v, p, sizeof(p)), 0);
	assert_int_equal(gw_rtp_ext_find(&v, 5, &e), 0);
	assert_int_equal(e.len, 2);
	assert_int_equal(e.data[1], 0xcd);
	p[17] = 3;                                  /* element runs past the block */
	assert_int_equal(gw_rtp_parse(&v, p, sizeof(p)), 0);
	assert_int_equal(gw_rtp_ext_find(&v, 5, &e), -EBADMSG);
	p[12] = 0x12;                               /* neither RFC 8285 form */
	assert_int_equal(gw_rtp_parse(&v, p, sizeof(p)), 0);
	assert_int_equal(gw_rtp_ext_find(&v, 5, &e), -ENOENT);
}

/* Each row: a malformed RTP packet and the error it gets. */
static void
test_rtp_bad(void **state)
{
	static const struct { uint8_t b[24]; size_t len; int rc; } rows[] = {
		/* 1 */ { { 0x80, 0 }, 11, -EBADMSG },                   /* short */
		/* 2 */ { { 0x40, 0 }, 12, -EPROTO },                    /* version 1 */
		/* 3 */ { { 0x81, 0 }, 12, -EBADMSG },                   /* CSRC past the end */
		/* 4 */ { { 0x90, 0 }, 14, -EBADMSG },                   /* ext header cut */
		/* 5 */ { { 0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0, 2 }, 20,
			  -EBADMSG },                                   /* ext body cut */
		/* 6 */ { { 0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 13, -EBADMSG }, /* pad 0 */
		/* 7 */ { { 0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 }, 13, -EBADMSG }, /* pad > */
		/* 8 */ { { 0xa0, 0 }, 12, -EBADMSG },                   /* P, no byte */
		/* 9 */ { { 0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 13, 0 },        /* pad 1 ok */
	};
	struct gw_rtp_view v;

	(void)state;
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		int rc = gw_rtp_parse(&v, rows[i].b, rows[i].len);

		if (rc != rows[i].rc)
			fail_msg("row %u: rc %d, want %d", i + 1, rc, rows[i].rc);
	}
}

static void
test_rtcp_compound(void **state)
{
	static const uint8_t p[] = {
		0x81, 0xc8, 0x00, 0x0c, 0x4d, 0x61, 0x72, 0x73,      /* SR, 1 block: 52 bytes */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   /* sender info */
		0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* block */
		0x81, 0xcd, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0x00, 0x07, 0x00, 0x00, /* NACK */
	};
	struct gw_rtcp_iter it;
	struct gw_rtcp_view v;
	uint8_t bad[sizeof(p)];

	(void)state;
	gw_rtcp_begin(&it, p, sizeof(p));
	assert_int_equal(gw_rtcp_next(&it, &v), 1);
	assert_int_equal(v.pt, GW_RTCP_SR);
	assert_int_equal(v.count, 1);
	assert_int_equal(v.len, 52);
	assert_int_equal(v.ssrc, 0x4d617273);
	assert_int_equal(gw_rtcp_next(&it, &v), 1);
	assert_int_equal(v.pt, GW_RTCP_RTPFB);
	assert_int_equal(v.count, 1);
	assert_int_equal(v.body_len, 8);
	assert_int_equal(gw_rtcp_next(&it, &v), 0);

	memcpy(bad, p, sizeof(p));
	bad[55] = 0x04;                             /* second packet's length past the end */
	gw_rtcp_begin(&it, bad, sizeof(bad));
	assert_int_equal(gw_rtcp_next(&it, &v), 1);
	assert_int_equal(gw_rtcp_next(&it, &v), -EBADMSG);
	gw_rtcp_begin(&it, p + 52, sizeof(p) - 52); /* compound must start with SR/RR */
	assert_int_equal(gw_rtcp_next(&it, &v), -EBADMSG);
	memcpy(bad, p, sizeof(p));
	bad[0] = 0x41;
	gw_rtcp_begin(&it, bad, sizeof(bad));
	assert_int_equal(gw_rtcp_next(&it, &v), -EPROTO);
	gw_rtcp_begin(&it, p, 7);
	assert_int_equal(gw_rtcp_next(&it, &v), -EBADMSG);
}

/* RFC 5761 §4: second byte 192-223 is RTCP, the rest RTP. */
static void
test_demux(void **state)
{
	static const struct { uint8_t b0, b1; bool rtcp; } rows[] = {
		/* 1 */ { 0x80, 0x00, false },   /* PCMU */
		/* 2 */ { 0x80, 0xef, false },   /* PT 111 + M */
		/* 3 */ { 0x80, 0xc8, true },    /* SR */
		/* 4 */ { 0x80, 0xc9, true },    /* RR */
		/* 5 */ { 0x81, 0xce, true },    /* PSFB */
		/* 6 */ { 0x80, 0xc0, true },    /* 192: lowest */
		/* 7 */ { 0x80, 0xdf, true },    /* 223: highest */
		/* 8 */ { 0x80, 0xe0, false },   /* 224: PT 96 + M */
		/* 9 */ { 0x80, 0xbf, false },   /* 191: PT 63 + M */
		/* 10 */ { 0x16, 0xc8, false },  /* DTLS first byte */
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint8_t b[2] = { rows[i].b0, rows[i].b1 };

		if (gw_rtp_is_rtcp(b, 2) != rows[i].rtcp)
			fail_msg("row %u", i + 1);
	}
	assert_false(gw_rtp_is_rtcp((const uint8_t *)"\x80", 1));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_plain),
		cmocka_unit_test(test_parse_full),
		cmocka_unit_test(test_ext_two_byte_and_bad),
		cmocka_unit_test(test_rtp_bad),
		cmocka_unit_test(test_rtcp_compound),
		cmocka_unit_test(test_demux),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
