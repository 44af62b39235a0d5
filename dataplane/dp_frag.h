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

#endif
