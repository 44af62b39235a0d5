/*
 * cp_bencode: decode -> encode -> decode must be stable. Whatever decodes
 * re-encodes to exactly the input (the decoder accepts canonical integers
 * and lengths only and keeps key order), and that decodes again to the same
 * node structure.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cp_bencode.h"

#define NODES 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cp_bencode_node n1[NODES], n2[NODES];
	static uint8_t out[70000];
	struct cp_bencode_doc d1 = { .nodes = n1, .cap = NODES };
	struct cp_bencode_doc d2 = { .nodes = n2, .cap = NODES };
	struct cp_bencode_buf b;

	if (size > 65536)
		return 0;
	if (cp_bencode_decode(&d1, data, size) != 0) {
		if (d1.err[0] == '\0')
			abort();                    /* every refusal says why */
		return 0;
	}
	cp_bencode_buf_init(&b, out, sizeof(out));
	cp_bencode_put_node(&b, &d1, 0);
	if (cp_bencode_buf_status(&b) != 0 || b.len != size || memcmp(out, data, size) != 0)
		abort();
	if (cp_bencode_decode(&d2, out, b.len) != 0 || d2.n != d1.n || d2.unsorted != d1.unsorted)
		abort();
	for (uint32_t i = 0; i < d1.n; i++) {
		if (n1[i].type != n2[i].type || n1[i].end != n2[i].end ||
		    n1[i].count != n2[i].count || n1[i].i != n2[i].i || n1[i].len != n2[i].len)
			abort();
		if (n1[i].type == CP_BENCODE_STR && memcmp(n1[i].s, n2[i].s, n1[i].len) != 0)
			abort();
	}
	/* A buffer one byte short must fail cleanly, never write past its end. */
	if (b.len > 0) {
		cp_bencode_buf_init(&b, out, size - 1);
		cp_bencode_put_node(&b, &d1, 0);
		if (cp_bencode_buf_status(&b) != -ENOSPC)
			abort();
	}
	return 0;
}
