/*
 * dp_ndp: IPv6 neighbour discovery (RFC 4861), the IPv6 twin of dp_arp.
 *
 * The neighbour table is shared by every worker, keyed by (port, IPv6
 * address): written only from the slow path (an NS or NA received, at most a
 * few per second per neighbour) under a spinlock, read lock-free on the fast
 * path through a per-entry sequence count. Entries expire after
 * dataplane.arp_timeout_s, like ARP entries. There is no NUD state machine
 * (RFC 4861 §7.3): an entry is reachable until it expires, then resolved
 * again, as dp_arp does.
 *
 * Each port with an IPv6 address has two of its own: the configured one and
 * the link-local fe80:: + modified EUI-64 of its MAC; solicitations for
 * either (to the address itself or to its solicited-node group) are answered
 * with a solicited advertisement, and a DAD probe for either is defended
 * (RFC 4862 §5.4.3). Packets whose next hop is unknown wait in a small
 * per-worker queue (the worker owns it, no lock) while an NS goes to the next
 * hop's solicited-node group; they are sent when the advertisement arrives,
 * or counted and dropped after DP_NBQ_TRIES unanswered solicitations (dp_nbq,
 * shared with dp_arp).
 */
#ifndef DP_NDP_H
#define DP_NDP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "dp_nbq.h"
#include "net6.h"

#define DP_NDP_PENDING_MAX   DP_NBQ_MAX

struct dp_neigh6_table;
struct dp_worker;
struct dp_port;
struct gw_conf_port;


/**
 * Fill the IPv6 part of a port from its config (after its MAC is known):
 * address, prefix, gateway, the link-local address from the MAC and the two
 * solicited-node groups. No IPv6 (has_ipv6 false) when cp->address6.len is 0.
 * No errors.
 */
void dp_ndp_port_init(struct dp_port *p, const struct gw_conf_port *cp);

/** True when a is one of port p's IPv6 addresses (configured or link-local). */
bool dp_ndp_ours(const struct dp_port *p, const uint8_t *a);

/** True when a is on port p's link: inside its IPv6 prefix, or link-local. */
bool dp_ndp_on_link(const struct dp_port *p, const uint8_t *a);

/**
 * Create the shared IPv6 neighbour table (rte_zmalloc). Never freed, like
 * dp_arp_table_create()'s.
 * @return 0 or -ENOMEM.
 */
int dp_ndp_table_create(struct dp_neigh6_table **tp, unsigned entries, uint32_t timeout_s);

/** Lock-free lookup. @return true and mac filled when a live entry exists. */
bool dp_ndp_lookup(const struct dp_neigh6_table *t, uint16_t port, const uint8_t *ip,
		   struct rte_ether_addr *mac, uint64_t now);

/** Insert or refresh an entry (slow path: takes the writer lock). */
void dp_ndp_learn(struct dp_neigh6_table *t, uint16_t port, const uint8_t *ip,
		  const uint8_t *mac, uint64_t now);

/**
 * Handle an NS or NA received on port pi (ip and ic are views of m, the
 * ICMPv6 checksum already verified). Consumes m: an NS for one of our
 * addresses is answered in place (the sender learned from its source
 * link-layer option), an NA for an on-link target is learned, everything
 * else is counted and freed.
 */
void dp_ndp_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		  const struct gw_ipv6_view *ip, const struct gw_icmp6_view *ic);

/**
 * Send an IPv6 frame whose Ethernet header (first 14 bytes) is still to be
 * filled, toward dst: on-link directly, otherwise via the port's gateway6.
 * Consumes m (sent, queued for neighbour discovery, or counted and freed).
 */
void dp_ndp_send_ip6(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *dst);

/** Periodic work: send resolved queued packets, retry or expire the rest. */
void dp_ndp_tick(struct dp_worker *w, uint64_t now);

/** Free every queued packet (shutdown). */
void dp_ndp_flush_pending(struct dp_worker *w);

#endif
