#!/usr/bin/env bash
# The rtpengine "ng" control protocol on the control plane (issue 9, first
# part): a stdlib Python ng client and Debian's Kamailio rtpengine module talk
# to rtcgw's ng socket.
#
#   netns rtnk (Kamailio)                root namespace
#   rtnk0 198.18.27.2  <---- veth ---->  rtnr0 198.18.27.1
#                                        rtcgw-controlplane, ng on 198.18.27.1:22230
#   (the dataplane runs on the usual client/gateway veth pair, 198.18.26.0/24)
#
# Checks: ping -> pong byte for byte; malformed bencode, unknown command,
# answer/delete/query of an unknown call -> error replies; offer -> "media not
# available yet" with the unknown flag named in "warning", nothing left
# behind; a retransmission (same cookie) gets identical bytes; a datagram
# without a cookie is dropped; Kamailio's rtpengine module finds rtcgw at
# start-up (node enabled, rpc ping success), and a ping while rtcgw's control
# plane is stopped fails (the check can fail), then succeeds again; an INVITE
# sent to Kamailio makes its rtpengine_offer() send a real offer, which rtcgw
# parses and refuses (no WebRTC legs for calls yet: the reason is logged by Kamailio, 503).
. "$(dirname "$0")/lib.sh"

tb_init rtn 26 18106
tb_net_up

NG_IP=198.18.27.1
NG_PORT=22230
KAM_IP=198.18.27.2
KAM_NS=${TB}k
ip netns del "$KAM_NS" 2>/dev/null || true
ip netns add "$KAM_NS"
TB_EXTRA_NS+=("$KAM_NS")
ip link add "${TB}r0" type veth peer name "${TB}k0" netns "$KAM_NS"
ip addr add "$NG_IP/24" dev "${TB}r0"
ip link set "${TB}r0" up
ip netns exec "$KAM_NS" ip addr add "$KAM_IP/24" dev "${TB}k0"
ip netns exec "$KAM_NS" ip link set "${TB}k0" up
ip netns exec "$KAM_NS" ip link set lo up

tb_config
cat >> "$TB_CONF" <<EOC
calls:
  ng_enabled: true
  ng_listen: $NG_IP:$NG_PORT
  max_calls: 100
  ng_cache_s: 30
EOC
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches, /healthz 200" tb_start_cp || exit 1
tb_check "control plane says ng is listening" grep -q "ng protocol listening on UDP port $NG_PORT" "$TB_DIR/cp.log"

NGC="$TB_ROOT/tests/integration/ng_client.py"
ng() { timeout 10 python3 "$NGC" "$NG_IP" "$NG_PORT" "$@"; }
ng_raw() { ng --raw "$(printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n')"; }
hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
unhex() { python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex(sys.argv[1]))' "$1"; }
# reply_has COOKIE JSON PATTERN: the JSON reply matches the (grep -F) pattern.
reply_has() {
	local r
	r=$(ng "$1" "$2") || { tb_log "no reply to $2"; return 1; }
	printf '%s\n' "$r" | grep -qF -- "$3" || { tb_log "reply: $r"; return 1; }
}

# 1. ping, byte for byte.
tb_check "ping -> pong (exact bytes)" \
	[ "$(ng_raw 'k1 d7:command4:pinge')" = "$(hex 'k1 d6:result4:ponge')" ]

# 2. Errors a proxy can provoke.
tb_check "malformed bencode -> error naming the byte" \
	[ "$(ng_raw 'k2 d7:command4:ping')" = "$(hex 'k2 d12:error-reason50:malformed bencode at byte 16: truncated dictionary6:result5:errore')" ]
tb_check "unknown command -> error" \
	reply_has k3 '{"command":"statistics"}' '"error-reason": "Unrecognized command '\''statistics'\''"'
tb_check "answer for an unknown call -> Unknown call-id" \
	reply_has k4 '{"command":"answer","call-id":"nope@x","from-tag":"a","to-tag":"b","sdp":"v=0\r\n"}' \
	'"error-reason": "Unknown call-id", "result": "error"'
tb_check "delete of an unknown call -> Unknown call-id" \
	reply_has k5 '{"command":"delete","call-id":"nope@x","from-tag":"a"}' '"error-reason": "Unknown call-id"'
tb_check "query of an unknown call -> Unknown call-id" \
	reply_has k6 '{"command":"query","call-id":"nope@x"}' '"error-reason": "Unknown call-id"'
tb_check "record call -> refused clearly" \
	reply_has k7 '{"command":"offer","call-id":"r@x","from-tag":"a","sdp":"v=0\r\n","record call":"yes"}' \
	'"error-reason": "call recording is not supported"'

# 3. The media seam: an offer as Kamailio sends it is parsed (the unknown flag
#    is named) and refused by the calls module (its media address is IPv6
#    and this gateway's media port has no address6), leaving no call behind.
OFFER='{"supports":["load limit"],"sdp":"v=0\r\no=- 1 1 IN IP4 198.18.26.1\r\ns=-\r\nc=IN IP6 2001:2::1\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0\r\n","flags":["trust-address","no-such-flag"],"replace":["origin","session-connection"],"transport-protocol":"UDP/TLS/RTP/SAVPF","rtcp-mux":["offer"],"ICE":"force","received-from":["IP4","198.18.26.1"],"call-id":"c1@198.18.26.1","from-tag":"ft1","command":"offer"}'
tb_check "offer asking for a WebRTC leg from an IPv6 address -> refused clearly, unknown flag in warning" \
	reply_has k8 "$OFFER" '{"error-reason": "media address 2001:2::1: IPv6, and the media port has no IPv6 address (dataplane.ports[0].address6)", "result": "error", "warning": "unknown flag '\''no-such-flag'\''"}'
tb_check "offer with direction [internal, external] (interfaces rtcgw does not have) -> Unknown interface, clearly" \
	reply_has k8d '{"command":"offer","call-id":"d@x","from-tag":"a","direction":["internal","external"],"sdp":"v=0\r\no=- 1 1 IN IP4 198.18.26.1\r\ns=-\r\nc=IN IP4 198.18.26.1\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0\r\n"}' \
	'"error-reason": "Unknown interface '\''internal'\'' in '\''direction'\'' (the media interface is '\''veth0'\'')", "result": "error"'
tb_check "offer with direction [veth0, default] (the media interface, rtpengine's default name) -> ok" \
	reply_has k8e '{"command":"offer","call-id":"e@x","from-tag":"a","direction":["veth0","default"],"sdp":"v=0\r\no=- 1 1 IN IP4 198.18.26.1\r\ns=-\r\nc=IN IP4 198.18.26.1\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0\r\n"}' \
	'"result": "ok"'
tb_check "... deleted" reply_has k8f '{"command":"delete","call-id":"e@x","from-tag":"a"}' '"result": "ok"'
# loop-protect: the offer rewritten with our a=rtpengine mark; the rewritten
# SDP offered again (the call passing this proxy and gateway a second time)
# comes back unchanged, and no second call is made.
loop_protect() {
	local r sdp again
	r=$(ng k8g '{"command":"offer","call-id":"lp@x","from-tag":"a","flags":["loop-protect"],"sdp":"v=0\r\no=- 1 1 IN IP4 198.18.26.1\r\ns=-\r\nc=IN IP4 198.18.26.1\r\nt=0 0\r\nm=audio 10000 RTP/AVP 0\r\n"}') || return 1
	sdp=$(printf '%s' "$r" | jq -r .sdp)
	printf '%s' "$sdp" | grep -qE '^a=rtpengine:[0-9a-f]{16}.?$' || { tb_log "offer: $r"; return 1; }
	again=$(ng k8h "$(jq -cn --arg s "$sdp" '{"command":"offer","call-id":"lp@x","from-tag":"a2","flags":["loop-protect"],"sdp":$s}')") || return 1
	[ "$(printf '%s' "$again" | jq -r .sdp)" = "$sdp" ] && [ "$(printf '%s' "$again" | jq -r .result)" = ok ] &&
		[ "$(printf '%s' "$again" | jq -r '.warning // ""')" = "" ] || { tb_log "again: $again"; return 1; }
	ng k8i '{"command":"query","call-id":"lp@x"}' | jq -e '.tags | keys == ["a"]' >/dev/null ||
		{ tb_log "query: $(ng k8j '{"command":"query","call-id":"lp@x"}')"; return 1; }
}
tb_check "loop-protect: our a=rtpengine mark; the marked SDP again comes back unchanged, no second party" loop_protect
tb_check "... deleted" reply_has k8k '{"command":"delete","call-id":"lp@x","from-tag":"a"}' '"result": "ok"'
tb_check "/metrics: rtcgw_ng_loop_skipped_total 1" bash -c "curl -s -m 5 $TB_REST/metrics | grep -qx 'rtcgw_ng_loop_skipped_total 1'"
tb_check "list -> no calls left behind" reply_has k9 '{"command":"list"}' '{"calls": [], "result": "ok"}'

# 4. Retransmission: the same cookie from the same sender gets the same
#    bytes, even with another body (it is not executed again); from another
#    sender it is a new request.
OFFER_B=$(python3 -c 'import sys, json; sys.path.insert(0, sys.argv[1]); from ng_client import benc; sys.stdout.write(benc(json.loads(sys.argv[2])).decode())' "$TB_ROOT/tests/integration" "$OFFER")
retransmit() {
	local out first again
	out=$(ng --raw "$(hex "k10 $OFFER_B")" "$(hex 'k10 d7:command4:pinge')") || return 1
	first=$(printf '%s\n' "$out" | sed -n 1p)
	again=$(printf '%s\n' "$out" | sed -n 2p)
	[ -n "$first" ] && [ "$first" = "$again" ] &&
		unhex "$first" | grep -q 'media port has no IPv6 address'
}
tb_check "retransmitted request (same cookie) -> identical reply bytes" retransmit
tb_check "same cookie from another sender -> executed (pong)" \
	[ "$(ng_raw 'k10 d7:command4:pinge')" = "$(hex 'k10 d6:result4:ponge')" ]

# 5. No cookie: dropped (no reply), the socket keeps serving.
no_reply() { ng_raw 'd7:command4:pinge' >/dev/null; [ $? -eq 2 ]; }
tb_check "datagram without a cookie -> no reply" no_reply
tb_check "still answers ping afterwards" [ "$(ng_raw 'k11 d7:command4:pinge')" = "$(hex 'k11 d6:result4:ponge')" ]

# 6. Every outcome counted on /metrics.
metric_is() { [ "$(tb_metric "$1")" = "$2" ] || { tb_log "$1 = $(tb_metric "$1"), want $2"; return 1; }; }
tb_check "/metrics: 1 malformed bencode" metric_is rtcgw_ng_bad_bencode_total 1
tb_check "/metrics: 1 retransmission answered from the cache" metric_is rtcgw_ng_retransmits_total 1
tb_check "/metrics: 1 datagram without a cookie" metric_is rtcgw_ng_bad_cookie_total 1
tb_check "/metrics: 2 requests refused while parsing" metric_is rtcgw_ng_bad_request_total 2
tb_check "/metrics: 3 pings executed" metric_is rtcgw_ng_cmd_ping_total 3
tb_check "/metrics: no calls held" metric_is rtcgw_calls_active 0

# 7. Kamailio's rtpengine module (Debian's kamailio package) against rtcgw.
KAM_RUN=$TB_DIR/kam
KAM_CTL=unix:$KAM_RUN/ctl
mkdir -p "$KAM_RUN"
kam_start() {
	ip netns exec "$KAM_NS" kamailio -DD -E -Y "$KAM_RUN" -m 32 -M 8 \
		-f "$TB_ROOT/tests/integration/kamailio/kamailio.cfg" \
		-A "SIP_LISTEN=udp:$KAM_IP:5060" -A "NG_SOCK=\"udp:$NG_IP:$NG_PORT\"" \
		-A "CTL_SOCK=\"$KAM_CTL\"" -A "MOD_PATH=\"$KAM_MODS/\"" >"$TB_DIR/kamailio.log" 2>&1 &
	KAM_PID=$!
	TB_PIDS+=("$KAM_PID")
	tb_wait 20 grep -q "rtpengine instance <udp:$NG_IP:$NG_PORT> found, support for it enabled" \
		"$TB_DIR/kamailio.log"
}
kamcmd_() { timeout 10 ip netns exec "$KAM_NS" kamcmd -s "$KAM_CTL" "$@"; }
kam_node_enabled() { kamcmd_ rtpengine.show all | grep -qE '^\s*disabled: 0$'; }
kam_ping() { kamcmd_ rtpengine.ping all | grep -qE "status: $1\$"; }
# Debian's kamailio package ships the rtpengine module (and kamcmd).
KAM_MODS=$(dirname "$(dpkg -L kamailio 2>/dev/null | grep -m1 '/modules/rtpengine\.so$')")
if ! command -v kamailio >/dev/null || [ ! -f "$KAM_MODS/rtpengine.so" ]; then
	tb_check "kamailio with its rtpengine module is installed (scripts/setup.sh)" false
else
	tb_check "Kamailio's rtpengine module finds rtcgw at start-up" kam_start
	tb_check "kamcmd rtpengine.show all: the rtcgw node is enabled" kam_node_enabled
	tb_check "kamcmd rtpengine.ping all: success" kam_ping success
	tb_stop_pid "$TB_CP_PID"
	tb_check "with rtcgw's control plane stopped, the same ping fails" kam_ping fail
	tb_check "control plane restarted" tb_start_cp
	tb_check "and the ping succeeds again" tb_wait 5 kam_ping success
	# A real offer built by the module from an INVITE: parsed by rtcgw (the
	# module's own keys and the unknown flag) and accepted through the calls
	# seam with a WebRTC leg for the other party (ICE=force DTLS=passive
	# UDP/TLS/RTP/SAVPF); the routing script then answers 480.
	offers=$(tb_metric rtcgw_ng_cmd_offer_total)
	invite() {
		local st
		st=$(timeout 10 python3 "$TB_ROOT/tests/integration/sip_invite.py" "$NG_IP" "$KAM_IP" 5060 \
			"inv1@198.18.27.1") || { tb_log "no final reply to the INVITE"; return 1; }
		[ "$st" = "SIP/2.0 480 rtpengine offer accepted" ] || { tb_log "got: $st"; return 1; }
	}
	tb_check "INVITE through Kamailio: rtpengine_offer accepted, 480 from the script" invite
	kam_call() {
		local d
		d=$(tb_api "$TB_REST/v1/calls/inv1@198.18.27.1")
		printf '%s' "$d" | jq -e '[.legs[] | select(.side == "offerer" and .kind == "rtp")] | length == 1' \
			>/dev/null || { tb_log "GET: $d"; return 1; }
	}
	tb_check "rtcgw holds Kamailio's call (GET /v1/calls/{call-id})" kam_call
	kam_offer_counted() {
		metric_is rtcgw_ng_cmd_offer_total $((offers + 1)) &&
			metric_is rtcgw_ng_bad_request_total 0 &&
			metric_is rtcgw_ng_warnings_total 1    # its "no-such-flag"
	}
	tb_check "rtcgw counted Kamailio's offer (once), none refused while parsing" \
		kam_offer_counted
	tb_check "Kamailio logged no reply-decoding error" \
		bash -c "! grep -E 'failed to decode|No .result. dictionary' '$TB_DIR/kamailio.log'"
fi

tb_check "dataplane still healthy" tb_healthz_ok
tb_done
