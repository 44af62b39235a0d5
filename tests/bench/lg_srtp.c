#include "lg_srtp.h"

#include <errno.h>
#include <string.h>

#include "ct.h"

/* RFC 3711 §5.1 / §4.1.1 key lengths for AES_CM_128_HMAC_SHA1_80. */
#define K_E 16
#define K_A 20
#define K_S 14

/* The RTP header's length (fixed part, CSRCs, extension), or 0 when the
 * packet is not RTP version 2 or is shorter than its header says. */
static size_t
rtp_hdr_len(const uint8_t *p, size_t len)
{
	size_t h;

	if (len < 12 || (p[0] >> 6) != 2)
		return 0;
	h = 12 + 4u * (p[0] & 0x0fu);
	if (p[0] & 0x10u) {
		if (len < h + 4)
			return 0;
		h += 4 + 4u * (size_t)((p[h + 2] << 8) | p[h + 3]);
	}
	return h <= len ? h : 0;
}

/* AES-128-CTR keystream XOR'ed over n bytes of buf, counter block iv. */
static int
ctr_apply(EVP_CIPHER_CTX *c, const uint8_t iv[16], uint8_t *buf, size_t n)
{
	int outl;

	if (EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) != 1)
		return -EIO;
	return n == 0 || EVP_EncryptUpdate(c, buf, &outl, buf, (int)n) == 1 ? 0 : -EIO;
}

/* RFC 3711 §4.3.1 with r = 0: x = label (as the top byte of a 56-bit key id)
 * XOR master salt, and the session key is AES-CM(master key) from x * 2^16. */
static int
derive(EVP_CIPHER_CTX *c, const uint8_t *msalt, uint8_t label, uint8_t *out, size_t n)
{
	uint8_t iv[16] = {0};

	memcpy(iv, msalt, K_S);
	iv[7] ^= label;
	memset(out, 0, n);
	return ctr_apply(c, iv, out, n);
}

int
lg_srtp_init(struct lg_srtp *s, const uint8_t master[LG_SRTP_MASTER])
{
	uint8_t ke[K_E], ka[K_A];
	EVP_CIPHER_CTX *m = NULL;
	int err = -EIO;

	if (s == NULL || master == NULL)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	m = EVP_CIPHER_CTX_new();
	s->ctr = EVP_CIPHER_CTX_new();
	if (m == NULL || s->ctr == NULL ||
	    EVP_EncryptInit_ex(m, EVP_aes_128_ctr(), NULL, master, NULL) != 1)
		goto out;
	if (derive(m, master + K_E, 0x00, ke, K_E) || derive(m, master + K_E, 0x01, ka, K_A) ||
	    derive(m, master + K_E, 0x02, s->salt, K_S))
		goto out;
	if (EVP_EncryptInit_ex(s->ctr, EVP_aes_128_ctr(), NULL, ke, NULL) != 1 ||
	    gw_hmac_sha1_key_init(&s->auth, ka, K_A) != 0)
		goto out;
	err = 0;
out:
	EVP_CIPHER_CTX_free(m);
	gw_wipe(ke, sizeof(ke));
	gw_wipe(ka, sizeof(ka));
	return err;
}

void
lg_srtp_fini(struct lg_srtp *s)
{
	if (s == NULL)
		return;
	EVP_CIPHER_CTX_free(s->ctr);
	gw_wipe(s, sizeof(*s));
}

/* §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16). */
static void
pkt_iv(const struct lg_srtp *s, const uint8_t *pkt, uint32_t roc, uint8_t iv[16])
{
	memset(iv, 0, 16);
	memcpy(iv, s->salt, K_S);
	for (int i = 0; i < 4; i++)
		iv[4 + i] ^= pkt[8 + i];                       /* SSRC */
	iv[8] ^= (uint8_t)(roc >> 24);
	iv[9] ^= (uint8_t)(roc >> 16);
	iv[10] ^= (uint8_t)(roc >> 8);
	iv[11] ^= (uint8_t)roc;
	iv[12] ^= pkt[2];                                      /* SEQ */
	iv[13] ^= pkt[3];
}

/* §4.2: HMAC-SHA1 over the authenticated portion || ROC, first 10 bytes. */
static void
tag_of(const struct lg_srtp *s, const uint8_t *pkt, size_t n, uint32_t roc,
       uint8_t tag[GW_HMAC_SHA1_LEN])
{
	const uint8_t r[4] = { (uint8_t)(roc >> 24), (uint8_t)(roc >> 16), (uint8_t)(roc >> 8),
			       (uint8_t)roc };
	const struct gw_hmac_chunk c[2] = { { pkt, n }, { r, sizeof(r) } };

	gw_hmac_sha1_v(&s->auth, c, 2, tag);
}

int
lg_srtp_protect(struct lg_srtp *s, uint8_t *pkt, size_t *len)
{
	size_t h = rtp_hdr_len(pkt, *len);
	uint16_t seq;
	uint8_t iv[16], tag[GW_HMAC_SHA1_LEN];

	if (h == 0)
		return -EINVAL;
	seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
	if (s->started && seq < s->s_l && s->s_l - seq > 0x8000)
		s->roc++;                                      /* the sequence wrapped */
	s->s_l = seq;
	s->started = 1;
	pkt_iv(s, pkt, s->roc, iv);
	if (ctr_apply(s->ctr, iv, pkt + h, *len - h) != 0)
		return -EIO;
	tag_of(s, pkt, *len, s->roc, tag);
	memcpy(pkt + *len, tag, LG_SRTP_TAG);
	*len += LG_SRTP_TAG;
	return 0;
}

/* RFC 3711 Appendix A: the ROC this sequence number most likely belongs to. */
static uint32_t
guess_roc(const struct lg_srtp *s, uint16_t seq)
{
	if (!s->started)
		return s->roc;
	if (s->s_l < 0x8000)
		return seq > s->s_l && seq - s->s_l > 0x8000 ? s->roc - 1 : s->roc;
	return s->s_l - 0x8000 > seq ? s->roc + 1 : s->roc;
}

int
lg_srtp_unprotect(struct lg_srtp *s, uint8_t *pkt, size_t *len)
{
	uint8_t iv[16], tag[GW_HMAC_SHA1_LEN];
	size_t h, n;
	uint16_t seq;
	uint32_t v;

	if (*len < 12 + LG_SRTP_TAG)
		return -EINVAL;
	n = *len - LG_SRTP_TAG;
	h = rtp_hdr_len(pkt, n);
	if (h == 0)
		return -EINVAL;
	seq = (uint16_t)(pkt[2] << 8 | pkt[3]);
	v = guess_roc(s, seq);
	tag_of(s, pkt, n, v, tag);
	if (!gw_ct_equal(tag, pkt + n, LG_SRTP_TAG))
		return -EBADMSG;
	pkt_iv(s, pkt, v, iv);
	if (ctr_apply(s->ctr, iv, pkt + h, n - h) != 0)
		return -EIO;
	if (!s->started || v == s->roc + 1 || (v == s->roc && seq > s->s_l)) {
		s->roc = v;
		s->s_l = seq;
		s->started = 1;
	}
	*len = n;
	return 0;
}
