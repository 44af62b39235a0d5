/* RTP/RTCP header views (RFC 3550, RFC 5761, RFC 8285); see rtp.h. */
#include "rtp.h"

#include <errno.h>
#include <string.h>

#include "be.h"
#include "demux.h"

/* Fixed header, CSRCs and extension block; fills v when non-NULL. */
static int
parse_hdr(struct gw_rtp_view *v, const uint8_t *p, size_t len)
{
	const uint8_t *c = p, *end = p + len;
	unsigned cc;
	uint16_t ext_words = 0, ext_profile = 0;
	const uint8_t *ext = NULL;

	if (len < GW_RTP_HDR_MIN)
		return -EBADMSG;
	if ((p[0] >> 6) != 2)
		return -EPROTO;
	cc = p[0] & 0x0f;
	c += GW_RTP_HDR_MIN;
	if ((size_t)(end - c) < cc * 4u)
		return -EBADMSG;
	c += cc * 4u;
	if (p[0] & 0x10) {
		if (end - c < 4)
			return -EBADMSG;
		ext_profile = gw_get16(c);
		ext_words = gw_get16(c + 2);
		c += 4;
		if ((size_t)(end - c) < (size_t)ext_words * 4u)
			return -EBADMSG;
		ext = c;
		c += (size_t)ext_words * 4u;
	}
	if (v != NULL) {
		v->version = 2;
		v->padding = (p[0] & 0x20) != 0;
		v->extension = (p[0] & 0x10) != 0;
		v->cc = (uint8_t)cc;
		v->marker = (p[1] & 0x80) != 0;
		v->pt = p[1] & 0x7f;
		v->seq = gw_get16(p + 2);
		v->ts = gw_get32(p + 4);
		v->ssrc = gw_get32(p + 8);
		v->csrc = cc ? p + GW_RTP_HDR_MIN : NULL;
		v->ext_profile = ext_profile;
		v->ext_len = (uint16_t)(ext_words * 4u);
		v->ext = ext;
		v->hdr_len = (uint16_t)(c - p);
	}
	return (int)(c - p);
}

int
gw_rtp_hdr_len(const uint8_t *p, size_t len)
{
	return parse_hdr(NULL, p, len);
}

int
gw_rtp_parse(struct gw_rtp_view *v, const uint8_t *p, size_t len)
{
	int h = parse_hdr(v, p, len);
	size_t rest;

	if (h < 0)
		return h;
	rest = len - (size_t)h;
	v->pad_len = 0;
	if (v->padding) {
		/* RFC 3550 §5.1: the last octet counts the padding, itself included. */
		if (rest == 0 || p[len - 1] == 0 || p[len - 1] > rest)
			return -EBADMSG;
		v->pad_len = p[len - 1];
		rest -= v->pad_len;
	}
	v->payload = p + h;
	v->payload_len = rest;
	return 0;
}

int
gw_rtp_ext_begin(struct gw_rtp_ext_iter *it, const struct gw_rtp_view *v)
{
	if (!v->extension || v->ext == NULL)
		return -ENOENT;
	if (v->ext_profile == GW_RTP_EXT_ONE_BYTE)
		it->two_byte = false;
	else if ((v->ext_profile & GW_RTP_EXT_TWO_MASK) == GW_RTP_EXT_TWO_BYTE)
		it->two_byte = true;
	else
		return -ENOENT;
	it->p = v->ext;
	it->end = v->ext + v->ext_len;
	return 0;
}

int
gw_rtp_ext_next(struct gw_rtp_ext_iter *it, struct gw_rtp_ext_elem *e)
{
	while (it->p < it->end) {
		uint8_t b = it->p[0];
		size_t n;

		if (b == 0) {                   /* padding between elements */
			it->p++;
			continue;
		}
		if (!it->two_byte) {
			if ((b >> 4) == 15) {   /* RFC 8285 §4.2: stop processing */
				it->p = it->end;
				return 0;
			}
			e->id = b >> 4;
			n = (size_t)(b & 0x0f) + 1;
			it->p++;
		} else {
			if (it->end - it->p < 2)
				return -EBADMSG;
			e->id = b;
			n = it->p[1];
			it->p += 2;
		}
		if ((size_t)(it->end - it->p) < n)
			return -EBADMSG;
		e->len = (uint8_t)n;
		e->data = it->p;
		it->p += n;
		return 1;
	}
	return 0;
}

int
gw_rtp_ext_find(const struct gw_rtp_view *v, uint8_t id, struct gw_rtp_ext_elem *e)
{
	struct gw_rtp_ext_iter it;
	int rc;

	if (gw_rtp_ext_begin(&it, v) != 0)
		return -ENOENT;
	while ((rc = gw_rtp_ext_next(&it, e)) > 0)
		if (e->id == id)
			return 0;
	return rc < 0 ? rc : -ENOENT;
}

void
gw_rtcp_begin(struct gw_rtcp_iter *it, const uint8_t *p, size_t len)
{
	it->p = p;
	it->end = p + len;
	it->n = 0;
}

int
gw_rtcp_next(struct gw_rtcp_iter *it, struct gw_rtcp_view *v)
{
	const uint8_t *p = it->p;
	size_t plen;

	if (p >= it->end)
		return 0;
	if (it->end - p < GW_RTCP_HDR_MIN)
		return -EBADMSG;
	if ((p[0] >> 6) != 2)
		return -EPROTO;
	plen = ((size_t)gw_get16(p + 2) + 1) * 4;
	if ((size_t)(it->end - p) < plen || plen < GW_RTCP_HDR_MIN)
		return -EBADMSG;
	if (it->n == 0 && p[1] != GW_RTCP_SR && p[1] != GW_RTCP_RR)
		return -EBADMSG;
	v->padding = (p[0] & 0x20) != 0;
	v->count = p[0] & 0x1f;
	v->pt = p[1];
	v->len = (uint16_t)plen;
	v->ssrc = gw_get32(p + 4);
	v->body = p + GW_RTCP_HDR_MIN;
	v->body_len = plen - GW_RTCP_HDR_MIN;
	it->p = p + plen;
	it->n++;
	return 1;
}

bool
gw_rtp_is_rtcp(const uint8_t *p, size_t len)
{
	return gw_demux_classify(p, len) == GW_DEMUX_RTCP;
}

int
gw_rtp_rtx_encode(uint8_t *dst, size_t cap, const uint8_t *src, size_t len, uint8_t pt,
		  uint32_t ssrc, uint16_t seq)
{
	struct gw_rtp_view v;
	size_t n;
	int rc = gw_rtp_parse(&v, src, len);

	if (rc != 0)
		return rc;
	n = (size_t)v.hdr_len + 2 + v.payload_len;
	if (n > cap)
		return -ENOSPC;
	memcpy(dst, src, v.hdr_len);
	dst[0] &= (uint8_t)~0x20;                       /* the padding stays behind */
	dst[1] = (uint8_t)((src[1] & 0x80) | (pt & 0x7f));
	gw_put16(dst + 2, seq);
	gw_put32(dst + 8, ssrc);
	gw_put16(dst + v.hdr_len, v.seq);               /* OSN */
	memcpy(dst + v.hdr_len + 2, v.payload, v.payload_len);
	return (int)n;
}

size_t
gw_rtcp_sr_rewrite(uint8_t *p, size_t len, gw_rtcp_sr_counts_fn *counts, void *arg)
{
	size_t off = 0;

	while (len - off >= GW_RTCP_HDR_MIN) {
		uint8_t *h = p + off;
		size_t plen = ((size_t)gw_get16(h + 2) + 1) * 4;
		uint32_t pk, oc;

		if ((h[0] >> 6) != 2 || plen > len - off)
			break;
		if (h[1] == GW_RTCP_SR && plen >= GW_RTCP_SR_LEN) {
			if (counts(arg, gw_get32(h + 4), &pk, &oc)) {
				gw_put32(h + 20, pk);
				gw_put32(h + 24, oc);
			}
			if (plen > GW_RTCP_SR_LEN || (h[0] & 0x3f) != 0) {
				/* the report blocks say what the publisher heard from
				 * us: not this receiver's business */
				memmove(h + GW_RTCP_SR_LEN, h + plen, len - off - plen);
				len -= plen - GW_RTCP_SR_LEN;
				plen = GW_RTCP_SR_LEN;
				h[0] = 0x80;
				gw_put16(h + 2, GW_RTCP_SR_LEN / 4 - 1);
			}
		}
		off += plen;
	}
	return len;
}
