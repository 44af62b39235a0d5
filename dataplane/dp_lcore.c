#include "dp_lcore.h"

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "dp_arp.h"
#include "dp_classify.h"
#include "dp_ctx.h"
#include "dp_exc.h"
#include "dp_frag.h"
#include "dp_ice.h"
#include "dp_ipc.h"
#include "dp_log.h"
#include "dp_media.h"
#include "dp_reload.h"
#include "dp_strm.h"
#include "dp_turn.h"

/* Idle back-off (busy_poll false). The PMDs this runs on off a NIC
 * (net_af_xdp, net_af_packet) have no RX interrupts in DPDK 22.11, so the
 * worker sleeps between polls, and the sleep adapts to the load:
 *  - a poll that fills half a burst or more means load: spin (back to
 *    IDLE_SPIN_LOOPS empty polls before the first sleep of IDLE_SLEEP_FIRST_US);
 *  - a poll that finds a few packets (light load) keeps the current sleep
 *    and skips the spins, so each wake-up collects what arrived meanwhile;
 *  - an empty poll doubles the sleep, up to dataplane.idle_sleep_us.
 * At light load a wake-up then serves every packet that came in one
 * idle_sleep_us, instead of each packet restarting spins and short sleeps
 * (16 us, 32, 64...: about four wake-ups per packet at 10k pps). The first
 * packet after idling waits at most idle_sleep_us, as before. Measured
 * with scripts/bench.sh and perf: see the commit that introduced this. */
#define IDLE_SPIN_LOOPS 16
#define IDLE_SLEEP_FIRST_US 16
#define LOAD_BURST (DP_BURST / 2)

int
dp_lcore_main(void *unused)
{
	const unsigned lcore = rte_lcore_id();
	const uint64_t tick = dp.tsc_hz / 10000;      /* 100 us: IPC, ARP retries */
	const bool busy = dp.conf->dataplane.busy_poll;
	const uint32_t max_sleep = dp.conf->dataplane.idle_sleep_us;
	struct rte_mbuf *pkts[DP_BURST];
	struct dp_worker *w = NULL;
	uint64_t next_tick = 0;
	unsigned idle = 0;
	uint32_t sleep_us = IDLE_SLEEP_FIRST_US;

	(void)unused;
	for (unsigned i = 0; i < dp.n_workers; i++)
		if (dp.workers[i]->lcore_id == lcore)
			w = dp.workers[i];
	if (w == NULL)
		return 0;
	DP_LOG(INFO, "worker %u running on lcore %u", w->idx, lcore);
	dp_ice_worker_start(w);
	dp_turn_worker_start(w);

	while (!__atomic_load_n(&dp.quit, __ATOMIC_RELAXED)) {
		unsigned got = 0;
		uint64_t now;

		for (unsigned pi = 0; pi < dp.n_ports; pi++) {
			uint16_t n = rte_eth_rx_burst(dp.ports[pi].port_id, (uint16_t)w->idx,
						      pkts, DP_BURST);
			if (n != 0) {
				dp_classify_burst(w, pi, pkts, n);
				got += n;
			}
		}
		dp_worker_clock(w);             /* for what the polls below hand in */
		dp_frag_rx_flush(w);            /* what reassembly let go of */
		got += dp_exc_poll(w);
		got += dp_media_poll(w);
		got += dp_strm_poll(w);         /* worker 0: TURN over TCP/TLS */
		for (unsigned pi = 0; pi < dp.n_ports; pi++)
			rte_eth_tx_buffer_flush(dp.ports[pi].port_id, (uint16_t)w->idx, w->txb[pi]);

		dp_ice_quiescent(w);
		dp_turn_quiescent(w);
		now = rte_rdtsc();
		if (now >= next_tick) {
			dp_ipc_poll(w);
			dp_arp_tick(w, now);
			dp_ndp_tick(w, now);
			dp_ice_tick(w, now);
			dp_turn_tick(w, now);
			dp_media_tick(w, now);      /* worker 0: receiver reports */
			dp_reload_poll(w);
			next_tick = now + tick;
		}
		if (got >= LOAD_BURST || busy) {
			idle = 0;
			sleep_us = IDLE_SLEEP_FIRST_US;
			continue;
		}
		if (got != 0) {
			/* Light load: sleep again at once, as long as before. */
			if (sleep_us > IDLE_SLEEP_FIRST_US)
				idle = IDLE_SPIN_LOOPS;
			continue;
		}
		if (++idle < IDLE_SPIN_LOOPS || max_sleep == 0)
			continue;
		DP_CNT(w, IDLE_SLEEPS);
		rte_delay_us_sleep(sleep_us);
		if (sleep_us < max_sleep)
			sleep_us = sleep_us * 2 > max_sleep ? max_sleep : sleep_us * 2;
	}
	dp_ice_worker_stop(w);
	dp_turn_worker_stop(w);
	dp_arp_flush_pending(w);
	dp_ndp_flush_pending(w);
	for (unsigned pi = 0; pi < dp.n_ports; pi++)
		rte_eth_tx_buffer_flush(dp.ports[pi].port_id, (uint16_t)w->idx, w->txb[pi]);
	DP_LOG(INFO, "worker %u stopped", w->idx);
	return 0;
}
