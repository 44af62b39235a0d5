#include "cp_log.h"

#include <stdarg.h>

#include "gw_log.h"

static enum gw_log_level threshold = GW_LOG_INFO;

void
cp_log_set_level(enum gw_log_level l)
{
	threshold = l;
}

void
cp_log(enum gw_log_level l, const char *fmt, ...)
{
	va_list ap;

	if (l > threshold)
		return;
	va_start(ap, fmt);
	gw_log_vprintf("rtcgw-cp", l, fmt, ap);
	va_end(ap);
}
