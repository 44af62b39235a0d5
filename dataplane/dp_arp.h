/*
 * dp_arp: IPv4 next-hop resolution.
 *
 * The neighbour table is shared by every worker: written only from the slow
 * path (ARP received, at most a few per second per neighbour) under a
 * spinlock, read lock-free on the fast path through a per-entry sequence
 * count. Entries expire after dataplane.arp_timeout_s.
 *
 * Packets whose next hop is unknown wait in a small per-worker queue (dp_nbq:
 * the worker owns it, no lock) while an ARP request goes out; they are sent
 * when the answer arrives, or counted and dropped after three unanswered
 * requests.
 */
#ifndef DP_ARP_H
#define DP_ARP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dp_nbq.h"

struct dp_neigh_table;
struct dp_worker;
struct dp_port;

/**
 * Create the shared neighbour table (rte_zmalloc, so the control plane can
 * read it later). Never freed: it lives as long as the process (see
 * dp_ipc_drain() on why shared memory is not freed under a secondary).
 * @return 0 or -ENOMEM.
 */
int dp_arp_table_create(struct dp_neigh_table **tp, unsigned entries, uint32_t timeout_s);

/** Lock-free lookup. @return true and mac filled when a live entry exists. */
bool dp_arp_lookup(const struct dp_neigh_table *t, uint16_t port, uint32_t ip,
		   struct rte_ether_addr *mac, uint64_t now);

/** Insert or refresh an entry (slow path: takes the writer lock). */
void dp_arp_learn(struct dp_neigh_table *t, uint16_t port, uint32_t ip,
		  const uint8_t *mac, uint64_t now);

/**
 * Handle an ARP frame received on port pi. Consumes m: answers a request for
 * our address in place, learns the sender, frees everything else.
 */
void dp_arp_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		  const uint8_t *arp, uint16_t arp_len);

/**
 * Send an IPv4 frame whose Ethernet header (first 14 bytes) is still to be
 * filled, toward dst_ip: on-link directly, otherwise via the port's gateway.
 * Consumes m (sent, queued for ARP, or counted and freed).
 */
void dp_arp_send_ip(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, uint32_t dst_ip);

/** Periodic work: send resolved queued packets, retry or expire the rest. */
void dp_arp_tick(struct dp_worker *w, uint64_t now);

/** Free every queued packet (shutdown). */
void dp_arp_flush_pending(struct dp_worker *w);

#endif
