#!/usr/bin/env bash
# Foundation: the dataplane on net_af_packet in a namespace answers ARP and
# ping, resolves its next hop itself, counts and drops malformed frames and
# stays alive; the control plane serves /healthz, /metrics and /v1/stats,
# survives kill -9 of itself and of the dataplane, and re-attaches.
. "$(dirname "$0")/lib.sh"

tb_init rtf 1 18081
tb_net_up
tb_config
tb_check "dataplane starts on net_af_packet" tb_start_dp || exit 1
tb_check "control plane attaches, /healthz 200" tb_start_cp || exit 1

M() { tb_metric "rtcgw_$1_total"; }
# delta CASE COUNTER N: send N frames of CASE, expect COUNTER to rise by N exactly.
delta() {
	local case=$1 ctr=$2 n=$3 before after
	before=$(M "$ctr")
	tb_c python3 "$TB_ROOT/tests/integration/rawframe.py" "${TB}c0" "$TB_CLIENT_MAC" \
		"$TB_GW_MAC" "$TB_CLIENT_IP" "$TB_GW_IP" "$case" "$n"
	tb_wait_metric_ge "rtcgw_${ctr}_total" $((before + n)) 5
	after=$(M "$ctr")
	[ "$after" -eq $((before + n)) ] || { tb_log "$ctr: $before -> $after, wanted +$n"; return 1; }
}

# 1. Next-hop resolution by the dataplane: the client knows the gateway's MAC
#    statically and never ARPs, so the echo reply waits in the pending queue
#    until the dataplane's own ARP request is answered.
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent
tb_check "ping answered after the dataplane resolved the client by ARP" \
	tb_c ping -c 2 -W 2 "$TB_GW_IP"
tb_check "dataplane sent an ARP request" tb_wait_metric_ge rtcgw_arp_request_sent_total 1 3
tb_check "queued reply sent after resolution" tb_wait_metric_ge rtcgw_arp_pending_sent_total 1 3
tb_c ip neigh del "$TB_GW_IP" dev "${TB}c0"

# 2. ARP and ICMP answered.
arping_ok() { tb_c arping -c 3 -w 5 -I "${TB}c0" "$TB_GW_IP" | grep -Eq 'Received 3 response|3 packets received'; }
tb_check "arping: 3 of 3 answered" arping_ok
before=$(M icmp_echo_answered)
tb_check "ping: 5 of 5 answered" tb_c ping -c 5 -i 0.2 -W 2 "$TB_GW_IP"
tb_check "icmp_echo_answered counted 5" tb_wait_metric_ge rtcgw_icmp_echo_answered_total $((before + 5)) 3

# 3. UDP to a port nothing listens on is counted; a DTLS record on a media
#    port is classified by its first byte (RFC 7983).
before=$(M udp_no_handler)
for i in 1 2 3; do tb_c bash -c "printf hello > /dev/udp/$TB_GW_IP/9999"; done
tb_check "udp to an unhandled port counted (3)" tb_wait_metric_ge rtcgw_udp_no_handler_total $((before + 3)) 3
before=$(M demux_dtls)
tb_c bash -c "printf '\\x16\\xfe\\xfd' > /dev/udp/$TB_GW_IP/40000"
tb_check "DTLS first byte classified on a media port" tb_wait_metric_ge rtcgw_demux_dtls_total $((before + 1)) 3

# 4. Malformed frames: each class counted exactly, nothing crashes.
tb_check "unknown ethertype counted"      delta unknown-ethertype   eth_unknown_type 5
tb_check "frame for another MAC counted"  delta not-for-us-mac      eth_not_for_us 5
tb_check "truncated IPv4 counted"         delta truncated-ipv4      ipv4_bad_hdr 5
tb_check "IPv4 version 6 in v4 counted"   delta bad-ipv4-version    ipv4_bad_hdr 5
tb_check "IPv4 IHL < 5 counted"           delta bad-ipv4-ihl        ipv4_bad_hdr 5
tb_check "IPv4 total length > frame"      delta ipv4-total-too-long ipv4_bad_hdr 5
tb_check "bad IPv4 checksum counted"      delta bad-ipv4-checksum   ipv4_bad_cksum 5
# (Fragments are covered by test_pcap_input.sh: DPDK's af_packet PMD asks the
#  kernel to reassemble (PACKET_FANOUT_FLAG_DEFRAG), so a lone fragment never
#  reaches the dataplane on this port type.)
tb_check "IPv4 for another address"       delta ipv4-not-for-us     ipv4_not_for_us 5
tb_check "bogus UDP length counted"       delta bad-udp-length      udp_bad_hdr 5
tb_check "bad UDP checksum counted"       delta bad-udp-checksum    udp_bad_cksum 5
tb_check "bad ICMP checksum counted"      delta bad-icmp-checksum   icmp_bad 5
tb_check "truncated ARP counted"          delta truncated-arp       arp_bad 5
tb_check "dataplane alive after bad input" tb_c ping -c 1 -W 2 "$TB_GW_IP"

# 5. REST surface.
code() { curl -s -m 3 -o "$TB_DIR/body" -w '%{http_code}' "$@"; }
is_json_error() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if isinstance(d.get("error"), str) and d["error"] else 1)' "$TB_DIR/body"; }
tb_check "/v1/stats without token: 401 JSON" \
	bash -c "[ \"\$(curl -s -m 3 -o '$TB_DIR/body' -w '%{http_code}' '$TB_REST/v1/stats')\" = 401 ]"
tb_check "401 body is a JSON error" is_json_error
tb_check "/v1/stats wrong token: 401" \
	bash -c "[ \"\$(curl -s -m 3 -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer nope' '$TB_REST/v1/stats')\" = 401 ]"
stats_ok() {
	tb_api "$TB_REST/v1/stats" > "$TB_DIR/stats.json" &&
	python3 - "$TB_DIR/stats.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["dataplane"]["up"] is True
assert d["ports"][0]["link_up"] is True and d["ports"][0]["address"].startswith("198.18.1.2/")
assert d["counters"]["icmp_echo_answered"] >= 7
PY
}
tb_check "/v1/stats with token: JSON with ports and counters" stats_ok
tb_check "unknown path: 404" bash -c "[ \"\$(curl -s -m 3 -o '$TB_DIR/body' -w '%{http_code}' '$TB_REST/nope')\" = 404 ]"
tb_check "404 body is a JSON error" is_json_error
tb_check "POST /healthz: 405" bash -c "[ \"\$(curl -s -m 3 -o /dev/null -w '%{http_code}' -X POST '$TB_REST/healthz')\" = 405 ]"
metrics_format() {
	curl -s -m 3 "$TB_REST/metrics" > "$TB_DIR/metrics.txt" &&
	grep -q '^# HELP rtcgw_rx_pkts_total ' "$TB_DIR/metrics.txt" &&
	grep -q '^# TYPE rtcgw_rx_pkts_total counter' "$TB_DIR/metrics.txt" &&
	grep -q '^rtcgw_port_link_up{port="veth0"} 1' "$TB_DIR/metrics.txt"
}
tb_check "/metrics: Prometheus text with HELP/TYPE and port labels" metrics_format

# 6. Idle back-off: an idle dataplane sleeps instead of spinning a CPU.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$TB_DP_PID/stat"; }
idle_cheap() {
	local t0 t1 hz
	hz=$(getconf CLK_TCK)
	t0=$(cpu_ticks); sleep 2; t1=$(cpu_ticks)
	tb_log "idle dataplane used $((t1 - t0)) ticks in 2 s (${hz} ticks = one CPU second)"
	[ $((t1 - t0)) -lt "$hz" ]      # under half a CPU
}
tb_check "idle dataplane sleeps (idle_sleeps counted)" tb_wait_metric_ge rtcgw_idle_sleeps_total 1 3
tb_check "idle dataplane uses under half a CPU" idle_cheap

# 7. kill -9 the control plane: the dataplane keeps running and counting;
#    a new control plane attaches and sees the same counters.
rx_before=$(M rx_pkts)
tb_stop_pid "$TB_CP_PID" KILL
tb_check "ping still answered with no control plane" tb_c ping -c 2 -W 2 "$TB_GW_IP"
tb_check "new control plane attaches" tb_start_cp
tb_check "counters kept across the control plane restart" tb_wait_metric_ge rtcgw_rx_pkts_total $((rx_before + 2)) 3

# 8. kill -9 the dataplane: /healthz says 503; a new dataplane can start
#    (the control plane let go of the old shared memory) and is re-attached.
tb_stop_pid "$TB_DP_PID" KILL
tb_check "/healthz 503 when the dataplane is gone" tb_wait 5 bash -c "[ \"\$(curl -s -m 2 -o /dev/null -w '%{http_code}' '$TB_REST/healthz')\" = 503 ]"
tb_check "503 body names the reason" bash -c "curl -s -m 2 '$TB_REST/healthz' | grep -q 'dataplane'"
tb_check "metrics report the dataplane down" bash -c "curl -s -m 2 '$TB_REST/metrics' | grep -q '^rtcgw_dataplane_up 0'"
tb_check "a new dataplane starts after kill -9" tb_start_dp
tb_check "control plane re-attached by itself" tb_wait 20 tb_healthz_ok
tb_check "ping answered by the new dataplane" tb_c ping -c 2 -W 2 "$TB_GW_IP"

# 9. Clean stop: SIGTERM removes the hugepage files and runtime directory.
tb_stop_pid "$TB_DP_PID" TERM
no_files() { [ -z "$(ls -A "$TB_HUGE")" ] && [ ! -e "/var/run/dpdk/$TB" ]; }
tb_check "SIGTERM: hugepage files and runtime dir removed" tb_wait 5 no_files
tb_check "control plane reports 503 after the clean stop" tb_wait 15 bash -c "[ \"\$(curl -s -m 2 -o /dev/null -w '%{http_code}' '$TB_REST/healthz')\" = 503 ]"

tb_done
