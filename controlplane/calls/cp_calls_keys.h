/*
 * cp_calls_keys: one call party's SDES-SRTP keys (issue 9), a master key per
 * m= section and direction as RFC 4568 keys each media stream: the party's
 * (it sends with them), ours with the tag of the a=crypto line that carries
 * each, and the set we offered it. Without the dataplane: cp_calls_media
 * installs what this holds (GW_IPC_SRTP_ADD_REQ) and renders the lines into
 * the SDP it sends (cp_calls_keys_lines). The struct is plain bytes (the
 * calls journal saves it with the party).
 */
#ifndef CP_CALLS_KEYS_H
#define CP_CALLS_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_sdes.h"
#include "cp_sdp.h"

#define CP_CALLS_KEYS_OFFERED 3     /* suites we offer: _80, _32, AEAD_AES_128_GCM (tags 1..3) */

struct cp_calls_keys {
	bool keyed;                     /* installed in the dataplane */
	struct cp_sdes_key rx[CP_SDP_MAX_MEDIA];        /* theirs; profile 0: none */
	struct cp_sdes_key tx[CP_SDP_MAX_MEDIA];        /* ours, of rx's suite */
	uint32_t tx_tag[CP_SDP_MAX_MEDIA];              /* the tag of ours; 0: none */
	bool offered;                   /* we offered the party ... */
	struct cp_sdes_key offered_key[CP_SDP_MAX_MEDIA][CP_CALLS_KEYS_OFFERED];   /* ... these */
};

/**
 * The party's SDES offer: per accepted section its first usable a=crypto
 * (cp_calls_sdes_pick) and ours for the answer, of that suite and tag (kept
 * from before when a re-offer keeps both; sections may differ in suite).
 * @return 0; -ENOENT no usable key in a section, -EIO random generator
 *         (why says which).
 */
int cp_calls_keys_take_offer(struct cp_calls_keys *k, const struct cp_sdp *sdp, char *why,
			     size_t wlen);

/**
 * Our offer to the party: per section a key of each of the three suites,
 * once per call (a re-offer keeps them). A section that already has our key
 * (the party offered first) offers that key for its suite, so an answer
 * that keeps the suite keeps the key and the dataplane's SRTP context.
 * @return 0; -EIO random generator.
 */
int cp_calls_keys_make_offer(struct cp_calls_keys *k, unsigned n_media, char *why, size_t wlen);

/**
 * The party's SDES answer to our offer: its keys, and ours per section the
 * one offered there under the tag it chose.
 * @return 0; -ENOENT no usable key; -EINVAL a tag or suite not offered in
 *         that section (why names both).
 */
int cp_calls_keys_take_answer(struct cp_calls_keys *k, const struct cp_sdp *sdp, char *why,
			      size_t wlen);

/**
 * Which of k's keys differ from before's (the party before this offer or
 * answer): bit i of *rx (*tx) set when section i's key of the party's (ours)
 * changed; every section with a key when before was never installed. Only
 * those halves are installed again: an unchanged key keeps its dataplane
 * context, whose rollover counter and replay window must go on (a context
 * restarted under the same key would reuse keystream once the sequence
 * numbers wrapped, and take replayed packets again). Marks k keyed.
 * @return whether any changed.
 */
bool cp_calls_keys_changed(const struct cp_calls_keys *before, struct cp_calls_keys *k,
			   uint32_t *rx, uint32_t *tx);

/**
 * The a=crypto lines of what we send the party (offer: the three suites
 * per section, else our key per section) into lines
 * (CP_CALLS_KEYS_OFFERED per section, for n_media sections), and p's SDES
 * fields set to them. A section without our key keeps tag 0: the renderer
 * refuses it should it be accepted.
 * @return 0; -EINVAL a key that cannot be written.
 */
int cp_calls_keys_lines(const struct cp_calls_keys *k, unsigned n_media, bool offer,
			struct cp_sdp_crypto *lines, struct cp_sdp_leg_params *p);

#endif
