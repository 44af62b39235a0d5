#include "tf_tls.h"

#include <stdio.h>

#include <openssl/err.h>

/* The first queued OpenSSL error as text (or "unknown"). */
static const char *
ssl_why(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();

	if (e == 0)
		return "unknown error";
	ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

SSL_CTX *
tf_tls_ctx(const char *cert, const char *key, char *err, size_t errlen)
{
	char why[256];
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL) {
		snprintf(err, errlen, "TLS context: %s", ssl_why(why, sizeof(why)));
		return NULL;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
		goto fail_ctx;
	/* SSL_write may send part of a record batch and be called again with
	 * the rest from a moved buffer (the send buffer compacts) */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
			      SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		snprintf(err, errlen, "turn.tcp.certificate %s: %s", cert,
			 ssl_why(why, sizeof(why)));
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		snprintf(err, errlen, "turn.tcp.private_key %s: %s", key,
			 ssl_why(why, sizeof(why)));
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "turn.tcp.private_key %s does not match the certificate "
			 "%s: %s", key, cert, ssl_why(why, sizeof(why)));
		goto fail;
	}
	return ctx;
fail_ctx:
	snprintf(err, errlen, "TLS context: %s", ssl_why(why, sizeof(why)));
fail:
	SSL_CTX_free(ctx);
	return NULL;
}
