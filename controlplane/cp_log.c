#include "cp_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum gw_log_level threshold = GW_LOG_INFO;

void
cp_log_set_level(enum gw_log_level l)
{
	threshold = l;
}

void
cp_log(enum gw_log_level l, const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char when[32];
	va_list ap;

	if (l > threshold)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ rtcgw-cp %s: ", when, ts.tv_nsec / 1000000,
		gw_log_level_name(l));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
