#include "cp_ingest_desc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct codec_sdp {
	const char *codec;            /* gw_conf_track.codec */
	const char *name;             /* rtpmap encoding name */
	uint32_t clock;
	unsigned channels;            /* 0: not written */
	const char *fmtp;
};

/* What each codec looks like in SDP; the fmtp is what Chromium offers for
 * it (restrict_to matches H.264 on packetization-mode and profile). H.264:
 * baseline 42001f, packetization-mode=1, which Chromium has offered as PT
 * 102 across versions (its 42e01f entry moves: 106, 108); a constrained
 * baseline stream (x264's "baseline") decodes as baseline. */
static const struct codec_sdp codecs[] = {
	{ "opus", "opus", 48000, 2, "minptime=10;useinbandfec=1" },
	{ "pcmu", "PCMU", 8000, 0, NULL },
	{ "vp8", "VP8", 90000, 0, NULL },
	{ "h264", "H264", 90000, 0,
	  "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f" },
};

static int __attribute__((format(printf, 3, 4)))
fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && len > 0) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const struct codec_sdp *
codec_of(const char *codec)
{
	for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++)
		if (strcmp(codecs[i].codec, codec) == 0)
			return &codecs[i];
	return NULL;
}

static int
track_from_json(struct gw_conf_track *t, const char *kind, json_t *o, char *why, size_t len)
{
	const char *k;
	json_t *v;

	if (!json_is_object(o))
		return fail(why, len, "%s: expected an object {\"codec\": ..., \"pt\": ...}", kind);
	json_object_foreach(o, k, v) {
		if (strcmp(k, "codec") == 0) {
			const char *c = json_string_value(v);

			if (c == NULL)
				return fail(why, len, "%s.codec: expected a string", kind);
			/* too long for any codec name: unknown, said by the check */
			snprintf(t->codec, sizeof(t->codec), "%s",
				 strlen(c) < sizeof(t->codec) ? c : "?");
		} else if (strcmp(k, "ssrc") == 0) {
			json_int_t ssrc = json_integer_value(v);

			if (!json_is_integer(v) || ssrc < 1 || ssrc > 0xffffffffll)
				return fail(why, len, "%s.ssrc: expected an integer 1..4294967295",
					    kind);
			t->ssrc = (uint32_t)ssrc;
		} else if (strcmp(k, "pt") == 0) {
			json_int_t pt = json_integer_value(v);

			if (!json_is_integer(v) || pt < 0 || pt > 127)
				return fail(why, len, "%s.pt: expected an integer 0..127", kind);
			t->pt = (uint16_t)pt;
		} else {
			return fail(why, len, "%s.%.32s: unknown key", kind, k);
		}
	}
	if (t->codec[0] == '\0')
		return fail(why, len, "%s.codec: missing", kind);
	return 0;
}

int
cp_ingest_from_json(struct gw_conf_stream *s, const char *body, size_t len, char *why,
		    size_t whylen)
{
	json_error_t jerr;
	json_t *doc, *v;
	const char *k;
	int rc = 0;

	memset(s, 0, sizeof(*s));
	s->audio.pt = s->video.pt = GW_CONF_PT_DEFAULT;
	if (body == NULL || len == 0)
		return fail(why, whylen, "a JSON body {\"name\": ..., \"audio\": ..., "
			    "\"video\": ...} is required");
	doc = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL)
		return fail(why, whylen, "bad JSON: %.120s (line %d)", jerr.text, jerr.line);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return fail(why, whylen, "expected a JSON object");
	}
	json_object_foreach(doc, k, v) {
		if (strcmp(k, "name") == 0) {
			const char *n = json_string_value(v);

			if (n == NULL || strlen(n) >= sizeof(s->name) || n[0] == '\0') {
				rc = fail(why, whylen, "name: 1..%zu characters from [A-Za-z0-9_-]",
					  sizeof(s->name) - 1);
				break;
			}
			memcpy(s->name, n, strlen(n) + 1);
		} else if (strcmp(k, "audio") == 0) {
			rc = track_from_json(&s->audio, "audio", v, why, whylen);
		} else if (strcmp(k, "video") == 0) {
			rc = track_from_json(&s->video, "video", v, why, whylen);
		} else {
			rc = fail(why, whylen, "%.32s: unknown key (name, audio, video)", k);
		}
		if (rc != 0)
			break;
	}
	json_decref(doc);
	if (rc != 0)
		return rc;
	if (s->name[0] == '\0')
		return fail(why, whylen, "name: missing");
	return gw_config_stream_check(s, why, whylen);
}

static json_t *
track_json(const struct gw_conf_track *t)
{
	const struct codec_sdp *c = codec_of(t->codec);

	json_t *o = json_pack("{s:s, s:i, s:I}", "codec", t->codec, "pt", t->pt, "clock",
			      (json_int_t)(c != NULL ? c->clock : 0));

	if (o != NULL && t->ssrc != 0)
		json_object_set_new(o, "ssrc", json_integer(t->ssrc));
	return o;
}

json_t *
cp_ingest_tracks_json(const struct gw_conf_stream *s)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	if (s->audio.codec[0] != '\0')
		json_object_set_new(o, "audio", track_json(&s->audio));
	if (s->video.codec[0] != '\0')
		json_object_set_new(o, "video", track_json(&s->video));
	return o;
}

static int
add_track(struct cp_sdp *out, const struct gw_conf_track *t, enum cp_sdp_media_type type,
	  uint16_t port)
{
	const struct codec_sdp *c = codec_of(t->codec);
	struct cp_sdp_media *m;
	int i;

	if (c == NULL || t->pt > 127)
		return -EINVAL;
	i = cp_sdp_media_add(out, type, CP_SDP_PROTO_RTP_AVP, CP_SDP_DIR_SENDONLY);
	if (i < 0)
		return i;
	m = &out->media[i];
	m->port = port;
	m->rtcp_mux = true;
	snprintf(m->mid, sizeof(m->mid), "%s", type == CP_SDP_MEDIA_AUDIO ? "audio" : "video");
	if (t->ssrc != 0) {
		/* announced in viewers' answers (send_streams) */
		struct cp_sdp_ssrc_attr *a = &m->ssrc_attrs[m->n_ssrc_attrs++];

		a->ssrc = t->ssrc;
		strcpy(a->attr, "cname");
		a->has_value = true;
		strcpy(a->value, "rtcgw-ingest");
	}
	return cp_sdp_codec_add(m, t->pt, c->name, c->clock, c->channels, c->fmtp);
}

int
cp_ingest_describe(const struct gw_conf_stream *s, const char *addr, uint16_t port,
		   struct cp_sdp *out)
{
	int rc;

	if (s == NULL || out == NULL || port == 0 ||
	    (s->audio.codec[0] == '\0' && s->video.codec[0] == '\0'))
		return -EINVAL;
	rc = cp_sdp_init(out, addr, 1, 1);
	if (rc != 0)
		return rc;
	snprintf(out->name, sizeof(out->name), "%s", s->name);
	out->conn = out->o_addr;
	if (s->audio.codec[0] != '\0')
		rc = add_track(out, &s->audio, CP_SDP_MEDIA_AUDIO, port);
	if (rc == 0 && s->video.codec[0] != '\0')
		rc = add_track(out, &s->video, CP_SDP_MEDIA_VIDEO, port);
	return rc == 0 ? 0 : -EINVAL;
}

static bool
is_primary(const struct cp_sdp_codec *c)
{
	return c->id != CP_SDP_CODEC_RTX && c->id != CP_SDP_CODEC_RED &&
	       c->id != CP_SDP_CODEC_ULPFEC && c->id != CP_SDP_CODEC_FLEXFEC;
}

/* Does a live section of ans of type t accept codec c (on any payload type)? */
static bool
answered(const struct cp_sdp *ans, enum cp_sdp_media_type t, const struct cp_sdp_codec *c)
{
	for (unsigned i = 0; i < ans->n_media; i++) {
		const struct cp_sdp_media *am = &ans->media[i];

		if (am->type != t || (am->port == 0 && !am->bundle_only))
			continue;
		for (unsigned k = 0; k < am->n_codecs; k++)
			if (is_primary(&am->codecs[k]) && cp_sdp_codec_match(&am->codecs[k], c))
				return true;
	}
	return false;
}

unsigned
cp_ingest_pt_map(const struct cp_sdp *desc, const struct cp_sdp *ans, uint8_t from[2],
		 uint8_t to[2])
{
	unsigned n = 0;

	for (unsigned j = 0; j < desc->n_media && n < 2; j++) {
		const struct cp_sdp_media *dm = &desc->media[j];
		const struct cp_sdp_codec *dc = NULL, *other = NULL;
		bool same = false;

		/* the sender's codec: its first the answers accept (a codec the
		 * gateway refuses is refused to the sender as well) */
		for (unsigned k = 0; k < dm->n_codecs && dc == NULL; k++)
			if (is_primary(&dm->codecs[k]) && answered(ans, dm->type, &dm->codecs[k]))
				dc = &dm->codecs[k];
		if (dc == NULL)
			continue;
		for (unsigned i = 0; i < ans->n_media && !same; i++) {
			const struct cp_sdp_media *am = &ans->media[i];

			if (am->type != dm->type || (am->port == 0 && !am->bundle_only))
				continue;   /* rejected: nothing is sent there */
			for (unsigned k = 0; k < am->n_codecs && !same; k++) {
				const struct cp_sdp_codec *ac = &am->codecs[k];

				if (!is_primary(ac) || !cp_sdp_codec_match(ac, dc))
					continue;
				if (ac->pt == dc->pt)
					same = true;
				else if (other == NULL)
					other = ac;
			}
		}
		if (!same && other != NULL) {
			from[n] = dc->pt;
			to[n++] = other->pt;
		}
	}
	return n;
}
