/*
 * dp_reload: live configuration reload in the dataplane. A SIGHUP, or
 * GW_IPC_RELOAD_REQ from the control plane (POST /v1/config/reload), makes
 * worker 0 re-read the config file on its tick (the slow path: libyaml and
 * libcrypto allocate), compare it with the running config (gw_reload_diff)
 * and apply the live keys: TURN credentials, peer policy, quotas and
 * bandwidth cap through dp_turn_reload(), the log level. Keys that need a
 * restart are logged and left unchanged; a file that does not parse or
 * validate is refused with its file:line:col message and nothing changes.
 */
#ifndef DP_RELOAD_H
#define DP_RELOAD_H

#include "gw_config.h"

struct dp_worker;
struct gw_ipc_reload;

/**
 * Keep a copy of the start-up config (the running config from now on) and
 * register the GW_IPC_RELOAD_REQ handler. Call once, before the workers run.
 * @return 0 or the error of dp_ipc_on().
 */
int dp_reload_init(const struct gw_config *boot);

/** Ask for a reload on worker 0's next tick. Async-signal-safe (SIGHUP). */
void dp_reload_request(void);

/** Worker tick: on worker 0, serve a pending reload request. */
void dp_reload_poll(struct dp_worker *w);

/**
 * Reload now: read the running config's file, diff, apply the live keys.
 * @param self  the caller's TURN reader id (dp_turn_reload()).
 * @param out   receives the generation, the counts and a detail line.
 * @return 0 (applied, possibly with restart-only keys left unchanged);
 *         -EINVAL (the file does not parse or validate: out->detail has the
 *         message); -errno when it cannot be read; an error of
 *         dp_turn_reload(). On error the running config stays.
 */
int dp_reload_run(unsigned self, struct gw_ipc_reload *out);

#endif
