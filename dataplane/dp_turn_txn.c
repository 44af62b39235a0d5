/*
 * dp_turn_txn: the TURN server's transactions (dp_turn_int.h): the long-term
 * and REST-API credential checks, Allocate, Refresh, CreatePermission and
 * ChannelBind, and their success and error answers (RFC 8656, RFC 8489).
 * turn_message in dp_turn.c parses and dispatches; the answers leave
 * through dp_turn_reply_bytes.
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

/* PASSWORD-ALGORITHMS value we offer: MD5, SHA-256, no parameters. */
static const uint8_t pw_algs[8] = { 0, 1, 0, 0, 0, 2, 0, 0 };

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
	unsigned n = dp_turn_s.n_port_relay[pi];
	unsigned start = dp_turn_s.rr[w->idx][pi];

	for (unsigned k = 0; k < n; k++) {
		uint8_t ri = dp_turn_s.port_relay[pi][(start + k) % n];

		if (dp_turn_table_ports_free(dp_turn_s.t, ri) > 0) {
			dp_turn_s.rr[w->idx][pi] = (uint8_t)((start + k + 1) % n);
			return ri;
		}
	}
	dp_turn_s.rr[w->idx][pi] = (uint8_t)((start + 1) % n);
	return dp_turn_s.port_relay[pi][start % n];
}

static int
resp_start(struct resp *r, const struct gw_stun_view *v, enum gw_stun_class cls)
{
	r->fp = v->attr[GW_STUN_A_FINGERPRINT].off != 0;
	if (gw_stun_enc_init(&r->e, r->buf, sizeof(r->buf), gw_stun_type(v->method, cls),
			     v->txid) != 0)
		return -ENOSPC;
	if (dp_turn_s.c->stun.software[0] != '\0')
		(void)gw_stun_enc_bytes(&r->e, 0x8022, dp_turn_s.c->stun.software,
					strlen(dp_turn_s.c->stun.software));
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

void
dp_turn_reply(struct dp_worker *w, const struct src *sc, struct rte_mbuf *m, const struct resp *r)
{
	dp_turn_reply_bytes(w, sc, m, r->buf, gw_stun_enc_len(&r->e));
}

/* An error response; 401 and 438 carry REALM, a fresh NONCE, PASSWORD-ALGORITHMS. */
void
dp_turn_reply_error(struct dp_worker *w, const struct src *sc, struct rte_mbuf *m,
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
		int n = sc->v6 ? gw_turn_nonce_make6(nonce, sizeof(nonce), &dp_turn_s.nonce_key,
						     GW_TURN_FEATURE_PASSWORD_ALGORITHMS, true,
						     sc->f6.client_ip, unix_s()) :
				 gw_turn_nonce_make(nonce, sizeof(nonce), &dp_turn_s.nonce_key,
						    GW_TURN_FEATURE_PASSWORD_ALGORITHMS, true,
						    sc->f.client_ip, unix_s());

		if (n < 0 ||
		    gw_stun_enc_bytes(&r.e, GW_STUN_ATTR_REALM, dp_turn_s.c->turn.realm,
				      strlen(dp_turn_s.c->turn.realm)) != 0 ||
		    gw_stun_enc_bytes(&r.e, GW_STUN_ATTR_NONCE, nonce, (size_t)n) != 0 ||
		    gw_stun_enc_bytes(&r.e, GW_STUN_ATTR_PASSWORD_ALGORITHMS, pw_algs,
				      sizeof(pw_algs)) != 0)
			goto fail;
		au = NULL;      /* RFC 8489 §9.2.4: no integrity on 401/438 */
	}
	if (resp_finish(&r, au) != 0)
		goto fail;
	dp_turn_reply(w, sc, m, &r);
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
		    dp_turn_ltkeys_init(&au->derived, au->alg, name, dp_turn_s.c->turn.realm, pass) != 0)
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
int
dp_turn_authenticate(struct dp_worker *w, const struct gw_stun_view *v, const struct src *sc,
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
	err = sc->v6 ? gw_turn_nonce_check6(p, n, &dp_turn_s.nonce_key, sc->f6.client_ip, unix_s(),
					    dp_turn_s.c->turn.nonce_lifetime_s) :
		       gw_turn_nonce_check(p, n, &dp_turn_s.nonce_key, sc->f.client_ip, unix_s(),
					   dp_turn_s.c->turn.nonce_lifetime_s);
	if (err != 0) {
		DP_CNT(w, TURN_AUTH_STALE);
		return GW_STUN_ERR(438);
	}
	(void)gw_stun_get_bytes(v, &v->attr[GW_STUN_A_REALM], &p, &n);
	if (n != strlen(dp_turn_s.c->turn.realm) || memcmp(p, dp_turn_s.c->turn.realm, n) != 0) {
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
	const struct gw_config *c = dp_turn_s.c;

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

	gw_put32(relay.addr, a->relay_ip);
	gw_put32(mapped.addr, a->five.client_ip);
	if (a->af & GW_TURN_AF_IPV6)
		memcpy(relay6.addr, dp_turn_relay6_addr(dp_turn_s.t, a->relay6_idx), 16);
	if (a->client6) {
		const struct dp_turn_5tuple6 *f6 = &dp_turn_alloc6_at(dp_turn_s.t, idx)->five6;

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

int
dp_turn_do_allocate(struct dp_worker *w, const struct gw_stun_view *v,
		    const struct gw_turn_req *rq, const struct src *sc, struct auth *au,
		    struct resp *r)
{
	struct dp_turn_alloc_req ar;
	uint64_t now = w->now_s, tok = 0;
	uint32_t idx, lt = lifetime_of(rq);
	struct aux *x;
	int err;

	if (lookup_src(sc, &idx) == 0) {
		const struct dp_turn_alloc *a = dp_turn_alloc_at(dp_turn_s.t, idx);

		/* expired but not collected yet: collect it now (its owner only) */
		if (!dp_turn_alloc_live(a, now) && a->owner == w->idx &&
		    dp_turn_alloc_delete(dp_turn_s.t, idx, (uint16_t)w->idx) == 0) {
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
	err = dp_turn_alloc_create(dp_turn_s.t, &ar, now, &idx, &tok);
	if (err != 0) {
		if (err == GW_STUN_ERR(486))
			DP_CNT(w, TURN_ERR_QUOTA);
		else if (err == GW_STUN_ERR(437))
			DP_CNT(w, TURN_ERR_MISMATCH);
		else
			DP_CNT(w, TURN_ERR_CAPACITY);
		return GW_IS_STUN_ERR(err) ? err : GW_STUN_ERR(500);
	}
	x = &dp_turn_s.aux[idx];
	memset(x, 0, sizeof(*x));
	memcpy(x->user, au->user, au->ulen);
	x->ulen = (uint8_t)au->ulen;
	x->alg = au->alg;
	x->keys = *au->keys;
	x->tb_tokens = live_get()->tb_burst;
	x->tb_last = rte_rdtsc();
	DP_CNT(w, TURN_ALLOC_OK);
	if (dp_turn_alloc_at(dp_turn_s.t, idx)->af & GW_TURN_AF_IPV6)
		DP_CNT(w, TURN6_ALLOC_OK);
	return allocate_ok(r, v, dp_turn_alloc_at(dp_turn_s.t, idx), idx, lt, rq->reserve_next, tok, au,
			   rq->af_refused);
}

/* The peer policy for a STUN peer address of either family (port: ChannelBind). */
static enum gw_turn_peer_verdict
peer_verdict(const struct gw_stun_addr *p, bool with_port)
{
	const struct gw_turn_peer_policy *pol = &live_get()->pol;

	if (p->family == GW_STUN_FAMILY_IPV6)
		return peer6_verdict(pol, p->addr, p->port, with_port);
	return with_port ? gw_turn_peer_check(pol, gw_get32(p->addr), p->port) :
			   gw_turn_peer_ip_check(pol, gw_get32(p->addr));
}

static void
count_forbidden(struct dp_worker *w, const struct gw_stun_addr *p)
{
	DP_CNT(w, TURN_ERR_FORBIDDEN);
	if (p->family == GW_STUN_FAMILY_IPV6)
		DP_CNT(w, TURN6_ERR_FORBIDDEN);
}

int
dp_turn_do_request(struct dp_worker *w, const struct gw_stun_view *v,
		   const struct gw_turn_req *rq, uint32_t idx, struct auth *au, struct resp *r)
{
	const struct dp_turn_alloc *a = dp_turn_alloc_at(dp_turn_s.t, idx);
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
			err = dp_turn_alloc_drop_family(dp_turn_s.t, idx, owner, (uint8_t)rq->af);
			whole = false;
		} else {
			err = dp_turn_alloc_refresh(dp_turn_s.t, idx, owner, lt, now);
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
				      dp_turn_perm_add6(dp_turn_s.t, idx, owner, rq->peers[i].addr,
							dp_turn_s.c->turn.permission_lifetime_s, now) :
				      dp_turn_perm_add(dp_turn_s.t, idx, owner, gw_get32(rq->peers[i].addr),
						       dp_turn_s.c->turn.permission_lifetime_s, now);
		if (err == 0)
			DP_CNT(w, TURN_PERM_OK);
		break;
	case GW_STUN_CHANNEL_BIND: {
		uint32_t pip = gw_get32(rq->peers[0].addr);

		/* RFC 8656 §12: 0x4000..0x4FFF; RFC 5766's range only when configured */
		if (rq->channel > dp_turn_s.chan_max) {
			DP_CNT(w, TURN_ERR_BAD_REQUEST);
			return GW_STUN_ERR(400);
		}
		if (peer_verdict(&rq->peers[0], true) != GW_TURN_PEER_OK) {
			count_forbidden(w, &rq->peers[0]);
			return GW_STUN_ERR(403);
		}
		if (rq->peers[0].family == GW_STUN_FAMILY_IPV6) {
			err = dp_turn_chan_bind6(dp_turn_s.t, idx, owner, rq->channel, rq->peers[0].addr,
						 rq->peers[0].port, dp_turn_s.c->turn.channel_lifetime_s,
						 now);
			if (err == 0)
				err = dp_turn_perm_add6(dp_turn_s.t, idx, owner, rq->peers[0].addr,
							dp_turn_s.c->turn.permission_lifetime_s, now);
		} else {
			err = dp_turn_chan_bind(dp_turn_s.t, idx, owner, rq->channel, pip,
						rq->peers[0].port, dp_turn_s.c->turn.channel_lifetime_s,
						now);
			if (err == 0)
				err = dp_turn_perm_add(dp_turn_s.t, idx, owner, pip,
						       dp_turn_s.c->turn.permission_lifetime_s, now);
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
