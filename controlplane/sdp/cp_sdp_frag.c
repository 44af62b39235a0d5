/*
 * cp_sdp: the trickle-ice-sdpfrag parser (RFC 8840 section 9, as WHIP's
 * RFC 9725 section 4.3.1 and WHEP PATCH bodies use it). See cp_sdp.h.
 */
#include <errno.h>
#include <string.h>

#include "cp_sdp.h"
#include "cp_sdp_priv.h"

static bool
is(const char *name, size_t nn, const char *lit)
{
	return strlen(lit) == nn && memcmp(name, lit, nn) == 0;
}

/* a=ice-ufrag / a=ice-pwd: set once at session level; a media-level copy must agree. */
static int
ice_cred(struct sdp_rd *r, char *dst, const char *what, size_t min, const char *v, size_t n,
	 bool media)
{
	if (n < min || n > 256 || !sdp_is_ice_chars(v, n))
		return sdp_fail(r, -EBADMSG, "a=%s: not %zu-256 ice-chars", what, min);
	if (dst[0] != '\0') {
		if (strlen(dst) != n || memcmp(dst, v, n) != 0)
			return sdp_fail(r, -EBADMSG, "a=%s: differs from the one given before", what);
		return 0;
	}
	if (media)
		return sdp_fail(r, -EBADMSG, "a=%s: only at the start (before m=) in a fragment",
				what);
	sdp_copy(dst, CP_SDP_ICE_LEN, v, n);
	return 0;
}

int
cp_sdp_frag_parse(struct cp_sdp_frag *f, const char *text, size_t len, char *err, size_t errlen)
{
	struct sdp_rd r;
	struct cp_sdp_frag_section *sec = NULL;
	bool seen_mid = false;
	int rc;

	sdp_rd_init(&r, text, len, err, errlen);
	if (f == NULL || text == NULL)
		return sdp_fail_at(&r, -EINVAL, 0, "", 0, "NULL argument");
	memset(f, 0, sizeof(*f));
	if (len > CP_SDP_MAX_LEN)
		return sdp_fail_at(&r, -EMSGSIZE, 0, "", 0, "longer than %d bytes", CP_SDP_MAX_LEN);
	while ((rc = sdp_rd_next(&r)) > 0) {
		const char *v = r.v, *colon, *val;
		size_t nn, n;

		if (r.type == 'm') {
			struct sdp_cur c = {r.v, r.v + r.vlen};
			const char *t;
			size_t tn;

			/* "m=audio 9 RTP/AVP 0": its values do not matter (RFC 8840 9) */
			if (!sdp_tok(&c, &t, &tn) || !sdp_is_token(t, tn) || !sdp_tok(&c, &t, &tn) ||
			    !sdp_tok(&c, &t, &tn) || c.p >= c.end)
				return sdp_fail(&r, -EBADMSG, "m=: expected <media> <port> <proto> <fmt>");
			if (f->n_sections >= CP_SDP_FRAG_MAX_SECTIONS)
				return sdp_fail(&r, -E2BIG, "m=: more than %d sections",
						CP_SDP_FRAG_MAX_SECTIONS);
			sec = &f->sections[f->n_sections++];
			seen_mid = false;
			continue;
		}
		if (r.type != 'a')
			return sdp_fail(&r, -EBADMSG, "%c=: not allowed in an sdpfrag", r.type);
		colon = memchr(v, ':', r.vlen);
		nn = colon != NULL ? (size_t)(colon - v) : r.vlen;
		val = colon != NULL ? colon + 1 : v + r.vlen;
		n = colon != NULL ? (size_t)(v + r.vlen - val) : 0;
		if (is(v, nn, "end-of-candidates") && colon == NULL) {
			bool *e = sec != NULL ? &sec->end_of_candidates : &f->end_of_candidates;

			if (*e)
				return sdp_fail(&r, -EBADMSG, "a=end-of-candidates: given twice");
			*e = true;
		} else if (colon == NULL) {
			return sdp_fail(&r, -EBADMSG, "a=%.*s: not allowed in an sdpfrag", (int)nn, v);
		} else if (is(v, nn, "ice-ufrag")) {
			if ((rc = ice_cred(&r, f->ice_ufrag, "ice-ufrag", 4, val, n, sec != NULL)) != 0)
				return rc;
		} else if (is(v, nn, "ice-pwd")) {
			if ((rc = ice_cred(&r, f->ice_pwd, "ice-pwd", 22, val, n, sec != NULL)) != 0)
				return rc;
		} else if (is(v, nn, "ice-options")) {
			if (sec != NULL)
				return sdp_fail(&r, -EBADMSG, "a=ice-options: not allowed in a section");
			if (f->ice_options[0] != '\0' || n == 0 ||
			    !sdp_copy(f->ice_options, sizeof(f->ice_options), val, n))
				return sdp_fail(&r, -EBADMSG, "a=ice-options: repeated, empty or too long");
		} else if (is(v, nn, "group")) {
			if (sec != NULL)
				return sdp_fail(&r, -EBADMSG, "a=group: not allowed in a section");
		} else if (is(v, nn, "mid")) {
			if (sec == NULL)
				return sdp_fail(&r, -EBADMSG, "a=mid: before any m= line");
			if (seen_mid)
				return sdp_fail(&r, -EBADMSG, "a=mid: given twice");
			if (!sdp_is_token(val, n) || !sdp_copy(sec->mid, sizeof(sec->mid), val, n))
				return sdp_fail(&r, -EBADMSG, "a=mid: bad identification tag");
			for (size_t i = 0; i + 1 < f->n_sections; i++)
				if (strcmp(f->sections[i].mid, sec->mid) == 0)
					return sdp_fail(&r, -EBADMSG, "a=mid: %s used twice", sec->mid);
			seen_mid = true;
		} else if (is(v, nn, "candidate")) {
			const char *why;

			if (sec == NULL)
				return sdp_fail(&r, -EBADMSG, "a=candidate: before any m= line");
			if (sec->n_cands >= CP_SDP_MAX_CANDS)
				return sdp_fail(&r, -E2BIG, "a=candidate: more than %d in a section",
						CP_SDP_MAX_CANDS);
			if (cp_sdp_cand_parse(&sec->cands[sec->n_cands], val, n, &why) != 0)
				return sdp_fail(&r, -EBADMSG, "a=candidate: %s", why);
			sec->n_cands++;
		} else {
			return sdp_fail(&r, -EBADMSG, "a=%.*s: not allowed in an sdpfrag", (int)nn, v);
		}
	}
	return rc;
}
