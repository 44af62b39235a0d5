#include "cp_room_rest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include "cp_api.h"
#include "cp_clock.h"
#include "cp_log.h"
#include "cp_room.h"
#include "cp_turn.h"
#include "ct.h"

#define PREFIX     "/v1/rooms"
#define CRED_TTL_S 3600
#define PROBE_MS   1000   /* how often a parked stream's socket is looked at */

/*
 * One open events stream. libmicrohttpd owns the connection and calls
 * sse_read for bytes; with nothing to send the stream suspends its
 * connection (no busy loop in our poll), and wake/keep-alive resume it.
 */
struct stream {
	TAILQ_ENTRY(stream) link;
	struct MHD_Connection *mc;
	struct cp_room_peer *peer;   /* NULL once the peer was removed */
	bool suspended;
	bool closing;                /* libmicrohttpd is freeing it */
	bool ka_due;
	bool dead;                   /* the client closed its end */
	uint64_t next_ka;
	char *out;                   /* bytes being written */
	size_t out_len, out_off;
};

TAILQ_HEAD(stream_list, stream);

static struct cp_app *app;
static struct cp_rooms *rooms;
static struct stream_list streams = TAILQ_HEAD_INITIALIZER(streams);
static uint64_t next_probe;

static void
stream_resume(struct stream *s)
{
	if (s->suspended && !s->closing) {
		s->suspended = false;
		MHD_resume_connection(s->mc);
	}
}

static void
on_wake(void *user)
{
	stream_resume(user);
}

/* The peer was removed (DELETE, or the rooms freed): end the stream. */
static void
on_gone(void *user)
{
	struct stream *s = user;

	s->peer = NULL;
	stream_resume(s);
}

static const struct cp_room_ops room_ops = { .wake = on_wake, .gone = on_gone };

int
cp_room_rest_init(struct cp_app *a)
{
	const struct cp_room_limits lim = {
		.max_rooms = CP_ROOM_MAX_ROOMS,
		.max_peers = CP_ROOM_MAX_PEERS,
		.max_queue = CP_ROOM_MAX_QUEUE,
		.max_msg = CP_ROOM_MAX_MSG,
		.attach_timeout_ms = CP_ROOM_ATTACH_MS,
	};

	app = a;
	return cp_rooms_create(&rooms, &lim, &room_ops);
}

void
cp_room_rest_fini(void)
{
	/* Every peer leaves: each attached stream resumes and ends with
	 * end-of-stream; libmicrohttpd frees them when the daemon stops. */
	cp_rooms_free(rooms);
	rooms = NULL;
}

/*
 * libmicrohttpd does not watch a suspended connection, so a client that went
 * away would only be found by the next keep-alive's failed write. An events
 * client never sends after its request: a readable socket with nothing to
 * read (FIN) or an error means it is gone, and its peer leaves now.
 */
static void
probe(struct stream *s)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(s->mc, MHD_CONNECTION_INFO_CONNECTION_FD);
	char b;
	ssize_t n;

	if (ci == NULL)
		return;
	n = recv(ci->connect_fd, &b, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
		s->dead = true;
		stream_resume(s);
	}
}

void
cp_room_rest_tick(uint64_t now)
{
	struct stream *s;
	bool probing = now >= next_probe;

	if (rooms == NULL)
		return;
	cp_rooms_tick(rooms, now);
	if (probing) {
		next_probe = now + PROBE_MS;
		TAILQ_FOREACH(s, &streams, link)
			if (s->suspended)
				probe(s);
	}
	/* A keep-alive comment every CP_ROOM_KEEPALIVE_MS: proxies keep the
	 * stream open, and a client gone is found by the failed write (a
	 * suspended connection sees nothing of the network). */
	TAILQ_FOREACH(s, &streams, link) {
		if (now >= s->next_ka) {
			s->next_ka = now + CP_ROOM_KEEPALIVE_MS;
			s->ka_due = true;
			stream_resume(s);
		}
	}
}

/* ---- the events stream --------------------------------------------------- */

static ssize_t
sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	size_t n;

	(void)pos;
	if (s->dead)
		return MHD_CONTENT_READER_END_WITH_ERROR;   /* closes the connection */
	if (s->out == NULL && s->peer != NULL) {
		char *m;
		size_t len = cp_room_peer_take(s->peer, &m);

		if (len > 0) {
			s->out = malloc(len + 9);
			if (s->out == NULL) {
				free(m);
				return MHD_CONTENT_READER_END_WITH_ERROR;
			}
			s->out_len = (size_t)snprintf(s->out, len + 9, "data: %s\n\n", m);
			s->out_off = 0;
			free(m);
		} else if (s->ka_due) {
			s->out = strdup(": keep-alive\n\n");
			if (s->out == NULL)
				return MHD_CONTENT_READER_END_WITH_ERROR;
			s->out_len = strlen(s->out);
			s->out_off = 0;
		}
		s->ka_due = false;
	}
	if (s->out != NULL) {
		n = s->out_len - s->out_off;
		if (n > max)
			n = max;
		memcpy(buf, s->out + s->out_off, n);
		s->out_off += n;
		if (s->out_off == s->out_len) {
			free(s->out);
			s->out = NULL;
		}
		return (ssize_t)n;
	}
	if (s->peer == NULL)
		return MHD_CONTENT_READER_END_OF_STREAM;
	/* Nothing to say: park the connection until wake or keep-alive. */
	s->suspended = true;
	MHD_suspend_connection(s->mc);
	return 0;
}

/* libmicrohttpd is done with the stream (the client went away, or the stream
 * ended): its peer, if still there, leaves the room. */
static void
sse_free(void *cls)
{
	struct stream *s = cls;

	s->closing = true;
	TAILQ_REMOVE(&streams, s, link);
	if (s->peer != NULL && rooms != NULL) {
		CP_INFO("rooms: peer %s left %s (stream closed)", cp_room_peer_id(s->peer),
			cp_room_peer_room(s->peer));
		cp_rooms_leave(rooms, s->peer);   /* on_gone(s): no resume while closing */
	}
	free(s->out);
	free(s);
}

/* ---- helpers ---------------------------------------------------------------- */

/* Split "/v1/rooms/ROOM/SUB[/ID]" into its parts (copied into the buffers).
 * @return the number of parts after PREFIX (0: /v1/rooms itself); -1 bad. */
static int
split(const char *path, char room[CP_ROOM_NAME_MAX + 1], char sub[16], char id[64])
{
	const char *p = path + strlen(PREFIX);
	const char *parts[3];
	size_t lens[3];
	int n = 0;

	room[0] = sub[0] = id[0] = '\0';
	if (*p == '\0')
		return 0;
	if (*p != '/')
		return -1;
	while (*p == '/' && n < 3) {
		const char *e = strchr(p + 1, '/');
		size_t len = e ? (size_t)(e - p - 1) : strlen(p + 1);

		parts[n] = p + 1;
		lens[n++] = len;
		p += 1 + len;
	}
	if (*p != '\0' || lens[0] == 0 || lens[0] > CP_ROOM_NAME_MAX ||
	    (n > 1 && lens[1] >= 16) || (n > 2 && lens[2] >= 64))
		return -1;
	memcpy(room, parts[0], lens[0]);
	room[lens[0]] = '\0';
	if (n > 1) {
		memcpy(sub, parts[1], lens[1]);
		sub[lens[1]] = '\0';
	}
	if (n > 2) {
		memcpy(id, parts[2], lens[2]);
		id[lens[2]] = '\0';
	}
	return n;
}

/* The ICE servers a peer should use: rtcgw's TURN (REST credentials signed
 * as for the WHIP Link headers) when enabled, else its STUN. */
static json_t *
ice_servers(const char *user)
{
	const struct gw_config *c = app->conf;
	json_t *list = json_array(), *urls = json_array();
	char name[64], pass[GW_TURN_REST_PASS_SIZE];
	bool turn = c->turn.enabled &&
		    cp_turn_rest_credential(c, user, CRED_TTL_S, name, sizeof(name), pass) == 0;

	if (list == NULL || urls == NULL)
		goto fail;
	for (unsigned i = 0; i < c->dataplane.n_ports; i++) {
		struct in_addr ia = { .s_addr = htonl(c->dataplane.ports[i].address.addr) };
		char ip[INET_ADDRSTRLEN], url[96];

		if (inet_ntop(AF_INET, &ia, ip, sizeof(ip)) == NULL)
			continue;
		snprintf(url, sizeof(url), turn ? "turn:%s:%u?transport=udp" : "stun:%s:%u", ip,
			 c->stun.port);
		json_array_append_new(urls, json_string(url));
	}
	if (json_array_size(urls) > 0 && (turn || c->stun.enabled)) {
		json_t *srv = json_pack("{s:O}", "urls", urls);

		if (srv != NULL && turn) {
			json_object_set_new(srv, "username", json_string(name));
			json_object_set_new(srv, "credential", json_string(pass));
		}
		json_array_append_new(list, srv);
	}
	if (turn)
		gw_wipe(pass, sizeof(pass));
	json_decref(urls);
	return list;
fail:
	json_decref(list);
	json_decref(urls);
	return NULL;
}

static enum MHD_Result
join(const struct cp_rest_req *r, const char *room)
{
	struct cp_room_peer *p;
	const char *others[CP_ROOM_MAX_PEERS];
	unsigned n;
	char events[256];
	json_t *doc, *ids;
	int rc = cp_rooms_join(rooms, room, cp_mono_ms(), &p);

	if (rc == -EINVAL)
		return cp_rest_reply_error(r, 400, "bad room name (1-%d of A-Z a-z 0-9 _ - .)",
					   CP_ROOM_NAME_MAX);
	if (rc == -ENOSPC)
		return cp_rest_reply_error(r, 429, "too many rooms (at most %d)",
					   CP_ROOM_MAX_ROOMS);
	if (rc == -EMLINK)
		return cp_rest_reply_error(r, 409, "room %s is full (at most %d peers)", room,
					   CP_ROOM_MAX_PEERS);
	if (rc != 0)
		return cp_rest_reply_error(r, 500, "cannot join: %s", strerror(-rc));
	n = cp_room_peer_others(p, others, CP_ROOM_MAX_PEERS);
	ids = json_array();
	for (unsigned i = 0; ids != NULL && i < n; i++)
		json_array_append_new(ids, json_string(others[i]));
	snprintf(events, sizeof(events), PREFIX "/%s/events?peer=%s&key=%s", room,
		 cp_room_peer_id(p), cp_room_peer_key(p));
	doc = json_pack("{s:s,s:s,s:s,s:o,s:s,s:o}", "room", room, "peer", cp_room_peer_id(p),
			"key", cp_room_peer_key(p), "peers", ids, "events", events,
			"iceServers", ice_servers(cp_room_peer_id(p)));
	if (doc == NULL) {
		cp_rooms_leave(rooms, p);
		return cp_rest_reply_error(r, 500, "out of memory");
	}
	CP_INFO("rooms: peer %s joined %s (%u other(s))", cp_room_peer_id(p), room, n);
	return cp_rest_reply_json(r, 201, doc);
}

static enum MHD_Result
message(const struct cp_rest_req *r, const char *room)
{
	json_error_t e;
	json_t *doc;
	const char *from, *to, *type;
	char *text;
	int rc;

	if (r->body_len > CP_ROOM_MAX_MSG)
		return cp_rest_reply_error(r, 413, "message larger than %d bytes", CP_ROOM_MAX_MSG);
	doc = r->body ? json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &e) : NULL;
	if (doc == NULL || !json_is_object(doc)) {
		json_decref(doc);
		return cp_rest_reply_error(r, 400, "body is not a JSON object%s%s",
					   r->body ? ": " : "", r->body ? e.text : "");
	}
	from = json_string_value(json_object_get(doc, "from"));
	to = json_string_value(json_object_get(doc, "to"));
	type = json_string_value(json_object_get(doc, "type"));
	if (from == NULL || to == NULL || type == NULL) {
		json_decref(doc);
		return cp_rest_reply_error(r, 400, "\"from\", \"to\" and \"type\" (strings) required");
	}
	if (!cp_rooms_has(rooms, room)) {
		json_decref(doc);
		return cp_rest_reply_error(r, 404, "no such room: %s", room);
	}
	/* Compact: one line, so one SSE data: field carries it. */
	text = json_dumps(doc, JSON_COMPACT);
	rc = text ? cp_rooms_send(rooms, room, from, to, text, strlen(text)) : -ENOMEM;
	free(text);
	json_decref(doc);
	switch (rc) {
	case 0:
		return cp_rest_reply_json(r, 202, json_pack("{s:b}", "queued", 1));
	case -ENOENT:
		return cp_rest_reply_error(r, 404, "no such peer in room %s (from or to)", room);
	case -EINVAL:
		return cp_rest_reply_error(r, 400, "a peer cannot message itself");
	case -EMSGSIZE:
		return cp_rest_reply_error(r, 413, "message larger than %d bytes", CP_ROOM_MAX_MSG);
	case -ENOBUFS:
		return cp_rest_reply_error(r, 429, "the peer's queue is full (%d undelivered "
					   "messages): is its events stream open?", CP_ROOM_MAX_QUEUE);
	default:
		return cp_rest_reply_error(r, 500, "out of memory");
	}
}

enum MHD_Result
cp_room_rest_post(void *ctx, const struct cp_rest_req *r)
{
	char room[CP_ROOM_NAME_MAX + 1], sub[16], id[64];
	int n = split(r->path, room, sub, id);

	(void)ctx;
	if (n == 2 && strcmp(sub, "peers") == 0)
		return join(r, room);
	if (n == 2 && strcmp(sub, "messages") == 0)
		return message(r, room);
	return cp_rest_reply_error(r, 404, "no such resource: %s", r->path);
}

enum MHD_Result
cp_room_rest_delete(void *ctx, const struct cp_rest_req *r)
{
	char room[CP_ROOM_NAME_MAX + 1], sub[16], id[64];
	int n = split(r->path, room, sub, id);
	struct cp_room_peer *p;

	(void)ctx;
	if (n != 3 || strcmp(sub, "peers") != 0)
		return cp_rest_reply_error(r, 404, "no such resource: %s", r->path);
	p = cp_rooms_find(rooms, room, id);
	if (p == NULL)
		return cp_rest_reply_error(r, 404, "no peer %s in room %s", id, room);
	CP_INFO("rooms: peer %s left %s (DELETE)", id, room);
	cp_rooms_leave(rooms, p);
	return cp_rest_reply_json(r, 200, json_pack("{s:s}", "left", id));
}

static void
list_one(const char *name, unsigned peers, void *cls)
{
	json_array_append_new(cls, json_pack("{s:s,s:i}", "name", name, "peers", (int)peers));
}

static enum MHD_Result
events(const struct cp_rest_req *r, const char *room)
{
	static const char *const hdrs[] = {
		"Cache-Control", "no-store",
		"X-Accel-Buffering", "no",   /* a reverse proxy must not buffer it */
		"Connection", "close",       /* one stream per connection */
		NULL,
	};
	const char *peer = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "peer");
	const char *key = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "key");
	struct cp_room_peer *p;
	struct MHD_Response *resp;
	struct stream *s;
	enum MHD_Result ret;

	if (!r->authorized && key == NULL)
		return cp_rest_reply_error(r, 401, "missing credentials: ?key=<the join's key> "
					   "or Authorization: Bearer <token>");
	if (!cp_rooms_has(rooms, room))
		return cp_rest_reply_error(r, 404, "no such room: %s", room);
	p = peer ? cp_rooms_find(rooms, room, peer) : NULL;
	if (p == NULL)
		return cp_rest_reply_error(r, 404, "no such peer in room %s", room);
	if (!r->authorized && (strlen(key) != CP_ROOM_KEY_LEN ||
			       !gw_ct_equal(key, cp_room_peer_key(p), CP_ROOM_KEY_LEN)))
		return cp_rest_reply_error(r, 401, "wrong key for peer %s", peer);
	/* HEAD: the headers only, no stream (ending one would remove the peer). */
	if (strcmp(r->method, MHD_HTTP_METHOD_HEAD) == 0)
		return cp_rest_reply_text(r, 200, "text/event-stream", "", 0);
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return cp_rest_reply_error(r, 500, "out of memory");
	if (cp_room_peer_attach(p, s) != 0) {
		free(s);
		return cp_rest_reply_error(r, 409, "peer %s has an events stream already", peer);
	}
	s->mc = r->conn;
	s->peer = p;
	s->next_ka = cp_mono_ms() + CP_ROOM_KEEPALIVE_MS;
	/* A first comment: the client's EventSource opens at once. */
	s->out = strdup(": rtcgw signalling relay\n\n");
	s->out_len = s->out ? strlen(s->out) : 0;
	TAILQ_INSERT_TAIL(&streams, s, link);
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, sse_read, s, sse_free);
	if (resp == NULL) {
		sse_free(s);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	for (size_t i = 0; hdrs[i] != NULL; i += 2)
		MHD_add_response_header(resp, hdrs[i], hdrs[i + 1]);
	cp_rest_req_stream(r);
	ret = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);   /* freed (sse_free) when the stream ends */
	CP_INFO("rooms: peer %s of %s opened its events stream", peer, room);
	return ret;
}

enum MHD_Result
cp_room_rest_get(void *ctx, const struct cp_rest_req *r)
{
	char room[CP_ROOM_NAME_MAX + 1], sub[16], id[64];
	int n = split(r->path, room, sub, id);
	json_t *list;

	(void)ctx;
	if (n == 2 && strcmp(sub, "events") == 0)
		return events(r, room);
	if (!r->authorized)    /* own_auth route: only the stream goes without the token */
		return cp_rest_reply_error(r, 401, "missing bearer token (Authorization: Bearer "
					   "<token>)");
	if (n != 0)
		return cp_rest_reply_error(r, 404, "no such resource: %s", r->path);
	list = json_array();
	if (list != NULL)
		cp_rooms_foreach(rooms, list_one, list);
	return cp_rest_reply_json(r, 200, json_pack("{s:o}", "rooms", list));
}
