/*
 * gw_reload: what a configuration reload changes (SIGHUP, POST
 * /v1/config/reload). A pure function of two parsed, validated configs: the
 * running one and the file's new contents. Each key that differs is either
 * live (both processes apply it without a restart and without disturbing
 * live allocations) or needs a restart (reported, logged and left as it is:
 * the running value stays in force).
 *
 * Live keys: controlplane.rest.tokens, log.level, turn.users,
 * turn.auth_secrets, turn.allowed_peers, turn.denied_peers,
 * turn.user_quota, turn.ip_quota, turn.bandwidth_bps, and
 * turn.max_allocations up to the value the dataplane started with (its
 * tables are sized from it; a larger value needs a restart).
 * Everything else needs a restart. The list is in gateway-conf/README.md.
 */
#ifndef GW_RELOAD_H
#define GW_RELOAD_H

#include <stddef.h>
#include <stdint.h>

#include "gw_config.h"

#define GW_RELOAD_MAX_KEYS 64       /* more than there are keys */

/** The keys that differ, by kind, in file order (static strings). */
struct gw_reload_diff {
	unsigned n_live;
	unsigned n_restart;
	const char *live[GW_RELOAD_MAX_KEYS];
	const char *restart[GW_RELOAD_MAX_KEYS];
};

/**
 * Compare the running config with a new one.
 * @param run        the config in force (as gw_reload_apply() left it).
 * @param next       the new file's contents (parsed and validated).
 * @param alloc_cap  turn.max_allocations the TURN tables were sized for:
 *                   a new value up to it is live, above it needs a restart.
 * @param d          receives the keys that differ. No errors.
 */
void gw_reload_diff(const struct gw_config *run, const struct gw_config *next,
		    uint32_t alloc_cap, struct gw_reload_diff *d);

/**
 * Copy the live keys of next into run (the restart-only ones stay as they
 * are), so run describes what is in force afterwards. No errors.
 */
void gw_reload_apply(struct gw_config *run, const struct gw_config *next, uint32_t alloc_cap);

/**
 * "live: a, b; restart needed: c" (or "no change") into buf, truncated to len.
 * @return the length snprintf would have written.
 */
int gw_reload_format(const struct gw_reload_diff *d, char *buf, size_t len);

#endif
