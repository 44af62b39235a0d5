#include "cp_api.h"

#include <stdlib.h>
#include <rte_memzone.h>


#include "cp_calls_media.h"
#include "cp_calls_rest.h"
#include "cp_clock.h"
#include "cp_demo.h"
#include "cp_ice.h"
#include "cp_metrics.h"
#include "cp_reload.h"
#include "cp_room_rest.h"
#include "cp_ingest.h"
#include "cp_session.h"
#include "cp_turn.h"

/* A snapshot older than this means the dataplane stopped answering. */
#define STALE_MS 2000

/* The live snapshot, or NULL with the reason there is none. */
static const struct cp_dp_snapshot *
live(const struct cp_app *app, uint64_t now, const char **why)
{
	const struct cp_dp_snapshot *s;

	if (app->ipc == NULL) {
		*why = "no dataplane running";
		return NULL;
	}
	if (app->dp_lost) {
		*why = "dataplane stopped; waiting for a new one";
		return NULL;
	}
	s = cp_ipc_snapshot(app->ipc);
	if (!s->valid) {
		*why = "dataplane attached, first snapshot pending";
		return NULL;
	}
	if (now - s->at_ms > STALE_MS) {
		*why = "dataplane not answering";
		return NULL;
	}
	return s;
}

static enum MHD_Result
get_healthz(void *a, const struct cp_rest_req *r)
{
	const struct cp_app *app = a;
	uint64_t now = cp_mono_ms();
	const char *why = NULL;
	const struct cp_dp_snapshot *s = live(app, now, &why);
	const struct cp_dp_info *i;

	if (s == NULL)
		return cp_rest_reply_json(r, 503, json_pack("{s:s, s:s, s:b}", "status",
							    "unavailable", "error", why,
							    "dataplane_attached", 0));
	i = cp_ipc_info(app->ipc);
	return cp_rest_reply_json(r, 200, json_pack("{s:s, s:b, s:{s:i, s:s, s:i, s:I}}",
						    "status", "ok", "dataplane_attached", 1,
						    "dataplane", "pid", i->pid, "version",
						    i->version, "workers", s->n_workers,
						    "snapshot_age_ms", (json_int_t)(now - s->at_ms)));
}

static enum MHD_Result
get_metrics(void *a, const struct cp_rest_req *r)
{
	const struct cp_app *app = a;
	const char *why;
	const struct cp_dp_snapshot *s = live(app, cp_mono_ms(), &why);
	char *text = NULL;
	size_t len = 0;
	enum MHD_Result ret;
	unsigned sessions, legs, c_calls, c_legs;
	char *all = NULL;
	int n;

	struct cp_rest_stats rs = { 0 };

	if (app->rest != NULL)
		cp_rest_stats(app->rest, &rs);
	if (cp_metrics_prometheus(s, s ? cp_ipc_info(app->ipc) : NULL, &rs, &text, &len) != 0)
		return cp_rest_reply_error(r, 500, "out of memory");
	{
		/* the front's memzone: only while attached to the dataplane */
		const struct rte_memzone *mz = app->ipc != NULL && app->conf->turn.tcp.enabled ?
					       rte_memzone_lookup(GW_IPC_FRONT_NAME) : NULL;

		if (cp_metrics_front_append(mz != NULL ? mz->addr : NULL, &text, &len) != 0) {
			free(text);
			return cp_rest_reply_error(r, 500, "out of memory");
		}
	}
	if (app->ng != NULL &&
	    cp_ng_prometheus_append(app->ng, cp_calls_count(app->calls), &text, &len) != 0) {
		free(text);
		return cp_rest_reply_error(r, 500, "out of memory");
	}
	cp_session_counts(&sessions, &legs);
	cp_calls_media_counts(&c_calls, &c_legs);
	n = asprintf(&all, "%.*s# HELP rtcgw_media_sessions WebRTC media sessions (echo, streams)\n"
		     "# TYPE rtcgw_media_sessions gauge\nrtcgw_media_sessions %u\n"
		     "# HELP rtcgw_media_legs WebRTC media legs (echo, publishers, viewers)\n"
		     "# TYPE rtcgw_media_legs gauge\nrtcgw_media_legs %u\n"
		     "# HELP rtcgw_calls_media_calls calls with bridged media\n"
		     "# TYPE rtcgw_calls_media_calls gauge\nrtcgw_calls_media_calls %u\n"
		     "# HELP rtcgw_calls_media_legs dataplane legs held by calls\n"
		     "# TYPE rtcgw_calls_media_legs gauge\nrtcgw_calls_media_legs %u\n",
		     (int)len, text, sessions, legs, c_calls, c_legs);
	free(text);
	if (n < 0)
		return cp_rest_reply_error(r, 500, "out of memory");
	ret = cp_rest_reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", all,
				 (size_t)n);
	free(all);
	return ret;
}

static enum MHD_Result
get_stats(void *a, const struct cp_rest_req *r)
{
	const struct cp_app *app = a;
	uint64_t now = cp_mono_ms();
	const char *why;
	const struct cp_dp_snapshot *s = live(app, now, &why);
	json_t *doc = cp_metrics_json(s, s ? cp_ipc_info(app->ipc) : NULL, now);

	if (s == NULL && doc != NULL)
		json_object_set_new(json_object_get(doc, "dataplane"), "reason", json_string(why));
	return cp_rest_reply_json(r, s ? 200 : 503, doc);
}

const struct cp_rest_route cp_api_routes[] = {
	{ "GET", "/healthz", get_healthz, true },
	{ "GET", "/metrics", get_metrics, true },
	{ "GET", "/v1/stats", get_stats, false },
	{ "POST", "/v1/ice/legs", cp_ice_post, false },
	{ "GET", "/v1/ice/legs*", cp_ice_get, false },
	{ "DELETE", "/v1/ice/legs/*", cp_ice_delete, false },
	{ "GET", "/v1/turn/credentials", cp_turn_credentials, false },
	{ "POST", "/v1/config/reload", cp_reload_post, false },
	{ "POST", "/v1/echo", cp_session_post_echo, false },
	{ "OPTIONS", "/v1/echo", cp_session_options, false },
	{ "POST", "/v1/whip/*", cp_session_post_whip, false },
	{ "OPTIONS", "/v1/whip/*", cp_session_options, false },
	{ "POST", "/v1/whep/*", cp_session_post_whep, false },
	{ "OPTIONS", "/v1/whep/*", cp_session_options, false },
	{ "PATCH", "/v1/resources/*", cp_session_patch, false },
	{ "DELETE", "/v1/resources/*", cp_session_delete, false },
	{ "OPTIONS", "/v1/resources/*", cp_session_options, false },
	{ "GET", "/v1/sessions*", cp_session_get, false },
	{ "POST", "/v1/streams", cp_ingest_post, false },
	{ "GET", "/v1/streams*", cp_ingest_get, false },
	{ "DELETE", "/v1/streams/*", cp_ingest_delete, false },
	{ "POST", "/v1/calls/*", cp_calls_rest_post, false },
	{ "DELETE", "/v1/calls/*", cp_calls_rest_delete, false },
	{ "GET", "/v1/calls*", cp_calls_rest_get, false },
	{ "POST", "/v1/rooms/*", cp_room_rest_post, false },
	{ "DELETE", "/v1/rooms/*", cp_room_rest_delete, false },
	/* checks its own credentials (cp_rest_own_auth): the events stream takes the key */
	{ "GET", "/v1/rooms*", cp_room_rest_get, false },
	{ "GET", "/", cp_demo_get, false },
	{ "GET", "/demo.js", cp_demo_get, false },
};
const size_t cp_api_n_routes = sizeof(cp_api_routes) / sizeof(cp_api_routes[0]);
