/*
 * dp_nbq: the per-worker queue of packets waiting for their next hop's
 * link-layer address, shared by dp_arp (IPv4) and dp_ndp (IPv6): one
 * solicitation per next hop and round, a retry every second, the packet sent
 * when the answer is in the neighbour table, or counted and dropped after
 * DP_NBQ_TRIES unanswered rounds. The worker owns its queues: no locks.
 */
#ifndef DP_NBQ_H
#define DP_NBQ_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#include "gw_counters.h"

/* Packets a worker holds for unresolved next hops, all hops together. A
 * fresh gateway answering a burst of first requests from on-link clients
 * (scripts/bench.sh: 100 TURN clients' Allocates at once, whose 401s all
 * wait for the one ARP answer) held 64 and dropped the rest, so those
 * clients retried 0.5 s later; Linux queues about 100 per neighbour
 * (unres_qlen). At most 2 x 256 mbufs per worker (ARP and NDP) stay out of
 * the pool while a hop does not answer (3 s). */
#define DP_NBQ_MAX   256
#define DP_NBQ_TRIES 3

struct dp_worker;

struct dp_nbq {
	unsigned n;
	struct {
		struct rte_mbuf *m;
		uint8_t nexthop[16];  /* IPv6, or an IPv4 address in the first 4 bytes */
		uint16_t port;        /* index into dp.ports */
		uint8_t tries;
		uint64_t deadline;    /* TSC of the next retry */
	} q[DP_NBQ_MAX];
};

/** What differs between ARP and NDP. */
struct dp_nbq_ops {
	/** The next hop's MAC from the neighbour table, if known and fresh. */
	bool (*lookup)(unsigned pi, const uint8_t *nexthop, struct rte_ether_addr *mac,
		       uint64_t now);
	/** Fill in the Ethernet header of m for mac and send it from port pi. */
	void (*send)(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		     const struct rte_ether_addr *mac);
	/** Send an ARP request or neighbour solicitation for nexthop. */
	void (*solicit)(struct dp_worker *w, unsigned pi, const uint8_t *nexthop);
	enum gw_counter queued, sent, overflow, timeout;
};

/**
 * Queue m for nexthop on port pi (its MAC is not known), soliciting it
 * unless a packet for the same next hop already waits. A full queue drops m
 * (counted in ops->overflow). Consumes m.
 */
void dp_nbq_add(struct dp_worker *w, struct dp_nbq *q, const struct dp_nbq_ops *ops,
		unsigned pi, struct rte_mbuf *m, const uint8_t *nexthop, uint64_t now);

/** Send what has been resolved, solicit again what is due, drop what timed out. */
void dp_nbq_tick(struct dp_worker *w, struct dp_nbq *q, const struct dp_nbq_ops *ops,
		 uint64_t now);

/** Free every queued packet (shutdown). */
void dp_nbq_flush(struct dp_nbq *q);

#endif
