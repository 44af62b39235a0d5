/*
 * dp_frag: IPv4 fragmentation on the send side (dp_frag.h), with DPDK's
 * librte_ip_frag doing the splitting.
 */
#include "dp_frag.h"

#include <errno.h>

#include <rte_ip.h>
#include <rte_ip_frag.h>

#include "dp_arp.h"
#include "net.h"

int
dp_frag_init(unsigned n_mbufs)
{
	/* indirect mbufs carry no data room: they point into the original */
	dp.pool_indirect = rte_pktmbuf_pool_create("rtcgw_indirect", n_mbufs, 64, 0, 0,
						   (int)rte_socket_id());
	return dp.pool_indirect == NULL ? -ENOMEM : 0;
}

/* A single-segment copy of fragment f (the port cannot send chains). */
static struct rte_mbuf *
linear(struct rte_mbuf *f)
{
	struct rte_mbuf *c = rte_pktmbuf_copy(f, dp.pool, 0, UINT32_MAX);

	rte_pktmbuf_free(f);
	if (c != NULL && c->nb_segs != 1) {
		rte_pktmbuf_free(c);
		c = NULL;
	}
	return c;
}

int
dp_frag_send(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, uint32_t dst)
{
	struct rte_mbuf *frags[DP_FRAG_MAX];
	struct rte_ipv4_hdr *ip;
	int32_t n;
	int err = 0;

	if (rte_pktmbuf_adj(m, GW_ETH_HLEN) == NULL || rte_pktmbuf_data_len(m) < GW_IPV4_HLEN) {
		err = -EINVAL;
		goto fail;
	}
	ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);
	ip->fragment_offset &= rte_cpu_to_be_16((uint16_t)~RTE_IPV4_HDR_DF_FLAG);
	n = rte_ipv4_fragment_packet(m, frags, DP_FRAG_MAX, dp.ports[pi].mtu, dp.pool,
				     dp.pool_indirect);
	if (n < 0) {
		err = n == -ENOMEM ? -ENOBUFS : -EINVAL;
		goto fail;
	}
	/* the fragments hold references to the payload; drop ours */
	rte_pktmbuf_free(m);
	m = NULL;
	for (int32_t i = 0; i < n; i++) {
		struct rte_mbuf *f = frags[i];

		ip = rte_pktmbuf_mtod(f, struct rte_ipv4_hdr *);
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		if (rte_pktmbuf_prepend(f, GW_ETH_HLEN) == NULL) {
			rte_pktmbuf_free(f);
			goto drop_rest;
		}
		if (!dp.ports[pi].tx_multi_seg && (f = linear(f)) == NULL)
			goto drop_rest;
		f->ol_flags = 0;
		dp_arp_send_ip(w, pi, f, dst);
		continue;
drop_rest:
		/* the rest of the datagram is useless without this piece */
		for (int32_t j = i + 1; j < n; j++)
			rte_pktmbuf_free(frags[j]);
		DP_CNT(w, IPV4_FRAG_FAIL);
		return -ENOBUFS;
	}
	DP_CNT(w, IPV4_FRAG_OUT);
	return 0;
fail:
	DP_CNT(w, IPV4_FRAG_FAIL);
	rte_pktmbuf_free(m);
	return err;
}
