/*
 * dp_turn_table: TURN allocations, permissions and channels (RFC 8656) in
 * shared tables with lock-free readers (DESIGN.md "Packet path" step 4).
 *
 * - Lookups (any lcore, no locks): by client 5-tuple, by relay address,
 *   permission by (allocation, peer IP), channel by (allocation, number) and
 *   by (allocation, peer IP:port). rte_hash with
 *   RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF and an explicit hash_func.
 * - Writers: each allocation has one owner lcore (the one that created it),
 *   its only writer; writes are the slow path (Allocate, Refresh,
 *   CreatePermission, ChannelBind, expiry). Several owners may write the
 *   shared hashes at once (MULTI_WRITER_ADD serialises them; readers never
 *   wait).
 * - Reclamation: the table owns an rte_rcu_qsbr variable. Every lcore that
 *   reads must register with it and report quiescent states between bursts
 *   (dp_turn_table_qsbr()); deleted hash keys and allocation slots (with their
 *   relay ports) are reused only after every registered reader went quiescent.
 * - Expiry: dp_turn_table_tick() on each owner does bounded work per call.
 *
 * Time is injected (seconds, any monotonic clock), so tests are deterministic.
 * Errors: 0 or a negative errno, or GW_STUN_ERR(code) (stun.h) where the
 * answer is a STUN error response (437, 486, 508, 400).
 */
#ifndef DP_TURN_TABLE_H
#define DP_TURN_TABLE_H

#include <stdbool.h>
#include <stdint.h>

struct rte_rcu_qsbr;

#define DP_TURN_MAX_OWNERS       16    /**< worker lcores (GW_CONF_MAX_LCORES) */
/** IPv4 relay addresses: every dataplane port's own address plus its
 *  ports[].relay_addresses (GW_CONF_MAX_RELAY_ADDRS), 16 per port. */
#define DP_TURN_MAX_RELAY_ADDRS  64
/** IPv6 relay addresses: one per dataplane port (its address6). */
#define DP_TURN_MAX_RELAY6_ADDRS 4
#define DP_TURN_PERMS_PER_ALLOC  16    /**< permissions one allocation may hold */
#define DP_TURN_CHANS_PER_ALLOC  16    /**< channels one allocation may hold */
#define DP_TURN_CHAN_COOLDOWN_S  300   /**< RFC 8656 §12: no rebinding for 5 min */
#define DP_TURN_RESERVE_S        30    /**< RESERVATION-TOKEN lifetime (§7.2) */
#define DP_TURN_MAX_LIFETIME_S   32767 /**< channel/permission expiries are kept mod 2^16 */
#define DP_TURN_NONE             UINT32_MAX
#define DP_TURN_PERMS6_PER_ALLOC 8     /**< IPv6 permissions one allocation may hold */
#define DP_TURN_CHANS6_PER_ALLOC 8     /**< channels to IPv6 peers one allocation may hold */

/* Relayed address families of an allocation (the values of GW_TURN_AF_*). */
#define DP_TURN_AF_IPV4          0x1u
#define DP_TURN_AF_IPV6          0x2u

/**
 * The client side of an allocation: who sent the Allocate, to which address,
 * over what. conn is 0 for UDP and the front's connection id for TCP/TLS
 * (RFC 8656 §2: the transport is part of the 5-tuple; a TCP client may even
 * reuse a UDP client's address and port).
 */
struct dp_turn_5tuple {
	uint32_t client_ip;      /**< host order */
	uint32_t server_ip;      /**< the gateway address the client used */
	uint16_t client_port;
	uint16_t server_port;
	uint32_t conn;           /**< 0: UDP; else the TCP/TLS connection */
};

/**
 * The client side of an allocation whose client speaks IPv6 (RFC 6156): the
 * same as struct dp_turn_5tuple with 16-byte addresses (network byte order),
 * conn 0 for UDP or the front's connection for TCP/TLS over IPv6.
 */
struct dp_turn_5tuple6 {
	uint8_t client_ip[16];
	uint8_t server_ip[16];   /**< the gateway address the client used */
	uint16_t client_port;
	uint16_t server_port;
	uint32_t conn;           /**< 0: UDP; else the TCP/TLS connection */
};

/**
 * One allocation. The fields above `owner-only` are written before the
 * allocation is published and never change; `expires` is written by the
 * owner (atomically) and read by everyone; the rest is the owner's.
 */
struct dp_turn_alloc {
	struct dp_turn_5tuple five;      /**< zero when client6 */
	uint32_t relay_ip;               /**< with DP_TURN_AF_IPV4 */
	uint16_t relay_port;
	uint16_t owner;                  /**< owner id 0..n_owners-1 */
	uint8_t relay_idx;               /**< index into the relay address list */
	uint8_t af;                      /**< relayed families, DP_TURN_AF_* */
	uint8_t client6;                 /**< IPv6 client: its 5-tuple is in the alloc6 */
	uint8_t relay6_idx;              /**< with DP_TURN_AF_IPV6: index into relay_addrs6 */
	uint8_t txid[12];                /**< the Allocate's transaction id */
	uint64_t user_key;               /**< quota key of the username */
	uint64_t expires;                /**< seconds; atomic */
	/* ---- owner-only ---- */
	uint32_t prev, next;             /**< owner's list */
	uint8_t n_perm, n_chan;
	/* immutable like the fields above (kept here, in what was padding, so
	 * the struct stays 536 bytes: 100000 allocations fit 256 MB) */
	uint16_t relay6_port;            /**< with DP_TURN_AF_IPV6 */
	uint32_t perm_ip[DP_TURN_PERMS_PER_ALLOC];
	uint64_t perm_exp[DP_TURN_PERMS_PER_ALLOC];
	struct {
		uint32_t ip;
		uint16_t port;
		uint16_t ch;
		uint64_t exp;            /**< binding expiry; kept until exp + cooldown */
	} chan[DP_TURN_CHANS_PER_ALLOC];
	uint64_t tb_tokens;              /**< token bucket (bytes), owner's use */
	uint64_t tb_last;                /**< token bucket refill time, owner's clock */
};

/**
 * The IPv6 side of allocation idx (dp_turn_alloc6_at), kept beside the
 * table only when some relay address has IPv6, so IPv4-only gateways pay no
 * memory for it. five6 is immutable once published; the rest is the owner's.
 */
struct dp_turn_alloc6 {
	struct dp_turn_5tuple6 five6;    /**< valid when the allocation's client6 */
	uint8_t n_perm, n_chan;
	uint8_t perm_ip[DP_TURN_PERMS6_PER_ALLOC][16];
	uint64_t perm_exp[DP_TURN_PERMS6_PER_ALLOC];
	struct {
		uint8_t ip[16];
		uint16_t port;
		uint16_t ch;
		uint64_t exp;            /**< binding expiry; kept until exp + cooldown */
	} chan[DP_TURN_CHANS6_PER_ALLOC];
};

/** Sizes and policy, usually from struct gw_config's turn section. */
struct dp_turn_table_params {
	const char *name;                /**< unique prefix for DPDK object names */
	int socket_id;
	uint32_t max_allocs;             /**< turn.max_allocations, >= 1 */
	uint32_t max_perms;              /**< permission entries in total, >= 1 */
	uint32_t max_chans;              /**< channel entries in total, >= 1 */
	uint16_t port_min, port_max;     /**< relay port range */
	uint32_t relay_addrs[DP_TURN_MAX_RELAY_ADDRS];
	unsigned n_relay_addrs;          /**< 1..DP_TURN_MAX_RELAY_ADDRS */
	/** IPv6 relay addresses, indexed by dataplane port like the first
	 *  relay_addrs (a port's two own addresses); bit i of relay6_mask set
	 *  when relay_addrs6[i] is valid, i < DP_TURN_MAX_RELAY6_ADDRS and
	 *  < n_relay_addrs. 0: no IPv6 at all (no IPv6 tables, no IPv6 clients). */
	uint8_t relay_addrs6[DP_TURN_MAX_RELAY6_ADDRS][16];
	uint32_t relay6_mask;
	unsigned n_owners;               /**< 1..DP_TURN_MAX_OWNERS */
	uint32_t user_quota;             /**< allocations per user, 0 = unlimited */
	uint32_t ip_quota;               /**< allocations per client IP, 0 = unlimited */
	uint32_t max_readers;            /**< threads that may register with the QSBR */
};

/** What an Allocate asks for. */
struct dp_turn_alloc_req {
	struct dp_turn_5tuple five;
	uint16_t owner;
	uint32_t lifetime_s;             /**< 1..DP_TURN_MAX_LIFETIME_S or more */
	uint64_t user_key;               /**< e.g. a hash of the username */
	uint8_t txid[12];
	bool even_port;                  /**< EVEN-PORT */
	bool reserve_next;               /**< EVEN-PORT R bit: reserve port + 1 */
	bool has_token;                  /**< RESERVATION-TOKEN given */
	uint64_t token;
	uint8_t relay_idx;               /**< which relay address */
	/** Families to relay, DP_TURN_AF_* (0: IPv4, as before RFC 6156). Both:
	 *  a dual allocation (ADDITIONAL-ADDRESS-FAMILY), one port of each
	 *  family. With has_token the token's family is taken instead. */
	uint8_t af;
	uint8_t relay6_idx;              /**< which IPv6 relay address (with AF_IPV6) */
	bool client6;                    /**< the client is IPv6: five6, not five */
	struct dp_turn_5tuple6 five6;
};

struct dp_turn_table;

/**
 * Create the tables (rte_zmalloc'd, on params->socket_id). Setup time.
 * @return 0, or -EINVAL (bad params: NULL, zero sizes, port range empty,
 *         too many owners or relay addresses), or -ENOMEM, or -EEXIST (a DPDK
 *         object with the same name exists), or another -rte_errno.
 */
int dp_turn_table_create(struct dp_turn_table **out, const struct dp_turn_table_params *p);

/**
 * Delete every allocation of owner whose client is a stream connection
 * (five.conn != 0): the front that held those connections restarted.
 * Walks the owner's whole list once (slow path, bounded by its count).
 * @return allocations deleted.
 */
unsigned dp_turn_table_delete_streams(struct dp_turn_table *t, uint16_t owner);

/** Free the tables (NULL-safe). No reader may be using them. No errors. */
void dp_turn_table_free(struct dp_turn_table *t);

/**
 * Change the limits new allocations are checked against (config reload):
 * total (clamped to the max_allocs the table was created with), per user,
 * per client IP (0 = unlimited). Live allocations are not touched: lowering
 * a limit below the current count only refuses new ones (486). Any lcore;
 * takes effect for Allocates that start afterwards. No errors.
 */
void dp_turn_table_set_limits(struct dp_turn_table *t, uint32_t max_allocs, uint32_t user_quota,
			      uint32_t ip_quota);

/**
 * The QSBR variable readers register with (rte_rcu_qsbr_thread_register,
 * _online, then rte_rcu_qsbr_quiescent after each burst). No errors.
 */
struct rte_rcu_qsbr *dp_turn_table_qsbr(struct dp_turn_table *t);

/** The allocation at idx (idx < max_allocs), or NULL. No errors. */
struct dp_turn_alloc *dp_turn_alloc_at(struct dp_turn_table *t, uint32_t idx);

/**
 * The IPv6 side of allocation idx, or NULL (idx out of range, or the table
 * has no IPv6 relay address). No errors.
 */
struct dp_turn_alloc6 *dp_turn_alloc6_at(struct dp_turn_table *t, uint32_t idx);

/** IPv6 relay address relay6_idx (16 bytes), or NULL when it has none. No errors. */
const uint8_t *dp_turn_relay6_addr(const struct dp_turn_table *t, unsigned relay6_idx);

/** Allocations live now (sum over owners, approximate while writers run). */
uint32_t dp_turn_table_count(const struct dp_turn_table *t);

/** Relay ports free on relay address relay_idx (approximate). */
uint32_t dp_turn_table_ports_free(const struct dp_turn_table *t, unsigned relay_idx);

/** The same for the IPv6 address of relay index relay6_idx (0 without one). */
uint32_t dp_turn_table_ports6_free(const struct dp_turn_table *t, unsigned relay6_idx);

/* ---- writers (the owner lcore) ------------------------------------------ */

/**
 * Create an allocation for r->five owned by r->owner, claim a relay port
 * (random start; even when asked; port + 1 reserved with the R bit, its token
 * in *token_out) or redeem a RESERVATION-TOKEN. A token is bound to the
 * user_key it was issued with: another user's Allocate with it gets 508.
 * @param idx        receives the allocation index
 * @param token_out  receives the reservation token when r->reserve_next
 *                   (may be NULL otherwise)
 * @return 0, or
 *   -EINVAL           bad argument (owner, relay_idx, R bit without even_port,
 *                     token together with EVEN-PORT, unknown af bits, an IPv6
 *                     family or client on a table or relay index without
 *                     IPv6, R bit with a dual allocation);
 *   GW_STUN_ERR(437)  the 5-tuple already has an allocation (the caller
 *                     compares txids for a retransmission first);
 *   GW_STUN_ERR(486)  total, per-user or per-IP quota reached;
 *   GW_STUN_ERR(508)  no relay port (or no even pair) free, reservation
 *                     token unknown, taken or issued to another user_key,
 *                     a table full.
 */
/*
 * IPv6 (RFC 6156): an allocation relays IPv4 (relay_ip:relay_port), IPv6
 * (relay_addrs6[relay6_idx]:relay6_port) or both, whatever its client's
 * family; IPv6 clients are keyed by five6 in a table of their own, and an
 * IPv6 client's per-IP quota counts its /64 (one subscriber's prefix). The
 * IPv6 tables are separate from the IPv4 ones, whose keys and lookups do
 * not change.
 */
int dp_turn_alloc_create(struct dp_turn_table *t, const struct dp_turn_alloc_req *r,
			 uint64_t now, uint32_t *idx, uint64_t *token_out);

/**
 * Refresh (lifetime > 0) or delete (lifetime 0) an allocation.
 * @return 0, or -EINVAL (bad idx), or -EPERM (owner is not the owner),
 *         or -ENOENT (the slot holds no allocation).
 */
int dp_turn_alloc_refresh(struct dp_turn_table *t, uint32_t idx, uint16_t owner,
			  uint32_t lifetime_s, uint64_t now);

/**
 * Delete one relayed address of a dual allocation (RFC 8656 §7.3 / RFC 6156:
 * a Refresh with REQUESTED-ADDRESS-FAMILY and LIFETIME 0): that family's
 * relay key, permissions and channels go now, its port after a grace period;
 * the allocation goes on with the other family. When af is the allocation's
 * only family, the whole allocation is deleted (dp_turn_alloc_delete).
 * @param af DP_TURN_AF_IPV4 or DP_TURN_AF_IPV6
 * @return 0, or -EINVAL, -EPERM, -ENOENT as dp_turn_alloc_refresh(), or
 *         -EAFNOSUPPORT (the allocation does not relay that family).
 */
int dp_turn_alloc_drop_family(struct dp_turn_table *t, uint32_t idx, uint16_t owner, uint8_t af);

/**
 * Delete an allocation now: its keys, permissions, channels; the slot and
 * the relay port are reused after a grace period.
 * @return 0, or -EINVAL, -EPERM, -ENOENT as dp_turn_alloc_refresh().
 */
int dp_turn_alloc_delete(struct dp_turn_table *t, uint32_t idx, uint16_t owner);

/**
 * Install or refresh a permission for peer_ip (CreatePermission, ChannelBind).
 * @return 0, or -EINVAL, -EPERM, -ENOENT (as above),
 *         or GW_STUN_ERR(508) (this allocation's or the table's permissions full).
 */
int dp_turn_perm_add(struct dp_turn_table *t, uint32_t idx, uint16_t owner,
		     uint32_t peer_ip, uint32_t lifetime_s, uint64_t now);

/**
 * Bind or refresh channel ch to peer ip:port (RFC 8656 §12.2 rules: a bound
 * or cooling channel number cannot move to another peer, a peer cannot take
 * a second number). Does not install the permission: call dp_turn_perm_add().
 * @return 0, or -EINVAL (as above, or lifetime_s > DP_TURN_MAX_LIFETIME_S),
 *   -EPERM, -ENOENT (as above), or
 *   GW_STUN_ERR(400)  ch outside 0x4000..0x7FFF (RFC 5766's range, see
 *                     GW_TURN_CHAN_MAX_RFC5766), or the binding rules;
 *   GW_STUN_ERR(508)  this allocation's or the table's channels full.
 */
int dp_turn_chan_bind(struct dp_turn_table *t, uint32_t idx, uint16_t owner, uint16_t ch,
		      uint32_t peer_ip, uint16_t peer_port, uint32_t lifetime_s, uint64_t now);

/**
 * Expiry work for one owner: visit at most budget allocations (round robin),
 * deleting expired allocations, permissions and channels (after their
 * cool-down), expired reservations; then reclaim what readers released.
 * @return allocations visited (0..budget). No errors.
 */
unsigned dp_turn_table_tick(struct dp_turn_table *t, uint16_t owner, uint64_t now,
			    unsigned budget);

/**
 * Allocations dp_turn_table_tick() deleted because they expired, on this
 * owner, since the table was created (owner's counter). No errors.
 */
uint64_t dp_turn_table_expired(const struct dp_turn_table *t, uint16_t owner);

/**
 * dp_turn_perm_add() for an IPv6 peer (16 bytes): separate table and
 * DP_TURN_PERMS6_PER_ALLOC per allocation.
 * @return as dp_turn_perm_add(); -EINVAL also when the table has no IPv6.
 */
int dp_turn_perm_add6(struct dp_turn_table *t, uint32_t idx, uint16_t owner,
		      const uint8_t *peer_ip, uint32_t lifetime_s, uint64_t now);

/**
 * dp_turn_chan_bind() for an IPv6 peer. Channel numbers are one space per
 * allocation: a number bound (or cooling) to a peer of either family cannot
 * be bound to another peer.
 * @return as dp_turn_chan_bind(); -EINVAL also when the table has no IPv6.
 */
int dp_turn_chan_bind6(struct dp_turn_table *t, uint32_t idx, uint16_t owner, uint16_t ch,
		       const uint8_t *peer_ip, uint16_t peer_port, uint32_t lifetime_s,
		       uint64_t now);

/* ---- readers (any lcore registered with the QSBR) ------------------------ */

/** Allocation of a client 5-tuple. @return 0 (*idx set), or -ENOENT. */
int dp_turn_lookup_5tuple(const struct dp_turn_table *t, const struct dp_turn_5tuple *f,
			  uint32_t *idx);

/**
 * dp_turn_lookup_5tuple() of n (<= 64) 5-tuples at once, for a burst: one
 * bulk lookup (rte_hash overlaps the bucket and key misses of the whole
 * burst) and a prefetch of each allocation found, where the per-packet path
 * reads its expiry, channels and permissions. idx[i] receives f[i]'s
 * allocation or DP_TURN_NONE. Changes nothing. @return allocations found.
 */
unsigned dp_turn_lookup_5tuple_bulk(const struct dp_turn_table *t,
				    const struct dp_turn_5tuple *f, unsigned n, uint32_t *idx);

/**
 * dp_turn_lookup_relay() of n (<= 64) relayed addresses ip[i]:port[i] at
 * once, with the prefetches of dp_turn_lookup_5tuple_bulk(): the peer side
 * of a burst. idx[i] receives the allocation or DP_TURN_NONE. Changes
 * nothing. @return allocations found.
 */
unsigned dp_turn_lookup_relay_bulk(const struct dp_turn_table *t, const uint32_t *ip,
				   const uint16_t *port, unsigned n, uint32_t *idx);

/** Allocation holding relay address ip:port. @return 0 (*idx set), or -ENOENT. */
int dp_turn_lookup_relay(const struct dp_turn_table *t, uint32_t ip, uint16_t port,
			 uint32_t *idx);

/** True when allocation idx has an unexpired permission for peer_ip. No errors. */
bool dp_turn_perm_check(const struct dp_turn_table *t, uint32_t idx, uint32_t peer_ip,
			uint64_t now);

/**
 * Peer of channel ch on allocation idx, if bound and not expired.
 * @return 0, or -ENOENT.
 */
int dp_turn_chan_by_num(const struct dp_turn_table *t, uint32_t idx, uint16_t ch,
			uint64_t now, uint32_t *peer_ip, uint16_t *peer_port);

/*
 * The same answers (and dp_turn_chan_by_peer()'s) for the allocation's
 * owner, from the allocation's own
 * arrays (which only the owner writes, so it reads them without a race): no
 * hash, no key compare, and the arrays sit in the allocation the caller has
 * just touched. Other workers (the peer->client direction under RSS) use the
 * hash tables above.
 */
bool dp_turn_perm_check_own(const struct dp_turn_alloc *a, uint32_t peer_ip, uint64_t now);
int dp_turn_chan_by_peer_own(const struct dp_turn_alloc *a, uint32_t peer_ip, uint16_t peer_port,
			     uint64_t now, uint16_t *ch);
int dp_turn_chan_by_num_own(const struct dp_turn_alloc *a, uint16_t ch, uint64_t now,
			    uint32_t *peer_ip, uint16_t *peer_port);

/**
 * Channel bound to peer ip:port on allocation idx, if bound and not expired.
 * @return 0, or -ENOENT.
 */
int dp_turn_chan_by_peer(const struct dp_turn_table *t, uint32_t idx, uint32_t peer_ip,
			 uint16_t peer_port, uint64_t now, uint16_t *ch);

/** Allocation of an IPv6 client 5-tuple. @return 0 (*idx set), or -ENOENT. */
int dp_turn_lookup_5tuple6(const struct dp_turn_table *t, const struct dp_turn_5tuple6 *f,
			   uint32_t *idx);

/** Allocation holding IPv6 relay address relay6_idx, port. @return 0 or -ENOENT. */
int dp_turn_lookup_relay6(const struct dp_turn_table *t, unsigned relay6_idx, uint16_t port,
			  uint32_t *idx);

/** True when allocation idx has an unexpired permission for IPv6 peer_ip. No errors. */
bool dp_turn_perm_check6(const struct dp_turn_table *t, uint32_t idx, const uint8_t *peer_ip,
			 uint64_t now);

/**
 * IPv6 peer of channel ch on allocation idx, if bound and not expired
 * (a channel of an IPv4 peer is dp_turn_chan_by_num()'s).
 * @param peer_ip  receives 16 bytes
 * @return 0, or -ENOENT.
 */
int dp_turn_chan_by_num6(const struct dp_turn_table *t, uint32_t idx, uint16_t ch,
			 uint64_t now, uint8_t *peer_ip, uint16_t *peer_port);

/** Channel bound to IPv6 peer ip:port on allocation idx. @return 0, or -ENOENT. */
int dp_turn_chan_by_peer6(const struct dp_turn_table *t, uint32_t idx, const uint8_t *peer_ip,
			  uint16_t peer_port, uint64_t now, uint16_t *ch);

/** True when allocation a has not expired at now. No errors. */
bool dp_turn_alloc_live(const struct dp_turn_alloc *a, uint64_t now);

#endif
