/*
 * gw_config: strict YAML config (STYLE.md practice 13).
 *
 * The file is loaded with libyaml's document API so every node carries its
 * start_mark. A table of keys (struct field) per mapping says where each value
 * goes, its type and its accepted range; one walker applies the tables, so a
 * new key is one table row and one README entry. Cross-field rules live in
 * gw_config_validate().
 */
#include "gw_config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#define CONF_MAX_FILE   (1u << 20)   /* gw_config_load refuses larger files */
#define PATH_LEN        256          /* key path, e.g. dataplane.ports[0].mtu */
#define SHOW_LEN        64           /* longest value echoed back in a message */

enum ftype {
	F_BOOL,      /* true | false */
	F_UINT,      /* decimal, size 1/2/4/8 bytes, min..max */
	F_STR,       /* any text, length min..max */
	F_NAME,      /* [A-Za-z0-9_-], length min..max */
	F_PATH,      /* absolute path, length min..max */
	F_IFADDR,    /* a.b.c.d/n, n 1..32, host bits allowed (interface address) */
	F_PREFIX,    /* a.b.c.d/n, n 0..32, no host bits (a network) */
	F_IP4,       /* a.b.c.d */
	F_IFADDR6,   /* x:x::x/n, n 1..128, host bits allowed, unicast (interface address) */
	F_IP6,       /* x:x::x, unicast (a next hop) */
	F_SOCK,      /* a.b.c.d:port, port 1..65535 */
	F_LOGLEVEL,  /* error | warning | notice | info | debug */
	F_MAP,       /* nested mapping: sub */
	F_SEQ,       /* sequence of elem; count at count_off; at most size / elem->size */
	F_PEERS,     /* sequence of IPv4 prefixes (struct gw_cidr4 at off, count at
	                count_off) and IPv6 prefixes (struct gw_cidr6 at off6, count
	                at count_off6), at most GW_CONF_MAX_CIDRS of each */
};

struct field {
	const char *key;
	enum ftype type;
	size_t off;                 /* from the enclosing object's base */
	size_t size;                /* bytes: integer width, buffer or array size */
	uint64_t min, max;          /* value range (F_UINT), length (strings),
	                               entry count (F_SEQ) */
	bool required;
	bool secret;                /* never echo the value back */
	const struct field *sub;    /* F_MAP: its keys, NULL-key terminated */
	const struct field *elem;   /* F_SEQ: element descriptor (off 0) */
	size_t count_off;           /* F_SEQ: unsigned count, from the same base */
	void (*init)(void *obj);    /* F_MAP element: defaults before parsing */
	/* F_MAP: a check across the mapping's keys once they are parsed (the
	 * error points at the mapping); 0 or -EINVAL with why set */
	int (*check)(void *obj, char *why, size_t len);
	size_t off6, count_off6;    /* F_PEERS: the IPv6 array and its count */
};

#define MEMBER_SIZE(type, m)  sizeof(((type *)0)->m)
#define C(m)                  offsetof(struct gw_config, m), MEMBER_SIZE(struct gw_config, m)
#define P(m)                  offsetof(struct gw_conf_port, m), MEMBER_SIZE(struct gw_conf_port, m)
#define U(m)                  offsetof(struct gw_turn_user, m), MEMBER_SIZE(struct gw_turn_user, m)
#define S(m)                  offsetof(struct gw_conf_stream, m), MEMBER_SIZE(struct gw_conf_stream, m)
#define T(m)                  offsetof(struct gw_conf_track, m), MEMBER_SIZE(struct gw_conf_track, m)

/* Integer field with its range. */
#define UINT(k, loc, lo, hi)  { .key = k, .type = F_UINT, loc, .min = lo, .max = hi }
/* String field: length lo..(buffer size - 1). */
#define STRF(k, t, loc, lo)   { .key = k, .type = t, loc, .min = lo, .max = 0 }
#define TYPED(k, t, loc)      { .key = k, .type = t, loc }
#define SECTION(k, s)         { .key = k, .type = F_MAP, .off = 0, .sub = s }
#define SEQ(k, loc, e, cnt, lo) \
	{ .key = k, .type = F_SEQ, loc, .elem = &(e), .count_off = (cnt), .min = lo }
#define END                   { .key = NULL }

/* ---- element descriptors ---------------------------------------------- */

static void
port_init(void *obj)
{
	struct gw_conf_port *p = obj;

	memset(p, 0, sizeof(*p));
	p->rx_queues = 1;
	p->rx_desc = 1024;
	p->tx_desc = 1024;
	p->mtu = 1500;
}

static void
user_init(void *obj)
{
	memset(obj, 0, sizeof(struct gw_turn_user));
}

static void
track_init(struct gw_conf_track *t)
{
	memset(t, 0, sizeof(*t));
	t->pt = GW_CONF_PT_DEFAULT;
}

static void
stream_init(void *obj)
{
	struct gw_conf_stream *s = obj;

	memset(s, 0, sizeof(*s));
	track_init(&s->audio);
	track_init(&s->video);
}

static int
stream_check(void *obj, char *why, size_t len)
{
	return gw_config_stream_check(obj, why, len);
}

static const struct field ip4_elem = { .key = "", .type = F_IP4, .size = sizeof(uint32_t) };

static const struct field port_keys[] = {
	{ .key = "name", .type = F_NAME, P(name), .min = 1, .required = true },
	{ .key = "device", .type = F_STR, P(device), .min = 1, .required = true },
	{ .key = "address", .type = F_IFADDR, P(address), .required = true },
	TYPED("gateway", F_IP4, P(gateway)),
	TYPED("address6", F_IFADDR6, P(address6)),
	TYPED("gateway6", F_IP6, P(gateway6)),
	UINT("rx_queues", P(rx_queues), 1, 16),
	UINT("rx_desc", P(rx_desc), 64, 4096),
	UINT("tx_desc", P(tx_desc), 64, 4096),
	UINT("mtu", P(mtu), 576, 9000),
	SEQ("relay_addresses", P(relay_addresses), ip4_elem,
	    offsetof(struct gw_conf_port, n_relay_addresses), 0),
	END
};

static const struct field user_keys[] = {
	{ .key = "username", .type = F_STR, U(username), .min = 1, .required = true },
	{ .key = "password", .type = F_STR, U(password), .min = 1, .required = true,
	  .secret = true },
	END
};

static const struct field track_keys[] = {
	{ .key = "codec", .type = F_NAME, T(codec), .min = 1, .required = true },
	UINT("pt", T(pt), 0, 127),
	UINT("ssrc", T(ssrc), 1, 0xffffffffu),
	END
};

static const struct field stream_keys[] = {
	{ .key = "name", .type = F_NAME, S(name), .min = 1, .required = true },
	{ .key = "audio", .type = F_MAP, S(audio), .sub = track_keys },
	{ .key = "video", .type = F_MAP, S(video), .sub = track_keys },
	END
};

static const struct field lcore_elem = { .key = "", .type = F_UINT, .size = sizeof(uint16_t),
					 .min = 0, .max = 1023 };
static const struct field listen_port_elem = { .key = "", .type = F_UINT,
					       .size = sizeof(uint16_t), .min = 1, .max = 65535 };
static const struct field port_elem = { .key = "", .type = F_MAP,
					.size = sizeof(struct gw_conf_port),
					.sub = port_keys, .init = port_init };
static const struct field token_elem = { .key = "", .type = F_STR, .size = 128,
					 .min = 16, .max = 127, .secret = true };
static const struct field secret_elem = { .key = "", .type = F_STR, .size = 128,
					  .min = 16, .max = 127, .secret = true };
static const struct field stream_elem = { .key = "", .type = F_MAP,
					  .size = sizeof(struct gw_conf_stream),
					  .sub = stream_keys, .init = stream_init,
					  .check = stream_check };
static const struct field user_elem = { .key = "", .type = F_MAP,
					.size = sizeof(struct gw_turn_user),
					.sub = user_keys, .init = user_init };

/* ---- section tables ----------------------------------------------------- */

#define CNT(m) offsetof(struct gw_config, m)
/* turn.allowed_peers / denied_peers: IPv4 into m[], IPv6 into m##6[] */
#define PEERS(k, m) \
	{ .key = k, .type = F_PEERS, C(turn.m), .count_off = CNT(turn.n_##m), \
	  .off6 = CNT(turn.m##6), .count_off6 = CNT(turn.n_##m##6) }

static const struct field dataplane_keys[] = {
	SEQ("lcores", C(dataplane.lcores), lcore_elem, CNT(dataplane.n_lcores), 1),
	SEQ("cpus", C(dataplane.cpus), lcore_elem, CNT(dataplane.n_cpus), 0),
	TYPED("busy_poll", F_BOOL, C(dataplane.busy_poll)),
	UINT("idle_sleep_us", C(dataplane.idle_sleep_us), 0, 10000),
	UINT("mbufs", C(dataplane.mbufs), 1023, 1048575),
	UINT("memory_mb", C(dataplane.memory_mb), 64, 65536),
	STRF("hugepage_dir", F_PATH, C(dataplane.hugepage_dir), 1),
	STRF("file_prefix", F_NAME, C(dataplane.file_prefix), 1),
	UINT("arp_timeout_s", C(dataplane.arp_timeout_s), 10, 86400),
	{ .key = "ports", .type = F_SEQ, C(dataplane.ports), .elem = &port_elem,
	  .count_off = CNT(dataplane.n_ports), .min = 1, .required = true },
	END
};

static const struct field rest_keys[] = {
	TYPED("listen", F_SOCK, C(controlplane.rest_listen)),
	SEQ("tokens", C(controlplane.tokens), token_elem, CNT(controlplane.n_tokens), 0),
	TYPED("health_listen", F_SOCK, C(controlplane.health_listen)),
	UINT("max_connections", C(controlplane.rest_max_conns), 1, 1000),
	UINT("max_connections_per_ip", C(controlplane.rest_max_conns_per_ip), 1, 1000),
	UINT("request_timeout_s", C(controlplane.rest_request_timeout_s), 1, 300),
	END
};

static const struct field controlplane_keys[] = {
	UINT("lcore", C(controlplane.lcore), 0, 1023),
	SECTION("rest", rest_keys),
	UINT("ipc_poll_ms", C(controlplane.ipc_poll_ms), 1, 100),
	STRF("journal_dir", F_PATH, C(controlplane.journal_dir), 1),
	END
};

static const struct field log_keys[] = {
	TYPED("level", F_LOGLEVEL, C(log.level)),
	END
};

static const struct field stun_keys[] = {
	TYPED("enabled", F_BOOL, C(stun.enabled)),
	UINT("port", C(stun.port), 1, 65535),
	STRF("software", F_STR, C(stun.software), 0),
	END
};

static const struct field turn_tcp_keys[] = {
	TYPED("enabled", F_BOOL, C(turn.tcp.enabled)),
	SEQ("ports", C(turn.tcp.ports), listen_port_elem, CNT(turn.tcp.n_ports), 0),
	SEQ("tls_ports", C(turn.tcp.tls_ports), listen_port_elem, CNT(turn.tcp.n_tls_ports), 0),
	STRF("certificate", F_PATH, C(turn.tcp.certificate), 1),
	STRF("private_key", F_PATH, C(turn.tcp.private_key), 1),
	UINT("lcore", C(turn.tcp.lcore), 0, 1023),
	UINT("max_connections", C(turn.tcp.max_connections), 1, 1000000),
	UINT("max_connections_per_ip", C(turn.tcp.max_connections_per_ip), 1, 1000000),
	UINT("idle_timeout_s", C(turn.tcp.idle_timeout_s), 10, 86400),
	UINT("handshake_timeout_s", C(turn.tcp.handshake_timeout_s), 1, 300),
	UINT("stall_timeout_s", C(turn.tcp.stall_timeout_s), 1, 300),
	UINT("send_buffer_kb", C(turn.tcp.send_buffer_kb), 4, 16384),
	END
};

static const struct field turn_keys[] = {
	TYPED("enabled", F_BOOL, C(turn.enabled)),
	STRF("realm", F_STR, C(turn.realm), 1),
	UINT("relay_port_min", C(turn.relay_port_min), 1024, 65535),
	UINT("relay_port_max", C(turn.relay_port_max), 1024, 65535),
	UINT("default_lifetime_s", C(turn.default_lifetime_s), 60, 86400),
	UINT("max_lifetime_s", C(turn.max_lifetime_s), 60, 86400),
	UINT("permission_lifetime_s", C(turn.permission_lifetime_s), 30, 3600),
	UINT("channel_lifetime_s", C(turn.channel_lifetime_s), 60, 3600),
	UINT("nonce_lifetime_s", C(turn.nonce_lifetime_s), 30, 86400),
	UINT("max_allocations", C(turn.max_allocations), 1, 4000000),
	UINT("user_quota", C(turn.user_quota), 0, 4000000),
	UINT("ip_quota", C(turn.ip_quota), 0, 4000000),
	TYPED("rfc5766_channels", F_BOOL, C(turn.rfc5766_channels)),
	UINT("bandwidth_bps", C(turn.bandwidth_bps), 0, 400000000000ull),
	SEQ("users", C(turn.users), user_elem, CNT(turn.n_users), 0),
	SEQ("auth_secrets", C(turn.auth_secrets), secret_elem, CNT(turn.n_auth_secrets), 0),
	PEERS("allowed_peers", allowed_peers),
	PEERS("denied_peers", denied_peers),
	SECTION("tcp", turn_tcp_keys),
	END
};

static const struct field media_keys[] = {
	UINT("port_min", C(media.port_min), 1024, 65535),
	UINT("port_max", C(media.port_max), 1024, 65535),
	UINT("consent_timeout_s", C(media.consent_timeout_s), 5, 300),
	STRF("dtls_certificate", F_PATH, C(media.dtls_certificate), 1),
	STRF("dtls_private_key", F_PATH, C(media.dtls_private_key), 1),
	SEQ("streams", C(media.streams), stream_elem, CNT(media.n_streams), 0),
	END
};

static const struct field calls_keys[] = {
	TYPED("ng_enabled", F_BOOL, C(calls.ng_enabled)),
	TYPED("ng_listen", F_SOCK, C(calls.ng_listen)),
	UINT("max_calls", C(calls.max_calls), 1, 1000000),
	UINT("ng_cache_s", C(calls.ng_cache_s), 1, 600),
	UINT("media_timeout_s", C(calls.media_timeout_s), 1, 86400),
	END
};

static const struct field exception_keys[] = {
	TYPED("enabled", F_BOOL, C(exception.enabled)),
	STRF("iface", F_NAME, C(exception.iface), 1),
	STRF("port", F_NAME, C(exception.port), 0),
	TYPED("tcp", F_BOOL, C(exception.tcp)),
	TYPED("icmp", F_BOOL, C(exception.icmp)),
	TYPED("udp_unhandled", F_BOOL, C(exception.udp_unhandled)),
	TYPED("other_protocols", F_BOOL, C(exception.other_protocols)),
	END
};

static const struct field top_keys[] = {
	{ .key = "dataplane", .type = F_MAP, .sub = dataplane_keys, .required = true },
	SECTION("controlplane", controlplane_keys),
	SECTION("log", log_keys),
	SECTION("stun", stun_keys),
	SECTION("turn", turn_keys),
	SECTION("media", media_keys),
	SECTION("calls", calls_keys),
	SECTION("exception", exception_keys),
	END
};

/* The seen-key bitmap in parse_map() is 64 bits wide. */
#define MAX_KEYS_PER_MAP 64

/* ---- defaults ----------------------------------------------------------- */

static uint32_t
ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
}

void
gw_config_defaults(struct gw_config *c)
{
	memset(c, 0, sizeof(*c));

	c->dataplane.lcores[0] = 1;
	c->dataplane.n_lcores = 1;
	c->dataplane.busy_poll = false;
	c->dataplane.idle_sleep_us = 300;
	c->dataplane.mbufs = 16383;
	c->dataplane.memory_mb = 512;
	snprintf(c->dataplane.hugepage_dir, sizeof(c->dataplane.hugepage_dir),
		 "/dev/hugepages-rtcgw");
	snprintf(c->dataplane.file_prefix, sizeof(c->dataplane.file_prefix), "rtcgw");
	c->dataplane.arp_timeout_s = 300;

	c->controlplane.lcore = 0;
	c->controlplane.rest_listen.addr = ip4(127, 0, 0, 1);
	c->controlplane.rest_listen.port = 8080;
	c->controlplane.rest_max_conns = 256;
	c->controlplane.rest_max_conns_per_ip = 32;
	c->controlplane.rest_request_timeout_s = 10;
	c->controlplane.ipc_poll_ms = 5;
	snprintf(c->controlplane.journal_dir, sizeof(c->controlplane.journal_dir), "/run/rtcgw");

	c->log.level = GW_LOG_INFO;

	c->stun.enabled = true;
	c->stun.port = 3478;

	c->turn.enabled = false;
	snprintf(c->turn.realm, sizeof(c->turn.realm), "rtcgw");
	c->turn.relay_port_min = 49152;
	c->turn.relay_port_max = 65535;
	c->turn.default_lifetime_s = 600;
	c->turn.max_lifetime_s = 3600;
	c->turn.permission_lifetime_s = 300;
	c->turn.channel_lifetime_s = 600;
	c->turn.nonce_lifetime_s = 600;
	c->turn.max_allocations = 100000;
	c->turn.user_quota = 100;
	c->turn.ip_quota = 1000;
	c->turn.tcp.enabled = false;
	c->turn.tcp.ports[0] = 3478;
	c->turn.tcp.n_ports = 1;
	c->turn.tcp.tls_ports[0] = 5349;
	c->turn.tcp.tls_ports[1] = 443;
	c->turn.tcp.n_tls_ports = 2;
	c->turn.tcp.max_connections = 10000;
	c->turn.tcp.max_connections_per_ip = 64;
	c->turn.tcp.idle_timeout_s = 600;
	c->turn.tcp.handshake_timeout_s = 10;
	c->turn.tcp.stall_timeout_s = 10;
	c->turn.tcp.send_buffer_kb = 64;

	c->media.port_min = 40000;
	c->media.port_max = 49151;
	c->media.consent_timeout_s = 30;

	c->calls.ng_enabled = false;
	c->calls.ng_listen.addr = ip4(127, 0, 0, 1);
	c->calls.ng_listen.port = 2223;
	c->calls.max_calls = 10000;
	c->calls.ng_cache_s = 30;
	c->calls.media_timeout_s = 60;

	c->exception.enabled = false;
	snprintf(c->exception.iface, sizeof(c->exception.iface), "rtcgw-exc0");
	c->exception.tcp = true;
	c->exception.icmp = true;
}

static const char *const level_names[] = {
	[GW_LOG_ERROR] = "error",
	[GW_LOG_WARNING] = "warning",
	[GW_LOG_NOTICE] = "notice",
	[GW_LOG_INFO] = "info",
	[GW_LOG_DEBUG] = "debug",
};

const char *
gw_log_level_name(enum gw_log_level l)
{
	if ((unsigned)l >= sizeof(level_names) / sizeof(level_names[0]))
		return "unknown";
	return level_names[l];
}

/* ---- messages ----------------------------------------------------------- */

struct pctx {
	const char *name;
	char *err;
	size_t errlen;
	yaml_document_t *doc;
	char path[PATH_LEN];
	size_t plen;
};

static void __attribute__((format(printf, 3, 4)))
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "<file>:<line>:<col>: <key.path>: <reason>"; always returns -EINVAL. */
static int __attribute__((format(printf, 3, 4)))
perr(struct pctx *p, const yaml_mark_t *m, const char *fmt, ...)
{
	char reason[GW_CONF_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	set_err(p->err, p->errlen, "%s:%zu:%zu: %s: %s", p->name,
		m->line + 1, m->column + 1, p->plen ? p->path : "(top level)", reason);
	return -EINVAL;
}

/* Printable copy of a value for a message: at most SHOW_LEN bytes, \xNN escapes. */
static const char *
show(char *buf, size_t n, const char *s, size_t len)
{
	size_t o = 0;
	size_t i;

	for (i = 0; i < len && i < SHOW_LEN && o + 5 < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch < 0x7f && ch != '\'' && ch != '\\')
			buf[o++] = (char)ch;
		else
			o += (size_t)snprintf(buf + o, n - o, "\\x%02x", ch);
	}
	if (i < len && o + 4 < n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

#define SHOW_BUF (SHOW_LEN * 4 + 8)

/* Path bookkeeping: push returns the old length for pop. */
static size_t
path_push_key(struct pctx *p, const char *key, size_t keylen)
{
	size_t old = p->plen;
	char tmp[SHOW_BUF];
	int n;

	n = snprintf(p->path + p->plen, sizeof(p->path) - p->plen, "%s%s",
		     p->plen ? "." : "", show(tmp, sizeof(tmp), key, keylen));
	if (n > 0)
		p->plen += (size_t)n;
	if (p->plen >= sizeof(p->path))
		p->plen = sizeof(p->path) - 1;
	return old;
}

static size_t
path_push_index(struct pctx *p, size_t i)
{
	size_t old = p->plen;
	int n;

	n = snprintf(p->path + p->plen, sizeof(p->path) - p->plen, "[%zu]", i);
	if (n > 0)
		p->plen += (size_t)n;
	if (p->plen >= sizeof(p->path))
		p->plen = sizeof(p->path) - 1;
	return old;
}

static void
path_pop(struct pctx *p, size_t old)
{
	p->plen = old;
	p->path[old] = '\0';
}

static const char *
kind(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_MAPPING_NODE:  return "a mapping";
	case YAML_SEQUENCE_NODE: return "a sequence";
	default:                 return "a scalar";
	}
}

/* ---- scalars ------------------------------------------------------------ */

static const char *
expect_text(enum ftype t)
{
	switch (t) {
	case F_BOOL:     return "true or false";
	case F_UINT:     return "an integer";
	case F_IFADDR:   return "an IPv4 address with prefix length a.b.c.d/1..32";
	case F_PREFIX:   return "an IPv4 prefix a.b.c.d/0..32";
	case F_PEERS:    return "an IPv4 prefix a.b.c.d/0..32 or an IPv6 prefix x:x::x/0..128";
	case F_IP4:      return "an IPv4 address a.b.c.d";
	case F_IFADDR6:  return "an IPv6 address with prefix length x:x::x/1..128";
	case F_IP6:      return "an IPv6 address x:x::x";
	case F_SOCK:     return "an IPv4 socket address a.b.c.d:1..65535";
	case F_LOGLEVEL: return "one of error|warning|notice|info|debug";
	case F_MAP:      return "a mapping";
	case F_SEQ:      return "a sequence";
	default:         return "a string";
	}
}

/* Wrong node kind, or a scalar that does not parse as f->type. */
static int
type_err(struct pctx *p, const struct field *f, const yaml_node_t *n)
{
	char buf[SHOW_BUF];

	if (n->type != YAML_SCALAR_NODE)
		return perr(p, &n->start_mark, "expected %s, got %s", expect_text(f->type),
			    kind(n));
	if (n->data.scalar.length == 0 && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		return perr(p, &n->start_mark, "expected %s, got an empty value",
			    expect_text(f->type));
	if (f->secret)
		return perr(p, &n->start_mark, "expected %s", expect_text(f->type));
	return perr(p, &n->start_mark, "expected %s, got '%s'", expect_text(f->type),
		    show(buf, sizeof(buf), (const char *)n->data.scalar.value,
			 n->data.scalar.length));
}

/* Decimal digits only: strtoull alone would accept " 1", "+1" and "-1". */
static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (*end != '\0')
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	return 0;
}

static int
parse_ip4(const char *s, size_t len, uint32_t *addr)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr a;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, &a) != 1)
		return -EINVAL;
	*addr = ntohl(a.s_addr);
	return 0;
}

static int
parse_cidr(const char *s, struct gw_cidr4 *out, unsigned minlen)
{
	const char *slash = strchr(s, '/');
	uint64_t len;

	memset(out, 0, sizeof(*out));   /* padding too: configs compare with memcmp */
	if (slash == NULL || parse_ip4(s, (size_t)(slash - s), &out->addr) != 0)
		return -EINVAL;
	if (slash[1] == '\0' || strlen(slash + 1) > 2 || parse_u64(slash + 1, &len) != 0 ||
	    len < minlen || len > 32)
		return -EINVAL;
	out->len = (uint8_t)len;
	return 0;
}

static uint32_t
prefix_mask(unsigned len)
{
	return len == 0 ? 0 : UINT32_MAX << (32 - len);
}

/* "x:x::x/n", n 0..128 (inet_pton: no zone index, no brackets) */
static int
parse_cidr6(const char *s, struct gw_cidr6 *out)
{
	const char *slash = strchr(s, '/');
	char buf[INET6_ADDRSTRLEN];
	uint64_t len;

	memset(out, 0, sizeof(*out));
	if (slash == NULL || slash == s || (size_t)(slash - s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = '\0';
	if (inet_pton(AF_INET6, buf, out->addr) != 1)
		return -EINVAL;
	if (slash[1] == '\0' || strlen(slash + 1) > 3 || parse_u64(slash + 1, &len) != 0 ||
	    len > 128)
		return -EINVAL;
	out->len = (uint8_t)len;
	return 0;
}

/* Why a (16 bytes) cannot be a port's own address or next hop, or NULL:
 * the classes no unicast interface may use. Link-local is refused for
 * address6 only (the port derives its own from the MAC). */
static const char *
not_unicast6(const uint8_t *a, bool linklocal_ok)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, 0xff };
	static const uint8_t zero[16];

	if (a[0] == 0xff)
		return "multicast";
	if (memcmp(a, zero, 16) == 0)
		return "the unspecified address";
	if (memcmp(a, zero, 15) == 0 && a[15] == 1)
		return "the loopback address";
	if (memcmp(a, v4mapped, 12) == 0)
		return "IPv4-mapped";
	if (!linklocal_ok && a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return "link-local (the port's link-local address is derived from its MAC)";
	return NULL;
}

/* True when a has bits set past len; net receives a with them cleared. */
static bool
host_bits6(const uint8_t *a, unsigned len, uint8_t *net)
{
	bool set = false;

	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = len >= 8 * (i + 1) ? 8 : len > 8 * i ? len - 8 * i : 0;
		uint8_t m = (uint8_t)(keep == 0 ? 0 : 0xff << (8 - keep));

		net[i] = a[i] & m;
		set |= net[i] != a[i];
	}
	return set;
}

static int
parse_sock(const char *s, struct gw_sockaddr4 *out)
{
	const char *colon = strrchr(s, ':');
	uint64_t port;

	memset(out, 0, sizeof(*out));
	if (colon == NULL || parse_ip4(s, (size_t)(colon - s), &out->addr) != 0)
		return -EINVAL;
	if (strlen(colon + 1) > 5 || parse_u64(colon + 1, &port) != 0 ||
	    port < 1 || port > 65535)
		return -EINVAL;
	out->port = (uint16_t)port;
	return 0;
}

static void
store_uint(void *dst, size_t size, uint64_t v)
{
	switch (size) {
	case 1: { uint8_t x = (uint8_t)v; memcpy(dst, &x, 1); break; }
	case 2: { uint16_t x = (uint16_t)v; memcpy(dst, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(dst, &x, 4); break; }
	default: memcpy(dst, &v, 8); break;
	}
}

static uint64_t
uint_max_for(size_t size)
{
	return size >= 8 ? UINT64_MAX : (UINT64_C(1) << (size * 8)) - 1;
}

static bool
name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
}

static int
parse_scalar(struct pctx *p, const struct field *f, const yaml_node_t *n, char *dst)
{
	const char *s = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	bool plain = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	char buf[SHOW_BUF];
	uint64_t v;
	int rc;

	if (strlen(s) != len)
		return perr(p, &n->start_mark, "value contains a NUL byte");

	switch (f->type) {
	case F_BOOL:
		if (!plain || (strcmp(s, "true") != 0 && strcmp(s, "false") != 0))
			return type_err(p, f, n);
		*(bool *)dst = s[0] == 't';
		return 0;

	case F_UINT: {
		uint64_t max = f->max < uint_max_for(f->size) ? f->max : uint_max_for(f->size);

		if (!plain)
			return type_err(p, f, n);
		rc = parse_u64(s, &v);
		if (rc == -EINVAL)
			return type_err(p, f, n);
		if (rc == -ERANGE || v < f->min || v > max)
			return perr(p, &n->start_mark, "value %s out of range %" PRIu64
				    "..%" PRIu64, show(buf, sizeof(buf), s, len), f->min, max);
		store_uint(dst, f->size, v);
		return 0;
	}

	case F_STR:
	case F_NAME:
	case F_PATH: {
		size_t max = f->max ? f->max : f->size - 1;

		if (plain && (strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
			      strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0))
			return perr(p, &n->start_mark, "expected a string, got null "
				    "(quote it if you mean the text)");
		if (len > max)
			return perr(p, &n->start_mark, "string of %zu bytes too long, "
				    "at most %zu", len, max);
		if (len < f->min)
			return perr(p, &n->start_mark, "string of %zu bytes too short, "
				    "at least %" PRIu64, len, f->min);
		if (f->type == F_NAME) {
			for (size_t i = 0; i < len; i++)
				if (!name_char(s[i]))
					return perr(p, &n->start_mark, "expected 1..%zu "
						    "characters from [A-Za-z0-9_-], got '%s'",
						    max, show(buf, sizeof(buf), s, len));
		}
		if (f->type == F_PATH && s[0] != '/')
			return perr(p, &n->start_mark, "expected an absolute path, got '%s'",
				    show(buf, sizeof(buf), s, len));
		memcpy(dst, s, len + 1);
		return 0;
	}

	case F_IFADDR:
	case F_PREFIX: {
		struct gw_cidr4 cidr;

		if (parse_cidr(s, &cidr, f->type == F_IFADDR ? 1 : 0) != 0)
			return type_err(p, f, n);
		if (f->type == F_PREFIX && (cidr.addr & ~prefix_mask(cidr.len)) != 0) {
			struct in_addr a = { .s_addr = htonl(cidr.addr & prefix_mask(cidr.len)) };
			char net[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &a, net, sizeof(net));
			return perr(p, &n->start_mark, "host bits set in '%s' (the network is "
				    "%s/%u)", show(buf, sizeof(buf), s, len), net, cidr.len);
		}
		memcpy(dst, &cidr, sizeof(cidr));
		return 0;
	}

	case F_IFADDR6: {
		struct gw_cidr6 cidr;
		const char *why;

		if (parse_cidr6(s, &cidr) != 0 || cidr.len == 0)
			return type_err(p, f, n);
		why = not_unicast6(cidr.addr, false);
		if (why != NULL)
			return perr(p, &n->start_mark, "'%s' is %s, not a global or unique-local "
				    "unicast address", show(buf, sizeof(buf), s, len), why);
		memcpy(dst, &cidr, sizeof(cidr));
		return 0;
	}

	case F_IP6: {
		char a6[INET6_ADDRSTRLEN];
		uint8_t a[16];
		const char *why;

		if (len == 0 || len >= sizeof(a6))
			return type_err(p, f, n);
		memcpy(a6, s, len + 1);
		if (inet_pton(AF_INET6, a6, a) != 1)
			return type_err(p, f, n);
		why = not_unicast6(a, true);
		if (why != NULL)
			return perr(p, &n->start_mark, "'%s' is %s, not a unicast address",
				    show(buf, sizeof(buf), s, len), why);
		memcpy(dst, a, sizeof(a));
		return 0;
	}

	case F_IP4: {
		uint32_t a;

		if (parse_ip4(s, len, &a) != 0)
			return type_err(p, f, n);
		memcpy(dst, &a, sizeof(a));
		return 0;
	}

	case F_SOCK: {
		struct gw_sockaddr4 sa;

		if (parse_sock(s, &sa) != 0)
			return type_err(p, f, n);
		memcpy(dst, &sa, sizeof(sa));
		return 0;
	}

	case F_LOGLEVEL:
		for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
			if (strcmp(s, level_names[i]) == 0) {
				enum gw_log_level l = (enum gw_log_level)i;

				memcpy(dst, &l, sizeof(l));
				return 0;
			}
		}
		return type_err(p, f, n);

	default:
		return type_err(p, f, n);
	}
}

/* ---- walker ------------------------------------------------------------- */

static int parse_value(struct pctx *p, const struct field *f, const yaml_node_t *n,
		       char *base);

/* First required key of fields that is not in seen (recursing into sections). */
static int
check_required(struct pctx *p, const struct field *fields, uint64_t seen,
	       const yaml_mark_t *m)
{
	for (size_t i = 0; fields[i].key != NULL; i++) {
		const struct field *f = &fields[i];
		size_t old;
		int rc;

		if (!f->required || (seen & (UINT64_C(1) << i)))
			continue;
		old = path_push_key(p, f->key, strlen(f->key));
		if (f->type == F_MAP)
			rc = check_required(p, f->sub, 0, m);
		else
			rc = perr(p, m, "missing required key");
		path_pop(p, old);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
parse_map(struct pctx *p, const struct field *fields, const yaml_node_t *n, char *base)
{
	const yaml_node_t *first[MAX_KEYS_PER_MAP];
	uint64_t seen = 0;
	yaml_node_pair_t *pair;

	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		const yaml_node_t *k = yaml_document_get_node(p->doc, pair->key);
		const yaml_node_t *v = yaml_document_get_node(p->doc, pair->value);
		const char *ks;
		size_t i, klen, old;
		int rc;

		if (k == NULL || v == NULL)
			return perr(p, &n->start_mark, "malformed mapping");
		if (k->type != YAML_SCALAR_NODE)
			return perr(p, &k->start_mark, "expected a scalar key, got %s", kind(k));
		ks = (const char *)k->data.scalar.value;
		klen = k->data.scalar.length;

		for (i = 0; fields[i].key != NULL; i++)
			if (strlen(fields[i].key) == klen && memcmp(fields[i].key, ks, klen) == 0)
				break;

		old = path_push_key(p, ks, klen);
		if (fields[i].key == NULL) {
			rc = perr(p, &k->start_mark, "unknown key");
		} else if (seen & (UINT64_C(1) << i)) {
			rc = perr(p, &k->start_mark, "duplicate key (first at line %zu)",
				  first[i]->start_mark.line + 1);
		} else {
			seen |= UINT64_C(1) << i;
			first[i] = k;
			rc = parse_value(p, &fields[i], v, base);
		}
		path_pop(p, old);
		if (rc != 0)
			return rc;
	}
	return check_required(p, fields, seen, &n->start_mark);
}

static int
parse_seq(struct pctx *p, const struct field *f, const yaml_node_t *n, char *base)
{
	const struct field *e = f->elem;
	size_t cap = f->size / e->size;
	size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	unsigned *cnt = (unsigned *)(base + f->count_off);
	char *arr = base + f->off;

	if (count > cap)
		return perr(p, &n->start_mark, "too many entries: %zu, at most %zu", count, cap);
	if (count < f->min)
		return perr(p, &n->start_mark, "too few entries: %zu, at least %" PRIu64,
			    count, f->min);
	*cnt = 0;
	for (size_t i = 0; i < count; i++) {
		const yaml_node_t *item =
			yaml_document_get_node(p->doc, n->data.sequence.items.start[i]);
		size_t old;
		int rc;

		if (item == NULL)
			return perr(p, &n->start_mark, "malformed sequence");
		old = path_push_index(p, i);
		rc = parse_value(p, e, item, arr + i * e->size);
		path_pop(p, old);
		if (rc != 0)
			return rc;
		*cnt = (unsigned)(i + 1);
	}
	return 0;
}

/* One turn.*_peers entry: IPv6 when it has a ':', IPv4 otherwise. */
static int
parse_peer(struct pctx *p, const struct field *f, const yaml_node_t *n, char *base)
{
	const char *s = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	unsigned *cnt4 = (unsigned *)(base + f->count_off);
	unsigned *cnt6 = (unsigned *)(base + f->count_off6);
	char buf[SHOW_BUF];

	if (n->type != YAML_SCALAR_NODE || strlen(s) != len)
		return type_err(p, f, n);
	if (strchr(s, ':') != NULL) {
		struct gw_cidr6 c6;
		uint8_t net[16];
		char nbuf[INET6_ADDRSTRLEN];

		if (parse_cidr6(s, &c6) != 0)
			return type_err(p, f, n);
		if (host_bits6(c6.addr, c6.len, net)) {
			inet_ntop(AF_INET6, net, nbuf, sizeof(nbuf));
			return perr(p, &n->start_mark, "host bits set in '%s' (the network is "
				    "%s/%u)", show(buf, sizeof(buf), s, len), nbuf, c6.len);
		}
		if (*cnt6 >= GW_CONF_MAX_CIDRS)
			return perr(p, &n->start_mark, "too many IPv6 entries, at most %u",
				    GW_CONF_MAX_CIDRS);
		memcpy(base + f->off6 + *cnt6 * sizeof(c6), &c6, sizeof(c6));
		(*cnt6)++;
	} else {
		struct gw_cidr4 c4;

		if (parse_cidr(s, &c4, 0) != 0)
			return type_err(p, f, n);
		if ((c4.addr & ~prefix_mask(c4.len)) != 0) {
			struct in_addr a = { .s_addr = htonl(c4.addr & prefix_mask(c4.len)) };
			char nbuf[INET_ADDRSTRLEN];

			inet_ntop(AF_INET, &a, nbuf, sizeof(nbuf));
			return perr(p, &n->start_mark, "host bits set in '%s' (the network is "
				    "%s/%u)", show(buf, sizeof(buf), s, len), nbuf, c4.len);
		}
		if (*cnt4 >= GW_CONF_MAX_CIDRS)
			return perr(p, &n->start_mark, "too many IPv4 entries, at most %u",
				    GW_CONF_MAX_CIDRS);
		memcpy(base + f->off + *cnt4 * sizeof(c4), &c4, sizeof(c4));
		(*cnt4)++;
	}
	return 0;
}

static int
parse_peers(struct pctx *p, const struct field *f, const yaml_node_t *n, char *base)
{
	size_t count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);

	*(unsigned *)(base + f->count_off) = 0;
	*(unsigned *)(base + f->count_off6) = 0;
	for (size_t i = 0; i < count; i++) {
		const yaml_node_t *item =
			yaml_document_get_node(p->doc, n->data.sequence.items.start[i]);
		size_t old;
		int rc;

		if (item == NULL)
			return perr(p, &n->start_mark, "malformed sequence");
		old = path_push_index(p, i);
		rc = parse_peer(p, f, item, base);
		path_pop(p, old);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
parse_value(struct pctx *p, const struct field *f, const yaml_node_t *n, char *base)
{
	int rc;

	switch (f->type) {
	case F_MAP:
		if (n->type != YAML_MAPPING_NODE)
			return type_err(p, f, n);
		if (f->init != NULL)
			f->init(base + f->off);
		rc = parse_map(p, f->sub, n, base + f->off);
		if (rc != 0)
			return rc;
		if (f->check != NULL) {
			char why[GW_CONF_ERR_LEN / 2];

			if (f->check(base + f->off, why, sizeof(why)) != 0)
				return perr(p, &n->start_mark, "%s", why);
		}
		return 0;
	case F_SEQ:
		if (n->type != YAML_SEQUENCE_NODE)
			return type_err(p, f, n);
		return parse_seq(p, f, n, base);
	case F_PEERS:
		if (n->type != YAML_SEQUENCE_NODE)
			return perr(p, &n->start_mark, "expected a sequence, got %s", kind(n));
		return parse_peers(p, f, n, base);
	default:
		if (n->type != YAML_SCALAR_NODE)
			return type_err(p, f, n);
		return parse_scalar(p, f, n, base + f->off);
	}
}

/* ---- entry points ------------------------------------------------------- */

static int
yaml_err(struct pctx *p, const yaml_parser_t *y)
{
	const char *problem = y->problem ? y->problem : "cannot parse";

	if (y->error == YAML_MEMORY_ERROR) {
		set_err(p->err, p->errlen, "%s: out of memory while parsing", p->name);
		return -ENOMEM;
	}
	if (y->context != NULL)
		set_err(p->err, p->errlen, "%s:%zu:%zu: yaml: %s %s", p->name,
			y->problem_mark.line + 1, y->problem_mark.column + 1,
			problem, y->context);
	else
		set_err(p->err, p->errlen, "%s:%zu:%zu: yaml: %s", p->name,
			y->problem_mark.line + 1, y->problem_mark.column + 1, problem);
	return -EINVAL;
}

int
gw_config_parse(struct gw_config *c, const char *name, const char *text, size_t len,
		char *err, size_t errlen)
{
	struct pctx p = { .name = name, .err = err, .errlen = errlen };
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	bool have_parser = false, have_doc = false;
	const yaml_node_t *root;
	int rc;

	gw_config_defaults(c);
	snprintf(c->path, sizeof(c->path), "%s", name);
	set_err(err, errlen, "%s", "");

	if (!yaml_parser_initialize(&parser)) {
		set_err(err, errlen, "%s: out of memory", name);
		rc = -ENOMEM;
		goto out;
	}
	have_parser = true;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = yaml_err(&p, &parser);
		goto out;
	}
	have_doc = true;
	p.doc = &doc;

	root = yaml_document_get_root_node(&doc);
	if (root == NULL) {
		/* Empty file: an empty mapping, so "missing required key". */
		yaml_mark_t m = { 0 };

		rc = check_required(&p, top_keys, 0, &m);
		goto out;
	}
	/* One document per file: a second one would be silently ignored. */
	if (!yaml_parser_load(&parser, &extra)) {
		rc = yaml_err(&p, &parser);
		goto out;
	}
	if (yaml_document_get_root_node(&extra) != NULL) {
		yaml_mark_t m = extra.start_mark;

		yaml_document_delete(&extra);
		rc = perr(&p, &m, "more than one YAML document in the file");
		goto out;
	}
	yaml_document_delete(&extra);

	if (root->type != YAML_MAPPING_NODE) {
		rc = perr(&p, &root->start_mark, "expected a mapping, got %s", kind(root));
		goto out;
	}
	rc = parse_map(&p, top_keys, root, (char *)c);
out:
	if (have_doc)
		yaml_document_delete(&doc);
	if (have_parser)
		yaml_parser_delete(&parser);
	return rc;
}

/* ---- RTP-ingest streams ------------------------------------------------- */

struct codec_rule {
	const char *name;
	bool video;
	uint16_t def_pt;
	uint16_t pt_min, pt_max;      /* allowed payload types */
};

/* Static PCMU keeps PT 0 (every browser offers it there); the others are
 * dynamic: 96..127, the range RFC 5761 leaves clear of RTCP on a muxed port. */
static const struct codec_rule codec_rules[] = {
	{ "opus", false, 111, 96, 127 },
	{ "pcmu", false, 0, 0, 0 },
	{ "vp8", true, 96, 96, 127 },
	{ "h264", true, 102, 96, 127 },
};

static int
track_check(struct gw_conf_track *t, bool video, char *why, size_t len)
{
	const char *kind = video ? "video" : "audio";

	for (size_t i = 0; i < sizeof(codec_rules) / sizeof(codec_rules[0]); i++) {
		const struct codec_rule *r = &codec_rules[i];

		if (strcmp(t->codec, r->name) != 0 || r->video != video)
			continue;
		if (t->pt == GW_CONF_PT_DEFAULT)
			t->pt = r->def_pt;
		if (t->pt < r->pt_min || t->pt > r->pt_max) {
			if (r->pt_min == r->pt_max)
				set_err(why, len, "%s.pt: %u is not %s's payload type %u", kind,
					t->pt, r->name, r->pt_min);
			else
				set_err(why, len, "%s.pt: %u is outside %s's dynamic payload "
					"types %u..%u", kind, t->pt, r->name, r->pt_min, r->pt_max);
			return -EINVAL;
		}
		return 0;
	}
	set_err(why, len, "%s.codec: unknown codec '%.16s' (%s)", kind, t->codec,
		video ? "vp8|h264" : "opus|pcmu");
	return -EINVAL;
}

int
gw_config_stream_check(struct gw_conf_stream *s, char *why, size_t len)
{
	size_t n = strnlen(s->name, sizeof(s->name));

	if (n == 0 || n == sizeof(s->name)) {
		set_err(why, len, "name: 1..%zu characters from [A-Za-z0-9_-]",
			sizeof(s->name) - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!name_char(s->name[i])) {
			set_err(why, len, "name: 1..%zu characters from [A-Za-z0-9_-]",
				sizeof(s->name) - 1);
			return -EINVAL;
		}
	}
	if (s->audio.codec[0] == '\0' && s->video.codec[0] == '\0') {
		set_err(why, len, "a stream needs an audio or a video track (or both)");
		return -EINVAL;
	}
	if (s->audio.codec[0] != '\0' && track_check(&s->audio, false, why, len) != 0)
		return -EINVAL;
	if (s->video.codec[0] != '\0' && track_check(&s->video, true, why, len) != 0)
		return -EINVAL;
	if (s->audio.codec[0] != '\0' && s->video.codec[0] != '\0' &&
	    s->audio.pt == s->video.pt) {
		set_err(why, len, "video.pt: %u is also audio.pt; one port carries both, "
			"told apart by payload type", s->video.pt);
		return -EINVAL;
	}
	return 0;
}

/* ---- validation --------------------------------------------------------- */

static int __attribute__((format(printf, 4, 5)))
verr(const struct gw_config *c, char *err, size_t errlen, const char *fmt, ...)
{
	char reason[GW_CONF_ERR_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	set_err(err, errlen, "%s: %s", c->path, reason);
	return -EINVAL;
}

static const char *
fmt_ip4(char *buf, size_t n, uint32_t addr)
{
	struct in_addr a = { .s_addr = htonl(addr) };

	if (inet_ntop(AF_INET, &a, buf, (socklen_t)n) == NULL)
		snprintf(buf, n, "?");
	return buf;
}

/* The IPv6 checks of port i: gateway6 needs address6, lies in its prefix or
 * is link-local, and is not the address itself. 0 or -EINVAL. */
static int
validate_port6(const struct gw_config *c, unsigned i, char *err, size_t errlen)
{
	const struct gw_conf_port *pt = &c->dataplane.ports[i];
	static const uint8_t zero[16];
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	uint8_t net[16], gwnet[16];

	if (memcmp(pt->gateway6, zero, 16) == 0)
		return 0;
	inet_ntop(AF_INET6, pt->gateway6, a, sizeof(a));
	if (pt->address6.len == 0)
		return verr(c, err, errlen, "dataplane.ports[%u].gateway6: %s set without "
			    "dataplane.ports[%u].address6", i, a, i);
	if (memcmp(pt->gateway6, pt->address6.addr, 16) == 0)
		return verr(c, err, errlen, "dataplane.ports[%u].gateway6: %s is the port's "
			    "own address", i, a);
	if (pt->gateway6[0] == 0xfe && (pt->gateway6[1] & 0xc0) == 0x80)
		return 0;
	host_bits6(pt->address6.addr, pt->address6.len, net);
	host_bits6(pt->gateway6, pt->address6.len, gwnet);
	if (memcmp(net, gwnet, 16) != 0) {
		inet_ntop(AF_INET6, net, b, sizeof(b));
		return verr(c, err, errlen, "dataplane.ports[%u].gateway6: %s is neither inside "
			    "the port's prefix %s/%u nor link-local (fe80::/10)", i, a, b,
			    pt->address6.len);
	}
	return 0;
}

/* Where addr is already one of the ports' IPv4 addresses (address or
 * relay_addresses) before port i's relay_addresses[k]: writes the key into
 * where and returns true. */
static bool
ip4_taken(const struct gw_config *c, unsigned i, unsigned k, uint32_t addr, char *where,
	  size_t n)
{
	for (unsigned j = 0; j < c->dataplane.n_ports; j++) {
		const struct gw_conf_port *pj = &c->dataplane.ports[j];
		unsigned nr = j < i ? pj->n_relay_addresses : j == i ? k : 0;

		if (pj->address.addr == addr) {
			snprintf(where, n, "dataplane.ports[%u].address", j);
			return true;
		}
		for (unsigned r = 0; r < nr; r++)
			if (pj->relay_addresses[r] == addr) {
				snprintf(where, n, "dataplane.ports[%u].relay_addresses[%u]", j, r);
				return true;
			}
	}
	return false;
}

/* Port i's relay_addresses: unicast, not the port's gateway nor its
 * subnet's network or broadcast address, and no address twice across all
 * ports (a relayed address must name one allocation table entry and one
 * port to send from). 0 or -EINVAL. */
static int
validate_relay_addrs(const struct gw_config *c, unsigned i, char *err, size_t errlen)
{
	const struct gw_conf_port *pt = &c->dataplane.ports[i];
	uint32_t mask = prefix_mask(pt->address.len);
	char a[INET_ADDRSTRLEN], where[64];

	for (unsigned k = 0; k < pt->n_relay_addresses; k++) {
		uint32_t r = pt->relay_addresses[k];

		fmt_ip4(a, sizeof(a), r);
		if ((r >> 24) == 0 || (r >> 24) == 127 || (r >> 28) >= 14)
			return verr(c, err, errlen, "dataplane.ports[%u].relay_addresses[%u]: "
				    "%s is not a unicast address", i, k, a);
		if (pt->gateway != 0 && r == pt->gateway)
			return verr(c, err, errlen, "dataplane.ports[%u].relay_addresses[%u]: "
				    "%s is the port's gateway", i, k, a);
		if (pt->address.len <= 30 && (r & mask) == (pt->address.addr & mask) &&
		    ((r & ~mask) == 0 || (r & ~mask) == ~mask))
			return verr(c, err, errlen, "dataplane.ports[%u].relay_addresses[%u]: "
				    "%s is the %s address of the port's subnet", i, k, a,
				    (r & ~mask) == 0 ? "network" : "broadcast");
		if (ip4_taken(c, i, k, r, where, sizeof(where)))
			return verr(c, err, errlen, "dataplane.ports[%u].relay_addresses[%u]: "
				    "%s is already %s", i, k, a, where);
	}
	return 0;
}

static bool
ranges_overlap(unsigned a_min, unsigned a_max, unsigned b_min, unsigned b_max)
{
	return a_min <= b_max && b_min <= a_max;
}

int
gw_config_validate(const struct gw_config *c, char *err, size_t errlen)
{
	const unsigned nl = c->dataplane.n_lcores;
	const unsigned np = c->dataplane.n_ports;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN];

	if (nl < 1 || nl > GW_CONF_MAX_LCORES)
		return verr(c, err, errlen, "dataplane.lcores: %u entries, need 1..%d",
			    nl, GW_CONF_MAX_LCORES);
	if (np < 1 || np > GW_CONF_MAX_PORTS)
		return verr(c, err, errlen, "dataplane.ports: %u entries, need 1..%d",
			    np, GW_CONF_MAX_PORTS);

	if (c->dataplane.n_cpus != 0 && c->dataplane.n_cpus != nl)
		return verr(c, err, errlen, "dataplane.cpus: %u entries but %u dataplane.lcores; "
			    "give one CPU per lcore, or leave it out (lcore i on CPU lcores[i])",
			    c->dataplane.n_cpus, nl);
	for (unsigned i = 0; i < nl; i++) {
		if (c->dataplane.lcores[i] == c->controlplane.lcore)
			return verr(c, err, errlen, "dataplane.lcores[%u]: lcore %u is also "
				    "controlplane.lcore; the two processes need disjoint "
				    "cores", i, c->dataplane.lcores[i]);
		for (unsigned j = 0; j < i; j++)
			if (c->dataplane.lcores[i] == c->dataplane.lcores[j])
				return verr(c, err, errlen, "dataplane.lcores[%u]: lcore %u "
					    "listed twice (also dataplane.lcores[%u])", i,
					    c->dataplane.lcores[i], j);
	}

	for (unsigned i = 0; i < np; i++) {
		const struct gw_conf_port *pt = &c->dataplane.ports[i];
		uint32_t mask = prefix_mask(pt->address.len);

		for (unsigned j = 0; j < i; j++)
			if (strcmp(pt->name, c->dataplane.ports[j].name) == 0)
				return verr(c, err, errlen, "dataplane.ports[%u].name: '%s' "
					    "is already the name of dataplane.ports[%u]",
					    i, pt->name, j);
		if (pt->rx_queues != nl)
			return verr(c, err, errlen, "dataplane.ports[%u].rx_queues: %u RX "
				    "queues but %u dataplane lcores; rtcgw runs one worker "
				    "lcore per RX queue, so they must be equal",
				    i, pt->rx_queues, nl);
		if (pt->gateway != 0 && (pt->gateway & mask) != (pt->address.addr & mask))
			return verr(c, err, errlen, "dataplane.ports[%u].gateway: %s is not "
				    "inside the port's subnet %s/%u", i,
				    fmt_ip4(a, sizeof(a), pt->gateway),
				    fmt_ip4(b, sizeof(b), pt->address.addr & mask),
				    pt->address.len);
		if (pt->gateway != 0 && pt->gateway == pt->address.addr)
			return verr(c, err, errlen, "dataplane.ports[%u].gateway: %s is the "
				    "port's own address", i, fmt_ip4(a, sizeof(a), pt->gateway));
		if (validate_port6(c, i, err, errlen) != 0)
			return -EINVAL;
	}
	/* after the loop above: a relay address may collide with a later port's
	 * address too */
	for (unsigned i = 0; i < np; i++)
		if (validate_relay_addrs(c, i, err, errlen) != 0)
			return -EINVAL;

	if ((c->media.dtls_certificate[0] == '\0') != (c->media.dtls_private_key[0] == '\0'))
		return verr(c, err, errlen, "media.%s: set with media.%s, or neither (a "
			    "certificate is generated at start)",
			    c->media.dtls_certificate[0] ? "dtls_certificate" : "dtls_private_key",
			    c->media.dtls_certificate[0] ? "dtls_private_key" : "dtls_certificate");
	if (c->turn.relay_port_min > c->turn.relay_port_max)
		return verr(c, err, errlen, "turn.relay_port_min: %u is above "
			    "turn.relay_port_max %u", c->turn.relay_port_min,
			    c->turn.relay_port_max);
	if (c->media.port_min > c->media.port_max)
		return verr(c, err, errlen, "media.port_min: %u is above media.port_max %u",
			    c->media.port_min, c->media.port_max);
	if (ranges_overlap(c->turn.relay_port_min, c->turn.relay_port_max,
			   c->media.port_min, c->media.port_max))
		return verr(c, err, errlen, "turn.relay_port_min: relay ports %u..%u overlap "
			    "media ports %u..%u", c->turn.relay_port_min,
			    c->turn.relay_port_max, c->media.port_min, c->media.port_max);
	if (c->stun.port >= c->turn.relay_port_min && c->stun.port <= c->turn.relay_port_max)
		return verr(c, err, errlen, "stun.port: %u is inside the TURN relay range "
			    "%u..%u", c->stun.port, c->turn.relay_port_min,
			    c->turn.relay_port_max);
	if (c->stun.port >= c->media.port_min && c->stun.port <= c->media.port_max)
		return verr(c, err, errlen, "stun.port: %u is inside the media port range "
			    "%u..%u", c->stun.port, c->media.port_min, c->media.port_max);
	for (unsigned i = 0; i < c->media.n_streams; i++)
		for (unsigned j = 0; j < i; j++)
			if (strcmp(c->media.streams[i].name, c->media.streams[j].name) == 0)
				return verr(c, err, errlen, "media.streams[%u].name: '%s' is "
					    "already the name of media.streams[%u]", i,
					    c->media.streams[i].name, j);
	if (c->turn.default_lifetime_s > c->turn.max_lifetime_s)
		return verr(c, err, errlen, "turn.default_lifetime_s: %u is above "
			    "turn.max_lifetime_s %u", c->turn.default_lifetime_s,
			    c->turn.max_lifetime_s);
	{
		const struct gw_sockaddr4 *l = &c->controlplane.rest_listen;
		const struct gw_sockaddr4 *h = &c->controlplane.health_listen;

		if (h->port != 0 && h->port == l->port &&
		    (h->addr == l->addr || h->addr == 0 || l->addr == 0))
			return verr(c, err, errlen, "controlplane.rest.health_listen: %s:%u "
				    "overlaps controlplane.rest.listen %s:%u; the health "
				    "listener needs a socket of its own",
				    fmt_ip4(a, sizeof(a), h->addr), h->port,
				    fmt_ip4(b, sizeof(b), l->addr), l->port);
	}
	if (c->controlplane.rest_max_conns_per_ip > c->controlplane.rest_max_conns)
		return verr(c, err, errlen, "controlplane.rest.max_connections_per_ip: %u is "
			    "above controlplane.rest.max_connections %u",
			    c->controlplane.rest_max_conns_per_ip, c->controlplane.rest_max_conns);
	if (c->turn.tcp.enabled) {
		const struct gw_config *k = c;

		if (!k->turn.enabled)
			return verr(c, err, errlen, "turn.tcp.enabled: TURN over TCP/TLS needs "
				    "turn.enabled: true");
		if (!k->exception.enabled || !k->exception.tcp)
			return verr(c, err, errlen, "turn.tcp.enabled: the TCP/TLS front listens "
				    "on the exception interface: set exception.enabled and "
				    "exception.tcp");
		if (k->turn.tcp.n_ports + k->turn.tcp.n_tls_ports == 0)
			return verr(c, err, errlen, "turn.tcp.ports: no port in turn.tcp.ports "
				    "or turn.tcp.tls_ports");
		if (k->turn.tcp.n_tls_ports > 0 && (k->turn.tcp.certificate[0] == '\0' ||
						    k->turn.tcp.private_key[0] == '\0'))
			return verr(c, err, errlen, "turn.tcp.%s: needed for turn.tcp.tls_ports "
				    "(a PEM file)", k->turn.tcp.certificate[0] == '\0' ?
				    "certificate" : "private_key");
		for (unsigned i = 0; i < k->turn.tcp.n_ports + k->turn.tcp.n_tls_ports; i++) {
			uint16_t pi = i < k->turn.tcp.n_ports ? k->turn.tcp.ports[i] :
				      k->turn.tcp.tls_ports[i - k->turn.tcp.n_ports];

			for (unsigned j = 0; j < i; j++) {
				uint16_t pj = j < k->turn.tcp.n_ports ? k->turn.tcp.ports[j] :
					      k->turn.tcp.tls_ports[j - k->turn.tcp.n_ports];

				if (pi == pj)
					return verr(c, err, errlen, "turn.tcp.%s: port %u is "
						    "listed twice", i < k->turn.tcp.n_ports ?
						    "ports" : "tls_ports", pi);
			}
		}
		if (k->turn.tcp.max_connections_per_ip > k->turn.tcp.max_connections)
			return verr(c, err, errlen, "turn.tcp.max_connections_per_ip: %u is above "
				    "turn.tcp.max_connections %u",
				    k->turn.tcp.max_connections_per_ip,
				    k->turn.tcp.max_connections);
	}
	if (c->exception.enabled && c->exception.port[0] != '\0' &&
	    gw_config_exception_port(c) < 0)
		return verr(c, err, errlen, "exception.port: '%s' is not the name of one of "
			    "dataplane.ports", c->exception.port);
	set_err(err, errlen, "%s", "");
	return 0;
}

int
gw_config_exception_port(const struct gw_config *c)
{
	if (c->exception.port[0] == '\0')
		return c->dataplane.n_ports > 0 ? 0 : -1;
	for (unsigned i = 0; i < c->dataplane.n_ports; i++)
		if (strcmp(c->dataplane.ports[i].name, c->exception.port) == 0)
			return (int)i;
	return -1;
}

/* ---- file --------------------------------------------------------------- */

int
gw_config_load(struct gw_config *c, const char *path, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int fd = -1;
	int rc;

	gw_config_defaults(c);
	snprintf(c->path, sizeof(c->path), "%s", path);

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		set_err(err, errlen, "%s: cannot read: %s", path, strerror(-rc));
		goto out;
	}
	buf = malloc(CONF_MAX_FILE + 1);
	if (buf == NULL) {
		rc = -ENOMEM;
		set_err(err, errlen, "%s: cannot read: %s", path, strerror(ENOMEM));
		goto out;
	}
	while (len <= CONF_MAX_FILE) {
		ssize_t n = read(fd, buf + len, CONF_MAX_FILE + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			set_err(err, errlen, "%s: cannot read: %s", path, strerror(-rc));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > CONF_MAX_FILE) {
		rc = -EFBIG;
		set_err(err, errlen, "%s: cannot read: larger than %u bytes", path,
			CONF_MAX_FILE);
		goto out;
	}

	rc = gw_config_parse(c, path, buf, len, err, errlen);
	if (rc == 0)
		rc = gw_config_validate(c, err, errlen);
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}
