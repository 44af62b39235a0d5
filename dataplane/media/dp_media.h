/*
 * dp_media: media legs in the dataplane (DESIGN.md packet path 6).
 *
 * A leg is one WebRTC endpoint on one local media port (BUNDLE + rtcp-mux:
 * every stream of the peer arrives on that port), with the peer's address,
 * IPv4 or IPv6 (from the ICE nomination, sent by the control plane; or
 * latched from the first authenticated packet when none was sent yet; each
 * leg is sent to in its own peer's family, whatever family the packets it
 * is forwarded came in on), an SRTP receive and an
 * SRTP send context (dp_srtp), per-leg counters and a forwarding rule:
 *
 * - ECHO: SRTP and SRTCP back to the leg, re-protected with its send keys;
 * - PUBLISH: RTP and RTCP (sender reports) fanned out to each subscriber,
 *   one copy per subscriber, each protected with that subscriber's keys; its
 *   RTP packets are also kept in a per-stream cache and counted for the
 *   receiver reports the gateway sends it (dp_rtcp, dp_media_tick);
 * - SUBSCRIBE: the leg receives its publisher's media; its own RTCP is
 *   terminated, except generic NACKs, answered from the publisher's cache
 *   (as RFC 4588 RTX packets where the viewer negotiated RTX:
 *   GW_IPC_MEDIA_RTX) with only the uncached rest going on, and compounds
 *   carrying a PLI or FIR, which go on to the publisher at most once per
 *   500 ms per media SSRC (sender SSRCs rewritten to the gateway's, so one
 *   publisher send context serves every viewer). The publisher's sender
 *   reports reach it with its own packet and octet counts, report blocks
 *   taken out.
 *
 * Worker 0 owns every leg (it serves the commands and is the only writer of
 * the table and of the SRTP contexts); media that RSS delivers to another
 * worker is handed to worker 0 through a multi-producer ring (media_steered;
 * media_not_owner when that ring is full) and processed in its loop
 * (dp_media_poll). Legs live in a fixed array and are found per packet by local port
 * through a port -> index array: nothing on the packet path allocates,
 * except the mbuf copies of fan-out and of NACK answers (from the shared
 * pool).
 */
#ifndef DP_MEDIA_H
#define DP_MEDIA_H

#include <stdint.h>

struct dp_worker;
struct gw_ipc_msg;
struct gw_ipv4_view;
struct gw_ipv6_view;
struct gw_udp_view;
struct rte_mbuf;

/**
 * Create the leg table for the media port range [port_min, port_max] with
 * at most max_legs legs and a pool of 2 * max_legs SRTP contexts, and
 * register the handlers for GW_IPC_MEDIA_LEG_REQ, GW_IPC_MEDIA_STATS_REQ,
 * GW_IPC_SRTP_ADD_REQ and GW_IPC_SRTP_DEL_REQ. Start-up only.
 * @return 0; -EINVAL (empty range, max_legs 0); -ENOMEM; -EEXIST (the
 *         command types have handlers already).
 */
int dp_media_create(uint16_t port_min, uint16_t port_max, uint32_t max_legs);

/**
 * With n_workers > 1: the ring other workers hand worker 0 their media
 * through. After dp_media_create, start-up only. @return 0; -ENOMEM.
 */
int dp_media_steer_create(unsigned n_workers);

/**
 * Worker 0, each loop: process what other workers handed over (at most one
 * burst). Other workers: nothing. @return packets taken from the ring.
 */
unsigned dp_media_poll(struct dp_worker *w);

/** Free every leg and the table (after the workers stopped). NULL-safe state. */
void dp_media_free(void);

/** Legs in use (tests and shutdown). */
uint32_t dp_media_legs(void);

/** SRTP contexts in use (tests: back to 0 after every delete). */
uint32_t dp_media_srtp_in_use(void);

/**
 * Handle one command on worker w (registered through dp_ipc_on): media leg
 * add/del/peer/rule, per-leg stats, SRTP key install/removal. Answers with
 * GW_IPC_MEDIA_EVENT or GW_IPC_SRTP_EVENT (status 0 or -errno: -EXDEV not
 * worker 0, -ENOENT unknown leg, -EEXIST leg id or port taken, -ENOSPC table
 * or SRTP pool full, -EINVAL bad op/rule/port, -ERANGE port outside the
 * media range). Wipes key material in q.
 */
void dp_media_command(struct dp_worker *w, struct gw_ipc_msg *q);

/**
 * An RTP or RTCP datagram (RFC 7983 class 128..191) on media port u->dport,
 * received on port index pi. Consumes m: forwarded by the leg's rule, or
 * counted and freed.
 */
void dp_media_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		    const struct gw_ipv4_view *ip, const struct gw_udp_view *u);

/**
 * dp_media_input() for a datagram that came over IPv6: the same rules; a leg
 * whose peer is IPv6 (GW_IPC_MEDIA_PEER with GW_IPC_FAMILY_IPV6, or latched
 * from an IPv6 source) is sent to over UDP/IPv6 from the port's address6,
 * through NDP, whatever family the packet it forwards came in on.
 */
void dp_media6_input(struct dp_worker *w, unsigned pi, struct rte_mbuf *m,
		     const struct gw_ipv6_view *ip, const struct gw_udp_view *u);

/**
 * Worker 0's periodic work (call it from the loop's timer, now = TSC): the
 * gateway's receiver reports to publishers, about once a second. Other
 * workers return at once.
 */
void dp_media_tick(struct dp_worker *w, uint64_t now);

/** Tests: the clock packets are stamped with (NULL: rte_rdtsc). */
void dp_media_clock(uint64_t (*now)(void));

#endif
