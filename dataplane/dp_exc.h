/*
 * dp_exc: the exception path. A net_tap interface (exception.iface) gives the
 * kernel the frames the dataplane does not handle itself (TCP to the port's
 * address, ICMP other than echo, and what the config adds), and what the
 * kernel writes there goes out on the dataplane port, so a kernel TCP stack
 * and ordinary tools work on the dataplane's address.
 *
 * The interface carries the port's MAC and IPv4 address and is NOARP: the
 * dataplane keeps answering ARP and ICMP echo itself, and resolves the next
 * hop of every frame the kernel writes with its own neighbour table
 * (dp_arp_send_ip), so the kernel never needs ARP. Frames move as mbufs:
 * every worker has its own RX/TX queue on the tap (no locks), writes what it
 * punts on its TX queue and polls its RX queue in its loop.
 */
#ifndef DP_EXC_H
#define DP_EXC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mbuf.h>

struct dp_worker;
struct gw_config;

/** Why a frame is offered to the kernel (each has its own config switch). */
enum dp_exc_kind {
	DP_EXC_TCP,               /* exception.tcp */
	DP_EXC_ICMP,              /* exception.icmp: ICMP other than echo request */
	DP_EXC_UDP,               /* exception.udp_unhandled */
	DP_EXC_PROTO,             /* exception.other_protocols */
};

/**
 * The EAL --vdev string of the exception interface ("net_tap_exc,iface=...")
 * written into buf.
 * @return true when the exception path is enabled (buf filled), else false.
 */
bool dp_exc_vdev(const struct gw_config *c, char *buf, size_t len);

/**
 * Bring the exception interface up after the dataplane ports: one RX/TX queue
 * per worker, the served port's MAC and MTU, then the kernel side (IPv4
 * address and prefix, NOARP, up) through ioctl. A no-op when disabled.
 * @return 0; -ENODEV when the tap was not probed; -errno from ethdev or the
 *         ioctls (err names the step).
 */
int dp_exc_setup(const struct gw_config *c, unsigned n_workers, char *err, size_t errlen);

/** Stop and close the exception interface (NULL-safe when never set up). */
void dp_exc_shutdown(void);

/**
 * Offer frame m, received on port pi and judged "no handler" by dp_classify,
 * to the kernel.
 * @return true when the frame was consumed (handed over, or counted and
 *         dropped on a full queue); false when the exception path does not
 *         take this kind on this port (the caller drops and counts it).
 */
bool dp_exc_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, enum dp_exc_kind kind);

/**
 * Poll this worker's RX queue of the exception interface and send what the
 * kernel wrote out on the served port. @return how many frames were read.
 */
unsigned dp_exc_poll(struct dp_worker *w);

#endif
