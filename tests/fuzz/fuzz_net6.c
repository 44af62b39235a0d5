/* libFuzzer target: an Ethernet frame through the IPv6 parsers the dataplane
 * will run (IPv6 + extension headers, UDP over IPv6 and the RFC 7983 demux,
 * ICMPv6, echo, NDP), with the views checked to stay inside the frame, and
 * the address helpers on whatever addresses the frame carries. */
#include <stddef.h>
#include <stdint.h>

#include "demux.h"
#include "net6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
inside(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
	if (p < data || p + n > data + size)
		__builtin_trap();
}

static void
addr(const uint8_t *a)
{
	uint8_t sn[16], mac[6];
	uint32_t v4;

	(void)gw_ipv6_class_name(gw_ipv6_classify(a));
	(void)gw_ipv6_embedded_ipv4(a, &v4);
	(void)gw_ipv6_src_martian(a);
	gw_ipv6_solicited_node(sn, a);
	if (!gw_ipv6_is_solicited_node(sn))
		__builtin_trap();
	gw_ipv6_mcast_mac(mac, sn);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_eth_view e;
	struct gw_ipv6_view ip;
	struct gw_udp_view u;
	struct gw_icmp6_view ic;
	struct gw_icmp6_echo echo;
	struct gw_ndp_view nd;
	const uint8_t *p = data;
	size_t n = size;

	/* frames with an IPv6 ethertype go in at the Ethernet layer; anything
	 * else is tried as a bare IPv6 packet, so the corpus may hold both */
	if (gw_eth_parse(&e, data, size) == 0 && e.ethertype == GW_ETHERTYPE_IPV6) {
		p = e.payload;
		n = e.payload_len;
	}
	if (gw_ipv6_parse(&ip, p, n) != 0)
		return 0;
	inside(ip.payload, ip.payload_len, data, size);
	if (ip.payload_len + ip.ext_len != ip.plen)
		__builtin_trap();
	addr(ip.src);
	addr(ip.dst);
	if (ip.proto == GW_IPPROTO_UDP) {
		if (gw_udp6_parse(&u, &ip, 0) == 0) {
			inside(u.payload, u.payload_len, data, size);
			(void)gw_demux_name(gw_demux_classify(u.payload, u.payload_len));
		}
		(void)gw_udp6_parse(&u, &ip, GW_NET_CKSUM_VERIFIED);
	} else if (ip.proto == GW_IPPROTO_ICMPV6 && gw_icmp6_parse(&ic, &ip) == 0) {
		inside(ic.msg, ic.len, data, size);
		if (gw_icmp6_echo_parse(&echo, &ic) == 0)
			inside(echo.data, echo.data_len, data, size);
		if (gw_ndp_parse(&nd, &ip, &ic) == 0) {
			inside(nd.target, 16, data, size);
			if (nd.slla != NULL)
				inside(nd.slla, 6, data, size);
			if (nd.tlla != NULL)
				inside(nd.tlla, 6, data, size);
			addr(nd.target);
		}
	}
	return 0;
}
