#include "cp_sdes.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define B64_MAX 64                      /* base64 of key||salt: 40 characters */

static const struct {
	const char *name;
	uint16_t profile;
	uint8_t salt_len;
} suites[] = {
	{ "AES_CM_128_HMAC_SHA1_80", CP_SDES_PROFILE_CM_80, 14 },
	{ "AES_CM_128_HMAC_SHA1_32", CP_SDES_PROFILE_CM_32, 14 },
	{ "AEAD_AES_128_GCM", CP_SDES_PROFILE_GCM128, 12 },
};

static int
salt_len_of(uint16_t profile)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].profile == profile)
			return suites[i].salt_len;
	return -ENOTSUP;
}

int
cp_sdes_suite(const char *suite)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (strcmp(suites[i].name, suite) == 0)
			return suites[i].profile;
	return -ENOTSUP;
}

const char *
cp_sdes_suite_name(uint16_t profile)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (suites[i].profile == profile)
			return suites[i].name;
	return NULL;
}

static int
bad(char *why, size_t wl, const char *msg)
{
	if (why != NULL && wl > 0)
		snprintf(why, wl, "%s", msg);
	return -EBADMSG;
}

/* A decimal number of at most 19 digits in [p, p + n). */
static int
decimal(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 19)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	*out = v;
	return 0;
}

/* The lifetime field: "2^n" (n <= 48, RFC 4568 SRTP limit) or decimal. */
static int
lifetime(const char *p, size_t n, uint64_t *out)
{
	uint64_t e;

	if (n > 2 && p[0] == '2' && p[1] == '^') {
		if (decimal(p + 2, n - 2, &e) != 0 || e > 48)
			return -1;
		*out = (uint64_t)1 << e;
		return 0;
	}
	return decimal(p, n, out) == 0 && *out != 0 ? 0 : -1;
}

int
cp_sdes_parse(struct cp_sdes_key *k, const char *suite, const char *kp, char *why, size_t wl)
{
	unsigned char raw[B64_MAX];
	const char *p, *end, *bar, *colon;
	size_t b64_len, want;
	int profile, salt_len, n, pad;

	memset(k, 0, sizeof(*k));
	profile = cp_sdes_suite(suite);
	if (profile < 0) {
		if (why != NULL && wl > 0)
			snprintf(why, wl, "crypto-suite %.40s not supported", suite);
		return -ENOTSUP;
	}
	salt_len = salt_len_of((uint16_t)profile);
	if (strncmp(kp, "inline:", 7) != 0)
		return bad(why, wl, "key method is not inline");
	p = kp + 7;
	end = strchr(p, ';');
	if (end == NULL)
		end = p + strlen(p);
	bar = memchr(p, '|', (size_t)(end - p));
	b64_len = (size_t)((bar != NULL ? bar : end) - p);
	want = CP_SDES_KEY_LEN + (size_t)salt_len;
	if (b64_len != (want + 2) / 3 * 4 && b64_len != (want * 4 + 2) / 3)
		return bad(why, wl, "key||salt has the wrong length for the suite");
	{
		char b64[B64_MAX + 4];

		memcpy(b64, p, b64_len);
		/* RFC 4568 allows the padding to be left out: put it back. */
		while (b64_len % 4 != 0)
			b64[b64_len++] = '=';
		b64[b64_len] = '\0';
		n = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)b64_len);
		pad = (b64_len >= 1 && b64[b64_len - 1] == '=') + (b64_len >= 2 && b64[b64_len - 2] == '=');
	}
	if (n < 0 || (size_t)(n - pad) != want)
		return bad(why, wl, "key||salt is not valid base64 of the suite's length");
	k->profile = (uint16_t)profile;
	memcpy(k->key, raw, CP_SDES_KEY_LEN);
	memcpy(k->salt, raw + CP_SDES_KEY_LEN, (size_t)salt_len);
	k->salt_len = (uint8_t)salt_len;
	OPENSSL_cleanse(raw, sizeof(raw));
	while (bar != NULL) {
		const char *f = bar + 1, *fe;

		bar = memchr(f, '|', (size_t)(end - f));
		fe = bar != NULL ? bar : end;
		colon = memchr(f, ':', (size_t)(fe - f));
		if (colon != NULL) {
			uint64_t len;

			if (k->mki_len != 0 || decimal(f, (size_t)(colon - f), &k->mki) != 0 ||
			    decimal(colon + 1, (size_t)(fe - colon - 1), &len) != 0 || len < 1 ||
			    len > 128)
				return bad(why, wl, "bad MKI (value:length, length 1..128)");
			if (len < 8 && k->mki >> (8 * len) != 0)
				return bad(why, wl, "MKI value does not fit its length");
			k->mki_len = (uint8_t)len;
		} else {
			if (k->lifetime != 0 || k->mki_len != 0 ||
			    lifetime(f, (size_t)(fe - f), &k->lifetime) != 0)
				return bad(why, wl, "bad lifetime (decimal or 2^n, before the MKI)");
		}
	}
	return 0;
}

int
cp_sdes_encode(const struct cp_sdes_key *k, char *buf, size_t len)
{
	unsigned char raw[CP_SDES_KEY_LEN + CP_SDES_SALT_MAX];
	char b64[B64_MAX];
	int salt_len = salt_len_of(k->profile), n, off;

	if (salt_len < 0 || k->salt_len != salt_len || k->mki_len > 128)
		return -EINVAL;
	memcpy(raw, k->key, CP_SDES_KEY_LEN);
	memcpy(raw + CP_SDES_KEY_LEN, k->salt, (size_t)salt_len);
	EVP_EncodeBlock((unsigned char *)b64, raw, CP_SDES_KEY_LEN + salt_len);
	OPENSSL_cleanse(raw, sizeof(raw));
	off = snprintf(buf, len, "inline:%s", b64);
	OPENSSL_cleanse(b64, sizeof(b64));
	if (off < 0 || (size_t)off >= len)
		return -ENOSPC;
	if (k->lifetime != 0) {
		bool pow2 = (k->lifetime & (k->lifetime - 1)) == 0;
		int e = 0;

		while (pow2 && ((uint64_t)1 << e) != k->lifetime)
			e++;
		n = pow2 ? snprintf(buf + off, len - (size_t)off, "|2^%d", e)
			 : snprintf(buf + off, len - (size_t)off, "|%llu",
				    (unsigned long long)k->lifetime);
		if (n < 0 || (size_t)n >= len - (size_t)off)
			return -ENOSPC;
		off += n;
	}
	if (k->mki_len != 0) {
		n = snprintf(buf + off, len - (size_t)off, "|%llu:%u", (unsigned long long)k->mki,
			     k->mki_len);
		if (n < 0 || (size_t)n >= len - (size_t)off)
			return -ENOSPC;
		off += n;
	}
	return off;
}
