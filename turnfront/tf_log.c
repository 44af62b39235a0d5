#include "tf_log.h"

#include <stdarg.h>

#include "gw_log.h"

static enum gw_log_level threshold = GW_LOG_INFO;

void
tf_log_set_level(enum gw_log_level l)
{
	threshold = l;
}

void
tf_log(enum gw_log_level l, const char *fmt, ...)
{
	va_list ap;

	if (l > threshold)
		return;
	va_start(ap, fmt);
	gw_log_vprintf("rtcgw-tf", l, fmt, ap);
	va_end(ap);
}
