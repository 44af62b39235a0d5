/*
 * cp_sdp: the generator (cp_sdp_encode, cp_sdp_cand_encode) and the builders
 * for offers (cp_sdp_init, cp_sdp_media_add, cp_sdp_codec_add). See cp_sdp.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cp_sdp.h"
#include "cp_sdp_priv.h"

struct out {
	char *buf;
	size_t len, pos;
	bool full;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->pos) {
		o->full = true;
		return;
	}
	o->pos += (size_t)n;
}

static void
put_conn(struct out *o, const struct cp_sdp_conn *c)
{
	put(o, "IN IP%c %s%s", c->family == 6 ? '6' : '4', c->addr, c->suffix);
}

static void
put_fp(struct out *o, const struct cp_sdp_fingerprint *fp)
{
	const char *hex = fp->lower ? "0123456789abcdef" : "0123456789ABCDEF";

	put(o, "a=fingerprint:%s ", fp->alg);
	for (size_t i = 0; i < fp->len; i++)
		put(o, "%c%c%s", hex[fp->bytes[i] >> 4], hex[fp->bytes[i] & 15],
		    i + 1 < fp->len ? ":" : "\r\n");
}

static void
put_tp(struct out *o, const struct cp_sdp_transport *tp)
{
	if (tp->ice_ufrag[0] != '\0')
		put(o, "a=ice-ufrag:%s\r\n", tp->ice_ufrag);
	if (tp->ice_pwd[0] != '\0')
		put(o, "a=ice-pwd:%s\r\n", tp->ice_pwd);
	if (tp->ice_options[0] != '\0')
		put(o, "a=ice-options:%s\r\n", tp->ice_options);
	if (tp->fp.len > 0)
		put_fp(o, &tp->fp);
	if (tp->setup != CP_SDP_SETUP_NONE)
		put(o, "a=setup:%s\r\n", sdp_setup_name(tp->setup));
}

static void
put_extmap(struct out *o, const struct cp_sdp_extmap *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		put(o, "a=extmap:%u", e[i].id);
		if (e[i].dir != CP_SDP_DIR_NONE)
			put(o, "/%s", cp_sdp_dir_name(e[i].dir));
		put(o, " %s%s%s\r\n", e[i].uri, e[i].attrs[0] != '\0' ? " " : "", e[i].attrs);
	}
}

static void
put_other(struct out *o, const struct cp_sdp_attr *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(o, "a=%s%s%s\r\n", a[i].name, a[i].has_value ? ":" : "", a[i].value);
}

int
cp_sdp_cand_encode(const struct cp_sdp_cand *c, char *buf, size_t len)
{
	static const char *const types[] = {"host", "srflx", "prflx", "relay"};
	struct out o = {buf, len, 0, false};

	if (c == NULL || buf == NULL || len == 0 || (unsigned int)c->type > CP_SDP_CAND_RELAY)
		return -EINVAL;
	put(&o, "%s %u %s %" PRIu32 " %s %u typ %s", c->foundation, c->component,
	    c->transport[0] != '\0' ? c->transport : (c->tcp ? "tcp" : "udp"), c->priority,
	    c->addr, c->port, types[c->type]);
	if (c->has_raddr)
		put(&o, " raddr %s rport %u", c->raddr, c->rport);
	if (c->ext[0] != '\0')
		put(&o, " %s", c->ext);
	return o.full ? -ENOSPC : (int)o.pos;
}

static void
put_media(struct out *o, const struct cp_sdp_media *m)
{
	char cand[512];

	put(o, "m=%s %u", m->media, m->port);
	if (m->n_ports != 0)
		put(o, "/%u", m->n_ports);
	put(o, " %s", m->proto);
	if (cp_sdp_proto_is_rtp(m->proto_id))
		for (size_t i = 0; i < m->n_codecs; i++)
			put(o, " %u", m->codecs[i].pt);
	else
		put(o, " %s", m->fmt);
	put(o, "\r\n");
	if (m->title.type == 'i')
		put(o, "i=%s\r\n", m->title.value);
	if (m->conn.family != 0) {
		put(o, "c=");
		put_conn(o, &m->conn);
		put(o, "\r\n");
	}
	for (size_t i = 0; i < m->n_bw; i++)
		put(o, "b=%s:%" PRIu32 "\r\n", m->bw[i].type, m->bw[i].value);
	if (m->has_rtcp) {
		put(o, "a=rtcp:%u", m->rtcp_port);
		if (m->rtcp_conn.family != 0) {
			put(o, " ");
			put_conn(o, &m->rtcp_conn);
		}
		put(o, "\r\n");
	}
	put_tp(o, &m->tp);
	if (m->mid[0] != '\0')
		put(o, "a=mid:%s\r\n", m->mid);
	if (m->bundle_only)
		put(o, "a=bundle-only\r\n");
	put_extmap(o, m->extmap, m->n_extmap);
	if (m->extmap_allow_mixed)
		put(o, "a=extmap-allow-mixed\r\n");
	if (m->dir != CP_SDP_DIR_NONE)
		put(o, "a=%s\r\n", cp_sdp_dir_name(m->dir));
	if (m->msid[0] != '\0')
		put(o, "a=msid:%s\r\n", m->msid);
	if (m->rtcp_mux)
		put(o, "a=rtcp-mux\r\n");
	if (m->rtcp_mux_only)
		put(o, "a=rtcp-mux-only\r\n");
	if (m->rtcp_rsize)
		put(o, "a=rtcp-rsize\r\n");
	for (size_t i = 0; i < m->n_codecs; i++) {
		const struct cp_sdp_codec *c = &m->codecs[i];

		if (c->has_rtpmap) {
			put(o, "a=rtpmap:%u %s/%" PRIu32, c->pt, c->name, c->clock);
			if (c->channels != 0)
				put(o, "/%u", c->channels);
			put(o, "\r\n");
		}
		for (size_t k = 0; k < c->n_fb; k++)
			put(o, "a=rtcp-fb:%u %s\r\n", c->pt, c->fb[k]);
		if (c->has_fmtp)
			put(o, "a=fmtp:%u %s\r\n", c->pt, c->fmtp);
	}
	for (size_t k = 0; k < m->n_fb_wild; k++)
		put(o, "a=rtcp-fb:* %s\r\n", m->fb_wild[k]);
	for (size_t k = 0; k < m->n_crypto; k++) {
		const struct cp_sdp_crypto *c = &m->crypto[k];

		put(o, "a=crypto:%" PRIu32 " %s %s%s%s\r\n", c->tag, c->suite, c->key_params,
		    c->session_params[0] != '\0' ? " " : "", c->session_params);
	}
	for (size_t k = 0; k < m->n_ssrc_groups; k++) {
		put(o, "a=ssrc-group:%s", m->ssrc_groups[k].semantics);
		for (size_t j = 0; j < m->ssrc_groups[k].n; j++)
			put(o, " %" PRIu32, m->ssrc_groups[k].ssrc[j]);
		put(o, "\r\n");
	}
	for (size_t k = 0; k < m->n_ssrc_attrs; k++) {
		const struct cp_sdp_ssrc_attr *a = &m->ssrc_attrs[k];

		put(o, "a=ssrc:%" PRIu32 " %s%s%s\r\n", a->ssrc, a->attr, a->has_value ? ":" : "",
		    a->value);
	}
	for (size_t k = 0; k < m->n_cands; k++) {
		if (cp_sdp_cand_encode(&m->cands[k], cand, sizeof(cand)) < 0) {
			o->full = true;
			return;
		}
		put(o, "a=candidate:%s\r\n", cand);
	}
	if (m->tp.end_of_candidates)
		put(o, "a=end-of-candidates\r\n");
	put_other(o, m->other, m->n_other);
}

int
cp_sdp_encode(const struct cp_sdp *s, char *buf, size_t len)
{
	struct out o = {buf, len, 0, false};

	if (s == NULL || buf == NULL || len == 0)
		return -EINVAL;
	if (s->o_user[0] == '\0' || s->o_sess_id[0] == '\0' || s->o_sess_version[0] == '\0' ||
	    s->o_addr.family == 0 || s->name[0] == '\0' || s->timing[0] == '\0')
		return -EINVAL;
	for (size_t i = 0; i < s->n_media; i++)
		if (cp_sdp_proto_is_rtp(s->media[i].proto_id) ? s->media[i].n_codecs == 0 :
		    s->media[i].fmt[0] == '\0')
			return -EINVAL;
	put(&o, "v=0\r\no=%s %s %s ", s->o_user, s->o_sess_id, s->o_sess_version);
	put_conn(&o, &s->o_addr);
	put(&o, "\r\ns=%s\r\n", s->name);
	for (size_t i = 0; i < s->n_extra; i++)
		if (strchr("iuep", s->extra[i].type) != NULL)
			put(&o, "%c=%s\r\n", s->extra[i].type, s->extra[i].value);
	if (s->conn.family != 0) {
		put(&o, "c=");
		put_conn(&o, &s->conn);
		put(&o, "\r\n");
	}
	for (size_t i = 0; i < s->n_bw; i++)
		put(&o, "b=%s:%" PRIu32 "\r\n", s->bw[i].type, s->bw[i].value);
	put(&o, "t=%s\r\n", s->timing);
	for (size_t i = 0; i < s->n_extra; i++)
		if (strchr("trzk", s->extra[i].type) != NULL)
			put(&o, "%c=%s\r\n", s->extra[i].type, s->extra[i].value);
	if (s->ice_lite)
		put(&o, "a=ice-lite\r\n");
	for (size_t g = 0; g < s->n_groups; g++) {
		put(&o, "a=group:%s", s->groups[g].semantics);
		for (size_t k = 0; k < s->groups[g].n_mids; k++)
			put(&o, " %s", s->groups[g].mids[k]);
		put(&o, "\r\n");
	}
	put_tp(&o, &s->tp);
	if (s->tp.end_of_candidates)
		put(&o, "a=end-of-candidates\r\n");
	if (s->dir != CP_SDP_DIR_NONE)
		put(&o, "a=%s\r\n", cp_sdp_dir_name(s->dir));
	if (s->extmap_allow_mixed)
		put(&o, "a=extmap-allow-mixed\r\n");
	put_extmap(&o, s->extmap, s->n_extmap);
	put_other(&o, s->other, s->n_other);
	for (size_t i = 0; i < s->n_media; i++)
		put_media(&o, &s->media[i]);
	return o.full ? -ENOSPC : (int)o.pos;
}

/* ---- builders ------------------------------------------------------------- */

int
cp_sdp_init(struct cp_sdp *s, const char *addr, uint64_t sess_id, uint64_t sess_version)
{
	if (s == NULL || addr == NULL)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	if (sdp_addr(s->o_addr.addr, sizeof(s->o_addr.addr), &s->o_addr.family, addr,
		     strlen(addr), false) != 0)
		return -EINVAL;
	strcpy(s->o_user, "-");
	snprintf(s->o_sess_id, sizeof(s->o_sess_id), "%" PRIu64, sess_id);
	snprintf(s->o_sess_version, sizeof(s->o_sess_version), "%" PRIu64, sess_version);
	strcpy(s->name, "-");
	strcpy(s->timing, "0 0");
	return 0;
}

int
cp_sdp_media_add(struct cp_sdp *s, enum cp_sdp_media_type type, enum cp_sdp_proto proto,
		 enum cp_sdp_dir dir)
{
	static const char *const names[] = {"", "audio", "video", "application"};
	struct cp_sdp_media *m;

	if (s == NULL || type == CP_SDP_MEDIA_OTHER || (unsigned int)type > CP_SDP_MEDIA_APPLICATION ||
	    proto == CP_SDP_PROTO_OTHER || (unsigned int)proto > CP_SDP_PROTO_DTLS_SCTP ||
	    (unsigned int)dir > CP_SDP_DIR_INACTIVE)
		return -EINVAL;
	if (s->n_media >= CP_SDP_MAX_MEDIA)
		return -E2BIG;
	m = &s->media[s->n_media];
	memset(m, 0, sizeof(*m));
	m->type = type;
	strcpy(m->media, names[type]);
	m->port = 9;
	m->proto_id = proto;
	strcpy(m->proto, cp_sdp_proto_name(proto));
	if (!cp_sdp_proto_is_rtp(proto))
		strcpy(m->fmt, "webrtc-datachannel");
	m->dir = dir;
	return s->n_media++;
}

int
cp_sdp_codec_add(struct cp_sdp_media *m, unsigned int pt, const char *name, uint32_t clock,
		 unsigned int channels, const char *fmtp)
{
	struct cp_sdp_codec *c;

	if (m == NULL || name == NULL || pt > 127 || clock == 0 || channels > 255 ||
	    !cp_sdp_proto_is_rtp(m->proto_id) || !sdp_is_token(name, strlen(name)) ||
	    strlen(name) >= sizeof(c->name) || (fmtp != NULL && strlen(fmtp) >= CP_SDP_FMTP_LEN))
		return -EINVAL;
	if (cp_sdp_codec_find(m, pt) != NULL)
		return -EEXIST;
	if (m->n_codecs >= CP_SDP_MAX_CODECS)
		return -E2BIG;
	c = &m->codecs[m->n_codecs++];
	memset(c, 0, sizeof(*c));
	c->pt = (uint8_t)pt;
	strcpy(c->name, name);
	c->id = sdp_codec_id(name);
	c->clock = clock;
	c->channels = (uint8_t)channels;
	c->has_rtpmap = true;
	if (fmtp != NULL && fmtp[0] != '\0') {
		strcpy(c->fmtp, fmtp);
		c->has_fmtp = true;
	}
	return 0;
}
