/*
 * test_media: the dataplane's media legs (dataplane/media/dp_media.c) on a
 * real EAL (--no-huge, no ports) with real SRTP contexts on both sides: the
 * "browser" end of every leg is a pair of dp_srtp contexts of the test's own
 * pool keyed with the leg's keys mirrored, so every packet the dataplane
 * sends is checked by unprotecting it as the browser would.
 *
 * Covered: leg commands over the IPC command messages (and the refusals),
 * echo of SRTP and SRTCP, fan-out from one publisher to three subscribers
 * each with its own keys, a subscriber's PLI reaching the publisher once per
 * 500 ms with the sender SSRC rewritten, replayed and tampered packets
 * dropped and counted, and deletes returning every leg, SRTP context and
 * mbuf; IPv6 peers (echo, latching, fan-out across the families, a
 * viewer's PLI to an IPv6 publisher) sent as UDP/IPv6 with a valid checksum;
 * packets the SRTP tag pushes over the MTU sent in fragments (IPv4, IPv6).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <rte_malloc.h>
#include <rte_mempool.h>

#define DP_HARNESS_NDP     /* dp_ndp.c is not linked: capture IPv6 too */
#include "dp_harness.h"
#include "dp_frag.h"
#include "dp_ipc.h"
#include "dp_media.h"
#include "dp_rtcp.h"
#include "dp_srtp.h"
#include "gw_config.h"
#include "net6.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define GW      IP(198, 18, 4, 2)
#define PEER(n) IP(198, 18, 4, 10 + (n))
#define PORT0   40000
#define N_MBUFS 2047
#define CACHE_MBUFS 1024                    /* dp_rtcp_budget: room for 512 + eviction */

static struct gw_config conf;
static struct dp_worker *w0, *w1;
static struct rte_mempool *pool;
static struct dp_srtp_pool *bpool;          /* the browsers' contexts */
static struct gw_ipc_msg last_evt;
static unsigned n_evts;
static dp_ipc_cmd_fn *registered[GW_IPC_TYPE_MAX];
static uint64_t stats_cnt[GW_IPC_MEDIA_CNT_MAX];    /* what the STATS events carried */
static uint64_t fake_now;                           /* the packet clock (dp_media_clock) */

static uint64_t
fake_clock(void)
{
	return fake_now;
}

void
dp_ipc_event(struct dp_worker *w, struct gw_ipc_msg *m)
{
	(void)w;
	last_evt = *m;
	n_evts++;
	if (m->type == GW_IPC_MEDIA_EVENT && m->status == 0 &&
	    (m->u.media_evt.op == GW_IPC_MEDIA_STATS || m->u.media_evt.op == GW_IPC_MEDIA_STATS_MORE))
		gw_ipc_media_cnt_take(stats_cnt, &m->u.media_evt);
}

int
dp_ipc_on(uint16_t type, dp_ipc_cmd_fn *fn)
{
	if (type >= GW_IPC_TYPE_MAX || registered[type] != NULL)
		return -EEXIST;
	registered[type] = fn;
	return 0;
}

/* One leg as the browser sees it: its contexts and address. */
struct browser {
	uint32_t leg_id;
	uint16_t port;            /* the gateway's media port for the leg */
	uint32_t ip;
	uint16_t sport;
	struct dp_srtp *tx, *rx;  /* tx: what the gateway's rx unprotects */
};

static int
cmd(struct dp_worker *w, uint16_t type, const struct gw_ipc_media_leg *c)
{
	struct gw_ipc_msg q = { .type = type };
	unsigned before = n_evts;

	q.u.media_leg = *c;
	registered[type](w, &q);
	/* counters come in two events (STATS, STATS_MORE) */
	assert_int_equal(n_evts, before + (type == GW_IPC_MEDIA_STATS_REQ &&
					   last_evt.status == 0 ? 2 : 1));
	assert_int_equal(last_evt.type, GW_IPC_MEDIA_EVENT);
	assert_int_equal(last_evt.u.media_evt.leg_id, c->leg_id);
	return last_evt.status;
}

static int
leg_op(uint32_t leg_id, uint16_t op, uint16_t port, uint8_t rule, uint32_t pub)
{
	struct gw_ipc_media_leg c = { .leg_id = leg_id, .op = op, .port = port, .rule = rule,
				      .pub_leg_id = pub };

	return cmd(w0, GW_IPC_MEDIA_LEG_REQ, &c);
}

static void
fill_key(struct dp_srtp_key *k, uint16_t profile, uint8_t seed)
{
	k->profile = profile;
	for (unsigned i = 0; i < sizeof(k->key); i++)
		k->key[i] = (uint8_t)(seed + i);
	for (unsigned i = 0; i < sizeof(k->salt); i++)
		k->salt[i] = (uint8_t)(seed * 3 + i);
}

/* Create leg id on port with the given profile, keys derived from id, peer
 * set (as the ICE nomination would) unless latch; the browser side keyed to
 * match. */
static void
browser_up(struct browser *b, uint32_t id, uint16_t port, uint16_t profile, bool latch)
{
	struct gw_ipc_msg q = { .type = GW_IPC_SRTP_ADD_REQ };
	struct dp_srtp_key up, down;
	struct gw_ipc_media_leg c = { .leg_id = id, .op = GW_IPC_MEDIA_PEER };

	memset(b, 0, sizeof(*b));
	b->leg_id = id;
	b->port = port;
	b->ip = PEER(id);
	b->sport = (uint16_t)(50000 + id);
	fill_key(&up, profile, (uint8_t)(id * 7));
	fill_key(&down, profile, (uint8_t)(id * 7 + 100));
	assert_int_equal(leg_op(id, GW_IPC_MEDIA_ADD, port, 0, 0), 0);
	q.u.srtp_keys.leg_id = id;
	q.u.srtp_keys.profile = profile;
	q.u.srtp_keys.flags = GW_IPC_SRTP_F_RECV | GW_IPC_SRTP_F_SEND;
	memcpy(q.u.srtp_keys.recv_key, up.key, sizeof(up.key));
	memcpy(q.u.srtp_keys.recv_salt, up.salt, sizeof(up.salt));
	memcpy(q.u.srtp_keys.send_key, down.key, sizeof(down.key));
	memcpy(q.u.srtp_keys.send_salt, down.salt, sizeof(down.salt));
	registered[GW_IPC_SRTP_ADD_REQ](w0, &q);
	assert_int_equal(last_evt.type, GW_IPC_SRTP_EVENT);
	assert_int_equal(last_evt.status, 0);
	/* the keys are wiped from the command */
	for (unsigned i = 0; i < sizeof(q.u.srtp_keys.recv_key); i++)
		assert_int_equal(q.u.srtp_keys.recv_key[i], 0);
	assert_int_equal(dp_srtp_create(&b->tx, bpool, &up, DP_SRTP_SEND), 0);
	assert_int_equal(dp_srtp_create(&b->rx, bpool, &down, DP_SRTP_RECV), 0);
	if (!latch) {
		c.peer_ip = b->ip;
		c.peer_port = b->sport;
		assert_int_equal(cmd(w0, GW_IPC_MEDIA_LEG_REQ, &c), 0);
	}
}

static void
browser_down(struct browser *b)
{
	dp_srtp_free(b->tx);
	dp_srtp_free(b->rx);
	b->tx = b->rx = NULL;
}

static size_t
rtp_packet(uint8_t *p, uint32_t ssrc, uint16_t seq, size_t payload)
{
	p[0] = 0x80;
	p[1] = 96;
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
	memset(p + 4, 0, 4);
	p[8] = (uint8_t)(ssrc >> 24);
	p[9] = (uint8_t)(ssrc >> 16);
	p[10] = (uint8_t)(ssrc >> 8);
	p[11] = (uint8_t)ssrc;
	for (size_t i = 0; i < payload; i++)
		p[12 + i] = (uint8_t)(seq + i);
	return 12 + payload;
}

/* A reduced-size PLI (RFC 4585 §6.3.1) from sender for media. */
static size_t
pli_packet(uint8_t *p, uint32_t sender, uint32_t media)
{
	p[0] = 0x81;
	p[1] = 206;
	p[2] = 0;
	p[3] = 2;
	for (int i = 0; i < 4; i++) {
		p[4 + i] = (uint8_t)(sender >> (24 - 8 * i));
		p[8 + i] = (uint8_t)(media >> (24 - 8 * i));
	}
	return 12;
}

/* An SR with no report blocks. */
static size_t
sr_packet(uint8_t *p, uint32_t ssrc)
{
	memset(p, 0, 28);
	p[0] = 0x80;
	p[1] = 200;
	p[3] = 6;
	for (int i = 0; i < 4; i++)
		p[4 + i] = (uint8_t)(ssrc >> (24 - 8 * i));
	return 28;
}

/* The browser protects the plaintext pkt and sends it to the gateway;
 * tamper: flip the last byte. Returns the SRTP bytes in wire/wlen. */
static void
browser_send(struct browser *b, const uint8_t *pkt, size_t len, bool rtcp, uint8_t *wire,
	     size_t *wlen)
{
	memcpy(wire, pkt, len);
	*wlen = len;
	assert_int_equal(rtcp ? dp_srtp_rtcp_protect(b->tx, wire, wlen, 1500)
			      : dp_srtp_protect(b->tx, wire, wlen, 1500), 0);
}

static void
deliver(const struct browser *b, const uint8_t *wire, size_t wlen)
{
	struct rte_mbuf *m = dp_harness_mbuf(pool, b->ip, b->sport, GW, b->port, wire, wlen);
	struct gw_ipv4_view ip;
	struct gw_udp_view u;

	assert_non_null(m);
	assert_int_equal(dp_harness_views(m, &ip, &u), 0);
	dp_media_input(w0, 0, m, &ip, &u);
}

/* Sent frame i goes to browser b from the leg's port; returns the plaintext
 * the browser's receive context recovers (len in *len). */
static const uint8_t *
received(unsigned i, struct browser *b, size_t *len, bool rtcp)
{
	struct gw_ipv4_view ip;
	struct gw_udp_view u;
	uint8_t *p;

	assert_true(i < dp_harness_n_sent);
	assert_int_equal(dp_harness_views(dp_harness_sent[i], &ip, &u), 0);
	assert_int_equal(ip.src, GW);
	assert_int_equal(ip.dst, b->ip);
	assert_int_equal(dp_harness_sent_dst[i], b->ip);
	assert_int_equal(u.sport, b->port);
	assert_int_equal(u.dport, b->sport);
	p = (uint8_t *)(uintptr_t)u.payload;
	*len = u.payload_len;
	assert_int_equal(rtcp ? dp_srtp_rtcp_unprotect(b->rx, p, len)
			      : dp_srtp_unprotect(b->rx, p, len), 0);
	return p;
}

static uint64_t
leg_cnt(uint32_t id, enum gw_ipc_media_cnt c)
{
	struct gw_ipc_media_leg q = { .leg_id = id };

	memset(stats_cnt, 0xff, sizeof(stats_cnt));
	assert_int_equal(cmd(w0, GW_IPC_MEDIA_STATS_REQ, &q), 0);
	assert_int_equal(last_evt.u.media_evt.op, GW_IPC_MEDIA_STATS_MORE);
	return stats_cnt[c];
}

static void
all_free(void)
{
	dp_harness_sent_reset();
	assert_int_equal(dp_media_legs(), 0);
	assert_int_equal(dp_media_srtp_in_use(), 0);
	assert_int_equal(dp_rtcp_cached(), 0);
	assert_int_equal(rte_mempool_avail_count(pool), N_MBUFS);
}

static void
test_commands(void **state)
{
	struct gw_ipc_media_leg c = { .leg_id = 5, .op = GW_IPC_MEDIA_ADD, .port = PORT0 + 5 };

	(void)state;
	assert_int_equal(leg_op(5, GW_IPC_MEDIA_ADD, PORT0 + 5, 0, 0), 0);
	assert_int_equal(leg_op(5, GW_IPC_MEDIA_ADD, PORT0 + 6, 0, 0), -EEXIST);   /* id */
	assert_int_equal(leg_op(6, GW_IPC_MEDIA_ADD, PORT0 + 5, 0, 0), -EEXIST);   /* port */
	assert_int_equal(leg_op(6, GW_IPC_MEDIA_ADD, PORT0 - 1, 0, 0), -ERANGE);
	assert_int_equal(leg_op(6, GW_IPC_MEDIA_ADD, PORT0 + 100, 0, 0), -ERANGE);
	assert_int_equal(leg_op(7, GW_IPC_MEDIA_DEL, 0, 0, 0), -ENOENT);
	assert_int_equal(leg_op(5, GW_IPC_MEDIA_RULE, 0, 9, 0), -EINVAL);
	/* subscribing needs a publishing leg */
	assert_int_equal(leg_op(6, GW_IPC_MEDIA_ADD, PORT0 + 6, 0, 0), 0);
	assert_int_equal(leg_op(6, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_SUBSCRIBE, 5), -ENOENT);
	assert_int_equal(leg_op(5, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_PUBLISH, 0), 0);
	assert_int_equal(leg_op(6, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_SUBSCRIBE, 5), 0);
	assert_int_equal(leg_op(6, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_SUBSCRIBE, 6), -ENOENT);
	/* only worker 0 owns legs */
	c.leg_id = 8;
	c.port = PORT0 + 8;
	assert_int_equal(cmd(w1, GW_IPC_MEDIA_LEG_REQ, &c), -EXDEV);
	/* SRTP keys for an unknown leg: refused, nothing taken from the pool */
	{
		struct gw_ipc_msg q = { .type = GW_IPC_SRTP_ADD_REQ };

		q.u.srtp_keys.leg_id = 99;
		q.u.srtp_keys.profile = DP_SRTP_AEAD_AES_128_GCM;
		q.u.srtp_keys.flags = GW_IPC_SRTP_F_RECV;
		registered[GW_IPC_SRTP_ADD_REQ](w0, &q);
		assert_int_equal(last_evt.type, GW_IPC_SRTP_EVENT);
		assert_int_equal(last_evt.status, -ENOENT);
	}
	assert_int_equal(dp_media_legs(), 2);
	assert_int_equal(leg_op(5, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);   /* publisher first */
	assert_int_equal(leg_op(6, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	all_free();
}

static void
test_echo(void **state)
{
	static const uint16_t profiles[] = { DP_SRTP_AEAD_AES_128_GCM, DP_SRTP_AES128_CM_SHA1_80 };
	uint8_t pkt[1500], wire[1600];
	size_t len, wlen, got;
	const uint8_t *p;

	(void)state;
	for (unsigned k = 0; k < 2; k++) {
		struct browser b;
		uint64_t out0 = w0->cnt[GW_CNT_MEDIA_OUT];

		browser_up(&b, 1, PORT0 + 1, profiles[k], k == 1);   /* AES-CM: latched peer */
		assert_int_equal(leg_op(1, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_ECHO, 0), 0);
		for (uint16_t seq = 1; seq <= 5; seq++) {
			len = rtp_packet(pkt, 0x1111, seq, 160 + seq);
			browser_send(&b, pkt, len, false, wire, &wlen);
			deliver(&b, wire, wlen);
			assert_int_equal(dp_harness_n_sent, seq);
			p = received(seq - 1, &b, &got, false);
			assert_int_equal(got, len);
			assert_memory_equal(p, pkt, len);
		}
		/* SRTCP echoes too */
		len = sr_packet(pkt, 0x1111);
		browser_send(&b, pkt, len, true, wire, &wlen);
		deliver(&b, wire, wlen);
		p = received(5, &b, &got, true);
		assert_int_equal(got, len);
		assert_memory_equal(p, pkt, len);
		assert_int_equal(w0->cnt[GW_CNT_MEDIA_OUT] - out0, 6);

		/* the same SRTCP again: replay, dropped */
		deliver(&b, wire, wlen);
		assert_int_equal(dp_harness_n_sent, 6);
		/* replayed SRTP, and a packet with a bad tag */
		len = rtp_packet(pkt, 0x1111, 9, 100);
		browser_send(&b, pkt, len, false, wire, &wlen);
		deliver(&b, wire, wlen);
		deliver(&b, wire, wlen);
		assert_int_equal(dp_harness_n_sent, 7);
		len = rtp_packet(pkt, 0x1111, 10, 100);
		browser_send(&b, pkt, len, false, wire, &wlen);
		wire[wlen - 1] ^= 1;
		deliver(&b, wire, wlen);
		assert_int_equal(dp_harness_n_sent, 7);
		assert_int_equal(leg_cnt(1, GW_IPC_MEDIA_CNT_replay), 2);
		assert_int_equal(leg_cnt(1, GW_IPC_MEDIA_CNT_auth_fail), 1);
		assert_int_equal(leg_cnt(1, GW_IPC_MEDIA_CNT_rtp_in), 6);
		assert_int_equal(leg_cnt(1, GW_IPC_MEDIA_CNT_rtcp_in), 1);
		assert_int_equal(leg_cnt(1, GW_IPC_MEDIA_CNT_rtp_out), 6);
		assert_true(last_evt.u.media_evt.has_rx && last_evt.u.media_evt.has_tx);

		assert_int_equal(leg_op(1, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
		browser_down(&b);
		all_free();
	}
}

static void
test_fan_out(void **state)
{
	struct browser pub, sub[3];
	uint8_t pkt[1500], wire[1600];
	size_t len, wlen, got;
	const uint8_t *p;
	uint64_t limited0 = w0->cnt[GW_CNT_MEDIA_KF_LIMITED];

	(void)state;
	browser_up(&pub, 20, PORT0 + 20, DP_SRTP_AEAD_AES_128_GCM, false);
	assert_int_equal(leg_op(20, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_PUBLISH, 0), 0);
	for (unsigned i = 0; i < 3; i++) {
		browser_up(&sub[i], 21 + i, (uint16_t)(PORT0 + 21 + i),
			   i == 1 ? DP_SRTP_AES128_CM_SHA1_80 : DP_SRTP_AEAD_AES_128_GCM, false);
		assert_int_equal(leg_op(21 + i, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_SUBSCRIBE,
					20), 0);
	}
	/* one packet of the publisher: three, each under its subscriber's keys */
	len = rtp_packet(pkt, 0xabcd, 100, 1100);
	browser_send(&pub, pkt, len, false, wire, &wlen);
	deliver(&pub, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 3);
	for (unsigned i = 0; i < 3; i++) {
		/* the list is newest first: frame i went to sub[2 - i] */
		p = received(i, &sub[2 - i], &got, false);
		assert_int_equal(got, len);
		assert_memory_equal(p, pkt, len);
	}
	/* a subscriber's PLI reaches the publisher, sender SSRC rewritten */
	len = pli_packet(pkt, 0x5151, 0xabcd);
	browser_send(&sub[0], pkt, len, true, wire, &wlen);
	deliver(&sub[0], wire, wlen);
	assert_int_equal(dp_harness_n_sent, 4);
	p = received(3, &pub, &got, true);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, 4);
	assert_memory_equal(p + 4, "RTCG", 4);
	assert_memory_equal(p + 8, pkt + 8, 4);
	/* another within 500 ms, from another subscriber: limited */
	len = pli_packet(pkt, 0x5252, 0xabcd);
	browser_send(&sub[1], pkt, len, true, wire, &wlen);
	deliver(&sub[1], wire, wlen);
	assert_int_equal(dp_harness_n_sent, 4);
	assert_int_equal(w0->cnt[GW_CNT_MEDIA_KF_LIMITED] - limited0, 1);
	assert_int_equal(leg_cnt(22, GW_IPC_MEDIA_CNT_kf_limited), 1);
	/* a PLI for another SSRC is not limited by the first */
	len = pli_packet(pkt, 0x5252, 0xabce);
	browser_send(&sub[1], pkt, len, true, wire, &wlen);
	deliver(&sub[1], wire, wlen);
	assert_int_equal(dp_harness_n_sent, 5);
	/* a generic NACK for packets the cache does not hold goes to the
	 * publisher (it retransmits); test_nack has the cached ones */
	len = pli_packet(pkt, 0x5353, 0xabcd);
	pkt[1] = 205;                 /* RTPFB, FMT 1: generic NACK */
	pkt[3] = 3;
	memcpy(pkt + 12, "\x00\x5a\x00\x01", 4);   /* PID 90, BLP 1 */
	len = 16;
	browser_send(&sub[2], pkt, len, true, wire, &wlen);
	deliver(&sub[2], wire, wlen);
	assert_int_equal(dp_harness_n_sent, 6);
	p = received(5, &pub, &got, true);
	assert_int_equal(got, 16);
	assert_int_equal(p[1], 205);
	assert_memory_equal(p + 4, "RTCG", 4);
	assert_memory_equal(p + 12, "\x00\x5a\x00\x01", 4);
	assert_int_equal(leg_cnt(23, GW_IPC_MEDIA_CNT_nack_received), 2);
	assert_int_equal(leg_cnt(23, GW_IPC_MEDIA_CNT_nack_missed), 2);
	/* a subscriber's plain RR is terminated; its RTP goes nowhere */
	len = sr_packet(pkt, 0x5353);
	pkt[1] = 201;
	browser_send(&sub[2], pkt, len, true, wire, &wlen);
	deliver(&sub[2], wire, wlen);
	len = rtp_packet(pkt, 0x5353, 1, 50);
	browser_send(&sub[2], pkt, len, false, wire, &wlen);
	deliver(&sub[2], wire, wlen);
	assert_int_equal(dp_harness_n_sent, 6);
	/* a subscriber gone: the next packet goes to the two left */
	assert_int_equal(leg_op(22, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	len = rtp_packet(pkt, 0xabcd, 101, 1100);
	browser_send(&pub, pkt, len, false, wire, &wlen);
	deliver(&pub, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 8);
	/* the publisher gone first: its subscribers stay, orphaned, then go */
	assert_int_equal(leg_op(20, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	assert_int_equal(leg_op(21, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	assert_int_equal(leg_op(23, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	browser_down(&pub);
	for (unsigned i = 0; i < 3; i++)
		browser_down(&sub[i]);
	all_free();
}

/*
 * Fan-out to 40 subscribers, of two profiles: every routable subscriber gets
 * the packet under its own keys; a subscriber with
 * no address yet is counted, not sent to; the publisher's plaintext in the
 * received mbuf is never written (held here by an extra reference, as a
 * retransmission cache would); with the pool short of mbufs, what it has is
 * still sent and the rest counted as TX failures.
 */
#define N_SUBS 40
static void
test_fan_out_many(void **state)
{
	static struct browser pub, sub[N_SUBS];
	static struct rte_mbuf *hold[N_MBUFS];
	uint8_t pkt[1500], wire[1600];
	size_t len, wlen, got;
	unsigned seen[N_SUBS] = { 0 }, n_hold;
	uint64_t no_route = w0->cnt[GW_CNT_MEDIA_NO_ROUTE], tx_fail;
	struct gw_ipv4_view ip;
	struct gw_udp_view u;
	struct rte_mbuf *m;

	(void)state;
	/* no NACK cache here: it would hold a reference to the publisher's mbuf
	 * (test_nack covers that); this test counts mbufs exactly */
	dp_rtcp_budget(0);
	browser_up(&pub, 40, PORT0 + 40, DP_SRTP_AEAD_AES_128_GCM, false);
	assert_int_equal(leg_op(40, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_PUBLISH, 0), 0);
	for (unsigned i = 0; i < N_SUBS; i++) {
		/* sub[7]: no address yet (latching, and it has sent nothing) */
		browser_up(&sub[i], 41 + i, (uint16_t)(PORT0 + 41 + i),
			   i % 3 == 1 ? DP_SRTP_AES128_CM_SHA1_80 : DP_SRTP_AEAD_AES_128_GCM, i == 7);
		assert_int_equal(leg_op(41 + i, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_SUBSCRIBE,
					40), 0);
	}
	len = rtp_packet(pkt, 0xfa17, 500, 1000);
	browser_send(&pub, pkt, len, false, wire, &wlen);
	m = dp_harness_mbuf(pool, pub.ip, pub.sport, GW, pub.port, wire, wlen);
	assert_non_null(m);
	rte_mbuf_refcnt_update(m, 1);
	assert_int_equal(dp_harness_views(m, &ip, &u), 0);
	dp_media_input(w0, 0, m, &ip, &u);
	/* unprotected in place by the publisher's context, then left alone */
	assert_int_equal(rte_mbuf_refcnt_read(m), 1);
	assert_memory_equal(u.payload, pkt, len);
	rte_pktmbuf_free(m);
	assert_int_equal(w0->cnt[GW_CNT_MEDIA_NO_ROUTE] - no_route, 1);
	assert_int_equal(leg_cnt(48, GW_IPC_MEDIA_CNT_dropped), 1);
	assert_int_equal(dp_harness_n_sent, N_SUBS - 1);
	for (unsigned i = 0; i < dp_harness_n_sent; i++) {
		const uint8_t *p;
		unsigned k;

		assert_int_equal(dp_harness_views(dp_harness_sent[i], &ip, &u), 0);
		for (k = 0; k < N_SUBS && sub[k].ip != ip.dst; k++)
			;
		assert_true(k < N_SUBS && k != 7);
		seen[k]++;
		p = received(i, &sub[k], &got, false);
		assert_int_equal(got, len);
		assert_memory_equal(p, pkt, len);
	}
	for (unsigned k = 0; k < N_SUBS; k++)
		assert_int_equal(seen[k], k == 7 ? 0 : 1);
	assert_int_equal(leg_cnt(41, GW_IPC_MEDIA_CNT_rtp_out), 1);
	dp_harness_sent_reset();

	/* the pool short: 10 mbufs for 39 subscribers (+ 1 for the received packet) */
	n_hold = rte_mempool_avail_count(pool) - 11;
	assert_int_equal(rte_pktmbuf_alloc_bulk(pool, hold, n_hold), 0);
	tx_fail = w0->cnt[GW_CNT_MEDIA_TX_FAIL];
	len = rtp_packet(pkt, 0xfa17, 501, 1000);
	browser_send(&pub, pkt, len, false, wire, &wlen);
	deliver(&pub, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 10);
	assert_int_equal(w0->cnt[GW_CNT_MEDIA_TX_FAIL] - tx_fail, N_SUBS - 1 - 10);
	for (unsigned i = 0; i < dp_harness_n_sent; i++) {
		const uint8_t *p;
		unsigned k;

		assert_int_equal(dp_harness_views(dp_harness_sent[i], &ip, &u), 0);
		for (k = 0; k < N_SUBS && sub[k].ip != ip.dst; k++)
			;
		assert_true(k < N_SUBS);
		p = received(i, &sub[k], &got, false);
		assert_int_equal(got, len);
		assert_memory_equal(p, pkt, len);
	}
	rte_pktmbuf_free_bulk(hold, n_hold);
	dp_harness_sent_reset();

	assert_int_equal(leg_op(40, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	browser_down(&pub);
	for (unsigned i = 0; i < N_SUBS; i++) {
		assert_int_equal(leg_op(41 + i, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
		browser_down(&sub[i]);
	}
	all_free();
	dp_rtcp_budget(CACHE_MBUFS);
}

/* Media for a port with no leg, or a leg without keys: dropped, counted. */
/* A plain datagram leg i sent: from port sport to ip:dport; the payload. */
static const uint8_t *
plain_sent(unsigned i, uint32_t ip_dst, uint16_t sport, uint16_t dport, size_t *len)
{
	struct gw_ipv4_view ip;
	struct gw_udp_view u;

	assert_true(i < dp_harness_n_sent);
	assert_int_equal(dp_harness_views(dp_harness_sent[i], &ip, &u), 0);
	assert_int_equal(ip.dst, ip_dst);
	assert_int_equal(u.sport, sport);
	assert_int_equal(u.dport, dport);
	*len = u.payload_len;
	return u.payload;
}

/*
 * The IPv4 fragments sent at [first, first + n): their payloads put back
 * together at their offsets into dgram (cap bytes), checked as a kernel's
 * reassembly would (one Identification, offsets contiguous, the last
 * without MF, DF clear, none over the port's MTU). Returns the datagram's
 * length; *ip gets the first fragment's header view.
 */
static size_t
reassembled(unsigned first, unsigned n, uint8_t *dgram, size_t cap, struct gw_ipv4_view *ip)
{
	size_t total = 0;
	uint16_t id = 0;

	assert_true(first + n <= dp_harness_n_sent);
	for (unsigned i = first; i < first + n; i++) {
		const uint8_t *f = rte_pktmbuf_mtod(dp_harness_sent[i], const uint8_t *);
		size_t flen = rte_pktmbuf_pkt_len(dp_harness_sent[i]);
		struct gw_ipv4_view v;
		uint16_t fo;

		assert_true(flen - GW_ETH_HLEN <= 1500);
		assert_int_equal(gw_ipv4_parse(&v, f + GW_ETH_HLEN, flen - GW_ETH_HLEN), 0);
		fo = (uint16_t)(f[GW_ETH_HLEN + 6] << 8 | f[GW_ETH_HLEN + 7]);
		assert_int_equal(fo & 0x4000, 0);                          /* DF clear */
		assert_int_equal((fo & 0x2000) != 0, i + 1 < first + n);  /* MF but the last */
		assert_int_equal((size_t)(fo & 0x1fff) * 8, total);        /* contiguous */
		if (i == first) {
			*ip = v;
			id = (uint16_t)(f[GW_ETH_HLEN + 4] << 8 | f[GW_ETH_HLEN + 5]);
		}
		assert_int_equal(f[GW_ETH_HLEN + 4] << 8 | f[GW_ETH_HLEN + 5], id);
		assert_true(total + v.payload_len <= cap);
		memcpy(dgram + total, v.payload, v.payload_len);
		total += v.payload_len;
	}
	return total;
}

/* Calls (issue 9): an SRTP leg bridged with a plain RTP leg whose RTCP uses a
 * separate port: SRTP <-> RTP and SRTCP <-> RTCP, latching, unbridging on delete. */
static void
test_bridge(void **state)
{
	struct browser b, sip = { .leg_id = 2, .port = PORT0 + 2, .ip = PEER(9), .sport = 6000 };
	struct browser sip_rtcp = { .leg_id = 3, .port = PORT0 + 3, .ip = PEER(9), .sport = 6001 };
	struct gw_ipc_media_leg peer = { .leg_id = 3, .op = GW_IPC_MEDIA_PEER, .peer_ip = PEER(9),
					 .peer_port = 6001 };
	uint8_t pkt[1500], wire[1600];
	size_t len, wlen, got;
	const uint8_t *p;

	(void)state;
	browser_up(&b, 1, PORT0 + 1, DP_SRTP_AES128_CM_SHA1_80, false);
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_ADD, PORT0 + 2, 0, 0), 0);
	assert_int_equal(leg_op(3, GW_IPC_MEDIA_ADD, PORT0 + 3, 0, 0), 0);
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_MODE, 0, 0x80, 0), -EINVAL);
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_MODE, 0, GW_IPC_MEDIA_F_PLAIN | GW_IPC_MEDIA_F_LATCH, 0), 0);
	assert_int_equal(leg_op(3, GW_IPC_MEDIA_MODE, 0, GW_IPC_MEDIA_F_PLAIN, 0), 0);
	assert_int_equal(leg_op(1, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_BRIDGE, 2), 0);
	assert_int_equal(leg_op(1, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_BRIDGE_RTCP, 3), 0);
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_BRIDGE, 1), 0);
	assert_int_equal(leg_op(3, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_BRIDGE, 1), 0);
	assert_int_equal(leg_op(3, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_BRIDGE, 99), -ENOENT);
	assert_int_equal(cmd(w0, GW_IPC_MEDIA_LEG_REQ, &peer), 0);

	/* SRTP from the browser before the plain side is known: no route */
	len = rtp_packet(pkt, 0x1111, 1, 160);
	browser_send(&b, pkt, len, false, wire, &wlen);
	deliver(&b, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 0);
	/* plain RTP in: latched, protected toward the browser */
	len = rtp_packet(pkt, 0x2222, 1, 160);
	deliver(&sip, pkt, len);
	assert_int_equal(dp_harness_n_sent, 1);
	p = received(0, &b, &got, false);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, len);
	/* SRTP from the browser: plain RTP to the latched address */
	len = rtp_packet(pkt, 0x1111, 2, 100);
	browser_send(&b, pkt, len, false, wire, &wlen);
	deliver(&b, wire, wlen);
	p = plain_sent(1, PEER(9), PORT0 + 2, 6000, &got);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, len);
	/* SRTCP from the browser: plain RTCP out of the RTCP leg */
	len = sr_packet(pkt, 0x1111);
	browser_send(&b, pkt, len, true, wire, &wlen);
	deliver(&b, wire, wlen);
	p = plain_sent(2, PEER(9), PORT0 + 3, 6001, &got);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, len);
	/* plain RTCP on the RTCP port: SRTCP to the browser */
	len = sr_packet(pkt, 0x2222);
	deliver(&sip_rtcp, pkt, len);
	p = received(3, &b, &got, true);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, len);
	/* a runt on the plain leg is malformed */
	deliver(&sip, pkt, 4);
	assert_int_equal(dp_harness_n_sent, 4);
	assert_int_equal(leg_cnt(2, GW_IPC_MEDIA_CNT_malformed), 1);
	/* plain RTP at the MTU (1472 bytes: 1500 with its headers) grows by the
	 * SRTP tag past it: sent in two fragments that reassemble into a
	 * datagram with a right checksum the browser unprotects */
	{
		uint8_t dgram[1600];
		struct gw_ipv4_view ip, whole;
		struct gw_udp_view u;
		size_t n;

		const uint64_t fo0 = w0->cnt[GW_CNT_IPV4_FRAG_OUT];

		len = rtp_packet(pkt, 0x2222, 2, 1460);
		assert_int_equal(len, 1472);
		deliver(&sip, pkt, len);
		assert_int_equal(dp_harness_n_sent, 6);
		n = reassembled(4, 2, dgram, sizeof(dgram), &ip);
		assert_int_equal(n, GW_UDP_HLEN + len + 10);
		assert_int_equal(ip.src, GW);
		assert_int_equal(ip.dst, b.ip);
		assert_int_equal(dp_harness_sent_dst[4], b.ip);
		whole = ip;
		whole.payload = dgram;
		whole.payload_len = n;
		whole.is_fragment = false;
		assert_int_equal(gw_udp_parse(&u, &whole), 0);      /* checksum verified */
		assert_int_equal(u.sport, b.port);
		assert_int_equal(u.dport, b.sport);
		got = u.payload_len;
		assert_int_equal(dp_srtp_unprotect(b.rx, (uint8_t *)(uintptr_t)u.payload, &got), 0);
		assert_int_equal(got, len);
		assert_memory_equal(u.payload, pkt, len);
		assert_int_equal(w0->cnt[GW_CNT_IPV4_FRAG_OUT] - fo0, 1);
	}
	assert_int_equal(leg_cnt(2, GW_IPC_MEDIA_CNT_rtp_in), 2);
	assert_int_equal(leg_cnt(2, GW_IPC_MEDIA_CNT_rtp_out), 1);
	assert_int_equal(leg_cnt(1, GW_IPC_MEDIA_CNT_rtcp_out), 1);
	assert_int_equal(leg_cnt(1, GW_IPC_MEDIA_CNT_rtp_out), 2);
	/* the plain leg goes: the browser's media has nowhere to go */
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	len = rtp_packet(pkt, 0x1111, 3, 100);
	browser_send(&b, pkt, len, false, wire, &wlen);
	deliver(&b, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 6);
	assert_int_equal(leg_op(1, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	assert_int_equal(leg_op(3, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	browser_down(&b);
	all_free();
}

/* An SRTP_ADD_REQ of leg id with the halves in flags, keys k (either). */
static int
keys_cmd(uint32_t id, uint8_t flags, const struct dp_srtp_key *k)
{
	struct gw_ipc_msg q = { .type = GW_IPC_SRTP_ADD_REQ };

	q.u.srtp_keys.leg_id = id;
	q.u.srtp_keys.profile = k->profile;
	q.u.srtp_keys.flags = flags;
	memcpy(q.u.srtp_keys.recv_key, k->key, sizeof(k->key));
	memcpy(q.u.srtp_keys.recv_salt, k->salt, sizeof(k->salt));
	memcpy(q.u.srtp_keys.send_key, k->key, sizeof(k->key));
	memcpy(q.u.srtp_keys.send_salt, k->salt, sizeof(k->salt));
	registered[GW_IPC_SRTP_ADD_REQ](w0, &q);
	assert_int_equal(last_evt.type, GW_IPC_SRTP_EVENT);
	return last_evt.status;
}

/*
 * SDES re-keying of one half (issue 9): a call's SRTP leg bridged with a
 * plain one; the plain side's sequence numbers wrap (65534 .. 1: the
 * gateway's send context moves to rollover counter 1). The party's new key
 * installed as the receive half alone: its packets under the new key pass,
 * under the old one fail, and the send context goes on (seq 2 is sent with
 * ROC 1, which the party's receiver expects). Installing the unchanged send
 * key again instead restarts that context at ROC 0: the party cannot
 * authenticate what it sends (why cp_calls installs only changed halves).
 */
static void
test_rekey_half(void **state)
{
	struct browser b, sip = { .leg_id = 2, .port = PORT0 + 2, .ip = PEER(9), .sport = 6000 };
	struct gw_ipc_media_leg peer = { .leg_id = 2, .op = GW_IPC_MEDIA_PEER, .peer_ip = PEER(9),
					 .peer_port = 6000 };
	static const uint16_t wrap[] = { 65534, 65535, 0, 1 };
	struct dp_srtp_key fresh, down;
	uint8_t pkt[1500], wire[1600], old[1600];
	size_t len, wlen, olen, got;
	const uint8_t *p;

	(void)state;
	browser_up(&b, 1, PORT0 + 1, DP_SRTP_AES128_CM_SHA1_80, false);
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_ADD, PORT0 + 2, 0, 0), 0);
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_MODE, 0, GW_IPC_MEDIA_F_PLAIN, 0), 0);
	assert_int_equal(cmd(w0, GW_IPC_MEDIA_LEG_REQ, &peer), 0);
	assert_int_equal(leg_op(1, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_BRIDGE, 2), 0);
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_BRIDGE, 1), 0);
	for (unsigned i = 0; i < 4; i++) {
		len = rtp_packet(pkt, 0x2222, wrap[i], 100);
		deliver(&sip, pkt, len);
		p = received(i, &b, &got, false);
		assert_memory_equal(p, pkt, len);
	}
	/* a packet of the party's under its old key, kept for later */
	len = rtp_packet(pkt, 0x1111, 1, 80);
	browser_send(&b, pkt, len, false, old, &olen);

	/* the party's new key: the receive half alone */
	fill_key(&fresh, DP_SRTP_AES128_CM_SHA1_80, 201);
	assert_int_equal(keys_cmd(1, GW_IPC_SRTP_F_RECV, &fresh), 0);
	dp_srtp_free(b.tx);
	assert_int_equal(dp_srtp_create(&b.tx, bpool, &fresh, DP_SRTP_SEND), 0);
	len = rtp_packet(pkt, 0x1111, 2, 80);
	browser_send(&b, pkt, len, false, wire, &wlen);
	deliver(&b, wire, wlen);
	p = plain_sent(4, PEER(9), PORT0 + 2, 6000, &got);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, len);
	deliver(&b, old, olen);                   /* the old key no longer opens */
	assert_int_equal(dp_harness_n_sent, 5);
	assert_int_equal(leg_cnt(1, GW_IPC_MEDIA_CNT_auth_fail), 1);
	len = rtp_packet(pkt, 0x2222, 2, 100);    /* the send context went on: ROC 1 */
	deliver(&sip, pkt, len);
	p = received(5, &b, &got, false);
	assert_memory_equal(p, pkt, len);

	/* the same send key installed again: a context at ROC 0 */
	fill_key(&down, DP_SRTP_AES128_CM_SHA1_80, (uint8_t)(1 * 7 + 100));
	assert_int_equal(keys_cmd(1, GW_IPC_SRTP_F_SEND, &down), 0);
	len = rtp_packet(pkt, 0x2222, 3, 100);
	deliver(&sip, pkt, len);
	{
		struct gw_ipv4_view ip;
		struct gw_udp_view u;

		assert_int_equal(dp_harness_n_sent, 7);
		assert_int_equal(dp_harness_views(dp_harness_sent[6], &ip, &u), 0);
		got = u.payload_len;
		assert_int_not_equal(dp_srtp_unprotect(b.rx, (uint8_t *)(uintptr_t)u.payload, &got),
				     0);
	}
	assert_int_equal(leg_op(1, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	browser_down(&b);
	all_free();
}

/* The last frame sent is plain RTP to ip:dport from the gateway's sport. */
static void
last_plain_to(uint32_t ip, uint16_t sport, uint16_t dport)
{
	size_t got;

	assert_true(dp_harness_n_sent > 0);
	(void)plain_sent(dp_harness_n_sent - 1, ip, sport, dport, &got);
}

/*
 * ng's strict-source and media-handover (issue 9) on a call's legs: plain
 * leg 2 (party A, latching) bridged with plain leg 3 (party B at PEER(9):7000),
 * and an SRTP leg 1 (a SDES party) bridged with plain leg 4. Default: a
 * second source is forwarded, but media goes on to the latched peer. STRICT:
 * it is dropped and counted, the peer stays. HANDOVER: the peer moves there
 * (media follows); on an SRTP leg only a packet that authenticates moves it.
 * A trusted SDP address (no latching) with STRICT drops everything else.
 */
static void
test_src_modes(void **state)
{
	struct browser a = { .leg_id = 2, .port = PORT0 + 2, .ip = PEER(20), .sport = 6000 };
	struct browser a2 = a, b = { .leg_id = 3, .port = PORT0 + 3, .ip = PEER(9), .sport = 7000 };
	struct browser s, s2, p4 = { .leg_id = 4, .port = PORT0 + 4, .ip = PEER(9), .sport = 7002 };
	struct gw_ipc_media_leg peer = { .leg_id = 3, .op = GW_IPC_MEDIA_PEER, .peer_ip = PEER(9),
					 .peer_port = 7000 };
	const uint8_t plain_latch = GW_IPC_MEDIA_F_PLAIN | GW_IPC_MEDIA_F_LATCH;
	uint64_t mm0 = w0->cnt[GW_CNT_MEDIA_SRC_MISMATCH], ho0 = w0->cnt[GW_CNT_MEDIA_HANDOVER];
	uint8_t pkt[1500], wire[1600];
	size_t len, wlen;
	uint16_t seq = 1;

	(void)state;
	a2.ip = PEER(21);
	a2.sport = 6100;
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_ADD, PORT0 + 2, 0, 0), 0);
	assert_int_equal(leg_op(3, GW_IPC_MEDIA_ADD, PORT0 + 3, 0, 0), 0);
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_MODE, 0, 0x10 | GW_IPC_MEDIA_F_PLAIN, 0), -EINVAL);
	assert_int_equal(leg_op(3, GW_IPC_MEDIA_MODE, 0, GW_IPC_MEDIA_F_PLAIN, 0), 0);
	assert_int_equal(cmd(w0, GW_IPC_MEDIA_LEG_REQ, &peer), 0);
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_BRIDGE, 3), 0);
	assert_int_equal(leg_op(3, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_BRIDGE, 2), 0);

	/* default: A latches; A2 is forwarded too; B's media still goes to A */
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_MODE, 0, plain_latch, 0), 0);
	len = rtp_packet(pkt, 0xa, seq++, 40);
	deliver(&a, pkt, len);
	last_plain_to(PEER(9), PORT0 + 3, 7000);
	deliver(&a2, pkt, len);
	assert_int_equal(dp_harness_n_sent, 2);
	deliver(&b, pkt, len);
	last_plain_to(PEER(20), PORT0 + 2, 6000);

	/* STRICT: A latches (a MODE command starts latching over), A2 dropped,
	 * a wrong port of A's address dropped, A still forwarded, B's to A */
	dp_harness_sent_reset();
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_MODE, 0, plain_latch | GW_IPC_MEDIA_F_STRICT, 0), 0);
	deliver(&a, pkt, len);
	assert_int_equal(dp_harness_n_sent, 1);
	deliver(&a2, pkt, len);
	a2.ip = a.ip;
	deliver(&a2, pkt, len);
	assert_int_equal(dp_harness_n_sent, 1);
	assert_int_equal(leg_cnt(2, GW_IPC_MEDIA_CNT_src_mismatch), 2);
	assert_int_equal(w0->cnt[GW_CNT_MEDIA_SRC_MISMATCH] - mm0, 2);
	deliver(&a, pkt, len);
	assert_int_equal(dp_harness_n_sent, 2);
	deliver(&b, pkt, len);
	last_plain_to(PEER(20), PORT0 + 2, 6000);

	/* STRICT and HANDOVER: strict wins */
	dp_harness_sent_reset();
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_MODE, 0,
				plain_latch | GW_IPC_MEDIA_F_STRICT | GW_IPC_MEDIA_F_HANDOVER, 0), 0);
	deliver(&a, pkt, len);
	deliver(&a2, pkt, len);
	assert_int_equal(dp_harness_n_sent, 1);
	assert_int_equal(leg_cnt(2, GW_IPC_MEDIA_CNT_src_mismatch), 3);

	/* HANDOVER: A latches, A2 (A's address, another port) takes over, B's
	 * media follows; A again takes it back */
	dp_harness_sent_reset();
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_MODE, 0, plain_latch | GW_IPC_MEDIA_F_HANDOVER, 0), 0);
	deliver(&a, pkt, len);
	deliver(&b, pkt, len);
	last_plain_to(PEER(20), PORT0 + 2, 6000);
	deliver(&a2, pkt, len);
	last_plain_to(PEER(9), PORT0 + 3, 7000);
	deliver(&b, pkt, len);
	last_plain_to(PEER(20), PORT0 + 2, 6100);
	a2.ip = PEER(21);
	deliver(&a2, pkt, len);
	deliver(&b, pkt, len);
	last_plain_to(PEER(21), PORT0 + 2, 6100);
	assert_int_equal(leg_cnt(2, GW_IPC_MEDIA_CNT_handover), 2);
	assert_int_equal(w0->cnt[GW_CNT_MEDIA_HANDOVER] - ho0, 2);
	assert_int_equal(leg_cnt(2, GW_IPC_MEDIA_CNT_src_mismatch), 3);

	/* trusted address (no latching) and STRICT: only B's SDP address */
	dp_harness_sent_reset();
	assert_int_equal(leg_op(3, GW_IPC_MEDIA_MODE, 0, GW_IPC_MEDIA_F_PLAIN | GW_IPC_MEDIA_F_STRICT,
				0), 0);
	assert_int_equal(cmd(w0, GW_IPC_MEDIA_LEG_REQ, &peer), 0);
	{
		struct browser x = b;

		x.ip = PEER(22);
		deliver(&x, pkt, len);     /* another address */
		x.ip = b.ip;
		x.sport = 7100;
		deliver(&x, pkt, len);     /* B's address, another port */
		assert_int_equal(dp_harness_n_sent, 0);
		assert_int_equal(leg_cnt(3, GW_IPC_MEDIA_CNT_src_mismatch), 2);
	}
	deliver(&b, pkt, len);
	assert_int_equal(dp_harness_n_sent, 1);

	/* SRTP leg with HANDOVER: a forged packet from elsewhere fails its tag
	 * and moves nothing; an authentic one from elsewhere moves the peer */
	dp_harness_sent_reset();
	browser_up(&s, 1, PORT0 + 1, DP_SRTP_AES128_CM_SHA1_80, false);
	assert_int_equal(leg_op(4, GW_IPC_MEDIA_ADD, PORT0 + 4, 0, 0), 0);
	assert_int_equal(leg_op(4, GW_IPC_MEDIA_MODE, 0, GW_IPC_MEDIA_F_PLAIN, 0), 0);
	peer.leg_id = 4;
	peer.peer_port = 7002;
	assert_int_equal(cmd(w0, GW_IPC_MEDIA_LEG_REQ, &peer), 0);
	assert_int_equal(leg_op(1, GW_IPC_MEDIA_MODE, 0, GW_IPC_MEDIA_F_LATCH | GW_IPC_MEDIA_F_HANDOVER,
				0), 0);
	assert_int_equal(leg_op(1, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_BRIDGE, 4), 0);
	assert_int_equal(leg_op(4, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_BRIDGE, 1), 0);
	s2 = s;
	s2.ip = PEER(23);
	len = rtp_packet(pkt, 0x5, 1, 40);
	browser_send(&s, pkt, len, false, wire, &wlen);
	deliver(&s, wire, wlen);                  /* latches s */
	last_plain_to(PEER(9), PORT0 + 4, 7002);
	len = rtp_packet(pkt, 0x5, 2, 40);
	browser_send(&s, pkt, len, false, wire, &wlen);
	wire[wlen - 1] ^= 1;
	deliver(&s2, wire, wlen);
	assert_int_equal(leg_cnt(1, GW_IPC_MEDIA_CNT_auth_fail), 1);
	assert_int_equal(leg_cnt(1, GW_IPC_MEDIA_CNT_handover), 0);
	deliver(&p4, pkt, len);
	{
		size_t got;

		(void)received(dp_harness_n_sent - 1, &s, &got, false);
	}
	wire[wlen - 1] ^= 1;
	deliver(&s2, wire, wlen);
	last_plain_to(PEER(9), PORT0 + 4, 7002);
	assert_int_equal(leg_cnt(1, GW_IPC_MEDIA_CNT_handover), 1);
	len = rtp_packet(pkt, 0x9, 2, 40);
	deliver(&p4, pkt, len);
	{
		size_t got;

		(void)received(dp_harness_n_sent - 1, &s2, &got, false);
	}

	for (uint32_t id = 1; id <= 4; id++)
		assert_int_equal(leg_op(id, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	browser_down(&s);
	all_free();
}

/* RTP with a timestamp and payload type. */
static size_t
rtp_packet_ts(uint8_t *p, uint32_t ssrc, uint16_t seq, uint32_t ts, uint8_t pt, size_t payload)
{
	size_t n = rtp_packet(p, ssrc, seq, payload);

	p[1] = pt;
	p[4] = (uint8_t)(ts >> 24);
	p[5] = (uint8_t)(ts >> 16);
	p[6] = (uint8_t)(ts >> 8);
	p[7] = (uint8_t)ts;
	return n;
}

/* GW_IPC_MEDIA_DEMUX slot of leg id: payload types pts[0..n) to leg to_rtp,
 * RTCP to to_rtcp. */
static int
demux_cmd(uint32_t id, uint8_t slot, uint32_t to_rtp, uint32_t to_rtcp, const uint8_t *pts,
	  unsigned n)
{
	struct gw_ipc_msg q = { .type = GW_IPC_MEDIA_LEG_REQ };
	unsigned before = n_evts;

	q.u.media_demux.leg_id = id;
	q.u.media_demux.op = GW_IPC_MEDIA_DEMUX;
	q.u.media_demux.slot = slot;
	q.u.media_demux.to_rtp = to_rtp;
	q.u.media_demux.to_rtcp = to_rtcp;
	for (unsigned i = 0; i < n; i++)
		q.u.media_demux.pt_mask[pts[i] / 8] |= (uint8_t)(1u << (pts[i] % 8));
	registered[GW_IPC_MEDIA_LEG_REQ](w0, &q);
	assert_int_equal(n_evts, before + 1);
	assert_int_equal(last_evt.u.media_evt.op, GW_IPC_MEDIA_DEMUX);
	return last_evt.status;
}

/* Calls with BUNDLE (issue 9): a browser's audio+video on one SRTP leg,
 * bridged with a SIP party's two plain sections (RTP and RTCP port each).
 * The browser's RTP goes by payload type to its section (audio PT 0 to the
 * audio port, VP8 96 and its RTX 97 to the video port, a type of no section
 * dropped); its SRTCP to both sections' RTCP ports; each section's RTP and
 * RTCP to the browser under the one association's keys, SSRCs kept. */
static void
test_bundle_demux(void **state)
{
	static const uint8_t audio[] = { 0, 111 }, video[] = { 96, 97 }, clash[] = { 8, 96 };
	struct browser b;
	struct browser sa = { .leg_id = 2, .port = PORT0 + 2, .ip = PEER(9), .sport = 6000 };
	struct browser sv = { .leg_id = 4, .port = PORT0 + 4, .ip = PEER(9), .sport = 6002 };
	struct browser svc = { .leg_id = 5, .port = PORT0 + 5, .ip = PEER(9), .sport = 6003 };
	uint8_t pkt[1500], wire[1600];
	size_t len, wlen, got;
	const uint8_t *p;

	(void)state;
	browser_up(&b, 1, PORT0 + 1, DP_SRTP_AES128_CM_SHA1_80, false);
	for (uint32_t id = 2; id <= 5; id++) {
		struct gw_ipc_media_leg peer = { .leg_id = id, .op = GW_IPC_MEDIA_PEER,
						 .peer_ip = PEER(9),
						 .peer_port = (uint16_t)(6000 + id - 2) };

		assert_int_equal(leg_op(id, GW_IPC_MEDIA_ADD, (uint16_t)(PORT0 + id), 0, 0), 0);
		assert_int_equal(leg_op(id, GW_IPC_MEDIA_MODE, 0, GW_IPC_MEDIA_F_PLAIN, 0), 0);
		assert_int_equal(cmd(w0, GW_IPC_MEDIA_LEG_REQ, &peer), 0);
		assert_int_equal(leg_op(id, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_BRIDGE, 1), 0);
	}
	/* a DEMUX needs a BRIDGE leg */
	assert_int_equal(demux_cmd(1, 0, 2, 3, audio, 2), -EINVAL);
	assert_int_equal(leg_op(1, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_BRIDGE, 2), 0);
	assert_int_equal(leg_op(1, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_BRIDGE_RTCP, 3), 0);
	assert_int_equal(demux_cmd(1, 0, 2, 3, audio, 2), 0);
	assert_int_equal(demux_cmd(1, 1, 4, 5, video, 2), 0);
	/* refused: a type of another slot, an unknown leg, itself, slot 16 */
	assert_int_equal(demux_cmd(1, 2, 4, 5, clash, 2), -EEXIST);
	assert_int_equal(demux_cmd(1, 2, 99, 5, audio, 0), -ENOENT);
	assert_int_equal(demux_cmd(1, 2, 1, 1, audio, 0), -ENOENT);
	assert_int_equal(demux_cmd(1, GW_IPC_MEDIA_DEMUX_SLOTS, 4, 5, audio, 0), -EINVAL);

	/* audio (PT 0) to the audio port, video (96, RTX 97) to the video port */
	len = rtp_packet_ts(pkt, 0x1111, 1, 160, 0, 160);
	browser_send(&b, pkt, len, false, wire, &wlen);
	deliver(&b, wire, wlen);
	p = plain_sent(0, PEER(9), PORT0 + 2, 6000, &got);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, len);
	len = rtp_packet_ts(pkt, 0x2222, 1, 3000, 96, 900);
	browser_send(&b, pkt, len, false, wire, &wlen);
	deliver(&b, wire, wlen);
	p = plain_sent(1, PEER(9), PORT0 + 4, 6002, &got);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, len);
	len = rtp_packet_ts(pkt, 0x3333, 1, 3000, 97 | 0x80, 300);     /* marker kept */
	browser_send(&b, pkt, len, false, wire, &wlen);
	deliver(&b, wire, wlen);
	p = plain_sent(2, PEER(9), PORT0 + 4, 6002, &got);
	assert_int_equal(p[1], 97 | 0x80);
	/* a type of no section: dropped, counted on the WebRTC leg */
	len = rtp_packet_ts(pkt, 0x1111, 2, 320, 8, 160);
	browser_send(&b, pkt, len, false, wire, &wlen);
	deliver(&b, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 3);
	assert_int_equal(leg_cnt(1, GW_IPC_MEDIA_CNT_dropped), 1);
	/* SRTCP: plain RTCP to both sections' RTCP ports */
	len = sr_packet(pkt, 0x1111);
	browser_send(&b, pkt, len, true, wire, &wlen);
	deliver(&b, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 5);
	p = plain_sent(3, PEER(9), PORT0 + 3, 6001, &got);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, len);
	p = plain_sent(4, PEER(9), PORT0 + 5, 6003, &got);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, len);
	/* each SIP section's RTP and RTCP to the browser, one key set, SSRCs kept */
	len = rtp_packet_ts(pkt, 0xa0a0, 1, 160, 0, 160);
	deliver(&sa, pkt, len);
	p = received(5, &b, &got, false);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, len);
	len = rtp_packet_ts(pkt, 0xb0b0, 1, 3000, 96, 800);
	deliver(&sv, pkt, len);
	p = received(6, &b, &got, false);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, len);
	len = sr_packet(pkt, 0xb0b0);
	deliver(&svc, pkt, len);
	p = received(7, &b, &got, true);
	assert_int_equal(got, len);
	/* slot 1 cleared: video has no section any more */
	assert_int_equal(demux_cmd(1, 1, 0, 0, NULL, 0), 0);
	len = rtp_packet_ts(pkt, 0x2222, 2, 6000, 96, 900);
	browser_send(&b, pkt, len, false, wire, &wlen);
	deliver(&b, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 8);
	/* ... and 96 may go to another slot now */
	assert_int_equal(demux_cmd(1, 2, 4, 5, clash, 2), 0);
	/* the audio leg goes: its slot has nowhere to send, nothing breaks */
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	len = rtp_packet_ts(pkt, 0x1111, 3, 480, 0, 160);
	browser_send(&b, pkt, len, false, wire, &wlen);
	deliver(&b, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 8);
	for (uint32_t id = 1; id <= 5; id++)
		if (id != 2)
			assert_int_equal(leg_op(id, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	browser_down(&b);
	all_free();
}

/* A generic NACK (RFC 4585 §6.2.1) from sender for media, n FCI entries. */
static size_t
nack_packet(uint8_t *p, uint32_t sender, uint32_t media, const uint16_t (*fci)[2], unsigned n)
{
	size_t len = pli_packet(p, sender, media);

	p[0] = 0x81;
	p[1] = 205;
	p[3] = (uint8_t)(2 + n);
	for (unsigned i = 0; i < n; i++, len += 4) {
		p[len] = (uint8_t)(fci[i][0] >> 8);
		p[len + 1] = (uint8_t)fci[i][0];
		p[len + 2] = (uint8_t)(fci[i][1] >> 8);
		p[len + 3] = (uint8_t)fci[i][1];
	}
	return len;
}

/* The publisher sends seq; every subscriber frame is decrypted by its browser
 * unless lost, then the frames are freed. */
static void
publish_one(struct browser *pub, struct browser *subs, unsigned n_subs, uint32_t ssrc,
	    uint16_t seq, bool lost)
{
	uint8_t pkt[1500], wire[1600];
	size_t len, wlen, got;

	len = rtp_packet(pkt, ssrc, seq, 900);
	browser_send(pub, pkt, len, false, wire, &wlen);
	deliver(pub, wire, wlen);
	assert_int_equal(dp_harness_n_sent, n_subs);
	for (unsigned i = 0; i < dp_harness_n_sent && !lost; i++) {
		struct gw_ipv4_view ip;
		struct gw_udp_view u;

		assert_int_equal(dp_harness_views(dp_harness_sent[i], &ip, &u), 0);
		for (unsigned k = 0; k < n_subs; k++)
			if (subs[k].ip == ip.dst)
				assert_memory_equal(received(i, &subs[k], &got, false), pkt, len);
	}
	dp_harness_sent_reset();
}

/* A subscriber's NACK answered from the publisher's cache: the packets the
 * cache holds come back to it under its own keys with their SSRC and sequence
 * number (its replay window takes them: it never got them), the rest is asked
 * of the publisher in a rewritten NACK; a NACK repeated at once is not
 * answered twice; the cache's mbufs go back to the pool with the leg. */
static void
test_nack(void **state)
{
	struct browser pub, sub[2];
	uint8_t pkt[1500], wire[1600];
	size_t len, wlen, got;
	const uint8_t *p;
	uint64_t answered0 = w0->cnt[GW_CNT_MEDIA_NACK_ANSWERED];
	uint64_t limited0 = w0->cnt[GW_CNT_MEDIA_NACK_LIMITED];
	unsigned avail0 = rte_mempool_avail_count(pool);

	(void)state;
	fake_now = dp.tsc_hz;
	browser_up(&pub, 40, PORT0 + 40, DP_SRTP_AEAD_AES_128_GCM, false);
	assert_int_equal(leg_op(40, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_PUBLISH, 0), 0);
	browser_up(&sub[0], 41, PORT0 + 41, DP_SRTP_AEAD_AES_128_GCM, false);
	browser_up(&sub[1], 42, PORT0 + 42, DP_SRTP_AES128_CM_SHA1_80, false);
	assert_int_equal(leg_op(41, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_SUBSCRIBE, 40), 0);
	assert_int_equal(leg_op(42, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_SUBSCRIBE, 40), 0);
	/* 600 packets, 1000..1599; 1590 and 1592 never reach the subscribers */
	for (uint16_t seq = 1000; seq < 1600; seq++)
		publish_one(&pub, sub, 2, 0x7777, seq, seq == 1590 || seq == 1592);
	/* the cache holds the last 512, one reference each */
	assert_int_equal(dp_rtcp_cached(), 512);
	assert_int_equal(rte_mempool_avail_count(pool), avail0 - 512);

	/* sub 0 asks for 1590 and 1592 (PID 1590, BLP bit 1) and for 1000 (evicted) */
	len = nack_packet(pkt, 0x4141, 0x7777, (const uint16_t[][2]){ { 1590, 0x0002 },
								  { 1000, 0 } }, 2);
	browser_send(&sub[0], pkt, len, true, wire, &wlen);
	deliver(&sub[0], wire, wlen);
	assert_int_equal(dp_harness_n_sent, 3);
	for (unsigned i = 0; i < 2; i++) {
		uint16_t seq = (uint16_t)(1590 + 2 * i);

		p = received(i, &sub[0], &got, false);   /* its keys, its replay window */
		len = rtp_packet(pkt, 0x7777, seq, 900);
		assert_int_equal(got, len);
		assert_memory_equal(p, pkt, len);
	}
	/* what is left goes to the publisher: PID 1000, BLP 0 */
	p = received(2, &pub, &got, true);
	assert_int_equal(got, 16);
	assert_int_equal(p[1], 205);
	assert_int_equal(p[3], 3);
	assert_memory_equal(p + 4, "RTCG", 4);
	assert_memory_equal(p + 8, "\x00\x00\x77\x77", 4);
	assert_memory_equal(p + 12, "\x03\xe8\x00\x00", 4);
	assert_int_equal(leg_cnt(41, GW_IPC_MEDIA_CNT_nack_received), 3);
	assert_int_equal(leg_cnt(41, GW_IPC_MEDIA_CNT_nack_answered), 2);
	assert_int_equal(leg_cnt(41, GW_IPC_MEDIA_CNT_nack_missed), 1);
	assert_int_equal(w0->cnt[GW_CNT_MEDIA_NACK_ANSWERED] - answered0, 2);
	dp_harness_sent_reset();

	/* the same NACK at once: nothing resent, the missing one asked again */
	len = nack_packet(pkt, 0x4141, 0x7777, (const uint16_t[][2]){ { 1590, 0x0002 },
								  { 1000, 0 } }, 2);
	browser_send(&sub[0], pkt, len, true, wire, &wlen);
	deliver(&sub[0], wire, wlen);
	assert_int_equal(dp_harness_n_sent, 1);
	assert_int_equal(w0->cnt[GW_CNT_MEDIA_NACK_LIMITED] - limited0, 2);
	p = received(0, &pub, &got, true);
	assert_memory_equal(p + 12, "\x03\xe8\x00\x00", 4);
	dp_harness_sent_reset();

	/* sub 1 (AES-CM) asks for 1592 only: all answered, nothing to the publisher */
	fake_now += dp.tsc_hz / 50;
	len = nack_packet(pkt, 0x4242, 0x7777, (const uint16_t[][2]){ { 1592, 0 } }, 1);
	browser_send(&sub[1], pkt, len, true, wire, &wlen);
	deliver(&sub[1], wire, wlen);
	assert_int_equal(dp_harness_n_sent, 1);
	p = received(0, &sub[1], &got, false);
	len = rtp_packet(pkt, 0x7777, 1592, 900);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, len);
	assert_int_equal(leg_cnt(42, GW_IPC_MEDIA_CNT_nack_answered), 1);
	assert_int_equal(leg_cnt(42, GW_IPC_MEDIA_CNT_nack_missed), 0);
	dp_harness_sent_reset();

	/* a compound [NACK all cached][PLI] (Chromium puts REMB or PLI after
	 * its NACK): the NACK is taken out whole, the PLI alone goes on */
	fake_now += dp.tsc_hz / 50;
	len = nack_packet(pkt, 0x4242, 0x7777, (const uint16_t[][2]){ { 1590, 0 } }, 1);
	len += pli_packet(pkt + len, 0x4242, 0x7777);
	browser_send(&sub[1], pkt, len, true, wire, &wlen);
	deliver(&sub[1], wire, wlen);
	assert_int_equal(dp_harness_n_sent, 2);
	(void)received(0, &sub[1], &got, false);  /* 1590 resent */
	p = received(1, &pub, &got, true);
	assert_int_equal(got, 12);
	assert_int_equal(p[1], 206);
	assert_memory_equal(p + 4, "RTCG", 4);
	dp_harness_sent_reset();

	/* the publisher goes: its cache's mbufs with it */
	assert_int_equal(leg_op(40, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	assert_int_equal(dp_rtcp_cached(), 0);
	assert_int_equal(rte_mempool_avail_count(pool), avail0);
	assert_int_equal(leg_op(41, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	assert_int_equal(leg_op(42, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	browser_down(&pub);
	browser_down(&sub[0]);
	browser_down(&sub[1]);
	all_free();
}

/* The report block the publisher gets about ssrc in the RR frame i. */
struct rr_block {
	uint32_t ssrc, ext_max, jitter, lsr, dlsr;
	uint8_t fraction;
	int32_t lost;
};

static void
rr_received(unsigned i, struct browser *pub, struct rr_block *rb)
{
	size_t got;
	const uint8_t *p = received(i, pub, &got, true);

	assert_int_equal(got, 8 + 24 + 16);
	assert_int_equal(p[0], 0x81);             /* V=2, RC=1 */
	assert_int_equal(p[1], 201);
	assert_int_equal(p[3], 7);
	assert_memory_equal(p + 4, "RTCG", 4);
	rb->ssrc = (uint32_t)p[8] << 24 | (uint32_t)p[9] << 16 | (uint32_t)p[10] << 8 | p[11];
	rb->fraction = p[12];
	rb->lost = (int32_t)((uint32_t)p[13] << 24 | (uint32_t)p[14] << 16 | (uint32_t)p[15] << 8) >> 8;
	rb->ext_max = (uint32_t)p[16] << 24 | (uint32_t)p[17] << 16 | (uint32_t)p[18] << 8 | p[19];
	rb->jitter = (uint32_t)p[20] << 24 | (uint32_t)p[21] << 16 | (uint32_t)p[22] << 8 | p[23];
	rb->lsr = (uint32_t)p[24] << 24 | (uint32_t)p[25] << 16 | (uint32_t)p[26] << 8 | p[27];
	rb->dlsr = (uint32_t)p[28] << 24 | (uint32_t)p[29] << 16 | (uint32_t)p[30] << 8 | p[31];
	/* SDES with the CNAME */
	assert_int_equal(p[32], 0x81);
	assert_int_equal(p[33], 202);
	assert_memory_equal(p + 36, "RTCG", 4);
	assert_int_equal(p[40], 1);
	assert_int_equal(p[41], 5);
	assert_memory_equal(p + 42, "rtcgw", 5);
}

/* The gateway's receiver reports to a publisher: a 30 fps video stream at
 * 90 kHz with two packets lost and one 10 ms late, an SR from the publisher;
 * the report's loss, highest sequence number, jitter (against a floating
 * point reference of RFC 3550 A.8) and LSR/DLSR; none once the leg is gone. */
static void
test_rr(void **state)
{
	struct browser pub;
	uint8_t pkt[1500], wire[1600];
	size_t len, wlen;
	struct rr_block rb;
	const uint64_t frame = dp.tsc_hz / 30;
	uint64_t t_sr, t0;
	double jit = 0, last_transit = 0;
	bool have = false;
	uint64_t rr0 = w0->cnt[GW_CNT_MEDIA_RR_SENT];

	(void)state;
	fake_now = t0 = 100 * dp.tsc_hz;
	dp_media_tick(w0, fake_now);              /* nothing heard yet: no report */
	browser_up(&pub, 50, PORT0 + 50, DP_SRTP_AEAD_AES_128_GCM, false);
	assert_int_equal(leg_op(50, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_PUBLISH, 0), 0);
	fake_now += 2 * dp.tsc_hz;
	dp_media_tick(w0, fake_now);
	assert_int_equal(dp_harness_n_sent, 0);
	t0 = fake_now;           /* the next round is due within 1.5 s: before the first RR below */
	/* 1..40 at 30 fps, 20 and 21 lost */
	for (uint16_t seq = 1; seq <= 40; seq++) {
		fake_now = t0 + seq * frame;
		if (seq == 20 || seq == 21)
			continue;
		len = rtp_packet_ts(pkt, 0x9999, seq, 5000u + 3000u * seq, 96, 500);
		browser_send(&pub, pkt, len, false, wire, &wlen);
		deliver(&pub, wire, wlen);
	}
	/* the SR: NTP 0x11223344.55667788 -> LSR 0x33445566 */
	len = sr_packet(pkt, 0x9999);
	memcpy(pkt + 8, "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	browser_send(&pub, pkt, len, true, wire, &wlen);
	t_sr = fake_now;
	deliver(&pub, wire, wlen);
	fake_now += dp.tsc_hz / 4;                /* 0.25 s later: DLSR 16384 */
	dp_media_tick(w0, fake_now);
	assert_int_equal(dp_harness_n_sent, 1);
	rr_received(0, &pub, &rb);
	assert_int_equal(rb.ssrc, 0x9999);
	assert_int_equal(rb.ext_max, 40);
	assert_int_equal(rb.lost, 2);
	assert_int_equal(rb.fraction, 2 * 256 / 40);
	assert_int_equal(rb.jitter, 0);           /* the clock rate was not known yet */
	assert_int_equal(rb.lsr, 0x33445566);
	assert_int_equal(rb.dlsr, ((fake_now - t_sr) << 16) / dp.tsc_hz);
	assert_true(rb.dlsr >= 16383 && rb.dlsr <= 16385);
	dp_harness_sent_reset();

	/* 41..70, 55 arrives 10 ms late; the reference jitter alongside */
	for (uint16_t seq = 41; seq <= 70; seq++) {
		uint32_t ts = 5000u + 3000u * seq;
		double arrival, transit;

		fake_now = t0 + seq * frame + (seq == 55 ? dp.tsc_hz / 100 : 0);
		len = rtp_packet_ts(pkt, 0x9999, seq, ts, 96, 500);
		browser_send(&pub, pkt, len, false, wire, &wlen);
		deliver(&pub, wire, wlen);
		arrival = (double)(fake_now - t0) * 90000.0 / (double)dp.tsc_hz;
		transit = arrival - ts;
		if (have) {
			double d = transit - last_transit;

			jit += ((d < 0 ? -d : d) - jit) / 16;
		}
		last_transit = transit;
		have = true;
	}
	fake_now += 2 * dp.tsc_hz;
	dp_media_tick(w0, fake_now);
	assert_int_equal(dp_harness_n_sent, 1);
	rr_received(0, &pub, &rb);
	assert_int_equal(rb.ext_max, 70);
	assert_int_equal(rb.lost, 2);
	assert_int_equal(rb.fraction, 0);         /* nothing lost in this interval */
	assert_true(jit > 30);             /* 900 units late, then 14 packets of decay: about 44 */
	assert_true((double)rb.jitter > jit - 3 && (double)rb.jitter < jit + 3);
	assert_int_equal(rb.lsr, 0x33445566);
	assert_int_equal(rb.dlsr, ((fake_now - t_sr) << 16) / dp.tsc_hz);
	assert_int_equal(w0->cnt[GW_CNT_MEDIA_RR_SENT] - rr0, 2);
	assert_int_equal(leg_cnt(50, GW_IPC_MEDIA_CNT_rtcp_out), 2);
	dp_harness_sent_reset();

	/* the leg gone: no more reports */
	assert_int_equal(leg_op(50, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	fake_now += 2 * dp.tsc_hz;
	dp_media_tick(w0, fake_now);
	assert_int_equal(dp_harness_n_sent, 0);
	assert_int_equal(w0->cnt[GW_CNT_MEDIA_RR_SENT] - rr0, 2);
	/* only worker 0 reports */
	dp_media_tick(w1, fake_now + 10 * dp.tsc_hz);
	browser_down(&pub);
	all_free();
}

/* The clock rate learned from the streams: a 48 kHz audio stream stops being
 * cached (its packets go back to the pool) while 90 kHz video stays; a NACK
 * for audio is then asked of the publisher, one for video answered. */
static void
test_rate_learn(void **state)
{
	struct browser pub, sub;
	uint8_t pkt[1500], wire[1600];
	size_t len, wlen;
	const uint64_t t0 = 1000 * dp.tsc_hz, tick = dp.tsc_hz / 50;   /* 20 ms */
	unsigned avail0 = rte_mempool_avail_count(pool);

	(void)state;
	fake_now = t0;
	browser_up(&pub, 60, PORT0 + 60, DP_SRTP_AEAD_AES_128_GCM, false);
	browser_up(&sub, 61, PORT0 + 61, DP_SRTP_AEAD_AES_128_GCM, false);
	assert_int_equal(leg_op(60, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_PUBLISH, 0), 0);
	assert_int_equal(leg_op(61, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_SUBSCRIBE, 60), 0);
	dp_media_tick(w0, t0);                    /* the next round within 1.5 s */
	for (unsigned i = 0; i < 60; i++) {      /* 1.2 s of both */
		fake_now = t0 + i * tick;
		len = rtp_packet_ts(pkt, 0xa0a0, (uint16_t)(100 + i), 960u * i, 111, 80);
		browser_send(&pub, pkt, len, false, wire, &wlen);
		deliver(&pub, wire, wlen);
		len = rtp_packet_ts(pkt, 0xb0b0, (uint16_t)(100 + i), 1800u * i, 96, 800);
		browser_send(&pub, pkt, len, false, wire, &wlen);
		deliver(&pub, wire, wlen);
		dp_harness_sent_reset();
	}
	assert_int_equal(dp_rtcp_cached(), 120);
	fake_now = t0 + 2 * dp.tsc_hz;
	dp_media_tick(w0, fake_now);              /* the RR round learns the rates */
	assert_int_equal(dp_harness_n_sent, 1);
	dp_harness_sent_reset();
	assert_int_equal(dp_rtcp_cached(), 60);   /* audio's cache released */
	assert_int_equal(rte_mempool_avail_count(pool), avail0 - 60);

	len = nack_packet(pkt, 0x6161, 0xa0a0, (const uint16_t[][2]){ { 150, 0 } }, 1);
	browser_send(&sub, pkt, len, true, wire, &wlen);
	deliver(&sub, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 1);   /* to the publisher */
	assert_int_equal(dp_harness_sent_dst[0], pub.ip);
	dp_harness_sent_reset();
	len = nack_packet(pkt, 0x6161, 0xb0b0, (const uint16_t[][2]){ { 150, 0 } }, 1);
	browser_send(&sub, pkt, len, true, wire, &wlen);
	deliver(&sub, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 1);   /* resent to the viewer */
	assert_int_equal(dp_harness_sent_dst[0], sub.ip);
	dp_harness_sent_reset();
	assert_int_equal(leg_cnt(61, GW_IPC_MEDIA_CNT_nack_answered), 1);
	assert_int_equal(leg_cnt(61, GW_IPC_MEDIA_CNT_nack_missed), 1);

	assert_int_equal(leg_op(60, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	assert_int_equal(leg_op(61, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	browser_down(&pub);
	browser_down(&sub);
	all_free();
}

/* GW_IPC_MEDIA_RTX for leg id: stream media, RTX SSRC rtx, payload type apt
 * retransmitted as rtx_pt (n 0: off). */
static int
rtx_cmd(uint32_t id, uint32_t media, uint32_t rtx, uint8_t n, uint8_t apt, uint8_t rtx_pt)
{
	struct gw_ipc_msg q = { .type = GW_IPC_MEDIA_LEG_REQ };
	unsigned before = n_evts;

	q.u.media_rtx.leg_id = id;
	q.u.media_rtx.op = GW_IPC_MEDIA_RTX;
	q.u.media_rtx.n = n;
	q.u.media_rtx.media_ssrc = media;
	q.u.media_rtx.rtx_ssrc = rtx;
	q.u.media_rtx.apt[0] = apt;
	q.u.media_rtx.rtx[0] = rtx_pt;
	q.u.media_rtx.apt[1] = 100;                  /* a second codec's pair */
	q.u.media_rtx.rtx[1] = 101;
	registered[GW_IPC_MEDIA_LEG_REQ](w0, &q);
	assert_int_equal(n_evts, before + 1);
	assert_int_equal(last_evt.u.media_evt.op, GW_IPC_MEDIA_RTX);
	return last_evt.status;
}

/* Every SRTP packet the gateway sent one viewer, by (SSRC, sequence number):
 * the same index under one key must never carry two different packets (a
 * CTR keystream or GCM nonce used twice). The test runs within one ROC, so
 * SSRC and sequence number name the index. */
#define SEEN_MAX 64
struct seen {
	unsigned n;
	struct {
		uint32_t ssrc;
		uint16_t seq;
		size_t len;
		uint8_t wire[1600];
	} e[SEEN_MAX];
};

/* Record sent frame i (before its decryption) and check it against every
 * earlier one: an index seen before must carry the very same bytes. */
static void
seen_add(struct seen *sn, unsigned i)
{
	struct gw_ipv4_view ip;
	struct gw_udp_view u;
	uint32_t ssrc;
	uint16_t seq;

	assert_true(sn->n < SEEN_MAX);
	assert_int_equal(dp_harness_views(dp_harness_sent[i], &ip, &u), 0);
	ssrc = (uint32_t)u.payload[8] << 24 | (uint32_t)u.payload[9] << 16 |
	       (uint32_t)u.payload[10] << 8 | u.payload[11];
	seq = (uint16_t)(u.payload[2] << 8 | u.payload[3]);
	for (unsigned k = 0; k < sn->n; k++) {
		if (sn->e[k].ssrc != ssrc || sn->e[k].seq != seq)
			continue;
		if (sn->e[k].len != u.payload_len ||
		    memcmp(sn->e[k].wire, u.payload, u.payload_len) != 0)
			fail_msg("SRTP index reused for other bytes: SSRC %08x seq %u", ssrc, seq);
	}
	sn->e[sn->n].ssrc = ssrc;
	sn->e[sn->n].seq = seq;
	sn->e[sn->n].len = u.payload_len;
	memcpy(sn->e[sn->n].wire, u.payload, u.payload_len);
	sn->n++;
}

/* The publisher sends an RTX packet of its own (seq pseq on 0x8888, PT 97,
 * OSN osn) to the two viewers: sub[0] (RTX negotiated) gets it renumbered
 * into its own RTX space (*next, then one more), sub[1] unchanged. */
static void
publish_rtx(struct browser *pub, struct browser *sub, struct seen *sn, uint16_t pseq,
	    uint16_t osn, uint16_t *next)
{
	uint8_t pkt[1500], wire[1600];
	size_t len, wlen, got;
	const uint8_t *p;

	len = rtp_packet(pkt, 0x8888, pseq, 300);
	pkt[1] = 97;
	pkt[12] = (uint8_t)(osn >> 8);
	pkt[13] = (uint8_t)osn;
	browser_send(pub, pkt, len, false, wire, &wlen);
	deliver(pub, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 2);
	for (unsigned i = 0; i < 2; i++) {
		struct gw_ipv4_view ip;
		struct gw_udp_view u;

		assert_int_equal(dp_harness_views(dp_harness_sent[i], &ip, &u), 0);
		if (ip.dst == sub[0].ip) {
			seen_add(sn, i);
			p = received(i, &sub[0], &got, false);
			assert_int_equal(got, len);
			assert_int_equal(p[2] << 8 | p[3], *next);
			assert_memory_equal(p + 4, pkt + 4, len - 4);
			assert_int_equal(p[1], 97);
		} else {
			p = received(i, &sub[1], &got, false);
			assert_memory_equal(p, pkt, len);      /* no RTX: as the publisher sent it */
		}
	}
	(*next)++;
	dp_harness_sent_reset();
}

/* RTX toward a viewer that negotiated it (RFC 4588): its NACKs answered with
 * RTX packets built from the cache byte for byte (RTX PT and SSRC, the
 * viewer's RTX sequence number, OSN, the original payload), the publisher's
 * own RTX packets renumbered into the same per-viewer space, one monotonic
 * stream; a NACK for the RTX stream left unanswered; every index used once.
 * A viewer without RTX: in-stream resends and the publisher's RTX as sent,
 * as before. The RTX streams' SR counts follow what each viewer got. */
static void
test_rtx(void **state)
{
	static struct seen sn;
	struct browser pub, sub[2];
	uint8_t pkt[1500], wire[1600], want[1500];
	size_t len, wlen, got;
	const uint8_t *p;
	uint16_t next = 0, osn, start = 0;
	uint64_t rtx0 = w0->cnt[GW_CNT_MEDIA_NACK_RTX];
	uint32_t rtx_octets = 0;

	(void)state;
	memset(&sn, 0, sizeof(sn));
	fake_now = dp.tsc_hz;
	browser_up(&pub, 80, PORT0 + 80, DP_SRTP_AEAD_AES_128_GCM, false);
	assert_int_equal(leg_op(80, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_PUBLISH, 0), 0);
	browser_up(&sub[0], 81, PORT0 + 81, DP_SRTP_AEAD_AES_128_GCM, false);
	browser_up(&sub[1], 82, PORT0 + 82, DP_SRTP_AES128_CM_SHA1_80, false);
	assert_int_equal(leg_op(81, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_SUBSCRIBE, 80), 0);
	assert_int_equal(leg_op(82, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_SUBSCRIBE, 80), 0);
	/* refused: a PT over 127, too many pairs, no RTX SSRC, unknown leg */
	assert_int_equal(rtx_cmd(81, 0x7777, 0x8888, 1, 96, 128), -EINVAL);
	assert_int_equal(rtx_cmd(81, 0x7777, 0x8888, GW_IPC_MEDIA_RTX_PTS + 1, 96, 97), -EINVAL);
	assert_int_equal(rtx_cmd(81, 0x7777, 0, 1, 96, 97), -EINVAL);
	assert_int_equal(rtx_cmd(99, 0x7777, 0x8888, 1, 96, 97), -ENOENT);
	assert_int_equal(rtx_cmd(81, 0x7777, 0x8888, 2, 96, 97), 0);
	/* 100..119; 105 and 110 lost on the way to both */
	for (uint16_t seq = 100; seq < 120; seq++)
		publish_one(&pub, sub, 2, 0x7777, seq, seq == 105 || seq == 110);
	/* sub 0 asks for 105 and 110 (PID 105, BLP bit 4): two RTX packets,
	 * from a random point of sub 0's RTX space; nothing to the publisher */
	len = nack_packet(pkt, 0x4141, 0x7777, (const uint16_t[][2]){ { 105, 0x0010 } }, 1);
	browser_send(&sub[0], pkt, len, true, wire, &wlen);
	deliver(&sub[0], wire, wlen);
	assert_int_equal(dp_harness_n_sent, 2);
	for (unsigned i = 0; i < 2; i++) {
		osn = (uint16_t)(i == 0 ? 105 : 110);
		len = rtp_packet(pkt, 0x7777, osn, 900);
		seen_add(&sn, i);
		p = received(i, &sub[0], &got, false);
		if (i == 0)
			next = start = (uint16_t)(p[2] << 8 | p[3]);
		/* RFC 4588 §4 by hand: PT 97, the viewer's next RTX seq, SSRC
		 * 0x8888, timestamp and marker as the original, OSN, payload */
		memcpy(want, pkt, 12);
		want[1] = 97;
		want[2] = (uint8_t)(next >> 8);
		want[3] = (uint8_t)next;
		memcpy(want + 8, "\x00\x00\x88\x88", 4);
		want[12] = (uint8_t)(osn >> 8);
		want[13] = (uint8_t)osn;
		memcpy(want + 14, pkt + 12, 900);
		assert_int_equal(got, len + 2);
		assert_memory_equal(p, want, len + 2);
		next++;
		rtx_octets += 902;
	}
	dp_harness_sent_reset();
	assert_int_equal(leg_cnt(81, GW_IPC_MEDIA_CNT_nack_answered), 2);
	assert_int_equal(leg_cnt(81, GW_IPC_MEDIA_CNT_nack_rtx), 2);
	assert_int_equal(leg_cnt(81, GW_IPC_MEDIA_CNT_nack_missed), 0);
	assert_int_equal(w0->cnt[GW_CNT_MEDIA_NACK_RTX] - rtx0, 2);
	/* the publisher's own RTX packets (answering NACKs the gateway passed
	 * on), numbered in its space as start, start + 1: the very numbers sub
	 * 0's space used for the gateway's. sub 0 gets them renumbered after
	 * those, sub 1 (no RTX) as they were sent */
	publish_rtx(&pub, sub, &sn, start, 90, &next);
	publish_rtx(&pub, sub, &sn, (uint16_t)(start + 1), 91, &next);
	rtx_octets += 600;
	/* sub 1 (no RTX) asks for 105: the original in-stream, as before */
	len = nack_packet(pkt, 0x4242, 0x7777, (const uint16_t[][2]){ { 105, 0 } }, 1);
	browser_send(&sub[1], pkt, len, true, wire, &wlen);
	deliver(&sub[1], wire, wlen);
	assert_int_equal(dp_harness_n_sent, 1);
	p = received(0, &sub[1], &got, false);
	len = rtp_packet(pkt, 0x7777, 105, 900);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, len);
	assert_int_equal(leg_cnt(82, GW_IPC_MEDIA_CNT_nack_rtx), 0);
	assert_int_equal(leg_cnt(82, GW_IPC_MEDIA_CNT_nack_answered), 1);
	dp_harness_sent_reset();
	/* sub 0 asks for 105 again after 20 ms: a new RTX packet, a new index */
	fake_now += dp.tsc_hz / 50;
	len = nack_packet(pkt, 0x4141, 0x7777, (const uint16_t[][2]){ { 105, 0 } }, 1);
	browser_send(&sub[0], pkt, len, true, wire, &wlen);
	deliver(&sub[0], wire, wlen);
	assert_int_equal(dp_harness_n_sent, 1);
	seen_add(&sn, 0);
	p = received(0, &sub[0], &got, false);
	assert_int_equal(p[2] << 8 | p[3], next);
	assert_int_equal(p[12] << 8 | p[13], 105);
	next++;
	rtx_octets += 902;
	dp_harness_sent_reset();
	assert_int_equal(sn.n, 5);
	/* sub 0 NACKs its RTX stream at start, a number the publisher's cache
	 * holds under 0x8888 for other bytes than sub 0 got under it: not
	 * answered from the cache (protect_again would put those bytes under
	 * an index sub 0's context used: a GCM nonce twice), not asked of the
	 * publisher (its numbers are not sub 0's) */
	len = nack_packet(pkt, 0x4141, 0x8888, (const uint16_t[][2]){ { start, 0 } }, 1);
	browser_send(&sub[0], pkt, len, true, wire, &wlen);
	deliver(&sub[0], wire, wlen);
	for (unsigned i = 0; i < dp_harness_n_sent; i++)
		seen_add(&sn, i);
	assert_int_equal(dp_harness_n_sent, 0);
	/* the publisher's SR for its RTX stream: each viewer's own counts
	 * (sub 0: 2 forwarded + 3 of the gateway's; sub 1: 2 forwarded) */
	len = sr_packet(pkt, 0x8888);
	browser_send(&pub, pkt, len, true, wire, &wlen);
	deliver(&pub, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 2);
	for (unsigned i = 0; i < 2; i++) {
		struct gw_ipv4_view ip;
		struct gw_udp_view u;
		unsigned k;

		assert_int_equal(dp_harness_views(dp_harness_sent[i], &ip, &u), 0);
		k = ip.dst == sub[0].ip ? 0 : 1;
		p = received(i, &sub[k], &got, true);
		assert_int_equal(got, 28);
		assert_int_equal(p[20] << 24 | p[21] << 16 | p[22] << 8 | p[23], k == 0 ? 5 : 2);
		assert_int_equal((uint32_t)p[24] << 24 | (uint32_t)p[25] << 16 |
				 (uint32_t)p[26] << 8 | p[27], k == 0 ? rtx_octets : 600);
	}
	dp_harness_sent_reset();
	/* RTX off again: in-stream resends */
	assert_int_equal(rtx_cmd(81, 0, 0, 0, 0, 0), 0);
	fake_now += dp.tsc_hz / 50;
	len = nack_packet(pkt, 0x4141, 0x7777, (const uint16_t[][2]){ { 110, 0 } }, 1);
	browser_send(&sub[0], pkt, len, true, wire, &wlen);
	deliver(&sub[0], wire, wlen);
	assert_int_equal(dp_harness_n_sent, 1);
	p = received(0, &sub[0], &got, false);
	assert_int_equal(p[2] << 8 | p[3], 110);
	assert_memory_equal(p + 8, "\x00\x00\x77\x77", 4);
	dp_harness_sent_reset();
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(leg_op(80 + i, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	browser_down(&pub);
	browser_down(&sub[0]);
	browser_down(&sub[1]);
	all_free();
}

/* The publisher's sender reports as each viewer gets them (the gateway's own
 * SRs, RFC 3550 §7): a viewer that joined after 10 of 15 packets gets its
 * own counts (5 packets, their payload octets) where the one there from the
 * start gets 15; the NTP/RTP timestamp pair kept; the report blocks (what
 * the publisher heard from the gateway) taken out, RC 0 and the length
 * fixed, the SDES after it kept; an SSRC a viewer was never sent counts 0. */
static void
test_sr_viewer(void **state)
{
	struct browser pub, sub[2];
	uint8_t pkt[1500], wire[1600];
	size_t len, wlen, got;
	const uint8_t *p;
	static const uint8_t sdes[] = { 0x81, 0xca, 0x00, 0x03, 0x00, 0x00, 0x77, 0x77,
					0x01, 0x03, 'p', 'u', 'b', 0x00, 0x00, 0x00 };

	(void)state;
	fake_now = dp.tsc_hz;
	browser_up(&pub, 85, PORT0 + 85, DP_SRTP_AEAD_AES_128_GCM, false);
	assert_int_equal(leg_op(85, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_PUBLISH, 0), 0);
	browser_up(&sub[0], 86, PORT0 + 86, DP_SRTP_AEAD_AES_128_GCM, false);
	browser_up(&sub[1], 87, PORT0 + 87, DP_SRTP_AES128_CM_SHA1_80, false);
	assert_int_equal(leg_op(86, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_SUBSCRIBE, 85), 0);
	for (uint16_t seq = 1; seq <= 10; seq++)
		publish_one(&pub, sub, 1, 0x7777, seq, false);
	assert_int_equal(leg_op(87, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_SUBSCRIBE, 85), 0);
	for (uint16_t seq = 11; seq <= 15; seq++)
		publish_one(&pub, sub, 2, 0x7777, seq, false);
	/* SR (the publisher's counts 15 / 13500, one report block) + SDES */
	len = sr_packet(pkt, 0x7777);
	pkt[0] = 0x81;
	pkt[3] = 12;
	for (unsigned i = 8; i < 20; i++)
		pkt[i] = (uint8_t)(0xa0 + i);              /* NTP and RTP timestamps */
	memcpy(pkt + 20, "\x00\x00\x00\x0f\x00\x00\x34\xbc", 8);
	memset(pkt + 28, 0x5a, 24);                         /* the block */
	memcpy(pkt + 52, sdes, sizeof(sdes));
	len = 52 + sizeof(sdes);
	browser_send(&pub, pkt, len, true, wire, &wlen);
	deliver(&pub, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 2);
	for (unsigned i = 0; i < 2; i++) {
		struct gw_ipv4_view ip;
		struct gw_udp_view u;
		unsigned k;
		uint32_t n_pk, n_oc;

		assert_int_equal(dp_harness_views(dp_harness_sent[i], &ip, &u), 0);
		k = ip.dst == sub[0].ip ? 0 : 1;
		p = received(i, &sub[k], &got, true);
		assert_int_equal(got, 28 + sizeof(sdes));
		assert_int_equal(p[0], 0x80);                   /* RC 0 */
		assert_int_equal(p[1], 200);
		assert_int_equal(p[2] << 8 | p[3], 6);
		assert_memory_equal(p + 4, pkt + 4, 16);        /* SSRC, NTP, RTP ts */
		n_pk = (uint32_t)p[20] << 24 | (uint32_t)p[21] << 16 | (uint32_t)p[22] << 8 | p[23];
		n_oc = (uint32_t)p[24] << 24 | (uint32_t)p[25] << 16 | (uint32_t)p[26] << 8 | p[27];
		assert_int_equal(n_pk, k == 0 ? 15 : 5);
		assert_int_equal(n_oc, (k == 0 ? 15 : 5) * 900);
		assert_memory_equal(p + 28, sdes, sizeof(sdes));
	}
	dp_harness_sent_reset();
	/* an SR for an SSRC never sent to them: 0 and 0 */
	len = sr_packet(pkt, 0x9999);
	memset(pkt + 20, 0x33, 8);
	browser_send(&pub, pkt, len, true, wire, &wlen);
	deliver(&pub, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 2);
	p = received(0, &sub[1], &got, true);
	assert_memory_equal(p + 20, "\0\0\0\0\0\0\0\0", 8);
	dp_harness_sent_reset();
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(leg_op(85 + i, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	browser_down(&pub);
	browser_down(&sub[0]);
	browser_down(&sub[1]);
	all_free();
}

/* A NACK from a viewer with a payload-type map (RTP ingest) is answered with
 * the packet as that viewer got it: its payload type, decryptable under the
 * index it was first sent with (protect_again must see the same bytes). */
static void
test_nack_ptmap(void **state)
{
	static const uint16_t fci[1][2] = { { 105, 0 } };
	struct browser pub, sub;
	uint8_t pkt[1500], wire[1600];
	size_t len, wlen, got;
	const uint8_t *p;

	(void)state;
	fake_now = dp.tsc_hz;
	browser_up(&pub, 70, PORT0 + 70, DP_SRTP_AEAD_AES_128_GCM, false);
	assert_int_equal(leg_op(70, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_PUBLISH, 0), 0);
	browser_up(&sub, 71, PORT0 + 71, DP_SRTP_AEAD_AES_128_GCM, false);
	assert_int_equal(leg_op(71, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_SUBSCRIBE, 70), 0);
	assert_int_equal(leg_op(71, GW_IPC_MEDIA_PTMAP, 0, 0,
				GW_IPC_MEDIA_PTMAP_PACK(96, 120, GW_IPC_MEDIA_PT_NONE, 0)), 0);
	for (uint16_t seq = 100; seq < 110; seq++) {
		len = rtp_packet(pkt, 0x4242, seq, 500);            /* PT 96 */
		browser_send(&pub, pkt, len, false, wire, &wlen);
		deliver(&pub, wire, wlen);
		assert_int_equal(dp_harness_n_sent, 1);
		if (seq != 105) {                                  /* 105: lost on the way */
			p = received(0, &sub, &got, false);
			assert_int_equal(p[1] & 0x7f, 120);
		}
		dp_harness_sent_reset();
	}
	len = nack_packet(pkt, 0x5151, 0x4242, fci, 1);
	browser_send(&sub, pkt, len, true, wire, &wlen);
	deliver(&sub, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 1);                  /* resent, nothing to the publisher */
	p = received(0, &sub, &got, false);
	assert_int_equal(p[1] & 0x7f, 120);
	assert_int_equal(p[2] << 8 | p[3], 105);
	assert_int_equal(got, 12 + 500);
	dp_harness_sent_reset();
	assert_int_equal(leg_op(70, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	assert_int_equal(leg_op(71, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	browser_down(&pub);
	browser_down(&sub);
	all_free();
}

/* RTP ingest: a plain, latching publisher (ffmpeg) fanned out to two viewers,
 * one with a payload-type map (its offer put the codecs elsewhere): its copy
 * carries the mapped PT (marker bit kept), the other's and RTCP are unchanged;
 * a viewer's PLI goes to the latched sender in plain. */
static void
test_ingest_ptmap(void **state)
{
	struct browser ff = { .leg_id = 30, .port = PORT0 + 30, .ip = PEER(7), .sport = 7000 };
	struct browser sub[2];
	uint8_t pkt[1500], wire[1600];
	size_t len, wlen, got;
	const uint8_t *p;

	(void)state;
	assert_int_equal(leg_op(30, GW_IPC_MEDIA_ADD, PORT0 + 30, 0, 0), 0);
	assert_int_equal(leg_op(30, GW_IPC_MEDIA_MODE, 0, GW_IPC_MEDIA_F_PLAIN | GW_IPC_MEDIA_F_LATCH,
				0), 0);
	assert_int_equal(leg_op(30, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_PUBLISH, 0), 0);
	for (unsigned i = 0; i < 2; i++) {
		browser_up(&sub[i], 31 + i, (uint16_t)(PORT0 + 31 + i), DP_SRTP_AEAD_AES_128_GCM,
			   false);
		assert_int_equal(leg_op(31 + i, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_SUBSCRIBE, 30),
				 0);
	}
	/* bad maps refused; sub[1]: 96 -> 120, 111 -> 109 */
	assert_int_equal(leg_op(32, GW_IPC_MEDIA_PTMAP, 0, 0,
				GW_IPC_MEDIA_PTMAP_PACK(200, 1, GW_IPC_MEDIA_PT_NONE, 0)), -EINVAL);
	assert_int_equal(leg_op(32, GW_IPC_MEDIA_PTMAP, 0, 0,
				GW_IPC_MEDIA_PTMAP_PACK(96, 128, GW_IPC_MEDIA_PT_NONE, 0)), -EINVAL);
	assert_int_equal(leg_op(99, GW_IPC_MEDIA_PTMAP, 0, 0, 0), -ENOENT);
	assert_int_equal(leg_op(32, GW_IPC_MEDIA_PTMAP, 0, 0,
				GW_IPC_MEDIA_PTMAP_PACK(111, 109, 96, 120)), 0);
	/* VP8 (PT 96) with the marker bit */
	len = rtp_packet(pkt, 0x7777, 1, 1000);
	pkt[1] = 0x80 | 96;
	deliver(&ff, pkt, len);
	assert_int_equal(dp_harness_n_sent, 2);
	p = received(0, &sub[1], &got, false);     /* newest subscriber first */
	assert_int_equal(got, len);
	assert_int_equal(p[1], 0x80 | 120);
	assert_memory_equal(p + 2, pkt + 2, len - 2);
	p = received(1, &sub[0], &got, false);
	assert_int_equal(p[1], 0x80 | 96);
	assert_memory_equal(p, pkt, len);
	/* Opus (PT 111), no marker */
	len = rtp_packet(pkt, 0x8888, 1, 80);
	pkt[1] = 111;
	deliver(&ff, pkt, len);
	p = received(2, &sub[1], &got, false);
	assert_int_equal(p[1], 109);
	p = received(3, &sub[0], &got, false);
	assert_int_equal(p[1], 111);
	/* a PT outside the map passes unchanged */
	len = rtp_packet(pkt, 0x8888, 2, 80);
	pkt[1] = 0;
	deliver(&ff, pkt, len);
	p = received(4, &sub[1], &got, false);
	assert_int_equal(p[1], 0);
	/* the sender's SR: no payload type mapped (201..204 never are), the
	 * counts those of what each viewer was sent of 0x7777: 1 packet, 1000
	 * octets */
	len = sr_packet(pkt, 0x7777);
	deliver(&ff, pkt, len);
	assert_int_equal(dp_harness_n_sent, 8);
	p = received(6, &sub[1], &got, true);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, 20);
	assert_memory_equal(p + 20, "\x00\x00\x00\x01\x00\x00\x03\xe8", 8);
	/* a viewer's PLI: plain, to the latched sender */
	len = pli_packet(pkt, 0x5151, 0x7777);
	browser_send(&sub[1], pkt, len, true, wire, &wlen);
	deliver(&sub[1], wire, wlen);
	assert_int_equal(dp_harness_n_sent, 9);
	p = plain_sent(8, PEER(7), PORT0 + 30, 7000, &got);
	assert_int_equal(got, len);
	assert_memory_equal(p + 4, "RTCG", 4);
	/* the map cleared: PT 96 unchanged again */
	assert_int_equal(leg_op(32, GW_IPC_MEDIA_PTMAP, 0, 0,
				GW_IPC_MEDIA_PTMAP_PACK(GW_IPC_MEDIA_PT_NONE, 0,
							GW_IPC_MEDIA_PT_NONE, 0)), 0);
	len = rtp_packet(pkt, 0x7777, 2, 100);
	deliver(&ff, pkt, len);
	p = received(9, &sub[1], &got, false);
	assert_int_equal(p[1], 96);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(leg_op(30 + i, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	for (unsigned i = 0; i < 2; i++)
		browser_down(&sub[i]);
	all_free();
}

static void
test_no_leg(void **state)
{
	struct browser b = { .leg_id = 30, .port = PORT0 + 30, .ip = PEER(30), .sport = 5000 };
	uint8_t pkt[200];
	size_t len = rtp_packet(pkt, 1, 1, 20);
	uint64_t no_leg = w0->cnt[GW_CNT_MEDIA_NO_LEG], no_keys = w0->cnt[GW_CNT_MEDIA_NO_KEYS];

	(void)state;
	deliver(&b, pkt, len);
	assert_int_equal(w0->cnt[GW_CNT_MEDIA_NO_LEG] - no_leg, 1);
	assert_int_equal(leg_op(30, GW_IPC_MEDIA_ADD, PORT0 + 30, 0, 0), 0);
	deliver(&b, pkt, len);
	assert_int_equal(w0->cnt[GW_CNT_MEDIA_NO_KEYS] - no_keys, 1);
	assert_int_equal(dp_harness_n_sent, 0);
	assert_int_equal(leg_op(30, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	all_free();
}

/* Media RSS delivered to worker 1 is handed to worker 0 (the legs' owner)
 * and forwarded from its loop; without the ring (one worker) it is dropped. */
static void
test_steering(void **state)
{
	uint8_t pkt[1500], wire[1600];
	size_t len, wlen, got;
	const uint8_t *p;
	struct browser b;
	struct rte_mbuf *m;
	struct gw_ipv4_view ip;
	struct gw_udp_view u;
	uint64_t steered0 = w1->cnt[GW_CNT_MEDIA_STEERED];

	(void)state;
	assert_int_equal(dp_media_steer_create(2), 0);
	browser_up(&b, 2, PORT0 + 2, DP_SRTP_AEAD_AES_128_GCM, false);
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_ECHO, 0), 0);
	for (uint16_t seq = 1; seq <= 3; seq++) {
		len = rtp_packet(pkt, 0x2222, seq, 200);
		browser_send(&b, pkt, len, false, wire, &wlen);
		m = dp_harness_mbuf(pool, b.ip, b.sport, GW, b.port, wire, wlen);
		assert_non_null(m);
		m->port = dp.ports[0].port_id;
		assert_int_equal(dp_harness_views(m, &ip, &u), 0);
		dp_media_input(w1, 0, m, &ip, &u);
	}
	assert_int_equal(w1->cnt[GW_CNT_MEDIA_STEERED] - steered0, 3);
	assert_int_equal(dp_harness_n_sent, 0);          /* nothing until worker 0 runs */
	assert_int_equal(dp_media_poll(w1), 0);          /* only worker 0 drains */
	assert_int_equal(dp_media_poll(w0), 3);
	assert_int_equal(dp_harness_n_sent, 3);
	for (unsigned i = 0; i < 3; i++) {
		len = rtp_packet(pkt, 0x2222, (uint16_t)(i + 1), 200);
		p = received(i, &b, &got, false);
		assert_int_equal(got, len);
		assert_memory_equal(p, pkt, len);
	}
	assert_int_equal(leg_cnt(2, GW_IPC_MEDIA_CNT_rtp_in), 3);
	assert_int_equal(dp_media_poll(w0), 0);
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	browser_down(&b);
	all_free();
}

/* ---- IPv6 peers ---------------------------------------------------------------- */

#define A6(n) { 0x20, 0x01, 0, 0x02, 0, 0, 0, 0x72, [15] = (n) }
static const uint8_t gw6[16] = A6(2);

/* Leg b's peer becomes [2001:2:0:72::(10 + id)]:b->sport (b->ip 0). */
static void
peer6(struct browser *b, uint8_t addr[16])
{
	struct gw_ipc_media_leg c = { .leg_id = b->leg_id, .op = GW_IPC_MEDIA_PEER,
				      .peer_port = b->sport,
				      .peer_family = GW_IPC_FAMILY_IPV6 };
	const uint8_t a[16] = A6(0);

	memcpy(addr, a, 16);
	addr[15] = (uint8_t)(10 + b->leg_id);
	memcpy(c.peer_ip6, addr, 16);
	assert_int_equal(cmd(w0, GW_IPC_MEDIA_LEG_REQ, &c), 0);
	b->ip = 0;
}

/* The browser at src6 sends wire to the leg's port over IPv6, received by
 * worker w (w1: handed to worker 0 through the steering ring). */
static void
deliver6_on(struct dp_worker *w, const struct browser *b, const uint8_t *src6,
	    const uint8_t *wire, size_t wlen)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct gw_ipv6_view ip;
	struct gw_udp_view u;
	uint8_t *f;

	assert_non_null(m);
	f = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(GW_ETH_HLEN + GW_IPV6_HLEN +
							GW_UDP_HLEN + wlen));
	assert_non_null(f);
	memset(f, 0, GW_ETH_HLEN);
	f[12] = 0x86;
	f[13] = 0xdd;
	memcpy(f + GW_ETH_HLEN + GW_IPV6_HLEN + GW_UDP_HLEN, wire, wlen);
	gw_ipv6_encode(f + GW_ETH_HLEN, src6, gw6, GW_IPPROTO_UDP, 64,
		       (uint16_t)(GW_UDP_HLEN + wlen));
	gw_udp6_encode(f + GW_ETH_HLEN + GW_IPV6_HLEN, src6, gw6, b->sport, b->port,
		       (uint16_t)wlen);
	assert_int_equal(gw_ipv6_parse(&ip, f + GW_ETH_HLEN, GW_IPV6_HLEN + GW_UDP_HLEN + wlen), 0);
	assert_int_equal(gw_udp6_parse(&u, &ip, 0), 0);
	m->port = dp.ports[0].port_id;
	dp_media6_input(w, 0, m, &ip, &u);
}

static void
deliver6(const struct browser *b, const uint8_t *src6, const uint8_t *wire, size_t wlen)
{
	deliver6_on(w0, b, src6, wire, wlen);
}

/* Sent frame i is UDP/IPv6 from [gw6]:leg port to [dst6]:b->sport, handed
 * to NDP for dst6, its UDP checksum valid (gw_udp6_parse checks it, and a
 * zero one is refused); returns the plaintext b's receive context recovers. */
static const uint8_t *
received6(unsigned i, struct browser *b, const uint8_t *dst6, size_t *len, bool rtcp)
{
	struct gw_ipv6_view ip;
	struct gw_udp_view u;
	struct rte_mbuf *m;
	uint8_t *p;

	assert_true(i < dp_harness_n_sent);
	m = dp_harness_sent[i];
	assert_int_equal(rte_pktmbuf_data_len(m), rte_pktmbuf_pkt_len(m));
	assert_int_equal(gw_ipv6_parse(&ip, rte_pktmbuf_mtod(m, uint8_t *) + GW_ETH_HLEN,
				       rte_pktmbuf_pkt_len(m) - GW_ETH_HLEN), 0);
	assert_int_equal(ip.proto, GW_IPPROTO_UDP);
	assert_memory_equal(ip.src, gw6, 16);
	assert_memory_equal(ip.dst, dst6, 16);
	assert_memory_equal(dp_harness_sent_dst6[i], dst6, 16);
	assert_int_equal(gw_udp6_parse(&u, &ip, 0), 0);
	assert_int_equal(u.sport, b->port);
	assert_int_equal(u.dport, b->sport);
	p = (uint8_t *)(uintptr_t)u.payload;
	*len = u.payload_len;
	assert_int_equal(rtcp ? dp_srtp_rtcp_unprotect(b->rx, p, len)
			      : dp_srtp_unprotect(b->rx, p, len), 0);
	return p;
}

static void
test_ipv6_peers(void **state)
{
	uint8_t pkt[1500], wire[1600], a6[16], v6[16], p6[16];
	size_t len, wlen, got;
	const uint8_t *p;
	struct browser a, pub, sub4, sub6;

	(void)state;
	/* a port without an IPv6 address takes no IPv6 peer */
	browser_up(&a, 1, PORT0 + 1, DP_SRTP_AEAD_AES_128_GCM, true);
	{
		struct gw_ipc_media_leg c = { .leg_id = 1, .op = GW_IPC_MEDIA_PEER,
					      .peer_port = 5000, .peer_family = GW_IPC_FAMILY_IPV6,
					      .peer_ip6 = A6(9) };

		assert_int_equal(cmd(w0, GW_IPC_MEDIA_LEG_REQ, &c), -EAFNOSUPPORT);
		c.peer_family = 7;
		dp.ports[0].has_ipv6 = true;
		assert_int_equal(cmd(w0, GW_IPC_MEDIA_LEG_REQ, &c), -EINVAL);
	}
	memcpy(dp.ports[0].ipv6, gw6, 16);

	/* 1. echo to an IPv6 peer the ICE nomination named */
	peer6(&a, a6);
	assert_int_equal(leg_op(1, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_ECHO, 0), 0);
	for (uint16_t seq = 1; seq <= 3; seq++) {
		len = rtp_packet(pkt, 0x6666, seq, 1000 + seq);
		browser_send(&a, pkt, len, false, wire, &wlen);
		deliver6(&a, a6, wire, wlen);
		assert_int_equal(dp_harness_n_sent, seq);
		p = received6(seq - 1, &a, a6, &got, false);
		assert_int_equal(got, len);
		assert_memory_equal(p, pkt, len);
	}
	len = sr_packet(pkt, 0x6666);
	browser_send(&a, pkt, len, true, wire, &wlen);
	deliver6(&a, a6, wire, wlen);
	p = received6(3, &a, a6, &got, true);
	assert_memory_equal(p, pkt, len);
	/* received by another worker: steered to worker 0 as an IPv6 frame,
	 * its views rebuilt there (test_steering made the ring) */
	len = rtp_packet(pkt, 0x6666, 4, 500);
	browser_send(&a, pkt, len, false, wire, &wlen);
	deliver6_on(w1, &a, a6, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 4);
	assert_int_equal(dp_media_poll(w0), 1);
	p = received6(4, &a, a6, &got, false);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, len);
	assert_int_equal(leg_cnt(1, GW_IPC_MEDIA_CNT_rtp_out), 4);
	assert_int_equal(leg_op(1, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	browser_down(&a);
	all_free();

	/* 2. no PEER command: the first authenticated packet's IPv6 source latches */
	browser_up(&a, 1, PORT0 + 1, DP_SRTP_AES128_CM_SHA1_80, true);
	assert_int_equal(leg_op(1, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_ECHO, 0), 0);
	a6[15] = 0x77;
	len = rtp_packet(pkt, 0x6667, 1, 160);
	browser_send(&a, pkt, len, false, wire, &wlen);
	deliver6(&a, a6, wire, wlen);
	p = received6(0, &a, a6, &got, false);
	assert_memory_equal(p, pkt, len);
	assert_int_equal(leg_op(1, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	browser_down(&a);
	all_free();

	/* 3. an IPv4 publisher, an IPv4 and an IPv6 viewer; a PLI of the IPv6
	 * viewer reaches the IPv4 publisher */
	browser_up(&pub, 1, PORT0 + 1, DP_SRTP_AEAD_AES_128_GCM, false);
	browser_up(&sub4, 2, PORT0 + 2, DP_SRTP_AEAD_AES_128_GCM, false);
	browser_up(&sub6, 3, PORT0 + 3, DP_SRTP_AES128_CM_SHA1_80, false);
	peer6(&sub6, v6);
	assert_int_equal(leg_op(1, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_PUBLISH, 0), 0);
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_SUBSCRIBE, 1), 0);
	assert_int_equal(leg_op(3, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_SUBSCRIBE, 1), 0);
	len = rtp_packet(pkt, 0x1234, 1, 1100);
	browser_send(&pub, pkt, len, false, wire, &wlen);
	deliver(&pub, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 2);
	/* subscribers are a list, newest first */
	p = received6(0, &sub6, v6, &got, false);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, len);
	p = received(1, &sub4, &got, false);
	assert_memory_equal(p, pkt, len);
	fake_now += dp.tsc_hz;
	len = pli_packet(pkt, 0xabcd, 0x1234);
	browser_send(&sub6, pkt, len, true, wire, &wlen);
	deliver6(&sub6, v6, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 3);
	p = received(2, &pub, &got, true);
	assert_int_equal(got, len);
	/* 1450 bytes of RTP fit the publisher's IPv4 MTU with the GCM tag; to
	 * the IPv6 viewer (20 bytes more of header, its own tag) they do not:
	 * two fragments (Fragment header, one Identification), which put back
	 * together make a datagram with a right checksum the viewer unprotects */
	{
		const uint64_t fo0 = w0->cnt[GW_CNT_IPV6_FRAG_OUT];
		uint8_t whole[1700];
		size_t total = 0;
		struct gw_ipv6_view ip;
		struct gw_udp_view u;

		len = rtp_packet(pkt, 0x1234, 2, 1438);
		assert_int_equal(len, 1450);
		browser_send(&pub, pkt, len, false, wire, &wlen);
		deliver(&pub, wire, wlen);
		assert_int_equal(dp_harness_n_sent, 6);
		assert_int_equal(w0->cnt[GW_CNT_IPV6_FRAG_OUT] - fo0, 1);
		p = received(5, &sub4, &got, false);
		assert_memory_equal(p, pkt, len);
		for (unsigned i = 3; i < 5; i++) {
			const uint8_t *f = rte_pktmbuf_mtod(dp_harness_sent[i], const uint8_t *) +
					   GW_ETH_HLEN;
			size_t flen = rte_pktmbuf_pkt_len(dp_harness_sent[i]) - GW_ETH_HLEN;
			uint16_t off = (uint16_t)(f[42] << 8 | f[43]);

			assert_true(flen <= 1500);
			assert_int_equal(f[6], 44);                      /* Fragment header */
			assert_int_equal(f[40], GW_IPPROTO_UDP);
			assert_int_equal(off & 1, i == 3);               /* M but the last */
			assert_int_equal(off & 0xfff8, total);
			assert_memory_equal(f + 44, rte_pktmbuf_mtod(dp_harness_sent[3], uint8_t *) +
						    GW_ETH_HLEN + 44, 4);  /* one Identification */
			assert_memory_equal(dp_harness_sent_dst6[i], v6, 16);
			if (i == 3)
				memcpy(whole, f, GW_IPV6_HLEN);
			memcpy(whole + GW_IPV6_HLEN + total, f + 48, flen - 48);
			total += flen - 48;
		}
		whole[4] = (uint8_t)(total >> 8);
		whole[5] = (uint8_t)total;
		whole[6] = GW_IPPROTO_UDP;
		assert_int_equal(gw_ipv6_parse(&ip, whole, GW_IPV6_HLEN + total), 0);
		assert_int_equal(gw_udp6_parse(&u, &ip, 0), 0);       /* checksum verified */
		assert_int_equal(u.dport, sub6.sport);
		got = u.payload_len;
		assert_int_equal(dp_srtp_unprotect(sub6.rx, (uint8_t *)(uintptr_t)u.payload, &got),
				 0);
		assert_int_equal(got, len);
		assert_memory_equal(u.payload, pkt, len);
	}
	assert_int_equal(leg_op(1, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	assert_int_equal(leg_op(3, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	browser_down(&pub);
	browser_down(&sub4);
	browser_down(&sub6);
	all_free();

	/* 4. the reverse: an IPv6 publisher, an IPv4 viewer; the IPv4 viewer's
	 * PLI goes to the IPv6 publisher in place (the headers reach into the
	 * headroom of the IPv4 frame it came in) */
	browser_up(&pub, 1, PORT0 + 1, DP_SRTP_AEAD_AES_128_GCM, false);
	browser_up(&sub4, 2, PORT0 + 2, DP_SRTP_AEAD_AES_128_GCM, false);
	peer6(&pub, p6);
	assert_int_equal(leg_op(1, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_PUBLISH, 0), 0);
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_RULE, 0, GW_IPC_MEDIA_RULE_SUBSCRIBE, 1), 0);
	len = rtp_packet(pkt, 0x4321, 1, 900);
	browser_send(&pub, pkt, len, false, wire, &wlen);
	deliver6(&pub, p6, wire, wlen);
	p = received(0, &sub4, &got, false);
	assert_int_equal(got, len);
	assert_memory_equal(p, pkt, len);
	fake_now += dp.tsc_hz;
	len = pli_packet(pkt, 0xabcd, 0x4321);
	browser_send(&sub4, pkt, len, true, wire, &wlen);
	deliver(&sub4, wire, wlen);
	assert_int_equal(dp_harness_n_sent, 2);
	p = received6(1, &pub, p6, &got, true);
	assert_int_equal(got, len);
	assert_int_equal(leg_op(1, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	assert_int_equal(leg_op(2, GW_IPC_MEDIA_DEL, 0, 0, 0), 0);
	browser_down(&pub);
	browser_down(&sub4);
	all_free();
	dp.ports[0].has_ipv6 = false;
	memset(dp.ports[0].ipv6, 0, 16);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_echo),
		cmocka_unit_test(test_fan_out),
		cmocka_unit_test(test_fan_out_many),
		cmocka_unit_test(test_bridge),
		cmocka_unit_test(test_src_modes),
		cmocka_unit_test(test_rekey_half),
		cmocka_unit_test(test_bundle_demux),
		cmocka_unit_test(test_ingest_ptmap),
		cmocka_unit_test(test_nack_ptmap),
		cmocka_unit_test(test_no_leg),
		cmocka_unit_test(test_steering),
		cmocka_unit_test(test_nack),
		cmocka_unit_test(test_rr),
		cmocka_unit_test(test_rate_learn),
		cmocka_unit_test(test_rtx),
		cmocka_unit_test(test_sr_viewer),
		cmocka_unit_test(test_ipv6_peers),
	};
	int rc;

	if (dp_harness_eal_init("test_media", "rtm-unit", 256) != 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	gw_config_defaults(&conf);
	dp_harness_dp(&conf, (const uint32_t[]){ GW }, 1);
	pool = rte_pktmbuf_pool_create("rtm_media", N_MBUFS, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	dp.pool = pool;
	w0 = rte_zmalloc("w0", sizeof(*w0), RTE_CACHE_LINE_SIZE);
	w1 = rte_zmalloc("w1", sizeof(*w1), RTE_CACHE_LINE_SIZE);
	if (pool == NULL || w0 == NULL || w1 == NULL || dp_frag_init(255) != 0 ||
	    dp_srtp_pool_create(&bpool, 96) != 0 ||
	    dp_media_create(PORT0, PORT0 + 99, 48) != 0) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	w1->idx = 1;
	dp_rtcp_budget(CACHE_MBUFS);
	dp_media_clock(fake_clock);
	fake_now = 10 * dp.tsc_hz;              /* 0 reads as "never" to the limiters */
	/* every media command reaches dp_media through the IPC table */
	if (registered[GW_IPC_MEDIA_LEG_REQ] != dp_media_command ||
	    registered[GW_IPC_SRTP_ADD_REQ] != dp_media_command) {
		fprintf(stderr, "dp_media did not register its commands\n");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	dp_media_free();
	dp_srtp_pool_free(bpool);
	rte_mempool_free(pool);
	dp_harness_eal_fini("rtm-unit");
	return rc;
}
