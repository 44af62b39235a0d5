#include "stunsrv.h"

#include <errno.h>
#include <string.h>

#include "ct.h"

static const char *const outcome_text[] = {
#define GW_STUNSRV_TEXT(sym, text) text,
	GW_FOREACH_STUNSRV_OUTCOME(GW_STUNSRV_TEXT)
#undef GW_STUNSRV_TEXT
};

const char *
gw_stunsrv_outcome_text(enum gw_stunsrv_outcome o)
{
	return (unsigned)o < GW_STUNSRV_MAX ? outcome_text[o] : "?";
}

static enum gw_stunsrv_outcome
done(struct gw_stunsrv_res *res, enum gw_stunsrv_outcome o, size_t len)
{
	res->outcome = o;
	res->len = len;
	return o;
}

static const char *
reason_of(uint16_t code)
{
	switch (code) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 420: return "Unknown Attribute";
	case 487: return "Role Conflict";
	default:  return NULL;
	}
}

static int
add_software(struct gw_stun_enc *e, const char *software)
{
	if (software == NULL || software[0] == '\0')
		return 0;
	return gw_stun_enc_bytes(e, GW_STUN_ATTR_SOFTWARE, software, strnlen(software, 128));
}

/*
 * An error response: ERROR-CODE (+ UNKNOWN-ATTRIBUTES for 420), SOFTWARE,
 * then MESSAGE-INTEGRITY when k is set and FINGERPRINT when fp.
 * @return response length, or 0 when it did not fit.
 */
static size_t
enc_error(const struct gw_stun_view *v, uint16_t code, const char *software,
	  const struct gw_hmac_sha1_key *k, bool fp, uint8_t *out, size_t cap)
{
	struct gw_stun_enc e;

	if (gw_stun_enc_init(&e, out, cap, gw_stun_type(v->method, GW_STUN_ERROR), v->txid) != 0 ||
	    gw_stun_enc_error(&e, code, reason_of(code)) != 0)
		return 0;
	if (code == 420 &&
	    gw_stun_enc_unknown_attrs(&e, v->unknown, v->n_unknown) != 0)
		return 0;
	if (add_software(&e, software) != 0 ||
	    (k != NULL && gw_stun_enc_integrity(&e, k) != 0) ||
	    (fp && gw_stun_enc_fingerprint(&e) != 0))
		return 0;
	return gw_stun_enc_len(&e);
}

static enum gw_stunsrv_outcome
error_out(struct gw_stunsrv_res *res, enum gw_stunsrv_outcome o, const struct gw_stun_view *v,
	  uint16_t code, const char *software, const struct gw_hmac_sha1_key *k, bool fp,
	  uint8_t *out, size_t cap)
{
	size_t n = enc_error(v, code, software, k, fp, out, cap);

	return n == 0 ? done(res, GW_STUNSRV_DROP_NOSPC, 0) : done(res, o, n);
}

/* RFC 3489 §11.1: header type, length, 128-bit transaction id. */
static enum gw_stunsrv_outcome
classic(const uint8_t *req, size_t len, const struct gw_stun_addr *src, uint8_t *out,
	size_t cap, struct gw_stunsrv_res *res)
{
	struct gw_stun_enc e;

	if (len < GW_STUN_HDR_LEN || req[0] != 0x00 || req[1] != 0x01)
		return done(res, GW_STUNSRV_DROP_CLASSIC, 0);
	/* CHANGE-REQUEST (§11.2.4) asking for another address or port: this
	 * server has one address, and answering from it would make the
	 * client's NAT test conclude wrongly. Stay silent, as a server whose
	 * alternate address is unreachable would be. The parser checked the
	 * framing (len = 20 + length, multiple of 4). */
	for (size_t off = GW_STUN_HDR_LEN; off + 4 <= len;) {
		uint16_t t = (uint16_t)(req[off] << 8 | req[off + 1]);
		uint16_t n = (uint16_t)(req[off + 2] << 8 | req[off + 3]);

		if (t == 0x0003 && n == 4 && off + 8 <= len && (req[off + 7] & 0x06) != 0)
			return done(res, GW_STUNSRV_DROP_CLASSIC, 0);
		off += 4 + (size_t)((n + 3u) & ~3u);
	}
	/* The encoder writes the cookie at 4..7 and the txid at 8..19; an
	 * RFC 3489 answer echoes all 16 bytes, and MAPPED-ADDRESS is not
	 * XOR'ed, so the cookie is simply overwritten with the first four. */
	if (gw_stun_enc_init(&e, out, cap, 0x0101, req + 8) != 0 ||
	    gw_stun_enc_addr(&e, GW_STUN_ATTR_MAPPED_ADDRESS, src) != 0)
		return done(res, GW_STUNSRV_DROP_NOSPC, 0);
	memcpy(out + 4, req + 4, 4);
	return done(res, GW_STUNSRV_CLASSIC_OK, gw_stun_enc_len(&e));
}

/* Parse and sort out what is not a request. Returns GW_STUNSRV_MAX to go on. */
static enum gw_stunsrv_outcome
triage(const struct gw_stun_view *v, int err, struct gw_stunsrv_res *res)
{
	if (err != 0 && !GW_IS_STUN_ERR(err))
		return done(res, GW_STUNSRV_DROP_MALFORMED, 0);
	if (v->cls == GW_STUN_INDICATION)
		return done(res, GW_STUNSRV_IGN_INDICATION, 0);
	if (v->cls != GW_STUN_REQUEST)
		return done(res, GW_STUNSRV_IGN_RESPONSE, 0);
	if (err == 0 && v->attr[GW_STUN_A_FINGERPRINT].off != 0 &&
	    gw_stun_check_fingerprint(v) != 0)
		return done(res, GW_STUNSRV_DROP_FINGERPRINT, 0);
	return GW_STUNSRV_MAX;
}

enum gw_stunsrv_outcome
gw_stunsrv_binding(const uint8_t *req, size_t len, const struct gw_stun_addr *src,
		   const char *software, uint8_t *out, size_t cap, struct gw_stunsrv_res *res)
{
	struct gw_stun_view v;
	struct gw_stun_enc e;
	enum gw_stunsrv_outcome o;
	bool fp;
	int err;

	memset(res, 0, sizeof(*res));
	err = gw_stun_parse(&v, req, len);
	if (err == -EPROTONOSUPPORT)
		return classic(req, len, src, out, cap, res);
	o = triage(&v, err, res);
	if (o != GW_STUNSRV_MAX)
		return o;
	fp = v.attr[GW_STUN_A_FINGERPRINT].off != 0;
	if (v.method != GW_STUN_BINDING)
		return done(res, GW_STUNSRV_NOT_BINDING, 0);
	if (err == GW_STUN_ERR(420))
		return error_out(res, GW_STUNSRV_UNKNOWN_ATTR, &v, 420, software, NULL, fp, out,
				 cap);
	if (err != 0)
		return error_out(res, GW_STUNSRV_BAD_REQUEST, &v, 400, software, NULL, fp, out,
				 cap);
	if (gw_stun_enc_init(&e, out, cap, gw_stun_type(GW_STUN_BINDING, GW_STUN_SUCCESS),
			     v.txid) != 0 ||
	    gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_MAPPED_ADDRESS, src) != 0 ||
	    add_software(&e, software) != 0 ||
	    (fp && gw_stun_enc_fingerprint(&e) != 0))
		return done(res, GW_STUNSRV_DROP_NOSPC, 0);
	return done(res, GW_STUNSRV_BINDING_OK, gw_stun_enc_len(&e));
}

/* USERNAME "local:remote" -> the credential, or NULL (answer 401). */
static const struct gw_ice_cred *
find_cred(const struct gw_stun_view *v, gw_ice_lookup_fn *lookup, void *ctx)
{
	const struct gw_ice_cred *c;
	const uint8_t *u, *colon;
	size_t n, ln, rn;

	if (gw_stun_get_bytes(v, &v->attr[GW_STUN_A_USERNAME], &u, &n) != 0)
		return NULL;
	colon = memchr(u, ':', n);
	if (colon == NULL)
		return NULL;
	ln = (size_t)(colon - u);
	rn = n - ln - 1;
	if (ln == 0 || ln > GW_ICE_UFRAG_MAX)
		return NULL;
	c = lookup(ctx, u, ln);
	if (c == NULL || c->local_ufrag_len != ln || memcmp(c->local_ufrag, u, ln) != 0)
		return NULL;
	if (c->remote_ufrag_len != 0 &&
	    (rn != c->remote_ufrag_len || memcmp(c->remote_ufrag, colon + 1, rn) != 0))
		return NULL;
	return c;
}

enum gw_stunsrv_outcome
gw_stunsrv_ice(const uint8_t *req, size_t len, const struct gw_stun_addr *src,
	       const char *software, gw_ice_lookup_fn *lookup, void *ctx, uint8_t *out,
	       size_t cap, struct gw_stunsrv_res *res)
{
	struct gw_stun_view v;
	struct gw_stun_enc e;
	const struct gw_ice_cred *c;
	enum gw_stunsrv_outcome o;
	int err;

	memset(res, 0, sizeof(*res));
	err = gw_stun_parse(&v, req, len);
	o = triage(&v, err, res);
	if (o != GW_STUNSRV_MAX)
		return o;
	if (v.method != GW_STUN_BINDING || (err != 0 && err != GW_STUN_ERR(420)))
		return error_out(res, GW_STUNSRV_BAD_REQUEST, &v, 400, software, NULL, true, out,
				 cap);
	if (v.attr[GW_STUN_A_FINGERPRINT].off == 0)
		return error_out(res, GW_STUNSRV_ICE_NO_FP, &v, 400, software, NULL, true, out,
				 cap);
	if (v.attr[GW_STUN_A_USERNAME].off == 0 || v.attr[GW_STUN_A_MESSAGE_INTEGRITY].off == 0)
		return error_out(res, GW_STUNSRV_ICE_NO_AUTH, &v, 400, software, NULL, true, out,
				 cap);
	c = find_cred(&v, lookup, ctx);
	if (c == NULL)
		return error_out(res, GW_STUNSRV_ICE_UNKNOWN_USER, &v, 401, software, NULL, true,
				 out, cap);
	if (gw_stun_check_integrity(&v, &c->key) != 0)
		return error_out(res, GW_STUNSRV_ICE_BAD_MAC, &v, 401, software, NULL, true, out,
				 cap);
	res->cred = c;
	if (v.attr[GW_STUN_A_ICE_CONTROLLED].off != 0)
		return error_out(res, GW_STUNSRV_ICE_ROLE_CONFLICT, &v, 487, software, &c->key,
				 true, out, cap);
	if (err == GW_STUN_ERR(420))
		return error_out(res, GW_STUNSRV_UNKNOWN_ATTR, &v, 420, software, &c->key, true,
				 out, cap);
	res->use_candidate = v.attr[GW_STUN_A_USE_CANDIDATE].off != 0;
	(void)gw_stun_get_u32(&v, &v.attr[GW_STUN_A_PRIORITY], &res->priority);
	if (gw_stun_enc_init(&e, out, cap, gw_stun_type(GW_STUN_BINDING, GW_STUN_SUCCESS),
			     v.txid) != 0 ||
	    gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_MAPPED_ADDRESS, src) != 0 ||
	    add_software(&e, software) != 0 ||
	    gw_stun_enc_integrity(&e, &c->key) != 0 ||
	    gw_stun_enc_fingerprint(&e) != 0) {
		res->use_candidate = false;
		return done(res, GW_STUNSRV_DROP_NOSPC, 0);
	}
	return done(res, GW_STUNSRV_ICE_OK, gw_stun_enc_len(&e));
}

bool
gw_ice_chars_ok(const char *s, size_t min, size_t max)
{
	size_t n;

	if (s == NULL)
		return false;
	n = strnlen(s, max + 1);
	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '+' || ch == '/'))
			return false;
	}
	return true;
}

int
gw_ice_cred_init(struct gw_ice_cred *c, const char *local_ufrag, const char *remote_ufrag,
		 const char *local_pwd)
{
	size_t ln, rn, pn;
	int rc;

	if (c == NULL || local_ufrag == NULL || remote_ufrag == NULL || local_pwd == NULL)
		return -EINVAL;
	ln = strnlen(local_ufrag, GW_ICE_UFRAG_MAX + 1);
	rn = strnlen(remote_ufrag, GW_ICE_UFRAG_MAX + 1);
	pn = strnlen(local_pwd, GW_ICE_PWD_MAX + 1);
	if (ln < 1 || ln > GW_ICE_UFRAG_MAX || rn > GW_ICE_UFRAG_MAX || pn < 1 ||
	    pn > GW_ICE_PWD_MAX)
		return -EINVAL;
	memset(c, 0, sizeof(*c));
	rc = gw_hmac_sha1_key_init(&c->key, (const uint8_t *)local_pwd, pn);
	if (rc != 0)
		return rc;
	memcpy(c->local_ufrag, local_ufrag, ln);
	memcpy(c->remote_ufrag, remote_ufrag, rn);
	c->local_ufrag_len = (uint8_t)ln;
	c->remote_ufrag_len = (uint8_t)rn;
	return 0;
}

void
gw_ice_cred_fini(struct gw_ice_cred *c)
{
	if (c != NULL)
		gw_wipe(c, sizeof(*c));
}
