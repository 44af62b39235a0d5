/* dp_port: bring the configured ports up (one RX and one TX queue per
 * worker) and down again. */
#ifndef DP_PORT_H
#define DP_PORT_H

#include <stddef.h>
#include <stdint.h>

#include <rte_ethdev.h>

struct gw_conf_port;

/**
 * Find the ethdev of config port pi by its device name, configure n_queues
 * RX/TX queues (RSS when more than one, checksum offloads when offered),
 * start it and fill dp.ports[pi].
 * @return 0; -ENODEV when no such device was probed; -errno from ethdev
 *         (err names the step that failed).
 */
int dp_port_setup(unsigned pi, const struct gw_conf_port *cp, unsigned n_queues,
		  char *err, size_t errlen);

/**
 * Set up RX and TX queues 0..n_queues-1 of an ethdev (RX from dp.pool).
 * @return 0 or -errno from ethdev, *step naming the call that failed.
 */
int dp_port_queues_setup(uint16_t port_id, unsigned n_queues, uint16_t nrx, uint16_t ntx,
			 const struct rte_eth_rxconf *rxc, const struct rte_eth_txconf *txc,
			 const char **step);

/** Allocate each worker's TX buffer for each port. @return 0 or -ENOMEM. */
int dp_port_txbuf_init(void);

/** Stop and close every port that was set up. */
void dp_port_shutdown(void);

/** Split a config device string into the ethdev name (before the first comma). */
void dp_port_devname(const char *device, char *name, size_t len);

/** True when device is a PCI address (probed with -a), false for a vdev. */
int dp_port_is_pci(const char *device);

#endif
