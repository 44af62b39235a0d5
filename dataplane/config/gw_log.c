/* fopencookie needs _GNU_SOURCE, which the build defines. */
#include "gw_log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* syslog priorities of GW_LOG_ERROR .. GW_LOG_DEBUG */
static const int prio[] = { 3, 4, 5, 6, 7 };

static void
write_line(FILE *f, const char *proc, enum gw_log_level l, const char *p, size_t n, bool journal)
{
	char buf[GW_LOG_MSG_MAX * 2 + 160];
	char when[32];
	struct timespec ts;
	struct tm tm;
	size_t o = 0, i;
	unsigned lv = (unsigned)l < sizeof(prio) / sizeof(prio[0]) ? (unsigned)l : GW_LOG_DEBUG;
	bool cut = n > GW_LOG_MSG_MAX;

	if (cut)
		n = GW_LOG_MSG_MAX;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	if (journal)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "<%d>", prio[lv]);
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "ts=%s.%03ldZ level=%s proc=%s msg=\"",
			      when, ts.tv_nsec / 1000000, gw_log_level_name((enum gw_log_level)lv),
			      proc);
	for (i = 0; i < n && o < sizeof(buf) - 8; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			buf[o++] = ' ';
		} else {
			buf[o++] = (char)c;
		}
	}
	if (cut) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o++] = '\n';
	fwrite(buf, 1, o, f);
}

void
gw_log_write(FILE *f, const char *proc, enum gw_log_level l, const char *msg, size_t len,
	     bool journal)
{
	const char *p = msg, *end = msg + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl != NULL ? nl : end) - p);

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n > 0)
			write_line(f, proc, l, p, n, journal);
		p = nl != NULL ? nl + 1 : end;
	}
	fflush(f);
}

void
gw_log_vprintf(const char *proc, enum gw_log_level l, const char *fmt, va_list ap)
{
	static int journal = -1;      /* unknown until the first line */
	char msg[GW_LOG_MSG_MAX + 2];
	int n;

	if (journal < 0)
		journal = gw_log_journal_stderr();
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(msg))
		n = (int)sizeof(msg) - 1;
	gw_log_write(stderr, proc, l, msg, (size_t)n, journal == 1);
}

bool
gw_log_journal_stderr(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st) != 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

enum gw_log_level
gw_log_level_from_rte(int rte_level)
{
	if (rte_level <= 4)
		return GW_LOG_ERROR;
	if (rte_level == 5)
		return GW_LOG_WARNING;
	if (rte_level == 6)
		return GW_LOG_NOTICE;
	if (rte_level == 7)
		return GW_LOG_INFO;
	return GW_LOG_DEBUG;
}

struct stream {
	const char *proc;
	int (*cur_level)(void);
	bool journal;
	size_t n;
	char line[GW_LOG_MSG_MAX];
};

static ssize_t
stream_write(void *cookie, const char *p, size_t len)
{
	struct stream *s = cookie;
	enum gw_log_level l = gw_log_level_from_rte(s->cur_level());

	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n' || s->n == sizeof(s->line)) {
			gw_log_write(stderr, s->proc, l, s->line, s->n, s->journal);
			s->n = 0;
			if (p[i] == '\n')
				continue;
		}
		s->line[s->n++] = p[i];
	}
	return (ssize_t)len;
}

static int
stream_close(void *cookie)
{
	struct stream *s = cookie;

	if (s->n > 0)
		gw_log_write(stderr, s->proc, gw_log_level_from_rte(s->cur_level()), s->line, s->n,
			     s->journal);
	free(s);
	return 0;
}

FILE *
gw_log_stream_open(const char *proc, int (*cur_level)(void))
{
	cookie_io_functions_t io = { .write = stream_write, .close = stream_close };
	struct stream *s = calloc(1, sizeof(*s));
	FILE *f;

	if (s == NULL)
		return NULL;
	s->proc = proc;
	s->cur_level = cur_level;
	s->journal = gw_log_journal_stderr();
	f = fopencookie(s, "w", io);
	if (f == NULL) {
		free(s);
		return NULL;
	}
	return f;
}
