#include "tf_log.h"

#include <stdarg.h>
#include <stdio.h>

#include "gw_log.h"

static enum gw_log_level threshold = GW_LOG_INFO;
static int journal = -1;      /* unknown until the first line */

void
tf_log_set_level(enum gw_log_level l)
{
	threshold = l;
}

void
tf_log(enum gw_log_level l, const char *fmt, ...)
{
	char msg[GW_LOG_MSG_MAX + 2];
	va_list ap;
	int n;

	if (l > threshold)
		return;
	if (journal < 0)
		journal = gw_log_journal_stderr();
	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg))
		n = (int)sizeof(msg) - 1;
	gw_log_write(stderr, "rtcgw-tf", l, msg, (size_t)n, journal == 1);
}
