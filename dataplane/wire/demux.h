/* demux: classify a UDP payload by its first byte (RFC 7983, RFC 5761). */
#ifndef GW_DEMUX_H
#define GW_DEMUX_H

#include <stddef.h>
#include <stdint.h>

#define GW_FOREACH_DEMUX_CLASS(_)                         \
	_(EMPTY,   "empty datagram")                       \
	_(STUN,    "STUN/TURN message (first byte 0-3)")   \
	_(ZRTP,    "ZRTP (first byte 16-19)")              \
	_(DTLS,    "DTLS record (first byte 20-63)")       \
	_(CHANDATA,"TURN ChannelData (first byte 64-79)")  \
	_(RTP,     "RTP (first byte 128-191)")             \
	_(RTCP,    "RTCP (first byte 128-191, PT 192-223)") \
	_(UNKNOWN, "first byte in no RFC 7983 range")

enum gw_demux_class {
#define GW_DEMUX_ENUM(sym, text) GW_DEMUX_##sym,
	GW_FOREACH_DEMUX_CLASS(GW_DEMUX_ENUM)
#undef GW_DEMUX_ENUM
	GW_DEMUX_MAX
};

/**
 * Classify a datagram. RTP and RTCP share 128-191; RFC 5761 §4 separates
 * them by the second byte (payload type 64-95 with the marker bit is RTCP).
 * Never fails: every input has a class.
 */
enum gw_demux_class gw_demux_classify(const uint8_t *p, size_t len);

/** A short name ("stun", "dtls", ...) for logs and metrics labels. */
const char *gw_demux_name(enum gw_demux_class c);

#endif
