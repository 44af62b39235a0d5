/*
 * cp_reload: live configuration reload in the control plane.
 *
 *   POST /v1/config/reload   (bearer auth, no body)
 *   SIGHUP to rtcgw-controlplane
 *
 * Both re-read the config file the control plane started with. A file that
 * does not parse or validate is refused (REST: 400 {"error": "file:line:col:
 * key: reason"}; SIGHUP: logged) and nothing changes anywhere. Otherwise the
 * control plane applies its live keys (controlplane.rest.tokens,
 * turn.auth_secrets for GET /v1/turn/credentials, log.level), then asks the
 * dataplane (GW_IPC_RELOAD_REQ to worker 0) to reload too and waits for its
 * answer (bounded). REST answers 200
 *   {"status": "reloaded", "live": [keys], "restart_required": [keys],
 *    "dataplane": {"status": "reloaded" | "refused" | "not attached" |
 *                  "no answer", "generation": N, "detail": "..."}}
 * or 502 with the same body when the dataplane refused or did not answer.
 * Keys that need a restart are listed and logged, and stay as they run.
 */
#ifndef CP_RELOAD_H
#define CP_RELOAD_H

#include "cp_rest.h"
#include "gw_config.h"

struct cp_app;

/**
 * Remember the running config (updated in place: the loop is single-
 * threaded, so the REST handlers see the new tokens at once) and register
 * the GW_IPC_RELOAD_RESP handler. Before the first attach.
 * @return 0 or the error of cp_ipc_on().
 */
int cp_reload_init(struct gw_config *conf);

/** SIGHUP: reload and log the outcome (from the loop, not the handler). */
void cp_reload_signal(struct cp_app *app);

/** POST /v1/config/reload. */
cp_rest_handler_fn cp_reload_post;

#endif
