/*
 * cp_http: pure checks on raw HTTP/1.x request bytes, for cp_rest's
 * connection gate and URI check (no I/O, no allocation, no libmicrohttpd).
 *
 * libmicrohttpd 0.9.75 closes a connection whose request line it cannot
 * split without answering, answers other malformed lines with an HTML page,
 * and percent-decodes "%00" into the path and query values it hands on.
 * cp_rest peeks at a new connection's first line with
 * cp_http_request_line_check() before libmicrohttpd sees it, and checks each
 * request's raw target with cp_http_target_check(), so these requests get a
 * JSON error of our own.
 */
#ifndef CP_HTTP_H
#define CP_HTTP_H

#include <stddef.h>

/**
 * Check the request line at the start of @p buf (RFC 9112 §3: method SP
 * request-target SP HTTP-version CRLF; a bare LF ends a line too, and empty
 * lines before it are skipped as §2.2 allows). Every byte seen so far is
 * checked, so garbage is refused as soon as it arrives, without waiting for a
 * line end.
 *
 * @param buf   the bytes received so far (not NUL-terminated)
 * @param len   their count
 * @param max   the longest request line accepted (bytes, leading empty lines included)
 * @param why   set to a static reason on every error
 * @return 0: a complete, well-formed HTTP/1.0 or HTTP/1.1 request line;
 *         -EAGAIN: well-formed so far, the line is not complete yet;
 *         -EBADMSG: not an HTTP request line (answer 400);
 *         -E2BIG: no line end within @p max bytes (answer 414);
 *         -EPROTONOSUPPORT: a well-formed line of another HTTP version (answer 505).
 */
int cp_http_request_line_check(const char *buf, size_t len, size_t max, const char **why);

/**
 * Check a raw (not yet percent-decoded) request target: path and query.
 *
 * @param target NUL-terminated, as received
 * @param why    set to a static reason on error
 * @return 0 when every byte is visible ASCII (0x21..0x7e), every '%' starts a
 *         two-hex-digit escape, and no escape decodes to a control character
 *         (0x00..0x1f, 0x7f); -EBADMSG otherwise.
 */
int cp_http_target_check(const char *target, const char **why);

#endif
