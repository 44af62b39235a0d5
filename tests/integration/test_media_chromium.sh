#!/usr/bin/env bash
# WebRTC media through rtcgw (issue 7) with real headless Chromium in the
# client namespace, every media check read from the page's getStats():
#  (a) echo through WHIP (POST /v1/echo): camera + mic (fake devices) come
#      back: inbound audio and video packetsReceived growing, framesDecoded > 0,
#      totalAudioEnergy > 0; GET /v1/sessions shows DTLS connected and SRTP
#      active; an ICE restart through PATCH (RFC 9725 §4.3.2: new credentials
#      both ways, 200 with the gateway's in an sdpfrag, a new ETag) keeps the
#      echo decoded on the same DTLS/SRTP; DELETE -> 200 and the dataplane's
#      legs are all freed;
#  (b) WHIP publish from one browser process, WHEP view from another: the
#      viewer decodes the publisher's video;
#  negative: malformed SDP -> 400 naming the line, unknown resource -> 404,
#  WHEP without a publisher -> 404; a publisher whose browser vanishes (killed)
#  is cleaned up, with its viewer, within media.consent_timeout_s.
#
#   netns rtmc (client)                                  netns rtmg
#   rtmc0 198.18.30.1/24 <============ veth =========> rtmg0 (dataplane 198.18.30.2,
#   media_page.py on 127.0.0.1:18111 (page + /v1 proxy        media 40000-40099)
#     to the REST API on the host's 127.0.0.1:18110)
. "$(dirname "$0")/lib.sh"

PAGE_PORT=18111
CONSENT_S=8
SECRET=rtcgw-test-media-secret-0123456789

tb_init rtm 30 18110
TB_CONF_MEDIA="  port_min: 40000
  port_max: 40099
  consent_timeout_s: $CONSENT_S"
TB_CONF_TURN="  enabled: true
  realm: rtcgw.test
  relay_port_min: 52000
  relay_port_max: 52099
  auth_secrets: [$SECRET]"

. "$(dirname "$0")/chromium_lib.sh"
cr_init

tb_net_up
tb_config
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent

cr_page_start

dump() {
	local f
	for f in "$RES/$1.log" "$RES/$1.result.json"; do
		[ -f "$f" ] && { tb_log "--- $f"; tail -c 3000 "$f" | sed 's/^/#   /'; echo; }
	done
	tb_log "--- sessions: $(tb_api "$TB_REST/v1/sessions")"
	curl -s "$TB_REST/metrics" | grep -E '^rtcgw_(media|ipc_punt|ice|demux)' | grep -v ' 0$' |
		sed 's/^/# /'
}
M() { tb_metric "rtcgw_$1"; }
legs_freed() { # every dataplane leg created was removed, and the control plane has none
	[ "$(M media_legs)" = 0 ] && [ "$(M media_leg_added_total)" = "$(M media_leg_removed_total)" ]
}
code() { tb_api -o "$TB_DIR/body" -w '%{http_code}' "$@"; }

# ---- negative REST cases (no browser) ------------------------------------------
BAD=$'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio nine UDP/TLS/RTP/SAVPF 111\r\n'
tb_check "malformed SDP -> 400" \
	test "$(code -X POST -H 'Content-Type: application/sdp' --data-binary "$BAD" \
		"$TB_REST/v1/echo")" = 400
tb_check "the 400 names the offending line (line 5, m=)" grep -q 'line 5' "$TB_DIR/body"
tb_log "400 body: $(cat "$TB_DIR/body")"
tb_check "POST without application/sdp -> 415" \
	test "$(code -X POST -H 'Content-Type: text/plain' --data 'x' "$TB_REST/v1/echo")" = 415
tb_check "DELETE unknown resource -> 404" \
	test "$(code -X DELETE "$TB_REST/v1/resources/999")" = 404
tb_check "PATCH unknown resource -> 404" \
	test "$(code -X PATCH -H 'Content-Type: application/trickle-ice-sdpfrag' \
		--data-binary $'a=end-of-candidates\r\n' "$TB_REST/v1/resources/999")" = 404
tb_check "WHEP on a stream without publisher -> 404" \
	test "$(code -X POST -H 'Content-Type: application/sdp' --data-binary "$BAD" \
		"$TB_REST/v1/whep/nobody")" = 404
cors() {
	curl -s -m 5 -D - -o /dev/null -X OPTIONS -H 'Origin: http://example.test' \
		"$TB_REST/v1/whip/s1" | tr -d '\r' >"$TB_DIR/cors"
	head -1 "$TB_DIR/cors" | grep -q ' 204' &&
		grep -qi '^Access-Control-Allow-Origin: \*' "$TB_DIR/cors" &&
		grep -qi '^Access-Control-Expose-Headers: .*Location' "$TB_DIR/cors"
}
tb_check "OPTIONS (CORS preflight, no token) -> 204 with CORS headers" cors

# ---- (a) echo through WHIP ----------------------------------------------------------
fail0=$TB_FAIL
chrome_start echo "mode=echo&secs=90&restart=12"
echo_ok() {
	jassert echo "len(r['samples']) >= 3 and s['audioIn'] > r['samples'][-3]['audioIn'] > 0 and s['videoIn'] > r['samples'][-3]['videoIn'] > 0 and s['framesDecoded'] > 0 and s['audioEnergy'] > 0"
}
tb_check "echo: POST /v1/echo -> 201 with Location, ETag and a TURN Link" \
	tb_wait 30 jassert echo "r.get('status') == 201 and r['location'].startswith('/v1/resources/') and r.get('etag') and 'rel=\"ice-server\"' in (r.get('link') or '')"
tb_check "echo: inbound audio and video packetsReceived growing, framesDecoded > 0, totalAudioEnergy > 0" \
	tb_wait 40 echo_ok
tb_log "echo: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("last"))' "$RES/echo.result.json" 2>/dev/null)"
LOC=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("location") or "")' "$RES/echo.result.json" 2>/dev/null)
ID=${LOC##*/}
sess_ok() {
	tb_api "$TB_REST/v1/sessions/echo-$ID" >"$TB_DIR/sess.json"
	python3 - "$TB_DIR/sess.json" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
l = d["legs"][0]
ok = (d["rule"] == "echo" and l["dtls"] == "connected" and l["srtp"] == "active"
      and l["ice"] == "nominated" and l["counters"]["rtp_in"] > 0 and l["counters"]["rtp_out"] > 0)
sys.exit(0 if ok else 1)
EOP
}
tb_check "echo: GET /v1/sessions/echo-$ID: ICE nominated, DTLS connected, SRTP active, counters moving" \
	tb_wait 5 sess_ok
tb_log "session: $(cat "$TB_DIR/sess.json")"
# ICE restart (RFC 9725 §4.3.2): 12 s after the answer the page calls
# restartIce(), PATCHes its new ice-ufrag/ice-pwd with If-Match: * and puts
# the gateway's new ones from the 200's sdpfrag into its remote description.
tb_check "echo: ICE restart: PATCH with new credentials -> 200 sdpfrag with the gateway's new ones and a new ETag" \
	tb_wait 40 jassert echo "r.get('restart', {}).get('status') == 200 and r['restart']['type'].startswith('application/trickle-ice-sdpfrag') and r['restart']['etag'] and r['restart']['etag'] != r['etag'] and len(r['restart']['ufrag']) >= 4"
after_restart() {
	jassert echo "[x for x in r['samples'] if x['t'] > r['restart']['at'] + 2000] and s['ice'] in ('connected', 'completed') and s.get('localUfrag') == r['restart']['localUfrag'] and s['audioIn'] > [x for x in r['samples'] if x['t'] > r['restart']['at'] + 2000][0]['audioIn'] and s['framesDecoded'] > [x for x in r['samples'] if x['t'] > r['restart']['at'] + 2000][0]['framesDecoded']"
}
tb_check "echo: after the restart: ICE connected on the new credentials, audio and video still decoded" \
	tb_wait 30 after_restart
NEWU=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["restart"]["ufrag"])' "$RES/echo.result.json" 2>/dev/null)
restarted_leg() {
	tb_api "$TB_REST/v1/ice/legs/$ID" >"$TB_DIR/ice.json"
	python3 -c 'import json,sys; d = json.load(open(sys.argv[1])); sys.exit(0 if d["local_ufrag"] == sys.argv[2] and d["state"] == "nominated" else 1)' "$TB_DIR/ice.json" "$NEWU"
}
tb_check "echo: the gateway's ICE leg carries the new ufrag ($NEWU) and is nominated again" \
	tb_wait 10 restarted_leg
tb_check "echo: the same DTLS and SRTP go on (session still connected/active)" sess_ok
# a trickle PATCH names the current ice-ufrag: no restart
CURU=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["restart"]["localUfrag"])' "$RES/echo.result.json" 2>/dev/null)
tb_check "echo: PATCH trickle sdpfrag (current ufrag) -> 204" \
	test "$(code -X PATCH -H 'Content-Type: application/trickle-ice-sdpfrag' \
		--data-binary "a=ice-ufrag:$CURU"$'\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=end-of-candidates\r\n' \
		"$TB_REST$LOC")" = 204
OLDETAG=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("etag") or "")' "$RES/echo.result.json" 2>/dev/null)
tb_check "echo: PATCH with the ETag from before the restart -> 412" \
	test "$(code -X PATCH -H 'Content-Type: application/trickle-ice-sdpfrag' -H "If-Match: $OLDETAG" \
		--data-binary $'a=end-of-candidates\r\n' "$TB_REST$LOC")" = 412
ETAG=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["restart"]["etag"])' "$RES/echo.result.json" 2>/dev/null)
tb_check "echo: PATCH with the resource's ETag in If-Match -> 204" \
	test "$(code -X PATCH -H 'Content-Type: application/trickle-ice-sdpfrag' -H "If-Match: $ETAG" \
		--data-binary $'a=end-of-candidates\r\n' "$TB_REST$LOC")" = 204
tb_check "echo: PATCH with another ETag in If-Match -> 412" \
	test "$(code -X PATCH -H 'Content-Type: application/trickle-ice-sdpfrag' -H 'If-Match: "0"' \
		--data-binary $'a=end-of-candidates\r\n' "$TB_REST$LOC")" = 412
tb_check "echo: bad sdpfrag -> 400" \
	test "$(code -X PATCH -H 'Content-Type: application/trickle-ice-sdpfrag' \
		--data-binary $'a=candidate:bogus\r\n' "$TB_REST$LOC")" = 400
tb_check "echo: DELETE $LOC -> 200" test "$(code -X DELETE "$TB_REST$LOC")" = 200
tb_check "echo: everything freed (no legs; dataplane legs added == removed)" tb_wait 5 legs_freed
tb_check "echo: DELETE again -> 404" test "$(code -X DELETE "$TB_REST$LOC")" = 404
chrome_stop echo
[ "$TB_FAIL" -eq "$fail0" ] || dump echo
RTP_IN_ECHO=$(M media_rtp_in_total)

# ---- fingerprint mismatch ------------------------------------------------------------
fail0=$TB_FAIL
chrome_start badfp "mode=echo&badfp=1&secs=30"
tb_check "fingerprint mismatch: the offer is answered (201)" \
	tb_wait 30 jassert badfp "r.get('status') == 201"
fp_ended() { grep -q 'ended: DTLS fingerprint mismatch' "$TB_DIR/cp.log" && legs_freed; }
tb_check "fingerprint mismatch: handshake refused, the leg torn down and freed" tb_wait 20 fp_ended
tb_check "fingerprint mismatch: no SRTP keys were ever installed for it" \
	test "$(M media_rtp_in_total)" = "$RTP_IN_ECHO"
chrome_stop badfp
[ "$TB_FAIL" -eq "$fail0" ] || dump badfp

# ---- (b) WHIP publish + WHEP view ---------------------------------------------------
fail0=$TB_FAIL
chrome_start pub "mode=pub&stream=cam1&secs=120"
tb_check "publisher: POST /v1/whip/cam1 -> 201" tb_wait 30 jassert pub "r.get('status') == 201"
pub_sending() { jassert pub "s.get('conn') == 'connected' and s['videoOut'] > 50"; }
tb_check "publisher: connected and sending video" tb_wait 30 pub_sending
tb_check "a second publisher on cam1 -> 409" \
	test "$(code -X POST -H 'Content-Type: application/sdp' \
		--data-binary "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["answer"])' "$RES/pub.result.json")" \
		"$TB_REST/v1/whip/cam1")" = 409
chrome_start view "mode=view&stream=cam1&secs=120"
tb_check "viewer: POST /v1/whep/cam1 -> 201" tb_wait 30 jassert view "r.get('status') == 201"
view_ok() {
	jassert view "len(r['samples']) >= 3 and s['framesDecoded'] > r['samples'][-3]['framesDecoded'] > 0 and s['audioIn'] > 0 and s['audioEnergy'] > 0"
}
tb_check "viewer: decodes the publisher's video (framesDecoded > 0 and growing), audio arrives with energy > 0" \
	tb_wait 40 view_ok
tb_log "viewer: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("last"))' "$RES/view.result.json" 2>/dev/null)"
tb_api "$TB_REST/v1/sessions/cam1" >"$TB_DIR/cam1.json"
tb_check "GET /v1/sessions/cam1: fan-out, publisher + viewer" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["rule"] == "fan-out" and [l["role"] for l in d["legs"]] == ["publisher", "viewer"] else 1)' \
	"$TB_DIR/cam1.json"
tb_check "metrics: one session, two legs" \
	test "$(M media_sessions) $(M media_legs)" = "1 2"

# The publisher's browser vanishes: consent expires, the stream and its viewer end.
t0=$(date +%s)
chrome_stop pub KILL
tb_check "vanished publisher: legs freed within consent_timeout_s ($CONSENT_S s) + 3 s" \
	tb_wait $((CONSENT_S + 3)) legs_freed
tb_log "cleaned up after $(($(date +%s) - t0)) s"
chrome_stop view
[ "$TB_FAIL" -eq "$fail0" ] || { dump pub; dump view; }
tb_log "media counters: $(curl -s "$TB_REST/metrics" | grep -E '^rtcgw_media' | grep -v ' 0$' | tr '\n' ' ')"
tb_done
