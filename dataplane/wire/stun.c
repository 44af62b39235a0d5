/*
 * stun: STUN codec (RFC 8489 / RFC 5389), see stun.h.
 *
 * Parsing is a bounded cursor over the caller's bytes; every read checks the
 * remaining length first and big-endian values are assembled byte by byte
 * (STYLE.md practice 5). CRC-32 is zlib's crc32() unless a faster one is
 * plugged in (the dataplane's dp_crc: DPDK's PCLMULQDQ CRC, 10x faster on
 * STUN-sized messages); HMACs come from hmac.c's precomputed keys.
 */
#include "stun.h"
#include "be.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "ct.h"

/* ---- byte helpers --------------------------------------------------------- */

static int
rd16(uint16_t *v, const uint8_t **p, const uint8_t *end)
{
	if (end - *p < 2)
		return -EBADMSG;
	*v = (uint16_t)((*p)[0] << 8 | (*p)[1]);
	*p += 2;
	return 0;
}

static int
rd32(uint32_t *v, const uint8_t **p, const uint8_t *end)
{
	if (end - *p < 4)
		return -EBADMSG;
	*v = (uint32_t)(*p)[0] << 24 | (uint32_t)(*p)[1] << 16 |
	     (uint32_t)(*p)[2] << 8 | (uint32_t)(*p)[3];
	*p += 4;
	return 0;
}

static size_t
pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* ---- message type ------------------------------------------------------- */

/*
 * RFC 8489 §5: the 14-bit type interleaves the method (M11..M0) and the
 * class (C1, C0): M11-M7 C1 M6-M4 C0 M3-M0.
 */
uint16_t
gw_stun_type(uint16_t method, enum gw_stun_class cls)
{
	unsigned m = method & 0x0fffu, c = (unsigned)cls & 3u;

	return (uint16_t)((m & 0x000fu) | (m & 0x0070u) << 1 | (m & 0x0f80u) << 2 |
			  (c & 1u) << 4 | (c & 2u) << 7);
}

static uint16_t
type_method(uint16_t t)
{
	return (uint16_t)((t & 0x000fu) | (t & 0x00e0u) >> 1 | (t & 0x3e00u) >> 2);
}

static uint8_t
type_class(uint16_t t)
{
	return (uint8_t)((t >> 4 & 1u) | (t >> 7 & 2u));
}

/* ---- attribute rules ------------------------------------------------------ */

static int
slot_of(uint16_t type)
{
	switch (type) {
#define SLOT_CASE_(name, t) case t: return GW_STUN_A_##name;
	GW_STUN_FOREACH_ATTR(SLOT_CASE_)
#undef SLOT_CASE_
	default:
		return -1;
	}
}

enum rule_kind {
	R_ANY = 0,    /* any length (DATA) */
	R_LEN,        /* min <= len <= max */
	R_LEN4,       /* as R_LEN, and a multiple of 4 */
	R_ADDR,       /* 8 with family IPv4 or 20 with family IPv6 */
};

struct rule {
	uint8_t kind;
	uint16_t min, max;
};

#define FIXED(n)    { R_LEN, n, n }
#define RANGE(a, b) { R_LEN, a, b }

/* Sizes from RFC 8489 §14, RFC 8445 §16.1, RFC 8656 §18. */
static const struct rule rules[GW_STUN_A_MAX] = {
	[GW_STUN_A_MAPPED_ADDRESS]            = { R_ADDR, 8, 20 },
	[GW_STUN_A_USERNAME]                  = RANGE(0, 513),  /* RFC 5389's bound */
	[GW_STUN_A_MESSAGE_INTEGRITY]         = FIXED(20),
	[GW_STUN_A_ERROR_CODE]                = RANGE(4, 4 + GW_STUN_MAX_REASON),
	[GW_STUN_A_UNKNOWN_ATTRIBUTES]        = RANGE(0, 0xfffe),
	[GW_STUN_A_CHANNEL_NUMBER]            = FIXED(4),
	[GW_STUN_A_LIFETIME]                  = FIXED(4),
	[GW_STUN_A_XOR_PEER_ADDRESS]          = { R_ADDR, 8, 20 },
	[GW_STUN_A_DATA]                      = { R_ANY, 0, 0xffff },
	[GW_STUN_A_REALM]                     = RANGE(0, 763),
	[GW_STUN_A_NONCE]                     = RANGE(0, 763),
	[GW_STUN_A_XOR_RELAYED_ADDRESS]       = { R_ADDR, 8, 20 },
	[GW_STUN_A_REQUESTED_ADDRESS_FAMILY]  = FIXED(4),
	[GW_STUN_A_EVEN_PORT]                 = FIXED(1),
	[GW_STUN_A_REQUESTED_TRANSPORT]       = FIXED(4),
	[GW_STUN_A_DONT_FRAGMENT]             = FIXED(0),
	[GW_STUN_A_MESSAGE_INTEGRITY_SHA256]  = { R_LEN4, 16, 32 },
	[GW_STUN_A_PASSWORD_ALGORITHM]        = RANGE(4, 0xffff),
	[GW_STUN_A_USERHASH]                  = FIXED(32),
	[GW_STUN_A_XOR_MAPPED_ADDRESS]        = { R_ADDR, 8, 20 },
	[GW_STUN_A_RESERVATION_TOKEN]         = FIXED(8),
	[GW_STUN_A_PRIORITY]                  = FIXED(4),
	[GW_STUN_A_USE_CANDIDATE]             = FIXED(0),
	[GW_STUN_A_ADDITIONAL_ADDRESS_FAMILY] = FIXED(4),
	[GW_STUN_A_ADDITIONAL_ADDRESS_FAMILY_COTURN] = FIXED(4),
	[GW_STUN_A_ADDRESS_ERROR_CODE]        = RANGE(4, 4 + GW_STUN_MAX_REASON),
	[GW_STUN_A_PASSWORD_ALGORITHMS]       = { R_LEN4, 4, 0xfffc },
	[GW_STUN_A_ICMP]                      = FIXED(8),
	[GW_STUN_A_SOFTWARE]                  = RANGE(0, 763),
	[GW_STUN_A_ALTERNATE_SERVER]          = { R_ADDR, 8, 20 },
	[GW_STUN_A_FINGERPRINT]               = FIXED(4),
	[GW_STUN_A_ICE_CONTROLLED]            = FIXED(8),
	[GW_STUN_A_ICE_CONTROLLING]           = FIXED(8),
};

static bool
attr_ok(int slot, const uint8_t *val, uint16_t len)
{
	const struct rule *r = &rules[slot];

	switch (r->kind) {
	case R_LEN4:
		if (len % 4 != 0)
			return false;
		/* fall through */
	case R_LEN:
		return len >= r->min && len <= r->max;
	case R_ADDR:
		return (len == 8 && val[1] == GW_STUN_FAMILY_IPV4) ||
		       (len == 20 && val[1] == GW_STUN_FAMILY_IPV6);
	default:
		return true;
	}
}

/* ---- parser ----------------------------------------------------------------- */

static void
note_unknown(struct gw_stun_view *v, uint16_t type)
{
	for (unsigned i = 0; i < v->n_unknown; i++)
		if (v->unknown[i] == type)
			return;
	if (v->n_unknown == GW_STUN_MAX_UNKNOWN) {
		v->flags |= GW_STUN_F_MANY_UNKNOWN;
		return;
	}
	v->unknown[v->n_unknown++] = type;
}

static void
note_duplicate(struct gw_stun_view *v, uint16_t type)
{
	if (!(v->flags & GW_STUN_F_DUPLICATE))
		v->dup_type = type;
	v->flags |= GW_STUN_F_DUPLICATE;
}

static int
parse_header(struct gw_stun_view *v, const uint8_t **c, const uint8_t *end)
{
	uint16_t type, mlen;
	uint32_t cookie;
	const uint8_t *p = *c;

	if (rd16(&type, c, end) != 0 || rd16(&mlen, c, end) != 0 ||
	    rd32(&cookie, c, end) != 0 || end - *c < GW_STUN_TXID_LEN)
		return -EBADMSG;
	if ((type & 0xc000u) != 0 || mlen % 4 != 0 ||
	    (size_t)(end - p) != (size_t)mlen + GW_STUN_HDR_LEN)
		return -EBADMSG;
	if (cookie != GW_STUN_MAGIC)
		return -EPROTONOSUPPORT;       /* RFC 3489: 128-bit txid, no cookie */
	v->type = type;
	v->method = type_method(type);
	v->cls = type_class(type);
	v->txid = *c;
	*c += GW_STUN_TXID_LEN;
	return 0;
}

/*
 * attr[] (16-aligned) to zero in 16-byte stores, then any 8-byte tail. The
 * stores were field by field (two per slot), which the profile of an ICE
 * check put at half of parsing it. may_alias: the slots are read as
 * struct gw_stun_attr afterwards. The unroll keeps GCC from turning the
 * loop back into `rep stos`.
 */
static inline void
zero_attrs(struct gw_stun_attr *a)
{
	typedef uint32_t zv __attribute__((vector_size(16), may_alias));
	enum { N16 = sizeof(struct gw_stun_attr) * GW_STUN_A_MAX / 16 };
	zv *d = (zv *)(void *)a;
	size_t i;

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 32
#endif
	for (i = 0; i < N16; i++)
		d[i] = (zv){ 0, 0, 0, 0 };
	for (i = N16 * 16 / sizeof(*a); i < GW_STUN_A_MAX; i++) {
		a[i].off = 0;
		a[i].len = 0;
	}
}

int
gw_stun_parse(struct gw_stun_view *v, const uint8_t *p, size_t len)
{
	const uint8_t *c = p, *end;
	bool seen_mi = false, seen_mi256 = false, seen_fp = false;
	int err;

	if (v == NULL || p == NULL)
		return -EINVAL;
	/* Zero what is read without a count: the header fields and attr[]
	 * (unknown[] and peers[] are read up to n_unknown and n_peers). Not
	 * with one memset of the view: it compiled to `rep stos`, whose
	 * start-up cost was a third of parsing an ICE check. */
	memset(v, 0, offsetof(struct gw_stun_view, unknown));
	zero_attrs(v->attr);
	if (len < GW_STUN_HDR_LEN || len > GW_STUN_HDR_LEN + 0xffffu)
		return -EBADMSG;
	end = p + len;
	err = parse_header(v, &c, end);
	if (err != 0)
		return err;
	v->msg = p;
	v->len = len;

	while (c < end) {
		uint16_t type, alen;
		const uint8_t *val;
		int slot;

		if (rd16(&type, &c, end) != 0 || rd16(&alen, &c, end) != 0)
			return GW_STUN_ERR(400);
		if ((size_t)(end - c) < pad4(alen))
			return GW_STUN_ERR(400);       /* padded value overruns */
		val = c;
		c += pad4(alen);

		if (seen_fp)
			return GW_STUN_ERR(400);       /* FINGERPRINT must be last */
		if (type == GW_STUN_ATTR_FINGERPRINT) {
			seen_fp = true;
		} else if (seen_mi256 ||
			   (seen_mi && type != GW_STUN_ATTR_MESSAGE_INTEGRITY_SHA256)) {
			v->flags |= GW_STUN_F_AFTER_MI;  /* §14.5, §14.6: ignore */
			continue;
		}
		slot = slot_of(type);
		if (slot < 0) {
			if (type < 0x8000u)              /* comprehension-required */
				note_unknown(v, type);
			continue;
		}
		if (!attr_ok(slot, val, alen))
			return GW_STUN_ERR(400);
		if (slot == GW_STUN_A_XOR_PEER_ADDRESS) {
			if (v->n_peers < GW_STUN_MAX_PEERS) {
				v->peers[v->n_peers].off = (uint32_t)(val - p);
				v->peers[v->n_peers].len = alen;
				v->n_peers++;
			} else {
				v->flags |= GW_STUN_F_MANY_PEERS;
			}
			if (v->attr[slot].off != 0)
				continue;                /* repeats are normal here */
		} else if (v->attr[slot].off != 0) {
			note_duplicate(v, type);
			continue;
		}
		v->attr[slot].off = (uint32_t)(val - p);
		v->attr[slot].len = alen;
		if (slot == GW_STUN_A_MESSAGE_INTEGRITY)
			seen_mi = true;
		else if (slot == GW_STUN_A_MESSAGE_INTEGRITY_SHA256)
			seen_mi256 = true;
	}
	if (v->n_unknown > 0)
		return GW_STUN_ERR(420);
	return 0;
}

int
gw_stun_frame_len(const uint8_t *p, size_t len)
{
	if (p == NULL || len < GW_STUN_HDR_LEN)
		return -EAGAIN;
	if ((p[0] & 0xc0u) != 0 || gw_get32(p + 4) != GW_STUN_MAGIC || gw_get16(p + 2) % 4 != 0)
		return -EBADMSG;
	return GW_STUN_HDR_LEN + gw_get16(p + 2);
}

/* ---- accessors ---------------------------------------------------------------- */

/*
 * An attribute reference is usable if present and inside the message (a
 * reference the caller made up cannot point into the header).
 */
static const uint8_t *
attr_val(const struct gw_stun_view *v, const struct gw_stun_attr *a)
{
	if (v == NULL || a == NULL || v->msg == NULL ||
	    a->off < GW_STUN_HDR_LEN + 4 || (size_t)a->off + a->len > v->len)
		return NULL;
	return v->msg + a->off;
}

static int
get_addr(const struct gw_stun_view *v, const struct gw_stun_attr *a,
	 struct gw_stun_addr *out, bool xor)
{
	const uint8_t *p = attr_val(v, a);
	size_t n;

	if (p == NULL || out == NULL)
		return -ENOENT;
	if (a->len == 8 && p[1] == GW_STUN_FAMILY_IPV4)
		n = 4;
	else if (a->len == 20 && p[1] == GW_STUN_FAMILY_IPV6)
		n = 16;
	else
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->family = p[1];
	out->port = gw_get16(p + 2);
	memcpy(out->addr, p + 4, n);
	if (xor) {
		/* cookie || txid is exactly the 16 header bytes from offset 4 */
		out->port ^= (uint16_t)(GW_STUN_MAGIC >> 16);
		for (size_t i = 0; i < n; i++)
			out->addr[i] ^= v->msg[4 + i];
	}
	return 0;
}

int
gw_stun_get_addr(const struct gw_stun_view *v, const struct gw_stun_attr *a,
		 struct gw_stun_addr *out)
{
	return get_addr(v, a, out, false);
}

int
gw_stun_get_xor_addr(const struct gw_stun_view *v, const struct gw_stun_attr *a,
		     struct gw_stun_addr *out)
{
	return get_addr(v, a, out, true);
}

int
gw_stun_get_u32(const struct gw_stun_view *v, const struct gw_stun_attr *a, uint32_t *out)
{
	const uint8_t *p = attr_val(v, a);

	if (p == NULL || out == NULL)
		return -ENOENT;
	if (a->len != 4)
		return -EBADMSG;
	*out = gw_get32(p);
	return 0;
}

int
gw_stun_get_u64(const struct gw_stun_view *v, const struct gw_stun_attr *a, uint64_t *out)
{
	const uint8_t *p = attr_val(v, a);

	if (p == NULL || out == NULL)
		return -ENOENT;
	if (a->len != 8)
		return -EBADMSG;
	*out = (uint64_t)gw_get32(p) << 32 | gw_get32(p + 4);
	return 0;
}

int
gw_stun_get_bytes(const struct gw_stun_view *v, const struct gw_stun_attr *a,
		  const uint8_t **p, size_t *n)
{
	const uint8_t *val = attr_val(v, a);

	if (val == NULL || p == NULL || n == NULL)
		return -ENOENT;
	*p = val;
	*n = a->len;
	return 0;
}

int
gw_stun_get_error(const struct gw_stun_view *v, uint16_t *code,
		  const uint8_t **reason, size_t *rlen)
{
	const struct gw_stun_attr *a = v != NULL ? &v->attr[GW_STUN_A_ERROR_CODE] : NULL;
	const uint8_t *p = attr_val(v, a);
	unsigned cls, num;

	if (p == NULL || code == NULL)
		return -ENOENT;
	if (a->len < 4)
		return -EBADMSG;
	cls = p[2] & 0x07u;
	num = p[3];
	if (cls < 3 || cls > 6 || num > 99)
		return -EBADMSG;
	*code = (uint16_t)(cls * 100 + num);
	if (reason != NULL)
		*reason = p + 4;
	if (rlen != NULL)
		*rlen = a->len - 4u;
	return 0;
}

int
gw_stun_get_password_algorithm(const struct gw_stun_view *v, uint16_t *alg)
{
	const struct gw_stun_attr *a =
		v != NULL ? &v->attr[GW_STUN_A_PASSWORD_ALGORITHM] : NULL;
	const uint8_t *p = attr_val(v, a);

	if (p == NULL || alg == NULL)
		return -ENOENT;
	if (a->len < 4 || pad4(gw_get16(p + 2)) > a->len - 4u)
		return -EBADMSG;
	*alg = gw_get16(p);
	return 0;
}

/* ---- integrity and fingerprint -------------------------------------------------- */

static uint32_t
crc32_zlib(const uint8_t *p, size_t n)
{
	return (uint32_t)crc32(crc32(0L, Z_NULL, 0), p, (uInt)n);
}

static gw_stun_crc32_fn *crc32_fn = crc32_zlib;

void
gw_stun_set_crc32(gw_stun_crc32_fn *fn)
{
	crc32_fn = fn != NULL ? fn : crc32_zlib;
}

static uint32_t
crc32_of(const uint8_t *p, size_t n)
{
	return crc32_fn(p, n);
}

int
gw_stun_check_fingerprint(const struct gw_stun_view *v)
{
	const struct gw_stun_attr *a = v != NULL ? &v->attr[GW_STUN_A_FINGERPRINT] : NULL;
	const uint8_t *p = attr_val(v, a);

	if (p == NULL || a->len != 4)
		return -ENOENT;
	/* the parser made FINGERPRINT last: the length field already ends here */
	if ((crc32_of(v->msg, a->off - 4u) ^ GW_STUN_FP_XOR) != gw_get32(p))
		return -EBADMSG;
	return 0;
}

/*
 * What a MESSAGE-INTEGRITY(-SHA256) covers (§14.5): the message before the
 * attribute header with a length field that ends at the attribute. The
 * first up to 64 bytes (one SHA-1/SHA-256 block) are copied to head with
 * that length patched in, so the hash gets one block and one contiguous
 * rest instead of three small pieces it would each buffer. Returns the
 * number of chunks in c (1 or 2).
 */
static size_t
mi_chunks(struct gw_hmac_chunk c[2], uint8_t head[64], const struct gw_stun_view *v,
	  const struct gw_stun_attr *a)
{
	size_t covered = a->off - 4u, h = covered < 64 ? covered : 64;

	if (h == 64)
		memcpy(head, v->msg, 64);   /* the usual case: a fixed copy, no size branches */
	else
		memcpy(head, v->msg, h);
	gw_put16(head + 2, (uint16_t)(a->off + a->len - GW_STUN_HDR_LEN));
	c[0] = (struct gw_hmac_chunk){ head, h };
	c[1] = (struct gw_hmac_chunk){ v->msg + h, covered - h };
	return covered > h ? 2 : 1;
}

int
gw_stun_check_integrity(const struct gw_stun_view *v, const struct gw_hmac_sha1_key *k)
{
	const struct gw_stun_attr *a =
		v != NULL ? &v->attr[GW_STUN_A_MESSAGE_INTEGRITY] : NULL;
	const uint8_t *p = attr_val(v, a);
	struct gw_hmac_chunk c[2];
	uint8_t head[64], mac[GW_HMAC_SHA1_LEN];
	size_t n;
	bool ok;

	if (p == NULL || k == NULL || a->len != GW_HMAC_SHA1_LEN)
		return -ENOENT;
	n = mi_chunks(c, head, v, a);
	gw_hmac_sha1_v(k, c, n, mac);
	ok = gw_ct_equal(mac, p, sizeof(mac));
	gw_wipe(mac, sizeof(mac));
	return ok ? 0 : GW_STUN_ERR(401);
}

int
gw_stun_check_integrity_sha256(const struct gw_stun_view *v,
			       const struct gw_hmac_sha256_key *k)
{
	const struct gw_stun_attr *a =
		v != NULL ? &v->attr[GW_STUN_A_MESSAGE_INTEGRITY_SHA256] : NULL;
	const uint8_t *p = attr_val(v, a);
	struct gw_hmac_chunk c[2];
	uint8_t head[64], mac[GW_HMAC_SHA256_LEN];
	size_t n;
	bool ok;

	if (p == NULL || k == NULL || a->len < 16 || a->len > GW_HMAC_SHA256_LEN)
		return -ENOENT;
	n = mi_chunks(c, head, v, a);
	gw_hmac_sha256_v(k, c, n, mac);
	ok = gw_ct_equal(mac, p, a->len);   /* truncated MAC: compare its length */
	gw_wipe(mac, sizeof(mac));
	return ok ? 0 : GW_STUN_ERR(401);
}

/* ---- credentials ---------------------------------------------------------------- */

/* Digest of the strings s[0..n) joined with ':'. */
static int
digest_joined(const EVP_MD *md, uint8_t *out, const char *const *s, size_t n)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int err = -EIO;

	if (ctx == NULL)
		return -EIO;
	if (EVP_DigestInit_ex(ctx, md, NULL) != 1)
		goto out;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && EVP_DigestUpdate(ctx, ":", 1) != 1)
			goto out;
		if (EVP_DigestUpdate(ctx, s[i], strlen(s[i])) != 1)
			goto out;
	}
	if (EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		goto out;
	err = 0;
out:
	EVP_MD_CTX_free(ctx);   /* cleanses its state */
	return err;
}

int
gw_stun_longterm_key_md5(uint8_t key[16], const char *user, const char *realm,
			 const char *pass)
{
	const char *s[3] = { user, realm, pass };

	if (key == NULL || user == NULL || realm == NULL || pass == NULL)
		return -EINVAL;
	return digest_joined(EVP_md5(), key, s, 3);
}

int
gw_stun_longterm_key_sha256(uint8_t key[32], const char *user, const char *realm,
			    const char *pass)
{
	const char *s[3] = { user, realm, pass };

	if (key == NULL || user == NULL || realm == NULL || pass == NULL)
		return -EINVAL;
	return digest_joined(EVP_sha256(), key, s, 3);
}

int
gw_stun_userhash(uint8_t out[32], const char *user, const char *realm)
{
	const char *s[2] = { user, realm };

	if (out == NULL || user == NULL || realm == NULL)
		return -EINVAL;
	return digest_joined(EVP_sha256(), out, s, 2);
}

/* ---- encoder -------------------------------------------------------------------- */

int
gw_stun_enc_init(struct gw_stun_enc *e, uint8_t *buf, size_t cap, uint16_t type,
		 const uint8_t txid[GW_STUN_TXID_LEN])
{
	if (e == NULL || buf == NULL || txid == NULL || (type & 0xc000u) != 0)
		return -EINVAL;
	if (cap < GW_STUN_HDR_LEN)
		return -ENOSPC;
	memmove(buf + 8, txid, GW_STUN_TXID_LEN);   /* txid may come from buf */
	gw_put16(buf, type);
	gw_put16(buf + 2, 0);
	gw_put32(buf + 4, GW_STUN_MAGIC);
	e->buf = buf;
	e->cap = cap;
	e->len = GW_STUN_HDR_LEN;
	e->pad = 0;
	return 0;
}

void
gw_stun_enc_set_pad(struct gw_stun_enc *e, uint8_t pad)
{
	e->pad = pad;
}

/*
 * Append an attribute header for an n-byte value, its padding, and update the
 * message length. Returns where the value goes, or NULL if it does not fit
 * (nothing written).
 */
static uint8_t *
reserve(struct gw_stun_enc *e, uint16_t type, size_t n)
{
	size_t total = 4 + pad4(n);
	uint8_t *p;

	if (n > 0xffffu || e->len > e->cap || e->cap - e->len < total ||
	    e->len - GW_STUN_HDR_LEN + total > 0xffffu)
		return NULL;
	p = e->buf + e->len;
	gw_put16(p, type);
	gw_put16(p + 2, (uint16_t)n);
	memset(p + 4 + n, e->pad, pad4(n) - n);
	e->len += total;
	gw_put16(e->buf + 2, (uint16_t)(e->len - GW_STUN_HDR_LEN));
	return p + 4;
}

int
gw_stun_enc_bytes(struct gw_stun_enc *e, uint16_t type, const void *p, size_t n)
{
	uint8_t *val;

	if (p == NULL && n > 0)
		return -EINVAL;
	if (n > 0xffffu)
		return -EINVAL;
	val = reserve(e, type, n);
	if (val == NULL)
		return -ENOSPC;
	if (n > 0)
		memcpy(val, p, n);
	return 0;
}

int
gw_stun_enc_u32(struct gw_stun_enc *e, uint16_t type, uint32_t val)
{
	uint8_t *p = reserve(e, type, 4);

	if (p == NULL)
		return -ENOSPC;
	gw_put32(p, val);
	return 0;
}

int
gw_stun_enc_u64(struct gw_stun_enc *e, uint16_t type, uint64_t val)
{
	uint8_t *p = reserve(e, type, 8);

	if (p == NULL)
		return -ENOSPC;
	gw_put32(p, (uint32_t)(val >> 32));
	gw_put32(p + 4, (uint32_t)val);
	return 0;
}

static int
enc_addr(struct gw_stun_enc *e, uint16_t type, const struct gw_stun_addr *a, bool xor)
{
	size_t n;
	uint8_t *p;

	if (a == NULL)
		return -EINVAL;
	if (a->family == GW_STUN_FAMILY_IPV4)
		n = 4;
	else if (a->family == GW_STUN_FAMILY_IPV6)
		n = 16;
	else
		return -EINVAL;
	p = reserve(e, type, 4 + n);
	if (p == NULL)
		return -ENOSPC;
	p[0] = 0;
	p[1] = a->family;
	gw_put16(p + 2, xor ? (uint16_t)(a->port ^ (GW_STUN_MAGIC >> 16)) : a->port);
	for (size_t i = 0; i < n; i++)
		p[4 + i] = xor ? (uint8_t)(a->addr[i] ^ e->buf[4 + i]) : a->addr[i];
	return 0;
}

int
gw_stun_enc_addr(struct gw_stun_enc *e, uint16_t type, const struct gw_stun_addr *a)
{
	return enc_addr(e, type, a, false);
}

int
gw_stun_enc_xor_addr(struct gw_stun_enc *e, uint16_t type, const struct gw_stun_addr *a)
{
	return enc_addr(e, type, a, true);
}

int
gw_stun_enc_error(struct gw_stun_enc *e, uint16_t code, const char *reason)
{
	size_t rlen = reason != NULL ? strnlen(reason, GW_STUN_MAX_REASON + 1) : 0;
	uint8_t *p;

	if (code < 300 || code > 699 || rlen > GW_STUN_MAX_REASON)
		return -EINVAL;
	p = reserve(e, GW_STUN_ATTR_ERROR_CODE, 4 + rlen);
	if (p == NULL)
		return -ENOSPC;
	p[0] = 0;
	p[1] = 0;
	p[2] = (uint8_t)(code / 100);
	p[3] = (uint8_t)(code % 100);
	if (rlen > 0)
		memcpy(p + 4, reason, rlen);
	return 0;
}

int
gw_stun_enc_unknown_attrs(struct gw_stun_enc *e, const uint16_t *types, size_t n)
{
	uint8_t *p;

	if ((types == NULL && n > 0) || n > 0x7fff)
		return -EINVAL;
	p = reserve(e, GW_STUN_ATTR_UNKNOWN_ATTRIBUTES, 2 * n);
	if (p == NULL)
		return -ENOSPC;
	for (size_t i = 0; i < n; i++)
		gw_put16(p + 2 * i, types[i]);
	return 0;
}

int
gw_stun_enc_integrity(struct gw_stun_enc *e, const struct gw_hmac_sha1_key *k)
{
	size_t start = e->len;
	uint8_t *p;

	if (k == NULL)
		return -EINVAL;
	/* reserve() sets the length field to end at this attribute, as §14.5 wants */
	p = reserve(e, GW_STUN_ATTR_MESSAGE_INTEGRITY, GW_HMAC_SHA1_LEN);
	if (p == NULL)
		return -ENOSPC;
	gw_hmac_sha1(k, e->buf, start, p);
	return 0;
}

int
gw_stun_enc_integrity_sha256(struct gw_stun_enc *e, const struct gw_hmac_sha256_key *k)
{
	size_t start = e->len;
	uint8_t *p;

	if (k == NULL)
		return -EINVAL;
	p = reserve(e, GW_STUN_ATTR_MESSAGE_INTEGRITY_SHA256, GW_HMAC_SHA256_LEN);
	if (p == NULL)
		return -ENOSPC;
	gw_hmac_sha256(k, e->buf, start, p);
	return 0;
}

int
gw_stun_enc_fingerprint(struct gw_stun_enc *e)
{
	size_t start = e->len;
	uint8_t *p = reserve(e, GW_STUN_ATTR_FINGERPRINT, 4);

	if (p == NULL)
		return -ENOSPC;
	gw_put32(p, crc32_of(e->buf, start) ^ GW_STUN_FP_XOR);
	return 0;
}

size_t
gw_stun_enc_len(const struct gw_stun_enc *e)
{
	return e->len;
}
