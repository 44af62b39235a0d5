/* libFuzzer target: the control plane's DTLS input path (cp_dtls.c's
 * datagram BIO into OpenSSL) as a passive endpoint sees it, and the SDP
 * fingerprint parser. Input: a fingerprint line up to the first '\n', then
 * datagrams, each a 2-byte big-endian length and its bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cp_dtls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cp_dtls_cert *cert;

static uint64_t
clock0(void *arg)
{
	(void)arg;
	return 1000;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct cp_dtls_env env = { .now_ms = clock0 };
	struct cp_dtls_cfg cfg = { .role = CP_DTLS_SERVER };
	const uint8_t *nl = memchr(data, '\n', size < 128 ? size : 128);
	char line[129];
	uint8_t fp[32], out[CP_DTLS_MAX_DGRAM];
	struct cp_dtls *d;
	size_t off;

	if (cert == NULL && cp_dtls_cert_create(&cert) != 0)
		abort();
	off = nl != NULL ? (size_t)(nl - data) : 0;
	memcpy(line, data, off);
	line[off] = '\0';
	(void)cp_dtls_fingerprint_parse(fp, line);
	if (nl != NULL)
		off++;
	/* the peer's fingerprint: our own (any is fine: the cert is never seen valid) */
	cfg.peer_fingerprint = cp_dtls_cert_fingerprint(cert);
	if (cp_dtls_create(&d, cert, &cfg, &env) != 0)
		abort();
	while (size - off >= 2) {
		size_t n = (size_t)data[off] << 8 | data[off + 1];

		off += 2;
		if (n > size - off)
			n = size - off;
		if (cp_dtls_input(d, data + off, n) == -ESHUTDOWN)
			break;
		off += n;
		while (cp_dtls_output(d, out, sizeof(out)) > 0)
			;
		(void)cp_dtls_tick(d);
	}
	cp_dtls_free(d);
	return 0;
}
