/*
 * cp_addr: a peer address of either family as the control plane keeps it
 * (ICE nominations, media legs' DTLS peers, the journal, REST output), with
 * its text and JSON forms. The IPC messages carry the same as a family flag
 * plus a 4-byte or 16-byte address (gw_ipc.h); this is the control plane's
 * side of it, without DPDK types, so the unit tests link it alone.
 */
#ifndef CP_ADDR_H
#define CP_ADDR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CP_ADDR_STRLEN 46           /* INET6_ADDRSTRLEN */

struct cp_addr {
	int family;                 /* AF_INET, AF_INET6; 0: no address */
	uint32_t ip4;               /* AF_INET: host byte order */
	uint8_t ip6[16];            /* AF_INET6: network byte order */
};

/** An IPv4 address (host order; 0: none). */
void cp_addr_v4(struct cp_addr *a, uint32_t ip4);

/** An IPv6 address (16 bytes, network order). */
void cp_addr_v6(struct cp_addr *a, const uint8_t *ip6);

/** Is there an address (not none, not 0.0.0.0, not ::)? */
bool cp_addr_is_set(const struct cp_addr *a);

/** Same family and address? */
bool cp_addr_eq(const struct cp_addr *a, const struct cp_addr *b);

/** The address as text ("198.18.72.10", "2001:2:0:72::10"; "" for none) in buf. */
const char *cp_addr_str(const struct cp_addr *a, char *buf, size_t len);

/** Parse an IPv4 or IPv6 literal. @return 0; -EINVAL. */
int cp_addr_parse(struct cp_addr *a, const char *s);

/**
 * Write a into object o as key4 (the IPv4 address as an integer, 0 when a is
 * IPv6 or none: what the journal always had) and, for IPv6, key6 (text).
 * @return 0; -ENOMEM.
 */
int cp_addr_json_set(json_t *o, const char *key4, const char *key6, const struct cp_addr *a);

/**
 * Read what cp_addr_json_set wrote: key6 when present (an IPv6 literal),
 * else key4 (an integer, 0: none).
 * @return 0; -EINVAL (missing or bad member).
 */
int cp_addr_json_get(struct cp_addr *a, json_t *o, const char *key4, const char *key6);

#endif
