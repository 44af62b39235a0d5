/*
 * bench_media: the dataplane's media forwarding (dataplane/media/dp_media.c)
 * on real mbufs: one publisher's SRTP packet through dp_media_input() ->
 * unprotect -> one copy + protect + UDP/IPv4 headers per subscriber ->
 * dp_arp_send_ip() (captured by tests/dp_harness.h, then freed), for echo and
 * fan-out to N subscribers, AES-GCM and AES-CM, 172-byte audio and 1200-byte
 * video. Beside it, in the same run: the bare work the path must do (dp_srtp
 * unprotect, then per subscriber a memcpy and dp_srtp protect, on flat
 * buffers) and the mbuf alloc + frame copy + free the benchmark itself spends
 * per input packet (to subtract).
 *
 * Publishing legs also keep receiver statistics and, with a cache budget,
 * a reference to every packet for NACKs (dataplane/media/dp_rtcp.c):
 * RTCGW_BENCH_NACK_CACHE=N sets the budget to N mbufs (default 0: statistics
 * only, nothing cached), so the two runs show what the cache costs.
 *
 * Not a test; prints a table. bench_media [iterations]
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_malloc.h>
#include <rte_mempool.h>

#include "dp_harness.h"
#include "dp_ipc.h"
#include "dp_media.h"
#include "dp_rtcp.h"
#include "dp_srtp.h"
#include "gw_config.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define GW       IP(198, 18, 4, 2)
#define PORT0    40000
#define MAX_SUBS 64
#define NPKT     4096           /* distinct pre-protected packets (replay window) */

static struct gw_config conf;
static struct dp_worker *w0;
static struct rte_mempool *pool;
static dp_ipc_cmd_fn *handler;

void
dp_ipc_event(struct dp_worker *w, struct gw_ipc_msg *m)
{
	(void)w;
	if (m->status != 0)
		fprintf(stderr, "command refused: %d\n", m->status);
}

int
dp_ipc_on(uint16_t type, dp_ipc_cmd_fn *fn)
{
	(void)type;
	handler = fn;
	return 0;
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void
leg(uint32_t id, uint16_t op, uint8_t rule, uint32_t pub, uint32_t peer)
{
	struct gw_ipc_msg q = { .type = GW_IPC_MEDIA_LEG_REQ };

	q.u.media_leg.leg_id = id;
	q.u.media_leg.op = op;
	q.u.media_leg.port = (uint16_t)(PORT0 + id);
	q.u.media_leg.rule = rule;
	q.u.media_leg.pub_leg_id = pub;
	q.u.media_leg.peer_ip = peer;
	q.u.media_leg.peer_port = 5000;
	handler(w0, &q);
}

static void
keys(uint32_t id, const struct dp_srtp_key *k)
{
	struct gw_ipc_msg q = { .type = GW_IPC_SRTP_ADD_REQ };

	q.u.srtp_keys.leg_id = id;
	q.u.srtp_keys.profile = k->profile;
	q.u.srtp_keys.flags = GW_IPC_SRTP_F_RECV | GW_IPC_SRTP_F_SEND;
	memcpy(q.u.srtp_keys.recv_key, k->key, sizeof(k->key));
	memcpy(q.u.srtp_keys.recv_salt, k->salt, sizeof(k->salt));
	memcpy(q.u.srtp_keys.send_key, k->key, sizeof(k->key));
	memcpy(q.u.srtp_keys.send_salt, k->salt, sizeof(k->salt));
	handler(w0, &q);
}

static uint8_t frames[NPKT][1600];
static size_t flen[NPKT];

/* Pre-protect NPKT RTP packets of size bytes as the publisher's browser. */
static int
make_frames(const struct dp_srtp_key *k, size_t size, uint32_t ssrc_base)
{
	struct dp_srtp_pool *bp;
	struct dp_srtp *tx;
	uint8_t pkt[1600];

	if (dp_srtp_pool_create(&bp, 1) != 0 || dp_srtp_create(&tx, bp, k, DP_SRTP_SEND) != 0)
		return -1;
	for (unsigned i = 0; i < NPKT; i++) {
		size_t len = size;

		memset(pkt, 0x5a, sizeof(pkt));
		pkt[0] = 0x80;
		pkt[1] = 96;
		pkt[2] = (uint8_t)(i >> 8);
		pkt[3] = (uint8_t)i;
		pkt[8] = (uint8_t)(ssrc_base >> 24);
		pkt[11] = (uint8_t)ssrc_base;
		if (dp_srtp_protect(tx, pkt, &len, sizeof(pkt)) != 0)
			return -1;
		flen[i] = dp_harness_frame(frames[i], NULL, IP(198, 18, 4, 10), 5000, GW, PORT0 + 1,
					   pkt, len, 1);
	}
	dp_srtp_free(tx);
	dp_srtp_pool_free(bp);
	return 0;
}

static struct rte_mbuf *
mbuf_of(unsigned i)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	if (m == NULL)
		return NULL;
	memcpy(rte_pktmbuf_append(m, (uint16_t)flen[i]), frames[i], flen[i]);
	return m;
}

/* ns per publisher packet through dp_media_input with n subscribers (0: echo). */
static double
run_media(const struct dp_srtp_key *k, size_t size, unsigned n, unsigned iters,
	  uint32_t ssrc_base)
{
	double t0, best = 1e18;
	uint64_t out0 = w0->cnt[GW_CNT_MEDIA_OUT];

	leg(0 + 1, GW_IPC_MEDIA_ADD, 0, 0, 0);
	keys(1, k);
	leg(1, GW_IPC_MEDIA_PEER, 0, 0, IP(198, 18, 4, 10));
	leg(1, GW_IPC_MEDIA_RULE, n == 0 ? GW_IPC_MEDIA_RULE_ECHO : GW_IPC_MEDIA_RULE_PUBLISH, 0, 0);
	for (unsigned s = 0; s < n; s++) {
		leg(2 + s, GW_IPC_MEDIA_ADD, 0, 0, 0);
		keys(2 + s, k);
		leg(2 + s, GW_IPC_MEDIA_PEER, 0, 0, IP(198, 18, 4, 11 + s));
		leg(2 + s, GW_IPC_MEDIA_RULE, GW_IPC_MEDIA_RULE_SUBSCRIBE, 1, 0);
	}
	if (make_frames(k, size, ssrc_base) != 0)
		return -1;
	for (unsigned round = 0; round < 3; round++) {
		unsigned done = 0;
		double t;

		t0 = now_ns();
		for (unsigned i = 0; i < iters && i < NPKT; i++, done++) {
			struct rte_mbuf *m = mbuf_of(i);
			struct gw_ipv4_view ip;
			struct gw_udp_view u;

			if (m == NULL || dp_harness_views(m, &ip, &u) != 0)
				return -1;
			dp_media_input(w0, 0, m, &ip, &u);
			dp_harness_sent_reset();
		}
		t = (now_ns() - t0) / done;
		if (t < best)
			best = t;
		/* fresh contexts for the next round: the same packets again */
		for (unsigned s = 0; s <= n; s++)
			keys(1 + s, k);
	}
	if (w0->cnt[GW_CNT_MEDIA_OUT] - out0 != 3ull * RTE_MIN(iters, NPKT) * (n ? n : 1)) {
		fprintf(stderr, "not every packet was forwarded: out %lu, auth %lu, replay %lu, "
			"malformed %lu, no route %lu, tx fail %lu, no keys %lu\n",
			(unsigned long)(w0->cnt[GW_CNT_MEDIA_OUT] - out0),
			(unsigned long)w0->cnt[GW_CNT_MEDIA_AUTH_FAIL],
			(unsigned long)w0->cnt[GW_CNT_MEDIA_REPLAY],
			(unsigned long)w0->cnt[GW_CNT_MEDIA_MALFORMED],
			(unsigned long)w0->cnt[GW_CNT_MEDIA_NO_ROUTE],
			(unsigned long)w0->cnt[GW_CNT_MEDIA_TX_FAIL],
			(unsigned long)w0->cnt[GW_CNT_MEDIA_NO_KEYS]);
		return -1;
	}
	for (unsigned s = 0; s <= n; s++)
		leg(1 + s, GW_IPC_MEDIA_DEL, 0, 0, 0);
	return best;
}

/* The bare work: unprotect, then per subscriber memcpy + protect, flat buffers. */
static double
run_bare(const struct dp_srtp_key *k, size_t size, unsigned n, unsigned iters)
{
	struct dp_srtp_pool *bp;
	struct dp_srtp *rx, *tx[MAX_SUBS + 1];
	static uint8_t in[1600], out[1600];
	double t0, best = 1e18;
	unsigned m = n ? n : 1;

	if (dp_srtp_pool_create(&bp, MAX_SUBS + 2) != 0 ||
	    dp_srtp_create(&rx, bp, k, DP_SRTP_RECV) != 0)
		return -1;
	for (unsigned s = 0; s < m; s++)
		if (dp_srtp_create(&tx[s], bp, k, DP_SRTP_SEND) != 0)
			return -1;
	for (unsigned round = 0; round < 3; round++) {
	double t;

	for (unsigned s = 0; round > 0 && s < m; s++) {
		dp_srtp_free(tx[s]);
		if (dp_srtp_create(&tx[s], bp, k, DP_SRTP_SEND) != 0)
			return -1;
	}
	if (round > 0) {
		dp_srtp_free(rx);
		if (dp_srtp_create(&rx, bp, k, DP_SRTP_RECV) != 0)
			return -1;
	}
	t0 = now_ns();
	for (unsigned i = 0; i < iters && i < NPKT; i++) {
		size_t len = flen[i] - (GW_ETH_HLEN + GW_IPV4_HLEN + GW_UDP_HLEN);

		memcpy(in, frames[i] + GW_ETH_HLEN + GW_IPV4_HLEN + GW_UDP_HLEN, len);
		if (dp_srtp_unprotect(rx, in, &len) != 0)
			return -1;
		for (unsigned s = 0; s < m; s++) {
			size_t l2 = len;

			memcpy(out, in, len);
			if (dp_srtp_protect(tx[s], out, &l2, sizeof(out)) != 0)
				return -1;
		}
	}
	t = (now_ns() - t0) / RTE_MIN(iters, NPKT);
	if (t < best)
		best = t;
	}
	dp_srtp_free(rx);
	for (unsigned s = 0; s < m; s++)
		dp_srtp_free(tx[s]);
	dp_srtp_pool_free(bp);
	(void)size;
	return best;
}

static double
run_mbuf_only(unsigned iters)
{
	double t0 = now_ns();

	for (unsigned i = 0; i < iters && i < NPKT; i++)
		rte_pktmbuf_free(mbuf_of(i));
	return (now_ns() - t0) / RTE_MIN(iters, NPKT);
}

/* What a publisher's RTP packet gains on its path (dp_rtcp_rtp_in: receiver
 * statistics, and with a budget a reference in the cache displacing the oldest),
 * alone: ns per packet over a stream of 1200-byte packets in 1024 mbufs. */
static double
run_rtcp_only(unsigned iters)
{
	enum { NM = 1024 };
	static struct rte_mbuf *ms[NM];
	struct dp_rtcp_pub *r;
	double best = 1e18;
	uint64_t now = rte_rdtsc();
	unsigned n = RTE_MIN(iters, NPKT);
	uint16_t seq = 1;

	if (dp_rtcp_pub_create(&r) != 0)
		return -1;
	for (unsigned i = 0; i < NM; i++) {
		uint8_t *p;

		ms[i] = rte_pktmbuf_alloc(pool);
		if (ms[i] == NULL)
			return -1;
		p = (uint8_t *)rte_pktmbuf_append(ms[i], 1242);
		memset(p, 0x5a, 1242);
		p[42] = 0x80;
		p[43] = 96;
		memset(p + 46, 0, 8);
	}
	for (unsigned round = 0; round < 3; round++) {
		double t0 = now_ns(), t;

		for (unsigned i = 0; i < n; i++, seq++) {
			struct rte_mbuf *m = ms[i % NM];
			uint8_t *p = rte_pktmbuf_mtod_offset(m, uint8_t *, 42);

			p[2] = (uint8_t)(seq >> 8);
			p[3] = (uint8_t)seq;
			dp_rtcp_rtp_in(r, m, p, 1200, now += 30000);
		}
		t = (now_ns() - t0) / n;
		if (t < best)
			best = t;
	}
	dp_rtcp_pub_free(r);
	for (unsigned i = 0; i < NM; i++)
		rte_pktmbuf_free(ms[i]);
	return best;
}

int
main(int argc, char **argv)
{
	static const struct {
		uint16_t profile;
		const char *name;
	} prof[] = { { DP_SRTP_AEAD_AES_128_GCM, "AEAD_AES_128_GCM" },
		     { DP_SRTP_AES128_CM_SHA1_80, "AES128_CM_SHA1_80" } };
	static const size_t sizes[] = { 172, 1200 };
	static const unsigned subs[] = { 0, 1, 8, 64 };
	unsigned iters = argc > 1 ? (unsigned)atoi(argv[1]) : NPKT;
	uint32_t ssrc = 1;
	const char *cache = getenv("RTCGW_BENCH_NACK_CACHE");
	unsigned budget = cache != NULL ? (unsigned)atoi(cache) : 0;

	if (dp_harness_eal_init("bench_media", "rtm-bench", 256) != 0)
		return 1;
	gw_config_defaults(&conf);
	dp_harness_dp(&conf, (const uint32_t[]){ GW }, 1);
	pool = rte_pktmbuf_pool_create("rtm_bench", 2047 + budget, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	dp_rtcp_budget(budget);
	printf("NACK cache budget: %u mbufs\n", budget);
	dp.pool = pool;
	w0 = rte_zmalloc("w0", sizeof(*w0), RTE_CACHE_LINE_SIZE);
	if (pool == NULL || w0 == NULL || dp_media_create(PORT0, PORT0 + 99, 80) != 0)
		return 1;
	printf("| profile | bytes | subscribers | dp_media ns/pkt | per subscriber | bare ns/pkt | ratio |\n");
	printf("|---|---|---|---|---|---|---|\n");
	for (unsigned p = 0; p < 2; p++) {
		for (unsigned z = 0; z < 2; z++) {
			for (unsigned s = 0; s < 4; s++) {
				struct dp_srtp_key k = { .profile = prof[p].profile };
				double mb, t, bare;
				char label[16];

				memset(k.key, 0x11 + (int)p, sizeof(k.key));
				memset(k.salt, 0x22, sizeof(k.salt));
				t = run_media(&k, sizes[z], subs[s], iters, ssrc++);
				bare = run_bare(&k, sizes[z], subs[s], iters);
				mb = run_mbuf_only(iters);
				if (t < 0 || bare < 0) {
					fprintf(stderr, "run failed\n");
					return 1;
				}
				t -= mb;
				snprintf(label, sizeof(label), subs[s] ? "%u" : "echo", subs[s]);
				printf("| %s | %zu | %s | %.0f | %.0f | %.0f | %.2f |\n", prof[p].name,
				       sizes[z], label, t, t / (subs[s] ? subs[s] : 1), bare, t / bare);
			}
		}
	}
	printf("(dp_media column: minus the benchmark's own mbuf alloc + frame copy + free, "
	       "measured in the same run)\n");
	printf("dp_rtcp_rtp_in alone (statistics%s): %.1f ns/packet\n",
	       budget != 0 ? " + cache reference" : " only", run_rtcp_only(iters));
	dp_media_free();
	rte_mempool_free(pool);
	dp_harness_eal_fini("rtm-bench");
	return 0;
}
