/*
 * dp_frag: IPv4 and IPv6 fragmentation on the send side and reassembly on
 * the receive side (dp_frag.h), with DPDK's librte_ip_frag doing the work.
 */
#include "dp_frag.h"

#include <errno.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_cycles.h>
#include <rte_ip_frag.h>
#include <rte_random.h>

#include "dp_arp.h"
#include "dp_ndp.h"
#include "net.h"

int
dp_frag_init(unsigned n_mbufs)
{
	/* indirect mbufs carry no data room: they point into the original */
	dp.pool_indirect = rte_pktmbuf_pool_create("rtcgw_indirect", n_mbufs, 64, 0, 0,
						   (int)rte_socket_id());
	return dp.pool_indirect == NULL ? -ENOMEM : 0;
}

/* A single-segment copy of fragment f (the port cannot send chains). */
static struct rte_mbuf *
linear(struct rte_mbuf *f)
{
	struct rte_mbuf *c = rte_pktmbuf_copy(f, dp.pool, 0, UINT32_MAX);

	rte_pktmbuf_free(f);
	if (c != NULL && c->nb_segs != 1) {
		rte_pktmbuf_free(c);
		c = NULL;
	}
	return c;
}

/*
 * Send n fragments (each starting at its IP header) toward dst4 (IPv4) or
 * dst6 (IPv6): Ethernet room prepended, linearised when the port cannot send
 * chains. Consumes them all. @return 0, or -ENOBUFS (out of mbufs: the rest
 * of the datagram dropped, since it is useless without the missing piece).
 */
static int
send_frags(struct dp_worker *w, unsigned pi, struct rte_mbuf **frags, int32_t n, uint32_t dst4,
	   const uint8_t *dst6)
{
	for (int32_t i = 0; i < n; i++) {
		struct rte_mbuf *f = frags[i];

		if (dst6 == NULL) {
			struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(f, struct rte_ipv4_hdr *);

			ip->hdr_checksum = 0;
			ip->hdr_checksum = rte_ipv4_cksum(ip);
		}
		if (rte_pktmbuf_prepend(f, GW_ETH_HLEN) == NULL) {
			rte_pktmbuf_free(f);
			goto drop_rest;
		}
		if (!dp.ports[pi].tx_multi_seg && (f = linear(f)) == NULL)
			goto drop_rest;
		f->ol_flags = 0;
		if (dst6 == NULL)
			dp_arp_send_ip(w, pi, f, dst4);
		else
			dp_ndp_send_ip6(w, pi, f, dst6);
		continue;
drop_rest:
		for (int32_t j = i + 1; j < n; j++)
			rte_pktmbuf_free(frags[j]);
		return -ENOBUFS;
	}
	return 0;
}

/*
 * dp_frag_send() and dp_frag_send6(): dst6 NULL for IPv4 (to dst4). The
 * library splits; the fragments hold references to m's payload.
 */
static int
frag_send(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, uint32_t dst4,
	  const uint8_t *dst6)
{
	const bool v6 = dst6 != NULL;
	const size_t hlen = v6 ? sizeof(struct rte_ipv6_hdr) : GW_IPV4_HLEN;
	struct rte_mbuf *frags[DP_FRAG_MAX];
	uint8_t d6[16];
	int32_t n;
	int err;

	if (v6)
		memcpy(d6, dst6, 16);       /* dst6 may point into m */
	if (rte_pktmbuf_adj(m, GW_ETH_HLEN) == NULL || rte_pktmbuf_data_len(m) < hlen) {
		err = -EINVAL;
		goto fail;
	}
	if (v6) {
		n = rte_ipv6_fragment_packet(m, frags, DP_FRAG_MAX, dp.ports[pi].mtu, dp.pool,
					     dp.pool_indirect);
	} else {
		struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct rte_ipv4_hdr *);

		ip->fragment_offset &= rte_cpu_to_be_16((uint16_t)~RTE_IPV4_HDR_DF_FLAG);
		n = rte_ipv4_fragment_packet(m, frags, DP_FRAG_MAX, dp.ports[pi].mtu, dp.pool,
					     dp.pool_indirect);
	}
	if (n < 0) {
		err = n == -ENOMEM ? -ENOBUFS : -EINVAL;
		goto fail;
	}
	rte_pktmbuf_free(m);
	if (v6) {
		/* librte_ip_frag leaves the Identification 0: fragments of two
		 * datagrams in flight would be reassembled together. RFC 7739
		 * asks for unpredictable values; rte_rand is per lcore and
		 * lock-free. */
		uint32_t id = rte_cpu_to_be_32((uint32_t)rte_rand());

		for (int32_t i = 0; i < n; i++)
			rte_pktmbuf_mtod_offset(frags[i], struct rte_ipv6_fragment_ext *,
						sizeof(struct rte_ipv6_hdr))->id = id;
	}
	if (send_frags(w, pi, frags, n, dst4, v6 ? d6 : NULL) != 0) {
		w->cnt[v6 ? GW_CNT_TURN6_DROP_TOOBIG : GW_CNT_IPV4_FRAG_FAIL]++;
		return -ENOBUFS;
	}
	w->cnt[v6 ? GW_CNT_IPV6_FRAG_OUT : GW_CNT_IPV4_FRAG_OUT]++;
	return 0;
fail:
	w->cnt[v6 ? GW_CNT_TURN6_DROP_TOOBIG : GW_CNT_IPV4_FRAG_FAIL]++;
	rte_pktmbuf_free(m);
	return err;
}

int
dp_frag_send6(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *dst)
{
	return frag_send(w, pi, m, 0, dst);
}

int
dp_frag_send(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, uint32_t dst)
{
	return frag_send(w, pi, m, dst, NULL);
}

/* ---- reassembly ------------------------------------------------------------------- */

struct dp_frag_rx {
	struct rte_ip_frag_tbl *tbl;
	struct rte_ip_frag_death_row dr;
};

int
dp_frag_rx_create(struct dp_worker *w)
{
	uint64_t cycles = rte_get_tsc_hz() * DP_FRAG_RX_TIMEOUT_MS / 1000;
	struct dp_frag_rx *f;

	f = rte_zmalloc_socket("rtcgw_frag_rx", sizeof(*f), RTE_CACHE_LINE_SIZE,
			       (int)rte_lcore_to_socket_id(w->lcore_id));
	if (f == NULL)
		return -ENOMEM;
	/* 32 buckets of 4 (more than the entries, so collisions rarely refuse) */
	f->tbl = rte_ip_frag_table_create(DP_FRAG_RX_DATAGRAMS / 4, 4, DP_FRAG_RX_DATAGRAMS,
					  cycles, (int)rte_lcore_to_socket_id(w->lcore_id));
	if (f->tbl == NULL) {
		rte_free(f);
		return -ENOMEM;
	}
	w->frag_rx = f;
	return 0;
}

/*
 * The reassembled chain r into one mbuf (the parsers read single segments),
 * or NULL when it does not fit (counted). Consumes r.
 */
static struct rte_mbuf *
linear_whole(struct dp_worker *w, struct rte_mbuf *r)
{
	struct rte_mbuf *c;

	if (r->nb_segs == 1) {
		r->ol_flags = 0;
		return r;
	}
	c = rte_pktmbuf_alloc(dp.pool);
	/* the chain's segments are in order: copy them end to end */
	if (c == NULL || r->pkt_len > rte_pktmbuf_tailroom(c) ||
	    rte_pktmbuf_read(r, 0, r->pkt_len, rte_pktmbuf_append(c, (uint16_t)r->pkt_len)) ==
		    NULL) {
		DP_CNT(w, FRAG_REASM_FAIL);
		rte_pktmbuf_free(c);
		rte_pktmbuf_free(r);
		return NULL;
	}
	c->port = r->port;
	c->ol_flags = 0;
	rte_pktmbuf_free(r);
	return c;
}

struct rte_mbuf *
dp_frag_reassemble4(struct dp_worker *w, struct rte_mbuf *m, unsigned hlen)
{
	struct rte_ipv4_hdr *ip;
	struct rte_mbuf *r;

	DP_CNT(w, IPV4_FRAGMENT);
	m->l2_len = GW_ETH_HLEN;
	m->l3_len = hlen;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, GW_ETH_HLEN);
	r = rte_ipv4_frag_reassemble_packet(w->frag_rx->tbl, &w->frag_rx->dr, m, rte_rdtsc(),
					    ip);
	if (r == NULL)
		return NULL;                 /* kept, or dropped by the table */
	r = linear_whole(w, r);
	if (r == NULL)
		return NULL;
	ip = rte_pktmbuf_mtod_offset(r, struct rte_ipv4_hdr *, GW_ETH_HLEN);
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	DP_CNT(w, FRAG_REASSEMBLED);
	return r;
}

struct rte_mbuf *
dp_frag_reassemble6(struct dp_worker *w, struct rte_mbuf *m)
{
	struct rte_ipv6_hdr *ip;
	struct rte_mbuf *r;

	DP_CNT(w, IPV6_FRAGMENT);
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv6_hdr *, GW_ETH_HLEN);
	if (ip->proto != IPPROTO_FRAGMENT) {
		/* extension headers before it: librte_ip_frag cannot take it out */
		DP_CNT(w, FRAG_REASM_FAIL);
		rte_pktmbuf_free(m);
		return NULL;
	}
	m->l2_len = GW_ETH_HLEN;
	m->l3_len = sizeof(*ip) + sizeof(struct rte_ipv6_fragment_ext);
	r = rte_ipv6_frag_reassemble_packet(w->frag_rx->tbl, &w->frag_rx->dr, m, rte_rdtsc(), ip,
					    (struct rte_ipv6_fragment_ext *)(ip + 1));
	if (r == NULL)
		return NULL;
	r = linear_whole(w, r);
	if (r != NULL)
		DP_CNT(w, FRAG_REASSEMBLED);
	return r;
}

void
dp_frag_rx_flush(struct dp_worker *w)
{
	if (w->frag_rx != NULL && w->frag_rx->dr.cnt != 0)
		rte_ip_frag_free_death_row(&w->frag_rx->dr, 0);
}
