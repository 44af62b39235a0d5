#!/usr/bin/env bash
# Two worker lcores with RSS (issue 8 item 5; issue 7: media on any worker):
# the port has two RX queues (net_af_packet with qpairs=2: PACKET_FANOUT_HASH
# spreads flows over two sockets, as a NIC's RSS spreads them over queues),
# one worker each, both on CPU 1 of this 2-CPU machine (lcores [1, 2], cpus
# [1, 1]). Checked with clients nobody here wrote, per worker:
#  - STUN from 64 source ports (rtcgw_loadgen): 0 loss, both workers answer;
#  - TURN through turnutils_uclient (30 clients, channels) to turnutils_peer:
#    0 loss, both workers relay, whichever one receives a peer's packets for an
#    allocation another worker created;
#  - media: four plain-RTP calls (REST calls API), RTP both ways with 0 loss,
#    the packets RSS gives worker 1 handed to worker 0, the legs' owner
#    (media_steered), none dropped for it (media_not_owner 0).
#
#   netns rgwp (peer)               netns rgwc (client, router)            netns rgwg
#   rgwp0 198.18.55.2/24 <= veth => rgwc1 198.18.55.1/24
#   turnutils_peer :3480            rgwc0 198.18.54.1/24 <===== veth =====> rgwg0 (dataplane
#                                                                           198.18.54.2, 2 workers)
. "$(dirname "$0")/lib.sh"

tb_init rgw 54 18150
TB_CONF_TURN="  enabled: true
  realm: rtcgw.test
  relay_port_min: 50000
  relay_port_max: 50999
  users:
    - {username: alice, password: alice-pass-1}
  rfc5766_channels: true   # turnutils_uclient picks channels up to 0x7FFF"
TB_CONF_MEDIA="  port_min: 40000
  port_max: 40099
  consent_timeout_s: 30"
LOADGEN=$TB_ROOT/build/tests/bench/rtcgw_loadgen
[ -x "$LOADGEN" ] || { tb_log "$LOADGEN missing (meson build with tests)"; exit 1; }
tb_net_up
tb_peer_net_up 55
PEER_IP=$TB_PEER_IP

# Two workers: lcores 1 and 2 on CPU 1, two RX queues (af_packet fanout).
tb_config
python3 - "$TB_CONF" <<'EOP'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("  lcores: [1]\n", "  lcores: [1, 2]\n  cpus: [1, 1]\n", 1)
s = s.replace("qdisc_bypass=1\n", "qdisc_bypass=1,qpairs=2\n      rx_queues: 2\n", 1)
open(p, "w").write(s)
EOP
cat >> "$TB_CONF" <<EOC
calls:
  ng_enabled: true
  ng_listen: 127.0.0.1:22250
  max_calls: 20
  media_timeout_s: 30
EOC
grep -E 'lcores|cpus|device|rx_queues' "$TB_CONF" | sed 's/^/# /'
tb_check "dataplane starts with two workers" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
tb_check "the dataplane says 2 workers" test "$(tb_metric rtcgw_dataplane_workers)" = 2
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent

M() { tb_metric "rtcgw_$1_total"; }
# wk N COUNTER: worker N's value of COUNTER (GET /v1/stats), 0 when absent.
wk() {
	tb_api "$TB_REST/v1/stats" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(d["workers"][int(sys.argv[1])]["counters"].get(sys.argv[2], 0))' "$1" "$2" 2>/dev/null || echo 0
}
per_worker() { # per_worker COUNTER MIN: both workers counted at least MIN
	local a b
	a=$(wk 0 "$1")
	b=$(wk 1 "$1")
	tb_log "$1 per worker: $a $b"
	[ "$a" -ge "$2" ] && [ "$b" -ge "$2" ]
}

# ---- STUN from many source ports -----------------------------------------------------
fail0=$TB_FAIL
tb_c timeout 30 "$LOADGEN" --mode stun --server "$TB_GW_IP:3478" --bind "$TB_CLIENT_IP" \
	--sockets 64 --rate 4000 --duration 3 >"$TB_DIR/stun.out" 2>&1
tb_log "loadgen: $(tail -1 "$TB_DIR/stun.out")"
tb_check "STUN from 64 ports at 4000/s: every request answered (0 lost)" \
	grep -q ' lost=0 ' "$TB_DIR/stun.out"
tb_check "STUN: both workers answered (RSS spread the flows)" per_worker stun_binding_ok 100
tb_check "both workers' RX counted in /metrics" bash -c \
	"curl -s $TB_REST/metrics | grep -Eq '^rtcgw_worker_rx_pkts_total\\{worker=\"1\"\\} [1-9]'"

# ---- TURN through coturn's clients ---------------------------------------------------
ip netns exec "$TB_NS_P" turnutils_peer -L "$PEER_IP" -p 3480 >"$TB_DIR/peer.log" 2>&1 &
TB_PIDS+=("$!")
sleep 0.5
uclient() {
	tb_c timeout 120 turnutils_uclient "$@" "$TB_GW_IP" >"$TB_DIR/uc.out" 2>&1
	grep -E 'tot_send_msgs|tot_recv_msgs|Total lost' "$TB_DIR/uc.out" | head -3 | sed 's/^/#   /'
	grep -Eq 'Total lost packets 0 \(0\.0+%\)' "$TB_DIR/uc.out" ||
		{ tail -n 15 "$TB_DIR/uc.out" | sed 's/^/#   /'; return 1; }
}
tb_check "uclient 30 clients x 100 msgs over channels through two workers, 0 loss" \
	uclient -c -u alice -w alice-pass-1 -e "$PEER_IP" -n 100 -m 30 -l 120 -z 10
tb_check "TURN: both workers created allocations" per_worker turn_alloc_ok 1
tb_check "TURN: both workers relayed client -> peer" per_worker turn_to_peer_pkts 50
tb_check "TURN: both workers relayed peer -> client" per_worker turn_to_client_pkts 50
[ "$TB_FAIL" -eq "$fail0" ] || tb_log "stats: $(tb_api "$TB_REST/v1/stats")"

# ---- media: plain RTP calls, steered to worker 0 -----------------------------------------
fail0=$TB_FAIL
sdp() { # sdp IP PORT
	printf 'v=0\\r\\no=- 1 1 IN IP4 %s\\r\\ns=-\\r\\nc=IN IP4 %s\\r\\nt=0 0\\r\\nm=audio %s RTP/AVP 0 101\\r\\na=rtpmap:0 PCMU/8000\\r\\na=rtpmap:101 telephone-event/8000\\r\\n' "$1" "$1" "$2"
}
api_post() { tb_api -o "$TB_DIR/rest.json" -w '%{http_code}' -X POST \
	-H 'Content-Type: application/json' --data-binary "$2" "$TB_REST/v1/calls/$1"; }
call() { # call N: offer/answer, then 40 RTP packets each way
	local n=$1 a=$((31000 + 20 * $1)) b=$((31010 + 20 * $1)) code gwa gwb out
	code=$(api_post "w$n/offer" "{\"from-tag\":\"a$n\",\"sdp\":\"$(sdp "$TB_CLIENT_IP" $a)\"}")
	[ "$code" = 200 ] || { tb_log "offer: $code $(cat "$TB_DIR/rest.json")"; return 1; }
	gwb=$(jq -r .sdp "$TB_DIR/rest.json" | sed -n 's/^m=audio \([0-9]*\) .*/\1/p')
	code=$(api_post "w$n/answer" "{\"from-tag\":\"a$n\",\"to-tag\":\"b$n\",\"sdp\":\"$(sdp "$TB_CLIENT_IP" $b)\"}")
	[ "$code" = 200 ] || { tb_log "answer: $code $(cat "$TB_DIR/rest.json")"; return 1; }
	gwa=$(jq -r .sdp "$TB_DIR/rest.json" | sed -n 's/^m=audio \([0-9]*\) .*/\1/p')
	out=$(tb_c timeout 10 python3 "$TB_ROOT/tests/integration/rtp_pair.py" "$TB_CLIENT_IP" $a \
		"$gwa" $b "$gwb" "$TB_GW_IP" 40)
	tb_log "call w$n: A<->gw $gwa, B<->gw $gwb: $out"
	[ "$out" = "a2b=40 b2a=40 pt101=13" ]
}
for n in 1 2 3 4; do
	tb_check "call w$n: plain RTP both ways through two workers, 0 loss" call $n
done
tb_log "media: steered $(M media_steered), not_owner $(M media_not_owner), per worker rtp_in: $(wk 0 media_rtp_in) $(wk 1 media_rtp_in)"
tb_check "media RSS gave worker 1 was handed to worker 0 (media_steered > 0)" \
	bash -c "[ \"\$(curl -s $TB_REST/metrics | awk '\$1 == \"rtcgw_media_steered_total\" {print \$2}')\" -gt 0 ]"
tb_check "worker 1 steered, worker 0 forwarded every media packet (rtp_in on worker 0 only)" \
	bash -c "[ $(wk 1 media_steered) -gt 0 ] && [ $(wk 1 media_rtp_in) = 0 ] && [ $(wk 0 media_rtp_in) -ge 320 ]"
tb_check "no media dropped for want of an owner (media_not_owner 0)" test "$(M media_not_owner)" = 0
for n in 1 2 3 4; do
	tb_api -X DELETE -o /dev/null "$TB_REST/v1/calls/w$n"
done
legs_zero() { [ "$(M media_leg_added)" = "$(M media_leg_removed)" ]; }
tb_check "calls deleted: dataplane legs added == removed" tb_wait 5 legs_zero
[ "$TB_FAIL" -eq "$fail0" ] || tb_log "stats: $(tb_api "$TB_REST/v1/stats")"
tb_done
