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

struct cp_app;

/** What the session layer needs of a leg it created. */
struct cp_ice_leg_info {
	uint32_t id;                          /* also the media and SRTP leg id */
	char ufrag[GW_IPC_ICE_UFRAG + 1];
	char pwd[GW_IPC_ICE_PWD + 1];         /* the caller wipes it */
};

/**
 * Create an ICE-lite leg on media port for the peer's remote_ufrag with a
 * generated ufrag and password, and publish it to the dataplane (the REST
 * handler below and cp_session share this).
 * @return 0; -EINVAL (remote_ufrag not 4..32 ice-chars); -ENOTCONN (no
 *         dataplane); -ENOSPC (table full); -ENOBUFS (command ring full);
 *         -EIO (random generator). why says which.
 */
int cp_ice_leg_create(struct cp_app *app, uint16_t port, const char *remote_ufrag,
		      struct cp_ice_leg_info *info, char *why, size_t wlen);

/**
 * cp_ice_leg_create with the local credentials given (an offer announced
 * them before the peer's ufrag was known: the calls module's WebRTC legs).
 * @return as cp_ice_leg_create; -EEXIST local_ufrag in use; -EINVAL also for
 *         a local ufrag or password out of range.
 */
int cp_ice_leg_create_with(struct cp_app *app, uint16_t port, const char *remote_ufrag,
			   const char *local_ufrag, const char *local_pwd,
			   struct cp_ice_leg_info *info, char *why, size_t wlen);

/**
 * ICE restart (RFC 8445 §9, RFC 9725 §4.3.2) of leg id: new local
 * credentials, the peer's new remote_ufrag; the dataplane's old credentials
 * are deleted and the new ones added under the same leg id (the media leg
 * does not notice). The leg waits for a new nomination; consent starts
 * afresh. info gets the new ufrag and password (the caller wipes it).
 * @return 0; -ENOENT; -EINVAL; -ENOTCONN; -ENOBUFS; -EIO. why says which.
 */
int cp_ice_leg_restart(struct cp_app *app, uint32_t id, const char *remote_ufrag,
		       struct cp_ice_leg_info *info, char *why, size_t wlen);

/**
 * cp_ice_leg_restart keeping our credentials: the peer restarted in an
 * answer to an offer of ours that announced local_ufrag and local_pwd
 * (the calls module's WebRTC legs; local_ufrag must be the leg's own).
 * @return as cp_ice_leg_restart.
 */
int cp_ice_leg_restart_with(struct cp_app *app, uint32_t id, const char *remote_ufrag,
			    const char *local_ufrag, const char *local_pwd,
			    struct cp_ice_leg_info *info, char *why, size_t wlen);

/** The peer's ufrag leg id was created (or last restarted) with; NULL: no leg. */
const char *cp_ice_leg_remote_ufrag(uint32_t id);

/** n random ice-chars and a NUL into out (n + 1 bytes). @return 0; -EIO. */
int cp_ice_gen_chars(char *out, size_t n);

/** Forget leg id and remove it from the dataplane. @return 0; -ENOENT; -ENOBUFS. */
int cp_ice_leg_delete(struct cp_app *app, uint32_t id);

struct cp_ipc;
struct cp_addr;

/** On an attach: take the calls' legs out of the table and the dataplane (a
 * control plane that took the journal over but cannot take the calls over). */
void cp_ice_drop_calls(struct cp_ipc *c);

/** "pending", "waiting", "nominated", "consent_lost", "failed", or "gone". */
const char *cp_ice_leg_state(uint32_t id);

/**
 * Called after the registry followed a dataplane event of a known leg:
 * GW_IPC_ICE_NOMINATED, GW_IPC_ICE_CONSENT_LOST, or GW_IPC_ICE_ADDED refused.
 */
typedef void cp_ice_listener_fn(void *ctx, uint32_t leg_id, uint16_t kind,
				const struct cp_addr *peer, uint16_t peer_port);

/** Set the one listener (cp_session). */
void cp_ice_listen(cp_ice_listener_fn *fn, void *ctx);

cp_rest_handler_fn cp_ice_post;
cp_rest_handler_fn cp_ice_get;
cp_rest_handler_fn cp_ice_delete;

#endif
