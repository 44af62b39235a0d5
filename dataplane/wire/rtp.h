/*
 * rtp: RTP and RTCP header views (RFC 3550), RTP/RTCP demultiplexing on one
 * port (RFC 5761 §4) and RTP header extensions (RFC 8285 one-byte and
 * two-byte forms, and the generic RFC 3550 §5.3.1 block).
 *
 * Bounded views (STYLE.md practice 5): the parsers move a cursor toward the
 * end of the caller's buffer, check the length before every read, and fill a
 * caller-owned view whose pointers point into the packet. Nothing is copied
 * or allocated. Errors: 0 or a negative errno.
 */
#ifndef GW_RTP_H
#define GW_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_RTP_HDR_MIN       12      /* fixed RTP header */
#define GW_RTCP_HDR_MIN      8       /* common header + sender SSRC */
#define GW_RTP_MAX_CSRC      15

#define GW_RTP_EXT_ONE_BYTE  0xBEDEu /* RFC 8285 §4.2 */
#define GW_RTP_EXT_TWO_BYTE  0x1000u /* RFC 8285 §4.3: 0x100 + 4 "appbits" */
#define GW_RTP_EXT_TWO_MASK  0xFFF0u

/* RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1). */
#define GW_RTCP_SR    200
#define GW_RTCP_RR    201
#define GW_RTCP_SDES  202
#define GW_RTCP_BYE   203
#define GW_RTCP_APP   204
#define GW_RTCP_RTPFB 205
#define GW_RTCP_PSFB  206

/** An RTP packet: header fields, and where the payload starts and ends. */
struct gw_rtp_view {
	uint8_t version;            /* always 2 after a successful parse */
	bool padding;
	bool extension;
	bool marker;
	uint8_t cc;                 /* CSRC count */
	uint8_t pt;                 /* payload type, 0-127 */
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	const uint8_t *csrc;        /* cc big-endian 32-bit values */
	uint16_t ext_profile;       /* "defined by profile" (0xBEDE, 0x100x, other) */
	uint16_t ext_len;           /* extension body bytes (the 32-bit word count * 4) */
	const uint8_t *ext;         /* extension body, NULL without X */
	uint16_t hdr_len;           /* bytes before the payload */
	const uint8_t *payload;
	size_t payload_len;         /* without padding */
	uint8_t pad_len;            /* trailing padding bytes, 0 without P */
};

/**
 * Parse an RTP header (RFC 3550 §5.1) with CSRCs and the extension block.
 * @param v    filled on success
 * @param p    packet (UDP payload; for SRTP the authenticated part only)
 * @param len  bytes at p
 * @return 0; -EBADMSG when shorter than its header, CSRC list, extension or
 *         padding claims, or the padding count is 0; -EPROTO when the version
 *         is not 2.
 */
int gw_rtp_parse(struct gw_rtp_view *v, const uint8_t *p, size_t len);

/**
 * The header length alone (fixed header, CSRCs, extension block), for
 * SRTP, which must not look at the encrypted payload's padding.
 * @return header bytes (>= 12); -EBADMSG when the packet is shorter than its
 *         header claims; -EPROTO when the version is not 2.
 */
int gw_rtp_hdr_len(const uint8_t *p, size_t len);

/** One header extension element (RFC 8285). */
struct gw_rtp_ext_elem {
	uint8_t id;                 /* 1-14 (one-byte), 1-255 (two-byte) */
	uint8_t len;                /* data bytes: 1-16 (one-byte), 0-255 (two-byte) */
	const uint8_t *data;
};

/** Cursor over the elements of a view's RFC 8285 extension block. */
struct gw_rtp_ext_iter {
	const uint8_t *p, *end;
	bool two_byte;
};

/**
 * Start iterating the elements of v's extension block.
 * @return 0; -ENOENT when the packet has no extension block or the block is
 *         not in an RFC 8285 form (profile neither 0xBEDE nor 0x100x).
 */
int gw_rtp_ext_begin(struct gw_rtp_ext_iter *it, const struct gw_rtp_view *v);

/**
 * The next element; padding bytes (id 0) are skipped.
 * @return 1 with e filled; 0 at the end of the block (or at the id 15
 *         terminator of the one-byte form, RFC 8285 §4.2); -EBADMSG when an
 *         element runs past the block.
 */
int gw_rtp_ext_next(struct gw_rtp_ext_iter *it, struct gw_rtp_ext_elem *e);

/**
 * Find the element with id in v's extension block.
 * @return 0 with e filled; -ENOENT when absent (or no RFC 8285 block);
 *         -EBADMSG when the block is malformed before id was found.
 */
int gw_rtp_ext_find(const struct gw_rtp_view *v, uint8_t id, struct gw_rtp_ext_elem *e);

/** One RTCP packet of a compound packet (RFC 3550 §6.4). */
struct gw_rtcp_view {
	uint8_t count;              /* RC/SC/FMT field (5 bits) */
	uint8_t pt;
	bool padding;
	uint16_t len;               /* whole packet in bytes: (length field + 1) * 4 */
	uint32_t ssrc;              /* first 32-bit word after the header (sender SSRC) */
	const uint8_t *body;        /* after the sender SSRC */
	size_t body_len;
};

/** Cursor over a compound RTCP packet. */
struct gw_rtcp_iter {
	const uint8_t *p, *end;
	unsigned n;                 /* packets returned so far */
};

/** Start iterating a compound RTCP packet (the decrypted part for SRTCP). */
void gw_rtcp_begin(struct gw_rtcp_iter *it, const uint8_t *p, size_t len);

/**
 * The next packet of the compound.
 * @return 1 with v filled; 0 at the end; -EPROTO when the version is not 2;
 *         -EBADMSG when a packet is shorter than 8 bytes or its length runs
 *         past the buffer, or the first packet is not SR or RR (RFC 3550
 *         §6.4 demands it; RFC 5506 reduced-size RTCP is not accepted here).
 */
int gw_rtcp_next(struct gw_rtcp_iter *it, struct gw_rtcp_view *v);

/**
 * Build an RFC 4588 §4 retransmission packet of the RTP packet src (len
 * bytes) into dst: the original header with its CSRCs and header extension
 * block kept, payload type pt, sequence number seq and SSRC ssrc of the
 * retransmission stream (marker bit and timestamp as the original's), then
 * the 2-byte original sequence number (OSN) and the original payload. The
 * original's padding is not carried (P cleared). dst and src must not
 * overlap.
 * @return the RTX packet's length (len + 2 - the original's padding);
 *         -EBADMSG or -EPROTO as gw_rtp_parse; -ENOSPC when cap is short.
 */
int gw_rtp_rtx_encode(uint8_t *dst, size_t cap, const uint8_t *src, size_t len, uint8_t pt,
		      uint32_t ssrc, uint16_t seq);

/**
 * A sender's counts for one SSRC, for gw_rtcp_sr_rewrite: true with
 * *packets and *octets set, false to leave that SR's counts as they are.
 */
typedef bool gw_rtcp_sr_counts_fn(void *arg, uint32_t ssrc, uint32_t *packets,
				  uint32_t *octets);

/**
 * Turn the sender reports of a forwarded RTCP compound (plaintext, len bytes
 * at p, rewritten in place) into one receiver's: each SR's sender packet and
 * octet counts come from counts() for its SSRC (the NTP/RTP timestamp pair
 * is kept), and its report blocks and profile-specific extensions are taken
 * out (RC = 0, length 6 words, padding bit cleared; what follows moves up).
 * Other packets are kept as they are. The walk stops, keeping the rest
 * unchanged, at anything not a version-2 packet whose length fits.
 * @return the compound's new length (<= len).
 */
size_t gw_rtcp_sr_rewrite(uint8_t *p, size_t len, gw_rtcp_sr_counts_fn *counts, void *arg);

#define GW_RTCP_SR_LEN 28           /* header, sender SSRC and sender info, no blocks */

/**
 * RFC 5761 §4 demultiplexing of RTP and RTCP on one port: version 2, and
 * the second byte (marker + payload type) in 192-223 (RTCP packet types
 * 192-223, i.e. RTP payload types 64-95 with the marker set) is RTCP.
 * @return true for RTCP; false for RTP or anything shorter than 2 bytes.
 */
bool gw_rtp_is_rtcp(const uint8_t *p, size_t len);

#endif
