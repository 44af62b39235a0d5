/*
 * turn: ChannelData framing, REST API credentials, stateless nonces and the
 * peer policy (turn.h). No allocation, no I/O.
 */
#include "turn.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <openssl/evp.h>

#include "ct.h"
#include "net6.h"

#define NONCE_TS_HEX   8
#define NONCE_MAC_LEN  8                       /* truncated HMAC-SHA1, bytes */
#define NONCE_MAC_HEX  (2 * NONCE_MAC_LEN)
#define NONCE_SKEW_S   5                       /* accepted clock skew into the future */

/* ---- ChannelData ---------------------------------------------------------- */

bool
gw_turn_channel_valid(uint32_t ch)
{
	return ch >= GW_TURN_CHAN_MIN && ch <= GW_TURN_CHAN_MAX;
}

int
gw_turn_chandata_parse(struct gw_turn_chandata *cd, const uint8_t *p, size_t len)
{
	return gw_turn_chandata_parse_range(cd, p, len, GW_TURN_CHAN_MAX);
}

int
gw_turn_chandata_parse_range(struct gw_turn_chandata *cd, const uint8_t *p, size_t len,
			     uint16_t max_channel)
{
	uint16_t ch, n;
	size_t padded;

	if (cd == NULL || p == NULL)
		return -EINVAL;
	memset(cd, 0, sizeof(*cd));
	if (len < GW_TURN_CHANDATA_HLEN)
		return -EBADMSG;
	ch = (uint16_t)(p[0] << 8 | p[1]);
	n = (uint16_t)(p[2] << 8 | p[3]);
	padded = ((size_t)n + 3u) & ~(size_t)3u;
	if (len - GW_TURN_CHANDATA_HLEN < n || len - GW_TURN_CHANDATA_HLEN > padded)
		return -EBADMSG;
	if (ch < GW_TURN_CHAN_MIN || ch > max_channel)
		return -ERANGE;
	cd->channel = ch;
	cd->len = n;
	cd->data = p + GW_TURN_CHANDATA_HLEN;
	return 0;
}

int
gw_turn_chandata_encode(uint8_t *buf, size_t cap, uint16_t channel,
			const uint8_t *data, size_t n, bool pad)
{
	size_t total;

	if (buf == NULL || (data == NULL && n > 0) || channel < GW_TURN_CHAN_MIN ||
	    channel > GW_TURN_CHAN_MAX_RFC5766)
		return -EINVAL;
	if (n > 0xffff)
		return -EMSGSIZE;
	total = GW_TURN_CHANDATA_HLEN + (pad ? ((n + 3u) & ~(size_t)3u) : n);
	if (cap < total)
		return -ENOSPC;
	/* payload first: data may overlap the header bytes we are about to write */
	if (n > 0 && data != buf + GW_TURN_CHANDATA_HLEN)
		memmove(buf + GW_TURN_CHANDATA_HLEN, data, n);
	buf[0] = (uint8_t)(channel >> 8);
	buf[1] = (uint8_t)channel;
	buf[2] = (uint8_t)(n >> 8);
	buf[3] = (uint8_t)n;
	if (total > GW_TURN_CHANDATA_HLEN + n)
		memset(buf + GW_TURN_CHANDATA_HLEN + n, 0, total - GW_TURN_CHANDATA_HLEN - n);
	return (int)total;
}

/* ---- request validation ----------------------------------------------------- */

static int
get_peers(struct gw_turn_req *r, const struct gw_stun_view *v, unsigned relay_af)
{
	if (v->flags & GW_STUN_F_MANY_PEERS)
		return GW_STUN_ERR(400);
	for (unsigned i = 0; i < v->n_peers; i++) {
		unsigned af;

		if (gw_stun_get_xor_addr(v, &v->peers[i], &r->peers[i]) < 0)
			return GW_STUN_ERR(400);
		af = GW_TURN_AF_OF(r->peers[i].family);
		if ((af & relay_af) == 0)
			return GW_STUN_ERR(443);
		r->peer_af |= (uint8_t)af;
	}
	r->n_peers = v->n_peers;
	return 0;
}

/* A family attribute's value (first byte) as GW_TURN_AF_*, 0 for other values. */
static unsigned
family_attr(const struct gw_stun_view *v, const struct gw_stun_attr *a)
{
	uint32_t u;

	if (gw_stun_get_u32(v, a, &u) < 0)
		return 0;
	return GW_TURN_AF_OF(u >> 24);
}

static int
check_allocate(struct gw_turn_req *r, const struct gw_stun_view *v, unsigned relay_af)
{
	const struct gw_stun_attr *a;
	/* ADDITIONAL-ADDRESS-FAMILY: RFC 8656's 0x8000, or the 0x8032 coturn's
	 * turnutils_uclient -Z (and clients on its library) still send */
	const struct gw_stun_attr *aa = v->attr[GW_STUN_A_ADDITIONAL_ADDRESS_FAMILY].off != 0 ?
		&v->attr[GW_STUN_A_ADDITIONAL_ADDRESS_FAMILY] :
		&v->attr[GW_STUN_A_ADDITIONAL_ADDRESS_FAMILY_COTURN];
	bool raf = v->attr[GW_STUN_A_REQUESTED_ADDRESS_FAMILY].off != 0;
	bool aaf = aa->off != 0;
	unsigned want;
	uint32_t u;

	if (gw_stun_get_u32(v, &v->attr[GW_STUN_A_REQUESTED_TRANSPORT], &u) < 0)
		return GW_STUN_ERR(400);
	if (u >> 24 != GW_TURN_TRANSPORT_UDP)
		return GW_STUN_ERR(442);
	a = &v->attr[GW_STUN_A_EVEN_PORT];
	if (a->off != 0) {
		r->even_port = true;
		r->reserve_next = (v->msg[a->off] & 0x80) != 0;
	}
	if (gw_stun_get_u64(v, &v->attr[GW_STUN_A_RESERVATION_TOKEN], &r->token) == 0)
		r->has_token = true;
	/* RFC 8656 §7.2 steps 5, 6 and 8 (RFC 6156 §4.2): combinations that are
	 * malformed whatever families the server supports, so 400 before 440. A
	 * token names a relayed address already, family included. */
	if (r->has_token && (r->even_port || raf || aaf))
		return GW_STUN_ERR(400);
	if (raf && aaf)
		return GW_STUN_ERR(400);
	if (r->reserve_next && aaf)
		return GW_STUN_ERR(400);
	/* ADDITIONAL-ADDRESS-FAMILY asks for IPv6 next to IPv4, nothing else */
	if (aaf && family_attr(v, aa) != GW_TURN_AF_IPV6)
		return GW_STUN_ERR(400);
	r->dont_fragment = v->attr[GW_STUN_A_DONT_FRAGMENT].off != 0;
	if (r->has_token)
		return 0;                          /* the reserved allocation's family */
	if (raf)
		want = family_attr(v, &v->attr[GW_STUN_A_REQUESTED_ADDRESS_FAMILY]);
	else if (aaf)
		want = GW_TURN_AF_IPV4 | GW_TURN_AF_IPV6;
	else
		want = GW_TURN_AF_IPV4;
	if ((want & relay_af) == 0)                /* incl. an unknown family value */
		return GW_STUN_ERR(440);
	r->af = (uint8_t)(want & relay_af);
	r->af_refused = (uint8_t)(want & ~relay_af);
	return 0;
}

int
gw_turn_req_check_af(struct gw_turn_req *r, const struct gw_stun_view *v, unsigned relay_af)
{
	uint32_t u;

	if (r == NULL || v == NULL || v->msg == NULL || relay_af == 0 ||
	    (relay_af & ~(GW_TURN_AF_IPV4 | GW_TURN_AF_IPV6)) != 0)
		return -EINVAL;
	/* peers[] is read up to n_peers only: zeroing it (160 bytes, a
	 * `rep stos` with the rest) would be per Send indication for nothing */
	memset(r, 0, offsetof(struct gw_turn_req, peers));
	r->data = NULL;
	r->data_len = 0;
	r->method = v->method;
	if (v->cls == GW_STUN_INDICATION) {
		if (v->method != GW_STUN_SEND)
			return -ENOTSUP;
		if (v->n_peers != 1 || get_peers(r, v, relay_af) < 0 ||
		    gw_stun_get_bytes(v, &v->attr[GW_STUN_A_DATA], &r->data, &r->data_len) < 0)
			return -EBADMSG;
		r->dont_fragment = v->attr[GW_STUN_A_DONT_FRAGMENT].off != 0;
		return 0;
	}
	if (v->cls != GW_STUN_REQUEST)
		return -ENOTSUP;
	if (gw_stun_get_u32(v, &v->attr[GW_STUN_A_LIFETIME], &r->lifetime) == 0)
		r->has_lifetime = true;
	switch (v->method) {
	case GW_STUN_ALLOCATE:
		return check_allocate(r, v, relay_af);
	case GW_STUN_REFRESH:
		if (v->attr[GW_STUN_A_REQUESTED_ADDRESS_FAMILY].off == 0)
			return 0;
		r->af = (uint8_t)family_attr(v, &v->attr[GW_STUN_A_REQUESTED_ADDRESS_FAMILY]);
		if (r->af == 0)
			return GW_STUN_ERR(400);
		/* RFC 8656 §7.3 (RFC 6156 §5.2): another family than the allocation's */
		return (r->af & relay_af) == 0 ? GW_STUN_ERR(443) : 0;
	case GW_STUN_CREATE_PERMISSION:
		if (v->n_peers == 0)
			return GW_STUN_ERR(400);
		return get_peers(r, v, relay_af);
	case GW_STUN_CHANNEL_BIND:
		if (gw_stun_get_u32(v, &v->attr[GW_STUN_A_CHANNEL_NUMBER], &u) < 0 ||
		    (u >> 16) < GW_TURN_CHAN_MIN || (u >> 16) > GW_TURN_CHAN_MAX_RFC5766 ||
		    v->n_peers != 1)
			return GW_STUN_ERR(400);
		r->channel = (uint16_t)(u >> 16);
		return get_peers(r, v, relay_af);
	default:
		return -ENOTSUP;
	}
}

int
gw_turn_req_check(struct gw_turn_req *r, const struct gw_stun_view *v)
{
	int err = gw_turn_req_check_af(r, v, GW_TURN_AF_IPV4);

	/* no dual allocation with ADDRESS-ERROR-CODE here: 440 as before */
	if (err == 0 && r->af_refused != 0)
		return GW_STUN_ERR(440);
	return err;
}

int
gw_turn_enc_address_error(struct gw_stun_enc *e, uint8_t family, uint16_t code,
			  const char *reason)
{
	uint8_t val[4 + GW_TURN_ADDR_ERR_MAX_REASON];
	size_t rlen = reason != NULL ? strnlen(reason, GW_TURN_ADDR_ERR_MAX_REASON + 1) : 0;

	if (e == NULL || (family != GW_STUN_FAMILY_IPV4 && family != GW_STUN_FAMILY_IPV6) ||
	    code < 300 || code > 699 || rlen > GW_TURN_ADDR_ERR_MAX_REASON)
		return -EINVAL;
	val[0] = family;
	val[1] = 0;
	val[2] = (uint8_t)(code / 100);            /* 5 reserved bits, then the class */
	val[3] = (uint8_t)(code % 100);
	if (rlen > 0)
		memcpy(val + 4, reason, rlen);
	return gw_stun_enc_bytes(e, GW_STUN_ATTR_ADDRESS_ERROR_CODE, val, 4 + rlen);
}

int
gw_turn_get_address_error(const struct gw_stun_view *v, uint8_t *family, uint16_t *code)
{
	const uint8_t *p;
	size_t n;
	int err;

	if (v == NULL || family == NULL || code == NULL)
		return -EINVAL;
	err = gw_stun_get_bytes(v, &v->attr[GW_STUN_A_ADDRESS_ERROR_CODE], &p, &n);
	if (err < 0)
		return err;
	if (n < 4 || (p[2] & 7) < 3 || (p[2] & 7) > 6 || p[3] > 99)
		return -EBADMSG;
	*family = p[0];
	*code = (uint16_t)((p[2] & 7) * 100 + p[3]);
	return 0;
}

/* ---- REST API credentials ------------------------------------------------ */

int
gw_turn_rest_password(char *out, size_t cap, const struct gw_hmac_sha1_key *secret,
		      const uint8_t *user, size_t ulen)
{
	uint8_t mac[GW_HMAC_SHA1_LEN];

	if (out == NULL || secret == NULL || (user == NULL && ulen > 0))
		return -EINVAL;
	if (cap < GW_TURN_REST_PASS_SIZE)
		return -ENOSPC;
	gw_hmac_sha1(secret, user, ulen, mac);
	/* EVP_EncodeBlock writes 4 * ceil(20 / 3) = 28 characters and a NUL. */
	(void)EVP_EncodeBlock((unsigned char *)out, mac, (int)sizeof(mac));
	gw_wipe(mac, sizeof(mac));
	return 0;
}

int
gw_turn_rest_expiry(const uint8_t *user, size_t ulen, uint64_t *expiry)
{
	uint64_t v = 0;
	size_t i;

	if (user == NULL || expiry == NULL)
		return -EINVAL;
	for (i = 0; i < ulen && user[i] >= '0' && user[i] <= '9'; i++) {
		unsigned d = (unsigned)(user[i] - '0');

		if (i >= 20 || v > (UINT64_MAX - d) / 10)
			return -EBADMSG;
		v = v * 10 + d;
	}
	if (i == 0 || (i < ulen && user[i] != ':'))
		return -EBADMSG;
	*expiry = v;
	return 0;
}

int
gw_turn_rest_check(const uint8_t *user, size_t ulen, uint64_t now)
{
	uint64_t exp;
	int err;

	err = gw_turn_rest_expiry(user, ulen, &exp);
	if (err < 0)
		return err == -EINVAL ? -EBADMSG : err;
	return exp < now ? GW_STUN_ERR(401) : 0;
}

static size_t
put_u64(char *p, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

int
gw_turn_rest_username(char *out, size_t cap, uint64_t expiry, const char *user)
{
	char num[20];
	size_t n, ul;

	if (out == NULL || user == NULL)
		return -EINVAL;
	n = put_u64(num, expiry);
	ul = strlen(user);
	if (n + 1 + ul + 1 > cap || n + 1 + ul > 0x7fffffff)
		return -ENOSPC;
	memcpy(out, num, n);
	out[n] = ':';
	memcpy(out + n + 1, user, ul);
	out[n + 1 + ul] = '\0';
	return (int)(n + 1 + ul);
}

/* ---- stateless nonces ----------------------------------------------------- */

static const char hexd[] = "0123456789abcdef";

static void
put_hex(char *p, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		p[2 * i] = hexd[b[i] >> 4];
		p[2 * i + 1] = hexd[b[i] & 15];
	}
}

static int
get_hex(uint8_t *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < 2 * n; i++) {
		int d;

		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10;
		else
			return -EBADMSG;
		if (i % 2 == 0)
			b[i / 2] = (uint8_t)(d << 4);
		else
			b[i / 2] |= (uint8_t)d;
	}
	return 0;
}

/* MAC over the nonce text before the MAC (cookie, features, time) and the
 * client address: 4 bytes for IPv4, 16 for IPv6 (so a nonce issued to one
 * family never verifies for the other). */
static void
nonce_mac_addr(uint8_t mac[NONCE_MAC_LEN], const struct gw_hmac_sha1_key *key,
	       const void *prefix, size_t plen, const uint8_t *ip, size_t iplen)
{
	struct gw_hmac_chunk c[2] = { { prefix, plen }, { ip, iplen } };
	uint8_t full[GW_HMAC_SHA1_LEN];

	gw_hmac_sha1_v(key, c, 2, full);
	memcpy(mac, full, NONCE_MAC_LEN);
	gw_wipe(full, sizeof(full));
}

static int
nonce_make(char *out, size_t cap, const struct gw_hmac_sha1_key *key, uint32_t features,
	   bool cookie, const uint8_t *ip, size_t iplen, uint64_t now)
{
	uint8_t ts[4], mac[NONCE_MAC_LEN];
	size_t n = 0;

	if (out == NULL || key == NULL || features > 0xffffffu || (!cookie && features != 0))
		return -EINVAL;
	if (cap < GW_TURN_NONCE_MAX)
		return -ENOSPC;
	if (cookie) {
		uint8_t f[3] = { (uint8_t)(features >> 16), (uint8_t)(features >> 8),
				 (uint8_t)features };
		char b64[5];

		memcpy(out, GW_TURN_NONCE_COOKIE, 9);
		(void)EVP_EncodeBlock((unsigned char *)b64, f, 3);
		memcpy(out + 9, b64, 4);
		n = GW_TURN_NONCE_COOKIE_LEN;
	}
	ts[0] = (uint8_t)(now >> 24);
	ts[1] = (uint8_t)(now >> 16);
	ts[2] = (uint8_t)(now >> 8);
	ts[3] = (uint8_t)now;
	put_hex(out + n, ts, 4);
	n += NONCE_TS_HEX;
	nonce_mac_addr(mac, key, out, n, ip, iplen);
	put_hex(out + n, mac, NONCE_MAC_LEN);
	n += NONCE_MAC_HEX;
	out[n] = '\0';
	return (int)n;
}

int
gw_turn_nonce_make(char *out, size_t cap, const struct gw_hmac_sha1_key *key,
		   uint32_t features, bool cookie, uint32_t client_ip, uint64_t now)
{
	uint8_t ip[4] = { (uint8_t)(client_ip >> 24), (uint8_t)(client_ip >> 16),
			  (uint8_t)(client_ip >> 8), (uint8_t)client_ip };

	return nonce_make(out, cap, key, features, cookie, ip, sizeof(ip), now);
}

int
gw_turn_nonce_make6(char *out, size_t cap, const struct gw_hmac_sha1_key *key,
		    uint32_t features, bool cookie, const uint8_t *client_ip6, uint64_t now)
{
	if (client_ip6 == NULL)
		return -EINVAL;
	return nonce_make(out, cap, key, features, cookie, client_ip6, 16, now);
}

int
gw_turn_nonce_features(const uint8_t *nonce, size_t len, uint32_t *features)
{
	unsigned char f[4];

	if (nonce == NULL || features == NULL)
		return -EINVAL;
	if (len < GW_TURN_NONCE_COOKIE_LEN || memcmp(nonce, GW_TURN_NONCE_COOKIE, 9) != 0)
		return -ENOENT;
	if (EVP_DecodeBlock(f, nonce + 9, 4) != 3)
		return -EBADMSG;
	*features = (uint32_t)f[0] << 16 | (uint32_t)f[1] << 8 | f[2];
	return 0;
}

static int
nonce_check(const uint8_t *nonce, size_t len, const struct gw_hmac_sha1_key *key,
	    const uint8_t *ip, size_t iplen, uint64_t now, uint32_t lifetime)
{
	uint8_t ts[4], mac[NONCE_MAC_LEN], want[NONCE_MAC_LEN];
	size_t pre;
	uint32_t issued, age;
	bool ok;

	if (nonce == NULL || key == NULL)
		return -EINVAL;
	if (len == NONCE_TS_HEX + NONCE_MAC_HEX)
		pre = 0;
	else if (len == GW_TURN_NONCE_COOKIE_LEN + NONCE_TS_HEX + NONCE_MAC_HEX &&
		 memcmp(nonce, GW_TURN_NONCE_COOKIE, 9) == 0)
		pre = GW_TURN_NONCE_COOKIE_LEN;
	else
		return -EBADMSG;
	if (get_hex(ts, nonce + pre, 4) < 0 ||
	    get_hex(mac, nonce + pre + NONCE_TS_HEX, NONCE_MAC_LEN) < 0)
		return -EBADMSG;
	nonce_mac_addr(want, key, nonce, pre + NONCE_TS_HEX, ip, iplen);
	ok = gw_ct_equal(mac, want, NONCE_MAC_LEN);
	gw_wipe(want, sizeof(want));
	if (!ok)
		return -EBADMSG;
	issued = (uint32_t)ts[0] << 24 | (uint32_t)ts[1] << 16 | (uint32_t)ts[2] << 8 | ts[3];
	/* modular age: the clock is kept mod 2^32 */
	age = (uint32_t)now - issued;
	if (age >= (uint32_t)-NONCE_SKEW_S)     /* issued up to 5 s "ahead": skew */
		return 0;
	if (age > lifetime)
		return GW_STUN_ERR(438);
	return 0;
}

int
gw_turn_nonce_check(const uint8_t *nonce, size_t len, const struct gw_hmac_sha1_key *key,
		    uint32_t client_ip, uint64_t now, uint32_t lifetime)
{
	uint8_t ip[4] = { (uint8_t)(client_ip >> 24), (uint8_t)(client_ip >> 16),
			  (uint8_t)(client_ip >> 8), (uint8_t)client_ip };

	return nonce_check(nonce, len, key, ip, sizeof(ip), now, lifetime);
}

int
gw_turn_nonce_check6(const uint8_t *nonce, size_t len, const struct gw_hmac_sha1_key *key,
		     const uint8_t *client_ip6, uint64_t now, uint32_t lifetime)
{
	if (client_ip6 == NULL)
		return -EINVAL;
	return nonce_check(nonce, len, key, client_ip6, 16, now, lifetime);
}

/* ---- peer policy ---------------------------------------------------------- */

static const struct gw_turn_prefix default_deny[] = {
	{ 0x00000000u, 8 },     /* "this network", incl. 0.0.0.0 */
	{ 0x0a000000u, 8 },     /* RFC 1918 */
	{ 0x64400000u, 10 },    /* RFC 6598 shared address space (carrier-grade NAT) */
	{ 0x7f000000u, 8 },     /* loopback */
	{ 0xa9fe0000u, 16 },    /* link-local */
	{ 0xac100000u, 12 },    /* RFC 1918 */
	{ 0xc0000000u, 24 },    /* RFC 6890 IETF protocol assignments (DS-Lite, NAT64 discovery) */
	{ 0xc0a80000u, 16 },    /* RFC 1918 */
	{ 0xe0000000u, 4 },     /* multicast */
	{ 0xf0000000u, 4 },     /* reserved, incl. limited broadcast */
};

bool
gw_turn_prefix_match(const struct gw_turn_prefix *pfx, uint32_t ip)
{
	uint32_t mask;

	if (pfx->len == 0)
		return true;
	mask = pfx->len >= 32 ? 0xffffffffu : ~(0xffffffffu >> pfx->len);
	return (ip & mask) == (pfx->addr & mask);
}

static bool
in_list(const struct gw_turn_prefix *l, unsigned n, uint32_t ip)
{
	for (unsigned i = 0; i < n; i++)
		if (gw_turn_prefix_match(&l[i], ip))
			return true;
	return false;
}

static bool
in_addrs(const uint32_t *a, unsigned n, uint32_t ip)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i] == ip)
			return true;
	return false;
}

bool
gw_turn_peer_default_denied(uint32_t ip)
{
	return in_list(default_deny, sizeof(default_deny) / sizeof(default_deny[0]), ip);
}

enum gw_turn_peer_verdict
gw_turn_peer_ip_check(const struct gw_turn_peer_policy *pol, uint32_t ip)
{
	unsigned na = pol->n_allowed < GW_TURN_POLICY_MAX_CIDRS ?
		      pol->n_allowed : GW_TURN_POLICY_MAX_CIDRS;
	unsigned nd = pol->n_denied < GW_TURN_POLICY_MAX_CIDRS ?
		      pol->n_denied : GW_TURN_POLICY_MAX_CIDRS;
	unsigned nr = pol->n_relay_addr < GW_TURN_POLICY_MAX_RELAY_ADDRS ?
		      pol->n_relay_addr : GW_TURN_POLICY_MAX_RELAY_ADDRS;
	unsigned no = pol->n_own_addr < GW_TURN_POLICY_MAX_ADDRS ?
		      pol->n_own_addr : GW_TURN_POLICY_MAX_ADDRS;

	if (in_addrs(pol->own_addr, no, ip))
		return GW_TURN_PEER_DENY_OWN;
	if (in_addrs(pol->relay_addr, nr, ip))
		return GW_TURN_PEER_OK;
	if (in_list(pol->allowed, na, ip))
		return GW_TURN_PEER_OK;
	if (gw_turn_peer_default_denied(ip) ||
	    in_addrs(pol->edge_addr, pol->n_edge_addr < GW_TURN_POLICY_MAX_EDGES ?
				     pol->n_edge_addr : GW_TURN_POLICY_MAX_EDGES, ip))
		return GW_TURN_PEER_DENY_DEFAULT;
	if (in_list(pol->denied, nd, ip))
		return GW_TURN_PEER_DENY_CONFIG;
	return GW_TURN_PEER_OK;
}

enum gw_turn_peer_verdict
gw_turn_peer_check(const struct gw_turn_peer_policy *pol, uint32_t ip, uint16_t port)
{
	unsigned nr = pol->n_relay_addr < GW_TURN_POLICY_MAX_RELAY_ADDRS ?
		      pol->n_relay_addr : GW_TURN_POLICY_MAX_RELAY_ADDRS;
	enum gw_turn_peer_verdict v;

	v = gw_turn_peer_ip_check(pol, ip);
	if (v != GW_TURN_PEER_OK)
		return v;
	if (port == 0)
		return GW_TURN_PEER_DENY_PORT0;
	if (in_addrs(pol->relay_addr, nr, ip) &&
	    (port < pol->relay_port_min || port > pol->relay_port_max))
		return GW_TURN_PEER_DENY_OWN;
	return GW_TURN_PEER_OK;
}

enum gw_turn_peer_verdict
gw_turn_peer_check_memo(struct gw_turn_peer_memo *mm, uint32_t gen,
			const struct gw_turn_peer_policy *pol, uint32_t ip, uint16_t port)
{
	/* Fibonacci hashing: the top bits of ip * 2^32/phi spread neighbouring
	 * addresses (a peer subnet) over the whole table */
	unsigned i = (ip * 2654435769u) >> 24 & (GW_TURN_PEER_MEMO_SIZE - 1);
	unsigned nr = pol->n_relay_addr < GW_TURN_POLICY_MAX_RELAY_ADDRS ?
		      pol->n_relay_addr : GW_TURN_POLICY_MAX_RELAY_ADDRS;

	if (mm->e[i].gen != gen || mm->e[i].ip != ip) {
		mm->e[i].ip = ip;
		mm->e[i].gen = gen;
		mm->e[i].verdict = (uint8_t)gw_turn_peer_ip_check(pol, ip);
		mm->e[i].relay = in_addrs(pol->relay_addr, nr, ip);
	}
	if (mm->e[i].verdict != GW_TURN_PEER_OK)
		return (enum gw_turn_peer_verdict)mm->e[i].verdict;
	if (port == 0)
		return GW_TURN_PEER_DENY_PORT0;
	if (mm->e[i].relay && (port < pol->relay_port_min || port > pol->relay_port_max))
		return GW_TURN_PEER_DENY_OWN;
	return GW_TURN_PEER_OK;
}

/* ---- IPv6 peer policy ------------------------------------------------------- */

static const struct gw_turn_prefix6 default_deny6[] = {
	{ { 0x00, 0x64, 0xff, 0x9b, 0x00, 0x01 }, 48 },  /* RFC 8215 local-use NAT64 */
	{ { 0x01, 0x00 }, 64 },                          /* RFC 6666 discard-only */
	{ { 0x20, 0x01, 0x00, 0x00 }, 32 },              /* Teredo */
	{ { 0xfc }, 7 },                                 /* unique local */
	{ { 0xfe, 0x80 }, 10 },                          /* link-local */
	{ { 0xfe, 0xc0 }, 10 },                          /* site-local (deprecated) */
	{ { 0xff }, 8 },                                 /* multicast */
};

bool
gw_turn_prefix6_match(const struct gw_turn_prefix6 *pfx, const uint8_t *ip)
{
	return gw_ipv6_prefix_match(pfx->addr, pfx->len, ip);
}

static bool
in_list6(const struct gw_turn_prefix6 *l, unsigned n, const uint8_t *ip)
{
	for (unsigned i = 0; i < n && i < GW_TURN_POLICY_MAX_CIDRS; i++)
		if (gw_turn_prefix6_match(&l[i], ip))
			return true;
	return false;
}

static bool
in_addrs6(const uint8_t (*a)[16], unsigned n, const uint8_t *ip)
{
	for (unsigned i = 0; i < n && i < GW_TURN_POLICY_MAX_ADDRS; i++)
		if (gw_ipv6_equal(a[i], ip))
			return true;
	return false;
}

bool
gw_turn_peer_default_denied6(const uint8_t *ip)
{
	/* ::/8 holds ::, ::1, the IPv4-carrying forms and NAT64's 64:ff9b::/96:
	 * whatever of it classifies as plain "reserved" (or ::, ::1) is denied */
	switch (gw_ipv6_classify(ip)) {
	case GW_IPV6_UNSPECIFIED:
	case GW_IPV6_LOOPBACK:
	case GW_IPV6_RESERVED:
		return true;
	default:
		break;
	}
	return in_list6(default_deny6, sizeof(default_deny6) / sizeof(default_deny6[0]), ip);
}

enum gw_turn_peer_verdict
gw_turn_peer_ip6_check(const struct gw_turn_peer_policy *pol, const uint8_t *ip)
{
	enum gw_turn_peer_verdict v;
	uint32_t v4;

	if (in_addrs6(pol->own_addr6, pol->n_own_addr6, ip))
		return GW_TURN_PEER_DENY_OWN;
	if (in_addrs6(pol->relay_addr6, pol->n_relay_addr6, ip))
		return GW_TURN_PEER_OK;
	if (gw_ipv6_embedded_ipv4(ip, &v4)) {
		v = gw_turn_peer_ip_check(pol, v4);
		if (v != GW_TURN_PEER_OK)
			return v;
		return in_list6(pol->denied6, pol->n_denied6, ip) ? GW_TURN_PEER_DENY_CONFIG :
								    GW_TURN_PEER_OK;
	}
	if (in_list6(pol->allowed6, pol->n_allowed6, ip))
		return GW_TURN_PEER_OK;
	if (gw_turn_peer_default_denied6(ip))
		return GW_TURN_PEER_DENY_DEFAULT;
	if (in_list6(pol->denied6, pol->n_denied6, ip))
		return GW_TURN_PEER_DENY_CONFIG;
	return GW_TURN_PEER_OK;
}

enum gw_turn_peer_verdict
gw_turn_peer6_check(const struct gw_turn_peer_policy *pol, const uint8_t *ip, uint16_t port)
{
	unsigned nr = pol->n_relay_addr < GW_TURN_POLICY_MAX_RELAY_ADDRS ?
		      pol->n_relay_addr : GW_TURN_POLICY_MAX_RELAY_ADDRS;
	enum gw_turn_peer_verdict v;
	uint32_t v4;
	bool relay;

	v = gw_turn_peer_ip6_check(pol, ip);
	if (v != GW_TURN_PEER_OK)
		return v;
	if (port == 0)
		return GW_TURN_PEER_DENY_PORT0;
	relay = in_addrs6(pol->relay_addr6, pol->n_relay_addr6, ip) ||
		(gw_ipv6_embedded_ipv4(ip, &v4) && in_addrs(pol->relay_addr, nr, v4));
	if (relay && (port < pol->relay_port_min || port > pol->relay_port_max))
		return GW_TURN_PEER_DENY_OWN;
	return GW_TURN_PEER_OK;
}

enum gw_turn_peer_verdict
gw_turn_peer_addr_check(const struct gw_turn_peer_policy *pol, const struct gw_stun_addr *a)
{
	if (a->family == GW_STUN_FAMILY_IPV4)
		return gw_turn_peer_check(pol, (uint32_t)a->addr[0] << 24 |
					       (uint32_t)a->addr[1] << 16 |
					       (uint32_t)a->addr[2] << 8 | a->addr[3], a->port);
	if (a->family == GW_STUN_FAMILY_IPV6)
		return gw_turn_peer6_check(pol, a->addr, a->port);
	return GW_TURN_PEER_DENY_DEFAULT;
}
