#include "dp_media.h"

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_random.h>

#include "be.h"
#include "ct.h"
#include "dp_arp.h"
#include "dp_ctx.h"
#include "dp_frag.h"
#include "dp_ipc.h"
#include "dp_log.h"
#include "dp_ndp.h"
#include "dp_rtcp.h"
#include "dp_srtp.h"
#include "net.h"
#include "net6.h"
#include "rtp.h"

#define NONE           UINT32_MAX
#define HDRS           (GW_ETH_HLEN + GW_IPV4_HLEN + GW_UDP_HLEN)
#define HDRS6          (GW_ETH_HLEN + GW_IPV6_HLEN + GW_UDP_HLEN)
#define KF_SLOTS       8              /* media SSRCs rate-limited per publisher */
#define KF_INTERVAL_MS 500
#define GW_RTCP_SSRC   0x52544347u    /* "RTCG": sender SSRC of forwarded RTCP */
#define RTCP_FMT_PLI   1
#define RTCP_FMT_FIR   4
#define RTCP_FMT_NACK  1              /* RTPFB generic NACK (RFC 4585 §6.2.1) */
#define NACK_RL_SLOTS  16             /* per subscriber: packets recently resent to it */
#define NACK_RESEND_MS 10             /* one resend of a packet per subscriber per 10 ms */
#define SR_SLOTS       8              /* per subscriber: SSRCs counted for its sender reports */

struct kf_slot {
	uint32_t ssrc;
	uint64_t last;                 /* TSC of the last request forwarded */
};

/* What the gateway sent a subscriber of one SSRC (RFC 3550 §6.4.1 sender's
 * packet and octet counts, octets of RTP payload), for that subscriber's copy
 * of the publisher's sender reports. */
struct sr_cnt {
	uint32_t ssrc;
	uint32_t packets;
	uint32_t octets;
};

/* A packet resent to a subscriber, and when: a NACK repeated before the
 * resend could have arrived (Chromium re-asks after about an RTT; a broken
 * or hostile client may ask in a loop) is not answered again at once. */
struct nack_rl {
	uint32_t ssrc;
	uint16_t seq;
	uint64_t at;                   /* TSC, 0: never */
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
	uint8_t src;                   /* SRC_*: what a known peer's leg does with other sources */
	uint8_t n_pt;                  /* GW_IPC_MEDIA_PTMAP pairs in use (0..2) */
	uint8_t pt_from[2], pt_to[2];  /* RTP payload types rewritten toward this leg */
	uint16_t peer_port;
	uint32_t peer_ip;              /* IPv4 peer (peer_v6 0) */
	uint8_t peer_v6;               /* the peer is IPv6: peer_ip6 */
	uint8_t peer_ip6[16];
	struct dp_srtp *rx, *tx;
	uint32_t pub;                  /* SUBSCRIBE: publisher's index */
	uint32_t sub_head;             /* PUBLISH: first subscriber */
	uint32_t sub_next;             /* SUBSCRIBE: next subscriber of the same publisher */
	uint32_t free_next;
	uint32_t br_rtp, br_rtcp;      /* BRIDGE: where RTP / RTCP go (index or NONE) */
	/* BRIDGE of a bundled WebRTC leg (GW_IPC_MEDIA_DEMUX): RTP by payload
	 * type to its m= section's leg, RTCP to every section's */
	uint16_t dmx;                  /* slots set (bit per slot); 0: br_rtp/br_rtcp route */
	uint8_t dmx_pt[128];           /* payload type -> slot + 1, 0: no section */
	uint32_t dmx_rtp[GW_IPC_MEDIA_DEMUX_SLOTS], dmx_rtcp[GW_IPC_MEDIA_DEMUX_SLOTS];
	struct kf_slot kf[KF_SLOTS];
	struct dp_rtcp_pub *rtcp;      /* PUBLISH: packet caches and receiver statistics */
	struct nack_rl nrl[NACK_RL_SLOTS];   /* SUBSCRIBE: recent resends */
	/* SUBSCRIBE with RTX negotiated (GW_IPC_MEDIA_RTX): NACKs for rtx_media
	 * answered as RFC 4588 packets on rtx_ssrc, whose every packet toward
	 * this leg (the gateway's and the publisher's forwarded RTX) takes the
	 * next rtx_seq: one sequence space per viewer, so the viewer's SRTP
	 * index on rtx_ssrc only ever moves forward */
	uint8_t rtx_n;                 /* pairs in rtx_apt/rtx_pt; 0: RTX off */
	uint8_t n_sr;
	uint8_t sr_full;               /* an SSRC found no slot: its SRs keep their counts */
	uint16_t rtx_seq;
	uint8_t rtx_apt[GW_IPC_MEDIA_RTX_PTS], rtx_pt[GW_IPC_MEDIA_RTX_PTS];
	uint32_t rtx_media, rtx_ssrc;
	struct sr_cnt sr[SR_SLOTS];    /* SUBSCRIBE: sent per SSRC, for its sender reports */
	uint64_t cnt[GW_IPC_MEDIA_CNT_MAX];
};

struct media_table {
	struct leg *legs;
	uint32_t *by_port;             /* port - port_min -> leg index or NONE */
	struct dp_srtp_pool *pool;
	uint32_t cap, used, free_head;
	uint16_t port_min, port_max;
	struct rte_ring *handoff;      /* other workers -> worker 0 (MP/SC): its legs' media */
	uint64_t next_rr;              /* TSC of the next round of receiver reports */
	uint32_t n_rtcp;               /* legs with a dp_rtcp state (publishers) */
	uint64_t (*now)(void);         /* the packet path's clock (tests set their own) */
};

#define HANDOFF_SIZE 4096

static struct media_table T;

static uint64_t
tsc_now(void)
{
	return rte_rdtsc();
}

/* The packet path's time: the worker's clock, read once per burst
 * (dp_worker_clock), unless a test set its own (dp_media_clock). */
static inline uint64_t
pkt_now(const struct dp_worker *w)
{
	return T.now == tsc_now ? w->now_tsc : T.now();
}

/* leg.src: a leg whose peer is known takes packets from any source (and
 * sends to its peer), drops the others', or moves its peer to them. */
enum { SRC_ANY = 0, SRC_STRICT, SRC_HANDOVER };

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
	T.now = tsc_now;
	T.next_rr = 0;
	T.n_rtcp = 0;
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
	if (T.handoff != NULL) {
		struct rte_mbuf *m;

		while (rte_ring_sc_dequeue(T.handoff, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(T.handoff);
	}
	rte_free(T.legs);
	rte_free(T.by_port);
	memset(&T, 0, sizeof(T));
}

int
dp_media_steer_create(unsigned n_workers)
{
	if (n_workers < 2)
		return 0;
	/* Multi-producer (every other worker), single consumer (worker 0). */
	T.handoff = rte_ring_create("rtcgw_media_handoff", HANDOFF_SIZE, SOCKET_ID_ANY,
				    RING_F_SC_DEQ);
	return T.handoff == NULL ? -ENOMEM : 0;
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
		for (unsigned k = 0; T.legs[j].dmx != 0 && k < GW_IPC_MEDIA_DEMUX_SLOTS; k++) {
			if (T.legs[j].dmx_rtp[k] == i)
				T.legs[j].dmx_rtp[k] = NONE;
			if (T.legs[j].dmx_rtcp[k] == i)
				T.legs[j].dmx_rtcp[k] = NONE;
		}
	}
}

static void
set_rule_none(struct leg *l)
{
	unsubscribe(l);
	orphan_subscribers(l);
	if (l->rtcp != NULL) {
		dp_rtcp_pub_free(l->rtcp);     /* the cached mbufs go back to the pool */
		l->rtcp = NULL;
		T.n_rtcp--;
	}
	l->br_rtp = l->br_rtcp = NONE;
	l->dmx = 0;
	memset(l->dmx_pt, 0, sizeof(l->dmx_pt));
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
		/* Without the memory the leg still publishes: its subscribers'
		 * NACKs go to it and it gets no receiver reports. */
		if (l->rule == GW_IPC_MEDIA_RULE_PUBLISH && l->rtcp == NULL) {
			if (dp_rtcp_pub_create(&l->rtcp) == 0)
				T.n_rtcp++;
			else
				DP_LOG(WARNING, "media leg %u: no memory for its packet cache",
				       l->leg_id);
		}
		return 0;
	case GW_IPC_MEDIA_RULE_SUBSCRIBE:
		p = find(c->pub_leg_id);
		if (p == NULL || p == l || p->rule != GW_IPC_MEDIA_RULE_PUBLISH)
			return -ENOENT;
		set_rule_none(l);
		l->rule = GW_IPC_MEDIA_RULE_SUBSCRIBE;
		l->n_sr = 0;               /* counts start with this publisher's packets */
		l->sr_full = 0;
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

/* GW_IPC_MEDIA_DEMUX: slot x->slot of a bundled BRIDGE leg. A payload type
 * another slot has is refused (-EEXIST): the control plane refuses such an
 * SDP before, and the packet path must know one section per type. */
static int
leg_demux(struct leg *l, const struct gw_ipc_media_demux *x)
{
	uint8_t tag = (uint8_t)(x->slot + 1);
	struct leg *r = NULL, *c = NULL;

	if (x->slot >= GW_IPC_MEDIA_DEMUX_SLOTS || l->rule != GW_IPC_MEDIA_RULE_BRIDGE)
		return -EINVAL;
	if (x->to_rtp != 0) {
		r = find(x->to_rtp);
		c = x->to_rtcp != 0 ? find(x->to_rtcp) : r;
		if (r == NULL || c == NULL || r == l || c == l)
			return -ENOENT;
		for (unsigned pt = 0; pt < 128; pt++)
			if ((x->pt_mask[pt / 8] >> (pt % 8) & 1) && l->dmx_pt[pt] != 0 &&
			    l->dmx_pt[pt] != tag)
				return -EEXIST;
	}
	for (unsigned pt = 0; pt < 128; pt++)
		if (l->dmx_pt[pt] == tag)
			l->dmx_pt[pt] = 0;
	l->dmx &= (uint16_t)~(1u << x->slot);
	if (r == NULL)
		return 0;
	for (unsigned pt = 0; pt < 128; pt++)
		if (x->pt_mask[pt / 8] >> (pt % 8) & 1)
			l->dmx_pt[pt] = tag;
	l->dmx_rtp[x->slot] = idx_of(r);
	l->dmx_rtcp[x->slot] = idx_of(c);
	l->dmx |= (uint16_t)(1u << x->slot);
	return 0;
}

/* GW_IPC_MEDIA_RTX: the RTX payload types and SSRC this viewer negotiated. */
static int
leg_rtx(struct leg *l, const struct gw_ipc_media_rtx *x)
{
	if (x->n > GW_IPC_MEDIA_RTX_PTS)
		return -EINVAL;
	for (unsigned k = 0; k < x->n; k++)
		if (x->apt[k] > 127 || x->rtx[k] > 127)
			return -EINVAL;
	if (x->n != 0 && (x->rtx_ssrc == 0 || x->rtx_ssrc == x->media_ssrc))
		return -EINVAL;
	/* A new RTX SSRC starts a sequence space at a random point (RFC 3550
	 * §5.1); the same one again keeps counting, so an index is never
	 * reached twice on it. */
	if (x->n != 0 && (l->rtx_n == 0 || l->rtx_ssrc != x->rtx_ssrc))
		l->rtx_seq = (uint16_t)rte_rand();
	memcpy(l->rtx_apt, x->apt, sizeof(l->rtx_apt));
	memcpy(l->rtx_pt, x->rtx, sizeof(l->rtx_pt));
	l->rtx_media = x->media_ssrc;
	l->rtx_ssrc = x->rtx_ssrc;
	l->rtx_n = x->n;
	return 0;
}

static int
media_leg_cmd(struct dp_worker *w, const struct gw_ipc_msg *q)
{
	const struct gw_ipc_media_leg *c = &q->u.media_leg;
	struct leg *l;

	if (c->op == GW_IPC_MEDIA_ADD) {
		int rc = leg_add(c);

		if (rc == 0)
			DP_CNT(w, MEDIA_LEG_ADDED);
		return rc;
	}
	if (c->op == GW_IPC_MEDIA_DEL && c->leg_id == 0) {
		/* every leg (with the id bits asked for): a control plane
		 * attaching afresh knows none of them (or none of the calls') */
		for (uint32_t i = 0; i < T.cap; i++) {
			if (T.legs[i].in_use &&
			    (T.legs[i].leg_id & c->pub_leg_id) == c->pub_leg_id) {
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
		if (c->peer_family == GW_IPC_FAMILY_IPV6) {
			static const uint8_t any[16];

			/* an IPv6 peer needs the port's IPv6 address to send from */
			if (!dp.ports[l->pi].has_ipv6)
				return -EAFNOSUPPORT;
			l->peer_v6 = 1;
			l->peer_ip = 0;
			memcpy(l->peer_ip6, c->peer_ip6, 16);
			l->peer_port = c->peer_port;
			l->peer_set = memcmp(c->peer_ip6, any, 16) != 0 && c->peer_port != 0;
			return 0;
		}
		if (c->peer_family != GW_IPC_FAMILY_IPV4)
			return -EINVAL;
		l->peer_v6 = 0;
		l->peer_ip = c->peer_ip;
		l->peer_port = c->peer_port;
		l->peer_set = c->peer_ip != 0 && c->peer_port != 0;
		return 0;
	case GW_IPC_MEDIA_RULE:
		return leg_rule(l, c);
	case GW_IPC_MEDIA_MODE:
		if (c->rule & ~(GW_IPC_MEDIA_F_PLAIN | GW_IPC_MEDIA_F_LATCH |
				GW_IPC_MEDIA_F_STRICT | GW_IPC_MEDIA_F_HANDOVER))
			return -EINVAL;
		l->plain = (c->rule & GW_IPC_MEDIA_F_PLAIN) != 0;
		l->latch = (c->rule & GW_IPC_MEDIA_F_LATCH) != 0;
		l->latched = 0;
		/* strict wins over handover, as in rtpengine's kernel module */
		l->src = (c->rule & GW_IPC_MEDIA_F_STRICT)     ? SRC_STRICT
			 : (c->rule & GW_IPC_MEDIA_F_HANDOVER) ? SRC_HANDOVER
							       : SRC_ANY;
		return 0;
	case GW_IPC_MEDIA_PTMAP:
		return leg_ptmap(l, c->pub_leg_id);
	case GW_IPC_MEDIA_RTX:
		return leg_rtx(l, &q->u.media_rtx);
	case GW_IPC_MEDIA_DEMUX:
		return leg_demux(l, &q->u.media_demux);
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
				struct gw_ipc_msg more;

				/* two events: the counters outgrew one message */
				m.u.media_evt.has_rx = l->rx != NULL;
				m.u.media_evt.has_tx = l->tx != NULL;
				more = m;
				memcpy(m.u.media_evt.cnt, l->cnt, sizeof(m.u.media_evt.cnt));
				more.u.media_evt.op = GW_IPC_MEDIA_STATS_MORE;
				memcpy(more.u.media_evt.cnt, l->cnt + GW_IPC_MEDIA_CNT_PER_MSG,
				       sizeof(l->cnt) - GW_IPC_MEDIA_CNT_PER_MSG * sizeof(l->cnt[0]));
				more.status = 0;
				dp_ipc_event(w, &m);
				m = more;
			}
		} else {
			rc = media_leg_cmd(w, q);
		}
	}
	if (rc != 0)
		DP_CNT(w, MEDIA_CMD_FAILED);
	m.status = rc;
	dp_ipc_event(w, &m);
}

/* ---- packets (worker 0) ------------------------------------------------------ */

static inline void
count_out(struct dp_worker *w, struct leg *l, size_t len, bool rtcp)
{
	DP_CNT(w, MEDIA_OUT);
	if (rtcp)
		LEG_CNT(l, rtcp_out);
	else
		LEG_CNT(l, rtp_out);
	LEG_CNT_ADD(l, bytes_out, len);
}

/*
 * A datagram over the port's MTU, its headers written: in fragments, as a
 * kernel socket (rtpengine's, Janus's) would send it. It comes to that when
 * protecting grew a packet that arrived at the MTU (a SIP party's or an
 * ingest's RTP, plus the SRTP tag); the receiver's stack reassembles.
 * Consumes m.
 */
static void __rte_noinline
xmit_frag(struct dp_worker *w, struct leg *l, struct rte_mbuf *m, size_t len, bool rtcp)
{
	if ((l->peer_v6 ? dp_frag_send6(w, l->pi, m, l->peer_ip6) :
			  dp_frag_send(w, l->pi, m, l->peer_ip)) == 0) {
		count_out(w, l, len, rtcp);
		return;
	}
	DP_CNT(w, MEDIA_TX_FAIL);
	LEG_CNT(l, dropped);
}

/*
 * xmit() to an IPv6 peer: UDP/IPv6 headers (HDRS6, 20 bytes more than
 * IPv4's: they reach into the headroom when the packet came over IPv4) in
 * front of the packet at p, the UDP checksum (mandatory over IPv6) in
 * software, the NDP/TX end. Consumes m.
 */
static void __rte_noinline
xmit6(struct dp_worker *w, struct leg *l, struct rte_mbuf *m, uint8_t *p, size_t len,
      bool rtcp)
{
	const struct dp_port *port = &dp.ports[l->pi];
	uint8_t *frame = p - HDRS6;

	if (unlikely(!port->has_ipv6 || frame < (uint8_t *)m->buf_addr ||
		     GW_UDP_HLEN + len > 0xffff)) {
		DP_CNT(w, MEDIA_TX_FAIL);
		LEG_CNT(l, dropped);
		rte_pktmbuf_free(m);
		return;
	}
	m->data_off = (uint16_t)(frame - (uint8_t *)m->buf_addr);
	m->data_len = (uint16_t)(HDRS6 + len);
	m->pkt_len = m->data_len;
	m->ol_flags = 0;
	gw_ipv6_encode(frame + GW_ETH_HLEN, port->ipv6, l->peer_ip6, GW_IPPROTO_UDP, 64,
		       (uint16_t)(GW_UDP_HLEN + len));
	gw_udp6_encode(frame + GW_ETH_HLEN + GW_IPV6_HLEN, port->ipv6, l->peer_ip6, l->port,
		       l->peer_port, (uint16_t)len);
	if (unlikely(GW_IPV6_HLEN + GW_UDP_HLEN + len > port->mtu)) {
		xmit_frag(w, l, m, len, rtcp);
		return;
	}
	count_out(w, l, len, rtcp);
	dp_ndp_send_ip6(w, l->pi, m, l->peer_ip6);
}

/*
 * Send the protected packet at p (len bytes, inside m's single segment, the
 * headers' room in front of it) to l's peer: UDP/IPv4 headers in front of it,
 * counters, the ARP/TX end; an IPv6 peer's through xmit6. Consumes m.
 */
static void
xmit(struct dp_worker *w, struct leg *l, struct rte_mbuf *m, uint8_t *p, size_t len,
     bool rtcp)
{
	uint8_t *frame = p - HDRS;

	if (unlikely(l->peer_v6)) {
		xmit6(w, l, m, p, len, rtcp);
		return;
	}
	if (unlikely(GW_IPV4_HLEN + GW_UDP_HLEN + len > 0xffff)) {
		DP_CNT(w, MEDIA_TX_FAIL);
		LEG_CNT(l, dropped);
		rte_pktmbuf_free(m);
		return;
	}
	m->data_off = (uint16_t)(frame - (uint8_t *)m->buf_addr);
	m->data_len = (uint16_t)(HDRS + len);
	m->pkt_len = m->data_len;
	m->ol_flags = 0;
	gw_udp4_encode(frame + GW_ETH_HLEN + GW_IPV4_HLEN, dp.ports[l->pi].ipv4, l->peer_ip,
		       l->port, l->peer_port, (uint16_t)len);
	gw_ipv4_encode(frame + GW_ETH_HLEN, dp.ports[l->pi].ipv4, l->peer_ip, GW_IPPROTO_UDP, 64,
		       (uint16_t)(GW_UDP_HLEN + len), w->ip_id++);
	if (unlikely(GW_IPV4_HLEN + GW_UDP_HLEN + len > dp.ports[l->pi].mtu)) {
		xmit_frag(w, l, m, len, rtcp);
		return;
	}
	count_out(w, l, len, rtcp);
	dp_arp_send_ip(w, l->pi, m, l->peer_ip);
}

/*
 * Protect the plaintext RTP/RTCP packet at p (len bytes, inside m's single
 * segment, at least HDRS bytes after the buffer start) with l's send keys and
 * send it to l's peer. Consumes m.
 */
static void
send_to(struct dp_worker *w, struct leg *l, struct rte_mbuf *m, uint8_t *p, size_t len,
	bool rtcp)
{
	uint8_t *buf = (uint8_t *)m->buf_addr;
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
	if (unlikely(rc != 0)) {
		DP_CNT(w, MEDIA_TX_FAIL);
		LEG_CNT(l, dropped);
		rte_pktmbuf_free(m);
		return;
	}
	xmit(w, l, m, p, len, rtcp);
}

/*
 * Protect the plaintext at p (len bytes; only read) for subscriber l straight
 * into the fresh mbuf c, behind room for the headers: one pass writes the
 * viewer's packet (dp_srtp_protect_to), no copy of the plaintext first.
 * Consumes c.
 */
static void
send_protected_to(struct dp_worker *w, struct leg *l, struct rte_mbuf *c, const uint8_t *p,
		  size_t len, bool rtcp)
{
	uint8_t *dst = rte_pktmbuf_mtod(c, uint8_t *) + (l->peer_v6 ? HDRS6 : HDRS);
	size_t cap = (size_t)((uint8_t *)c->buf_addr + c->buf_len - dst), out;
	int rc;

	rc = rtcp ? dp_srtp_rtcp_protect_to(l->tx, p, len, dst, cap, &out)
		  : dp_srtp_protect_to(l->tx, p, len, dst, cap, &out);
	if (unlikely(rc != 0)) {
		DP_CNT(w, MEDIA_TX_FAIL);
		LEG_CNT(l, dropped);
		rte_pktmbuf_free(c);
		return;
	}
	xmit(w, l, c, dst, out, rtcp);
}

/*
 * send_to for a packet resent from the publisher's cache. again: the same
 * SSRC and sequence number as the original, protected with
 * dp_srtp_protect_again (the subscriber's send context already used that
 * index for these very bytes; its receiver never got them, so its replay
 * window accepts them); otherwise an RTX packet under a new index of its RTX
 * stream (an ordinary protect, which refuses an index used before).
 * Consumes m.
 * @return true when sent.
 */
static bool
resend_to(struct dp_worker *w, struct leg *l, struct rte_mbuf *m, uint8_t *p, size_t len,
	  bool again)
{
	uint8_t *buf = (uint8_t *)m->buf_addr;
	size_t cap = (size_t)(buf + m->buf_len - p);
	int rc = l->plain ? 0 : l->tx == NULL ? -EINVAL
		 : again ? dp_srtp_protect_again(l->tx, p, &len, cap)
			 : dp_srtp_protect(l->tx, p, &len, cap);

	if (unlikely(!l->peer_set || rc != 0)) {
		DP_CNT(w, MEDIA_TX_FAIL);
		rte_pktmbuf_free(m);
		return false;
	}
	xmit(w, l, m, p, len, false);
	return true;
}

/* The viewer's own payload type for the codec (RTP ingest's PTMAP), in the
 * plaintext RTP header at rtp, marker bit kept. */
static inline void
pt_rewrite(const struct leg *s, uint8_t *rtp)
{
	for (unsigned k = 0; k < s->n_pt; k++) {
		if ((rtp[1] & 0x7f) == s->pt_from[k]) {
			rtp[1] = (uint8_t)((rtp[1] & 0x80) | s->pt_to[k]);
			return;
		}
	}
}

/* The viewer's own payload type for payload type pt (pt_rewrite's map). */
static inline uint8_t
pt_of(const struct leg *s, uint8_t pt)
{
	for (unsigned k = 0; k < s->n_pt; k++)
		if (pt == s->pt_from[k])
			return s->pt_to[k];
	return pt;
}

/* The RTX payload type s negotiated for its payload type pt, or -1. */
static int
rtx_pt_of(const struct leg *s, uint8_t pt)
{
	for (unsigned k = 0; k < s->rtx_n; k++)
		if (s->rtx_apt[k] == pt)
			return s->rtx_pt[k];
	return -1;
}

/* RTP payload octets of the packet at p (RFC 3550 §6.4.1: header and
 * padding not counted). */
static inline uint32_t
payload_octets(const uint8_t *p, size_t len)
{
	int h = gw_rtp_hdr_len(p, len);
	size_t pad;

	if (unlikely(h < 0))
		return 0;
	pad = (p[0] & 0x20) && len > (size_t)h ? p[len - 1] : 0;
	return pad <= len - (size_t)h ? (uint32_t)(len - (size_t)h - pad) : 0;
}

/* One more packet of ssrc (octets of payload) sent to subscriber s. */
static inline void
sr_count(struct leg *s, uint32_t ssrc, uint32_t octets)
{
	unsigned k;

	for (k = 0; k < s->n_sr; k++) {
		if (s->sr[k].ssrc == ssrc) {
			s->sr[k].packets++;
			s->sr[k].octets += octets;   /* modulo 2^32, as the SR field */
			return;
		}
	}
	if (unlikely(k == SR_SLOTS)) {
		s->sr_full = 1;
		return;
	}
	s->sr[k].ssrc = ssrc;
	s->sr[k].packets = 1;
	s->sr[k].octets = octets;
	s->n_sr++;
}

/* gw_rtcp_sr_counts_fn for subscriber arg: what it was sent of ssrc (none:
 * 0 and 0), unless an SSRC went uncounted for want of a slot. */
static bool
sr_counts(void *arg, uint32_t ssrc, uint32_t *packets, uint32_t *octets)
{
	const struct leg *s = arg;

	for (unsigned k = 0; k < s->n_sr; k++) {
		if (s->sr[k].ssrc == ssrc) {
			*packets = s->sr[k].packets;
			*octets = s->sr[k].octets;
			return true;
		}
	}
	if (s->sr_full)
		return false;
	*packets = *octets = 0;
	return true;
}

/* Whether the RTCP compound at p holds a sender report (the walk stops at
 * anything malformed, as gw_rtcp_sr_rewrite's does). */
static bool
has_sr(const uint8_t *p, size_t len)
{
	for (size_t off = 0; len - off >= GW_RTCP_HDR_MIN;) {
		size_t plen = ((size_t)gw_get16(p + off + 2) + 1) * 4;

		if ((p[off] >> 6) != 2 || plen > len - off)
			return false;
		if (p[off + 1] == GW_RTCP_SR)
			return true;
		off += plen;
	}
	return false;
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

/*
 * One publisher packet (plaintext at p, inside m) to every subscriber, each
 * under its own keys: SRTP output differs per viewer, so each gets an mbuf of
 * its own, written once by an out-of-place protect (no copy of the plaintext
 * first). The plaintext is never written to: it may outlive this call (a
 * retransmission cache). One rte_pktmbuf_alloc per viewer: taking them
 * rte_pktmbuf_alloc_bulk 32 at a time measured the same (bench_media, and
 * callgrind: one instruction per viewer less); the mempool cache already
 * refills from its ring in bulk. Consumes m.
 */
static void
fan_out(struct dp_worker *w, struct leg *pub, struct rte_mbuf *m, const uint8_t *p, size_t len,
	bool rtcp)
{
	uint32_t ssrc = 0, octets = 0;
	bool sr = false;

	/* once per packet, not per viewer: what the viewers' sender report
	 * counts need, and whether the RTCP carries a sender report */
	if (rtcp) {
		sr = has_sr(p, len);
	} else {
		ssrc = gw_get32(p + 8);
		octets = payload_octets(p, len);
	}
	for (uint32_t i = pub->sub_head; i != NONE; i = T.legs[i].sub_next) {
		struct leg *s = &T.legs[i];
		struct rte_mbuf *c;

		if (!s->peer_set || s->tx == NULL) {
			LEG_CNT(s, dropped);
			DP_CNT(w, MEDIA_NO_ROUTE);
			continue;
		}
		if (!rtcp)
			sr_count(s, ssrc, octets);
		if (unlikely(rtcp ? sr : s->n_pt != 0 || (s->rtx_n != 0 && ssrc == s->rtx_ssrc))) {
			/* This viewer's copy differs from the publisher's bytes:
			 * RTP ingest's payload types (the viewer's own for the
			 * codec), the publisher's RTX renumbered into the viewer's
			 * RTX sequence space, or a sender report carrying the
			 * viewer's own counts. The header is authenticated, so the
			 * viewer gets a copy rewritten before an in-place protect;
			 * the others take the one-pass out-of-place protect below. */
			uint8_t *cp;
			size_t n = len;

			c = copy_of(p, len, &cp);
			if (c == NULL) {
				LEG_CNT(s, dropped);
				DP_CNT(w, MEDIA_TX_FAIL);
				continue;
			}
			if (rtcp) {
				n = gw_rtcp_sr_rewrite(cp, len, sr_counts, s);
			} else {
				pt_rewrite(s, cp);
				if (s->rtx_n != 0 && ssrc == s->rtx_ssrc)
					gw_put16(cp + 2, s->rtx_seq++);
			}
			send_to(w, s, c, cp, n, rtcp);
			continue;
		}
		c = rte_pktmbuf_alloc(dp.pool);
		if (c == NULL) {
			LEG_CNT(s, dropped);
			DP_CNT(w, MEDIA_TX_FAIL);
			continue;
		}
		send_protected_to(w, s, c, p, len, rtcp);
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

/* May seq of media go to subscriber s again (NACK_RESEND_MS)? Records it. */
static bool
nack_rl_allow(struct leg *s, uint32_t media, uint16_t seq, uint64_t now)
{
	struct nack_rl *e = &s->nrl[(seq ^ media) & (NACK_RL_SLOTS - 1)];

	if (e->at != 0 && e->ssrc == media && e->seq == seq &&
	    now - e->at < dp.tsc_hz / 1000 * NACK_RESEND_MS)
		return false;
	e->ssrc = media;
	e->seq = seq;
	e->at = now;
	return true;
}

/*
 * The cached packet at cp (clen bytes) as an RFC 4588 RTX packet to s, when
 * s negotiated RTX for its stream and payload type: the next sequence number
 * of s's RTX space, a fresh SRTP index (an ordinary protect).
 * @return 1 sent; 0 protect or send failed (counted); -1 not an RTX case,
 *         or no mbuf for it (the caller resends in-stream or asks).
 */
static int
rtx_resend(struct dp_worker *w, struct leg *s, uint32_t media, const uint8_t *cp, size_t clen)
{
	struct rte_mbuf *c;
	uint8_t *b;
	int pt, n;

	if (s->rtx_n == 0 || media != s->rtx_media ||
	    (pt = rtx_pt_of(s, pt_of(s, cp[1] & 0x7f))) < 0)
		return -1;
	c = rte_pktmbuf_alloc(dp.pool);
	b = c == NULL ? NULL : (uint8_t *)rte_pktmbuf_append(c, (uint16_t)(HDRS + clen + 2));
	if (b == NULL || rte_pktmbuf_tailroom(c) < DP_SRTP_MAX_OVERHEAD ||
	    (n = gw_rtp_rtx_encode(b + HDRS, clen + 2, cp, clen, (uint8_t)pt, s->rtx_ssrc,
				   s->rtx_seq)) < 0) {
		rte_pktmbuf_free(c);    /* the in-stream resend tries (and counts) */
		return -1;
	}
	s->rtx_seq++;
	sr_count(s, s->rtx_ssrc, payload_octets(b + HDRS, (size_t)n));
	if (!resend_to(w, s, c, b + HDRS, (size_t)n, false))
		return 0;
	DP_CNT(w, MEDIA_NACK_RTX);
	LEG_CNT(s, nack_rtx);
	return 1;
}

/* One NACKed packet: resent to s from the cache (1), not resent because it
 * was moments ago or cannot be (0), or not cached (-1: the publisher is
 * asked). */
static int
nack_one(struct dp_worker *w, struct leg *s, struct leg *pub, uint32_t media, uint16_t seq,
	 uint64_t now)
{
	const uint8_t *cp;
	uint8_t *dst;
	size_t clen;
	struct rte_mbuf *c;
	int rc;

	DP_CNT(w, MEDIA_NACK_RECEIVED);
	LEG_CNT(s, nack_received);
	/* A NACK for s's RTX stream names sequence numbers of s's own space,
	 * which neither the cache (the publisher's numbers) nor the publisher
	 * knows: not answered (browsers do not NACK RTX streams). */
	if (unlikely(s->rtx_n != 0 && media == s->rtx_ssrc))
		return 0;
	if (!dp_rtcp_cache_find(pub->rtcp, media, seq, &cp, &clen)) {
		DP_CNT(w, MEDIA_NACK_MISSED);
		LEG_CNT(s, nack_missed);
		return -1;
	}
	if (!nack_rl_allow(s, media, seq, now)) {
		DP_CNT(w, MEDIA_NACK_LIMITED);
		return 0;
	}
	rc = rtx_resend(w, s, media, cp, clen);
	if (rc >= 0) {
		if (rc > 0) {
			DP_CNT(w, MEDIA_NACK_ANSWERED);
			LEG_CNT(s, nack_answered);
		}
		return 1;
	}
	c = copy_of(cp, clen, &dst);
	if (c == NULL) {
		DP_CNT(w, MEDIA_TX_FAIL);
		DP_CNT(w, MEDIA_NACK_MISSED);
		LEG_CNT(s, nack_missed);
		return -1;
	}
	/* the bytes this viewer was sent under that index: its payload type too
	 * (protect_again must see exactly those, or a nonce would meet new data) */
	pt_rewrite(s, dst);
	if (resend_to(w, s, c, dst, clen, true)) {
		DP_CNT(w, MEDIA_NACK_ANSWERED);
		LEG_CNT(s, nack_answered);
	}
	return 1;
}

/*
 * A generic NACK (RFC 4585 §6.2.1) of subscriber s at h (plen bytes, at least
 * one FCI entry): every packet asked for that the publisher's cache holds is
 * resent to s: as an RTX packet where s negotiated RTX for the stream
 * (rtx_resend), else in its own stream, same SSRC and sequence number (see
 * resend_to). The FCI is
 * rewritten in place to the packets not cached, each entry becoming one entry
 * (its missing packets fit a PID + BLP again).
 * @return the packet's new length: 12 when nothing is left to ask.
 */
static size_t
nack_answer(struct dp_worker *w, struct leg *s, struct leg *pub, uint8_t *h, size_t plen,
	    uint64_t now)
{
	uint32_t media = (uint32_t)h[8] << 24 | (uint32_t)h[9] << 16 | (uint32_t)h[10] << 8 | h[11];
	uint8_t *out = h + 12;

	for (size_t e = 12; e + 4 <= plen; e += 4) {
		uint16_t pid = (uint16_t)(h[e] << 8 | h[e + 1]);
		uint16_t blp = (uint16_t)(h[e + 2] << 8 | h[e + 3]), first = 0, miss = 0;
		bool any = false;

		for (unsigned b = 0; b <= 16; b++) {
			uint16_t seq = (uint16_t)(pid + b);

			if (b > 0 && !((blp >> (b - 1)) & 1))
				continue;
			if (nack_one(w, s, pub, media, seq, now) >= 0)
				continue;
			if (!any) {
				first = seq;
				any = true;
			} else {
				miss |= (uint16_t)(1u << ((uint16_t)(seq - first) - 1));
			}
		}
		if (any) {         /* out never passes e: written after e was read */
			out[0] = (uint8_t)(first >> 8);
			out[1] = (uint8_t)first;
			out[2] = (uint8_t)(miss >> 8);
			out[3] = (uint8_t)miss;
			out += 4;
		}
	}
	return (size_t)(out - h);
}

/*
 * A subscriber's RTCP compound (plaintext): generic NACKs are answered from
 * the publisher's packet cache (nack_answer) and only what is not cached is
 * asked of the publisher; the compound goes on to the publisher when it
 * still carries a NACK, or a PLI or FIR the rate limiter lets through, with
 * every sender SSRC replaced by the gateway's; otherwise it is terminated
 * (receiver reports included: the gateway reports to the publisher itself,
 * dp_media_tick). Consumes m.
 */
static void
subscriber_rtcp(struct dp_worker *w, struct leg *s, struct rte_mbuf *m, uint8_t *p, size_t len)
{
	struct leg *pub = s->pub == NONE ? NULL : &T.legs[s->pub];
	uint64_t now = pkt_now(w);
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
		else if (h[1] == GW_RTCP_RTPFB && fmt == RTCP_FMT_NACK && plen >= 16) {
			size_t keep = pub->rtcp == NULL ? plen : nack_answer(w, s, pub, h, plen, now);

			/* close the gap the answered entries left, or take the
			 * whole packet out when nothing is left to ask */
			if (keep == 12)
				keep = 0;
			memmove(h + keep, h + plen, len - off - plen);
			len -= plen - keep;
			if (keep == 0)
				continue;
			plen = keep;
			h[2] = (uint8_t)((plen / 4 - 1) >> 8);
			h[3] = (uint8_t)(plen / 4 - 1);
			nack = true;
		}
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

/*
 * A bundled WebRTC leg's packet (plaintext at p, inside m) to its m=
 * section: RTP by payload type (the sections' types are disjoint: the
 * control plane refuses an SDP where they are not). RTCP goes to every
 * section, a copy each but the last: a compound packet reports on several
 * of the party's streams (SSRCs of more than one section), and an RTP
 * endpoint ignores report blocks about SSRCs it does not send (RFC 3550
 * §6.4), so splitting it by SSRC is not worth per-SSRC state. Consumes m.
 */
static void __rte_noinline
bundle_out(struct dp_worker *w, struct leg *l, struct rte_mbuf *m, uint8_t *p, size_t len,
	   bool rtcp)
{
	uint32_t last = NONE;

	if (!rtcp) {
		uint8_t s = l->dmx_pt[p[1] & 0x7f];

		last = s != 0 ? l->dmx_rtp[s - 1] : NONE;
		if (unlikely(last == NONE)) {
			DP_CNT(w, MEDIA_NO_ROUTE);
			LEG_CNT(l, dropped);
			rte_pktmbuf_free(m);
			return;
		}
		send_to(w, &T.legs[last], m, p, len, false);
		return;
	}
	for (unsigned s = 0; s < GW_IPC_MEDIA_DEMUX_SLOTS; s++) {
		struct rte_mbuf *c;
		uint8_t *cp;

		if (!(l->dmx >> s & 1) || l->dmx_rtcp[s] == NONE)
			continue;
		if (last != NONE) {
			c = copy_of(p, len, &cp);
			if (c != NULL)
				send_to(w, &T.legs[last], c, cp, len, true);
			else
				DP_CNT(w, MEDIA_TX_FAIL);
		}
		last = l->dmx_rtcp[s];
	}
	if (unlikely(last == NONE)) {
		DP_CNT(w, MEDIA_NO_ROUTE);
		LEG_CNT(l, dropped);
		rte_pktmbuf_free(m);
		return;
	}
	send_to(w, &T.legs[last], m, p, len, true);
}

/* Whether a datagram from src4/src6 (as media_in has them), sport comes from l's peer. */
static __rte_always_inline bool
from_peer(const struct leg *l, uint32_t src4, const uint8_t *src6, uint16_t sport)
{
	if (l->peer_port != sport)
		return false;
	if (src6 != NULL)
		return l->peer_v6 && memcmp(l->peer_ip6, src6, 16) == 0;
	return !l->peer_v6 && l->peer_ip == src4;
}

/*
 * One datagram of either family: src4 (IPv4, src6 NULL) or src6 (IPv6) is
 * its source. Inlined into both entries, so the IPv4 path keeps no IPv6
 * test but the constant one the compiler folds.
 */
static __rte_always_inline void
media_in(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, uint32_t src4,
	 const uint8_t *src6, const struct gw_udp_view *u)
{
	uint8_t *p = (uint8_t *)(uintptr_t)u->payload;
	size_t len = u->payload_len;
	struct leg *l;
	uint32_t i;
	bool rtcp, moved = false;
	int rc;

	if (unlikely(w->idx != 0 || T.legs == NULL)) {
		/* RSS put it on another worker: hand it to worker 0, which owns
		 * every leg and its SRTP contexts (replay windows and rollover
		 * counters are per leg, so one lcore must see all of its packets).
		 * A reassembled (chained) datagram would need its views rebuilt
		 * across segments: not worth it for media, which fits the MTU. */
		if (T.handoff != NULL && rte_pktmbuf_is_contiguous(m) &&
		    rte_ring_mp_enqueue(T.handoff, m) == 0) {
			DP_CNT(w, MEDIA_STEERED);
			return;
		}
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
	/* A known peer (not one still to latch) and another source: strict
	 * drops it before it costs an SRTP check or touches the replay window;
	 * handover moves the peer, but only once the packet authenticates. */
	if (unlikely(l->src != SRC_ANY) && l->peer_set && !(l->latch && !l->latched) &&
	    !from_peer(l, src4, src6, u->sport)) {
		if (l->src == SRC_STRICT) {
			DP_CNT(w, MEDIA_SRC_MISMATCH);
			LEG_CNT(l, src_mismatch);
			rte_pktmbuf_free(m);
			return;
		}
		moved = true;
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
	if (unlikely(!l->peer_set || (l->latch && !l->latched) || moved)) {
		if (moved) {
			DP_CNT(w, MEDIA_HANDOVER);
			LEG_CNT(l, handover);
		}
		if (src6 != NULL) {
			l->peer_v6 = 1;
			memcpy(l->peer_ip6, src6, 16);
			l->peer_ip = 0;
		} else {
			l->peer_v6 = 0;
			l->peer_ip = src4;
		}
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
		if (l->rtcp != NULL) {
			/* receiver statistics, and a reference to m for the
			 * packet cache: m's plaintext stays as it is (fan_out
			 * sends copies), so a NACK later resends these bytes */
			if (rtcp)
				dp_rtcp_rtcp_in(l->rtcp, p, len, pkt_now(w));
			else
				dp_rtcp_rtp_in(l->rtcp, m, p, len, pkt_now(w));
		}
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

		if (unlikely(l->dmx != 0)) {
			bundle_out(w, l, m, p, len, rtcp);
			return;
		}

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

void
dp_media_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
	       const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	media_in(w, pi, m, ip->src, NULL, u);
}

void
dp_media6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		const struct gw_ipv6_view *ip, const struct gw_udp_view *u)
{
	media_in(w, pi, m, 0, ip->src, u);
}

/* A handed-over IPv6 datagram: its views rebuilt as dp_media_poll does for
 * IPv4 (the sending worker verified the checksum). Consumes m. */
static void
poll6(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const struct gw_eth_view *e)
{
	struct gw_ipv6_view ip;
	struct gw_udp_view u;

	if (gw_ipv6_parse(&ip, e->payload, (uint16_t)e->payload_len) != 0 ||
	    ip.proto != GW_IPPROTO_UDP || gw_udp6_parse(&u, &ip, GW_NET_CKSUM_VERIFIED) != 0) {
		DP_CNT(w, MEDIA_MALFORMED);
		rte_pktmbuf_free(m);
		return;
	}
	dp_media6_input(w, pi, m, &ip, &u);
}

unsigned
dp_media_poll(struct dp_worker *w)
{
	struct rte_mbuf *ms[32];
	unsigned n;

	if (w->idx != 0 || T.handoff == NULL)
		return 0;
	n = rte_ring_sc_dequeue_burst(T.handoff, (void **)ms, RTE_DIM(ms), NULL);
	for (unsigned k = 0; k < n; k++) {
		struct rte_mbuf *m = ms[k];
		struct gw_eth_view e;
		struct gw_ipv4_view ip;
		struct gw_udp_view u;
		unsigned pi = 0;

		/* The sending worker classified it already (checksums included):
		 * rebuild the views, which point into the frame. */
		while (pi < dp.n_ports && dp.ports[pi].port_id != m->port)
			pi++;
		if (unlikely(pi == dp.n_ports ||
			     gw_eth_parse(&e, rte_pktmbuf_mtod(m, const uint8_t *),
					  rte_pktmbuf_data_len(m)) != 0)) {
			DP_CNT(w, MEDIA_MALFORMED);
			rte_pktmbuf_free(m);
			continue;
		}
		if (e.ethertype == GW_ETHERTYPE_IPV6) {
			poll6(w, pi, m, &e);
			continue;
		}
		if (unlikely(e.ethertype != GW_ETHERTYPE_IPV4 ||
			     gw_ipv4_parse_opt(&ip, e.payload, e.payload_len,
					       GW_NET_CKSUM_VERIFIED) != 0 ||
			     gw_udp_parse_opt(&u, &ip, GW_NET_CKSUM_VERIFIED) != 0)) {
			DP_CNT(w, MEDIA_MALFORMED);
			rte_pktmbuf_free(m);
			continue;
		}
		dp_media_input(w, pi, m, &ip, &u);
	}
	return n;
}

/* ---- the gateway's own reports (worker 0's timer) ------------------------------ */

/*
 * Receiver reports to every publisher with a stream heard (RFC 3550 §6.4.2),
 * one round per 0.5-1.5 s (the interval randomised as §6.3.1 does, so many
 * gateways' reports do not synchronise), sender SSRC GW_RTCP_SSRC, as SRTCP
 * under the publisher leg's send keys (the same context that carries the
 * subscribers' PLI/FIR/NACK to it). The subscribers' own receiver reports are
 * terminated (subscriber_rtcp): each describes one leg only, and the
 * publisher's congestion control must see what reaches the gateway.
 *
 * Subscribers get the publisher's SRs as the gateway's own (fan_out): the
 * publisher's NTP/RTP timestamp pair, which lip sync needs exact and the
 * gateway (an RTP translator, RFC 3550 §7.1, keeping SSRCs, sequence numbers
 * and timestamps) has no better value for, with the packet and octet counts
 * of what that subscriber was sent (a late joiner's own), and no report
 * blocks (they describe what the publisher received from the gateway).
 */
void
dp_media_tick(struct dp_worker *w, uint64_t now)
{
	uint8_t rr[DP_RTCP_RR_MAX];
	uint32_t seen = 0;

	if (w->idx != 0 || T.legs == NULL || now < T.next_rr)
		return;
	T.next_rr = now + dp.tsc_hz / 2 + rte_rand_max(dp.tsc_hz);
	/* a walk of the table, once a second, that stops at the last publisher */
	for (uint32_t i = 0; i < T.cap && seen < T.n_rtcp; i++) {
		struct leg *l = &T.legs[i];
		struct rte_mbuf *c;
		uint8_t *cp;
		size_t n;

		if (!l->in_use || l->rtcp == NULL)
			continue;
		seen++;
		n = dp_rtcp_rr_build(l->rtcp, GW_RTCP_SSRC, rr, now);
		if (n == 0 || !l->peer_set || (l->tx == NULL && !l->plain))
			continue;
		c = copy_of(rr, n, &cp);
		if (c == NULL) {
			DP_CNT(w, MEDIA_TX_FAIL);
			continue;
		}
		DP_CNT(w, MEDIA_RR_SENT);
		send_to(w, l, c, cp, n, true);
	}
}

void
dp_media_clock(uint64_t (*now)(void))
{
	T.now = now != NULL ? now : tsc_now;
}
