/*
 * test_turn: the stateless TURN pieces (turn.h): ChannelData framing edge
 * cases (numbered table), TURN REST API credentials against values computed
 * independently with the openssl command line, stateless nonces (expiry,
 * tampering, binding to the client IP) and the peer address policy.
 *
 * RFC 5769 §2.4's long-term-credential vector (MESSAGE-INTEGRITY with
 * MD5(user:realm:pass)) and RFC 8489 B.1 (SHA-256) are covered in
 * test_stun.c (test_rfc5769_longterm, test_rfc8489_b1); the TURN server
 * uses the same gw_stun_longterm_key_* and gw_stun_check_integrity* calls.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hmac.h"
#include "stun.h"
#include "turn.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* ---- ChannelData ------------------------------------------------------------ */

static const struct {
	size_t len;              /* datagram length */
	uint8_t hdr[4];          /* channel, length field */
	int want;                /* parse result */
} chandata_cases[] = {
	/* 1 */ { 4,  { 0x40, 0x00, 0x00, 0x00 }, 0 },          /* empty payload */
	/* 2 */ { 3,  { 0x40, 0x00, 0x00, 0x00 }, -EBADMSG },    /* short header */
	/* 3 */ { 9,  { 0x40, 0x00, 0x00, 0x05 }, 0 },          /* 5 bytes, no padding (UDP) */
	/* 4 */ { 12, { 0x40, 0x00, 0x00, 0x05 }, 0 },          /* 5 bytes, padded to 8 */
	/* 5 */ { 10, { 0x40, 0x00, 0x00, 0x05 }, 0 },          /* partial padding */
	/* 6 */ { 13, { 0x40, 0x00, 0x00, 0x05 }, -EBADMSG },   /* beyond the padding */
	/* 7 */ { 8,  { 0x40, 0x00, 0x00, 0x05 }, -EBADMSG },   /* truncated data */
	/* 8 */ { 8,  { 0x4f, 0xff, 0x00, 0x04 }, 0 },          /* last channel, aligned */
	/* 9 */ { 9,  { 0x4f, 0xff, 0x00, 0x04 }, -EBADMSG },   /* aligned: no padding allowed */
	/* 10 */ { 8, { 0x50, 0x00, 0x00, 0x04 }, -ERANGE },    /* reserved 0x5000 */
	/* 11 */ { 8, { 0x3f, 0xff, 0x00, 0x04 }, -ERANGE },    /* below 0x4000 (STUN range) */
	/* 12 */ { 8, { 0x7f, 0xff, 0x00, 0x04 }, -ERANGE },    /* reserved top */
	/* 13 */ { 7, { 0x40, 0x01, 0x00, 0x03 }, 0 },          /* 3 bytes, no padding */
	/* 14 */ { 8, { 0x40, 0x01, 0x00, 0x03 }, 0 },          /* 3 bytes, padded */
	/* 15 */ { 4, { 0x40, 0x01, 0xff, 0xff }, -EBADMSG },   /* huge length, no data */
};

static void
test_chandata_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(chandata_cases) / sizeof(chandata_cases[0]); i++) {
		uint8_t buf[64] = { 0 };
		struct gw_turn_chandata cd;
		int err;

		memcpy(buf, chandata_cases[i].hdr, 4);
		for (size_t j = 4; j < sizeof(buf); j++)
			buf[j] = (uint8_t)j;
		err = gw_turn_chandata_parse(&cd, buf, chandata_cases[i].len);
		if (err != chandata_cases[i].want)
			fail_msg("row %zu: got %d want %d", i + 1, err, chandata_cases[i].want);
		if (err == 0) {
			assert_int_equal(cd.channel, buf[0] << 8 | buf[1]);
			assert_int_equal(cd.len, buf[2] << 8 | buf[3]);
			assert_ptr_equal(cd.data, buf + 4);
		}
	}
}

static void
test_chandata_encode(void **state)
{
	uint8_t buf[16], payload[5] = { 1, 2, 3, 4, 5 };
	struct gw_turn_chandata cd;

	(void)state;
	/* unpadded (UDP): 4 + 5 */
	assert_int_equal(gw_turn_chandata_encode(buf, sizeof(buf), 0x4001, payload, 5, false), 9);
	assert_int_equal(gw_turn_chandata_parse(&cd, buf, 9), 0);
	assert_int_equal(cd.channel, 0x4001);
	assert_int_equal(cd.len, 5);
	assert_memory_equal(cd.data, payload, 5);
	/* padded: 4 + 8, zero padding, length field still 5 */
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(gw_turn_chandata_encode(buf, sizeof(buf), 0x4fff, payload, 5, true), 12);
	assert_int_equal(buf[3], 5);
	assert_int_equal(buf[9] | buf[10] | buf[11], 0);
	assert_int_equal(gw_turn_chandata_parse(&cd, buf, 12), 0);
	/* in place: payload already at buf + 4 */
	memcpy(buf + 4, payload, 5);
	assert_int_equal(gw_turn_chandata_encode(buf, sizeof(buf), 0x4002, buf + 4, 5, false), 9);
	assert_memory_equal(buf + 4, payload, 5);
	/* overlapping source at buf (a Data indication's payload moved down) */
	memcpy(buf, payload, 5);
	assert_int_equal(gw_turn_chandata_encode(buf, sizeof(buf), 0x4002, buf, 5, false), 9);
	assert_memory_equal(buf + 4, payload, 5);
	/* errors */
	assert_int_equal(gw_turn_chandata_encode(buf, 8, 0x4001, payload, 5, false), -ENOSPC);
	assert_int_equal(gw_turn_chandata_encode(buf, 11, 0x4001, payload, 5, true), -ENOSPC);
	assert_int_equal(gw_turn_chandata_encode(buf, sizeof(buf), 0x8000, payload, 5, false), -EINVAL);
	assert_int_equal(gw_turn_chandata_encode(buf, sizeof(buf), 0x7fff, payload, 5, false), 9);
	assert_int_equal(gw_turn_chandata_encode(buf, sizeof(buf), 0x3fff, payload, 5, false), -EINVAL);
	assert_int_equal(gw_turn_chandata_encode(NULL, 16, 0x4001, payload, 5, false), -EINVAL);
	assert_int_equal(gw_turn_chandata_encode(buf, sizeof(buf), 0x4001, NULL, 5, false), -EINVAL);
	assert_int_equal(gw_turn_chandata_encode(buf, sizeof(buf), 0x4001, payload, 70000, false),
			 -EMSGSIZE);
	assert_int_equal(gw_turn_chandata_encode(buf, 4, 0x4001, NULL, 0, true), 4);
	assert_true(gw_turn_channel_valid(0x4000));
	assert_true(gw_turn_channel_valid(0x4fff));
	assert_false(gw_turn_channel_valid(0x3fff));
	assert_false(gw_turn_channel_valid(0x5000));
	assert_false(gw_turn_channel_valid(0x14000));
	/* RFC 5766's range where the caller allows it */
	buf[0] = 0x7f; buf[1] = 0xff; buf[2] = 0; buf[3] = 0;
	assert_int_equal(gw_turn_chandata_parse(&cd, buf, 4), -ERANGE);
	assert_int_equal(gw_turn_chandata_parse_range(&cd, buf, 4, GW_TURN_CHAN_MAX_RFC5766), 0);
	assert_int_equal(cd.channel, 0x7fff);
	buf[0] = 0x80; buf[1] = 0x00;
	assert_int_equal(gw_turn_chandata_parse_range(&cd, buf, 4, GW_TURN_CHAN_MAX_RFC5766), -ERANGE);
	buf[0] = 0x3f; buf[1] = 0xff;
	assert_int_equal(gw_turn_chandata_parse_range(&cd, buf, 4, GW_TURN_CHAN_MAX_RFC5766), -ERANGE);
}

/* ---- request validation --------------------------------------------------------- */

enum { A_TRANSPORT = 1, A_TRANSPORT_TCP = 2, A_EVEN = 4, A_EVEN_R = 8, A_TOKEN = 16,
       A_PEER = 32, A_PEER2 = 64, A_PEER6 = 128, A_CHAN = 256, A_CHAN_BAD = 512,
       A_DATA = 1024, A_FAMILY6 = 2048, A_LIFETIME = 4096, A_FAMILY4 = 8192,
       A_ADD_FAMILY6 = 16384, A_FAMILY_BAD = 32768, A_ADD_FAMILY4 = 65536,
       A_ADD_FAMILY6_COTURN = 131072 };

static size_t
build(uint8_t *buf, size_t cap, uint16_t method, enum gw_stun_class cls, unsigned attrs)
{
	static const uint8_t txid[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	struct gw_stun_addr p4 = { .family = GW_STUN_FAMILY_IPV4, .port = 5000,
				   .addr = { 198, 18, 5, 10 } };
	struct gw_stun_addr p6 = { .family = GW_STUN_FAMILY_IPV6, .port = 5000,
				   .addr = { 0x20, 0x01, 0x0d, 0xb8 } };
	struct gw_stun_enc e;
	uint8_t ev = 0x80;

	assert_int_equal(gw_stun_enc_init(&e, buf, cap, gw_stun_type(method, cls), txid), 0);
	if (attrs & A_TRANSPORT)
		assert_int_equal(gw_stun_enc_u32(&e, GW_STUN_ATTR_REQUESTED_TRANSPORT, 17u << 24), 0);
	if (attrs & A_TRANSPORT_TCP)
		assert_int_equal(gw_stun_enc_u32(&e, GW_STUN_ATTR_REQUESTED_TRANSPORT, 6u << 24), 0);
	if (attrs & A_FAMILY6)
		assert_int_equal(gw_stun_enc_u32(&e, GW_STUN_ATTR_REQUESTED_ADDRESS_FAMILY, 2u << 24), 0);
	if (attrs & A_FAMILY4)
		assert_int_equal(gw_stun_enc_u32(&e, GW_STUN_ATTR_REQUESTED_ADDRESS_FAMILY, 1u << 24), 0);
	if (attrs & A_ADD_FAMILY6)
		assert_int_equal(gw_stun_enc_u32(&e, GW_STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY, 2u << 24), 0);
	if (attrs & A_ADD_FAMILY6_COTURN)      /* coturn's pre-RFC 8656 code point */
		assert_int_equal(gw_stun_enc_u32(&e, 0x8032, 2u << 24), 0);
	if (attrs & A_FAMILY_BAD)
		assert_int_equal(gw_stun_enc_u32(&e, GW_STUN_ATTR_REQUESTED_ADDRESS_FAMILY, 3u << 24), 0);
	if (attrs & A_ADD_FAMILY4)
		assert_int_equal(gw_stun_enc_u32(&e, GW_STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY, 1u << 24), 0);
	if (attrs & A_LIFETIME)
		assert_int_equal(gw_stun_enc_u32(&e, GW_STUN_ATTR_LIFETIME, 1200), 0);
	if (attrs & (A_EVEN | A_EVEN_R))
		assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_EVEN_PORT,
						   (attrs & A_EVEN_R) ? &ev : (const uint8_t *)"", 1), 0);
	if (attrs & A_TOKEN)
		assert_int_equal(gw_stun_enc_u64(&e, GW_STUN_ATTR_RESERVATION_TOKEN, 0x1122334455667788ull), 0);
	if (attrs & A_CHAN)
		assert_int_equal(gw_stun_enc_u32(&e, GW_STUN_ATTR_CHANNEL_NUMBER, 0x40010000u), 0);
	if (attrs & A_CHAN_BAD)
		assert_int_equal(gw_stun_enc_u32(&e, GW_STUN_ATTR_CHANNEL_NUMBER, 0x80000000u), 0);
	if (attrs & A_PEER)
		assert_int_equal(gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &p4), 0);
	if (attrs & A_PEER2)
		assert_int_equal(gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &p4), 0);
	if (attrs & A_PEER6)
		assert_int_equal(gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &p6), 0);
	if (attrs & A_DATA)
		assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_DATA, "hello", 5), 0);
	return gw_stun_enc_len(&e);
}

static const struct {
	uint16_t method;
	enum gw_stun_class cls;
	unsigned attrs;
	int want;
} req_cases[] = {
	/* 1 */  { GW_STUN_ALLOCATE, GW_STUN_REQUEST, A_TRANSPORT, 0 },
	/* 2 */  { GW_STUN_ALLOCATE, GW_STUN_REQUEST, 0, GW_STUN_ERR(400) },
	/* 3 */  { GW_STUN_ALLOCATE, GW_STUN_REQUEST, A_TRANSPORT_TCP, GW_STUN_ERR(442) },
	/* 4 */  { GW_STUN_ALLOCATE, GW_STUN_REQUEST, A_TRANSPORT | A_FAMILY6, GW_STUN_ERR(440) },
	/* 5 */  { GW_STUN_ALLOCATE, GW_STUN_REQUEST, A_TRANSPORT | A_EVEN_R, 0 },
	/* 6 */  { GW_STUN_ALLOCATE, GW_STUN_REQUEST, A_TRANSPORT | A_TOKEN, 0 },
	/* 7 */  { GW_STUN_ALLOCATE, GW_STUN_REQUEST, A_TRANSPORT | A_EVEN | A_TOKEN, GW_STUN_ERR(400) },
	/* 8 */  { GW_STUN_REFRESH, GW_STUN_REQUEST, A_LIFETIME, 0 },
	/* 9 */  { GW_STUN_REFRESH, GW_STUN_REQUEST, 0, 0 },
	/* 10 */ { GW_STUN_CREATE_PERMISSION, GW_STUN_REQUEST, A_PEER | A_PEER2, 0 },
	/* 11 */ { GW_STUN_CREATE_PERMISSION, GW_STUN_REQUEST, 0, GW_STUN_ERR(400) },
	/* 12 */ { GW_STUN_CREATE_PERMISSION, GW_STUN_REQUEST, A_PEER | A_PEER6, GW_STUN_ERR(443) },
	/* 13 */ { GW_STUN_CHANNEL_BIND, GW_STUN_REQUEST, A_CHAN | A_PEER, 0 },
	/* 14 */ { GW_STUN_CHANNEL_BIND, GW_STUN_REQUEST, A_PEER, GW_STUN_ERR(400) },
	/* 15 */ { GW_STUN_CHANNEL_BIND, GW_STUN_REQUEST, A_CHAN_BAD | A_PEER, GW_STUN_ERR(400) }, /* 0x8000 */
	/* 16 */ { GW_STUN_CHANNEL_BIND, GW_STUN_REQUEST, A_CHAN | A_PEER | A_PEER2, GW_STUN_ERR(400) },
	/* 17 */ { GW_STUN_CHANNEL_BIND, GW_STUN_REQUEST, A_CHAN, GW_STUN_ERR(400) },
	/* 18 */ { GW_STUN_CHANNEL_BIND, GW_STUN_REQUEST, A_CHAN | A_PEER6, GW_STUN_ERR(443) },
	/* 19 */ { GW_STUN_SEND, GW_STUN_INDICATION, A_PEER | A_DATA, 0 },
	/* 20 */ { GW_STUN_SEND, GW_STUN_INDICATION, A_PEER, -EBADMSG },
	/* 21 */ { GW_STUN_SEND, GW_STUN_INDICATION, A_DATA, -EBADMSG },
	/* 22 */ { GW_STUN_SEND, GW_STUN_REQUEST, A_PEER | A_DATA, -ENOTSUP },
	/* 23 */ { GW_STUN_BINDING, GW_STUN_REQUEST, 0, -ENOTSUP },
	/* 24 */ { GW_STUN_ALLOCATE, GW_STUN_INDICATION, A_TRANSPORT, -ENOTSUP },
	/* RFC 8656 §7.2 steps 5, 6 and 8: malformed combinations are 400, never 440/508 */
	/* 25 */ { GW_STUN_ALLOCATE, GW_STUN_REQUEST, A_TRANSPORT | A_FAMILY4 | A_ADD_FAMILY6,
		   GW_STUN_ERR(400) },
	/* 26 */ { GW_STUN_ALLOCATE, GW_STUN_REQUEST, A_TRANSPORT | A_FAMILY6 | A_ADD_FAMILY6,
		   GW_STUN_ERR(400) },
	/* 27 */ { GW_STUN_ALLOCATE, GW_STUN_REQUEST, A_TRANSPORT | A_TOKEN | A_FAMILY4,
		   GW_STUN_ERR(400) },
	/* 28 */ { GW_STUN_ALLOCATE, GW_STUN_REQUEST, A_TRANSPORT | A_TOKEN | A_ADD_FAMILY6,
		   GW_STUN_ERR(400) },
	/* 29 */ { GW_STUN_ALLOCATE, GW_STUN_REQUEST, A_TRANSPORT | A_EVEN_R | A_ADD_FAMILY6,
		   GW_STUN_ERR(400) },
	/* 30 */ { GW_STUN_ALLOCATE, GW_STUN_REQUEST, A_TRANSPORT | A_ADD_FAMILY6, GW_STUN_ERR(440) },
	/* 31 */ { GW_STUN_ALLOCATE, GW_STUN_REQUEST, A_TRANSPORT | A_FAMILY4, 0 },
	/* 32 */ { GW_STUN_CHANNEL_BIND, GW_STUN_REQUEST, A_CHAN | A_PEER, 0 }, /* 0x4001 */
};

static void
test_req_check(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(req_cases) / sizeof(req_cases[0]); i++) {
		uint8_t buf[256];
		struct gw_stun_view v;
		struct gw_turn_req r;
		size_t n = build(buf, sizeof(buf), req_cases[i].method, req_cases[i].cls,
				 req_cases[i].attrs);
		int err;

		assert_int_equal(gw_stun_parse(&v, buf, n), 0);
		err = gw_turn_req_check(&r, &v);
		if (err != req_cases[i].want)
			fail_msg("row %zu: got %d want %d", i + 1, err, req_cases[i].want);
		if (err != 0)
			continue;
		if (req_cases[i].attrs & A_EVEN_R)
			assert_true(r.even_port && r.reserve_next);
		if (req_cases[i].attrs & A_TOKEN)
			assert_true(r.has_token && r.token == 0x1122334455667788ull);
		if (req_cases[i].attrs & A_LIFETIME)
			assert_true(r.has_lifetime && r.lifetime == 1200);
		if (req_cases[i].attrs & A_CHAN)
			assert_int_equal(r.channel, 0x4001);
		if (req_cases[i].attrs & A_PEER) {
			assert_int_equal(r.n_peers, (req_cases[i].attrs & A_PEER2) ? 2 : 1);
			assert_int_equal(r.peers[0].port, 5000);
			assert_int_equal(r.peers[0].addr[0], 198);
		}
		if (req_cases[i].attrs & A_DATA) {
			assert_int_equal(r.data_len, 5);
			assert_memory_equal(r.data, "hello", 5);
		}
	}
}

/* RFC 6156 / RFC 8656 address families against what the server relays. */
#define V4 GW_TURN_AF_IPV4
#define V6 GW_TURN_AF_IPV6
static const struct {
	uint16_t method;
	unsigned attrs;
	unsigned relay_af;
	int want;
	uint8_t af, refused, peer_af;
} af_cases[] = {
	/* Allocate, IPv4-only server (the dataplane today) */
	/* 1 */  { GW_STUN_ALLOCATE, A_TRANSPORT, V4, 0, V4, 0, 0 },
	/* 2 */  { GW_STUN_ALLOCATE, A_TRANSPORT | A_FAMILY4, V4, 0, V4, 0, 0 },
	/* 3 */  { GW_STUN_ALLOCATE, A_TRANSPORT | A_FAMILY6, V4, GW_STUN_ERR(440), 0, 0, 0 },
	/* 4 */  { GW_STUN_ALLOCATE, A_TRANSPORT | A_ADD_FAMILY6, V4, 0, V4, V6, 0 },
	/* 5 */  { GW_STUN_ALLOCATE, A_TRANSPORT | A_FAMILY_BAD, V4, GW_STUN_ERR(440), 0, 0, 0 },
	/* 6 */  { GW_STUN_ALLOCATE, A_TRANSPORT | A_ADD_FAMILY4, V4, GW_STUN_ERR(400), 0, 0, 0 },
	/* IPv6-only server */
	/* 7 */  { GW_STUN_ALLOCATE, A_TRANSPORT, V6, GW_STUN_ERR(440), 0, 0, 0 },
	/* 8 */  { GW_STUN_ALLOCATE, A_TRANSPORT | A_FAMILY6, V6, 0, V6, 0, 0 },
	/* 9 */  { GW_STUN_ALLOCATE, A_TRANSPORT | A_ADD_FAMILY6, V6, 0, V6, V4, 0 },
	/* 10 */ { GW_STUN_ALLOCATE, A_TRANSPORT | A_FAMILY4, V6, GW_STUN_ERR(440), 0, 0, 0 },
	/* dual-stack server */
	/* 11 */ { GW_STUN_ALLOCATE, A_TRANSPORT, V4 | V6, 0, V4, 0, 0 },
	/* 12 */ { GW_STUN_ALLOCATE, A_TRANSPORT | A_FAMILY6, V4 | V6, 0, V6, 0, 0 },
	/* 13 */ { GW_STUN_ALLOCATE, A_TRANSPORT | A_ADD_FAMILY6, V4 | V6, 0, V4 | V6, 0, 0 },
	/* 14 */ { GW_STUN_ALLOCATE, A_TRANSPORT | A_FAMILY4 | A_ADD_FAMILY6, V4 | V6,
		   GW_STUN_ERR(400), 0, 0, 0 },
	/* 14b: coturn's 0x8032 (turnutils_uclient -Z) is the same request */
	/* 14b */ { GW_STUN_ALLOCATE, A_TRANSPORT | A_ADD_FAMILY6_COTURN, V4 | V6, 0, V4 | V6, 0, 0 },
	/* 14c */ { GW_STUN_ALLOCATE, A_TRANSPORT | A_FAMILY4 | A_ADD_FAMILY6_COTURN, V4 | V6,
		    GW_STUN_ERR(400), 0, 0, 0 },
	/* 15 */ { GW_STUN_ALLOCATE, A_TRANSPORT | A_TOKEN, V4 | V6, 0, 0, 0, 0 },
	/* 16 */ { GW_STUN_ALLOCATE, A_TRANSPORT | A_EVEN_R | A_ADD_FAMILY6, V4 | V6,
		   GW_STUN_ERR(400), 0, 0, 0 },
	/* Refresh: the caller compares af with the allocation */
	/* 17 */ { GW_STUN_REFRESH, 0, V4, 0, 0, 0, 0 },
	/* 18 */ { GW_STUN_REFRESH, A_FAMILY4, V4, 0, V4, 0, 0 },
	/* 19 */ { GW_STUN_REFRESH, A_FAMILY6, V4, GW_STUN_ERR(443), 0, 0, 0 },
	/* 20 */ { GW_STUN_REFRESH, A_FAMILY6, V4 | V6, 0, V6, 0, 0 },
	/* 21 */ { GW_STUN_REFRESH, A_FAMILY_BAD, V4 | V6, GW_STUN_ERR(400), 0, 0, 0 },
	/* peers */
	/* 22 */ { GW_STUN_CREATE_PERMISSION, A_PEER | A_PEER6, V4, GW_STUN_ERR(443), 0, 0, 0 },
	/* 23 */ { GW_STUN_CREATE_PERMISSION, A_PEER | A_PEER6, V4 | V6, 0, 0, 0, V4 | V6 },
	/* 24 */ { GW_STUN_CREATE_PERMISSION, A_PEER6, V6, 0, 0, 0, V6 },
	/* 25 */ { GW_STUN_CREATE_PERMISSION, A_PEER, V6, GW_STUN_ERR(443), 0, 0, 0 },
	/* 26 */ { GW_STUN_CHANNEL_BIND, A_CHAN | A_PEER6, V4 | V6, 0, 0, 0, V6 },
	/* 27 */ { GW_STUN_CHANNEL_BIND, A_CHAN | A_PEER6, V4, GW_STUN_ERR(443), 0, 0, 0 },
	/* 28 */ { GW_STUN_SEND, A_PEER6 | A_DATA, V4 | V6, 0, 0, 0, V6 },
	/* 29 */ { GW_STUN_SEND, A_PEER6 | A_DATA, V4, -EBADMSG, 0, 0, 0 },
};

static void
test_req_check_af(void **state)
{
	uint8_t buf[256];
	struct gw_stun_view v;
	struct gw_turn_req r;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(af_cases) / sizeof(af_cases[0]); i++) {
		enum gw_stun_class cls = af_cases[i].method == GW_STUN_SEND ? GW_STUN_INDICATION :
									    GW_STUN_REQUEST;
		int err;

		n = build(buf, sizeof(buf), af_cases[i].method, cls, af_cases[i].attrs);
		assert_int_equal(gw_stun_parse(&v, buf, n), 0);
		err = gw_turn_req_check_af(&r, &v, af_cases[i].relay_af);
		if (err != af_cases[i].want)
			fail_msg("row %zu: got %d want %d", i + 1, err, af_cases[i].want);
		if (err != 0)
			continue;
		if (r.af != af_cases[i].af || r.af_refused != af_cases[i].refused ||
		    r.peer_af != af_cases[i].peer_af)
			fail_msg("row %zu: af %u refused %u peer_af %u", i + 1, r.af, r.af_refused,
				 r.peer_af);
		if (af_cases[i].attrs & A_PEER6) {
			const struct gw_stun_addr *p = &r.peers[r.n_peers - 1];

			assert_int_equal(p->family, GW_STUN_FAMILY_IPV6);
			assert_int_equal(p->port, 5000);
			assert_memory_equal(p->addr, ((uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8 }), 16);
		}
	}
	/* the IPv4-only wrapper keeps refusing dual allocation with 440 */
	n = build(buf, sizeof(buf), GW_STUN_ALLOCATE, GW_STUN_REQUEST, A_TRANSPORT | A_ADD_FAMILY6);
	assert_int_equal(gw_stun_parse(&v, buf, n), 0);
	assert_int_equal(gw_turn_req_check(&r, &v), GW_STUN_ERR(440));
	assert_int_equal(gw_turn_req_check_af(&r, &v, 0), -EINVAL);
	assert_int_equal(gw_turn_req_check_af(&r, &v, 4), -EINVAL);
	assert_int_equal(gw_turn_req_check_af(NULL, &v, V4), -EINVAL);
}

/* ADDRESS-ERROR-CODE (RFC 8656 §18.13): hand-laid bytes, then a round trip. */
static void
test_address_error_code(void **state)
{
	static const uint8_t txid[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	static const uint8_t want[] = {
		0x80, 0x01, 0x00, 0x20,              /* type, length 4 + 28 */
		0x02, 0x00, 0x04, 0x28,              /* IPv6, reserved, class 4, number 40 */
		'A', 'd', 'd', 'r', 'e', 's', 's', ' ', 'F', 'a', 'm', 'i', 'l', 'y', ' ',
		'n', 'o', 't', ' ', 'S', 'u', 'p', 'p', 'o', 'r', 't', 'e', 'd',
	};
	struct gw_stun_enc e;
	struct gw_stun_view v;
	uint8_t buf[128], fam;
	uint16_t code;

	(void)state;
	assert_int_equal(gw_stun_enc_init(&e, buf, sizeof(buf),
					  gw_stun_type(GW_STUN_ALLOCATE, GW_STUN_SUCCESS), txid), 0);
	assert_int_equal(gw_turn_enc_address_error(&e, GW_STUN_FAMILY_IPV6, 440,
						   "Address Family not Supported"), 0);
	assert_int_equal(gw_stun_enc_len(&e), 20 + sizeof(want));
	assert_memory_equal(buf + 20, want, sizeof(want));
	assert_int_equal(gw_stun_parse(&v, buf, gw_stun_enc_len(&e)), 0);
	assert_int_equal(gw_turn_get_address_error(&v, &fam, &code), 0);
	assert_int_equal(fam, GW_STUN_FAMILY_IPV6);
	assert_int_equal(code, 440);
	/* 508 for IPv4, no reason */
	assert_int_equal(gw_stun_enc_init(&e, buf, sizeof(buf),
					  gw_stun_type(GW_STUN_ALLOCATE, GW_STUN_SUCCESS), txid), 0);
	assert_int_equal(gw_turn_enc_address_error(&e, GW_STUN_FAMILY_IPV4, 508, NULL), 0);
	assert_int_equal(gw_stun_parse(&v, buf, gw_stun_enc_len(&e)), 0);
	assert_int_equal(gw_turn_get_address_error(&v, &fam, &code), 0);
	assert_int_equal(fam, GW_STUN_FAMILY_IPV4);
	assert_int_equal(code, 508);
	/* errors */
	assert_int_equal(gw_turn_enc_address_error(&e, 3, 440, NULL), -EINVAL);
	assert_int_equal(gw_turn_enc_address_error(&e, 1, 299, NULL), -EINVAL);
	assert_int_equal(gw_turn_enc_address_error(&e, 1, 700, NULL), -EINVAL);
	assert_int_equal(gw_turn_enc_address_error(NULL, 1, 440, NULL), -EINVAL);
	assert_int_equal(gw_stun_enc_init(&e, buf, 24,
					  gw_stun_type(GW_STUN_ALLOCATE, GW_STUN_SUCCESS), txid), 0);
	assert_int_equal(gw_turn_enc_address_error(&e, 1, 440, "x"), -ENOSPC);
	/* absent, and a class out of range */
	assert_int_equal(gw_stun_enc_init(&e, buf, sizeof(buf),
					  gw_stun_type(GW_STUN_ALLOCATE, GW_STUN_SUCCESS), txid), 0);
	assert_int_equal(gw_stun_parse(&v, buf, gw_stun_enc_len(&e)), 0);
	assert_int_equal(gw_turn_get_address_error(&v, &fam, &code), -ENOENT);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_ADDRESS_ERROR_CODE,
					   (const uint8_t[]){ 2, 0, 7, 40 }, 4), 0);
	assert_int_equal(gw_stun_parse(&v, buf, gw_stun_enc_len(&e)), 0);
	assert_int_equal(gw_turn_get_address_error(&v, &fam, &code), -EBADMSG);
}

/* ---- REST API credentials -------------------------------------------------------- */

/*
 * Computed at authoring time, independently of this code:
 *   printf '%s' '1700000000:alice' | openssl dgst -sha1 -hmac 'north-secret-0123456789' -binary | base64
 *   printf '%s' '4102444800:bob' | openssl dgst -sha1 -hmac 'rotated-secret-abcdefghij' -binary | base64
 */
#define REST_SECRET1 "north-secret-0123456789"
#define REST_USER1   "1700000000:alice"
#define REST_PASS1   "rX4Zi/ISDg1rXPMR9j/yhCbVFZ4="
#define REST_SECRET2 "rotated-secret-abcdefghij"
#define REST_USER2   "4102444800:bob"
#define REST_PASS2   "WDFwWCTGjyb/oUXbzkJP8nuN1D0="

static void
rest_pass(char *out, const char *secret, const char *user)
{
	struct gw_hmac_sha1_key k;

	assert_int_equal(gw_hmac_sha1_key_init(&k, (const uint8_t *)secret, strlen(secret)), 0);
	assert_int_equal(gw_turn_rest_password(out, GW_TURN_REST_PASS_SIZE, &k,
					       (const uint8_t *)user, strlen(user)), 0);
	gw_hmac_sha1_key_fini(&k);
}

static void
test_rest_password(void **state)
{
	char pass[GW_TURN_REST_PASS_SIZE], name[64];
	struct gw_hmac_sha1_key k;

	(void)state;
	rest_pass(pass, REST_SECRET1, REST_USER1);
	assert_string_equal(pass, REST_PASS1);
	rest_pass(pass, REST_SECRET2, REST_USER2);
	assert_string_equal(pass, REST_PASS2);
	/* a rotated secret gives a different password for the same name */
	rest_pass(pass, REST_SECRET2, REST_USER1);
	assert_string_not_equal(pass, REST_PASS1);

	assert_int_equal(gw_turn_rest_username(name, sizeof(name), 1700000000, "alice"),
			 (int)strlen(REST_USER1));
	assert_string_equal(name, REST_USER1);
	assert_int_equal(gw_turn_rest_username(name, 16, 1700000000, "alice"), -ENOSPC);
	assert_int_equal(gw_turn_rest_username(name, 17, 1700000000, "alice"), 16);
	assert_int_equal(gw_turn_rest_username(name, sizeof(name), 0, "x"), 3);
	assert_string_equal(name, "0:x");

	assert_int_equal(gw_hmac_sha1_key_init(&k, (const uint8_t *)"s", 1), 0);
	assert_int_equal(gw_turn_rest_password(pass, GW_TURN_REST_PASS_SIZE - 1, &k,
					       (const uint8_t *)"u", 1), -ENOSPC);
	assert_int_equal(gw_turn_rest_password(NULL, 64, &k, (const uint8_t *)"u", 1), -EINVAL);
	assert_int_equal(gw_turn_rest_password(pass, 64, NULL, (const uint8_t *)"u", 1), -EINVAL);
	assert_int_equal(gw_turn_rest_password(pass, 64, &k, NULL, 1), -EINVAL);
}

static const struct {
	const char *user;
	int want;                /* gw_turn_rest_check at now = 1700000000 */
	uint64_t expiry;
} rest_cases[] = {
	/* 1 */ { "1700000000:alice", 0, 1700000000 },            /* expires this second */
	/* 2 */ { "1699999999:alice", GW_STUN_ERR(401), 1699999999 },
	/* 3 */ { "4102444800", 0, 4102444800 },                  /* no user part */
	/* 4 */ { "4102444800:", 0, 4102444800 },
	/* 5 */ { "alice", -EBADMSG, 0 },
	/* 6 */ { ":1700000000", -EBADMSG, 0 },
	/* 7 */ { "17000x0000:alice", -EBADMSG, 0 },
	/* 8 */ { "", -EBADMSG, 0 },
	/* 9 */ { "99999999999999999999:a", -EBADMSG, 0 },          /* overflow */
	/* 10 */ { "18446744073709551615:a", 0, UINT64_MAX },
	/* 11 */ { "000000000000000000001:a", -EBADMSG, 0 },        /* 21 digits */
	/* 12 */ { "1700000001:a:b", 0, 1700000001 },              /* ':' inside user */
};

static void
test_rest_expiry(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rest_cases) / sizeof(rest_cases[0]); i++) {
		const char *u = rest_cases[i].user;
		uint64_t e = 0;
		int err = gw_turn_rest_check((const uint8_t *)u, strlen(u), 1700000000);

		if (err != rest_cases[i].want)
			fail_msg("row %zu (%s): got %d want %d", i + 1, u, err, rest_cases[i].want);
		if (err != -EBADMSG) {
			assert_int_equal(gw_turn_rest_expiry((const uint8_t *)u, strlen(u), &e), 0);
			assert_true(e == rest_cases[i].expiry);
		}
	}
}

/* ---- nonces ---------------------------------------------------------------------- */

static void
nonce_key(struct gw_hmac_sha1_key *k, const char *secret)
{
	assert_int_equal(gw_hmac_sha1_key_init(k, (const uint8_t *)secret, strlen(secret)), 0);
}

static void
test_nonce(void **state)
{
	struct gw_hmac_sha1_key k, other;
	char n[GW_TURN_NONCE_MAX];
	uint32_t ip = IP(198, 18, 4, 10), f = 0;
	uint64_t t0 = 1700000000;
	int len;

	(void)state;
	nonce_key(&k, "server-nonce-secret");
	nonce_key(&other, "another-server-secret");

	/* with the RFC 8489 cookie and the password-algorithms feature bit */
	len = gw_turn_nonce_make(n, sizeof(n), &k, GW_TURN_FEATURE_PASSWORD_ALGORITHMS, true,
				 ip, t0);
	assert_int_equal(len, 37);
	assert_int_equal((int)strlen(n), len);
	assert_memory_equal(n, "obMatJos2AAAB", 13);
	assert_int_equal(gw_turn_nonce_features((const uint8_t *)n, (size_t)len, &f), 0);
	assert_int_equal(f, GW_TURN_FEATURE_PASSWORD_ALGORITHMS);
	/* fresh for its lifetime, inclusive */
	assert_int_equal(gw_turn_nonce_check((const uint8_t *)n, (size_t)len, &k, ip, t0, 600), 0);
	assert_int_equal(gw_turn_nonce_check((const uint8_t *)n, (size_t)len, &k, ip, t0 + 600, 600), 0);
	/* stale after it */
	assert_int_equal(gw_turn_nonce_check((const uint8_t *)n, (size_t)len, &k, ip, t0 + 601, 600),
			 GW_STUN_ERR(438));
	/* small skew into the future accepted, more is stale */
	assert_int_equal(gw_turn_nonce_check((const uint8_t *)n, (size_t)len, &k, ip, t0 - 5, 600), 0);
	assert_int_equal(gw_turn_nonce_check((const uint8_t *)n, (size_t)len, &k, ip, t0 - 6, 600),
			 GW_STUN_ERR(438));
	/* bound to the client IP and to the server key */
	assert_int_equal(gw_turn_nonce_check((const uint8_t *)n, (size_t)len, &k, ip + 1, t0, 600),
			 -EBADMSG);
	assert_int_equal(gw_turn_nonce_check((const uint8_t *)n, (size_t)len, &other, ip, t0, 600),
			 -EBADMSG);
	/* every single-character tamper is caught (time digits included) */
	for (int i = 0; i < len; i++) {
		char t[GW_TURN_NONCE_MAX];

		memcpy(t, n, sizeof(t));
		t[i] = t[i] == 'a' ? 'b' : 'a';
		if (gw_turn_nonce_check((const uint8_t *)t, (size_t)len, &k, ip, t0, 600) != -EBADMSG)
			fail_msg("tamper at %d accepted", i);
	}
	/* truncated, extended */
	assert_int_equal(gw_turn_nonce_check((const uint8_t *)n, (size_t)len - 1, &k, ip, t0, 600),
			 -EBADMSG);
	assert_int_equal(gw_turn_nonce_check((const uint8_t *)"", 0, &k, ip, t0, 600), -EBADMSG);

	/* without the cookie */
	len = gw_turn_nonce_make(n, sizeof(n), &k, 0, false, ip, t0);
	assert_int_equal(len, 24);
	assert_int_equal(gw_turn_nonce_features((const uint8_t *)n, (size_t)len, &f), -ENOENT);
	assert_int_equal(gw_turn_nonce_check((const uint8_t *)n, (size_t)len, &k, ip, t0 + 10, 600), 0);
	/* clock wrap mod 2^32 */
	len = gw_turn_nonce_make(n, sizeof(n), &k, 0, false, ip, 0xfffffff0u);
	assert_int_equal(gw_turn_nonce_check((const uint8_t *)n, (size_t)len, &k, ip,
					     0x100000010ull, 600), 0);
	/* argument errors */
	assert_int_equal(gw_turn_nonce_make(n, sizeof(n), &k, 1, false, ip, t0), -EINVAL);
	assert_int_equal(gw_turn_nonce_make(n, sizeof(n), &k, 0x1000000, true, ip, t0), -EINVAL);
	assert_int_equal(gw_turn_nonce_make(n, 20, &k, 0, false, ip, t0), -ENOSPC);
	assert_int_equal(gw_turn_nonce_check(NULL, 0, &k, ip, t0, 600), -EINVAL);
	gw_hmac_sha1_key_fini(&k);
	gw_hmac_sha1_key_fini(&other);
}

/* IPv6 clients: the nonce is bound to the 16-byte address, and a nonce of
 * one family never verifies for the other (an IPv4 address and the IPv6
 * address starting with the same 4 bytes included). */
static void
test_nonce6(void **state)
{
	static const uint8_t a6[16] = { 0x20, 0x01, 0, 2, 0, 0, 0, 0x66, [15] = 0x10 };
	struct gw_hmac_sha1_key k;
	char n[GW_TURN_NONCE_MAX];
	uint8_t b6[16];
	uint32_t v4 = IP(0x20, 0x01, 0, 2);
	uint64_t t0 = 1700000000;
	int len;

	(void)state;
	nonce_key(&k, "server-nonce-secret");
	len = gw_turn_nonce_make6(n, sizeof(n), &k, GW_TURN_FEATURE_PASSWORD_ALGORITHMS, true,
				  a6, t0);
	assert_int_equal(len, 37);
	assert_int_equal(gw_turn_nonce_check6((const uint8_t *)n, (size_t)len, &k, a6, t0 + 600,
					      600), 0);
	assert_int_equal(gw_turn_nonce_check6((const uint8_t *)n, (size_t)len, &k, a6, t0 + 601,
					      600), GW_STUN_ERR(438));
	/* every other address, one bit off in each byte */
	for (int i = 0; i < 16; i++) {
		memcpy(b6, a6, 16);
		b6[i] ^= 1;
		assert_int_equal(gw_turn_nonce_check6((const uint8_t *)n, (size_t)len, &k, b6, t0,
						      600), -EBADMSG);
	}
	/* not an IPv4 nonce, and an IPv4 nonce is not an IPv6 one */
	assert_int_equal(gw_turn_nonce_check((const uint8_t *)n, (size_t)len, &k, v4, t0, 600),
			 -EBADMSG);
	len = gw_turn_nonce_make(n, sizeof(n), &k, 0, false, v4, t0);
	assert_int_equal(gw_turn_nonce_check6((const uint8_t *)n, (size_t)len, &k, a6, t0, 600),
			 -EBADMSG);
	assert_int_equal(gw_turn_nonce_make6(n, sizeof(n), &k, 0, false, NULL, t0), -EINVAL);
	assert_int_equal(gw_turn_nonce_check6((const uint8_t *)n, (size_t)len, &k, NULL, t0, 600),
			 -EINVAL);
	gw_hmac_sha1_key_fini(&k);
}

/* ---- peer policy --------------------------------------------------------------- */

#define RELAY_A IP(198, 18, 4, 1)
#define MGMT_A  IP(198, 18, 4, 254)

static void
policy_init(struct gw_turn_peer_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->relay_addr[p->n_relay_addr++] = RELAY_A;
	p->own_addr[p->n_own_addr++] = MGMT_A;
	p->relay_port_min = 49152;
	p->relay_port_max = 65535;
	p->denied[p->n_denied++] = (struct gw_turn_prefix){ IP(203, 0, 113, 0), 24 };
	p->allowed[p->n_allowed++] = (struct gw_turn_prefix){ IP(10, 1, 0, 0), 16 };
	p->allowed[p->n_allowed++] = (struct gw_turn_prefix){ IP(203, 0, 113, 7), 32 };
	p->allowed[p->n_allowed++] = (struct gw_turn_prefix){ IP(127, 0, 0, 1), 32 };
	/* a gateway on 198.18.9.0/24: its network and broadcast addresses */
	p->edge_addr[p->n_edge_addr++] = IP(198, 18, 9, 0);
	p->edge_addr[p->n_edge_addr++] = IP(198, 18, 9, 255);
	p->allowed[p->n_allowed++] = (struct gw_turn_prefix){ IP(100, 64, 7, 0), 24 };
}

static const struct {
	uint32_t ip;
	uint16_t port;
	enum gw_turn_peer_verdict want;
} peer_cases[] = {
	/* 1 */  { IP(198, 18, 5, 10), 5000, GW_TURN_PEER_OK },          /* public-ish peer */
	/* 2 */  { IP(8, 8, 8, 8), 53, GW_TURN_PEER_OK },
	/* 3 */  { IP(0, 0, 0, 0), 5000, GW_TURN_PEER_DENY_DEFAULT },    /* unspecified */
	/* 4 */  { IP(0, 255, 1, 2), 5000, GW_TURN_PEER_DENY_DEFAULT },  /* 0/8 */
	/* 5 */  { IP(10, 0, 0, 1), 5000, GW_TURN_PEER_DENY_DEFAULT },   /* RFC 1918 */
	/* 6 */  { IP(10, 255, 255, 255), 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 7 */  { IP(172, 16, 0, 1), 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 8 */  { IP(172, 31, 255, 254), 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 9 */  { IP(172, 32, 0, 1), 5000, GW_TURN_PEER_OK },           /* just outside /12 */
	/* 10 */ { IP(172, 15, 255, 255), 5000, GW_TURN_PEER_OK },
	/* 11 */ { IP(192, 168, 1, 1), 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 12 */ { IP(192, 169, 0, 1), 5000, GW_TURN_PEER_OK },
	/* 13 */ { IP(127, 0, 0, 2), 5000, GW_TURN_PEER_DENY_DEFAULT },  /* loopback */
	/* 14 */ { IP(127, 0, 0, 1), 5000, GW_TURN_PEER_OK },            /* opened by allowed */
	/* 15 */ { IP(169, 254, 169, 254), 80, GW_TURN_PEER_DENY_DEFAULT }, /* link-local, metadata */
	/* 16 */ { IP(224, 0, 0, 251), 5353, GW_TURN_PEER_DENY_DEFAULT },   /* multicast */
	/* 17 */ { IP(239, 255, 255, 250), 1900, GW_TURN_PEER_DENY_DEFAULT },
	/* 18 */ { IP(255, 255, 255, 255), 5000, GW_TURN_PEER_DENY_DEFAULT }, /* broadcast */
	/* 19 */ { IP(10, 1, 2, 3), 5000, GW_TURN_PEER_OK },             /* allowed exception */
	/* 20 */ { IP(10, 2, 0, 1), 5000, GW_TURN_PEER_DENY_DEFAULT },   /* outside exception */
	/* 21 */ { IP(203, 0, 113, 8), 5000, GW_TURN_PEER_DENY_CONFIG }, /* denied_peers */
	/* 22 */ { IP(203, 0, 113, 7), 5000, GW_TURN_PEER_OK },          /* allowed beats denied */
	/* 23 */ { RELAY_A, 49152, GW_TURN_PEER_OK },                    /* relay-to-relay */
	/* 24 */ { RELAY_A, 65535, GW_TURN_PEER_OK },
	/* 25 */ { RELAY_A, 3478, GW_TURN_PEER_DENY_OWN },               /* own STUN/TURN port */
	/* 26 */ { RELAY_A, 49151, GW_TURN_PEER_DENY_OWN },              /* own media port */
	/* 27 */ { MGMT_A, 8080, GW_TURN_PEER_DENY_OWN },                /* REST listener */
	/* 28 */ { MGMT_A, 50000, GW_TURN_PEER_DENY_OWN },               /* any port there */
	/* 29 */ { IP(198, 18, 5, 10), 0, GW_TURN_PEER_DENY_PORT0 },
	/* 30 */ { IP(100, 64, 0, 1), 5000, GW_TURN_PEER_DENY_DEFAULT },    /* CGNAT, RFC 6598 */
	/* 31 */ { IP(100, 127, 255, 254), 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 32 */ { IP(100, 128, 0, 1), 5000, GW_TURN_PEER_OK },             /* just outside /10 */
	/* 33 */ { IP(100, 63, 255, 255), 5000, GW_TURN_PEER_OK },
	/* 34 */ { IP(100, 64, 7, 9), 5000, GW_TURN_PEER_OK },              /* opened by allowed */
	/* 35 */ { IP(192, 0, 0, 8), 5000, GW_TURN_PEER_DENY_DEFAULT },     /* RFC 6890 192.0.0/24 */
	/* 36 */ { IP(192, 0, 1, 8), 5000, GW_TURN_PEER_OK },
	/* 37 */ { IP(198, 18, 9, 0), 5000, GW_TURN_PEER_DENY_DEFAULT },    /* own subnet network */
	/* 38 */ { IP(198, 18, 9, 255), 5000, GW_TURN_PEER_DENY_DEFAULT },  /* own subnet broadcast */
	/* 39 */ { IP(198, 18, 9, 1), 5000, GW_TURN_PEER_OK },              /* a neighbour */
};

static void
test_peer_policy(void **state)
{
	struct gw_turn_peer_policy p;

	(void)state;
	policy_init(&p);
	for (size_t i = 0; i < sizeof(peer_cases) / sizeof(peer_cases[0]); i++) {
		enum gw_turn_peer_verdict v = gw_turn_peer_check(&p, peer_cases[i].ip,
								 peer_cases[i].port);

		if (v != peer_cases[i].want)
			fail_msg("row %zu: got %d want %d", i + 1, v, peer_cases[i].want);
	}
	/* the IP-only check (CreatePermission) lets the relay address through */
	assert_int_equal(gw_turn_peer_ip_check(&p, RELAY_A), GW_TURN_PEER_OK);
	assert_int_equal(gw_turn_peer_ip_check(&p, MGMT_A), GW_TURN_PEER_DENY_OWN);
	assert_int_equal(gw_turn_peer_ip_check(&p, IP(10, 9, 9, 9)), GW_TURN_PEER_DENY_DEFAULT);
	/* allowed_peers cannot open the gateway's own management address */
	p.allowed[p.n_allowed++] = (struct gw_turn_prefix){ 0, 0 };
	assert_int_equal(gw_turn_peer_check(&p, MGMT_A, 8080), GW_TURN_PEER_DENY_OWN);
	assert_int_equal(gw_turn_peer_check(&p, RELAY_A, 3478), GW_TURN_PEER_DENY_OWN);
	/* ... but a /0 exception opens every default range (a lab setting) */
	assert_int_equal(gw_turn_peer_check(&p, IP(192, 168, 0, 1), 9), GW_TURN_PEER_OK);
	assert_int_equal(gw_turn_peer_check(&p, IP(198, 18, 9, 255), 9), GW_TURN_PEER_OK);
	/* an empty policy is not a whitelist: public addresses pass */
	memset(&p, 0, sizeof(p));
	assert_int_equal(gw_turn_peer_check(&p, IP(198, 51, 100, 1), 9), GW_TURN_PEER_OK);
	assert_int_equal(gw_turn_peer_check(&p, IP(10, 0, 0, 1), 9), GW_TURN_PEER_DENY_DEFAULT);
	/* prefix edge cases */
	assert_true(gw_turn_prefix_match(&(struct gw_turn_prefix){ IP(1, 2, 3, 4), 32 }, IP(1, 2, 3, 4)));
	assert_false(gw_turn_prefix_match(&(struct gw_turn_prefix){ IP(1, 2, 3, 4), 32 }, IP(1, 2, 3, 5)));
	assert_true(gw_turn_prefix_match(&(struct gw_turn_prefix){ IP(1, 2, 3, 4), 31 }, IP(1, 2, 3, 5)));
}

/*
 * The relay path's memo against the plain check: every table row, the
 * colliding and repeated addresses of a random walk (256 entries for 4096
 * draws from a small pool and the rows), and a policy change under a new
 * generation, which the memo must follow at once.
 */
static void
test_peer_memo(void **state)
{
	static struct gw_turn_peer_memo mm;
	struct gw_turn_peer_policy p;
	const size_t nrow = sizeof(peer_cases) / sizeof(peer_cases[0]);
	uint32_t seed = 7, gen = 1;

	(void)state;
	policy_init(&p);
	memset(&mm, 0, sizeof(mm));
	for (int pass = 0; pass < 2; pass++) {      /* cold, then warm */
		for (size_t i = 0; i < nrow; i++)
			assert_int_equal(gw_turn_peer_check_memo(&mm, gen, &p, peer_cases[i].ip,
								 peer_cases[i].port),
					 peer_cases[i].want);
	}
	for (int k = 0; k < 2; k++) {
		for (unsigned n = 0; n < 4096; n++) {
			uint32_t ip;
			uint16_t port;

			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) & 1) {
				ip = peer_cases[(seed >> 17) % nrow].ip;
				port = peer_cases[(seed >> 8) % nrow].port;
			} else {
				/* 1024 addresses over 10/8, 198.18/16 and 203.0.113/24 */
				static const uint32_t base[] = { IP(10, 1, 0, 0), IP(198, 18, 9, 0),
								 IP(203, 0, 113, 0) };
				ip = base[(seed >> 20) % 3] | ((seed >> 4) & 0x3ff);
				port = (uint16_t)(seed >> 3);
			}
			assert_int_equal(gw_turn_peer_check_memo(&mm, gen, &p, ip, port),
					 gw_turn_peer_check(&p, ip, port));
		}
		/* a reload: denied_peers grows, allowed_peers loses 10.1/16 */
		p.denied[p.n_denied++] = (struct gw_turn_prefix){ IP(198, 18, 9, 0), 28 };
		p.allowed[0] = (struct gw_turn_prefix){ IP(100, 64, 7, 0), 24 };
		gen++;
		assert_int_equal(gw_turn_peer_check_memo(&mm, gen, &p, IP(10, 1, 2, 3), 5000),
				 GW_TURN_PEER_DENY_DEFAULT);
		assert_int_equal(gw_turn_peer_check_memo(&mm, gen, &p, IP(198, 18, 9, 1), 5000),
				 GW_TURN_PEER_DENY_CONFIG);
	}
}

/* ---- IPv6 peer policy, row by row ----------------------------------------------- */

#define RELAY6 { 0x20, 0x01, 0, 2, 0, 0, 0, 0x28, [15] = 0x10 }
#define MGMT6  { 0x20, 0x01, 0, 2, 0, 0, 0, 0x28, [15] = 0x20 }

static void
policy6_init(struct gw_turn_peer_policy *p)
{
	policy_init(p);
	memcpy(p->relay_addr6[p->n_relay_addr6++], (uint8_t[16])RELAY6, 16);
	memcpy(p->own_addr6[p->n_own_addr6++], (uint8_t[16])MGMT6, 16);
	/* denied: 2001:2:0:29::/64; allowed: fd00:1::/32 and 2001:2:0:29::7 */
	p->denied6[p->n_denied6++] = (struct gw_turn_prefix6){ { 0x20, 0x01, 0, 2, 0, 0, 0, 0x29 }, 64 };
	p->allowed6[p->n_allowed6++] = (struct gw_turn_prefix6){ { 0xfd, 0, 0, 1 }, 32 };
	p->allowed6[p->n_allowed6++] =
		(struct gw_turn_prefix6){ { 0x20, 0x01, 0, 2, 0, 0, 0, 0x29, [15] = 7 }, 128 };
	/* an allowed6 entry must not open the IPv4 deny list through NAT64 */
	p->allowed6[p->n_allowed6++] = (struct gw_turn_prefix6){ { 0, 0x64, 0xff, 0x9b }, 96 };
	/* denied6 can still deny an embedded address the IPv4 rules allow */
	p->denied6[p->n_denied6++] = (struct gw_turn_prefix6){ { 0x20, 0x02, 0xc6, 0x33, 0x64 }, 40 };
}

static const struct {
	uint8_t ip[16];
	uint16_t port;
	enum gw_turn_peer_verdict want;
} peer6_cases[] = {
	/* plain IPv6 */
	/* 1 */  { { 0x20, 0x01, 0, 2, 0, 0, 0, 0x28, [15] = 5 }, 5000, GW_TURN_PEER_OK },
	/* 2 */  { { 0x24, 0x04, 0x68, 0, [15] = 1 }, 443, GW_TURN_PEER_OK },          /* global */
	/* 3 */  { { 0 }, 5000, GW_TURN_PEER_DENY_DEFAULT },                             /* :: */
	/* 4 */  { { [15] = 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT },                      /* ::1 */
	/* 5 */  { { 0xfe, 0x80, [15] = 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT },          /* fe80::1 */
	/* 6 */  { { 0xfe, 0xbf, 0xff, [15] = 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT },    /* fe80::/10 end */
	/* 7 */  { { 0xfc, [15] = 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT },                /* ULA */
	/* 8 */  { { 0xfd, 0x12, [15] = 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 9 */  { { 0xfd, 0, 0, 1, [15] = 9 }, 5000, GW_TURN_PEER_OK },                 /* allowed6 */
	/* 10 */ { { 0xff, 0x02, [15] = 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT },          /* multicast */
	/* 11 */ { { 0xff, 0x0e, [15] = 0x10 }, 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 12 */ { { 0x20, 0x01, 0, 0, 0x4a, 0x7d }, 5000, GW_TURN_PEER_DENY_DEFAULT },  /* Teredo */
	/* 13 */ { { 0xfe, 0xc0, [15] = 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT },          /* site-local */
	/* 14 */ { { 0x01, 0, [15] = 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT },             /* 100::/64 */
	/* 15 */ { { 0, 0x64, 0xff, 0x9b, 0, 1, [15] = 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT }, /* RFC 8215 */
	/* 16 */ { { 0, 0, 0, 0, 0, 0, 0, 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT },        /* ::/8 rest */
	/* 17 */ { { 0x20, 0x01, 0, 2, 0, 0, 0, 0x29, [15] = 1 }, 5000, GW_TURN_PEER_DENY_CONFIG },
	/* 18 */ { { 0x20, 0x01, 0, 2, 0, 0, 0, 0x29, [15] = 7 }, 5000, GW_TURN_PEER_OK }, /* allowed */
	/* 19 */ { RELAY6, 49152, GW_TURN_PEER_OK },                                     /* relay-to-relay */
	/* 20 */ { RELAY6, 3478, GW_TURN_PEER_DENY_OWN },
	/* 21 */ { MGMT6, 8080, GW_TURN_PEER_DENY_OWN },
	/* 22 */ { { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, 0, GW_TURN_PEER_DENY_PORT0 },
	/* IPv4-mapped ::ffff:a.b.c.d */
	/* 23 */ { { [10] = 0xff, 0xff, 127, 0, 0, 1 }, 5000, GW_TURN_PEER_OK },         /* 127.0.0.1 is allowed in policy_init */
	/* 24 */ { { [10] = 0xff, 0xff, 127, 0, 0, 2 }, 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 25 */ { { [10] = 0xff, 0xff, 10, 0, 0, 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 26 */ { { [10] = 0xff, 0xff, 10, 1, 0, 1 }, 5000, GW_TURN_PEER_OK },          /* allowed 10.1/16 */
	/* 27 */ { { [10] = 0xff, 0xff, 203, 0, 113, 8 }, 5000, GW_TURN_PEER_DENY_CONFIG },
	/* 28 */ { { [10] = 0xff, 0xff, 198, 51, 100, 1 }, 5000, GW_TURN_PEER_OK },
	/* 29 */ { { [10] = 0xff, 0xff, 198, 18, 4, 1 }, 50000, GW_TURN_PEER_OK },       /* RELAY_A relay port */
	/* 30 */ { { [10] = 0xff, 0xff, 198, 18, 4, 1 }, 3478, GW_TURN_PEER_DENY_OWN },
	/* 31 */ { { [10] = 0xff, 0xff, 198, 18, 4, 254 }, 80, GW_TURN_PEER_DENY_OWN }, /* MGMT_A */
	/* 32 */ { { [10] = 0xff, 0xff, 169, 254, 169, 254 }, 80, GW_TURN_PEER_DENY_DEFAULT },
	/* 33 */ { { [10] = 0xff, 0xff, 198, 18, 9, 255 }, 5000, GW_TURN_PEER_DENY_DEFAULT }, /* edge */
	/* NAT64 64:ff9b::/96 (allowed6 lists it: the IPv4 verdict still rules) */
	/* 34 */ { { 0, 0x64, 0xff, 0x9b, [12] = 10, 0, 0, 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 35 */ { { 0, 0x64, 0xff, 0x9b, [12] = 127, 0, 0, 2 }, 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 36 */ { { 0, 0x64, 0xff, 0x9b, [12] = 198, 51, 100, 1 }, 5000, GW_TURN_PEER_OK },
	/* 37 */ { { 0, 0x64, 0xff, 0x9b, [12] = 100, 64, 0, 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 38 */ { { 0, 0x64, 0xff, 0x9b, [12] = 224, 0, 0, 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 6to4 2002:a.b.c.d::/48 */
	/* 39 */ { { 0x20, 0x02, 127, 0, 0, 1 }, 5000, GW_TURN_PEER_OK },                /* 127.0.0.1 allowed */
	/* 40 */ { { 0x20, 0x02, 127, 0, 0, 2 }, 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 41 */ { { 0x20, 0x02, 10, 0, 0, 1, [15] = 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 42 */ { { 0x20, 0x02, 192, 168, 1, 1, [15] = 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 43 */ { { 0x20, 0x02, 198, 51, 99, 1, [15] = 1 }, 5000, GW_TURN_PEER_OK },
	/* 44 */ { { 0x20, 0x02, 198, 51, 100, 1, [15] = 1 }, 5000, GW_TURN_PEER_DENY_CONFIG }, /* denied6 */
	/* IPv4-compatible ::a.b.c.d and IPv4-translated ::ffff:0:a.b.c.d */
	/* 45 */ { { [12] = 10, 0, 0, 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 46 */ { { [12] = 198, 51, 100, 1 }, 5000, GW_TURN_PEER_OK },
	/* 47 */ { { [8] = 0xff, 0xff, 0, 0, 192, 168, 0, 1 }, 5000, GW_TURN_PEER_DENY_DEFAULT },
	/* 48 */ { { [12] = 0, 0, 0, 2 }, 5000, GW_TURN_PEER_DENY_DEFAULT },            /* ::2 = 0.0.0.2 */
};

static void
test_peer_policy6(void **state)
{
	struct gw_turn_peer_policy p;
	struct gw_stun_addr a = { .family = GW_STUN_FAMILY_IPV6 };

	(void)state;
	policy6_init(&p);
	for (size_t i = 0; i < sizeof(peer6_cases) / sizeof(peer6_cases[0]); i++) {
		enum gw_turn_peer_verdict v = gw_turn_peer6_check(&p, peer6_cases[i].ip,
								  peer6_cases[i].port);

		if (v != peer6_cases[i].want)
			fail_msg("row %zu: got %d want %d", i + 1, v, peer6_cases[i].want);
		memcpy(a.addr, peer6_cases[i].ip, 16);
		a.port = peer6_cases[i].port;
		assert_int_equal(gw_turn_peer_addr_check(&p, &a), v);
	}
	/* the brief's named forms, with an empty (default) policy */
	memset(&p, 0, sizeof(p));
	{
		static const uint8_t denied[][16] = {
			{ [10] = 0xff, 0xff, 127, 0, 0, 1 },            /* ::ffff:127.0.0.1 */
			{ [10] = 0xff, 0xff, 10, 0, 0, 1 },             /* ::ffff:10.0.0.1 */
			{ 0, 0x64, 0xff, 0x9b, [12] = 0x0a, 0, 0, 1 },  /* 64:ff9b::a00:1 */
			{ 0, 0x64, 0xff, 0x9b, [12] = 0x7f, 0, 0, 1 },  /* 64:ff9b::7f00:1 */
			{ 0x20, 0x02, 0x7f, 0, 0, 1 },                  /* 2002:7f00:1:: */
			{ 0x20, 0x02, 0x0a, 0, 0, 1, [15] = 1 },        /* 2002:a00:1::1 */
		};
		static const uint8_t allowed[][16] = {
			{ [10] = 0xff, 0xff, 198, 51, 100, 7 },         /* ::ffff:198.51.100.7 */
			{ 0, 0x64, 0xff, 0x9b, [12] = 198, 51, 100, 7 },
			{ 0x20, 0x02, 198, 51, 100, 7, [15] = 1 },
			{ 0x20, 0x01, 0, 2, [15] = 1 },                 /* 2001:2::1 */
			{ 0x26, 0x06, 0x47, 0, [15] = 1 },
		};

		for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
			if (gw_turn_peer_ip6_check(&p, denied[i]) != GW_TURN_PEER_DENY_DEFAULT)
				fail_msg("denied form %zu passed", i + 1);
		for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
			if (gw_turn_peer_ip6_check(&p, allowed[i]) != GW_TURN_PEER_OK)
				fail_msg("allowed form %zu denied", i + 1);
	}
	/* an allowed6 /0 opens the IPv6 defaults but not the gateway's own address */
	policy6_init(&p);
	p.allowed6[p.n_allowed6++] = (struct gw_turn_prefix6){ { 0 }, 0 };
	assert_int_equal(gw_turn_peer6_check(&p, (uint8_t[16]){ 0xfe, 0x80, [15] = 1 }, 9),
			 GW_TURN_PEER_OK);
	assert_int_equal(gw_turn_peer6_check(&p, (uint8_t[16])MGMT6, 9), GW_TURN_PEER_DENY_OWN);
	assert_int_equal(gw_turn_peer6_check(&p, (uint8_t[16]){ [10] = 0xff, 0xff, 10, 0, 0, 1 }, 9),
			 GW_TURN_PEER_DENY_DEFAULT);
	/* unknown family */
	a.family = 9;
	assert_int_equal(gw_turn_peer_addr_check(&p, &a), GW_TURN_PEER_DENY_DEFAULT);
	a.family = GW_STUN_FAMILY_IPV4;
	memcpy(a.addr, (uint8_t[4]){ 198, 51, 100, 1 }, 4);
	a.port = 9;
	assert_int_equal(gw_turn_peer_addr_check(&p, &a), GW_TURN_PEER_OK);
	memcpy(a.addr, (uint8_t[4]){ 10, 0, 0, 1 }, 4);
	assert_int_equal(gw_turn_peer_addr_check(&p, &a), GW_TURN_PEER_DENY_DEFAULT);
	/* prefix6 edges */
	assert_true(gw_turn_prefix6_match(&(struct gw_turn_prefix6){ { 0xfc }, 7 },
					  (uint8_t[16]){ 0xfd, 0xff }));
	assert_false(gw_turn_prefix6_match(&(struct gw_turn_prefix6){ { 0xfc }, 7 },
					   (uint8_t[16]){ 0xfe }));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chandata_table),
		cmocka_unit_test(test_chandata_encode),
		cmocka_unit_test(test_req_check),
		cmocka_unit_test(test_req_check_af),
		cmocka_unit_test(test_address_error_code),
		cmocka_unit_test(test_peer_policy6),
		cmocka_unit_test(test_rest_password),
		cmocka_unit_test(test_rest_expiry),
		cmocka_unit_test(test_nonce),
		cmocka_unit_test(test_nonce6),
		cmocka_unit_test(test_peer_policy),
		cmocka_unit_test(test_peer_memo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
