#include "cp_rest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cp_clock.h"
#include "cp_http.h"
#include "cp_log.h"
#include "ct.h"

#define GATE_MAX    8192   /* longest request line accepted (414 beyond) */
#define ACCEPT_MAX  64     /* accepts per listener per cp_rest_run */
#define EVENTS_MAX  64
#define DRAIN_MAX   (64 * 1024)
#define WARN_EVERY_MS 10000  /* at most one warning per kind this often */

enum ev_kind { EV_LISTEN, EV_MHD, EV_CONN };

/* What an event of our epoll set points at. */
struct ev {
	enum ev_kind kind;
	void *obj;
};

struct listener;

/*
 * One client connection, from accept() to close. It is "pending" until its
 * request line is complete and well formed (we own the socket), then
 * libmicrohttpd's (in_mhd). Either way it sits in its listener's list in
 * deadline order: deadlines are always now + request timeout when set, so
 * appending keeps the list sorted.
 */
struct conn {
	TAILQ_ENTRY(conn) link;
	struct ev ev;
	struct listener *l;
	struct MHD_Connection *mc;
	int fd;
	struct sockaddr_in sa;
	uint64_t deadline_ms;
	bool linked;                 /* in l->conns (l->streams when stream) */
	bool stream;                 /* a long-lived stream: no deadline */
	bool in_mhd;
	/* The request in progress (libmicrohttpd's side). */
	const char *bad_target;      /* why its raw target is refused; NULL: fine */
	char *body;
	size_t body_len;
	bool too_big;
};

TAILQ_HEAD(conn_list, conn);

struct listener {
	struct cp_rest *rest;
	const char *key;             /* config key, for messages */
	bool health;                 /* serves only the routes marked health */
	int lfd;
	struct MHD_Daemon *d;
	struct ev ev_listen, ev_mhd;
	struct conn_list conns;      /* deadline order */
	struct conn_list streams;    /* cp_rest_req_stream(): no deadline */
	unsigned n_conns;
};

struct cp_rest {
	int ep;
	struct listener ls[2];
	unsigned n_ls;
	const struct gw_config *conf;
	const struct cp_rest_route *routes;
	size_t n_routes;
	void *app;
	uint64_t timeout_ms;         /* controlplane.rest.request_timeout_s */
	unsigned max_conns, max_per_ip;
	cp_rest_handler_fn *own_auth[4];  /* cp_rest_own_auth() */
	struct conn *adopting;       /* inside MHD_add_connection() */
	bool adopted;
	struct cp_rest_stats st;
	uint64_t warned_ms[2];       /* last "connections refused", "deadline" warning */
};

/* A limit was hit: say so in the log, at most once per WARN_EVERY_MS per kind
 * (a flood must not flood the log; the counters have every event). */
static void
warn_limit(struct cp_rest *rest, unsigned kind, uint64_t now)
{
	if (rest->warned_ms[kind] != 0 && now - rest->warned_ms[kind] < WARN_EVERY_MS)
		return;
	rest->warned_ms[kind] = now;
	if (kind == 0)
		CP_WARN("REST: connections refused (%llu over max_connections, %llu over "
			"max_connections_per_ip since start)",
			(unsigned long long)rest->st.refused_full,
			(unsigned long long)rest->st.refused_per_ip);
	else
		CP_WARN("REST: connections closed at request_timeout_s (%llu since start)",
			(unsigned long long)rest->st.deadline_closed);
}

/* ---- replies through libmicrohttpd --------------------------------------- */

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
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED && r->allow != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
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

int
cp_rest_own_auth(struct cp_rest *r, cp_rest_handler_fn *fn)
{
	for (size_t k = 0; k < 4; k++) {
		if (r->own_auth[k] == NULL || r->own_auth[k] == fn) {
			r->own_auth[k] = fn;
			return 0;
		}
	}
	return -ENOSPC;
}

static struct conn *conn_of(struct MHD_Connection *mc);

void
cp_rest_req_stream(const struct cp_rest_req *r)
{
	struct conn *c = conn_of(r->conn);

	if (c == NULL || c->stream)
		return;
	if (c->linked)
		TAILQ_REMOVE(&c->l->conns, c, link);
	TAILQ_INSERT_TAIL(&c->l->streams, c, link);
	c->linked = true;
	c->stream = true;
	MHD_set_connection_option(r->conn, MHD_CONNECTION_OPTION_TIMEOUT, (unsigned)0);
}

/* ---- routing ------------------------------------------------------------ */

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

/* HEAD is served by every GET route; libmicrohttpd sends no body for it. */
static bool
method_matches(const char *route, const char *method)
{
	return strcmp(route, method) == 0 ||
	       (strcmp(method, MHD_HTTP_METHOD_HEAD) == 0 &&
		strcmp(route, MHD_HTTP_METHOD_GET) == 0);
}

static enum MHD_Result
dispatch(struct cp_rest *rest, const struct listener *l, struct cp_rest_req *r)
{
	char allow[64] = "";
	const char *why;
	bool path_known = false;

	/* CORS preflights carry no credentials (Fetch standard): OPTIONS routes
	 * answer without the token and must reveal nothing. */
	r->authorized = true;
	if (strncmp(r->path, "/v1/", 4) == 0 && !l->health &&
	    strcmp(r->method, MHD_HTTP_METHOD_OPTIONS) != 0 && !authorized(rest, r->conn, &why)) {
		r->authorized = false;
		/* A route checking its own credentials (an EventSource cannot
		 * send an Authorization header) still gets the request. */
		for (size_t i = 0; i < rest->n_routes; i++) {
			const struct cp_rest_route *rt = &rest->routes[i];

			if (!path_matches(rt->path, r->path) ||
			    !method_matches(rt->method, r->method))
				continue;
			for (size_t k = 0; k < 4; k++)
				if (rest->own_auth[k] == rt->fn)
					return rt->fn(rest->app, r);
			break;
		}
		return cp_rest_reply_error(r, MHD_HTTP_UNAUTHORIZED, "%s", why);
	}
	for (size_t i = 0; i < rest->n_routes; i++) {
		const struct cp_rest_route *rt = &rest->routes[i];
		size_t n = strlen(allow);

		if ((l->health && !rt->health) || !path_matches(rt->path, r->path))
			continue;
		path_known = true;
		if (method_matches(rt->method, r->method))
			return rt->fn(rest->app, r);
		snprintf(allow + n, sizeof(allow) - n, "%s%s%s", n ? ", " : "", rt->method,
			 strcmp(rt->method, MHD_HTTP_METHOD_GET) == 0 ? ", HEAD" : "");
	}
	if (path_known) {
		r->allow = allow;
		return cp_rest_reply_error(r, MHD_HTTP_METHOD_NOT_ALLOWED,
					   "method %s not allowed on %s", r->method, r->path);
	}
	return cp_rest_reply_error(r, MHD_HTTP_NOT_FOUND, "no such resource: %s", r->path);
}

/* ---- connection bookkeeping ---------------------------------------------- */

static struct conn *
conn_of(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *i =
		MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return i ? i->socket_context : NULL;
}

static void
set_deadline(struct conn *c, uint64_t now)
{
	struct listener *l = c->l;

	if (c->stream)
		return;             /* ends with the connection (Connection: close) */
	if (c->linked)
		TAILQ_REMOVE(&l->conns, c, link);
	c->deadline_ms = now + l->rest->timeout_ms;
	TAILQ_INSERT_TAIL(&l->conns, c, link);
	c->linked = true;
}

static void
conn_reset_request(struct conn *c)
{
	free(c->body);
	c->body = NULL;
	c->body_len = 0;
	c->too_big = false;
	c->bad_target = NULL;
}

/* Forget a connection whose socket is closed (or about to be, by its owner). */
static void
conn_free(struct conn *c)
{
	if (c->linked)
		TAILQ_REMOVE(c->stream ? &c->l->streams : &c->l->conns, c, link);
	c->l->n_conns--;
	conn_reset_request(c);
	free(c);
}

/* Close a pending connection (ours alone). */
static void
pending_close(struct conn *c)
{
	close(c->fd);           /* also leaves the epoll set */
	conn_free(c);
}

static const char *
status_text(unsigned status)
{
	const char *s = MHD_get_reason_phrase_for(status);

	return s && *s ? s : "Error";
}

/*
 * Answer {"error": why} on a socket libmicrohttpd never saw and close it.
 * What the client sent is read first (up to DRAIN_MAX), so the close sends a
 * FIN after the answer rather than a reset that could discard it.
 */
static void
raw_answer(int fd, unsigned status, const char *why)
{
	char hdr[256], sink[4096];
	char *body = NULL;
	json_t *doc = json_pack("{s:s}", "error", why);
	int n;

	for (size_t got = 0; got < DRAIN_MAX;) {
		ssize_t k = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);

		if (k <= 0)
			break;
		got += (size_t)k;
	}
	if (doc != NULL)
		body = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	if (body == NULL)
		return;
	n = snprintf(hdr, sizeof(hdr), "HTTP/1.1 %u %s\r\nContent-Type: application/json\r\n"
		     "Cache-Control: no-store\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n",
		     status, status_text(status), strlen(body));
	if (n > 0 && (size_t)n < sizeof(hdr)) {
		struct iovec iov[2] = {
			{ .iov_base = hdr, .iov_len = (size_t)n },
			{ .iov_base = body, .iov_len = strlen(body) },
		};
		struct msghdr m = { .msg_iov = iov, .msg_iovlen = 2 };

		/* Best effort: a full socket buffer just loses the answer. */
		(void)sendmsg(fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
		shutdown(fd, SHUT_WR);
	}
	free(body);
}

/* Hand a pending connection whose request line is fine to libmicrohttpd. */
static void
adopt(struct conn *c)
{
	struct cp_rest *rest = c->l->rest;
	enum MHD_Result ok;

	epoll_ctl(rest->ep, EPOLL_CTL_DEL, c->fd, NULL);
	rest->adopting = c;
	rest->adopted = false;
	ok = MHD_add_connection(c->l->d, c->fd, (const struct sockaddr *)&c->sa, sizeof(c->sa));
	rest->adopting = NULL;
	/* On failure libmicrohttpd closed the socket; if it had announced the
	 * connection, its CLOSED notification freed c already. */
	if (ok != MHD_YES && !rest->adopted)
		conn_free(c);
}

/* A pending connection is readable: look at its request line (without
 * consuming it) and decide. */
static void
gate(struct conn *c)
{
	struct cp_rest *rest = c->l->rest;
	char buf[GATE_MAX];
	const char *why;
	ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT);
	unsigned status;
	int rc;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		pending_close(c);   /* closed or reset before a request line */
		return;
	}
	rc = cp_http_request_line_check(buf, (size_t)n, GATE_MAX, &why);
	if (rc == -EAGAIN)
		return;             /* edge-triggered: wait for more bytes */
	if (rc == 0) {
		adopt(c);
		return;
	}
	status = rc == -E2BIG ? MHD_HTTP_URI_TOO_LONG :
		 rc == -EPROTONOSUPPORT ? MHD_HTTP_HTTP_VERSION_NOT_SUPPORTED :
		 MHD_HTTP_BAD_REQUEST;
	rest->st.bad_request_line++;
	raw_answer(c->fd, status, why);
	pending_close(c);
}

static unsigned
conns_from(const struct listener *l, in_addr_t ip)
{
	const struct conn *c;
	unsigned n = 0;

	TAILQ_FOREACH(c, &l->conns, link)
		n += c->sa.sin_addr.s_addr == ip;
	TAILQ_FOREACH(c, &l->streams, link)
		n += c->sa.sin_addr.s_addr == ip;
	return n;
}

static void
accept_some(struct listener *l, uint64_t now)
{
	struct cp_rest *rest = l->rest;

	for (int i = 0; i < ACCEPT_MAX; i++) {
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);
		struct epoll_event e;
		struct conn *c;
		int fd = accept4(l->lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				rest->st.accept_errors++;   /* EMFILE and the like */
			return;
		}
		if (l->n_conns >= rest->max_conns) {
			rest->st.refused_full++;
			warn_limit(rest, 0, now);
			raw_answer(fd, MHD_HTTP_SERVICE_UNAVAILABLE,
				   "too many connections (controlplane.rest.max_connections)");
			close(fd);
			continue;
		}
		if (conns_from(l, sa.sin_addr.s_addr) >= rest->max_per_ip) {
			rest->st.refused_per_ip++;
			warn_limit(rest, 0, now);
			raw_answer(fd, MHD_HTTP_TOO_MANY_REQUESTS, "too many connections from "
				   "this address (controlplane.rest.max_connections_per_ip)");
			close(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(fd);
			continue;
		}
		c->ev = (struct ev){ .kind = EV_CONN, .obj = c };
		c->l = l;
		c->fd = fd;
		c->sa = sa;
		l->n_conns++;
		set_deadline(c, now);
		e = (struct epoll_event){ .events = EPOLLIN | EPOLLRDHUP | EPOLLET,
					  .data.ptr = &c->ev };
		if (epoll_ctl(rest->ep, EPOLL_CTL_ADD, fd, &e) != 0) {
			pending_close(c);
			continue;
		}
		gate(c);            /* the request line may be there already */
	}
}

/*
 * Close every connection past its deadline. A pending one is ours: answer
 * 408 and close. One of libmicrohttpd's is shut down under it (its next read
 * sees the end and it closes the connection and tells us), with a 1 s idle
 * timeout as a backstop.
 */
static void
expire(struct listener *l, uint64_t now)
{
	struct conn *c;

	while ((c = TAILQ_FIRST(&l->conns)) != NULL && c->deadline_ms <= now) {
		l->rest->st.deadline_closed++;
		warn_limit(l->rest, 1, now);
		TAILQ_REMOVE(&l->conns, c, link);
		c->linked = false;
		if (!c->in_mhd) {
			raw_answer(c->fd, MHD_HTTP_REQUEST_TIMEOUT, "request not complete within "
				   "controlplane.rest.request_timeout_s");
			pending_close(c);
			continue;
		}
		shutdown(c->fd, SHUT_RDWR);
		MHD_set_connection_option(c->mc, MHD_CONNECTION_OPTION_TIMEOUT, (unsigned)1);
	}
}

/* ---- libmicrohttpd callbacks -------------------------------------------- */

static void
on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
	      enum MHD_ConnectionNotificationCode code)
{
	struct listener *l = cls;
	struct cp_rest *rest = l->rest;
	struct conn *c;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		c = rest->adopting;
		if (c == NULL)
			return;             /* cannot happen: we add every connection */
		c->mc = mc;
		c->in_mhd = true;
		*socket_context = c;
		rest->adopted = true;
		return;
	}
	c = *socket_context;
	if (c != NULL) {
		*socket_context = NULL;
		conn_free(c);           /* libmicrohttpd closes the socket */
	}
}

/* Called with the raw target of each request, before its headers. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *mc)
{
	struct listener *l = cls;
	struct conn *c = conn_of(mc);
	const char *why;

	if (c != NULL && cp_http_target_check(uri, &why) != 0) {
		c->bad_target = why;
		l->rest->st.bad_target++;
	}
	return NULL;
}

/* Content-Length, when the client declared one: 0 and the value, 1 when absent. */
static int
declared_length(struct MHD_Connection *mc, uint64_t *len)
{
	const char *v = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
						    MHD_HTTP_HEADER_CONTENT_LENGTH);
	uint64_t n = 0;

	if (v == NULL)
		return 1;
	for (; *v >= '0' && *v <= '9'; v++)
		n = n > UINT64_MAX / 10 - 1 ? UINT64_MAX : n * 10 + (uint64_t)(*v - '0');
	*len = n;
	return 0;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *mc, const char *url, const char *method,
	   const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct listener *l = cls;
	struct cp_rest *rest = l->rest;
	struct conn *c = conn_of(mc);
	struct cp_rest_req r = { .conn = mc, .method = method, .path = url };
	uint64_t declared;

	(void)version;
	if (c == NULL)
		return MHD_NO;
	if (*con_cls == NULL) {
		/* First call: headers only. Refuse what we can before any body. */
		*con_cls = c;
		if (c->bad_target != NULL)
			return cp_rest_reply_error(&r, MHD_HTTP_BAD_REQUEST, "%s", c->bad_target);
		if (declared_length(mc, &declared) == 0 && declared > CP_REST_MAX_BODY) {
			rest->st.body_too_large++;
			return cp_rest_reply_error(&r, MHD_HTTP_CONTENT_TOO_LARGE,
						   "request body larger than %d bytes",
						   CP_REST_MAX_BODY);
		}
		return MHD_YES;
	}
	if (*upload_size != 0) {
		if (!c->too_big && c->body_len + *upload_size <= CP_REST_MAX_BODY) {
			char *nb = realloc(c->body, c->body_len + *upload_size + 1);

			if (nb == NULL)
				return MHD_NO;
			memcpy(nb + c->body_len, upload, *upload_size);
			c->body = nb;
			c->body_len += *upload_size;
			c->body[c->body_len] = '\0';
		} else {
			c->too_big = true;  /* chunked: no length declared up front */
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (c->too_big) {
		rest->st.body_too_large++;
		return cp_rest_reply_error(&r, MHD_HTTP_CONTENT_TOO_LARGE,
					   "request body larger than %d bytes", CP_REST_MAX_BODY);
	}
	r.body = c->body;
	r.body_len = c->body_len;
	return dispatch(rest, l, &r);
}

/* A request is over: the next one on a kept-alive connection gets a fresh
 * deadline, which also bounds how long the connection may idle. */
static void
on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
	     enum MHD_RequestTerminationCode toe)
{
	struct conn *c = *con_cls;

	(void)cls;
	(void)mc;
	(void)toe;
	if (c == NULL)
		return;
	*con_cls = NULL;
	conn_reset_request(c);
	if (c->linked)
		set_deadline(c, cp_mono_ms());
}

/* ---- life cycle --------------------------------------------------------- */

/* libmicrohttpd's messages are per connection (a client that went away, one
 * we closed at its deadline): debug level, so a flood cannot flood the log. */
static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[256];
	size_t n;

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	CP_DEBUG("http: %s", line);
}

static int
listener_open(struct cp_rest *rest, struct listener *l, const struct gw_sockaddr4 *where,
	      const char *key, bool health, char *err, size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct epoll_event e;
	const union MHD_DaemonInfo *di;
	char a[INET_ADDRSTRLEN];
	int one = 1, rc;

	l->rest = rest;
	l->key = key;
	l->health = health;
	l->lfd = -1;
	TAILQ_INIT(&l->conns);
	TAILQ_INIT(&l->streams);
	sa.sin_addr.s_addr = htonl(where->addr);
	sa.sin_port = htons(where->port);
	inet_ntop(AF_INET, &sa.sin_addr, a, sizeof(a));

	l->lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->lfd < 0 ||
	    setsockopt(l->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(l->lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(l->lfd, SOMAXCONN) != 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot listen on %s:%u (%s): %s", a, where->port, key,
			 strerror(-rc));
		return rc;
	}
	/* No listen socket and no threads of its own: we accept, check the
	 * request line and hand the socket over; our loop polls its epoll fd.
	 * Suspend/resume parks an idle event stream (cp_room_rest) instead of
	 * polling its content callback; its wake-up pipe is in the epoll set. */
	l->d = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG |
				MHD_ALLOW_SUSPEND_RESUME,
				0, NULL, NULL, on_request, l,
				MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
				MHD_OPTION_NOTIFY_CONNECTION, on_connection, l,
				MHD_OPTION_URI_LOG_CALLBACK, on_uri, l,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, l,
				MHD_OPTION_CONNECTION_TIMEOUT,
				(unsigned)(rest->timeout_ms / 1000),
				MHD_OPTION_CONNECTION_LIMIT, rest->max_conns + 1,
				MHD_OPTION_END);
	if (l->d == NULL) {
		snprintf(err, errlen, "cannot start the HTTP server for %s (%s)", key,
			 errno ? strerror(errno) : "microhttpd refused");
		return -ENOMEM;
	}
	di = MHD_get_daemon_info(l->d, MHD_DAEMON_INFO_EPOLL_FD);
	l->ev_listen = (struct ev){ .kind = EV_LISTEN, .obj = l };
	l->ev_mhd = (struct ev){ .kind = EV_MHD, .obj = l };
	e = (struct epoll_event){ .events = EPOLLIN, .data.ptr = &l->ev_listen };
	if (epoll_ctl(rest->ep, EPOLL_CTL_ADD, l->lfd, &e) != 0)
		goto fail;
	e = (struct epoll_event){ .events = EPOLLIN, .data.ptr = &l->ev_mhd };
	if (di == NULL || epoll_ctl(rest->ep, EPOLL_CTL_ADD, di->epoll_fd, &e) != 0)
		goto fail;
	return 0;
fail:
	rc = -errno;
	snprintf(err, errlen, "epoll for %s: %s", key, strerror(errno));
	return rc ? rc : -EIO;
}

static void
listener_close(struct listener *l)
{
	struct conn *c, *next;

	if (l->rest == NULL)
		return;
	/* libmicrohttpd closes its connections (each CLOSED frees ours). */
	if (l->d != NULL)
		MHD_stop_daemon(l->d);
	for (c = TAILQ_FIRST(&l->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, link);
		pending_close(c);
	}
	if (l->lfd >= 0)
		close(l->lfd);
}

int
cp_rest_create(struct cp_rest **out, const struct gw_config *conf,
	       const struct cp_rest_route *routes, size_t n_routes, void *app, char *err,
	       size_t errlen)
{
	struct cp_rest *r = calloc(1, sizeof(*r));
	int rc;

	if (r == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r->conf = conf;
	r->routes = routes;
	r->n_routes = n_routes;
	r->app = app;
	r->timeout_ms = (uint64_t)conf->controlplane.rest_request_timeout_s * 1000;
	r->max_conns = conf->controlplane.rest_max_conns;
	r->max_per_ip = conf->controlplane.rest_max_conns_per_ip;
	r->ep = epoll_create1(EPOLL_CLOEXEC);
	if (r->ep < 0) {
		rc = -errno;
		snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
		free(r);
		return rc;
	}
	rc = listener_open(r, &r->ls[r->n_ls++], &conf->controlplane.rest_listen, "controlplane.rest.listen",
			   false, err, errlen);
	if (rc == 0 && conf->controlplane.health_listen.port != 0)
		rc = listener_open(r, &r->ls[r->n_ls++], &conf->controlplane.health_listen,
				   "controlplane.rest.health_listen", true, err, errlen);
	if (rc != 0) {
		cp_rest_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

void
cp_rest_free(struct cp_rest *r)
{
	if (r == NULL)
		return;
	for (unsigned i = 0; i < r->n_ls; i++)
		listener_close(&r->ls[i]);
	close(r->ep);
	free(r);
}

int
cp_rest_fd(const struct cp_rest *r)
{
	return r->ep;
}

int
cp_rest_timeout_ms(const struct cp_rest *r)
{
	uint64_t now = cp_mono_ms(), best = 1000;

	for (unsigned i = 0; i < r->n_ls; i++) {
		const struct listener *l = &r->ls[i];
		const struct conn *c = TAILQ_FIRST(&l->conns);
		MHD_UNSIGNED_LONG_LONG t;

		if (MHD_get_timeout(l->d, &t) == MHD_YES && t < best)
			best = t;
		if (c != NULL)
			best = c->deadline_ms <= now ? 0 :
			       c->deadline_ms - now < best ? c->deadline_ms - now : best;
	}
	return (int)best;
}

void
cp_rest_run(struct cp_rest *r)
{
	struct epoll_event evs[EVENTS_MAX];
	uint64_t now = cp_mono_ms();
	int n = epoll_wait(r->ep, evs, EVENTS_MAX, 0);

	for (int i = 0; i < n; i++) {
		struct ev *e = evs[i].data.ptr;

		if (e->kind == EV_LISTEN)
			accept_some(e->obj, now);
		else if (e->kind == EV_CONN)
			gate(e->obj);
		/* EV_MHD: every daemon runs below anyway. */
	}
	for (unsigned i = 0; i < r->n_ls; i++) {
		MHD_run(r->ls[i].d);
		expire(&r->ls[i], cp_mono_ms());
	}
}

void
cp_rest_stats(const struct cp_rest *r, struct cp_rest_stats *out)
{
	*out = r->st;
	out->connections = 0;
	for (unsigned i = 0; i < r->n_ls; i++)
		out->connections += r->ls[i].n_conns;
}
