/*
 * dp_turn_lookup: the allocation table's readers (dp_turn_table.h), the
 * per-packet lookups any worker makes without a lock: only the hashes (whose
 * data words rte_hash publishes atomically) and an allocation's immutable
 * fields and `expires` are read; QSBR keeps what they point at until every
 * reader has moved on. The writers are in dp_turn_table.c.
 */
#include "dp_turn_table.h"
#include "dp_turn_table_int.h"

#include <errno.h>
#include <string.h>

#include <rte_hash.h>
#include <rte_prefetch.h>

/* ---- readers -------------------------------------------------------------------------- */

int
dp_turn_lookup_5tuple(const struct dp_turn_table *t, const struct dp_turn_5tuple *f,
		      uint32_t *idx)
{
	struct key_five k;
	void *data;

	five_key(&k, f);
	if (rte_hash_lookup_data(t->h_five, &k, &data) < 0)
		return -ENOENT;
	*idx = (uint32_t)(uintptr_t)data;
	return 0;
}

/*
 * rte_hash_lookup_bulk_data() of n (<= 64) keys kp in h; idx[i] receives
 * the allocation found or DP_TURN_NONE, and each allocation found has the
 * lines the per-packet path reads prefetched (expiry, owner, 5-tuple and
 * relayed address; the first permissions, their expiries, the first
 * channels). Returns the number found.
 */
static unsigned
bulk_lookup(const struct dp_turn_table *t, const struct rte_hash *h, const void **kp,
	    unsigned n, uint32_t *idx)
{
	void *data[RTE_HASH_LOOKUP_BULK_MAX];
	uint64_t hits = 0;
	unsigned found = 0;

	for (unsigned i = 0; i < n; i++)
		idx[i] = DP_TURN_NONE;
	if (n == 0 || rte_hash_lookup_bulk_data(h, kp, n, &hits, data) <= 0)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		const struct dp_turn_alloc *a;

		if (!(hits & (1ull << i)))
			continue;
		idx[i] = (uint32_t)(uintptr_t)data[i];
		a = &t->allocs[idx[i]];
		rte_prefetch0(a);
		rte_prefetch0(&a->perm_ip[0]);
		rte_prefetch0(&a->perm_exp[0]);
		rte_prefetch0(&a->chan[0]);
		found++;
	}
	return found;
}

unsigned
dp_turn_lookup_5tuple_bulk(const struct dp_turn_table *t, const struct dp_turn_5tuple *f,
			   unsigned n, uint32_t *idx)
{
	struct key_five k[RTE_HASH_LOOKUP_BULK_MAX];
	const void *kp[RTE_HASH_LOOKUP_BULK_MAX];

	if (n > RTE_HASH_LOOKUP_BULK_MAX)
		n = RTE_HASH_LOOKUP_BULK_MAX;
	for (unsigned i = 0; i < n; i++) {
		five_key(&k[i], &f[i]);
		kp[i] = &k[i];
	}
	return bulk_lookup(t, t->h_five, kp, n, idx);
}

unsigned
dp_turn_lookup_relay_bulk(const struct dp_turn_table *t, const uint32_t *ip,
			  const uint16_t *port, unsigned n, uint32_t *idx)
{
	struct key_relay k[RTE_HASH_LOOKUP_BULK_MAX];
	const void *kp[RTE_HASH_LOOKUP_BULK_MAX];

	if (n > RTE_HASH_LOOKUP_BULK_MAX)
		n = RTE_HASH_LOOKUP_BULK_MAX;
	for (unsigned i = 0; i < n; i++) {
		relay_key(&k[i], ip[i], port[i]);
		kp[i] = &k[i];
	}
	return bulk_lookup(t, t->h_relay, kp, n, idx);
}

int
dp_turn_lookup_relay(const struct dp_turn_table *t, uint32_t ip, uint16_t port, uint32_t *idx)
{
	struct key_relay k;
	void *data;

	relay_key(&k, ip, port);
	if (rte_hash_lookup_data(t->h_relay, &k, &data) < 0)
		return -ENOENT;
	*idx = (uint32_t)(uintptr_t)data;
	return 0;
}

bool
dp_turn_perm_check(const struct dp_turn_table *t, uint32_t idx, uint32_t peer_ip, uint64_t now)
{
	struct key_perm k = { .slot = idx, .ip = peer_ip };
	void *data;

	if (rte_hash_lookup_data(t->h_perm, &k, &data) < 0)
		return false;
	return now <= (uint64_t)(uintptr_t)data;
}

int
dp_turn_chan_by_num(const struct dp_turn_table *t, uint32_t idx, uint16_t ch, uint64_t now,
		    uint32_t *peer_ip, uint16_t *peer_port)
{
	struct key_chnum k = { .slot = idx, .ch = ch };
	void *data;
	uint64_t d;

	if (rte_hash_lookup_data(t->h_chnum, &k, &data) < 0)
		return -ENOENT;
	d = (uint64_t)(uintptr_t)data;
	if (!live16((uint16_t)(d >> 48), now))
		return -ENOENT;
	*peer_ip = (uint32_t)(d >> 16);
	*peer_port = (uint16_t)d;
	return 0;
}

bool
dp_turn_perm_check_own(const struct dp_turn_alloc *a, uint32_t peer_ip, uint64_t now)
{
	for (unsigned i = 0; i < a->n_perm; i++)
		if (a->perm_ip[i] == peer_ip)
			return now <= a->perm_exp[i];
	return false;
}

int
dp_turn_chan_by_num_own(const struct dp_turn_alloc *a, uint16_t ch, uint64_t now,
			uint32_t *peer_ip, uint16_t *peer_port)
{
	for (unsigned i = 0; i < a->n_chan; i++)
		if (a->chan[i].ch == ch) {
			/* kept past exp for the cooldown (RFC 8656 §12), not live */
			if (now > a->chan[i].exp)
				return -ENOENT;
			*peer_ip = a->chan[i].ip;
			*peer_port = a->chan[i].port;
			return 0;
		}
	return -ENOENT;
}

int
dp_turn_chan_by_peer_own(const struct dp_turn_alloc *a, uint32_t peer_ip, uint16_t peer_port,
			 uint64_t now, uint16_t *ch)
{
	for (unsigned i = 0; i < a->n_chan; i++)
		if (a->chan[i].ip == peer_ip && a->chan[i].port == peer_port) {
			if (now > a->chan[i].exp)
				return -ENOENT;
			*ch = a->chan[i].ch;
			return 0;
		}
	return -ENOENT;
}

int
dp_turn_chan_by_peer(const struct dp_turn_table *t, uint32_t idx, uint32_t peer_ip,
		     uint16_t peer_port, uint64_t now, uint16_t *ch)
{
	struct key_chpeer k = { .slot = idx, .ip = peer_ip, .port = peer_port };
	void *data;
	uint64_t d;

	if (rte_hash_lookup_data(t->h_chpeer, &k, &data) < 0)
		return -ENOENT;
	d = (uint64_t)(uintptr_t)data;
	if (!live16((uint16_t)(d >> 48), now))
		return -ENOENT;
	*ch = (uint16_t)d;
	return 0;
}

/* ---- IPv6 readers ---------------------------------------------------------------------- */

int
dp_turn_lookup_5tuple6(const struct dp_turn_table *t, const struct dp_turn_5tuple6 *f,
		       uint32_t *idx)
{
	struct key_five6 k;
	void *data;

	if (t->h_five6 == NULL)
		return -ENOENT;
	five6_key(&k, f);
	if (rte_hash_lookup_data(t->h_five6, &k, &data) < 0)
		return -ENOENT;
	*idx = (uint32_t)(uintptr_t)data;
	return 0;
}

int
dp_turn_lookup_relay6(const struct dp_turn_table *t, unsigned relay6_idx, uint16_t port,
		      uint32_t *idx)
{
	struct key_relay6 k;
	void *data;

	if (t->h_relay6 == NULL)
		return -ENOENT;
	relay6_key(&k, relay6_idx, port);
	if (rte_hash_lookup_data(t->h_relay6, &k, &data) < 0)
		return -ENOENT;
	*idx = (uint32_t)(uintptr_t)data;
	return 0;
}

bool
dp_turn_perm_check6(const struct dp_turn_table *t, uint32_t idx, const uint8_t *peer_ip,
		    uint64_t now)
{
	struct key_perm6 k;
	void *data;

	if (t->h_perm6 == NULL)
		return false;
	memset(&k, 0, sizeof(k));
	k.slot = idx;
	memcpy(k.ip, peer_ip, 16);
	if (rte_hash_lookup_data(t->h_perm6, &k, &data) < 0)
		return false;
	return now <= (uint64_t)(uintptr_t)data;
}

int
dp_turn_chan_by_num6(const struct dp_turn_table *t, uint32_t idx, uint16_t ch, uint64_t now,
		     uint8_t *peer_ip, uint16_t *peer_port)
{
	struct key_chnum k = { .slot = idx, .ch = ch };
	const struct key_chpeer6 *kp;
	void *data, *key;
	uint64_t d;

	if (t->h_chnum6 == NULL || rte_hash_lookup_data(t->h_chnum6, &k, &data) < 0)
		return -ENOENT;
	d = (uint64_t)(uintptr_t)data;
	if (!live16((uint16_t)(d >> 48), now))
		return -ENOENT;
	/* the key QSBR keeps in place until this reader's next quiescent state */
	if (rte_hash_get_key_with_position(t->h_chpeer6, (int32_t)(uint32_t)d, &key) != 0)
		return -ENOENT;
	kp = key;
	if (kp->slot != idx)
		return -ENOENT;
	memcpy(peer_ip, kp->ip, 16);
	*peer_port = kp->port;
	return 0;
}

int
dp_turn_chan_by_peer6(const struct dp_turn_table *t, uint32_t idx, const uint8_t *peer_ip,
		      uint16_t peer_port, uint64_t now, uint16_t *ch)
{
	struct key_chpeer6 k;
	void *data;
	uint64_t d;

	if (t->h_chpeer6 == NULL)
		return -ENOENT;
	chpeer6_key(&k, idx, peer_ip, peer_port);
	if (rte_hash_lookup_data(t->h_chpeer6, &k, &data) < 0)
		return -ENOENT;
	d = (uint64_t)(uintptr_t)data;
	if (!live16((uint16_t)(d >> 48), now))
		return -ENOENT;
	*ch = (uint16_t)d;
	return 0;
}
