/*
 * dp_classify: the receive path of one burst: Ethernet -> ARP | IPv4 ->
 * ICMP echo | UDP -> RFC 7983 demux by first byte; IPv6 goes to dp_ipv6. Every frame ends here
 * counted: answered, handed to a handler, or dropped with its reason.
 */
#ifndef DP_CLASSIFY_H
#define DP_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "demux.h"
#include "net.h"

struct dp_worker;

/** Consumes all n frames received on port index pi. */
void dp_classify_burst(struct dp_worker *w, unsigned pi, struct rte_mbuf **pkts, uint16_t n);

/**
 * For the IPv4 and IPv6 classifiers: whether UDP datagram u of RFC 7983
 * class cls, not to a relay port, is relayed TURN data whose checksum
 * dp_turn carries forward instead of having it checked first: ChannelData
 * (64..79; 80..127 too with turn.rfc5766_channels) or a Send indication, on
 * the TURN port. *chandata: it is ChannelData. No errors.
 */
bool dp_classify_turn_data(const struct gw_udp_view *u, enum gw_demux_class cls, bool *chandata);

#endif
