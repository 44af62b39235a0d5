/*
 * cp_sdp: SDP (RFC 8866) as the gateway speaks it: a strict, bounded parser,
 * a generator, the WebRTC answerer (RFC 8829 JSEP, RFC 8843 BUNDLE, RFC 8839
 * ICE, RFC 8842 DTLS), an offer/leg renderer for plain RTP/AVP and SDES-SRTP
 * legs (SIP bridging), and the trickle-ice-sdpfrag parser (RFC 8840) for WHIP
 * and WHEP PATCH requests.
 *
 * Data model: one struct cp_sdp holds the whole description by value (fixed
 * arrays, no pointers), so it can be copied, compared with memcmp after a
 * round trip, and rewritten field by field. Everything the gateway does not
 * interpret is kept verbatim (the "other" attribute lists) and generated again
 * unchanged, so a description can be passed on with only the transport fields
 * rewritten: protocol, c=/m= address and port, ICE, fingerprint/setup,
 * a=crypto (SDES), rtcp-mux, a=rtcp.
 *
 * Limits (CP_SDP_MAX_*) are hard: input beyond them is an error naming the
 * line, never a truncation. Every parse error reads
 *   "line N: <field>: <reason>: <the line, at most 80 chars>".
 *
 * No allocation, no I/O, no DPDK types: libc only. Not thread-safe per object.
 */
#ifndef CP_SDP_H
#define CP_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- limits ------------------------------------------------------------ */
#define CP_SDP_MAX_LEN       65536  /* bytes of one description or fragment */
#define CP_SDP_MAX_LINE      1024   /* bytes of one line, terminator excluded */
#define CP_SDP_MAX_MEDIA     16     /* m= sections */
#define CP_SDP_MAX_CODECS    40     /* payload types on one m= line */
#define CP_SDP_MAX_FB        6      /* a=rtcp-fb per payload type */
#define CP_SDP_MAX_FB_WILD   6      /* a=rtcp-fb:* per m= section */
#define CP_SDP_MAX_EXTMAP    20     /* a=extmap per section */
#define CP_SDP_MAX_CANDS     24     /* a=candidate per m= section */
#define CP_SDP_MAX_SSRC_ATTR 32     /* a=ssrc lines per m= section */
#define CP_SDP_MAX_SSRC_GRP  4      /* a=ssrc-group per m= section */
#define CP_SDP_MAX_GRP_SSRC  8      /* SSRCs in one a=ssrc-group */
#define CP_SDP_MAX_CRYPTO    4      /* a=crypto per m= section */
#define CP_SDP_MAX_BW        4      /* b= per section */
#define CP_SDP_MAX_OTHER     32     /* uninterpreted a= lines per section */
#define CP_SDP_MAX_EXTRA     8      /* i=, u=, e=, p=, r=, z=, k=, extra t= */
#define CP_SDP_MAX_GROUPS    4      /* a=group */
#define CP_SDP_MAX_GROUP_MIDS CP_SDP_MAX_MEDIA

/* String sizes, terminator included. */
#define CP_SDP_TOKEN_LEN   64     /* mid, origin fields, addresses, ... */
#define CP_SDP_ICE_LEN     257    /* ice-ufrag/ice-pwd: 256 ice-chars (RFC 8839) */
#define CP_SDP_FP_MAX      64     /* fingerprint bytes (sha-512) */
#define CP_SDP_FMTP_LEN    192
#define CP_SDP_FB_LEN      24
#define CP_SDP_ATTR_LEN    256    /* one uninterpreted a= value */
#define CP_SDP_URI_LEN     128

#define CP_SDP_FRAG_MAX_SECTIONS CP_SDP_MAX_MEDIA

/** Error text buffer size for every cp_sdp function that reports one. */
#define CP_SDP_ERR_LEN 192

/* ---- enums ------------------------------------------------------------- */
enum cp_sdp_dir {
	CP_SDP_DIR_NONE = 0,     /* no direction attribute (means sendrecv) */
	CP_SDP_DIR_SENDRECV,
	CP_SDP_DIR_SENDONLY,
	CP_SDP_DIR_RECVONLY,
	CP_SDP_DIR_INACTIVE,
};

enum cp_sdp_setup {
	CP_SDP_SETUP_NONE = 0,
	CP_SDP_SETUP_ACTPASS,
	CP_SDP_SETUP_ACTIVE,
	CP_SDP_SETUP_PASSIVE,
	CP_SDP_SETUP_HOLDCONN,
};

/** m= transport protocol; the text is kept too (struct cp_sdp_media.proto). */
enum cp_sdp_proto {
	CP_SDP_PROTO_OTHER = 0,
	CP_SDP_PROTO_RTP_AVP,           /* RTP/AVP: plain RTP (SIP) */
	CP_SDP_PROTO_RTP_AVPF,
	CP_SDP_PROTO_RTP_SAVP,          /* RTP/SAVP: SDES-SRTP (a=crypto) */
	CP_SDP_PROTO_RTP_SAVPF,
	CP_SDP_PROTO_UDP_TLS_RTP_SAVP,
	CP_SDP_PROTO_UDP_TLS_RTP_SAVPF, /* WebRTC */
	CP_SDP_PROTO_UDP_DTLS_SCTP,     /* WebRTC DataChannel */
	CP_SDP_PROTO_DTLS_SCTP,         /* old DataChannel form */
};

enum cp_sdp_media_type {
	CP_SDP_MEDIA_OTHER = 0,
	CP_SDP_MEDIA_AUDIO,
	CP_SDP_MEDIA_VIDEO,
	CP_SDP_MEDIA_APPLICATION,
};

/** Codecs the gateway knows by name (pass-through, never transcoded). */
enum cp_sdp_codec_id {
	CP_SDP_CODEC_UNKNOWN = 0,
	CP_SDP_CODEC_OPUS,
	CP_SDP_CODEC_PCMU,
	CP_SDP_CODEC_PCMA,
	CP_SDP_CODEC_G722,
	CP_SDP_CODEC_TEL_EVENT,   /* RFC 4733 telephone-event */
	CP_SDP_CODEC_CN,
	CP_SDP_CODEC_VP8,
	CP_SDP_CODEC_VP9,
	CP_SDP_CODEC_H264,
	CP_SDP_CODEC_AV1,
	CP_SDP_CODEC_H265,
	CP_SDP_CODEC_RTX,
	CP_SDP_CODEC_RED,
	CP_SDP_CODEC_ULPFEC,
	CP_SDP_CODEC_FLEXFEC,
	CP_SDP_CODEC_MAX
};
#define CP_SDP_CODEC_BIT(id) (UINT32_C(1) << (id))

/** a=rtcp-fb kinds the answerer can keep (bit mask, cp_sdp_answer_params.fb). */
enum cp_sdp_fb {
	CP_SDP_FB_NACK = 1 << 0,          /* nack */
	CP_SDP_FB_PLI = 1 << 1,           /* nack pli */
	CP_SDP_FB_FIR = 1 << 2,           /* ccm fir */
	CP_SDP_FB_REMB = 1 << 3,          /* goog-remb */
	CP_SDP_FB_TRANSPORT_CC = 1 << 4,  /* transport-cc */
};

/** RTP header extensions the answerer can keep (bit mask by URI). */
enum cp_sdp_ext {
	CP_SDP_EXT_MID = 1 << 0,            /* urn:ietf:params:rtp-hdrext:sdes:mid */
	CP_SDP_EXT_AUDIO_LEVEL = 1 << 1,    /* urn:ietf:params:rtp-hdrext:ssrc-audio-level */
	CP_SDP_EXT_TOFFSET = 1 << 2,        /* urn:ietf:params:rtp-hdrext:toffset */
	CP_SDP_EXT_ABS_SEND_TIME = 1 << 3,  /* .../abs-send-time */
	CP_SDP_EXT_TWCC = 1 << 4,           /* transport-wide-cc */
	CP_SDP_EXT_VIDEO_ORIENTATION = 1 << 5, /* urn:3gpp:video-orientation */
	CP_SDP_EXT_RID = 1 << 6,            /* sdes:rtp-stream-id */
	CP_SDP_EXT_RRID = 1 << 7,           /* sdes:repaired-rtp-stream-id */
	CP_SDP_EXT_PLAYOUT_DELAY = 1 << 8,
	CP_SDP_EXT_ABS_CAPTURE_TIME = 1 << 9,
};

/* ---- the description --------------------------------------------------- */

/** c= line, or the address part of a=rtcp / a=candidate raddr. */
struct cp_sdp_conn {
	uint8_t family;                   /* 0: absent, 4: IP4, 6: IP6 */
	char addr[CP_SDP_TOKEN_LEN];      /* IP literal or FQDN (Firefox puts mDNS names) */
	char suffix[16];                  /* multicast "/ttl[/n]" as given, else "" */
};

struct cp_sdp_bw {
	char type[16];                    /* AS, CT, TIAS, X-... */
	uint32_t value;
};

/** One i=/u=/e=/p=/r=/z=/k= or second t= line, kept verbatim. */
struct cp_sdp_extra {
	char type;
	char value[CP_SDP_ATTR_LEN];
};

/** An a= line the gateway does not interpret (name and value verbatim). */
struct cp_sdp_attr {
	char name[32];
	bool has_value;                   /* a=name:value vs a=name */
	char value[CP_SDP_ATTR_LEN];
};

struct cp_sdp_fingerprint {
	char alg[16];                     /* as written: "sha-256" */
	uint8_t len;                      /* bytes, 0: absent */
	uint8_t bytes[CP_SDP_FP_MAX];
	bool lower;                       /* hex written in lower case */
};

enum cp_sdp_cand_type {
	CP_SDP_CAND_HOST = 0,
	CP_SDP_CAND_SRFLX,
	CP_SDP_CAND_PRFLX,
	CP_SDP_CAND_RELAY,
};

/** a=candidate (RFC 8839 section 5.1). */
struct cp_sdp_cand {
	char foundation[33];
	uint16_t component;               /* 1..256 */
	char transport[8];                /* "udp"/"UDP"/"tcp"/"TCP" as written */
	bool tcp;
	uint32_t priority;
	char addr[CP_SDP_TOKEN_LEN];      /* IP literal or FQDN (mDNS .local) */
	uint8_t family;                   /* 4, 6, or 0 for an FQDN */
	uint16_t port;
	enum cp_sdp_cand_type type;
	bool has_raddr;
	char raddr[CP_SDP_TOKEN_LEN];
	uint16_t rport;
	char ext[128];                    /* the extension pairs after typ/raddr/rport, verbatim */
};

struct cp_sdp_extmap {
	uint16_t id;                      /* 1..14 one-byte, 15..255 two-byte (RFC 8285) */
	enum cp_sdp_dir dir;              /* NONE: not written */
	char uri[CP_SDP_URI_LEN];
	char attrs[CP_SDP_TOKEN_LEN];     /* extension attributes after the URI */
};

struct cp_sdp_codec {
	uint8_t pt;                       /* 0..127 */
	enum cp_sdp_codec_id id;
	bool has_rtpmap;                  /* static payload types may have none */
	char name[24];                    /* encoding name as written */
	uint32_t clock;
	uint8_t channels;                 /* 0: not written */
	bool has_fmtp;
	char fmtp[CP_SDP_FMTP_LEN];
	uint8_t n_fb;
	char fb[CP_SDP_MAX_FB][CP_SDP_FB_LEN];
};

struct cp_sdp_ssrc_attr {
	uint32_t ssrc;
	char attr[24];                    /* cname, msid, label, ... */
	bool has_value;
	char value[128];
};

struct cp_sdp_ssrc_group {
	char semantics[16];               /* FID, SIM, FEC-FR */
	uint8_t n;
	uint32_t ssrc[CP_SDP_MAX_GRP_SSRC];
};

/** a=crypto (RFC 4568): kept verbatim past the suite for the SDES module. */
struct cp_sdp_crypto {
	uint32_t tag;                     /* 1..999999999 */
	char suite[40];                   /* AES_CM_128_HMAC_SHA1_80, AEAD_AES_128_GCM, ... */
	char key_params[160];             /* "inline:<base64>[|lifetime][|MKI:len]" (';'-joined) */
	char session_params[64];          /* "" when absent */
};

/** Transport-related attributes that may sit at session or media level. */
struct cp_sdp_transport {
	char ice_ufrag[CP_SDP_ICE_LEN];
	char ice_pwd[CP_SDP_ICE_LEN];
	char ice_options[CP_SDP_TOKEN_LEN];
	struct cp_sdp_fingerprint fp;
	enum cp_sdp_setup setup;
	bool end_of_candidates;
};

struct cp_sdp_media {
	enum cp_sdp_media_type type;
	char media[16];                   /* "audio", "video", "application", ... */
	uint16_t port;
	uint16_t n_ports;                 /* the "/n" of m=, 0: not written */
	enum cp_sdp_proto proto_id;
	char proto[32];                   /* as written */
	/* RTP protocols: the payload types, in m= order (the offerer's preference) */
	uint8_t n_codecs;
	struct cp_sdp_codec codecs[CP_SDP_MAX_CODECS];
	/* other protocols: the fmt list verbatim ("webrtc-datachannel") */
	char fmt[CP_SDP_TOKEN_LEN];

	struct cp_sdp_extra title;        /* i= (type 0 when absent) */
	struct cp_sdp_conn conn;          /* c= (family 0: inherit the session's) */
	uint8_t n_bw;
	struct cp_sdp_bw bw[CP_SDP_MAX_BW];

	struct cp_sdp_transport tp;
	char mid[CP_SDP_TOKEN_LEN];       /* "" when absent */
	enum cp_sdp_dir dir;
	bool rtcp_mux, rtcp_mux_only, rtcp_rsize, bundle_only, extmap_allow_mixed;
	bool has_rtcp;                    /* a=rtcp:port [nettype addrtype addr] */
	uint16_t rtcp_port;
	struct cp_sdp_conn rtcp_conn;
	char msid[CP_SDP_ATTR_LEN];       /* a=msid value, "" when absent (one per section) */

	uint8_t n_fb_wild;
	char fb_wild[CP_SDP_MAX_FB_WILD][CP_SDP_FB_LEN];   /* a=rtcp-fb:* */
	uint8_t n_extmap;
	struct cp_sdp_extmap extmap[CP_SDP_MAX_EXTMAP];
	uint8_t n_cands;
	struct cp_sdp_cand cands[CP_SDP_MAX_CANDS];
	uint8_t n_ssrc_attrs;
	struct cp_sdp_ssrc_attr ssrc_attrs[CP_SDP_MAX_SSRC_ATTR];
	uint8_t n_ssrc_groups;
	struct cp_sdp_ssrc_group ssrc_groups[CP_SDP_MAX_SSRC_GRP];
	uint8_t n_crypto;
	struct cp_sdp_crypto crypto[CP_SDP_MAX_CRYPTO];
	uint8_t n_other;
	struct cp_sdp_attr other[CP_SDP_MAX_OTHER];
};

struct cp_sdp_group {
	char semantics[16];               /* BUNDLE, LS, ... */
	uint8_t n_mids;
	char mids[CP_SDP_MAX_GROUP_MIDS][CP_SDP_TOKEN_LEN];
};

struct cp_sdp {
	/* o= */
	char o_user[CP_SDP_TOKEN_LEN];
	char o_sess_id[24];               /* digits, as written (up to 20) */
	char o_sess_version[24];
	struct cp_sdp_conn o_addr;
	char name[CP_SDP_TOKEN_LEN];      /* s= */
	char timing[48];                  /* the first t= value: "0 0" */
	uint8_t n_extra;
	struct cp_sdp_extra extra[CP_SDP_MAX_EXTRA];
	struct cp_sdp_conn conn;          /* session c= */
	uint8_t n_bw;
	struct cp_sdp_bw bw[CP_SDP_MAX_BW];

	bool ice_lite, extmap_allow_mixed;
	struct cp_sdp_transport tp;
	enum cp_sdp_dir dir;
	uint8_t n_groups;
	struct cp_sdp_group groups[CP_SDP_MAX_GROUPS];
	uint8_t n_extmap;
	struct cp_sdp_extmap extmap[CP_SDP_MAX_EXTMAP];
	uint8_t n_other;
	struct cp_sdp_attr other[CP_SDP_MAX_OTHER];

	uint8_t n_media;
	struct cp_sdp_media media[CP_SDP_MAX_MEDIA];
};

/* ---- parse and generate ------------------------------------------------ */

/**
 * Parse one SDP description into *s (zeroed first; about 730 KiB: allocate it,
 * and keep it only while the offer/answer exchange needs it).
 * Accepts CRLF or LF line ends; the last line may lack one.
 *
 * @return 0, or
 *   -EINVAL   NULL argument;
 *   -EMSGSIZE text longer than CP_SDP_MAX_LEN or a line longer than CP_SDP_MAX_LINE;
 *   -E2BIG    a CP_SDP_MAX_* limit exceeded (media, codecs, candidates, ...);
 *   -EBADMSG  any syntax or consistency error.
 *   err (if not NULL) always holds a terminated message: "" on success, else
 *   "line N: <field>: <reason>: <line>".
 */
int cp_sdp_parse(struct cp_sdp *s, const char *text, size_t len, char *err, size_t errlen);

/**
 * Write *s as SDP text (CRLF line ends) into buf, NUL-terminated. The order
 * of lines is fixed (RFC 8866 order, then a=lines grouped by kind), so the
 * output of a parsed description parses back to an identical struct.
 *
 * @return the text length (excluding NUL), or -ENOSPC if buf is too small,
 *   -EINVAL for a NULL argument or a field the generator cannot write
 *   (empty o= fields, a media section without payload types).
 */
int cp_sdp_encode(const struct cp_sdp *s, char *buf, size_t len);

/* ---- look-ups and helpers ---------------------------------------------- */

/** Canonical name of a protocol enum ("UDP/TLS/RTP/SAVPF"); "" for OTHER. */
const char *cp_sdp_proto_name(enum cp_sdp_proto p);

/** The direction keyword ("sendrecv", ...); "" for NONE. */
const char *cp_sdp_dir_name(enum cp_sdp_dir d);

/** True for the RTP protocols (the fmt list is payload types). */
bool cp_sdp_proto_is_rtp(enum cp_sdp_proto p);

/** The media's effective direction (its own, else the session's, else sendrecv). */
enum cp_sdp_dir cp_sdp_media_dir(const struct cp_sdp *s, const struct cp_sdp_media *m);

/**
 * The transport attributes that apply to m: media-level values, each field
 * falling back to the session level. Writes into *out.
 */
void cp_sdp_media_transport(const struct cp_sdp *s, const struct cp_sdp_media *m,
			    struct cp_sdp_transport *out);

/** The codec with payload type pt in m, or NULL. */
const struct cp_sdp_codec *cp_sdp_codec_find(const struct cp_sdp_media *m, unsigned int pt);

/**
 * Copy the value of parameter key from an fmtp string ("a=1;b=2", spaces
 * after ';' allowed; keys case-insensitive) into val.
 * @return 0, -ENOENT if absent, -ENOSPC if val is too small.
 */
int cp_sdp_fmtp_get(const char *fmtp, const char *key, char *val, size_t vlen);

/**
 * Whether two codecs are the same stream format for pass-through: same
 * encoding (by id, or by name case-insensitively when unknown), clock rate and
 * channel count (absent = 1), and for H.264 the same packetization-mode
 * (absent = 0) and profile (profile_idc and the constraint bits that tell
 * constrained baseline from baseline; the level may differ), for VP9 the same
 * profile-id, for AV1 the same profile (absent = 0). RTX, RED and FEC are
 * matched by their own format only (their apt/payload list is the caller's).
 */
bool cp_sdp_codec_match(const struct cp_sdp_codec *a, const struct cp_sdp_codec *b);

/**
 * Parse the value of an a=candidate line (after "candidate:") into *c.
 * @return 0 or -EBADMSG with a reason ("bad priority") in *why.
 */
int cp_sdp_cand_parse(struct cp_sdp_cand *c, const char *v, size_t len, const char **why);

/** Write a candidate value (without "a=candidate:") into buf; length or -ENOSPC. */
int cp_sdp_cand_encode(const struct cp_sdp_cand *c, char *buf, size_t len);

/* ---- the WebRTC answerer ------------------------------------------------ */

/** What the gateway will send on one answered m= section (WHEP, echo). */
struct cp_sdp_send_stream {
	uint32_t ssrc;                    /* 0: send nothing described here */
	uint32_t rtx_ssrc;                /* 0: none (used only if an rtx codec is accepted) */
};

struct cp_sdp_answer_params {
	const char *ice_ufrag;            /* ours; 4..256 ice-chars */
	const char *ice_pwd;              /* ours; 22..256 ice-chars */
	const uint8_t *fingerprint;       /* sha-256 of our DTLS certificate, 32 bytes */
	const char *cand_addr;            /* our host candidate: IPv4/IPv6 literal */
	uint16_t cand_port;
	enum cp_sdp_dir policy;           /* what the gateway wants: RECVONLY (WHIP), SENDONLY (WHEP), SENDRECV (echo) */
	const char *origin_addr;          /* o= address; NULL: cand_addr */
	uint64_t sess_id, sess_version;
	uint32_t codecs;                  /* CP_SDP_CODEC_BIT mask; 0: CP_SDP_ANSWER_CODECS */
	uint32_t fb;                      /* CP_SDP_FB_* to keep; 0: CP_SDP_ANSWER_FB */
	uint32_t ext;                     /* CP_SDP_EXT_* to keep; 0: CP_SDP_ANSWER_EXT */
	uint8_t h264_modes;               /* bit n: packetization-mode n allowed; 0: both 0 and 1 */
	bool ice_trickle;                 /* write a=ice-options:trickle */
	/* Optional: accept only codecs matching (cp_sdp_codec_match) one of the
	 * same media type in this description (WHEP viewers of a publisher). */
	const struct cp_sdp *restrict_to;
	/* WHEP/echo: the streams the gateway sends, by offer m= index */
	struct cp_sdp_send_stream send[CP_SDP_MAX_MEDIA];
	const char *cname;                /* a=ssrc:... cname: (NULL: "rtcgw") */
	const char *msid_stream;          /* a=msid stream id (NULL: "rtcgw") */
	/* Optional: a second host candidate on the same port (one media port
	 * serves both families): the IPv6 literal when cand_addr is IPv4 (or
	 * the reverse); NULL: cand_addr only. */
	const char *cand_addr2;
};

#define CP_SDP_ANSWER_CODECS                                                        \
	(CP_SDP_CODEC_BIT(CP_SDP_CODEC_OPUS) | CP_SDP_CODEC_BIT(CP_SDP_CODEC_PCMU) |   \
	 CP_SDP_CODEC_BIT(CP_SDP_CODEC_PCMA) | CP_SDP_CODEC_BIT(CP_SDP_CODEC_TEL_EVENT) | \
	 CP_SDP_CODEC_BIT(CP_SDP_CODEC_VP8) | CP_SDP_CODEC_BIT(CP_SDP_CODEC_VP9) |     \
	 CP_SDP_CODEC_BIT(CP_SDP_CODEC_H264) | CP_SDP_CODEC_BIT(CP_SDP_CODEC_AV1) |    \
	 CP_SDP_CODEC_BIT(CP_SDP_CODEC_RTX))
#define CP_SDP_ANSWER_FB (CP_SDP_FB_NACK | CP_SDP_FB_PLI | CP_SDP_FB_FIR)
#define CP_SDP_ANSWER_EXT (CP_SDP_EXT_MID | CP_SDP_EXT_AUDIO_LEVEL | CP_SDP_EXT_TOFFSET | \
			   CP_SDP_EXT_VIDEO_ORIENTATION)

/**
 * Answer a WebRTC offer as an ICE-lite, DTLS-SRTP, BUNDLE endpoint.
 *
 * Per offered m= section, in order: accepted when its protocol is
 * UDP/TLS/RTP/SAVPF (or UDP/TLS/RTP/SAVP), it is audio or video, its port is
 * not 0 (or it is a=bundle-only), it is in the offer's first BUNDLE group,
 * and at least one codec survives; otherwise rejected (port 0, a=mid kept).
 * m=application is always rejected. Codecs: the offer's order and payload
 * types; kept when their id is in params->codecs (and restrict_to matches);
 * H.264 only with an allowed packetization-mode and a profile-level-id that
 * parses; rtx only with its apt kept; red only when its fmtp payloads are
 * all kept; ulpfec/red only when in params->codecs. rtcp-fb and extmap
 * filtered by params->fb/ext. Direction: the offer's reversed, intersected
 * with params->policy. a=setup: passive to actpass or active, active to passive.
 *
 * @return 0, or -EINVAL (bad params), -EPROTO (the offer cannot be answered:
 *   no BUNDLE, an accepted section without ICE credentials, sha-256
 *   fingerprint or rtcp-mux, setup:holdconn, no section accepted; err says
 *   which). err is "" on success.
 */
int cp_sdp_answer(struct cp_sdp *ans, const struct cp_sdp *offer,
		  const struct cp_sdp_answer_params *params, char *err, size_t errlen);

/**
 * The RTX payload types of section m (RFC 4588 §8.6: rtx with fmtp apt):
 * apt[k] is a media payload type of m, rtx[k] its retransmission payload
 * type, at most max pairs in m's order. An rtx whose apt is not a payload
 * type of m is left out.
 * @return the pairs written.
 */
unsigned cp_sdp_rtx_pairs(const struct cp_sdp_media *m, uint8_t *apt, uint8_t *rtx,
			  unsigned max);

/* ---- offers and leg rendering (SIP bridging) ----------------------------- */

enum cp_sdp_leg_kind {
	CP_SDP_LEG_WEBRTC = 0,            /* UDP/TLS/RTP/SAVPF, ICE-lite, DTLS, rtcp-mux, BUNDLE */
	CP_SDP_LEG_RTP,                   /* RTP/AVP (RTP/AVPF with avpf) */
	CP_SDP_LEG_SDES,                  /* RTP/SAVP (RTP/SAVPF with avpf), a=crypto */
};

/** The transport of one leg, as cp_sdp_leg_render writes it. */
struct cp_sdp_leg_params {
	enum cp_sdp_leg_kind kind;
	bool avpf;                        /* RTP/SDES legs: the F profiles (keep rtcp-fb) */
	bool offer;                       /* an offer (setup:actpass) or an answer */
	const char *addr;                 /* c= and candidate address (IP literal) */
	uint16_t port;                    /* RTP port; RTCP is port+1 unless rtcp_mux */
	bool rtcp_mux;                    /* write a=rtcp-mux (always on WebRTC legs) */
	/* RTP/SDES legs without rtcp_mux: how RTCP's port is written (ng's
	 * no-rtcp-attribute and full-rtcp-attribute) */
	enum cp_sdp_rtcp_attr {
		CP_SDP_RTCP_ATTR_PORT = 0,    /* a=rtcp:PORT */
		CP_SDP_RTCP_ATTR_NONE,        /* none (RFC 3550's port + 1 is ours anyway) */
		CP_SDP_RTCP_ATTR_FULL,        /* a=rtcp:PORT IN IP4 addr (RFC 3605's full form) */
	} rtcp_attr;
	bool generate_mid;                /* RTP/SDES legs: a=mid "0", "1", ... where missing
					   * (ng's generate-mid; WebRTC legs always have them) */
	const char *rtpengine_id;         /* non-NULL: a=rtpengine:<id> at session level (the
					   * mark ng's loop-protect finds again) */
	/* WebRTC legs */
	const char *ice_ufrag, *ice_pwd;
	const uint8_t *fingerprint;       /* sha-256, 32 bytes */
	enum cp_sdp_setup setup;          /* NONE: actpass in offers, passive in answers */
	/* a second host candidate on the same port, the other family's address
	 * (one media port serves both); NULL: addr's only */
	const char *cand_addr2;
	/* the party's own a=mid of section i (from its earlier description: a
	 * bridged answer from a party without BUNDLE has none), used where the
	 * input section has none; NULL or "": "0", "1", ... */
	const char (*mids)[CP_SDP_TOKEN_LEN];
	uint8_t n_mids;
	/* SDES legs: n_crypto a=crypto lines per accepted RTP section; with
	 * crypto_stride 0 the same crypto[0 .. n_crypto) on every section, else
	 * section i's at crypto[i * crypto_stride] (a key per section, as
	 * RFC 4568 keys each media stream) */
	uint8_t n_crypto;
	uint8_t crypto_stride;
	const struct cp_sdp_crypto *crypto;
	/* origin */
	const char *o_user;               /* NULL: keep the input's */
	uint64_t sess_id, sess_version;   /* 0,0: keep the input's */
};

/**
 * Write the description in for one leg: a copy of *in with the transport
 * rewritten for params->kind. Codecs, directions, msid, ssrc and every
 * uninterpreted attribute pass through. Rejected sections (port 0 without
 * bundle-only) stay rejected. For RTP/SDES legs: ICE, fingerprint, setup,
 * candidates, BUNDLE and bundle-only removed, each section gets its own port
 * (section i on port + 2i, a rejected one's pair left unused), a=rtcp written when not muxed
 * (as rtcp_attr says), rtcp-fb kept only with
 * avpf. For WebRTC legs: every accepted section on one port, BUNDLE group of
 * their mids (a=mid from params->mids, else "0", "1", ... where missing), ICE-lite
 * credentials, our candidate (and cand_addr2's) and end-of-candidates,
 * fingerprint, setup, rtcp-mux, a=crypto removed. SDES legs get their
 * a=crypto lines per section (crypto_stride).
 *
 * This is also the offer builder: fill a struct cp_sdp with m= sections and
 * codecs (cp_sdp_media_add, cp_sdp_codec_add) and render it with offer = true.
 *
 * @return 0, -EINVAL (bad params: also cand_addr2 of addr's family, or an
 *         accepted SDES section without its lines), -E2BIG (too many
 *         attributes after adding ours).
 */
int cp_sdp_leg_render(struct cp_sdp *out, const struct cp_sdp *in,
		      const struct cp_sdp_leg_params *params);

/**
 * Start a fresh description (o=- id version IN IP4 addr, s=-, t=0 0).
 * @return 0 or -EINVAL (NULL, or addr not an IP literal).
 */
int cp_sdp_init(struct cp_sdp *s, const char *addr, uint64_t sess_id, uint64_t sess_version);

/**
 * Append an m= section of the given type and protocol (port 9, direction dir).
 * @return its index, or -E2BIG (CP_SDP_MAX_MEDIA), -EINVAL.
 */
int cp_sdp_media_add(struct cp_sdp *s, enum cp_sdp_media_type type, enum cp_sdp_proto proto,
		     enum cp_sdp_dir dir);

/**
 * Append a codec to an RTP m= section (rtpmap written; fmtp when not NULL/"").
 * @return 0, -EEXIST (pt already there), -E2BIG, -EINVAL (pt > 127, name too long).
 */
int cp_sdp_codec_add(struct cp_sdp_media *m, unsigned int pt, const char *name, uint32_t clock,
		     unsigned int channels, const char *fmtp);

/* ---- trickle-ice-sdpfrag (RFC 8840) -------------------------------------- */

struct cp_sdp_frag_section {
	char mid[CP_SDP_TOKEN_LEN];       /* "" if the section has no a=mid */
	uint8_t n_cands;
	struct cp_sdp_cand cands[CP_SDP_MAX_CANDS];
	bool end_of_candidates;
};

struct cp_sdp_frag {
	char ice_ufrag[CP_SDP_ICE_LEN];   /* "" when absent */
	char ice_pwd[CP_SDP_ICE_LEN];
	char ice_options[CP_SDP_TOKEN_LEN];
	bool end_of_candidates;           /* at session level */
	uint8_t n_sections;
	struct cp_sdp_frag_section sections[CP_SDP_FRAG_MAX_SECTIONS];
};

/**
 * Parse an application/trickle-ice-sdpfrag body (RFC 8840 section 9): optional
 * session-level a=ice-ufrag, a=ice-pwd, a=ice-options, a=end-of-candidates
 * (also a=group, ignored), then m= sections each with a=mid, a=candidate,
 * a=end-of-candidates (also a=ice-ufrag/a=ice-pwd, which must equal the
 * session-level ones). Candidates before any m= line are an error (they need
 * a mid). Any other line is an error.
 *
 * @return 0, -EINVAL, -EMSGSIZE, -E2BIG, -EBADMSG as cp_sdp_parse, with err.
 */
int cp_sdp_frag_parse(struct cp_sdp_frag *f, const char *text, size_t len, char *err,
		      size_t errlen);

#endif
