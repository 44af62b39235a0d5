/*
 * hmac: HMAC-SHA1 and HMAC-SHA256 with a precomputed key (RFC 2104 §4).
 *
 * OpenSSL 3's one-shot HMAC() allocates a context on every call, which the
 * dataplane cannot afford per packet. RFC 2104 §4 suggests precomputing the
 * hash states after absorbing (key ^ ipad) and (key ^ opad) once per key; each
 * MAC then starts from copies of those two states, taken by value on the stack.
 *
 * The key structs are opaque byte storage for libcrypto's SHA_CTX/SHA256_CTX
 * (hmac.c asserts the sizes), so this header does not depend on OpenSSL's
 * deprecated low-level types. They hold key-equivalent material: wipe them
 * with the _fini functions when the credential goes away (STYLE.md, practice 12).
 */
#ifndef GW_HMAC_H
#define GW_HMAC_H

#include <stddef.h>
#include <stdint.h>

#define GW_HMAC_SHA1_LEN    20   /**< HMAC-SHA1 output, bytes */
#define GW_HMAC_SHA256_LEN  32   /**< HMAC-SHA256 output, bytes */

#define GW_HMAC_SHA1_STATE   96  /**< sizeof(SHA_CTX), checked in hmac.c */
#define GW_HMAC_SHA256_STATE 112 /**< sizeof(SHA256_CTX), checked in hmac.c */

/** Precomputed HMAC-SHA1 key: inner and outer hash states. */
struct gw_hmac_sha1_key {
	_Alignas(8) uint8_t inner[GW_HMAC_SHA1_STATE];
	_Alignas(8) uint8_t outer[GW_HMAC_SHA1_STATE];
};

/** Precomputed HMAC-SHA256 key: inner and outer hash states. */
struct gw_hmac_sha256_key {
	_Alignas(8) uint8_t inner[GW_HMAC_SHA256_STATE];
	_Alignas(8) uint8_t outer[GW_HMAC_SHA256_STATE];
};

/** One piece of a message that is MACed in several pieces. */
struct gw_hmac_chunk {
	const void *p;
	size_t n;
};

/**
 * Precompute an HMAC-SHA1 key. Keys longer than the 64-byte block are first
 * hashed, as RFC 2104 §2 requires. Setup-time work, not per packet.
 * @param k    key to fill
 * @param key  key bytes (may be NULL when len is 0)
 * @param len  key length in bytes
 * @return 0, or -EINVAL (k NULL, or key NULL with len > 0),
 *         or -EIO (libcrypto reported a failure).
 */
int gw_hmac_sha1_key_init(struct gw_hmac_sha1_key *k, const uint8_t *key, size_t len);

/** Wipe a precomputed HMAC-SHA1 key (NULL-safe). No errors. */
void gw_hmac_sha1_key_fini(struct gw_hmac_sha1_key *k);

/**
 * HMAC-SHA1 of the concatenation of n chunks, without allocating.
 * @param k    precomputed key (read only; safe to share between threads)
 * @param c    chunks; c[i].p may be NULL when c[i].n is 0
 * @param n    number of chunks
 * @param out  20-byte MAC
 * No errors: the low-level hash functions cannot fail.
 */
void gw_hmac_sha1_v(const struct gw_hmac_sha1_key *k, const struct gw_hmac_chunk *c,
		    size_t n, uint8_t out[GW_HMAC_SHA1_LEN]);

/** HMAC-SHA1 of one buffer: gw_hmac_sha1_v() with one chunk. No errors. */
void gw_hmac_sha1(const struct gw_hmac_sha1_key *k, const void *p, size_t len,
		  uint8_t out[GW_HMAC_SHA1_LEN]);

/**
 * Precompute an HMAC-SHA256 key (keys over 64 bytes are hashed first).
 * @return 0, or -EINVAL (k NULL, or key NULL with len > 0),
 *         or -EIO (libcrypto reported a failure).
 */
int gw_hmac_sha256_key_init(struct gw_hmac_sha256_key *k, const uint8_t *key, size_t len);

/** Wipe a precomputed HMAC-SHA256 key (NULL-safe). No errors. */
void gw_hmac_sha256_key_fini(struct gw_hmac_sha256_key *k);

/** HMAC-SHA256 of the concatenation of n chunks, without allocating. No errors. */
void gw_hmac_sha256_v(const struct gw_hmac_sha256_key *k, const struct gw_hmac_chunk *c,
		      size_t n, uint8_t out[GW_HMAC_SHA256_LEN]);

/** HMAC-SHA256 of one buffer. No errors. */
void gw_hmac_sha256(const struct gw_hmac_sha256_key *k, const void *p, size_t len,
		    uint8_t out[GW_HMAC_SHA256_LEN]);

#endif
