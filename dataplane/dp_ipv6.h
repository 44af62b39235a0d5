/*
 * dp_ipv6: the IPv6 receive path of one frame, dp_classify's second family:
 * IPv6 (extension headers walked by wire/net6) -> NDP | ICMPv6 echo | UDP ->
 * RFC 7983 demux -> STUN Binding / ICE-lite (dp_stun6_input), TURN (RFC
 * 6156), DTLS on a media port (punted to the control plane), SRTP/SRTCP on a
 * media port (dp_media6_input). Every frame ends counted, as in dp_classify.
 */
#ifndef DP_IPV6_H
#define DP_IPV6_H

#include <stdint.h>

#include <rte_mbuf.h>

struct dp_worker;

/**
 * Handle an IPv6 packet (p, len: the Ethernet payload of m) received on
 * port index pi. Consumes m. A port without an IPv6 address counts it as an
 * unknown ethertype, as before IPv6 was handled.
 */
void dp_ipv6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *p,
		   uint16_t len);

#endif
