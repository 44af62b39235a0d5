/*
 * dp_srtp: SRTP and SRTCP (RFC 3711, RFC 7714) for the dataplane's media path.
 *
 * One context is one direction of one leg: a receive context unprotects what
 * the leg's peer sends, a send context protects what the gateway sends to it.
 * Each context is touched by one lcore only (DESIGN.md, packet path 6), so it
 * has no locks. Contexts come from a pool created at start-up (one pool per
 * lcore); dp_srtp_create() at session setup takes one and derives the session
 * keys, dp_srtp_free() wipes it and gives it back. Nothing on the per-packet
 * path allocates: the cipher contexts are keyed once at create time and only
 * get a new IV per packet.
 *
 * Crypto is OpenSSL's libcrypto called directly (EVP AES-128-GCM, AES-128-CTR,
 * and HMAC-SHA1 from precomputed inner/outer states), not libsrtp: Debian's
 * libsrtp2 is built against NSS, and its per-packet cost measured in
 * tests/bench/bench_srtp.c is several times the bare cipher's (README there).
 * libsrtp stays a test dependency: the unit tests cross-check every profile
 * against it.
 *
 * Packets are worked on in place. Protect appends the tag (and for SRTCP the
 * E-flag/index word), so the buffer needs DP_SRTP_MAX_OVERHEAD bytes of room
 * after the packet; unprotect removes them. Protect also comes out of place
 * (_to: plaintext read from one buffer, header + ciphertext + trailer written
 * to another in one pass), for fan-out, where each receiver needs its own
 * output and the source must stay plaintext. Each context tracks up to
 * DP_SRTP_MAX_STREAMS SSRCs, each with its rollover counter (ROC) and a
 * 64-packet replay window for SRTP and another for SRTCP. Send contexts also
 * refuse to use an index twice (a second packet under one keystream/IV).
 *
 * Errors (negative errno; the dataplane counts each separately):
 *   DP_SRTP_E_MALFORMED  (-EBADMSG)   not an RTP/RTCP packet of a sane length
 *   DP_SRTP_E_AUTH       (-EACCES)    authentication tag mismatch
 *   DP_SRTP_E_REPLAY     (-EALREADY)  index already seen, or older than the window
 *   DP_SRTP_E_NOROOM     (-ENOBUFS)   no room after the packet for the trailer
 *   DP_SRTP_E_STREAMS    (-ENOSPC)    the context already tracks DP_SRTP_MAX_STREAMS SSRCs
 *   DP_SRTP_E_EXHAUSTED  (-EOVERFLOW) the SRTCP index (2^31) or ROC ran out: rekey
 */
#ifndef DP_SRTP_H
#define DP_SRTP_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DP_SRTP_E_MALFORMED (-EBADMSG)
#define DP_SRTP_E_AUTH      (-EACCES)
#define DP_SRTP_E_REPLAY    (-EALREADY)
#define DP_SRTP_E_NOROOM    (-ENOBUFS)
#define DP_SRTP_E_STREAMS   (-ENOSPC)
#define DP_SRTP_E_EXHAUSTED (-EOVERFLOW)

#define DP_SRTP_KEY_LEN        16   /* AES-128 master key */
#define DP_SRTP_SALT_LEN       14   /* AES-CM master salt; GCM uses the first 12 */
#define DP_SRTP_GCM_SALT_LEN   12
#define DP_SRTP_MAX_OVERHEAD   20   /* SRTCP-GCM: 16-byte tag + 4-byte E||index */
#define DP_SRTP_MAX_STREAMS    16   /* SSRCs per context (audio, video, RTX, ...) */
#define DP_SRTP_REPLAY_WINDOW  64   /* RFC 3711 §3.3.2 minimum */

/** Protection profiles by their DTLS-SRTP ids (RFC 5764 §4.1.2, RFC 7714 §14.2). */
enum dp_srtp_profile {
	DP_SRTP_AES128_CM_SHA1_80 = 0x0001,
	DP_SRTP_AES128_CM_SHA1_32 = 0x0002,   /* SDES; SRTCP keeps an 80-bit tag */
	DP_SRTP_AEAD_AES_128_GCM  = 0x0007,
};

enum dp_srtp_dir {
	DP_SRTP_RECV = 0,       /* unprotect what the peer sends */
	DP_SRTP_SEND = 1,       /* protect what we send to the peer */
};

/** Master key material for one direction, as DTLS-SRTP export or SDES gives it. */
struct dp_srtp_key {
	uint16_t profile;                   /* enum dp_srtp_profile */
	uint8_t key[DP_SRTP_KEY_LEN];
	uint8_t salt[DP_SRTP_SALT_LEN];     /* GCM: 12 bytes, the last 2 ignored */
};

struct dp_srtp_pool;
struct dp_srtp;

/**
 * Create a pool of n contexts with their OpenSSL cipher objects. Start-up
 * only; the pool is used by one thread (its lcore).
 * @return 0; -EINVAL for n == 0; -ENOMEM.
 */
int dp_srtp_pool_create(struct dp_srtp_pool **out, unsigned n);

/** Free a pool; every context must have been freed. NULL-safe. */
void dp_srtp_pool_free(struct dp_srtp_pool *pool);

/** Contexts not in use. */
unsigned dp_srtp_pool_avail(const struct dp_srtp_pool *pool);

/**
 * Take a context from the pool and key it (RFC 3711 §4.3 key derivation,
 * key derivation rate 0) for SRTP and SRTCP.
 * @return 0; -EINVAL for an unknown profile or direction; -ENOSPC when the
 *         pool is empty; -EIO when OpenSSL refuses the key.
 */
int dp_srtp_create(struct dp_srtp **out, struct dp_srtp_pool *pool,
		   const struct dp_srtp_key *key, enum dp_srtp_dir dir);

/** Wipe a context's keys and state and return it to its pool. NULL-safe. */
void dp_srtp_free(struct dp_srtp *s);

/** Bytes protect adds to an RTP packet (the tag: 16, 10 or 4). */
unsigned dp_srtp_rtp_overhead(const struct dp_srtp *s);

/** Bytes protect adds to an RTCP packet (tag + 4-byte E||index). */
unsigned dp_srtp_rtcp_overhead(const struct dp_srtp *s);

/**
 * Protect an RTP packet in place (send context).
 * @param pkt  the packet; cap bytes writable
 * @param len  in: RTP length; out: SRTP length (+ dp_srtp_rtp_overhead)
 * @return 0; DP_SRTP_E_MALFORMED, _NOROOM, _REPLAY (index already sent),
 *         _STREAMS, _EXHAUSTED; -EINVAL on a receive context.
 */
int dp_srtp_protect(struct dp_srtp *s, uint8_t *pkt, size_t *len, size_t cap);

/**
 * Protect an RTP packet out of place (send context): read the plaintext
 * src[0..len) and write the SRTP packet (header, ciphertext, tag) to dst in
 * one pass. src is only read. The result is byte for byte what
 * dp_srtp_protect gives in place; dst == src is that in-place protect.
 * @param cap      writable bytes at dst (len + dp_srtp_rtp_overhead at least)
 * @param out_len  out: SRTP length written to dst
 * @return 0; -EINVAL on a receive context or when dst and src overlap
 *         without being equal; else as dp_srtp_protect.
 */
int dp_srtp_protect_to(struct dp_srtp *s, const uint8_t *src, size_t len, uint8_t *dst,
		       size_t cap, size_t *out_len);

/**
 * Protect a retransmission in place (send context): the same RTP bytes this
 * context already protected under the packet's index, sent again (a NACK
 * answered from the gateway's packet cache). An index the context already
 * used is accepted once more, without moving the window; an index not used
 * yet is an ordinary dp_srtp_protect. The caller must pass exactly the
 * bytes sent under that index before: the same plaintext under the same IV
 * gives the same ciphertext and tag, so nothing leaks, where different bytes
 * would reuse a keystream (CTR) or a GCM nonce.
 * @return as dp_srtp_protect (_REPLAY only when the index cannot be placed:
 *         before the stream began).
 */
int dp_srtp_protect_again(struct dp_srtp *s, uint8_t *pkt, size_t *len, size_t cap);

/**
 * Unprotect an SRTP packet in place (receive context): replay check,
 * authentication, decryption, then the replay window and ROC move.
 * On an error the packet's bytes are unspecified (GCM decrypts in place
 * before the tag verdict) and it must be dropped.
 * @param len in: SRTP length; out: RTP length
 * @return 0; DP_SRTP_E_MALFORMED, _AUTH, _REPLAY, _STREAMS; -EINVAL on a
 *         send context.
 */
int dp_srtp_unprotect(struct dp_srtp *s, uint8_t *pkt, size_t *len);

/** Protect an RTCP compound packet in place (SRTCP, encrypted: E = 1). Errors as dp_srtp_protect. */
int dp_srtp_rtcp_protect(struct dp_srtp *s, uint8_t *pkt, size_t *len, size_t cap);

/**
 * Protect an RTCP compound packet out of place (SRTCP, E = 1): src[0..len)
 * read, the SRTCP packet written to dst (cap bytes). As dp_srtp_protect_to:
 * dst == src is dp_srtp_rtcp_protect; errors as it, -EINVAL for overlap.
 */
int dp_srtp_rtcp_protect_to(struct dp_srtp *s, const uint8_t *src, size_t len, uint8_t *dst,
			    size_t cap, size_t *out_len);

/** Unprotect an SRTCP packet in place (E = 0 accepted: authenticated only). Errors as dp_srtp_unprotect. */
int dp_srtp_rtcp_unprotect(struct dp_srtp *s, uint8_t *pkt, size_t *len);

/** One packet of a burst for dp_srtp_run (STYLE.md practice 9). */
struct dp_srtp_op {
	struct dp_srtp *ctx;
	uint8_t *pkt;
	uint32_t len;               /* in and out, as the single-packet calls */
	uint32_t cap;               /* protect: writable bytes at pkt */
	uint8_t rtcp;               /* 1: SRTCP */
	uint8_t pad[3];
	int rc;                     /* out: the single-packet call's result */
};

/**
 * Run the crypto of a burst: each op protects or unprotects according to its
 * context's direction. Per-op results in op->rc.
 * @return the number of ops with rc == 0.
 */
unsigned dp_srtp_run(struct dp_srtp_op *ops, unsigned n);

struct gw_ipc_srtp_keys;

/**
 * Take the master keys out of a GW_IPC_SRTP_ADD_REQ payload (gw_ipc.h) and
 * wipe them there; recv/send are filled for the halves the flags mark valid.
 * The caller wipes recv/send after dp_srtp_create.
 * @return the valid halves (GW_IPC_SRTP_F_RECV | GW_IPC_SRTP_F_SEND, > 0);
 *         -EINVAL for an unknown profile or no valid half (m wiped either way).
 */
int dp_srtp_keys_from_ipc(struct dp_srtp_key *recv, struct dp_srtp_key *send,
			  struct gw_ipc_srtp_keys *m);

/**
 * RFC 3711 §4.3.1 key derivation (AES-CM PRF, kdr 0): out_len bytes for
 * label from a 16-byte master key and a 14-byte master salt.
 * @return 0; -EINVAL for out_len > 32; -EIO from OpenSSL.
 */
int dp_srtp_kdf(uint8_t *out, size_t out_len, uint8_t label,
		const uint8_t key[DP_SRTP_KEY_LEN], const uint8_t salt[DP_SRTP_SALT_LEN]);

/**
 * Known-answer self-test of every profile through this module (RFC 3711
 * B.3 key derivation, RFC 7714 §16.1.1 and §17.1.1 AEAD-AES-128-GCM SRTP
 * and SRTCP, an AES-CM/HMAC-SHA1-80 SRTP packet and its replay and
 * tamper rejection). The dataplane runs it before it opens a port.
 * @return 0; -EIO naming nothing secret when any answer differs.
 */
int dp_srtp_selftest(void);

#endif
