/*
 * dp_reload: live configuration reload in the dataplane (dp_reload.h).
 * Runs on worker 0 only (its tick and its command ring), so the running
 * config below has one writer and needs no lock.
 */
#include "dp_reload.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_log.h>
#include <rte_malloc.h>

#include "dp_ctx.h"
#include "dp_ipc.h"
#include "dp_log.h"
#include "dp_turn.h"
#include "gw_ipc.h"
#include "gw_reload.h"
#include "ct.h"

static struct gw_config *run;       /* what is in force (live keys updated) */
static uint32_t alloc_cap;          /* turn.max_allocations at start-up */
static uint32_t generation;
static volatile int pending;        /* set by SIGHUP */

static void on_req(struct dp_worker *w, struct gw_ipc_msg *q);

/* The message, truncated to the IPC field (the full one is in the log). */
static void
detail(struct gw_ipc_reload *out, const char *msg)
{
	size_t n = strnlen(msg, sizeof(out->detail) - 1);

	memcpy(out->detail, msg, n);
	out->detail[n] = '\0';
}

int
dp_reload_init(const struct gw_config *boot)
{
	run = rte_malloc("dp_reload_conf", sizeof(*run), 0);
	if (run == NULL)
		return -ENOMEM;
	memcpy(run, boot, sizeof(*run));
	alloc_cap = boot->turn.max_allocations;
	return dp_ipc_on(GW_IPC_RELOAD_REQ, on_req);
}

void
dp_reload_request(void)
{
	__atomic_store_n(&pending, 1, __ATOMIC_RELAXED);
}

int
dp_reload_run(unsigned self, struct gw_ipc_reload *out)
{
	struct gw_config *next = NULL;
	struct gw_reload_diff d;
	char err[GW_CONF_ERR_LEN];
	int rc;

	memset(out, 0, sizeof(*out));
	if (run == NULL)
		return -EINVAL;
	next = rte_malloc("dp_reload_next", sizeof(*next), 0);
	if (next == NULL) {
		snprintf(out->detail, sizeof(out->detail), "out of memory");
		return -ENOMEM;
	}
	rc = gw_config_load(next, run->path, err, sizeof(err));
	if (rc != 0) {
		DP_LOG(ERR, "config reload refused, running config unchanged: %s", err);
		detail(out, err);
		goto out;
	}
	gw_reload_diff(run, next, alloc_cap, &d);
	out->n_live = (uint16_t)d.n_live;
	out->n_restart = (uint16_t)d.n_restart;
	for (unsigned i = 0; i < d.n_restart; i++)
		DP_LOG(WARNING, "config reload: %s changed in %s: needs a restart, not applied",
		       d.restart[i], run->path);
	/* Apply on a copy: if the TURN state cannot be built, nothing changes. */
	{
		struct gw_config *merged = rte_malloc("dp_reload_merged", sizeof(*merged), 0);

		if (merged == NULL) {
			rc = -ENOMEM;
			snprintf(out->detail, sizeof(out->detail), "out of memory");
			goto out;
		}
		memcpy(merged, run, sizeof(*merged));
		gw_reload_apply(merged, next, alloc_cap);
		rc = dp_turn_reload(merged, self);
		if (rc != 0) {
			DP_LOG(ERR, "config reload: TURN state not rebuilt (%s); running config "
			       "unchanged", strerror(-rc));
			snprintf(out->detail, sizeof(out->detail), "TURN state not rebuilt: %s",
				 strerror(-rc));
			gw_wipe(merged, sizeof(*merged));
			rte_free(merged);
			goto out;
		}
		rte_log_set_level(dp_logtype, (uint32_t)(RTE_LOG_ERR + merged->log.level));
		memcpy(run, merged, sizeof(*run));
		gw_wipe(merged, sizeof(*merged));
		rte_free(merged);
	}
	out->generation = ++generation;
	(void)gw_reload_format(&d, out->detail, sizeof(out->detail));
	DP_LOG(NOTICE, "config reloaded from %s (generation %u): %u live change(s), %u needing "
	       "a restart", run->path, generation, d.n_live, d.n_restart);
	for (unsigned i = 0; i < d.n_live; i++)
		DP_LOG(NOTICE, "config reload: %s applied", d.live[i]);
out:
	gw_wipe(next, sizeof(*next));
	rte_free(next);
	return rc;
}

void
dp_reload_poll(struct dp_worker *w)
{
	struct gw_ipc_reload r;

	if (w->idx != 0 || !__atomic_exchange_n(&pending, 0, __ATOMIC_RELAXED))
		return;
	DP_LOG(NOTICE, "SIGHUP: reloading the config");
	(void)dp_reload_run(w->idx, &r);
	gw_wipe(&r, sizeof(r));
}

static void
on_req(struct dp_worker *w, struct gw_ipc_msg *q)
{
	struct gw_ipc_msg r = { .type = GW_IPC_RELOAD_RESP, .seq = q->seq };

	r.status = dp_reload_run(w->idx, &r.u.reload);
	dp_ipc_event(w, &r);
}
