/*
 * cp_ingest: RTP-ingest streams (issue 7 item 5), what Janus's streaming
 * mountpoints do: a stream fed by plain RTP on a media port of the
 * dataplane (RTP and RTCP muxed on that one port; the first packet's source
 * is latched as the sender), watched by browsers over WHEP exactly like a
 * WHIP publisher's stream (POST /v1/whep/{name}). The legs live in
 * cp_session (KIND_INGEST); this module is their REST face and the
 * media.streams of the config.
 *
 * REST (routes in cp_api.c; bearer token):
 *   POST   /v1/streams          {"name", "audio": {"codec", "pt"}, "video": {...}}
 *                               -> 201 {"name", "address", "port", ...}, Location
 *   GET    /v1/streams          every ingest stream
 *   GET    /v1/streams/{name}   one (404 if none)
 *   DELETE /v1/streams/{name}   -> 200; frees the leg and ends its viewers
 *
 * Single-threaded: the control plane's loop only.
 */
#ifndef CP_INGEST_H
#define CP_INGEST_H

#include <stdint.h>

#include "cp_rest.h"

struct cp_app;

/** Once, at start-up. */
void cp_ingest_init(struct cp_app *app);

/** Every loop turn: creates media.streams once a dataplane is attached. */
void cp_ingest_tick(uint64_t now_ms);

cp_rest_handler_fn cp_ingest_post;
cp_rest_handler_fn cp_ingest_get;
cp_rest_handler_fn cp_ingest_delete;

#endif
