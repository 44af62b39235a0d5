/*
 * dp_nbq: packets waiting for next-hop resolution (dp_nbq.h).
 */
#include "dp_nbq.h"

#include <string.h>

#include "dp_ctx.h"

static bool
same_hop(const struct dp_nbq *q, unsigned i, unsigned pi, const uint8_t *nexthop)
{
	return q->q[i].port == pi && memcmp(q->q[i].nexthop, nexthop, 16) == 0;
}

void
dp_nbq_add(struct dp_worker *w, struct dp_nbq *q, const struct dp_nbq_ops *ops,
	   unsigned pi, struct rte_mbuf *m, const uint8_t *nexthop, uint64_t now)
{
	bool asked = false;

	if (q->n == DP_NBQ_MAX) {
		w->cnt[ops->overflow]++;
		rte_pktmbuf_free(m);
		return;
	}
	for (unsigned i = 0; i < q->n && !asked; i++)
		asked = same_hop(q, i, pi, nexthop);
	q->q[q->n].m = m;
	memcpy(q->q[q->n].nexthop, nexthop, 16);
	q->q[q->n].port = (uint16_t)pi;
	q->q[q->n].tries = 1;
	q->q[q->n].deadline = now + dp.tsc_hz;      /* RetransTimer: 1 s */
	q->n++;
	w->cnt[ops->queued]++;
	if (!asked)
		ops->solicit(w, pi, nexthop);
}

void
dp_nbq_tick(struct dp_worker *w, struct dp_nbq *q, const struct dp_nbq_ops *ops, uint64_t now)
{
	unsigned keep = 0;

	for (unsigned i = 0; i < q->n; i++) {
		struct rte_ether_addr mac;
		unsigned pi = q->q[i].port;
		bool dup = false;

		if (ops->lookup(pi, q->q[i].nexthop, &mac, now)) {
			w->cnt[ops->sent]++;
			ops->send(w, pi, q->q[i].m, &mac);
			continue;
		}
		if (now >= q->q[i].deadline) {
			if (q->q[i].tries >= DP_NBQ_TRIES) {
				w->cnt[ops->timeout]++;
				rte_pktmbuf_free(q->q[i].m);
				continue;
			}
			q->q[i].tries++;
			q->q[i].deadline = now + dp.tsc_hz;
			/* one solicitation per next hop per round, however many wait */
			for (unsigned j = 0; j < keep && !dup; j++)
				dup = q->q[j].deadline == q->q[i].deadline &&
				      same_hop(q, j, pi, q->q[i].nexthop);
			if (!dup)
				ops->solicit(w, pi, q->q[i].nexthop);
		}
		q->q[keep++] = q->q[i];
	}
	q->n = keep;
}

void
dp_nbq_flush(struct dp_nbq *q)
{
	for (unsigned i = 0; i < q->n; i++)
		rte_pktmbuf_free(q->q[i].m);
	q->n = 0;
}
