/* dp_log: the dataplane's log type. Logs only at init, on state changes, or
 * rate-limited (STYLE.md practice 11): never per packet. Every rte_log line
 * (ours and EAL's) goes through gw_log's stream: one key=value line each,
 * proc=rtcgw-dp (gw_log.h). */
#ifndef DP_LOG_H
#define DP_LOG_H

#include <rte_log.h>

extern int dp_logtype;

#define DP_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, dp_logtype, fmt "\n", ##__VA_ARGS__)

#endif
