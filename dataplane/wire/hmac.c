/*
 * hmac: precomputed-key HMAC (RFC 2104 §4) over libcrypto's low-level SHA-1
 * and SHA-256. Those functions are deprecated in OpenSSL 3 but still shipped;
 * they are the only libcrypto hash interface that neither allocates nor lets
 * us copy a mid-stream state by value (EVP_MD_CTX_copy allocates). The
 * deprecation is silenced in this file only.
 */
#define OPENSSL_SUPPRESS_DEPRECATED

#include "hmac.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include <openssl/sha.h>

#include "ct.h"

static_assert(sizeof(SHA_CTX) == GW_HMAC_SHA1_STATE, "SHA_CTX size changed");
static_assert(sizeof(SHA256_CTX) == GW_HMAC_SHA256_STATE, "SHA256_CTX size changed");

#define BLOCK 64   /* SHA-1 and SHA-256 block size */

/* Fill pad with key ^ x, key hashed first when longer than a block. */
static int
sha1_pads(uint8_t ipad[BLOCK], uint8_t opad[BLOCK], const uint8_t *key, size_t len)
{
	uint8_t kb[BLOCK] = {0};

	if (len > BLOCK) {
		if (SHA1(key, len, kb) == NULL)
			return -EIO;
	} else if (len > 0) {
		memcpy(kb, key, len);
	}
	for (size_t i = 0; i < BLOCK; i++) {
		ipad[i] = (uint8_t)(kb[i] ^ 0x36);
		opad[i] = (uint8_t)(kb[i] ^ 0x5c);
	}
	gw_wipe(kb, sizeof(kb));
	return 0;
}

static int
sha256_pads(uint8_t ipad[BLOCK], uint8_t opad[BLOCK], const uint8_t *key, size_t len)
{
	uint8_t kb[BLOCK] = {0};

	if (len > BLOCK) {
		if (SHA256(key, len, kb) == NULL)
			return -EIO;
	} else if (len > 0) {
		memcpy(kb, key, len);
	}
	for (size_t i = 0; i < BLOCK; i++) {
		ipad[i] = (uint8_t)(kb[i] ^ 0x36);
		opad[i] = (uint8_t)(kb[i] ^ 0x5c);
	}
	gw_wipe(kb, sizeof(kb));
	return 0;
}

int
gw_hmac_sha1_key_init(struct gw_hmac_sha1_key *k, const uint8_t *key, size_t len)
{
	uint8_t ipad[BLOCK], opad[BLOCK];
	SHA_CTX in, out;
	int err;

	if (k == NULL || (key == NULL && len > 0))
		return -EINVAL;
	err = sha1_pads(ipad, opad, key, len);
	if (err != 0)
		goto out;
	if (SHA1_Init(&in) != 1 || SHA1_Update(&in, ipad, BLOCK) != 1 ||
	    SHA1_Init(&out) != 1 || SHA1_Update(&out, opad, BLOCK) != 1) {
		err = -EIO;
		goto out;
	}
	memcpy(k->inner, &in, sizeof(in));
	memcpy(k->outer, &out, sizeof(out));
out:
	gw_wipe(ipad, sizeof(ipad));
	gw_wipe(opad, sizeof(opad));
	gw_wipe(&in, sizeof(in));
	gw_wipe(&out, sizeof(out));
	return err;
}

void
gw_hmac_sha1_key_fini(struct gw_hmac_sha1_key *k)
{
	if (k != NULL)
		gw_wipe(k, sizeof(*k));
}

void
gw_hmac_sha1_v(const struct gw_hmac_sha1_key *k, const struct gw_hmac_chunk *c,
	       size_t n, uint8_t out[GW_HMAC_SHA1_LEN])
{
	uint8_t ih[SHA_DIGEST_LENGTH];
	SHA_CTX ctx;

	memcpy(&ctx, k->inner, sizeof(ctx));
	for (size_t i = 0; i < n; i++)
		if (c[i].n > 0)
			(void)SHA1_Update(&ctx, c[i].p, c[i].n);
	(void)SHA1_Final(ih, &ctx);
	memcpy(&ctx, k->outer, sizeof(ctx));
	(void)SHA1_Update(&ctx, ih, sizeof(ih));
	(void)SHA1_Final(out, &ctx);
	gw_wipe(&ctx, sizeof(ctx));
	gw_wipe(ih, sizeof(ih));
}

void
gw_hmac_sha1(const struct gw_hmac_sha1_key *k, const void *p, size_t len,
	     uint8_t out[GW_HMAC_SHA1_LEN])
{
	const struct gw_hmac_chunk c = { p, len };

	gw_hmac_sha1_v(k, &c, 1, out);
}

int
gw_hmac_sha256_key_init(struct gw_hmac_sha256_key *k, const uint8_t *key, size_t len)
{
	uint8_t ipad[BLOCK], opad[BLOCK];
	SHA256_CTX in, out;
	int err;

	if (k == NULL || (key == NULL && len > 0))
		return -EINVAL;
	err = sha256_pads(ipad, opad, key, len);
	if (err != 0)
		goto out;
	if (SHA256_Init(&in) != 1 || SHA256_Update(&in, ipad, BLOCK) != 1 ||
	    SHA256_Init(&out) != 1 || SHA256_Update(&out, opad, BLOCK) != 1) {
		err = -EIO;
		goto out;
	}
	memcpy(k->inner, &in, sizeof(in));
	memcpy(k->outer, &out, sizeof(out));
out:
	gw_wipe(ipad, sizeof(ipad));
	gw_wipe(opad, sizeof(opad));
	gw_wipe(&in, sizeof(in));
	gw_wipe(&out, sizeof(out));
	return err;
}

void
gw_hmac_sha256_key_fini(struct gw_hmac_sha256_key *k)
{
	if (k != NULL)
		gw_wipe(k, sizeof(*k));
}

void
gw_hmac_sha256_v(const struct gw_hmac_sha256_key *k, const struct gw_hmac_chunk *c,
		 size_t n, uint8_t out[GW_HMAC_SHA256_LEN])
{
	uint8_t ih[SHA256_DIGEST_LENGTH];
	SHA256_CTX ctx;

	memcpy(&ctx, k->inner, sizeof(ctx));
	for (size_t i = 0; i < n; i++)
		if (c[i].n > 0)
			(void)SHA256_Update(&ctx, c[i].p, c[i].n);
	(void)SHA256_Final(ih, &ctx);
	memcpy(&ctx, k->outer, sizeof(ctx));
	(void)SHA256_Update(&ctx, ih, sizeof(ih));
	(void)SHA256_Final(out, &ctx);
	gw_wipe(&ctx, sizeof(ctx));
	gw_wipe(ih, sizeof(ih));
}

void
gw_hmac_sha256(const struct gw_hmac_sha256_key *k, const void *p, size_t len,
	       uint8_t out[GW_HMAC_SHA256_LEN])
{
	const struct gw_hmac_chunk c = { p, len };

	gw_hmac_sha256_v(k, &c, 1, out);
}
