/*
 * dp_turn_table_int.h: the table's layout, shared by dp_turn_table.c (the
 * owner's writes, expiry, create/free) and dp_turn_lookup.c (the lock-free
 * readers on the packet path). Private to those two: everything else goes
 * through dp_turn_table.h.
 */
#ifndef DP_TURN_TABLE_INT_H
#define DP_TURN_TABLE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_hash.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dp_turn_table.h"
#include "turn.h"

#define SKETCH_ROWS 2

/* The 12-byte keys are padded to 16 (zeroed by memset or an aggregate
 * initialiser): rte_hash compares 16-byte keys with one vector compare
 * (rte_hash_k16_cmp_eq) and other sizes with memcmp(), which perf put at
 * 21% of the ChannelData relay path. Free in memory: rte_hash stores a key
 * with its 8-byte data pointer rounded up to 16 bytes, 32 either way. The
 * 8-byte keys stay 8 (16 stored; padding them would double that). */
struct key_five {
	uint32_t cip, sip;
	uint16_t cport, sport;
	uint32_t conn;           /* 0: UDP; TCP/TLS: the front's connection id */
};
struct key_relay {           /* 8 */
	uint32_t ip;
	uint16_t port, zero;
};
struct key_perm {            /* 8 */
	uint32_t slot, ip;
};
struct key_chnum {           /* 8 */
	uint32_t slot;
	uint16_t ch, zero;
};
struct key_chpeer {
	uint32_t slot, ip;
	uint16_t port, zero;
	uint32_t pad;
};
_Static_assert(sizeof(struct key_five) == 16 && sizeof(struct key_chpeer) == 16,
	       "rte_hash's 16-byte key compare");

/* IPv6 keys, padded to rte_hash's vector-compare sizes (32, 48). */
struct key_five6 {
	uint8_t cip[16], sip[16];
	uint16_t cport, sport;
	uint32_t conn;           /* 0: UDP; TCP/TLS: the front's connection id */
	uint8_t pad[8];
};
struct key_relay6 {          /* 8 */
	uint32_t idx;
	uint16_t port, zero;
};
struct key_perm6 {
	uint32_t slot;
	uint8_t ip[16];
	uint8_t pad[12];
};
struct key_chpeer6 {
	uint32_t slot;
	uint8_t ip[16];
	uint16_t port, zero;
	uint8_t pad[8];
};
_Static_assert(sizeof(struct key_five6) == 48 && sizeof(struct key_perm6) == 32 &&
	       sizeof(struct key_chpeer6) == 32, "rte_hash's 32/48-byte key compare");
_Static_assert(DP_TURN_AF_IPV4 == GW_TURN_AF_IPV4 && DP_TURN_AF_IPV6 == GW_TURN_AF_IPV6,
	       "one set of family bits");

#define TOKEN_V6 (1u << 24)          /* h_token data: the reserved port is IPv6 */

/* A slot waiting for its grace period. */
struct dq_elem {
	uint32_t slot;
	uint32_t port;               /* relay_idx << 16 | port, or UINT32_MAX */
};
/* The IPv6 relay port of a slot in grace is read from the slot itself
 * (af, relay6_idx, relay6_port stay until the slot is reused, after
 * dq_free), so the element stays 8 bytes. A family dropped from a dual
 * allocation releases only its port: slot DQ_PORT_ONLY, port DQ_PORT_V6
 * when it is an IPv6 one. */
#define DQ_PORT_ONLY UINT32_MAX
#define DQ_PORT_V6   0x80000000u

#define DP_TURN_RES_FIFO 4096

struct reservation {
	uint64_t token;              /* its h_token key */
	uint64_t exp;
};

struct owner_state {
	uint32_t head;               /* owner's allocation list */
	uint32_t cursor;             /* next to visit in dp_turn_table_tick */
	uint32_t count;
	uint64_t rng;                /* xorshift64 for port starts and tokens */
	/* FIFO of this owner's reservations (EVEN-PORT R bit), oldest first.
	 * A reservation stays here until it expires even when redeemed, so this
	 * bounds EVEN-PORT allocations per DP_TURN_RESERVE_S; when full, the
	 * oldest is retired early (its port freed) rather than refusing the
	 * new allocation: 64 entries made every 65th RTP/RTCP pair in 30 s a 508.
	 * Allocated for the owners in use only (its own rte_zmalloc: the table
	 * struct must stay small, 100000 allocations fit 256 MB of hugepages). */
	struct reservation *res;
	unsigned res_cap;
	unsigned res_head, res_n;
	uint64_t n_expired;          /* allocations the tick deleted */
} __rte_cache_aligned;

struct port_pool {
	uint64_t *bits;              /* bit set = port in use */
	uint32_t n_ports;
	uint32_t n_words;
	uint32_t n_free;             /* atomic, approximate */
};

struct dp_turn_table {
	struct dp_turn_table_params p;
	struct dp_turn_alloc *allocs;
	uint8_t *used;               /* slot holds a live allocation (owner-written) */
	struct rte_ring *free_slots;
	struct rte_rcu_qsbr *qsbr;
	struct rte_rcu_qsbr_dq *dq;
	struct rte_hash *h_five, *h_relay, *h_perm, *h_chnum, *h_chpeer, *h_token;
	struct port_pool pools[DP_TURN_MAX_RELAY_ADDRS];
	/* IPv6: NULL / empty without an IPv6 relay address */
	struct dp_turn_alloc6 *allocs6;
	struct rte_hash *h_five6, *h_relay6, *h_perm6, *h_chnum6, *h_chpeer6;
	struct port_pool pools6[DP_TURN_MAX_RELAY6_ADDRS];
	uint32_t *sketch_user;       /* SKETCH_ROWS * sketch_size */
	uint32_t *sketch_ip;
	uint32_t sketch_mask;
	uint32_t count;              /* atomic: live allocations */
	uint32_t lim_allocs;         /* atomic: limits in force (a reload may change them) */
	uint32_t lim_user;
	uint32_t lim_ip;
	struct owner_state owners[DP_TURN_MAX_OWNERS];
};

/* Modular "now <= exp" on 16-bit seconds (lifetimes below 2^15). */
static inline bool
live16(uint16_t exp, uint64_t now)
{
	return (int16_t)(uint16_t)(exp - (uint16_t)now) >= 0;
}

static inline void
five_key(struct key_five *k, const struct dp_turn_5tuple *f)
{
	memset(k, 0, sizeof(*k));
	k->cip = f->client_ip;
	k->sip = f->server_ip;
	k->cport = f->client_port;
	k->sport = f->server_port;
	k->conn = f->conn;
}

static inline void
relay_key(struct key_relay *k, uint32_t ip, uint16_t port)
{
	memset(k, 0, sizeof(*k));
	k->ip = ip;
	k->port = port;
}

static inline void
five6_key(struct key_five6 *k, const struct dp_turn_5tuple6 *f)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->cip, f->client_ip, 16);
	memcpy(k->sip, f->server_ip, 16);
	k->cport = f->client_port;
	k->sport = f->server_port;
	k->conn = f->conn;
}

static inline void
relay6_key(struct key_relay6 *k, unsigned idx, uint16_t port)
{
	memset(k, 0, sizeof(*k));
	k->idx = idx;
	k->port = port;
}

static inline void
chpeer6_key(struct key_chpeer6 *k, uint32_t slot, const uint8_t *ip, uint16_t port)
{
	memset(k, 0, sizeof(*k));
	k->slot = slot;
	memcpy(k->ip, ip, 16);
	k->port = port;
}

#endif
