#include "cp_http.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define METHOD_MAX 32   /* longer than any method we or a proxy would send */

static bool
is_digit(unsigned char ch)
{
	return ch >= '0' && ch <= '9';
}

/* RFC 9110 §5.6.2 tchar. */
static bool
is_tchar(unsigned char ch)
{
	if (is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
		return true;
	return ch != '\0' && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

static bool
is_visible(unsigned char ch)
{
	return ch >= 0x21 && ch <= 0x7e;
}

static int
hex_val(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int
bad(const char **why, const char *reason)
{
	*why = reason;
	return -EBADMSG;
}

int
cp_http_request_line_check(const char *buf, size_t len, size_t max, const char **why)
{
	static const char version[] = "HTTP/";
	const unsigned char *p = (const unsigned char *)buf;
	size_t i = 0, start, n;
	unsigned char major, minor;

	*why = "request line incomplete";
	/* Empty lines before the request line. */
	while (i < len && (p[i] == '\r' || p[i] == '\n')) {
		if (p[i] == '\r' && i + 1 < len && p[i + 1] != '\n')
			return bad(why, "malformed request line: CR without LF");
		i++;
	}
	/* method */
	for (start = i; i < len && p[i] != ' '; i++) {
		if (!is_tchar(p[i]))
			return bad(why, "malformed request line: invalid method");
		if (i - start >= METHOD_MAX)
			return bad(why, "malformed request line: method too long");
	}
	if (i == len)
		goto more;
	if (i == start)
		return bad(why, "malformed request line: no method");
	i++;
	/* request-target */
	for (start = i; i < len && p[i] != ' '; i++)
		if (!is_visible(p[i]))
			return bad(why, "malformed request line: invalid request target");
	if (i == len)
		goto more;
	if (i == start)
		return bad(why, "malformed request line: no request target");
	i++;
	/* HTTP-version: "HTTP/" DIGIT "." DIGIT */
	for (n = 0; n < sizeof(version) - 1 && i < len; n++, i++)
		if (p[i] != (unsigned char)version[n])
			return bad(why, "malformed request line: no HTTP version");
	if (i == len)
		goto more;
	if (len - i < 3)
		goto more_digits;
	if (!is_digit(p[i]) || p[i + 1] != '.' || !is_digit(p[i + 2]))
		return bad(why, "malformed request line: invalid HTTP version");
	major = p[i];
	minor = p[i + 2];
	i += 3;
	if (i < len && p[i] == '\r')
		i++;
	if (i == len)
		goto more;
	if (p[i] != '\n')
		return bad(why, "malformed request line: junk after the HTTP version");
	if (major != '1' || (minor != '0' && minor != '1')) {
		*why = "HTTP version not supported (HTTP/1.0 and HTTP/1.1 are)";
		return -EPROTONOSUPPORT;
	}
	if (i + 1 > max)
		goto too_long;
	*why = NULL;
	return 0;
more_digits:
	/* A partial "d.d": check what is there. */
	if (!is_digit(p[i]) || (len - i == 2 && p[i + 1] != '.'))
		return bad(why, "malformed request line: invalid HTTP version");
more:
	if (len >= max)
		goto too_long;
	return -EAGAIN;
too_long:
	*why = "request line too long";
	return -E2BIG;
}

int
cp_http_target_check(const char *target, const char **why)
{
	const unsigned char *p = (const unsigned char *)target;

	for (; *p != '\0'; p++) {
		int hi, lo, ch;

		if (!is_visible(*p))
			return bad(why, "request target: byte outside visible ASCII");
		if (*p != '%')
			continue;
		hi = hex_val(p[1]);
		lo = hi < 0 ? -1 : hex_val(p[2]);
		if (hi < 0 || lo < 0)
			return bad(why, "request target: '%' not followed by two hex digits");
		ch = hi << 4 | lo;
		if (ch < 0x20 || ch == 0x7f)
			return bad(why, "request target: percent-encoded control character");
		p += 2;
	}
	*why = NULL;
	return 0;
}
