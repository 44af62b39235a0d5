/*
 * dp_turn: the TURN server (dp_turn.h).
 */
#include "dp_turn.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "be.h"
#include "ct.h"
#include "dp_arp.h"
#include "dp_ctx.h"
#include "dp_frag.h"
#include "dp_log.h"
#include "dp_ndp.h"
#include "dp_strm.h"
#include "dp_stun.h"
#include "dp_turn_table.h"
#include "dp_xmit.h"
#include "gw_ipc.h"
#include "hmac.h"
#include "net6.h"
#include "stun.h"
#include "stunsrv.h"
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
 * bandwidth cap. Workers read it without locks through T.live; a reload
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

#define RELAY_HASH_SIZE 256            /* power of 2, > 2 * DP_TURN_MAX_RELAY_ADDRS */
_Static_assert(DP_TURN_MAX_RELAY_ADDRS >= GW_IPC_MAX_PORTS * (GW_CONF_MAX_RELAY_ADDRS + 1),
	       "every port's address and relay_addresses fit the table");
_Static_assert(GW_TURN_POLICY_MAX_RELAY_ADDRS >= DP_TURN_MAX_RELAY_ADDRS,
	       "the peer policy knows every relay address");

static struct {
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
} T;

/* PASSWORD-ALGORITHMS value we offer: MD5, SHA-256, no parameters. */
static const uint8_t pw_algs[8] = { 0, 1, 0, 0, 0, 2, 0, 0 };

/* ---- setup ---------------------------------------------------------------- */

static int
ltkeys_init(struct ltkeys *k, uint16_t alg, const char *user, const char *realm,
	    const char *pass)
{
	uint8_t key[32];
	size_t n = alg == GW_STUN_PWALG_SHA256 ? 32 : 16;
	int err;

	err = alg == GW_STUN_PWALG_SHA256 ? gw_stun_longterm_key_sha256(key, user, realm, pass) :
					    gw_stun_longterm_key_md5(key, user, realm, pass);
	if (err == 0)
		err = gw_hmac_sha1_key_init(&k->k1, key, n);
	if (err == 0)
		err = gw_hmac_sha256_key_init(&k->k256, key, n);
	gw_wipe(key, sizeof(key));
	return err;
}

/* The reloadable state from config c (the ports' addresses from dp). */
static int
live_build(struct live *l, const struct gw_config *c)
{
	static uint32_t gen;          /* start-up and reloads run one at a time */

	l->gen = ++gen;
	for (unsigned i = 0; i < c->turn.n_users; i++) {
		struct user *u = &l->users[l->n_users++];
		const struct gw_turn_user *cu = &c->turn.users[i];

		memcpy(u->name, cu->username, sizeof(u->name));
		u->len = strnlen(u->name, sizeof(u->name));
		if (ltkeys_init(&u->md5, GW_STUN_PWALG_MD5, cu->username, c->turn.realm,
				cu->password) != 0 ||
		    ltkeys_init(&u->sha256, GW_STUN_PWALG_SHA256, cu->username, c->turn.realm,
				cu->password) != 0)
			return -EIO;
	}
	for (unsigned i = 0; i < c->turn.n_auth_secrets; i++)
		if (gw_hmac_sha1_key_init(&l->secrets[l->n_secrets++],
					  (const uint8_t *)c->turn.auth_secrets[i],
					  strlen(c->turn.auth_secrets[i])) != 0)
			return -EIO;

	/* peer policy: config lists, our port addresses as relay addresses, the
	 * REST and ng listeners as own non-relay addresses */
	for (unsigned i = 0; i < c->turn.n_allowed_peers && i < GW_TURN_POLICY_MAX_CIDRS; i++) {
		l->pol.allowed[i].addr = c->turn.allowed_peers[i].addr;
		l->pol.allowed[i].len = c->turn.allowed_peers[i].len;
		l->pol.n_allowed++;
	}
	for (unsigned i = 0; i < c->turn.n_denied_peers && i < GW_TURN_POLICY_MAX_CIDRS; i++) {
		l->pol.denied[i].addr = c->turn.denied_peers[i].addr;
		l->pol.denied[i].len = c->turn.denied_peers[i].len;
		l->pol.n_denied++;
	}
	/* IPv6 entries judge IPv6 peers (gw_turn_peer_ip6_check) */
	for (unsigned i = 0; i < c->turn.n_allowed_peers6 && i < GW_TURN_POLICY_MAX_CIDRS; i++) {
		memcpy(l->pol.allowed6[i].addr, c->turn.allowed_peers6[i].addr, 16);
		l->pol.allowed6[i].len = c->turn.allowed_peers6[i].len;
		l->pol.n_allowed6++;
	}
	for (unsigned i = 0; i < c->turn.n_denied_peers6 && i < GW_TURN_POLICY_MAX_CIDRS; i++) {
		memcpy(l->pol.denied6[i].addr, c->turn.denied_peers6[i].addr, 16);
		l->pol.denied6[i].len = c->turn.denied_peers6[i].len;
		l->pol.n_denied6++;
	}
	for (unsigned i = 0; i < dp.n_ports && i < GW_TURN_POLICY_MAX_ADDRS; i++) {
		l->pol.relay_addr[l->pol.n_relay_addr++] = dp.ports[i].ipv4;
		if (dp.ports[i].has_ipv6)
			memcpy(l->pol.relay_addr6[l->pol.n_relay_addr6++], dp.ports[i].ipv6, 16);
	}
	/* ports[].relay_addresses: relay addresses too (peers reach them only
	 * on relay ports: relay-to-relay) */
	for (unsigned i = 0; i < dp.n_ports; i++)
		for (unsigned k = 0; k < dp.ports[i].n_relay_ipv4 &&
				     l->pol.n_relay_addr < GW_TURN_POLICY_MAX_RELAY_ADDRS; k++)
			l->pol.relay_addr[l->pol.n_relay_addr++] = dp.ports[i].relay_ipv4[k];
	if (c->controlplane.rest_listen.addr != 0)
		l->pol.own_addr[l->pol.n_own_addr++] = c->controlplane.rest_listen.addr;
	if (c->calls.ng_enabled && c->calls.ng_listen.addr != 0 &&
	    c->calls.ng_listen.addr != c->controlplane.rest_listen.addr)
		l->pol.own_addr[l->pol.n_own_addr++] = c->calls.ng_listen.addr;
	if (c->controlplane.health_listen.port != 0 && c->controlplane.health_listen.addr != 0 &&
	    c->controlplane.health_listen.addr != c->controlplane.rest_listen.addr)
		l->pol.own_addr[l->pol.n_own_addr++] = c->controlplane.health_listen.addr;
	/* the network and broadcast addresses of our subnets (none on /31, /32) */
	for (unsigned i = 0; i < dp.n_ports && l->pol.n_edge_addr + 2 <= GW_TURN_POLICY_MAX_EDGES;
	     i++) {
		const struct dp_port *p = &dp.ports[i];

		if (dp_port_bcast(p) == 0)
			continue;
		l->pol.edge_addr[l->pol.n_edge_addr++] = p->ipv4 & p->mask;
		l->pol.edge_addr[l->pol.n_edge_addr++] = dp_port_bcast(p);
	}
	l->pol.relay_port_min = c->turn.relay_port_min;
	l->pol.relay_port_max = c->turn.relay_port_max;

	l->tb_rate = c->turn.bandwidth_bps / 8;
	l->tb_burst = l->tb_rate / 2 > 3000 ? l->tb_rate / 2 : 3000;
	return 0;
}

static void
live_free(struct live *l)
{
	if (l == NULL)
		return;
	gw_wipe(l, sizeof(*l));
	rte_free(l);
}

static uint32_t
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
		if (!T.rh_used[h])
			return false;
		if (T.rh_ip[h] == ip)
			return true;
	}
	return false;
}

static void
relay_hash_add(uint32_t ip)
{
	uint32_t h = relay_hash(ip);

	while (T.rh_used[h] && T.rh_ip[h] != ip)
		h = (h + 1) & (RELAY_HASH_SIZE - 1);
	T.rh_used[h] = 1;
	T.rh_ip[h] = ip;
}

/*
 * The table's relay addresses: first every port's own address (relay_idx
 * = port index, the IPv6 relay of that port shares it), then each port's
 * relay_addresses; config validation made them unique.
 */
static void
relay_addrs_setup(struct dp_turn_table_params *p)
{
	unsigned n = 0;

	memset(T.rh_used, 0, sizeof(T.rh_used));
	for (unsigned i = 0; i < dp.n_ports && n < DP_TURN_MAX_RELAY_ADDRS; i++, n++) {
		p->relay_addrs[n] = dp.ports[i].ipv4;
		T.relay_pi[n] = (uint8_t)i;
		T.port_relay[i][0] = (uint8_t)n;
		T.n_port_relay[i] = 1;
		relay_hash_add(dp.ports[i].ipv4);
		/* RFC 6156: a port with address6 relays IPv6 too, on that address */
		if (dp.ports[i].has_ipv6 && i < DP_TURN_MAX_RELAY6_ADDRS) {
			memcpy(p->relay_addrs6[i], dp.ports[i].ipv6, 16);
			p->relay6_mask |= 1u << i;
		}
	}
	for (unsigned i = 0; i < dp.n_ports; i++)
		for (unsigned k = 0; k < dp.ports[i].n_relay_ipv4 && n < DP_TURN_MAX_RELAY_ADDRS &&
				     T.n_port_relay[i] < GW_CONF_MAX_RELAY_ADDRS + 1; k++, n++) {
			p->relay_addrs[n] = dp.ports[i].relay_ipv4[k];
			T.relay_pi[n] = (uint8_t)i;
			T.port_relay[i][T.n_port_relay[i]++] = (uint8_t)n;
			relay_hash_add(dp.ports[i].relay_ipv4[k]);
		}
	p->n_relay_addrs = n;
}

/*
 * The relay address a new allocation of a client talking to port pi gets:
 * round-robin (per worker, no shared state) over the port's relay
 * addresses, skipping those without a free relay port (approximate count:
 * a lost race ends in the usual 508). Round-robin rather than fill: the
 * addresses share the load from the start, and one address's port pool
 * running dry is no event.
 */
static uint8_t
pick_relay(struct dp_worker *w, unsigned pi)
{
	unsigned n = T.n_port_relay[pi];
	unsigned start = T.rr[w->idx][pi];

	for (unsigned k = 0; k < n; k++) {
		uint8_t ri = T.port_relay[pi][(start + k) % n];

		if (dp_turn_table_ports_free(T.t, ri) > 0) {
			T.rr[w->idx][pi] = (uint8_t)((start + k + 1) % n);
			return ri;
		}
	}
	T.rr[w->idx][pi] = (uint8_t)((start + 1) % n);
	return T.port_relay[pi][start % n];
}

/* The reloadable state in force; valid until this worker's next quiescent point. */
static inline const struct live *
live_get(void)
{
	return __atomic_load_n(&T.live, __ATOMIC_ACQUIRE);
}

int
dp_turn_create(const struct gw_config *c, unsigned n_workers)
{
	struct dp_turn_table_params p = { 0 };
	struct live *l;
	uint8_t secret[32];
	int err;

	T.c = c;
	if (!c->turn.enabled)
		return 0;
	p.name = "turn";
	p.socket_id = SOCKET_ID_ANY;
	p.max_allocs = c->turn.max_allocations;
	p.max_perms = c->turn.max_allocations * 4;
	p.max_chans = c->turn.max_allocations * 2;
	p.port_min = c->turn.relay_port_min;
	p.port_max = c->turn.relay_port_max;
	relay_addrs_setup(&p);
	p.n_owners = n_workers;
	p.user_quota = c->turn.user_quota;
	p.ip_quota = c->turn.ip_quota;
	p.max_readers = n_workers;
	if (c->turn.permission_lifetime_s > DP_TURN_MAX_LIFETIME_S ||
	    c->turn.channel_lifetime_s > DP_TURN_MAX_LIFETIME_S)
		return -EINVAL;
	err = dp_turn_table_create(&T.t, &p);
	if (err != 0)
		return err;
	T.aux = rte_zmalloc("dp_turn_aux", sizeof(*T.aux) * p.max_allocs, RTE_CACHE_LINE_SIZE);
	l = rte_zmalloc("dp_turn_live", sizeof(*l), RTE_CACHE_LINE_SIZE);
	if (T.aux == NULL || l == NULL) {
		rte_free(l);
		return -ENOMEM;
	}
	err = live_build(l, c);
	if (err != 0) {
		live_free(l);
		return err;
	}
	T.live = l;
	if (getrandom(secret, sizeof(secret), 0) != (ssize_t)sizeof(secret))
		return -EIO;
	err = gw_hmac_sha1_key_init(&T.nonce_key, secret, sizeof(secret));
	gw_wipe(secret, sizeof(secret));
	if (err != 0)
		return -EIO;
	for (unsigned i = 0; i < GW_IPC_MAX_WORKERS; i++)
		if (getrandom(&T.rng[i], sizeof(T.rng[i]), 0) != (ssize_t)sizeof(T.rng[i]) ||
		    T.rng[i] == 0)
			T.rng[i] = 0x9e3779b97f4a7c15ull + i;

	T.chan_max = c->turn.rfc5766_channels ? GW_TURN_CHAN_MAX_RFC5766 : GW_TURN_CHAN_MAX;
	T.v6 = p.relay6_mask != 0;
	T.on = true;
	DP_LOG(INFO, "TURN: realm %s, relay ports %u-%u, %u allocations, %u users, %u secrets, "
	       "IPv6 relay %s", c->turn.realm, c->turn.relay_port_min, c->turn.relay_port_max,
	       c->turn.max_allocations, l->n_users, l->n_secrets, T.v6 ? "on" : "off");
	return 0;
}

int
dp_turn_reload(const struct gw_config *c, unsigned self)
{
	struct live *l, *old;
	int err;

	if (!T.on)
		return 0;
	if (c->turn.max_allocations > T.c->turn.max_allocations)
		return -EINVAL;       /* the tables are sized for the start-up value */
	l = rte_zmalloc("dp_turn_live", sizeof(*l), RTE_CACHE_LINE_SIZE);
	if (l == NULL)
		return -ENOMEM;
	err = live_build(l, c);
	if (err != 0) {
		live_free(l);
		return err;
	}
	dp_turn_table_set_limits(T.t, c->turn.max_allocations, c->turn.user_quota,
				 c->turn.ip_quota);
	old = __atomic_exchange_n(&T.live, l, __ATOMIC_ACQ_REL);
	/* wait until no worker can still hold old (self: the caller's reader id) */
	rte_rcu_qsbr_synchronize(dp_turn_table_qsbr(T.t), self);
	live_free(old);
	DP_LOG(NOTICE, "TURN reloaded: %u users, %u secrets, %u allowed and %u denied peer "
	       "prefixes, quotas %u/user %u/IP, %u allocations, %" PRIu64 " bit/s",
	       l->n_users, l->n_secrets, l->pol.n_allowed, l->pol.n_denied, c->turn.user_quota,
	       c->turn.ip_quota, c->turn.max_allocations, c->turn.bandwidth_bps);
	return 0;
}

void
dp_turn_worker_start(struct dp_worker *w)
{
	if (!T.on)
		return;
	rte_rcu_qsbr_thread_register(dp_turn_table_qsbr(T.t), w->idx);
	rte_rcu_qsbr_thread_online(dp_turn_table_qsbr(T.t), w->idx);
}

void
dp_turn_quiescent(struct dp_worker *w)
{
	if (T.on)
		rte_rcu_qsbr_quiescent(dp_turn_table_qsbr(T.t), w->idx);
}

void
dp_turn_worker_stop(struct dp_worker *w)
{
	if (!T.on)
		return;
	rte_rcu_qsbr_thread_offline(dp_turn_table_qsbr(T.t), w->idx);
	rte_rcu_qsbr_thread_unregister(dp_turn_table_qsbr(T.t), w->idx);
}

uint32_t
dp_turn_active(void)
{
	return T.on ? dp_turn_table_count(T.t) : 0;
}

/* ---- clocks ------------------------------------------------------------------ */

static uint64_t
unix_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec;
}

void
dp_turn_tick(struct dp_worker *w, uint64_t tsc)
{
	uint64_t before;

	if (!T.on || tsc < T.next_tick[w->idx])
		return;
	T.next_tick[w->idx] = tsc + dp.tsc_hz / 1000 * TICK_EVERY_MS;
	before = dp_turn_table_expired(T.t, (uint16_t)w->idx);
	(void)dp_turn_table_tick(T.t, (uint16_t)w->idx, tsc / dp.tsc_hz, TICK_BUDGET);
	DP_CNT_ADD(w, TURN_ALLOC_EXPIRED, dp_turn_table_expired(T.t, (uint16_t)w->idx) - before);
}

/* ---- packet helpers ------------------------------------------------------------ */

static int
port_of(uint32_t ip)
{
	for (unsigned i = 0; i < dp.n_ports; i++)
		if (dp.ports[i].ipv4 == ip)
			return (int)i;
	return -1;
}

/* The port ip is an IPv6 address of (configured or link-local: a client on
 * the link may use either for the TURN port), or -1. */
static int
port_of6(const uint8_t *ip)
{
	for (unsigned i = 0; i < dp.n_ports; i++)
		if (dp.ports[i].has_ipv6 && (memcmp(dp.ports[i].ipv6, ip, 16) == 0 ||
					     memcmp(dp.ports[i].ipv6_ll, ip, 16) == 0))
			return (int)i;
	return -1;
}

/* The relayed families port pi offers (RFC 6156): IPv4, and IPv6 with address6. */
static unsigned
relay_af(unsigned pi)
{
	return GW_TURN_AF_IPV4 | (T.v6 && dp.ports[pi].has_ipv6 ? GW_TURN_AF_IPV6 : 0u);
}

/*
 * Make m hold [hdrs bytes of headers][prefix bytes][the len payload bytes at
 * payload][suffix bytes], moving the frame start so the payload stays where
 * it is. hdrs: HDRS (eth, ipv4, udp) toward the wire, SHDR toward the front.
 * Returns the frame start, or NULL (no room; m untouched otherwise).
 */
static uint8_t *
reframe_at(struct rte_mbuf *m, size_t hdrs, const uint8_t *payload, size_t len, size_t prefix,
	   size_t suffix)
{
	uint8_t *start = rte_pktmbuf_mtod(m, uint8_t *);
	size_t cur = (size_t)(payload - start), want = hdrs + prefix;
	size_t total = want + len + suffix, have;

	if (cur > want) {
		if (rte_pktmbuf_adj(m, (uint16_t)(cur - want)) == NULL)
			return NULL;
	} else if (cur < want) {
		if (rte_pktmbuf_prepend(m, (uint16_t)(want - cur)) == NULL)
			return NULL;
	}
	have = rte_pktmbuf_pkt_len(m);
	if (total > have) {
		if (rte_pktmbuf_append(m, (uint16_t)(total - have)) == NULL)
			return NULL;
	} else if (total < have) {
		rte_pktmbuf_trim(m, (uint16_t)(have - total));
	}
	m->ol_flags = 0;
	return rte_pktmbuf_mtod(m, uint8_t *);
}

static uint8_t *
reframe(struct rte_mbuf *m, const uint8_t *payload, size_t len, size_t prefix, size_t suffix)
{
	return reframe_at(m, HDRS, payload, len, prefix, suffix);
}

/*
 * Send a reframed message (SHDR, then len bytes) to the TCP/TLS client of
 * 5-tuple f through the front. Consumes m. True when queued.
 */
static bool
strm_push(struct dp_worker *w, struct rte_mbuf *m, const struct dp_turn_5tuple *f, size_t len)
{
	struct gw_ipc_strm h = {
		.conn = f->conn, .client_ip = f->client_ip, .server_ip = f->server_ip,
		.client_port = f->client_port, .server_port = f->server_port,
		.type = GW_IPC_STRM_MSG, .len = (uint16_t)len,
	};

	memcpy(rte_pktmbuf_mtod(m, void *), &h, sizeof(h));
	return dp_strm_send(w, m);
}

/* strm_push for a TCP/TLS client over IPv6. */
static bool
strm_push6(struct dp_worker *w, struct rte_mbuf *m, const struct dp_turn_5tuple6 *f, size_t len)
{
	struct gw_ipc_strm h = {
		.conn = f->conn, .client_port = f->client_port, .server_port = f->server_port,
		.type = GW_IPC_STRM_MSG, .flags = GW_IPC_STRM_F_IPV6, .len = (uint16_t)len,
	};

	memcpy(h.client_ip6, f->client_ip, 16);
	memcpy(h.server_ip6, f->server_ip, 16);
	memcpy(rte_pktmbuf_mtod(m, void *), &h, sizeof(h));
	return dp_strm_send(w, m);
}

/* ---- checksums ------------------------------------------------------------------ */

static uint32_t
fold16(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

/* Ones'-complement sum of the IPv4 pseudo header and the UDP header (checksum 0). */
static uint32_t
hdr_sum(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport, uint16_t ulen)
{
	return fold16((uint64_t)(src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
		      GW_IPPROTO_UDP + 2u * ulen + sport + dport);
}

/*
 * The ones'-complement sum of a received datagram's payload after its first
 * skip bytes (skip even), recovered from its UDP checksum (RFC 1624
 * arithmetic), so relaying does not sum the payload a second time. False
 * when the sender sent no checksum.
 *
 * The classifier leaves that checksum unverified on the relay paths
 * (u->cksum_pending, dp_classify.c, dp_ipv6.c): a sum derived from it is as wrong
 * as the datagram is, so the relayed datagram's checksum is wrong by the
 * same amount and its receiver discards it, as a router carrying it would
 * have it. Where the relay cannot carry it (it sums the payload anew, or
 * copies it into a stream) it checks first: settle(), sum_holds().
 */
static bool
payload_sum(const struct gw_ipv4_view *ip, const struct gw_udp_view *u, size_t skip,
	    uint32_t *out)
{
	uint32_t h;

	if (u->cksum == 0)
		return false;
	h = fold16((uint64_t)hdr_sum(ip->src, ip->dst, u->sport, u->dport,
				     (uint16_t)(GW_UDP_HLEN + u->payload_len)) +
		   gw_cksum_add(0, u->payload, skip));
	*out = fold16((uint64_t)(uint16_t)~u->cksum + (uint16_t)~h);
	return true;
}

/*
 * Fill UDP and IPv4 headers of a reframed datagram and send it from port pi,
 * in fragments when it exceeds the port's MTU (as a kernel would) unless df
 * (the client asked DONT-FRAGMENT): then it is dropped and counted.
 * psum: the ones'-complement sum of the UDP payload when known (incremental
 * checksum), or NULL to sum it here. Consumes m.
 * Returns true when the datagram was handed on toward the port.
 */
static bool
emit(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, uint32_t src, uint16_t sport,
     uint32_t dst, uint16_t dport, size_t udp_payload, const uint32_t *psum, bool df)
{
	uint8_t *b = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *udp = b + GW_ETH_HLEN + GW_IPV4_HLEN;
	uint16_t ulen = (uint16_t)(GW_UDP_HLEN + udp_payload), c;

	if (psum == NULL) {
		gw_udp4_encode(udp, src, dst, sport, dport, (uint16_t)udp_payload);
	} else {
		c = (uint16_t)~fold16((uint64_t)hdr_sum(src, dst, sport, dport, ulen) + *psum);
		if (c == 0)
			c = 0xffff;           /* RFC 768: zero means "no checksum" */
		udp[0] = (uint8_t)(sport >> 8);
		udp[1] = (uint8_t)sport;
		udp[2] = (uint8_t)(dport >> 8);
		udp[3] = (uint8_t)dport;
		udp[4] = (uint8_t)(ulen >> 8);
		udp[5] = (uint8_t)ulen;
		udp[6] = (uint8_t)(c >> 8);
		udp[7] = (uint8_t)c;
	}
	gw_ipv4_encode(b + GW_ETH_HLEN, src, dst, GW_IPPROTO_UDP, 64,
		       (uint16_t)(GW_UDP_HLEN + udp_payload), w->ip_id++);
	if (unlikely(GW_IPV4_HLEN + GW_UDP_HLEN + udp_payload > dp.ports[pi].mtu)) {
		if (df) {
			DP_CNT(w, IPV4_FRAG_FAIL);
			rte_pktmbuf_free(m);
			return false;
		}
		return dp_frag_send(w, pi, m, dst) == 0;
	}
	dp_arp_send_ip(w, pi, m, dst);
	return true;
}

/* payload_sum() for a datagram received over IPv6 (its checksum is never 0;
 * pending on the relay paths as over IPv4). */
static bool
payload_sum6(const struct gw_ipv6_view *ip, const struct gw_udp_view *u, size_t skip,
	     uint32_t *out)
{
	uint16_t ulen = (uint16_t)(GW_UDP_HLEN + u->payload_len);
	uint32_t h;

	if (u->cksum == 0)
		return false;
	h = fold16((uint64_t)gw_ipv6_pseudo_sum(ip->src, ip->dst, GW_IPPROTO_UDP, ulen) +
		   u->sport + u->dport + ulen + gw_cksum_add(0, u->payload, skip));
	*out = fold16((uint64_t)(uint16_t)~u->cksum + (uint16_t)~h);
	return true;
}

/*
 * emit() over IPv6: UDP and IPv6 headers of a datagram reframed with HDRS6,
 * sent from port pi toward dst through neighbour discovery; over the port's
 * MTU in fragments (the source may, RFC 8200 §4.5, and a kernel would),
 * unless df (the client's DONT-FRAGMENT, which over IPv6 can only mean "do
 * not fragment at the source"): then counted (TURN6_DROP_TOOBIG) and
 * dropped. Consumes m.
 */
static bool
emit6(struct dp_worker *w, unsigned pi, struct rte_mbuf *m, const uint8_t *src, uint16_t sport,
      const uint8_t *dst, uint16_t dport, size_t udp_payload, const uint32_t *psum, bool df)
{
	uint8_t *b = rte_pktmbuf_mtod(m, uint8_t *);
	uint8_t *udp = b + GW_ETH_HLEN + GW_IPV6_HLEN;
	uint16_t ulen = (uint16_t)(GW_UDP_HLEN + udp_payload), c;
	bool big = GW_IPV6_HLEN + GW_UDP_HLEN + udp_payload > dp.ports[pi].mtu;
	uint8_t d[16];

	if (unlikely(big && df)) {
		DP_CNT(w, TURN6_DROP_TOOBIG);
		rte_pktmbuf_free(m);
		return false;
	}
	memcpy(d, dst, 16);             /* dst may point into m's old headers */
	if (psum == NULL) {
		gw_udp6_encode(udp, src, d, sport, dport, (uint16_t)udp_payload);
	} else {
		c = (uint16_t)~fold16((uint64_t)gw_ipv6_pseudo_sum(src, d, GW_IPPROTO_UDP, ulen) +
				      sport + dport + ulen + *psum);
		if (c == 0)
			c = 0xffff;           /* RFC 8200 §8.1: never zero */
		udp[0] = (uint8_t)(sport >> 8);
		udp[1] = (uint8_t)sport;
		udp[2] = (uint8_t)(dport >> 8);
		udp[3] = (uint8_t)dport;
		udp[4] = (uint8_t)(ulen >> 8);
		udp[5] = (uint8_t)ulen;
		udp[6] = (uint8_t)(c >> 8);
		udp[7] = (uint8_t)c;
	}
	gw_ipv6_encode(b + GW_ETH_HLEN, src, d, GW_IPPROTO_UDP, 64, ulen);
	if (unlikely(big))
		return dp_frag_send6(w, pi, m, d) == 0;
	dp_ndp_send_ip6(w, pi, m, d);
	return true;
}

static void
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
static enum gw_turn_peer_verdict
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

/*
 * Token bucket of allocation idx; true when len bytes may pass. Atomic: the
 * peer-to-client direction may run on a worker other than the owner (RSS of
 * the peer's packets), so two workers can charge one bucket.
 */
static bool
bw_ok(const struct dp_worker *w, uint32_t idx, uint32_t len)
{
	struct aux *x = &T.aux[idx];
	const struct live *l = live_get();
	uint64_t tsc, last, add, cur;

	if (l->tb_rate == 0)
		return true;
	tsc = w->now_tsc;
	last = __atomic_load_n(&x->tb_last, __ATOMIC_RELAXED);
	/* at most one second's worth at a time: no overflow, and the bucket is full anyway */
	add = tsc > last ? RTE_MIN(tsc - last, dp.tsc_hz) * l->tb_rate / dp.tsc_hz : 0;
	if (add > 0 && __atomic_compare_exchange_n(&x->tb_last, &last, tsc, false,
						   __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		cur = __atomic_add_fetch(&x->tb_tokens, add, __ATOMIC_RELAXED);
		if (cur > l->tb_burst)      /* clamp; a racing charge only loses tokens */
			__atomic_store_n(&x->tb_tokens, l->tb_burst, __ATOMIC_RELAXED);
	}
	cur = __atomic_load_n(&x->tb_tokens, __ATOMIC_RELAXED);
	do {
		if (cur < len)
			return false;
	} while (!__atomic_compare_exchange_n(&x->tb_tokens, &cur, cur - len, false,
					      __ATOMIC_RELAXED, __ATOMIC_RELAXED));
	return true;
}

static void
put_ip(uint8_t *a, uint32_t ip)
{
	a[0] = (uint8_t)(ip >> 24);
	a[1] = (uint8_t)(ip >> 16);
	a[2] = (uint8_t)(ip >> 8);
	a[3] = (uint8_t)ip;
}

static uint32_t
get_ip(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

/*
 * Before summing the payload of a datagram whose checksum is still pending
 * anew (so a corrupted one would leave with a right checksum): its check.
 * ip (IPv4) or ip6 (IPv6) and u describe the datagram; all NULL (a stream)
 * pass. False: counted, m dropped.
 */
static bool
settle(struct dp_worker *w, struct rte_mbuf *m, const struct gw_ipv4_view *ip,
       const struct gw_ipv6_view *ip6, const struct gw_udp_view *u)
{
	if (u == NULL || likely(ip != NULL ? gw_udp_cksum_ok(ip, u) :
			       ip6 == NULL || gw_udp6_cksum_ok(ip6, u)))
		return true;
	DP_CNT(w, UDP_BAD_CKSUM);
	drop(m);
	return false;
}

/* Whether psum, a payload sum payload_sum() derived, is the sum of the
 * len bytes at p (ones'-complement: 0x0000 and 0xffff are both zero). */
static bool
sum_holds(const uint8_t *p, size_t len, uint32_t psum)
{
	return fold16(gw_cksum_add(0, p, len)) % 0xffffu == fold16(psum) % 0xffffu;
}

/* ---- relay: toward the client ---------------------------------------------------- */

/*
 * Frame len bytes at payload for allocation idx's client and send them (UDP
 * over IPv4 or IPv6, or through the front for a TCP/TLS client): as
 * ChannelData on channel ch when ch != 0, else as a Data indication whose
 * XOR-PEER-ADDRESS is peer. psum: the payload's ones'-complement sum when
 * known, else NULL. Consumes m.
 */
static void
deliver(struct dp_worker *w, struct rte_mbuf *m, const struct dp_turn_alloc *a, uint32_t idx,
	uint16_t ch, const struct gw_stun_addr *peer, const uint8_t *payload, size_t len,
	const uint32_t *psum)
{
	bool strm = a->five.conn != 0;          /* a TCP/TLS client: through the front */
	const struct dp_turn_5tuple6 *f6 = NULL;
	size_t hl = strm ? SHDR : HDRS;
	uint8_t *b;
	size_t udp_len, pfx;
	uint32_t sum;
	bool sent;
	int pi;

	if (unlikely(a->client6)) {
		f6 = &dp_turn_alloc6_at(T.t, idx)->five6;
		strm = f6->conn != 0;
		hl = strm ? SHDR : HDRS6;
		pi = port_of6(f6->server_ip);
	} else {
		pi = port_of(a->five.server_ip);
	}
	if (pi < 0) {
		drop(m);
		return;
	}
	/* a stream copies the bytes: a carried checksum ends here, checked */
	if (unlikely(strm) && psum != NULL && !sum_holds(payload, len, *psum)) {
		DP_CNT(w, UDP_BAD_CKSUM);
		drop(m);
		return;
	}
	if (ch != 0) {
		/* on a stream ChannelData is padded to 4 bytes (RFC 8656 §12.5) */
		size_t pad = strm ? (4 - len % 4) % 4 : 0;

		b = reframe_at(m, hl, payload, len, GW_TURN_CHANDATA_HLEN, pad);
		if (b == NULL)
			goto noroom;
		(void)gw_turn_chandata_encode(b + hl, GW_TURN_CHANDATA_HLEN + len + pad, ch,
					      b + hl + GW_TURN_CHANDATA_HLEN, len, strm);
		udp_len = GW_TURN_CHANDATA_HLEN + len + pad;
		pfx = GW_TURN_CHANDATA_HLEN;
	} else {
		size_t pad = (4 - len % 4) % 4;
		size_t dhl = peer->family == GW_STUN_FAMILY_IPV6 ? DATA_IND6_HLEN : DATA_IND_HLEN;
		struct gw_stun_enc e;
		uint8_t txid[GW_STUN_TXID_LEN], *s;
		uint64_t r1 = T.rng[w->idx] ^= T.rng[w->idx] << 13;
		uint16_t mlen = (uint16_t)(dhl - GW_STUN_HDR_LEN + len + pad);

		T.rng[w->idx] ^= T.rng[w->idx] >> 7;
		T.rng[w->idx] ^= T.rng[w->idx] << 17;
		memcpy(txid, &r1, 8);
		memcpy(txid + 8, &T.rng[w->idx], 4);
		b = reframe_at(m, hl, payload, len, dhl, pad);
		if (b == NULL)
			goto noroom;
		s = b + hl;
		if (gw_stun_enc_init(&e, s, dhl, gw_stun_type(GW_STUN_DATA, GW_STUN_INDICATION),
				     txid) != 0 ||
		    gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, peer) != 0)
			goto noroom;
		s[2] = (uint8_t)(mlen >> 8);
		s[3] = (uint8_t)mlen;
		s[dhl - 4] = 0x00;
		s[dhl - 3] = 0x13;      /* DATA */
		s[dhl - 2] = (uint8_t)(len >> 8);
		s[dhl - 1] = (uint8_t)len;
		memset(s + dhl + len, 0, pad);    /* zeros: no change to the sum */
		udp_len = dhl + len + pad;
		pfx = dhl;
	}
	if (strm) {
		if (f6 != NULL ? strm_push6(w, m, f6, udp_len) : strm_push(w, m, &a->five, udp_len)) {
			DP_CNT(w, TURN_TO_CLIENT_PKTS);
			DP_CNT_ADD(w, TURN_TO_CLIENT_BYTES, len);
		}
		return;
	}
	if (psum != NULL)
		sum = fold16((uint64_t)gw_cksum_add(0, b + hl, pfx) + *psum);
	if (unlikely(f6 != NULL))
		sent = emit6(w, (unsigned)pi, m, f6->server_ip, f6->server_port, f6->client_ip,
			     f6->client_port, udp_len, psum != NULL ? &sum : NULL, false);
	else
		sent = emit(w, (unsigned)pi, m, a->five.server_ip, a->five.server_port,
			    a->five.client_ip, a->five.client_port, udp_len,
			    psum != NULL ? &sum : NULL, false);
	if (sent) {
		DP_CNT(w, TURN_TO_CLIENT_PKTS);
		DP_CNT_ADD(w, TURN_TO_CLIENT_BYTES, len);
	}
	return;
noroom:
	DP_CNT(w, TURN_DROP_NOROOM);
	drop(m);
}

/*
 * Data from peer src_ip:src_port for allocation idx: as ChannelData when a
 * channel is bound to the peer, else as a Data indication. Consumes m.
 */
static void
to_client(struct dp_worker *w, struct rte_mbuf *m, uint32_t idx, uint32_t src_ip,
	  uint16_t src_port, const uint8_t *payload, size_t len, uint64_t now,
	  const uint32_t *psum)
{
	const struct dp_turn_alloc *a = dp_turn_alloc_at(T.t, idx);
	struct gw_stun_addr peer;
	uint16_t ch;
	bool own;

	if (!dp_turn_alloc_live(a, now)) {
		DP_CNT(w, TURN_DROP_NO_ALLOC);
		drop(m);
		return;
	}
	own = a->owner == w->idx;
	if (!(own ? dp_turn_perm_check_own(a, src_ip, now) :
		    dp_turn_perm_check(T.t, idx, src_ip, now))) {
		DP_CNT(w, TURN_DROP_NO_PERM);
		drop(m);
		return;
	}
	if (len > 0xffff - DATA_IND_HLEN - 3 || !bw_ok(w, idx, (uint32_t)len)) {
		DP_CNT(w, TURN_DROP_BANDWIDTH);
		drop(m);
		return;
	}
	if ((own ? dp_turn_chan_by_peer_own(a, src_ip, src_port, now, &ch) :
		   dp_turn_chan_by_peer(T.t, idx, src_ip, src_port, now, &ch)) != 0) {
		ch = 0;
		peer.family = GW_STUN_FAMILY_IPV4;
		peer.port = src_port;
		put_ip(peer.addr, src_ip);
	}
	deliver(w, m, a, idx, ch, &peer, payload, len, psum);
}

/* to_client() from an IPv6 peer (src: 16 bytes, copied before m is reframed). */
static void
to_client6(struct dp_worker *w, struct rte_mbuf *m, uint32_t idx, const uint8_t *src,
	   uint16_t src_port, const uint8_t *payload, size_t len, uint64_t now,
	   const uint32_t *psum)
{
	const struct dp_turn_alloc *a = dp_turn_alloc_at(T.t, idx);
	struct gw_stun_addr peer = { .family = GW_STUN_FAMILY_IPV6, .port = src_port };
	uint16_t ch;

	if (!dp_turn_alloc_live(a, now)) {
		DP_CNT(w, TURN_DROP_NO_ALLOC);
		drop(m);
		return;
	}
	if (!dp_turn_perm_check6(T.t, idx, src, now)) {
		DP_CNT(w, TURN_DROP_NO_PERM);
		drop(m);
		return;
	}
	if (len > 0xffff - DATA_IND6_HLEN - 3 || !bw_ok(w, idx, (uint32_t)len)) {
		DP_CNT(w, TURN_DROP_BANDWIDTH);
		drop(m);
		return;
	}
	memcpy(peer.addr, src, 16);
	if (dp_turn_chan_by_peer6(T.t, idx, src, src_port, now, &ch) != 0)
		ch = 0;
	deliver(w, m, a, idx, ch, &peer, payload, len, psum);
}

/*
 * The allocation holding relayed address ip:port, to which datagram m came:
 * the burst's hint when dp_turn_prefetch() left one for m and that
 * allocation still holds ip:port, else a lookup.
 */
static int
lookup_relay(struct dp_worker *w, const struct rte_mbuf *m, uint32_t ip, uint16_t port,
	     uint32_t *idx)
{
	uint16_t pos = w->burst_pos;

	if (pos < DP_BURST && w->hint_m[pos] == m) {
		const struct dp_turn_alloc *a = dp_turn_alloc_at(T.t, w->hint_idx[pos]);

		if ((a->af & GW_TURN_AF_IPV4) && a->relay_ip == ip && a->relay_port == port) {
			*idx = w->hint_idx[pos];
			return 0;
		}
	}
	return dp_turn_lookup_relay(T.t, ip, port, idx);
}

void
dp_turn_relay_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		    const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	uint32_t idx, sum;
	bool have;

	(void)pi;
	if (!T.on || lookup_relay(w, m, ip->dst, u->dport, &idx) != 0) {
		DP_CNT(w, TURN_DROP_NO_ALLOC);
		drop(m);
		return;
	}
	have = payload_sum(ip, u, 0, &sum);
	to_client(w, m, idx, ip->src, u->sport, u->payload, u->payload_len, w->now_s,
		  have ? &sum : NULL);
}

void
dp_turn_relay6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		     const struct gw_ipv6_view *ip, const struct gw_udp_view *u)
{
	uint8_t src[16];
	uint32_t idx, sum;
	bool have;

	/* the relayed address is the port's configured one, not its link-local */
	if (!T.on || !dp.ports[pi].has_ipv6 || memcmp(ip->dst, dp.ports[pi].ipv6, 16) != 0 ||
	    dp_turn_lookup_relay6(T.t, pi, u->dport, &idx) != 0) {
		DP_CNT(w, TURN_DROP_NO_ALLOC);
		drop(m);
		return;
	}
	memcpy(src, ip->src, 16);
	have = payload_sum6(ip, u, 0, &sum);
	to_client6(w, m, idx, src, u->sport, u->payload, u->payload_len, w->now_s,
		   have ? &sum : NULL);
}

/* ---- relay: toward the peer ----------------------------------------------------- */

/* Relay len bytes at payload from allocation idx to peer ip:port. Consumes m. */
static void
to_peer(struct dp_worker *w, struct rte_mbuf *m, uint32_t idx, uint32_t peer_ip,
	uint16_t peer_port, const uint8_t *payload, size_t len, uint64_t now, const uint32_t *psum,
	bool df)
{
	const struct dp_turn_alloc *a = dp_turn_alloc_at(T.t, idx);
	const struct live *l = live_get();
	uint32_t other;
	uint8_t *b;

	if (gw_turn_peer_check_memo(&T.memo[w->idx], l->gen, &l->pol, peer_ip, peer_port) !=
	    GW_TURN_PEER_OK) {
		DP_CNT(w, TURN_DROP_DENIED_PEER);
		drop(m);
		return;
	}
	if (!(a->owner == w->idx ? dp_turn_perm_check_own(a, peer_ip, now) :
				   dp_turn_perm_check(T.t, idx, peer_ip, now))) {
		DP_CNT(w, TURN_DROP_NO_PERM);
		drop(m);
		return;
	}
	if (!bw_ok(w, idx, (uint32_t)len)) {
		DP_CNT(w, TURN_DROP_BANDWIDTH);
		drop(m);
		return;
	}
	if (relay_hash_find(peer_ip)) {
		/* relay-to-relay on this gateway: deliver without touching the wire */
		if (dp_turn_lookup_relay(T.t, peer_ip, peer_port, &other) != 0) {
			DP_CNT(w, TURN_DROP_NO_ALLOC);
			drop(m);
			return;
		}
		DP_CNT(w, TURN_TO_PEER_PKTS);
		DP_CNT_ADD(w, TURN_TO_PEER_BYTES, len);
		DP_CNT(w, TURN_HAIRPIN_PKTS);
		to_client(w, m, other, a->relay_ip, a->relay_port, payload, len, now, psum);
		return;
	}
	b = reframe(m, payload, len, 0, 0);
	if (b == NULL) {
		DP_CNT(w, TURN_DROP_NOROOM);
		drop(m);
		return;
	}
	/* from the allocation's relay address, out of the port that has it */
	if (emit(w, T.relay_pi[a->relay_idx], m, a->relay_ip, a->relay_port, peer_ip, peer_port, len, psum,
		 df)) {
		DP_CNT(w, TURN_TO_PEER_PKTS);
		DP_CNT_ADD(w, TURN_TO_PEER_BYTES, len);
	}
}

/*
 * Relay len bytes at payload from allocation idx to IPv6 peer ip:port, from
 * its IPv6 relayed address. ip: 16 bytes, not inside m. Consumes m.
 */
static void
to_peer6(struct dp_worker *w, struct rte_mbuf *m, uint32_t idx, const uint8_t *peer_ip,
	 uint16_t peer_port, const uint8_t *payload, size_t len, uint64_t now,
	 const uint32_t *psum, bool df)
{
	const struct dp_turn_alloc *a = dp_turn_alloc_at(T.t, idx);
	const uint8_t *relay6;
	uint32_t other;
	uint8_t *b;
	int hp;

	if (!(a->af & GW_TURN_AF_IPV6)) {
		DP_CNT(w, TURN_DROP_PEER_AF);
		drop(m);
		return;
	}
	if (peer6_verdict(&live_get()->pol, peer_ip, peer_port, true) != GW_TURN_PEER_OK) {
		DP_CNT(w, TURN_DROP_DENIED_PEER);
		drop(m);
		return;
	}
	if (!dp_turn_perm_check6(T.t, idx, peer_ip, now)) {
		DP_CNT(w, TURN_DROP_NO_PERM);
		drop(m);
		return;
	}
	if (!bw_ok(w, idx, (uint32_t)len)) {
		DP_CNT(w, TURN_DROP_BANDWIDTH);
		drop(m);
		return;
	}
	relay6 = dp_turn_relay6_addr(T.t, a->relay6_idx);
	hp = port_of6(peer_ip);
	if (hp >= 0) {
		/* relay-to-relay on this gateway: deliver without touching the wire */
		if (dp_turn_lookup_relay6(T.t, (unsigned)hp, peer_port, &other) != 0) {
			DP_CNT(w, TURN_DROP_NO_ALLOC);
			drop(m);
			return;
		}
		DP_CNT(w, TURN_TO_PEER_PKTS);
		DP_CNT_ADD(w, TURN_TO_PEER_BYTES, len);
		DP_CNT(w, TURN_HAIRPIN_PKTS);
		to_client6(w, m, other, relay6, a->relay6_port, payload, len, now, psum);
		return;
	}
	b = reframe_at(m, HDRS6, payload, len, 0, 0);
	if (b == NULL) {
		DP_CNT(w, TURN_DROP_NOROOM);
		drop(m);
		return;
	}
	if (emit6(w, a->relay6_idx, m, relay6, a->relay6_port, peer_ip, peer_port, len, psum, df)) {
		DP_CNT(w, TURN_TO_PEER_PKTS);
		DP_CNT_ADD(w, TURN_TO_PEER_BYTES, len);
	}
}

/*
 * Parsed ChannelData cd from the client of allocation idx (looked up by the
 * caller). ip or ip6, and u: the UDP datagram it came in (its checksum saves
 * summing the payload again), or all NULL from a stream. Consumes m.
 */
static void
chandata_at(struct dp_worker *w, struct rte_mbuf *m, uint32_t idx,
	    const struct gw_turn_chandata *c, const struct gw_ipv4_view *ip,
	    const struct gw_ipv6_view *ip6, const struct gw_udp_view *u, uint64_t now)
{
	const struct gw_turn_chandata cd = *c;
	const struct dp_turn_alloc *a = dp_turn_alloc_at(T.t, idx);
	uint32_t peer_ip, sum;
	uint16_t peer_port;
	uint8_t peer6[16];
	bool have, full;

	if (!dp_turn_alloc_live(a, now)) {
		DP_CNT(w, TURN_DROP_NO_ALLOC);
		drop(m);
		return;
	}
	/* with padding present the checksum also covers the padding bytes: sum anew */
	full = u != NULL && u->payload_len == (size_t)GW_TURN_CHANDATA_HLEN + cd.len;
	if ((a->owner == w->idx ?
		     dp_turn_chan_by_num_own(a, cd.channel, now, &peer_ip, &peer_port) :
		     dp_turn_chan_by_num(T.t, idx, cd.channel, now, &peer_ip, &peer_port)) == 0) {
		have = full && (ip != NULL ? payload_sum(ip, u, GW_TURN_CHANDATA_HLEN, &sum) :
					     payload_sum6(ip6, u, GW_TURN_CHANDATA_HLEN, &sum));
		if (!have && !settle(w, m, ip, ip6, u))
			return;
		to_peer(w, m, idx, peer_ip, peer_port, cd.data, cd.len, now, have ? &sum : NULL,
			false);
		return;
	}
	if (unlikely(a->af & GW_TURN_AF_IPV6) &&
	    dp_turn_chan_by_num6(T.t, idx, cd.channel, now, peer6, &peer_port) == 0) {
		have = full && (ip != NULL ? payload_sum(ip, u, GW_TURN_CHANDATA_HLEN, &sum) :
					     payload_sum6(ip6, u, GW_TURN_CHANDATA_HLEN, &sum));
		if (!have && !settle(w, m, ip, ip6, u))
			return;
		to_peer6(w, m, idx, peer6, peer_port, cd.data, cd.len, now, have ? &sum : NULL,
			 false);
		return;
	}
	DP_CNT(w, TURN_DROP_NO_CHANNEL);
	drop(m);
}

/*
 * The allocation of UDP 5-tuple f, whose datagram m is: the burst's hint
 * when dp_turn_prefetch() left one for m and that allocation still has f
 * (it may have gone, and its slot been reused, since), else a lookup.
 */
static int
lookup_five(struct dp_worker *w, const struct rte_mbuf *m, const struct dp_turn_5tuple *f,
	    uint32_t *idx)
{
	uint16_t pos = w->burst_pos;

	if (pos < DP_BURST && w->hint_m[pos] == m &&
	    memcmp(&dp_turn_alloc_at(T.t, w->hint_idx[pos])->five, f, sizeof(*f)) == 0) {
		*idx = w->hint_idx[pos];
		return 0;
	}
	return dp_turn_lookup_5tuple(T.t, f, idx);
}

/*
 * ChannelData msg[0..len) from the client of 5-tuple f (IPv4) or f6 (IPv6),
 * the other NULL. UDP: ip or ip6 and u describe the datagram; a stream: all
 * NULL. Consumes m.
 */
static void
chandata(struct dp_worker *w, struct rte_mbuf *m, const struct dp_turn_5tuple *f,
	 const struct dp_turn_5tuple6 *f6, const uint8_t *msg, size_t len,
	 const struct gw_ipv4_view *ip, const struct gw_ipv6_view *ip6,
	 const struct gw_udp_view *u)
{
	struct gw_turn_chandata cd;
	uint32_t idx;

	if (gw_turn_chandata_parse_range(&cd, msg, len, T.chan_max) != 0) {
		DP_CNT(w, TURN_DROP_BAD_CHANDATA);
		drop(m);
		return;
	}
	if ((f6 != NULL ? dp_turn_lookup_5tuple6(T.t, f6, &idx) : lookup_five(w, m, f, &idx)) !=
	    0) {
		DP_CNT(w, TURN_DROP_NO_ALLOC);
		drop(m);
		return;
	}
	chandata_at(w, m, idx, &cd, ip, ip6, u, w->now_s);
}

void
dp_turn_prefetch(struct dp_worker *w, struct rte_mbuf *const *pkts, uint16_t n)
{
	struct dp_turn_5tuple f[DP_BURST];
	uint32_t idx[DP_BURST], rip[DP_BURST];
	uint16_t at[DP_BURST], rat[DP_BURST], rport[DP_BURST];
	unsigned k = 0, r = 0;

	for (uint16_t i = 0; i < n && i < DP_BURST; i++)
		w->hint_m[i] = NULL;
	if (!T.on)
		return;
	for (uint16_t i = 0; i < n && i < DP_BURST; i++) {
		const uint8_t *b = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		uint16_t dport;

		/* Ethernet IPv4, IHL 5, UDP, not a fragment */
		if (rte_pktmbuf_data_len(pkts[i]) < HDRS + GW_TURN_CHANDATA_HLEN ||
		    b[12] != 0x08 || b[13] != 0x00 || b[14] != 0x45 || b[23] != GW_IPPROTO_UDP ||
		    ((b[20] & 0x3f) | b[21]) != 0)
			continue;
		dport = (uint16_t)(b[36] << 8 | b[37]);
		if (dport >= dp.conf->turn.relay_port_min && dport <= dp.conf->turn.relay_port_max) {
			/* a peer's datagram to a relayed address */
			rip[r] = gw_get32(b + 30);
			rport[r] = dport;
			rat[r++] = i;
			continue;
		}
		/* to the TURN port: ChannelData, or a Send indication (0x0016) */
		if (dport != dp.conf->stun.port ||
		    ((b[HDRS] < 0x40 || b[HDRS] > 0x7f) && (b[HDRS] != 0 || b[HDRS + 1] != 0x16)))
			continue;
		f[k].client_ip = gw_get32(b + 26);
		f[k].server_ip = gw_get32(b + 30);
		f[k].client_port = (uint16_t)(b[34] << 8 | b[35]);
		f[k].server_port = dport;
		f[k].conn = 0;
		at[k++] = i;
	}
	if (k != 0 && dp_turn_lookup_5tuple_bulk(T.t, f, k, idx) != 0)
		for (unsigned j = 0; j < k; j++)
			if (idx[j] != DP_TURN_NONE) {
				w->hint_m[at[j]] = pkts[at[j]];
				w->hint_idx[at[j]] = idx[j];
			}
	if (r != 0 && dp_turn_lookup_relay_bulk(T.t, rip, rport, r, idx) != 0)
		for (unsigned j = 0; j < r; j++)
			if (idx[j] != DP_TURN_NONE) {
				w->hint_m[rat[j]] = pkts[rat[j]];
				w->hint_idx[rat[j]] = idx[j];
			}
}

void
dp_turn_chandata_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		       const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	struct dp_turn_5tuple f = { ip->src, ip->dst, u->sport, u->dport, 0 };

	(void)pi;
	if (!T.on) {
		DP_CNT(w, STUN_TURN_UNAVAILABLE);
		drop(m);
		return;
	}
	chandata(w, m, &f, NULL, u->payload, u->payload_len, ip, NULL, u);
}

void
dp_turn_chandata6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
			const struct gw_ipv6_view *ip, const struct gw_udp_view *u)
{
	struct dp_turn_5tuple6 f = { .client_port = u->sport, .server_port = u->dport };

	(void)pi;
	if (!T.on) {
		DP_CNT(w, STUN6_TURN_UNSUPPORTED);
		drop(m);
		return;
	}
	memcpy(f.client_ip, ip->src, 16);
	memcpy(f.server_ip, ip->dst, 16);
	chandata(w, m, NULL, &f, u->payload, u->payload_len, NULL, ip, u);
}

/* ---- transactions ------------------------------------------------------------------ */

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

/* The allocation of the message's 5-tuple. @return 0 (*idx set) or -ENOENT. */
static int
lookup_src(const struct src *sc, uint32_t *idx)
{
	return sc->v6 ? dp_turn_lookup_5tuple6(T.t, &sc->f6, idx) :
			dp_turn_lookup_5tuple(T.t, &sc->f, idx);
}

struct resp {
	struct gw_stun_enc e;
	uint8_t buf[RESP_MAX];
	bool fp;
};

static int
resp_start(struct resp *r, const struct gw_stun_view *v, enum gw_stun_class cls)
{
	r->fp = v->attr[GW_STUN_A_FINGERPRINT].off != 0;
	if (gw_stun_enc_init(&r->e, r->buf, sizeof(r->buf), gw_stun_type(v->method, cls),
			     v->txid) != 0)
		return -ENOSPC;
	if (T.c->stun.software[0] != '\0')
		(void)gw_stun_enc_bytes(&r->e, 0x8022, T.c->stun.software,
					strlen(T.c->stun.software));
	return 0;
}

/* Integrity (when authenticated) and FINGERPRINT (when the request had one). */
static int
resp_finish(struct resp *r, const struct auth *au)
{
	int err = 0;

	if (au != NULL && au->keys != NULL)
		err = au->sha256_mi ? gw_stun_enc_integrity_sha256(&r->e, &au->keys->k256) :
				      gw_stun_enc_integrity(&r->e, &au->keys->k1);
	if (err == 0 && r->fp)
		err = gw_stun_enc_fingerprint(&r->e);
	return err;
}

/* Send resp[0..len) back to the request's source over m. Consumes m. */
static void
reply_bytes(struct dp_worker *w, const struct src *sc, struct rte_mbuf *m, const uint8_t *resp,
	    size_t len)
{
	const struct dp_turn_5tuple f = sc->f;   /* reframing moves the request */
	const bool strm = sc->v6 ? sc->f6.conn != 0 : f.conn != 0;
	const size_t hl = strm ? SHDR : sc->v6 ? HDRS6 : HDRS;
	uint8_t *b = reframe_at(m, hl, sc->msg, 0, 0, len);

	if (b == NULL) {
		DP_CNT(w, TURN_DROP_NOROOM);
		drop(m);
		return;
	}
	memcpy(b + hl, resp, len);
	if (sc->v6 && strm)
		(void)strm_push6(w, m, &sc->f6, len);
	else if (sc->v6)
		(void)emit6(w, sc->pi, m, sc->f6.server_ip, sc->f6.server_port, sc->f6.client_ip,
			    sc->f6.client_port, len, NULL, false);
	else if (f.conn != 0)
		(void)strm_push(w, m, &f, len);
	else
		(void)emit(w, sc->pi, m, f.server_ip, f.server_port, f.client_ip, f.client_port,
			   len, NULL, false);
}

static void
reply(struct dp_worker *w, const struct src *sc, struct rte_mbuf *m, const struct resp *r)
{
	reply_bytes(w, sc, m, r->buf, gw_stun_enc_len(&r->e));
}

/* An error response; 401 and 438 carry REALM, a fresh NONCE, PASSWORD-ALGORITHMS. */
static void
reply_error(struct dp_worker *w, const struct src *sc, struct rte_mbuf *m,
	    const struct gw_stun_view *v, uint16_t code, const struct auth *au)
{
	static const char *const reasons[] = {
		[0] = "Error", [1] = "Bad Request", [2] = "Unauthenticated", [3] = "Forbidden",
		[4] = "Allocation Mismatch", [5] = "Stale Nonce", [6] = "Address Family not Supported",
		[7] = "Wrong Credentials", [8] = "Unsupported Transport Protocol",
		[9] = "Peer Address Family Mismatch", [10] = "Allocation Quota Reached",
		[11] = "Insufficient Capacity", [12] = "Unknown Attribute", [13] = "Server Error",
	};
	const char *reason = reasons[0];
	struct resp r;

	switch (code) {
	case 400: reason = reasons[1]; break;
	case 401: reason = reasons[2]; break;
	case 403: reason = reasons[3]; break;
	case 437: reason = reasons[4]; break;
	case 438: reason = reasons[5]; break;
	case 440: reason = reasons[6]; break;
	case 441: reason = reasons[7]; break;
	case 442: reason = reasons[8]; break;
	case 443: reason = reasons[9]; break;
	case 486: reason = reasons[10]; break;
	case 508: reason = reasons[11]; break;
	case 420: reason = reasons[12]; break;
	case 500: reason = reasons[13]; break;
	default: break;
	}
	if (resp_start(&r, v, GW_STUN_ERROR) != 0 || gw_stun_enc_error(&r.e, code, reason) != 0)
		goto fail;
	/* RFC 8489 §14.9: a 420 lists the attributes it did not understand */
	if (code == 420 && gw_stun_enc_unknown_attrs(&r.e, v->unknown, v->n_unknown) != 0)
		goto fail;
	if (code == 401 || code == 438) {
		char nonce[GW_TURN_NONCE_MAX];
		int n = sc->v6 ? gw_turn_nonce_make6(nonce, sizeof(nonce), &T.nonce_key,
						     GW_TURN_FEATURE_PASSWORD_ALGORITHMS, true,
						     sc->f6.client_ip, unix_s()) :
				 gw_turn_nonce_make(nonce, sizeof(nonce), &T.nonce_key,
						    GW_TURN_FEATURE_PASSWORD_ALGORITHMS, true,
						    sc->f.client_ip, unix_s());

		if (n < 0 ||
		    gw_stun_enc_bytes(&r.e, GW_STUN_ATTR_REALM, T.c->turn.realm,
				      strlen(T.c->turn.realm)) != 0 ||
		    gw_stun_enc_bytes(&r.e, GW_STUN_ATTR_NONCE, nonce, (size_t)n) != 0 ||
		    gw_stun_enc_bytes(&r.e, GW_STUN_ATTR_PASSWORD_ALGORITHMS, pw_algs,
				      sizeof(pw_algs)) != 0)
			goto fail;
		au = NULL;      /* RFC 8489 §9.2.4: no integrity on 401/438 */
	}
	if (resp_finish(&r, au) != 0)
		goto fail;
	reply(w, sc, m, &r);
	return;
fail:
	DP_CNT(w, STUN_DROP_NOSPC);
	drop(m);
}

/* Find the user's keys (static list, then REST secrets) and check the MAC. */
static int
check_mac(const struct gw_stun_view *v, struct auth *au)
{
	bool sha = v->attr[GW_STUN_A_MESSAGE_INTEGRITY_SHA256].off != 0;
	char name[USER_MAX], pass[GW_TURN_REST_PASS_SIZE];
	const struct live *l = live_get();

	au->sha256_mi = sha;
	for (unsigned i = 0; i < l->n_users; i++) {
		const struct user *u = &l->users[i];

		if (u->len != au->ulen || memcmp(u->name, au->user, au->ulen) != 0)
			continue;
		au->keys = au->alg == GW_STUN_PWALG_SHA256 ? &u->sha256 : &u->md5;
		goto verify;
	}
	if (l->n_secrets == 0 || gw_turn_rest_check((const uint8_t *)au->user, au->ulen,
						   unix_s()) != 0)
		return GW_STUN_ERR(401);     /* unknown, or an expired REST username */
	memcpy(name, au->user, au->ulen);
	name[au->ulen] = '\0';
	for (unsigned i = 0; i < l->n_secrets; i++) {
		int ok;

		if (gw_turn_rest_password(pass, sizeof(pass), &l->secrets[i],
					  (const uint8_t *)au->user, au->ulen) != 0 ||
		    ltkeys_init(&au->derived, au->alg, name, T.c->turn.realm, pass) != 0)
			break;
		ok = sha ? gw_stun_check_integrity_sha256(v, &au->derived.k256) :
			   gw_stun_check_integrity(v, &au->derived.k1);
		if (ok == 0) {
			au->keys = &au->derived;
			gw_wipe(pass, sizeof(pass));
			return 0;
		}
	}
	gw_wipe(pass, sizeof(pass));
	return GW_STUN_ERR(401);
verify:
	if ((sha ? gw_stun_check_integrity_sha256(v, &au->keys->k256) :
		   gw_stun_check_integrity(v, &au->keys->k1)) != 0)
		return GW_STUN_ERR(401);
	return 0;
}

/*
 * Long-term credential check (RFC 8489 §9.2.4). With an allocation, its
 * stored credential is used and the USERNAME must be the one it was made
 * with (441). Returns 0 (au filled) or GW_STUN_ERR(400/401/438/441).
 */
static int
authenticate(struct dp_worker *w, const struct gw_stun_view *v, const struct src *sc,
	     const struct aux *x, struct auth *au)
{
	const uint8_t *p;
	size_t n;
	int err;

	memset(au, 0, sizeof(*au));
	au->alg = GW_STUN_PWALG_MD5;
	if (v->attr[GW_STUN_A_MESSAGE_INTEGRITY].off == 0 &&
	    v->attr[GW_STUN_A_MESSAGE_INTEGRITY_SHA256].off == 0) {
		DP_CNT(w, TURN_AUTH_CHALLENGE);
		return GW_STUN_ERR(401);
	}
	if (v->attr[GW_STUN_A_USERNAME].off == 0 || v->attr[GW_STUN_A_REALM].off == 0 ||
	    v->attr[GW_STUN_A_NONCE].off == 0) {
		DP_CNT(w, TURN_AUTH_FAIL);
		return GW_STUN_ERR(400);
	}
	(void)gw_stun_get_bytes(v, &v->attr[GW_STUN_A_NONCE], &p, &n);
	/* the nonce is bound to the client's address, of either family */
	err = sc->v6 ? gw_turn_nonce_check6(p, n, &T.nonce_key, sc->f6.client_ip, unix_s(),
					    T.c->turn.nonce_lifetime_s) :
		       gw_turn_nonce_check(p, n, &T.nonce_key, sc->f.client_ip, unix_s(),
					   T.c->turn.nonce_lifetime_s);
	if (err != 0) {
		DP_CNT(w, TURN_AUTH_STALE);
		return GW_STUN_ERR(438);
	}
	(void)gw_stun_get_bytes(v, &v->attr[GW_STUN_A_REALM], &p, &n);
	if (n != strlen(T.c->turn.realm) || memcmp(p, T.c->turn.realm, n) != 0) {
		DP_CNT(w, TURN_AUTH_FAIL);
		return GW_STUN_ERR(401);
	}
	/* PASSWORD-ALGORITHMS must echo ours; PASSWORD-ALGORITHM picks one of them */
	if ((v->attr[GW_STUN_A_PASSWORD_ALGORITHMS].off != 0) !=
	    (v->attr[GW_STUN_A_PASSWORD_ALGORITHM].off != 0)) {
		DP_CNT(w, TURN_AUTH_FAIL);
		return GW_STUN_ERR(400);
	}
	if (v->attr[GW_STUN_A_PASSWORD_ALGORITHMS].off != 0) {
		(void)gw_stun_get_bytes(v, &v->attr[GW_STUN_A_PASSWORD_ALGORITHMS], &p, &n);
		if (n != sizeof(pw_algs) || memcmp(p, pw_algs, n) != 0 ||
		    gw_stun_get_password_algorithm(v, &au->alg) != 0 ||
		    (au->alg != GW_STUN_PWALG_MD5 && au->alg != GW_STUN_PWALG_SHA256)) {
			DP_CNT(w, TURN_AUTH_FAIL);
			return GW_STUN_ERR(400);
		}
	}
	(void)gw_stun_get_bytes(v, &v->attr[GW_STUN_A_USERNAME], &p, &n);
	if (n == 0 || n >= USER_MAX) {
		DP_CNT(w, TURN_AUTH_FAIL);
		return GW_STUN_ERR(401);
	}
	memcpy(au->user, p, n);
	au->ulen = n;
	if (x != NULL) {
		if (x->ulen != n || memcmp(x->user, p, n) != 0 || x->alg != au->alg) {
			DP_CNT(w, TURN_AUTH_FAIL);
			return GW_STUN_ERR(441);
		}
		au->keys = &x->keys;
		au->sha256_mi = v->attr[GW_STUN_A_MESSAGE_INTEGRITY_SHA256].off != 0;
		err = au->sha256_mi ? gw_stun_check_integrity_sha256(v, &x->keys.k256) :
				      gw_stun_check_integrity(v, &x->keys.k1);
	} else {
		err = check_mac(v, au);
	}
	if (err != 0) {
		au->keys = NULL;
		DP_CNT(w, TURN_AUTH_FAIL);
		return GW_STUN_ERR(401);
	}
	return 0;
}

static uint32_t
lifetime_of(const struct gw_turn_req *rq)
{
	const struct gw_config *c = T.c;

	if (rq->has_lifetime && rq->lifetime > c->turn.default_lifetime_s)
		return rq->lifetime < c->turn.max_lifetime_s ? rq->lifetime : c->turn.max_lifetime_s;
	return c->turn.default_lifetime_s;
}

static uint64_t
user_key(const char *u, size_t n)
{
	return (uint64_t)rte_hash_crc(u, (uint32_t)n, 0x75736572) << 32 |
	       rte_hash_crc(u, (uint32_t)n, 0x6b657921);
}

/*
 * Allocate success (also the answer to a retransmission): one
 * XOR-RELAYED-ADDRESS per relayed family (IPv4 first, RFC 8656 §7.2),
 * XOR-MAPPED-ADDRESS in the client's family, ADDRESS-ERROR-CODE 440 for a
 * family of a dual request the port does not relay (refused: GW_TURN_AF_*).
 */
static int
allocate_ok(struct resp *r, const struct gw_stun_view *v, const struct dp_turn_alloc *a,
	    uint32_t idx, uint32_t lifetime, bool token, uint64_t tok, const struct auth *au,
	    unsigned refused)
{
	struct gw_stun_addr relay = { .family = GW_STUN_FAMILY_IPV4, .port = a->relay_port };
	struct gw_stun_addr relay6 = { .family = GW_STUN_FAMILY_IPV6, .port = a->relay6_port };
	struct gw_stun_addr mapped = { .family = GW_STUN_FAMILY_IPV4,
				       .port = a->five.client_port };

	put_ip(relay.addr, a->relay_ip);
	put_ip(mapped.addr, a->five.client_ip);
	if (a->af & GW_TURN_AF_IPV6)
		memcpy(relay6.addr, dp_turn_relay6_addr(T.t, a->relay6_idx), 16);
	if (a->client6) {
		const struct dp_turn_5tuple6 *f6 = &dp_turn_alloc6_at(T.t, idx)->five6;

		mapped.family = GW_STUN_FAMILY_IPV6;
		mapped.port = f6->client_port;
		memcpy(mapped.addr, f6->client_ip, 16);
	}
	if (resp_start(r, v, GW_STUN_SUCCESS) != 0 ||
	    ((a->af & GW_TURN_AF_IPV4) &&
	     gw_stun_enc_xor_addr(&r->e, GW_STUN_ATTR_XOR_RELAYED_ADDRESS, &relay) != 0) ||
	    ((a->af & GW_TURN_AF_IPV6) &&
	     gw_stun_enc_xor_addr(&r->e, GW_STUN_ATTR_XOR_RELAYED_ADDRESS, &relay6) != 0) ||
	    gw_stun_enc_u32(&r->e, GW_STUN_ATTR_LIFETIME, lifetime) != 0 ||
	    gw_stun_enc_xor_addr(&r->e, GW_STUN_ATTR_XOR_MAPPED_ADDRESS, &mapped) != 0 ||
	    (token && gw_stun_enc_u64(&r->e, GW_STUN_ATTR_RESERVATION_TOKEN, tok) != 0) ||
	    ((refused & GW_TURN_AF_IPV4) &&
	     gw_turn_enc_address_error(&r->e, GW_STUN_FAMILY_IPV4, 440,
				       "Address Family not Supported") != 0) ||
	    ((refused & GW_TURN_AF_IPV6) &&
	     gw_turn_enc_address_error(&r->e, GW_STUN_FAMILY_IPV6, 440,
				       "Address Family not Supported") != 0))
		return -ENOSPC;
	return resp_finish(r, au);
}

static int
do_allocate(struct dp_worker *w, const struct gw_stun_view *v, const struct gw_turn_req *rq,
	    const struct src *sc, struct auth *au, struct resp *r)
{
	struct dp_turn_alloc_req ar;
	uint64_t now = w->now_s, tok = 0;
	uint32_t idx, lt = lifetime_of(rq);
	struct aux *x;
	int err;

	if (lookup_src(sc, &idx) == 0) {
		const struct dp_turn_alloc *a = dp_turn_alloc_at(T.t, idx);

		/* expired but not collected yet: collect it now (its owner only) */
		if (!dp_turn_alloc_live(a, now) && a->owner == w->idx &&
		    dp_turn_alloc_delete(T.t, idx, (uint16_t)w->idx) == 0) {
			DP_CNT(w, TURN_ALLOC_EXPIRED);
			goto create;
		}
		if (!dp_turn_alloc_live(a, now) || memcmp(a->txid, v->txid, 12) != 0) {
			DP_CNT(w, TURN_ERR_MISMATCH);
			return GW_STUN_ERR(437);
		}
		DP_CNT(w, TURN_ALLOC_RETRANSMIT);
		return allocate_ok(r, v, a, idx, (uint32_t)(a->expires - now), false, 0, au,
				   rq->af_refused);
	}
create:
	memset(&ar, 0, sizeof(ar));
	if (sc->v6) {
		ar.client6 = true;
		ar.five6 = sc->f6;
	} else {
		ar.five = sc->f;
	}
	ar.owner = (uint16_t)w->idx;
	ar.lifetime_s = lt;
	ar.user_key = user_key(au->user, au->ulen);
	memcpy(ar.txid, v->txid, 12);
	ar.even_port = rq->even_port;
	ar.reserve_next = rq->reserve_next;
	ar.has_token = rq->has_token;
	ar.token = rq->token;
	ar.relay_idx = pick_relay(w, sc->pi);
	ar.relay6_idx = (uint8_t)sc->pi;      /* a port's two addresses */
	ar.af = rq->af;                       /* limited to relay_af(pi) by the check */
	err = dp_turn_alloc_create(T.t, &ar, now, &idx, &tok);
	if (err != 0) {
		if (err == GW_STUN_ERR(486))
			DP_CNT(w, TURN_ERR_QUOTA);
		else if (err == GW_STUN_ERR(437))
			DP_CNT(w, TURN_ERR_MISMATCH);
		else
			DP_CNT(w, TURN_ERR_CAPACITY);
		return GW_IS_STUN_ERR(err) ? err : GW_STUN_ERR(500);
	}
	x = &T.aux[idx];
	memset(x, 0, sizeof(*x));
	memcpy(x->user, au->user, au->ulen);
	x->ulen = (uint8_t)au->ulen;
	x->alg = au->alg;
	x->keys = *au->keys;
	x->tb_tokens = live_get()->tb_burst;
	x->tb_last = rte_rdtsc();
	DP_CNT(w, TURN_ALLOC_OK);
	if (dp_turn_alloc_at(T.t, idx)->af & GW_TURN_AF_IPV6)
		DP_CNT(w, TURN6_ALLOC_OK);
	return allocate_ok(r, v, dp_turn_alloc_at(T.t, idx), idx, lt, rq->reserve_next, tok, au,
			   rq->af_refused);
}

/* The peer policy for a STUN peer address of either family (port: ChannelBind). */
static enum gw_turn_peer_verdict
peer_verdict(const struct gw_stun_addr *p, bool with_port)
{
	const struct gw_turn_peer_policy *pol = &live_get()->pol;

	if (p->family == GW_STUN_FAMILY_IPV6)
		return peer6_verdict(pol, p->addr, p->port, with_port);
	return with_port ? gw_turn_peer_check(pol, get_ip(p->addr), p->port) :
			   gw_turn_peer_ip_check(pol, get_ip(p->addr));
}

static void
count_forbidden(struct dp_worker *w, const struct gw_stun_addr *p)
{
	DP_CNT(w, TURN_ERR_FORBIDDEN);
	if (p->family == GW_STUN_FAMILY_IPV6)
		DP_CNT(w, TURN6_ERR_FORBIDDEN);
}

static int
do_request(struct dp_worker *w, const struct gw_stun_view *v, const struct gw_turn_req *rq,
	   uint32_t idx, struct auth *au, struct resp *r)
{
	const struct dp_turn_alloc *a = dp_turn_alloc_at(T.t, idx);
	uint64_t now = w->now_s;
	uint16_t owner = (uint16_t)w->idx;
	int err = 0;

	/* RFC 8656 §7.3, §9.1, §11.1 (RFC 6156): a refreshed family or a peer's
	 * family the allocation does not relay is 443 */
	if ((v->method == GW_STUN_REFRESH && rq->af != 0 && !(rq->af & a->af)) ||
	    (v->method != GW_STUN_REFRESH && (rq->peer_af & ~a->af) != 0)) {
		DP_CNT(w, TURN_ERR_FAMILY);
		return GW_STUN_ERR(443);
	}
	switch (v->method) {
	case GW_STUN_REFRESH: {
		uint32_t lt = rq->has_lifetime && rq->lifetime == 0 ? 0 : lifetime_of(rq);
		bool whole = true;

		/* RFC 8656 §7.3 with RFC 6156: REQUESTED-ADDRESS-FAMILY and
		 * LIFETIME 0 delete only that family's relayed address of a dual
		 * allocation (as coturn does). A non-zero lifetime refreshes the
		 * allocation: its families share one lifetime here. */
		if (lt == 0 && rq->af != 0 && rq->af != a->af) {
			err = dp_turn_alloc_drop_family(T.t, idx, owner, (uint8_t)rq->af);
			whole = false;
		} else {
			err = dp_turn_alloc_refresh(T.t, idx, owner, lt, now);
		}
		if (err != 0)
			break;
		DP_CNT(w, TURN_REFRESH_OK);
		if (lt == 0 && whole)
			DP_CNT(w, TURN_ALLOC_DELETED);
		else if (lt == 0)
			DP_CNT(w, TURN_FAMILY_DELETED);
		if (resp_start(r, v, GW_STUN_SUCCESS) != 0 ||
		    gw_stun_enc_u32(&r->e, GW_STUN_ATTR_LIFETIME, lt) != 0)
			return -ENOSPC;
		return resp_finish(r, au);
	}
	case GW_STUN_CREATE_PERMISSION:
		for (unsigned i = 0; i < rq->n_peers; i++)
			if (peer_verdict(&rq->peers[i], false) != GW_TURN_PEER_OK) {
				count_forbidden(w, &rq->peers[i]);
				return GW_STUN_ERR(403);
			}
		for (unsigned i = 0; i < rq->n_peers && err == 0; i++)
			err = rq->peers[i].family == GW_STUN_FAMILY_IPV6 ?
				      dp_turn_perm_add6(T.t, idx, owner, rq->peers[i].addr,
							T.c->turn.permission_lifetime_s, now) :
				      dp_turn_perm_add(T.t, idx, owner, get_ip(rq->peers[i].addr),
						       T.c->turn.permission_lifetime_s, now);
		if (err == 0)
			DP_CNT(w, TURN_PERM_OK);
		break;
	case GW_STUN_CHANNEL_BIND: {
		uint32_t pip = get_ip(rq->peers[0].addr);

		/* RFC 8656 §12: 0x4000..0x4FFF; RFC 5766's range only when configured */
		if (rq->channel > T.chan_max) {
			DP_CNT(w, TURN_ERR_BAD_REQUEST);
			return GW_STUN_ERR(400);
		}
		if (peer_verdict(&rq->peers[0], true) != GW_TURN_PEER_OK) {
			count_forbidden(w, &rq->peers[0]);
			return GW_STUN_ERR(403);
		}
		if (rq->peers[0].family == GW_STUN_FAMILY_IPV6) {
			err = dp_turn_chan_bind6(T.t, idx, owner, rq->channel, rq->peers[0].addr,
						 rq->peers[0].port, T.c->turn.channel_lifetime_s,
						 now);
			if (err == 0)
				err = dp_turn_perm_add6(T.t, idx, owner, rq->peers[0].addr,
							T.c->turn.permission_lifetime_s, now);
		} else {
			err = dp_turn_chan_bind(T.t, idx, owner, rq->channel, pip,
						rq->peers[0].port, T.c->turn.channel_lifetime_s,
						now);
			if (err == 0)
				err = dp_turn_perm_add(T.t, idx, owner, pip,
						       T.c->turn.permission_lifetime_s, now);
		}
		if (err == 0)
			DP_CNT(w, TURN_CHANBIND_OK);
		break;
	}
	default:
		return GW_STUN_ERR(400);
	}
	if (err == -EPERM) {
		DP_CNT(w, TURN_ERR_OWNER);
		return GW_STUN_ERR(437);
	}
	if (err != 0) {
		if (err == GW_STUN_ERR(508))
			DP_CNT(w, TURN_ERR_CAPACITY);
		else
			DP_CNT(w, TURN_ERR_BAD_REQUEST);
		return GW_IS_STUN_ERR(err) ? err : GW_STUN_ERR(400);
	}
	if (resp_start(r, v, GW_STUN_SUCCESS) != 0)
		return -ENOSPC;
	return resp_finish(r, au);
}

/* A Send indication from the client. Consumes m. */
static void
send_indication(struct dp_worker *w, struct rte_mbuf *m, const struct src *sc,
		const struct gw_turn_req *rq)
{
	uint64_t now = w->now_s;
	uint32_t idx, sum;
	bool have = false;

	if ((sc->ip != NULL ? lookup_five(w, m, &sc->f, &idx) : lookup_src(sc, &idx)) != 0 ||
	    !dp_turn_alloc_live(dp_turn_alloc_at(T.t, idx), now)) {
		DP_CNT(w, TURN_DROP_NO_ALLOC);
		drop(m);
		return;
	}
	if (rq->peers[0].family == GW_STUN_FAMILY_IPV6) {
		if (!settle(w, m, sc->ip, sc->ip6, sc->u))
			return;
		to_peer6(w, m, idx, rq->peers[0].addr, rq->peers[0].port, rq->data, rq->data_len,
			 now, NULL, rq->dont_fragment);
		return;
	}
	if (!(dp_turn_alloc_at(T.t, idx)->af & GW_TURN_AF_IPV4)) {
		DP_CNT(w, TURN_DROP_PEER_AF);
		drop(m);
		return;
	}
	/* DATA last and unpadded (the usual Send): the payload's sum follows
	 * from the datagram's checksum and the bytes before it (an even count:
	 * attribute values start 4-aligned) */
	if (sc->ip != NULL && rq->data + rq->data_len == sc->u->payload + sc->u->payload_len)
		have = payload_sum(sc->ip, sc->u, (size_t)(rq->data - sc->u->payload), &sum);
	if (!have && !settle(w, m, sc->ip, sc->ip6, sc->u))
		return;
	to_peer(w, m, idx, get_ip(rq->peers[0].addr), rq->peers[0].port, rq->data,
		rq->data_len, now, have ? &sum : NULL, rq->dont_fragment);
}

/* A STUN message (TURN request or Send indication) from sc. Consumes m. */
static void
turn_message(struct dp_worker *w, const struct src *sc, struct rte_mbuf *m)
{
	struct gw_stun_view v;
	struct gw_turn_req rq;
	struct auth au;
	struct resp r;
	const struct aux *x = NULL;
	uint32_t idx = DP_TURN_NONE;
	bool unknown;
	int err;

	err = gw_stun_parse(&v, sc->msg, sc->len);
	if (err != 0 && !GW_IS_STUN_ERR(err)) {
		DP_CNT(w, TURN_DROP_BAD_REQUEST);
		drop(m);
		return;
	}
	/* RFC 8489 §7.3: a FINGERPRINT that does not match means the datagram is
	 * not STUN, whatever its class: discard before acting on any of it. */
	if (v.attr[GW_STUN_A_FINGERPRINT].off != 0 && gw_stun_check_fingerprint(&v) != 0) {
		DP_CNT(w, TURN_DROP_FINGERPRINT);
		drop(m);
		return;
	}
	if (v.cls == GW_STUN_INDICATION) {
		/* unknown comprehension-required attributes in an indication: discard */
		if (err != 0 || gw_turn_req_check_af(&rq, &v, relay_af(sc->pi)) != 0) {
			DP_CNT(w, TURN_DROP_BAD_SEND);
			drop(m);
			return;
		}
		send_indication(w, m, sc, &rq);
		return;
	}
	if (v.cls != GW_STUN_REQUEST) {
		DP_CNT(w, TURN_DROP_BAD_REQUEST);
		drop(m);
		return;
	}
	if (err != 0 && err != GW_STUN_ERR(420)) {     /* malformed: 400 before anything else */
		DP_CNT(w, TURN_ERR_BAD_REQUEST);
		reply_error(w, sc, m, &v, (uint16_t)GW_STUN_CODE(err), NULL);
		return;
	}
	unknown = err == GW_STUN_ERR(420);
	if (v.method != GW_STUN_ALLOCATE && lookup_src(sc, &idx) == 0 &&
	    dp_turn_alloc_live(dp_turn_alloc_at(T.t, idx), w->now_s))
		x = &T.aux[idx];
	err = authenticate(w, &v, sc, x, &au);
	if (err != 0) {
		reply_error(w, sc, m, &v, (uint16_t)GW_STUN_CODE(err), NULL);
		return;
	}
	/* RFC 8489 §6.3.1: unknown comprehension-required attributes are judged
	 * once authentication passed, and the 420 is integrity-protected */
	if (unknown) {
		DP_CNT(w, TURN_ERR_UNKNOWN_ATTR);
		err = GW_STUN_ERR(420);
	} else {
		err = gw_turn_req_check_af(&rq, &v, relay_af(sc->pi));
	}
	if (err == GW_STUN_ERR(420)) {
		/* answered below */
	} else if (err == 0 && v.method != GW_STUN_ALLOCATE && x == NULL) {
		DP_CNT(w, TURN_ERR_MISMATCH);
		err = GW_STUN_ERR(437);
	} else if (err == GW_STUN_ERR(440) || err == GW_STUN_ERR(443)) {
		DP_CNT(w, TURN_ERR_FAMILY);
	} else if (err != 0) {
		DP_CNT(w, TURN_ERR_BAD_REQUEST);
		if (!GW_IS_STUN_ERR(err))
			err = GW_STUN_ERR(400);
	} else if (v.method == GW_STUN_ALLOCATE) {
		err = do_allocate(w, &v, &rq, sc, &au, &r);
	} else {
		err = do_request(w, &v, &rq, idx, &au, &r);
	}
	if (err == 0) {
		reply(w, sc, m, &r);
	} else if (GW_IS_STUN_ERR(err)) {
		reply_error(w, sc, m, &v, (uint16_t)GW_STUN_CODE(err), &au);
	} else {
		DP_CNT(w, STUN_DROP_NOSPC);
		drop(m);
	}
	gw_wipe(&au.derived, sizeof(au.derived));
}

void
dp_turn_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
	      const struct gw_ipv4_view *ip, const struct gw_udp_view *u)
{
	const struct src sc = {
		.f = { ip->src, ip->dst, u->sport, u->dport, 0 },
		.pi = pi, .msg = u->payload, .len = u->payload_len, .ip = ip, .u = u,
	};

	if (!T.on) {
		DP_CNT(w, STUN_TURN_UNAVAILABLE);
		drop(m);
		return;
	}
	turn_message(w, &sc, m);
}

void
dp_turn_input6(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
	       const struct gw_ipv6_view *ip, const struct gw_udp_view *u)
{
	struct src sc = {
		.pi = pi, .msg = u->payload, .len = u->payload_len, .v6 = true,
		.f6 = { .client_port = u->sport, .server_port = u->dport }, .ip6 = ip, .u = u,
	};

	if (!T.on) {
		DP_CNT(w, STUN6_TURN_UNSUPPORTED);
		drop(m);
		return;
	}
	memcpy(sc.f6.client_ip, ip->src, 16);
	memcpy(sc.f6.server_ip, ip->dst, 16);
	turn_message(w, &sc, m);
}

/* ---- TCP and TLS clients (through rtcgw-turnfront, dp_strm) ------------------------- */

/* The IPv6 5-tuple of stream connection h (GW_IPC_STRM_F_IPV6). */
static void
strm_five6(const struct gw_ipc_strm *h, struct dp_turn_5tuple6 *f6)
{
	memset(f6, 0, sizeof(*f6));
	memcpy(f6->client_ip, h->client_ip6, 16);
	memcpy(f6->server_ip, h->server_ip6, 16);
	f6->client_port = h->client_port;
	f6->server_port = h->server_port;
	f6->conn = h->conn;
}

void
dp_turn_stream_input(struct dp_worker *w, struct rte_mbuf *m, const struct gw_ipc_strm *h)
{
	const bool v6 = (h->flags & GW_IPC_STRM_F_IPV6) != 0;
	struct src sc = {
		.f = { h->client_ip, h->server_ip, h->client_port, h->server_port, h->conn },
		.msg = rte_pktmbuf_mtod_offset(m, const uint8_t *, SHDR),
		.len = h->len,
		.v6 = v6,
	};
	int pi;

	if (v6) {
		/* a connection over IPv6: the allocation is keyed by its IPv6 5-tuple */
		memset(&sc.f, 0, sizeof(sc.f));
		strm_five6(h, &sc.f6);
		pi = port_of6(h->server_ip6);
	} else {
		pi = port_of(h->server_ip);
	}
	if (!T.on || pi < 0) {
		DP_CNT(w, TURN_STREAM_DROP_BAD);
		drop(m);
		return;
	}
	sc.pi = (unsigned)pi;
	if (sc.msg[0] >= 0x40 && sc.msg[0] <= 0x7f) {    /* the front checked the framing */
		chandata(w, m, v6 ? NULL : &sc.f, v6 ? &sc.f6 : NULL, sc.msg, sc.len, NULL, NULL,
			 NULL);
		return;
	}
	if (sc.len >= GW_STUN_HDR_LEN && sc.msg[0] < 0x40 &&
	    ((uint16_t)(sc.msg[0] << 8 | sc.msg[1])) ==
		    gw_stun_type(GW_STUN_BINDING, GW_STUN_REQUEST)) {
		/* a Binding request on the TURN connection (RFC 8489 over TCP):
		 * answered as on UDP, with the connection's address */
		uint8_t out[GW_STUNSRV_MAX_RESP];
		struct gw_stunsrv_res res;
		struct gw_stun_addr a = { .family = v6 ? GW_STUN_FAMILY_IPV6 : GW_STUN_FAMILY_IPV4,
					  .port = h->client_port };
		enum gw_stunsrv_outcome o;

		if (v6)
			memcpy(a.addr, h->client_ip6, 16);
		else
			put_ip(a.addr, h->client_ip);
		o = gw_stunsrv_binding(sc.msg, sc.len, &a, T.c->stun.software, out, sizeof(out),
				       &res);
		w->cnt[GW_CNT_STUN_BINDING_OK + o]++;
		if (res.len == 0)
			drop(m);
		else
			reply_bytes(w, &sc, m, out, res.len);
		return;
	}
	turn_message(w, &sc, m);
}

void
dp_turn_stream_close(struct dp_worker *w, const struct gw_ipc_strm *h)
{
	const struct dp_turn_5tuple f = { h->client_ip, h->server_ip, h->client_port,
					  h->server_port, h->conn };
	struct dp_turn_5tuple6 f6;
	uint32_t idx;
	int rc;

	if (!T.on || h->conn == 0)
		return;
	if (h->flags & GW_IPC_STRM_F_IPV6) {
		strm_five6(h, &f6);
		rc = dp_turn_lookup_5tuple6(T.t, &f6, &idx);
	} else {
		rc = dp_turn_lookup_5tuple(T.t, &f, &idx);
	}
	if (rc != 0)
		return;
	if (dp_turn_alloc_at(T.t, idx)->owner == w->idx &&
	    dp_turn_alloc_delete(T.t, idx, (uint16_t)w->idx) == 0)
		DP_CNT(w, TURN_STREAM_CLOSED);
}

void
dp_turn_stream_reset(struct dp_worker *w)
{
	unsigned n;

	if (!T.on)
		return;
	n = dp_turn_table_delete_streams(T.t, (uint16_t)w->idx);
	DP_CNT_ADD(w, TURN_STREAM_CLOSED, n);
	if (n != 0)
		DP_LOG(NOTICE, "TURN: a TCP/TLS front (re)started: %u allocation(s) of its "
		       "earlier connections deleted", n);
}
