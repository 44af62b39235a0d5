/*
 * test_turn_server: the TURN server's transactions and error paths
 * (dataplane/dp_turn.c, dp_turn_setup.c, dp_turn_txn.c) on a real EAL and
 * real mbufs, with the transmit side (dp_arp_send_ip) captured: every answer
 * and every relayed datagram is parsed back and checked field by field
 * (integrity with the client's key, addresses, payload bytes, UDP checksum).
 *
 * The tests share one TURN instance and run in order (allocations made by
 * one are used by the next). No reader registers with the QSBR, so deleted
 * allocations are reclaimed at once.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dp_ctx.h"
#include "dp_frag.h"
#define DP_HARNESS_NDP     /* dp_ndp.c is not linked: capture IPv6 too */
#include "dp_harness.h"
#include "dp_strm.h"
#include "dp_stun.h"
#include "dp_turn.h"
#include "gw_ipc.h"
#include "gw_config.h"
#include "dp_ndp.h"
#include "net.h"
#include "net6.h"
#include "stun.h"
#include "turn.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define GW      IP(198, 18, 4, 2)
#define PEER    IP(198, 18, 5, 2)
#define CL_A    IP(198, 18, 4, 10)
#define CL_B    IP(198, 18, 4, 11)
#define CL_C    IP(198, 18, 4, 12)
#define CL_E    IP(198, 18, 4, 14)
#define CL_F    IP(198, 18, 4, 15)
#define CL_R    IP(198, 18, 4, 16)
#define GW_B    IP(198, 18, 6, 2)     /* port 1: IPv4 and IPv6 (GW6) */
#define GW_C    IP(198, 18, 7, 2)     /* port 2: IPv4 only */
#define GW_C2   IP(198, 18, 7, 3)     /* port 2's relay_addresses */
#define GW_C3   IP(198, 18, 7, 4)
#define REALM   "rtcgw.test"
#define SECRET  "unit-rest-secret-0123456789"
#define SECRET2 "unit-rest-secret-rotated-9876"

/* ---- the dataplane around dp_turn (tests/dp_harness.h) ----------------------- */

static struct gw_config conf;
static struct dp_worker wk;
static struct rte_mempool *pool;

#define n_sent   dp_harness_n_sent
#define sent_dst dp_harness_sent_dst

static void
sent_reset(void)
{
	assert_int_equal(dp_harness_tx_overflow, 0);
	dp_harness_sent_reset();
}

/* The datagram captured at i: IPv4 and UDP views (checksums verified). */
static void
captured(unsigned i, struct gw_ipv4_view *ip, struct gw_udp_view *u)
{
	assert_true(i < n_sent);
	assert_int_equal(dp_harness_views(dp_harness_sent[i], ip, u), 0);
}

/* Build [eth][ipv4][udp][payload] in an mbuf and hand it to fn like dp_classify. */
typedef void input_fn(struct dp_worker *, unsigned, struct rte_mbuf *,
		      const struct gw_ipv4_view *, const struct gw_udp_view *);

static void
inject(input_fn *fn, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
       const uint8_t *payload, size_t len)
{
	struct rte_mbuf *m = dp_harness_mbuf(pool, src, sport, dst, dport, payload, len);
	struct gw_ipv4_view ip;
	struct gw_udp_view u;

	assert_non_null(m);
	assert_int_equal(dp_harness_views(m, &ip, &u), 0);
	dp_worker_clock(&wk);   /* as dp_classify_burst() does per burst */
	fn(&wk, 0, m, &ip, &u);
}

/*
 * inject() as dp_classify hands relayed data over from a port without RX
 * checksum offload: the UDP checksum left pending (GW_NET_CKSUM_DEFER).
 * flip >= 0: that payload byte XORed after the checksum was computed;
 * -2: the checksum field itself; -1: neither.
 */
static void
inject_deferred(input_fn *fn, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
		const uint8_t *payload, size_t len, int flip)
{
	struct rte_mbuf *m = dp_harness_mbuf(pool, src, sport, dst, dport, payload, len);
	struct gw_ipv4_view ip;
	struct gw_udp_view u;
	uint8_t *udp;

	assert_non_null(m);
	udp = rte_pktmbuf_mtod_offset(m, uint8_t *, GW_ETH_HLEN + GW_IPV4_HLEN);
	if (flip >= 0)
		udp[GW_UDP_HLEN + flip] ^= 0x20;
	else if (flip == -2)
		udp[7] ^= 0x20;
	assert_int_equal(gw_ipv4_parse(&ip, udp - GW_IPV4_HLEN, GW_IPV4_HLEN + GW_UDP_HLEN + len),
			 0);
	assert_int_equal(gw_udp_parse_opt(&u, &ip, GW_NET_CKSUM_DEFER), 0);
	assert_true(u.cksum_pending);
	dp_worker_clock(&wk);
	fn(&wk, 0, m, &ip, &u);
}

/* ---- IPv6 frames ------------------------------------------------------------------ */

typedef void input6_fn(struct dp_worker *, unsigned, struct rte_mbuf *,
		       const struct gw_ipv6_view *, const struct gw_udp_view *);

/* IPv6 views of a frame (the UDP checksum verified in software). */
static int
views6(const struct rte_mbuf *m, struct gw_ipv6_view *ip, struct gw_udp_view *u)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	int rc;

	/* no ethertype check: dp_ndp_send_ip6 writes the Ethernet header */
	if (rte_pktmbuf_pkt_len(m) < GW_ETH_HLEN)
		return -EINVAL;
	rc = gw_ipv6_parse(ip, p + GW_ETH_HLEN, rte_pktmbuf_pkt_len(m) - GW_ETH_HLEN);
	return rc != 0 ? rc : gw_udp6_parse(u, ip, 0);
}

static void
captured6(unsigned i, struct gw_ipv6_view *ip, struct gw_udp_view *u)
{
	assert_true(i < n_sent);
	assert_int_equal(views6(dp_harness_sent[i], ip, u), 0);
	assert_memory_equal(dp_harness_sent_dst6[i], ip->dst, 16);      /* on-link in the tests */
}

#define NO_DEFER (-3)

/*
 * [eth][ipv6][udp][payload] into port pi, handed to fn as dp_ipv6 would.
 * flip NO_DEFER: the UDP checksum verified; else left pending as without RX
 * offload (GW_NET_CKSUM_DEFER), after corrupting payload byte flip (>= 0),
 * the checksum field (-2) or nothing (-1), as inject_deferred() does.
 */
static void
inject6_opt(input6_fn *fn, unsigned pi, const uint8_t *src, uint16_t sport, const uint8_t *dst,
	    uint16_t dport, const uint8_t *payload, size_t len, int flip)
{
	static const uint8_t smac[6] = { 2, 0, 0, 0, 0, 9 };
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct gw_ipv6_view ip;
	struct gw_udp_view u;
	uint8_t *b, dmac[6];

	assert_non_null(m);
	b = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(GW_ETH_HLEN + GW_IPV6_HLEN +
							GW_UDP_HLEN + len));
	assert_non_null(b);
	dp_harness_port_mac(pi, dmac);
	gw_eth_encode(b, dmac, smac, GW_ETHERTYPE_IPV6);
	memcpy(b + GW_ETH_HLEN + GW_IPV6_HLEN + GW_UDP_HLEN, payload, len);
	gw_udp6_encode(b + GW_ETH_HLEN + GW_IPV6_HLEN, src, dst, sport, dport, (uint16_t)len);
	gw_ipv6_encode(b + GW_ETH_HLEN, src, dst, GW_IPPROTO_UDP, 64,
		       (uint16_t)(GW_UDP_HLEN + len));
	if (flip == NO_DEFER) {
		assert_int_equal(views6(m, &ip, &u), 0);
	} else {
		uint8_t *udp = b + GW_ETH_HLEN + GW_IPV6_HLEN;

		if (flip >= 0)
			udp[GW_UDP_HLEN + flip] ^= 0x20;
		else if (flip == -2)
			udp[7] ^= 0x20;
		assert_int_equal(gw_ipv6_parse(&ip, b + GW_ETH_HLEN, GW_IPV6_HLEN + GW_UDP_HLEN + len),
				 0);
		assert_int_equal(gw_udp6_parse(&u, &ip, GW_NET_CKSUM_DEFER), 0);
		assert_true(u.cksum_pending);
	}
	dp_worker_clock(&wk);   /* as dp_classify_burst() does per burst */
	fn(&wk, pi, m, &ip, &u);
}

static void
inject6(input6_fn *fn, unsigned pi, const uint8_t *src, uint16_t sport, const uint8_t *dst,
	uint16_t dport, const uint8_t *payload, size_t len)
{
	inject6_opt(fn, pi, src, sport, dst, dport, payload, len, NO_DEFER);
}

/* inject() into port pi toward gw. */
static void
inject_at(input_fn *fn, unsigned pi, uint32_t src, uint16_t sport, uint32_t gw, uint16_t dport,
	  const uint8_t *payload, size_t len)
{
	struct rte_mbuf *m = dp_harness_mbuf(pool, src, sport, gw, dport, payload, len);
	struct gw_ipv4_view ip;
	struct gw_udp_view u;

	assert_non_null(m);
	assert_int_equal(dp_harness_views(m, &ip, &u), 0);
	dp_worker_clock(&wk);   /* as dp_classify_burst() does per burst */
	fn(&wk, pi, m, &ip, &u);
}

/* ---- the front's side of the stream rings (dp_strm) ------------------------------ */

/* A message of connection conn from client ip:port, as the front passes it. */
static struct rte_mbuf *
strm_mbuf(uint32_t conn, uint32_t ip, uint16_t port, uint8_t type, const uint8_t *msg,
	  size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	struct gw_ipc_strm h = { .conn = conn, .client_ip = ip, .server_ip = GW,
				 .client_port = port, .server_port = 443, .type = type,
				 .flags = GW_IPC_STRM_F_TLS, .len = (uint16_t)len };
	uint8_t *b;

	assert_non_null(m);
	b = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(sizeof(h) + len));
	assert_non_null(b);
	memcpy(b, &h, sizeof(h));
	if (len > 0)
		memcpy(b + sizeof(h), msg, len);
	return m;
}

/* A message of connection conn from an IPv6 client ip6:port to gw6 (the front
 * listens on the port's IPv6 address too). */
static void
inject_strm6(uint32_t conn, const uint8_t *ip6, const uint8_t *gw6, uint16_t port,
	     const uint8_t *msg, size_t len)
{
	struct rte_mbuf *m = strm_mbuf(conn, 0, port, GW_IPC_STRM_MSG, msg, len);
	struct gw_ipc_strm *h = rte_pktmbuf_mtod(m, struct gw_ipc_strm *);

	h->server_ip = 0;
	h->flags |= GW_IPC_STRM_F_IPV6;
	memcpy(h->client_ip6, ip6, 16);
	memcpy(h->server_ip6, gw6, 16);
	dp_worker_clock(&wk);
	dp_turn_stream_input(&wk, m, h);
}

static void
inject_strm(uint32_t conn, uint32_t ip, uint16_t port, const uint8_t *msg, size_t len)
{
	struct rte_mbuf *m = strm_mbuf(conn, ip, port, GW_IPC_STRM_MSG, msg, len);

	dp_worker_clock(&wk);
	dp_turn_stream_input(&wk, m, rte_pktmbuf_mtod(m, const struct gw_ipc_strm *));
}

/* Messages waiting for the front. */
static unsigned
strm_waiting(void)
{
	return rte_ring_count(rte_ring_lookup(GW_IPC_RING_STRM_OUT));
}

/* Take the next message for the front: its header and bytes (into buf). */
static size_t
strm_take(struct gw_ipc_strm *h, uint8_t *buf, size_t cap)
{
	struct rte_mbuf *m = NULL;
	size_t n;

	assert_int_equal(rte_ring_dequeue(rte_ring_lookup(GW_IPC_RING_STRM_OUT), (void **)&m), 0);
	assert_int_equal(m->nb_segs, 1);
	assert_true(rte_pktmbuf_data_len(m) >= sizeof(*h));
	memcpy(h, rte_pktmbuf_mtod(m, const void *), sizeof(*h));
	n = rte_pktmbuf_data_len(m) - sizeof(*h);
	assert_int_equal(h->len, n);
	assert_int_equal(h->type, GW_IPC_STRM_MSG);
	assert_true(n <= cap);
	memcpy(buf, rte_pktmbuf_mtod_offset(m, const uint8_t *, sizeof(*h)), n);
	rte_pktmbuf_free(m);
	return n;
}

/* ---- a TURN client ------------------------------------------------------------- */

struct client {
	uint32_t ip;
	uint16_t port;
	const char *user;
	const char *pass;
	bool sha256;                  /* PASSWORD-ALGORITHM SHA-256 + MI-SHA256 */
	char nonce[64];
	struct gw_hmac_sha1_key k1;
	struct gw_hmac_sha256_key k256;
	uint8_t txid[12];
	uint32_t conn;                /* != 0: a TCP/TLS client, through the front's rings */
	unsigned pi;                  /* the gateway port it talks to (0: GW) */
	uint32_t gw;                  /* its IPv4 address there (0: GW) */
	bool v6;                      /* an IPv6 client: ip6 to gw6 */
	uint8_t ip6[16];
	const uint8_t *gw6;
};

static void
client_keys(struct client *c)
{
	uint8_t key[32];
	size_t n = c->sha256 ? 32 : 16;

	if (c->sha256)
		assert_int_equal(gw_stun_longterm_key_sha256(key, c->user, REALM, c->pass), 0);
	else
		assert_int_equal(gw_stun_longterm_key_md5(key, c->user, REALM, c->pass), 0);
	assert_int_equal(gw_hmac_sha1_key_init(&c->k1, key, n), 0);
	assert_int_equal(gw_hmac_sha256_key_init(&c->k256, key, n), 0);
}

enum { NO_AUTH = 1, NO_NONCE = 2, SAME_TXID = 4, TCP = 8, NO_TRANSPORT = 16, BAD_ALGS = 32 };

/* Send a request; returns the answer's code (200 for success) and its view. */
static int
request(struct client *c, uint16_t method, unsigned flags,
	void (*add)(struct gw_stun_enc *, const void *), const void *arg, struct gw_stun_view *v)
{
	static const uint8_t algs[8] = { 0, 1, 0, 0, 0, 2, 0, 0 };
	static const uint8_t algs_md5[4] = { 0, 1, 0, 0 };
	uint8_t buf[512];
	struct gw_stun_enc e;
	struct gw_ipv4_view ip;
	struct gw_udp_view u;
	uint16_t code = 0;
	const uint8_t *p;
	size_t n;

	if (!(flags & SAME_TXID))
		for (unsigned i = 0; i < 12; i++)
			c->txid[i] = (uint8_t)(rand() & 0xff);
	assert_int_equal(gw_stun_enc_init(&e, buf, sizeof(buf),
					  gw_stun_type(method, GW_STUN_REQUEST), c->txid), 0);
	if (method == GW_STUN_ALLOCATE && !(flags & NO_TRANSPORT))
		assert_int_equal(gw_stun_enc_u32(&e, GW_STUN_ATTR_REQUESTED_TRANSPORT,
						 (flags & TCP ? 6u : 17u) << 24), 0);
	if (add != NULL)
		add(&e, arg);
	if (!(flags & NO_AUTH)) {
		assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_USERNAME, c->user,
						   strlen(c->user)), 0);
		assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_REALM, REALM, strlen(REALM)), 0);
		if (!(flags & NO_NONCE))
			assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_NONCE, c->nonce,
							   strlen(c->nonce)), 0);
		if (c->sha256 || (flags & BAD_ALGS)) {
			assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_PASSWORD_ALGORITHMS,
							   flags & BAD_ALGS ? algs_md5 : algs,
							   flags & BAD_ALGS ? 4 : 8), 0);
			assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_PASSWORD_ALGORITHM,
							   c->sha256 ? "\0\2\0\0" : "\0\1\0\0", 4), 0);
		}
		if (c->sha256)
			assert_int_equal(gw_stun_enc_integrity_sha256(&e, &c->k256), 0);
		else
			assert_int_equal(gw_stun_enc_integrity(&e, &c->k1), 0);
	}
	assert_int_equal(gw_stun_enc_fingerprint(&e), 0);
	sent_reset();
	if (c->conn != 0) {
		static uint8_t ans[512];
		struct gw_ipc_strm h;
		size_t an;

		/* a TCP/TLS client: the answer goes to the front, not the wire */
		if (c->v6)
			inject_strm6(c->conn, c->ip6, c->gw6, c->port, buf, gw_stun_enc_len(&e));
		else
			inject_strm(c->conn, c->ip, c->port, buf, gw_stun_enc_len(&e));
		assert_int_equal(n_sent, 0);
		assert_int_equal(strm_waiting(), 1);
		an = strm_take(&h, ans, sizeof(ans));
		assert_int_equal(h.conn, c->conn);
		assert_int_equal(h.client_ip, c->ip);
		assert_int_equal(!!(h.flags & GW_IPC_STRM_F_IPV6), c->v6);
		if (c->v6)
			assert_memory_equal(h.client_ip6, c->ip6, 16);
		assert_int_equal(h.client_port, c->port);
		assert_int_equal(an % 4, 0);
		assert_int_equal(gw_stun_parse(v, ans, an), 0);
	} else if (c->v6) {
		struct gw_ipv6_view ip6;

		/* an IPv6 client: the answer goes back over IPv6, checksum verified */
		inject6(dp_turn_input6, c->pi, c->ip6, c->port, c->gw6, 3478, buf,
			gw_stun_enc_len(&e));
		assert_int_equal(n_sent, 1);
		captured6(0, &ip6, &u);
		assert_memory_equal(ip6.src, c->gw6, 16);
		assert_memory_equal(ip6.dst, c->ip6, 16);
		assert_int_equal(u.sport, 3478);
		assert_int_equal(u.dport, c->port);
		assert_int_equal(gw_stun_parse(v, u.payload, u.payload_len), 0);
	} else {
		uint32_t gw = c->gw != 0 ? c->gw : GW;

		inject_at(dp_turn_input, c->pi, c->ip, c->port, gw, 3478, buf, gw_stun_enc_len(&e));
		assert_int_equal(n_sent, 1);
		captured(0, &ip, &u);
		assert_int_equal(ip.src, gw);
		assert_int_equal(ip.dst, c->ip);
		assert_int_equal(u.sport, 3478);
		assert_int_equal(u.dport, c->port);
		assert_int_equal(gw_stun_parse(v, u.payload, u.payload_len), 0);
	}
	assert_memory_equal(v->txid, c->txid, 12);
	assert_int_equal(v->method, method);
	assert_int_equal(gw_stun_check_fingerprint(v), 0);
	if (v->cls == GW_STUN_SUCCESS) {
		/* the answer is signed like the request */
		if (c->sha256)
			assert_int_equal(gw_stun_check_integrity_sha256(v, &c->k256), 0);
		else
			assert_int_equal(gw_stun_check_integrity(v, &c->k1), 0);
		return 200;
	}
	assert_int_equal(v->cls, GW_STUN_ERROR);
	assert_int_equal(gw_stun_get_error(v, &code, NULL, NULL), 0);
	if (code == 401 || code == 438) {
		assert_int_equal(gw_stun_get_bytes(v, &v->attr[GW_STUN_A_NONCE], &p, &n), 0);
		assert_true(n < sizeof(c->nonce));
		memcpy(c->nonce, p, n);
		c->nonce[n] = '\0';
		assert_int_equal(gw_stun_get_bytes(v, &v->attr[GW_STUN_A_REALM], &p, &n), 0);
		assert_int_equal(n, strlen(REALM));
		assert_true(v->attr[GW_STUN_A_PASSWORD_ALGORITHMS].off != 0);
		assert_int_equal(v->attr[GW_STUN_A_MESSAGE_INTEGRITY].off, 0);
	}
	return code;
}

static void
challenge(struct client *c)
{
	struct gw_stun_view v;

	client_keys(c);
	assert_int_equal(request(c, GW_STUN_ALLOCATE, NO_AUTH, NULL, NULL, &v), 401);
}

static struct gw_stun_addr relay_of_a, relay_of_b;

static int
allocate(struct client *c, unsigned flags, struct gw_stun_addr *relay)
{
	struct gw_stun_view v;
	struct gw_stun_addr a;
	uint32_t u32;
	int code = request(c, GW_STUN_ALLOCATE, flags, NULL, NULL, &v);

	if (code != 200)
		return code;
	assert_int_equal(gw_stun_get_xor_addr(&v, &v.attr[GW_STUN_A_XOR_RELAYED_ADDRESS], &a), 0);
	assert_true(a.port >= 50000 && a.port <= 50007);
	assert_memory_equal(a.addr, "\xc6\x12\x04\x02", 4);
	if (relay != NULL)
		*relay = a;
	assert_int_equal(gw_stun_get_xor_addr(&v, &v.attr[GW_STUN_A_XOR_MAPPED_ADDRESS], &a), 0);
	assert_int_equal(a.port, c->port);
	assert_int_equal(gw_stun_get_u32(&v, &v.attr[GW_STUN_A_LIFETIME], &u32), 0);
	return 200;
}

static void
add_peer(struct gw_stun_enc *e, const void *arg)
{
	const uint32_t *pp = arg;        /* ip, port */
	struct gw_stun_addr a = { .family = GW_STUN_FAMILY_IPV4, .port = (uint16_t)pp[1] };

	a.addr[0] = (uint8_t)(pp[0] >> 24);
	a.addr[1] = (uint8_t)(pp[0] >> 16);
	a.addr[2] = (uint8_t)(pp[0] >> 8);
	a.addr[3] = (uint8_t)pp[0];
	assert_int_equal(gw_stun_enc_xor_addr(e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &a), 0);
	if (pp[2] != 0)
		assert_int_equal(gw_stun_enc_u32(e, GW_STUN_ATTR_CHANNEL_NUMBER, pp[2] << 16), 0);
}

static void
add_lifetime(struct gw_stun_enc *e, const void *arg)
{
	assert_int_equal(gw_stun_enc_u32(e, GW_STUN_ATTR_LIFETIME, *(const uint32_t *)arg), 0);
}

static struct client A = { .ip = CL_A, .port = 1000, .user = "alice", .pass = "alice-pw" };

/* ---- transactions ---------------------------------------------------------------- */

static void
test_auth(void **state)
{
	struct client c = { .ip = CL_A, .port = 999, .user = "alice", .pass = "wrong" };
	struct client u = { .ip = CL_A, .port = 999, .user = "mallory", .pass = "x" };
	struct gw_stun_view v;
	uint32_t f;

	(void)state;
	challenge(&c);
	assert_int_equal(gw_turn_nonce_features((const uint8_t *)c.nonce, strlen(c.nonce), &f), 0);
	assert_int_equal(f, GW_TURN_FEATURE_PASSWORD_ALGORITHMS);
	assert_int_equal(request(&c, GW_STUN_ALLOCATE, 0, NULL, NULL, &v), 401);   /* bad MAC */
	memcpy(u.nonce, c.nonce, sizeof(u.nonce));
	client_keys(&u);
	assert_int_equal(request(&u, GW_STUN_ALLOCATE, 0, NULL, NULL, &v), 401);   /* no user */
	assert_int_equal(request(&c, GW_STUN_ALLOCATE, NO_NONCE, NULL, NULL, &v), 400);
	/* a nonce this server never issued (or issued to another address): 438 */
	strcpy(c.nonce, "obMatJos2AAAB00000000000000000000000000000");
	c.pass = "alice-pw";
	client_keys(&c);
	assert_int_equal(request(&c, GW_STUN_ALLOCATE, 0, NULL, NULL, &v), 438);
	/* with the fresh nonce from the 438 and the right password: 200 */
	assert_int_equal(allocate(&c, 0, NULL), 200);
	/* the other PASSWORD-ALGORITHMS list than the one offered: 400 */
	c.port = 998;
	assert_int_equal(request(&c, GW_STUN_ALLOCATE, BAD_ALGS, NULL, NULL, &v), 400);
	assert_true(wk.cnt[GW_CNT_TURN_AUTH_CHALLENGE] >= 1);
	assert_true(wk.cnt[GW_CNT_TURN_AUTH_FAIL] >= 3);
	assert_int_equal(wk.cnt[GW_CNT_TURN_AUTH_STALE], 1);
}

static void
test_allocate(void **state)
{
	struct gw_stun_addr again;
	struct client t = { .ip = CL_A, .port = 1002, .user = "alice", .pass = "alice-pw" };
	struct gw_stun_view v;
	uint32_t lt = 5000, got;

	(void)state;
	challenge(&A);
	assert_int_equal(allocate(&A, 0, &relay_of_a), 200);
	/* a retransmission (same txid) gets the same relayed address */
	assert_int_equal(allocate(&A, SAME_TXID, &again), 200);
	assert_int_equal(again.port, relay_of_a.port);
	assert_int_equal(wk.cnt[GW_CNT_TURN_ALLOC_RETRANSMIT], 1);
	/* a new Allocate on the same 5-tuple: 437 */
	assert_int_equal(allocate(&A, 0, NULL), 437);
	/* transport checks */
	challenge(&t);
	assert_int_equal(request(&t, GW_STUN_ALLOCATE, TCP, NULL, NULL, &v), 442);
	assert_int_equal(request(&t, GW_STUN_ALLOCATE, NO_TRANSPORT, NULL, NULL, &v), 400);
	/* Refresh with LIFETIME above the maximum is clamped to turn.max_lifetime_s */
	assert_int_equal(request(&A, GW_STUN_REFRESH, 0, add_lifetime, &lt, &v), 200);
	assert_int_equal(gw_stun_get_u32(&v, &v.attr[GW_STUN_A_LIFETIME], &got), 0);
	assert_int_equal(got, 3600);
	/* requests on a 5-tuple without allocation: 437 */
	assert_int_equal(request(&t, GW_STUN_REFRESH, 0, add_lifetime, &lt, &v), 437);
}

static void
test_sha256_and_rest(void **state)
{
	struct client s = { .ip = CL_E, .port = 1, .user = "alice", .pass = "alice-pw",
			    .sha256 = true };
	struct client r = { .ip = CL_E, .port = 2, .user = "4102444800:carol" };
	struct client x = { .ip = CL_E, .port = 3, .user = "1000:carol" };
	struct gw_hmac_sha1_key k;
	char p1[GW_TURN_REST_PASS_SIZE], p2[GW_TURN_REST_PASS_SIZE];
	struct gw_stun_view v;

	(void)state;
	challenge(&s);
	assert_int_equal(allocate(&s, 0, NULL), 200);            /* MI-SHA256 both ways */
	assert_int_equal(gw_hmac_sha1_key_init(&k, (const uint8_t *)SECRET, strlen(SECRET)), 0);
	assert_int_equal(gw_turn_rest_password(p1, sizeof(p1), &k, (const uint8_t *)r.user,
					       strlen(r.user)), 0);
	assert_int_equal(gw_turn_rest_password(p2, sizeof(p2), &k, (const uint8_t *)x.user,
					       strlen(x.user)), 0);
	r.pass = p1;
	x.pass = p2;
	challenge(&r);
	assert_int_equal(allocate(&r, 0, NULL), 200);
	challenge(&x);
	assert_int_equal(request(&x, GW_STUN_ALLOCATE, 0, NULL, NULL, &v), 401);   /* expired */
}

static void
test_permission_channel(void **state)
{
	uint32_t ok[3] = { PEER, 3480, 0 }, rfc1918[3] = { IP(10, 0, 0, 1), 9, 0 };
	uint32_t lo[3] = { IP(127, 0, 0, 1), 9, 0 };
	uint32_t ch[3] = { PEER, 3480, 0x4001 }, ch_moved[3] = { PEER, 3490, 0x4001 };
	uint32_t ch_own[3] = { GW, 3478, 0x4002 };
	struct client bob = { .ip = CL_A, .port = 1000, .user = "bob", .pass = "bob-pw" };
	struct gw_stun_view v;

	(void)state;
	assert_int_equal(request(&A, GW_STUN_CREATE_PERMISSION, 0, add_peer, ok, &v), 200);
	assert_int_equal(request(&A, GW_STUN_CREATE_PERMISSION, 0, add_peer, rfc1918, &v), 403);
	assert_int_equal(request(&A, GW_STUN_CREATE_PERMISSION, 0, add_peer, lo, &v), 403);
	assert_int_equal(request(&A, GW_STUN_CHANNEL_BIND, 0, add_peer, ch, &v), 200);
	assert_int_equal(request(&A, GW_STUN_CHANNEL_BIND, 0, add_peer, ch, &v), 200); /* refresh */
	assert_int_equal(request(&A, GW_STUN_CHANNEL_BIND, 0, add_peer, ch_moved, &v), 400);
	assert_int_equal(request(&A, GW_STUN_CHANNEL_BIND, 0, add_peer, ch_own, &v), 403);
	/* another user on this allocation's 5-tuple: 441 */
	memcpy(bob.nonce, A.nonce, sizeof(bob.nonce));
	client_keys(&bob);
	assert_int_equal(request(&bob, GW_STUN_CREATE_PERMISSION, 0, add_peer, ok, &v), 441);
}

static const uint8_t payload[7] = { 0x80, 1, 2, 3, 4, 5, 6 };

static void
test_relay(void **state)
{
	uint8_t cd[16], send[128];
	struct gw_stun_enc e;
	struct gw_stun_addr peer = { .family = GW_STUN_FAMILY_IPV4, .port = 3480,
				     .addr = { 198, 18, 5, 2 } };
	struct gw_ipv4_view ip;
	struct gw_udp_view u;
	struct gw_stun_view v;
	struct gw_stun_addr a;
	const uint8_t *p;
	size_t n;
	int len;

	(void)state;
	/* ChannelData client -> peer: headers rewritten, payload intact */
	len = gw_turn_chandata_encode(cd, sizeof(cd), 0x4001, payload, sizeof(payload), true);
	sent_reset();
	inject(dp_turn_chandata_input, CL_A, 1000, GW, 3478, cd, (size_t)len);
	assert_int_equal(n_sent, 1);
	captured(0, &ip, &u);
	assert_int_equal(ip.src, GW);
	assert_int_equal(ip.dst, PEER);
	assert_int_equal(sent_dst[0], PEER);
	assert_int_equal(u.sport, relay_of_a.port);
	assert_int_equal(u.dport, 3480);
	assert_int_equal(u.payload_len, sizeof(payload));
	assert_memory_equal(u.payload, payload, sizeof(payload));
	/* unpadded (the usual over UDP): the checksum is derived incrementally from
	 * the client's; captured() verifies it */
	for (int odd = 0; odd < 2; odd++) {
		size_t pl = sizeof(payload) - (size_t)odd;

		len = gw_turn_chandata_encode(cd, sizeof(cd), 0x4001, payload, pl, false);
		sent_reset();
		inject(dp_turn_chandata_input, CL_A, 1000, GW, 3478, cd, (size_t)len);
		assert_int_equal(n_sent, 1);
		captured(0, &ip, &u);
		assert_int_equal(u.payload_len, pl);
		assert_memory_equal(u.payload, payload, pl);
	}
	/* dp_classify_burst()'s hint from dp_turn_prefetch(): used when it holds
	 * the datagram's 5-tuple; a wrong one (a slot A's 5-tuple is not in)
	 * is looked past. Relayed from A's relayed address either way. */
	for (int wrong = 0; wrong < 2; wrong++) {
		struct rte_mbuf *m = dp_harness_mbuf(pool, CL_A, 1000, GW, 3478, cd, (size_t)len);

		assert_non_null(m);
		dp_turn_prefetch(&wk, &m, 1);
		assert_ptr_equal(wk.hint_m[0], m);
		if (wrong)
			wk.hint_idx[0] = wk.hint_idx[0] == 0 ? 1 : 0;
		assert_int_equal(dp_harness_views(m, &ip, &u), 0);
		sent_reset();
		dp_worker_clock(&wk);
		wk.burst_pos = 0;
		dp_turn_chandata_input(&wk, 0, m, &ip, &u);
		wk.burst_pos = DP_BURST;
		assert_int_equal(n_sent, 1);
		captured(0, &ip, &u);
		assert_int_equal(u.sport, relay_of_a.port);
		assert_memory_equal(u.payload, payload, sizeof(payload) - 1);
	}
	/* an unbound channel: dropped */
	cd[1] = 0x09;
	sent_reset();
	inject(dp_turn_chandata_input, CL_A, 1000, GW, 3478, cd, (size_t)len);
	assert_int_equal(n_sent, 0);
	assert_int_equal(wk.cnt[GW_CNT_TURN_DROP_NO_CHANNEL], 1);

	/* Send indication to the permitted peer, then to one without permission */
	for (int k = 0; k < 2; k++) {
		static const uint8_t txid[12] = { 9 };

		peer.addr[3] = k == 0 ? 2 : 9;
		assert_int_equal(gw_stun_enc_init(&e, send, sizeof(send),
						  gw_stun_type(GW_STUN_SEND, GW_STUN_INDICATION),
						  txid), 0);
		assert_int_equal(gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &peer), 0);
		assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_DATA, payload, sizeof(payload)),
				 0);
		sent_reset();
		inject(dp_turn_input, CL_A, 1000, GW, 3478, send, gw_stun_enc_len(&e));
		assert_int_equal(n_sent, k == 0 ? 1 : 0);
		if (k == 0) {
			captured(0, &ip, &u);
			assert_int_equal(ip.dst, PEER);
			assert_int_equal(u.sport, relay_of_a.port);
			assert_memory_equal(u.payload, payload, sizeof(payload));
		}
	}
	assert_int_equal(wk.cnt[GW_CNT_TURN_DROP_NO_PERM], 1);
	/* unpadded DATA last: the checksum derived from the client's (checked by
	 * captured()); with a FINGERPRINT after it: summed anew */
	peer.addr[3] = 2;
	for (int fp = 0; fp < 2; fp++) {
		static const uint8_t txid[12] = { 10 };
		static const uint8_t data8[8] = { 0x80, 0x60, 1, 2, 3, 4, 0xfe, 0xff };

		assert_int_equal(gw_stun_enc_init(&e, send, sizeof(send),
						  gw_stun_type(GW_STUN_SEND, GW_STUN_INDICATION),
						  txid), 0);
		assert_int_equal(gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &peer), 0);
		assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_DATA, data8, sizeof(data8)), 0);
		if (fp)
			assert_int_equal(gw_stun_enc_fingerprint(&e), 0);
		sent_reset();
		inject(dp_turn_input, CL_A, 1000, GW, 3478, send, gw_stun_enc_len(&e));
		assert_int_equal(n_sent, 1);
		captured(0, &ip, &u);
		assert_int_equal(u.payload_len, sizeof(data8));
		assert_memory_equal(u.payload, data8, sizeof(data8));
	}
	sent_reset();

	/* peer -> relay with a channel: ChannelData to the client */
	inject(dp_turn_relay_input, PEER, 3480, GW, relay_of_a.port, payload, sizeof(payload));
	assert_int_equal(n_sent, 1);
	captured(0, &ip, &u);
	assert_int_equal(ip.dst, CL_A);
	assert_int_equal(u.sport, 3478);
	assert_int_equal(u.dport, 1000);
	assert_int_equal(u.payload_len, 4 + sizeof(payload));     /* no padding over UDP */
	assert_int_equal(u.payload[0] << 8 | u.payload[1], 0x4001);
	assert_memory_equal(u.payload + 4, payload, sizeof(payload));
	/* peer without a channel (other port): Data indication */
	sent_reset();
	inject(dp_turn_relay_input, PEER, 3481, GW, relay_of_a.port, payload, sizeof(payload));
	assert_int_equal(n_sent, 1);
	captured(0, &ip, &u);
	assert_int_equal(gw_stun_parse(&v, u.payload, u.payload_len), 0);
	assert_int_equal(v.cls, GW_STUN_INDICATION);
	assert_int_equal(v.method, GW_STUN_DATA);
	assert_int_equal(gw_stun_get_xor_addr(&v, &v.peers[0], &a), 0);
	assert_int_equal(a.port, 3481);
	assert_memory_equal(a.addr, "\xc6\x12\x05\x02", 4);
	assert_int_equal(gw_stun_get_bytes(&v, &v.attr[GW_STUN_A_DATA], &p, &n), 0);
	assert_int_equal(n, sizeof(payload));
	assert_memory_equal(p, payload, n);
	/* a peer without permission: not delivered */
	sent_reset();
	inject(dp_turn_relay_input, IP(198, 18, 5, 77), 3480, GW, relay_of_a.port, payload,
	       sizeof(payload));
	assert_int_equal(n_sent, 0);
	assert_int_equal(wk.cnt[GW_CNT_TURN_DROP_NO_PERM], 2);
	/* nothing on an unallocated relay port */
	inject(dp_turn_relay_input, PEER, 3480, GW, 49999, payload, sizeof(payload));
	assert_int_equal(n_sent, 0);
	sent_reset();
}

/*
 * Relayed data whose checksum the classifier left pending (no RX offload):
 * where the relay derives the outgoing checksum from it (ChannelData and
 * Send with DATA last, unpadded; toward the client always) the datagram
 * goes on, and a corrupted one leaves with a checksum its receiver rejects;
 * where the payload is summed anew (padding, an attribute after DATA) the
 * old checksum is checked first and a corrupted datagram dropped, counted.
 */
static void
test_cksum_carry(void **state)
{
	static const uint8_t data8[8] = { 0x80, 0x60, 1, 2, 3, 4, 0xfe, 0xff };
	const uint64_t bad0 = wk.cnt[GW_CNT_UDP_BAD_CKSUM];
	struct gw_stun_addr peer = { .family = GW_STUN_FAMILY_IPV4, .port = 3480,
				     .addr = { 198, 18, 5, 2 } };
	uint8_t cd[16], send[128];
	struct gw_ipv4_view ip;
	struct gw_udp_view u;
	struct gw_stun_enc e;
	int len;

	(void)state;
	/* unpadded ChannelData: carried */
	len = gw_turn_chandata_encode(cd, sizeof(cd), 0x4001, payload, sizeof(payload), false);
	for (int bad = 0; bad < 2; bad++) {
		sent_reset();
		inject_deferred(dp_turn_chandata_input, CL_A, 1000, GW, 3478, cd, (size_t)len,
				bad ? 7 : -1);
		assert_int_equal(n_sent, 1);
		assert_int_equal(dp_harness_views(dp_harness_sent[0], &ip, &u), bad ? -EILSEQ : 0);
	}
	/* padded: summed anew, so checked first */
	len = gw_turn_chandata_encode(cd, sizeof(cd), 0x4001, payload, sizeof(payload), true);
	assert_int_equal(len, 12);
	for (int bad = 0; bad < 2; bad++) {
		sent_reset();
		inject_deferred(dp_turn_chandata_input, CL_A, 1000, GW, 3478, cd, (size_t)len,
				bad ? 7 : -1);
		assert_int_equal(n_sent, bad ? 0 : 1);
		if (!bad)
			captured(0, &ip, &u);
	}
	assert_int_equal(wk.cnt[GW_CNT_UDP_BAD_CKSUM], bad0 + 1);
	/* Send, DATA last: carried; FINGERPRINT after DATA: summed anew, so a
	 * checksum that does not match (the field corrupted, the message
	 * intact, FINGERPRINT right) drops it */
	for (int fp = 0; fp < 2; fp++) {
		static const uint8_t txid[12] = { 11 };

		assert_int_equal(gw_stun_enc_init(&e, send, sizeof(send),
						  gw_stun_type(GW_STUN_SEND, GW_STUN_INDICATION),
						  txid), 0);
		assert_int_equal(gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &peer), 0);
		assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_DATA, data8, sizeof(data8)), 0);
		if (fp)
			assert_int_equal(gw_stun_enc_fingerprint(&e), 0);
		for (int bad = 0; bad < 2; bad++) {
			sent_reset();
			inject_deferred(dp_turn_input, CL_A, 1000, GW, 3478, send,
					gw_stun_enc_len(&e), bad ? -2 : -1);
			assert_int_equal(n_sent, fp && bad ? 0 : 1);
			if (n_sent == 1) {
				assert_int_equal(dp_harness_views(dp_harness_sent[0], &ip, &u),
						 bad ? -EILSEQ : 0);
				assert_int_equal(ip.dst, PEER);
			}
		}
	}
	assert_int_equal(wk.cnt[GW_CNT_UDP_BAD_CKSUM], bad0 + 2);
	/* peer -> client as ChannelData (3480 has channel 0x4001) and as a Data
	 * indication (3481): carried */
	for (uint16_t port = 3480; port <= 3481; port++)
		for (int bad = 0; bad < 2; bad++) {
			sent_reset();
			inject_deferred(dp_turn_relay_input, PEER, port, GW, relay_of_a.port,
					payload, sizeof(payload), bad ? 3 : -1);
			assert_int_equal(n_sent, 1);
			assert_int_equal(dp_harness_views(dp_harness_sent[0], &ip, &u),
					 bad ? -EILSEQ : 0);
			assert_int_equal(ip.dst, CL_A);
		}
	assert_int_equal(wk.cnt[GW_CNT_UDP_BAD_CKSUM], bad0 + 2);
	sent_reset();
}

static void
test_hairpin(void **state)
{
	struct client b = { .ip = CL_B, .port = 2000, .user = "alice", .pass = "alice-pw" };
	uint32_t perm_gw[3] = { GW, 0, 0 };
	uint8_t send[128];
	struct gw_stun_enc e;
	struct gw_stun_view v;
	struct gw_ipv4_view ip;
	struct gw_udp_view u;
	struct gw_stun_addr a;
	static const uint8_t txid[12] = { 7 };
	uint64_t wire_before;

	(void)state;
	challenge(&b);
	assert_int_equal(allocate(&b, 0, &relay_of_b), 200);
	/* both permit the gateway's relay address (relay-to-relay ICE pair) */
	assert_int_equal(request(&A, GW_STUN_CREATE_PERMISSION, 0, add_peer, perm_gw, &v), 200);
	assert_int_equal(request(&b, GW_STUN_CREATE_PERMISSION, 0, add_peer, perm_gw, &v), 200);
	assert_int_equal(gw_stun_enc_init(&e, send, sizeof(send),
					  gw_stun_type(GW_STUN_SEND, GW_STUN_INDICATION), txid), 0);
	assert_int_equal(gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &relay_of_b), 0);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_DATA, payload, sizeof(payload)), 0);
	sent_reset();
	wire_before = wk.cnt[GW_CNT_TURN_HAIRPIN_PKTS];
	inject(dp_turn_input, CL_A, 1000, GW, 3478, send, gw_stun_enc_len(&e));
	assert_int_equal(wk.cnt[GW_CNT_TURN_HAIRPIN_PKTS], wire_before + 1);
	/* the only frame sent goes to client B, from A's relayed address */
	assert_int_equal(n_sent, 1);
	captured(0, &ip, &u);
	assert_int_equal(ip.dst, CL_B);
	assert_int_equal(u.dport, 2000);
	assert_int_equal(gw_stun_parse(&v, u.payload, u.payload_len), 0);
	assert_int_equal(v.method, GW_STUN_DATA);
	assert_int_equal(gw_stun_get_xor_addr(&v, &v.peers[0], &a), 0);
	assert_int_equal(a.port, relay_of_a.port);
	sent_reset();
}

/* ---- defects found by attacking the server (issue 10) ------------------------------ */

static void relays(const struct client *c, uint16_t relay_port, uint16_t ch);

/*
 * TURN over TCP/TLS (dp_strm, rtcgw-turnfront's messages): the same client
 * address as A's UDP allocation is a different 5-tuple; requests are answered
 * to the front; ChannelData both ways (padded to 4 on the stream), Data
 * indications, Binding; a closed connection deletes its allocation, a
 * front's restart every stream allocation and nothing else.
 */
static void
test_stream(void **state)
{
	struct client s = { .ip = CL_A, .port = 1000, .user = "alice", .pass = "alice-pw",
			    .conn = 77 };
	struct client s2 = { .ip = CL_B, .port = 1001, .user = "bob", .pass = "bob-pw",
			     .conn = 78 };
	const uint32_t peer[3] = { PEER, 3480, 0x4002 };
	struct gw_stun_addr relay, a;
	struct gw_stun_view v;
	struct gw_ipc_strm h;
	struct gw_turn_chandata cd;
	struct gw_ipv4_view ip;
	struct gw_udp_view u;
	uint8_t buf[256];
	size_t n;
	int len;

	(void)state;
	challenge(&s);
	/* the same address and port as A's UDP allocation: another 5-tuple */
	assert_int_equal(allocate(&s, 0, &relay), 200);
	assert_int_not_equal(relay.port, relay_of_a.port);
	assert_int_equal(request(&s, GW_STUN_CHANNEL_BIND, 0, add_peer, peer, &v), 200);

	/* ChannelData from the stream (padded, as on a stream) -> UDP to the peer */
	len = gw_turn_chandata_encode(buf, sizeof(buf), 0x4002, payload, sizeof(payload), true);
	assert_int_equal(len, 12);
	sent_reset();
	inject_strm(s.conn, s.ip, s.port, buf, (size_t)len);
	assert_int_equal(n_sent, 1);
	captured(0, &ip, &u);
	assert_int_equal(ip.src, GW);
	assert_int_equal(ip.dst, PEER);
	assert_int_equal(u.sport, relay.port);
	assert_int_equal(u.dport, 3480);
	assert_int_equal(u.payload_len, sizeof(payload));
	assert_memory_equal(u.payload, payload, sizeof(payload));
	sent_reset();

	/* peer -> relay: ChannelData to the front, padded to 4 */
	inject(dp_turn_relay_input, PEER, 3480, GW, relay.port, payload, sizeof(payload));
	assert_int_equal(n_sent, 0);
	assert_int_equal(strm_waiting(), 1);
	n = strm_take(&h, buf, sizeof(buf));
	assert_int_equal(h.conn, s.conn);
	assert_int_equal(n, 12);
	assert_int_equal(gw_turn_chandata_parse(&cd, buf, n), 0);
	assert_int_equal(cd.channel, 0x4002);
	assert_int_equal(cd.len, sizeof(payload));
	assert_memory_equal(cd.data, payload, sizeof(payload));
	assert_int_equal(buf[11], 0);

	/* another port of the permitted peer, no channel: a Data indication */
	inject(dp_turn_relay_input, PEER, 3999, GW, relay.port, payload, sizeof(payload));
	n = strm_take(&h, buf, sizeof(buf));
	assert_int_equal(n % 4, 0);
	assert_int_equal(gw_stun_parse(&v, buf, n), 0);
	assert_int_equal(v.method, GW_STUN_DATA);
	assert_int_equal(v.cls, GW_STUN_INDICATION);
	assert_int_equal(gw_stun_get_xor_addr(&v, &v.attr[GW_STUN_A_XOR_PEER_ADDRESS], &a), 0);
	assert_int_equal(a.port, 3999);

	/* a peer's datagram whose checksum is pending: a stream copies the
	 * bytes, so it is checked there; a corrupted one goes no further */
	for (int bad = 0; bad < 2; bad++) {
		const uint64_t bad0 = wk.cnt[GW_CNT_UDP_BAD_CKSUM];

		inject_deferred(dp_turn_relay_input, PEER, 3480, GW, relay.port, payload,
				sizeof(payload), bad ? 2 : -1);
		assert_int_equal(strm_waiting(), bad ? 0 : 1);
		assert_int_equal(wk.cnt[GW_CNT_UDP_BAD_CKSUM], bad0 + (uint64_t)bad);
		if (!bad) {
			n = strm_take(&h, buf, sizeof(buf));
			assert_int_equal(gw_turn_chandata_parse(&cd, buf, n), 0);
			assert_memory_equal(cd.data, payload, sizeof(payload));
		}
	}

	/* a Binding request on the connection: the connection's address */
	{
		struct gw_stun_enc e;
		const uint8_t tx[12] = "stream-bind";

		assert_int_equal(gw_stun_enc_init(&e, buf, sizeof(buf),
						  gw_stun_type(GW_STUN_BINDING, GW_STUN_REQUEST),
						  tx), 0);
		inject_strm(s.conn, s.ip, s.port, buf, gw_stun_enc_len(&e));
		n = strm_take(&h, buf, sizeof(buf));
		assert_int_equal(gw_stun_parse(&v, buf, n), 0);
		assert_int_equal(v.cls, GW_STUN_SUCCESS);
		assert_int_equal(gw_stun_get_xor_addr(&v, &v.attr[GW_STUN_A_XOR_MAPPED_ADDRESS],
						      &a), 0);
		assert_int_equal(a.port, s.port);
		assert_memory_equal(a.addr, "\xc6\x12\x04\x0a", 4);
	}

	/* through the ring as the front sends: a bad header is counted, then a
	 * good message handled */
	{
		struct rte_ring *in = rte_ring_lookup(GW_IPC_RING_STRM_IN);
		struct rte_mbuf *bad = strm_mbuf(s.conn, s.ip, s.port, GW_IPC_STRM_MSG, payload, 4);
		struct rte_mbuf *good;

		assert_non_null(in);
		rte_pktmbuf_mtod(bad, struct gw_ipc_strm *)->len = 9;   /* != the bytes */
		len = gw_turn_chandata_encode(buf, sizeof(buf), 0x4002, payload,
					      sizeof(payload), true);
		good = strm_mbuf(s.conn, s.ip, s.port, GW_IPC_STRM_MSG, buf, (size_t)len);
		assert_int_equal(rte_ring_enqueue(in, bad), 0);
		assert_int_equal(rte_ring_enqueue(in, good), 0);
		sent_reset();
		assert_int_equal(dp_strm_poll(&wk), 2);
		assert_int_equal(wk.cnt[GW_CNT_TURN_STREAM_DROP_BAD], 1);
		assert_int_equal(n_sent, 1);
		sent_reset();
	}

	/* the connection closes: its allocation goes, A's UDP one stays */
	{
		struct rte_mbuf *m = strm_mbuf(s.conn, s.ip, s.port, GW_IPC_STRM_CLOSE, NULL, 0);

		dp_turn_stream_close(&wk, rte_pktmbuf_mtod(m, const struct gw_ipc_strm *));
		rte_pktmbuf_free(m);
	}
	assert_int_equal(wk.cnt[GW_CNT_TURN_STREAM_CLOSED], 1);
	inject(dp_turn_relay_input, PEER, 3480, GW, relay.port, payload, sizeof(payload));
	assert_int_equal(strm_waiting(), 0);
	relays(&A, relay_of_a.port, 0x4001);

	/* a front restart: every stream allocation goes, the UDP ones stay */
	challenge(&s2);
	assert_int_equal(allocate(&s2, 0, &relay), 200);
	dp_turn_stream_reset(&wk);
	assert_int_equal(wk.cnt[GW_CNT_TURN_STREAM_CLOSED], 2);
	assert_int_equal(request(&s2, GW_STUN_REFRESH, 0, NULL, NULL, &v), 437);
	relays(&A, relay_of_a.port, 0x4001);
	assert_int_equal(strm_waiting(), 0);
	sent_reset();
}

static void
add_unknown(struct gw_stun_enc *e, const void *arg)
{
	(void)arg;
	/* 0x0777: comprehension-required (below 0x8000) and unknown to everyone */
	assert_int_equal(gw_stun_enc_bytes(e, 0x0777, "abcd", 4), 0);
}

static void
add_families(struct gw_stun_enc *e, const void *arg)
{
	unsigned which = *(const unsigned *)arg;

	if (which & 1)
		assert_int_equal(gw_stun_enc_u32(e, GW_STUN_ATTR_REQUESTED_ADDRESS_FAMILY,
						 1u << 24), 0);
	if (which & 2)
		assert_int_equal(gw_stun_enc_u32(e, GW_STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY,
						 2u << 24), 0);
	if (which & 4)
		assert_int_equal(gw_stun_enc_u64(e, GW_STUN_ATTR_RESERVATION_TOKEN,
						 0x0102030405060708ull), 0);
}

/* Reassemble the IPv4 fragments captured at [0, n_sent) into buf: returns the
 * datagram's IP payload length; checks offsets, MF bits and header sums. */
static size_t
reassemble(uint8_t *buf, size_t cap, uint32_t *src, uint32_t *dst)
{
	size_t total = 0;

	assert_true(n_sent >= 2);
	for (unsigned i = 0; i < n_sent; i++) {
		const struct rte_mbuf *m = dp_harness_sent[i];
		const uint8_t *h = rte_pktmbuf_mtod(m, const uint8_t *) + GW_ETH_HLEN;
		uint16_t tot = (uint16_t)(h[2] << 8 | h[3]), fo = (uint16_t)(h[6] << 8 | h[7]);
		size_t off = (size_t)(fo & 0x1fff) * 8, len = tot - GW_IPV4_HLEN;

		assert_int_equal(m->nb_segs, 1);
		assert_int_equal(rte_pktmbuf_pkt_len(m), GW_ETH_HLEN + tot);
		assert_true(tot <= 1500);
		assert_int_equal(fo & 0x4000, 0);                       /* DF clear */
		assert_int_equal((fo & 0x2000) != 0, i + 1 < n_sent);   /* MF but on the last */
		assert_int_equal(off, total);                           /* in order, no gaps */
		assert_int_equal(gw_cksum_fold(gw_cksum_add(0, h, GW_IPV4_HLEN)), 0);
		assert_true(total + len <= cap);
		memcpy(buf + total, h + GW_IPV4_HLEN, len);
		total += len;
		*src = (uint32_t)h[12] << 24 | (uint32_t)h[13] << 16 | (uint32_t)h[14] << 8 | h[15];
		*dst = (uint32_t)h[16] << 24 | (uint32_t)h[17] << 16 | (uint32_t)h[18] << 8 | h[19];
	}
	return total;
}

static void
test_hardening(void **state)
{
	struct client d = { .ip = CL_E, .port = 77, .user = "alice", .pass = "alice-pw" };
	uint32_t edge_b[3] = { IP(198, 18, 4, 255), 9, 0 }, edge_n[3] = { IP(198, 18, 4, 0), 9, 0 };
	uint32_t cgnat[3] = { IP(100, 64, 0, 1), 9, 0 }, ietf[3] = { IP(192, 0, 0, 9), 9, 0 };
	uint32_t ch_hi[3] = { PEER, 3480, 0x5001 };
	static uint8_t big[1472], dgram[2048];
	uint8_t send[128], cd[16];
	struct gw_stun_addr peer = { .family = GW_STUN_FAMILY_IPV4, .port = 3480,
				     .addr = { 198, 18, 5, 2 } };
	struct gw_stun_enc e;
	struct gw_stun_view v;
	struct gw_stun_addr a;
	const uint8_t *p;
	size_t n;
	uint32_t src, dst;
	uint64_t before;
	unsigned fam;
	int len;

	(void)state;
	/* 420: judged after authentication (a stranger is challenged first), then
	 * answered with UNKNOWN-ATTRIBUTES and integrity (RFC 8489 §6.3.1, §14.9) */
	before = wk.cnt[GW_CNT_TURN_ERR_UNKNOWN_ATTR];
	assert_int_equal(request(&A, GW_STUN_REFRESH, NO_AUTH, add_unknown, NULL, &v), 401);
	assert_int_equal(wk.cnt[GW_CNT_TURN_ERR_UNKNOWN_ATTR], before);
	assert_int_equal(request(&A, GW_STUN_REFRESH, 0, add_unknown, NULL, &v), 420);
	assert_int_equal(gw_stun_get_bytes(&v, &v.attr[GW_STUN_A_UNKNOWN_ATTRIBUTES], &p, &n), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(p, "\x07\x77", 2);
	assert_int_equal(gw_stun_check_integrity(&v, &A.k1), 0);
	assert_int_equal(wk.cnt[GW_CNT_TURN_ERR_UNKNOWN_ATTR], before + 1);

	/* a Send indication whose FINGERPRINT does not match is not relayed (§7.3) */
	assert_int_equal(gw_stun_enc_init(&e, send, sizeof(send),
					  gw_stun_type(GW_STUN_SEND, GW_STUN_INDICATION),
					  (const uint8_t[12]){ 3 }), 0);
	assert_int_equal(gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &peer), 0);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_DATA, payload, sizeof(payload)), 0);
	assert_int_equal(gw_stun_enc_fingerprint(&e), 0);
	len = (int)gw_stun_enc_len(&e);
	sent_reset();
	inject(dp_turn_input, CL_A, 1000, GW, 3478, send, (size_t)len);
	assert_int_equal(n_sent, 1);                     /* intact: relayed */
	send[len - 1] ^= 0x01;
	before = wk.cnt[GW_CNT_TURN_DROP_FINGERPRINT];
	sent_reset();
	inject(dp_turn_input, CL_A, 1000, GW, 3478, send, (size_t)len);
	assert_int_equal(n_sent, 0);
	assert_int_equal(wk.cnt[GW_CNT_TURN_DROP_FINGERPRINT], before + 1);

	/* RFC 8656 channel numbers by default: 0x5001 is 400 and its data dropped */
	assert_int_equal(request(&A, GW_STUN_CHANNEL_BIND, 0, add_peer, ch_hi, &v), 400);
	len = gw_turn_chandata_encode(cd, sizeof(cd), 0x5001, payload, sizeof(payload), false);
	before = wk.cnt[GW_CNT_TURN_DROP_BAD_CHANDATA];
	sent_reset();
	inject(dp_turn_chandata_input, CL_A, 1000, GW, 3478, cd, (size_t)len);
	assert_int_equal(n_sent, 0);
	assert_int_equal(wk.cnt[GW_CNT_TURN_DROP_BAD_CHANDATA], before + 1);

	/* default-denied: our subnet's network and broadcast, CGNAT, 192.0.0.0/24 */
	assert_int_equal(request(&A, GW_STUN_CREATE_PERMISSION, 0, add_peer, edge_b, &v), 403);
	assert_int_equal(request(&A, GW_STUN_CREATE_PERMISSION, 0, add_peer, edge_n, &v), 403);
	assert_int_equal(request(&A, GW_STUN_CREATE_PERMISSION, 0, add_peer, cgnat, &v), 403);
	assert_int_equal(request(&A, GW_STUN_CREATE_PERMISSION, 0, add_peer, ietf, &v), 403);

	/* address family combinations: 400 (RFC 8656 §7.2), nothing allocated */
	challenge(&d);
	fam = 1 | 2;
	assert_int_equal(request(&d, GW_STUN_ALLOCATE, 0, add_families, &fam, &v), 400);
	fam = 4 | 1;
	assert_int_equal(request(&d, GW_STUN_ALLOCATE, 0, add_families, &fam, &v), 400);
	/* ADDITIONAL-ADDRESS-FAMILY on a port without address6: an IPv4
	 * allocation and ADDRESS-ERROR-CODE 440 for IPv6 (RFC 8656 §7.2) */
	fam = 2;
	assert_int_equal(request(&d, GW_STUN_ALLOCATE, 0, add_families, &fam, &v), 200);
	{
		struct gw_stun_addr ra;
		uint32_t zero = 0;
		uint16_t code = 0;
		uint8_t af = 0;

		assert_int_equal(gw_turn_get_address_error(&v, &af, &code), 0);
		assert_int_equal(af, GW_STUN_FAMILY_IPV6);
		assert_int_equal(code, 440);
		assert_int_equal(gw_stun_get_xor_addr(&v, &v.attr[GW_STUN_A_XOR_RELAYED_ADDRESS],
						      &ra), 0);
		assert_int_equal(ra.family, GW_STUN_FAMILY_IPV4);
		assert_int_equal(request(&d, GW_STUN_REFRESH, 0, add_lifetime, &zero, &v), 200);
	}

	/* a peer's full-MTU datagram grows past the client's MTU: sent in fragments
	 * the client's kernel reassembles, checksum over the whole datagram */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 1);
	for (int k = 0; k < 2; k++) {          /* 0: ChannelData, 1: Data indication */
		size_t hl = k == 0 ? 4 : 36, got;
		uint64_t frag = wk.cnt[GW_CNT_IPV4_FRAG_OUT];
		uint64_t pkts = wk.cnt[GW_CNT_TURN_TO_CLIENT_PKTS];

		sent_reset();
		inject(dp_turn_relay_input, PEER, (uint16_t)(k == 0 ? 3480 : 3481), GW,
		       relay_of_a.port, big, sizeof(big));
		assert_int_equal(n_sent, 2);
		got = reassemble(dgram, sizeof(dgram), &src, &dst);
		assert_int_equal(src, GW);
		assert_int_equal(dst, CL_A);
		assert_int_equal(got, GW_UDP_HLEN + hl + sizeof(big));
		assert_int_equal(dgram[4] << 8 | dgram[5], got);           /* UDP length */
		{                                  /* the checksum covers the whole datagram */
			uint16_t c = (uint16_t)(dgram[6] << 8 | dgram[7]);

			dgram[6] = dgram[7] = 0;
			assert_int_equal(gw_udp4_cksum(GW, CL_A, dgram, got), c);
		}
		if (k == 0) {
			assert_int_equal(dgram[8] << 8 | dgram[9], 0x4001);
		} else {
			assert_int_equal(gw_stun_parse(&v, dgram + GW_UDP_HLEN, got - GW_UDP_HLEN), 0);
			assert_int_equal(v.method, GW_STUN_DATA);
			assert_int_equal(gw_stun_get_xor_addr(&v, &v.peers[0], &a), 0);
			assert_int_equal(a.port, 3481);
		}
		assert_memory_equal(dgram + GW_UDP_HLEN + hl, big, sizeof(big));
		assert_int_equal(wk.cnt[GW_CNT_IPV4_FRAG_OUT], frag + 1);
		assert_int_equal(wk.cnt[GW_CNT_TURN_TO_CLIENT_PKTS], pkts + 1);
	}
	sent_reset();
}

/* ChannelData ch from c to PEER:3480 is relayed, and PEER's answer comes back. */
static void
relays(const struct client *c, uint16_t relay_port, uint16_t ch)
{
	struct gw_ipv4_view ip;
	struct gw_udp_view u;
	uint8_t cd[16];
	int len = gw_turn_chandata_encode(cd, sizeof(cd), ch, payload, sizeof(payload), false);

	sent_reset();
	inject(dp_turn_chandata_input, c->ip, c->port, GW, 3478, cd, (size_t)len);
	assert_int_equal(n_sent, 1);
	captured(0, &ip, &u);
	assert_int_equal(ip.dst, PEER);
	assert_int_equal(u.sport, relay_port);
	sent_reset();
	inject(dp_turn_relay_input, PEER, 3480, GW, relay_port, payload, sizeof(payload));
	assert_int_equal(n_sent, 1);
	captured(0, &ip, &u);
	assert_int_equal(ip.dst, c->ip);
	assert_int_equal(u.payload[0] << 8 | u.payload[1], ch);
	sent_reset();
}

static struct gw_config next_conf;
static int reload_done;

static void *
reload_thread(void *arg)
{
	(void)arg;
	assert_int_equal(dp_turn_reload(&next_conf, RTE_QSBR_THRID_INVALID), 0);
	__atomic_store_n(&reload_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * Config reload (dp_turn_reload): new credentials for new Allocates, the
 * live allocation keeps its key and keeps relaying, a rotated REST secret,
 * peer policy and quotas applied at once, the old state freed only after
 * the worker's quiescent point. Leaves the config, the allocations and the
 * counters as it found them (the next test counts from them).
 */
static void
test_reload(void **state)
{
	static uint64_t saved[GW_CNT_MAX];
	struct client old = { .ip = CL_R, .port = 1, .user = "alice", .pass = "alice-pw" };
	struct client stale = { .ip = CL_R, .port = 2, .user = "alice", .pass = "alice-pw" };
	struct client fresh = { .ip = CL_R, .port = 3, .user = "alice", .pass = "alice-new" };
	struct client r_old = { .ip = CL_R, .port = 4, .user = "4102444800:dave" };
	struct client r_new = { .ip = CL_R, .port = 5, .user = "4102444800:dave" };
	struct client more = { .ip = CL_R, .port = 6, .user = "alice", .pass = "alice-new" };
	char p_old[GW_TURN_REST_PASS_SIZE], p_new[GW_TURN_REST_PASS_SIZE];
	uint32_t ch[3] = { PEER, 3480, 0x4003 }, zero = 0, lt = 600;
	struct gw_stun_addr relay_old;
	struct gw_hmac_sha1_key k;
	struct gw_stun_view v;
	pthread_t th;

	(void)state;
	memcpy(saved, wk.cnt, sizeof(saved));
	challenge(&old);
	assert_int_equal(allocate(&old, 0, &relay_old), 200);
	assert_int_equal(request(&old, GW_STUN_CHANNEL_BIND, 0, add_peer, ch, &v), 200);
	relays(&old, relay_old.port, 0x4003);

	/* alice's password changes, the REST secret rotates; the worker is a
	 * registered reader in the middle of an iteration meanwhile */
	next_conf = conf;
	strcpy(next_conf.turn.users[0].password, "alice-new");
	strcpy(next_conf.turn.auth_secrets[0], SECRET2);
	dp_turn_worker_start(&wk);
	assert_int_equal(pthread_create(&th, NULL, reload_thread, NULL), 0);
	rte_delay_us_sleep(100 * 1000);
	/* published at once, but not reclaimed: the reader has not been quiescent */
	assert_int_equal(__atomic_load_n(&reload_done, __ATOMIC_ACQUIRE), 0);
	challenge(&stale);
	assert_int_equal(allocate(&stale, 0, NULL), 401);          /* old password */
	dp_turn_quiescent(&wk);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(reload_done, 1);
	dp_turn_worker_stop(&wk);

	challenge(&fresh);
	assert_int_equal(allocate(&fresh, 0, NULL), 200);          /* new password */
	/* the live allocation: still relaying, and its Refresh with the key it
	 * was made with (the old password) still works, as in coturn */
	relays(&old, relay_old.port, 0x4003);
	assert_int_equal(request(&old, GW_STUN_REFRESH, 0, add_lifetime, &lt, &v), 200);
	/* REST credentials: the rotated-out secret gets 401, the new one 200 */
	assert_int_equal(gw_hmac_sha1_key_init(&k, (const uint8_t *)SECRET, strlen(SECRET)), 0);
	assert_int_equal(gw_turn_rest_password(p_old, sizeof(p_old), &k,
					       (const uint8_t *)r_old.user, strlen(r_old.user)), 0);
	assert_int_equal(gw_hmac_sha1_key_init(&k, (const uint8_t *)SECRET2, strlen(SECRET2)), 0);
	assert_int_equal(gw_turn_rest_password(p_new, sizeof(p_new), &k,
					       (const uint8_t *)r_new.user, strlen(r_new.user)), 0);
	r_old.pass = p_old;
	r_new.pass = p_new;
	challenge(&r_old);
	assert_int_equal(allocate(&r_old, 0, NULL), 401);
	challenge(&r_new);
	assert_int_equal(allocate(&r_new, 0, NULL), 200);

	/* peer policy and quotas, live: deny the peer's /24, one allocation per user */
	next_conf.turn.denied_peers[0] = (struct gw_cidr4){ .addr = PEER & 0xffffff00u, .len = 24 };
	next_conf.turn.n_denied_peers = 1;
	next_conf.turn.user_quota = 1;
	assert_int_equal(dp_turn_reload(&next_conf, RTE_QSBR_THRID_INVALID), 0);
	{
		uint64_t denied = wk.cnt[GW_CNT_TURN_DROP_DENIED_PEER];
		uint8_t cd[16];
		int len = gw_turn_chandata_encode(cd, sizeof(cd), 0x4003, payload,
						  sizeof(payload), false);

		sent_reset();
		inject(dp_turn_chandata_input, old.ip, old.port, GW, 3478, cd, (size_t)len);
		assert_int_equal(n_sent, 0);
		assert_int_equal(wk.cnt[GW_CNT_TURN_DROP_DENIED_PEER], denied + 1);
	}
	assert_int_equal(request(&old, GW_STUN_CREATE_PERMISSION, 0, add_peer, ch, &v), 403);
	challenge(&more);
	assert_int_equal(allocate(&more, 0, NULL), 486);           /* user_quota 1 */
	/* tables are sized at start: more allocations than that is refused */
	next_conf.turn.max_allocations = conf.turn.max_allocations + 1;
	assert_int_equal(dp_turn_reload(&next_conf, RTE_QSBR_THRID_INVALID), -EINVAL);
	assert_int_equal(allocate(&more, 0, NULL), 486);           /* still in force */

	/* back to the start-up config: relaying again, the old password again */
	assert_int_equal(dp_turn_reload(&conf, RTE_QSBR_THRID_INVALID), 0);
	relays(&old, relay_old.port, 0x4003);
	assert_int_equal(request(&old, GW_STUN_REFRESH, 0, add_lifetime, &zero, &v), 200);
	assert_int_equal(request(&fresh, GW_STUN_REFRESH, 0, add_lifetime, &zero, &v), 200);
	assert_int_equal(request(&r_new, GW_STUN_REFRESH, 0, add_lifetime, &zero, &v), 200);
	stale.port = 7;                                 /* a port is free again */
	challenge(&stale);
	assert_int_equal(allocate(&stale, 0, NULL), 200);
	assert_int_equal(request(&stale, GW_STUN_REFRESH, 0, add_lifetime, &zero, &v), 200);
	memcpy(wk.cnt, saved, sizeof(saved));
	sent_reset();
}

static void
test_quota_ports_delete(void **state)
{
	struct client c[5], f = { .ip = CL_F, .port = 1, .user = "bob", .pass = "bob-pw" };
	uint32_t zero = 0, got;
	struct gw_stun_view v;
	uint8_t cd[16];
	int len;

	(void)state;
	/* ip_quota 4 */
	for (int i = 0; i < 5; i++) {
		c[i] = (struct client){ .ip = CL_C, .port = (uint16_t)(3000 + i), .user = "bob",
					.pass = "bob-pw" };
		challenge(&c[i]);
	}
	/* 8 relay ports; 5 used so far (test_auth, A, SHA-256, REST, B) */
	assert_int_equal(allocate(&c[0], 0, NULL), 200);
	assert_int_equal(allocate(&c[1], 0, NULL), 200);
	assert_int_equal(allocate(&c[2], 0, NULL), 200);
	/* all 8 ports taken now: another client IP gets 508 */
	challenge(&f);
	assert_int_equal(allocate(&f, 0, NULL), 508);
	assert_int_equal(wk.cnt[GW_CNT_TURN_ERR_CAPACITY], 1);
	/* Refresh LIFETIME 0 deletes A's allocation; its port can be reused */
	assert_int_equal(request(&A, GW_STUN_REFRESH, 0, add_lifetime, &zero, &v), 200);
	assert_int_equal(gw_stun_get_u32(&v, &v.attr[GW_STUN_A_LIFETIME], &got), 0);
	assert_int_equal(got, 0);
	len = gw_turn_chandata_encode(cd, sizeof(cd), 0x4001, payload, sizeof(payload), false);
	sent_reset();
	inject(dp_turn_chandata_input, CL_A, 1000, GW, 3478, cd, (size_t)len);
	assert_int_equal(n_sent, 0);                 /* no allocation any more */
	assert_int_equal(allocate(&f, 0, NULL), 200);
	/* ip_quota 4: free a port (delete f), C takes its 4th, the 5th is 486 */
	assert_int_equal(request(&f, GW_STUN_REFRESH, 0, add_lifetime, &zero, &v), 200);
	assert_int_equal(allocate(&c[3], 0, NULL), 200);
	assert_int_equal(request(&f, GW_STUN_REFRESH, 0, add_lifetime, &zero, &v), 437);
	assert_int_equal(request(&c[3], GW_STUN_REFRESH, 0, add_lifetime, &zero, &v), 200);
	assert_int_equal(allocate(&c[4], 0, NULL), 200);   /* 4 again */
	c[3].port = 3100;
	challenge(&c[3]);
	assert_int_equal(allocate(&c[3], 0, NULL), 486);
	assert_int_equal(wk.cnt[GW_CNT_TURN_ERR_QUOTA], 1);
	assert_int_equal(wk.cnt[GW_CNT_TURN_ALLOC_DELETED], 4);
	sent_reset();
}

/* ---- IPv6 (RFC 6156) ---------------------------------------------------------------- */

static const uint8_t GW6[16] = { 0x20, 0x01, 0, 2, 0, 0, 0, 0x66, [15] = 2 };
static const uint8_t CL6_A[16] = { 0x20, 0x01, 0, 2, 0, 0, 0, 0x66, [15] = 0x10 };
static const uint8_t CL6_B[16] = { 0x20, 0x01, 0, 2, 0, 0, 0, 0x66, [15] = 0x11 };
static const uint8_t PEER6[16] = { 0x20, 0x01, 0, 2, 0, 0, 0, 0x67, [15] = 2 };
static const uint8_t DENIED6[16] = { 0x20, 0x01, 0, 2, 0, 0, 0, 0x99 };

/* REQUESTED-ADDRESS-FAMILY (arg[0], a STUN family, 0: none) and
 * ADDITIONAL-ADDRESS-FAMILY (arg[1], 0: none). */
static void
add_af(struct gw_stun_enc *e, const void *arg)
{
	const unsigned *f = arg;

	if (f[0] != 0)
		assert_int_equal(gw_stun_enc_u32(e, GW_STUN_ATTR_REQUESTED_ADDRESS_FAMILY,
						 f[0] << 24), 0);
	if (f[1] != 0)
		assert_int_equal(gw_stun_enc_u32(e, GW_STUN_ATTR_ADDITIONAL_ADDRESS_FAMILY,
						 f[1] << 24), 0);
}

/* arg: { REQUESTED-ADDRESS-FAMILY, LIFETIME } */
static void
add_af_lifetime(struct gw_stun_enc *e, const void *arg)
{
	const uint32_t *f = arg;

	assert_int_equal(gw_stun_enc_u32(e, GW_STUN_ATTR_REQUESTED_ADDRESS_FAMILY, f[0] << 24), 0);
	assert_int_equal(gw_stun_enc_u32(e, GW_STUN_ATTR_LIFETIME, f[1]), 0);
}

struct peer6 {
	const uint8_t *ip;
	uint16_t port;
	uint16_t ch;                  /* CHANNEL-NUMBER when != 0 */
};

static void
add_peer6(struct gw_stun_enc *e, const void *arg)
{
	const struct peer6 *p = arg;
	struct gw_stun_addr a = { .family = GW_STUN_FAMILY_IPV6, .port = p->port };

	memcpy(a.addr, p->ip, 16);
	assert_int_equal(gw_stun_enc_xor_addr(e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &a), 0);
	if (p->ch != 0)
		assert_int_equal(gw_stun_enc_u32(e, GW_STUN_ATTR_CHANNEL_NUMBER,
						 (uint32_t)p->ch << 16), 0);
}

/* Every XOR-RELAYED-ADDRESS of an answer, in order (the view keeps the first). */
static unsigned
relayed(const struct gw_stun_view *v, struct gw_stun_addr *out, unsigned cap)
{
	unsigned n = 0;

	for (size_t pos = GW_STUN_HDR_LEN; pos + 4 <= v->len;) {
		uint16_t type = (uint16_t)(v->msg[pos] << 8 | v->msg[pos + 1]);
		uint16_t len = (uint16_t)(v->msg[pos + 2] << 8 | v->msg[pos + 3]);
		struct gw_stun_attr a = { .off = (uint32_t)pos + 4, .len = len };

		if (type == GW_STUN_ATTR_XOR_RELAYED_ADDRESS) {
			assert_true(n < cap);
			assert_int_equal(gw_stun_get_xor_addr(v, &a, &out[n]), 0);
			n++;
		}
		pos += 4 + ((size_t)len + 3) / 4 * 4;
	}
	return n;
}

/* Allocate with the families in af[2] (add_af); the relayed addresses in r. */
static int
allocate_af(struct client *c, unsigned req, unsigned add, struct gw_stun_addr *r, unsigned *n)
{
	const unsigned af[2] = { req, add };
	struct gw_stun_view v;
	struct gw_stun_addr m;
	int code = request(c, GW_STUN_ALLOCATE, 0, add_af, af, &v);

	if (code != 200)
		return code;
	*n = relayed(&v, r, 2);
	for (unsigned i = 0; i < *n; i++) {
		assert_true(r[i].port >= 50000 && r[i].port <= 50007);
		if (r[i].family == GW_STUN_FAMILY_IPV6)
			assert_memory_equal(r[i].addr, GW6, 16);
		else
			assert_memory_equal(r[i].addr, "\xc6\x12\x06\x02", 4);     /* GW_B */
	}
	/* XOR-MAPPED-ADDRESS in the client's own family */
	assert_int_equal(gw_stun_get_xor_addr(&v, &v.attr[GW_STUN_A_XOR_MAPPED_ADDRESS], &m), 0);
	assert_int_equal(m.family, c->v6 ? GW_STUN_FAMILY_IPV6 : GW_STUN_FAMILY_IPV4);
	if (c->v6)
		assert_memory_equal(m.addr, c->ip6, 16);
	assert_int_equal(m.port, c->port);
	return 200;
}

/* send6()'s datagrams over IPv6: inject6_opt()'s flip (NO_DEFER: verified) */
static int send6_flip = NO_DEFER;

/* ChannelData (ch != 0) or a Send indication from c to ip6:port; returns frames sent. */
static unsigned
send6(const struct client *c, uint16_t ch, const uint8_t *ip6, uint16_t port, const uint8_t *data,
      size_t len)
{
	static uint8_t msg[1600];
	size_t n;

	if (ch != 0) {
		n = (size_t)gw_turn_chandata_encode(msg, sizeof(msg), ch, data, len, false);
	} else {
		static const uint8_t txid[12] = { 6 };
		struct gw_stun_enc e;
		struct gw_stun_addr a = { .family = GW_STUN_FAMILY_IPV6, .port = port };

		memcpy(a.addr, ip6, 16);
		assert_int_equal(gw_stun_enc_init(&e, msg, sizeof(msg),
						  gw_stun_type(GW_STUN_SEND, GW_STUN_INDICATION),
						  txid), 0);
		assert_int_equal(gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &a), 0);
		assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_DATA, data, len), 0);
		n = gw_stun_enc_len(&e);
	}
	sent_reset();
	if (c->v6)
		inject6_opt(ch != 0 ? dp_turn_chandata6_input : dp_turn_input6, c->pi, c->ip6,
			    c->port, c->gw6, 3478, msg, n, send6_flip);
	else
		inject_at(ch != 0 ? dp_turn_chandata_input : dp_turn_input, c->pi, c->ip, c->port,
			  c->gw != 0 ? c->gw : GW, 3478, msg, n);
	return n_sent;
}

/* The frame at 0 is UDP over IPv6 from GW6:sport to ip6:dport carrying data. */
static void
expect6(const uint8_t *ip6, uint16_t sport, uint16_t dport, const uint8_t *data, size_t len)
{
	struct gw_ipv6_view ip;
	struct gw_udp_view u;

	assert_int_equal(n_sent, 1);
	captured6(0, &ip, &u);
	assert_memory_equal(ip.src, GW6, 16);
	assert_memory_equal(ip.dst, ip6, 16);
	assert_int_equal(ip.hop_limit, 64);
	assert_int_equal(u.sport, sport);
	assert_int_equal(u.dport, dport);
	assert_int_equal(u.payload_len, len);
	assert_memory_equal(u.payload, data, len);
	assert_int_equal(dp_harness_sent_pi[0], 1);
}

/*
 * The client side over IPv6 and the families of the relayed address:
 * nonces bound to the IPv6 address, IPv4 by default, IPv6 on request, both
 * with ADDITIONAL-ADDRESS-FAMILY, an IPv4 client with an IPv6 relay, 440 on
 * a port without address6 (and ADDRESS-ERROR-CODE for a dual request there),
 * 443 for peers and refreshes of a family the allocation does not relay.
 */
static struct client C6 = { .pi = 1, .v6 = true, .port = 5000, .user = "alice",
			    .pass = "alice-pw", .gw6 = GW6 };
static struct client C6d = { .pi = 1, .v6 = true, .port = 5001, .user = "alice",
			     .pass = "alice-pw", .gw6 = GW6 };
static struct client C4r6 = { .pi = 1, .gw = GW_B, .ip = IP(198, 18, 6, 10), .port = 6000,
			      .user = "alice", .pass = "alice-pw" };
static struct gw_stun_addr c6_relay, c4r6_relay, dual_relay[2];

static void
test_ipv6_alloc(void **state)
{
	struct client c6v4 = { .pi = 1, .v6 = true, .port = 5002, .user = "alice",
			       .pass = "alice-pw", .gw6 = GW6 };
	struct client c440 = { .pi = 2, .gw = GW_C, .ip = IP(198, 18, 7, 10), .port = 7000,
			       .user = "alice", .pass = "alice-pw" };
	struct client stolen;
	struct gw_stun_addr r[2];
	struct gw_stun_view v;
	uint32_t pv4[3] = { PEER, 3480, 0 };
	const unsigned want6[2] = { GW_STUN_FAMILY_IPV6, 0 };
	struct peer6 p6 = { PEER6, 3480, 0 };
	uint64_t stale;
	uint16_t code;
	uint8_t af;
	unsigned n;

	(void)state;
	memcpy(C6.ip6, CL6_A, 16);
	memcpy(C6d.ip6, CL6_A, 16);
	memcpy(c6v4.ip6, CL6_B, 16);
	/* challenge over IPv6, answered over IPv6; the nonce is bound to CL6_A */
	challenge(&C6);
	stolen = C6;
	memcpy(stolen.ip6, CL6_B, 16);
	stale = wk.cnt[GW_CNT_TURN_AUTH_STALE];
	assert_int_equal(allocate_af(&stolen, GW_STUN_FAMILY_IPV6, 0, r, &n), 438);
	assert_int_equal(wk.cnt[GW_CNT_TURN_AUTH_STALE], stale + 1);
	/* REQUESTED-ADDRESS-FAMILY IPv6: an IPv6 relayed address (family 2) */
	assert_int_equal(allocate_af(&C6, GW_STUN_FAMILY_IPV6, 0, r, &n), 200);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].family, GW_STUN_FAMILY_IPV6);
	c6_relay = r[0];
	/* a retransmission gets the same answer */
	assert_int_equal(request(&C6, GW_STUN_ALLOCATE, SAME_TXID, add_af, want6, &v), 200);
	assert_int_equal(relayed(&v, r, 2), 1);
	assert_int_equal(r[0].port, c6_relay.port);
	/* no family attribute: IPv4 (RFC 6156 default), for an IPv6 client too */
	challenge(&c6v4);
	assert_int_equal(allocate_af(&c6v4, 0, 0, r, &n), 200);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].family, GW_STUN_FAMILY_IPV4);
	/* ... whose peers are IPv4 (443 for IPv6 ones) */
	assert_int_equal(request(&c6v4, GW_STUN_CREATE_PERMISSION, 0, add_peer6, &p6, &v), 443);
	assert_int_equal(request(&c6v4, GW_STUN_CREATE_PERMISSION, 0, add_peer, pv4, &v), 200);
	/* ADDITIONAL-ADDRESS-FAMILY: a dual allocation, IPv4 first */
	challenge(&C6d);
	assert_int_equal(allocate_af(&C6d, 0, GW_STUN_FAMILY_IPV6, dual_relay, &n), 200);
	assert_int_equal(n, 2);
	assert_int_equal(dual_relay[0].family, GW_STUN_FAMILY_IPV4);
	assert_int_equal(dual_relay[1].family, GW_STUN_FAMILY_IPV6);
	/* an IPv4 client with an IPv6 relay */
	challenge(&C4r6);
	assert_int_equal(allocate_af(&C4r6, GW_STUN_FAMILY_IPV6, 0, r, &n), 200);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].family, GW_STUN_FAMILY_IPV6);
	c4r6_relay = r[0];
	assert_int_equal(wk.cnt[GW_CNT_TURN6_ALLOC_OK], 3);
	/* 443: IPv4 peers of an IPv6-only allocation; a refresh of the other family */
	assert_int_equal(request(&C6, GW_STUN_CREATE_PERMISSION, 0, add_peer, pv4, &v), 443);
	pv4[2] = 0x4005;
	assert_int_equal(request(&C4r6, GW_STUN_CHANNEL_BIND, 0, add_peer, pv4, &v), 443);
	{
		const unsigned want4[2] = { GW_STUN_FAMILY_IPV4, 0 };

		assert_int_equal(request(&C6, GW_STUN_REFRESH, 0, add_af, want4, &v), 443);
		assert_int_equal(request(&C6, GW_STUN_REFRESH, 0, add_af, want6, &v), 200);
	}
	assert_int_equal(wk.cnt[GW_CNT_TURN_ERR_FAMILY], 4);
	/* a port without address6: REQUESTED-ADDRESS-FAMILY IPv6 is 440, nothing allocated */
	challenge(&c440);
	assert_int_equal(allocate_af(&c440, GW_STUN_FAMILY_IPV6, 0, r, &n), 440);
	assert_int_equal(wk.cnt[GW_CNT_TURN_ERR_FAMILY], 5);
	assert_int_equal(request(&c440, GW_STUN_REFRESH, 0, NULL, NULL, &v), 437);
	/* ... and a dual request there gets IPv4 with ADDRESS-ERROR-CODE 440 for IPv6 */
	{
		const unsigned dual[2] = { 0, GW_STUN_FAMILY_IPV6 };
		uint32_t zero = 0;

		assert_int_equal(request(&c440, GW_STUN_ALLOCATE, 0, add_af, dual, &v), 200);
		assert_int_equal(relayed(&v, r, 2), 1);
		assert_int_equal(r[0].family, GW_STUN_FAMILY_IPV4);
		assert_memory_equal(r[0].addr, "\xc6\x12\x07\x02", 4);
		assert_int_equal(gw_turn_get_address_error(&v, &af, &code), 0);
		assert_int_equal(af, GW_STUN_FAMILY_IPV6);
		assert_int_equal(code, 440);
		assert_int_equal(request(&c440, GW_STUN_REFRESH, 0, add_lifetime, &zero, &v), 200);
		assert_int_equal(request(&c6v4, GW_STUN_REFRESH, 0, add_lifetime, &zero, &v), 200);
	}
	sent_reset();
}

/*
 * The IPv6 peer policy, wired in: every denied form is refused 403 and
 * counted (turn_err_forbidden and turn6_err_forbidden), for CreatePermission
 * and ChannelBind, and a Send indication to one is dropped and counted.
 */
static void
test_ipv6_policy(void **state)
{
	static const uint8_t denied[][16] = {
		{ 0 },                                                   /* :: */
		{ [15] = 1 },                                            /* ::1 */
		{ 0xfe, 0x80, [15] = 1 },                                /* link-local */
		{ 0xfc, 0x00, [15] = 1 },                                /* ULA */
		{ 0xfd, 0x12, [15] = 1 },                                /* ULA */
		{ 0xff, 0x02, [15] = 1 },                                /* multicast */
		{ [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 },              /* ::ffff:127.0.0.1 */
		{ [10] = 0xff, [11] = 0xff, 10, 1, 2, 3 },               /* ::ffff:10.1.2.3 */
		{ [10] = 0xff, [11] = 0xff, 8, 8, 8, 8 },                /* mapped: not on a wire */
		{ 0, 0x64, 0xff, 0x9b, [12] = 10, 0, 0, 1 },             /* 64:ff9b::a00:1 */
		{ 0, 0x64, 0xff, 0x9b, [12] = 169, 254, 169, 254 },      /* NAT64 of link-local */
		{ 0x20, 0x02, 0x7f, 0, 0, 1 },                           /* 6to4 of 127.0.0.1 */
		{ 0x20, 0x02, 0xc0, 0xa8, 0, 1 },                        /* 6to4 of 192.168.0.1 */
		{ 0x20, 0x01, 0, 0, [15] = 1 },                          /* Teredo */
		{ 0x20, 0x01, 0, 2, 0, 0, 0, 0x99, [15] = 5 },           /* denied_peers6 */
	};
	uint64_t f0 = wk.cnt[GW_CNT_TURN_ERR_FORBIDDEN], f6 = wk.cnt[GW_CNT_TURN6_ERR_FORBIDDEN];
	uint64_t d0 = wk.cnt[GW_CNT_TURN_DROP_DENIED_PEER];
	struct gw_stun_view v;
	unsigned n = sizeof(denied) / sizeof(denied[0]);

	(void)state;
	for (unsigned i = 0; i < n; i++) {
		struct peer6 p = { denied[i], 3480, 0 };
		struct peer6 pc = { denied[i], 3480, (uint16_t)(0x4100 + i) };

		if (request(&C6, GW_STUN_CREATE_PERMISSION, 0, add_peer6, &p, &v) != 403)
			fail_msg("denied form %u allowed", i);
		if (request(&C6, GW_STUN_CHANNEL_BIND, 0, add_peer6, &pc, &v) != 403)
			fail_msg("denied form %u bound", i);
		assert_int_equal(send6(&C6, 0, denied[i], 3480, payload, sizeof(payload)), 0);
	}
	assert_int_equal(wk.cnt[GW_CNT_TURN_ERR_FORBIDDEN], f0 + 2 * n);
	assert_int_equal(wk.cnt[GW_CNT_TURN6_ERR_FORBIDDEN], f6 + 2 * n);
	assert_int_equal(wk.cnt[GW_CNT_TURN_DROP_DENIED_PEER], d0 + n);
	/* the gateway's own IPv6 address: only on a relay port (hairpin) */
	{
		struct peer6 own = { GW6, 3478, 0x4200 };

		assert_int_equal(request(&C6, GW_STUN_CHANNEL_BIND, 0, add_peer6, &own, &v), 403);
	}
	sent_reset();
}

/*
 * Relaying with IPv6 peers and clients: ChannelData and Send indications to
 * an IPv6 peer from the IPv6 relayed address (checksums derived from the
 * client's), the peer's answers as ChannelData or Data indications with an
 * IPv6 XOR-PEER-ADDRESS, an IPv4 client with an IPv6 relay and an IPv6 client
 * with an IPv4 relay (the dual allocation), hairpin between two IPv6 relayed
 * addresses, data to a family the allocation does not relay, MTU, delete.
 */
/* A Send indication with DONT-FRAGMENT from IPv6 client c to ip6:port. */
static unsigned
send6_df(const struct client *c, const uint8_t *ip6, uint16_t port, const uint8_t *data,
	 size_t len)
{
	static uint8_t msg[1600];
	static const uint8_t txid[12] = { 7 };
	struct gw_stun_enc e;
	struct gw_stun_addr a = { .family = GW_STUN_FAMILY_IPV6, .port = port };

	memcpy(a.addr, ip6, 16);
	assert_int_equal(gw_stun_enc_init(&e, msg, sizeof(msg),
					  gw_stun_type(GW_STUN_SEND, GW_STUN_INDICATION), txid), 0);
	assert_int_equal(gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &a), 0);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_DONT_FRAGMENT, NULL, 0), 0);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_DATA, data, len), 0);
	sent_reset();
	inject6(dp_turn_input6, c->pi, c->ip6, c->port, c->gw6, 3478, msg, gw_stun_enc_len(&e));
	return n_sent;
}

/*
 * The captured frames are the IPv6 fragments of one UDP datagram to
 * dst:dport from our relay port sport: each within the MTU, one
 * Identification, offsets in order, M set on all but the last; put back
 * together (by hand, as a receiver would) the datagram parses with a valid
 * UDP checksum and carries data.
 */
static void
check_frags6(const uint8_t *dst, uint16_t sport, uint16_t dport, const uint8_t *data, size_t len)
{
	static uint8_t whole[GW_IPV6_HLEN + 2048];
	struct gw_ipv6_view ip6;
	struct gw_udp_view u;
	size_t at = 0;
	uint32_t id = 0;

	assert_true(n_sent >= 2);
	for (unsigned i = 0; i < n_sent; i++) {
		struct rte_mbuf *m = dp_harness_sent[i];
		const uint8_t *f = rte_pktmbuf_mtod_offset(m, const uint8_t *, GW_ETH_HLEN);
		size_t flen = rte_pktmbuf_pkt_len(m) - GW_ETH_HLEN;
		uint16_t plen = (uint16_t)(f[4] << 8 | f[5]), fo = (uint16_t)(f[42] << 8 | f[43]);
		uint32_t fid = (uint32_t)f[44] << 24 | (uint32_t)f[45] << 16 | (uint32_t)f[46] << 8 | f[47];

		assert_int_equal(m->nb_segs, 1);
		assert_true(flen <= dp.ports[1].mtu);
		assert_int_equal(flen, GW_IPV6_HLEN + (size_t)plen);
		assert_int_equal(f[6], 44);                       /* Fragment header */
		assert_int_equal(f[40], GW_IPPROTO_UDP);
		assert_memory_equal(f + 24, dst, 16);
		assert_memory_equal(dp_harness_sent_dst6[i], dst, 16);
		if (i == 0) {
			id = fid;
			memcpy(whole, f, GW_IPV6_HLEN);
		}
		assert_int_equal(fid, id);
		assert_int_equal(fo & ~7u, at);                   /* offset in 8-byte units << 3 */
		assert_int_equal(fo & 1u, i + 1 < n_sent ? 1 : 0);  /* M */
		memcpy(whole + GW_IPV6_HLEN + at, f + GW_IPV6_HLEN + 8, plen - 8u);
		at += plen - 8u;
	}
	assert_int_equal(at, GW_UDP_HLEN + len);
	whole[4] = (uint8_t)(at >> 8);
	whole[5] = (uint8_t)at;
	whole[6] = GW_IPPROTO_UDP;
	assert_int_equal(gw_ipv6_parse(&ip6, whole, GW_IPV6_HLEN + at), 0);
	assert_int_equal(gw_udp6_parse(&u, &ip6, 0), 0);
	assert_int_equal(u.sport, sport);
	assert_int_equal(u.dport, dport);
	assert_int_equal(u.payload_len, len);
	assert_memory_equal(u.payload, data, len);
}

static void
test_ipv6_relay(void **state)
{
	struct peer6 p = { PEER6, 3480, 0 }, pc = { PEER6, 3480, 0x4001 };
	uint32_t pv4[3] = { PEER, 3480, 0x4002 };
	static uint8_t big[1460];
	struct gw_stun_view v;
	struct gw_stun_addr a;
	struct gw_ipv6_view ip6;
	struct gw_ipv4_view ip;
	struct gw_udp_view u;
	const uint8_t *d;
	uint64_t hp;
	size_t n;

	(void)state;
	/* IPv6 client, IPv6 relay, IPv6 peer */
	assert_int_equal(request(&C6, GW_STUN_CREATE_PERMISSION, 0, add_peer6, &p, &v), 200);
	assert_int_equal(request(&C6, GW_STUN_CHANNEL_BIND, 0, add_peer6, &pc, &v), 200);
	for (int odd = 0; odd < 2; odd++) {          /* the incremental checksum, both parities */
		assert_int_equal(send6(&C6, 0x4001, NULL, 0, payload, sizeof(payload) - odd), 1);
		expect6(PEER6, c6_relay.port, 3480, payload, sizeof(payload) - (size_t)odd);
	}
	assert_int_equal(send6(&C6, 0, PEER6, 3480, payload, sizeof(payload)), 1);
	expect6(PEER6, c6_relay.port, 3480, payload, sizeof(payload));
	/* the peer answers: ChannelData to the client over IPv6 */
	sent_reset();
	inject6(dp_turn_relay6_input, 1, PEER6, 3480, GW6, c6_relay.port, payload, sizeof(payload));
	assert_int_equal(n_sent, 1);
	captured6(0, &ip6, &u);
	assert_memory_equal(ip6.dst, CL6_A, 16);
	assert_int_equal(u.sport, 3478);
	assert_int_equal(u.dport, C6.port);
	assert_int_equal(u.payload_len, 4 + sizeof(payload));
	assert_int_equal(u.payload[0] << 8 | u.payload[1], 0x4001);
	assert_memory_equal(u.payload + 4, payload, sizeof(payload));
	/* from another port of the peer: a Data indication, XOR-PEER-ADDRESS family 2 */
	sent_reset();
	inject6(dp_turn_relay6_input, 1, PEER6, 3481, GW6, c6_relay.port, payload, sizeof(payload));
	assert_int_equal(n_sent, 1);
	captured6(0, &ip6, &u);
	assert_int_equal(gw_stun_parse(&v, u.payload, u.payload_len), 0);
	assert_int_equal(v.method, GW_STUN_DATA);
	assert_int_equal(v.cls, GW_STUN_INDICATION);
	assert_int_equal(gw_stun_get_xor_addr(&v, &v.peers[0], &a), 0);
	assert_int_equal(a.family, GW_STUN_FAMILY_IPV6);
	assert_memory_equal(a.addr, PEER6, 16);
	assert_int_equal(a.port, 3481);
	assert_int_equal(gw_stun_get_bytes(&v, &v.attr[GW_STUN_A_DATA], &d, &n), 0);
	assert_int_equal(n, sizeof(payload));
	assert_memory_equal(d, payload, n);
	/* no permission; not our relay address (link-local); no allocation on the port */
	sent_reset();
	{
		uint8_t other[16];
		uint64_t np = wk.cnt[GW_CNT_TURN_DROP_NO_PERM], na = wk.cnt[GW_CNT_TURN_DROP_NO_ALLOC];

		memcpy(other, PEER6, 16);
		other[15] = 9;
		inject6(dp_turn_relay6_input, 1, other, 3480, GW6, c6_relay.port, payload,
			sizeof(payload));
		inject6(dp_turn_relay6_input, 1, PEER6, 3480, dp.ports[1].ipv6_ll, c6_relay.port,
			payload, sizeof(payload));
		inject6(dp_turn_relay6_input, 1, PEER6, 3480, GW6, 49999, payload, sizeof(payload));
		assert_int_equal(n_sent, 0);
		assert_int_equal(wk.cnt[GW_CNT_TURN_DROP_NO_PERM], np + 1);
		assert_int_equal(wk.cnt[GW_CNT_TURN_DROP_NO_ALLOC], na + 2);
	}
	/* checksums left pending (no RX offload), as over IPv4 (test_cksum_carry):
	 * ChannelData and the peer's answer carried, a corrupted one relayed with
	 * a checksum its receiver rejects; a Send from an IPv6 client is summed
	 * anew, so its checksum is checked first */
	{
		const uint64_t bad0 = wk.cnt[GW_CNT_UDP_BAD_CKSUM];

		for (int bad = 0; bad < 2; bad++) {
			send6_flip = bad ? 6 : -1;
			assert_int_equal(send6(&C6, 0x4001, NULL, 0, payload, sizeof(payload)), 1);
			assert_int_equal(views6(dp_harness_sent[0], &ip6, &u), bad ? -EILSEQ : 0);
			sent_reset();
			inject6_opt(dp_turn_relay6_input, 1, PEER6, 3480, GW6, c6_relay.port, payload,
				    sizeof(payload), bad ? 2 : -1);
			assert_int_equal(n_sent, 1);
			assert_int_equal(views6(dp_harness_sent[0], &ip6, &u), bad ? -EILSEQ : 0);
			send6_flip = bad ? -2 : -1;
			assert_int_equal(send6(&C6, 0, PEER6, 3480, payload, sizeof(payload)),
					 bad ? 0 : 1);
			if (!bad)
				expect6(PEER6, c6_relay.port, 3480, payload, sizeof(payload));
		}
		send6_flip = NO_DEFER;
		assert_int_equal(wk.cnt[GW_CNT_UDP_BAD_CKSUM], bad0 + 1);
		sent_reset();
	}
	/* too big for the port's MTU over IPv6: sent in fragments (RFC 8200 §4.5) */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(send6(&C6, 0, PEER6, 3480, big, sizeof(big)), 2);
	assert_int_equal(wk.cnt[GW_CNT_IPV6_FRAG_OUT], 1);
	check_frags6(PEER6, c6_relay.port, 3480, big, sizeof(big));
	/* ... unless the client asked DONT-FRAGMENT: counted and dropped */
	assert_int_equal(send6_df(&C6, PEER6, 3480, big, sizeof(big)), 0);
	assert_int_equal(wk.cnt[GW_CNT_TURN6_DROP_TOOBIG], 1);
	assert_int_equal(wk.cnt[GW_CNT_IPV6_FRAG_OUT], 1);
	/* a datagram that fits is never fragmented */
	assert_int_equal(send6_df(&C6, PEER6, 3480, payload, sizeof(payload)), 1);
	expect6(PEER6, c6_relay.port, 3480, payload, sizeof(payload));

	/* an IPv4 client with an IPv6 relay: ChannelData over IPv4 goes out over IPv6 */
	pc.ch = 0x4003;
	assert_int_equal(request(&C4r6, GW_STUN_CHANNEL_BIND, 0, add_peer6, &pc, &v), 200);
	assert_int_equal(send6(&C4r6, 0x4003, NULL, 0, payload, sizeof(payload)), 1);
	expect6(PEER6, c4r6_relay.port, 3480, payload, sizeof(payload));
	sent_reset();
	inject6(dp_turn_relay6_input, 1, PEER6, 3480, GW6, c4r6_relay.port, payload,
		sizeof(payload));
	assert_int_equal(n_sent, 1);
	captured(0, &ip, &u);
	assert_int_equal(ip.src, GW_B);
	assert_int_equal(ip.dst, C4r6.ip);
	assert_int_equal(u.payload[0] << 8 | u.payload[1], 0x4003);
	assert_memory_equal(u.payload + 4, payload, sizeof(payload));

	/* the dual allocation's IPv6 client reaches an IPv4 peer (IPv4 relay) and an IPv6 one */
	assert_int_equal(request(&C6d, GW_STUN_CHANNEL_BIND, 0, add_peer, pv4, &v), 200);
	pc.ch = 0x4004;
	assert_int_equal(request(&C6d, GW_STUN_CHANNEL_BIND, 0, add_peer6, &pc, &v), 200);
	/* one channel number space for both families */
	pc.ch = 0x4002;
	assert_int_equal(request(&C6d, GW_STUN_CHANNEL_BIND, 0, add_peer6, &pc, &v), 400);
	assert_int_equal(send6(&C6d, 0x4002, NULL, 0, payload, sizeof(payload)), 1);
	captured(0, &ip, &u);
	assert_int_equal(ip.src, GW_B);
	assert_int_equal(ip.dst, PEER);
	assert_int_equal(u.sport, dual_relay[0].port);
	assert_memory_equal(u.payload, payload, sizeof(payload));
	assert_int_equal(send6(&C6d, 0x4004, NULL, 0, payload, sizeof(payload)), 1);
	expect6(PEER6, dual_relay[1].port, 3480, payload, sizeof(payload));
	/* the IPv4 peer answers to the IPv4 relayed address: ChannelData over IPv6 */
	sent_reset();
	inject_at(dp_turn_relay_input, 1, PEER, 3480, GW_B, dual_relay[0].port, payload,
		  sizeof(payload));
	assert_int_equal(n_sent, 1);
	captured6(0, &ip6, &u);
	assert_memory_equal(ip6.dst, CL6_A, 16);
	assert_int_equal(u.dport, C6d.port);
	assert_int_equal(u.payload[0] << 8 | u.payload[1], 0x4002);

	/* RFC 8656 §7.3 / RFC 6156: Refresh with REQUESTED-ADDRESS-FAMILY IPv6 and
	 * LIFETIME 0 deletes only the dual allocation's IPv6 relayed address */
	{
		const uint32_t raf_lt0[2] = { GW_STUN_FAMILY_IPV6, 0 };
		const uint32_t raf_lt[2] = { GW_STUN_FAMILY_IPV6, 600 };
		const uint32_t lt600 = 600;
		struct peer6 p2 = { PEER6, 3482, 0 };
		uint64_t fd = wk.cnt[GW_CNT_TURN_FAMILY_DELETED], ad = wk.cnt[GW_CNT_TURN_ALLOC_DELETED];

		assert_int_equal(request(&C6d, GW_STUN_REFRESH, 0, add_af_lifetime, raf_lt0, &v), 200);
		assert_int_equal(wk.cnt[GW_CNT_TURN_FAMILY_DELETED], fd + 1);
		assert_int_equal(wk.cnt[GW_CNT_TURN_ALLOC_DELETED], ad);
		/* the IPv6 channel and relayed address are gone */
		assert_int_equal(send6(&C6d, 0x4004, NULL, 0, payload, sizeof(payload)), 0);
		sent_reset();
		inject6(dp_turn_relay6_input, 1, PEER6, 3480, GW6, dual_relay[1].port, payload,
			sizeof(payload));
		assert_int_equal(n_sent, 0);
		/* the IPv6 family is no longer relayed: 443 */
		assert_int_equal(request(&C6d, GW_STUN_CREATE_PERMISSION, 0, add_peer6, &p2, &v), 443);
		assert_int_equal(request(&C6d, GW_STUN_REFRESH, 0, add_af_lifetime, raf_lt, &v), 443);
		/* the IPv4 relayed address goes on, and the allocation refreshes */
		assert_int_equal(send6(&C6d, 0x4002, NULL, 0, payload, sizeof(payload)), 1);
		captured(0, &ip, &u);
		assert_int_equal(ip.dst, PEER);
		assert_int_equal(u.sport, dual_relay[0].port);
		assert_int_equal(request(&C6d, GW_STUN_REFRESH, 0, add_lifetime, &lt600, &v), 200);
		sent_reset();
	}

	/* an IPv6 peer on an IPv6-only allocation's client sending to IPv4: dropped */
	{
		uint8_t ind[128];
		struct gw_stun_enc e;
		struct gw_stun_addr pa = { .family = GW_STUN_FAMILY_IPV4, .port = 3480,
					   .addr = { 198, 18, 5, 2 } };
		static const uint8_t txid[12] = { 5 };

		assert_int_equal(gw_stun_enc_init(&e, ind, sizeof(ind),
						  gw_stun_type(GW_STUN_SEND, GW_STUN_INDICATION),
						  txid), 0);
		assert_int_equal(gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &pa), 0);
		assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_DATA, payload, sizeof(payload)),
				 0);
		sent_reset();
		inject6(dp_turn_input6, 1, CL6_A, C6.port, GW6, 3478, ind, gw_stun_enc_len(&e));
		assert_int_equal(n_sent, 0);
		assert_int_equal(wk.cnt[GW_CNT_TURN_DROP_PEER_AF], 1);
	}

	/* hairpin: C6 and C4r6 permit each other's IPv6 relayed address */
	{
		struct peer6 to_b = { GW6, c4r6_relay.port, 0 }, to_a = { GW6, c6_relay.port, 0 };

		assert_int_equal(request(&C6, GW_STUN_CREATE_PERMISSION, 0, add_peer6, &to_b, &v),
				 200);
		assert_int_equal(request(&C4r6, GW_STUN_CREATE_PERMISSION, 0, add_peer6, &to_a, &v),
				 200);
		hp = wk.cnt[GW_CNT_TURN_HAIRPIN_PKTS];
		assert_int_equal(send6(&C6, 0, GW6, c4r6_relay.port, payload, sizeof(payload)), 1);
		assert_int_equal(wk.cnt[GW_CNT_TURN_HAIRPIN_PKTS], hp + 1);
		captured(0, &ip, &u);                     /* to C4r6, over IPv4 */
		assert_int_equal(ip.dst, C4r6.ip);
		assert_int_equal(gw_stun_parse(&v, u.payload, u.payload_len), 0);
		assert_int_equal(v.method, GW_STUN_DATA);
		assert_int_equal(gw_stun_get_xor_addr(&v, &v.peers[0], &a), 0);
		assert_int_equal(a.family, GW_STUN_FAMILY_IPV6);
		assert_memory_equal(a.addr, GW6, 16);
		assert_int_equal(a.port, c6_relay.port);
	}

	/* Refresh LIFETIME 0 deletes the IPv6 allocation: its relayed address is gone */
	{
		uint32_t zero = 0;

		assert_int_equal(request(&C6, GW_STUN_REFRESH, 0, add_lifetime, &zero, &v), 200);
		sent_reset();
		inject6(dp_turn_relay6_input, 1, PEER6, 3480, GW6, c6_relay.port, payload,
			sizeof(payload));
		assert_int_equal(n_sent, 0);
		assert_int_equal(send6(&C6, 0x4001, NULL, 0, payload, sizeof(payload)), 0);
	}
	sent_reset();
}

static int
setup(void **state)
{
	char err[GW_CONF_ERR_LEN];

	(void)state;
	gw_config_defaults(&conf);
	conf.turn.enabled = true;
	strcpy(conf.turn.realm, REALM);
	conf.turn.relay_port_min = 50000;
	conf.turn.relay_port_max = 50007;
	conf.turn.max_allocations = 64;
	conf.turn.ip_quota = 4;
	strcpy(conf.turn.users[0].username, "alice");
	strcpy(conf.turn.users[0].password, "alice-pw");
	strcpy(conf.turn.users[1].username, "bob");
	strcpy(conf.turn.users[1].password, "bob-pw");
	conf.turn.n_users = 2;
	strcpy(conf.turn.auth_secrets[0], SECRET);
	conf.turn.n_auth_secrets = 1;
	(void)err;
	conf.exception.enabled = true;
	conf.turn.tcp.enabled = true;
	/* port 0: IPv4 (every test before test_ipv6); port 1: IPv4 and IPv6;
	 * port 2: IPv4 only (440), relaying on GW_C, GW_C2 and GW_C3 */
	conf.dataplane.ports[2].relay_addresses[0] = GW_C2;
	conf.dataplane.ports[2].relay_addresses[1] = GW_C3;
	conf.dataplane.ports[2].n_relay_addresses = 2;
	dp_harness_dp(&conf, (const uint32_t[]){ GW, GW_B, GW_C }, 3);
	dp.ports[1].has_ipv6 = true;
	dp.ports[1].ipv6_plen = 64;
	memcpy(dp.ports[1].ipv6, GW6, 16);
	memcpy(dp.ports[1].ipv6_ll, (const uint8_t[16]){ 0xfe, 0x80, [15] = 2 }, 16);
	memcpy(conf.turn.denied_peers6[0].addr, DENIED6, 16);
	conf.turn.denied_peers6[0].len = 64;
	conf.turn.n_denied_peers6 = 1;
	pool = rte_pktmbuf_pool_create("rtt_turn", 511, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	dp.pool = pool;
	if (pool == NULL || dp_frag_init(255) != 0 || dp_turn_create(&conf, 1) != 0 ||
	    dp_strm_create(&conf) != 0)
		return -1;
	srand(4);
	return 0;
}

/*
 * TURN over TCP/TLS from an IPv6 client (rtcgw-turnfront on the port's IPv6
 * address): requests answered to the front with the IPv6 header, the
 * allocation keyed by the IPv6 5-tuple with the connection, deleted when the
 * connection closes; a front restart deletes IPv6 stream allocations too.
 */
static void
test_stream6(void **state)
{
	struct client s6 = { .pi = 1, .v6 = true, .port = 6000, .user = "alice",
			     .pass = "alice-pw", .gw6 = GW6, .conn = 0x600001 };
	struct gw_stun_addr r[2];
	struct gw_stun_view v;
	struct gw_ipc_strm h = { .conn = 0x600001, .client_port = 6000, .server_port = 443,
				 .type = GW_IPC_STRM_CLOSE, .flags = GW_IPC_STRM_F_IPV6 };
	uint64_t closed = wk.cnt[GW_CNT_TURN_STREAM_CLOSED];
	unsigned n;

	(void)state;
	memcpy(s6.ip6, CL6_B, 16);
	challenge(&s6);
	assert_int_equal(allocate_af(&s6, GW_STUN_FAMILY_IPV6, 0, r, &n), 200);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].family, GW_STUN_FAMILY_IPV6);
	/* the same address and port over UDP is another 5-tuple: no allocation */
	s6.conn = 0;
	assert_int_equal(request(&s6, GW_STUN_REFRESH, 0, NULL, NULL, &v), 437);
	s6.conn = 0x600001;
	assert_int_equal(request(&s6, GW_STUN_REFRESH, 0, NULL, NULL, &v), 200);
	memcpy(h.client_ip6, CL6_B, 16);
	memcpy(h.server_ip6, GW6, 16);
	dp_turn_stream_close(&wk, &h);
	assert_int_equal(wk.cnt[GW_CNT_TURN_STREAM_CLOSED], closed + 1);
	assert_int_equal(request(&s6, GW_STUN_REFRESH, 0, NULL, NULL, &v), 437);
	/* and through a front restart */
	s6.conn = 0x600002;
	challenge(&s6);
	assert_int_equal(allocate_af(&s6, GW_STUN_FAMILY_IPV4, 0, r, &n), 200);
	dp_turn_stream_reset(&wk);
	assert_int_equal(wk.cnt[GW_CNT_TURN_STREAM_CLOSED], closed + 2);
	assert_int_equal(request(&s6, GW_STUN_REFRESH, 0, NULL, NULL, &v), 437);
	sent_reset();
}

static uint32_t
addr4(const struct gw_stun_addr *a)
{
	return (uint32_t)a->addr[0] << 24 | (uint32_t)a->addr[1] << 16 |
	       (uint32_t)a->addr[2] << 8 | a->addr[3];
}

/*
 * ports[].relay_addresses: allocations of clients on port 2 get GW_C, GW_C2
 * and GW_C3 in turn (XOR-RELAYED-ADDRESS); ChannelData to the peer leaves
 * from the allocation's relay address out of port 2, the peer's answer to
 * that address reaches the client from the TURN port's address (GW_C:3478);
 * the policy keeps peers off the extra addresses' non-relay ports and lets
 * relay-to-relay through between two of them.
 */
static void
test_relay_addresses(void **state)
{
	struct client q[4];
	struct gw_stun_addr r[4];
	struct gw_stun_view v;
	struct gw_ipv4_view ip;
	struct gw_udp_view u;
	struct gw_stun_enc e;
	struct gw_stun_addr pa;
	static const uint8_t txid[12] = { 9 };
	uint32_t ch[3] = { PEER, 3480, 0x4005 }, own[3] = { GW_C3, 3478, 0x4006 };
	uint32_t perm2[3] = { GW_C2, 0, 0 }, perm3[3] = { GW_C3, 0, 0 };
	uint8_t cd[16], send[128];
	uint64_t cnt;
	unsigned j = 4, j3 = 4;
	int len;

	(void)state;
	for (unsigned k = 0; k < 4; k++) {
		q[k] = (struct client){ .pi = 2, .gw = GW_C, .ip = IP(198, 18, 7, 20 + k),
					.port = (uint16_t)(7100 + k), .user = "alice",
					.pass = "alice-pw" };
		challenge(&q[k]);
		assert_int_equal(request(&q[k], GW_STUN_ALLOCATE, 0, NULL, NULL, &v), 200);
		assert_int_equal(gw_stun_get_xor_addr(&v, &v.attr[GW_STUN_A_XOR_RELAYED_ADDRESS],
						      &r[k]), 0);
		assert_true(addr4(&r[k]) == GW_C || addr4(&r[k]) == GW_C2 ||
			    addr4(&r[k]) == GW_C3);
		if (addr4(&r[k]) == GW_C2 && j == 4)
			j = k;
		if (addr4(&r[k]) == GW_C3 && j3 == 4)
			j3 = k;
	}
	/* round-robin: three different addresses, then the first again */
	assert_int_not_equal(addr4(&r[0]), addr4(&r[1]));
	assert_int_not_equal(addr4(&r[1]), addr4(&r[2]));
	assert_int_not_equal(addr4(&r[0]), addr4(&r[2]));
	assert_int_equal(addr4(&r[3]), addr4(&r[0]));
	assert_true(j < 4 && j3 < 4);

	/* client -> peer: from GW_C2, out of port 2 */
	assert_int_equal(request(&q[j], GW_STUN_CHANNEL_BIND, 0, add_peer, ch, &v), 200);
	len = gw_turn_chandata_encode(cd, sizeof(cd), 0x4005, payload, sizeof(payload), false);
	sent_reset();
	inject_at(dp_turn_chandata_input, 2, q[j].ip, q[j].port, GW_C, 3478, cd, (size_t)len);
	assert_int_equal(n_sent, 1);
	captured(0, &ip, &u);
	assert_int_equal(ip.src, GW_C2);
	assert_int_equal(ip.dst, PEER);
	assert_int_equal(u.sport, r[j].port);
	assert_int_equal(u.dport, 3480);
	assert_int_equal(dp_harness_sent_pi[0], 2);
	assert_memory_equal(u.payload, payload, sizeof(payload));
	/* peer -> GW_C2:relay port -> client, from the TURN port's address */
	sent_reset();
	inject_at(dp_turn_relay_input, 2, PEER, 3480, GW_C2, r[j].port, payload, sizeof(payload));
	assert_int_equal(n_sent, 1);
	captured(0, &ip, &u);
	assert_int_equal(ip.src, GW_C);
	assert_int_equal(u.sport, 3478);
	assert_int_equal(ip.dst, q[j].ip);
	assert_int_equal(u.dport, q[j].port);
	assert_int_equal(dp_harness_sent_pi[0], 2);
	assert_int_equal(u.payload[0] << 8 | u.payload[1], 0x4005);
	assert_memory_equal(u.payload + 4, payload, sizeof(payload));
	/* an address that is none of ours: no allocation */
	cnt = wk.cnt[GW_CNT_TURN_DROP_NO_ALLOC];
	sent_reset();
	inject_at(dp_turn_relay_input, 2, PEER, 3480, IP(198, 18, 7, 9), r[j].port, payload,
		  sizeof(payload));
	assert_int_equal(n_sent, 0);
	assert_int_equal(wk.cnt[GW_CNT_TURN_DROP_NO_ALLOC], cnt + 1);

	/* the policy: GW_C3 is the gateway's, its TURN port no peer; its relay
	 * ports are (relay-to-relay) */
	assert_int_equal(request(&q[j], GW_STUN_CHANNEL_BIND, 0, add_peer, own, &v), 403);
	assert_int_equal(request(&q[j], GW_STUN_CREATE_PERMISSION, 0, add_peer, perm3, &v), 200);
	assert_int_equal(request(&q[j3], GW_STUN_CREATE_PERMISSION, 0, add_peer, perm2, &v), 200);
	assert_int_equal(gw_stun_enc_init(&e, send, sizeof(send),
					  gw_stun_type(GW_STUN_SEND, GW_STUN_INDICATION), txid), 0);
	assert_int_equal(gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &r[j3]), 0);
	assert_int_equal(gw_stun_enc_bytes(&e, GW_STUN_ATTR_DATA, payload, sizeof(payload)), 0);
	cnt = wk.cnt[GW_CNT_TURN_HAIRPIN_PKTS];
	sent_reset();
	inject_at(dp_turn_input, 2, q[j].ip, q[j].port, GW_C, 3478, send, gw_stun_enc_len(&e));
	assert_int_equal(wk.cnt[GW_CNT_TURN_HAIRPIN_PKTS], cnt + 1);
	assert_int_equal(n_sent, 1);
	captured(0, &ip, &u);
	assert_int_equal(ip.dst, q[j3].ip);
	assert_int_equal(ip.src, GW_C);
	assert_int_equal(gw_stun_parse(&v, u.payload, u.payload_len), 0);
	assert_int_equal(v.method, GW_STUN_DATA);
	assert_int_equal(gw_stun_get_xor_addr(&v, &v.peers[0], &pa), 0);
	assert_int_equal(addr4(&pa), GW_C2);
	assert_int_equal(pa.port, r[j].port);
	/* done: the allocations go (the table is shared with later tests) */
	for (unsigned k = 0; k < 4; k++) {
		uint32_t zero = 0;

		assert_int_equal(request(&q[k], GW_STUN_REFRESH, 0, add_lifetime, &zero, &v), 200);
	}
	sent_reset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_allocate),
		cmocka_unit_test(test_sha256_and_rest),
		cmocka_unit_test(test_permission_channel),
		cmocka_unit_test(test_relay),
		cmocka_unit_test(test_cksum_carry),
		cmocka_unit_test(test_hairpin),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_hardening),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_quota_ports_delete),
		cmocka_unit_test(test_ipv6_alloc),
		cmocka_unit_test(test_ipv6_policy),
		cmocka_unit_test(test_ipv6_relay),
		cmocka_unit_test(test_stream6),
		cmocka_unit_test(test_relay_addresses),
	};
	int rc;

	if (dp_harness_eal_init("test_turn_server", "rtt-unit", 256) != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, setup, NULL);
	dp_harness_eal_fini("rtt-unit");
	return rc;
}
