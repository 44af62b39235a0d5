/*
 * cp_dtls: DTLS-SRTP (RFC 5764, RFC 8827) endpoints for the control plane,
 * on OpenSSL 3 with a datagram BIO of our own: the module takes datagrams in
 * (from the punt ring) and hands datagrams out (for the tx ring); it knows no
 * DPDK type and does no I/O, so tests run two endpoints in one process.
 *
 * - DTLS 1.2. DTLS 1.3 is not offered: OpenSSL 3.0 (Debian 12) has no DTLS
 *   1.3, and OpenSSL 3.x releases with it are not what the project builds on.
 * - The gateway's certificate: ECDSA P-256, self-signed, generated at start-up
 *   (cp_dtls_cert_create) or loaded from PEM files (cp_dtls_cert_load); its
 *   SHA-256 fingerprint in SDP form ("sha-256 AB:CD:...", RFC 8122).
 * - The peer's certificate is accepted only when its SHA-256 fingerprint
 *   equals the one its SDP gave (constant-time compare); a mismatch fails the
 *   handshake with a bad_certificate alert and CP_DTLS_E_FINGERPRINT.
 * - use_srtp offers SRTP_AEAD_AES_128_GCM and SRTP_AES128_CM_SHA1_80 (in that
 *   order of preference); the negotiated profile's keys are exported (RFC 5764
 *   §4.2: client key, server key, client salt, server salt) straight into the
 *   GW_IPC_SRTP_ADD_REQ payload that dp_srtp takes.
 * - Retransmission: OpenSSL's DTLS timer with durations set by this module
 *   (initial, doubling, capped); cp_dtls_tick() runs DTLSv1_handle_timeout
 *   when the injected clock says the deadline passed. OpenSSL 3.0 measures
 *   its own deadline with gettimeofday() and has no clock hook, so the
 *   injected clock can hold a retransmission back but not bring it forward:
 *   tests advance both (a short initial timeout and a real sleep).
 * - close_notify and alerts are reported (cp_dtls_alert, error codes).
 * - An endpoint that replaces one a control-plane restart lost (cfg.restarted,
 *   server role) may meet a peer part-way through a handshake with the lost
 *   one. OpenSSL cannot save a handshake in progress, so that handshake cannot
 *   go on; rather than ignore the peer's flight (which it would resend into
 *   silence until its own retransmissions run out: Chromium had not given up
 *   20 s later in test_calls_takeover.sh), the endpoint answers it with a
 *   fatal unexpected_message alert, so the peer fails at once and its
 *   application can negotiate again (CP_DTLS_E_LOST).
 *
 * Error codes (negative errno, one per outcome the session layer treats apart):
 *   CP_DTLS_E_FINGERPRINT (-EKEYREJECTED) peer certificate does not match the SDP fingerprint
 *   CP_DTLS_E_ALERT       (-ECONNABORTED) the peer sent a fatal alert
 *   CP_DTLS_E_CLOSED      (-ECONNRESET)   the peer sent close_notify
 *   CP_DTLS_E_TIMEOUT     (-ETIMEDOUT)    retransmissions exhausted
 *   CP_DTLS_E_NOSRTP      (-ENOPROTOOPT)  handshake done without an SRTP profile
 *   CP_DTLS_E_LOST        (-ESTALE)       cfg.restarted: the peer's handshake began with
 *                                         the endpoint a restart lost; alert sent
 *   CP_DTLS_E_HANDSHAKE   (-EPROTO)       any other handshake failure
 *
 * Single-threaded: every call for one endpoint from the control plane's loop.
 */
#ifndef CP_DTLS_H
#define CP_DTLS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gw_ipc.h"

#define CP_DTLS_E_FINGERPRINT (-EKEYREJECTED)
#define CP_DTLS_E_ALERT       (-ECONNABORTED)
#define CP_DTLS_E_CLOSED      (-ECONNRESET)
#define CP_DTLS_E_TIMEOUT     (-ETIMEDOUT)
#define CP_DTLS_E_NOSRTP      (-ENOPROTOOPT)
#define CP_DTLS_E_LOST        (-ESTALE)
#define CP_DTLS_E_HANDSHAKE   (-EPROTO)

#define CP_DTLS_FP_LEN        (8 + 32 * 3)   /* "sha-256 " + 32 "XX:" - 1 + NUL */
#define CP_DTLS_MAX_DGRAM     1500           /* largest datagram in or out */
#define CP_DTLS_OUTQ          16             /* datagrams buffered for the tx ring */

enum cp_dtls_role {
	CP_DTLS_CLIENT = 1,     /* SDP a=setup:active: sends the ClientHello */
	CP_DTLS_SERVER = 2,     /* a=setup:passive */
};

enum cp_dtls_state {
	CP_DTLS_HANDSHAKING = 1,
	CP_DTLS_CONNECTED,      /* keys available */
	CP_DTLS_CLOSED,         /* close_notify sent or received */
	CP_DTLS_FAILED,         /* handshake failed, fatal alert, timeout */
};

/** Clock and timer policy (STYLE.md practice 15). */
struct cp_dtls_env {
	uint64_t (*now_ms)(void *arg);  /* monotonic milliseconds */
	void *arg;
	uint32_t initial_timeout_ms;    /* first retransmission (0: 1000, RFC 6347 §4.2.4.1) */
	uint32_t max_timeout_ms;        /* back-off cap (0: 60000) */
};

/** Per-endpoint settings. */
struct cp_dtls_cfg {
	enum cp_dtls_role role;
	const char *peer_fingerprint;   /* the peer's SDP a=fingerprint value: "sha-256 AB:..." */
	uint16_t mtu;                   /* largest datagram to send (0: 1200) */
	uint16_t profile;               /* 0: offer both; else only this DTLS-SRTP profile id */
	bool restarted;                 /* server: replaces an endpoint a restart lost */
};

struct cp_dtls_cert;
struct cp_dtls;

/**
 * Generate the gateway's certificate: ECDSA P-256 key, self-signed X.509v3,
 * CN "rtcgw", valid from a day ago for 30 days, random serial.
 * @return 0; -ENOMEM; -EIO from OpenSSL.
 */
int cp_dtls_cert_create(struct cp_dtls_cert **out);

/**
 * Load a certificate and its private key from PEM files.
 * @return 0; -ENOENT (a file missing, err names it); -EINVAL (not PEM, or the
 *         key does not match the certificate); -ENOMEM.
 */
int cp_dtls_cert_load(struct cp_dtls_cert **out, const char *cert_pem, const char *key_pem,
		      char *err, size_t errlen);

/**
 * Write a certificate and its private key as PEM (X.509 "CERTIFICATE" and
 * PKCS#8 "PRIVATE KEY", unencrypted), NUL-terminated, into the caller's
 * buffers: how a generated certificate outlives a control-plane restart (the
 * journal). key_pem holds a secret: the caller wipes it (gw_wipe) after use.
 * @return 0; -ENOSPC (a buffer too small, both left empty); -ENOMEM; -EIO.
 */
int cp_dtls_cert_pem(const struct cp_dtls_cert *c, char *cert_pem, size_t cert_cap,
		     char *key_pem, size_t key_cap);

/**
 * cp_dtls_cert_load from PEM text in memory (cp_dtls_cert_pem's output).
 * @return 0; -EINVAL (not PEM, or the key does not match the certificate);
 *         -ENOMEM; -EIO.
 */
int cp_dtls_cert_from_pem(struct cp_dtls_cert **out, const char *cert_pem, size_t cert_len,
			  const char *key_pem, size_t key_len);

/** Free a certificate (endpoints keep their own references). NULL-safe. */
void cp_dtls_cert_free(struct cp_dtls_cert *c);

/** The certificate's fingerprint for SDP: "sha-256 AB:CD:..." (95 hex/colon chars). */
const char *cp_dtls_cert_fingerprint(const struct cp_dtls_cert *c);

/**
 * Parse an SDP fingerprint value ("sha-256" and 32 colon-separated hex bytes,
 * either case) into its 32 bytes.
 * @return 0; -ENOTSUP for another hash function; -EINVAL when malformed.
 */
int cp_dtls_fingerprint_parse(uint8_t out[32], const char *s);

/**
 * Create an endpoint. A client sends its ClientHello on the first
 * cp_dtls_start(); a server waits for input.
 * @return 0; -EINVAL (role, fingerprint, mtu < 256 or > CP_DTLS_MAX_DGRAM,
 *         profile, env without clock); -ENOTSUP (fingerprint hash not
 *         sha-256); -ENOMEM; -EIO from OpenSSL.
 */
int cp_dtls_create(struct cp_dtls **out, const struct cp_dtls_cert *cert,
		   const struct cp_dtls_cfg *cfg, const struct cp_dtls_env *env);

/** Free an endpoint (no close_notify: call cp_dtls_close first for that). NULL-safe. */
void cp_dtls_free(struct cp_dtls *d);

/**
 * Start the handshake: a client queues its ClientHello. A server does
 * nothing until input. Idempotent.
 * @return 0; the error codes of cp_dtls_input.
 */
int cp_dtls_start(struct cp_dtls *d);

/**
 * Feed one datagram from the peer (DTLS records, RFC 7983 first byte 20-63).
 * Application data after the handshake is discarded (no SCTP here).
 * @return 0 (check cp_dtls_state: CONNECTED once the handshake completed);
 *         CP_DTLS_E_* as listed above; -EINVAL for an empty or oversized
 *         datagram; -ESHUTDOWN when the endpoint already failed or closed.
 */
int cp_dtls_input(struct cp_dtls *d, const uint8_t *p, size_t len);

/**
 * Take the next datagram to send to the peer.
 * @return its length (> 0); 0 when none is queued; -ENOBUFS when cap is
 *         smaller than the datagram (it stays queued).
 */
int cp_dtls_output(struct cp_dtls *d, uint8_t *buf, size_t cap);

/**
 * Milliseconds until cp_dtls_tick has work, by the injected clock.
 * @return >= 0; -1 when no retransmission timer runs.
 */
int64_t cp_dtls_timeout_ms(struct cp_dtls *d);

/**
 * Retransmit the last flight when its timer expired (injected clock, see the
 * header comment), doubling the timeout.
 * @return 1 when a flight was queued again; 0 when nothing was due;
 *         CP_DTLS_E_TIMEOUT when the retransmissions ran out (endpoint failed).
 */
int cp_dtls_tick(struct cp_dtls *d);

/** The endpoint's state. */
enum cp_dtls_state cp_dtls_state(const struct cp_dtls *d);

/**
 * The last alert sent or received.
 * @param desc      TLS AlertDescription (0 close_notify, 42 bad_certificate, ...)
 * @param received  1 when the peer sent it, 0 when we did
 * @return 0; -ENOENT when no alert was seen.
 */
int cp_dtls_alert(const struct cp_dtls *d, uint8_t *desc, int *received);

/**
 * The negotiated SRTP keys, in the IPC form dp_srtp takes: this side's
 * receive half is the peer's write key (RFC 5764 §4.2), flags both halves.
 * GCM salts take 12 of the 14 bytes, the rest zero. The caller wipes *m
 * after enqueueing it.
 * @return 0; -EAGAIN before CONNECTED; -EIO from OpenSSL.
 */
int cp_dtls_srtp_keys(struct cp_dtls *d, uint32_t leg_id, struct gw_ipc_srtp_keys *m);

/**
 * Send close_notify (queued for output) and move to CLOSED.
 * @return 0; -ESHUTDOWN when already closed or failed.
 */
int cp_dtls_close(struct cp_dtls *d);

#endif
