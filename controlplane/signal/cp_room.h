/*
 * cp_room: the bookkeeping of the peer-to-peer signalling relay (rooms, the
 * peers in them, each peer's queue of messages waiting for delivery). No
 * HTTP and no DPDK here, so it is unit-tested on its own; cp_room_rest puts
 * it on REST and Server-Sent Events.
 *
 * A room exists while it has peers: the first join makes it, the last leave
 * removes it. Every count is bounded (struct cp_room_limits): rooms, peers
 * per room, queued messages per peer, bytes per message. A peer that leaves
 * (or is removed: its stream closed, or it never attached one within
 * join_timeout_ms) is announced to the others in the room with
 * {"type":"leave","from":ID}; a new one with {"type":"join","from":ID}.
 *
 * Messages are opaque text here (cp_room_rest hands in compact JSON, one
 * line); the queue owns a copy of each.
 */
#ifndef CP_ROOM_H
#define CP_ROOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CP_ROOM_NAME_MAX 64      /* room names: [A-Za-z0-9_.-]{1,64} */
#define CP_ROOM_ID_LEN   16      /* peer ids: 16 lower-case hex digits */
#define CP_ROOM_KEY_LEN  32      /* peer keys (the stream's secret): 32 hex digits */

struct cp_rooms;
struct cp_room_peer;

struct cp_room_limits {
	unsigned max_rooms;          /* rooms at once */
	unsigned max_peers;          /* peers per room */
	unsigned max_queue;          /* undelivered messages per peer */
	size_t max_msg;              /* bytes per message */
	uint64_t attach_timeout_ms;  /* a peer without a stream this long is removed */
};

/* What the owner of a peer's stream hears (user: what cp_room_peer_attach got). */
struct cp_room_ops {
	void (*wake)(void *user);    /* a message was queued for the peer */
	void (*gone)(void *user);    /* the peer was removed: end its stream */
};

/**
 * @return 0; -EINVAL (a limit is 0); -ENOMEM.
 */
int cp_rooms_create(struct cp_rooms **out, const struct cp_room_limits *lim,
		    const struct cp_room_ops *ops);

/** NULL-safe; removes every peer (gone() for each attached one). */
void cp_rooms_free(struct cp_rooms *rs);

/** True when name is a valid room name. */
bool cp_room_name_ok(const char *name);

/**
 * A new peer in room (made if new), announced to the others.
 * @return 0; -EINVAL (bad room name); -ENOSPC (max_rooms reached);
 *         -EMLINK (the room has max_peers); -ENOMEM; -EIO (no randomness).
 */
int cp_rooms_join(struct cp_rooms *rs, const char *room, uint64_t now,
		  struct cp_room_peer **out);

/** The peer with this id in room; NULL when either is unknown. */
struct cp_room_peer *cp_rooms_find(struct cp_rooms *rs, const char *room, const char *id);

/** True when room exists (has peers). */
bool cp_rooms_has(const struct cp_rooms *rs, const char *room);

/**
 * Queue msg (len bytes, copied) for peer to in room, and wake its stream.
 * @return 0; -ENOENT (room, from or to unknown); -EINVAL (from == to);
 *         -EMSGSIZE (len > max_msg); -ENOBUFS (to's queue is full); -ENOMEM.
 */
int cp_rooms_send(struct cp_rooms *rs, const char *room, const char *from, const char *to,
		  const char *msg, size_t len);

/** Remove p and tell the others in its room; gone() if attached. Frees p. */
void cp_rooms_leave(struct cp_rooms *rs, struct cp_room_peer *p);

/** Remove the peers that never attached a stream within attach_timeout_ms. */
void cp_rooms_tick(struct cp_rooms *rs, uint64_t now);

const char *cp_room_peer_id(const struct cp_room_peer *p);
const char *cp_room_peer_key(const struct cp_room_peer *p);
const char *cp_room_peer_room(const struct cp_room_peer *p);

/** The ids of the others in p's room, up to max (returns how many). */
unsigned cp_room_peer_others(const struct cp_room_peer *p, const char **ids, unsigned max);

/**
 * Bind p's stream (user, for the ops). wake() follows at once when messages
 * are waiting. @return 0; -EBUSY (p has a stream already).
 */
int cp_room_peer_attach(struct cp_room_peer *p, void *user);

/**
 * The oldest undelivered message for p, now the caller's (free() it).
 * @return its length; 0 when none (*msg NULL).
 */
size_t cp_room_peer_take(struct cp_room_peer *p, char **msg);

/** Counts, for /v1/rooms and the tests. */
unsigned cp_rooms_count(const struct cp_rooms *rs);
unsigned cp_rooms_peers(const struct cp_rooms *rs, const char *room);
unsigned cp_room_peer_queued(const struct cp_room_peer *p);

/** Call fn(name, peers, cls) for every room. */
void cp_rooms_foreach(const struct cp_rooms *rs,
		      void (*fn)(const char *name, unsigned peers, void *cls), void *cls);

#endif
