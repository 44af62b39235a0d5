/*
 * dp_test_eal: the EAL every DPDK unit test and bench boots (no hugepages,
 * no shared config, no devices, no telemetry socket), and its clean-up.
 */
#ifndef DP_TEST_EAL_H
#define DP_TEST_EAL_H

#include <sched.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>

/*
 * rte_eal_init() on the first CPU the process may run on (so `taskset -c 1
 * bench_...` stays on CPU 1: EAL pins its main lcore) with --no-huge -m mem_mb --no-shconf --no-pci,
 * file prefix prefix, log level error, no telemetry.
 * @return 0, or -1 (EAL failed).
 */
static inline int
dp_test_eal_init(const char *prog, const char *prefix, unsigned mem_mb)
{
	char a[12][32];
	char *argv[13];
	unsigned cpu = 0;
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &set))
			cpu++;

	snprintf(a[0], sizeof(a[0]), "%s", prog);
	snprintf(a[1], sizeof(a[1]), "--no-huge");
	snprintf(a[2], sizeof(a[2]), "-m");
	snprintf(a[3], sizeof(a[3]), "%u", mem_mb);
	snprintf(a[4], sizeof(a[4]), "--no-shconf");
	snprintf(a[5], sizeof(a[5]), "--no-pci");
	snprintf(a[6], sizeof(a[6]), "--file-prefix");
	snprintf(a[7], sizeof(a[7]), "%s", prefix);
	snprintf(a[8], sizeof(a[8]), "-l");
	snprintf(a[9], sizeof(a[9]), "%u", cpu);
	snprintf(a[10], sizeof(a[10]), "--log-level=error");
	snprintf(a[11], sizeof(a[11]), "--no-telemetry");    /* no socket left behind */
	for (unsigned i = 0; i < 12; i++)
		argv[i] = a[i];
	argv[12] = NULL;
	return rte_eal_init(12, argv) < 0 ? -1 : 0;
}

/*
 * rte_eal_cleanup(), then remove the runtime directory EAL made for prefix
 * even with --no-shconf (/var/run/dpdk/<prefix>), so a test run leaves
 * nothing behind.
 */
static inline void
dp_test_eal_fini(const char *prefix)
{
	char dir[128];

	(void)rte_eal_cleanup();
	snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", prefix);
	(void)rmdir(dir);
}

#endif
