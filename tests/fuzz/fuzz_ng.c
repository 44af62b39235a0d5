/*
 * cp_ng + cp_calls: whole ng datagrams ("<cookie> <bencode>") through the
 * request parser, the retransmission cache and the call registry (with a
 * media function that echoes the SDP, so calls really are created, queried
 * and deleted). The reply must always be "<same cookie> <one dictionary>".
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cp_bencode.h"
#include "cp_calls.h"
#include "cp_ng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
echo_media(void *ctx, const struct cp_ng_req *req, bool is_answer, struct cp_bencode_buf *reply,
	   char *reason, size_t rlen)
{
	(void)ctx;
	(void)is_answer;
	(void)reason;
	(void)rlen;
	cp_bencode_put_cstr(reply, "sdp");
	cp_bencode_put_str(reply, req->sdp.p, req->sdp.len);
	return 0;
}

static uint64_t
fixed_clock(void)
{
	return 1700000000;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cp_calls *calls;
	static struct cp_ng *ng;
	static uint8_t out[CP_NG_MAX_DGRAM];
	static struct cp_bencode_node nodes[CP_NG_MAX_NODES + 64];
	static uint64_t now = 1;
	struct cp_bencode_doc d = { .nodes = nodes, .cap = CP_NG_MAX_NODES + 64 };
	const uint8_t *sp;
	size_t n;

	if (ng == NULL) {
		if (cp_calls_create(&calls, 64, echo_media, NULL, fixed_clock) != 0 ||
		    cp_ng_create(&ng, &cp_calls_ng_ops, calls, 1) != 0)
			abort();
		cp_ng_set_instance(ng, "0123456789abcdef");   /* loop-protect's check too */
	}
	if (size > CP_NG_MAX_DGRAM)
		return 0;
	now += 100;             /* entries expire as the run goes on */
	n = cp_ng_handle(ng, "p", 1, data, size, out, sizeof(out), now);
	if (n == 0)
		return 0;
	sp = memchr(out, ' ', n);
	if (sp == NULL || memcmp(out, data, (size_t)(sp - out) + 1) != 0)
		abort();
	if (cp_bencode_decode(&d, sp + 1, n - (size_t)(sp + 1 - out)) != 0 ||
	    nodes[0].type != CP_BENCODE_DICT ||
	    cp_bencode_dict_get(&d, 0, "result") == CP_BENCODE_NONE)
		abort();
	if (cp_calls_count(calls) > 64)
		abort();
	return 0;
}
