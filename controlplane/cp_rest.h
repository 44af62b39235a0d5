/*
 * cp_rest: the HTTP front of the control plane (libmicrohttpd, no threads
 * of its own: the control plane's loop polls cp_rest_fd() and calls
 * cp_rest_run()). It routes by method and path (HEAD by every GET route),
 * enforces bearer-token auth on every /v1/ path (but for handlers registered
 * with cp_rest_own_auth), gathers request bodies up to
 * a limit, and answers every error with a JSON body {"error": "..."}.
 *
 * It accepts connections itself and holds each one to limits libmicrohttpd
 * does not have: connections per listener and per client address, and a
 * deadline for each whole request (request line, headers, body and answer),
 * after which the connection is closed however busy the client keeps it. A
 * new connection's request line is checked (cp_http) before libmicrohttpd
 * gets the socket, so garbage is answered 400 in JSON instead of being
 * dropped. An optional second listener (controlplane.rest.health_listen)
 * serves only the routes marked health, with connections of its own, so a
 * client that fills the main listener cannot fail the health checks.
 */
#ifndef CP_REST_H
#define CP_REST_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>
#include <microhttpd.h>

#include "gw_config.h"

#define CP_REST_MAX_BODY (64 * 1024)

struct cp_rest;

struct cp_rest_req {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;            /* without the query string */
	const char *body;            /* NUL-terminated; NULL when empty */
	size_t body_len;
	const char *allow;           /* 405: the Allow header (set by cp_rest) */
	bool authorized;             /* a valid bearer token came (see cp_rest_own_auth) */
};

/** A route handler: must answer through one cp_rest_reply_* call and return its result. */
typedef enum MHD_Result cp_rest_handler_fn(void *app, const struct cp_rest_req *r);

struct cp_rest_route {
	const char *method;          /* "GET", "POST", ... */
	const char *path;            /* exact, or a prefix when it ends in '*' */
	cp_rest_handler_fn *fn;
	bool health;                 /* also served on controlplane.rest.health_listen */
};

/** What cp_rest refused or closed, since it started (for /metrics). */
struct cp_rest_stats {
	uint64_t connections;        /* open now, every listener */
	uint64_t refused_full;       /* max_connections reached: 503 and closed */
	uint64_t refused_per_ip;     /* max_connections_per_ip reached: 429 and closed */
	uint64_t deadline_closed;    /* closed at request_timeout_s */
	uint64_t bad_request_line;   /* malformed request line: 400/414/505 and closed */
	uint64_t bad_target;         /* raw control character or bad escape in the target: 400 */
	uint64_t body_too_large;     /* 413 */
	uint64_t accept_errors;      /* accept() failed (e.g. out of file descriptors) */
};

/**
 * Listen on conf->controlplane.rest_listen (and health_listen when set), with
 * the limits of conf->controlplane.rest_*.
 * @return 0; -errno when a socket cannot be opened or the HTTP server not
 *         started (err says why, naming the config key).
 */
int cp_rest_create(struct cp_rest **out, const struct gw_config *conf,
		   const struct cp_rest_route *routes, size_t n_routes, void *app,
		   char *err, size_t errlen);

/** NULL-safe; closes every connection. */
void cp_rest_free(struct cp_rest *r);

/** The epoll fd to poll for readability (it covers every listener and connection). */
int cp_rest_fd(const struct cp_rest *r);

/** Longest wait (ms) before cp_rest_run must be called again; -1: none. */
int cp_rest_timeout_ms(const struct cp_rest *r);

/** Serve whatever is ready and close connections past their deadline; never blocks. */
void cp_rest_run(struct cp_rest *r);

/** Copy the counters (never fails). */
void cp_rest_stats(const struct cp_rest *r, struct cp_rest_stats *out);

/**
 * Routes with handler fn check credentials themselves: they are called for
 * /v1 requests without a valid bearer token too, with r->authorized false
 * (an EventSource cannot send an Authorization header). At most 4 handlers.
 * @return 0; -ENOSPC.
 */
int cp_rest_own_auth(struct cp_rest *r, cp_rest_handler_fn *fn);

/**
 * The connection of r carries a long-lived stream (Server-Sent Events): it
 * leaves the whole-request deadline (controlplane.rest.request_timeout_s) and
 * libmicrohttpd's idle timeout, and still counts against the connection
 * limits. The stream's owner must keep it alive or end it (keep-alives detect
 * a client gone, as libmicrohttpd sees nothing of a suspended connection).
 */
void cp_rest_req_stream(const struct cp_rest_req *r);

/** Answer with a JSON document (the reference is stolen). */
enum MHD_Result cp_rest_reply_json(const struct cp_rest_req *r, unsigned status, json_t *doc);

/** Answer {"error": "<formatted reason>"} with the given 4xx/5xx status. */
enum MHD_Result cp_rest_reply_error(const struct cp_rest_req *r, unsigned status,
				    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/**
 * Answer with a body of the given content type (copied) and extra headers:
 * hdrs is name, value, name, value, ..., NULL (NULL: none).
 */
enum MHD_Result cp_rest_reply_hdrs(const struct cp_rest_req *r, unsigned status,
				   const char *content_type, const char *text, size_t len,
				   const char *const *hdrs);

/** Answer with a text body of the given content type (copied). */
enum MHD_Result cp_rest_reply_text(const struct cp_rest_req *r, unsigned status,
				   const char *content_type, const char *text, size_t len);

#endif
