/*
 * tf_tls: the TLS server context of rtcgw-turnfront (OpenSSL): TLS 1.2 and
 * 1.3, the certificate chain and key from turn.tcp.certificate/private_key,
 * partial and moving writes (the connection's send buffer moves as it drains).
 */
#ifndef TF_TLS_H
#define TF_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

/**
 * Load cert (PEM chain) and key (PEM) into a new server context.
 * @return the context, or NULL with err saying which file and why.
 */
SSL_CTX *tf_tls_ctx(const char *cert, const char *key, char *err, size_t errlen);

#endif
