/* dp_xmit: hand a finished frame to a port's TX buffer for this worker. */
#ifndef DP_XMIT_H
#define DP_XMIT_H

#include <rte_ethdev.h>

#include "dp_ctx.h"

/** Consumes m: buffered for TX (flushed each loop), or counted and freed
 * (over the port MTU; TX queue full at flush, see dp_port.c). */
static inline void
dp_xmit(struct dp_worker *w, unsigned pi, struct rte_mbuf *m)
{
	/* Last line of defence: a frame the port would silently lose must not
	 * be counted as sent (dp_frag splits the datagrams we grow). */
	if (unlikely(rte_pktmbuf_pkt_len(m) > (uint32_t)dp.ports[pi].mtu + RTE_ETHER_HDR_LEN)) {
		DP_CNT(w, TX_DROP_OVERSIZE);
		rte_pktmbuf_free(m);
		return;
	}
	DP_CNT(w, TX_PKTS);
	DP_CNT_ADD(w, TX_BYTES, rte_pktmbuf_pkt_len(m));
	/* Drops on a full queue are counted by the buffer's error callback. */
	rte_eth_tx_buffer(dp.ports[pi].port_id, (uint16_t)w->idx, w->txb[pi], m);
}

#endif
