/* Unit tests for dataplane/wire/ct.h: the word-at-a-time constant-time
 * compare against memcmp as the naive reference, and the wipe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ct.h"

#define MAXN 41   /* past five words and a tail, both offsets */

/* Every length 0..MAXN, at every alignment of either buffer, equal and
 * with each single bit flipped at every position: the answer is memcmp's. */
static void
test_equal_vs_memcmp(void **state)
{
	uint8_t a[MAXN + 8], b[MAXN + 8];
	unsigned checked = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)(i * 37 + 11);
	for (size_t oa = 0; oa < 8; oa += 3) {
		for (size_t ob = 0; ob < 8; ob += 5) {
			for (size_t n = 0; n <= MAXN; n++) {
				memcpy(b + ob, a + oa, n);
				assert_true(gw_ct_equal(a + oa, b + ob, n));
				for (size_t pos = 0; pos < n; pos++) {
					for (int bit = 0; bit < 8; bit++) {
						b[ob + pos] ^= (uint8_t)(1u << bit);
						assert_int_equal(gw_ct_equal(a + oa, b + ob, n),
								 memcmp(a + oa, b + ob, n) == 0);
						assert_false(gw_ct_equal(a + oa, b + ob, n));
						b[ob + pos] ^= (uint8_t)(1u << bit);
						checked++;
					}
				}
			}
		}
	}
	assert_int_equal(checked, 6u * 8u * (MAXN * (MAXN + 1) / 2));
}

/* A 20-byte MAC, as MESSAGE-INTEGRITY compares it: differences only in
 * the last four bytes (the tail after two words) are seen. */
static void
test_equal_mac_tail(void **state)
{
	uint8_t x[20], y[20];

	(void)state;
	memset(x, 0xa5, sizeof(x));
	memcpy(y, x, sizeof(y));
	y[19] = 0xa4;
	assert_false(gw_ct_equal(x, y, sizeof(x)));
	assert_true(gw_ct_equal(x, y, 19));
	y[19] = 0xa5;
	y[16] = 0x00;
	assert_false(gw_ct_equal(x, y, sizeof(x)));
}

static void
test_wipe(void **state)
{
	uint8_t buf[96], zero[96] = {0};

	(void)state;
	memset(buf, 0x5a, sizeof(buf));
	gw_wipe(buf + 8, 40);
	assert_memory_equal(buf + 8, zero, 40);
	assert_int_equal(buf[7], 0x5a);
	assert_int_equal(buf[48], 0x5a);
	gw_wipe(buf, 0);
	assert_int_equal(buf[0], 0x5a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_vs_memcmp),
		cmocka_unit_test(test_equal_mac_tail),
		cmocka_unit_test(test_wipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
