/*
 * net6: IPv6 (RFC 8200), UDP over IPv6, ICMPv6 (RFC 4443) and Neighbor
 * Discovery (RFC 4861) as bounded views over a packet, their encoders, and
 * IPv6 address classification (STYLE.md practices 1 and 5).
 *
 * Addresses are 16-byte arrays in network byte order; ports and lengths in
 * the views are host byte order; view pointers point into the caller's
 * buffer, which must outlive the view. No allocation, no state.
 */
#ifndef GW_NET6_H
#define GW_NET6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net.h"

#define GW_IPV6_HLEN          40
#define GW_IPV6_ALEN          16
#define GW_IPV6_MIN_MTU       1280

/* Next-header values (IANA protocol numbers). */
#define GW_IPPROTO_HOPOPTS    0
#define GW_IPPROTO_ROUTING    43
#define GW_IPPROTO_FRAGMENT   44
#define GW_IPPROTO_ICMPV6     58
#define GW_IPPROTO_NONE       59
#define GW_IPPROTO_DSTOPTS    60

/** Extension headers walked before the parser gives up (-E2BIG). */
#define GW_IPV6_MAX_EXT       8
/** Options inside one hop-by-hop or destination options header. */
#define GW_IPV6_MAX_OPTS      16

/* Bits of gw_ipv6_view.ext: which extension headers were seen. */
#define GW_IPV6_EXT_HOPOPTS   0x01u
#define GW_IPV6_EXT_ROUTING   0x02u
#define GW_IPV6_EXT_FRAGMENT  0x04u
#define GW_IPV6_EXT_DSTOPTS   0x08u

/** An IPv6 packet: fixed header plus the extension headers it was walked through. */
struct gw_ipv6_view {
	const uint8_t *hdr;           /**< the fixed header */
	const uint8_t *src;           /**< 16 bytes */
	const uint8_t *dst;           /**< 16 bytes */
	uint32_t flow;                /**< flow label, 20 bits */
	uint16_t plen;                /**< the header's payload length field */
	uint8_t tclass;
	uint8_t hop_limit;
	uint8_t next_header;          /**< the fixed header's next header */
	uint8_t proto;                /**< upper-layer protocol after the extension headers */
	uint8_t n_ext;                /**< extension headers walked */
	uint8_t ext;                  /**< GW_IPV6_EXT_* seen */
	/** A fragment header with offset != 0 or M set (RFC 8200 §4.5). An atomic
	 *  fragment (offset 0, M 0, RFC 6946) is not a fragment. */
	bool is_fragment;
	bool frag_more;               /**< M flag */
	uint16_t frag_off;            /**< fragment offset, bytes */
	uint32_t frag_id;
	size_t ext_len;               /**< bytes of extension headers */
	/** Upper-layer data: after the extension headers, bounded by the payload
	 *  length (Ethernet padding excluded). For a non-first fragment, the
	 *  fragment's data (proto is then the fragment header's next header). */
	const uint8_t *payload;
	size_t payload_len;
};

/**
 * Parse an IPv6 header and walk its extension headers: hop-by-hop (only
 * directly after the fixed header), routing (segments left must be 0: we are
 * not a router), fragment, destination options; the walk stops at any other
 * next header (the upper layer, or one we do not know, e.g. AH or ESP) and at
 * a non-first fragment. Options in hop-by-hop and destination options headers
 * are walked TLV by TLV: Pad1, PadN and options whose type says "skip if
 * unrecognised" (top bits 00) are skipped; the Jumbo Payload option (RFC 2675)
 * and any other option whose type asks for discard are refused. Bytes after
 * the payload length (Ethernet padding) are allowed and excluded.
 * @return 0, or
 *   -EINVAL      v or p NULL;
 *   -EBADMSG     truncated, version != 6, payload length past len, an
 *                extension header or option past the payload, hop-by-hop not
 *                first, two fragment headers, or more than
 *                GW_IPV6_MAX_OPTS options in one header;
 *   -EMSGSIZE    a jumbogram (payload length 0 with a hop-by-hop header, or
 *                a Jumbo Payload option);
 *   -E2BIG       more than GW_IPV6_MAX_EXT extension headers;
 *   -EOPNOTSUPP  a routing header with segments left != 0, or an option
 *                that must not be skipped (type bits 01, 10, 11).
 */
int gw_ipv6_parse(struct gw_ipv6_view *v, const uint8_t *p, size_t len);

/**
 * Write a 40-byte IPv6 header (traffic class and flow label 0).
 * @param src,dst  16 bytes each
 */
void gw_ipv6_encode(uint8_t *p, const uint8_t *src, const uint8_t *dst, uint8_t next_header,
		    uint8_t hop_limit, uint16_t payload_len);

/* ---- checksums (RFC 8200 §8.1) --------------------------------------------- */

/**
 * Ones'-complement sum (not folded) of the IPv6 pseudo header: source,
 * destination, upper-layer length (32 bits) and next header. Add the segment
 * with gw_cksum_add() and fold with gw_cksum_fold(). No errors.
 */
uint32_t gw_ipv6_pseudo_sum(const uint8_t *src, const uint8_t *dst, uint8_t proto, uint32_t len);

/**
 * UDP checksum of seg (header + payload, its checksum field zero) over IPv6.
 * A computed zero is returned as 0xffff (RFC 8200 §8.1: zero is not allowed
 * on the wire). No errors.
 */
uint16_t gw_udp6_cksum(const uint8_t *src, const uint8_t *dst, const uint8_t *seg, size_t len);

/**
 * Parse a UDP header in an IPv6 payload and verify its checksum. Over IPv6
 * the checksum is mandatory: a zero checksum is refused even with
 * GW_NET_CKSUM_VERIFIED (RFC 8200 §8.1; RFC 6935's tunnel exception is not
 * for a WebRTC gateway's traffic).
 * @param flags  GW_NET_CKSUM_VERIFIED: the NIC checked the checksum;
 *               GW_NET_CKSUM_DEFER: leave it unchecked, v->cksum_pending
 *               (a zero one is still refused)
 * @return 0, or
 *   -EINVAL   NULL argument, ip->proto is not UDP, or ip is a fragment;
 *   -EBADMSG  shorter than 8 bytes, or the UDP length differs from the
 *             upper-layer payload length;
 *   -EILSEQ   a zero or bad checksum.
 */
int gw_udp6_parse(struct gw_udp_view *v, const struct gw_ipv6_view *ip, unsigned flags);

/**
 * The deferred check of a datagram gw_udp6_parse() parsed with
 * GW_NET_CKSUM_DEFER: true when its checksum was not pending or is right.
 */
bool gw_udp6_cksum_ok(const struct gw_ipv6_view *ip, const struct gw_udp_view *v);

/**
 * Write a UDP header in front of the payload already at seg + 8 and fill the
 * IPv6 checksum (never zero).
 */
void gw_udp6_encode(uint8_t *seg, const uint8_t *src, const uint8_t *dst, uint16_t sport,
		    uint16_t dport, uint16_t payload_len);

/* ---- ICMPv6 (RFC 4443) --------------------------------------------------------- */

#define GW_ICMP6_HLEN             4
#define GW_ICMP6_DST_UNREACH      1
#define GW_ICMP6_PACKET_TOO_BIG   2
#define GW_ICMP6_TIME_EXCEEDED    3
#define GW_ICMP6_PARAM_PROBLEM    4
#define GW_ICMP6_ECHO_REQUEST     128
#define GW_ICMP6_ECHO_REPLY       129
#define GW_ICMP6_NS               135   /**< neighbour solicitation */
#define GW_ICMP6_NA               136   /**< neighbour advertisement */

/** An ICMPv6 message. */
struct gw_icmp6_view {
	uint8_t type;
	uint8_t code;
	const uint8_t *msg;           /**< the whole message (type first) */
	size_t len;
	const uint8_t *body;          /**< bytes after type/code/checksum */
	size_t body_len;
};

/**
 * Parse an ICMPv6 message from an IPv6 view and verify its checksum (pseudo
 * header included).
 * @return 0, or
 *   -EINVAL   NULL argument, ip->proto is not ICMPv6, or ip is a fragment;
 *   -EBADMSG  shorter than 4 bytes;
 *   -EILSEQ   bad checksum.
 */
int gw_icmp6_parse(struct gw_icmp6_view *v, const struct gw_ipv6_view *ip);

/** Checksum of an ICMPv6 message of len bytes (its checksum field zero). No errors. */
uint16_t gw_icmp6_cksum(const uint8_t *src, const uint8_t *dst, const uint8_t *msg, size_t len);

/** An echo request or reply (RFC 4443 §4.1, §4.2). */
struct gw_icmp6_echo {
	uint16_t id;
	uint16_t seq;
	const uint8_t *data;
	size_t data_len;
};

/**
 * Read an echo request or reply.
 * @return 0, or -EINVAL (NULL argument), -ENOTSUP (another type),
 *         -EBADMSG (code != 0, or shorter than 8 bytes).
 */
int gw_icmp6_echo_parse(struct gw_icmp6_echo *e, const struct gw_icmp6_view *v);

/**
 * Write an echo message (type GW_ICMP6_ECHO_REQUEST or _REPLY) with its
 * checksum. data may point at buf + 8 (already in place) or elsewhere.
 * @return bytes written, or -EINVAL (NULL argument, other type), -ENOSPC.
 */
int gw_icmp6_echo_encode(uint8_t *buf, size_t cap, const uint8_t *src, const uint8_t *dst,
			 uint8_t type, uint16_t id, uint16_t seq, const uint8_t *data, size_t n);

/* ---- Neighbor Discovery (RFC 4861 §4.3, §4.4, §7.1) ----------------------------- */

#define GW_NDP_LEN            24      /**< NS/NA without options */
#define GW_NDP_OPT_SLLA       1       /**< source link-layer address option */
#define GW_NDP_OPT_TLLA       2       /**< target link-layer address option */
#define GW_NDP_HOP_LIMIT      255
#define GW_NDP_MAX_OPTS       16      /**< options walked before -EBADMSG */

#define GW_NDP_NA_ROUTER      0x80u   /**< R */
#define GW_NDP_NA_SOLICITED   0x40u   /**< S */
#define GW_NDP_NA_OVERRIDE    0x20u   /**< O */

/** A validated neighbour solicitation or advertisement. */
struct gw_ndp_view {
	uint8_t type;                 /**< GW_ICMP6_NS or GW_ICMP6_NA */
	uint8_t flags;                /**< NA: GW_NDP_NA_*; NS: 0 */
	const uint8_t *target;        /**< 16 bytes */
	const uint8_t *slla;          /**< 6 bytes, NULL when absent */
	const uint8_t *tlla;          /**< 6 bytes, NULL when absent */
	bool dad;                     /**< NS from :: (duplicate address detection) */
};

/**
 * Validate an NS or NA (RFC 4861 §7.1.1, §7.1.2) and read it: hop limit 255,
 * code 0, at least 24 bytes, target not multicast, every option length > 0
 * and inside the message, link-layer options of length 1 (Ethernet, 6 bytes).
 * An NS from :: (DAD) must go to a solicited-node multicast address and
 * carry no source link-layer option; an NA to a multicast address must not
 * have S set. Other options are skipped. When an option appears twice the
 * first one counts.
 * @param ip  the IPv6 view (source, destination, hop limit)
 * @param ic  the ICMPv6 view of the same packet (checksum already verified)
 * @return 0, or
 *   -EINVAL    NULL argument;
 *   -ENOTSUP   not an NS or NA;
 *   -EBADMSG   shorter than 24 bytes, a zero-length or truncated option, a
 *              link-layer option whose length is not 1, more than
 *              GW_NDP_MAX_OPTS options;
 *   -EPROTO    hop limit != 255, code != 0, multicast target, DAD rules
 *              broken, S set on a multicast NA, NA from ::.
 */
int gw_ndp_parse(struct gw_ndp_view *v, const struct gw_ipv6_view *ip,
		 const struct gw_icmp6_view *ic);

/**
 * Write a neighbour solicitation (ICMPv6 message only, checksum filled).
 * @param src     our address, or :: for DAD (then slla must be NULL)
 * @param dst     the target's solicited-node address, or the target (unicast NUD)
 * @param target  the address being resolved
 * @param slla    our MAC for the source link-layer option, or NULL
 * @return bytes written (24 or 32), or -EINVAL (NULL address, slla with
 *         src ::, multicast target), -ENOSPC.
 */
int gw_ndp_ns_encode(uint8_t *buf, size_t cap, const uint8_t *src, const uint8_t *dst,
		     const uint8_t *target, const uint8_t *slla);

/**
 * Write a neighbour advertisement (ICMPv6 message only, checksum filled).
 * @param flags  GW_NDP_NA_* (S must be 0 when dst is multicast)
 * @param tlla   our MAC for the target link-layer option, or NULL
 * @return bytes written (24 or 32), or -EINVAL (NULL address, unknown flag
 *         bits, S with a multicast dst, multicast target), -ENOSPC.
 */
int gw_ndp_na_encode(uint8_t *buf, size_t cap, const uint8_t *src, const uint8_t *dst,
		     const uint8_t *target, uint8_t flags, const uint8_t *tlla);

/** Write the solicited-node multicast address ff02::1:ffXX:XXXX of a (RFC 4291 §2.7.1). */
void gw_ipv6_solicited_node(uint8_t *out, const uint8_t *a);

/** True when a is a solicited-node multicast address (ff02::1:ff00:0/104). */
bool gw_ipv6_is_solicited_node(const uint8_t *a);

/** Write the Ethernet multicast MAC 33:33:xx:xx:xx:xx of IPv6 multicast a (RFC 2464 §7). */
void gw_ipv6_mcast_mac(uint8_t *mac, const uint8_t *a);

/* ---- address classification ----------------------------------------------------- */

/** What an IPv6 address is; the first matching row of gw_ipv6_classify() wins. */
enum gw_ipv6_class {
	GW_IPV6_GLOBAL = 0,           /**< none of the below (incl. 2001:2::/48, 2001:db8::/32) */
	GW_IPV6_UNSPECIFIED,          /**< ::/128 */
	GW_IPV6_LOOPBACK,             /**< ::1/128 */
	GW_IPV6_V4MAPPED,             /**< ::ffff:0:0/96 (RFC 4291 §2.5.5.2) */
	GW_IPV6_V4TRANSLATED,         /**< ::ffff:0:0:0/96 (RFC 2765 SIIT) */
	GW_IPV6_V4COMPAT,             /**< ::/96 other than ::, ::1 (deprecated, RFC 4291 §2.5.5.1) */
	GW_IPV6_NAT64,                /**< 64:ff9b::/96 (RFC 6052 well-known prefix) */
	GW_IPV6_NAT64_LOCAL,          /**< 64:ff9b:1::/48 (RFC 8215 local-use) */
	GW_IPV6_RESERVED,             /**< rest of ::/8 (RFC 4291 reserved) */
	GW_IPV6_DISCARD,              /**< 100::/64 (RFC 6666) */
	GW_IPV6_TEREDO,               /**< 2001::/32 (RFC 4380) */
	GW_IPV6_6TO4,                 /**< 2002::/16 (RFC 3056) */
	GW_IPV6_ULA,                  /**< fc00::/7 (RFC 4193) */
	GW_IPV6_LINKLOCAL,            /**< fe80::/10 */
	GW_IPV6_SITELOCAL,            /**< fec0::/10 (deprecated, RFC 3879) */
	GW_IPV6_MULTICAST,            /**< ff00::/8 */
};

/** Classify a (16 bytes). No errors. */
enum gw_ipv6_class gw_ipv6_classify(const uint8_t *a);

/** Name of a class ("global", "v4mapped", ...), for logs and tests. */
const char *gw_ipv6_class_name(enum gw_ipv6_class c);

/**
 * The IPv4 address an IPv6 address carries where it is unambiguous:
 * IPv4-mapped, IPv4-translated and IPv4-compatible (last 32 bits), NAT64
 * well-known prefix 64:ff9b::/96 (last 32 bits, RFC 6052 §2.2) and 6to4
 * (bits 16..47, RFC 3056). Not for 64:ff9b:1::/48 (RFC 8215: the operator
 * picks the prefix length inside it, so the position is unknown) nor Teredo
 * (the client address is obfuscated; the policy denies both outright).
 * @param v4  receives the IPv4 address, host byte order
 * @return true when a has an embedded IPv4 address. No errors.
 */
bool gw_ipv6_embedded_ipv4(const uint8_t *a, uint32_t *v4);

/**
 * True when src can never be the source of a packet from another node:
 * multicast, loopback, IPv4-mapped (RFC 4291 §2.5.5.2 addresses never go on
 * the wire). The unspecified address is allowed only in DAD solicitations:
 * callers accept it for NS and nothing else, so it is reported martian here.
 */
bool gw_ipv6_src_martian(const uint8_t *src);

/** True when a and b are the same 16 bytes. */
bool gw_ipv6_equal(const uint8_t *a, const uint8_t *b);

/** True when a is inside pfx/len (len 0 matches everything, > 128 never). */
bool gw_ipv6_prefix_match(const uint8_t *pfx, unsigned len, const uint8_t *a);

#endif
