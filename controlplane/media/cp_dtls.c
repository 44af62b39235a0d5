/* DTLS-SRTP endpoints on OpenSSL 3 with a datagram BIO; see cp_dtls.h. */
#include "cp_dtls.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "ct.h"

#define EXPORT_LABEL "EXTRACTOR-dtls_srtp"     /* RFC 5764 §4.2 */
#define OFFER_BOTH   "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"

struct cp_dtls_cert {
	SSL_CTX *ctx;
	char fp[CP_DTLS_FP_LEN];
};

struct dgram {
	uint16_t len;
	uint8_t b[CP_DTLS_MAX_DGRAM];
};

struct cp_dtls {
	SSL *ssl;
	struct cp_dtls_env env;
	enum cp_dtls_role role;
	enum cp_dtls_state state;
	uint8_t peer_fp[32];
	bool fp_mismatch;
	bool started;
	bool restarted;                 /* cfg.restarted, server role */
	bool hello_seen;                /* a ClientHello came in */
	bool have_alert, alert_received;
	uint8_t alert_desc;
	uint64_t deadline;              /* injected clock; 0: no timer */
	const uint8_t *in;              /* the datagram being fed, one BIO read */
	size_t in_len;
	unsigned q_head, q_n;           /* output queue */
	uint32_t q_drops;
	struct dgram q[CP_DTLS_OUTQ];
};

static int ex_idx = -1;                 /* SSL ex_data slot: the cp_dtls */
static BIO_METHOD *bio_meth;

/* ---- the datagram BIO -------------------------------------------------- */

/* A datagram for the output queue (1 <= n <= CP_DTLS_MAX_DGRAM). */
static void
enqueue(struct cp_dtls *d, const void *p, size_t n)
{
	struct dgram *g;

	if (d->q_n == CP_DTLS_OUTQ) {   /* like a full socket buffer: the datagram is lost */
		d->q_drops++;
		return;
	}
	g = &d->q[(d->q_head + d->q_n) % CP_DTLS_OUTQ];
	memcpy(g->b, p, n);
	g->len = (uint16_t)n;
	d->q_n++;
}

static int
bio_write(BIO *b, const char *p, int n)
{
	BIO_clear_retry_flags(b);
	if (n <= 0 || n > CP_DTLS_MAX_DGRAM)
		return -1;
	enqueue(BIO_get_data(b), p, (size_t)n);
	return n;
}

static int
bio_read(BIO *b, char *p, int n)
{
	struct cp_dtls *d = BIO_get_data(b);
	size_t k;

	BIO_clear_retry_flags(b);
	if (d->in == NULL) {
		BIO_set_retry_read(b);
		return -1;
	}
	/* One datagram per read; a short buffer truncates it, as recv() would. */
	k = d->in_len < (size_t)n ? d->in_len : (size_t)n;
	memcpy(p, d->in, k);
	d->in = NULL;
	d->in_len = 0;
	return (int)k;
}

static long
bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	struct cp_dtls *d = BIO_get_data(b);

	(void)num;
	(void)ptr;
	switch (cmd) {
	case BIO_CTRL_FLUSH:
		return 1;
	case BIO_CTRL_PENDING:
		return d != NULL && d->in != NULL ? (long)d->in_len : 0;
	case BIO_CTRL_WPENDING:
		return 0;
	case BIO_CTRL_DGRAM_QUERY_MTU:
	case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
		return 0;
	default:
		return 0;
	}
}

static int
bio_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static int
bio_destroy(BIO *b)
{
	BIO_set_data(b, NULL);
	return 1;
}

static int
globals_init(void)
{
	if (ex_idx < 0) {
		ex_idx = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
		if (ex_idx < 0)
			return -EIO;
	}
	if (bio_meth == NULL) {
		BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "cp_dtls");

		if (m == NULL || !BIO_meth_set_write(m, bio_write) || !BIO_meth_set_read(m, bio_read) ||
		    !BIO_meth_set_ctrl(m, bio_ctrl) || !BIO_meth_set_create(m, bio_create) ||
		    !BIO_meth_set_destroy(m, bio_destroy)) {
			BIO_meth_free(m);
			return -EIO;
		}
		bio_meth = m;
	}
	return 0;
}

/* ---- certificate ------------------------------------------------------- */

static int
fingerprint(char out[CP_DTLS_FP_LEN], X509 *x)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	char *o = out;

	if (X509_digest(x, EVP_sha256(), md, &n) != 1 || n != 32)
		return -EIO;
	o += sprintf(o, "sha-256 ");
	for (unsigned i = 0; i < n; i++)
		o += sprintf(o, i ? ":%02X" : "%02X", md[i]);
	return 0;
}

static int
ctx_new(struct cp_dtls_cert **out, X509 *x, EVP_PKEY *k)
{
	char groups[] = "P-256:X25519";    /* the macro casts away const */
	struct cp_dtls_cert *c;
	int rc = -EIO;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->ctx = SSL_CTX_new(DTLS_method());
	if (c->ctx == NULL)
		goto out;
	/* DTLS 1.2 only: OpenSSL 3.0 has no DTLS 1.3 (see cp_dtls.h). */
	if (SSL_CTX_set_min_proto_version(c->ctx, DTLS1_2_VERSION) != 1 ||
	    SSL_CTX_use_certificate(c->ctx, x) != 1 || SSL_CTX_use_PrivateKey(c->ctx, k) != 1 ||
	    SSL_CTX_check_private_key(c->ctx) != 1) {
		rc = -EINVAL;
		goto out;
	}
	SSL_CTX_set_options(c->ctx, SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);
	/* RFC 8827: ECDHE only, no renegotiation. */
	SSL_CTX_set_options(c->ctx, SSL_OP_NO_RENEGOTIATION);
	if (SSL_CTX_set1_groups_list(c->ctx, groups) != 1 ||
	    fingerprint(c->fp, x) != 0)
		goto out;
	*out = c;
	c = NULL;
	rc = 0;
out:
	cp_dtls_cert_free(c);
	return rc;
}

int
cp_dtls_cert_create(struct cp_dtls_cert **out)
{
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	X509_NAME *name;
	ASN1_INTEGER *serial;
	uint8_t sn[16];
	BIGNUM *bn = NULL;
	int rc = -EIO;

	*out = NULL;
	k = EVP_EC_gen("P-256");
	x = X509_new();
	if (k == NULL || x == NULL || RAND_bytes(sn, sizeof(sn)) != 1)
		goto out;
	sn[0] &= 0x7f;                  /* positive */
	bn = BN_bin2bn(sn, sizeof(sn), NULL);
	serial = X509_get_serialNumber(x);
	name = X509_get_subject_name(x);
	if (bn == NULL || BN_to_ASN1_INTEGER(bn, serial) == NULL ||
	    X509_set_version(x, X509_VERSION_3) != 1 ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -86400) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 30L * 86400) == NULL ||
	    X509_set_pubkey(x, k) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"rtcgw", -1,
				       -1, 0) != 1 ||
	    X509_set_issuer_name(x, name) != 1 || X509_sign(x, k, EVP_sha256()) == 0)
		goto out;
	rc = ctx_new(out, x, k);
out:
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(k);
	gw_wipe(sn, sizeof(sn));
	return rc;
}

int
cp_dtls_cert_load(struct cp_dtls_cert **out, const char *cert_pem, const char *key_pem,
		  char *err, size_t errlen)
{
	FILE *f = NULL;
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	int rc;

	*out = NULL;
	f = fopen(cert_pem, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open the certificate", cert_pem);
		return -ENOENT;
	}
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (x == NULL) {
		snprintf(err, errlen, "%s: not a PEM certificate", cert_pem);
		return -EINVAL;
	}
	f = fopen(key_pem, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot open the private key", key_pem);
		X509_free(x);
		return -ENOENT;
	}
	k = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (k == NULL) {
		snprintf(err, errlen, "%s: not a PEM private key", key_pem);
		X509_free(x);
		return -EINVAL;
	}
	rc = ctx_new(out, x, k);
	if (rc == -EINVAL)
		snprintf(err, errlen, "%s does not match the certificate in %s", key_pem, cert_pem);
	else if (rc != 0)
		snprintf(err, errlen, "OpenSSL refused the certificate in %s", cert_pem);
	X509_free(x);
	EVP_PKEY_free(k);
	ERR_clear_error();
	return rc;
}

/* A memory BIO's contents into out (NUL-terminated), then wiped in the BIO. */
static int
bio_take(BIO *b, char *out, size_t cap)
{
	char *p = NULL;
	long n = BIO_get_mem_data(b, &p);

	if (n <= 0 || p == NULL)
		return -EIO;
	if ((size_t)n >= cap) {
		gw_wipe(p, (size_t)n);
		return -ENOSPC;
	}
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	gw_wipe(p, (size_t)n);
	return 0;
}

int
cp_dtls_cert_pem(const struct cp_dtls_cert *c, char *cert_pem, size_t cert_cap, char *key_pem,
		 size_t key_cap)
{
	X509 *x = SSL_CTX_get0_certificate(c->ctx);
	EVP_PKEY *k = SSL_CTX_get0_privatekey(c->ctx);
	BIO *bc = BIO_new(BIO_s_mem()), *bk = BIO_new(BIO_s_mem());
	int rc = -ENOMEM;

	if (cert_cap > 0)
		cert_pem[0] = '\0';
	if (key_cap > 0)
		key_pem[0] = '\0';
	if (bc == NULL || bk == NULL)
		goto out;
	rc = -EIO;
	if (x == NULL || k == NULL || PEM_write_bio_X509(bc, x) != 1 ||
	    PEM_write_bio_PrivateKey(bk, k, NULL, NULL, 0, NULL, NULL) != 1)
		goto out;
	rc = bio_take(bc, cert_pem, cert_cap);
	if (rc == 0)
		rc = bio_take(bk, key_pem, key_cap);
	if (rc != 0) {
		gw_wipe(key_pem, key_cap);
		if (cert_cap > 0)
			cert_pem[0] = '\0';
	}
out:
	BIO_free(bc);
	BIO_free(bk);       /* its buffer was wiped by bio_take (OpenSSL clears it too) */
	ERR_clear_error();
	return rc;
}

int
cp_dtls_cert_from_pem(struct cp_dtls_cert **out, const char *cert_pem, size_t cert_len,
		      const char *key_pem, size_t key_len)
{
	BIO *bc = NULL, *bk = NULL;
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	int rc = -ENOMEM;

	*out = NULL;
	if (cert_len > INT32_MAX || key_len > INT32_MAX)
		return -EINVAL;
	/* read-only BIOs over the caller's text: no copy of the key to wipe */
	bc = BIO_new_mem_buf(cert_pem, (int)cert_len);
	bk = BIO_new_mem_buf(key_pem, (int)key_len);
	if (bc == NULL || bk == NULL)
		goto out;
	rc = -EINVAL;
	x = PEM_read_bio_X509(bc, NULL, NULL, NULL);
	k = PEM_read_bio_PrivateKey(bk, NULL, NULL, NULL);
	if (x == NULL || k == NULL)
		goto out;
	rc = ctx_new(out, x, k);
out:
	X509_free(x);
	EVP_PKEY_free(k);
	BIO_free(bc);
	BIO_free(bk);
	ERR_clear_error();
	return rc;
}

void
cp_dtls_cert_free(struct cp_dtls_cert *c)
{
	if (c == NULL)
		return;
	SSL_CTX_free(c->ctx);
	free(c);
}

const char *
cp_dtls_cert_fingerprint(const struct cp_dtls_cert *c)
{
	return c->fp;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
cp_dtls_fingerprint_parse(uint8_t out[32], const char *s)
{
	const char *p;

	if (s == NULL)
		return -EINVAL;
	if (strncasecmp(s, "sha-256 ", 8) != 0)
		return strchr(s, ' ') != NULL ? -ENOTSUP : -EINVAL;
	p = s + 8;
	for (unsigned i = 0; i < 32; i++) {
		int hi = hexval(p[0]), lo = hi < 0 ? -1 : hexval(p[1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
		p += 2;
		if (i < 31 && *p++ != ':')
			return -EINVAL;
	}
	return *p == '\0' ? 0 : -EINVAL;
}

/* ---- endpoint ---------------------------------------------------------- */

/* Accept the peer's self-signed leaf exactly when its SHA-256 matches the SDP. */
static int
verify_cb(int preverify_ok, X509_STORE_CTX *xs)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(xs, SSL_get_ex_data_X509_STORE_CTX_idx());
	struct cp_dtls *d = ssl ? SSL_get_ex_data(ssl, ex_idx) : NULL;
	X509 *x = X509_STORE_CTX_get_current_cert(xs);
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	(void)preverify_ok;     /* self-signed: the fingerprint is the trust */
	if (d == NULL || x == NULL)
		return 0;
	if (X509_STORE_CTX_get_error_depth(xs) != 0)
		return 1;
	if (X509_digest(x, EVP_sha256(), md, &n) != 1 || n != 32 ||
	    !gw_ct_equal(md, d->peer_fp, 32)) {
		d->fp_mismatch = true;
		X509_STORE_CTX_set_error(xs, X509_V_ERR_CERT_REJECTED);
		return 0;
	}
	return 1;
}

static void
info_cb(const SSL *ssl, int where, int ret)
{
	struct cp_dtls *d = SSL_get_ex_data(ssl, ex_idx);

	if (d == NULL || !(where & SSL_CB_ALERT))
		return;
	d->have_alert = true;
	d->alert_received = (where & SSL_CB_READ) != 0;
	d->alert_desc = (uint8_t)(ret & 0xff);
}

/* OpenSSL's timer durations (microseconds): initial, then doubling to the cap. */
static unsigned int
timer_cb(SSL *ssl, unsigned int prev_us)
{
	struct cp_dtls *d = SSL_get_ex_data(ssl, ex_idx);
	uint64_t us;

	if (prev_us == 0)
		return d->env.initial_timeout_ms * 1000u;
	us = (uint64_t)prev_us * 2;
	if (us > (uint64_t)d->env.max_timeout_ms * 1000u)
		us = (uint64_t)d->env.max_timeout_ms * 1000u;
	return (unsigned int)us;
}

/* Read OpenSSL's remaining time into the injected clock's deadline. */
static void
timer_sync(struct cp_dtls *d)
{
	struct timeval tv;

	if (d->state == CP_DTLS_HANDSHAKING && DTLSv1_get_timeout(d->ssl, &tv) == 1)
		d->deadline = d->env.now_ms(d->env.arg) + (uint64_t)tv.tv_sec * 1000 +
			      (uint64_t)(tv.tv_usec + 999) / 1000;
	else
		d->deadline = 0;
}

int
cp_dtls_create(struct cp_dtls **out, const struct cp_dtls_cert *cert,
	       const struct cp_dtls_cfg *cfg, const struct cp_dtls_env *env)
{
	struct cp_dtls *d;
	const char *offer = OFFER_BOTH;
	BIO *b = NULL;
	uint16_t mtu = cfg->mtu ? cfg->mtu : 1200;
	int rc;

	*out = NULL;
	if ((cfg->role != CP_DTLS_CLIENT && cfg->role != CP_DTLS_SERVER) || env == NULL ||
	    env->now_ms == NULL || mtu < 256 || mtu > CP_DTLS_MAX_DGRAM)
		return -EINVAL;
	if (cfg->profile == SRTP_AEAD_AES_128_GCM)
		offer = "SRTP_AEAD_AES_128_GCM";
	else if (cfg->profile == SRTP_AES128_CM_SHA1_80)
		offer = "SRTP_AES128_CM_SHA1_80";
	else if (cfg->profile != 0)
		return -EINVAL;
	rc = globals_init();
	if (rc != 0)
		return rc;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	rc = cp_dtls_fingerprint_parse(d->peer_fp, cfg->peer_fingerprint);
	if (rc != 0)
		goto out;
	d->env = *env;
	if (d->env.initial_timeout_ms == 0)
		d->env.initial_timeout_ms = 1000;
	if (d->env.max_timeout_ms == 0)
		d->env.max_timeout_ms = 60000;
	d->role = cfg->role;
	d->restarted = cfg->restarted && cfg->role == CP_DTLS_SERVER;
	d->state = CP_DTLS_HANDSHAKING;
	rc = -EIO;
	d->ssl = SSL_new(cert->ctx);
	b = BIO_new(bio_meth);
	if (d->ssl == NULL || b == NULL)
		goto out;
	BIO_set_data(b, d);
	SSL_set_bio(d->ssl, b, b);      /* the SSL owns the BIO now */
	b = NULL;
	if (SSL_set_ex_data(d->ssl, ex_idx, d) != 1 ||
	    SSL_set_tlsext_use_srtp(d->ssl, offer) != 0)        /* 0 is success here */
		goto out;
	SSL_set_verify(d->ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
	SSL_set_info_callback(d->ssl, info_cb);
	DTLS_set_timer_cb(d->ssl, timer_cb);
	if (SSL_set_mtu(d->ssl, mtu) <= 0)     /* returns the MTU set, 0 on failure */
		goto out;
	if (d->role == CP_DTLS_CLIENT)
		SSL_set_connect_state(d->ssl);
	else
		SSL_set_accept_state(d->ssl);
	*out = d;
	d = NULL;
	rc = 0;
out:
	BIO_free(b);
	cp_dtls_free(d);
	ERR_clear_error();
	return rc;
}

void
cp_dtls_free(struct cp_dtls *d)
{
	if (d == NULL)
		return;
	SSL_free(d->ssl);       /* cleanses its key material */
	gw_wipe(d, sizeof(*d));
	free(d);
}

/* Map a failed SSL call to the module's error and state. */
static int
fail(struct cp_dtls *d, int ssl_rc)
{
	int e = SSL_get_error(d->ssl, ssl_rc);
	unsigned long err;

	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	if (e == SSL_ERROR_ZERO_RETURN) {
		d->state = CP_DTLS_CLOSED;
		d->deadline = 0;
		return CP_DTLS_E_CLOSED;
	}
	err = ERR_peek_last_error();
	ERR_clear_error();
	d->state = CP_DTLS_FAILED;
	d->deadline = 0;
	if (d->fp_mismatch)
		return CP_DTLS_E_FINGERPRINT;
	if (ERR_GET_REASON(err) == SSL_R_READ_TIMEOUT_EXPIRED)
		return CP_DTLS_E_TIMEOUT;
	if (d->have_alert && d->alert_received)
		return d->alert_desc == SSL_AD_CLOSE_NOTIFY ? CP_DTLS_E_CLOSED : CP_DTLS_E_ALERT;
	return CP_DTLS_E_HANDSHAKE;
}

static int
handshake(struct cp_dtls *d)
{
	int r = SSL_do_handshake(d->ssl);

	if (r == 1) {
		d->state = CP_DTLS_CONNECTED;
		d->deadline = 0;
		if (SSL_get_selected_srtp_profile(d->ssl) == NULL) {
			d->state = CP_DTLS_FAILED;
			return CP_DTLS_E_NOSRTP;
		}
		return 0;
	}
	r = fail(d, r);
	timer_sync(d);
	return r;
}

int
cp_dtls_start(struct cp_dtls *d)
{
	if (d->started || d->role != CP_DTLS_CLIENT)
		return 0;
	d->started = true;
	return handshake(d);
}

/* DTLS record layer (RFC 6347 §4.1): type, version, epoch, 48-bit
 * sequence number, length; a handshake message starts with its type. */
#define REC_HDR          13
#define REC_CCS          20
#define REC_ALERT        21
#define REC_HANDSHAKE    22
#define HS_CLIENT_HELLO  1

/*
 * What a datagram a restarted server gets before any ClientHello is: 1 when
 * one of its records is a ClientHello (a handshake this endpoint can take),
 * -1 when it holds only the rest of a handshake under way (a later
 * handshake message, a ChangeCipherSpec, a record of a later epoch), 0 for
 * anything else (an alert, a malformed datagram), which OpenSSL handles.
 */
static int
midway(const uint8_t *p, size_t len)
{
	bool later = false;

	for (size_t o = 0; o + REC_HDR <= len;) {
		size_t n = (size_t)p[o + 11] << 8 | p[o + 12];
		unsigned epoch = (unsigned)p[o + 3] << 8 | p[o + 4];

		if (o + REC_HDR + n > len)
			break;
		if (p[o] == REC_HANDSHAKE && epoch == 0 && n > 0) {
			if (p[o + REC_HDR] == HS_CLIENT_HELLO)
				return 1;
			later = true;
		} else if (p[o] == REC_CCS || (epoch != 0 && p[o] != REC_ALERT)) {
			later = true;
		}
		o += REC_HDR + n;
	}
	return later ? -1 : 0;
}

/*
 * The peer's handshake began with the endpoint a restart lost: a fatal
 * unexpected_message alert in the clear (epoch 0, where the peer still
 * reads, as it has not had our ChangeCipherSpec), with the version of the
 * peer's record and a sequence number above any the lost endpoint can have
 * used (the peer discards replays, RFC 6347 §4.1.2.6). OpenSSL has no call
 * that sends an alert without the handshake's state, hence the 15 bytes.
 */
static int
lost(struct cp_dtls *d, const uint8_t *p)
{
	const uint8_t alert[REC_HDR + 2] = {
		REC_ALERT, 0xfe, p[1] == 0xfe ? p[2] : 0xfd,       /* DTLS 1.x; 1.2 */
		0, 0,                   /* epoch 0 */
		0, 0, 1, 0, 0, 0,       /* sequence number 2^32 */
		0, 2,
		2, SSL_AD_UNEXPECTED_MESSAGE,   /* fatal */
	};

	enqueue(d, alert, sizeof(alert));
	d->state = CP_DTLS_FAILED;
	d->deadline = 0;
	d->have_alert = true;
	d->alert_received = false;
	d->alert_desc = SSL_AD_UNEXPECTED_MESSAGE;
	return CP_DTLS_E_LOST;
}

int
cp_dtls_input(struct cp_dtls *d, const uint8_t *p, size_t len)
{
	uint8_t sink[CP_DTLS_MAX_DGRAM];
	int r;

	if (d->state == CP_DTLS_FAILED || d->state == CP_DTLS_CLOSED)
		return -ESHUTDOWN;
	if (len == 0 || len > CP_DTLS_MAX_DGRAM)
		return -EINVAL;
	if (d->restarted && !d->hello_seen && d->state == CP_DTLS_HANDSHAKING) {
		int k = midway(p, len);

		if (k < 0)
			return lost(d, p);
		d->hello_seen = k > 0;
	}
	d->in = p;
	d->in_len = len;
	d->started = true;
	if (d->state == CP_DTLS_HANDSHAKING) {
		r = handshake(d);
		if (r != 0 || d->state != CP_DTLS_CONNECTED || d->in == NULL)
			goto out;
	}
	/* Connected: a close_notify, an alert, a retransmitted flight to answer,
	 * or application data we have no use for. */
	do
		r = SSL_read(d->ssl, sink, sizeof(sink));
	while (r > 0);
	r = fail(d, r);
out:
	d->in = NULL;
	d->in_len = 0;
	gw_wipe(sink, sizeof(sink));
	return r;
}

int
cp_dtls_output(struct cp_dtls *d, uint8_t *buf, size_t cap)
{
	struct dgram *g;
	int n;

	if (d->q_n == 0)
		return 0;
	g = &d->q[d->q_head];
	if (cap < g->len)
		return -ENOBUFS;
	memcpy(buf, g->b, g->len);
	n = g->len;
	d->q_head = (d->q_head + 1) % CP_DTLS_OUTQ;
	d->q_n--;
	return n;
}

int64_t
cp_dtls_timeout_ms(struct cp_dtls *d)
{
	uint64_t now;

	if (d->deadline == 0)
		return -1;
	now = d->env.now_ms(d->env.arg);
	return now >= d->deadline ? 0 : (int64_t)(d->deadline - now);
}

int
cp_dtls_tick(struct cp_dtls *d)
{
	unsigned before = d->q_n;
	int r;

	if (d->deadline == 0 || d->env.now_ms(d->env.arg) < d->deadline)
		return 0;
	r = DTLSv1_handle_timeout(d->ssl);
	if (r < 0) {
		ERR_clear_error();
		d->state = CP_DTLS_FAILED;
		d->deadline = 0;
		return CP_DTLS_E_TIMEOUT;
	}
	timer_sync(d);
	return r > 0 && d->q_n != before ? 1 : 0;
}

enum cp_dtls_state
cp_dtls_state(const struct cp_dtls *d)
{
	return d->state;
}

int
cp_dtls_alert(const struct cp_dtls *d, uint8_t *desc, int *received)
{
	if (!d->have_alert)
		return -ENOENT;
	*desc = d->alert_desc;
	*received = d->alert_received;
	return 0;
}

int
cp_dtls_srtp_keys(struct cp_dtls *d, uint32_t leg_id, struct gw_ipc_srtp_keys *m)
{
	const SRTP_PROTECTION_PROFILE *prof;
	uint8_t km[2 * (16 + 14)];
	size_t klen = 16, slen;
	const uint8_t *ck, *sk, *cs, *ss;
	int rc = -EIO;

	if (d->state != CP_DTLS_CONNECTED)
		return -EAGAIN;
	prof = SSL_get_selected_srtp_profile(d->ssl);
	if (prof == NULL)
		return -EIO;
	slen = prof->id == SRTP_AEAD_AES_128_GCM ? 12 : 14;
	if (SSL_export_keying_material(d->ssl, km, 2 * (klen + slen), EXPORT_LABEL,
				       strlen(EXPORT_LABEL), NULL, 0, 0) != 1)
		goto out;
	/* RFC 5764 §4.2: client_write_key | server_write_key | client_salt | server_salt */
	ck = km;
	sk = km + klen;
	cs = km + 2 * klen;
	ss = km + 2 * klen + slen;
	memset(m, 0, sizeof(*m));
	m->leg_id = leg_id;
	m->profile = (uint16_t)prof->id;
	m->flags = GW_IPC_SRTP_F_RECV | GW_IPC_SRTP_F_SEND;
	if (d->role == CP_DTLS_CLIENT) {
		memcpy(m->send_key, ck, klen);
		memcpy(m->send_salt, cs, slen);
		memcpy(m->recv_key, sk, klen);
		memcpy(m->recv_salt, ss, slen);
	} else {
		memcpy(m->send_key, sk, klen);
		memcpy(m->send_salt, ss, slen);
		memcpy(m->recv_key, ck, klen);
		memcpy(m->recv_salt, cs, slen);
	}
	rc = 0;
out:
	gw_wipe(km, sizeof(km));
	ERR_clear_error();
	return rc;
}

int
cp_dtls_close(struct cp_dtls *d)
{
	if (d->state == CP_DTLS_CLOSED || d->state == CP_DTLS_FAILED)
		return -ESHUTDOWN;
	(void)SSL_shutdown(d->ssl);     /* queues close_notify; we do not wait for the peer's */
	ERR_clear_error();
	d->state = CP_DTLS_CLOSED;
	d->deadline = 0;
	return 0;
}
