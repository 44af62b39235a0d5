#include "dp_ice.h"

#include <errno.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "ct.h"
#include "dp_ctx.h"
#include "dp_ipc.h"

_Static_assert(GW_IPC_ICE_UFRAG == GW_ICE_UFRAG_MAX, "IPC ufrag size follows the wire limit");
_Static_assert(GW_IPC_ICE_PWD == GW_ICE_PWD_MAX, "IPC password size follows the wire limit");

#define SCAN_PER_TICK 64

enum leg_state {
	LEG_WAITING = 0,
	LEG_NOMINATING,      /* a worker is writing the peer address */
	LEG_NOMINATED,
	LEG_CONSENT_LOST,
};

struct dp_ice_leg {
	struct gw_ice_cred cred;       /* first: dp_ice_checked() converts back */
	uint32_t leg_id;
	uint16_t port;
	bool in_use;                   /* worker 0 only: published, not deleted */
	uint32_t state;                /* enum leg_state, __atomic */
	uint64_t last_ok;              /* TSC, __atomic relaxed */
	uint64_t created;
	uint32_t peer_ip;              /* valid once state is NOMINATED (IPv4) */
	uint16_t peer_port;
	uint8_t peer_family;           /* enum gw_ipc_family */
	uint8_t peer_ip6[16];          /* valid once state is NOMINATED (IPv6) */
	uint32_t free_next;            /* worker 0's free or pending list */
	int32_t key_pos;               /* deleted: key slot to free after the grace period */
	uint64_t token;                /* deleted: rte_rcu_qsbr token of the delete */
};

struct ice_table {
	struct rte_hash *h;
	struct rte_rcu_qsbr *qs;
	struct dp_ice_leg *legs;
	uint32_t cap;
	uint32_t free_head;            /* UINT32_MAX: none */
	uint32_t pend_head, pend_tail; /* deleted, waiting for readers (FIFO) */
	uint32_t scan;
};

static struct ice_table T;

/*
 * Deleted legs (and their key slots: RW_CONCURRENCY_LF never frees a slot on
 * delete) wait here until every worker has passed a quiescent state since
 * the delete; then the slot is freed, the credential wiped and the leg
 * reused. Worker 0 only, from its tick and before an add.
 */
static void
reclaim(void)
{
	while (T.pend_head != UINT32_MAX) {
		struct dp_ice_leg *l = &T.legs[T.pend_head];

		if (rte_rcu_qsbr_check(T.qs, l->token, false) != 1)
			return;
		T.pend_head = l->free_next;
		if (T.pend_head == UINT32_MAX)
			T.pend_tail = UINT32_MAX;
		rte_hash_free_key_with_position(T.h, l->key_pos);
		gw_ice_cred_fini(&l->cred);
		l->free_next = T.free_head;
		T.free_head = (uint32_t)(l - T.legs);
	}
}

static void
defer_free(struct dp_ice_leg *l, int32_t key_pos)
{
	uint32_t idx = (uint32_t)(l - T.legs);

	l->key_pos = key_pos;
	l->token = rte_rcu_qsbr_start(T.qs);
	l->free_next = UINT32_MAX;
	if (T.pend_tail == UINT32_MAX)
		T.pend_head = idx;
	else
		T.legs[T.pend_tail].free_next = idx;
	T.pend_tail = idx;
}

int
dp_ice_create(uint32_t entries, unsigned n_workers)
{
	struct rte_hash_parameters hp = {
		.name = "rtcgw_ice",
		.entries = entries,
		.key_len = GW_ICE_UFRAG_MAX,
		.hash_func = rte_hash_crc,
		.socket_id = SOCKET_ID_ANY,
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	size_t qsz = rte_rcu_qsbr_get_memsize(n_workers);

	T.cap = entries;
	T.legs = rte_zmalloc("rtcgw_ice_legs", sizeof(*T.legs) * entries, RTE_CACHE_LINE_SIZE);
	T.qs = rte_zmalloc("rtcgw_ice_qsbr", qsz, RTE_CACHE_LINE_SIZE);
	if (T.legs == NULL || T.qs == NULL || rte_rcu_qsbr_init(T.qs, n_workers) != 0)
		return -ENOMEM;
	T.h = rte_hash_create(&hp);
	if (T.h == NULL)
		return rte_errno == EEXIST ? -EEXIST : -ENOMEM;
	T.free_head = UINT32_MAX;
	T.pend_head = T.pend_tail = UINT32_MAX;
	for (uint32_t i = entries; i-- > 0;) {
		T.legs[i].free_next = T.free_head;
		T.free_head = i;
	}
	if (dp_ipc_on(GW_IPC_ICE_ADD_REQ, dp_ice_command) != 0 ||
	    dp_ipc_on(GW_IPC_ICE_DEL_REQ, dp_ice_command) != 0)
		return -EEXIST;
	return 0;
}

void
dp_ice_worker_start(struct dp_worker *w)
{
	if (T.qs == NULL)
		return;
	rte_rcu_qsbr_thread_register(T.qs, w->idx);
	rte_rcu_qsbr_thread_online(T.qs, w->idx);
}

void
dp_ice_quiescent(struct dp_worker *w)
{
	rte_rcu_qsbr_quiescent(T.qs, w->idx);
}

void
dp_ice_worker_stop(struct dp_worker *w)
{
	if (T.qs == NULL)
		return;
	rte_rcu_qsbr_thread_offline(T.qs, w->idx);
	rte_rcu_qsbr_thread_unregister(T.qs, w->idx);
}

static void
key_of(uint8_t key[GW_ICE_UFRAG_MAX], const void *ufrag, size_t len)
{
	memset(key, 0, GW_ICE_UFRAG_MAX);
	memcpy(key, ufrag, len);
}

/* The answer to an add or delete command. */
static void
event(struct dp_worker *w, uint32_t leg_id, uint16_t kind, int32_t status)
{
	struct gw_ipc_msg m = { .type = GW_IPC_ICE_EVENT, .status = status };

	m.u.ice_evt.leg_id = leg_id;
	m.u.ice_evt.kind = kind;
	dp_ipc_event(w, &m);
}

static int
add(const struct gw_ipc_ice_add *a)
{
	char lu[GW_ICE_UFRAG_MAX + 1] = "", ru[GW_ICE_UFRAG_MAX + 1] = "", pw[GW_ICE_PWD_MAX + 1] = "";
	uint8_t key[GW_ICE_UFRAG_MAX];
	struct dp_ice_leg *l;
	uint32_t idx;
	int rc;

	if (a->local_ufrag_len == 0 || a->local_ufrag_len > GW_ICE_UFRAG_MAX ||
	    a->remote_ufrag_len > GW_ICE_UFRAG_MAX || a->pwd_len == 0 ||
	    a->pwd_len > GW_ICE_PWD_MAX ||
	    memchr(a->local_ufrag, 0, a->local_ufrag_len) != NULL)
		return -EINVAL;
	for (uint32_t i = 0; i < T.cap; i++)
		if (T.legs[i].in_use && T.legs[i].leg_id == a->leg_id)
			return -EEXIST;
	if (T.free_head == UINT32_MAX)
		reclaim();
	if (T.free_head == UINT32_MAX)
		return -ENOSPC;
	memcpy(lu, a->local_ufrag, a->local_ufrag_len);
	memcpy(ru, a->remote_ufrag, a->remote_ufrag_len);
	memcpy(pw, a->pwd, a->pwd_len);
	idx = T.free_head;
	l = &T.legs[idx];
	rc = gw_ice_cred_init(&l->cred, lu, ru, pw);
	gw_wipe(pw, sizeof(pw));
	if (rc != 0)
		return rc;
	l->leg_id = a->leg_id;
	l->port = a->port;
	l->peer_ip = 0;
	l->peer_port = 0;
	l->peer_family = GW_IPC_FAMILY_IPV4;
	memset(l->peer_ip6, 0, sizeof(l->peer_ip6));
	l->created = rte_rdtsc();
	__atomic_store_n(&l->last_ok, l->created, __ATOMIC_RELAXED);
	__atomic_store_n(&l->state, LEG_WAITING, __ATOMIC_RELAXED);
	key_of(key, lu, a->local_ufrag_len);
	if (rte_hash_lookup(T.h, key) >= 0) {
		gw_ice_cred_fini(&l->cred);
		return -EEXIST;
	}
	/* Publishes l: the add is a release, lookups acquire. */
	rc = rte_hash_add_key_data(T.h, key, l);
	if (rc != 0) {
		gw_ice_cred_fini(&l->cred);
		return rc == -ENOSPC ? -ENOSPC : -EINVAL;
	}
	T.free_head = l->free_next;
	l->in_use = true;
	return 0;
}

/* Delete leg_id, or every leg when leg_id is 0. */
static int
del(uint32_t leg_id)
{
	uint8_t key[GW_ICE_UFRAG_MAX];
	int rc = leg_id == 0 ? 0 : -ENOENT;

	for (uint32_t i = 0; i < T.cap; i++) {
		struct dp_ice_leg *l = &T.legs[i];
		int32_t pos;

		if (!l->in_use || (leg_id != 0 && l->leg_id != leg_id))
			continue;
		key_of(key, l->cred.local_ufrag, l->cred.local_ufrag_len);
		l->in_use = false;
		pos = rte_hash_del_key(T.h, key);
		if (pos < 0)
			return -ENOENT;       /* cannot happen: in_use legs are keyed */
		/* Readers may still hold l: it stays intact until reclaim(). */
		defer_free(l, pos);
		if (leg_id != 0)
			return 0;
	}
	return rc;
}

void
dp_ice_command(struct dp_worker *w, struct gw_ipc_msg *q)
{
	int rc;

	if (q->type == GW_IPC_ICE_ADD_REQ) {
		uint32_t id = q->u.ice_add.leg_id;

		rc = w->idx == 0 && T.h != NULL ? add(&q->u.ice_add) : -EXDEV;
		gw_wipe(q->u.ice_add.pwd, sizeof(q->u.ice_add.pwd));
		if (rc == 0)
			DP_CNT(w, ICE_LEG_ADDED);
		else
			DP_CNT(w, ICE_LEG_ADD_FAILED);
		event(w, id, GW_IPC_ICE_ADDED, rc);
		return;
	}
	rc = w->idx == 0 && T.h != NULL ? del(q->u.ice_del.leg_id) : -EXDEV;
	if (rc == 0 && q->u.ice_del.leg_id != 0)
		DP_CNT(w, ICE_LEG_REMOVED);
	event(w, q->u.ice_del.leg_id, GW_IPC_ICE_REMOVED, rc);
}

const struct gw_ice_cred *
dp_ice_lookup(void *ctx, const uint8_t *ufrag, size_t len)
{
	uint8_t key[GW_ICE_UFRAG_MAX];
	void *data;
	const struct dp_ice_leg *l;

	if (len == 0 || len > GW_ICE_UFRAG_MAX || T.h == NULL)
		return NULL;
	key_of(key, ufrag, len);
	if (rte_hash_lookup_data(T.h, key, &data) < 0)
		return NULL;
	l = data;
	return l->port == *(const uint16_t *)ctx ? &l->cred : NULL;
}

/*
 * A check of either family: refresh consent, nominate on the first
 * USE-CANDIDATE. ip6 NULL: IPv4 peer_ip; else the IPv6 address (peer_ip 0).
 * Inlined into both entries, so the IPv4 one keeps its single compare.
 */
static inline void
checked(struct dp_worker *w, const struct gw_ice_cred *cred, uint32_t peer_ip,
	const uint8_t *ip6, uint16_t peer_port, bool use_candidate, uint32_t priority,
	uint64_t now)
{
	/* cred is the first member of a leg in T.legs */
	struct dp_ice_leg *l = (struct dp_ice_leg *)(uintptr_t)cred;
	uint8_t fam = ip6 != NULL ? GW_IPC_FAMILY_IPV6 : GW_IPC_FAMILY_IPV4;
	uint32_t st = LEG_WAITING;

	__atomic_store_n(&l->last_ok, now, __ATOMIC_RELAXED);
	if (!use_candidate)
		return;
	if (__atomic_compare_exchange_n(&l->state, &st, LEG_NOMINATING, false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED)) {
		struct gw_ipc_msg m = { .type = GW_IPC_ICE_EVENT };

		l->peer_ip = peer_ip;
		l->peer_port = peer_port;
		l->peer_family = fam;
		if (ip6 != NULL)
			memcpy(l->peer_ip6, ip6, 16);
		__atomic_store_n(&l->state, LEG_NOMINATED, __ATOMIC_RELEASE);
		DP_CNT(w, ICE_NOMINATED);
		m.u.ice_evt.leg_id = l->leg_id;
		m.u.ice_evt.kind = GW_IPC_ICE_NOMINATED;
		m.u.ice_evt.port = l->port;
		m.u.ice_evt.peer_ip = peer_ip;
		m.u.ice_evt.peer_port = peer_port;
		m.u.ice_evt.peer_family = fam;
		if (ip6 != NULL)
			memcpy(m.u.ice_evt.peer_ip6, ip6, 16);
		m.u.ice_evt.priority = priority;
		dp_ipc_event(w, &m);
		return;
	}
	if (st == LEG_NOMINATED &&
	    (l->peer_family != fam || l->peer_ip != peer_ip || l->peer_port != peer_port ||
	     (ip6 != NULL && memcmp(l->peer_ip6, ip6, 16) != 0)))
		DP_CNT(w, ICE_RENOMINATE_IGNORED);
}

void
dp_ice_checked(struct dp_worker *w, const struct gw_ice_cred *cred, uint32_t peer_ip,
	       uint16_t peer_port, bool use_candidate, uint32_t priority, uint64_t now)
{
	checked(w, cred, peer_ip, NULL, peer_port, use_candidate, priority, now);
}

void
dp_ice_checked6(struct dp_worker *w, const struct gw_ice_cred *cred, const uint8_t *peer_ip6,
		uint16_t peer_port, bool use_candidate, uint32_t priority, uint64_t now)
{
	checked(w, cred, 0, peer_ip6, peer_port, use_candidate, priority, now);
}

void
dp_ice_tick(struct dp_worker *w, uint64_t now)
{
	uint64_t limit;

	if (w->idx != 0 || T.h == NULL || T.cap == 0)
		return;
	reclaim();
	limit = (uint64_t)dp.conf->media.consent_timeout_s * dp.tsc_hz;
	for (unsigned n = 0; n < SCAN_PER_TICK; n++) {
		struct dp_ice_leg *l = &T.legs[T.scan];
		uint64_t last;
		uint32_t st;

		T.scan = T.scan + 1 == T.cap ? 0 : T.scan + 1;
		if (!l->in_use)
			continue;
		last = __atomic_load_n(&l->last_ok, __ATOMIC_RELAXED);
		if (now < last || now - last <= limit)
			continue;
		st = __atomic_load_n(&l->state, __ATOMIC_ACQUIRE);
		if ((st != LEG_WAITING && st != LEG_NOMINATED) ||
		    !__atomic_compare_exchange_n(&l->state, &st, LEG_CONSENT_LOST, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			continue;
		DP_CNT(w, ICE_CONSENT_LOST);
		{
			struct gw_ipc_msg m = { .type = GW_IPC_ICE_EVENT };

			m.u.ice_evt.leg_id = l->leg_id;
			m.u.ice_evt.kind = GW_IPC_ICE_CONSENT_LOST;
			m.u.ice_evt.port = l->port;
			m.u.ice_evt.peer_ip = st == LEG_NOMINATED ? l->peer_ip : 0;
			m.u.ice_evt.peer_port = st == LEG_NOMINATED ? l->peer_port : 0;
			if (st == LEG_NOMINATED && l->peer_family == GW_IPC_FAMILY_IPV6) {
				m.u.ice_evt.peer_family = GW_IPC_FAMILY_IPV6;
				memcpy(m.u.ice_evt.peer_ip6, l->peer_ip6, 16);
			}
			m.u.ice_evt.idle_ms = (uint32_t)RTE_MIN((now - last) * 1000 / dp.tsc_hz,
							       (uint64_t)UINT32_MAX);
			dp_ipc_event(w, &m);
		}
	}
}
