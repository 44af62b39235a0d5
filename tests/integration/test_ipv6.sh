#!/usr/bin/env bash
# IPv6 in the dataplane (issue 11 item 3, without TURN): the Linux client
# finds the gateway by neighbour discovery and pings it (global and
# link-local address); the dataplane resolves a client address it has never
# heard from by its own NS; STUN Binding over IPv6 (coturn's
# turnutils_stunclient and stun_peer.py) maps to the client's IPv6 address
# (XOR-MAPPED-ADDRESS family 2); an ICE-lite check over IPv6 is answered
# with integrity and nominates the leg's IPv6 peer (WebRTC media over IPv6
# end to end: test_media_ipv6.sh); TURN over IPv6
# with turn.enabled false is counted and dropped (TURN over IPv6 itself:
# test_turn_ipv6.sh); malformed IPv6 frames are counted by reason and
# the dataplane stays healthy. IPv4 keeps working beside it.
#
#   netns rg6c  rg6c0 198.18.60.1/24, 2001:2:0:60::1/64 (+ ::5)
#       <= veth =>  rg6g: rg6g0 (dataplane, 198.18.60.2/24, 2001:2:0:60::2/64)
#   control plane REST 127.0.0.1:18170
. "$(dirname "$0")/lib.sh"

tb_init rg6 60 18170
GW6=2001:2:0:60::2
CL6=2001:2:0:60::1
CL6B=2001:2:0:60::5
tb_net_up
# The client speaks IPv6 (lib.sh turns it off); no DAD delay on its addresses.
tb_client_ipv6 "$CL6/64"
# ::5 deprecated: never the default source, used only where asked (ping -I).
tb_c ip -6 addr add "$CL6B/64" dev "${TB}c0" nodad preferred_lft 0
tb_config
# The port's IPv6 address (lib.sh writes IPv4 only).
sed -i "s|^      gateway: $TB_CLIENT_IP\$|&\n      address6: $GW6/64\n      gateway6: $CL6|" "$TB_CONF"
tb_check "config carries address6" grep -q "address6: $GW6/64" "$TB_CONF"
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
tb_check "dataplane logs the port's IPv6 and link-local addresses" \
	grep -q "IPv6 $GW6/64, link-local fe80::" "$TB_DP_LOG"
LL=$(sed -n 's/.*IPv6 [^ ]*, link-local \(fe80::[0-9a-f:]*\),.*/\1/p' "$TB_DP_LOG" | head -n 1)
tb_log "link-local $LL; $(grep -o 'IPv6 neighbour discovery multicast by [a-z-]*' "$TB_DP_LOG" | head -n 1)"

M() { tb_metric "rtcgw_$1_total"; }
# counted NAME N: metric rtcgw_NAME_total reaches N within 3 s
counted() { tb_wait_metric_ge "rtcgw_$1_total" "$2" 3 || { tb_log "$1 = $(M "$1"), wanted >= $2"; return 1; }; }
# grew NAME BEFORE: the counter went past BEFORE within 3 s
grew() { counted "$1" $(($2 + 1)); }

# 1. Neighbour discovery and echo.
tb_check "ping6 $GW6: 3 of 3 answered (client resolved us by NS/NA)" \
	tb_c ping -6 -c 3 -i 0.2 -W 2 "$GW6"
tb_check "the client's neighbour entry for $GW6 is the dataplane's MAC" \
	bash -c "ip netns exec $TB_NS_C ip -6 neigh show $GW6 dev ${TB}c0 | grep -qi 'lladdr $TB_GW_MAC'"
tb_check "ndp_ns_answered counted" counted ndp_ns_answered 1
tb_check "ndp_learned counted (the NS's source link-layer option)" counted ndp_learned 1
tb_check "icmp6_echo_answered counted" counted icmp6_echo_answered 3
tb_check "ping6 the link-local address $LL: answered" \
	tb_c ping -6 -c 2 -i 0.2 -W 2 "$LL%${TB}c0"
tb_check "icmp6_echo_answered counted 5" counted icmp6_echo_answered 5
# The dataplane's own resolution: the client already knows us (permanent
# entry: it sends no NS), and pings from an address the dataplane never saw.
tb_c ip -6 neigh replace "$GW6" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent
NS0=$(M ndp_ns_sent)
PS0=$(M ndp_pending_sent)
tb_check "ping6 from $CL6B (unknown to the dataplane): answered after its own NS" \
	tb_c ping -6 -c 2 -i 0.3 -W 3 -I "$CL6B" "$GW6"
tb_check "ndp_ns_sent grew" grew ndp_ns_sent "$NS0"
tb_check "ndp_pending_sent grew (the reply waited for the NA)" grew ndp_pending_sent "$PS0"
tb_check "a large echo (1400 bytes) is answered" tb_c ping -6 -c 1 -s 1400 -W 2 "$GW6"

# 2. STUN Binding over IPv6.
PEER="$TB_ROOT/tests/integration/stun_peer.py"
turnutils_ok() {
	tb_c timeout 10 turnutils_stunclient -p 3478 "$GW6" > "$TB_DIR/turnutils6.out" 2>&1
	grep -Eq "UDP reflexive addr: \[?$CL6\]?:[0-9]+" "$TB_DIR/turnutils6.out" ||
	{ sed 's/^/#   /' "$TB_DIR/turnutils6.out"; return 1; }
}
B0=$(M stun_binding_ok)
tb_check "turnutils_stunclient over IPv6: reflexive address $CL6" turnutils_ok
tb_check "stun_peer.py binding over IPv6: XOR-MAPPED-ADDRESS [$CL6]:45002" \
	bash -c "ip netns exec $TB_NS_C python3 $PEER $GW6 3478 binding --sport 45002 | grep -qx '200 \[$CL6\]:45002'"
tb_check "stun_binding_ok counted for both" counted stun_binding_ok $((B0 + 2))

# 3. ICE-lite over IPv6: answered with integrity, nominates the IPv6 peer.
api_code() { curl -s -m 5 -o "$TB_DIR/body" -w '%{http_code}' -H "Authorization: Bearer $TB_TOKEN" "$@"; }
j() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$TB_DIR/$1" "$2"; }
create_leg() {
	[ "$(api_code -X POST -d '{"port": 40000, "remote_ufrag": "peerR"}' "$TB_REST/v1/ice/legs")" = 201 ] &&
	cp "$TB_DIR/body" "$TB_DIR/leg.json"
}
tb_check "POST /v1/ice/legs: 201" create_leg
ID=$(j leg.json 'd["id"]')
LU=$(j leg.json 'd["local_ufrag"]')
LP=$(j leg.json 'd["local_pwd"]')
leg_state() {
	api_code "$TB_REST/v1/ice/legs/$ID" >/dev/null && cp "$TB_DIR/body" "$TB_DIR/get.json" &&
	[ "$(j get.json 'd["state"]')" = "$1" ]
}
tb_check "leg published" tb_wait 3 leg_state waiting
ice6() { tb_c python3 "$PEER" "$GW6" 40000 ice --user "$LU:peerR" "$@"; }
tb_check "ICE check over IPv6 with USE-CANDIDATE: 200, MI and FP valid" \
	ice6 --pwd "$LP" --use-candidate --sport 45010
tb_check "ICE check over IPv6 with a wrong password: 401" ice6 --pwd wrongwrongwrongwrongwrong --expect 401
tb_check "ice6_checked counted" counted ice6_checked 1
tb_check "leg nominated over IPv6" tb_wait 3 leg_state nominated
selected6() { [ "$(j get.json 'd["selected"]["address"], d["selected"]["family"], d["selected"]["port"]')" = "('$CL6', 'ipv6', 45010)" ]; }
tb_check "its selected pair is [$CL6]:45010 (ipv6)" selected6
R0=$(M ice_renominate_ignored)
tb_check "an ICE check over IPv4 is answered" \
	tb_c python3 "$PEER" "$TB_GW_IP" 40000 ice --user "$LU:peerR" --pwd "$LP" --use-candidate --sport 45011
tb_check "... and does not move the IPv6 nomination (ice_renominate_ignored)" grew ice_renominate_ignored "$R0"

# 4. What IPv6 does not do yet, and malformed input: counted, dropped.
RAW6() { tb_c python3 "$TB_ROOT/tests/integration/rawframe6.py" "${TB}c0" "$TB_CLIENT_MAC" "$TB_GW_MAC" "$CL6" "$GW6" "$@"; }
raw_counts() {  # CASE COUNTER: one frame of CASE makes COUNTER grow
	local before
	before=$(M "$2")
	RAW6 "$1" && grew "$2" "${before:-0}"
}
for row in "turn-allocate stun6_turn_unsupported" "bad-version ipv6_bad_hdr" \
	"truncated ipv6_bad_hdr" "not-for-us ipv6_not_for_us" "martian-src ipv6_martian_src" \
	"fragment ipv6_fragment" "routing-segleft ipv6_unsupported" "bad-udp-checksum udp_bad_cksum" \
	"zero-udp-checksum udp_bad_cksum" "bad-icmp6-checksum icmp6_bad" "tcp ipv6_proto_other" \
	"udp-no-handler udp_no_handler" "ns-hoplimit ndp_bad" "ns-not-ours ndp_not_for_us" \
	"na-conflict ndp_conflict" "echo-multicast icmp6_other" "dstopts-echo icmp6_echo_answered"; do
	set -- $row
	tb_check "IPv6 $1: counted as $2" raw_counts "$1" "$2"
done
tb_check "the conflicting NA was logged once" grep -q "NA from .* for our IPv6 address; ignored" "$TB_DP_LOG"
tb_check "the conflicting NA did not poison the cache: ping6 still answered" \
	tb_c ping -6 -c 2 -i 0.2 -W 2 "$GW6"
RX0=$(M ipv6_rx)
RAW6 bad-udp-checksum 2000
tb_check "2000 bad frames in a burst: all seen" counted ipv6_rx $((RX0 + 2000))
tb_check "dataplane healthy after bad IPv6 input: ping6" tb_c ping -6 -c 2 -i 0.2 -W 2 "$GW6"
tb_check "IPv4 beside it: ping" tb_c ping -c 2 -i 0.2 -W 2 "$TB_GW_IP"
tb_check "IPv4 beside it: STUN Binding" \
	bash -c "ip netns exec $TB_NS_C python3 $PEER $TB_GW_IP 3478 binding --sport 45020 | grep -qx '200 $TB_CLIENT_IP:45020'"
healthz200() { [ "$(tb_healthz_code)" = 200 ]; }
tb_check "/healthz 200" healthz200
tb_done
