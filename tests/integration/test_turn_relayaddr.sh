#!/usr/bin/env bash
# TURN on several relayed addresses per port (ports[].relay_addresses, issue
# 8): the port relays on its address 198.18.78.2 and on 198.18.78.3;
# allocations alternate between the two (round-robin, one worker here), each
# relays both ways, and the peer reaches 198.18.78.3 on the link through the
# dataplane's ARP answer (no static neighbour entry in this test).
#
#   netns rgfc (client and peer)                        netns rgfg
#   rgfc0 198.18.78.1/24 (turnutils_uclient, turn_client.py) <= veth => rgfg0 (dataplane
#         198.18.78.10/24 (turnutils_peer :3480)                       198.18.78.2, TURN :3478,
#                                                                      relay 198.18.78.2 and .3,
#                                                                      ports 50000-50999)
. "$(dirname "$0")/lib.sh"

tb_init rgf 78 18230
RELAY2=198.18.78.3
PEER_IP=198.18.78.10
TB_CONF_PORT="      relay_addresses: [$RELAY2]"
TB_CONF_TURN="  enabled: true
  realm: rtcgw.test
  relay_port_min: 50000
  relay_port_max: 50999
  max_allocations: 10000
  users:
    - {username: alice, password: alice-pass-1}
  rfc5766_channels: true   # turnutils_uclient picks channels up to 0x7FFF"
tb_net_up
# the peer sits on the gateway's link: it reaches both relayed addresses
# directly, so the kernel there must learn 198.18.78.3 by ARP from the dataplane
tb_c ip addr add "$PEER_IP/24" dev "${TB}c0"

tb_config
tb_check "dataplane starts with relay_addresses" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1

tb_c turnutils_peer -L "$PEER_IP" -p 3480 >"$TB_DIR/peer.log" 2>&1 &
TB_PIDS+=("$!")
sleep 0.5

M() { tb_metric "rtcgw_$1_total"; }
TC="$TB_ROOT/tests/integration/turn_client.py"
tc() { tb_c timeout 60 python3 "$TC" "$TB_GW_IP" 3478 "$@"; }

# 1. Four allocations: two on each address, each relaying a Send indication to
# the peer and its echo back as a Data indication.
tb_check "allocations on both relayed addresses, each relays both ways" \
	tc relays --count 4 --user alice --pass alice-pass-1 --peer "$PEER_IP" \
	--expect "$TB_GW_IP,$RELAY2"
neigh_ok() {
	tb_c ip neigh show "$RELAY2" dev "${TB}c0" | grep -qi "lladdr $TB_GW_MAC"
}
tb_check "the link learned $RELAY2 -> the dataplane's MAC" neigh_ok
# 2. An ARP request for the relay address from a fresh neighbour entry.
arping_ok() {
	tb_c ip neigh del "$RELAY2" dev "${TB}c0" 2>/dev/null
	tb_c ping -c 1 -W 1 -I "$PEER_IP" "$RELAY2" >/dev/null 2>&1   # no echo there: ARP only
	neigh_ok
}
# (The first entry may come from the dataplane's own ARP request for the peer,
# sent from $RELAY2, rather than from an answer: count answers here, where
# only a request for $RELAY2 can fill the flushed entry.)
ARP0=$(M arp_request_answered)
tb_check "ARP for $RELAY2 answered again after the entry is flushed" arping_ok
tb_check "ARP requests answered counted" \
	tb_wait_metric_ge rtcgw_arp_request_answered_total $((ARP0 + 1)) 5
# 3. coturn's client: 10 clients (5 per address), channels, 0 loss.
uclient() {
	tb_c timeout 120 turnutils_uclient "$@" "$TB_GW_IP" >"$TB_DIR/uc.out" 2>&1
	if ! grep -Eq 'Total lost packets 0 \(0\.0+%\)' "$TB_DIR/uc.out"; then
		tail -n 15 "$TB_DIR/uc.out" | sed 's/^/#   /'
		return 1
	fi
	grep -E 'tot_send_msgs|tot_recv_msgs|Total lost' "$TB_DIR/uc.out" | head -3 | sed 's/^/#   /'
}
tb_check "uclient 10 clients x 50 msgs over both relayed addresses, 0 loss" \
	uclient -c -u alice -w alice-pass-1 -e "$PEER_IP" -n 50 -m 10 -l 120 -z 10
# 4. Only relay ports answer on the relay address.
NOH0=$(M udp_no_handler)
stun_there() {
	tb_c python3 - "$RELAY2" <<'EOF'
import os, socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
s.sendto(struct.pack("!HHI", 1, 0, 0x2112A442) + os.urandom(12), (sys.argv[1], 3478))
try:
    s.recvfrom(2048)
    sys.exit(1)          # answered: wrong
except socket.timeout:
    sys.exit(0)
EOF
}
tb_check "no STUN answer on the relay address" stun_there
tb_check "counted as udp_no_handler" tb_wait_metric_ge rtcgw_udp_no_handler_total $((NOH0 + 1)) 3
curl -s "$TB_REST/metrics" | grep -E '^rtcgw_(turn|arp)' | grep -v ' 0$' | sed 's/^/# /'
tb_done
