/*
 * cp_sdp_priv.h: what the cp_sdp source files share (line reader, error text,
 * field scanners, name tables). Not a public interface: include cp_sdp.h.
 */
#ifndef CP_SDP_PRIV_H
#define CP_SDP_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_sdp.h"

/** Line reader over one text: type, value and line number of the current line. */
struct sdp_rd {
	const char *p, *end;
	const char *line;     /* current line, without its terminator */
	size_t len;
	char type;            /* the letter before '=' */
	const char *v;        /* the value after '=' */
	size_t vlen;
	unsigned int lineno;  /* 1-based */
	char *err;
	size_t errlen;
};

/** A cursor over a value, split at single spaces. */
struct sdp_cur {
	const char *p, *end;
};

void sdp_rd_init(struct sdp_rd *r, const char *text, size_t len, char *err, size_t errlen);

/** Next line: 1, 0 at the end, or a negative errno with r->err set. */
int sdp_rd_next(struct sdp_rd *r);

/** Format "line N: <what>: <line excerpt>" into r->err; returns code. */
int sdp_fail_at(struct sdp_rd *r, int code, unsigned int lineno, const char *l, size_t n,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));
#define sdp_fail(r, code, ...) sdp_fail_at((r), (code), (r)->lineno, (r)->line, (r)->len, __VA_ARGS__)

/** Next space-separated token (exactly one space between tokens). */
bool sdp_tok(struct sdp_cur *c, const char **t, size_t *n);
/** Decimal digits only, at most max. */
bool sdp_u32(const char *t, size_t n, uint32_t max, uint32_t *v);
/** Copy n bytes plus NUL if they fit in dlen. */
bool sdp_copy(char *dst, size_t dlen, const char *s, size_t n);
bool sdp_is_token(const char *t, size_t n);
bool sdp_is_ice_chars(const char *t, size_t n);
/** IP literal (family 4/6) or, with fqdn_ok, a host name (family 0); 0 or -1. */
int sdp_addr(char *dst, size_t dlen, uint8_t *family, const char *t, size_t n, bool fqdn_ok);

const char *sdp_setup_name(enum cp_sdp_setup s);
enum cp_sdp_codec_id sdp_codec_id(const char *name);
/** H.264 profile key (0x42e0 constrained baseline, else profile_idc << 8); -EBADMSG. */
int sdp_h264_profile(const struct cp_sdp_codec *c, unsigned int *profile);
/** An unsigned fmtp parameter, or dflt when absent or not a number. */
unsigned int sdp_fmtp_uint(const struct cp_sdp_codec *c, const char *key, unsigned int dflt);

#endif
