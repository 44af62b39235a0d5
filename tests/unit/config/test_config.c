/*
 * gw_config unit tests: the shipped default file, defaults for absent keys,
 * every key set, and one exact message per error class (parse and validate).
 *
 * CONF_DATA_DIR and CONF_DEFAULT_FILE come from tests/unit/meson.build.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gw_config.h"

#ifndef CONF_DATA_DIR
#error "CONF_DATA_DIR must be defined by the build"
#endif
#ifndef CONF_DEFAULT_FILE
#error "CONF_DEFAULT_FILE must be defined by the build"
#endif

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* One valid port in three lines; rows below count lines from here. */
#define PORTS "dataplane:\n  ports:\n    - {name: p0, device: d0, address: 198.18.0.2/24}\n"

static struct gw_config *
new_conf(void)
{
	struct gw_config *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	return c;
}

static int
parse_str(struct gw_config *c, const char *yaml, char *err, size_t errlen)
{
	return gw_config_parse(c, "x.yaml", yaml, strlen(yaml), err, errlen);
}

/* ---- the shipped default file ----------------------------------------- */

static void
test_default_file(void **state)
{
	struct gw_config *c = new_conf();
	char err[GW_CONF_ERR_LEN];
	const struct gw_conf_port *p = &c->dataplane.ports[0];

	(void)state;
	assert_int_equal(gw_config_load(c, CONF_DEFAULT_FILE, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(c->path, CONF_DEFAULT_FILE);

	assert_int_equal(c->dataplane.n_lcores, 1);
	assert_int_equal(c->dataplane.lcores[0], 1);
	assert_false(c->dataplane.busy_poll);
	assert_int_equal(c->dataplane.idle_sleep_us, 300);
	assert_int_equal(c->dataplane.mbufs, 16383);
	assert_int_equal(c->dataplane.memory_mb, 512);
	assert_string_equal(c->dataplane.hugepage_dir, "/dev/hugepages-rtcgw");
	assert_string_equal(c->dataplane.file_prefix, "rtcgw");
	assert_int_equal(c->dataplane.arp_timeout_s, 300);
	assert_int_equal(c->dataplane.n_ports, 1);
	assert_string_equal(p->name, "tap0");
	assert_string_equal(p->device, "net_tap0,iface=rtcgw0");
	assert_int_equal(p->address.addr, IP4(198, 18, 0, 2));
	assert_int_equal(p->address.len, 24);
	assert_int_equal(p->gateway, IP4(198, 18, 0, 1));
	assert_int_equal(p->rx_queues, 1);
	assert_int_equal(p->rx_desc, 1024);
	assert_int_equal(p->tx_desc, 1024);
	assert_int_equal(p->mtu, 1500);

	assert_int_equal(c->controlplane.lcore, 0);
	assert_int_equal(c->controlplane.rest_listen.addr, IP4(127, 0, 0, 1));
	assert_int_equal(c->controlplane.rest_listen.port, 8080);
	assert_int_equal(c->controlplane.n_tokens, 1);
	assert_string_equal(c->controlplane.tokens[0], "rtcgw-dev-token-change-me");
	assert_int_equal(c->controlplane.ipc_poll_ms, 5);
	assert_int_equal(c->controlplane.health_listen.port, 0);
	assert_int_equal(c->controlplane.rest_max_conns, 256);
	assert_int_equal(c->controlplane.rest_max_conns_per_ip, 32);
	assert_int_equal(c->controlplane.rest_request_timeout_s, 10);

	assert_int_equal(c->log.level, GW_LOG_INFO);
	assert_true(c->stun.enabled);
	assert_int_equal(c->stun.port, 3478);
	assert_string_equal(c->stun.software, "rtcgw");

	assert_false(c->turn.enabled);
	assert_string_equal(c->turn.realm, "rtcgw");
	assert_int_equal(c->turn.relay_port_min, 49152);
	assert_int_equal(c->turn.relay_port_max, 65535);
	assert_int_equal(c->turn.n_users, 0);
	assert_int_equal(c->turn.n_auth_secrets, 0);
	assert_int_equal(c->turn.n_allowed_peers, 0);
	assert_int_equal(c->turn.n_denied_peers, 0);

	assert_int_equal(c->media.port_min, 40000);
	assert_int_equal(c->media.port_max, 49151);
	assert_false(c->calls.ng_enabled);
	assert_int_equal(c->calls.ng_listen.addr, IP4(127, 0, 0, 1));
	assert_int_equal(c->calls.ng_listen.port, 2223);
	assert_int_equal(c->calls.max_calls, 10000);
	assert_int_equal(c->calls.ng_cache_s, 30);
	assert_int_equal(c->calls.media_timeout_s, 60);
	assert_false(c->exception.enabled);
	assert_string_equal(c->exception.iface, "rtcgw-exc0");
	assert_string_equal(c->exception.port, "");
	assert_true(c->exception.tcp);
	assert_true(c->exception.icmp);
	assert_false(c->exception.udp_unhandled);
	assert_false(c->exception.other_protocols);
	free(c);
}

/* ---- defaults when keys are absent ------------------------------------- */

static void
test_minimal_defaults(void **state)
{
	struct gw_config *c = new_conf();
	struct gw_config *d = new_conf();
	char err[GW_CONF_ERR_LEN];
	const char *path = CONF_DATA_DIR "/minimal.yaml";

	(void)state;
	assert_int_equal(gw_config_load(c, path, err, sizeof(err)), 0);
	assert_string_equal(err, "");

	/* The port has its per-entry defaults ... */
	assert_int_equal(c->dataplane.n_ports, 1);
	assert_string_equal(c->dataplane.ports[0].name, "p0");
	assert_string_equal(c->dataplane.ports[0].device, "net_null0");
	assert_int_equal(c->dataplane.ports[0].gateway, 0);
	assert_int_equal(c->dataplane.ports[0].rx_queues, 1);
	assert_int_equal(c->dataplane.ports[0].rx_desc, 1024);
	assert_int_equal(c->dataplane.ports[0].tx_desc, 1024);
	assert_int_equal(c->dataplane.ports[0].mtu, 1500);

	/* ... and everything else is exactly gw_config_defaults(). */
	gw_config_defaults(d);
	snprintf(d->path, sizeof(d->path), "%s", path);
	d->dataplane.ports[0] = c->dataplane.ports[0];
	d->dataplane.n_ports = 1;
	assert_memory_equal(c, d, sizeof(*c));

	/* Spot-check the documented values, so a changed default fails here. */
	assert_int_equal(d->dataplane.n_lcores, 1);
	assert_int_equal(d->dataplane.lcores[0], 1);
	assert_int_equal(d->dataplane.idle_sleep_us, 300);
	assert_int_equal(d->dataplane.mbufs, 16383);
	assert_int_equal(d->dataplane.memory_mb, 512);
	assert_int_equal(d->dataplane.arp_timeout_s, 300);
	assert_int_equal(d->controlplane.ipc_poll_ms, 5);
	assert_int_equal(d->controlplane.n_tokens, 0);
	assert_int_equal(d->log.level, GW_LOG_INFO);
	assert_true(d->stun.enabled);
	assert_string_equal(d->stun.software, "");
	assert_int_equal(d->turn.default_lifetime_s, 600);
	assert_int_equal(d->turn.max_lifetime_s, 3600);
	assert_int_equal(d->turn.permission_lifetime_s, 300);
	assert_int_equal(d->turn.channel_lifetime_s, 600);
	assert_int_equal(d->turn.nonce_lifetime_s, 600);
	assert_int_equal(d->turn.max_allocations, 100000);
	assert_int_equal(d->turn.user_quota, 100);
	assert_int_equal(d->turn.ip_quota, 1000);
	assert_false(d->turn.rfc5766_channels);
	assert_int_equal(d->turn.bandwidth_bps, 0);
	assert_int_equal(d->media.consent_timeout_s, 30);
	free(c);
	free(d);
}

/* ---- every key set ----------------------------------------------------- */

static void
test_full(void **state)
{
	struct gw_config *c = new_conf();
	char err[GW_CONF_ERR_LEN];

	(void)state;
	assert_int_equal(gw_config_load(c, CONF_DATA_DIR "/full.yaml", err, sizeof(err)), 0);
	assert_string_equal(err, "");

	assert_int_equal(c->dataplane.n_lcores, 2);
	assert_int_equal(c->dataplane.lcores[0], 2);
	assert_int_equal(c->dataplane.lcores[1], 3);
	assert_int_equal(c->dataplane.n_cpus, 2);
	assert_int_equal(c->dataplane.cpus[0], 1);
	assert_int_equal(c->dataplane.cpus[1], 1);
	assert_string_equal(c->media.dtls_certificate, "/etc/rtcgw/dtls.crt");
	assert_string_equal(c->media.dtls_private_key, "/etc/rtcgw/dtls.key");
	assert_true(c->dataplane.busy_poll);
	assert_int_equal(c->dataplane.idle_sleep_us, 0);
	assert_int_equal(c->dataplane.mbufs, 65535);
	assert_int_equal(c->dataplane.memory_mb, 2048);
	assert_string_equal(c->dataplane.hugepage_dir, "/mnt/huge");
	assert_string_equal(c->dataplane.file_prefix, "gw-test_1");
	assert_int_equal(c->dataplane.arp_timeout_s, 60);
	assert_int_equal(c->dataplane.n_ports, 2);
	assert_string_equal(c->dataplane.ports[0].name, "wan");
	assert_string_equal(c->dataplane.ports[0].device, "0000:3b:00.0");
	assert_int_equal(c->dataplane.ports[0].rx_queues, 2);
	assert_int_equal(c->dataplane.ports[0].rx_desc, 2048);
	assert_int_equal(c->dataplane.ports[0].tx_desc, 512);
	assert_int_equal(c->dataplane.ports[0].mtu, 9000);
	assert_string_equal(c->dataplane.ports[1].name, "lan");
	assert_string_equal(c->dataplane.ports[1].device, "net_af_packet0,iface=veth1");
	assert_int_equal(c->dataplane.ports[1].address.addr, IP4(198, 19, 1, 1));
	assert_int_equal(c->dataplane.ports[1].address.len, 16);
	assert_int_equal(c->dataplane.ports[1].gateway, 0);
	assert_int_equal(c->dataplane.ports[1].mtu, 1500);
	assert_int_equal(c->dataplane.ports[0].n_relay_addresses, 2);
	assert_int_equal(c->dataplane.ports[0].relay_addresses[0], IP4(198, 18, 0, 3));
	assert_int_equal(c->dataplane.ports[0].relay_addresses[1], IP4(198, 18, 0, 4));
	assert_int_equal(c->dataplane.ports[1].n_relay_addresses, 0);
	assert_memory_equal(c->dataplane.ports[0].address6.addr,
			    ((uint8_t[16]){ 0x20, 0x01, 0, 2, 0, 0, 0, 0x60, [15] = 2 }), 16);
	assert_int_equal(c->dataplane.ports[0].address6.len, 64);
	assert_memory_equal(c->dataplane.ports[0].gateway6,
			    ((uint8_t[16]){ 0x20, 0x01, 0, 2, 0, 0, 0, 0x60, [15] = 1 }), 16);
	assert_memory_equal(c->dataplane.ports[1].address6.addr,
			    ((uint8_t[16]){ 0xfd, 0, 0, 0x60, [15] = 1 }), 16);
	assert_int_equal(c->dataplane.ports[1].address6.len, 48);
	assert_memory_equal(c->dataplane.ports[1].gateway6,
			    ((uint8_t[16]){ 0xfe, 0x80, [15] = 1 }), 16);

	assert_int_equal(c->controlplane.lcore, 1);
	assert_int_equal(c->controlplane.rest_listen.addr, IP4(198, 18, 0, 2));
	assert_int_equal(c->controlplane.rest_listen.port, 8443);
	assert_int_equal(c->controlplane.n_tokens, 2);
	assert_string_equal(c->controlplane.tokens[0], "aaaaaaaaaaaaaaaa");
	assert_string_equal(c->controlplane.tokens[1], "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	assert_int_equal(c->controlplane.ipc_poll_ms, 100);
	assert_int_equal(c->controlplane.health_listen.addr, IP4(198, 18, 0, 2));
	assert_int_equal(c->controlplane.health_listen.port, 8444);
	assert_int_equal(c->controlplane.rest_max_conns, 1000);
	assert_int_equal(c->controlplane.rest_max_conns_per_ip, 1);
	assert_int_equal(c->controlplane.rest_request_timeout_s, 300);
	assert_int_equal(c->log.level, GW_LOG_DEBUG);
	assert_false(c->stun.enabled);
	assert_int_equal(c->stun.port, 3479);
	assert_string_equal(c->stun.software, "");

	assert_true(c->turn.enabled);
	assert_string_equal(c->turn.realm, "example.test");
	assert_int_equal(c->turn.relay_port_min, 50000);
	assert_int_equal(c->turn.relay_port_max, 50999);
	assert_int_equal(c->turn.default_lifetime_s, 1200);
	assert_int_equal(c->turn.max_lifetime_s, 7200);
	assert_int_equal(c->turn.permission_lifetime_s, 120);
	assert_int_equal(c->turn.channel_lifetime_s, 900);
	assert_int_equal(c->turn.nonce_lifetime_s, 3600);
	assert_int_equal(c->turn.max_allocations, 4000000);
	assert_int_equal(c->turn.user_quota, 10);
	assert_int_equal(c->turn.ip_quota, 20);
	assert_true(c->turn.rfc5766_channels);
	assert_true(c->turn.bandwidth_bps == UINT64_C(400000000000));
	assert_int_equal(c->turn.n_users, 2);
	assert_string_equal(c->turn.users[0].username, "alice");
	assert_string_equal(c->turn.users[0].password, "s3cret: with colon");
	assert_string_equal(c->turn.users[1].username, "bob");
	assert_string_equal(c->turn.users[1].password, "hunter2");
	assert_int_equal(c->turn.n_auth_secrets, 1);
	assert_string_equal(c->turn.auth_secrets[0], "0123456789abcdef0123456789abcdef");
	assert_int_equal(c->turn.n_allowed_peers, 2);
	assert_int_equal(c->turn.allowed_peers[0].addr, IP4(198, 18, 0, 0));
	assert_int_equal(c->turn.allowed_peers[0].len, 15);
	assert_int_equal(c->turn.allowed_peers[1].addr, IP4(127, 0, 0, 0));
	assert_int_equal(c->turn.allowed_peers[1].len, 8);
	assert_int_equal(c->turn.n_denied_peers, 2);
	assert_int_equal(c->turn.denied_peers[0].addr, IP4(198, 19, 255, 0));
	assert_int_equal(c->turn.denied_peers[0].len, 24);
	assert_int_equal(c->turn.denied_peers[1].addr, 0);
	assert_int_equal(c->turn.denied_peers[1].len, 0);
	/* IPv6 entries of the same lists, in their order */
	assert_int_equal(c->turn.n_allowed_peers6, 2);
	assert_memory_equal(c->turn.allowed_peers6[0].addr,
			    ((uint8_t[16]){ 0x20, 0x01, 0, 2 }), 16);
	assert_int_equal(c->turn.allowed_peers6[0].len, 48);
	assert_memory_equal(c->turn.allowed_peers6[1].addr,
			    ((uint8_t[16]){ [10] = 0xff, [11] = 0xff }), 16);
	assert_int_equal(c->turn.allowed_peers6[1].len, 96);
	assert_int_equal(c->turn.n_denied_peers6, 3);
	assert_memory_equal(c->turn.denied_peers6[0].addr,
			    ((uint8_t[16]){ 0x20, 0x01, 0, 2, 0, 0, 0, 0x29 }), 16);
	assert_int_equal(c->turn.denied_peers6[0].len, 64);
	assert_memory_equal(c->turn.denied_peers6[1].addr, ((uint8_t[16]){ 0 }), 16);
	assert_int_equal(c->turn.denied_peers6[1].len, 0);
	assert_memory_equal(c->turn.denied_peers6[2].addr,
			    ((uint8_t[16]){ 0x20, 0x01, 0, 2, 0, 0, 0, 0x29, [15] = 7 }), 16);
	assert_int_equal(c->turn.denied_peers6[2].len, 128);

	assert_int_equal(c->media.port_min, 20000);
	assert_int_equal(c->media.port_max, 29999);
	assert_int_equal(c->media.consent_timeout_s, 5);
	assert_true(c->calls.ng_enabled);
	assert_int_equal(c->calls.ng_listen.addr, IP4(127, 0, 0, 1));
	assert_int_equal(c->calls.ng_listen.port, 22222);
	assert_int_equal(c->calls.max_calls, 500);
	assert_int_equal(c->calls.ng_cache_s, 5);
	assert_int_equal(c->calls.media_timeout_s, 7);
	free(c);
}

/* Boundary values are accepted (the ranges are inclusive). */
static void
test_boundaries(void **state)
{
	static const char *const ok[] = {
		/* 1 */ PORTS "stun:\n  port: 1\n",
		/* 2 */ PORTS "stun:\n  port: 65535\nturn:\n  relay_port_max: 65534\n",
		/* 3 */ "dataplane:\n  ports:\n    - {name: p0, device: d0, address: 198.18.0.2/32, mtu: 576}\n",
		/* 4 */ "dataplane:\n  ports:\n    - {name: p0, device: d0, address: 198.18.0.2/1, mtu: 9000}\n",
		/* 5 */ PORTS "turn:\n  max_allocations: 1\n  bandwidth_bps: 0\n",
		/* 6 */ "dataplane:\n  lcores: [1023]\n  ports:\n"
			"    - {name: p0, device: d0, address: 198.18.0.2/24}\n",
		/* 7 */ PORTS "stun:\n  port: 03478\n",
		/* 8 */ PORTS "controlplane:\n  rest:\n    tokens: []\n",
		/* 9 */ "{dataplane: {ports: [{name: p0, device: d0, address: 198.18.0.2/24}]}}\n",
	};
	char err[GW_CONF_ERR_LEN];
	struct gw_config *c = new_conf();

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (parse_str(c, ok[i], err, sizeof(err)) != 0)
			fail_msg("row %zu: %s", i + 1, err);
	assert_int_equal(parse_str(c, ok[6], err, sizeof(err)), 0);
	assert_int_equal(c->stun.port, 3478);
	free(c);
}

/* turn.allowed_peers takes 32 IPv4 and 32 IPv6 prefixes; the 33rd IPv6 is refused. */
static void
test_peers_capacity(void **state)
{
	char yaml[4096], err[GW_CONF_ERR_LEN];
	struct gw_config *c = new_conf();
	size_t n;

	(void)state;
	for (int extra = 0; extra < 2; extra++) {
		n = (size_t)snprintf(yaml, sizeof(yaml), "%s", PORTS "turn:\n  allowed_peers:\n");
		for (int i = 0; i < 32; i++)
			n += (size_t)snprintf(yaml + n, sizeof(yaml) - n,
					      "    - 198.18.%d.0/24\n    - 2001:2:0:%x::/64\n", i, i);
		if (extra)
			n += (size_t)snprintf(yaml + n, sizeof(yaml) - n, "    - 2001:2:1::/48\n");
		assert_true(n < sizeof(yaml));
		if (!extra) {
			assert_int_equal(parse_str(c, yaml, err, sizeof(err)), 0);
			assert_int_equal(c->turn.n_allowed_peers, 32);
			assert_int_equal(c->turn.n_allowed_peers6, 32);
			assert_int_equal(c->turn.allowed_peers6[31].addr[7], 0x1f);
			assert_int_equal(c->turn.allowed_peers[31].addr, IP4(198, 18, 31, 0));
		} else {
			assert_int_not_equal(parse_str(c, yaml, err, sizeof(err)), 0);
			assert_string_equal(err, "x.yaml:70:7: turn.allowed_peers[64]: too many "
					    "IPv6 entries, at most 32");
		}
	}
	free(c);
}

/* ---- parse errors: exact messages -------------------------------------- */

struct err_case {
	const char *yaml;
	const char *msg;
};

static const struct err_case parse_errors[] = {
	/* unknown keys: top level, nested, inside a sequence element */
	/* 1 */ { PORTS "bogus: 1\n", "x.yaml:4:1: bogus: unknown key" },
	/* 2 */ { "dataplane:\n  bogus: 1\n", "x.yaml:2:3: dataplane.bogus: unknown key" },
	/* 3 */ { "dataplane:\n  ports:\n    - name: p0\n      speed: 10\n",
		  "x.yaml:4:7: dataplane.ports[0].speed: unknown key" },
	/* 4 */ { PORTS "controlplane:\n  rest:\n    listen: 127.0.0.1:80\n    tls: true\n",
		  "x.yaml:7:5: controlplane.rest.tls: unknown key" },
	/* 5 */ { PORTS "Stun: {}\n", "x.yaml:4:1: Stun: unknown key" },
	/* integers */
	/* 6 */ { PORTS "stun:\n  port: abc\n",
		  "x.yaml:5:9: stun.port: expected an integer, got 'abc'" },
	/* 7 */ { PORTS "stun:\n  port: -1\n",
		  "x.yaml:5:9: stun.port: expected an integer, got '-1'" },
	/* 8 */ { PORTS "stun:\n  port: +1\n",
		  "x.yaml:5:9: stun.port: expected an integer, got '+1'" },
	/* 9 */ { PORTS "stun:\n  port: \" 1\"\n",
		  "x.yaml:5:9: stun.port: expected an integer, got ' 1'" },
	/* 10 */ { PORTS "stun:\n  port: \"3478\"\n",
		   "x.yaml:5:9: stun.port: expected an integer, got '3478'" },
	/* 11 */ { PORTS "stun:\n  port: 3478.0\n",
		   "x.yaml:5:9: stun.port: expected an integer, got '3478.0'" },
	/* 12 */ { PORTS "stun:\n  port: 0x10\n",
		   "x.yaml:5:9: stun.port: expected an integer, got '0x10'" },
	/* 13 */ { PORTS "stun:\n  port: \n",
		   "x.yaml:5:8: stun.port: expected an integer, got an empty value" },
	/* out of range */
	/* 14 */ { "dataplane:\n  ports:\n    - name: p0\n      device: d0\n"
		   "      address: 198.18.0.2/24\n      mtu: 70000\n",
		   "x.yaml:6:12: dataplane.ports[0].mtu: value 70000 out of range 576..9000" },
	/* 15 */ { PORTS "stun:\n  port: 0\n",
		   "x.yaml:5:9: stun.port: value 0 out of range 1..65535" },
	/* 16 */ { PORTS "stun:\n  port: 99999999999999999999999\n",
		   "x.yaml:5:9: stun.port: value 99999999999999999999999 out of range 1..65535" },
	/* 17 */ { PORTS "turn:\n  max_allocations: 4000001\n",
		   "x.yaml:5:20: turn.max_allocations: value 4000001 out of range 1..4000000" },
	/* 18 */ { PORTS "dataplane:\n  lcores: [1, 1024]\n",
		   "x.yaml:4:1: dataplane: duplicate key (first at line 1)" },
	/* 19 */ { "dataplane:\n  lcores: [1, 1024]\n",
		   "x.yaml:2:15: dataplane.lcores[1]: value 1024 out of range 0..1023" },
	/* 20 */ { PORTS "turn:\n  bandwidth_bps: 18446744073709551616\n",
		   "x.yaml:5:18: turn.bandwidth_bps: value 18446744073709551616 out of range "
		   "0..400000000000" },
	/* booleans */
	/* 21 */ { PORTS "stun:\n  enabled: yes\n",
		   "x.yaml:5:12: stun.enabled: expected true or false, got 'yes'" },
	/* 22 */ { PORTS "stun:\n  enabled: True\n",
		   "x.yaml:5:12: stun.enabled: expected true or false, got 'True'" },
	/* 23 */ { PORTS "stun:\n  enabled: \"true\"\n",
		   "x.yaml:5:12: stun.enabled: expected true or false, got 'true'" },
	/* 24 */ { PORTS "stun:\n  enabled: 1\n",
		   "x.yaml:5:12: stun.enabled: expected true or false, got '1'" },
	/* node kinds */
	/* 25 */ { PORTS "stun:\n  port: {a: 1}\n",
		   "x.yaml:5:9: stun.port: expected an integer, got a mapping" },
	/* 26 */ { PORTS "stun: 5\n", "x.yaml:4:7: stun: expected a mapping, got '5'" },
	/* 27 */ { PORTS "stun:\n", "x.yaml:4:6: stun: expected a mapping, got an empty value" },
	/* 28 */ { PORTS "stun:\n  software: [a]\n",
		   "x.yaml:5:13: stun.software: expected a string, got a sequence" },
	/* 29 */ { "dataplane:\n  ports: {name: p0}\n",
		   "x.yaml:2:10: dataplane.ports: expected a sequence, got a mapping" },
	/* 30 */ { "dataplane:\n  ports: [p0]\n",
		   "x.yaml:2:11: dataplane.ports[0]: expected a mapping, got 'p0'" },
	/* 31 */ { "- dataplane\n", "x.yaml:1:1: (top level): expected a mapping, got a sequence" },
	/* 32 */ { "? [a]\n: 1\n", "x.yaml:1:3: (top level): expected a scalar key, got a sequence" },
	/* CIDRs, addresses, socket addresses */
	/* 33 */ { "dataplane:\n  ports:\n    - {name: p0, device: d0, address: 198.18.0.2/33}\n",
		   "x.yaml:3:39: dataplane.ports[0].address: expected an IPv4 address with prefix "
		   "length a.b.c.d/1..32, got '198.18.0.2/33'" },
	/* 34 */ { "dataplane:\n  ports:\n    - {name: p0, device: d0, address: 198.18.0.256/24}\n",
		   "x.yaml:3:39: dataplane.ports[0].address: expected an IPv4 address with prefix "
		   "length a.b.c.d/1..32, got '198.18.0.256/24'" },
	/* 35 */ { "dataplane:\n  ports:\n    - {name: p0, device: d0, address: 198.18.0.2}\n",
		   "x.yaml:3:39: dataplane.ports[0].address: expected an IPv4 address with prefix "
		   "length a.b.c.d/1..32, got '198.18.0.2'" },
	/* 36 */ { "dataplane:\n  ports:\n    - {name: p0, device: d0, address: 198.18.0.2/0}\n",
		   "x.yaml:3:39: dataplane.ports[0].address: expected an IPv4 address with prefix "
		   "length a.b.c.d/1..32, got '198.18.0.2/0'" },
	/* 37 */ { "dataplane:\n  ports:\n    - {name: p0, device: d0, address: 198.18.0.2/-1}\n",
		   "x.yaml:3:39: dataplane.ports[0].address: expected an IPv4 address with prefix "
		   "length a.b.c.d/1..32, got '198.18.0.2/-1'" },
	/* 38 */ { PORTS "turn:\n  allowed_peers: [198.18.0.0/15, 198.18.0.1/16]\n",
		   "x.yaml:5:34: turn.allowed_peers[1]: host bits set in '198.18.0.1/16' "
		   "(the network is 198.18.0.0/16)" },
	/* 39 */ { PORTS "turn:\n  denied_peers: [198.18.0.0/0x]\n",
		   "x.yaml:5:18: turn.denied_peers[0]: expected an IPv4 prefix a.b.c.d/0..32 "
		   "or an IPv6 prefix x:x::x/0..128, got '198.18.0.0/0x'" },
	/* 40 */ { "dataplane:\n  ports:\n    - {name: p0, device: d0, address: 198.18.0.2/24, "
		   "gateway: 198.18.0}\n",
		   "x.yaml:3:63: dataplane.ports[0].gateway: expected an IPv4 address a.b.c.d, "
		   "got '198.18.0'" },
	/* 41 */ { PORTS "controlplane:\n  rest:\n    listen: 127.0.0.1\n",
		   "x.yaml:6:13: controlplane.rest.listen: expected an IPv4 socket address "
		   "a.b.c.d:1..65535, got '127.0.0.1'" },
	/* 42 */ { PORTS "controlplane:\n  rest:\n    listen: 127.0.0.1:0\n",
		   "x.yaml:6:13: controlplane.rest.listen: expected an IPv4 socket address "
		   "a.b.c.d:1..65535, got '127.0.0.1:0'" },
	/* 43 */ { PORTS "calls:\n  ng_listen: localhost:2223\n",
		   "x.yaml:5:14: calls.ng_listen: expected an IPv4 socket address "
		   "a.b.c.d:1..65535, got 'localhost:2223'" },
	/* 44 */ { PORTS "calls:\n  ng_listen: 127.0.0.1:65536\n",
		   "x.yaml:5:14: calls.ng_listen: expected an IPv4 socket address "
		   "a.b.c.d:1..65535, got '127.0.0.1:65536'" },
	/* log level */
	/* 45 */ { PORTS "log:\n  level: verbose\n",
		   "x.yaml:5:10: log.level: expected one of error|warning|notice|info|debug, "
		   "got 'verbose'" },
	/* 46 */ { PORTS "log:\n  level: INFO\n",
		   "x.yaml:5:10: log.level: expected one of error|warning|notice|info|debug, "
		   "got 'INFO'" },
	/* duplicate keys */
	/* 47 */ { PORTS "stun:\n  port: 1\n  port: 2\n",
		   "x.yaml:6:3: stun.port: duplicate key (first at line 5)" },
	/* 48 */ { "dataplane:\n  ports:\n    - {name: p0, name: p1}\n",
		   "x.yaml:3:18: dataplane.ports[0].name: duplicate key (first at line 3)" },
	/* list sizes */
	/* 49 */ { "dataplane:\n  lcores: [1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17]\n",
		   "x.yaml:2:11: dataplane.lcores: too many entries: 17, at most 16" },
	/* 50 */ { "dataplane:\n  lcores: []\n",
		   "x.yaml:2:11: dataplane.lcores: too few entries: 0, at least 1" },
	/* 51 */ { "dataplane:\n  ports: []\n",
		   "x.yaml:2:10: dataplane.ports: too few entries: 0, at least 1" },
	/* 52 */ { "dataplane:\n  ports: [{}, {}, {}, {}, {}]\n",
		   "x.yaml:2:10: dataplane.ports: too many entries: 5, at most 4" },
	/* 53 */ { PORTS "turn:\n  auth_secrets: [aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb, "
		   "cccccccccccccccc, dddddddddddddddd, eeeeeeeeeeeeeeee]\n",
		   "x.yaml:5:17: turn.auth_secrets: too many entries: 5, at most 4" },
	/* strings: length, charset, secrets are never echoed */
	/* 54 */ { PORTS "stun:\n  software: "
		   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
		   "x.yaml:5:13: stun.software: string of 128 bytes too long, at most 127" },
	/* 55 */ { "dataplane:\n  ports:\n    - {name: abcdefghijabcdefghijabcdefghijab, "
		   "device: d0, address: 198.18.0.2/24}\n",
		   "x.yaml:3:14: dataplane.ports[0].name: string of 32 bytes too long, at most 31" },
	/* 56 */ { PORTS "turn:\n  realm: \"\"\n",
		   "x.yaml:5:10: turn.realm: string of 0 bytes too short, at least 1" },
	/* 57 */ { "dataplane:\n  file_prefix: a/b\n",
		   "x.yaml:2:16: dataplane.file_prefix: expected 1..63 characters from "
		   "[A-Za-z0-9_-], got 'a/b'" },
	/* 58 */ { "dataplane:\n  file_prefix: \"\"\n",
		   "x.yaml:2:16: dataplane.file_prefix: string of 0 bytes too short, at least 1" },
	/* 59 */ { PORTS "controlplane:\n  rest:\n    tokens: [short-secret]\n",
		   "x.yaml:6:14: controlplane.rest.tokens[0]: string of 12 bytes too short, "
		   "at least 16" },
	/* 60 */ { PORTS "turn:\n  users:\n    - {username: a, password: [x]}\n",
		   "x.yaml:6:31: turn.users[0].password: expected a string, got a sequence" },
	/* 61 */ { PORTS "stun:\n  software: ~\n",
		   "x.yaml:5:13: stun.software: expected a string, got null "
		   "(quote it if you mean the text)" },
	/* 62 */ { "dataplane:\n  hugepage_dir: dev/hugepages\n",
		   "x.yaml:2:17: dataplane.hugepage_dir: expected an absolute path, "
		   "got 'dev/hugepages'" },
	/* 63 */ { PORTS "log:\n  level: \"a\\tb'\"\n",
		   "x.yaml:5:10: log.level: expected one of error|warning|notice|info|debug, "
		   "got 'a\\x09b\\x27'" },
	/* missing required keys */
	/* 64 */ { "log:\n  level: info\n", "x.yaml:1:1: dataplane.ports: missing required key" },
	/* 65 */ { "", "x.yaml:1:1: dataplane.ports: missing required key" },
	/* 66 */ { "dataplane:\n  lcores: [1]\n",
		   "x.yaml:2:3: dataplane.ports: missing required key" },
	/* 67 */ { "dataplane:\n  ports:\n    - name: p0\n      address: 198.18.0.2/24\n",
		   "x.yaml:3:7: dataplane.ports[0].device: missing required key" },
	/* 68 */ { PORTS "turn:\n  users:\n    - {username: alice}\n",
		   "x.yaml:6:7: turn.users[0].password: missing required key" },
	/* YAML syntax and document structure */
	/* 69 */ { PORTS "stun:\n  port: [1, 2\nlog:\n  level: info\n",
		   "x.yaml:6:4: yaml: did not find expected ',' or ']' while parsing a flow "
		   "sequence" },
	/* 70 */ { PORTS "stun:\n\tport: 1\n",
		   "x.yaml:5:1: yaml: found character that cannot start any token while "
		   "scanning for the next token" },
	/* 71 */ { PORTS "---\nlog: {level: info}\n",
		   "x.yaml:4:1: (top level): more than one YAML document in the file" },
	/* 72 */ { PORTS "log: *nowhere\n",
		   "x.yaml:4:6: yaml: found undefined alias" },
	/* IPv6 peer prefixes */
	/* 73 */ { PORTS "turn:\n  denied_peers: [2001:2::/48, 2001:2::1/48]\n",
		   "x.yaml:5:31: turn.denied_peers[1]: host bits set in '2001:2::1/48' "
		   "(the network is 2001:2::/48)" },
	/* 74 */ { PORTS "turn:\n  allowed_peers: [2001:2::/129]\n",
		   "x.yaml:5:19: turn.allowed_peers[0]: expected an IPv4 prefix a.b.c.d/0..32 "
		   "or an IPv6 prefix x:x::x/0..128, got '2001:2::/129'" },
	/* 75 */ { PORTS "turn:\n  allowed_peers: [\"2001:2::\"]\n",
		   "x.yaml:5:19: turn.allowed_peers[0]: expected an IPv4 prefix a.b.c.d/0..32 "
		   "or an IPv6 prefix x:x::x/0..128, got '2001:2::'" },
	/* 76 */ { PORTS "turn:\n  allowed_peers: [2001:2:::1/64]\n",
		   "x.yaml:5:19: turn.allowed_peers[0]: expected an IPv4 prefix a.b.c.d/0..32 "
		   "or an IPv6 prefix x:x::x/0..128, got '2001:2:::1/64'" },
	/* 77 */ { PORTS "turn:\n  allowed_peers: [fe80::/10%eth0]\n",
		   "x.yaml:5:19: turn.allowed_peers[0]: expected an IPv4 prefix a.b.c.d/0..32 "
		   "or an IPv6 prefix x:x::x/0..128, got 'fe80::/10%eth0'" },
	/* 78 */ { PORTS "turn:\n  allowed_peers: [fe80::%eth0/10]\n",
		   "x.yaml:5:19: turn.allowed_peers[0]: expected an IPv4 prefix a.b.c.d/0..32 "
		   "or an IPv6 prefix x:x::x/0..128, got 'fe80::%eth0/10'" },
	/* 79 */ { PORTS "turn:\n  allowed_peers: [\"[2001:2::]/48\"]\n",
		   "x.yaml:5:19: turn.allowed_peers[0]: expected an IPv4 prefix a.b.c.d/0..32 "
		   "or an IPv6 prefix x:x::x/0..128, got '[2001:2::]/48'" },
	/* 80 */ { PORTS "turn:\n  allowed_peers: [2001:2::/+48]\n",
		   "x.yaml:5:19: turn.allowed_peers[0]: expected an IPv4 prefix a.b.c.d/0..32 "
		   "or an IPv6 prefix x:x::x/0..128, got '2001:2::/+48'" },
	/* 81 */ { PORTS "turn:\n  allowed_peers: [{a: 1}]\n",
		   "x.yaml:5:19: turn.allowed_peers[0]: expected an IPv4 prefix a.b.c.d/0..32 "
		   "or an IPv6 prefix x:x::x/0..128, got a mapping" },
	/* 82 */ { PORTS "turn:\n  allowed_peers: 2001:2::/48\n",
		   "x.yaml:5:18: turn.allowed_peers: expected a sequence, got a scalar" },
	/* 83 */ { PORTS "turn:\n  denied_peers: [\"::1/127\"]\n",
		   "x.yaml:5:18: turn.denied_peers[0]: host bits set in '::1/127' "
		   "(the network is ::/127)" },
	/* calls limits */
	/* 84 */ { PORTS "calls:\n  max_calls: 0\n",
		   "x.yaml:5:14: calls.max_calls: value 0 out of range 1..1000000" },
	/* 85 */ { PORTS "calls:\n  max_calls: 1000001\n",
		   "x.yaml:5:14: calls.max_calls: value 1000001 out of range 1..1000000" },
	/* 86 */ { PORTS "calls:\n  ng_cache_s: 601\n",
		   "x.yaml:5:15: calls.ng_cache_s: value 601 out of range 1..600" },
	/* REST limits */
	/* 87 */ { PORTS "controlplane:\n  rest:\n    request_timeout_s: 0\n",
		   "x.yaml:6:24: controlplane.rest.request_timeout_s: value 0 out of range 1..300" },
	/* 88 */ { PORTS "controlplane:\n  rest:\n    max_connections: 1001\n",
		   "x.yaml:6:22: controlplane.rest.max_connections: value 1001 out of range "
		   "1..1000" },
	/* 89 */ { PORTS "controlplane:\n  rest:\n    max_connections_per_ip: 0\n",
		   "x.yaml:6:29: controlplane.rest.max_connections_per_ip: value 0 out of range "
		   "1..1000" },
	/* 90 */ { PORTS "controlplane:\n  rest:\n    health_listen: 127.0.0.1\n",
		   "x.yaml:6:20: controlplane.rest.health_listen: expected an IPv4 socket address "
		   "a.b.c.d:1..65535, got '127.0.0.1'" },
	/* 91 */ { PORTS "exception:\n  enabled: true\n  mtu: 1500\n",
		   "x.yaml:6:3: exception.mtu: unknown key" },
	/* 92 */ { PORTS "exception:\n  iface: rtcgw-exception0\n",
		   "x.yaml:5:10: exception.iface: string of 16 bytes too long, at most 15" },
	/* 93 */ { PORTS "exception:\n  iface: 'tap 0'\n",
		   "x.yaml:5:10: exception.iface: expected 1..15 characters from [A-Za-z0-9_-], "
		   "got 'tap 0'" },
	/* 94 */ { PORTS "exception:\n  tcp: maybe\n",
		   "x.yaml:5:8: exception.tcp: expected true or false, got 'maybe'" },
	/* 95 */ { PORTS "calls:\n  media_timeout_s: 0\n",
		   "x.yaml:5:20: calls.media_timeout_s: value 0 out of range 1..86400" },
	/* 96 */ { PORTS "calls:\n  media_timeout_s: 86401\n",
		   "x.yaml:5:20: calls.media_timeout_s: value 86401 out of range 1..86400" },
	/* media.streams (RTP ingest) */
	/* 97 */ { PORTS "media:\n  streams:\n    - {name: cam1, audio: {codec: g729}}\n",
		   "x.yaml:6:7: media.streams[0]: audio.codec: unknown codec 'g729' (opus|pcmu)" },
	/* 98 */ { PORTS "media:\n  streams:\n    - {name: cam1, video: {codec: opus}}\n",
		   "x.yaml:6:7: media.streams[0]: video.codec: unknown codec 'opus' (vp8|h264)" },
	/* 99 */ { PORTS "media:\n  streams:\n    - {name: cam1, audio: {codec: pcmu, pt: 8}}\n",
		   "x.yaml:6:7: media.streams[0]: audio.pt: 8 is not pcmu's payload type 0" },
	/* 100 */ { PORTS "media:\n  streams:\n    - {name: cam1, video: {codec: vp8, pt: 72}}\n",
		    "x.yaml:6:7: media.streams[0]: video.pt: 72 is outside vp8's dynamic payload "
		    "types 96..127" },
	/* 101 */ { PORTS "media:\n  streams:\n    - name: cam1\n      audio: {codec: opus, pt: 128}\n",
		    "x.yaml:7:32: media.streams[0].audio.pt: value 128 out of range 0..127" },
	/* 102 */ { PORTS "media:\n  streams:\n    - name: cam1\n",
		    "x.yaml:6:7: media.streams[0]: a stream needs an audio or a video track (or both)" },
	/* 103 */ { PORTS "media:\n  streams:\n    - {name: cam1, audio: {codec: opus, pt: 96}, "
		    "video: {codec: vp8}}\n",
		    "x.yaml:6:7: media.streams[0]: video.pt: 96 is also audio.pt; one port carries "
		    "both, told apart by payload type" },
	/* 104 */ { PORTS "media:\n  streams:\n    - {audio: {codec: opus}}\n",
		    "x.yaml:6:7: media.streams[0].name: missing required key" },
	/* 105 */ { PORTS "media:\n  streams:\n    - {name: 'cam 1', audio: {codec: opus}}\n",
		    "x.yaml:6:14: media.streams[0].name: expected 1..63 characters from "
		    "[A-Za-z0-9_-], got 'cam 1'" },
	/* 106 */ { PORTS "media:\n  streams:\n    - {name: cam1, audio: {pt: 111}}\n",
		    "x.yaml:6:27: media.streams[0].audio.codec: missing required key" },
	/* 107 */ { PORTS "media:\n  streams:\n    - {name: c, video: {codec: vp8, ssrc: 0}}\n",
		    "x.yaml:6:43: media.streams[0].video.ssrc: value 0 out of range 1..4294967295" },
	/* IPv6 port addresses */
#define P6(kv) "dataplane:\n  ports:\n    - {name: p0, device: d0, address: 198.18.0.2/24, " kv "}\n"
	/* 108 */ { P6("address6: 2001:2::1"),
		    "x.yaml:3:64: dataplane.ports[0].address6: expected an IPv6 address with "
		    "prefix length x:x::x/1..128, got '2001:2::1'" },
	/* 109 */ { P6("address6: 2001:2::1/129"),
		    "x.yaml:3:64: dataplane.ports[0].address6: expected an IPv6 address with "
		    "prefix length x:x::x/1..128, got '2001:2::1/129'" },
	/* 110 */ { P6("address6: 2001:2::1/0"),
		    "x.yaml:3:64: dataplane.ports[0].address6: expected an IPv6 address with "
		    "prefix length x:x::x/1..128, got '2001:2::1/0'" },
	/* 111 */ { P6("address6: 198.18.0.2/24"),
		    "x.yaml:3:64: dataplane.ports[0].address6: expected an IPv6 address with "
		    "prefix length x:x::x/1..128, got '198.18.0.2/24'" },
	/* 112 */ { P6("address6: 'ff02::1/64'"),
		    "x.yaml:3:64: dataplane.ports[0].address6: 'ff02::1/64' is multicast, not a "
		    "global or unique-local unicast address" },
	/* 113 */ { P6("address6: 'fe80::2/64'"),
		    "x.yaml:3:64: dataplane.ports[0].address6: 'fe80::2/64' is link-local (the "
		    "port's link-local address is derived from its MAC), not a global or "
		    "unique-local unicast address" },
	/* 114 */ { P6("address6: '::/64'"),
		    "x.yaml:3:64: dataplane.ports[0].address6: '::/64' is the unspecified "
		    "address, not a global or unique-local unicast address" },
	/* 115 */ { P6("address6: '::ffff:198.18.0.2/120'"),
		    "x.yaml:3:64: dataplane.ports[0].address6: '::ffff:198.18.0.2/120' is "
		    "IPv4-mapped, not a global or unique-local unicast address" },
	/* 116 */ { P6("gateway6: 2001:2::1/64"),
		    "x.yaml:3:64: dataplane.ports[0].gateway6: expected an IPv6 address x:x::x, "
		    "got '2001:2::1/64'" },
	/* 117 */ { P6("gateway6: 'ff02::2'"),
		    "x.yaml:3:64: dataplane.ports[0].gateway6: 'ff02::2' is multicast, not a "
		    "unicast address" },
	/* 118 */ { P6("gateway6: '::1'"),
		    "x.yaml:3:64: dataplane.ports[0].gateway6: '::1' is the loopback address, "
		    "not a unicast address" },
	/* 119 */ { P6("gateway6: 'fe80::1%eth0'"),
		    "x.yaml:3:64: dataplane.ports[0].gateway6: expected an IPv6 address x:x::x, "
		    "got 'fe80::1%eth0'" },
	/* 120 */ { P6("address6: [2001:2::1/64]"),
		    "x.yaml:3:64: dataplane.ports[0].address6: expected an IPv6 address with "
		    "prefix length x:x::x/1..128, got a sequence" },
	/* ports[].relay_addresses: IPv4 addresses, at most 15 */
	/* 121 */ { "dataplane:\n  ports:\n    - {name: p0, device: d0, address: 198.18.0.2/24, "
		   "relay_addresses: [198.18.0.3, 198.18.0.300]}\n",
		   "x.yaml:3:84: dataplane.ports[0].relay_addresses[1]: expected an IPv4 address "
		   "a.b.c.d, got '198.18.0.300'" },
	/* 122 */ { "dataplane:\n  ports:\n    - {name: p0, device: d0, address: 198.18.0.2/24, "
		   "relay_addresses: 198.18.0.3}\n",
		   "x.yaml:3:71: dataplane.ports[0].relay_addresses: expected a sequence, "
		   "got '198.18.0.3'" },
	/* 123 */ { "dataplane:\n  ports:\n    - {name: p0, device: d0, address: 198.18.0.2/24, "
		   "relay_addresses: [198.18.0.10, 198.18.0.11, 198.18.0.12, 198.18.0.13, "
		   "198.18.0.14, 198.18.0.15, 198.18.0.16, 198.18.0.17, 198.18.0.18, 198.18.0.19, "
		   "198.18.0.20, 198.18.0.21, 198.18.0.22, 198.18.0.23, 198.18.0.24, 198.18.0.25]}\n",
		   "x.yaml:3:71: dataplane.ports[0].relay_addresses: too many entries: 16, "
		   "at most 15" },
};

static void
test_parse_errors(void **state)
{
	struct gw_config *c = new_conf();
	char err[GW_CONF_ERR_LEN];
	unsigned failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(parse_errors) / sizeof(parse_errors[0]); i++) {
		const struct err_case *t = &parse_errors[i];
		int rc = parse_str(c, t->yaml, err, sizeof(err));

		if (rc != -EINVAL || strcmp(err, t->msg) != 0) {
			print_error("row %zu: rc %d\n  got:  %s\n  want: %s\n", i + 1, rc, err,
				    t->msg);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
	free(c);
}

/* Secrets (tokens, auth_secrets, passwords) never appear in a message. */
static void
test_secrets_not_echoed(void **state)
{
	static const char *const rows[] = {
		/* 1 */ PORTS "controlplane:\n  rest:\n    tokens: [SECRETSECRET]\n",
		/* 2 */ PORTS "turn:\n  auth_secrets: [SECRETSECRET]\n",
		/* 3 */ PORTS "turn:\n  users:\n    - {username: a, password: \"\"}\n"
			"    - {username: b, password: SECRETSECRET"
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}\n",
	};
	struct gw_config *c = new_conf();
	char err[GW_CONF_ERR_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(parse_str(c, rows[i], err, sizeof(err)), -EINVAL);
		assert_null(strstr(err, "SECRET"));
		assert_non_null(strstr(err, "x.yaml:"));
	}
	free(c);
}

/* ---- file errors -------------------------------------------------------- */

static void
test_file_errors(void **state)
{
	struct gw_config *c = new_conf();
	char err[GW_CONF_ERR_LEN];
	char want[GW_CONF_ERR_LEN + 64];
	char tmpl[] = "/tmp/rtcgw-conf-XXXXXX";
	size_t big = (1u << 20) + 1;
	char *buf;
	FILE *f;
	int fd;

	(void)state;
	/* The example in gateway-conf/README.md: the column is the value's. */
	assert_int_equal(gw_config_load(c, CONF_DATA_DIR "/bad_mtu.yaml", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, CONF_DATA_DIR "/bad_mtu.yaml:7:16: dataplane.ports[0].mtu: "
			    "value 70000 out of range 576..9000");

	assert_int_equal(gw_config_load(c, CONF_DATA_DIR "/syntax.yaml", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, CONF_DATA_DIR "/syntax.yaml:8:4: yaml: did not find expected "
			    "',' or ']' while parsing a flow sequence");

	assert_int_equal(gw_config_load(c, CONF_DATA_DIR "/absent.yaml", err, sizeof(err)),
			 -ENOENT);
	assert_string_equal(err, CONF_DATA_DIR "/absent.yaml: cannot read: "
			    "No such file or directory");

	assert_int_equal(gw_config_load(c, CONF_DATA_DIR, err, sizeof(err)), -EISDIR);
	assert_string_equal(err, CONF_DATA_DIR ": cannot read: Is a directory");

	/* Larger than 1 MiB: refused before parsing. */
	fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	buf = malloc(big);
	assert_non_null(buf);
	memset(buf, '#', big);
	assert_int_equal(fwrite(buf, 1, big, f), big);
	assert_int_equal(fclose(f), 0);
	free(buf);
	assert_int_equal(gw_config_load(c, tmpl, err, sizeof(err)), -EFBIG);
	snprintf(want, sizeof(want), "%s: cannot read: larger than 1048576 bytes", tmpl);
	assert_string_equal(err, want);
	assert_int_equal(unlink(tmpl), 0);
	free(c);
}

/* A short or absent error buffer truncates, never overflows. */
static void
test_err_buffer(void **state)
{
	struct gw_config *c = new_conf();
	char err[16];

	(void)state;
	memset(err, 'Z', sizeof(err));
	assert_int_equal(parse_str(c, "bogus: 1\n", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "x.yaml:1:1: bog");
	assert_int_equal(parse_str(c, "bogus: 1\n", NULL, 0), -EINVAL);
	assert_int_equal(gw_config_validate(c, NULL, 0), -EINVAL);
	free(c);
}

/* ---- validation: one row per rule -------------------------------------- */

static const struct err_case validate_errors[] = {
	/* 1 */ { "dataplane:\n  lcores: [1, 2, 1]\n  ports:\n"
		  "    - {name: p0, device: d0, address: 198.18.0.2/24, rx_queues: 3}\n",
		  "x.yaml: dataplane.lcores[2]: lcore 1 listed twice (also dataplane.lcores[0])" },
	/* 2 */ { "dataplane:\n  lcores: [2, 0]\n  ports:\n"
		  "    - {name: p0, device: d0, address: 198.18.0.2/24, rx_queues: 2}\n",
		  "x.yaml: dataplane.lcores[1]: lcore 0 is also controlplane.lcore; the two "
		  "processes need disjoint cores" },
	/* 3 */ { "dataplane:\n  lcores: [1, 2]\n  ports:\n"
		  "    - {name: p0, device: d0, address: 198.18.0.2/24}\n",
		  "x.yaml: dataplane.ports[0].rx_queues: 1 RX queues but 2 dataplane lcores; "
		  "rtcgw runs one worker lcore per RX queue, so they must be equal" },
	/* 3b */ { "dataplane:\n  lcores: [1, 2]\n  cpus: [1]\n  ports:\n"
		   "    - {name: p0, device: d0, address: 198.18.0.2/24, rx_queues: 2}\n",
		   "x.yaml: dataplane.cpus: 1 entries but 2 dataplane.lcores; give one CPU per "
		   "lcore, or leave it out (lcore i on CPU lcores[i])" },
	/* 3c */ { PORTS "media:\n  dtls_certificate: /etc/rtcgw/dtls.crt\n",
		   "x.yaml: media.dtls_certificate: set with media.dtls_private_key, or neither "
		   "(a certificate is generated at start)" },
	/* 4 */ { "dataplane:\n  ports:\n"
		  "    - {name: p0, device: d0, address: 198.18.0.2/24, gateway: 198.18.1.1}\n",
		  "x.yaml: dataplane.ports[0].gateway: 198.18.1.1 is not inside the port's "
		  "subnet 198.18.0.0/24" },
	/* 5 */ { "dataplane:\n  ports:\n"
		  "    - {name: p0, device: d0, address: 198.18.0.2/24, gateway: 198.18.0.2}\n",
		  "x.yaml: dataplane.ports[0].gateway: 198.18.0.2 is the port's own address" },
	/* 6 */ { "dataplane:\n  ports:\n"
		  "    - {name: p0, device: d0, address: 198.18.0.2/24}\n"
		  "    - {name: p0, device: d1, address: 198.19.0.2/24}\n",
		  "x.yaml: dataplane.ports[1].name: 'p0' is already the name of dataplane.ports[0]" },
	/* 7 */ { PORTS "turn:\n  relay_port_min: 60000\n  relay_port_max: 59999\n",
		  "x.yaml: turn.relay_port_min: 60000 is above turn.relay_port_max 59999" },
	/* 8 */ { PORTS "media:\n  port_min: 30000\n  port_max: 20000\n",
		  "x.yaml: media.port_min: 30000 is above media.port_max 20000" },
	/* 9 */ { PORTS "media:\n  port_max: 49152\n",
		  "x.yaml: turn.relay_port_min: relay ports 49152..65535 overlap media ports "
		  "40000..49152" },
	/* 10 */ { PORTS "stun:\n  port: 50000\n",
		   "x.yaml: stun.port: 50000 is inside the TURN relay range 49152..65535" },
	/* 11 */ { PORTS "stun:\n  port: 40000\n",
		   "x.yaml: stun.port: 40000 is inside the media port range 40000..49151" },
	/* 12 */ { PORTS "turn:\n  default_lifetime_s: 3601\n",
		   "x.yaml: turn.default_lifetime_s: 3601 is above turn.max_lifetime_s 3600" },
	/* 13 */ { PORTS "controlplane:\n  rest:\n    health_listen: 127.0.0.1:8080\n",
		   "x.yaml: controlplane.rest.health_listen: 127.0.0.1:8080 overlaps "
		   "controlplane.rest.listen 127.0.0.1:8080; the health listener needs a socket "
		   "of its own" },
	/* 14 */ { PORTS "controlplane:\n  rest:\n    listen: 0.0.0.0:8080\n"
		   "    health_listen: 127.0.0.2:8080\n",
		   "x.yaml: controlplane.rest.health_listen: 127.0.0.2:8080 overlaps "
		   "controlplane.rest.listen 0.0.0.0:8080; the health listener needs a socket "
		   "of its own" },
	/* 15 */ { PORTS "controlplane:\n  rest:\n    max_connections: 10\n"
		   "    max_connections_per_ip: 11\n",
		   "x.yaml: controlplane.rest.max_connections_per_ip: 11 is above "
		   "controlplane.rest.max_connections 10" },
	/* 16 */ { PORTS "exception:\n  enabled: true\n  port: wan9\n",
		   "x.yaml: exception.port: 'wan9' is not the name of one of dataplane.ports" },
	/* 17 */ { PORTS "media:\n  streams:\n    - {name: cam1, audio: {codec: opus}}\n"
		   "    - {name: cam1, video: {codec: h264}}\n",
		   "x.yaml: media.streams[1].name: 'cam1' is already the name of media.streams[0]" },
	/* 18 */ { P6("gateway6: 'fe80::1'"),
		   "x.yaml: dataplane.ports[0].gateway6: fe80::1 set without "
		   "dataplane.ports[0].address6" },
	/* 19 */ { P6("address6: '2001:2:0:60::2/64', gateway6: '2001:2:0:61::1'"),
		   "x.yaml: dataplane.ports[0].gateway6: 2001:2:0:61::1 is neither inside the "
		   "port's prefix 2001:2:0:60::/64 nor link-local (fe80::/10)" },
	/* 20 */ { P6("address6: '2001:2:0:60::2/64', gateway6: '2001:2:0:60::2'"),
		   "x.yaml: dataplane.ports[0].gateway6: 2001:2:0:60::2 is the port's own "
		   "address" },
	/* ports[].relay_addresses */
	/* 21 */ { "dataplane:\n  ports:\n"
		   "    - {name: p0, device: d0, address: 198.18.0.2/24, gateway: 198.18.0.1, "
		   "relay_addresses: [198.18.0.3, 224.0.0.1]}\n",
		   "x.yaml: dataplane.ports[0].relay_addresses[1]: "
		   "224.0.0.1 is not a unicast address" },
	/* 22 */ { "dataplane:\n  ports:\n"
		   "    - {name: p0, device: d0, address: 198.18.0.2/24, gateway: 198.18.0.1, "
		   "relay_addresses: [0.0.0.1]}\n",
		   "x.yaml: dataplane.ports[0].relay_addresses[0]: "
		   "0.0.0.1 is not a unicast address" },
	/* 23 */ { "dataplane:\n  ports:\n"
		   "    - {name: p0, device: d0, address: 198.18.0.2/24, gateway: 198.18.0.1, "
		   "relay_addresses: [198.18.0.1]}\n",
		   "x.yaml: dataplane.ports[0].relay_addresses[0]: "
		   "198.18.0.1 is the port's gateway" },
	/* 24 */ { "dataplane:\n  ports:\n"
		   "    - {name: p0, device: d0, address: 198.18.0.2/24, gateway: 198.18.0.1, "
		   "relay_addresses: [198.18.0.255]}\n",
		   "x.yaml: dataplane.ports[0].relay_addresses[0]: "
		   "198.18.0.255 is the broadcast address of the port's subnet" },
	/* 25 */ { "dataplane:\n  ports:\n"
		   "    - {name: p0, device: d0, address: 198.18.0.2/24, gateway: 198.18.0.1, "
		   "relay_addresses: [198.18.0.0]}\n",
		   "x.yaml: dataplane.ports[0].relay_addresses[0]: "
		   "198.18.0.0 is the network address of the port's subnet" },
	/* 26 */ { "dataplane:\n  ports:\n"
		   "    - {name: p0, device: d0, address: 198.18.0.2/24, gateway: 198.18.0.1, "
		   "relay_addresses: [198.18.0.2]}\n",
		   "x.yaml: dataplane.ports[0].relay_addresses[0]: "
		   "198.18.0.2 is already dataplane.ports[0].address" },
	/* 27 */ { "dataplane:\n  ports:\n"
		   "    - {name: p0, device: d0, address: 198.18.0.2/24, gateway: 198.18.0.1, "
		   "relay_addresses: [198.18.0.3, 198.18.0.4, 198.18.0.3]}\n",
		   "x.yaml: dataplane.ports[0].relay_addresses[2]: "
		   "198.18.0.3 is already dataplane.ports[0].relay_addresses[0]" },
	/* 28 */ { "dataplane:\n  ports:\n"
		   "    - {name: p0, device: d0, address: 198.18.0.2/24, gateway: 198.18.0.1, "
		   "relay_addresses: [198.19.0.2]}\n"
		   "    - {name: p1, device: d1, address: 198.19.0.2/24}\n",
		   "x.yaml: dataplane.ports[0].relay_addresses[0]: "
		   "198.19.0.2 is already dataplane.ports[1].address" },
	/* 29 */ { "dataplane:\n  ports:\n"
		   "    - {name: p0, device: d0, address: 198.18.0.2/24, gateway: 198.18.0.1, "
		   "relay_addresses: [198.19.0.3]}\n"
		   "    - {name: p1, device: d1, address: 198.19.0.2/24, "
		   "relay_addresses: [198.19.0.4, 198.19.0.3]}\n",
		   "x.yaml: dataplane.ports[1].relay_addresses[1]: "
		   "198.19.0.3 is already dataplane.ports[0].relay_addresses[0]" },
};

static void
test_validate_errors(void **state)
{
	struct gw_config *c = new_conf();
	char err[GW_CONF_ERR_LEN];
	unsigned failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(validate_errors) / sizeof(validate_errors[0]); i++) {
		const struct err_case *t = &validate_errors[i];
		int rc = parse_str(c, t->yaml, err, sizeof(err));

		if (rc != 0) {
			print_error("row %zu: does not parse: %s\n", i + 1, err);
			failed++;
			continue;
		}
		rc = gw_config_validate(c, err, sizeof(err));
		if (rc != -EINVAL || strcmp(err, t->msg) != 0) {
			print_error("row %zu: rc %d\n  got:  %s\n  want: %s\n", i + 1, rc, err,
				    t->msg);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
	free(c);
}

/* Structs built in code (not from a file) are checked too. */
static void
test_validate_struct(void **state)
{
	struct gw_config *c = new_conf();
	char err[GW_CONF_ERR_LEN];

	(void)state;
	gw_config_defaults(c);
	snprintf(c->path, sizeof(c->path), "mem");
	assert_int_equal(gw_config_validate(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "mem: dataplane.ports: 0 entries, need 1..4");

	c->dataplane.n_ports = 1;
	c->dataplane.ports[0].rx_queues = 1;
	c->dataplane.ports[0].address.addr = IP4(198, 18, 0, 2);
	c->dataplane.ports[0].address.len = 24;
	assert_int_equal(gw_config_validate(c, err, sizeof(err)), 0);
	assert_string_equal(err, "");

	c->dataplane.n_lcores = 0;
	assert_int_equal(gw_config_validate(c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "mem: dataplane.lcores: 0 entries, need 1..16");
	free(c);
}

static void
test_log_level_names(void **state)
{
	(void)state;
	assert_string_equal(gw_log_level_name(GW_LOG_ERROR), "error");
	assert_string_equal(gw_log_level_name(GW_LOG_WARNING), "warning");
	assert_string_equal(gw_log_level_name(GW_LOG_NOTICE), "notice");
	assert_string_equal(gw_log_level_name(GW_LOG_INFO), "info");
	assert_string_equal(gw_log_level_name(GW_LOG_DEBUG), "debug");
	assert_string_equal(gw_log_level_name((enum gw_log_level)99), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_file),
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_peers_capacity),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_secrets_not_echoed),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_err_buffer),
		cmocka_unit_test(test_validate_errors),
		cmocka_unit_test(test_validate_struct),
		cmocka_unit_test(test_log_level_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
