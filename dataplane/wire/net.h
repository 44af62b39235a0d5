/*
 * net: Ethernet, ARP, IPv4, UDP and ICMP as bounded views over a frame
 * (STYLE.md practice 5). Addresses and ports in the views are host byte
 * order; pointers point into the caller's buffer, which must outlive the view.
 */
#ifndef GW_NET_H
#define GW_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_ETH_HLEN        14
#define GW_ETH_ALEN        6
#define GW_ETHERTYPE_IPV4  0x0800
#define GW_ETHERTYPE_ARP   0x0806
#define GW_ETHERTYPE_VLAN  0x8100
#define GW_ETHERTYPE_IPV6  0x86dd

#define GW_ARP_LEN         28      /* Ethernet/IPv4 ARP body */
#define GW_ARP_OP_REQUEST  1
#define GW_ARP_OP_REPLY    2

#define GW_IPV4_HLEN       20      /* without options */
#define GW_IPPROTO_ICMP    1
#define GW_IPPROTO_TCP     6
#define GW_IPPROTO_UDP     17
#define GW_UDP_HLEN        8
#define GW_ICMP_ECHO_REPLY   0
#define GW_ICMP_ECHO_REQUEST 8

struct gw_eth_view {
	const uint8_t *dst;
	const uint8_t *src;
	uint16_t ethertype;
	const uint8_t *payload;
	size_t payload_len;
};

struct gw_arp_view {
	uint16_t op;
	const uint8_t *sha;           /* sender hardware address */
	uint32_t spa;                 /* sender protocol address */
	const uint8_t *tha;
	uint32_t tpa;
};

struct gw_ipv4_view {
	size_t hdr_len;               /* IHL * 4 */
	uint16_t total_len;
	uint16_t id;
	uint8_t tos;
	uint8_t ttl;
	uint8_t proto;
	uint8_t is_fragment;          /* MF set or offset != 0 */
	uint32_t src;
	uint32_t dst;
	const uint8_t *hdr;
	const uint8_t *payload;       /* bounded by total_len, not by the frame */
	size_t payload_len;
};

struct gw_udp_view {
	uint16_t sport;
	uint16_t dport;
	uint16_t cksum;               /* 0: the sender sent none (IPv4 allows it) */
	bool cksum_pending;           /* set, not verified yet (GW_NET_CKSUM_DEFER) */
	const uint8_t *payload;
	size_t payload_len;
};

struct gw_icmp_view {
	uint8_t type;
	uint8_t code;
	const uint8_t *body;          /* bytes after type/code/checksum */
	size_t body_len;
};

/**
 * Parse an Ethernet II header. VLAN tags are not stripped: a tagged frame
 * reports ethertype 0x8100 and the caller treats it as unknown.
 * @return 0; -EBADMSG when shorter than 14 bytes.
 */
int gw_eth_parse(struct gw_eth_view *v, const uint8_t *p, size_t len);

/**
 * Parse an ARP body for Ethernet/IPv4 (htype 1, ptype 0x0800, 6/4).
 * @return 0; -EBADMSG when truncated; -EPROTONOSUPPORT for other hardware or
 *         protocol types; -EINVAL for an opcode other than request/reply.
 */
int gw_arp_parse(struct gw_arp_view *v, const uint8_t *p, size_t len);

/* Flags for the *_parse_opt variants. */
#define GW_NET_CKSUM_VERIFIED 0x1   /* the NIC verified the checksum: skip ours */
/* UDP: leave a set checksum unverified, cksum_pending, for a relay that
 * carries it forward (RFC 1624) or checks it with gw_udp_cksum_ok() */
#define GW_NET_CKSUM_DEFER    0x2

/**
 * Parse and verify an IPv4 header. Trailing bytes beyond total_len (Ethernet
 * padding) are allowed and excluded from the payload.
 * @return 0; -EBADMSG when truncated, version != 4, IHL < 5, or total length
 *         smaller than the header or larger than len; -EILSEQ on a bad
 *         header checksum.
 */
int gw_ipv4_parse(struct gw_ipv4_view *v, const uint8_t *p, size_t len);

/** gw_ipv4_parse with GW_NET_* flags (checksum verification skippable). */
int gw_ipv4_parse_opt(struct gw_ipv4_view *v, const uint8_t *p, size_t len, unsigned flags);

/**
 * Parse a UDP header inside an IPv4 payload and verify its checksum (when
 * the sender set one).
 * @return 0; -EBADMSG when truncated or when the UDP length disagrees with
 *         the IP payload (smaller than 8 or larger); -EILSEQ on a bad checksum.
 */
int gw_udp_parse(struct gw_udp_view *v, const struct gw_ipv4_view *ip);

/** gw_udp_parse with GW_NET_* flags (checksum verification skippable or deferred). */
int gw_udp_parse_opt(struct gw_udp_view *v, const struct gw_ipv4_view *ip, unsigned flags);

/**
 * The deferred check of a datagram gw_udp_parse_opt() parsed with
 * GW_NET_CKSUM_DEFER: true when its checksum was not pending or is right.
 */
bool gw_udp_cksum_ok(const struct gw_ipv4_view *ip, const struct gw_udp_view *v);

/**
 * Parse an ICMP message and verify its checksum.
 * @return 0; -EBADMSG when shorter than 8 bytes; -EILSEQ on a bad checksum.
 */
int gw_icmp_parse(struct gw_icmp_view *v, const uint8_t *p, size_t len);

/**
 * True when src can never be the source of a datagram from another host
 * (RFC 1122 §3.2.1.3, RFC 5735): 0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/4
 * (multicast) and 240.0.0.0/4 (incl. 255.255.255.255). A receiver drops
 * such datagrams unanswered. Host byte order. No errors.
 */
bool gw_ipv4_src_martian(uint32_t src);

/** Ones'-complement sum of len bytes added to sum (not folded). */
uint32_t gw_cksum_add(uint32_t sum, const void *p, size_t len);

/** Fold a sum and complement it: the value that goes on the wire. */
uint16_t gw_cksum_fold(uint32_t sum);

/** The UDP checksum of seg (header + payload) with the IPv4 pseudo header. */
uint16_t gw_udp4_cksum(uint32_t src, uint32_t dst, const uint8_t *seg, size_t len);

/** Write a 20-byte IPv4 header (no options, DF set, checksum filled). */
void gw_ipv4_encode(uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto,
		    uint8_t ttl, uint16_t payload_len, uint16_t id);

/**
 * Write a UDP header in front of the payload already at seg + 8 and fill
 * the checksum.
 */
void gw_udp4_encode(uint8_t *seg, uint32_t src, uint32_t dst, uint16_t sport,
		    uint16_t dport, uint16_t payload_len);

/** Write an Ethernet header. */
void gw_eth_encode(uint8_t *p, const uint8_t *dst, const uint8_t *src, uint16_t type);

/** Write a 28-byte Ethernet/IPv4 ARP body. */
void gw_arp_encode(uint8_t *p, uint16_t op, const uint8_t *sha, uint32_t spa,
		   const uint8_t *tha, uint32_t tpa);

#endif
