/* Placeholder for the TURN server (dp_stun.h, dp_turn_input): delete this file
 * when dp_turn.c lands. */
#include "dp_stun.h"

#include "dp_ctx.h"

void
dp_turn_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
	      const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	(void)pi;
	(void)ip;
	(void)u;
	DP_CNT(w, STUN_TURN_UNAVAILABLE);
	rte_pktmbuf_free(m);
}
