#!/usr/bin/env bash
# Calls with media (issue 9): plain RTP <-> RTP bridged by the dataplane,
# driven by Kamailio's rtpengine module over rtcgw's ng socket, with sipp
# (Debian sip-tester) as UAC and UAS.
#
#   netns rtvc (client): sipp UAC 198.18.36.1:5071 (plays g711a + RFC 4733 DTMF)
#                        sipp UAS 198.18.36.1:5072 (-rtp_echo)
#                        Kamailio 198.18.36.1:5060, ng to 198.18.37.1
#   rtvc0 198.18.36.1  <== veth ==>  rtvg0 (rtcgw-dataplane, 198.18.36.2)
#   rtvk0 198.18.37.2  <== veth ==>  rtvr0 198.18.37.1 (root: control plane, ng)
#
# Checks: ng errors (malformed bencode, unknown command, answer for an unknown
# call, SDP without media, SAVP refused, media ports exhausted); 50 concurrent
# sipp calls through Kamailio whose SDP rtcgw rewrites, every call answered,
# RTP counted both ways on both legs of every call, every call deleted at BYE
# (dataplane legs back to zero); a call without media is dropped after
# calls.media_timeout_s; a party that moves to another port mid-call under
# the default, strict-source and media-handover.
. "$(dirname "$0")/lib.sh"

tb_init rtv 36 18116
TB_CONF_MEDIA="  port_min: 40000
  port_max: 40299
  consent_timeout_s: 30"
tb_net_up

NG_IP=198.18.37.1
NG_PORT=22236
SIP_IP=$TB_CLIENT_IP
N_CALLS=50
ip link del "${TB}r0" 2>/dev/null || true
ip link add "${TB}r0" type veth peer name "${TB}k0" netns "$TB_NS_C"
ip addr add "$NG_IP/24" dev "${TB}r0"
ip link set "${TB}r0" up
tb_c ip addr add 198.18.37.2/24 dev "${TB}k0"
tb_c ip link set "${TB}k0" up

tb_config
cat >> "$TB_CONF" <<EOC
calls:
  ng_enabled: true
  ng_listen: $NG_IP:$NG_PORT
  max_calls: 200
  media_timeout_s: 5
EOC
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches, /healthz 200" tb_start_cp || exit 1

NGC="$TB_ROOT/tests/integration/ng_client.py"
ng() { tb_c timeout 10 python3 "$NGC" "$NG_IP" "$NG_PORT" "$@"; }
reply_has() {
	local r
	r=$(ng "$1" "$2") || { tb_log "no reply to $2"; return 1; }
	printf '%s\n' "$r" | grep -qF -- "$3" || { tb_log "reply: $r"; return 1; }
}
metric_is() { [ "$(tb_metric "$1")" = "$2" ] || { tb_log "$1 = $(tb_metric "$1"), want $2"; return 1; }; }
dp_legs_zero() {
	local a r
	a=$(tb_metric rtcgw_media_leg_added_total)
	r=$(tb_metric rtcgw_media_leg_removed_total)
	[ -n "$a" ] && [ "$a" = "$r" ] && metric_is rtcgw_calls_media_legs 0
}
sdp() { # sdp IP PORT PROTO [n sections]
	local s="v=0\\r\\no=- 1 1 IN IP4 $1\\r\\ns=-\\r\\nc=IN IP4 $1\\r\\nt=0 0\\r\\n" i
	for ((i = 0; i < ${4:-1}; i++)); do
		s+="m=audio $(($2 + 2 * i)) $3 0 101\\r\\na=rtpmap:0 PCMU/8000\\r\\na=rtpmap:101 telephone-event/8000\\r\\n"
	done
	printf '%s' "$s"
}
offer() { # offer CALLID SDP
	printf '{"command":"offer","call-id":"%s","from-tag":"ft","sdp":"%s","replace":["origin"]}' "$1" "$2"
}

# 1. Errors.
tb_check "malformed bencode -> error" \
	bash -c "timeout 10 ip netns exec $TB_NS_C python3 $NGC $NG_IP $NG_PORT --raw \$(printf 'k1 d7:command5:offer' | od -An -v -tx1 | tr -d ' \n') | grep -q \$(printf 'malformed bencode' | od -An -v -tx1 | tr -d ' \n')"
tb_check "unknown command -> error" reply_has k2 '{"command":"bogus"}' "Unrecognized command 'bogus'"
tb_check "answer for an unknown call -> Unknown call-id" \
	reply_has k3 '{"command":"answer","call-id":"nope","from-tag":"a","to-tag":"b","sdp":"v=0\r\n"}' \
	'"error-reason": "Unknown call-id"'
tb_check "SDP without media -> error" \
	reply_has k4 "$(offer nomedia "v=0\\r\\no=- 1 1 IN IP4 $SIP_IP\\r\\ns=-\\r\\nc=IN IP4 $SIP_IP\\r\\nt=0 0\\r\\n")" \
	'"error-reason": "SDP without media"'
tb_check "RTP/SAVP (SDES) without a=crypto -> refused clearly" \
	reply_has k5 "$(offer savp "$(sdp $SIP_IP 30000 RTP/SAVP)")" 'no usable SDES key (no a=crypto line)'
tb_check "nothing left behind by the refusals" reply_has k6 '{"command":"list"}' '"calls": []'

# 2. One call by hand: the offer's SDP is rewritten onto the gateway's ports.
rewritten() {
	local r
	r=$(ng k7 "$(offer manual "$(sdp $SIP_IP 30000 RTP/AVP)")") || return 1
	printf '%s\n' "$r" | grep -qF "c=IN IP4 $TB_GW_IP" &&
		printf '%s\n' "$r" | grep -qF "o=- 1 1 IN IP4 $TB_GW_IP" &&
		printf '%s\n' "$r" | grep -qE 'm=audio 40[0-2][0-9][0-9] RTP/AVP 0 101' ||
		{ tb_log "reply: $r"; return 1; }
}
tb_check "offer: c=, o= and m= rewritten to the gateway's address and a pool port" rewritten
tb_check "4 dataplane legs for a 1-section call" tb_wait 3 metric_is rtcgw_calls_media_legs 4
tb_check "delete -> ok" reply_has k8 '{"command":"delete","call-id":"manual","from-tag":"ft"}' '"result": "ok"'
tb_check "dataplane legs back to 0" tb_wait 5 dp_legs_zero

# 2b. The REST calls API on the same calls code, with RTP both ways.
api_post() { tb_api -o "$TB_DIR/rest.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	--data-binary "$2" "$TB_REST/v1/calls/$1"; }
rest_call() {
	local code gwb gwa out
	code=$(api_post rc1/offer "{\"from-tag\":\"alice\",\"sdp\":\"$(sdp $SIP_IP 30000 RTP/AVP)\"}")
	[ "$code" = 200 ] || { tb_log "offer: $code $(cat "$TB_DIR/rest.json")"; return 1; }
	gwb=$(jq -r .sdp "$TB_DIR/rest.json" | sed -n 's/^m=audio \([0-9]*\) .*/\1/p')
	code=$(api_post rc1/answer "{\"from-tag\":\"alice\",\"to-tag\":\"bob\",\"sdp\":\"$(sdp $SIP_IP 30010 RTP/AVP)\"}")
	[ "$code" = 200 ] || { tb_log "answer: $code $(cat "$TB_DIR/rest.json")"; return 1; }
	gwa=$(jq -r .sdp "$TB_DIR/rest.json" | sed -n 's/^m=audio \([0-9]*\) .*/\1/p')
	RC1_GWA=$gwa
	RC1_GWB=$gwb
	out=$(tb_c timeout 10 python3 "$TB_ROOT/tests/integration/rtp_pair.py" "$SIP_IP" 30000 "$gwa" 30010 "$gwb" "$TB_GW_IP" 30)
	tb_log "REST call rc1: A<->gw $gwa, B<->gw $gwb: $out"
	[ "$out" = "a2b=30 b2a=30 pt101=10" ]
}
tb_check "REST offer/answer, RTP both ways (RFC 4733 events passed through)" rest_call
rest_legs() { # rest_legs N: both RTP legs of rc1 counted N in and N out
	local d
	d=$(tb_api "$TB_REST/v1/calls/rc1")
	[ "$(printf '%s' "$d" | jq "[.legs[] | select(.kind == \"rtp\" and .counters.rtp_in >= $1 and .counters.rtp_out >= $1)] | length")" = 2 ] ||
		{ tb_log "GET: $d"; return 1; }
}
tb_check "GET /v1/calls/rc1: both RTP legs counted 30 in and 30 out" tb_wait 4 rest_legs 30
ng_totals() {
	local r
	r=$(ng q1 '{"command":"query","call-id":"rc1"}') || return 1
	printf '%s' "$r" | jq -e '.totals.RTP.packets == 60 and .totals.RTCP.packets == 0' >/dev/null ||
		{ tb_log "query: $r"; return 1; }
}
tb_check "ng query rc1: totals RTP packets 60 (30 each way)" ng_totals
tb_check "GET /v1/calls lists rc1" bash -c "curl -s -m 5 -H 'Authorization: Bearer $TB_TOKEN' $TB_REST/v1/calls | jq -e '.calls == [\"rc1\"]' >/dev/null"
tb_check "GET of an unknown call -> 404" [ "$(tb_api -o /dev/null -w '%{http_code}' "$TB_REST/v1/calls/nope")" = 404 ]
tb_check "REST answer for an unknown call -> 404" \
	[ "$(api_post nope/answer '{"from-tag":"a","to-tag":"b","sdp":"v=0\r\n"}')" = 404 ]
tb_check "REST offer with a boolean value -> 400" [ "$(api_post rc2/offer '{"from-tag":true}')" = 400 ]

# 2c. The control plane killed with -9 under the call: RTP keeps flowing through
# the dataplane, and a restarted control plane takes the call over from its
# journal (controlplane.journal_dir): listed, counted, deleted as before.
rc1_rtp() {
	local out
	out=$(tb_c timeout 10 python3 "$TB_ROOT/tests/integration/rtp_pair.py" "$SIP_IP" 30000 \
		"$RC1_GWA" 30010 "$RC1_GWB" "$TB_GW_IP" 30)
	tb_log "rc1 RTP: $out"
	[ "$out" = "a2b=30 b2a=30 pt101=10" ]
}
tb_stop_pid "$TB_CP_PID" KILL
tb_check "control plane killed with -9: RTP still flows both ways through rc1" rc1_rtp
tb_check "a restarted control plane attaches" tb_start_cp
tb_check "it took the call over from its journal" \
	grep -q 'calls: 1 call(s) taken over from the journal' "$TB_DIR/cp.log"
tb_check "GET /v1/calls lists rc1 again" bash -c "curl -s -m 5 -H 'Authorization: Bearer $TB_TOKEN' $TB_REST/v1/calls | jq -e '.calls == [\"rc1\"]' >/dev/null"
tb_check "RTP both ways through the restored call" rc1_rtp
tb_check "its counters come from the dataplane again (90 in, 90 out per RTP leg)" tb_wait 5 rest_legs 90
tb_check "DELETE /v1/calls/rc1 -> 200" [ "$(tb_api -o /dev/null -w '%{http_code}' -X DELETE "$TB_REST/v1/calls/rc1")" = 200 ]
tb_check "its legs freed" tb_wait 5 dp_legs_zero

# 2d. ng's source rules for a party that moves (A answers from another port
# mid-call), flags on A's offer over REST: by default A's media from the new
# port is forwarded but B's still goes to the latched port; strict-source drops
# it (counted); media-handover moves A's address there and B's media follows.
move_call() { # move_call ID FLAGS_JSON BASE EXPECTED
	local code gwa gwb out
	code=$(api_post "$1/offer" "{\"from-tag\":\"alice\",\"flags\":$2,\"sdp\":\"$(sdp $SIP_IP "$3" RTP/AVP)\"}")
	[ "$code" = 200 ] || { tb_log "offer: $code $(cat "$TB_DIR/rest.json")"; return 1; }
	# the source rules act: not named in a warning as without effect
	! grep -q 'has no effect' "$TB_DIR/rest.json" || { tb_log "offer: $(cat "$TB_DIR/rest.json")"; return 1; }
	gwb=$(jq -r .sdp "$TB_DIR/rest.json" | sed -n 's/^m=audio \([0-9]*\) .*/\1/p')
	code=$(api_post "$1/answer" "{\"from-tag\":\"alice\",\"to-tag\":\"bob\",\"sdp\":\"$(sdp $SIP_IP $(($3 + 10)) RTP/AVP)\"}")
	[ "$code" = 200 ] || { tb_log "answer: $code $(cat "$TB_DIR/rest.json")"; return 1; }
	gwa=$(jq -r .sdp "$TB_DIR/rest.json" | sed -n 's/^m=audio \([0-9]*\) .*/\1/p')
	out=$(tb_c timeout 20 python3 "$TB_ROOT/tests/integration/rtp_move.py" "$SIP_IP" "$3" \
		$(($3 + 4)) "$gwa" $(($3 + 10)) "$gwb" "$TB_GW_IP" 20)
	tb_log "call $1 flags $2: $out"
	[ "$out" = "$4" ]
}
leg_src() { # leg_src ID SOURCE MISMATCH HANDOVER: A's RTP leg's rule and counters
	local d
	d=$(tb_api "$TB_REST/v1/calls/$1")
	printf '%s' "$d" | jq -e ".legs[] | select(.side == \"offerer\" and .kind == \"rtp\") |
		.source == \"$2\" and .latching and .counters.src_mismatch == $3 and
		.counters.handover == $4" >/dev/null || { tb_log "GET $1: $d"; return 1; }
}
tb_check "default: A's media from a new port forwarded, B's still to the latched port" \
	move_call mv1 '[]' 30100 "p1_a2b=20 p1_b2a=20 p2_a2b=20 p2_b2a_old=20 p2_b2a_new=0"
tb_check "strict-source: A's media from a new port dropped, B's to the latched port" \
	move_call mv2 '["strict-source"]' 30200 "p1_a2b=20 p1_b2a=20 p2_a2b=0 p2_b2a_old=20 p2_b2a_new=0"
tb_check "strict-source: the 20 counted src_mismatch on A's leg (GET source strict)" \
	tb_wait 4 leg_src mv2 strict 20 0
tb_check "media-handover: A's address moves to the new port, B's media follows" \
	move_call mv3 '["media-handover"]' 30300 "p1_a2b=20 p1_b2a=20 p2_a2b=20 p2_b2a_old=0 p2_b2a_new=20"
tb_check "media-handover: one handover counted on A's leg (GET source handover)" \
	tb_wait 4 leg_src mv3 handover 0 1
src_metrics() { metric_is rtcgw_media_src_mismatch_total 20 && metric_is rtcgw_media_handover_total 1; }
tb_check "/metrics: rtcgw_media_src_mismatch_total 20, rtcgw_media_handover_total 1" src_metrics
# (a call idle for media_timeout_s may have gone already: 404 then)
for c in mv1 mv2 mv3; do
	tb_api -o /dev/null -X DELETE "$TB_REST/v1/calls/$c"
done
tb_check "their legs freed" tb_wait 8 dp_legs_zero

# 2e. A party that changes transport mid-call, and reset. Alice
# (SIP_IP:30400) and Bob (:30410) talk plain RTP; Alice re-offers RTP/SAVP
# with a key of hers (trust-address: our media go to her SDP's port, where
# srtp_recv.py listens, whatever port ffmpeg sends from): Bob is offered plain
# RTP still, Alice is answered RTP/SAVP with our key; her SRTP (ffmpeg, her
# key; its PCMU packets hold about 180 ms each, so about 5 a second) reaches
# Bob as RTP and his 100 RTP packets reach her as SRTP that verifies under our
# key. The call's media timeout is 5 s: each step follows the last promptly. A plain re-offer puts her legs back on RTP. A re-offer with reset
# and transport-protocol=RTP/SAVP offers Bob SDES; his plain answer is refused.
KEY_A=$(head -c 30 /dev/urandom | base64)
SDES80=AES_CM_128_HMAC_SHA1_80
sv_offer() { # sv_offer PROTO EXTRA_SDP FLAGS_JSON [MORE_KEYS]: Alice's (re-)offer of sv1
	api_post sv1/offer "{\"from-tag\":\"alice\",\"flags\":$3${4:-},\"sdp\":\"v=0\\r\\no=- 1 1 IN IP4 $SIP_IP\\r\\ns=-\\r\\nc=IN IP4 $SIP_IP\\r\\nt=0 0\\r\\nm=audio 30400 $1 0 101\\r\\na=rtpmap:0 PCMU/8000\\r\\na=rtpmap:101 telephone-event/8000\\r\\n$2\"}"
}
sv_answer() { # Bob's plain answer; prints the status
	api_post sv1/answer "{\"from-tag\":\"alice\",\"to-tag\":\"bob\",\"sdp\":\"$(sdp "$SIP_IP" 30410 RTP/AVP)\"}"
}
sv_m() { jq -r .sdp "$TB_DIR/rest.json" | tr -d '\r' | sed -n 's/^m=audio \(.*\)/\1/p'; }
sv_plain() { # (re-)offer and answer in plain RTP, then RTP both ways
	local code out
	code=$(sv_offer RTP/AVP "" '[]')
	[ "$code" = 200 ] || { tb_log "offer: $code $(cat "$TB_DIR/rest.json")"; return 1; }
	SV_GWB=$(sv_m | cut -d' ' -f1)
	code=$(sv_answer)
	[ "$code" = 200 ] || { tb_log "answer: $code $(cat "$TB_DIR/rest.json")"; return 1; }
	[ "$(sv_m)" = "${SV_GWA:-$(sv_m | cut -d' ' -f1)} RTP/AVP 0 101" ] ||
		{ tb_log "answer to alice: $(sv_m)"; return 1; }
	SV_GWA=$(sv_m | cut -d' ' -f1)
	out=$(tb_c timeout 10 python3 "$TB_ROOT/tests/integration/rtp_pair.py" "$SIP_IP" 30400 \
		"$SV_GWA" 30410 "$SV_GWB" "$TB_GW_IP" 30)
	tb_log "sv1 plain: $out"
	[ "$out" = "a2b=30 b2a=30 pt101=10" ]
}
sv_transport() { # both of Alice's legs on transport $1
	local d
	d=$(tb_api "$TB_REST/v1/calls/sv1")
	[ "$(printf '%s' "$d" | jq "[.legs[] | select(.side == \"offerer\" and .transport == \"$1\")] | length")" = 2 ] ||
		{ tb_log "GET sv1: $d"; return 1; }
}
sv_sdes() {
	local code ours out rp fp
	code=$(sv_offer RTP/SAVP "a=crypto:1 $SDES80 inline:$KEY_A\\r\\n" '["trust-address"]')
	[ "$code" = 200 ] || { tb_log "re-offer: $code $(cat "$TB_DIR/rest.json")"; return 1; }
	[ "$(sv_m)" = "$SV_GWB RTP/AVP 0 101" ] || { tb_log "offer to bob: $(sv_m)"; return 1; }
	code=$(sv_answer)
	[ "$code" = 200 ] || { tb_log "answer: $code $(cat "$TB_DIR/rest.json")"; return 1; }
	[ "$(sv_m)" = "$SV_GWA RTP/SAVP 0 101" ] || { tb_log "answer to alice: $(sv_m)"; return 1; }
	ours=$(jq -r .sdp "$TB_DIR/rest.json" | tr -d '\r' | sed -n "s/^a=crypto:1 $SDES80 inline:\([^ ]*\).*/\1/p")
	[ -n "$ours" ] || { tb_log "no a=crypto for alice: $(cat "$TB_DIR/rest.json")"; return 1; }
	tb_c timeout 10 python3 "$TB_ROOT/tests/integration/srtp_recv.py" "$SIP_IP" 30400 \
		"$TB_DIR/sv-srtp.json" "$SDES80" "$ours" 4 &
	rp=$!
	tb_c timeout 10 ffmpeg -hide_banner -nostdin -loglevel warning -re \
		-f lavfi -i "sine=frequency=440:sample_rate=8000" -t 3 -ac 1 -ar 8000 \
		-c:a pcm_mulaw -payload_type 0 -f rtp -srtp_out_suite "$SDES80" \
		-srtp_out_params "$KEY_A" "srtp://$TB_GW_IP:$SV_GWA" >"$TB_DIR/sv-ffmpeg.log" 2>&1 &
	fp=$!
	out=$(tb_c timeout 10 python3 "$TB_ROOT/tests/integration/rtp_party.py" "$SIP_IP" 30410 \
		"$TB_GW_IP" "$SV_GWB" 100)
	wait "$fp" "$rp"
	tb_log "sv1 SDES: bob $out; alice's SRTP receiver $(cat "$TB_DIR/sv-srtp.json" 2>/dev/null)"
	[[ $out == got=[0-9]* ]] || return 1
	out=${out#got=}
	[ "${out%% *}" -ge 10 ] &&
		jq -e '(.ok["0"] // 0) >= 50 and (.bad | length) == 0' "$TB_DIR/sv-srtp.json" >/dev/null
}
sv_auth() { # Alice's RTP leg took her SRTP (after 30 plain): packets in, none failed authentication
	tb_api "$TB_REST/v1/calls/sv1" | jq -e '.legs[] | select(.side == "offerer" and .kind == "rtp") |
		.counters.rtp_in >= 40 and .counters.auth_fail == 0' >/dev/null
}
sv_reset() {
	local code
	code=$(sv_offer RTP/AVP "" '["reset"]' ',"transport-protocol":"RTP/SAVP"')
	[ "$code" = 200 ] || { tb_log "reset re-offer: $code $(cat "$TB_DIR/rest.json")"; return 1; }
	[ "$(sv_m)" = "$SV_GWB RTP/SAVP 0 101" ] && grep -q "a=crypto:1 $SDES80 inline:" <(jq -r .sdp "$TB_DIR/rest.json") ||
		{ tb_log "offer to bob: $(cat "$TB_DIR/rest.json")"; return 1; }
	code=$(sv_answer)
	[ "$code" = 400 ] && grep -q 'transport changed' "$TB_DIR/rest.json" ||
		{ tb_log "bob's plain answer: $code $(cat "$TB_DIR/rest.json")"; return 1; }
}
tb_check "2e: plain call sv1, RTP both ways" sv_plain
tb_check "Alice re-offers SDES: Bob still plain, Alice answered RTP/SAVP; her SRTP reaches Bob, his RTP reaches her as SRTP under our key" sv_sdes
sv_legs_sdes() { sv_transport SDES && sv_auth; }
tb_check "GET sv1: Alice's legs SDES, her SRTP counted in, no authentication failure" \
	tb_wait 4 sv_legs_sdes
tb_check "Alice re-offers plain RTP: RTP both ways again" sv_plain
tb_check "GET sv1: Alice's legs RTP again" sv_transport RTP
tb_check "a re-offer with reset and transport-protocol=RTP/SAVP offers Bob SDES; his plain answer -> 400 'transport changed'" sv_reset
tb_check "DELETE /v1/calls/sv1 -> 200" [ "$(tb_api -o /dev/null -w '%{http_code}' -X DELETE "$TB_REST/v1/calls/sv1")" = 200 ]
tb_check "its legs freed" tb_wait 5 dp_legs_zero

# 3. Ports exhausted: 300 ports, 16-section offers take 64 each.
for i in 1 2 3 4; do ng "x$i" "$(offer "big$i" "$(sdp $SIP_IP 30000 RTP/AVP 16)")" >/dev/null; done
tb_check "ports exhausted -> error" \
	reply_has x5 "$(offer big5 "$(sdp $SIP_IP 30000 RTP/AVP 16)")" 'no free media ports'
for i in 1 2 3 4; do ng "y$i" "{\"command\":\"delete\",\"call-id\":\"big$i\"}" >/dev/null; done
tb_check "after deleting them: legs back to 0" tb_wait 5 dp_legs_zero

# 4. Media timeout: an offer nobody sends media to is dropped after 5 s.
ng t1 "$(offer idle "$(sdp $SIP_IP 30000 RTP/AVP)")" >/dev/null
tb_check "call without media: 'media timeout' logged" tb_wait 12 grep -q "call idle: media timeout" "$TB_DIR/cp.log"
tb_check "and the call is gone" reply_has t2 '{"command":"query","call-id":"idle"}' 'Unknown call-id'
tb_check "its legs freed" tb_wait 5 dp_legs_zero

# 5. Kamailio + sipp: 50 concurrent calls.
KAM_MODS=$(dirname "$(dpkg -L kamailio 2>/dev/null | grep -m1 '/modules/rtpengine\.so$')")
if ! command -v kamailio >/dev/null || ! command -v sipp >/dev/null || [ ! -f "$KAM_MODS/rtpengine.so" ]; then
	tb_check "kamailio (rtpengine module) and sipp are installed (scripts/setup.sh)" false
	tb_done
	exit
fi
KAM_RUN=$TB_DIR/kam
mkdir -p "$KAM_RUN" "$TB_DIR/sipp/pcap"
ln -s /usr/share/sip-tester/g711a.pcap /usr/share/sip-tester/dtmf_2833_1.pcap "$TB_DIR/sipp/pcap/"
(exec ip netns exec "$TB_NS_C" kamailio -DD -E -Y "$KAM_RUN" -m 64 -M 8 \
	-f "$TB_ROOT/tests/integration/kamailio/kamailio.cfg" -A CALLS \
	-A "UAS_URI=\"sip:$SIP_IP:5072\"" \
	-A "SIP_LISTEN=udp:$SIP_IP:5060" -A "NG_SOCK=\"udp:$NG_IP:$NG_PORT\"" \
	-A "CTL_SOCK=\"unix:$KAM_RUN/ctl\"" -A "MOD_PATH=\"$KAM_MODS/\"" >"$TB_DIR/kamailio.log" 2>&1) &
TB_PIDS+=("$!")
tb_check "Kamailio's rtpengine module finds rtcgw" tb_wait 20 grep -q \
	"rtpengine instance <udp:$NG_IP:$NG_PORT> found, support for it enabled" "$TB_DIR/kamailio.log"

(cd "$TB_DIR/sipp" && exec ip netns exec "$TB_NS_C" sipp -sn uas -i "$SIP_IP" -p 5072 \
	-mi "$SIP_IP" -mp 16000 -rtp_echo -nostdin >"$TB_DIR/sipp/uas.out" 2>&1) &
TB_PIDS+=("$!")
sleep 1
offers0=$(tb_metric rtcgw_ng_cmd_offer_total)
errors0=$(tb_metric rtcgw_ng_cmd_error_total)
(cd "$TB_DIR/sipp" && timeout 90 ip netns exec "$TB_NS_C" sipp -sn uac_pcap "$SIP_IP:5060" \
	-i "$SIP_IP" -p 5071 -mi "$SIP_IP" -mp 20000 -s service -m $N_CALLS -l $N_CALLS -r $N_CALLS \
	-rp 1000 -recv_timeout 30000 -timeout 60 -nostdin \
	-trace_err -error_file "$TB_DIR/sipp/uac_err.log" -trace_stat -stf "$TB_DIR/sipp/uac.csv" \
	>"$TB_DIR/sipp/uac.out" 2>&1)
UAC_RC=$?
tb_log "sipp UAC exit $UAC_RC; $(grep -E 'Successful call|Failed call' "$TB_DIR/sipp/uac.out" | tr -s ' ' | tr '\n' ';')"
tb_check "sipp UAC: all $N_CALLS calls successful (exit 0)" [ "$UAC_RC" -eq 0 ]
tb_check "rtcgw got $N_CALLS offers from Kamailio" metric_is rtcgw_ng_cmd_offer_total $((offers0 + N_CALLS))
tb_check "rtcgw got $N_CALLS answers" tb_wait 2 tb_metric_ge rtcgw_ng_cmd_answer_total $N_CALLS
tb_check "no ng command failed during the calls" metric_is rtcgw_ng_cmd_error_total "$errors0"
counted() {
	local n
	n=$(grep -E 'msg="call [0-9]+-[0-9]+@[0-9.]+: deleted:' "$TB_DIR/cp.log" |
		grep -E 'A0 rtp_in=[1-9][0-9]* rtp_out=[1-9][0-9]* .* B0 rtp_in=[1-9][0-9]* rtp_out=[1-9][0-9]* ' | wc -l)
	[ "$n" -eq "$N_CALLS" ] || { tb_log "$n calls with media counted both ways on both legs"; return 1; }
}
tb_check "every call deleted at BYE with RTP counted in and out on both legs" tb_wait 5 counted
tb_check "no call left" reply_has z1 '{"command":"list"}' '"calls": []'
tb_check "dataplane legs back to 0" tb_wait 5 dp_legs_zero
tb_check "Kamailio logged no rtpengine error" \
	bash -c "! grep -E 'proxy replied with error|rtpengine answer failed' '$TB_DIR/kamailio.log'"
tb_check "dataplane still healthy" tb_healthz_ok
tb_done
