/*
 * test_stunsrv: every outcome of the STUN Binding server and the ICE-lite
 * responder (wire/stunsrv.c), on requests built with the codec and on the
 * RFC 5769 sample request.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stun.h"
#include "stunsrv.h"
#include "rfc5769.h"

#define LUFRAG "gwLocal1"
#define RUFRAG "peerR"
#define LPWD   "abcdefghijklmnopqrstuvwx"

static const uint8_t txid[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
static const struct gw_stun_addr src4 = { .family = GW_STUN_FAMILY_IPV4, .port = 40001,
					  .addr = { 198, 18, 3, 2 } };
static struct gw_ice_cred cred;
static unsigned lookups;

/* Request options. */
#define R_FP        0x001u
#define R_MI        0x002u   /* MESSAGE-INTEGRITY with LPWD */
#define R_MI_WRONG  0x004u   /* MESSAGE-INTEGRITY with another password */
#define R_USER      0x008u   /* USERNAME LUFRAG:RUFRAG */
#define R_USECAND   0x010u
#define R_CONTROLLED 0x020u
#define R_CONTROLLING 0x040u
#define R_UNKNOWN   0x080u   /* comprehension-required 0x0003 */
#define R_BADLEN    0x100u   /* PRIORITY with 2 bytes: malformed */
#define R_PRIORITY  0x200u
#define ICE_GOOD    (R_FP | R_MI | R_USER | R_PRIORITY | R_CONTROLLING)

static size_t
build(uint8_t *buf, size_t cap, uint16_t method, enum gw_stun_class cls, unsigned f,
      const char *user)
{
	struct gw_stun_enc e;
	struct gw_hmac_sha1_key k;

	assert_int_equal(gw_stun_enc_init(&e, buf, cap, gw_stun_type(method, cls), txid), 0);
	if (f & R_USER)
		assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_USERNAME, user,
						   strlen(user)), 0);
	if (f & R_PRIORITY)
		assert_int_equal(gw_stun_enc_u32(&e, GW_STUN_ATTR_PRIORITY, 0x6e7f1eff), 0);
	if (f & R_BADLEN)
		assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_PRIORITY, "ab", 2), 0);
	if (f & R_USECAND)
		assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_USE_CANDIDATE, NULL, 0), 0);
	if (f & R_CONTROLLED)
		assert_int_equal(gw_stun_enc_u64(&e, GW_STUN_ATTR_ICE_CONTROLLED, 42), 0);
	if (f & R_CONTROLLING)
		assert_int_equal(gw_stun_enc_u64(&e, GW_STUN_ATTR_ICE_CONTROLLING, 42), 0);
	if (f & R_UNKNOWN)
		assert_int_equal(gw_stun_enc_u32(&e, 0x0003, 0), 0);
	if (f & (R_MI | R_MI_WRONG)) {
		const char *pw = (f & R_MI) ? LPWD : "not-the-password-at-all";

		assert_int_equal(gw_hmac_sha1_key_init(&k, (const uint8_t *)pw, strlen(pw)), 0);
		assert_int_equal(gw_stun_enc_integrity(&e, &k), 0);
	}
	if (f & R_FP)
		assert_int_equal(gw_stun_enc_fingerprint(&e), 0);
	return gw_stun_enc_len(&e);
}

static const struct gw_ice_cred *
lookup(void *ctx, const uint8_t *u, size_t n)
{
	(void)ctx;
	lookups++;
	if (n == cred.local_ufrag_len && memcmp(u, cred.local_ufrag, n) == 0)
		return &cred;
	return NULL;
}

static int
setup(void **state)
{
	(void)state;
	lookups = 0;
	return gw_ice_cred_init(&cred, LUFRAG, RUFRAG, LPWD);
}

/* Parse a response and check type, txid, FINGERPRINT and error code. */
static void
expect_resp(struct gw_stun_view *v, const uint8_t *out, const struct gw_stunsrv_res *res,
	    enum gw_stun_class cls, uint16_t code, bool fp)
{
	uint16_t got;

	assert_true(res->len > 0);
	assert_int_equal(gw_stun_parse(v, out, res->len), 0);
	assert_int_equal(v->cls, cls);
	assert_int_equal(v->method, GW_STUN_BINDING);
	assert_memory_equal(v->txid, txid, 12);
	assert_int_equal(v->attr[GW_STUN_A_FINGERPRINT].off != 0, fp);
	if (fp)
		assert_int_equal(gw_stun_check_fingerprint(v), 0);
	if (cls == GW_STUN_ERROR) {
		assert_int_equal(gw_stun_get_error(v, &got, NULL, NULL), 0);
		assert_int_equal(got, code);
	}
}

static void
expect_mapped(const struct gw_stun_view *v, const struct gw_stun_addr *want)
{
	struct gw_stun_addr a;

	assert_int_equal(gw_stun_get_xor_addr(v, &v->attr[GW_STUN_A_XOR_MAPPED_ADDRESS], &a), 0);
	assert_int_equal(a.family, want->family);
	assert_int_equal(a.port, want->port);
	assert_memory_equal(a.addr, want->addr, want->family == GW_STUN_FAMILY_IPV4 ? 4 : 16);
}

/* ---- plain STUN server ----------------------------------------------------- */

static void
binding_plain(void **state)
{
	uint8_t req[256], out[GW_STUNSRV_MAX_RESP];
	struct gw_stunsrv_res res;
	struct gw_stun_view v;
	const uint8_t *p;
	size_t n = build(req, sizeof(req), GW_STUN_BINDING, GW_STUN_REQUEST, 0, NULL), sn;

	(void)state;
	assert_int_equal(gw_stunsrv_binding(req, n, &src4, "rtcgw test", out, sizeof(out), &res),
			 GW_STUNSRV_BINDING_OK);
	expect_resp(&v, out, &res, GW_STUN_SUCCESS, 0, false);
	expect_mapped(&v, &src4);
	assert_int_equal(gw_stun_get_bytes(&v, &v.attr[GW_STUN_A_SOFTWARE], &p, &sn), 0);
	assert_int_equal(sn, 10);
	assert_memory_equal(p, "rtcgw test", 10);
	assert_int_equal(v.attr[GW_STUN_A_MESSAGE_INTEGRITY].off, 0);
	/* no SOFTWARE configured: none sent */
	assert_int_equal(gw_stunsrv_binding(req, n, &src4, "", out, sizeof(out), &res),
			 GW_STUNSRV_BINDING_OK);
	expect_resp(&v, out, &res, GW_STUN_SUCCESS, 0, false);
	assert_int_equal(v.attr[GW_STUN_A_SOFTWARE].off, 0);
	assert_int_equal(res.len, 20 + 12);
}

static void
binding_fingerprint_v6(void **state)
{
	uint8_t req[256], out[GW_STUNSRV_MAX_RESP];
	struct gw_stunsrv_res res;
	struct gw_stun_view v;
	struct gw_stun_addr s6 = { .family = GW_STUN_FAMILY_IPV6, .port = 1,
				   .addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 7 } };
	size_t n = build(req, sizeof(req), GW_STUN_BINDING, GW_STUN_REQUEST, R_FP, NULL);

	(void)state;
	assert_int_equal(gw_stunsrv_binding(req, n, &s6, NULL, out, sizeof(out), &res),
			 GW_STUNSRV_BINDING_OK);
	expect_resp(&v, out, &res, GW_STUN_SUCCESS, 0, true);
	expect_mapped(&v, &s6);
	/* a broken FINGERPRINT means "not STUN": dropped */
	req[n - 1] ^= 1;
	assert_int_equal(gw_stunsrv_binding(req, n, &s6, NULL, out, sizeof(out), &res),
			 GW_STUNSRV_DROP_FINGERPRINT);
	assert_int_equal(res.len, 0);
}

/* RFC 5769 §2.1: a real ICE check (with SOFTWARE, PRIORITY, MI, FP) sent
 * to the plain server gets a plain answer with FINGERPRINT. */
static void
binding_rfc5769_request(void **state)
{
	uint8_t out[GW_STUNSRV_MAX_RESP];
	struct gw_stunsrv_res res;
	struct gw_stun_view v;

	(void)state;
	assert_int_equal(gw_stunsrv_binding(rfc5769_request, sizeof(rfc5769_request), &src4,
					    "x", out, sizeof(out), &res),
			 GW_STUNSRV_BINDING_OK);
	assert_int_equal(gw_stun_parse(&v, out, res.len), 0);
	assert_memory_equal(v.txid, rfc5769_request + 8, 12);
	assert_int_equal(gw_stun_check_fingerprint(&v), 0);
}

static void
binding_errors(void **state)
{
	uint8_t req[256], out[GW_STUNSRV_MAX_RESP];
	struct gw_stunsrv_res res;
	struct gw_stun_view v;
	uint16_t t;
	size_t n;

	(void)state;
	/* 420 lists the unknown comprehension-required type */
	n = build(req, sizeof(req), GW_STUN_BINDING, GW_STUN_REQUEST, R_UNKNOWN | R_FP, NULL);
	assert_int_equal(gw_stunsrv_binding(req, n, &src4, NULL, out, sizeof(out), &res),
			 GW_STUNSRV_UNKNOWN_ATTR);
	expect_resp(&v, out, &res, GW_STUN_ERROR, 420, true);
	assert_int_equal(v.attr[GW_STUN_A_UNKNOWN_ATTRIBUTES].len, 2);
	t = (uint16_t)(out[v.attr[GW_STUN_A_UNKNOWN_ATTRIBUTES].off] << 8 |
		       out[v.attr[GW_STUN_A_UNKNOWN_ATTRIBUTES].off + 1]);
	assert_int_equal(t, 0x0003);
	/* 400 for a malformed attribute; no FINGERPRINT in, none out */
	n = build(req, sizeof(req), GW_STUN_BINDING, GW_STUN_REQUEST, R_BADLEN, NULL);
	assert_int_equal(gw_stunsrv_binding(req, n, &src4, NULL, out, sizeof(out), &res),
			 GW_STUNSRV_BAD_REQUEST);
	expect_resp(&v, out, &res, GW_STUN_ERROR, 400, false);
	/* indications and responses are not answered */
	n = build(req, sizeof(req), GW_STUN_BINDING, GW_STUN_INDICATION, 0, NULL);
	assert_int_equal(gw_stunsrv_binding(req, n, &src4, NULL, out, sizeof(out), &res),
			 GW_STUNSRV_IGN_INDICATION);
	assert_int_equal(res.len, 0);
	n = build(req, sizeof(req), GW_STUN_BINDING, GW_STUN_SUCCESS, 0, NULL);
	assert_int_equal(gw_stunsrv_binding(req, n, &src4, NULL, out, sizeof(out), &res),
			 GW_STUNSRV_IGN_RESPONSE);
	n = build(req, sizeof(req), GW_STUN_BINDING, GW_STUN_ERROR, 0, NULL);
	assert_int_equal(gw_stunsrv_binding(req, n, &src4, NULL, out, sizeof(out), &res),
			 GW_STUNSRV_IGN_RESPONSE);
	/* other methods go to TURN */
	n = build(req, sizeof(req), GW_STUN_ALLOCATE, GW_STUN_REQUEST, 0, NULL);
	assert_int_equal(gw_stunsrv_binding(req, n, &src4, NULL, out, sizeof(out), &res),
			 GW_STUNSRV_NOT_BINDING);
	assert_int_equal(res.len, 0);
	/* not STUN at all */
	assert_int_equal(gw_stunsrv_binding(req, 19, &src4, NULL, out, sizeof(out), &res),
			 GW_STUNSRV_DROP_MALFORMED);
	n = build(req, sizeof(req), GW_STUN_BINDING, GW_STUN_REQUEST, 0, NULL);
	req[3] = 4;      /* length field disagrees with the datagram */
	assert_int_equal(gw_stunsrv_binding(req, n, &src4, NULL, out, sizeof(out), &res),
			 GW_STUNSRV_DROP_MALFORMED);
	/* no room for the answer */
	n = build(req, sizeof(req), GW_STUN_BINDING, GW_STUN_REQUEST, 0, NULL);
	assert_int_equal(gw_stunsrv_binding(req, n, &src4, NULL, out, 24, &res),
			 GW_STUNSRV_DROP_NOSPC);
	assert_int_equal(res.len, 0);
}

static void
binding_classic(void **state)
{
	/* RFC 3489 Binding request: 16-byte transaction id, no cookie. */
	uint8_t req[20] = { 0x00, 0x01, 0x00, 0x00, 0xde, 0xad, 0xbe, 0xef,
			    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	uint8_t out[GW_STUNSRV_MAX_RESP];
	struct gw_stunsrv_res res;
	static const uint8_t want[] = { 0x01, 0x01, 0x00, 0x0c, 0xde, 0xad, 0xbe, 0xef,
					1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
					0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x9c, 0x41,
					198, 18, 3, 2 };

	(void)state;
	assert_int_equal(gw_stunsrv_binding(req, sizeof(req), &src4, "sw", out, sizeof(out),
					    &res),
			 GW_STUNSRV_CLASSIC_OK);
	assert_int_equal(res.len, sizeof(want));
	assert_memory_equal(out, want, sizeof(want));
	{
		/* CHANGE-REQUEST for another port or address: one address
		 * here, so silence; with no flags set it is answered */
		uint8_t cr[28];

		memcpy(cr, req, 20);
		cr[3] = 8;
		memcpy(cr + 20, (const uint8_t[]){ 0x00, 0x03, 0x00, 0x04, 0, 0, 0, 0x02 }, 8);
		assert_int_equal(gw_stunsrv_binding(cr, sizeof(cr), &src4, NULL, out, sizeof(out),
						    &res),
				 GW_STUNSRV_DROP_CLASSIC);
		cr[27] = 0x04;
		assert_int_equal(gw_stunsrv_binding(cr, sizeof(cr), &src4, NULL, out, sizeof(out),
						    &res),
				 GW_STUNSRV_DROP_CLASSIC);
		cr[27] = 0x00;
		assert_int_equal(gw_stunsrv_binding(cr, sizeof(cr), &src4, NULL, out, sizeof(out),
						    &res),
				 GW_STUNSRV_CLASSIC_OK);
	}
	req[1] = 0x11;  /* RFC 3489 Binding response: not answered */
	assert_int_equal(gw_stunsrv_binding(req, sizeof(req), &src4, NULL, out, sizeof(out),
					    &res),
			 GW_STUNSRV_DROP_CLASSIC);
}

/* ---- ICE-lite responder --------------------------------------------------- */

static enum gw_stunsrv_outcome
ice(unsigned f, const char *user, uint8_t *out, struct gw_stunsrv_res *res)
{
	uint8_t req[256];
	size_t n = build(req, sizeof(req), GW_STUN_BINDING, GW_STUN_REQUEST, f, user);

	return gw_stunsrv_ice(req, n, &src4, NULL, lookup, NULL, out, GW_STUNSRV_MAX_RESP, res);
}

static void
ice_success(void **state)
{
	uint8_t out[GW_STUNSRV_MAX_RESP];
	struct gw_stunsrv_res res;
	struct gw_stun_view v;

	(void)state;
	assert_int_equal(ice(ICE_GOOD, LUFRAG ":" RUFRAG, out, &res), GW_STUNSRV_ICE_OK);
	expect_resp(&v, out, &res, GW_STUN_SUCCESS, 0, true);
	expect_mapped(&v, &src4);
	assert_int_equal(gw_stun_check_integrity(&v, &cred.key), 0);
	assert_ptr_equal(res.cred, &cred);
	assert_false(res.use_candidate);
	assert_int_equal(res.priority, 0x6e7f1eff);
	assert_int_equal(lookups, 1);
	/* USE-CANDIDATE is reported */
	assert_int_equal(ice(ICE_GOOD | R_USECAND, LUFRAG ":" RUFRAG, out, &res),
			 GW_STUNSRV_ICE_OK);
	assert_true(res.use_candidate);
	/* no role attribute at all (RFC 5245 peers): no conflict */
	assert_int_equal(ice(R_FP | R_MI | R_USER, LUFRAG ":" RUFRAG, out, &res),
			 GW_STUNSRV_ICE_OK);
	/* remote ufrag not known yet: any accepted */
	assert_int_equal(gw_ice_cred_init(&cred, LUFRAG, "", LPWD), 0);
	assert_int_equal(ice(ICE_GOOD, LUFRAG ":whoever", out, &res), GW_STUNSRV_ICE_OK);
}

static void
ice_auth_errors(void **state)
{
	uint8_t out[GW_STUNSRV_MAX_RESP];
	struct gw_stunsrv_res res;
	struct gw_stun_view v;
	static const struct {
		unsigned f;
		const char *user;
		enum gw_stunsrv_outcome o;
		uint16_t code;
	} rows[] = {
		/* 1 */ { ICE_GOOD & ~R_MI, LUFRAG ":" RUFRAG, GW_STUNSRV_ICE_NO_AUTH, 400 },
		/* 2 */ { ICE_GOOD & ~R_USER, "", GW_STUNSRV_ICE_NO_AUTH, 400 },
		/* 3 */ { ICE_GOOD & ~R_FP, LUFRAG ":" RUFRAG, GW_STUNSRV_ICE_NO_FP, 400 },
		/* 4 */ { ICE_GOOD, "nobody:" RUFRAG, GW_STUNSRV_ICE_UNKNOWN_USER, 401 },
		/* 5 */ { ICE_GOOD, LUFRAG ":other", GW_STUNSRV_ICE_UNKNOWN_USER, 401 },
		/* 6 */ { ICE_GOOD, LUFRAG, GW_STUNSRV_ICE_UNKNOWN_USER, 401 },
		/* 7 */ { ICE_GOOD, ":" RUFRAG, GW_STUNSRV_ICE_UNKNOWN_USER, 401 },
		/* 8 */ { ICE_GOOD, LUFRAG ":" RUFRAG "x", GW_STUNSRV_ICE_UNKNOWN_USER, 401 },
		/* 9 */ { (ICE_GOOD & ~R_MI) | R_MI_WRONG, LUFRAG ":" RUFRAG,
			  GW_STUNSRV_ICE_BAD_MAC, 401 },
		/* 10 */ { ICE_GOOD | R_BADLEN, LUFRAG ":" RUFRAG, GW_STUNSRV_BAD_REQUEST, 400 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		print_message("row %zu\n", i + 1);
		assert_int_equal(ice(rows[i].f, rows[i].user, out, &res), rows[i].o);
		expect_resp(&v, out, &res, GW_STUN_ERROR, rows[i].code, true);
		/* unauthenticated errors carry no MESSAGE-INTEGRITY */
		assert_int_equal(v.attr[GW_STUN_A_MESSAGE_INTEGRITY].off, 0);
		assert_false(res.use_candidate);
	}
}

static void
ice_role_and_unknown(void **state)
{
	uint8_t out[GW_STUNSRV_MAX_RESP];
	struct gw_stunsrv_res res;
	struct gw_stun_view v;

	(void)state;
	/* the peer says it is controlled too: 487, authenticated */
	assert_int_equal(ice((ICE_GOOD & ~R_CONTROLLING) | R_CONTROLLED | R_USECAND,
			     LUFRAG ":" RUFRAG, out, &res),
			 GW_STUNSRV_ICE_ROLE_CONFLICT);
	expect_resp(&v, out, &res, GW_STUN_ERROR, 487, true);
	assert_int_equal(gw_stun_check_integrity(&v, &cred.key), 0);
	assert_false(res.use_candidate);
	/* authenticated, but an unknown comprehension-required attribute: 420 + MI */
	assert_int_equal(ice(ICE_GOOD | R_UNKNOWN, LUFRAG ":" RUFRAG, out, &res),
			 GW_STUNSRV_UNKNOWN_ATTR);
	expect_resp(&v, out, &res, GW_STUN_ERROR, 420, true);
	assert_int_equal(gw_stun_check_integrity(&v, &cred.key), 0);
	/* an unknown attribute does not let an unauthenticated request learn
	 * anything more than 401 */
	assert_int_equal(ice(ICE_GOOD | R_UNKNOWN, "nobody:x", out, &res),
			 GW_STUNSRV_ICE_UNKNOWN_USER);
}

static void
ice_not_checks(void **state)
{
	uint8_t req[256], out[GW_STUNSRV_MAX_RESP];
	struct gw_stunsrv_res res;
	struct gw_stun_view v;
	size_t n;

	(void)state;
	n = build(req, sizeof(req), GW_STUN_BINDING, GW_STUN_INDICATION, R_FP, NULL);
	assert_int_equal(gw_stunsrv_ice(req, n, &src4, NULL, lookup, NULL, out, sizeof(out), &res),
			 GW_STUNSRV_IGN_INDICATION);
	n = build(req, sizeof(req), GW_STUN_BINDING, GW_STUN_SUCCESS, R_FP, NULL);
	assert_int_equal(gw_stunsrv_ice(req, n, &src4, NULL, lookup, NULL, out, sizeof(out), &res),
			 GW_STUNSRV_IGN_RESPONSE);
	/* a TURN method on a media port: 400 */
	n = build(req, sizeof(req), GW_STUN_ALLOCATE, GW_STUN_REQUEST, R_FP, NULL);
	assert_int_equal(gw_stunsrv_ice(req, n, &src4, NULL, lookup, NULL, out, sizeof(out), &res),
			 GW_STUNSRV_BAD_REQUEST);
	assert_int_equal(gw_stun_parse(&v, out, res.len), 0);
	assert_int_equal(v.method, GW_STUN_ALLOCATE);
	/* RFC 3489 and garbage: dropped */
	n = build(req, sizeof(req), GW_STUN_BINDING, GW_STUN_REQUEST, 0, NULL);
	req[4] = 0;
	assert_int_equal(gw_stunsrv_ice(req, n, &src4, NULL, lookup, NULL, out, sizeof(out), &res),
			 GW_STUNSRV_DROP_MALFORMED);
	n = build(req, sizeof(req), GW_STUN_BINDING, GW_STUN_REQUEST, ICE_GOOD, LUFRAG ":" RUFRAG);
	req[n - 2] ^= 0x40;
	assert_int_equal(gw_stunsrv_ice(req, n, &src4, NULL, lookup, NULL, out, sizeof(out), &res),
			 GW_STUNSRV_DROP_FINGERPRINT);
	assert_int_equal(lookups, 0);
}

static void
ice_cred_rules(void **state)
{
	struct gw_ice_cred c;
	char big[64];

	(void)state;
	memset(big, 'a', sizeof(big));
	big[GW_ICE_UFRAG_MAX + 1] = '\0';
	assert_int_equal(gw_ice_cred_init(&c, big, "", LPWD), -EINVAL);
	assert_int_equal(gw_ice_cred_init(&c, "", "", LPWD), -EINVAL);
	assert_int_equal(gw_ice_cred_init(&c, "abcd", big, LPWD), -EINVAL);
	memset(big, 'p', sizeof(big));
	big[GW_ICE_PWD_MAX + 1] = '\0';
	assert_int_equal(gw_ice_cred_init(&c, "abcd", "", big), -EINVAL);
	assert_int_equal(gw_ice_cred_init(&c, NULL, "", LPWD), -EINVAL);
	big[GW_ICE_PWD_MAX] = '\0';
	assert_int_equal(gw_ice_cred_init(&c, "abcd", "", big), 0);
	gw_ice_cred_fini(&c);
	assert_int_equal(c.local_ufrag_len, 0);
	gw_ice_cred_fini(NULL);

	assert_true(gw_ice_chars_ok("ab+/Z9", 4, 32));
	assert_false(gw_ice_chars_ok("abc", 4, 32));
	assert_false(gw_ice_chars_ok("abc:d", 4, 32));
	assert_false(gw_ice_chars_ok("abcde", 4, 4));
	assert_false(gw_ice_chars_ok(NULL, 0, 4));
	assert_string_equal(gw_stunsrv_outcome_text(GW_STUNSRV_ICE_OK),
			    "ICE checks answered with success");
	assert_string_equal(gw_stunsrv_outcome_text(GW_STUNSRV_MAX), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(binding_plain, setup),
		cmocka_unit_test_setup(binding_fingerprint_v6, setup),
		cmocka_unit_test_setup(binding_rfc5769_request, setup),
		cmocka_unit_test_setup(binding_errors, setup),
		cmocka_unit_test_setup(binding_classic, setup),
		cmocka_unit_test_setup(ice_success, setup),
		cmocka_unit_test_setup(ice_auth_errors, setup),
		cmocka_unit_test_setup(ice_role_and_unknown, setup),
		cmocka_unit_test_setup(ice_not_checks, setup),
		cmocka_unit_test_setup(ice_cred_rules, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
