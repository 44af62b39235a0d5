/*
 * bench_srtp: per-packet cost of SRTP forwarding through dp_srtp (unprotect
 * with the publisher's receive context, protect with a subscriber's send
 * context) for 172-byte audio and 1200-byte video RTP, AEAD_AES_128_GCM and
 * AES128_CM_SHA1_80, beside in the same run:
 *   - the bare cipher on the same bytes: EVP AES-128-GCM seal + open (AAD =
 *     header), or AES-128-CTR + HMAC-SHA1 (precomputed key states, wire/hmac.h)
 *     verify + decrypt + encrypt + MAC, with the IVs built inline;
 *   - the system libsrtp2 (Debian: built against NSS) doing the same forward;
 *   - fan-out: one unprotect, then per subscriber a copy of the packet and a
 *     protect with that subscriber's own context (N subscribers).
 * Every timed loop copies the packet from a pre-built array into a work
 * buffer first (all rows pay the same copy). Best of ROUNDS rounds. Not a
 * test: see tests/bench/README.md.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <srtp2/srtp.h>

#include "dp_srtp.h"
#include "hmac.h"

#define ROUNDS 5
#define MAXPKT 1280

static unsigned n_pkts = 20000;
static unsigned n_subs = 1000;
static volatile uint32_t sink;

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_srtp: %s\n", what);
	exit(1);
}

static size_t
mkrtp(uint8_t *b, uint16_t seq, size_t len)
{
	memset(b, 0, 12);
	b[0] = 0x80;
	b[1] = 111;
	b[2] = (uint8_t)(seq >> 8);
	b[3] = (uint8_t)seq;
	b[8] = 0x12;
	b[11] = 0x34;
	for (size_t i = 12; i < len; i++)
		b[i] = (uint8_t)(i * 31 + seq);
	return len;
}

static void
mkkey(struct dp_srtp_key *k, uint16_t profile, uint8_t seed)
{
	k->profile = profile;
	for (unsigned i = 0; i < sizeof(k->key); i++)
		k->key[i] = (uint8_t)(seed + i);
	for (unsigned i = 0; i < sizeof(k->salt); i++)
		k->salt[i] = (uint8_t)(seed * 3 + i);
}

/* The input: n_pkts SRTP packets of one publisher, sequence 0.. */
struct input {
	uint8_t (*pkt)[MAXPKT];
	size_t *len;
};

static void
make_input(struct input *in, struct dp_srtp_pool *pool, uint16_t profile, size_t rtp_len)
{
	struct dp_srtp_key k;
	struct dp_srtp *tx;

	mkkey(&k, profile, 1);
	if (dp_srtp_create(&tx, pool, &k, DP_SRTP_SEND) != 0)
		die("create");
	for (unsigned i = 0; i < n_pkts; i++) {
		in->len[i] = mkrtp(in->pkt[i], (uint16_t)i, rtp_len);
		if (dp_srtp_protect(tx, in->pkt[i], &in->len[i], MAXPKT) != 0)
			die("protect input");
	}
	dp_srtp_free(tx);
}

/* ns/packet: unprotect (publisher) + protect (one subscriber) through dp_srtp. */
static double
run_dp(const struct input *in, struct dp_srtp_pool *pool, uint16_t profile)
{
	double best = 1e18;
	uint8_t b[MAXPKT];

	for (int r = 0; r < ROUNDS; r++) {
		struct dp_srtp_key k;
		struct dp_srtp *rx, *tx;
		double t0;

		mkkey(&k, profile, 1);
		if (dp_srtp_create(&rx, pool, &k, DP_SRTP_RECV) != 0)
			die("create rx");
		mkkey(&k, profile, 2);
		if (dp_srtp_create(&tx, pool, &k, DP_SRTP_SEND) != 0)
			die("create tx");
		t0 = now_ns();
		for (unsigned i = 0; i < n_pkts; i++) {
			size_t n = in->len[i];

			memcpy(b, in->pkt[i], n);
			if (dp_srtp_unprotect(rx, b, &n) != 0 || dp_srtp_protect(tx, b, &n, sizeof(b)) != 0)
				die("dp forward");
			sink += b[n - 1];
		}
		t0 = (now_ns() - t0) / n_pkts;
		best = t0 < best ? t0 : best;
		dp_srtp_free(rx);
		dp_srtp_free(tx);
	}
	return best;
}

/* The bare cipher work on the same bytes: EVP calls only, keys set once. */
static double
run_bare(const struct input *in, uint16_t profile)
{
	static const uint8_t key[16] = { 1, 2, 3 }, auth[20] = { 4, 5, 6 };
	bool gcm = profile == DP_SRTP_AEAD_AES_128_GCM;
	unsigned tag = gcm ? 16 : 10;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	struct gw_hmac_sha1_key hk;
	uint8_t b[MAXPKT], iv[16] = { 9 }, mac[20];
	double best = 1e18;
	int outl;

	if (c == NULL || gw_hmac_sha1_key_init(&hk, auth, sizeof(auth)) != 0 ||
	    EVP_EncryptInit_ex(c, gcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr(), NULL, key, iv) != 1)
		die("bare init");
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_ns();

		for (unsigned i = 0; i < n_pkts; i++) {
			size_t n = in->len[i] - tag, pl = n - 12;

			memcpy(b, in->pkt[i], in->len[i]);
			iv[11] = (uint8_t)i;
			if (gcm) {
				/* seal, then open what was sealed, so the tag verifies (a
				 * failing open costs OpenSSL an error-queue entry) */
				EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv);
				EVP_EncryptUpdate(c, NULL, &outl, b, 12);
				EVP_EncryptUpdate(c, b + 12, &outl, b + 12, (int)pl);
				EVP_EncryptFinal_ex(c, mac, &outl);
				EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, b + n);
				EVP_DecryptInit_ex(c, NULL, NULL, NULL, iv);
				EVP_DecryptUpdate(c, NULL, &outl, b, 12);
				EVP_DecryptUpdate(c, b + 12, &outl, b + 12, (int)pl);
				EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, b + n);
				if (EVP_DecryptFinal_ex(c, mac, &outl) != 1)
					die("bare GCM open");
			} else {
				gw_hmac_sha1(&hk, b, n, mac);
				sink += mac[0];
				EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv);
				EVP_EncryptUpdate(c, b + 12, &outl, b + 12, (int)pl);
				EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv);
				EVP_EncryptUpdate(c, b + 12, &outl, b + 12, (int)pl);
				gw_hmac_sha1(&hk, b, n, mac);
				memcpy(b + n, mac, tag);
			}
			sink += b[n - 1];
		}
		t0 = (now_ns() - t0) / n_pkts;
		best = t0 < best ? t0 : best;
	}
	EVP_CIPHER_CTX_free(c);
	gw_hmac_sha1_key_fini(&hk);
	return best;
}

static srtp_t
lib_session(uint16_t profile, uint8_t seed, bool outbound)
{
	struct dp_srtp_key k;
	srtp_policy_t pol;
	uint8_t key[30];
	srtp_t s;

	mkkey(&k, profile, seed);
	memset(&pol, 0, sizeof(pol));
	if (profile == DP_SRTP_AEAD_AES_128_GCM) {
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
	} else {
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	}
	memcpy(key, k.key, 16);
	memcpy(key + 16, k.salt, 14);
	pol.key = key;
	pol.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
	pol.window_size = 128;
	if (srtp_create(&s, &pol) != srtp_err_status_ok)
		die("srtp_create");
	return s;
}

static double
run_libsrtp(const struct input *in, uint16_t profile)
{
	double best = 1e18;
	uint8_t b[MAXPKT];

	for (int r = 0; r < ROUNDS; r++) {
		srtp_t rx = lib_session(profile, 1, false), tx = lib_session(profile, 2, true);
		double t0 = now_ns();

		for (unsigned i = 0; i < n_pkts; i++) {
			int n = (int)in->len[i];

			memcpy(b, in->pkt[i], (size_t)n);
			if (srtp_unprotect(rx, b, &n) != srtp_err_status_ok ||
			    srtp_protect(tx, b, &n) != srtp_err_status_ok)
				die("libsrtp forward");
			sink += b[n - 1];
		}
		t0 = (now_ns() - t0) / n_pkts;
		best = t0 < best ? t0 : best;
		srtp_dealloc(rx);
		srtp_dealloc(tx);
	}
	return best;
}

/* ns per subscriber: copy + protect, after one unprotect per packet (reported apart). */
static void
run_fanout(const struct input *in, struct dp_srtp_pool *pool, uint16_t profile,
	   double *per_sub, double *per_pkt)
{
	struct dp_srtp **subs = calloc(n_subs, sizeof(*subs));
	unsigned n = n_pkts / 20 ? n_pkts / 20 : 1;      /* each packet goes to n_subs */
	uint8_t b[MAXPKT], o[MAXPKT];
	struct dp_srtp_key k;
	struct dp_srtp *rx;
	double t0;

	if (subs == NULL)
		die("calloc");
	for (unsigned s = 0; s < n_subs; s++) {
		mkkey(&k, profile, (uint8_t)(s + 3));
		if (dp_srtp_create(&subs[s], pool, &k, DP_SRTP_SEND) != 0)
			die("create sub");
	}
	mkkey(&k, profile, 1);
	if (dp_srtp_create(&rx, pool, &k, DP_SRTP_RECV) != 0)
		die("create rx");
	t0 = now_ns();
	for (unsigned i = 0; i < n; i++) {
		size_t len = in->len[i];

		memcpy(b, in->pkt[i], len);
		if (dp_srtp_unprotect(rx, b, &len) != 0)
			die("fan-out unprotect");
		for (unsigned s = 0; s < n_subs; s++) {
			size_t m = len;

			memcpy(o, b, m);
			if (dp_srtp_protect(subs[s], o, &m, sizeof(o)) != 0)
				die("fan-out protect");
			sink += o[m - 1];
		}
	}
	*per_pkt = (now_ns() - t0) / n;
	*per_sub = *per_pkt / n_subs;
	dp_srtp_free(rx);
	for (unsigned s = 0; s < n_subs; s++)
		dp_srtp_free(subs[s]);
	free(subs);
}

int
main(int argc, char **argv)
{
	static const struct { uint16_t profile; const char *name; } profs[] = {
		{ DP_SRTP_AEAD_AES_128_GCM, "AEAD_AES_128_GCM" },
		{ DP_SRTP_AES128_CM_SHA1_80, "AES128_CM_SHA1_80" },
	};
	static const size_t sizes[] = { 172, 1200 };
	struct dp_srtp_pool *pool;
	struct input in;

	if (argc > 1)
		n_pkts = (unsigned)strtoul(argv[1], NULL, 10);
	if (argc > 2)
		n_subs = (unsigned)strtoul(argv[2], NULL, 10);
	if (n_pkts < 100 || n_pkts > 65536 || n_subs < 1 || n_subs > 100000)
		die("usage: bench_srtp [packets 100..65536] [subscribers 1..100000]");
	if (dp_srtp_selftest() != 0)
		die("self-test failed");
	if (srtp_init() != srtp_err_status_ok)
		die("srtp_init");
	if (dp_srtp_pool_create(&pool, n_subs + 4) != 0)
		die("pool");
	in.pkt = malloc((size_t)n_pkts * MAXPKT);
	in.len = malloc((size_t)n_pkts * sizeof(size_t));
	if (in.pkt == NULL || in.len == NULL)
		die("malloc");
	printf("bench_srtp: %u packets per round, best of %d; forward = unprotect + protect, "
	       "ns/packet\n", n_pkts, ROUNDS);
	printf("%-18s %5s %9s %9s %7s %9s %7s %13s\n", "profile", "bytes", "bare", "dp_srtp",
	       "ratio", "libsrtp", "ratio", "fanout/sub");
	for (unsigned p = 0; p < 2; p++)
		for (unsigned z = 0; z < 2; z++) {
			double bare, dp, lib, sub, pkt;

			make_input(&in, pool, profs[p].profile, sizes[z]);
			bare = run_bare(&in, profs[p].profile);
			dp = run_dp(&in, pool, profs[p].profile);
			lib = run_libsrtp(&in, profs[p].profile);
			run_fanout(&in, pool, profs[p].profile, &sub, &pkt);
			printf("%-18s %5zu %9.0f %9.0f %6.2fx %9.0f %6.2fx %9.0f (x%u)\n", profs[p].name,
			       sizes[z], bare, dp, dp / bare, lib, lib / bare, sub, n_subs);
		}
	free(in.pkt);
	free(in.len);
	dp_srtp_pool_free(pool);
	return (int)(sink & 0);
}
