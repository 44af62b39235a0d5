/*
 * cp_calls_legs: the commands a call's dataplane legs take (cp_calls_legs.h):
 * modes, peers, SDES keys, BRIDGE and DEMUX rules, and what a party's change
 * of transport takes away. cp_calls_media.c decides; this sends.
 */
#include "cp_calls_legs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "cp_api.h"
#include "cp_calls_keys.h"
#include "cp_calls_sdp.h"
#include "cp_dtls.h"
#include "cp_ice.h"
#include "cp_ipc.h"
#include "cp_log.h"
#include "ct.h"

static struct cp_app *app;

void
cp_calls_legs_init(struct cp_app *a)
{
	app = a;
}

bool
cp_calls_legs_ready(void)
{
	return app != NULL && app->ipc != NULL && !app->dp_lost;
}

/* One command to worker 0, or -ENOTCONN without a dataplane. */
static int
send_msg(struct gw_ipc_msg *m)
{
	return cp_calls_legs_ready() ? cp_ipc_send(app->ipc, 0, m) : -ENOTCONN;
}

/* One leg command: the whole payload given (fields an op ignores are 0). */
int
cp_calls_legs_send(const struct gw_ipc_media_leg *c)
{
	struct gw_ipc_msg m = { .type = GW_IPC_MEDIA_LEG_REQ };

	m.u.media_leg = *c;
	return send_msg(&m);
}

int
cp_calls_legs_srtp_del(uint32_t id)
{
	struct gw_ipc_msg m = { .type = GW_IPC_SRTP_DEL_REQ };

	m.u.srtp_del.leg_id = id;
	return send_msg(&m);
}

/* Slot slot of a bundled leg's routes by payload type: the types in
 * pt_mask (NULL: none) to to_rtp / to_rtcp (0: the slot cleared). */
static int
demux_cmd(uint32_t id, unsigned slot, uint32_t to_rtp, uint32_t to_rtcp, const uint8_t *pt_mask)
{
	struct gw_ipc_msg m = { .type = GW_IPC_MEDIA_LEG_REQ };
	struct gw_ipc_media_demux *q = &m.u.media_demux;

	q->leg_id = id;
	q->op = GW_IPC_MEDIA_DEMUX;
	q->slot = (uint8_t)slot;
	q->to_rtp = to_rtp;
	q->to_rtcp = to_rtcp;
	if (pt_mask != NULL)
		memcpy(q->pt_mask, pt_mask, sizeof(q->pt_mask));
	return send_msg(&m);
}

int
cp_calls_legs_cmd(uint32_t id, uint16_t op, uint16_t port, uint8_t rule, uint32_t other)
{
	return cp_calls_legs_send(&(struct gw_ipc_media_leg){
		.leg_id = id, .op = op, .port = port, .rule = rule, .pub_leg_id = other });
}

int
cp_calls_legs_peer(uint32_t id, const struct cp_addr *a, uint16_t port)
{
	struct gw_ipc_media_leg c = { .leg_id = id, .op = GW_IPC_MEDIA_PEER, .peer_port = port };

	if (a->family == AF_INET6) {
		c.peer_family = GW_IPC_FAMILY_IPV6;
		memcpy(c.peer_ip6, a->ip6, sizeof(c.peer_ip6));
	} else {
		c.peer_ip = a->ip4;
	}
	return cp_calls_legs_send(&c);
}

/* The forwarding rules between the two sides (again after every offer and
 * answer: the RTCP target follows the parties' rtcp-mux). */
int
cp_calls_legs_rules(struct mcall *k)
{
	uint8_t pts[CP_SDP_MAX_MEDIA][CP_CALLS_PT_MASK] = { { 0 } };
	char why[160];
	int rc = 0;

	/* checked by bundle_check before: cannot overlap here */
	if (cp_calls_demuxed(k) &&
	    cp_calls_bundle_pts(k->s[0].pts, k->s[1].pts, k->n_media, pts, why, sizeof(why)) != 0)
		return -EINVAL;
	/* unchanged since the last time: nothing to send (the command ring is
	 * shared by every call's offers and answers) */
	if (k->rules_set && k->rules_mux[0] == k->s[0].mux && k->rules_mux[1] == k->s[1].mux &&
	    memcmp(k->rules_pts, pts, sizeof(pts)) == 0)
		return 0;

	for (unsigned x = 0; x < 2; x++) {
		unsigned y = 1 - x;

		for (unsigned i = 0; i < k->n_media; i++) {
			uint32_t rtcp_to = cp_calls_leg_to(k, y, i, !k->s[y].mux);

			if (cp_calls_is_webrtc(&k->s[x]) && i > 0)
				break;      /* one leg for all of its sections */
			rc |= cp_calls_legs_cmd(cp_calls_leg_id(k, x, i, false), GW_IPC_MEDIA_RULE, 0,
				      GW_IPC_MEDIA_RULE_BRIDGE, cp_calls_leg_to(k, y, i, false));
			rc |= cp_calls_legs_cmd(cp_calls_leg_id(k, x, i, false), GW_IPC_MEDIA_RULE, 0,
				      GW_IPC_MEDIA_RULE_BRIDGE_RTCP, rtcp_to);
			rc |= cp_calls_legs_cmd(cp_calls_leg_id(k, x, i, true), GW_IPC_MEDIA_RULE, 0,
				      GW_IPC_MEDIA_RULE_BRIDGE, rtcp_to);
		}
		if (!cp_calls_demuxed(k) || !cp_calls_is_webrtc(&k->s[x]))
			continue;
		/* after the BRIDGE rules (a DEMUX needs one): section i's RTP by
		 * its payload types; a rejected section (no types) cleared */
		for (unsigned i = 0; i < k->n_media; i++) {
			static const uint8_t none[CP_CALLS_PT_MASK];
			bool on = memcmp(pts[i], none, sizeof(none)) != 0;

			rc |= demux_cmd(cp_calls_leg_id(k, x, 0, false), i,
					on ? cp_calls_leg_id(k, y, i, false) : 0,
					on ? cp_calls_leg_id(k, y, i, !k->s[y].mux) : 0, pts[i]);
		}
	}
	k->rules_set = rc == 0;
	k->rules_mux[0] = k->s[0].mux;
	k->rules_mux[1] = k->s[1].mux;
	memcpy(k->rules_pts, pts, sizeof(pts));
	return rc != 0 ? -EIO : 0;
}

/* The dataplane mode (GW_IPC_MEDIA_F_*) of a party's legs. SRTP legs (SDES,
 * WebRTC) need their keys; WebRTC's peer is the ICE nomination's, not the
 * SDP's, and ICE consent, not the source address, says who may send. */
uint8_t
cp_calls_legs_mode(const struct side *d)
{
	uint8_t mode = (d->trust ? 0 : GW_IPC_MEDIA_F_LATCH) | d->src;

	if (d->kind == CP_CALLS_KIND_RTP)
		mode |= GW_IPC_MEDIA_F_PLAIN;
	else if (d->kind == CP_CALLS_KIND_WEBRTC)
		mode = 0;
	return mode;
}

/* Modes (plain, latching, source rules) of side s's legs, and its peer
 * addresses when known. */
int
cp_calls_legs_side(const struct mcall *k, unsigned s)
{
	const struct side *d = &k->s[s];
	uint8_t mode = cp_calls_legs_mode(d);
	int rc = 0;

	for (unsigned i = 0; i < k->n_media; i++) {
		rc |= cp_calls_legs_cmd(cp_calls_leg_id(k, s, i, false), GW_IPC_MEDIA_MODE, 0, mode, 0);
		rc |= cp_calls_legs_cmd(cp_calls_leg_id(k, s, i, true), GW_IPC_MEDIA_MODE, 0, mode, 0);
		if (d->kind != CP_CALLS_KIND_WEBRTC && d->peer_known && d->peer_rtp[i] != 0) {
			rc |= cp_calls_legs_peer(cp_calls_leg_id(k, s, i, false), &d->peer, d->peer_rtp[i]);
			rc |= cp_calls_legs_peer(cp_calls_leg_id(k, s, i, true), &d->peer,
				       d->mux ? d->peer_rtp[i] : d->peer_rtcp[i]);
		}
	}
	return rc != 0 ? -EIO : 0;
}

/* Side s's keys on its RTP and RTCP legs: per section the halves whose bit
 * is set in rx_mask (the party's key) and tx_mask (ours); the other half's
 * dataplane context stays as it is (cp_calls_keys_changed). */
int
cp_calls_legs_sdes(const struct mcall *k, unsigned s, uint32_t rx_mask, uint32_t tx_mask)
{
	const struct side *d = &k->s[s];
	int rc = 0;

	for (unsigned i = 0; i < k->n_media; i++) {
		const struct cp_sdes_key *rx = &d->keys.rx[i];
		uint8_t flags = (uint8_t)(((rx_mask >> i) & 1 ? GW_IPC_SRTP_F_RECV : 0) |
					  ((tx_mask >> i) & 1 ? GW_IPC_SRTP_F_SEND : 0));

		if (rx->profile == 0 || flags == 0)
			continue;           /* a rejected section, or its keys as they were */
		for (unsigned c = 0; c < 2; c++) {
			struct gw_ipc_msg m = { .type = GW_IPC_SRTP_ADD_REQ };
			struct gw_ipc_srtp_keys *q = &m.u.srtp_keys;

			q->leg_id = cp_calls_leg_id(k, s, i, c == 1);
			q->profile = rx->profile;   /* ours is of the same suite */
			q->flags = flags;
			if (flags & GW_IPC_SRTP_F_RECV) {
				memcpy(q->recv_key, rx->key, sizeof(q->recv_key));
				memcpy(q->recv_salt, rx->salt, sizeof(q->recv_salt));
			}
			if (flags & GW_IPC_SRTP_F_SEND) {
				memcpy(q->send_key, d->keys.tx[i].key, sizeof(q->send_key));
				memcpy(q->send_salt, d->keys.tx[i].salt, sizeof(q->send_salt));
			}
			rc |= send_msg(&m);
			gw_wipe(&m, sizeof(m));
		}
	}
	return rc != 0 ? -EIO : 0;
}

/*
 * Side d's party changes transport: it starts again as a new party of kind,
 * without the ICE leg, DTLS endpoint, credentials or SDES keys of the old one
 * (a new ICE session, new keys). Those stay with the caller's copy of the
 * side: cp_calls_legs_retire lets them go once the offer has gone through,
 * cp_calls_legs_back takes them back if it fails.
 */
void
cp_calls_legs_renew(struct side *d, enum cp_calls_kind kind)
{
	d->kind = kind;
	d->ice_id = 0;
	d->dtls = NULL;
	d->dtls_peer = false;
	d->keys_sent = false;
	d->setup = CP_SDP_SETUP_NONE;
	gw_wipe(d->ufrag, sizeof(d->ufrag));
	gw_wipe(d->pwd, sizeof(d->pwd));
	memset(d->peer_fp, 0, sizeof(d->peer_fp));
	gw_wipe(&d->keys, sizeof(d->keys));     /* keyed false: the new keys go in whole */
	if (kind == CP_CALLS_KIND_WEBRTC)
		d->peer_known = false;          /* ICE's nomination says where it is */
}

/* A renewed side's offer failed: what the new transport made goes, the old
 * side is back as it was. */
void
cp_calls_legs_back(struct side *d, const struct side *old)
{
	if (d->dtls != old->dtls)
		cp_dtls_free(d->dtls);
	if (d->ice_id != 0 && d->ice_id != old->ice_id)
		(void)cp_ice_leg_delete(app, d->ice_id);
	*d = *old;
}

/*
 * The old transport of renewed side s (old: the side before) leaves the
 * dataplane before the new one's keys and rules go in: a WebRTC leg's ICE
 * leg, DTLS endpoint and SRTP keys, an SDES leg's keys on every RTP and RTCP
 * leg, the per-section routes (BUNDLE demux) of the call; a party now on
 * WebRTC forgets its SDP address (ICE nominates one). Every rule is sent
 * again after.
 */
int
cp_calls_legs_retire(struct mcall *k, unsigned s, struct side *old)
{
	const struct side *d = &k->s[s];
	int rc = 0;

	if (old->kind == CP_CALLS_KIND_WEBRTC) {
		cp_dtls_free(old->dtls);
		old->dtls = NULL;
		if (old->ice_id != 0)
			(void)cp_ice_leg_delete(app, old->ice_id);
		rc |= cp_calls_legs_srtp_del(cp_calls_leg_id(k, s, 0, false));  /* its one leg */
	} else if (old->kind == CP_CALLS_KIND_SDES) {
		for (unsigned i = 0; i < k->n_media; i++) {
			rc |= cp_calls_legs_srtp_del(cp_calls_leg_id(k, s, i, false));
			rc |= cp_calls_legs_srtp_del(cp_calls_leg_id(k, s, i, true));
		}
	}
	/* a bundled WebRTC leg's routes by payload type, on either side: the
	 * sides' kinds decide whether there are any now (cp_calls_demuxed),
	 * and cp_calls_legs_rules puts back those there are */
	for (unsigned x = 0; k->rules_set && k->n_media > 1 && x < 2; x++)
		for (unsigned i = 0; i < k->n_media; i++)
			rc |= demux_cmd(cp_calls_leg_id(k, x, 0, false), i, 0, 0, NULL);
	for (unsigned i = 0; d->kind == CP_CALLS_KIND_WEBRTC && i < k->n_media; i++) {
		static const struct cp_addr none;

		rc |= cp_calls_legs_peer(cp_calls_leg_id(k, s, i, false), &none, 0);
		rc |= cp_calls_legs_peer(cp_calls_leg_id(k, s, i, true), &none, 0);
	}
	CP_NOTICE("call %.*s: party on port %u changes transport: %s -> %s", (int)k->id_len, k->id,
		  d->base, cp_calls_kind_name(old->kind), cp_calls_kind_name(d->kind));
	k->rules_set = false;
	return rc != 0 ? -EIO : 0;
}
