#include "dp_classify.h"

#include <string.h>

#include <rte_prefetch.h>

#include "demux.h"
#include "dp_arp.h"
#include "dp_ctx.h"
#include "dp_exc.h"
#include "dp_frag.h"
#include "dp_ipc.h"
#include "dp_ipv6.h"
#include "dp_media.h"
#include "dp_stun.h"
#include "dp_turn.h"
#include "net.h"

_Static_assert(GW_CNT_DEMUX_UNKNOWN - GW_CNT_DEMUX_EMPTY == GW_DEMUX_UNKNOWN - GW_DEMUX_EMPTY &&
	       GW_CNT_DEMUX_RTCP - GW_CNT_DEMUX_EMPTY == GW_DEMUX_RTCP - GW_DEMUX_EMPTY,
	       "DEMUX_* counters follow enum gw_demux_class");

static inline void
drop(struct rte_mbuf *m)
{
	rte_pktmbuf_free(m);
}

/* Is dport one of the UDP ports a handler will own (STUN/TURN listener,
 * TURN relay range, media range)? The lists are read-only config. */
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

/* A source on the port's own subnet that no neighbour can have: the
 * gateway's own address, or the subnet's broadcast address. */
static inline bool
martian_local(const struct dp_port *p, uint32_t src)
{
	return src == p->ipv4 || (dp_port_bcast(p) != 0 && src == dp_port_bcast(p)) ||
	       dp_port_relay_ip(p, src);
}

static void
icmp_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const struct gw_ipv4_view *ip)
{
	struct gw_icmp_view ic;
	uint8_t *ipb, *icb;
	uint32_t src = ip->src;
	uint16_t icmp_len = (uint16_t)ip->payload_len;

	if (gw_icmp_parse(&ic, ip->payload, ip->payload_len) != 0) {
		DP_CNT(w, ICMP_BAD);
		drop(m);
		return;
	}
	if (ic.type != GW_ICMP_ECHO_REQUEST || ic.code != 0) {
		if (dp_exc_input(w, pi, m, DP_EXC_ICMP))
			return;
		DP_CNT(w, ICMP_OTHER);
		drop(m);
		return;
	}
	/* Answer in place: a fresh 20-byte header (options dropped), the echo
	 * body moved up behind it if the request carried options. */
	ipb = rte_pktmbuf_mtod_offset(m, uint8_t *, GW_ETH_HLEN);
	icb = ipb + GW_IPV4_HLEN;
	if (ip->hdr_len != GW_IPV4_HLEN)
		memmove(icb, ip->payload, icmp_len);
	icb[0] = GW_ICMP_ECHO_REPLY;
	icb[2] = icb[3] = 0;
	{
		uint16_t c = gw_cksum_fold(gw_cksum_add(0, icb, icmp_len));

		icb[2] = (uint8_t)(c >> 8);
		icb[3] = (uint8_t)c;
	}
	gw_ipv4_encode(ipb, dp.ports[pi].ipv4, src, GW_IPPROTO_ICMP, 64, icmp_len, w->ip_id++);
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) -
				       (GW_ETH_HLEN + GW_IPV4_HLEN + icmp_len)));
	DP_CNT(w, ICMP_ECHO_ANSWERED);
	dp_arp_send_ip(w, pi, m, src);
}

/* The UDP checksum udp_input() deferred, checked before anything acts on
 * the datagram. False: counted, m dropped. */
static bool
udp_settle(struct dp_worker *w, struct rte_mbuf *m, const struct gw_ipv4_view *ip,
	   struct gw_udp_view *u)
{
	if (likely(gw_udp_cksum_ok(ip, u))) {
		u->cksum_pending = false;
		return true;
	}
	DP_CNT(w, UDP_BAD_CKSUM);
	drop(m);
	return false;
}

bool
dp_classify_turn_data(const struct gw_udp_view *u, enum gw_demux_class cls, bool *chandata)
{
	bool turn_port = dp.conf->stun.enabled && u->dport == dp.conf->stun.port;

	/* ChannelData: RFC 7983's 64..79, and with turn.rfc5766_channels 80..127
	 * for RFC 5766 channel numbers (up to 0x7FFF) that coturn's clients
	 * pick; the TURN port muxes nothing else */
	*chandata = turn_port && (cls == GW_DEMUX_CHANDATA ||
				  (cls == GW_DEMUX_UNKNOWN && dp.conf->turn.rfc5766_channels &&
				   u->payload[0] >= 0x50 && u->payload[0] <= 0x7f));
	/* a Send indication: type 0x0016, no answer either way */
	return *chandata || (turn_port && cls == GW_DEMUX_STUN && u->payload[0] == 0x00 &&
			     u->payload[1] == 0x16);
}

/* relay_only: the datagram is to one of the port's relay_addresses, where
 * only the TURN relay ports answer (no STUN, media or exception path). */
static void
udp_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const struct gw_ipv4_view *ip,
	  bool relay_only)
{
	enum gw_demux_class cls;
	struct gw_udp_view u;
	uint64_t l4 = m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK;
	bool chandata;
	int rc;

	/* A port with RX checksum offload has judged the datagram already.
	 * Without it the check is deferred: the TURN relay paths carry the
	 * checksum forward instead of summing the payload (payload_sum() in
	 * dp_turn.c: a corrupted datagram leaves with a checksum as wrong as
	 * it came, for its receiver to discard, as through a router); every
	 * other datagram is checked below before anything reads it. */
	if (unlikely(l4 == RTE_MBUF_F_RX_L4_CKSUM_BAD)) {
		DP_CNT(w, UDP_BAD_CKSUM);
		drop(m);
		return;
	}
	rc = gw_udp_parse_opt(&u, ip, l4 == RTE_MBUF_F_RX_L4_CKSUM_GOOD ? GW_NET_CKSUM_VERIFIED :
									   GW_NET_CKSUM_DEFER);

	if (rc != 0) {
		DP_CNT(w, UDP_BAD_HDR);
		drop(m);
		return;
	}
	if (unlikely(relay_only) && !(dp.conf->turn.enabled &&
				      u.dport >= dp.conf->turn.relay_port_min &&
				      u.dport <= dp.conf->turn.relay_port_max)) {
		DP_CNT(w, UDP_NO_HANDLER);
		drop(m);
		return;
	}
	if (!service_port(u.dport)) {
		if (!udp_settle(w, m, ip, &u))
			return;
		if (dp_exc_input(w, pi, m, DP_EXC_UDP))
			return;
		DP_CNT(w, UDP_NO_HANDLER);
		drop(m);
		return;
	}
	/* A TURN relay port takes every datagram a peer sends, whatever its class. */
	if (dp.conf->turn.enabled && u.dport >= dp.conf->turn.relay_port_min &&
	    u.dport <= dp.conf->turn.relay_port_max) {
		dp_turn_relay_input(w, pi, m, ip, &u);
		return;
	}
	cls = gw_demux_classify(u.payload, u.payload_len);
	/* relayed data keeps its checksum pending for dp_turn to carry */
	if (!dp_classify_turn_data(&u, cls, &chandata) && !udp_settle(w, m, ip, &u))
		return;
	/* Counter index = first demux counter + class: keep the orders equal. */
	w->cnt[GW_CNT_DEMUX_EMPTY + cls]++;
	if (cls == GW_DEMUX_STUN) {
		dp_stun_input(w, pi, m, ip, &u);
		return;
	}
	if (chandata) {
		dp_turn_chandata_input(w, pi, m, ip, &u);
		return;
	}
	/* DTLS on a media port: the control plane runs the handshake (DESIGN.md
	 * packet path step 5) and answers through the tx ring. */
	if (cls == GW_DEMUX_DTLS && dp_media_port(u.dport)) {
		dp_ipc_punt(w, m);
		return;
	}
	/* SRTP/SRTCP on a media port: the leg's rule (DESIGN.md step 6). */
	if ((cls == GW_DEMUX_RTP || cls == GW_DEMUX_RTCP) && dp_media_port(u.dport)) {
		dp_media_input(w, pi, m, ip, &u);
		return;
	}
	DP_CNT(w, DEMUX_UNHANDLED);
	drop(m);
}

static void
ipv4_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *p, uint16_t len)
{
	struct gw_ipv4_view ip;
	uint64_t l3 = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	bool relay_only;
	int rc;

	if (unlikely(l3 == RTE_MBUF_F_RX_IP_CKSUM_BAD)) {
		DP_CNT(w, IPV4_BAD_CKSUM);
		drop(m);
		return;
	}
	rc = gw_ipv4_parse_opt(&ip, p, len, l3 == RTE_MBUF_F_RX_IP_CKSUM_GOOD ? GW_NET_CKSUM_VERIFIED : 0);

	if (rc != 0) {
		if (rc == -EILSEQ)
			DP_CNT(w, IPV4_BAD_CKSUM);
		else
			DP_CNT(w, IPV4_BAD_HDR);
		drop(m);
		return;
	}
	/* the port's own address, or one of its relay_addresses (TURN relay
	 * ports only, below): the scan runs only when it is not the former */
	relay_only = ip.dst != dp.ports[pi].ipv4;
	if (relay_only && !dp_port_relay_ip(&dp.ports[pi], ip.dst)) {
		DP_CNT(w, IPV4_NOT_FOR_US);
		drop(m);
		return;
	}
	/* RFC 1122 §3.2.1.3: never answer an impossible source (it would make us
	 * a reflector toward broadcast, loopback or ourselves) */
	if (unlikely(gw_ipv4_src_martian(ip.src) || martian_local(&dp.ports[pi], ip.src))) {
		DP_CNT(w, IPV4_MARTIAN_SRC);
		drop(m);
		return;
	}
	if (ip.is_fragment) {
		/* the whole datagram, once its last fragment is in, takes the
		 * same path from the top (it is no fragment then) */
		m = dp_frag_reassemble4(w, m, (unsigned)ip.hdr_len);
		if (m != NULL)
			ipv4_input(w, pi, m, rte_pktmbuf_mtod_offset(m, const uint8_t *, GW_ETH_HLEN),
				   (uint16_t)(rte_pktmbuf_pkt_len(m) - GW_ETH_HLEN));
		return;
	}
	if (unlikely(relay_only) && ip.proto != GW_IPPROTO_UDP) {
		DP_CNT(w, IPV4_NOT_FOR_US);
		drop(m);
		return;
	}
	switch (ip.proto) {
	case GW_IPPROTO_UDP:
		udp_input(w, pi, m, &ip, relay_only);
		break;
	case GW_IPPROTO_ICMP:
		icmp_input(w, pi, m, &ip);
		break;
	default:
		if (dp_exc_input(w, pi, m, ip.proto == GW_IPPROTO_TCP ? DP_EXC_TCP : DP_EXC_PROTO))
			return;
		DP_CNT(w, IPV4_PROTO_OTHER);
		drop(m);
	}
}

static void
frame_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m)
{
	struct gw_eth_view e;
	const uint8_t *p = rte_pktmbuf_mtod(m, const uint8_t *);
	uint16_t len = rte_pktmbuf_data_len(m);

	DP_CNT(w, RX_PKTS);
	DP_CNT_ADD(w, RX_BYTES, rte_pktmbuf_pkt_len(m));
	/* Chained mbufs only come with jumbo frames we do not enable; the
	 * parsers see the first segment, so a chain is a runt here. */
	if (gw_eth_parse(&e, p, len) != 0 || m->nb_segs != 1) {
		DP_CNT(w, ETH_RUNT);
		drop(m);
		return;
	}
	if (!(e.dst[0] & 1) && memcmp(e.dst, dp.ports[pi].mac.addr_bytes, 6) != 0) {
		DP_CNT(w, ETH_NOT_FOR_US);
		drop(m);
		return;
	}
	switch (e.ethertype) {
	case GW_ETHERTYPE_IPV4:
		ipv4_input(w, pi, m, e.payload, (uint16_t)e.payload_len);
		break;
	case GW_ETHERTYPE_ARP:
		dp_arp_input(w, pi, m, e.payload, (uint16_t)e.payload_len);
		break;
	case GW_ETHERTYPE_IPV6:
		dp_ipv6_input(w, pi, m, e.payload, (uint16_t)e.payload_len);
		break;
	default:
		DP_CNT(w, ETH_UNKNOWN_TYPE);
		drop(m);
	}
}

void
dp_classify_burst(struct dp_worker *w, unsigned pi, struct rte_mbuf **pkts, uint16_t n)
{
	dp_worker_clock(w);
	for (uint16_t i = 0; i < n && i < DP_PREFETCH; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	dp_turn_prefetch(w, pkts, n);
	for (uint16_t i = 0; i < n; i++) {
		if (i + DP_PREFETCH < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + DP_PREFETCH], void *));
		w->burst_pos = i;
		frame_input(w, pi, pkts[i]);
	}
	w->burst_pos = DP_BURST;
}
