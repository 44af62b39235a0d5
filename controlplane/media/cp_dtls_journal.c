/* The generated DTLS certificate in the journal; see cp_dtls_journal.h. */
#include "cp_dtls_journal.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "cp_dtls.h"
#include "cp_journal.h"
#include "cp_log.h"
#include "ct.h"

#define CERT_PEM_MAX 4096   /* a generated P-256 certificate is about 600 bytes */
#define KEY_PEM_MAX  2048   /* its PKCS#8 key about 240 */

static struct {
	struct cp_dtls_cert **cert;
	cp_dtls_journal_swap_fn *swapped;
	json_t *sec;            /* {"cert": PEM, "key": PEM}, built once */
} S;

/* Wipe the key text inside a section object, then drop our reference. */
static void
sec_drop(json_t *o)
{
	json_t *k = json_object_get(o, "key");

	/* jansson frees strings without clearing them; its buffer is ours to
	 * clear (a string value is not hashed, only its length is kept). */
	if (json_is_string(k) && o->refcount == 1)
		gw_wipe((void *)(uintptr_t)json_string_value(k), json_string_length(k));
	json_decref(o);
}

static json_t *
sec_build(const struct cp_dtls_cert *c)
{
	char cp[CERT_PEM_MAX], kp[KEY_PEM_MAX];
	json_t *o = NULL;

	if (cp_dtls_cert_pem(c, cp, sizeof(cp), kp, sizeof(kp)) == 0)
		o = json_pack("{s:s, s:s}", "cert", cp, "key", kp);
	gw_wipe(kp, sizeof(kp));
	return o;
}

static json_t *
journal_save(void *ctx)
{
	(void)ctx;
	/* the journal's writer takes this reference and drops it after the write;
	 * after fini (stopping) a null keeps the other sections writable */
	return S.sec != NULL ? json_incref(S.sec) : json_null();
}

static int
journal_load(void *ctx, json_t *v)
{
	struct cp_dtls_cert *c = NULL;
	const char *cp, *kp;
	size_t cl, kl;
	int rc;

	(void)ctx;
	if (json_is_null(v))
		return 0;
	if (json_unpack(v, "{s:s%, s:s%}", "cert", &cp, &cl, "key", &kp, &kl) != 0)
		return -EINVAL;
	rc = cp_dtls_cert_from_pem(&c, cp, cl, kp, kl);
	if (rc != 0) {
		/* the sessions are still taken over; their re-offers get the new
		 * fingerprint, as before certificates were journaled */
		CP_WARN("journal: DTLS certificate unreadable: going on with a new one (%s)",
			cp_dtls_cert_fingerprint(*S.cert));
		return rc;
	}
	cp_dtls_cert_free(*S.cert);
	*S.cert = c;
	/* keep the journal's object (the same text) for later writes */
	sec_drop(S.sec);
	S.sec = json_incref(v);
	CP_NOTICE("DTLS certificate taken over from the journal (%s)", cp_dtls_cert_fingerprint(c));
	if (S.swapped != NULL)
		S.swapped();
	return 0;
}

int
cp_dtls_journal_register(struct cp_dtls_cert **cert, cp_dtls_journal_swap_fn *swapped)
{
	int rc;

	S.cert = cert;
	S.swapped = swapped;
	S.sec = sec_build(*cert);
	if (S.sec == NULL)
		return -ENOMEM;
	rc = cp_journal_register("dtls", journal_save, journal_load, NULL);
	if (rc != 0)
		cp_dtls_journal_fini();
	return rc;
}

void
cp_dtls_journal_fini(void)
{
	sec_drop(S.sec);
	memset(&S, 0, sizeof(S));
}
