/*
 * dp_stun: STUN on the dataplane's UDP service ports. On stun.port, Binding
 * requests are answered by the STUN server (wire/stunsrv.h) and other
 * methods go to dp_turn_input(); on the media ports, Binding requests are
 * ICE-lite connectivity checks against the dp_ice table. Answers reuse the
 * request's mbuf: addresses swapped, response written over the payload,
 * UDP/IPv4 checksums recomputed, sent back to the Ethernet source on the
 * receiving port. No allocation, locks or logging per packet: every outcome
 * is a counter.
 */
#ifndef DP_STUN_H
#define DP_STUN_H

#include <rte_mbuf.h>

#include "net.h"
#include "net6.h"

struct dp_worker;

/**
 * Handle a datagram of class STUN on a service port. Consumes m (answered
 * in place, handed to TURN, or counted and freed).
 * @param pi  index into dp.ports of the receiving port
 * @param ip, u  views of m's IPv4 header and UDP datagram
 */
void dp_stun_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		   const struct gw_ipv4_view *ip, const struct gw_udp_view *u);

/**
 * dp_stun_input() over IPv6: Binding requests on stun.port answered with an
 * IPv6 XOR-MAPPED-ADDRESS (family 2), ICE-lite checks on the media ports
 * answered the same way. TURN methods and indications go to
 * dp_turn_input6() (RFC 6156). A valid check over IPv6 refreshes the ICE
 * leg's consent and nominates on USE-CANDIDATE (dp_ice_checked6), counted
 * ICE6_CHECKED. Consumes m.
 * @param ip, u  views of m's IPv6 header and UDP datagram
 */
void dp_stun6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		    const struct gw_ipv6_view *ip, const struct gw_udp_view *u);

/**
 * The TURN hook: a STUN request of a method other than Binding on stun.port
 * (Allocate, Refresh, CreatePermission, ChannelBind, Send). Consumes m.
 * Implemented in dp_turn.c; with turn.enabled false it counts
 * STUN_TURN_UNAVAILABLE and drops.
 */
void dp_turn_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		   const struct gw_ipv4_view *ip, const struct gw_udp_view *u);

/**
 * dp_turn_input() over IPv6 (RFC 6156): Allocate, Refresh, CreatePermission,
 * ChannelBind, Send from an IPv6 client. Consumes m. With turn.enabled false
 * it counts STUN6_TURN_UNSUPPORTED and drops.
 */
void dp_turn_input6(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		    const struct gw_ipv6_view *ip, const struct gw_udp_view *u);

#endif
