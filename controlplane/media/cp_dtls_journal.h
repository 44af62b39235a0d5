/*
 * cp_dtls_journal: the generated DTLS certificate outlives a control-plane
 * restart that takes the sessions over.
 *
 * Without media.dtls_certificate the control plane generates a certificate
 * at start (cp_dtls_cert_create). The DTLS associations of sessions and
 * calls a restarted control plane takes over (cp_journal) were made with the
 * old one, and the fingerprint it answers later re-offers with must be that
 * one's (a browser takes a new fingerprint for a new association, RFC 8842
 * §5, which the taken-over side cannot run). So the journal carries the
 * certificate and its private key (PEM) in section "dtls", and a control
 * plane taking the journal over replaces its freshly generated certificate
 * with the journaled one before anything used it (the sections load at the
 * first attach, before REST and the calls' media start).
 *
 * The private key is a secret: the journal is 0600 in a 0700 directory
 * (cp_journal). The module keeps the section's JSON built once (one copy of
 * the key text, wiped in place at cp_dtls_journal_fini) instead of encoding
 * the key at every journal write.
 *
 * A configured certificate stays authoritative: nothing is journaled, a
 * journaled one is ignored. A journal without the section (older builds)
 * leaves the generated certificate. Single-threaded (main loop).
 */
#ifndef CP_DTLS_JOURNAL_H
#define CP_DTLS_JOURNAL_H

struct cp_dtls_cert;

/** Called after the certificate was replaced from the journal. */
typedef void cp_dtls_journal_swap_fn(void);

/**
 * Journal *cert (a generated certificate) in section "dtls"; on a takeover
 * free it and set *cert to the journaled one, then call swapped (NULL: none).
 * *cert must stay valid until cp_dtls_journal_fini.
 * @return 0; -ENOMEM (PEM export failed); cp_journal_register's errors.
 */
int cp_dtls_journal_register(struct cp_dtls_cert **cert, cp_dtls_journal_swap_fn *swapped);

/** Wipe and drop the section's copy of the key (stop, tests). */
void cp_dtls_journal_fini(void);

#endif
