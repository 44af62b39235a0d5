#!/usr/bin/env bash
# TURN over IPv6 (RFC 6156, issue 11 item 3) against coturn's clients:
# turnutils_uclient talking to the gateway's IPv6 address with an IPv6
# relayed address (-x) to turnutils_peer on an IPv6 address, with Send
# indications, client to client (hairpin between two IPv6 relayed
# addresses), an IPv4 client with an IPv6 relay and an IPv6 client with an
# IPv4 relay, a dual allocation (-Z); every run with 0 loss; full-size
# datagrams over IPv6 (the dataplane fragments what it sends over the MTU and
# reassembles the client's fragments); one family of a dual allocation
# deleted by a Refresh (RFC 8656 §7.3). Negative cases
# with turn_client.py over IPv6: each denied IPv6 peer form refused 403 and
# counted (its Send indication dropped and counted), 440 for an address
# family the server does not know, the nonce bound to the client's address.
#
#   netns rgup (peer)                       netns rguc (client, router)           netns rgug
#   rgup0 198.18.67.2/24                    rguc1 198.18.67.1/24
#         2001:2:0:67::2/64  <= veth =>           2001:2:0:67::1/64
#   turnutils_peer :3480 (both)             rguc0 198.18.66.1/24     <= veth => rgug0 (dataplane
#                                                 2001:2:0:66::1/64                198.18.66.2,
#                                           turnutils_uclient                      2001:2:0:66::2,
#                                                                                  TURN :3478,
#                                                                                  relay 50000-50999)
#   control plane REST 127.0.0.1:18190
. "$(dirname "$0")/lib.sh"

tb_init rgu 66 18190
GW6=2001:2:0:66::2
CL6=2001:2:0:66::1
PEER6=2001:2:0:67::2
TB_CONF_TURN="  enabled: true
  realm: rtcgw.test
  relay_port_min: 50000
  relay_port_max: 50999
  max_allocations: 2000
  users:
    - {username: alice, password: alice-pass-1}
  rfc5766_channels: true   # turnutils_uclient picks channels up to 0x7FFF
  denied_peers: [198.18.99.0/24, \"2001:2:0:99::/64\"]"
tb_net_up
tb_peer_net_up 67
PEER_IP=$TB_PEER_IP
# IPv6 on the client (lib.sh turns it off) and the peer network, the client
# namespace routing between them as it does for IPv4.
tb_client_ipv6 "$CL6/64"
tb_c sysctl -qw "net.ipv6.conf.all.forwarding=1"
tb_c ip -6 addr add 2001:2:0:67::1/64 dev "${TB}c1" nodad
tb_p sysctl -qw "net.ipv6.conf.${TB}p0.disable_ipv6=0"
tb_p ip -6 addr add "$PEER6/64" dev "${TB}p0" nodad
tb_p ip -6 route add default via 2001:2:0:67::1
tb_config
sed -i "s|^      gateway: $TB_CLIENT_IP\$|&\n      address6: $GW6/64\n      gateway6: $CL6|" "$TB_CONF"
tb_check "config carries address6" grep -q "address6: $GW6/64" "$TB_CONF"
# a gateway that did not start fails here, not after every timeout below
tb_check "dataplane starts" tb_start_dp
[ "$TB_FAIL" = 0 ] || exit 1
tb_check "control plane attaches" tb_start_cp
[ "$TB_FAIL" = 0 ] || exit 1
tb_check "dataplane logs the IPv6 relay" grep -q "IPv6 relay on" "$TB_DP_LOG"
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent
tb_check "ping6 $GW6 (the client resolved the dataplane by NDP)" \
	tb_c ping -6 -c 2 -i 0.2 -W 2 "$GW6"
tb_check "the peer reaches the gateway's IPv6 address through the client namespace" \
	tb_p ping -6 -c 1 -W 2 "$GW6"

ip netns exec "$TB_NS_P" turnutils_peer -L "$PEER_IP" -p 3480 >"$TB_DIR/peer4.log" 2>&1 &
TB_PIDS+=("$!")
ip netns exec "$TB_NS_P" turnutils_peer -L "$PEER6" -p 3480 >"$TB_DIR/peer6.log" 2>&1 &
TB_PIDS+=("$!")
sleep 0.5

M() { tb_metric "rtcgw_$1_total"; }
counted() { tb_wait_metric_ge "rtcgw_$1_total" "$2" 3 || { tb_log "$1 = $(M "$1"), wanted >= $2"; return 1; }; }

# uclient NAME SERVER ARGS...: run, keep the output, require every message back.
uclient() {
	local name=$1 server=$2
	shift 2
	tb_c timeout 60 turnutils_uclient "$@" "$server" >"$TB_DIR/uc-$name.out" 2>&1
	if ! grep -Eq 'Total lost packets 0 \(0\.0+%\)' "$TB_DIR/uc-$name.out" ||
		! grep -Eq 'tot_recv_msgs=[1-9]' "$TB_DIR/uc-$name.out"; then
		tail -n 15 "$TB_DIR/uc-$name.out" | sed 's/^/#   /'
		return 1
	fi
	grep -E 'tot_send_msgs|Total lost' "$TB_DIR/uc-$name.out" | head -2 | sed 's/^/#   /'
	return 0
}
# unchanged NAME BEFORE: counter NAME is still BEFORE
unchanged() { [ "$(M "$1")" = "$2" ] || { tb_log "$1 = $(M "$1"), wanted $2"; return 1; }; }

# 1. IPv6 client, IPv6 relay (-x), IPv6 peer: channels, then Send indications.
A6=$(M turn6_alloc_ok)
tb_check "uclient -x to [$GW6], peer [$PEER6], channels, 10 clients x 100 msgs, 0 loss" \
	uclient v6chan "$GW6" -x -c -u alice -w alice-pass-1 -e "$PEER6" -n 100 -m 10 -l 120 -z 10
tb_check "IPv6 relayed allocations counted" counted turn6_alloc_ok $((A6 + 10))
tb_check "uclient -x -s (Send/Data indications) over IPv6, 10 x 100, 0 loss" \
	uclient v6send "$GW6" -x -s -c -u alice -w alice-pass-1 -e "$PEER6" -n 100 -m 10 -l 120 -z 10
tb_check "uclient -x over IPv6, RTP+RTCP pairs (EVEN-PORT R, RESERVATION-TOKEN), 5 x 50" \
	uclient v6pairs "$GW6" -x -u alice -w alice-pass-1 -e "$PEER6" -n 50 -m 5 -l 120 -z 10
# 2. Client to client, both relayed here on IPv6: hairpin.
HP=$(M turn_hairpin_pkts)
tb_check "uclient -x -y over IPv6: hairpin between IPv6 relayed addresses, 0 loss" \
	uclient v6c2c "$GW6" -x -y -c -u alice -w alice-pass-1 -n 50 -m 4 -l 100 -z 10
tb_check "hairpinned packets counted" counted turn_hairpin_pkts $((HP + 200))
# 3. The families crossed.
tb_check "IPv4 client, IPv6 relay (-x), IPv6 peer: 10 x 100, 0 loss" \
	uclient v4to6 "$TB_GW_IP" -x -c -u alice -w alice-pass-1 -e "$PEER6" -n 100 -m 10 -l 120 -z 10
A6=$(M turn6_alloc_ok)
tb_check "IPv6 client, IPv4 relay (default), IPv4 peer: 10 x 100, 0 loss" \
	uclient v6to4 "$GW6" -c -u alice -w alice-pass-1 -e "$PEER_IP" -n 100 -m 10 -l 120 -z 10
tb_check "... its allocations relay IPv4 only (turn6_alloc_ok unchanged)" unchanged turn6_alloc_ok "$A6"
tb_check "IPv4 client, IPv4 relay beside it: 10 x 100, 0 loss" \
	uclient v4 "$TB_GW_IP" -c -u alice -w alice-pass-1 -e "$PEER_IP" -n 100 -m 10 -l 120 -z 10
# 4. Dual allocations (ADDITIONAL-ADDRESS-FAMILY): turnutils_uclient -Z sends
# it under coturn's pre-RFC 8656 code point 0x8032, read as an alias; with -x
# the client relays over the IPv6 one of the two relayed addresses, without
# over the IPv4 one.
D6=$(M turn6_alloc_ok)
tb_check "uclient -Z -x (dual allocation, relays over its IPv6 address) to [$GW6]: 5 x 50, 0 loss" \
	uclient dual6 "$GW6" -Z -x -c -u alice -w alice-pass-1 -e "$PEER6" -n 50 -m 5 -l 120 -z 10
tb_check "uclient -Z (dual allocation, relays over its IPv4 address): 5 x 50, 0 loss" \
	uclient dual4 "$TB_GW_IP" -Z -c -u alice -w alice-pass-1 -e "$PEER_IP" -n 50 -m 5 -l 120 -z 10
tb_check "... the dual allocations hold IPv6 relayed addresses too (turn6_alloc_ok grew)" \
	tb_wait_metric_ge rtcgw_turn6_alloc_ok_total $((D6 + 10)) 3
none_dropped() { [ "$(M turn6_drop_toobig)" = 0 ] && [ "$(M turn_drop_peer_af)" = 0 ]; }
tb_check "no IPv6 datagram over the MTU, no peer-family mismatch" none_dropped
# One family of a dual allocation deleted (RFC 8656 §7.3, as coturn does):
# a Refresh with REQUESTED-ADDRESS-FAMILY IPv6 and LIFETIME 0.
FD=$(M turn_family_deleted)
tb_check "Refresh (IPv6, LIFETIME 0) deletes a dual allocation's IPv6 address only: 443 after, IPv4 goes on" \
	tb_c timeout 60 python3 "$TB_ROOT/tests/integration/turn_client.py" "$GW6" 3478 dualdrop \
	--user alice --pass alice-pass-1 --peer "$PEER6" --other "$PEER_IP" \
	--expect "drop=200,perm6=443,perm4=200,again=443,refresh=200"
tb_check "... counted (turn_family_deleted +1)" counted turn_family_deleted $((FD + 1))
# 4b. Full-size datagrams: a peer's 1452-byte datagram (the most a 1500-byte
# IPv6 MTU carries unfragmented) grows by 4 (ChannelData) or 36 (Data
# indication) bytes toward an IPv6 client: the dataplane sends it in IPv6
# fragments the client's kernel reassembles (RFC 8200 §4.5), as coturn's
# kernel would.
FO=$(M ipv6_frag_out)
FR=$(M frag_reassembled)
tb_check "1452-byte datagrams over IPv6 channels (ChannelData over the MTU), 0 loss" \
	uclient v6bigchan "$GW6" -x -c -u alice -w alice-pass-1 -e "$PEER6" -n 20 -m 2 -l 1452 -z 20
tb_check "1452-byte datagrams over IPv6 Send/Data indications, 0 loss" \
	uclient v6bigsend "$GW6" -x -s -c -u alice -w alice-pass-1 -e "$PEER6" -n 20 -m 2 -l 1452 -z 20
tb_check "every over-MTU IPv6 datagram fragmented (ipv6_frag_out >= 80)" counted ipv6_frag_out $((FO + 80))
tb_check "none dropped as too big" bash -c "[ '$(M turn6_drop_toobig)' = 0 ]"
# ... and the client's own 1456/1488-byte messages reach the dataplane as
# IPv6 fragments (its kernel fragments them): reassembled, not dropped
reasm_ok() { counted frag_reassembled $((FR + 80)) && unchanged frag_reasm_fail 0; }
tb_check "the client's fragmented messages reassembled (frag_reassembled >= 80, none failed)" reasm_ok

# 5. Negative cases over IPv6 (turn_client.py reports the codes).
TC="$TB_ROOT/tests/integration/turn_client.py"
tc6() { tb_c timeout 60 python3 "$TC" "$GW6" 3478 "$@"; }
DENIED="::,::1,fe80::1,fc00::1,fd00::7,ff02::1,::ffff:127.0.0.1,::ffff:10.0.0.1,::ffff:198.18.67.2"
DENIED="$DENIED,64:ff9b::a00:1,64:ff9b::7f00:1,64:ff9b::c612:6302,2002:7f00:1::1,2002:c0a8:1::1"
DENIED="$DENIED,2001::1,2001:2:0:99::5"
N=$(echo "$DENIED" | tr ',' '\n' | wc -l)
WANT=$(printf '403%.0s,' $(seq "$N"))
F6=$(M turn6_err_forbidden)
DP=$(M turn_drop_denied_peer)
tb_check "$N denied IPv6 peer forms (incl. ::ffff:127.0.0.1, 64:ff9b::a00:1): 403 each" \
	tc6 perms --user alice --pass alice-pass-1 --family 2 --peers "$DENIED" --expect "${WANT%,}"
tb_check "each refusal counted (turn6_err_forbidden +$N)" counted turn6_err_forbidden $((F6 + N))
tb_check "each Send indication to them dropped and counted (turn_drop_denied_peer +$N)" \
	counted turn_drop_denied_peer $((DP + N))
tb_check "an allowed IPv6 peer beside them: 200" \
	tc6 perms --user alice --pass alice-pass-1 --family 2 --peers "$PEER6" --expect 200
tb_check "an IPv4 peer on an IPv6 relayed allocation: 443" \
	tc6 perms --user alice --pass alice-pass-1 --family 2 --peers "$PEER_IP" --expect 443
FA=$(M turn_err_family)
tb_check "REQUESTED-ADDRESS-FAMILY 3 (unknown family): 440" \
	tc6 alloc --user alice --pass alice-pass-1 --family 3 --expect 440
tb_check "440 and 443 counted (turn_err_family)" counted turn_err_family $((FA + 1))
tb_check "a foreign nonce over IPv6: 438 with a fresh one, then 200" \
	tc6 alloc --user alice --pass alice-pass-1 --bad-nonce --expect 200
tb_check "wrong password over IPv6: 401" tc6 alloc --user alice --pass nope --expect 401
tb_check "IPv6 relayed Allocate from the IPv4 side: 200" \
	tb_c timeout 30 python3 "$TC" "$TB_GW_IP" 3478 alloc --user alice --pass alice-pass-1 --family 2 --expect 200
healthz200() { [ "$(tb_healthz_code)" = 200 ]; }
tb_check "/healthz 200" healthz200
tb_done
