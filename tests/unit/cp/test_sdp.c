/*
 * cp_sdp unit tests: every captured offer (tests/vectors/sdp/) parsed,
 * generated and parsed again (identical struct, identical text, and the same
 * lines as the browser wrote, in any order); the answer for each checked and
 * parsed again; field-by-field checks of one Chromium, one Firefox and one
 * GStreamer offer and their answers; one exact message per error class with
 * its line number; the limits; leg rendering (WebRTC -> RTP/AVP, SDES) and the
 * offer builder; trickle-ice-sdpfrag (RFC 8840 / RFC 9725 example).
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

#include "cp_sdp.h"

#ifndef SDP_VECTOR_DIR
#error "SDP_VECTOR_DIR must be defined by the build"
#endif

static const uint8_t our_fp[32] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
};

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

static struct cp_sdp *
new_sdp(void)
{
	struct cp_sdp *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	return s;
}

static void
parse_ok(struct cp_sdp *s, const char *text, size_t len)
{
	char err[CP_SDP_ERR_LEN];
	int rc = cp_sdp_parse(s, text, len, err, sizeof(err));

	if (rc != 0)
		fail_msg("parse failed (%d): %s", rc, err);
	assert_string_equal(err, "");
}

/* Split into lines (CRLF or LF), sorted: the multiset of lines. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t
sorted_lines(char *text, char **lines, size_t max)
{
	size_t n = 0;

	for (char *p = strtok(text, "\r\n"); p != NULL; p = strtok(NULL, "\r\n")) {
		assert_true(n < max);
		lines[n++] = p;
	}
	qsort(lines, n, sizeof(lines[0]), cmp_str);
	return n;
}

static void
same_lines(const char *a, const char *b)
{
	char *ca = strdup(a), *cb = strdup(b);
	static char *la[4096], *lb[4096];
	size_t na = sorted_lines(ca, la, 4096), nb = sorted_lines(cb, lb, 4096);

	for (size_t i = 0; i < na && i < nb; i++)
		if (strcmp(la[i], lb[i]) != 0)
			fail_msg("line sets differ: \"%s\" vs \"%s\"", la[i], lb[i]);
	assert_int_equal(na, nb);
	free(ca);
	free(cb);
}

static char *
encode(const struct cp_sdp *s)
{
	char *buf = malloc(CP_SDP_MAX_LEN);
	int n;

	assert_non_null(buf);
	n = cp_sdp_encode(s, buf, CP_SDP_MAX_LEN);
	assert_true(n > 0);
	assert_int_equal(strlen(buf), (size_t)n);
	return buf;
}

static void
answer_params(struct cp_sdp_answer_params *p, enum cp_sdp_dir policy)
{
	memset(p, 0, sizeof(*p));
	p->ice_ufrag = "rtcgwUfr";
	p->ice_pwd = "rtcgwPasswordOf24Chars00";
	p->fingerprint = our_fp;
	p->cand_addr = "198.18.14.1";
	p->cand_port = 40000;
	p->policy = policy;
	p->sess_id = 42;
	p->sess_version = 1;
	p->ice_trickle = true;
}

/* ---- every captured offer ---------------------------------------------------- */

static const struct {
	const char *file;
	enum cp_sdp_dir policy;   /* what the endpoint that gets it would answer */
	unsigned int n_media, n_accepted;
} vectors[] = {
	/* 1 */ {"chromium-av-dc.sdp", CP_SDP_DIR_SENDRECV, 3, 2},
	/* 2 */ {"chromium-av-dc-gathered.sdp", CP_SDP_DIR_SENDRECV, 3, 2},
	/* 3 */ {"chromium-whip.sdp", CP_SDP_DIR_RECVONLY, 2, 2},
	/* 4 */ {"chromium-whep.sdp", CP_SDP_DIR_SENDONLY, 2, 2},
	/* 5 */ {"firefox-av-dc.sdp", CP_SDP_DIR_SENDRECV, 3, 2},
	/* 6 */ {"firefox-av-dc-gathered.sdp", CP_SDP_DIR_SENDRECV, 3, 2},
	/* 7 */ {"firefox-whip.sdp", CP_SDP_DIR_RECVONLY, 2, 2},
	/* 8 */ {"firefox-whep.sdp", CP_SDP_DIR_SENDONLY, 2, 2},
	/* 9 */ {"gstreamer-whip-vp8.sdp", CP_SDP_DIR_RECVONLY, 2, 2},
	/* 10 */ {"gstreamer-whip-h264.sdp", CP_SDP_DIR_RECVONLY, 2, 2},
};

static void
test_vectors_round_trip(void **state)
{
	struct cp_sdp *a = new_sdp(), *b = new_sdp(), *ans = new_sdp(), *ans2 = new_sdp();
	char err[CP_SDP_ERR_LEN];

	(void)state;
	for (size_t v = 0; v < sizeof(vectors) / sizeof(vectors[0]); v++) {
		size_t len;
		char *text = slurp(vectors[v].file, &len), *t1, *t2, *at;
		struct cp_sdp_answer_params p;
		unsigned int accepted = 0;

		print_message("vector %zu: %s\n", v + 1, vectors[v].file);
		parse_ok(a, text, len);
		assert_int_equal(a->n_media, vectors[v].n_media);
		t1 = encode(a);
		parse_ok(b, t1, strlen(t1));
		assert_memory_equal(a, b, sizeof(*a));   /* nothing lost, nothing moved */
		t2 = encode(b);
		assert_string_equal(t1, t2);
		same_lines(text, t1);                    /* the browser's lines, in our order */

		answer_params(&p, vectors[v].policy);
		for (size_t i = 0; i < CP_SDP_MAX_MEDIA; i++)
			p.send[i].ssrc = (uint32_t)(1000 + i), p.send[i].rtx_ssrc = (uint32_t)(2000 + i);
		assert_int_equal(cp_sdp_answer(ans, a, &p, err, sizeof(err)), 0);
		assert_string_equal(err, "");
		at = encode(ans);
		parse_ok(ans2, at, strlen(at));
		assert_memory_equal(ans, ans2, sizeof(*ans));
		assert_int_equal(ans->n_media, a->n_media);
		assert_true(ans->ice_lite);
		for (size_t i = 0; i < ans->n_media; i++) {
			const struct cp_sdp_media *m = &ans->media[i];

			assert_string_equal(m->mid, a->media[i].mid);
			if (m->port == 0) {
				assert_int_equal(m->n_cands, 0);
				continue;
			}
			accepted++;
			assert_int_equal(m->port, 40000);
			assert_true(m->rtcp_mux);
			assert_int_equal(m->tp.setup, CP_SDP_SETUP_PASSIVE);
			assert_int_equal(m->n_cands, 1);
			assert_true(m->tp.end_of_candidates);
			/* every rtx points at a kept payload type */
			for (size_t k = 0; k < m->n_codecs; k++) {
				char apt[8];

				if (m->codecs[k].id != CP_SDP_CODEC_RTX)
					continue;
				assert_int_equal(cp_sdp_fmtp_get(m->codecs[k].fmtp, "apt", apt,
								 sizeof(apt)), 0);
				assert_non_null(cp_sdp_codec_find(m, (unsigned int)atoi(apt)));
			}
		}
		assert_int_equal(accepted, vectors[v].n_accepted);
		assert_int_equal(ans->groups[0].n_mids, accepted);
		free(text);
		free(t1);
		free(t2);
		free(at);
	}
	free(a);
	free(b);
	free(ans);
	free(ans2);
}

/* ---- Chromium: parsed fields and the answer, field by field --------------------- */

static void
test_chromium_fields(void **state)
{
	struct cp_sdp *s = new_sdp();
	size_t len;
	char *text = slurp("chromium-av-dc-gathered.sdp", &len);
	const struct cp_sdp_media *au, *vi, *dc;
	const struct cp_sdp_codec *c;
	struct cp_sdp_transport tp;

	(void)state;
	parse_ok(s, text, len);
	assert_string_equal(s->o_user, "-");
	assert_string_equal(s->o_addr.addr, "127.0.0.1");
	assert_int_equal(s->n_groups, 1);
	assert_string_equal(s->groups[0].semantics, "BUNDLE");
	assert_int_equal(s->groups[0].n_mids, 3);
	assert_true(s->extmap_allow_mixed);
	au = &s->media[0];
	vi = &s->media[1];
	dc = &s->media[2];
	assert_int_equal(au->type, CP_SDP_MEDIA_AUDIO);
	assert_int_equal(au->proto_id, CP_SDP_PROTO_UDP_TLS_RTP_SAVPF);
	assert_int_equal(au->n_codecs, 8);
	c = cp_sdp_codec_find(au, 111);
	assert_non_null(c);
	assert_int_equal(c->id, CP_SDP_CODEC_OPUS);
	assert_int_equal(c->clock, 48000);
	assert_int_equal(c->channels, 2);
	assert_string_equal(c->fmtp, "minptime=10;useinbandfec=1");
	assert_int_equal(c->n_fb, 1);
	assert_string_equal(c->fb[0], "transport-cc");
	assert_int_equal(cp_sdp_codec_find(au, 63)->id, CP_SDP_CODEC_RED);
	assert_string_equal(au->mid, "0");
	assert_int_equal(cp_sdp_media_dir(s, au), CP_SDP_DIR_SENDRECV);
	assert_true(au->rtcp_mux);
	assert_true(au->rtcp_rsize);
	assert_true(au->has_rtcp);
	assert_int_equal(au->rtcp_port, 9);
	assert_int_equal(au->n_extmap, 4);
	assert_int_equal(au->extmap[3].id, 4);
	assert_string_equal(au->extmap[3].uri, "urn:ietf:params:rtp-hdrext:sdes:mid");
	cp_sdp_media_transport(s, au, &tp);
	assert_int_equal(tp.setup, CP_SDP_SETUP_ACTPASS);
	assert_int_equal(tp.fp.len, 32);
	assert_string_equal(tp.fp.alg, "sha-256");
	assert_string_equal(tp.ice_options, "trickle");
	assert_true(strlen(tp.ice_ufrag) >= 4);
	assert_true(au->n_cands >= 2);
	assert_string_equal(au->cands[0].addr, "198.18.14.2");
	assert_int_equal(au->cands[0].family, 4);
	assert_int_equal(au->cands[0].type, CP_SDP_CAND_HOST);
	assert_string_equal(au->cands[0].ext, "generation 0 network-id 1");
	assert_int_equal(au->n_ssrc_attrs, 2);
	assert_string_equal(au->ssrc_attrs[0].attr, "cname");
	assert_true(au->msid[0] != '\0');
	assert_int_equal(vi->n_codecs, 23);
	assert_int_equal(vi->n_ssrc_groups, 1);
	assert_string_equal(vi->ssrc_groups[0].semantics, "FID");
	assert_int_equal(vi->ssrc_groups[0].n, 2);
	c = cp_sdp_codec_find(vi, 104);
	assert_int_equal(c->id, CP_SDP_CODEC_H264);
	assert_string_equal(c->fmtp,
			    "level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f");
	assert_int_equal(c->n_fb, 5);
	assert_int_equal(dc->type, CP_SDP_MEDIA_APPLICATION);
	assert_int_equal(dc->proto_id, CP_SDP_PROTO_UDP_DTLS_SCTP);
	assert_string_equal(dc->fmt, "webrtc-datachannel");
	assert_int_equal(dc->n_other, 2);
	assert_string_equal(dc->other[0].name, "sctp-port");
	assert_string_equal(dc->other[0].value, "5000");
	free(text);
	free(s);
}

static const unsigned int chromium_video_kept[] = {
	96, 97, 102, 103, 104, 107, 108, 109, 114, 115, 116, 117, 39, 40, 45, 46, 98, 99, 100, 101,
};

static void
test_chromium_answer(void **state)
{
	struct cp_sdp *s = new_sdp(), *a = new_sdp();
	struct cp_sdp_answer_params p;
	size_t len;
	char *text = slurp("chromium-av-dc.sdp", &len), err[CP_SDP_ERR_LEN], *at;
	const struct cp_sdp_media *au, *vi, *dc;

	(void)state;
	parse_ok(s, text, len);
	answer_params(&p, CP_SDP_DIR_SENDRECV);
	p.send[0].ssrc = 1111;
	p.send[1].ssrc = 2222;
	p.send[1].rtx_ssrc = 3333;
	p.cname = "gwcname";
	p.msid_stream = "gw";
	assert_int_equal(cp_sdp_answer(a, s, &p, err, sizeof(err)), 0);
	at = encode(a);
	/* session */
	assert_non_null(strstr(at, "v=0\r\no=- 42 1 IN IP4 198.18.14.1\r\ns=-\r\nt=0 0\r\n"
				   "a=ice-lite\r\na=group:BUNDLE 0 1\r\n"));
	au = &a->media[0];
	vi = &a->media[1];
	dc = &a->media[2];
	/* audio: opus, PCMU, PCMA and both telephone-events; not red (off by default), G722, CN */
	assert_int_equal(au->n_codecs, 5);
	assert_int_equal(au->codecs[0].pt, 111);
	assert_int_equal(au->codecs[0].n_fb, 0);   /* transport-cc not kept by default */
	assert_string_equal(au->codecs[0].fmtp, "minptime=10;useinbandfec=1");
	assert_int_equal(au->codecs[1].pt, 0);
	assert_int_equal(au->codecs[2].pt, 8);
	assert_int_equal(au->codecs[3].pt, 110);
	assert_int_equal(au->codecs[4].pt, 126);
	assert_int_equal(au->dir, CP_SDP_DIR_SENDRECV);
	assert_string_equal(au->tp.ice_ufrag, "rtcgwUfr");
	assert_string_equal(au->tp.ice_pwd, "rtcgwPasswordOf24Chars00");
	assert_string_equal(au->tp.ice_options, "trickle");
	assert_memory_equal(au->tp.fp.bytes, our_fp, 32);
	assert_int_equal(au->n_extmap, 2);   /* audio-level, mid */
	assert_string_equal(au->extmap[0].uri, "urn:ietf:params:rtp-hdrext:ssrc-audio-level");
	assert_int_equal(au->extmap[1].id, 4);
	assert_string_equal(au->msid, "gw gw-0");
	assert_int_equal(au->n_ssrc_attrs, 1);
	assert_int_equal(au->ssrc_attrs[0].ssrc, 1111);
	assert_string_equal(au->ssrc_attrs[0].value, "gwcname");
	assert_int_equal(au->n_ssrc_groups, 0);
	assert_non_null(strstr(at, "m=audio 40000 UDP/TLS/RTP/SAVPF 111 0 8 110 126\r\n"
				   "c=IN IP4 198.18.14.1\r\n"
				   "a=ice-ufrag:rtcgwUfr\r\na=ice-pwd:rtcgwPasswordOf24Chars00\r\n"
				   "a=ice-options:trickle\r\n"
				   "a=fingerprint:sha-256 01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:"
				   "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF\r\n"
				   "a=setup:passive\r\na=mid:0\r\n"));
	assert_non_null(strstr(at, "a=candidate:1 1 udp 2130706431 198.18.14.1 40000 typ host\r\n"
				   "a=end-of-candidates\r\n"));
	/* video: VP8, H.264 (both modes, all four profiles), AV1, VP9 with their rtx; not
	 * red/ulpfec and not the rtx of red */
	assert_int_equal(vi->n_codecs, sizeof(chromium_video_kept) / sizeof(chromium_video_kept[0]));
	for (size_t i = 0; i < vi->n_codecs; i++)
		assert_int_equal(vi->codecs[i].pt, chromium_video_kept[i]);
	assert_int_equal(vi->codecs[0].n_fb, 3);   /* ccm fir, nack, nack pli */
	assert_string_equal(vi->codecs[0].fb[0], "ccm fir");
	assert_string_equal(vi->codecs[0].fb[1], "nack");
	assert_string_equal(vi->codecs[0].fb[2], "nack pli");
	assert_int_equal(vi->n_extmap, 3);   /* toffset, video-orientation, mid */
	assert_int_equal(vi->n_ssrc_groups, 1);
	assert_int_equal(vi->ssrc_groups[0].ssrc[0], 2222);
	assert_int_equal(vi->ssrc_groups[0].ssrc[1], 3333);
	assert_int_equal(vi->n_ssrc_attrs, 2);
	/* DataChannel rejected */
	assert_int_equal(dc->port, 0);
	assert_string_equal(dc->fmt, "webrtc-datachannel");
	assert_non_null(strstr(at, "m=application 0 UDP/DTLS/SCTP webrtc-datachannel\r\n"
				   "c=IN IP4 0.0.0.0\r\na=mid:2\r\n"));
	/* red, ulpfec and flexfec explicitly on: red with its rtx and ulpfec kept */
	p.codecs = CP_SDP_ANSWER_CODECS | CP_SDP_CODEC_BIT(CP_SDP_CODEC_RED) |
		   CP_SDP_CODEC_BIT(CP_SDP_CODEC_ULPFEC);
	assert_int_equal(cp_sdp_answer(a, s, &p, err, sizeof(err)), 0);
	assert_int_equal(a->media[0].n_codecs, 6);
	assert_int_equal(a->media[0].codecs[1].pt, 63);
	assert_int_equal(a->media[1].n_codecs, 23);
	/* red without opus: red rejected with it */
	p.codecs = CP_SDP_CODEC_BIT(CP_SDP_CODEC_PCMU) | CP_SDP_CODEC_BIT(CP_SDP_CODEC_RED) |
		   CP_SDP_CODEC_BIT(CP_SDP_CODEC_VP8);
	assert_int_equal(cp_sdp_answer(a, s, &p, err, sizeof(err)), 0);
	assert_int_equal(a->media[0].n_codecs, 1);
	assert_int_equal(a->media[0].codecs[0].pt, 0);
	assert_int_equal(a->media[1].n_codecs, 2);   /* VP8 + red/90000; rtx off */
	/* H.264 packetization-mode 1 only, rtx on */
	p.codecs = CP_SDP_CODEC_BIT(CP_SDP_CODEC_OPUS) | CP_SDP_CODEC_BIT(CP_SDP_CODEC_H264) |
		   CP_SDP_CODEC_BIT(CP_SDP_CODEC_RTX);
	p.h264_modes = 1u << 1;
	assert_int_equal(cp_sdp_answer(a, s, &p, err, sizeof(err)), 0);
	assert_int_equal(a->media[1].n_codecs, 6);
	assert_int_equal(a->media[1].codecs[0].pt, 102);
	assert_int_equal(a->media[1].codecs[1].pt, 103);
	assert_int_equal(a->media[1].codecs[2].pt, 108);
	assert_int_equal(a->media[1].codecs[4].pt, 116);
	/* fb and ext explicitly wider */
	p.codecs = 0;
	p.h264_modes = 0;
	p.fb = CP_SDP_FB_NACK | CP_SDP_FB_TRANSPORT_CC;
	p.ext = CP_SDP_EXT_MID | CP_SDP_EXT_TWCC;
	assert_int_equal(cp_sdp_answer(a, s, &p, err, sizeof(err)), 0);
	assert_int_equal(a->media[0].codecs[0].n_fb, 1);
	assert_int_equal(a->media[1].codecs[0].n_fb, 2);
	assert_string_equal(a->media[1].codecs[0].fb[0], "transport-cc");
	assert_int_equal(a->media[1].n_extmap, 2);
	free(at);
	free(text);
	free(s);
	free(a);
}

/* WHIP/WHEP directions and the Firefox / GStreamer peculiarities. */
/* One media port, both families: the IPv6 address as a second host
 * candidate on every accepted section (its own foundation, a lower local
 * preference), c= stays IPv4; the answer parses back to the same; a second
 * address of the first's family or not an address is refused. */
static void
test_answer_ipv6_candidate(void **state)
{
	struct cp_sdp *s = new_sdp(), *a = new_sdp(), *back = new_sdp();
	struct cp_sdp_answer_params p;
	size_t len;
	char *text = slurp("chromium-whip.sdp", &len), err[CP_SDP_ERR_LEN], *at;

	(void)state;
	parse_ok(s, text, len);
	answer_params(&p, CP_SDP_DIR_RECVONLY);
	p.cand_addr2 = "2001:2:0:72::2";
	assert_int_equal(cp_sdp_answer(a, s, &p, err, sizeof(err)), 0);
	at = encode(a);
	for (unsigned i = 0; i < a->n_media; i++) {
		const struct cp_sdp_media *am = &a->media[i];

		assert_int_equal(am->n_cands, 2);
		assert_int_equal(am->cands[0].family, 4);
		assert_string_equal(am->cands[1].addr, "2001:2:0:72::2");
		assert_int_equal(am->cands[1].family, 6);
		assert_int_equal(am->cands[1].port, 40000);
		assert_true(am->cands[1].priority < am->cands[0].priority);
		assert_string_not_equal(am->cands[0].foundation, am->cands[1].foundation);
		assert_int_equal(am->conn.family, 4);
	}
	assert_non_null(strstr(at, "a=candidate:1 1 udp 2130706431 198.18.14.1 40000 typ host\r\n"
				   "a=candidate:2 1 udp 2130706175 2001:2:0:72::2 40000 typ host\r\n"
				   "a=end-of-candidates\r\n"));
	parse_ok(back, at, strlen(at));
	assert_int_equal(back->media[0].n_cands, 2);
	assert_string_equal(back->media[0].cands[1].addr, "2001:2:0:72::2");
	/* an IPv6-first answer with the IPv4 address second works the same */
	p.cand_addr = "2001:2:0:72::2";
	p.cand_addr2 = "198.18.14.1";
	assert_int_equal(cp_sdp_answer(a, s, &p, err, sizeof(err)), 0);
	assert_int_equal(a->media[0].cands[0].family, 6);
	assert_int_equal(a->media[0].cands[1].family, 4);
	/* refused: the same family twice, not an address */
	p.cand_addr = "198.18.14.1";
	p.cand_addr2 = "198.18.14.9";
	assert_int_equal(cp_sdp_answer(a, s, &p, err, sizeof(err)), -EINVAL);
	p.cand_addr2 = "gateway.example";
	assert_int_equal(cp_sdp_answer(a, s, &p, err, sizeof(err)), -EINVAL);
	/* without it: one candidate, as before */
	p.cand_addr2 = NULL;
	assert_int_equal(cp_sdp_answer(a, s, &p, err, sizeof(err)), 0);
	assert_int_equal(a->media[0].n_cands, 1);
	free(at);
	free(text);
	free(s);
	free(a);
	free(back);
}

static void
test_directions_and_clients(void **state)
{
	struct cp_sdp *s = new_sdp(), *a = new_sdp(), *pub = new_sdp();
	struct cp_sdp_answer_params p;
	size_t len;
	char *text, err[CP_SDP_ERR_LEN];

	(void)state;
	text = slurp("chromium-whip.sdp", &len);
	parse_ok(s, text, len);
	free(text);
	answer_params(&p, CP_SDP_DIR_RECVONLY);
	assert_int_equal(cp_sdp_answer(a, s, &p, err, sizeof(err)), 0);
	assert_int_equal(a->media[0].dir, CP_SDP_DIR_RECVONLY);
	assert_int_equal(a->media[0].n_ssrc_attrs, 0);   /* the offerer's SSRCs never echoed */
	assert_string_equal(a->media[0].msid, "");
	/* a WHIP offer answered with a sendonly policy: nothing can flow */
	answer_params(&p, CP_SDP_DIR_SENDONLY);
	assert_int_equal(cp_sdp_answer(a, s, &p, err, sizeof(err)), 0);
	assert_int_equal(a->media[1].dir, CP_SDP_DIR_INACTIVE);

	/* Firefox WHEP: recvonly offer, sendonly answer, session-level fingerprint */
	text = slurp("firefox-whep.sdp", &len);
	parse_ok(s, text, len);
	free(text);
	assert_int_equal(s->tp.fp.len, 32);
	assert_int_equal(s->media[0].tp.fp.len, 0);
	answer_params(&p, CP_SDP_DIR_SENDONLY);
	p.send[0].ssrc = 5;
	assert_int_equal(cp_sdp_answer(a, s, &p, err, sizeof(err)), 0);
	assert_int_equal(a->media[0].dir, CP_SDP_DIR_SENDONLY);
	assert_int_equal(a->media[0].n_ssrc_attrs, 1);
	assert_int_equal(a->media[1].n_ssrc_attrs, 0);   /* no SSRC given for video */

	/* GStreamer: max-bundle, the video section is port 0 + a=bundle-only: accepted */
	text = slurp("gstreamer-whip-vp8.sdp", &len);
	parse_ok(pub, text, len);
	free(text);
	assert_int_equal(pub->media[1].port, 0);
	assert_true(pub->media[1].bundle_only);
	assert_true(pub->media[1].rtcp_mux_only);
	answer_params(&p, CP_SDP_DIR_RECVONLY);
	assert_int_equal(cp_sdp_answer(a, pub, &p, err, sizeof(err)), 0);
	assert_int_equal(a->media[1].port, 40000);
	assert_string_equal(a->media[1].codecs[0].name, "VP8");
	assert_string_equal(a->groups[0].mids[1], "video1");

	/* WHEP viewer of that publisher: only what it sends (Opus, VP8 and VP8's rtx) */
	text = slurp("chromium-whep.sdp", &len);
	parse_ok(s, text, len);
	free(text);
	answer_params(&p, CP_SDP_DIR_SENDONLY);
	p.restrict_to = pub;
	assert_int_equal(cp_sdp_answer(a, s, &p, err, sizeof(err)), 0);
	assert_int_equal(a->media[0].n_codecs, 1);
	assert_int_equal(a->media[0].codecs[0].id, CP_SDP_CODEC_OPUS);
	assert_int_equal(a->media[1].n_codecs, 2);
	assert_int_equal(a->media[1].codecs[0].id, CP_SDP_CODEC_VP8);
	assert_int_equal(a->media[1].codecs[1].id, CP_SDP_CODEC_RTX);
	/* the viewer's RTX payload type for VP8, as the dataplane is told it */
	{
		uint8_t apt[8], rtx[8];

		assert_int_equal(cp_sdp_rtx_pairs(&a->media[1], apt, rtx, 8), 1);
		assert_int_equal(apt[0], a->media[1].codecs[0].pt);
		assert_int_equal(rtx[0], a->media[1].codecs[1].pt);
		assert_int_equal(cp_sdp_rtx_pairs(&a->media[0], apt, rtx, 8), 0);
		/* the viewer's own offer: one pair per rtx, bounded by max */
		assert_true(cp_sdp_rtx_pairs(&s->media[1], apt, rtx, 8) >= 2);
		assert_int_equal(cp_sdp_rtx_pairs(&s->media[1], apt, rtx, 1), 1);
		assert_non_null(cp_sdp_codec_find(&s->media[1], apt[0]));
		assert_int_equal(cp_sdp_codec_find(&s->media[1], rtx[0])->id, CP_SDP_CODEC_RTX);
	}
	free(s);
	free(a);
	free(pub);
}

/* An extmap id given at session level and again in a section: the answer
 * carries it once, and an extmap's attributes leave nothing in the answer
 * (both found by fuzz_sdp: the answer did not reparse, or reparsed to
 * different bytes). */
static void
test_extmap_session_and_media(void **state)
{
	static const char offer[] =
		"v=0\r\no=- 1 1 IN IP4 198.18.14.2\r\ns=-\r\nt=0 0\r\n"
		"a=group:BUNDLE 0\r\na=fingerprint:sha-256 "
		"AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99\r\n"
		"a=setup:actpass\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
		"a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
		"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
		"a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
		"a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level vad=on\r\n"
		"a=sendrecv\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n";
	struct cp_sdp *s = new_sdp(), *a = new_sdp(), *back = new_sdp();
	struct cp_sdp_answer_params p;
	char err[CP_SDP_ERR_LEN], *text;
	unsigned fours = 0;

	(void)state;
	parse_ok(s, offer, sizeof(offer) - 1);
	answer_params(&p, CP_SDP_DIR_SENDRECV);
	assert_int_equal(cp_sdp_answer(a, s, &p, err, sizeof(err)), 0);
	for (unsigned i = 0; i < a->media[0].n_extmap; i++)
		fours += a->media[0].extmap[i].id == 4;
	assert_int_equal(fours, 1);
	text = encode(a);
	parse_ok(back, text, strlen(text));
	free(text);
	/* what we answer is exactly what reading our answer gives (the offer's
	 * extmap attributes are not answered, and leave no bytes behind) */
	assert_memory_equal(a, back, sizeof(*a));
	free(s);
	free(a);
	free(back);
}

/* Offers the answerer must refuse, each with its reason. */
static void
test_answer_refusals(void **state)
{
	struct cp_sdp *s = new_sdp(), *a = new_sdp();
	struct cp_sdp_answer_params p;
	char err[CP_SDP_ERR_LEN];
	static const char head[] = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";
	static const struct {
		const char *body;
		int rc;
		const char *err;
	} rows[] = {
		/* 1 */ {"m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:a\r\n",
			 -EPROTO, "offer has no a=group:BUNDLE"},
		/* 2 */ {"a=group:BUNDLE a\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\n"
			 "a=mid:a\r\na=rtcp-mux\r\n", -EPROTO,
			 "m= section mid a: no a=ice-ufrag/a=ice-pwd"},
		/* 3 */ {"a=group:BUNDLE a\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
			 "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:a\r\na=rtcp-mux\r\n"
			 "a=fingerprint:sha-1 00:11\r\n", -EPROTO,
			 "m= section mid a: no sha-256 a=fingerprint"},
		/* 4 */ {"a=group:BUNDLE a\r\nm=audio 9 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\na=mid:a\r\n",
			 -EPROTO, "no m= section could be accepted"},
		/* 5 */ {"a=group:BUNDLE a\r\nm=audio 9 UDP/TLS/RTP/SAVPF 18\r\nc=IN IP4 0.0.0.0\r\n"
			 "a=mid:a\r\n", -EPROTO, "no m= section could be accepted"},
	};

	(void)state;
	answer_params(&p, CP_SDP_DIR_SENDRECV);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char text[1024];

		snprintf(text, sizeof(text), "%s%s", head, rows[i].body);
		print_message("row %zu\n", i + 1);
		parse_ok(s, text, strlen(text));
		assert_int_equal(cp_sdp_answer(a, s, &p, err, sizeof(err)), rows[i].rc);
		assert_string_equal(err, rows[i].err);
	}
	p.ice_pwd = "short";
	assert_int_equal(cp_sdp_answer(a, s, &p, err, sizeof(err)), -EINVAL);
	free(s);
	free(a);
}

/* ---- parse errors: one row per class, exact message and line ---------------------- */

#define H "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\n"
#define HC "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nc=IN IP4 0.0.0.0\nt=0 0\n"
#define M "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\nc=IN IP4 0.0.0.0\n"

static const struct {
	const char *text;
	int rc;
	const char *err;
} err_rows[] = {
	/* 1 */ {"v=1\n", -EBADMSG, "line 1: v=: version is not 0: v=1"},
	/* 2 */ {"o=- 1 1 IN IP4 0.0.0.0\n", -EBADMSG, "line 1: o=: line 1 must be v=: o=- 1 1 IN IP4 0.0.0.0"},
	/* 3 */ {"v=0\no=- x 1 IN IP4 0.0.0.0\n", -EBADMSG, "line 2: o=: bad sess-id: o=- x 1 IN IP4 0.0.0.0"},
	/* 4 */ {"v=0\no=- 1 1 IN IP5 0.0.0.0\n", -EBADMSG,
		 "line 2: o=: address type is not IP4 or IP6: o=- 1 1 IN IP5 0.0.0.0"},
	/* 5 */ {"v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\n", -EBADMSG,
		 "line 3: incomplete description (needs v=, o=, s=, t=): "},
	/* 6 */ {H "t=1 2\nx=1\n", -EBADMSG, "line 6: x=: unknown line type: x=1"},
	/* 7 */ {H "c=IN IP4 1.2.3.4\n", -EBADMSG,
		 "line 5: c=: out of order (RFC 8866 section 5): c=IN IP4 1.2.3.4"},
	/* 8 */ {H "a=x\nbad\n", -EBADMSG, "line 6: not a <type>=<value> line: bad"},
	/* 9 */ {H "a=x\x01y\n", -EBADMSG, "line 5: control character 0x01 at column 4: a=x?y"},
	/* 10 */ {H M "a=rtpmap:111 opus/abc/2\n", -EBADMSG,
		  "line 7: a=rtpmap: bad clock rate: a=rtpmap:111 opus/abc/2"},
	/* 11 */ {H M "a=rtpmap:111 opus/48000/0\n", -EBADMSG,
		  "line 7: a=rtpmap: bad channel count: a=rtpmap:111 opus/48000/0"},
	/* 12 */ {H M "a=rtpmap:96 VP8/90000\n", -EBADMSG,
		  "line 7: a=rtpmap: payload type 96 not on the m= line: a=rtpmap:96 VP8/90000"},
	/* 13 */ {H M "a=rtpmap:111 opus/48000/2\na=rtpmap:111 opus/48000/2\n", -EBADMSG,
		  "line 8: a=rtpmap: second a=rtpmap for payload type 111: a=rtpmap:111 opus/48000/2"},
	/* 14 */ {H M "a=mid:0\n", -EBADMSG, "line 5: m=: payload type 111 has no a=rtpmap: "
		  "m=audio 9 UDP/TLS/RTP/SAVPF 111 0"},
	/* 15 */ {H "m=audio 9 UDP/TLS/RTP/SAVPF 0\n", -EBADMSG,
		  "line 5: m=: no c= line in the section or session: m=audio 9 UDP/TLS/RTP/SAVPF 0"},
	/* 16 */ {H "m=audio 70000 RTP/AVP 0\n", -EBADMSG, "line 5: m=: bad port: m=audio 70000 RTP/AVP 0"},
	/* 17 */ {H "m=audio 9 RTP/AVP 0 0\n", -EBADMSG,
		  "line 5: m=: payload type 0 listed twice: m=audio 9 RTP/AVP 0 0"},
	/* 18 */ {H "m=audio 9 RTP/AVP 128\n", -EBADMSG, "line 5: m=: bad payload type: m=audio 9 RTP/AVP 128"},
	/* 19 */ {H "m=audio 9 RTP/AVP  0\n", -EBADMSG, "line 5: m=: bad payload type: m=audio 9 RTP/AVP  0"},
	/* 20 */ {H "a=mid:0\n", -EBADMSG, "line 5: a=mid: not allowed at session level: a=mid:0"},
	/* 21 */ {H "a=group:BUNDLE 0\n", -EBADMSG, "line 5: a=group: no m= section has mid 0: a=group:BUNDLE 0"},
	/* 22 */ {H "a=fingerprint:sha-256 0G:11\n", -EBADMSG,
		  "line 5: a=fingerprint: bad hex digit: a=fingerprint:sha-256 0G:11"},
	/* 23 */ {H "a=fingerprint:sha-256 00-11\n", -EBADMSG,
		  "line 5: a=fingerprint: bytes not separated by ':': a=fingerprint:sha-256 00-11"},
	/* 24 */ {H "a=setup:maybe\n", -EBADMSG,
		  "line 5: a=setup: not actpass, active, passive or holdconn: a=setup:maybe"},
	/* 25 */ {H "a=ice-ufrag:ab\n", -EBADMSG, "line 5: a=ice-ufrag: not 4-256 ice-chars: a=ice-ufrag:ab"},
	/* 26 */ {H "a=ice-pwd:abcdefghijklmnopqrstu!\n", -EBADMSG,
		  "line 5: a=ice-pwd: not 22-256 ice-chars: a=ice-pwd:abcdefghijklmnopqrstu!"},
	/* 27 */ {H "a=sendrecv\na=recvonly\n", -EBADMSG,
		  "line 6: a=recvonly: second direction attribute: a=recvonly"},
	/* 28 */ {H "a=rtcp-mux:1\n", -EBADMSG, "line 5: a=rtcp-mux: takes no value: a=rtcp-mux:1"},
	/* 29 */ {H M "a=candidate:1 1 udp 0 1.2.3.4 5 typ host\n", -EBADMSG,
		  "line 7: a=candidate: bad priority: a=candidate:1 1 udp 0 1.2.3.4 5 typ host"},
	/* 30 */ {H M "a=candidate:1 1 sctp 1 1.2.3.4 5 typ host\n", -EBADMSG,
		  "line 7: a=candidate: bad transport: a=candidate:1 1 sctp 1 1.2.3.4 5 typ host"},
	/* 31 */ {H M "a=candidate:1 1 udp 1 1.2.3.4 5 typ bogus\n", -EBADMSG,
		  "line 7: a=candidate: bad candidate type: a=candidate:1 1 udp 1 1.2.3.4 5 typ bogus"},
	/* 32 */ {H M "a=candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr 1.2.3.4\n", -EBADMSG,
		  "line 7: a=candidate: raddr without rport: a=candidate:1 1 udp 1 1.2.3.4 5 typ srflx raddr 1.2.3.4"},
	/* 33 */ {H M "a=candidate:1 1 udp 1 1.2.3.4 5 typ host generation\n", -EBADMSG,
		  "line 7: a=candidate: bad extension attributes: a=candidate:1 1 udp 1 1.2.3.4 5 typ host generation"},
	/* 34 */ {H M "a=candidate:1 1 udp 1 bad_host 5 typ host\n", -EBADMSG,
		  "line 7: a=candidate: bad connection address: a=candidate:1 1 udp 1 bad_host 5 typ host"},
	/* 35 */ {H M "a=extmap:0 urn:x\n", -EBADMSG, "line 7: a=extmap: bad id: a=extmap:0 urn:x"},
	/* 36 */ {H M "a=extmap:1 urn:x\na=extmap:1 urn:y\n", -EBADMSG,
		  "line 8: a=extmap: id 1 used twice: a=extmap:1 urn:y"},
	/* 37 */ {H M "a=ssrc:abc cname:x\n", -EBADMSG, "line 7: a=ssrc: bad SSRC: a=ssrc:abc cname:x"},
	/* 38 */ {H M "a=crypto:1 AES_CM_128_HMAC_SHA1_80 key:abc\n", -EBADMSG,
		  "line 7: a=crypto: bad key-params (expected inline:...): a=crypto:1 AES_CM_128_HMAC_SHA1_80 key:abc"},
	/* 39 */ {H M "a=rtcp:x\n", -EBADMSG, "line 7: a=rtcp: bad port: a=rtcp:x"},
	/* 40 */ {H M "a=mid:0\na=mid:1\n", -EBADMSG, "line 8: a=mid: given twice: a=mid:1"},
	/* 41 */ {H "m=audio 9 RTP/AVP 0\nc=IN IP4 0.0.0.0\na=mid:x\nm=audio 9 RTP/AVP 0\n"
		  "c=IN IP4 0.0.0.0\na=mid:x\n", -EBADMSG, "line 10: a=mid: x used twice: a=mid:x"},
	/* 42 */ {H "m=audio 9 RTP/AVP 0\nc=IN IP4 0.0.0.0\nk=clear:x\n", -EBADMSG,
		  "line 7: k=: not supported: k=clear:x"},
	/* 43 */ {H "a=fmtp:0 x\n", -EBADMSG, "line 5: a=fmtp: not allowed at session level: a=fmtp:0 x"},
	/* 44 */ {H "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\nc=IN IP4 0.0.0.0\n"
		  "a=rtpmap:0 PCMU/8000\n", -EBADMSG,
		  "line 7: a=rtpmap: not an RTP m= section: a=rtpmap:0 PCMU/8000"},
	/* 45 */ {H "c=IN IP4 1.2.3\n", -EBADMSG, "line 5: c=: out of order (RFC 8866 section 5): c=IN IP4 1.2.3"},
	/* 46 */ {"v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nc=IN IP4 1.2.3\nt=0 0\n", -EBADMSG,
		  "line 4: c=: bad address: c=IN IP4 1.2.3"},
	/* 47 */ {"v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nc=IN IP4 ::1\nt=0 0\n", -EBADMSG,
		  "line 4: c=: address does not match the address type: c=IN IP4 ::1"},
	/* 48 */ {"v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nm=audio 9 RTP/AVP 0\n", -EBADMSG,
		  "line 4: m=: before any t= line: m=audio 9 RTP/AVP 0"},
	/* 49 */ {H "a=ice-lite\na=ice-lite\n", -EBADMSG, "line 6: a=ice-lite: given twice: a=ice-lite"},
	/* 50 */ {H M "a=ssrc-group:FID 1 \n", -EBADMSG, "line 7: a=ssrc-group: bad SSRC list: a=ssrc-group:FID 1 "},
	/* 51 */ {"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=rtcp-fb\r\n", -EBADMSG,
		  "line 5: a=rtcp-fb: missing value: a=rtcp-fb"},
	/* 52 */ {H "s=again\n", -EBADMSG, "line 5: s=: given twice: s=again"},
};

static void
test_parse_errors(void **state)
{
	struct cp_sdp *s = new_sdp();
	char err[CP_SDP_ERR_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(err_rows) / sizeof(err_rows[0]); i++) {
		int rc = cp_sdp_parse(s, err_rows[i].text, strlen(err_rows[i].text), err, sizeof(err));

		print_message("row %zu\n", i + 1);
		assert_int_equal(rc, err_rows[i].rc);
		assert_string_equal(err, err_rows[i].err);
	}
	assert_int_equal(cp_sdp_parse(NULL, "", 0, err, sizeof(err)), -EINVAL);
	free(s);
}

/* ---- limits --------------------------------------------------------------------- */

static void
test_limits(void **state)
{
	struct cp_sdp *s = new_sdp();
	char *t = malloc(CP_SDP_MAX_LEN + 16), err[CP_SDP_ERR_LEN];
	size_t n;

	(void)state;
	/* 16 m= sections pass, 17 fail on the 17th */
	n = (size_t)sprintf(t, HC);
	for (int i = 0; i < CP_SDP_MAX_MEDIA; i++)
		n += (size_t)sprintf(t + n, "m=audio 9 RTP/AVP 0\n");
	parse_ok(s, t, n);
	assert_int_equal(s->n_media, CP_SDP_MAX_MEDIA);
	n += (size_t)sprintf(t + n, "m=audio 9 RTP/AVP 8\n");
	assert_int_equal(cp_sdp_parse(s, t, n, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "line 22: m=: more than 16 media sections: m=audio 9 RTP/AVP 8");
	/* 40 payload types pass, 41 fail */
	n = (size_t)sprintf(t, HC "m=video 9 RTP/AVP");
	for (int i = 0; i < CP_SDP_MAX_CODECS; i++)
		n += (size_t)sprintf(t + n, " %d", 96 + i - (i >= 32 ? 90 : 0));
	t[n] = '\0';
	{
		char *full = strdup(t);

		strcat(t, "\n");
		assert_int_equal(cp_sdp_parse(s, t, strlen(t), err, sizeof(err)), -EBADMSG);
		assert_non_null(strstr(err, "has no a=rtpmap"));   /* dynamic types need rtpmap */
		snprintf(t, CP_SDP_MAX_LEN, "%s 35\n", full);
		assert_int_equal(cp_sdp_parse(s, t, strlen(t), err, sizeof(err)), -E2BIG);
		assert_non_null(strstr(err, "line 6: m=: more than 40 payload types"));
		free(full);
	}
	/* a line of 1025 bytes */
	n = (size_t)sprintf(t, H "a=x:");
	memset(t + n, 'y', 1021);
	n += 1021;
	t[n++] = '\n';
	assert_int_equal(cp_sdp_parse(s, t, n, err, sizeof(err)), -EMSGSIZE);
	assert_non_null(strstr(err, "line 5: line longer than 1024 bytes: a=x:yyy"));
	/* the whole text */
	memset(t, 'a', CP_SDP_MAX_LEN + 1);
	assert_int_equal(cp_sdp_parse(s, t, CP_SDP_MAX_LEN + 1, err, sizeof(err)), -EMSGSIZE);
	assert_string_equal(err, "line 0: longer than 65536 bytes: ");
	/* 33 unknown attributes in one section */
	n = (size_t)sprintf(t, H);
	for (int i = 0; i <= CP_SDP_MAX_OTHER; i++)
		n += (size_t)sprintf(t + n, "a=x-%d\n", i);
	assert_int_equal(cp_sdp_parse(s, t, n, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "line 37: a=: more than 32 other attributes in a section: a=x-32");
	/* 25 candidates */
	n = (size_t)sprintf(t, H M "a=rtpmap:111 opus/48000/2\n");
	for (int i = 0; i <= CP_SDP_MAX_CANDS; i++)
		n += (size_t)sprintf(t + n, "a=candidate:%d 1 udp 1 198.18.14.2 %d typ host\n", i, 1000 + i);
	assert_int_equal(cp_sdp_parse(s, t, n, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "line 32: a=candidate: more than 24: "));
	/* encode into a too small buffer */
	parse_ok(s, H, strlen(H));
	assert_int_equal(cp_sdp_encode(s, err, 10), -ENOSPC);
	free(t);
	free(s);
}

/* LF-only input, no final newline, session-level extras kept in place. */
static void
test_rfc_example(void **state)
{
	/* RFC 8866 section 5 example */
	static const char ex[] =
		"v=0\n"
		"o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\n"
		"s=Call to John Smith\n"
		"i=SDP Offer #1\n"
		"u=http://www.jdoe.example.com/home.html\n"
		"e=Jane Doe <jane@jdoe.example.com>\n"
		"p=+1 617 555-6011\n"
		"c=IN IP4 198.51.100.1\n"
		"t=0 0\n"
		"m=audio 49170 RTP/AVP 0\n"
		"m=audio 49180 RTP/AVP 0\n"
		"m=video 51372 RTP/AVP 99\n"
		"c=IN IP6 2001:db8::2\n"
		"a=rtpmap:99 h263-1998/90000";
	struct cp_sdp *s = new_sdp(), *b = new_sdp();
	char *t;

	(void)state;
	parse_ok(s, ex, strlen(ex));
	assert_string_equal(s->o_user, "jdoe");
	assert_string_equal(s->o_sess_id, "3724394400");
	assert_string_equal(s->name, "Call to John Smith");
	assert_int_equal(s->n_extra, 4);
	assert_int_equal(s->extra[3].type, 'p');
	assert_int_equal(s->media[2].conn.family, 6);
	assert_int_equal(s->media[2].codecs[0].id, CP_SDP_CODEC_UNKNOWN);
	assert_string_equal(s->media[0].codecs[0].name, "PCMU");   /* static, no rtpmap */
	assert_false(s->media[0].codecs[0].has_rtpmap);
	t = encode(s);
	same_lines(ex, t);
	parse_ok(b, t, strlen(t));
	assert_memory_equal(s, b, sizeof(*s));
	free(t);
	free(s);
	free(b);
}

/* ---- leg rendering and the offer builder -------------------------------------------- */

static void
test_leg_render(void **state)
{
	struct cp_sdp *in = new_sdp(), *out = new_sdp(), *back = new_sdp();
	struct cp_sdp_leg_params lp;
	struct cp_sdp_crypto k = {1, "AES_CM_128_HMAC_SHA1_80",
				  "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4", ""};
	size_t len;
	char *text = slurp("chromium-av-dc.sdp", &len), *t;

	(void)state;
	parse_ok(in, text, len);
	/* WebRTC offer -> plain RTP/AVP towards a SIP phone */
	memset(&lp, 0, sizeof(lp));
	lp.kind = CP_SDP_LEG_RTP;
	lp.offer = true;
	lp.addr = "198.18.14.1";
	lp.port = 30000;
	lp.o_user = "rtcgw";
	assert_int_equal(cp_sdp_leg_render(out, in, &lp), 0);
	t = encode(out);
	parse_ok(back, t, strlen(t));
	assert_false(back->ice_lite);
	assert_int_equal(back->n_groups, 0);
	assert_string_equal(back->conn.addr, "198.18.14.1");
	assert_string_equal(back->o_user, "rtcgw");
	assert_string_equal(back->media[0].proto, "RTP/AVP");
	assert_int_equal(back->media[0].port, 30000);
	assert_int_equal(back->media[1].port, 30002);
	assert_true(back->media[0].has_rtcp);
	assert_int_equal(back->media[0].rtcp_port, 30001);
	assert_false(back->media[0].rtcp_mux);
	assert_int_equal(back->media[0].n_cands, 0);
	assert_int_equal(back->media[0].tp.fp.len, 0);
	assert_string_equal(back->media[0].tp.ice_ufrag, "");
	assert_int_equal(back->media[1].codecs[0].n_fb, 0);   /* RTP/AVP: no rtcp-fb */
	assert_int_equal(back->media[1].n_codecs, in->media[1].n_codecs);   /* pass through */
	assert_int_equal(back->media[2].port, 0);   /* DataChannel */
	assert_null(strstr(t, "a=candidate"));
	assert_null(strstr(t, "a=ice-"));
	assert_null(strstr(t, "a=fingerprint"));
	free(t);
	/* SDES-SRTP with AVPF and rtcp-mux */
	lp.kind = CP_SDP_LEG_SDES;
	lp.avpf = true;
	lp.rtcp_mux = true;
	lp.n_crypto = 1;
	lp.crypto = &k;
	assert_int_equal(cp_sdp_leg_render(out, in, &lp), 0);
	t = encode(out);
	parse_ok(back, t, strlen(t));
	assert_string_equal(back->media[0].proto, "RTP/SAVPF");
	assert_int_equal(back->media[0].n_crypto, 1);
	assert_string_equal(back->media[0].crypto[0].key_params, k.key_params);
	assert_non_null(strstr(t, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4\r\n"));
	assert_true(back->media[0].rtcp_mux);
	assert_false(back->media[0].has_rtcp);
	assert_int_equal(back->media[1].codecs[0].n_fb, in->media[1].codecs[0].n_fb);
	free(t);
	/* and back to WebRTC: the SDES description rendered as a WebRTC answer */
	in = memcpy(in, back, sizeof(*in));
	memset(&lp, 0, sizeof(lp));
	lp.kind = CP_SDP_LEG_WEBRTC;
	lp.addr = "198.18.14.1";
	lp.port = 40002;
	lp.ice_ufrag = "abcd";
	lp.ice_pwd = "abcdefghijklmnopqrstuv";
	lp.fingerprint = our_fp;
	assert_int_equal(cp_sdp_leg_render(out, in, &lp), 0);
	t = encode(out);
	parse_ok(back, t, strlen(t));
	assert_true(back->ice_lite);
	assert_string_equal(back->groups[0].semantics, "BUNDLE");
	assert_int_equal(back->groups[0].n_mids, 2);
	assert_string_equal(back->media[0].proto, "UDP/TLS/RTP/SAVPF");
	assert_int_equal(back->media[0].tp.setup, CP_SDP_SETUP_PASSIVE);
	assert_int_equal(back->media[1].port, 40002);
	assert_int_equal(back->media[0].n_crypto, 0);
	assert_int_equal(back->media[0].n_cands, 1);
	free(t);
	free(text);
	free(in);
	free(out);
	free(back);
}

static void
test_offer_builder(void **state)
{
	struct cp_sdp *s = new_sdp(), *out = new_sdp(), *back = new_sdp();
	struct cp_sdp_leg_params lp;
	char *t;
	int i;

	(void)state;
	assert_int_equal(cp_sdp_init(s, "198.18.14.1", 7, 1), 0);
	assert_int_equal(cp_sdp_init(s, "host.example", 7, 1), -EINVAL);
	assert_int_equal(cp_sdp_init(s, "198.18.14.1", 7, 1), 0);
	i = cp_sdp_media_add(s, CP_SDP_MEDIA_AUDIO, CP_SDP_PROTO_RTP_AVP, CP_SDP_DIR_SENDRECV);
	assert_int_equal(i, 0);
	assert_int_equal(cp_sdp_codec_add(&s->media[0], 0, "PCMU", 8000, 0, NULL), 0);
	assert_int_equal(cp_sdp_codec_add(&s->media[0], 0, "PCMU", 8000, 0, NULL), -EEXIST);
	assert_int_equal(cp_sdp_codec_add(&s->media[0], 128, "X", 8000, 0, NULL), -EINVAL);
	assert_int_equal(cp_sdp_codec_add(&s->media[0], 101, "telephone-event", 8000, 0, "0-16"), 0);
	i = cp_sdp_media_add(s, CP_SDP_MEDIA_VIDEO, CP_SDP_PROTO_RTP_AVP, CP_SDP_DIR_SENDONLY);
	assert_int_equal(i, 1);
	assert_int_equal(cp_sdp_codec_add(&s->media[1], 96, "VP8", 90000, 0, NULL), 0);
	memset(&lp, 0, sizeof(lp));
	lp.kind = CP_SDP_LEG_WEBRTC;
	lp.offer = true;
	lp.addr = "198.18.14.1";
	lp.port = 40004;
	lp.ice_ufrag = "abcd";
	lp.ice_pwd = "abcdefghijklmnopqrstuv";
	lp.fingerprint = our_fp;
	assert_int_equal(cp_sdp_leg_render(out, s, &lp), 0);
	t = encode(out);
	assert_string_equal(t,
		"v=0\r\no=- 7 1 IN IP4 198.18.14.1\r\ns=-\r\nt=0 0\r\na=ice-lite\r\n"
		"a=group:BUNDLE 0 1\r\n"
		"m=audio 40004 UDP/TLS/RTP/SAVPF 0 101\r\nc=IN IP4 198.18.14.1\r\n"
		"a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
		"a=fingerprint:sha-256 01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:"
		"01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF\r\n"
		"a=setup:actpass\r\na=mid:0\r\na=sendrecv\r\na=rtcp-mux\r\n"
		"a=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
		"a=candidate:1 1 udp 2130706431 198.18.14.1 40004 typ host\r\na=end-of-candidates\r\n"
		"m=video 40004 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 198.18.14.1\r\n"
		"a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n"
		"a=fingerprint:sha-256 01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:"
		"01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF\r\n"
		"a=setup:actpass\r\na=mid:1\r\na=sendonly\r\na=rtcp-mux\r\n"
		"a=rtpmap:96 VP8/90000\r\n"
		"a=candidate:1 1 udp 2130706431 198.18.14.1 40004 typ host\r\na=end-of-candidates\r\n");
	parse_ok(back, t, strlen(t));
	free(t);
	free(s);
	free(out);
	free(back);
}

/* ---- codec matching ---------------------------------------------------------------- */

static void
test_codec_match(void **state)
{
	static const struct {
		const char *na, *fa, *nb, *fb;
		bool match;
	} rows[] = {
		/* 1 */ {"H264", "packetization-mode=1;profile-level-id=42e01f", "H264",
			 "profile-level-id=42e034;packetization-mode=1", true},   /* level differs */
		/* 2 */ {"H264", "packetization-mode=1;profile-level-id=42e01f", "H264",
			 "packetization-mode=0;profile-level-id=42e01f", false},
		/* 3 */ {"H264", "packetization-mode=1;profile-level-id=42001f", "H264",
			 "packetization-mode=1;profile-level-id=42e01f", false},  /* B vs CB */
		/* 4 */ {"H264", "packetization-mode=1;profile-level-id=42c015", "H264",
			 "packetization-mode=1;profile-level-id=42e01f", true},   /* both CB */
		/* 5 */ {"H264", "packetization-mode=1;profile-level-id=4d001f", "H264",
			 "packetization-mode=1;profile-level-id=64001f", false},
		/* 6 */ {"H264", "packetization-mode=1;profile-level-id=zz", "H264",
			 "packetization-mode=1;profile-level-id=zz", false},
		/* 7 */ {"VP9", "profile-id=0", "VP9", "", true},
		/* 8 */ {"VP9", "profile-id=2", "VP9", "profile-id=0", false},
		/* 9 */ {"opus", "minptime=10", "OPUS", "", true},
		/* 10 */ {"VP8", "", "H264", "", false},
		/* 11 */ {"X-FOO", "", "x-foo", "", true},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct cp_sdp_media m;

		memset(&m, 0, sizeof(m));
		m.proto_id = CP_SDP_PROTO_RTP_AVP;
		assert_int_equal(cp_sdp_codec_add(&m, 96, rows[i].na, 90000, 0, rows[i].fa), 0);
		assert_int_equal(cp_sdp_codec_add(&m, 97, rows[i].nb, 90000, 0, rows[i].fb), 0);
		print_message("row %zu\n", i + 1);
		assert_int_equal(cp_sdp_codec_match(&m.codecs[0], &m.codecs[1]), rows[i].match);
	}
}

/* ---- sdpfrag -------------------------------------------------------------------------- */

static void
test_sdpfrag(void **state)
{
	/* RFC 9725 section 4.3.1, the trickle example body */
	static const char rfc9725[] =
		"a=ice-ufrag:EsAw\r\n"
		"a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
		"m=audio 9 RTP/AVP 0\r\n"
		"a=mid:0\r\n"
		"a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1\r\n"
		"a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host generation 0 ufrag EsAw network-id 2\r\n"
		"a=candidate:473322822 1 tcp 1518280447 192.0.2.1 9 typ host tcptype active generation 0 ufrag EsAw network-id 1\r\n"
		"a=candidate:2154773085 1 tcp 1518214911 198.51.100.2 9 typ host tcptype active generation 0 ufrag EsAw network-id 2\r\n"
		"a=end-of-candidates\r\n";
	static const struct {
		const char *text;
		int rc;
		const char *err;
	} rows[] = {
		/* 1 */ {"a=candidate:1 1 udp 1 1.2.3.4 5 typ host\n", -EBADMSG,
			 "line 1: a=candidate: before any m= line: a=candidate:1 1 udp 1 1.2.3.4 5 typ host"},
		/* 2 */ {"a=ice-ufrag:abcd\nm=audio 9 RTP/AVP 0\na=ice-ufrag:abce\n", -EBADMSG,
			 "line 3: a=ice-ufrag: differs from the one given before: a=ice-ufrag:abce"},
		/* 3 */ {"m=audio 9 RTP/AVP 0\na=rtpmap:0 PCMU/8000\n", -EBADMSG,
			 "line 2: a=rtpmap: not allowed in an sdpfrag: a=rtpmap:0 PCMU/8000"},
		/* 4 */ {"v=0\n", -EBADMSG, "line 1: v=: not allowed in an sdpfrag: v=0"},
		/* 5 */ {"m=audio 9 RTP/AVP 0\na=mid:0\na=candidate:1 1 udp 1 1.2.3.4 99999 typ host\n",
			 -EBADMSG, "line 3: a=candidate: bad port: a=candidate:1 1 udp 1 1.2.3.4 99999 typ host"},
		/* 6 */ {"m=audio\n", -EBADMSG,
			 "line 1: m=: expected <media> <port> <proto> <fmt>: m=audio"},
		/* 7 */ {"a=mid:0\n", -EBADMSG, "line 1: a=mid: before any m= line: a=mid:0"},
		/* 8 */ {"a=end-of-candidates\na=end-of-candidates\n", -EBADMSG,
			 "line 2: a=end-of-candidates: given twice: a=end-of-candidates"},
		/* 9 */ {"a=ice-pwd:short\n", -EBADMSG, "line 1: a=ice-pwd: not 22-256 ice-chars: a=ice-pwd:short"},
		/* 10 */ {"m=audio 9 RTP/AVP 0\na=mid:0\nm=audio 9 RTP/AVP 0\na=mid:0\n", -EBADMSG,
			  "line 4: a=mid: 0 used twice: a=mid:0"},
	};
	struct cp_sdp_frag *f = calloc(1, sizeof(*f));
	char err[CP_SDP_ERR_LEN], *big;
	size_t n;

	(void)state;
	assert_non_null(f);
	assert_int_equal(cp_sdp_frag_parse(f, rfc9725, strlen(rfc9725), err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(f->ice_ufrag, "EsAw");
	assert_string_equal(f->ice_pwd, "P2uYro0UCOQ4zxjKXaWCBui1");
	assert_int_equal(f->n_sections, 1);
	assert_string_equal(f->sections[0].mid, "0");
	assert_int_equal(f->sections[0].n_cands, 4);
	assert_true(f->sections[0].end_of_candidates);
	assert_false(f->end_of_candidates);
	assert_string_equal(f->sections[0].cands[0].foundation, "1387637174");
	assert_int_equal(f->sections[0].cands[0].priority, 2122260223u);
	assert_string_equal(f->sections[0].cands[0].addr, "192.0.2.1");
	assert_int_equal(f->sections[0].cands[0].port, 61764);
	assert_true(f->sections[0].cands[2].tcp);
	assert_int_equal(f->sections[0].cands[2].port, 9);
	assert_string_equal(f->sections[0].cands[2].ext,
			    "tcptype active generation 0 ufrag EsAw network-id 1");
	/* a lone end-of-candidates (ICE gathering done, nothing new) */
	assert_int_equal(cp_sdp_frag_parse(f, "a=end-of-candidates\r\n", 21, err, sizeof(err)), 0);
	assert_true(f->end_of_candidates);
	/* an empty body parses to nothing */
	assert_int_equal(cp_sdp_frag_parse(f, "", 0, err, sizeof(err)), 0);
	assert_int_equal(f->n_sections, 0);
	/* srflx with raddr/rport, relay over IPv6, candidate round trip through the encoder */
	{
		static const char *const cands[] = {
			"842163049 1 udp 1677729535 203.0.113.7 50001 typ srflx raddr 198.18.14.2 rport 50000 generation 0",
			"3 1 UDP 92217087 2001:2:0:14::9 3478 typ relay raddr 2001:2:0:14::2 rport 3478",
			"4 1 tcp 1518280447 host-1.local 9 typ host tcptype active",
		};
		for (size_t i = 0; i < 3; i++) {
			struct cp_sdp_cand c;
			const char *why;
			char buf[256];

			assert_int_equal(cp_sdp_cand_parse(&c, cands[i], strlen(cands[i]), &why), 0);
			assert_int_equal(cp_sdp_cand_encode(&c, buf, sizeof(buf)), (int)strlen(cands[i]));
			assert_string_equal(buf, cands[i]);
			if (i == 0) {
				assert_int_equal(c.type, CP_SDP_CAND_SRFLX);
				assert_string_equal(c.raddr, "198.18.14.2");
				assert_int_equal(c.rport, 50000);
			}
			if (i == 1) {
				assert_int_equal(c.family, 6);
				assert_int_equal(c.type, CP_SDP_CAND_RELAY);
			}
			if (i == 2)
				assert_int_equal(c.family, 0);
		}
	}
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		print_message("row %zu\n", i + 1);
		assert_int_equal(cp_sdp_frag_parse(f, rows[i].text, strlen(rows[i].text), err,
						   sizeof(err)), rows[i].rc);
		assert_string_equal(err, rows[i].err);
	}
	/* limits: 17 sections, 25 candidates */
	big = malloc(8192);
	assert_non_null(big);
	n = 0;
	for (int i = 0; i <= CP_SDP_FRAG_MAX_SECTIONS; i++)
		n += (size_t)sprintf(big + n, "m=audio 9 RTP/AVP 0\na=mid:%d\n", i);
	assert_int_equal(cp_sdp_frag_parse(f, big, n, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "line 33: m=: more than 16 sections: m=audio 9 RTP/AVP 0");
	n = (size_t)sprintf(big, "m=audio 9 RTP/AVP 0\na=mid:0\n");
	for (int i = 0; i <= CP_SDP_MAX_CANDS; i++)
		n += (size_t)sprintf(big + n, "a=candidate:%d 1 udp 1 198.18.14.2 %d typ host\n", i, i + 1);
	assert_int_equal(cp_sdp_frag_parse(f, big, n, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "line 27: a=candidate: more than 24 in a section"));
	free(big);
	free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_round_trip),
		cmocka_unit_test(test_chromium_fields),
		cmocka_unit_test(test_chromium_answer),
		cmocka_unit_test(test_answer_ipv6_candidate),
		cmocka_unit_test(test_directions_and_clients),
		cmocka_unit_test(test_extmap_session_and_media),
		cmocka_unit_test(test_answer_refusals),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_rfc_example),
		cmocka_unit_test(test_leg_render),
		cmocka_unit_test(test_offer_builder),
		cmocka_unit_test(test_codec_match),
		cmocka_unit_test(test_sdpfrag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
