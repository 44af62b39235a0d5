#include "cp_calls.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A leg of a call is what the journal records of it (cp_calls.h). */

struct call {
	struct call *next;          /* hash chain */
	uint64_t created, last_signal;
	size_t id_len;
	unsigned n_legs;
	struct cp_calls_leg_rec legs[CP_CALLS_MAX_LEGS];
	char id[];
};

struct cp_calls {
	uint32_t max_calls, n_calls, n_buckets;
	cp_calls_media_fn *media;
	void *media_ctx;
	cp_calls_clock_fn *clock;
	cp_calls_release_fn *release;
	cp_calls_totals_fn *totals;
	struct call **buckets;
};

static uint64_t
wall_clock(void)
{
	return (uint64_t)time(NULL);
}

static uint32_t
hash(const char *p, size_t n)
{
	uint32_t h = 2166136261u;           /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)p[i]) * 16777619u;
	return h;
}

int
cp_calls_create(struct cp_calls **out, uint32_t max_calls, cp_calls_media_fn *media,
		void *media_ctx, cp_calls_clock_fn *clock)
{
	struct cp_calls *c;
	uint32_t nb = 16;

	if (max_calls == 0)
		return -EINVAL;
	while (nb < max_calls && nb < (1u << 20))
		nb <<= 1;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->buckets = calloc(nb, sizeof(*c->buckets));
	if (c->buckets == NULL) {
		free(c);
		return -ENOMEM;
	}
	c->n_buckets = nb;
	c->max_calls = max_calls;
	c->media = media;
	c->media_ctx = media_ctx;
	c->clock = clock != NULL ? clock : wall_clock;
	*out = c;
	return 0;
}

void
cp_calls_free(struct cp_calls *c)
{
	if (c == NULL)
		return;
	for (uint32_t b = 0; b < c->n_buckets; b++)
		for (struct call *k = c->buckets[b], *nx; k != NULL; k = nx) {
			nx = k->next;
			if (c->release != NULL)
				c->release(c->media_ctx, k->id, k->id_len);
			free(k);
		}
	free(c->buckets);
	free(c);
}

uint32_t
cp_calls_count(const struct cp_calls *c)
{
	return c->n_calls;
}

static struct call **
find_slot(struct cp_calls *c, struct cp_ng_str id)
{
	struct call **pp = &c->buckets[hash(id.p, id.len) & (c->n_buckets - 1)];

	for (; *pp != NULL; pp = &(*pp)->next)
		if ((*pp)->id_len == id.len && memcmp((*pp)->id, id.p, id.len) == 0)
			break;
	return pp;
}

static void
remove_call(struct cp_calls *c, struct call **pp)
{
	struct call *k = *pp;

	*pp = k->next;
	if (c->release != NULL)
		c->release(c->media_ctx, k->id, k->id_len);
	free(k);
	c->n_calls--;
}

void
cp_calls_on_release(struct cp_calls *c, cp_calls_release_fn *fn)
{
	c->release = fn;
}

void
cp_calls_on_totals(struct cp_calls *c, cp_calls_totals_fn *fn)
{
	c->totals = fn;
}

int
cp_calls_drop(struct cp_calls *c, const char *call_id, size_t id_len)
{
	struct call **pp = find_slot(c, (struct cp_ng_str){ .p = call_id, .len = id_len });

	if (*pp == NULL)
		return -ENOENT;
	remove_call(c, pp);
	return 0;
}

static int
find_leg(const struct call *k, struct cp_ng_str tag)
{
	for (unsigned i = 0; i < k->n_legs; i++)
		if (k->legs[i].tag_len == tag.len && memcmp(k->legs[i].tag, tag.p, tag.len) == 0)
			return (int)i;
	return -1;
}

static int
add_leg(struct call *k, const struct cp_ng_req *req, struct cp_ng_str tag, uint64_t now)
{
	struct cp_calls_leg_rec *l;

	if (k->n_legs == CP_CALLS_MAX_LEGS)
		return -1;
	l = &k->legs[k->n_legs];
	memset(l, 0, sizeof(*l));
	memcpy(l->tag, tag.p, tag.len);
	l->tag_len = tag.len;
	l->created = now;
	l->peer = -1;
	if (req->label.len > 0 && req->label.len < sizeof(l->label))
		memcpy(l->label, req->label.p, req->label.len);
	return (int)k->n_legs++;
}

static int
refuse(char *reason, size_t rlen, int rc, const char *msg)
{
	snprintf(reason, rlen, "%s", msg);
	return rc;
}

static int
check_ids(const struct cp_ng_req *req, char *reason, size_t rlen)
{
	if (req->call_id.len >= CP_CALLS_ID_MAX)
		return refuse(reason, rlen, -EINVAL, "call-id too long");
	if (req->from_tag.len >= CP_CALLS_TAG_MAX || req->to_tag.len >= CP_CALLS_TAG_MAX)
		return refuse(reason, rlen, -EINVAL, "tag too long");
	return 0;
}

/* The media work; a reply that no longer fits counts as a failure, so the
 * proxy is never told "error" about a call we kept. */
static int
run_media(struct cp_calls *c, const struct cp_ng_req *req, bool is_answer,
	  struct cp_bencode_buf *reply, char *reason, size_t rlen)
{
	int rc;

	if (c->media == NULL)
		return refuse(reason, rlen, -ENOTSUP, "media not available yet");
	rc = c->media(c->media_ctx, req, is_answer, reply, reason, rlen);
	if (rc == 0 && cp_bencode_buf_status(reply) == -ENOSPC)
		return refuse(reason, rlen, -ENOSPC, "reply does not fit a datagram");
	return rc;
}

static int
op_offer(void *ctx, const struct cp_ng_req *req, struct cp_bencode_buf *reply,
	 char *reason, size_t rlen)
{
	struct cp_calls *c = ctx;
	uint64_t now = c->clock();
	struct call **pp, *k;
	bool new_call = false;
	int leg, rc;

	if ((rc = check_ids(req, reason, rlen)) != 0)
		return rc;
	pp = find_slot(c, req->call_id);
	/* A trickle ICE fragment (ng's fragment flag: an RFC 8840 sdpfrag of a
	 * party's new candidates): taken for a known party, nothing changes.
	 * Our WebRTC legs are ICE-lite: they learn the party's address from its
	 * checks and use none of its candidates. */
	if (req->flags & CP_NG_F_FRAGMENT) {
		if (*pp == NULL)
			return refuse(reason, rlen, -ENOENT, "Unknown call-id");
		if (find_leg(*pp, req->from_tag) < 0)
			return refuse(reason, rlen, -ENOENT, "Unknown from-tag");
		return 0;
	}
	if (*pp == NULL) {
		if (c->n_calls >= c->max_calls)
			return refuse(reason, rlen, -ENOSPC,
				      "call limit reached (calls.max_calls)");
		k = calloc(1, sizeof(*k) + req->call_id.len + 1);
		if (k == NULL)
			return refuse(reason, rlen, -ENOMEM, "out of memory");
		memcpy(k->id, req->call_id.p, req->call_id.len);
		k->id_len = req->call_id.len;
		k->created = now;
		*pp = k;
		c->n_calls++;
		new_call = true;
	}
	k = *pp;
	leg = find_leg(k, req->from_tag);
	if (leg < 0) {
		leg = add_leg(k, req, req->from_tag, now);
		if (leg < 0) {
			rc = refuse(reason, rlen, -ENOSPC, "too many legs in this call");
			goto rollback;
		}
	} else {
		leg = -1;                   /* a re-offer: nothing to roll back */
	}
	rc = run_media(c, req, false, reply, reason, rlen);
	if (rc == 0) {
		k->last_signal = now;
		return 0;
	}
rollback:
	if (new_call)
		remove_call(c, pp);
	else if (leg >= 0)
		k->n_legs--;
	return rc;
}

static int
op_answer(void *ctx, const struct cp_ng_req *req, struct cp_bencode_buf *reply,
	  char *reason, size_t rlen)
{
	struct cp_calls *c = ctx;
	uint64_t now = c->clock();
	struct call *k;
	int from, to, added = -1, rc;

	if ((rc = check_ids(req, reason, rlen)) != 0)
		return rc;
	k = *find_slot(c, req->call_id);
	if (k == NULL)
		return refuse(reason, rlen, -ENOENT, "Unknown call-id");
	from = find_leg(k, req->from_tag);
	if (from < 0)
		return refuse(reason, rlen, -ENOENT, "Unknown from-tag");
	to = find_leg(k, req->to_tag);
	if (to < 0) {
		to = added = add_leg(k, req, req->to_tag, now);
		if (to < 0)
			return refuse(reason, rlen, -ENOSPC, "too many legs in this call");
	}
	rc = run_media(c, req, true, reply, reason, rlen);
	if (rc != 0) {
		if (added >= 0)
			k->n_legs--;
		return rc;
	}
	k->legs[from].peer = to;
	k->legs[to].peer = from;
	k->last_signal = now;
	return 0;
}

static void
put_totals(const struct cp_calls *c, struct cp_bencode_buf *b, const struct call *k)
{
	static const char *const kinds[] = { "RTCP", "RTP" };
	static const char *const names[] = { "bytes", "errors", "packets" };
	uint64_t t[2][3] = { { 0 } };

	if (c->totals != NULL)
		c->totals(c->media_ctx, k->id, k->id_len, t);
	cp_bencode_put_cstr(b, "totals");
	cp_bencode_dict_begin(b);
	for (size_t i = 0; i < 2; i++) {
		cp_bencode_put_cstr(b, kinds[i]);
		cp_bencode_dict_begin(b);
		for (size_t j = 0; j < 3; j++) {
			cp_bencode_put_cstr(b, names[j]);
			cp_bencode_put_int(b, (int64_t)t[i][j]);
		}
		cp_bencode_end(b);
	}
	cp_bencode_end(b);
}

static void
put_call(const struct cp_calls *c, struct cp_bencode_buf *b, const struct call *k)
{
	cp_bencode_put_cstr(b, "created");
	cp_bencode_put_int(b, (int64_t)k->created);
	cp_bencode_put_cstr(b, "last signal");
	cp_bencode_put_int(b, (int64_t)k->last_signal);
	cp_bencode_put_cstr(b, "tags");
	cp_bencode_dict_begin(b);
	for (unsigned i = 0; i < k->n_legs; i++) {
		const struct cp_calls_leg_rec *l = &k->legs[i];

		cp_bencode_put_str(b, l->tag, l->tag_len);
		cp_bencode_dict_begin(b);
		cp_bencode_put_cstr(b, "created");
		cp_bencode_put_int(b, (int64_t)l->created);
		if (l->peer >= 0) {
			cp_bencode_put_cstr(b, "in dialogue with");
			cp_bencode_put_str(b, k->legs[l->peer].tag, k->legs[l->peer].tag_len);
		}
		if (l->label[0] != '\0') {
			cp_bencode_put_cstr(b, "label");
			cp_bencode_put_cstr(b, l->label);
		}
		cp_bencode_put_cstr(b, "medias");
		cp_bencode_list_begin(b);
		cp_bencode_end(b);
		cp_bencode_put_cstr(b, "tag");
		cp_bencode_put_str(b, l->tag, l->tag_len);
		cp_bencode_end(b);
	}
	cp_bencode_end(b);
	put_totals(c, b, k);
}

static struct call **
lookup(struct cp_calls *c, const struct cp_ng_req *req, char *reason, size_t rlen, int *rc)
{
	struct call **pp;

	*rc = check_ids(req, reason, rlen);
	if (*rc != 0)
		return NULL;
	pp = find_slot(c, req->call_id);
	if (*pp == NULL) {
		*rc = refuse(reason, rlen, -ENOENT, "Unknown call-id");
		return NULL;
	}
	if (req->from_tag.len > 0 && find_leg(*pp, req->from_tag) < 0) {
		*rc = refuse(reason, rlen, -ENOENT, "Unknown from-tag");
		return NULL;
	}
	return pp;
}

/* query and delete: report the call; delete then drops it, unless the report
 * did not fit (the proxy would be told "error" about a call that is gone). */
static int
report(void *ctx, const struct cp_ng_req *req, struct cp_bencode_buf *reply,
       char *reason, size_t rlen, bool drop)
{
	struct cp_calls *c = ctx;
	struct call **pp;
	int rc;

	pp = lookup(c, req, reason, rlen, &rc);
	if (pp == NULL)
		return rc;
	put_call(c, reply, *pp);
	if (!drop)
		return 0;           /* a query too big: cp_ng answers the error */
	if (cp_bencode_buf_status(reply) == -ENOSPC)
		return refuse(reason, rlen, -ENOSPC, "reply does not fit a datagram");
	remove_call(c, pp);
	return 0;
}

static int
op_delete(void *ctx, const struct cp_ng_req *req, struct cp_bencode_buf *reply,
	  char *reason, size_t rlen)
{
	return report(ctx, req, reply, reason, rlen, true);
}

static int
op_query(void *ctx, const struct cp_ng_req *req, struct cp_bencode_buf *reply,
	 char *reason, size_t rlen)
{
	return report(ctx, req, reply, reason, rlen, false);
}

static int
op_list(void *ctx, const struct cp_ng_req *req, struct cp_bencode_buf *reply,
	char *reason, size_t rlen)
{
	struct cp_calls *c = ctx;
	int64_t limit = req->limit >= 0 ? req->limit : CP_CALLS_LIST_DEFAULT, n = 0;

	(void)reason;
	(void)rlen;
	cp_bencode_put_cstr(reply, "calls");
	cp_bencode_list_begin(reply);
	for (uint32_t b = 0; b < c->n_buckets && n < limit; b++)
		for (const struct call *k = c->buckets[b]; k != NULL && n < limit; k = k->next, n++)
			cp_bencode_put_str(reply, k->id, k->id_len);
	cp_bencode_end(reply);
	return 0;
}

const struct cp_calls_ops cp_calls_ng_ops = {
	.offer = op_offer,
	.answer = op_answer,
	.delete_call = op_delete,
	.query = op_query,
	.list = op_list,
};

int
cp_calls_get(struct cp_calls *c, const char *id, size_t len, struct cp_calls_rec *out)
{
	const struct call *k = *find_slot(c, (struct cp_ng_str){ .p = id, .len = len });

	if (k == NULL)
		return -ENOENT;
	memset(out, 0, sizeof(*out));
	out->created = k->created;
	out->last_signal = k->last_signal;
	out->n_legs = k->n_legs;
	memcpy(out->legs, k->legs, sizeof(k->legs[0]) * k->n_legs);
	return 0;
}

int
cp_calls_put(struct cp_calls *c, const char *id, size_t len, const struct cp_calls_rec *in)
{
	struct call **pp;

	if (len == 0 || len >= CP_CALLS_ID_MAX || in->n_legs > CP_CALLS_MAX_LEGS)
		return -EINVAL;
	for (unsigned i = 0; i < in->n_legs; i++)
		if (in->legs[i].tag_len >= CP_CALLS_TAG_MAX || in->legs[i].peer >= (int)in->n_legs)
			return -EINVAL;
	pp = find_slot(c, (struct cp_ng_str){ .p = id, .len = len });
	if (*pp == NULL) {
		if (c->n_calls >= c->max_calls)
			return -ENOSPC;
		*pp = calloc(1, sizeof(**pp) + len + 1);
		if (*pp == NULL)
			return -ENOMEM;
		memcpy((*pp)->id, id, len);
		(*pp)->id_len = len;
		c->n_calls++;
	}
	(*pp)->created = in->created;
	(*pp)->last_signal = in->last_signal;
	(*pp)->n_legs = in->n_legs;
	memcpy((*pp)->legs, in->legs, sizeof(in->legs[0]) * in->n_legs);
	return 0;
}
