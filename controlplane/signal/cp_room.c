#include "cp_room.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <openssl/rand.h>

struct msg {
	STAILQ_ENTRY(msg) link;
	size_t len;
	char text[];                 /* NUL-terminated */
};

STAILQ_HEAD(msg_list, msg);

struct room;

struct cp_room_peer {
	TAILQ_ENTRY(cp_room_peer) link;
	struct room *room;
	char id[CP_ROOM_ID_LEN + 1];
	char key[CP_ROOM_KEY_LEN + 1];
	uint64_t joined_ms;
	void *user;                  /* the attached stream; NULL: none yet */
	struct msg_list queue;
	unsigned n_queued;
};

TAILQ_HEAD(peer_list, cp_room_peer);

struct room {
	TAILQ_ENTRY(room) link;
	char name[CP_ROOM_NAME_MAX + 1];
	struct peer_list peers;
	unsigned n_peers;
};

TAILQ_HEAD(room_list, room);

struct cp_rooms {
	struct cp_room_limits lim;
	struct cp_room_ops ops;
	struct room_list rooms;
	unsigned n_rooms;
};

int
cp_rooms_create(struct cp_rooms **out, const struct cp_room_limits *lim,
		const struct cp_room_ops *ops)
{
	struct cp_rooms *rs;

	if (lim->max_rooms == 0 || lim->max_peers == 0 || lim->max_queue == 0 ||
	    lim->max_msg == 0)
		return -EINVAL;
	rs = calloc(1, sizeof(*rs));
	if (rs == NULL)
		return -ENOMEM;
	rs->lim = *lim;
	if (ops != NULL)
		rs->ops = *ops;
	TAILQ_INIT(&rs->rooms);
	*out = rs;
	return 0;
}

void
cp_rooms_free(struct cp_rooms *rs)
{
	struct room *r;

	if (rs == NULL)
		return;
	while ((r = TAILQ_FIRST(&rs->rooms)) != NULL) {
		/* Leaving the last peer frees the room. */
		while (r->n_peers > 1)
			cp_rooms_leave(rs, TAILQ_FIRST(&r->peers));
		cp_rooms_leave(rs, TAILQ_FIRST(&r->peers));
	}
	free(rs);
}

bool
cp_room_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > CP_ROOM_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

static struct room *
room_find(const struct cp_rooms *rs, const char *name)
{
	struct room *r;

	TAILQ_FOREACH(r, &rs->rooms, link)
		if (strcmp(r->name, name) == 0)
			return r;
	return NULL;
}

static struct cp_room_peer *
peer_find(const struct room *r, const char *id)
{
	struct cp_room_peer *p;

	TAILQ_FOREACH(p, &r->peers, link)
		if (strcmp(p->id, id) == 0)
			return p;
	return NULL;
}

static int
hex_random(char *out, size_t digits)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[32];

	if (digits / 2 > sizeof(b) || RAND_bytes(b, (int)(digits / 2)) != 1)
		return -EIO;
	for (size_t i = 0; i < digits / 2; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[digits] = '\0';
	return 0;
}

/* Queue a copy of text for p; wake its stream. */
static int
enqueue(struct cp_rooms *rs, struct cp_room_peer *p, const char *text, size_t len)
{
	struct msg *m;

	if (len > rs->lim.max_msg)
		return -EMSGSIZE;
	if (p->n_queued >= rs->lim.max_queue)
		return -ENOBUFS;
	m = malloc(sizeof(*m) + len + 1);
	if (m == NULL)
		return -ENOMEM;
	m->len = len;
	memcpy(m->text, text, len);
	m->text[len] = '\0';
	STAILQ_INSERT_TAIL(&p->queue, m, link);
	p->n_queued++;
	if (p->user != NULL && rs->ops.wake != NULL)
		rs->ops.wake(p->user);
	return 0;
}

/* {"type":"join"|"leave","from":ID} to everyone in r but who. A full queue
 * loses the notice (that peer is not reading; it will be removed when its
 * stream closes). */
static void
announce(struct cp_rooms *rs, struct room *r, const struct cp_room_peer *who, const char *type)
{
	struct cp_room_peer *p;
	char text[96];
	int n = snprintf(text, sizeof(text), "{\"type\":\"%s\",\"from\":\"%s\"}", type, who->id);

	TAILQ_FOREACH(p, &r->peers, link)
		if (p != who)
			(void)enqueue(rs, p, text, (size_t)n);
}

int
cp_rooms_join(struct cp_rooms *rs, const char *room, uint64_t now, struct cp_room_peer **out)
{
	struct room *r;
	struct cp_room_peer *p;
	bool made = false;
	int rc;

	if (!cp_room_name_ok(room))
		return -EINVAL;
	r = room_find(rs, room);
	if (r == NULL) {
		if (rs->n_rooms >= rs->lim.max_rooms)
			return -ENOSPC;
		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return -ENOMEM;
		snprintf(r->name, sizeof(r->name), "%s", room);
		TAILQ_INIT(&r->peers);
		TAILQ_INSERT_TAIL(&rs->rooms, r, link);
		rs->n_rooms++;
		made = true;
	}
	if (r->n_peers >= rs->lim.max_peers)
		return -EMLINK;
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	STAILQ_INIT(&p->queue);
	p->room = r;
	p->joined_ms = now;
	do {
		rc = hex_random(p->id, CP_ROOM_ID_LEN);
	} while (rc == 0 && peer_find(r, p->id) != NULL);
	if (rc == 0)
		rc = hex_random(p->key, CP_ROOM_KEY_LEN);
	if (rc != 0) {
		free(p);
		goto fail;
	}
	TAILQ_INSERT_TAIL(&r->peers, p, link);
	r->n_peers++;
	announce(rs, r, p, "join");
	*out = p;
	return 0;
fail:
	if (made) {
		TAILQ_REMOVE(&rs->rooms, r, link);
		rs->n_rooms--;
		free(r);
	}
	return rc;
}

struct cp_room_peer *
cp_rooms_find(struct cp_rooms *rs, const char *room, const char *id)
{
	struct room *r = room_find(rs, room);

	return r ? peer_find(r, id) : NULL;
}

bool
cp_rooms_has(const struct cp_rooms *rs, const char *room)
{
	return room_find(rs, room) != NULL;
}

int
cp_rooms_send(struct cp_rooms *rs, const char *room, const char *from, const char *to,
	      const char *msg, size_t len)
{
	struct room *r = room_find(rs, room);
	struct cp_room_peer *dst;

	if (r == NULL || peer_find(r, from) == NULL || (dst = peer_find(r, to)) == NULL)
		return -ENOENT;
	if (strcmp(from, to) == 0)
		return -EINVAL;
	return enqueue(rs, dst, msg, len);
}

void
cp_rooms_leave(struct cp_rooms *rs, struct cp_room_peer *p)
{
	struct room *r = p->room;
	struct msg *m;
	void *user = p->user;

	TAILQ_REMOVE(&r->peers, p, link);
	r->n_peers--;
	announce(rs, r, p, "leave");
	while ((m = STAILQ_FIRST(&p->queue)) != NULL) {
		STAILQ_REMOVE_HEAD(&p->queue, link);
		free(m);
	}
	free(p);
	if (r->n_peers == 0) {
		TAILQ_REMOVE(&rs->rooms, r, link);
		rs->n_rooms--;
		free(r);
	}
	/* Last: the stream's owner may look the peer up no more. */
	if (user != NULL && rs->ops.gone != NULL)
		rs->ops.gone(user);
}

void
cp_rooms_tick(struct cp_rooms *rs, uint64_t now)
{
	struct room *r, *rn;
	struct cp_room_peer *p, *pn;

	/* Leaving may free the room: take the next one first. */
	for (r = TAILQ_FIRST(&rs->rooms); r != NULL; r = rn) {
		rn = TAILQ_NEXT(r, link);
		for (p = TAILQ_FIRST(&r->peers); p != NULL; p = pn) {
			pn = TAILQ_NEXT(p, link);
			if (p->user == NULL && now - p->joined_ms >= rs->lim.attach_timeout_ms) {
				bool last = r->n_peers == 1;

				cp_rooms_leave(rs, p);
				if (last)
					break;
			}
		}
	}
}

const char *
cp_room_peer_id(const struct cp_room_peer *p)
{
	return p->id;
}

const char *
cp_room_peer_key(const struct cp_room_peer *p)
{
	return p->key;
}

const char *
cp_room_peer_room(const struct cp_room_peer *p)
{
	return p->room->name;
}

unsigned
cp_room_peer_others(const struct cp_room_peer *p, const char **ids, unsigned max)
{
	const struct cp_room_peer *o;
	unsigned n = 0;

	TAILQ_FOREACH(o, &p->room->peers, link)
		if (o != p && n < max)
			ids[n++] = o->id;
	return n;
}

int
cp_room_peer_attach(struct cp_room_peer *p, void *user)
{
	if (p->user != NULL)
		return -EBUSY;
	p->user = user;
	return 0;
}

size_t
cp_room_peer_take(struct cp_room_peer *p, char **msg)
{
	struct msg *m = STAILQ_FIRST(&p->queue);
	size_t len;

	*msg = NULL;
	if (m == NULL)
		return 0;
	STAILQ_REMOVE_HEAD(&p->queue, link);
	p->n_queued--;
	len = m->len;
	/* The text moves to the front of its own block: one allocation, freed by
	 * the caller with free(). */
	memmove(m, m->text, len + 1);
	*msg = (char *)m;
	return len;
}

unsigned
cp_rooms_count(const struct cp_rooms *rs)
{
	return rs->n_rooms;
}

unsigned
cp_rooms_peers(const struct cp_rooms *rs, const char *room)
{
	const struct room *r = room_find(rs, room);

	return r ? r->n_peers : 0;
}

unsigned
cp_room_peer_queued(const struct cp_room_peer *p)
{
	return p->n_queued;
}

void
cp_rooms_foreach(const struct cp_rooms *rs,
		 void (*fn)(const char *name, unsigned peers, void *cls), void *cls)
{
	const struct room *r;

	TAILQ_FOREACH(r, &rs->rooms, link)
		fn(r->name, r->n_peers, cls);
}
