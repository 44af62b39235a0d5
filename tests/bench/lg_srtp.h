/*
 * lg_srtp: the load generator's own SRTP (RFC 3711, AES_CM_128_HMAC_SHA1_80
 * only), so that one generator core can offer an SRTP leg at the rate the
 * dataplane forwards it.
 *
 * Why not libsrtp2 alone: Debian 12 builds it on NSS, which sets up a cipher
 * context per packet; it protects or unprotects a 172-byte packet in about
 * 1.7 us (tests/bench/bench_srtp), so the generator, not the dataplane, set
 * the pace of every SDES run on the kernel-free port. Why not dp_srtp: it is
 * the code under test, and a generator sharing its mistakes would agree with
 * them. This one is written apart from it, on libcrypto's AES-128-CTR and the
 * wire library's HMAC-SHA1, and is checked against libsrtp2 twice: byte for
 * byte in tests/unit/bench/test_lg_srtp.c (both directions, across a
 * rollover-counter wrap), and on a sample of every run's packets
 * (rtcgw_loadgen --srtp fast).
 *
 * One key and one SSRC's index state per direction, as the generator uses
 * them; no replay window (a measuring tool counts what authenticates).
 */
#ifndef LG_SRTP_H
#define LG_SRTP_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "hmac.h"

#define LG_SRTP_MASTER 30   /**< master key (16) || master salt (14) */
#define LG_SRTP_TAG    10   /**< HMAC-SHA1-80 */

/** One direction's session: the keys RFC 3711 §4.3 derives, and the index. */
struct lg_srtp {
	EVP_CIPHER_CTX *ctr;           /**< AES-128-CTR keyed with k_e; per packet a new IV */
	struct gw_hmac_sha1_key auth;  /**< k_a, precomputed */
	uint8_t salt[14];              /**< k_s */
	uint32_t roc;                  /**< rollover counter */
	uint16_t s_l;                  /**< highest sequence number seen or sent */
	uint8_t started;               /**< s_l is set */
};

/**
 * Derive the session keys from a master key and salt (key derivation rate 0).
 * @return 0, -EINVAL (NULL), -EIO (libcrypto failed); lg_srtp_fini() either way.
 */
int lg_srtp_init(struct lg_srtp *s, const uint8_t master[LG_SRTP_MASTER]);

/** Free the cipher and wipe the keys (NULL-safe). */
void lg_srtp_fini(struct lg_srtp *s);

/**
 * Protect an RTP packet in place; the buffer must have LG_SRTP_TAG bytes of
 * room after it. Packets must be given in sequence order (the generator's
 * are): the rollover counter counts the sequence number's wraps.
 * @return 0 and *len grown by the tag, or -EINVAL (not an RTP packet).
 */
int lg_srtp_protect(struct lg_srtp *s, uint8_t *pkt, size_t *len);

/**
 * Authenticate and decrypt an SRTP packet in place; the index is estimated
 * as RFC 3711 Appendix A says.
 * @return 0 and *len shrunk by the tag, -EBADMSG (authentication failed;
 *         the packet is left as it was), or -EINVAL (too short, not RTP).
 */
int lg_srtp_unprotect(struct lg_srtp *s, uint8_t *pkt, size_t *len);

#endif
