/*
 * cp_sdes: SDES-SRTP keying (RFC 4568 a=crypto, RFC 7714 section 12 for
 * AEAD_AES_128_GCM): the key parameters of one a=crypto line to master key
 * and salt, and back. Crypto suites: AES_CM_128_HMAC_SHA1_80,
 * AES_CM_128_HMAC_SHA1_32 (16-byte key, 14-byte salt) and AEAD_AES_128_GCM
 * (16-byte key, 12-byte salt); the profile ids are dp_srtp's (the DTLS-SRTP
 * protection profile numbers). Base64 through OpenSSL.
 *
 * The parsed lifetime and MKI are reported; the dataplane keys one master key
 * per direction without MKI, so a caller refuses lines that carry an MKI.
 */
#ifndef CP_SDES_H
#define CP_SDES_H

#include <stddef.h>
#include <stdint.h>

#define CP_SDES_PROFILE_CM_80  0x0001   /* = DP_SRTP_AES128_CM_SHA1_80 */
#define CP_SDES_PROFILE_CM_32  0x0002   /* = DP_SRTP_AES128_CM_SHA1_32 */
#define CP_SDES_PROFILE_GCM128 0x0007   /* = DP_SRTP_AEAD_AES_128_GCM */
#define CP_SDES_KEY_LEN        16
#define CP_SDES_SALT_MAX       14

struct cp_sdes_key {
	uint16_t profile;               /* CP_SDES_PROFILE_* */
	uint8_t key[CP_SDES_KEY_LEN];
	uint8_t salt[CP_SDES_SALT_MAX];
	uint8_t salt_len;               /* 14 (AES-CM) or 12 (GCM) */
	uint64_t lifetime;              /* packets; 0: not given */
	uint64_t mki;                   /* MKI value when mki_len != 0 */
	uint8_t mki_len;                /* MKI length in bytes (1..128); 0: no MKI */
};

/** The profile of a crypto-suite name; -ENOTSUP for any other suite. */
int cp_sdes_suite(const char *suite);

/** The crypto-suite name of a profile; NULL when unknown. */
const char *cp_sdes_suite_name(uint16_t profile);

/**
 * Parse suite and the first key parameter of key_params
 * ("inline:<base64 key||salt>[|lifetime][|MKI:length]", lifetime decimal or
 * "2^n"; further ';'-separated key parameters are ignored).
 * @return 0; -ENOTSUP unknown suite; -EBADMSG malformed (why says what).
 */
int cp_sdes_parse(struct cp_sdes_key *k, const char *suite, const char *key_params,
		  char *why, size_t why_len);

/**
 * Write "inline:<base64>" (plus "|2^n" for a power-of-two lifetime or
 * "|<n>", and "|<mki>:<len>" when mki_len) into buf.
 * @return the length written; -EINVAL bad key (profile, salt length);
 *         -ENOSPC buf too small.
 */
int cp_sdes_encode(const struct cp_sdes_key *k, char *buf, size_t len);

#endif
