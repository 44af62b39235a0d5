#include "dp_exc.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_ip.h>

#include "dp_arp.h"
#include "dp_ctx.h"
#include "dp_log.h"
#include "dp_ndp.h"
#include "dp_port.h"
#include "gw_config.h"

#define EXC_DEVNAME "net_tap_rtcgw_exc"

/* Written once by dp_exc_setup before the workers start, read-only after. */
static struct {
	bool on;
	bool kinds[DP_EXC_PROTO + 1];
	uint16_t port_id;             /* the tap's ethdev */
	unsigned pi;                  /* the dataplane port it serves */
	bool started;
} exc;

bool
dp_exc_vdev(const struct gw_config *c, char *buf, size_t len)
{
	if (!c->exception.enabled)
		return false;
	snprintf(buf, len, EXC_DEVNAME ",iface=%s", c->exception.iface);
	return true;
}

/* The kernel side: address, netmask, NOARP and up, through the classic
 * interface ioctls (the tap lives in the dataplane's network namespace). */
/* IPv6 on the kernel side: the port's address6 (no DAD: the dataplane
 * answers NDP for it on the wire; NOARP keeps the kernel from soliciting),
 * no link-local address, no router or address autoconfiguration. */
static int
kernel_side6(const char *ifname, const struct dp_port *p, const char **step)
{
	struct in6_ifreq {          /* linux/ipv6.h's, which clashes with netinet/in.h */
		struct in6_addr addr;
		uint32_t prefixlen;
		int ifindex;
	} r6;
	/* no link-local address either (addr_gen_mode 1): without one the
	 * kernel sends no router solicitations or MLD reports, which the
	 * dataplane would only drop (the wire's NDP is the dataplane's) */
	static const char *const knobs[][2] = {
		{ "addr_gen_mode", "1" }, { "accept_ra", "0" }, { "autoconf", "0" },
		{ "accept_dad", "0" }, { "disable_ipv6", "0" },
	};
	char path[128];
	int fd, rc = 0;

	for (unsigned i = 0; i < RTE_DIM(knobs); i++) {
		int pf;

		snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", ifname, knobs[i][0]);
		pf = open(path, O_WRONLY | O_CLOEXEC);
		if (pf < 0 || write(pf, knobs[i][1], 1) != 1)
			DP_LOG(INFO, "exception: cannot set %s on %s", knobs[i][0], ifname);
		if (pf >= 0)
			close(pf);
	}
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*step = "socket(AF_INET6)";
		return -errno;
	}
	memset(&r6, 0, sizeof(r6));
	memcpy(&r6.addr, p->ipv6, 16);
	r6.prefixlen = p->ipv6_plen;
	r6.ifindex = (int)if_nametoindex(ifname);
	*step = "SIOCSIFADDR (IPv6)";
	if (r6.ifindex == 0 || (ioctl(fd, SIOCSIFADDR, &r6) != 0 && errno != EEXIST))
		rc = -errno;
	close(fd);
	return rc;
}

static int
kernel_side(const char *ifname, uint32_t addr, uint32_t mask, const char **step)
{
	struct ifreq ifr;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;
	char path[96];
	int fd, rc = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*step = "socket";
		return -errno;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(addr);
	*step = "SIOCSIFADDR";
	if (ioctl(fd, SIOCSIFADDR, &ifr) != 0)
		goto fail;
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(mask);
	*step = "SIOCSIFNETMASK";
	if (ioctl(fd, SIOCSIFNETMASK, &ifr) != 0)
		goto fail;
	*step = "SIOCGIFFLAGS";
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		goto fail;
	ifr.ifr_flags |= IFF_UP | IFF_NOARP;
	*step = "SIOCSIFFLAGS";
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
		goto fail;
	/* IPv6 off unless the port has an address6 (kernel_side6 turns it
	 * back on): the kernel's chatter would only be counted and dropped. */
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", ifname);
	{
		int pf = open(path, O_WRONLY | O_CLOEXEC);

		if (pf >= 0) {
			if (write(pf, "1", 1) != 1)
				DP_LOG(INFO, "exception: cannot disable IPv6 on %s", ifname);
			close(pf);
		}
	}
	goto out;
fail:
	rc = -errno;
out:
	close(fd);
	return rc;
}

int
dp_exc_setup(const struct gw_config *c, unsigned n_workers, char *err, size_t errlen)
{
	struct rte_eth_conf conf = {0};
	struct rte_ether_addr mac;
	const struct dp_port *p;
	uint16_t port_id, nrx = 512, ntx = 512;
	const char *step;
	int rc, pi;

	if (!c->exception.enabled)
		return 0;
	pi = gw_config_exception_port(c);
	if (pi < 0 || (unsigned)pi >= dp.n_ports) {
		snprintf(err, errlen, "exception: no dataplane port '%s'", c->exception.port);
		return -EINVAL;
	}
	p = &dp.ports[pi];
	if (rte_eth_dev_get_port_by_name(EXC_DEVNAME, &port_id) != 0) {
		snprintf(err, errlen, "exception: device %s was not probed", EXC_DEVNAME);
		return -ENODEV;
	}
	step = "configure";
	rc = rte_eth_dev_configure(port_id, (uint16_t)n_workers, (uint16_t)n_workers, &conf);
	if (rc != 0)
		goto fail;
	step = "adjust_nb_rx_tx_desc";
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nrx, &ntx);
	if (rc != 0)
		goto fail;
	rc = dp_port_queues_setup(port_id, n_workers, nrx, ntx, NULL, NULL, &step);
	if (rc != 0)
		goto fail;
	/* The kernel's frames carry the port's MAC and fit the port's MTU. */
	step = "default_mac_addr_set";
	mac = p->mac;
	rc = rte_eth_dev_default_mac_addr_set(port_id, &mac);
	if (rc != 0)
		goto fail;
	step = "set_mtu";
	rc = rte_eth_dev_set_mtu(port_id, p->mtu);
	if (rc != 0)
		goto fail;
	step = "start";
	rc = rte_eth_dev_start(port_id);
	if (rc != 0)
		goto fail;
	exc.started = true;
	exc.port_id = port_id;
	rc = kernel_side(c->exception.iface, p->ipv4, p->mask, &step);
	if (rc == 0 && p->has_ipv6)
		rc = kernel_side6(c->exception.iface, p, &step);
	if (rc != 0) {
		snprintf(err, errlen, "exception: %s on %s failed: %s", step,
			 c->exception.iface, strerror(-rc));
		return rc;
	}
	exc.pi = (unsigned)pi;
	exc.kinds[DP_EXC_TCP] = c->exception.tcp;
	exc.kinds[DP_EXC_ICMP] = c->exception.icmp;
	exc.kinds[DP_EXC_UDP] = c->exception.udp_unhandled;
	exc.kinds[DP_EXC_PROTO] = c->exception.other_protocols;
	exc.on = true;
	DP_LOG(INFO, "exception interface %s (ethdev %u) up for port %s: tcp %s, icmp %s, "
	       "udp_unhandled %s, other_protocols %s", c->exception.iface, port_id, p->name,
	       c->exception.tcp ? "yes" : "no", c->exception.icmp ? "yes" : "no",
	       c->exception.udp_unhandled ? "yes" : "no",
	       c->exception.other_protocols ? "yes" : "no");
	return 0;
fail:
	snprintf(err, errlen, "exception: %s failed: %s", step, rte_strerror(-rc));
	return rc < 0 ? rc : -EIO;
}

void
dp_exc_shutdown(void)
{
	if (!exc.started)
		return;
	exc.on = false;
	rte_eth_dev_stop(exc.port_id);
	rte_eth_dev_close(exc.port_id);
	exc.started = false;
}

bool
dp_exc_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, enum dp_exc_kind kind)
{
	if (!exc.on || pi != exc.pi || !exc.kinds[kind])
		return false;
	/* One frame at a time: the tap writes each frame with its own syscall
	 * anyway, so a TX buffer would save nothing. */
	if (unlikely(rte_eth_tx_burst(exc.port_id, (uint16_t)w->idx, &m, 1) == 0)) {
		DP_CNT(w, EXC_TO_KERNEL_DROP);
		rte_pktmbuf_free(m);
		return true;
	}
	DP_CNT(w, EXC_TO_KERNEL);
	return true;
}

/* An IPv6 frame the kernel wrote: from the port's address6 to a global
 * unicast destination (its link-local chatter, MLD and NDP stay here). */
static void
from_kernel6(struct dp_worker *w, const struct dp_port *p, struct rte_mbuf *m,
	     const struct rte_ether_hdr *eh)
{
	const struct rte_ipv6_hdr *ih = (const struct rte_ipv6_hdr *)(eh + 1);
	uint8_t dst[16];

	if (p->has_ipv6 && rte_pktmbuf_data_len(m) >= sizeof(*eh) + sizeof(*ih) &&
	    ih->dst_addr[0] == 0xff) {
		/* the kernel joins the solicited-node group of the address and
		 * reports it (MLD): the wire's NDP is the dataplane's */
		DP_CNT(w, EXC_FROM_KERNEL_MCAST6);
		rte_pktmbuf_free(m);
		return;
	}
	if (!p->has_ipv6 || rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(*ih) ||
	    (ih->vtc_flow & rte_cpu_to_be_32(0xf0000000)) != rte_cpu_to_be_32(0x60000000) ||
	    memcmp(ih->src_addr, p->ipv6, 16) != 0 ||
	    (ih->dst_addr[0] == 0xfe && (ih->dst_addr[1] & 0xc0) == 0x80)) {
		DP_CNT(w, EXC_FROM_KERNEL_DROP);
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(dst, ih->dst_addr, 16);
	DP_CNT(w, EXC_FROM_KERNEL);
	dp_ndp_send_ip6(w, exc.pi, m, dst);
}

/* A frame the kernel wrote: IPv4 from the served port's address to a
 * unicast destination (or IPv6, from_kernel6), else counted and dropped. */
static void
from_kernel(struct dp_worker *w, struct rte_mbuf *m)
{
	const struct dp_port *p = &dp.ports[exc.pi];
	const struct rte_ether_hdr *eh;
	const struct rte_ipv4_hdr *ih;
	uint32_t dst;

	if (rte_pktmbuf_data_len(m) < sizeof(*eh) + sizeof(*ih) || m->nb_segs != 1)
		goto drop;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6)) {
		from_kernel6(w, p, m, eh);
		return;
	}
	if (eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		goto drop;
	ih = (const struct rte_ipv4_hdr *)(eh + 1);
	dst = rte_be_to_cpu_32(ih->dst_addr);
	if ((ih->version_ihl >> 4) != 4 || rte_be_to_cpu_32(ih->src_addr) != p->ipv4 ||
	    RTE_IS_IPV4_MCAST(dst) || dst == UINT32_MAX ||
	    (dp_port_bcast(p) != 0 && dst == dp_port_bcast(p)))
		goto drop;
	DP_CNT(w, EXC_FROM_KERNEL);
	dp_arp_send_ip(w, exc.pi, m, dst);
	return;
drop:
	DP_CNT(w, EXC_FROM_KERNEL_DROP);
	rte_pktmbuf_free(m);
}

unsigned
dp_exc_poll(struct dp_worker *w)
{
	struct rte_mbuf *pkts[DP_BURST];
	uint16_t n;

	if (!exc.on)
		return 0;
	n = rte_eth_rx_burst(exc.port_id, (uint16_t)w->idx, pkts, DP_BURST);
	for (uint16_t i = 0; i < n; i++)
		from_kernel(w, pkts[i]);
	return n;
}
