#include "dp_stun.h"

#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>

#include "dp_ctx.h"
#include "dp_ice.h"
#include "dp_xmit.h"
#include "stunsrv.h"

/* Counter index = first STUN counter + outcome: keep the orders equal. */
#define SAME(o, c) (GW_CNT_##c - GW_CNT_STUN_BINDING_OK == GW_STUNSRV_##o)
_Static_assert(SAME(BINDING_OK, STUN_BINDING_OK) && SAME(CLASSIC_OK, STUN_CLASSIC_OK) &&
	       SAME(BAD_REQUEST, STUN_BAD_REQUEST) && SAME(UNKNOWN_ATTR, STUN_UNKNOWN_ATTR) &&
	       SAME(NOT_BINDING, STUN_NOT_BINDING) &&
	       SAME(DROP_MALFORMED, STUN_DROP_MALFORMED) &&
	       SAME(DROP_FINGERPRINT, STUN_DROP_FINGERPRINT) &&
	       SAME(DROP_CLASSIC, STUN_DROP_CLASSIC) &&
	       SAME(IGN_INDICATION, STUN_IGN_INDICATION) &&
	       SAME(IGN_RESPONSE, STUN_IGN_RESPONSE) && SAME(ICE_OK, ICE_OK) &&
	       SAME(ICE_NO_AUTH, ICE_NO_AUTH) && SAME(ICE_NO_FP, ICE_NO_FP) &&
	       SAME(ICE_UNKNOWN_USER, ICE_UNKNOWN_USER) && SAME(ICE_BAD_MAC, ICE_BAD_MAC) &&
	       SAME(ICE_ROLE_CONFLICT, ICE_ROLE_CONFLICT) &&
	       SAME(DROP_NOSPC, STUN_DROP_NOSPC) && GW_STUNSRV_MAX == GW_STUNSRV_DROP_NOSPC + 1,
	       "STUN_* counters follow enum gw_stunsrv_outcome");
#undef SAME

#define HDRS (GW_ETH_HLEN + GW_IPV4_HLEN + GW_UDP_HLEN)

/*
 * Turn the request mbuf into the response: Ethernet addresses swapped, a
 * fresh 20-byte IPv4 header (request options dropped), ports swapped, the
 * response bytes as payload. Consumes m.
 */
static void
send_back(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, uint32_t peer_ip,
	  uint32_t our_ip, uint16_t peer_port, uint16_t our_port, const uint8_t *resp,
	  size_t len)
{
	uint16_t want = (uint16_t)(HDRS + len), have = (uint16_t)rte_pktmbuf_pkt_len(m);
	uint8_t *b;

	if (want > have) {
		if (rte_pktmbuf_append(m, (uint16_t)(want - have)) == NULL) {
			DP_CNT(w, STUN_TX_NOROOM);
			rte_pktmbuf_free(m);
			return;
		}
	} else if (want < have) {
		rte_pktmbuf_trim(m, (uint16_t)(have - want));
	}
	b = rte_pktmbuf_mtod(m, uint8_t *);
	memcpy(b, b + GW_ETH_ALEN, GW_ETH_ALEN);
	memcpy(b + GW_ETH_ALEN, dp.ports[pi].mac.addr_bytes, GW_ETH_ALEN);
	memcpy(b + HDRS, resp, len);
	gw_udp4_encode(b + GW_ETH_HLEN + GW_IPV4_HLEN, our_ip, peer_ip, our_port, peer_port,
		       (uint16_t)len);
	gw_ipv4_encode(b + GW_ETH_HLEN, our_ip, peer_ip, GW_IPPROTO_UDP, 64,
		       (uint16_t)(GW_UDP_HLEN + len), w->ip_id++);
	m->ol_flags = 0;
	dp_xmit(w, pi, m);
}

void
dp_stun_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
	      const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	const struct gw_config *c = dp.conf;
	uint8_t out[GW_STUNSRV_MAX_RESP];
	struct gw_stunsrv_res res;
	struct gw_stun_addr src = { .family = GW_STUN_FAMILY_IPV4, .port = u->sport };
	enum gw_stunsrv_outcome o;
	uint16_t dport = u->dport;

	src.addr[0] = (uint8_t)(ip->src >> 24);
	src.addr[1] = (uint8_t)(ip->src >> 16);
	src.addr[2] = (uint8_t)(ip->src >> 8);
	src.addr[3] = (uint8_t)ip->src;
	if (c->stun.enabled && dport == c->stun.port) {
		o = gw_stunsrv_binding(u->payload, u->payload_len, &src, c->stun.software, out,
				       sizeof(out), &res);
		if (o == GW_STUNSRV_NOT_BINDING ||
		    (o == GW_STUNSRV_IGN_INDICATION && c->turn.enabled)) {
			/* TURN methods and Send indications */
			DP_CNT(w, STUN_NOT_BINDING);
			dp_turn_input(w, pi, m, ip, u);
			return;
		}
	} else if (dp_media_port(dport)) {
		o = gw_stunsrv_ice(u->payload, u->payload_len, &src, NULL, dp_ice_lookup, &dport,
				   out, sizeof(out), &res);
		if (o == GW_STUNSRV_ICE_OK)
			dp_ice_checked(w, res.cred, ip->src, u->sport, res.use_candidate,
				       res.priority, w->now_tsc);
	} else {
		/* A TURN relay port: peer traffic for TURN to relay. */
		DP_CNT(w, STUN_OTHER_PORT);
		rte_pktmbuf_free(m);
		return;
	}
	w->cnt[GW_CNT_STUN_BINDING_OK + o]++;
	if (res.len == 0) {
		rte_pktmbuf_free(m);
		return;
	}
	send_back(w, pi, m, ip->src, ip->dst, u->sport, dport, out, res.len);
}

#define HDRS6 (GW_ETH_HLEN + GW_IPV6_HLEN + GW_UDP_HLEN)

/* send_back() for IPv6: a fresh 40-byte header (extension headers of the
 * request dropped), ports swapped, the response as payload. Consumes m. */
static void
send_back6(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *peer_ip,
	   const uint8_t *our_ip, uint16_t peer_port, uint16_t our_port, const uint8_t *resp,
	   size_t len)
{
	uint16_t want = (uint16_t)(HDRS6 + len), have = (uint16_t)rte_pktmbuf_pkt_len(m);
	uint8_t src[16], dst[16], *b;

	memcpy(src, our_ip, 16);        /* both point into m: copy before writing */
	memcpy(dst, peer_ip, 16);
	if (want > have) {
		if (rte_pktmbuf_append(m, (uint16_t)(want - have)) == NULL) {
			DP_CNT(w, STUN_TX_NOROOM);
			rte_pktmbuf_free(m);
			return;
		}
	} else if (want < have) {
		rte_pktmbuf_trim(m, (uint16_t)(have - want));
	}
	b = rte_pktmbuf_mtod(m, uint8_t *);
	memcpy(b, b + GW_ETH_ALEN, GW_ETH_ALEN);
	memcpy(b + GW_ETH_ALEN, dp.ports[pi].mac.addr_bytes, GW_ETH_ALEN);
	memcpy(b + HDRS6, resp, len);
	gw_ipv6_encode(b + GW_ETH_HLEN, src, dst, GW_IPPROTO_UDP, 64,
		       (uint16_t)(GW_UDP_HLEN + len));
	gw_udp6_encode(b + GW_ETH_HLEN + GW_IPV6_HLEN, src, dst, our_port, peer_port,
		       (uint16_t)len);
	m->ol_flags = 0;
	dp_xmit(w, pi, m);
}

void
dp_stun6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
	       const struct gw_ipv6_view *ip, const struct gw_udp_view *u)
{
	const struct gw_config *c = dp.conf;
	uint8_t out[GW_STUNSRV_MAX_RESP];
	struct gw_stunsrv_res res;
	struct gw_stun_addr src = { .family = GW_STUN_FAMILY_IPV6, .port = u->sport };
	enum gw_stunsrv_outcome o;
	uint16_t dport = u->dport;

	memcpy(src.addr, ip->src, 16);
	if (c->stun.enabled && dport == c->stun.port) {
		o = gw_stunsrv_binding(u->payload, u->payload_len, &src, c->stun.software, out,
				       sizeof(out), &res);
		if (o == GW_STUNSRV_NOT_BINDING ||
		    (o == GW_STUNSRV_IGN_INDICATION && c->turn.enabled)) {
			DP_CNT(w, STUN_NOT_BINDING);
			dp_turn_input6(w, pi, m, ip, u);
			return;
		}
	} else if (dp_media_port(dport)) {
		o = gw_stunsrv_ice(u->payload, u->payload_len, &src, NULL, dp_ice_lookup, &dport,
				   out, sizeof(out), &res);
		if (o == GW_STUNSRV_ICE_OK) {
			DP_CNT(w, ICE6_CHECKED);
			dp_ice_checked6(w, res.cred, ip->src, u->sport, res.use_candidate,
					res.priority, w->now_tsc);
		}
	} else {
		DP_CNT(w, STUN_OTHER_PORT);
		rte_pktmbuf_free(m);
		return;
	}
	w->cnt[GW_CNT_STUN_BINDING_OK + o]++;
	if (res.len == 0) {
		rte_pktmbuf_free(m);
		return;
	}
	send_back6(w, pi, m, ip->src, ip->dst, u->sport, dport, out, res.len);
}
