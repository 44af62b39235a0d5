/*
 * cp_rest: the HTTP front of the control plane (libmicrohttpd, no threads
 * of its own: the control plane's loop polls cp_rest_fd() and calls
 * cp_rest_run()). It routes by method and path, enforces bearer-token auth on
 * every /v1/ path, gathers request bodies up to a limit, and answers every
 * error with a JSON body {"error": "..."}.
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
};

/** A route handler: must answer through one cp_rest_reply_* call and return its result. */
typedef enum MHD_Result cp_rest_handler_fn(void *app, const struct cp_rest_req *r);

struct cp_rest_route {
	const char *method;          /* "GET", "POST", ... */
	const char *path;            /* exact, or a prefix when it ends in '*' */
	cp_rest_handler_fn *fn;
};

/**
 * Listen on conf->controlplane.rest_listen.
 * @return 0; -errno when the socket cannot be opened (err says why).
 */
int cp_rest_create(struct cp_rest **out, const struct gw_config *conf,
		   const struct cp_rest_route *routes, size_t n_routes, void *app,
		   char *err, size_t errlen);

/** NULL-safe; closes every connection. */
void cp_rest_free(struct cp_rest *r);

/** The epoll fd to poll for readability. */
int cp_rest_fd(const struct cp_rest *r);

/** Longest wait (ms) before cp_rest_run must be called again; -1: none. */
int cp_rest_timeout_ms(const struct cp_rest *r);

/** Serve whatever is ready; never blocks. */
void cp_rest_run(struct cp_rest *r);

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
