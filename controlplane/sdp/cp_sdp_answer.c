/*
 * cp_sdp: the WebRTC answerer (cp_sdp_answer) and the leg renderer
 * (cp_sdp_leg_render) that rewrites a description's transport for a WebRTC,
 * plain RTP or SDES-SRTP leg. See cp_sdp.h for the rules.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cp_sdp.h"
#include "cp_sdp_priv.h"

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

/* Our host candidate: RFC 8445 5.1.2.1 priority for host, component 1, local
 * preference 65535 for the first (cand_addr) and 65534 for the second
 * (cand_addr2, the other family; RFC 8445 §5.1.2.2: one preference per
 * address), each its own foundation (§5.1.1.3: different base addresses). */
static void
host_cand(struct cp_sdp_cand *c, const char *addr, uint8_t family, uint16_t port, unsigned nth)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->foundation, nth == 0 ? "1" : "2");
	c->component = 1;
	strcpy(c->transport, "udp");
	c->priority = (UINT32_C(126) << 24) | ((UINT32_C(65535) - nth) << 8) | 255;
	strcpy(c->addr, addr);
	c->family = family;
	c->port = port;
	c->type = CP_SDP_CAND_HOST;
}

static void
set_fp(struct cp_sdp_fingerprint *fp, const uint8_t *sha256)
{
	memset(fp, 0, sizeof(*fp));
	strcpy(fp->alg, "sha-256");
	fp->len = 32;
	memcpy(fp->bytes, sha256, 32);
}

static bool
ice_ok(const char *s, size_t min)
{
	size_t n = s != NULL ? strlen(s) : 0;

	return n >= min && n <= 256 && sdp_is_ice_chars(s, n);
}

/* ---- codec selection ------------------------------------------------------ */

/* Names the answerer can keep, each with its bit in a params mask. */
struct named_bit {
	const char *name;
	uint32_t bit;
};

static const struct named_bit fb_names[] = {
	{"nack", CP_SDP_FB_NACK}, {"nack pli", CP_SDP_FB_PLI}, {"ccm fir", CP_SDP_FB_FIR},
	{"goog-remb", CP_SDP_FB_REMB}, {"transport-cc", CP_SDP_FB_TRANSPORT_CC},
	{NULL, 0},
};

static const struct named_bit ext_names[] = {
	{"urn:ietf:params:rtp-hdrext:sdes:mid", CP_SDP_EXT_MID},
	{"urn:ietf:params:rtp-hdrext:ssrc-audio-level", CP_SDP_EXT_AUDIO_LEVEL},
	{"urn:ietf:params:rtp-hdrext:toffset", CP_SDP_EXT_TOFFSET},
	{"http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", CP_SDP_EXT_ABS_SEND_TIME},
	{"http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", CP_SDP_EXT_TWCC},
	{"urn:3gpp:video-orientation", CP_SDP_EXT_VIDEO_ORIENTATION},
	{"urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id", CP_SDP_EXT_RID},
	{"urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id", CP_SDP_EXT_RRID},
	{"http://www.webrtc.org/experiments/rtp-hdrext/playout-delay", CP_SDP_EXT_PLAYOUT_DELAY},
	{"http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time", CP_SDP_EXT_ABS_CAPTURE_TIME},
	{NULL, 0},
};

/* name is in the table and its bit is in mask */
static bool
kept(const struct named_bit *t, const char *name, uint32_t mask)
{
	for (; t->name != NULL; t++)
		if (strcmp(name, t->name) == 0)
			return (mask & t->bit) != 0;
	return false;
}

static bool
is_aux(enum cp_sdp_codec_id id)
{
	return id == CP_SDP_CODEC_RTX || id == CP_SDP_CODEC_RED || id == CP_SDP_CODEC_ULPFEC ||
	       id == CP_SDP_CODEC_FLEXFEC;
}

static bool
kind_fits(enum cp_sdp_codec_id id, enum cp_sdp_media_type t)
{
	switch (id) {
	case CP_SDP_CODEC_OPUS: case CP_SDP_CODEC_PCMU: case CP_SDP_CODEC_PCMA:
	case CP_SDP_CODEC_G722: case CP_SDP_CODEC_TEL_EVENT: case CP_SDP_CODEC_CN:
		return t == CP_SDP_MEDIA_AUDIO;
	case CP_SDP_CODEC_VP8: case CP_SDP_CODEC_VP9: case CP_SDP_CODEC_H264:
	case CP_SDP_CODEC_AV1: case CP_SDP_CODEC_H265: case CP_SDP_CODEC_RTX:
	case CP_SDP_CODEC_ULPFEC: case CP_SDP_CODEC_FLEXFEC:
		return t == CP_SDP_MEDIA_VIDEO;
	case CP_SDP_CODEC_RED:
		return true;
	default:
		return false;
	}
}

static bool
in_restrict(const struct cp_sdp *r, enum cp_sdp_media_type t, const struct cp_sdp_codec *c)
{
	for (size_t i = 0; i < r->n_media; i++) {
		if (r->media[i].type != t)
			continue;
		for (size_t k = 0; k < r->media[i].n_codecs; k++)
			if (cp_sdp_codec_match(&r->media[i].codecs[k], c))
				return true;
	}
	return false;
}

static bool
primary_ok(const struct cp_sdp_codec *c, const struct cp_sdp_media *m,
	   const struct cp_sdp_answer_params *p, uint32_t mask)
{
	unsigned int prof, mode;

	if (c->id == CP_SDP_CODEC_UNKNOWN || is_aux(c->id) || !kind_fits(c->id, m->type) ||
	    (mask & CP_SDP_CODEC_BIT(c->id)) == 0)
		return false;
	if (c->id == CP_SDP_CODEC_H264) {
		mode = sdp_fmtp_uint(c, "packetization-mode", 0);
		if (mode > 7 || ((p->h264_modes ? p->h264_modes : 3) & (1u << mode)) == 0 ||
		    sdp_h264_profile(c, &prof) != 0)
			return false;
	}
	if (p->restrict_to != NULL && !in_restrict(p->restrict_to, m->type, c))
		return false;
	return true;
}

/* red's fmtp "a/b/..." (audio, RFC 2198): every payload type must be kept. */
static bool
red_ok(const struct cp_sdp_codec *c, const struct cp_sdp_media *m, const bool *keep)
{
	const char *p = c->fmtp;

	if (!c->has_fmtp)
		return true;
	while (*p != '\0') {
		uint32_t pt;
		size_t n = strcspn(p, "/");
		const struct cp_sdp_codec *t;

		if (!sdp_u32(p, n, 127, &pt) || (t = cp_sdp_codec_find(m, pt)) == NULL ||
		    !keep[t - m->codecs])
			return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return true;
}

static void
select_codecs(struct cp_sdp_media *am, const struct cp_sdp_media *om,
	      const struct cp_sdp_answer_params *p)
{
	uint32_t mask = p->codecs ? p->codecs : CP_SDP_ANSWER_CODECS;
	uint32_t fbm = p->fb ? p->fb : CP_SDP_ANSWER_FB;
	bool keep[CP_SDP_MAX_CODECS] = {false};

	for (size_t i = 0; i < om->n_codecs; i++)
		keep[i] = primary_ok(&om->codecs[i], om, p, mask);
	for (size_t i = 0; i < om->n_codecs; i++) {
		const struct cp_sdp_codec *c = &om->codecs[i];

		if ((c->id == CP_SDP_CODEC_RED || c->id == CP_SDP_CODEC_ULPFEC ||
		     c->id == CP_SDP_CODEC_FLEXFEC) && (mask & CP_SDP_CODEC_BIT(c->id)) != 0 &&
		    kind_fits(c->id, om->type))
			keep[i] = c->id != CP_SDP_CODEC_RED || red_ok(c, om, keep);
	}
	for (size_t i = 0; i < om->n_codecs; i++) {
		const struct cp_sdp_codec *c = &om->codecs[i], *prim;
		unsigned int apt = sdp_fmtp_uint(c, "apt", 1000);

		if (c->id != CP_SDP_CODEC_RTX || (mask & CP_SDP_CODEC_BIT(CP_SDP_CODEC_RTX)) == 0)
			continue;
		prim = apt <= 127 ? cp_sdp_codec_find(om, apt) : NULL;
		keep[i] = prim != NULL && keep[prim - om->codecs];
	}
	am->n_codecs = 0;
	for (size_t i = 0; i < om->n_codecs; i++) {
		struct cp_sdp_codec *c;

		if (!keep[i])
			continue;
		c = &am->codecs[am->n_codecs++];
		*c = om->codecs[i];
		c->n_fb = 0;
		memset(c->fb, 0, sizeof(c->fb));
		for (size_t k = 0; k < om->codecs[i].n_fb; k++)
			if (kept(fb_names, om->codecs[i].fb[k], fbm))
				strcpy(c->fb[c->n_fb++], om->codecs[i].fb[k]);
	}
	for (size_t k = 0; k < om->n_fb_wild; k++)
		if (kept(fb_names, om->fb_wild[k], fbm))
			strcpy(am->fb_wild[am->n_fb_wild++], om->fb_wild[k]);
}

static enum cp_sdp_dir
answer_dir(enum cp_sdp_dir offered, enum cp_sdp_dir policy)
{
	/* bit 1: we send, bit 2: we receive */
	static const unsigned int bits[] = {3, 3, 1, 2, 0};   /* as seen by the offerer */
	static const enum cp_sdp_dir from_bits[] = {CP_SDP_DIR_INACTIVE, CP_SDP_DIR_SENDONLY,
						    CP_SDP_DIR_RECVONLY, CP_SDP_DIR_SENDRECV};
	unsigned int o = bits[offered], rev = ((o & 1) << 1) | ((o & 2) >> 1);

	return from_bits[rev & bits[policy]];
}

static bool
in_group(const struct cp_sdp_group *g, const char *mid)
{
	for (size_t i = 0; i < g->n_mids; i++)
		if (strcmp(g->mids[i], mid) == 0)
			return true;
	return false;
}

static void
reject(struct cp_sdp_media *am, const struct cp_sdp_media *om)
{
	am->port = 0;
	am->conn.family = 4;
	strcpy(am->conn.addr, "0.0.0.0");
	if (cp_sdp_proto_is_rtp(om->proto_id)) {
		am->n_codecs = 1;
		am->codecs[0] = om->codecs[0];   /* one format, as offered, without fmtp/fb */
		am->codecs[0].has_fmtp = false;
		memset(am->codecs[0].fmtp, 0, sizeof(am->codecs[0].fmtp));
		am->codecs[0].n_fb = 0;
		memset(am->codecs[0].fb, 0, sizeof(am->codecs[0].fb));
	}
}

static int
add_send(struct cp_sdp_media *am, const struct cp_sdp_send_stream *ss, const char *cname,
	 const char *stream)
{
	bool rtx = false;

	for (size_t i = 0; i < am->n_codecs; i++)
		rtx |= am->codecs[i].id == CP_SDP_CODEC_RTX;
	if (snprintf(am->msid, sizeof(am->msid), "%s %s-%s", stream, stream, am->mid) >=
	    (int)sizeof(am->msid) || strlen(cname) >= sizeof(am->ssrc_attrs[0].value))
		return -EINVAL;
	if (rtx && ss->rtx_ssrc != 0) {
		struct cp_sdp_ssrc_group *g = &am->ssrc_groups[am->n_ssrc_groups++];

		strcpy(g->semantics, "FID");
		g->n = 2;
		g->ssrc[0] = ss->ssrc;
		g->ssrc[1] = ss->rtx_ssrc;
	}
	for (size_t k = 0; k < (rtx && ss->rtx_ssrc != 0 ? 2u : 1u); k++) {
		struct cp_sdp_ssrc_attr *a = &am->ssrc_attrs[am->n_ssrc_attrs++];

		a->ssrc = k == 0 ? ss->ssrc : ss->rtx_ssrc;
		strcpy(a->attr, "cname");
		a->has_value = true;
		strcpy(a->value, cname);
	}
	return 0;
}

int
cp_sdp_answer(struct cp_sdp *ans, const struct cp_sdp *offer,
	      const struct cp_sdp_answer_params *p, char *err, size_t errlen)
{
	const struct cp_sdp_group *bundle = NULL;
	struct cp_sdp_group *ag;
	uint32_t extm;
	uint8_t fam, fam2 = 0;
	char tmp[CP_SDP_TOKEN_LEN];
	int rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (ans == NULL || offer == NULL || p == NULL || ans == offer)
		return fail(err, errlen, -EINVAL, "NULL argument");
	if (!ice_ok(p->ice_ufrag, 4) || !ice_ok(p->ice_pwd, 22) || p->fingerprint == NULL ||
	    p->cand_addr == NULL || p->policy == CP_SDP_DIR_NONE ||
	    (unsigned int)p->policy > CP_SDP_DIR_INACTIVE ||
	    sdp_addr(tmp, sizeof(tmp), &fam, p->cand_addr, strlen(p->cand_addr), false) != 0)
		return fail(err, errlen, -EINVAL, "bad answer parameters");
	if (p->cand_addr2 != NULL &&
	    (sdp_addr(tmp, sizeof(tmp), &fam2, p->cand_addr2, strlen(p->cand_addr2), false) != 0 ||
	     fam2 == fam))
		return fail(err, errlen, -EINVAL, "bad second candidate address");
	extm = p->ext ? p->ext : CP_SDP_ANSWER_EXT;
	for (size_t g = 0; g < offer->n_groups && bundle == NULL; g++)
		if (strcmp(offer->groups[g].semantics, "BUNDLE") == 0)
			bundle = &offer->groups[g];
	if (bundle == NULL)
		return fail(err, errlen, -EPROTO, "offer has no a=group:BUNDLE");
	rc = cp_sdp_init(ans, p->origin_addr != NULL ? p->origin_addr : p->cand_addr, p->sess_id,
			 p->sess_version);
	if (rc != 0)
		return fail(err, errlen, -EINVAL, "bad origin address");
	ans->ice_lite = true;
	ans->extmap_allow_mixed = offer->extmap_allow_mixed;
	ag = &ans->groups[0];
	strcpy(ag->semantics, "BUNDLE");

	for (size_t i = 0; i < offer->n_media; i++) {
		const struct cp_sdp_media *om = &offer->media[i];
		struct cp_sdp_media *am = &ans->media[i];
		struct cp_sdp_transport tp;
		enum cp_sdp_dir d;

		memset(am, 0, sizeof(*am));
		am->type = om->type;
		strcpy(am->media, om->media);
		am->proto_id = om->proto_id;
		strcpy(am->proto, om->proto);
		strcpy(am->fmt, om->fmt);
		strcpy(am->mid, om->mid);
		ans->n_media++;
		if ((om->type != CP_SDP_MEDIA_AUDIO && om->type != CP_SDP_MEDIA_VIDEO) ||
		    (om->proto_id != CP_SDP_PROTO_UDP_TLS_RTP_SAVPF &&
		     om->proto_id != CP_SDP_PROTO_UDP_TLS_RTP_SAVP) ||
		    (om->port == 0 && !om->bundle_only) || om->mid[0] == '\0' ||
		    !in_group(bundle, om->mid)) {
			reject(am, om);
			continue;
		}
		select_codecs(am, om, p);
		if (am->n_codecs == 0) {
			reject(am, om);
			continue;
		}
		cp_sdp_media_transport(offer, om, &tp);
		if (tp.ice_ufrag[0] == '\0' || tp.ice_pwd[0] == '\0')
			return fail(err, errlen, -EPROTO, "m= section mid %s: no a=ice-ufrag/a=ice-pwd",
				    om->mid);
		if (tp.fp.len != 32 || strcasecmp(tp.fp.alg, "sha-256") != 0)
			return fail(err, errlen, -EPROTO, "m= section mid %s: no sha-256 a=fingerprint",
				    om->mid);
		if (tp.setup == CP_SDP_SETUP_HOLDCONN)
			return fail(err, errlen, -EPROTO, "m= section mid %s: a=setup:holdconn",
				    om->mid);
		if (!om->rtcp_mux)
			return fail(err, errlen, -EPROTO, "m= section mid %s: no a=rtcp-mux", om->mid);
		am->port = p->cand_port;
		am->conn.family = fam;
		strcpy(am->conn.addr, p->cand_addr);
		strcpy(am->tp.ice_ufrag, p->ice_ufrag);
		strcpy(am->tp.ice_pwd, p->ice_pwd);
		if (p->ice_trickle)
			strcpy(am->tp.ice_options, "trickle");
		set_fp(&am->tp.fp, p->fingerprint);
		am->tp.setup = tp.setup == CP_SDP_SETUP_PASSIVE ? CP_SDP_SETUP_ACTIVE :
							   CP_SDP_SETUP_PASSIVE;
		host_cand(&am->cands[0], p->cand_addr, fam, p->cand_port, 0);
		am->n_cands = 1;
		if (p->cand_addr2 != NULL)
			host_cand(&am->cands[am->n_cands++], p->cand_addr2, fam2, p->cand_port, 1);
		am->tp.end_of_candidates = true;
		am->rtcp_mux = true;
		am->rtcp_rsize = om->rtcp_rsize;
		for (size_t k = 0; k < (size_t)om->n_extmap + offer->n_extmap; k++) {
			const struct cp_sdp_extmap *e = k < om->n_extmap ? &om->extmap[k] :
							&offer->extmap[k - om->n_extmap];
			bool dup = false;

			/* a session-level extmap whose id the section redefines is
			 * shadowed by the section's (RFC 8285 §6): one line per id */
			for (size_t j = 0; j < am->n_extmap; j++)
				dup = dup || am->extmap[j].id == e->id;
			if (!dup && kept(ext_names, e->uri, extm) && e->dir != CP_SDP_DIR_INACTIVE &&
			    am->n_extmap < CP_SDP_MAX_EXTMAP) {
				am->extmap[am->n_extmap] = *e;
				am->extmap[am->n_extmap].dir = CP_SDP_DIR_NONE;
				/* all of it: the struct is compared byte for byte after a
				 * reparse, and the offer's attribute text would linger */
				memset(am->extmap[am->n_extmap].attrs, 0,
				       sizeof(am->extmap[am->n_extmap].attrs));
				am->n_extmap++;
			}
		}
		d = answer_dir(cp_sdp_media_dir(offer, om), p->policy);
		am->dir = d;
		if ((d == CP_SDP_DIR_SENDONLY || d == CP_SDP_DIR_SENDRECV) && p->send[i].ssrc != 0 &&
		    add_send(am, &p->send[i], p->cname != NULL ? p->cname : "rtcgw",
			     p->msid_stream != NULL ? p->msid_stream : "rtcgw") != 0)
			return fail(err, errlen, -EINVAL, "cname or msid stream id too long");
		strcpy(ag->mids[ag->n_mids++], om->mid);
	}
	if (ag->n_mids == 0)
		return fail(err, errlen, -EPROTO, "no m= section could be accepted");
	ans->n_groups = 1;
	return 0;
}

/* ---- leg rendering ---------------------------------------------------------- */

static enum cp_sdp_proto
leg_proto(const struct cp_sdp_leg_params *p)
{
	switch (p->kind) {
	case CP_SDP_LEG_RTP:
		return p->avpf ? CP_SDP_PROTO_RTP_AVPF : CP_SDP_PROTO_RTP_AVP;
	case CP_SDP_LEG_SDES:
		return p->avpf ? CP_SDP_PROTO_RTP_SAVPF : CP_SDP_PROTO_RTP_SAVP;
	default:
		return CP_SDP_PROTO_UDP_TLS_RTP_SAVPF;
	}
}

static bool
mid_used(const struct cp_sdp *s, const char *mid)
{
	for (size_t i = 0; i < s->n_media; i++)
		if (strcmp(s->media[i].mid, mid) == 0)
			return true;
	return false;
}

int
cp_sdp_leg_render(struct cp_sdp *out, const struct cp_sdp *in, const struct cp_sdp_leg_params *p)
{
	bool webrtc;
	uint8_t fam, fam2 = 0;
	char addr[CP_SDP_TOKEN_LEN], addr2[CP_SDP_TOKEN_LEN];
	struct cp_sdp_group *g;

	if (out == NULL || in == NULL || p == NULL || out == in || p->addr == NULL ||
	    (unsigned int)p->kind > CP_SDP_LEG_SDES ||
	    sdp_addr(addr, sizeof(addr), &fam, p->addr, strlen(p->addr), false) != 0)
		return -EINVAL;
	if (p->cand_addr2 != NULL &&
	    (sdp_addr(addr2, sizeof(addr2), &fam2, p->cand_addr2, strlen(p->cand_addr2), false) != 0 ||
	     fam2 == fam))
		return -EINVAL;
	webrtc = p->kind == CP_SDP_LEG_WEBRTC;
	if (webrtc && (!ice_ok(p->ice_ufrag, 4) || !ice_ok(p->ice_pwd, 22) || p->fingerprint == NULL))
		return -EINVAL;
	if (p->kind == CP_SDP_LEG_SDES &&
	    (p->n_crypto == 0 || p->n_crypto > CP_SDP_MAX_CRYPTO || p->crypto == NULL ||
	     (p->crypto_stride != 0 && p->crypto_stride < p->n_crypto)))
		return -EINVAL;
	if (p->o_user != NULL && (p->o_user[0] == '\0' || strchr(p->o_user, ' ') != NULL ||
				  strlen(p->o_user) >= sizeof(out->o_user)))
		return -EINVAL;
	if (p->rtpengine_id != NULL &&
	    (p->rtpengine_id[0] == '\0' || strlen(p->rtpengine_id) >= CP_SDP_ATTR_LEN))
		return -EINVAL;
	*out = *in;
	if (p->rtpengine_id != NULL) {
		struct cp_sdp_attr *a;

		if (out->n_other >= CP_SDP_MAX_OTHER)
			return -E2BIG;
		a = &out->other[out->n_other++];
		memset(a, 0, sizeof(*a));
		strcpy(a->name, "rtpengine");
		a->has_value = true;
		strcpy(a->value, p->rtpengine_id);
	}
	if (p->o_user != NULL)
		strcpy(out->o_user, p->o_user);
	if (p->sess_id != 0 || p->sess_version != 0) {
		snprintf(out->o_sess_id, sizeof(out->o_sess_id), "%" PRIu64, p->sess_id);
		snprintf(out->o_sess_version, sizeof(out->o_sess_version), "%" PRIu64,
			 p->sess_version);
	}
	out->o_addr.family = fam;
	memset(out->o_addr.addr, 0, sizeof(out->o_addr.addr));
	strcpy(out->o_addr.addr, addr);
	memset(out->o_addr.suffix, 0, sizeof(out->o_addr.suffix));
	memset(&out->tp, 0, sizeof(out->tp));
	out->ice_lite = webrtc;
	out->conn.family = webrtc ? 0 : fam;
	memset(out->conn.addr, 0, sizeof(out->conn.addr));
	strcpy(out->conn.addr, webrtc ? "" : addr);
	memset(out->conn.suffix, 0, sizeof(out->conn.suffix));
	/* drop BUNDLE groups; WebRTC gets a fresh one below */
	for (size_t i = 0; i < out->n_groups;) {
		if (strcmp(out->groups[i].semantics, "BUNDLE") == 0) {
			memmove(&out->groups[i], &out->groups[i + 1],
				(out->n_groups - i - 1) * sizeof(out->groups[0]));
			out->n_groups--;
			memset(&out->groups[out->n_groups], 0, sizeof(out->groups[0]));
		} else {
			i++;
		}
	}
	g = NULL;
	if (webrtc) {
		if (out->n_groups >= CP_SDP_MAX_GROUPS)
			return -E2BIG;
		g = &out->groups[out->n_groups++];
		memmove(&out->groups[1], &out->groups[0], (out->n_groups - 1) * sizeof(*g));
		g = &out->groups[0];
		memset(g, 0, sizeof(*g));
		strcpy(g->semantics, "BUNDLE");
	}
	for (size_t i = 0; i < out->n_media; i++) {
		struct cp_sdp_media *m = &out->media[i];
		bool rejected = m->port == 0 && !m->bundle_only;

		memset(&m->tp, 0, sizeof(m->tp));
		m->n_cands = 0;
		memset(m->cands, 0, sizeof(m->cands));
		m->n_crypto = 0;
		memset(m->crypto, 0, sizeof(m->crypto));
		m->has_rtcp = false;
		m->rtcp_port = 0;
		memset(&m->rtcp_conn, 0, sizeof(m->rtcp_conn));
		m->bundle_only = false;
		m->rtcp_mux_only = false;
		if (!cp_sdp_proto_is_rtp(m->proto_id) || rejected) {
			/* DataChannel (no SCTP here) and rejected sections: port 0 */
			m->port = 0;
			if (cp_sdp_proto_is_rtp(m->proto_id)) {
				m->proto_id = leg_proto(p);
				memset(m->proto, 0, sizeof(m->proto));
				strcpy(m->proto, cp_sdp_proto_name(m->proto_id));
			}
			m->conn.family = 4;
			memset(m->conn.addr, 0, sizeof(m->conn.addr));
			strcpy(m->conn.addr, "0.0.0.0");
			memset(m->conn.suffix, 0, sizeof(m->conn.suffix));
			continue;
		}
		m->proto_id = leg_proto(p);
		memset(m->proto, 0, sizeof(m->proto));
		strcpy(m->proto, cp_sdp_proto_name(m->proto_id));
		m->conn.family = fam;
		memset(m->conn.addr, 0, sizeof(m->conn.addr));
		strcpy(m->conn.addr, addr);
		memset(m->conn.suffix, 0, sizeof(m->conn.suffix));
		m->n_ports = 0;
		if (webrtc || p->generate_mid) {
			if (m->mid[0] == '\0' && p->mids != NULL && i < p->n_mids &&
			    p->mids[i][0] != '\0' && !mid_used(out, p->mids[i]))
				strcpy(m->mid, p->mids[i]);
			if (m->mid[0] == '\0') {
				char mid[24];

				snprintf(mid, sizeof(mid), "%zu", i);
				if (mid_used(out, mid))
					snprintf(mid, sizeof(mid), "rtcgw%zu", i);
				strcpy(m->mid, mid);
			}
		}
		if (webrtc) {
			m->port = p->port;
			strcpy(m->tp.ice_ufrag, p->ice_ufrag);
			strcpy(m->tp.ice_pwd, p->ice_pwd);
			set_fp(&m->tp.fp, p->fingerprint);
			m->tp.setup = p->setup != CP_SDP_SETUP_NONE ? p->setup :
				      p->offer ? CP_SDP_SETUP_ACTPASS : CP_SDP_SETUP_PASSIVE;
			host_cand(&m->cands[0], addr, fam, p->port, 0);
			m->n_cands = 1;
			if (p->cand_addr2 != NULL)
				host_cand(&m->cands[m->n_cands++], addr2, fam2, p->port, 1);
			m->tp.end_of_candidates = true;
			m->rtcp_mux = true;
			strcpy(g->mids[g->n_mids++], m->mid);
		} else {
			/* by section index, not by accepted sections: the calls'
			 * dataplane legs sit at port + 2i, and a rejected section
			 * before this one must not move it onto another's legs */
			m->port = (uint16_t)(p->port + 2 * i);
			m->rtcp_mux = p->rtcp_mux;
			if (!p->rtcp_mux && p->rtcp_attr != CP_SDP_RTCP_ATTR_NONE) {
				m->has_rtcp = true;
				m->rtcp_port = (uint16_t)(m->port + 1);
				if (p->rtcp_attr == CP_SDP_RTCP_ATTR_FULL)
					m->rtcp_conn = m->conn;
			}
			if (!p->avpf) {
				m->n_fb_wild = 0;
				for (size_t c = 0; c < m->n_codecs; c++)
					m->codecs[c].n_fb = 0;
			}
			if (p->kind == CP_SDP_LEG_SDES) {
				const struct cp_sdp_crypto *c = p->crypto + i * p->crypto_stride;

				for (size_t j = 0; j < p->n_crypto; j++)
					if (c[j].tag == 0)
						return -EINVAL;     /* no key for this section */
				m->n_crypto = p->n_crypto;
				memcpy(m->crypto, c, p->n_crypto * sizeof(c[0]));
			}
		}
	}
	if (g != NULL && g->n_mids == 0) {   /* nothing bundled: no empty group */
		out->n_groups--;
		memmove(&out->groups[0], &out->groups[1], out->n_groups * sizeof(*g));
		memset(&out->groups[out->n_groups], 0, sizeof(*g));
	}
	return 0;
}

unsigned
cp_sdp_rtx_pairs(const struct cp_sdp_media *m, uint8_t *apt, uint8_t *rtx, unsigned max)
{
	unsigned n = 0;

	for (size_t i = 0; i < m->n_codecs && n < max; i++) {
		const struct cp_sdp_codec *c = &m->codecs[i];
		unsigned int a = sdp_fmtp_uint(c, "apt", 1000);

		if (c->id != CP_SDP_CODEC_RTX || a > 127 || cp_sdp_codec_find(m, a) == NULL)
			continue;
		apt[n] = (uint8_t)a;
		rtx[n++] = c->pt;
	}
	return n;
}
