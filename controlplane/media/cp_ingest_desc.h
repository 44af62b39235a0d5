/*
 * cp_ingest_desc: what an RTP-ingest stream is, without I/O or DPDK types
 * (unit-tested on its own): the JSON a POST /v1/streams carries, the SDP
 * description of what the stream sends (the "publisher's offer" WHEP viewers'
 * answers are restricted to), and the check that a viewer's answer receives
 * the payload types the stream actually sends.
 *
 * The gateway forwards an ingest stream's RTP with its SSRCs unchanged; a
 * viewer whose offer puts the stream's codec on another payload type gets
 * its copies with that payload type (cp_ingest_pt_map -> GW_IPC_MEDIA_PTMAP).
 */
#ifndef CP_INGEST_DESC_H
#define CP_INGEST_DESC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "cp_sdp.h"
#include "gw_config.h"

/**
 * Fill *s from a JSON body {"name": "cam1", "audio": {"codec": "opus",
 * "pt": 111}, "video": {"codec": "vp8", "pt": 96}} ("pt" optional; at least
 * one of audio/video) and check it with gw_config_stream_check (default PTs
 * filled in). Unknown keys are errors.
 * @return 0, or -EINVAL with why set (a reason for a 400).
 */
int cp_ingest_from_json(struct gw_conf_stream *s, const char *body, size_t len, char *why,
			size_t whylen);

/** The stream's tracks as JSON: {"audio": {"codec", "pt", "clock"}, "video": {...}}. */
json_t *cp_ingest_tracks_json(const struct gw_conf_stream *s);

/**
 * The stream's description: one RTP/AVP m= section per track on port (RTP
 * and RTCP muxed, a=sendonly), c= addr, the codec's rtpmap (Opus 48000/2,
 * PCMU 8000, VP8 90000, H.264 90000 with packetization-mode=1 and
 * profile-level-id=42001f).
 * @return 0, or -EINVAL (bad stream or addr).
 */
int cp_ingest_describe(const struct gw_conf_stream *s, const char *addr, uint16_t port,
		       struct cp_sdp *out);

/**
 * The payload types a WHEP viewer's answer (made with restrict_to = desc)
 * receives the stream's tracks on: for each track whose codec the answer
 * accepted on another payload type only, a pair from[i] (the stream's) ->
 * to[i] (the answer's). desc: an ingest stream's description, or a WHIP
 * publisher's offer (the sender's codec of a kind: its first one the answer
 * accepts, since the gateway's answer to the publisher kept the same ones).
 * @return the number of pairs, 0..2.
 */
unsigned cp_ingest_pt_map(const struct cp_sdp *desc, const struct cp_sdp *ans, uint8_t from[2],
			  uint8_t to[2]);

#endif
