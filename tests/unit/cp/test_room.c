/* cp_room: the signalling relay's bookkeeping (rooms, peers, queues, limits). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cp_room.h"

/* What the stream owner heard: one slot per fake stream. */
struct fake {
	int wakes;
	int gone;
};

static void
on_wake(void *user)
{
	((struct fake *)user)->wakes++;
}

static void
on_gone(void *user)
{
	((struct fake *)user)->gone++;
}

static const struct cp_room_ops ops = { .wake = on_wake, .gone = on_gone };

static struct cp_rooms *
make(unsigned rooms, unsigned peers, unsigned queue, size_t msg)
{
	const struct cp_room_limits lim = {
		.max_rooms = rooms, .max_peers = peers, .max_queue = queue, .max_msg = msg,
		.attach_timeout_ms = 1000,
	};
	struct cp_rooms *rs = NULL;

	assert_int_equal(cp_rooms_create(&rs, &lim, &ops), 0);
	return rs;
}

/* Take the next message for p as a string (NULL: none); caller frees. */
static char *
next(struct cp_room_peer *p)
{
	char *m;

	(void)cp_room_peer_take(p, &m);
	return m;
}

static void
expect_msg(struct cp_room_peer *p, const char *want)
{
	char *m = next(p);

	assert_non_null(m);
	assert_string_equal(m, want);
	free(m);
}

static void
test_names(void **state)
{
	char longname[CP_ROOM_NAME_MAX + 2];

	(void)state;
	assert_true(cp_room_name_ok("demo"));
	assert_true(cp_room_name_ok("a.b_c-9"));
	assert_false(cp_room_name_ok(""));
	assert_false(cp_room_name_ok("a/b"));
	assert_false(cp_room_name_ok("a b"));
	assert_false(cp_room_name_ok("caf\xc3\xa9"));
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_false(cp_room_name_ok(longname));
	longname[CP_ROOM_NAME_MAX] = '\0';
	assert_true(cp_room_name_ok(longname));
}

static void
test_create_limits(void **state)
{
	const struct cp_room_limits zero = { .max_rooms = 1, .max_peers = 1, .max_queue = 0,
					     .max_msg = 1 };
	struct cp_rooms *rs = NULL;

	(void)state;
	assert_int_equal(cp_rooms_create(&rs, &zero, &ops), -EINVAL);
	cp_rooms_free(NULL);
}

/* Join: ids and keys of the right shape, unique; the room appears, the
 * others are told; a message goes to the addressed peer only. */
static void
test_join_and_fanout(void **state)
{
	struct cp_rooms *rs = make(4, 4, 8, 256);
	struct cp_room_peer *a, *b, *c;
	struct fake fa = { 0 }, fb = { 0 }, fc = { 0 };
	const char *ids[4];
	char want[128];

	(void)state;
	assert_false(cp_rooms_has(rs, "r"));
	assert_int_equal(cp_rooms_join(rs, "r", 0, &a), 0);
	assert_int_equal(strlen(cp_room_peer_id(a)), CP_ROOM_ID_LEN);
	assert_int_equal(strlen(cp_room_peer_key(a)), CP_ROOM_KEY_LEN);
	assert_string_equal(cp_room_peer_room(a), "r");
	assert_true(cp_rooms_has(rs, "r"));
	assert_int_equal(cp_room_peer_attach(a, &fa), 0);
	assert_int_equal(cp_room_peer_attach(a, &fb), -EBUSY);
	assert_int_equal(cp_room_peer_others(a, ids, 4), 0);

	assert_int_equal(cp_rooms_join(rs, "r", 0, &b), 0);
	assert_string_not_equal(cp_room_peer_id(a), cp_room_peer_id(b));
	assert_string_not_equal(cp_room_peer_key(a), cp_room_peer_key(b));
	assert_int_equal(cp_room_peer_others(b, ids, 4), 1);
	assert_string_equal(ids[0], cp_room_peer_id(a));
	/* a was told (and woken), b hears nothing of itself */
	assert_int_equal(fa.wakes, 1);
	snprintf(want, sizeof(want), "{\"type\":\"join\",\"from\":\"%s\"}", cp_room_peer_id(b));
	expect_msg(a, want);
	assert_null(next(a));
	assert_null(next(b));

	assert_int_equal(cp_rooms_join(rs, "r", 0, &c), 0);
	assert_int_equal(cp_room_peer_attach(c, &fc), 0);
	free(next(a));
	free(next(b));
	assert_int_equal(cp_room_peer_queued(a), 0);

	/* b -> c: only c gets it, and is woken; a gets nothing */
	assert_int_equal(cp_rooms_send(rs, "r", cp_room_peer_id(b), cp_room_peer_id(c),
				       "{\"x\":1}", 7), 0);
	assert_int_equal(fc.wakes, 1);
	assert_int_equal(fa.wakes, 2);          /* only c's join earlier */
	assert_null(next(a));
	assert_null(next(b));
	expect_msg(c, "{\"x\":1}");
	/* queued before attach: wake when attached? b attaches now, has none */
	assert_int_equal(cp_rooms_send(rs, "r", cp_room_peer_id(c), cp_room_peer_id(b),
				       "m1", 2), 0);
	assert_int_equal(cp_rooms_send(rs, "r", cp_room_peer_id(a), cp_room_peer_id(b),
				       "m2", 2), 0);
	assert_int_equal(fb.wakes, 0);
	assert_int_equal(cp_room_peer_attach(b, &fb), 0);
	expect_msg(b, "m1");                    /* in order */
	expect_msg(b, "m2");
	assert_int_equal(cp_rooms_peers(rs, "r"), 3);
	assert_int_equal(cp_rooms_count(rs), 1);
	cp_rooms_free(rs);
	/* freeing ended every attached stream once */
	assert_int_equal(fa.gone, 1);
	assert_int_equal(fb.gone, 1);
	assert_int_equal(fc.gone, 1);
}

/* Unknown room or peer, self-messages. */
static void
test_send_errors(void **state)
{
	struct cp_rooms *rs = make(4, 4, 8, 256);
	struct cp_room_peer *a, *b, *o;
	const char *ia, *ib;

	(void)state;
	assert_int_equal(cp_rooms_join(rs, "r", 0, &a), 0);
	assert_int_equal(cp_rooms_join(rs, "r", 0, &b), 0);
	assert_int_equal(cp_rooms_join(rs, "other", 0, &o), 0);
	ia = cp_room_peer_id(a);
	ib = cp_room_peer_id(b);
	assert_int_equal(cp_rooms_send(rs, "nope", ia, ib, "x", 1), -ENOENT);
	assert_int_equal(cp_rooms_send(rs, "r", "0000000000000000", ib, "x", 1), -ENOENT);
	assert_int_equal(cp_rooms_send(rs, "r", ia, "0000000000000000", "x", 1), -ENOENT);
	/* a peer of another room is unknown here, both ways */
	assert_int_equal(cp_rooms_send(rs, "r", ia, cp_room_peer_id(o), "x", 1), -ENOENT);
	assert_int_equal(cp_rooms_send(rs, "other", cp_room_peer_id(o), ia, "x", 1), -ENOENT);
	assert_int_equal(cp_rooms_send(rs, "r", ia, ia, "x", 1), -EINVAL);
	assert_null(cp_rooms_find(rs, "r", cp_room_peer_id(o)));
	assert_ptr_equal(cp_rooms_find(rs, "r", ib), b);
	assert_null(cp_rooms_find(rs, "nope", ib));
	cp_rooms_free(rs);
}

/* Every bound: rooms, peers per room, queue per peer, message size. */
static void
test_limits(void **state)
{
	struct cp_rooms *rs = make(2, 2, 3, 8);
	struct cp_room_peer *a, *b, *p;
	const char *ia, *ib;

	(void)state;
	assert_int_equal(cp_rooms_join(rs, "bad/name", 0, &p), -EINVAL);
	assert_int_equal(cp_rooms_join(rs, "r1", 0, &a), 0);
	assert_int_equal(cp_rooms_join(rs, "r1", 0, &b), 0);
	assert_int_equal(cp_rooms_join(rs, "r1", 0, &p), -EMLINK);
	assert_int_equal(cp_rooms_peers(rs, "r1"), 2);
	assert_int_equal(cp_rooms_join(rs, "r2", 0, &p), 0);
	assert_int_equal(cp_rooms_join(rs, "r3", 0, &p), -ENOSPC);
	assert_false(cp_rooms_has(rs, "r3"));   /* a refused room leaves nothing */
	assert_int_equal(cp_rooms_count(rs), 2);

	ia = cp_room_peer_id(a);
	ib = cp_room_peer_id(b);
	free(next(a));                          /* b's join notice */
	assert_int_equal(cp_rooms_send(rs, "r1", ib, ia, "123456789", 9), -EMSGSIZE);
	assert_int_equal(cp_rooms_send(rs, "r1", ib, ia, "12345678", 8), 0);
	assert_int_equal(cp_rooms_send(rs, "r1", ib, ia, "2", 1), 0);
	assert_int_equal(cp_rooms_send(rs, "r1", ib, ia, "3", 1), 0);
	assert_int_equal(cp_rooms_send(rs, "r1", ib, ia, "4", 1), -ENOBUFS);
	assert_int_equal(cp_room_peer_queued(a), 3);
	expect_msg(a, "12345678");              /* draining makes room again */
	assert_int_equal(cp_rooms_send(rs, "r1", ib, ia, "4", 1), 0);
	expect_msg(a, "2");
	expect_msg(a, "3");
	expect_msg(a, "4");
	assert_null(next(a));
	cp_rooms_free(rs);
}

/* Leaving tells the others, ends the leaver's stream, frees an empty room;
 * a new room fits again afterwards. */
static void
test_leave(void **state)
{
	struct cp_rooms *rs = make(1, 4, 8, 256);
	struct cp_room_peer *a, *b, *p;
	struct fake fa = { 0 }, fb = { 0 };
	char want[128], ib[CP_ROOM_ID_LEN + 1];

	(void)state;
	assert_int_equal(cp_rooms_join(rs, "r", 0, &a), 0);
	assert_int_equal(cp_rooms_join(rs, "r", 0, &b), 0);
	assert_int_equal(cp_room_peer_attach(a, &fa), 0);
	assert_int_equal(cp_room_peer_attach(b, &fb), 0);
	free(next(a));
	snprintf(ib, sizeof(ib), "%s", cp_room_peer_id(b));
	/* undelivered messages of the leaver go with it */
	assert_int_equal(cp_rooms_send(rs, "r", cp_room_peer_id(a), ib, "x", 1), 0);
	cp_rooms_leave(rs, b);
	assert_int_equal(fb.gone, 1);
	assert_int_equal(fa.gone, 0);
	snprintf(want, sizeof(want), "{\"type\":\"leave\",\"from\":\"%s\"}", ib);
	expect_msg(a, want);
	assert_null(cp_rooms_find(rs, "r", ib));
	assert_int_equal(cp_rooms_send(rs, "r", cp_room_peer_id(a), ib, "x", 1), -ENOENT);
	assert_int_equal(cp_rooms_peers(rs, "r"), 1);
	cp_rooms_leave(rs, a);
	assert_int_equal(fa.gone, 1);
	assert_false(cp_rooms_has(rs, "r"));
	assert_int_equal(cp_rooms_count(rs), 0);
	assert_int_equal(cp_rooms_join(rs, "s", 0, &p), 0);  /* max_rooms 1: free again */
	cp_rooms_free(rs);
}

/* A peer that never opens its stream is removed after attach_timeout_ms;
 * an attached one stays. */
static void
test_attach_timeout(void **state)
{
	struct cp_rooms *rs = make(4, 4, 8, 256);
	struct cp_room_peer *a, *b, *c;
	struct fake fa = { 0 };
	char want[128];

	(void)state;
	assert_int_equal(cp_rooms_join(rs, "r", 100, &a), 0);
	assert_int_equal(cp_rooms_join(rs, "r", 500, &b), 0);
	assert_int_equal(cp_rooms_join(rs, "lonely", 100, &c), 0);
	assert_int_equal(cp_room_peer_attach(a, &fa), 0);
	free(next(a));
	cp_rooms_tick(rs, 1099);
	assert_int_equal(cp_rooms_peers(rs, "r"), 2);
	assert_true(cp_rooms_has(rs, "lonely"));
	cp_rooms_tick(rs, 1100);                /* c: 1000 ms without a stream */
	assert_false(cp_rooms_has(rs, "lonely"));
	assert_int_equal(cp_rooms_peers(rs, "r"), 2);
	snprintf(want, sizeof(want), "{\"type\":\"leave\",\"from\":\"%s\"}", cp_room_peer_id(b));
	cp_rooms_tick(rs, 1500);                /* b */
	expect_msg(a, want);
	assert_int_equal(cp_rooms_peers(rs, "r"), 1);
	cp_rooms_tick(rs, 100000);              /* a has its stream: stays */
	assert_int_equal(cp_rooms_peers(rs, "r"), 1);
	assert_int_equal(fa.gone, 0);
	cp_rooms_free(rs);
	assert_int_equal(fa.gone, 1);
}

/* A full queue loses the join/leave notice, not the join. */
static void
test_notice_full_queue(void **state)
{
	struct cp_rooms *rs = make(4, 4, 1, 256);
	struct cp_room_peer *a, *b, *c;

	(void)state;
	assert_int_equal(cp_rooms_join(rs, "r", 0, &a), 0);
	assert_int_equal(cp_rooms_join(rs, "r", 0, &b), 0);   /* a's queue: full now */
	assert_int_equal(cp_rooms_join(rs, "r", 0, &c), 0);
	assert_int_equal(cp_room_peer_queued(a), 1);
	assert_int_equal(cp_rooms_peers(rs, "r"), 3);
	cp_rooms_free(rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_create_limits),
		cmocka_unit_test(test_join_and_fanout),
		cmocka_unit_test(test_send_errors),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_leave),
		cmocka_unit_test(test_attach_timeout),
		cmocka_unit_test(test_notice_full_queue),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
