/*
 * gw_stream: RFC 8656 §6.2 stream framing. The same mixed sequence of STUN
 * and ChannelData frames comes out whole and in order whether it arrives in
 * one piece, byte by byte or in uneven chunks; ChannelData waits for its
 * padding; oversize and unframeable heads are refused from their first 4
 * bytes; a small buffer carries many frames (compaction).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stream.h"

/* A Binding request with one 4-byte attribute (SOFTWARE "abcd"). */
static const uint8_t stun[28] = {
	0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
	0x80, 0x22, 0x00, 0x04, 'a', 'b', 'c', 'd',
};
/* ChannelData 0x4001 with 5 bytes (3 bytes of padding on the stream). */
static const uint8_t cd5[12] = { 0x40, 0x01, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', 0, 0, 0 };
/* ChannelData 0x7fff (RFC 5766 range) with no data. */
static const uint8_t cd0[4] = { 0x7f, 0xff, 0x00, 0x00 };
/* ChannelData 0x4002 with 8 bytes (no padding). */
static const uint8_t cd8[12] = { 0x40, 0x02, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8 };

static const struct {
	const uint8_t *p;
	size_t frame, msg;
	int kind;
} seq[] = {
	{ stun, sizeof(stun), 28, GW_STREAM_STUN },
	{ cd5, sizeof(cd5), 9, GW_STREAM_CHANDATA },
	{ cd0, sizeof(cd0), 4, GW_STREAM_CHANDATA },
	{ cd8, sizeof(cd8), 12, GW_STREAM_CHANDATA },
	{ cd5, sizeof(cd5), 9, GW_STREAM_CHANDATA },
	{ stun, sizeof(stun), 28, GW_STREAM_STUN },
};
#define NSEQ (sizeof(seq) / sizeof(seq[0]))

static size_t
build(uint8_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < NSEQ; i++) {
		memcpy(out + n, seq[i].p, seq[i].frame);
		n += seq[i].frame;
	}
	return n;
}

/* Feed the sequence in chunks of chunk(i) bytes; check every message. */
static void
feed(size_t (*chunk)(size_t i), size_t cap)
{
	uint8_t stream[256], buf[256];
	struct gw_stream d;
	size_t total = build(stream), fed = 0, got = 0;

	gw_stream_init(&d, buf, cap, 1500);
	for (size_t i = 0; fed < total; i++) {
		uint8_t *w;
		size_t room = gw_stream_space(&d, &w), n = chunk(i);
		const uint8_t *m;
		size_t ml;
		int rc;

		if (n > total - fed)
			n = total - fed;
		if (n > room)
			n = room;
		assert_true(n > 0);
		memcpy(w, stream + fed, n);
		gw_stream_commit(&d, n);
		fed += n;
		while ((rc = gw_stream_next(&d, &m, &ml)) > 0) {
			assert_true(got < NSEQ);
			assert_int_equal(rc, seq[got].kind);
			assert_int_equal(ml, seq[got].msg);
			assert_memory_equal(m, seq[got].p, ml);
			got++;
		}
		assert_int_equal(rc, 0);
	}
	assert_int_equal(got, NSEQ);
	assert_int_equal(gw_stream_pending(&d), 0);
}

static size_t all(size_t i) { (void)i; return 1000; }
static size_t one(size_t i) { (void)i; return 1; }
static size_t uneven(size_t i) { return (size_t[]){ 3, 17, 1, 30, 7, 2, 11 }[i % 7]; }

static void
test_coalesced(void **state)
{
	(void)state;
	feed(all, 256);
}

static void
test_split(void **state)
{
	(void)state;
	feed(one, 256);
	feed(uneven, 256);
}

/* A buffer just larger than the largest frame: compaction at every read. */
static void
test_small_buffer(void **state)
{
	(void)state;
	feed(uneven, 32);
	feed(one, 32);
}

static void
test_padding_awaited(void **state)
{
	uint8_t buf[64], *w;
	struct gw_stream d;
	const uint8_t *m;
	size_t ml;

	(void)state;
	gw_stream_init(&d, buf, sizeof(buf), 1500);
	gw_stream_space(&d, &w);
	memcpy(w, cd5, 9);                     /* the message, not its padding */
	gw_stream_commit(&d, 9);
	assert_int_equal(gw_stream_next(&d, &m, &ml), 0);
	assert_int_equal(gw_stream_pending(&d), 9);
	gw_stream_space(&d, &w);
	memcpy(w, cd5 + 9, 3);
	gw_stream_commit(&d, 3);
	assert_int_equal(gw_stream_next(&d, &m, &ml), GW_STREAM_CHANDATA);
	assert_int_equal(ml, 9);
	assert_int_equal(gw_stream_pending(&d), 0);
}

static void
test_errors(void **state)
{
	static const uint8_t big[4] = { 0x40, 0x01, 0x05, 0xdd };     /* 4 + 1501 */
	static const uint8_t fits[4] = { 0x40, 0x01, 0x05, 0xd8 };    /* 4 + 1496 */
	static const uint8_t big_stun[4] = { 0x00, 0x01, 0x05, 0xcc }; /* 20 + 1484 */
	static const uint8_t odd_stun[4] = { 0x00, 0x01, 0x00, 0x05 };
	static const uint8_t tls[4] = { 0x16, 0x03, 0x01, 0x00 };     /* a TLS record: STUN-shaped */
	static const uint8_t rtp[4] = { 0x80, 0x60, 0x00, 0x01 };
	static const uint8_t ff[4] = { 0xff, 0xff, 0xff, 0xff };
	size_t ml = 0, fl = 0;

	(void)state;
	assert_int_equal(gw_stream_frame(big, 4, 1500, &ml, &fl), -EMSGSIZE);
	assert_int_equal(gw_stream_frame(fits, 4, 1500, &ml, &fl), 0);
	assert_int_equal(gw_stream_frame(big_stun, 4, 1500, &ml, &fl), -EMSGSIZE);
	assert_int_equal(gw_stream_frame(odd_stun, 4, 1500, &ml, &fl), -EINVAL);
	assert_int_equal(gw_stream_frame(rtp, 4, 1500, &ml, &fl), -EBADMSG);
	assert_int_equal(gw_stream_frame(ff, 4, 1500, &ml, &fl), -EBADMSG);
	/* 0x16 has first bits 00: framed as STUN (the parser refuses it later) */
	assert_int_equal(gw_stream_frame(tls, 4, 1500, &ml, &fl), 0);
	/* fewer than 4 bytes: never an error yet */
	assert_int_equal(gw_stream_frame(ff, 3, 1500, &ml, &fl), 0);
	assert_int_equal(gw_stream_frame(ff, 0, 1500, &ml, &fl), 0);
	assert_int_equal(ml, 0);
	assert_int_equal(fl, 0);
}

/* max_msg larger than the buffer can hold is lowered, so a frame always fits. */
static void
test_max_clamped(void **state)
{
	uint8_t buf[32], *w;
	struct gw_stream d;
	const uint8_t *m;
	size_t ml;
	static const uint8_t cd28[4] = { 0x40, 0x01, 0x00, 28 };   /* 32 bytes: too big */

	(void)state;
	gw_stream_init(&d, buf, sizeof(buf), 1500);
	assert_true(gw_stream_space(&d, &w) == 32);
	memcpy(w, cd28, 4);
	gw_stream_commit(&d, 4);
	assert_int_equal(gw_stream_next(&d, &m, &ml), -EMSGSIZE);
	/* commit never runs past the buffer */
	gw_stream_commit(&d, 1000);
	assert_int_equal(gw_stream_pending(&d), 32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_coalesced),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_padding_awaited),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_max_clamped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
