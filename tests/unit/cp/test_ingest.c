/*
 * cp_ingest_desc unit tests (RTP ingest, issue 7 item 5): the POST
 * /v1/streams JSON (defaults, every error class with its message), the
 * stream's SDP description (exact lines, parsed back), and WHEP answers made
 * against it from the captured Chromium and Firefox offers: Chromium's
 * payload types fit the defaults (Opus 111, VP8 96, PCMU 0, H.264 102), a
 * viewer that puts the codec on another payload type gets a map to it.
 *
 * SDP_VECTOR_DIR comes from tests/unit/meson.build.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp_ingest_desc.h"

#ifndef SDP_VECTOR_DIR
#error "SDP_VECTOR_DIR must be defined by the build"
#endif

static const uint8_t our_fp[32] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
				    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32 };

static int
from_json(struct gw_conf_stream *s, const char *json, char *why, size_t len)
{
	return cp_ingest_from_json(s, json, strlen(json), why, len);
}

static void
test_json_ok(void **state)
{
	struct gw_conf_stream s;
	char why[256] = "";

	(void)state;
	assert_int_equal(from_json(&s, "{\"name\":\"cam1\",\"audio\":{\"codec\":\"opus\"},"
				   "\"video\":{\"codec\":\"vp8\"}}", why, sizeof(why)), 0);
	assert_string_equal(s.name, "cam1");
	assert_string_equal(s.audio.codec, "opus");
	assert_int_equal(s.audio.pt, 111);
	assert_string_equal(s.video.codec, "vp8");
	assert_int_equal(s.video.pt, 96);

	assert_int_equal(from_json(&s, "{\"name\":\"a_b-9\",\"audio\":{\"codec\":\"pcmu\"}}", why,
				   sizeof(why)), 0);
	assert_int_equal(s.audio.pt, 0);
	assert_string_equal(s.video.codec, "");

	assert_int_equal(from_json(&s, "{\"video\":{\"codec\":\"h264\"},\"name\":\"v\"}", why,
				   sizeof(why)), 0);
	assert_int_equal(s.video.pt, 102);

	assert_int_equal(from_json(&s, "{\"name\":\"x\",\"audio\":{\"codec\":\"opus\",\"pt\":100},"
				   "\"video\":{\"codec\":\"vp8\",\"pt\":127}}", why, sizeof(why)), 0);
	assert_int_equal(s.audio.pt, 100);
	assert_int_equal(s.video.pt, 127);
}

static const struct {
	const char *json, *why;
} bad_json[] = {
	{ "", "a JSON body {\"name\": ..., \"audio\": ..., \"video\": ...} is required" },
	{ "{", "bad JSON: string or '}' expected near end of file (line 1)" },
	{ "[]", "expected a JSON object" },
	{ "{\"audio\":{\"codec\":\"opus\"}}", "name: missing" },
	{ "{\"name\":\"\",\"audio\":{\"codec\":\"opus\"}}",
	  "name: 1..63 characters from [A-Za-z0-9_-]" },
	{ "{\"name\":\"a/b\",\"audio\":{\"codec\":\"opus\"}}",
	  "name: 1..63 characters from [A-Za-z0-9_-]" },
	{ "{\"name\":7,\"audio\":{\"codec\":\"opus\"}}",
	  "name: 1..63 characters from [A-Za-z0-9_-]" },
	{ "{\"name\":\"c\"}", "a stream needs an audio or a video track (or both)" },
	{ "{\"name\":\"c\",\"data\":{}}", "data: unknown key (name, audio, video)" },
	{ "{\"name\":\"c\",\"audio\":{\"codec\":\"g729\"}}",
	  "audio.codec: unknown codec 'g729' (opus|pcmu)" },
	{ "{\"name\":\"c\",\"audio\":{\"codec\":\"a-very-long-codec\"}}",
	  "audio.codec: unknown codec '?' (opus|pcmu)" },
	{ "{\"name\":\"c\",\"video\":{\"codec\":\"opus\"}}",
	  "video.codec: unknown codec 'opus' (vp8|h264)" },
	{ "{\"name\":\"c\",\"audio\":{\"codec\":\"vp8\"}}",
	  "audio.codec: unknown codec 'vp8' (opus|pcmu)" },
	{ "{\"name\":\"c\",\"audio\":{\"pt\":111}}", "audio.codec: missing" },
	{ "{\"name\":\"c\",\"audio\":\"opus\"}",
	  "audio: expected an object {\"codec\": ..., \"pt\": ...}" },
	{ "{\"name\":\"c\",\"audio\":{\"codec\":1}}", "audio.codec: expected a string" },
	{ "{\"name\":\"c\",\"audio\":{\"codec\":\"opus\",\"pt\":128}}",
	  "audio.pt: expected an integer 0..127" },
	{ "{\"name\":\"c\",\"audio\":{\"codec\":\"opus\",\"pt\":-1}}",
	  "audio.pt: expected an integer 0..127" },
	{ "{\"name\":\"c\",\"audio\":{\"codec\":\"opus\",\"pt\":\"111\"}}",
	  "audio.pt: expected an integer 0..127" },
	{ "{\"name\":\"c\",\"audio\":{\"codec\":\"opus\",\"pt\":72}}",
	  "audio.pt: 72 is outside opus's dynamic payload types 96..127" },
	{ "{\"name\":\"c\",\"audio\":{\"codec\":\"pcmu\",\"pt\":96}}",
	  "audio.pt: 96 is not pcmu's payload type 0" },
	{ "{\"name\":\"c\",\"video\":{\"codec\":\"vp8\",\"pt\":0}}",
	  "video.pt: 0 is outside vp8's dynamic payload types 96..127" },
	{ "{\"name\":\"c\",\"audio\":{\"codec\":\"opus\",\"pt\":96},\"video\":{\"codec\":\"vp8\"}}",
	  "video.pt: 96 is also audio.pt; one port carries both, told apart by payload type" },
	{ "{\"name\":\"c\",\"audio\":{\"codec\":\"opus\",\"rate\":1}}", "audio.rate: unknown key" },
	{ "{\"name\":\"c\",\"audio\":{\"codec\":\"opus\",\"ssrc\":0}}",
	  "audio.ssrc: expected an integer 1..4294967295" },
	{ "{\"name\":\"c\",\"video\":{\"codec\":\"vp8\",\"ssrc\":4294967296}}",
	  "video.ssrc: expected an integer 1..4294967295" },
	{ "{\"name\":\"c\",\"name\":\"d\",\"audio\":{\"codec\":\"opus\"}}",
	  "bad JSON: duplicate object key near '\"name\"' (line 1)" },
};

static void
test_json_errors(void **state)
{
	unsigned failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(bad_json) / sizeof(bad_json[0]); i++) {
		struct gw_conf_stream s;
		char why[256] = "";
		int rc = from_json(&s, bad_json[i].json, why, sizeof(why));

		if (rc != -EINVAL || strcmp(why, bad_json[i].why) != 0) {
			print_error("row %zu: rc %d\n  got:  %s\n  want: %s\n", i + 1, rc, why,
				    bad_json[i].why);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

static void
test_describe(void **state)
{
	struct gw_conf_stream s;
	struct cp_sdp *d = calloc(1, sizeof(*d)), *back = calloc(1, sizeof(*back));
	char text[4096], why[256], err[CP_SDP_ERR_LEN];
	int n;

	(void)state;
	assert_non_null(d);
	assert_non_null(back);
	assert_int_equal(from_json(&s, "{\"name\":\"cam1\",\"audio\":{\"codec\":\"opus\"},"
				   "\"video\":{\"codec\":\"h264\"}}", why, sizeof(why)), 0);
	assert_int_equal(cp_ingest_describe(&s, "198.18.42.2", 40002, d), 0);
	n = cp_sdp_encode(d, text, sizeof(text));
	assert_true(n > 0);
	assert_string_equal(text,
			    "v=0\r\n"
			    "o=- 1 1 IN IP4 198.18.42.2\r\n"
			    "s=cam1\r\n"
			    "c=IN IP4 198.18.42.2\r\n"
			    "t=0 0\r\n"
			    "m=audio 40002 RTP/AVP 111\r\n"
			    "a=mid:audio\r\n"
			    "a=sendonly\r\n"
			    "a=rtcp-mux\r\n"
			    "a=rtpmap:111 opus/48000/2\r\n"
			    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
			    "m=video 40002 RTP/AVP 102\r\n"
			    "a=mid:video\r\n"
			    "a=sendonly\r\n"
			    "a=rtcp-mux\r\n"
			    "a=rtpmap:102 H264/90000\r\n"
			    "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;"
			    "profile-level-id=42001f\r\n");
	assert_int_equal(cp_sdp_parse(back, text, (size_t)n, err, sizeof(err)), 0);
	assert_int_equal(back->n_media, 2);
	assert_int_equal(back->media[0].codecs[0].id, CP_SDP_CODEC_OPUS);
	assert_int_equal(back->media[1].codecs[0].id, CP_SDP_CODEC_H264);

	/* an announced SSRC (the sender's -ssrc) */
	assert_int_equal(from_json(&s, "{\"name\":\"v\",\"video\":{\"codec\":\"vp8\","
				   "\"ssrc\":4294967295}}", why, sizeof(why)), 0);
	assert_int_equal(s.video.ssrc, 4294967295u);
	assert_int_equal(cp_ingest_describe(&s, "198.18.42.2", 40002, d), 0);
	n = cp_sdp_encode(d, text, sizeof(text));
	assert_true(n > 0);
	assert_non_null(strstr(text, "m=video 40002 RTP/AVP 96\r\n"));
	assert_non_null(strstr(text, "a=ssrc:4294967295 cname:rtcgw-ingest\r\n"));
	assert_int_equal(cp_sdp_parse(back, text, (size_t)n, err, sizeof(err)), 0);
	assert_int_equal(back->media[0].ssrc_attrs[0].ssrc, 4294967295u);

	/* audio only, PCMU: one section */
	assert_int_equal(from_json(&s, "{\"name\":\"p\",\"audio\":{\"codec\":\"pcmu\"}}", why,
				   sizeof(why)), 0);
	assert_int_equal(cp_ingest_describe(&s, "198.18.42.2", 40004, d), 0);
	assert_int_equal(d->n_media, 1);
	assert_int_equal(d->media[0].codecs[0].pt, 0);
	assert_int_equal(d->media[0].codecs[0].id, CP_SDP_CODEC_PCMU);
	assert_int_equal(d->media[0].codecs[0].clock, 8000);

	/* no track, no port, bad address */
	memset(&s, 0, sizeof(s));
	assert_int_equal(cp_ingest_describe(&s, "198.18.42.2", 40004, d), -EINVAL);
	assert_int_equal(from_json(&s, "{\"name\":\"p\",\"audio\":{\"codec\":\"pcmu\"}}", why,
				   sizeof(why)), 0);
	assert_int_equal(cp_ingest_describe(&s, "198.18.42.2", 0, d), -EINVAL);
	assert_int_equal(cp_ingest_describe(&s, "nowhere", 40004, d), -EINVAL);
	free(d);
	free(back);
}

static void
test_tracks_json(void **state)
{
	struct gw_conf_stream s;
	char why[256], *t;
	json_t *o;

	(void)state;
	assert_int_equal(from_json(&s, "{\"name\":\"c\",\"audio\":{\"codec\":\"opus\"},"
				   "\"video\":{\"codec\":\"vp8\",\"pt\":100,\"ssrc\":7}}", why,
				   sizeof(why)), 0);
	o = cp_ingest_tracks_json(&s);
	t = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(t, "{\"audio\":{\"clock\":48000,\"codec\":\"opus\",\"pt\":111},"
			    "\"video\":{\"clock\":90000,\"codec\":\"vp8\",\"pt\":100,"
			    "\"ssrc\":7}}");
	free(t);
	json_decref(o);
}

static char *
slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", SDP_VECTOR_DIR, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The answer parameters cp_session uses for a WHEP viewer of what restrict
 * describes (a stream or a publisher's offer). */
static void
viewer_params(struct cp_sdp_answer_params *p, const struct cp_sdp *restrict_to)
{
	memset(p, 0, sizeof(*p));
	p->ice_ufrag = "rtcgwUfr";
	p->ice_pwd = "rtcgwPasswordOf24Chars00";
	p->fingerprint = our_fp;
	p->cand_addr = "198.18.42.2";
	p->cand_port = 40010;
	p->policy = CP_SDP_DIR_SENDONLY;
	p->sess_id = 1;
	p->sess_version = 1;
	p->restrict_to = restrict_to;
}

/* The WHEP answer cp_session makes for a viewer of the stream described by
 * json, and its payload-type map (*n pairs in from/to). */
static int
view(const char *offer_file, const char *json, struct cp_sdp *ans, char *why, size_t whylen,
     unsigned *n, uint8_t from[2], uint8_t to[2])
{
	struct cp_sdp *offer = calloc(1, sizeof(*offer)), *desc = calloc(1, sizeof(*desc));
	struct cp_sdp_answer_params p;
	struct gw_conf_stream s;
	char err[CP_SDP_ERR_LEN];
	size_t len;
	char *text = slurp(offer_file, &len);
	int rc;

	assert_non_null(offer);
	assert_non_null(desc);
	assert_int_equal(cp_sdp_parse(offer, text, len, err, sizeof(err)), 0);
	assert_int_equal(from_json(&s, json, why, whylen), 0);
	assert_int_equal(cp_ingest_describe(&s, "198.18.42.2", 40000, desc), 0);
	viewer_params(&p, desc);
	rc = cp_sdp_answer(ans, offer, &p, err, sizeof(err));
	if (rc == 0)
		*n = cp_ingest_pt_map(desc, ans, from, to);
	else
		snprintf(why, whylen, "%s", err);
	free(text);
	free(offer);
	free(desc);
	return rc;
}

static const struct cp_sdp_codec *
first_primary(const struct cp_sdp_media *m)
{
	for (unsigned i = 0; i < m->n_codecs; i++)
		if (m->codecs[i].id != CP_SDP_CODEC_RTX && m->codecs[i].id != CP_SDP_CODEC_RED)
			return &m->codecs[i];
	return NULL;
}

static void
test_answers(void **state)
{
	struct cp_sdp *ans = calloc(1, sizeof(*ans));
	char why[512] = "";
	uint8_t from[2], to[2];
	unsigned n = 9;

	(void)state;
	assert_non_null(ans);
	/* Chromium: Opus 111 + VP8 96, both sections answered on those PTs, no map */
	assert_int_equal(view("chromium-whep.sdp", "{\"name\":\"c\",\"audio\":{\"codec\":\"opus\"},"
			      "\"video\":{\"codec\":\"vp8\"}}", ans, why, sizeof(why), &n, from, to),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(ans->n_media, 2);
	assert_int_not_equal(ans->media[0].port, 0);
	assert_int_equal(first_primary(&ans->media[0])->pt, 111);
	assert_int_equal(first_primary(&ans->media[0])->id, CP_SDP_CODEC_OPUS);
	assert_int_not_equal(ans->media[1].port, 0);
	assert_int_equal(first_primary(&ans->media[1])->pt, 96);
	assert_int_equal(first_primary(&ans->media[1])->id, CP_SDP_CODEC_VP8);
	for (unsigned i = 0; i < ans->media[1].n_codecs; i++)   /* VP8 and its rtx only */
		assert_true(ans->media[1].codecs[i].id == CP_SDP_CODEC_VP8 ||
			    ans->media[1].codecs[i].id == CP_SDP_CODEC_RTX);

	/* Chromium: PCMU audio only; the video section is rejected */
	assert_int_equal(view("chromium-whep.sdp", "{\"name\":\"c\",\"audio\":{\"codec\":\"pcmu\"}}",
			      ans, why, sizeof(why), &n, from, to), 0);
	assert_int_equal(n, 0);
	assert_int_equal(first_primary(&ans->media[0])->pt, 0);
	assert_int_equal(ans->media[0].n_codecs, 1);
	assert_int_equal(ans->media[1].port, 0);

	/* Chromium: H.264 at 102 (42001f, packetization-mode 1) */
	assert_int_equal(view("chromium-whep.sdp", "{\"name\":\"c\",\"video\":{\"codec\":\"h264\"}}",
			      ans, why, sizeof(why), &n, from, to), 0);
	assert_int_equal(n, 0);
	assert_int_equal(first_primary(&ans->media[1])->pt, 102);

	/* Chromium, the stream sends Opus as 100 and VP8 as 101: mapped to 111 and 96 */
	assert_int_equal(view("chromium-whep.sdp", "{\"name\":\"c\",\"audio\":{\"codec\":\"opus\","
			      "\"pt\":100},\"video\":{\"codec\":\"vp8\",\"pt\":101}}", ans, why,
			      sizeof(why), &n, from, to), 0);
	assert_int_equal(n, 2);
	assert_int_equal(from[0], 100);
	assert_int_equal(to[0], 111);
	assert_int_equal(from[1], 101);
	assert_int_equal(to[1], 96);

	/* Firefox puts Opus on 109 and VP8 on 120 */
	assert_int_equal(view("firefox-whep.sdp", "{\"name\":\"c\",\"audio\":{\"codec\":\"opus\"},"
			      "\"video\":{\"codec\":\"vp8\"}}", ans, why, sizeof(why), &n, from, to),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(from[0], 111);
	assert_int_equal(to[0], 109);
	assert_int_equal(from[1], 96);
	assert_int_equal(to[1], 120);
	/* ... and nothing to map for a stream that sends Opus as 109 */
	assert_int_equal(view("firefox-whep.sdp", "{\"name\":\"c\",\"audio\":{\"codec\":\"opus\","
			      "\"pt\":109}}", ans, why, sizeof(why), &n, from, to), 0);
	assert_int_equal(n, 0);
	free(ans);
}

/* A viewer's answer to offer_file restricted to the WHIP publisher offer in
 * pub_file (as cp_session makes it), and the payload-type map. */
static void
view_pub(const char *pub_file, const char *offer_file, unsigned *n, uint8_t from[2], uint8_t to[2])
{
	struct cp_sdp *offer = calloc(1, sizeof(*offer)), *pub = calloc(1, sizeof(*pub));
	struct cp_sdp *ans = calloc(1, sizeof(*ans));
	struct cp_sdp_answer_params p;
	char err[CP_SDP_ERR_LEN];
	size_t len, plen;
	char *text = slurp(offer_file, &len), *ptext = slurp(pub_file, &plen);

	assert_non_null(offer);
	assert_non_null(pub);
	assert_non_null(ans);
	assert_int_equal(cp_sdp_parse(offer, text, len, err, sizeof(err)), 0);
	assert_int_equal(cp_sdp_parse(pub, ptext, plen, err, sizeof(err)), 0);
	viewer_params(&p, pub);
	assert_int_equal(cp_sdp_answer(ans, offer, &p, err, sizeof(err)), 0);
	*n = cp_ingest_pt_map(pub, ans, from, to);
	free(text);
	free(ptext);
	free(offer);
	free(pub);
	free(ans);
}

/*
 * WHEP viewers of a WHIP publisher: a Firefox viewer of a Chromium publisher
 * receives Opus and VP8 on its own payload types (109, 120), rewritten in
 * the dataplane; a Chromium viewer of a Chromium publisher needs nothing.
 */
static void
test_publisher_map(void **state)
{
	uint8_t from[2], to[2];
	unsigned n;

	(void)state;
	view_pub("chromium-whip.sdp", "firefox-whep.sdp", &n, from, to);
	assert_int_equal(n, 2);
	assert_int_equal(from[0], 111);
	assert_int_equal(to[0], 109);
	assert_int_equal(from[1], 96);
	assert_int_equal(to[1], 120);
	view_pub("chromium-whip.sdp", "chromium-whep.sdp", &n, from, to);
	assert_int_equal(n, 0);
	/* a Firefox publisher, a Chromium viewer: the other way round */
	view_pub("firefox-whip.sdp", "chromium-whep.sdp", &n, from, to);
	assert_int_equal(n, 2);
	assert_int_equal(from[0], 109);
	assert_int_equal(to[0], 111);
	assert_int_equal(from[1], 120);
	assert_int_equal(to[1], 96);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_ok),
		cmocka_unit_test(test_json_errors),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_tracks_json),
		cmocka_unit_test(test_answers),
		cmocka_unit_test(test_publisher_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
