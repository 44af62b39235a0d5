/*
 * libFuzzer target for cp_sdp_frag_parse (RFC 8840 trickle-ice-sdpfrag, the
 * WHIP/WHEP PATCH body) and cp_sdp_cand_parse/encode: every parsed candidate
 * must encode and parse back to the same struct.
 * Seeds: tests/fuzz/corpus/sdpfrag/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cp_sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cp_sdp_frag f;
	char err[CP_SDP_ERR_LEN], buf[512];

	if (cp_sdp_frag_parse(&f, (const char *)data, size, err, sizeof(err)) != 0) {
		if (strnlen(err, sizeof(err)) == sizeof(err) || strncmp(err, "line ", 5) != 0)
			abort();
		return 0;
	}
	for (size_t i = 0; i < f.n_sections; i++)
		for (size_t k = 0; k < f.sections[i].n_cands; k++) {
			struct cp_sdp_cand c;
			const char *why;
			int n = cp_sdp_cand_encode(&f.sections[i].cands[k], buf, sizeof(buf));

			if (n < 0 || cp_sdp_cand_parse(&c, buf, (size_t)n, &why) != 0 ||
			    memcmp(&c, &f.sections[i].cands[k], sizeof(c)) != 0)
				abort();
		}
	return 0;
}
