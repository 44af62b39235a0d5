/*
 * stun: STUN message codec (RFC 8489, backward compatible with RFC 5389),
 * with the ICE (RFC 8445) and TURN (RFC 8656) attributes the gateway needs.
 *
 * Parsing fills a caller-owned view whose attribute references are offsets
 * into the caller's packet; nothing is copied or allocated. Encoding writes
 * into a caller buffer. The integrity checks take precomputed HMAC keys
 * (hmac.h) so a packet costs four hash compressions plus the message.
 *
 * Errors follow STYLE.md practice 4: 0 or a negative errno, or
 * GW_STUN_ERR(code) when the answer to a request is a STUN error response.
 */
#ifndef GW_STUN_H
#define GW_STUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmac.h"

/* ---- error convention (STYLE.md practice 4) ---------------------------- */
#define GW_ERR_STUN        0x10000                      /* above every errno */
#define GW_STUN_ERR(code)  (-(GW_ERR_STUN | (code)))    /* GW_STUN_ERR(420) */
#define GW_IS_STUN_ERR(e)  ((e) < 0 && (-(e) & GW_ERR_STUN))
#define GW_STUN_CODE(e)    (-(e) & 0xffff)

/* ---- constants --------------------------------------------------------- */
#define GW_STUN_HDR_LEN    20
#define GW_STUN_MAGIC      0x2112A442u
#define GW_STUN_TXID_LEN   12
#define GW_STUN_FP_XOR     0x5354554Eu   /* RFC 8489 §14.7 */
#define GW_STUN_MAX_PEERS  8             /* XOR-PEER-ADDRESS offsets kept */
#define GW_STUN_MAX_UNKNOWN 8            /* unknown comprehension-required types kept */
#define GW_STUN_MAX_REASON 763           /* ERROR-CODE reason phrase, bytes */

/** Message classes (RFC 8489 §5). */
enum gw_stun_class {
	GW_STUN_REQUEST    = 0,
	GW_STUN_INDICATION = 1,
	GW_STUN_SUCCESS    = 2,
	GW_STUN_ERROR      = 3,
};

/** Methods: Binding (RFC 8489) and TURN (RFC 8656). */
enum gw_stun_method {
	GW_STUN_BINDING           = 0x001,
	GW_STUN_ALLOCATE          = 0x003,
	GW_STUN_REFRESH           = 0x004,
	GW_STUN_SEND              = 0x006,
	GW_STUN_DATA              = 0x007,
	GW_STUN_CREATE_PERMISSION = 0x008,
	GW_STUN_CHANNEL_BIND      = 0x009,
};

/* Address families as on the wire (RFC 8489 §14.1). */
#define GW_STUN_FAMILY_IPV4 0x01
#define GW_STUN_FAMILY_IPV6 0x02

/* PASSWORD-ALGORITHM values (RFC 8489 §18.5). */
#define GW_STUN_PWALG_MD5    0x0001
#define GW_STUN_PWALG_SHA256 0x0002

/*
 * Every attribute the parser records: slot name and wire type. The view has
 * one struct gw_stun_attr per slot, indexed by enum gw_stun_attr_slot.
 */
#define GW_STUN_FOREACH_ATTR(_)                         \
	_(MAPPED_ADDRESS,            0x0001)            \
	_(USERNAME,                  0x0006)            \
	_(MESSAGE_INTEGRITY,         0x0008)            \
	_(ERROR_CODE,                0x0009)            \
	_(UNKNOWN_ATTRIBUTES,        0x000A)            \
	_(CHANNEL_NUMBER,            0x000C)            \
	_(LIFETIME,                  0x000D)            \
	_(XOR_PEER_ADDRESS,          0x0012)            \
	_(DATA,                      0x0013)            \
	_(REALM,                     0x0014)            \
	_(NONCE,                     0x0015)            \
	_(XOR_RELAYED_ADDRESS,       0x0016)            \
	_(REQUESTED_ADDRESS_FAMILY,  0x0017)            \
	_(EVEN_PORT,                 0x0018)            \
	_(REQUESTED_TRANSPORT,       0x0019)            \
	_(DONT_FRAGMENT,             0x001A)            \
	_(MESSAGE_INTEGRITY_SHA256,  0x001C)            \
	_(PASSWORD_ALGORITHM,        0x001D)            \
	_(USERHASH,                  0x001E)            \
	_(XOR_MAPPED_ADDRESS,        0x0020)            \
	_(RESERVATION_TOKEN,         0x0022)            \
	_(PRIORITY,                  0x0024)            \
	_(USE_CANDIDATE,             0x0025)            \
	_(ADDITIONAL_ADDRESS_FAMILY, 0x8000)            \
	_(ADDRESS_ERROR_CODE,        0x8001)            \
	_(PASSWORD_ALGORITHMS,       0x8002)            \
	_(ICMP,                      0x8004)            \
	_(SOFTWARE,                  0x8022)            \
	_(ALTERNATE_SERVER,          0x8023)            \
	_(FINGERPRINT,               0x8028)            \
	_(ICE_CONTROLLED,            0x8029)            \
	_(ICE_CONTROLLING,           0x802A)            \
	/* coturn's clients send ADDITIONAL-ADDRESS-FAMILY under the code point of \
	 * the draft before RFC 8656 (0x8032): read as an alias of 0x8000 */     \
	_(ADDITIONAL_ADDRESS_FAMILY_COTURN, 0x8032)

/** Wire attribute types: GW_STUN_ATTR_USERNAME == 0x0006, ... */
enum gw_stun_attr_type {
#define GW_STUN_ATTR_TYPE_(name, type) GW_STUN_ATTR_##name = type,
	GW_STUN_FOREACH_ATTR(GW_STUN_ATTR_TYPE_)
#undef GW_STUN_ATTR_TYPE_
};

/** View slots: v->attr[GW_STUN_A_USERNAME], ... */
enum gw_stun_attr_slot {
#define GW_STUN_ATTR_SLOT_(name, type) GW_STUN_A_##name,
	GW_STUN_FOREACH_ATTR(GW_STUN_ATTR_SLOT_)
#undef GW_STUN_ATTR_SLOT_
	GW_STUN_A_MAX
};

/**
 * Where one attribute's value sits in the message. off is the value's offset
 * from the start of the message (the attribute header is at off - 4);
 * off == 0 means the attribute is absent (a value never starts before 24).
 */
struct gw_stun_attr {
	uint32_t off;
	uint16_t len;
};

/* gw_stun_view.flags: things the parser accepted but recorded. */
#define GW_STUN_F_DUPLICATE    0x01u  /**< a repeated attribute was ignored (first kept) */
#define GW_STUN_F_AFTER_MI     0x02u  /**< attributes after MESSAGE-INTEGRITY(-SHA256) ignored */
#define GW_STUN_F_MANY_PEERS   0x04u  /**< more than GW_STUN_MAX_PEERS XOR-PEER-ADDRESS */
#define GW_STUN_F_MANY_UNKNOWN 0x08u  /**< more than GW_STUN_MAX_UNKNOWN unknown types */

/**
 * A parsed message. Caller-owned; the pointers and offsets refer to the
 * packet passed to gw_stun_parse(), which must outlive the view.
 */
struct gw_stun_view {
	const uint8_t *msg;           /**< start of the message */
	size_t len;                   /**< whole message: 20 + header length field */
	const uint8_t *txid;          /**< 12-byte transaction id, inside msg */
	uint16_t type;                /**< raw message type */
	uint16_t method;              /**< enum gw_stun_method value (12 bits) */
	uint8_t cls;                  /**< enum gw_stun_class */
	uint8_t n_peers;              /**< entries used in peers[] */
	uint8_t n_unknown;            /**< entries used in unknown[] */
	uint8_t flags;                /**< GW_STUN_F_* */
	uint16_t dup_type;            /**< first attribute type seen twice, if any */
	uint16_t unknown[GW_STUN_MAX_UNKNOWN]; /**< unknown comprehension-required types */
	/** first of each kind; 16-aligned: gw_stun_parse() clears it 16 bytes a store */
	_Alignas(16) struct gw_stun_attr attr[GW_STUN_A_MAX];
	struct gw_stun_attr peers[GW_STUN_MAX_PEERS];       /**< every XOR-PEER-ADDRESS */
};

/** A transport address: family GW_STUN_FAMILY_*, addr and port in host terms. */
struct gw_stun_addr {
	uint8_t family;     /**< GW_STUN_FAMILY_IPV4 or GW_STUN_FAMILY_IPV6 */
	uint16_t port;      /**< host byte order */
	uint8_t addr[16];   /**< network byte order; IPv4 uses the first 4 bytes */
};

/* ---- message type ------------------------------------------------------ */

/** Compose a 14-bit message type from a method (12 bits) and a class. No errors. */
uint16_t gw_stun_type(uint16_t method, enum gw_stun_class cls);

/* ---- parser ------------------------------------------------------------ */

/**
 * Parse a STUN message (RFC 8489 §5, §14, §15).
 *
 * The buffer must hold exactly one message: the header length field must be
 * len - 20 (UDP carries one message per datagram; stream transports frame
 * first with gw_stun_frame_len()). Attributes: each padded length must fit;
 * fixed-size ones must have exactly their size; a repeated attribute keeps
 * its first instance (flag GW_STUN_F_DUPLICATE, RFC 8489 §14); attributes
 * after MESSAGE-INTEGRITY are ignored except MESSAGE-INTEGRITY-SHA256 and
 * FINGERPRINT, and after MESSAGE-INTEGRITY-SHA256 all but FINGERPRINT
 * (§14.5, §14.6); FINGERPRINT must be last (§14.7). Padding is not checked.
 * No integrity or fingerprint check is made here: see gw_stun_check_*().
 *
 * @param v    view to fill (always cleared first)
 * @param p    message bytes; must stay valid while v is used
 * @param len  bytes at p
 * @return 0 on success, or
 *   -EINVAL             v or p NULL;
 *   -EBADMSG            not a STUN message: shorter than 20 bytes, top two
 *                       bits set, length not a multiple of 4 or not len - 20
 *                       (drop it);
 *   -EPROTONOSUPPORT    well framed but no magic cookie: an RFC 3489 message,
 *                       which this codec does not speak (drop it);
 *   GW_STUN_ERR(400)    malformed attributes (overrun, wrong size, bad
 *                       address family, data after FINGERPRINT);
 *   GW_STUN_ERR(420)    unknown comprehension-required attributes, listed in
 *                       v->unknown[] (RFC 8489 §6.3.1).
 *   On GW_STUN_ERR returns, v->type, cls, method and txid are valid, so a
 *   request can be answered; the attribute slots are only partially filled.
 */
int gw_stun_parse(struct gw_stun_view *v, const uint8_t *p, size_t len);

/**
 * Length of the STUN message at the start of a stream buffer (RFC 8489 §6.2.2).
 * @return 20 + the header length field (> 0), or -EAGAIN (fewer than 20
 *         bytes), or -EBADMSG (top bits set, no magic cookie, or length not a
 *         multiple of 4).
 */
int gw_stun_frame_len(const uint8_t *p, size_t len);

/* ---- accessors ----------------------------------------------------------- */

/**
 * Decode a plain address attribute (MAPPED-ADDRESS, ALTERNATE-SERVER).
 * @param a  an attribute reference from v (e.g. &v->attr[GW_STUN_A_MAPPED_ADDRESS])
 * @return 0, or -ENOENT (absent), or -EBADMSG (family/length mismatch).
 */
int gw_stun_get_addr(const struct gw_stun_view *v, const struct gw_stun_attr *a,
		     struct gw_stun_addr *out);

/**
 * Decode an XOR'ed address attribute (XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS,
 * XOR-RELAYED-ADDRESS): port ^ cookie>>16, address ^ cookie || txid (§14.2).
 * @return 0, or -ENOENT (absent), or -EBADMSG (family/length mismatch).
 */
int gw_stun_get_xor_addr(const struct gw_stun_view *v, const struct gw_stun_attr *a,
			 struct gw_stun_addr *out);

/**
 * Read a 32-bit attribute (PRIORITY, LIFETIME, CHANNEL-NUMBER, ...).
 * @return 0, or -ENOENT (absent), or -EBADMSG (length is not 4).
 */
int gw_stun_get_u32(const struct gw_stun_view *v, const struct gw_stun_attr *a,
		    uint32_t *out);

/**
 * Read a 64-bit attribute (ICE-CONTROLLING / ICE-CONTROLLED tie-breaker,
 * RESERVATION-TOKEN).
 * @return 0, or -ENOENT (absent), or -EBADMSG (length is not 8).
 */
int gw_stun_get_u64(const struct gw_stun_view *v, const struct gw_stun_attr *a,
		    uint64_t *out);

/**
 * Point at a variable-length attribute's value (USERNAME, REALM, NONCE,
 * SOFTWARE, DATA, USERHASH, ...). Strings are not NUL-terminated.
 * @return 0, or -ENOENT (absent).
 */
int gw_stun_get_bytes(const struct gw_stun_view *v, const struct gw_stun_attr *a,
		      const uint8_t **p, size_t *n);

/**
 * Decode ERROR-CODE (§14.8): code = class * 100 + number.
 * @param reason, rlen  reason phrase (UTF-8, not NUL-terminated); may be NULL
 * @return 0, or -ENOENT (absent), or -EBADMSG (class outside 3..6 or
 *         number above 99).
 */
int gw_stun_get_error(const struct gw_stun_view *v, uint16_t *code,
		      const uint8_t **reason, size_t *rlen);

/**
 * Read PASSWORD-ALGORITHM's algorithm number (§14.12).
 * @return 0, or -ENOENT (absent), or -EBADMSG (parameter length overruns).
 */
int gw_stun_get_password_algorithm(const struct gw_stun_view *v, uint16_t *alg);

/* ---- integrity and fingerprint ------------------------------------------ */

/**
 * Check FINGERPRINT (§14.7): CRC-32 of the message before the attribute,
 * xor 0x5354554e. The parser guarantees FINGERPRINT is last, so the length
 * field as it stands in the packet is the one the sender hashed.
 * @return 0, or -ENOENT (no FINGERPRINT), or -EBADMSG (mismatch: treat the
 *         packet as not STUN).
 */
int gw_stun_check_fingerprint(const struct gw_stun_view *v);

/** CRC-32 (the ISO-HDLC one, zlib's crc32() from a zero start) of p[0..n). */
typedef uint32_t gw_stun_crc32_fn(const uint8_t *p, size_t n);

/**
 * Compute FINGERPRINT with fn from now on (NULL: zlib's crc32(), the
 * default). The dataplane plugs DPDK's PCLMULQDQ CRC in (dp_crc) once at
 * start-up, before its workers run; not safe against concurrent users.
 */
void gw_stun_set_crc32(gw_stun_crc32_fn *fn);

/**
 * Check MESSAGE-INTEGRITY (§14.5): HMAC-SHA1 over the message up to the
 * attribute, with the header length field adjusted to end at the attribute.
 * Constant-time comparison.
 * @param k  key from gw_hmac_sha1_key_init() over the short-term password or
 *           the long-term key (gw_stun_longterm_key_md5())
 * @return 0, or -ENOENT (no MESSAGE-INTEGRITY), or GW_STUN_ERR(401) (mismatch).
 */
int gw_stun_check_integrity(const struct gw_stun_view *v, const struct gw_hmac_sha1_key *k);

/**
 * Check MESSAGE-INTEGRITY-SHA256 (§14.6), which may be truncated to 16..32
 * bytes (the parser enforces the range). Constant-time comparison.
 * @return 0, or -ENOENT (absent), or GW_STUN_ERR(401) (mismatch).
 */
int gw_stun_check_integrity_sha256(const struct gw_stun_view *v,
				   const struct gw_hmac_sha256_key *k);

/* ---- credentials (setup time, not per packet) --------------------------- */

/**
 * Long-term key, MD5 algorithm (RFC 8489 §9.2.2): MD5(user ":" realm ":" pass).
 * No SASLprep/OpaqueString processing is done: the strings are hashed as
 * given, so the caller must pass already-prepared (in practice ASCII
 * password) strings. Uses libcrypto's EVP API, which allocates internally.
 * @return 0, or -EINVAL (NULL argument), or -EIO (libcrypto failure).
 */
int gw_stun_longterm_key_md5(uint8_t key[16], const char *user, const char *realm,
			     const char *pass);

/**
 * Long-term key, SHA-256 algorithm (§9.2.2): SHA-256(user ":" realm ":" pass).
 * Same string rules as gw_stun_longterm_key_md5().
 * @return 0, or -EINVAL (NULL argument), or -EIO (libcrypto failure).
 */
int gw_stun_longterm_key_sha256(uint8_t key[32], const char *user, const char *realm,
				const char *pass);

/**
 * USERHASH value (§14.4): SHA-256(user ":" realm).
 * @return 0, or -EINVAL (NULL argument), or -EIO (libcrypto failure).
 */
int gw_stun_userhash(uint8_t out[32], const char *user, const char *realm);

/* ---- encoder ------------------------------------------------------------- */

/**
 * Encoder state: a cursor into a caller buffer. The header length field is
 * kept current after each attribute. The encoder reads back only bytes it has
 * written itself (to compute MESSAGE-INTEGRITY and FINGERPRINT); inputs such
 * as txid or attribute values must not overlap the unwritten part of buf.
 * Every gw_stun_enc_* call either appends one whole attribute or, on error,
 * leaves the buffer and length unchanged.
 */
struct gw_stun_enc {
	uint8_t *buf;
	size_t cap;
	size_t len;
	uint8_t pad;     /**< padding byte value, 0 unless gw_stun_enc_set_pad() */
};

/**
 * Start a message: header with the given type, magic cookie and txid.
 * @param type  full 14-bit type, e.g. gw_stun_type(GW_STUN_BINDING, GW_STUN_SUCCESS)
 * @return 0, or -EINVAL (NULL argument, or top two bits of type set),
 *         or -ENOSPC (cap < 20).
 */
int gw_stun_enc_init(struct gw_stun_enc *e, uint8_t *buf, size_t cap, uint16_t type,
		     const uint8_t txid[GW_STUN_TXID_LEN]);

/**
 * Set the byte used for padding subsequent attributes. The default, and what
 * RFC 8489 §14 recommends, is zero; RFC 5769's vectors pad with 0x20, and this
 * is here to reproduce them byte for byte. No errors.
 */
void gw_stun_enc_set_pad(struct gw_stun_enc *e, uint8_t pad);

/**
 * Append an attribute with an arbitrary value (strings, DATA, USERHASH, ...).
 * @return 0, or -EINVAL (p NULL with n > 0, or n > 65535),
 *         or -ENOSPC (does not fit, or message length would pass 65535).
 */
int gw_stun_enc_bytes(struct gw_stun_enc *e, uint16_t type, const void *p, size_t n);

/** Append a 32-bit attribute. @return 0 or -ENOSPC. */
int gw_stun_enc_u32(struct gw_stun_enc *e, uint16_t type, uint32_t val);

/** Append a 64-bit attribute (ICE tie-breaker, RESERVATION-TOKEN). @return 0 or -ENOSPC. */
int gw_stun_enc_u64(struct gw_stun_enc *e, uint16_t type, uint64_t val);

/**
 * Append a plain address attribute (MAPPED-ADDRESS, ALTERNATE-SERVER).
 * @return 0, or -EINVAL (NULL a or unknown family), or -ENOSPC.
 */
int gw_stun_enc_addr(struct gw_stun_enc *e, uint16_t type, const struct gw_stun_addr *a);

/**
 * Append an XOR'ed address attribute (XOR-MAPPED-ADDRESS, XOR-PEER-ADDRESS,
 * XOR-RELAYED-ADDRESS), using the txid already in the header.
 * @return 0, or -EINVAL (NULL a or unknown family), or -ENOSPC.
 */
int gw_stun_enc_xor_addr(struct gw_stun_enc *e, uint16_t type, const struct gw_stun_addr *a);

/**
 * Append ERROR-CODE (§14.8).
 * @param code    300..699
 * @param reason  UTF-8 reason phrase, NUL-terminated, at most 763 bytes; may be NULL
 * @return 0, or -EINVAL (code or reason out of range), or -ENOSPC.
 */
int gw_stun_enc_error(struct gw_stun_enc *e, uint16_t code, const char *reason);

/**
 * Append UNKNOWN-ATTRIBUTES (§14.9) listing n attribute types.
 * @return 0, or -EINVAL (types NULL with n > 0, or n > 32767), or -ENOSPC.
 */
int gw_stun_enc_unknown_attrs(struct gw_stun_enc *e, const uint16_t *types, size_t n);

/**
 * Append MESSAGE-INTEGRITY (HMAC-SHA1, §14.5) over everything written so far.
 * @return 0, or -EINVAL (k NULL), or -ENOSPC.
 */
int gw_stun_enc_integrity(struct gw_stun_enc *e, const struct gw_hmac_sha1_key *k);

/**
 * Append MESSAGE-INTEGRITY-SHA256 (§14.6, full 32 bytes).
 * @return 0, or -EINVAL (k NULL), or -ENOSPC.
 */
int gw_stun_enc_integrity_sha256(struct gw_stun_enc *e, const struct gw_hmac_sha256_key *k);

/** Append FINGERPRINT (§14.7); it must be the last attribute. @return 0 or -ENOSPC. */
int gw_stun_enc_fingerprint(struct gw_stun_enc *e);

/** Bytes of the message written so far (header included). No errors. */
size_t gw_stun_enc_len(const struct gw_stun_enc *e);

#endif
