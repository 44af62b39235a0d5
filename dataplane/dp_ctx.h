/*
 * dp_ctx: the dataplane's process-wide state, written during start-up and
 * read-only while the workers run (so it needs no locks), and the per-worker
 * state each worker lcore owns alone.
 */
#ifndef DP_CTX_H
#define DP_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ring.h>

#include "gw_config.h"
#include "gw_ipc.h"
#include "dp_arp.h"
#include "dp_ndp.h"

struct dp_frag_rx;

#define DP_BURST        32
#define DP_PREFETCH     3

struct dp_port {
	uint16_t port_id;
	struct rte_ether_addr mac;
	uint32_t ipv4;                /* host byte order */
	uint32_t mask;
	uint32_t gateway;             /* 0: none */
	uint16_t mtu;
	bool tx_multi_seg;            /* the PMD transmits mbuf chains */
	char name[32];
	/* IPv6 (ports[].address6): has_ipv6 false = the port drops IPv6 as an
	 * unknown ethertype, as before IPv6 existed. */
	bool has_ipv6;
	bool has_gateway6;
	uint8_t ipv6_plen;            /* prefix length of ipv6 */
	uint8_t ipv6[16];             /* the configured address */
	uint8_t ipv6_ll[16];          /* fe80:: + modified EUI-64 of mac (RFC 4291 App. A) */
	uint8_t ipv6_sn[16];          /* solicited-node group of ipv6 */
	uint8_t ipv6_ll_sn[16];       /* solicited-node group of ipv6_ll */
	uint8_t gateway6[16];         /* valid when has_gateway6 */
	/* ports[].relay_addresses: further IPv4 addresses of this port, for
	 * TURN relay ports only (host order). Answered by ARP; datagrams to
	 * them reach dp_turn_relay_input and nothing else. */
	uint32_t relay_ipv4[GW_CONF_MAX_RELAY_ADDRS];
	unsigned n_relay_ipv4;
};

struct __rte_cache_aligned dp_worker {
	unsigned idx;                 /* also its RX/TX queue id on every port */
	unsigned lcore_id;
	uint64_t cnt[GW_CNT_MAX];     /* written by this worker only */
	struct rte_eth_dev_tx_buffer *txb[GW_IPC_MAX_PORTS];
	struct rte_ring *cmd, *evt, *punt, *tx;
	uint16_t ip_id;
	struct dp_frag_rx *frag_rx;   /* reassembly of received fragments (dp_frag) */
	/* The packet path's clock: one TSC read per RX burst (dp_worker_clock),
	 * not one per packet (a TSC read costs ~10 ns on these VMs). */
	uint64_t now_tsc;
	uint64_t now_s;               /* now_tsc in whole seconds */
	/* dp_turn_prefetch's 5-tuple lookups for the burst dp_classify_burst is
	 * working through: packet burst_pos is hint_m[burst_pos] (NULL: no
	 * allocation) of allocation hint_idx[burst_pos]. burst_pos DP_BURST:
	 * not inside a burst. A hint is only a hint: dp_turn checks it against
	 * the allocation's 5-tuple before using it. */
	uint16_t burst_pos;
	struct rte_mbuf *hint_m[DP_BURST];
	uint32_t hint_idx[DP_BURST];
	/* Packets waiting for their next hop (dp_arp, dp_ndp): 2 x 10 KB seldom
	 * touched, last, so the fields above stay together. */
	struct dp_nbq arp_pending;
	struct dp_nbq ndp_pending;
};

struct dp_ctx {
	const struct gw_config *conf;
	struct rte_mempool *pool;
	struct rte_mempool *pool_indirect;   /* dp_frag: fragments point into datagrams */
	struct gw_ipc_info *info;
	struct dp_port ports[GW_IPC_MAX_PORTS];
	unsigned n_ports;
	struct dp_worker *workers[GW_IPC_MAX_WORKERS];
	unsigned n_workers;
	struct dp_neigh_table *neigh;
	struct dp_neigh6_table *neigh6;
	uint64_t tsc_hz;
	volatile bool quit;           /* set by the signal handler */
};

extern struct dp_ctx dp;

/* Read the clock for what w handles next (an RX burst, a poll round). */
static inline void
dp_worker_clock(struct dp_worker *w)
{
	w->now_tsc = rte_rdtsc();
	w->now_s = w->now_tsc / dp.tsc_hz;
}

/* The directed broadcast address of port p's subnet, or 0 when the prefix
 * has none (/31 point-to-point, RFC 3021; /32). One rule for every user:
 * martian sources, ARP claims, TURN's default-denied peers, the exception
 * path. */
static inline uint32_t
dp_port_bcast(const struct dp_port *p)
{
	return ~p->mask >= 3 ? (p->ipv4 | ~p->mask) : 0;
}

/* Is ip one of port p's relay_addresses (not its own address)? A short
 * scan (<= GW_CONF_MAX_RELAY_ADDRS), only reached for datagrams not to the
 * port's own address. */
static inline bool
dp_port_relay_ip(const struct dp_port *p, uint32_t ip)
{
	for (unsigned i = 0; i < p->n_relay_ipv4; i++)
		if (p->relay_ipv4[i] == ip)
			return true;
	return false;
}

/* Is dport in the media port range (WebRTC/RTP legs)? */
static inline bool
dp_media_port(uint16_t dport)
{
	return dport >= dp.conf->media.port_min && dport <= dp.conf->media.port_max;
}

#define DP_CNT(w, sym)        ((w)->cnt[GW_CNT_##sym]++)
#define DP_CNT_ADD(w, sym, n) ((w)->cnt[GW_CNT_##sym] += (n))

#endif
