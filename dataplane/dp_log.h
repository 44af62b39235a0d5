/* dp_log: the dataplane's log type. Logs only at init, on state changes, or
 * rate-limited (STYLE.md practice 11): never per packet. */
#ifndef DP_LOG_H
#define DP_LOG_H

#include <rte_log.h>

extern int dp_logtype;

#define DP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, dp_logtype, "rtcgw-dp: " fmt "\n", ##__VA_ARGS__)

#endif
