/*
 * test_turn_table: the TURN allocation/permission/channel tables under a
 * real EAL (--no-huge, no ports): lookups, the ChannelBind rules, expiry with
 * ports returned to the pool, relay port exhaustion (508), EVEN-PORT and
 * RESERVATION-TOKEN, quotas (486), 100k allocations, and a differential test
 * of random operations against a deliberately naive reference
 * (STYLE.md practice 14).
 *
 * EAL: --no-huge -m 512 --no-shconf (22.11 refuses --in-memory together with
 * -m under --no-huge: "--legacy-mem is not compatible with --in-memory").
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_memory.h>
#include <rte_lcore.h>

#include "dp_turn_table.h"
#include "dp_test_eal.h"
#include "stun.h"

#define IP(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))
#define RELAY0 IP(198, 18, 4, 1)
#define RELAY1 IP(198, 18, 4, 2)

static int table_seq;

static struct dp_turn_table *
mk(uint32_t max_allocs, uint16_t pmin, uint16_t pmax, uint32_t user_q, uint32_t ip_q)
{
	struct dp_turn_table_params p = { 0 };
	struct dp_turn_table *t = NULL;
	char name[16];

	snprintf(name, sizeof(name), "tt%d", table_seq++);
	p.name = name;
	p.socket_id = SOCKET_ID_ANY;
	p.max_allocs = max_allocs;
	p.max_perms = max_allocs * 4;
	p.max_chans = max_allocs * 2;
	p.port_min = pmin;
	p.port_max = pmax;
	p.relay_addrs[0] = RELAY0;
	p.relay_addrs[1] = RELAY1;
	p.n_relay_addrs = 2;
	p.n_owners = 2;
	p.user_quota = user_q;
	p.ip_quota = ip_q;
	p.max_readers = 4;
	assert_int_equal(dp_turn_table_create(&t, &p), 0);
	return t;
}

static struct dp_turn_alloc_req
req(uint32_t cip, uint16_t cport, uint64_t user)
{
	struct dp_turn_alloc_req r;

	memset(&r, 0, sizeof(r));
	r.five.client_ip = cip;
	r.five.client_port = cport;
	r.five.server_ip = RELAY0;
	r.five.server_port = 3478;
	r.lifetime_s = 600;
	r.user_key = user;
	r.txid[0] = (uint8_t)cport;
	return r;
}

/* ---- basics ------------------------------------------------------------------- */

static void
test_basic(void **state)
{
	struct dp_turn_table *t = mk(64, 50000, 50063, 0, 0);
	struct dp_turn_alloc_req r = req(IP(198, 18, 5, 10), 40000, 1);
	const struct dp_turn_alloc *a;
	uint32_t idx, got, pip = 0;
	uint16_t pport = 0, ch = 0;
	uint64_t now = 1000;

	(void)state;
	assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx, NULL), 0);
	assert_int_equal(dp_turn_table_count(t), 1);
	a = dp_turn_alloc_at(t, idx);
	assert_non_null(a);
	assert_int_equal(a->relay_ip, RELAY0);
	assert_true(a->relay_port >= 50000 && a->relay_port <= 50063);
	assert_int_equal(dp_turn_lookup_5tuple(t, &r.five, &got), 0);
	assert_int_equal(got, idx);
	assert_int_equal(dp_turn_lookup_relay(t, RELAY0, a->relay_port, &got), 0);
	assert_int_equal(got, idx);
	assert_int_equal(dp_turn_lookup_relay(t, RELAY1, a->relay_port, &got), -ENOENT);
	assert_int_equal(dp_turn_table_ports_free(t, 0), 63);
	/* same 5-tuple again: 437 */
	assert_int_equal(dp_turn_alloc_create(t, &r, now, &got, NULL), GW_STUN_ERR(437));
	/* wrong owner */
	assert_int_equal(dp_turn_perm_add(t, idx, 1, IP(203, 0, 113, 1), 300, now), -EPERM);
	assert_int_equal(dp_turn_perm_add(t, idx + 1, 0, IP(203, 0, 113, 1), 300, now), -ENOENT);
	assert_int_equal(dp_turn_perm_add(t, 64, 0, IP(203, 0, 113, 1), 300, now), -EINVAL);

	/* permissions: by IP only, expire on time */
	assert_false(dp_turn_perm_check(t, idx, IP(203, 0, 113, 1), now));
	assert_int_equal(dp_turn_perm_add(t, idx, 0, IP(203, 0, 113, 1), 300, now), 0);
	assert_true(dp_turn_perm_check(t, idx, IP(203, 0, 113, 1), now + 300));
	assert_false(dp_turn_perm_check(t, idx, IP(203, 0, 113, 1), now + 301));
	assert_false(dp_turn_perm_check(t, idx, IP(203, 0, 113, 2), now));
	/* refresh extends it */
	assert_int_equal(dp_turn_perm_add(t, idx, 0, IP(203, 0, 113, 1), 300, now + 200), 0);
	assert_true(dp_turn_perm_check(t, idx, IP(203, 0, 113, 1), now + 450));
	for (unsigned i = 1; i < DP_TURN_PERMS_PER_ALLOC; i++)
		assert_int_equal(dp_turn_perm_add(t, idx, 0, IP(203, 0, 114, i), 300, now), 0);
	assert_int_equal(dp_turn_perm_add(t, idx, 0, IP(203, 0, 115, 1), 300, now),
			 GW_STUN_ERR(508));

	/* channels: both lookups, the §12.2 rules */
	assert_int_equal(dp_turn_chan_bind(t, idx, 0, 0x4000, IP(203, 0, 113, 1), 5000, 600, now), 0);
	assert_int_equal(dp_turn_chan_by_num(t, idx, 0x4000, now, &pip, &pport), 0);
	assert_int_equal(pip, IP(203, 0, 113, 1));
	assert_int_equal(pport, 5000);
	assert_int_equal(dp_turn_chan_by_peer(t, idx, IP(203, 0, 113, 1), 5000, now, &ch), 0);
	assert_int_equal(ch, 0x4000);
	assert_int_equal(dp_turn_chan_by_peer(t, idx, IP(203, 0, 113, 1), 5001, now, &ch), -ENOENT);
	/* number to another peer, peer to another number: 400 */
	assert_int_equal(dp_turn_chan_bind(t, idx, 0, 0x4000, IP(203, 0, 113, 1), 5001, 600, now),
			 GW_STUN_ERR(400));
	assert_int_equal(dp_turn_chan_bind(t, idx, 0, 0x4001, IP(203, 0, 113, 1), 5000, 600, now),
			 GW_STUN_ERR(400));
	assert_int_equal(dp_turn_chan_bind(t, idx, 0, 0x3fff, IP(203, 0, 113, 9), 5000, 600, now),
			 GW_STUN_ERR(400));
	assert_int_equal(dp_turn_chan_bind(t, idx, 0, 0x8000, IP(203, 0, 113, 9), 5000, 600, now),
			 GW_STUN_ERR(400));
	/* same pair refreshes */
	assert_int_equal(dp_turn_chan_bind(t, idx, 0, 0x4000, IP(203, 0, 113, 1), 5000, 600,
					   now + 100), 0);
	assert_int_equal(dp_turn_chan_by_num(t, idx, 0x4000, now + 700, &pip, &pport), 0);
	assert_int_equal(dp_turn_chan_by_num(t, idx, 0x4000, now + 701, &pip, &pport), -ENOENT);

	/* refresh, lifetime 0 deletes */
	assert_int_equal(dp_turn_alloc_refresh(t, idx, 0, 60, now), 0);
	assert_true(dp_turn_alloc_live(a, now + 60));
	assert_false(dp_turn_alloc_live(a, now + 61));
	assert_int_equal(dp_turn_alloc_refresh(t, idx, 0, 0, now), 0);
	assert_int_equal(dp_turn_table_count(t), 0);
	assert_int_equal(dp_turn_lookup_5tuple(t, &r.five, &got), -ENOENT);
	assert_false(dp_turn_perm_check(t, idx, IP(203, 0, 113, 1), now));
	assert_int_equal(dp_turn_chan_by_num(t, idx, 0x4000, now, &pip, &pport), -ENOENT);
	assert_int_equal(dp_turn_alloc_delete(t, idx, 0), -ENOENT);
	(void)dp_turn_table_tick(t, 0, now, 16);       /* reclaim: no readers registered */
	assert_int_equal(dp_turn_table_ports_free(t, 0), 64);
	dp_turn_table_free(t);
}

/* ---- expiry ---------------------------------------------------------------------- */

static void
test_expiry(void **state)
{
	struct dp_turn_table *t = mk(32, 50000, 50031, 0, 0);
	uint32_t idx[8], got, pip;
	uint16_t pport;
	uint64_t now = 5000;

	(void)state;
	for (unsigned i = 0; i < 8; i++) {
		struct dp_turn_alloc_req r = req(IP(198, 18, 5, 10), (uint16_t)(40000 + i), 1);

		r.lifetime_s = 100 + 100 * (i % 2);   /* even: 100 s, odd: 200 s */
		assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx[i], NULL), 0);
	}
	assert_int_equal(dp_turn_perm_add(t, idx[1], 0, IP(8, 8, 8, 8), 50, now), 0);
	assert_int_equal(dp_turn_chan_bind(t, idx[1], 0, 0x4abc, IP(8, 8, 8, 8), 53, 60, now), 0);
	/* nothing expires at now + 100 */
	assert_int_equal(dp_turn_table_tick(t, 0, now + 100, 100), 8);
	assert_int_equal(dp_turn_table_count(t), 8);
	/* budget bounds the work per tick */
	assert_int_equal(dp_turn_table_tick(t, 0, now + 101, 3), 3);
	(void)dp_turn_table_tick(t, 0, now + 101, 100);
	assert_int_equal(dp_turn_table_count(t), 4);
	(void)dp_turn_table_tick(t, 0, now + 101, 100);
	assert_int_equal(dp_turn_table_ports_free(t, 0), 32 - 4);
	/* the permission went at +51, the channel stays in cool-down until 60 + 300 */
	assert_false(dp_turn_perm_check(t, idx[1], IP(8, 8, 8, 8), now + 101));
	assert_int_equal(dp_turn_chan_by_num(t, idx[1], 0x4abc, now + 101, &pip, &pport), -ENOENT);
	assert_int_equal(dp_turn_chan_bind(t, idx[1], 0, 0x4abc, IP(8, 8, 8, 9), 53, 60, now + 101),
			 GW_STUN_ERR(400));                 /* cooling */
	assert_int_equal(dp_turn_alloc_refresh(t, idx[1], 0, 1000, now + 101), 0);
	(void)dp_turn_table_tick(t, 0, now + 361, 100);
	assert_int_equal(dp_turn_chan_bind(t, idx[1], 0, 0x4abc, IP(8, 8, 8, 9), 53, 60, now + 361),
			 0);                                /* cool-down over */
	(void)dp_turn_table_tick(t, 0, now + 201, 100);
	assert_int_equal(dp_turn_table_count(t), 1);
	assert_int_equal(dp_turn_table_expired(t, 0), 7);      /* 4 at +101, 3 at +201 */
	assert_int_equal(dp_turn_lookup_5tuple(t, &dp_turn_alloc_at(t, idx[3])->five, &got), -ENOENT);
	(void)dp_turn_table_tick(t, 0, now + 2000, 100);
	(void)dp_turn_table_tick(t, 0, now + 2000, 100);
	assert_int_equal(dp_turn_table_count(t), 0);
	assert_int_equal(dp_turn_table_ports_free(t, 0), 32);
	dp_turn_table_free(t);
}

/* ---- ports: exhaustion, EVEN-PORT, RESERVATION-TOKEN ------------------------------ */

static void
test_ports(void **state)
{
	struct dp_turn_table *t = mk(64, 50001, 50008, 0, 0);   /* 8 ports, odd start */
	struct dp_turn_alloc_req r;
	uint32_t idx[9], x;
	uint64_t tok = 0, now = 100;
	uint16_t seen[8] = { 0 };

	(void)state;
	for (unsigned i = 0; i < 8; i++) {
		r = req(IP(198, 18, 5, 10), (uint16_t)(40000 + i), i);
		assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx[i], NULL), 0);
		x = dp_turn_alloc_at(t, idx[i])->relay_port;
		assert_true(x >= 50001 && x <= 50008);
		assert_int_equal(seen[x - 50001], 0);
		seen[x - 50001] = 1;
	}
	r = req(IP(198, 18, 5, 10), 40100, 99);
	assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx[8], NULL), GW_STUN_ERR(508));
	assert_int_equal(dp_turn_table_count(t), 8);
	/* the other relay address still has ports */
	r.relay_idx = 1;
	assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx[8], NULL), 0);
	assert_int_equal(dp_turn_alloc_at(t, idx[8])->relay_ip, RELAY1);
	/* free two, reclaim: an even pair with the R bit fits */
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(dp_turn_alloc_delete(t, idx[i], 0), 0);
	(void)dp_turn_table_tick(t, 0, now, 1);
	assert_int_equal(dp_turn_table_ports_free(t, 0), 8);
	r = req(IP(198, 18, 5, 11), 1, 7);
	r.even_port = true;
	r.reserve_next = true;
	assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx[0], &tok), 0);
	x = dp_turn_alloc_at(t, idx[0])->relay_port;
	assert_int_equal(x % 2, 0);
	assert_true(tok != 0);
	assert_int_equal(dp_turn_table_ports_free(t, 0), 6);
	/* a token is bound to the user it was issued to: another user's 508 */
	r = req(IP(198, 18, 5, 12), 2, 8);
	r.has_token = true;
	r.token = tok;
	assert_int_equal(dp_turn_alloc_create(t, &r, now + 1, &idx[1], NULL), GW_STUN_ERR(508));
	/* the same user from another client redeems it: gets port + 1 */
	r = req(IP(198, 18, 5, 12), 2, 7);
	r.has_token = true;
	r.token = tok;
	assert_int_equal(dp_turn_alloc_create(t, &r, now + 1, &idx[1], NULL), 0);
	assert_int_equal(dp_turn_alloc_at(t, idx[1])->relay_port, x + 1);
	/* a token works once */
	r.five.client_port = 3;
	assert_int_equal(dp_turn_alloc_create(t, &r, now + 1, &idx[2], NULL), GW_STUN_ERR(508));
	r.token = 12345;
	assert_int_equal(dp_turn_alloc_create(t, &r, now + 1, &idx[2], NULL), GW_STUN_ERR(508));
	/* an unredeemed reservation expires and returns its port */
	r = req(IP(198, 18, 5, 13), 4, 9);
	r.even_port = true;
	r.reserve_next = true;
	assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx[2], &tok), 0);
	assert_int_equal(dp_turn_table_ports_free(t, 0), 4);
	(void)dp_turn_table_tick(t, 0, now + DP_TURN_RESERVE_S + 1, 0);
	assert_int_equal(dp_turn_table_ports_free(t, 0), 5);
	r = req(IP(198, 18, 5, 14), 5, 9);
	r.has_token = true;
	r.token = tok;
	assert_int_equal(dp_turn_alloc_create(t, &r, now + 40, &idx[3], NULL), GW_STUN_ERR(508));
	/* argument errors */
	r = req(IP(198, 18, 5, 14), 6, 9);
	r.reserve_next = true;
	assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx[3], &tok), -EINVAL);
	r = req(IP(198, 18, 5, 14), 6, 9);
	r.owner = 2;
	assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx[3], NULL), -EINVAL);
	r.owner = 0;
	r.relay_idx = 2;
	assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx[3], NULL), -EINVAL);
	/* 3 even ports of 50002..50008 left minus used; exhaust even pairs */
	dp_turn_table_free(t);
}

/* Many RTP/RTCP pairs (EVEN-PORT with the R bit) within one reservation
 * lifetime: none is refused (the reservation FIFO once held 64, and the
 * 65th pair in 30 s got 508); past the FIFO's size the oldest reservation
 * is retired early (its token no longer redeems) and the newest still works. */
static void
test_many_reservations(void **state)
{
	const unsigned n = 5000;
	struct dp_turn_table *t = mk(n + 8, 30000, 59999, 0, 0);
	struct dp_turn_alloc_req r;
	uint64_t tok, first = 0, last = 0, now = 100;
	uint32_t idx;

	(void)state;
	for (unsigned i = 0; i < n; i++) {
		r = req(IP(198, 18, 6, (uint8_t)(i % 200 + 1)), (uint16_t)(1000 + i), 7);
		r.even_port = true;
		r.reserve_next = true;
		assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx, &tok), 0);
		if (i == 0)
			first = tok;
		last = tok;
		/* the RTP allocation goes; its reservation stays */
		assert_int_equal(dp_turn_alloc_delete(t, idx, 0), 0);
	}
	r = req(IP(198, 18, 6, 250), 1, 7);
	r.has_token = true;
	r.token = first;
	assert_int_equal(dp_turn_alloc_create(t, &r, now + 1, &idx, NULL), GW_STUN_ERR(508));
	r.token = last;
	assert_int_equal(dp_turn_alloc_create(t, &r, now + 1, &idx, NULL), 0);
	/* only as many as needed were retired: the last 4096 still hold ports
	 * (the deleted RTP allocations' ports are back after the grace period) */
	(void)dp_turn_table_tick(t, 0, now + 1, 0);
	assert_int_equal(dp_turn_table_ports_free(t, 0), 30000 - 4096);
	dp_turn_table_free(t);
}

/* ---- quotas ------------------------------------------------------------------------- */

static void
test_quotas(void **state)
{
	struct dp_turn_table *t = mk(6, 50000, 50999, 2, 3);
	struct dp_turn_alloc_req r;
	uint32_t idx[8];

	(void)state;
	/* per user: 2 */
	r = req(IP(198, 18, 5, 1), 1, 0xa11ce);
	assert_int_equal(dp_turn_alloc_create(t, &r, 0, &idx[0], NULL), 0);
	r = req(IP(198, 18, 5, 2), 1, 0xa11ce);
	assert_int_equal(dp_turn_alloc_create(t, &r, 0, &idx[1], NULL), 0);
	r = req(IP(198, 18, 5, 3), 1, 0xa11ce);
	assert_int_equal(dp_turn_alloc_create(t, &r, 0, &idx[2], NULL), GW_STUN_ERR(486));
	/* per IP: 3 (198.18.5.1 has one) */
	r = req(IP(198, 18, 5, 1), 2, 0xb0b);
	assert_int_equal(dp_turn_alloc_create(t, &r, 0, &idx[2], NULL), 0);
	r = req(IP(198, 18, 5, 1), 3, 0xca201);
	assert_int_equal(dp_turn_alloc_create(t, &r, 0, &idx[3], NULL), 0);
	r = req(IP(198, 18, 5, 1), 4, 0xd0d);
	assert_int_equal(dp_turn_alloc_create(t, &r, 0, &idx[4], NULL), GW_STUN_ERR(486));
	/* deleting frees the user's quota */
	assert_int_equal(dp_turn_alloc_delete(t, idx[0], 0), 0);
	r = req(IP(198, 18, 5, 3), 1, 0xa11ce);
	assert_int_equal(dp_turn_alloc_create(t, &r, 0, &idx[0], NULL), 0);
	/* total: 6 */
	r = req(IP(198, 18, 5, 4), 1, 0xe1);
	assert_int_equal(dp_turn_alloc_create(t, &r, 0, &idx[4], NULL), 0);
	r = req(IP(198, 18, 5, 5), 1, 0xe2);
	assert_int_equal(dp_turn_alloc_create(t, &r, 0, &idx[5], NULL), 0);
	assert_int_equal(dp_turn_table_count(t), 6);
	r = req(IP(198, 18, 5, 6), 1, 0xe3);
	assert_int_equal(dp_turn_alloc_create(t, &r, 0, &idx[6], NULL), GW_STUN_ERR(486));
	assert_int_equal(dp_turn_table_count(t), 6);
	dp_turn_table_free(t);
}

/* ---- scale: 100k allocations ----------------------------------------------------------- */

static void
test_scale(void **state)
{
	const uint32_t n = 100000;
	struct dp_turn_table *t = mk(n, 1024, 65535, 0, 0);  /* 2 x 64512 relay ports */
	struct dp_turn_alloc_req r;
	uint32_t idx, got;

	(void)state;
	for (uint32_t i = 0; i < n; i++) {
		r = req(IP(100, 64, 0, 0) + i / 50000, (uint16_t)(1 + i % 50000), i);
		r.relay_idx = (uint8_t)(i % 2);
		r.owner = (uint16_t)(i % 2);
		if (dp_turn_alloc_create(t, &r, 0, &idx, NULL) != 0)
			fail_msg("allocation %u failed", i);
		if (i % 7 == 0)
			assert_int_equal(dp_turn_perm_add(t, idx, r.owner, IP(8, 8, 4, 4), 300, 0), 0);
	}
	assert_int_equal(dp_turn_table_count(t), n);
	for (uint32_t i = 0; i < n; i += 997) {
		const struct dp_turn_alloc *a;

		r = req(IP(100, 64, 0, 0) + i / 50000, (uint16_t)(1 + i % 50000), i);
		assert_int_equal(dp_turn_lookup_5tuple(t, &r.five, &got), 0);
		a = dp_turn_alloc_at(t, got);
		assert_int_equal(a->user_key, i);
		assert_int_equal(dp_turn_lookup_relay(t, a->relay_ip, a->relay_port, &idx), 0);
		assert_int_equal(idx, got);
		assert_int_equal(dp_turn_perm_check(t, got, IP(8, 8, 4, 4), 1), i % 7 == 0);
	}
	/* everything expires, in bounded ticks */
	for (unsigned k = 0; k < 100 && dp_turn_table_count(t) > 0; k++) {
		(void)dp_turn_table_tick(t, 0, 10000, 2000);
		(void)dp_turn_table_tick(t, 1, 10000, 2000);
	}
	assert_int_equal(dp_turn_table_count(t), 0);
	dp_turn_table_free(t);
}

/* ---- differential test against a naive reference ----------------------------------------- */

#define REF_N     48
#define REF_PEERS 6

struct ref_alloc {
	bool live;
	uint32_t idx;                 /* table index */
	uint16_t owner;
	uint16_t cport;
	uint64_t exp;
	uint64_t perm_exp[REF_PEERS];        /* 0 = none */
	struct { bool used; uint16_t peer; uint64_t exp; } chan[REF_PEERS * 2];  /* ch 0x4000+i */
};

static uint64_t rng = 0x243f6a8885a308d3ull;

static uint32_t
rnd(uint32_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static uint32_t
peer_ip(unsigned p)
{
	return IP(203, 0, 113, 10 + p / 2);   /* two ports per IP */
}

static uint16_t
peer_port(unsigned p)
{
	return (uint16_t)(6000 + p % 2);
}

static void
ref_expire(struct ref_alloc *ref, uint64_t now)
{
	for (unsigned i = 0; i < REF_N; i++) {
		struct ref_alloc *a = &ref[i];

		if (!a->live)
			continue;
		if (now > a->exp) {
			a->live = false;
			continue;
		}
		for (unsigned p = 0; p < REF_PEERS; p++)
			if (a->perm_exp[p] != 0 && a->perm_exp[p] < now)
				a->perm_exp[p] = 0;
		for (unsigned c = 0; c < REF_PEERS * 2; c++)
			if (a->chan[c].used && a->chan[c].exp + DP_TURN_CHAN_COOLDOWN_S < now)
				a->chan[c].used = false;
	}
}

/* The burst path's bulk lookup of every slot's 5-tuple (and one nobody
 * holds) agrees with the lookups one by one. */
static void
compare_bulk(struct dp_turn_table *t, const struct ref_alloc *ref)
{
	struct dp_turn_5tuple f[REF_N + 1];
	uint32_t bulk[REF_N + 1], one, rip[REF_N + 1];
	uint16_t rport[REF_N + 1];
	unsigned found = 0;

	for (unsigned i = 0; i <= REF_N; i++)
		f[i] = (struct dp_turn_5tuple){ IP(198, 18, 5, 100), RELAY0,
						i < REF_N ? ref[i].cport : 65535, 3478, 0 };
	for (unsigned i = 0; i <= REF_N; i++)
		found += dp_turn_lookup_5tuple(t, &f[i], &one) == 0;
	assert_int_equal(dp_turn_lookup_5tuple_bulk(t, f, REF_N + 1, bulk), found);
	for (unsigned i = 0; i <= REF_N; i++) {
		if (dp_turn_lookup_5tuple(t, &f[i], &one) != 0)
			one = DP_TURN_NONE;
		if (bulk[i] != one)
			fail_msg("5-tuple %u: bulk %u, one by one %u", i, bulk[i], one);
	}
	/* the relayed addresses of the slots' last allocations (some gone since,
	 * their ports free or taken again) and one no allocation has */
	for (unsigned i = 0; i <= REF_N; i++) {
		const struct dp_turn_alloc *a = dp_turn_alloc_at(t, i < REF_N ? ref[i].idx : 0);

		rip[i] = i < REF_N ? a->relay_ip : RELAY0;
		rport[i] = i < REF_N ? a->relay_port : 1;
	}
	found = 0;
	for (unsigned i = 0; i <= REF_N; i++)
		found += dp_turn_lookup_relay(t, rip[i], rport[i], &one) == 0;
	assert_int_equal(dp_turn_lookup_relay_bulk(t, rip, rport, REF_N + 1, bulk), found);
	for (unsigned i = 0; i <= REF_N; i++) {
		if (dp_turn_lookup_relay(t, rip[i], rport[i], &one) != 0)
			one = DP_TURN_NONE;
		if (bulk[i] != one)
			fail_msg("relay %u: bulk %u, one by one %u", i, bulk[i], one);
	}
}

static void
compare(struct dp_turn_table *t, struct ref_alloc *ref, uint64_t now)
{
	uint32_t live = 0;

	compare_bulk(t, ref);

	for (unsigned i = 0; i < REF_N; i++) {
		struct ref_alloc *a = &ref[i];
		struct dp_turn_5tuple f = { IP(198, 18, 5, 100), RELAY0, a->cport, 3478, 0 };
		uint32_t got;
		int lk = dp_turn_lookup_5tuple(t, &f, &got);

		if (!a->live) {
			if (a->cport != 0 && lk == 0 && dp_turn_alloc_live(dp_turn_alloc_at(t, got), now))
				fail_msg("slot %u: dead in ref, live in table", i);
			continue;
		}
		live++;
		assert_int_equal(lk, 0);
		assert_int_equal(got, a->idx);
		assert_true(dp_turn_alloc_live(dp_turn_alloc_at(t, got), now));
		for (unsigned p = 0; p < REF_PEERS; p += 2) {
			bool want = a->perm_exp[p] != 0 && now <= a->perm_exp[p];

			if (dp_turn_perm_check(t, got, peer_ip(p), now) != want)
				fail_msg("slot %u peer %u: perm mismatch", i, p);
			/* the owner's reader of the allocation's arrays agrees */
			if (dp_turn_perm_check_own(dp_turn_alloc_at(t, got), peer_ip(p), now) != want)
				fail_msg("slot %u peer %u: owner perm mismatch", i, p);
		}
		for (unsigned c = 0; c < REF_PEERS * 2; c++) {
			uint32_t ip = 0;
			uint16_t port = 0, ch = 0;
			bool want = a->chan[c].used && now <= a->chan[c].exp;
			int e = dp_turn_chan_by_num(t, got, (uint16_t)(0x4000 + c), now, &ip, &port);

			if ((e == 0) != want)
				fail_msg("slot %u ch %u: by_num %d want %d", i, c, e, want);
			{
				uint32_t ip2 = 0;
				uint16_t port2 = 0;
				int e2 = dp_turn_chan_by_num_own(dp_turn_alloc_at(t, got),
								 (uint16_t)(0x4000 + c), now, &ip2,
								 &port2);

				if (e2 != e || ip2 != ip || port2 != port)
					fail_msg("slot %u ch %u: owner by_num %d want %d", i, c, e2, e);
			}
			if (a->chan[c].used) {
				/* by peer: the owner's scan agrees with the hash */
				uint16_t ch1 = 0, ch2 = 0;
				unsigned pr = a->chan[c].peer;
				int e1 = dp_turn_chan_by_peer(t, got, peer_ip(pr), peer_port(pr), now,
							      &ch1);
				int e2 = dp_turn_chan_by_peer_own(dp_turn_alloc_at(t, got),
								  peer_ip(pr), peer_port(pr), now,
								  &ch2);

				if (e1 != e2 || ch1 != ch2)
					fail_msg("slot %u ch %u: owner by_peer %d/%x want %d/%x", i, c,
						 e2, ch2, e1, ch1);
			}
			if (want) {
				assert_int_equal(ip, peer_ip(a->chan[c].peer));
				assert_int_equal(port, peer_port(a->chan[c].peer));
				assert_int_equal(dp_turn_chan_by_peer(t, got, ip, port, now, &ch), 0);
				assert_int_equal(ch, 0x4000 + c);
			}
		}
	}
	assert_int_equal(dp_turn_table_count(t), live);
}

static void
test_differential(void **state)
{
	struct dp_turn_table *t = mk(REF_N, 50000, 50000 + REF_N - 1, 0, 0);
	struct ref_alloc ref[REF_N];
	uint64_t now = 100000;
	uint16_t next_port = 1;
	unsigned n_create = 0, n_bind = 0, n_bind400 = 0, n_del = 0;

	(void)state;
	memset(ref, 0, sizeof(ref));
	for (unsigned step = 0; step < 20000; step++) {
		unsigned i = rnd(REF_N);
		struct ref_alloc *a = &ref[i];
		unsigned op = rnd(10);

		if (op == 0) {
			now += rnd(120);
			ref_expire(ref, now);
			for (unsigned k = 0; k < 4; k++) {
				(void)dp_turn_table_tick(t, 0, now, REF_N);
				(void)dp_turn_table_tick(t, 1, now, REF_N);
			}
		} else if (!a->live) {
			struct dp_turn_alloc_req r = req(IP(198, 18, 5, 100), next_port, i);
			int e;

			r.owner = (uint16_t)(i % 2);
			r.lifetime_s = 60 + rnd(600);
			e = dp_turn_alloc_create(t, &r, now, &a->idx, NULL);
			if (e != 0)
				fail_msg("step %u: create %d (count %u)", step, e, dp_turn_table_count(t));
			memset(a, 0, sizeof(*a));
			n_create++;
			a->live = true;
			(void)dp_turn_lookup_5tuple(t, &r.five, &a->idx);
			a->owner = r.owner;
			a->cport = next_port++;
			a->exp = now + r.lifetime_s;
			if (next_port == 0)
				next_port = 1;
		} else if (op == 1) {
			uint32_t lt = rnd(4) == 0 ? 0 : 60 + rnd(600);

			assert_int_equal(dp_turn_alloc_refresh(t, a->idx, a->owner, lt, now), 0);
			if (lt == 0) {
				a->live = false;
				n_del++;
			}
			else
				a->exp = now + lt;
		} else if (op <= 5) {
			unsigned p = rnd(REF_PEERS) & ~1u;   /* even p: the IP's first port */

			assert_int_equal(dp_turn_perm_add(t, a->idx, a->owner, peer_ip(p), 300, now), 0);
			a->perm_exp[p] = now + 300;
			a->perm_exp[p + 1] = now + 300;
		} else {
			unsigned c = rnd(REF_PEERS * 2), p = rnd(REF_PEERS), j;
			int want = 0, e;

			for (j = 0; j < REF_PEERS * 2; j++) {
				if (!a->chan[j].used)
					continue;
				if ((j == c) != (a->chan[j].peer == p)) {
					want = GW_STUN_ERR(400);
					break;
				}
			}
			if (want == 0 && !a->chan[c].used) {
				unsigned n = 0;

				for (j = 0; j < REF_PEERS * 2; j++)
					n += a->chan[j].used;
				if (n == DP_TURN_CHANS_PER_ALLOC)
					want = GW_STUN_ERR(508);
			}
			e = dp_turn_chan_bind(t, a->idx, a->owner, (uint16_t)(0x4000 + c), peer_ip(p),
					      peer_port(p), 600, now);
			if (e != want)
				fail_msg("step %u: bind %d want %d", step, e, want);
			n_bind400 += e == GW_STUN_ERR(400);
			if (e == 0) {
				n_bind++;
				a->chan[c].used = true;
				a->chan[c].peer = (uint16_t)p;
				a->chan[c].exp = now + 600;
			}
		}
		compare(t, ref, now);
	}
	/* the random walk reached every path */
	assert_true(n_create > 500 && n_del > 100 && n_bind > 1000 && n_bind400 > 100);
	assert_true(n_create > REF_N * 4);        /* slots and ports were reused */
	dp_turn_table_free(t);
}

/* ---- IPv6 (RFC 6156) ---------------------------------------------------------- */

static const uint8_t R6_0[16] = { 0x20, 0x01, 0, 2, 0, 0, 0, 0x66, [15] = 2 };
static const uint8_t C6_A[16] = { 0x20, 0x01, 0, 2, 0, 0, 0, 0x66, [15] = 0x10 };
static const uint8_t C6_B[16] = { 0x20, 0x01, 0, 2, 0, 0, 0, 0x66, [14] = 1, [15] = 0x10 };
static const uint8_t C6_X[16] = { 0x20, 0x01, 0, 2, 0, 0, 0, 0x99, [15] = 0x10 };
static const uint8_t P6_A[16] = { 0x20, 0x01, 0, 2, 0, 0, 0, 0x67, [15] = 2 };
static const uint8_t P6_B[16] = { 0x20, 0x01, 0, 2, 0, 0, 0, 0x67, [15] = 3 };

/* Port 0 has IPv6, port 1 does not. */
static struct dp_turn_table *
mk6(uint32_t max_allocs, uint16_t pmin, uint16_t pmax, uint32_t ip_q)
{
	struct dp_turn_table_params p = { 0 };
	struct dp_turn_table *t = NULL;
	char name[16];

	snprintf(name, sizeof(name), "tt%d", table_seq++);
	p.name = name;
	p.socket_id = SOCKET_ID_ANY;
	p.max_allocs = max_allocs;
	p.max_perms = max_allocs * 4;
	p.max_chans = max_allocs * 2;
	p.port_min = pmin;
	p.port_max = pmax;
	p.relay_addrs[0] = RELAY0;
	p.relay_addrs[1] = RELAY1;
	p.n_relay_addrs = 2;
	memcpy(p.relay_addrs6[0], R6_0, 16);
	p.relay6_mask = 1;
	p.n_owners = 2;
	p.ip_quota = ip_q;
	p.max_readers = 4;
	assert_int_equal(dp_turn_table_create(&t, &p), 0);
	return t;
}

static struct dp_turn_alloc_req
req6(const uint8_t *cip, uint16_t cport, uint8_t af)
{
	struct dp_turn_alloc_req r;

	memset(&r, 0, sizeof(r));
	r.client6 = true;
	memcpy(r.five6.client_ip, cip, 16);
	memcpy(r.five6.server_ip, R6_0, 16);
	r.five6.client_port = cport;
	r.five6.server_port = 3478;
	r.af = af;
	r.lifetime_s = 600;
	r.user_key = 7;
	return r;
}

/*
 * IPv6 clients and relays: lookups in their own tables (the IPv4 ones do not
 * see them), IPv6 permissions and channels (one channel number space for both
 * families), an IPv4 client with an IPv6 relay, a dual allocation (two
 * ports), the /64 quota, EVEN-PORT R and its token on IPv6, expiry and ports
 * coming back, an IPv4-only table refusing IPv6.
 */
static void
test_ipv6(void **state)
{
	struct dp_turn_table *t = mk6(16, 50000, 50007, 2);
	struct dp_turn_alloc_req r = req6(C6_A, 4000, DP_TURN_AF_IPV6), r4, rd, rx;
	const struct dp_turn_alloc *a;
	uint32_t idx, idx4, idxd, got, pip;
	uint16_t pport, ch, dport4;
	uint8_t ip6[16];
	uint64_t now = 1000, tok = 0;

	(void)state;
	/* an IPv6 client with an IPv6 relay */
	assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx, NULL), 0);
	a = dp_turn_alloc_at(t, idx);
	assert_int_equal(a->af, DP_TURN_AF_IPV6);
	assert_true(a->client6);
	assert_int_equal(a->relay6_idx, 0);
	assert_true(a->relay6_port >= 50000 && a->relay6_port <= 50007);
	assert_memory_equal(dp_turn_relay6_addr(t, 0), R6_0, 16);
	assert_null(dp_turn_relay6_addr(t, 1));
	assert_memory_equal(dp_turn_alloc6_at(t, idx)->five6.client_ip, C6_A, 16);
	assert_int_equal(dp_turn_lookup_5tuple6(t, &r.five6, &got), 0);
	assert_int_equal(got, idx);
	assert_int_equal(dp_turn_lookup_relay6(t, 0, a->relay6_port, &got), 0);
	assert_int_equal(got, idx);
	/* not in the IPv4 tables */
	assert_int_equal(dp_turn_lookup_relay(t, RELAY0, a->relay6_port, &got), -ENOENT);
	assert_int_equal(dp_turn_alloc_create(t, &r, now, &got, NULL), GW_STUN_ERR(437));
	/* IPv6 relay on a relay index without IPv6; R bit with a dual allocation */
	rx = req6(C6_B, 4001, DP_TURN_AF_IPV6);
	rx.relay6_idx = 1;
	assert_int_equal(dp_turn_alloc_create(t, &rx, now, &got, NULL), -EINVAL);
	rx.relay6_idx = 0;
	rx.af = DP_TURN_AF_IPV4 | DP_TURN_AF_IPV6;
	rx.even_port = rx.reserve_next = true;
	assert_int_equal(dp_turn_alloc_create(t, &rx, now, &got, &tok), -EINVAL);

	/* IPv6 permissions and channels, their own per-allocation budget */
	assert_false(dp_turn_perm_check6(t, idx, P6_A, now));
	assert_int_equal(dp_turn_perm_add6(t, idx, 1, P6_A, 300, now), -EPERM);
	assert_int_equal(dp_turn_perm_add6(t, idx, 0, P6_A, 300, now), 0);
	assert_true(dp_turn_perm_check6(t, idx, P6_A, now + 300));
	assert_false(dp_turn_perm_check6(t, idx, P6_A, now + 301));
	assert_false(dp_turn_perm_check6(t, idx, P6_B, now));
	assert_int_equal(dp_turn_chan_bind6(t, idx, 0, 0x4001, P6_A, 3480, 600, now), 0);
	assert_int_equal(dp_turn_chan_by_num6(t, idx, 0x4001, now, ip6, &pport), 0);
	assert_memory_equal(ip6, P6_A, 16);
	assert_int_equal(pport, 3480);
	assert_int_equal(dp_turn_chan_by_peer6(t, idx, P6_A, 3480, now, &ch), 0);
	assert_int_equal(ch, 0x4001);
	assert_int_equal(dp_turn_chan_by_peer6(t, idx, P6_A, 3481, now, &ch), -ENOENT);
	/* not an IPv4 channel */
	assert_int_equal(dp_turn_chan_by_num(t, idx, 0x4001, now, &pip, &pport), -ENOENT);
	/* §12.2 rules: number or peer moving, refresh, one number space for both families */
	assert_int_equal(dp_turn_chan_bind6(t, idx, 0, 0x4001, P6_B, 3480, 600, now),
			 GW_STUN_ERR(400));
	assert_int_equal(dp_turn_chan_bind6(t, idx, 0, 0x4002, P6_A, 3480, 600, now),
			 GW_STUN_ERR(400));
	assert_int_equal(dp_turn_chan_bind6(t, idx, 0, 0x4001, P6_A, 3480, 600, now + 100), 0);
	assert_int_equal(dp_turn_chan_by_num6(t, idx, 0x4001, now + 650, ip6, &pport), 0);
	assert_int_equal(dp_turn_chan_bind(t, idx, 0, 0x4001, IP(203, 0, 113, 1), 9, 600, now),
			 GW_STUN_ERR(400));
	assert_int_equal(dp_turn_chan_bind(t, idx, 0, 0x4003, IP(203, 0, 113, 1), 9, 600, now), 0);
	assert_int_equal(dp_turn_chan_bind6(t, idx, 0, 0x4003, P6_B, 9, 600, now),
			 GW_STUN_ERR(400));
	for (unsigned i = 1; i < DP_TURN_PERMS6_PER_ALLOC; i++) {
		uint8_t p[16];

		memcpy(p, P6_B, 16);
		p[14] = (uint8_t)i;
		assert_int_equal(dp_turn_perm_add6(t, idx, 0, p, 300, now), 0);
	}
	assert_int_equal(dp_turn_perm_add6(t, idx, 0, P6_B, 300, now), GW_STUN_ERR(508));

	/* an IPv4 client with an IPv6 relay, and a dual allocation */
	r4 = req(IP(198, 18, 5, 10), 40000, 1);
	r4.af = DP_TURN_AF_IPV6;
	assert_int_equal(dp_turn_alloc_create(t, &r4, now, &idx4, NULL), 0);
	a = dp_turn_alloc_at(t, idx4);
	assert_false(a->client6);
	assert_int_equal(a->af, DP_TURN_AF_IPV6);
	assert_int_equal(dp_turn_lookup_5tuple(t, &r4.five, &got), 0);
	assert_int_equal(got, idx4);
	rd = req6(C6_B, 4002, DP_TURN_AF_IPV4 | DP_TURN_AF_IPV6);
	rd.even_port = true;
	assert_int_equal(dp_turn_alloc_create(t, &rd, now, &idxd, NULL), 0);
	a = dp_turn_alloc_at(t, idxd);
	assert_int_equal(a->af, DP_TURN_AF_IPV4 | DP_TURN_AF_IPV6);
	assert_int_equal(a->relay_ip, RELAY0);
	assert_int_equal(a->relay_port % 2, 0);
	assert_int_equal(a->relay6_port % 2, 0);
	dport4 = a->relay_port;
	assert_int_equal(dp_turn_lookup_relay(t, RELAY0, a->relay_port, &got), 0);
	assert_int_equal(got, idxd);
	assert_int_equal(dp_turn_lookup_relay6(t, 0, a->relay6_port, &got), 0);
	assert_int_equal(got, idxd);
	assert_int_equal(dp_turn_table_ports_free(t, 0), 7);
	/* the per-IP quota counts an IPv6 client's /64: C6_A and C6_B share it */
	rx = req6(C6_B, 4003, DP_TURN_AF_IPV6);
	assert_int_equal(dp_turn_alloc_create(t, &rx, now, &got, NULL), GW_STUN_ERR(486));
	rx = req6(C6_X, 4003, DP_TURN_AF_IPV6);
	assert_int_equal(dp_turn_alloc_create(t, &rx, now, &got, NULL), 0);
	assert_int_equal(dp_turn_alloc_delete(t, got, 0), 0);

	/* EVEN-PORT R on IPv6: the token brings back an IPv6 port */
	rx = req6(C6_X, 4004, DP_TURN_AF_IPV6);
	rx.even_port = rx.reserve_next = true;
	assert_int_equal(dp_turn_alloc_create(t, &rx, now, &got, &tok), 0);
	pport = dp_turn_alloc_at(t, got)->relay6_port;
	assert_int_equal(pport % 2, 0);
	rx = req6(C6_X, 4005, 0);
	rx.has_token = true;
	rx.token = tok;
	assert_int_equal(dp_turn_alloc_create(t, &rx, now, &got, NULL), 0);
	a = dp_turn_alloc_at(t, got);
	assert_int_equal(a->af, DP_TURN_AF_IPV6);
	assert_int_equal(a->relay6_port, pport + 1);

	/* delete and expiry: every key of the allocations goes, their ports come back */
	assert_int_equal(dp_turn_alloc_delete(t, idxd, 0), 0);
	assert_int_equal(dp_turn_lookup_relay(t, RELAY0, dport4, &got), -ENOENT);
	(void)dp_turn_table_tick(t, 0, now + 601, 64);
	assert_int_equal(dp_turn_lookup_5tuple6(t, &r.five6, &got), -ENOENT);
	assert_false(dp_turn_perm_check6(t, idx, P6_A, now));
	assert_int_equal(dp_turn_chan_by_num6(t, idx, 0x4001, now, ip6, &pport), -ENOENT);
	assert_int_equal(dp_turn_lookup_5tuple(t, &r4.five, &got), -ENOENT);
	assert_int_equal(dp_turn_table_count(t), 0);
	(void)dp_turn_table_tick(t, 0, now + 700, 64);
	(void)dp_turn_table_tick(t, 1, now + 700, 64);
	assert_int_equal(dp_turn_table_ports_free(t, 0), 8);
	/* slots and ports are usable again */
	r = req6(C6_A, 4000, DP_TURN_AF_IPV6);
	assert_int_equal(dp_turn_alloc_create(t, &r, now + 700, &idx, NULL), 0);
	dp_turn_table_free(t);
	/* an IPv4-only table refuses IPv6 */
	t = mk(4, 50000, 50003, 0, 0);
	assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx, NULL), -EINVAL);
	assert_int_equal(dp_turn_alloc_create(t, &r4, now, &idx, NULL), -EINVAL);
	assert_int_equal(dp_turn_lookup_5tuple6(t, &r.five6, &got), -ENOENT);
	assert_int_equal(dp_turn_perm_add6(t, 0, 0, P6_A, 300, now), -EINVAL);
	dp_turn_table_free(t);
}


/*
 * Many relay addresses (ports[].relay_addresses: DP_TURN_MAX_RELAY_ADDRS in
 * one table): allocations spread over them by relay_idx, each relayed on its
 * address, found by (relayed address, port); the same port on two addresses
 * is two allocations; one address running out of ports leaves the others
 * alone; an IPv6 relay (index 0, one per port) next to a high IPv4 index;
 * too many addresses or an IPv6 index past DP_TURN_MAX_RELAY6_ADDRS refused.
 */
static void
test_many_relay_addrs(void **state)
{
	const unsigned n = DP_TURN_MAX_RELAY_ADDRS, per = 8;
	struct dp_turn_table_params p = { 0 };
	struct dp_turn_table *t = NULL;
	struct dp_turn_alloc_req r;
	uint32_t idx, got, first = 0;
	uint16_t port0 = 0;
	uint64_t now = 100;
	char name[16];

	(void)state;
	snprintf(name, sizeof(name), "tt%d", table_seq++);
	p.name = name;
	p.socket_id = SOCKET_ID_ANY;
	p.max_allocs = n * per + 8;
	p.max_perms = p.max_allocs;
	p.max_chans = p.max_allocs;
	p.port_min = 50000;
	p.port_max = (uint16_t)(50000 + per - 1);
	for (unsigned i = 0; i < n; i++)
		p.relay_addrs[i] = IP(198, 18, 4, 100 + i);
	p.n_relay_addrs = n + 1;
	p.n_owners = 1;
	p.max_readers = 2;
	assert_int_equal(dp_turn_table_create(&t, &p), -EINVAL);     /* 65 addresses */
	p.n_relay_addrs = n;
	p.relay6_mask = 1u << DP_TURN_MAX_RELAY6_ADDRS;
	assert_int_equal(dp_turn_table_create(&t, &p), -EINVAL);     /* IPv6 index 4 */
	memcpy(p.relay_addrs6[0], R6_0, 16);
	p.relay6_mask = 1;
	assert_int_equal(dp_turn_table_create(&t, &p), 0);

	/* every address's whole port range, round-robin over the addresses */
	for (unsigned k = 0; k < n * per; k++) {
		const struct dp_turn_alloc *a;

		r = req(IP(198, 18, 5, 10 + k / 1000), (uint16_t)(10000 + k % 1000), k);
		r.relay_idx = (uint8_t)(k % n);
		assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx, NULL), 0);
		a = dp_turn_alloc_at(t, idx);
		assert_int_equal(a->relay_idx, k % n);
		assert_int_equal(a->relay_ip, IP(198, 18, 4, 100 + k % n));
		assert_int_equal(dp_turn_lookup_relay(t, a->relay_ip, a->relay_port, &got), 0);
		assert_int_equal(got, idx);
		if (k == 0) {
			first = idx;
			port0 = a->relay_port;
		}
	}
	assert_int_equal(dp_turn_table_count(t), n * per);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(dp_turn_table_ports_free(t, i), 0);
	assert_int_equal(dp_turn_table_ports_free(t, n), 0);         /* no such index */
	/* the same port on another address is another allocation; an address
	 * that is not ours finds nothing */
	assert_int_equal(dp_turn_lookup_relay(t, IP(198, 18, 4, 100), port0, &got), 0);
	assert_int_equal(got, first);
	assert_int_equal(dp_turn_lookup_relay(t, IP(198, 18, 4, 100 + n), port0, &got), -ENOENT);
	/* address 5 full: 508; a relay index past the table: -EINVAL */
	r = req(IP(198, 18, 6, 1), 1, 1);
	r.relay_idx = 5;
	assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx, NULL), GW_STUN_ERR(508));
	r.relay_idx = (uint8_t)n;
	assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx, NULL), -EINVAL);
	/* one allocation freed on address 63: its port comes back there only */
	assert_int_equal(dp_turn_lookup_relay(t, IP(198, 18, 4, 100 + n - 1), 50000, &got), 0);
	assert_int_equal(dp_turn_alloc_delete(t, got, 0), 0);
	/* the port comes back through the grace period, on the owner's tick */
	(void)dp_turn_table_tick(t, 0, now, 100);
	(void)dp_turn_table_tick(t, 0, now, 100);
	assert_int_equal(dp_turn_table_ports_free(t, n - 1), 1);
	assert_int_equal(dp_turn_table_ports_free(t, n - 2), 0);
	r.relay_idx = (uint8_t)(n - 1);
	assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx, NULL), 0);
	assert_int_equal(dp_turn_alloc_at(t, idx)->relay_ip, IP(198, 18, 4, 100 + n - 1));
	assert_int_equal(dp_turn_alloc_at(t, idx)->relay_port, 50000);
	/* IPv6 relay index 0 is the first port's, whatever the IPv4 index */
	assert_memory_equal(dp_turn_relay6_addr(t, 0), R6_0, 16);
	assert_null(dp_turn_relay6_addr(t, DP_TURN_MAX_RELAY6_ADDRS));
	assert_int_equal(dp_turn_table_ports6_free(t, 0), per);
	dp_turn_table_free(t);
}

/*
 * RFC 8656 §7.3 / RFC 6156: one family of a dual allocation deleted (a
 * Refresh with REQUESTED-ADDRESS-FAMILY and LIFETIME 0): its relay key,
 * permissions and channels go at once, its port after a grace period; the
 * other family keeps relaying; the last family deletes the allocation.
 */
static void
test_drop_family(void **state)
{
	struct dp_turn_table *t = mk6(8, 50000, 50007, 0);
	struct dp_turn_alloc_req r = req6(C6_A, 4000, DP_TURN_AF_IPV4 | DP_TURN_AF_IPV6), r2;
	const struct dp_turn_alloc *a;
	uint32_t idx, idx2, got, pip;
	uint16_t pport, port4, port6, ch;
	uint8_t ip6[16];
	uint64_t now = 1000;

	(void)state;
	assert_int_equal(dp_turn_alloc_create(t, &r, now, &idx, NULL), 0);
	a = dp_turn_alloc_at(t, idx);
	port4 = a->relay_port;
	port6 = a->relay6_port;
	assert_int_equal(dp_turn_table_ports_free(t, 0), 7);
	assert_int_equal(dp_turn_table_ports6_free(t, 0), 7);
	assert_int_equal(dp_turn_perm_add(t, idx, 0, IP(203, 0, 113, 1), 300, now), 0);
	assert_int_equal(dp_turn_chan_bind(t, idx, 0, 0x4001, IP(203, 0, 113, 1), 9, 600, now), 0);
	assert_int_equal(dp_turn_perm_add6(t, idx, 0, P6_A, 300, now), 0);
	assert_int_equal(dp_turn_chan_bind6(t, idx, 0, 0x4002, P6_A, 3480, 600, now), 0);

	/* bad arguments, another owner */
	assert_int_equal(dp_turn_alloc_drop_family(t, idx, 0, 3), -EINVAL);
	assert_int_equal(dp_turn_alloc_drop_family(t, idx, 1, DP_TURN_AF_IPV6), -EPERM);

	/* the IPv6 family goes: its keys now, its port after the grace period */
	assert_int_equal(dp_turn_alloc_drop_family(t, idx, 0, DP_TURN_AF_IPV6), 0);
	assert_int_equal(a->af, DP_TURN_AF_IPV4);
	assert_int_equal(dp_turn_lookup_relay6(t, 0, port6, &got), -ENOENT);
	assert_false(dp_turn_perm_check6(t, idx, P6_A, now));
	assert_int_equal(dp_turn_chan_by_num6(t, idx, 0x4002, now, ip6, &pport), -ENOENT);
	assert_int_equal(dp_turn_chan_by_peer6(t, idx, P6_A, 3480, now, &ch), -ENOENT);
	assert_int_equal(dp_turn_alloc_drop_family(t, idx, 0, DP_TURN_AF_IPV6), -EAFNOSUPPORT);
	/* the IPv4 family is untouched */
	assert_int_equal(dp_turn_lookup_relay(t, RELAY0, port4, &got), 0);
	assert_int_equal(got, idx);
	assert_true(dp_turn_perm_check(t, idx, IP(203, 0, 113, 1), now));
	assert_int_equal(dp_turn_chan_by_num(t, idx, 0x4001, now, &pip, &pport), 0);
	assert_int_equal(dp_turn_lookup_5tuple6(t, &r.five6, &got), 0);
	assert_int_equal(dp_turn_table_count(t), 1);
	(void)dp_turn_table_tick(t, 0, now + 1, 64);
	(void)dp_turn_table_tick(t, 1, now + 1, 64);
	assert_int_equal(dp_turn_table_ports6_free(t, 0), 8);
	assert_int_equal(dp_turn_table_ports_free(t, 0), 7);

	/* the other way round on a second dual allocation */
	r2 = req6(C6_B, 4001, DP_TURN_AF_IPV4 | DP_TURN_AF_IPV6);
	assert_int_equal(dp_turn_alloc_create(t, &r2, now, &idx2, NULL), 0);
	a = dp_turn_alloc_at(t, idx2);
	port4 = a->relay_port;
	port6 = a->relay6_port;
	assert_int_equal(dp_turn_alloc_drop_family(t, idx2, 0, DP_TURN_AF_IPV4), 0);
	assert_int_equal(a->af, DP_TURN_AF_IPV6);
	assert_int_equal(dp_turn_lookup_relay(t, RELAY0, port4, &got), -ENOENT);
	assert_int_equal(dp_turn_lookup_relay6(t, 0, port6, &got), 0);
	(void)dp_turn_table_tick(t, 0, now + 2, 64);
	(void)dp_turn_table_tick(t, 1, now + 2, 64);
	assert_int_equal(dp_turn_table_ports_free(t, 0), 7);
	assert_int_equal(dp_turn_table_ports6_free(t, 0), 7);

	/* the last family deletes the allocation: every port back, once */
	assert_int_equal(dp_turn_alloc_drop_family(t, idx2, 0, DP_TURN_AF_IPV6), 0);
	assert_int_equal(dp_turn_lookup_5tuple6(t, &r2.five6, &got), -ENOENT);
	assert_int_equal(dp_turn_alloc_delete(t, idx, 0), 0);
	assert_int_equal(dp_turn_table_count(t), 0);
	(void)dp_turn_table_tick(t, 0, now + 3, 64);
	(void)dp_turn_table_tick(t, 1, now + 3, 64);
	assert_int_equal(dp_turn_table_ports_free(t, 0), 8);
	assert_int_equal(dp_turn_table_ports6_free(t, 0), 8);
	dp_turn_table_free(t);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_many_reservations),
		cmocka_unit_test(test_quotas),
		cmocka_unit_test(test_differential),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_drop_family),
		cmocka_unit_test(test_many_relay_addrs),
		cmocka_unit_test(test_scale),
	};
	int rc;

	(void)argc;
	(void)argv;
	if (dp_test_eal_init("test_turn_table", "rtt-unit", 512) != 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	dp_test_eal_fini("rtt-unit");
	return rc;
}
