/*
 * gw_counters: every dataplane counter, declared once (STYLE.md practice 11).
 * The dataplane counts per lcore; the control plane receives the values over
 * the IPC rings (GW_IPC_COUNTERS_*) and sums them for /metrics. The order is
 * part of the IPC ABI: adding, removing or reordering a counter changes
 * GW_CNT_MAX, which the hello handshake compares, so bump GW_IPC_VERSION.
 */
#ifndef GW_COUNTERS_H
#define GW_COUNTERS_H

#define GW_FOREACH_COUNTER(_)                                                       \
	_(RX_PKTS,              "frames received")                                   \
	_(RX_BYTES,             "bytes received")                                    \
	_(TX_PKTS,              "frames handed to the port")                         \
	_(TX_BYTES,             "bytes handed to the port")                          \
	_(TX_DROP,              "frames the port refused (TX queue full)")           \
	_(TX_DROP_OVERSIZE,     "frames dropped before TX: larger than the port MTU") \
	_(IDLE_SLEEPS,          "idle back-off sleeps")                              \
	_(ETH_RUNT,             "frames shorter than an Ethernet header")            \
	_(ETH_NOT_FOR_US,       "frames to another unicast MAC")                     \
	_(ETH_UNKNOWN_TYPE,     "frames with an unhandled ethertype (VLAN, IPv6, ...)") \
	_(ARP_BAD,              "malformed or non-IPv4 ARP")                         \
	_(ARP_NOT_FOR_US,       "ARP for an address that is not ours")               \
	_(ARP_REQUEST_ANSWERED, "ARP requests answered")                             \
	_(ARP_LEARNED,          "neighbour entries learned or refreshed")            \
	_(ARP_REQUEST_SENT,     "ARP requests sent to resolve a next hop")           \
	_(ARP_PENDING_QUEUED,   "packets queued waiting for ARP")                    \
	_(ARP_PENDING_SENT,     "queued packets sent after resolution")              \
	_(ARP_PENDING_OVERFLOW, "packets dropped: ARP pending queue full")           \
	_(ARP_PENDING_TIMEOUT,  "packets dropped: next hop did not answer ARP")      \
	_(ARP_NO_ROUTE,         "packets dropped: destination off-link and no gateway") \
	_(ARP_CONFLICT,         "ARP dropped: another host claims the gateway's own address") \
	_(IPV4_BAD_HDR,         "IPv4 headers malformed (version, IHL, lengths)")    \
	_(IPV4_BAD_CKSUM,       "IPv4 header checksum errors")                       \
	_(IPV4_FRAGMENT,        "IPv4 fragments received (taken for reassembly)")    \
	_(IPV4_NOT_FOR_US,      "IPv4 to an address that is not ours")               \
	_(IPV4_MARTIAN_SRC,     "IPv4 dropped: impossible source (0/8, loopback, multicast, broadcast, ours)") \
	_(IPV4_FRAG_OUT,        "datagrams over the port MTU sent as IPv4 fragments") \
	_(IPV4_FRAG_FAIL,       "datagrams over the port MTU dropped: DF asked or no mbufs to fragment") \
	_(IPV4_PROTO_OTHER,     "IPv4 with a protocol other than UDP or ICMP")       \
	_(ICMP_BAD,             "ICMP malformed or with a bad checksum")             \
	_(ICMP_ECHO_ANSWERED,   "ICMP echo requests answered")                       \
	_(ICMP_OTHER,           "ICMP messages other than echo request")             \
	_(UDP_BAD_HDR,          "UDP headers malformed (length)")                    \
	_(UDP_BAD_CKSUM,        "UDP checksum errors")                               \
	_(UDP_NO_HANDLER,       "UDP to a port nothing listens on")                  \
	_(DEMUX_EMPTY,          "empty UDP datagrams on a service port")             \
	_(DEMUX_STUN,           "STUN/TURN messages on a service port")              \
	_(DEMUX_ZRTP,           "ZRTP packets on a service port")                    \
	_(DEMUX_DTLS,           "DTLS records on a service port")                    \
	_(DEMUX_CHANDATA,       "TURN ChannelData on a service port")                \
	_(DEMUX_RTP,            "RTP packets on a service port")                     \
	_(DEMUX_RTCP,           "RTCP packets on a service port")                    \
	_(DEMUX_UNKNOWN,        "datagrams in no RFC 7983 class on a service port")  \
	_(DEMUX_UNHANDLED,      "classified datagrams no handler took yet")          \
	_(IPC_CMD,              "commands received from the control plane")          \
	_(IPC_CMD_BAD,          "commands with a wrong version or unknown type")     \
	_(IPC_EVT_DROP,         "events dropped: event ring full")                   \
	_(IPC_TX,               "frames sent for the control plane (tx ring)")       \
	_(IPC_TX_BAD,           "tx ring frames dropped (bad metadata)") \
	_(EXC_TO_KERNEL,        "frames handed to the kernel on the exception interface") \
	_(EXC_TO_KERNEL_DROP,   "frames for the kernel dropped: exception interface queue full") \
	_(EXC_FROM_KERNEL,      "frames the kernel wrote on the exception interface, sent out") \
	_(EXC_FROM_KERNEL_DROP, "frames from the kernel dropped: not IPv4 or IPv6 from the port's address to unicast") \
	_(EXC_FROM_KERNEL_MCAST6,"the kernel's IPv6 multicast on the exception interface (MLD reports): not sent (NDP on the wire is the dataplane's)") \
	_(IPC_PUNT,             "frames punted to the control plane (DTLS on media ports)") \
	_(IPC_PUNT_DROP,        "frames not punted: punt ring full")                \
	_(STUN_BINDING_OK,      "STUN Binding requests answered with success")       \
	_(STUN_CLASSIC_OK,      "RFC 3489 Binding requests answered with MAPPED-ADDRESS") \
	_(STUN_BAD_REQUEST,     "malformed STUN requests answered with 400")         \
	_(STUN_UNKNOWN_ATTR,    "STUN requests answered with 420 and UNKNOWN-ATTRIBUTES") \
	_(STUN_NOT_BINDING,     "STUN requests of another method on the STUN port (to TURN)") \
	_(STUN_DROP_MALFORMED,  "STUN messages dropped: malformed, no answer possible") \
	_(STUN_DROP_FINGERPRINT,"STUN messages dropped: FINGERPRINT mismatch")       \
	_(STUN_DROP_CLASSIC,    "RFC 3489 messages dropped: not a Binding request, or CHANGE-REQUEST") \
	_(STUN_IGN_INDICATION,  "STUN indications ignored")                          \
	_(STUN_IGN_RESPONSE,    "STUN success/error responses ignored")              \
	_(ICE_OK,               "ICE checks answered with success")                  \
	_(ICE_NO_AUTH,          "ICE checks without USERNAME or MESSAGE-INTEGRITY answered 400") \
	_(ICE_NO_FP,            "ICE checks without FINGERPRINT answered 400")       \
	_(ICE_UNKNOWN_USER,     "ICE checks with an unknown or mismatched USERNAME answered 401") \
	_(ICE_BAD_MAC,          "ICE checks with a wrong MESSAGE-INTEGRITY answered 401") \
	_(ICE_ROLE_CONFLICT,    "ICE checks from a controlled peer answered 487")    \
	_(STUN_DROP_NOSPC,      "STUN answers dropped: response did not fit")        \
	_(STUN_TX_NOROOM,       "STUN answers dropped: no room in the mbuf")         \
	_(STUN_TURN_UNAVAILABLE,"TURN requests dropped: turn.enabled is false")   \
	_(STUN_OTHER_PORT,      "STUN on a TURN relay port (not handled)")           \
	_(ICE_NOMINATED,        "ICE legs nominated (USE-CANDIDATE)")                \
	_(ICE_RENOMINATE_IGNORED,"USE-CANDIDATE on an already nominated leg from another address") \
	_(ICE_CONSENT_LOST,     "ICE legs whose consent expired (RFC 7675)")         \
	_(ICE_LEG_ADDED,        "ICE credentials added")                             \
	_(ICE_LEG_REMOVED,      "ICE credentials removed")                           \
	_(ICE_LEG_ADD_FAILED,   "ICE credential adds refused (duplicate, full, invalid)") \
	_(TURN_ALLOC_OK,        "TURN allocations created")                          \
	_(TURN_ALLOC_RETRANSMIT,"TURN Allocate retransmissions answered again")      \
	_(TURN_REFRESH_OK,      "TURN Refresh requests answered (lifetime 0 deletes)") \
	_(TURN_ALLOC_DELETED,   "TURN allocations deleted by the client (Refresh, LIFETIME 0)") \
	_(TURN_ALLOC_EXPIRED,   "TURN allocations expired (not refreshed in time)")   \
	_(TURN_PERM_OK,         "TURN CreatePermission requests answered")           \
	_(TURN_CHANBIND_OK,     "TURN ChannelBind requests answered")                \
	_(TURN_AUTH_CHALLENGE,  "TURN requests without integrity answered 401 (challenge)") \
	_(TURN_AUTH_FAIL,       "TURN requests failing authentication (400/401/441)") \
	_(TURN_AUTH_STALE,      "TURN requests with a stale or foreign nonce answered 438") \
	_(TURN_ERR_MISMATCH,    "TURN requests answered 437 (allocation mismatch)")  \
	_(TURN_ERR_QUOTA,       "TURN Allocates answered 486 (quota)")               \
	_(TURN_ERR_CAPACITY,    "TURN requests answered 508 (no relay port, table full)") \
	_(TURN_ERR_FORBIDDEN,   "TURN permissions refused 403 (peer address policy)") \
	_(TURN_ERR_BAD_REQUEST, "TURN requests answered 400/442 (440/443: turn_err_family)")            \
	_(TURN_ERR_UNKNOWN_ATTR,"TURN requests answered 420 with UNKNOWN-ATTRIBUTES (after authentication)") \
	_(TURN_ERR_OWNER,       "TURN requests for an allocation owned by another worker") \
	_(TURN_TO_PEER_PKTS,    "TURN datagrams relayed client to peer")             \
	_(TURN_TO_PEER_BYTES,   "TURN payload bytes relayed client to peer")         \
	_(TURN_TO_CLIENT_PKTS,  "TURN datagrams relayed peer to client")             \
	_(TURN_TO_CLIENT_BYTES, "TURN payload bytes relayed peer to client")         \
	_(TURN_HAIRPIN_PKTS,    "TURN datagrams relayed between two allocations inside the dataplane") \
	_(TURN_DROP_NO_ALLOC,   "TURN data dropped: no live allocation")             \
	_(TURN_DROP_NO_PERM,    "TURN data dropped: no permission for the peer")     \
	_(TURN_DROP_NO_CHANNEL, "TURN ChannelData dropped: channel not bound")       \
	_(TURN_DROP_DENIED_PEER,"TURN data dropped: peer address denied by policy")  \
	_(TURN_DROP_BANDWIDTH,  "TURN data dropped: allocation over its bandwidth")  \
	_(TURN_DROP_BAD_CHANDATA,"TURN ChannelData dropped: malformed")              \
	_(TURN_DROP_BAD_SEND,   "TURN indications dropped: malformed or not Send")   \
	_(TURN_DROP_BAD_REQUEST,"TURN messages dropped: malformed or a response")    \
	_(TURN_DROP_FINGERPRINT,"TURN requests and indications dropped: FINGERPRINT mismatch") \
	_(TURN_DROP_NOROOM,     "TURN packets dropped: no room in the mbuf") \
	_(TURN_STREAM_IN,       "TURN messages from TCP/TLS clients (through rtcgw-turnfront)") \
	_(TURN_STREAM_OUT,      "TURN messages to TCP/TLS clients handed to rtcgw-turnfront") \
	_(TURN_STREAM_DROP_RING,"TURN messages to TCP/TLS clients dropped: ring to the front full") \
	_(TURN_STREAM_DROP_BAD, "messages from rtcgw-turnfront dropped: bad header or not TURN") \
	_(TURN_STREAM_CLOSED,   "TURN allocations deleted because their TCP/TLS connection closed") \
	_(MEDIA_RTP_IN,         "SRTP packets authenticated on media legs")          \
	_(MEDIA_RTCP_IN,        "SRTCP packets authenticated on media legs")         \
	_(MEDIA_OUT,            "SRTP/SRTCP packets protected and sent on media legs") \
	_(MEDIA_AUTH_FAIL,      "SRTP/SRTCP packets dropped: authentication tag mismatch") \
	_(MEDIA_REPLAY,         "SRTP/SRTCP packets dropped: replayed or too old index") \
	_(MEDIA_MALFORMED,      "SRTP/SRTCP packets dropped: malformed or SSRC limit") \
	_(MEDIA_NO_LEG,         "RTP/RTCP on a media port without a leg")            \
	_(MEDIA_NO_KEYS,        "RTP/RTCP on a leg without SRTP keys yet")           \
	_(MEDIA_NOT_OWNER,      "RTP/RTCP another worker could not hand to worker 0 (handoff ring full): dropped") \
	_(MEDIA_STEERED,        "RTP/RTCP another worker received and handed to worker 0, the legs' owner") \
	_(MEDIA_NO_ROUTE,       "media packets with nowhere to go (no rule, no peer, no send keys)") \
	_(MEDIA_SRC_MISMATCH,   "RTP/RTCP dropped on strict-source legs: not from the leg's peer") \
	_(MEDIA_HANDOVER,       "RTP/RTCP from a new source that moved a media-handover leg's peer there") \
	_(MEDIA_TX_FAIL,        "media packets not sent (protect refused, no mbuf, over MTU)") \
	_(MEDIA_KF_FORWARDED,   "PLI/FIR from subscribers forwarded to the publisher") \
	_(MEDIA_KF_LIMITED,     "PLI/FIR from subscribers dropped by the 500 ms limit") \
	_(MEDIA_NACK_FORWARDED, "SRTCP with a generic NACK from subscribers forwarded to the publisher") \
	_(MEDIA_RTCP_TERMINATED,"SRTCP from subscribers terminated (no keyframe request)") \
	_(MEDIA_NACK_RECEIVED,  "sequence numbers subscribers' generic NACKs asked for") \
	_(MEDIA_NACK_ANSWERED,  "packets resent to subscribers from the publisher's packet cache") \
	_(MEDIA_NACK_MISSED,    "NACKed sequence numbers not cached, asked of the publisher") \
	_(MEDIA_NACK_LIMITED,   "NACKed packets not resent: sent to that subscriber again under 10 ms ago") \
	_(MEDIA_RR_SENT,        "receiver reports the gateway sent to publishers") \
	_(MEDIA_NACK_RTX,       "NACKed packets resent as RFC 4588 RTX packets (viewers that negotiated RTX)") \
	_(MEDIA_LEG_ADDED,      "media legs created")                                \
	_(MEDIA_LEG_REMOVED,    "media legs deleted")                                \
	_(MEDIA_CMD_FAILED,     "media leg and SRTP key commands refused") \
	_(IPV6_RX,              "IPv6 packets received on a port with an IPv6 address") \
	_(IPV6_BAD_HDR,         "IPv6 headers malformed (version, lengths, extension headers)") \
	_(IPV6_UNSUPPORTED,     "IPv6 dropped: jumbogram, routing header with segments left, unskippable option, too many extension headers") \
	_(IPV6_NOT_FOR_US,      "IPv6 to an address that is not ours, or to a multicast group other than all-nodes and our solicited-node groups") \
	_(IPV6_MARTIAN_SRC,     "IPv6 dropped: impossible source (multicast, loopback, IPv4-mapped, ours, :: outside DAD)") \
	_(IPV6_FRAGMENT,        "IPv6 fragments received (taken for reassembly)")    \
	_(IPV6_PROTO_OTHER,     "IPv6 with a next header other than UDP or ICMPv6")   \
	_(IPV6_UDP_UNSUPPORTED, "UDP over IPv6 dropped: to multicast, or a class no service takes over IPv6 (DTLS or SRTP outside the media ports)") \
	_(ICMP6_BAD,            "ICMPv6 malformed or with a bad checksum")           \
	_(ICMP6_ECHO_ANSWERED,  "ICMPv6 echo requests answered")                     \
	_(ICMP6_OTHER,          "ICMPv6 not handled: types other than echo request, NS and NA (RA, MLD, errors), or echo to multicast") \
	_(NDP_BAD,              "neighbour solicitations/advertisements failing RFC 4861 validation") \
	_(NDP_NOT_FOR_US,       "NS for a target that is not ours; NA for an off-link target, or multicast for a neighbour we do not know") \
	_(NDP_NS_ANSWERED,      "neighbour solicitations for our addresses answered")  \
	_(NDP_LEARNED,          "IPv6 neighbour entries learned or refreshed")       \
	_(NDP_NS_SENT,          "neighbour solicitations sent to resolve a next hop") \
	_(NDP_PENDING_QUEUED,   "packets queued waiting for neighbour discovery")    \
	_(NDP_PENDING_SENT,     "queued packets sent after neighbour resolution")    \
	_(NDP_PENDING_OVERFLOW, "packets dropped: NDP pending queue full")           \
	_(NDP_PENDING_TIMEOUT,  "packets dropped: next hop did not answer neighbour solicitations") \
	_(NDP_NO_ROUTE,         "IPv6 packets dropped: destination off-link and no gateway6") \
	_(NDP_CONFLICT,         "NDP dropped: another host claims (or probes for) the gateway's own IPv6 address") \
	_(STUN6_TURN_UNSUPPORTED,"TURN requests, indications and ChannelData over IPv6 dropped: turn.enabled is false") \
	_(ICE6_CHECKED,         "ICE checks over IPv6 that passed (consent refreshed; with USE-CANDIDATE they nominate an IPv6 peer)") \
	_(TURN6_ALLOC_OK,       "TURN allocations with an IPv6 relayed address (RFC 6156; dual allocations included)") \
	_(TURN_ERR_FAMILY,      "TURN requests answered 440 (address family not relayed on that port) or 443 (peer or refreshed address family mismatch)") \
	_(TURN6_ERR_FORBIDDEN,  "TURN permissions for IPv6 peers refused 403 (IPv6 peer policy; also counted in turn_err_forbidden)") \
	_(TURN_DROP_PEER_AF,    "TURN data dropped: a peer of an address family the allocation does not relay") \
	_(TURN6_DROP_TOOBIG,    "TURN datagrams over IPv6 dropped: larger than the port MTU and DONT-FRAGMENT asked, or no mbufs to fragment") \
	_(TURN_FAMILY_DELETED,  "relayed addresses of one family deleted from a dual allocation (Refresh, REQUESTED-ADDRESS-FAMILY, LIFETIME 0)") \
	_(IPV6_FRAG_OUT,        "datagrams over the port MTU sent as IPv6 fragments (RFC 8200 §4.5)") \
	_(FRAG_REASSEMBLED,     "IPv4 and IPv6 datagrams reassembled from received fragments") \
	_(FRAG_REASM_FAIL,      "fragmented datagrams dropped: larger than one mbuf, or an IPv6 Fragment header after other extension headers")

/*
 * rtcgw-turnfront's counters (TURN over TCP and TLS): kept by the front in
 * the GW_IPC_FRONT_NAME memzone (struct gw_ipc_front), read by the control
 * plane for /metrics as rtcgw_front_<name>. Part of the IPC ABI as well.
 */
#define GW_FOREACH_FRONT_COUNTER(_)                                                 \
	_(ACCEPTED,             "TCP/TLS connections accepted")                      \
	_(CLOSED,               "TCP/TLS connections closed, for any reason")        \
	_(REFUSED_LIMIT,        "connections refused: turn.tcp.max_connections open") \
	_(REFUSED_PER_IP,       "connections refused: turn.tcp.max_connections_per_ip from that address") \
	_(TLS_HANDSHAKES,       "TLS handshakes completed")                          \
	_(TLS_FAIL,             "connections closed: TLS handshake or record error") \
	_(HANDSHAKE_TIMEOUT,    "connections closed: TLS handshake not done within turn.tcp.handshake_timeout_s") \
	_(IDLE_TIMEOUT,         "connections closed: nothing received for turn.tcp.idle_timeout_s") \
	_(STALLED,              "connections closed: the client read nothing for turn.tcp.stall_timeout_s with its send buffer full") \
	_(BAD_FRAME,            "connections closed: the stream is not STUN/ChannelData framing, or a message too long") \
	_(MSGS_IN,              "messages from clients passed to the dataplane")     \
	_(BYTES_IN,             "bytes of those messages")                           \
	_(MSGS_OUT,             "messages from the dataplane written or queued to clients") \
	_(BYTES_OUT,            "bytes of those messages")                           \
	_(DROP_RING,            "messages from clients dropped: ring to the dataplane full or no mbuf") \
	_(DROP_SEND_BUF,        "messages to clients dropped: the connection's send buffer full") \
	_(DROP_NO_CONN,         "messages from the dataplane for a connection that is gone")

enum gw_front_counter {
#define GW_FRONT_CNT_ENUM(sym, text) GW_FRONT_CNT_##sym,
	GW_FOREACH_FRONT_COUNTER(GW_FRONT_CNT_ENUM)
#undef GW_FRONT_CNT_ENUM
	GW_FRONT_CNT_MAX
};

enum gw_counter {
#define GW_CNT_ENUM(sym, text) GW_CNT_##sym,
	GW_FOREACH_COUNTER(GW_CNT_ENUM)
#undef GW_CNT_ENUM
	GW_CNT_MAX
};

#endif
