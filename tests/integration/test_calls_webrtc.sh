#!/usr/bin/env bash
# SIP side to browser through rtcgw's calls API (issue 9): one call per kind
# of SIP leg, each bridged to a headless Chromium on the call's WebRTC leg
# (ICE-lite, DTLS-SRTP, rtcp-mux, BUNDLE), media from and to Debian's ffmpeg:
#  (a) plain RTP: the browser offers (POST /v1/calls/cA/offer with
#      transport-protocol RTP/AVP), the SIP side answers (/answer);
#  (b) SDES-SRTP: the SIP side offers RTP/SAVP with a=crypto
#      AES_CM_128_HMAC_SHA1_80 and ICE=force DTLS=passive
#      transport-protocol=UDP/TLS/RTP/SAVPF, the browser answers.
# In each call ffmpeg sends PCMU (PT 0, lavfi sine) into the SIP leg (srtp://
# with -srtp_out_suite/-srtp_out_params for SDES) and the browser receives it
# (inbound packetsReceived growing, totalAudioEnergy > 0); the browser's fake
# microphone reaches a second ffmpeg that receives on the SIP side's address
# (an SDP file input, with the gateway's a=crypto for SDES) and writes a WAV
# whose samples are not silence. Then (a)'s browser restarts ICE the SIP way
# (restartIce(), its new offer POSTed as a re-offer, the SIP side answers
# again): the gateway's answer carries new ICE credentials (same fingerprint,
# same port), the dataplane answers checks with the new ones only, the
# browser reconnects on them, media keeps flowing both ways; a control plane
# killed and restarted after that takes the call over with the new
# credentials (a repeated re-offer is no restart) and the first control
# plane's generated certificate (the same fingerprint, from the journal). Last, a new peer
# connection in (a)'s page takes the leg over (new fingerprint and ufrag, a
# re-offer under the same from-tag): a new DTLS association whose keys carry
# the media both ways. Then both calls are deleted and every dataplane leg
# is freed.
#
#   netns rgcc (client: browsers, ffmpeg, page server)     netns rgcg
#   rgcc0 198.18.48.1/24 <============ veth ============> rgcg0 (dataplane 198.18.48.2,
#   media_page.py on 127.0.0.1:18136 (page + /v1 proxy          media 40000-40099)
#     to the REST API on the host's 127.0.0.1:18135)
. "$(dirname "$0")/lib.sh"

PAGE_PORT=18136
SECS=100                      # each page's lifetime
RECV_S=8                      # seconds of audio each ffmpeg receiver writes

. "$(dirname "$0")/calls_lib.sh"
calls_init rgc 48 18135

tb_net_up
tb_config
calls_conf 18137 16
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent

SIP_IP=$TB_CLIENT_IP
cr_page_start
dump() {
	local f
	for f in "$RES/$1.log" "$RES/$1.result.json"; do
		[ -f "$f" ] && { tb_log "--- $f"; tail -c 2500 "$f" | sed 's/^/#   /'; echo; }
	done
	tb_log "--- call: $(tb_api "$TB_REST/v1/calls/$2" | head -c 3000)"
	curl -s "$TB_REST/metrics" | grep -E '^rtcgw_(media|ipc_punt|ice)' | grep -v ' 0$' | sed 's/^/# /'
}
M() { tb_metric "rtcgw_$1"; }
# bail PAGE CALL: signalling failed, media checks would only wait: stop here.
bail() {
	[ "$TB_FAIL" = 0 ] && return 0
	dump "$1" "$2"
	for f in "$TB_DIR"/*.out; do [ -f "$f" ] && tb_log "$f: $(cat "$f")"; done
	tb_done
	exit 1
}


# ---- (a) plain RTP leg: the browser offers ----------------------------------------
RECV_A=30000
chrome_start ca "mode=calloffer&call=cA&ftag=browser&secs=$SECS&restart=box&renew=box&ng=$(urlq '{"transport-protocol":"RTP/AVP"}')"
tb_check "(a) browser's offer through POST /v1/calls/cA/offer -> 200, RTP/AVP for the SIP side" \
	tb_wait 30 jassert ca "r.get('status') == 200 and re.search(r'm=audio [0-9]+ RTP/AVP( [0-9]+)* 0[ \r]', r.get('sip', '')) and 'a=crypto' not in r['sip'] and 'a=ice' not in r['sip']"
bail ca cA
jpy ca "r['sip']" >"$TB_DIR/a-offer.sdp"
GW_A=$(m_port "$TB_DIR/a-offer.sdp" audio)
printf 'v=0\r\no=sip 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n' \
	"$SIP_IP" "$SIP_IP" "$RECV_A" >"$TB_DIR/a-answer.sdp"
json_sdp "$TB_DIR/a-answer.sdp" '{"from-tag":"browser","to-tag":"sip","flags":["trust-address"]}' >"$TB_DIR/a-answer.json"
tb_check "(a) SIP side's answer through POST /v1/calls/cA/answer -> 200, UDP/TLS/RTP/SAVPF for the browser" \
	test "$(api_post cA/answer "$TB_DIR/a-answer.out" "$TB_DIR/a-answer.json")" = 200
bail ca cA
# written whole, then renamed: the page polls for it
jq -j .sdp "$TB_DIR/a-answer.out" >"$RES/ca.box.tmp" && mv "$RES/ca.box.tmp" "$RES/ca.box"
tb_check "(a) the browser's answer: ICE-lite, setup:passive, our candidate, PCMU only" \
	bash -c "grep -q '^a=ice-lite' '$RES/ca.box' && grep -q '^a=setup:passive' '$RES/ca.box' && grep -q '^m=audio [0-9]* UDP/TLS/RTP/SAVPF 0\$' <(tr -d '\r' <'$RES/ca.box') && grep -q 'typ host' '$RES/ca.box'"
# the receiver's SDP: where the SIP side said it receives
printf 'v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n' \
	"$SIP_IP" "$SIP_IP" "$RECV_A" >"$TB_DIR/recv-a.sdp"

# ---- (b) SDES-SRTP leg: the SIP side offers -----------------------------------------
RECV_B=30010
KEY_B=$(head -c 30 /dev/urandom | base64)
printf 'v=0\r\no=sip 2 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %s RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\na=sendrecv\r\n' \
	"$SIP_IP" "$SIP_IP" "$RECV_B" "$KEY_B" >"$TB_DIR/b-offer.sdp"
json_sdp "$TB_DIR/b-offer.sdp" '{"from-tag":"sip","ICE":"force","DTLS":"passive","transport-protocol":"UDP/TLS/RTP/SAVPF","flags":["trust-address"]}' >"$TB_DIR/b-offer.json"
tb_check "(b) SIP side's SDES offer with ICE=force DTLS=passive UDP/TLS/RTP/SAVPF -> 200" \
	test "$(api_post cB/offer "$TB_DIR/b-offer.out" "$TB_DIR/b-offer.json")" = 200
bail cb cB
jq -j .sdp "$TB_DIR/b-offer.out" >"$RES/cb.box.tmp" && mv "$RES/cb.box.tmp" "$RES/cb.box"
tb_check "(b) the browser's offer: ICE-lite, setup:passive, fingerprint, rtcp-mux, BUNDLE, no a=crypto" \
	bash -c "grep -q '^a=ice-lite' '$RES/cb.box' && grep -q '^a=setup:passive' '$RES/cb.box' && grep -q '^a=fingerprint:sha-256' '$RES/cb.box' && grep -q '^a=rtcp-mux' '$RES/cb.box' && grep -q '^a=group:BUNDLE' '$RES/cb.box' && ! grep -q 'a=crypto' '$RES/cb.box'"
chrome_start cb "mode=callanswer&call=cB&ftag=sip&ttag=browser&secs=$SECS"
tb_check "(b) browser's answer through POST /v1/calls/cB/answer -> 200, RTP/SAVP with our a=crypto for the SIP side" \
	tb_wait 30 jassert cb "r.get('status') == 200 and ' RTP/SAVP 0' in r.get('sip', '') and 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:' in r['sip']"
bail cb cB
jpy cb "r['sip']" >"$TB_DIR/b-answer.sdp"
GW_B=$(m_port "$TB_DIR/b-answer.sdp" audio)
CRYPTO_B=$(grep -m1 '^a=crypto:' "$TB_DIR/b-answer.sdp" | tr -d '\r')
tb_check "(b) the gateway's key is its own, not the SIP side's" \
	bash -c "[ -n '$CRYPTO_B' ] && ! grep -qF '$KEY_B' <<<'$CRYPTO_B'"
printf 'v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %s RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n%s\r\n' \
	"$SIP_IP" "$SIP_IP" "$RECV_B" "$CRYPTO_B" >"$TB_DIR/recv-b.sdp"

# ---- media both ways -------------------------------------------------------------------
ffmpeg_recv a "$TB_DIR/recv-a.sdp"
ffmpeg_recv b "$TB_DIR/recv-b.sdp"
ffmpeg_send a "$GW_A"
ffmpeg_send b "$GW_B" AES_CM_128_HMAC_SHA1_80 "$KEY_B"
tb_log "call cA: SIP side <-> gateway port $GW_A; call cB: SIP side <-> gateway port $GW_B"
hears() { # NAME: inbound audio packetsReceived growing, totalAudioEnergy > 0
	jassert "$1" "s.get('conn') == 'connected' and len(r['samples']) >= 3 and s['audioIn'] > r['samples'][-3]['audioIn'] > 0 and s['audioEnergy'] > 0"
}
fail0=$TB_FAIL
tb_check "(a) plain RTP -> browser: ffmpeg's PCMU heard (packetsReceived growing, totalAudioEnergy > 0)" tb_wait 40 hears ca
tb_check "(b) SDES-SRTP -> browser: ffmpeg's SRTP PCMU heard (packetsReceived growing, totalAudioEnergy > 0)" tb_wait 30 hears cb
tb_log "ca: $(jpy ca "r.get('last')")"
tb_log "cb: $(jpy cb "r.get('last')")"
tb_check "(a) browser -> plain RTP: ffmpeg's WAV written" tb_wait 40 recv_done a
tb_check "(a) ... and it is not silence" wav_loud a
tb_check "(b) browser -> SDES-SRTP: ffmpeg (a=crypto SDP input) WAV written" tb_wait 20 recv_done b
tb_check "(b) ... and it is not silence" wav_loud b
legs_counted() { # CALL: every SIP-side and WebRTC RTP leg received and sent media
	local d
	d=$(tb_api "$TB_REST/v1/calls/$1")
	[ "$(printf '%s' "$d" | jq '[.legs[] | select(.kind == "rtp" and .counters.rtp_in > 50 and .counters.rtp_out > 50 and .counters.auth_fail == 0)] | length')" = 2 ] ||
		{ tb_log "GET $1: $d"; return 1; }
}
tb_check "(a) GET /v1/calls/cA: both RTP legs >50 in and out, no auth failures" tb_wait 5 legs_counted cA
tb_check "(b) GET /v1/calls/cB: both RTP legs >50 in and out, no auth failures" tb_wait 5 legs_counted cB
if [ "$TB_FAIL" != "$fail0" ]; then
	dump ca cA
	dump cb cB
	for f in "$TB_DIR"/send-*.log "$TB_DIR"/recv-*.log; do tb_log "--- $f"; sed 's/^/#   /' "$f" | tail -5; done
	tb_log "--- controlplane: $(grep -iE 'call|dtls|ice' "$TB_DIR/cp.log" 2>/dev/null | tail -20)"
fi

# ---- (a) ICE restart by a re-offer from the browser ----------------------------------------
# leg_cnt CALL SIDE FIELD: a counter of SIDE's (offerer/answerer) RTP leg
leg_cnt() { tb_api "$TB_REST/v1/calls/$1" | jq -r ".legs[] | select(.kind == \"rtp\" and .side == \"$2\") | .counters.$3"; }
sdp_attr() { sed -n "s/^a=$2:\(.*\)/\1/p" "$1" | head -1 | tr -d '\r'; }
CNTS="offerer:rtp_in offerer:rtp_out answerer:rtp_in answerer:rtp_out"
declare -A CNT0
cnt_mark() { local c; for c in $CNTS; do CNT0[$c]=$(leg_cnt cA "${c%%:*}" "${c#*:}"); done; }
# grown MIN: media kept flowing both ways on both legs since cnt_mark, MIN
# packets more on each (ffmpeg's PCMU packets carry about 180 ms each);
# GROWN says by how much
grown() {
	local c v ok=0
	GROWN=
	for c in $CNTS; do
		v=$(leg_cnt cA "${c%%:*}" "${c#*:}")
		GROWN+="$c ${CNT0[$c]}->$v "
		[ "${v:-0}" -ge $((CNT0[$c] + $1)) ] || ok=1
	done
	return $ok
}
cnt_mark
OLD_U=$(sdp_attr "$RES/ca.box" ice-ufrag)
OLD_P=$(sdp_attr "$RES/ca.box" ice-pwd)
echo go >"$RES/ca-go.box"
fail0=$TB_FAIL
tb_check "(a) ICE restart: the browser's re-offer (new ice-ufrag) through POST /v1/calls/cA/offer -> 200, same SIP-side port" \
	tb_wait 20 jassert ca "r.get('restart', {}).get('offered') and r.get('status') == 200 and 'm=audio $GW_A RTP/AVP' in r['restart']['sip']"
bail ca cA
B_NEW=$(jpy ca "r['restart']['localUfrag']")
tb_check "(a) SIP side's answer again -> 200" \
	test "$(api_post cA/answer "$TB_DIR/a-reanswer.out" "$TB_DIR/a-answer.json")" = 200
bail ca cA
jq -j .sdp "$TB_DIR/a-reanswer.out" >"$RES/ca-re.box.tmp" && mv "$RES/ca-re.box.tmp" "$RES/ca-re.box"
NEW_U=$(sdp_attr "$RES/ca-re.box" ice-ufrag)
NEW_P=$(sdp_attr "$RES/ca-re.box" ice-pwd)
tb_log "gateway ICE credentials: ufrag $OLD_U -> $NEW_U; browser's ufrag now $B_NEW"
reanswer_ok() {
	[ -n "$NEW_U" ] && [ "$NEW_U" != "$OLD_U" ] && [ -n "$NEW_P" ] && [ "$NEW_P" != "$OLD_P" ] &&
		[ "$(sdp_attr "$RES/ca-re.box" fingerprint)" = "$(sdp_attr "$RES/ca.box" fingerprint)" ] &&
		[ "$(sdp_attr "$RES/ca-re.box" setup)" = passive ] &&
		[ "$(m_port "$RES/ca-re.box" audio)" = "$(m_port "$RES/ca.box" audio)" ]
}
tb_check "(a) the answer to the restart: new ice-ufrag and ice-pwd; the same fingerprint, setup:passive and port" \
	reanswer_ok
after_restart() { # ICE connected again on the new credentials, audio still heard
	jassert ca "r['restart'].get('status') == 200 and r['restart'].get('ufrag') == '$NEW_U' and [x for x in r['samples'] if x['t'] > r['restart']['at'] + 2000] and s['ice'] in ('connected', 'completed') and s.get('localUfrag') == r['restart']['localUfrag'] and s['audioIn'] > [x for x in r['samples'] if x['t'] > r['restart']['at'] + 2000][0]['audioIn'] and s['audioEnergy'] > 0"
}
tb_check "(a) after the restart: the browser's ICE connected on its new credentials, ffmpeg's audio still heard" \
	tb_wait 30 after_restart
ice_leg_new() {
	tb_api "$TB_REST/v1/ice/legs" | jq -e --arg u "$NEW_U" --arg r "$B_NEW" \
		'[.legs[] | select(.local_ufrag == $u and .remote_ufrag == $r and .state == "nominated")] | length == 1' >/dev/null
}
tb_check "(a) GET /v1/ice/legs: the leg has the new local and remote ufrag, nominated again" tb_wait 10 ice_leg_new
WEB_PORT=$(m_port "$RES/ca-re.box" audio)
stun() { tb_c python3 "$TB_ROOT/tests/integration/stun_peer.py" "$TB_GW_IP" "$WEB_PORT" ice "$@"; }
tb_check "(a) an ICE check with the new credentials ($NEW_U:$B_NEW, new password): answered, MI verified" \
	stun --user "$NEW_U:$B_NEW" --pwd "$NEW_P"
tb_check "(a) an ICE check with the old credentials ($OLD_U, old password): 401" \
	stun --user "$OLD_U:$B_NEW" --pwd "$OLD_P" --expect 401
tb_check "(a) ... and with the new ufrag but the old password: 401" \
	stun --user "$NEW_U:$B_NEW" --pwd "$OLD_P" --expect 401
auth_none() { [ "$(leg_cnt cA offerer auth_fail)" = 0 ]; }
tb_check "(a) the dataplane's counters: both RTP legs 20 more packets in and out since before the restart" \
	tb_wait 15 grown 20
tb_log "since before the restart: $GROWN"
tb_check "(a) ... and no authentication failure on the WebRTC leg" auth_none
restart_logged() {
	grep -q 'call cA: WebRTC leg on port [0-9]*: ICE restart' "$TB_DIR/cp.log" &&
		! grep -q 'call cA: .*new DTLS association' "$TB_DIR/cp.log"
}
tb_check "(a) the control plane logged the ICE restart, no new DTLS association" restart_logged
# The journal holds the new credentials (the ICE section's ufrag in plain
# text; the call's side, with the password, compressed): a control plane
# killed now takes the call over with them.
tb_check "(a) the journal has the new ufrag" tb_wait 10 grep -rqs "\"$NEW_U\"" "$TB_DIR/journal"
tb_stop_pid "$TB_CP_PID" KILL
tb_check "(a) a control plane killed after the ICE restart and started again attaches" tb_start_cp
tb_check "(a) ... and takes both calls over from its journal" \
	grep -q 'calls: 2 call(s) taken over from the journal' "$TB_DIR/cp.log"
python3 -c 'import json,sys; print(json.dumps({"from-tag": "browser", "transport-protocol": "RTP/AVP", "sdp": json.load(open(sys.argv[1]))["restart"]["offer"]}))' \
	"$RES/ca.result.json" >"$TB_DIR/a-reoffer2.json"
tb_check "(a) the browser's restart offer again (same ufrag) to the new control plane -> 200" \
	test "$(api_post cA/offer "$TB_DIR/a-reoffer2.out" "$TB_DIR/a-reoffer2.json")" = 200
tb_check "(a) ... the SIP side's answer -> 200" \
	test "$(api_post cA/answer "$TB_DIR/a-reanswer2.out" "$TB_DIR/a-answer.json")" = 200
jq -j .sdp "$TB_DIR/a-reanswer2.out" >"$TB_DIR/a-reanswer2.sdp"
journaled_creds() {
	[ "$(sdp_attr "$TB_DIR/a-reanswer2.sdp" ice-ufrag)" = "$NEW_U" ] &&
		[ "$(sdp_attr "$TB_DIR/a-reanswer2.sdp" ice-pwd)" = "$NEW_P" ] &&
		[ "$(grep -c 'call cA: WebRTC leg on port [0-9]*: ICE restart' "$TB_DIR/cp.log")" = 1 ]
}
tb_check "(a) ... its answer has the journaled credentials ($NEW_U and its password): no second restart" \
	journaled_creds
# No media.dtls_certificate here: the first control plane generated its
# certificate, and the restarted one took it over from the journal, so the
# running association's fingerprint is still the one announced.
tb_check "(a) ... and the first control plane's fingerprint (its generated certificate, journaled)" \
	test "$(sdp_attr "$TB_DIR/a-reanswer2.sdp" fingerprint)" = "$(sdp_attr "$RES/ca.box" fingerprint)"
tb_check "(a) ... the restarted control plane logged the certificate's takeover" \
	grep -q 'DTLS certificate taken over from the journal' "$TB_DIR/cp.log"
tb_check "(a) ICE checks with the new credentials still answered" stun --user "$NEW_U:$B_NEW" --pwd "$NEW_P"
cnt_fresh() { # the new control plane's first figures, of every leg
	local c
	for c in $CNTS; do [ "$(leg_cnt cA "${c%%:*}" "${c#*:}")" -gt 0 ] || return 1; done
}
tb_wait 5 cnt_fresh
cnt_mark
tb_check "(a) media still flowing both ways under the new control plane (20 more packets in and out on both legs)" \
	tb_wait 15 grown 20
tb_log "under the new control plane: $GROWN"

# ---- (a) a new DTLS association: the browser's leg replaced by a new peer connection ------
# A new RTCPeerConnection (new certificate: new a=fingerprint; new ICE
# credentials) re-offers under the same from-tag, and the old one is closed:
# the gateway restarts ICE and runs a new DTLS handshake, and only keys
# exported from it can carry the media both ways now.
cnt_mark
echo go >"$RES/ca-renew-go.box"
tb_check "(a) new peer connection: its re-offer (new fingerprint, new ufrag) through POST /v1/calls/cA/offer -> 200" \
	tb_wait 20 jassert ca "r.get('renew', {}).get('offered') and r['renew']['fingerprint'] != r['renew']['oldFingerprint'] and 'm=audio $GW_A RTP/AVP' in r['renew']['sip']"
bail ca cA
tb_check "(a) SIP side's answer again -> 200" \
	test "$(api_post cA/answer "$TB_DIR/a-renew.out" "$TB_DIR/a-answer.json")" = 200
bail ca cA
jq -j .sdp "$TB_DIR/a-renew.out" >"$RES/ca-renew.box.tmp" && mv "$RES/ca-renew.box.tmp" "$RES/ca-renew.box"
# (the restarted control plane's certificate: the first one's, from the journal)
renew_answer_ok() {
	[ "$(sdp_attr "$RES/ca-renew.box" ice-ufrag)" != "$NEW_U" ] &&
		[ "$(sdp_attr "$RES/ca-renew.box" setup)" = passive ] &&
		[ "$(sdp_attr "$RES/ca-renew.box" fingerprint)" = "$(sdp_attr "$TB_DIR/a-reanswer2.sdp" fingerprint)" ]
}
tb_check "(a) ... its answer: new ICE credentials, the control plane's fingerprint, setup:passive" renew_answer_ok
tb_log "fingerprint of the first control plane: $(sdp_attr "$RES/ca.box" fingerprint | cut -c1-30)..., of the restarted one (journaled): $(sdp_attr "$RES/ca-renew.box" fingerprint | cut -c1-30)..."
after_renew() { # the new peer connection connected and hears ffmpeg
	jassert ca "r['renew'].get('status') == 200 and [x for x in r['samples'] if x['t'] > r['renew']['at'] + 2000] and s['conn'] == 'connected' and s.get('localUfrag') == r['renew']['localUfrag'] and s['audioIn'] > [x for x in r['samples'] if x['t'] > r['renew']['at'] + 2000][0]['audioIn'] > 0 and s['audioEnergy'] > 0"
}
tb_check "(a) the new peer connection: DTLS connected, ffmpeg's audio heard (protected with the new keys)" \
	tb_wait 30 after_renew
renew_logged() {
	grep -q 'call cA: WebRTC leg on port [0-9]*: new DTLS association (a=fingerprint), DTLS server' "$TB_DIR/cp.log" &&
		[ "$(grep -c 'call cA: WebRTC leg DTLS connected' "$TB_DIR/cp.log")" = 2 ]
}
tb_check "(a) the control plane logged the new DTLS association and its keys installed" tb_wait 5 renew_logged
tb_check "(a) the dataplane's counters: both RTP legs 20 more packets in and out (the new keys both ways)" \
	tb_wait 15 grown 20
tb_log "since the new association's re-offer: $GROWN"
tb_log "cA offerer (WebRTC) leg after the new association: $(tb_api "$TB_REST/v1/calls/cA" | jq -c '.legs[] | select(.kind == "rtp" and .side == "offerer") | .counters | {rtp_in, rtp_out, auth_fail, replay, dropped}')"
if [ "$TB_FAIL" != "$fail0" ]; then
	dump ca cA
	tb_log "--- controlplane: $(grep -iE 'call|dtls|ice' "$TB_DIR/cp.log" 2>/dev/null | tail -30)"
fi

# ---- teardown ----------------------------------------------------------------------------
chrome_stop_all
tb_check "DELETE /v1/calls/cA and cB -> 200" \
	bash -c "[ \"\$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X DELETE -H 'Authorization: Bearer $TB_TOKEN' $TB_REST/v1/calls/cA)\" = 200 ] && [ \"\$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X DELETE -H 'Authorization: Bearer $TB_TOKEN' $TB_REST/v1/calls/cB)\" = 200 ]"
legs_freed() { [ "$(M calls_media_legs)" = 0 ] && [ "$(M media_leg_added_total)" = "$(M media_leg_removed_total)" ]; }
tb_check "every dataplane leg freed" tb_wait 5 legs_freed
tb_check "dataplane still healthy" tb_healthz_ok
tb_done
