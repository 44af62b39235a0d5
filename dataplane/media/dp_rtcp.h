/*
 * dp_rtcp: what the gateway keeps about the streams a publishing leg sends
 * it, for the RTCP it answers itself (issue 7, item 4):
 *
 * - a packet cache per stream: the last DP_RTCP_CACHE packets by extended
 *   sequence number, each a reference to the received mbuf (its plaintext,
 *   after unprotect, which nobody modifies afterwards: fan-out copies or
 *   encrypts out of place), so a subscriber's generic NACK (RFC 4585 §6.2.1)
 *   is answered from the dataplane instead of a round trip to the publisher;
 * - receiver statistics per stream (RFC 3550 §6.4.1, appendix A.1, A.3 and
 *   A.8): extended highest sequence number, cumulative and fractional loss,
 *   interarrival jitter, and the last sender report's LSR with its arrival
 *   time, from which the gateway's own receiver reports to the publisher
 *   are built.
 *
 * One struct dp_rtcp_pub per publishing leg, created when the leg becomes a
 * publisher (the command path, worker 0) and freed with it; nothing on the
 * packet path allocates. The mbufs the caches hold come from a process-wide
 * budget (dp_rtcp_budget: the mempool is made that much larger at start-up),
 * so caches never starve the receive path: when the budget is spent a packet
 * is simply not cached.
 *
 * The clock rate a jitter figure needs is learned from the stream itself: the
 * RTP timestamps' advance against the arrival clock over at least a second,
 * snapped to the nearest usual rate (8, 16, 24, 32, 48 or 90 kHz; no SDP
 * needed in the dataplane). Until it is known the jitter reads 0. A stream
 * whose rate is learned to be an audio rate (not 90 kHz) stops being cached:
 * NACK is negotiated for video only (Chromium offers nack on video m-lines).
 *
 * Time is TSC cycles (rte_rdtsc, dp.tsc_hz), passed in by the caller so the
 * tests drive it.
 */
#ifndef DP_RTCP_H
#define DP_RTCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rte_mbuf;

#define DP_RTCP_STREAMS  8            /* SSRCs per publishing leg (audio, video, RTX, simulcast) */
#define DP_RTCP_CACHE    512          /* packets cached per stream (power of two) */
#define DP_RTCP_RR_MAX   (8 + 24 * DP_RTCP_STREAMS + 16)   /* RR + SDES CNAME, bytes */

struct dp_rtcp_pub;

/**
 * Set how many mbufs all caches together may hold (start-up; 0 disables the
 * caches). The dataplane adds as many to its mempool.
 */
void dp_rtcp_budget(uint32_t mbufs);

/** mbufs the caches hold now (tests: back to 0 after every delete). */
uint32_t dp_rtcp_cached(void);

/**
 * Allocate the state of one publishing leg (command path).
 * @return 0; -ENOMEM.
 */
int dp_rtcp_pub_create(struct dp_rtcp_pub **out);

/** Release every cached mbuf and free the state. NULL-safe. */
void dp_rtcp_pub_free(struct dp_rtcp_pub *r);

/**
 * An authenticated RTP packet of the publisher: plaintext at p (len bytes,
 * inside m's single data segment), arrived at now. Updates the stream's
 * statistics and caches m (one more reference taken on m; the caller still
 * frees its own).
 */
void dp_rtcp_rtp_in(struct dp_rtcp_pub *r, struct rte_mbuf *m, const uint8_t *p, size_t len,
		    uint64_t now);

/**
 * An authenticated RTCP compound of the publisher (plaintext): its sender
 * reports' LSR and arrival time are kept for the next receiver report.
 * Does not modify the packet.
 */
void dp_rtcp_rtcp_in(struct dp_rtcp_pub *r, const uint8_t *p, size_t len, uint64_t now);

/**
 * The cached packet of stream ssrc with sequence number seq.
 * @return true with *p and *len set (the plaintext, valid until the next
 *         dp_rtcp_rtp_in or dp_rtcp_pub_free); false when not cached.
 */
bool dp_rtcp_cache_find(const struct dp_rtcp_pub *r, uint32_t ssrc, uint16_t seq,
			const uint8_t **p, size_t *len);

/**
 * Build the gateway's receiver report for the publisher's streams at now
 * (RR with a report block per stream heard since the leg began, sender SSRC
 * sender, then SDES with CNAME "rtcgw"), and start the next loss interval.
 * Also learns the streams' clock rates.
 * @param buf  DP_RTCP_RR_MAX bytes
 * @return the compound's length; 0 when no stream was heard yet.
 */
size_t dp_rtcp_rr_build(struct dp_rtcp_pub *r, uint32_t sender, uint8_t *buf, uint64_t now);

/** What a report block says about stream ssrc (tests). */
struct dp_rtcp_stream_stats {
	uint32_t ext_max;             /* extended highest sequence number received */
	int32_t lost;                 /* cumulative (expected - received) */
	uint32_t received;
	uint32_t jitter;              /* RTP timestamp units */
	uint32_t rate;                /* learned clock rate, 0 unknown */
	uint32_t lsr;
	bool cached;                  /* packets of it are being cached */
};

/** @return 0; -ENOENT for a stream not seen. */
int dp_rtcp_stream_get(const struct dp_rtcp_pub *r, uint32_t ssrc,
		       struct dp_rtcp_stream_stats *st);

#endif
