/*
 * dp_frag: IPv4 and IPv6 fragmentation of the datagrams the dataplane itself makes
 * larger than the port's MTU (a peer's 1472-byte datagram relayed to the
 * client as a Data indication or ChannelData grows by 36 or 4 bytes). The
 * kernel fragments such datagrams on its own sockets; a dataplane that
 * wrote them whole would see the port drop them while counting them sent.
 * Over-MTU datagrams are rare next to the relayed bulk, so this path favours
 * simplicity over speed, and never runs for a datagram that fits.
 */
#ifndef DP_FRAG_H
#define DP_FRAG_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dp_ctx.h"

/** Most fragments one datagram may become (64 KiB over a 576-byte MTU). */
#define DP_FRAG_MAX 128

/**
 * Create the pool of indirect mbufs the fragments point into the original
 * datagram with (dp.pool_indirect). Call once at start-up, after dp.pool.
 * @return 0, or -ENOMEM (the pool could not be created).
 */
int dp_frag_init(unsigned n_mbufs);

/**
 * Fragment datagram m and send every fragment to dst through
 * dp_arp_send_ip(). m holds [Ethernet room][IPv4 header, 20 bytes][payload]
 * with both headers written (UDP checksum over the whole datagram); the DF
 * bit is cleared here. Fragments become single-segment copies when the port
 * cannot transmit mbuf chains (dp.ports[pi].tx_multi_seg false).
 * Consumes m. Counts IPV4_FRAG_OUT, or IPV4_FRAG_FAIL when nothing was sent.
 * @return 0 (every fragment handed on), or -ENOBUFS (out of mbufs: dropped,
 *         counted), or -EINVAL (the datagram is malformed or needs more than
 *         DP_FRAG_MAX fragments: dropped, counted).
 */
int dp_frag_send(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, uint32_t dst);

/**
 * The same over IPv6 (RFC 8200 §4.5: the source fragments): m holds
 * [Ethernet room][IPv6 header, 40 bytes, no extension headers][payload] with
 * both headers written; each fragment gets a Fragment header with one random
 * Identification per datagram (RFC 7739) and goes to dst through
 * dp_ndp_send_ip6(). Consumes m. Counts IPV6_FRAG_OUT, or TURN6_DROP_TOOBIG
 * when it could not be sent.
 * @return 0, or -ENOBUFS, or -EINVAL as dp_frag_send().
 */
int dp_frag_send6(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *dst);

/*
 * Reassembly of the fragments the workers receive (librte_ip_frag, one table
 * per worker): a client whose datagrams exceed its MTU (a full-size one in
 * ChannelData or a Send indication) sends fragments, which the kernel would
 * reassemble for coturn. Bounded: DP_FRAG_RX_DATAGRAMS datagrams in flight
 * per worker, DP_FRAG_RX_TIMEOUT_MS to complete, at most RTE_LIBRTE_IP_FRAG_
 * MAX_FRAG fragments each, and the whole datagram must fit one mbuf (the
 * packet path parses single-segment mbufs). A table full of incomplete
 * datagrams drops new fragments; timed-out ones are freed as the table is
 * used.
 */
#define DP_FRAG_RX_DATAGRAMS  128
#define DP_FRAG_RX_TIMEOUT_MS 2000

/** Create worker w's reassembly table. @return 0 or -ENOMEM. */
int dp_frag_rx_create(struct dp_worker *w);

/**
 * Take IPv4 fragment m ([Ethernet][IPv4 header, hlen bytes][data]).
 * @return NULL when m was kept for later (or dropped and counted), or the
 *         whole datagram as a new single-segment mbuf ([Ethernet][IPv4
 *         header, fragment fields cleared, checksum rewritten][payload],
 *         ol_flags 0 so every checksum is verified again), counted in
 *         FRAG_REASSEMBLED. Consumes m either way.
 */
struct rte_mbuf *dp_frag_reassemble4(struct dp_worker *w, struct rte_mbuf *m, unsigned hlen);

/**
 * The same for IPv6 fragment m whose Fragment header directly follows the
 * 40-byte IPv6 header (the layout senders use; any other is dropped and
 * counted in FRAG_REASM_FAIL). The result has no Fragment header.
 */
struct rte_mbuf *dp_frag_reassemble6(struct dp_worker *w, struct rte_mbuf *m);

/** Free the mbufs the table let go of in this burst (call once per burst). */
void dp_frag_rx_flush(struct dp_worker *w);

#endif
