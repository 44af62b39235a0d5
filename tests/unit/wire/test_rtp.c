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

/* RFC 4588 §4: an RTX packet of a packet with a CSRC, a one-byte extension
 * block, the marker bit and padding: header and extensions kept, PT, seq and
 * SSRC of the RTX stream, OSN then the payload, the padding left behind. */
static void
test_rtx_encode(void **state)
{
	static const uint8_t orig[] = {
		0xb1, 0xe0, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x11, 0x22, 0x33, 0x44, /* P X CC=1, M PT 96 */
		0xaa, 0xbb, 0xcc, 0xdd,                                                 /* CSRC */
		0xbe, 0xde, 0x00, 0x01, 0x10, 0x07, 0x00, 0x00,                         /* ext: id 1 */
		'v', 'p', '8', '!', 0x01,                                               /* payload */
		0x00, 0x00, 0x03,                                                       /* padding */
	};
	static const uint8_t want[] = {
		0x91, 0xe1, 0x00, 0x07, 0xde, 0xad, 0xbe, 0xef, 0x55, 0x66, 0x77, 0x88,
		0xaa, 0xbb, 0xcc, 0xdd,
		0xbe, 0xde, 0x00, 0x01, 0x10, 0x07, 0x00, 0x00,
		0x12, 0x34,                                                             /* OSN */
		'v', 'p', '8', '!', 0x01,
	};
	uint8_t out[64];

	(void)state;
	assert_int_equal(gw_rtp_rtx_encode(out, sizeof(out), orig, sizeof(orig), 97, 0x55667788, 7),
			 sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	/* without the marker, no padding: len + 2 */
	assert_int_equal(gw_rtp_rtx_encode(out, sizeof(out), plain, sizeof(plain), 0x41, 1, 0xffff),
			 sizeof(plain) + 2);
	assert_int_equal(out[1], 0x41);
	assert_memory_equal(out + 12, "\xf1\x7b" "Gallia", 8);
	assert_int_equal(gw_rtp_rtx_encode(out, sizeof(plain) + 1, plain, sizeof(plain), 97, 1, 1),
			 -ENOSPC);
	assert_int_equal(gw_rtp_rtx_encode(out, sizeof(out), plain, 11, 97, 1, 1), -EBADMSG);
}

struct sr_counts {
	uint32_t ssrc, packets, octets;
	unsigned calls;
};

static bool
sr_counts(void *arg, uint32_t ssrc, uint32_t *packets, uint32_t *octets)
{
	struct sr_counts *c = arg;

	c->calls++;
	if (ssrc != c->ssrc)
		return false;
	*packets = c->packets;
	*octets = c->octets;
	return true;
}

/* A publisher's compound SR (2 report blocks and a 4-byte profile extension)
 * + SDES, then SR (no blocks, another SSRC) + SDES with padding: counts
 * replaced where known, blocks and extension gone, RC 0, lengths fixed, the
 * SDES kept byte for byte. */
static void
test_sr_rewrite(void **state)
{
	uint8_t p[256], want[256];
	size_t n = 0, w = 0;
	struct sr_counts c = { .ssrc = 0x01020304, .packets = 1000, .octets = 900000 };
	static const uint8_t sdes[] = { 0x81, 0xca, 0x00, 0x03, 0x01, 0x02, 0x03, 0x04,
					0x01, 0x02, 'a', 'b', 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t sdes_pad[] = { 0xa1, 0xca, 0x00, 0x03, 0x09, 0x09, 0x09, 0x09,
					    0x01, 0x01, 'x', 0x00, 0x00, 0x00, 0x00, 0x04 };

	(void)state;
	/* SR, RC=2, 28 + 48 + 4 bytes: length (80 / 4) - 1 = 19 */
	memset(p, 0, sizeof(p));
	p[0] = 0x82;
	p[1] = 200;
	p[3] = 19;
	memcpy(p + 4, "\x01\x02\x03\x04", 4);
	for (unsigned i = 8; i < 28; i++)
		p[i] = (uint8_t)(0x40 + i);                 /* NTP, RTP ts, counts */
	memset(p + 28, 0xee, 52);                           /* blocks + extension */
	n = 80;
	memcpy(p + n, sdes, sizeof(sdes));
	n += sizeof(sdes);
	p[n] = 0x80;                                        /* second SR, other SSRC */
	p[n + 1] = 200;
	p[n + 3] = 6;
	memcpy(p + n + 4, "\x09\x09\x09\x09", 4);
	for (unsigned i = 8; i < 28; i++)
		p[n + i] = (uint8_t)(0x70 + i);
	n += 28;
	memcpy(p + n, sdes_pad, sizeof(sdes_pad));
	n += sizeof(sdes_pad);

	memcpy(want, p, 28);
	want[0] = 0x80;
	want[3] = 6;
	memcpy(want + 20, "\x00\x00\x03\xe8\x00\x0d\xbb\xa0", 8);   /* 1000, 900000 */
	w = 28;
	memcpy(want + w, sdes, sizeof(sdes));
	w += sizeof(sdes);
	memcpy(want + w, p + 80 + sizeof(sdes), 28 + sizeof(sdes_pad));   /* unknown SSRC: kept */
	w += 28 + sizeof(sdes_pad);

	assert_int_equal(gw_rtcp_sr_rewrite(p, n, sr_counts, &c), w);
	assert_memory_equal(p, want, w);
	assert_int_equal(c.calls, 2);
	/* the result is a valid compound */
	{
		struct gw_rtcp_iter it;
		struct gw_rtcp_view v;
		unsigned k = 0;

		gw_rtcp_begin(&it, p, w);
		while (gw_rtcp_next(&it, &v) == 1)
			k++;
		assert_int_equal(k, 4);
		assert_ptr_equal(it.p, p + w);
	}
	/* a length that runs past the end: nothing touched after it */
	memcpy(p, want, w);
	p[3] = 60;
	assert_int_equal(gw_rtcp_sr_rewrite(p, w, sr_counts, &c), w);
	p[3] = 6;
	assert_memory_equal(p, want, w);
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
		cmocka_unit_test(test_rtx_encode),
		cmocka_unit_test(test_sr_rewrite),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
