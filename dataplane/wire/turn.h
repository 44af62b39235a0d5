/*
 * turn: the stateless pieces of a TURN server (RFC 8656) that every process,
 * test and fuzzer shares: ChannelData framing over UDP, the TURN REST API
 * credential scheme (coturn's use-auth-secret), stateless nonces
 * (RFC 8489 §9.2) and the relay peer address policy.
 *
 * Wire-library rules (STYLE.md practice 1): libc and libcrypto only, no
 * allocation, no I/O, no state. IPv4 addresses are uint32_t in host byte
 * order; IPv6 addresses are 16 bytes in network byte order.
 * Errors follow STYLE.md practice 4 (stun.h): 0 or a negative errno, or
 * GW_STUN_ERR(code) when the answer is a STUN error response.
 */
#ifndef GW_TURN_H
#define GW_TURN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmac.h"
#include "stun.h"

/* ---- ChannelData (RFC 8656 §12.4, §12.5) -------------------------------- */

#define GW_TURN_CHAN_MIN      0x4000u  /**< first valid channel number */
#define GW_TURN_CHAN_MAX      0x4FFFu  /**< last valid channel number (§12) */
#define GW_TURN_CHANDATA_HLEN 4        /**< channel number + length */
/**
 * Last channel number of RFC 5766's range (0x4000..0x7FFF). RFC 8656 §12
 * narrowed it to 0x4FFF so that ChannelData stays distinguishable when a port
 * also multiplexes DTLS and SRTP (RFC 7983); a dedicated TURN listener does
 * not, and deployed clients (coturn's turnutils_uclient, libwebrtc) still
 * pick channel numbers from the whole RFC 5766 range.
 */
#define GW_TURN_CHAN_MAX_RFC5766 0x7FFFu

/** A parsed ChannelData message; data points into the caller's datagram. */
struct gw_turn_chandata {
	uint16_t channel;        /**< 0x4000..0x4FFF */
	uint16_t len;            /**< the length field: application data, no padding */
	const uint8_t *data;     /**< len bytes */
};

/** True when ch is a channel number a client may bind (0x4000..0x4FFF). No errors. */
bool gw_turn_channel_valid(uint32_t ch);

/**
 * Parse one ChannelData message carried in a UDP datagram (§12.5). The
 * datagram must hold the 4-byte header plus the length field's bytes; the
 * padding to a multiple of 4 may be present or absent (over UDP it is
 * optional), and nothing may follow it.
 * @param cd   view to fill (cleared first)
 * @param p    datagram payload
 * @param len  bytes at p
 * @return 0, or
 *   -EINVAL   cd or p NULL;
 *   -EBADMSG  shorter than 4 bytes, shorter than 4 + length, or longer than
 *             4 + length rounded up to 4 (silently discarded per §12.5);
 *   -ERANGE   channel number outside 0x4000..0x4FFF (reserved values;
 *             discard).
 */
int gw_turn_chandata_parse(struct gw_turn_chandata *cd, const uint8_t *p, size_t len);

/**
 * gw_turn_chandata_parse() accepting channel numbers 0x4000..max_channel
 * (GW_TURN_CHAN_MAX or GW_TURN_CHAN_MAX_RFC5766).
 * @return as gw_turn_chandata_parse(); -ERANGE outside 0x4000..max_channel.
 */
int gw_turn_chandata_parse_range(struct gw_turn_chandata *cd, const uint8_t *p, size_t len,
				 uint16_t max_channel);

/**
 * Write a ChannelData message: header, n data bytes and, when pad is true,
 * zero padding to a multiple of 4 (needed over TCP/TLS, optional over UDP).
 * data may point at buf + 4 (the payload is already in place) or anywhere
 * else; overlapping regions are moved correctly.
 * @return bytes written (> 0), or
 *   -EINVAL   buf NULL, data NULL with n > 0, or channel outside
 *             0x4000..0x7FFF (RFC 5766's range: the server encodes what it bound);
 *   -EMSGSIZE n > 65535;
 *   -ENOSPC   cap too small.
 */
int gw_turn_chandata_encode(uint8_t *buf, size_t cap, uint16_t channel,
			    const uint8_t *data, size_t n, bool pad);

/* ---- TURN request attribute validation (RFC 8656 §7-§11) ------------------ */

#define GW_TURN_TRANSPORT_UDP 17

/* Relayed address families (RFC 6156, RFC 8656 §7.2) as a bit set. */
#define GW_TURN_AF_IPV4 0x1u
#define GW_TURN_AF_IPV6 0x2u
/** GW_TURN_AF_* bit of a STUN family (GW_STUN_FAMILY_IPV4/6); 0 for others. */
#define GW_TURN_AF_OF(fam) \
	((fam) == GW_STUN_FAMILY_IPV4 ? GW_TURN_AF_IPV4 : \
	 (fam) == GW_STUN_FAMILY_IPV6 ? GW_TURN_AF_IPV6 : 0u)

/** The TURN attributes of one request or indication, validated and decoded. */
struct gw_turn_req {
	uint16_t method;                 /**< enum gw_stun_method */
	bool has_lifetime;
	uint32_t lifetime;               /**< LIFETIME, seconds */
	bool even_port;                  /**< EVEN-PORT present */
	bool reserve_next;               /**< its R bit */
	bool has_token;
	uint64_t token;                  /**< RESERVATION-TOKEN */
	bool dont_fragment;
	uint16_t channel;                /**< CHANNEL-NUMBER (ChannelBind) */
	/** Allocate: the families to relay, GW_TURN_AF_* (IPv4 without
	 *  REQUESTED-ADDRESS-FAMILY, the requested one with it, both with
	 *  ADDITIONAL-ADDRESS-FAMILY), already limited to the server's families;
	 *  0 with a RESERVATION-TOKEN (the token names the family).
	 *  Refresh: REQUESTED-ADDRESS-FAMILY as GW_TURN_AF_*, 0 when absent: the
	 *  caller answers 443 when it differs from the allocation's family. */
	uint8_t af;
	/** Allocate with ADDITIONAL-ADDRESS-FAMILY: requested families the server
	 *  does not relay. The allocation goes ahead with af; the success response
	 *  carries ADDRESS-ERROR-CODE 440 for each (gw_turn_enc_address_error). */
	uint8_t af_refused;
	uint8_t peer_af;                 /**< GW_TURN_AF_* of the peers[] families */
	uint8_t n_peers;                 /**< XOR-PEER-ADDRESSes decoded into peers[] */
	struct gw_stun_addr peers[GW_STUN_MAX_PEERS];
	const uint8_t *data;             /**< DATA (Send indication) */
	size_t data_len;
};

/**
 * Check the TURN attributes of a parsed request (Allocate, Refresh,
 * CreatePermission, ChannelBind) or Send indication against RFC 8656 and
 * RFC 6156, for a server relaying the families in relay_af, after
 * gw_stun_parse() succeeded and before authentication decides anything:
 *   Allocate: REQUESTED-TRANSPORT required (400) and UDP (442); EVEN-PORT
 *     with RESERVATION-TOKEN, a token with either family attribute, both
 *     family attributes, EVEN-PORT R with ADDITIONAL-ADDRESS-FAMILY, and
 *     ADDITIONAL-ADDRESS-FAMILY other than IPv6: 400 (§7.2 steps 5, 6, 8);
 *     REQUESTED-ADDRESS-FAMILY neither IPv4 nor IPv6 or not in relay_af, no
 *     family attribute without IPv4 in relay_af, or a dual request with
 *     neither family in relay_af: 440. A dual request with one family in
 *     relay_af succeeds with r->af that family and r->af_refused the other.
 *   Refresh: REQUESTED-ADDRESS-FAMILY decoded into r->af; not in relay_af
 *     (no allocation of that family can exist): 443; neither IPv4 nor IPv6: 400.
 *   CreatePermission: at least one XOR-PEER-ADDRESS (400), each in relay_af (443).
 *   ChannelBind: CHANNEL-NUMBER in 0x4000..0x7FFF, RFC 5766's range (400;
 *     a server wanting RFC 8656's 0x4FFF limit checks r->channel), exactly
 *     one XOR-PEER-ADDRESS (400) in relay_af (443).
 *   Send indication: XOR-PEER-ADDRESS (in relay_af) and DATA required.
 * Peers of a family the server relays but the allocation does not have are
 * the caller's 443 (compare r->peer_af with the allocation's families).
 * @param relay_af  GW_TURN_AF_* the server can relay (at least one)
 * @return 0 (r filled), or
 *   -EINVAL           NULL argument, relay_af empty or unknown bits;
 *   -ENOTSUP          not a TURN method, or wrong class for the method;
 *   -EBADMSG          a Send indication lacking its attributes or with a peer
 *                     outside relay_af (indications are dropped, never answered);
 *   GW_STUN_ERR(400)  missing or malformed attribute, more than
 *                     GW_STUN_MAX_PEERS peers;
 *   GW_STUN_ERR(440)  address family not supported;
 *   GW_STUN_ERR(442)  unsupported transport protocol;
 *   GW_STUN_ERR(443)  peer (or refreshed) address family not relayed.
 */
int gw_turn_req_check_af(struct gw_turn_req *r, const struct gw_stun_view *v, unsigned relay_af);

/**
 * gw_turn_req_check_af() for an IPv4-only relay (the dataplane today), with
 * one difference kept from before: a dual-allocation request
 * (ADDITIONAL-ADDRESS-FAMILY) is refused with 440 instead of getting an IPv4
 * allocation and ADDRESS-ERROR-CODE.
 * @return as gw_turn_req_check_af() with relay_af GW_TURN_AF_IPV4.
 */
int gw_turn_req_check(struct gw_turn_req *r, const struct gw_stun_view *v);

/** Largest reason phrase gw_turn_enc_address_error() writes (as ERROR-CODE). */
#define GW_TURN_ADDR_ERR_MAX_REASON GW_STUN_MAX_REASON

/**
 * Append ADDRESS-ERROR-CODE (RFC 8656 §18.13): family, 13 reserved bits,
 * class and number as in ERROR-CODE, then the reason phrase.
 * @param family  GW_STUN_FAMILY_IPV4 or GW_STUN_FAMILY_IPV6
 * @param code    300..699
 * @param reason  UTF-8 text (NULL: none), at most GW_TURN_ADDR_ERR_MAX_REASON bytes
 * @return 0, or -EINVAL (NULL e, other family, code out of range, reason
 *         too long), or -ENOSPC.
 */
int gw_turn_enc_address_error(struct gw_stun_enc *e, uint8_t family, uint16_t code,
			      const char *reason);

/**
 * Read ADDRESS-ERROR-CODE from a parsed message.
 * @param family  receives the family byte
 * @param code    receives class * 100 + number
 * @return 0, or -EINVAL (NULL argument), -ENOENT (absent), -EBADMSG
 *         (shorter than 4 bytes, class outside 3..6 or number over 99).
 */
int gw_turn_get_address_error(const struct gw_stun_view *v, uint8_t *family, uint16_t *code);

/* ---- TURN REST API credentials (coturn use-auth-secret) ----------------- */

/** base64(20-byte HMAC-SHA1) is 28 characters; plus the NUL. */
#define GW_TURN_REST_PASS_SIZE 29

/**
 * Password for a TURN REST API username: base64(HMAC-SHA1(secret, username)),
 * NUL-terminated, base64 by OpenSSL's EVP_EncodeBlock (no allocation).
 * @param out     at least GW_TURN_REST_PASS_SIZE bytes
 * @param secret  precomputed key of the shared secret (gw_hmac_sha1_key_init)
 * @param user    the whole username as sent ("expiry:user"), not NUL-terminated
 * @param ulen    bytes at user
 * @return 0, or -EINVAL (NULL argument, or user NULL with ulen > 0),
 *         or -ENOSPC (cap < GW_TURN_REST_PASS_SIZE).
 */
int gw_turn_rest_password(char *out, size_t cap, const struct gw_hmac_sha1_key *secret,
			  const uint8_t *user, size_t ulen);

/**
 * Read the expiry (UNIX seconds) from a REST API username: decimal digits,
 * then either the end of the string or ':' and the user id (coturn's
 * default separator).
 * @return 0, or -EINVAL (NULL argument), or -EBADMSG (no leading digits,
 *         another character after them, more than 20 digits, or overflow).
 */
int gw_turn_rest_expiry(const uint8_t *user, size_t ulen, uint64_t *expiry);

/**
 * Check a REST API username's expiry against the clock.
 * @param now  UNIX time, seconds
 * @return 0 (not expired), or -EBADMSG (not a REST username, see
 *         gw_turn_rest_expiry()), or GW_STUN_ERR(401) (expired: expiry < now).
 */
int gw_turn_rest_check(const uint8_t *user, size_t ulen, uint64_t now);

/**
 * Build a REST API username "expiry:user" into out (NUL-terminated).
 * @return the string length, or -EINVAL (NULL argument), or -ENOSPC.
 */
int gw_turn_rest_username(char *out, size_t cap, uint64_t expiry, const char *user);

/* ---- stateless nonces (RFC 8489 §9.2) ------------------------------------ */

/**
 * Nonce: optional cookie "obMatJos2" + 4 base64 characters of the 24-bit
 * security feature set (§9.2, §18.1), then 8 hex digits of the issue time
 * (seconds, mod 2^32) and 16 hex digits of HMAC-SHA1(server key, prefix |
 * time | client IP) truncated to 8 bytes. Nothing is stored: a server checks
 * the MAC and the age.
 */
#define GW_TURN_NONCE_COOKIE     "obMatJos2"
#define GW_TURN_NONCE_COOKIE_LEN 13      /**< cookie + 4 feature characters */
#define GW_TURN_NONCE_MAX        40      /**< 13 + 8 + 16 + NUL, rounded */
/**
 * Security feature bit for password algorithms. RFC 8489 §18.1 calls it
 * bit 0; the B.1 example nonce ("AAAC") and deployed code read the set as a
 * 24-bit big-endian number with bit 0 as its least significant bit, so this
 * is 0x000001 ("AAAB").
 */
#define GW_TURN_FEATURE_PASSWORD_ALGORITHMS 0x000001u

/**
 * Issue a nonce bound to a client address and the time.
 * @param out       at least GW_TURN_NONCE_MAX bytes; receives a NUL-terminated
 *                  string of printable ASCII
 * @param key       the server's nonce key (gw_hmac_sha1_key_init over a
 *                  random secret, shared by every lcore and, for
 *                  stateless scale-out, every node)
 * @param features  security feature set (24 bits) or, with cookie false, 0
 * @param cookie    prefix the RFC 8489 nonce cookie
 * @param client_ip the client's IPv4 address (host order)
 * @param now       seconds (any monotonic or UNIX clock, used mod 2^32)
 * @return the nonce length (> 0), or -EINVAL (NULL argument, features over
 *         24 bits, or features with cookie false), or -ENOSPC.
 */
int gw_turn_nonce_make(char *out, size_t cap, const struct gw_hmac_sha1_key *key,
		       uint32_t features, bool cookie, uint32_t client_ip, uint64_t now);

/**
 * Check a nonce received from a client.
 * @param lifetime  seconds a nonce stays fresh
 * @return 0 (fresh and ours), or
 *   -EINVAL           NULL argument;
 *   -EBADMSG          not a nonce this key issued for this client (wrong
 *                     length or format, MAC mismatch: answer 438 or 401);
 *   GW_STUN_ERR(438)  ours, but older than lifetime or from the future
 *                     (more than 5 s ahead): Stale Nonce.
 */
int gw_turn_nonce_check(const uint8_t *nonce, size_t len, const struct gw_hmac_sha1_key *key,
			uint32_t client_ip, uint64_t now, uint32_t lifetime);

/**
 * gw_turn_nonce_make() for an IPv6 client: the MAC covers its 16-byte
 * address (network byte order), so the nonce verifies only with
 * gw_turn_nonce_check6() for that address, never for an IPv4 client.
 * @return as gw_turn_nonce_make(); -EINVAL also for client_ip6 NULL.
 */
int gw_turn_nonce_make6(char *out, size_t cap, const struct gw_hmac_sha1_key *key,
			uint32_t features, bool cookie, const uint8_t *client_ip6, uint64_t now);

/**
 * gw_turn_nonce_check() for an IPv6 client (16 bytes, network byte order).
 * @return as gw_turn_nonce_check(); -EINVAL also for client_ip6 NULL.
 */
int gw_turn_nonce_check6(const uint8_t *nonce, size_t len, const struct gw_hmac_sha1_key *key,
			 const uint8_t *client_ip6, uint64_t now, uint32_t lifetime);

/**
 * Read the security feature set from a nonce that carries the cookie.
 * @return 0, or -ENOENT (no cookie), or -EBADMSG (bad base64).
 */
int gw_turn_nonce_features(const uint8_t *nonce, size_t len, uint32_t *features);

/* ---- peer address policy (RFC 8656 §21.3, operator safety) --------------- */

#define GW_TURN_POLICY_MAX_CIDRS 32   /**< same as GW_CONF_MAX_CIDRS */
#define GW_TURN_POLICY_MAX_ADDRS 8
/** relay_addr: every port's address and relay_addresses (64, as dp_turn) */
#define GW_TURN_POLICY_MAX_RELAY_ADDRS 64
#define GW_TURN_POLICY_MAX_EDGES (2 * GW_TURN_POLICY_MAX_ADDRS)

/** An IPv4 prefix, host byte order (layout of gw_config's struct gw_cidr4). */
struct gw_turn_prefix {
	uint32_t addr;
	uint8_t len;                  /**< 0..32 */
};

/** An IPv6 prefix (layout of gw_config's struct gw_cidr6). */
struct gw_turn_prefix6 {
	uint8_t addr[16];             /**< network byte order */
	uint8_t len;                  /**< 0..128 */
};

/**
 * Everything the decision needs, filled at setup from the config.
 * Own relay addresses are the dataplane port addresses the relay ports live
 * on: a peer there is another allocation (relay-to-relay hairpin) only on a
 * relay port; every other port there (the STUN/TURN listener, media ports)
 * is the gateway itself. Own other addresses (REST or management listeners)
 * are refused whatever the port. These two rules cannot be opened by
 * allowed_peers.
 */
struct gw_turn_peer_policy {
	struct gw_turn_prefix allowed[GW_TURN_POLICY_MAX_CIDRS]; /**< exceptions */
	unsigned n_allowed;
	struct gw_turn_prefix denied[GW_TURN_POLICY_MAX_CIDRS];  /**< extra denials */
	unsigned n_denied;
	uint32_t relay_addr[GW_TURN_POLICY_MAX_RELAY_ADDRS];
	unsigned n_relay_addr;
	uint32_t own_addr[GW_TURN_POLICY_MAX_ADDRS];
	unsigned n_own_addr;
	/** Network and broadcast addresses of the gateway's own subnets: denied
	 *  like the built-in ranges (allowed_peers can open them). */
	uint32_t edge_addr[GW_TURN_POLICY_MAX_EDGES];
	unsigned n_edge_addr;
	uint16_t relay_port_min;
	uint16_t relay_port_max;
	/* IPv6 (gw_turn_peer_ip6_check); the IPv4 fields above also judge the
	 * IPv4 address embedded in IPv4-mapped, NAT64 and 6to4 peers. */
	struct gw_turn_prefix6 allowed6[GW_TURN_POLICY_MAX_CIDRS]; /**< exceptions */
	unsigned n_allowed6;
	struct gw_turn_prefix6 denied6[GW_TURN_POLICY_MAX_CIDRS];  /**< extra denials */
	unsigned n_denied6;
	uint8_t relay_addr6[GW_TURN_POLICY_MAX_ADDRS][16];
	unsigned n_relay_addr6;
	uint8_t own_addr6[GW_TURN_POLICY_MAX_ADDRS][16];
	unsigned n_own_addr6;
};

/** Outcome of a peer check; > 0 values name the rule that denied it. */
enum gw_turn_peer_verdict {
	GW_TURN_PEER_OK = 0,
	GW_TURN_PEER_DENY_DEFAULT,    /**< built-in range (loopback, RFC 1918, ...) */
	GW_TURN_PEER_DENY_CONFIG,     /**< turn.denied_peers */
	GW_TURN_PEER_DENY_OWN,        /**< the gateway's own non-relay address or port */
	GW_TURN_PEER_DENY_PORT0,      /**< port 0 */
};

/**
 * Built-in deny ranges: 0.0.0.0/8 (incl. unspecified), 10.0.0.0/8,
 * 100.64.0.0/10 (carrier-grade NAT), 127.0.0.0/8, 169.254.0.0/16,
 * 172.16.0.0/12, 192.0.0.0/24, 192.168.0.0/16, 224.0.0.0/4 (multicast),
 * 240.0.0.0/4 (reserved, incl. 255.255.255.255).
 * @return true when ip is inside one of them. No errors.
 */
bool gw_turn_peer_default_denied(uint32_t ip);

/**
 * Decide whether a peer IP may get a permission (CreatePermission,
 * ChannelBind): own other addresses are refused; own relay addresses are
 * allowed (relay-to-relay); then allowed_peers opens, then the built-in list,
 * the own subnets' network and broadcast addresses and denied_peers deny;
 * everything else is allowed.
 * @return GW_TURN_PEER_OK or the deny verdict. No errors.
 */
enum gw_turn_peer_verdict gw_turn_peer_ip_check(const struct gw_turn_peer_policy *pol,
						uint32_t ip);

/**
 * Decide whether data may be relayed to ip:port: gw_turn_peer_ip_check(),
 * plus port 0 refused and, on an own relay address, only relay ports.
 * @return GW_TURN_PEER_OK or the deny verdict. No errors.
 */
enum gw_turn_peer_verdict gw_turn_peer_check(const struct gw_turn_peer_policy *pol,
					     uint32_t ip, uint16_t port);

#define GW_TURN_PEER_MEMO_SIZE 256      /**< entries; a power of two */

/**
 * One worker's memo of gw_turn_peer_ip_check() verdicts, so the relay path
 * does not walk the policy's lists for every datagram: direct-mapped by peer
 * IP, each entry valid for one policy generation. Zeroed = empty.
 */
struct gw_turn_peer_memo {
	struct {
		uint32_t ip;
		uint32_t gen;           /**< policy generation; 0 never matches */
		uint8_t verdict;        /**< gw_turn_peer_ip_check() of ip */
		uint8_t relay;          /**< ip is an own relay address */
	} e[GW_TURN_PEER_MEMO_SIZE];
};

/**
 * gw_turn_peer_check() through memo mm: same verdict for (pol, ip, port) as
 * long as the caller passes a gen (>= 1) that changes whenever pol does.
 * No errors.
 */
enum gw_turn_peer_verdict gw_turn_peer_check_memo(struct gw_turn_peer_memo *mm, uint32_t gen,
						  const struct gw_turn_peer_policy *pol,
						  uint32_t ip, uint16_t port);

/** True when ip is inside prefix pfx (len 0 matches everything). No errors. */
bool gw_turn_prefix_match(const struct gw_turn_prefix *pfx, uint32_t ip);

/**
 * Built-in IPv6 deny ranges, for addresses that carry no IPv4 address:
 * ::/128, ::1/128, the rest of ::/8 that is not IPv4-mapped/-translated/
 * -compatible (RFC 4291 reserved), 64:ff9b:1::/48 (RFC 8215 local-use
 * NAT64: the operator chooses where the IPv4 address sits, so it cannot be
 * judged), 100::/64 (RFC 6666 discard), 2001::/32 (Teredo: the client's
 * address is obfuscated), fc00::/7 (ULA), fe80::/10 (link-local), fec0::/10
 * (deprecated site-local), ff00::/8 (multicast).
 * @return true when ip (16 bytes) is inside one of them. No errors.
 */
bool gw_turn_peer_default_denied6(const uint8_t *ip);

/**
 * Decide whether an IPv6 peer may get a permission. In order:
 *   own other IPv6 addresses: DENY_OWN; own IPv6 relay addresses: OK;
 *   an address carrying an IPv4 address (gw_ipv6_embedded_ipv4():
 *   IPv4-mapped ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96,
 *   IPv4-compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16) gets the
 *   verdict gw_turn_peer_ip_check() gives that IPv4 address, so the IPv4
 *   rules cannot be bypassed by writing the address in IPv6 notation
 *   (allowed6 does not open what the IPv4 rules deny); if that is OK,
 *   denied6 can still deny it;
 *   otherwise allowed6 opens, then the built-in IPv6 list
 *   (gw_turn_peer_default_denied6()) and denied6 deny; everything else is OK.
 * @param ip  16 bytes, network byte order
 * @return GW_TURN_PEER_OK or the deny verdict. No errors.
 */
enum gw_turn_peer_verdict gw_turn_peer_ip6_check(const struct gw_turn_peer_policy *pol,
						 const uint8_t *ip);

/**
 * gw_turn_peer_ip6_check() plus port 0 refused and, on an own IPv6 relay
 * address (or an IPv4 relay address embedded), only relay ports.
 * @return GW_TURN_PEER_OK or the deny verdict. No errors.
 */
enum gw_turn_peer_verdict gw_turn_peer6_check(const struct gw_turn_peer_policy *pol,
					      const uint8_t *ip, uint16_t port);

/**
 * The peer check for a STUN transport address of either family
 * (gw_turn_peer_check() or gw_turn_peer6_check()).
 * @return GW_TURN_PEER_OK or the deny verdict; an unknown family is
 *         GW_TURN_PEER_DENY_DEFAULT. No errors.
 */
enum gw_turn_peer_verdict gw_turn_peer_addr_check(const struct gw_turn_peer_policy *pol,
						  const struct gw_stun_addr *a);

/** True when ip (16 bytes) is inside pfx (len 0 matches everything). No errors. */
bool gw_turn_prefix6_match(const struct gw_turn_prefix6 *pfx, const uint8_t *ip);

#endif
