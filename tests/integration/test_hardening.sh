#!/usr/bin/env bash
# Hardening of the dataplane (issue 10, items 2-7) against real clients and
# raw frames: full-size datagrams relayed past the client's MTU arrive whole
# (turnutils_uclient, channels and Send indications), impossible sources are
# never answered, an ARP claim on the gateway's address is ignored and
# counted, and the new default-denied peers get 403 and nothing on the wire.
# (REST hardening: test_rest_hardening.sh; handler details: unit tests.)
#
#   netns rtkp (peer)               netns rtkc (client, router)            netns rtkg
#   rtkp0 198.18.25.2/24 <= veth => rtkc1 198.18.25.1/24
#   turnutils_peer :3480            rtkc0 198.18.24.1/24 <====== veth =====> rtkg0 (dataplane
#                                   turnutils_uclient, sniff.py,             198.18.24.2/24, MTU
#                                   rawframe.py                              1500, TURN :3478)
. "$(dirname "$0")/lib.sh"

tb_init rtk 24 18104
TB_CONF_TURN="  enabled: true
  realm: rtcgw.test
  relay_port_min: 50000
  relay_port_max: 50999
  max_allocations: 10000
  rfc5766_channels: true   # turnutils_uclient picks channels up to 0x7FFF
  users:
    - {username: alice, password: alice-pass-1}"
tb_net_up
tb_peer_net_up 25
PEER_IP=$TB_PEER_IP

tb_config
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent

ip netns exec "$TB_NS_P" turnutils_peer -L "$PEER_IP" -p 3480 >"$TB_DIR/peer.log" 2>&1 &
TB_PIDS+=("$!")
sleep 0.5

M() { tb_metric "rtcgw_$1_total"; }
RAW() { tb_c python3 "$TB_ROOT/tests/integration/rawframe.py" "${TB}c0" "$TB_CLIENT_MAC" "$@"; }
# sniff SECONDS ARGS...: count in the background, result in $TB_DIR/sniff.out
sniff_start() {
	local secs=$1
	shift
	ip netns exec "$TB_NS_C" python3 "$TB_ROOT/tests/integration/sniff.py" "${TB}c0" \
		"$secs" "$@" >"$TB_DIR/sniff.out" 2>"$TB_DIR/sniff.err" &
	SNIFF_PID=$!
	TB_PIDS+=("$SNIFF_PID")
	sleep 0.3
}
# (not in a $(...) subshell: only this shell can wait for the sniffer)
sniffed_nothing() {
	wait "$SNIFF_PID" 2>/dev/null
	[ "$(cat "$TB_DIR/sniff.out")" = 0 ] && return 0
	tb_log "sniffed: $(cat "$TB_DIR/sniff.out") $(cat "$TB_DIR/sniff.err")"
	return 1
}

# 1. Item 2: a full-MTU datagram from the peer (1472 bytes of UDP payload)
# grows by 4 (ChannelData) or 36 (Data indication) bytes on its way to the
# client: it must arrive whole (IPv4 fragments the client's kernel
# reassembles), not vanish while being counted as sent.
uclient() {
	local name=$1
	shift
	tb_c timeout 60 turnutils_uclient "$@" "$TB_GW_IP" >"$TB_DIR/uc-$name.out" 2>&1
	grep -E 'tot_send_msgs|tot_recv_msgs|Total lost' "$TB_DIR/uc-$name.out" | head -3 |
		sed 's/^/#   /'
	grep -Eq 'Total lost packets 0 \(0\.0+%\)' "$TB_DIR/uc-$name.out"
}
F0=$(M ipv4_frag_out)
tb_check "1472-byte datagrams over channels (ChannelData 1476 > MTU 1500 - 28), 0 loss" \
	uclient big-chan -c -u alice -w alice-pass-1 -e "$PEER_IP" -n 20 -m 2 -l 1472 -z 20
tb_check "1472-byte datagrams over Send/Data indications (1508 bytes), 0 loss" \
	uclient big-send -s -c -u alice -w alice-pass-1 -e "$PEER_IP" -n 20 -m 2 -l 1472 -z 20
tb_check "every over-MTU datagram fragmented (ipv4_frag_out >= 80)" \
	tb_wait_metric_ge rtcgw_ipv4_frag_out_total $((F0 + 80)) 3
tb_check "nothing over the MTU reached a port (tx_drop_oversize 0, ipv4_frag_fail 0)" \
	bash -c "[ '$(M tx_drop_oversize)' = 0 ] && [ '$(M ipv4_frag_fail)' = 0 ]"
small() { uclient small -c -u alice -w alice-pass-1 -e "$PEER_IP" -n 20 -m 2 -l 1000 -z 20; }
F1=$(M ipv4_frag_out)
tb_check "1000-byte datagrams relayed unfragmented" small
tb_check "... and not fragmented" bash -c "[ '$(M ipv4_frag_out)' = '$F1' ]"

# 2. Item 5: requests from impossible sources get no answer at all.
B0=$(M stun_binding_ok)
sniff_start 3 --src-mac "$TB_GW_MAC" --udp-sport 3478
for src in 255.255.255.255 224.0.0.1 0.0.0.0 127.0.0.1 "$TB_GW_IP" 198.18.24.255; do
	RAW "$TB_GW_MAC" "$src" "$TB_GW_IP" stun-binding
done
tb_check "6 impossible sources: no STUN answer on the wire" sniffed_nothing
tb_check "... counted as ipv4_martian_src (6)" tb_wait_metric_ge rtcgw_ipv4_martian_src_total 6 3
tb_check "... and never reached the STUN server" bash -c "[ '$(M stun_binding_ok)' = '$B0' ]"
RAW "$TB_GW_MAC" "$TB_CLIENT_IP" "$TB_GW_IP" stun-binding
tb_check "the same request from the client's real address is answered" \
	tb_wait_metric_ge rtcgw_stun_binding_ok_total $((B0 + 1)) 3

# 3. Item 5: an unsolicited ARP reply claiming the gateway's own address.
RAW ff:ff:ff:ff:ff:ff 0.0.0.0 "$TB_GW_IP" arp-claim 2
tb_check "ARP claim on our address counted (arp_conflict 2)" \
	tb_wait_metric_ge rtcgw_arp_conflict_total 2 3
conflict_logged_once() { [ "$(grep -c 'claims our address' "$TB_DP_LOG")" = 1 ]; }
tb_check "... logged once" conflict_logged_once
tb_check "the gateway still answers ping after the claim" tb_c ping -c 2 -W 1 "$TB_GW_IP"

# 4. Item 7: newly denied peers: our subnet's network and broadcast
# addresses (198.18.24.0, .255), carrier-grade NAT and 192.0.0.0/24 get 403,
# and nothing for them appears on the gateway's only link.
TC="$TB_ROOT/tests/integration/turn_client.py"
D0=$(M turn_err_forbidden)
sniff_start 4 --src-mac "$TB_GW_MAC" --dst 198.18.24.0 --dst 198.18.24.255 \
	--dst 100.64.0.1 --dst 192.0.0.9
for p in 198.18.24.0 198.18.24.255 100.64.0.1 192.0.0.9; do
	tb_check "CreatePermission for $p: 403" \
		tb_c timeout 20 python3 "$TC" "$TB_GW_IP" 3478 perm --user alice \
		--pass alice-pass-1 --peer "$p" --expect 403
done
tb_check "... nothing sent toward them (sniffer on the gateway's link)" sniffed_nothing
tb_check "... 403s counted" tb_wait_metric_ge rtcgw_turn_err_forbidden_total $((D0 + 4)) 3
tb_check "a permitted peer still works" \
	tb_c timeout 20 python3 "$TC" "$TB_GW_IP" 3478 perm --user alice --pass alice-pass-1 \
	--peer "$PEER_IP" --expect 200

curl -s "$TB_REST/metrics" | grep -E '^rtcgw_(ipv4|arp_conflict|tx_drop|turn_err_forb)' |
	sed 's/^/# /'
tb_done
