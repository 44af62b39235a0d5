/*
 * cp_reload: live configuration reload in the control plane (cp_reload.h).
 */
#include "cp_reload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cp_api.h"
#include "cp_ipc.h"
#include "cp_log.h"
#include "ct.h"
#include "gw_reload.h"

#define DP_WAIT_MS 3000             /* the dataplane answers within a tick or two */
#define SEQ_BASE   0x52000000u      /* "R": reload request ids */

static struct gw_config *run;
static uint32_t alloc_cap;          /* turn.max_allocations at start-up */
static uint32_t seq;
static struct {
	bool got;
	int32_t status;
	struct gw_ipc_reload r;
} answer;

static void
on_resp(void *ctx, struct cp_ipc *c, const struct gw_ipc_msg *m)
{
	(void)ctx;
	(void)c;
	if (m->seq != SEQ_BASE + seq)
		return;                 /* a late answer to a request we gave up on */
	answer.status = m->status;
	answer.r = m->u.reload;
	answer.r.detail[sizeof(answer.r.detail) - 1] = '\0';
	answer.got = true;
}

int
cp_reload_init(struct gw_config *conf)
{
	run = conf;
	alloc_cap = conf->turn.max_allocations;
	return cp_ipc_on(GW_IPC_RELOAD_RESP, on_resp, NULL);
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static json_t *
keys(const char *const *k, unsigned n)
{
	json_t *a = json_array();

	for (unsigned i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_string(k[i]));
	return a;
}

/* Ask the dataplane and wait (bounded) for its answer; its JSON part. */
static json_t *
dataplane_reload(struct cp_app *app, bool *ok)
{
	struct gw_ipc_msg m = { .type = GW_IPC_RELOAD_REQ };
	uint64_t deadline = mono_ms() + DP_WAIT_MS;
	const char *st;

	*ok = false;
	if (app->ipc == NULL || app->dp_lost) {
		*ok = true;             /* it reads the file when it starts */
		return json_pack("{s:s}", "status", "not attached");
	}
	seq++;
	m.seq = SEQ_BASE + seq;
	answer.got = false;
	if (cp_ipc_send(app->ipc, 0, &m) != 0)
		return json_pack("{s:s, s:s}", "status", "no answer", "detail",
				 "command ring full or dataplane gone");
	while (!answer.got && mono_ms() < deadline) {
		if (cp_ipc_poll(app->ipc, mono_ms()) != 0)
			break;          /* stopping or gone: the loop sees it too */
		if (!answer.got)
			nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	if (!answer.got)
		return json_pack("{s:s, s:s}", "status", "no answer", "detail",
				 "the dataplane did not answer in time");
	*ok = answer.status == 0;
	st = *ok ? "reloaded" : "refused";
	return json_pack("{s:s, s:i, s:i, s:i, s:s}", "status", st, "generation",
			 (int)answer.r.generation, "live", answer.r.n_live, "restart_required",
			 answer.r.n_restart, "detail", answer.r.detail);
}

/*
 * The whole reload. Returns the HTTP status and *doc (the reply body); on a
 * refused file, 400 and *doc = NULL with err set.
 */
static unsigned
reload(struct cp_app *app, json_t **doc, char *err, size_t errlen)
{
	struct gw_config *next = malloc(sizeof(*next));
	struct gw_reload_diff d;
	char line[512];
	json_t *dpj;
	bool dp_ok;
	int rc;

	*doc = NULL;
	if (next == NULL) {
		snprintf(err, errlen, "out of memory");
		return 500;
	}
	rc = gw_config_load(next, run->path, err, errlen);
	if (rc != 0) {
		CP_ERR("config reload refused, running config unchanged: %s", err);
		gw_wipe(next, sizeof(*next));
		free(next);
		return 400;
	}
	gw_reload_diff(run, next, alloc_cap, &d);
	gw_reload_apply(run, next, alloc_cap);
	gw_wipe(next, sizeof(*next));
	free(next);
	cp_log_set_level(run->log.level);
	for (unsigned i = 0; i < d.n_restart; i++)
		CP_WARN("config reload: %s changed in %s: needs a restart, not applied",
			d.restart[i], run->path);
	(void)gw_reload_format(&d, line, sizeof(line));
	CP_NOTICE("config reloaded from %s: %s", run->path, line);

	dpj = dataplane_reload(app, &dp_ok);
	if (!dp_ok)
		CP_ERR("config reload: the dataplane did not reload: %s",
		       json_string_value(json_object_get(dpj, "detail")) ?
		       json_string_value(json_object_get(dpj, "detail")) : "?");
	*doc = json_pack("{s:s, s:o, s:o, s:o}", "status", dp_ok ? "reloaded" : "partial",
			 "live", keys(d.live, d.n_live), "restart_required",
			 keys(d.restart, d.n_restart), "dataplane", dpj);
	return dp_ok ? 200 : 502;
}

void
cp_reload_signal(struct cp_app *app)
{
	char err[GW_CONF_ERR_LEN];
	json_t *doc = NULL;

	CP_NOTICE("SIGHUP: reloading the config");
	(void)reload(app, &doc, err, sizeof(err));
	json_decref(doc);
}

enum MHD_Result
cp_reload_post(void *a, const struct cp_rest_req *r)
{
	char err[GW_CONF_ERR_LEN];
	json_t *doc = NULL;
	unsigned status = reload(a, &doc, err, sizeof(err));

	if (doc == NULL)
		return cp_rest_reply_error(r, status, "%s", err);
	return cp_rest_reply_json(r, status, doc);
}
