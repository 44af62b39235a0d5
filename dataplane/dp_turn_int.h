/*
 * dp_turn_int: what the TURN server's files share, not a public face (only
 * dp_turn*.c include it): dp_turn.c the packet paths and turn_message,
 * dp_turn_setup.c create/reload/workers, dp_turn_txn.c the requests
 * (authentication, Allocate, Refresh, CreatePermission, ChannelBind) and
 * their answers. Helpers the packet paths use are static inline here, so
 * splitting the file changed none of their code.
 */
#ifndef DP_TURN_INT_H
#define DP_TURN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <rte_mbuf.h>

#include "be.h"
#include "dp_ctx.h"
#include "dp_turn.h"
#include "dp_turn_table.h"
#include "gw_ipc.h"
#include "hmac.h"
#include "net6.h"
#include "stun.h"
#include "turn.h"

#define HDRS          (GW_ETH_HLEN + GW_IPV4_HLEN + GW_UDP_HLEN)
#define SHDR          sizeof(struct gw_ipc_strm)   /* toward a TCP/TLS client */
#define RESP_MAX      512
#define USER_MAX      128
#define DATA_IND_HLEN (GW_STUN_HDR_LEN + 12 + 4)   /* header, XOR-PEER-ADDRESS, DATA hdr */
#define DATA_IND6_HLEN (GW_STUN_HDR_LEN + 24 + 4)  /* the same with an IPv6 peer */
#define HDRS6         (GW_ETH_HLEN + GW_IPV6_HLEN + GW_UDP_HLEN)
#define TICK_BUDGET   256
#define TICK_EVERY_MS 10

/* Long-term credential keys for one (user, algorithm): HMAC states ready. */
struct ltkeys {
	struct gw_hmac_sha1_key k1;
	struct gw_hmac_sha256_key k256;
};

struct user {
	char name[USER_MAX];
	size_t len;
	struct ltkeys md5, sha256;
};

/* Per allocation, next to the table entry: the credential it was made with
 * and the token bucket. Written by the owner. */
struct aux {
	char user[USER_MAX];
	uint8_t ulen;
	uint16_t alg;                 /* GW_STUN_PWALG_* */
	struct ltkeys keys;
	uint64_t tb_tokens;           /* bytes */
	uint64_t tb_last;             /* TSC */
};

/*
 * What a config reload replaces (dp_turn_reload): credentials, peer policy,
 * bandwidth cap. Workers read it without locks through dp_turn_s.live; a reload
 * builds a new one beside it, publishes it with one atomic store and frees
 * the old one after a QSBR grace period (every worker passed a quiescent
 * point, so none still holds a pointer into it).
 */
struct live {
	struct user users[GW_CONF_MAX_USERS];
	unsigned n_users;
	struct gw_hmac_sha1_key secrets[GW_CONF_MAX_SECRETS];
	unsigned n_secrets;
	struct gw_turn_peer_policy pol;
	uint64_t tb_rate;             /* bytes per second, 0 = unlimited */
	uint64_t tb_burst;
	uint32_t gen;                 /* 1, 2, ...: keys the workers' peer memos */
};

/* What authentication established for one request. */
struct auth {
	const struct ltkeys *keys;
	bool sha256_mi;               /* the request used MESSAGE-INTEGRITY-SHA256 */
	char user[USER_MAX];
	size_t ulen;
	uint16_t alg;
	struct ltkeys derived;        /* storage when keys are derived per request */
};

/* Where a message came from, and so where its answer goes: a UDP datagram
 * (f.conn 0) arriving on port pi, or a TCP/TLS connection's (f.conn, through
 * the front). msg/len: the message inside the mbuf. */
struct src {
	struct dp_turn_5tuple f;     /* zero for an IPv6 client */
	unsigned pi;
	const uint8_t *msg;
	size_t len;
	bool v6;                     /* a UDP datagram over IPv6: f6, not f */
	struct dp_turn_5tuple6 f6;
	/* a UDP datagram: its views, ip over IPv4 or ip6 over IPv6 (else NULL) */
	const struct gw_ipv4_view *ip;
	const struct gw_ipv6_view *ip6;
	const struct gw_udp_view *u;
};

struct resp {
	struct gw_stun_enc e;
	uint8_t buf[RESP_MAX];
	bool fp;
};

#define RELAY_HASH_SIZE 256            /* power of 2, > 2 * DP_TURN_MAX_RELAY_ADDRS */
_Static_assert(DP_TURN_MAX_RELAY_ADDRS >= GW_IPC_MAX_PORTS * (GW_CONF_MAX_RELAY_ADDRS + 1),
	       "every port's address and relay_addresses fit the table");
_Static_assert(GW_TURN_POLICY_MAX_RELAY_ADDRS >= DP_TURN_MAX_RELAY_ADDRS,
	       "the peer policy knows every relay address");

struct dp_turn_state {
	bool on;
	const struct gw_config *c;
	struct dp_turn_table *t;
	struct aux *aux;
	struct live *live;            /* the reloadable part; see live_get() */
	/* each worker's memo of peer verdicts under live->pol (to_peer) */
	struct gw_turn_peer_memo memo[GW_IPC_MAX_WORKERS];
	struct gw_hmac_sha1_key nonce_key;
	uint16_t chan_max;            /* last channel number accepted */
	bool v6;                      /* some port has address6: IPv6 clients and relays */
	uint64_t next_tick[GW_IPC_MAX_WORKERS];
	uint64_t rng[GW_IPC_MAX_WORKERS];
	/* Relay addresses (the table's relay_idx): index i < dp.n_ports is port
	 * i's own address, the ports' relay_addresses follow. relay_pi maps a
	 * relay address to the port it is sent from; port_relay lists each
	 * port's relay addresses for Allocate to pick from. */
	uint8_t relay_pi[DP_TURN_MAX_RELAY_ADDRS];
	uint8_t port_relay[GW_IPC_MAX_PORTS][GW_CONF_MAX_RELAY_ADDRS + 1];
	uint8_t n_port_relay[GW_IPC_MAX_PORTS];
	/* Open-addressed set of every relay address (relay_hash_find): the
	 * relay-to-relay test on the packet path, O(1) whatever their number. */
	uint32_t rh_ip[RELAY_HASH_SIZE];
	uint8_t rh_used[RELAY_HASH_SIZE];
	/* each worker's round-robin position per port (Allocate only) */
	uint8_t rr[GW_IPC_MAX_WORKERS][GW_IPC_MAX_PORTS];
};

/* The one TURN server of this process (defined in dp_turn.c). */
extern struct dp_turn_state dp_turn_s;

/* The reloadable state in force; valid until this worker's next quiescent point. */
static inline const struct live *
live_get(void)
{
	return __atomic_load_n(&dp_turn_s.live, __ATOMIC_ACQUIRE);
}

static inline uint32_t
relay_hash(uint32_t ip)
{
	/* Fibonacci hashing, like the peer memo: neighbouring addresses spread */
	return (ip * 2654435769u) >> 24 & (RELAY_HASH_SIZE - 1);
}

/* Is ip a relay address of this gateway (a port's own address or one of its
 * relay_addresses)? The relay-to-relay test on the peer path. */
static inline bool
relay_hash_find(uint32_t ip)
{
	for (uint32_t h = relay_hash(ip), n = 0; n < RELAY_HASH_SIZE;
	     h = (h + 1) & (RELAY_HASH_SIZE - 1), n++) {
		if (!dp_turn_s.rh_used[h])
			return false;
		if (dp_turn_s.rh_ip[h] == ip)
			return true;
	}
	return false;
}

static inline uint64_t
unix_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec;
}

/* The relayed families port pi offers (RFC 6156): IPv4, and IPv6 with address6. */
static inline unsigned
relay_af(unsigned pi)
{
	return GW_TURN_AF_IPV4 | (dp_turn_s.v6 && dp.ports[pi].has_ipv6 ? GW_TURN_AF_IPV6 : 0u);
}

static inline void
drop(struct rte_mbuf *m)
{
	rte_pktmbuf_free(m);
}

/*
 * The IPv6 peer policy (gw_turn_peer_ip6_check / gw_turn_peer6_check, port 0
 * and own relay ports when with_port), plus: an address of the IPv4-mapped,
 * -translated or -compatible forms is never a destination on an IPv6 wire
 * (RFC 4291 §2.5.5): refused even when the IPv4 rules would let its IPv4
 * address through (NAT64 and 6to4 addresses are routable and stay judged by
 * the IPv4 rules).
 */
static inline enum gw_turn_peer_verdict
peer6_verdict(const struct gw_turn_peer_policy *pol, const uint8_t *ip, uint16_t port,
	      bool with_port)
{
	enum gw_turn_peer_verdict v = with_port ? gw_turn_peer6_check(pol, ip, port) :
						  gw_turn_peer_ip6_check(pol, ip);
	enum gw_ipv6_class c;

	if (v != GW_TURN_PEER_OK)
		return v;
	c = gw_ipv6_classify(ip);
	if (c == GW_IPV6_V4MAPPED || c == GW_IPV6_V4TRANSLATED || c == GW_IPV6_V4COMPAT)
		return GW_TURN_PEER_DENY_DEFAULT;
	return GW_TURN_PEER_OK;
}

/* The allocation of the message's 5-tuple. @return 0 (*idx set) or -ENOENT. */
static inline int
lookup_src(const struct src *sc, uint32_t *idx)
{
	return sc->v6 ? dp_turn_lookup_5tuple6(dp_turn_s.t, &sc->f6, idx) :
			dp_turn_lookup_5tuple(dp_turn_s.t, &sc->f, idx);
}

/* ---- across the files ------------------------------------------------------ */

/* dp_turn_setup.c: the HMAC states of one long-term credential key. */
int dp_turn_ltkeys_init(struct ltkeys *k, uint16_t alg, const char *user, const char *realm,
			const char *pass);

/* dp_turn.c: send resp[0..len) back to the request's source over m (consumes m). */
void dp_turn_reply_bytes(struct dp_worker *w, const struct src *sc, struct rte_mbuf *m,
			 const uint8_t *resp, size_t len);

/* dp_turn_txn.c: a request's transaction (turn_message in dp_turn.c drives them). */
int dp_turn_authenticate(struct dp_worker *w, const struct gw_stun_view *v, const struct src *sc,
			 const struct aux *x, struct auth *au);
int dp_turn_do_allocate(struct dp_worker *w, const struct gw_stun_view *v,
			const struct gw_turn_req *rq, const struct src *sc, struct auth *au,
			struct resp *r);
int dp_turn_do_request(struct dp_worker *w, const struct gw_stun_view *v,
		       const struct gw_turn_req *rq, uint32_t idx, struct auth *au,
		       struct resp *r);
void dp_turn_reply(struct dp_worker *w, const struct src *sc, struct rte_mbuf *m,
		   const struct resp *r);
void dp_turn_reply_error(struct dp_worker *w, const struct src *sc, struct rte_mbuf *m,
			 const struct gw_stun_view *v, uint16_t code, const struct auth *au);

#endif
