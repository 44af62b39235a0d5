#include "dp_media.h"

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "ct.h"
#include "dp_arp.h"
#include "dp_ctx.h"
#include "dp_ipc.h"
#include "dp_srtp.h"
#include "net.h"
#include "rtp.h"

#define NONE           UINT32_MAX
#define HDRS           (GW_ETH_HLEN + GW_IPV4_HLEN + GW_UDP_HLEN)
#define KF_SLOTS       8              /* media SSRCs rate-limited per publisher */
#define KF_INTERVAL_MS 500
#define GW_RTCP_SSRC   0x52544347u    /* "RTCG": sender SSRC of forwarded RTCP */
#define RTCP_FMT_PLI   1
#define RTCP_FMT_FIR   4
#define RTCP_FMT_NACK  1              /* RTPFB generic NACK (RFC 4585 §6.2.1) */

struct kf_slot {
	uint32_t ssrc;
	uint64_t last;                 /* TSC of the last request forwarded */
};

struct leg {
	uint32_t leg_id;
	uint16_t port;
	uint8_t in_use;
	uint8_t rule;                  /* enum gw_ipc_media_rule */
	uint8_t pi;                    /* port index it sends from */
	uint8_t peer_set;
	uint8_t plain;                 /* GW_IPC_MEDIA_F_PLAIN: RTP/RTCP without SRTP */
	uint8_t latch;                 /* GW_IPC_MEDIA_F_LATCH: learn the peer from the first packet */
	uint8_t latched;
	uint8_t n_pt;                  /* GW_IPC_MEDIA_PTMAP pairs in use (0..2) */
	uint8_t pt_from[2], pt_to[2];  /* RTP payload types rewritten toward this leg */
	uint16_t peer_port;
	uint32_t peer_ip;
	struct dp_srtp *rx, *tx;
	uint32_t pub;                  /* SUBSCRIBE: publisher's index */
	uint32_t sub_head;             /* PUBLISH: first subscriber */
	uint32_t sub_next;             /* SUBSCRIBE: next subscriber of the same publisher */
	uint32_t free_next;
	uint32_t br_rtp, br_rtcp;      /* BRIDGE: where RTP / RTCP go (index or NONE) */
	struct kf_slot kf[KF_SLOTS];
	uint64_t cnt[GW_IPC_MEDIA_CNT_MAX];
};

struct media_table {
	struct leg *legs;
	uint32_t *by_port;             /* port - port_min -> leg index or NONE */
	struct dp_srtp_pool *pool;
	uint32_t cap, used, free_head;
	uint16_t port_min, port_max;
};

static struct media_table T;

#define LEG_CNT(l, n)        ((l)->cnt[GW_IPC_MEDIA_CNT_##n]++)
#define LEG_CNT_ADD(l, n, v) ((l)->cnt[GW_IPC_MEDIA_CNT_##n] += (v))

int
dp_media_create(uint16_t port_min, uint16_t port_max, uint32_t max_legs)
{
	uint32_t span;
	int rc;

	if (port_max < port_min || max_legs == 0)
		return -EINVAL;
	span = (uint32_t)port_max - port_min + 1;
	if (max_legs > span)
		max_legs = span;
	T.legs = rte_zmalloc("rtcgw_media_legs", sizeof(*T.legs) * max_legs, RTE_CACHE_LINE_SIZE);
	T.by_port = rte_malloc("rtcgw_media_ports", sizeof(*T.by_port) * span, RTE_CACHE_LINE_SIZE);
	if (T.legs == NULL || T.by_port == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = dp_srtp_pool_create(&T.pool, 2 * max_legs);
	if (rc != 0)
		goto fail;
	for (uint32_t i = 0; i < span; i++)
		T.by_port[i] = NONE;
	T.cap = max_legs;
	T.port_min = port_min;
	T.port_max = port_max;
	T.used = 0;
	T.free_head = NONE;
	for (uint32_t i = max_legs; i-- > 0;) {
		T.legs[i].free_next = T.free_head;
		T.free_head = i;
	}
	if (dp_ipc_on(GW_IPC_MEDIA_LEG_REQ, dp_media_command) != 0 ||
	    dp_ipc_on(GW_IPC_MEDIA_STATS_REQ, dp_media_command) != 0 ||
	    dp_ipc_on(GW_IPC_SRTP_ADD_REQ, dp_media_command) != 0 ||
	    dp_ipc_on(GW_IPC_SRTP_DEL_REQ, dp_media_command) != 0)
		return -EEXIST;
	return 0;
fail:
	dp_media_free();
	return rc;
}

static void leg_free(struct leg *l);

void
dp_media_free(void)
{
	for (uint32_t i = 0; T.legs != NULL && i < T.cap; i++)
		if (T.legs[i].in_use)
			leg_free(&T.legs[i]);
	dp_srtp_pool_free(T.pool);
	rte_free(T.legs);
	rte_free(T.by_port);
	memset(&T, 0, sizeof(T));
}

uint32_t
dp_media_legs(void)
{
	return T.used;
}

uint32_t
dp_media_srtp_in_use(void)
{
	return T.pool == NULL ? 0 : 2 * T.cap - dp_srtp_pool_avail(T.pool);
}

/* ---- commands (worker 0) ---------------------------------------------------- */

static struct leg *
find(uint32_t leg_id)
{
	for (uint32_t i = 0; i < T.cap; i++)
		if (T.legs[i].in_use && T.legs[i].leg_id == leg_id)
			return &T.legs[i];
	return NULL;
}

static uint32_t
idx_of(const struct leg *l)
{
	return (uint32_t)(l - T.legs);
}

/* Take subscriber s out of its publisher's list. */
static void
unsubscribe(struct leg *s)
{
	uint32_t *pp, si = idx_of(s);

	if (s->pub == NONE)
		return;
	for (pp = &T.legs[s->pub].sub_head; *pp != NONE; pp = &T.legs[*pp].sub_next) {
		if (*pp == si) {
			*pp = s->sub_next;
			break;
		}
	}
	s->pub = NONE;
	s->sub_next = NONE;
}

/* Drop every subscriber of publisher p (they keep their legs, rule SUBSCRIBE
 * with no publisher: nothing reaches them). */
static void
orphan_subscribers(struct leg *p)
{
	while (p->sub_head != NONE) {
		struct leg *s = &T.legs[p->sub_head];

		p->sub_head = s->sub_next;
		s->sub_next = NONE;
		s->pub = NONE;
	}
}

/* Forget every bridge toward leg index i (it is going away). */
static void
unbridge_to(uint32_t i)
{
	for (uint32_t j = 0; j < T.cap; j++) {
		if (T.legs[j].br_rtp == i)
			T.legs[j].br_rtp = NONE;
		if (T.legs[j].br_rtcp == i)
			T.legs[j].br_rtcp = NONE;
	}
}

static void
set_rule_none(struct leg *l)
{
	unsubscribe(l);
	orphan_subscribers(l);
	l->br_rtp = l->br_rtcp = NONE;
	l->rule = GW_IPC_MEDIA_RULE_NONE;
}

static void
leg_free(struct leg *l)
{
	uint32_t i = idx_of(l);

	set_rule_none(l);
	unbridge_to(i);
	dp_srtp_free(l->rx);
	dp_srtp_free(l->tx);
	T.by_port[l->port - T.port_min] = NONE;
	memset(l, 0, sizeof(*l));
	l->free_next = T.free_head;
	T.free_head = i;
	T.used--;
}

static int
leg_add(const struct gw_ipc_media_leg *c)
{
	struct leg *l;
	uint32_t i;

	if (c->port < T.port_min || c->port > T.port_max)
		return -ERANGE;
	if (c->port_index >= dp.n_ports)
		return -EINVAL;
	if (find(c->leg_id) != NULL || T.by_port[c->port - T.port_min] != NONE)
		return -EEXIST;
	if (T.free_head == NONE)
		return -ENOSPC;
	i = T.free_head;
	l = &T.legs[i];
	T.free_head = l->free_next;
	memset(l, 0, sizeof(*l));
	l->leg_id = c->leg_id;
	l->port = c->port;
	l->pi = c->port_index;
	l->pub = l->sub_head = l->sub_next = l->free_next = NONE;
	l->br_rtp = l->br_rtcp = NONE;
	l->in_use = 1;
	T.by_port[c->port - T.port_min] = i;
	T.used++;
	return 0;
}

static int
leg_rule(struct leg *l, const struct gw_ipc_media_leg *c)
{
	struct leg *p;

	switch (c->rule) {
	case GW_IPC_MEDIA_RULE_NONE:
	case GW_IPC_MEDIA_RULE_ECHO:
	case GW_IPC_MEDIA_RULE_PUBLISH:
		if (c->rule != l->rule)
			set_rule_none(l);
		l->rule = c->rule;
		return 0;
	case GW_IPC_MEDIA_RULE_SUBSCRIBE:
		p = find(c->pub_leg_id);
		if (p == NULL || p == l || p->rule != GW_IPC_MEDIA_RULE_PUBLISH)
			return -ENOENT;
		set_rule_none(l);
		l->rule = GW_IPC_MEDIA_RULE_SUBSCRIBE;
		l->pub = idx_of(p);
		l->sub_next = p->sub_head;
		p->sub_head = idx_of(l);
		return 0;
	case GW_IPC_MEDIA_RULE_BRIDGE:
	case GW_IPC_MEDIA_RULE_BRIDGE_RTCP:
		p = find(c->pub_leg_id);
		if (p == NULL || p == l)
			return -ENOENT;
		if (l->rule != GW_IPC_MEDIA_RULE_BRIDGE)
			set_rule_none(l);
		l->rule = GW_IPC_MEDIA_RULE_BRIDGE;
		if (c->rule == GW_IPC_MEDIA_RULE_BRIDGE)
			l->br_rtp = idx_of(p);
		else
			l->br_rtcp = idx_of(p);
		return 0;
	default:
		return -EINVAL;
	}
}

/* GW_IPC_MEDIA_PTMAP: up to two (from, to) pairs packed in map. */
static int
leg_ptmap(struct leg *l, uint32_t map)
{
	uint8_t from[2], to[2], n = 0;

	for (unsigned k = 0; k < 2; k++) {
		uint8_t f = (uint8_t)(map >> (24 - 16 * k)), t = (uint8_t)(map >> (16 - 16 * k));

		if (f == GW_IPC_MEDIA_PT_NONE)
			continue;
		if (f > 127 || t > 127)
			return -EINVAL;
		from[n] = f;
		to[n++] = t;
	}
	memcpy(l->pt_from, from, n);
	memcpy(l->pt_to, to, n);
	l->n_pt = n;
	return 0;
}

static int
media_leg_cmd(struct dp_worker *w, const struct gw_ipc_media_leg *c)
{
	struct leg *l;

	if (c->op == GW_IPC_MEDIA_ADD) {
		int rc = leg_add(c);

		if (rc == 0)
			DP_CNT(w, MEDIA_LEG_ADDED);
		return rc;
	}
	if (c->op == GW_IPC_MEDIA_DEL && c->leg_id == 0) {
		/* every leg: a control plane attaching afresh knows none of them */
		for (uint32_t i = 0; i < T.cap; i++) {
			if (T.legs[i].in_use) {
				leg_free(&T.legs[i]);
				DP_CNT(w, MEDIA_LEG_REMOVED);
			}
		}
		return 0;
	}
	l = find(c->leg_id);
	if (l == NULL)
		return -ENOENT;
	switch (c->op) {
	case GW_IPC_MEDIA_DEL:
		leg_free(l);
		DP_CNT(w, MEDIA_LEG_REMOVED);
		return 0;
	case GW_IPC_MEDIA_PEER:
		l->peer_ip = c->peer_ip;
		l->peer_port = c->peer_port;
		l->peer_set = c->peer_ip != 0 && c->peer_port != 0;
		return 0;
	case GW_IPC_MEDIA_RULE:
		return leg_rule(l, c);
	case GW_IPC_MEDIA_MODE:
		if (c->rule & ~(GW_IPC_MEDIA_F_PLAIN | GW_IPC_MEDIA_F_LATCH))
			return -EINVAL;
		l->plain = (c->rule & GW_IPC_MEDIA_F_PLAIN) != 0;
		l->latch = (c->rule & GW_IPC_MEDIA_F_LATCH) != 0;
		l->latched = 0;
		return 0;
	case GW_IPC_MEDIA_PTMAP:
		return leg_ptmap(l, c->pub_leg_id);
	default:
		return -EINVAL;
	}
}

static int
srtp_add(struct gw_ipc_srtp_keys *k)
{
	struct dp_srtp_key rk, sk;
	struct dp_srtp *rx = NULL, *tx = NULL;
	struct leg *l = find(k->leg_id);
	int halves, rc;

	halves = dp_srtp_keys_from_ipc(&rk, &sk, k);   /* wipes k */
	if (l == NULL) {
		rc = -ENOENT;
		goto out;
	}
	if (halves < 0) {
		rc = halves;
		goto out;
	}
	if (halves & GW_IPC_SRTP_F_RECV) {
		rc = dp_srtp_create(&rx, T.pool, &rk, DP_SRTP_RECV);
		if (rc != 0)
			goto out;
	}
	if (halves & GW_IPC_SRTP_F_SEND) {
		rc = dp_srtp_create(&tx, T.pool, &sk, DP_SRTP_SEND);
		if (rc != 0)
			goto out;
	}
	if (rx != NULL) {
		dp_srtp_free(l->rx);
		l->rx = rx;
		rx = NULL;
	}
	if (tx != NULL) {
		dp_srtp_free(l->tx);
		l->tx = tx;
		tx = NULL;
	}
	rc = 0;
out:
	dp_srtp_free(rx);
	dp_srtp_free(tx);
	gw_wipe(&rk, sizeof(rk));
	gw_wipe(&sk, sizeof(sk));
	return rc;
}

void
dp_media_command(struct dp_worker *w, struct gw_ipc_msg *q)
{
	struct gw_ipc_msg m = { 0 };
	int rc;

	if (q->type == GW_IPC_SRTP_ADD_REQ || q->type == GW_IPC_SRTP_DEL_REQ) {
		m.type = GW_IPC_SRTP_EVENT;
		if (q->type == GW_IPC_SRTP_ADD_REQ) {
			m.u.srtp_evt.leg_id = q->u.srtp_keys.leg_id;
			m.u.srtp_evt.kind = GW_IPC_SRTP_ADDED;
			m.u.srtp_evt.profile = q->u.srtp_keys.profile;
			if (w->idx != 0 || T.legs == NULL) {
				gw_wipe(&q->u.srtp_keys, sizeof(q->u.srtp_keys));
				rc = -EXDEV;
			} else {
				rc = srtp_add(&q->u.srtp_keys);
			}
		} else {
			struct leg *l = w->idx == 0 && T.legs != NULL ? find(q->u.srtp_del.leg_id) : NULL;

			m.u.srtp_evt.leg_id = q->u.srtp_del.leg_id;
			m.u.srtp_evt.kind = GW_IPC_SRTP_REMOVED;
			rc = w->idx != 0 || T.legs == NULL ? -EXDEV : l == NULL ? -ENOENT : 0;
			if (l != NULL) {
				dp_srtp_free(l->rx);
				dp_srtp_free(l->tx);
				l->rx = l->tx = NULL;
			}
		}
	} else {
		const struct gw_ipc_media_leg *c = &q->u.media_leg;

		m.type = GW_IPC_MEDIA_EVENT;
		m.u.media_evt.leg_id = c->leg_id;
		m.u.media_evt.op = q->type == GW_IPC_MEDIA_STATS_REQ ? GW_IPC_MEDIA_STATS : c->op;
		if (w->idx != 0 || T.legs == NULL) {
			rc = -EXDEV;
		} else if (q->type == GW_IPC_MEDIA_STATS_REQ) {
			const struct leg *l = find(c->leg_id);

			rc = l == NULL ? -ENOENT : 0;
			if (l != NULL) {
				memcpy(m.u.media_evt.cnt, l->cnt, sizeof(l->cnt));
				m.u.media_evt.has_rx = l->rx != NULL;
				m.u.media_evt.has_tx = l->tx != NULL;
			}
		} else {
			rc = media_leg_cmd(w, c);
		}
	}
	if (rc != 0)
		DP_CNT(w, MEDIA_CMD_FAILED);
	m.status = rc;
	dp_ipc_event(w, &m);
}

/* ---- packets (worker 0) ------------------------------------------------------ */

/*
 * Protect the plaintext RTP/RTCP packet at p (len bytes, inside m's single
 * segment, at least HDRS bytes after the buffer start) with l's send keys and
 * send it to l's peer. Consumes m.
 */
static void
send_to(struct dp_worker *w, struct leg *l, struct rte_mbuf *m, uint8_t *p, size_t len,
	bool rtcp)
{
	uint8_t *buf = (uint8_t *)m->buf_addr, *frame = p - HDRS;
	size_t cap = (size_t)(buf + m->buf_len - p);
	int rc;

	if (unlikely(!l->peer_set || (l->tx == NULL && !l->plain))) {
		DP_CNT(w, MEDIA_NO_ROUTE);
		LEG_CNT(l, dropped);
		rte_pktmbuf_free(m);
		return;
	}
	if (l->plain)
		rc = 0;
	else if (rtcp)
		rc = dp_srtp_rtcp_protect(l->tx, p, &len, cap);
	else
		rc = dp_srtp_protect(l->tx, p, &len, cap);
	if (unlikely(rc != 0 || GW_IPV4_HLEN + GW_UDP_HLEN + len > dp.ports[l->pi].mtu)) {
		DP_CNT(w, MEDIA_TX_FAIL);
		LEG_CNT(l, dropped);
		rte_pktmbuf_free(m);
		return;
	}
	m->data_off = (uint16_t)(frame - buf);
	m->data_len = (uint16_t)(HDRS + len);
	m->pkt_len = m->data_len;
	m->ol_flags = 0;
	gw_udp4_encode(frame + GW_ETH_HLEN + GW_IPV4_HLEN, dp.ports[l->pi].ipv4, l->peer_ip,
		       l->port, l->peer_port, (uint16_t)len);
	gw_ipv4_encode(frame + GW_ETH_HLEN, dp.ports[l->pi].ipv4, l->peer_ip, GW_IPPROTO_UDP, 64,
		       (uint16_t)(GW_UDP_HLEN + len), w->ip_id++);
	DP_CNT(w, MEDIA_OUT);
	if (rtcp)
		LEG_CNT(l, rtcp_out);
	else
		LEG_CNT(l, rtp_out);
	LEG_CNT_ADD(l, bytes_out, len);
	dp_arp_send_ip(w, l->pi, m, l->peer_ip);
}

/* A copy of the len plaintext bytes at p in a fresh mbuf, laid out for
 * send_to (headroom for the headers); *cp points at the copy. */
static struct rte_mbuf *
copy_of(const uint8_t *p, size_t len, uint8_t **cp)
{
	struct rte_mbuf *c = rte_pktmbuf_alloc(dp.pool);
	uint8_t *b;

	if (c == NULL)
		return NULL;
	b = (uint8_t *)rte_pktmbuf_append(c, (uint16_t)(HDRS + len));
	if (b == NULL || rte_pktmbuf_tailroom(c) < DP_SRTP_MAX_OVERHEAD) {
		rte_pktmbuf_free(c);
		return NULL;
	}
	memcpy(b + HDRS, p, len);
	*cp = b + HDRS;
	return c;
}

static void
fan_out(struct dp_worker *w, struct leg *pub, struct rte_mbuf *m, const uint8_t *p, size_t len,
	bool rtcp)
{
	for (uint32_t i = pub->sub_head; i != NONE; i = T.legs[i].sub_next) {
		struct leg *s = &T.legs[i];
		struct rte_mbuf *c;
		uint8_t *cp;

		if (!s->peer_set || s->tx == NULL) {
			LEG_CNT(s, dropped);
			DP_CNT(w, MEDIA_NO_ROUTE);
			continue;
		}
		c = copy_of(p, len, &cp);
		if (c == NULL) {
			LEG_CNT(s, dropped);
			DP_CNT(w, MEDIA_TX_FAIL);
			continue;
		}
		/* the viewer's own payload type for the codec (RTP ingest) */
		for (unsigned k = 0; !rtcp && k < s->n_pt; k++) {
			if ((cp[1] & 0x7f) == s->pt_from[k]) {
				cp[1] = (uint8_t)((cp[1] & 0x80) | s->pt_to[k]);
				break;
			}
		}
		send_to(w, s, c, cp, len, rtcp);
	}
	rte_pktmbuf_free(m);
}

/* Rate limiter for keyframe requests on media SSRC ssrc toward publisher p. */
static bool
kf_allow(struct leg *p, uint32_t ssrc, uint64_t now)
{
	uint64_t gap = dp.tsc_hz * KF_INTERVAL_MS / 1000;
	struct kf_slot *oldest = &p->kf[0];

	for (unsigned i = 0; i < KF_SLOTS; i++) {
		struct kf_slot *k = &p->kf[i];

		if (k->last != 0 && k->ssrc == ssrc) {
			if (now - k->last < gap)
				return false;
			k->last = now;
			return true;
		}
		if (k->last < oldest->last)
			oldest = k;
	}
	oldest->ssrc = ssrc;
	oldest->last = now;
	return true;
}

/*
 * A subscriber's RTCP compound (plaintext): forward it to the publisher when
 * it carries a PLI or FIR the rate limiter lets through, or a generic NACK
 * (the publisher retransmits, over RTX where negotiated; no packet cache in
 * the dataplane yet), with every sender SSRC replaced by the gateway's;
 * otherwise terminate it. Consumes m.
 */
static void
subscriber_rtcp(struct dp_worker *w, struct leg *s, struct rte_mbuf *m, uint8_t *p, size_t len)
{
	struct leg *pub = s->pub == NONE ? NULL : &T.legs[s->pub];
	uint64_t now = rte_rdtsc();
	bool want = false, limited = false, nack = false;

	/* A walk of our own rather than gw_rtcp_next(): with rtcp-rsize
	 * (RFC 5506) a PLI comes alone, without the leading SR/RR. */
	for (size_t off = 0; pub != NULL && len - off >= GW_RTCP_HDR_MIN;) {
		uint8_t *h = p + off;
		size_t plen = ((size_t)(h[2] << 8 | h[3]) + 1) * 4;
		uint8_t fmt = h[0] & 0x1f;
		const uint8_t *ms = NULL;

		if ((h[0] >> 6) != 2 || plen > len - off)
			break;
		h[4] = (uint8_t)(GW_RTCP_SSRC >> 24);
		h[5] = (uint8_t)(GW_RTCP_SSRC >> 16);
		h[6] = (uint8_t)(GW_RTCP_SSRC >> 8);
		h[7] = (uint8_t)GW_RTCP_SSRC;
		/* PLI: the media source SSRC; FIR: the first FCI entry's SSRC. */
		if (h[1] == GW_RTCP_PSFB && fmt == RTCP_FMT_PLI && plen >= 12)
			ms = h + 8;
		else if (h[1] == GW_RTCP_PSFB && fmt == RTCP_FMT_FIR && plen >= 20)
			ms = h + 12;
		else if (h[1] == GW_RTCP_RTPFB && fmt == RTCP_FMT_NACK && plen >= 16)
			nack = true;
		if (ms != NULL) {
			uint32_t media = (uint32_t)ms[0] << 24 | (uint32_t)ms[1] << 16 |
					 (uint32_t)ms[2] << 8 | ms[3];

			if (kf_allow(pub, media, now))
				want = true;
			else
				limited = true;
		}
		off += plen;
	}
	if (want || nack) {
		if (want) {
			DP_CNT(w, MEDIA_KF_FORWARDED);
			LEG_CNT(s, kf_forwarded);
		}
		if (nack)
			DP_CNT(w, MEDIA_NACK_FORWARDED);
		send_to(w, pub, m, p, len, true);
		return;
	}
	if (limited) {
		DP_CNT(w, MEDIA_KF_LIMITED);
		LEG_CNT(s, kf_limited);
	} else {
		DP_CNT(w, MEDIA_RTCP_TERMINATED);
	}
	rte_pktmbuf_free(m);
}

void
dp_media_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
	       const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	uint8_t *p = (uint8_t *)(uintptr_t)u->payload;
	size_t len = u->payload_len;
	struct leg *l;
	uint32_t i;
	bool rtcp;
	int rc;

	if (unlikely(w->idx != 0 || T.legs == NULL)) {
		DP_CNT(w, MEDIA_NOT_OWNER);
		rte_pktmbuf_free(m);
		return;
	}
	i = u->dport >= T.port_min && u->dport <= T.port_max ? T.by_port[u->dport - T.port_min]
							     : NONE;
	if (unlikely(i == NONE)) {
		DP_CNT(w, MEDIA_NO_LEG);
		rte_pktmbuf_free(m);
		return;
	}
	l = &T.legs[i];
	if (unlikely(l->rx == NULL && !l->plain)) {
		DP_CNT(w, MEDIA_NO_KEYS);
		LEG_CNT(l, dropped);
		rte_pktmbuf_free(m);
		return;
	}
	rtcp = gw_rtp_is_rtcp(p, len);
	if (l->plain)
		rc = len >= (rtcp ? GW_RTCP_HDR_MIN : GW_RTP_HDR_MIN) ? 0 : DP_SRTP_E_MALFORMED;
	else if (rtcp)
		rc = dp_srtp_rtcp_unprotect(l->rx, p, &len);
	else
		rc = dp_srtp_unprotect(l->rx, p, &len);
	if (unlikely(rc != 0)) {
		if (rc == DP_SRTP_E_AUTH) {
			DP_CNT(w, MEDIA_AUTH_FAIL);
			LEG_CNT(l, auth_fail);
		} else if (rc == DP_SRTP_E_REPLAY) {
			DP_CNT(w, MEDIA_REPLAY);
			LEG_CNT(l, replay);
		} else {
			DP_CNT(w, MEDIA_MALFORMED);
			LEG_CNT(l, malformed);
		}
		rte_pktmbuf_free(m);
		return;
	}
	if (rtcp) {
		DP_CNT(w, MEDIA_RTCP_IN);
		LEG_CNT(l, rtcp_in);
	} else {
		DP_CNT(w, MEDIA_RTP_IN);
		LEG_CNT(l, rtp_in);
	}
	LEG_CNT_ADD(l, bytes_in, u->payload_len);
	/* Authenticated: a leg the control plane gave no address yet answers
	 * where its media comes from (the ICE nomination normally sets it). */
	if (unlikely(!l->peer_set || (l->latch && !l->latched))) {
		l->peer_ip = ip->src;
		l->peer_port = u->sport;
		l->pi = (uint8_t)pi;
		l->peer_set = 1;
		l->latched = 1;
	}
	switch (l->rule) {
	case GW_IPC_MEDIA_RULE_ECHO:
		send_to(w, l, m, p, len, rtcp);
		return;
	case GW_IPC_MEDIA_RULE_PUBLISH:
		fan_out(w, l, m, p, len, rtcp);
		return;
	case GW_IPC_MEDIA_RULE_SUBSCRIBE:
		if (rtcp) {
			subscriber_rtcp(w, l, m, p, len);
			return;
		}
		break;
	case GW_IPC_MEDIA_RULE_BRIDGE: {
		uint32_t t = rtcp && l->br_rtcp != NONE ? l->br_rtcp : l->br_rtp;

		if (likely(t != NONE)) {
			send_to(w, &T.legs[t], m, p, len, rtcp);
			return;
		}
		break;
	}
	default:
		break;
	}
	DP_CNT(w, MEDIA_NO_ROUTE);
	rte_pktmbuf_free(m);
}
