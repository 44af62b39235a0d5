#include "ct.h"

#include <openssl/crypto.h>

bool
gw_ct_equal(const void *a, const void *b, size_t n)
{
	/* OpenSSL's CRYPTO_memcmp is the audited constant-time compare. */
	return CRYPTO_memcmp(a, b, n) == 0;
}

void
gw_wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}
