/*
 * dp_srtp: known answers through our code (RFC 3711 B.2 and B.3, RFC 7714
 * §16-17), a cross-check of every profile against the system libsrtp2 in both
 * directions, out-of-place protect against in-place (byte for byte) and the
 * same known answers, the replay window (numbered rows, 64-wide edge), tag and replay
 * errors, the ROC across a sequence wrap, SRTCP indices, and no allocation on
 * the per-packet path.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>
#include <srtp2/srtp.h>

#include "dp_srtp.h"
#include "dp_srtp_kat.h"
#include "dp_srtp_priv.h"
#include "gw_ipc.h"

static const uint16_t profiles[] = {
	DP_SRTP_AES128_CM_SHA1_80, DP_SRTP_AES128_CM_SHA1_32, DP_SRTP_AEAD_AES_128_GCM,
};

static struct dp_srtp_pool *pool;

static int
setup(void **state)
{
	(void)state;
	return dp_srtp_pool_create(&pool, 8);
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(dp_srtp_pool_avail(pool), 8);   /* every test gave back its contexts */
	dp_srtp_pool_free(pool);
	return 0;
}

static void
mkkey(struct dp_srtp_key *k, uint16_t profile, uint8_t seed)
{
	k->profile = profile;
	for (unsigned i = 0; i < sizeof(k->key); i++)
		k->key[i] = (uint8_t)(seed + i * 7);
	for (unsigned i = 0; i < sizeof(k->salt); i++)
		k->salt[i] = (uint8_t)(seed ^ (i * 13 + 1));
}

/* An RTP packet: 2 CSRCs, a one-byte-form extension, payload of plen bytes. */
static size_t
mkrtp(uint8_t *b, uint16_t seq, uint32_t ssrc, size_t plen)
{
	static const uint8_t hdr[] = {
		0x92, 0x6f, 0, 0, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0,
		0xaa, 0xaa, 0xaa, 0xaa, 0xbb, 0xbb, 0xbb, 0xbb,          /* CSRCs */
		0xbe, 0xde, 0x00, 0x01, 0x10, 0x7f, 0x00, 0x00,          /* ext: id 1, 1 byte */
	};

	memcpy(b, hdr, sizeof(hdr));
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	b[8] = (uint8_t)(ssrc >> 24);
	b[9] = (uint8_t)(ssrc >> 16);
	b[10] = (uint8_t)(ssrc >> 8);
	b[11] = (uint8_t)ssrc;
	for (size_t i = 0; i < plen; i++)
		b[sizeof(hdr) + i] = (uint8_t)(seq + i);
	return sizeof(hdr) + plen;
}

/* An RTCP RR + SDES compound from ssrc. */
static size_t
mkrtcp(uint8_t *b, uint32_t ssrc, uint8_t fill)
{
	static const uint8_t pkt[] = {
		0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 0,                       /* RR, no blocks */
		0x81, 0xca, 0x00, 0x02, 0, 0, 0, 0, 0x01, 0x02, 'g', 'w', /* SDES CNAME */
	};

	memcpy(b, pkt, sizeof(pkt));
	for (int i = 0; i < 4; i++)
		b[4 + i] = b[12 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
	b[19] = fill;
	return sizeof(pkt);
}

/* ---- known answers ----------------------------------------------------- */

static void
test_selftest(void **state)
{
	(void)state;
	assert_int_equal(dp_srtp_selftest(), 0);
}

/* RFC 3711 B.3: every label, through dp_srtp_kdf and dp_srtp_derive. */
static void
test_kat_kdf(void **state)
{
	static const uint8_t rtcp_key[16] = { 0x4c, 0x1a, 0xa4, 0x5a, 0x81, 0xf7, 0x3d, 0x61,
					      0xc8, 0x00, 0xbb, 0xb0, 0x0f, 0xbb, 0x1e, 0xaa };
	struct dp_srtp_key mk = { .profile = DP_SRTP_AES128_CM_SHA1_80 };
	struct dp_srtp_session_keys k;
	uint8_t out[20];

	(void)state;
	memcpy(mk.key, kat_b3_master_key, 16);
	memcpy(mk.salt, kat_b3_master_salt, 14);
	assert_int_equal(dp_srtp_derive(&k, &mk), 0);
	assert_memory_equal(k.rtp_key, kat_b3_cipher_key, 16);
	assert_memory_equal(k.rtp_salt, kat_b3_cipher_salt, 14);
	assert_memory_equal(k.rtp_auth, kat_b3_auth_key, 20);
	/* SRTCP label 3 (the value libsrtp and libre agree on for B.3's master key) */
	assert_memory_equal(k.rtcp_key, rtcp_key, 16);
	assert_int_equal(dp_srtp_kdf(out, 20, 1, kat_b3_master_key, kat_b3_master_salt), 0);
	assert_memory_equal(out, kat_b3_auth_key, 20);
	assert_int_equal(dp_srtp_kdf(out, 33, 1, kat_b3_master_key, kat_b3_master_salt), -EINVAL);
	mk.profile = 0x55;
	assert_int_equal(dp_srtp_derive(&k, &mk), -EINVAL);
}

/* RFC 3711 B.2: a zero payload at SSRC 0, index 0 encrypts to the keystream. */
static void
test_kat_keystream(void **state)
{
	struct dp_srtp_session_keys k = {0};
	struct dp_srtp *tx;
	uint8_t b[128] = { 0x80 };
	size_t n = 12 + sizeof(kat_b2_keystream);

	(void)state;
	memcpy(k.rtp_key, kat_b2_key, 16);
	memcpy(k.rtp_salt, kat_b2_salt, 14);
	assert_int_equal(dp_srtp_create_session(&tx, pool, DP_SRTP_AES128_CM_SHA1_80, DP_SRTP_SEND,
						&k), 0);
	assert_int_equal(dp_srtp_protect(tx, b, &n, sizeof(b)), 0);
	assert_int_equal(n, 12 + sizeof(kat_b2_keystream) + 10);
	assert_memory_equal(b + 12, kat_b2_keystream, sizeof(kat_b2_keystream));
	dp_srtp_free(tx);
}

/* RFC 7714 §16.1.1 and §17.1.1, both directions. */
static void
test_kat_gcm(void **state)
{
	struct dp_srtp_session_keys k = {0};
	struct dp_srtp *tx, *rx;
	uint8_t b[128];
	size_t n;

	(void)state;
	memcpy(k.rtp_key, kat_gcm_key, 16);
	memcpy(k.rtp_salt, kat_gcm_salt, 12);
	memcpy(k.rtcp_key, kat_gcm_key, 16);
	memcpy(k.rtcp_salt, kat_gcm_salt, 12);
	assert_int_equal(dp_srtp_create_session(&tx, pool, DP_SRTP_AEAD_AES_128_GCM, DP_SRTP_SEND,
						&k), 0);
	assert_int_equal(dp_srtp_create_session(&rx, pool, DP_SRTP_AEAD_AES_128_GCM, DP_SRTP_RECV,
						&k), 0);
	memcpy(b, kat_gcm_rtp_plain, n = sizeof(kat_gcm_rtp_plain));
	assert_int_equal(dp_srtp_protect(tx, b, &n, sizeof(b)), 0);
	assert_int_equal(n, sizeof(kat_gcm_rtp_protected));
	assert_memory_equal(b, kat_gcm_rtp_protected, n);
	assert_int_equal(dp_srtp_unprotect(rx, b, &n), 0);
	assert_int_equal(n, sizeof(kat_gcm_rtp_plain));
	assert_memory_equal(b, kat_gcm_rtp_plain, n);

	assert_int_equal(dp_srtp_stream_seed(tx, 0x4d617273, 0, 0, KAT_GCM_RTCP_INDEX), 0);
	memcpy(b, kat_gcm_rtcp_plain, n = sizeof(kat_gcm_rtcp_plain));
	assert_int_equal(dp_srtp_rtcp_protect(tx, b, &n, sizeof(b)), 0);
	assert_int_equal(n, sizeof(kat_gcm_rtcp_protected));
	assert_memory_equal(b, kat_gcm_rtcp_protected, n);
	assert_int_equal(dp_srtp_rtcp_unprotect(rx, b, &n), 0);
	assert_int_equal(n, sizeof(kat_gcm_rtcp_plain));
	assert_memory_equal(b, kat_gcm_rtcp_plain, n);
	/* the same SRTCP packet again: replay */
	memcpy(b, kat_gcm_rtcp_protected, n = sizeof(kat_gcm_rtcp_protected));
	assert_int_equal(dp_srtp_rtcp_unprotect(rx, b, &n), DP_SRTP_E_REPLAY);
	dp_srtp_free(tx);
	dp_srtp_free(rx);
}

/* protect_to(src -> dst) for an RTP (rtcp 0) or RTCP packet; src must come back unchanged. */
static int
protect_to(struct dp_srtp *tx, bool rtcp, const uint8_t *src, size_t len, uint8_t *dst,
	   size_t cap, size_t *out)
{
	uint8_t keep[1600];
	int rc;

	assert_true(len <= sizeof(keep));
	memcpy(keep, src, len);
	rc = rtcp ? dp_srtp_rtcp_protect_to(tx, src, len, dst, cap, out)
		  : dp_srtp_protect_to(tx, src, len, dst, cap, out);
	assert_memory_equal(src, keep, len);            /* the source stays plaintext */
	return rc;
}

/* The same known answers out of place: RFC 7714 §16.1.1/§17.1.1, RFC 3711 B.2,
 * and the self-test's AES-CM/HMAC-SHA1-80 packet from master keys. */
static void
test_kat_out_of_place(void **state)
{
	struct dp_srtp_session_keys k = {0};
	struct dp_srtp_key mk = { .profile = DP_SRTP_AES128_CM_SHA1_80 };
	struct dp_srtp *tx, *rx;
	uint8_t src[128] = { 0x80 }, dst[160];
	size_t n;

	(void)state;
	memcpy(k.rtp_key, kat_gcm_key, 16);
	memcpy(k.rtp_salt, kat_gcm_salt, 12);
	memcpy(k.rtcp_key, kat_gcm_key, 16);
	memcpy(k.rtcp_salt, kat_gcm_salt, 12);
	assert_int_equal(dp_srtp_create_session(&tx, pool, DP_SRTP_AEAD_AES_128_GCM, DP_SRTP_SEND,
						&k), 0);
	assert_int_equal(dp_srtp_create_session(&rx, pool, DP_SRTP_AEAD_AES_128_GCM, DP_SRTP_RECV,
						&k), 0);
	memset(dst, 0xee, sizeof(dst));
	assert_int_equal(protect_to(tx, false, kat_gcm_rtp_plain, sizeof(kat_gcm_rtp_plain), dst,
				    sizeof(dst), &n), 0);
	assert_int_equal(n, sizeof(kat_gcm_rtp_protected));
	assert_memory_equal(dst, kat_gcm_rtp_protected, n);
	assert_int_equal(dst[n], 0xee);                 /* nothing written past the packet */
	assert_int_equal(dp_srtp_unprotect(rx, dst, &n), 0);
	assert_memory_equal(dst, kat_gcm_rtp_plain, sizeof(kat_gcm_rtp_plain));
	assert_int_equal(dp_srtp_stream_seed(tx, 0x4d617273, 0, 0, KAT_GCM_RTCP_INDEX), 0);
	memset(dst, 0xee, sizeof(dst));
	assert_int_equal(protect_to(tx, true, kat_gcm_rtcp_plain, sizeof(kat_gcm_rtcp_plain), dst,
				    sizeof(dst), &n), 0);
	assert_int_equal(n, sizeof(kat_gcm_rtcp_protected));
	assert_memory_equal(dst, kat_gcm_rtcp_protected, n);
	assert_int_equal(dst[n], 0xee);
	assert_int_equal(dp_srtp_rtcp_unprotect(rx, dst, &n), 0);
	assert_memory_equal(dst, kat_gcm_rtcp_plain, sizeof(kat_gcm_rtcp_plain));
	dp_srtp_free(tx);
	dp_srtp_free(rx);

	memset(&k, 0, sizeof(k));
	memcpy(k.rtp_key, kat_b2_key, 16);
	memcpy(k.rtp_salt, kat_b2_salt, 14);
	assert_int_equal(dp_srtp_create_session(&tx, pool, DP_SRTP_AES128_CM_SHA1_80, DP_SRTP_SEND,
						&k), 0);
	assert_int_equal(protect_to(tx, false, src, 12 + sizeof(kat_b2_keystream), dst, sizeof(dst),
				    &n), 0);
	assert_int_equal(n, 12 + sizeof(kat_b2_keystream) + 10);
	assert_memory_equal(dst, src, 12);
	assert_memory_equal(dst + 12, kat_b2_keystream, sizeof(kat_b2_keystream));
	dp_srtp_free(tx);

	memset(mk.key, 0x22, sizeof(mk.key));
	memset(mk.salt, 0x44, sizeof(mk.salt));
	assert_int_equal(dp_srtp_create(&tx, pool, &mk, DP_SRTP_SEND), 0);
	assert_int_equal(protect_to(tx, false, kat_cm_rtp_plain, sizeof(kat_cm_rtp_plain), dst,
				    sizeof(dst), &n), 0);
	assert_int_equal(n, sizeof(kat_cm_rtp_protected));
	assert_memory_equal(dst, kat_cm_rtp_protected, n);
	dp_srtp_free(tx);
}

/*
 * Out of place == in place, byte for byte, for every profile, RTP (with CSRCs
 * and an extension, payloads 0..1200 bytes) and RTCP: two send contexts with
 * the same keys, one protecting a copy in place, the other from the source
 * into another buffer; a receiver takes the out-of-place output.
 */
static void
test_out_of_place_equals_in_place(void **state)
{
	static const size_t plens[] = { 0, 1, 15, 16, 17, 132, 160, 1172 };
	struct dp_srtp_key k;
	struct dp_srtp *a, *b, *rx;
	uint8_t src[1400], in[1400], dst[1400];

	(void)state;
	for (unsigned pi = 0; pi < sizeof(profiles) / sizeof(profiles[0]); pi++) {
		mkkey(&k, profiles[pi], 0x31);
		assert_int_equal(dp_srtp_create(&a, pool, &k, DP_SRTP_SEND), 0);
		assert_int_equal(dp_srtp_create(&b, pool, &k, DP_SRTP_SEND), 0);
		assert_int_equal(dp_srtp_create(&rx, pool, &k, DP_SRTP_RECV), 0);
		for (unsigned i = 0; i < 3 * sizeof(plens) / sizeof(plens[0]); i++) {
			bool rtcp = i % 3 == 2;
			size_t len = rtcp ? mkrtcp(src, 0x5151, (uint8_t)i)
					  : mkrtp(src, (uint16_t)(65530 + i), 0x5151, plens[i / 3]);
			size_t na = len, nb;

			memcpy(in, src, len);
			memset(dst, 0xee, sizeof(dst));
			assert_int_equal(rtcp ? dp_srtp_rtcp_protect(a, in, &na, sizeof(in))
					      : dp_srtp_protect(a, in, &na, sizeof(in)), 0);
			assert_int_equal(protect_to(b, rtcp, src, len, dst, sizeof(dst), &nb), 0);
			assert_int_equal(na, nb);
			assert_memory_equal(in, dst, na);
			assert_int_equal(dst[nb], 0xee);
			assert_int_equal(rtcp ? dp_srtp_rtcp_unprotect(rx, dst, &nb)
					      : dp_srtp_unprotect(rx, dst, &nb), 0);
			assert_int_equal(nb, len);
			assert_memory_equal(dst, src, len);
		}
		dp_srtp_free(a);
		dp_srtp_free(b);
		dp_srtp_free(rx);
	}
}

/* ---- libsrtp2 cross-check ---------------------------------------------- */

static srtp_t
lib_session(const struct dp_srtp_key *k, bool outbound)
{
	srtp_policy_t pol;
	uint8_t key[30];
	srtp_t s;

	memset(&pol, 0, sizeof(pol));
	switch (k->profile) {
	case DP_SRTP_AES128_CM_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
		break;
	case DP_SRTP_AES128_CM_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
		break;
	default:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
		break;
	}
	memcpy(key, k->key, 16);
	memcpy(key + 16, k->salt, 14);
	pol.key = key;
	pol.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	pol.window_size = 128;
	assert_int_equal(srtp_create(&s, &pol), srtp_err_status_ok);
	return s;
}

static void
test_libsrtp_cross(void **state)
{
	(void)state;
	assert_int_equal(srtp_init(), srtp_err_status_ok);
	for (unsigned pi = 0; pi < sizeof(profiles) / sizeof(profiles[0]); pi++) {
		struct dp_srtp_key k;
		struct dp_srtp *tx, *rx;
		srtp_t ltx, lrx;

		mkkey(&k, profiles[pi], (uint8_t)(0x30 + pi));
		assert_int_equal(dp_srtp_create(&tx, pool, &k, DP_SRTP_SEND), 0);
		assert_int_equal(dp_srtp_create(&rx, pool, &k, DP_SRTP_RECV), 0);
		ltx = lib_session(&k, true);
		lrx = lib_session(&k, false);
		/* across a sequence wrap, so the ROC enters the IV and the tag */
		for (unsigned i = 0; i < 40; i++) {
			uint16_t seq = (uint16_t)(65520 + i);
			uint8_t a[256], b[256], plain[256];
			size_t n = mkrtp(a, seq, 0x01020304, 20 + i * 3), plen = n;
			int ln = (int)n;

			memcpy(plain, a, n);
			memcpy(b, a, n);
			/* ours protects == libsrtp protects, byte for byte */
			assert_int_equal(dp_srtp_protect(tx, a, &n, sizeof(a)), 0);
			assert_int_equal(srtp_protect(ltx, b, &ln), srtp_err_status_ok);
			assert_int_equal(n, (size_t)ln);
			assert_memory_equal(a, b, n);
			/* libsrtp unprotects ours; ours unprotects libsrtp's copy */
			assert_int_equal(srtp_unprotect(lrx, a, &ln), srtp_err_status_ok);
			assert_int_equal(ln, (int)plen);
			assert_memory_equal(a, plain, plen);
			assert_int_equal(dp_srtp_unprotect(rx, b, &n), 0);
			assert_int_equal(n, plen);
			assert_memory_equal(b, plain, plen);

			/* SRTCP: libsrtp -> ours, ours -> libsrtp */
			n = mkrtcp(a, 0x01020304, (uint8_t)i);
			plen = n;
			memcpy(plain, a, n);
			ln = (int)n;
			assert_int_equal(srtp_protect_rtcp(ltx, a, &ln), srtp_err_status_ok);
			n = (size_t)ln;
			assert_int_equal(n, plen + dp_srtp_rtcp_overhead(rx));
			assert_int_equal(dp_srtp_rtcp_unprotect(rx, a, &n), 0);
			assert_int_equal(n, plen);
			assert_memory_equal(a, plain, plen);
			assert_int_equal(dp_srtp_rtcp_protect(tx, a, &n, sizeof(a)), 0);
			ln = (int)n;
			assert_int_equal(srtp_unprotect_rtcp(lrx, a, &ln), srtp_err_status_ok);
			assert_int_equal(ln, (int)plen);
			assert_memory_equal(a, plain, plen);
		}
		srtp_dealloc(ltx);
		srtp_dealloc(lrx);
		dp_srtp_free(tx);
		dp_srtp_free(rx);
	}
	/* the self-test's AES-CM packet is libsrtp's answer too */
	{
		struct dp_srtp_key k = { .profile = DP_SRTP_AES128_CM_SHA1_80 };
		uint8_t b[64];
		int ln = sizeof(kat_cm_rtp_plain);
		srtp_t l;

		memset(k.key, 0x22, 16);
		memset(k.salt, 0x44, 14);
		l = lib_session(&k, true);
		memcpy(b, kat_cm_rtp_plain, sizeof(kat_cm_rtp_plain));
		assert_int_equal(srtp_protect(l, b, &ln), srtp_err_status_ok);
		assert_int_equal(ln, sizeof(kat_cm_rtp_protected));
		assert_memory_equal(b, kat_cm_rtp_protected, sizeof(kat_cm_rtp_protected));
		srtp_dealloc(l);
	}
	/* RFC 7714 §11 GCM key derivation: 12-byte master salt, as libsrtp does it */
	{
		struct dp_srtp_key k;
		struct dp_srtp *rx;
		uint8_t b[128];
		size_t n = mkrtp(b, 7, 0x0a0b0c0d, 50);
		int ln = (int)n;
		srtp_t l;
		srtp_policy_t pol;
		uint8_t key[28];

		mkkey(&k, DP_SRTP_AEAD_AES_128_GCM, 0x77);
		memset(&pol, 0, sizeof(pol));
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
		memcpy(key, k.key, 16);
		memcpy(key + 16, k.salt, 12);
		pol.key = key;
		pol.ssrc.type = ssrc_any_outbound;
		assert_int_equal(srtp_create(&l, &pol), srtp_err_status_ok);
		k.salt[12] = 0x99;      /* ignored for GCM */
		k.salt[13] = 0x99;
		assert_int_equal(dp_srtp_create(&rx, pool, &k, DP_SRTP_RECV), 0);
		assert_int_equal(srtp_protect(l, b, &ln), srtp_err_status_ok);
		n = (size_t)ln;
		assert_int_equal(dp_srtp_unprotect(rx, b, &n), 0);
		srtp_dealloc(l);
		dp_srtp_free(rx);
	}
}

/* ---- errors, replay, ROC, SRTCP index ---------------------------------- */

static void
pair(uint16_t profile, struct dp_srtp **tx, struct dp_srtp **rx)
{
	struct dp_srtp_key k;

	mkkey(&k, profile, 0x11);
	assert_int_equal(dp_srtp_create(tx, pool, &k, DP_SRTP_SEND), 0);
	assert_int_equal(dp_srtp_create(rx, pool, &k, DP_SRTP_RECV), 0);
}

static size_t
protect_seq(struct dp_srtp *tx, uint8_t *b, uint16_t seq)
{
	size_t n = mkrtp(b, seq, 0x5555, 40);

	assert_int_equal(dp_srtp_protect(tx, b, &n, 256), 0);
	return n;
}

/* Out-of-place errors: overlap, no room, a receive context, malformed input, a reused index. */
static void
test_out_of_place_errors(void **state)
{
	struct dp_srtp *tx, *rx;
	uint8_t buf[512], dst[256];
	size_t len, n;

	(void)state;
	for (unsigned pi = 0; pi < sizeof(profiles) / sizeof(profiles[0]); pi++) {
		pair(profiles[pi], &tx, &rx);
		len = mkrtp(buf, 7, 9, 40);
		n = 12345;
		/* dst overlapping src without being src */
		assert_int_equal(dp_srtp_protect_to(tx, buf, len, buf + 4, 200, &n), -EINVAL);
		assert_int_equal(dp_srtp_protect_to(tx, buf + 4, len, buf, 200, &n), -EINVAL);
		assert_int_equal(dp_srtp_rtcp_protect_to(tx, buf, len, buf + 1, 200, &n), -EINVAL);
		/* room for the packet but not its tag / trailer */
		assert_int_equal(dp_srtp_protect_to(tx, buf, len, dst,
						    len + dp_srtp_rtp_overhead(tx) - 1, &n),
				 DP_SRTP_E_NOROOM);
		assert_int_equal(dp_srtp_rtcp_protect_to(tx, buf, len, dst,
							 len + dp_srtp_rtcp_overhead(tx) - 1, &n),
				 DP_SRTP_E_NOROOM);
		assert_int_equal(dp_srtp_protect_to(rx, buf, len, dst, sizeof(dst), &n), -EINVAL);
		assert_int_equal(dp_srtp_rtcp_protect_to(rx, buf, len, dst, sizeof(dst), &n), -EINVAL);
		assert_int_equal(dp_srtp_protect_to(tx, buf, 11, dst, sizeof(dst), &n),
				 DP_SRTP_E_MALFORMED);
		assert_int_equal(n, 12345);                     /* untouched on errors */
		/* an exact fit works; the same index again is refused */
		assert_int_equal(dp_srtp_protect_to(tx, buf, len, dst, len + dp_srtp_rtp_overhead(tx),
						    &n), 0);
		assert_int_equal(n, len + dp_srtp_rtp_overhead(tx));
		assert_int_equal(dp_srtp_protect_to(tx, buf, len, dst, sizeof(dst), &n),
				 DP_SRTP_E_REPLAY);
		dp_srtp_free(tx);
		dp_srtp_free(rx);
	}
}

/*
 * The receive window: packets protected in order by the sender, delivered
 * in the order of the rows. ok: accepted; otherwise replay.
 */
static void
test_replay_table(void **state)
{
	static const struct { uint16_t seq; bool ok; } rows[] = {
		/*  1 */ { 100, true },   /* first packet of the stream */
		/*  2 */ { 101, true },
		/*  3 */ { 101, false },  /* duplicate */
		/*  4 */ { 99, true },    /* late but inside the window */
		/*  5 */ { 99, false },
		/*  6 */ { 170, true },   /* jump: window now 107..170 */
		/*  7 */ { 106, false },  /* 64 behind the highest: outside (edge) */
		/*  8 */ { 107, true },   /* 63 behind: the oldest slot inside */
		/*  9 */ { 107, false },
		/* 10 */ { 169, true },
		/* 11 */ { 170, false },
		/* 12 */ { 300, true },  /* jump past the window: everything before is old */
		/* 13 */ { 236, false },
		/* 14 */ { 237, true },
	};
	struct dp_srtp *tx, *rx;
	uint8_t store[400][128];
	size_t len[400];

	(void)state;
	for (unsigned pi = 0; pi < sizeof(profiles) / sizeof(profiles[0]); pi++) {
		pair(profiles[pi], &tx, &rx);
		for (uint16_t s = 90; s < 400; s++)
			len[s] = protect_seq(tx, store[s], s);
		for (unsigned r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
			uint8_t b[128];
			size_t n = len[rows[r].seq];
			int rc;

			memcpy(b, store[rows[r].seq], n);
			rc = dp_srtp_unprotect(rx, b, &n);
			if (rc != (rows[r].ok ? 0 : DP_SRTP_E_REPLAY))
				fail_msg("profile %u row %u (seq %u): rc %d", profiles[pi], r + 1,
					 rows[r].seq, rc);
		}
		dp_srtp_free(tx);
		dp_srtp_free(rx);
	}
}

static void
test_errors(void **state)
{
	struct dp_srtp *tx, *rx;
	uint8_t b[256], c[256];
	size_t n, m;

	(void)state;
	for (unsigned pi = 0; pi < sizeof(profiles) / sizeof(profiles[0]); pi++) {
		pair(profiles[pi], &tx, &rx);
		n = protect_seq(tx, b, 1);
		/* a flipped bit anywhere: header, payload, tag */
		for (size_t pos = 0; pos < n; pos += 7) {
			memcpy(c, b, n);
			c[pos] ^= 0x40;
			m = n;
			int rc = dp_srtp_unprotect(rx, c, &m);
			/* a flip in the header may make it malformed (CC, X) instead */
			if (rc != DP_SRTP_E_AUTH && rc != DP_SRTP_E_MALFORMED)
				fail_msg("profile %u flip at %zu: rc %d", profiles[pi], pos, rc);
		}
		/* nothing moved the window: the genuine packet is still accepted once */
		memcpy(c, b, n);
		m = n;
		assert_int_equal(dp_srtp_unprotect(rx, c, &m), 0);
		memcpy(c, b, n);
		m = n;
		assert_int_equal(dp_srtp_unprotect(rx, c, &m), DP_SRTP_E_REPLAY);
		/* short, not version 2, no room, wrong direction */
		m = 11;
		assert_int_equal(dp_srtp_unprotect(rx, c, &m), DP_SRTP_E_MALFORMED);
		n = mkrtp(c, 2, 0x5555, 10);
		c[0] = 0x40;
		assert_int_equal(dp_srtp_protect(tx, c, &n, sizeof(c)), DP_SRTP_E_MALFORMED);
		n = mkrtp(c, 2, 0x5555, 10);
		assert_int_equal(dp_srtp_protect(tx, c, &n, n + 3), DP_SRTP_E_NOROOM);
		assert_int_equal(dp_srtp_protect(rx, c, &n, sizeof(c)), -EINVAL);
		assert_int_equal(dp_srtp_unprotect(tx, c, &n), -EINVAL);
		/* the sender refuses to use an index twice */
		n = mkrtp(c, 1, 0x5555, 10);
		assert_int_equal(dp_srtp_protect(tx, c, &n, sizeof(c)), DP_SRTP_E_REPLAY);
		/* SRTCP: tampered, replayed */
		n = mkrtcp(c, 0x5555, 1);
		assert_int_equal(dp_srtp_rtcp_protect(tx, c, &n, sizeof(c)), 0);
		memcpy(b, c, n);
		b[10] ^= 1;
		m = n;
		assert_int_equal(dp_srtp_rtcp_unprotect(rx, b, &m), DP_SRTP_E_AUTH);
		memcpy(b, c, n);
		m = n;
		assert_int_equal(dp_srtp_rtcp_unprotect(rx, b, &m), 0);
		memcpy(b, c, n);
		m = n;
		assert_int_equal(dp_srtp_rtcp_unprotect(rx, b, &m), DP_SRTP_E_REPLAY);
		m = 8;
		assert_int_equal(dp_srtp_rtcp_unprotect(rx, b, &m), DP_SRTP_E_MALFORMED);
		dp_srtp_free(tx);
		dp_srtp_free(rx);
	}
}

/* The ROC follows the sequence across wraps, reordered around the wrap. */
static void
test_roc_wrap(void **state)
{
	static const uint16_t order[] = { 65533, 65534, 0, 65535, 1, 2, 3 };
	struct dp_srtp *tx, *rx;
	uint8_t store[8][128], b[128];
	size_t len[8], n;

	(void)state;
	for (unsigned pi = 0; pi < sizeof(profiles) / sizeof(profiles[0]); pi++) {
		pair(profiles[pi], &tx, &rx);
		/* start both ends at ROC 5, so the wrap goes to 6 */
		assert_int_equal(dp_srtp_stream_seed(tx, 0x5555, 5, 65530, 0), 0);
		assert_int_equal(dp_srtp_stream_seed(rx, 0x5555, 5, 65530, 0), 0);
		for (unsigned i = 0; i < 7; i++)        /* sent in order */
			len[i] = protect_seq(tx, store[i], (uint16_t)(65533 + i));
		for (unsigned i = 0; i < 7; i++) {      /* received reordered */
			unsigned k = (uint16_t)(order[i] - 65533);

			memcpy(b, store[k], n = len[k]);
			if (dp_srtp_unprotect(rx, b, &n) != 0)
				fail_msg("profile %u seq %u", profiles[pi], order[i]);
		}
		/* a receiver whose ROC is off by one rejects both sides of the wrap:
		 * the ROC is part of what is authenticated (and of the GCM IV) */
		dp_srtp_free(rx);
		{
			struct dp_srtp_key k;

			mkkey(&k, profiles[pi], 0x11);
			assert_int_equal(dp_srtp_create(&rx, pool, &k, DP_SRTP_RECV), 0);
			assert_int_equal(dp_srtp_stream_seed(rx, 0x5555, 7, 10, 0), 0);
			memcpy(b, store[0], n = len[0]);        /* seq 65533, sent with ROC 5 */
			assert_int_equal(dp_srtp_unprotect(rx, b, &n), DP_SRTP_E_AUTH);
			memcpy(b, store[3], n = len[3]);        /* seq 0, sent with ROC 6 */
			assert_int_equal(dp_srtp_unprotect(rx, b, &n), DP_SRTP_E_AUTH);
		}
		dp_srtp_free(tx);
		dp_srtp_free(rx);
	}
}

/* SRTCP indices count from 0 per SSRC; the receiver's window is per SSRC too. */
static void
test_srtcp_index(void **state)
{
	struct dp_srtp *tx, *rx;
	uint8_t b[128], keep[128];
	size_t n, kn = 0;

	(void)state;
	for (unsigned pi = 0; pi < sizeof(profiles) / sizeof(profiles[0]); pi++) {
		bool gcm = profiles[pi] == DP_SRTP_AEAD_AES_128_GCM;

		pair(profiles[pi], &tx, &rx);
		for (uint32_t i = 0; i < 5; i++) {
			for (uint32_t ssrc = 1; ssrc <= 2; ssrc++) {
				size_t plen = mkrtcp(b, ssrc, 0);
				const uint8_t *w;

				n = plen;
				assert_int_equal(dp_srtp_rtcp_protect(tx, b, &n, sizeof(b)), 0);
				/* E||index: after the tag (GCM), before it (AES-CM) */
				w = gcm ? b + n - 4 : b + plen;
				assert_int_equal(w[0], 0x80);
				assert_int_equal(w[3], i);
				if (i == 1 && ssrc == 2)
					memcpy(keep, b, kn = n);
				assert_int_equal(dp_srtp_rtcp_unprotect(rx, b, &n), 0);
				assert_int_equal(n, plen);
			}
		}
		/* index 1 of SSRC 2 again */
		assert_int_equal(dp_srtp_rtcp_unprotect(rx, keep, &kn), DP_SRTP_E_REPLAY);
		/* a send stream at the last index: one more, then exhausted */
		assert_int_equal(dp_srtp_stream_seed(tx, 9, 0, 0, 0x7fffffff), 0);
		n = mkrtcp(b, 9, 0);
		assert_int_equal(dp_srtp_rtcp_protect(tx, b, &n, sizeof(b)), 0);
		n = mkrtcp(b, 9, 0);
		assert_int_equal(dp_srtp_rtcp_protect(tx, b, &n, sizeof(b)), DP_SRTP_E_EXHAUSTED);
		dp_srtp_free(tx);
		dp_srtp_free(rx);
	}
}

static void
test_streams_and_pool(void **state)
{
	struct dp_srtp *tx, *rx, *more[8];
	struct dp_srtp_key k;
	uint8_t b[128];
	size_t n;
	unsigned got = 0;

	(void)state;
	pair(DP_SRTP_AEAD_AES_128_GCM, &tx, &rx);
	for (uint32_t ssrc = 1; ssrc <= DP_SRTP_MAX_STREAMS; ssrc++) {
		n = mkrtp(b, 1, ssrc, 10);
		assert_int_equal(dp_srtp_protect(tx, b, &n, sizeof(b)), 0);
	}
	n = mkrtp(b, 1, 999, 10);
	assert_int_equal(dp_srtp_protect(tx, b, &n, sizeof(b)), DP_SRTP_E_STREAMS);
	/* the pool runs dry with ENOSPC and refills on free */
	mkkey(&k, DP_SRTP_AES128_CM_SHA1_80, 1);
	while (got < 8 && dp_srtp_create(&more[got], pool, &k, DP_SRTP_SEND) == 0)
		got++;
	assert_int_equal(got, 6);
	assert_int_equal(dp_srtp_create(&more[got], pool, &k, DP_SRTP_SEND), -ENOSPC);
	assert_int_equal(dp_srtp_pool_avail(pool), 0);
	while (got > 0)
		dp_srtp_free(more[--got]);
	dp_srtp_free(tx);
	dp_srtp_free(rx);
	assert_int_equal(dp_srtp_pool_avail(pool), 8);
	k.profile = 3;
	assert_int_equal(dp_srtp_create(&tx, pool, &k, DP_SRTP_SEND), -EINVAL);
	assert_null(tx);
}

/* GW_IPC_SRTP_ADD_REQ -> keys: copied per half, wiped from the message. */
static void
test_keys_from_ipc(void **state)
{
	static const uint8_t zero[GW_IPC_SRTP_KEY + GW_IPC_SRTP_SALT] = {0};
	struct gw_ipc_msg msg = { .version = GW_IPC_VERSION, .type = GW_IPC_SRTP_ADD_REQ };
	struct gw_ipc_srtp_keys *m = &msg.u.srtp_keys;
	struct dp_srtp_key r = {0}, s = {0};

	(void)state;
	m->leg_id = 42;
	m->profile = DP_SRTP_AEAD_AES_128_GCM;
	m->flags = GW_IPC_SRTP_F_RECV | GW_IPC_SRTP_F_SEND;
	memset(m->recv_key, 1, sizeof(m->recv_key));
	memset(m->recv_salt, 2, sizeof(m->recv_salt));
	memset(m->send_key, 3, sizeof(m->send_key));
	memset(m->send_salt, 4, sizeof(m->send_salt));
	assert_int_equal(dp_srtp_keys_from_ipc(&r, &s, m), 3);
	assert_int_equal(r.profile, DP_SRTP_AEAD_AES_128_GCM);
	assert_int_equal(r.key[15], 1);
	assert_int_equal(r.salt[13], 2);
	assert_int_equal(s.key[0], 3);
	assert_int_equal(s.salt[0], 4);
	assert_memory_equal(m->recv_key, zero, GW_IPC_SRTP_KEY);
	assert_memory_equal(m->recv_salt, zero, GW_IPC_SRTP_SALT);
	assert_memory_equal(m->send_key, zero, GW_IPC_SRTP_KEY);
	assert_memory_equal(m->send_salt, zero, GW_IPC_SRTP_SALT);
	/* one half only: the other output untouched */
	memset(&s, 0x5a, sizeof(s));
	m->flags = GW_IPC_SRTP_F_RECV;
	memset(m->recv_key, 9, sizeof(m->recv_key));
	assert_int_equal(dp_srtp_keys_from_ipc(&r, &s, m), GW_IPC_SRTP_F_RECV);
	assert_int_equal(r.key[0], 9);
	assert_int_equal(s.key[0], 0x5a);
	/* refused, and still wiped */
	m->flags = 0;
	assert_int_equal(dp_srtp_keys_from_ipc(&r, &s, m), -EINVAL);
	m->flags = 4 | GW_IPC_SRTP_F_SEND;
	assert_int_equal(dp_srtp_keys_from_ipc(&r, &s, m), -EINVAL);
	m->flags = GW_IPC_SRTP_F_SEND;
	m->profile = 5;
	memset(m->send_key, 7, sizeof(m->send_key));
	assert_int_equal(dp_srtp_keys_from_ipc(&r, &s, m), -EINVAL);
	assert_memory_equal(m->send_key, zero, GW_IPC_SRTP_KEY);
}

/* ---- no allocation per packet ------------------------------------------ */

static long n_alloc;

static void *
count_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	n_alloc++;
	return malloc(n);
}

static void *
count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	n_alloc++;
	return realloc(p, n);
}

static void
count_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

static void
test_no_alloc(void **state)
{
	struct dp_srtp_op ops[2];
	struct dp_srtp *tx, *rx;
	uint8_t b[256], src[256];
	size_t len, out;

	(void)state;
	for (unsigned pi = 0; pi < sizeof(profiles) / sizeof(profiles[0]); pi++) {
		pair(profiles[pi], &tx, &rx);
		n_alloc = 0;
		for (uint16_t s = 0; s < 50; s++) {
			ops[0] = (struct dp_srtp_op){ .ctx = tx, .pkt = b, .cap = sizeof(b),
						      .len = (uint32_t)mkrtp(b, (uint16_t)(2 * s), 7, 100) };
			assert_int_equal(dp_srtp_run(ops, 1), 1);
			ops[1] = (struct dp_srtp_op){ .ctx = rx, .pkt = b, .len = ops[0].len };
			assert_int_equal(dp_srtp_run(&ops[1], 1), 1);
			ops[0] = (struct dp_srtp_op){ .ctx = tx, .pkt = b, .cap = sizeof(b),
						      .len = (uint32_t)mkrtcp(b, 7, 1), .rtcp = 1 };
			ops[1] = ops[0];
			ops[1].ctx = rx;
			assert_int_equal(dp_srtp_run(ops, 1), 1);
			ops[1].len = ops[0].len;
			assert_int_equal(dp_srtp_run(&ops[1], 1), 1);
			/* out of place (fan-out), RTP and RTCP */
			len = mkrtp(src, (uint16_t)(2 * s + 1), 7, 100);
			assert_int_equal(dp_srtp_protect_to(tx, src, len, b, sizeof(b), &out), 0);
			assert_int_equal(dp_srtp_unprotect(rx, b, &out), 0);
			len = mkrtcp(src, 7, 2);
			assert_int_equal(dp_srtp_rtcp_protect_to(tx, src, len, b, sizeof(b), &out), 0);
			assert_int_equal(dp_srtp_rtcp_unprotect(rx, b, &out), 0);
		}
		assert_int_equal(n_alloc, 0);
		dp_srtp_free(tx);
		dp_srtp_free(rx);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selftest),
		cmocka_unit_test(test_kat_kdf),
		cmocka_unit_test(test_kat_keystream),
		cmocka_unit_test(test_kat_gcm),
		cmocka_unit_test(test_kat_out_of_place),
		cmocka_unit_test(test_out_of_place_equals_in_place),
		cmocka_unit_test(test_out_of_place_errors),
		cmocka_unit_test(test_libsrtp_cross),
		cmocka_unit_test(test_replay_table),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_roc_wrap),
		cmocka_unit_test(test_srtcp_index),
		cmocka_unit_test(test_streams_and_pool),
		cmocka_unit_test(test_keys_from_ipc),
		cmocka_unit_test(test_no_alloc),
	};

	/* before OpenSSL allocates anything */
	if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free))
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
