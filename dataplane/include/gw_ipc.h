/*
 * gw_ipc: the interface between rtcgw-dataplane (DPDK primary) and
 * rtcgw-controlplane (DPDK secondary). STYLE.md practice 10: this header is an
 * ABI. Messages are fixed-size plain data copied by value through rte_rings;
 * no pointers. Any change to a struct here, to the ring layout or to the
 * counter list (gw_counters.h) bumps GW_IPC_VERSION; the control plane refuses
 * to attach to a dataplane of another version and says so.
 *
 * Objects (all created by the dataplane, looked up by the control plane):
 *   memzone GW_IPC_INFO_NAME        struct gw_ipc_info
 *   per worker lcore w (0..n_workers-1), all single-producer/single-consumer:
 *     "rtcgw_cmd_<w>"   control -> data   struct gw_ipc_msg
 *     "rtcgw_evt_<w>"   data -> control   struct gw_ipc_msg
 *     "rtcgw_punt_<w>"  data -> control   struct rte_mbuf * (whole frames)
 *     "rtcgw_tx_<w>"    control -> data   struct rte_mbuf * (UDP payload + gw_ipc_tx_meta)
 *   mempool GW_IPC_POOL_NAME         packet buffers of both processes
 *   with turn.tcp.enabled (TURN over TCP/TLS, rtcgw-turnfront, a secondary too):
 *     GW_IPC_RING_STRM_IN   front -> worker 0, SP/SC  struct rte_mbuf *
 *     GW_IPC_RING_STRM_OUT  workers -> front, MP/SC   struct rte_mbuf *
 *     each mbuf: struct gw_ipc_strm, then one whole STUN or ChannelData
 *     message (toward the client: padded to 4 bytes, as on the stream)
 *   memzone GW_IPC_FRONT_NAME        struct gw_ipc_front (the front's own)
 */
#ifndef GW_IPC_H
#define GW_IPC_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gw_counters.h"

#define GW_IPC_VERSION     23
#define GW_IPC_MAGIC       0x72746367u      /* "rtcg" */
#define GW_IPC_INFO_NAME   "rtcgw_info"
#define GW_IPC_POOL_NAME   "rtcgw_pool"
#define GW_IPC_RING_CMD    "cmd"
#define GW_IPC_RING_EVT    "evt"
#define GW_IPC_RING_PUNT   "punt"
#define GW_IPC_RING_TX     "tx"
#define GW_IPC_RING_SIZE   1024             /* power of two */
#define GW_IPC_MAX_WORKERS 16
#define GW_IPC_MAX_PORTS   4

enum gw_ipc_state {
	GW_IPC_STATE_INIT = 0,      /* objects being created */
	GW_IPC_STATE_READY = 1,     /* rings live, workers polling */
	GW_IPC_STATE_STOPPING = 2,  /* shutting down: detach */
};

/** Written once by the dataplane before state becomes READY. */
struct gw_ipc_info {
	uint32_t magic;             /* GW_IPC_MAGIC */
	uint16_t abi_version;       /* GW_IPC_VERSION */
	uint16_t msg_size;          /* sizeof(struct gw_ipc_msg) */
	uint32_t n_counters;        /* GW_CNT_MAX */
	uint32_t n_workers;
	uint32_t n_ports;
	int32_t dp_pid;
	uint64_t start_unix_ns;     /* CLOCK_REALTIME at start */
	uint32_t state;             /* enum gw_ipc_state; __atomic acquire/release */
	uint32_t attached;          /* control planes attached; __atomic add/sub */
};

enum gw_ipc_type {
	GW_IPC_HELLO_REQ = 1,       /* -> u.hello (control plane's view)   */
	GW_IPC_HELLO_RESP,          /* <- u.hello (dataplane's view)       */
	GW_IPC_COUNTERS_REQ,        /* -> nothing                          */
	GW_IPC_COUNTERS_RESP,       /* <- u.counters, several per snapshot */
	GW_IPC_PORT_REQ,            /* -> nothing; answered by worker 0    */
	GW_IPC_PORT_RESP,           /* <- u.port, one per port             */
	GW_IPC_ERROR_RESP,          /* <- status < 0: request refused      */
	GW_IPC_ICE_ADD_REQ,         /* -> u.ice_add; worker 0 owns the ICE table */
	GW_IPC_ICE_DEL_REQ,         /* -> u.ice_del                        */
	GW_IPC_ICE_EVENT,           /* <- u.ice_evt: add/del result, nominated, consent lost */
	GW_IPC_SRTP_ADD_REQ,        /* -> u.srtp_keys; the leg's owner worker */
	GW_IPC_SRTP_DEL_REQ,        /* -> u.srtp_del */
	GW_IPC_SRTP_EVENT,          /* <- u.srtp_evt: add/del result */
	GW_IPC_RELOAD_REQ,          /* -> nothing: re-read the config file (worker 0) */
	GW_IPC_RELOAD_RESP,         /* <- u.reload; status 0 or -errno (refused) */
	GW_IPC_MEDIA_LEG_REQ,       /* -> u.media_leg: add/del/peer/rule; worker 0 owns the legs */
	GW_IPC_MEDIA_STATS_REQ,     /* -> u.media_leg (leg_id): per-leg counters */
	GW_IPC_MEDIA_EVENT,         /* <- u.media_evt: command result or counters */
	GW_IPC_TYPE_MAX
};

#define GW_IPC_COUNTERS_PER_MSG 12

struct gw_ipc_hello {
	uint16_t abi_version;
	uint16_t n_workers;
	uint32_t n_counters;
	int32_t pid;
	uint32_t pad;
	char version[32];           /* the build's version string */
};

struct gw_ipc_counters {
	uint16_t first;             /* index of v[0] in enum gw_counter */
	uint16_t n;                 /* valid entries in v */
	uint16_t total;             /* GW_CNT_MAX: the reply is complete at first + n == total */
	uint16_t pad;
	uint64_t v[GW_IPC_COUNTERS_PER_MSG];
};

struct gw_ipc_port {
	uint16_t port_id;
	uint8_t link_up;
	uint8_t full_duplex;
	uint32_t speed_mbps;
	uint8_t mac[6];
	uint16_t mtu;
	uint32_t ipv4;              /* host byte order */
	uint8_t prefix_len;
	uint8_t pad[3];
	uint64_t ipackets, opackets, ibytes, obytes;
	uint64_t imissed, ierrors, oerrors, rx_nombuf;
	char name[24];
};

#define GW_IPC_ICE_UFRAG 32         /* = GW_ICE_UFRAG_MAX (wire/stunsrv.h) */
#define GW_IPC_ICE_PWD   38         /* = GW_ICE_PWD_MAX */

/** Publish an ICE-lite credential (control -> worker 0). Wipe after use. */
struct gw_ipc_ice_add {
	uint32_t leg_id;            /* the control plane's id, echoed in events */
	uint16_t port;              /* local media port the checks arrive on */
	uint8_t local_ufrag_len;
	uint8_t remote_ufrag_len;   /* 0: accept any remote ufrag */
	uint8_t pwd_len;
	char local_ufrag[GW_IPC_ICE_UFRAG];
	char remote_ufrag[GW_IPC_ICE_UFRAG];
	char pwd[GW_IPC_ICE_PWD];   /* local password, not NUL-terminated */
	uint8_t pad;
};

struct gw_ipc_ice_del {
	uint32_t leg_id;            /* 0: every leg (a control plane attaching afresh) */
};

enum gw_ipc_ice_evt_kind {
	GW_IPC_ICE_ADDED = 1,       /* status 0, or -EEXIST / -ENOSPC / -EINVAL */
	GW_IPC_ICE_REMOVED,         /* status 0, or -ENOENT */
	GW_IPC_ICE_NOMINATED,       /* first valid check with USE-CANDIDATE */
	GW_IPC_ICE_CONSENT_LOST,    /* no valid check for media.consent_timeout_s */
};

/* The family of a peer address in an IPC message: IPv4 (peer_ip, the zero
 * value, as before IPv6 peers existed) or IPv6 (peer_ip6, peer_ip 0). */
enum gw_ipc_family {
	GW_IPC_FAMILY_IPV4 = 0,
	GW_IPC_FAMILY_IPV6 = 1,
};

struct gw_ipc_ice_evt {
	uint32_t leg_id;
	uint16_t kind;              /* enum gw_ipc_ice_evt_kind */
	uint16_t port;              /* local media port */
	uint32_t peer_ip;           /* NOMINATED: the peer's address, host order */
	uint16_t peer_port;
	uint8_t peer_family;        /* enum gw_ipc_family */
	uint8_t pad;
	uint32_t priority;          /* NOMINATED: PRIORITY of the check */
	uint32_t idle_ms;           /* CONSENT_LOST: time since the last valid check */
	uint8_t peer_ip6[16];       /* GW_IPC_FAMILY_IPV6: the peer's address */
};

#define GW_IPC_SRTP_KEY   16        /* AES-128 master key = DP_SRTP_KEY_LEN */
#define GW_IPC_SRTP_SALT  14        /* master salt (GCM: first 12) = DP_SRTP_SALT_LEN */

enum gw_ipc_srtp_flags {
	GW_IPC_SRTP_F_RECV = 1,     /* recv_* valid: install/replace the receive context */
	GW_IPC_SRTP_F_SEND = 2,     /* send_* valid: install/replace the send context */
};

/**
 * A leg's SRTP master keys (control -> the leg's owner worker), as DTLS-SRTP
 * export (RFC 5764 §4.2, sorted into this side's receive and send halves) or
 * SDES a=crypto give them. Secrets: both ends wipe every copy after use
 * (gw_wipe), the ring slot included once dequeued.
 */
struct gw_ipc_srtp_keys {
	uint32_t leg_id;
	uint16_t profile;           /* DTLS-SRTP protection profile id (dp_srtp.h) */
	uint16_t flags;             /* enum gw_ipc_srtp_flags */
	uint8_t recv_key[GW_IPC_SRTP_KEY];
	uint8_t recv_salt[GW_IPC_SRTP_SALT];
	uint8_t send_key[GW_IPC_SRTP_KEY];
	uint8_t send_salt[GW_IPC_SRTP_SALT];
};

struct gw_ipc_srtp_del {
	uint32_t leg_id;            /* frees both contexts of the leg */
};

enum gw_ipc_srtp_evt_kind {
	GW_IPC_SRTP_ADDED = 1,      /* status 0, or -EINVAL (profile) / -ENOSPC (pool) / -EIO */
	GW_IPC_SRTP_REMOVED,        /* status 0, or -ENOENT */
};

struct gw_ipc_srtp_evt {
	uint32_t leg_id;
	uint16_t kind;              /* enum gw_ipc_srtp_evt_kind */
	uint16_t profile;
};

/**
 * The dataplane's answer to GW_IPC_RELOAD_REQ (also what a SIGHUP did). On
 * status -EINVAL the file was refused (detail: file:line:col message) and
 * the running config stays.
 */
struct gw_ipc_reload {
	uint32_t generation;        /* reloads applied since start (0: none) */
	uint16_t n_live;            /* keys changed live */
	uint16_t n_restart;         /* keys that differ but need a restart */
	char detail[104];           /* error, or the changed keys; truncated */
};

enum gw_ipc_media_op {
	GW_IPC_MEDIA_ADD = 1,       /* leg on local media port `port` (one port per leg) */
	GW_IPC_MEDIA_DEL,           /* free the leg, its SRTP contexts and its rule links (leg 0: every
				     * leg whose id has all bits of pub_leg_id set; 0: all) */
	GW_IPC_MEDIA_PEER,          /* the peer address (ICE nomination) */
	GW_IPC_MEDIA_RULE,          /* forwarding rule: rule, and pub_leg_id for SUBSCRIBE */
	GW_IPC_MEDIA_STATS,         /* event only: u.media_evt.cnt holds the leg's counters */
	GW_IPC_MEDIA_MODE,          /* rule holds GW_IPC_MEDIA_F_* flags (calls: plain RTP, latching) */
	GW_IPC_MEDIA_STATS_MORE,    /* event only: the leg's counters from GW_IPC_MEDIA_CNT_PER_MSG on */
	GW_IPC_MEDIA_PTMAP,         /* RTP payload types rewritten on the way to this leg:
	                               pub_leg_id = GW_IPC_MEDIA_PTMAP_PACK(from0, to0, from1, to1) */
	GW_IPC_MEDIA_RTX,           /* RFC 4588 toward this (subscriber) leg: u.media_rtx */
	GW_IPC_MEDIA_DEMUX,         /* BUNDLE on a BRIDGE leg: its RTP by payload type: u.media_demux */
};

/*
 * A GW_IPC_MEDIA_DEMUX command (a GW_IPC_MEDIA_LEG_REQ whose payload is read
 * as u.media_demux; leg_id and op sit where u.media_leg has them): a call's
 * bundled WebRTC leg carries several m= sections on one 5-tuple; slot is one
 * of them. Its RTP whose payload type has its bit set in pt_mask (bit pt of
 * byte pt / 8) goes to leg to_rtp, its RTCP (which the gateway does not
 * split) to every slot's to_rtcp leg. to_rtp 0: the slot is cleared. A leg
 * with a slot set forwards RTP of no slot's payload type nowhere (counted
 * dropped); without slots the BRIDGE rule alone routes.
 */
#define GW_IPC_MEDIA_DEMUX_SLOTS 16
struct gw_ipc_media_demux {
	uint32_t leg_id;
	uint16_t op;                /* GW_IPC_MEDIA_DEMUX */
	uint8_t slot;               /* 0 .. GW_IPC_MEDIA_DEMUX_SLOTS - 1 */
	uint8_t pad;
	uint32_t to_rtp;            /* the section's RTP leg (0: clear the slot) */
	uint32_t to_rtcp;           /* where its RTCP goes (its RTCP leg, or to_rtp) */
	uint8_t pt_mask[16];        /* payload types 0..127 of the section */
};

/*
 * A GW_IPC_MEDIA_RTX command (a GW_IPC_MEDIA_LEG_REQ whose payload is read as
 * u.media_rtx; leg_id and op sit where u.media_leg has them): the viewer
 * negotiated RTX for media stream media_ssrc, whose retransmissions it
 * expects on rtx_ssrc (the answer's ssrc-group FID) with payload type rtx[k]
 * for a packet of payload type apt[k] (as the viewer sees it). The dataplane
 * then answers that viewer's NACKs for media_ssrc with RTX packets, and
 * numbers every packet it sends the viewer on rtx_ssrc (its own and the
 * publisher's forwarded RTX) from one counter of that viewer's. n = 0: RTX
 * off (in-stream resends, as without the command).
 */
#define GW_IPC_MEDIA_RTX_PTS 8
struct gw_ipc_media_rtx {
	uint32_t leg_id;
	uint16_t op;                /* GW_IPC_MEDIA_RTX */
	uint8_t n;                  /* pairs in apt/rtx, 0..GW_IPC_MEDIA_RTX_PTS */
	uint8_t pad;
	uint32_t media_ssrc;
	uint32_t rtx_ssrc;
	uint8_t apt[GW_IPC_MEDIA_RTX_PTS];   /* the media payload types, 0..127 */
	uint8_t rtx[GW_IPC_MEDIA_RTX_PTS];   /* their RTX payload types, 0..127 */
};

/* A GW_IPC_MEDIA_PTMAP map: two (from, to) pairs of payload types 0..127;
 * GW_IPC_MEDIA_PT_NONE in from: the pair is unused (all unused: no rewriting). */
#define GW_IPC_MEDIA_PT_NONE 0xff
#define GW_IPC_MEDIA_PTMAP_PACK(f0, t0, f1, t1) \
	((uint32_t)(f0) << 24 | (uint32_t)(t0) << 16 | (uint32_t)(f1) << 8 | (uint32_t)(t1))

/* The id bit of the calls' legs (sessions' ids count from 1 below it). */
#define GW_IPC_MEDIA_ID_CALLS 0x80000000u

/* Flags of a GW_IPC_MEDIA_MODE command (in u.media_leg.rule). */
#define GW_IPC_MEDIA_F_PLAIN 0x01   /* plain RTP/RTCP: no SRTP contexts needed or used */
#define GW_IPC_MEDIA_F_LATCH 0x02   /* the first packet's source becomes the peer, once */
/* Once the peer is known (set, or latched): a packet from another source is
 * dropped (STRICT, ng's strict-source), or, once it authenticates, makes its
 * source the peer (HANDOVER, ng's media-handover: a party that moves keeps
 * its media, and so could a hijacker of a plain RTP leg). Both: STRICT. */
#define GW_IPC_MEDIA_F_STRICT 0x04
#define GW_IPC_MEDIA_F_HANDOVER 0x08

enum gw_ipc_media_rule {
	GW_IPC_MEDIA_RULE_NONE = 0, /* receive and count, forward nothing */
	GW_IPC_MEDIA_RULE_ECHO,     /* the leg's media back to it */
	GW_IPC_MEDIA_RULE_PUBLISH,  /* fanned out to every leg subscribed to it */
	GW_IPC_MEDIA_RULE_SUBSCRIBE,/* receives pub_leg_id's media; its PLI/FIR go there */
	GW_IPC_MEDIA_RULE_BRIDGE,   /* calls: RTP and RTCP to leg pub_leg_id (re-keyed or plain) */
	GW_IPC_MEDIA_RULE_BRIDGE_RTCP, /* calls: RTCP to leg pub_leg_id instead (separate RTCP port) */
};

/** A media leg command (control -> worker 0). */
struct gw_ipc_media_leg {
	uint32_t leg_id;            /* the control plane's id (shared with ICE and SRTP) */
	uint16_t op;                /* enum gw_ipc_media_op */
	uint16_t port;              /* ADD: local media port */
	uint32_t peer_ip;           /* PEER: host order */
	uint16_t peer_port;
	uint8_t rule;               /* RULE: enum gw_ipc_media_rule */
	uint8_t port_index;         /* ADD: dataplane port the leg sends from */
	uint32_t pub_leg_id;        /* RULE SUBSCRIBE: the publisher */
	uint8_t peer_family;        /* PEER: enum gw_ipc_family */
	uint8_t pad[3];
	uint8_t peer_ip6[16];       /* PEER with GW_IPC_FAMILY_IPV6 (peer_ip 0) */
};

/* Per-leg counters, in this order. A STATS request is answered by a
 * GW_IPC_MEDIA_STATS event with the first GW_IPC_MEDIA_CNT_PER_MSG of them,
 * then (status 0 only) a GW_IPC_MEDIA_STATS_MORE event with the rest
 * (gw_ipc_media_cnt_take() puts either where it belongs). nack_*: sequence
 * numbers a subscriber's generic NACKs asked for, packets resent to it from
 * the publisher's cache, and those not cached (asked of the publisher);
 * nack_rtx: of the answered, those sent as RFC 4588 RTX packets;
 * src_mismatch: dropped for their source (GW_IPC_MEDIA_F_STRICT); handover:
 * packets that moved the peer (GW_IPC_MEDIA_F_HANDOVER). */
#define GW_IPC_MEDIA_LEG_COUNTERS(_) \
	_(rtp_in)  _(rtcp_in)  _(bytes_in)  _(rtp_out)  _(rtcp_out)  _(bytes_out) \
	_(auth_fail) _(replay) _(malformed) _(dropped) _(kf_forwarded) _(kf_limited) \
	_(nack_received) _(nack_answered) _(nack_missed) _(nack_rtx) _(src_mismatch) _(handover)
#define GW_IPC_MEDIA_CNT_PER_MSG 13

enum gw_ipc_media_cnt {
#define GW_IPC_MEDIA_CNT_ENUM(n) GW_IPC_MEDIA_CNT_##n,
	GW_IPC_MEDIA_LEG_COUNTERS(GW_IPC_MEDIA_CNT_ENUM)
#undef GW_IPC_MEDIA_CNT_ENUM
	GW_IPC_MEDIA_CNT_MAX
};

struct gw_ipc_media_evt {
	uint32_t leg_id;
	uint16_t op;                /* the command's op, or GW_IPC_MEDIA_STATS */
	uint8_t has_rx, has_tx;     /* STATS: SRTP contexts installed */
	uint64_t cnt[GW_IPC_MEDIA_CNT_PER_MSG];   /* STATS: the first counters; STATS_MORE: the rest */
};

/** Copy the counters a STATS or STATS_MORE event carries into all[GW_IPC_MEDIA_CNT_MAX]. */
static inline void
gw_ipc_media_cnt_take(uint64_t *all, const struct gw_ipc_media_evt *e)
{
	unsigned first = e->op == GW_IPC_MEDIA_STATS_MORE ? GW_IPC_MEDIA_CNT_PER_MSG : 0;

	for (unsigned i = 0; i < GW_IPC_MEDIA_CNT_PER_MSG && first + i < GW_IPC_MEDIA_CNT_MAX; i++)
		all[first + i] = e->cnt[i];
}

struct gw_ipc_msg {
	uint16_t version;           /* GW_IPC_VERSION */
	uint16_t type;              /* enum gw_ipc_type */
	uint16_t worker;            /* worker that answers (responses) */
	uint16_t flags;
	uint32_t seq;               /* request id, echoed in every response */
	int32_t status;             /* 0 or -errno */
	union {
		uint8_t raw[112];
		struct gw_ipc_hello hello;
		struct gw_ipc_counters counters;
		struct gw_ipc_port port;
		struct gw_ipc_ice_add ice_add;
		struct gw_ipc_ice_del ice_del;
		struct gw_ipc_ice_evt ice_evt;
		struct gw_ipc_srtp_keys srtp_keys;
		struct gw_ipc_srtp_del srtp_del;
		struct gw_ipc_srtp_evt srtp_evt;
		struct gw_ipc_reload reload;
		struct gw_ipc_media_leg media_leg;
		struct gw_ipc_media_evt media_evt;
		struct gw_ipc_media_rtx media_rtx;
		struct gw_ipc_media_demux media_demux;
	} u;
};

/* ---- TURN over TCP/TLS: rtcgw-turnfront <-> dataplane ---- */

#define GW_IPC_RING_STRM_IN   "rtcgw_strm_in"
#define GW_IPC_RING_STRM_OUT  "rtcgw_strm_out"
#define GW_IPC_STRM_RING_SIZE 8192          /* power of two */
#define GW_IPC_FRONT_NAME     "rtcgw_front"

enum gw_ipc_strm_type {
	GW_IPC_STRM_MSG = 1,        /* <-> one message of connection conn */
	GW_IPC_STRM_CLOSE = 2,      /* -> conn closed: delete its allocation */
	GW_IPC_STRM_RESET = 3,      /* -> a (new) front started: every earlier
				     *    connection is gone, delete their allocations */
};

#define GW_IPC_STRM_F_TLS  0x01
#define GW_IPC_STRM_F_IPV6 0x02     /* the connection is IPv6: client_ip6/server_ip6 */

/** At the start of every stream-ring mbuf's data. */
struct gw_ipc_strm {
	uint32_t conn;              /* the front's connection id, never 0 */
	uint32_t client_ip;         /* host byte order: the client's address */
	uint32_t server_ip;         /* the local address it connected to */
	uint16_t client_port;
	uint16_t server_port;       /* the listening port (3478, 443, ...) */
	uint8_t type;               /* enum gw_ipc_strm_type */
	uint8_t flags;              /* GW_IPC_STRM_F_* */
	uint16_t len;               /* message bytes after this header */
	uint32_t pad;
	uint8_t client_ip6[16];     /* with GW_IPC_STRM_F_IPV6 (client_ip, server_ip 0) */
	uint8_t server_ip6[16];
};

/** The front's state and counters (written by the front only). */
struct gw_ipc_front {
	uint32_t magic;             /* GW_IPC_MAGIC */
	uint16_t abi_version;       /* GW_IPC_VERSION */
	uint16_t n_counters;        /* GW_FRONT_CNT_MAX */
	int32_t pid;                /* the front's pid; 0 when it stopped */
	uint32_t conns;             /* open connections (gauge) */
	uint64_t cnt[GW_FRONT_CNT_MAX];
};

/** Metadata in the private area of a tx-ring mbuf (control plane -> wire). */
struct gw_ipc_tx_meta {
	uint32_t dst_ip;            /* host byte order */
	uint16_t dst_port;
	uint16_t src_port;
	uint16_t port_id;
	uint8_t family;             /* enum gw_ipc_family: IPv6 sends to dst_ip6 */
	uint8_t pad;
	uint8_t dst_ip6[16];
};

#define GW_IPC_MBUF_PRIV 32         /* rte_pktmbuf_pool_create priv_size */

/**
 * Check the info memzone a dataplane published against this build's ABI.
 * @return 0; -EPROTO with err saying which side speaks which version, or
 *         that the memory is not a dataplane's, or that it is corrupt.
 */
int gw_ipc_check_info(const struct gw_ipc_info *info, char *err, size_t errlen);

/** The name of ring kind (GW_IPC_RING_*) of worker w: "rtcgw_<kind>_<w>". */
static inline void
gw_ipc_ring_name(char *buf, size_t len, const char *kind, unsigned w)
{
	snprintf(buf, len, "rtcgw_%s_%u", kind, w);
}

static_assert(sizeof(struct gw_ipc_hello) <= 112, "hello fits the payload");
static_assert(sizeof(struct gw_ipc_counters) == 104, "counters payload layout");
static_assert(sizeof(struct gw_ipc_port) == 112, "port payload layout");
static_assert(sizeof(struct gw_ipc_ice_add) == 112, "ice_add payload layout");
static_assert(sizeof(struct gw_ipc_ice_evt) == 40, "ice_evt payload layout");
static_assert(sizeof(struct gw_ipc_srtp_keys) == 68, "srtp_keys payload layout");
static_assert(sizeof(struct gw_ipc_srtp_evt) == 8, "srtp_evt payload layout");
static_assert(sizeof(struct gw_ipc_reload) == 112, "reload payload layout");
static_assert(sizeof(struct gw_ipc_media_leg) == 40, "media_leg payload layout");
static_assert(sizeof(struct gw_ipc_media_evt) == 112, "media_evt payload layout");
static_assert(sizeof(struct gw_ipc_media_rtx) == 32, "media_rtx payload layout");
static_assert(offsetof(struct gw_ipc_media_rtx, op) == offsetof(struct gw_ipc_media_leg, op),
	      "media_rtx travels as a media_leg request");
static_assert(sizeof(struct gw_ipc_media_demux) == 32, "media_demux payload layout");
static_assert(offsetof(struct gw_ipc_media_demux, op) == offsetof(struct gw_ipc_media_leg, op),
	      "media_demux travels as a media_leg request");
static_assert(GW_IPC_MEDIA_CNT_MAX <= 2 * GW_IPC_MEDIA_CNT_PER_MSG, "two STATS events carry them all");
static_assert(sizeof(struct gw_ipc_msg) == 128, "IPC ABI changed: bump GW_IPC_VERSION");
static_assert(sizeof(struct gw_ipc_msg) % 4 == 0, "rte_ring_elem needs a multiple of 4");
static_assert(sizeof(struct gw_ipc_info) == 40, "info layout changed: bump GW_IPC_VERSION");
static_assert(sizeof(struct gw_ipc_tx_meta) <= GW_IPC_MBUF_PRIV, "tx meta fits priv area");
static_assert(sizeof(struct gw_ipc_tx_meta) == 28, "tx meta layout: bump GW_IPC_VERSION");
static_assert(sizeof(struct gw_ipc_strm) == 56, "stream header layout: bump GW_IPC_VERSION");
static_assert(sizeof(struct gw_ipc_front) == 16 + 8 * GW_FRONT_CNT_MAX, "front memzone layout");

#endif
