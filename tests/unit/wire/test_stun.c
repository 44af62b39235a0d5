/*
 * test_stun: the STUN codec against RFC 5769 and RFC 8489 B.1 byte for byte,
 * the precomputed-key HMAC against OpenSSL's HMAC(), and a numbered table of
 * malformed messages (STYLE.md practice 14).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "hmac.h"
#include "stun.h"
#include "rfc5769.h"
#include "rfc8489.h"

/* ---- helpers ------------------------------------------------------------ */

static void
key_sha1(struct gw_hmac_sha1_key *k, const void *key, size_t len)
{
	assert_int_equal(gw_hmac_sha1_key_init(k, key, len), 0);
}

static void
key_sha256(struct gw_hmac_sha256_key *k, const void *key, size_t len)
{
	assert_int_equal(gw_hmac_sha256_key_init(k, key, len), 0);
}

static void
assert_attr_str(const struct gw_stun_view *v, int slot, const char *want)
{
	const uint8_t *p;
	size_t n;

	assert_int_equal(gw_stun_get_bytes(v, &v->attr[slot], &p, &n), 0);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(p, want, n);
}

/* Hex digits to bytes; spaces ignored. Returns the byte count. */
static size_t
unhex(uint8_t *out, size_t cap, const char *hex)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex != '\0'; hex++) {
		int d = 0;

		if (*hex == ' ')
			continue;
		if (*hex >= '0' && *hex <= '9')
			d = *hex - '0';
		else if (*hex >= 'a' && *hex <= 'f')
			d = *hex - 'a' + 10;
		else
			fail_msg("bad hex digit '%c'", *hex);
		if (hi < 0) {
			hi = d;
			continue;
		}
		assert_true(n < cap);
		out[n++] = (uint8_t)(hi << 4 | d);
		hi = -1;
	}
	assert_int_equal(hi, -1);
	return n;
}

/* ---- HMAC against OpenSSL ------------------------------------------------- */

static void
test_hmac_matches_openssl(void **state)
{
	static const size_t key_lens[] = { 0, 1, 16, 20, 32, 63, 64, 65, 100, 200 };
	static const size_t msg_lens[] = { 0, 1, 55, 56, 64, 100, 1000 };
	uint8_t key[200], msg[1000];

	(void)state;
	for (size_t i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 3);
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 13 + 1);

	for (size_t ki = 0; ki < sizeof(key_lens) / sizeof(key_lens[0]); ki++) {
		struct gw_hmac_sha1_key k1;
		struct gw_hmac_sha256_key k2;

		key_sha1(&k1, key, key_lens[ki]);
		key_sha256(&k2, key, key_lens[ki]);
		for (size_t mi = 0; mi < sizeof(msg_lens) / sizeof(msg_lens[0]); mi++) {
			size_t n = msg_lens[mi];
			uint8_t got1[20], want1[20], got2[32], want2[32];
			unsigned wl = 0;
			struct gw_hmac_chunk c[3] = {
				{ msg, n / 3 }, { msg + n / 3, n / 3 }, { msg + 2 * (n / 3), n - 2 * (n / 3) },
			};

			assert_non_null(HMAC(EVP_sha1(), key, (int)key_lens[ki], msg, n, want1, &wl));
			gw_hmac_sha1(&k1, msg, n, got1);
			assert_memory_equal(got1, want1, 20);
			gw_hmac_sha1_v(&k1, c, 3, got1);     /* chunked == one shot */
			assert_memory_equal(got1, want1, 20);

			assert_non_null(HMAC(EVP_sha256(), key, (int)key_lens[ki], msg, n, want2, &wl));
			gw_hmac_sha256(&k2, msg, n, got2);
			assert_memory_equal(got2, want2, 32);
			gw_hmac_sha256_v(&k2, c, 3, got2);
			assert_memory_equal(got2, want2, 32);
		}
		gw_hmac_sha1_key_fini(&k1);
		gw_hmac_sha256_key_fini(&k2);
	}
	assert_int_equal(gw_hmac_sha1_key_init(NULL, key, 1), -EINVAL);
	assert_int_equal(gw_hmac_sha256_key_init(NULL, key, 1), -EINVAL);
}

/* ---- message type --------------------------------------------------------- */

static void
test_message_type(void **state)
{
	static const struct { uint16_t method; enum gw_stun_class cls; uint16_t type; } rows[] = {
		/* 1 */ { GW_STUN_BINDING, GW_STUN_REQUEST, 0x0001 },
		/* 2 */ { GW_STUN_BINDING, GW_STUN_INDICATION, 0x0011 },
		/* 3 */ { GW_STUN_BINDING, GW_STUN_SUCCESS, 0x0101 },
		/* 4 */ { GW_STUN_BINDING, GW_STUN_ERROR, 0x0111 },
		/* 5 */ { GW_STUN_ALLOCATE, GW_STUN_REQUEST, 0x0003 },
		/* 6 */ { GW_STUN_SEND, GW_STUN_INDICATION, 0x0016 },
		/* 7 */ { GW_STUN_DATA, GW_STUN_INDICATION, 0x0017 },
		/* 8 */ { GW_STUN_CHANNEL_BIND, GW_STUN_SUCCESS, 0x0109 },
		/* 9 */ { 0xfff, GW_STUN_ERROR, 0x3fff },
	};
	uint8_t buf[20];
	uint8_t txid[12] = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct gw_stun_enc e;
		struct gw_stun_view v;

		assert_int_equal(gw_stun_type(rows[i].method, rows[i].cls), rows[i].type);
		assert_int_equal(gw_stun_enc_init(&e, buf, sizeof(buf), rows[i].type, txid), 0);
		assert_int_equal(gw_stun_parse(&v, buf, gw_stun_enc_len(&e)), 0);
		assert_int_equal(v.method, rows[i].method);
		assert_int_equal(v.cls, rows[i].cls);
	}
}

/* ---- RFC 5769 --------------------------------------------------------------- */

static void
test_rfc5769_request(void **state)
{
	struct gw_hmac_sha1_key k, bad;
	struct gw_stun_view v;
	uint32_t prio;
	uint64_t tie;

	(void)state;
	assert_int_equal(gw_stun_parse(&v, rfc5769_request, sizeof(rfc5769_request)), 0);
	assert_int_equal(v.cls, GW_STUN_REQUEST);
	assert_int_equal(v.method, GW_STUN_BINDING);
	assert_memory_equal(v.txid, rfc5769_txid, 12);
	assert_int_equal(v.flags, 0);
	assert_attr_str(&v, GW_STUN_A_USERNAME, RFC5769_USERNAME);
	assert_attr_str(&v, GW_STUN_A_SOFTWARE, RFC5769_SOFTWARE_REQ);
	assert_int_equal(gw_stun_get_u32(&v, &v.attr[GW_STUN_A_PRIORITY], &prio), 0);
	assert_int_equal(prio, 0x6e0001ff);
	assert_int_equal(gw_stun_get_u64(&v, &v.attr[GW_STUN_A_ICE_CONTROLLED], &tie), 0);
	assert_true(tie == 0x932ff9b151263b36ull);
	assert_int_equal(gw_stun_get_u64(&v, &v.attr[GW_STUN_A_ICE_CONTROLLING], &tie), -ENOENT);
	assert_int_equal(v.attr[GW_STUN_A_USE_CANDIDATE].off, 0);

	key_sha1(&k, RFC5769_PASSWORD, strlen(RFC5769_PASSWORD));
	assert_int_equal(gw_stun_check_integrity(&v, &k), 0);
	assert_int_equal(gw_stun_check_fingerprint(&v), 0);
	key_sha1(&bad, "VOkJxbRl1RmTxUk/WvJxBT", 22);
	assert_int_equal(gw_stun_check_integrity(&v, &bad), GW_STUN_ERR(401));
	assert_int_equal(GW_STUN_CODE(gw_stun_check_integrity(&v, &bad)), 401);
	assert_true(GW_IS_STUN_ERR(gw_stun_check_integrity(&v, &bad)));
	assert_int_equal(gw_stun_check_integrity_sha256(&v, NULL), -ENOENT);
}

/* Encode 2.1 from its fields: USERNAME is padded with 0x20 in the RFC. */
static void
test_rfc5769_request_encode(void **state)
{
	struct gw_hmac_sha1_key k;
	struct gw_stun_enc e;
	uint8_t buf[128];

	(void)state;
	key_sha1(&k, RFC5769_PASSWORD, strlen(RFC5769_PASSWORD));
	assert_int_equal(gw_stun_enc_init(&e, buf, sizeof(buf),
					  gw_stun_type(GW_STUN_BINDING, GW_STUN_REQUEST),
					  rfc5769_txid), 0);
	gw_stun_enc_set_pad(&e, 0x20);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_SOFTWARE, RFC5769_SOFTWARE_REQ,
					   strlen(RFC5769_SOFTWARE_REQ)), 0);
	assert_int_equal(gw_stun_enc_u32(&e, GW_STUN_ATTR_PRIORITY, 0x6e0001ff), 0);
	assert_int_equal(gw_stun_enc_u64(&e, GW_STUN_ATTR_ICE_CONTROLLED,
					 0x932ff9b151263b36ull), 0);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_USERNAME, RFC5769_USERNAME,
					   strlen(RFC5769_USERNAME)), 0);
	assert_int_equal(gw_stun_enc_integrity(&e, &k), 0);
	assert_int_equal(gw_stun_enc_fingerprint(&e), 0);
	assert_int_equal(gw_stun_enc_len(&e), sizeof(rfc5769_request));
	assert_memory_equal(buf, rfc5769_request, sizeof(rfc5769_request));
}

static void
check_response(const uint8_t *msg, size_t len, const struct gw_stun_addr *want)
{
	struct gw_hmac_sha1_key k;
	struct gw_stun_view v;
	struct gw_stun_addr a;

	assert_int_equal(gw_stun_parse(&v, msg, len), 0);
	assert_int_equal(v.cls, GW_STUN_SUCCESS);
	assert_int_equal(v.method, GW_STUN_BINDING);
	assert_memory_equal(v.txid, rfc5769_txid, 12);
	assert_attr_str(&v, GW_STUN_A_SOFTWARE, RFC5769_SOFTWARE_RESP);
	assert_int_equal(gw_stun_get_xor_addr(&v, &v.attr[GW_STUN_A_XOR_MAPPED_ADDRESS], &a), 0);
	assert_int_equal(a.family, want->family);
	assert_int_equal(a.port, want->port);
	assert_memory_equal(a.addr, want->addr, 16);
	assert_int_equal(gw_stun_get_addr(&v, &v.attr[GW_STUN_A_MAPPED_ADDRESS], &a), -ENOENT);
	key_sha1(&k, RFC5769_PASSWORD, strlen(RFC5769_PASSWORD));
	assert_int_equal(gw_stun_check_integrity(&v, &k), 0);
	assert_int_equal(gw_stun_check_fingerprint(&v), 0);
}

/* Encode a 2.2/2.3 response from its fields and compare every byte. */
static void
encode_response(const uint8_t *want, size_t len, const struct gw_stun_addr *a)
{
	struct gw_hmac_sha1_key k;
	struct gw_stun_enc e;
	uint8_t buf[128];

	key_sha1(&k, RFC5769_PASSWORD, strlen(RFC5769_PASSWORD));
	assert_int_equal(gw_stun_enc_init(&e, buf, sizeof(buf),
					  gw_stun_type(GW_STUN_BINDING, GW_STUN_SUCCESS),
					  rfc5769_txid), 0);
	gw_stun_enc_set_pad(&e, 0x20);     /* RFC 5769 pads SOFTWARE with a space */
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_SOFTWARE, RFC5769_SOFTWARE_RESP,
					   strlen(RFC5769_SOFTWARE_RESP)), 0);
	assert_int_equal(gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_MAPPED_ADDRESS, a), 0);
	assert_int_equal(gw_stun_enc_integrity(&e, &k), 0);
	assert_int_equal(gw_stun_enc_fingerprint(&e), 0);
	assert_int_equal(gw_stun_enc_len(&e), len);
	assert_memory_equal(buf, want, len);
}

static const struct gw_stun_addr rfc5769_v4 = {
	.family = GW_STUN_FAMILY_IPV4, .port = 32853, .addr = { 192, 0, 2, 1 },
};
static const struct gw_stun_addr rfc5769_v6 = {
	.family = GW_STUN_FAMILY_IPV6, .port = 32853,
	.addr = { 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
		  0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77 },
};

static void
test_rfc5769_response_v4(void **state)
{
	(void)state;
	check_response(rfc5769_response_v4, sizeof(rfc5769_response_v4), &rfc5769_v4);
	encode_response(rfc5769_response_v4, sizeof(rfc5769_response_v4), &rfc5769_v4);
}

static void
test_rfc5769_response_v6(void **state)
{
	(void)state;
	check_response(rfc5769_response_v6, sizeof(rfc5769_response_v6), &rfc5769_v6);
	encode_response(rfc5769_response_v6, sizeof(rfc5769_response_v6), &rfc5769_v6);
}

static void
test_rfc5769_longterm(void **state)
{
	uint8_t lt[16];
	struct gw_hmac_sha1_key k;
	struct gw_stun_view v;
	struct gw_stun_enc e;
	uint8_t buf[128];

	(void)state;
	assert_int_equal(gw_stun_parse(&v, rfc5769_longterm, sizeof(rfc5769_longterm)), 0);
	assert_int_equal(v.cls, GW_STUN_REQUEST);
	assert_attr_str(&v, GW_STUN_A_USERNAME, RFC5769_LT_USERNAME);
	assert_attr_str(&v, GW_STUN_A_NONCE, RFC5769_LT_NONCE);
	assert_attr_str(&v, GW_STUN_A_REALM, RFC5769_LT_REALM);
	assert_int_equal(gw_stun_check_fingerprint(&v), -ENOENT);

	assert_int_equal(gw_stun_longterm_key_md5(lt, RFC5769_LT_USERNAME, RFC5769_LT_REALM,
						  RFC5769_LT_PASSWORD), 0);
	key_sha1(&k, lt, sizeof(lt));
	assert_int_equal(gw_stun_check_integrity(&v, &k), 0);

	/* and encode it back: this vector pads with zeros */
	assert_int_equal(gw_stun_enc_init(&e, buf, sizeof(buf), 0x0001, v.txid), 0);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_USERNAME, RFC5769_LT_USERNAME,
					   strlen(RFC5769_LT_USERNAME)), 0);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_NONCE, RFC5769_LT_NONCE,
					   strlen(RFC5769_LT_NONCE)), 0);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_REALM, RFC5769_LT_REALM,
					   strlen(RFC5769_LT_REALM)), 0);
	assert_int_equal(gw_stun_enc_integrity(&e, &k), 0);
	assert_int_equal(gw_stun_enc_len(&e), sizeof(rfc5769_longterm));
	assert_memory_equal(buf, rfc5769_longterm, sizeof(rfc5769_longterm));

	assert_int_equal(gw_stun_longterm_key_md5(NULL, "a", "b", "c"), -EINVAL);
	assert_int_equal(gw_stun_longterm_key_md5(lt, "a", NULL, "c"), -EINVAL);
}

/* ---- RFC 8489 B.1 (Errata 6268) -------------------------------------------- */

static void
test_rfc8489_b1(void **state)
{
	static const uint8_t pwalg[4] = { 0x00, 0x02, 0x00, 0x00 };
	uint8_t lt[32], uh[32];
	struct gw_hmac_sha256_key k;
	struct gw_hmac_sha1_key k1;
	struct gw_stun_view v;
	struct gw_stun_enc e;
	const uint8_t *p;
	size_t n;
	uint16_t alg;
	uint8_t buf[256];

	(void)state;
	assert_int_equal(gw_stun_parse(&v, rfc8489_b1_request, sizeof(rfc8489_b1_request)), 0);
	assert_int_equal(v.cls, GW_STUN_REQUEST);
	assert_int_equal(v.method, GW_STUN_BINDING);
	assert_int_equal(v.flags, 0);
	assert_attr_str(&v, GW_STUN_A_NONCE, RFC8489_B1_NONCE);
	assert_attr_str(&v, GW_STUN_A_REALM, RFC8489_B1_REALM);
	assert_int_equal(gw_stun_get_password_algorithm(&v, &alg), 0);
	assert_int_equal(alg, GW_STUN_PWALG_SHA256);

	assert_int_equal(gw_stun_userhash(uh, RFC8489_B1_USERNAME, RFC8489_B1_REALM), 0);
	assert_int_equal(gw_stun_get_bytes(&v, &v.attr[GW_STUN_A_USERHASH], &p, &n), 0);
	assert_int_equal(n, 32);
	assert_memory_equal(p, uh, 32);

	assert_int_equal(gw_stun_longterm_key_sha256(lt, RFC8489_B1_USERNAME, RFC8489_B1_REALM,
						     RFC8489_B1_PASSWORD), 0);
	key_sha256(&k, lt, sizeof(lt));
	assert_int_equal(gw_stun_check_integrity_sha256(&v, &k), 0);
	key_sha1(&k1, lt, sizeof(lt));
	assert_int_equal(gw_stun_check_integrity(&v, &k1), -ENOENT);

	/* encode it from its fields */
	assert_int_equal(gw_stun_enc_init(&e, buf, sizeof(buf), 0x0001, v.txid), 0);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_USERHASH, uh, sizeof(uh)), 0);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_NONCE, RFC8489_B1_NONCE,
					   strlen(RFC8489_B1_NONCE)), 0);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_REALM, RFC8489_B1_REALM,
					   strlen(RFC8489_B1_REALM)), 0);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_PASSWORD_ALGORITHM, pwalg, 4), 0);
	assert_int_equal(gw_stun_enc_integrity_sha256(&e, &k), 0);
	assert_int_equal(gw_stun_enc_len(&e), sizeof(rfc8489_b1_request));
	assert_memory_equal(buf, rfc8489_b1_request, sizeof(rfc8489_b1_request));
}

/* MESSAGE-INTEGRITY-SHA256 may be truncated to 16 bytes (§14.6). */
static void
test_integrity_sha256_truncated(void **state)
{
	static const uint8_t txid[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	static const uint8_t zero[16] = { 0 };
	struct gw_hmac_sha256_key k;
	struct gw_stun_view v;
	struct gw_stun_enc e;
	uint8_t buf[64], mac[32];
	size_t start;

	(void)state;
	key_sha256(&k, "secret", 6);
	assert_int_equal(gw_stun_enc_init(&e, buf, sizeof(buf), 0x0001, txid), 0);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_USERNAME, "u:v", 3), 0);
	start = gw_stun_enc_len(&e);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_MESSAGE_INTEGRITY_SHA256, zero, 16), 0);
	gw_hmac_sha256(&k, buf, start, mac);     /* length field already ends here */
	memcpy(buf + start + 4, mac, 16);
	assert_int_equal(gw_stun_parse(&v, buf, gw_stun_enc_len(&e)), 0);
	assert_int_equal(gw_stun_check_integrity_sha256(&v, &k), 0);
	buf[start + 4 + 15] ^= 1;
	assert_int_equal(gw_stun_parse(&v, buf, gw_stun_enc_len(&e)), 0);
	assert_int_equal(gw_stun_check_integrity_sha256(&v, &k), GW_STUN_ERR(401));
}

/* ---- encoder: error responses, TURN attributes, limits ------------------------ */

static void
test_encode_420_roundtrip(void **state)
{
	static const uint16_t unk[] = { 0x0033, 0x7777, 0x0001 };
	struct gw_stun_view v;
	struct gw_stun_enc e;
	uint8_t req[64], buf[128];
	const uint8_t *p, *reason;
	size_t n, rl;
	uint16_t code;
	size_t rlen;

	(void)state;
	/* a request with two unknown comprehension-required attributes */
	rlen = unhex(req, sizeof(req),
		     "0001 0010 2112a442 0102030405060708090a0b0c 0033 0000 7777 0004 00000000 "
		     "8099 0000");
	assert_int_equal(gw_stun_parse(&v, req, rlen), GW_STUN_ERR(420));
	assert_int_equal(v.n_unknown, 2);
	assert_int_equal(v.unknown[0], 0x0033);
	assert_int_equal(v.unknown[1], 0x7777);

	/* answer it in the request's own buffer: txid aliases buf + 8 */
	memcpy(buf, req, rlen);
	assert_int_equal(gw_stun_enc_init(&e, buf, sizeof(buf),
					  gw_stun_type(v.method, GW_STUN_ERROR), buf + 8), 0);
	assert_int_equal(gw_stun_enc_error(&e, 420, "Unknown Attribute"), 0);
	assert_int_equal(gw_stun_enc_unknown_attrs(&e, unk, 3), 0);
	assert_int_equal(gw_stun_enc_fingerprint(&e), 0);

	assert_int_equal(gw_stun_parse(&v, buf, gw_stun_enc_len(&e)), 0);
	assert_int_equal(v.cls, GW_STUN_ERROR);
	assert_memory_equal(v.txid, req + 8, 12);
	assert_int_equal(gw_stun_get_error(&v, &code, &reason, &rl), 0);
	assert_int_equal(code, 420);
	assert_int_equal(rl, strlen("Unknown Attribute"));
	assert_memory_equal(reason, "Unknown Attribute", rl);
	assert_int_equal(gw_stun_get_bytes(&v, &v.attr[GW_STUN_A_UNKNOWN_ATTRIBUTES], &p, &n), 0);
	assert_int_equal(n, 6);
	assert_memory_equal(p, "\x00\x33\x77\x77\x00\x01", 6);
	assert_int_equal(gw_stun_check_fingerprint(&v), 0);

	assert_int_equal(gw_stun_enc_error(&e, 299, NULL), -EINVAL);
	assert_int_equal(gw_stun_enc_error(&e, 700, NULL), -EINVAL);
}

static void
test_encode_turn_attrs(void **state)
{
	static const uint8_t txid[12] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 1, 2 };
	struct gw_stun_addr peers[3] = {
		{ .family = GW_STUN_FAMILY_IPV4, .port = 1, .addr = { 198, 18, 0, 1 } },
		{ .family = GW_STUN_FAMILY_IPV6, .port = 65535, .addr = { 0xfe, 0x80, [15] = 1 } },
		{ .family = GW_STUN_FAMILY_IPV4, .port = 3478, .addr = { 198, 18, 0, 2 } },
	};
	struct gw_stun_addr plain = { .family = GW_STUN_FAMILY_IPV4, .port = 5,
				      .addr = { 10, 0, 0, 1 } }, got;
	struct gw_stun_view v;
	struct gw_stun_enc e;
	uint8_t buf[256];
	uint32_t u;
	uint64_t tok;

	(void)state;
	assert_int_equal(gw_stun_enc_init(&e, buf, sizeof(buf),
					  gw_stun_type(GW_STUN_CREATE_PERMISSION, GW_STUN_REQUEST),
					  txid), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &peers[i]), 0);
	assert_int_equal(gw_stun_enc_u32(&e, GW_STUN_ATTR_LIFETIME, 600), 0);
	assert_int_equal(gw_stun_enc_u32(&e, GW_STUN_ATTR_REQUESTED_TRANSPORT, 17u << 24), 0);
	assert_int_equal(gw_stun_enc_u32(&e, GW_STUN_ATTR_CHANNEL_NUMBER, 0x40000000u), 0);
	assert_int_equal(gw_stun_enc_u64(&e, GW_STUN_ATTR_RESERVATION_TOKEN, 0x0102030405060708ull), 0);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_DONT_FRAGMENT, NULL, 0), 0);
	assert_int_equal(gw_stun_enc_addr(&e, GW_STUN_ATTR_MAPPED_ADDRESS, &plain), 0);

	assert_int_equal(gw_stun_parse(&v, buf, gw_stun_enc_len(&e)), 0);
	assert_int_equal(v.method, GW_STUN_CREATE_PERMISSION);
	assert_int_equal(v.flags, 0);
	assert_int_equal(v.n_peers, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(gw_stun_get_xor_addr(&v, &v.peers[i], &got), 0);
		assert_int_equal(got.family, peers[i].family);
		assert_int_equal(got.port, peers[i].port);
		assert_memory_equal(got.addr, peers[i].addr, 16);
	}
	assert_int_equal(gw_stun_get_u32(&v, &v.attr[GW_STUN_A_LIFETIME], &u), 0);
	assert_int_equal(u, 600);
	assert_int_equal(gw_stun_get_u32(&v, &v.attr[GW_STUN_A_REQUESTED_TRANSPORT], &u), 0);
	assert_int_equal(u >> 24, 17);
	assert_int_equal(gw_stun_get_u32(&v, &v.attr[GW_STUN_A_CHANNEL_NUMBER], &u), 0);
	assert_int_equal(u >> 16, 0x4000);
	assert_int_equal(gw_stun_get_u64(&v, &v.attr[GW_STUN_A_RESERVATION_TOKEN], &tok), 0);
	assert_true(tok == 0x0102030405060708ull);
	assert_int_not_equal(v.attr[GW_STUN_A_DONT_FRAGMENT].off, 0);
	assert_int_equal(gw_stun_get_addr(&v, &v.attr[GW_STUN_A_MAPPED_ADDRESS], &got), 0);
	assert_int_equal(got.port, 5);
	assert_memory_equal(got.addr, plain.addr, 4);
	/* wrong-size reads are refused */
	assert_int_equal(gw_stun_get_u64(&v, &v.attr[GW_STUN_A_LIFETIME], &tok), -EBADMSG);
	assert_int_equal(gw_stun_get_u32(&v, &v.attr[GW_STUN_A_NONCE], &u), -ENOENT);
	plain.family = 3;
	assert_int_equal(gw_stun_enc_addr(&e, GW_STUN_ATTR_MAPPED_ADDRESS, &plain), -EINVAL);
}

static void
test_encode_nospace(void **state)
{
	static const uint8_t txid[12] = { 0 };
	struct gw_hmac_sha1_key k;
	struct gw_stun_enc e;
	uint8_t buf[40];
	size_t before;

	(void)state;
	key_sha1(&k, "k", 1);
	assert_int_equal(gw_stun_enc_init(&e, buf, 19, 0x0001, txid), -ENOSPC);
	assert_int_equal(gw_stun_enc_init(&e, buf, sizeof(buf), 0x4001, txid), -EINVAL);
	assert_int_equal(gw_stun_enc_init(&e, buf, sizeof(buf), 0x0001, txid), 0);
	assert_int_equal(gw_stun_enc_u32(&e, GW_STUN_ATTR_PRIORITY, 1), 0);       /* 28 */
	before = gw_stun_enc_len(&e);
	assert_int_equal(gw_stun_enc_integrity(&e, &k), -ENOSPC);              /* needs 24 */
	assert_int_equal(gw_stun_enc_len(&e), before);
	assert_int_equal(buf[3], 8);                                           /* length field untouched */
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_SOFTWARE, "abcdefgh", 8), 0); /* 40 */
	assert_int_equal(gw_stun_enc_fingerprint(&e), -ENOSPC);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_DATA, NULL, 0), -ENOSPC);
	assert_int_equal(gw_stun_enc_len(&e), 40);
}

static void
test_frame_len(void **state)
{
	(void)state;
	assert_int_equal(gw_stun_frame_len(rfc5769_request, 19), -EAGAIN);
	assert_int_equal(gw_stun_frame_len(rfc5769_request, 20), (int)sizeof(rfc5769_request));
	assert_int_equal(gw_stun_frame_len(rfc5769_longterm, 116), 116);
	assert_int_equal(gw_stun_frame_len((const uint8_t *)"\x40\x01\x00\x00\x21\x12\xa4\x42"
				"\0\0\0\0\0\0\0\0\0\0\0\0", 20), -EBADMSG);
}

/* ---- numbered malformed-message table ------------------------------------------ */

#define HDR(len) "0001 " len " 2112a442 0102030405060708090a0b0c "
#define SKIP 1      /* want_fp / want_mi: not checked */

static const struct bad_row {
	const char *what;
	const char *hex;        /* NULL: use the RFC 5769 §2.1 request */
	size_t trunc;           /* >0: use only this many bytes */
	int flip;               /* >=0: xor this byte with 1 */
	int want;               /* gw_stun_parse() result */
	int want_fp, want_mi;   /* checks when parse succeeds */
	uint8_t want_flags;
	uint16_t want_unknown;  /* first unknown type on 420 */
} bad_rows[] = {
	/* 1 */ { "truncated header", NULL, 19, -1, -EBADMSG, SKIP, SKIP, 0, 0 },
	/* 2 */ { "length not a multiple of 4", HDR("0002") "0000", 0, -1, -EBADMSG, SKIP, SKIP, 0, 0 },
	/* 3 */ { "length field beyond buffer", HDR("000c") "0024 0004 00000001", 0, -1,
		  -EBADMSG, SKIP, SKIP, 0, 0 },
	/* 4 */ { "attribute overruns message", HDR("0008") "8022 0008 41414141", 0, -1,
		  GW_STUN_ERR(400), SKIP, SKIP, 0, 0 },
	/* 5 */ { "duplicate attribute: first kept, recorded",
		  HDR("0010") "0024 0004 00000001 0024 0004 00000002", 0, -1,
		  0, -ENOENT, -ENOENT, GW_STUN_F_DUPLICATE, 0 },
	/* 6 */ { "5-byte PRIORITY", HDR("000c") "0024 0005 00000001 00000000", 0, -1,
		  GW_STUN_ERR(400), SKIP, SKIP, 0, 0 },
	/* 7 */ { "wrong magic cookie (RFC 3489)",
		  "0001 0000 2112a443 0102030405060708090a0b0c", 0, -1,
		  -EPROTONOSUPPORT, SKIP, SKIP, 0, 0 },
	/* 8 */ { "top bits set", "c001 0000 2112a442 0102030405060708090a0b0c", 0, -1,
		  -EBADMSG, SKIP, SKIP, 0, 0 },
	/* 9 */ { "FINGERPRINT not last", HDR("0010") "8028 0004 00000000 0024 0004 00000001",
		  0, -1, GW_STUN_ERR(400), SKIP, SKIP, 0, 0 },
	/* 10 */ { "bad fingerprint value", NULL, 0, 107, 0, -EBADMSG, 0, 0, 0 },
	/* 11 */ { "bad MESSAGE-INTEGRITY", NULL, 0, 80, 0, -EBADMSG, GW_STUN_ERR(401), 0, 0 },
	/* 12 */ { "unknown comprehension-required listed", HDR("0008") "0033 0004 00000000",
		   0, -1, GW_STUN_ERR(420), SKIP, SKIP, 0, 0x0033 },
	/* 13 */ { "unknown comprehension-optional ignored", HDR("0008") "8033 0004 00000000",
		   0, -1, 0, -ENOENT, -ENOENT, 0, 0 },
	/* 14 */ { "attribute after MESSAGE-INTEGRITY ignored",
		   HDR("0020") "0008 0014 0000000000000000000000000000000000000000 "
		   "0024 0004 00000001", 0, -1, 0, -ENOENT, GW_STUN_ERR(401), GW_STUN_F_AFTER_MI, 0 },
	/* 15 */ { "header only", HDR("0000"), 0, -1, 0, -ENOENT, -ENOENT, 0, 0 },
	/* 16 */ { "trailing bytes after the message", HDR("0000") "00000000", 0, -1,
		   -EBADMSG, SKIP, SKIP, 0, 0 },
	/* 17 */ { "XOR-MAPPED-ADDRESS with family 3", HDR("000c") "0020 0008 0003 1234 01020304",
		   0, -1, GW_STUN_ERR(400), SKIP, SKIP, 0, 0 },
	/* 18 */ { "XOR-MAPPED-ADDRESS IPv6 family, IPv4 length",
		   HDR("000c") "0020 0008 0002 1234 01020304", 0, -1, GW_STUN_ERR(400), SKIP, SKIP, 0, 0 },
	/* 19 */ { "USE-CANDIDATE with a value", HDR("0008") "0025 0004 00000000", 0, -1,
		   GW_STUN_ERR(400), SKIP, SKIP, 0, 0 },
	/* 20 */ { "MESSAGE-INTEGRITY-SHA256 of 12 bytes",
		   HDR("0010") "001c 000c 000000000000000000000000", 0, -1,
		   GW_STUN_ERR(400), SKIP, SKIP, 0, 0 },
	/* 21 */ { "FINGERPRINT of 8 bytes", HDR("000c") "8028 0008 0000000000000000", 0, -1,
		   GW_STUN_ERR(400), SKIP, SKIP, 0, 0 },
	/* 22 */ { "nine unknown types: 420, first eight kept",
		   HDR("0024") "0031 0000 0032 0000 0033 0000 0034 0000 0035 0000 0036 0000 "
		   "0037 0000 0038 0000 0039 0000", 0, -1, GW_STUN_ERR(420), SKIP, SKIP,
		   GW_STUN_F_MANY_UNKNOWN, 0x0031 },
	/* 23 */ { "unknown type after MESSAGE-INTEGRITY not listed",
		   HDR("001c") "0008 0014 0000000000000000000000000000000000000000 0033 0000",
		   0, -1, 0, -ENOENT, GW_STUN_ERR(401), GW_STUN_F_AFTER_MI, 0 },
	/* 24 */ { "ERROR-CODE shorter than 4", HDR("0004") "0009 0000", 0, -1,
		   GW_STUN_ERR(400), SKIP, SKIP, 0, 0 },
};

static void
test_malformed_table(void **state)
{
	struct gw_hmac_sha1_key k;

	(void)state;
	key_sha1(&k, RFC5769_PASSWORD, strlen(RFC5769_PASSWORD));
	for (size_t i = 0; i < sizeof(bad_rows) / sizeof(bad_rows[0]); i++) {
		const struct bad_row *r = &bad_rows[i];
		struct gw_stun_view v;
		uint8_t buf[256];
		size_t len;
		int got;

		if (r->hex == NULL) {
			len = sizeof(rfc5769_request);
			memcpy(buf, rfc5769_request, len);
		} else {
			len = unhex(buf, sizeof(buf), r->hex);
		}
		if (r->trunc > 0)
			len = r->trunc;
		if (r->flip >= 0)
			buf[r->flip] ^= 1;
		got = gw_stun_parse(&v, buf, len);
		if (got != r->want)
			fail_msg("row %zu (%s): parse %d, want %d", i + 1, r->what, got, r->want);
		if (got == 0 || GW_IS_STUN_ERR(got)) {
			if (v.flags != r->want_flags)
				fail_msg("row %zu (%s): flags %#x, want %#x", i + 1, r->what,
					 v.flags, r->want_flags);
		}
		if (r->want_unknown != 0 && (v.n_unknown == 0 || v.unknown[0] != r->want_unknown))
			fail_msg("row %zu (%s): unknown list", i + 1, r->what);
		if (got != 0)
			continue;
		if (r->want_fp != SKIP && gw_stun_check_fingerprint(&v) != r->want_fp)
			fail_msg("row %zu (%s): fingerprint %d", i + 1, r->what,
				 gw_stun_check_fingerprint(&v));
		if (r->want_mi != SKIP && gw_stun_check_integrity(&v, &k) != r->want_mi)
			fail_msg("row %zu (%s): integrity %d", i + 1, r->what,
				 gw_stun_check_integrity(&v, &k));
	}
}

/* Row 5 in detail: the first PRIORITY wins. */
static void
test_duplicate_keeps_first(void **state)
{
	struct gw_stun_view v;
	uint8_t buf[64];
	size_t len = unhex(buf, sizeof(buf), HDR("0010") "0024 0004 00000001 0024 0004 00000002");
	uint32_t prio;

	(void)state;
	assert_int_equal(gw_stun_parse(&v, buf, len), 0);
	assert_int_equal(v.dup_type, GW_STUN_ATTR_PRIORITY);
	assert_int_equal(gw_stun_get_u32(&v, &v.attr[GW_STUN_A_PRIORITY], &prio), 0);
	assert_int_equal(prio, 1);
	assert_int_equal(gw_stun_parse(NULL, buf, len), -EINVAL);
	assert_int_equal(gw_stun_parse(&v, NULL, len), -EINVAL);
}

/* Family 2 in every XOR'ed address attribute a TURN server writes or reads:
 * value bytes computed by hand (port ^ 0x2112, address ^ cookie || txid),
 * then decoded back. */
static void
same_addr(const struct gw_stun_addr *x, const struct gw_stun_addr *y)
{
	assert_int_equal(x->family, y->family);
	assert_int_equal(x->port, y->port);
	assert_memory_equal(x->addr, y->addr, 16);
}

static void
test_xor_addr_ipv6_all(void **state)
{
	static const uint16_t types[] = { GW_STUN_ATTR_XOR_MAPPED_ADDRESS,
					  GW_STUN_ATTR_XOR_PEER_ADDRESS,
					  GW_STUN_ATTR_XOR_RELAYED_ADDRESS };
	static const uint8_t want[20] = {
		0x00, 0x02, 0xe1, 0x12, 0x01, 0x13, 0xa4, 0x40, 0xb7, 0xe7,
		0xa7, 0x29, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xab,
	};
	const struct gw_stun_addr a = {         /* [2001:2:0:28::5]:49152 */
		.family = GW_STUN_FAMILY_IPV6, .port = 49152,
		.addr = { 0x20, 0x01, 0, 2, 0, 0, 0, 0x28, [15] = 5 },
	};
	struct gw_stun_enc e;
	struct gw_stun_view v;
	struct gw_stun_addr got;
	uint8_t buf[128];

	(void)state;
	assert_int_equal(gw_stun_enc_init(&e, buf, sizeof(buf),
					  gw_stun_type(GW_STUN_ALLOCATE, GW_STUN_SUCCESS),
					  rfc5769_txid), 0);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(gw_stun_enc_xor_addr(&e, types[i], &a), 0);
	assert_int_equal(gw_stun_enc_len(&e), 20 + 3 * 24);
	for (size_t i = 0; i < 3; i++) {
		const uint8_t *p = buf + 20 + 24 * i;

		assert_int_equal(p[0] << 8 | p[1], types[i]);
		assert_int_equal(p[2] << 8 | p[3], 20);
		assert_memory_equal(p + 4, want, 20);
	}
	assert_int_equal(gw_stun_parse(&v, buf, gw_stun_enc_len(&e)), 0);
	assert_int_equal(v.n_peers, 1);
	assert_int_equal(gw_stun_get_xor_addr(&v, &v.attr[GW_STUN_A_XOR_MAPPED_ADDRESS], &got), 0);
	same_addr(&got, &a);
	assert_int_equal(gw_stun_get_xor_addr(&v, &v.attr[GW_STUN_A_XOR_RELAYED_ADDRESS], &got), 0);
	same_addr(&got, &a);
	assert_int_equal(gw_stun_get_xor_addr(&v, &v.peers[0], &got), 0);
	assert_int_equal(got.family, GW_STUN_FAMILY_IPV6);
	assert_int_equal(got.port, 49152);
	assert_memory_equal(got.addr, a.addr, 16);
	/* the plain form (MAPPED-ADDRESS) carries the address as is */
	assert_int_equal(gw_stun_enc_init(&e, buf, sizeof(buf), 0x0101, rfc5769_txid), 0);
	assert_int_equal(gw_stun_enc_addr(&e, GW_STUN_ATTR_MAPPED_ADDRESS, &a), 0);
	assert_memory_equal(buf + 24, ((uint8_t[]){ 0, 2, 0xc0, 0x00 }), 4);
	assert_memory_equal(buf + 28, a.addr, 16);
	assert_int_equal(gw_stun_parse(&v, buf, gw_stun_enc_len(&e)), 0);
	assert_int_equal(gw_stun_get_addr(&v, &v.attr[GW_STUN_A_MAPPED_ADDRESS], &got), 0);
	same_addr(&got, &a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hmac_matches_openssl),
		cmocka_unit_test(test_message_type),
		cmocka_unit_test(test_rfc5769_request),
		cmocka_unit_test(test_rfc5769_request_encode),
		cmocka_unit_test(test_rfc5769_response_v4),
		cmocka_unit_test(test_rfc5769_response_v6),
		cmocka_unit_test(test_xor_addr_ipv6_all),
		cmocka_unit_test(test_rfc5769_longterm),
		cmocka_unit_test(test_rfc8489_b1),
		cmocka_unit_test(test_integrity_sha256_truncated),
		cmocka_unit_test(test_encode_420_roundtrip),
		cmocka_unit_test(test_encode_turn_attrs),
		cmocka_unit_test(test_encode_nospace),
		cmocka_unit_test(test_frame_len),
		cmocka_unit_test(test_malformed_table),
		cmocka_unit_test(test_duplicate_keeps_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
