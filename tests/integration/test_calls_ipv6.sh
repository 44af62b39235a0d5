#!/usr/bin/env bash
# A SIP call bridged to a browser over IPv6 (issue 9): both parties reach the
# gateway's IPv6 address. The browser (headless Chromium, fake microphone)
# offers through the calls API (POST /v1/calls/c6/offer) with
# transport-protocol RTP/AVP and "address family": "IP6", so the SIP side is
# offered c=IN IP6 with the media port's address6; the SIP side (ffmpeg)
# answers with its own IPv6 address. Then:
#  - the browser's answer carries a host candidate of each family on the one
#    media port; Chromium (which prefers an IPv6 pair) selects the gateway's
#    IPv6 address: the ICE nomination and the DTLS handshake (punted to the
#    control plane, answered through the tx ring) run over IPv6;
#  - ffmpeg's PCMU sent to [address6]:port is heard by the browser
#    (packetsReceived growing, totalAudioEnergy > 0), and the browser's audio
#    reaches an ffmpeg receiver on the SIP side's IPv6 address as a WAV that
#    is not silence;
#  - GET /v1/calls/c6 shows the SIP legs' IPv6 peer and media counted both
#    ways on both RTP legs; DELETE frees every dataplane leg.
#
#   netns rgkc (browser, ffmpeg)                        netns rgkg
#   rgkc0 198.18.79.1/24, 2001:2:0:79::1/64 <= veth => rgkg0 (dataplane 198.18.79.2,
#   media_page.py on 127.0.0.1:18241                          2001:2:0:79::2/64, media 40000-40099)
#   control plane REST 127.0.0.1:18240
. "$(dirname "$0")/lib.sh"

PAGE_PORT=18241
SECS=80
RECV_S=8
GW6=2001:2:0:79::2
CL6=2001:2:0:79::1
RECV=30040

. "$(dirname "$0")/calls_lib.sh"
calls_init rgk 79 18240

tb_net_up
tb_client_ipv6 "$CL6/64"
tb_config
sed -i "s|^      gateway: $TB_CLIENT_IP\$|&\n      address6: $GW6/64\n      gateway6: $CL6|" "$TB_CONF"
calls_conf 18242 16
tb_check "config carries address6" grep -q "address6: $GW6/64" "$TB_CONF"
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent
tb_check "ping6 $GW6 (the client resolved the dataplane by NDP)" \
	tb_c ping -6 -c 2 -i 0.2 -W 2 "$GW6"

cr_page_start
dump() {
	local f
	for f in "$RES/c6.log" "$RES/c6.result.json"; do
		[ -f "$f" ] && { tb_log "--- $f"; tail -c 2500 "$f" | sed 's/^/#   /'; echo; }
	done
	tb_log "--- call: $(tb_api "$TB_REST/v1/calls/c6" | head -c 3000)"
	curl -s "$TB_REST/metrics" | grep -E '^rtcgw_(media|ipc_punt|ice)' | grep -v ' 0$' | sed 's/^/# /'
	tb_log "--- controlplane: $(grep -iE 'call|dtls|ice' "$TB_DIR/cp.log" 2>/dev/null | tail -20)"
}
bail() {
	[ "$TB_FAIL" = 0 ] && return 0
	dump
	tb_done
	exit 1
}
added0=$(tb_metric rtcgw_media_leg_added_total)
removed0=$(tb_metric rtcgw_media_leg_removed_total)

chrome_start c6 "mode=calloffer&call=c6&ftag=browser&secs=$SECS&ng=$(urlq '{"transport-protocol":"RTP/AVP","address family":"IP6"}')"
tb_check "browser's offer with address family IP6 -> 200: RTP/AVP for the SIP side on c=IN IP6 $GW6" \
	tb_wait 30 jassert c6 "r.get('status') == 200 and re.search(r'm=audio [0-9]+ RTP/AVP( [0-9]+)* 0[ \r]', r.get('sip', '')) and 'c=IN IP6 $GW6\r\n' in r['sip'] and 'IP4' not in r['sip']"
bail
jpy c6 "r['sip']" >"$TB_DIR/offer.sdp"
GW_P=$(m_port "$TB_DIR/offer.sdp" audio)
printf 'v=0\r\no=sip 1 1 IN IP6 %s\r\ns=-\r\nc=IN IP6 %s\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n' \
	"$CL6" "$CL6" "$RECV" >"$TB_DIR/answer.sdp"
json_sdp "$TB_DIR/answer.sdp" '{"from-tag":"browser","to-tag":"sip","flags":["trust-address"]}' >"$TB_DIR/answer.json"
tb_check "the SIP side's IPv6 answer -> 200" \
	test "$(api_post c6/answer "$TB_DIR/answer.out" "$TB_DIR/answer.json")" = 200
bail
jq -j .sdp "$TB_DIR/answer.out" >"$RES/c6.box.tmp" && mv "$RES/c6.box.tmp" "$RES/c6.box"
two_cands() {
	grep -qE "^a=candidate:[0-9]+ 1 udp [0-9]+ $TB_GW_IP [0-9]+ typ host" "$RES/c6.box" &&
		grep -qE "^a=candidate:[0-9]+ 1 udp [0-9]+ $GW6 [0-9]+ typ host" "$RES/c6.box"
}
tb_check "the browser's answer: a host candidate of each family ($TB_GW_IP, $GW6) on one port" two_cands

# the SIP side: ffmpeg sends PCMU to [address6]:port and records what comes back
printf 'v=0\r\no=- 1 1 IN IP6 %s\r\ns=-\r\nc=IN IP6 %s\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n' \
	"$CL6" "$CL6" "$RECV" >"$TB_DIR/recv.sdp"
ffmpeg_recv c6 "$TB_DIR/recv.sdp"
CALLS_GW="[$GW6]" ffmpeg_send c6 "$GW_P"

fail0=$TB_FAIL
hears() {
	jassert c6 "s.get('conn') == 'connected' and len(r['samples']) >= 3 and s['audioIn'] > r['samples'][-3]['audioIn'] > 0 and s['audioEnergy'] > 0"
}
tb_check "SIP (IPv6) -> browser: ffmpeg's PCMU heard (packetsReceived growing, totalAudioEnergy > 0)" \
	tb_wait 45 hears
tb_log "c6: $(jpy c6 "r.get('last')")"
tb_check "the browser's selected candidate pair: remote $GW6 (ICE and DTLS over IPv6)" \
	jassert c6 "s.get('remote') == '$GW6'"
tb_check "browser -> SIP (IPv6): ffmpeg's WAV written" tb_wait 40 recv_done c6
tb_check "... and it is not silence" wav_loud c6
legs_ok() {
	local d
	d=$(tb_api "$TB_REST/v1/calls/c6")
	[ "$(printf '%s' "$d" | jq '[.legs[] | select(.kind == "rtp" and .counters.rtp_in > 50 and .counters.rtp_out > 50 and .counters.auth_fail == 0)] | length')" = 2 ] &&
		[ "$(printf '%s' "$d" | jq -r '.legs[] | select(.side == "answerer" and .kind == "rtp") | .peer')" = "[$CL6]:$RECV" ] ||
		{ tb_log "GET c6: $d"; return 1; }
}
tb_check "GET /v1/calls/c6: both RTP legs >50 in and out, no auth failures; the SIP leg's peer [$CL6]:$RECV" \
	tb_wait 5 legs_ok
if [ "$TB_FAIL" != "$fail0" ]; then
	dump
	for f in "$TB_DIR"/send-c6.log "$TB_DIR"/recv-c6.log; do tb_log "--- $f"; sed 's/^/#   /' "$f" | tail -5; done
fi
chrome_stop_all
tb_check "DELETE /v1/calls/c6 -> 200" \
	test "$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X DELETE -H "Authorization: Bearer $TB_TOKEN" "$TB_REST/v1/calls/c6")" = 200
legs_freed() {
	[ $(($(tb_metric rtcgw_media_leg_added_total) - added0)) -gt 0 ] &&
		[ $(($(tb_metric rtcgw_media_leg_added_total) - added0)) = $(($(tb_metric rtcgw_media_leg_removed_total) - removed0)) ]
}
tb_check "every dataplane leg the call made is freed (added == removed)" tb_wait 10 legs_freed
tb_done
