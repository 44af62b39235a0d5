#!/usr/bin/env bash
# TURN relay (issue 4) against clients nobody here wrote: coturn's
# turnutils_uclient through the dataplane's relay to turnutils_peer in a
# third namespace; static and TURN REST API credentials, channels and Send
# indications, client-to-client (relay-to-relay hairpin); negative cases.
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
  max_allocations: 5000
  user_quota: 300
  users:
    - {username: alice, password: alice-pass-1}
  auth_secrets: [$REST_SECRET]"
tb_net_up

# The peer network behind the client namespace (the gateway's next hop).
TB_NS_P=${TB}p
PEER_IP=198.18.5.2
ip netns del "$TB_NS_P" 2>/dev/null || true
ip netns add "$TB_NS_P"
tb_p() { ip netns exec "$TB_NS_P" "$@"; }
cleanup_peer() { ip netns del "$TB_NS_P" 2>/dev/null; }
ip link add "${TB}c1" netns "$TB_NS_C" type veth peer name "${TB}p0" netns "$TB_NS_P"
tb_p ip link set lo up
tb_c ip addr add 198.18.5.1/24 dev "${TB}c1"
tb_c ip link set "${TB}c1" up
tb_p ip addr add "$PEER_IP/24" dev "${TB}p0"
tb_p ip link set "${TB}p0" up
tb_p ip route add default via 198.18.5.1
tb_c sysctl -qw net.ipv4.ip_forward=1
tb_c python3 "$TB_ROOT/tests/integration/txcsum_off.py" "${TB}c0"
tb_c python3 "$TB_ROOT/tests/integration/txcsum_off.py" "${TB}c1"
tb_p python3 "$TB_ROOT/tests/integration/txcsum_off.py" "${TB}p0"

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
tb_check "ChannelBind counted" counted turn_chanbind_ok 10
# 2. Send indications instead of channels.
tb_check "uclient static user, Send/Data indications (-s), 10 x 50, 0 loss" \
	uclient static-send -s -c -u alice -w alice-pass-1 -e "$PEER_IP" -n 50 -m 10 -l 120 -z 10
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

cleanup_peer_all() { tb_stop_pid "$PEER_PID"; cleanup_peer; }
cleanup_peer_all
tb_done
