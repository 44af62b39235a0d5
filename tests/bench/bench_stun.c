/*
 * bench_stun: per-packet cost of the STUN server and ICE-lite responder
 * decision logic (wire/stunsrv.c: parse, checks, response encoding), against
 * the bare cryptography the same packet needs: HMAC-SHA1 (precomputed key)
 * and CRC-32 over exactly the bytes the handler hashes. Same process, same
 * run; best of several rounds. Not a test: see tests/bench/README.md.
 *
 * Excluded: mbuf handling, Ethernet/IP/UDP rewrite and TX (dp_stun.c), and
 * the rte_hash lookup (a one-entry lookup stands in for it).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include <rte_eal.h>

#include "dp_crc.h"
#include "hmac.h"
#include "stun.h"
#include "stunsrv.h"

#define ROUNDS 7

static struct gw_ice_cred cred;
static volatile uint32_t sink;

static const struct gw_ice_cred *
lookup(void *ctx, const uint8_t *u, size_t n)
{
	(void)ctx;
	return n == cred.local_ufrag_len && memcmp(u, cred.local_ufrag, n) == 0 ? &cred : NULL;
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* A check like a browser's: USERNAME, PRIORITY, ICE-CONTROLLING,
 * USE-CANDIDATE, MESSAGE-INTEGRITY, FINGERPRINT. */
static size_t
ice_request(uint8_t *buf, size_t cap)
{
	static const uint8_t txid[12] = { 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
					  0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae };
	struct gw_stun_enc e;

	gw_stun_enc_init(&e, buf, cap, gw_stun_type(GW_STUN_BINDING, GW_STUN_REQUEST), txid);
	gw_stun_enc_bytes(&e, GW_STUN_ATTR_USERNAME, "gwL0cal1:Fx3q", 13);
	gw_stun_enc_u32(&e, GW_STUN_ATTR_PRIORITY, 0x6e7f1eff);
	gw_stun_enc_u64(&e, GW_STUN_ATTR_ICE_CONTROLLING, 0x932ff9b151263b36ull);
	gw_stun_enc_bytes(&e, GW_STUN_ATTR_USE_CANDIDATE, NULL, 0);
	gw_stun_enc_integrity(&e, &cred.key);
	gw_stun_enc_fingerprint(&e);
	return gw_stun_enc_len(&e);
}

static size_t
plain_request(uint8_t *buf, size_t cap, bool fp)
{
	static const uint8_t txid[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	struct gw_stun_enc e;

	gw_stun_enc_init(&e, buf, cap, gw_stun_type(GW_STUN_BINDING, GW_STUN_REQUEST), txid);
	if (fp)
		gw_stun_enc_fingerprint(&e);
	return gw_stun_enc_len(&e);
}

typedef void run_fn(const uint8_t *req, size_t len, uint8_t *out);

static const struct gw_stun_addr src = { .family = GW_STUN_FAMILY_IPV4, .port = 54321,
					 .addr = { 198, 18, 3, 1 } };

static void
run_binding(const uint8_t *req, size_t len, uint8_t *out)
{
	struct gw_stunsrv_res res;

	gw_stunsrv_binding(req, len, &src, "rtcgw", out, GW_STUNSRV_MAX_RESP, &res);
	sink += (uint32_t)res.len;
}

static void
run_ice(const uint8_t *req, size_t len, uint8_t *out)
{
	struct gw_stunsrv_res res;

	gw_stunsrv_ice(req, len, &src, NULL, lookup, NULL, out, GW_STUNSRV_MAX_RESP, &res);
	sink += (uint32_t)res.len;
}

/* The spans the ICE handler hashes, found once from a real exchange. */
static size_t req_mi_off, req_fp_off, resp_mi_off, resp_fp_off;

/* The bare CRC-32: zlib's, then the dataplane's (dp_crc) in the second pass. */
static uint32_t
zlib_crc(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(0, p, (uInt)n);
}

static gw_stun_crc32_fn *bare_crc = zlib_crc;

static void
run_crypto_ice(const uint8_t *req, size_t len, uint8_t *out)
{
	uint8_t mac[GW_HMAC_SHA1_LEN];

	(void)len;
	/* check: HMAC over the request up to MI, CRC up to FINGERPRINT;
	 * answer: the same over the response's spans */
	gw_hmac_sha1(&cred.key, req, req_mi_off, mac);
	sink += mac[0];
	sink += bare_crc(req, req_fp_off);
	gw_hmac_sha1(&cred.key, out, resp_mi_off, mac);
	sink += mac[0];
	sink += bare_crc(out, resp_fp_off);
}

static void
run_crypto_crc2(const uint8_t *req, size_t len, uint8_t *out)
{
	sink += bare_crc(req, len - 8);
	sink += bare_crc(out, 20 + 12 + 12);
}

static double
measure(run_fn *fn, const uint8_t *req, size_t len, unsigned iters)
{
	uint8_t out[GW_STUNSRV_MAX_RESP];
	double best = 1e30;

	memset(out, 0, sizeof(out));
	run_ice(req, len, out);     /* out holds a response for the crypto runs */
	for (int r = 0; r < ROUNDS; r++) {
		double t0 = now_ns();

		for (unsigned i = 0; i < iters; i++)
			fn(req, len, out);
		double dt = (now_ns() - t0) / iters;

		if (dt < best)
			best = dt;
	}
	return best;
}

static size_t
attr_hdr_off(const uint8_t *msg, size_t len, uint16_t slot_type, int slot)
{
	struct gw_stun_view v;

	(void)slot_type;
	if (gw_stun_parse(&v, msg, len) != 0 || v.attr[slot].off == 0) {
		fprintf(stderr, "bench_stun: cannot locate attribute\n");
		exit(1);
	}
	return v.attr[slot].off - 4;
}

int
main(int argc, char **argv)
{
	unsigned iters = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000000;
	uint8_t ice_req[256], plain[64], plain_fp[64], out[GW_STUNSRV_MAX_RESP];
	struct gw_stunsrv_res res;
	size_t ni, np, npf;
	double t_bind, t_bind_fp, t_ice, t_cry, t_crc;

	if (iters == 0)
		iters = 1000000;
	if (gw_ice_cred_init(&cred, "gwL0cal1", "Fx3q", "Zh6mC0nFqDvH2sXk8pY1wRtA") != 0)
		return 1;
	ni = ice_request(ice_req, sizeof(ice_req));
	np = plain_request(plain, sizeof(plain), false);
	npf = plain_request(plain_fp, sizeof(plain_fp), true);
	if (gw_stunsrv_ice(ice_req, ni, &src, NULL, lookup, NULL, out, sizeof(out), &res) !=
	    GW_STUNSRV_ICE_OK) {
		fprintf(stderr, "bench_stun: the ICE check was not accepted\n");
		return 1;
	}
	req_mi_off = attr_hdr_off(ice_req, ni, GW_STUN_ATTR_MESSAGE_INTEGRITY,
				  GW_STUN_A_MESSAGE_INTEGRITY);
	req_fp_off = attr_hdr_off(ice_req, ni, GW_STUN_ATTR_FINGERPRINT, GW_STUN_A_FINGERPRINT);
	resp_mi_off = attr_hdr_off(out, res.len, GW_STUN_ATTR_MESSAGE_INTEGRITY,
				   GW_STUN_A_MESSAGE_INTEGRITY);
	resp_fp_off = attr_hdr_off(out, res.len, GW_STUN_ATTR_FINGERPRINT, GW_STUN_A_FINGERPRINT);

	t_bind = measure(run_binding, plain, np, iters);
	t_bind_fp = measure(run_binding, plain_fp, npf, iters);
	t_ice = measure(run_ice, ice_req, ni, iters);
	t_cry = measure(run_crypto_ice, ice_req, ni, iters);
	t_crc = measure(run_crypto_crc2, plain_fp, npf, iters);

	printf("bench_stun: %u iterations, best of %d rounds\n", iters, ROUNDS);
	printf("requests: Binding %zu bytes, Binding+FP %zu bytes, ICE check %zu bytes "
	       "(answer %zu bytes)\n", np, npf, ni, res.len);
	printf("%-52s %8.1f ns/packet\n", "Binding, no FINGERPRINT (+SOFTWARE)", t_bind);
	printf("%-52s %8.1f ns/packet\n", "Binding + FINGERPRINT (+SOFTWARE)", t_bind_fp);
	printf("%-52s %8.1f ns/packet\n", "  bare 2x CRC-32 over the same bytes", t_crc);
	printf("%-52s %8.2f\n", "  ratio handler / bare CRC", t_bind_fp / t_crc);
	printf("%-52s %8.1f ns/packet\n", "ICE check, authenticated, USE-CANDIDATE", t_ice);
	printf("%-52s %8.1f ns/packet\n", "  bare 2x HMAC-SHA1 + 2x CRC-32, same bytes", t_cry);
	printf("%-52s %8.2f\n", "  ratio handler / bare crypto", t_ice / t_cry);
	printf("%-52s %8.2f\n", "Binding (no FP) / bare ICE crypto", t_bind / t_cry);

	/* The same with the CRC the dataplane plugs in (DPDK's PCLMULQDQ
	 * rte_net_crc, which needs an EAL), for the codec and the bare figure.
	 * The EAL's runtime directory is this process's own (--file-prefix),
	 * empty with --no-shconf and --no-telemetry, and removed at the end. */
	{
		static char a0[] = "bench_stun", a1[] = "--no-huge", a2[] = "-m", a3[] = "64",
			    a4[] = "--no-shconf", a5[] = "--no-pci", a6[] = "--log-level=4",
			    a7[] = "--no-telemetry", a8[] = "--file-prefix";
		char a9[32], rundir[PATH_MAX];
		char *eal[] = { a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, NULL };
		int eal_ok;

		snprintf(a9, sizeof(a9), "bench-stun-%ld", (long)getpid());
		eal_ok = rte_eal_init(10, eal) >= 0;
		if (eal_ok)
			snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
		if (!eal_ok || dp_crc_init() != 1) {
			printf("(no vector CRC-32 here: the dataplane keeps zlib's)\n");
		} else {
			bare_crc = dp_crc32;
			t_bind_fp = measure(run_binding, plain_fp, npf, iters);
			t_ice = measure(run_ice, ice_req, ni, iters);
			t_cry = measure(run_crypto_ice, ice_req, ni, iters);
			t_crc = measure(run_crypto_crc2, plain_fp, npf, iters);
			printf("with the dataplane's CRC-32 (dp_crc: rte_net_crc, PCLMULQDQ):\n");
			printf("%-52s %8.1f ns/packet\n", "Binding + FINGERPRINT (+SOFTWARE)", t_bind_fp);
			printf("%-52s %8.1f ns/packet\n", "  bare 2x CRC-32 over the same bytes", t_crc);
			printf("%-52s %8.1f ns/packet\n", "ICE check, authenticated, USE-CANDIDATE", t_ice);
			printf("%-52s %8.1f ns/packet\n", "  bare 2x HMAC-SHA1 + 2x CRC-32, same bytes", t_cry);
			printf("%-52s %8.2f\n", "  ratio handler / bare crypto", t_ice / t_cry);
		}
		if (eal_ok) {
			rte_eal_cleanup();
			(void)rmdir(rundir);
		}
	}
	gw_ice_cred_fini(&cred);
	return sink == 0xdeadbeef;
}
