#include "cp_ice.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "cp_addr.h"
#include "cp_api.h"
#include "cp_ipc.h"
#include "cp_journal.h"
#include "cp_log.h"
#include "ct.h"
#include "stunsrv.h"

#define GEN_UFRAG_LEN 8     /* 48 bits; RFC 8445 §5.3 asks for at least 24 */
#define GEN_PWD_LEN   24    /* 144 bits; RFC 8445 §5.3 asks for at least 128 */

enum leg_state {
	ST_PENDING,          /* sent to the dataplane, no answer yet */
	ST_WAITING,          /* published; no nomination yet */
	ST_NOMINATED,
	ST_CONSENT_LOST,
	ST_FAILED,           /* the dataplane refused it */
};

static const char *const state_names[] = {
	"pending", "waiting", "nominated", "consent_lost", "failed",
};

struct leg {
	uint32_t id;                 /* 0: slot free */
	enum leg_state state;
	int err;                     /* ST_FAILED: the dataplane's -errno */
	uint16_t port;
	char local_ufrag[GW_ICE_UFRAG_MAX + 1];
	char remote_ufrag[GW_ICE_UFRAG_MAX + 1];
	struct cp_addr peer;         /* nominated: IPv4 or IPv6 */
	uint16_t peer_port;
	uint32_t priority;
	time_t created, nominated_at, consent_lost_at;
	bool calls;                  /* a call's WebRTC leg (not journaled: calls are not yet) */
};

static struct leg legs[CP_ICE_MAX_LEGS];
static uint32_t next_id = 1;
static cp_ice_listener_fn *listener;

static void *listener_ctx;

void
cp_ice_listen(cp_ice_listener_fn *fn, void *ctx)
{
	listener = fn;
	listener_ctx = ctx;
}

static void on_event(void *ctx, struct cp_ipc *c, const struct gw_ipc_msg *m);

/* A fresh attachment: start the dataplane's table from empty (leg 0 = all),
 * unless the journal gave us its legs back (cp_journal). */
static void
on_attach(void *ctx, struct cp_ipc *c)
{
	struct gw_ipc_msg m = { .type = GW_IPC_ICE_DEL_REQ };

	(void)ctx;
	if (!cp_journal_restored())
		(void)cp_ipc_send(c, 0, &m);
}

void
cp_ice_drop_calls(struct cp_ipc *c)
{
	struct gw_ipc_msg m = { .type = GW_IPC_ICE_DEL_REQ };

	for (unsigned i = 0; i < CP_ICE_MAX_LEGS; i++) {
		if (legs[i].id == 0 || !legs[i].calls)
			continue;
		m.u.ice_del.leg_id = legs[i].id;
		(void)cp_ipc_send(c, 0, &m);
		memset(&legs[i], 0, sizeof(legs[i]));
	}
}

/* The journal section: every leg but its password (the dataplane has it). */
static json_t *
journal_save(void *ctx)
{
	json_t *arr = json_array();

	(void)ctx;
	for (unsigned i = 0; arr != NULL && i < CP_ICE_MAX_LEGS; i++) {
		const struct leg *l = &legs[i];

		if (l->id == 0)
			continue;
		json_t *o = json_pack("{s:I, s:i, s:i, s:s, s:s, s:i, s:I, "
				      "s:I, s:I, s:I, s:b}",
				      "id", (json_int_t)l->id, "state", l->state,
				      "port", l->port, "lu", l->local_ufrag,
				      "ru", l->remote_ufrag,
				      "peer_port", l->peer_port,
				      "priority", (json_int_t)l->priority,
				      "created", (json_int_t)l->created,
				      "nominated_at", (json_int_t)l->nominated_at,
				      "consent_lost_at", (json_int_t)l->consent_lost_at,
				      "calls", l->calls);

		/* peer_ip (IPv4 as an integer, as ever) or peer_ip6 (text) */
		if (o == NULL || cp_addr_json_set(o, "peer_ip", "peer_ip6", &l->peer) != 0 ||
		    json_array_append_new(arr, o) != 0) {
			json_decref(o);
			json_decref(arr);
			return NULL;
		}
	}
	return arr ? json_pack("{s:I, s:o}", "next_id", (json_int_t)next_id, "legs", arr) : NULL;
}

static int
journal_load(void *ctx, json_t *v)
{
	json_t *arr = json_object_get(v, "legs"), *e;
	json_int_t nid = json_integer_value(json_object_get(v, "next_id"));
	size_t i;
	unsigned n = 0;

	(void)ctx;
	if (!json_is_array(arr) || nid <= 0 || nid > UINT32_MAX)
		return -EINVAL;
	memset(legs, 0, sizeof(legs));
	json_array_foreach(arr, i, e) {
		struct leg *l;
		json_int_t id, st, port, pport, prio, cr, na, cl;
		const char *lu, *ru;
		int calls_leg = 0;

		if (n == CP_ICE_MAX_LEGS)
			return -E2BIG;
		l = &legs[n];
		if (json_unpack(e, "{s:I, s:I, s:I, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s?b}",
				"id", &id, "state", &st, "port", &port, "lu", &lu, "ru", &ru,
				"peer_port", &pport, "priority", &prio, "created",
				&cr, "nominated_at", &na, "consent_lost_at", &cl, "calls",
				&calls_leg) != 0 ||
		    cp_addr_json_get(&l->peer, e, "peer_ip", "peer_ip6") != 0 ||
		    id <= 0 || id > UINT32_MAX || st < ST_PENDING || st > ST_FAILED ||
		    port < 0 || port > UINT16_MAX || strlen(lu) > GW_ICE_UFRAG_MAX ||
		    strlen(ru) > GW_ICE_UFRAG_MAX)
			return -EINVAL;
		n++;
		l->id = (uint32_t)id;
		l->state = (enum leg_state)st;
		l->port = (uint16_t)port;
		snprintf(l->local_ufrag, sizeof(l->local_ufrag), "%s", lu);
		snprintf(l->remote_ufrag, sizeof(l->remote_ufrag), "%s", ru);
		l->peer_port = (uint16_t)pport;
		l->priority = (uint32_t)prio;
		l->created = (time_t)cr;
		l->nominated_at = (time_t)na;
		l->consent_lost_at = (time_t)cl;
		l->calls = calls_leg != 0;
	}
	next_id = (uint32_t)nid;
	CP_NOTICE("ice: %u leg(s) taken over from the journal", n);
	return 0;
}

int
cp_ice_init(void)
{
	int rc = cp_ipc_on(GW_IPC_ICE_EVENT, on_event, NULL);

	if (rc == 0)
		rc = cp_journal_register("ice", journal_save, journal_load, NULL);
	return rc != 0 ? rc : cp_ipc_on_attach(on_attach, NULL);
}

static struct leg *
find(uint32_t id)
{
	if (id == 0)
		return NULL;
	for (unsigned i = 0; i < CP_ICE_MAX_LEGS; i++)
		if (legs[i].id == id)
			return &legs[i];
	return NULL;
}

static bool
ufrag_taken(const char *u)
{
	for (unsigned i = 0; i < CP_ICE_MAX_LEGS; i++)
		if (legs[i].id != 0 && strcmp(legs[i].local_ufrag, u) == 0)
			return true;
	return false;
}

/* The peer an ICE event names (IPv4 or IPv6). */
static void
evt_peer(struct cp_addr *a, const struct gw_ipc_ice_evt *e)
{
	if (e->peer_family == GW_IPC_FAMILY_IPV6)
		cp_addr_v6(a, e->peer_ip6);
	else
		cp_addr_v4(a, e->peer_ip);
}

static void
on_event(void *ctx, struct cp_ipc *c, const struct gw_ipc_msg *m)
{
	const struct gw_ipc_ice_evt *e = &m->u.ice_evt;
	struct leg *l = find(e->leg_id);
	struct cp_addr peer;
	char a[CP_ADDR_STRLEN];

	(void)ctx;
	(void)c;
	evt_peer(&peer, e);
	cp_addr_str(&peer, a, sizeof(a));
	switch (e->kind) {
	case GW_IPC_ICE_ADDED:
		if (l == NULL || l->state != ST_PENDING)
			break;
		if (m->status == 0) {
			l->state = ST_WAITING;
			CP_INFO("ice leg %u: published (ufrag %s, port %u)", l->id, l->local_ufrag,
				l->port);
		} else {
			l->state = ST_FAILED;
			l->err = m->status;
			CP_WARN("ice leg %u: dataplane refused it: %s", l->id, strerror(-m->status));
		}
		break;
	case GW_IPC_ICE_REMOVED:
		if (m->status != 0)
			CP_WARN("ice leg %u: dataplane removal: %s", e->leg_id, strerror(-m->status));
		break;
	case GW_IPC_ICE_NOMINATED:
		CP_NOTICE("ice leg %u: nominated %s%s%s:%u -> port %u (priority %u)", e->leg_id,
			  peer.family == AF_INET6 ? "[" : "", a, peer.family == AF_INET6 ? "]" : "",
			  e->peer_port, e->port, e->priority);
		if (l == NULL)
			break;
		l->state = ST_NOMINATED;
		l->peer = peer;
		l->peer_port = e->peer_port;
		l->priority = e->priority;
		l->nominated_at = time(NULL);
		break;
	case GW_IPC_ICE_CONSENT_LOST:
		CP_NOTICE("ice leg %u: consent lost (no valid check for %u ms, peer %s:%u)",
			  e->leg_id, e->idle_ms, cp_addr_is_set(&peer) ? a : "none", e->peer_port);
		if (l == NULL)
			break;
		l->state = ST_CONSENT_LOST;
		l->consent_lost_at = time(NULL);
		break;
	default:
		CP_WARN("ice: unknown event kind %u", e->kind);
		return;
	}
	if (listener != NULL && l != NULL &&
	    (e->kind == GW_IPC_ICE_NOMINATED || e->kind == GW_IPC_ICE_CONSENT_LOST ||
	     (e->kind == GW_IPC_ICE_ADDED && m->status != 0)))
		listener(listener_ctx, e->leg_id, e->kind, &peer, e->peer_port);
}

/* Random ice-chars (RFC 8839 §5.4: ALPHA / DIGIT / "+" / "/"): 64 symbols,
 * so 6 bits of each random byte give a uniform choice. */
static int
gen_ice_chars(char *out, size_t n)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char r[64];

	if (n >= sizeof(r) || RAND_bytes(r, (int)n) != 1)
		return -EIO;
	for (size_t i = 0; i < n; i++)
		out[i] = alphabet[r[i] & 63];
	out[n] = '\0';
	gw_wipe(r, sizeof(r));
	return 0;
}

static json_t *
leg_json(const struct leg *l)
{
	json_t *o = json_pack("{s:I, s:s, s:s, s:i, s:s, s:I}", "id", (json_int_t)l->id,
			      "local_ufrag", l->local_ufrag, "remote_ufrag", l->remote_ufrag,
			      "port", l->port, "state", state_names[l->state],
			      "created", (json_int_t)l->created);
	char a[CP_ADDR_STRLEN];

	if (o == NULL)
		return NULL;
	if (cp_addr_is_set(&l->peer)) {
		json_object_set_new(o, "selected",
				    json_pack("{s:s, s:s, s:i, s:I}", "address",
					      cp_addr_str(&l->peer, a, sizeof(a)), "family",
					      l->peer.family == AF_INET6 ? "ipv6" : "ipv4", "port",
					      l->peer_port, "priority", (json_int_t)l->priority));
		json_object_set_new(o, "nominated_at", json_integer((json_int_t)l->nominated_at));
	}
	if (l->state == ST_CONSENT_LOST)
		json_object_set_new(o, "consent_lost_at",
				    json_integer((json_int_t)l->consent_lost_at));
	if (l->state == ST_FAILED)
		json_object_set_new(o, "error", json_string(strerror(-l->err)));
	return o;
}

/* A string member that must be ice-chars of min..max bytes, or absent
 * (*out stays NULL). Returns false with a reason. */
static bool
opt_chars(json_t *body, const char *key, size_t min, size_t max, const char **out,
	  char *why, size_t wlen)
{
	json_t *v = json_object_get(body, key);

	*out = NULL;
	if (v == NULL)
		return true;
	if (!json_is_string(v) || !gw_ice_chars_ok(json_string_value(v), min, max) ||
	    json_string_length(v) != strlen(json_string_value(v))) {
		snprintf(why, wlen, "%s must be a string of %zu..%zu ice-chars "
			 "(letters, digits, '+', '/')", key, min, max);
		return false;
	}
	*out = json_string_value(v);
	return true;
}

static bool
dp_ready(const struct cp_app *app)
{
	return app->ipc != NULL && !app->dp_lost;
}

/*
 * Create leg on port for remote ufrag ru with our ufrag lu and password lp
 * (NULL: generated) and publish it to the dataplane. pwd receives the
 * password (the caller wipes it). On failure: -errno, *status the HTTP
 * status and why the reason.
 */
static int
leg_create(struct cp_app *app, uint16_t port, const char *ru, const char *lu, const char *lp,
	   struct leg **out, char pwd[GW_ICE_PWD_MAX + 1], unsigned *status, char *why,
	   size_t wlen)
{
	struct gw_ipc_msg m = { .type = GW_IPC_ICE_ADD_REQ };
	struct gw_ipc_ice_add *add = &m.u.ice_add;
	struct leg *l = NULL;

	*status = 503;
	if (!dp_ready(app)) {
		snprintf(why, wlen, "no dataplane attached");
		return -ENOTCONN;
	}
	for (unsigned i = 0; i < CP_ICE_MAX_LEGS && l == NULL; i++)
		if (legs[i].id == 0)
			l = &legs[i];
	if (l == NULL) {
		snprintf(why, wlen, "ICE leg table full (%d legs)", CP_ICE_MAX_LEGS);
		return -ENOSPC;
	}
	memset(l, 0, sizeof(*l));
	if (lu != NULL) {
		if (ufrag_taken(lu)) {
			*status = 409;
			snprintf(why, wlen, "local_ufrag %s is in use", lu);
			return -EEXIST;
		}
		snprintf(l->local_ufrag, sizeof(l->local_ufrag), "%s", lu);
	} else {
		do {
			if (gen_ice_chars(l->local_ufrag, GEN_UFRAG_LEN) != 0)
				goto rand_fail;
		} while (ufrag_taken(l->local_ufrag));
	}
	if (lp != NULL)
		snprintf(pwd, GW_ICE_PWD_MAX + 1, "%s", lp);
	else if (gen_ice_chars(pwd, GEN_PWD_LEN) != 0)
		goto rand_fail;
	snprintf(l->remote_ufrag, sizeof(l->remote_ufrag), "%s", ru);
	l->port = port;
	l->state = ST_PENDING;
	l->created = time(NULL);
	add->leg_id = next_id;
	add->port = l->port;
	add->local_ufrag_len = (uint8_t)strlen(l->local_ufrag);
	add->remote_ufrag_len = (uint8_t)strlen(l->remote_ufrag);
	add->pwd_len = (uint8_t)strlen(pwd);
	memcpy(add->local_ufrag, l->local_ufrag, add->local_ufrag_len);
	memcpy(add->remote_ufrag, l->remote_ufrag, add->remote_ufrag_len);
	memcpy(add->pwd, pwd, add->pwd_len);
	if (cp_ipc_send(app->ipc, 0, &m) != 0) {
		gw_wipe(&m, sizeof(m));
		gw_wipe(pwd, GW_ICE_PWD_MAX + 1);
		memset(l, 0, sizeof(*l));
		snprintf(why, wlen, "dataplane command ring full");
		return -ENOBUFS;
	}
	gw_wipe(&m, sizeof(m));
	l->id = next_id++;
	if (next_id == 0)
		next_id = 1;
	CP_INFO("ice leg %u: created (ufrag %s, remote %s, port %u)", l->id, l->local_ufrag,
		l->remote_ufrag, l->port);
	*out = l;
	return 0;

rand_fail:
	memset(l, 0, sizeof(*l));
	*status = 500;
	snprintf(why, wlen, "random generator failed");
	return -EIO;
}

int
cp_ice_leg_create(struct cp_app *app, uint16_t port, const char *remote_ufrag,
		  struct cp_ice_leg_info *info, char *why, size_t wlen)
{
	struct leg *l;
	unsigned status;
	int rc;

	if (!gw_ice_chars_ok(remote_ufrag, GW_ICE_UFRAG_MIN, GW_ICE_UFRAG_MAX)) {
		snprintf(why, wlen, "remote ice-ufrag: %u..%u ice-chars", GW_ICE_UFRAG_MIN,
			 GW_ICE_UFRAG_MAX);
		return -EINVAL;
	}
	rc = leg_create(app, port, remote_ufrag, NULL, NULL, &l, info->pwd, &status, why, wlen);
	if (rc != 0)
		return rc;
	info->id = l->id;
	snprintf(info->ufrag, sizeof(info->ufrag), "%s", l->local_ufrag);
	return 0;
}

int
cp_ice_leg_create_with(struct cp_app *app, uint16_t port, const char *remote_ufrag,
		       const char *local_ufrag, const char *local_pwd,
		       struct cp_ice_leg_info *info, char *why, size_t wlen)
{
	struct leg *l;
	unsigned status;
	int rc;

	if (!gw_ice_chars_ok(remote_ufrag, GW_ICE_UFRAG_MIN, GW_ICE_UFRAG_MAX) ||
	    !gw_ice_chars_ok(local_ufrag, GW_ICE_UFRAG_MIN, GW_ICE_UFRAG_MAX) ||
	    !gw_ice_chars_ok(local_pwd, 22, GW_ICE_PWD_MAX)) {
		snprintf(why, wlen, "ice-ufrag: %u..%u ice-chars, ice-pwd: 22..%u",
			 GW_ICE_UFRAG_MIN, GW_ICE_UFRAG_MAX, GW_ICE_PWD_MAX);
		return -EINVAL;
	}
	rc = leg_create(app, port, remote_ufrag, local_ufrag, local_pwd, &l, info->pwd, &status,
			why, wlen);
	if (rc != 0)
		return rc;
	l->calls = true;
	cp_journal_touch();
	info->id = l->id;
	snprintf(info->ufrag, sizeof(info->ufrag), "%s", l->local_ufrag);
	return 0;
}

/* cp_ice_leg_restart with our credentials lu/lp kept (NULL: new ones). */
static int
leg_restart(struct cp_app *app, uint32_t id, const char *remote_ufrag, const char *lu,
	    const char *lp, struct cp_ice_leg_info *info, char *why, size_t wlen)
{
	struct gw_ipc_msg del = { .type = GW_IPC_ICE_DEL_REQ }, m = { .type = GW_IPC_ICE_ADD_REQ };
	struct gw_ipc_ice_add *add = &m.u.ice_add;
	struct leg *l = find(id);
	char ufrag[GW_ICE_UFRAG_MAX + 1];

	if (l == NULL) {
		snprintf(why, wlen, "no ICE leg %u", id);
		return -ENOENT;
	}
	if (!gw_ice_chars_ok(remote_ufrag, GW_ICE_UFRAG_MIN, GW_ICE_UFRAG_MAX)) {
		snprintf(why, wlen, "remote ice-ufrag: %u..%u ice-chars", GW_ICE_UFRAG_MIN,
			 GW_ICE_UFRAG_MAX);
		return -EINVAL;
	}
	if (lu != NULL && (strcmp(lu, l->local_ufrag) != 0 ||
			   !gw_ice_chars_ok(lp, 22, GW_ICE_PWD_MAX))) {
		snprintf(why, wlen, "local ice-ufrag is not the leg's, or ice-pwd not 22..%u",
			 GW_ICE_PWD_MAX);
		return -EINVAL;
	}
	if (!dp_ready(app)) {
		snprintf(why, wlen, "no dataplane attached");
		return -ENOTCONN;
	}
	if (lu != NULL) {
		snprintf(ufrag, sizeof(ufrag), "%s", lu);
		snprintf(info->pwd, sizeof(info->pwd), "%s", lp);
	} else {
		do {
			if (gen_ice_chars(ufrag, GEN_UFRAG_LEN) != 0)
				goto rand_fail;
		} while (ufrag_taken(ufrag));
		if (gen_ice_chars(info->pwd, GEN_PWD_LEN) != 0)
			goto rand_fail;
	}
	/* Both on worker 0's ring, in this order: the old credentials go, the
	 * new ones come with the same leg id (the media and SRTP leg stay as
	 * they are, media keeps flowing); the leg's consent starts afresh. */
	del.u.ice_del.leg_id = id;
	add->leg_id = id;
	add->port = l->port;
	add->local_ufrag_len = (uint8_t)strlen(ufrag);
	add->remote_ufrag_len = (uint8_t)strlen(remote_ufrag);
	add->pwd_len = (uint8_t)strlen(info->pwd);
	memcpy(add->local_ufrag, ufrag, add->local_ufrag_len);
	memcpy(add->remote_ufrag, remote_ufrag, add->remote_ufrag_len);
	memcpy(add->pwd, info->pwd, add->pwd_len);
	if (cp_ipc_send(app->ipc, 0, &del) != 0 || cp_ipc_send(app->ipc, 0, &m) != 0) {
		/* without new credentials the leg loses consent and ends */
		gw_wipe(&m, sizeof(m));
		gw_wipe(info->pwd, sizeof(info->pwd));
		snprintf(why, wlen, "dataplane command ring full");
		return -ENOBUFS;
	}
	gw_wipe(&m, sizeof(m));
	snprintf(l->local_ufrag, sizeof(l->local_ufrag), "%s", ufrag);
	snprintf(l->remote_ufrag, sizeof(l->remote_ufrag), "%s", remote_ufrag);
	l->state = ST_PENDING;
	cp_journal_touch();
	CP_NOTICE("ice leg %u: ICE restart (ufrag %s, remote %s)", id, ufrag, remote_ufrag);
	info->id = id;
	snprintf(info->ufrag, sizeof(info->ufrag), "%s", ufrag);
	return 0;

rand_fail:
	snprintf(why, wlen, "random generator failed");
	return -EIO;
}

int
cp_ice_leg_restart(struct cp_app *app, uint32_t id, const char *remote_ufrag,
		   struct cp_ice_leg_info *info, char *why, size_t wlen)
{
	return leg_restart(app, id, remote_ufrag, NULL, NULL, info, why, wlen);
}

int
cp_ice_leg_restart_with(struct cp_app *app, uint32_t id, const char *remote_ufrag,
			const char *local_ufrag, const char *local_pwd,
			struct cp_ice_leg_info *info, char *why, size_t wlen)
{
	return leg_restart(app, id, remote_ufrag, local_ufrag, local_pwd, info, why, wlen);
}

const char *
cp_ice_leg_remote_ufrag(uint32_t id)
{
	const struct leg *l = find(id);

	return l == NULL ? NULL : l->remote_ufrag;
}

int
cp_ice_gen_chars(char *out, size_t n)
{
	return gen_ice_chars(out, n);
}

/* Forget leg l and take it out of the dataplane. */
static int
leg_delete(struct cp_app *app, struct leg *l)
{
	struct gw_ipc_msg m = { .type = GW_IPC_ICE_DEL_REQ };

	m.u.ice_del.leg_id = l->id;
	if (dp_ready(app) && cp_ipc_send(app->ipc, 0, &m) != 0)
		return -ENOBUFS;
	CP_INFO("ice leg %u: deleted", l->id);
	memset(l, 0, sizeof(*l));
	return 0;
}

int
cp_ice_leg_delete(struct cp_app *app, uint32_t id)
{
	struct leg *l = find(id);

	return l == NULL ? -ENOENT : leg_delete(app, l);
}

const char *
cp_ice_leg_state(uint32_t id)
{
	const struct leg *l = find(id);

	return l == NULL ? "gone" : state_names[l->state];
}

enum MHD_Result
cp_ice_post(void *a, const struct cp_rest_req *r)
{
	struct cp_app *app = a;
	const struct gw_config *c = app->conf;
	char why[160], pwd[GW_ICE_PWD_MAX + 1];
	const char *lu, *lp, *ru, *key;
	struct leg *l = NULL;
	unsigned why_status;
	int rc;
	json_error_t jerr;
	json_t *body, *v, *doc;
	json_int_t port;

	if (r->body == NULL)
		return cp_rest_reply_error(r, 400, "JSON body required");
	body = json_loads(r->body, JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL)
		return cp_rest_reply_error(r, 400, "invalid JSON at line %d column %d: %s",
					   jerr.line, jerr.column, jerr.text);
	if (!json_is_object(body)) {
		json_decref(body);
		return cp_rest_reply_error(r, 400, "body must be a JSON object");
	}
	json_object_foreach(body, key, v) {
		if (strcmp(key, "local_ufrag") != 0 && strcmp(key, "local_pwd") != 0 &&
		    strcmp(key, "remote_ufrag") != 0 && strcmp(key, "port") != 0) {
			snprintf(why, sizeof(why), "unknown member \"%.40s\"", key);
			goto bad;
		}
	}
	v = json_object_get(body, "port");
	if (!json_is_integer(v) || (port = json_integer_value(v)) < c->media.port_min ||
	    port > c->media.port_max) {
		snprintf(why, sizeof(why), "port must be an integer in the media range %u..%u",
			 c->media.port_min, c->media.port_max);
		goto bad;
	}
	if (json_object_get(body, "remote_ufrag") == NULL) {
		snprintf(why, sizeof(why), "remote_ufrag is required");
		goto bad;
	}
	if (!opt_chars(body, "remote_ufrag", GW_ICE_UFRAG_MIN, GW_ICE_UFRAG_MAX, &ru, why,
		       sizeof(why)) ||
	    !opt_chars(body, "local_ufrag", GW_ICE_UFRAG_MIN, GW_ICE_UFRAG_MAX, &lu, why,
		       sizeof(why)) ||
	    !opt_chars(body, "local_pwd", GW_ICE_PWD_MIN, GW_ICE_PWD_MAX, &lp, why, sizeof(why)))
		goto bad;
	rc = leg_create(app, (uint16_t)port, ru, lu, lp, &l, pwd, &why_status, why, sizeof(why));
	json_decref(body);      /* lu, lp, ru point into it */
	if (rc != 0)
		return cp_rest_reply_error(r, why_status, "%s", why);
	doc = leg_json(l);
	if (doc != NULL)
		json_object_set_new(doc, "local_pwd", json_string(pwd));
	gw_wipe(pwd, sizeof(pwd));
	return cp_rest_reply_json(r, 201, doc);

bad:
	json_decref(body);
	return cp_rest_reply_error(r, 400, "%s", why);
}

/* "/v1/ice/legs/<id>" -> the leg, or NULL (and *bad when not a number). */
static struct leg *
leg_of_path(const char *path, bool *bad)
{
	const char *p = path + strlen("/v1/ice/legs/");
	char *end;
	unsigned long id;

	*bad = false;
	if (strncmp(path, "/v1/ice/legs/", 13) != 0 || *p < '1' || *p > '9') {
		*bad = true;
		return NULL;
	}
	id = strtoul(p, &end, 10);
	if (*end != '\0' || id > UINT32_MAX) {
		*bad = true;
		return NULL;
	}
	return find((uint32_t)id);
}

enum MHD_Result
cp_ice_get(void *a, const struct cp_rest_req *r)
{
	struct leg *l;
	bool bad;

	(void)a;
	if (strcmp(r->path, "/v1/ice/legs") == 0 || strcmp(r->path, "/v1/ice/legs/") == 0) {
		json_t *arr = json_array();

		for (unsigned i = 0; arr != NULL && i < CP_ICE_MAX_LEGS; i++)
			if (legs[i].id != 0)
				json_array_append_new(arr, leg_json(&legs[i]));
		return cp_rest_reply_json(r, 200, arr ? json_pack("{s:o}", "legs", arr) : NULL);
	}
	l = leg_of_path(r->path, &bad);
	if (l == NULL)
		return cp_rest_reply_error(r, 404, "no such ICE leg: %s", r->path);
	return cp_rest_reply_json(r, 200, leg_json(l));
}

enum MHD_Result
cp_ice_delete(void *a, const struct cp_rest_req *r)
{
	struct cp_app *app = a;
	struct leg *l;
	bool bad;

	l = leg_of_path(r->path, &bad);
	if (l == NULL)
		return cp_rest_reply_error(r, 404, "no such ICE leg: %s", r->path);
	if (leg_delete(app, l) != 0)
		return cp_rest_reply_error(r, 503, "dataplane command ring full");
	return cp_rest_reply_text(r, 204, "application/json", "", 0);
}
