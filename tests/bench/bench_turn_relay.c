/*
 * bench_turn_relay: in-process per-packet cost of TURN relaying through the
 * dataplane's own code, four paths:
 *
 *   ChannelData client -> peer   (the hot path of every TURN client)
 *   Send indication client -> peer
 *   ChannelData peer -> client   (a peer with a channel)
 *   Data indication peer -> client (a peer without one)
 *
 * Each burst of DP_BURST frames is copied into fresh mbufs and handed to
 * dp_classify_burst() (dp_classify.c: Ethernet, IPv4 and UDP parse with
 * software checksum verification, RFC 7983 demux; the TURN port's STUN
 * messages through dp_stun.c to dp_turn_input(), ChannelData to
 * dp_turn_chandata_input(), a relay port's datagrams to
 * dp_turn_relay_input(); then, in dp_turn.c, the 5-tuple, channel, peer
 * policy and permission lookups in tables of N allocations, token bucket
 * check, in-place reframe and header rewrite with the incremental UDP
 * checksum), ending in dp_arp_send_ip(), which tests/dp_harness.h captures;
 * the captured mbufs are freed.
 *
 * The allocations are made the way clients make them: a signed Allocate and
 * ChannelBind per allocation through dp_turn_input() (not timed). Clients
 * are spread over two ports and visited in a random order. Each port relays
 * on its own address and, with ports[].relay_addresses, on more (relay
 * ports 4000-65535, 61536 per address): as many per port as the
 * allocations need unless given, so 1000000 allocations use 9 per port;
 * Allocate spreads them round-robin. ChannelData and Data indications from
 * the peer go to the allocation's relayed address.
 *
 * Per path, timed three times, best of 5 rounds each: the whole loop, the
 * same loop without dp_classify_burst() (mbuf bulk alloc, frame copy, bulk
 * free), so the relay's own cost is the difference, and the whole loop with
 * the RX checksum flags a NIC with offload sets (what af_packet and af_xdp
 * cannot give: the IPv4 and UDP checksums are then not summed in software).
 * Excluded: RX/TX bursts, the ARP lookup and Ethernet fill of
 * dp_arp_send_ip(), the TX buffer. Every relayed datagram is checked once
 * before timing. Not a test.
 *
 *   bench_turn_relay [allocations] [packets] [relay addresses per port]
 *                    (default 10000, 10000000, the fewest that hold them; 1..16)
 *
 * Memory: EAL's --no-huge -m grows with the allocations (about 3 KB each
 * with the hashes, permissions and channels: 1000000 take about 3.5 GB).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "dp_classify.h"
#include "dp_ctx.h"
#include "dp_exc.h"
#include "dp_harness.h"
#include "dp_ipc.h"
#include "dp_ipv6.h"
#include "dp_media.h"
#include "dp_ndp.h"
#include "dp_ice.h"
#include "dp_stun.h"
#include "dp_turn.h"
#include "gw_config.h"
#include "net.h"
#include "stun.h"
#include "turn.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define N_PORTS   2
#define PEER      IP(198, 18, 5, 2)
#define PEER_PORT 3480
#define CHANNEL   0x4001
#define REALM     "rtcgw.bench"
#define USER      "bench"
#define PASS      "bench-pw"
#define BURST     DP_BURST
#define FRAMES    4096              /* a multiple of BURST */
#define PAYLOAD   160               /* an Opus/RTP packet's size */
#define FLEN_MAX  256               /* the longest: a Send indication */
#define PEER_PORT_NOCHAN (PEER_PORT + 1)   /* permitted, no channel: Data indications */
#define PORTS_PER_ADDR 61536        /* relay ports 4000-65535 */
#define MAX_RELAY  (GW_CONF_MAX_RELAY_ADDRS + 1)
#define MAX_ALLOCS (N_PORTS * MAX_RELAY * PORTS_PER_ADDR)

static const uint32_t port_ip[N_PORTS] = { IP(198, 18, 4, 2), IP(198, 18, 4, 3) };

struct client {
	uint32_t ip;
	uint16_t port;
	uint16_t relay_port;          /* from the Allocate answer */
	uint32_t relay_ip;            /* likewise: one of the port's relay addresses */
	unsigned pi;                  /* the port it talks to */
};

static struct gw_config conf;
static struct dp_worker wk;
static struct rte_mempool *pool;
static struct client *clients;
static struct gw_hmac_sha1_key key;
enum path { P_CHAN_OUT, P_SEND, P_CHAN_IN, P_DATA, P_N };

static const char *const path_name[P_N] = {
	"ChannelData client->peer", "Send indication client->peer",
	"ChannelData peer->client", "Data indication peer->client",
};

static uint8_t frames[FRAMES][FLEN_MAX];
static uint16_t frame_len[FRAMES];
static uint32_t frame_client[FRAMES];
static unsigned burst_pi[FRAMES / BURST];
static uint8_t payload[PAYLOAD];
static uint64_t unexpected;

/* dp_classify's other exits: never reached by the frames timed here. */
void
dp_arp_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *arp,
	     uint16_t arp_len)
{
	(void)w;
	(void)pi;
	(void)arp;
	(void)arp_len;
	unexpected++;
	rte_pktmbuf_free(m);
}

void
dp_ipv6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *p,
	      uint16_t len)
{
	(void)w, (void)pi, (void)p, (void)len;
	unexpected++;
	rte_pktmbuf_free(m);
}

/* dp_stun.c's ICE side: no media ports in this bench. */
const struct gw_ice_cred *
dp_ice_lookup(void *ctx, const uint8_t *ufrag, size_t len)
{
	(void)ctx, (void)ufrag, (void)len;
	unexpected++;
	return NULL;
}

void
dp_ice_checked(struct dp_worker *w, const struct gw_ice_cred *cred, uint32_t peer_ip,
	       uint16_t peer_port, bool use_candidate, uint32_t priority, uint64_t now)
{
	(void)w, (void)cred, (void)peer_ip, (void)peer_port, (void)use_candidate;
	(void)priority, (void)now;
	unexpected++;
}

void
dp_ice_checked6(struct dp_worker *w, const struct gw_ice_cred *cred, const uint8_t *peer_ip6,
		uint16_t peer_port, bool use_candidate, uint32_t priority, uint64_t now)
{
	(void)w, (void)cred, (void)peer_ip6, (void)peer_port, (void)use_candidate;
	(void)priority, (void)now;
	unexpected++;
}

void
dp_ipc_punt(struct dp_worker *w, struct rte_mbuf *m)
{
	(void)w;
	unexpected++;
	rte_pktmbuf_free(m);
}

void
dp_media_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
	       const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	(void)w, (void)pi, (void)ip, (void)u;
	unexpected++;
	rte_pktmbuf_free(m);
}

/* No IPv6 in this bench: the IPv6 transmit path is never reached. */
void
dp_ndp_send_ip6(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *dst)
{
	(void)w, (void)pi, (void)dst;
	unexpected++;
	rte_pktmbuf_free(m);
}

/* No exception interface here: what no handler takes is dropped. */
bool
dp_exc_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, enum dp_exc_kind kind)
{
	(void)w, (void)pi, (void)m, (void)kind;
	return false;
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- setup: allocations the way a client makes them -------------------------- */

/*
 * One TURN request from c through dp_turn_input(), signed with nonce unless
 * nonce_cap > 0 (a challenge: unauthenticated, the 401's nonce stored into
 * nonce). Returns the answer's code (200 for success); for an Allocate, the
 * relayed port into c.
 */
static int
request(struct client *c, uint16_t method, char *nonce, size_t nonce_cap)
{
	uint8_t buf[512], txid[12];
	struct gw_stun_enc e;
	struct gw_stun_view v;
	struct gw_ipv4_view ip;
	struct gw_udp_view u;
	struct rte_mbuf *m;
	uint16_t code = 0;
	const uint8_t *p;
	size_t n;

	for (unsigned i = 0; i < 12; i++)
		txid[i] = (uint8_t)rand();
	if (gw_stun_enc_init(&e, buf, sizeof(buf), gw_stun_type(method, GW_STUN_REQUEST), txid))
		return -1;
	if (method == GW_STUN_ALLOCATE &&
	    gw_stun_enc_u32(&e, GW_STUN_ATTR_REQUESTED_TRANSPORT, 17u << 24) != 0)
		return -1;
	if (method == GW_STUN_CHANNEL_BIND) {
		struct gw_stun_addr a = { .family = GW_STUN_FAMILY_IPV4, .port = PEER_PORT,
					  .addr = { 198, 18, 5, 2 } };

		if (gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &a) != 0 ||
		    gw_stun_enc_u32(&e, GW_STUN_ATTR_CHANNEL_NUMBER, (uint32_t)CHANNEL << 16) != 0)
			return -1;
	}
	if (nonce_cap == 0 &&
	    (gw_stun_enc_bytes(&e, GW_STUN_ATTR_USERNAME, USER, strlen(USER)) != 0 ||
	     gw_stun_enc_bytes(&e, GW_STUN_ATTR_REALM, REALM, strlen(REALM)) != 0 ||
	     gw_stun_enc_bytes(&e, GW_STUN_ATTR_NONCE, nonce, strlen(nonce)) != 0 ||
	     gw_stun_enc_integrity(&e, &key) != 0))
		return -1;
	if (gw_stun_enc_fingerprint(&e) != 0)
		return -1;
	m = dp_harness_mbuf(pool, c->ip, c->port, port_ip[c->pi], conf.stun.port, buf,
			    gw_stun_enc_len(&e));
	if (m == NULL || dp_harness_views(m, &ip, &u) != 0)
		return -1;
	dp_harness_sent_reset();
	dp_worker_clock(&wk);
	dp_turn_input(&wk, c->pi, m, &ip, &u);
	if (dp_harness_n_sent != 1 || dp_harness_views(dp_harness_sent[0], &ip, &u) != 0 ||
	    gw_stun_parse(&v, u.payload, u.payload_len) != 0)
		return -1;
	if (v.cls == GW_STUN_SUCCESS) {
		struct gw_stun_addr relay;

		if (gw_stun_check_integrity(&v, &key) != 0)
			return -1;
		if (method == GW_STUN_ALLOCATE) {
			if (gw_stun_get_xor_addr(&v, &v.attr[GW_STUN_A_XOR_RELAYED_ADDRESS],
						 &relay) != 0)
				return -1;
			c->relay_port = relay.port;
			c->relay_ip = (uint32_t)relay.addr[0] << 24 | (uint32_t)relay.addr[1] << 16 |
				      (uint32_t)relay.addr[2] << 8 | relay.addr[3];
		}
		dp_harness_sent_reset();
		return 200;
	}
	if (gw_stun_get_error(&v, &code, NULL, NULL) != 0)
		code = 0;
	if (code == 401 && nonce_cap > 0 &&
	    gw_stun_get_bytes(&v, &v.attr[GW_STUN_A_NONCE], &p, &n) == 0 && n < nonce_cap) {
		memcpy(nonce, p, n);
		nonce[n] = '\0';
	}
	dp_harness_sent_reset();
	return code;
}

static int
setup(uint32_t n, unsigned n_relay)
{
	char nonce[128] = "";
	uint8_t lt[16];
	uint32_t last_ip = 0;

	gw_config_defaults(&conf);
	conf.turn.enabled = true;
	snprintf(conf.turn.realm, sizeof(conf.turn.realm), "%s", REALM);
	/* 3478 (stun.port) below the range, two relay addresses: 123072 ports */
	conf.turn.relay_port_min = 4000;
	conf.turn.relay_port_max = 65535;
	conf.turn.max_allocations = n;
	conf.turn.user_quota = 0;     /* one user, one IP range: no quotas */
	conf.turn.ip_quota = 0;
	snprintf(conf.turn.users[0].username, sizeof(conf.turn.users[0].username), "%s", USER);
	snprintf(conf.turn.users[0].password, sizeof(conf.turn.users[0].password), "%s", PASS);
	conf.turn.n_users = 1;
	/* relay addresses past each port's own: 198.18.8.10.. and 198.18.9.10.. */
	for (unsigned p = 0; p < N_PORTS; p++) {
		for (unsigned k = 0; k + 1 < n_relay; k++)
			conf.dataplane.ports[p].relay_addresses[k] = IP(198, 18, 8 + p, 10 + k);
		conf.dataplane.ports[p].n_relay_addresses = n_relay - 1;
	}
	dp_harness_dp(&conf, port_ip, N_PORTS);
	pool = rte_pktmbuf_pool_create("bench_turn", 2047, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL || dp_turn_create(&conf, 1) != 0 ||
	    gw_stun_longterm_key_md5(lt, USER, REALM, PASS) != 0 ||
	    gw_hmac_sha1_key_init(&key, lt, sizeof(lt)) != 0)
		return -1;
	clients = calloc(n, sizeof(*clients));
	if (clients == NULL)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		struct client *c = &clients[i];

		c->ip = IP(100, 64, 0, 0) + i / 40000;
		c->port = (uint16_t)(1024 + i % 40000);
		c->pi = i % N_PORTS;
		/* the nonce is bound to the client's address: one challenge per address */
		if (c->ip != last_ip) {
			if (request(c, GW_STUN_ALLOCATE, nonce, sizeof(nonce)) != 401)
				return -1;
			last_ip = c->ip;
		}
		if (request(c, GW_STUN_ALLOCATE, nonce, 0) != 200 ||
		    request(c, GW_STUN_CHANNEL_BIND, nonce, 0) != 200) {
			fprintf(stderr, "allocation %u failed\n", i);
			return -1;
		}
	}
	return 0;
}

/* ---- the frames --------------------------------------------------------------------- */

/*
 * FRAMES frames of path p between random clients (or their peer) and the
 * gateway; every burst to one port.
 */
static int
make_frames(uint32_t n, enum path p)
{
	uint8_t msg[FLEN_MAX];
	struct gw_stun_addr peer = { .family = GW_STUN_FAMILY_IPV4, .port = PEER_PORT,
				     .addr = { 198, 18, 5, 2 } };
	size_t len = 0;

	for (unsigned i = 0; i < PAYLOAD; i++)
		payload[i] = (uint8_t)(i * 7);
	srand(1);
	for (unsigned b = 0; b < FRAMES / BURST; b++) {
		burst_pi[b] = b % N_PORTS;
		for (unsigned j = 0; j < BURST; j++) {
			unsigned f = b * BURST + j;
			uint32_t ci = ((uint32_t)rand() % ((n + N_PORTS - 1 - burst_pi[b]) / N_PORTS)) *
					      N_PORTS + burst_pi[b];
			const struct client *c = &clients[ci];
			uint8_t dmac[6], txid[12];
			struct gw_stun_enc e;

			dp_harness_port_mac(c->pi, dmac);
			frame_client[f] = ci;
			switch (p) {
			case P_CHAN_OUT:
				len = (size_t)gw_turn_chandata_encode(msg, sizeof(msg), CHANNEL, payload,
								      PAYLOAD, false);
				len = dp_harness_frame(frames[f], dmac, c->ip, c->port,
						       port_ip[c->pi], conf.stun.port, msg, len,
						       (uint16_t)f);
				break;
			case P_SEND:
				for (unsigned k = 0; k < 12; k++)
					txid[k] = (uint8_t)rand();
				if (gw_stun_enc_init(&e, msg, sizeof(msg),
						     gw_stun_type(GW_STUN_SEND, GW_STUN_INDICATION),
						     txid) != 0 ||
				    gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &peer) != 0 ||
				    gw_stun_enc_bytes(&e, GW_STUN_ATTR_DATA, payload, PAYLOAD) != 0)
					return -1;
				len = dp_harness_frame(frames[f], dmac, c->ip, c->port,
						       port_ip[c->pi], conf.stun.port, msg,
						       gw_stun_enc_len(&e), (uint16_t)f);
				break;
			case P_CHAN_IN:
			case P_DATA:
				len = dp_harness_frame(frames[f], dmac, PEER,
						       p == P_DATA ? PEER_PORT_NOCHAN : PEER_PORT,
						       c->relay_ip, c->relay_port, payload, PAYLOAD,
						       (uint16_t)f);
				break;
			default:
				return -1;
			}
			if (len > FLEN_MAX)
				return -1;
			frame_len[f] = (uint16_t)len;
		}
	}
	return 0;
}

/* Burst b of the frames in fresh mbufs, as a PMD would hand them over: with
 * RX checksum flags unset (af_packet, af_xdp: the parsers verify in
 * software), or with ol_flags set as a NIC with RX checksum offload sets
 * them (IPv4 and UDP checksums good). */
static int
load_burst(struct rte_mbuf **ms, unsigned b, uint64_t ol_flags)
{
	if (rte_pktmbuf_alloc_bulk(pool, ms, BURST) != 0)
		return -1;
	for (unsigned j = 0; j < BURST; j++) {
		uint16_t len = frame_len[b * BURST + j];

		memcpy(rte_pktmbuf_mtod(ms[j], uint8_t *), frames[b * BURST + j], len);
		ms[j]->data_len = len;
		ms[j]->pkt_len = len;
		ms[j]->ol_flags = ol_flags;
	}
	return 0;
}

/* Is the relayed datagram of path p for client c right? */
static bool
relayed_ok(enum path p, const struct client *c, unsigned pi, uint32_t dst,
	   const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	struct gw_turn_chandata cd;
	struct gw_stun_view v;
	struct gw_stun_addr a;
	const uint8_t *d;
	size_t n;

	/* out of the client's port: to the peer from the allocation's relayed
	 * address, to the client from the TURN port's address */
	if (pi != c->pi ||
	    ip->src != (p == P_CHAN_OUT || p == P_SEND ? c->relay_ip : port_ip[c->pi]))
		return false;
	if (p == P_CHAN_OUT || p == P_SEND)
		return dst == PEER && ip->dst == PEER && u->sport == c->relay_port &&
		       u->dport == PEER_PORT && u->payload_len == PAYLOAD &&
		       memcmp(u->payload, payload, PAYLOAD) == 0;
	if (dst != c->ip || ip->dst != c->ip || u->sport != conf.stun.port || u->dport != c->port)
		return false;
	if (p == P_CHAN_IN)
		return gw_turn_chandata_parse(&cd, u->payload, u->payload_len) == 0 &&
		       cd.channel == CHANNEL && cd.len == PAYLOAD &&
		       memcmp(cd.data, payload, PAYLOAD) == 0;
	return gw_stun_parse(&v, u->payload, u->payload_len) == 0 &&
	       v.method == GW_STUN_DATA && v.cls == GW_STUN_INDICATION &&
	       gw_stun_get_xor_addr(&v, &v.attr[GW_STUN_A_XOR_PEER_ADDRESS], &a) == 0 &&
	       a.port == PEER_PORT_NOCHAN &&
	       gw_stun_get_bytes(&v, &v.attr[GW_STUN_A_DATA], &d, &n) == 0 && n == PAYLOAD &&
	       memcmp(d, payload, PAYLOAD) == 0;
}

/* Every frame of path p once, each relayed datagram parsed back and checked. */
static int
verify(enum path p)
{
	struct rte_mbuf *ms[BURST];

	for (unsigned b = 0; b < FRAMES / BURST; b++) {
		if (load_burst(ms, b, 0) != 0)
			return -1;
		dp_classify_burst(&wk, burst_pi[b], ms, BURST);
		if (dp_harness_n_sent != BURST)
			return -1;
		for (unsigned j = 0; j < BURST; j++) {
			const struct client *c = &clients[frame_client[b * BURST + j]];
			struct gw_ipv4_view ip;
			struct gw_udp_view u;

			if (dp_harness_views(dp_harness_sent[j], &ip, &u) != 0 ||
			    !relayed_ok(p, c, dp_harness_sent_pi[j], dp_harness_sent_dst[j], &ip, &u))
				return -1;
		}
		dp_harness_sent_reset();
	}
	return 0;
}

/* One timed loop over bursts bursts: bare mbuf handling (classify false), or
 * through dp_classify_burst() with RX flags ol_flags. ns per packet. */
static double
timed(unsigned long bursts, bool classify, uint64_t ol_flags)
{
	struct rte_mbuf *ms[BURST];
	double t0 = now_ns();

	for (unsigned long k = 0; k < bursts; k++) {
		unsigned b = (unsigned)(k % (FRAMES / BURST));

		if (load_burst(ms, b, ol_flags) != 0)
			return -1;
		if (!classify) {
			rte_pktmbuf_free_bulk(ms, BURST);
			continue;
		}
		dp_classify_burst(&wk, burst_pi[b], ms, BURST);
		rte_pktmbuf_free_bulk(dp_harness_sent, dp_harness_n_sent);
		dp_harness_n_sent = 0;
	}
	return (now_ns() - t0) / (double)(bursts * BURST);
}

int
main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 10000;
	unsigned long pkts = argc > 2 ? strtoul(argv[2], NULL, 10) : 10000000;
	unsigned long bursts = (pkts + BURST - 1) / BURST;
	unsigned n_relay = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 10) :
		(unsigned)((n + N_PORTS * PORTS_PER_ADDR - 1) / (N_PORTS * PORTS_PER_ADDR));
	const uint64_t offl = RTE_MBUF_F_RX_IP_CKSUM_GOOD | RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	double t0;

	if (n < N_PORTS || n > MAX_ALLOCS || bursts == 0 || n_relay < 1 || n_relay > MAX_RELAY ||
	    n > (uint64_t)N_PORTS * n_relay * PORTS_PER_ADDR) {
		fprintf(stderr, "usage: bench_turn_relay [%u..%u allocations] [packets] "
			"[1..%u relay addresses per port, %u allocations each]\n",
			N_PORTS, MAX_ALLOCS, MAX_RELAY, N_PORTS * PORTS_PER_ADDR);
		return 1;
	}
	/* 1 GB as before up to 120000 allocations, then ~3.5 KB per allocation */
	if (dp_harness_eal_init("bench_turn_relay", "rtt-bench",
				n <= 120000 ? 1024 : 1024 + (unsigned)(n / 1000 * 7 / 2)) != 0)
		return 1;
	t0 = now_ns();
	if (setup(n, n_relay) != 0) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	fprintf(stderr, "%u allocations with a channel each, through Allocate and ChannelBind: "
		"%.1f s (%u relay address%s per port)\n", n, (now_ns() - t0) / 1e9, n_relay,
		n_relay == 1 ? "" : "es");
	pkts = bursts * BURST;
	printf("TURN relaying through dp_classify_burst(), %u allocations, %u-byte payload, "
	       "bursts of %u, ns/packet (best of 5):\n", n, PAYLOAD, BURST);
	for (enum path p = 0; p < P_N; p++) {
		double best = 1e30, best_base = 1e30, best_offl = 1e30, dt;
		bool out = p == P_CHAN_OUT || p == P_SEND;
		unsigned ctr = out ? GW_CNT_TURN_TO_PEER_PKTS : GW_CNT_TURN_TO_CLIENT_PKTS;
		uint64_t relayed0;

		if (make_frames(n, p) != 0 || verify(p) != 0 || unexpected != 0) {
			fprintf(stderr, "%s: a relayed datagram was missing or wrong\n",
				path_name[p]);
			return 1;
		}
		relayed0 = wk.cnt[ctr];
		for (int round = 0; round < 5; round++) {
			/* the bare mbuf handling the loops below add around the relay */
			dt = timed(bursts, false, 0);
			if (dt >= 0 && dt < best_base)
				best_base = dt;
			dt = timed(bursts, true, 0);
			if (dt >= 0 && dt < best)
				best = dt;
			/* the same with a NIC's RX checksum flags */
			dt = timed(bursts, true, offl);
			if (dt >= 0 && dt < best_offl)
				best_offl = dt;
		}
		if (wk.cnt[ctr] - relayed0 != 10 * (uint64_t)pkts || dp_harness_tx_overflow != 0 ||
		    unexpected != 0) {
			fprintf(stderr, "%s: not every packet was relayed\n", path_name[p]);
			return 1;
		}
		printf("  %-30s loop %.1f = mbuf alloc+copy+free %.1f + relay %.1f "
		       "(%.2f Mpps per core for the relay alone); "
		       "with a NIC's RX checksum flags: relay %.1f\n",
		       path_name[p], best, best_base, best - best_base, 1e3 / (best - best_base),
		       best_offl - best_base);
		fflush(stdout);
	}
	free(clients);
	dp_harness_eal_fini("rtt-bench");
	return 0;
}
