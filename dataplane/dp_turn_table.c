/*
 * dp_turn_table: allocation, permission and channel tables (dp_turn_table.h).
 *
 * Layout:
 *   allocs[]     one struct dp_turn_alloc per slot; free slots in an MP/MC
 *                ring; a freed slot goes through an RCU defer queue first.
 *   h_five       5-tuple              -> slot
 *   h_relay      relay ip:port        -> slot
 *   h_perm       (slot, peer ip)      -> expiry (seconds)
 *   h_chnum      (slot, channel)      -> exp16 << 48 | peer ip << 16 | port
 *   h_chpeer     (slot, ip, port)     -> exp16 << 48 | channel
 *   h_token      reservation key      -> exp32 << 32 | v6 << 24 | relay_idx << 16 | port
 *                (the token mixed with the user's key: only the user it was
 *                issued to can redeem it)
 *   ports        one bitmap per relay address, claimed with CAS
 * IPv6 (only when a relay address has one; the IPv4 tables above are not
 * touched by it):
 *   allocs6[]    struct dp_turn_alloc6 beside each slot
 *   h_five6      IPv6 client 5-tuple  -> slot
 *   h_relay6     (relay6 idx, port)   -> slot
 *   h_perm6      (slot, peer ip6)     -> expiry
 *   h_chnum6     (slot, channel)      -> exp16 << 48 | position of the h_chpeer6 key
 *                (the peer does not fit in the data word: the reader reads it
 *                from h_chpeer6's key store, which QSBR keeps stable)
 *   h_chpeer6    (slot, ip6, port)    -> exp16 << 48 | channel
 *   ports6       one bitmap per IPv6 relay address
 *   user/ip quota counters: a two-row count-min sketch of atomic counters
 * Readers use only the hashes (data words are published atomically by
 * rte_hash) and the allocation's immutable fields and `expires`.
 */
#include "dp_turn_table.h"
#include "dp_turn_table_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_prefetch.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "stun.h"
#include "turn.h"

static void res_pop(struct dp_turn_table *t, struct owner_state *o);

/* ---- helpers --------------------------------------------------------------- */

static uint64_t
xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

static uint16_t
exp16(uint64_t t)
{
	return (uint16_t)t;
}

static struct rte_hash *
mkhash(const struct dp_turn_table_params *p, const char *what, uint32_t entries,
       uint32_t key_len, int *err)
{
	struct rte_hash_parameters hp = { 0 };
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash *h;

	snprintf(name, sizeof(name), "%s_%s", p->name, what);
	hp.name = name;
	hp.entries = entries < 8 ? 8 : entries;
	hp.key_len = key_len;
	hp.hash_func = rte_hash_crc;     /* explicit: secondaries use *_with_hash */
	hp.hash_func_init_val = 0x7475726e;
	hp.socket_id = p->socket_id;
	hp.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			RTE_HASH_EXTRA_FLAGS_MULTI_WRITER_ADD |
			RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	h = rte_hash_create(&hp);
	if (h == NULL)
		*err = rte_errno > 0 ? -rte_errno : -ENOMEM;
	return h;
}

static int
attach_rcu(struct dp_turn_table *t, struct rte_hash *h)
{
	struct rte_hash_rcu_config c = { 0 };

	c.v = t->qsbr;
	c.mode = RTE_HASH_QSBR_MODE_DQ;
	return rte_hash_rcu_qsbr_add(h, &c) == 0 ? 0 : -(rte_errno > 0 ? rte_errno : EINVAL);
}

/* ---- relay port pool --------------------------------------------------------- */

static int
pool_claim(struct port_pool *pp, uint16_t port_min, uint64_t *rng, bool even, bool pair)
{
	uint32_t start = (uint32_t)(xorshift(rng) % pp->n_words);

	for (uint32_t i = 0; i < pp->n_words; i++) {
		uint32_t w = (start + i) % pp->n_words;
		uint64_t *word = &pp->bits[w];
		uint64_t cur = __atomic_load_n(word, __ATOMIC_RELAXED);

		for (;;) {
			uint64_t freebits = ~cur, want = 0;
			uint32_t base = w * 64;

			/* bits past n_ports are set at init, so never free */
			if (even || pair) {
				/* port_min + bit even <=> bit parity equals port_min parity */
				uint64_t mask = (port_min & 1) ? 0xaaaaaaaaaaaaaaaaull :
								 0x5555555555555555ull;
				uint64_t cand = freebits & mask;

				if (pair)
					cand &= freebits >> 1;   /* bit + 1 free too */
				if (cand == 0)
					break;
				want = cand & (~cand + 1);
				if (pair)
					want |= want << 1;
			} else {
				if (freebits == 0)
					break;
				want = freebits & (~freebits + 1);
			}
			if (__atomic_compare_exchange_n(word, &cur, cur | want, false,
							__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
				__atomic_fetch_sub(&pp->n_free, pair ? 2u : 1u, __ATOMIC_RELAXED);
				return (int)(port_min + base + (uint32_t)__builtin_ctzll(want));
			}
		}
	}
	return -1;
}

static void
pool_release(struct port_pool *pp, uint16_t port_min, uint16_t port)
{
	uint32_t b = (uint32_t)(port - port_min);

	__atomic_fetch_and(&pp->bits[b / 64], ~(1ull << (b % 64)), __ATOMIC_RELEASE);
	__atomic_fetch_add(&pp->n_free, 1u, __ATOMIC_RELAXED);
}

/* ---- quotas: count-min sketch ------------------------------------------------ */

/*
 * Each key increments one counter per row; its count is the row minimum, an
 * upper bound of the true count. The quota is never exceeded; two keys that
 * collide in every row share a budget (rows of 4 * max_allocs counters make
 * that rare). Lock-free: add first, undo when over.
 */
static bool
sketch_add(uint32_t *sk, uint32_t mask, uint64_t key, uint32_t quota)
{
	uint32_t min = UINT32_MAX, i, pos[SKETCH_ROWS];

	for (i = 0; i < SKETCH_ROWS; i++) {
		uint32_t v;

		pos[i] = i * (mask + 1) + (rte_hash_crc_8byte(key, 0x5eed0000u + i) & mask);
		v = __atomic_add_fetch(&sk[pos[i]], 1u, __ATOMIC_RELAXED);
		if (v < min)
			min = v;
	}
	if (quota == 0 || min <= quota)
		return true;
	for (i = 0; i < SKETCH_ROWS; i++)
		__atomic_fetch_sub(&sk[pos[i]], 1u, __ATOMIC_RELAXED);
	return false;
}

static void
sketch_sub(uint32_t *sk, uint32_t mask, uint64_t key)
{
	for (uint32_t i = 0; i < SKETCH_ROWS; i++) {
		uint32_t pos = i * (mask + 1) + (rte_hash_crc_8byte(key, 0x5eed0000u + i) & mask);

		__atomic_fetch_sub(&sk[pos], 1u, __ATOMIC_RELAXED);
	}
}

/* ---- reclamation -------------------------------------------------------------- */

static void
dq_free(void *p, void *e, unsigned int n)
{
	struct dp_turn_table *t = p;
	struct dq_elem *d = e;

	for (unsigned i = 0; i < n; i++) {
		if (d[i].slot == DQ_PORT_ONLY) {
			uint32_t pidx = (d[i].port & ~DQ_PORT_V6) >> 16;

			pool_release(d[i].port & DQ_PORT_V6 ? &t->pools6[pidx] : &t->pools[pidx],
				     t->p.port_min, (uint16_t)d[i].port);
			continue;
		}
		if (d[i].port != UINT32_MAX)
			pool_release(&t->pools[d[i].port >> 16], t->p.port_min,
				     (uint16_t)d[i].port);
		if (t->allocs[d[i].slot].af & DP_TURN_AF_IPV6)
			pool_release(&t->pools6[t->allocs[d[i].slot].relay6_idx], t->p.port_min,
				     t->allocs[d[i].slot].relay6_port);
		(void)rte_ring_enqueue_elem(t->free_slots, &d[i].slot, sizeof(uint32_t));
	}
}

static void
reclaim(struct dp_turn_table *t)
{
	unsigned freed, pending, avail;

	(void)rte_rcu_qsbr_dq_reclaim(t->dq, UINT32_MAX, &freed, &pending, &avail);
}

/* ---- create / free ------------------------------------------------------------- */

void
dp_turn_table_free(struct dp_turn_table *t)
{
	if (t == NULL)
		return;
	rte_hash_free(t->h_five);
	rte_hash_free(t->h_relay);
	rte_hash_free(t->h_perm);
	rte_hash_free(t->h_chnum);
	rte_hash_free(t->h_chpeer);
	rte_hash_free(t->h_token);
	rte_hash_free(t->h_five6);
	rte_hash_free(t->h_relay6);
	rte_hash_free(t->h_perm6);
	rte_hash_free(t->h_chnum6);
	rte_hash_free(t->h_chpeer6);
	if (t->dq != NULL)
		(void)rte_rcu_qsbr_dq_delete(t->dq);
	rte_ring_free(t->free_slots);
	for (unsigned i = 0; i < DP_TURN_MAX_RELAY_ADDRS; i++)
		rte_free(t->pools[i].bits);
	for (unsigned i = 0; i < DP_TURN_MAX_RELAY6_ADDRS; i++)
		rte_free(t->pools6[i].bits);
	rte_free(t->allocs6);
	for (unsigned i = 0; i < DP_TURN_MAX_OWNERS; i++)
		rte_free(t->owners[i].res);
	rte_free(t->sketch_user);
	rte_free(t->sketch_ip);
	rte_free(t->used);
	rte_free(t->allocs);
	rte_free(t->qsbr);
	rte_free(t);
}

static int
params_check(const struct dp_turn_table_params *p)
{
	if (p == NULL || p->name == NULL || p->max_allocs == 0 || p->max_allocs >= DP_TURN_NONE ||
	    p->max_perms == 0 || p->max_chans == 0 || p->port_min == 0 ||
	    p->port_min > p->port_max || p->n_relay_addrs == 0 ||
	    p->n_relay_addrs > DP_TURN_MAX_RELAY_ADDRS || p->n_owners == 0 ||
	    p->n_owners > DP_TURN_MAX_OWNERS ||
	    (p->relay6_mask >> DP_TURN_MAX_RELAY6_ADDRS) != 0 ||
	    (p->n_relay_addrs < DP_TURN_MAX_RELAY6_ADDRS && (p->relay6_mask >> p->n_relay_addrs) != 0))
		return -EINVAL;
	return 0;
}

int
dp_turn_table_create(struct dp_turn_table **out, const struct dp_turn_table_params *p)
{
	struct rte_rcu_qsbr_dq_parameters dqp = { 0 };
	struct dp_turn_table *t;
	char name[RTE_RING_NAMESIZE];
	uint32_t readers, sk;
	size_t sz;
	int err = 0;

	if (out == NULL || params_check(p) < 0)
		return -EINVAL;
	t = rte_zmalloc_socket("dp_turn_table", sizeof(*t), RTE_CACHE_LINE_SIZE, p->socket_id);
	if (t == NULL)
		return -ENOMEM;
	t->p = *p;
	t->lim_allocs = p->max_allocs;
	t->lim_user = p->user_quota;
	t->lim_ip = p->ip_quota;
	t->p.name = NULL;
	readers = p->max_readers != 0 ? p->max_readers : RTE_MAX_LCORE;

	sz = rte_rcu_qsbr_get_memsize(readers);
	t->qsbr = rte_zmalloc_socket("dp_turn_qsbr", sz, RTE_CACHE_LINE_SIZE, p->socket_id);
	t->allocs = rte_zmalloc_socket("dp_turn_allocs", sizeof(*t->allocs) * p->max_allocs,
				       RTE_CACHE_LINE_SIZE, p->socket_id);
	t->used = rte_zmalloc_socket("dp_turn_used", p->max_allocs, 0, p->socket_id);
	for (sk = 4096; sk < p->max_allocs * 4u && sk < (1u << 24); sk <<= 1)
		;
	t->sketch_mask = sk - 1;
	t->sketch_user = rte_zmalloc_socket("dp_turn_squser", sizeof(uint32_t) * sk * SKETCH_ROWS,
					    RTE_CACHE_LINE_SIZE, p->socket_id);
	t->sketch_ip = rte_zmalloc_socket("dp_turn_sqip", sizeof(uint32_t) * sk * SKETCH_ROWS,
					  RTE_CACHE_LINE_SIZE, p->socket_id);
	if (t->qsbr == NULL || t->allocs == NULL || t->used == NULL || t->sketch_user == NULL ||
	    t->sketch_ip == NULL) {
		err = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < p->n_owners; i++) {
		struct owner_state *o = &t->owners[i];

		/* at most one reservation per allocation */
		o->res_cap = RTE_MIN(p->max_allocs, (uint32_t)DP_TURN_RES_FIFO);
		o->res = rte_zmalloc_socket("dp_turn_res", sizeof(*o->res) * o->res_cap,
					    RTE_CACHE_LINE_SIZE, p->socket_id);
		if (o->res == NULL) {
			err = -ENOMEM;
			goto out;
		}
	}
	if (rte_rcu_qsbr_init(t->qsbr, readers) != 0) {
		err = -EINVAL;
		goto out;
	}

	for (unsigned i = 0; i < p->n_relay_addrs + DP_TURN_MAX_RELAY6_ADDRS; i++) {
		/* IPv4 pools, then IPv6 pools for the addresses that have IPv6 */
		bool v6 = i >= p->n_relay_addrs;
		unsigned ri = v6 ? i - p->n_relay_addrs : i;
		struct port_pool *pp = v6 ? &t->pools6[ri] : &t->pools[i];
		uint32_t n = (uint32_t)(p->port_max - p->port_min) + 1;

		if (v6 && !(p->relay6_mask & (1u << ri)))
			continue;
		pp->n_ports = n;
		pp->n_words = (n + 63) / 64;
		pp->n_free = n;
		pp->bits = rte_zmalloc_socket("dp_turn_ports", sizeof(uint64_t) * pp->n_words,
					      RTE_CACHE_LINE_SIZE, p->socket_id);
		if (pp->bits == NULL) {
			err = -ENOMEM;
			goto out;
		}
		if (n % 64 != 0)
			pp->bits[pp->n_words - 1] = ~0ull << (n % 64);
	}

	snprintf(name, sizeof(name), "%s_slots", p->name);
	t->free_slots = rte_ring_create_elem(name, sizeof(uint32_t), p->max_allocs, p->socket_id,
					     RING_F_EXACT_SZ);
	if (t->free_slots == NULL) {
		err = rte_errno > 0 ? -rte_errno : -ENOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < p->max_allocs; i++)
		(void)rte_ring_enqueue_elem(t->free_slots, &i, sizeof(i));

	snprintf(name, sizeof(name), "%s_dq", p->name);
	dqp.name = name;
	/* every slot in grace at once, plus a dropped family's port for each
	 * (a dual allocation may drop one family, then be deleted) */
	dqp.size = p->relay6_mask != 0 ? 2 * p->max_allocs : p->max_allocs;
	dqp.esize = sizeof(struct dq_elem);
	dqp.trigger_reclaim_limit = 64;
	dqp.max_reclaim_size = 256;
	dqp.v = t->qsbr;
	dqp.free_fn = dq_free;
	dqp.p = t;
	t->dq = rte_rcu_qsbr_dq_create(&dqp);
	if (t->dq == NULL) {
		err = rte_errno > 0 ? -rte_errno : -ENOMEM;
		goto out;
	}

	if ((t->h_five = mkhash(p, "5t", p->max_allocs, sizeof(struct key_five), &err)) == NULL ||
	    (t->h_relay = mkhash(p, "rl", p->max_allocs, sizeof(struct key_relay), &err)) == NULL ||
	    (t->h_perm = mkhash(p, "pm", p->max_perms, sizeof(struct key_perm), &err)) == NULL ||
	    (t->h_chnum = mkhash(p, "cn", p->max_chans, sizeof(struct key_chnum), &err)) == NULL ||
	    (t->h_chpeer = mkhash(p, "cp", p->max_chans, sizeof(struct key_chpeer), &err)) == NULL ||
	    (t->h_token = mkhash(p, "tk", p->max_allocs, sizeof(uint64_t), &err)) == NULL)
		goto out;
	if ((err = attach_rcu(t, t->h_five)) < 0 || (err = attach_rcu(t, t->h_relay)) < 0 ||
	    (err = attach_rcu(t, t->h_perm)) < 0 || (err = attach_rcu(t, t->h_chnum)) < 0 ||
	    (err = attach_rcu(t, t->h_chpeer)) < 0 || (err = attach_rcu(t, t->h_token)) < 0)
		goto out;
	if (p->relay6_mask != 0) {
		t->allocs6 = rte_zmalloc_socket("dp_turn_allocs6",
						sizeof(*t->allocs6) * p->max_allocs,
						RTE_CACHE_LINE_SIZE, p->socket_id);
		if (t->allocs6 == NULL) {
			err = -ENOMEM;
			goto out;
		}
		if ((t->h_five6 = mkhash(p, "5t6", p->max_allocs, sizeof(struct key_five6),
					 &err)) == NULL ||
		    (t->h_relay6 = mkhash(p, "rl6", p->max_allocs, sizeof(struct key_relay6),
					  &err)) == NULL ||
		    (t->h_perm6 = mkhash(p, "pm6", p->max_perms, sizeof(struct key_perm6),
					 &err)) == NULL ||
		    (t->h_chnum6 = mkhash(p, "cn6", p->max_chans, sizeof(struct key_chnum),
					  &err)) == NULL ||
		    (t->h_chpeer6 = mkhash(p, "cp6", p->max_chans, sizeof(struct key_chpeer6),
					   &err)) == NULL)
			goto out;
		if ((err = attach_rcu(t, t->h_five6)) < 0 || (err = attach_rcu(t, t->h_relay6)) < 0 ||
		    (err = attach_rcu(t, t->h_perm6)) < 0 || (err = attach_rcu(t, t->h_chnum6)) < 0 ||
		    (err = attach_rcu(t, t->h_chpeer6)) < 0)
			goto out;
	}

	for (unsigned i = 0; i < DP_TURN_MAX_OWNERS; i++) {
		t->owners[i].head = DP_TURN_NONE;
		t->owners[i].cursor = DP_TURN_NONE;
		t->owners[i].rng = 0x9e3779b97f4a7c15ull * (i + 1) ^ (uint64_t)(uintptr_t)t;
		if (t->owners[i].rng == 0)
			t->owners[i].rng = 1;
	}
	*out = t;
	t = NULL;
out:
	dp_turn_table_free(t);
	return err;
}

void
dp_turn_table_set_limits(struct dp_turn_table *t, uint32_t max_allocs, uint32_t user_quota,
			 uint32_t ip_quota)
{
	if (max_allocs > t->p.max_allocs)
		max_allocs = t->p.max_allocs;
	__atomic_store_n(&t->lim_allocs, max_allocs, __ATOMIC_RELAXED);
	__atomic_store_n(&t->lim_user, user_quota, __ATOMIC_RELAXED);
	__atomic_store_n(&t->lim_ip, ip_quota, __ATOMIC_RELAXED);
}

struct rte_rcu_qsbr *
dp_turn_table_qsbr(struct dp_turn_table *t)
{
	return t->qsbr;
}

struct dp_turn_alloc *
dp_turn_alloc_at(struct dp_turn_table *t, uint32_t idx)
{
	return idx < t->p.max_allocs ? &t->allocs[idx] : NULL;
}

struct dp_turn_alloc6 *
dp_turn_alloc6_at(struct dp_turn_table *t, uint32_t idx)
{
	return t->allocs6 != NULL && idx < t->p.max_allocs ? &t->allocs6[idx] : NULL;
}

const uint8_t *
dp_turn_relay6_addr(const struct dp_turn_table *t, unsigned relay6_idx)
{
	if (relay6_idx >= DP_TURN_MAX_RELAY6_ADDRS || !(t->p.relay6_mask & (1u << relay6_idx)))
		return NULL;
	return t->p.relay_addrs6[relay6_idx];
}

uint32_t
dp_turn_table_count(const struct dp_turn_table *t)
{
	return __atomic_load_n(&t->count, __ATOMIC_RELAXED);
}

uint32_t
dp_turn_table_ports_free(const struct dp_turn_table *t, unsigned relay_idx)
{
	if (relay_idx >= t->p.n_relay_addrs)
		return 0;
	return __atomic_load_n(&t->pools[relay_idx].n_free, __ATOMIC_RELAXED);
}

uint32_t
dp_turn_table_ports6_free(const struct dp_turn_table *t, unsigned relay6_idx)
{
	if (relay6_idx >= DP_TURN_MAX_RELAY6_ADDRS || !(t->p.relay6_mask & (1u << relay6_idx)))
		return 0;
	return __atomic_load_n(&t->pools6[relay6_idx].n_free, __ATOMIC_RELAXED);
}

bool
dp_turn_alloc_live(const struct dp_turn_alloc *a, uint64_t now)
{
	return now <= __atomic_load_n(&a->expires, __ATOMIC_ACQUIRE);
}

/* ---- owner list ----------------------------------------------------------------- */

static void
list_add(struct dp_turn_table *t, struct owner_state *o, uint32_t idx)
{
	struct dp_turn_alloc *a = &t->allocs[idx];

	a->prev = DP_TURN_NONE;
	a->next = o->head;
	if (o->head != DP_TURN_NONE)
		t->allocs[o->head].prev = idx;
	o->head = idx;
	o->count++;
}

static void
list_del(struct dp_turn_table *t, struct owner_state *o, uint32_t idx)
{
	struct dp_turn_alloc *a = &t->allocs[idx];

	if (o->cursor == idx)
		o->cursor = a->next;
	if (a->prev != DP_TURN_NONE)
		t->allocs[a->prev].next = a->next;
	else
		o->head = a->next;
	if (a->next != DP_TURN_NONE)
		t->allocs[a->next].prev = a->prev;
	o->count--;
}

/* ---- allocations -------------------------------------------------------------------- */

static int
owned(struct dp_turn_table *t, uint32_t idx, uint16_t owner, struct dp_turn_alloc **ap)
{
	if (idx >= t->p.max_allocs || owner >= t->p.n_owners)
		return -EINVAL;
	if (!t->used[idx])
		return -ENOENT;
	if (t->allocs[idx].owner != owner)
		return -EPERM;
	*ap = &t->allocs[idx];
	return 0;
}

/* The per-IP quota key of a client: its IPv4 address, or the /64 of an IPv6
 * one (a subscriber gets a whole /64, RFC 6177), tagged so the two never meet. */
static uint64_t
ip_key(const struct dp_turn_alloc_req *r)
{
	uint64_t p64;

	if (!r->client6)
		return r->five.client_ip;
	memcpy(&p64, r->five6.client_ip, 8);
	return (uint64_t)rte_hash_crc_8byte(p64, 0x36343634u) << 32 | 1ull << 63 |
	       rte_hash_crc_8byte(p64, 0x76367636u);
}

static uint64_t
ip_key_of(const struct dp_turn_table *t, uint32_t idx)
{
	struct dp_turn_alloc_req r;
	const struct dp_turn_alloc *a = &t->allocs[idx];

	r.client6 = a->client6;
	r.five = a->five;
	if (a->client6)
		r.five6 = t->allocs6[idx].five6;
	return ip_key(&r);
}

static int
take_slot(struct dp_turn_table *t, uint32_t *slot)
{
	if (rte_ring_dequeue_elem(t->free_slots, slot, sizeof(*slot)) == 0)
		return 0;
	reclaim(t);
	return rte_ring_dequeue_elem(t->free_slots, slot, sizeof(*slot)) == 0 ? 0 : -ENOSPC;
}

/* The h_token key of a token for user_key: another user presenting the same
 * token computes another key and finds nothing (508). */
static uint64_t
token_key(uint64_t token, uint64_t user_key)
{
	return token ^ (user_key * 0x9E3779B97F4A7C15ull);
}

static int
redeem_token(struct dp_turn_table *t, uint64_t token, uint64_t now, uint8_t *relay_idx,
	     uint16_t *port, bool *v6)
{
	void *data;
	uint64_t d;

	if (rte_hash_lookup_data(t->h_token, &token, &data) < 0)
		return GW_STUN_ERR(508);
	d = (uint64_t)(uintptr_t)data;
	if (rte_hash_del_key(t->h_token, &token) < 0)
		return GW_STUN_ERR(508);          /* another lcore redeemed it */
	*relay_idx = (uint8_t)(d >> 16);
	*port = (uint16_t)d;
	*v6 = (d & TOKEN_V6) != 0;
	if ((d >> 32) < (now & 0xffffffffu)) {
		/* expired but not yet collected: give the port back, refuse */
		pool_release(*v6 ? &t->pools6[*relay_idx] : &t->pools[*relay_idx], t->p.port_min,
			     *port);
		return GW_STUN_ERR(508);
	}
	return 0;
}

/* Claim a relay port (and port + 1 when pair) on pool pp, retrying once
 * after reclaiming the ports of deleted allocations in grace. */
static int
claim(struct dp_turn_table *t, struct port_pool *pp, struct owner_state *o, bool even, bool pair)
{
	int pr = pool_claim(pp, t->p.port_min, &o->rng, even, pair);

	if (pr < 0) {
		reclaim(t);
		pr = pool_claim(pp, t->p.port_min, &o->rng, even, pair);
	}
	return pr;
}

int
dp_turn_alloc_create(struct dp_turn_table *t, const struct dp_turn_alloc_req *r,
		     uint64_t now, uint32_t *idx, uint64_t *token_out)
{
	struct key_five kf;
	struct key_five6 kf6;
	struct key_relay kr;
	struct key_relay6 kr6;
	struct owner_state *o;
	struct dp_turn_alloc *a;
	uint32_t slot = DP_TURN_NONE;
	uint16_t port = 0, port6 = 0;
	uint8_t ridx, r6idx, af;
	bool user_held = false, ip_held = false, port_held = false, port6_held = false;
	bool reserved = false, relay_added = false, relay6_added = false, tok_v6 = false;
	uint64_t token = 0, ipk;
	int err, pr;

	if (t == NULL || r == NULL || idx == NULL || r->owner >= t->p.n_owners ||
	    r->relay_idx >= t->p.n_relay_addrs || (r->reserve_next && !r->even_port) ||
	    (r->reserve_next && token_out == NULL) || (r->has_token && r->even_port))
		return -EINVAL;
	af = r->af != 0 ? r->af : DP_TURN_AF_IPV4;
	if ((af & ~(DP_TURN_AF_IPV4 | DP_TURN_AF_IPV6)) != 0 ||
	    (r->client6 && t->allocs6 == NULL) ||
	    (!r->has_token && (af & DP_TURN_AF_IPV6) &&
	     (r->relay6_idx >= DP_TURN_MAX_RELAY6_ADDRS ||
	      !(t->p.relay6_mask & (1u << r->relay6_idx)))) ||
	    (r->reserve_next && af == (DP_TURN_AF_IPV4 | DP_TURN_AF_IPV6)))
		return -EINVAL;
	o = &t->owners[r->owner];
	ridx = r->relay_idx;
	r6idx = r->relay6_idx;
	if (r->client6) {
		five6_key(&kf6, &r->five6);
		if (rte_hash_lookup(t->h_five6, &kf6) >= 0)
			return GW_STUN_ERR(437);
	} else {
		five_key(&kf, &r->five);
		if (rte_hash_lookup(t->h_five, &kf) >= 0)
			return GW_STUN_ERR(437);
	}
	ipk = ip_key(r);
	if (__atomic_add_fetch(&t->count, 1u, __ATOMIC_RELAXED) >
	    __atomic_load_n(&t->lim_allocs, __ATOMIC_RELAXED)) {
		err = GW_STUN_ERR(486);
		goto fail_count;
	}
	if (!sketch_add(t->sketch_user, t->sketch_mask, r->user_key,
			__atomic_load_n(&t->lim_user, __ATOMIC_RELAXED))) {
		err = GW_STUN_ERR(486);
		goto fail;
	}
	user_held = true;
	if (!sketch_add(t->sketch_ip, t->sketch_mask, ipk,
			__atomic_load_n(&t->lim_ip, __ATOMIC_RELAXED))) {
		err = GW_STUN_ERR(486);
		goto fail;
	}
	ip_held = true;
	if (take_slot(t, &slot) < 0) {
		err = GW_STUN_ERR(508);
		goto fail;
	}
	if (r->has_token) {
		uint8_t ti;
		uint16_t tp;

		err = redeem_token(t, token_key(r->token, r->user_key), now, &ti, &tp, &tok_v6);
		if (err < 0)
			goto fail;
		/* the token names the family and the address */
		if (tok_v6) {
			af = DP_TURN_AF_IPV6;
			r6idx = ti;
			port6 = tp;
			port6_held = true;
		} else {
			af = DP_TURN_AF_IPV4;
			ridx = ti;
			port = tp;
			port_held = true;
		}
	} else {
		/* a single family may reserve port + 1 (EVEN-PORT R); a dual one may not */
		if (af & DP_TURN_AF_IPV4) {
			pr = claim(t, &t->pools[ridx], o, r->even_port,
				   r->reserve_next && af == DP_TURN_AF_IPV4);
			if (pr < 0) {
				err = GW_STUN_ERR(508);
				goto fail;
			}
			port = (uint16_t)pr;
			port_held = true;
		}
		if (af & DP_TURN_AF_IPV6) {
			pr = claim(t, &t->pools6[r6idx], o, r->even_port,
				   r->reserve_next && af == DP_TURN_AF_IPV6);
			if (pr < 0) {
				err = GW_STUN_ERR(508);
				goto fail;
			}
			port6 = (uint16_t)pr;
			port6_held = true;
		}
		reserved = r->reserve_next;
	}
	if (reserved) {
		struct reservation *rs;
		uint64_t d, key;
		bool v6 = af == DP_TURN_AF_IPV6;

		if (o->res_n == o->res_cap)
			res_pop(t, o);        /* retire the oldest early */
		do
			token = xorshift(&o->rng);
		while (token == 0);
		key = token_key(token, r->user_key);
		d = ((now + DP_TURN_RESERVE_S) & 0xffffffffu) << 32 | (v6 ? TOKEN_V6 : 0) |
		    (uint64_t)(v6 ? r6idx : ridx) << 16 | (uint16_t)((v6 ? port6 : port) + 1);
		if (rte_hash_add_key_data(t->h_token, &key, (void *)(uintptr_t)d) < 0) {
			/* the pair's second port is ours until the token exists */
			pool_release(v6 ? &t->pools6[r6idx] : &t->pools[ridx], t->p.port_min,
				     (uint16_t)((v6 ? port6 : port) + 1));
			reserved = false;
			err = GW_STUN_ERR(508);
			goto fail;
		}
		rs = &o->res[(o->res_head + o->res_n) % o->res_cap];
		rs->token = key;
		rs->exp = now + DP_TURN_RESERVE_S;
		o->res_n++;
	}

	a = &t->allocs[slot];
	memset(a, 0, sizeof(*a));
	if (r->client6) {
		t->allocs6[slot].five6 = r->five6;
		a->client6 = 1;
	} else {
		a->five = r->five;
	}
	if (t->allocs6 != NULL) {
		t->allocs6[slot].n_perm = 0;
		t->allocs6[slot].n_chan = 0;
	}
	a->af = af;
	if (af & DP_TURN_AF_IPV4) {
		a->relay_ip = t->p.relay_addrs[ridx];
		a->relay_port = port;
		a->relay_idx = ridx;
	}
	if (af & DP_TURN_AF_IPV6) {
		a->relay6_idx = r6idx;
		a->relay6_port = port6;
	}
	a->owner = r->owner;
	memcpy(a->txid, r->txid, sizeof(a->txid));
	a->user_key = r->user_key;
	__atomic_store_n(&a->expires, now + r->lifetime_s, __ATOMIC_RELEASE);

	if (af & DP_TURN_AF_IPV4) {
		relay_key(&kr, a->relay_ip, port);
		if (rte_hash_add_key_data(t->h_relay, &kr, (void *)(uintptr_t)slot) < 0) {
			err = GW_STUN_ERR(508);
			goto fail_res;
		}
		relay_added = true;
	}
	if (af & DP_TURN_AF_IPV6) {
		relay6_key(&kr6, r6idx, port6);
		if (rte_hash_add_key_data(t->h_relay6, &kr6, (void *)(uintptr_t)slot) < 0) {
			err = GW_STUN_ERR(508);
			goto fail_res;
		}
		relay6_added = true;
	}
	if ((r->client6 ? rte_hash_add_key_data(t->h_five6, &kf6, (void *)(uintptr_t)slot) :
			  rte_hash_add_key_data(t->h_five, &kf, (void *)(uintptr_t)slot)) < 0) {
		err = GW_STUN_ERR(508);
		goto fail_res;
	}
	t->used[slot] = 1;
	list_add(t, o, slot);
	*idx = slot;
	if (token_out != NULL)
		*token_out = token;
	return 0;

fail_res:
	/* nothing published reached a reader through h_five; the relay keys
	 * may have, so the slot and ports wait for a grace period */
	if (relay_added)
		(void)rte_hash_del_key(t->h_relay, &kr);
	if (relay6_added)
		(void)rte_hash_del_key(t->h_relay6, &kr6);
	__atomic_store_n(&a->expires, 0, __ATOMIC_RELEASE);
	if (reserved) {
		/* undo the reservation: its port goes back with the token */
		uint64_t key = token_key(token, r->user_key);
		bool v6 = af == DP_TURN_AF_IPV6;

		if (rte_hash_del_key(t->h_token, &key) >= 0)
			pool_release(v6 ? &t->pools6[r6idx] : &t->pools[ridx], t->p.port_min,
				     (uint16_t)((v6 ? port6 : port) + 1));
		o->res_n--;
	}
	if (relay_added || relay6_added) {
		/* a->af and relay6_* name the IPv6 port for dq_free */
		struct dq_elem d = {
			.slot = slot,
			.port = port_held ? (uint32_t)ridx << 16 | port : UINT32_MAX,
		};

		if (rte_rcu_qsbr_dq_enqueue(t->dq, &d) != 0) {
			rte_rcu_qsbr_synchronize(t->qsbr, RTE_QSBR_THRID_INVALID);
			dq_free(t, &d, 1);
		}
		port_held = port6_held = false;
		slot = DP_TURN_NONE;
	}
fail:
	if (port_held)
		pool_release(&t->pools[ridx], t->p.port_min, port);
	if (port6_held)
		pool_release(&t->pools6[r6idx], t->p.port_min, port6);
	if (slot != DP_TURN_NONE)
		(void)rte_ring_enqueue_elem(t->free_slots, &slot, sizeof(slot));
	if (ip_held)
		sketch_sub(t->sketch_ip, t->sketch_mask, ipk);
	if (user_held)
		sketch_sub(t->sketch_user, t->sketch_mask, r->user_key);
fail_count:
	__atomic_fetch_sub(&t->count, 1u, __ATOMIC_RELAXED);
	return err;
}

static void
perm_del_at(struct dp_turn_table *t, struct dp_turn_alloc *a, uint32_t slot, unsigned i)
{
	struct key_perm k = { .slot = slot, .ip = a->perm_ip[i] };

	(void)rte_hash_del_key(t->h_perm, &k);
	a->n_perm--;
	a->perm_ip[i] = a->perm_ip[a->n_perm];
	a->perm_exp[i] = a->perm_exp[a->n_perm];
}

static void
chan_del_at(struct dp_turn_table *t, struct dp_turn_alloc *a, uint32_t slot, unsigned i)
{
	struct key_chnum kn = { .slot = slot, .ch = a->chan[i].ch };
	struct key_chpeer kp = { .slot = slot, .ip = a->chan[i].ip, .port = a->chan[i].port };

	(void)rte_hash_del_key(t->h_chnum, &kn);
	(void)rte_hash_del_key(t->h_chpeer, &kp);
	a->n_chan--;
	a->chan[i] = a->chan[a->n_chan];
}

static void
perm6_del_at(struct dp_turn_table *t, struct dp_turn_alloc6 *a6, uint32_t slot, unsigned i)
{
	struct key_perm6 k;

	memset(&k, 0, sizeof(k));
	k.slot = slot;
	memcpy(k.ip, a6->perm_ip[i], 16);
	(void)rte_hash_del_key(t->h_perm6, &k);
	a6->n_perm--;
	memcpy(a6->perm_ip[i], a6->perm_ip[a6->n_perm], 16);
	a6->perm_exp[i] = a6->perm_exp[a6->n_perm];
}

static void
chan6_del_at(struct dp_turn_table *t, struct dp_turn_alloc6 *a6, uint32_t slot, unsigned i)
{
	struct key_chnum kn = { .slot = slot, .ch = a6->chan[i].ch };
	struct key_chpeer6 kp;

	chpeer6_key(&kp, slot, a6->chan[i].ip, a6->chan[i].port);
	/* the number first: a reader that still finds it reads a key QSBR keeps */
	(void)rte_hash_del_key(t->h_chnum6, &kn);
	(void)rte_hash_del_key(t->h_chpeer6, &kp);
	a6->n_chan--;
	a6->chan[i] = a6->chan[a6->n_chan];
}

/*
 * Take family af (DP_TURN_AF_IPV4 or _IPV6) of allocation idx out of the
 * tables: its relay key when relay (only while the allocation holds that
 * family's port: once dropped, the port may be another allocation's), its
 * permissions and channels. The port is the caller's to release after the
 * grace period.
 */
static void
family_clear(struct dp_turn_table *t, struct dp_turn_alloc *a, uint32_t idx, uint8_t af,
	     bool relay)
{
	if (af == DP_TURN_AF_IPV4) {
		struct key_relay kr;

		if (relay) {
			relay_key(&kr, a->relay_ip, a->relay_port);
			(void)rte_hash_del_key(t->h_relay, &kr);
		}
		while (a->n_perm > 0)
			perm_del_at(t, a, idx, a->n_perm - 1u);
		while (a->n_chan > 0)
			chan_del_at(t, a, idx, a->n_chan - 1u);
	} else {
		struct dp_turn_alloc6 *a6 = &t->allocs6[idx];
		struct key_relay6 kr6;

		if (relay) {
			relay6_key(&kr6, a->relay6_idx, a->relay6_port);
			(void)rte_hash_del_key(t->h_relay6, &kr6);
		}
		while (a6->n_perm > 0)
			perm6_del_at(t, a6, idx, a6->n_perm - 1u);
		while (a6->n_chan > 0)
			chan6_del_at(t, a6, idx, a6->n_chan - 1u);
	}
}

int
dp_turn_alloc_delete(struct dp_turn_table *t, uint32_t idx, uint16_t owner)
{
	struct dp_turn_alloc *a;
	struct key_five kf;
	struct dq_elem d;
	int err;

	if (t == NULL)
		return -EINVAL;
	err = owned(t, idx, owner, &a);
	if (err < 0)
		return err;
	if (a->client6) {
		struct key_five6 kf6;

		five6_key(&kf6, &t->allocs6[idx].five6);
		(void)rte_hash_del_key(t->h_five6, &kf6);
	} else {
		five_key(&kf, &a->five);
		(void)rte_hash_del_key(t->h_five, &kf);
	}
	family_clear(t, a, idx, DP_TURN_AF_IPV4, a->af & DP_TURN_AF_IPV4);
	if (t->allocs6 != NULL)
		family_clear(t, a, idx, DP_TURN_AF_IPV6, a->af & DP_TURN_AF_IPV6);
	__atomic_store_n(&a->expires, 0, __ATOMIC_RELEASE);
	list_del(t, &t->owners[owner], idx);
	t->used[idx] = 0;
	sketch_sub(t->sketch_ip, t->sketch_mask, ip_key_of(t, idx));
	sketch_sub(t->sketch_user, t->sketch_mask, a->user_key);
	__atomic_fetch_sub(&t->count, 1u, __ATOMIC_RELAXED);
	d.slot = idx;
	d.port = a->af & DP_TURN_AF_IPV4 ? (uint32_t)a->relay_idx << 16 | a->relay_port :
					    UINT32_MAX;

	if (rte_rcu_qsbr_dq_enqueue(t->dq, &d) != 0) {
		/* cannot happen (the queue holds max_allocs); wait out readers */
		rte_rcu_qsbr_synchronize(t->qsbr, RTE_QSBR_THRID_INVALID);
		dq_free(t, &d, 1);
	}
	return 0;
}

int
dp_turn_alloc_drop_family(struct dp_turn_table *t, uint32_t idx, uint16_t owner, uint8_t af)
{
	struct dp_turn_alloc *a;
	struct dq_elem d = { .slot = DQ_PORT_ONLY };
	int err;

	if (t == NULL || (af != DP_TURN_AF_IPV4 && af != DP_TURN_AF_IPV6))
		return -EINVAL;
	err = owned(t, idx, owner, &a);
	if (err < 0)
		return err;
	if (!(a->af & af))
		return -EAFNOSUPPORT;
	if (a->af == af)
		return dp_turn_alloc_delete(t, idx, owner);
	/* readers test af before they use the family's relay fields and
	 * permissions: clear it first, then the keys that lead to them */
	__atomic_store_n(&a->af, (uint8_t)(a->af & ~af), __ATOMIC_RELEASE);
	family_clear(t, a, idx, af, true);
	d.port = af == DP_TURN_AF_IPV4 ? (uint32_t)a->relay_idx << 16 | a->relay_port :
					  DQ_PORT_V6 | (uint32_t)a->relay6_idx << 16 | a->relay6_port;
	/* the port waits until no reader can still hold the old relay key */
	if (rte_rcu_qsbr_dq_enqueue(t->dq, &d) != 0) {
		rte_rcu_qsbr_synchronize(t->qsbr, RTE_QSBR_THRID_INVALID);
		dq_free(t, &d, 1);
	}
	return 0;
}

int
dp_turn_alloc_refresh(struct dp_turn_table *t, uint32_t idx, uint16_t owner,
		      uint32_t lifetime_s, uint64_t now)
{
	struct dp_turn_alloc *a;
	int err;

	if (t == NULL)
		return -EINVAL;
	err = owned(t, idx, owner, &a);
	if (err < 0)
		return err;
	if (lifetime_s == 0)
		return dp_turn_alloc_delete(t, idx, owner);
	__atomic_store_n(&a->expires, now + lifetime_s, __ATOMIC_RELEASE);
	return 0;
}

/* ---- permissions and channels ----------------------------------------------------- */

int
dp_turn_perm_add(struct dp_turn_table *t, uint32_t idx, uint16_t owner, uint32_t peer_ip,
		 uint32_t lifetime_s, uint64_t now)
{
	struct dp_turn_alloc *a;
	struct key_perm k = { .slot = idx, .ip = peer_ip };
	uint64_t exp = now + lifetime_s;
	unsigned i;
	int err;

	if (t == NULL)
		return -EINVAL;
	err = owned(t, idx, owner, &a);
	if (err < 0)
		return err;
	for (i = 0; i < a->n_perm && a->perm_ip[i] != peer_ip; i++)
		;
	if (i == a->n_perm && a->n_perm == DP_TURN_PERMS_PER_ALLOC)
		return GW_STUN_ERR(508);
	/* an existing key's data is replaced atomically (RW_CONCURRENCY_LF) */
	if (rte_hash_add_key_data(t->h_perm, &k, (void *)(uintptr_t)exp) < 0)
		return GW_STUN_ERR(508);
	if (i == a->n_perm) {
		a->perm_ip[i] = peer_ip;
		a->n_perm++;
	}
	a->perm_exp[i] = exp;
	return 0;
}

int
dp_turn_chan_bind(struct dp_turn_table *t, uint32_t idx, uint16_t owner, uint16_t ch,
		  uint32_t peer_ip, uint16_t peer_port, uint32_t lifetime_s, uint64_t now)
{
	struct dp_turn_alloc *a;
	struct key_chnum kn = { .slot = idx, .ch = ch };
	struct key_chpeer kp = { .slot = idx, .ip = peer_ip, .port = peer_port };
	uint64_t exp = now + lifetime_s;
	uint64_t dn, dp;
	unsigned i;
	int err;

	if (t == NULL)
		return -EINVAL;
	err = owned(t, idx, owner, &a);
	if (err < 0)
		return err;
	if (ch < GW_TURN_CHAN_MIN || ch > GW_TURN_CHAN_MAX_RFC5766)
		return GW_STUN_ERR(400);
	if (lifetime_s > DP_TURN_MAX_LIFETIME_S)
		return -EINVAL;
	for (i = 0; i < a->n_chan; i++) {
		bool same_ch = a->chan[i].ch == ch;
		bool same_peer = a->chan[i].ip == peer_ip && a->chan[i].port == peer_port;

		if (same_ch && same_peer)
			break;
		if (same_ch || same_peer)
			return GW_STUN_ERR(400);    /* bound (or cooling) elsewhere */
	}
	if (t->allocs6 != NULL)
		for (unsigned j = 0; j < t->allocs6[idx].n_chan; j++)
			if (t->allocs6[idx].chan[j].ch == ch)
				return GW_STUN_ERR(400);    /* bound to an IPv6 peer */
	if (i == a->n_chan && a->n_chan == DP_TURN_CHANS_PER_ALLOC)
		return GW_STUN_ERR(508);
	dn = (uint64_t)exp16(exp) << 48 | (uint64_t)peer_ip << 16 | peer_port;
	dp = (uint64_t)exp16(exp) << 48 | ch;
	if (rte_hash_add_key_data(t->h_chnum, &kn, (void *)(uintptr_t)dn) < 0)
		return GW_STUN_ERR(508);
	if (rte_hash_add_key_data(t->h_chpeer, &kp, (void *)(uintptr_t)dp) < 0) {
		if (i == a->n_chan)
			(void)rte_hash_del_key(t->h_chnum, &kn);
		return GW_STUN_ERR(508);
	}
	if (i == a->n_chan) {
		a->chan[i].ch = ch;
		a->chan[i].ip = peer_ip;
		a->chan[i].port = peer_port;
		a->n_chan++;
	}
	a->chan[i].exp = exp;
	return 0;
}

int
dp_turn_perm_add6(struct dp_turn_table *t, uint32_t idx, uint16_t owner, const uint8_t *peer_ip,
		  uint32_t lifetime_s, uint64_t now)
{
	struct dp_turn_alloc *a;
	struct dp_turn_alloc6 *a6;
	struct key_perm6 k;
	uint64_t exp = now + lifetime_s;
	unsigned i;
	int err;

	if (t == NULL || t->allocs6 == NULL || peer_ip == NULL)
		return -EINVAL;
	err = owned(t, idx, owner, &a);
	if (err < 0)
		return err;
	a6 = &t->allocs6[idx];
	for (i = 0; i < a6->n_perm && memcmp(a6->perm_ip[i], peer_ip, 16) != 0; i++)
		;
	if (i == a6->n_perm && a6->n_perm == DP_TURN_PERMS6_PER_ALLOC)
		return GW_STUN_ERR(508);
	memset(&k, 0, sizeof(k));
	k.slot = idx;
	memcpy(k.ip, peer_ip, 16);
	if (rte_hash_add_key_data(t->h_perm6, &k, (void *)(uintptr_t)exp) < 0)
		return GW_STUN_ERR(508);
	if (i == a6->n_perm) {
		memcpy(a6->perm_ip[i], peer_ip, 16);
		a6->n_perm++;
	}
	a6->perm_exp[i] = exp;
	return 0;
}

int
dp_turn_chan_bind6(struct dp_turn_table *t, uint32_t idx, uint16_t owner, uint16_t ch,
		   const uint8_t *peer_ip, uint16_t peer_port, uint32_t lifetime_s, uint64_t now)
{
	struct dp_turn_alloc *a;
	struct dp_turn_alloc6 *a6;
	struct key_chnum kn = { .slot = idx, .ch = ch };
	struct key_chpeer6 kp;
	uint64_t exp = now + lifetime_s, dn, dp;
	int32_t pos;
	unsigned i;
	int err;

	if (t == NULL || t->allocs6 == NULL || peer_ip == NULL)
		return -EINVAL;
	err = owned(t, idx, owner, &a);
	if (err < 0)
		return err;
	if (ch < GW_TURN_CHAN_MIN || ch > GW_TURN_CHAN_MAX_RFC5766)
		return GW_STUN_ERR(400);
	if (lifetime_s > DP_TURN_MAX_LIFETIME_S)
		return -EINVAL;
	a6 = &t->allocs6[idx];
	for (i = 0; i < a6->n_chan; i++) {
		bool same_ch = a6->chan[i].ch == ch;
		bool same_peer = memcmp(a6->chan[i].ip, peer_ip, 16) == 0 &&
				 a6->chan[i].port == peer_port;

		if (same_ch && same_peer)
			break;
		if (same_ch || same_peer)
			return GW_STUN_ERR(400);    /* bound (or cooling) elsewhere */
	}
	for (unsigned j = 0; j < a->n_chan; j++)
		if (a->chan[j].ch == ch)
			return GW_STUN_ERR(400);    /* bound to an IPv4 peer */
	if (i == a6->n_chan && a6->n_chan == DP_TURN_CHANS6_PER_ALLOC)
		return GW_STUN_ERR(508);
	chpeer6_key(&kp, idx, peer_ip, peer_port);
	dp = (uint64_t)exp16(exp) << 48 | ch;
	/* the peer key first: h_chnum6 names its position in the key store */
	if (rte_hash_add_key_data(t->h_chpeer6, &kp, (void *)(uintptr_t)dp) < 0)
		return GW_STUN_ERR(508);
	pos = rte_hash_lookup(t->h_chpeer6, &kp);
	dn = (uint64_t)exp16(exp) << 48 | (uint32_t)pos;
	if (pos < 0 || rte_hash_add_key_data(t->h_chnum6, &kn, (void *)(uintptr_t)dn) < 0) {
		if (i == a6->n_chan)
			(void)rte_hash_del_key(t->h_chpeer6, &kp);
		return GW_STUN_ERR(508);
	}
	if (i == a6->n_chan) {
		a6->chan[i].ch = ch;
		memcpy(a6->chan[i].ip, peer_ip, 16);
		a6->chan[i].port = peer_port;
		a6->n_chan++;
	}
	a6->chan[i].exp = exp;
	return 0;
}

/* ---- expiry ------------------------------------------------------------------------- */

/* Drop the oldest reservation; an unredeemed one returns its port. */
static void
res_pop(struct dp_turn_table *t, struct owner_state *o)
{
	struct reservation *rs = &o->res[o->res_head];
	void *data;

	if (rte_hash_lookup_data(t->h_token, &rs->token, &data) >= 0 &&
	    rte_hash_del_key(t->h_token, &rs->token) >= 0) {
		uint64_t d = (uint64_t)(uintptr_t)data;

		pool_release(d & TOKEN_V6 ? &t->pools6[(d >> 16) & 0xff] : &t->pools[(d >> 16) & 0xff],
			     t->p.port_min, (uint16_t)d);
	}
	o->res_head = (o->res_head + 1) % o->res_cap;
	o->res_n--;
}

static void
expire_reservations(struct dp_turn_table *t, struct owner_state *o, uint64_t now)
{
	while (o->res_n > 0 && o->res[o->res_head].exp < now)
		res_pop(t, o);
}

unsigned
dp_turn_table_tick(struct dp_turn_table *t, uint16_t owner, uint64_t now, unsigned budget)
{
	struct owner_state *o;
	unsigned visited = 0, limit;

	if (t == NULL || owner >= t->p.n_owners)
		return 0;
	o = &t->owners[owner];
	expire_reservations(t, o, now);
	limit = RTE_MIN(budget, o->count);
	while (visited < limit && o->count > 0) {
		uint32_t idx;
		struct dp_turn_alloc *a;

		if (o->cursor == DP_TURN_NONE)
			o->cursor = o->head;
		idx = o->cursor;
		a = &t->allocs[idx];
		o->cursor = a->next;
		visited++;
		if (!dp_turn_alloc_live(a, now)) {
			if (dp_turn_alloc_delete(t, idx, owner) == 0)
				o->n_expired++;
			continue;
		}
		for (unsigned i = a->n_perm; i-- > 0;)
			if (a->perm_exp[i] < now)
				perm_del_at(t, a, idx, i);
		for (unsigned i = a->n_chan; i-- > 0;)
			if (a->chan[i].exp + DP_TURN_CHAN_COOLDOWN_S < now)
				chan_del_at(t, a, idx, i);
		if (t->allocs6 != NULL) {
			struct dp_turn_alloc6 *a6 = &t->allocs6[idx];

			for (unsigned i = a6->n_perm; i-- > 0;)
				if (a6->perm_exp[i] < now)
					perm6_del_at(t, a6, idx, i);
			for (unsigned i = a6->n_chan; i-- > 0;)
				if (a6->chan[i].exp + DP_TURN_CHAN_COOLDOWN_S < now)
					chan6_del_at(t, a6, idx, i);
		}
	}
	reclaim(t);
	return visited;
}

unsigned
dp_turn_table_delete_streams(struct dp_turn_table *t, uint16_t owner)
{
	struct owner_state *o;
	unsigned n = 0, left;
	uint32_t idx;

	if (t == NULL || owner >= t->p.n_owners)
		return 0;
	o = &t->owners[owner];
	left = o->count;
	idx = o->head;
	while (idx != DP_TURN_NONE && left-- > 0) {
		struct dp_turn_alloc *a = &t->allocs[idx];
		uint32_t next = a->next;

		if ((a->client6 ? t->allocs6[idx].five6.conn : a->five.conn) != 0 &&
		    dp_turn_alloc_delete(t, idx, owner) == 0)
			n++;
		idx = next;
	}
	reclaim(t);
	return n;
}

uint64_t
dp_turn_table_expired(const struct dp_turn_table *t, uint16_t owner)
{
	return owner < t->p.n_owners ? t->owners[owner].n_expired : 0;
}
