/*
 * dp_turn_setup: the TURN server's set-up (dp_turn.h): the allocation table
 * and its relay addresses, the reloadable credentials and policy (struct
 * live, published to the workers by one atomic store, freed after a QSBR
 * grace period), the workers' start and stop.
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
#include "dp_ctx.h"
#include "dp_log.h"
#include "dp_stun.h"
#include "dp_turn_table.h"
#include "gw_ipc.h"
#include "hmac.h"
#include "net6.h"
#include "stun.h"
#include "stunsrv.h"
#include "turn.h"
#include "dp_turn_int.h"

int
dp_turn_ltkeys_init(struct ltkeys *k, uint16_t alg, const char *user, const char *realm,
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
		if (dp_turn_ltkeys_init(&u->md5, GW_STUN_PWALG_MD5, cu->username, c->turn.realm,
				cu->password) != 0 ||
		    dp_turn_ltkeys_init(&u->sha256, GW_STUN_PWALG_SHA256, cu->username, c->turn.realm,
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

static void
relay_hash_add(uint32_t ip)
{
	uint32_t h = relay_hash(ip);

	while (dp_turn_s.rh_used[h] && dp_turn_s.rh_ip[h] != ip)
		h = (h + 1) & (RELAY_HASH_SIZE - 1);
	dp_turn_s.rh_used[h] = 1;
	dp_turn_s.rh_ip[h] = ip;
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

	memset(dp_turn_s.rh_used, 0, sizeof(dp_turn_s.rh_used));
	for (unsigned i = 0; i < dp.n_ports && n < DP_TURN_MAX_RELAY_ADDRS; i++, n++) {
		p->relay_addrs[n] = dp.ports[i].ipv4;
		dp_turn_s.relay_pi[n] = (uint8_t)i;
		dp_turn_s.port_relay[i][0] = (uint8_t)n;
		dp_turn_s.n_port_relay[i] = 1;
		relay_hash_add(dp.ports[i].ipv4);
		/* RFC 6156: a port with address6 relays IPv6 too, on that address */
		if (dp.ports[i].has_ipv6 && i < DP_TURN_MAX_RELAY6_ADDRS) {
			memcpy(p->relay_addrs6[i], dp.ports[i].ipv6, 16);
			p->relay6_mask |= 1u << i;
		}
	}
	for (unsigned i = 0; i < dp.n_ports; i++)
		for (unsigned k = 0; k < dp.ports[i].n_relay_ipv4 && n < DP_TURN_MAX_RELAY_ADDRS &&
				     dp_turn_s.n_port_relay[i] < GW_CONF_MAX_RELAY_ADDRS + 1; k++, n++) {
			p->relay_addrs[n] = dp.ports[i].relay_ipv4[k];
			dp_turn_s.relay_pi[n] = (uint8_t)i;
			dp_turn_s.port_relay[i][dp_turn_s.n_port_relay[i]++] = (uint8_t)n;
			relay_hash_add(dp.ports[i].relay_ipv4[k]);
		}
	p->n_relay_addrs = n;
}

int
dp_turn_create(const struct gw_config *c, unsigned n_workers)
{
	struct dp_turn_table_params p = { 0 };
	struct live *l;
	uint8_t secret[32];
	int err;

	dp_turn_s.c = c;
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
	err = dp_turn_table_create(&dp_turn_s.t, &p);
	if (err != 0)
		return err;
	dp_turn_s.aux = rte_zmalloc("dp_turn_aux", sizeof(*dp_turn_s.aux) * p.max_allocs,
				    RTE_CACHE_LINE_SIZE);
	l = rte_zmalloc("dp_turn_live", sizeof(*l), RTE_CACHE_LINE_SIZE);
	if (dp_turn_s.aux == NULL || l == NULL) {
		rte_free(l);
		return -ENOMEM;
	}
	err = live_build(l, c);
	if (err != 0) {
		live_free(l);
		return err;
	}
	dp_turn_s.live = l;
	if (getrandom(secret, sizeof(secret), 0) != (ssize_t)sizeof(secret))
		return -EIO;
	err = gw_hmac_sha1_key_init(&dp_turn_s.nonce_key, secret, sizeof(secret));
	gw_wipe(secret, sizeof(secret));
	if (err != 0)
		return -EIO;
	for (unsigned i = 0; i < GW_IPC_MAX_WORKERS; i++)
		if (getrandom(&dp_turn_s.rng[i], sizeof(dp_turn_s.rng[i]), 0) !=
			    (ssize_t)sizeof(dp_turn_s.rng[i]) ||
		    dp_turn_s.rng[i] == 0)
			dp_turn_s.rng[i] = 0x9e3779b97f4a7c15ull + i;

	dp_turn_s.chan_max = c->turn.rfc5766_channels ? GW_TURN_CHAN_MAX_RFC5766 : GW_TURN_CHAN_MAX;
	dp_turn_s.v6 = p.relay6_mask != 0;
	dp_turn_s.on = true;
	DP_LOG(INFO, "TURN: realm %s, relay ports %u-%u, %u allocations, %u users, %u secrets, "
	       "IPv6 relay %s", c->turn.realm, c->turn.relay_port_min, c->turn.relay_port_max,
	       c->turn.max_allocations, l->n_users, l->n_secrets, dp_turn_s.v6 ? "on" : "off");
	return 0;
}

int
dp_turn_reload(const struct gw_config *c, unsigned self)
{
	struct live *l, *old;
	int err;

	if (!dp_turn_s.on)
		return 0;
	if (c->turn.max_allocations > dp_turn_s.c->turn.max_allocations)
		return -EINVAL;       /* the tables are sized for the start-up value */
	l = rte_zmalloc("dp_turn_live", sizeof(*l), RTE_CACHE_LINE_SIZE);
	if (l == NULL)
		return -ENOMEM;
	err = live_build(l, c);
	if (err != 0) {
		live_free(l);
		return err;
	}
	dp_turn_table_set_limits(dp_turn_s.t, c->turn.max_allocations, c->turn.user_quota,
				 c->turn.ip_quota);
	old = __atomic_exchange_n(&dp_turn_s.live, l, __ATOMIC_ACQ_REL);
	/* wait until no worker can still hold old (self: the caller's reader id) */
	rte_rcu_qsbr_synchronize(dp_turn_table_qsbr(dp_turn_s.t), self);
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
	if (!dp_turn_s.on)
		return;
	rte_rcu_qsbr_thread_register(dp_turn_table_qsbr(dp_turn_s.t), w->idx);
	rte_rcu_qsbr_thread_online(dp_turn_table_qsbr(dp_turn_s.t), w->idx);
}

void
dp_turn_quiescent(struct dp_worker *w)
{
	if (dp_turn_s.on)
		rte_rcu_qsbr_quiescent(dp_turn_table_qsbr(dp_turn_s.t), w->idx);
}

void
dp_turn_worker_stop(struct dp_worker *w)
{
	if (!dp_turn_s.on)
		return;
	rte_rcu_qsbr_thread_offline(dp_turn_table_qsbr(dp_turn_s.t), w->idx);
	rte_rcu_qsbr_thread_unregister(dp_turn_table_qsbr(dp_turn_s.t), w->idx);
}

uint32_t
dp_turn_active(void)
{
	return dp_turn_s.on ? dp_turn_table_count(dp_turn_s.t) : 0;
}
