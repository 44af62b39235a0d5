#include "cp_bencode.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct rd {
	struct cp_bencode_doc *d;
	const char *base;
	const char *p;
	const char *end;
};

static int __attribute__((format(printf, 3, 4)))
fail(struct rd *r, int rc, const char *fmt, ...)
{
	va_list ap;

	if (r->d->err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(r->d->err, sizeof(r->d->err), fmt, ap);
		va_end(ap);
		r->d->err_off = (size_t)(r->p - r->base);
	}
	return rc;
}

/* Canonical unsigned decimal up to the terminator: no sign, no leading zero
 * (except "0" itself), at least one digit, value <= max. */
static int
rd_uint(struct rd *r, char term, uint64_t max, uint64_t *v, const char *what)
{
	uint64_t x = 0;

	if (r->p >= r->end)
		return fail(r, -EBADMSG, "truncated %s", what);
	if (*r->p < '0' || *r->p > '9')
		return fail(r, -EBADMSG, "%s: expected a digit", what);
	if (*r->p == '0' && r->p + 1 < r->end && r->p[1] >= '0' && r->p[1] <= '9')
		return fail(r, -EBADMSG, "%s: leading zero", what);
	while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
		unsigned dgt = (unsigned)(*r->p - '0');

		if (x > (max - dgt) / 10)
			return fail(r, -EBADMSG, "%s: out of range", what);
		x = x * 10 + dgt;
		r->p++;
	}
	if (r->p >= r->end)
		return fail(r, -EBADMSG, "truncated %s", what);
	if (*r->p != term)
		return fail(r, -EBADMSG, "%s: expected '%c'", what, term);
	r->p++;
	*v = x;
	return 0;
}

static int
new_node(struct rd *r, uint8_t type, uint32_t *idx)
{
	struct cp_bencode_node *n;

	if (r->d->n >= r->d->cap)
		return fail(r, -E2BIG, "more than %u items", r->d->cap);
	*idx = r->d->n++;
	n = &r->d->nodes[*idx];
	memset(n, 0, sizeof(*n));
	n->type = type;
	return 0;
}

static int
rd_str(struct rd *r)
{
	uint64_t len = 0;
	uint32_t idx = CP_BENCODE_NONE;
	int rc;

	rc = rd_uint(r, ':', SIZE_MAX, &len, "string length");
	if (rc != 0)
		return rc;
	if (len > (uint64_t)(r->end - r->p))
		return fail(r, -EBADMSG, "string of %" PRIu64 " bytes runs past the end", len);
	rc = new_node(r, CP_BENCODE_STR, &idx);
	if (rc != 0)
		return rc;
	r->d->nodes[idx].s = r->p;
	r->d->nodes[idx].len = (size_t)len;
	r->d->nodes[idx].end = idx + 1;
	r->p += len;
	return 0;
}

static int
rd_int(struct rd *r)
{
	bool neg = false;
	uint64_t mag;
	uint32_t idx = CP_BENCODE_NONE;      /* set by new_node(); GCC -O3 cannot tell */
	int rc;

	r->p++;                             /* 'i' */
	if (r->p < r->end && *r->p == '-') {
		neg = true;
		r->p++;
	}
	rc = rd_uint(r, 'e', neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, &mag,
		     "integer");
	if (rc != 0)
		return rc;
	if (neg && mag == 0)
		return fail(r, -EBADMSG, "integer: negative zero");
	rc = new_node(r, CP_BENCODE_INT, &idx);
	if (rc != 0)
		return rc;
	if (neg)
		r->d->nodes[idx].i = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	else
		r->d->nodes[idx].i = (int64_t)mag;
	r->d->nodes[idx].end = idx + 1;
	return 0;
}

static int
key_cmp(const struct cp_bencode_node *a, const struct cp_bencode_node *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->s, b->s, n);

	if (c != 0)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

static int rd_value(struct rd *r, int depth);

static int
rd_container(struct rd *r, int depth, bool dict)
{
	uint32_t idx = CP_BENCODE_NONE, prev_key = CP_BENCODE_NONE, count = 0;
	int rc;

	if (depth >= CP_BENCODE_MAX_DEPTH)
		return fail(r, -E2BIG, "nested deeper than %d", CP_BENCODE_MAX_DEPTH);
	rc = new_node(r, dict ? CP_BENCODE_DICT : CP_BENCODE_LIST, &idx);
	if (rc != 0)
		return rc;
	r->p++;                             /* 'l' or 'd' */
	for (;;) {
		if (r->p >= r->end)
			return fail(r, -EBADMSG, "truncated %s", dict ? "dictionary" : "list");
		if (*r->p == 'e') {
			r->p++;
			break;
		}
		if (dict) {
			uint32_t k = r->d->n;

			if (*r->p < '0' || *r->p > '9')
				return fail(r, -EBADMSG, "dictionary key is not a string");
			rc = rd_str(r);
			if (rc != 0)
				return rc;
			/* Duplicates are ambiguous: refuse them. Order is free. */
			for (uint32_t j = idx + 1; j < k; j = r->d->nodes[j].end) {
				if (key_cmp(&r->d->nodes[j], &r->d->nodes[k]) == 0)
					return fail(r, -EBADMSG, "duplicate key '%.*s'",
						    (int)(r->d->nodes[k].len > 40 ? 40 :
							  r->d->nodes[k].len), r->d->nodes[k].s);
				j = r->d->nodes[j].end;     /* skip the value */
			}
			if (prev_key != CP_BENCODE_NONE &&
			    key_cmp(&r->d->nodes[prev_key], &r->d->nodes[k]) > 0)
				r->d->unsorted = true;
			prev_key = k;
			if (r->p >= r->end || *r->p == 'e')
				return fail(r, -EBADMSG, "key '%.*s' has no value",
					    (int)(r->d->nodes[k].len > 40 ? 40 : r->d->nodes[k].len),
					    r->d->nodes[k].s);
		}
		rc = rd_value(r, depth + 1);
		if (rc != 0)
			return rc;
		count++;
	}
	r->d->nodes[idx].count = count;
	r->d->nodes[idx].end = r->d->n;
	return 0;
}

static int
rd_value(struct rd *r, int depth)
{
	if (r->p >= r->end)
		return fail(r, -EBADMSG, "truncated: value expected");
	switch (*r->p) {
	case 'i':
		return rd_int(r);
	case 'l':
		return rd_container(r, depth, false);
	case 'd':
		return rd_container(r, depth, true);
	default:
		if (*r->p >= '0' && *r->p <= '9')
			return rd_str(r);
		return fail(r, -EBADMSG, "unexpected byte 0x%02x", (unsigned char)*r->p);
	}
}

int
cp_bencode_decode(struct cp_bencode_doc *d, const void *p, size_t len)
{
	struct rd r = { .d = d, .base = p, .p = p, .end = (const char *)p + len };
	int rc;

	if (d == NULL || d->nodes == NULL || d->cap == 0)
		return -EINVAL;
	d->n = 0;
	d->unsorted = false;
	d->err[0] = '\0';
	d->err_off = 0;
	if (p == NULL || len == 0)
		return fail(&r, -EBADMSG, "empty input");
	rc = rd_value(&r, 0);
	if (rc != 0)
		return rc;
	if (r.p != r.end)
		return fail(&r, -EBADMSG, "%zu trailing byte(s)", (size_t)(r.end - r.p));
	return 0;
}

uint32_t
cp_bencode_child(const struct cp_bencode_doc *d, uint32_t idx)
{
	if (idx >= d->n || idx + 1 >= d->nodes[idx].end)
		return CP_BENCODE_NONE;
	return idx + 1;
}

uint32_t
cp_bencode_next(const struct cp_bencode_doc *d, uint32_t parent, uint32_t idx)
{
	if (parent >= d->n || idx >= d->n)
		return CP_BENCODE_NONE;
	idx = d->nodes[idx].end;
	return idx < d->nodes[parent].end ? idx : CP_BENCODE_NONE;
}

bool
cp_bencode_str_eq(const struct cp_bencode_doc *d, uint32_t idx, const char *s)
{
	size_t n = strlen(s);

	return idx < d->n && d->nodes[idx].type == CP_BENCODE_STR && d->nodes[idx].len == n &&
	       memcmp(d->nodes[idx].s, s, n) == 0;
}

uint32_t
cp_bencode_dict_get(const struct cp_bencode_doc *d, uint32_t dict, const char *key)
{
	if (dict >= d->n || d->nodes[dict].type != CP_BENCODE_DICT)
		return CP_BENCODE_NONE;
	for (uint32_t k = cp_bencode_child(d, dict); k != CP_BENCODE_NONE;) {
		uint32_t v = d->nodes[k].end;

		if (cp_bencode_str_eq(d, k, key))
			return v;
		k = cp_bencode_next(d, dict, v);
	}
	return CP_BENCODE_NONE;
}

void
cp_bencode_buf_init(struct cp_bencode_buf *b, void *mem, size_t cap)
{
	b->p = mem;
	b->cap = cap;
	b->len = 0;
	b->depth = 0;
	b->err = 0;
}

void
cp_bencode_put_raw(struct cp_bencode_buf *b, const void *p, size_t len)
{
	if (b->err != 0)
		return;
	if (len > b->cap - b->len) {
		b->err = -ENOSPC;
		return;
	}
	if (len != 0)
		memcpy(b->p + b->len, p, len);
	b->len += len;
}

void
cp_bencode_put_int(struct cp_bencode_buf *b, int64_t v)
{
	char t[24];
	int n = snprintf(t, sizeof(t), "i%" PRId64 "e", v);

	cp_bencode_put_raw(b, t, (size_t)n);
}

void
cp_bencode_put_str(struct cp_bencode_buf *b, const void *p, size_t len)
{
	char t[24];
	int n = snprintf(t, sizeof(t), "%zu:", len);

	cp_bencode_put_raw(b, t, (size_t)n);
	cp_bencode_put_raw(b, p, len);
}

void
cp_bencode_put_cstr(struct cp_bencode_buf *b, const char *s)
{
	cp_bencode_put_str(b, s, strlen(s));
}

void
cp_bencode_list_begin(struct cp_bencode_buf *b)
{
	cp_bencode_put_raw(b, "l", 1);
	b->depth++;
}

void
cp_bencode_dict_begin(struct cp_bencode_buf *b)
{
	cp_bencode_put_raw(b, "d", 1);
	b->depth++;
}

void
cp_bencode_end(struct cp_bencode_buf *b)
{
	if (b->depth == 0) {
		if (b->err == 0)
			b->err = -EINVAL;
		return;
	}
	b->depth--;
	cp_bencode_put_raw(b, "e", 1);
}

void
cp_bencode_put_node(struct cp_bencode_buf *b, const struct cp_bencode_doc *d, uint32_t idx)
{
	const struct cp_bencode_node *n;

	if (idx >= d->n) {
		if (b->err == 0)
			b->err = -EINVAL;
		return;
	}
	n = &d->nodes[idx];
	switch (n->type) {
	case CP_BENCODE_INT:
		cp_bencode_put_int(b, n->i);
		break;
	case CP_BENCODE_STR:
		cp_bencode_put_str(b, n->s, n->len);
		break;
	default:
		if (n->type == CP_BENCODE_DICT)
			cp_bencode_dict_begin(b);
		else
			cp_bencode_list_begin(b);
		for (uint32_t c = cp_bencode_child(d, idx); c != CP_BENCODE_NONE;
		     c = cp_bencode_next(d, idx, c))
			cp_bencode_put_node(b, d, c);
		cp_bencode_end(b);
		break;
	}
}

int
cp_bencode_buf_status(const struct cp_bencode_buf *b)
{
	if (b->err != 0)
		return b->err;
	return b->depth == 0 ? 0 : -EINVAL;
}
