/*
 * cp_calls: the control plane's call registry (issue 9's call model), the
 * implementation of the ng protocol's struct cp_calls_ops.
 *
 * A call is keyed by its call-id; its legs by tag (the offerer's from-tag,
 * the answerer's to-tag; up to CP_CALLS_MAX_LEGS for forked answers). An offer
 * creates the call and the offerer's leg, an answer adds the answerer's leg,
 * delete removes the call, query and list report. The media work of offer
 * and answer (SDP rewriting, ports, keys) is a second seam,
 * cp_calls_media_fn: without one, offer and answer are refused with
 * "media not available yet" and leave nothing behind; whatever the media
 * function refuses is rolled back the same way.
 */
#ifndef CP_CALLS_H
#define CP_CALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_ng.h"

#define CP_CALLS_MAX_LEGS    4
#define CP_CALLS_ID_MAX      256
#define CP_CALLS_TAG_MAX     128
#define CP_CALLS_LIST_DEFAULT 32

struct cp_calls;

/**
 * The media side of an offer (is_answer false) or answer: appends the
 * rewritten "sdp" (and anything else) to reply and returns 0, or returns a
 * negative errno with a reason.
 */
typedef int cp_calls_media_fn(void *ctx, const struct cp_ng_req *req, bool is_answer,
			      struct cp_bencode_buf *reply, char *reason, size_t reason_len);

/** Seconds on the wall clock (injected so tests are deterministic). */
typedef uint64_t cp_calls_clock_fn(void);

/**
 * @param max_calls most calls at once (calls.max_calls)
 * @param media NULL: offer/answer answer "media not available yet"
 * @param clock NULL: time(NULL)
 * @return 0; -ENOMEM; -EINVAL max_calls is 0.
 */
int cp_calls_create(struct cp_calls **out, uint32_t max_calls, cp_calls_media_fn *media,
		    void *media_ctx, cp_calls_clock_fn *clock);

/** Told whenever a call goes away (delete, rollback, timeout, free): the media module frees its part. */
typedef void cp_calls_release_fn(void *ctx, const char *call_id, size_t id_len);

/** Register the release hook (ctx is the media_ctx given to cp_calls_create). */
void cp_calls_on_release(struct cp_calls *c, cp_calls_release_fn *fn);

/** Totals of a call's media: [0] RTCP, [1] RTP; each {bytes, errors, packets} received. */
typedef void cp_calls_totals_fn(void *ctx, const char *call_id, size_t id_len,
				uint64_t totals[2][3]);

/** Register where query/delete take the call's "totals" from (default: zeros). */
void cp_calls_on_totals(struct cp_calls *c, cp_calls_totals_fn *fn);

/**
 * Drop one call as delete does (the media timeout).
 * @return 0; -ENOENT no such call.
 */
int cp_calls_drop(struct cp_calls *c, const char *call_id, size_t id_len);

/** NULL-safe; drops every call. */
void cp_calls_free(struct cp_calls *c);

/** Calls held now. */
uint32_t cp_calls_count(const struct cp_calls *c);

/** The ng operations over a struct cp_calls (the ops_ctx). */
/** One call's registry entry (cp_journal: what a restarted control plane takes over). */
struct cp_calls_leg_rec {
	char tag[CP_CALLS_TAG_MAX];
	size_t tag_len;
	uint64_t created;
	char label[64];
	int peer;                   /* index of the leg it talks to; -1: none yet */
};

struct cp_calls_rec {
	uint64_t created, last_signal;
	unsigned n_legs;
	struct cp_calls_leg_rec legs[CP_CALLS_MAX_LEGS];
};

/** Copy call id's entry. @return 0 or -ENOENT. */
int cp_calls_get(struct cp_calls *c, const char *id, size_t len, struct cp_calls_rec *out);

/**
 * Create (or overwrite) call id's entry from a record, without running any
 * media work (the media side restores its own). @return 0; -EINVAL (id or
 * record out of bounds); -ENOSPC (calls.max_calls); -ENOMEM.
 */
int cp_calls_put(struct cp_calls *c, const char *id, size_t len, const struct cp_calls_rec *in);

extern const struct cp_calls_ops cp_calls_ng_ops;

#endif
