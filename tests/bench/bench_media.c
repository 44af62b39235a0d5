/*
 * bench_media: the dataplane's media forwarding (dataplane/media/dp_media.c)
 * on real mbufs: one publisher's SRTP packet through dp_media_input() ->
 * unprotect -> per receiving leg an mbuf with the packet protected under the
 * leg's keys + UDP/IPv4 headers -> dp_arp_send_ip() (captured by
 * tests/dp_harness.h, then freed), for echo and fan-out to 1, 10, 100 and 1000
 * viewers, AES-GCM and AES-CM, 172-byte audio and 1200-byte video. Beside it,
 * in the same run: the bare cipher work the path must do (EVP open/seal or
 * AES-CTR + HMAC-SHA1, no dp_srtp, no mbufs: one unprotect, then per viewer
 * one protect into an output buffer) and the mbuf alloc + frame copy + free
 * the benchmark itself spends per input packet (subtracted), the three taken
 * in turn and each the best of several rounds, so that load from other work
 * on the machine hits them alike.
 *
 * Publishing legs also keep receiver statistics and, with a cache budget,
 * a reference to every packet for NACKs (dataplane/media/dp_rtcp.c):
 * RTCGW_BENCH_NACK_CACHE=N sets the budget to N mbufs (default 0: statistics
 * only, nothing cached), so the two runs show what the cache costs.
 *
 * Not a test; prints a table. bench_media [iterations [media|all [viewers
 * [gcm|cm [bytes]]]]]: with "media", only the dp_media runs (bare column 1),
 * for a profiler; viewers (0 = echo), profile and bytes pick one row.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_malloc.h>
#include <rte_mempool.h>

#include <openssl/evp.h>

#include "dp_harness.h"
#include "dp_ipc.h"
#include "dp_media.h"
#include "dp_rtcp.h"
#include "dp_srtp.h"
#include "gw_config.h"
#include "hmac.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define GW       IP(198, 18, 4, 2)
#define PORT0    40000
#define MAX_SUBS 1000
#define NPKT     4096           /* distinct pre-protected packets (replay window) */
#define ROUNDS   3              /* timed rounds per measurement */
#define REPEAT   3              /* measurements per row, interleaved: best of ROUNDS x REPEAT */
#define PROTECTS_PER_ROUND 100000

static struct gw_config conf;
static struct dp_worker *w0;
static struct rte_mempool *pool;
static dp_ipc_cmd_fn *handler;
static volatile size_t sink;

void
dp_ipc_event(struct dp_worker *w, struct gw_ipc_msg *m)
{
	(void)w;
	if (m->status != 0)
		fprintf(stderr, "command refused: %d\n", m->status);
}

/* The legs here are IPv4: nothing reaches NDP (dp_ndp.c is not linked). */
void
dp_ndp_send_ip6(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *dst)
{
	(void)w, (void)pi, (void)dst;
	rte_pktmbuf_free(m);
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
run_media(const struct dp_srtp_key *k, size_t size, unsigned n, unsigned npkt,
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
		leg(2 + s, GW_IPC_MEDIA_PEER, 0, 0, IP(198, 18, 5 + s / 250, 1 + s % 250));
		leg(2 + s, GW_IPC_MEDIA_RULE, GW_IPC_MEDIA_RULE_SUBSCRIBE, 1, 0);
	}
	if (make_frames(k, size, ssrc_base) != 0)
		return -1;
	for (unsigned round = 0; round < ROUNDS; round++) {
		unsigned done = 0;
		double t;

		t0 = now_ns();
		for (unsigned i = 0; i < npkt; i++, done++) {
			struct rte_mbuf *m = mbuf_of(i);
			struct gw_ipv4_view ip;
			struct gw_udp_view u;

			if (m == NULL || dp_harness_views(m, &ip, &u) != 0)
				return -1;
			if (i % DP_BURST == 0)
				dp_worker_clock(w0);    /* as dp_classify_burst() does */
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
	if (w0->cnt[GW_CNT_MEDIA_OUT] - out0 != (uint64_t)ROUNDS * npkt * (n ? n : 1)) {
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

/*
 * The bare cipher work the path must do, in the same run: EVP calls and
 * HMAC-SHA1 from precomputed states only (no dp_srtp, no mbufs), one key for
 * every viewer. Per packet: copy it to a work buffer, authenticate + decrypt
 * it (GCM open, or HMAC verify + AES-CTR), then per viewer encrypt it into an
 * output buffer and tag it (GCM seal, or AES-CTR + HMAC). The GCM input is
 * sealed beforehand with the bare key so that the open verifies.
 */
static uint8_t bare_in[NPKT][1600];
static size_t bare_len[NPKT];

static int
bare_ctx(EVP_CIPHER_CTX **c, struct gw_hmac_sha1_key *hk, bool gcm)
{
	static const uint8_t key[16] = { 1, 2, 3 }, auth[20] = { 4, 5, 6 }, iv[16] = { 9 };

	*c = EVP_CIPHER_CTX_new();
	if (*c == NULL || gw_hmac_sha1_key_init(hk, auth, sizeof(auth)) != 0 ||
	    EVP_EncryptInit_ex(*c, gcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr(), NULL, key, iv) != 1)
		return -1;
	return 0;
}

/* Seal (GCM) or CTR + MAC (CM) in[0..n) (header 12) into out; returns the protected length. */
static size_t
bare_protect(EVP_CIPHER_CTX *c, const struct gw_hmac_sha1_key *hk, bool gcm, uint8_t iv[16],
	     const uint8_t *in, size_t n, uint8_t *out)
{
	uint8_t mac[20];
	int outl;

	memcpy(out, in, 12);
	if (gcm) {
		EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv);
		EVP_EncryptUpdate(c, NULL, &outl, in, 12);
		EVP_EncryptUpdate(c, out + 12, &outl, in + 12, (int)n - 12);
		EVP_EncryptFinal_ex(c, mac, &outl);
		EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, out + n);
		return n + 16;
	}
	EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv);
	EVP_EncryptUpdate(c, out + 12, &outl, in + 12, (int)n - 12);
	gw_hmac_sha1(hk, out, n, mac);
	memcpy(out + n, mac, 10);
	return n + 10;
}

/* Open (GCM) or MAC check + CTR (CM) b[0..n) in place; returns the plaintext length or 0. */
static size_t
bare_unprotect(EVP_CIPHER_CTX *c, const struct gw_hmac_sha1_key *hk, bool gcm,
	       uint8_t iv[16], uint8_t *b, size_t n)
{
	uint8_t mac[20];
	int outl;

	if (gcm) {
		n -= 16;
		EVP_DecryptInit_ex(c, NULL, NULL, NULL, iv);
		EVP_DecryptUpdate(c, NULL, &outl, b, 12);
		EVP_DecryptUpdate(c, b + 12, &outl, b + 12, (int)n - 12);
		EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, b + n);
		return EVP_DecryptFinal_ex(c, mac, &outl) == 1 ? n : 0;
	}
	n -= 10;
	gw_hmac_sha1(hk, b, n, mac);
	if (memcmp(mac, b + n, 10) != 0)
		return 0;
	EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv);
	EVP_EncryptUpdate(c, b + 12, &outl, b + 12, (int)n - 12);
	return n;
}

static uint8_t bare_out[1600];

/* ns per publisher packet: the bare work for n viewers (0: echo, one protect). */
static double
run_bare(uint16_t profile, size_t size, unsigned n, unsigned npkt)
{
	bool gcm = profile == DP_SRTP_AEAD_AES_128_GCM;
	EVP_CIPHER_CTX *c;
	struct gw_hmac_sha1_key hk;
	uint8_t iv[16] = { 9 }, b[1600];
	unsigned m = n ? n : 1;
	double best = 1e18;

	if (bare_ctx(&c, &hk, gcm) != 0)
		return -1;
	for (unsigned i = 0; i < npkt; i++) {
		memset(b, 0x5a, size);
		b[0] = 0x80;
		b[3] = (uint8_t)i;
		iv[11] = (uint8_t)i;
		bare_len[i] = bare_protect(c, &hk, gcm, iv, b, size, bare_in[i]);
	}
	for (unsigned round = 0; round < ROUNDS; round++) {
		double t0 = now_ns(), t;

		for (unsigned i = 0; i < npkt; i++) {
			size_t len;

			memcpy(b, bare_in[i], bare_len[i]);
			iv[11] = (uint8_t)i;
			len = bare_unprotect(c, &hk, gcm, iv, b, bare_len[i]);
			if (len == 0)
				return -1;
			for (unsigned s = 0; s < m; s++) {
				iv[12] = (uint8_t)s;
				sink += bare_protect(c, &hk, gcm, iv, b, len, bare_out);
			}
			iv[12] = 0;
		}
		t = (now_ns() - t0) / npkt;
		if (t < best)
			best = t;
	}
	EVP_CIPHER_CTX_free(c);
	gw_hmac_sha1_key_fini(&hk);
	return best;
}

static double
run_mbuf_only(unsigned npkt)
{
	double best = 1e18;

	for (unsigned round = 0; round < ROUNDS; round++) {
		double t0 = now_ns(), t;

		for (unsigned i = 0; i < npkt; i++)
			rte_pktmbuf_free(mbuf_of(i));
		t = (now_ns() - t0) / npkt;
		if (t < best)
			best = t;
	}
	return best;
}

/* Packets per timed round: about PROTECTS_PER_ROUND protects whatever the viewer count. */
static unsigned
packets_for(unsigned n, unsigned iters)
{
	unsigned p = PROTECTS_PER_ROUND / (n ? n : 1);

	p = p < 32 ? 32 : p;
	p = p > iters ? iters : p;
	return p > NPKT ? NPKT : p;
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
	static const unsigned subs[] = { 0, 1, 10, 100, 1000 };
	unsigned iters = argc > 1 ? (unsigned)atoi(argv[1]) : NPKT;
	bool only_media = argc > 2 && strcmp(argv[2], "media") == 0;
	int want_subs = argc > 3 ? atoi(argv[3]) : -1;
	const char *want_prof = argc > 4 ? argv[4] : NULL;
	size_t want_size = argc > 5 ? (size_t)atoi(argv[5]) : 0;
	uint32_t ssrc = 1;
	double mb;
	const char *cache = getenv("RTCGW_BENCH_NACK_CACHE");
	unsigned budget = cache != NULL ? (unsigned)atoi(cache) : 0;

	if (dp_harness_eal_init("bench_media", "rtm-bench", 256) != 0)
		return 1;
	gw_config_defaults(&conf);
	dp_harness_dp(&conf, (const uint32_t[]){ GW }, 1);
	pool = rte_pktmbuf_pool_create("rtm_bench", 4095 + budget, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	dp_rtcp_budget(budget);
	printf("NACK cache budget: %u mbufs\n", budget);
	dp.pool = pool;
	w0 = rte_zmalloc("w0", sizeof(*w0), RTE_CACHE_LINE_SIZE);
	if (pool == NULL || w0 == NULL || dp_media_create(PORT0, PORT0 + MAX_SUBS + 9, MAX_SUBS + 2) != 0)
		return 1;
	printf("| profile | bytes | viewers | dp_media ns/pkt | per viewer | bare cipher ns/pkt | per viewer | ratio |\n");
	printf("|---|---|---|---|---|---|---|---|\n");
	for (unsigned p = 0; p < 2; p++) {
		for (unsigned z = 0; z < 2; z++) {
			for (unsigned s = 0; s < sizeof(subs) / sizeof(subs[0]); s++) {
				struct dp_srtp_key k = { .profile = prof[p].profile };
				unsigned npkt = packets_for(subs[s], iters), m = subs[s] ? subs[s] : 1;
				double t, bare;
				char label[16];

				if ((want_subs >= 0 && (unsigned)want_subs != subs[s]) ||
				    (want_prof != NULL && strcmp(want_prof, p == 0 ? "gcm" : "cm") != 0) ||
				    (want_size != 0 && want_size != sizes[z]))
					continue;
				memset(k.key, 0x11 + (int)p, sizeof(k.key));
				memset(k.salt, 0x22, sizeof(k.salt));
				/* media, bare and the mbuf floor in turn, REPEAT times, best of
				 * each: load from other work hits all three alike. */
				t = bare = mb = 1e18;
				for (unsigned r = 0; r < REPEAT; r++) {
					double t1 = run_media(&k, sizes[z], subs[s], npkt, ssrc++);
					double b1 = only_media ? 1 : run_bare(prof[p].profile, sizes[z],
									      subs[s], npkt);
					double m1 = run_mbuf_only(npkt);

					if (t1 < 0 || b1 < 0) {
						fprintf(stderr, "run failed\n");
						return 1;
					}
					t = RTE_MIN(t, t1);
					bare = RTE_MIN(bare, b1);
					mb = RTE_MIN(mb, m1);
				}
				t -= mb;
				snprintf(label, sizeof(label), subs[s] ? "%u" : "echo", subs[s]);
				printf("| %s | %zu | %s | %.0f | %.0f | %.0f | %.0f | %.2f |\n", prof[p].name,
				       sizes[z], label, t, t / m, bare, bare / m, t / bare);
				fflush(stdout);
			}
		}
	}
	mb = run_mbuf_only(RTE_MIN(iters, NPKT));
	printf("(dp_media columns: minus the benchmark's own mbuf alloc + frame copy + free, "
	       "measured in the same run: %.0f ns/pkt for %u packets; best of %d x %d rounds of "
	       "about %d protects, at most %u packets)\n",
	       mb, RTE_MIN(iters, NPKT), REPEAT, ROUNDS, PROTECTS_PER_ROUND, RTE_MIN(iters, NPKT));
	printf("dp_rtcp_rtp_in alone (statistics%s): %.1f ns/packet\n",
	       budget != 0 ? " + cache reference" : " only", run_rtcp_only(iters));
	dp_media_free();
	rte_mempool_free(pool);
	dp_harness_eal_fini("rtm-bench");
	return 0;
}
