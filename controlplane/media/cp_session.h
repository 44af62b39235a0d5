/*
 * cp_session: WebRTC media sessions in the control plane (issue 7).
 *
 * A session is legs and a forwarding rule: an echo session is one leg whose
 * media goes back to it; a stream session is one publisher (WHIP) and the
 * viewers (WHEP) its media is fanned out to. Each leg has a media port of its
 * own from media.port_min..port_max (BUNDLE + rtcp-mux), ICE-lite credentials
 * (cp_ice), a DTLS-SRTP endpoint (cp_dtls) fed from the punt ring by
 * destination port and answering through cp_ipc_tx, and a dataplane leg
 * (GW_IPC_MEDIA_LEG_REQ) that gets its SRTP keys when the handshake is done.
 * A leg ends on DELETE, on a DTLS close_notify, alert, failure or timeout,
 * and on ICE consent loss; a publisher's end ends its viewers. Ending frees
 * the ICE credential, the dataplane leg (and its SRTP contexts) and the DTLS
 * endpoint. An RTP-ingest stream (cp_ingest) is a publisher leg of its own
 * kind: plain, latching, no ICE or DTLS, viewed like a WHIP publisher.
 *
 * REST (routes in cp_api.c; bearer token as every /v1 route, except OPTIONS):
 *   POST    /v1/echo             application/sdp offer -> 201 answer, Location, ETag
 *   POST    /v1/whip/{stream}    publish (WHIP, RFC 9725)
 *   POST    /v1/whep/{stream}    view (WHEP, client offer)
 *   PATCH   /v1/resources/{id}   application/trickle-ice-sdpfrag -> 204
 *   DELETE  /v1/resources/{id}   -> 200
 *   OPTIONS any of the above     -> 204 with CORS headers
 *   GET     /v1/sessions[/{id}]  sessions, legs, ICE/DTLS/SRTP state, counters
 *
 * Single-threaded: the control plane's loop only.
 */
#ifndef CP_SESSION_H
#define CP_SESSION_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "cp_addr.h"
#include "cp_rest.h"

struct cp_app;
struct gw_ipc_msg;

/**
 * Create the DTLS certificate and register the IPC rows (media and SRTP
 * events, punted frames, attach) and the ICE listener. Once, before the first
 * attach.
 * @return 0; -ENOMEM / -EIO (certificate); the cp_ipc_on*() errors.
 */
int cp_session_init(struct cp_app *app);

/** Drop every session (shutdown). */
void cp_session_fini(void);

/** Timers: DTLS retransmissions, per-leg counter requests. Every loop turn. */
void cp_session_tick(uint64_t now_ms);

/** Live sessions (echo sessions plus streams with a publisher) and legs. */
void cp_session_counts(unsigned *sessions, unsigned *legs);

/** Whether a session leg holds media port port (the calls module shares the pool). */
bool cp_session_port_busy(uint16_t port);

/** Ports another module holds: alloc_port skips those for which fn is true. */
void cp_session_set_port_guard(bool (*fn)(uint16_t port));

/**
 * Media events (GW_IPC_MEDIA_EVENT) for leg ids no session owns go to fn
 * (the calls module's legs share the event type).
 */
void cp_session_set_evt_fallback(void (*fn)(const struct gw_ipc_msg *m));

struct gw_conf_stream;

/**
 * An RTP-ingest stream's leg (cp_ingest): a port from the media pool, a
 * plain, latching dataplane leg with the PUBLISH rule, and the stream's
 * description (cp_ingest_describe) that WHEP viewers' answers follow.
 * @return 0 with *id and *port; -ENOTCONN (no dataplane), -EEXIST (the name
 *         has a publisher or is an ingest stream), -EMFILE (leg table full),
 *         -ENOSPC (no free port), -ENOMEM, -EIO; why says which.
 */
int cp_session_ingest_add(const struct gw_conf_stream *spec, uint32_t *id, uint16_t *port,
			  char *why, size_t whylen);

/** End an ingest stream's leg and its viewers. @return 0 or -ENOENT. */
int cp_session_ingest_del(const char *stream);

/** What GET /v1/streams shows of an ingest leg (valid until the next change). */
struct cp_session_ingest {
	uint32_t id;
	uint16_t port;
	unsigned viewers;
	time_t created;
	const struct gw_conf_stream *spec;
	const uint64_t *cnt;           /* GW_IPC_MEDIA_CNT_MAX counters */
};

int cp_session_ingest_get(const char *stream, struct cp_session_ingest *out);
unsigned cp_session_ingest_list(struct cp_session_ingest *out, unsigned max);
/** ICE events (nominated, consent lost, refused) of ICE legs no session owns
 * (the calls' WebRTC legs), with the peer's address of either family. */
typedef void cp_session_ice_fn(uint32_t ice_id, uint16_t kind, const struct cp_addr *peer,
			       uint16_t peer_port);

/** A punted datagram (DTLS) to a media port no session holds: source (IPv4
 * or IPv6), ports, payload. */
typedef void cp_session_punt_fn(const struct cp_addr *src, uint16_t sport, uint16_t dport,
				const uint8_t *payload, size_t len);

/** Where ICE events and punts for other modules' legs go (the calls module's WebRTC legs). */
void cp_session_set_ice_fallback(cp_session_ice_fn *fn);
void cp_session_set_punt_fallback(cp_session_punt_fn *fn);

struct cp_dtls_cert;

/** The DTLS certificate the media legs use; *fp its sha-256 fingerprint (32 bytes). */
const struct cp_dtls_cert *cp_session_dtls_cert(const uint8_t **fp);

struct cp_dtls_env;

/** The DTLS endpoints' environment (the control plane's monotonic clock). */
const struct cp_dtls_env *cp_session_dtls_env(void);

cp_rest_handler_fn cp_session_post_echo;
cp_rest_handler_fn cp_session_post_whip;
cp_rest_handler_fn cp_session_post_whep;
cp_rest_handler_fn cp_session_patch;
cp_rest_handler_fn cp_session_delete;
cp_rest_handler_fn cp_session_options;
cp_rest_handler_fn cp_session_get;

#endif
