/* cp_clock: the control plane's monotonic clock in milliseconds (timers,
 * snapshot ages, REST deadlines). */
#ifndef CP_CLOCK_H
#define CP_CLOCK_H

#include <stdint.h>
#include <time.h>

/** CLOCK_MONOTONIC in ms; never fails on Linux. */
static inline uint64_t
cp_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

#endif
