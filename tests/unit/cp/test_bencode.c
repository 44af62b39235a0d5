/* cp_bencode: numbered decode edge cases, accessors, encoder bounds. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cp_bencode.h"

#define NODES 64

static const struct {
	const char *in;
	int rc;                 /* expected decode result */
	const char *err;        /* substring of the reason, or NULL */
} dec_cases[] = {
	/*  1 */ { "i0e", 0, NULL },
	/*  2 */ { "i-1e", 0, NULL },
	/*  3 */ { "i9223372036854775807e", 0, NULL },
	/*  4 */ { "i-9223372036854775808e", 0, NULL },
	/*  5 */ { "i9223372036854775808e", -EBADMSG, "out of range" },
	/*  6 */ { "i-9223372036854775809e", -EBADMSG, "out of range" },
	/*  7 */ { "i-0e", -EBADMSG, "negative zero" },
	/*  8 */ { "i03e", -EBADMSG, "leading zero" },
	/*  9 */ { "ie", -EBADMSG, "expected a digit" },
	/* 10 */ { "i-e", -EBADMSG, "expected a digit" },
	/* 11 */ { "i1", -EBADMSG, "truncated" },
	/* 12 */ { "i1xe", -EBADMSG, "expected 'e'" },
	/* 13 */ { "0:", 0, NULL },
	/* 14 */ { "4:spam", 0, NULL },
	/* 15 */ { "5:spam", -EBADMSG, "runs past the end" },
	/* 16 */ { "04:spam", -EBADMSG, "leading zero" },
	/* 17 */ { "4spam", -EBADMSG, "expected ':'" },
	/* 18 */ { "99999999999999999999999:x", -EBADMSG, "out of range" },
	/* 19 */ { "le", 0, NULL },
	/* 20 */ { "de", 0, NULL },
	/* 21 */ { "l", -EBADMSG, "truncated list" },
	/* 22 */ { "d", -EBADMSG, "truncated dictionary" },
	/* 23 */ { "di1e1:ae", -EBADMSG, "key is not a string" },
	/* 24 */ { "d1:ae", -EBADMSG, "has no value" },
	/* 25 */ { "d1:a", -EBADMSG, "has no value" },
	/* 26 */ { "d1:ai1e1:ai2ee", -EBADMSG, "duplicate key 'a'" },
	/* 27 */ { "d1:bi1e1:ai2ee", 0, NULL },                 /* unsorted: accepted */
	/* 28 */ { "i1ei2e", -EBADMSG, "trailing" },
	/* 29 */ { "", -EBADMSG, "empty" },
	/* 30 */ { "x", -EBADMSG, "unexpected byte 0x78" },
	/* 31 */ { "l4:spami42ee", 0, NULL },
	/* 32 */ { "d3:bar4:spam3:fooi42ee", 0, NULL },
	/* 33 */ { "lllllllllllllllllllllllllllllllll"
		   "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", -E2BIG, "nested deeper" },   /* 33 levels */
	/* 34 */ { "lllllllllllllllllllllllllllllllleeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", 0, NULL },   /* 32 levels: the limit */
	/* 35 */ { "d1:ad1:ai1eee", 0, NULL },                  /* same key, other dict */
	/* 36 */ { "d2:abi1e1:ai2ee", 0, NULL },                 /* prefix keys differ */
	/* 37 */ { "i+1e", -EBADMSG, "expected a digit" },
	/* 38 */ { "-1:", -EBADMSG, "unexpected byte" },
	/* 39 */ { "d0:i1ee", 0, NULL },                        /* empty key */
	/* 40 */ { "d0:i1e0:i2ee", -EBADMSG, "duplicate key" },
};

static void
test_decode_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(dec_cases) / sizeof(dec_cases[0]); i++) {
		struct cp_bencode_node nodes[NODES];
		struct cp_bencode_doc d = { .nodes = nodes, .cap = NODES };
		int rc = cp_bencode_decode(&d, dec_cases[i].in, strlen(dec_cases[i].in));

		if (rc != dec_cases[i].rc)
			fail_msg("row %zu (%s): rc %d, want %d (%s)", i + 1, dec_cases[i].in, rc,
				 dec_cases[i].rc, d.err);
		if (dec_cases[i].err != NULL && strstr(d.err, dec_cases[i].err) == NULL)
			fail_msg("row %zu: reason '%s' lacks '%s'", i + 1, d.err, dec_cases[i].err);
		if (rc == 0) {
			/* Round trip: canonical input re-encodes byte for byte. */
			uint8_t out[256];
			struct cp_bencode_buf b;

			cp_bencode_buf_init(&b, out, sizeof(out));
			cp_bencode_put_node(&b, &d, 0);
			assert_int_equal(cp_bencode_buf_status(&b), 0);
			if (b.len != strlen(dec_cases[i].in) ||
			    memcmp(out, dec_cases[i].in, b.len) != 0)
				fail_msg("row %zu: re-encoded as %.*s", i + 1, (int)b.len, out);
		}
	}
}

static void
test_values(void **state)
{
	static const char in[] = "d7:command5:offer5:flagsl13:trust-address3:fooe"
				 "3:numi-42e4:zerod1:xi1eee";
	struct cp_bencode_node nodes[NODES];
	struct cp_bencode_doc d = { .nodes = nodes, .cap = NODES };
	uint32_t v, c;

	(void)state;
	assert_int_equal(cp_bencode_decode(&d, in, sizeof(in) - 1), 0);
	assert_int_equal(nodes[0].type, CP_BENCODE_DICT);
	assert_int_equal(nodes[0].count, 4);
	assert_false(d.unsorted);                      /* command < flags < num < zero */
	v = cp_bencode_dict_get(&d, 0, "command");
	assert_true(cp_bencode_str_eq(&d, v, "offer"));
	v = cp_bencode_dict_get(&d, 0, "num");
	assert_int_equal(nodes[v].type, CP_BENCODE_INT);
	assert_int_equal(nodes[v].i, -42);
	v = cp_bencode_dict_get(&d, 0, "flags");
	assert_int_equal(nodes[v].count, 2);
	c = cp_bencode_child(&d, v);
	assert_true(cp_bencode_str_eq(&d, c, "trust-address"));
	c = cp_bencode_next(&d, v, c);
	assert_true(cp_bencode_str_eq(&d, c, "foo"));
	assert_int_equal(cp_bencode_next(&d, v, c), CP_BENCODE_NONE);
	assert_int_equal(cp_bencode_dict_get(&d, 0, "missing"), CP_BENCODE_NONE);
	assert_int_equal(cp_bencode_dict_get(&d, 0, "comman"), CP_BENCODE_NONE);
	/* A key's lookup never matches a value string. */
	assert_int_equal(cp_bencode_dict_get(&d, 0, "offer"), CP_BENCODE_NONE);
	/* Not a dictionary. */
	assert_int_equal(cp_bencode_dict_get(&d, v, "x"), CP_BENCODE_NONE);
	v = cp_bencode_dict_get(&d, 0, "zero");
	assert_int_equal(nodes[cp_bencode_dict_get(&d, v, "x")].i, 1);
}

static void
test_sorted_flag(void **state)
{
	struct cp_bencode_node nodes[NODES];
	struct cp_bencode_doc d = { .nodes = nodes, .cap = NODES };

	(void)state;
	assert_int_equal(cp_bencode_decode(&d, "d1:ai1e1:bi2ee", 14), 0);
	assert_false(d.unsorted);
	assert_int_equal(cp_bencode_decode(&d, "d1:bi1e1:ai2ee", 14), 0);
	assert_true(d.unsorted);
}

static void
test_node_limit(void **state)
{
	struct cp_bencode_node nodes[4];
	struct cp_bencode_doc d = { .nodes = nodes, .cap = 4 };

	(void)state;
	assert_int_equal(cp_bencode_decode(&d, "li1ei2ei3ee", 11), 0);     /* 4 nodes */
	assert_int_equal(cp_bencode_decode(&d, "li1ei2ei3ei4ee", 14), -E2BIG);
	assert_non_null(strstr(d.err, "more than 4 items"));
	d.nodes = NULL;
	assert_int_equal(cp_bencode_decode(&d, "i1e", 3), -EINVAL);
}

static void
test_binary_strings(void **state)
{
	static const char in[] = "3:a\0b";
	struct cp_bencode_node nodes[2];
	struct cp_bencode_doc d = { .nodes = nodes, .cap = 2 };

	(void)state;
	assert_int_equal(cp_bencode_decode(&d, in, sizeof(in) - 1), 0);
	assert_int_equal(nodes[0].len, 3);
	assert_memory_equal(nodes[0].s, "a\0b", 3);
}

static void
test_encoder(void **state)
{
	uint8_t out[64];
	struct cp_bencode_buf b;

	(void)state;
	cp_bencode_buf_init(&b, out, sizeof(out));
	cp_bencode_put_raw(&b, "c1 ", 3);
	cp_bencode_dict_begin(&b);
	cp_bencode_put_cstr(&b, "result");
	cp_bencode_put_cstr(&b, "pong");
	cp_bencode_put_cstr(&b, "n");
	cp_bencode_put_int(&b, INT64_MIN);
	cp_bencode_put_cstr(&b, "l");
	cp_bencode_list_begin(&b);
	cp_bencode_end(&b);
	cp_bencode_end(&b);
	assert_int_equal(cp_bencode_buf_status(&b), 0);
	assert_int_equal(b.len, strlen("c1 d6:result4:pong1:ni-9223372036854775808e1:llee"));
	assert_memory_equal(out, "c1 d6:result4:pong1:ni-9223372036854775808e1:llee", b.len);

	/* Unbalanced: an open container, then one end too many. */
	cp_bencode_buf_init(&b, out, sizeof(out));
	cp_bencode_list_begin(&b);
	assert_int_equal(cp_bencode_buf_status(&b), -EINVAL);
	cp_bencode_end(&b);
	cp_bencode_end(&b);
	assert_int_equal(cp_bencode_buf_status(&b), -EINVAL);

	/* Overflow is sticky and nothing is written past cap. */
	memset(out, 0xaa, sizeof(out));
	cp_bencode_buf_init(&b, out, 8);
	cp_bencode_put_cstr(&b, "12345");       /* 7 bytes */
	cp_bencode_put_cstr(&b, "x");           /* 3 more: no room */
	cp_bencode_put_raw(&b, "e", 1);         /* would fit, but the error sticks */
	assert_int_equal(cp_bencode_buf_status(&b), -ENOSPC);
	assert_int_equal(b.len, 7);
	assert_int_equal(out[8], 0xaa);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_table),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_sorted_flag),
		cmocka_unit_test(test_node_limit),
		cmocka_unit_test(test_binary_strings),
		cmocka_unit_test(test_encoder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
