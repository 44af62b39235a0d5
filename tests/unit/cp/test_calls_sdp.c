/* cp_calls_sdp: the rewrite of each leg-type pair of a bridged call
 * (RTP<->SDES, WebRTC<->RTP, WebRTC<->SDES), the ng flags that choose the
 * other party's transport, and the SDES keys picked and generated. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp_calls_sdp.h"

#define OUT_MAX 16384

static const uint8_t our_fp[32] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
};

/* A SIP phone's plain offer (separate RTCP port, no rtcp-mux). */
static const char sip_rtp[] =
	"v=0\r\no=phone 1 1 IN IP4 198.18.48.10\r\ns=-\r\nc=IN IP4 198.18.48.10\r\nt=0 0\r\n"
	"m=audio 7000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n";

/* A SIP phone's SDES offer: an MKI line we cannot key, an F8 line we do not
 * run, then AES_CM_128_HMAC_SHA1_32 (RFC 4568 section 6.1's key). */
static const char sip_sdes[] =
	"v=0\r\no=phone 2 1 IN IP4 198.18.48.10\r\ns=-\r\nc=IN IP4 198.18.48.10\r\nt=0 0\r\n"
	"m=audio 7002 RTP/SAVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32\r\n"
	"a=crypto:2 F8_128_HMAC_SHA1_80 inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm\r\n"
	"a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"
	"a=sendrecv\r\n";

/* A browser's audio-only offer (Chromium's shape, trimmed). */
static const char browser[] =
	"v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	"a=group:BUNDLE 0\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS s1\r\n"
	"m=audio 50123 UDP/TLS/RTP/SAVPF 111 0 8 126\r\nc=IN IP4 198.18.48.2\r\n"
	"a=rtcp:9 IN IP4 0.0.0.0\r\n"
	"a=candidate:1 1 udp 2122260223 198.18.48.2 50123 typ host generation 0\r\n"
	"a=ice-ufrag:Wq7Z\r\na=ice-pwd:q2Lq9+ljz4b0mgVnN0WSlq8N\r\na=ice-options:trickle\r\n"
	"a=fingerprint:sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:"
	"AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99\r\n"
	"a=setup:actpass\r\na=mid:0\r\n"
	"a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\na=sendrecv\r\n"
	"a=msid:s1 t1\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=rtcp-fb:111 transport-cc\r\n"
	"a=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:126 telephone-event/8000\r\na=ssrc:1001 cname:abc\r\n";

static struct cp_sdp *
parse(const char *text)
{
	struct cp_sdp *s = calloc(1, sizeof(*s));
	char err[CP_SDP_ERR_LEN];

	assert_non_null(s);
	if (cp_sdp_parse(s, text, strlen(text), err, sizeof(err)) != 0)
		fail_msg("parse: %s\n%s", err, text);
	return s;
}

/* in rendered for params p; the text (caller frees) and its reparse in *back. */
static char *
rewrite(const char *in_text, const struct cp_sdp_leg_params *p, struct cp_sdp **back)
{
	struct cp_sdp *in = parse(in_text);
	char *t = malloc(OUT_MAX);
	int n;

	assert_non_null(t);
	n = cp_calls_sdp_render(t, OUT_MAX, in, p);
	assert_true(n > 0);
	*back = parse(t);
	free(in);
	return t;
}

static void
webrtc_params(struct cp_sdp_leg_params *p, bool offer, enum cp_sdp_setup setup)
{
	memset(p, 0, sizeof(*p));
	p->kind = CP_SDP_LEG_WEBRTC;
	p->offer = offer;
	p->addr = "198.18.48.1";
	p->port = 40000;
	p->ice_ufrag = "ufrg1234";
	p->ice_pwd = "abcdefghijklmnopqrstuvwx";
	p->fingerprint = our_fp;
	p->setup = setup;
}

static void
assert_no_webrtc(const char *t, const struct cp_sdp *b)
{
	assert_null(strstr(t, "a=ice-"));
	assert_null(strstr(t, "a=candidate"));
	assert_null(strstr(t, "a=fingerprint"));
	assert_null(strstr(t, "a=setup"));
	assert_null(strstr(t, "a=group:BUNDLE"));
	assert_false(b->ice_lite);
}

static void
test_kinds(void **state)
{
	struct cp_ng_req req;
	enum cp_calls_kind k;
	bool avpf;
	char why[128];
	struct cp_sdp *s;

	(void)state;
	s = parse(sip_rtp);
	assert_int_equal(cp_calls_sdp_kind(s, &k, &avpf, why, sizeof(why)), 0);
	assert_int_equal(k, CP_CALLS_KIND_RTP);
	assert_false(avpf);
	free(s);
	s = parse(sip_sdes);
	assert_int_equal(cp_calls_sdp_kind(s, &k, &avpf, why, sizeof(why)), 0);
	assert_int_equal(k, CP_CALLS_KIND_SDES);
	s->media[0].port = 0;
	assert_int_equal(cp_calls_sdp_kind(s, &k, &avpf, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "SDP without media");
	free(s);
	s = parse(browser);
	assert_int_equal(cp_calls_sdp_kind(s, &k, &avpf, why, sizeof(why)), 0);
	assert_int_equal(k, CP_CALLS_KIND_WEBRTC);
	assert_true(avpf);
	free(s);
	s = parse("v=0\r\no=- 1 1 IN IP4 198.18.48.10\r\ns=-\r\nc=IN IP4 198.18.48.10\r\nt=0 0\r\n"
		  "m=audio 7000 RTP/AVP 0\r\nm=video 7002 RTP/SAVP 96\r\na=rtpmap:96 VP8/90000\r\n");
	assert_int_equal(cp_calls_sdp_kind(s, &k, &avpf, why, sizeof(why)), -ENOTSUP);
	assert_string_equal(why, "m= sections mix RTP and SDES transports");
	free(s);

	/* the ng flags choose the other party's transport */
	memset(&req, 0, sizeof(req));
	avpf = false;
	assert_int_equal(cp_calls_target_kind(CP_CALLS_KIND_RTP, &req, &avpf), CP_CALLS_KIND_RTP);
	req.ice = CP_NG_ICE_FORCE;
	assert_int_equal(cp_calls_target_kind(CP_CALLS_KIND_RTP, &req, &avpf), CP_CALLS_KIND_WEBRTC);
	assert_true(avpf);
	memset(&req, 0, sizeof(req));
	req.dtls = CP_NG_DTLS_PASSIVE;
	assert_int_equal(cp_calls_target_kind(CP_CALLS_KIND_SDES, &req, &avpf), CP_CALLS_KIND_WEBRTC);
	memset(&req, 0, sizeof(req));
	req.proto = CP_NG_PROTO_UDP_TLS_RTP_SAVPF;
	assert_int_equal(cp_calls_target_kind(CP_CALLS_KIND_RTP, &req, &avpf), CP_CALLS_KIND_WEBRTC);
	req.proto = CP_NG_PROTO_RTP_AVP;
	assert_int_equal(cp_calls_target_kind(CP_CALLS_KIND_WEBRTC, &req, &avpf), CP_CALLS_KIND_RTP);
	assert_false(avpf);
	req.proto = CP_NG_PROTO_RTP_SAVPF;
	assert_int_equal(cp_calls_target_kind(CP_CALLS_KIND_WEBRTC, &req, &avpf), CP_CALLS_KIND_SDES);
	assert_true(avpf);
	req.sdes = CP_NG_SDES_OFF;   /* SDES-off wins over RTP/SAVPF */
	assert_int_equal(cp_calls_target_kind(CP_CALLS_KIND_WEBRTC, &req, &avpf), CP_CALLS_KIND_RTP);
	memset(&req, 0, sizeof(req));
	req.sdes = CP_NG_SDES_OFF;
	assert_int_equal(cp_calls_target_kind(CP_CALLS_KIND_SDES, &req, &avpf), CP_CALLS_KIND_RTP);
	memset(&req, 0, sizeof(req));
	req.ice = CP_NG_ICE_REMOVE;
	avpf = true;
	assert_int_equal(cp_calls_target_kind(CP_CALLS_KIND_WEBRTC, &req, &avpf), CP_CALLS_KIND_RTP);
	assert_true(avpf);           /* RTP/AVPF: the browser's feedback kept */
	req.ice = CP_NG_ICE_UNSET;
	assert_int_equal(cp_calls_target_kind(CP_CALLS_KIND_WEBRTC, &req, &avpf), CP_CALLS_KIND_WEBRTC);
}

static void
test_sdes_keys(void **state)
{
	struct cp_sdes_key k, ours, back;
	struct cp_sdp_crypto line;
	struct cp_sdp *s = parse(sip_sdes);
	uint32_t tag = 0;
	char why[160];

	(void)state;
	/* the MKI line and the F8 line are passed over */
	assert_int_equal(cp_calls_sdes_pick(&s->media[0], &k, &tag, why, sizeof(why)), 0);
	assert_int_equal(tag, 3);
	assert_int_equal(k.profile, CP_SDES_PROFILE_CM_32);
	assert_memory_equal(k.key, "YS___semctl () {", 16);
	s->media[0].n_crypto = 2;
	assert_int_equal(cp_calls_sdes_pick(&s->media[0], &k, &tag, why, sizeof(why)), -ENOENT);
	assert_string_equal(why, "no usable SDES key (a=crypto:2: crypto-suite F8_128_HMAC_SHA1_80 "
				 "not supported)");
	s->media[0].n_crypto = 0;
	assert_int_equal(cp_calls_sdes_pick(&s->media[0], &k, &tag, why, sizeof(why)), -ENOENT);
	assert_string_equal(why, "no usable SDES key (no a=crypto line)");
	free(s);
	/* ours: fresh random keys, written as a line that parses back to them */
	assert_int_equal(cp_calls_sdes_make(CP_SDES_PROFILE_CM_80, 7, &ours, &line), 0);
	assert_int_equal(line.tag, 7);
	assert_string_equal(line.suite, "AES_CM_128_HMAC_SHA1_80");
	assert_int_equal(cp_sdes_parse(&back, line.suite, line.key_params, why, sizeof(why)), 0);
	assert_memory_equal(back.key, ours.key, 16);
	assert_memory_equal(back.salt, ours.salt, 14);
	assert_int_equal(cp_calls_sdes_make(CP_SDES_PROFILE_CM_80, 7, &k, &line), 0);
	assert_memory_not_equal(k.key, ours.key, 16);
	assert_int_equal(cp_calls_sdes_make(CP_SDES_PROFILE_GCM128, 1, &ours, &line), 0);
	assert_int_equal(ours.salt_len, 12);
	assert_string_equal(line.suite, "AEAD_AES_128_GCM");
	assert_int_equal(cp_sdes_parse(&back, line.suite, line.key_params, why, sizeof(why)), 0);
	assert_memory_equal(back.salt, ours.salt, 12);
	assert_int_equal(cp_calls_sdes_make(0x0009, 1, &ours, &line), -ENOTSUP);
}

/* RTP -> SDES (our offer, three suites) and SDES -> RTP (crypto removed). */
static void
test_rtp_sdes(void **state)
{
	struct cp_sdp_leg_params p;
	struct cp_sdp_crypto lines[3];
	struct cp_sdes_key keys[3], k;
	struct cp_sdp *b;
	char why[64], *t;

	(void)state;
	assert_int_equal(cp_calls_sdes_make(CP_SDES_PROFILE_CM_80, 1, &keys[0], &lines[0]), 0);
	assert_int_equal(cp_calls_sdes_make(CP_SDES_PROFILE_CM_32, 2, &keys[1], &lines[1]), 0);
	assert_int_equal(cp_calls_sdes_make(CP_SDES_PROFILE_GCM128, 3, &keys[2], &lines[2]), 0);
	memset(&p, 0, sizeof(p));
	p.kind = CP_SDP_LEG_SDES;
	p.offer = true;
	p.addr = "198.18.48.1";
	p.port = 30000;
	p.n_crypto = 3;
	p.crypto = lines;
	t = rewrite(sip_rtp, &p, &b);
	assert_string_equal(b->media[0].proto, "RTP/SAVP");
	assert_int_equal(b->media[0].port, 30000);
	assert_int_equal(b->media[0].rtcp_port, 30001);
	assert_string_equal(b->conn.addr, "198.18.48.1");
	assert_string_equal(b->o_addr.addr, "198.18.48.1");
	assert_int_equal(b->media[0].n_codecs, 3);           /* codecs pass through */
	assert_int_equal(b->media[0].n_crypto, 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(b->media[0].crypto[i].tag, i + 1);
		assert_int_equal(cp_sdes_parse(&k, b->media[0].crypto[i].suite,
					       b->media[0].crypto[i].key_params, why, sizeof(why)), 0);
		assert_memory_equal(k.key, keys[i].key, 16);
	}
	assert_no_webrtc(t, b);
	free(t);
	free(b);
	/* an SDES offer to a plain phone: RTP/AVP, no a=crypto, rtcp-mux when asked */
	memset(&p, 0, sizeof(p));
	p.kind = CP_SDP_LEG_RTP;
	p.offer = true;
	p.addr = "198.18.48.1";
	p.port = 30004;
	p.rtcp_mux = true;
	t = rewrite(sip_sdes, &p, &b);
	assert_string_equal(b->media[0].proto, "RTP/AVP");
	assert_int_equal(b->media[0].n_crypto, 0);
	assert_null(strstr(t, "a=crypto"));
	assert_true(b->media[0].rtcp_mux);
	assert_false(b->media[0].has_rtcp);
	assert_int_equal(b->media[0].codecs[1].pt, 101);   /* telephone-event passes */
	free(t);
	free(b);
	/* the SDES answer to an SDES offerer: its tag and suite, our key */
	assert_int_equal(cp_calls_sdes_make(CP_SDES_PROFILE_CM_32, 3, &keys[0], &lines[0]), 0);
	memset(&p, 0, sizeof(p));
	p.kind = CP_SDP_LEG_SDES;
	p.addr = "198.18.48.1";
	p.port = 30008;
	p.n_crypto = 1;
	p.crypto = lines;
	t = rewrite(sip_rtp, &p, &b);
	assert_int_equal(b->media[0].n_crypto, 1);
	assert_non_null(strstr(t, "a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:"));
	free(t);
	free(b);
}

/* WebRTC -> RTP (a browser's offer to a SIP phone) and RTP -> WebRTC (the
 * phone's offer to a browser, DTLS=passive). */
static void
test_webrtc_rtp(void **state)
{
	struct cp_sdp_leg_params p;
	struct cp_sdp *b;
	char *t;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.kind = CP_SDP_LEG_RTP;
	p.offer = true;
	p.addr = "198.18.48.1";
	p.port = 30010;
	t = rewrite(browser, &p, &b);
	assert_string_equal(b->media[0].proto, "RTP/AVP");
	assert_int_equal(b->media[0].port, 30010);
	assert_int_equal(b->media[0].rtcp_port, 30011);
	assert_false(b->media[0].rtcp_mux);
	assert_int_equal(b->media[0].codecs[0].n_fb, 0);    /* no rtcp-fb on AVP */
	assert_int_equal(b->media[0].n_codecs, 4);
	assert_string_equal(b->media[0].conn.addr, "198.18.48.1");
	assert_no_webrtc(t, b);
	free(t);
	free(b);
	webrtc_params(&p, true, CP_SDP_SETUP_PASSIVE);
	t = rewrite(sip_rtp, &p, &b);
	assert_true(b->ice_lite);
	assert_string_equal(b->groups[0].semantics, "BUNDLE");
	assert_string_equal(b->groups[0].mids[0], "0");
	assert_string_equal(b->media[0].proto, "UDP/TLS/RTP/SAVPF");
	assert_int_equal(b->media[0].port, 40000);
	assert_true(b->media[0].rtcp_mux);
	assert_int_equal(b->media[0].tp.setup, CP_SDP_SETUP_PASSIVE);
	assert_string_equal(b->media[0].tp.ice_ufrag, "ufrg1234");
	assert_memory_equal(b->media[0].tp.fp.bytes, our_fp, 32);
	assert_int_equal(b->media[0].n_cands, 1);
	assert_int_equal(b->media[0].cands[0].port, 40000);
	assert_non_null(strstr(t, "a=candidate:1 1 udp 2130706431 198.18.48.1 40000 typ host\r\n"));
	assert_int_equal(b->media[0].n_codecs, 3);
	free(t);
	free(b);
	/* a second host candidate, the other family, on the same port (calls
	 * over IPv6); one of the same family is a bad parameter */
	p.cand_addr2 = "2001:2:0:48::1";
	t = rewrite(sip_rtp, &p, &b);
	assert_int_equal(b->media[0].n_cands, 2);
	assert_non_null(strstr(t, "a=candidate:2 1 udp 2130706175 2001:2:0:48::1 40000 typ host\r\n"));
	assert_string_equal(b->media[0].conn.addr, "198.18.48.1");
	free(t);
	free(b);
	p.cand_addr2 = "198.18.48.9";
	{
		struct cp_sdp *in = parse(sip_rtp);
		char *o = malloc(OUT_MAX);

		assert_non_null(o);
		assert_int_equal(cp_calls_sdp_render(o, OUT_MAX, in, &p), -EINVAL);
		free(o);
		free(in);
	}
	/* default: actpass in an offer, passive in an answer */
	webrtc_params(&p, true, CP_SDP_SETUP_ACTPASS);
	t = rewrite(sip_rtp, &p, &b);
	assert_int_equal(b->media[0].tp.setup, CP_SDP_SETUP_ACTPASS);
	free(t);
	free(b);
}

/* WebRTC -> SDES (RTP/SAVPF keeps the feedback) and SDES -> WebRTC (answer). */
static void
test_webrtc_sdes(void **state)
{
	struct cp_sdp_leg_params p;
	struct cp_sdp_crypto line;
	struct cp_sdes_key key;
	struct cp_sdp *b;
	char *t;

	(void)state;
	assert_int_equal(cp_calls_sdes_make(CP_SDES_PROFILE_CM_80, 1, &key, &line), 0);
	memset(&p, 0, sizeof(p));
	p.kind = CP_SDP_LEG_SDES;
	p.avpf = true;
	p.offer = true;
	p.addr = "198.18.48.1";
	p.port = 30020;
	p.rtcp_mux = true;
	p.n_crypto = 1;
	p.crypto = &line;
	t = rewrite(browser, &p, &b);
	assert_string_equal(b->media[0].proto, "RTP/SAVPF");
	assert_int_equal(b->media[0].codecs[0].n_fb, 1);    /* transport-cc kept on AVPF */
	assert_int_equal(b->media[0].n_crypto, 1);
	assert_string_equal(b->media[0].crypto[0].key_params, line.key_params);
	assert_true(b->media[0].rtcp_mux);
	assert_no_webrtc(t, b);
	free(t);
	free(b);
	webrtc_params(&p, false, CP_SDP_SETUP_NONE);
	t = rewrite(sip_sdes, &p, &b);
	assert_string_equal(b->media[0].proto, "UDP/TLS/RTP/SAVPF");
	assert_int_equal(b->media[0].tp.setup, CP_SDP_SETUP_PASSIVE);
	assert_int_equal(b->media[0].n_crypto, 0);
	assert_null(strstr(t, "a=crypto"));
	assert_true(b->ice_lite);
	assert_true(b->media[0].tp.end_of_candidates);
	free(t);
	free(b);
}

/* A SIP phone's audio+video offer: a port pair per section. */
static const char sip_av[] =
	"v=0\r\no=phone 3 1 IN IP4 198.18.48.10\r\ns=-\r\nc=IN IP4 198.18.48.10\r\nt=0 0\r\n"
	"m=audio 7000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n"
	"m=video 7002 RTP/AVP 96 97\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:97 rtx/90000\r\n"
	"a=fmtp:97 apt=96\r\na=sendrecv\r\n";

/* BUNDLE (issue 9): two m= sections each way. RTP -> WebRTC: both on one
 * port, a=group:BUNDLE of their mids ("0", "1"; or the party's own, given
 * in params.mids), a=mid and a=rtcp-mux in each, our candidate in each.
 * WebRTC -> RTP: a port pair per section, no group. The sections' payload
 * type sets and the overlap refusal. */
static void
test_bundle_two_sections(void **state)
{
	static const char mids[2][CP_SDP_TOKEN_LEN] = { "audio", "" };
	uint8_t pa[CP_SDP_MAX_MEDIA][CP_CALLS_PT_MASK], pb[CP_SDP_MAX_MEDIA][CP_CALLS_PT_MASK];
	uint8_t u[CP_SDP_MAX_MEDIA][CP_CALLS_PT_MASK];
	struct cp_sdp_leg_params p;
	struct cp_sdp *b, *in;
	char why[200] = "", *t, *t2;

	(void)state;
	webrtc_params(&p, true, CP_SDP_SETUP_ACTPASS);
	t = rewrite(sip_av, &p, &b);
	assert_int_equal(b->n_media, 2);
	assert_string_equal(b->groups[0].semantics, "BUNDLE");
	assert_int_equal(b->groups[0].n_mids, 2);
	assert_string_equal(b->groups[0].mids[0], "0");
	assert_string_equal(b->groups[0].mids[1], "1");
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(b->media[i].port, 40000);        /* RFC 8843: one port */
		assert_true(b->media[i].rtcp_mux);
		assert_string_equal(b->media[i].proto, "UDP/TLS/RTP/SAVPF");
		assert_string_equal(b->media[i].tp.ice_ufrag, "ufrg1234");
		assert_int_equal(b->media[i].cands[0].port, 40000);
	}
	assert_string_equal(b->media[0].mid, "0");
	assert_string_equal(b->media[1].mid, "1");
	assert_non_null(strstr(t, "a=group:BUNDLE 0 1\r\n"));
	free(t);
	free(b);
	/* the party's own mid where it has one; "1" where it has none */
	p.mids = mids;
	p.n_mids = 2;
	t = rewrite(sip_av, &p, &b);
	assert_non_null(strstr(t, "a=group:BUNDLE audio 1\r\n"));
	assert_string_equal(b->media[0].mid, "audio");
	assert_string_equal(b->media[1].mid, "1");
	/* and back: the browser's two sections to a port pair each, no group */
	memset(&p, 0, sizeof(p));
	p.kind = CP_SDP_LEG_RTP;
	p.offer = true;
	p.addr = "198.18.48.1";
	p.port = 30010;
	t2 = rewrite(t, &p, &in);
	assert_int_equal(in->n_media, 2);
	assert_int_equal(in->media[0].port, 30010);
	assert_int_equal(in->media[0].rtcp_port, 30011);
	assert_int_equal(in->media[1].port, 30012);
	assert_int_equal(in->media[1].rtcp_port, 30013);
	assert_null(strstr(t2, "a=group:BUNDLE"));
	assert_null(strstr(t2, "a=ice-"));
	/* payload types per section, disjoint: accepted */
	cp_calls_sdp_pts(in, pa);
	assert_int_equal(pa[0][0], 0x01);                   /* PCMU 0 */
	assert_int_equal(pa[0][101 / 8], 1u << (101 % 8));  /* telephone-event 101 */
	assert_int_equal(pa[1][96 / 8], 0x03);              /* VP8 96, RTX 97 */
	assert_int_equal(cp_calls_bundle_pts(pa, NULL, 2, u, why, sizeof(why)), 0);
	/* the other party's answer puts 101 in the video section: refused */
	memset(pb, 0, sizeof(pb));
	pb[1][101 / 8] = 1u << (101 % 8);
	assert_int_equal(cp_calls_bundle_pts(pa, pb, 2, u, why, sizeof(why)), -ENOTSUP);
	assert_string_equal(why, "BUNDLE: payload type 101 in m= sections 0 and 1 (the WebRTC "
			    "leg's sections share one port and are told apart by payload type)");
	/* a rejected section has no types */
	in->media[1].port = 0;
	cp_calls_sdp_pts(in, pa);
	assert_int_equal(pa[1][96 / 8], 0);
	/* a rejected first section leaves its port pair unused: the video
	 * section stays on its own (the call's legs for section i sit at
	 * port + 2i) */
	free(t2);
	free(in);
	in = parse(sip_av);
	in->media[0].port = 0;
	t2 = malloc(OUT_MAX);
	assert_non_null(t2);
	assert_true(cp_calls_sdp_render(t2, OUT_MAX, in, &p) > 0);
	free(in);
	in = parse(t2);
	assert_int_equal(in->media[0].port, 0);
	assert_int_equal(in->media[1].port, 30012);
	assert_int_equal(in->media[1].rtcp_port, 30013);
	free(t);
	free(t2);
	free(b);
	free(in);
}

/* SDES lines per section (crypto_stride): section i gets its own lines and
 * keys; a section whose lines are missing (tag 0) is refused, not written
 * without a key; a stride below n_crypto is a bad parameter. */
static void
test_sdes_per_section(void **state)
{
	struct cp_sdp_crypto lines[2 * 2];
	struct cp_sdes_key keys[2 * 2], k;
	struct cp_sdp_leg_params p;
	struct cp_sdp *b, *in;
	char why[64], *t;

	(void)state;
	memset(lines, 0, sizeof(lines));
	assert_int_equal(cp_calls_sdes_make(CP_SDES_PROFILE_CM_80, 1, &keys[0], &lines[0]), 0);
	assert_int_equal(cp_calls_sdes_make(CP_SDES_PROFILE_GCM128, 2, &keys[1], &lines[1]), 0);
	assert_int_equal(cp_calls_sdes_make(CP_SDES_PROFILE_CM_32, 5, &keys[2], NULL), 0);
	assert_int_equal(cp_calls_sdes_line(&keys[2], 5, &lines[2]), 0);
	memset(&p, 0, sizeof(p));
	p.kind = CP_SDP_LEG_SDES;
	p.offer = true;
	p.addr = "198.18.48.1";
	p.port = 30020;
	p.n_crypto = 2;
	p.crypto_stride = 2;
	p.crypto = lines;
	/* section 1 has one line (its second slot tag 0): n_crypto 2 needs both */
	in = parse(sip_av);
	t = malloc(OUT_MAX);
	assert_non_null(t);
	assert_int_equal(cp_calls_sdp_render(t, OUT_MAX, in, &p), -EINVAL);
	free(t);
	p.n_crypto = 1;
	t = rewrite(sip_av, &p, &b);
	assert_int_equal(b->media[0].n_crypto, 1);
	assert_int_equal(b->media[1].n_crypto, 1);
	assert_int_equal(b->media[0].crypto[0].tag, 1);
	assert_string_equal(b->media[1].crypto[0].suite, "AES_CM_128_HMAC_SHA1_32");
	assert_int_equal(b->media[1].crypto[0].tag, 5);
	assert_int_equal(cp_sdes_parse(&k, b->media[1].crypto[0].suite,
				       b->media[1].crypto[0].key_params, why, sizeof(why)), 0);
	assert_memory_equal(k.key, keys[2].key, 16);
	assert_memory_equal(k.salt, keys[2].salt, 14);
	free(t);
	free(b);
	/* both lines of section 0 on it, section 1 keyed anew */
	assert_int_equal(cp_calls_sdes_make(CP_SDES_PROFILE_GCM128, 6, &keys[3], &lines[3]), 0);
	p.n_crypto = 2;
	t = rewrite(sip_av, &p, &b);
	assert_int_equal(b->media[0].n_crypto, 2);
	assert_string_equal(b->media[0].crypto[1].suite, "AEAD_AES_128_GCM");
	assert_int_equal(b->media[1].crypto[1].tag, 6);
	free(t);
	free(b);
	/* no key for section 1 at all */
	memset(&lines[2], 0, 2 * sizeof(lines[0]));
	p.n_crypto = 1;
	t = malloc(OUT_MAX);
	assert_non_null(t);
	assert_int_equal(cp_calls_sdp_render(t, OUT_MAX, in, &p), -EINVAL);
	p.crypto_stride = 1;
	p.n_crypto = 2;
	assert_int_equal(cp_calls_sdp_render(t, OUT_MAX, in, &p), -EINVAL);
	assert_int_equal(cp_calls_sdes_line(&keys[0], 0, &lines[0]), -EINVAL);
	free(t);
	free(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_sdes_keys),
		cmocka_unit_test(test_rtp_sdes),
		cmocka_unit_test(test_webrtc_rtp),
		cmocka_unit_test(test_webrtc_sdes),
		cmocka_unit_test(test_bundle_two_sections),
		cmocka_unit_test(test_sdes_per_section),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
