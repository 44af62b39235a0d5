#include "dp_port.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "dp_ctx.h"
#include "dp_log.h"
#include "gw_config.h"
#include "net6.h"

static bool started[GW_IPC_MAX_PORTS];

void
dp_port_devname(const char *device, char *name, size_t len)
{
	size_t n = strcspn(device, ",");

	if (n >= len)
		n = len - 1;
	memcpy(name, device, n);
	name[n] = '\0';
}

int
dp_port_is_pci(const char *device)
{
	unsigned dom, bus, dev, fn;
	char tail;

	/* 0000:03:00.0 or the short 03:00.0 form, optionally with ,args */
	if (sscanf(device, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &tail) >= 4)
		return 1;
	return sscanf(device, "%x:%x.%x%c", &bus, &dev, &fn, &tail) >= 3 &&
	       isxdigit((unsigned char)device[0]);
}

int
dp_port_queues_setup(uint16_t port_id, unsigned n_queues, uint16_t nrx, uint16_t ntx,
		     const struct rte_eth_rxconf *rxc, const struct rte_eth_txconf *txc,
		     const char **step)
{
	int rc;

	for (unsigned q = 0; q < n_queues; q++) {
		*step = "rx_queue_setup";
		rc = rte_eth_rx_queue_setup(port_id, (uint16_t)q, nrx,
					    (unsigned)rte_eth_dev_socket_id(port_id), rxc, dp.pool);
		if (rc != 0)
			return rc;
		*step = "tx_queue_setup";
		rc = rte_eth_tx_queue_setup(port_id, (uint16_t)q, ntx,
					    (unsigned)rte_eth_dev_socket_id(port_id), txc);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * Let the port receive the IPv6 multicast NDP needs: all-nodes and the
 * solicited-node groups of the port's two addresses (33:33:xx MACs, RFC
 * 2464 §7). A NIC filters multicast by list; PMDs without a list
 * (af_packet, af_xdp, tap in DPDK 22.11) get all-multicast, and failing
 * that promiscuous mode (af_packet: IFF_PROMISC on the interface, which a
 * physical NIC under it needs since the kernel, with no IPv6 address there,
 * joins no group). A veth delivers every frame whatever is set.
 */
static void
ipv6_groups(const struct dp_port *p)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	struct rte_ether_addr mc[3];
	const char *how = "multicast list";
	int rc;

	gw_ipv6_mcast_mac(mc[0].addr_bytes, all_nodes);
	gw_ipv6_mcast_mac(mc[1].addr_bytes, p->ipv6_sn);
	gw_ipv6_mcast_mac(mc[2].addr_bytes, p->ipv6_ll_sn);
	rc = rte_eth_dev_set_mc_addr_list(p->port_id, mc, 3);
	if (rc != 0) {
		how = "all-multicast";
		rc = rte_eth_allmulticast_enable(p->port_id);
		if (rc == 0 && rte_eth_allmulticast_get(p->port_id) != 1)
			rc = -ENOTSUP;
	}
	if (rc != 0) {
		how = "promiscuous";
		rc = rte_eth_promiscuous_enable(p->port_id);
	}
	if (rc != 0)
		DP_LOG(WARNING, "port %s: cannot receive IPv6 multicast (no multicast list, "
		       "all-multicast or promiscuous mode: %s); neighbours must find the "
		       "address some other way", p->name, rte_strerror(-rc));
	else
		DP_LOG(INFO, "port %s: IPv6 neighbour discovery multicast by %s", p->name, how);
	{
		char a6[INET6_ADDRSTRLEN], ll[INET6_ADDRSTRLEN], g6[INET6_ADDRSTRLEN] = "none";

		inet_ntop(AF_INET6, p->ipv6, a6, sizeof(a6));
		inet_ntop(AF_INET6, p->ipv6_ll, ll, sizeof(ll));
		if (p->has_gateway6)
			inet_ntop(AF_INET6, p->gateway6, g6, sizeof(g6));
		DP_LOG(INFO, "port %s: IPv6 %s/%u, link-local %s, gateway6 %s", p->name, a6,
		       p->ipv6_plen, ll, g6);
	}
}

int
dp_port_setup(unsigned pi, const struct gw_conf_port *cp, unsigned n_queues, char *err,
	      size_t errlen)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	struct rte_eth_rxconf rxc;
	struct rte_eth_txconf txc;
	struct dp_port *p = &dp.ports[pi];
	char name[RTE_ETH_NAME_MAX_LEN];
	uint16_t port_id, nrx = cp->rx_desc, ntx = cp->tx_desc;
	const char *step;
	int rc;

	dp_port_devname(cp->device, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, &port_id) != 0) {
		snprintf(err, errlen, "port %s: device '%s' was not probed", cp->name, name);
		return -ENODEV;
	}
	step = "dev_info_get";
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc != 0)
		goto fail;
	if (n_queues > info.max_rx_queues || n_queues > info.max_tx_queues) {
		snprintf(err, errlen, "port %s: %u queues wanted, device offers %u rx / %u tx",
			 cp->name, n_queues, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	conf.rxmode.mtu = cp->mtu;
	if (n_queues > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
	}
	/* Offloads only when offered: with RX checksum offload the parsers
	 * trust the NIC's verdict (mbuf ol_flags) and skip their own sums; a
	 * port without it is checked in software, correct and slower. */
	conf.rxmode.offloads |= info.rx_offload_capa &
		(RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM);
	/* Fast free promises single-segment, refcount-1 mbufs from one pool; IPv4
	 * fragments (dp_frag) are chains of indirect mbufs, so the two exclude
	 * each other: chains where the PMD takes them, fast free otherwise. */
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	else if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;

	step = "configure";
	rc = rte_eth_dev_configure(port_id, (uint16_t)n_queues, (uint16_t)n_queues, &conf);
	if (rc != 0)
		goto fail;
	step = "adjust_nb_rx_tx_desc";
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nrx, &ntx);
	if (rc != 0)
		goto fail;
	rxc = info.default_rxconf;
	rxc.offloads = conf.rxmode.offloads;
	txc = info.default_txconf;
	txc.offloads = conf.txmode.offloads;
	rc = dp_port_queues_setup(port_id, n_queues, nrx, ntx, &rxc, &txc, &step);
	if (rc != 0)
		goto fail;
	step = "start";
	rc = rte_eth_dev_start(port_id);
	if (rc != 0)
		goto fail;
	started[pi] = true;

	p->port_id = port_id;
	rte_eth_macaddr_get(port_id, &p->mac);
	p->ipv4 = cp->address.addr;
	p->mask = cp->address.len == 0 ? 0 : ~0u << (32 - cp->address.len);
	p->gateway = cp->gateway;
	memcpy(p->relay_ipv4, cp->relay_addresses, sizeof(p->relay_ipv4));
	p->n_relay_ipv4 = cp->n_relay_addresses;
	p->mtu = cp->mtu;
	p->tx_multi_seg = (conf.txmode.offloads & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0;
	snprintf(p->name, sizeof(p->name), "%s", cp->name);
	DP_LOG(INFO, "port %s (%s, ethdev %u) up: %u queue(s), mac " RTE_ETHER_ADDR_PRT_FMT
	       ", rx checksum offload %s, tx chains %s",
	       cp->name, name, port_id, n_queues, RTE_ETHER_ADDR_BYTES(&p->mac),
	       conf.rxmode.offloads ? "on" : "off", p->tx_multi_seg ? "yes" : "no (copied)");
	dp_ndp_port_init(p, cp);
	if (p->has_ipv6)
		ipv6_groups(p);
	return 0;
fail:
	snprintf(err, errlen, "port %s: %s failed: %s", cp->name, step, rte_strerror(-rc));
	return rc < 0 ? rc : -EIO;
}

/* The TX queue was full: what dp_xmit() counted as handed to the port was
 * not taken after all, so it moves from tx_pkts/tx_bytes to tx_drop. */
static void
tx_refused(struct rte_mbuf **pkts, uint16_t unsent, void *userdata)
{
	struct dp_worker *w = userdata;
	uint64_t bytes = 0;

	for (uint16_t i = 0; i < unsent; i++)
		bytes += rte_pktmbuf_pkt_len(pkts[i]);
	w->cnt[GW_CNT_TX_PKTS] -= unsent;
	w->cnt[GW_CNT_TX_BYTES] -= bytes;
	w->cnt[GW_CNT_TX_DROP] += unsent;
	rte_pktmbuf_free_bulk(pkts, unsent);
}

int
dp_port_txbuf_init(void)
{
	for (unsigned wi = 0; wi < dp.n_workers; wi++) {
		struct dp_worker *w = dp.workers[wi];

		for (unsigned pi = 0; pi < dp.n_ports; pi++) {
			struct rte_eth_dev_tx_buffer *b;

			b = rte_zmalloc("rtcgw_txb", RTE_ETH_TX_BUFFER_SIZE(DP_BURST), 0);
			if (b == NULL)
				return -ENOMEM;
			rte_eth_tx_buffer_init(b, DP_BURST);
			rte_eth_tx_buffer_set_err_callback(b, tx_refused, w);
			w->txb[pi] = b;
		}
	}
	return 0;
}

void
dp_port_shutdown(void)
{
	for (unsigned pi = 0; pi < GW_IPC_MAX_PORTS; pi++) {
		if (!started[pi])
			continue;
		rte_eth_dev_stop(dp.ports[pi].port_id);
		rte_eth_dev_close(dp.ports[pi].port_id);
		started[pi] = false;
	}
	for (unsigned wi = 0; wi < dp.n_workers; wi++)
		for (unsigned pi = 0; pi < GW_IPC_MAX_PORTS; pi++) {
			rte_free(dp.workers[wi]->txb[pi]);
			dp.workers[wi]->txb[pi] = NULL;
		}
}
