/*
 * libFuzzer target for cp_sdes_parse (RFC 4568 a=crypto key parameters):
 * input "<suite> <key-params>"; every parsed key must encode and parse back
 * to the same key. Seeds: tests/fuzz/corpus/sdes/.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cp_sdes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[512], why[128], out[256];
	struct cp_sdes_key k, back;
	char *sp;
	int n;

	if (size >= sizeof(in))
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (strlen(in) != size || (sp = strchr(in, ' ')) == NULL)
		return 0;
	*sp = '\0';
	if (cp_sdes_parse(&k, in, sp + 1, why, sizeof(why)) != 0) {
		if (strnlen(why, sizeof(why)) == 0)
			abort();
		return 0;
	}
	n = cp_sdes_encode(&k, out, sizeof(out));
	if (n <= 0 || cp_sdes_parse(&back, in, out, why, sizeof(why)) != 0 ||
	    memcmp(back.key, k.key, sizeof(k.key)) != 0 ||
	    memcmp(back.salt, k.salt, k.salt_len) != 0 || back.lifetime != k.lifetime ||
	    back.mki != k.mki || back.mki_len != k.mki_len)
		abort();
	return 0;
}
