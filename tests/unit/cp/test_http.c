/* Unit tests for controlplane/cp_http.[ch]: the request-line gate and the raw
 * request-target check. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp_http.h"

#define MAX 64

struct line_case {
	const char *in;
	size_t len;      /* 0: strlen(in) */
	int rc;
};

static const struct line_case line_cases[] = {
	/* complete and well formed */
	/* 1 */ { "GET / HTTP/1.1\r\n", 0, 0 },
	/* 2 */ { "GET /v1/stats HTTP/1.0\n", 0, 0 },
	/* 3 */ { "\r\n\r\nHEAD /healthz HTTP/1.1\r\nHost: x\r\n", 0, 0 },
	/* 4 */ { "M-SEARCH * HTTP/1.1\r\n", 0, 0 },
	/* 5 */ { "GET /a?b=%00 HTTP/1.1\r\n", 0, 0 },          /* the target is checked later */
	/* incomplete but fine so far */
	/* 6 */ { "", 0, -EAGAIN },
	/* 7 */ { "\r\n", 0, -EAGAIN },
	/* 8 */ { "GE", 0, -EAGAIN },
	/* 9 */ { "GET ", 0, -EAGAIN },
	/* 10 */ { "GET /x", 0, -EAGAIN },
	/* 11 */ { "GET /x HT", 0, -EAGAIN },
	/* 12 */ { "GET /x HTTP/", 0, -EAGAIN },
	/* 13 */ { "GET /x HTTP/1", 0, -EAGAIN },
	/* 14 */ { "GET /x HTTP/1.", 0, -EAGAIN },
	/* 15 */ { "GET /x HTTP/1.1", 0, -EAGAIN },
	/* 16 */ { "GET /x HTTP/1.1\r", 0, -EAGAIN },
	/* garbage: refused at once */
	/* 17 */ { "GARBAGE\r\n\r\n", 0, -EBADMSG },
	/* 18 */ { "\x16\x03\x01\x00\xa5\x01", 6, -EBADMSG },  /* a TLS ClientHello */
	/* 19 */ { "GET\0/ HTTP/1.1\r\n", 16, -EBADMSG },
	/* 20 */ { " GET / HTTP/1.1\r\n", 0, -EBADMSG },
	/* 21 */ { "GET  / HTTP/1.1\r\n", 0, -EBADMSG },
	/* 22 */ { "GET /\x01 HTTP/1.1\r\n", 0, -EBADMSG },
	/* 23 */ { "GET /\xc3\xa9 HTTP/1.1\r\n", 0, -EBADMSG },
	/* 24 */ { "GET / FTP/1.1\r\n", 0, -EBADMSG },
	/* 25 */ { "GET / HTTP/1.1 \r\n", 0, -EBADMSG },
	/* 26 */ { "GET / HTTP/1x1\r\n", 0, -EBADMSG },
	/* 27 */ { "GET / HTTP/x", 0, -EBADMSG },
	/* 28 */ { "GET / HTTP/1x", 0, -EBADMSG },
	/* 29 */ { "GET / HTTP/1.1\rX", 0, -EBADMSG },
	/* 30 */ { "\r\rGET / HTTP/1.1\r\n", 0, -EBADMSG },
	/* 31 */ { "GET /\r\n", 0, -EBADMSG },                  /* HTTP/0.9 */
	/* 32 */ { "GET\r\n", 0, -EBADMSG },
	/* 33 */ { "GETGETGETGETGETGETGETGETGETGETGETGET / HTTP/1.1\r\n", 0, -EBADMSG },
	/* other versions */
	/* 34 */ { "GET / HTTP/9.9\r\n", 0, -EPROTONOSUPPORT },
	/* 35 */ { "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 0, -EPROTONOSUPPORT },
	/* 36 */ { "GET / HTTP/1.2\r\n", 0, -EPROTONOSUPPORT },
	/* too long */
	/* 37 */ { "GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0, -E2BIG },
	/* 38 */ { "GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n", 0,
		   -E2BIG },                                    /* 65 bytes */
	/* 39 */ { "GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa HTTP/1.1\r\n", 0,
		   0 },                                         /* 64 bytes */
};

static void
test_request_line(void **state)
{
	unsigned failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		const struct line_case *t = &line_cases[i];
		size_t len = t->len ? t->len : strlen(t->in);
		const char *why = "unset";
		int rc = cp_http_request_line_check(t->in, len, MAX, &why);

		if (rc != t->rc || (rc != 0 && why == NULL) || (rc == 0 && why != NULL)) {
			print_error("row %zu: rc %d (%s), want %d\n", i + 1, rc,
				    why ? why : "(null)", t->rc);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/* Every prefix of a good line is "more, please"; the whole line is fine. */
static void
test_request_line_prefixes(void **state)
{
	static const char line[] = "\r\nDELETE /v1/ice/legs/7?x=%41 HTTP/1.1\r\n";
	const char *why;

	(void)state;
	for (size_t n = 0; n < sizeof(line) - 1; n++)
		assert_int_equal(cp_http_request_line_check(line, n, 4096, &why), -EAGAIN);
	assert_int_equal(cp_http_request_line_check(line, sizeof(line) - 1, 4096, &why), 0);
}

struct target_case {
	const char *in;
	int rc;
};

static const struct target_case target_cases[] = {
	/* 1 */ { "/v1/turn/credentials?username=alice&ttl=60", 0 },
	/* 2 */ { "/a%20b?u=%C3%A9+x", 0 },
	/* 3 */ { "/", 0 },
	/* 4 */ { "", 0 },
	/* 5 */ { "/v1/stats%00", -EBADMSG },
	/* 6 */ { "/v1/turn/credentials?username=a%00b", -EBADMSG },
	/* 7 */ { "/x?u=a%0d%0aSet-Cookie:1", -EBADMSG },
	/* 8 */ { "/x?u=%1F", -EBADMSG },
	/* 9 */ { "/x?u=%7f", -EBADMSG },
	/* 10 */ { "/x?u=%7E", 0 },
	/* 11 */ { "/x?u=%", -EBADMSG },
	/* 12 */ { "/x?u=%4", -EBADMSG },
	/* 13 */ { "/x?u=%zz", -EBADMSG },
	/* 14 */ { "/x\x01y", -EBADMSG },
	/* 15 */ { "/x y", -EBADMSG },
	/* 16 */ { "/\xc3\xa9", -EBADMSG },
	/* 17 */ { "/%25%30%30", 0 },          /* "%00" encoded once more: a literal text */
};

static void
test_target(void **state)
{
	unsigned failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(target_cases) / sizeof(target_cases[0]); i++) {
		const char *why = "unset";
		int rc = cp_http_target_check(target_cases[i].in, &why);

		if (rc != target_cases[i].rc || (rc != 0) != (why != NULL)) {
			print_error("row %zu: rc %d (%s), want %d\n", i + 1, rc,
				    why ? why : "(null)", target_cases[i].rc);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_line),
		cmocka_unit_test(test_request_line_prefixes),
		cmocka_unit_test(test_target),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
