/*
 * stunsrv: the decision logic of the gateway's STUN server (RFC 8489 Binding,
 * RFC 3489 Binding for old clients) and ICE-lite responder (RFC 8445 §7.3,
 * RFC 7675 consent), as pure functions from request bytes to response bytes
 * and an outcome. No DPDK, no allocation, no state: the dataplane glue
 * (dp_stun.c) moves the bytes in and out of mbufs and keeps the ICE table;
 * tests, the fuzzer and the benchmark call these directly.
 */
#ifndef GW_STUNSRV_H
#define GW_STUNSRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmac.h"
#include "stun.h"

/* Longest response either function writes: header, XOR-MAPPED-ADDRESS (v6),
 * SOFTWARE (up to 127 bytes), ERROR-CODE, UNKNOWN-ATTRIBUTES (8 types),
 * MESSAGE-INTEGRITY, FINGERPRINT. */
#define GW_STUNSRV_MAX_RESP 400

#define GW_ICE_UFRAG_MAX 32   /**< longest ufrag the gateway stores (RFC 8839 allows 256) */
#define GW_ICE_PWD_MAX   38   /**< longest local password (fits one IPC message) */
#define GW_ICE_UFRAG_MIN 4    /**< RFC 8839 §5.4 */
#define GW_ICE_PWD_MIN   22   /**< RFC 8839 §5.4 */

/*
 * Every outcome, with the counter text the dataplane uses for it.
 * Outcomes with a response have "answered" in their text.
 */
#define GW_FOREACH_STUNSRV_OUTCOME(_)                                                  \
	_(BINDING_OK,       "STUN Binding requests answered with success")              \
	_(CLASSIC_OK,       "RFC 3489 Binding requests answered with MAPPED-ADDRESS")   \
	_(BAD_REQUEST,      "malformed STUN requests answered with 400")                 \
	_(UNKNOWN_ATTR,     "STUN requests answered with 420 and UNKNOWN-ATTRIBUTES")    \
	_(NOT_BINDING,      "STUN requests of another method (handed to TURN)")          \
	_(DROP_MALFORMED,   "STUN messages dropped: malformed, no answer possible")     \
	_(DROP_FINGERPRINT, "STUN messages dropped: FINGERPRINT mismatch")               \
	_(DROP_CLASSIC,     "RFC 3489 messages dropped: not a Binding request, or CHANGE-REQUEST") \
	_(IGN_INDICATION,   "STUN indications ignored")                                  \
	_(IGN_RESPONSE,     "STUN success/error responses ignored")                      \
	_(ICE_OK,           "ICE checks answered with success")                          \
	_(ICE_NO_AUTH,      "ICE checks without USERNAME or MESSAGE-INTEGRITY answered 400") \
	_(ICE_NO_FP,        "ICE checks without FINGERPRINT answered 400")               \
	_(ICE_UNKNOWN_USER, "ICE checks with an unknown or mismatched USERNAME answered 401") \
	_(ICE_BAD_MAC,      "ICE checks with a wrong MESSAGE-INTEGRITY answered 401")    \
	_(ICE_ROLE_CONFLICT,"ICE checks from a controlled peer answered 487")            \
	_(DROP_NOSPC,       "STUN answers dropped: response did not fit")

enum gw_stunsrv_outcome {
#define GW_STUNSRV_ENUM(sym, text) GW_STUNSRV_##sym,
	GW_FOREACH_STUNSRV_OUTCOME(GW_STUNSRV_ENUM)
#undef GW_STUNSRV_ENUM
	GW_STUNSRV_MAX
};

/**
 * One ICE credential as the responder needs it: the local ufrag (the table
 * key), the precomputed key of the local password, and the remote ufrag
 * (length 0: not known yet, any accepted). Immutable while published.
 */
struct gw_ice_cred {
	struct gw_hmac_sha1_key key;
	uint8_t local_ufrag[GW_ICE_UFRAG_MAX];
	uint8_t remote_ufrag[GW_ICE_UFRAG_MAX];
	uint8_t local_ufrag_len;
	uint8_t remote_ufrag_len;
};

/**
 * Find the credential of a local ufrag (the part of USERNAME before ':').
 * @return the credential, or NULL when the ufrag is unknown.
 */
typedef const struct gw_ice_cred *gw_ice_lookup_fn(void *ctx, const uint8_t *ufrag,
						    size_t len);

/** What a request led to. */
struct gw_stunsrv_res {
	enum gw_stunsrv_outcome outcome;
	size_t len;                      /**< response bytes in out; 0: nothing to send */
	const struct gw_ice_cred *cred;  /**< ICE: the credential that authenticated */
	bool use_candidate;              /**< ICE_OK with USE-CANDIDATE */
	uint32_t priority;               /**< ICE: PRIORITY (0 when absent) */
};

/** The counter text of an outcome ("?" when out of range). */
const char *gw_stunsrv_outcome_text(enum gw_stunsrv_outcome o);

/**
 * Answer a datagram on the STUN port (RFC 8489 §6.3, no authentication).
 *
 * Binding request: success with XOR-MAPPED-ADDRESS of src (+ SOFTWARE when
 * software is non-empty, + FINGERPRINT when the request had one). An RFC 3489
 * Binding request (no magic cookie) gets MAPPED-ADDRESS and its 128-bit
 * transaction id back. Unknown comprehension-required attributes: 420 with
 * UNKNOWN-ATTRIBUTES; malformed attributes: 400. Requests of another method
 * are left to the caller (NOT_BINDING, no response). A FINGERPRINT that does
 * not match drops the packet.
 *
 * @param req, len   the UDP payload
 * @param src        the source address as seen by the gateway
 * @param software   SOFTWARE value (NUL-terminated, at most 127 bytes) or NULL
 * @param out, cap   response buffer (GW_STUNSRV_MAX_RESP is always enough);
 *                   must not overlap req
 * @param res        filled on every return
 * @return res->outcome (>= 0). No errors: every input has an outcome.
 */
enum gw_stunsrv_outcome gw_stunsrv_binding(const uint8_t *req, size_t len,
					   const struct gw_stun_addr *src, const char *software,
					   uint8_t *out, size_t cap, struct gw_stunsrv_res *res);

/**
 * Answer a datagram on a media port as an ICE-lite agent (always controlled).
 *
 * Order of checks: not STUN / FINGERPRINT mismatch: drop; indications and
 * responses: ignored; request of another method or malformed attributes: 400;
 * no FINGERPRINT, USERNAME or MESSAGE-INTEGRITY: 400; USERNAME not
 * "local:remote" with a known local ufrag (and the stored remote ufrag, when
 * there is one): 401; MESSAGE-INTEGRITY wrong: 401 (these errors carry no
 * MESSAGE-INTEGRITY, RFC 8489 §9.1.3); ICE-CONTROLLED present: 487 (a lite
 * agent cannot take the controlling role, RFC 8445 §6.1.1 and §7.3.1.1, so
 * the peer must); unknown comprehension-required attributes: 420; otherwise
 * success with XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT.
 * Authenticated responses (success, 487, 420) carry MESSAGE-INTEGRITY; every
 * response carries FINGERPRINT.
 *
 * @param lookup, ctx  credential lookup for the local ufrag
 * Other parameters as for gw_stunsrv_binding().
 * @return res->outcome (>= 0). No errors.
 */
enum gw_stunsrv_outcome gw_stunsrv_ice(const uint8_t *req, size_t len,
				       const struct gw_stun_addr *src, const char *software,
				       gw_ice_lookup_fn *lookup, void *ctx,
				       uint8_t *out, size_t cap, struct gw_stunsrv_res *res);

/**
 * Fill a credential (setup time: computes the HMAC key state).
 * @return 0, or -EINVAL (a length outside the GW_ICE_* limits, or a NULL
 *         argument), or -EIO (libcrypto failure).
 */
int gw_ice_cred_init(struct gw_ice_cred *c, const char *local_ufrag, const char *remote_ufrag,
		     const char *local_pwd);

/** Wipe a credential (NULL-safe). No errors. */
void gw_ice_cred_fini(struct gw_ice_cred *c);

/**
 * Is s a valid ice-char string (ALPHA / DIGIT / "+" / "/", RFC 8839 §5.4)
 * of min..max bytes? No errors.
 */
bool gw_ice_chars_ok(const char *s, size_t min, size_t max);

#endif
