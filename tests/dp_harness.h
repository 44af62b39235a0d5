/*
 * dp_harness: the dataplane around the modules a unit test or bench links
 * (dataplane/dp_turn.c, dp_classify.c, ...), on a real EAL without hugepages,
 * shared config or NIC:
 *
 * - the dataplane's globals (dp, dp_logtype), filled by dp_harness_dp() as a
 *   stand-in for the ports dp_port.c would bring up;
 * - dp_arp_send_ip(), where every IPv4 frame the dataplane sends ends (after
 *   its headers are written): captured in dp_harness_sent[] instead of the
 *   next-hop lookup, Ethernet fill and dp_xmit() TX buffer of dp_arp.c;
 * - frames [eth][ipv4][udp][payload] built with the wire encoders.
 *
 * Include from exactly one .c file of an executable (it defines globals and
 * dp_arp_send_ip) and do not link dataplane/dp_arp.c next to it.
 */
#ifndef DP_HARNESS_H
#define DP_HARNESS_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_mbuf.h>

#include "dp_arp.h"
#include "dp_ctx.h"
#include "dp_log.h"
#include "dp_test_eal.h"
#include "net.h"

#define DP_HARNESS_TX_MAX 64

struct dp_ctx dp;
int dp_logtype;

/* What the dataplane sent, in order; freed by dp_harness_sent_reset(). */
static struct rte_mbuf *dp_harness_sent[DP_HARNESS_TX_MAX];
static uint32_t dp_harness_sent_dst[DP_HARNESS_TX_MAX];
static unsigned dp_harness_sent_pi[DP_HARNESS_TX_MAX];
static unsigned dp_harness_n_sent;
static uint64_t dp_harness_tx_overflow;    /* frames beyond DP_HARNESS_TX_MAX, freed */

void
dp_arp_send_ip(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, uint32_t dst_ip)
{
	(void)w;
	if (dp_harness_n_sent == DP_HARNESS_TX_MAX) {
		dp_harness_tx_overflow++;
		rte_pktmbuf_free(m);
		return;
	}
	dp_harness_sent_dst[dp_harness_n_sent] = dst_ip;
	dp_harness_sent_pi[dp_harness_n_sent] = pi;
	dp_harness_sent[dp_harness_n_sent++] = m;
}

#ifdef DP_HARNESS_NDP
/* IPv6 frames (a test that does not link dp_ndp.c defines DP_HARNESS_NDP):
 * captured beside the IPv4 ones, in the same order, with their next hop. */
static uint8_t dp_harness_sent_dst6[DP_HARNESS_TX_MAX][16];

void
dp_ndp_send_ip6(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *dst)
{
	(void)w;
	if (dp_harness_n_sent == DP_HARNESS_TX_MAX) {
		dp_harness_tx_overflow++;
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(dp_harness_sent_dst6[dp_harness_n_sent], dst, 16);
	dp_harness_sent_dst[dp_harness_n_sent] = 0;
	dp_harness_sent_pi[dp_harness_n_sent] = pi;
	dp_harness_sent[dp_harness_n_sent++] = m;
}
#endif

static inline void
dp_harness_sent_reset(void)
{
	rte_pktmbuf_free_bulk(dp_harness_sent, dp_harness_n_sent);
	dp_harness_n_sent = 0;
}

/* EAL boot for the tests: see dp_test_eal.h. Also registers dp_logtype. */
static inline int
dp_harness_eal_init(const char *prog, const char *prefix, unsigned mem_mb)
{
	if (dp_test_eal_init(prog, prefix, mem_mb) != 0)
		return -1;
	dp_logtype = rte_log_register("rtcgw.test");
	return 0;
}

#define dp_harness_eal_fini dp_test_eal_fini

/* MAC of port index pi in the stand-in: 02:00:00:00:00:<pi + 1>. */
static inline void
dp_harness_port_mac(unsigned pi, uint8_t mac[6])
{
	static const uint8_t base[6] = { 2, 0, 0, 0, 0, 0 };

	memcpy(mac, base, 6);
	mac[5] = (uint8_t)(pi + 1);
}

/*
 * The process-wide state start-up would leave: config c, n_ports ports with
 * the given IPv4 addresses (/24, MTU 1500, relay_addresses from
 * c->dataplane.ports[], no TX chains: fragments come as
 * single-segment copies; MACs from dp_harness_port_mac), one worker, the
 * TSC rate. No ethdev behind the ports: nothing may reach dp_xmit().
 */
static inline void
dp_harness_dp(const struct gw_config *c, const uint32_t *ipv4, unsigned n_ports)
{
	dp.conf = c;
	dp.n_ports = n_ports;
	for (unsigned i = 0; i < n_ports; i++) {
		dp.ports[i].port_id = (uint16_t)i;
		dp.ports[i].ipv4 = ipv4[i];
		dp.ports[i].mask = 0xffffff00;
		dp.ports[i].mtu = 1500;
		/* the config's ports[].relay_addresses, as dp_port sets them */
		memcpy(dp.ports[i].relay_ipv4, c->dataplane.ports[i].relay_addresses,
		       sizeof(dp.ports[i].relay_ipv4));
		dp.ports[i].n_relay_ipv4 = c->dataplane.ports[i].n_relay_addresses;
		dp_harness_port_mac(i, dp.ports[i].mac.addr_bytes);
	}
	dp.tsc_hz = rte_get_tsc_hz();
	dp.n_workers = 1;
}

/*
 * Write [eth][ipv4][udp][payload] to b (room for the frame assumed), the
 * Ethernet destination dmac (NULL: port 0's MAC), checksums valid.
 * @return the frame length.
 */
static inline size_t
dp_harness_frame(uint8_t *b, const uint8_t *dmac, uint32_t src, uint16_t sport, uint32_t dst,
		 uint16_t dport, const void *payload, size_t len, uint16_t ip_id)
{
	static const uint8_t smac[6] = { 2, 0, 0, 0, 0, 9 };
	uint8_t d[6];

	if (dmac == NULL) {
		dp_harness_port_mac(0, d);
		dmac = d;
	}
	gw_eth_encode(b, dmac, smac, GW_ETHERTYPE_IPV4);
	memcpy(b + GW_ETH_HLEN + GW_IPV4_HLEN + GW_UDP_HLEN, payload, len);
	gw_udp4_encode(b + GW_ETH_HLEN + GW_IPV4_HLEN, src, dst, sport, dport, (uint16_t)len);
	gw_ipv4_encode(b + GW_ETH_HLEN, src, dst, GW_IPPROTO_UDP, 64,
		       (uint16_t)(GW_UDP_HLEN + len), ip_id);
	return GW_ETH_HLEN + GW_IPV4_HLEN + GW_UDP_HLEN + len;
}

/* dp_harness_frame() into a fresh mbuf from pool; NULL when out of mbufs or room. */
static inline struct rte_mbuf *
dp_harness_mbuf(struct rte_mempool *pool, uint32_t src, uint16_t sport, uint32_t dst,
		uint16_t dport, const void *payload, size_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *b;

	if (m == NULL)
		return NULL;
	b = (uint8_t *)rte_pktmbuf_append(m, (uint16_t)(GW_ETH_HLEN + GW_IPV4_HLEN +
							GW_UDP_HLEN + len));
	if (b == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	(void)dp_harness_frame(b, NULL, src, sport, dst, dport, payload, len, 7);
	return m;
}

/*
 * IPv4 and UDP views of a frame in m, as dp_classify hands them to the
 * handlers (checksums verified in software). @return 0 or the parse error.
 */
static inline int
dp_harness_views(const struct rte_mbuf *m, struct gw_ipv4_view *ip, struct gw_udp_view *u)
{
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	int rc;

	if (rte_pktmbuf_pkt_len(m) < GW_ETH_HLEN)
		return -EINVAL;
	rc = gw_ipv4_parse(ip, p + GW_ETH_HLEN, rte_pktmbuf_pkt_len(m) - GW_ETH_HLEN);
	return rc != 0 ? rc : gw_udp_parse(u, ip);
}

#endif
