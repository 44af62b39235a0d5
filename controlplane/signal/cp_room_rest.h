/*
 * cp_room_rest: the peer-to-peer signalling relay on REST (cp_room keeps the
 * books). Two browsers join a room, POST their offers, answers and ICE
 * candidates and receive the other's over Server-Sent Events, then connect
 * directly with the gateway's STUN/TURN (the join answer carries TURN REST
 * credentials):
 *
 *   POST   /v1/rooms/{room}/peers         -> 201 {"room","peer","key","peers":[ids],
 *                                                 "events": URL, "iceServers": [...]}
 *   POST   /v1/rooms/{room}/messages      {"from": ID, "to": ID, "type": "...", ...} -> 202
 *   DELETE /v1/rooms/{room}/peers/{id}    -> 200 (the others get {"type":"leave"})
 *   GET    /v1/rooms/{room}/events?peer=ID&key=KEY   text/event-stream: one JSON
 *                                         message per "data:" line, keep-alive comments
 *   GET    /v1/rooms                      -> 200 {"rooms": [{"name","peers"}]}
 *
 * Every route takes the bearer token, except the events stream, which a
 * browser's EventSource opens without headers: it takes the peer's key (a
 * secret returned by the join, compared in constant time), or the token.
 *
 * Everything runs on the control plane's loop thread (cp_rest has no threads
 * of its own): an idle stream is suspended in libmicrohttpd and resumed when
 * a message is queued for it or a keep-alive is due (cp_room_rest_tick).
 */
#ifndef CP_ROOM_REST_H
#define CP_ROOM_REST_H

#include <stdint.h>

#include "cp_rest.h"

#define CP_ROOM_MAX_ROOMS     64
#define CP_ROOM_MAX_PEERS     8
#define CP_ROOM_MAX_QUEUE     128
#define CP_ROOM_MAX_MSG       (16 * 1024)
#define CP_ROOM_ATTACH_MS     30000   /* a peer must open its events stream within */
#define CP_ROOM_KEEPALIVE_MS  15000

struct cp_app;

/** @return 0; -ENOMEM. */
int cp_room_rest_init(struct cp_app *app);

/** Ends every stream (resumed first: libmicrohttpd must not stop with one
 * suspended); call before cp_rest_free. */
void cp_room_rest_fini(void);

/** Keep-alives, and peers that never opened their stream. */
void cp_room_rest_tick(uint64_t now);

cp_rest_handler_fn cp_room_rest_post;
cp_rest_handler_fn cp_room_rest_get;
cp_rest_handler_fn cp_room_rest_delete;

#endif
