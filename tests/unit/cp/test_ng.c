/*
 * cp_ng + cp_calls: request parsing of what Kamailio and OpenSIPS send, the
 * replies byte for byte where they are fixed, the retransmission cache, and
 * the calls seam (offer/answer/delete/query/list) with a fake media function.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp_bencode.h"
#include "cp_calls.h"
#include "cp_ng.h"

#define PEER_A "peer-a"
#define PEER_B "peer-b"

static uint64_t fake_now = 1700000000;

static uint64_t
fake_clock(void)
{
	return fake_now;
}

static int media_calls;
static int media_rc;

/* Echoes the SDP back as the rewritten one, or fails with media_rc. */
static int
fake_media(void *ctx, const struct cp_ng_req *req, bool is_answer, struct cp_bencode_buf *reply,
	   char *reason, size_t rlen)
{
	(void)ctx;
	(void)is_answer;
	media_calls++;
	if (media_rc != 0) {
		snprintf(reason, rlen, "fake media refused");
		return media_rc;
	}
	cp_bencode_put_cstr(reply, "sdp");
	cp_bencode_put_str(reply, req->sdp.p, req->sdp.len);
	return 0;
}

struct fx {
	struct cp_calls *calls;
	struct cp_ng *ng;
	uint8_t out[CP_NG_MAX_DGRAM];
	size_t len;
	struct cp_bencode_node nodes[256];
	struct cp_bencode_doc d;
};

static int
setup_media(void **state, cp_calls_media_fn *media, uint32_t max_calls)
{
	static struct fx f;

	memset(&f, 0, sizeof(f));
	media_calls = 0;
	media_rc = 0;
	assert_int_equal(cp_calls_create(&f.calls, max_calls, media, NULL, fake_clock), 0);
	assert_int_equal(cp_ng_create(&f.ng, &cp_calls_ng_ops, f.calls, 30), 0);
	*state = &f;
	return 0;
}

static int
setup_nomedia(void **state)
{
	return setup_media(state, NULL, 100);
}

static int
setup_fake(void **state)
{
	return setup_media(state, fake_media, 3);
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	cp_ng_free(f->ng);
	cp_calls_free(f->calls);
	return 0;
}

/* Send "cookie body" from peer at time ms; decode the reply into f->d. */
static void
send_at(struct fx *f, const char *peer, const char *cookie, const char *body, uint64_t ms)
{
	char dgram[4096];
	int n = snprintf(dgram, sizeof(dgram), "%s %s", cookie, body);
	size_t cl = strlen(cookie);

	f->len = cp_ng_handle(f->ng, peer, strlen(peer), (const uint8_t *)dgram, (size_t)n,
			      f->out, sizeof(f->out), ms);
	assert_true(f->len > cl + 1);
	assert_memory_equal(f->out, cookie, cl);
	assert_int_equal(f->out[cl], ' ');
	f->d.nodes = f->nodes;
	f->d.cap = 256;
	if (cp_bencode_decode(&f->d, f->out + cl + 1, f->len - cl - 1) != 0)
		fail_msg("reply does not decode: %s", f->d.err);
}

static void
send_req(struct fx *f, const char *cookie, const char *body)
{
	send_at(f, PEER_A, cookie, body, 1000);
}

static bool
reply_is(struct fx *f, const char *key, const char *val)
{
	return cp_bencode_str_eq(&f->d, cp_bencode_dict_get(&f->d, 0, key), val);
}

static bool
reply_has(struct fx *f, const char *key, const char *sub)
{
	uint32_t v = cp_bencode_dict_get(&f->d, 0, key);
	char buf[600];

	if (v == CP_BENCODE_NONE || f->d.nodes[v].type != CP_BENCODE_STR ||
	    f->d.nodes[v].len >= sizeof(buf))
		return false;
	memcpy(buf, f->d.nodes[v].s, f->d.nodes[v].len);
	buf[f->d.nodes[v].len] = '\0';
	return strstr(buf, sub) != NULL;
}

/* An offer as Kamailio 5.6's rtpengine module builds it for
 * rtpengine_offer("ICE=force DTLS=passive UDP/TLS/RTP/SAVPF rtcp-mux-offer
 * rtcp-mux-require replace-origin replace-session-connection SDES-off
 * direction=internal direction=external trust-address symmetric label=caller
 * via-branch=1 TOS=184 bogus-flag") -- keys unsorted, as the module sends them. */
#define KAM_SDP "v=0\r\no=- 1 1 IN IP4 198.18.26.1\r\ns=-\r\nc=IN IP4 198.18.26.1\r\n" \
		"t=0 0\r\nm=audio 10000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
#define BSTR(s) #s

static char kam_offer[2048];

static const char *
kamailio_offer(void)
{
	snprintf(kam_offer, sizeof(kam_offer),
		 "d8:supportsl10:load limite3:sdp%zu:%s9:directionl8:internal8:externale"
		 "5:flagsl13:trust-address9:symmetric10:bogus-flage"
		 "7:replacel6:origin18:session-connectione"
		 "18:transport-protocol17:UDP/TLS/RTP/SAVPF"
		 "8:rtcp-muxl5:offer7:requiree4:SDESl3:offe"
		 "13:received-froml3:IP411:198.18.26.1e"
		 "3:ICE5:force4:DTLS7:passive5:label6:caller3:TOSi184e"
		 "7:call-id12:abc@198.18.0"
		 "10:via-branch12:z9hG4bK.1234"
		 "8:from-tag10:as611038b8"
		 "7:command5:offer16:sip-message-type11:sip requeste",
		 strlen(KAM_SDP), KAM_SDP);
	return kam_offer;
}

static void
test_parse_kamailio_offer(void **state)
{
	struct cp_bencode_node nodes[256];
	struct cp_bencode_doc d = { .nodes = nodes, .cap = 256 };
	struct cp_ng_req r;
	char reason[CP_NG_REASON_LEN];
	const char *m = kamailio_offer();

	(void)state;
	assert_int_equal(cp_bencode_decode(&d, m, strlen(m)), 0);
	assert_true(d.unsorted);
	assert_int_equal(cp_ng_req_parse(&r, &d, reason, sizeof(reason)), 0);
	assert_int_equal(r.cmd, CP_NG_OFFER);
	assert_int_equal(r.call_id.len, 12);
	assert_memory_equal(r.call_id.p, "abc@198.18.0", 12);
	assert_memory_equal(r.from_tag.p, "as611038b8", 10);
	assert_int_equal(r.to_tag.len, 0);
	assert_memory_equal(r.via_branch.p, "z9hG4bK.1234", 12);
	assert_int_equal(r.sdp.len, strlen(KAM_SDP));
	assert_int_equal(r.ice, CP_NG_ICE_FORCE);
	assert_int_equal(r.dtls, CP_NG_DTLS_PASSIVE);
	assert_int_equal(r.proto, CP_NG_PROTO_UDP_TLS_RTP_SAVPF);
	assert_int_equal(r.rtcp_mux, CP_NG_RTCP_MUX_OFFER | CP_NG_RTCP_MUX_REQUIRE);
	assert_int_equal(r.replace, CP_NG_REPLACE_ORIGIN | CP_NG_REPLACE_SESSION_CONNECTION);
	assert_int_equal(r.sdes, CP_NG_SDES_OFF);
	assert_int_equal(r.flags, CP_NG_F_TRUST_ADDRESS | CP_NG_F_SYMMETRIC);
	assert_int_equal(r.n_direction, 2);
	assert_memory_equal(r.direction[1].p, "external", 8);
	assert_memory_equal(r.label.p, "caller", 6);
	assert_memory_equal(r.received_from_addr.p, "198.18.26.1", 11);
	assert_string_equal(r.warning, "unknown flag 'bogus-flag'; unknown key 'TOS'");
}

/* Requests that must be refused while parsing, with the reason. */
static const struct {
	const char *body;
	const char *reason;
} refuse_cases[] = {
	/*  1 */ { "le", "not a dictionary" },
	/*  2 */ { "d4:call1:xe", "no 'command'" },
	/*  3 */ { "d7:commandi1ee", "'command' must be a string" },
	/*  4 */ { "d7:command4:pinge", NULL },          /* (accepted) */
	/*  5 */ { "d7:command7:unknowne", "Unrecognized command 'unknown'" },
	/*  6 */ { "d7:command5:offer7:call-id1:x8:from-tag1:ae", "No SDP body" },
	/*  7 */ { "d7:command5:offer7:call-id1:x3:sdp3:v=0e", "No from-tag" },
	/*  8 */ { "d7:command5:offer8:from-tag1:a3:sdp3:v=0e", "No call-id" },
	/*  9 */ { "d7:command6:answer7:call-id1:x8:from-tag1:a3:sdp3:v=0e", "No to-tag" },
	/* 10 */ { "d7:command6:deletee", "No call-id" },
	/* 11 */ { "d7:command5:querye", "No call-id" },
	/* 12 */ { "d7:command5:offer7:call-idi5ee", "'call-id' must be a string" },
	/* 13 */ { "d7:command4:ping5:flags3:fooe", "'flags' must be a list" },
	/* 14 */ { "d7:command4:ping5:flagsli1eee", "list of strings" },
	/* 15 */ { "d7:command4:ping3:ICE4:litee", "ICE=lite is not supported" },
	/* 16 */ { "d7:command4:ping4:DTLS4:fulle", "DTLS=full is not supported" },
	/* 17 */ { "d7:command4:ping18:transport-protocol7:TCP/RTPe",
		   "transport-protocol TCP/RTP is not supported" },
	/* 18 */ { "d7:command4:ping11:record call3:yese", "call recording is not supported" },
	/* 19 */ { "d7:command4:ping11:record-call2:one", "call recording is not supported" },
	/* 20 */ { "d7:command4:ping5:flagsl11:record-callee", "call recording is not supported" },
	/* 21 */ { "d7:command4:ping9:directionl1:a1:b1:cee", "at most two" },
	/* 22 */ { "d7:command4:ping13:received-froml3:IP4ee", "[family, address]" },
	/* 23 */ { "d7:command4:list5:limit2:-1e", "must be a number" },
	/* 24 */ { "d7:command4:ping5:codec3:abce", "'codec' must be a dictionary" },
	/* 25 */ { "d7:command4:ping5:flagsl8:ICE=fullee", "ICE=full is not supported" },
	/* 26 */ { "d7:command4:ping11:record call2:noe", NULL },   /* "no" is fine */
	/* 27 */ { "d7:command4:ping5:limiti-3ee", "must not be negative" },
};

static void
test_refused(void **state)
{
	struct fx *f = *state;

	for (size_t i = 0; i < sizeof(refuse_cases) / sizeof(refuse_cases[0]); i++) {
		char cookie[16];

		snprintf(cookie, sizeof(cookie), "r%zu", i + 1);
		send_req(f, cookie, refuse_cases[i].body);
		if (refuse_cases[i].reason == NULL) {
			if (!reply_is(f, "result", "pong"))
				fail_msg("row %zu: not accepted", i + 1);
			continue;
		}
		if (!reply_is(f, "result", "error") ||
		    !reply_has(f, "error-reason", refuse_cases[i].reason))
			fail_msg("row %zu: reply %.*s lacks '%s'", i + 1, (int)f->len, f->out,
				 refuse_cases[i].reason);
	}
	assert_int_equal(cp_ng_counter(f->ng, CP_NG_CNT_BAD_REQUEST), 25);
}

/* Flags in every form the modules send, each landing in its field. */
static const struct {
	const char *flags;      /* bencode list body */
	uint32_t flag_bits, replace, rtcp_mux, sdes;
	enum cp_ng_ice ice;
	enum cp_ng_dtls dtls;
	enum cp_ng_proto proto;
	const char *warning;
} flag_cases[] = {
	/*  1 */ { "13:trust-address", CP_NG_F_TRUST_ADDRESS, 0, 0, 0, 0, 0, 0, "" },
	/*  2 */ { "10:asymmetric", CP_NG_F_ASYMMETRIC, 0, 0, 0, 0, 0, 0, "" },
	/*  3 */ { "14:replace-origin", 0, CP_NG_REPLACE_ORIGIN, 0, 0, 0, 0, 0, "" },
	/*  4 */ { "26:replace-session-connection", 0, CP_NG_REPLACE_SESSION_CONNECTION, 0, 0,
		   0, 0, 0, "" },
	/*  5 */ { "14:rtcp-mux-demux", 0, 0, CP_NG_RTCP_MUX_DEMUX, 0, 0, 0, 0, "" },
	/*  6 */ { "8:SDES-off", 0, 0, 0, CP_NG_SDES_OFF, 0, 0, 0, "" },
	/*  7 */ { "10:ICE=remove", 0, 0, 0, 0, CP_NG_ICE_REMOVE, 0, 0, "" },
	/*  8 */ { "8:DTLS=off", 0, 0, 0, 0, 0, CP_NG_DTLS_OFF, 0, "" },
	/*  9 */ { "7:RTP/AVP", 0, 0, 0, 0, 0, 0, CP_NG_PROTO_RTP_AVP, "" },
	/* 10 */ { "27:transport-protocol=RTP/SAVP", 0, 0, 0, 0, 0, 0, CP_NG_PROTO_RTP_SAVP, "" },
	/* 11 */ { "3:foo", 0, 0, 0, 0, 0, 0, 0, "unknown flag 'foo'" },
	/* 12 */ { "12:replace-what", 0, 0, 0, 0, 0, 0, 0, "unknown flag 'replace-what'" },
	/* 13 */ { "3:foo3:bar", 0, 0, 0, 0, 0, 0, 0, "unknown flag 'foo'; unknown flag 'bar'" },
	/* 14 */ { "9:symmetric", CP_NG_F_SYMMETRIC, 0, 0, 0, 0, 0, 0, "" },
	/* 15 */ { "8:fragment3:all5:reset", CP_NG_F_FRAGMENT | CP_NG_F_ALL | CP_NG_F_RESET,
		   0, 0, 0, 0, 0, 0, "" },
	/* 16 */ { "4:a\001bc", 0, 0, 0, 0, 0, 0, 0, "unknown flag 'a?bc'" },
	/* 17: acted on, repeated: one bit each, no warning */
	/* 17 */ { "5:reset13:strict-source14:media-handover5:reset13:strict-source",
		   CP_NG_F_RESET | CP_NG_F_STRICT_SOURCE | CP_NG_F_MEDIA_HANDOVER, 0, 0, 0, 0, 0, 0,
		   "" },
	/* 18 */ { "18:SIP-source-address", CP_NG_F_SIP_SOURCE_ADDRESS, 0, 0, 0, 0, 0, 0, "" },
	/* 19: acted on (a=rtcp's form) or what rtcgw does anyway: no warning */
	/* 19 */ { "17:no-rtcp-attribute19:full-rtcp-attribute13:port-latching12:generate-mid"
		   "14:unidirectional",
		   CP_NG_F_NO_RTCP_ATTRIBUTE | CP_NG_F_FULL_RTCP_ATTRIBUTE | CP_NG_F_PORT_LATCHING |
			   CP_NG_F_GENERATE_MID | CP_NG_F_UNIDIRECTIONAL,
		   0, 0, 0, 0, 0, 0, "" },
	/* 20 */ { "12:loop-protect", CP_NG_F_LOOP_PROTECT, 0, 0, 0, 0, 0, 0, "" },
};

static void
test_flags(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(flag_cases) / sizeof(flag_cases[0]); i++) {
		struct cp_bencode_node nodes[64];
		struct cp_bencode_doc d = { .nodes = nodes, .cap = 64 };
		struct cp_ng_req r;
		char msg[256], reason[CP_NG_REASON_LEN];
		int n = snprintf(msg, sizeof(msg), "d7:command4:ping5:flagsl%see",
				 flag_cases[i].flags);

		if (cp_bencode_decode(&d, msg, (size_t)n) != 0)
			fail_msg("row %zu: %s", i + 1, d.err);
		if (cp_ng_req_parse(&r, &d, reason, sizeof(reason)) != 0)
			fail_msg("row %zu: refused: %s", i + 1, reason);
		if (r.flags != flag_cases[i].flag_bits || r.replace != flag_cases[i].replace ||
		    r.rtcp_mux != flag_cases[i].rtcp_mux || r.sdes != flag_cases[i].sdes ||
		    r.ice != flag_cases[i].ice || r.dtls != flag_cases[i].dtls ||
		    r.proto != flag_cases[i].proto || strcmp(r.warning, flag_cases[i].warning) != 0)
			fail_msg("row %zu: flags %x replace %x mux %x sdes %x ice %d dtls %d proto %d "
				 "warning '%s'", i + 1, r.flags, r.replace, r.rtcp_mux, r.sdes, r.ice,
				 r.dtls, r.proto, r.warning);
	}
}

static void
test_warning_bounded(void **state)
{
	struct cp_bencode_node nodes[CP_NG_MAX_NODES];
	struct cp_bencode_doc d = { .nodes = nodes, .cap = CP_NG_MAX_NODES };
	struct cp_ng_req r;
	char msg[8192], reason[CP_NG_REASON_LEN];
	size_t n = (size_t)snprintf(msg, sizeof(msg), "d7:command4:ping5:flagsl");

	(void)state;
	for (int i = 0; i < 200; i++)
		n += (size_t)snprintf(msg + n, sizeof(msg) - n, "10:unknown%03d", i);
	n += (size_t)snprintf(msg + n, sizeof(msg) - n, "ee");
	assert_int_equal(cp_bencode_decode(&d, msg, n), 0);
	assert_int_equal(cp_ng_req_parse(&r, &d, reason, sizeof(reason)), 0);
	assert_true(strlen(r.warning) < sizeof(r.warning));
	assert_non_null(strstr(r.warning, "unknown flag 'unknown000'"));
	assert_string_equal(r.warning + strlen(r.warning) - 3, "...");
}

static void
test_ping_bytes(void **state)
{
	struct fx *f = *state;
	static const char want[] = "5_1_1 d6:result4:ponge";

	send_req(f, "5_1_1", "d7:command4:pinge");
	assert_int_equal(f->len, sizeof(want) - 1);
	assert_memory_equal(f->out, want, f->len);
	assert_int_equal(cp_ng_counter(f->ng, CP_NG_CNT_CMD_PING), 1);
}

static void
test_malformed_and_cookie(void **state)
{
	struct fx *f = *state;
	static const char want[] = "c1 d12:error-reason50:malformed bencode at byte 10: "
				   "truncated dictionary6:result5:errore";
	uint8_t out[256];

	send_req(f, "c1", "d4:spami1e");
	assert_int_equal(f->len, sizeof(want) - 1);
	assert_memory_equal(f->out, want, f->len);
	assert_int_equal(cp_ng_counter(f->ng, CP_NG_CNT_BAD_BENCODE), 1);
	/* Nothing after the cookie. */
	send_req(f, "c2", "");
	assert_true(reply_has(f, "error-reason", "empty input"));
	/* No cookie, an empty one, one with a control byte, one too long: dropped. */
	assert_int_equal(cp_ng_handle(f->ng, "p", 1, (const uint8_t *)"d7:command4:pinge", 17,
				      out, sizeof(out), 1), 0);
	assert_int_equal(cp_ng_handle(f->ng, "p", 1, (const uint8_t *)" de", 3, out,
				      sizeof(out), 1), 0);
	assert_int_equal(cp_ng_handle(f->ng, "p", 1, (const uint8_t *)"a\tb de", 6, out,
				      sizeof(out), 1), 0);
	{
		char longc[200];

		memset(longc, 'x', 70);
		memcpy(longc + 70, " de", 4);
		assert_int_equal(cp_ng_handle(f->ng, "p", 1, (const uint8_t *)longc, 73, out,
					      sizeof(out), 1), 0);
	}
	assert_int_equal(cp_ng_counter(f->ng, CP_NG_CNT_BAD_COOKIE), 4);
}

static void
test_no_media_seam(void **state)
{
	struct fx *f = *state;
	const char *m = kamailio_offer();

	send_req(f, "o1", m);
	assert_true(reply_is(f, "result", "error"));
	assert_true(reply_is(f, "error-reason", "media not available yet"));
	assert_true(reply_has(f, "warning", "unknown flag 'bogus-flag'"));
	assert_int_equal(cp_calls_count(f->calls), 0);       /* nothing left behind */
	send_req(f, "a1", "d7:command6:answer7:call-id1:x8:from-tag1:a6:to-tag1:b3:sdp3:v=0e");
	assert_true(reply_is(f, "error-reason", "Unknown call-id"));
	send_req(f, "d1", "d7:command6:delete7:call-id1:xe");
	assert_true(reply_is(f, "error-reason", "Unknown call-id"));
	send_req(f, "q1", "d7:command5:query7:call-id1:xe");
	assert_true(reply_is(f, "error-reason", "Unknown call-id"));
	send_req(f, "l1", "d7:command4:liste");
	assert_true(reply_is(f, "result", "ok"));
	assert_int_equal(f->d.nodes[cp_bencode_dict_get(&f->d, 0, "calls")].count, 0);
}

static void
test_no_ops(void **state)
{
	struct cp_ng *ng;
	uint8_t out[256];
	size_t n;

	(void)state;
	assert_int_equal(cp_ng_create(&ng, NULL, NULL, 30), 0);
	n = cp_ng_handle(ng, "p", 1, (const uint8_t *)"k d7:command4:liste", 19, out,
			 sizeof(out), 1);
	assert_non_null(memmem(out, n, "'list' is not available", 23));
	n = cp_ng_handle(ng, "p", 1, (const uint8_t *)"k2 d7:command4:pinge", 20, out,
			 sizeof(out), 1);
	assert_non_null(memmem(out, n, "4:pong", 6));
	cp_ng_free(ng);
	cp_ng_free(NULL);
	assert_int_equal(cp_ng_fd(NULL), -1);
}

static void
test_retransmission(void **state)
{
	struct fx *f = *state;
	uint8_t first[256];
	size_t first_len;
	const char *offer = "d7:command5:offer7:call-id2:c18:from-tag1:a3:sdp3:v=0e";

	send_at(f, PEER_A, "rt1", offer, 1000);
	assert_true(reply_is(f, "result", "ok"));
	assert_int_equal(media_calls, 1);
	memcpy(first, f->out, f->len);
	first_len = f->len;
	/* Same cookie, same sender, 29 s later: the cached bytes, not executed. */
	send_at(f, PEER_A, "rt1", offer, 30000);
	assert_int_equal(f->len, first_len);
	assert_memory_equal(f->out, first, first_len);
	assert_int_equal(media_calls, 1);
	assert_int_equal(cp_ng_counter(f->ng, CP_NG_CNT_RETRANSMITS), 1);
	/* Even a different body under that cookie gets the cached reply. */
	send_at(f, PEER_A, "rt1", "d7:command4:pinge", 30000);
	assert_memory_equal(f->out, first, first_len);
	/* Another sender with the same cookie is a new request. */
	send_at(f, PEER_B, "rt1", offer, 30000);
	assert_int_equal(media_calls, 2);
	/* After the cache time (30 s) the request runs again. */
	send_at(f, PEER_A, "rt1", "d7:command4:pinge", 31001);
	assert_true(reply_is(f, "result", "pong"));
	assert_int_equal(cp_ng_counter(f->ng, CP_NG_CNT_RETRANSMITS), 2);
}

static void
test_cache_bounded(void **state)
{
	struct fx *f = *state;

	/* More distinct cookies than slots: the oldest are reused, nothing grows. */
	for (int i = 0; i < CP_NG_CACHE_SLOTS + 10; i++) {
		char c[16];

		snprintf(c, sizeof(c), "k%d", i);
		send_at(f, PEER_A, c, "d7:command4:pinge", 1000);
	}
	assert_int_equal(cp_ng_counter(f->ng, CP_NG_CNT_CMD_PING), CP_NG_CACHE_SLOTS + 10);
	/* The newest is cached; the very first was evicted and runs again. */
	send_at(f, PEER_A, "k265", "d7:command4:pinge", 1000);
	assert_int_equal(cp_ng_counter(f->ng, CP_NG_CNT_RETRANSMITS), 1);
	send_at(f, PEER_A, "k0", "d7:command4:pinge", 1000);
	assert_int_equal(cp_ng_counter(f->ng, CP_NG_CNT_RETRANSMITS), 1);
}

static uint32_t
tag_dict(struct fx *f, const char *tag)
{
	uint32_t tags = cp_bencode_dict_get(&f->d, 0, "tags");

	return cp_bencode_dict_get(&f->d, tags, tag);
}

static void
test_call_lifecycle(void **state)
{
	struct fx *f = *state;
	uint32_t v, t;

	send_req(f, "1", "d7:command5:offer7:call-id5:call18:from-tag3:tga3:sdp5:v=0\r\n"
		 "5:label6:callere");
	assert_true(reply_is(f, "result", "ok"));
	assert_true(reply_is(f, "sdp", "v=0\r\n"));
	assert_int_equal(cp_calls_count(f->calls), 1);
	/* Re-offer (same tag): same call, same leg. */
	fake_now += 5;
	send_req(f, "2", "d7:command5:offer7:call-id5:call18:from-tag3:tga3:sdp5:v=1\r\ne");
	assert_true(reply_is(f, "sdp", "v=1\r\n"));
	assert_int_equal(cp_calls_count(f->calls), 1);
	/* Answer from an unknown from-tag, then the right one. */
	send_req(f, "3", "d7:command6:answer7:call-id5:call18:from-tag3:zzz6:to-tag3:tgb"
		 "3:sdp3:v=0e");
	assert_true(reply_is(f, "error-reason", "Unknown from-tag"));
	send_req(f, "4", "d7:command6:answer7:call-id5:call18:from-tag3:tga6:to-tag3:tgb"
		 "3:sdp3:v=0e");
	assert_true(reply_is(f, "result", "ok"));
	/* Query: both legs, in dialogue with each other, times from the clock. */
	send_req(f, "5", "d7:command5:query7:call-id5:call1e");
	assert_true(reply_is(f, "result", "ok"));
	v = cp_bencode_dict_get(&f->d, 0, "created");
	assert_int_equal(f->d.nodes[v].i, 1700000000);
	v = cp_bencode_dict_get(&f->d, 0, "last signal");
	assert_int_equal(f->d.nodes[v].i, 1700000005);
	t = tag_dict(f, "tga");
	assert_true(cp_bencode_str_eq(&f->d, cp_bencode_dict_get(&f->d, t, "in dialogue with"),
				      "tgb"));
	assert_true(cp_bencode_str_eq(&f->d, cp_bencode_dict_get(&f->d, t, "label"), "caller"));
	t = tag_dict(f, "tgb");
	assert_true(cp_bencode_str_eq(&f->d, cp_bencode_dict_get(&f->d, t, "in dialogue with"),
				      "tga"));
	v = cp_bencode_dict_get(&f->d, 0, "totals");
	assert_int_not_equal(cp_bencode_dict_get(&f->d, v, "RTP"), CP_BENCODE_NONE);
	/* Query with a tag the call does not have. */
	send_req(f, "6", "d7:command5:query7:call-id5:call18:from-tag1:qe");
	assert_true(reply_is(f, "error-reason", "Unknown from-tag"));
	/* List, then delete, then it is gone. */
	send_req(f, "7", "d7:command4:liste");
	v = cp_bencode_dict_get(&f->d, 0, "calls");
	assert_int_equal(f->d.nodes[v].count, 1);
	assert_true(cp_bencode_str_eq(&f->d, cp_bencode_child(&f->d, v), "call1"));
	send_req(f, "8", "d7:command6:delete7:call-id5:call18:from-tag3:tgae");
	assert_true(reply_is(f, "result", "ok"));
	assert_int_not_equal(cp_bencode_dict_get(&f->d, 0, "tags"), CP_BENCODE_NONE);
	assert_int_equal(cp_calls_count(f->calls), 0);
	send_req(f, "9", "d7:command6:delete7:call-id5:call1e");
	assert_true(reply_is(f, "error-reason", "Unknown call-id"));
}

/* loop-protect: an offer or answer whose SDP carries our a=rtpengine mark
 * comes back unchanged without reaching the calls (none made or changed);
 * without the flag, with another gateway's mark or before an instance is
 * set, the calls get it as usual. */
static void
test_loop_protect(void **state)
{
	struct fx *f = *state;
	static const char marked[] = "v=0\r\na=rtpengine:0123456789abcdef\r\n";
	static const char other[] = "v=0\r\na=rtpengine:0123456789abcdee\r\n";
	char body[512];

	snprintf(body, sizeof(body), "d7:command5:offer7:call-id1:L8:from-tag1:a3:sdp%zu:%s"
		 "5:flagsl12:loop-protectee", strlen(marked), marked);
	send_req(f, "1", body);                          /* no instance yet */
	assert_int_equal(media_calls, 1);
	assert_int_equal(cp_calls_count(f->calls), 1);
	cp_ng_set_instance(f->ng, "0123456789abcdef");
	snprintf(body, sizeof(body), "d7:command5:offer7:call-id1:M8:from-tag1:a3:sdp%zu:%s"
		 "5:flagsl12:loop-protectee", strlen(marked), marked);
	send_req(f, "2", body);
	assert_true(reply_is(f, "result", "ok"));
	assert_true(reply_is(f, "sdp", marked));
	assert_null(strstr((const char *)f->out, "warning"));
	assert_int_equal(media_calls, 1);
	assert_int_equal(cp_calls_count(f->calls), 1);  /* no call M */
	assert_int_equal(cp_ng_counter(f->ng, CP_NG_CNT_LOOP_SKIPPED), 1);
	snprintf(body, sizeof(body), "d7:command6:answer7:call-id1:L8:from-tag1:a6:to-tag1:b"
		 "3:sdp%zu:%s5:flagsl12:loop-protectee", strlen(marked), marked);
	send_req(f, "3", body);
	assert_true(reply_is(f, "sdp", marked));
	assert_int_equal(media_calls, 1);
	assert_int_equal(cp_ng_counter(f->ng, CP_NG_CNT_LOOP_SKIPPED), 2);
	assert_int_equal(cp_ng_counter(f->ng, CP_NG_CNT_CMD_ANSWER), 1);
	/* another gateway's mark, and our mark without the flag: handled */
	snprintf(body, sizeof(body), "d7:command5:offer7:call-id1:N8:from-tag1:a3:sdp%zu:%s"
		 "5:flagsl12:loop-protectee", strlen(other), other);
	send_req(f, "4", body);
	assert_int_equal(media_calls, 2);
	snprintf(body, sizeof(body), "d7:command5:offer7:call-id1:P8:from-tag1:a3:sdp%zu:%se",
		 strlen(marked), marked);
	send_req(f, "5", body);
	assert_int_equal(media_calls, 3);
	assert_int_equal(cp_calls_count(f->calls), 3);
	assert_int_equal(cp_ng_counter(f->ng, CP_NG_CNT_LOOP_SKIPPED), 2);
}

/* fragment: a trickle ICE sdpfrag for a known party is taken (result ok, no
 * SDP, the calls' media not asked); for an unknown call or party refused. */
static void
test_fragment(void **state)
{
	struct fx *f = *state;
	static const char frag[] = "a=ice-ufrag:Wq7Z\r\na=candidate:1 1 udp 2122260223 "
				   "198.18.48.2 50123 typ host\r\n";
	char body[512];

	snprintf(body, sizeof(body), "d7:command5:offer7:call-id1:F8:from-tag1:a3:sdp%zu:%s"
		 "5:flagsl8:fragmentee", strlen(frag), frag);
	send_req(f, "1", body);
	assert_true(reply_is(f, "error-reason", "Unknown call-id"));
	send_req(f, "2", "d7:command5:offer7:call-id1:F8:from-tag1:a3:sdp5:v=0\r\ne");
	assert_int_equal(media_calls, 1);
	send_req(f, "3", body);
	assert_true(reply_is(f, "result", "ok"));
	assert_int_equal(cp_bencode_dict_get(&f->d, 0, "sdp"), CP_BENCODE_NONE);
	assert_int_equal(cp_bencode_dict_get(&f->d, 0, "warning"), CP_BENCODE_NONE);
	assert_int_equal(media_calls, 1);
	snprintf(body, sizeof(body), "d7:command5:offer7:call-id1:F8:from-tag1:z3:sdp%zu:%s"
		 "5:flagsl8:fragmentee", strlen(frag), frag);
	send_req(f, "4", body);
	assert_true(reply_is(f, "error-reason", "Unknown from-tag"));
	assert_int_equal(cp_calls_count(f->calls), 1);
}

static void
test_media_failure_rolls_back(void **state)
{
	struct fx *f = *state;

	send_req(f, "1", "d7:command5:offer7:call-id1:x8:from-tag1:a3:sdp3:v=0e");
	assert_int_equal(cp_calls_count(f->calls), 1);
	/* A refused answer leaves no to-tag leg; a refused new call leaves no call;
	 * whatever the media function appended is not in the reply. */
	media_rc = -EIO;
	send_req(f, "2", "d7:command6:answer7:call-id1:x8:from-tag1:a6:to-tag1:b3:sdp3:v=0e");
	assert_true(reply_is(f, "error-reason", "fake media refused"));
	assert_int_equal(cp_bencode_dict_get(&f->d, 0, "sdp"), CP_BENCODE_NONE);
	send_req(f, "3", "d7:command5:offer7:call-id1:y8:from-tag1:a3:sdp3:v=0e");
	assert_true(reply_is(f, "error-reason", "fake media refused"));
	assert_int_equal(cp_calls_count(f->calls), 1);
	media_rc = 0;
	send_req(f, "4", "d7:command5:query7:call-id1:xe");
	assert_int_equal(tag_dict(f, "b"), CP_BENCODE_NONE);
	assert_int_not_equal(tag_dict(f, "a"), CP_BENCODE_NONE);
}

static void
test_limits(void **state)
{
	struct fx *f = *state;
	char body[512];

	/* max_calls is 3 in this fixture. */
	for (int i = 0; i < 3; i++) {
		char c[8];

		snprintf(c, sizeof(c), "m%d", i);
		snprintf(body, sizeof(body),
			 "d7:command5:offer7:call-id2:c%d8:from-tag1:a3:sdp3:v=0e", i);
		send_req(f, c, body);
		assert_true(reply_is(f, "result", "ok"));
	}
	send_req(f, "m3", "d7:command5:offer7:call-id2:c98:from-tag1:a3:sdp3:v=0e");
	assert_true(reply_has(f, "error-reason", "call limit reached"));
	/* list with limit. */
	send_req(f, "l", "d7:command4:list5:limiti2ee");
	assert_int_equal(f->d.nodes[cp_bencode_dict_get(&f->d, 0, "calls")].count, 2);
	send_req(f, "l2", "d7:command4:list5:limit1:0e");
	assert_int_equal(f->d.nodes[cp_bencode_dict_get(&f->d, 0, "calls")].count, 0);
	/* Legs: at most CP_CALLS_MAX_LEGS (forked answers). */
	for (int i = 0; i < CP_CALLS_MAX_LEGS - 1; i++) {
		char c[8];

		snprintf(c, sizeof(c), "f%d", i);
		snprintf(body, sizeof(body),
			 "d7:command6:answer7:call-id2:c08:from-tag1:a6:to-tag2:b%d3:sdp3:v=0e", i);
		send_req(f, c, body);
		assert_true(reply_is(f, "result", "ok"));
	}
	send_req(f, "f9", "d7:command6:answer7:call-id2:c08:from-tag1:a6:to-tag2:b93:sdp3:v=0e");
	assert_true(reply_has(f, "error-reason", "too many legs"));
	/* Over-long call-id. */
	{
		char id[300];

		memset(id, 'i', 299);
		id[299] = '\0';
		snprintf(body, sizeof(body), "d7:command5:query7:call-id299:%se", id);
	}
	send_req(f, "long", body);
	assert_true(reply_has(f, "error-reason", "call-id too long"));
}

static void
test_reply_too_big(void **state)
{
	struct fx *f = *state;
	uint8_t out[120];
	size_t n;
	const char *q = "c d7:command5:offer7:call-id1:z8:from-tag1:a"
			"3:sdp110:0123456789012345678901234567890123456789012345678901234567890123456789"
			"0123456789012345678901234567890123456789e";

	/* The echoed SDP does not fit 120 bytes: an error instead, and no call. */
	n = cp_ng_handle(f->ng, "p", 1, (const uint8_t *)q, strlen(q), out, sizeof(out), 1);
	assert_true(n > 0);
	assert_non_null(memmem(out, n, "reply does not fit a datagram", 29));
	assert_int_equal(cp_calls_count(f->calls), 0);
	/* A query too big for the buffer is refused by cp_ng itself. */
	q = "c2 d7:command5:offer7:call-id1:z8:from-tag1:a3:sdp3:v=0e";
	n = cp_ng_handle(f->ng, "p", 1, (const uint8_t *)q, strlen(q), out, sizeof(out), 1);
	assert_non_null(memmem(out, n, "2:ok", 4));
	q = "c3 d7:command5:query7:call-id1:ze";
	n = cp_ng_handle(f->ng, "p", 1, (const uint8_t *)q, strlen(q), out, sizeof(out), 1);
	assert_non_null(memmem(out, n, "reply does not fit a datagram", 29));
	assert_int_equal(cp_ng_counter(f->ng, CP_NG_CNT_REPLY_TOO_BIG), 1);
	/* A delete whose report does not fit keeps the call (the proxy hears "error"). */
	q = "c4 d7:command6:delete7:call-id1:ze";
	n = cp_ng_handle(f->ng, "p", 1, (const uint8_t *)q, strlen(q), out, sizeof(out), 1);
	assert_non_null(memmem(out, n, "reply does not fit a datagram", 29));
	assert_int_equal(cp_calls_count(f->calls), 1);
}

static void
test_prometheus(void **state)
{
	struct fx *f = *state;
	char *text = strdup("rtcgw_dataplane_up 1\n");
	size_t len = strlen(text);

	send_req(f, "p1", "d7:command4:pinge");
	send_req(f, "p1", "d7:command4:pinge");
	assert_int_equal(cp_ng_prometheus_append(f->ng, 7, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	assert_memory_equal(text, "rtcgw_dataplane_up 1\n", 21);
	assert_non_null(strstr(text, "# TYPE rtcgw_ng_requests_total counter\n"
				     "rtcgw_ng_requests_total 2\n"));
	assert_non_null(strstr(text, "\nrtcgw_ng_retransmits_total 1\n"));
	assert_non_null(strstr(text, "\nrtcgw_ng_cmd_ping_total 1\n"));
	assert_non_null(strstr(text, "\nrtcgw_calls_active 7\n"));
	assert_string_equal(cp_ng_counter_name(CP_NG_CNT_REPLY_TOO_BIG), "reply_too_big");
	free(text);
}

/* The journal's view of the registry: a record put back reads back equal,
 * counts as a call, and bad records or a full table are refused. */
static void
test_calls_records(void **state)
{
	struct fx *f = *state;
	struct cp_calls_rec in = { .created = 11, .last_signal = 22, .n_legs = 2 }, out;

	memcpy(in.legs[0].tag, "alice", 5);
	in.legs[0].tag_len = 5;
	in.legs[0].peer = 1;
	memcpy(in.legs[1].tag, "bob", 3);
	in.legs[1].tag_len = 3;
	in.legs[1].peer = 0;
	snprintf(in.legs[1].label, sizeof(in.legs[1].label), "callee");
	assert_int_equal(cp_calls_get(f->calls, "j1", 2, &out), -ENOENT);
	assert_int_equal(cp_calls_put(f->calls, "j1", 2, &in), 0);
	assert_int_equal(cp_calls_count(f->calls), 1);
	assert_int_equal(cp_calls_get(f->calls, "j1", 2, &out), 0);
	assert_memory_equal(&out, &in, sizeof(in));
	/* overwrite, not a second call */
	in.last_signal = 33;
	assert_int_equal(cp_calls_put(f->calls, "j1", 2, &in), 0);
	assert_int_equal(cp_calls_count(f->calls), 1);
	assert_int_equal(cp_calls_get(f->calls, "j1", 2, &out), 0);
	assert_int_equal(out.last_signal, 33);
	/* out of bounds */
	in.legs[1].peer = 2;
	assert_int_equal(cp_calls_put(f->calls, "j2", 2, &in), -EINVAL);
	in.legs[1].peer = 0;
	in.n_legs = CP_CALLS_MAX_LEGS + 1;
	assert_int_equal(cp_calls_put(f->calls, "j2", 2, &in), -EINVAL);
	in.n_legs = 2;
	assert_int_equal(cp_calls_put(f->calls, "", 0, &in), -EINVAL);
	/* calls.max_calls (3 here) */
	assert_int_equal(cp_calls_put(f->calls, "j2", 2, &in), 0);
	assert_int_equal(cp_calls_put(f->calls, "j3", 2, &in), 0);
	assert_int_equal(cp_calls_put(f->calls, "j4", 2, &in), -ENOSPC);
	assert_int_equal(cp_calls_drop(f->calls, "j1", 2), 0);
	assert_int_equal(cp_calls_count(f->calls), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_kamailio_offer),
		cmocka_unit_test_setup_teardown(test_refused, setup_nomedia, teardown),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_warning_bounded),
		cmocka_unit_test_setup_teardown(test_ping_bytes, setup_nomedia, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_and_cookie, setup_nomedia, teardown),
		cmocka_unit_test_setup_teardown(test_no_media_seam, setup_nomedia, teardown),
		cmocka_unit_test(test_no_ops),
		cmocka_unit_test_setup_teardown(test_retransmission, setup_fake, teardown),
		cmocka_unit_test_setup_teardown(test_cache_bounded, setup_nomedia, teardown),
		cmocka_unit_test_setup_teardown(test_call_lifecycle, setup_fake, teardown),
		cmocka_unit_test_setup_teardown(test_media_failure_rolls_back, setup_fake, teardown),
		cmocka_unit_test_setup_teardown(test_loop_protect, setup_fake, teardown),
		cmocka_unit_test_setup_teardown(test_fragment, setup_fake, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup_fake, teardown),
		cmocka_unit_test_setup_teardown(test_calls_records, setup_fake, teardown),
		cmocka_unit_test_setup_teardown(test_reply_too_big, setup_fake, teardown),
		cmocka_unit_test_setup_teardown(test_prometheus, setup_nomedia, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
