#!/usr/bin/env bash
# TURN over TCP and TLS (issue 11 item 2): rtcgw-turnfront terminates the
# streams on the exception interface and passes each message to the
# dataplane over a ring; relays stay UDP in the dataplane.
#
#   netns rgtp (peer)                netns rgtc (client, router)          netns rgtg (gateway)
#   turnutils_peer :3480             turnutils_uclient -t / -S            rtcgw-dataplane on rgtg0
#   rgtp0 198.18.63.2 <= veth => rgtc1 198.18.63.1                        (af_packet), 198.18.62.2
#                                    rgtc0 198.18.62.1 <===== veth =====>   | exception path
#                                                                         rgtx0 (net_tap, same
#                                                                         address): rtcgw-turnfront
#                                                                         :3478 TCP, :5349 :443 TLS
. "$(dirname "$0")/lib.sh"

tb_init rgt 62 18180
TB_FRONT_BIN=$TB_BUILD/turnfront/rtcgw-turnfront
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj "/CN=turn.rtcgw.test" -keyout "$TB_DIR/key.pem" -out "$TB_DIR/cert.pem" 2>/dev/null
TB_CONF_TURN="  enabled: true
  realm: rtcgw.test
  relay_port_min: 50000
  relay_port_max: 50999
  max_allocations: 10000
  user_quota: 400
  ip_quota: 1000
  users:
    - {username: alice, password: alice-pass-1}
  rfc5766_channels: true   # turnutils_uclient picks channels up to 0x7FFF
  tcp:
    enabled: true
    ports: [3478]
    tls_ports: [5349, 443]
    certificate: $TB_DIR/cert.pem
    private_key: $TB_DIR/key.pem
    max_connections: 1000
    max_connections_per_ip: 100
    handshake_timeout_s: 2
    stall_timeout_s: 2
    idle_timeout_s: 30
    send_buffer_kb: 64"
tb_net_up
# IPv6 as well (2001:2::/48): the front listens on the port's address6 too
GW6=2001:2:0:62::2
CL6=2001:2:0:62::1
tb_client_ipv6 "$CL6/64"
# as in test_exception.sh: the gateway namespace's kernel answers only
# through the exception interface, not straight from the shared veth
tb_g sysctl -qw "net.ipv4.conf.${TB}g0.rp_filter=1"
tb_g ip link set "${TB}g0" arp off
tb_peer_net_up 63
PEER_IP=$TB_PEER_IP
tb_config
sed -i "s|^      gateway: $TB_CLIENT_IP\$|&\n      address6: $GW6/64\n      gateway6: $CL6|" "$TB_CONF"
cat >>"$TB_CONF" <<EOC
exception:
  enabled: true
  iface: ${TB}x0
  tcp: true
  icmp: true
EOC
tb_check "dataplane starts" tb_start_dp
tb_check "control plane attaches" tb_start_cp
[ "$TB_FAIL" = 0 ] || { tb_done; exit 1; }
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent

FRONT_N=0
start_front() {
	FRONT_N=$((FRONT_N + 1))
	FRONT_LOG=$TB_DIR/front.$FRONT_N.log
	ip netns exec "$TB_NS_G" "$TB_FRONT_BIN" -c "$TB_CONF" >"$FRONT_LOG" 2>&1 &
	FRONT_PID=$!
	TB_PIDS+=("$FRONT_PID")
	tb_wait 30 grep -q 'proc=rtcgw-tf msg="ready' "$FRONT_LOG" ||
		{ sed 's/^/#   /' "$FRONT_LOG"; return 1; }
}
tb_check "rtcgw-turnfront starts: TCP 3478, TLS 5349 and 443 on the dataplane's address" start_front
[ "$TB_FAIL" = 0 ] || { tb_done; exit 1; }
tb_check "... listening in the gateway namespace" \
	bash -c "ip netns exec $TB_NS_G ss -ltn | grep -q '$TB_GW_IP:443 '"
M() { tb_metric "rtcgw_$1_total"; }
F() { tb_metric "rtcgw_front_$1_total"; }
tb_check "/metrics: rtcgw_front_up 1" bash -c "[ \"\$(curl -s $TB_REST/metrics | awk '\$1 == \"rtcgw_front_up\" { print \$2 }')\" = 1 ]"

# started directly (not through tb_p): a backgrounded shell function is a
# subshell, and $! would be the subshell, not the peer tb_cleanup must end
ip netns exec "$TB_NS_P" turnutils_peer -L "$PEER_IP" -p 3480 >"$TB_DIR/peer.log" 2>&1 &
TB_PIDS+=("$!")
sleep 0.5

# uclient NAME ARGS...: run, keep the output, require every message back.
uclient() {
	local name=$1
	shift
	tb_c timeout 120 turnutils_uclient "$@" "${UC_SERVER:-$TB_GW_IP}" >"$TB_DIR/uc-$name.out" 2>&1
	if ! grep -Eq 'Total lost packets 0 \(0\.0+%\)' "$TB_DIR/uc-$name.out"; then
		grep -v 'start_mclient' "$TB_DIR/uc-$name.out" | tail -n 15 | sed 's/^/#   /'
		tb_log "$(curl -s "$TB_REST/metrics" | grep -E '^rtcgw_(turn|front)_' | grep -v ' 0$' | tr '\n' ' ')"
		return 1
	fi
	grep -E 'tot_send_msgs|Total lost' "$TB_DIR/uc-$name.out" | head -2 | sed 's/^/#   /'
	return 0
}
tb_check "uclient -t (TCP :3478), channels, 50 clients x 200 msgs, 0 loss" \
	uclient tcp -t -u alice -w alice-pass-1 -e "$PEER_IP" -n 200 -m 50 -l 120 -z 20
tb_check "uclient -t -S (TLS :5349), channels, 50 clients x 200 msgs, 0 loss" \
	uclient tls -t -S -p 5349 -u alice -w alice-pass-1 -e "$PEER_IP" -n 200 -m 50 -l 120 -z 20
tb_check "uclient -t -S (TLS :443), Send/Data indications (-s), 20 clients x 100 msgs, 0 loss" \
	uclient tls443 -t -S -p 443 -s -u alice -w alice-pass-1 -e "$PEER_IP" -n 100 -m 20 -l 150 -z 20
env_server6() { UC_SERVER=$GW6 "$@"; }
tb_check "uclient -t over IPv6 (TCP to [$GW6]:3478), 20 clients x 100 msgs, 0 loss" \
	env_server6 uclient tcp6 -t -u alice -w alice-pass-1 -e "$PEER_IP" -n 100 -m 20 -l 120 -z 20 -X
tb_check "uclient -t -S over IPv6 (TLS to [$GW6]:443), 20 clients x 100 msgs, 0 loss" \
	env_server6 uclient tls6 -t -S -p 443 -u alice -w alice-pass-1 -e "$PEER_IP" -n 100 -m 20 -l 120 -z 20 -X
tb_log "front: accepted $(F accepted), TLS handshakes $(F tls_handshakes), msgs in $(F msgs_in) out $(F msgs_out); dataplane: stream in $(M turn_stream_in) out $(M turn_stream_out)"
tb_check "front counted the connections and TLS handshakes" \
	bash -c "[ \"\$(curl -s $TB_REST/metrics | awk '\$1 == \"rtcgw_front_accepted_total\" { print \$2 }')\" -ge 120 ] && [ \"\$(curl -s $TB_REST/metrics | awk '\$1 == \"rtcgw_front_tls_handshakes_total\" { print \$2 }')\" -ge 70 ]"
tb_check "dataplane counted messages both ways (turn_stream_in / out)" \
	bash -c "[ $(M turn_stream_in) -ge 10000 ] && [ $(M turn_stream_out) -ge 10000 ]"
closed_all() { [ "$(tb_metric rtcgw_front_connections)" = 0 ] && [ "$(tb_metric rtcgw_turn_allocations_active)" = 0 ]; }
tb_check "clients gone: no connection open, every stream allocation deleted with its connection" \
	tb_wait 10 closed_all
tb_log "turn_stream_closed $(M turn_stream_closed), allocations active $(tb_metric rtcgw_turn_allocations_active)"

# ---- negative cases --------------------------------------------------------------------------
SC() { tb_c python3 "$TB_ROOT/tests/integration/stream_client.py" "$TB_GW_IP" "$@"; }
tb_check "a stream that is not STUN/ChannelData framing: closed" SC 3478 garbage --expect closed
tb_check "... counted (rtcgw_front_bad_frame_total)" tb_wait 3 bash -c "[ \"\$(curl -s $TB_REST/metrics | awk '\$1 == \"rtcgw_front_bad_frame_total\" { print \$2 }')\" -ge 1 ]"
tb_check "a TLS connection that never handshakes: closed after handshake_timeout_s (2 s)" \
	SC 443 silent --secs 5 --expect closed
tb_check "... counted (rtcgw_front_handshake_timeout_total)" \
	bash -c "[ \"\$(curl -s $TB_REST/metrics | awk '\$1 == \"rtcgw_front_handshake_timeout_total\" { print \$2 }')\" -ge 1 ]"
flood_ok() {
	local out
	out=$(SC 3478 flood --count 150)
	tb_log "flood of 150 connections from one address: $out"
	[ "$out" = "open=100" ]
}
tb_check "a connection flood from one address: 100 (max_connections_per_ip) stay open" flood_ok
tb_check "... the rest refused and counted (rtcgw_front_refused_per_ip_total >= 50)" \
	bash -c "[ \"\$(curl -s $TB_REST/metrics | awk '\$1 == \"rtcgw_front_refused_per_ip_total\" { print \$2 }')\" -ge 50 ]"
tb_wait 10 bash -c "[ \"\$(curl -s $TB_REST/metrics | awk '\$1 == \"rtcgw_front_connections\" { print \$2 }')\" = 0 ]"

# A TLS client that reads nothing while its peer floods its relay: the
# front's send buffer fills, messages are dropped and counted, and after
# stall_timeout_s the connection is closed; a second TLS client relays on.
ip netns exec "$TB_NS_C" python3 "$TB_ROOT/tests/integration/stream_client.py" "$TB_GW_IP" \
	443 stall --tls --pass alice-pass-1 --peer "$PEER_IP" --secs 6 >"$TB_DIR/stall.out" 2>&1 &
STALL_PID=$!
TB_PIDS+=("$STALL_PID")
tb_wait 10 grep -q '^relay ' "$TB_DIR/stall.out"
STALL_RELAY=$(awk '/^relay / { print $2 }' "$TB_DIR/stall.out")
tb_log "stalled client's relay port: ${STALL_RELAY:-none}"
# 4 s of 1000-byte datagrams at ~4000/s from the peer to that relay
ip netns exec "$TB_NS_P" timeout 10 python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end, n, d = time.time() + 4, 0, b"x" * 1000
while time.time() < end:
    for _ in range(40):
        s.sendto(d, (sys.argv[1], int(sys.argv[2])))
    n += 40
    time.sleep(0.01)
print(n)' "$TB_GW_IP" "${STALL_RELAY:-1}" >"$TB_DIR/flood.out" 2>&1 &
FLOOD_PID=$!
TB_PIDS+=("$FLOOD_PID")
tb_check "meanwhile uclient -t -S (TLS :443), 10 clients x 100 msgs: 0 loss" \
	uclient tls-during-stall -t -S -p 443 -u alice -w alice-pass-1 -e "$PEER_IP" -n 100 -m 10 -l 120 -z 20
wait "$FLOOD_PID" 2>/dev/null
wait "$STALL_PID" 2>/dev/null
tb_log "stalled client: $(tr '\n' ' ' <"$TB_DIR/stall.out"); peer sent $(cat "$TB_DIR/flood.out")"
tb_check "the stalled TLS client was closed" grep -q '^closed' "$TB_DIR/stall.out"
tb_check "... counted: rtcgw_front_stalled_total and rtcgw_front_drop_send_buf_total" \
	bash -c "m=\$(curl -s $TB_REST/metrics); [ \"\$(awk '\$1 == \"rtcgw_front_stalled_total\" { print \$2 }' <<<\"\$m\")\" -ge 1 ] && [ \"\$(awk '\$1 == \"rtcgw_front_drop_send_buf_total\" { print \$2 }' <<<\"\$m\")\" -ge 1 ]"

# ---- the front restarts: only its connections are lost -------------------------------------
closed0=$(M turn_stream_closed)
ip netns exec "$TB_NS_C" python3 "$TB_ROOT/tests/integration/stream_client.py" "$TB_GW_IP" \
	5349 stall --tls --pass alice-pass-1 --peer "$PEER_IP" --secs 30 >"$TB_DIR/hold.out" 2>&1 &
HOLD_PID=$!
TB_PIDS+=("$HOLD_PID")
tb_wait 10 grep -q '^relay ' "$TB_DIR/hold.out"
ip netns exec "$TB_NS_C" timeout 60 turnutils_uclient -u alice -w alice-pass-1 -e "$PEER_IP" \
	-n 300 -m 2 -l 100 -z 20 "$TB_GW_IP" >"$TB_DIR/uc-udp-restart.out" 2>&1 &
UDP_PID=$!
TB_PIDS+=("$UDP_PID")
sleep 1
tb_stop_pid "$FRONT_PID" KILL
tb_check "a new front starts after the old one was killed (-9)" start_front
tb_check "... its RESET deleted the TLS allocation the dead front held" \
	tb_wait 5 bash -c "[ \"\$(curl -s $TB_REST/metrics | awk '\$1 == \"rtcgw_turn_stream_closed_total\" { print \$2 }')\" -gt $closed0 ]"
tb_check "... and serves: uclient -t, 5 clients x 50 msgs, 0 loss" \
	uclient tcp-after-restart -t -u alice -w alice-pass-1 -e "$PEER_IP" -n 50 -m 5 -l 120 -z 20
wait "$UDP_PID" 2>/dev/null
tb_check "a UDP uclient relaying across the front's restart lost nothing" \
	grep -Eq 'Total lost packets 0 \(0\.0+%\)' "$TB_DIR/uc-udp-restart.out"
tb_stop_pid "$HOLD_PID"
tb_check "dataplane still healthy" tb_healthz_ok
tb_log "front: $(curl -s "$TB_REST/metrics" | grep -E '^rtcgw_front_[a-z_]+ [0-9]' | grep -v ' 0$' | tr '\n' ' ')"
tb_done
