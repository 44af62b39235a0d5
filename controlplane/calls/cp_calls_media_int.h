/*
 * cp_calls_media_int.h: a call's media state, shared by cp_calls_media.c
 * (offer/answer, timers), cp_calls_legs.c (the legs' dataplane commands)
 * and cp_calls_journal.c (which saves the calls and gives a restarted
 * control plane's back). Private to those three.
 */
#ifndef CP_CALLS_MEDIA_INT_H
#define CP_CALLS_MEDIA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_addr.h"
#include "cp_calls.h"
#include "cp_calls_keys.h"
#include "cp_calls_sdp.h"
#include "cp_sdp.h"
#include "gw_ipc.h"

#define LEG_ID_FLAG     0x80000000u     /* calls' dataplane leg ids (sessions count from 1) */
#define LEGS_PER_CALL   64u             /* 2 sides x CP_SDP_MAX_MEDIA sections x RTP/RTCP */
#define UFRAG_LEN       8
#define PWD_LEN         24

_Static_assert(2 * CP_SDP_MAX_MEDIA * 2 <= LEGS_PER_CALL, "leg id block");

struct cp_dtls;

struct side {
	bool set;                       /* the tag is known */
	char tag[CP_CALLS_TAG_MAX];
	size_t tag_len;
	uint16_t base;                  /* first port of its block: section i at base + 2i */
	bool mux;                       /* the party muxes RTCP on its RTP port */
	bool peer_known;
	struct cp_addr peer;            /* where its SDP says it receives (IPv4 or IPv6) */
	int family;                     /* our address's in what we send it: AF_INET(6); 0: AF_INET */
	uint16_t peer_rtp[CP_SDP_MAX_MEDIA], peer_rtcp[CP_SDP_MAX_MEDIA];
	bool kind_set;
	enum cp_calls_kind kind;        /* the transport this party talks */
	bool avpf;
	bool trust;                     /* trust-address, asymmetric: no latching */
	uint8_t pi;                     /* the interface (dataplane port index) of its legs */
	uint8_t src;                    /* strict-source, media-handover: GW_IPC_MEDIA_F_STRICT,
					 * GW_IPC_MEDIA_F_HANDOVER */
	struct cp_calls_keys keys;      /* SDES: a key per section and direction */
	/* the payload types of each m= section as this party described it */
	uint8_t pts[CP_SDP_MAX_MEDIA][CP_CALLS_PT_MASK];
	/* WebRTC: every section on port base (BUNDLE, rtcp-mux), one dataplane
	 * leg (section 0's RTP leg), one ICE leg, one DTLS association; the
	 * party's a=mid per section (kept in what we send it) */
	char mid[CP_SDP_MAX_MEDIA][CP_SDP_TOKEN_LEN];
	char ufrag[UFRAG_LEN + 1], pwd[PWD_LEN + 1];
	enum cp_sdp_setup setup;        /* what we write in our SDP */
	uint32_t ice_id;                /* 0: no ICE leg yet */
	struct cp_dtls *dtls;           /* NULL after a takeover (the keys are in the dataplane) */
	uint8_t peer_fp[32];            /* the party's sha-256 a=fingerprint (a change: new DTLS) */
	bool dtls_peer;                 /* where DTLS records go */
	struct cp_addr dtls_addr;
	uint16_t dtls_port;
	bool keys_sent;
};

struct mcall {
	struct mcall *next;
	char id[CP_CALLS_ID_MAX];
	size_t id_len;
	unsigned n_media;
	uint32_t leg0;                  /* leg ids leg0 .. leg0 + LEGS_PER_CALL - 1 */
	struct side s[2];               /* 0: the first offerer, 1: the other party */
	bool rules_set;                 /* the BRIDGE rules are in the dataplane ... */
	bool rules_mux[2];              /* ... for these rtcp-mux choices */
	uint8_t rules_pts[CP_SDP_MAX_MEDIA][CP_CALLS_PT_MASK];   /* ... and these DEMUX sets */
	uint64_t cnt[2][CP_SDP_MAX_MEDIA][2][GW_IPC_MEDIA_CNT_MAX];
	uint64_t rx_seen, last_rx_ms;
	uint64_t stats_due;             /* when its counters are asked for next */
	uint64_t stats_asked;           /* when they were asked for last */
};

/** The calls with media, newest first (linked by next). */
const struct mcall *cp_calls_media_list(void);

/**
 * Take a call a journal kept (its sides, ids and rules as saved; dtls
 * pointers are cleared): its ports held, its leg ids reserved, listed; a
 * WebRTC side whose keys were never installed gets a fresh DTLS endpoint.
 * @return 0; -EINVAL a side on an interface the config no longer has (the
 *         caller frees k).
 */
int cp_calls_media_adopt(struct mcall *k);

#endif
