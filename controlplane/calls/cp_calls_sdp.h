/*
 * cp_calls_sdp: the SDP side of a bridged call's legs (issue 9), without the
 * dataplane: which kind of leg a description is (plain RTP, SDES-SRTP or
 * WebRTC), which kind the other party gets (the ng flags), the SDES keys
 * (the offerer's a=crypto picked, ours generated) and the rewritten text.
 * cp_calls_media drives it; the unit test cp_calls_sdp runs every pair of
 * leg kinds through it.
 */
#ifndef CP_CALLS_SDP_H
#define CP_CALLS_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cp_ng.h"
#include "cp_sdes.h"
#include "cp_sdp.h"

enum cp_calls_kind {
	CP_CALLS_KIND_RTP = 0,   /* RTP/AVP, RTP/AVPF */
	CP_CALLS_KIND_SDES,      /* RTP/SAVP, RTP/SAVPF with a=crypto */
	CP_CALLS_KIND_WEBRTC,    /* UDP/TLS/RTP/SAVPF: ICE-lite, DTLS-SRTP, rtcp-mux, BUNDLE */
};

/** "RTP", "SDES" or "WebRTC". */
const char *cp_calls_kind_name(enum cp_calls_kind k);

/**
 * The kind of a party's description, from its accepted RTP sections (all
 * must agree); *avpf: the F profile.
 * @return 0; -EINVAL no accepted section; -ENOTSUP another transport or a
 *         mix (why says which).
 */
int cp_calls_sdp_kind(const struct cp_sdp *sdp, enum cp_calls_kind *kind, bool *avpf,
		      char *why, size_t wlen);

/**
 * The kind the other party gets for an offer of kind from: transport-protocol
 * when given; else ICE=force or DTLS=passive/active make it WebRTC, ICE=remove
 * or DTLS=off make a WebRTC offer plain RTP; else the offerer's kind. SDES-off
 * turns SDES into plain RTP. *avpf is the offerer's on entry, the target's on
 * return.
 */
enum cp_calls_kind cp_calls_target_kind(enum cp_calls_kind from, const struct cp_ng_req *req,
					bool *avpf);

/**
 * The first a=crypto of m the dataplane can run (a known suite, no MKI, a
 * well-formed key): its key and tag.
 * @return 0; -ENOENT none usable (why says what was seen).
 */
int cp_calls_sdes_pick(const struct cp_sdp_media *m, struct cp_sdes_key *key, uint32_t *tag,
		       char *why, size_t wlen);

/**
 * A fresh random master key and salt for profile, and its a=crypto line with
 * tag (line NULL: the key only).
 * @return 0; -ENOTSUP profile; -EIO random generator.
 */
int cp_calls_sdes_make(uint16_t profile, uint32_t tag, struct cp_sdes_key *key,
		       struct cp_sdp_crypto *line);

/**
 * The a=crypto line of key (its profile's suite, "inline:" key and salt) with tag.
 * @return 0; -EINVAL unknown profile or tag 0.
 */
int cp_calls_sdes_line(const struct cp_sdes_key *key, uint32_t tag, struct cp_sdp_crypto *line);

/* A set of RTP payload types 0..127: bit pt of byte pt / 8. */
#define CP_CALLS_PT_MASK 16

/**
 * The payload types of each of sdp's accepted RTP sections into pts[i]
 * (rejected and non-RTP sections: none), for CP_SDP_MAX_MEDIA sections.
 */
void cp_calls_sdp_pts(const struct cp_sdp *sdp, uint8_t pts[][CP_CALLS_PT_MASK]);

/**
 * The payload types by which a bundled WebRTC leg's traffic is told apart
 * into its n m= sections: out[i] the union of a[i] and b[i] (what each
 * party described for section i; either may be NULL).
 * @return 0; -ENOTSUP a type is in two sections (why says which).
 */
int cp_calls_bundle_pts(const uint8_t (*a)[CP_CALLS_PT_MASK], const uint8_t (*b)[CP_CALLS_PT_MASK],
			unsigned n, uint8_t (*out)[CP_CALLS_PT_MASK], char *why, size_t wlen);

/**
 * Render in for the leg described by p (cp_sdp_leg_render: o= and c= carry
 * p->addr) into text.
 * @return the length written; -ENOMEM; the cp_sdp_leg_render and
 *         cp_sdp_encode errors.
 */
int cp_calls_sdp_render(char *text, size_t cap, const struct cp_sdp *in,
			const struct cp_sdp_leg_params *p);

#endif
