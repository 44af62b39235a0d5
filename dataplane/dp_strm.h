/*
 * dp_strm: the dataplane's end of the rings to rtcgw-turnfront, the process
 * that terminates TURN over TCP and TLS (RFC 8656 §6.2; DESIGN.md "Exception
 * path and TCP"). The front reads the streams with kernel sockets and OpenSSL
 * and passes each whole STUN or ChannelData message here, one per mbuf,
 * behind a struct gw_ipc_strm naming its connection; what the dataplane
 * answers or relays to such a client goes back the same way. The relayed
 * side stays UDP in the dataplane.
 *
 * Worker 0 drains the ring from the front (so it owns every TCP/TLS
 * allocation); any worker may hand a message to the front (peer data lands
 * where RSS puts it), so that ring is multi-producer. A full ring drops the
 * message and counts it: the dataplane never waits for the front.
 * Everything here is a no-op unless turn.tcp.enabled.
 */
#ifndef DP_STRM_H
#define DP_STRM_H

#include <stdbool.h>

#include <rte_mbuf.h>

struct dp_worker;
struct gw_config;

/**
 * Create the two rings (start-up, DPDK primary). Nothing when turn.tcp is off.
 * @return 0, or -EEXIST / -ENOMEM (rte_ring_create).
 */
int dp_strm_create(const struct gw_config *c);

/**
 * Worker 0: take up to a burst of messages from the front and hand them to
 * dp_turn (messages, connection closes, a front's restart).
 * @return messages taken (0 on other workers or when off).
 */
unsigned dp_strm_poll(struct dp_worker *w);

/**
 * Hand m to the front. m's data is a struct gw_ipc_strm and the message
 * (the caller filled both; a single segment). Consumes m.
 * @return true when queued; false when dropped (ring full, off, chained mbuf).
 */
bool dp_strm_send(struct dp_worker *w, struct rte_mbuf *m);

/** Free the mbufs left in both rings (shutdown, after the workers stopped). */
void dp_strm_drain(void);

#endif
