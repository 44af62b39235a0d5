/* cp_metrics: the dataplane snapshot as Prometheus text and as JSON. */
#ifndef CP_METRICS_H
#define CP_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cp_ipc.h"
#include "cp_rest.h"

/**
 * Render the Prometheus text exposition (version 0.0.4): every counter,
 * summed over workers, with HELP and TYPE lines, plus per-port gauges and
 * rtcgw_dataplane_up, and the REST server's counters rs (NULL: left out).
 * s and i may be NULL when no dataplane is attached.
 * @return 0 and a malloc'd *out (caller frees); -ENOMEM.
 */
int cp_metrics_prometheus(const struct cp_dp_snapshot *s, const struct cp_dp_info *i,
			  const struct cp_rest_stats *rs, char **out, size_t *len);

struct gw_ipc_front;

/**
 * Append rtcgw-turnfront's metrics (rtcgw_front_*) to the malloc'd text
 * *out of *len bytes: its counters and open connections from its memzone,
 * and rtcgw_front_up (its process is alive). fr NULL: the front never ran
 * or is not configured (rtcgw_front_up 0, every series 0).
 * @return 0, or -ENOMEM (*out untouched).
 */
int cp_metrics_front_append(const struct gw_ipc_front *fr, char **out, size_t *len);

/** The same as a JSON object {dataplane, counters, ports}; NULL on ENOMEM. */
json_t *cp_metrics_json(const struct cp_dp_snapshot *s, const struct cp_dp_info *i,
			uint64_t now_ms);

/** The metric base name of counter idx, e.g. "rx_pkts" (lower case). */
const char *cp_metrics_counter_name(unsigned idx);

#endif
