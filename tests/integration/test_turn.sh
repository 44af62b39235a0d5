#!/usr/bin/env bash
# TURN relay (issue 4) against clients nobody here wrote: coturn's
# turnutils_uclient through the dataplane's relay to turnutils_peer in a
# third namespace; static and TURN REST API credentials, channels and Send
# indications, client-to-client (relay-to-relay hairpin); REST credentials
# from the control plane; negative cases; the bandwidth cap. (Real browsers
# through the relay: test_turn_chromium.sh.)
#
#   netns rttp (peer)               netns rttc (client, router)            netns rttg
#   rttp0 198.18.5.2/24 <= veth => rttc1 198.18.5.1/24
#   turnutils_peer :3480            rttc0 198.18.4.1/24 <===== veth =====> rttg0 (dataplane
#                                   turnutils_uclient                       198.18.4.2, TURN :3478,
#                                                                           relay 50000-50999)
. "$(dirname "$0")/lib.sh"

REST_SECRET=rtcgw-test-rest-secret-0123
tb_init rtt 4 18084
TB_CONF_TURN="  enabled: true
  realm: rtcgw.test
  relay_port_min: 50000
  relay_port_max: 50999
  max_allocations: 100000
  user_quota: 300
  bandwidth_bps: 400000
  users:
    - {username: alice, password: alice-pass-1}
    - {username: bob, password: bob-pass-2}
  rfc5766_channels: true   # turnutils_uclient picks channels up to 0x7FFF
  auth_secrets: [$REST_SECRET]"
tb_net_up

# The peer network behind the client namespace (the gateway's next hop).
tb_peer_net_up 5
PEER_IP=$TB_PEER_IP
cleanup_peer() { ip netns del "$TB_NS_P" 2>/dev/null; }

tb_config
tb_check "dataplane starts" tb_start_dp || { cleanup_peer; exit 1; }
tb_check "control plane attaches" tb_start_cp || { cleanup_peer; exit 1; }
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent

ip netns exec "$TB_NS_P" turnutils_peer -L "$PEER_IP" -p 3480 >"$TB_DIR/peer.log" 2>&1 &
PEER_PID=$!
TB_PIDS+=("$PEER_PID")
sleep 0.5

M() { tb_metric "rtcgw_$1_total"; }
counted() { tb_wait_metric_ge "rtcgw_$1_total" "$2" 3 || { tb_log "$1 = $(M "$1"), wanted >= $2"; return 1; }; }

# uclient NAME ARGS...: run, keep the output, require every message back.
uclient() {
	local name=$1
	shift
	tb_c timeout 120 turnutils_uclient "$@" "$TB_GW_IP" >"$TB_DIR/uc-$name.out" 2>&1
	if ! grep -Eq 'Total lost packets 0 \(0\.0+%\)' "$TB_DIR/uc-$name.out"; then
		tail -n 15 "$TB_DIR/uc-$name.out" | sed 's/^/#   /'
		return 1
	fi
	grep -E 'tot_send_msgs|tot_recv_msgs|Total lost' "$TB_DIR/uc-$name.out" | head -3 | sed 's/^/#   /'
	return 0
}

# 1. Static credentials, channels, RTP+RTCP pairs (EVEN-PORT R + RESERVATION-TOKEN).
tb_check "uclient static user, channels, 10 clients x 50 msgs (RTP+RTCP pairs), 0 loss" \
	uclient static-chan -u alice -w alice-pass-1 -e "$PEER_IP" -n 50 -m 10 -l 120 -z 10
tb_check "allocations counted" counted turn_alloc_ok 10
tb_check "uclient static user, channels, 50 clients x 200 msgs, 0 loss" \
	uclient static-chan50 -c -u alice -w alice-pass-1 -e "$PEER_IP" -n 200 -m 50 -l 100 -z 20
tb_check "ChannelBind counted" counted turn_chanbind_ok 10
# 2. Send indications instead of channels.
tb_check "uclient static user, Send/Data indications (-s), 50 x 200, 0 loss" \
	uclient static-send -s -c -u alice -w alice-pass-1 -e "$PEER_IP" -n 200 -m 50 -l 120 -z 20
# 3. TURN REST API credentials.
tb_check "uclient REST API credentials (-W), 50 clients x 200 msgs, 0 loss" \
	uclient rest -c -W "$REST_SECRET" -u restuser -e "$PEER_IP" -n 200 -m 50 -l 100 -z 20
# 4. Client to client: both ends relayed on this gateway (hairpin).
tb_check "uclient client-to-client (-y): relay-to-relay hairpin, 0 loss" \
	uclient c2c -y -c -u alice -w alice-pass-1 -n 50 -m 10 -l 100 -z 10
tb_check "hairpinned packets counted" counted turn_hairpin_pkts 500
tb_check "relayed packets counted (to peer)" counted turn_to_peer_pkts 10000
tb_check "relayed packets counted (to client)" counted turn_to_client_pkts 10000

# 5. Negative: wrong password, expired REST username, denied peer.
wrong_pw() {
	tb_c timeout 20 turnutils_uclient -c -u alice -w wrong -e "$PEER_IP" -n 3 -m 1 "$TB_GW_IP" \
		>"$TB_DIR/uc-wrong.out" 2>&1
	! grep -q 'Total lost packets 0' "$TB_DIR/uc-wrong.out"
}
tb_check "wrong password: no allocation" wrong_pw
tb_check "authentication failures counted" counted turn_auth_fail 1
denied_peer() {
	tb_c timeout 20 turnutils_uclient -c -u alice -w alice-pass-1 -e 127.0.0.1 -n 3 -m 1 \
		"$TB_GW_IP" >"$TB_DIR/uc-denied.out" 2>&1
	! grep -Eq 'Total lost packets 0 ' "$TB_DIR/uc-denied.out"
}
tb_check "peer 127.0.0.1 (loopback) refused" denied_peer
tb_check "403 counted" counted turn_err_forbidden 1

# 6. REST API credentials from the control plane, checked independently.
TC="$TB_ROOT/tests/integration/turn_client.py"
tc() { tb_c timeout 60 python3 "$TC" "$TB_GW_IP" 3478 "$@"; }
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
CREDS=$(tb_api "$TB_REST/v1/turn/credentials?username=carol&ttl=600")
CU=$(printf '%s' "$CREDS" | field username)
CP=$(printf '%s' "$CREDS" | field password)
rest_fmt() {
	local exp=${CU%%:carol} now
	now=$(date +%s)
	[ "${CU#*:}" = carol ] && [ "$exp" -ge $((now + 590)) ] && [ "$exp" -le $((now + 610)) ] &&
		printf '%s' "$CREDS" | grep -q "turn:$TB_GW_IP:3478?transport=udp"
}
tb_check "GET /v1/turn/credentials: expiry:user, ttl, uris" rest_fmt
rest_pw() { [ "$(printf '%s' "$CU" | openssl dgst -sha1 -hmac "$REST_SECRET" -binary | base64)" = "$CP" ]; }
tb_check "REST password = base64(HMAC-SHA1(secret, username)) (openssl CLI)" rest_pw
tb_check "uclient with REST credentials from the API, 5 x 50, 0 loss" \
	uclient api -c -u "$CU" -w "$CP" -e "$PEER_IP" -n 50 -m 5 -l 100 -z 10
tb_check "credentials without username: 400" \
	bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $TB_TOKEN' '$TB_REST/v1/turn/credentials?ttl=60')\" = 400 ]"
tb_check "credentials without bearer token: 401" \
	bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' '$TB_REST/v1/turn/credentials?username=x')\" = 401 ]"

# 7. Negative cases with a client that reports codes.
OLD_U=1000:dave
OLD_P=$(printf '%s' "$OLD_U" | openssl dgst -sha1 -hmac "$REST_SECRET" -binary | base64)
tb_check "expired REST username: 401" tc alloc --user "$OLD_U" --pass "$OLD_P" --expect 401
tb_check "wrong password: 401" tc alloc --user alice --pass nope --expect 401
tb_check "foreign/stale nonce: 438 with a fresh nonce, then 200" \
	tc alloc --user alice --pass alice-pass-1 --bad-nonce --expect 200
tb_check "nonce rejections counted" counted turn_auth_stale 1
tb_check "user quota 300: the 301st allocation gets 486" \
	tc quota --user bob --pass bob-pass-2 --count 301 --expect "ok=300 last=486"
tb_check "486 counted" counted turn_err_quota 1
active_ge() { local v; v=$(tb_metric rtcgw_turn_allocations_active); [ -n "$v" ] && [ "$v" -ge "$1" ]; }
tb_check "gauge rtcgw_turn_allocations_active >= 300" active_ge 300
NP0=$(M turn_drop_no_perm)
tb_check "no permission: Send not relayed, Data from unpermitted host not delivered" \
	tc noperm --user alice --pass alice-pass-1 --peer "$PEER_IP" --other 198.18.5.3 --expect isolated
tb_check "both drops counted (turn_drop_no_perm)" counted turn_drop_no_perm $((NP0 + 2))
# 8. Bandwidth cap: 400 kbit/s per allocation (burst 25 kB); 1000-byte
# messages every ms (8 Mbit/s) lose most of their packets, and are counted.
over_cap() {
	tb_c timeout 60 turnutils_uclient -c -u alice -w alice-pass-1 -e "$PEER_IP" -n 400 -m 1 \
		-l 1000 -z 1 "$TB_GW_IP" >"$TB_DIR/uc-bw.out" 2>&1
	grep -E 'Total lost packets' "$TB_DIR/uc-bw.out" | sed 's/^/#   /'
	! grep -Eq 'Total lost packets 0 ' "$TB_DIR/uc-bw.out"
}
tb_check "over the bandwidth cap: packets lost" over_cap
tb_check "bandwidth drops counted" counted turn_drop_bandwidth 50
curl -s "$TB_REST/metrics" | grep -E '^rtcgw_turn' | grep -v ' 0$' | sed 's/^/# /'

cleanup_peer_all() { tb_stop_pid "$PEER_PID"; cleanup_peer; }
cleanup_peer_all
tb_done
