/*
 * gw_reload unit tests: reload diffing (issue 11). Every key of the config
 * changed on its own, as YAML text through the real parser: the diff names
 * exactly that key, as live or as needing a restart; applying copies only
 * the live ones; a file that differs only in layout is no change;
 * turn.max_allocations is live up to the start-up value only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gw_config.h"
#include "gw_reload.h"

static const char base[] =
	"dataplane:\n"
	"  lcores: [1]\n"
	"  busy_poll: false\n"
	"  idle_sleep_us: 100\n"
	"  mbufs: 16383\n"
	"  memory_mb: 512\n"
	"  hugepage_dir: /dev/hugepages-rtcgw\n"
	"  file_prefix: rtcgw\n"
	"  arp_timeout_s: 300\n"
	"  ports:\n"
	"    - {name: p0, device: d0, address: 198.18.0.2/24, mtu: 1500,\n"
	"       address6: '2001:2:0:60::2/64', gateway6: 'fe80::1',\n"
	"       relay_addresses: [198.18.0.13, 198.18.0.14]}\n"
	"controlplane:\n"
	"  lcore: 0\n"
	"  rest:\n"
	"    listen: 127.0.0.1:8080\n"
	"    tokens: [token-aaaaaaaaaaaaaaaa]\n"
	"    health_listen: 127.0.0.1:8090\n"
	"    max_connections: 256\n"
	"    max_connections_per_ip: 32\n"
	"    request_timeout_s: 10\n"
	"  ipc_poll_ms: 5\n"
	"log:\n"
	"  level: info\n"
	"stun:\n"
	"  enabled: true\n"
	"  port: 3478\n"
	"  software: rtcgw\n"
	"turn:\n"
	"  enabled: true\n"
	"  realm: rtcgw\n"
	"  relay_port_min: 49152\n"
	"  relay_port_max: 65535\n"
	"  default_lifetime_s: 600\n"
	"  max_lifetime_s: 3600\n"
	"  permission_lifetime_s: 300\n"
	"  channel_lifetime_s: 600\n"
	"  nonce_lifetime_s: 600\n"
	"  max_allocations: 1000\n"
	"  user_quota: 100\n"
	"  ip_quota: 1000\n"
	"  rfc5766_channels: false\n"
	"  bandwidth_bps: 0\n"
	"  users:\n"
	"    - {username: alice, password: alice-pw}\n"
	"  auth_secrets: [secret-aaaaaaaaaaaaaaaa]\n"
	"  allowed_peers: [10.1.0.0/16, '2001:db8:1::/48']\n"
	"  denied_peers: [203.0.113.0/24, '2001:db8:2::/48']\n"
	"media:\n"
	"  port_min: 40000\n"
	"  port_max: 49151\n"
	"  consent_timeout_s: 30\n"
	"  streams:\n"
	"    - {name: cam1, audio: {codec: opus}, video: {codec: vp8, pt: 96}}\n"
	"calls:\n"
	"  ng_enabled: false\n"
	"  ng_listen: 127.0.0.1:2223\n"
	"  max_calls: 10000\n"
	"  ng_cache_s: 30\n"
	"  media_timeout_s: 60\n"
	"exception:\n"
	"  enabled: false\n"
	"  iface: rtcgw-exc0\n"
	"  port: p0\n"
	"  tcp: true\n"
	"  icmp: true\n"
	"  udp_unhandled: false\n"
	"  other_protocols: false\n";

/* One key changed: replace `from` (unique in base) with `to`. */
static const struct {
	const char *from, *to, *key;
	bool live;
} rows[] = {
	/* 1 */ { "lcores: [1]", "lcores: [2]", "dataplane.lcores", false },
	/* 2 */ { "busy_poll: false", "busy_poll: true", "dataplane.busy_poll", false },
	/* 3 */ { "idle_sleep_us: 100", "idle_sleep_us: 50", "dataplane.idle_sleep_us", false },
	/* 4 */ { "mbufs: 16383", "mbufs: 8191", "dataplane.mbufs", false },
	/* 5 */ { "memory_mb: 512", "memory_mb: 1024", "dataplane.memory_mb", false },
	/* 6 */ { "dir: /dev/hugepages-rtcgw", "dir: /mnt/huge", "dataplane.hugepage_dir", false },
	/* 7 */ { "file_prefix: rtcgw", "file_prefix: other", "dataplane.file_prefix", false },
	/* 8 */ { "arp_timeout_s: 300", "arp_timeout_s: 60", "dataplane.arp_timeout_s", false },
	/* 9 */ { "mtu: 1500", "mtu: 1400", "dataplane.ports", false },
	/* 10 */ { "198.18.0.2/24", "198.18.0.3/24", "dataplane.ports", false },
	/* 11 */ { "lcore: 0", "lcore: 3", "controlplane.lcore", false },
	/* 12 */ { "listen: 127.0.0.1:8080", "listen: 127.0.0.1:8081", "controlplane.rest.listen",
		    false },
	/* 13 */ { "tokens: [token-aaaaaaaaaaaaaaaa]", "tokens: [token-bbbbbbbbbbbbbbbb]",
		    "controlplane.rest.tokens", true },
	/* 14 */ { "health_listen: 127.0.0.1:8090", "health_listen: 127.0.0.1:8091",
		    "controlplane.rest.health_listen", false },
	/* 15 */ { "max_connections: 256", "max_connections: 128",
		    "controlplane.rest.max_connections", false },
	/* 16 */ { "max_connections_per_ip: 32", "max_connections_per_ip: 16",
		    "controlplane.rest.max_connections_per_ip", false },
	/* 17 */ { "request_timeout_s: 10", "request_timeout_s: 20",
		    "controlplane.rest.request_timeout_s", false },
	/* 18 */ { "ipc_poll_ms: 5", "ipc_poll_ms: 10", "controlplane.ipc_poll_ms", false },
	/* 19 */ { "level: info", "level: debug", "log.level", true },
	/* 20 */ { "enabled: true\n  port", "enabled: false\n  port", "stun.enabled", false },
	/* 21 */ { "port: 3478", "port: 3479", "stun.port", false },
	/* 22 */ { "software: rtcgw", "software: other", "stun.software", false },
	/* 23 */ { "enabled: true\n  realm", "enabled: false\n  realm", "turn.enabled", false },
	/* 24 */ { "realm: rtcgw", "realm: other", "turn.realm", false },
	/* 25 */ { "relay_port_min: 49152", "relay_port_min: 50000", "turn.relay_port_min",
		    false },
	/* 26 */ { "relay_port_max: 65535", "relay_port_max: 60000", "turn.relay_port_max",
		    false },
	/* 27 */ { "default_lifetime_s: 600", "default_lifetime_s: 700",
		    "turn.default_lifetime_s", false },
	/* 28 */ { "max_lifetime_s: 3600", "max_lifetime_s: 3000", "turn.max_lifetime_s", false },
	/* 29 */ { "permission_lifetime_s: 300", "permission_lifetime_s: 200",
		    "turn.permission_lifetime_s", false },
	/* 30 */ { "channel_lifetime_s: 600", "channel_lifetime_s: 500",
		    "turn.channel_lifetime_s", false },
	/* 31 */ { "nonce_lifetime_s: 600", "nonce_lifetime_s: 500", "turn.nonce_lifetime_s",
		    false },
	/* 32 */ { "max_allocations: 1000", "max_allocations: 999", "turn.max_allocations", true },
	/* 33 */ { "max_allocations: 1000", "max_allocations: 1001", "turn.max_allocations",
		    false },
	/* 34 */ { "user_quota: 100", "user_quota: 0", "turn.user_quota", true },
	/* 35 */ { "ip_quota: 1000", "ip_quota: 10", "turn.ip_quota", true },
	/* 36 */ { "rfc5766_channels: false", "rfc5766_channels: true", "turn.rfc5766_channels",
		    false },
	/* 37 */ { "bandwidth_bps: 0", "bandwidth_bps: 1000000", "turn.bandwidth_bps", true },
	/* 38 */ { "password: alice-pw", "password: alice-pw2", "turn.users", true },
	/* 39 */ { "username: alice,", "username: alicf,", "turn.users", true },
	/* 40 */ { "{username: alice, password: alice-pw}",
		    "{username: alice, password: alice-pw}\n    - {username: bob, password: b}",
		    "turn.users", true },
	/* 41 */ { "auth_secrets: [secret-aaaaaaaaaaaaaaaa]",
		    "auth_secrets: [secret-bbbbbbbbbbbbbbbb, secret-aaaaaaaaaaaaaaaa]",
		    "turn.auth_secrets", true },
	/* 42 */ { "allowed_peers: [10.1.0.0/16, '2001:db8:1::/48']", "allowed_peers: []",
		    "turn.allowed_peers", true },        /* both families: named once */
	/* 43 */ { "[203.0.113.0/24,", "[203.0.113.0/25,", "turn.denied_peers", true },
	/* 44 */ { "'2001:db8:2::/48'", "'2001:db8:3::/48'", "turn.denied_peers", true },
	/* 45 */ { "port_min: 40000", "port_min: 41000", "media.port_min", false },
	/* 46 */ { "port_max: 49151", "port_max: 48000", "media.port_max", false },
	/* 47 */ { "consent_timeout_s: 30", "consent_timeout_s: 20", "media.consent_timeout_s",
		    false },
	/* 48 */ { "ng_enabled: false", "ng_enabled: true", "calls.ng_enabled", false },
	/* 49 */ { "ng_listen: 127.0.0.1:2223", "ng_listen: 127.0.0.1:2224", "calls.ng_listen",
		    false },
	/* 50 */ { "max_calls: 10000", "max_calls: 100", "calls.max_calls", false },
	/* 51 */ { "ng_cache_s: 30", "ng_cache_s: 60", "calls.ng_cache_s", false },
	/* 52 */ { "exception:\n  enabled: false", "exception:\n  enabled: true",
		    "exception.enabled", false },
	/* 53 */ { "iface: rtcgw-exc0", "iface: rtcgw-exc1", "exception.iface", false },
	/* 54 */ { "port: p0", "port: ''", "exception.port", false },
	/* 55 */ { "  tcp: true", "  tcp: false", "exception.tcp", false },
	/* 56 */ { "icmp: true", "icmp: false", "exception.icmp", false },
	/* 57 */ { "udp_unhandled: false", "udp_unhandled: true", "exception.udp_unhandled",
		    false },
	/* 58 */ { "other_protocols: false", "other_protocols: true",
		    "exception.other_protocols", false },
	/* 59 */ { "media_timeout_s: 60", "media_timeout_s: 30", "calls.media_timeout_s", false },
	/* 60 */ { "{codec: opus}", "{codec: opus, pt: 100}", "media.streams", false },
	/* 61 */ { "name: cam1,", "name: cam2,", "media.streams", false },
	/* 62 */ { "'2001:2:0:60::2/64'", "'2001:2:0:60::3/64'", "dataplane.ports", false },
	/* 63 */ { "'2001:2:0:60::2/64'", "'2001:2:0:60::2/56'", "dataplane.ports", false },
	/* 64 */ { "gateway6: 'fe80::1'", "gateway6: 'fe80::2'", "dataplane.ports", false },
	/* ports[].relay_addresses: restart-only (the TURN table's relay
	 * addresses and the ARP answers are set up at start) */
	/* 65 */ { "[198.18.0.13, 198.18.0.14]", "[198.18.0.13, 198.18.0.15]", "dataplane.ports",
		   false },
	/* 66 */ { "[198.18.0.13, 198.18.0.14]", "[198.18.0.13]", "dataplane.ports",
		   false },
	/* 67 */ { "[198.18.0.13, 198.18.0.14]", "[198.18.0.14, 198.18.0.13]", "dataplane.ports",
		   false },
};

static struct gw_config *
load(const char *text)
{
	struct gw_config *c = calloc(1, sizeof(*c));
	char err[GW_CONF_ERR_LEN];

	assert_non_null(c);
	if (gw_config_parse(c, "r.yaml", text, strlen(text), err, sizeof(err)) != 0 ||
	    gw_config_validate(c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return c;
}

/* base with from replaced by to */
static char *
edit(const char *from, const char *to)
{
	const char *at = strstr(base, from);
	size_t n = strlen(base) - strlen(from) + strlen(to) + 1;
	char *s = malloc(n);

	assert_non_null(at);
	assert_null(strstr(at + 1, from));            /* unique */
	assert_non_null(s);
	snprintf(s, n, "%.*s%s%s", (int)(at - base), base, to, at + strlen(from));
	return s;
}

static void
test_no_change(void **state)
{
	struct gw_config *a = load(base), *b;
	struct gw_reload_diff d;
	char line[64];
	/* the same values, laid out differently: flow vs block, comments, order */
	char *s = edit("  users:\n    - {username: alice, password: alice-pw}\n",
		       "  # rotated monthly\n  users:\n    - username: alice\n      password: "
		       "alice-pw\n");

	(void)state;
	b = load(s);
	gw_reload_diff(a, b, a->turn.max_allocations, &d);
	assert_int_equal(d.n_live, 0);
	assert_int_equal(d.n_restart, 0);
	assert_int_equal(gw_reload_format(&d, line, sizeof(line)), 9);
	assert_string_equal(line, "no change");
	free(s);
	free(a);
	free(b);
}

static void
test_every_key(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *s = edit(rows[i].from, rows[i].to);
		struct gw_config *run = load(base), *next = load(s), *before = load(base);
		struct gw_reload_diff d, after;

		print_message("row %zu: %s\n", i + 1, rows[i].key);
		gw_reload_diff(run, next, 1000, &d);
		assert_int_equal(d.n_live, rows[i].live ? 1 : 0);
		assert_int_equal(d.n_restart, rows[i].live ? 0 : 1);
		assert_string_equal(rows[i].live ? d.live[0] : d.restart[0], rows[i].key);
		/* apply: live keys move over, restart-only keys stay as they run */
		gw_reload_apply(run, next, 1000);
		gw_reload_diff(run, next, 1000, &after);
		assert_int_equal(after.n_live, 0);
		assert_int_equal(after.n_restart, rows[i].live ? 0 : 1);
		gw_reload_diff(before, run, 1000, &after);
		assert_int_equal(after.n_live + after.n_restart, rows[i].live ? 1 : 0);
		free(s);
		free(run);
		free(next);
		free(before);
	}
}

static void
test_apply_values(void **state)
{
	char *s1 = edit("password: alice-pw", "password: alice-new");
	char *s2 = edit("memory_mb: 512", "memory_mb: 2048");
	struct gw_config *run = load(base), *next;
	struct gw_reload_diff d;

	(void)state;
	next = load(s1);
	gw_reload_apply(run, next, 1000);
	assert_string_equal(run->turn.users[0].password, "alice-new");
	free(next);
	next = load(s2);
	gw_reload_apply(run, next, 1000);
	assert_int_equal(run->dataplane.memory_mb, 512);              /* not applied */
	assert_string_equal(run->turn.users[0].password, "alice-pw"); /* the file's again */
	/* the file's live keys are what runs now: only the restart key differs */
	gw_reload_diff(run, next, 1000, &d);
	assert_int_equal(d.n_live, 0);
	assert_int_equal(d.n_restart, 1);
	assert_string_equal(d.restart[0], "dataplane.memory_mb");
	free(next);
	free(run);
	free(s1);
	free(s2);
}

static void
test_max_allocations_cap(void **state)
{
	char *lower = edit("max_allocations: 1000", "max_allocations: 10");
	char *back = edit("max_allocations: 1000", "max_allocations: 1000");
	struct gw_config *run = load(base), *l = load(lower), *b = load(back);
	struct gw_reload_diff d;

	(void)state;
	gw_reload_apply(run, l, 1000);
	assert_int_equal(run->turn.max_allocations, 10);
	/* back up to the start-up value: live again */
	gw_reload_diff(run, b, 1000, &d);
	assert_int_equal(d.n_live, 1);
	gw_reload_apply(run, b, 1000);
	assert_int_equal(run->turn.max_allocations, 1000);
	/* above the start-up value (cap 500 here): a restart, and not applied */
	gw_reload_apply(run, l, 1000);
	gw_reload_diff(run, b, 500, &d);
	assert_int_equal(d.n_restart, 1);
	assert_string_equal(d.restart[0], "turn.max_allocations");
	gw_reload_apply(run, b, 500);
	assert_int_equal(run->turn.max_allocations, 10);
	free(run);
	free(l);
	free(b);
	free(lower);
	free(back);
}

static void
test_format(void **state)
{
	struct gw_reload_diff d = { .n_live = 2, .n_restart = 1,
				    .live = { "turn.users", "log.level" },
				    .restart = { "stun.port" } };
	char buf[128], small[16];

	(void)state;
	assert_int_equal(gw_reload_format(&d, buf, sizeof(buf)),
			 (int)strlen("live: turn.users, log.level; restart needed (not applied): "
				     "stun.port"));
	assert_string_equal(buf, "live: turn.users, log.level; restart needed (not applied): "
				 "stun.port");
	(void)gw_reload_format(&d, small, sizeof(small));
	assert_string_equal(small, "live: turn.user");                 /* truncated, ended */
	d.n_live = 0;
	(void)gw_reload_format(&d, buf, sizeof(buf));
	assert_string_equal(buf, "restart needed (not applied): stun.port");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_change),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_apply_values),
		cmocka_unit_test(test_max_allocations_cap),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
