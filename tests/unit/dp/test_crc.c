/*
 * test_crc: dp_crc, DPDK's vector CRC-32 plugged into the STUN codec, against
 * zlib's crc32() (the naive reference here: STYLE.md practice 14) on random
 * buffers of every length up to 1500 at every alignment mod 8, and the RFC
 * 5769 messages' FINGERPRINTs checked and re-encoded through it, under a
 * real EAL (the vector handlers need one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "dp_crc.h"
#include "dp_harness.h"
#include "rfc5769.h"
#include "stun.h"

static int vector_crc;

static void
test_against_zlib(void **state)
{
	static uint8_t buf[1600];

	(void)state;
	if (vector_crc != 1)
		skip();                   /* no PCLMULQDQ: zlib stays, nothing to compare */
	srand(5769);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rand();
	for (size_t n = 0; n <= 1500; n++)
		for (size_t off = 0; off < 8; off++)
			if (dp_crc32(buf + off, n) != (uint32_t)crc32(0L, buf + off, (uInt)n))
				fail_msg("length %zu offset %zu: %08x, zlib %08x", n, off,
					 dp_crc32(buf + off, n), (uint32_t)crc32(0L, buf + off, (uInt)n));
}

static void
test_rfc5769_fingerprints(void **state)
{
	const struct {
		const uint8_t *msg;
		size_t len;
	} v[] = {
		{ rfc5769_request, sizeof(rfc5769_request) },
		{ rfc5769_response_v4, sizeof(rfc5769_response_v4) },
		{ rfc5769_response_v6, sizeof(rfc5769_response_v6) },
	};
	struct gw_stun_view sv;
	uint8_t bad[sizeof(rfc5769_request)];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(gw_stun_parse(&sv, v[i].msg, v[i].len), 0);
		assert_int_equal(gw_stun_check_fingerprint(&sv), 0);
	}
	memcpy(bad, rfc5769_request, sizeof(bad));
	bad[sizeof(bad) - 1] ^= 1;
	assert_int_equal(gw_stun_parse(&sv, bad, sizeof(bad)), 0);
	assert_int_equal(gw_stun_check_fingerprint(&sv), -EBADMSG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_zlib),
		cmocka_unit_test(test_rfc5769_fingerprints),
	};
	int rc;

	if (dp_harness_eal_init("test_crc", "rtt-crc", 64) != 0)
		return 1;
	vector_crc = dp_crc_init();
	if (vector_crc < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	dp_harness_eal_fini("rtt-crc");
	return rc;
}
