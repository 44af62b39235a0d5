/* The IPC ABI (dataplane/include/gw_ipc.h) pinned field by field: a layout
 * change that forgets to bump GW_IPC_VERSION fails here. */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "gw_ipc.h"

static void
test_msg_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct gw_ipc_msg), 128);
	assert_int_equal(offsetof(struct gw_ipc_msg, version), 0);
	assert_int_equal(offsetof(struct gw_ipc_msg, type), 2);
	assert_int_equal(offsetof(struct gw_ipc_msg, worker), 4);
	assert_int_equal(offsetof(struct gw_ipc_msg, flags), 6);
	assert_int_equal(offsetof(struct gw_ipc_msg, seq), 8);
	assert_int_equal(offsetof(struct gw_ipc_msg, status), 12);
	assert_int_equal(offsetof(struct gw_ipc_msg, u), 16);
	assert_int_equal(offsetof(struct gw_ipc_counters, v), 8);
	assert_int_equal(offsetof(struct gw_ipc_port, ipackets), 24);
	assert_int_equal(offsetof(struct gw_ipc_port, name), 88);
	assert_int_equal(offsetof(struct gw_ipc_hello, version), 16);
}

/* v7: SRTP key install (gw_ipc_srtp_keys), removal and result event;
 * v8: the exception path's counters (exc_*). */
static void
test_srtp_layout(void **state)
{
	(void)state;
	assert_true(GW_IPC_VERSION >= 7);
	assert_int_equal(GW_IPC_SRTP_ADD_REQ, 11);
	assert_int_equal(GW_IPC_SRTP_DEL_REQ, 12);
	assert_int_equal(GW_IPC_SRTP_EVENT, 13);
	assert_int_equal(sizeof(struct gw_ipc_srtp_keys), 68);
	assert_int_equal(offsetof(struct gw_ipc_srtp_keys, leg_id), 0);
	assert_int_equal(offsetof(struct gw_ipc_srtp_keys, profile), 4);
	assert_int_equal(offsetof(struct gw_ipc_srtp_keys, flags), 6);
	assert_int_equal(offsetof(struct gw_ipc_srtp_keys, recv_key), 8);
	assert_int_equal(offsetof(struct gw_ipc_srtp_keys, recv_salt), 24);
	assert_int_equal(offsetof(struct gw_ipc_srtp_keys, send_key), 38);
	assert_int_equal(offsetof(struct gw_ipc_srtp_keys, send_salt), 54);
	assert_true(sizeof(struct gw_ipc_srtp_keys) <= sizeof(((struct gw_ipc_msg *)0)->u.raw));
	assert_int_equal(sizeof(struct gw_ipc_srtp_del), 4);
	assert_int_equal(sizeof(struct gw_ipc_srtp_evt), 8);
	assert_int_equal(offsetof(struct gw_ipc_srtp_evt, kind), 4);
	assert_int_equal(offsetof(struct gw_ipc_srtp_evt, profile), 6);
}

/* v8: config reload request and answer. */
static void
test_reload_layout(void **state)
{
	(void)state;
	assert_true(GW_IPC_VERSION >= 8);
	assert_int_equal(GW_IPC_RELOAD_REQ, 14);
	assert_int_equal(GW_IPC_RELOAD_RESP, 15);
	assert_int_equal(sizeof(struct gw_ipc_reload), 112);
	assert_int_equal(offsetof(struct gw_ipc_reload, generation), 0);
	assert_int_equal(offsetof(struct gw_ipc_reload, n_live), 4);
	assert_int_equal(offsetof(struct gw_ipc_reload, n_restart), 6);
	assert_int_equal(offsetof(struct gw_ipc_reload, detail), 8);
}

/* v9: media legs (gw_ipc_media_leg), their counters and results (gw_ipc_media_evt);
 * v10: the exception path's counters (exc_*). */
static void
test_media_layout(void **state)
{
	(void)state;
	assert_true(GW_IPC_VERSION >= 10);
	assert_int_equal(GW_IPC_MEDIA_LEG_REQ, 16);
	assert_int_equal(GW_IPC_MEDIA_STATS_REQ, 17);
	assert_int_equal(GW_IPC_MEDIA_EVENT, 18);
	assert_true(sizeof(struct gw_ipc_media_leg) >= 20);
	assert_int_equal(offsetof(struct gw_ipc_media_leg, op), 4);
	assert_int_equal(offsetof(struct gw_ipc_media_leg, port), 6);
	assert_int_equal(offsetof(struct gw_ipc_media_leg, peer_ip), 8);
	assert_int_equal(offsetof(struct gw_ipc_media_leg, peer_port), 12);
	assert_int_equal(offsetof(struct gw_ipc_media_leg, rule), 14);
	assert_int_equal(offsetof(struct gw_ipc_media_leg, port_index), 15);
	assert_int_equal(offsetof(struct gw_ipc_media_leg, pub_leg_id), 16);
	assert_int_equal(offsetof(struct gw_ipc_media_evt, cnt), 8);
	assert_int_equal(sizeof(struct gw_ipc_media_evt), 112);
	assert_true(sizeof(struct gw_ipc_media_evt) <= sizeof(((struct gw_ipc_msg *)0)->u.raw));
}

/* v11: calls' media legs: the MODE op (plain, latching) and the BRIDGE rules. */
static void
test_calls_layout(void **state)
{
	(void)state;
	assert_true(GW_IPC_VERSION >= 11);
	assert_int_equal(GW_IPC_MEDIA_MODE, 6);
	assert_int_equal(GW_IPC_MEDIA_F_PLAIN, 1);
	assert_int_equal(GW_IPC_MEDIA_F_LATCH, 2);
	assert_int_equal(GW_IPC_MEDIA_RULE_BRIDGE, 4);
	assert_int_equal(GW_IPC_MEDIA_RULE_BRIDGE_RTCP, 5);
}

/* v12: MEDIA_DEL of leg 0 takes an id mask (a control plane taking its
 * sessions over from the journal clears only the calls' legs). */
static void
test_journal_sweep(void **state)
{
	(void)state;
	assert_true(GW_IPC_VERSION >= 12);
	assert_int_equal(GW_IPC_MEDIA_ID_CALLS, 0x80000000u);
	assert_int_equal(offsetof(struct gw_ipc_media_leg, pub_leg_id) % 4, 0);
}

/* v13: media_steered, after media_not_owner (other workers hand media to worker 0). */
static void
test_media_steering(void **state)
{
	(void)state;
	assert_true(GW_IPC_VERSION >= 13);
	assert_int_equal(GW_CNT_MEDIA_STEERED, GW_CNT_MEDIA_NOT_OWNER + 1);
}

/* v14 (v12 on its branch): NACK and report counters (3 per leg, 5 global); the per-leg counters
 * outgrew one message: STATS carries the first 13, STATS_MORE the rest. */
static void
test_rtcp_layout(void **state)
{
	struct gw_ipc_media_evt e = { .op = GW_IPC_MEDIA_STATS_MORE };
	uint64_t all[GW_IPC_MEDIA_CNT_MAX] = { 0 };

	(void)state;
	assert_true(GW_IPC_VERSION >= 14);
	assert_int_equal(GW_IPC_MEDIA_STATS_MORE, 7);
	assert_int_equal(GW_IPC_MEDIA_CNT_MAX, 18);     /* v20: nack_rtx; v23: src_mismatch, handover */
	assert_int_equal(GW_IPC_MEDIA_CNT_PER_MSG, 13);
	assert_int_equal(GW_IPC_MEDIA_CNT_nack_received, 12);
	assert_int_equal(GW_IPC_MEDIA_CNT_nack_answered, 13);
	assert_int_equal(GW_IPC_MEDIA_CNT_nack_missed, 14);
	e.cnt[0] = 7;
	e.cnt[1] = 8;
	e.cnt[2] = 9;                 /* beyond the last counter: not copied */
	gw_ipc_media_cnt_take(all, &e);
	assert_int_equal(all[13], 7);
	assert_int_equal(all[14], 8);
	assert_int_equal(all[0], 0);
	e.op = GW_IPC_MEDIA_STATS;
	gw_ipc_media_cnt_take(all, &e);
	assert_int_equal(all[0], 7);
	assert_int_equal(all[12], 0);
	assert_int_equal(all[13], 7);
}

/* v15 (v12 on its branch): RTP ingest: the PTMAP op (payload types rewritten toward a viewer). */
static void
test_ptmap_layout(void **state)
{
	(void)state;
	assert_true(GW_IPC_VERSION >= 15);
	assert_int_equal(GW_IPC_MEDIA_PTMAP, 8);
	assert_int_equal(GW_IPC_MEDIA_PT_NONE, 0xff);
	assert_int_equal(GW_IPC_MEDIA_PTMAP_PACK(111, 109, 96, 120), 0x6f6d6078u);
}

/* v16: TURN over TCP/TLS: the stream rings' header and the front's memzone. */
static void
test_strm_layout(void **state)
{
	(void)state;
	assert_true(GW_IPC_VERSION >= 16);
	assert_int_equal(sizeof(struct gw_ipc_strm), 56);
	assert_int_equal(offsetof(struct gw_ipc_strm, client_ip6), 24);
	assert_int_equal(offsetof(struct gw_ipc_strm, server_ip6), 40);
	assert_int_equal(GW_IPC_STRM_F_IPV6, 2);
	assert_int_equal(offsetof(struct gw_ipc_strm, conn), 0);
	assert_int_equal(offsetof(struct gw_ipc_strm, client_ip), 4);
	assert_int_equal(offsetof(struct gw_ipc_strm, server_ip), 8);
	assert_int_equal(offsetof(struct gw_ipc_strm, client_port), 12);
	assert_int_equal(offsetof(struct gw_ipc_strm, server_port), 14);
	assert_int_equal(offsetof(struct gw_ipc_strm, type), 16);
	assert_int_equal(offsetof(struct gw_ipc_strm, flags), 17);
	assert_int_equal(offsetof(struct gw_ipc_strm, len), 18);
	assert_int_equal(GW_IPC_STRM_MSG, 1);
	assert_int_equal(GW_IPC_STRM_CLOSE, 2);
	assert_int_equal(GW_IPC_STRM_RESET, 3);
	assert_int_equal(GW_IPC_STRM_RING_SIZE & (GW_IPC_STRM_RING_SIZE - 1), 0);
	assert_int_equal(offsetof(struct gw_ipc_front, pid), 8);
	assert_int_equal(offsetof(struct gw_ipc_front, conns), 12);
	assert_int_equal(offsetof(struct gw_ipc_front, cnt), 16);
	assert_int_equal(GW_FRONT_CNT_MAX, 17);
}

/* v17 (v16 on its branch, merged with TURN over TCP/TLS): IPv6 in the dataplane: 24 counters after media_cmd_failed (IPv6, ICMPv6, NDP,
 * STUN/ICE over IPv6). */
static void
test_ipv6_counters(void **state)
{
	(void)state;
	assert_true(GW_IPC_VERSION >= 17);
	assert_int_equal(GW_CNT_IPV6_RX, GW_CNT_MEDIA_CMD_FAILED + 1);
	assert_int_equal(GW_CNT_ICE6_CHECKED, GW_CNT_IPV6_RX + 23);
}

/* v18: TURN over IPv6 (RFC 6156): 5 counters after ice6_checked (ice6_not_nominated before v20). */
static void
test_turn6_counters(void **state)
{
	(void)state;
	assert_true(GW_IPC_VERSION >= 18);
	assert_int_equal(GW_CNT_TURN6_ALLOC_OK, GW_CNT_ICE6_CHECKED + 1);
	assert_int_equal(GW_CNT_TURN6_DROP_TOOBIG, GW_CNT_TURN6_ALLOC_OK + 4);
	assert_true(GW_CNT_MAX > GW_CNT_TURN6_DROP_TOOBIG);
}

/* v20: a dual allocation's family deleted alone, IPv6 fragmentation,
 * reassembly of received fragments. */
static void
test_family_frag6_counters(void **state)
{
	(void)state;
	assert_true(GW_IPC_VERSION >= 20);
	assert_int_equal(GW_CNT_TURN_FAMILY_DELETED, GW_CNT_TURN6_DROP_TOOBIG + 1);
	assert_int_equal(GW_CNT_IPV6_FRAG_OUT, GW_CNT_TURN_FAMILY_DELETED + 1);
	assert_int_equal(GW_CNT_FRAG_REASSEMBLED, GW_CNT_IPV6_FRAG_OUT + 1);
	assert_int_equal(GW_CNT_MAX, GW_CNT_FRAG_REASM_FAIL + 1);
}

/* v19: TURN over TCP/TLS on IPv6 (the stream header's IPv6 addresses,
 * GW_IPC_STRM_F_IPV6) and exc_from_kernel_mcast6 after exc_from_kernel_drop. */
static void
test_strm6_layout(void **state)
{
	(void)state;
	assert_true(GW_IPC_VERSION >= 19);
	assert_int_equal(offsetof(struct gw_ipc_strm, client_ip6), 24);
	assert_int_equal(GW_CNT_EXC_FROM_KERNEL_MCAST6, GW_CNT_EXC_FROM_KERNEL_DROP + 1);
}

/* v20: RTX toward viewers (the MEDIA_RTX op and its payload), the per-leg
 * nack_rtx counter after nack_missed, media_nack_rtx after media_rr_sent. */
static void
test_rtx_layout(void **state)
{
	struct gw_ipc_msg m = { .type = GW_IPC_MEDIA_LEG_REQ };

	(void)state;
	assert_true(GW_IPC_VERSION >= 20);
	assert_int_equal(GW_IPC_MEDIA_RTX, 9);
	assert_int_equal(GW_IPC_MEDIA_RTX_PTS, 8);
	assert_int_equal(sizeof(struct gw_ipc_media_rtx), 32);
	assert_int_equal(offsetof(struct gw_ipc_media_rtx, media_ssrc), 8);
	assert_int_equal(offsetof(struct gw_ipc_media_rtx, rtx_ssrc), 12);
	assert_int_equal(offsetof(struct gw_ipc_media_rtx, apt), 16);
	assert_int_equal(offsetof(struct gw_ipc_media_rtx, rtx), 24);
	/* leg_id and op read the same through either view */
	m.u.media_rtx.leg_id = 77;
	m.u.media_rtx.op = GW_IPC_MEDIA_RTX;
	assert_int_equal(m.u.media_leg.leg_id, 77);
	assert_int_equal(m.u.media_leg.op, GW_IPC_MEDIA_RTX);
	assert_int_equal(GW_IPC_MEDIA_CNT_nack_rtx, GW_IPC_MEDIA_CNT_nack_missed + 1);
	assert_int_equal(GW_CNT_MEDIA_NACK_RTX, GW_CNT_MEDIA_RR_SENT + 1);
	assert_int_equal(GW_CNT_MEDIA_LEG_ADDED, GW_CNT_MEDIA_NACK_RTX + 1);
}

/* v21: WebRTC media over IPv6: the ICE event, the media leg's PEER and the
 * tx-ring metadata carry a family and a 16-byte address (IPv4 stays the zero
 * family); the mbuf private area grew to hold the metadata. */
static void
test_media6_layout(void **state)
{
	(void)state;
	assert_true(GW_IPC_VERSION >= 21);
	assert_int_equal(GW_IPC_FAMILY_IPV4, 0);
	assert_int_equal(GW_IPC_FAMILY_IPV6, 1);
	assert_int_equal(sizeof(struct gw_ipc_ice_evt), 40);
	assert_int_equal(offsetof(struct gw_ipc_ice_evt, peer_ip), 8);
	assert_int_equal(offsetof(struct gw_ipc_ice_evt, peer_port), 12);
	assert_int_equal(offsetof(struct gw_ipc_ice_evt, peer_family), 14);
	assert_int_equal(offsetof(struct gw_ipc_ice_evt, priority), 16);
	assert_int_equal(offsetof(struct gw_ipc_ice_evt, idle_ms), 20);
	assert_int_equal(offsetof(struct gw_ipc_ice_evt, peer_ip6), 24);
	assert_int_equal(sizeof(struct gw_ipc_media_leg), 40);
	assert_int_equal(offsetof(struct gw_ipc_media_leg, pub_leg_id), 16);
	assert_int_equal(offsetof(struct gw_ipc_media_leg, peer_family), 20);
	assert_int_equal(offsetof(struct gw_ipc_media_leg, peer_ip6), 24);
	assert_int_equal(sizeof(struct gw_ipc_tx_meta), 28);
	assert_int_equal(offsetof(struct gw_ipc_tx_meta, port_id), 8);
	assert_int_equal(offsetof(struct gw_ipc_tx_meta, family), 10);
	assert_int_equal(offsetof(struct gw_ipc_tx_meta, dst_ip6), 12);
	assert_true(sizeof(struct gw_ipc_tx_meta) <= GW_IPC_MBUF_PRIV);
	assert_int_equal(GW_IPC_MBUF_PRIV % 8, 0);           /* RTE_MBUF_PRIV_ALIGN */
	assert_true(sizeof(struct gw_ipc_ice_evt) <= sizeof(((struct gw_ipc_msg *)0)->u.raw));
	assert_true(sizeof(struct gw_ipc_media_leg) <= sizeof(((struct gw_ipc_msg *)0)->u.raw));
	assert_int_equal(sizeof(struct gw_ipc_msg), 128);
	assert_int_equal(GW_CNT_ICE6_CHECKED, GW_CNT_IPV6_RX + 23);
}

static void
test_info_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(struct gw_ipc_info), 40);
	assert_int_equal(offsetof(struct gw_ipc_info, magic), 0);
	assert_int_equal(offsetof(struct gw_ipc_info, abi_version), 4);
	assert_int_equal(offsetof(struct gw_ipc_info, n_counters), 8);
	assert_int_equal(offsetof(struct gw_ipc_info, start_unix_ns), 24);
	assert_int_equal(offsetof(struct gw_ipc_info, state), 32);
	assert_int_equal(offsetof(struct gw_ipc_info, attached), 36);
}

static void
test_rings_and_counters(void **state)
{
	static const char *const names[] = {
#define N(sym, text) #sym,
		GW_FOREACH_COUNTER(N)
#undef N
	};
	char buf[32];

	(void)state;
	/* power of two, as rte_ring wants without RING_F_EXACT_SZ */
	assert_int_equal(GW_IPC_RING_SIZE & (GW_IPC_RING_SIZE - 1), 0);
	/* a full counter snapshot fits a ring many times over */
	assert_true((GW_CNT_MAX + GW_IPC_COUNTERS_PER_MSG - 1) / GW_IPC_COUNTERS_PER_MSG * 4 <
		    GW_IPC_RING_SIZE);
	assert_true(GW_CNT_MAX < UINT16_MAX);
	gw_ipc_ring_name(buf, sizeof(buf), GW_IPC_RING_CMD, 3);
	assert_string_equal(buf, "rtcgw_cmd_3");
	gw_ipc_ring_name(buf, sizeof(buf), GW_IPC_RING_PUNT, 15);
	assert_string_equal(buf, "rtcgw_punt_15");
	/* names are unique (they become metric names) */
	for (size_t i = 0; i < GW_CNT_MAX; i++)
		for (size_t j = i + 1; j < GW_CNT_MAX; j++)
			assert_string_not_equal(names[i], names[j]);
}

static void
good_info(struct gw_ipc_info *i)
{
	memset(i, 0, sizeof(*i));
	i->magic = GW_IPC_MAGIC;
	i->abi_version = GW_IPC_VERSION;
	i->msg_size = sizeof(struct gw_ipc_msg);
	i->n_counters = GW_CNT_MAX;
	i->n_workers = 1;
	i->n_ports = 1;
}

/* A control plane facing a dataplane of another build refuses, and says why. */
static void
test_check_info(void **state)
{
	struct gw_ipc_info i;
	char err[256], want[256];

	(void)state;
	good_info(&i);
	assert_int_equal(gw_ipc_check_info(&i, err, sizeof(err)), 0);

	i.abi_version = GW_IPC_VERSION + 1;                  /* 1: newer dataplane */
	assert_int_equal(gw_ipc_check_info(&i, err, sizeof(err)), -EPROTO);
	snprintf(want, sizeof(want), "dataplane speaks IPC ABI v%u (", GW_IPC_VERSION + 1);
	assert_non_null(strstr(err, want));
	snprintf(want, sizeof(want), "this control plane speaks v%u (", GW_IPC_VERSION);
	assert_non_null(strstr(err, want));

	good_info(&i);
	i.msg_size = 64;                                     /* 2: same version, other layout */
	assert_int_equal(gw_ipc_check_info(&i, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "64-byte messages"));

	good_info(&i);
	i.n_counters = GW_CNT_MAX - 1;                       /* 3: counter list changed */
	assert_int_equal(gw_ipc_check_info(&i, err, sizeof(err)), -EPROTO);

	good_info(&i);
	i.magic = 0;                                         /* 4: not ours */
	assert_int_equal(gw_ipc_check_info(&i, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "not an rtcgw dataplane"));

	good_info(&i);
	i.n_workers = GW_IPC_MAX_WORKERS + 1;                /* 5: corrupt */
	assert_int_equal(gw_ipc_check_info(&i, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, "corrupt"));
}

/* v22: BUNDLE for calls' WebRTC legs: the MEDIA_DEMUX op and its payload
 * (one slot per bundled m= section, its payload types as a 128-bit mask). */
static void
test_demux_layout(void **state)
{
	struct gw_ipc_msg m = { .type = GW_IPC_MEDIA_LEG_REQ };

	(void)state;
	assert_true(GW_IPC_VERSION >= 22);
	assert_int_equal(GW_IPC_MEDIA_DEMUX, 10);
	assert_int_equal(GW_IPC_MEDIA_DEMUX_SLOTS, 16);
	assert_int_equal(sizeof(struct gw_ipc_media_demux), 32);
	assert_int_equal(offsetof(struct gw_ipc_media_demux, slot), 6);
	assert_int_equal(offsetof(struct gw_ipc_media_demux, to_rtp), 8);
	assert_int_equal(offsetof(struct gw_ipc_media_demux, to_rtcp), 12);
	assert_int_equal(offsetof(struct gw_ipc_media_demux, pt_mask), 16);
	m.u.media_demux.leg_id = 78;
	m.u.media_demux.op = GW_IPC_MEDIA_DEMUX;
	assert_int_equal(m.u.media_leg.leg_id, 78);
	assert_int_equal(m.u.media_leg.op, GW_IPC_MEDIA_DEMUX);
}

/* v23: ng's strict-source and media-handover: two MEDIA_MODE flags, two
 * per-leg counters (in STATS_MORE) and two worker counters after no_route. */
static void
test_src_mode_layout(void **state)
{
	struct gw_ipc_media_evt e = { .op = GW_IPC_MEDIA_STATS_MORE };
	uint64_t all[GW_IPC_MEDIA_CNT_MAX] = { 0 };

	(void)state;
	assert_int_equal(GW_IPC_VERSION, 23);
	assert_int_equal(GW_IPC_MEDIA_F_PLAIN | GW_IPC_MEDIA_F_LATCH, 0x03);
	assert_int_equal(GW_IPC_MEDIA_F_STRICT, 0x04);
	assert_int_equal(GW_IPC_MEDIA_F_HANDOVER, 0x08);
	assert_int_equal(GW_IPC_MEDIA_CNT_src_mismatch, 16);
	assert_int_equal(GW_IPC_MEDIA_CNT_handover, 17);
	e.cnt[3] = 5;
	e.cnt[4] = 6;
	gw_ipc_media_cnt_take(all, &e);
	assert_int_equal(all[GW_IPC_MEDIA_CNT_src_mismatch], 5);
	assert_int_equal(all[GW_IPC_MEDIA_CNT_handover], 6);
	assert_int_equal(GW_CNT_MEDIA_SRC_MISMATCH, GW_CNT_MEDIA_NO_ROUTE + 1);
	assert_int_equal(GW_CNT_MEDIA_HANDOVER, GW_CNT_MEDIA_NO_ROUTE + 2);
	assert_int_equal(GW_CNT_MEDIA_TX_FAIL, GW_CNT_MEDIA_HANDOVER + 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msg_layout),
		cmocka_unit_test(test_info_layout),
		cmocka_unit_test(test_srtp_layout),
		cmocka_unit_test(test_reload_layout),
		cmocka_unit_test(test_media_layout),
		cmocka_unit_test(test_calls_layout),
		cmocka_unit_test(test_journal_sweep),
		cmocka_unit_test(test_media_steering),
		cmocka_unit_test(test_rtcp_layout),
		cmocka_unit_test(test_ptmap_layout),
		cmocka_unit_test(test_strm_layout),
		cmocka_unit_test(test_ipv6_counters),
		cmocka_unit_test(test_strm6_layout),
		cmocka_unit_test(test_rtx_layout),
		cmocka_unit_test(test_turn6_counters),
		cmocka_unit_test(test_family_frag6_counters),
		cmocka_unit_test(test_media6_layout),
		cmocka_unit_test(test_demux_layout),
		cmocka_unit_test(test_src_mode_layout),
		cmocka_unit_test(test_rings_and_counters),
		cmocka_unit_test(test_check_info),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
