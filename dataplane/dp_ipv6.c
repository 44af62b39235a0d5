#include "dp_ipv6.h"

#include <errno.h>
#include <string.h>

#include "demux.h"
#include "dp_classify.h"
#include "dp_ctx.h"
#include "dp_exc.h"
#include "dp_frag.h"
#include "dp_ipc.h"
#include "dp_media.h"
#include "dp_ndp.h"
#include "dp_stun.h"
#include "dp_turn.h"
#include "net.h"
#include "net6.h"

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };

static inline void
drop(struct rte_mbuf *m)
{
	rte_pktmbuf_free(m);
}

/* Is dport a UDP port one of the handlers owns (dp_classify's service_port)? */
static inline bool
service_port(uint16_t dport)
{
	const struct gw_config *c = dp.conf;

	if (c->stun.enabled && dport == c->stun.port)
		return true;
	if (c->turn.enabled && dport >= c->turn.relay_port_min && dport <= c->turn.relay_port_max)
		return true;
	return dp_media_port(dport);
}

/* The multicast groups the port listens to: all-nodes and the solicited-node
 * groups of its two addresses (NDP needs nothing else; no MLD, no routers). */
static inline bool
our_group(const struct dp_port *p, const uint8_t *a)
{
	return memcmp(a, all_nodes, 16) == 0 || memcmp(a, p->ipv6_sn, 16) == 0 ||
	       memcmp(a, p->ipv6_ll_sn, 16) == 0;
}

static void
echo_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const struct gw_ipv6_view *ip,
	   const struct gw_icmp6_view *ic)
{
	struct gw_icmp6_echo e;
	uint8_t src[16], dst[16], *ipb, *icb;
	uint16_t len = (uint16_t)ic->len, c;

	/* Echo to a group would make us a reflector (RFC 4443 §4.2 allows
	 * answering it; we do not), and :: cannot be answered. */
	if ((ip->dst[0] == 0xff) || gw_icmp6_echo_parse(&e, ic) != 0 ||
	    memcmp(ip->src, (const uint8_t[16]){ 0 }, 16) == 0) {
		DP_CNT(w, ICMP6_OTHER);
		drop(m);
		return;
	}
	memcpy(src, ip->dst, 16);        /* the address that was asked answers */
	memcpy(dst, ip->src, 16);
	/* In place: a fresh 40-byte header (extension headers dropped), the
	 * message moved up behind it when the request had any. */
	ipb = rte_pktmbuf_mtod_offset(m, uint8_t *, GW_ETH_HLEN);
	icb = ipb + GW_IPV6_HLEN;
	if (ic->msg != icb)
		memmove(icb, ic->msg, len);
	icb[0] = GW_ICMP6_ECHO_REPLY;
	icb[2] = icb[3] = 0;
	c = gw_icmp6_cksum(src, dst, icb, len);
	icb[2] = (uint8_t)(c >> 8);
	icb[3] = (uint8_t)c;
	gw_ipv6_encode(ipb, src, dst, GW_IPPROTO_ICMPV6, 64, len);
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - (GW_ETH_HLEN + GW_IPV6_HLEN + len)));
	m->ol_flags = 0;
	DP_CNT(w, ICMP6_ECHO_ANSWERED);
	dp_ndp_send_ip6(w, pi, m, dst);
}

static void
icmp6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const struct gw_ipv6_view *ip)
{
	struct gw_icmp6_view ic;

	if (gw_icmp6_parse(&ic, ip) != 0) {
		DP_CNT(w, ICMP6_BAD);
		drop(m);
		return;
	}
	switch (ic.type) {
	case GW_ICMP6_NS:
	case GW_ICMP6_NA:
		dp_ndp_input(w, pi, m, ip, &ic);
		return;
	case GW_ICMP6_ECHO_REQUEST:
		echo_input(w, pi, m, ip, &ic);
		return;
	default:
		/* RS/RA/redirect (we are configured, not autoconfigured), MLD
		 * (no group memberships to report: the port filter is set at
		 * start), errors (nothing of ours to match them to). */
		DP_CNT(w, ICMP6_OTHER);
		drop(m);
	}
}

/* The UDP checksum udp6_input() deferred, checked before anything acts on
 * the datagram (as udp_settle() in dp_classify.c). False: counted, m dropped. */
static bool
udp6_settle(struct dp_worker *w, struct rte_mbuf *m, const struct gw_ipv6_view *ip,
	    struct gw_udp_view *u)
{
	if (likely(gw_udp6_cksum_ok(ip, u))) {
		u->cksum_pending = false;
		return true;
	}
	DP_CNT(w, UDP_BAD_CKSUM);
	drop(m);
	return false;
}

static void
udp6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const struct gw_ipv6_view *ip)
{
	enum gw_demux_class cls;
	struct gw_udp_view u;
	uint64_t l4 = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	bool chandata;
	int rc;

	if (unlikely(l4 == RTE_MBUF_F_RX_L4_CKSUM_BAD)) {
		DP_CNT(w, UDP_BAD_CKSUM);
		drop(m);
		return;
	}
	/* As over IPv4 (dp_classify.c): without RX offload the check is
	 * deferred; relayed TURN data carries its checksum forward, every other
	 * datagram is checked below before anything reads it. (A zero
	 * checksum, forbidden over IPv6, is refused here either way.) */
	rc = gw_udp6_parse(&u, ip, l4 == RTE_MBUF_F_RX_L4_CKSUM_GOOD ? GW_NET_CKSUM_VERIFIED :
									GW_NET_CKSUM_DEFER);
	if (rc != 0) {
		if (rc == -EILSEQ)      /* a zero checksum */
			DP_CNT(w, UDP_BAD_CKSUM);
		else
			DP_CNT(w, UDP_BAD_HDR);
		drop(m);
		return;
	}
	if (ip->dst[0] == 0xff) {
		DP_CNT(w, IPV6_UDP_UNSUPPORTED);
		drop(m);
		return;
	}
	if (!service_port(u.dport)) {
		if (!udp6_settle(w, m, ip, &u))
			return;
		DP_CNT(w, UDP_NO_HANDLER);
		drop(m);
		return;
	}
	/* A TURN relay port takes every datagram a peer sends (RFC 6156 relays). */
	if (dp.conf->turn.enabled && u.dport >= dp.conf->turn.relay_port_min &&
	    u.dport <= dp.conf->turn.relay_port_max) {
		dp_turn_relay6_input(w, pi, m, ip, &u);
		return;
	}
	cls = gw_demux_classify(u.payload, u.payload_len);
	/* relayed data (ChannelData, a Send indication on the TURN port, as
	 * dp_classify decides them over IPv4) keeps its checksum pending */
	if (!dp_classify_turn_data(&u, cls, &chandata) && !udp6_settle(w, m, ip, &u))
		return;
	w->cnt[GW_CNT_DEMUX_EMPTY + cls]++;
	if (cls == GW_DEMUX_STUN) {
		dp_stun6_input(w, pi, m, ip, &u);
		return;
	}
	if (chandata) {
		dp_turn_chandata6_input(w, pi, m, ip, &u);
		return;
	}
	/* DTLS on a media port: the control plane's handshake, as over IPv4
	 * (it reads the IPv6 frame and answers through the tx ring). */
	if (cls == GW_DEMUX_DTLS && dp_media_port(u.dport)) {
		dp_ipc_punt(w, m);
		return;
	}
	/* SRTP/SRTCP on a media port: the leg's rule, to peers of either family. */
	if ((cls == GW_DEMUX_RTP || cls == GW_DEMUX_RTCP) && dp_media_port(u.dport)) {
		dp_media6_input(w, pi, m, ip, &u);
		return;
	}
	DP_CNT(w, IPV6_UDP_UNSUPPORTED);
	drop(m);
}

void
dp_ipv6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *p,
	      uint16_t len)
{
	const struct dp_port *port = &dp.ports[pi];
	struct gw_ipv6_view ip;
	bool unicast;
	int rc;

	if (!port->has_ipv6) {
		DP_CNT(w, ETH_UNKNOWN_TYPE);
		drop(m);
		return;
	}
	DP_CNT(w, IPV6_RX);
	rc = gw_ipv6_parse(&ip, p, len);
	if (rc != 0) {
		if (rc == -EOPNOTSUPP || rc == -EMSGSIZE || rc == -E2BIG)
			DP_CNT(w, IPV6_UNSUPPORTED);
		else
			DP_CNT(w, IPV6_BAD_HDR);
		drop(m);
		return;
	}
	unicast = dp_ndp_ours(port, ip.dst);
	if (!unicast && !our_group(port, ip.dst)) {
		DP_CNT(w, IPV6_NOT_FOR_US);
		drop(m);
		return;
	}
	/* Never answer an impossible source (RFC 4291 §2.5.2, §2.7; RFC 4861
	 * §7.1.1 lets :: through for DAD solicitations only, which go to a
	 * solicited-node group: gw_ndp_parse checks the rest). */
	if (unlikely(dp_ndp_ours(port, ip.src) ||
		     (gw_ipv6_src_martian(ip.src) &&
		      !(ip.proto == GW_IPPROTO_ICMPV6 && !unicast &&
			memcmp(ip.src, (const uint8_t[16]){ 0 }, 16) == 0)))) {
		DP_CNT(w, IPV6_MARTIAN_SRC);
		drop(m);
		return;
	}
	if (ip.is_fragment) {
		/* as for IPv4 (dp_classify): the whole datagram from the top */
		m = dp_frag_reassemble6(w, m);
		if (m != NULL)
			dp_ipv6_input(w, pi, m, rte_pktmbuf_mtod_offset(m, const uint8_t *, GW_ETH_HLEN),
				      (uint16_t)(rte_pktmbuf_pkt_len(m) - GW_ETH_HLEN));
		return;
	}
	switch (ip.proto) {
	case GW_IPPROTO_UDP:
		udp6_input(w, pi, m, &ip);
		break;
	case GW_IPPROTO_ICMPV6:
		icmp6_input(w, pi, m, &ip);
		break;
	case GW_IPPROTO_TCP:
		/* TCP to our address: the kernel's, through the exception path
		 * (TURN over TCP/TLS, management), as for IPv4 */
		if (unicast && dp_exc_input(w, pi, m, DP_EXC_TCP))
			break;
		DP_CNT(w, IPV6_PROTO_OTHER);
		drop(m);
		break;
	default:
		DP_CNT(w, IPV6_PROTO_OTHER);
		drop(m);
	}
}
