#!/usr/bin/env bash
# A call bridged between two interfaces (issue 9: media on more than one
# interface, ng's direction). The dataplane serves two ports: "veth0" toward
# the outer party A, "inner" toward the inner party B, in another namespace
# and subnet that only the dataplane joins. A's offer over the calls API names
# direction [veth0, inner]:
#  - the offer B gets carries the gateway's address on inner, the answer A gets
#    its address on veth0;
#  - plain RTP both ways, each party sending only to the gateway's address on
#    its own link: every packet arrives, from that address (so each leg sends
#    out of its own interface); GET shows each leg's interface and counters;
#  - a re-offer that would move the call to other interfaces, and a name no
#    port has, are refused with their reasons, the call untouched; "default"
#    names the first port;
#  - a control plane killed with -9 takes the call over with its interfaces;
#    DELETE frees every leg.
#
#   netns rgmc (A)                      netns rgmg (rtcgw-dataplane)         netns rgmi (B)
#   rgmc0 198.18.80.1 <= veth => rgmg0 198.18.80.2 "veth0"
#                                       rgmg1 198.18.81.2 "inner" <= veth => rgmi0 198.18.81.1
#   control plane REST 127.0.0.1:18250 (root namespace)
. "$(dirname "$0")/lib.sh"

tb_init rgm 80 18250
TB_CONF_MEDIA="  port_min: 40000
  port_max: 40099
  consent_timeout_s: 30"
tb_net_up

# The inner link: its own namespace and subnet, the dataplane's second port.
TB_NS_I=${TB}i
IN_GW=198.18.81.2
IN_B=198.18.81.1
ip netns del "$TB_NS_I" 2>/dev/null || true
ip netns add "$TB_NS_I"
TB_EXTRA_NS+=("$TB_NS_I")
tb_i() { ip netns exec "$TB_NS_I" "$@"; }
ip link add "${TB}i0" netns "$TB_NS_I" type veth peer name "${TB}g1" netns "$TB_NS_G"
tb_i ip link set lo up
tb_g sysctl -qw "net.ipv6.conf.${TB}g1.disable_ipv6=1"
tb_i sysctl -qw "net.ipv6.conf.${TB}i0.disable_ipv6=1"
tb_g ip link set "${TB}g1" up
tb_i python3 "$TB_ROOT/tests/integration/txcsum_off.py" "${TB}i0"
tb_i ip addr add "$IN_B/24" dev "${TB}i0"
tb_i ip link set "${TB}i0" up

case $TB_PMD in
af_packet) dev1="net_af_packet1,iface=${TB}g1,qdisc_bypass=1" ;;
af_xdp) dev1="net_af_xdp1,iface=${TB}g1,start_queue=0,queue_count=1" ;;
esac
TB_CONF_PORT="    - name: inner
      device: $dev1
      address: $IN_GW/24"
tb_config
cat >>"$TB_CONF" <<EOC
calls:
  ng_enabled: true
  ng_listen: 127.0.0.1:18251
  max_calls: 16
  media_timeout_s: 60
EOC
tb_check "dataplane starts on two ports" tb_start_dp || exit 1
tb_check "control plane attaches, /healthz 200" tb_start_cp || exit 1
two_ports_up() {
	tb_api "$TB_REST/v1/stats" | jq -e '[.ports[] | select(.link_up)] | length == 2' >/dev/null
}
tb_check "GET /v1/stats: both ports up" tb_wait 10 two_ports_up

api_post() { tb_api -o "$TB_DIR/rest.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	--data-binary "$2" "$TB_REST/v1/calls/$1"; }
sdp() { printf 'v=0\\r\\no=- 1 1 IN IP4 %s\\r\\ns=-\\r\\nc=IN IP4 %s\\r\\nt=0 0\\r\\nm=audio %s RTP/AVP 0\\r\\na=rtpmap:0 PCMU/8000\\r\\n' "$1" "$1" "$2"; }
sdp_c() { jq -r .sdp "$TB_DIR/rest.json" | sed -n 's/^c=IN IP4 \([0-9.]*\).*/\1/p' | sort -u; }
sdp_m() { jq -r .sdp "$TB_DIR/rest.json" | sed -n 's/^m=audio \([0-9]*\) .*/\1/p'; }

# signal PATH BODY WANT_C: BODY POSTed to /v1/calls/PATH -> 200 with an SDP
# on the gateway's address WANT_C; its m=audio port in SIG_PORT
signal() {
	local code
	code=$(api_post "$1" "$2")
	SIG_PORT=$(sdp_m)
	[ "$code" = 200 ] && [ "$(sdp_c)" = "$3" ] ||
		{ tb_log "$1: $code $(cat "$TB_DIR/rest.json")"; return 1; }
}
offer() {
	signal x1/offer "{\"from-tag\":\"a\",\"direction\":[\"veth0\",\"inner\"],\"sdp\":\"$(sdp "$TB_CLIENT_IP" 30000)\"}" "$IN_GW" &&
		GW_FOR_B=$SIG_PORT
}
tb_check "offer A->B (direction veth0, inner): B is offered the gateway's inner address" offer
answer() {
	signal x1/answer "{\"from-tag\":\"a\",\"to-tag\":\"b\",\"sdp\":\"$(sdp "$IN_B" 30010)\"}" "$TB_GW_IP" &&
		GW_FOR_A=$SIG_PORT
}
tb_check "answer: A gets the gateway's veth0 address" answer

# rtp_both N: A and B send N packets each, at the same time, each to the
# gateway's address on its own link; each gets N, from that address only.
rtp_both() {
	local a b
	tb_c timeout 15 python3 "$TB_ROOT/tests/integration/rtp_party.py" "$TB_CLIENT_IP" 30000 \
		"$TB_GW_IP" "$GW_FOR_A" "$1" >"$TB_DIR/a.out" 2>&1 &
	local pa=$!
	tb_i timeout 15 python3 "$TB_ROOT/tests/integration/rtp_party.py" "$IN_B" 30010 \
		"$IN_GW" "$GW_FOR_B" "$1" >"$TB_DIR/b.out" 2>&1
	wait "$pa"
	a=$(cat "$TB_DIR/a.out")
	b=$(cat "$TB_DIR/b.out")
	tb_log "A: $a; B: $b"
	[ "$a" = "got=$1 from=$TB_GW_IP:$GW_FOR_A" ] && [ "$b" = "got=$1 from=$IN_GW:$GW_FOR_B" ]
}
tb_check "RTP both ways across the interfaces, each from the gateway's address on its link" rtp_both 50
legs_ok() {
	local d
	d=$(tb_api "$TB_REST/v1/calls/x1")
	printf '%s' "$d" | jq -e '
		([.legs[] | select(.side == "offerer") | .interface] | unique == ["veth0"]) and
		([.legs[] | select(.side == "answerer") | .interface] | unique == ["inner"]) and
		([.legs[] | select(.kind == "rtp" and .counters.rtp_in >= 50 and .counters.rtp_out >= 50)]
			| length == 2)' >/dev/null || { tb_log "GET x1: $d"; return 1; }
}
tb_check "GET /v1/calls/x1: A's legs on veth0, B's on inner, 50 in and out on both RTP legs" \
	tb_wait 5 legs_ok

refused() { # refused BODY REASON: a re-offer refused with REASON, the call kept
	local code
	code=$(api_post x1/offer "$1")
	grep -qF -- "$2" "$TB_DIR/rest.json" || { tb_log "re-offer: $code $(cat "$TB_DIR/rest.json")"; return 1; }
}
tb_check "a re-offer moving the call to other interfaces is refused" \
	refused "{\"from-tag\":\"b\",\"direction\":[\"veth0\",\"inner\"],\"sdp\":\"$(sdp "$IN_B" 30010)\"}" \
	"re-offer names other interfaces in 'direction': the call's media stay on 'inner' (this party) and 'veth0'"
tb_check "an interface no port has is refused, naming the ports" \
	refused "{\"from-tag\":\"a\",\"direction\":[\"dmz\",\"inner\"],\"sdp\":\"$(sdp "$TB_CLIENT_IP" 30000)\"}" \
	"Unknown interface 'dmz' in 'direction' (the media interfaces are 'veth0', 'inner')"
reoffer_b() { # B re-offers from its side: [inner, default (= veth0)]; A's port kept
	signal x1/offer "{\"from-tag\":\"b\",\"direction\":[\"inner\",\"default\"],\"sdp\":\"$(sdp "$IN_B" 30010)\"}" "$TB_GW_IP" &&
		[ "$SIG_PORT" = "$GW_FOR_A" ] &&
		signal x1/answer "{\"from-tag\":\"b\",\"to-tag\":\"a\",\"sdp\":\"$(sdp "$TB_CLIENT_IP" 30000)\"}" "$IN_GW"
}
tb_check "B's re-offer naming the same interfaces from its side (inner, default): same ports" reoffer_b
tb_check "RTP both ways after the refusals and the re-offer" rtp_both 30

# The control plane killed with -9 and restarted: it takes the call over from
# its journal with each side's interface (a re-offer renders on it).
tb_stop_pid "$TB_CP_PID" KILL
tb_check "a restarted control plane attaches" tb_start_cp
tb_check "it took the call over: GET shows the same interfaces and counters" tb_wait 5 legs_ok
tb_check "RTP both ways through the restored call" rtp_both 20
tb_check "a re-offer from B after the takeover still renders on veth0 for A" reoffer_b

dp_legs_zero() {
	local a r
	a=$(tb_metric rtcgw_media_leg_added_total)
	r=$(tb_metric rtcgw_media_leg_removed_total)
	[ -n "$a" ] && [ "$a" = "$r" ] && [ "$(tb_metric rtcgw_calls_media_legs)" = 0 ]
}
tb_check "DELETE /v1/calls/x1 -> 200" \
	[ "$(tb_api -o /dev/null -w '%{http_code}' -X DELETE "$TB_REST/v1/calls/x1")" = 200 ]
tb_check "every dataplane leg freed" tb_wait 5 dp_legs_zero
tb_check "dataplane still healthy" tb_healthz_ok
tb_done
