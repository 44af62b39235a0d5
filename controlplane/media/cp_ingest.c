#include "cp_ingest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cp_api.h"
#include "cp_ingest_desc.h"
#include "cp_log.h"
#include "cp_session.h"

#define STREAMS_PREFIX "/v1/streams/"
#define SDP_MAX        4096

static struct cp_app *app;
static bool config_done;               /* media.streams were created (or refused) */
static bool from_config[GW_CONF_MAX_STREAMS];

static bool
dp_ready(void)
{
	return app != NULL && app->ipc != NULL && !app->dp_lost;
}

void
cp_ingest_init(struct cp_app *a)
{
	app = a;
}

void
cp_ingest_tick(uint64_t now_ms)
{
	const struct gw_config *c;

	(void)now_ms;
	if (config_done || !dp_ready())
		return;
	config_done = true;
	c = app->conf;
	for (unsigned i = 0; i < c->media.n_streams; i++) {
		struct gw_conf_stream s = c->media.streams[i];
		char why[160];
		uint32_t id;
		uint16_t port;
		struct cp_session_ingest have;

		/* taken over from the journal with its port (control plane restart) */
		if (cp_session_ingest_get(s.name, &have) == 0) {
			from_config[i] = true;
			continue;
		}

		/* the parser checked it; this fills nothing new but keeps one rule */
		if (gw_config_stream_check(&s, why, sizeof(why)) != 0 ||
		    cp_session_ingest_add(&s, &id, &port, why, sizeof(why)) != 0) {
			CP_ERR("media.streams[%u] (%s): not created: %s", i, s.name, why);
			continue;
		}
		from_config[i] = true;
	}
}

static bool
is_config_stream(const char *name)
{
	const struct gw_config *c = app->conf;

	for (unsigned i = 0; i < c->media.n_streams; i++)
		if (from_config[i] && strcmp(c->media.streams[i].name, name) == 0)
			return true;
	return false;
}

static json_t *
stream_json(const struct cp_session_ingest *in)
{
	const struct gw_config *c = app->conf;
	struct in_addr ia = { .s_addr = htonl(c->dataplane.ports[0].address.addr) };
	char addr[INET_ADDRSTRLEN], whep[96], sdp[SDP_MAX];
	struct cp_sdp *desc = calloc(1, sizeof(*desc));
	json_t *o, *cnt;
	int n = -1;

	inet_ntop(AF_INET, &ia, addr, sizeof(addr));
	snprintf(whep, sizeof(whep), "/v1/whep/%s", in->spec->name);
	if (desc != NULL && cp_ingest_describe(in->spec, addr, in->port, desc) == 0)
		n = cp_sdp_encode(desc, sdp, sizeof(sdp));
	free(desc);
	cnt = json_pack("{s:I, s:I, s:I, s:I}",
			"rtp_in", (json_int_t)in->cnt[GW_IPC_MEDIA_CNT_rtp_in],
			"rtcp_in", (json_int_t)in->cnt[GW_IPC_MEDIA_CNT_rtcp_in],
			"bytes_in", (json_int_t)in->cnt[GW_IPC_MEDIA_CNT_bytes_in],
			"malformed", (json_int_t)in->cnt[GW_IPC_MEDIA_CNT_malformed]);
	o = json_pack("{s:s, s:I, s:s, s:i, s:s, s:s, s:s, s:i, s:o*, s:s, s:I}",
		      "name", in->spec->name, "leg", (json_int_t)in->id, "address", addr,
		      "port", in->port, "transport", "RTP/AVP, RTCP muxed on the same port",
		      "whep", whep, "origin", is_config_stream(in->spec->name) ? "config" : "rest",
		      "viewers", in->viewers, "counters", cnt, "sdp", n > 0 ? sdp : "",
		      "created", (json_int_t)in->created);
	if (o != NULL) {
		json_t *t = cp_ingest_tracks_json(in->spec);

		json_object_update(o, t);
		json_decref(t);
	}
	return o;
}

static enum MHD_Result
reply_stream(const struct cp_rest_req *r, unsigned status, const char *name)
{
	struct cp_session_ingest in;
	char loc[96];
	const char *hdrs[] = { "Location", loc, NULL };
	enum MHD_Result ret;
	json_t *doc;
	char *text;

	if (cp_session_ingest_get(name, &in) != 0)
		return cp_rest_reply_error(r, 404, "no such stream: %s", name);
	doc = stream_json(&in);
	text = doc != NULL ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (text == NULL)
		return cp_rest_reply_error(r, 500, "out of memory");
	snprintf(loc, sizeof(loc), STREAMS_PREFIX "%s", name);
	ret = cp_rest_reply_hdrs(r, status, "application/json", text, strlen(text),
				 status == 201 ? hdrs : NULL);
	free(text);
	return ret;
}

static bool
is_json(const struct cp_rest_req *r)
{
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t n = strlen("application/json");

	return ct != NULL && strncasecmp(ct, "application/json", n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';');
}

enum MHD_Result
cp_ingest_post(void *a, const struct cp_rest_req *r)
{
	struct gw_conf_stream s;
	char why[256];
	uint32_t id;
	uint16_t port;
	int rc;

	(void)a;
	if (strcmp(r->path, "/v1/streams") != 0)
		return cp_rest_reply_error(r, 404, "no such resource: %s", r->path);
	if (!is_json(r))
		return cp_rest_reply_error(r, 415, "Content-Type must be application/json");
	if (cp_ingest_from_json(&s, r->body, r->body_len, why, sizeof(why)) != 0)
		return cp_rest_reply_error(r, 400, "bad stream: %s", why);
	rc = cp_session_ingest_add(&s, &id, &port, why, sizeof(why));
	if (rc != 0)
		return cp_rest_reply_error(r, rc == -EEXIST ? 409 : 503, "%s", why);
	return reply_stream(r, 201, s.name);
}

enum MHD_Result
cp_ingest_get(void *a, const struct cp_rest_req *r)
{
	struct cp_session_ingest *all;
	json_t *arr;
	unsigned n;

	(void)a;
	if (strncmp(r->path, STREAMS_PREFIX, strlen(STREAMS_PREFIX)) == 0 &&
	    r->path[strlen(STREAMS_PREFIX)] != '\0')
		return reply_stream(r, 200, r->path + strlen(STREAMS_PREFIX));
	if (strcmp(r->path, "/v1/streams") != 0 && strcmp(r->path, STREAMS_PREFIX) != 0)
		return cp_rest_reply_error(r, 404, "no such resource: %s", r->path);
	all = calloc(256, sizeof(*all));
	arr = json_array();
	if (all == NULL || arr == NULL) {
		free(all);
		json_decref(arr);
		return cp_rest_reply_error(r, 500, "out of memory");
	}
	n = cp_session_ingest_list(all, 256);
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(arr, stream_json(&all[i]));
	free(all);
	return cp_rest_reply_json(r, 200, json_pack("{s:o}", "streams", arr));
}

enum MHD_Result
cp_ingest_delete(void *a, const struct cp_rest_req *r)
{
	const char *name = r->path + strlen(STREAMS_PREFIX);

	(void)a;
	if (strncmp(r->path, STREAMS_PREFIX, strlen(STREAMS_PREFIX)) != 0 || *name == '\0' ||
	    cp_session_ingest_del(name) != 0)
		return cp_rest_reply_error(r, 404, "no such stream: %s", r->path);
	for (unsigned i = 0; i < app->conf->media.n_streams; i++)
		if (strcmp(app->conf->media.streams[i].name, name) == 0)
			from_config[i] = false;
	return cp_rest_reply_json(r, 200, json_pack("{s:s}", "deleted", name));
}
