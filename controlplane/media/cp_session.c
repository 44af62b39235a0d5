#include "cp_session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>
#include <rte_mbuf.h>

#include "cp_addr.h"
#include "cp_api.h"
#include "cp_clock.h"
#include "cp_dtls.h"
#include "cp_dtls_journal.h"
#include "cp_ice.h"
#include "cp_ingest_desc.h"
#include "cp_ipc.h"
#include "cp_journal.h"
#include "cp_log.h"
#include "cp_sdp.h"
#include "cp_turn.h"
#include "ct.h"
#include "net.h"
#include "net6.h"

/* Legs of all sessions: a publisher with 1000+ viewers fits (issue 7), within
 * the dataplane's ICE and media tables (4096 each). */
#define MAX_LEGS        2048
/* Per-leg counters are asked for once a period, at most STATS_BURST legs per
 * tick (every ipc_poll_ms): each answer is two events, and a whole table at
 * once would overrun the 1024-entry rings. */
#define STATS_BURST     32
#define STREAM_LEN      64
#define STATS_PERIOD_MS 1000
#define ANSWER_MAX      16384
#define LINK_TTL_S      3600
#define RESOURCE_PREFIX "/v1/resources/"
#define INGEST_ID_FLAG  0x40000000u     /* ingest legs' ids (ICE legs count from 1) */

/* KIND_INGEST: an RTP-ingest stream's leg, a publisher fed by plain RTP
 * (no ICE, no DTLS), made by cp_session_ingest_add. */
enum leg_kind { KIND_ECHO, KIND_PUB, KIND_SUB, KIND_INGEST };

static const char *const kind_names[] = { "echo", "publisher", "viewer", "ingest" };

struct mleg {
	uint32_t id;                   /* 0: slot free; = the ICE, media and SRTP leg id */
	enum leg_kind kind;
	char stream[STREAM_LEN];       /* PUB/SUB */
	uint16_t port;
	time_t created;
	uint32_t etag;
	struct cp_dtls *dtls;
	bool peer_known;               /* where DTLS records go */
	struct cp_addr peer;           /* IPv4 or IPv6 */
	uint16_t peer_port;
	bool keys_sent;
	int keys_status;               /* the dataplane's answer: 1 pending, 0 ok, -errno */
	uint16_t profile;
	struct cp_sdp *offer;          /* PUB, INGEST: what viewers' answers follow */
	struct gw_conf_stream *spec;   /* INGEST: its codecs and payload types */
	bool has_rx, has_tx;
	bool restored;                 /* taken over from the journal: no DTLS endpoint */
	uint64_t cnt[GW_IPC_MEDIA_CNT_MAX];
};

static struct mleg legs[MAX_LEGS];
static struct cp_app *app;
static struct cp_dtls_cert *cert;
static uint8_t cert_fp[32];
static uint16_t port_cursor;
static uint32_t next_ingest_id;
static uint64_t next_stats;
static bool (*port_guard)(uint16_t port);
static void (*evt_fallback)(const struct gw_ipc_msg *m);
static bool sweep_restored;
static unsigned stats_cursor = MAX_LEGS;   /* MAX_LEGS: no stats round running */
static cp_session_ice_fn *ice_fallback;
static cp_session_punt_fn *punt_fallback;

static const char *const cnt_names[] = {
#define CNT_NAME(n) #n,
	GW_IPC_MEDIA_LEG_COUNTERS(CNT_NAME)
#undef CNT_NAME
};

static uint64_t
mono_ms(void *arg)
{
	(void)arg;
	return cp_mono_ms();
}

static const struct cp_dtls_env dtls_env = { .now_ms = mono_ms };

const struct cp_dtls_env *
cp_session_dtls_env(void)
{
	return &dtls_env;
}

static bool
dp_ready(void)
{
	return app != NULL && app->ipc != NULL && !app->dp_lost;
}

static struct mleg *
find(uint32_t id)
{
	for (unsigned i = 0; id != 0 && i < MAX_LEGS; i++)
		if (legs[i].id == id)
			return &legs[i];
	return NULL;
}

static struct mleg *
by_port(uint16_t port)
{
	for (unsigned i = 0; i < MAX_LEGS; i++)
		if (legs[i].id != 0 && legs[i].port == port)
			return &legs[i];
	return NULL;
}

static struct mleg *
publisher(const char *stream)
{
	for (unsigned i = 0; i < MAX_LEGS; i++)
		if (legs[i].id != 0 && (legs[i].kind == KIND_PUB || legs[i].kind == KIND_INGEST) &&
		    strcmp(legs[i].stream, stream) == 0)
			return &legs[i];
	return NULL;
}

static int
media_cmd(uint32_t id, uint16_t op, uint16_t port, uint8_t rule, uint32_t pub)
{
	struct gw_ipc_msg m = { .type = GW_IPC_MEDIA_LEG_REQ };

	m.u.media_leg.leg_id = id;
	m.u.media_leg.op = op;
	m.u.media_leg.port = port;
	m.u.media_leg.rule = rule;
	m.u.media_leg.pub_leg_id = pub;
	return dp_ready() ? cp_ipc_send(app->ipc, 0, &m) : -ENOTCONN;
}

/*
 * A viewer's RTX (RFC 4588), when its answer negotiated it: the first
 * answered section that sends a stream with an RTX SSRC (the answer's
 * ssrc-group FID) and keeps rtx payload types; its (media PT, RTX PT) pairs
 * go to the dataplane, which then answers the viewer's NACKs for that stream
 * with RTX packets. Nothing sent without (in-stream resends).
 */
static int
viewer_rtx(uint32_t id, const struct cp_sdp *ans, const struct cp_sdp_answer_params *p)
{
	struct gw_ipc_msg m = { .type = GW_IPC_MEDIA_LEG_REQ };
	struct gw_ipc_media_rtx *x = &m.u.media_rtx;

	for (unsigned i = 0; i < ans->n_media && i < CP_SDP_MAX_MEDIA; i++) {
		const struct cp_sdp_media *am = &ans->media[i];

		if ((am->port == 0 && !am->bundle_only) || p->send[i].ssrc == 0 ||
		    p->send[i].rtx_ssrc == 0)
			continue;
		x->n = (uint8_t)cp_sdp_rtx_pairs(am, x->apt, x->rtx, GW_IPC_MEDIA_RTX_PTS);
		if (x->n == 0)
			continue;
		x->leg_id = id;
		x->op = GW_IPC_MEDIA_RTX;
		x->media_ssrc = p->send[i].ssrc;
		x->rtx_ssrc = p->send[i].rtx_ssrc;
		return dp_ready() ? cp_ipc_send(app->ipc, 0, &m) : -ENOTCONN;
	}
	return 0;
}

/* Send what the DTLS endpoint queued to the peer (once its address is known). */
static void
flush(struct mleg *l)
{
	uint8_t buf[CP_DTLS_MAX_DGRAM];
	struct gw_ipc_tx_meta meta = { .src_port = l->port, .port_id = 0 };
	int n;

	if (!l->peer_known || l->dtls == NULL || !dp_ready())
		return;
	if (l->peer.family == AF_INET6) {
		meta.family = GW_IPC_FAMILY_IPV6;
		memcpy(meta.dst_ip6, l->peer.ip6, 16);
	} else {
		meta.dst_ip = l->peer.ip4;
	}
	meta.dst_port = l->peer_port;
	while ((n = cp_dtls_output(l->dtls, buf, sizeof(buf))) > 0)
		if (cp_ipc_tx(app->ipc, 0, &meta, buf, (size_t)n) != 0)
			CP_WARN("media leg %u: DTLS datagram not sent (tx ring)", l->id);
}

static void
end_leg(struct mleg *l, const char *why)
{
	if (l->kind == KIND_PUB || l->kind == KIND_INGEST) {
		for (unsigned i = 0; i < MAX_LEGS; i++)
			if (legs[i].id != 0 && legs[i].kind == KIND_SUB &&
			    strcmp(legs[i].stream, l->stream) == 0)
				end_leg(&legs[i], "publisher left");
	}
	if (l->dtls != NULL && cp_dtls_state(l->dtls) == CP_DTLS_CONNECTED &&
	    cp_dtls_close(l->dtls) == 0)
		flush(l);
	if (media_cmd(l->id, GW_IPC_MEDIA_DEL, 0, 0, 0) != 0 && dp_ready())
		CP_WARN("media leg %u: delete not sent (command ring full)", l->id);
	if (l->kind != KIND_INGEST)
		(void)cp_ice_leg_delete(app, l->id);
	cp_dtls_free(l->dtls);
	free(l->offer);
	free(l->spec);
	CP_NOTICE("media leg %u (%s%s%s, port %u): ended: %s", l->id, kind_names[l->kind],
		  l->stream[0] ? " " : "", l->stream, l->port, why);
	memset(l, 0, sizeof(*l));
	cp_journal_touch();
}

/* ---- events -------------------------------------------------------------------- */

static void
on_ice(void *ctx, uint32_t id, uint16_t kind, const struct cp_addr *peer, uint16_t peer_port)
{
	struct mleg *l = find(id);
	struct gw_ipc_msg m = { .type = GW_IPC_MEDIA_LEG_REQ };

	(void)ctx;
	if (l == NULL) {
		if (ice_fallback != NULL)   /* the calls' WebRTC legs */
			ice_fallback(id, kind, peer, peer_port);
		return;
	}
	if (kind == GW_IPC_ICE_CONSENT_LOST) {
		end_leg(l, "ICE consent lost");
		return;
	}
	if (kind != GW_IPC_ICE_NOMINATED) {
		end_leg(l, "ICE credential refused by the dataplane");
		return;
	}
	m.u.media_leg.leg_id = id;
	m.u.media_leg.op = GW_IPC_MEDIA_PEER;
	if (peer->family == AF_INET6) {
		m.u.media_leg.peer_family = GW_IPC_FAMILY_IPV6;
		memcpy(m.u.media_leg.peer_ip6, peer->ip6, 16);
	} else {
		m.u.media_leg.peer_ip = peer->ip4;
	}
	m.u.media_leg.peer_port = peer_port;
	if (dp_ready())
		(void)cp_ipc_send(app->ipc, 0, &m);
	/* a later nomination (after an ICE restart) moves the DTLS peer too */
	l->peer = *peer;
	l->peer_port = peer_port;
	if (!l->peer_known) {
		l->peer_known = true;
		flush(l);         /* a DTLS client's ClientHello waited for this */
	}
	cp_journal_touch();
}

static void
on_media_evt(void *ctx, struct cp_ipc *c, const struct gw_ipc_msg *m)
{
	const struct gw_ipc_media_evt *e = &m->u.media_evt;
	struct mleg *l = find(e->leg_id);

	(void)ctx;
	(void)c;
	if (l == NULL) {
		if (evt_fallback != NULL)
			evt_fallback(m);
		return;
	}
	if ((e->op == GW_IPC_MEDIA_STATS || e->op == GW_IPC_MEDIA_STATS_MORE) && m->status == 0) {
		gw_ipc_media_cnt_take(l->cnt, e);
		if (e->op == GW_IPC_MEDIA_STATS) {
			l->has_rx = e->has_rx;
			l->has_tx = e->has_tx;
		}
	} else if (m->status != 0 && e->op != GW_IPC_MEDIA_STATS && e->op != GW_IPC_MEDIA_DEL) {
		CP_WARN("media leg %u: dataplane refused op %u: %s", l->id, e->op,
			strerror(-m->status));
		end_leg(l, "dataplane refused the leg");
	}
}

static void
on_srtp_evt(void *ctx, struct cp_ipc *c, const struct gw_ipc_msg *m)
{
	struct mleg *l = find(m->u.srtp_evt.leg_id);

	(void)ctx;
	(void)c;
	if (l == NULL || m->u.srtp_evt.kind != GW_IPC_SRTP_ADDED)
		return;
	l->keys_status = m->status;
	if (m->status != 0)
		end_leg(l, "dataplane refused the SRTP keys");
	else
		cp_journal_touch();
}

/* After the endpoint saw input or a timer: keys once connected, end on failure. */
static void
dtls_progress(struct mleg *l, int rc)
{
	struct gw_ipc_msg m = { .type = GW_IPC_SRTP_ADD_REQ };
	enum cp_dtls_state st;

	flush(l);
	st = cp_dtls_state(l->dtls);
	if (st == CP_DTLS_CONNECTED && !l->keys_sent) {
		if (cp_dtls_srtp_keys(l->dtls, l->id, &m.u.srtp_keys) != 0 || !dp_ready() ||
		    cp_ipc_send(app->ipc, 0, &m) != 0) {
			gw_wipe(&m, sizeof(m));
			end_leg(l, "SRTP keys could not be installed");
			return;
		}
		l->profile = m.u.srtp_keys.profile;
		gw_wipe(&m, sizeof(m));
		l->keys_sent = true;
		l->keys_status = 1;
		cp_journal_touch();
		CP_INFO("media leg %u: DTLS connected, SRTP profile 0x%04x", l->id, l->profile);
		return;
	}
	if (st == CP_DTLS_CLOSED)
		end_leg(l, "DTLS close_notify");
	else if (st == CP_DTLS_FAILED)
		end_leg(l, rc == CP_DTLS_E_FINGERPRINT ? "DTLS fingerprint mismatch"
			   : rc == CP_DTLS_E_TIMEOUT    ? "DTLS handshake timed out"
			   : rc == CP_DTLS_E_ALERT      ? "DTLS alert"
							: "DTLS handshake failed");
}

static void
on_punt(void *ctx, struct cp_ipc *c, unsigned worker, struct rte_mbuf *mb)
{
	const uint8_t *p = rte_pktmbuf_mtod(mb, const uint8_t *);
	struct gw_eth_view e;
	struct gw_ipv4_view ip;
	struct gw_ipv6_view ip6;
	struct gw_udp_view u;
	struct cp_addr src;
	struct mleg *l;
	int rc;

	(void)ctx;
	(void)c;
	(void)worker;
	/* the dataplane checked the checksums; over IPv6 the frame is parsed
	 * the same way (extension headers walked), the source kept whole */
	if (gw_eth_parse(&e, p, rte_pktmbuf_data_len(mb)) != 0) {
		rte_pktmbuf_free(mb);
		return;
	}
	if (e.ethertype == GW_ETHERTYPE_IPV6) {
		if (gw_ipv6_parse(&ip6, e.payload, e.payload_len) != 0 ||
		    ip6.proto != GW_IPPROTO_UDP || gw_udp6_parse(&u, &ip6, 0) != 0) {
			rte_pktmbuf_free(mb);
			return;
		}
		cp_addr_v6(&src, ip6.src);
	} else if (e.ethertype != GW_ETHERTYPE_IPV4 ||
		   gw_ipv4_parse(&ip, e.payload, e.payload_len) != 0 || gw_udp_parse(&u, &ip) != 0) {
		rte_pktmbuf_free(mb);
		return;
	} else {
		cp_addr_v4(&src, ip.src);
	}
	if ((l = by_port(u.dport)) == NULL || l->dtls == NULL) {
		/* another module's media port (calls' WebRTC legs) */
		if (l == NULL && punt_fallback != NULL)
			punt_fallback(&src, u.sport, u.dport, u.payload, u.payload_len);
		rte_pktmbuf_free(mb);
		return;
	}
	/* ICE nominated this address normally; before the event, the first
	 * record's source is where the handshake runs. */
	if (!l->peer_known) {
		l->peer_known = true;
		l->peer = src;
		l->peer_port = u.sport;
	}
	rc = cp_dtls_input(l->dtls, u.payload, u.payload_len);
	rte_pktmbuf_free(mb);
	dtls_progress(l, rc);
}

/*
 * A fresh attachment: the dataplane's legs belong to no one we know, unless
 * the journal gave us this dataplane's sessions back. Then what the journal
 * does not cover goes: sessions whose DTLS handshake had not finished (its
 * state died with the old process; the browser's handshake times out and it
 * starts over).
 */
static void
on_attach(void *ctx, struct cp_ipc *c)
{
	struct gw_ipc_msg m = { .type = GW_IPC_MEDIA_LEG_REQ };

	(void)ctx;
	m.u.media_leg.op = GW_IPC_MEDIA_DEL;
	if (!cp_journal_restored()) {
		(void)cp_ipc_send(c, 0, &m);
		return;
	}
	/* the calls' legs are the calls module's (cp_calls_journal) */
	sweep_restored = true;     /* in the first tick: app->ipc is set by then */
}

/* ---- journal (cp_journal): what a restarted control plane takes over -------------- */

static json_t *
journal_save(void *ctx)
{
	json_t *arr = json_array();
	char *sdp = NULL;

	(void)ctx;
	for (unsigned i = 0; arr != NULL && i < MAX_LEGS; i++) {
		const struct mleg *l = &legs[i];
		json_t *o;

		if (l->id == 0)
			continue;
		o = json_pack("{s:I, s:i, s:s, s:i, s:I, s:I, s:b, s:i, s:i, s:i}", "id",
			      (json_int_t)l->id, "kind", l->kind, "stream", l->stream, "port",
			      l->port, "created", (json_int_t)l->created, "etag",
			      (json_int_t)l->etag, "peer_known", l->peer_known,
			      "peer_port", l->peer_port, "keys_status",
			      l->keys_sent ? l->keys_status : 1, "profile", l->profile);
		/* peer_ip (IPv4, an integer as ever) or peer_ip6 (text) */
		if (o != NULL && cp_addr_json_set(o, "peer_ip", "peer_ip6", &l->peer) != 0) {
			json_decref(o);
			o = NULL;
		}
		/* An ingest stream's codecs and payload types (cp_ingest_from_json's
		 * form: the tracks without their derived clock rates). */
		if (o != NULL && l->kind == KIND_INGEST && l->spec != NULL) {
			json_t *sp = cp_ingest_tracks_json(l->spec), *t;

			if (sp != NULL) {
				if ((t = json_object_get(sp, "audio")) != NULL)
					json_object_del(t, "clock");
				if ((t = json_object_get(sp, "video")) != NULL)
					json_object_del(t, "clock");
				json_object_set_new(sp, "name", json_string(l->spec->name));
				json_object_set_new(o, "spec", sp);
			}
		}
		/* A publisher's offer: the answers of viewers yet to come follow it. */
		if (o != NULL && l->offer != NULL) {
			int n;

			if (sdp == NULL && (sdp = malloc(ANSWER_MAX)) == NULL) {
				json_decref(o);
				o = NULL;
			} else if ((n = cp_sdp_encode(l->offer, sdp, ANSWER_MAX)) < 0) {
				json_decref(o);
				o = NULL;
			} else {
				json_object_set_new(o, "offer", json_stringn(sdp, (size_t)n));
			}
		}
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	free(sdp);
	return arr;
}

static int
journal_load_leg(struct mleg *l, json_t *e)
{
	json_int_t id, kind, port, created, etag, pport, ks, prof;
	struct cp_addr peer;
	const char *stream, *offer = NULL;
	int pk;
	char err[CP_SDP_ERR_LEN];

	if (json_unpack(e, "{s:I, s:I, s:s, s:I, s:I, s:I, s:b, s:I, s:I, s:I, s?s}", "id",
			&id, "kind", &kind, "stream", &stream, "port", &port, "created", &created,
			"etag", &etag, "peer_known", &pk, "peer_port", &pport,
			"keys_status", &ks, "profile", &prof, "offer", &offer) != 0 ||
	    cp_addr_json_get(&peer, e, "peer_ip", "peer_ip6") != 0 ||
	    id <= 0 || id > UINT32_MAX || kind < KIND_ECHO || kind > KIND_INGEST || port <= 0 ||
	    port > UINT16_MAX || strlen(stream) >= STREAM_LEN ||
	    ((kind == KIND_PUB || kind == KIND_INGEST) && !offer))
		return -EINVAL;
	memset(l, 0, sizeof(*l));
	if (kind == KIND_INGEST) {
		char *spec = json_dumps(json_object_get(e, "spec"), JSON_COMPACT);
		int rc = -ENOMEM;

		l->spec = malloc(sizeof(*l->spec));
		if (spec != NULL && l->spec != NULL)
			rc = cp_ingest_from_json(l->spec, spec, strlen(spec), err, sizeof(err));
		free(spec);
		if (rc != 0) {
			CP_WARN("journal: ingest leg %lld: no stream description", (long long)id);
			free(l->spec);
			l->spec = NULL;
			return rc < 0 ? rc : -EINVAL;
		}
	}
	if (offer != NULL) {
		l->offer = calloc(1, sizeof(*l->offer));
		if (l->offer == NULL)
			return -ENOMEM;
		if (cp_sdp_parse(l->offer, offer, strlen(offer), err, sizeof(err)) != 0) {
			CP_WARN("journal: media leg %lld: offer does not parse: %s", (long long)id,
				err);
			free(l->offer);
			free(l->spec);
			l->offer = NULL;
			l->spec = NULL;
			return -EINVAL;
		}
	}
	l->id = (uint32_t)id;
	l->kind = (enum leg_kind)kind;
	snprintf(l->stream, sizeof(l->stream), "%s", stream);
	l->port = (uint16_t)port;
	l->created = (time_t)created;
	l->etag = (uint32_t)etag;
	l->peer_known = pk;
	l->peer = peer;
	l->peer_port = (uint16_t)pport;
	l->keys_status = (int)ks;
	l->keys_sent = ks == 0;
	l->profile = (uint16_t)prof;
	l->restored = true;
	return 0;
}

static int
journal_load(void *ctx, json_t *v)
{
	json_t *e;
	size_t i;
	unsigned n = 0;
	int rc = 0;

	(void)ctx;
	if (!json_is_array(v))
		return -EINVAL;
	json_array_foreach(v, i, e) {
		if (n == MAX_LEGS)
			return -E2BIG;
		rc = journal_load_leg(&legs[n], e);
		if (rc != 0)
			break;
		n++;
	}
	CP_NOTICE("media: %u leg(s) taken over from the journal", n);
	return rc;
}

/* The journal's certificate replaced the generated one (cp_dtls_journal). */
static void
cert_swapped(void)
{
	if (cp_dtls_fingerprint_parse(cert_fp, cp_dtls_cert_fingerprint(cert)) != 0)
		CP_ERR("DTLS certificate from the journal: fingerprint unreadable");
}

int
cp_session_init(struct cp_app *a)
{
	int rc;

	app = a;
	if (a->conf->media.dtls_certificate[0] != '\0') {
		char err[640];

		rc = cp_dtls_cert_load(&cert, a->conf->media.dtls_certificate,
				       a->conf->media.dtls_private_key, err, sizeof(err));
		if (rc != 0) {
			CP_ERR("media.dtls_certificate: %s", err);
			return rc;
		}
		CP_NOTICE("DTLS certificate from %s (%s)", a->conf->media.dtls_certificate,
			  cp_dtls_cert_fingerprint(cert));
	} else {
		rc = cp_dtls_cert_create(&cert);
		/* A taken-over session's or call's association was made with the
		 * certificate of the control plane that journaled it: a takeover
		 * swaps this one for that (cert_swapped), before any use. */
		if (rc == 0)
			rc = cp_dtls_journal_register(&cert, cert_swapped);
		if (rc != 0)
			return rc;
	}
	if (cp_dtls_fingerprint_parse(cert_fp, cp_dtls_cert_fingerprint(cert)) != 0)
		return -EIO;
	cp_ice_listen(on_ice, NULL);
	rc = cp_journal_register("media", journal_save, journal_load, NULL);
	if (rc == 0)
		rc = cp_ipc_on(GW_IPC_MEDIA_EVENT, on_media_evt, NULL);
	if (rc == 0)
		rc = cp_ipc_on(GW_IPC_SRTP_EVENT, on_srtp_evt, NULL);
	if (rc == 0)
		rc = cp_ipc_on_punt(on_punt, NULL);
	if (rc == 0)
		rc = cp_ipc_on_attach(on_attach, NULL);
	return rc;
}

void
cp_session_fini(void)
{
	for (unsigned i = 0; i < MAX_LEGS; i++)
		if (legs[i].id != 0)
			end_leg(&legs[i], "control plane stopping");
	cp_dtls_journal_fini();
	cp_dtls_cert_free(cert);
	cert = NULL;
}

void
cp_session_tick(uint64_t now)
{
	unsigned asked = 0;

	if (now >= next_stats && stats_cursor == MAX_LEGS) {
		next_stats = now + STATS_PERIOD_MS;
		stats_cursor = 0;
	}
	for (; stats_cursor < MAX_LEGS && asked < STATS_BURST && dp_ready(); stats_cursor++) {
		struct gw_ipc_msg m = { .type = GW_IPC_MEDIA_STATS_REQ };

		if (legs[stats_cursor].id == 0)
			continue;
		m.u.media_leg.leg_id = legs[stats_cursor].id;
		if (cp_ipc_send(app->ipc, 0, &m) != 0)
			break;           /* command ring full: the rest next tick */
		asked++;
	}
	if (sweep_restored && dp_ready()) {
		sweep_restored = false;
		for (unsigned i = 0; i < MAX_LEGS; i++)
			if (legs[i].id != 0 && legs[i].restored && legs[i].kind != KIND_INGEST &&
			    legs[i].keys_status != 0)
				end_leg(&legs[i],
					"DTLS handshake lost with the previous control plane");
	}
	for (unsigned i = 0; i < MAX_LEGS; i++) {
		struct mleg *l = &legs[i];

		if (l->id == 0)
			continue;
		if (l->dtls != NULL && cp_dtls_state(l->dtls) == CP_DTLS_HANDSHAKING &&
		    cp_dtls_timeout_ms(l->dtls) == 0) {
			int rc = cp_dtls_tick(l->dtls);

			dtls_progress(l, rc);
		}
	}
}

void
cp_session_counts(unsigned *sessions, unsigned *n_legs)
{
	*sessions = *n_legs = 0;
	for (unsigned i = 0; i < MAX_LEGS; i++) {
		if (legs[i].id == 0)
			continue;
		(*n_legs)++;
		if (legs[i].kind != KIND_SUB)
			(*sessions)++;
	}
}

bool
cp_session_port_busy(uint16_t port)
{
	return by_port(port) != NULL;
}

void
cp_session_set_port_guard(bool (*fn)(uint16_t port))
{
	port_guard = fn;
}

void
cp_session_set_evt_fallback(void (*fn)(const struct gw_ipc_msg *m))
{
	evt_fallback = fn;
}

void
cp_session_set_ice_fallback(cp_session_ice_fn *fn)
{
	ice_fallback = fn;
}

void
cp_session_set_punt_fallback(cp_session_punt_fn *fn)
{
	punt_fallback = fn;
}

const struct cp_dtls_cert *
cp_session_dtls_cert(const uint8_t **fp)
{
	*fp = cert_fp;
	return cert;
}

/* ---- creating a leg ------------------------------------------------------------ */

static int
alloc_port(uint16_t *out)
{
	const struct gw_config *c = app->conf;
	uint32_t span = (uint32_t)c->media.port_max - c->media.port_min + 1;

	for (uint32_t n = 0; n < span; n++) {
		uint16_t p = (uint16_t)(c->media.port_min + (port_cursor + n) % span);

		if (by_port(p) == NULL && (port_guard == NULL || !port_guard(p))) {
			port_cursor = (uint16_t)((port_cursor + n + 1) % span);
			*out = p;
			return 0;
		}
	}
	return -ENOSPC;
}

/* The SSRC (and its FID retransmission SSRC) the section describes, or 0. */
static void
section_ssrcs(const struct cp_sdp_media *m, uint32_t *ssrc, uint32_t *rtx)
{
	*ssrc = m->n_ssrc_attrs > 0 ? m->ssrc_attrs[0].ssrc : 0;
	*rtx = 0;
	for (unsigned g = 0; g < m->n_ssrc_groups; g++) {
		if (strcmp(m->ssrc_groups[g].semantics, "FID") == 0 && m->ssrc_groups[g].n >= 2) {
			*ssrc = m->ssrc_groups[g].ssrc[0];
			*rtx = m->ssrc_groups[g].ssrc[1];
			return;
		}
	}
}

/* Which streams the gateway sends on each answered section: echo sends the
 * offerer's own streams back; a viewer gets the publisher's of its type. */
static void
send_streams(struct cp_sdp_answer_params *p, const struct cp_sdp *offer,
	     const struct cp_sdp *pub)
{
	bool used[CP_SDP_MAX_MEDIA] = { false };

	for (unsigned i = 0; i < offer->n_media; i++) {
		const struct cp_sdp_media *om = &offer->media[i];

		if (pub == NULL) {
			section_ssrcs(om, &p->send[i].ssrc, &p->send[i].rtx_ssrc);
			continue;
		}
		for (unsigned j = 0; j < pub->n_media; j++) {
			if (!used[j] && pub->media[j].type == om->type && pub->media[j].port != 0) {
				used[j] = true;
				section_ssrcs(&pub->media[j], &p->send[i].ssrc, &p->send[i].rtx_ssrc);
				break;
			}
		}
	}
}

/* "sha-256 AB:CD:..." of the offer's (first section's) fingerprint. */
static int
offer_fingerprint(const struct cp_sdp *offer, char *out, size_t len)
{
	struct cp_sdp_transport tp;
	size_t o;

	cp_sdp_media_transport(offer, &offer->media[0], &tp);
	if (strcasecmp(tp.fp.alg, "sha-256") != 0 || tp.fp.len != 32 || len < CP_DTLS_FP_LEN)
		return -EINVAL;
	o = (size_t)snprintf(out, len, "sha-256 ");
	for (unsigned i = 0; i < 32; i++)
		o += (size_t)snprintf(out + o, len - o, i ? ":%02X" : "%02X", tp.fp.bytes[i]);
	return 0;
}

/* The answer's DTLS role: active answers make us the client. */
static enum cp_dtls_role
answer_role(const struct cp_sdp *ans)
{
	for (unsigned i = 0; i < ans->n_media; i++) {
		struct cp_sdp_transport tp;

		if (ans->media[i].port == 0 && !ans->media[i].bundle_only)
			continue;
		cp_sdp_media_transport(ans, &ans->media[i], &tp);
		return tp.setup == CP_SDP_SETUP_ACTIVE ? CP_DTLS_CLIENT : CP_DTLS_SERVER;
	}
	return CP_DTLS_SERVER;
}

static const char *const cors_hdrs[] = {
	"Access-Control-Allow-Origin", "*",
	"Access-Control-Allow-Methods", "POST, PATCH, DELETE, OPTIONS",
	"Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match",
	"Access-Control-Expose-Headers", "Location, ETag, Link",
	"Accept-Post", "application/sdp",
	"Accept-Patch", "application/trickle-ice-sdpfrag",
	NULL,
};

static bool
content_type_is(const struct cp_rest_req *r, const char *want)
{
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t n = strlen(want);

	return ct != NULL && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';');
}

/* The 201: answer, Location, ETag, CORS, and the TURN Link when configured. */
static enum MHD_Result
reply_created(const struct cp_rest_req *r, const struct mleg *l, const char *answer, size_t len)
{
	const struct gw_config *c = app->conf;
	char loc[64], etag[24], link[GW_CONF_MAX_PORTS][256], user[32];
	const char *h[16 + 2 * GW_CONF_MAX_PORTS];
	unsigned n = 0, nl = 0;
	char name[64], pass[GW_TURN_REST_PASS_SIZE];
	enum MHD_Result ret;

	snprintf(loc, sizeof(loc), RESOURCE_PREFIX "%u", l->id);
	snprintf(etag, sizeof(etag), "\"%08x\"", l->etag);
	h[n++] = "Location";
	h[n++] = loc;
	h[n++] = "ETag";
	h[n++] = etag;
	for (unsigned i = 0; cors_hdrs[i] != NULL && i < 8; i += 2) {
		h[n++] = cors_hdrs[i];
		h[n++] = cors_hdrs[i + 1];
	}
	snprintf(user, sizeof(user), "leg%u", l->id);
	if (c->turn.enabled &&
	    cp_turn_rest_credential(c, user, LINK_TTL_S, name, sizeof(name), pass) == 0) {
		for (unsigned i = 0; i < c->dataplane.n_ports && nl < GW_CONF_MAX_PORTS; i++) {
			struct in_addr ia = { .s_addr = htonl(c->dataplane.ports[i].address.addr) };
			char ip[INET_ADDRSTRLEN];

			if (inet_ntop(AF_INET, &ia, ip, sizeof(ip)) == NULL)
				continue;
			snprintf(link[nl], sizeof(link[nl]),
				 "<turn:%s:%u?transport=udp>; rel=\"ice-server\"; username=\"%s\"; "
				 "credential=\"%s\"; credential-type=\"password\"",
				 ip, c->stun.port, name, pass);
			h[n++] = "Link";
			h[n++] = link[nl++];
		}
		gw_wipe(pass, sizeof(pass));
	}
	h[n] = NULL;
	ret = cp_rest_reply_hdrs(r, 201, "application/sdp", answer, len, h);
	for (unsigned i = 0; i < nl; i++)
		gw_wipe(link[i], sizeof(link[i]));
	return ret;
}

static enum MHD_Result
create(const struct cp_rest_req *r, enum leg_kind kind, const char *stream)
{
	const struct gw_config *c = app->conf;
	struct cp_sdp *offer = NULL, *ans = NULL;
	struct cp_sdp_answer_params p;
	struct cp_ice_leg_info info = { 0 };
	struct cp_dtls_cfg dcfg = { .mtu = 1200 };
	struct cp_sdp_transport tp;
	char err[CP_SDP_ERR_LEN + 64], why[320], fp[CP_DTLS_FP_LEN], addr[INET_ADDRSTRLEN];
	char addr6[INET6_ADDRSTRLEN];
	char *text = NULL;
	struct mleg *l = NULL, *pub = NULL;
	struct in_addr ia;
	unsigned status = 500;
	uint16_t port;
	int rc, len = 0;
	static const uint8_t rules[] = { GW_IPC_MEDIA_RULE_ECHO, GW_IPC_MEDIA_RULE_PUBLISH,
					 GW_IPC_MEDIA_RULE_SUBSCRIBE };

	if (!content_type_is(r, "application/sdp"))
		return cp_rest_reply_error(r, 415, "Content-Type must be application/sdp");
	if (r->body == NULL)
		return cp_rest_reply_error(r, 400, "an SDP offer is required");
	if (stream != NULL && (stream[0] == '\0' || strlen(stream) >= STREAM_LEN ||
			       strchr(stream, '/') != NULL))
		return cp_rest_reply_error(r, 400, "stream name: 1..%d bytes without '/'",
					   STREAM_LEN - 1);
	if (!dp_ready())
		return cp_rest_reply_error(r, 503, "no dataplane attached");
	if (kind == KIND_PUB && publisher(stream) != NULL)
		return cp_rest_reply_error(r, 409, "stream %s has a publisher", stream);
	if (kind == KIND_SUB && (pub = publisher(stream)) == NULL)
		return cp_rest_reply_error(r, 404, "no publisher on stream %s", stream);
	for (unsigned i = 0; i < MAX_LEGS && l == NULL; i++)
		if (legs[i].id == 0)
			l = &legs[i];
	if (l == NULL)
		return cp_rest_reply_error(r, 503, "media leg table full (%d legs)", MAX_LEGS);
	offer = calloc(1, sizeof(*offer));
	ans = calloc(1, sizeof(*ans));
	text = malloc(ANSWER_MAX);
	if (offer == NULL || ans == NULL || text == NULL) {
		snprintf(why, sizeof(why), "out of memory");
		goto fail;
	}
	rc = cp_sdp_parse(offer, r->body, r->body_len, err, sizeof(err));
	if (rc == 0 && offer->n_media == 0) {
		rc = -EBADMSG;
		snprintf(err, sizeof(err), "no m= section");
	}
	if (rc != 0) {
		status = 400;
		snprintf(why, sizeof(why), "bad SDP offer: %.250s", err);
		goto fail;
	}
	cp_sdp_media_transport(offer, &offer->media[0], &tp);
	if (offer_fingerprint(offer, fp, sizeof(fp)) != 0) {
		status = 400;
		snprintf(why, sizeof(why), "bad SDP offer: no sha-256 a=fingerprint");
		goto fail;
	}
	if (alloc_port(&port) != 0) {
		status = 503;
		snprintf(why, sizeof(why), "no free media port");
		goto fail;
	}
	rc = cp_ice_leg_create(app, port, tp.ice_ufrag, &info, why, sizeof(why));
	if (rc != 0) {
		status = rc == -EINVAL ? 400 : 503;
		goto fail;
	}
	memset(&p, 0, sizeof(p));
	ia.s_addr = htonl(c->dataplane.ports[0].address.addr);
	inet_ntop(AF_INET, &ia, addr, sizeof(addr));
	p.ice_ufrag = info.ufrag;
	p.ice_pwd = info.pwd;
	p.fingerprint = cert_fp;
	p.cand_addr = addr;
	p.cand_port = port;
	/* the same media port over IPv6 when the port has an address6 */
	if (c->dataplane.ports[0].address6.len != 0 &&
	    inet_ntop(AF_INET6, c->dataplane.ports[0].address6.addr, addr6, sizeof(addr6)) != NULL)
		p.cand_addr2 = addr6;
	p.policy = kind == KIND_ECHO ? CP_SDP_DIR_SENDRECV
		 : kind == KIND_PUB  ? CP_SDP_DIR_RECVONLY
				     : CP_SDP_DIR_SENDONLY;
	p.sess_id = info.id;
	p.sess_version = 1;
	p.restrict_to = pub != NULL ? pub->offer : NULL;
	/* An ingest sender writes no MID header extension: with it negotiated,
	 * Chromium drops packets whose SSRC the answer does not announce
	 * instead of demuxing them by payload type. */
	if (pub != NULL && pub->kind == KIND_INGEST)
		p.ext = CP_SDP_ANSWER_EXT & ~CP_SDP_EXT_MID;
	if (kind != KIND_PUB)
		send_streams(&p, offer, pub != NULL ? pub->offer : NULL);
	rc = cp_sdp_answer(ans, offer, &p, err, sizeof(err));
	gw_wipe(info.pwd, sizeof(info.pwd));
	if (rc == 0)
		len = cp_sdp_encode(ans, text, ANSWER_MAX);
	if (rc != 0 || len < 0) {
		status = rc == -EPROTO || rc == -E2BIG ? 400 : 500;
		snprintf(why, sizeof(why), "cannot answer the offer: %.250s",
			 rc != 0 ? err : "answer too long");
		(void)cp_ice_leg_delete(app, info.id);
		goto fail;
	}
	dcfg.role = answer_role(ans);
	dcfg.peer_fingerprint = fp;
	rc = cp_dtls_create(&l->dtls, cert, &dcfg, &dtls_env);
	if (rc == 0 && dcfg.role == CP_DTLS_CLIENT)
		rc = cp_dtls_start(l->dtls);
	if (rc == 0)
		rc = media_cmd(info.id, GW_IPC_MEDIA_ADD, port, 0, 0);
	if (rc == 0)
		rc = media_cmd(info.id, GW_IPC_MEDIA_RULE, 0, rules[kind], pub ? pub->id : 0);
	if (rc == 0 && kind == KIND_SUB)
		rc = viewer_rtx(info.id, ans, &p);
	if (rc == 0 && pub != NULL) {
		/* the viewer's payload types where its offer put the codecs
		 * elsewhere (a Firefox viewer of a Chromium publisher: Opus 111
		 * -> 109, VP8 96 -> 120); pub->offer holds the publisher's codecs
		 * in its order, the first of each kind being what it sends */
		uint8_t from[2] = { GW_IPC_MEDIA_PT_NONE, GW_IPC_MEDIA_PT_NONE }, to[2] = { 0, 0 };

		if (cp_ingest_pt_map(pub->offer, ans, from, to) > 0)
			rc = media_cmd(info.id, GW_IPC_MEDIA_PTMAP, 0, 0,
				       GW_IPC_MEDIA_PTMAP_PACK(from[0], to[0], from[1], to[1]));
	}
	if (rc != 0) {
		cp_dtls_free(l->dtls);
		l->dtls = NULL;
		(void)media_cmd(info.id, GW_IPC_MEDIA_DEL, 0, 0, 0);
		(void)cp_ice_leg_delete(app, info.id);
		status = 503;
		snprintf(why, sizeof(why), "cannot set the leg up: %s", strerror(-rc));
		goto fail;
	}
	l->id = info.id;
	l->kind = kind;
	snprintf(l->stream, sizeof(l->stream), "%s", stream ? stream : "");
	l->port = port;
	l->created = time(NULL);
	if (RAND_bytes((unsigned char *)&l->etag, sizeof(l->etag)) != 1)
		l->etag = info.id;
	if (kind == KIND_PUB) {
		l->offer = offer;        /* viewers' answers follow it */
		offer = NULL;
	}
	CP_NOTICE("media leg %u (%s%s%s): port %u, DTLS %s", l->id, kind_names[kind],
		  stream ? " " : "", stream ? stream : "", port,
		  dcfg.role == CP_DTLS_CLIENT ? "client" : "server");
	cp_journal_touch();
	free(offer);
	free(ans);
	{
		enum MHD_Result ret = reply_created(r, l, text, (size_t)len);

		free(text);
		return ret;
	}
fail:
	free(offer);
	free(ans);
	free(text);
	return cp_rest_reply_error(r, status, "%s", why);
}

enum MHD_Result
cp_session_post_echo(void *a, const struct cp_rest_req *r)
{
	(void)a;
	return create(r, KIND_ECHO, NULL);
}

enum MHD_Result
cp_session_post_whip(void *a, const struct cp_rest_req *r)
{
	(void)a;
	return create(r, KIND_PUB, r->path + strlen("/v1/whip/"));
}

enum MHD_Result
cp_session_post_whep(void *a, const struct cp_rest_req *r)
{
	(void)a;
	return create(r, KIND_SUB, r->path + strlen("/v1/whep/"));
}

/* ---- the resource -------------------------------------------------------------- */

static struct mleg *
leg_of_path(const char *path, const char *prefix)
{
	const char *p = path + strlen(prefix);
	char *end;
	unsigned long id;

	if (strncmp(path, prefix, strlen(prefix)) != 0 || *p < '1' || *p > '9')
		return NULL;
	id = strtoul(p, &end, 10);
	return *end != '\0' || id > UINT32_MAX ? NULL : find((uint32_t)id);
}

/*
 * RFC 9725 §4.3.2: a PATCH whose ice-ufrag differs from the one the leg was
 * made with is an ICE restart. The gateway takes new credentials of its own
 * (cp_ice_leg_restart: the dataplane swaps them under the same leg, media
 * keeps flowing) and answers 200 with them in an sdpfrag and a new ETag;
 * the client puts them into its remote description. DTLS and SRTP go on.
 */
static enum MHD_Result
ice_restart(const struct cp_rest_req *r, struct mleg *l, const struct cp_sdp_frag *f)
{
	struct cp_ice_leg_info info;
	char why[160], etag[24], body[256];
	const char *h[16];
	unsigned n = 0;
	enum MHD_Result ret;
	int rc, len;

	if (f->ice_pwd[0] == '\0')
		return cp_rest_reply_error(r, 400, "an ICE restart needs a=ice-pwd with a=ice-ufrag");
	rc = cp_ice_leg_restart(app, l->id, f->ice_ufrag, &info, why, sizeof(why));
	if (rc != 0)
		return cp_rest_reply_error(r, rc == -EINVAL ? 400 : 503, "ICE restart: %s", why);
	if (RAND_bytes((unsigned char *)&l->etag, sizeof(l->etag)) != 1)
		l->etag++;
	cp_journal_touch();
	len = snprintf(body, sizeof(body), "a=ice-lite\r\na=ice-ufrag:%s\r\na=ice-pwd:%s\r\n",
		       info.ufrag, info.pwd);
	gw_wipe(info.pwd, sizeof(info.pwd));
	snprintf(etag, sizeof(etag), "\"%08x\"", l->etag);
	h[n++] = "ETag";
	h[n++] = etag;
	for (unsigned i = 0; cors_hdrs[i] != NULL && n + 2 < sizeof(h) / sizeof(h[0]); i++)
		h[n++] = cors_hdrs[i];
	h[n] = NULL;
	ret = cp_rest_reply_hdrs(r, 200, "application/trickle-ice-sdpfrag", body, (size_t)len, h);
	gw_wipe(body, sizeof(body));
	return ret;
}

enum MHD_Result
cp_session_patch(void *a, const struct cp_rest_req *r)
{
	struct mleg *l = leg_of_path(r->path, RESOURCE_PREFIX);
	struct cp_sdp_frag *f;
	char err[CP_SDP_ERR_LEN];
	const char *ru;
	int rc;

	(void)a;
	if (l == NULL)
		return cp_rest_reply_error(r, 404, "no such resource: %s", r->path);
	{
		/* RFC 9725 §4.3: a PATCH may name the session version it expects */
		const char *im = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_IF_MATCH);
		char etag[24];

		snprintf(etag, sizeof(etag), "\"%08x\"", l->etag);
		if (im != NULL && strcmp(im, "*") != 0 && strcmp(im, etag) != 0)
			return cp_rest_reply_error(r, 412, "If-Match %s does not match ETag %s",
						   im, etag);
	}
	if (!content_type_is(r, "application/trickle-ice-sdpfrag"))
		return cp_rest_reply_error(r, 415,
					   "Content-Type must be application/trickle-ice-sdpfrag");
	f = calloc(1, sizeof(*f));
	if (f == NULL)
		return cp_rest_reply_error(r, 500, "out of memory");
	rc = cp_sdp_frag_parse(f, r->body ? r->body : "", r->body_len, err, sizeof(err));
	if (rc != 0) {
		free(f);
		return cp_rest_reply_error(r, 400, "bad sdpfrag: %s", err);
	}
	ru = cp_ice_leg_remote_ufrag(l->id);
	if (f->ice_ufrag[0] != '\0' && ru != NULL && strcmp(f->ice_ufrag, ru) != 0) {
		enum MHD_Result ret = ice_restart(r, l, f);

		free(f);
		return ret;
	}
	free(f);
	/* ICE-lite: the peer's candidates change nothing here (its checks
	 * reach us); accepted and counted as received. */
	return cp_rest_reply_hdrs(r, 204, "application/json", "", 0, cors_hdrs);
}

enum MHD_Result
cp_session_delete(void *a, const struct cp_rest_req *r)
{
	struct mleg *l = leg_of_path(r->path, RESOURCE_PREFIX);

	(void)a;
	if (l == NULL)
		return cp_rest_reply_error(r, 404, "no such resource: %s", r->path);
	end_leg(l, "DELETE");
	return cp_rest_reply_hdrs(r, 200, "application/json", "{}", 2, cors_hdrs);
}

enum MHD_Result
cp_session_options(void *a, const struct cp_rest_req *r)
{
	(void)a;
	return cp_rest_reply_hdrs(r, 204, "text/plain", "", 0, cors_hdrs);
}

/* ---- GET /v1/sessions ---------------------------------------------------------- */

static const char *
dtls_state_name(const struct mleg *l)
{
	if (l->restored && l->kind != KIND_INGEST)
		return "restored";     /* connected before the control plane restarted */
	switch (l->dtls == NULL ? 0 : cp_dtls_state(l->dtls)) {
	case CP_DTLS_HANDSHAKING:
		return "handshaking";
	case CP_DTLS_CONNECTED:
		return "connected";
	case CP_DTLS_CLOSED:
		return "closed";
	case CP_DTLS_FAILED:
		return "failed";
	default:
		return "none";
	}
}

static json_t *
leg_json(const struct mleg *l)
{
	json_t *cnt = json_object();
	char res[64];
	const char *srtp = !l->keys_sent ? "none" : l->keys_status == 1 ? "installing"
					  : l->keys_status == 0 ? "active" : "failed";
	const char *ice = l->kind == KIND_INGEST ? "none" : cp_ice_leg_state(l->id);

	char addr[CP_ADDR_STRLEN];
	json_t *o;

	snprintf(res, sizeof(res), RESOURCE_PREFIX "%u", l->id);
	for (unsigned i = 0; cnt != NULL && i < GW_IPC_MEDIA_CNT_MAX; i++)
		json_object_set_new(cnt, cnt_names[i], json_integer((json_int_t)l->cnt[i]));
	o = json_pack("{s:I, s:s, s:s, s:i, s:s, s:s, s:s, s:{s:b, s:b, s:i}, s:o, s:I}",
		      "id", (json_int_t)l->id, "role", kind_names[l->kind], "resource", res,
		      "port", l->port, "ice", ice, "dtls",
		      dtls_state_name(l), "srtp", srtp, "srtp_contexts", "receive",
		      l->has_rx, "send", l->has_tx, "profile", l->profile, "counters", cnt,
		      "created", (json_int_t)l->created);
	/* where the leg's media and DTLS go: the ICE-nominated address */
	if (o != NULL && l->peer_known && cp_addr_is_set(&l->peer))
		json_object_set_new(o, "peer",
				    json_pack("{s:s, s:s, s:i}", "address",
					      cp_addr_str(&l->peer, addr, sizeof(addr)), "family",
					      l->peer.family == AF_INET6 ? "ipv6" : "ipv4", "port",
					      l->peer_port));
	return o;
}

/* A session: "echo-<id>" for an echo leg, the stream name for a stream. */
static json_t *
session_json(const struct mleg *head)
{
	json_t *arr = json_array();
	char id[STREAM_LEN + 8];

	if (arr == NULL)
		return NULL;
	json_array_append_new(arr, leg_json(head));
	if (head->kind == KIND_ECHO) {
		snprintf(id, sizeof(id), "echo-%u", head->id);
		return json_pack("{s:s, s:s, s:o}", "id", id, "rule", "echo", "legs", arr);
	}
	for (unsigned i = 0; i < MAX_LEGS; i++)
		if (legs[i].id != 0 && legs[i].kind == KIND_SUB &&
		    strcmp(legs[i].stream, head->stream) == 0)
			json_array_append_new(arr, leg_json(&legs[i]));
	return json_pack("{s:s, s:s, s:o}", "id", head->stream, "rule", "fan-out", "legs", arr);
}

enum MHD_Result
cp_session_get(void *a, const struct cp_rest_req *r)
{
	const char *want = NULL;
	json_t *arr;

	(void)a;
	if (strncmp(r->path, "/v1/sessions/", 13) == 0 && r->path[13] != '\0')
		want = r->path + 13;
	else if (strcmp(r->path, "/v1/sessions") != 0 && strcmp(r->path, "/v1/sessions/") != 0)
		return cp_rest_reply_error(r, 404, "no such resource: %s", r->path);
	arr = json_array();
	for (unsigned i = 0; arr != NULL && i < MAX_LEGS; i++) {
		const struct mleg *l = &legs[i];
		char id[STREAM_LEN + 8];

		if (l->id == 0 || l->kind == KIND_SUB)
			continue;
		if (l->kind == KIND_ECHO)
			snprintf(id, sizeof(id), "echo-%u", l->id);
		else
			snprintf(id, sizeof(id), "%s", l->stream);
		if (want != NULL && strcmp(want, id) != 0)
			continue;
		if (want != NULL) {
			json_decref(arr);
			return cp_rest_reply_json(r, 200, session_json(l));
		}
		json_array_append_new(arr, session_json(l));
	}
	if (want != NULL) {
		json_decref(arr);
		return cp_rest_reply_error(r, 404, "no such session: %s", want);
	}
	return cp_rest_reply_json(r, 200, arr ? json_pack("{s:o}", "sessions", arr) : NULL);
}

/* ---- RTP-ingest legs (cp_ingest) ------------------------------------------------- */

int
cp_session_ingest_add(const struct gw_conf_stream *spec, uint32_t *id, uint16_t *port,
		      char *why, size_t whylen)
{
	const struct gw_config *c = app->conf;
	struct mleg *l = NULL;
	char addr[INET_ADDRSTRLEN];
	struct in_addr ia;
	uint32_t lid;
	int rc;

	if (!dp_ready()) {
		snprintf(why, whylen, "no dataplane attached");
		return -ENOTCONN;
	}
	if (publisher(spec->name) != NULL) {
		snprintf(why, whylen, "stream %s exists (%s)", spec->name,
			 kind_names[publisher(spec->name)->kind]);
		return -EEXIST;
	}
	for (unsigned i = 0; i < MAX_LEGS && l == NULL; i++)
		if (legs[i].id == 0)
			l = &legs[i];
	if (l == NULL) {
		snprintf(why, whylen, "media leg table full (%d legs)", MAX_LEGS);
		return -EMFILE;
	}
	if (alloc_port(port) != 0) {
		snprintf(why, whylen, "no free media port in %u..%u", c->media.port_min,
			 c->media.port_max);
		return -ENOSPC;
	}
	l->offer = calloc(1, sizeof(*l->offer));
	l->spec = malloc(sizeof(*l->spec));
	ia.s_addr = htonl(c->dataplane.ports[0].address.addr);
	inet_ntop(AF_INET, &ia, addr, sizeof(addr));
	if (l->offer == NULL || l->spec == NULL ||
	    cp_ingest_describe(spec, addr, *port, l->offer) != 0) {
		snprintf(why, whylen, "cannot describe the stream");
		rc = -ENOMEM;
		goto fail;
	}
	*l->spec = *spec;
	lid = INGEST_ID_FLAG | (next_ingest_id++ & (INGEST_ID_FLAG - 1));
	while (find(lid) != NULL)
		lid = INGEST_ID_FLAG | (next_ingest_id++ & (INGEST_ID_FLAG - 1));
	rc = media_cmd(lid, GW_IPC_MEDIA_ADD, *port, 0, 0);
	if (rc == 0)
		rc = media_cmd(lid, GW_IPC_MEDIA_MODE, 0,
			       GW_IPC_MEDIA_F_PLAIN | GW_IPC_MEDIA_F_LATCH, 0);
	if (rc == 0)
		rc = media_cmd(lid, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_PUBLISH, 0);
	if (rc != 0) {
		(void)media_cmd(lid, GW_IPC_MEDIA_DEL, 0, 0, 0);
		snprintf(why, whylen, "cannot set the leg up: %s", strerror(-rc));
		rc = -EIO;
		goto fail;
	}
	l->id = lid;
	l->kind = KIND_INGEST;
	snprintf(l->stream, sizeof(l->stream), "%s", spec->name);
	l->port = *port;
	l->created = time(NULL);
	*id = lid;
	CP_NOTICE("media leg %u (ingest %s): plain RTP on port %u", lid, spec->name, *port);
	cp_journal_touch();
	return 0;
fail:
	free(l->offer);
	free(l->spec);
	l->offer = NULL;
	l->spec = NULL;
	return rc;
}

static struct mleg *
ingest_leg(const char *stream)
{
	struct mleg *l = publisher(stream);

	return l != NULL && l->kind == KIND_INGEST ? l : NULL;
}

int
cp_session_ingest_del(const char *stream)
{
	struct mleg *l = ingest_leg(stream);

	if (l == NULL)
		return -ENOENT;
	end_leg(l, "stream deleted");
	return 0;
}

static void
ingest_fill(const struct mleg *l, struct cp_session_ingest *out)
{
	memset(out, 0, sizeof(*out));
	out->id = l->id;
	out->port = l->port;
	out->created = l->created;
	out->spec = l->spec;
	out->cnt = l->cnt;
	for (unsigned i = 0; i < MAX_LEGS; i++)
		if (legs[i].id != 0 && legs[i].kind == KIND_SUB &&
		    strcmp(legs[i].stream, l->stream) == 0)
			out->viewers++;
}

int
cp_session_ingest_get(const char *stream, struct cp_session_ingest *out)
{
	const struct mleg *l = ingest_leg(stream);

	if (l == NULL)
		return -ENOENT;
	ingest_fill(l, out);
	return 0;
}

unsigned
cp_session_ingest_list(struct cp_session_ingest *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < MAX_LEGS && n < max; i++)
		if (legs[i].id != 0 && legs[i].kind == KIND_INGEST)
			ingest_fill(&legs[i], &out[n++]);
	return n;
}
