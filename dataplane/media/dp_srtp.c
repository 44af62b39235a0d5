/* SRTP/SRTCP on OpenSSL libcrypto (RFC 3711, RFC 7714); see dp_srtp.h. */

#include "dp_srtp.h"
#include "dp_srtp_priv.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "be.h"
#include "ct.h"
#include "gw_ipc.h"
#include "hmac.h"
#include "dp_srtp_kat.h"
#include "rtp.h"

#define GCM_TAG 16
#define HMAC_LEN 20
#define SRTCP_TAG_CM 10         /* RFC 5764 §4.1.2: 80 bits for both CM profiles */
#define SRTCP_E 0x80000000u
#define SRTCP_INDEX_MAX 0x7fffffffu

enum label {                    /* RFC 3711 §4.3.1, §4.3.2 */
	L_RTP_ENC = 0, L_RTP_AUTH, L_RTP_SALT, L_RTCP_ENC, L_RTCP_AUTH, L_RTCP_SALT,
};

struct strm {
	uint32_t ssrc;
	uint8_t rtp_init, rtcp_init;
	uint16_t s_l;           /* highest sequence number (send: sent; recv: authenticated) */
	uint32_t roc;
	uint64_t win;           /* bit d: index (highest - d) seen */
	uint32_t rtcp_idx;      /* recv: highest index seen; send: next index */
	uint32_t pad;
	uint64_t rtcp_win;
};

struct leg_keys {               /* one of SRTP, SRTCP */
	EVP_CIPHER_CTX *c;      /* keyed; per packet only the IV changes */
	struct gw_hmac_sha1_key mac;   /* AES-CM profiles: precomputed, no allocation per packet */
	uint8_t salt[DP_SRTP_SALT_LEN];
};

struct dp_srtp {
	struct dp_srtp_pool *pool;
	uint32_t next_free;     /* pool free list; UINT32_MAX: end */
	uint16_t profile;
	uint8_t dir;
	uint8_t gcm;
	uint8_t tag_len;        /* SRTP tag */
	uint8_t in_use;
	uint8_t n_streams;
	uint8_t last;           /* stream of the previous packet */
	struct leg_keys rtp, rtcp;
	struct strm streams[DP_SRTP_MAX_STREAMS];
} __attribute__((aligned(64)));

struct dp_srtp_pool {
	EVP_CIPHER *gcm, *ctr;
	unsigned n, avail;
	uint32_t free_head;
	struct dp_srtp *ctx;    /* n contexts */
};

/* ---- small helpers ----------------------------------------------------- */

/* HMAC-SHA1(a || b) into out[20] (wire/hmac.h: precomputed states, no allocation). */
static void
hmac_sha1(const struct gw_hmac_sha1_key *k, const uint8_t *a, size_t alen, const uint8_t *b,
	  size_t blen, uint8_t out[HMAC_LEN])
{
	const struct gw_hmac_chunk c[2] = { { a, alen }, { b, blen } };

	gw_hmac_sha1_v(k, c, 2, out);
}

/* AES-CTR (RFC 3711 §4.1.1) of in[0..n) into out (out == in: in place) with a 16-byte IV. */
static int
ctr_xor(EVP_CIPHER_CTX *c, const uint8_t iv[16], const uint8_t *in, uint8_t *out, size_t n)
{
	int outl;

	if (EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) != 1)
		return -EIO;
	if (n && EVP_EncryptUpdate(c, out, &outl, in, (int)n) != 1)
		return -EIO;
	return 0;
}

/* AES-GCM seal: encrypt in[0..n) into out (out == in: in place), tag to tag[16]. */
static int
gcm_seal(EVP_CIPHER_CTX *c, const uint8_t iv[12], const uint8_t *aad, size_t aadlen,
	 const uint8_t *aad2, size_t aad2len, const uint8_t *in, uint8_t *out, size_t n,
	 uint8_t *tag)
{
	int outl;

	if (EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) != 1 ||
	    EVP_EncryptUpdate(c, NULL, &outl, aad, (int)aadlen) != 1 ||
	    (aad2len && EVP_EncryptUpdate(c, NULL, &outl, aad2, (int)aad2len) != 1) ||
	    (n && EVP_EncryptUpdate(c, out, &outl, in, (int)n) != 1) ||
	    EVP_EncryptFinal_ex(c, out + n, &outl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, GCM_TAG, tag) != 1)
		return -EIO;
	return 0;
}

/* AES-GCM open: decrypt p[0..n) in place, verify tag (constant time, in OpenSSL). */
static int
gcm_open(EVP_CIPHER_CTX *c, const uint8_t iv[12], const uint8_t *aad, size_t aadlen,
	 const uint8_t *aad2, size_t aad2len, uint8_t *p, size_t n, const uint8_t *tag)
{
	uint8_t t[GCM_TAG];
	int outl;

	memcpy(t, tag, GCM_TAG);
	if (EVP_DecryptInit_ex(c, NULL, NULL, NULL, iv) != 1 ||
	    EVP_DecryptUpdate(c, NULL, &outl, aad, (int)aadlen) != 1 ||
	    (aad2len && EVP_DecryptUpdate(c, NULL, &outl, aad2, (int)aad2len) != 1) ||
	    (n && EVP_DecryptUpdate(c, p, &outl, p, (int)n) != 1) ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, GCM_TAG, t) != 1)
		return -EIO;
	if (EVP_DecryptFinal_ex(c, p + n, &outl) != 1)
		return DP_SRTP_E_AUTH;
	return 0;
}

/* ---- key derivation (RFC 3711 §4.3) ------------------------------------ */

int
dp_srtp_kdf(uint8_t *out, size_t out_len, uint8_t label, const uint8_t key[DP_SRTP_KEY_LEN],
	    const uint8_t salt[DP_SRTP_SALT_LEN])
{
	uint8_t iv[16] = {0}, zero[32] = {0};
	EVP_CIPHER_CTX *c;
	int outl, rc = -EIO;

	if (out_len > sizeof(zero))
		return -EINVAL;
	/* x = (label || r) XOR master_salt, r = 0 (kdr 0); IV = x * 2^16 */
	memcpy(iv, salt, DP_SRTP_SALT_LEN);
	iv[7] ^= label;
	c = EVP_CIPHER_CTX_new();
	if (c == NULL)
		return -EIO;
	if (EVP_EncryptInit_ex(c, EVP_aes_128_ctr(), NULL, key, iv) == 1 &&
	    EVP_EncryptUpdate(c, out, &outl, zero, (int)out_len) == 1)
		rc = 0;
	EVP_CIPHER_CTX_free(c);
	return rc;
}

static bool
profile_ok(uint16_t profile)
{
	return profile == DP_SRTP_AES128_CM_SHA1_80 || profile == DP_SRTP_AES128_CM_SHA1_32 ||
	       profile == DP_SRTP_AEAD_AES_128_GCM;
}

int
dp_srtp_derive(struct dp_srtp_session_keys *k, const struct dp_srtp_key *mk)
{
	uint8_t salt[DP_SRTP_SALT_LEN];
	bool gcm = mk->profile == DP_SRTP_AEAD_AES_128_GCM;
	size_t slen = gcm ? DP_SRTP_GCM_SALT_LEN : DP_SRTP_SALT_LEN;
	int rc = 0;

	if (!profile_ok(mk->profile))
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	/* RFC 7714 §11: the 96-bit GCM master salt enters the AES-CM PRF
	 * padded with zeros to 112 bits; session salts are 96 bits. */
	memcpy(salt, mk->salt, DP_SRTP_SALT_LEN);
	if (gcm)
		salt[12] = salt[13] = 0;
	rc |= dp_srtp_kdf(k->rtp_key, DP_SRTP_KEY_LEN, L_RTP_ENC, mk->key, salt);
	rc |= dp_srtp_kdf(k->rtp_salt, slen, L_RTP_SALT, mk->key, salt);
	rc |= dp_srtp_kdf(k->rtcp_key, DP_SRTP_KEY_LEN, L_RTCP_ENC, mk->key, salt);
	rc |= dp_srtp_kdf(k->rtcp_salt, slen, L_RTCP_SALT, mk->key, salt);
	if (!gcm) {
		rc |= dp_srtp_kdf(k->rtp_auth, HMAC_LEN, L_RTP_AUTH, mk->key, salt);
		rc |= dp_srtp_kdf(k->rtcp_auth, HMAC_LEN, L_RTCP_AUTH, mk->key, salt);
	}
	gw_wipe(salt, sizeof(salt));
	if (rc != 0) {
		gw_wipe(k, sizeof(*k));
		return -EIO;
	}
	return 0;
}

int
dp_srtp_keys_from_ipc(struct dp_srtp_key *recv, struct dp_srtp_key *send,
		      struct gw_ipc_srtp_keys *m)
{
	unsigned halves = m->flags & (GW_IPC_SRTP_F_RECV | GW_IPC_SRTP_F_SEND);
	int rc = (int)halves;

	static_assert(GW_IPC_SRTP_KEY == DP_SRTP_KEY_LEN, "IPC key size");
	static_assert(GW_IPC_SRTP_SALT == DP_SRTP_SALT_LEN, "IPC salt size");
	if (!profile_ok(m->profile) || halves == 0 || (m->flags & ~halves) != 0) {
		rc = -EINVAL;
		goto out;
	}
	if (halves & GW_IPC_SRTP_F_RECV) {
		recv->profile = m->profile;
		memcpy(recv->key, m->recv_key, DP_SRTP_KEY_LEN);
		memcpy(recv->salt, m->recv_salt, DP_SRTP_SALT_LEN);
	}
	if (halves & GW_IPC_SRTP_F_SEND) {
		send->profile = m->profile;
		memcpy(send->key, m->send_key, DP_SRTP_KEY_LEN);
		memcpy(send->salt, m->send_salt, DP_SRTP_SALT_LEN);
	}
out:
	gw_wipe(m->recv_key, sizeof(m->recv_key));
	gw_wipe(m->recv_salt, sizeof(m->recv_salt));
	gw_wipe(m->send_key, sizeof(m->send_key));
	gw_wipe(m->send_salt, sizeof(m->send_salt));
	return rc;
}

/* ---- pool -------------------------------------------------------------- */

int
dp_srtp_pool_create(struct dp_srtp_pool **out, unsigned n)
{
	struct dp_srtp_pool *p;
	int rc = -ENOMEM;

	*out = NULL;
	if (n == 0 || n >= UINT32_MAX)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->ctx = aligned_alloc(64, (size_t)n * sizeof(struct dp_srtp));
	p->gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	p->ctr = EVP_CIPHER_fetch(NULL, "AES-128-CTR", NULL);
	if (p->ctx == NULL || p->gcm == NULL || p->ctr == NULL)
		goto out;
	memset(p->ctx, 0, (size_t)n * sizeof(struct dp_srtp));
	p->n = n;
	for (unsigned i = 0; i < n; i++) {
		struct dp_srtp *s = &p->ctx[i];

		s->pool = p;
		s->next_free = i + 1 < n ? i + 1 : UINT32_MAX;
		s->rtp.c = EVP_CIPHER_CTX_new();
		s->rtcp.c = EVP_CIPHER_CTX_new();
		if (s->rtp.c == NULL || s->rtcp.c == NULL)
			goto out;
	}
	p->free_head = 0;
	p->avail = n;
	*out = p;
	p = NULL;
	rc = 0;
out:
	dp_srtp_pool_free(p);
	return rc;
}

void
dp_srtp_pool_free(struct dp_srtp_pool *p)
{
	if (p == NULL)
		return;
	if (p->ctx != NULL) {
		for (unsigned i = 0; i < p->n; i++) {
			EVP_CIPHER_CTX_free(p->ctx[i].rtp.c);
			EVP_CIPHER_CTX_free(p->ctx[i].rtcp.c);
		}
		gw_wipe(p->ctx, (size_t)p->n * sizeof(struct dp_srtp));
		free(p->ctx);
	}
	EVP_CIPHER_free(p->gcm);
	EVP_CIPHER_free(p->ctr);
	free(p);
}

unsigned
dp_srtp_pool_avail(const struct dp_srtp_pool *p)
{
	return p->avail;
}

static int
key_leg(struct leg_keys *l, const EVP_CIPHER *cipher, bool gcm, const uint8_t *key,
	const uint8_t *salt, const uint8_t *auth)
{
	if (EVP_CIPHER_CTX_reset(l->c) != 1 ||
	    EVP_EncryptInit_ex(l->c, cipher, NULL, key, NULL) != 1)
		return -EIO;
	memcpy(l->salt, salt, DP_SRTP_SALT_LEN);
	if (!gcm && gw_hmac_sha1_key_init(&l->mac, auth, HMAC_LEN) != 0)
		return -EIO;
	return 0;
}

int
dp_srtp_create_session(struct dp_srtp **out, struct dp_srtp_pool *pool, uint16_t profile,
		       enum dp_srtp_dir dir, const struct dp_srtp_session_keys *k)
{
	struct dp_srtp *s;
	bool gcm = profile == DP_SRTP_AEAD_AES_128_GCM;
	const EVP_CIPHER *cipher = gcm ? pool->gcm : pool->ctr;
	EVP_CIPHER_CTX *c_rtp, *c_rtcp;
	struct dp_srtp_pool *p = pool;
	uint32_t next;

	*out = NULL;
	if (!profile_ok(profile) || (dir != DP_SRTP_RECV && dir != DP_SRTP_SEND))
		return -EINVAL;
	if (pool->free_head == UINT32_MAX)
		return -ENOSPC;
	s = &pool->ctx[pool->free_head];
	next = s->next_free;
	c_rtp = s->rtp.c;
	c_rtcp = s->rtcp.c;
	memset(s, 0, sizeof(*s));
	s->pool = p;
	s->rtp.c = c_rtp;
	s->rtcp.c = c_rtcp;
	s->profile = profile;
	s->dir = (uint8_t)dir;
	s->gcm = gcm;
	s->tag_len = gcm ? GCM_TAG : profile == DP_SRTP_AES128_CM_SHA1_80 ? 10 : 4;
	if (key_leg(&s->rtp, cipher, gcm, k->rtp_key, k->rtp_salt, k->rtp_auth) != 0 ||
	    key_leg(&s->rtcp, cipher, gcm, k->rtcp_key, k->rtcp_salt, k->rtcp_auth) != 0) {
		s->next_free = next;
		gw_wipe(&s->rtp.mac, sizeof(s->rtp.mac));
		gw_wipe(&s->rtcp.mac, sizeof(s->rtcp.mac));
		return -EIO;
	}
	s->in_use = 1;
	s->next_free = UINT32_MAX;
	pool->free_head = next;
	pool->avail--;
	*out = s;
	return 0;
}

int
dp_srtp_create(struct dp_srtp **out, struct dp_srtp_pool *pool, const struct dp_srtp_key *key,
	       enum dp_srtp_dir dir)
{
	struct dp_srtp_session_keys k;
	int rc;

	*out = NULL;
	rc = dp_srtp_derive(&k, key);
	if (rc == 0)
		rc = dp_srtp_create_session(out, pool, key->profile, dir, &k);
	gw_wipe(&k, sizeof(k));
	return rc;
}

void
dp_srtp_free(struct dp_srtp *s)
{
	struct dp_srtp_pool *p;
	EVP_CIPHER_CTX *c_rtp, *c_rtcp;

	if (s == NULL || !s->in_use)
		return;
	p = s->pool;
	c_rtp = s->rtp.c;
	c_rtcp = s->rtcp.c;
	/* EVP_CIPHER_CTX_reset cleanses the key schedule (OpenSSL frees with cleanse). */
	EVP_CIPHER_CTX_reset(c_rtp);
	EVP_CIPHER_CTX_reset(c_rtcp);
	gw_wipe(s, sizeof(*s));
	s->pool = p;
	s->rtp.c = c_rtp;
	s->rtcp.c = c_rtcp;
	s->next_free = p->free_head;
	p->free_head = (uint32_t)(s - p->ctx);
	p->avail++;
}

unsigned
dp_srtp_rtp_overhead(const struct dp_srtp *s)
{
	return s->tag_len;
}

unsigned
dp_srtp_rtcp_overhead(const struct dp_srtp *s)
{
	return (s->gcm ? GCM_TAG : SRTCP_TAG_CM) + 4;
}

/* ---- streams, index estimation, replay (RFC 3711 §3.3.1, Appendix A) -- */

static struct strm *
stream_get(struct dp_srtp *s, uint32_t ssrc)
{
	struct strm *st = &s->streams[s->last];

	if (s->last < s->n_streams && st->ssrc == ssrc)
		return st;
	for (unsigned i = 0; i < s->n_streams; i++)
		if (s->streams[i].ssrc == ssrc) {
			s->last = (uint8_t)i;
			return &s->streams[i];
		}
	if (s->n_streams == DP_SRTP_MAX_STREAMS)
		return NULL;
	st = &s->streams[s->n_streams];
	memset(st, 0, sizeof(*st));
	st->ssrc = ssrc;
	/* The slot only counts once a packet on it authenticates (or is sent). */
	return st;
}

static void
stream_commit(struct dp_srtp *s, struct strm *st)
{
	unsigned i = (unsigned)(st - s->streams);

	if (i == s->n_streams)
		s->n_streams++;
	s->last = (uint8_t)i;
}

/*
 * The 48-bit index of seq relative to the stream's highest (RFC 3711
 * Appendix A). false when the guess is ROC - 1 with ROC 0 (a packet from
 * before the stream began: older than anything the window holds) or the ROC
 * would pass 2^32.
 */
static bool
rtp_index(const struct strm *st, uint16_t seq, uint32_t *roc_out, uint64_t *idx)
{
	uint32_t v = st->roc;

	if (st->rtp_init) {
		if (st->s_l < 32768) {
			if ((int)seq - (int)st->s_l > 32768) {
				if (v == 0)
					return false;
				v--;
			}
		} else if ((int)st->s_l - 32768 > (int)seq) {
			if (v == UINT32_MAX)
				return false;
			v++;
		}
	}
	*roc_out = v;
	*idx = (uint64_t)v << 16 | seq;
	return true;
}

/* 0 when idx is new to a window whose highest index is max. */
static int
replay_check(bool init, uint64_t max, uint64_t win, uint64_t idx)
{
	uint64_t d;

	if (!init || idx > max)
		return 0;
	d = max - idx;
	if (d >= DP_SRTP_REPLAY_WINDOW || (win >> d) & 1)
		return DP_SRTP_E_REPLAY;
	return 0;
}

static void
replay_add(uint64_t *max, uint64_t *win, bool *init, uint64_t idx)
{
	if (!*init) {
		*init = true;
		*max = idx;
		*win = 1;
	} else if (idx > *max) {
		uint64_t d = idx - *max;

		*win = d >= DP_SRTP_REPLAY_WINDOW ? 1 : (*win << d) | 1;
		*max = idx;
	} else {
		*win |= (uint64_t)1 << (*max - idx);
	}
}

static void
rtp_advance(struct strm *st, uint64_t idx)
{
	uint64_t max = (uint64_t)st->roc << 16 | st->s_l;
	bool init = st->rtp_init;

	replay_add(&max, &st->win, &init, idx);
	st->rtp_init = 1;
	st->roc = (uint32_t)(max >> 16);
	st->s_l = (uint16_t)max;
}

/* ---- SRTP -------------------------------------------------------------- */

static void
rtp_iv_cm(uint8_t iv[16], const uint8_t salt[14], uint32_t ssrc, uint64_t idx)
{
	memcpy(iv, salt, 14);
	iv[14] = iv[15] = 0;
	iv[4] ^= (uint8_t)(ssrc >> 24);
	iv[5] ^= (uint8_t)(ssrc >> 16);
	iv[6] ^= (uint8_t)(ssrc >> 8);
	iv[7] ^= (uint8_t)ssrc;
	for (int i = 0; i < 6; i++)
		iv[8 + i] ^= (uint8_t)(idx >> (40 - 8 * i));
}

/* RFC 7714 §8.1: 00 00 || SSRC || ROC || SEQ, XOR salt. Built as two
 * words rather than byte by byte: it runs once per packet and viewer. */
static void
iv_gcm(uint8_t iv[12], const uint8_t salt[12], uint32_t ssrc, uint32_t hi, uint16_t lo)
{
	uint8_t b[12];
	uint64_t x, sx;
	uint32_t y, sy;

	b[0] = b[1] = 0;
	gw_put32(b + 2, ssrc);
	gw_put32(b + 6, hi);
	b[10] = (uint8_t)(lo >> 8);
	b[11] = (uint8_t)lo;
	memcpy(&x, b, 8);
	memcpy(&sx, salt, 8);
	memcpy(&y, b + 8, 4);
	memcpy(&sy, salt + 8, 4);
	x ^= sx;
	y ^= sy;
	memcpy(iv, &x, 8);
	memcpy(iv + 8, &y, 4);
}

/* What protect and unprotect both need of an RTP packet: its stream, the
 * 48-bit index (with its ROC), and the replay verdict. */
struct rtp_op {
	struct strm *st;
	uint32_t ssrc, roc;
	uint64_t idx;
	uint16_t seq;
};

static int
rtp_prepare(struct dp_srtp *s, const uint8_t *pkt, struct rtp_op *o)
{
	uint64_t max;

	o->seq = gw_get16(pkt + 2);
	o->ssrc = gw_get32(pkt + 8);
	o->st = stream_get(s, o->ssrc);
	if (o->st == NULL)
		return DP_SRTP_E_STREAMS;
	max = (uint64_t)o->st->roc << 16 | o->st->s_l;
	if (!rtp_index(o->st, o->seq, &o->roc, &o->idx) ||
	    replay_check(o->st->rtp_init, max, o->st->win, o->idx) != 0)
		return DP_SRTP_E_REPLAY;
	return 0;
}

/* dst and src are one buffer, or two that do not overlap (dst's cap bytes). */
static bool
overlap(const uint8_t *src, size_t len, const uint8_t *dst, size_t cap)
{
	uintptr_t a = (uintptr_t)src, b = (uintptr_t)dst;

	return a != b && a < b + cap && b < a + len;
}

/*
 * Both protects write header || ciphertext || trailer to dst while reading
 * the plaintext from src: the cipher takes in != out, so an out-of-place
 * protect is one pass over the packet (no copy first), and with dst == src
 * it is the in-place protect, byte for byte the same code.
 */

/* Encrypt and tag the n-byte RTP packet at src (header h bytes) under o's
 * index into dst (dst == src: in place; else they do not overlap). */
static int
rtp_seal(struct dp_srtp *s, const uint8_t *src, uint8_t *dst, size_t n, int h,
	 const struct rtp_op *o)
{
	uint8_t iv[16], mac[HMAC_LEN], rocb[4];
	int rc;

	if (dst != src)
		memcpy(dst, src, (size_t)h);
	if (s->gcm) {
		iv_gcm(iv, s->rtp.salt, o->ssrc, o->roc, o->seq);
		return gcm_seal(s->rtp.c, iv, src, (size_t)h, NULL, 0, src + h, dst + h,
				n - (size_t)h, dst + n);
	}
	rtp_iv_cm(iv, s->rtp.salt, o->ssrc, o->idx);
	rc = ctr_xor(s->rtp.c, iv, src + h, dst + h, n - (size_t)h);
	if (rc == 0) {
		gw_put32(rocb, o->roc);
		hmac_sha1(&s->rtp.mac, dst, n, rocb, 4, mac);
		memcpy(dst + n, mac, s->tag_len);
	}
	return rc;
}

int
dp_srtp_protect_again(struct dp_srtp *s, uint8_t *pkt, size_t *len, size_t cap)
{
	struct rtp_op o;
	uint64_t max;
	size_t n = *len;
	int h, rc;

	if (s->dir != DP_SRTP_SEND)
		return -EINVAL;
	h = gw_rtp_hdr_len(pkt, n);
	if (h < 0)
		return DP_SRTP_E_MALFORMED;
	if (cap < n || cap - n < s->tag_len)
		return DP_SRTP_E_NOROOM;
	o.seq = gw_get16(pkt + 2);
	o.ssrc = gw_get32(pkt + 8);
	o.st = stream_get(s, o.ssrc);
	if (o.st == NULL)
		return DP_SRTP_E_STREAMS;
	max = (uint64_t)o.st->roc << 16 | o.st->s_l;
	/* An index never sent yet is an ordinary protect (and moves the window). */
	if (!o.st->rtp_init)
		return dp_srtp_protect(s, pkt, len, cap);
	if (!rtp_index(o.st, o.seq, &o.roc, &o.idx))
		return DP_SRTP_E_REPLAY;
	if (o.idx > max)
		return dp_srtp_protect(s, pkt, len, cap);
	rc = rtp_seal(s, pkt, pkt, n, h, &o);
	if (rc != 0)
		return rc;
	*len = n + s->tag_len;
	return 0;
}

int
dp_srtp_protect_to(struct dp_srtp *s, const uint8_t *src, size_t len, uint8_t *dst, size_t cap,
		   size_t *out_len)
{
	struct rtp_op o;
	size_t n = len;
	int h, rc;

	if (s->dir != DP_SRTP_SEND || overlap(src, len, dst, cap))
		return -EINVAL;
	h = gw_rtp_hdr_len(src, n);
	if (h < 0)
		return DP_SRTP_E_MALFORMED;
	if (cap < n || cap - n < s->tag_len)
		return DP_SRTP_E_NOROOM;
	rc = rtp_prepare(s, src, &o);
	if (rc != 0)
		return rc;
	rc = rtp_seal(s, src, dst, n, h, &o);
	if (rc != 0)
		return rc;
	rtp_advance(o.st, o.idx);
	stream_commit(s, o.st);
	*out_len = n + s->tag_len;
	return 0;
}

int
dp_srtp_protect(struct dp_srtp *s, uint8_t *pkt, size_t *len, size_t cap)
{
	return dp_srtp_protect_to(s, pkt, *len, pkt, cap, len);
}

int
dp_srtp_unprotect(struct dp_srtp *s, uint8_t *pkt, size_t *len)
{
	struct rtp_op o;
	uint8_t iv[16], mac[HMAC_LEN], rocb[4];
	size_t n = *len, body;
	int h, rc;

	if (s->dir != DP_SRTP_RECV)
		return -EINVAL;
	if (n < (size_t)GW_RTP_HDR_MIN + s->tag_len)
		return DP_SRTP_E_MALFORMED;
	body = n - s->tag_len;
	h = gw_rtp_hdr_len(pkt, body);
	if (h < 0)
		return DP_SRTP_E_MALFORMED;
	rc = rtp_prepare(s, pkt, &o);
	if (rc != 0)
		return rc;
	if (s->gcm) {
		iv_gcm(iv, s->rtp.salt, o.ssrc, o.roc, o.seq);
		rc = gcm_open(s->rtp.c, iv, pkt, (size_t)h, NULL, 0, pkt + h, body - (size_t)h,
			      pkt + body);
	} else {
		gw_put32(rocb, o.roc);
		hmac_sha1(&s->rtp.mac, pkt, body, rocb, 4, mac);
		if (!gw_ct_equal(mac, pkt + body, s->tag_len))
			return DP_SRTP_E_AUTH;
		rtp_iv_cm(iv, s->rtp.salt, o.ssrc, o.idx);
		rc = ctr_xor(s->rtp.c, iv, pkt + h, pkt + h, body - (size_t)h);
	}
	if (rc != 0)
		return rc;
	rtp_advance(o.st, o.idx);
	stream_commit(s, o.st);
	*len = body;
	return 0;
}

/* ---- SRTCP (RFC 3711 §3.4, RFC 7714 §9) -------------------------------- */

/* RFC 3711 §4.1.1 with the 31-bit SRTCP index in place of the SRTP index. */
static void
rtcp_iv_cm(uint8_t iv[16], const uint8_t salt[14], uint32_t ssrc, uint32_t idx)
{
	rtp_iv_cm(iv, salt, ssrc, idx);
}

/* RFC 7714 §9.1: 00 00 || SSRC || 00 00 || 0 || SRTCP index, XOR salt. */
static void
rtcp_iv_gcm(uint8_t iv[12], const uint8_t salt[12], uint32_t ssrc, uint32_t idx)
{
	iv_gcm(iv, salt, ssrc, 0, 0);
	for (int i = 0; i < 4; i++)
		iv[8 + i] ^= (uint8_t)(idx >> (24 - 8 * i));
}

int
dp_srtp_rtcp_protect_to(struct dp_srtp *s, const uint8_t *src, size_t len, uint8_t *dst,
			size_t cap, size_t *out_len)
{
	struct strm *st;
	uint8_t iv[16], mac[HMAC_LEN], eidx[4];
	size_t n = len, over = dp_srtp_rtcp_overhead(s);
	uint32_t ssrc, idx;
	int rc;

	if (s->dir != DP_SRTP_SEND || overlap(src, len, dst, cap))
		return -EINVAL;
	if (n < GW_RTCP_HDR_MIN || (src[0] >> 6) != 2)
		return DP_SRTP_E_MALFORMED;
	if (cap < n || cap - n < over)
		return DP_SRTP_E_NOROOM;
	ssrc = gw_get32(src + 4);
	st = stream_get(s, ssrc);
	if (st == NULL)
		return DP_SRTP_E_STREAMS;
	idx = st->rtcp_idx;
	if (idx > SRTCP_INDEX_MAX)
		return DP_SRTP_E_EXHAUSTED;
	gw_put32(eidx, SRTCP_E | idx);
	if (dst != src)
		memcpy(dst, src, GW_RTCP_HDR_MIN);
	if (s->gcm) {
		/* header(8) | ciphertext | tag(16) | E||index(4); AAD = header || E||index */
		rtcp_iv_gcm(iv, s->rtcp.salt, ssrc, idx);
		rc = gcm_seal(s->rtcp.c, iv, src, GW_RTCP_HDR_MIN, eidx, 4, src + GW_RTCP_HDR_MIN,
			      dst + GW_RTCP_HDR_MIN, n - GW_RTCP_HDR_MIN, dst + n);
		if (rc == 0)
			memcpy(dst + n + GCM_TAG, eidx, 4);
	} else {
		/* header(8) | ciphertext | E||index(4) | tag(10) */
		rtcp_iv_cm(iv, s->rtcp.salt, ssrc, idx);
		rc = ctr_xor(s->rtcp.c, iv, src + GW_RTCP_HDR_MIN, dst + GW_RTCP_HDR_MIN,
			     n - GW_RTCP_HDR_MIN);
		if (rc == 0) {
			memcpy(dst + n, eidx, 4);
			hmac_sha1(&s->rtcp.mac, dst, n + 4, NULL, 0, mac);
			memcpy(dst + n + 4, mac, SRTCP_TAG_CM);
		}
	}
	if (rc != 0)
		return rc;
	st->rtcp_idx = idx + 1;
	st->rtcp_init = 1;
	stream_commit(s, st);
	*out_len = n + over;
	return 0;
}

int
dp_srtp_rtcp_protect(struct dp_srtp *s, uint8_t *pkt, size_t *len, size_t cap)
{
	return dp_srtp_rtcp_protect_to(s, pkt, *len, pkt, cap, len);
}

int
dp_srtp_rtcp_unprotect(struct dp_srtp *s, uint8_t *pkt, size_t *len)
{
	struct strm *st;
	uint8_t iv[16], mac[HMAC_LEN];
	size_t n = *len, over = dp_srtp_rtcp_overhead(s), body;
	const uint8_t *eidx;
	uint32_t ssrc, w, idx;
	uint64_t max, win;
	bool enc, init;
	int rc;

	if (s->dir != DP_SRTP_RECV)
		return -EINVAL;
	if (n < GW_RTCP_HDR_MIN + over || (pkt[0] >> 6) != 2)
		return DP_SRTP_E_MALFORMED;
	body = n - over;
	eidx = s->gcm ? pkt + n - 4 : pkt + body;
	w = gw_get32(eidx);
	enc = (w & SRTCP_E) != 0;
	idx = w & SRTCP_INDEX_MAX;
	ssrc = gw_get32(pkt + 4);
	st = stream_get(s, ssrc);
	if (st == NULL)
		return DP_SRTP_E_STREAMS;
	if (replay_check(st->rtcp_init, st->rtcp_idx, st->rtcp_win, idx) != 0)
		return DP_SRTP_E_REPLAY;
	if (s->gcm) {
		uint8_t e[4];

		memcpy(e, eidx, 4);
		rtcp_iv_gcm(iv, s->rtcp.salt, ssrc, idx);
		if (enc)
			rc = gcm_open(s->rtcp.c, iv, pkt, GW_RTCP_HDR_MIN, e, 4, pkt + GW_RTCP_HDR_MIN,
				      body - GW_RTCP_HDR_MIN, pkt + body);
		else    /* RFC 7714 §9.2: E = 0, the whole packet is AAD */
			rc = gcm_open(s->rtcp.c, iv, pkt, body, e, 4, pkt + body, 0, pkt + body);
	} else {
		hmac_sha1(&s->rtcp.mac, pkt, body + 4, NULL, 0, mac);
		if (!gw_ct_equal(mac, pkt + body + 4, SRTCP_TAG_CM))
			return DP_SRTP_E_AUTH;
		rc = 0;
		if (enc) {
			rtcp_iv_cm(iv, s->rtcp.salt, ssrc, idx);
			rc = ctr_xor(s->rtcp.c, iv, pkt + GW_RTCP_HDR_MIN, pkt + GW_RTCP_HDR_MIN,
				     body - GW_RTCP_HDR_MIN);
		}
	}
	if (rc != 0)
		return rc;
	max = st->rtcp_idx;
	win = st->rtcp_win;
	init = st->rtcp_init;
	replay_add(&max, &win, &init, idx);
	st->rtcp_idx = (uint32_t)max;
	st->rtcp_win = win;
	st->rtcp_init = 1;
	stream_commit(s, st);
	*len = body;
	return 0;
}

unsigned
dp_srtp_run(struct dp_srtp_op *ops, unsigned n)
{
	unsigned ok = 0;

	for (unsigned i = 0; i < n; i++) {
		struct dp_srtp_op *o = &ops[i];
		size_t len = o->len;

		if (o->ctx->dir == DP_SRTP_SEND)
			o->rc = o->rtcp ? dp_srtp_rtcp_protect(o->ctx, o->pkt, &len, o->cap)
					: dp_srtp_protect(o->ctx, o->pkt, &len, o->cap);
		else
			o->rc = o->rtcp ? dp_srtp_rtcp_unprotect(o->ctx, o->pkt, &len)
					: dp_srtp_unprotect(o->ctx, o->pkt, &len);
		o->len = (uint32_t)len;
		ok += o->rc == 0;
	}
	return ok;
}

int
dp_srtp_stream_seed(struct dp_srtp *s, uint32_t ssrc, uint32_t roc, uint16_t seq,
		    uint32_t rtcp_index)
{
	struct strm *st = stream_get(s, ssrc);

	if (st == NULL)
		return DP_SRTP_E_STREAMS;
	st->roc = roc;
	st->s_l = seq;
	st->win = 0;            /* the seeded index itself is still unused */
	st->rtp_init = 1;
	st->rtcp_idx = rtcp_index;
	st->rtcp_win = 0;
	st->rtcp_init = s->dir == DP_SRTP_RECV;
	stream_commit(s, st);
	return 0;
}

/* ---- known-answer self-test (STYLE.md practice 14) --------------------- */

static int
kat_gcm(struct dp_srtp_pool *p)
{
	struct dp_srtp_session_keys k = {0};
	struct dp_srtp *tx = NULL, *rx = NULL;
	uint8_t b[128];
	size_t n;
	int rc = -EIO;

	memcpy(k.rtp_key, kat_gcm_key, 16);
	memcpy(k.rtp_salt, kat_gcm_salt, 12);
	memcpy(k.rtcp_key, kat_gcm_key, 16);
	memcpy(k.rtcp_salt, kat_gcm_salt, 12);
	if (dp_srtp_create_session(&tx, p, DP_SRTP_AEAD_AES_128_GCM, DP_SRTP_SEND, &k) != 0 ||
	    dp_srtp_create_session(&rx, p, DP_SRTP_AEAD_AES_128_GCM, DP_SRTP_RECV, &k) != 0 ||
	    dp_srtp_stream_seed(tx, 0x4d617273, 0, 0, KAT_GCM_RTCP_INDEX) != 0)
		goto out;
	memcpy(b, kat_gcm_rtp_plain, n = sizeof(kat_gcm_rtp_plain));
	if (dp_srtp_protect(tx, b, &n, sizeof(b)) != 0 || n != sizeof(kat_gcm_rtp_protected) ||
	    memcmp(b, kat_gcm_rtp_protected, n) != 0)
		goto out;
	if (dp_srtp_unprotect(rx, b, &n) != 0 || n != sizeof(kat_gcm_rtp_plain) ||
	    memcmp(b, kat_gcm_rtp_plain, n) != 0)
		goto out;
	memcpy(b, kat_gcm_rtcp_plain, n = sizeof(kat_gcm_rtcp_plain));
	if (dp_srtp_rtcp_protect(tx, b, &n, sizeof(b)) != 0 ||
	    n != sizeof(kat_gcm_rtcp_protected) || memcmp(b, kat_gcm_rtcp_protected, n) != 0)
		goto out;
	if (dp_srtp_rtcp_unprotect(rx, b, &n) != 0 || n != sizeof(kat_gcm_rtcp_plain) ||
	    memcmp(b, kat_gcm_rtcp_plain, n) != 0)
		goto out;
	rc = 0;
out:
	dp_srtp_free(tx);
	dp_srtp_free(rx);
	gw_wipe(&k, sizeof(k));
	return rc;
}

static int
kat_cm(struct dp_srtp_pool *p)
{
	struct dp_srtp_key mk = { .profile = DP_SRTP_AES128_CM_SHA1_80 };
	struct dp_srtp_session_keys k;
	struct dp_srtp *tx = NULL, *rx = NULL;
	uint8_t b[128], ks[sizeof(kat_b2_keystream)];
	size_t n;
	int rc = -EIO;

	/* B.3: derivation */
	memcpy(mk.key, kat_b3_master_key, 16);
	memcpy(mk.salt, kat_b3_master_salt, 14);
	if (dp_srtp_derive(&k, &mk) != 0 || memcmp(k.rtp_key, kat_b3_cipher_key, 16) != 0 ||
	    memcmp(k.rtp_salt, kat_b3_cipher_salt, 14) != 0 ||
	    memcmp(k.rtp_auth, kat_b3_auth_key, 20) != 0)
		goto out;
	/* B.2: the keystream for SSRC 0, index 0 is what encrypts a zero payload */
	memcpy(k.rtp_key, kat_b2_key, 16);
	memcpy(k.rtp_salt, kat_b2_salt, 14);
	if (dp_srtp_create_session(&tx, p, DP_SRTP_AES128_CM_SHA1_80, DP_SRTP_SEND, &k) != 0)
		goto out;
	memset(b, 0, sizeof(b));
	b[0] = 0x80;
	n = GW_RTP_HDR_MIN + sizeof(ks);
	if (dp_srtp_protect(tx, b, &n, sizeof(b)) != 0 ||
	    memcmp(b + GW_RTP_HDR_MIN, kat_b2_keystream, sizeof(ks)) != 0)
		goto out;
	dp_srtp_free(tx);
	tx = NULL;
	/* a whole AES_CM_128_HMAC_SHA1_80 packet from master keys, and back */
	memset(mk.key, 0x22, sizeof(mk.key));
	memset(mk.salt, 0x44, sizeof(mk.salt));
	if (dp_srtp_create(&tx, p, &mk, DP_SRTP_SEND) != 0 ||
	    dp_srtp_create(&rx, p, &mk, DP_SRTP_RECV) != 0)
		goto out;
	memcpy(b, kat_cm_rtp_plain, n = sizeof(kat_cm_rtp_plain));
	if (dp_srtp_protect(tx, b, &n, sizeof(b)) != 0 || n != sizeof(kat_cm_rtp_protected) ||
	    memcmp(b, kat_cm_rtp_protected, n) != 0)
		goto out;
	memcpy(ks, b, n);
	b[20] ^= 1;                             /* tampered: refused */
	if (dp_srtp_unprotect(rx, b, &n) != DP_SRTP_E_AUTH)
		goto out;
	memcpy(b, ks, n = sizeof(kat_cm_rtp_protected));
	if (dp_srtp_unprotect(rx, b, &n) != 0 || n != sizeof(kat_cm_rtp_plain) ||
	    memcmp(b, kat_cm_rtp_plain, n) != 0)
		goto out;
	memcpy(b, ks, n = sizeof(kat_cm_rtp_protected));
	if (dp_srtp_unprotect(rx, b, &n) != DP_SRTP_E_REPLAY)    /* replayed: refused */
		goto out;
	rc = 0;
out:
	dp_srtp_free(tx);
	dp_srtp_free(rx);
	gw_wipe(&k, sizeof(k));
	gw_wipe(&mk, sizeof(mk));
	gw_wipe(b, sizeof(b));
	return rc;
}

int
dp_srtp_selftest(void)
{
	struct dp_srtp_pool *p;
	int rc;

	rc = dp_srtp_pool_create(&p, 2);
	if (rc != 0)
		return rc;
	rc = kat_cm(p);
	if (rc == 0)
		rc = kat_gcm(p);
	dp_srtp_pool_free(p);
	return rc;
}
