/*
 * dp_strm: the rings to rtcgw-turnfront (dp_strm.h).
 */
#include "dp_strm.h"

#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ring.h>

#include "dp_ctx.h"
#include "dp_log.h"
#include "dp_turn.h"
#include "gw_ipc.h"

static struct rte_ring *ring_in, *ring_out;

int
dp_strm_create(const struct gw_config *c)
{
	if (!c->turn.enabled || !c->turn.tcp.enabled)
		return 0;
	/* in: one producer (the front's loop), one consumer (worker 0);
	 * out: every worker produces (peer data lands where RSS puts it) */
	ring_in = rte_ring_create(GW_IPC_RING_STRM_IN, GW_IPC_STRM_RING_SIZE, SOCKET_ID_ANY,
				  RING_F_SP_ENQ | RING_F_SC_DEQ);
	ring_out = rte_ring_create(GW_IPC_RING_STRM_OUT, GW_IPC_STRM_RING_SIZE, SOCKET_ID_ANY,
				   RING_F_SC_DEQ);
	if (ring_in == NULL || ring_out == NULL)
		return rte_errno == EEXIST ? -EEXIST : -ENOMEM;
	DP_LOG(INFO, "TURN over TCP/TLS: rings to rtcgw-turnfront ready");
	return 0;
}

unsigned
dp_strm_poll(struct dp_worker *w)
{
	struct rte_mbuf *ms[DP_BURST];
	unsigned n;

	if (ring_in == NULL || w->idx != 0)
		return 0;
	n = rte_ring_sc_dequeue_burst(ring_in, (void **)ms, DP_BURST, NULL);
	for (unsigned i = 0; i < n; i++) {
		struct rte_mbuf *m = ms[i];
		struct gw_ipc_strm h;

		if (m->nb_segs != 1 || rte_pktmbuf_data_len(m) < sizeof(h)) {
			DP_CNT(w, TURN_STREAM_DROP_BAD);
			rte_pktmbuf_free(m);
			continue;
		}
		memcpy(&h, rte_pktmbuf_mtod(m, const void *), sizeof(h));
		switch (h.type) {
		case GW_IPC_STRM_MSG:
			if (h.conn == 0 || h.len == 0 ||
			    (size_t)h.len + sizeof(h) != rte_pktmbuf_data_len(m)) {
				DP_CNT(w, TURN_STREAM_DROP_BAD);
				rte_pktmbuf_free(m);
				break;
			}
			DP_CNT(w, TURN_STREAM_IN);
			dp_turn_stream_input(w, m, &h);
			break;
		case GW_IPC_STRM_CLOSE:
			dp_turn_stream_close(w, &h);
			rte_pktmbuf_free(m);
			break;
		case GW_IPC_STRM_RESET:
			dp_turn_stream_reset(w);
			rte_pktmbuf_free(m);
			break;
		default:
			DP_CNT(w, TURN_STREAM_DROP_BAD);
			rte_pktmbuf_free(m);
			break;
		}
	}
	return n;
}

bool
dp_strm_send(struct dp_worker *w, struct rte_mbuf *m)
{
	if (ring_out == NULL || m->nb_segs != 1 ||
	    rte_ring_mp_enqueue(ring_out, m) != 0) {
		DP_CNT(w, TURN_STREAM_DROP_RING);
		rte_pktmbuf_free(m);
		return false;
	}
	DP_CNT(w, TURN_STREAM_OUT);
	return true;
}

static void
drain(struct rte_ring *r)
{
	void *m;

	while (r != NULL && rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
}

void
dp_strm_drain(void)
{
	drain(ring_in);
	drain(ring_out);
}
