/*
 * cp_sdp: the parser and the look-up helpers (cp_sdp.h). Generator, answerer
 * and sdpfrag live in cp_sdp_gen.c, cp_sdp_answer.c, cp_sdp_frag.c; the
 * line reader and field scanners they share are in cp_sdp_priv.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cp_sdp.h"
#include "cp_sdp_priv.h"

/* ---- line reader and error text (shared through cp_sdp_priv.h) --------- */

void
sdp_rd_init(struct sdp_rd *r, const char *text, size_t len, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	r->p = text;
	r->end = text + len;
	r->err = err;
	r->errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
}

/* Copy at most 80 chars of the line, control characters as '?'. */
static void
excerpt(char *dst, size_t dlen, const char *l, size_t n)
{
	size_t i, k = 0, max = n > 80 ? 77 : n;

	for (i = 0; i < max && k + 1 < dlen; i++)
		dst[k++] = ((unsigned char)l[i] < 0x20 || l[i] == 0x7f) ? '?' : l[i];
	if (n > max)
		for (i = 0; i < 3 && k + 1 < dlen; i++)
			dst[k++] = '.';
	dst[k] = '\0';
}

int
sdp_fail_at(struct sdp_rd *r, int code, unsigned int lineno, const char *l, size_t n,
	    const char *fmt, ...)
{
	char what[CP_SDP_ERR_LEN], ex[96];
	va_list ap;

	if (r->err != NULL && r->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(what, sizeof(what), fmt, ap);
		va_end(ap);
		excerpt(ex, sizeof(ex), l, n);
		snprintf(r->err, r->errlen, "line %u: %s: %s", lineno, what, ex);
	}
	return code;
}

int
sdp_rd_next(struct sdp_rd *r)
{
	const char *nl, *q;
	size_t n;

	if (r->p >= r->end)
		return 0;
	r->lineno++;
	nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	q = nl != NULL ? nl : r->end;
	n = (size_t)(q - r->p);
	if (n > 0 && r->p[n - 1] == '\r')
		n--;
	r->line = r->p;
	r->len = n;
	r->p = nl != NULL ? nl + 1 : r->end;
	if (n > CP_SDP_MAX_LINE)
		return sdp_fail(r, -EMSGSIZE, "line longer than %d bytes", CP_SDP_MAX_LINE);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)r->line[i];

		if (c < 0x20 || c == 0x7f)
			return sdp_fail(r, -EBADMSG, "control character 0x%02x at column %zu",
					c, i + 1);
	}
	if (n < 2 || r->line[1] != '=' || r->line[0] < 'a' || r->line[0] > 'z')
		return sdp_fail(r, -EBADMSG, "not a <type>=<value> line");
	r->type = r->line[0];
	r->v = r->line + 2;
	r->vlen = n - 2;
	return 1;
}

/* ---- field scanners ----------------------------------------------------- */

bool
sdp_tok(struct sdp_cur *c, const char **t, size_t *n)
{
	const char *s = c->p;

	if (c->p >= c->end || *c->p == ' ')
		return false;
	while (c->p < c->end && *c->p != ' ')
		c->p++;
	*t = s;
	*n = (size_t)(c->p - s);
	if (c->p < c->end)
		c->p++;   /* the single separating space; a trailing one leaves "" next */
	return true;
}

bool
sdp_u32(const char *t, size_t n, uint32_t max, uint32_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (t[i] < '0' || t[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(t[i] - '0');
	}
	if (x > max)
		return false;
	*v = (uint32_t)x;
	return true;
}

bool
sdp_copy(char *dst, size_t dlen, const char *s, size_t n)
{
	if (n >= dlen)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

bool
sdp_is_token(const char *t, size_t n)
{
	/* RFC 8866 token-char: %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 / %x41-5A / %x5E-7E */
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)t[i];

		if (!(ch == 0x21 || (ch >= 0x23 && ch <= 0x27) || ch == 0x2a || ch == 0x2b ||
		      ch == 0x2d || ch == 0x2e || (ch >= 0x30 && ch <= 0x39) ||
		      (ch >= 0x41 && ch <= 0x5a) || (ch >= 0x5e && ch <= 0x7e)))
			return false;
	}
	return true;
}

bool
sdp_is_ice_chars(const char *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char ch = t[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '+' || ch == '/'))
			return false;
	}
	return n > 0;
}

/* An address: IP literal of the family, or (fqdn_ok) a host name. */
int
sdp_addr(char *dst, size_t dlen, uint8_t *family, const char *t, size_t n, bool fqdn_ok)
{
	char buf[CP_SDP_TOKEN_LEN];
	unsigned char bin[16];

	if (!sdp_copy(buf, sizeof(buf), t, n) || n == 0 || n >= dlen)
		return -1;
	if (inet_pton(AF_INET, buf, bin) == 1)
		*family = 4;
	else if (inet_pton(AF_INET6, buf, bin) == 1)
		*family = 6;
	else if (fqdn_ok) {
		bool letter = false;   /* "1.2.3" is a bad IPv4 address, not a name */

		for (size_t i = 0; i < n; i++) {
			char ch = t[i];

			if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
				letter = true;
			else if (!((ch >= '0' && ch <= '9') || ch == '-' || ch == '.'))
				return -1;
		}
		if (!letter)
			return -1;
		*family = 0;
	} else {
		return -1;
	}
	memcpy(dst, buf, n + 1);
	return 0;
}

/* "IN IP4 addr[/ttl[/n]]" -> conn. */
static const char *
parse_conn(struct cp_sdp_conn *cn, const char *v, size_t n)
{
	struct sdp_cur c = {v, v + n};
	const char *t, *a, *sl;
	size_t tn, an;
	uint8_t fam;

	if (!sdp_tok(&c, &t, &tn) || tn != 2 || memcmp(t, "IN", 2) != 0)
		return "network type is not IN";
	if (!sdp_tok(&c, &t, &tn) || tn != 3 || memcmp(t, "IP", 2) != 0 ||
	    (t[2] != '4' && t[2] != '6'))
		return "address type is not IP4 or IP6";
	if (!sdp_tok(&c, &a, &an) || c.p != c.end)
		return "expected one address";
	sl = memchr(a, '/', an);
	if (sl != NULL) {
		if (!sdp_copy(cn->suffix, sizeof(cn->suffix), sl, (size_t)(a + an - sl)))
			return "bad multicast suffix";
		an = (size_t)(sl - a);
	}
	if (sdp_addr(cn->addr, sizeof(cn->addr), &fam, a, an, true) != 0)
		return "bad address";
	if (fam != 0 && fam != (t[2] == '4' ? 4 : 6))
		return "address does not match the address type";
	cn->family = t[2] == '4' ? 4 : 6;
	return NULL;
}

/* ---- tables ------------------------------------------------------------- */

static const char *const proto_names[] = {
	[CP_SDP_PROTO_OTHER] = "",
	[CP_SDP_PROTO_RTP_AVP] = "RTP/AVP",
	[CP_SDP_PROTO_RTP_AVPF] = "RTP/AVPF",
	[CP_SDP_PROTO_RTP_SAVP] = "RTP/SAVP",
	[CP_SDP_PROTO_RTP_SAVPF] = "RTP/SAVPF",
	[CP_SDP_PROTO_UDP_TLS_RTP_SAVP] = "UDP/TLS/RTP/SAVP",
	[CP_SDP_PROTO_UDP_TLS_RTP_SAVPF] = "UDP/TLS/RTP/SAVPF",
	[CP_SDP_PROTO_UDP_DTLS_SCTP] = "UDP/DTLS/SCTP",
	[CP_SDP_PROTO_DTLS_SCTP] = "DTLS/SCTP",
};

const char *
cp_sdp_proto_name(enum cp_sdp_proto p)
{
	return (unsigned int)p < sizeof(proto_names) / sizeof(proto_names[0]) ? proto_names[p] : "";
}

bool
cp_sdp_proto_is_rtp(enum cp_sdp_proto p)
{
	return p >= CP_SDP_PROTO_RTP_AVP && p <= CP_SDP_PROTO_UDP_TLS_RTP_SAVPF;
}

static const char *const dir_names[] = {"", "sendrecv", "sendonly", "recvonly", "inactive"};

const char *
cp_sdp_dir_name(enum cp_sdp_dir d)
{
	return (unsigned int)d < 5 ? dir_names[d] : "";
}

static const char *const setup_names[] = {"", "actpass", "active", "passive", "holdconn"};

const char *
sdp_setup_name(enum cp_sdp_setup s)
{
	return (unsigned int)s < 5 ? setup_names[s] : "";
}

static const struct {
	const char *name;
	enum cp_sdp_codec_id id;
} codec_names[] = {
	{"opus", CP_SDP_CODEC_OPUS}, {"PCMU", CP_SDP_CODEC_PCMU},
	{"PCMA", CP_SDP_CODEC_PCMA}, {"G722", CP_SDP_CODEC_G722},
	{"telephone-event", CP_SDP_CODEC_TEL_EVENT}, {"CN", CP_SDP_CODEC_CN},
	{"VP8", CP_SDP_CODEC_VP8}, {"VP9", CP_SDP_CODEC_VP9},
	{"H264", CP_SDP_CODEC_H264}, {"AV1", CP_SDP_CODEC_AV1},
	{"H265", CP_SDP_CODEC_H265}, {"rtx", CP_SDP_CODEC_RTX},
	{"red", CP_SDP_CODEC_RED}, {"ulpfec", CP_SDP_CODEC_ULPFEC},
	{"flexfec-03", CP_SDP_CODEC_FLEXFEC},
};

enum cp_sdp_codec_id
sdp_codec_id(const char *name)
{
	for (size_t i = 0; i < sizeof(codec_names) / sizeof(codec_names[0]); i++)
		if (strcasecmp(name, codec_names[i].name) == 0)
			return codec_names[i].id;
	return CP_SDP_CODEC_UNKNOWN;
}

/* RFC 3551 static payload types the gateway may meet without a=rtpmap. */
static const struct {
	uint8_t pt;
	const char *name;
	uint32_t clock;
} static_pts[] = {
	{0, "PCMU", 8000}, {3, "GSM", 8000}, {4, "G723", 8000}, {8, "PCMA", 8000},
	{9, "G722", 8000}, {13, "CN", 8000}, {18, "G729", 8000}, {26, "JPEG", 90000},
	{31, "H261", 90000}, {34, "H263", 90000},
};

/* ---- parser state -------------------------------------------------------- */

struct parse {
	struct sdp_rd r;
	struct cp_sdp *s;
	struct cp_sdp_media *m;        /* current media, NULL at session level */
	int rank;                      /* last line's order rank in this section */
	bool seen_c, seen_t, seen_i, seen_dir, seen_setup, seen_mid, seen_msid, seen_rtcp;
	bool seen_ufrag, seen_pwd, seen_opts, seen_fp;
	bool codec_map[CP_SDP_MAX_CODECS], codec_fmtp[CP_SDP_MAX_CODECS];
	unsigned int m_line[CP_SDP_MAX_MEDIA];            /* line number of each m= */
	unsigned int grp_line[CP_SDP_MAX_GROUPS];
	char m_text[CP_SDP_MAX_MEDIA][96];                 /* excerpt for late errors */
	char grp_text[CP_SDP_MAX_GROUPS][96];
};

#define FAIL(ps, code, ...) sdp_fail(&(ps)->r, (code), __VA_ARGS__)

static struct cp_sdp_transport *
cur_tp(struct parse *ps)
{
	return ps->m != NULL ? &ps->m->tp : &ps->s->tp;
}

static struct cp_sdp_codec *
codec_by_pt(struct cp_sdp_media *m, uint32_t pt, size_t *idx)
{
	for (size_t i = 0; i < m->n_codecs; i++)
		if (m->codecs[i].pt == pt) {
			*idx = i;
			return &m->codecs[i];
		}
	return NULL;
}

/* "pt rest": the payload type (must be on the m= line) and the rest. */
static int
pt_and_rest(struct parse *ps, const char *v, size_t n, const char *what, struct cp_sdp_codec **cd,
	    size_t *idx, const char **rest, size_t *rn)
{
	struct sdp_cur c = {v, v + n};
	const char *t;
	size_t tn;
	uint32_t pt;

	if (ps->m == NULL)
		return FAIL(ps, -EBADMSG, "a=%s: not allowed at session level", what);
	if (!cp_sdp_proto_is_rtp(ps->m->proto_id))
		return FAIL(ps, -EBADMSG, "a=%s: not an RTP m= section", what);
	if (!sdp_tok(&c, &t, &tn) || !sdp_u32(t, tn, 127, &pt))
		return FAIL(ps, -EBADMSG, "a=%s: bad payload type", what);
	*cd = codec_by_pt(ps->m, pt, idx);
	if (*cd == NULL)
		return FAIL(ps, -EBADMSG, "a=%s: payload type %u not on the m= line", what, pt);
	*rest = c.p;
	*rn = (size_t)(c.end - c.p);
	return 0;
}

static int
a_rtpmap(struct parse *ps, const char *v, size_t n)
{
	struct cp_sdp_codec *cd;
	const char *rest, *s1, *s2;
	size_t idx, rn;
	uint32_t clock, ch = 0;
	int rc = pt_and_rest(ps, v, n, "rtpmap", &cd, &idx, &rest, &rn);

	if (rc != 0)
		return rc;
	if (ps->codec_map[idx])
		return FAIL(ps, -EBADMSG, "a=rtpmap: second a=rtpmap for payload type %u", cd->pt);
	s1 = memchr(rest, '/', rn);
	if (s1 == NULL || s1 == rest || !sdp_is_token(rest, (size_t)(s1 - rest)))
		return FAIL(ps, -EBADMSG, "a=rtpmap: bad encoding name");
	if (!sdp_copy(cd->name, sizeof(cd->name), rest, (size_t)(s1 - rest)))
		return FAIL(ps, -EBADMSG, "a=rtpmap: encoding name longer than %zu",
			    sizeof(cd->name) - 1);
	s1++;
	s2 = memchr(s1, '/', (size_t)(rest + rn - s1));
	if (!sdp_u32(s1, (size_t)((s2 != NULL ? s2 : rest + rn) - s1), 1000000, &clock) ||
	    clock == 0)
		return FAIL(ps, -EBADMSG, "a=rtpmap: bad clock rate");
	if (s2 != NULL && (!sdp_u32(s2 + 1, (size_t)(rest + rn - s2 - 1), 255, &ch) || ch == 0))
		return FAIL(ps, -EBADMSG, "a=rtpmap: bad channel count");
	cd->clock = clock;
	cd->channels = (uint8_t)ch;
	cd->has_rtpmap = true;
	cd->id = sdp_codec_id(cd->name);
	ps->codec_map[idx] = true;
	return 0;
}

static int
a_fmtp(struct parse *ps, const char *v, size_t n)
{
	struct cp_sdp_codec *cd;
	const char *rest;
	size_t idx, rn;
	int rc = pt_and_rest(ps, v, n, "fmtp", &cd, &idx, &rest, &rn);

	if (rc != 0)
		return rc;
	if (ps->codec_fmtp[idx])
		return FAIL(ps, -EBADMSG, "a=fmtp: second a=fmtp for payload type %u", cd->pt);
	if (rn == 0)
		return FAIL(ps, -EBADMSG, "a=fmtp: no parameters");
	if (!sdp_copy(cd->fmtp, sizeof(cd->fmtp), rest, rn))
		return FAIL(ps, -E2BIG, "a=fmtp: parameters longer than %d", CP_SDP_FMTP_LEN - 1);
	cd->has_fmtp = true;
	ps->codec_fmtp[idx] = true;
	return 0;
}

static int
a_rtcp_fb(struct parse *ps, const char *v, size_t n)
{
	struct cp_sdp_codec *cd;
	const char *rest;
	size_t idx, rn;
	int rc;

	if (ps->m != NULL && n >= 2 && v[0] == '*' && v[1] == ' ') {
		if (ps->m->n_fb_wild >= CP_SDP_MAX_FB_WILD)
			return FAIL(ps, -E2BIG, "a=rtcp-fb: more than %d for *", CP_SDP_MAX_FB_WILD);
		if (n == 2 || !sdp_copy(ps->m->fb_wild[ps->m->n_fb_wild], CP_SDP_FB_LEN, v + 2, n - 2))
			return FAIL(ps, -EBADMSG, "a=rtcp-fb: bad feedback type");
		ps->m->n_fb_wild++;
		return 0;
	}
	rc = pt_and_rest(ps, v, n, "rtcp-fb", &cd, &idx, &rest, &rn);
	if (rc != 0)
		return rc;
	if (cd->n_fb >= CP_SDP_MAX_FB)
		return FAIL(ps, -E2BIG, "a=rtcp-fb: more than %d for payload type %u",
			    CP_SDP_MAX_FB, cd->pt);
	if (rn == 0 || rest[0] == ' ' || !sdp_copy(cd->fb[cd->n_fb], CP_SDP_FB_LEN, rest, rn))
		return FAIL(ps, -EBADMSG, "a=rtcp-fb: bad feedback type");
	cd->n_fb++;
	return 0;
}

static int
a_extmap(struct parse *ps, const char *v, size_t n)
{
	struct sdp_cur c = {v, v + n};
	struct cp_sdp_extmap *e;
	uint8_t *cnt = ps->m != NULL ? &ps->m->n_extmap : &ps->s->n_extmap;
	struct cp_sdp_extmap *arr = ps->m != NULL ? ps->m->extmap : ps->s->extmap;
	const char *t, *sl;
	size_t tn;
	uint32_t id;

	if (*cnt >= CP_SDP_MAX_EXTMAP)
		return FAIL(ps, -E2BIG, "a=extmap: more than %d", CP_SDP_MAX_EXTMAP);
	e = &arr[*cnt];
	if (!sdp_tok(&c, &t, &tn))
		return FAIL(ps, -EBADMSG, "a=extmap: bad id");
	sl = memchr(t, '/', tn);
	if (!sdp_u32(t, sl != NULL ? (size_t)(sl - t) : tn, 255, &id) || id == 0)
		return FAIL(ps, -EBADMSG, "a=extmap: bad id");
	if (sl != NULL) {
		size_t dn = (size_t)(t + tn - sl - 1);

		for (int d = CP_SDP_DIR_SENDRECV; d <= CP_SDP_DIR_INACTIVE; d++)
			if (strlen(dir_names[d]) == dn && memcmp(sl + 1, dir_names[d], dn) == 0)
				e->dir = (enum cp_sdp_dir)d;
		if (e->dir == CP_SDP_DIR_NONE)
			return FAIL(ps, -EBADMSG, "a=extmap: bad direction");
	}
	for (size_t i = 0; i < *cnt; i++)
		if (arr[i].id == id)
			return FAIL(ps, -EBADMSG, "a=extmap: id %u used twice", id);
	e->id = (uint16_t)id;
	if (!sdp_tok(&c, &t, &tn) || !sdp_copy(e->uri, sizeof(e->uri), t, tn))
		return FAIL(ps, -EBADMSG, "a=extmap: bad or too long URI");
	if (c.p < c.end && !sdp_copy(e->attrs, sizeof(e->attrs), c.p, (size_t)(c.end - c.p)))
		return FAIL(ps, -EBADMSG, "a=extmap: attributes too long");
	if (c.p == c.end && c.p > v && c.p[-1] == ' ')
		return FAIL(ps, -EBADMSG, "a=extmap: trailing space");
	(*cnt)++;
	return 0;
}

int
cp_sdp_cand_parse(struct cp_sdp_cand *cd, const char *v, size_t n, const char **why)
{
	struct sdp_cur c = {v, v + n};
	const char *t;
	size_t tn;
	uint32_t x;
	uint8_t fam;

	memset(cd, 0, sizeof(*cd));
	*why = "bad foundation";
	if (!sdp_tok(&c, &t, &tn) || tn > 32 || !sdp_is_ice_chars(t, tn))
		return -EBADMSG;
	memcpy(cd->foundation, t, tn);
	*why = "bad component id";
	if (!sdp_tok(&c, &t, &tn) || !sdp_u32(t, tn, 256, &x) || x == 0)
		return -EBADMSG;
	cd->component = (uint16_t)x;
	*why = "bad transport";
	if (!sdp_tok(&c, &t, &tn) || tn != 3)
		return -EBADMSG;
	if (strncasecmp(t, "udp", 3) == 0)
		cd->tcp = false;
	else if (strncasecmp(t, "tcp", 3) == 0)
		cd->tcp = true;
	else
		return -EBADMSG;
	memcpy(cd->transport, t, 3);
	*why = "bad priority";
	if (!sdp_tok(&c, &t, &tn) || !sdp_u32(t, tn, UINT32_MAX, &cd->priority) ||
	    cd->priority == 0)
		return -EBADMSG;
	*why = "bad connection address";
	if (!sdp_tok(&c, &t, &tn) || sdp_addr(cd->addr, sizeof(cd->addr), &cd->family, t, tn,
					      true) != 0)
		return -EBADMSG;
	*why = "bad port";
	if (!sdp_tok(&c, &t, &tn) || !sdp_u32(t, tn, 65535, &x))
		return -EBADMSG;
	cd->port = (uint16_t)x;
	*why = "expected typ";
	if (!sdp_tok(&c, &t, &tn) || tn != 3 || memcmp(t, "typ", 3) != 0)
		return -EBADMSG;
	*why = "bad candidate type";
	if (!sdp_tok(&c, &t, &tn))
		return -EBADMSG;
	if (tn == 4 && memcmp(t, "host", 4) == 0)
		cd->type = CP_SDP_CAND_HOST;
	else if (tn == 5 && memcmp(t, "srflx", 5) == 0)
		cd->type = CP_SDP_CAND_SRFLX;
	else if (tn == 5 && memcmp(t, "prflx", 5) == 0)
		cd->type = CP_SDP_CAND_PRFLX;
	else if (tn == 5 && memcmp(t, "relay", 5) == 0)
		cd->type = CP_SDP_CAND_RELAY;
	else
		return -EBADMSG;
	if (c.end - c.p >= 6 && memcmp(c.p, "raddr ", 6) == 0) {
		c.p += 6;
		*why = "bad raddr";
		if (!sdp_tok(&c, &t, &tn) || sdp_addr(cd->raddr, sizeof(cd->raddr), &fam, t, tn,
						      true) != 0)
			return -EBADMSG;
		*why = "raddr without rport";
		if (!sdp_tok(&c, &t, &tn) || tn != 5 || memcmp(t, "rport", 5) != 0)
			return -EBADMSG;
		*why = "bad rport";
		if (!sdp_tok(&c, &t, &tn) || !sdp_u32(t, tn, 65535, &x))
			return -EBADMSG;
		cd->rport = (uint16_t)x;
		cd->has_raddr = true;
	}
	if (c.p < c.end) {
		/* extension-att-name SP extension-att-value pairs (RFC 8839) */
		struct sdp_cur e = c;
		unsigned int k = 0;

		*why = "bad extension attributes";
		while (e.p < e.end) {
			if (!sdp_tok(&e, &t, &tn) || !sdp_is_token(t, tn))
				return -EBADMSG;
			k++;
		}
		if ((k & 1) != 0 || e.p[-1] == ' ')
			return -EBADMSG;
		*why = "extension attributes too long";
		if (!sdp_copy(cd->ext, sizeof(cd->ext), c.p, (size_t)(c.end - c.p)))
			return -EBADMSG;
	} else if (c.p > v && c.p[-1] == ' ') {
		*why = "trailing space";
		return -EBADMSG;
	}
	*why = NULL;
	return 0;
}

/* A media-level attribute with a bounded count: refused at session level and past max. */
static int
media_slot(struct parse *ps, const char *what, unsigned int n, unsigned int max)
{
	if (ps->m == NULL)
		return FAIL(ps, -EBADMSG, "a=%s: not allowed at session level", what);
	if (n >= max)
		return FAIL(ps, -E2BIG, "a=%s: more than %u", what, max);
	return 0;
}

static int
a_candidate(struct parse *ps, const char *v, size_t n)
{
	const char *why;
	int rc = media_slot(ps, "candidate", ps->m != NULL ? ps->m->n_cands : 0, CP_SDP_MAX_CANDS);

	if (rc != 0)
		return rc;
	if (cp_sdp_cand_parse(&ps->m->cands[ps->m->n_cands], v, n, &why) != 0)
		return FAIL(ps, -EBADMSG, "a=candidate: %s", why);
	ps->m->n_cands++;
	return 0;
}

static int
a_fingerprint(struct parse *ps, const char *v, size_t n)
{
	struct cp_sdp_fingerprint *fp = &cur_tp(ps)->fp;
	struct sdp_cur c = {v, v + n};
	const char *t, *h;
	size_t tn, hn, k = 0;
	bool lower = false, upper = false;

	if (ps->seen_fp)
		return FAIL(ps, -EBADMSG, "a=fingerprint: more than one in a section");
	if (!sdp_tok(&c, &t, &tn) || !sdp_is_token(t, tn) || !sdp_copy(fp->alg, sizeof(fp->alg), t, tn))
		return FAIL(ps, -EBADMSG, "a=fingerprint: bad hash function");
	if (!sdp_tok(&c, &h, &hn) || c.p != c.end || (hn + 1) % 3 != 0 || hn / 3 + 1 > CP_SDP_FP_MAX)
		return FAIL(ps, -EBADMSG, "a=fingerprint: bad fingerprint");
	for (size_t i = 0; i < hn; i += 3) {
		unsigned int b = 0;

		for (size_t j = 0; j < 2; j++) {
			char ch = h[i + j];

			b <<= 4;
			if (ch >= '0' && ch <= '9')
				b |= (unsigned int)(ch - '0');
			else if (ch >= 'A' && ch <= 'F')
				b |= (unsigned int)(ch - 'A' + 10), upper = true;
			else if (ch >= 'a' && ch <= 'f')
				b |= (unsigned int)(ch - 'a' + 10), lower = true;
			else
				return FAIL(ps, -EBADMSG, "a=fingerprint: bad hex digit");
		}
		if (i + 2 < hn && h[i + 2] != ':')
			return FAIL(ps, -EBADMSG, "a=fingerprint: bytes not separated by ':'");
		fp->bytes[k++] = (uint8_t)b;
	}
	if (lower && upper)
		return FAIL(ps, -EBADMSG, "a=fingerprint: mixed-case hex");
	fp->len = (uint8_t)k;
	fp->lower = lower;
	ps->seen_fp = true;
	return 0;
}

static int
a_ssrc(struct parse *ps, const char *v, size_t n)
{
	struct cp_sdp_ssrc_attr *a;
	struct sdp_cur c = {v, v + n};
	const char *t, *colon;
	size_t tn;
	int rc = media_slot(ps, "ssrc", ps->m != NULL ? ps->m->n_ssrc_attrs : 0, CP_SDP_MAX_SSRC_ATTR);

	if (rc != 0)
		return rc;
	a = &ps->m->ssrc_attrs[ps->m->n_ssrc_attrs];
	if (!sdp_tok(&c, &t, &tn) || !sdp_u32(t, tn, UINT32_MAX, &a->ssrc))
		return FAIL(ps, -EBADMSG, "a=ssrc: bad SSRC");
	if (c.p >= c.end)
		return FAIL(ps, -EBADMSG, "a=ssrc: no attribute");
	colon = memchr(c.p, ':', (size_t)(c.end - c.p));
	tn = (size_t)((colon != NULL ? colon : c.end) - c.p);
	if (!sdp_is_token(c.p, tn) || !sdp_copy(a->attr, sizeof(a->attr), c.p, tn))
		return FAIL(ps, -EBADMSG, "a=ssrc: bad attribute name");
	if (colon != NULL) {
		if (!sdp_copy(a->value, sizeof(a->value), colon + 1, (size_t)(c.end - colon - 1)))
			return FAIL(ps, -EBADMSG, "a=ssrc: value longer than %zu",
				    sizeof(a->value) - 1);
		a->has_value = true;
	}
	ps->m->n_ssrc_attrs++;
	return 0;
}

static int
a_ssrc_group(struct parse *ps, const char *v, size_t n)
{
	struct cp_sdp_ssrc_group *g;
	struct sdp_cur c = {v, v + n};
	const char *t;
	size_t tn;
	int rc = media_slot(ps, "ssrc-group", ps->m != NULL ? ps->m->n_ssrc_groups : 0,
			    CP_SDP_MAX_SSRC_GRP);

	if (rc != 0)
		return rc;
	g = &ps->m->ssrc_groups[ps->m->n_ssrc_groups];
	if (!sdp_tok(&c, &t, &tn) || !sdp_is_token(t, tn) ||
	    !sdp_copy(g->semantics, sizeof(g->semantics), t, tn))
		return FAIL(ps, -EBADMSG, "a=ssrc-group: bad semantics");
	while (c.p < c.end) {
		if (g->n >= CP_SDP_MAX_GRP_SSRC)
			return FAIL(ps, -E2BIG, "a=ssrc-group: more than %d SSRCs",
				    CP_SDP_MAX_GRP_SSRC);
		if (!sdp_tok(&c, &t, &tn) || !sdp_u32(t, tn, UINT32_MAX, &g->ssrc[g->n]))
			return FAIL(ps, -EBADMSG, "a=ssrc-group: bad SSRC");
		g->n++;
	}
	if (g->n == 0 || c.p[-1] == ' ')
		return FAIL(ps, -EBADMSG, "a=ssrc-group: bad SSRC list");
	ps->m->n_ssrc_groups++;
	return 0;
}

static int
a_crypto(struct parse *ps, const char *v, size_t n)
{
	struct cp_sdp_crypto *k;
	struct sdp_cur c = {v, v + n};
	const char *t;
	size_t tn;
	int rc = media_slot(ps, "crypto", ps->m != NULL ? ps->m->n_crypto : 0, CP_SDP_MAX_CRYPTO);

	if (rc != 0)
		return rc;
	k = &ps->m->crypto[ps->m->n_crypto];
	if (!sdp_tok(&c, &t, &tn) || !sdp_u32(t, tn, 999999999, &k->tag) || tn > 9)
		return FAIL(ps, -EBADMSG, "a=crypto: bad tag");
	for (size_t i = 0; i < ps->m->n_crypto; i++)
		if (ps->m->crypto[i].tag == k->tag)
			return FAIL(ps, -EBADMSG, "a=crypto: tag %u used twice", k->tag);
	if (!sdp_tok(&c, &t, &tn) || !sdp_is_token(t, tn) || !sdp_copy(k->suite, sizeof(k->suite), t, tn))
		return FAIL(ps, -EBADMSG, "a=crypto: bad crypto-suite");
	if (!sdp_tok(&c, &t, &tn) || tn < 8 || memcmp(t, "inline:", 7) != 0 ||
	    !sdp_copy(k->key_params, sizeof(k->key_params), t, tn))
		return FAIL(ps, -EBADMSG, "a=crypto: bad key-params (expected inline:...)");
	if (c.p < c.end && !sdp_copy(k->session_params, sizeof(k->session_params), c.p,
				     (size_t)(c.end - c.p)))
		return FAIL(ps, -EBADMSG, "a=crypto: session parameters too long");
	if (c.p > v && c.p[-1] == ' ' && c.p == c.end)
		return FAIL(ps, -EBADMSG, "a=crypto: trailing space");
	ps->m->n_crypto++;
	return 0;
}

static int
a_group(struct parse *ps, const char *v, size_t n)
{
	struct cp_sdp_group *g;
	struct sdp_cur c = {v, v + n};
	const char *t;
	size_t tn;

	if (ps->m != NULL)
		return FAIL(ps, -EBADMSG, "a=group: not allowed in a media section");
	if (ps->s->n_groups >= CP_SDP_MAX_GROUPS)
		return FAIL(ps, -E2BIG, "a=group: more than %d", CP_SDP_MAX_GROUPS);
	g = &ps->s->groups[ps->s->n_groups];
	if (!sdp_tok(&c, &t, &tn) || !sdp_is_token(t, tn) ||
	    !sdp_copy(g->semantics, sizeof(g->semantics), t, tn))
		return FAIL(ps, -EBADMSG, "a=group: bad semantics");
	while (c.p < c.end) {
		if (g->n_mids >= CP_SDP_MAX_GROUP_MIDS)
			return FAIL(ps, -E2BIG, "a=group: more than %d mids", CP_SDP_MAX_GROUP_MIDS);
		if (!sdp_tok(&c, &t, &tn) || !sdp_is_token(t, tn) ||
		    !sdp_copy(g->mids[g->n_mids], CP_SDP_TOKEN_LEN, t, tn))
			return FAIL(ps, -EBADMSG, "a=group: bad mid");
		for (size_t i = 0; i < g->n_mids; i++)
			if (strcmp(g->mids[i], g->mids[g->n_mids]) == 0)
				return FAIL(ps, -EBADMSG, "a=group: mid %s listed twice", g->mids[i]);
		g->n_mids++;
	}
	if (c.p > v && c.p[-1] == ' ')
		return FAIL(ps, -EBADMSG, "a=group: trailing space");
	ps->grp_line[ps->s->n_groups] = ps->r.lineno;
	excerpt(ps->grp_text[ps->s->n_groups], sizeof(ps->grp_text[0]), ps->r.line, ps->r.len);
	ps->s->n_groups++;
	return 0;
}

static int
a_rtcp(struct parse *ps, const char *v, size_t n)
{
	const char *sp = memchr(v, ' ', n), *why;
	uint32_t port;

	if (ps->m == NULL)
		return FAIL(ps, -EBADMSG, "a=rtcp: not allowed at session level");
	if (ps->seen_rtcp)
		return FAIL(ps, -EBADMSG, "a=rtcp: more than one");
	if (!sdp_u32(v, sp != NULL ? (size_t)(sp - v) : n, 65535, &port))
		return FAIL(ps, -EBADMSG, "a=rtcp: bad port");
	if (sp != NULL) {
		why = parse_conn(&ps->m->rtcp_conn, sp + 1, (size_t)(v + n - sp - 1));
		if (why != NULL)
			return FAIL(ps, -EBADMSG, "a=rtcp: %s", why);
	}
	ps->m->rtcp_port = (uint16_t)port;
	ps->m->has_rtcp = true;
	ps->seen_rtcp = true;
	return 0;
}

static int
a_other(struct parse *ps, const char *name, size_t nn, const char *v, size_t n, bool has_v)
{
	uint8_t *cnt = ps->m != NULL ? &ps->m->n_other : &ps->s->n_other;
	struct cp_sdp_attr *a = ps->m != NULL ? &ps->m->other[*cnt] : &ps->s->other[*cnt];

	if (*cnt >= CP_SDP_MAX_OTHER)
		return FAIL(ps, -E2BIG, "a=: more than %d other attributes in a section",
			    CP_SDP_MAX_OTHER);
	if (!sdp_copy(a->name, sizeof(a->name), name, nn))
		return FAIL(ps, -EBADMSG, "a=: attribute name longer than %zu", sizeof(a->name) - 1);
	if (has_v && !sdp_copy(a->value, sizeof(a->value), v, n))
		return FAIL(ps, -EBADMSG, "a=%s: value longer than %d", a->name, CP_SDP_ATTR_LEN - 1);
	a->has_value = has_v;
	(*cnt)++;
	return 0;
}

static bool
is(const char *name, size_t nn, const char *lit)
{
	return strlen(lit) == nn && memcmp(name, lit, nn) == 0;
}

static int
a_line(struct parse *ps)
{
	const char *v = ps->r.v, *colon = memchr(v, ':', ps->r.vlen), *val;
	size_t nn = colon != NULL ? (size_t)(colon - v) : ps->r.vlen, n;
	struct cp_sdp_transport *tp = cur_tp(ps);
	bool has_v = colon != NULL;

	val = has_v ? colon + 1 : v + ps->r.vlen;
	n = has_v ? (size_t)(v + ps->r.vlen - val) : 0;
	if (!sdp_is_token(v, nn))
		return FAIL(ps, -EBADMSG, "a=: bad attribute name");

	/* flags */
	{
		static const char *const flags[] = {"ice-lite", "rtcp-mux", "rtcp-mux-only",
						    "rtcp-rsize", "bundle-only", "extmap-allow-mixed",
						    "end-of-candidates", "sendrecv", "sendonly",
						    "recvonly", "inactive"};
		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
			bool *f = NULL;

			if (!is(v, nn, flags[i]))
				continue;
			if (has_v)
				return FAIL(ps, -EBADMSG, "a=%s: takes no value", flags[i]);
			if (i >= 7) {
				if (ps->seen_dir)
					return FAIL(ps, -EBADMSG, "a=%s: second direction attribute",
						    flags[i]);
				ps->seen_dir = true;
				*(ps->m != NULL ? &ps->m->dir : &ps->s->dir) =
					(enum cp_sdp_dir)(CP_SDP_DIR_SENDRECV + (i - 7));
				return 0;
			}
			if (i == 0) {
				if (ps->m != NULL)
					return FAIL(ps, -EBADMSG, "a=ice-lite: not allowed in a media section");
				f = &ps->s->ice_lite;
			} else if (i == 5) {
				f = ps->m != NULL ? &ps->m->extmap_allow_mixed : &ps->s->extmap_allow_mixed;
			} else if (i == 6) {
				f = &tp->end_of_candidates;
			} else {
				if (ps->m == NULL)
					return FAIL(ps, -EBADMSG, "a=%s: not allowed at session level",
						    flags[i]);
				f = i == 1 ? &ps->m->rtcp_mux : i == 2 ? &ps->m->rtcp_mux_only :
				    i == 3 ? &ps->m->rtcp_rsize : &ps->m->bundle_only;
			}
			if (*f)
				return FAIL(ps, -EBADMSG, "a=%s: given twice", flags[i]);
			*f = true;
			return 0;
		}
	}
	if (!has_v) {
		if (is(v, nn, "rtpmap") || is(v, nn, "fmtp") || is(v, nn, "candidate") ||
		    is(v, nn, "mid") || is(v, nn, "ice-ufrag") || is(v, nn, "ice-pwd") ||
		    is(v, nn, "fingerprint") || is(v, nn, "setup") || is(v, nn, "group") ||
		    is(v, nn, "extmap") || is(v, nn, "ssrc") || is(v, nn, "crypto") ||
		    is(v, nn, "msid") || is(v, nn, "rtcp-fb") || is(v, nn, "ssrc-group") ||
		    is(v, nn, "rtcp") || is(v, nn, "ice-options"))
			return FAIL(ps, -EBADMSG, "a=%.*s: missing value", (int)nn, v);
		return a_other(ps, v, nn, NULL, 0, false);
	}
	if (is(v, nn, "rtpmap"))
		return a_rtpmap(ps, val, n);
	if (is(v, nn, "fmtp"))
		return a_fmtp(ps, val, n);
	if (is(v, nn, "rtcp-fb"))
		return a_rtcp_fb(ps, val, n);
	if (is(v, nn, "extmap"))
		return a_extmap(ps, val, n);
	if (is(v, nn, "candidate"))
		return a_candidate(ps, val, n);
	if (is(v, nn, "fingerprint"))
		return a_fingerprint(ps, val, n);
	if (is(v, nn, "ssrc"))
		return a_ssrc(ps, val, n);
	if (is(v, nn, "ssrc-group"))
		return a_ssrc_group(ps, val, n);
	if (is(v, nn, "crypto"))
		return a_crypto(ps, val, n);
	if (is(v, nn, "group"))
		return a_group(ps, val, n);
	if (is(v, nn, "rtcp"))
		return a_rtcp(ps, val, n);
	if (is(v, nn, "ice-ufrag") || is(v, nn, "ice-pwd")) {
		bool u = nn == 9;
		bool *seen = u ? &ps->seen_ufrag : &ps->seen_pwd;

		if (*seen)
			return FAIL(ps, -EBADMSG, "a=%.*s: given twice", (int)nn, v);
		if (n < (u ? 4u : 22u) || n > 256 || !sdp_is_ice_chars(val, n))
			return FAIL(ps, -EBADMSG, "a=%.*s: not %s ice-chars", (int)nn, v,
				    u ? "4-256" : "22-256");
		sdp_copy(u ? tp->ice_ufrag : tp->ice_pwd, CP_SDP_ICE_LEN, val, n);
		*seen = true;
		return 0;
	}
	if (is(v, nn, "ice-options")) {
		if (ps->seen_opts)
			return FAIL(ps, -EBADMSG, "a=ice-options: given twice");
		if (!sdp_copy(tp->ice_options, sizeof(tp->ice_options), val, n) || n == 0)
			return FAIL(ps, -EBADMSG, "a=ice-options: empty or too long");
		ps->seen_opts = true;
		return 0;
	}
	if (is(v, nn, "setup")) {
		if (ps->seen_setup)
			return FAIL(ps, -EBADMSG, "a=setup: given twice");
		for (int i = CP_SDP_SETUP_ACTPASS; i <= CP_SDP_SETUP_HOLDCONN; i++)
			if (strlen(setup_names[i]) == n && memcmp(val, setup_names[i], n) == 0)
				tp->setup = (enum cp_sdp_setup)i;
		if (tp->setup == CP_SDP_SETUP_NONE)
			return FAIL(ps, -EBADMSG, "a=setup: not actpass, active, passive or holdconn");
		ps->seen_setup = true;
		return 0;
	}
	if (is(v, nn, "mid")) {
		if (ps->m == NULL)
			return FAIL(ps, -EBADMSG, "a=mid: not allowed at session level");
		if (ps->seen_mid)
			return FAIL(ps, -EBADMSG, "a=mid: given twice");
		if (!sdp_is_token(val, n) || !sdp_copy(ps->m->mid, sizeof(ps->m->mid), val, n))
			return FAIL(ps, -EBADMSG, "a=mid: bad identification tag");
		for (size_t i = 0; ps->m != &ps->s->media[i]; i++)
			if (strcmp(ps->s->media[i].mid, ps->m->mid) == 0)
				return FAIL(ps, -EBADMSG, "a=mid: %s used twice", ps->m->mid);
		ps->seen_mid = true;
		return 0;
	}
	if (is(v, nn, "msid")) {
		if (ps->m == NULL)
			return FAIL(ps, -EBADMSG, "a=msid: not allowed at session level");
		if (ps->seen_msid)
			return a_other(ps, v, nn, val, n, true);   /* more streams: kept verbatim */
		if (n == 0 || val[0] == ' ' || !sdp_copy(ps->m->msid, sizeof(ps->m->msid), val, n))
			return FAIL(ps, -EBADMSG, "a=msid: bad value");
		ps->seen_msid = true;
		return 0;
	}
	return a_other(ps, v, nn, val, n, true);
}

/* proto = token *("/" token) */
static bool
proto_ok(const char *t, size_t n)
{
	size_t a = 0;

	for (size_t i = 0; i <= n; i++)
		if (i == n || t[i] == '/') {
			if (!sdp_is_token(t + a, i - a))
				return false;
			a = i + 1;
		}
	return true;
}

static int
m_line(struct parse *ps)
{
	struct cp_sdp_media *m;
	struct sdp_cur c = {ps->r.v, ps->r.v + ps->r.vlen};
	const char *t, *sl;
	size_t tn;
	uint32_t x;

	if (ps->s->n_media >= CP_SDP_MAX_MEDIA)
		return FAIL(ps, -E2BIG, "m=: more than %d media sections", CP_SDP_MAX_MEDIA);
	m = &ps->s->media[ps->s->n_media];
	ps->m_line[ps->s->n_media] = ps->r.lineno;
	excerpt(ps->m_text[ps->s->n_media], sizeof(ps->m_text[0]), ps->r.line, ps->r.len);
	if (!sdp_tok(&c, &t, &tn) || !sdp_is_token(t, tn) || !sdp_copy(m->media, sizeof(m->media), t, tn))
		return FAIL(ps, -EBADMSG, "m=: bad media type");
	m->type = is(t, tn, "audio") ? CP_SDP_MEDIA_AUDIO : is(t, tn, "video") ? CP_SDP_MEDIA_VIDEO :
		  is(t, tn, "application") ? CP_SDP_MEDIA_APPLICATION : CP_SDP_MEDIA_OTHER;
	if (!sdp_tok(&c, &t, &tn))
		return FAIL(ps, -EBADMSG, "m=: bad port");
	sl = memchr(t, '/', tn);
	if (!sdp_u32(t, sl != NULL ? (size_t)(sl - t) : tn, 65535, &x))
		return FAIL(ps, -EBADMSG, "m=: bad port");
	m->port = (uint16_t)x;
	if (sl != NULL) {
		if (!sdp_u32(sl + 1, (size_t)(t + tn - sl - 1), 65535, &x) || x == 0)
			return FAIL(ps, -EBADMSG, "m=: bad number of ports");
		m->n_ports = (uint16_t)x;
	}
	if (!sdp_tok(&c, &t, &tn) || !proto_ok(t, tn) || !sdp_copy(m->proto, sizeof(m->proto), t, tn))
		return FAIL(ps, -EBADMSG, "m=: bad transport protocol");
	for (int i = CP_SDP_PROTO_RTP_AVP; i <= CP_SDP_PROTO_DTLS_SCTP; i++)
		if (strcmp(m->proto, proto_names[i]) == 0)
			m->proto_id = (enum cp_sdp_proto)i;
	if (c.p >= c.end)
		return FAIL(ps, -EBADMSG, "m=: no formats");
	if (!cp_sdp_proto_is_rtp(m->proto_id)) {
		if (!sdp_copy(m->fmt, sizeof(m->fmt), c.p, (size_t)(c.end - c.p)) || c.p[0] == ' ' ||
		    c.end[-1] == ' ')
			return FAIL(ps, -EBADMSG, "m=: bad or too long format list");
	} else {
		while (c.p < c.end) {
			struct cp_sdp_codec *cd;
			size_t idx;

			if (!sdp_tok(&c, &t, &tn) || !sdp_u32(t, tn, 127, &x))
				return FAIL(ps, -EBADMSG, "m=: bad payload type");
			if (codec_by_pt(m, x, &idx) != NULL)
				return FAIL(ps, -EBADMSG, "m=: payload type %u listed twice", x);
			if (m->n_codecs >= CP_SDP_MAX_CODECS)
				return FAIL(ps, -E2BIG, "m=: more than %d payload types",
					    CP_SDP_MAX_CODECS);
			cd = &m->codecs[m->n_codecs++];
			cd->pt = (uint8_t)x;
			for (size_t i = 0; i < sizeof(static_pts) / sizeof(static_pts[0]); i++)
				if (static_pts[i].pt == x) {
					strcpy(cd->name, static_pts[i].name);
					cd->clock = static_pts[i].clock;
					cd->id = sdp_codec_id(cd->name);
				}
		}
		if (c.p[-1] == ' ')
			return FAIL(ps, -EBADMSG, "m=: trailing space");
	}
	ps->s->n_media++;
	return 0;
}

/* Checks at the end of a media section (errors name its m= line). */
static int
media_end(struct parse *ps)
{
	struct cp_sdp_media *m = ps->m;
	size_t i = (size_t)(m - ps->s->media);

	/* a rejected section (port 0, not bundle-only) may omit everything but a=mid (RFC 8829 5.3.1) */
	for (size_t k = 0; k < m->n_codecs && (m->port != 0 || m->bundle_only); k++)
		if (!m->codecs[k].has_rtpmap && m->codecs[k].clock == 0)
			return sdp_fail_at(&ps->r, -EBADMSG, ps->m_line[i], ps->m_text[i],
					   strlen(ps->m_text[i]),
					   "m=: payload type %u has no a=rtpmap", m->codecs[k].pt);
	if (m->conn.family == 0 && ps->s->conn.family == 0)
		return sdp_fail_at(&ps->r, -EBADMSG, ps->m_line[i], ps->m_text[i],
				   strlen(ps->m_text[i]), "m=: no c= line in the section or session");
	return 0;
}

static void
section_reset(struct parse *ps)
{
	ps->rank = 0;
	ps->seen_c = ps->seen_i = ps->seen_dir = ps->seen_setup = ps->seen_mid = false;
	ps->seen_msid = ps->seen_rtcp = ps->seen_ufrag = ps->seen_pwd = false;
	ps->seen_opts = ps->seen_fp = false;
	memset(ps->codec_map, 0, sizeof(ps->codec_map));
	memset(ps->codec_fmtp, 0, sizeof(ps->codec_fmtp));
}

/* RFC 8866 section 5 order: rank per line type, session and media. */
static int
rank_of(char t, bool media)
{
	static const char sess[] = "vosiuepcbtrzka", med[] = "micbka";
	const char *p = strchr(media ? med : sess, t);

	return p != NULL ? (int)(p - (media ? med : sess)) : -1;
}

static int
extra_line(struct parse *ps)
{
	struct cp_sdp_extra *x;

	if (ps->s->n_extra >= CP_SDP_MAX_EXTRA)
		return FAIL(ps, -E2BIG, "%c=: more than %d i=/u=/e=/p=/r=/z=/k= lines", ps->r.type,
			    CP_SDP_MAX_EXTRA);
	x = &ps->s->extra[ps->s->n_extra];
	x->type = ps->r.type;
	if (!sdp_copy(x->value, sizeof(x->value), ps->r.v, ps->r.vlen))
		return FAIL(ps, -EBADMSG, "%c=: longer than %d", ps->r.type, CP_SDP_ATTR_LEN - 1);
	ps->s->n_extra++;
	return 0;
}

static bool
digits(const char *t, size_t n, size_t max)
{
	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (t[i] < '0' || t[i] > '9')
			return false;
	return true;
}

static int
session_line(struct parse *ps, int rank)
{
	struct cp_sdp *s = ps->s;
	struct sdp_cur c = {ps->r.v, ps->r.v + ps->r.vlen};
	const char *t, *why;
	size_t tn;

	switch (ps->r.type) {
	case 'v':
		if (ps->r.vlen != 1 || ps->r.v[0] != '0')
			return FAIL(ps, -EBADMSG, "v=: version is not 0");
		return 0;
	case 'o':
		if (!sdp_tok(&c, &t, &tn) || !sdp_copy(s->o_user, sizeof(s->o_user), t, tn))
			return FAIL(ps, -EBADMSG, "o=: bad username");
		if (!sdp_tok(&c, &t, &tn) || !digits(t, tn, 20))
			return FAIL(ps, -EBADMSG, "o=: bad sess-id");
		sdp_copy(s->o_sess_id, sizeof(s->o_sess_id), t, tn);
		if (!sdp_tok(&c, &t, &tn) || !digits(t, tn, 20))
			return FAIL(ps, -EBADMSG, "o=: bad sess-version");
		sdp_copy(s->o_sess_version, sizeof(s->o_sess_version), t, tn);
		why = parse_conn(&s->o_addr, c.p, (size_t)(c.end - c.p));
		if (why != NULL)
			return FAIL(ps, -EBADMSG, "o=: %s", why);
		return 0;
	case 's':
		if (ps->r.vlen == 0 || !sdp_copy(s->name, sizeof(s->name), ps->r.v, ps->r.vlen))
			return FAIL(ps, -EBADMSG, "s=: empty or longer than %d", CP_SDP_TOKEN_LEN - 1);
		return 0;
	case 't':
		if (ps->seen_t)
			return extra_line(ps);
		if (!sdp_tok(&c, &t, &tn) || !digits(t, tn, 20) || !sdp_tok(&c, &t, &tn) ||
		    !digits(t, tn, 20) || c.p != c.end)
			return FAIL(ps, -EBADMSG, "t=: expected <start> <stop>");
		sdp_copy(s->timing, sizeof(s->timing), ps->r.v, ps->r.vlen);
		ps->seen_t = true;
		return 0;
	case 'c':
		why = parse_conn(&s->conn, ps->r.v, ps->r.vlen);
		return why != NULL ? FAIL(ps, -EBADMSG, "c=: %s", why) : 0;
	case 'a':
		return a_line(ps);
	default:
		(void)rank;
		return extra_line(ps);
	}
}

static int
bw_line(struct parse *ps, uint8_t *n_bw, struct cp_sdp_bw *bw)
{
	const char *colon = memchr(ps->r.v, ':', ps->r.vlen);
	uint32_t x;

	if (*n_bw >= CP_SDP_MAX_BW)
		return FAIL(ps, -E2BIG, "b=: more than %d", CP_SDP_MAX_BW);
	if (colon == NULL || !sdp_is_token(ps->r.v, (size_t)(colon - ps->r.v)) ||
	    !sdp_copy(bw[*n_bw].type, sizeof(bw[0].type), ps->r.v, (size_t)(colon - ps->r.v)))
		return FAIL(ps, -EBADMSG, "b=: bad bandwidth type");
	if (!sdp_u32(colon + 1, (size_t)(ps->r.v + ps->r.vlen - colon - 1), UINT32_MAX, &x))
		return FAIL(ps, -EBADMSG, "b=: bad bandwidth");
	bw[*n_bw].value = x;
	(*n_bw)++;
	return 0;
}

static int
media_line(struct parse *ps)
{
	const char *why;

	switch (ps->r.type) {
	case 'i':
		ps->m->title.type = 'i';
		if (!sdp_copy(ps->m->title.value, sizeof(ps->m->title.value), ps->r.v, ps->r.vlen))
			return FAIL(ps, -EBADMSG, "i=: longer than %d", CP_SDP_ATTR_LEN - 1);
		return 0;
	case 'c':
		why = parse_conn(&ps->m->conn, ps->r.v, ps->r.vlen);
		return why != NULL ? FAIL(ps, -EBADMSG, "c=: %s", why) : 0;
	case 'b':
		return bw_line(ps, &ps->m->n_bw, ps->m->bw);
	case 'a':
		return a_line(ps);
	default:   /* k=: obsolete, refused */
		return FAIL(ps, -EBADMSG, "k=: not supported");
	}
}

static int
final_checks(struct parse *ps)
{
	struct cp_sdp *s = ps->s;

	for (size_t g = 0; g < s->n_groups; g++)
		for (size_t k = 0; k < s->groups[g].n_mids; k++) {
			bool found = false;

			for (size_t i = 0; i < s->n_media; i++)
				found |= strcmp(s->media[i].mid, s->groups[g].mids[k]) == 0;
			if (!found)
				return sdp_fail_at(&ps->r, -EBADMSG, ps->grp_line[g], ps->grp_text[g],
						   strlen(ps->grp_text[g]),
						   "a=group: no m= section has mid %s",
						   s->groups[g].mids[k]);
		}
	return 0;
}

int
cp_sdp_parse(struct cp_sdp *s, const char *text, size_t len, char *err, size_t errlen)
{
	static const char first[] = "vos";
	struct parse *ps, ps_store;
	int rc;

	ps = &ps_store;
	memset(ps, 0, sizeof(*ps));
	sdp_rd_init(&ps->r, text, len, err, errlen);
	if (s == NULL || text == NULL)
		return sdp_fail_at(&ps->r, -EINVAL, 0, "", 0, "NULL argument");
	memset(s, 0, sizeof(*s));
	ps->s = s;
	if (len > CP_SDP_MAX_LEN)
		return sdp_fail_at(&ps->r, -EMSGSIZE, 0, "", 0, "longer than %d bytes", CP_SDP_MAX_LEN);
	while ((rc = sdp_rd_next(&ps->r)) > 0) {
		unsigned int ln = ps->r.lineno;
		int rank;

		if (ln <= 3 && ps->r.type != first[ln - 1])
			return FAIL(ps, -EBADMSG, "%c=: line %u must be %c=", ps->r.type, ln, first[ln - 1]);
		if (ps->r.type == 'm') {
			if (!ps->seen_t)
				return FAIL(ps, -EBADMSG, "m=: before any t= line");
			if (ps->m != NULL && (rc = media_end(ps)) != 0)
				return rc;
			section_reset(ps);
			if ((rc = m_line(ps)) != 0)
				return rc;
			ps->m = &s->media[s->n_media - 1];
			continue;
		}
		rank = rank_of(ps->r.type, ps->m != NULL);
		if (rank < 0)
			return FAIL(ps, -EBADMSG, "%c=: unknown line type%s", ps->r.type,
				    ps->m != NULL ? " in a media section" : "");
		if (ln > 3 && rank <= 2 && ps->m == NULL)
			return FAIL(ps, -EBADMSG, "%c=: given twice", ps->r.type);
		if (rank < ps->rank)
			return FAIL(ps, -EBADMSG, "%c=: out of order (RFC 8866 section 5)", ps->r.type);
		if (ps->m == NULL && ps->r.type == 'r' && !ps->seen_t)
			return FAIL(ps, -EBADMSG, "r=: before any t= line");
		/* once per section: i=, u=, c=, z=, k= */
		if (rank == ps->rank && strchr(ps->m != NULL ? "ick" : "iuczk", ps->r.type) != NULL &&
		    ln > 1)
			return FAIL(ps, -EBADMSG, "%c=: given twice in a section", ps->r.type);
		/* t= after r=/z= starts a new time description: allowed only before z= */
		ps->rank = (ps->m == NULL && ps->r.type == 'r') ? rank_of('t', false) : rank;
		if (ps->m == NULL && ps->r.type == 'b')
			rc = bw_line(ps, &s->n_bw, s->bw);
		else
			rc = ps->m != NULL ? media_line(ps) : session_line(ps, rank);
		if (rc != 0)
			return rc;
	}
	if (rc < 0)
		return rc;
	if (ps->r.lineno < 3 || !ps->seen_t)
		return sdp_fail_at(&ps->r, -EBADMSG, ps->r.lineno, "", 0,
				   "incomplete description (needs v=, o=, s=, t=)");
	if (ps->m != NULL && (rc = media_end(ps)) != 0)
		return rc;
	return final_checks(ps);
}

/* ---- look-ups ------------------------------------------------------------ */

enum cp_sdp_dir
cp_sdp_media_dir(const struct cp_sdp *s, const struct cp_sdp_media *m)
{
	if (m->dir != CP_SDP_DIR_NONE)
		return m->dir;
	if (s->dir != CP_SDP_DIR_NONE)
		return s->dir;
	return CP_SDP_DIR_SENDRECV;
}

void
cp_sdp_media_transport(const struct cp_sdp *s, const struct cp_sdp_media *m,
		       struct cp_sdp_transport *out)
{
	*out = m->tp;
	if (out->ice_ufrag[0] == '\0')
		memcpy(out->ice_ufrag, s->tp.ice_ufrag, sizeof(out->ice_ufrag));
	if (out->ice_pwd[0] == '\0')
		memcpy(out->ice_pwd, s->tp.ice_pwd, sizeof(out->ice_pwd));
	if (out->ice_options[0] == '\0')
		memcpy(out->ice_options, s->tp.ice_options, sizeof(out->ice_options));
	if (out->fp.len == 0)
		out->fp = s->tp.fp;
	if (out->setup == CP_SDP_SETUP_NONE)
		out->setup = s->tp.setup;
	out->end_of_candidates |= s->tp.end_of_candidates;
}

const struct cp_sdp_codec *
cp_sdp_codec_find(const struct cp_sdp_media *m, unsigned int pt)
{
	for (size_t i = 0; i < m->n_codecs; i++)
		if (m->codecs[i].pt == pt)
			return &m->codecs[i];
	return NULL;
}

int
cp_sdp_fmtp_get(const char *fmtp, const char *key, char *val, size_t vlen)
{
	size_t kl = strlen(key);
	const char *p = fmtp;

	while (*p != '\0') {
		const char *semi = strchr(p, ';'), *e = semi != NULL ? semi : p + strlen(p);

		while (*p == ' ')
			p++;
		if ((size_t)(e - p) > kl && p[kl] == '=' && strncasecmp(p, key, kl) == 0) {
			size_t n = (size_t)(e - p - (ptrdiff_t)kl - 1);

			if (n >= vlen)
				return -ENOSPC;
			memcpy(val, p + kl + 1, n);
			val[n] = '\0';
			return 0;
		}
		if (semi == NULL)
			break;
		p = semi + 1;
	}
	return -ENOENT;
}

/* H.264 profile: profile_idc and, for baseline, whether constrained (RFC 6184, 8.1). */
int
sdp_h264_profile(const struct cp_sdp_codec *c, unsigned int *profile)
{
	char v[16];
	unsigned int idc, iop;

	if (cp_sdp_fmtp_get(c->fmtp, "profile-level-id", v, sizeof(v)) != 0) {
		*profile = 0x4200;   /* RFC 6184 8.1: absent means 42000A, baseline */
		return 0;
	}
	if (strlen(v) != 6 || strspn(v, "0123456789abcdefABCDEF") != 6)
		return -EBADMSG;
	if (sscanf(v, "%2x%2x", &idc, &iop) != 2)
		return -EBADMSG;
	/* constrained baseline: 42 with constraint_set1 (0x40), or 4D/58 with set0+set1 */
	if ((idc == 0x42 && (iop & 0x40) != 0) || (idc == 0x4d && (iop & 0x80) != 0) ||
	    (idc == 0x58 && (iop & 0xc0) == 0xc0))
		*profile = 0x42e0;
	else
		*profile = idc << 8;
	return 0;
}

unsigned int
sdp_fmtp_uint(const struct cp_sdp_codec *c, const char *key, unsigned int dflt)
{
	char v[16];
	uint32_t x;

	if (cp_sdp_fmtp_get(c->fmtp, key, v, sizeof(v)) != 0 || !sdp_u32(v, strlen(v), 1000000, &x))
		return dflt;
	return x;
}

bool
cp_sdp_codec_match(const struct cp_sdp_codec *a, const struct cp_sdp_codec *b)
{
	unsigned int pa, pb;

	if (a->id != b->id || a->clock != b->clock ||
	    (a->channels ? a->channels : 1) != (b->channels ? b->channels : 1))
		return false;
	if (a->id == CP_SDP_CODEC_UNKNOWN && strcasecmp(a->name, b->name) != 0)
		return false;
	switch (a->id) {
	case CP_SDP_CODEC_H264:
		if (sdp_fmtp_uint(a, "packetization-mode", 0) != sdp_fmtp_uint(b, "packetization-mode", 0))
			return false;
		if (sdp_h264_profile(a, &pa) != 0 || sdp_h264_profile(b, &pb) != 0)
			return false;
		return pa == pb;
	case CP_SDP_CODEC_VP9:
		return sdp_fmtp_uint(a, "profile-id", 0) == sdp_fmtp_uint(b, "profile-id", 0);
	case CP_SDP_CODEC_AV1:
		return sdp_fmtp_uint(a, "profile", 0) == sdp_fmtp_uint(b, "profile", 0);
	default:
		return true;
	}
}
