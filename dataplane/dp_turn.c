/*
 * dp_turn: the TURN server (dp_turn.h): its packet paths (relay toward the
 * peer and toward the client, ChannelData, Send and Data indications, the
 * TCP/TLS clients' streams) and the dispatch of STUN messages
 * (turn_message). Set-up and reload are in dp_turn_setup.c, the requests'
 * transactions in dp_turn_txn.c; dp_turn_int.h is what they share.
 */
#include "dp_turn.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "be.h"
#include "ct.h"
#include "dp_arp.h"
#include "dp_ctx.h"
#include "dp_frag.h"
#include "dp_log.h"
#include "dp_ndp.h"
#include "dp_strm.h"
#include "dp_stun.h"
#include "dp_turn_table.h"
#include "dp_xmit.h"
#include "gw_ipc.h"
#include "hmac.h"
#include "net6.h"
#include "stun.h"
#include "stunsrv.h"
#include "turn.h"
#include "dp_turn_int.h"

struct dp_turn_state dp_turn_s;

/* ---- clocks ------------------------------------------------------------------ */

void
dp_turn_tick(struct dp_worker *w, uint64_t tsc)
{
	uint64_t before;

	if (!dp_turn_s.on || tsc < dp_turn_s.next_tick[w->idx])
		return;
	dp_turn_s.next_tick[w->idx] = tsc + dp.tsc_hz / 1000 * TICK_EVERY_MS;
	before = dp_turn_table_expired(dp_turn_s.t, (uint16_t)w->idx);
	(void)dp_turn_table_tick(dp_turn_s.t, (uint16_t)w->idx, tsc / dp.tsc_hz, TICK_BUDGET);
	DP_CNT_ADD(w, TURN_ALLOC_EXPIRED, dp_turn_table_expired(dp_turn_s.t, (uint16_t)w->idx) - before);
}

/* ---- packet helpers ------------------------------------------------------------ */

static int
port_of(uint32_t ip)
{
	for (unsigned i = 0; i < dp.n_ports; i++)
		if (dp.ports[i].ipv4 == ip)
			return (int)i;
	return -1;
}

/* The port ip is an IPv6 address of (configured or link-local: a client on
 * the link may use either for the TURN port), or -1. */
static int
port_of6(const uint8_t *ip)
{
	for (unsigned i = 0; i < dp.n_ports; i++)
		if (dp.ports[i].has_ipv6 && (memcmp(dp.ports[i].ipv6, ip, 16) == 0 ||
					     memcmp(dp.ports[i].ipv6_ll, ip, 16) == 0))
			return (int)i;
	return -1;
}

/*
 * Make m hold [hdrs bytes of headers][prefix bytes][the len payload bytes at
 * payload][suffix bytes], moving the frame start so the payload stays where
 * it is. hdrs: HDRS (eth, ipv4, udp) toward the wire, SHDR toward the front.
 * Returns the frame start, or NULL (no room; m untouched otherwise).
 */
static uint8_t *
reframe_at(struct rte_mbuf *m, size_t hdrs, const uint8_t *payload, size_t len, size_t prefix,
	   size_t suffix)
{
	uint8_t *start = rte_pktmbuf_mtod(m, uint8_t *);
	size_t cur = (size_t)(payload - start), want = hdrs + prefix;
	size_t total = want + len + suffix, have;

	if (cur > want) {
		if (rte_pktmbuf_adj(m, (uint16_t)(cur - want)) == NULL)
			return NULL;
	} else if (cur < want) {
		if (rte_pktmbuf_prepend(m, (uint16_t)(want - cur)) == NULL)
			return NULL;
	}
	have = rte_pktmbuf_pkt_len(m);
	if (total > have) {
		if (rte_pktmbuf_append(m, (uint16_t)(total - have)) == NULL)
			return NULL;
	} else if (total < have) {
		rte_pktmbuf_trim(m, (uint16_t)(have - total));
	}
	m->ol_flags = 0;
	return rte_pktmbuf_mtod(m, uint8_t *);
}

static uint8_t *
reframe(struct rte_mbuf *m, const uint8_t *payload, size_t len, size_t prefix, size_t suffix)
{
	return reframe_at(m, HDRS, payload, len, prefix, suffix);
}

/*
 * Send a reframed message (SHDR, then len bytes) to the TCP/TLS client of
 * 5-tuple f through the front. Consumes m. True when queued.
 */
static bool
strm_push(struct dp_worker *w, struct rte_mbuf *m, const struct dp_turn_5tuple *f, size_t len)
{
	struct gw_ipc_strm h = {
		.conn = f->conn, .client_ip = f->client_ip, .server_ip = f->server_ip,
		.client_port = f->client_port, .server_port = f->server_port,
		.type = GW_IPC_STRM_MSG, .len = (uint16_t)len,
	};

	memcpy(rte_pktmbuf_mtod(m, void *), &h, sizeof(h));
	return dp_strm_send(w, m);
}

/* strm_push for a TCP/TLS client over IPv6. */
static bool
strm_push6(struct dp_worker *w, struct rte_mbuf *m, const struct dp_turn_5tuple6 *f, size_t len)
{
	struct gw_ipc_strm h = {
		.conn = f->conn, .client_port = f->client_port, .server_port = f->server_port,
		.type = GW_IPC_STRM_MSG, .flags = GW_IPC_STRM_F_IPV6, .len = (uint16_t)len,
	};

	memcpy(h.client_ip6, f->client_ip, 16);
	memcpy(h.server_ip6, f->server_ip, 16);
	memcpy(rte_pktmbuf_mtod(m, void *), &h, sizeof(h));
	return dp_strm_send(w, m);
}

/* ---- checksums ------------------------------------------------------------------ */

static uint32_t
fold16(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

/* Ones'-complement sum of the IPv4 pseudo header and the UDP header (checksum 0). */
static uint32_t
hdr_sum(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint16_t ulen)
{
	return fold16((uint64_t)(src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
		      GW_IPPROTO_UDP + 2u * ulen + sport + dport);
}

/*
 * The ones'-complement sum of a received datagram's payload after its first
 * skip bytes (skip even), recovered from its UDP checksum (RFC 1624
 * arithmetic), so relaying does not sum the payload a second time. False
 * when the sender sent no checksum.
 *
 * The classifier leaves that checksum unverified on the relay paths
 * (u->cksum_pending, dp_classify.c, dp_ipv6.c): a sum derived from it is as wrong
 * as the datagram is, so the relayed datagram's checksum is wrong by the
 * same amount and its receiver discards it, as a router carrying it would
 * have it. Where the relay cannot carry it (it sums the payload anew, or
 * copies it into a stream) it checks first: settle(), sum_holds().
 */
static bool
payload_sum(const struct gw_ipv4_view *ip, const struct gw_udp_view *u, size_t skip,
	    uint32_t *out)
{
	uint32_t h;

	if (u->cksum == 0)
		return false;
	h = fold16((uint64_t)hdr_sum(ip->src, ip->dst, u->sport, u->dport,
				     (uint16_t)(GW_UDP_HLEN + u->payload_len)) +
		   gw_cksum_add(0, u->payload, skip));
	*out = fold16((uint64_t)(uint16_t)~u->cksum + (uint16_t)~h);
	return true;
}

/*
 * Fill UDP and IPv4 headers of a reframed datagram and send it from port pi,
 * in fragments when it exceeds the port's MTU (as a kernel would) unless df
 * (the client asked DONT-FRAGMENT): then it is dropped and counted.
 * psum: the ones'-complement sum of the UDP payload when known (incremental
 * checksum), or NULL to sum it here. Consumes m.
 * Returns true when the datagram was handed on toward the port.
 */
static bool
emit(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, uint32_t src, uint16_t sport,
     uint32_t dst, uint16_t dport, size_t udp_payload, const uint32_t *psum, bool df)
{
	uint8_t *b = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *udp = b + GW_ETH_HLEN + GW_IPV4_HLEN;
	uint16_t ulen = (uint16_t)(GW_UDP_HLEN + udp_payload), c;

	if (psum == NULL) {
		gw_udp4_encode(udp, src, dst, sport, dport, (uint16_t)udp_payload);
	} else {
		c = (uint16_t)~fold16((uint64_t)hdr_sum(src, dst, sport, dport, ulen) + *psum);
		if (c == 0)
			c = 0xffff;           /* RFC 768: zero means "no checksum" */
		udp[0] = (uint8_t)(sport >> 8);
		udp[1] = (uint8_t)sport;
		udp[2] = (uint8_t)(dport >> 8);
		udp[3] = (uint8_t)dport;
		udp[4] = (uint8_t)(ulen >> 8);
		udp[5] = (uint8_t)ulen;
		udp[6] = (uint8_t)(c >> 8);
		udp[7] = (uint8_t)c;
	}
	gw_ipv4_encode(b + GW_ETH_HLEN, src, dst, GW_IPPROTO_UDP, 64,
		       (uint16_t)(GW_UDP_HLEN + udp_payload), w->ip_id++);
	if (unlikely(GW_IPV4_HLEN + GW_UDP_HLEN + udp_payload > dp.ports[pi].mtu)) {
		if (df) {
			DP_CNT(w, IPV4_FRAG_FAIL);
			rte_pktmbuf_free(m);
			return false;
		}
		return dp_frag_send(w, pi, m, dst) == 0;
	}
	dp_arp_send_ip(w, pi, m, dst);
	return true;
}

/* payload_sum() for a datagram received over IPv6 (its checksum is never 0;
 * pending on the relay paths as over IPv4). */
static bool
payload_sum6(const struct gw_ipv6_view *ip, const struct gw_udp_view *u, size_t skip,
	     uint32_t *out)
{
	uint16_t ulen = (uint16_t)(GW_UDP_HLEN + u->payload_len);
	uint32_t h;

	if (u->cksum == 0)
		return false;
	h = fold16((uint64_t)gw_ipv6_pseudo_sum(ip->src, ip->dst, GW_IPPROTO_UDP, ulen) +
		   u->sport + u->dport + ulen + gw_cksum_add(0, u->payload, skip));
	*out = fold16((uint64_t)(uint16_t)~u->cksum + (uint16_t)~h);
	return true;
}

/*
 * emit() over IPv6: UDP and IPv6 headers of a datagram reframed with HDRS6,
 * sent from port pi toward dst through neighbour discovery; over the port's
 * MTU in fragments (the source may, RFC 8200 §4.5, and a kernel would),
 * unless df (the client's DONT-FRAGMENT, which over IPv6 can only mean "do
 * not fragment at the source"): then counted (TURN6_DROP_TOOBIG) and
 * dropped. Consumes m.
 */
static bool
emit6(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *src, uint16_t sport,
      const uint8_t *dst, uint16_t dport, size_t udp_payload, const uint32_t *psum, bool df)
{
	uint8_t *b = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *udp = b + GW_ETH_HLEN + GW_IPV6_HLEN;
	uint16_t ulen = (uint16_t)(GW_UDP_HLEN + udp_payload), c;
	bool big = GW_IPV6_HLEN + GW_UDP_HLEN + udp_payload > dp.ports[pi].mtu;
	uint8_t d[16];

	if (unlikely(big && df)) {
		DP_CNT(w, TURN6_DROP_TOOBIG);
		rte_pktmbuf_free(m);
		return false;
	}
	memcpy(d, dst, 16);             /* dst may point into m's old headers */
	if (psum == NULL) {
		gw_udp6_encode(udp, src, d, sport, dport, (uint16_t)udp_payload);
	} else {
		c = (uint16_t)~fold16((uint64_t)gw_ipv6_pseudo_sum(src, d, GW_IPPROTO_UDP, ulen) +
				      sport + dport + ulen + *psum);
		if (c == 0)
			c = 0xffff;           /* RFC 8200 §8.1: never zero */
		udp[0] = (uint8_t)(sport >> 8);
		udp[1] = (uint8_t)sport;
		udp[2] = (uint8_t)(dport >> 8);
		udp[3] = (uint8_t)dport;
		udp[4] = (uint8_t)(ulen >> 8);
		udp[5] = (uint8_t)ulen;
		udp[6] = (uint8_t)(c >> 8);
		udp[7] = (uint8_t)c;
	}
	gw_ipv6_encode(b + GW_ETH_HLEN, src, d, GW_IPPROTO_UDP, 64, ulen);
	if (unlikely(big))
		return dp_frag_send6(w, pi, m, d) == 0;
	dp_ndp_send_ip6(w, pi, m, d);
	return true;
}

/*
 * Token bucket of allocation idx; true when len bytes may pass. Atomic: the
 * peer-to-client direction may run on a worker other than the owner (RSS of
 * the peer's packets), so two workers can charge one bucket.
 */
static bool
bw_ok(const struct dp_worker *w, uint32_t idx, uint32_t len)
{
	struct aux *x = &dp_turn_s.aux[idx];
	const struct live *l = live_get();
	uint64_t tsc, last, add, cur;

	if (l->tb_rate == 0)
		return true;
	tsc = w->now_tsc;
	last = __atomic_load_n(&x->tb_last, __ATOMIC_RELAXED);
	/* at most one second's worth at a time: no overflow, and the bucket is full anyway */
	add = tsc > last ? RTE_MIN(tsc - last, dp.tsc_hz) * l->tb_rate / dp.tsc_hz : 0;
	if (add > 0 && __atomic_compare_exchange_n(&x->tb_last, &last, tsc, false,
						   __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		cur = __atomic_add_fetch(&x->tb_tokens, add, __ATOMIC_RELAXED);
		if (cur > l->tb_burst)      /* clamp; a racing charge only loses tokens */
			__atomic_store_n(&x->tb_tokens, l->tb_burst, __ATOMIC_RELAXED);
	}
	cur = __atomic_load_n(&x->tb_tokens, __ATOMIC_RELAXED);
	do {
		if (cur < len)
			return false;
	} while (!__atomic_compare_exchange_n(&x->tb_tokens, &cur, cur - len, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

/*
 * Before summing the payload of a datagram whose checksum is still pending
 * anew (so a corrupted one would leave with a right checksum): its check.
 * ip (IPv4) or ip6 (IPv6) and u describe the datagram; all NULL (a stream)
 * pass. False: counted, m dropped.
 */
static bool
settle(struct dp_worker *w, struct rte_mbuf *m, const struct gw_ipv4_view *ip,
       const struct gw_ipv6_view *ip6, const struct gw_udp_view *u)
{
	if (u == NULL || likely(ip != NULL ? gw_udp_cksum_ok(ip, u) :
			       ip6 == NULL || gw_udp6_cksum_ok(ip6, u)))
		return true;
	DP_CNT(w, UDP_BAD_CKSUM);
	drop(m);
	return false;
}

/* Whether psum, a payload sum payload_sum() derived, is the sum of the
 * len bytes at p (ones'-complement: 0x0000 and 0xffff are both zero). */
static bool
sum_holds(const uint8_t *p, size_t len, uint32_t psum)
{
	return fold16(gw_cksum_add(0, p, len)) % 0xffffu == fold16(psum) % 0xffffu;
}

/* ---- relay: toward the client ---------------------------------------------------- */

/*
 * Frame len bytes at payload for allocation idx's client and send them (UDP
 * over IPv4 or IPv6, or through the front for a TCP/TLS client): as
 * ChannelData on channel ch when ch != 0, else as a Data indication whose
 * XOR-PEER-ADDRESS is peer. psum: the payload's ones'-complement sum when
 * known, else NULL. Consumes m.
 */
static void
deliver(struct dp_worker *w, struct rte_mbuf *m, const struct dp_turn_alloc *a, uint32_t idx,
	uint16_t ch, const struct gw_stun_addr *peer, const uint8_t *payload, size_t len,
	const uint32_t *psum)
{
	bool strm = a->five.conn != 0;          /* a TCP/TLS client: through the front */
	const struct dp_turn_5tuple6 *f6 = NULL;
	size_t hl = strm ? SHDR : HDRS;
	uint8_t *b;
	size_t udp_len, pfx;
	uint32_t sum;
	bool sent;
	int pi;

	if (unlikely(a->client6)) {
		f6 = &dp_turn_alloc6_at(dp_turn_s.t, idx)->five6;
		strm = f6->conn != 0;
		hl = strm ? SHDR : HDRS6;
		pi = port_of6(f6->server_ip);
	} else {
		pi = port_of(a->five.server_ip);
	}
	if (pi < 0) {
		drop(m);
		return;
	}
	/* a stream copies the bytes: a carried checksum ends here, checked */
	if (unlikely(strm) && psum != NULL && !sum_holds(payload, len, *psum)) {
		DP_CNT(w, UDP_BAD_CKSUM);
		drop(m);
		return;
	}
	if (ch != 0) {
		/* on a stream ChannelData is padded to 4 bytes (RFC 8656 §12.5) */
		size_t pad = strm ? (4 - len % 4) % 4 : 0;

		b = reframe_at(m, hl, payload, len, GW_TURN_CHANDATA_HLEN, pad);
		if (b == NULL)
			goto noroom;
		(void)gw_turn_chandata_encode(b + hl, GW_TURN_CHANDATA_HLEN + len + pad, ch,
					      b + hl + GW_TURN_CHANDATA_HLEN, len, strm);
		udp_len = GW_TURN_CHANDATA_HLEN + len + pad;
		pfx = GW_TURN_CHANDATA_HLEN;
	} else {
		size_t pad = (4 - len % 4) % 4;
		size_t dhl = peer->family == GW_STUN_FAMILY_IPV6 ? DATA_IND6_HLEN : DATA_IND_HLEN;
		struct gw_stun_enc e;
		uint8_t txid[GW_STUN_TXID_LEN], *s;
		uint64_t r1 = dp_turn_s.rng[w->idx] ^= dp_turn_s.rng[w->idx] << 13;
		uint16_t mlen = (uint16_t)(dhl - GW_STUN_HDR_LEN + len + pad);

		dp_turn_s.rng[w->idx] ^= dp_turn_s.rng[w->idx] >> 7;
		dp_turn_s.rng[w->idx] ^= dp_turn_s.rng[w->idx] << 17;
		memcpy(txid, &r1, 8);
		memcpy(txid + 8, &dp_turn_s.rng[w->idx], 4);
		b = reframe_at(m, hl, payload, len, dhl, pad);
		if (b == NULL)
			goto noroom;
		s = b + hl;
		if (gw_stun_enc_init(&e, s, dhl, gw_stun_type(GW_STUN_DATA, GW_STUN_INDICATION),
				     txid) != 0 ||
		    gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, peer) != 0)
			goto noroom;
		s[2] = (uint8_t)(mlen >> 8);
		s[3] = (uint8_t)mlen;
		s[dhl - 4] = 0x00;
		s[dhl - 3] = 0x13;      /* DATA */
		s[dhl - 2] = (uint8_t)(len >> 8);
		s[dhl - 1] = (uint8_t)len;
		memset(s + dhl + len, 0, pad);    /* zeros: no change to the sum */
		udp_len = dhl + len + pad;
		pfx = dhl;
	}
	if (strm) {
		if (f6 != NULL ? strm_push6(w, m, f6, udp_len) : strm_push(w, m, &a->five, udp_len)) {
			DP_CNT(w, TURN_TO_CLIENT_PKTS);
			DP_CNT_ADD(w, TURN_TO_CLIENT_BYTES, len);
		}
		return;
	}
	if (psum != NULL)
		sum = fold16((uint64_t)gw_cksum_add(0, b + hl, pfx) + *psum);
	if (unlikely(f6 != NULL))
		sent = emit6(w, (unsigned)pi, m, f6->server_ip, f6->server_port, f6->client_ip,
			     f6->client_port, udp_len, psum != NULL ? &sum : NULL, false);
	else
		sent = emit(w, (unsigned)pi, m, a->five.server_ip, a->five.server_port,
			    a->five.client_ip, a->five.client_port, udp_len,
			    psum != NULL ? &sum : NULL, false);
	if (sent) {
		DP_CNT(w, TURN_TO_CLIENT_PKTS);
		DP_CNT_ADD(w, TURN_TO_CLIENT_BYTES, len);
	}
	return;
noroom:
	DP_CNT(w, TURN_DROP_NOROOM);
	drop(m);
}

/*
 * Data from peer src_ip:src_port for allocation idx: as ChannelData when a
 * channel is bound to the peer, else as a Data indication. Consumes m.
 */
static void
to_client(struct dp_worker *w, struct rte_mbuf *m, uint32_t idx, uint32_t src_ip,
	  uint16_t src_port, const uint8_t *payload, size_t len, uint64_t now,
	  const uint32_t *psum)
{
	const struct dp_turn_alloc *a = dp_turn_alloc_at(dp_turn_s.t, idx);
	struct gw_stun_addr peer;
	uint16_t ch;
	bool own;

	if (!dp_turn_alloc_live(a, now)) {
		DP_CNT(w, TURN_DROP_NO_ALLOC);
		drop(m);
		return;
	}
	own = a->owner == w->idx;
	if (!(own ? dp_turn_perm_check_own(a, src_ip, now) :
		    dp_turn_perm_check(dp_turn_s.t, idx, src_ip, now))) {
		DP_CNT(w, TURN_DROP_NO_PERM);
		drop(m);
		return;
	}
	if (len > 0xffff - DATA_IND_HLEN - 3 || !bw_ok(w, idx, (uint32_t)len)) {
		DP_CNT(w, TURN_DROP_BANDWIDTH);
		drop(m);
		return;
	}
	if ((own ? dp_turn_chan_by_peer_own(a, src_ip, src_port, now, &ch) :
		   dp_turn_chan_by_peer(dp_turn_s.t, idx, src_ip, src_port, now, &ch)) != 0) {
		ch = 0;
		peer.family = GW_STUN_FAMILY_IPV4;
		peer.port = src_port;
		gw_put32(peer.addr, src_ip);
	}
	deliver(w, m, a, idx, ch, &peer, payload, len, psum);
}

/* to_client() from an IPv6 peer (src: 16 bytes, copied before m is reframed). */
static void
to_client6(struct dp_worker *w, struct rte_mbuf *m, uint32_t idx, const uint8_t *src,
	   uint16_t src_port, const uint8_t *payload, size_t len, uint64_t now,
	   const uint32_t *psum)
{
	const struct dp_turn_alloc *a = dp_turn_alloc_at(dp_turn_s.t, idx);
	struct gw_stun_addr peer = { .family = GW_STUN_FAMILY_IPV6, .port = src_port };
	uint16_t ch;

	if (!dp_turn_alloc_live(a, now)) {
		DP_CNT(w, TURN_DROP_NO_ALLOC);
		drop(m);
		return;
	}
	if (!dp_turn_perm_check6(dp_turn_s.t, idx, src, now)) {
		DP_CNT(w, TURN_DROP_NO_PERM);
		drop(m);
		return;
	}
	if (len > 0xffff - DATA_IND6_HLEN - 3 || !bw_ok(w, idx, (uint32_t)len)) {
		DP_CNT(w, TURN_DROP_BANDWIDTH);
		drop(m);
		return;
	}
	memcpy(peer.addr, src, 16);
	if (dp_turn_chan_by_peer6(dp_turn_s.t, idx, src, src_port, now, &ch) != 0)
		ch = 0;
	deliver(w, m, a, idx, ch, &peer, payload, len, psum);
}

/*
 * The allocation holding relayed address ip:port, to which datagram m came:
 * the burst's hint when dp_turn_prefetch() left one for m and that
 * allocation still holds ip:port, else a lookup.
 */
static int
lookup_relay(struct dp_worker *w, const struct rte_mbuf *m, uint32_t ip, uint16_t port,
	     uint32_t *idx)
{
	uint16_t pos = w->burst_pos;

	if (pos < DP_BURST && w->hint_m[pos] == m) {
		const struct dp_turn_alloc *a = dp_turn_alloc_at(dp_turn_s.t, w->hint_idx[pos]);

		if ((a->af & GW_TURN_AF_IPV4) && a->relay_ip == ip && a->relay_port == port) {
			*idx = w->hint_idx[pos];
			return 0;
		}
	}
	return dp_turn_lookup_relay(dp_turn_s.t, ip, port, idx);
}

void
dp_turn_relay_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		    const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	uint32_t idx, sum;
	bool have;

	(void)pi;
	if (!dp_turn_s.on || lookup_relay(w, m, ip->dst, u->dport, &idx) != 0) {
		DP_CNT(w, TURN_DROP_NO_ALLOC);
		drop(m);
		return;
	}
	have = payload_sum(ip, u, 0, &sum);
	to_client(w, m, idx, ip->src, u->sport, u->payload, u->payload_len, w->now_s,
		  have ? &sum : NULL);
}

void
dp_turn_relay6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		     const struct gw_ipv6_view *ip, const struct gw_udp_view *u)
{
	uint8_t src[16];
	uint32_t idx, sum;
	bool have;

	/* the relayed address is the port's configured one, not its link-local */
	if (!dp_turn_s.on || !dp.ports[pi].has_ipv6 || memcmp(ip->dst, dp.ports[pi].ipv6, 16) != 0 ||
	    dp_turn_lookup_relay6(dp_turn_s.t, pi, u->dport, &idx) != 0) {
		DP_CNT(w, TURN_DROP_NO_ALLOC);
		drop(m);
		return;
	}
	memcpy(src, ip->src, 16);
	have = payload_sum6(ip, u, 0, &sum);
	to_client6(w, m, idx, src, u->sport, u->payload, u->payload_len, w->now_s,
		   have ? &sum : NULL);
}

/* ---- relay: toward the peer ----------------------------------------------------- */

/* Relay len bytes at payload from allocation idx to peer ip:port. Consumes m. */
static void
to_peer(struct dp_worker *w, struct rte_mbuf *m, uint32_t idx, uint32_t peer_ip,
	uint16_t peer_port, const uint8_t *payload, size_t len, uint64_t now, const uint32_t *psum,
	bool df)
{
	const struct dp_turn_alloc *a = dp_turn_alloc_at(dp_turn_s.t, idx);
	const struct live *l = live_get();
	uint32_t other;
	uint8_t *b;

	if (gw_turn_peer_check_memo(&dp_turn_s.memo[w->idx], l->gen, &l->pol, peer_ip, peer_port) !=
	    GW_TURN_PEER_OK) {
		DP_CNT(w, TURN_DROP_DENIED_PEER);
		drop(m);
		return;
	}
	if (!(a->owner == w->idx ? dp_turn_perm_check_own(a, peer_ip, now) :
				   dp_turn_perm_check(dp_turn_s.t, idx, peer_ip, now))) {
		DP_CNT(w, TURN_DROP_NO_PERM);
		drop(m);
		return;
	}
	if (!bw_ok(w, idx, (uint32_t)len)) {
		DP_CNT(w, TURN_DROP_BANDWIDTH);
		drop(m);
		return;
	}
	if (relay_hash_find(peer_ip)) {
		/* relay-to-relay on this gateway: deliver without touching the wire */
		if (dp_turn_lookup_relay(dp_turn_s.t, peer_ip, peer_port, &other) != 0) {
			DP_CNT(w, TURN_DROP_NO_ALLOC);
			drop(m);
			return;
		}
		DP_CNT(w, TURN_TO_PEER_PKTS);
		DP_CNT_ADD(w, TURN_TO_PEER_BYTES, len);
		DP_CNT(w, TURN_HAIRPIN_PKTS);
		to_client(w, m, other, a->relay_ip, a->relay_port, payload, len, now, psum);
		return;
	}
	b = reframe(m, payload, len, 0, 0);
	if (b == NULL) {
		DP_CNT(w, TURN_DROP_NOROOM);
		drop(m);
		return;
	}
	/* from the allocation's relay address, out of the port that has it */
	if (emit(w, dp_turn_s.relay_pi[a->relay_idx], m, a->relay_ip, a->relay_port, peer_ip,
		 peer_port, len, psum, df)) {
		DP_CNT(w, TURN_TO_PEER_PKTS);
		DP_CNT_ADD(w, TURN_TO_PEER_BYTES, len);
	}
}

/*
 * Relay len bytes at payload from allocation idx to IPv6 peer ip:port, from
 * its IPv6 relayed address. ip: 16 bytes, not inside m. Consumes m.
 */
static void
to_peer6(struct dp_worker *w, struct rte_mbuf *m, uint32_t idx, const uint8_t *peer_ip,
	 uint16_t peer_port, const uint8_t *payload, size_t len, uint64_t now,
	 const uint32_t *psum, bool df)
{
	const struct dp_turn_alloc *a = dp_turn_alloc_at(dp_turn_s.t, idx);
	const uint8_t *relay6;
	uint32_t other;
	uint8_t *b;
	int hp;

	if (!(a->af & GW_TURN_AF_IPV6)) {
		DP_CNT(w, TURN_DROP_PEER_AF);
		drop(m);
		return;
	}
	if (peer6_verdict(&live_get()->pol, peer_ip, peer_port, true) != GW_TURN_PEER_OK) {
		DP_CNT(w, TURN_DROP_DENIED_PEER);
		drop(m);
		return;
	}
	if (!dp_turn_perm_check6(dp_turn_s.t, idx, peer_ip, now)) {
		DP_CNT(w, TURN_DROP_NO_PERM);
		drop(m);
		return;
	}
	if (!bw_ok(w, idx, (uint32_t)len)) {
		DP_CNT(w, TURN_DROP_BANDWIDTH);
		drop(m);
		return;
	}
	relay6 = dp_turn_relay6_addr(dp_turn_s.t, a->relay6_idx);
	hp = port_of6(peer_ip);
	if (hp >= 0) {
		/* relay-to-relay on this gateway: deliver without touching the wire */
		if (dp_turn_lookup_relay6(dp_turn_s.t, (unsigned)hp, peer_port, &other) != 0) {
			DP_CNT(w, TURN_DROP_NO_ALLOC);
			drop(m);
			return;
		}
		DP_CNT(w, TURN_TO_PEER_PKTS);
		DP_CNT_ADD(w, TURN_TO_PEER_BYTES, len);
		DP_CNT(w, TURN_HAIRPIN_PKTS);
		to_client6(w, m, other, relay6, a->relay6_port, payload, len, now, psum);
		return;
	}
	b = reframe_at(m, HDRS6, payload, len, 0, 0);
	if (b == NULL) {
		DP_CNT(w, TURN_DROP_NOROOM);
		drop(m);
		return;
	}
	if (emit6(w, a->relay6_idx, m, relay6, a->relay6_port, peer_ip, peer_port, len, psum, df)) {
		DP_CNT(w, TURN_TO_PEER_PKTS);
		DP_CNT_ADD(w, TURN_TO_PEER_BYTES, len);
	}
}

/*
 * Parsed ChannelData cd from the client of allocation idx (looked up by the
 * caller). ip or ip6, and u: the UDP datagram it came in (its checksum saves
 * summing the payload again), or all NULL from a stream. Consumes m.
 */
static void
chandata_at(struct dp_worker *w, struct rte_mbuf *m, uint32_t idx,
	    const struct gw_turn_chandata *c, const struct gw_ipv4_view *ip,
	    const struct gw_ipv6_view *ip6, const struct gw_udp_view *u, uint64_t now)
{
	const struct gw_turn_chandata cd = *c;
	const struct dp_turn_alloc *a = dp_turn_alloc_at(dp_turn_s.t, idx);
	uint32_t peer_ip, sum;
	uint16_t peer_port;
	uint8_t peer6[16];
	bool have, full;

	if (!dp_turn_alloc_live(a, now)) {
		DP_CNT(w, TURN_DROP_NO_ALLOC);
		drop(m);
		return;
	}
	/* with padding present the checksum also covers the padding bytes: sum anew */
	full = u != NULL && u->payload_len == (size_t)GW_TURN_CHANDATA_HLEN + cd.len;
	if ((a->owner == w->idx ?
		     dp_turn_chan_by_num_own(a, cd.channel, now, &peer_ip, &peer_port) :
		     dp_turn_chan_by_num(dp_turn_s.t, idx, cd.channel, now, &peer_ip, &peer_port)) == 0) {
		have = full && (ip != NULL ? payload_sum(ip, u, GW_TURN_CHANDATA_HLEN, &sum) :
					     payload_sum6(ip6, u, GW_TURN_CHANDATA_HLEN, &sum));
		if (!have && !settle(w, m, ip, ip6, u))
			return;
		to_peer(w, m, idx, peer_ip, peer_port, cd.data, cd.len, now, have ? &sum : NULL,
			false);
		return;
	}
	if (unlikely(a->af & GW_TURN_AF_IPV6) &&
	    dp_turn_chan_by_num6(dp_turn_s.t, idx, cd.channel, now, peer6, &peer_port) == 0) {
		have = full && (ip != NULL ? payload_sum(ip, u, GW_TURN_CHANDATA_HLEN, &sum) :
					     payload_sum6(ip6, u, GW_TURN_CHANDATA_HLEN, &sum));
		if (!have && !settle(w, m, ip, ip6, u))
			return;
		to_peer6(w, m, idx, peer6, peer_port, cd.data, cd.len, now, have ? &sum : NULL,
			 false);
		return;
	}
	DP_CNT(w, TURN_DROP_NO_CHANNEL);
	drop(m);
}

/*
 * The allocation of UDP 5-tuple f, whose datagram m is: the burst's hint
 * when dp_turn_prefetch() left one for m and that allocation still has f
 * (it may have gone, and its slot been reused, since), else a lookup.
 */
static int
lookup_five(struct dp_worker *w, const struct rte_mbuf *m, const struct dp_turn_5tuple *f,
	    uint32_t *idx)
{
	uint16_t pos = w->burst_pos;

	if (pos < DP_BURST && w->hint_m[pos] == m &&
	    memcmp(&dp_turn_alloc_at(dp_turn_s.t, w->hint_idx[pos])->five, f, sizeof(*f)) == 0) {
		*idx = w->hint_idx[pos];
		return 0;
	}
	return dp_turn_lookup_5tuple(dp_turn_s.t, f, idx);
}

/*
 * ChannelData msg[0..len) from the client of 5-tuple f (IPv4) or f6 (IPv6),
 * the other NULL. UDP: ip or ip6 and u describe the datagram; a stream: all
 * NULL. Consumes m.
 */
static void
chandata(struct dp_worker *w, struct rte_mbuf *m, const struct dp_turn_5tuple *f,
	 const struct dp_turn_5tuple6 *f6, const uint8_t *msg, size_t len,
	 const struct gw_ipv4_view *ip, const struct gw_ipv6_view *ip6,
	 const struct gw_udp_view *u)
{
	struct gw_turn_chandata cd;
	uint32_t idx;

	if (gw_turn_chandata_parse_range(&cd, msg, len, dp_turn_s.chan_max) != 0) {
		DP_CNT(w, TURN_DROP_BAD_CHANDATA);
		drop(m);
		return;
	}
	if ((f6 != NULL ? dp_turn_lookup_5tuple6(dp_turn_s.t, f6, &idx) : lookup_five(w, m, f, &idx)) !=
	    0) {
		DP_CNT(w, TURN_DROP_NO_ALLOC);
		drop(m);
		return;
	}
	chandata_at(w, m, idx, &cd, ip, ip6, u, w->now_s);
}

void
dp_turn_prefetch(struct dp_worker *w, struct rte_mbuf *const *pkts, uint16_t n)
{
	struct dp_turn_5tuple f[DP_BURST];
	uint32_t idx[DP_BURST], rip[DP_BURST];
	uint16_t at[DP_BURST], rat[DP_BURST], rport[DP_BURST];
	unsigned k = 0, r = 0;

	for (uint16_t i = 0; i < n && i < DP_BURST; i++)
		w->hint_m[i] = NULL;
	if (!dp_turn_s.on)
		return;
	for (uint16_t i = 0; i < n && i < DP_BURST; i++) {
		const uint8_t *b = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		uint16_t dport;

		/* Ethernet IPv4, IHL 5, UDP, not a fragment */
		if (rte_pktmbuf_data_len(pkts[i]) < HDRS + GW_TURN_CHANDATA_HLEN ||
		    b[12] != 0x08 || b[13] != 0x00 || b[14] != 0x45 || b[23] != GW_IPPROTO_UDP ||
		    ((b[20] & 0x3f) | b[21]) != 0)
			continue;
		dport = (uint16_t)(b[36] << 8 | b[37]);
		if (dport >= dp.conf->turn.relay_port_min && dport <= dp.conf->turn.relay_port_max) {
			/* a peer's datagram to a relayed address */
			rip[r] = gw_get32(b + 30);
			rport[r] = dport;
			rat[r++] = i;
			continue;
		}
		/* to the TURN port: ChannelData, or a Send indication (0x0016) */
		if (dport != dp.conf->stun.port ||
		    ((b[HDRS] < 0x40 || b[HDRS] > 0x7f) && (b[HDRS] != 0 || b[HDRS + 1] != 0x16)))
			continue;
		f[k].client_ip = gw_get32(b + 26);
		f[k].server_ip = gw_get32(b + 30);
		f[k].client_port = (uint16_t)(b[34] << 8 | b[35]);
		f[k].server_port = dport;
		f[k].conn = 0;
		at[k++] = i;
	}
	if (k != 0 && dp_turn_lookup_5tuple_bulk(dp_turn_s.t, f, k, idx) != 0)
		for (unsigned j = 0; j < k; j++)
			if (idx[j] != DP_TURN_NONE) {
				w->hint_m[at[j]] = pkts[at[j]];
				w->hint_idx[at[j]] = idx[j];
			}
	if (r != 0 && dp_turn_lookup_relay_bulk(dp_turn_s.t, rip, rport, r, idx) != 0)
		for (unsigned j = 0; j < r; j++)
			if (idx[j] != DP_TURN_NONE) {
				w->hint_m[rat[j]] = pkts[rat[j]];
				w->hint_idx[rat[j]] = idx[j];
			}
}

void
dp_turn_chandata_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		       const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	struct dp_turn_5tuple f = { ip->src, ip->dst, u->sport, u->dport, 0 };

	(void)pi;
	if (!dp_turn_s.on) {
		DP_CNT(w, STUN_TURN_UNAVAILABLE);
		drop(m);
		return;
	}
	chandata(w, m, &f, NULL, u->payload, u->payload_len, ip, NULL, u);
}

void
dp_turn_chandata6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
			const struct gw_ipv6_view *ip, const struct gw_udp_view *u)
{
	struct dp_turn_5tuple6 f = { .client_port = u->sport, .server_port = u->dport };

	(void)pi;
	if (!dp_turn_s.on) {
		DP_CNT(w, STUN6_TURN_UNSUPPORTED);
		drop(m);
		return;
	}
	memcpy(f.client_ip, ip->src, 16);
	memcpy(f.server_ip, ip->dst, 16);
	chandata(w, m, NULL, &f, u->payload, u->payload_len, NULL, ip, u);
}

/* ---- transactions ------------------------------------------------------------------ */

/* Send resp[0..len) back to the request's source over m. Consumes m. */
void
dp_turn_reply_bytes(struct dp_worker *w, const struct src *sc, struct rte_mbuf *m,
		    const uint8_t *resp, size_t len)
{
	const struct dp_turn_5tuple f = sc->f;   /* reframing moves the request */
	const bool strm = sc->v6 ? sc->f6.conn != 0 : f.conn != 0;
	const size_t hl = strm ? SHDR : sc->v6 ? HDRS6 : HDRS;
	uint8_t *b = reframe_at(m, hl, sc->msg, 0, 0, len);

	if (b == NULL) {
		DP_CNT(w, TURN_DROP_NOROOM);
		drop(m);
		return;
	}
	memcpy(b + hl, resp, len);
	if (sc->v6 && strm)
		(void)strm_push6(w, m, &sc->f6, len);
	else if (sc->v6)
		(void)emit6(w, sc->pi, m, sc->f6.server_ip, sc->f6.server_port, sc->f6.client_ip,
			    sc->f6.client_port, len, NULL, false);
	else if (f.conn != 0)
		(void)strm_push(w, m, &f, len);
	else
		(void)emit(w, sc->pi, m, f.server_ip, f.server_port, f.client_ip, f.client_port,
			   len, NULL, false);
}

/* A Send indication from the client. Consumes m. */
static void
send_indication(struct dp_worker *w, struct rte_mbuf *m, const struct src *sc,
		const struct gw_turn_req *rq)
{
	uint64_t now = w->now_s;
	uint32_t idx, sum;
	bool have = false;

	if ((sc->ip != NULL ? lookup_five(w, m, &sc->f, &idx) : lookup_src(sc, &idx)) != 0 ||
	    !dp_turn_alloc_live(dp_turn_alloc_at(dp_turn_s.t, idx), now)) {
		DP_CNT(w, TURN_DROP_NO_ALLOC);
		drop(m);
		return;
	}
	if (rq->peers[0].family == GW_STUN_FAMILY_IPV6) {
		if (!settle(w, m, sc->ip, sc->ip6, sc->u))
			return;
		to_peer6(w, m, idx, rq->peers[0].addr, rq->peers[0].port, rq->data, rq->data_len,
			 now, NULL, rq->dont_fragment);
		return;
	}
	if (!(dp_turn_alloc_at(dp_turn_s.t, idx)->af & GW_TURN_AF_IPV4)) {
		DP_CNT(w, TURN_DROP_PEER_AF);
		drop(m);
		return;
	}
	/* DATA last and unpadded (the usual Send): the payload's sum follows
	 * from the datagram's checksum and the bytes before it (an even count:
	 * attribute values start 4-aligned) */
	if (sc->ip != NULL && rq->data + rq->data_len == sc->u->payload + sc->u->payload_len)
		have = payload_sum(sc->ip, sc->u, (size_t)(rq->data - sc->u->payload), &sum);
	if (!have && !settle(w, m, sc->ip, sc->ip6, sc->u))
		return;
	to_peer(w, m, idx, gw_get32(rq->peers[0].addr), rq->peers[0].port, rq->data,
		rq->data_len, now, have ? &sum : NULL, rq->dont_fragment);
}

/* A STUN message (TURN request or Send indication) from sc. Consumes m. */
static void
turn_message(struct dp_worker *w, const struct src *sc, struct rte_mbuf *m)
{
	struct gw_stun_view v;
	struct gw_turn_req rq;
	struct auth au;
	struct resp r;
	const struct aux *x = NULL;
	uint32_t idx = DP_TURN_NONE;
	bool unknown;
	int err;

	err = gw_stun_parse(&v, sc->msg, sc->len);
	if (err != 0 && !GW_IS_STUN_ERR(err)) {
		DP_CNT(w, TURN_DROP_BAD_REQUEST);
		drop(m);
		return;
	}
	/* RFC 8489 §7.3: a FINGERPRINT that does not match means the datagram is
	 * not STUN, whatever its class: discard before acting on any of it. */
	if (v.attr[GW_STUN_A_FINGERPRINT].off != 0 && gw_stun_check_fingerprint(&v) != 0) {
		DP_CNT(w, TURN_DROP_FINGERPRINT);
		drop(m);
		return;
	}
	if (v.cls == GW_STUN_INDICATION) {
		/* unknown comprehension-required attributes in an indication: discard */
		if (err != 0 || gw_turn_req_check_af(&rq, &v, relay_af(sc->pi)) != 0) {
			DP_CNT(w, TURN_DROP_BAD_SEND);
			drop(m);
			return;
		}
		send_indication(w, m, sc, &rq);
		return;
	}
	if (v.cls != GW_STUN_REQUEST) {
		DP_CNT(w, TURN_DROP_BAD_REQUEST);
		drop(m);
		return;
	}
	if (err != 0 && err != GW_STUN_ERR(420)) {     /* malformed: 400 before anything else */
		DP_CNT(w, TURN_ERR_BAD_REQUEST);
		dp_turn_reply_error(w, sc, m, &v, (uint16_t)GW_STUN_CODE(err), NULL);
		return;
	}
	unknown = err == GW_STUN_ERR(420);
	if (v.method != GW_STUN_ALLOCATE && lookup_src(sc, &idx) == 0 &&
	    dp_turn_alloc_live(dp_turn_alloc_at(dp_turn_s.t, idx), w->now_s))
		x = &dp_turn_s.aux[idx];
	err = dp_turn_authenticate(w, &v, sc, x, &au);
	if (err != 0) {
		dp_turn_reply_error(w, sc, m, &v, (uint16_t)GW_STUN_CODE(err), NULL);
		return;
	}
	/* RFC 8489 §6.3.1: unknown comprehension-required attributes are judged
	 * once authentication passed, and the 420 is integrity-protected */
	if (unknown) {
		DP_CNT(w, TURN_ERR_UNKNOWN_ATTR);
		err = GW_STUN_ERR(420);
	} else {
		err = gw_turn_req_check_af(&rq, &v, relay_af(sc->pi));
	}
	if (err == GW_STUN_ERR(420)) {
		/* answered below */
	} else if (err == 0 && v.method != GW_STUN_ALLOCATE && x == NULL) {
		DP_CNT(w, TURN_ERR_MISMATCH);
		err = GW_STUN_ERR(437);
	} else if (err == GW_STUN_ERR(440) || err == GW_STUN_ERR(443)) {
		DP_CNT(w, TURN_ERR_FAMILY);
	} else if (err != 0) {
		DP_CNT(w, TURN_ERR_BAD_REQUEST);
		if (!GW_IS_STUN_ERR(err))
			err = GW_STUN_ERR(400);
	} else if (v.method == GW_STUN_ALLOCATE) {
		err = dp_turn_do_allocate(w, &v, &rq, sc, &au, &r);
	} else {
		err = dp_turn_do_request(w, &v, &rq, idx, &au, &r);
	}
	if (err == 0) {
		dp_turn_reply(w, sc, m, &r);
	} else if (GW_IS_STUN_ERR(err)) {
		dp_turn_reply_error(w, sc, m, &v, (uint16_t)GW_STUN_CODE(err), &au);
	} else {
		DP_CNT(w, STUN_DROP_NOSPC);
		drop(m);
	}
	gw_wipe(&au.derived, sizeof(au.derived));
}

void
dp_turn_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
	      const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	const struct src sc = {
		.f = { ip->src, ip->dst, u->sport, u->dport, 0 },
		.pi = pi, .msg = u->payload, .len = u->payload_len, .ip = ip, .u = u,
	};

	if (!dp_turn_s.on) {
		DP_CNT(w, STUN_TURN_UNAVAILABLE);
		drop(m);
		return;
	}
	turn_message(w, &sc, m);
}

void
dp_turn_input6(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
	       const struct gw_ipv6_view *ip, const struct gw_udp_view *u)
{
	struct src sc = {
		.pi = pi, .msg = u->payload, .len = u->payload_len, .v6 = true,
		.f6 = { .client_port = u->sport, .server_port = u->dport }, .ip6 = ip, .u = u,
	};

	if (!dp_turn_s.on) {
		DP_CNT(w, STUN6_TURN_UNSUPPORTED);
		drop(m);
		return;
	}
	memcpy(sc.f6.client_ip, ip->src, 16);
	memcpy(sc.f6.server_ip, ip->dst, 16);
	turn_message(w, &sc, m);
}

/* ---- TCP and TLS clients (through rtcgw-turnfront, dp_strm) ------------------------- */

/* The IPv6 5-tuple of stream connection h (GW_IPC_STRM_F_IPV6). */
static void
strm_five6(const struct gw_ipc_strm *h, struct dp_turn_5tuple6 *f6)
{
	memset(f6, 0, sizeof(*f6));
	memcpy(f6->client_ip, h->client_ip6, 16);
	memcpy(f6->server_ip, h->server_ip6, 16);
	f6->client_port = h->client_port;
	f6->server_port = h->server_port;
	f6->conn = h->conn;
}

void
dp_turn_stream_input(struct dp_worker *w, struct rte_mbuf *m, const struct gw_ipc_strm *h)
{
	const bool v6 = (h->flags & GW_IPC_STRM_F_IPV6) != 0;
	struct src sc = {
		.f = { h->client_ip, h->server_ip, h->client_port, h->server_port, h->conn },
		.msg = rte_pktmbuf_mtod_offset(m, const uint8_t *, SHDR),
		.len = h->len,
		.v6 = v6,
	};
	int pi;

	if (v6) {
		/* a connection over IPv6: the allocation is keyed by its IPv6 5-tuple */
		memset(&sc.f, 0, sizeof(sc.f));
		strm_five6(h, &sc.f6);
		pi = port_of6(h->server_ip6);
	} else {
		pi = port_of(h->server_ip);
	}
	if (!dp_turn_s.on || pi < 0) {
		DP_CNT(w, TURN_STREAM_DROP_BAD);
		drop(m);
		return;
	}
	sc.pi = (unsigned)pi;
	if (sc.msg[0] >= 0x40 && sc.msg[0] <= 0x7f) {    /* the front checked the framing */
		chandata(w, m, v6 ? NULL : &sc.f, v6 ? &sc.f6 : NULL, sc.msg, sc.len, NULL, NULL,
			 NULL);
		return;
	}
	if (sc.len >= GW_STUN_HDR_LEN && sc.msg[0] < 0x40 &&
	    ((uint16_t)(sc.msg[0] << 8 | sc.msg[1])) ==
		    gw_stun_type(GW_STUN_BINDING, GW_STUN_REQUEST)) {
		/* a Binding request on the TURN connection (RFC 8489 over TCP):
		 * answered as on UDP, with the connection's address */
		uint8_t out[GW_STUNSRV_MAX_RESP];
		struct gw_stunsrv_res res;
		struct gw_stun_addr a = { .family = v6 ? GW_STUN_FAMILY_IPV6 : GW_STUN_FAMILY_IPV4,
					  .port = h->client_port };
		enum gw_stunsrv_outcome o;

		if (v6)
			memcpy(a.addr, h->client_ip6, 16);
		else
			gw_put32(a.addr, h->client_ip);
		o = gw_stunsrv_binding(sc.msg, sc.len, &a, dp_turn_s.c->stun.software, out, sizeof(out),
				       &res);
		w->cnt[GW_CNT_STUN_BINDING_OK + o]++;
		if (res.len == 0)
			drop(m);
		else
			dp_turn_reply_bytes(w, &sc, m, out, res.len);
		return;
	}
	turn_message(w, &sc, m);
}

void
dp_turn_stream_close(struct dp_worker *w, const struct gw_ipc_strm *h)
{
	const struct dp_turn_5tuple f = { h->client_ip, h->server_ip, h->client_port,
					  h->server_port, h->conn };
	struct dp_turn_5tuple6 f6;
	uint32_t idx;
	int rc;

	if (!dp_turn_s.on || h->conn == 0)
		return;
	if (h->flags & GW_IPC_STRM_F_IPV6) {
		strm_five6(h, &f6);
		rc = dp_turn_lookup_5tuple6(dp_turn_s.t, &f6, &idx);
	} else {
		rc = dp_turn_lookup_5tuple(dp_turn_s.t, &f, &idx);
	}
	if (rc != 0)
		return;
	if (dp_turn_alloc_at(dp_turn_s.t, idx)->owner == w->idx &&
	    dp_turn_alloc_delete(dp_turn_s.t, idx, (uint16_t)w->idx) == 0)
		DP_CNT(w, TURN_STREAM_CLOSED);
}

void
dp_turn_stream_reset(struct dp_worker *w)
{
	unsigned n;

	if (!dp_turn_s.on)
		return;
	n = dp_turn_table_delete_streams(dp_turn_s.t, (uint16_t)w->idx);
	DP_CNT_ADD(w, TURN_STREAM_CLOSED, n);
	if (n != 0)
		DP_LOG(NOTICE, "TURN: a TCP/TLS front (re)started: %u allocation(s) of its "
		       "earlier connections deleted", n);
}
