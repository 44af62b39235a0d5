/*
 * fuzz_stun: parse, run every accessor and check on what parsed, and encode
 * an answer the way the dataplane would (STYLE.md practice 15).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "hmac.h"
#include "stun.h"
#include "stunsrv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
touch_attrs(const struct gw_stun_view *v)
{
	struct gw_stun_addr a;
	const uint8_t *p, *reason;
	size_t n, rl;
	uint32_t u32;
	uint64_t u64;
	uint16_t code, alg;

	for (int i = 0; i < GW_STUN_A_MAX; i++) {
		(void)gw_stun_get_addr(v, &v->attr[i], &a);
		(void)gw_stun_get_xor_addr(v, &v->attr[i], &a);
		(void)gw_stun_get_u32(v, &v->attr[i], &u32);
		(void)gw_stun_get_u64(v, &v->attr[i], &u64);
		if (gw_stun_get_bytes(v, &v->attr[i], &p, &n) == 0 && n > 0)
			(void)p[n - 1];    /* ASan: the span is readable */
	}
	for (unsigned i = 0; i < v->n_peers; i++)
		(void)gw_stun_get_xor_addr(v, &v->peers[i], &a);
	if (gw_stun_get_error(v, &code, &reason, &rl) == 0 && rl > 0)
		(void)reason[rl - 1];
	(void)gw_stun_get_password_algorithm(v, &alg);
}

/* Answer like the dataplane: 420, 400/401, or a Binding success. */
static void
answer(const struct gw_stun_view *v, int err, const struct gw_hmac_sha1_key *k)
{
	uint8_t buf[128];
	struct gw_stun_enc e;
	struct gw_stun_view back;
	int mi, fp;
	struct gw_stun_addr a = { .family = GW_STUN_FAMILY_IPV6, .port = 3478,
				  .addr = { 0x20, 0x01, 0x0d, 0xb8 } };

	if (gw_stun_enc_init(&e, buf, sizeof(buf),
			     gw_stun_type(v->method, err == 0 ? GW_STUN_SUCCESS : GW_STUN_ERROR),
			     v->txid) != 0)
		return;
	if (err == GW_STUN_ERR(420)) {
		(void)gw_stun_enc_error(&e, 420, "Unknown Attribute");
		(void)gw_stun_enc_unknown_attrs(&e, v->unknown, v->n_unknown);
	} else if (GW_IS_STUN_ERR(err)) {
		(void)gw_stun_enc_error(&e, (uint16_t)GW_STUN_CODE(err), "Bad Request");
	} else {
		(void)gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_MAPPED_ADDRESS, &a);
		if (v->attr[GW_STUN_A_SOFTWARE].len > 0) {
			const uint8_t *p;
			size_t n;

			if (gw_stun_get_bytes(v, &v->attr[GW_STUN_A_SOFTWARE], &p, &n) == 0)
				(void)gw_stun_enc_bytes(&e, GW_STUN_ATTR_SOFTWARE, p, n);
		}
	}
	mi = gw_stun_enc_integrity(&e, k);
	fp = gw_stun_enc_fingerprint(&e);
	/* what we wrote must parse and verify (an attribute may not have fit) */
	if (gw_stun_parse(&back, buf, gw_stun_enc_len(&e)) != 0)
		__builtin_trap();
	if (mi == 0 && gw_stun_check_integrity(&back, k) != 0)
		__builtin_trap();
	if (fp == 0 && gw_stun_check_fingerprint(&back) != 0)
		__builtin_trap();
}

static struct gw_ice_cred fz_cred;

/* Knows one ufrag: "fuzz" (remote "peer"), password of RFC 5769 §2.1. */
static const struct gw_ice_cred *
fz_lookup(void *ctx, const uint8_t *u, size_t n)
{
	(void)ctx;
	return n == fz_cred.local_ufrag_len && memcmp(u, fz_cred.local_ufrag, n) == 0 ?
		       &fz_cred : NULL;
}

/* The dataplane's handlers (wire/stunsrv.c): whatever they answer must be
 * a well-formed STUN message; an ICE success must verify. */
static void
handlers(const uint8_t *data, size_t size)
{
	static const struct gw_stun_addr src = { .family = GW_STUN_FAMILY_IPV4, .port = 9,
						 .addr = { 198, 18, 3, 1 } };
	uint8_t out[GW_STUNSRV_MAX_RESP];
	struct gw_stunsrv_res res;
	struct gw_stun_view back;
	enum gw_stunsrv_outcome o;

	o = gw_stunsrv_binding(data, size, &src, "fuzz", out, sizeof(out), &res);
	if (o >= GW_STUNSRV_MAX || (res.len != 0 && o != GW_STUNSRV_CLASSIC_OK &&
				    gw_stun_parse(&back, out, res.len) != 0))
		__builtin_trap();
	o = gw_stunsrv_ice(data, size, &src, NULL, fz_lookup, NULL, out, sizeof(out), &res);
	if (o >= GW_STUNSRV_MAX || (res.len != 0 && gw_stun_parse(&back, out, res.len) != 0))
		__builtin_trap();
	if (res.len != 0 && gw_stun_check_fingerprint(&back) != 0)
		__builtin_trap();
	if (o == GW_STUNSRV_ICE_OK && gw_stun_check_integrity(&back, &fz_cred.key) != 0)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gw_hmac_sha1_key k1;
	static struct gw_hmac_sha256_key k2;
	static int keyed;
	struct gw_stun_view v;
	int err;

	if (!keyed) {
		(void)gw_hmac_sha1_key_init(&k1, (const uint8_t *)"VOkJxbRl1RmTxUk/WvJxBt", 22);
		(void)gw_hmac_sha256_key_init(&k2, (const uint8_t *)"TheMatrIX", 9);
		(void)gw_ice_cred_init(&fz_cred, "fuzz", "peer", "VOkJxbRl1RmTxUk/WvJxBt");
		keyed = 1;
	}
	(void)gw_stun_frame_len(data, size);
	handlers(data, size);
	err = gw_stun_parse(&v, data, size);
	if (err != 0 && !GW_IS_STUN_ERR(err))
		return 0;
	touch_attrs(&v);
	if (err == 0) {
		(void)gw_stun_check_fingerprint(&v);
		(void)gw_stun_check_integrity(&v, &k1);
		(void)gw_stun_check_integrity_sha256(&v, &k2);
	}
	answer(&v, err, &k1);
	return 0;
}
