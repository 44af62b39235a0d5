#!/usr/bin/env bash
# A call's WebRTC leg whose DTLS handshake had not happened when the control
# plane died (issue 9): a headless Chromium offers through the calls API
# (POST /v1/calls/cT/offer, transport-protocol RTP/AVP), the SIP side answers,
# and before the browser has the answer (so before ICE and DTLS) the control
# plane is killed with -9 and started again. The new one takes the call over
# from its journal with a fresh DTLS endpoint for the leg (its role, the
# journaled certificate the answer announced, the browser's fingerprint). The
# browser then gets the answer: ICE (the dataplane's) and the DTLS handshake
# (with the new control plane) complete, ffmpeg's PCMU into the SIP leg is
# heard by the browser (packetsReceived growing, totalAudioEnergy > 0), the
# browser's audio reaches an ffmpeg receiver as a WAV that is not silence,
# both RTP legs count media in and out; DELETE frees every leg.
# (2) A second call, cU, the same way up to the SIP answer; then the control
# plane is killed and the browser gets the answer while none runs. ICE is
# the dataplane's alone and connects; the browser's ClientHello finds no
# control plane (the dataplane queues what it punts, up to its punt ring),
# and DTLS stays down. One started again takes cU over with a fresh DTLS
# endpoint, which takes the queued ClientHello and the browser's
# retransmissions (a DTLS client resends its flight on a doubling timer,
# RFC 6347 4.2.4) and completes the handshake: audio both ways, as in (1).
# (3) A third call, cV: the control plane dies after its first DTLS flight
# went out. An iptables rule in the browser's namespace lets its ClientHello
# out and drops the rest of its DTLS; once it has dropped some (the browser had
# our flight and sent its next), the control plane is killed, the filter
# removed and one started again. OpenSSL cannot resume a handshake: the new
# endpoint answers the browser's resent flight with a fatal alert, the
# browser's connection fails within seconds (instead of resending into
# silence), and a re-offer from a new RTCPeerConnection under the same
# from-tag sets the leg up again: audio both ways, as in (1).
#
#   netns rgtc (browser, ffmpeg, page server 127.0.0.1:18261)   netns rgtg
#   rgtc0 198.18.82.1/24 <================ veth ================> rgtg0 (dataplane 198.18.82.2)
#   control plane REST 127.0.0.1:18260, ng 127.0.0.1:18262
. "$(dirname "$0")/lib.sh"

PAGE_PORT=18261
SECS=70
RECV_S=8

. "$(dirname "$0")/calls_lib.sh"
calls_init rgt 82 18260

tb_net_up
tb_config
calls_conf 18262 16
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent
SIP_IP=$TB_CLIENT_IP
cr_page_start

# journaled CALL: the journal holds CALL answered (its rules set)
journaled() {
	jq -e --arg id "$1" '[.. | objects | select(.id? == $id and .rules_set == true)] | length == 1' \
		"$TB_DIR/journal/$TB.journal.json" >/dev/null
}
# plain_sdp ORIGIN PORT EXTRA: the SIP side's PCMU SDP on PORT, then EXTRA (escapes as printf %b)
plain_sdp() {
	printf 'v=0\r\no=%s 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n%b' \
		"$1" "$SIP_IP" "$SIP_IP" "$2" "$3"
}
# up_to_answer PAGE CALL RECV LABEL [PAGE_ARGS]: browser PAGE offers CALL
# through the calls API (RTP/AVP for the SIP side), the SIP side answers
# (receiving on RECV), the journal holds it; GW: the gateway's port for the
# SIP side; the answer's reply in $TB_DIR/answer-PAGE.out, the request in
# $TB_DIR/answer-PAGE.json
up_to_answer() {
	local page=$1 call=$2 recv=$3 label=$4 extra=${5:-}

	chrome_start "$page" "mode=calloffer&call=$call&ftag=browser&secs=$SECS$extra&ng=$(urlq '{"transport-protocol":"RTP/AVP"}')"
	tb_check "${label}the browser's offer through POST /v1/calls/$call/offer -> 200, RTP/AVP for the SIP side" \
		tb_wait 30 jassert "$page" "r.get('status') == 200 and ' RTP/AVP ' in r.get('sip', '')"
	jpy "$page" "r['sip']" >"$TB_DIR/offer-$page.sdp"
	GW=$(m_port "$TB_DIR/offer-$page.sdp" audio)
	plain_sdp sip "$recv" 'a=sendrecv\r\n' >"$TB_DIR/answer-$page.sdp"
	json_sdp "$TB_DIR/answer-$page.sdp" '{"from-tag":"browser","to-tag":"sip","flags":["trust-address"]}' \
		>"$TB_DIR/answer-$page.json"
	tb_check "${label}the SIP side's answer through POST /v1/calls/$call/answer -> 200" \
		test "$(api_post "$call/answer" "$TB_DIR/answer-$page.out" "$TB_DIR/answer-$page.json")" = 200
	# the answer's rules are in the journal (written in the loop turn after the reply)
	tb_check "${label}the journal holds the answered call $call" tb_wait 5 journaled "$call"
}

RECV=30000
up_to_answer ct cT "$RECV" ""
tb_check "no DTLS handshake yet (the browser has not seen the answer)" \
	bash -c "! grep -q 'WebRTC leg DTLS connected' '$TB_DIR/cp.log'"

tb_stop_pid "$TB_CP_PID" KILL
tb_check "a restarted control plane attaches" tb_start_cp
tb_check "it took the call over from its journal" \
	grep -q 'calls: 1 call(s) taken over from the journal' "$TB_DIR/cp.log"
tb_check "the leg's DTLS endpoint is made again (server: the browser is the client)" \
	grep -qE "call cT: WebRTC leg on port [0-9]+: its DTLS handshake \(server\) starts again" "$TB_DIR/cp.log"

# only now the browser gets the answer (the first control plane's, whose
# fingerprint is the journaled certificate's)
jq -j .sdp "$TB_DIR/answer-ct.out" >"$RES/ct.box.tmp" && mv "$RES/ct.box.tmp" "$RES/ct.box"
plain_sdp - "$RECV" "" >"$TB_DIR/recv-t.sdp"
ffmpeg_recv t "$TB_DIR/recv-t.sdp"
ffmpeg_send t "$GW"
hears() {
	jassert ct "s.get('conn') == 'connected' and len(r['samples']) >= 3 and s['audioIn'] > r['samples'][-3]['audioIn'] > 0 and s['audioEnergy'] > 0"
}
tb_check "the browser's DTLS connects with the new control plane; ffmpeg's PCMU heard" tb_wait 40 hears
tb_check "the new control plane's DTLS endpoint connected (its keys in the dataplane)" \
	grep -q "call cT: WebRTC leg DTLS connected" "$TB_DIR/cp.log"
tb_check "browser -> plain RTP: ffmpeg's WAV written" tb_wait 40 recv_done t
tb_check "... and it is not silence" wav_loud t
legs_counted() {
	local d
	d=$(tb_api "$TB_REST/v1/calls/cT")
	[ "$(printf '%s' "$d" | jq '[.legs[] | select(.kind == "rtp" and .counters.rtp_in > 50 and .counters.rtp_out > 50 and .counters.auth_fail == 0)] | length')" = 2 ] ||
		{ tb_log "GET cT: $d"; return 1; }
}
tb_check "GET /v1/calls/cT: both RTP legs >50 in and out, no auth failures" tb_wait 5 legs_counted
legs_freed() {
	local a r
	a=$(tb_metric rtcgw_media_leg_added_total)
	r=$(tb_metric rtcgw_media_leg_removed_total)
	[ -n "$a" ] && [ "$a" = "$r" ]
}
# end_call PAGE CALL LABEL: the page's and control plane's logs when a check
# failed, the browser stopped, DELETE, every dataplane leg freed
end_call() {
	if [ "$TB_FAIL" != 0 ]; then
		tb_log "--- page: $(tail -c 2000 "$RES/$1.log" 2>/dev/null)"
		tb_log "--- controlplane: $(grep -iE 'call|dtls|ice|journal' "$TB_DIR/cp.log" | tail -20)"
	fi
	chrome_stop_all
	tb_check "${3}DELETE /v1/calls/$2 -> 200" \
		[ "$(tb_api -o /dev/null -w '%{http_code}' -X DELETE "$TB_REST/v1/calls/$2")" = 200 ]
	tb_check "${3}every dataplane leg the call made is freed (added == removed)" tb_wait 10 legs_freed
}
end_call ct cT ""

# ---- (2) the browser starts its handshake while no control plane runs ------------
RECV_U=30010
up_to_answer cu cU "$RECV_U" "(2) "
GW_U=$GW
tb_stop_pid "$TB_CP_PID" KILL
jq -j .sdp "$TB_DIR/answer-cu.out" >"$RES/cu.box.tmp" && mv "$RES/cu.box.tmp" "$RES/cu.box"
ice_no_dtls() {
	jassert cu "s.get('ice') in ('connected', 'completed') and s.get('conn') != 'connected'"
}
tb_check "(2) no control plane running: the browser's ICE connects (the dataplane's ICE-lite), DTLS does not" \
	tb_wait 30 ice_no_dtls
# a few of the browser's ClientHello retransmissions go unanswered
sleep 3
tb_check "(2) 3 s later DTLS is still not connected" ice_no_dtls
tb_check "(2) a control plane started again attaches" tb_start_cp
tb_check "(2) it takes cU over with its DTLS endpoint made again (server)" \
	grep -qE "call cU: WebRTC leg on port [0-9]+: its DTLS handshake \(server\) starts again" "$TB_DIR/cp.log"
plain_sdp - "$RECV_U" "" >"$TB_DIR/recv-u.sdp"
ffmpeg_recv u "$TB_DIR/recv-u.sdp"
ffmpeg_send u "$GW_U"
hears_u() {
	jassert cu "s.get('conn') == 'connected' and len(r['samples']) >= 3 and s['audioIn'] > r['samples'][-3]['audioIn'] > 0 and s['audioEnergy'] > 0"
}
tb_check "(2) the ClientHello sent while none ran (queued, then resent) completes DTLS with the new control plane; ffmpeg's PCMU heard" \
	tb_wait 60 hears_u
tb_check "(2) the new control plane's DTLS endpoint for cU connected" \
	grep -q "call cU: WebRTC leg DTLS connected" "$TB_DIR/cp.log"
tb_check "(2) browser -> plain RTP: ffmpeg's WAV written" tb_wait 40 recv_done u
tb_check "(2) ... and it is not silence" wav_loud u
end_call cu cU "(2) "

# ---- (3) the restart after our first flight: the browser fails now; a re-offer ---------
RECV_V=30020
up_to_answer cv cV "$RECV_V" "(3) " "&renew=box"
GW_V=$GW
# The browser's DTLS records to the gateway (first byte 20-23) leave its
# namespace only when they are a ClientHello (a handshake record whose
# message type, byte 13, is 1): iptables' u32 match on the UDP payload.
U32_AT='0>>22&0x3C@'
tb_c iptables -A OUTPUT -p udp -d "$TB_GW_IP" -m u32 \
	--u32 "${U32_AT}8>>24=0x16 && ${U32_AT}21>>24=0x01" -j ACCEPT
tb_c iptables -A OUTPUT -p udp -d "$TB_GW_IP" -m u32 --u32 "${U32_AT}8>>24=0x14:0x17" -j DROP
dtls_held() { # the DROP rule has dropped something
	tb_c iptables -L OUTPUT -v -n -x | awk '$3 == "DROP" { n += $1 } END { exit !(n > 0) }'
}
jq -j .sdp "$TB_DIR/answer-cv.out" >"$RES/cv.box.tmp" && mv "$RES/cv.box.tmp" "$RES/cv.box"
tb_check "(3) the browser had our first DTLS flight: its next flight held back in its namespace" \
	tb_wait 30 dtls_held
tb_check "(3) ... and the control plane has not connected cV's DTLS" \
	bash -c "! grep -q 'call cV: WebRTC leg DTLS connected' '$TB_DIR/cp.log'"
tb_stop_pid "$TB_CP_PID" KILL
tb_c iptables -F OUTPUT
tb_check "(3) a control plane started again attaches" tb_start_cp
tb_check "(3) it takes cV over with its DTLS endpoint made again (server)" \
	grep -qE "call cV: WebRTC leg on port [0-9]+: its DTLS handshake \(server\) starts again" "$TB_DIR/cp.log"
failed_v() {
	grep -q "call cV: WebRTC leg DTLS failed: the party's handshake began before the control plane restarted" \
		"$TB_DIR/cp.log" && jassert cv "s.get('conn') == 'failed'"
}
tb_check "(3) the browser's resent flight gets an alert: its connection fails within 20 s, the control plane says why" \
	tb_wait 20 failed_v
echo go >"$RES/cv-renew-go.box"
tb_check "(3) a new peer connection re-offers under the same from-tag (new fingerprint) -> 200" \
	tb_wait 20 jassert cv "r.get('renew', {}).get('offered') and r['renew']['fingerprint'] != r['renew']['oldFingerprint'] and 'm=audio $GW_V RTP/AVP' in r['renew']['sip']"
tb_check "(3) the SIP side's answer again -> 200" \
	test "$(api_post cV/answer "$TB_DIR/renew-v.out" "$TB_DIR/answer-cv.json")" = 200
jq -j .sdp "$TB_DIR/renew-v.out" >"$RES/cv-renew.box.tmp" && mv "$RES/cv-renew.box.tmp" "$RES/cv-renew.box"
plain_sdp - "$RECV_V" "" >"$TB_DIR/recv-v.sdp"
ffmpeg_recv v "$TB_DIR/recv-v.sdp"
ffmpeg_send v "$GW_V"
hears_v() { # the new peer connection connected and hears ffmpeg
	jassert cv "r['renew'].get('status') == 200 and [x for x in r['samples'] if x['t'] > r['renew']['at'] + 2000] and s['conn'] == 'connected' and s.get('localUfrag') == r['renew']['localUfrag'] and s['audioIn'] > [x for x in r['samples'] if x['t'] > r['renew']['at'] + 2000][0]['audioIn'] > 0 and s['audioEnergy'] > 0"
}
tb_check "(3) the new peer connection's DTLS connects with the new control plane; ffmpeg's PCMU heard" \
	tb_wait 40 hears_v
tb_check "(3) the new control plane's DTLS endpoint for cV connected" \
	grep -q "call cV: WebRTC leg DTLS connected" "$TB_DIR/cp.log"
tb_check "(3) browser -> plain RTP: ffmpeg's WAV written" tb_wait 40 recv_done v
tb_check "(3) ... and it is not silence" wav_loud v
end_call cv cV "(3) "
tb_done
