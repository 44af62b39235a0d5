#include "cp_rest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "cp_log.h"

struct cp_rest {
	struct MHD_Daemon *d;
	const struct gw_config *conf;
	const struct cp_rest_route *routes;
	size_t n_routes;
	void *app;
};

/* Per-connection state while a request body arrives. */
struct body {
	char *buf;
	size_t len;
	bool too_big;
};

static enum MHD_Result
reply_hdrs(const struct cp_rest_req *r, unsigned status, const char *type, const char *data,
	   size_t len, const char *const *hdrs)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)data,
					       MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"rtcgw\"");
	for (size_t i = 0; hdrs != NULL && hdrs[i] != NULL && hdrs[i + 1] != NULL; i += 2)
		MHD_add_response_header(resp, hdrs[i], hdrs[i + 1]);
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result
reply(const struct cp_rest_req *r, unsigned status, const char *type, const char *data,
      size_t len)
{
	return reply_hdrs(r, status, type, data, len, NULL);
}

enum MHD_Result
cp_rest_reply_hdrs(const struct cp_rest_req *r, unsigned status, const char *content_type,
		   const char *text, size_t len, const char *const *hdrs)
{
	return reply_hdrs(r, status, content_type, text, len, hdrs);
}

enum MHD_Result
cp_rest_reply_text(const struct cp_rest_req *r, unsigned status, const char *content_type,
		   const char *text, size_t len)
{
	return reply(r, status, content_type, text, len);
}

enum MHD_Result
cp_rest_reply_json(const struct cp_rest_req *r, unsigned status, json_t *doc)
{
	enum MHD_Result ret;
	char *s;

	if (doc == NULL)         /* jansson could not allocate: no body to send */
		return MHD_NO;
	s = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (s == NULL)
		return MHD_NO;
	ret = reply(r, status, "application/json", s, strlen(s));
	free(s);
	return ret;
}

enum MHD_Result
cp_rest_reply_error(const struct cp_rest_req *r, unsigned status, const char *fmt, ...)
{
	char reason[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return cp_rest_reply_json(r, status, json_pack("{s:s}", "error", reason));
}

/* Bearer-token check, in constant time per configured token. */
static bool
authorized(const struct cp_rest *rest, struct MHD_Connection *conn, const char **why)
{
	const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_AUTHORIZATION);
	bool ok = false;
	size_t len;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0) {
		*why = "missing bearer token (Authorization: Bearer <token>)";
		return false;
	}
	h += 7;
	len = strlen(h);
	for (unsigned i = 0; i < rest->conf->controlplane.n_tokens; i++) {
		const char *t = rest->conf->controlplane.tokens[i];

		if (strlen(t) == len && gw_ct_equal(t, h, len))
			ok = true;
	}
	*why = "invalid bearer token";
	return ok;
}

static bool
path_matches(const char *pattern, const char *path)
{
	size_t n = strlen(pattern);

	if (n > 0 && pattern[n - 1] == '*')
		return strncmp(pattern, path, n - 1) == 0;
	return strcmp(pattern, path) == 0;
}

static enum MHD_Result
dispatch(struct cp_rest *rest, const struct cp_rest_req *r)
{
	const char *why;
	bool path_known = false;

	/* CORS preflights carry no credentials (Fetch standard): OPTIONS routes
	 * answer without the token and must reveal nothing. */
	if (strncmp(r->path, "/v1/", 4) == 0 && strcmp(r->method, "OPTIONS") != 0 &&
	    !authorized(rest, r->conn, &why))
		return cp_rest_reply_error(r, MHD_HTTP_UNAUTHORIZED, "%s", why);
	for (size_t i = 0; i < rest->n_routes; i++) {
		const struct cp_rest_route *rt = &rest->routes[i];

		if (!path_matches(rt->path, r->path))
			continue;
		path_known = true;
		if (strcmp(rt->method, r->method) == 0)
			return rt->fn(rest->app, r);
	}
	if (path_known)
		return cp_rest_reply_error(r, MHD_HTTP_METHOD_NOT_ALLOWED,
					   "method %s not allowed on %s", r->method, r->path);
	return cp_rest_reply_error(r, MHD_HTTP_NOT_FOUND, "no such resource: %s", r->path);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
	   const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct cp_rest *rest = cls;
	struct body *b = *con_cls;
	struct cp_rest_req r = { .conn = conn, .method = method, .path = url };
	enum MHD_Result ret;

	(void)version;
	if (b == NULL) {
		/* First call: headers only. Set up body gathering. */
		b = calloc(1, sizeof(*b));
		if (b == NULL)
			return MHD_NO;
		*con_cls = b;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		if (!b->too_big && b->len + *upload_size <= CP_REST_MAX_BODY) {
			char *nb = realloc(b->buf, b->len + *upload_size + 1);

			if (nb == NULL)
				return MHD_NO;
			memcpy(nb + b->len, upload, *upload_size);
			b->buf = nb;
			b->len += *upload_size;
			b->buf[b->len] = '\0';
		} else {
			b->too_big = true;
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (b->too_big)
		return cp_rest_reply_error(&r, MHD_HTTP_CONTENT_TOO_LARGE,
					   "request body larger than %d bytes", CP_REST_MAX_BODY);
	r.body = b->buf;
	r.body_len = b->len;
	ret = dispatch(rest, &r);
	return ret;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct body *b = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (b != NULL) {
		free(b->buf);
		free(b);
		*con_cls = NULL;
	}
}

int
cp_rest_create(struct cp_rest **out, const struct gw_config *conf,
	       const struct cp_rest_route *routes, size_t n_routes, void *app, char *err,
	       size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct cp_rest *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r->conf = conf;
	r->routes = routes;
	r->n_routes = n_routes;
	r->app = app;
	sa.sin_addr.s_addr = htonl(conf->controlplane.rest_listen.addr);
	sa.sin_port = htons(conf->controlplane.rest_listen.port);
	/* MHD_USE_EPOLL without an internal thread: our loop polls its fd. */
	r->d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
				on_request, r,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, r,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)512,
				MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
				MHD_OPTION_END);
	if (r->d == NULL) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &sa.sin_addr, a, sizeof(a));
		snprintf(err, errlen, "cannot listen on %s:%u (controlplane.rest.listen): %s",
			 a, conf->controlplane.rest_listen.port,
			 errno ? strerror(errno) : "microhttpd refused");
		free(r);
		return -EADDRINUSE;
	}
	*out = r;
	return 0;
}

void
cp_rest_free(struct cp_rest *r)
{
	if (r == NULL)
		return;
	MHD_stop_daemon(r->d);
	free(r);
}

int
cp_rest_fd(const struct cp_rest *r)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_EPOLL_FD);

	return i ? i->epoll_fd : -1;
}

int
cp_rest_timeout_ms(const struct cp_rest *r)
{
	MHD_UNSIGNED_LONG_LONG t;

	if (MHD_get_timeout(r->d, &t) != MHD_YES)
		return -1;
	return t > 1000 ? 1000 : (int)t;
}

void
cp_rest_run(struct cp_rest *r)
{
	MHD_run(r->d);
}
