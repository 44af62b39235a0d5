/*
 * bench_turn_relay: in-process per-packet cost of relaying one ChannelData
 * datagram client -> peer, the decisions dp_turn.c makes for it: Ethernet,
 * IPv4 and UDP parse with checksum verification, RFC 7983 demux, ChannelData
 * parse, 5-tuple lookup, channel lookup, peer policy, permission lookup
 * (three rte_hash lookups on tables of N allocations), then the rewritten
 * IPv4/UDP headers with a full software UDP checksum. Clients are visited in
 * a random order so the lookups miss the cache as real traffic would.
 * Excluded: rx/tx bursts, mbuf adj/prepend, ARP lookup. Not a test.
 *
 *   bench_turn_relay [allocations] [packets]   (default 10000, 10000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_memory.h>

#include "demux.h"
#include "dp_turn_table.h"
#include "net.h"
#include "turn.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define GW     IP(198, 18, 4, 2)
#define PEER   IP(198, 18, 5, 2)
#define FRAMES 4096
#define PAYLOAD 160              /* an Opus/RTP packet's size */
#define FLEN   (GW_ETH_HLEN + GW_IPV4_HLEN + GW_UDP_HLEN + 4 + PAYLOAD)

#define HDRS_CD (GW_ETH_HLEN + GW_IPV4_HLEN + GW_UDP_HLEN + 4)

static uint8_t frames[FRAMES][FLEN];
static uint8_t pristine[FRAMES][HDRS_CD];   /* headers the rewrite overwrites */
static volatile uint64_t sink;

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void
mkframe(uint8_t *f, uint32_t cip, uint16_t cport)
{
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	uint8_t *udp = f + GW_ETH_HLEN + GW_IPV4_HLEN;

	gw_eth_encode(f, mac, mac, GW_ETHERTYPE_IPV4);
	for (unsigned i = 0; i < PAYLOAD; i++)
		udp[GW_UDP_HLEN + 4 + i] = (uint8_t)(i * 7);
	(void)gw_turn_chandata_encode(udp + GW_UDP_HLEN, 4 + PAYLOAD, 0x4001,
				      udp + GW_UDP_HLEN + 4, PAYLOAD, false);
	gw_udp4_encode(udp, cip, GW, cport, 3478, 4 + PAYLOAD);
	gw_ipv4_encode(f + GW_ETH_HLEN, cip, GW, GW_IPPROTO_UDP, 64,
		       GW_UDP_HLEN + 4 + PAYLOAD, 1);
}

static uint32_t
fold16(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

static uint32_t
hdr_sum(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint16_t ulen)
{
	return fold16((uint64_t)(src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
		      GW_IPPROTO_UDP + 2u * ulen + sport + dport);
}

/* One relay decision; returns 0 when the packet would be sent to the peer. */
static int
relay(struct dp_turn_table *t, const struct gw_turn_peer_policy *pol, uint8_t *f, uint64_t now)
{
	struct gw_eth_view e;
	struct gw_ipv4_view ip;
	struct gw_udp_view u;
	struct gw_turn_chandata cd;
	struct dp_turn_5tuple five;
	const struct dp_turn_alloc *a;
	uint32_t idx, pip;
	uint16_t pport;

	if (gw_eth_parse(&e, f, FLEN) != 0 || gw_ipv4_parse(&ip, e.payload, e.payload_len) != 0 ||
	    gw_udp_parse(&u, &ip) != 0 ||
	    gw_demux_classify(u.payload, u.payload_len) != GW_DEMUX_CHANDATA ||
	    gw_turn_chandata_parse_range(&cd, u.payload, u.payload_len,
					 GW_TURN_CHAN_MAX_RFC5766) != 0)
		return -1;
	five = (struct dp_turn_5tuple){ ip.src, ip.dst, u.sport, u.dport };
	if (dp_turn_lookup_5tuple(t, &five, &idx) != 0)
		return -2;
	a = dp_turn_alloc_at(t, idx);
	if (!dp_turn_alloc_live(a, now) ||
	    dp_turn_chan_by_num(t, idx, cd.channel, now, &pip, &pport) != 0 ||
	    gw_turn_peer_check(pol, pip, pport) != GW_TURN_PEER_OK ||
	    !dp_turn_perm_check(t, idx, pip, now))
		return -3;
	/* the rewrite dp_turn.c does, into the same bytes: headers in front of
	 * the payload (4 bytes further in), the UDP checksum derived from the
	 * client's (RFC 1624), as dp_turn.c's payload_sum() and emit() do */
	{
		uint8_t *nf = (uint8_t *)(uintptr_t)cd.data - GW_UDP_HLEN - GW_IPV4_HLEN;
		uint8_t *udp = nf + GW_IPV4_HLEN;
		uint16_t ulen = (uint16_t)(GW_UDP_HLEN + cd.len), c;
		uint32_t h = fold16((uint64_t)hdr_sum(ip.src, ip.dst, u.sport, u.dport,
						      (uint16_t)(GW_UDP_HLEN + u.payload_len)) +
				    gw_cksum_add(0, u.payload, 4));
		uint32_t ps = fold16((uint64_t)(uint16_t)~u.cksum + (uint16_t)~h);

		c = (uint16_t)~fold16((uint64_t)hdr_sum(a->relay_ip, pip, a->relay_port, pport,
							ulen) + ps);
		udp[0] = (uint8_t)(a->relay_port >> 8);
		udp[1] = (uint8_t)a->relay_port;
		udp[2] = (uint8_t)(pport >> 8);
		udp[3] = (uint8_t)pport;
		udp[4] = (uint8_t)(ulen >> 8);
		udp[5] = (uint8_t)ulen;
		udp[6] = (uint8_t)(c == 0 ? 0xff : c >> 8);
		udp[7] = (uint8_t)(c == 0 ? 0xff : c);
		gw_ipv4_encode(nf, a->relay_ip, pip, GW_IPPROTO_UDP, 64,
			       (uint16_t)(GW_UDP_HLEN + cd.len), 1);
		sink += nf[10];
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char a[12][24] = { "bench_turn_relay", "--no-huge", "-m", "1024", "--no-shconf",
			   "--no-pci", "--file-prefix", "rtt-bench", "-l", "0", "--log-level",
			   "error" };
	char *eal[13];
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 10) : 10000;
	unsigned long pkts = argc > 2 ? strtoul(argv[2], NULL, 10) : 10000000;
	struct dp_turn_table_params p = { 0 };
	struct gw_turn_peer_policy pol;
	struct dp_turn_table *t = NULL;
	double best = 1e30;

	for (unsigned i = 0; i < 12; i++)
		eal[i] = a[i];
	eal[12] = NULL;
	if (n == 0 || n > 120000 || rte_eal_init(12, eal) < 0) {
		fprintf(stderr, "usage: bench_turn_relay [1..120000 allocations] [packets]\n");
		return 1;
	}
	p.name = "bt";
	p.socket_id = SOCKET_ID_ANY;
	p.max_allocs = n;
	p.max_perms = n * 4;
	p.max_chans = n * 2;
	p.port_min = 1024;
	p.port_max = 65535;
	p.relay_addrs[0] = GW;
	p.relay_addrs[1] = GW + 1;
	p.n_relay_addrs = 2;
	p.n_owners = 1;
	p.max_readers = 1;
	if (dp_turn_table_create(&t, &p) != 0)
		return 1;
	for (uint32_t i = 0; i < n; i++) {
		struct dp_turn_alloc_req r = { 0 };
		uint32_t idx;

		r.five = (struct dp_turn_5tuple){ IP(100, 64, 0, 0) + i / 40000, GW,
						  (uint16_t)(1024 + i % 40000), 3478 };
		r.lifetime_s = 3600;
		r.user_key = i;
		r.relay_idx = (uint8_t)(i % 2);
		if (dp_turn_alloc_create(t, &r, 0, &idx, NULL) != 0 ||
		    dp_turn_perm_add(t, idx, 0, PEER, 300, 0) != 0 ||
		    dp_turn_chan_bind(t, idx, 0, 0x4001, PEER, 3480, 600, 0) != 0)
			return 1;
	}
	memset(&pol, 0, sizeof(pol));
	pol.relay_addr[0] = GW;
	pol.relay_addr[1] = GW + 1;
	pol.n_relay_addr = 2;
	pol.relay_port_min = 1024;
	pol.relay_port_max = 65535;
	srand(1);
	for (unsigned i = 0; i < FRAMES; i++) {
		uint32_t c = (uint32_t)rand() % n;

		mkframe(frames[i], IP(100, 64, 0, 0) + c / 40000, (uint16_t)(1024 + c % 40000));
		memcpy(pristine[i], frames[i], HDRS_CD);
	}
	for (int round = 0; round < 5; round++) {
		double t0 = now_ns(), dt;

		for (unsigned long k = 0; k < pkts; k++) {
			uint8_t *f = frames[k % FRAMES];

			if (relay(t, &pol, f, 1) != 0) {
				fprintf(stderr, "relay decision failed\n");
				return 1;
			}
			/* undo the rewrite (46 bytes) so the next visit parses the original */
			memcpy(f, pristine[k % FRAMES], HDRS_CD);
		}
		dt = (now_ns() - t0) / (double)pkts;
		if (dt < best)
			best = dt;
	}
	printf("ChannelData relay decision + rewrite, %u allocations: %.1f ns/packet "
	       "(%.2f Mpps per core), including a 46-byte header restore per packet\n",
	       n, best, 1e3 / best);
	dp_turn_table_free(t);
	return 0;
}
