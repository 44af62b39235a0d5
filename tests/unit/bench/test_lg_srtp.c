/*
 * Unit tests for tests/bench/lg_srtp.[ch], the load generator's own SRTP,
 * against RFC 3711's key derivation vectors (Appendix B.3) and libsrtp2 as
 * the reference: byte for byte both ways, across a rollover-counter wrap,
 * with CSRCs and a header extension, and on the 1-in-64 sample the
 * generator checks during a run.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <srtp2/srtp.h>

#include "lg_srtp.h"

/* RFC 3711 B.3: master key, master salt, and the session salt they give. */
static const uint8_t b3_master[LG_SRTP_MASTER] = {
	0xE1, 0xF9, 0x7A, 0x0D, 0x3E, 0x01, 0x8B, 0xE0, 0xD6, 0x4F, 0xA3, 0x2C, 0x06, 0xDE, 0x41,
	0x39, 0x0E, 0xC6, 0x75, 0xAD, 0x49, 0x8A, 0xFE, 0xEB, 0xB6, 0x96, 0x0B, 0x3A, 0xAB, 0xE6,
};
static const uint8_t b3_salt[14] = {
	0x30, 0xCB, 0xBC, 0x08, 0x86, 0x3D, 0x8C, 0x85, 0xD4, 0x9D, 0xB3, 0x4A, 0x9A, 0xE1,
};

static srtp_t
lib_session(bool tx)
{
	srtp_policy_t pol;
	srtp_t s = NULL;
	uint8_t key[LG_SRTP_MASTER];

	memcpy(key, b3_master, sizeof(key));
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	pol.ssrc.type = tx ? ssrc_any_outbound : ssrc_any_inbound;
	pol.key = key;
	pol.window_size = 1024;
	assert_int_equal(srtp_create(&s, &pol), srtp_err_status_ok);
	return s;
}

/* An RTP packet: cc CSRCs, an extension of ext words when ext > 0, n bytes
 * of payload that depend on seq. Returns its length. */
static size_t
rtp_pkt(uint8_t *p, uint16_t seq, unsigned cc, unsigned ext, size_t n)
{
	size_t h = 12;

	p[0] = (uint8_t)(0x80 | (ext ? 0x10 : 0) | cc);
	p[1] = 0;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	memset(p + 4, 0x11, 4);                            /* timestamp */
	p[8] = 0xde; p[9] = 0xad; p[10] = 0xbe; p[11] = 0xef;
	for (unsigned i = 0; i < cc; i++, h += 4)
		memset(p + h, 0x20 + (int)i, 4);
	if (ext) {
		p[h] = 0xbe; p[h + 1] = 0xde;
		p[h + 2] = 0; p[h + 3] = (uint8_t)ext;
		memset(p + h + 4, 0x33, 4u * ext);
		h += 4 + 4u * ext;
	}
	for (size_t i = 0; i < n; i++)
		p[h + i] = (uint8_t)(seq * 7 + i);
	return h + n;
}

static void
test_rfc3711_b3_salt(void **state)
{
	struct lg_srtp s;

	(void)state;
	assert_int_equal(lg_srtp_init(&s, b3_master), 0);
	assert_memory_equal(s.salt, b3_salt, sizeof(b3_salt));
	lg_srtp_fini(&s);
}

/* Every packet from 65,500 on for 2,000 (the sequence number wraps after
 * 36): lg_srtp's output is libsrtp2's, and each unprotects the other's. */
static void
test_vs_libsrtp_across_wrap(void **state)
{
	struct lg_srtp tx, rx;
	srtp_t ltx = lib_session(true), lrx = lib_session(false);
	uint8_t a[256], b[256], plain[256];

	(void)state;
	assert_int_equal(lg_srtp_init(&tx, b3_master), 0);
	assert_int_equal(lg_srtp_init(&rx, b3_master), 0);
	for (unsigned i = 0; i < 2000; i++) {
		uint16_t seq = (uint16_t)(65500u + i);
		size_t n = rtp_pkt(plain, seq, i % 3, (i % 5 == 0) ? 2 : 0, 160);
		size_t la = n;
		int lb = (int)n;

		memcpy(a, plain, n);
		memcpy(b, plain, n);
		assert_int_equal(lg_srtp_protect(&tx, a, &la), 0);
		assert_int_equal(srtp_protect(ltx, b, &lb), srtp_err_status_ok);
		assert_int_equal(la, (size_t)lb);
		assert_memory_equal(a, b, la);
		/* libsrtp2's packet through lg_srtp, lg_srtp's through libsrtp2 */
		assert_int_equal(lg_srtp_unprotect(&rx, b, &la), 0);
		assert_int_equal(la, n);
		assert_memory_equal(b, plain, n);
		assert_int_equal(srtp_unprotect(lrx, a, &lb), srtp_err_status_ok);
		assert_int_equal((size_t)lb, n);
		assert_memory_equal(a, plain, n);
	}
	assert_int_equal(tx.roc, 1);
	assert_int_equal(rx.roc, 1);
	lg_srtp_fini(&tx);
	lg_srtp_fini(&rx);
	srtp_dealloc(ltx);
	srtp_dealloc(lrx);
}

/* The generator's live check: libsrtp2 sees one packet in 64 of a stream
 * that crosses a wrap, and authenticates each; lg_srtp receives a stream
 * with gaps and a late packet. */
static void
test_sampled_and_gaps(void **state)
{
	struct lg_srtp tx, rx;
	srtp_t lrx = lib_session(false);
	uint8_t p[256], late[256];
	size_t late_n = 0;
	unsigned sampled = 0;

	(void)state;
	assert_int_equal(lg_srtp_init(&tx, b3_master), 0);
	assert_int_equal(lg_srtp_init(&rx, b3_master), 0);
	for (unsigned i = 0; i < 70000; i++) {
		uint16_t seq = (uint16_t)(60000u + i);
		size_t n = rtp_pkt(p, seq, 0, 0, 40);

		assert_int_equal(lg_srtp_protect(&tx, p, &n), 0);
		if (i == 100) {                 /* held back, delivered later */
			memcpy(late, p, n);
			late_n = n;
			continue;
		}
		if (seq % 64 == 0) {
			uint8_t c[256];
			int lc = (int)n;

			memcpy(c, p, n);
			assert_int_equal(srtp_unprotect(lrx, c, &lc), srtp_err_status_ok);
			sampled++;
		}
		if (i % 97 == 3)
			continue;               /* lost on the way */
		assert_int_equal(lg_srtp_unprotect(&rx, p, &n), 0);
		if (i == 150) {
			assert_int_equal(lg_srtp_unprotect(&rx, late, &late_n), 0);
			assert_int_equal(late_n, 12 + 40);
		}
	}
	assert_int_equal(sampled, 70000 / 64 + 1);
	assert_int_equal(rx.roc, 1);
	lg_srtp_fini(&tx);
	lg_srtp_fini(&rx);
	srtp_dealloc(lrx);
}

static void
test_refused(void **state)
{
	struct lg_srtp tx, rx;
	uint8_t p[256], keep[256];
	size_t n = rtp_pkt(p, 7, 0, 0, 100), m;

	(void)state;
	assert_int_equal(lg_srtp_init(&tx, b3_master), 0);
	assert_int_equal(lg_srtp_init(&rx, b3_master), 0);
	assert_int_equal(lg_srtp_protect(&tx, p, &n), 0);
	for (size_t bit = 0; bit < n * 8; bit += 13) {
		m = n;
		memcpy(keep, p, n);
		keep[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (bit / 8 == 0 && ((keep[0] >> 6) != 2 || (keep[0] & 0x1f) != 0))
			continue;               /* no longer RTP of this shape */
		assert_int_equal(lg_srtp_unprotect(&rx, keep, &m), -EBADMSG);
		assert_int_equal(m, n);
	}
	m = 11;
	assert_int_equal(lg_srtp_unprotect(&rx, p, &m), -EINVAL);
	p[0] = 0x40;                            /* version 1 */
	m = n;
	assert_int_equal(lg_srtp_unprotect(&rx, p, &m), -EINVAL);
	m = 20;
	assert_int_equal(lg_srtp_protect(&tx, p, &m), -EINVAL);
	assert_int_equal(lg_srtp_init(NULL, b3_master), -EINVAL);
	lg_srtp_fini(&tx);
	lg_srtp_fini(&rx);
	lg_srtp_fini(NULL);
}

static int
setup(void **state)
{
	(void)state;
	return srtp_init() == srtp_err_status_ok ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	return srtp_shutdown() == srtp_err_status_ok ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3711_b3_salt),
		cmocka_unit_test(test_vs_libsrtp_across_wrap),
		cmocka_unit_test(test_sampled_and_gaps),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
