/* dp_lcore: the per-worker poll loop (STYLE.md practice 7). */
#ifndef DP_LCORE_H
#define DP_LCORE_H

/**
 * Entry point for rte_eal_mp_remote_launch on every dataplane lcore; the
 * main lcore runs worker 0. Returns when dp.quit is set.
 */
int dp_lcore_main(void *unused);

#endif
