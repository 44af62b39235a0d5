/*
 * gw_reload: reload diffing (gw_reload.h). One row per key of struct
 * gw_config: how to compare it and whether it can change live. A key added
 * to gw_config.c gets a row here (test_reload checks every row both ways).
 */
#include "gw_reload.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

enum kind {
	K_RAW,       /* scalar: memcmp over its size */
	K_STR,       /* NUL-terminated string */
	K_STRS,      /* count + array of char[size / GW_CONF_MAX_...] strings */
	K_U16S,      /* count + uint16_t array (lcores) */
	K_CIDRS,     /* count + struct gw_cidr4 array */
	K_CIDRS6,    /* count + struct gw_cidr6 array */
	K_USERS,     /* count + struct gw_turn_user array */
	K_PORTS,     /* count + struct gw_conf_port array */
	K_SOCK,      /* struct gw_sockaddr4 */
	K_STREAMS,   /* count + struct gw_conf_stream array */
};

enum rule {
	RESTART,
	LIVE,
	LIVE_CAPPED, /* live up to alloc_cap (turn.max_allocations) */
};

struct row {
	const char *key;
	enum kind kind;
	enum rule rule;
	size_t off, size;           /* the member */
	size_t count_off;           /* lists: the unsigned count */
	size_t elem;                /* lists: one entry's size */
};

#define M(m)        offsetof(struct gw_config, m), sizeof(((struct gw_config *)0)->m)
#define E(m)        sizeof(((struct gw_config *)0)->m[0])
#define RAW(k, m, r)        { k, K_RAW, r, M(m), 0, 0 }
#define STR(k, m, r)        { k, K_STR, r, M(m), 0, 0 }
#define LIST(k, kd, m, n, r) { k, kd, r, M(m), offsetof(struct gw_config, n), E(m) }

static const struct row rows[] = {
	LIST("dataplane.lcores", K_U16S, dataplane.lcores, dataplane.n_lcores, RESTART),
	LIST("dataplane.cpus", K_U16S, dataplane.cpus, dataplane.n_cpus, RESTART),
	RAW("dataplane.busy_poll", dataplane.busy_poll, RESTART),
	RAW("dataplane.idle_sleep_us", dataplane.idle_sleep_us, RESTART),
	RAW("dataplane.mbufs", dataplane.mbufs, RESTART),
	RAW("dataplane.memory_mb", dataplane.memory_mb, RESTART),
	STR("dataplane.hugepage_dir", dataplane.hugepage_dir, RESTART),
	STR("dataplane.file_prefix", dataplane.file_prefix, RESTART),
	RAW("dataplane.arp_timeout_s", dataplane.arp_timeout_s, RESTART),
	/* every ports[] key, relay_addresses included (the TURN table's relay
	 * address list and the ARP answers are set up once, at start) */
	LIST("dataplane.ports", K_PORTS, dataplane.ports, dataplane.n_ports, RESTART),
	RAW("controlplane.lcore", controlplane.lcore, RESTART),
	{ "controlplane.rest.listen", K_SOCK, RESTART, M(controlplane.rest_listen), 0, 0 },
	LIST("controlplane.rest.tokens", K_STRS, controlplane.tokens, controlplane.n_tokens, LIVE),
	{ "controlplane.rest.health_listen", K_SOCK, RESTART, M(controlplane.health_listen), 0, 0 },
	RAW("controlplane.rest.max_connections", controlplane.rest_max_conns, RESTART),
	RAW("controlplane.rest.max_connections_per_ip", controlplane.rest_max_conns_per_ip, RESTART),
	RAW("controlplane.rest.request_timeout_s", controlplane.rest_request_timeout_s, RESTART),
	RAW("controlplane.ipc_poll_ms", controlplane.ipc_poll_ms, RESTART),
	STR("controlplane.journal_dir", controlplane.journal_dir, RESTART),
	RAW("log.level", log.level, LIVE),
	RAW("stun.enabled", stun.enabled, RESTART),
	RAW("stun.port", stun.port, RESTART),
	STR("stun.software", stun.software, RESTART),
	RAW("turn.enabled", turn.enabled, RESTART),
	STR("turn.realm", turn.realm, RESTART),
	RAW("turn.relay_port_min", turn.relay_port_min, RESTART),
	RAW("turn.relay_port_max", turn.relay_port_max, RESTART),
	RAW("turn.default_lifetime_s", turn.default_lifetime_s, RESTART),
	RAW("turn.max_lifetime_s", turn.max_lifetime_s, RESTART),
	RAW("turn.permission_lifetime_s", turn.permission_lifetime_s, RESTART),
	RAW("turn.channel_lifetime_s", turn.channel_lifetime_s, RESTART),
	RAW("turn.nonce_lifetime_s", turn.nonce_lifetime_s, RESTART),
	RAW("turn.max_allocations", turn.max_allocations, LIVE_CAPPED),
	RAW("turn.user_quota", turn.user_quota, LIVE),
	RAW("turn.ip_quota", turn.ip_quota, LIVE),
	RAW("turn.rfc5766_channels", turn.rfc5766_channels, RESTART),
	RAW("turn.bandwidth_bps", turn.bandwidth_bps, LIVE),
	LIST("turn.users", K_USERS, turn.users, turn.n_users, LIVE),
	LIST("turn.auth_secrets", K_STRS, turn.auth_secrets, turn.n_auth_secrets, LIVE),
	/* one key, two arrays (IPv4 and IPv6 entries): named once */
	LIST("turn.allowed_peers", K_CIDRS, turn.allowed_peers, turn.n_allowed_peers, LIVE),
	LIST("turn.allowed_peers", K_CIDRS6, turn.allowed_peers6, turn.n_allowed_peers6, LIVE),
	LIST("turn.denied_peers", K_CIDRS, turn.denied_peers, turn.n_denied_peers, LIVE),
	LIST("turn.denied_peers", K_CIDRS6, turn.denied_peers6, turn.n_denied_peers6, LIVE),
	RAW("turn.tcp.enabled", turn.tcp.enabled, RESTART),
	LIST("turn.tcp.ports", K_U16S, turn.tcp.ports, turn.tcp.n_ports, RESTART),
	LIST("turn.tcp.tls_ports", K_U16S, turn.tcp.tls_ports, turn.tcp.n_tls_ports, RESTART),
	STR("turn.tcp.certificate", turn.tcp.certificate, RESTART),
	STR("turn.tcp.private_key", turn.tcp.private_key, RESTART),
	RAW("turn.tcp.lcore", turn.tcp.lcore, RESTART),
	RAW("turn.tcp.max_connections", turn.tcp.max_connections, RESTART),
	RAW("turn.tcp.max_connections_per_ip", turn.tcp.max_connections_per_ip, RESTART),
	RAW("turn.tcp.idle_timeout_s", turn.tcp.idle_timeout_s, RESTART),
	RAW("turn.tcp.handshake_timeout_s", turn.tcp.handshake_timeout_s, RESTART),
	RAW("turn.tcp.stall_timeout_s", turn.tcp.stall_timeout_s, RESTART),
	RAW("turn.tcp.send_buffer_kb", turn.tcp.send_buffer_kb, RESTART),
	RAW("media.port_min", media.port_min, RESTART),
	RAW("media.port_max", media.port_max, RESTART),
	RAW("media.consent_timeout_s", media.consent_timeout_s, RESTART),
	STR("media.dtls_certificate", media.dtls_certificate, RESTART),
	STR("media.dtls_private_key", media.dtls_private_key, RESTART),
	LIST("media.streams", K_STREAMS, media.streams, media.n_streams, RESTART),
	RAW("calls.ng_enabled", calls.ng_enabled, RESTART),
	{ "calls.ng_listen", K_SOCK, RESTART, M(calls.ng_listen), 0, 0 },
	RAW("calls.max_calls", calls.max_calls, RESTART),
	RAW("calls.ng_cache_s", calls.ng_cache_s, RESTART),
	RAW("calls.media_timeout_s", calls.media_timeout_s, RESTART),
	RAW("exception.enabled", exception.enabled, RESTART),
	STR("exception.iface", exception.iface, RESTART),
	STR("exception.port", exception.port, RESTART),
	RAW("exception.tcp", exception.tcp, RESTART),
	RAW("exception.icmp", exception.icmp, RESTART),
	RAW("exception.udp_unhandled", exception.udp_unhandled, RESTART),
	RAW("exception.other_protocols", exception.other_protocols, RESTART),
};

static bool
port_eq(const struct gw_conf_port *a, const struct gw_conf_port *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->device, b->device) == 0 &&
	       a->address.addr == b->address.addr && a->address.len == b->address.len &&
	       a->gateway == b->gateway && a->rx_queues == b->rx_queues &&
	       a->rx_desc == b->rx_desc && a->tx_desc == b->tx_desc && a->mtu == b->mtu &&
	       memcmp(a->address6.addr, b->address6.addr, 16) == 0 &&
	       a->address6.len == b->address6.len &&
	       memcmp(a->gateway6, b->gateway6, 16) == 0 &&
	       a->n_relay_addresses == b->n_relay_addresses &&
	       memcmp(a->relay_addresses, b->relay_addresses,
		      a->n_relay_addresses * sizeof(a->relay_addresses[0])) == 0;
}

static bool
track_eq(const struct gw_conf_track *a, const struct gw_conf_track *b)
{
	return strcmp(a->codec, b->codec) == 0 && a->pt == b->pt && a->ssrc == b->ssrc;
}

static bool
stream_eq(const struct gw_conf_stream *a, const struct gw_conf_stream *b)
{
	return strcmp(a->name, b->name) == 0 && track_eq(&a->audio, &b->audio) &&
	       track_eq(&a->video, &b->video);
}

static bool
entry_eq(enum kind k, const void *a, const void *b)
{
	const struct gw_cidr4 *ca = a, *cb = b;
	const struct gw_cidr6 *c6a = a, *c6b = b;
	const struct gw_turn_user *ua = a, *ub = b;

	switch (k) {
	case K_STRS:
		return strcmp(a, b) == 0;
	case K_U16S:
		return *(const uint16_t *)a == *(const uint16_t *)b;
	case K_CIDRS:
		return ca->addr == cb->addr && ca->len == cb->len;
	case K_CIDRS6:
		return memcmp(c6a->addr, c6b->addr, 16) == 0 && c6a->len == c6b->len;
	case K_USERS:
		return strcmp(ua->username, ub->username) == 0 &&
		       strcmp(ua->password, ub->password) == 0;
	case K_PORTS:
		return port_eq(a, b);
	case K_STREAMS:
		return stream_eq(a, b);
	default:
		return false;
	}
}

static bool
row_eq(const struct row *r, const struct gw_config *x, const struct gw_config *y)
{
	const char *a = (const char *)x + r->off, *b = (const char *)y + r->off;
	const struct gw_sockaddr4 *sa = (const void *)a, *sb = (const void *)b;
	unsigned na, nb;

	switch (r->kind) {
	case K_RAW:
		return memcmp(a, b, r->size) == 0;
	case K_STR:
		return strcmp(a, b) == 0;
	case K_SOCK:
		return sa->addr == sb->addr && sa->port == sb->port;
	default:
		break;
	}
	memcpy(&na, (const char *)x + r->count_off, sizeof(na));
	memcpy(&nb, (const char *)y + r->count_off, sizeof(nb));
	if (na != nb)
		return false;
	for (unsigned i = 0; i < na && (i + 1) * r->elem <= r->size; i++)
		if (!entry_eq(r->kind, a + i * r->elem, b + i * r->elem))
			return false;
	return true;
}

static bool
is_live(const struct row *r, const struct gw_config *next, uint32_t alloc_cap)
{
	return r->rule == LIVE ||
	       (r->rule == LIVE_CAPPED && next->turn.max_allocations <= alloc_cap);
}

void
gw_reload_diff(const struct gw_config *run, const struct gw_config *next, uint32_t alloc_cap,
	       struct gw_reload_diff *d)
{
	memset(d, 0, sizeof(*d));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];

		if (row_eq(r, run, next))
			continue;
		if (is_live(r, next, alloc_cap)) {
			if (d->n_live == 0 || strcmp(d->live[d->n_live - 1], r->key) != 0)
				d->live[d->n_live++] = r->key;
		} else if (d->n_restart == 0 || strcmp(d->restart[d->n_restart - 1], r->key) != 0) {
			d->restart[d->n_restart++] = r->key;
		}
	}
}

void
gw_reload_apply(struct gw_config *run, const struct gw_config *next, uint32_t alloc_cap)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];

		if (!is_live(r, next, alloc_cap) || row_eq(r, run, next))
			continue;
		memcpy((char *)run + r->off, (const char *)next + r->off, r->size);
		if (r->elem != 0)
			memcpy((char *)run + r->count_off, (const char *)next + r->count_off,
			       sizeof(unsigned));
	}
}

static int
list(char *buf, size_t len, int at, const char *const *keys, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		at += snprintf(buf + ((size_t)at < len ? (size_t)at : len),
			       (size_t)at < len ? len - (size_t)at : 0, "%s%s", i ? ", " : "",
			       keys[i]);
	return at;
}

int
gw_reload_format(const struct gw_reload_diff *d, char *buf, size_t len)
{
	int at = 0;

#define REST(at) buf + ((size_t)(at) < len ? (size_t)(at) : len), \
		 (size_t)(at) < len ? len - (size_t)(at) : 0
	if (len > 0)
		buf[0] = '\0';
	if (d->n_live == 0 && d->n_restart == 0)
		return snprintf(buf, len, "no change");
	if (d->n_live != 0) {
		at += snprintf(REST(at), "live: ");
		at = list(buf, len, at, d->live, d->n_live);
	}
	if (d->n_restart != 0) {
		at += snprintf(REST(at), "%srestart needed (not applied): ",
			       d->n_live ? "; " : "");
		at = list(buf, len, at, d->restart, d->n_restart);
	}
#undef REST
	return at;
}
