#!/usr/bin/env bash
# RTP ingest (issue 7 item 5, test (c)): Debian ffmpeg in the client namespace
# sends plain RTP into rtcgw's RTP-ingest streams, headless Chromium watches
# them over WHEP; every media check reads the page's getStats():
#  (c) POST /v1/streams {cam1: Opus PT 111 + VP8 PT 96} -> 201 with the port;
#      ffmpeg (libopus + libvpx from lavfi sources, two RTP outputs to that one
#      port, RTCP muxed there with ?rtcpport=) -> a WHEP viewer's inbound audio
#      packetsReceived grows, totalAudioEnergy > 0, video framesDecoded > 0 and
#      growing; ffmpeg's sender reports reach the viewer (rtcp_out);
#  payload types rewritten: cam2 sends Opus as PT 100 and VP8 as 101, which
#      Chromium's offer has elsewhere (111, 96): its viewer, watching at the
#      same time, hears and decodes it all the same; Firefox's captured offer
#      (Opus 109, VP8 120) is answered on its own PTs;
#  PCMU (PT 0) audio only, on a stream from the config (media.streams) whose
#      sender's SSRC is configured (announced in the answer): the viewer hears
#      it (packetsReceived growing, totalAudioEnergy > 0); at the same time
#      H.264 (libx264 baseline, PT 102) on another stream: its viewer decodes;
#  negative: unknown codec, bad PT, same PT twice, no track, bad JSON -> 400
#      with the reason; a duplicate name and a WHIP publisher's name -> 409
#      (and WHIP on an ingest stream's name -> 409); media ports exhausted ->
#      503; DELETE frees the leg and ends its viewers: no
#      sessions, the dataplane's legs added == removed, GET -> 404.
#
#   netns rgic (client)                                  netns rgig
#   rgic0 198.18.42.1/24 <============ veth =========> rgig0 (dataplane 198.18.42.2,
#   ffmpeg -> 198.18.42.2:<stream port>                       media 40000-40007)
#   media_page.py on 127.0.0.1:18121 (page + /v1 proxy to the REST API on the
#     host's 127.0.0.1:18120)
. "$(dirname "$0")/lib.sh"

FFMPEG=${RTCGW_FFMPEG:-/usr/bin/ffmpeg}
PAGE_PORT=18121
NPORTS=8

if [ ! -x "$FFMPEG" ]; then
	printf '# %s missing: scripts/setup.sh --test installs Debian ffmpeg\n' "$FFMPEG"
	exit 1
fi

tb_init rgi 42 18120
TB_CONF_MEDIA="  port_min: 40000
  port_max: $((40000 + NPORTS - 1))
  consent_timeout_s: 10
  streams:
    - name: radio
      audio: {codec: pcmu, ssrc: 4660}"

# Browsers (viewers only: no fake camera) and ffmpeg in sessions of their own
# (chromium_lib.sh), each ended as one process group before tb_cleanup.
CR_FAKE_MEDIA=0
. "$(dirname "$0")/chromium_lib.sh"
cr_init

tb_net_up
tb_config
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent

cr_page_start

# ffmpeg_start NAME ARGS...: an RTP sender in the client namespace (CPU 0),
# bounded by -t in its arguments.
ffmpeg_start() {
	local name=$1
	shift
	setsid ip netns exec "$TB_NS_C" taskset -c 0 "$FFMPEG" -nostdin -hide_banner \
		-loglevel warning "$@" >"$TB_DIR/ffmpeg-$name.log" 2>&1 &
	CHROME_PG[$name]=$!
}

# jq-less JSON check on a file: jfile FILE PYTHON-EXPR (d = the document)
jfile() {
	python3 -c 'import json, sys
try:
    d = json.load(open(sys.argv[1]))
    ok = eval(sys.argv[2], {"d": d})
except Exception:
    ok = False
sys.exit(0 if ok else 1)' "$1" "$2"
}
dump() {
	local f
	for f in "$RES/$1.log" "$RES/$1.result.json" "$TB_DIR/ffmpeg-$2.log"; do
		[ -f "$f" ] && { tb_log "--- $f"; tail -c 3000 "$f" | sed 's/^/#   /'; echo; }
	done
	tb_log "--- streams: $(tb_api "$TB_REST/v1/streams")"
	tb_log "--- sessions: $(tb_api "$TB_REST/v1/sessions")"
	curl -s "$TB_REST/metrics" | grep -E '^rtcgw_(media|demux)' | grep -v ' 0$' | sed 's/^/# /'
}
M() { tb_metric "rtcgw_$1"; }
legs_freed() {
	[ "$(M media_legs)" = 0 ] && [ "$(M media_sessions)" = 0 ] &&
		[ "$(M media_leg_added_total)" = "$(M media_leg_removed_total)" ]
}
code() { tb_api -o "$TB_DIR/body" -w '%{http_code}' "$@"; }
post_stream() { code -X POST -H 'Content-Type: application/json' --data "$1" "$TB_REST/v1/streams"; }
body_has() { grep -q -- "$1" "$TB_DIR/body"; }

# ---- the config's stream ----------------------------------------------------------
cfg_listed() {
	tb_api "$TB_REST/v1/streams" >"$TB_DIR/streams.json"
	jfile "$TB_DIR/streams.json" "[s['name'] for s in d['streams']] == ['radio'] and d['streams'][0]['origin'] == 'config' and d['streams'][0]['audio'] == {'codec': 'pcmu', 'pt': 0, 'clock': 8000, 'ssrc': 4660} and 40000 <= d['streams'][0]['port'] < 40000 + $NPORTS"
}
tb_check "media.streams: 'radio' (PCMU) created from the config, listed by GET /v1/streams" \
	tb_wait 5 cfg_listed
tb_log "streams: $(cat "$TB_DIR/streams.json")"

# ---- negative REST cases ------------------------------------------------------------
fail0=$TB_FAIL
tb_check "unknown codec -> 400 naming it" \
	eval 'test "$(post_stream "{\"name\":\"x\",\"audio\":{\"codec\":\"g729\"}}")" = 400 && body_has "unknown codec .g729."'
tb_check "Opus on PT 72 -> 400 (outside 96..127)" \
	eval 'test "$(post_stream "{\"name\":\"x\",\"audio\":{\"codec\":\"opus\",\"pt\":72}}")" = 400 && body_has "outside opus"'
tb_check "PCMU on PT 8 -> 400" \
	eval 'test "$(post_stream "{\"name\":\"x\",\"audio\":{\"codec\":\"pcmu\",\"pt\":8}}")" = 400 && body_has "not pcmu"'
tb_check "PT 200 -> 400" \
	eval 'test "$(post_stream "{\"name\":\"x\",\"video\":{\"codec\":\"vp8\",\"pt\":200}}")" = 400'
tb_check "audio and video on one PT -> 400" \
	eval 'test "$(post_stream "{\"name\":\"x\",\"audio\":{\"codec\":\"opus\",\"pt\":96},\"video\":{\"codec\":\"vp8\"}}")" = 400 && body_has "also audio.pt"'
tb_check "no track -> 400" \
	eval 'test "$(post_stream "{\"name\":\"x\"}")" = 400 && body_has "needs an audio or a video"'
tb_check "bad JSON -> 400" test "$(post_stream '{"name":')" = 400
tb_check "not application/json -> 415" \
	test "$(code -X POST -H 'Content-Type: text/plain' --data '{}' "$TB_REST/v1/streams")" = 415
tb_check "a name that is a stream already (the config's) -> 409" \
	eval 'test "$(post_stream "{\"name\":\"radio\",\"audio\":{\"codec\":\"opus\"}}")" = 409'
tb_log "409 body: $(cat "$TB_DIR/body")"
# A WHIP publisher (a captured Chromium offer; its ICE never completes, it is deleted below)
tb_check "WHIP publisher 'wpub' (captured offer) -> 201" \
	test "$(code -D "$TB_DIR/whip.hdr" -X POST -H 'Content-Type: application/sdp' \
		--data-binary @"$TB_ROOT/tests/vectors/sdp/chromium-whip.sdp" \
		"$TB_REST/v1/whip/wpub")" = 201
WLOC=$(tr -d '\r' <"$TB_DIR/whip.hdr" | awk 'tolower($1) == "location:" { print $2 }')
tb_check "an ingest stream named like a WHIP publisher -> 409" \
	eval 'test "$(post_stream "{\"name\":\"wpub\",\"audio\":{\"codec\":\"opus\"}}")" = 409 && body_has publisher'
tb_check "WHIP on an ingest stream's name -> 409" \
	test "$(code -X POST -H 'Content-Type: application/sdp' \
		--data-binary @"$TB_ROOT/tests/vectors/sdp/chromium-whip.sdp" \
		"$TB_REST/v1/whip/radio")" = 409
tb_check "DELETE the WHIP publisher -> 200" test "$(code -X DELETE "$TB_REST$WLOC")" = 200
tb_check "GET /v1/streams/nosuch -> 404" test "$(code "$TB_REST/v1/streams/nosuch")" = 404
tb_check "DELETE /v1/streams/nosuch -> 404" test "$(code -X DELETE "$TB_REST/v1/streams/nosuch")" = 404
[ "$TB_FAIL" -eq "$fail0" ] || dump none none

# ---- (c) Opus + VP8 from ffmpeg, watched over WHEP ------------------------------------
fail0=$TB_FAIL
tb_check "POST /v1/streams cam1 (Opus 111, VP8 96) -> 201 with Location" \
	eval 'test "$(code -D "$TB_DIR/cam1.hdr" -X POST -H "Content-Type: application/json" --data "{\"name\":\"cam1\",\"audio\":{\"codec\":\"opus\",\"pt\":111},\"video\":{\"codec\":\"vp8\"}}" "$TB_REST/v1/streams")" = 201 && tr -d "\r" <"$TB_DIR/cam1.hdr" | grep -qi "^Location: /v1/streams/cam1$"'
cp "$TB_DIR/body" "$TB_DIR/cam1.json"
tb_log "cam1: $(cat "$TB_DIR/cam1.json")"
tb_check "cam1: answer gives address $TB_GW_IP, a media port, PT 111 and 96" \
	jfile "$TB_DIR/cam1.json" "d['address'] == '$TB_GW_IP' and 40000 <= d['port'] < 40000 + $NPORTS and d['audio']['pt'] == 111 and d['video']['pt'] == 96 and d['video']['codec'] == 'vp8'"
CAM1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$TB_DIR/cam1.json")
DST="rtp://$TB_GW_IP:$CAM1?rtcpport=$CAM1&pkt_size=1200"
tb_check "POST /v1/streams cam2 (Opus 100, VP8 101) -> 201" \
	eval 'test "$(post_stream "{\"name\":\"cam2\",\"audio\":{\"codec\":\"opus\",\"pt\":100},\"video\":{\"codec\":\"vp8\",\"pt\":101}}")" = 201'
CAM2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$TB_DIR/body")
DST2="rtp://$TB_GW_IP:$CAM2?rtcpport=$CAM2&pkt_size=1200"
# Two RTP outputs to the one port (RTP and RTCP muxed there), random SSRCs
# (not announced: the viewer demuxes by payload type); 1200-byte packets
# leave room for the viewers' SRTP tag under the 1500 MTU.
ffmpeg_start cam1 -re -f lavfi -i sine=frequency=440:sample_rate=48000 \
	-re -f lavfi -i testsrc=size=320x240:rate=15 -t 100 \
	-map 0:a -c:a libopus -b:a 48k -payload_type 111 -f rtp "$DST" \
	-map 1:v -c:v libvpx -deadline realtime -cpu-used 8 -b:v 300k -g 30 \
	-payload_type 96 -f rtp "$DST" \
	-map 0:a -c:a libopus -b:a 48k -payload_type 100 -f rtp "$DST2" \
	-map 1:v -c:v libvpx -deadline realtime -cpu-used 8 -b:v 300k -g 30 \
	-payload_type 101 -f rtp "$DST2"
rtp_in() {
	tb_api "$TB_REST/v1/streams/cam1" >"$TB_DIR/cam1.get"
	jfile "$TB_DIR/cam1.get" "d['counters']['rtp_in'] > 50 and d['counters']['rtcp_in'] > 0"
}
tb_check "cam1: ffmpeg's RTP and RTCP (SR, muxed) arrive on the stream's port" tb_wait 20 rtp_in
tb_log "cam1: $(cat "$TB_DIR/cam1.get")"
chrome_start view "mode=view&stream=cam1&secs=70"
chrome_start view2 "mode=view&stream=cam2&secs=70"
tb_check "viewer: POST /v1/whep/cam1 -> 201" tb_wait 30 jassert view "r.get('status') == 201"
view_ok() {
	jassert "$1" "len(r['samples']) >= 3 and s['audioIn'] > r['samples'][-3]['audioIn'] > 0 and s['audioEnergy'] > 0 and s['framesDecoded'] > r['samples'][-3]['framesDecoded'] > 0"
}
tb_check "viewer: inbound audio packetsReceived growing, totalAudioEnergy > 0, video framesDecoded > 0 and growing" \
	tb_wait 40 view_ok view
tb_log "viewer: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("last"))' "$RES/view.result.json" 2>/dev/null)"
tb_check "cam2 viewer: answered with Chromium's own PTs (Opus 111, VP8 96)" \
	tb_wait 10 jassert view2 "r.get('status') == 201 and 'a=rtpmap:111 opus/48000/2' in r['answer'] and 'a=rtpmap:96 VP8/90000' in r['answer'] and 'a=rtpmap:100 opus' not in r['answer']"
tb_check "cam2 viewer (PTs 100/101 rewritten to 111/96): audio growing with energy > 0, framesDecoded growing" \
	tb_wait 20 view_ok view2
tb_log "cam2 viewer: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("last"))' "$RES/view2.result.json" 2>/dev/null)"
sess_ok() {
	tb_api "$TB_REST/v1/sessions/cam1" >"$TB_DIR/sess.json"
	jfile "$TB_DIR/sess.json" "d['rule'] == 'fan-out' and [l['role'] for l in d['legs']] == ['ingest', 'viewer'] and d['legs'][1]['srtp'] == 'active' and d['legs'][1]['counters']['rtp_out'] > 100 and d['legs'][1]['counters']['rtcp_out'] > 0"
}
tb_check "GET /v1/sessions/cam1: ingest + viewer; the viewer gets RTP and ffmpeg's RTCP" \
	tb_wait 5 sess_ok
tb_log "session: $(cat "$TB_DIR/sess.json")"
tb_check "GET /v1/streams/cam1: one viewer" \
	eval 'tb_api "$TB_REST/v1/streams/cam1" >"$TB_DIR/cam1.get" && jfile "$TB_DIR/cam1.get" "d[\"viewers\"] == 1"'
# Firefox's captured offer (Opus 109, VP8 120): answered on its own PTs (its
# ICE never completes; ended by DELETE cam1 below)
tb_check "a viewer offering Opus as 109 and VP8 as 120 (Firefox's offer) -> 201 on those PTs" \
	eval 'test "$(code -X POST -H "Content-Type: application/sdp" --data-binary @"$TB_ROOT/tests/vectors/sdp/firefox-whep.sdp" "$TB_REST/v1/whep/cam1")" = 201 && body_has "a=rtpmap:109 opus/48000/2" && body_has "a=rtpmap:120 VP8/90000"'
tb_check "the dataplane took every viewer's payload-type map" \
	eval '! grep -q "dataplane refused" "$TB_DIR/cp.log"' 
tb_check "DELETE /v1/streams/cam1 and cam2 -> 200" \
	eval 'test "$(code -X DELETE "$TB_REST/v1/streams/cam1")" = 200 && test "$(code -X DELETE "$TB_REST/v1/streams/cam2")" = 200'
viewer_gone() {
	tb_api "$TB_REST/v1/sessions" >"$TB_DIR/sessions.json"
	jfile "$TB_DIR/sessions.json" "[s['id'] for s in d['sessions']] == ['radio']"
}
tb_check "DELETE ended the viewers too (only 'radio' left in /v1/sessions)" tb_wait 3 viewer_gone
tb_check "GET /v1/streams/cam1 -> 404 after DELETE" test "$(code "$TB_REST/v1/streams/cam1")" = 404
chrome_stop view
chrome_stop view2
chrome_stop cam1
[ "$TB_FAIL" -eq "$fail0" ] || { dump view cam1; dump view2 cam1; }

# ---- PCMU (PT 0), audio only, on the config's stream -----------------------------------
fail0=$TB_FAIL
RADIO=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["streams"][0]["port"])' "$TB_DIR/streams.json")
tb_check "POST /v1/streams cam3 (H.264, default PT 102) -> 201" \
	eval 'test "$(post_stream "{\"name\":\"cam3\",\"video\":{\"codec\":\"h264\"}}")" = 201'
CAM3=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$TB_DIR/body")
ffmpeg_start radio -re -f lavfi -i sine=frequency=660:sample_rate=8000 \
	-re -f lavfi -i testsrc=size=320x240:rate=15 -t 60 \
	-map 0:a -c:a pcm_mulaw -ar 8000 -ac 1 -payload_type 0 -ssrc 4660 \
	-f rtp "rtp://$TB_GW_IP:$RADIO?rtcpport=$RADIO" \
	-map 1:v -c:v libx264 -profile:v baseline -preset ultrafast -tune zerolatency -g 30 \
	-pix_fmt yuv420p -payload_type 102 -f rtp "rtp://$TB_GW_IP:$CAM3?rtcpport=$CAM3&pkt_size=1200"
chrome_start radio "mode=view&stream=radio&secs=40"
chrome_start h264 "mode=view&stream=cam3&secs=40"
tb_check "PCMU viewer: POST /v1/whep/radio -> 201, PCMU and the configured SSRC announced" \
	tb_wait 30 jassert radio "r.get('status') == 201 and 'a=rtpmap:0 PCMU/8000' in r['answer'] and 'a=ssrc:4660 ' in r['answer']"
radio_ok() {
	jassert radio "len(r['samples']) >= 3 and s['audioIn'] > r['samples'][-3]['audioIn'] > 0 and s['audioEnergy'] > 0"
}
tb_check "PCMU viewer: inbound audio packetsReceived growing, totalAudioEnergy > 0" \
	tb_wait 30 radio_ok
tb_log "radio viewer: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("last"))' "$RES/radio.result.json" 2>/dev/null)"
h264_ok() {
	jassert h264 "len(r['samples']) >= 3 and 'H264/90000' in r['answer'] and s['framesDecoded'] > r['samples'][-3]['framesDecoded'] > 0"
}
tb_check "H.264 viewer (ffmpeg libx264 baseline, packetization-mode 1): framesDecoded > 0 and growing" \
	tb_wait 20 h264_ok
tb_log "h264 viewer: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("last"))' "$RES/h264.result.json" 2>/dev/null)"
tb_check "DELETE /v1/streams/cam3 -> 200" test "$(code -X DELETE "$TB_REST/v1/streams/cam3")" = 200
chrome_stop h264
chrome_stop radio
tb_check "DELETE /v1/streams/radio (from the config) -> 200" \
	test "$(code -X DELETE "$TB_REST/v1/streams/radio")" = 200
tb_check "everything freed: no sessions or legs, the dataplane's legs added == removed" \
	tb_wait 5 legs_freed
tb_check "GET /v1/streams lists none" \
	eval 'tb_api "$TB_REST/v1/streams" >"$TB_DIR/streams.json" && jfile "$TB_DIR/streams.json" "d[\"streams\"] == []"'
[ "$TB_FAIL" -eq "$fail0" ] || { dump radio radio; dump h264 radio; }

# ---- media ports exhausted ---------------------------------------------------------------
fail0=$TB_FAIL
fill() {
	local i
	for ((i = 0; i < NPORTS; i++)); do
		[ "$(post_stream "{\"name\":\"f$i\",\"video\":{\"codec\":\"h264\"}}")" = 201 ] || return 1
	done
}
tb_check "$NPORTS streams take the $NPORTS media ports" fill
tb_check "one more -> 503 (no free media port)" \
	eval 'test "$(post_stream "{\"name\":\"more\",\"audio\":{\"codec\":\"opus\"}}")" = 503 && body_has "no free media port"'
tb_log "503 body: $(cat "$TB_DIR/body")"
unfill() {
	local i
	for ((i = 0; i < NPORTS; i++)); do
		[ "$(code -X DELETE "$TB_REST/v1/streams/f$i")" = 200 ] || return 1
	done
}
tb_check "DELETE them all -> 200" unfill
tb_check "everything freed again (legs added == removed, none left)" tb_wait 5 legs_freed
[ "$TB_FAIL" -eq "$fail0" ] || dump none none
tb_log "media counters: $(curl -s "$TB_REST/metrics" | grep -E '^rtcgw_media' | grep -v ' 0$' | tr '\n' ' ')"
tb_done
