/* gw_log: the key=value line shape both processes log in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "gw_log.h"

/* What gw_log_write writes for msg, as one string (the caller frees it).
 * out and n are static: open_memstream keeps their addresses until fclose,
 * which GCC's -Wdangling-pointer (release builds) takes for locals escaping. */
static char *
render(enum gw_log_level l, const char *msg, size_t len, bool journal)
{
	static char *out;
	static size_t n;
	FILE *f;

	out = NULL;
	n = 0;
	f = open_memstream(&out, &n);

	assert_non_null(f);
	gw_log_write(f, "rtcgw-test", l, msg, len, journal);
	fclose(f);
	return out;
}

/* Skip the ts=... field (its value changes) and check it looks right. */
static const char *
after_ts(const char *line)
{
	assert_memory_equal(line, "ts=", 3);
	/* ts=YYYY-MM-DDTHH:MM:SS.mmmZ */
	assert_int_equal(strlen(line) > 28, 1);
	assert_int_equal(line[13], 'T');
	assert_int_equal(line[26], 'Z');
	assert_int_equal(line[27], ' ');
	return line + 28;
}

static void
test_shape(void **state)
{
	char *s = render(GW_LOG_NOTICE, "ready: 1 worker(s)", 18, false);

	(void)state;
	assert_string_equal(after_ts(s), "level=notice proc=rtcgw-test msg=\"ready: 1 worker(s)\"\n");
	free(s);
}

static void
test_escaping(void **state)
{
	const char m[] = "say \"hi\" to C:\\x\tand\x01 more";
	char *s = render(GW_LOG_WARNING, m, sizeof(m) - 1, false);

	(void)state;
	assert_string_equal(after_ts(s),
		"level=warning proc=rtcgw-test msg=\"say \\\"hi\\\" to C:\\\\x and  more\"\n");
	free(s);
}

static void
test_one_record_per_line(void **state)
{
	const char m[] = "first\n\nsecond\r\nthird";
	char *s = render(GW_LOG_ERROR, m, sizeof(m) - 1, false);
	char *l2, *l3;

	(void)state;
	l2 = strchr(s, '\n') + 1;
	l3 = strchr(l2, '\n') + 1;
	assert_string_equal(strchr(l3, '\n'), "\n");   /* exactly three lines */
	assert_non_null(strstr(s, "level=error proc=rtcgw-test msg=\"first\"\n"));
	assert_memory_equal(after_ts(l2), "level=error proc=rtcgw-test msg=\"second\"\n", 41);
	assert_string_equal(after_ts(l3), "level=error proc=rtcgw-test msg=\"third\"\n");
	free(s);
}

static void
test_journal_priority(void **state)
{
	char *s = render(GW_LOG_ERROR, "x", 1, true);
	char *d = render(GW_LOG_DEBUG, "x", 1, true);

	(void)state;
	assert_memory_equal(s, "<3>ts=", 6);
	assert_memory_equal(d, "<7>ts=", 6);
	free(s);
	free(d);
}

static void
test_long_message_is_cut(void **state)
{
	char m[GW_LOG_MSG_MAX + 100];
	char *s;

	(void)state;
	memset(m, 'a', sizeof(m));
	s = render(GW_LOG_INFO, m, sizeof(m), false);
	assert_non_null(strstr(s, "aaa...\"\n"));
	assert_int_equal(strchr(s, '\n')[1], '\0');
	free(s);
}

static void
test_rte_levels(void **state)
{
	(void)state;
	assert_int_equal(gw_log_level_from_rte(1), GW_LOG_ERROR);   /* EMERG */
	assert_int_equal(gw_log_level_from_rte(4), GW_LOG_ERROR);   /* ERR */
	assert_int_equal(gw_log_level_from_rte(5), GW_LOG_WARNING);
	assert_int_equal(gw_log_level_from_rte(6), GW_LOG_NOTICE);
	assert_int_equal(gw_log_level_from_rte(7), GW_LOG_INFO);
	assert_int_equal(gw_log_level_from_rte(8), GW_LOG_DEBUG);
}

static int fake_level = 5;
static int
cur_level(void)
{
	return fake_level;
}

/* The rte_openlog_stream stream and journald detection, with stderr sent to
 * a temporary file. */
static void
test_stream_and_journal(void **state)
{
	char path[] = "/tmp/rtcgw-test-log.XXXXXX";
	char buf[1024], env[64];
	int fd = mkstemp(path), saved;
	struct stat st;
	FILE *f;
	ssize_t n;

	(void)state;
	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);

	unsetenv("JOURNAL_STREAM");
	assert_false(gw_log_journal_stderr());
	fstat(STDERR_FILENO, &st);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", env, 1);
	assert_true(gw_log_journal_stderr());
	setenv("JOURNAL_STREAM", "1:2", 1);
	assert_false(gw_log_journal_stderr());
	unsetenv("JOURNAL_STREAM");

	f = gw_log_stream_open("rtcgw-s", cur_level);
	assert_non_null(f);
	fprintf(f, "EAL: part ");      /* a line written in two pieces */
	fflush(f);
	fprintf(f, "two\nEAL: next\n");
	fflush(f);
	fake_level = 8;
	fprintf(f, "tail without newline");
	fclose(f);                      /* flushes the pending line */

	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, " level=warning proc=rtcgw-s msg=\"EAL: part two\"\n"));
	assert_non_null(strstr(buf, " level=warning proc=rtcgw-s msg=\"EAL: next\"\n"));
	assert_non_null(strstr(buf, " level=debug proc=rtcgw-s msg=\"tail without newline\"\n"));
	assert_null(strstr(buf, "msg=\"EAL: part \"")); /* not cut in two records */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_one_record_per_line),
		cmocka_unit_test(test_journal_priority),
		cmocka_unit_test(test_long_message_is_cut),
		cmocka_unit_test(test_rte_levels),
		cmocka_unit_test(test_stream_and_journal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
