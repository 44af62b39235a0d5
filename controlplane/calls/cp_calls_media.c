#include "cp_calls_media.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cp_api.h"
#include "cp_ipc.h"
#include "cp_log.h"
#include "cp_sdp.h"
#include "cp_session.h"
#include "gw_ipc.h"

#define LEG_ID_FLAG     0x80000000u     /* calls' dataplane leg ids (sessions count from 1) */
#define LEGS_PER_CALL   64u             /* 2 sides x CP_SDP_MAX_MEDIA sections x RTP/RTCP */
#define STATS_PERIOD_MS 1000
#define SDP_OUT_MAX     16384

_Static_assert(2 * CP_SDP_MAX_MEDIA * 2 <= LEGS_PER_CALL, "leg id block");

struct side {
	bool set;                       /* the tag is known */
	char tag[CP_CALLS_TAG_MAX];
	size_t tag_len;
	uint16_t base;                  /* first port of its block: section i at base + 2i */
	bool mux;                       /* the party muxes RTCP on its RTP port */
	bool peer_known;
	uint32_t peer_ip;
	uint16_t peer_rtp[CP_SDP_MAX_MEDIA], peer_rtcp[CP_SDP_MAX_MEDIA];
};

struct mcall {
	struct mcall *next;
	char id[CP_CALLS_ID_MAX];
	size_t id_len;
	unsigned n_media;
	bool trust;                     /* trust-address: no latching */
	uint32_t leg0;                  /* leg ids leg0 .. leg0 + LEGS_PER_CALL - 1 */
	struct side s[2];               /* 0: the first offerer, 1: the other party */
	uint64_t cnt[2][CP_SDP_MAX_MEDIA][2][GW_IPC_MEDIA_CNT_MAX];
	uint64_t rx_seen, last_rx_ms;
};

static struct cp_app *app;
static struct cp_calls *registry;
static struct mcall *calls;
static uint8_t *busy;                   /* media port - port_min -> held by a call */
static uint32_t span, cursor, next_block;
static uint64_t next_stats, now_ms;
static unsigned n_legs;

static uint32_t
leg_id(const struct mcall *k, unsigned side, unsigned i, bool rtcp)
{
	return k->leg0 + side * 2 * CP_SDP_MAX_MEDIA + i * 2 + (rtcp ? 1 : 0);
}

static bool
dp_ready(void)
{
	return app != NULL && app->ipc != NULL && !app->dp_lost;
}

/* One leg command: the whole payload given (fields an op ignores are 0). */
static int
send_leg(const struct gw_ipc_media_leg *c)
{
	struct gw_ipc_msg m = { .type = GW_IPC_MEDIA_LEG_REQ };

	m.u.media_leg = *c;
	return dp_ready() ? cp_ipc_send(app->ipc, 0, &m) : -ENOTCONN;
}

static int
leg_cmd(uint32_t id, uint16_t op, uint16_t port, uint8_t rule, uint32_t other)
{
	return send_leg(&(struct gw_ipc_media_leg){ .leg_id = id, .op = op, .port = port,
						    .rule = rule, .pub_leg_id = other });
}

static int
peer_cmd(uint32_t id, uint32_t ip, uint16_t port)
{
	return send_leg(&(struct gw_ipc_media_leg){ .leg_id = id, .op = GW_IPC_MEDIA_PEER,
						    .peer_ip = ip, .peer_port = port });
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

static void
call_free(struct mcall **pp)
{
	struct mcall *k = *pp;

	for (unsigned s = 0; s < 2; s++) {
		for (unsigned i = 0; i < k->n_media; i++) {
			(void)leg_cmd(leg_id(k, s, i, false), GW_IPC_MEDIA_DEL, 0, 0, 0);
			(void)leg_cmd(leg_id(k, s, i, true), GW_IPC_MEDIA_DEL, 0, 0, 0);
		}
		block_free(k->s[s].base, 2 * k->n_media);
	}
	n_legs -= 4 * k->n_media;
	*pp = k->next;
	free(k);
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

/* The forwarding rules between the two sides (again after every offer and
 * answer: the RTCP target follows the parties' rtcp-mux). */
static int
apply_rules(const struct mcall *k)
{
	int rc = 0;

	for (unsigned x = 0; x < 2; x++) {
		unsigned y = 1 - x;

		for (unsigned i = 0; i < k->n_media; i++) {
			uint32_t rtcp_to = leg_id(k, y, i, !k->s[y].mux);

			rc |= leg_cmd(leg_id(k, x, i, false), GW_IPC_MEDIA_RULE, 0,
				      GW_IPC_MEDIA_RULE_BRIDGE, leg_id(k, y, i, false));
			rc |= leg_cmd(leg_id(k, x, i, false), GW_IPC_MEDIA_RULE, 0,
				      GW_IPC_MEDIA_RULE_BRIDGE_RTCP, rtcp_to);
			rc |= leg_cmd(leg_id(k, x, i, true), GW_IPC_MEDIA_RULE, 0,
				      GW_IPC_MEDIA_RULE_BRIDGE, rtcp_to);
		}
	}
	return rc != 0 ? -EIO : 0;
}

/* Modes (plain, latching) of side s's legs, and its peer addresses when known. */
static int
apply_side(const struct mcall *k, unsigned s)
{
	const struct side *d = &k->s[s];
	uint8_t mode = GW_IPC_MEDIA_F_PLAIN | (k->trust ? 0 : GW_IPC_MEDIA_F_LATCH);
	int rc = 0;

	for (unsigned i = 0; i < k->n_media; i++) {
		rc |= leg_cmd(leg_id(k, s, i, false), GW_IPC_MEDIA_MODE, 0, mode, 0);
		rc |= leg_cmd(leg_id(k, s, i, true), GW_IPC_MEDIA_MODE, 0, mode, 0);
		if (d->peer_known && d->peer_rtp[i] != 0) {
			rc |= peer_cmd(leg_id(k, s, i, false), d->peer_ip, d->peer_rtp[i]);
			rc |= peer_cmd(leg_id(k, s, i, true), d->peer_ip,
				       d->mux ? d->peer_rtp[i] : d->peer_rtcp[i]);
		}
	}
	return rc != 0 ? -EIO : 0;
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

/* Where side s's party receives media, from its description. */
static int
learn_side(struct side *d, const struct cp_sdp *sdp, char *reason, size_t rlen)
{
	const struct cp_sdp_conn *c = NULL;
	struct in_addr ia;

	d->mux = true;
	for (unsigned i = 0; i < sdp->n_media; i++) {
		const struct cp_sdp_media *m = &sdp->media[i];

		d->peer_rtp[i] = m->port;
		d->peer_rtcp[i] = m->has_rtcp ? m->rtcp_port : (uint16_t)(m->port + 1);
		if (m->port != 0 && !m->rtcp_mux)
			d->mux = false;
		if (c == NULL && m->port != 0)
			c = m->conn.family != 0 ? &m->conn : &sdp->conn;
	}
	if (c == NULL || c->family == 0)
		return refuse(reason, rlen, -EINVAL, "%s", "SDP without a connection address");
	if (c->family != 4 || inet_pton(AF_INET, c->addr, &ia) != 1)
		return refuse(reason, rlen, -EINVAL,
			      "media address %s: only IPv4 literals are bridged", c->addr);
	d->peer_ip = ntohl(ia.s_addr);
	d->peer_known = d->peer_ip != 0;          /* 0.0.0.0: on hold, latch only */
	return 0;
}

static int
check_sections(const struct cp_sdp *sdp, char *reason, size_t rlen)
{
	if (sdp->n_media == 0)
		return refuse(reason, rlen, -EINVAL, "%s", "SDP without media");
	for (unsigned i = 0; i < sdp->n_media; i++) {
		const struct cp_sdp_media *m = &sdp->media[i];

		if (m->port != 0 && m->proto_id != CP_SDP_PROTO_RTP_AVP &&
		    m->proto_id != CP_SDP_PROTO_RTP_AVPF)
			return refuse(reason, rlen, -ENOTSUP,
				      "transport %s not bridged yet (plain RTP/AVP and RTP/AVPF only)",
				      m->proto);
	}
	return 0;
}

static struct mcall *
call_create(const struct cp_ng_req *req, unsigned n_media, char *reason, size_t rlen, int *rc)
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
	for (unsigned s = 0; s < 2 && *rc == 0; s++)
		for (unsigned i = 0; i < n_media && *rc == 0; i++) {
			*rc |= leg_cmd(leg_id(k, s, i, false), GW_IPC_MEDIA_ADD,
				       (uint16_t)(k->s[s].base + 2 * i), 0, 0);
			*rc |= leg_cmd(leg_id(k, s, i, true), GW_IPC_MEDIA_ADD,
				       (uint16_t)(k->s[s].base + 2 * i + 1), 0, 0);
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

static void
gw_addr(char *buf, size_t len)
{
	struct in_addr ia;

	ia.s_addr = htonl(app->conf->dataplane.ports[0].address.addr);
	inet_ntop(AF_INET, &ia, buf, (socklen_t)len);
}

/* Render in for the party that receives it, on side `to`'s ports. */
static int
render(struct cp_bencode_buf *reply, const struct cp_ng_req *req, const struct cp_sdp *in,
       const struct mcall *k, unsigned to, bool offer, bool mux, char *reason, size_t rlen)
{
	struct cp_sdp_leg_params p = { .kind = CP_SDP_LEG_RTP };
	struct cp_sdp *out = malloc(sizeof(*out));
	char *text = malloc(SDP_OUT_MAX), addr[INET_ADDRSTRLEN];
	int rc, len;

	if (out == NULL || text == NULL) {
		rc = refuse(reason, rlen, -ENOMEM, "%s", "out of memory");
		goto out;
	}
	gw_addr(addr, sizeof(addr));
	p.avpf = in->media[0].proto_id == CP_SDP_PROTO_RTP_AVPF;
	if (req->proto == CP_NG_PROTO_RTP_AVP)
		p.avpf = false;
	else if (req->proto == CP_NG_PROTO_RTP_AVPF)
		p.avpf = true;
	p.offer = offer;
	p.addr = addr;
	p.port = k->s[to].base;
	p.rtcp_mux = mux;
	rc = cp_sdp_leg_render(out, in, &p);
	if (rc != 0) {
		rc = refuse(reason, rlen, rc, "%s", "SDP could not be rewritten");
		goto out;
	}
	if (req->replace & CP_NG_REPLACE_ORIGIN) {
		out->o_addr.family = 4;
		snprintf(out->o_addr.addr, sizeof(out->o_addr.addr), "%s", addr);
	}
	len = cp_sdp_encode(out, text, SDP_OUT_MAX);
	if (len < 0) {
		rc = refuse(reason, rlen, len, "%s", "SDP could not be written");
		goto out;
	}
	cp_bencode_put_cstr(reply, "sdp");
	cp_bencode_put_str(reply, text, (size_t)len);
	rc = 0;
out:
	free(out);
	free(text);
	return rc;
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

static int
do_offer(const struct cp_ng_req *req, const struct cp_sdp *sdp, struct cp_bencode_buf *reply,
	 char *reason, size_t rlen)
{
	struct mcall **pp = find_slot(req->call_id.p, req->call_id.len), *k = *pp;
	bool created = false, mux;
	struct side saved;
	int rc, s;

	if (k == NULL) {
		k = call_create(req, sdp->n_media, reason, rlen, &rc);
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
	}
	saved = k->s[s];
	k->trust = (req->flags & CP_NG_F_TRUST_ADDRESS) != 0;
	rc = learn_side(&k->s[s], sdp, reason, rlen);
	if (rc == 0) {
		mux = (req->rtcp_mux & CP_NG_RTCP_MUX_DEMUX) ? false
		      : (req->rtcp_mux & (CP_NG_RTCP_MUX_OFFER | CP_NG_RTCP_MUX_REQUIRE)) ? true
											 : k->s[s].mux;
		if (created)
			k->s[1].mux = mux;  /* until the answer says */
		rc = render(reply, req, sdp, k, 1 - (unsigned)s, true, mux, reason, rlen);
	}
	if (rc == 0)
		rc = apply_side(k, (unsigned)s);
	if (rc == 0)
		rc = apply_rules(k);
	if (rc != 0) {
		if (created)
			call_free(find_slot(req->call_id.p, req->call_id.len));
		else
			k->s[s] = saved;
		if (rc == -EIO)
			snprintf(reason, rlen, "dataplane not reachable (command ring)");
	}
	return rc;
}

static int
do_answer(const struct cp_ng_req *req, const struct cp_sdp *sdp, struct cp_bencode_buf *reply,
	  char *reason, size_t rlen)
{
	struct mcall *k = *find_slot(req->call_id.p, req->call_id.len);
	struct side saved;
	int off, ans, rc;

	if (k == NULL)
		return refuse(reason, rlen, -ENOENT, "%s", "Unknown call-id (no media)");
	off = side_of(k, req->from_tag);
	if (off < 0)
		return refuse(reason, rlen, -ENOENT, "%s", "Unknown from-tag");
	ans = 1 - off;
	if (k->s[ans].set && side_of(k, req->to_tag) != ans)
		return refuse(reason, rlen, -ENOTSUP, "%s",
			      "a second answer (forked call): one answerer is bridged");
	if (sdp->n_media != k->n_media)
		return refuse(reason, rlen, -EINVAL, "%s",
			      "the answer's m= sections do not match the offer's");
	saved = k->s[ans];
	rc = learn_side(&k->s[ans], sdp, reason, rlen);
	if (rc == 0)
		rc = render(reply, req, sdp, k, (unsigned)off, false, k->s[off].mux, reason, rlen);
	if (rc == 0)
		rc = apply_side(k, (unsigned)ans);
	if (rc == 0)
		rc = apply_rules(k);
	if (rc != 0) {
		k->s[ans] = saved;
		if (rc == -EIO)
			snprintf(reason, rlen, "dataplane not reachable (command ring)");
		return rc;
	}
	if (!k->s[ans].set)
		set_tag(&k->s[ans], req->to_tag);
	return 0;
}

int
cp_calls_media(void *ctx, const struct cp_ng_req *req, bool is_answer,
	       struct cp_bencode_buf *reply, char *reason, size_t rlen)
{
	struct cp_sdp *sdp;
	char err[CP_SDP_ERR_LEN];
	int rc;

	(void)ctx;
	if (app == NULL || busy == NULL)
		return refuse(reason, rlen, -ENOTSUP, "%s", "media not available");
	if (!dp_ready())
		return refuse(reason, rlen, -ENOTCONN, "%s", "no dataplane attached");
	if (req->proto > CP_NG_PROTO_RTP_AVPF || req->ice == CP_NG_ICE_FORCE ||
	    req->dtls == CP_NG_DTLS_PASSIVE || req->dtls == CP_NG_DTLS_ACTIVE)
		return refuse(reason, rlen, -ENOTSUP, "%s",
			      "WebRTC/SRTP legs for calls not available yet (plain RTP/AVP bridging only)");
	sdp = malloc(sizeof(*sdp));
	if (sdp == NULL)
		return refuse(reason, rlen, -ENOMEM, "%s", "out of memory");
	rc = cp_sdp_parse(sdp, req->sdp.p, req->sdp.len, err, sizeof(err));
	if (rc != 0) {
		snprintf(reason, rlen, "bad SDP: %s", err);
		goto out;
	}
	rc = check_sections(sdp, reason, rlen);
	if (rc != 0)
		goto out;
	rc = is_answer ? do_answer(req, sdp, reply, reason, rlen)
		       : do_offer(req, sdp, reply, reason, rlen);
out:
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

void
cp_calls_media_init(struct cp_app *a, struct cp_calls *c)
{
	app = a;
	registry = c;
	span = (uint32_t)a->conf->media.port_max - a->conf->media.port_min + 1;
	busy = calloc(span, 1);
	if (busy == NULL)
		CP_ERR("calls: out of memory: media for calls disabled");
	cp_calls_on_release(c, on_release);
	cp_calls_on_totals(c, on_totals);
	cp_session_set_port_guard(port_guard);
	cp_session_set_evt_fallback(on_evt);
}

void
cp_calls_media_tick(uint64_t now)
{
	uint64_t timeout_ms = (uint64_t)app->conf->calls.media_timeout_s * 1000;
	bool stats = now >= next_stats;

	now_ms = now;
	if (stats)
		next_stats = now + STATS_PERIOD_MS;
	for (struct mcall *k = calls, *nx; k != NULL; k = nx) {
		uint64_t rx = 0;

		nx = k->next;
		for (unsigned s = 0; s < 2; s++)
			for (unsigned i = 0; i < k->n_media; i++)
				for (unsigned c = 0; c < 2; c++) {
					rx += k->cnt[s][i][c][GW_IPC_MEDIA_CNT_rtp_in] +
					      k->cnt[s][i][c][GW_IPC_MEDIA_CNT_rtcp_in];
					if (stats && dp_ready()) {
						struct gw_ipc_msg m = { .type = GW_IPC_MEDIA_STATS_REQ };

						m.u.media_leg.leg_id = leg_id(k, s, i, c == 1);
						(void)cp_ipc_send(app->ipc, 0, &m);
					}
				}
		if (k->last_rx_ms == 0 || rx != k->rx_seen) {
			k->rx_seen = rx;
			k->last_rx_ms = now;
		} else if (now - k->last_rx_ms >= timeout_ms) {
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

		for (unsigned i = 0; i < k->n_media; i++) {
			for (unsigned c = 0; c < 2; c++) {
				json_t *cnt = json_object(), *leg;
				struct in_addr ia = { .s_addr = htonl(d->peer_ip) };
				char peer[INET_ADDRSTRLEN + 8], ip[INET_ADDRSTRLEN];

				inet_ntop(AF_INET, &ia, ip, sizeof(ip));
				snprintf(peer, sizeof(peer), "%s:%u", ip,
					 c == 0 || d->mux ? d->peer_rtp[i] : d->peer_rtcp[i]);
				for (unsigned n = 0; n < GW_IPC_MEDIA_CNT_MAX; n++)
					json_object_set_new(cnt, names[n], json_integer((json_int_t)k->cnt[s][i][c][n]));
				leg = json_pack("{s:s, s:s#, s:i, s:s, s:i, s:s, s:o}", "side",
						s == 0 ? "offerer" : "answerer", "tag", d->tag,
						(int)d->tag_len, "section", (int)i, "kind",
						c == 0 ? "rtp" : "rtcp", "port",
						(int)(d->base + 2 * i + c), "peer",
						d->peer_known ? peer : "", "counters", cnt);
				json_array_append_new(legs, leg);
			}
		}
	}
	return legs;
}
