#include "cp_calls_rest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cp_api.h"
#include "cp_bencode.h"
#include "cp_calls_media.h"
#include "cp_ng.h"

#define PREFIX    "/v1/calls"
#define REQ_MAX   (CP_NG_MAX_DGRAM - CP_NG_COOKIE_MAX)
#define DEPTH_MAX 8

static const char rest_peer[] = "rest";
static unsigned long cookie_seq;

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A JSON value as bencode: strings, integers, arrays, objects only. */
static int
put_json(struct cp_bencode_buf *b, json_t *v, int depth)
{
	const char *key;
	json_t *x;
	size_t i;

	if (depth > DEPTH_MAX)
		return -E2BIG;
	switch (json_typeof(v)) {
	case JSON_STRING:
		cp_bencode_put_str(b, json_string_value(v), json_string_length(v));
		return 0;
	case JSON_INTEGER:
		cp_bencode_put_int(b, (int64_t)json_integer_value(v));
		return 0;
	case JSON_ARRAY:
		cp_bencode_list_begin(b);
		json_array_foreach(v, i, x)
			if (put_json(b, x, depth + 1) != 0)
				return -EINVAL;
		cp_bencode_end(b);
		return 0;
	case JSON_OBJECT:
		cp_bencode_dict_begin(b);
		json_object_foreach(v, key, x) {
			cp_bencode_put_cstr(b, key);
			if (put_json(b, x, depth + 1) != 0)
				return -EINVAL;
		}
		cp_bencode_end(b);
		return 0;
	default:
		return -EINVAL;
	}
}

/* Node idx of d as JSON (new reference). */
static json_t *
to_json(const struct cp_bencode_doc *d, uint32_t idx)
{
	const struct cp_bencode_node *n = &d->nodes[idx];
	json_t *out;
	uint32_t i;

	switch (n->type) {
	case CP_BENCODE_INT:
		return json_integer((json_int_t)n->i);
	case CP_BENCODE_STR:
		return json_stringn_nocheck(n->s, n->len);
	case CP_BENCODE_LIST:
		out = json_array();
		for (i = idx + 1; out != NULL && i < n->end; i = d->nodes[i].end)
			json_array_append_new(out, to_json(d, i));
		return out;
	default:
		out = json_object();
		for (i = idx + 1; out != NULL && i < n->end;) {
			const struct cp_bencode_node *k = &d->nodes[i];
			char key[128];

			snprintf(key, sizeof(key), "%.*s", (int)k->len, k->s);
			i = k->end;
			json_object_set_new(out, key, to_json(d, i));
			i = d->nodes[i].end;
		}
		return out;
	}
}

/*
 * Run {"command": cmd, "call-id": id (when given), body's keys...} through
 * the ng front and answer with its reply as JSON; with_legs: the call's
 * dataplane legs and counters added as "legs".
 */
static enum MHD_Result
run(void *app, const struct cp_rest_req *r, const char *cmd, const char *id, size_t id_len, json_t *body,
    bool with_legs)
{
	struct cp_bencode_buf b;
	struct cp_bencode_doc d = { 0 };
	uint8_t *req = NULL, *out = NULL;
	char cookie[32];
	const char *key, *sp;
	json_t *x, *doc = NULL, *res;
	enum MHD_Result ret;
	size_t clen, n;
	unsigned status;

	req = malloc(CP_NG_MAX_DGRAM);
	out = malloc(CP_NG_MAX_DGRAM);
	d.nodes = calloc(CP_NG_MAX_NODES, sizeof(*d.nodes));
	d.cap = CP_NG_MAX_NODES;
	if (req == NULL || out == NULL || d.nodes == NULL) {
		ret = cp_rest_reply_error(r, 500, "out of memory");
		goto out;
	}
	clen = (size_t)snprintf(cookie, sizeof(cookie), "rest%lu ", ++cookie_seq);
	memcpy(req, cookie, clen);
	cp_bencode_buf_init(&b, req + clen, REQ_MAX);
	cp_bencode_dict_begin(&b);
	cp_bencode_put_cstr(&b, "command");
	cp_bencode_put_cstr(&b, cmd);
	if (id != NULL) {
		cp_bencode_put_cstr(&b, "call-id");
		cp_bencode_put_str(&b, id, id_len);
	}
	if (body != NULL) {
		json_object_foreach(body, key, x) {
			if (strcmp(key, "command") == 0 || strcmp(key, "call-id") == 0)
				continue;
			cp_bencode_put_cstr(&b, key);
			if (put_json(&b, x, 0) != 0) {
				ret = cp_rest_reply_error(r, 400, "key '%s': values must be strings, "
							  "integers, arrays or objects", key);
				goto out;
			}
		}
	}
	cp_bencode_end(&b);
	if (cp_bencode_buf_status(&b) != 0) {
		ret = cp_rest_reply_error(r, 413, "request too large for the calls code");
		goto out;
	}
	n = cp_ng_handle(((struct cp_app *)app)->ng, rest_peer, sizeof(rest_peer), req,
			 clen + b.len, out, CP_NG_MAX_DGRAM, mono_ms());
	sp = memchr(out, ' ', n);
	if (n == 0 || sp == NULL || cp_bencode_decode(&d, sp + 1, n - (size_t)(sp + 1 - (char *)out)) != 0 ||
	    d.nodes[0].type != CP_BENCODE_DICT) {
		ret = cp_rest_reply_error(r, 500, "the calls code gave no reply");
		goto out;
	}
	doc = to_json(&d, 0);
	res = json_object_get(doc, "result");
	status = 200;
	if (res == NULL || strcmp(json_string_value(res) ? json_string_value(res) : "", "error") == 0) {
		const char *why = json_string_value(json_object_get(doc, "error-reason"));

		status = why != NULL && strncmp(why, "Unknown", 7) == 0 ? 404 : 400;
		json_object_set_new(doc, "error", json_string(why != NULL ? why : "error"));
	} else if (with_legs) {
		json_t *legs = cp_calls_media_json(id, id_len);

		if (legs != NULL)
			json_object_set_new(doc, "legs", legs);
	}
	ret = cp_rest_reply_json(r, status, doc);
	doc = NULL;
out:
	json_decref(doc);
	free(req);
	free(out);
	free(d.nodes);
	return ret;
}

/* The call-id after "/v1/calls/" up to the next '/' (or the end). */
static bool
path_id(const char *path, const char **id, size_t *len, const char **rest)
{
	const char *p = path + strlen(PREFIX);

	if (*p != '/' || p[1] == '\0')
		return false;
	*id = p + 1;
	p = strchr(*id, '/');
	*len = p != NULL ? (size_t)(p - *id) : strlen(*id);
	*rest = p != NULL ? p : "";
	return *len > 0;
}

static bool
ng_on(void *app)
{
	return ((struct cp_app *)app)->ng != NULL;
}

enum MHD_Result
cp_calls_rest_post(void *app, const struct cp_rest_req *r)
{
	const char *id, *rest, *cmd;
	json_error_t jerr;
	json_t *body;
	enum MHD_Result ret;
	size_t len;

	if (!ng_on(app))
		return cp_rest_reply_error(r, 503, "calls are disabled (calls.ng_enabled)");
	if (!path_id(r->path, &id, &len, &rest))
		return cp_rest_reply_error(r, 404, "no such route");
	if (strcmp(rest, "/offer") == 0)
		cmd = "offer";
	else if (strcmp(rest, "/answer") == 0)
		cmd = "answer";
	else
		return cp_rest_reply_error(r, 404, "no such route (/offer or /answer)");
	if (r->body == NULL)
		return cp_rest_reply_error(r, 400, "a JSON object body is required");
	body = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL || !json_is_object(body)) {
		json_decref(body);
		return cp_rest_reply_error(r, 400, "body: not a JSON object (%s)", jerr.text);
	}
	ret = run(app, r, cmd, id, len, body, false);
	json_decref(body);
	return ret;
}

enum MHD_Result
cp_calls_rest_delete(void *app, const struct cp_rest_req *r)
{
	const char *id, *rest;
	size_t len;

	if (!ng_on(app))
		return cp_rest_reply_error(r, 503, "calls are disabled (calls.ng_enabled)");
	if (!path_id(r->path, &id, &len, &rest) || rest[0] != '\0')
		return cp_rest_reply_error(r, 404, "no such route");
	return run(app, r, "delete", id, len, NULL, false);
}

enum MHD_Result
cp_calls_rest_get(void *app, const struct cp_rest_req *r)
{
	const char *id, *rest;
	size_t len;

	if (!ng_on(app))
		return cp_rest_reply_error(r, 503, "calls are disabled (calls.ng_enabled)");
	if (strcmp(r->path, PREFIX) == 0)
		return run(app, r, "list", NULL, 0, NULL, false);
	if (!path_id(r->path, &id, &len, &rest) || rest[0] != '\0')
		return cp_rest_reply_error(r, 404, "no such route");
	return run(app, r, "query", id, len, NULL, true);
}
