#include "cp_ng.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RUN_BATCH 64      /* datagrams per cp_ng_run: the loop stays responsive */
#define PEER_MAX  32

struct cache_slot {
	uint64_t expires_ms;          /* 0: free */
	uint8_t cookie[CP_NG_COOKIE_MAX];
	size_t cookie_len;
	uint8_t peer[PEER_MAX];
	size_t peer_len;
	uint8_t *reply;
	size_t reply_len;
};

struct cp_ng {
	const struct cp_calls_ops *ops;
	void *ops_ctx;
	uint64_t cache_ms;
	int fd;
	unsigned cache_next;
	struct cache_slot cache[CP_NG_CACHE_SLOTS];
	uint64_t cnt[CP_NG_CNT_MAX];
	char instance[CP_NG_INSTANCE_LEN];      /* loop-protect's mark; "": none */
	struct cp_bencode_node nodes[CP_NG_MAX_NODES];
	uint8_t rx[CP_NG_MAX_DGRAM + 1];
	uint8_t tx[CP_NG_MAX_DGRAM];
};

static const char *const counter_names[] = {
#define _(sym, text) #sym,
	CP_NG_FOREACH_COUNTER(_)
#undef _
};
static const char *const counter_help[] = {
#define _(sym, text) text,
	CP_NG_FOREACH_COUNTER(_)
#undef _
};

/* ---- request parsing ------------------------------------------------- */

struct pctx {
	struct cp_ng_req *req;
	const struct cp_bencode_doc *d;
	char *reason;
	size_t reason_len;
};

static int __attribute__((format(printf, 2, 3)))
refuse(struct pctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->reason, c->reason_len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void __attribute__((format(printf, 2, 3)))
warn(struct cp_ng_req *req, const char *fmt, ...)
{
	size_t n = strlen(req->warning), room = sizeof(req->warning) - n;
	char one[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(one, sizeof(one), fmt, ap);
	va_end(ap);
	if (n > 0 && room > 2) {
		memcpy(req->warning + n, "; ", 3);
		n += 2;
		room -= 2;
	}
	if (strlen(one) >= room) {
		/* Keep it bounded but say that something was cut. */
		if (sizeof(req->warning) > 4)
			memcpy(req->warning + sizeof(req->warning) - 4, "...", 4);
		return;
	}
	memcpy(req->warning + n, one, strlen(one) + 1);
}

static bool
view_eq(struct cp_ng_str v, const char *s)
{
	return v.len == strlen(s) && memcmp(v.p, s, v.len) == 0;
}

static struct cp_ng_str
node_view(const struct cp_bencode_doc *d, uint32_t i)
{
	return (struct cp_ng_str){ d->nodes[i].s, d->nodes[i].len };
}

/* Printable excerpt for messages: at most 40 bytes, non-printables as '?'. */
static const char *
excerpt(struct cp_ng_str v, char *buf, size_t cap)
{
	size_t n = v.len < cap - 1 ? v.len : cap - 1;

	for (size_t i = 0; i < n; i++)
		buf[i] = v.p[i] >= 0x20 && v.p[i] < 0x7f ? v.p[i] : '?';
	buf[n] = '\0';
	return buf;
}

static int
want_str(struct pctx *c, uint32_t v, const char *key, struct cp_ng_str *out)
{
	if (c->d->nodes[v].type != CP_BENCODE_STR)
		return refuse(c, "'%s' must be a string", key);
	*out = node_view(c->d, v);
	return 0;
}

static int
want_list(struct pctx *c, uint32_t v, const char *key)
{
	if (c->d->nodes[v].type != CP_BENCODE_LIST)
		return refuse(c, "'%s' must be a list", key);
	for (uint32_t i = cp_bencode_child(c->d, v); i != CP_BENCODE_NONE;
	     i = cp_bencode_next(c->d, v, i))
		if (c->d->nodes[i].type != CP_BENCODE_STR)
			return refuse(c, "'%s' must be a list of strings", key);
	return 0;
}

struct word {
	const char *name;
	uint32_t bit;
};

static const struct word flag_words[] = {
	{ "trust-address", CP_NG_F_TRUST_ADDRESS },
	{ "symmetric", CP_NG_F_SYMMETRIC },
	{ "asymmetric", CP_NG_F_ASYMMETRIC },
	{ "SIP-source-address", CP_NG_F_SIP_SOURCE_ADDRESS },
	{ "port-latching", CP_NG_F_PORT_LATCHING },
	{ "strict-source", CP_NG_F_STRICT_SOURCE },
	{ "media-handover", CP_NG_F_MEDIA_HANDOVER },
	{ "reset", CP_NG_F_RESET },
	{ "unidirectional", CP_NG_F_UNIDIRECTIONAL },
	{ "loop-protect", CP_NG_F_LOOP_PROTECT },
	{ "no-rtcp-attribute", CP_NG_F_NO_RTCP_ATTRIBUTE },
	{ "full-rtcp-attribute", CP_NG_F_FULL_RTCP_ATTRIBUTE },
	{ "generate-mid", CP_NG_F_GENERATE_MID },
	{ "fragment", CP_NG_F_FRAGMENT },
	{ "all", CP_NG_F_ALL },
};

static const struct word replace_words[] = {
	{ "origin", CP_NG_REPLACE_ORIGIN },
	{ "session-connection", CP_NG_REPLACE_SESSION_CONNECTION },
	{ "session connection", CP_NG_REPLACE_SESSION_CONNECTION },
};

static const struct word rtcp_mux_words[] = {
	{ "offer", CP_NG_RTCP_MUX_OFFER },
	{ "require", CP_NG_RTCP_MUX_REQUIRE },
	{ "demux", CP_NG_RTCP_MUX_DEMUX },
	{ "accept", CP_NG_RTCP_MUX_ACCEPT },
	{ "reject", CP_NG_RTCP_MUX_REJECT },
};

static const struct word sdes_words[] = {
	{ "off", CP_NG_SDES_OFF },
	{ "no", CP_NG_SDES_OFF },
	{ "unencrypted_srtp", CP_NG_SDES_UNENCRYPTED_SRTP },
	{ "unencrypted_srtcp", CP_NG_SDES_UNENCRYPTED_SRTCP },
	{ "unauthenticated_srtp", CP_NG_SDES_UNAUTHENTICATED_SRTP },
};

static bool
word_bit(const struct word *w, size_t n, struct cp_ng_str v, uint32_t *bits)
{
	for (size_t i = 0; i < n; i++)
		if (view_eq(v, w[i].name)) {
			*bits |= w[i].bit;
			return true;
		}
	return false;
}

#define WORDS(a) (a), sizeof(a) / sizeof((a)[0])

static const struct {
	const char *name;
	enum cp_ng_proto proto;
} protos[] = {
	{ "RTP/AVP", CP_NG_PROTO_RTP_AVP },
	{ "RTP/AVPF", CP_NG_PROTO_RTP_AVPF },
	{ "RTP/SAVP", CP_NG_PROTO_RTP_SAVP },
	{ "RTP/SAVPF", CP_NG_PROTO_RTP_SAVPF },
	{ "UDP/TLS/RTP/SAVP", CP_NG_PROTO_UDP_TLS_RTP_SAVP },
	{ "UDP/TLS/RTP/SAVPF", CP_NG_PROTO_UDP_TLS_RTP_SAVPF },
};

static int
set_ice(struct pctx *c, struct cp_ng_str v)
{
	char x[48];

	if (view_eq(v, "force"))
		c->req->ice = CP_NG_ICE_FORCE;
	else if (view_eq(v, "remove"))
		c->req->ice = CP_NG_ICE_REMOVE;
	else if (view_eq(v, "default"))
		c->req->ice = CP_NG_ICE_DEFAULT;
	else
		return refuse(c, "ICE=%s is not supported (force, remove, default)",
			      excerpt(v, x, sizeof(x)));
	return 0;
}

static int
set_dtls(struct pctx *c, struct cp_ng_str v)
{
	char x[48];

	if (view_eq(v, "passive"))
		c->req->dtls = CP_NG_DTLS_PASSIVE;
	else if (view_eq(v, "active"))
		c->req->dtls = CP_NG_DTLS_ACTIVE;
	else if (view_eq(v, "off") || view_eq(v, "no") || view_eq(v, "disable"))
		c->req->dtls = CP_NG_DTLS_OFF;
	else
		return refuse(c, "DTLS=%s is not supported (passive, active, off)",
			      excerpt(v, x, sizeof(x)));
	return 0;
}

static int
set_proto(struct pctx *c, struct cp_ng_str v)
{
	char x[48];

	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (view_eq(v, protos[i].name)) {
			c->req->proto = protos[i].proto;
			return 0;
		}
	return refuse(c, "transport-protocol %s is not supported", excerpt(v, x, sizeof(x)));
}

static int
set_record(struct pctx *c, struct cp_ng_str v)
{
	if (view_eq(v, "no") || view_eq(v, "off"))
		return 0;
	return refuse(c, "call recording is not supported");
}

/* An item of a "flags" list; the older "key-value" and "key=value" forms of
 * the keyed options are taken too (rtpengine itself accepts them). */
static int
flag_item(struct pctx *c, struct cp_ng_str v)
{
	struct cp_ng_req *r = c->req;
	const char *eq = memchr(v.p, '=', v.len);
	char x[48];
	static const struct {
		const char *prefix;
		const struct word *w;
		size_t n;
		uint32_t off;
	} lists[] = {
		{ "replace-", WORDS(replace_words), offsetof(struct cp_ng_req, replace) },
		{ "rtcp-mux-", WORDS(rtcp_mux_words), offsetof(struct cp_ng_req, rtcp_mux) },
		{ "SDES-", WORDS(sdes_words), offsetof(struct cp_ng_req, sdes) },
	};

	for (size_t i = 0; i < sizeof(flag_words) / sizeof(flag_words[0]); i++) {
		if (!view_eq(v, flag_words[i].name))
			continue;
		r->flags |= flag_words[i].bit;
		return 0;
	}
	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		size_t pl = strlen(lists[i].prefix);

		if (v.len > pl && memcmp(v.p, lists[i].prefix, pl) == 0) {
			struct cp_ng_str rest = { v.p + pl, v.len - pl };

			if (!word_bit(lists[i].w, lists[i].n, rest,
				      (uint32_t *)(void *)((char *)r + lists[i].off)))
				warn(r, "unknown flag '%s'", excerpt(v, x, sizeof(x)));
			return 0;
		}
	}
	if (eq != NULL) {
		struct cp_ng_str k = { v.p, (size_t)(eq - v.p) };
		struct cp_ng_str val = { eq + 1, v.len - k.len - 1 };

		if (view_eq(k, "ICE"))
			return set_ice(c, val);
		if (view_eq(k, "DTLS"))
			return set_dtls(c, val);
		if (view_eq(k, "transport-protocol"))
			return set_proto(c, val);
		if (view_eq(k, "record-call"))
			return set_record(c, val);
	}
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (view_eq(v, protos[i].name)) {
			r->proto = protos[i].proto;
			return 0;
		}
	if (view_eq(v, "record-call") || view_eq(v, "record call"))
		return set_record(c, (struct cp_ng_str){ "yes", 3 });
	warn(r, "unknown flag '%s'", excerpt(v, x, sizeof(x)));
	return 0;
}

/* A list of words (rtcp-mux, replace, SDES): unknown words are warnings. */
static int
word_list(struct pctx *c, uint32_t v, const char *key, const struct word *w, size_t n,
	  uint32_t *bits)
{
	char x[48];
	int rc = want_list(c, v, key);

	if (rc != 0)
		return rc;
	for (uint32_t i = cp_bencode_child(c->d, v); i != CP_BENCODE_NONE;
	     i = cp_bencode_next(c->d, v, i))
		if (!word_bit(w, n, node_view(c->d, i), bits))
			warn(c->req, "unknown %s '%s'", key,
			     excerpt(node_view(c->d, i), x, sizeof(x)));
	return 0;
}

static int
int_or_str(struct pctx *c, uint32_t v, const char *key, int64_t *out)
{
	const struct cp_bencode_node *n = &c->d->nodes[v];
	int64_t x = 0;

	if (n->type == CP_BENCODE_INT) {
		x = n->i;
	} else if (n->type == CP_BENCODE_STR && n->len > 0 && n->len <= 9) {
		for (size_t i = 0; i < n->len; i++) {
			if (n->s[i] < '0' || n->s[i] > '9')
				return refuse(c, "'%s' must be a number", key);
			x = x * 10 + (n->s[i] - '0');
		}
	} else {
		return refuse(c, "'%s' must be a number", key);
	}
	if (x < 0)
		return refuse(c, "'%s' must not be negative", key);
	*out = x;
	return 0;
}

static int
parse_key(struct pctx *c, struct cp_ng_str k, uint32_t v)
{
	struct cp_ng_req *r = c->req;
	const struct cp_bencode_doc *d = c->d;
	struct cp_ng_str s = { NULL, 0 };
	char x[48];
	int rc;
	static const struct {
		const char *key;
		size_t off;
	} strs[] = {
		{ "call-id", offsetof(struct cp_ng_req, call_id) },
		{ "from-tag", offsetof(struct cp_ng_req, from_tag) },
		{ "to-tag", offsetof(struct cp_ng_req, to_tag) },
		{ "via-branch", offsetof(struct cp_ng_req, via_branch) },
		{ "sdp", offsetof(struct cp_ng_req, sdp) },
		{ "label", offsetof(struct cp_ng_req, label) },
		{ "media address", offsetof(struct cp_ng_req, media_address) },
		{ "media-address", offsetof(struct cp_ng_req, media_address) },
		{ "address family", offsetof(struct cp_ng_req, address_family) },
		{ "address-family", offsetof(struct cp_ng_req, address_family) },
		{ "sip-message-type", offsetof(struct cp_ng_req, sip_message_type) },
	};

	if (view_eq(k, "command"))
		return 0;                   /* read before the other keys */
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (view_eq(k, strs[i].key))
			return want_str(c, v, strs[i].key,
					(struct cp_ng_str *)(void *)((char *)r + strs[i].off));
	if (view_eq(k, "ICE"))
		return (rc = want_str(c, v, "ICE", &s)) != 0 ? rc : set_ice(c, s);
	if (view_eq(k, "DTLS"))
		return (rc = want_str(c, v, "DTLS", &s)) != 0 ? rc : set_dtls(c, s);
	if (view_eq(k, "transport-protocol") || view_eq(k, "transport protocol"))
		return (rc = want_str(c, v, "transport-protocol", &s)) != 0 ? rc : set_proto(c, s);
	if (view_eq(k, "record call") || view_eq(k, "record-call"))
		return (rc = want_str(c, v, "record call", &s)) != 0 ? rc : set_record(c, s);
	if (view_eq(k, "flags")) {
		if ((rc = want_list(c, v, "flags")) != 0)
			return rc;
		for (uint32_t i = cp_bencode_child(d, v); i != CP_BENCODE_NONE;
		     i = cp_bencode_next(d, v, i))
			if ((rc = flag_item(c, node_view(d, i))) != 0)
				return rc;
		return 0;
	}
	if (view_eq(k, "replace"))
		return word_list(c, v, "replace", WORDS(replace_words), &r->replace);
	if (view_eq(k, "rtcp-mux"))
		return word_list(c, v, "rtcp-mux", WORDS(rtcp_mux_words), &r->rtcp_mux);
	if (view_eq(k, "SDES"))
		return word_list(c, v, "SDES", WORDS(sdes_words), &r->sdes);
	if (view_eq(k, "direction")) {
		if ((rc = want_list(c, v, "direction")) != 0)
			return rc;
		if (d->nodes[v].count > 2)
			return refuse(c, "'direction' takes at most two interfaces");
		r->n_direction = 0;
		for (uint32_t i = cp_bencode_child(d, v); i != CP_BENCODE_NONE;
		     i = cp_bencode_next(d, v, i))
			r->direction[r->n_direction++] = node_view(d, i);
		return 0;
	}
	if (view_eq(k, "received-from") || view_eq(k, "received from")) {
		uint32_t f, a;

		if ((rc = want_list(c, v, "received-from")) != 0)
			return rc;
		if (d->nodes[v].count != 2)
			return refuse(c, "'received-from' must be [family, address]");
		f = cp_bencode_child(d, v);
		a = cp_bencode_next(d, v, f);
		r->received_from_family = node_view(d, f);
		r->received_from_addr = node_view(d, a);
		return 0;
	}
	if (view_eq(k, "supports"))
		return want_list(c, v, "supports");   /* "load limit": nothing to do */
	if (view_eq(k, "limit"))
		return int_or_str(c, v, "limit", &r->limit);
	if (view_eq(k, "delete delay") || view_eq(k, "delete-delay"))
		return int_or_str(c, v, "delete delay", &r->delete_delay);
	if (view_eq(k, "T.38") || view_eq(k, "T38")) {
		if ((rc = want_list(c, v, "T.38")) != 0)
			return rc;
		if (d->nodes[v].count > 0)
			warn(r, "T.38 is not supported: ignored");
		return 0;
	}
	if (view_eq(k, "codec")) {
		if (d->nodes[v].type != CP_BENCODE_DICT)
			return refuse(c, "'codec' must be a dictionary");
		if (d->nodes[v].count > 0)
			warn(r, "codec manipulation is not supported (no transcoding): ignored");
		return 0;
	}
	warn(r, "unknown key '%s'", excerpt(k, x, sizeof(x)));
	return 0;
}

int
cp_ng_req_parse(struct cp_ng_req *req, const struct cp_bencode_doc *d,
		char *reason, size_t reason_len)
{
	struct pctx c = { .req = req, .d = d, .reason = reason, .reason_len = reason_len };
	static const struct {
		const char *name;
		enum cp_ng_cmd cmd;
	} cmds[] = {
		{ "ping", CP_NG_PING }, { "offer", CP_NG_OFFER }, { "answer", CP_NG_ANSWER },
		{ "delete", CP_NG_DELETE }, { "query", CP_NG_QUERY }, { "list", CP_NG_LIST },
	};
	struct cp_ng_str cmd = { NULL, 0 };
	uint32_t v;
	char x[48];
	int rc;

	memset(req, 0, sizeof(*req));
	req->limit = -1;
	req->delete_delay = -1;
	if (d->n == 0 || d->nodes[0].type != CP_BENCODE_DICT)
		return refuse(&c, "request is not a dictionary");
	v = cp_bencode_dict_get(d, 0, "command");
	if (v == CP_BENCODE_NONE)
		return refuse(&c, "no 'command' in the request");
	if ((rc = want_str(&c, v, "command", &cmd)) != 0)
		return rc;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (view_eq(cmd, cmds[i].name))
			req->cmd = cmds[i].cmd;
	if (req->cmd == 0)
		return refuse(&c, "Unrecognized command '%s'", excerpt(cmd, x, sizeof(x)));

	for (uint32_t k = cp_bencode_child(d, 0); k != CP_BENCODE_NONE;) {
		uint32_t val = d->nodes[k].end;

		if ((rc = parse_key(&c, node_view(d, k), val)) != 0)
			return rc;
		k = cp_bencode_next(d, 0, val);
	}

	switch (req->cmd) {
	case CP_NG_ANSWER:
		if (req->to_tag.len == 0)
			return refuse(&c, "No to-tag in message");
		/* fall through */
	case CP_NG_OFFER:
		if (req->sdp.len == 0)
			return refuse(&c, "No SDP body in message");
		if (req->from_tag.len == 0)
			return refuse(&c, "No from-tag in message");
		/* fall through */
	case CP_NG_DELETE:
	case CP_NG_QUERY:
		if (req->call_id.len == 0)
			return refuse(&c, "No call-id in message");
		break;
	case CP_NG_PING:
	case CP_NG_LIST:
		break;
	}
	return 0;
}

/* ---- replies, cache, dispatch ----------------------------------------- */

int
cp_ng_create(struct cp_ng **out, const struct cp_calls_ops *ops, void *ops_ctx, uint32_t cache_s)
{
	struct cp_ng *ng = calloc(1, sizeof(*ng));

	if (ng == NULL)
		return -ENOMEM;
	ng->ops = ops;
	ng->ops_ctx = ops_ctx;
	ng->cache_ms = (uint64_t)cache_s * 1000;
	ng->fd = -1;
	*out = ng;
	return 0;
}

int
cp_ng_listen(struct cp_ng *ng, const struct gw_sockaddr4 *addr, char *err, size_t errlen)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char a[INET_ADDRSTRLEN];
	int fd, rc;

	sa.sin_addr.s_addr = htonl(addr->addr);
	sa.sin_port = htons(addr->port);
	inet_ntop(AF_INET, &sa.sin_addr, a, sizeof(a));
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "ng: socket: %s", strerror(errno));
		return rc;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		rc = -errno;
		snprintf(err, errlen, "ng: cannot bind %s:%u: %s", a, addr->port, strerror(errno));
		close(fd);
		return rc;
	}
	if (ng->fd >= 0)
		close(ng->fd);
	ng->fd = fd;
	return 0;
}

void
cp_ng_free(struct cp_ng *ng)
{
	if (ng == NULL)
		return;
	if (ng->fd >= 0)
		close(ng->fd);
	for (unsigned i = 0; i < CP_NG_CACHE_SLOTS; i++)
		free(ng->cache[i].reply);
	free(ng);
}

int
cp_ng_fd(const struct cp_ng *ng)
{
	return ng != NULL ? ng->fd : -1;
}

uint64_t
cp_ng_counter(const struct cp_ng *ng, enum cp_ng_counter c)
{
	return c < CP_NG_CNT_MAX ? ng->cnt[c] : 0;
}

const char *
cp_ng_counter_name(enum cp_ng_counter c)
{
	static char lower[CP_NG_CNT_MAX][32];

	if (c >= CP_NG_CNT_MAX)
		return "?";
	if (lower[c][0] == '\0')
		for (size_t i = 0; counter_names[c][i] != '\0' && i < sizeof(lower[c]) - 1; i++)
			lower[c][i] = (char)tolower((unsigned char)counter_names[c][i]);
	return lower[c];
}

int
cp_ng_prometheus_append(const struct cp_ng *ng, uint64_t calls_active, char **text, size_t *len)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	if (f == NULL)
		return -ENOMEM;
	if (*text != NULL)
		fwrite(*text, 1, *len, f);
	for (unsigned k = 0; k < CP_NG_CNT_MAX; k++) {
		const char *name = cp_ng_counter_name(k);

		fprintf(f, "# HELP rtcgw_ng_%s_total %s\n# TYPE rtcgw_ng_%s_total counter\n"
			   "rtcgw_ng_%s_total %llu\n", name, counter_help[k], name, name,
			(unsigned long long)ng->cnt[k]);
	}
	fprintf(f, "# HELP rtcgw_calls_active calls the control plane holds\n"
		   "# TYPE rtcgw_calls_active gauge\nrtcgw_calls_active %llu\n",
		(unsigned long long)calls_active);
	if (fclose(f) != 0) {
		free(out);
		return -ENOMEM;
	}
	free(*text);
	*text = out;
	*len = n;
	return 0;
}

const char *
cp_ng_counter_help(enum cp_ng_counter c)
{
	return c < CP_NG_CNT_MAX ? counter_help[c] : "?";
}

static struct cache_slot *
cache_find(struct cp_ng *ng, const uint8_t *cookie, size_t clen, const void *peer,
	   size_t plen, uint64_t now)
{
	for (unsigned i = 0; i < CP_NG_CACHE_SLOTS; i++) {
		struct cache_slot *s = &ng->cache[i];

		if (s->expires_ms > now && s->cookie_len == clen && s->peer_len == plen &&
		    memcmp(s->cookie, cookie, clen) == 0 && memcmp(s->peer, peer, plen) == 0)
			return s;
	}
	return NULL;
}

static void
cache_put(struct cp_ng *ng, const uint8_t *cookie, size_t clen, const void *peer, size_t plen,
	  const uint8_t *reply, size_t rlen, uint64_t now)
{
	struct cache_slot *s = NULL;
	uint8_t *copy;

	if (ng->cache_ms == 0 || plen > PEER_MAX)
		return;
	/* A free or expired slot first, else the oldest (round robin). */
	for (unsigned i = 0; i < CP_NG_CACHE_SLOTS && s == NULL; i++)
		if (ng->cache[i].expires_ms <= now)
			s = &ng->cache[i];
	if (s == NULL) {
		s = &ng->cache[ng->cache_next];
		ng->cache_next = (ng->cache_next + 1) % CP_NG_CACHE_SLOTS;
	}
	copy = realloc(s->reply, rlen);
	if (copy == NULL)
		return;                     /* no cache entry: a retransmit re-executes */
	memcpy(copy, reply, rlen);
	s->reply = copy;
	s->reply_len = rlen;
	memcpy(s->cookie, cookie, clen);
	s->cookie_len = clen;
	memcpy(s->peer, peer, plen);
	s->peer_len = plen;
	s->expires_ms = now + ng->cache_ms;
}

static void
put_kv(struct cp_bencode_buf *b, const char *k, const char *v)
{
	cp_bencode_put_cstr(b, k);
	cp_bencode_put_cstr(b, v);
}

/* Does sdp carry a line a=rtpengine:<id> (id our instance)? */
static bool
sdp_marked(struct cp_ng_str sdp, const char *id)
{
	static const char attr[] = "a=rtpengine:";
	size_t al = sizeof(attr) - 1, il = strlen(id);
	const char *p = sdp.p, *end = sdp.p + sdp.len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl != NULL ? nl : end;
		size_t n = (size_t)(eol - p);

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == al + il && memcmp(p, attr, al) == 0 && memcmp(p + al, id, il) == 0)
			return true;
		p = eol + 1;
	}
	return false;
}

void
cp_ng_set_instance(struct cp_ng *ng, const char *id)
{
	snprintf(ng->instance, sizeof(ng->instance), "%s", id != NULL ? id : "");
}

static int
dispatch(struct cp_ng *ng, const struct cp_ng_req *req, struct cp_bencode_buf *b,
	 char *reason, size_t rlen)
{
	typedef int op_fn(void *, const struct cp_ng_req *, struct cp_bencode_buf *,
			  char *, size_t);
	static const struct {
		enum cp_ng_cmd cmd;
		enum cp_ng_counter cnt;
		size_t op;              /* offset of the operation in struct cp_calls_ops */
		const char *name;
	} cmds[] = {
		{ CP_NG_OFFER, CP_NG_CNT_CMD_OFFER, offsetof(struct cp_calls_ops, offer), "offer" },
		{ CP_NG_ANSWER, CP_NG_CNT_CMD_ANSWER, offsetof(struct cp_calls_ops, answer),
		  "answer" },
		{ CP_NG_DELETE, CP_NG_CNT_CMD_DELETE, offsetof(struct cp_calls_ops, delete_call),
		  "delete" },
		{ CP_NG_QUERY, CP_NG_CNT_CMD_QUERY, offsetof(struct cp_calls_ops, query), "query" },
		{ CP_NG_LIST, CP_NG_CNT_CMD_LIST, offsetof(struct cp_calls_ops, list), "list" },
	};
	op_fn *fn = NULL;
	const char *name = "?";

	if (req->cmd == CP_NG_PING) {
		ng->cnt[CP_NG_CNT_CMD_PING]++;
		return 0;
	}
	/* loop-protect: an SDP we rewrote already (the call passed this gateway
	 * before) goes back as it is; the call is not touched */
	if ((req->cmd == CP_NG_OFFER || req->cmd == CP_NG_ANSWER) &&
	    (req->flags & CP_NG_F_LOOP_PROTECT) && ng->instance[0] != '\0' &&
	    sdp_marked(req->sdp, ng->instance)) {
		ng->cnt[req->cmd == CP_NG_OFFER ? CP_NG_CNT_CMD_OFFER : CP_NG_CNT_CMD_ANSWER]++;
		ng->cnt[CP_NG_CNT_LOOP_SKIPPED]++;
		cp_bencode_put_cstr(b, "sdp");
		cp_bencode_put_str(b, req->sdp.p, req->sdp.len);
		return 0;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (cmds[i].cmd != req->cmd)
			continue;
		ng->cnt[cmds[i].cnt]++;
		name = cmds[i].name;
		if (ng->ops != NULL)
			memcpy(&fn, (const char *)ng->ops + cmds[i].op, sizeof(fn));
	}
	if (fn == NULL) {
		snprintf(reason, rlen, "'%s' is not available on this gateway", name);
		return -ENOTSUP;
	}
	reason[0] = '\0';
	return fn(ng->ops_ctx, req, b, reason, rlen);
}

size_t
cp_ng_handle(struct cp_ng *ng, const void *peer, size_t peer_len, const uint8_t *dgram,
	     size_t len, uint8_t *out, size_t cap, uint64_t now_ms)
{
	struct cp_bencode_doc d = { .nodes = ng->nodes, .cap = CP_NG_MAX_NODES };
	struct cp_bencode_buf b;
	struct cp_ng_req req;
	char reason[CP_NG_REASON_LEN] = "";
	const uint8_t *sp;
	struct cache_slot *hit;
	size_t clen, mark;
	int depth, rc;

	ng->cnt[CP_NG_CNT_REQUESTS]++;
	sp = memchr(dgram, ' ', len < CP_NG_COOKIE_MAX + 1 ? len : CP_NG_COOKIE_MAX + 1);
	clen = sp != NULL ? (size_t)(sp - dgram) : 0;
	for (size_t i = 0; i < clen; i++)
		if (dgram[i] < 0x21 || dgram[i] > 0x7e)
			clen = 0;
	if (clen == 0) {
		ng->cnt[CP_NG_CNT_BAD_COOKIE]++;
		return 0;
	}
	hit = cache_find(ng, dgram, clen, peer, peer_len, now_ms);
	if (hit != NULL && hit->reply_len <= cap) {
		ng->cnt[CP_NG_CNT_RETRANSMITS]++;
		memcpy(out, hit->reply, hit->reply_len);
		return hit->reply_len;
	}

	cp_bencode_buf_init(&b, out, cap);
	cp_bencode_put_raw(&b, dgram, clen + 1);
	cp_bencode_dict_begin(&b);
	req.warning[0] = '\0';
	rc = cp_bencode_decode(&d, dgram + clen + 1, len - clen - 1);
	if (rc != 0) {
		ng->cnt[CP_NG_CNT_BAD_BENCODE]++;
		snprintf(reason, sizeof(reason), "malformed bencode at byte %zu: %s",
			 d.err_off, d.err);
		goto error;
	}
	if (cp_ng_req_parse(&req, &d, reason, sizeof(reason)) != 0) {
		ng->cnt[CP_NG_CNT_BAD_REQUEST]++;
		goto error;
	}
	mark = b.len;
	depth = b.depth;
	rc = dispatch(ng, &req, &b, reason, sizeof(reason));
	if (rc != 0 || cp_bencode_buf_status(&b) == -ENOSPC || b.depth != depth) {
		if (rc == 0) {
			ng->cnt[CP_NG_CNT_REPLY_TOO_BIG]++;
			snprintf(reason, sizeof(reason), "reply does not fit a datagram");
		} else if (reason[0] == '\0') {
			snprintf(reason, sizeof(reason), "%s", strerror(-rc));
		}
		b.len = mark;               /* discard what the operation wrote */
		b.depth = depth;
		b.err = 0;
		ng->cnt[CP_NG_CNT_CMD_ERROR]++;
		goto error;
	}
	put_kv(&b, "result", req.cmd == CP_NG_PING ? "pong" : "ok");
	if (req.warning[0] != '\0') {
		ng->cnt[CP_NG_CNT_WARNINGS]++;
		put_kv(&b, "warning", req.warning);
	}
	cp_bencode_end(&b);
	goto done;
error:
	put_kv(&b, "error-reason", reason);
	put_kv(&b, "result", "error");
	if (req.warning[0] != '\0') {
		ng->cnt[CP_NG_CNT_WARNINGS]++;
		put_kv(&b, "warning", req.warning);
	}
	cp_bencode_end(&b);
done:
	if (cp_bencode_buf_status(&b) != 0)
		return 0;                   /* cap too small even for an error */
	cache_put(ng, dgram, clen, peer, peer_len, out, b.len, now_ms);
	return b.len;
}

void
cp_ng_run(struct cp_ng *ng, uint64_t now_ms)
{
	if (ng == NULL || ng->fd < 0)
		return;
	for (int i = 0; i < RUN_BATCH; i++) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(ng->fd, ng->rx, sizeof(ng->rx), 0,
				     (struct sockaddr *)&from, &flen);
		size_t r;

		if (n < 0)
			return;                 /* EAGAIN: drained; errors: next round */
		if ((size_t)n > CP_NG_MAX_DGRAM)
			n = CP_NG_MAX_DGRAM;
		r = cp_ng_handle(ng, &from, flen, ng->rx, (size_t)n, ng->tx, sizeof(ng->tx),
				 now_ms);
		if (r == 0)
			continue;
		if (sendto(ng->fd, ng->tx, r, 0, (struct sockaddr *)&from, flen) < 0)
			ng->cnt[CP_NG_CNT_SEND_FAILED]++;
		else
			ng->cnt[CP_NG_CNT_REPLIES]++;
	}
}
