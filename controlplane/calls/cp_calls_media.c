/*
 * cp_calls_media: the media of calls (cp_calls_media.h): per call two parties,
 * each a kind of leg (plain RTP, SDES-SRTP, WebRTC) on its interface; an offer
 * or answer becomes dataplane legs, modes, peers, keys and BRIDGE rules, and
 * the SDP sent on is rendered for the other party. The commands to the
 * dataplane's legs are cp_calls_legs.c; the journal of these calls is
 * cp_calls_journal.c (the state all three share: cp_calls_media_int.h).
 */
#include "cp_calls_media.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "cp_addr.h"
#include "cp_api.h"
#include "cp_calls_journal.h"
#include "cp_calls_keys.h"
#include "cp_calls_legs.h"
#include "cp_calls_media_int.h"
#include "cp_calls_sdp.h"
#include "cp_dtls.h"
#include "cp_ice.h"
#include "cp_ipc.h"
#include "cp_journal.h"
#include "cp_log.h"
#include "cp_sdp.h"
#include "cp_session.h"
#include "ct.h"
#include "gw_ipc.h"

#define STATS_PERIOD_MS 1000
/* Legs whose counters are asked for per tick (every ipc_poll_ms), calls in
 * turn: each answer is two events, and all calls' legs at once overran the
 * 1024-entry rings at a few hundred calls (dropped answers froze a call's rx
 * count, and the media timeout then ended a call whose media flowed). */
#define STATS_BURST     64
#define SDP_OUT_MAX     16384
#define CMDS_PER_SECTION 24             /* commands one offer or answer may send per m= section */
#define ROOM_WAIT_US     200            /* wait_room(): one pause ... */
#define ROOM_WAIT_STEPS  100            /* ... this many times at most (20 ms) */

static struct cp_app *app;
/* The media sessions' certificate, asked for at each use: a control plane
 * taking a journal over replaces the generated one (cp_dtls_journal). */
static const uint8_t *cert_fp;
static struct cp_calls *registry;
static struct mcall *calls;
static uint8_t *busy;                   /* media port - port_min -> held by a call */
static uint32_t span, cursor, next_block;
static uint64_t now_ms;
static unsigned n_legs;
static char instance[17];               /* loop-protect's id (cp_calls_media_instance) */

/*
 * Room in the command ring for need commands, waiting for it (bounded: 20
 * ms) rather than refusing at once. The dataplane takes a batch of commands
 * per 100 us tick (fewer while it sleeps between idle polls), so a burst of
 * requests, say a hundred calls deleted and the next hundred set up back to
 * back, fills the 1024-entry ring for a millisecond or two; a SIP proxy
 * would turn a refusal into a failed call (scripts/bench_calls.sh's set-up
 * failed so once). The request is answered synchronously anyway: the loop
 * waits as it would on a slow request.
 */
static bool
wait_room(unsigned need)
{
	for (unsigned i = 0; i < ROOM_WAIT_STEPS && cp_calls_legs_ready(); i++) {
		if (cp_ipc_send_room(app->ipc, 0) >= need)
			return true;
		nanosleep(&(struct timespec){ .tv_nsec = ROOM_WAIT_US * 1000L }, NULL);
	}
	return cp_calls_legs_ready() && cp_ipc_send_room(app->ipc, 0) >= need;
}

/* Does interface (dataplane port) pi have an IPv6 address (legs of either family)? */
static bool
has_ip6(unsigned pi)
{
	return app->conf->dataplane.ports[pi].address6.len != 0;
}

/* ---- the port pool (shared with cp_session) ---------------------------------- */

static bool
port_guard(uint16_t port)
{
	uint32_t min = app->conf->media.port_min;

	return busy != NULL && port >= min && port - min < span && busy[port - min];
}

/* n consecutive free ports starting on an even port; *out the first. */
static int
block_alloc(uint32_t n, uint16_t *out)
{
	uint32_t min = app->conf->media.port_min;

	for (uint32_t t = 0; t < span; t++) {
		uint32_t off = (cursor + t) % span, j;

		if ((min + off) % 2 != 0 || off + n > span)
			continue;
		for (j = 0; j < n; j++)
			if (busy[off + j] || cp_session_port_busy((uint16_t)(min + off + j)))
				break;
		if (j < n)
			continue;
		memset(busy + off, 1, n);
		cursor = (off + n) % span;
		*out = (uint16_t)(min + off);
		return 0;
	}
	return -ENOSPC;
}

static void
block_free(uint16_t base, uint32_t n)
{
	uint32_t min = app->conf->media.port_min;

	if (base != 0)
		memset(busy + (base - min), 0, n);
}

/* ---- calls --------------------------------------------------------------------- */

static struct mcall **
find_slot(const char *id, size_t len)
{
	struct mcall **pp = &calls;

	for (; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->id_len == len && memcmp((*pp)->id, id, len) == 0)
			break;
	return pp;
}

static void
log_counters(const struct mcall *k, const char *why)
{
	char line[1024];
	int off = 0;

	for (unsigned s = 0; s < 2; s++) {
		for (unsigned i = 0; i < k->n_media && off < (int)sizeof(line) - 160; i++) {
			const uint64_t *c = k->cnt[s][i][0], *r = k->cnt[s][i][1];

			off += snprintf(line + off, sizeof(line) - (size_t)off,
					" %c%u rtp_in=%llu rtp_out=%llu rtcp_in=%llu rtcp_out=%llu",
					s == 0 ? 'A' : 'B', i,
					(unsigned long long)c[GW_IPC_MEDIA_CNT_rtp_in],
					(unsigned long long)c[GW_IPC_MEDIA_CNT_rtp_out],
					(unsigned long long)(c[GW_IPC_MEDIA_CNT_rtcp_in] +
							     r[GW_IPC_MEDIA_CNT_rtcp_in]),
					(unsigned long long)(c[GW_IPC_MEDIA_CNT_rtcp_out] +
							     r[GW_IPC_MEDIA_CNT_rtcp_out]));
		}
	}
	CP_NOTICE("call %.*s: %s:%s", (int)k->id_len, k->id, why, line);
}

/* Send what side d's DTLS endpoint queued to its peer (once known). */
static void
dtls_flush(struct side *d)
{
	uint8_t buf[CP_DTLS_MAX_DGRAM];
	struct gw_ipc_tx_meta meta = { .src_port = d->base, .port_id = d->pi };
	int n;

	if (d->dtls == NULL || !d->dtls_peer || !cp_calls_legs_ready())
		return;
	if (d->dtls_addr.family == AF_INET6) {
		meta.family = GW_IPC_FAMILY_IPV6;
		memcpy(meta.dst_ip6, d->dtls_addr.ip6, sizeof(meta.dst_ip6));
	} else {
		meta.dst_ip = d->dtls_addr.ip4;
	}
	meta.dst_port = d->dtls_port;
	while ((n = cp_dtls_output(d->dtls, buf, sizeof(buf))) > 0)
		if (cp_ipc_tx(app->ipc, 0, &meta, buf, (size_t)n) != 0)
			CP_WARN("calls: DTLS datagram from port %u not sent (tx ring)", d->base);
}

static void
call_free(struct mcall **pp)
{
	struct mcall *k = *pp;

	for (unsigned s = 0; s < 2; s++) {
		struct side *d = &k->s[s];

		if (d->dtls != NULL && cp_dtls_state(d->dtls) == CP_DTLS_CONNECTED &&
		    cp_dtls_close(d->dtls) == 0)
			dtls_flush(d);
		cp_dtls_free(d->dtls);
		if (d->ice_id != 0)
			(void)cp_ice_leg_delete(app, d->ice_id);
		for (unsigned i = 0; i < k->n_media; i++) {
			(void)cp_calls_legs_cmd(cp_calls_leg_id(k, s, i, false), GW_IPC_MEDIA_DEL, 0, 0, 0);
			(void)cp_calls_legs_cmd(cp_calls_leg_id(k, s, i, true), GW_IPC_MEDIA_DEL, 0, 0, 0);
		}
		block_free(d->base, 2 * k->n_media);
	}
	n_legs -= 4 * k->n_media;
	*pp = k->next;
	gw_wipe(k, sizeof(*k));        /* SDES keys, ICE password */
	free(k);
	cp_journal_touch();
}

static void
on_release(void *ctx, const char *id, size_t len)
{
	struct mcall **pp = find_slot(id, len);

	(void)ctx;
	if (*pp == NULL)
		return;
	log_counters(*pp, "deleted");
	call_free(pp);
}

/* The ng flags that set a party's legs' source rules (see side_mode). */
static uint8_t
src_flags(const struct cp_ng_req *req)
{
	return (uint8_t)(((req->flags & CP_NG_F_STRICT_SOURCE) ? GW_IPC_MEDIA_F_STRICT : 0) |
			 ((req->flags & CP_NG_F_MEDIA_HANDOVER) ? GW_IPC_MEDIA_F_HANDOVER : 0));
}

static int refuse(char *reason, size_t rlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
refuse(char *reason, size_t rlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, rlen, fmt, ap);
	va_end(ap);
	return rc;
}

/*
 * The address the ng request says the party receives on instead of its
 * SDP's (rtpengine's rules): "media address" first, then "received-from"
 * with the SIP-source-address flag (the SIP message's source, for a party
 * behind NAT whose SDP names its private address). *a unset (family 0):
 * the SDP's. The ports stay the SDP's.
 */
static int
ng_addr(const struct cp_ng_req *req, struct cp_addr *a, char *reason, size_t rlen)
{
	const struct cp_ng_str *s = NULL;
	const char *what = "media address";
	char text[CP_ADDR_STRLEN];

	memset(a, 0, sizeof(*a));
	if (req->media_address.len != 0) {
		s = &req->media_address;
	} else if ((req->flags & CP_NG_F_SIP_SOURCE_ADDRESS) && req->received_from_addr.len != 0) {
		s = &req->received_from_addr;
		what = "received-from";
	}
	if (s == NULL)
		return 0;
	if (s->len >= sizeof(text))
		return refuse(reason, rlen, -EINVAL, "%s: not an IP literal", what);
	memcpy(text, s->p, s->len);
	text[s->len] = '\0';
	if (cp_addr_parse(a, text) != 0)
		return refuse(reason, rlen, -EINVAL, "%s '%s': not an IP literal", what, text);
	return 0;
}

/* Where side s's party receives media, from its description (and the ng
 * request's address, ng_addr). */
static int
learn_side(struct side *d, const struct cp_sdp *sdp, const struct cp_ng_req *req, char *reason,
	   size_t rlen)
{
	const struct cp_sdp_conn *c = NULL;
	struct cp_addr a;
	int rc;

	d->mux = true;
	cp_calls_sdp_pts(sdp, d->pts);
	for (unsigned i = 0; i < sdp->n_media; i++) {
		const struct cp_sdp_media *m = &sdp->media[i];

		/* a party that names its sections: what we send it names them so */
		if (m->mid[0] != '\0')
			memcpy(d->mid[i], m->mid, sizeof(d->mid[i]));
		d->peer_rtp[i] = m->port;
		d->peer_rtcp[i] = m->has_rtcp ? m->rtcp_port : (uint16_t)(m->port + 1);
		if (m->port != 0 && !m->rtcp_mux)
			d->mux = false;
		if (c == NULL && m->port != 0)
			c = m->conn.family != 0 ? &m->conn : &sdp->conn;
	}
	if (d->kind == CP_CALLS_KIND_WEBRTC) {
		/* its address comes from the ICE nomination (our candidates are
		 * of both families); what we write follows its c= */
		d->mux = true;
		d->peer_known = false;
		if (c != NULL && c->family == 6 && has_ip6(d->pi))
			d->family = AF_INET6;
		return 0;
	}
	rc = ng_addr(req, &a, reason, rlen);
	if (rc != 0)
		return rc;
	if (a.family == 0) {
		if (c == NULL || c->family == 0)
			return refuse(reason, rlen, -EINVAL, "%s",
				      "SDP without a connection address");
		if (cp_addr_parse(&a, c->addr) != 0 || (a.family == AF_INET6) != (c->family == 6))
			return refuse(reason, rlen, -EINVAL, "media address %s: not an IP literal",
				      c->addr);
	}
	if (a.family == AF_INET6 && !has_ip6(d->pi)) {
		char text[CP_ADDR_STRLEN];

		return refuse(reason, rlen, -ENOTSUP, "media address %s: IPv6, and the media "
			      "port has no IPv6 address (dataplane.ports[%u].address6)",
			      cp_addr_str(&a, text, sizeof(text)), d->pi);
	}
	d->peer = a;
	d->family = a.family;
	d->peer_known = cp_addr_is_set(&a);       /* 0.0.0.0 or ::: on hold, latch only */
	return 0;
}

/* A new call of n_media sections, the offerer's legs on interface pi[0], the
 * answerer's on pi[1]. */
static struct mcall *
call_create(const struct cp_ng_req *req, unsigned n_media, const uint8_t pi[2], char *reason,
	    size_t rlen, int *rc)
{
	struct mcall *k = calloc(1, sizeof(*k));

	if (k == NULL) {
		*rc = refuse(reason, rlen, -ENOMEM, "%s", "out of memory");
		return NULL;
	}
	memcpy(k->id, req->call_id.p, req->call_id.len);
	k->id_len = req->call_id.len;
	k->n_media = n_media;
	k->leg0 = LEG_ID_FLAG | (next_block++ % (0x80000000u / LEGS_PER_CALL)) * LEGS_PER_CALL;
	k->last_rx_ms = now_ms;
	if (block_alloc(2 * n_media, &k->s[0].base) != 0 ||
	    block_alloc(2 * n_media, &k->s[1].base) != 0) {
		block_free(k->s[0].base, 2 * n_media);
		free(k);
		*rc = refuse(reason, rlen, -ENOSPC, "%s", "no free media ports (media.port_min..port_max)");
		return NULL;
	}
	*rc = 0;
	for (unsigned s = 0; s < 2 && *rc == 0; s++) {
		k->s[s].pi = pi[s];
		for (unsigned i = 0; i < 2 * n_media && *rc == 0; i++)
			*rc |= cp_calls_legs_send(&(struct gw_ipc_media_leg){
				.leg_id = cp_calls_leg_id(k, s, i / 2, i % 2), .op = GW_IPC_MEDIA_ADD,
				.port = (uint16_t)(k->s[s].base + i), .port_index = pi[s] });
	}
	k->next = calls;
	calls = k;
	n_legs += 4 * n_media;
	if (*rc != 0) {
		call_free(&calls);
		*rc = refuse(reason, rlen, -EIO, "%s", "dataplane not reachable (command ring)");
		return NULL;
	}
	return k;
}

static int
side_of(const struct mcall *k, struct cp_ng_str tag)
{
	for (unsigned s = 0; s < 2; s++)
		if (k->s[s].set && k->s[s].tag_len == tag.len && memcmp(k->s[s].tag, tag.p, tag.len) == 0)
			return (int)s;
	return -1;
}

static void
set_tag(struct side *d, struct cp_ng_str tag)
{
	memcpy(d->tag, tag.p, tag.len);
	d->tag_len = tag.len;
	d->set = true;
}

/* ---- WebRTC legs ------------------------------------------------------------------ */

static int
ice_creds(struct side *d, char *reason, size_t rlen)
{
	if (d->ufrag[0] != '\0')
		return 0;
	if (cp_ice_gen_chars(d->ufrag, UFRAG_LEN) != 0 || cp_ice_gen_chars(d->pwd, PWD_LEN) != 0)
		return refuse(reason, rlen, -EIO, "%s", "random generator failed");
	return 0;
}

/* Side d's DTLS endpoint in role for the party's certificate fpb (again
 * after a renegotiation: new keys once it connects; restarted: in place of
 * one a control-plane restart lost, cp_dtls.h). */
static int
dtls_open(struct side *d, enum cp_dtls_role role, const uint8_t fpb[32], bool restarted)
{
	struct cp_dtls_cfg dcfg = { .mtu = 1200, .role = role, .restarted = restarted };
	char fp[CP_DTLS_FP_LEN];
	size_t o = (size_t)snprintf(fp, sizeof(fp), "sha-256 ");
	int rc;

	for (unsigned i = 0; i < 32; i++)
		o += (size_t)snprintf(fp + o, sizeof(fp) - o, i ? ":%02X" : "%02X", fpb[i]);
	dcfg.peer_fingerprint = fp;
	rc = cp_dtls_create(&d->dtls, cp_session_dtls_cert(&cert_fp), &dcfg, cp_session_dtls_env());
	if (rc == 0 && role == CP_DTLS_CLIENT)
		rc = cp_dtls_start(d->dtls);
	if (rc != 0) {
		cp_dtls_free(d->dtls);
		d->dtls = NULL;
		return rc;
	}
	memcpy(d->peer_fp, fpb, sizeof(d->peer_fp));
	d->setup = role == CP_DTLS_CLIENT ? CP_SDP_SETUP_ACTIVE : CP_SDP_SETUP_PASSIVE;
	d->keys_sent = false;
	return 0;
}

/* An offerer's actpass/active (or no a=setup) makes us the server. */
static enum cp_dtls_role
dtls_role(enum cp_sdp_setup theirs)
{
	return theirs == CP_SDP_SETUP_PASSIVE ? CP_DTLS_CLIENT : CP_DTLS_SERVER;
}

static bool
fp_usable(const struct cp_sdp_transport *tp)
{
	return strcasecmp(tp->fp.alg, "sha-256") == 0 && tp->fp.len == 32;
}

/*
 * A later description of side s's party (a re-offer, or its answer to our
 * re-offer) on the leg it has. A new a=ice-ufrag is an ICE restart (RFC
 * 8839 §4.4.1.1.1): the dataplane's credential is swapped under the same
 * leg id, with new local credentials of ours when it offers (our answer
 * carries them) and ours kept when it answers (it knows only those); media
 * and SRTP keys stay. A new a=fingerprint, or an a=setup that takes our
 * role (RFC 8842 §5), is a new DTLS association: the old one's keys leave
 * the dataplane now and the new handshake's replace them when it connects.
 * Neither changed: nothing to do (the usual hold or codec re-offer).
 */
static int
webrtc_retake(struct mcall *k, unsigned s, const struct cp_sdp_transport *tp, bool answer,
	      char *reason, size_t rlen)
{
	struct side *d = &k->s[s];
	struct cp_ice_leg_info info = { 0 };
	const char *ru = cp_ice_leg_remote_ufrag(d->ice_id);
	char why[160];
	bool restart = tp->ice_ufrag[0] != '\0' && (ru == NULL || strcmp(ru, tp->ice_ufrag) != 0);
	bool new_fp = fp_usable(tp) && memcmp(d->peer_fp, tp->fp.bytes, sizeof(d->peer_fp)) != 0;
	bool redo = new_fp || (fp_usable(tp) &&
			       ((tp->setup == CP_SDP_SETUP_ACTIVE && d->setup == CP_SDP_SETUP_ACTIVE) ||
				(tp->setup == CP_SDP_SETUP_PASSIVE && d->setup == CP_SDP_SETUP_PASSIVE)));
	int rc;

	if (tp->setup == CP_SDP_SETUP_HOLDCONN)
		return refuse(reason, rlen, -EINVAL, "%s", "a=setup:holdconn");
	if (restart) {
		rc = answer ? cp_ice_leg_restart_with(app, d->ice_id, tp->ice_ufrag, d->ufrag, d->pwd,
						      &info, why, sizeof(why))
			    : cp_ice_leg_restart(app, d->ice_id, tp->ice_ufrag, &info, why, sizeof(why));
		/* cp_ice makes them as long as ours (8 and 24) */
		if (rc == 0 && (strlen(info.ufrag) > UFRAG_LEN || strlen(info.pwd) > PWD_LEN))
			rc = refuse(why, sizeof(why), -EIO, "%s", "credentials too long");
		if (rc == 0) {
			memcpy(d->ufrag, info.ufrag, strlen(info.ufrag) + 1);
			memcpy(d->pwd, info.pwd, strlen(info.pwd) + 1);
		}
		gw_wipe(info.pwd, sizeof(info.pwd));
		if (rc != 0)
			return refuse(reason, rlen, rc, "WebRTC leg: ICE restart: %s", why);
		CP_NOTICE("call %.*s: WebRTC leg on port %u: ICE restart (ICE leg %u)",
			  (int)k->id_len, k->id, d->base, d->ice_id);
	}
	if (!redo)
		return 0;
	/* The party has left the old association (a close_notify from it would
	 * reach the new one's 5-tuple): its keys go, so nothing protected with
	 * them is accepted or sent any more. */
	if (cp_calls_legs_srtp_del(cp_calls_leg_id(k, s, 0, false)) != 0)
		return refuse(reason, rlen, -EIO, "%s", "dataplane not reachable (command ring)");
	cp_dtls_free(d->dtls);
	d->dtls = NULL;
	rc = dtls_open(d, dtls_role(tp->setup), tp->fp.bytes, false);
	if (rc != 0)
		return refuse(reason, rlen, -EIO, "WebRTC leg: DTLS: %s", strerror(-rc));
	CP_NOTICE("call %.*s: WebRTC leg on port %u: new DTLS association (%s), DTLS %s",
		  (int)k->id_len, k->id, d->base, new_fp ? "a=fingerprint" : "a=setup",
		  d->setup == CP_SDP_SETUP_ACTIVE ? "client" : "server");
	/* A server answers where the new association's ClientHello comes from
	 * until ICE nominates (a replaced party has a new address); a client's
	 * ClientHello goes to the peer known. */
	if (d->setup == CP_SDP_SETUP_PASSIVE)
		d->dtls_peer = false;
	dtls_flush(d);
	return 0;
}

/*
 * Side s's party described its WebRTC transport (an offer, or the answer to
 * ours): the ICE leg (our credentials, its ufrag) and the DTLS endpoint
 * (its fingerprint; we are the client when it is passive). Later
 * descriptions: webrtc_retake.
 */
static int
webrtc_take(struct mcall *k, unsigned s, const struct cp_sdp *sdp, bool answer, char *reason,
	    size_t rlen)
{
	struct side *d = &k->s[s];
	struct cp_ice_leg_info info = { 0 };
	struct cp_sdp_transport tp;
	char why[160];
	int rc;

	if (cp_session_dtls_cert(&cert_fp) == NULL)
		return refuse(reason, rlen, -ENOTSUP, "%s", "no DTLS certificate");
	cp_sdp_media_transport(sdp, &sdp->media[0], &tp);
	if (d->ice_id != 0)
		return webrtc_retake(k, s, &tp, answer, reason, rlen);
	if (!fp_usable(&tp))
		return refuse(reason, rlen, -EINVAL, "%s", "WebRTC leg without a sha-256 a=fingerprint");
	if (tp.setup == CP_SDP_SETUP_HOLDCONN)
		return refuse(reason, rlen, -EINVAL, "%s", "a=setup:holdconn");
	rc = ice_creds(d, reason, rlen);
	if (rc != 0)
		return rc;
	rc = cp_ice_leg_create_with(app, d->base, tp.ice_ufrag, d->ufrag, d->pwd, &info, why,
				    sizeof(why));
	gw_wipe(info.pwd, sizeof(info.pwd));
	if (rc != 0)
		return refuse(reason, rlen, rc, "WebRTC leg: ICE: %s", why);
	d->ice_id = info.id;
	rc = dtls_open(d, dtls_role(tp.setup), tp.fp.bytes, false);
	if (rc != 0) {
		(void)cp_ice_leg_delete(app, d->ice_id);
		d->ice_id = 0;
		return refuse(reason, rlen, -EIO, "WebRTC leg: DTLS: %s", strerror(-rc));
	}
	CP_INFO("call %.*s: WebRTC leg on port %u: ICE leg %u, DTLS %s", (int)k->id_len, k->id,
		d->base, d->ice_id, d->setup == CP_SDP_SETUP_ACTIVE ? "client" : "server");
	return 0;
}

static struct side *
side_by(uint32_t ice_id, uint16_t port, struct mcall **kp)
{
	for (struct mcall *k = calls; k != NULL; k = k->next)
		for (unsigned s = 0; s < 2; s++) {
			struct side *d = &k->s[s];

			/* a taken-over side has no DTLS endpoint, but follows ICE */
			if (d->kind_set && d->kind == CP_CALLS_KIND_WEBRTC &&
			    ((ice_id != 0 && d->ice_id == ice_id) ||
			     (port != 0 && d->dtls != NULL && d->base == port))) {
				*kp = k;
				return d;
			}
		}
	return NULL;
}

/* After input or a timer: keys once connected; a failure is logged (the call
 * stays until deleted or timed out, as a SIP call does). */
static void
dtls_progress(struct mcall *k, struct side *d, int rc)
{
	struct gw_ipc_msg m = { .type = GW_IPC_SRTP_ADD_REQ };
	enum cp_dtls_state st;
	unsigned s = (unsigned)(d - k->s);

	dtls_flush(d);
	st = cp_dtls_state(d->dtls);
	if (st == CP_DTLS_CONNECTED && !d->keys_sent) {
		if (cp_dtls_srtp_keys(d->dtls, cp_calls_leg_id(k, s, 0, false), &m.u.srtp_keys) != 0 ||
		    !cp_calls_legs_ready() || cp_ipc_send(app->ipc, 0, &m) != 0) {
			gw_wipe(&m, sizeof(m));
			CP_WARN("call %.*s: SRTP keys of the WebRTC leg could not be installed",
				(int)k->id_len, k->id);
			return;
		}
		CP_INFO("call %.*s: WebRTC leg DTLS connected, SRTP profile 0x%04x",
			(int)k->id_len, k->id, m.u.srtp_keys.profile);
		gw_wipe(&m, sizeof(m));
		d->keys_sent = true;
		cp_journal_touch();
	} else if (st == CP_DTLS_FAILED && rc == CP_DTLS_E_LOST) {
		CP_WARN("call %.*s: WebRTC leg DTLS failed: the party's handshake began before "
			"the control plane restarted and cannot go on; answered with an alert so "
			"that it fails now (a re-offer sets the leg up again)",
			(int)k->id_len, k->id);
	} else if (st == CP_DTLS_FAILED && rc != 0) {
		CP_WARN("call %.*s: WebRTC leg DTLS failed: %s", (int)k->id_len, k->id,
			rc == CP_DTLS_E_FINGERPRINT ? "fingerprint mismatch" : strerror(-rc));
	}
}

static void
on_punt(const struct cp_addr *src, uint16_t sport, uint16_t dport, const uint8_t *p, size_t len)
{
	struct mcall *k;
	struct side *d = side_by(0, dport, &k);

	if (d == NULL)
		return;
	if (!d->dtls_peer) {
		/* ICE nominated it normally; before the event, the record's source */
		d->dtls_peer = true;
		d->dtls_addr = *src;
		d->dtls_port = sport;
	}
	dtls_progress(k, d, cp_dtls_input(d->dtls, p, len));
}

static void
on_ice(uint32_t ice_id, uint16_t kind, const struct cp_addr *peer, uint16_t peer_port)
{
	struct mcall *k;
	struct side *d = side_by(ice_id, 0, &k);

	if (d == NULL)
		return;
	if (kind != GW_IPC_ICE_NOMINATED) {
		CP_WARN("call %.*s: WebRTC leg: %s", (int)k->id_len, k->id,
			kind == GW_IPC_ICE_CONSENT_LOST ? "ICE consent lost"
							: "ICE credential refused by the dataplane");
		return;
	}
	(void)cp_calls_legs_peer(cp_calls_leg_id(k, (unsigned)(d - k->s), 0, false), peer, peer_port);
	if (!d->dtls_peer || !cp_addr_eq(&d->dtls_addr, peer) || d->dtls_port != peer_port) {
		d->dtls_peer = true;
		d->dtls_addr = *peer;
		d->dtls_port = peer_port;
		dtls_flush(d);      /* a DTLS client's ClientHello waited for this */
		cp_journal_touch();
	}
}

/* ---- rendering -------------------------------------------------------------------- */

/* Our address of family on interface pi (AF_INET6 only when has_ip6(pi)). */
static void
gw_addr(unsigned pi, int family, char *buf, size_t len)
{
	const struct gw_conf_port *pt = &app->conf->dataplane.ports[pi];
	struct in_addr ia = { .s_addr = htonl(pt->address.addr) };

	if (family == AF_INET6)
		inet_ntop(AF_INET6, pt->address6.addr, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET, &ia, buf, (socklen_t)len);
}

/* Render in for the party of side `to` (its kind), on that side's ports. */
static int
render(struct cp_bencode_buf *reply, const struct cp_sdp *in, const struct mcall *k,
       unsigned to, bool offer, bool mux, const struct cp_ng_req *req, char *reason, size_t rlen)
{
	const struct side *d = &k->s[to];
	struct cp_sdp_leg_params p = { .kind = CP_SDP_LEG_RTP };
	struct cp_sdp_crypto *lines = NULL;
	char *text = malloc(SDP_OUT_MAX), addr[INET6_ADDRSTRLEN], addr2[INET6_ADDRSTRLEN];
	int rc, len;

	if (text == NULL)
		return refuse(reason, rlen, -ENOMEM, "%s", "out of memory");
	gw_addr(d->pi, d->family == AF_INET6 ? AF_INET6 : AF_INET, addr, sizeof(addr));
	p.avpf = d->avpf;
	p.offer = offer;
	p.addr = addr;
	p.port = d->base;
	p.rtcp_mux = mux;
	p.rtcp_attr = (req->flags & CP_NG_F_NO_RTCP_ATTRIBUTE)     ? CP_SDP_RTCP_ATTR_NONE
		      : (req->flags & CP_NG_F_FULL_RTCP_ATTRIBUTE) ? CP_SDP_RTCP_ATTR_FULL
								   : CP_SDP_RTCP_ATTR_PORT;
	p.generate_mid = (req->flags & CP_NG_F_GENERATE_MID) != 0;
	if ((req->flags & CP_NG_F_LOOP_PROTECT) && instance[0] != '\0')
		p.rtpengine_id = instance;
	if (d->kind == CP_CALLS_KIND_SDES) {
		lines = calloc(CP_SDP_MAX_MEDIA * CP_CALLS_KEYS_OFFERED, sizeof(*lines));
		if (lines == NULL || cp_calls_keys_lines(&d->keys, k->n_media, offer, lines, &p) != 0) {
			rc = refuse(reason, rlen, lines == NULL ? -ENOMEM : -EINVAL, "%s",
				    "SDES keys could not be written");
			goto out;
		}
	} else if (d->kind == CP_CALLS_KIND_WEBRTC) {
		p.kind = CP_SDP_LEG_WEBRTC;
		if (has_ip6(d->pi)) {    /* a host candidate of each family on the port */
			gw_addr(d->pi, d->family == AF_INET6 ? AF_INET : AF_INET6, addr2,
				sizeof(addr2));
			p.cand_addr2 = addr2;
		}
		p.ice_ufrag = d->ufrag;
		p.ice_pwd = d->pwd;
		p.fingerprint = cert_fp;
		p.setup = d->setup;
		p.mids = d->mid;
		p.n_mids = (uint8_t)k->n_media;
	}
	len = cp_calls_sdp_render(text, SDP_OUT_MAX, in, &p);
	if (len >= 0) {
		cp_bencode_put_cstr(reply, "sdp");
		cp_bencode_put_str(reply, text, (size_t)len);
	}
	rc = len < 0 ? refuse(reason, rlen, len, "%s", "SDP could not be rewritten") : 0;
out:
	if (lines != NULL)
		gw_wipe(lines, CP_SDP_MAX_MEDIA * CP_CALLS_KEYS_OFFERED * sizeof(*lines));
	free(lines);
	gw_wipe(text, SDP_OUT_MAX);
	free(text);
	return rc;
}

/*
 * The WebRTC leg is one dataplane leg on one port (BUNDLE): its m= sections
 * are told apart by RTP payload type, so the types each party described
 * (side s's just learnt, the other's from before) must not repeat across
 * sections. PT is the demux key rather than SSRC: every packet carries it
 * from the first one on, the SDP says it (a=ssrc is optional and a SIP
 * party's SSRC is known only once it sends), and browsers number the
 * bundled sections' types apart.
 */
static int
bundle_check(const struct mcall *k, char *reason, size_t rlen)
{
	uint8_t pts[CP_SDP_MAX_MEDIA][CP_CALLS_PT_MASK];

	if (!cp_calls_demuxed(k))
		return 0;
	if (k->n_media > GW_IPC_MEDIA_DEMUX_SLOTS)
		return refuse(reason, rlen, -ENOTSUP, "BUNDLE: %u m= sections (at most %u)",
			      k->n_media, GW_IPC_MEDIA_DEMUX_SLOTS);
	return cp_calls_bundle_pts(k->s[0].pts, k->s[1].pts, k->n_media, pts, reason, rlen);
}

/* The ng "address family" (IP4, IP6): our address's family in the SDP the
 * request's reply carries, from interface pi; *fam 0 when not given (the
 * party's own family when known, else the offerer's: rtpengine's default). */
static int
want_family(const struct cp_ng_req *req, unsigned pi, int *fam, char *reason, size_t rlen)
{
	const struct cp_ng_str *f = &req->address_family;

	*fam = 0;
	if (f->len == 0)
		return 0;
	if (f->len == 3 && strncasecmp(f->p, "IP4", 3) == 0)
		*fam = AF_INET;
	else if (f->len == 3 && strncasecmp(f->p, "IP6", 3) == 0)
		*fam = AF_INET6;
	else
		return refuse(reason, rlen, -EINVAL, "address family '%.*s': IP4 or IP6",
			      (int)(f->len > 16 ? 16 : f->len), f->p);
	if (*fam == AF_INET6 && !has_ip6(pi))
		return refuse(reason, rlen, -ENOTSUP,
			      "address family IP6: the media port has no IPv6 address "
			      "(dataplane.ports[%u].address6)", pi);
	return 0;
}

/* Side s's party described kind: in an answer, the one we offered it; in a
 * re-offer (renew), any: a new transport renews the side. */
static int
take_kind(struct side *d, const struct cp_sdp *sdp, bool renew, char *reason, size_t rlen)
{
	enum cp_calls_kind kind;
	bool avpf;
	int rc = cp_calls_sdp_kind(sdp, &kind, &avpf, reason, rlen);

	if (rc != 0)
		return rc;
	if (d->kind_set && d->kind != kind && !renew)
		return refuse(reason, rlen, -ENOTSUP, "%s SDP on a %s leg (transport changed)",
			      cp_calls_kind_name(kind), cp_calls_kind_name(d->kind));
	if (d->kind_set && d->kind != kind)
		cp_calls_legs_renew(d, kind);
	d->kind = kind;
	d->kind_set = true;
	d->avpf = avpf;
	return 0;
}

/* The party's keys and ICE/DTLS from its description (an offer, or an answer
 * to ours). */
static int
take_media(struct mcall *k, unsigned s, const struct cp_sdp *sdp, bool answer, char *reason,
	   size_t rlen)
{
	struct side *d = &k->s[s];

	switch (d->kind) {
	case CP_CALLS_KIND_SDES:
		return answer ? cp_calls_keys_take_answer(&d->keys, sdp, reason, rlen)
			      : cp_calls_keys_take_offer(&d->keys, sdp, reason, rlen);
	case CP_CALLS_KIND_WEBRTC:
		return webrtc_take(k, s, sdp, answer, reason, rlen);
	default:
		return 0;
	}
}

/* Before we offer side d its transport: our keys or ICE credentials. */
static int
prepare_offer(struct side *d, unsigned n_media, const struct cp_ng_req *req, char *reason,
	      size_t rlen)
{
	if (d->kind == CP_CALLS_KIND_SDES)
		return cp_calls_keys_make_offer(&d->keys, n_media, reason, rlen);
	if (d->kind != CP_CALLS_KIND_WEBRTC)
		return 0;
	if (d->ice_id == 0)     /* DTLS=passive: we are the server, the party must be active */
		d->setup = req->dtls == CP_NG_DTLS_PASSIVE  ? CP_SDP_SETUP_PASSIVE
			   : req->dtls == CP_NG_DTLS_ACTIVE ? CP_SDP_SETUP_ACTIVE
							    : CP_SDP_SETUP_ACTPASS;
	return ice_creds(d, reason, rlen);
}

/* A refused offer or answer puts side d back as saved, but for the ICE and
 * DTLS state it made: that is in the dataplane already. */
static void
side_restore(struct side *d, const struct side *saved)
{
	struct side now = *d;

	*d = *saved;
	d->dtls = now.dtls;
	d->ice_id = now.ice_id;
	memcpy(d->ufrag, now.ufrag, sizeof(d->ufrag));
	memcpy(d->pwd, now.pwd, sizeof(d->pwd));
	memcpy(d->peer_fp, now.peer_fp, sizeof(d->peer_fp));
	d->setup = now.setup;
	d->keys_sent = now.keys_sent;
	gw_wipe(&now, sizeof(now));
}

/* The interface name of dataplane port pi, for messages. */
static const char *
iface_name(unsigned pi)
{
	return app->conf->dataplane.ports[pi].name;
}

/* An offer; dir: the interfaces ng's direction named (-1: not named): the
 * offerer's, then the answerer's. They are the call's for good: a re-offer
 * (from either party) that names others is refused. */
static int
do_offer(const struct cp_ng_req *req, const struct cp_sdp *sdp, const int dir[2],
	 struct cp_bencode_buf *reply, char *reason, size_t rlen)
{
	struct mcall **pp = find_slot(req->call_id.p, req->call_id.len), *k = *pp;
	/* by side: renewed, in a new transport (cp_calls_legs_renew); kept,
	 * and the old one gone, so a failure keeps the new; saved, each side
	 * as it was */
	bool created = false, mux, renewed[2] = { false, false }, kept[2] = { false, false };
	struct side saved[2];
	uint32_t rxm, txm;
	int rc, s, fam;

	if (k == NULL) {
		const uint8_t pi[2] = { (uint8_t)(dir[0] >= 0 ? dir[0] : 0),
					(uint8_t)(dir[1] >= 0 ? dir[1] : 0) };

		rc = want_family(req, pi[1], &fam, reason, rlen);
		if (rc != 0)
			return rc;
		k = call_create(req, sdp->n_media, pi, reason, rlen, &rc);
		if (k == NULL)
			return rc;
		set_tag(&k->s[0], req->from_tag);
		created = true;
		s = 0;
	} else {
		s = side_of(k, req->from_tag);
		if (s < 0 && !k->s[1].set) {
			set_tag(&k->s[1], req->from_tag);
			s = 1;
		}
		if (s < 0)
			return refuse(reason, rlen, -ENOTSUP, "%s",
				      "offer from a third tag in a bridged call");
		if (sdp->n_media != k->n_media)
			return refuse(reason, rlen, -ENOTSUP, "%s",
				      "re-offer changes the number of m= sections");
		if ((dir[0] >= 0 && dir[0] != k->s[s].pi) || (dir[1] >= 0 && dir[1] != k->s[1 - s].pi))
			return refuse(reason, rlen, -ENOTSUP,
				      "re-offer names other interfaces in 'direction': the call's "
				      "media stay on '%s' (this party) and '%s'",
				      iface_name(k->s[s].pi), iface_name(k->s[1 - s].pi));
		rc = want_family(req, k->s[1 - s].pi, &fam, reason, rlen);
		if (rc != 0)
			return rc;
	}
	memcpy(saved, k->s, sizeof(saved));
	rc = take_kind(&k->s[s], sdp, !created, reason, rlen);
	renewed[s] = rc == 0 && !created && k->s[s].kind != saved[s].kind;
	if (rc == 0 && (created || (req->flags & CP_NG_F_RESET))) {
		/* what the other party is offered: from the offerer's transport
		 * and the flags, on a new call; later only with reset (as
		 * rtpengine's reset un-learns what an answer taught it) */
		struct side *t = &k->s[1 - s];
		bool avpf = k->s[s].avpf;
		enum cp_calls_kind want = cp_calls_target_kind(k->s[s].kind, req, &avpf);

		renewed[1 - s] = !created && want != t->kind;
		if (renewed[1 - s])
			cp_calls_legs_renew(t, want);
		t->avpf = avpf;
		t->kind = want;
		t->kind_set = true;
	}
	k->s[s].trust = (req->flags & (CP_NG_F_TRUST_ADDRESS | CP_NG_F_ASYMMETRIC)) != 0;
	k->s[s].src = src_flags(req);
	if (rc == 0)
		rc = learn_side(&k->s[s], sdp, req, reason, rlen);
	if (rc == 0)
		rc = bundle_check(k, reason, rlen);
	if (rc == 0)
		rc = take_media(k, (unsigned)s, sdp, false, reason, rlen);
	if (rc == 0 && (fam != 0 || created))
		k->s[1 - s].family = fam != 0 ? fam : k->s[s].family;
	if (rc == 0)
		rc = prepare_offer(&k->s[1 - s], k->n_media, req, reason, rlen);
	if (rc == 0) {
		mux = (req->rtcp_mux & CP_NG_RTCP_MUX_DEMUX) ? false
		      : (req->rtcp_mux & (CP_NG_RTCP_MUX_OFFER | CP_NG_RTCP_MUX_REQUIRE)) ? true
											 : k->s[s].mux;
		if (k->s[1 - s].kind == CP_CALLS_KIND_WEBRTC)
			mux = true;
		if (created || renewed[1 - s])
			k->s[1 - s].mux = mux;  /* until the answer says */
		rc = render(reply, sdp, k, 1 - (unsigned)s, true, mux, req, reason, rlen);
	}
	/* nothing refused from here on but by the command ring: the old
	 * transports leave before the new keys and rules go in */
	for (unsigned x = 0; x < 2 && rc == 0; x++)
		if (renewed[x]) {
			rc = cp_calls_legs_retire(k, x, &saved[x]);
			renewed[x] = false;     /* no way back now */
			kept[x] = true;
		}
	if (rc == 0)
		rc = cp_calls_legs_side(k, (unsigned)s);
	if (rc == 0 && k->s[s].kind == CP_CALLS_KIND_SDES &&
	    cp_calls_keys_changed(&saved[s].keys, &k->s[s].keys, &rxm, &txm))
		rc = cp_calls_legs_sdes(k, (unsigned)s, rxm, txm);
	if (rc == 0)
		rc = cp_calls_legs_rules(k);
	if (rc != 0 && created) {
		call_free(find_slot(req->call_id.p, req->call_id.len));
	} else if (rc != 0) {
		for (unsigned x = 0; x < 2; x++)
			if (renewed[x])
				cp_calls_legs_back(&k->s[x], &saved[x]);
		if (!renewed[s] && !kept[s])
			side_restore(&k->s[s], &saved[s]);
		if (!renewed[1 - s] && !kept[1 - s])
			k->s[1 - s].avpf = saved[1 - s].avpf;
	}
	if (rc == -EIO)
		snprintf(reason, rlen, "dataplane not reachable (command ring)");
	gw_wipe(saved, sizeof(saved));
	return rc;
}

static int
do_answer(const struct cp_ng_req *req, const struct cp_sdp *sdp, struct cp_bencode_buf *reply,
	  char *reason, size_t rlen)
{
	struct mcall *k = *find_slot(req->call_id.p, req->call_id.len);
	struct side saved;
	uint32_t rxm, txm;
	int off, ans, rc, fam;

	if (k == NULL)
		return refuse(reason, rlen, -ENOENT, "%s", "Unknown call-id (no media)");
	off = side_of(k, req->from_tag);
	if (off < 0)
		return refuse(reason, rlen, -ENOENT, "%s", "Unknown from-tag");
	ans = 1 - off;
	rc = want_family(req, k->s[off].pi, &fam, reason, rlen);
	if (rc != 0)
		return rc;
	if (k->s[ans].set && side_of(k, req->to_tag) != ans)
		return refuse(reason, rlen, -ENOTSUP, "%s",
			      "a second answer (forked call): one answerer is bridged");
	if (sdp->n_media != k->n_media)
		return refuse(reason, rlen, -EINVAL, "%s",
			      "the answer's m= sections do not match the offer's");
	saved = k->s[ans];
	rc = take_kind(&k->s[ans], sdp, false, reason, rlen);
	k->s[ans].trust = (req->flags & (CP_NG_F_TRUST_ADDRESS | CP_NG_F_ASYMMETRIC)) != 0;
	k->s[ans].src = src_flags(req);
	if (rc == 0)
		rc = learn_side(&k->s[ans], sdp, req, reason, rlen);
	if (rc == 0)
		rc = bundle_check(k, reason, rlen);
	if (rc == 0)
		rc = take_media(k, (unsigned)ans, sdp, true, reason, rlen);
	if (rc == 0 && fam != 0)
		k->s[off].family = fam;
	if (rc == 0)
		rc = render(reply, sdp, k, (unsigned)off, false, k->s[off].mux, req, reason, rlen);
	if (rc == 0)
		rc = cp_calls_legs_side(k, (unsigned)ans);
	if (rc == 0 && k->s[ans].kind == CP_CALLS_KIND_SDES &&
	    cp_calls_keys_changed(&saved.keys, &k->s[ans].keys, &rxm, &txm))
		rc = cp_calls_legs_sdes(k, (unsigned)ans, rxm, txm);
	if (rc == 0)
		rc = cp_calls_legs_rules(k);
	if (rc != 0) {
		side_restore(&k->s[ans], &saved);
		gw_wipe(&saved, sizeof(saved));
		if (rc == -EIO)
			snprintf(reason, rlen, "dataplane not reachable (command ring)");
		return rc;
	}
	gw_wipe(&saved, sizeof(saved));
	if (!k->s[ans].set)
		set_tag(&k->s[ans], req->to_tag);
	return 0;
}

/* The dataplane port an ng interface name (direction) means: a port's name,
 * or "default" (the first port). @return its index, or -1. */
static int
iface_index(const struct cp_ng_str *n)
{
	const struct gw_config *c = app->conf;

	if (n->len == 7 && memcmp(n->p, "default", 7) == 0)
		return 0;
	for (unsigned i = 0; i < c->dataplane.n_ports; i++)
		if (n->len == strlen(c->dataplane.ports[i].name) &&
		    memcmp(n->p, c->dataplane.ports[i].name, n->len) == 0)
			return (int)i;
	return -1;
}

/* The error for an unknown interface n, naming the ones there are. */
static int
refuse_iface(const struct cp_ng_str *n, char *reason, size_t rlen)
{
	const struct gw_config *c = app->conf;
	char names[160] = "";
	size_t used = 0;

	for (unsigned i = 0; i < c->dataplane.n_ports && used < sizeof(names); i++) {
		int w = snprintf(names + used, sizeof(names) - used, "%s'%s'", i > 0 ? ", " : "",
				 c->dataplane.ports[i].name);

		if (w < 0)
			break;
		used += (size_t)w;
	}
	return refuse(reason, rlen, -EINVAL, "Unknown interface '%.*s' in 'direction' (the media "
		      "interface%s %s)", (int)(n->len > 64 ? 64 : n->len), n->p,
		      c->dataplane.n_ports > 1 ? "s are" : " is", names);
}

int
cp_calls_media(void *ctx, const struct cp_ng_req *req, bool is_answer,
	       struct cp_bencode_buf *reply, char *reason, size_t rlen)
{
	struct cp_sdp *sdp;
	char err[CP_SDP_ERR_LEN];
	int rc, dir[2] = { -1, -1 };

	(void)ctx;
	if (app == NULL || busy == NULL)
		return refuse(reason, rlen, -ENOTSUP, "%s", "media not available");
	if (!cp_calls_legs_ready())
		return refuse(reason, rlen, -ENOTCONN, "%s", "no dataplane attached");
	/* direction=[from, to]: rtpengine's interfaces of the offerer and the
	 * answerer, here the names of dataplane ports (rtpengine's "default":
	 * the first). A name no port has is an error rather than media quietly
	 * placed on another address than the proxy asked. An answer's are
	 * checked, not used: the offer set them (rtpengine does the same). */
	for (unsigned i = 0; i < req->n_direction && i < 2; i++) {
		dir[i] = iface_index(&req->direction[i]);
		if (dir[i] < 0)
			return refuse_iface(&req->direction[i], reason, rlen);
	}
	sdp = malloc(sizeof(*sdp));
	if (sdp == NULL)
		return refuse(reason, rlen, -ENOMEM, "%s", "out of memory");
	rc = cp_sdp_parse(sdp, req->sdp.p, req->sdp.len, err, sizeof(err));
	if (rc != 0) {
		snprintf(reason, rlen, "bad SDP: %s", err);
		goto out;
	}
	if (sdp->n_media == 0) {
		rc = refuse(reason, rlen, -EINVAL, "%s", "SDP without media");
		goto out;
	}
	/* An offer or answer is a sequence of commands (legs, modes, peers, rules,
	 * keys, and the deletes of a rollback): all of it or none, or legs would
	 * be left in the dataplane. */
	if (!wait_room(CMDS_PER_SECTION * (unsigned)sdp->n_media + 8)) {
		rc = refuse(reason, rlen, -EBUSY, "%s", "dataplane busy (command ring full), retry");
		goto out;
	}
	rc = is_answer ? do_answer(req, sdp, reply, reason, rlen)
		       : do_offer(req, sdp, dir, reply, reason, rlen);
	if (rc == 0)
		cp_journal_touch();    /* written later in the loop: after the registry's update */
out:
	for (unsigned i = 0; i < CP_SDP_MAX_MEDIA; i++)   /* SDES keys; the rest is not secret */
		gw_wipe(sdp->media[i].crypto, sizeof(sdp->media[i].crypto));
	free(sdp);
	return rc;
}

/* ---- events and timers ----------------------------------------------------------- */

static void
on_evt(const struct gw_ipc_msg *m)
{
	const struct gw_ipc_media_evt *e = &m->u.media_evt;
	uint32_t base = e->leg_id & ~(LEGS_PER_CALL - 1), r = e->leg_id - base;
	struct mcall *k;

	if (!(e->leg_id & LEG_ID_FLAG))
		return;
	for (k = calls; k != NULL && k->leg0 != base; k = k->next)
		;
	if (k == NULL)
		return;
	if ((e->op == GW_IPC_MEDIA_STATS || e->op == GW_IPC_MEDIA_STATS_MORE) && m->status == 0) {
		unsigned s = r / (2 * CP_SDP_MAX_MEDIA), i = (r / 2) % CP_SDP_MAX_MEDIA, c = r % 2;

		gw_ipc_media_cnt_take(k->cnt[s][i][c], e);
	} else if (m->status != 0 && e->op != GW_IPC_MEDIA_STATS && e->op != GW_IPC_MEDIA_DEL) {
		CP_WARN("call %.*s: dataplane refused op %u on leg %u: %s", (int)k->id_len, k->id,
			e->op, e->leg_id, strerror(-m->status));
	}
}

static void
on_totals(void *ctx, const char *id, size_t len, uint64_t t[2][3])
{
	const struct mcall *k = *find_slot(id, len);

	(void)ctx;
	for (unsigned s = 0; k != NULL && s < 2; s++)
		for (unsigned i = 0; i < k->n_media; i++)
			for (unsigned c = 0; c < 2; c++) {
				const uint64_t *n = k->cnt[s][i][c];

				/* the RTP leg's bytes include muxed RTCP */
				t[c == 0][0] += n[GW_IPC_MEDIA_CNT_bytes_in];
				t[c == 0][1] += n[GW_IPC_MEDIA_CNT_malformed] +
						n[GW_IPC_MEDIA_CNT_auth_fail] +
						n[GW_IPC_MEDIA_CNT_replay] + n[GW_IPC_MEDIA_CNT_dropped];
				t[1][2] += n[GW_IPC_MEDIA_CNT_rtp_in];
				t[0][2] += n[GW_IPC_MEDIA_CNT_rtcp_in];
			}
}

/* ---- for the journal (cp_calls_journal) ------------------------------------------- */

/*
 * A taken-over WebRTC side whose keys never reached the dataplane: its DTLS
 * endpoint died with the old control plane (an OpenSSL handshake cannot be
 * journaled), so a fresh one in the same role, on the journaled certificate
 * (the fingerprint our SDP announced) and the party's fingerprint. It
 * completes a handshake that had not begun (ICE still checking: the widest
 * window), and as server one whose ClientHello the browser sends again. One
 * caught after our first flight went out cannot go on (OpenSSL cannot save
 * a handshake in progress): as server the new endpoint answers the
 * browser's next flight with a fatal alert (cp_dtls.h, restarted), so the
 * browser fails at once instead of resending into silence (Chromium had
 * not given up 20 s later); as client our new ClientHello makes the browser resend its flight
 * for the old one, which the new endpoint cannot take: it fails, and its
 * alert fails the browser as fast (tests/unit/cp/test_dtls.c has both with
 * OpenSSL as the peer). A re-offer with a new fingerprint (a new
 * RTCPeerConnection) recovers the leg. A client whose peer is known sends its ClientHello now
 * (the ICE nomination it waited for will not come again).
 */
static void
dtls_again(const struct mcall *k, struct side *d)
{
	enum cp_dtls_role role = d->setup == CP_SDP_SETUP_ACTIVE ? CP_DTLS_CLIENT : CP_DTLS_SERVER;
	uint8_t fp[32];
	int rc;

	memcpy(fp, d->peer_fp, sizeof(fp));
	rc = dtls_open(d, role, fp, true);
	if (rc != 0) {
		CP_WARN("call %.*s: WebRTC leg on port %u: DTLS endpoint not recreated: %s",
			(int)k->id_len, k->id, d->base, strerror(-rc));
		return;
	}
	CP_NOTICE("call %.*s: WebRTC leg on port %u: its DTLS handshake (%s) starts again",
		  (int)k->id_len, k->id, d->base, role == CP_DTLS_CLIENT ? "client" : "server");
	dtls_flush(d);
}

const struct mcall *
cp_calls_media_list(void)
{
	return calls;
}

int
cp_calls_media_adopt(struct mcall *k)
{
	uint32_t min = app->conf->media.port_min;

	/* a side on an interface the config no longer has is not taken over */
	if (k->s[0].pi >= app->conf->dataplane.n_ports || k->s[1].pi >= app->conf->dataplane.n_ports)
		return -EINVAL;
	/* the DEMUX sets in the dataplane are the sides' (kept in the blob) */
	if (cp_calls_demuxed(k) &&
	    cp_calls_bundle_pts(k->s[0].pts, k->s[1].pts, k->n_media, k->rules_pts, NULL, 0) != 0)
		k->rules_set = false;
	for (unsigned s = 0; s < 2; s++) {
		k->s[s].dtls = NULL;
		if (k->s[s].base >= min && k->s[s].base - min + 2 * k->n_media <= span)
			memset(busy + (k->s[s].base - min), 1, 2 * k->n_media);
	}
	if (((k->leg0 & ~LEG_ID_FLAG) / LEGS_PER_CALL) >= next_block)
		next_block = (k->leg0 & ~LEG_ID_FLAG) / LEGS_PER_CALL + 1;
	k->next = calls;
	calls = k;
	n_legs += 4 * k->n_media;
	for (unsigned s = 0; s < 2; s++)
		if (cp_calls_is_webrtc(&k->s[s]) && k->s[s].ice_id != 0 && !k->s[s].keys_sent)
			dtls_again(k, &k->s[s]);
	return 0;
}

const char *
cp_calls_media_instance(void)
{
	return instance;
}

/* instance: the gateway's own (see cp_calls_media.h). */
static void
make_instance(const struct gw_config *c)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char text[96];
	int n;

	n = snprintf(text, sizeof(text), "rtcgw ng %08x:%u port %08x", c->calls.ng_listen.addr,
		     c->calls.ng_listen.port, c->dataplane.ports[0].address.addr);
	instance[0] = '\0';
	if (n <= 0 || EVP_Digest(text, (size_t)n, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen < 8)
		return;
	for (unsigned i = 0; i < 8; i++)
		snprintf(instance + 2 * i, 3, "%02x", md[i]);
}

void
cp_calls_media_init(struct cp_app *a, struct cp_calls *c)
{
	app = a;
	cp_calls_legs_init(a);
	make_instance(a->conf);
	registry = c;
	span = (uint32_t)a->conf->media.port_max - a->conf->media.port_min + 1;
	busy = calloc(span, 1);
	if (busy == NULL)
		CP_ERR("calls: out of memory: media for calls disabled");
	cp_calls_on_release(c, on_release);
	cp_calls_on_totals(c, on_totals);
	cp_session_set_port_guard(port_guard);
	cp_session_set_evt_fallback(on_evt);
	cp_session_set_ice_fallback(on_ice);
	cp_session_set_punt_fallback(on_punt);
	(void)cp_session_dtls_cert(&cert_fp);
	if (busy != NULL)
		cp_calls_journal_restore(c);
}

void
cp_calls_media_tick(uint64_t now)
{
	uint64_t timeout_ms = (uint64_t)app->conf->calls.media_timeout_s * 1000;
	unsigned budget = STATS_BURST;

	now_ms = now;
	for (struct mcall *k = calls, *nx; k != NULL; k = nx) {
		uint64_t rx = 0;
		bool stats = now >= k->stats_due && budget >= 4 * k->n_media && cp_calls_legs_ready();

		nx = k->next;
		for (unsigned s = 0; s < 2; s++) {
			struct side *d = &k->s[s];

			if (d->dtls != NULL && cp_dtls_state(d->dtls) == CP_DTLS_HANDSHAKING &&
			    cp_dtls_timeout_ms(d->dtls) == 0)
				dtls_progress(k, d, cp_dtls_tick(d->dtls));
		}
		for (unsigned s = 0; s < 2; s++)
			for (unsigned i = 0; i < k->n_media; i++)
				for (unsigned c = 0; c < 2; c++) {
					rx += k->cnt[s][i][c][GW_IPC_MEDIA_CNT_rtp_in] +
					      k->cnt[s][i][c][GW_IPC_MEDIA_CNT_rtcp_in];
					if (stats) {
						struct gw_ipc_msg m = { .type = GW_IPC_MEDIA_STATS_REQ };

						m.u.media_leg.leg_id = cp_calls_leg_id(k, s, i, c == 1);
						(void)cp_ipc_send(app->ipc, 0, &m);
					}
				}
		if (stats) {
			budget -= 4 * k->n_media;
			k->stats_due = now + STATS_PERIOD_MS;
			k->stats_asked = now;
		}
		if (k->last_rx_ms == 0 || rx != k->rx_seen) {
			k->rx_seen = rx;
			k->last_rx_ms = now;
		} else if (now - k->last_rx_ms >= timeout_ms &&
			   /* counters asked for well after the last change and answered
			    * by now (with many calls they refresh more slowly than
			    * once a second): silence, not stale figures */
			   k->stats_asked >= k->last_rx_ms + timeout_ms / 2 &&
			   now - k->stats_asked >= 200) {
			char id[CP_CALLS_ID_MAX];
			size_t len = k->id_len;

			memcpy(id, k->id, len);
			CP_NOTICE("call %.*s: media timeout: no RTP or RTCP for %u s",
				  (int)len, id, app->conf->calls.media_timeout_s);
			/* the registry's release hook frees k */
			if (cp_calls_drop(registry, id, len) != 0) {
				struct mcall **pp = find_slot(id, len);

				if (*pp != NULL)
					call_free(pp);
			}
		}
	}
}

void
cp_calls_media_counts(unsigned *n_calls, unsigned *legs)
{
	unsigned n = 0;

	for (const struct mcall *k = calls; k != NULL; k = k->next)
		n++;
	*n_calls = n;
	*legs = n_legs;
}

json_t *
cp_calls_media_json(const char *id, size_t len)
{
	static const char *const names[] = {
#define CNT_NAME(n) #n,
		GW_IPC_MEDIA_LEG_COUNTERS(CNT_NAME)
#undef CNT_NAME
	};
	const struct mcall *k = *find_slot(id, len);
	json_t *legs = json_array();

	if (k == NULL || legs == NULL) {
		json_decref(legs);
		return NULL;
	}
	for (unsigned s = 0; s < 2; s++) {
		const struct side *d = &k->s[s];
		const uint8_t mode = cp_calls_legs_mode(d);

		for (unsigned i = 0; i < k->n_media; i++) {
			for (unsigned c = 0; c < 2; c++) {
				json_t *cnt = json_object(), *leg;
				char peer[CP_ADDR_STRLEN + 8], ip[CP_ADDR_STRLEN];
				bool v6 = d->peer.family == AF_INET6;

				cp_addr_str(&d->peer, ip, sizeof(ip));
				snprintf(peer, sizeof(peer), "%s%s%s:%u", v6 ? "[" : "", ip, v6 ? "]" : "",
					 c == 0 || d->mux ? d->peer_rtp[i] : d->peer_rtcp[i]);
				for (unsigned n = 0; n < GW_IPC_MEDIA_CNT_MAX; n++)
					json_object_set_new(cnt, names[n], json_integer((json_int_t)k->cnt[s][i][c][n]));
				leg = json_pack("{s:s, s:s#, s:i, s:s, s:s, s:s, s:i, s:s, s:b, s:s, s:o}",
						"side", s == 0 ? "offerer" : "answerer", "tag",
						d->tag, (int)d->tag_len, "section", (int)i, "kind",
						c == 0 ? "rtp" : "rtcp", "transport",
						cp_calls_kind_name(d->kind), "interface",
						iface_name(d->pi), "port",
						(int)(d->base + 2 * i + c), "peer",
						d->peer_known ? peer : "", "latching",
						(mode & GW_IPC_MEDIA_F_LATCH) != 0, "source",
						(mode & GW_IPC_MEDIA_F_STRICT)	   ? "strict"
						: (mode & GW_IPC_MEDIA_F_HANDOVER) ? "handover"
										   : "any",
						"counters", cnt);
				json_array_append_new(legs, leg);
			}
		}
	}
	return legs;
}
