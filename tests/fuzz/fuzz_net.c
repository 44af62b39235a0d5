/* libFuzzer target: a whole Ethernet frame through every wire parser the
 * dataplane's receive path runs, in the order it runs them. */
#include <stddef.h>
#include <stdint.h>

#include "demux.h"
#include "net.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_eth_view e;
	struct gw_ipv4_view ip;
	struct gw_udp_view u;
	struct gw_icmp_view ic;
	struct gw_arp_view a;

	if (gw_eth_parse(&e, data, size) != 0)
		return 0;
	if (e.ethertype == GW_ETHERTYPE_ARP) {
		(void)gw_arp_parse(&a, e.payload, e.payload_len);
		return 0;
	}
	if (gw_ipv4_parse(&ip, e.payload, e.payload_len) != 0)
		return 0;
	/* The view must stay inside the frame. */
	if (ip.payload + ip.payload_len > data + size)
		__builtin_trap();
	if (ip.proto == GW_IPPROTO_ICMP) {
		(void)gw_icmp_parse(&ic, ip.payload, ip.payload_len);
	} else if (gw_udp_parse(&u, &ip) == 0) {
		if (u.payload + u.payload_len > data + size)
			__builtin_trap();
		(void)gw_demux_name(gw_demux_classify(u.payload, u.payload_len));
	}
	return 0;
}
