/*
 * cp_calls_legs: the dataplane side of a call's media (cp_calls_media.c
 * decides, this sends): leg ids, commands to the legs (mode, peer, SDES
 * keys, BRIDGE and DEMUX rules) and a party's change of transport. Private
 * to the calls media code (state: cp_calls_media_int.h).
 */
#ifndef CP_CALLS_LEGS_H
#define CP_CALLS_LEGS_H

#include <stdbool.h>
#include <stdint.h>

#include "cp_addr.h"
#include "cp_calls_media_int.h"
#include "gw_ipc.h"

struct cp_app;

/** The dataplane leg id of side s's section i (its RTP or RTCP leg). */
static inline uint32_t
cp_calls_leg_id(const struct mcall *k, unsigned side, unsigned i, bool rtcp)
{
	return k->leg0 + side * 2 * CP_SDP_MAX_MEDIA + i * 2 + (rtcp ? 1 : 0);
}

static inline bool
cp_calls_is_webrtc(const struct side *d)
{
	return d->kind_set && d->kind == CP_CALLS_KIND_WEBRTC;
}

/** Where media for side s's section i goes: a WebRTC side's sections all ride
 * on its section 0 RTP leg (BUNDLE and rtcp-mux: one port). */
static inline uint32_t
cp_calls_leg_to(const struct mcall *k, unsigned s, unsigned i, bool rtcp)
{
	return cp_calls_is_webrtc(&k->s[s]) ? cp_calls_leg_id(k, s, 0, false)
					    : cp_calls_leg_id(k, s, i, rtcp);
}

/** A bundled WebRTC side facing a SIP side's section per m=: the WebRTC leg
 * demuxes by payload type (a WebRTC-to-WebRTC call needs none: both
 * sides' sections are one leg each). */
static inline bool
cp_calls_demuxed(const struct mcall *k)
{
	return k->n_media > 1 && cp_calls_is_webrtc(&k->s[0]) != cp_calls_is_webrtc(&k->s[1]);
}

/** The app whose command ring the legs' commands go to (cp_calls_media_init). */
void cp_calls_legs_init(struct cp_app *app);

/** The dataplane is attached: commands can be sent. */
bool cp_calls_legs_ready(void);

/** One leg command, the whole payload given (fields its op ignores 0).
 * @return 0; -ENOTCONN no dataplane; cp_ipc_send's error. */
int cp_calls_legs_send(const struct gw_ipc_media_leg *c);

/** The SRTP keys of leg id out of the dataplane (both halves).
 * @return 0; -ENOTCONN no dataplane; cp_ipc_send's error. */
int cp_calls_legs_srtp_del(uint32_t id);

/** A leg command of op with port, rule and other leg (pub_leg_id). */
int cp_calls_legs_cmd(uint32_t id, uint16_t op, uint16_t port, uint8_t rule, uint32_t other);

/** The peer address of leg id (a zero address: none). */
int cp_calls_legs_peer(uint32_t id, const struct cp_addr *a, uint16_t port);

/** The forwarding rules between the two sides (BRIDGE, BRIDGE_RTCP, DEMUX),
 * unless the same as last sent. @return 0; -EIO a command not sent. */
int cp_calls_legs_rules(struct mcall *k);

/** The dataplane mode (GW_IPC_MEDIA_F_*) of side d's legs. */
uint8_t cp_calls_legs_mode(const struct side *d);

/** Modes of side s's legs, and its peer addresses when known.
 * @return 0; -EIO a command not sent. */
int cp_calls_legs_side(const struct mcall *k, unsigned s);

/** Side s's SDES keys: per section the halves whose bit is set in rx_mask
 * (the party's key) and tx_mask (ours). @return 0; -EIO a command not sent. */
int cp_calls_legs_sdes(const struct mcall *k, unsigned s, uint32_t rx_mask, uint32_t tx_mask);

/** Side d's party changes transport to kind: d starts again without ICE
 * leg, DTLS endpoint, credentials or keys; the caller's copy of the old side
 * keeps those for cp_calls_legs_retire or cp_calls_legs_back. */
void cp_calls_legs_renew(struct side *d, enum cp_calls_kind kind);

/** A renewed side's offer failed: what its new transport made goes, old is
 * back in d. */
void cp_calls_legs_back(struct side *d, const struct side *old);

/** The old transport of renewed side s (old: the side before) leaves the
 * dataplane; every rule is sent again after. @return 0; -EIO a command not
 * sent. */
int cp_calls_legs_retire(struct mcall *k, unsigned s, struct side *old);

#endif
