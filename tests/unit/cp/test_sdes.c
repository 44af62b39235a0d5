/* cp_sdes: RFC 4568 a=crypto key parameters (examples from RFC 4568 section
 * 4 / 6.1 and an RFC 7714 AEAD_AES_128_GCM line), round trips and refusals. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cp_sdes.h"

static void
test_rfc4568_examples(void **state)
{
	struct cp_sdes_key k;
	char why[128], out[128];

	(void)state;
	/* RFC 4568 section 4 example */
	assert_int_equal(cp_sdes_parse(&k, "AES_CM_128_HMAC_SHA1_80",
				       "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32",
				       why, sizeof(why)), 0);
	assert_int_equal(k.profile, CP_SDES_PROFILE_CM_80);
	assert_memory_equal(k.key, "=-n@%^x!Bjufr9)?", 16);
	assert_memory_equal(k.salt, ",#5h\\`=&]{qiPQ", 14);
	assert_int_equal(k.salt_len, 14);
	assert_int_equal(k.lifetime, 1u << 20);
	assert_int_equal(k.mki, 1);
	assert_int_equal(k.mki_len, 32);
	assert_int_equal(cp_sdes_encode(&k, out, sizeof(out)), 57);
	assert_string_equal(out, "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32");
	/* RFC 4568 section 6.1 (the offer), AES_CM_128_HMAC_SHA1_32 with the same key */
	assert_int_equal(cp_sdes_parse(&k, "AES_CM_128_HMAC_SHA1_32",
				       "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4",
				       why, sizeof(why)), 0);
	assert_int_equal(k.profile, CP_SDES_PROFILE_CM_32);
	assert_memory_equal(k.key, "YS___semctl () {", 16);
	assert_memory_equal(k.salt, "\t220;}\n}\nunles", 14);
	assert_int_equal(k.mki_len, 4);
	/* F8 is a suite of RFC 4568 that we do not run */
	assert_int_equal(cp_sdes_parse(&k, "F8_128_HMAC_SHA1_80",
				       "inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4",
				       why, sizeof(why)), -ENOTSUP);
	assert_string_equal(why, "crypto-suite F8_128_HMAC_SHA1_80 not supported");
	/* a second key parameter after ';' is ignored */
	assert_int_equal(cp_sdes_parse(&k, "AES_CM_128_HMAC_SHA1_80",
				       "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR;inline:x",
				       why, sizeof(why)), 0);
	assert_int_equal(k.lifetime, 0);
	assert_int_equal(k.mki_len, 0);
}

static void
test_gcm(void **state)
{
	struct cp_sdes_key k, back;
	char out[128];

	(void)state;
	memset(&k, 0, sizeof(k));
	k.profile = CP_SDES_PROFILE_GCM128;
	for (unsigned i = 0; i < 16; i++)
		k.key[i] = (uint8_t)(i * 17);
	for (unsigned i = 0; i < 12; i++)
		k.salt[i] = (uint8_t)(0xa0 + i);
	k.salt_len = 12;
	/* 28 bytes: 38 base64 characters and "==" */
	assert_int_equal(cp_sdes_encode(&k, out, sizeof(out)), 47);
	assert_int_equal(out[45], '=');
	assert_int_equal(out[46], '=');
	assert_int_equal(cp_sdes_parse(&back, "AEAD_AES_128_GCM", out, NULL, 0), 0);
	assert_memory_equal(back.key, k.key, 16);
	assert_memory_equal(back.salt, k.salt, 12);
	assert_int_equal(back.salt_len, 12);
	/* the padding may be left out (RFC 4568 section 6.1) */
	out[45] = '\0';
	assert_int_equal(cp_sdes_parse(&back, "AEAD_AES_128_GCM", out, NULL, 0), 0);
	assert_memory_equal(back.salt, k.salt, 12);
	/* an AES-CM length under the GCM suite */
	assert_int_equal(cp_sdes_parse(&back, "AEAD_AES_128_GCM",
				       "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR", NULL, 0),
			 -EBADMSG);
	/* lifetime as decimal, kept decimal */
	k.lifetime = 1000;
	assert_int_equal(cp_sdes_encode(&k, out, sizeof(out)), 52);
	assert_non_null(strstr(out, "|1000"));
	assert_int_equal(cp_sdes_encode(&k, out, 20), -ENOSPC);
	k.salt_len = 14;
	assert_int_equal(cp_sdes_encode(&k, out, sizeof(out)), -EINVAL);
}

static void
test_refusals(void **state)
{
	static const char *const bad[] = {
		"PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",              /* no inline: */
		"inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVB",        /* short */
		"inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBRR",      /* long */
		"inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxa!BR",       /* not base64 */
		"inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^49",  /* lifetime */
		"inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|0",
		"inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:0",   /* MKI length */
		"inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:129",
		"inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|256:1", /* MKI too big */
		"inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:4|2^20", /* order */
		"inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|",
	};
	struct cp_sdes_key k;
	char why[128];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(cp_sdes_parse(&k, "AES_CM_128_HMAC_SHA1_80", bad[i], why,
					       sizeof(why)), -EBADMSG);
		assert_true(why[0] != '\0');
	}
	assert_int_equal(cp_sdes_suite("AES_CM_128_HMAC_SHA1_80"), CP_SDES_PROFILE_CM_80);
	assert_string_equal(cp_sdes_suite_name(CP_SDES_PROFILE_GCM128), "AEAD_AES_128_GCM");
	assert_null(cp_sdes_suite_name(0x99));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4568_examples),
		cmocka_unit_test(test_gcm),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
