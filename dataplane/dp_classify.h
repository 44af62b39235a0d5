/*
 * dp_classify: the receive path of one burst: Ethernet -> ARP | IPv4 ->
 * ICMP echo | UDP -> RFC 7983 demux by first byte; IPv6 goes to dp_ipv6. Every frame ends here
 * counted: answered, handed to a handler, or dropped with its reason.
 */
#ifndef DP_CLASSIFY_H
#define DP_CLASSIFY_H

#include <stdint.h>

#include <rte_mbuf.h>

struct dp_worker;

/** Consumes all n frames received on port index pi. */
void dp_classify_burst(struct dp_worker *w, unsigned pi, struct rte_mbuf **pkts, uint16_t n);

#endif
