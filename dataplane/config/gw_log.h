/* gw_log: the one log line shape both processes write, for people reading a
 * terminal and for journald and log shippers filtering on keys:
 *
 *   ts=2026-12-01T21:56:05.123Z level=notice proc=rtcgw-dp msg="ready: 1 worker(s)"
 *
 * One line per event; ts, level, proc and msg always present and in this
 * order; msg quoted with \" and \\ escaped and control characters replaced.
 * When stderr is journald's stream (JOURNAL_STREAM names it) each line starts
 * with its syslog priority ("<5>"), which journald turns into the entry's
 * priority. Not for the per-packet path (counters there). */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "gw_config.h"

/** Longest message written whole; longer ones are cut (and end in "..."). */
#define GW_LOG_MSG_MAX 1024

/**
 * Write one record per line of msg (len bytes, need not end in '\n'; empty
 * lines are skipped) to f and flush it.
 * @param f     stream, normally stderr
 * @param proc  process name, the proc= value (no spaces)
 * @param l     level
 * @param journal prefix each line with its syslog priority for journald
 */
void gw_log_write(FILE *f, const char *proc, enum gw_log_level l, const char *msg, size_t len,
		  bool journal);

/**
 * One printf-style record on stderr for process proc (the control plane's
 * and the TCP/TLS front's logs): formatted, cut at GW_LOG_MSG_MAX, with the
 * journald priority prefix when stderr is journald's stream (checked once).
 */
void gw_log_vprintf(const char *proc, enum gw_log_level l, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/**
 * True when stderr is connected to journald: JOURNAL_STREAM holds stderr's
 * device and inode (systemd.exec(5)).
 */
bool gw_log_journal_stderr(void);

/**
 * Level of DPDK's RTE_LOG_* value (1 emergency .. 8 debug, syslog + 1):
 * emergency to error are GW_LOG_ERROR.
 */
enum gw_log_level gw_log_level_from_rte(int rte_level);

/**
 * A write-only stream for rte_openlog_stream(): each complete line written
 * to it becomes one gw_log_write() record on stderr, at the level
 * cur_level() returns while the line is written (rte_log_cur_msg_loglevel).
 * A line without '\n' waits for the rest. Open it before rte_eal_init so
 * EAL's own lines take the same shape (and do not go to syslog as well).
 * @return the stream, or NULL with errno set (ENOMEM, or fopencookie's)
 */
FILE *gw_log_stream_open(const char *proc, int (*cur_level)(void));

#endif
