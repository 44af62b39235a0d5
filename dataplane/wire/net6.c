/*
 * net6: IPv6, UDP over IPv6, ICMPv6, NDP and IPv6 address classes (net6.h).
 * Bounded views: every read is checked against the end first; values are
 * decoded byte by byte.
 */
#include "net6.h"
#include "be.h"

#include <errno.h>
#include <string.h>

#define JUMBO_OPT 0xc2        /* RFC 2675 Jumbo Payload option type */

static inline bool
is_mcast(const uint8_t *a)
{
	return a[0] == 0xff;
}

static bool
is_unspec(const uint8_t *a)
{
	static const uint8_t zero[GW_IPV6_ALEN];

	return memcmp(a, zero, GW_IPV6_ALEN) == 0;
}

/* ---- IPv6 header and extension headers ------------------------------------- */

/* Walk the TLV options of a hop-by-hop or destination options header. */
static int
walk_opts(const uint8_t *p, size_t n)
{
	size_t i = 0;
	unsigned count = 0;

	while (i < n) {
		uint8_t t = p[i];
		size_t ol;

		if (++count > GW_IPV6_MAX_OPTS)
			return -EBADMSG;
		if (t == 0) {                       /* Pad1 */
			i++;
			continue;
		}
		if (n - i < 2)
			return -EBADMSG;
		ol = p[i + 1];
		if (n - i - 2 < ol)
			return -EBADMSG;
		if (t == JUMBO_OPT)
			return -EMSGSIZE;
		/* PadN is 1; everything else must say "skip if unrecognised" */
		if (t != 1 && (t >> 6) != 0)
			return -EOPNOTSUPP;
		i += 2 + ol;
	}
	return 0;
}

int
gw_ipv6_parse(struct gw_ipv6_view *v, const uint8_t *p, size_t len)
{
	const uint8_t *cur, *end;
	uint8_t nh;
	int err;

	if (v == NULL || p == NULL)
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	if (len < GW_IPV6_HLEN || (p[0] >> 4) != 6)
		return -EBADMSG;
	v->plen = gw_get16(p + 4);
	if (len - GW_IPV6_HLEN < v->plen)
		return -EBADMSG;
	v->hdr = p;
	v->tclass = (uint8_t)((p[0] & 0x0f) << 4 | p[1] >> 4);
	v->flow = gw_get32(p) & 0xfffffu;
	v->next_header = p[6];
	v->hop_limit = p[7];
	v->src = p + 8;
	v->dst = p + 24;
	nh = p[6];
	cur = p + GW_IPV6_HLEN;
	end = cur + v->plen;
	if (v->plen == 0 && nh == GW_IPPROTO_HOPOPTS)
		return -EMSGSIZE;                  /* RFC 2675 jumbogram */

	for (;;) {
		size_t hl;

		if (nh != GW_IPPROTO_HOPOPTS && nh != GW_IPPROTO_DSTOPTS &&
		    nh != GW_IPPROTO_ROUTING && nh != GW_IPPROTO_FRAGMENT)
			break;
		if (v->n_ext >= GW_IPV6_MAX_EXT)
			return -E2BIG;
		if (end - cur < 8)
			return -EBADMSG;
		hl = nh == GW_IPPROTO_FRAGMENT ? 8 : ((size_t)cur[1] + 1) * 8;
		if ((size_t)(end - cur) < hl)
			return -EBADMSG;
		switch (nh) {
		case GW_IPPROTO_HOPOPTS:
			if (v->n_ext != 0)         /* RFC 8200 §4.3: only right after the header */
				return -EBADMSG;
			err = walk_opts(cur + 2, hl - 2);
			if (err < 0)
				return err;
			v->ext |= GW_IPV6_EXT_HOPOPTS;
			break;
		case GW_IPPROTO_DSTOPTS:
			err = walk_opts(cur + 2, hl - 2);
			if (err < 0)
				return err;
			v->ext |= GW_IPV6_EXT_DSTOPTS;
			break;
		case GW_IPPROTO_ROUTING:
			if (cur[3] != 0)           /* segments left: we would have to forward */
				return -EOPNOTSUPP;
			v->ext |= GW_IPV6_EXT_ROUTING;
			break;
		default:                           /* fragment */
			if (v->ext & GW_IPV6_EXT_FRAGMENT)
				return -EBADMSG;
			v->ext |= GW_IPV6_EXT_FRAGMENT;
			v->frag_off = gw_get16(cur + 2) & 0xfff8u;
			v->frag_more = (cur[3] & 1) != 0;
			v->frag_id = gw_get32(cur + 4);
			v->is_fragment = v->frag_off != 0 || v->frag_more;
			break;
		}
		v->n_ext++;
		nh = cur[0];
		cur += hl;
		if (v->frag_off != 0)              /* a later fragment: no more headers here */
			break;
	}
	v->proto = nh;
	v->ext_len = (size_t)(cur - (p + GW_IPV6_HLEN));
	v->payload = cur;
	v->payload_len = (size_t)(end - cur);
	return 0;
}

void
gw_ipv6_encode(uint8_t *p, const uint8_t *src, const uint8_t *dst, uint8_t next_header,
	       uint8_t hop_limit, uint16_t payload_len)
{
	p[0] = 0x60;
	p[1] = 0;
	p[2] = 0;
	p[3] = 0;
	gw_put16(p + 4, payload_len);
	p[6] = next_header;
	p[7] = hop_limit;
	memcpy(p + 8, src, GW_IPV6_ALEN);
	memcpy(p + 24, dst, GW_IPV6_ALEN);
}

/* ---- checksums -------------------------------------------------------------- */

uint32_t
gw_ipv6_pseudo_sum(const uint8_t *src, const uint8_t *dst, uint8_t proto, uint32_t len)
{
	uint8_t tail[8] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			    (uint8_t)len, 0, 0, 0, proto };
	uint32_t s;

	s = gw_cksum_add(0, src, GW_IPV6_ALEN);
	s = gw_cksum_add(s, dst, GW_IPV6_ALEN);
	return gw_cksum_add(s, tail, sizeof(tail));
}

uint16_t
gw_udp6_cksum(const uint8_t *src, const uint8_t *dst, const uint8_t *seg, size_t len)
{
	uint16_t c = gw_cksum_fold(gw_cksum_add(gw_ipv6_pseudo_sum(src, dst, GW_IPPROTO_UDP,
								     (uint32_t)len), seg, len));

	return c == 0 ? 0xffff : c;
}

int
gw_udp6_parse(struct gw_udp_view *v, const struct gw_ipv6_view *ip, unsigned flags)
{
	const uint8_t *p;
	size_t n;
	uint16_t ulen;

	if (v == NULL || ip == NULL || ip->payload == NULL || ip->proto != GW_IPPROTO_UDP ||
	    ip->is_fragment)
		return -EINVAL;
	p = ip->payload;
	n = ip->payload_len;
	if (n < GW_UDP_HLEN)
		return -EBADMSG;
	ulen = gw_get16(p + 4);
	if (ulen < GW_UDP_HLEN || ulen != n)
		return -EBADMSG;
	v->sport = gw_get16(p);
	v->dport = gw_get16(p + 2);
	v->cksum = gw_get16(p + 6);
	v->cksum_pending = !(flags & GW_NET_CKSUM_VERIFIED) && (flags & GW_NET_CKSUM_DEFER);
	if (v->cksum == 0)
		return -EILSEQ;
	if (!(flags & (GW_NET_CKSUM_VERIFIED | GW_NET_CKSUM_DEFER)) &&
	    gw_cksum_fold(gw_cksum_add(gw_ipv6_pseudo_sum(ip->src, ip->dst, GW_IPPROTO_UDP, ulen),
				       p, ulen)) != 0)
		return -EILSEQ;
	v->payload = p + GW_UDP_HLEN;
	v->payload_len = ulen - GW_UDP_HLEN;
	return 0;
}

bool
gw_udp6_cksum_ok(const struct gw_ipv6_view *ip, const struct gw_udp_view *v)
{
	return !v->cksum_pending ||
	       gw_cksum_fold(gw_cksum_add(gw_ipv6_pseudo_sum(ip->src, ip->dst, GW_IPPROTO_UDP,
							     (uint16_t)ip->payload_len),
					  ip->payload, ip->payload_len)) == 0;
}

void
gw_udp6_encode(uint8_t *seg, const uint8_t *src, const uint8_t *dst, uint16_t sport,
	       uint16_t dport, uint16_t payload_len)
{
	uint16_t ulen = (uint16_t)(GW_UDP_HLEN + payload_len);

	gw_put16(seg, sport);
	gw_put16(seg + 2, dport);
	gw_put16(seg + 4, ulen);
	gw_put16(seg + 6, 0);
	gw_put16(seg + 6, gw_udp6_cksum(src, dst, seg, ulen));
}

/* ---- ICMPv6 ------------------------------------------------------------------ */

uint16_t
gw_icmp6_cksum(const uint8_t *src, const uint8_t *dst, const uint8_t *msg, size_t len)
{
	return gw_cksum_fold(gw_cksum_add(gw_ipv6_pseudo_sum(src, dst, GW_IPPROTO_ICMPV6,
							      (uint32_t)len), msg, len));
}

int
gw_icmp6_parse(struct gw_icmp6_view *v, const struct gw_ipv6_view *ip)
{
	size_t n;

	if (v == NULL || ip == NULL || ip->payload == NULL || ip->proto != GW_IPPROTO_ICMPV6 ||
	    ip->is_fragment)
		return -EINVAL;
	n = ip->payload_len;
	if (n < GW_ICMP6_HLEN)
		return -EBADMSG;
	/* the sum over a message with a correct checksum folds to zero */
	if (gw_icmp6_cksum(ip->src, ip->dst, ip->payload, n) != 0)
		return -EILSEQ;
	v->type = ip->payload[0];
	v->code = ip->payload[1];
	v->msg = ip->payload;
	v->len = n;
	v->body = ip->payload + GW_ICMP6_HLEN;
	v->body_len = n - GW_ICMP6_HLEN;
	return 0;
}

int
gw_icmp6_echo_parse(struct gw_icmp6_echo *e, const struct gw_icmp6_view *v)
{
	if (e == NULL || v == NULL || v->msg == NULL)
		return -EINVAL;
	if (v->type != GW_ICMP6_ECHO_REQUEST && v->type != GW_ICMP6_ECHO_REPLY)
		return -ENOTSUP;
	if (v->code != 0 || v->len < 8)
		return -EBADMSG;
	e->id = gw_get16(v->msg + 4);
	e->seq = gw_get16(v->msg + 6);
	e->data = v->msg + 8;
	e->data_len = v->len - 8;
	return 0;
}

int
gw_icmp6_echo_encode(uint8_t *buf, size_t cap, const uint8_t *src, const uint8_t *dst,
		     uint8_t type, uint16_t id, uint16_t seq, const uint8_t *data, size_t n)
{
	if (buf == NULL || src == NULL || dst == NULL || (data == NULL && n > 0) ||
	    (type != GW_ICMP6_ECHO_REQUEST && type != GW_ICMP6_ECHO_REPLY))
		return -EINVAL;
	if (n > 0xffff - 8 || cap < 8 + n)
		return -ENOSPC;
	if (n > 0 && data != buf + 8)
		memmove(buf + 8, data, n);
	buf[0] = type;
	buf[1] = 0;
	gw_put16(buf + 2, 0);
	gw_put16(buf + 4, id);
	gw_put16(buf + 6, seq);
	gw_put16(buf + 2, gw_icmp6_cksum(src, dst, buf, 8 + n));
	return (int)(8 + n);
}

/* ---- NDP ----------------------------------------------------------------------- */

int
gw_ndp_parse(struct gw_ndp_view *v, const struct gw_ipv6_view *ip,
	     const struct gw_icmp6_view *ic)
{
	const uint8_t *o, *end;
	unsigned n_opts = 0;

	if (v == NULL || ip == NULL || ic == NULL || ic->msg == NULL || ip->src == NULL)
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	if (ic->type != GW_ICMP6_NS && ic->type != GW_ICMP6_NA)
		return -ENOTSUP;
	if (ic->len < GW_NDP_LEN)
		return -EBADMSG;
	if (ip->hop_limit != GW_NDP_HOP_LIMIT || ic->code != 0)
		return -EPROTO;
	v->type = ic->type;
	v->target = ic->msg + 8;
	if (is_mcast(v->target))
		return -EPROTO;
	o = ic->msg + GW_NDP_LEN;
	end = ic->msg + ic->len;
	while (o < end) {
		size_t ol;

		if (++n_opts > GW_NDP_MAX_OPTS || end - o < 2 || o[1] == 0)
			return -EBADMSG;
		ol = (size_t)o[1] * 8;
		if ((size_t)(end - o) < ol)
			return -EBADMSG;
		if (o[0] == GW_NDP_OPT_SLLA || o[0] == GW_NDP_OPT_TLLA) {
			if (o[1] != 1)
				return -EBADMSG;
			if (o[0] == GW_NDP_OPT_SLLA && v->slla == NULL)
				v->slla = o + 2;
			else if (o[0] == GW_NDP_OPT_TLLA && v->tlla == NULL)
				v->tlla = o + 2;
		}
		o += ol;
	}
	if (v->type == GW_ICMP6_NS) {
		v->dad = is_unspec(ip->src);
		if (v->dad && (!gw_ipv6_is_solicited_node(ip->dst) || v->slla != NULL))
			return -EPROTO;
	} else {
		v->flags = ic->msg[4] & (GW_NDP_NA_ROUTER | GW_NDP_NA_SOLICITED |
					 GW_NDP_NA_OVERRIDE);
		if (is_mcast(ip->dst) && (v->flags & GW_NDP_NA_SOLICITED))
			return -EPROTO;
		if (is_unspec(ip->src))
			return -EPROTO;
	}
	return 0;
}

static int
ndp_encode(uint8_t *buf, size_t cap, const uint8_t *src, const uint8_t *dst, uint8_t type,
	   uint8_t flags, const uint8_t *target, uint8_t opt, const uint8_t *mac)
{
	size_t n = GW_NDP_LEN + (mac != NULL ? 8 : 0);

	if (cap < n)
		return -ENOSPC;
	memset(buf, 0, GW_NDP_LEN);
	buf[0] = type;
	buf[4] = flags;
	memcpy(buf + 8, target, GW_IPV6_ALEN);
	if (mac != NULL) {
		buf[24] = opt;
		buf[25] = 1;
		memcpy(buf + 26, mac, GW_ETH_ALEN);
	}
	gw_put16(buf + 2, gw_icmp6_cksum(src, dst, buf, n));
	return (int)n;
}

int
gw_ndp_ns_encode(uint8_t *buf, size_t cap, const uint8_t *src, const uint8_t *dst,
		 const uint8_t *target, const uint8_t *slla)
{
	if (buf == NULL || src == NULL || dst == NULL || target == NULL || is_mcast(target) ||
	    (slla != NULL && is_unspec(src)))
		return -EINVAL;
	return ndp_encode(buf, cap, src, dst, GW_ICMP6_NS, 0, target, GW_NDP_OPT_SLLA, slla);
}

int
gw_ndp_na_encode(uint8_t *buf, size_t cap, const uint8_t *src, const uint8_t *dst,
		 const uint8_t *target, uint8_t flags, const uint8_t *tlla)
{
	if (buf == NULL || src == NULL || dst == NULL || target == NULL || is_mcast(target) ||
	    (flags & ~(GW_NDP_NA_ROUTER | GW_NDP_NA_SOLICITED | GW_NDP_NA_OVERRIDE)) != 0 ||
	    (is_mcast(dst) && (flags & GW_NDP_NA_SOLICITED)))
		return -EINVAL;
	return ndp_encode(buf, cap, src, dst, GW_ICMP6_NA, flags, target, GW_NDP_OPT_TLLA, tlla);
}

void
gw_ipv6_solicited_node(uint8_t *out, const uint8_t *a)
{
	static const uint8_t pfx[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };

	/* a may alias out: read its last 3 bytes first */
	uint8_t t0 = a[13], t1 = a[14], t2 = a[15];

	memcpy(out, pfx, sizeof(pfx));
	out[13] = t0;
	out[14] = t1;
	out[15] = t2;
}

bool
gw_ipv6_is_solicited_node(const uint8_t *a)
{
	static const uint8_t pfx[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };

	return memcmp(a, pfx, sizeof(pfx)) == 0;
}

void
gw_ipv6_mcast_mac(uint8_t *mac, const uint8_t *a)
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, a + 12, 4);
}

/* ---- address classes --------------------------------------------------------------- */

static const struct {
	uint8_t pfx[GW_IPV6_ALEN];
	uint8_t len;
	enum gw_ipv6_class c;
} classes[] = {               /* first match wins: specific before general */
	{ { 0 }, 128, GW_IPV6_UNSPECIFIED },
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 128, GW_IPV6_LOOPBACK },
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff }, 96, GW_IPV6_V4MAPPED },
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0 }, 96, GW_IPV6_V4TRANSLATED },
	{ { 0 }, 96, GW_IPV6_V4COMPAT },
	{ { 0x00, 0x64, 0xff, 0x9b }, 96, GW_IPV6_NAT64 },
	{ { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 }, 48, GW_IPV6_NAT64_LOCAL },
	{ { 0 }, 8, GW_IPV6_RESERVED },
	{ { 0x01, 0x00 }, 64, GW_IPV6_DISCARD },
	{ { 0x20, 0x01, 0x00, 0x00 }, 32, GW_IPV6_TEREDO },
	{ { 0x20, 0x02 }, 16, GW_IPV6_6TO4 },
	{ { 0xfc }, 7, GW_IPV6_ULA },
	{ { 0xfe, 0x80 }, 10, GW_IPV6_LINKLOCAL },
	{ { 0xfe, 0xc0 }, 10, GW_IPV6_SITELOCAL },
	{ { 0xff }, 8, GW_IPV6_MULTICAST },
};

bool
gw_ipv6_prefix_match(const uint8_t *pfx, unsigned len, const uint8_t *a)
{
	unsigned full = len / 8, rest = len % 8;

	if (len > 128)
		return false;
	if (memcmp(pfx, a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((pfx[full] ^ a[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

enum gw_ipv6_class
gw_ipv6_classify(const uint8_t *a)
{
	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++)
		if (gw_ipv6_prefix_match(classes[i].pfx, classes[i].len, a))
			return classes[i].c;
	return GW_IPV6_GLOBAL;
}

const char *
gw_ipv6_class_name(enum gw_ipv6_class c)
{
	static const char *const names[] = {
		[GW_IPV6_GLOBAL] = "global",
		[GW_IPV6_UNSPECIFIED] = "unspecified",
		[GW_IPV6_LOOPBACK] = "loopback",
		[GW_IPV6_V4MAPPED] = "v4mapped",
		[GW_IPV6_V4TRANSLATED] = "v4translated",
		[GW_IPV6_V4COMPAT] = "v4compat",
		[GW_IPV6_NAT64] = "nat64",
		[GW_IPV6_NAT64_LOCAL] = "nat64-local",
		[GW_IPV6_RESERVED] = "reserved",
		[GW_IPV6_DISCARD] = "discard",
		[GW_IPV6_TEREDO] = "teredo",
		[GW_IPV6_6TO4] = "6to4",
		[GW_IPV6_ULA] = "ula",
		[GW_IPV6_LINKLOCAL] = "link-local",
		[GW_IPV6_SITELOCAL] = "site-local",
		[GW_IPV6_MULTICAST] = "multicast",
	};

	if ((unsigned)c >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[c];
}

bool
gw_ipv6_embedded_ipv4(const uint8_t *a, uint32_t *v4)
{
	switch (gw_ipv6_classify(a)) {
	case GW_IPV6_V4MAPPED:
	case GW_IPV6_V4TRANSLATED:
	case GW_IPV6_V4COMPAT:
	case GW_IPV6_NAT64:
		*v4 = gw_get32(a + 12);
		return true;
	case GW_IPV6_6TO4:
		*v4 = gw_get32(a + 2);
		return true;
	default:
		return false;
	}
}

bool
gw_ipv6_src_martian(const uint8_t *src)
{
	switch (gw_ipv6_classify(src)) {
	case GW_IPV6_UNSPECIFIED:
	case GW_IPV6_LOOPBACK:
	case GW_IPV6_V4MAPPED:
	case GW_IPV6_MULTICAST:
		return true;
	default:
		return false;
	}
}

bool
gw_ipv6_equal(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, GW_IPV6_ALEN) == 0;
}
