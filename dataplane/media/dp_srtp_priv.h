/*
 * dp_srtp_priv: stages of dp_srtp that the known-answer tests drive directly
 * (session keys without derivation, the index a stream is at). Not for the
 * dataplane: it only ever installs master keys (dp_srtp.h).
 */
#ifndef DP_SRTP_PRIV_H
#define DP_SRTP_PRIV_H

#include <stdint.h>

#include "dp_srtp.h"

/** Session keys of one direction, as RFC 3711 §4.3 derives them. */
struct dp_srtp_session_keys {
	uint8_t rtp_key[DP_SRTP_KEY_LEN];
	uint8_t rtp_salt[DP_SRTP_SALT_LEN];
	uint8_t rtp_auth[20];               /* AES-CM profiles only */
	uint8_t rtcp_key[DP_SRTP_KEY_LEN];
	uint8_t rtcp_salt[DP_SRTP_SALT_LEN];
	uint8_t rtcp_auth[20];
};

/**
 * dp_srtp_create with the session keys given instead of derived (RFC 7714
 * §16-17 vectors give session keys).
 * @return as dp_srtp_create.
 */
int dp_srtp_create_session(struct dp_srtp **out, struct dp_srtp_pool *pool, uint16_t profile,
			   enum dp_srtp_dir dir, const struct dp_srtp_session_keys *k);

/**
 * Derive the session keys of a profile from master keys (what dp_srtp_create does).
 * @return 0; -EINVAL; -EIO.
 */
int dp_srtp_derive(struct dp_srtp_session_keys *k, const struct dp_srtp_key *mk);

/**
 * Set the next SRTCP index a send context uses for ssrc, and the ROC a
 * stream starts at (send or receive), creating the stream: for tests that
 * start mid-stream (RFC 7714 §17 uses index 0x5d4) and for ROC wrap tests.
 * @return 0; DP_SRTP_E_STREAMS.
 */
int dp_srtp_stream_seed(struct dp_srtp *s, uint32_t ssrc, uint32_t roc, uint16_t seq,
			uint32_t rtcp_index);

#endif
