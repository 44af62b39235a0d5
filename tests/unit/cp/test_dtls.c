/*
 * cp_dtls: DTLS-SRTP handshakes in one process through the module's own
 * datagram BIO: two cp_dtls endpoints (both roles, both profiles), and
 * cp_dtls against a plain OpenSSL DTLS client on memory BIOs. Exported keys
 * agree on both sides and work in dp_srtp across them. Fingerprint mismatch,
 * packet loss with retransmission by the timer, close_notify, timeouts.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>

#include "cp_dtls.h"
#include "ct.h"
#include "dp_srtp.h"
#include "gw_ipc.h"

static struct cp_dtls_cert *cert_a, *cert_b;
static uint64_t fake_ms = 1000000;

static uint64_t
fake_now(void *arg)
{
	(void)arg;
	return fake_ms;
}

static const struct cp_dtls_env env_fast = {
	.now_ms = fake_now, .initial_timeout_ms = 20, .max_timeout_ms = 40,
};

static int
setup(void **state)
{
	(void)state;
	if (cp_dtls_cert_create(&cert_a) != 0 || cp_dtls_cert_create(&cert_b) != 0)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	cp_dtls_cert_free(cert_a);
	cp_dtls_cert_free(cert_b);
	return 0;
}

static void
real_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Move every queued datagram from one endpoint to the other; drop(n) says
 * whether the n-th datagram (counted over the whole run) is lost. Returns
 * the first error of the receiver, 0 otherwise. */
static unsigned n_moved;
static bool (*drop)(unsigned n);

static int
pump(struct cp_dtls *from, struct cp_dtls *to, unsigned *moved)
{
	uint8_t b[CP_DTLS_MAX_DGRAM];
	int n, rc = 0;

	while ((n = cp_dtls_output(from, b, sizeof(b))) > 0) {
		unsigned k = n_moved++;

		if (moved)
			(*moved)++;
		if (drop != NULL && drop(k))
			continue;
		if (rc == 0)
			rc = cp_dtls_input(to, b, (size_t)n);
	}
	assert_true(n >= 0);
	return rc;
}

/* Run until both are connected or something fails; bounded. */
static void
run(struct cp_dtls *c, struct cp_dtls *s, int *rc_c, int *rc_s)
{
	*rc_c = cp_dtls_start(c);
	*rc_s = 0;
	for (int i = 0; i < 50 && *rc_c == 0 && *rc_s == 0; i++) {
		unsigned moved = 0;

		*rc_s = pump(c, s, &moved);
		if (*rc_s == 0)
			*rc_c = pump(s, c, &moved);
		if (cp_dtls_state(c) == CP_DTLS_CONNECTED && cp_dtls_state(s) == CP_DTLS_CONNECTED &&
		    moved == 0)
			break;
		if (moved == 0) {       /* nothing in flight: let a timer fire */
			real_sleep_ms(45);
			fake_ms += 45;
			if (cp_dtls_tick(c) < 0 || cp_dtls_tick(s) < 0)
				break;
		}
	}
}

/* run() to the end: both connected, no error on either side. */
static void
connected_ok(struct cp_dtls *c, struct cp_dtls *s)
{
	int rc_c, rc_s;

	run(c, s, &rc_c, &rc_s);
	assert_int_equal(rc_c, 0);
	assert_int_equal(rc_s, 0);
	assert_int_equal(cp_dtls_state(c), CP_DTLS_CONNECTED);
	assert_int_equal(cp_dtls_state(s), CP_DTLS_CONNECTED);
}

static void
pair(struct cp_dtls **c, struct cp_dtls **s, uint16_t cprof, uint16_t sprof,
     const struct cp_dtls_cert *cc, const struct cp_dtls_cert *sc)
{
	struct cp_dtls_cfg ccfg = { .role = CP_DTLS_CLIENT, .profile = cprof,
				    .peer_fingerprint = cp_dtls_cert_fingerprint(sc) };
	struct cp_dtls_cfg scfg = { .role = CP_DTLS_SERVER, .profile = sprof,
				    .peer_fingerprint = cp_dtls_cert_fingerprint(cc) };

	assert_int_equal(cp_dtls_create(c, cc, &ccfg, &env_fast), 0);
	assert_int_equal(cp_dtls_create(s, sc, &scfg, &env_fast), 0);
}

/* Keys from both ends agree, and dp_srtp protects on one side and
 * unprotects on the other, both ways. */
static void
check_keys(struct cp_dtls *a, struct cp_dtls *b, uint16_t want_profile)
{
	struct gw_ipc_srtp_keys ka, kb, copy;
	struct dp_srtp_key ar, as, br, bs;
	struct dp_srtp_pool *pool;
	struct dp_srtp *a_tx, *a_rx, *b_tx, *b_rx;
	uint8_t pkt[256] = { 0x80, 111, 0, 1, 0, 0, 0, 9, 0xab, 0xcd, 0xef, 0x01 };
	size_t n;

	assert_int_equal(cp_dtls_srtp_keys(a, 1, &ka), 0);
	assert_int_equal(cp_dtls_srtp_keys(b, 2, &kb), 0);
	assert_int_equal(ka.profile, want_profile);
	assert_int_equal(kb.profile, want_profile);
	assert_int_equal(ka.leg_id, 1);
	assert_int_equal(ka.flags, GW_IPC_SRTP_F_RECV | GW_IPC_SRTP_F_SEND);
	assert_memory_equal(ka.send_key, kb.recv_key, GW_IPC_SRTP_KEY);
	assert_memory_equal(ka.send_salt, kb.recv_salt, GW_IPC_SRTP_SALT);
	assert_memory_equal(ka.recv_key, kb.send_key, GW_IPC_SRTP_KEY);
	assert_memory_equal(ka.recv_salt, kb.send_salt, GW_IPC_SRTP_SALT);
	assert_memory_not_equal(ka.send_key, ka.recv_key, GW_IPC_SRTP_KEY);

	assert_int_equal(dp_srtp_pool_create(&pool, 4), 0);
	copy = ka;
	assert_int_equal(dp_srtp_keys_from_ipc(&ar, &as, &copy), 3);
	copy = kb;
	assert_int_equal(dp_srtp_keys_from_ipc(&br, &bs, &copy), 3);
	assert_int_equal(dp_srtp_create(&a_tx, pool, &as, DP_SRTP_SEND), 0);
	assert_int_equal(dp_srtp_create(&a_rx, pool, &ar, DP_SRTP_RECV), 0);
	assert_int_equal(dp_srtp_create(&b_tx, pool, &bs, DP_SRTP_SEND), 0);
	assert_int_equal(dp_srtp_create(&b_rx, pool, &br, DP_SRTP_RECV), 0);
	for (size_t i = 12; i < 112; i++)
		pkt[i] = (uint8_t)i;
	n = 112;
	assert_int_equal(dp_srtp_protect(a_tx, pkt, &n, sizeof(pkt)), 0);
	assert_int_equal(dp_srtp_unprotect(b_rx, pkt, &n), 0);
	assert_int_equal(n, 112);
	assert_int_equal(pkt[111], 111);
	assert_int_equal(dp_srtp_protect(b_tx, pkt, &n, sizeof(pkt)), 0);
	assert_int_equal(dp_srtp_unprotect(a_rx, pkt, &n), 0);
	assert_int_equal(pkt[100], 100);
	/* a's own send keys do not open a's own packets: the halves are distinct */
	n = 112;
	pkt[3] = 2;
	assert_int_equal(dp_srtp_protect(a_tx, pkt, &n, sizeof(pkt)), 0);
	assert_int_equal(dp_srtp_unprotect(a_rx, pkt, &n), DP_SRTP_E_AUTH);
	dp_srtp_free(a_tx);
	dp_srtp_free(a_rx);
	dp_srtp_free(b_tx);
	dp_srtp_free(b_rx);
	dp_srtp_pool_free(pool);
}

static void
test_handshake_profiles_roles(void **state)
{
	static const struct { uint16_t c, s, want; } rows[] = {
		/* 1 */ { 0, 0, SRTP_AEAD_AES_128_GCM },          /* both offered: GCM preferred */
		/* 2 */ { SRTP_AES128_CM_SHA1_80, 0, SRTP_AES128_CM_SHA1_80 },
		/* 3 */ { 0, SRTP_AES128_CM_SHA1_80, SRTP_AES128_CM_SHA1_80 },
		/* 4 */ { SRTP_AEAD_AES_128_GCM, 0, SRTP_AEAD_AES_128_GCM },
	};

	(void)state;
	for (unsigned r = 0; r < sizeof(rows) / sizeof(rows[0]); r++)
		for (int swap = 0; swap < 2; swap++) {
			/* swap: the other certificate plays the client (active) */
			const struct cp_dtls_cert *cc = swap ? cert_b : cert_a;
			const struct cp_dtls_cert *sc = swap ? cert_a : cert_b;
			struct cp_dtls *c, *s;
			int rc_c, rc_s;

			pair(&c, &s, rows[r].c, rows[r].s, cc, sc);
			assert_int_equal(cp_dtls_srtp_keys(c, 1, &(struct gw_ipc_srtp_keys){0}),
					 -EAGAIN);
			run(c, s, &rc_c, &rc_s);
			if (rc_c != 0 || rc_s != 0 || cp_dtls_state(c) != CP_DTLS_CONNECTED ||
			    cp_dtls_state(s) != CP_DTLS_CONNECTED)
				fail_msg("row %u swap %d: rc %d/%d state %d/%d", r + 1, swap, rc_c,
					 rc_s, cp_dtls_state(c), cp_dtls_state(s));
			assert_int_equal(cp_dtls_timeout_ms(c), -1);
			check_keys(c, s, rows[r].want);
			cp_dtls_free(c);
			cp_dtls_free(s);
		}
}

/* The server expects another certificate than the client presents. */
static void
test_fingerprint_mismatch(void **state)
{
	struct cp_dtls_cfg ccfg = { .role = CP_DTLS_CLIENT,
				    .peer_fingerprint = cp_dtls_cert_fingerprint(cert_b) };
	struct cp_dtls_cfg scfg = { .role = CP_DTLS_SERVER,
				    .peer_fingerprint = cp_dtls_cert_fingerprint(cert_b) };
	struct cp_dtls *c, *s;
	uint8_t desc;
	int rc_c, rc_s, recv;

	(void)state;
	assert_int_equal(cp_dtls_create(&c, cert_a, &ccfg, &env_fast), 0);
	assert_int_equal(cp_dtls_create(&s, cert_b, &scfg, &env_fast), 0);
	run(c, s, &rc_c, &rc_s);
	assert_int_equal(rc_s, CP_DTLS_E_FINGERPRINT);
	assert_int_equal(cp_dtls_state(s), CP_DTLS_FAILED);
	/* the server's bad_certificate alert reaches the client */
	rc_c = pump(s, c, NULL);
	assert_int_equal(rc_c, CP_DTLS_E_ALERT);
	assert_int_equal(cp_dtls_state(c), CP_DTLS_FAILED);
	assert_int_equal(cp_dtls_alert(c, &desc, &recv), 0);
	assert_int_equal(desc, SSL_AD_BAD_CERTIFICATE);
	assert_int_equal(recv, 1);
	assert_int_equal(cp_dtls_alert(s, &desc, &recv), 0);
	assert_int_equal(recv, 0);
	assert_int_equal(cp_dtls_srtp_keys(s, 1, &(struct gw_ipc_srtp_keys){0}), -EAGAIN);
	assert_int_equal(cp_dtls_input(s, (const uint8_t *)"\x16", 1), -ESHUTDOWN);
	cp_dtls_free(c);
	cp_dtls_free(s);

	/* and the other way: the client rejects the server */
	ccfg.peer_fingerprint = cp_dtls_cert_fingerprint(cert_a);
	scfg.peer_fingerprint = cp_dtls_cert_fingerprint(cert_a);
	assert_int_equal(cp_dtls_create(&c, cert_a, &ccfg, &env_fast), 0);
	assert_int_equal(cp_dtls_create(&s, cert_b, &scfg, &env_fast), 0);
	run(c, s, &rc_c, &rc_s);
	assert_int_equal(rc_c, CP_DTLS_E_FINGERPRINT);
	cp_dtls_free(c);
	cp_dtls_free(s);
}

static bool
drop_first(unsigned n)
{
	return n == 0;                  /* the ClientHello */
}

static bool
drop_second_flight(unsigned n)
{
	return n >= 1 && n <= 3;        /* the server's first flight, or most of it */
}

/* A lost datagram is sent again when the timer runs out, by the injected
 * clock: not before it says so, even when real time has passed. */
static void
test_retransmission(void **state)
{
	struct cp_dtls *c, *s;
	uint8_t b[CP_DTLS_MAX_DGRAM];
	int rc_c, rc_s;
	int64_t t;

	(void)state;
	pair(&c, &s, 0, 0, cert_a, cert_b);
	n_moved = 0;
	drop = drop_first;
	assert_int_equal(cp_dtls_start(c), 0);
	assert_int_equal(pump(c, s, NULL), 0);          /* ClientHello lost */
	assert_int_equal(cp_dtls_output(s, b, sizeof(b)), 0);
	t = cp_dtls_timeout_ms(c);
	assert_true(t > 0 && t <= 20);
	real_sleep_ms(30);                              /* real time passes, injected does not */
	assert_int_equal(cp_dtls_tick(c), 0);
	assert_int_equal(cp_dtls_output(c, b, sizeof(b)), 0);
	fake_ms += 30;                                  /* now both agree */
	assert_int_equal(cp_dtls_timeout_ms(c), 0);
	assert_int_equal(cp_dtls_tick(c), 1);
	t = cp_dtls_timeout_ms(c);                      /* doubled: 40 ms (the cap) */
	assert_true(t > 20 && t <= 40);
	connected_ok(c, s);
	check_keys(c, s, SRTP_AEAD_AES_128_GCM);
	cp_dtls_free(c);
	cp_dtls_free(s);

	/* the server's flight lost: both retransmit until it completes */
	pair(&c, &s, 0, 0, cert_b, cert_a);
	n_moved = 0;
	drop = drop_second_flight;
	run(c, s, &rc_c, &rc_s);
	drop = NULL;
	assert_int_equal(rc_c, 0);
	assert_int_equal(rc_s, 0);
	assert_int_equal(cp_dtls_state(c), CP_DTLS_CONNECTED);
	assert_int_equal(cp_dtls_state(s), CP_DTLS_CONNECTED);
	check_keys(s, c, SRTP_AEAD_AES_128_GCM);
	cp_dtls_free(c);
	cp_dtls_free(s);
}

static bool
drop_all(unsigned n)
{
	(void)n;
	return true;
}

/* Nobody answers: the client gives up after OpenSSL's retransmission budget. */
static void
test_timeout(void **state)
{
	struct cp_dtls *c, *s;
	int rc = 0;

	(void)state;
	pair(&c, &s, 0, 0, cert_a, cert_b);
	drop = drop_all;
	assert_int_equal(cp_dtls_start(c), 0);
	for (int i = 0; i < 40 && rc >= 0; i++) {
		(void)pump(c, s, NULL);
		real_sleep_ms(41);
		fake_ms += 41;
		rc = cp_dtls_tick(c);
	}
	drop = NULL;
	assert_int_equal(rc, CP_DTLS_E_TIMEOUT);
	assert_int_equal(cp_dtls_state(c), CP_DTLS_FAILED);
	cp_dtls_free(c);
	cp_dtls_free(s);
}

static void
test_close_notify(void **state)
{
	struct cp_dtls *c, *s;
	uint8_t desc;
	int rc_c, rc_s, recv;

	(void)state;
	pair(&c, &s, 0, 0, cert_a, cert_b);
	run(c, s, &rc_c, &rc_s);
	assert_int_equal(cp_dtls_state(s), CP_DTLS_CONNECTED);
	assert_int_equal(cp_dtls_close(c), 0);
	assert_int_equal(cp_dtls_state(c), CP_DTLS_CLOSED);
	assert_int_equal(cp_dtls_close(c), -ESHUTDOWN);
	assert_int_equal(pump(c, s, NULL), CP_DTLS_E_CLOSED);
	assert_int_equal(cp_dtls_state(s), CP_DTLS_CLOSED);
	assert_int_equal(cp_dtls_alert(s, &desc, &recv), 0);
	assert_int_equal(desc, SSL_AD_CLOSE_NOTIFY);
	assert_int_equal(recv, 1);
	cp_dtls_free(c);
	cp_dtls_free(s);
}

/* ---- against plain OpenSSL endpoints on memory BIOs ---------------------- */

static int
accept_any(int ok, X509_STORE_CTX *xs)
{
	(void)ok;
	(void)xs;
	return 1;
}

/* A self-signed P-256 certificate made with plain OpenSSL calls; its
 * fingerprint in lower case (which the parser accepts too). */
static void
plain_cert(EVP_PKEY **kp, X509 **xp, char fp[CP_DTLS_FP_LEN])
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	uint8_t md[32];
	unsigned mdlen;
	char *o = fp;

	assert_non_null(k);
	assert_non_null(x);
	X509_set_version(x, X509_VERSION_3);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, k);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)"plain", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	assert_int_equal(X509_digest(x, EVP_sha256(), md, &mdlen), 1);
	o += sprintf(o, "sha-256 ");
	for (unsigned i = 0; i < 32; i++)
		o += sprintf(o, i ? ":%02x" : "%02x", md[i]);
	*kp = k;
	*xp = x;
}

struct plain {
	EVP_PKEY *k;
	X509 *x;
	SSL_CTX *ctx;
	SSL *ssl;
	BIO *rb, *wb;
	char fp[CP_DTLS_FP_LEN];
};

static void
plain_new(struct plain *p, bool server, const char *profiles)
{
	plain_cert(&p->k, &p->x, p->fp);
	p->ctx = SSL_CTX_new(server ? DTLS_server_method() : DTLS_client_method());
	assert_non_null(p->ctx);
	assert_int_equal(SSL_CTX_use_certificate(p->ctx, p->x), 1);
	assert_int_equal(SSL_CTX_use_PrivateKey(p->ctx, p->k), 1);
	assert_int_equal(SSL_CTX_set_tlsext_use_srtp(p->ctx, profiles), 0);
	/* a server must ask for the client's certificate; neither checks it here */
	SSL_CTX_set_verify(p->ctx, server ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, accept_any);
	p->ssl = SSL_new(p->ctx);
	p->rb = BIO_new(BIO_s_mem());
	p->wb = BIO_new(BIO_s_mem());
	BIO_set_mem_eof_return(p->rb, -1);
	SSL_set_bio(p->ssl, p->rb, p->wb);
	if (server)
		SSL_set_accept_state(p->ssl);
	else
		SSL_set_connect_state(p->ssl);
}

static void
plain_free(struct plain *p)
{
	SSL_free(p->ssl);
	SSL_CTX_free(p->ctx);
	X509_free(p->x);
	EVP_PKEY_free(p->k);
}

/* A memory BIO merges datagrams: hand over what it holds as one. */
static void
plain_pump_out(struct plain *p, struct cp_dtls *to, int *rc)
{
	uint8_t b[4096];
	int n;

	while ((n = BIO_read(p->wb, b, sizeof(b))) > 0)
		if (*rc == 0)
			*rc = cp_dtls_input(to, b, (size_t)n);
}

/* Drive the plain endpoint and d until both completed; bounded. */
static void
plain_run(struct plain *p, struct cp_dtls *d)
{
	uint8_t b[CP_DTLS_MAX_DGRAM];
	int rc = cp_dtls_start(d), n, done = 0;

	for (int i = 0; i < 20 && rc == 0 && !done; i++) {
		while ((n = cp_dtls_output(d, b, sizeof(b))) > 0)
			BIO_write(p->rb, b, n);
		int r = SSL_do_handshake(p->ssl);

		if (r == 1)
			done = 1;
		else
			assert_int_equal(SSL_get_error(p->ssl, r), SSL_ERROR_WANT_READ);
		plain_pump_out(p, d, &rc);
	}
	while ((n = cp_dtls_output(d, b, sizeof(b))) > 0)
		BIO_write(p->rb, b, n);
	assert_int_equal(rc, 0);
	assert_true(done);
	assert_int_equal(cp_dtls_state(d), CP_DTLS_CONNECTED);
}

static void
test_plain_openssl_client(void **state)
{
	struct cp_dtls_cfg scfg = { .role = CP_DTLS_SERVER };
	struct gw_ipc_srtp_keys ks;
	struct cp_dtls *s;
	struct plain p;
	uint8_t km[56];
	int rc = 0;

	(void)state;
	plain_new(&p, false, "SRTP_AEAD_AES_128_GCM");
	scfg.peer_fingerprint = p.fp;
	assert_int_equal(cp_dtls_create(&s, cert_a, &scfg, &env_fast), 0);
	plain_run(&p, s);
	/* the plain client's exported keys are ours, halves swapped */
	assert_int_equal(SSL_export_keying_material(p.ssl, km, sizeof(km), "EXTRACTOR-dtls_srtp",
						    19, NULL, 0, 0), 1);
	assert_int_equal(cp_dtls_srtp_keys(s, 9, &ks), 0);
	assert_int_equal(ks.profile, SRTP_AEAD_AES_128_GCM);
	assert_memory_equal(ks.recv_key, km, 16);          /* client write key */
	assert_memory_equal(ks.send_key, km + 16, 16);     /* server write key */
	assert_memory_equal(ks.recv_salt, km + 32, 12);
	assert_memory_equal(ks.send_salt, km + 44, 12);
	/* the plain client closes: reported */
	SSL_shutdown(p.ssl);
	plain_pump_out(&p, s, &rc);
	assert_int_equal(rc, CP_DTLS_E_CLOSED);
	cp_dtls_free(s);
	plain_free(&p);
}

/* Our client against a plain OpenSSL server offering AES-CM only. */
static void
test_plain_openssl_server(void **state)
{
	struct cp_dtls_cfg ccfg = { .role = CP_DTLS_CLIENT };
	struct gw_ipc_srtp_keys kc;
	struct cp_dtls *c;
	struct plain p;
	uint8_t km[60];

	(void)state;
	plain_new(&p, true, "SRTP_AES128_CM_SHA1_80");
	ccfg.peer_fingerprint = p.fp;
	assert_int_equal(cp_dtls_create(&c, cert_b, &ccfg, &env_fast), 0);
	plain_run(&p, c);
	assert_int_equal(SSL_export_keying_material(p.ssl, km, sizeof(km), "EXTRACTOR-dtls_srtp",
						    19, NULL, 0, 0), 1);
	assert_int_equal(cp_dtls_srtp_keys(c, 3, &kc), 0);
	assert_int_equal(kc.profile, SRTP_AES128_CM_SHA1_80);
	assert_memory_equal(kc.send_key, km, 16);          /* we are the client */
	assert_memory_equal(kc.recv_key, km + 16, 16);
	assert_memory_equal(kc.send_salt, km + 32, 14);
	assert_memory_equal(kc.recv_salt, km + 46, 14);
	cp_dtls_free(c);
	plain_free(&p);
}

static void
test_cert_and_args(void **state)
{
	static const struct { const char *fp; int rc; } rows[] = {
		/* 1 */ { "sha-1 00:11", -ENOTSUP },
		/* 2 */ { "sha-256 00", -EINVAL },
		/* 3 */ { "", -EINVAL },
		/* 4 */ { "sha-256 zz:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00"
			  ":00:00:00:00:00:00:00:00:00:00", -EINVAL },
		/* 5 */ { "SHA-256 0A:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00"
			  ":00:00:00:00:00:00:00:00:00:ff", 0 },
		/* 6 */ { "sha-256 0A:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00"
			  ":00:00:00:00:00:00:00:00:00:ff:", -EINVAL },
	};
	const char *fp = cp_dtls_cert_fingerprint(cert_a);
	struct cp_dtls_cfg cfg = { .role = CP_DTLS_SERVER, .peer_fingerprint = fp };
	struct cp_dtls_env noclock = { 0 };
	struct cp_dtls_cert *loaded;
	struct cp_dtls *d;
	uint8_t out[32];
	char pfp[CP_DTLS_FP_LEN], err[256], cpath[] = "/tmp/rtcgw-dtls-certXXXXXX", kpath[] = "/tmp/rtcgw-dtls-keyXXXXXX";
	FILE *f;
	EVP_PKEY *k;
	X509 *x;

	(void)state;
	/* "sha-256 " + 32 x "XX" joined by ':' */
	assert_int_equal(strlen(fp), 8 + 32 * 3 - 1);
	assert_int_equal(strncmp(fp, "sha-256 ", 8), 0);
	assert_string_not_equal(fp, cp_dtls_cert_fingerprint(cert_b));
	for (unsigned i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (cp_dtls_fingerprint_parse(out, rows[i].fp) != rows[i].rc)
			fail_msg("fingerprint row %u", i + 1);
	assert_int_equal(out[0], 0x0a);
	assert_int_equal(out[31], 0xff);

	assert_int_equal(cp_dtls_create(&d, cert_a, &cfg, &noclock), -EINVAL);
	cfg.role = 3;
	assert_int_equal(cp_dtls_create(&d, cert_a, &cfg, &env_fast), -EINVAL);
	cfg.role = CP_DTLS_SERVER;
	cfg.profile = 2;
	assert_int_equal(cp_dtls_create(&d, cert_a, &cfg, &env_fast), -EINVAL);
	cfg.profile = 0;
	cfg.mtu = 100;
	assert_int_equal(cp_dtls_create(&d, cert_a, &cfg, &env_fast), -EINVAL);
	cfg.mtu = 0;
	cfg.peer_fingerprint = "sha-512 00";
	assert_int_equal(cp_dtls_create(&d, cert_a, &cfg, &env_fast), -ENOTSUP);

	/* load from PEM files: the fingerprint is the file's certificate's */
	plain_cert(&k, &x, pfp);
	close(mkstemp(cpath));
	close(mkstemp(kpath));
	f = fopen(cpath, "w");
	PEM_write_X509(f, x);
	fclose(f);
	f = fopen(kpath, "w");
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	assert_int_equal(cp_dtls_cert_load(&loaded, cpath, kpath, err, sizeof(err)), 0);
	assert_int_equal(strcasecmp(cp_dtls_cert_fingerprint(loaded), pfp), 0);
	cp_dtls_cert_free(loaded);
	/* key of another certificate; missing file; not PEM */
	EVP_PKEY_free(k);
	k = EVP_EC_gen("P-256");
	f = fopen(kpath, "w");
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	assert_int_equal(cp_dtls_cert_load(&loaded, cpath, kpath, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "does not match"));
	assert_int_equal(cp_dtls_cert_load(&loaded, "/nonexistent.pem", kpath, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent.pem"));
	assert_int_equal(cp_dtls_cert_load(&loaded, kpath, kpath, err, sizeof(err)), -EINVAL);
	unlink(cpath);
	unlink(kpath);
	EVP_PKEY_free(k);
	X509_free(x);
	ERR_clear_error();
}

/* PEM out and back in (how the journal carries a generated certificate):
 * the same fingerprint, and a handshake against a peer expecting the
 * original's fingerprint succeeds with the reloaded one (so the key came
 * back too). Short buffers, garbage and a key of another certificate fail. */
static void
test_cert_pem_round_trip(void **state)
{
	char cp[4096], kp[2048], cp2[4096], kp2[2048], cb[4096], kb[2048];
	struct cp_dtls_cert *re = NULL;
	struct cp_dtls *c, *s;

	(void)state;
	assert_int_equal(cp_dtls_cert_pem(cert_a, cp, sizeof(cp), kp, sizeof(kp)), 0);
	assert_non_null(strstr(cp, "-----BEGIN CERTIFICATE-----"));
	assert_non_null(strstr(kp, "-----BEGIN PRIVATE KEY-----"));
	assert_int_equal(cp_dtls_cert_from_pem(&re, cp, strlen(cp), kp, strlen(kp)), 0);
	assert_string_equal(cp_dtls_cert_fingerprint(re), cp_dtls_cert_fingerprint(cert_a));
	assert_int_equal(cp_dtls_cert_pem(re, cp2, sizeof(cp2), kp2, sizeof(kp2)), 0);
	assert_string_equal(cp2, cp);
	assert_string_equal(kp2, kp);

	/* b (client) expects a's fingerprint; the reloaded certificate serves */
	pair(&c, &s, 0, 0, cert_b, cert_a);
	cp_dtls_free(s);
	{
		struct cp_dtls_cfg scfg = { .role = CP_DTLS_SERVER,
					    .peer_fingerprint = cp_dtls_cert_fingerprint(cert_b) };

		assert_int_equal(cp_dtls_create(&s, re, &scfg, &env_fast), 0);
	}
	connected_ok(c, s);
	check_keys(c, s, SRTP_AEAD_AES_128_GCM);
	cp_dtls_free(c);
	cp_dtls_free(s);
	cp_dtls_cert_free(re);

	/* buffers too small: -ENOSPC, both left empty */
	assert_int_equal(cp_dtls_cert_pem(cert_a, cp2, 100, kp2, sizeof(kp2)), -ENOSPC);
	assert_int_equal(cp2[0], 0);
	assert_int_equal(kp2[0], 0);
	assert_int_equal(cp_dtls_cert_pem(cert_a, cp2, sizeof(cp2), kp2, 100), -ENOSPC);
	assert_int_equal(cp2[0], 0);
	assert_int_equal(kp2[0], 0);
	/* not PEM; a key of another certificate */
	assert_int_equal(cp_dtls_cert_from_pem(&re, "x", 1, kp, strlen(kp)), -EINVAL);
	assert_null(re);
	assert_int_equal(cp_dtls_cert_from_pem(&re, cp, strlen(cp), "", 0), -EINVAL);
	assert_int_equal(cp_dtls_cert_pem(cert_b, cb, sizeof(cb), kb, sizeof(kb)), 0);
	assert_int_equal(cp_dtls_cert_from_pem(&re, cp, strlen(cp), kb, strlen(kb)), -EINVAL);
	assert_null(re);
	gw_wipe(kp, sizeof(kp));
	gw_wipe(kp2, sizeof(kp2));
	gw_wipe(kb, sizeof(kb));
}

/* Run c's handshake until its second flight (Certificate ... Finished) is
 * queued: the ClientHello to s, s's first flight back. */
static void
to_second_flight(struct cp_dtls *c, struct cp_dtls *s)
{
	drop = NULL;
	assert_int_equal(cp_dtls_start(c), 0);
	assert_int_equal(pump(c, s, NULL), 0);
	assert_int_equal(pump(s, c, NULL), 0);
	assert_int_equal(cp_dtls_state(c), CP_DTLS_HANDSHAKING);
}

/* A control-plane restart lost the server endpoint after its first flight:
 * the endpoint made again (restarted) answers the client's second flight
 * with a fatal alert, and the client fails at once; one made without the
 * flag stays silent (the client would resend into nothing until its own
 * timeout); a restarted endpoint that gets a ClientHello first completes
 * a handshake as any other. */
static void
test_restarted_server(void **state)
{
	struct cp_dtls *c, *s, *s2;
	struct cp_dtls_cfg scfg = { .role = CP_DTLS_SERVER, .restarted = true,
				    .peer_fingerprint = cp_dtls_cert_fingerprint(cert_a) };
	uint8_t b[CP_DTLS_MAX_DGRAM], flight[4][CP_DTLS_MAX_DGRAM], desc;
	size_t flen[4];
	int n, k = 0, received;

	(void)state;
	pair(&c, &s, 0, 0, cert_a, cert_b);
	to_second_flight(c, s);
	cp_dtls_free(s);                        /* the restart */
	while (k < 4 && (n = cp_dtls_output(c, flight[k], sizeof(flight[k]))) > 0)
		flen[k++] = (size_t)n;
	assert_true(k >= 1);
	assert_int_equal(flight[0][0], 22);     /* a handshake record ... */
	assert_int_not_equal(flight[0][13], 1); /* ... not a ClientHello */

	/* without the flag: nothing comes back */
	scfg.restarted = false;
	assert_int_equal(cp_dtls_create(&s2, cert_b, &scfg, &env_fast), 0);
	for (int i = 0; i < k; i++)
		assert_int_equal(cp_dtls_input(s2, flight[i], flen[i]), 0);
	assert_int_equal(cp_dtls_output(s2, b, sizeof(b)), 0);
	assert_int_equal(cp_dtls_state(s2), CP_DTLS_HANDSHAKING);
	cp_dtls_free(s2);

	/* restarted: an alert, and both ends fail */
	scfg.restarted = true;
	assert_int_equal(cp_dtls_create(&s2, cert_b, &scfg, &env_fast), 0);
	assert_int_equal(cp_dtls_input(s2, flight[0], flen[0]), CP_DTLS_E_LOST);
	assert_int_equal(cp_dtls_state(s2), CP_DTLS_FAILED);
	assert_int_equal(cp_dtls_alert(s2, &desc, &received), 0);
	assert_int_equal(desc, SSL_AD_UNEXPECTED_MESSAGE);
	assert_false(received);
	assert_int_equal(cp_dtls_input(s2, flight[0], flen[0]), -ESHUTDOWN);
	n = cp_dtls_output(s2, b, sizeof(b));
	assert_int_equal(n, 15);
	assert_int_equal(b[0], 21);             /* alert, DTLS 1.2, epoch 0, fatal */
	assert_int_equal(b[1], 0xfe);
	assert_int_equal(b[2], 0xfd);
	assert_int_equal(b[3] | b[4], 0);
	assert_int_equal(b[13], 2);
	assert_int_equal(cp_dtls_output(s2, b + 100, sizeof(b) - 100), 0);
	assert_int_equal(cp_dtls_input(c, b, (size_t)n), CP_DTLS_E_ALERT);
	assert_int_equal(cp_dtls_state(c), CP_DTLS_FAILED);
	assert_int_equal(cp_dtls_alert(c, &desc, &received), 0);
	assert_int_equal(desc, SSL_AD_UNEXPECTED_MESSAGE);
	assert_true(received);
	cp_dtls_free(c);
	cp_dtls_free(s2);

	/* restarted, and a client that starts afresh: a handshake as usual */
	{
		struct cp_dtls_cfg ccfg = { .role = CP_DTLS_CLIENT,
					    .peer_fingerprint = cp_dtls_cert_fingerprint(cert_b) };

		assert_int_equal(cp_dtls_create(&c, cert_a, &ccfg, &env_fast), 0);
		assert_int_equal(cp_dtls_create(&s2, cert_b, &scfg, &env_fast), 0);
		connected_ok(c, s2);
		check_keys(c, s2, SRTP_AEAD_AES_128_GCM);
		cp_dtls_free(c);
		cp_dtls_free(s2);
	}

	/* restarted: an alert alone, or a datagram too short for a record,
	 * is not taken for a handshake under way: OpenSSL gets it as before */
	{
		const uint8_t alert[15] = { 21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 2, 1, 0 };
		const uint8_t junk[5] = { 22, 0xfe, 0xfd, 0, 0 };

		assert_int_equal(cp_dtls_create(&s2, cert_b, &scfg, &env_fast), 0);
		assert_int_not_equal(cp_dtls_input(s2, alert, sizeof(alert)), CP_DTLS_E_LOST);
		assert_int_equal(cp_dtls_output(s2, b, sizeof(b)), 0);     /* nothing sent back */
		cp_dtls_free(s2);
		assert_int_equal(cp_dtls_create(&s2, cert_b, &scfg, &env_fast), 0);
		assert_int_not_equal(cp_dtls_input(s2, junk, sizeof(junk)), CP_DTLS_E_LOST);
		assert_int_equal(cp_dtls_output(s2, b, sizeof(b)), 0);
		assert_int_equal(cp_dtls_state(s2), CP_DTLS_HANDSHAKING);
	}
	cp_dtls_free(s2);
}

/* The client side of the same: the restart lost our client after its
 * ClientHello went out and the peer answered. The client made again sends
 * a new ClientHello; the peer, part-way, answers with its flight for the
 * old one, which the new client cannot take: it fails, and its alert fails
 * the peer at once (the session layer flushes it, as any output). */
static void
test_restarted_client(void **state)
{
	struct cp_dtls *c, *s, *c2;
	struct cp_dtls_cfg ccfg = { .role = CP_DTLS_CLIENT,
				    .peer_fingerprint = cp_dtls_cert_fingerprint(cert_b) };
	uint8_t b[CP_DTLS_MAX_DGRAM], desc;
	int rc_c, rc_s, n, received;

	(void)state;
	pair(&c, &s, 0, 0, cert_a, cert_b);
	drop = NULL;
	assert_int_equal(cp_dtls_start(c), 0);
	assert_int_equal(pump(c, s, NULL), 0);  /* the ClientHello; s answers ... */
	cp_dtls_free(c);                        /* ... to a client the restart lost */
	while (cp_dtls_output(s, b, sizeof(b)) > 0)
		;
	assert_int_equal(cp_dtls_create(&c2, cert_a, &ccfg, &env_fast), 0);
	run(c2, s, &rc_c, &rc_s);
	assert_int_equal(rc_c, CP_DTLS_E_HANDSHAKE);
	assert_int_equal(cp_dtls_state(c2), CP_DTLS_FAILED);
	rc_s = 0;
	while ((n = cp_dtls_output(c2, b, sizeof(b))) > 0)
		rc_s = cp_dtls_input(s, b, (size_t)n);
	assert_int_equal(rc_s, CP_DTLS_E_ALERT);
	assert_int_equal(cp_dtls_state(s), CP_DTLS_FAILED);
	assert_int_equal(cp_dtls_alert(s, &desc, &received), 0);
	assert_true(received);
	cp_dtls_free(c2);
	cp_dtls_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_profiles_roles),
		cmocka_unit_test(test_fingerprint_mismatch),
		cmocka_unit_test(test_retransmission),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_close_notify),
		cmocka_unit_test(test_plain_openssl_client),
		cmocka_unit_test(test_plain_openssl_server),
		cmocka_unit_test(test_cert_and_args),
		cmocka_unit_test(test_cert_pem_round_trip),
		cmocka_unit_test(test_restarted_server),
		cmocka_unit_test(test_restarted_client),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
