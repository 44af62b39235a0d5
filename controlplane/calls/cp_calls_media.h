/*
 * cp_calls_media: the media side of SIP calls (issue 9), the implementation
 * of cp_calls_media_fn.
 *
 * An offer from leg A creates, per m= section, a port pair (RTP, RTCP =
 * RTP + 1) facing A and one facing B from the media port pool (shared with
 * cp_session), four dataplane legs in plain mode (GW_IPC_MEDIA_F_PLAIN) and
 * BRIDGE rules between them: RTP from A goes out of B's RTP port to B, RTCP
 * to B's RTCP port (or B's RTP port when B muxes), and back. Each leg sends
 * to the address its SDP gave and latches on the source of the first packet
 * it receives (unless trust-address). The SDP sent on is A's description
 * rendered with cp_sdp_leg_render for an RTP/AVP(F) leg on B's ports; the
 * answer completes B's addresses and is rendered on A's ports. A re-offer
 * keeps the ports and legs (media keeps flowing) and updates the offerer's
 * addresses; on a WebRTC leg a new a=ice-ufrag restarts ICE and a new
 * a=fingerprint (or a role-taking a=setup) starts a new DTLS association
 * whose keys replace the old ones. Deleting the call (cp_calls release hook) frees the legs and
 * ports; a call without media for calls.media_timeout_s is logged and
 * dropped.
 *
 * Plain RTP/AVP(F), SDES RTP/SAVP(F) and WebRTC UDP/TLS/RTP/SAVPF legs
 * (the latter's m= sections BUNDLEd on one port, split toward the SIP side
 * by payload type) are bridged: README, "Media for calls".
 *
 * Single-threaded: the control plane's loop.
 */
#ifndef CP_CALLS_MEDIA_H
#define CP_CALLS_MEDIA_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "cp_calls.h"

struct cp_app;

/**
 * Bind the module to the application (ports, IPC) and the registry (release
 * hook, timeouts). Call after cp_session_init.
 */
void cp_calls_media_init(struct cp_app *app, struct cp_calls *calls);

/**
 * The gateway's loop-protect id (cp_ng_set_instance; a=rtpengine:<id> in the
 * SDP a request with loop-protect gets): 16 hex digits of a SHA-256 of the ng
 * socket's and the first port's addresses, so the same gateway keeps it
 * across restarts and two gateways differ. Valid after cp_calls_media_init.
 */
const char *cp_calls_media_instance(void);

/** The media seam given to cp_calls_create (ctx: unused, pass NULL). */
cp_calls_media_fn cp_calls_media;

/** Timers: per-leg counter requests, media timeout. Every loop turn. */
void cp_calls_media_tick(uint64_t now_ms);

/**
 * The dataplane legs of call id with their ports, peers and latest counters
 * (a JSON array, new reference), or NULL when the call has no media.
 */
json_t *cp_calls_media_json(const char *id, size_t len);

/** Calls with media and dataplane legs held (tests, metrics). */
void cp_calls_media_counts(unsigned *calls, unsigned *legs);

#endif
