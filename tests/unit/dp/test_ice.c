/*
 * test_ice: the dataplane's ICE credentials table (dataplane/dp_ice.c) on a
 * real EAL (--no-huge, no ports): add/lookup/delete over the IPC command
 * messages, duplicates and bad commands refused, a check refreshing consent,
 * the first USE-CANDIDATE nominating once, the consent timer, the flush a
 * fresh control plane sends, and reuse of reclaimed legs.
 *
 * dp_ipc_event() is replaced here: events land in an array the tests read;
 * dp_ipc_on() (the command table) records what dp_ice registers.
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

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_malloc.h>

#include "dp_ctx.h"
#include "dp_ice.h"
#include "dp_ipc.h"
#include "dp_test_eal.h"

#define LEGS 64

struct dp_ctx dp;
int dp_logtype;

static struct gw_config conf;
static struct dp_worker *w0;
static struct gw_ipc_msg evts[512];
static unsigned n_evts;

void
dp_ipc_event(struct dp_worker *w, struct gw_ipc_msg *m)
{
	(void)w;
	if (n_evts < sizeof(evts) / sizeof(evts[0]))
		evts[n_evts++] = *m;
}

static dp_ipc_cmd_fn *registered[GW_IPC_TYPE_MAX];

int
dp_ipc_on(uint16_t type, dp_ipc_cmd_fn *fn)
{
	if (type >= GW_IPC_TYPE_MAX || registered[type] != NULL)
		return -EEXIST;
	registered[type] = fn;
	return 0;
}

static const struct gw_ipc_ice_evt *
last_evt(uint16_t kind, int32_t *status)
{
	for (unsigned i = n_evts; i-- > 0;)
		if (evts[i].u.ice_evt.kind == kind) {
			if (status != NULL)
				*status = evts[i].status;
			return &evts[i].u.ice_evt;
		}
	return NULL;
}

static int32_t
cmd_add(uint32_t id, uint16_t port, const char *lu, const char *ru, const char *pw)
{
	struct gw_ipc_msg m = { .version = GW_IPC_VERSION, .type = GW_IPC_ICE_ADD_REQ };
	int32_t st = 1;

	m.u.ice_add.leg_id = id;
	m.u.ice_add.port = port;
	m.u.ice_add.local_ufrag_len = (uint8_t)strlen(lu);
	m.u.ice_add.remote_ufrag_len = (uint8_t)strlen(ru);
	m.u.ice_add.pwd_len = (uint8_t)strlen(pw);
	memcpy(m.u.ice_add.local_ufrag, lu, strlen(lu));
	memcpy(m.u.ice_add.remote_ufrag, ru, strlen(ru));
	memcpy(m.u.ice_add.pwd, pw, strlen(pw));
	dp_ice_command(w0, &m);
	for (size_t i = 0; i < sizeof(m.u.ice_add.pwd); i++)
		assert_int_equal(m.u.ice_add.pwd[i], 0);      /* wiped */
	assert_non_null(last_evt(GW_IPC_ICE_ADDED, &st));
	assert_int_equal(evts[n_evts - 1].u.ice_evt.leg_id, id);
	return st;
}

static int32_t
cmd_del(uint32_t id)
{
	struct gw_ipc_msg m = { .version = GW_IPC_VERSION, .type = GW_IPC_ICE_DEL_REQ };
	int32_t st = 1;

	m.u.ice_del.leg_id = id;
	dp_ice_command(w0, &m);
	assert_non_null(last_evt(GW_IPC_ICE_REMOVED, &st));
	return st;
}

static const struct gw_ice_cred *
find(const char *ufrag, uint16_t port)
{
	return dp_ice_lookup(&port, (const uint8_t *)ufrag, strlen(ufrag));
}

static void
add_lookup_delete(void **state)
{
	const struct gw_ice_cred *c;

	(void)state;
	n_evts = 0;
	assert_int_equal(cmd_add(1, 40000, "ufragA", "remoteA", "passwordpasswordpassword"), 0);
	c = find("ufragA", 40000);
	assert_non_null(c);
	assert_int_equal(c->remote_ufrag_len, 7);
	assert_null(find("ufragA", 40002));            /* another media port */
	assert_null(find("ufrag", 40000));
	assert_null(find("ufragAB", 40000));
	/* refused: same id, same ufrag, empty ufrag, password too long */
	assert_int_equal(cmd_add(1, 40000, "other", "", "passwordpasswordpassword"), -EEXIST);
	assert_int_equal(cmd_add(2, 40000, "ufragA", "", "passwordpasswordpassword"), -EEXIST);
	assert_int_equal(cmd_add(3, 40000, "", "", "passwordpasswordpassword"), -EINVAL);
	assert_int_equal(w0->cnt[GW_CNT_ICE_LEG_ADDED], 1);
	assert_int_equal(w0->cnt[GW_CNT_ICE_LEG_ADD_FAILED], 3);
	assert_int_equal(cmd_del(1), 0);
	assert_null(find("ufragA", 40000));
	assert_int_equal(cmd_del(1), -ENOENT);
	assert_int_equal(w0->cnt[GW_CNT_ICE_LEG_REMOVED], 1);
}

static void
nominate_and_consent(void **state)
{
	const struct gw_ice_cred *c;
	const struct gw_ipc_ice_evt *e;
	uint64_t now = rte_rdtsc();
	uint64_t limit = (uint64_t)conf.media.consent_timeout_s * dp.tsc_hz;

	(void)state;
	n_evts = 0;
	memset(w0->cnt, 0, sizeof(w0->cnt));
	assert_int_equal(cmd_add(7, 40010, "nomU", "", "passwordpasswordpassword"), 0);
	c = find("nomU", 40010);
	assert_non_null(c);
	/* a plain check refreshes consent but does not nominate */
	dp_ice_checked(w0, c, 0xc6120301, 5000, false, 1, now);
	assert_null(last_evt(GW_IPC_ICE_NOMINATED, NULL));
	/* the first USE-CANDIDATE nominates, once */
	dp_ice_checked(w0, c, 0xc6120301, 5001, true, 99, now);
	e = last_evt(GW_IPC_ICE_NOMINATED, NULL);
	assert_non_null(e);
	assert_int_equal(e->leg_id, 7);
	assert_int_equal(e->peer_ip, 0xc6120301);
	assert_int_equal(e->peer_port, 5001);
	assert_int_equal(e->port, 40010);
	assert_int_equal(e->priority, 99);
	dp_ice_checked(w0, c, 0xc6120301, 5002, true, 99, now);
	dp_ice_checked(w0, c, 0xc6120301, 5001, true, 99, now);
	assert_int_equal(w0->cnt[GW_CNT_ICE_NOMINATED], 1);
	assert_int_equal(w0->cnt[GW_CNT_ICE_RENOMINATE_IGNORED], 1);
	/* within the timeout: nothing; after it: consent lost, once */
	for (unsigned i = 0; i < LEGS; i++)
		dp_ice_tick(w0, now + limit);
	assert_null(last_evt(GW_IPC_ICE_CONSENT_LOST, NULL));
	for (unsigned i = 0; i < LEGS; i++)
		dp_ice_tick(w0, now + limit + dp.tsc_hz);
	e = last_evt(GW_IPC_ICE_CONSENT_LOST, NULL);
	assert_non_null(e);
	assert_int_equal(e->leg_id, 7);
	assert_int_equal(e->peer_port, 5001);
	assert_true(e->idle_ms >= conf.media.consent_timeout_s * 1000u);
	for (unsigned i = 0; i < LEGS; i++)
		dp_ice_tick(w0, now + 2 * limit);
	assert_int_equal(w0->cnt[GW_CNT_ICE_CONSENT_LOST], 1);
	/* a leg never checked loses consent too (ICE never completed) */
	assert_int_equal(cmd_add(8, 40010, "silent", "", "passwordpasswordpassword"), 0);
	for (unsigned i = 0; i < LEGS; i++)
		dp_ice_tick(w0, rte_rdtsc() + limit + dp.tsc_hz);
	e = last_evt(GW_IPC_ICE_CONSENT_LOST, NULL);
	assert_int_equal(e->leg_id, 8);
	assert_int_equal(e->peer_ip, 0);
	assert_int_equal(cmd_del(7), 0);
	assert_int_equal(cmd_del(8), 0);
}

/* ICE over IPv6: the nomination carries the family and the 16-byte address,
 * IPv6 checks keep consent, a check from another family after the
 * nomination is ignored, and consent loss names the IPv6 peer. */
static void
nominate_and_consent6(void **state)
{
	static const uint8_t a6[16] = { 0x20, 0x01, 0, 0x02, 0, 0, 0, 0x72, [15] = 0x10 };
	uint8_t b6[16];
	const struct gw_ice_cred *c;
	const struct gw_ipc_ice_evt *e;
	uint64_t now = rte_rdtsc();
	uint64_t limit = (uint64_t)conf.media.consent_timeout_s * dp.tsc_hz;

	(void)state;
	n_evts = 0;
	memset(w0->cnt, 0, sizeof(w0->cnt));
	assert_int_equal(cmd_add(9, 40012, "v6U", "", "passwordpasswordpassword"), 0);
	c = find("v6U", 40012);
	assert_non_null(c);
	dp_ice_checked6(w0, c, a6, 6000, false, 1, now);
	assert_null(last_evt(GW_IPC_ICE_NOMINATED, NULL));
	dp_ice_checked6(w0, c, a6, 6001, true, 77, now);
	e = last_evt(GW_IPC_ICE_NOMINATED, NULL);
	assert_non_null(e);
	assert_int_equal(e->leg_id, 9);
	assert_int_equal(e->peer_family, GW_IPC_FAMILY_IPV6);
	assert_memory_equal(e->peer_ip6, a6, 16);
	assert_int_equal(e->peer_ip, 0);
	assert_int_equal(e->peer_port, 6001);
	assert_int_equal(e->port, 40012);
	assert_int_equal(e->priority, 77);
	/* the same peer again: nothing; another IPv6 address, or an IPv4 one
	 * (both 0 in the IPv4 field): renomination ignored */
	dp_ice_checked6(w0, c, a6, 6001, true, 77, now);
	memcpy(b6, a6, 16);
	b6[15] = 0x11;
	dp_ice_checked6(w0, c, b6, 6001, true, 77, now);
	dp_ice_checked(w0, c, 0, 6001, true, 77, now);
	assert_int_equal(w0->cnt[GW_CNT_ICE_NOMINATED], 1);
	assert_int_equal(w0->cnt[GW_CNT_ICE_RENOMINATE_IGNORED], 2);
	/* consent kept by IPv6 checks: one at now + limit / 2 moves the deadline */
	dp_ice_checked6(w0, c, a6, 6001, false, 77, now + limit / 2);
	for (unsigned i = 0; i < LEGS; i++)
		dp_ice_tick(w0, now + limit + dp.tsc_hz);
	assert_null(last_evt(GW_IPC_ICE_CONSENT_LOST, NULL));
	for (unsigned i = 0; i < LEGS; i++)
		dp_ice_tick(w0, now + limit / 2 + limit + dp.tsc_hz);
	e = last_evt(GW_IPC_ICE_CONSENT_LOST, NULL);
	assert_non_null(e);
	assert_int_equal(e->leg_id, 9);
	assert_int_equal(e->peer_family, GW_IPC_FAMILY_IPV6);
	assert_memory_equal(e->peer_ip6, a6, 16);
	assert_int_equal(e->peer_port, 6001);
	assert_int_equal(w0->cnt[GW_CNT_ICE_CONSENT_LOST], 1);
	assert_int_equal(cmd_del(9), 0);
	/* a reused slot starts IPv4 again */
	assert_int_equal(cmd_add(10, 40012, "v4again", "", "passwordpasswordpassword"), 0);
	c = find("v4again", 40012);
	dp_ice_checked(w0, c, 0xc6120302, 5005, true, 1, now);
	e = last_evt(GW_IPC_ICE_NOMINATED, NULL);
	assert_int_equal(e->leg_id, 10);
	assert_int_equal(e->peer_family, GW_IPC_FAMILY_IPV4);
	assert_int_equal(e->peer_ip, 0xc6120302);
	assert_int_equal(cmd_del(10), 0);
}

static void
flush_and_reuse(void **state)
{
	char u[16];

	(void)state;
	n_evts = 0;
	dp_ice_quiescent(w0);          /* the legs the tests above deleted */
	/* fill the table, flush it (leg 0), and fill it again: legs come
	 * back once every reader passed a quiescent state */
	for (int round = 0; round < 3; round++) {
		for (unsigned i = 0; i < LEGS; i++) {
			snprintf(u, sizeof(u), "u%ur%d", i, round);
			assert_int_equal(cmd_add(100 + i, 40000, u, "", "passwordpasswordpassword"), 0);
		}
		assert_int_equal(cmd_add(999, 40000, "onemore", "", "passwordpasswordpassword"),
				 -ENOSPC);
		assert_int_equal(cmd_del(0), 0);
		assert_null(find(u, 40000));
		/* not before the reader passed a quiescent state */
		assert_int_equal(cmd_add(998, 40000, "early", "", "passwordpasswordpassword"),
				 -ENOSPC);
		dp_ice_quiescent(w0);
		/* the next adds reclaim what the deletes queued */
	}
}

static void
wrong_worker(void **state)
{
	struct dp_worker w1 = { .idx = 1 };
	struct gw_ipc_msg m = { .version = GW_IPC_VERSION, .type = GW_IPC_ICE_ADD_REQ };
	int32_t st = 0;

	(void)state;
	m.u.ice_add.leg_id = 5;
	dp_ice_command(&w1, &m);
	assert_non_null(last_evt(GW_IPC_ICE_ADDED, &st));
	assert_int_equal(st, -EXDEV);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_lookup_delete),
		cmocka_unit_test(nominate_and_consent),
		cmocka_unit_test(nominate_and_consent6),
		cmocka_unit_test(flush_and_reuse),
		cmocka_unit_test(wrong_worker),
	};
	int rc;

	(void)argc;
	(void)argv;
	if (dp_test_eal_init("test_ice", "rti-unit", 256) != 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	gw_config_defaults(&conf);
	conf.media.consent_timeout_s = 5;
	dp.conf = &conf;
	dp.tsc_hz = rte_get_tsc_hz();
	w0 = rte_zmalloc("w0", sizeof(*w0), RTE_CACHE_LINE_SIZE);
	if (w0 == NULL || dp_ice_create(LEGS, 1) != 0) {
		fprintf(stderr, "setup failed\n");
		return 1;
	}
	/* the ICE commands reach dp_ice through the IPC table, not a switch */
	if (registered[GW_IPC_ICE_ADD_REQ] != dp_ice_command ||
	    registered[GW_IPC_ICE_DEL_REQ] != dp_ice_command) {
		fprintf(stderr, "dp_ice did not register its commands\n");
		return 1;
	}
	dp_ice_worker_start(w0);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	dp_ice_worker_stop(w0);
	dp_test_eal_fini("rti-unit");
	return rc;
}
