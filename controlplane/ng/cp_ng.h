/*
 * cp_ng: the rtpengine "ng" control protocol, so an unmodified Kamailio or
 * OpenSIPS rtpengine module can drive rtcgw.
 *
 * A request is one UDP datagram "<cookie> <bencode dictionary>"; the reply is
 * "<cookie> <bencode dictionary>" to the sender. The module decodes the
 * dictionary (cp_bencode), turns it into a struct cp_ng_req (every key and
 * flag the proxies send, unknown ones listed for the reply's "warning"),
 * answers ping itself and hands offer/answer/delete/query/list to a struct
 * cp_calls_ops: the seam the calls/media module plugs into. A retransmitted
 * request (same cookie from the same sender within calls.ng_cache_s) gets the
 * cached reply bytes and is not executed again.
 *
 * The socket is non-blocking and driven by the control plane's event loop:
 * poll cp_ng_fd() for readability, then call cp_ng_run().
 */
#ifndef CP_NG_H
#define CP_NG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_bencode.h"
#include "gw_config.h"

#define CP_NG_MAX_DGRAM   65535
#define CP_NG_MAX_NODES   1024    /* bencode items per request */
#define CP_NG_COOKIE_MAX  64
#define CP_NG_CACHE_SLOTS 256
#define CP_NG_WARN_LEN    512
#define CP_NG_REASON_LEN  160

/** A byte-string view into the request datagram (not NUL-terminated). */
struct cp_ng_str {
	const char *p;
	size_t len;
};

enum cp_ng_cmd {
	CP_NG_PING = 1,
	CP_NG_OFFER,
	CP_NG_ANSWER,
	CP_NG_DELETE,
	CP_NG_QUERY,
	CP_NG_LIST,
};

enum cp_ng_ice { CP_NG_ICE_UNSET, CP_NG_ICE_FORCE, CP_NG_ICE_REMOVE, CP_NG_ICE_DEFAULT };
enum cp_ng_dtls { CP_NG_DTLS_UNSET, CP_NG_DTLS_PASSIVE, CP_NG_DTLS_ACTIVE, CP_NG_DTLS_OFF };
enum cp_ng_proto {
	CP_NG_PROTO_UNSET,
	CP_NG_PROTO_RTP_AVP, CP_NG_PROTO_RTP_AVPF,
	CP_NG_PROTO_RTP_SAVP, CP_NG_PROTO_RTP_SAVPF,
	CP_NG_PROTO_UDP_TLS_RTP_SAVP, CP_NG_PROTO_UDP_TLS_RTP_SAVPF,
};

/* Bits of cp_ng_req.flags: the "flags" list items a proxy sends. */
#define CP_NG_F_TRUST_ADDRESS      (1u << 0)
#define CP_NG_F_SYMMETRIC          (1u << 1)
#define CP_NG_F_ASYMMETRIC         (1u << 2)
#define CP_NG_F_SIP_SOURCE_ADDRESS (1u << 3)
#define CP_NG_F_PORT_LATCHING      (1u << 4)
#define CP_NG_F_STRICT_SOURCE      (1u << 5)
#define CP_NG_F_MEDIA_HANDOVER     (1u << 6)
#define CP_NG_F_RESET              (1u << 7)
#define CP_NG_F_UNIDIRECTIONAL     (1u << 8)
#define CP_NG_F_LOOP_PROTECT       (1u << 9)
#define CP_NG_F_NO_RTCP_ATTRIBUTE  (1u << 10)
#define CP_NG_F_FULL_RTCP_ATTRIBUTE (1u << 11)
#define CP_NG_F_GENERATE_MID       (1u << 12)
#define CP_NG_F_FRAGMENT           (1u << 13)   /* trickle-ICE sdpfrag */
#define CP_NG_F_ALL                (1u << 14)   /* delete: every branch */
/* What the flags do: trust-address and asymmetric turn latching off
 * (symmetric, the default, keeps it), strict-source drops the party's media
 * from other sources once its address is known and media-handover moves the
 * address to them, SIP-source-address takes received-from as the address,
 * reset (in an offer on a known call) derives the other party's transport
 * from the offerer's and the flags again, as on a new call, fragment (an
 * offer carrying a trickle ICE sdpfrag) is taken for a known party without
 * a change (our WebRTC legs are ICE-lite), loop-protect marks the SDP we
 * rewrite and returns one we rewrote already unchanged
 * (cp_ng_set_instance), no-rtcp-attribute and full-rtcp-attribute set how
 * the SDP sent on writes a=rtcp and generate-mid gives its sections a=mid;
 * port-latching (keep our ports when the party's change), unidirectional
 * (rtpengine's kernel path then takes one-way media too) and all (delete)
 * are what rtcgw does anyway (ports are kept for the call's life; the
 * dataplane forwards media in one direction as in both; one answerer is
 * bridged). */

/* Bits of cp_ng_req.replace. */
#define CP_NG_REPLACE_ORIGIN             (1u << 0)
#define CP_NG_REPLACE_SESSION_CONNECTION (1u << 1)

/* Bits of cp_ng_req.rtcp_mux. */
#define CP_NG_RTCP_MUX_OFFER   (1u << 0)
#define CP_NG_RTCP_MUX_REQUIRE (1u << 1)
#define CP_NG_RTCP_MUX_DEMUX   (1u << 2)
#define CP_NG_RTCP_MUX_ACCEPT  (1u << 3)
#define CP_NG_RTCP_MUX_REJECT  (1u << 4)

/* Bits of cp_ng_req.sdes. */
#define CP_NG_SDES_OFF        (1u << 0)   /* "off" or "no" */
#define CP_NG_SDES_UNENCRYPTED_SRTP  (1u << 1)
#define CP_NG_SDES_UNENCRYPTED_SRTCP (1u << 2)
#define CP_NG_SDES_UNAUTHENTICATED_SRTP (1u << 3)

/** One parsed request. Views point into the datagram it was parsed from. */
struct cp_ng_req {
	enum cp_ng_cmd cmd;
	struct cp_ng_str call_id, from_tag, to_tag, via_branch, sdp, label;
	struct cp_ng_str received_from_family, received_from_addr;  /* "IP4", "198.18.0.1" */
	struct cp_ng_str media_address, address_family, sip_message_type;
	struct cp_ng_str direction[2];
	unsigned n_direction;
	enum cp_ng_ice ice;
	enum cp_ng_dtls dtls;
	enum cp_ng_proto proto;
	uint32_t flags;            /* CP_NG_F_* */
	uint32_t replace;          /* CP_NG_REPLACE_* */
	uint32_t rtcp_mux;         /* CP_NG_RTCP_MUX_* */
	uint32_t sdes;             /* CP_NG_SDES_* */
	int64_t limit;             /* list: most call-ids to return; -1: unset */
	int64_t delete_delay;      /* delete: seconds; -1: unset */
	char warning[CP_NG_WARN_LEN];  /* unknown keys and flags, "; "-separated */
};

/**
 * Turn a decoded request dictionary (node 0 of d) into req.
 * Unknown keys and flags are not errors: each is named in req->warning.
 * @return 0; -EINVAL with reason filled when the request must be refused
 *   (not a dictionary, missing or unknown command, a key of the wrong type,
 *   a missing call-id/from-tag/to-tag/sdp the command needs, a bad value for
 *   ICE/DTLS/transport-protocol, call recording asked for).
 */
int cp_ng_req_parse(struct cp_ng_req *req, const struct cp_bencode_doc *d,
		    char *reason, size_t reason_len);

/**
 * The seam to the calls/media module. Each operation gets the parsed request
 * and a reply buffer positioned inside the reply dictionary: on success it
 * appends its key/value pairs (offer/answer: "sdp"; query: "created", "tags",
 * ...; list: "calls") and returns 0; on failure it returns a negative errno
 * and writes a one-line reason (the reply becomes {"result": "error",
 * "error-reason": reason}, and whatever it appended is discarded).
 */
struct cp_calls_ops {
	int (*offer)(void *ctx, const struct cp_ng_req *req, struct cp_bencode_buf *reply,
		     char *reason, size_t reason_len);
	int (*answer)(void *ctx, const struct cp_ng_req *req, struct cp_bencode_buf *reply,
		      char *reason, size_t reason_len);
	int (*delete_call)(void *ctx, const struct cp_ng_req *req, struct cp_bencode_buf *reply,
			   char *reason, size_t reason_len);
	int (*query)(void *ctx, const struct cp_ng_req *req, struct cp_bencode_buf *reply,
		     char *reason, size_t reason_len);
	int (*list)(void *ctx, const struct cp_ng_req *req, struct cp_bencode_buf *reply,
		    char *reason, size_t reason_len);
};

/* Every ng outcome, counted (cp_ng_counters). */
#define CP_NG_FOREACH_COUNTER(_)                                          \
	_(REQUESTS,      "ng datagrams received")                        \
	_(REPLIES,       "ng replies sent")                               \
	_(RETRANSMITS,   "retransmitted requests answered from the cache")\
	_(BAD_COOKIE,    "datagrams without a valid cookie (dropped)")    \
	_(BAD_BENCODE,   "requests whose bencode did not decode")         \
	_(BAD_REQUEST,   "requests refused while parsing (error reply)")  \
	_(CMD_PING,      "ping")                                          \
	_(CMD_OFFER,     "offer")                                         \
	_(CMD_ANSWER,    "answer")                                        \
	_(CMD_DELETE,    "delete")                                        \
	_(CMD_QUERY,     "query")                                         \
	_(CMD_LIST,      "list")                                          \
	_(CMD_ERROR,     "commands answered with an error")               \
	_(WARNINGS,      "replies carrying a warning (unknown keys or flags)") \
	_(REPLY_TOO_BIG, "replies that did not fit a datagram (error sent)") \
	_(SEND_FAILED,   "replies the socket refused")                   \
	_(LOOP_SKIPPED,  "offers and answers with loop-protect whose SDP we had rewritten already (returned unchanged)")

enum cp_ng_counter {
#define _(sym, text) CP_NG_CNT_##sym,
	CP_NG_FOREACH_COUNTER(_)
#undef _
	CP_NG_CNT_MAX
};

struct cp_ng;

/**
 * Create the ng front, without a socket (cp_ng_handle works as is; tests and
 * fuzzers use it that way); cp_ng_listen() opens one.
 * @param ops the calls module; NULL: every command but ping is refused
 * @param cache_s how long replies are kept for retransmissions (0: no cache)
 * @return 0; -ENOMEM.
 */
int cp_ng_create(struct cp_ng **out, const struct cp_calls_ops *ops, void *ops_ctx,
		 uint32_t cache_s);

/**
 * Open the non-blocking UDP socket on addr.
 * @return 0; -errno when it cannot be opened or bound (err says why).
 */
int cp_ng_listen(struct cp_ng *ng, const struct gw_sockaddr4 *addr, char *err, size_t errlen);

/* The gateway's loop-protect mark: a=rtpengine:<id> (rtpengine's attribute). */
#define CP_NG_INSTANCE_LEN 32

/**
 * Set the id the SDP we rewrite carries with ng's loop-protect flag
 * (a=rtpengine:<id>, at most CP_NG_INSTANCE_LEN - 1 characters): an offer or
 * answer with loop-protect whose SDP already carries it is answered with the
 * SDP unchanged and touches no call (a call that passes the same proxy and
 * gateway twice is bridged once). Empty or unset: loop-protect has no effect.
 */
void cp_ng_set_instance(struct cp_ng *ng, const char *id);

/** NULL-safe; closes the socket and frees the cache. */
void cp_ng_free(struct cp_ng *ng);

/** The socket to poll for readability; -1 without one. */
int cp_ng_fd(const struct cp_ng *ng);

/** Answer every datagram waiting (at most a bounded batch); never blocks. */
void cp_ng_run(struct cp_ng *ng, uint64_t now_ms);

/**
 * Answer one request datagram from the sender identified by peer (any bytes
 * naming it; only compared) into out[0..cap).
 * @return the reply length; 0 when the datagram is dropped (no cookie).
 */
size_t cp_ng_handle(struct cp_ng *ng, const void *peer, size_t peer_len,
		    const uint8_t *dgram, size_t len, uint8_t *out, size_t cap,
		    uint64_t now_ms);

/** The value of one counter. */
uint64_t cp_ng_counter(const struct cp_ng *ng, enum cp_ng_counter c);

/**
 * Append the ng counters (rtcgw_ng_<name>_total) and the calls gauge
 * (rtcgw_calls_active) in Prometheus text format to the malloc'd *text
 * (which may be NULL), updating *text and *len.
 * @return 0; -ENOMEM (then *text is unchanged).
 */
int cp_ng_prometheus_append(const struct cp_ng *ng, uint64_t calls_active, char **text,
			    size_t *len);

/** The counter's name in lower case ("requests") and description. */
const char *cp_ng_counter_name(enum cp_ng_counter c);
const char *cp_ng_counter_help(enum cp_ng_counter c);

#endif
