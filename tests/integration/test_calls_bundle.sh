#!/usr/bin/env bash
# A SIP video call bridged to a browser (issue 9, BUNDLE): the browser
# (headless Chromium, fake camera and microphone) offers audio+video through
# the calls API (POST /v1/calls/cV/offer, transport-protocol RTP/AVP); the
# SIP side gets m=audio and m=video on two port pairs, answers with PCMU on
# one port and VP8 on another; the browser's answer has both sections on one
# port (a=group:BUNDLE with its own mids, rtcp-mux). Then:
#  - ffmpeg sends PCMU (PT 0) to the audio section's gateway port and VP8
#    (PT 96) to the video section's: the browser's getStats shows inbound
#    audio and video packetsReceived growing and video framesDecoded > 0;
#  - the browser's audio and video, bundled on its one 5-tuple, come out on
#    the SIP side's two ports, each with its own payload type only (a small
#    UDP receiver counts packets per port and payload type).
# ffmpeg's VP8 comes in packets of its default 1472 bytes: with the SRTP tag
# they exceed the 1500-byte MTU toward the browser, which the gateway sends
# in IPv4 fragments (IPV4_FRAG_OUT moves; the browser still decodes).
# Then a second call, cS, whose SIP side is SDES-SRTP with both sections
# (transport-protocol RTP/SAVP: a=crypto in each section of the gateway's
# offer, keys of its own per section; the SIP side's answer picks
# AES_CM_128_HMAC_SHA1_80 for audio and AES_CM_128_HMAC_SHA1_32 for video,
# with its own key per section): ffmpeg sends SRTP audio and video with
# those keys and suites (srtp://, -srtp_out_params) and the browser decodes
# them; the browser's audio reaches an ffmpeg that decrypts with the
# gateway's audio key (an SDP file input with a=crypto) and writes a WAV
# that is not silence, its video the SIP side's video port, VP8 only, every
# packet's 32-bit tag verified with the gateway's video key (srtp_recv.py).
#
#   netns rgbc (client: browser, ffmpeg, receiver)       netns rgbg
#   rgbc0 198.18.76.1/24 <============ veth ============> rgbg0 (dataplane 198.18.76.2,
#   media_page.py on 127.0.0.1:18221                           media 40000-40099)
. "$(dirname "$0")/lib.sh"

PAGE_PORT=18221
SECS=90

. "$(dirname "$0")/calls_lib.sh"
calls_init rgb 76 18220

tb_net_up
tb_config
calls_conf 18222 4
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent

SIP_IP=$TB_CLIENT_IP
RECV=30000                    # the SIP side's audio port; video on RECV+2
cr_page_start
dump() { # [PAGE CALL]: cv cV unless named
	local f n=${1:-cv} call=${2:-cV}
	for f in "$RES/$n.log" "$RES/$n.result.json"; do
		[ -f "$f" ] && { tb_log "--- $f"; tail -c 2500 "$f" | sed 's/^/#   /'; echo; }
	done
	tb_log "--- call: $(tb_api "$TB_REST/v1/calls/$call" | head -c 4000)"
	curl -s "$TB_REST/metrics" | grep -E '^rtcgw_(media|ipc_punt|ice)' | grep -v ' 0$' | sed 's/^/# /'
	tb_log "--- controlplane: $(grep -iE 'call|dtls|ice' "$TB_DIR/cp.log" 2>/dev/null | tail -20)"
}
bail() {
	[ "$TB_FAIL" = 0 ] && return 0
	dump
	tb_done
	exit 1
}

# ---- signalling -------------------------------------------------------------------
chrome_start cv "mode=calloffer&video=1&call=cV&ftag=browser&secs=$SECS&ng=$(urlq '{"transport-protocol":"RTP/AVP"}')"
tb_check "browser's audio+video offer through POST /v1/calls/cV/offer -> 200: two RTP/AVP sections, no BUNDLE, for the SIP side" \
	tb_wait 40 jassert cv "r.get('status') == 200 and re.search(r'm=audio [0-9]+ RTP/AVP', r.get('sip', '')) and re.search(r'm=video [0-9]+ RTP/AVP', r['sip']) and 'BUNDLE' not in r['sip'] and 'a=ice' not in r['sip']"
bail
jpy cv "r['sip']" >"$TB_DIR/offer.sdp"
GW_A=$(m_port "$TB_DIR/offer.sdp" audio)
GW_V=$(m_port "$TB_DIR/offer.sdp" video)
tb_check "the SIP side's sections on two port pairs ($GW_A, $GW_V)" \
	test -n "$GW_A" -a "$GW_V" = "$((GW_A + 2))"
# the browser's VP8 payload type (the SIP side answers with it)
VP8=$(tr -d '\r' <"$TB_DIR/offer.sdp" | sed -n 's/^a=rtpmap:\([0-9]*\) VP8\/90000$/\1/p' | head -1)
tb_log "browser's VP8 payload type: $VP8"
printf 'v=0\r\no=sip 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %s RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\nm=video %s RTP/AVP %s\r\na=rtpmap:%s VP8/90000\r\na=sendrecv\r\n' \
	"$SIP_IP" "$SIP_IP" "$RECV" "$((RECV + 2))" "$VP8" "$VP8" >"$TB_DIR/answer.sdp"
json_sdp "$TB_DIR/answer.sdp" '{"from-tag":"browser","to-tag":"sip","flags":["trust-address"]}' >"$TB_DIR/answer.json"
tb_check "SIP side's audio+video answer through POST /v1/calls/cV/answer -> 200" \
	test "$(api_post cV/answer "$TB_DIR/answer.out" "$TB_DIR/answer.json")" = 200
bail
jq -j .sdp "$TB_DIR/answer.out" >"$RES/cv.box.tmp" && mv "$RES/cv.box.tmp" "$RES/cv.box"
bundled() {
	local f=$RES/cv.box a v ma mv
	a=$(m_port "$f" audio)
	v=$(m_port "$f" video)
	ma=$(tr -d '\r' <"$TB_DIR/offer.sdp" | sed -n 's/^a=mid://p' | head -1)
	mv=$(tr -d '\r' <"$TB_DIR/offer.sdp" | sed -n 's/^a=mid://p' | sed -n 2p)
	tb_log "browser's answer: audio port $a, video port $v; the browser's mids '$ma' '$mv'"
	[ -n "$a" ] && [ "$a" = "$v" ] &&
		grep -q "^a=group:BUNDLE $ma $mv\$" <(tr -d '\r' <"$f") &&
		[ "$(grep -c '^a=rtcp-mux' "$f")" = 2 ] &&
		grep -q "^a=mid:$ma\$" <(tr -d '\r' <"$f") && grep -q "^a=mid:$mv\$" <(tr -d '\r' <"$f") &&
		grep -q '^a=ice-lite' "$f"
}
tb_check "the browser's answer: both sections on one port, a=group:BUNDLE with the browser's mids, a=mid and a=rtcp-mux in each" \
	bundled

# ---- media both ways -------------------------------------------------------------
# the SIP side's receiver: packets per (port, payload type) for 20 s
tb_c timeout 40 python3 - "$SIP_IP" "$RECV" "$TB_DIR/sip-recv.json" <<'EOP' &
import json, select, socket, sys, time
ip, base, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
socks = {}
for p in (base, base + 2):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, p))
    socks[s.fileno()] = (s, p)
count = {}
end = time.time() + 20
while time.time() < end:
    r, _, _ = select.select(list(socks), [], [], 0.5)
    for fd in r:
        s, p = socks[fd]
        d = s.recv(2048)
        if len(d) >= 12 and d[0] >> 6 == 2:
            k = "%d/%d" % (p, d[1] & 0x7f)
            count[k] = count.get(k, 0) + 1
    json.dump(count, open(out + ".tmp", "w"))
json.dump(count, open(out, "w"))
EOP
RECV_PID=$!
TB_PIDS+=("$RECV_PID")
# VP8 in ffmpeg's default packets of up to 1472 bytes: the keyframes' fill
# the MTU, so with the SRTP tag toward the browser they go in fragments
FRAG0=$(tb_metric rtcgw_ipv4_frag_out_total)
tb_c timeout 100 ffmpeg -hide_banner -nostdin -loglevel warning -re \
	-f lavfi -i "sine=frequency=440:sample_rate=8000" \
	-f lavfi -i "testsrc=size=320x240:rate=15" -t 80 \
	-map 0:a -ac 1 -ar 8000 -c:a pcm_mulaw -payload_type 0 -f rtp "rtp://$TB_GW_IP:$GW_A" \
	-map 1:v -c:v libvpx -deadline realtime -cpu-used 8 -b:v 300k -g 15 \
	-payload_type "$VP8" -f rtp "rtp://$TB_GW_IP:$GW_V" >"$TB_DIR/send.log" 2>&1 &
SEND_V=$!
TB_PIDS+=("$SEND_V")
tb_log "call cV: SIP side audio <-> gateway port $GW_A, video <-> $GW_V; browser on one port"
fail0=$TB_FAIL
receives() { # inbound audio and video packetsReceived growing, frames decoded
	jassert cv "s.get('conn') == 'connected' and len(r['samples']) >= 3 and s['audioIn'] > r['samples'][-3]['audioIn'] > 0 and s['videoIn'] > r['samples'][-3]['videoIn'] > 0 and s['framesDecoded'] > 0"
}
tb_check "SIP audio+video -> browser: audio and video packetsReceived growing, video framesDecoded > 0" \
	tb_wait 45 receives
tb_log "cv: $(jpy cv "r.get('last')")"
tb_check "... the MTU-size VP8 packets went to the browser in IPv4 fragments (IPV4_FRAG_OUT moved)" \
	test "$(tb_metric rtcgw_ipv4_frag_out_total)" -gt "${FRAG0:-0}"
recv_done() { ! kill -0 "$RECV_PID" 2>/dev/null; }
tb_check "the SIP side's receiver finished" tb_wait 40 recv_done
tb_log "SIP side received (port/PT: packets): $(cat "$TB_DIR/sip-recv.json" 2>/dev/null)"
split_ok() { # audio PT 0 on the audio port only, VP8 on the video port only
	python3 - "$TB_DIR/sip-recv.json" "$RECV" "$VP8" <<'EOP'
import json, sys
c, a, vp8 = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
ok = c.get("%d/0" % a, 0) > 50 and c.get("%d/%s" % (a + 2, vp8), 0) > 50
ok = ok and all(k.startswith("%d/" % a) == (k.split("/")[1] == "0") for k in c)
sys.exit(0 if ok else 1)
EOP
}
tb_check "browser -> SIP: audio (PT 0) on the audio port, VP8 (PT $VP8) on the video port, >50 each, nothing crossed" \
	split_ok
legs_counted() { # every RTP leg of the call received and sent media
	local d
	d=$(tb_api "$TB_REST/v1/calls/cV")
	[ "$(printf '%s' "$d" | jq '[.legs[] | select(.kind == "rtp" and .counters.rtp_in > 50 and .counters.rtp_out > 50 and .counters.auth_fail == 0)] | length')" = 3 ] ||
		{ tb_log "GET cV: $d"; return 1; }
}
tb_check "GET /v1/calls/cV: the WebRTC leg and both SIP-side RTP legs >50 in and out, no auth failures" \
	tb_wait 5 legs_counted
[ "$TB_FAIL" != "$fail0" ] && { dump; tb_log "--- send.log: $(tail -5 "$TB_DIR/send.log")"; }

# ---- a control plane restart takes the bundled call over (journal) ------------------
# the SIP side's counters: the restarted control plane's figures grow
sip_rtp_out() { tb_api "$TB_REST/v1/calls/cV" | jq -r ".legs[] | select(.side == \"answerer\" and .kind == \"rtp\" and .section == $1) | .counters.rtp_out"; }
tb_stop_pid "$TB_CP_PID" KILL
tb_check "a control plane killed mid-call and started again attaches" tb_start_cp
tb_check "... and takes the call over from its journal" \
	grep -q 'calls: 1 call(s) taken over from the journal' "$TB_DIR/cp.log"
tb_check "the SIP side's answer again -> 200" \
	test "$(api_post cV/answer "$TB_DIR/reanswer.out" "$TB_DIR/answer.json")" = 200
jq -j .sdp "$TB_DIR/reanswer.out" >"$TB_DIR/reanswer.sdp"
same_bundle() { # the journaled side: the same port, the browser's mids, the same credentials
	[ "$(m_port "$TB_DIR/reanswer.sdp" audio)" = "$(m_port "$RES/cv.box" audio)" ] &&
		[ "$(m_port "$TB_DIR/reanswer.sdp" video)" = "$(m_port "$RES/cv.box" audio)" ] &&
		[ "$(grep '^a=group:BUNDLE' "$TB_DIR/reanswer.sdp")" = "$(grep '^a=group:BUNDLE' "$RES/cv.box")" ] &&
		[ "$(grep '^a=ice-ufrag' "$TB_DIR/reanswer.sdp" | head -1)" = "$(grep '^a=ice-ufrag' "$RES/cv.box" | head -1)" ]
}
tb_check "... its answer for the browser: the same port, BUNDLE group and ICE credentials" same_bundle
A0=$(sip_rtp_out 0); A0=${A0:-0}
V0=$(sip_rtp_out 1); V0=${V0:-0}
flowing() { [ "$(sip_rtp_out 0)" -gt "$((A0 + 20))" ] && [ "$(sip_rtp_out 1)" -gt "$((V0 + 20))" ]; }
tb_check "media still flows to both SIP sections under the new control plane" tb_wait 15 flowing
tb_log "SIP side's rtp_out: audio $A0 -> $(sip_rtp_out 0), video $V0 -> $(sip_rtp_out 1)"
tb_check "... and the browser still decodes video" \
	tb_wait 10 jassert cv "s['framesDecoded'] > r['samples'][-3]['framesDecoded'] and s['audioIn'] > r['samples'][-3]['audioIn']"

# ---- teardown ----------------------------------------------------------------------
chrome_stop_all
# the sender stops with its call (cS reuses the call's ports)
tb_stop_tree "$SEND_V"
tb_check "DELETE /v1/calls/cV -> 200" \
	test "$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X DELETE -H "Authorization: Bearer $TB_TOKEN" "$TB_REST/v1/calls/cV")" = 200
legs_freed() { [ "$(tb_metric rtcgw_calls_media_legs)" = 0 ] && [ "$(tb_metric rtcgw_media_leg_added_total)" = "$(tb_metric rtcgw_media_leg_removed_total)" ]; }
tb_check "every dataplane leg freed" tb_wait 5 legs_freed

# ---- cS: an SDES-SRTP SIP side with audio and video ------------------------------
bail_s() {
	[ "$TB_FAIL" = 0 ] && return 0
	dump cs cS
	tb_done
	exit 1
}
chrome_start cs "mode=calloffer&video=1&call=cS&ftag=browser&secs=$SECS&ng=$(urlq '{"transport-protocol":"RTP/SAVP"}')"
tb_check "(SDES) browser's audio+video offer -> 200: two RTP/SAVP sections, a=crypto in each, no BUNDLE, for the SIP side" \
	tb_wait 40 jassert cs "r.get('status') == 200 and re.search(r'm=audio [0-9]+ RTP/SAVP ', r.get('sip', '')) and re.search(r'm=video [0-9]+ RTP/SAVP ', r['sip']) and len(r['sip'].split('m=')) == 3 and all('a=crypto:' in x for x in r['sip'].split('m=')[1:]) and 'BUNDLE' not in r['sip']"
bail_s
jpy cs "r['sip']" >"$TB_DIR/s-offer.sdp"
GS_A=$(m_port "$TB_DIR/s-offer.sdp" audio)
GS_V=$(m_port "$TB_DIR/s-offer.sdp" video)
VP8S=$(tr -d '\r' <"$TB_DIR/s-offer.sdp" | sed -n 's/^a=rtpmap:\([0-9]*\) VP8\/90000$/\1/p' | head -1)
sec_crypto() { # FILE KIND SUITE: the section's a=crypto line for SUITE
	tr -d '\r' <"$1" | awk -v k="$2" -v c="$3" '/^m=/ { in_s = ($0 ~ "^m=" k " ") }
		in_s && $1 ~ /^a=crypto:[0-9]+$/ && $2 == c && $3 ~ /^inline:/ { print; exit }'
}
inline_of() { sed -n 's/^a=crypto:[0-9]* [A-Z0-9_]* inline:\([^| ]*\).*/\1/p' <<<"$1"; }
OC_A=$(sec_crypto "$TB_DIR/s-offer.sdp" audio AES_CM_128_HMAC_SHA1_80)
OC_V=$(sec_crypto "$TB_DIR/s-offer.sdp" video AES_CM_128_HMAC_SHA1_32)
OC_V80=$(sec_crypto "$TB_DIR/s-offer.sdp" video AES_CM_128_HMAC_SHA1_80)
tb_log "(SDES) gateway: audio $GS_A '$OC_A', video $GS_V '$OC_V', VP8 PT $VP8S"
tb_check "(SDES) the gateway offers AES_CM_128_HMAC_SHA1_80 and _32 in both sections" \
	test -n "$OC_A" -a -n "$OC_V" -a -n "$OC_V80"
tb_check "(SDES) a key per section: the audio and video sections' AES_CM_128_HMAC_SHA1_80 keys differ" \
	test -n "$(inline_of "$OC_A")" -a "$(inline_of "$OC_A")" != "$(inline_of "$OC_V80")"
bail_s
RECV_S=30020                  # the SIP side's audio port; video on RECV_S+2
KEY_SA=$(head -c 30 /dev/urandom | base64)
KEY_SV=$(head -c 30 /dev/urandom | base64)
TAG_A=$(sed 's/^a=crypto:\([0-9]*\) .*/\1/' <<<"$OC_A")
TAG_V=$(sed 's/^a=crypto:\([0-9]*\) .*/\1/' <<<"$OC_V")
printf 'v=0\r\no=sip 3 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %s RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\na=crypto:%s AES_CM_128_HMAC_SHA1_80 inline:%s\r\na=sendrecv\r\nm=video %s RTP/SAVP %s\r\na=rtpmap:%s VP8/90000\r\na=crypto:%s AES_CM_128_HMAC_SHA1_32 inline:%s\r\na=sendrecv\r\n' \
	"$SIP_IP" "$SIP_IP" "$RECV_S" "$TAG_A" "$KEY_SA" "$((RECV_S + 2))" "$VP8S" "$VP8S" "$TAG_V" "$KEY_SV" \
	>"$TB_DIR/s-answer.sdp"
json_sdp "$TB_DIR/s-answer.sdp" '{"from-tag":"browser","to-tag":"sip","flags":["trust-address"]}' >"$TB_DIR/s-answer.json"
tb_check "(SDES) SIP side's answer, its own key and suite in each section (_80 audio, _32 video) -> 200" \
	test "$(api_post cS/answer "$TB_DIR/s-answer.out" "$TB_DIR/s-answer.json")" = 200
bail_s
jq -j .sdp "$TB_DIR/s-answer.out" >"$RES/cs.box.tmp" && mv "$RES/cs.box.tmp" "$RES/cs.box"
bundled_s() {
	local f=$RES/cs.box
	[ -n "$(m_port "$f" audio)" ] && [ "$(m_port "$f" audio)" = "$(m_port "$f" video)" ] &&
		grep -q '^a=group:BUNDLE' "$f" && grep -q '^a=fingerprint:sha-256' "$f" &&
		! grep -q 'a=crypto' "$f"
}
tb_check "(SDES) the browser's answer: one port, BUNDLE, DTLS (no a=crypto)" bundled_s
# the SIP side's receivers: ffmpeg decrypts the audio with the gateway's
# key (what the gateway sends with); the video port checks each packet's
# SRTP tag with the gateway's video key (_32)
printf 'v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio %s RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n%s\r\n' \
	"$SIP_IP" "$SIP_IP" "$RECV_S" "$OC_A" >"$TB_DIR/s-recv.sdp"
tb_c timeout 40 ffmpeg -hide_banner -nostdin -loglevel warning \
	-protocol_whitelist file,udp,rtp,srtp,crypto -i "$TB_DIR/s-recv.sdp" -t 8 -ac 1 -y \
	"$TB_DIR/s-recv.wav" >"$TB_DIR/s-recv.log" 2>&1 &
SRECV_PID=$!
TB_PIDS+=("$SRECV_PID")
tb_check "(SDES) srtp_recv.py's key derivation matches RFC 3711 B.3" \
	python3 "$TB_ROOT/tests/integration/srtp_recv.py" --selftest
tb_c timeout 40 python3 "$TB_ROOT/tests/integration/srtp_recv.py" "$SIP_IP" "$((RECV_S + 2))" \
	"$TB_DIR/s-video.json" AES_CM_128_HMAC_SHA1_32 "$(inline_of "$OC_V")" 20 &
SVID_PID=$!
TB_PIDS+=("$SVID_PID")
tb_c timeout 100 ffmpeg -hide_banner -nostdin -loglevel warning -re \
	-f lavfi -i "sine=frequency=440:sample_rate=8000" \
	-f lavfi -i "testsrc=size=320x240:rate=15" -t 80 \
	-map 0:a -ac 1 -ar 8000 -c:a pcm_mulaw -payload_type 0 -f rtp \
	-srtp_out_suite AES_CM_128_HMAC_SHA1_80 -srtp_out_params "$KEY_SA" "srtp://$TB_GW_IP:$GS_A" \
	-map 1:v -c:v libvpx -deadline realtime -cpu-used 8 -b:v 300k -g 15 \
	-payload_type "$VP8S" -f rtp \
	-srtp_out_suite AES_CM_128_HMAC_SHA1_32 -srtp_out_params "$KEY_SV" "srtp://$TB_GW_IP:$GS_V?pkt_size=1200" \
	>"$TB_DIR/s-send.log" 2>&1 &
TB_PIDS+=("$!")
fail0=$TB_FAIL
receives_s() {
	jassert cs "s.get('conn') == 'connected' and len(r['samples']) >= 3 and s['audioIn'] > r['samples'][-3]['audioIn'] > 0 and s['videoIn'] > r['samples'][-3]['videoIn'] > 0 and s['framesDecoded'] > 0"
}
tb_check "(SDES) SIP SRTP audio+video -> browser: audio and video packetsReceived growing, video framesDecoded > 0" \
	tb_wait 45 receives_s
tb_log "cs: $(jpy cs "r.get('last')")"
srecv_done() { ! kill -0 "$SRECV_PID" 2>/dev/null && ! kill -0 "$SVID_PID" 2>/dev/null; }
tb_check "(SDES) the SIP side's receivers finished" tb_wait 40 srecv_done
s_loud() { python3 "$TB_ROOT/tests/integration/wav_loud.py" "$TB_DIR/s-recv.wav" 4; }
tb_check "(SDES) browser -> SIP audio: SRTP that decrypts with the gateway's key into a WAV that is not silence" s_loud
tb_log "(SDES) SIP video port received (PT: packets, tag ok/bad): $(cat "$TB_DIR/s-video.json" 2>/dev/null)"
s_video() {
	python3 - "$TB_DIR/s-video.json" "$VP8S" <<'EOP'
import json, sys
c = json.load(open(sys.argv[1]))
sys.exit(0 if c["ok"].get(sys.argv[2], 0) > 50 and set(c["ok"]) == {sys.argv[2]} and not c["bad"] else 1)
EOP
}
tb_check "(SDES) browser -> SIP video: VP8 (PT $VP8S) on the video port, >50, nothing else, every SRTP tag (_32) verified with the gateway's video key" s_video
legs_counted_s() {
	local d
	d=$(tb_api "$TB_REST/v1/calls/cS")
	[ "$(printf '%s' "$d" | jq '[.legs[] | select(.kind == "rtp" and .counters.rtp_in > 50 and .counters.rtp_out > 50 and .counters.auth_fail == 0)] | length')" = 3 ] ||
		{ tb_log "GET cS: $d"; return 1; }
}
tb_check "(SDES) GET /v1/calls/cS: the WebRTC leg and both SDES legs >50 in and out, no auth failures" \
	tb_wait 5 legs_counted_s
[ "$TB_FAIL" != "$fail0" ] && { dump cs cS; tb_log "--- s-send.log: $(tail -5 "$TB_DIR/s-send.log")"; tb_log "--- s-recv.log: $(tail -5 "$TB_DIR/s-recv.log")"; }
chrome_stop_all
tb_check "(SDES) DELETE /v1/calls/cS -> 200" \
	test "$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X DELETE -H "Authorization: Bearer $TB_TOKEN" "$TB_REST/v1/calls/cS")" = 200
tb_check "(SDES) every dataplane leg freed" tb_wait 5 legs_freed
tb_check "dataplane still healthy" tb_healthz_ok
tb_done
