/*
 * cp_ice: ICE-lite legs as seen by the control plane, until the session API
 * owns them. It keeps the registry (id -> credentials, state), publishes the
 * credentials to the dataplane over the command ring (worker 0 owns the ICE
 * table) and follows the events it sends back:
 *
 *   POST   /v1/ice/legs        {"remote_ufrag", "port", "local_ufrag"?, "local_pwd"?}
 *                               -> 201 {id, local_ufrag, local_pwd, remote_ufrag, port, state}
 *   GET    /v1/ice/legs        -> 200 {"legs": [...]} (no passwords)
 *   GET    /v1/ice/legs/{id}   -> 200 {id, ..., state: pending | waiting | nominated |
 *                                      consent_lost | failed, selected?: {address, port}}
 *   DELETE /v1/ice/legs/{id}   -> 204
 *
 * Single-threaded: called from the control plane's loop only.
 */
#ifndef CP_ICE_H
#define CP_ICE_H

#include <stdint.h>

#include "cp_rest.h"
#include "gw_ipc.h"

#define CP_ICE_MAX_LEGS 4096   /* = the dataplane's table (ICE_LEGS in dataplane/main.c) */

/**
 * Register with cp_ipc: GW_IPC_ICE_EVENT handler, and a flush of the
 * dataplane's ICE table on every attach (legs a previous control plane
 * published are unknown to this one). Call once before attaching.
 * @return 0, or the cp_ipc_on*() error.
 */
int cp_ice_init(void);

cp_rest_handler_fn cp_ice_post;
cp_rest_handler_fn cp_ice_get;
cp_rest_handler_fn cp_ice_delete;

#endif
