/* cp_log: the control plane's log lines on stderr, with a level threshold. */
#ifndef CP_LOG_H
#define CP_LOG_H

#include "gw_config.h"

/** Only lines at or below this level are written (default info). */
void cp_log_set_level(enum gw_log_level l);

/** printf-style log line in gw_log.h's shape (proc=rtcgw-cp) on stderr. */
void cp_log(enum gw_log_level l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define CP_ERR(...)    cp_log(GW_LOG_ERROR, __VA_ARGS__)
#define CP_WARN(...)   cp_log(GW_LOG_WARNING, __VA_ARGS__)
#define CP_NOTICE(...) cp_log(GW_LOG_NOTICE, __VA_ARGS__)
#define CP_INFO(...)   cp_log(GW_LOG_INFO, __VA_ARGS__)
#define CP_DEBUG(...)  cp_log(GW_LOG_DEBUG, __VA_ARGS__)

#endif
