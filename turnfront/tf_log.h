/* tf_log: rtcgw-turnfront's log lines (gw_log.h's shape, proc=rtcgw-tf). */
#ifndef TF_LOG_H
#define TF_LOG_H

#include "gw_config.h"

/** Only lines at or below this level are written (default info). */
void tf_log_set_level(enum gw_log_level l);

/** printf-style log line on stderr. */
void tf_log(enum gw_log_level l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define TF_ERR(...)    tf_log(GW_LOG_ERROR, __VA_ARGS__)
#define TF_WARN(...)   tf_log(GW_LOG_WARNING, __VA_ARGS__)
#define TF_NOTICE(...) tf_log(GW_LOG_NOTICE, __VA_ARGS__)
#define TF_INFO(...)   tf_log(GW_LOG_INFO, __VA_ARGS__)
#define TF_DEBUG(...)  tf_log(GW_LOG_DEBUG, __VA_ARGS__)

#endif
