/* cp_calls_media: re-offers on a call with a WebRTC leg (issue 9). The same
 * ufrag and fingerprint change nothing; a new a=ice-ufrag restarts ICE (new
 * local credentials in our answer; ours kept when the party answers); a new
 * a=fingerprint or an a=setup that takes our role is a new DTLS association
 * (the old keys leave the dataplane, the new handshake's replace them).
 * cp_ice, cp_ipc, cp_dtls, cp_session, cp_journal and the registry are
 * stubs that record what the module asks of them. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp_api.h"
#include "cp_calls_journal.h"
#include "cp_calls_media.h"
#include "cp_dtls.h"
#include "cp_ice.h"
#include "cp_ipc.h"
#include "cp_journal.h"
#include "cp_log.h"
#include "cp_sdes.h"
#include "cp_session.h"

#define FP_A "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"
#define FP_B "BB:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99"

/* ---- stubs -------------------------------------------------------------------- */

struct cp_dtls {
	unsigned n;                     /* 1, 2, ...: creation order */
	enum cp_dtls_role role;
	bool started;
	bool hello_out;                 /* a started client's first flight was taken */
	enum cp_dtls_state state;
	char fp[CP_DTLS_FP_LEN];
};

static struct {
	unsigned dtls_created, dtls_freed, restarts, restarts_with, ice_created, ice_deleted;
	uint32_t ice_id;
	char remote[40];                /* the ICE leg's remote ufrag */
	char restart_local[40];         /* restart_with's local ufrag */
	struct cp_dtls *last;
	unsigned n_msgs;
	struct gw_ipc_msg msgs[256];
	unsigned n_tx;
	struct gw_ipc_tx_meta last_tx;
	unsigned room_full;             /* cp_ipc_send_room(): 0 this many times */
	unsigned room_asks;
	struct {                        /* every endpoint made, by its n (mod 64) */
		enum cp_dtls_role role;
		bool started;
		char fp[CP_DTLS_FP_LEN];
	} made[64];
} st;

static cp_session_punt_fn *punt;
static cp_session_ice_fn *ice_cb;
static cp_calls_release_fn *release;

void
cp_log(enum gw_log_level l, const char *fmt, ...)
{
	(void)l;
	(void)fmt;
}

int
cp_dtls_create(struct cp_dtls **out, const struct cp_dtls_cert *c, const struct cp_dtls_cfg *cfg,
	       const struct cp_dtls_env *env)
{
	struct cp_dtls *d = calloc(1, sizeof(*d));

	(void)c;
	(void)env;
	assert_non_null(d);
	d->n = ++st.dtls_created;
	d->role = cfg->role;
	d->state = CP_DTLS_HANDSHAKING;
	snprintf(d->fp, sizeof(d->fp), "%s", cfg->peer_fingerprint);
	st.made[d->n % 64].role = d->role;
	st.made[d->n % 64].started = false;
	memcpy(st.made[d->n % 64].fp, d->fp, sizeof(d->fp));
	st.last = d;
	*out = d;
	return 0;
}

void
cp_dtls_free(struct cp_dtls *d)
{
	if (d == NULL)
		return;
	st.dtls_freed++;
	if (st.last == d)
		st.last = NULL;
	free(d);
}

int
cp_dtls_start(struct cp_dtls *d)
{
	d->started = true;
	st.made[d->n % 64].started = true;
	return 0;
}

int
cp_dtls_input(struct cp_dtls *d, const uint8_t *p, size_t len)
{
	(void)d;
	(void)p;
	(void)len;
	return 0;
}

/* A started client has one datagram to send (its ClientHello), once. */
int
cp_dtls_output(struct cp_dtls *d, uint8_t *buf, size_t cap)
{
	if (!d->started || d->hello_out || cap < 1)
		return 0;
	d->hello_out = true;
	buf[0] = 0x16;
	return 1;
}

int64_t
cp_dtls_timeout_ms(struct cp_dtls *d)
{
	(void)d;
	return 1000;
}

int
cp_dtls_tick(struct cp_dtls *d)
{
	(void)d;
	return 0;
}

enum cp_dtls_state
cp_dtls_state(const struct cp_dtls *d)
{
	return d->state;
}

/* The keys of endpoint n: every byte n (tells the installs apart). */
int
cp_dtls_srtp_keys(struct cp_dtls *d, uint32_t leg_id, struct gw_ipc_srtp_keys *m)
{
	memset(m, 0, sizeof(*m));
	m->leg_id = leg_id;
	m->profile = 1;
	m->flags = GW_IPC_SRTP_F_RECV | GW_IPC_SRTP_F_SEND;
	memset(m->recv_key, (int)d->n, sizeof(m->recv_key));
	memset(m->send_key, (int)d->n, sizeof(m->send_key));
	return 0;
}

int
cp_dtls_close(struct cp_dtls *d)
{
	d->state = CP_DTLS_CLOSED;
	return 0;
}

int
cp_ice_leg_create_with(struct cp_app *app, uint16_t port, const char *remote_ufrag,
		       const char *local_ufrag, const char *local_pwd,
		       struct cp_ice_leg_info *info, char *why, size_t wlen)
{
	(void)app;
	(void)port;
	(void)local_pwd;
	(void)why;
	(void)wlen;
	st.ice_created++;
	st.ice_id = 1000 + st.ice_created;
	snprintf(st.remote, sizeof(st.remote), "%s", remote_ufrag);
	info->id = st.ice_id;
	snprintf(info->ufrag, sizeof(info->ufrag), "%s", local_ufrag);
	return 0;
}

int
cp_ice_leg_restart(struct cp_app *app, uint32_t id, const char *remote_ufrag,
		   struct cp_ice_leg_info *info, char *why, size_t wlen)
{
	(void)app;
	(void)why;
	(void)wlen;
	assert_int_equal(id, st.ice_id);
	st.restarts++;
	snprintf(st.remote, sizeof(st.remote), "%s", remote_ufrag);
	info->id = id;
	snprintf(info->ufrag, sizeof(info->ufrag), "RSTu%04u", st.restarts);
	snprintf(info->pwd, sizeof(info->pwd), "RSTpassword0123456789%03u", st.restarts);
	return 0;
}

int
cp_ice_leg_restart_with(struct cp_app *app, uint32_t id, const char *remote_ufrag,
			const char *local_ufrag, const char *local_pwd,
			struct cp_ice_leg_info *info, char *why, size_t wlen)
{
	(void)app;
	(void)why;
	(void)wlen;
	assert_int_equal(id, st.ice_id);
	st.restarts_with++;
	snprintf(st.remote, sizeof(st.remote), "%s", remote_ufrag);
	snprintf(st.restart_local, sizeof(st.restart_local), "%s", local_ufrag);
	info->id = id;
	snprintf(info->ufrag, sizeof(info->ufrag), "%s", local_ufrag);
	snprintf(info->pwd, sizeof(info->pwd), "%s", local_pwd);
	return 0;
}

const char *
cp_ice_leg_remote_ufrag(uint32_t id)
{
	return id == st.ice_id ? st.remote : NULL;
}

int
cp_ice_gen_chars(char *out, size_t n)
{
	static unsigned seq;

	for (size_t i = 0; i < n; i++)
		out[i] = (char)('a' + (seq + i) % 26);
	out[n] = '\0';
	seq++;
	return 0;
}

int
cp_ice_leg_delete(struct cp_app *app, uint32_t id)
{
	(void)app;
	(void)id;
	st.ice_deleted++;
	return 0;
}

void
cp_ice_drop_calls(struct cp_ipc *c)
{
	(void)c;
}

int
cp_ipc_send(struct cp_ipc *c, unsigned w, struct gw_ipc_msg *m)
{
	(void)c;
	(void)w;
	if (st.n_msgs < sizeof(st.msgs) / sizeof(st.msgs[0]))
		st.msgs[st.n_msgs++] = *m;
	return 0;
}

unsigned
cp_ipc_send_room(const struct cp_ipc *c, unsigned w)
{
	(void)c;
	(void)w;
	st.room_asks++;
	if (st.room_full > 0) {
		st.room_full--;
		return 0;
	}
	return 1000;
}

int
cp_ipc_tx(struct cp_ipc *c, unsigned w, const struct gw_ipc_tx_meta *meta, const void *p,
	  size_t len)
{
	(void)c;
	(void)w;
	(void)p;
	(void)len;
	st.last_tx = *meta;
	st.n_tx++;
	return 0;
}

int
cp_ipc_on_attach(cp_ipc_attach_fn *fn, void *ctx)
{
	(void)fn;
	(void)ctx;
	return 0;
}

static cp_journal_save_fn *journal_save;
static cp_journal_load_fn *journal_load;

int
cp_journal_register(const char *name, cp_journal_save_fn *save, cp_journal_load_fn *load,
		    void *ctx)
{
	(void)name;
	(void)ctx;
	journal_save = save;
	journal_load = load;
	return 0;
}

bool
cp_journal_restored(void)
{
	return false;
}

void
cp_journal_touch(void)
{
}

bool
cp_session_port_busy(uint16_t port)
{
	(void)port;
	return false;
}

void
cp_session_set_port_guard(bool (*fn)(uint16_t port))
{
	(void)fn;
}

void
cp_session_set_evt_fallback(void (*fn)(const struct gw_ipc_msg *m))
{
	(void)fn;
}

void
cp_session_set_ice_fallback(cp_session_ice_fn *fn)
{
	ice_cb = fn;
}

void
cp_session_set_punt_fallback(cp_session_punt_fn *fn)
{
	punt = fn;
}

static const uint8_t our_fp[32] = { 0x01, 0x23 };

const struct cp_dtls_cert *
cp_session_dtls_cert(const uint8_t **fp)
{
	*fp = our_fp;
	return (const struct cp_dtls_cert *)our_fp;     /* only tested for NULL */
}

const struct cp_dtls_env *
cp_session_dtls_env(void)
{
	return NULL;
}

void
cp_calls_on_release(struct cp_calls *c, cp_calls_release_fn *fn)
{
	(void)c;
	release = fn;
}

void
cp_calls_on_totals(struct cp_calls *c, cp_calls_totals_fn *fn)
{
	(void)c;
	(void)fn;
}

int
cp_calls_drop(struct cp_calls *c, const char *id, size_t len)
{
	(void)c;
	release(NULL, id, len);
	return 0;
}

int
cp_calls_get(struct cp_calls *c, const char *id, size_t len, struct cp_calls_rec *out)
{
	(void)c;
	(void)id;
	(void)len;
	memset(out, 0, sizeof(*out));   /* the journal saves it as bytes */
	return 0;
}

int
cp_calls_put(struct cp_calls *c, const char *id, size_t len, const struct cp_calls_rec *in)
{
	(void)c;
	(void)id;
	(void)len;
	(void)in;
	return 0;
}

/* ---- the calls ------------------------------------------------------------------ */

static struct gw_config conf;
static struct cp_app app;

/* A browser's offer or answer: ufrag, fingerprint, a=setup. */
static char *
browser(const char *ufrag, const char *fp, const char *setup)
{
	static char text[2048];

	snprintf(text, sizeof(text),
		 "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
		 "a=group:BUNDLE 0\r\nm=audio 50123 UDP/TLS/RTP/SAVPF 111 0\r\n"
		 "c=IN IP4 198.18.48.2\r\n"
		 "a=candidate:1 1 udp 2122260223 198.18.48.2 50123 typ host generation 0\r\n"
		 "a=ice-ufrag:%s\r\na=ice-pwd:q2Lq9+ljz4b0mgVnN0WSlq8N\r\n"
		 "a=fingerprint:sha-256 %s\r\na=setup:%s\r\na=mid:0\r\na=sendrecv\r\n"
		 "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n",
		 ufrag, fp, setup);
	return text;
}

static const char sip_rtp[] =
	"v=0\r\no=phone 1 1 IN IP4 198.18.48.10\r\ns=-\r\nc=IN IP4 198.18.48.10\r\nt=0 0\r\n"
	"m=audio 7000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";

static char out[16384];

static struct cp_ng_str
str(const char *s)
{
	return (struct cp_ng_str){ .p = s, .len = strlen(s) };
}

/* One offer or answer with ng flags (CP_NG_F_*); the reply's SDP in out. */
static void
signal_flags(const char *call, const char *from, const char *to, const char *sdp, bool answer,
	     enum cp_ng_proto proto, enum cp_ng_ice ice, uint32_t flags)
{
	struct cp_ng_req req = { .call_id = str(call), .from_tag = str(from), .sdp = str(sdp),
				 .proto = proto, .ice = ice, .flags = flags, .limit = -1,
				 .delete_delay = -1 };
	struct cp_bencode_buf b;
	char reason[256] = "";
	int rc;

	if (to != NULL)
		req.to_tag = str(to);
	memset(out, 0, sizeof(out));
	cp_bencode_buf_init(&b, out, sizeof(out) - 1);
	rc = cp_calls_media(NULL, &req, answer, &b, reason, sizeof(reason));
	if (rc != 0)
		fail_msg("%s: %s", answer ? "answer" : "offer", reason);
}

/* One offer or answer; the reply's SDP in out. */
static void
signal_ok(const char *call, const char *from, const char *to, const char *sdp, bool answer,
	  enum cp_ng_proto proto, enum cp_ng_ice ice)
{
	signal_flags(call, from, to, sdp, answer, proto, ice, 0);
}

/* The value of attribute a (e.g. "a=ice-ufrag:") in out, or "". */
static const char *
attr(const char *a)
{
	static char v[128];
	const char *p = strstr(out, a);
	size_t n;

	v[0] = '\0';
	if (p == NULL)
		return v;
	p += strlen(a);
	n = strcspn(p, "\r\n");
	snprintf(v, sizeof(v), "%.*s", (int)(n < sizeof(v) ? n : sizeof(v) - 1), p);
	return v;
}

static unsigned
msgs_of(uint16_t type)
{
	unsigned n = 0;

	for (unsigned i = 0; i < st.n_msgs; i++)
		n += st.msgs[i].type == type;
	return n;
}

static void
end_call(const char *call)
{
	release(NULL, call, strlen(call));
}

/* A command ring without room for a moment: the offer waits for it; one
 * that stays full: refused as busy after a bounded wait, nothing sent. */
static void
test_ring_busy(void **state)
{
	struct cp_ng_req req = { .call_id = str("busy-2"), .from_tag = str("A"),
				 .sdp = str(sip_rtp), .limit = -1, .delete_delay = -1 };
	struct cp_bencode_buf b;
	char reason[256] = "";
	struct timespec t0, t1;
	double ms;

	(void)state;
	st.room_full = 5;
	signal_ok("busy-1", "A", NULL, sip_rtp, false, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_int_equal(st.room_asks, 6);
	assert_true(strstr(out, "m=audio ") != NULL);
	end_call("busy-1");

	st.room_full = 1000000;
	st.room_asks = 0;
	st.n_msgs = 0;
	cp_bencode_buf_init(&b, out, sizeof(out) - 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(cp_calls_media(NULL, &req, false, &b, reason, sizeof(reason)), -EBUSY);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_string_equal(reason, "dataplane busy (command ring full), retry");
	assert_int_equal(st.n_msgs, 0);
	assert_true(st.room_asks > 50 && st.room_asks < 200);   /* bounded: about 100 polls */
	assert_true(ms >= 10.0);        /* it paused between polls (a minimum, not a speed) */
	st.room_full = 0;
}

static int
setup(void **state)
{
	(void)state;
	memset(&st, 0, sizeof(st));
	return 0;
}

/* The browser offers (A), a plain RTP phone answers (B). Our answer's
 * credentials in ufrag/pwd. */
static void
browser_call(const char *call, char ufrag[16], char pwd[32])
{
	signal_ok(call, "A", NULL, browser("Wq7Z", FP_A, "actpass"), false, CP_NG_PROTO_RTP_AVP,
		  CP_NG_ICE_UNSET);
	signal_ok(call, "A", "B", sip_rtp, true, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	snprintf(ufrag, 16, "%s", attr("a=ice-ufrag:"));
	snprintf(pwd, 32, "%s", attr("a=ice-pwd:"));
	assert_int_equal(strlen(ufrag), 8);
	assert_int_equal(strlen(pwd), 24);
	assert_string_equal(attr("a=setup:"), "passive");
	assert_int_equal(st.ice_created, 1);
	assert_int_equal(st.dtls_created, 1);
	assert_string_equal(st.last->fp, "sha-256 " FP_A);
}

/* 1: a hold re-offer with the same ufrag and fingerprint: the same
 * credentials, no ICE or DTLS command, the DTLS endpoint kept. */
static void
test_same_ufrag(void **state)
{
	char u[16], p[32];
	unsigned before;

	(void)state;
	browser_call("c1", u, p);
	before = st.n_msgs;
	signal_ok("c1", "A", NULL, browser("Wq7Z", FP_A, "actpass"), false, CP_NG_PROTO_RTP_AVP,
		  CP_NG_ICE_UNSET);
	signal_ok("c1", "A", "B", sip_rtp, true, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_string_equal(attr("a=ice-ufrag:"), u);
	assert_string_equal(attr("a=ice-pwd:"), p);
	assert_string_equal(attr("a=setup:"), "passive");
	assert_int_equal(st.restarts + st.restarts_with, 0);
	assert_int_equal(st.dtls_created, 1);
	assert_int_equal(st.dtls_freed, 0);
	for (unsigned i = before; i < st.n_msgs; i++)
		assert_int_not_equal(st.msgs[i].type, GW_IPC_SRTP_DEL_REQ);
	end_call("c1");
	assert_int_equal(st.dtls_freed, 1);
}

/* 2: a new ufrag in the browser's re-offer: ICE restart for its ufrag, new
 * local credentials in our answer; DTLS (and its keys) untouched. */
static void
test_new_ufrag(void **state)
{
	char u[16], p[32];

	(void)state;
	browser_call("c2", u, p);
	signal_ok("c2", "A", NULL, browser("N3wU", FP_A, "actpass"), false, CP_NG_PROTO_RTP_AVP,
		  CP_NG_ICE_UNSET);
	assert_int_equal(st.restarts, 1);
	assert_string_equal(st.remote, "N3wU");
	/* the SIP side's offer carries no ICE */
	assert_string_equal(attr("a=ice-ufrag:"), "");
	signal_ok("c2", "A", "B", sip_rtp, true, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_string_equal(attr("a=ice-ufrag:"), "RSTu0001");
	assert_string_equal(attr("a=ice-pwd:"), "RSTpassword0123456789001");
	assert_string_not_equal(attr("a=ice-ufrag:"), u);
	assert_string_equal(attr("a=setup:"), "passive");
	assert_int_equal(st.dtls_created, 1);
	assert_int_equal(msgs_of(GW_IPC_SRTP_DEL_REQ), 0);
	/* the same ufrag again (a later hold): no second restart */
	signal_ok("c2", "A", NULL, browser("N3wU", FP_A, "actpass"), false, CP_NG_PROTO_RTP_AVP,
		  CP_NG_ICE_UNSET);
	signal_ok("c2", "A", "B", sip_rtp, true, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_int_equal(st.restarts, 1);
	assert_string_equal(attr("a=ice-ufrag:"), "RSTu0001");
	end_call("c2");
}

/* The SRTP_ADD_REQ messages for leg, and the key byte of the last. */
static unsigned
keys_for(uint32_t leg, uint8_t *key)
{
	unsigned n = 0;

	for (unsigned i = 0; i < st.n_msgs; i++)
		if (st.msgs[i].type == GW_IPC_SRTP_ADD_REQ && st.msgs[i].u.srtp_keys.leg_id == leg) {
			n++;
			*key = st.msgs[i].u.srtp_keys.recv_key[0];
		}
	return n;
}

/* The DTLS endpoint connects (a datagram on its port moves it on). */
static void
dtls_connects(uint16_t port)
{
	st.last->state = CP_DTLS_CONNECTED;
	punt(&(struct cp_addr){ .family = AF_INET, .ip4 = 0xc6123002u }, 50123, port,
	     (const uint8_t *)"\x16", 1);
}

/* The dataplane leg id of port (the legs' GW_IPC_MEDIA_ADD commands). */
static uint32_t
leg_on(uint16_t port)
{
	for (unsigned i = 0; i < st.n_msgs; i++)
		if (st.msgs[i].type == GW_IPC_MEDIA_LEG_REQ &&
		    st.msgs[i].u.media_leg.op == GW_IPC_MEDIA_ADD && st.msgs[i].u.media_leg.port == port)
			return st.msgs[i].u.media_leg.leg_id;
	fail_msg("no leg on port %u", port);
	return 0;
}

/* 3: a new fingerprint: the old keys leave the dataplane, a new DTLS
 * endpoint for it, and its keys are installed when it connects. */
static void
test_new_fingerprint(void **state)
{
	char u[16], p[32];
	uint16_t port;
	uint32_t leg;
	uint8_t key = 0;

	(void)state;
	browser_call("c3", u, p);
	port = (uint16_t)atoi(strstr(out, "m=audio ") + 8);
	leg = leg_on(port);
	dtls_connects(port);
	assert_int_equal(keys_for(leg, &key), 1);
	assert_int_equal(key, 1);
	st.n_msgs = 0;
	signal_ok("c3", "A", NULL, browser("Wq7Z", FP_B, "actpass"), false, CP_NG_PROTO_RTP_AVP,
		  CP_NG_ICE_UNSET);
	assert_int_equal(msgs_of(GW_IPC_SRTP_DEL_REQ), 1);
	for (unsigned i = 0; i < st.n_msgs; i++)
		if (st.msgs[i].type == GW_IPC_SRTP_DEL_REQ)
			assert_int_equal(st.msgs[i].u.srtp_del.leg_id, leg);
	assert_int_equal(st.dtls_created, 2);
	assert_int_equal(st.dtls_freed, 1);
	assert_string_equal(st.last->fp, "sha-256 " FP_B);
	assert_int_equal(st.last->role, CP_DTLS_SERVER);
	assert_int_equal(st.restarts + st.restarts_with, 0);   /* same ufrag: ICE stays */
	signal_ok("c3", "A", "B", sip_rtp, true, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_string_equal(attr("a=ice-ufrag:"), u);
	assert_string_equal(attr("a=setup:"), "passive");
	assert_int_equal(keys_for(leg, &key), 0);
	dtls_connects(port);
	assert_int_equal(keys_for(leg, &key), 1);
	assert_int_equal(key, 2);              /* the new endpoint's keys */
	/* 4: an a=setup:passive re-offer takes our server role: a new
	 * association again, we are its client now */
	signal_ok("c3", "A", NULL, browser("Wq7Z", FP_B, "passive"), false, CP_NG_PROTO_RTP_AVP,
		  CP_NG_ICE_UNSET);
	assert_int_equal(st.dtls_created, 3);
	assert_int_equal(st.last->role, CP_DTLS_CLIENT);
	assert_true(st.last->started);
	signal_ok("c3", "A", "B", sip_rtp, true, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_string_equal(attr("a=setup:"), "active");
	/* and an actpass re-offer keeps the association (and our role) */
	signal_ok("c3", "A", NULL, browser("Wq7Z", FP_B, "actpass"), false, CP_NG_PROTO_RTP_AVP,
		  CP_NG_ICE_UNSET);
	signal_ok("c3", "A", "B", sip_rtp, true, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_int_equal(st.dtls_created, 3);
	assert_string_equal(attr("a=setup:"), "active");
	end_call("c3");
}

/* 5: the browser is the answerer and restarts in its answer to a SIP
 * re-offer: its new ufrag goes to the dataplane with our credentials kept
 * (the answer cannot tell it new ones). */
static void
test_answer_restart(void **state)
{
	char u[16], p[32];

	(void)state;
	signal_ok("c5", "S", NULL, sip_rtp, false, CP_NG_PROTO_UDP_TLS_RTP_SAVPF, CP_NG_ICE_FORCE);
	snprintf(u, sizeof(u), "%s", attr("a=ice-ufrag:"));
	snprintf(p, sizeof(p), "%s", attr("a=ice-pwd:"));
	signal_ok("c5", "S", "W", browser("Wq7Z", FP_A, "active"), true, CP_NG_PROTO_UNSET,
		  CP_NG_ICE_UNSET);
	assert_int_equal(st.dtls_created, 1);
	signal_ok("c5", "S", NULL, sip_rtp, false, CP_NG_PROTO_UDP_TLS_RTP_SAVPF, CP_NG_ICE_FORCE);
	assert_string_equal(attr("a=ice-ufrag:"), u);
	assert_string_equal(attr("a=ice-pwd:"), p);
	signal_ok("c5", "S", "W", browser("An5w", FP_A, "active"), true, CP_NG_PROTO_UNSET,
		  CP_NG_ICE_UNSET);
	assert_int_equal(st.restarts, 0);
	assert_int_equal(st.restarts_with, 1);
	assert_string_equal(st.restart_local, u);
	assert_string_equal(st.remote, "An5w");
	assert_int_equal(st.dtls_created, 1);
	/* our next re-offer still carries the credentials it knows */
	signal_ok("c5", "S", NULL, sip_rtp, false, CP_NG_PROTO_UDP_TLS_RTP_SAVPF, CP_NG_ICE_FORCE);
	assert_string_equal(attr("a=ice-ufrag:"), u);
	end_call("c5");
}


/* ---- BUNDLE: audio + video on the WebRTC leg's one port -------------------------- */

/* A browser's audio+video description: mids ma and mv (kept in what it is
 * sent), a=setup:setup; vpt: the video section's first payload type. */
static char *
browser_avm(int vpt, const char *ma, const char *mv, const char *setup)
{
	static char text[4096];

	snprintf(text, sizeof(text),
		 "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
		 "a=group:BUNDLE %s %s\r\n"
		 "m=audio 50123 UDP/TLS/RTP/SAVPF 111 0\r\nc=IN IP4 198.18.48.2\r\n"
		 "a=candidate:1 1 udp 2122260223 198.18.48.2 50123 typ host generation 0\r\n"
		 "a=ice-ufrag:Wq7Z\r\na=ice-pwd:q2Lq9+ljz4b0mgVnN0WSlq8N\r\n"
		 "a=fingerprint:sha-256 " FP_A "\r\na=setup:%s\r\na=mid:%s\r\na=sendrecv\r\n"
		 "a=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\n"
		 "m=video 50123 UDP/TLS/RTP/SAVPF %d 97\r\nc=IN IP4 198.18.48.2\r\n"
		 "a=ice-ufrag:Wq7Z\r\na=ice-pwd:q2Lq9+ljz4b0mgVnN0WSlq8N\r\n"
		 "a=fingerprint:sha-256 " FP_A "\r\na=setup:%s\r\na=mid:%s\r\na=sendrecv\r\n"
		 "a=rtcp-mux\r\na=rtpmap:%d VP8/90000\r\na=rtpmap:97 rtx/90000\r\n"
		 "a=fmtp:97 apt=%d\r\n",
		 ma, mv, setup, ma, vpt, setup, mv, vpt, vpt);
	return text;
}

static char *
browser_av(int vpt)
{
	return browser_avm(vpt, "a0", "v1", "actpass");
}

/* A SIP phone's audio+video description: PCMU on 7000, VP8 (vpt) on 7002. */
static char *
sip_av(int vpt)
{
	static char text[1024];

	snprintf(text, sizeof(text),
		 "v=0\r\no=phone 1 1 IN IP4 198.18.48.10\r\ns=-\r\nc=IN IP4 198.18.48.10\r\n"
		 "t=0 0\r\nm=audio 7000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
		 "m=video 7002 RTP/AVP %d\r\na=rtpmap:%d VP8/90000\r\na=sendrecv\r\n", vpt, vpt);
	return text;
}

/* One offer or answer that must be refused: its reason. */
static const char *
signal_refused(const char *call, const char *from, const char *to, const char *sdp, bool answer,
	       enum cp_ng_proto proto, enum cp_ng_ice ice)
{
	struct cp_ng_req req = { .call_id = str(call), .from_tag = str(from), .sdp = str(sdp),
				 .proto = proto, .ice = ice, .limit = -1, .delete_delay = -1 };
	struct cp_bencode_buf b;
	static char reason[256];
	int rc;

	if (to != NULL)
		req.to_tag = str(to);
	reason[0] = '\0';
	cp_bencode_buf_init(&b, out, sizeof(out) - 1);
	rc = cp_calls_media(NULL, &req, answer, &b, reason, sizeof(reason));
	assert_int_not_equal(rc, 0);
	return reason;
}

/* The m= line ports of out, in order. */
static unsigned
ports_of(uint16_t *port, unsigned max)
{
	unsigned n = 0;

	for (const char *p = strstr(out, "m="); p != NULL && n < max; p = strstr(p + 2, "\nm=")) {
		const char *sp = strchr(p, ' ');

		port[n++] = (uint16_t)atoi(sp + 1);
	}
	return n;
}

static unsigned
count_of(const char *needle)
{
	unsigned n = 0;

	for (const char *p = strstr(out, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

static bool
pt_in(const uint8_t mask[16], unsigned pt)
{
	return (mask[pt / 8] >> (pt % 8) & 1) != 0;
}

/* The last RULE command of kind rule on leg: its target (0: none). */
static uint32_t
rule_of(uint32_t leg, uint8_t rule)
{
	uint32_t to = 0;

	for (unsigned i = 0; i < st.n_msgs; i++) {
		const struct gw_ipc_media_leg *c = &st.msgs[i].u.media_leg;

		if (st.msgs[i].type == GW_IPC_MEDIA_LEG_REQ && c->op == GW_IPC_MEDIA_RULE &&
		    c->leg_id == leg && c->rule == rule)
			to = c->pub_leg_id;
	}
	return to;
}

/* The last DEMUX command for slot on leg (NULL: none). */
static const struct gw_ipc_media_demux *
demux_of(uint32_t leg, unsigned slot)
{
	const struct gw_ipc_media_demux *d = NULL;

	for (unsigned i = 0; i < st.n_msgs; i++) {
		const struct gw_ipc_media_demux *c = &st.msgs[i].u.media_demux;

		if (st.msgs[i].type == GW_IPC_MEDIA_LEG_REQ && c->op == GW_IPC_MEDIA_DEMUX &&
		    c->leg_id == leg && c->slot == slot)
			d = c;
	}
	return d;
}

/* The SIP side's two sections (ports sp[0], sp[1]) and the WebRTC leg on wp:
 * the dataplane rules between them. */
static void
check_bundle_rules(uint16_t wp, const uint16_t sp[2], unsigned vpt)
{
	uint32_t w = leg_on(wp), a = leg_on(sp[0]), v = leg_on(sp[1]);
	const struct gw_ipc_media_demux *d0 = demux_of(w, 0), *d1 = demux_of(w, 1);

	/* each SIP section's RTP and RTCP to the one WebRTC leg */
	assert_int_equal(rule_of(a, GW_IPC_MEDIA_RULE_BRIDGE), w);
	assert_int_equal(rule_of(v, GW_IPC_MEDIA_RULE_BRIDGE), w);
	assert_int_equal(rule_of(leg_on((uint16_t)(sp[1] + 1)), GW_IPC_MEDIA_RULE_BRIDGE), w);
	/* the WebRTC leg's RTP by payload type: audio's to the audio port, video's
	 * (and its RTX) to the video port; RTCP to the SIP RTCP legs */
	assert_non_null(d0);
	assert_non_null(d1);
	assert_int_equal(d0->to_rtp, a);
	assert_int_equal(d1->to_rtp, v);
	assert_int_equal(d0->to_rtcp, leg_on((uint16_t)(sp[0] + 1)));
	assert_int_equal(d1->to_rtcp, leg_on((uint16_t)(sp[1] + 1)));
	assert_true(pt_in(d0->pt_mask, 0));
	assert_false(pt_in(d0->pt_mask, vpt));
	assert_true(pt_in(d1->pt_mask, vpt));
	assert_false(pt_in(d1->pt_mask, 0));
	assert_false(pt_in(d1->pt_mask, 111));
	/* no second WebRTC dataplane leg: the video section rides on the first */
	assert_int_equal(rule_of(leg_on((uint16_t)(wp + 2)), GW_IPC_MEDIA_RULE_BRIDGE), 0);
}

/* 6: the browser offers audio+video bundled; the phone answers with two
 * port pairs. The phone's offer has a port pair per section and no BUNDLE;
 * the browser's answer bundles both on one port with its own mids. */
static void
test_bundle_browser_offers(void **state)
{
	uint16_t port[4] = { 0 }, sp[2] = { 0 };
	uint32_t wl, bl;

	(void)state;
	signal_ok("b1", "A", NULL, browser_av(96), false, CP_NG_PROTO_RTP_AVP, CP_NG_ICE_UNSET);
	assert_int_equal(ports_of(sp, 4), 2);
	assert_int_equal(sp[1], sp[0] + 2);
	assert_null(strstr(out, "a=group:BUNDLE"));
	assert_null(strstr(out, "a=ice-ufrag:"));
	assert_int_equal(count_of("RTP/AVP "), 2);
	signal_ok("b1", "A", "B", sip_av(96), true, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_int_equal(ports_of(port, 4), 2);
	assert_int_equal(port[0], port[1]);                 /* RFC 8843: one port */
	assert_non_null(strstr(out, "a=group:BUNDLE a0 v1\r\n"));
	assert_non_null(strstr(out, "a=mid:a0\r\n"));
	assert_non_null(strstr(out, "a=mid:v1\r\n"));
	assert_int_equal(count_of("a=rtcp-mux\r\n"), 2);
	assert_int_equal(count_of("UDP/TLS/RTP/SAVPF"), 2);
	assert_int_equal(st.ice_created, 1);                /* one ICE leg, one DTLS */
	assert_int_equal(st.dtls_created, 1);
	check_bundle_rules(port[0], sp, 96);
	/* the keys of the one association go on the one leg */
	dtls_connects(port[0]);
	{
		uint8_t key = 0;

		assert_int_equal(keys_for(leg_on(port[0]), &key), 1);
		assert_int_equal(keys_for(leg_on((uint16_t)(port[0] + 2)), &key), 0);
	}
	/* a re-offer with the same types: no DEMUX sent again */
	wl = leg_on(port[0]);
	bl = leg_on(sp[0]);
	st.n_msgs = 0;
	signal_ok("b1", "A", NULL, browser_av(96), false, CP_NG_PROTO_RTP_AVP, CP_NG_ICE_UNSET);
	signal_ok("b1", "A", "B", sip_av(96), true, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_non_null(strstr(out, "a=group:BUNDLE a0 v1\r\n"));
	for (unsigned i = 0; i < st.n_msgs; i++)
		assert_false(st.msgs[i].type == GW_IPC_MEDIA_LEG_REQ &&
			     st.msgs[i].u.media_leg.op == GW_IPC_MEDIA_DEMUX);
	/* the phone's party re-offers as a browser (WebRTC, BUNDLE; issue 9's
	 * transport change): both sides ride one leg each now, so the routes
	 * by payload type on A's leg are cleared, not set again, and the two
	 * legs bridge to each other */
	st.n_msgs = 0;
	signal_ok("b1", "B", NULL, browser_avm(96, "0", "1", "actpass"), false, CP_NG_PROTO_UNSET,
		  CP_NG_ICE_UNSET);
	assert_int_equal(st.ice_created, 2);    /* the phone's party's own ICE leg */
	for (unsigned i = 0; i < 2; i++) {
		assert_non_null(demux_of(wl, i));
		assert_int_equal(demux_of(wl, i)->to_rtp, 0);
	}
	assert_int_equal(rule_of(wl, GW_IPC_MEDIA_RULE_BRIDGE), bl);
	assert_int_equal(rule_of(bl, GW_IPC_MEDIA_RULE_BRIDGE), wl);
	end_call("b1");
}

/* 7: the phone offers audio+video, the browser gets them bundled (mids 0
 * and 1 chosen, one port) and answers. */
static void
test_bundle_sip_offers(void **state)
{
	uint16_t port[4] = { 0 }, sp[2] = { 0 };

	(void)state;
	signal_ok("b2", "S", NULL, sip_av(100), false, CP_NG_PROTO_UDP_TLS_RTP_SAVPF,
		  CP_NG_ICE_FORCE);
	assert_int_equal(ports_of(port, 4), 2);
	assert_int_equal(port[0], port[1]);
	assert_non_null(strstr(out, "a=group:BUNDLE 0 1\r\n"));
	assert_non_null(strstr(out, "a=mid:0\r\n"));
	assert_non_null(strstr(out, "a=mid:1\r\n"));
	assert_int_equal(count_of("a=rtcp-mux\r\n"), 2);
	assert_int_equal(count_of("a=setup:actpass"), 2);
	/* the browser answers with those mids; the phone gets the answer on
	 * its two port pairs */
	signal_ok("b2", "S", "W", browser_avm(100, "0", "1", "active"), true, CP_NG_PROTO_UNSET,
		  CP_NG_ICE_UNSET);
	assert_int_equal(ports_of(sp, 4), 2);
	assert_int_equal(sp[1], sp[0] + 2);
	assert_null(strstr(out, "a=group:BUNDLE"));
	assert_int_equal(st.ice_created, 1);
	assert_int_equal(st.dtls_created, 1);
	check_bundle_rules(port[0], sp, 100);
	/* a SIP re-offer keeps the mids the browser knows */
	signal_ok("b2", "S", NULL, sip_av(100), false, CP_NG_PROTO_UDP_TLS_RTP_SAVPF,
		  CP_NG_ICE_FORCE);
	assert_non_null(strstr(out, "a=group:BUNDLE 0 1\r\n"));
	/* reset to plain RTP (issue 9's transport change): the browser's
	 * party gets a port pair per section, its leg's routes by payload type
	 * are cleared and each section's legs bridge to the phone's */
	signal_flags("b2", "S", NULL, sip_av(100), false, CP_NG_PROTO_RTP_AVP, CP_NG_ICE_UNSET,
		     CP_NG_F_RESET);
	assert_int_equal(ports_of(port, 4), 2);
	assert_int_equal(port[1], port[0] + 2);
	assert_null(strstr(out, "a=group:BUNDLE"));
	for (unsigned i = 0; i < 2; i++) {
		assert_non_null(demux_of(leg_on(port[0]), i));
		assert_int_equal(demux_of(leg_on(port[0]), i)->to_rtp, 0);
	}
	signal_ok("b2", "S", "W", sip_av(100), true, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(rule_of(leg_on(port[i]), GW_IPC_MEDIA_RULE_BRIDGE), leg_on(sp[i]));
		assert_int_equal(rule_of(leg_on(sp[i]), GW_IPC_MEDIA_RULE_BRIDGE), leg_on(port[i]));
	}
	end_call("b2");
}

/* 8: payload types that repeat across bundled sections cannot be demuxed:
 * the offer (both sections 96) and an answer that brings a type of the
 * other section (the phone's video on 0, audio's PCMU) are refused, and
 * the call stays as it was. */
static void
test_bundle_pt_overlap(void **state)
{
	const char *why;

	(void)state;
	why = signal_refused("b3", "A", NULL, browser_avm(0, "a0", "v1", "actpass"), false,
			     CP_NG_PROTO_RTP_AVP, CP_NG_ICE_UNSET);
	assert_non_null(strstr(why, "BUNDLE: payload type 0 in m= sections 0 and 1"));
	signal_ok("b3", "A", NULL, browser_av(96), false, CP_NG_PROTO_RTP_AVP, CP_NG_ICE_UNSET);
	why = signal_refused("b3", "A", "B", sip_av(0), true, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_non_null(strstr(why, "payload type 0 in m= sections 0 and 1"));
	/* the right answer still goes through */
	signal_ok("b3", "A", "B", sip_av(96), true, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_non_null(strstr(out, "a=group:BUNDLE a0 v1\r\n"));
	end_call("b3");
	/* the phone offers them: refused before anything reaches the browser */
	why = signal_refused("b4", "S", NULL, sip_av(0), false, CP_NG_PROTO_UDP_TLS_RTP_SAVPF,
			     CP_NG_ICE_FORCE);
	assert_non_null(strstr(why, "payload type 0"));
	/* a plain-to-plain call is not bundled: no such check */
	signal_ok("b5", "S", NULL, sip_av(0), false, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	end_call("b5");
}

/* 9: an SDES phone's audio+video offer toward a browser: its two sections
 * keyed on their own legs (RTP and RTCP each), the browser bundled on one
 * port whose one association's keys go on the one WebRTC leg. */
static void
test_bundle_sdes(void **state)
{
	static const char sdes_av[] =
		"v=0\r\no=phone 1 1 IN IP4 198.18.48.10\r\ns=-\r\nc=IN IP4 198.18.48.10\r\n"
		"t=0 0\r\nm=audio 7000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n"
		"a=sendrecv\r\nm=video 7002 RTP/SAVP 100\r\na=rtpmap:100 VP8/90000\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"
		"a=sendrecv\r\n";
	uint16_t port[4] = { 0 }, sp[2] = { 0 };
	uint8_t key = 0;

	(void)state;
	signal_ok("b6", "S", NULL, sdes_av, false, CP_NG_PROTO_UDP_TLS_RTP_SAVPF, CP_NG_ICE_FORCE);
	assert_int_equal(ports_of(port, 4), 2);
	assert_int_equal(port[0], port[1]);
	assert_null(strstr(out, "a=crypto"));
	signal_ok("b6", "S", "W", browser_avm(100, "0", "1", "active"), true, CP_NG_PROTO_UNSET,
		  CP_NG_ICE_UNSET);
	assert_int_equal(ports_of(sp, 4), 2);
	assert_int_equal(count_of("RTP/SAVP "), 2);
	assert_int_equal(count_of("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"), 2);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(keys_for(leg_on(sp[i]), &key), 1);
		assert_int_equal(keys_for(leg_on((uint16_t)(sp[i] + 1)), &key), 1);
	}
	check_bundle_rules(port[0], sp, 100);
	dtls_connects(port[0]);
	assert_int_equal(keys_for(leg_on(port[0]), &key), 1);
	assert_int_equal(keys_for(leg_on((uint16_t)(port[0] + 2)), &key), 0);
	end_call("b6");
}

/* The last SRTP_ADD_REQ for leg (fails when there is none). */
static const struct gw_ipc_srtp_keys *
srtp_of(uint32_t leg)
{
	const struct gw_ipc_srtp_keys *q = NULL;

	for (unsigned i = 0; i < st.n_msgs; i++)
		if (st.msgs[i].type == GW_IPC_SRTP_ADD_REQ && st.msgs[i].u.srtp_keys.leg_id == leg)
			q = &st.msgs[i].u.srtp_keys;
	if (q == NULL)
		fail_msg("no keys on leg %u", leg);
	return q;
}

/* The key of "a=crypto:<tag> <suite> inline:..." in m= section sec of out. */
static void
crypto_in(unsigned sec, unsigned tag, const char *suite, struct cp_sdes_key *k)
{
	const char *m = strstr(out, "m=");
	char head[64], kp[128], why[64];
	const char *a, *next;
	size_t n;

	for (unsigned i = 0; i < sec && m != NULL; i++)
		m = strstr(m + 2, "\nm=");
	assert_non_null(m);
	next = strstr(m + 2, "\nm=");
	snprintf(head, sizeof(head), "a=crypto:%u %s ", tag, suite);
	a = strstr(m, head);
	if (a == NULL || (next != NULL && a > next))
		fail_msg("no %s in m= section %u", head, sec);
	a += strlen(head);
	n = strcspn(a, "\r\n");
	snprintf(kp, sizeof(kp), "%.*s", (int)n, a);
	assert_int_equal(cp_sdes_parse(k, suite, kp, why, sizeof(why)), 0);
}

/* 10: a key per section. An SDES phone offers audio with
 * AES_CM_128_HMAC_SHA1_80 (tag 1) and video with AES_CM_128_HMAC_SHA1_32
 * (tag 2): each section's answer has its suite and tag and a key of its own,
 * and each section's legs run that suite with the phone's key of the
 * section and ours. */
static void
test_sdes_suite_per_section(void **state)
{
	static const char offer[] =
		"v=0\r\no=phone 1 1 IN IP4 198.18.48.10\r\ns=-\r\nc=IN IP4 198.18.48.10\r\n"
		"t=0 0\r\nm=audio 7000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n"
		"a=sendrecv\r\nm=video 7002 RTP/SAVP 100\r\na=rtpmap:100 VP8/90000\r\n"
		"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n"
		"a=sendrecv\r\n";
	struct cp_sdes_key theirs[2], ours[2];
	char why[64];
	uint16_t sp[2] = { 0 };

	(void)state;
	assert_int_equal(cp_sdes_parse(&theirs[0], "AES_CM_128_HMAC_SHA1_80",
				       "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR", why,
				       sizeof(why)), 0);
	assert_int_equal(cp_sdes_parse(&theirs[1], "AES_CM_128_HMAC_SHA1_32",
				       "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz", why,
				       sizeof(why)), 0);
	signal_ok("k1", "S", NULL, offer, false, CP_NG_PROTO_UDP_TLS_RTP_SAVPF, CP_NG_ICE_FORCE);
	signal_ok("k1", "S", "W", browser_avm(100, "0", "1", "active"), true, CP_NG_PROTO_UNSET,
		  CP_NG_ICE_UNSET);
	assert_int_equal(ports_of(sp, 2), 2);
	assert_int_equal(count_of("a=crypto:"), 2);
	crypto_in(0, 1, "AES_CM_128_HMAC_SHA1_80", &ours[0]);
	crypto_in(1, 2, "AES_CM_128_HMAC_SHA1_32", &ours[1]);
	assert_memory_not_equal(ours[0].key, ours[1].key, sizeof(ours[0].key));
	for (unsigned i = 0; i < 2; i++) {
		for (unsigned c = 0; c < 2; c++) {
			const struct gw_ipc_srtp_keys *q = srtp_of(leg_on((uint16_t)(sp[i] + c)));

			assert_int_equal(q->profile, i == 0 ? CP_SDES_PROFILE_CM_80
							    : CP_SDES_PROFILE_CM_32);
			assert_memory_equal(q->recv_key, theirs[i].key, sizeof(q->recv_key));
			assert_memory_equal(q->recv_salt, theirs[i].salt, 14);
			assert_memory_equal(q->send_key, ours[i].key, sizeof(q->send_key));
			assert_memory_equal(q->send_salt, ours[i].salt, 14);
		}
	}
	/* a re-offer with the same lines keeps our keys (and the contexts) */
	st.n_msgs = 0;
	signal_ok("k1", "S", NULL, offer, false, CP_NG_PROTO_UDP_TLS_RTP_SAVPF, CP_NG_ICE_FORCE);
	assert_int_equal(msgs_of(GW_IPC_SRTP_ADD_REQ), 0);
	/* the browser re-offers: the phone is offered the keys it has under
	 * their suites, and an answer keeping the suites installs nothing new */
	signal_ok("k1", "W", NULL, browser_avm(100, "0", "1", "actpass"), false,
		  CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_int_equal(count_of("a=crypto:"), 6);
	crypto_in(0, 1, "AES_CM_128_HMAC_SHA1_80", &theirs[0]);
	assert_memory_equal(theirs[0].key, ours[0].key, sizeof(ours[0].key));
	crypto_in(1, 2, "AES_CM_128_HMAC_SHA1_32", &theirs[1]);
	assert_memory_equal(theirs[1].key, ours[1].key, sizeof(ours[1].key));
	st.n_msgs = 0;
	signal_ok("k1", "W", "S", offer, true, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_int_equal(msgs_of(GW_IPC_SRTP_ADD_REQ), 0);
	end_call("k1");
}

/* 11: we offer an SDES phone audio+video (the browser offered): every
 * section has the three suites under keys of its own; the phone picks
 * AES_CM_128_HMAC_SHA1_80 for audio and AEAD_AES_128_GCM for video, and
 * each section sends with the key we offered there under that tag. An
 * answer whose tag we did not offer in a section is refused. */
static void
test_sdes_offer_per_section(void **state)
{
	static const char fmt[] =
		"v=0\r\no=phone 1 1 IN IP4 198.18.48.10\r\ns=-\r\nc=IN IP4 198.18.48.10\r\n"
		"t=0 0\r\nm=audio 7000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n"
		"a=sendrecv\r\nm=video 7002 RTP/SAVP 100\r\na=rtpmap:100 VP8/90000\r\n"
		"a=crypto:%u %s inline:%s\r\na=sendrecv\r\n";
	char answer[1024];
	struct cp_sdes_key a[3], v[3];
	uint16_t sp[2] = { 0 };
	const char *why;

	(void)state;
	signal_ok("k2", "W", NULL, browser_avm(100, "0", "1", "actpass"), false,
		  CP_NG_PROTO_RTP_SAVP, CP_NG_ICE_REMOVE);
	assert_int_equal(ports_of(sp, 2), 2);
	assert_int_equal(count_of("a=crypto:"), 6);
	crypto_in(0, 1, "AES_CM_128_HMAC_SHA1_80", &a[0]);
	crypto_in(0, 2, "AES_CM_128_HMAC_SHA1_32", &a[1]);
	crypto_in(0, 3, "AEAD_AES_128_GCM", &a[2]);
	crypto_in(1, 1, "AES_CM_128_HMAC_SHA1_80", &v[0]);
	crypto_in(1, 2, "AES_CM_128_HMAC_SHA1_32", &v[1]);
	crypto_in(1, 3, "AEAD_AES_128_GCM", &v[2]);
	for (unsigned j = 0; j < 3; j++) {
		assert_memory_not_equal(a[j].key, v[j].key, sizeof(a[j].key));
		assert_memory_not_equal(a[j].key, a[(j + 1) % 3].key, sizeof(a[j].key));
	}
	/* tag 3 is GCM in what we offered: AES_CM_128_HMAC_SHA1_32 under it is not */
	snprintf(answer, sizeof(answer), fmt, 3u, "AES_CM_128_HMAC_SHA1_32",
		 "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz");
	why = signal_refused("k2", "W", "P", answer, true, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_non_null(strstr(why, "a=crypto:3 in m= section 1"));
	snprintf(answer, sizeof(answer), fmt, 3u, "AEAD_AES_128_GCM",
		 "KCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/QEFCQw==");
	signal_ok("k2", "W", "P", answer, true, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_int_equal(srtp_of(leg_on(sp[0]))->profile, CP_SDES_PROFILE_CM_80);
	assert_memory_equal(srtp_of(leg_on(sp[0]))->send_key, a[0].key, sizeof(a[0].key));
	assert_memory_equal(srtp_of(leg_on((uint16_t)(sp[0] + 1)))->send_key, a[0].key,
			    sizeof(a[0].key));
	assert_int_equal(srtp_of(leg_on(sp[1]))->profile, CP_SDES_PROFILE_GCM128);
	assert_memory_equal(srtp_of(leg_on(sp[1]))->send_key, v[2].key, sizeof(v[2].key));
	assert_memory_equal(srtp_of(leg_on(sp[1]))->send_salt, v[2].salt, 12);
	/* a re-offer from the browser offers the phone the same keys again */
	signal_ok("k2", "W", NULL, browser_avm(100, "0", "1", "actpass"), false,
		  CP_NG_PROTO_RTP_SAVP, CP_NG_ICE_REMOVE);
	crypto_in(1, 3, "AEAD_AES_128_GCM", &v[1]);
	assert_memory_equal(v[1].key, v[2].key, sizeof(v[2].key));
	end_call("k2");
}

/* An SDES phone's one audio section with a=crypto:tag suite inline:key. */
static const char *
sdes_audio(unsigned tag, const char *suite, const char *key)
{
	static char text[512];

	snprintf(text, sizeof(text),
		 "v=0\r\no=phone 1 1 IN IP4 198.18.48.10\r\ns=-\r\nc=IN IP4 198.18.48.10\r\n"
		 "t=0 0\r\nm=audio 7000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
		 "a=crypto:%u %s inline:%s\r\na=sendrecv\r\n", tag, suite, key);
	return text;
}

/* The SRTP_ADD_REQ messages since st.n_msgs was last cleared, on leg, all
 * with flags (fails otherwise); how many. */
static unsigned
adds_on(uint32_t leg, uint8_t flags)
{
	unsigned n = 0;

	for (unsigned i = 0; i < st.n_msgs; i++) {
		const struct gw_ipc_srtp_keys *q = &st.msgs[i].u.srtp_keys;

		if (st.msgs[i].type != GW_IPC_SRTP_ADD_REQ || q->leg_id != leg)
			continue;
		assert_int_equal(q->flags, flags);
		n++;
	}
	return n;
}

/* 12: SDES re-keying installs only the halves whose key changed: a re-offer
 * with a new key of the phone's (same suite) re-keys the receive contexts of
 * its legs and leaves ours (our key, its rollover counter and the phone's
 * view of our stream go on); a new suite re-keys both; after the browser
 * re-offers, the phone's answer with a new key of its own under the suite
 * and tag it had re-keys its half only, one under another tag both. */
static void
test_sdes_rekey(void **state)
{
	const char *k1 = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";
	const char *k2 = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";
	const char *k3 = "KCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4/QEFCQ0RF";
	const char *k4 = "RkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl9gYWJj";
	const uint8_t both = GW_IPC_SRTP_F_RECV | GW_IPC_SRTP_F_SEND;
	struct cp_sdes_key theirs, ours, ours2;
	uint32_t rtp, rtcp;
	uint16_t sp = 0;
	char kp[64], why[64];

	(void)state;
	signal_ok("k3", "S", NULL, sdes_audio(1, "AES_CM_128_HMAC_SHA1_80", k1), false,
		  CP_NG_PROTO_UDP_TLS_RTP_SAVPF, CP_NG_ICE_FORCE);
	signal_ok("k3", "S", "W", browser("Wq7Z", FP_A, "active"), true, CP_NG_PROTO_UNSET,
		  CP_NG_ICE_UNSET);
	assert_int_equal(ports_of(&sp, 1), 1);
	rtp = leg_on(sp);
	rtcp = leg_on((uint16_t)(sp + 1));
	assert_int_equal(adds_on(rtp, both), 1);
	assert_int_equal(adds_on(rtcp, both), 1);
	crypto_in(0, 1, "AES_CM_128_HMAC_SHA1_80", &ours);

	/* the phone's new key, same suite and tag: its half only, our key kept */
	st.n_msgs = 0;
	signal_ok("k3", "S", NULL, sdes_audio(1, "AES_CM_128_HMAC_SHA1_80", k2), false,
		  CP_NG_PROTO_UDP_TLS_RTP_SAVPF, CP_NG_ICE_FORCE);
	assert_int_equal(adds_on(rtp, GW_IPC_SRTP_F_RECV), 1);
	assert_int_equal(adds_on(rtcp, GW_IPC_SRTP_F_RECV), 1);
	snprintf(kp, sizeof(kp), "inline:%s", k2);
	assert_int_equal(cp_sdes_parse(&theirs, "AES_CM_128_HMAC_SHA1_80", kp, why, sizeof(why)), 0);
	assert_memory_equal(srtp_of(rtp)->recv_key, theirs.key, sizeof(theirs.key));
	/* (the answer the phone gets still carries our key) */
	signal_ok("k3", "S", "W", browser("Wq7Z", FP_A, "active"), true, CP_NG_PROTO_UNSET,
		  CP_NG_ICE_UNSET);
	crypto_in(0, 1, "AES_CM_128_HMAC_SHA1_80", &ours2);
	assert_memory_equal(ours2.key, ours.key, sizeof(ours.key));

	/* another suite: a key of ours of that suite too, both halves */
	st.n_msgs = 0;
	signal_ok("k3", "S", NULL, sdes_audio(1, "AES_CM_128_HMAC_SHA1_32", k3), false,
		  CP_NG_PROTO_UDP_TLS_RTP_SAVPF, CP_NG_ICE_FORCE);
	assert_int_equal(adds_on(rtp, both), 1);
	assert_int_equal(srtp_of(rtp)->profile, CP_SDES_PROFILE_CM_32);

	/* the browser re-offers: the phone is offered our _32 key under tag 2;
	 * its answer keeps suite and our key with a new key of its own: its
	 * half only */
	signal_ok("k3", "W", NULL, browser("Wq7Z", FP_A, "actpass"), false, CP_NG_PROTO_UNSET,
		  CP_NG_ICE_UNSET);
	st.n_msgs = 0;
	signal_ok("k3", "W", "S", sdes_audio(2, "AES_CM_128_HMAC_SHA1_32", k4), true,
		  CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_int_equal(adds_on(rtp, GW_IPC_SRTP_F_RECV), 1);
	assert_int_equal(adds_on(rtcp, GW_IPC_SRTP_F_RECV), 1);
	/* the same answer again: nothing */
	st.n_msgs = 0;
	signal_ok("k3", "W", "S", sdes_audio(2, "AES_CM_128_HMAC_SHA1_32", k4), true,
		  CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_int_equal(msgs_of(GW_IPC_SRTP_ADD_REQ), 0);
	/* an answer under tag 1 (_80, a key of ours it had not used): both */
	st.n_msgs = 0;
	signal_ok("k3", "W", "S", sdes_audio(1, "AES_CM_128_HMAC_SHA1_80", k4), true,
		  CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_int_equal(adds_on(rtp, both), 1);
	assert_int_equal(srtp_of(rtp)->profile, CP_SDES_PROFILE_CM_80);
	end_call("k3");
}

/* One offer or answer with an ng "address family"; its rc, the reason in why. */
static int
signal_fam(const char *call, const char *from, const char *to, const char *sdp, bool answer,
	   const char *family, char why[256])
{
	struct cp_ng_req req = { .call_id = str(call), .from_tag = str(from), .sdp = str(sdp),
				 .limit = -1, .delete_delay = -1 };
	struct cp_bencode_buf b;

	if (to != NULL)
		req.to_tag = str(to);
	if (family != NULL)
		req.address_family = str(family);
	why[0] = '\0';
	memset(out, 0, sizeof(out));
	cp_bencode_buf_init(&b, out, sizeof(out) - 1);
	return cp_calls_media(NULL, &req, answer, &b, why, 256);
}

/* The last PEER command for leg (fails when there is none). */
static const struct gw_ipc_media_leg *
peer_of(uint32_t leg)
{
	const struct gw_ipc_media_leg *c = NULL;

	for (unsigned i = 0; i < st.n_msgs; i++)
		if (st.msgs[i].type == GW_IPC_MEDIA_LEG_REQ &&
		    st.msgs[i].u.media_leg.op == GW_IPC_MEDIA_PEER &&
		    st.msgs[i].u.media_leg.leg_id == leg)
			c = &st.msgs[i].u.media_leg;
	if (c == NULL)
		fail_msg("no PEER on leg %u", leg);
	return c;
}

static const char sip_rtp6[] =
	"v=0\r\no=phone6 1 1 IN IP6 2001:2:0:48::10\r\ns=-\r\nc=IN IP6 2001:2:0:48::10\r\n"
	"t=0 0\r\nm=audio 7000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";

/* 12: an IPv6 SIP phone bridged to an IPv4 one. Its legs' peers are IPv6
 * (RTP and RTCP), what it is sent says c=IN IP6 with our address6; the IPv4
 * phone is offered our IPv4 address when "address family" says IP4, and
 * the offerer's family when nothing says (rtpengine's default). A family
 * other than IP4/IP6 is refused, and IP6 without an address6. */
static void
test_ipv6_sip(void **state)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0x48,
					0, 0, 0, 0, 0, 0, 0, 0x10 };
	const struct gw_ipc_media_leg *c;
	char why[256];
	uint16_t p[2] = { 0 };

	(void)state;
	assert_int_equal(signal_fam("v1", "A", NULL, sip_rtp6, false, "IP4", why), 0);
	assert_non_null(strstr(out, "c=IN IP4 198.18.0.1\r\n"));
	assert_null(strstr(out, "IP6"));
	assert_int_equal(ports_of(p, 1), 1);
	assert_int_equal(signal_fam("v1", "A", "B", sip_rtp, true, NULL, why), 0);
	assert_non_null(strstr(out, "c=IN IP6 2001:2:0:48::1\r\n"));
	assert_non_null(strstr(out, "o=phone 1 1 IN IP6 2001:2:0:48::1\r\n"));
	assert_int_equal(ports_of(&p[1], 1), 1);
	/* A's legs (the answer's port) go to its IPv6 address, B's to IPv4 */
	for (unsigned r = 0; r < 2; r++) {
		c = peer_of(leg_on((uint16_t)(p[1] + r)));
		assert_int_equal(c->peer_family, GW_IPC_FAMILY_IPV6);
		assert_memory_equal(c->peer_ip6, v6, 16);
		assert_int_equal(c->peer_port, 7000 + r);
		c = peer_of(leg_on((uint16_t)(p[0] + r)));
		assert_int_equal(c->peer_family, GW_IPC_FAMILY_IPV4);
		assert_int_equal(c->peer_ip, 0xc612300au);     /* 198.18.48.10 */
	}
	end_call("v1");
	/* no family given: the offerer's */
	assert_int_equal(signal_fam("v2", "A", NULL, sip_rtp6, false, NULL, why), 0);
	assert_non_null(strstr(out, "c=IN IP6 2001:2:0:48::1\r\n"));
	/* and the other way round, asked for */
	assert_int_equal(signal_fam("v2", "A", "B", sip_rtp, true, "IP6", why), 0);
	assert_non_null(strstr(out, "c=IN IP6 2001:2:0:48::1\r\n"));
	end_call("v2");
	assert_int_equal(signal_fam("v3", "A", NULL, sip_rtp, false, "IP5", why), -EINVAL);
	assert_non_null(strstr(why, "address family 'IP5': IP4 or IP6"));
	conf.dataplane.ports[0].address6.len = 0;
	assert_int_equal(signal_fam("v3", "A", NULL, sip_rtp, false, "IP6", why), -ENOTSUP);
	assert_non_null(strstr(why, "no IPv6 address"));
	assert_int_equal(signal_fam("v3", "A", NULL, sip_rtp6, false, NULL, why), -ENOTSUP);
	assert_non_null(strstr(why, "media address 2001:2:0:48::10: IPv6"));
	conf.dataplane.ports[0].address6.len = 64;
}

/* 13: a browser's WebRTC leg with an IPv6 media port: our description has a
 * host candidate of each family on the one port; an IPv6 nomination sets
 * the leg's peer to it, and the DTLS records go there. */
static void
test_ipv6_webrtc(void **state)
{
	static const uint8_t v6[16] = { 0x20, 0x01, 0x00, 0x02, 0, 0, 0, 0x48,
					0, 0, 0, 0, 0, 0, 0, 0x02 };
	const struct gw_ipc_media_leg *c;
	struct cp_addr a;
	char u[16], pw[32], cand[128];
	uint16_t port;

	(void)state;
	signal_ok("w6", "B", NULL, sip_rtp, false, CP_NG_PROTO_UDP_TLS_RTP_SAVPF, CP_NG_ICE_FORCE);
	port = (uint16_t)atoi(strstr(out, "m=audio ") + 8);
	snprintf(cand, sizeof(cand), "198.18.0.1 %u typ host", port);
	assert_non_null(strstr(out, cand));
	snprintf(cand, sizeof(cand), "2001:2:0:48::1 %u typ host", port);
	assert_non_null(strstr(out, cand));
	end_call("w6");
	browser_call("w7", u, pw);
	port = (uint16_t)atoi(strstr(out, "m=audio ") + 8);
	snprintf(cand, sizeof(cand), "2001:2:0:48::1 %u typ host", port);
	assert_non_null(strstr(out, cand));
	cp_addr_v6(&a, v6);
	ice_cb(st.ice_id, GW_IPC_ICE_NOMINATED, &a, 50123);
	c = peer_of(leg_on(port));
	assert_int_equal(c->peer_family, GW_IPC_FAMILY_IPV6);
	assert_memory_equal(c->peer_ip6, v6, 16);
	assert_int_equal(c->peer_port, 50123);
	end_call("w7");
}

/* One offer of sip_rtp on call, with the ng keys rtpengine takes the party's
 * address from; its rc, the reason in why. */
static int
offer_addr(const char *call, const char *media_address, const char *received_from,
	   unsigned flags, char why[256])
{
	struct cp_ng_req req = { .call_id = str(call), .from_tag = str("A"), .sdp = str(sip_rtp),
				 .limit = -1, .delete_delay = -1, .flags = flags };
	struct cp_bencode_buf b;

	if (media_address != NULL)
		req.media_address = str(media_address);
	if (received_from != NULL) {
		req.received_from_family = str("IP4");
		req.received_from_addr = str(received_from);
	}
	why[0] = '\0';
	memset(out, 0, sizeof(out));
	cp_bencode_buf_init(&b, out, sizeof(out) - 1);
	return cp_calls_media(NULL, &req, false, &b, why, 256);
}

/* The PEER address of the offerer's RTP leg of the call just offered (the
 * first leg the offer added). */
static const struct gw_ipc_media_leg *
offerer_peer(void)
{
	for (unsigned i = 0; i < st.n_msgs; i++)
		if (st.msgs[i].type == GW_IPC_MEDIA_LEG_REQ &&
		    st.msgs[i].u.media_leg.op == GW_IPC_MEDIA_ADD)
			return peer_of(st.msgs[i].u.media_leg.leg_id);
	fail_msg("no leg added");
	return NULL;
}

/* The last MODE command's mode on leg. */
static unsigned
mode_of(uint32_t leg)
{
	int mode = -1;

	for (unsigned i = 0; i < st.n_msgs; i++)
		if (st.msgs[i].type == GW_IPC_MEDIA_LEG_REQ &&
		    st.msgs[i].u.media_leg.op == GW_IPC_MEDIA_MODE &&
		    st.msgs[i].u.media_leg.leg_id == leg)
			mode = st.msgs[i].u.media_leg.rule;
	if (mode < 0)
		fail_msg("no MODE on leg %u", leg);
	return (unsigned)mode;
}

/* 14: the party's address from the ng request, as rtpengine takes it:
 * "received-from" with SIP-source-address replaces the SDP's c= (the ports
 * stay the SDP's), without the flag it is not used; "media address" comes
 * before both and may be IPv6; a bad literal is refused. asymmetric turns
 * latching off for the party, symmetric keeps it; strict-source and
 * media-handover set its legs' source rules. */
static void
test_ng_addr(void **state)
{
	const struct gw_ipc_media_leg *c;
	char why[256];

	(void)state;
	assert_int_equal(offer_addr("n1", NULL, "198.18.48.77", CP_NG_F_SIP_SOURCE_ADDRESS, why), 0);
	c = offerer_peer();
	assert_int_equal(c->peer_family, GW_IPC_FAMILY_IPV4);
	assert_int_equal(c->peer_ip, 0xc612304du);           /* 198.18.48.77 */
	assert_int_equal(c->peer_port, 7000);
	end_call("n1");
	st.n_msgs = 0;
	assert_int_equal(offer_addr("n2", NULL, "198.18.48.77", 0, why), 0);
	assert_int_equal(offerer_peer()->peer_ip, 0xc612300au);   /* the SDP's 198.18.48.10 */
	end_call("n2");
	st.n_msgs = 0;
	assert_int_equal(offer_addr("n3", "2001:2:0:48::99", "198.18.48.77",
				    CP_NG_F_SIP_SOURCE_ADDRESS, why), 0);
	c = offerer_peer();
	assert_int_equal(c->peer_family, GW_IPC_FAMILY_IPV6);
	assert_int_equal(c->peer_ip6[15], 0x99);
	assert_int_equal(c->peer_port, 7000);
	end_call("n3");
	/* asymmetric: no latching for that party (symmetric, the default, latches) */
	st.n_msgs = 0;
	assert_int_equal(offer_addr("n5", NULL, NULL, CP_NG_F_ASYMMETRIC, why), 0);
	assert_int_equal(mode_of(offerer_peer()->leg_id) & GW_IPC_MEDIA_F_LATCH, 0);
	end_call("n5");
	st.n_msgs = 0;
	assert_int_equal(offer_addr("n6", NULL, NULL, CP_NG_F_SYMMETRIC, why), 0);
	assert_int_not_equal(mode_of(offerer_peer()->leg_id) & GW_IPC_MEDIA_F_LATCH, 0);
	end_call("n6");
	/* strict-source, media-handover: the party's legs' source rules, with
	 * or without latching, and shown per leg */
	{
		static const struct {
			uint32_t flags;
			unsigned mode;
			const char *source;
		} rows[] = {
			{ CP_NG_F_STRICT_SOURCE,
			  GW_IPC_MEDIA_F_PLAIN | GW_IPC_MEDIA_F_LATCH | GW_IPC_MEDIA_F_STRICT, "strict" },
			{ CP_NG_F_MEDIA_HANDOVER,
			  GW_IPC_MEDIA_F_PLAIN | GW_IPC_MEDIA_F_LATCH | GW_IPC_MEDIA_F_HANDOVER, "handover" },
			{ CP_NG_F_TRUST_ADDRESS | CP_NG_F_STRICT_SOURCE,
			  GW_IPC_MEDIA_F_PLAIN | GW_IPC_MEDIA_F_STRICT, "strict" },
			{ 0, GW_IPC_MEDIA_F_PLAIN | GW_IPC_MEDIA_F_LATCH, "any" },
		};

		for (unsigned r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
			json_t *legs, *leg;
			uint32_t id;

			st.n_msgs = 0;
			assert_int_equal(offer_addr("n7", NULL, NULL, rows[r].flags, why), 0);
			id = offerer_peer()->leg_id;
			assert_int_equal(mode_of(id), rows[r].mode);
			assert_int_equal(mode_of(id + 1), rows[r].mode);     /* its RTCP leg */
			legs = cp_calls_media_json("n7", 2);
			assert_non_null(legs);
			leg = json_array_get(legs, 0);
			assert_string_equal(json_string_value(json_object_get(leg, "source")),
					    rows[r].source);
			assert_int_equal(json_is_true(json_object_get(leg, "latching")),
					 (rows[r].mode & GW_IPC_MEDIA_F_LATCH) != 0);
			json_decref(legs);
			end_call("n7");
		}
	}
	assert_int_equal(offer_addr("n4", "bogus", NULL, 0, why), -EINVAL);
	assert_string_equal(why, "media address 'bogus': not an IP literal");
	assert_int_equal(offer_addr("n4", NULL, "198.18.48.300", CP_NG_F_SIP_SOURCE_ADDRESS, why),
			 -EINVAL);
	assert_string_equal(why, "received-from '198.18.48.300': not an IP literal");
}

/* One offer or answer with ng's direction (d1 NULL: one name); its rc, the
 * reason in why, the reply's SDP in out. */
static int
signal_dir(const char *call, const char *from, const char *to, bool answer, const char *d0,
	   const char *d1, char why[256])
{
	struct cp_ng_req req = { .call_id = str(call), .from_tag = str(from), .sdp = str(sip_rtp),
				 .limit = -1, .delete_delay = -1, .n_direction = d1 ? 2 : 1 };
	struct cp_bencode_buf b;

	req.direction[0] = str(d0);
	if (d1 != NULL)
		req.direction[1] = str(d1);
	if (to != NULL)
		req.to_tag = str(to);
	why[0] = '\0';
	memset(out, 0, sizeof(out));
	cp_bencode_buf_init(&b, out, sizeof(out) - 1);
	return cp_calls_media(NULL, &req, answer, &b, why, 256);
}

/* 15: media on two interfaces (ng's direction: the offerer's, the
 * answerer's, by dataplane port name or "default"): each party's legs are
 * added on its interface, what each is sent carries its interface's
 * address; the interfaces are the call's for good (a re-offer naming others
 * is refused, one naming the same, from either party, is not); an unknown
 * name is refused naming the interfaces there are. */
static void
test_direction(void **state)
{
	char why[256];
	unsigned n = 0;
	json_t *legs;

	(void)state;
	conf.dataplane.n_ports = 2;
	snprintf(conf.dataplane.ports[1].name, sizeof(conf.dataplane.ports[1].name), "inner");
	conf.dataplane.ports[1].address.addr = 0xc6120101u;    /* 198.18.1.1 */

	assert_int_equal(signal_dir("d1", "A", NULL, false, "outer", "inner", why), -EINVAL);
	assert_string_equal(why, "Unknown interface 'outer' in 'direction' (the media interfaces "
				 "are 'p0', 'inner')");
	assert_int_equal(st.n_msgs, 0);
	assert_int_equal(signal_dir("d1", "A", NULL, false, "default", "inner", why), 0);
	/* the offer goes to B on inner: its address there */
	assert_non_null(strstr(out, "c=IN IP4 198.18.1.1\r\n"));
	for (unsigned i = 0; i < st.n_msgs; i++) {
		const struct gw_ipc_media_leg *c = &st.msgs[i].u.media_leg;

		if (st.msgs[i].type != GW_IPC_MEDIA_LEG_REQ || c->op != GW_IPC_MEDIA_ADD)
			continue;
		/* A's two legs (RTP, RTCP) on p0, then B's on inner */
		assert_int_equal(c->port_index, n < 2 ? 0 : 1);
		n++;
	}
	assert_int_equal(n, 4);
	/* the answer to A: p0's address (the answer's direction is not used) */
	assert_int_equal(signal_dir("d1", "A", "B", true, "p0", "inner", why), 0);
	assert_non_null(strstr(out, "c=IN IP4 198.18.0.1\r\n"));
	legs = cp_calls_media_json("d1", 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(legs, 0), "interface")),
			    "p0");
	assert_string_equal(json_string_value(json_object_get(json_array_get(legs, 2), "interface")),
			    "inner");
	json_decref(legs);
	/* B re-offers from inner toward p0: fine; naming them the other way round
	 * would move the call: refused, the call kept */
	assert_int_equal(signal_dir("d1", "B", NULL, false, "inner", "p0", why), 0);
	assert_non_null(strstr(out, "c=IN IP4 198.18.0.1\r\n"));
	assert_int_equal(signal_dir("d1", "B", NULL, false, "p0", "inner", why), -ENOTSUP);
	assert_string_equal(why, "re-offer names other interfaces in 'direction': the call's media "
				 "stay on 'inner' (this party) and 'p0'");
	/* A re-offers naming only its own interface: fine */
	assert_int_equal(signal_dir("d1", "A", NULL, false, "p0", NULL, why), 0);
	assert_non_null(strstr(out, "c=IN IP4 198.18.1.1\r\n"));
	/* IPv6 toward a party on an interface without address6: refused, naming it */
	{
		struct cp_ng_req req = { .call_id = str("d2"), .from_tag = str("A"),
					 .sdp = str(sip_rtp), .limit = -1, .delete_delay = -1,
					 .n_direction = 2, .address_family = str("IP6") };
		struct cp_bencode_buf b;

		req.direction[0] = str("p0");
		req.direction[1] = str("inner");
		cp_bencode_buf_init(&b, out, sizeof(out) - 1);
		assert_int_equal(cp_calls_media(NULL, &req, false, &b, why, 256), -ENOTSUP);
		assert_string_equal(why, "address family IP6: the media port has no IPv6 address "
					 "(dataplane.ports[1].address6)");
	}
	end_call("d1");
	conf.dataplane.n_ports = 1;
}

/* 17: ng's no-rtcp-attribute and full-rtcp-attribute: how the SDP sent on
 * writes the RTCP port of a party that does not mux (a=rtcp:PORT by
 * default, none, or with our address as RFC 3605 allows); generate-mid:
 * a=mid on a plain party's sections that had none; loop-protect: our
 * a=rtpengine mark. */
static void
test_rtcp_attr(void **state)
{
	static const struct {
		unsigned flags;
		const char *tail;               /* after "a=rtcp:PORT"; NULL: no a=rtcp */
	} rows[] = {
		{ 0, "\r\n" },
		{ CP_NG_F_NO_RTCP_ATTRIBUTE, NULL },
		{ CP_NG_F_FULL_RTCP_ATTRIBUTE, " IN IP4 198.18.0.1\r\n" },
	};

	(void)state;
	for (unsigned r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		char why[256], want[64];
		uint16_t port = 0;

		assert_int_equal(offer_addr("r1", NULL, NULL, rows[r].flags, why), 0);
		assert_int_equal(ports_of(&port, 1), 1);
		if (rows[r].tail == NULL) {
			assert_null(strstr(out, "a=rtcp:"));
		} else {
			snprintf(want, sizeof(want), "a=rtcp:%u%s", port + 1u, rows[r].tail);
			assert_non_null(strstr(out, want));
		}
		assert_null(strstr(out, "a=rtcp-mux"));
		assert_null(strstr(out, "a=mid:"));
		end_call("r1");
	}
	/* generate-mid: the plain party's section gets a=mid:0 */
	{
		char why[256], mark[64];

		assert_int_equal(offer_addr("r2", NULL, NULL, CP_NG_F_GENERATE_MID, why), 0);
		assert_non_null(strstr(out, "a=mid:0\r\n"));
		assert_null(strstr(out, "a=rtpengine:"));
		end_call("r2");
		/* loop-protect: our mark, the gateway's 16-hex-digit instance */
		assert_int_equal(strlen(cp_calls_media_instance()), 16);
		snprintf(mark, sizeof(mark), "a=rtpengine:%s\r\n", cp_calls_media_instance());
		assert_int_equal(offer_addr("r3", NULL, NULL, CP_NG_F_LOOP_PROTECT, why), 0);
		assert_non_null(strstr(out, mark));
		end_call("r3");
	}
}

/* 16: a control plane that takes calls over from the journal: a WebRTC side
 * whose handshake had not finished gets a fresh DTLS endpoint in its role
 * with the party's fingerprint (a server waits; a client whose peer is known
 * sends at once), a side whose keys are in the dataplane gets none; the
 * calls, their ports and legs come back. */
static void
test_takeover_dtls(void **state)
{
	char u[16], p[32];
	uint16_t port = 0;
	unsigned created;
	json_t *j;

	(void)state;
	browser_call("t1", u, p);                          /* we: DTLS server, pending */
	signal_ok("t2", "A", NULL, browser("Wq7Z", FP_A, "actpass"), false, CP_NG_PROTO_RTP_AVP,
		  CP_NG_ICE_UNSET);
	signal_ok("t2", "A", "B", sip_rtp, true, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_int_equal(ports_of(&port, 1), 1);          /* the browser's side */
	dtls_connects(port);                               /* t2: keys in the dataplane */
	/* t3: the phone offers, the browser answers passive: we are the client,
	 * and the ICE nomination gave its address */
	signal_ok("t3", "S", NULL, sip_rtp, false, CP_NG_PROTO_UDP_TLS_RTP_SAVPF, CP_NG_ICE_FORCE);
	signal_ok("t3", "S", "W", browser("Zz9Q", FP_B, "passive"), true, CP_NG_PROTO_UNSET,
		  CP_NG_ICE_UNSET);
	assert_true(st.last->started);
	ice_cb(st.ice_id, GW_IPC_ICE_NOMINATED,
	       &(struct cp_addr){ .family = AF_INET, .ip4 = 0xc6123002u }, 50123);

	j = journal_save(NULL);
	assert_non_null(j);
	end_call("t1");
	end_call("t2");
	end_call("t3");
	assert_int_equal(journal_load(NULL, j), 0);
	json_decref(j);
	created = st.dtls_created;
	st.n_tx = 0;
	cp_calls_journal_restore((struct cp_calls *)&app);
	assert_int_equal(st.dtls_created, created + 2);   /* t1 and t3, not t2 */
	{
		json_t *legs = cp_calls_media_json("t2", 2);

		assert_non_null(legs);
		assert_int_equal(json_array_size(legs), 4);
		json_decref(legs);
	}
	/* t1's: a server for FP_A, waiting; t3's: a client for FP_B, started
	 * and flushed toward the nominated peer (in the journal's order) */
	for (unsigned n = created + 1; n <= created + 2; n++) {
		if (st.made[n % 64].role == CP_DTLS_SERVER) {
			assert_false(st.made[n % 64].started);
			assert_string_equal(st.made[n % 64].fp, "sha-256 " FP_A);
		} else {
			assert_true(st.made[n % 64].started);
			assert_string_equal(st.made[n % 64].fp, "sha-256 " FP_B);
		}
	}
	assert_int_not_equal(st.made[(created + 1) % 64].role, st.made[(created + 2) % 64].role);
	assert_int_equal(st.n_tx, 1);
	assert_int_equal(st.last_tx.dst_ip, 0xc6123002u);
	assert_int_equal(st.last_tx.dst_port, 50123);
	end_call("t1");
	end_call("t2");
	end_call("t3");
}

/* The SRTP_DEL_REQ messages since st.n_msgs was last cleared, for leg. */
static unsigned
dels_on(uint32_t leg)
{
	unsigned n = 0;

	for (unsigned i = 0; i < st.n_msgs; i++)
		n += st.msgs[i].type == GW_IPC_SRTP_DEL_REQ && st.msgs[i].u.srtp_del.leg_id == leg;
	return n;
}

/* A WebRTC offer without a=fingerprint. */
static const char no_fp[] =
	"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	"m=audio 7000 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 198.18.48.10\r\n"
	"a=ice-ufrag:Zz9Z\r\na=ice-pwd:q2Lq9+ljz4b0mgVnN0WSlq8N\r\na=setup:actpass\r\n"
	"a=mid:0\r\na=rtcp-mux\r\na=rtpmap:0 PCMU/8000\r\n";

/* 20: a party's re-offer in another transport renews its side, as
 * rtpengine takes an SRTP or plain re-INVITE as it comes. A phone on plain
 * RTP bridged to a browser re-offers SDES: keys on both of its legs (no
 * SRTP_DEL: it had none), its legs no longer plain, our answer RTP/SAVP with
 * our key. A WebRTC re-offer without a=fingerprint is refused and changes
 * nothing (no command, no ICE leg); then plain RTP again: its keys leave the
 * dataplane on both legs, its legs plain, our answer RTP/AVP without
 * a=crypto. The browser's ICE leg and DTLS endpoint are untouched throughout. */
static void
test_renew_party(void **state)
{
	const char *k1 = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";
	const uint8_t both = GW_IPC_SRTP_F_RECV | GW_IPC_SRTP_F_SEND;
	char ufrag[16];
	uint32_t rtp, rtcp;
	uint16_t sp = 0;

	(void)state;
	signal_ok("r1", "S", NULL, sip_rtp, false, CP_NG_PROTO_UDP_TLS_RTP_SAVPF, CP_NG_ICE_FORCE);
	snprintf(ufrag, sizeof(ufrag), "%s", attr("a=ice-ufrag:"));
	signal_ok("r1", "S", "W", browser("Wq7Z", FP_A, "active"), true, CP_NG_PROTO_UNSET,
		  CP_NG_ICE_UNSET);
	assert_true(strstr(out, " RTP/AVP ") != NULL);
	assert_int_equal(ports_of(&sp, 1), 1);
	rtp = leg_on(sp);
	rtcp = leg_on((uint16_t)(sp + 1));
	assert_int_equal(mode_of(rtp) & GW_IPC_MEDIA_F_PLAIN, GW_IPC_MEDIA_F_PLAIN);

	st.n_msgs = 0;
	signal_ok("r1", "S", NULL, sdes_audio(1, "AES_CM_128_HMAC_SHA1_80", k1), false,
		  CP_NG_PROTO_UDP_TLS_RTP_SAVPF, CP_NG_ICE_FORCE);
	assert_true(strstr(out, " UDP/TLS/RTP/SAVPF ") != NULL);   /* the browser's as it was */
	assert_string_equal(attr("a=ice-ufrag:"), ufrag);
	assert_int_equal(adds_on(rtp, both), 1);
	assert_int_equal(adds_on(rtcp, both), 1);
	assert_int_equal(msgs_of(GW_IPC_SRTP_DEL_REQ), 0);
	assert_int_equal(mode_of(rtp) & GW_IPC_MEDIA_F_PLAIN, 0);
	assert_int_equal(mode_of(rtcp) & GW_IPC_MEDIA_F_PLAIN, 0);
	signal_ok("r1", "S", "W", browser("Wq7Z", FP_A, "active"), true, CP_NG_PROTO_UNSET,
		  CP_NG_ICE_UNSET);
	assert_true(strstr(out, " RTP/SAVP ") != NULL);
	assert_true(strstr(out, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:") != NULL);

	st.n_msgs = 0;
	assert_string_equal(signal_refused("r1", "S", NULL, no_fp, false,
					   CP_NG_PROTO_UDP_TLS_RTP_SAVPF, CP_NG_ICE_FORCE),
			    "WebRTC leg without a sha-256 a=fingerprint");
	assert_int_equal(st.n_msgs, 0);
	assert_int_equal(st.ice_created, 1);

	st.n_msgs = 0;
	signal_ok("r1", "S", NULL, sip_rtp, false, CP_NG_PROTO_UDP_TLS_RTP_SAVPF, CP_NG_ICE_FORCE);
	assert_int_equal(dels_on(rtp), 1);
	assert_int_equal(dels_on(rtcp), 1);
	assert_int_equal(msgs_of(GW_IPC_SRTP_ADD_REQ), 0);
	assert_int_equal(mode_of(rtp) & GW_IPC_MEDIA_F_PLAIN, GW_IPC_MEDIA_F_PLAIN);
	signal_ok("r1", "S", "W", browser("Wq7Z", FP_A, "active"), true, CP_NG_PROTO_UNSET,
		  CP_NG_ICE_UNSET);
	assert_true(strstr(out, " RTP/AVP ") != NULL);
	assert_null(strstr(out, "a=crypto:"));
	assert_int_equal(st.ice_created, 1);
	assert_int_equal(st.ice_deleted, 0);
	assert_int_equal(st.dtls_created, 1);
	assert_int_equal(st.dtls_freed, 0);
	end_call("r1");
}

/* 21: reset derives what the other party is offered again, from the
 * offerer's transport and this request's flags, as for a new call. A
 * phone's call to a browser (ICE=force), its DTLS connected: a re-offer
 * with RTP/AVP but no reset keeps the browser on WebRTC (what its answer
 * taught us); with reset, the other party is offered RTP/AVP without ICE or
 * a=fingerprint, and its ICE leg, DTLS endpoint, SRTP keys and bundle route
 * leave; a WebRTC answer to that is refused, a plain one is taken (plain
 * legs, its address, the bridge rules sent again). Reset with ICE=force puts
 * it back on WebRTC with new credentials (its legs' address cleared until
 * ICE nominates), a new ICE leg and DTLS endpoint when it answers. */
static void
test_reset(void **state)
{
	const char sip_b[] =
		"v=0\r\no=phone 1 1 IN IP4 198.18.48.11\r\ns=-\r\nc=IN IP4 198.18.48.11\r\n"
		"t=0 0\r\nm=audio 7100 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
	char ufrag[16];
	uint32_t wleg, sleg;
	uint16_t wp = 0, sp = 0, xp = 0;
	uint8_t key = 0;

	(void)state;
	signal_ok("r2", "S", NULL, sip_rtp, false, CP_NG_PROTO_UNSET, CP_NG_ICE_FORCE);
	assert_true(strstr(out, " UDP/TLS/RTP/SAVPF ") != NULL);
	assert_int_equal(ports_of(&wp, 1), 1);
	snprintf(ufrag, sizeof(ufrag), "%s", attr("a=ice-ufrag:"));
	signal_ok("r2", "S", "W", browser("Wq7Z", FP_A, "active"), true, CP_NG_PROTO_UNSET,
		  CP_NG_ICE_UNSET);
	assert_int_equal(ports_of(&sp, 1), 1);
	wleg = leg_on(wp);
	sleg = leg_on(sp);
	dtls_connects(wp);
	assert_int_equal(keys_for(wleg, &key), 1);

	signal_ok("r2", "S", NULL, sip_rtp, false, CP_NG_PROTO_RTP_AVP, CP_NG_ICE_UNSET);
	assert_true(strstr(out, " UDP/TLS/RTP/SAVPF ") != NULL);
	assert_string_equal(attr("a=ice-ufrag:"), ufrag);
	signal_ok("r2", "S", "W", browser("Wq7Z", FP_A, "active"), true, CP_NG_PROTO_UNSET,
		  CP_NG_ICE_UNSET);
	assert_int_equal(st.ice_deleted + st.dtls_freed, 0);

	st.n_msgs = 0;
	signal_flags("r2", "S", NULL, sip_rtp, false, CP_NG_PROTO_RTP_AVP, CP_NG_ICE_UNSET,
		     CP_NG_F_RESET);
	assert_true(strstr(out, " RTP/AVP ") != NULL);
	assert_null(strstr(out, "a=ice-ufrag:"));
	assert_null(strstr(out, "a=fingerprint:"));
	assert_int_equal(ports_of(&xp, 1), 1);
	assert_int_equal(xp, wp);               /* the party keeps our port */
	assert_int_equal(dels_on(wleg), 1);
	assert_int_equal(st.ice_deleted, 1);
	assert_int_equal(st.dtls_freed, 1);
	assert_null(demux_of(wleg, 0));         /* one section: never demuxed */
	assert_true(strstr(signal_refused("r2", "S", "W", browser("Wq7Z", FP_A, "active"), true,
					  CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET),
			   "transport changed") != NULL);
	signal_ok("r2", "S", "W", sip_b, true, CP_NG_PROTO_UNSET, CP_NG_ICE_UNSET);
	assert_true(strstr(out, " RTP/AVP ") != NULL);
	assert_int_equal(mode_of(wleg) & GW_IPC_MEDIA_F_PLAIN, GW_IPC_MEDIA_F_PLAIN);
	assert_int_equal(peer_of(wleg)->peer_ip, 0xc612300bu);
	assert_int_equal(peer_of(wleg)->peer_port, 7100);
	assert_int_equal(rule_of(sleg, GW_IPC_MEDIA_RULE_BRIDGE), wleg);
	assert_int_equal(rule_of(wleg, GW_IPC_MEDIA_RULE_BRIDGE), sleg);

	st.n_msgs = 0;
	signal_flags("r2", "S", NULL, sip_rtp, false, CP_NG_PROTO_UNSET, CP_NG_ICE_FORCE,
		     CP_NG_F_RESET);
	assert_true(strstr(out, " UDP/TLS/RTP/SAVPF ") != NULL);
	assert_int_equal(strlen(attr("a=ice-ufrag:")), 8);
	assert_string_not_equal(attr("a=ice-ufrag:"), ufrag);
	assert_true(strstr(out, "a=fingerprint:sha-256 ") != NULL);
	assert_int_equal(msgs_of(GW_IPC_SRTP_DEL_REQ), 0);       /* plain: no keys to take */
	assert_int_equal(peer_of(wleg)->peer_ip, 0);
	assert_int_equal(peer_of(wleg)->peer_port, 0);
	signal_ok("r2", "S", "W", browser("N3wU", FP_B, "active"), true, CP_NG_PROTO_UNSET,
		  CP_NG_ICE_UNSET);
	assert_int_equal(st.ice_created, 2);
	assert_int_equal(st.dtls_created, 2);
	assert_string_equal(st.remote, "N3wU");
	assert_string_equal(st.last->fp, "sha-256 " FP_B);
	assert_int_equal(mode_of(wleg), 0);
	end_call("r2");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_same_ufrag, setup),
		cmocka_unit_test_setup(test_new_ufrag, setup),
		cmocka_unit_test_setup(test_new_fingerprint, setup),
		cmocka_unit_test_setup(test_answer_restart, setup),
		cmocka_unit_test_setup(test_bundle_browser_offers, setup),
		cmocka_unit_test_setup(test_bundle_sip_offers, setup),
		cmocka_unit_test_setup(test_bundle_pt_overlap, setup),
		cmocka_unit_test_setup(test_bundle_sdes, setup),
		cmocka_unit_test_setup(test_sdes_suite_per_section, setup),
		cmocka_unit_test_setup(test_sdes_offer_per_section, setup),
		cmocka_unit_test_setup(test_sdes_rekey, setup),
		cmocka_unit_test_setup(test_ipv6_sip, setup),
		cmocka_unit_test_setup(test_ipv6_webrtc, setup),
		cmocka_unit_test_setup(test_ng_addr, setup),
		cmocka_unit_test_setup(test_direction, setup),
		cmocka_unit_test_setup(test_takeover_dtls, setup),
		cmocka_unit_test_setup(test_rtcp_attr, setup),
		cmocka_unit_test_setup(test_ring_busy, setup),
		cmocka_unit_test_setup(test_renew_party, setup),
		cmocka_unit_test_setup(test_reset, setup),
	};

	gw_config_defaults(&conf);
	conf.media.port_min = 40000;
	conf.media.port_max = 40099;
	conf.dataplane.n_ports = 1;
	snprintf(conf.dataplane.ports[0].name, sizeof(conf.dataplane.ports[0].name), "p0");
	conf.dataplane.ports[0].address.addr = 0xc6120001u;    /* 198.18.0.1 */
	inet_pton(AF_INET6, "2001:2:0:48::1", conf.dataplane.ports[0].address6.addr);
	conf.dataplane.ports[0].address6.len = 64;
	app.conf = &conf;
	app.ipc = (struct cp_ipc *)&app;                       /* only tested for NULL */
	assert_int_equal(cp_calls_journal_register(true), 0);
	cp_calls_media_init(&app, (struct cp_calls *)&app);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
