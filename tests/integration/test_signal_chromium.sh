#!/usr/bin/env bash
# The signalling relay (rooms + Server-Sent Events) and the demo page (issue 7
# items 6-7), against real headless Chromium in the client namespace:
#  (e) Chromium opens the demo page served by the control plane at GET / and
#      runs its echo test; the page's own status element (#echo-status) must
#      turn green (class ok: inbound audio and video packets growing, frames
#      decoded), read from the page's report;
#  (d) two browser processes call each other through the relay on the demo
#      page with iceTransportPolicy 'relay' on rtcgw's TURN (credentials from
#      the join answer): both decode the other's video, audio and video
#      packets grow, both selected pairs relay/relay (hairpinned inside the
#      dataplane: both relay addresses are rtcgw's);
#  the relay's REST without a browser: an events stream outlives
#  request_timeout_s without spinning the control plane, delivers messages
#  and leave notices; bad JSON 400, unknown room/peer 404, every limit 4xx,
#  missing token/key 401.
#
#   netns rgsc (client)                                   netns rgsg
#   rgsc0 198.18.44.1/24 <============ veth ===========> rgsg0 (dataplane 198.18.44.2,
#   tcp_forward.py 127.0.0.1:18126 -> host 127.0.0.1:18125    TURN :3478, media 40400-40499)
#     (the control plane itself: the page, /v1, the SSE stream)
#   media_page.py 127.0.0.1:18127 (only its POST /result/N: the page's reports)
. "$(dirname "$0")/lib.sh"

CHROME=${RTCGW_CHROMIUM:-/usr/lib/chromium/chromium}
FWD_PORT=18126
REPORT_PORT=18127
SECRET=rtcgw-test-signal-secret-0123456789

if [ ! -x "$CHROME" ]; then
	printf '# %s missing: scripts/setup.sh --test installs Debian chromium\n' "$CHROME"
	exit 1
fi

tb_init rgs 44 18125
TB_CONF_REST="    request_timeout_s: 3"
TB_CONF_MEDIA="  port_min: 40400
  port_max: 40499
  consent_timeout_s: 10"
TB_CONF_TURN="  enabled: true
  realm: rtcgw.test
  relay_port_min: 52400
  relay_port_max: 52499
  auth_secrets: [$SECRET]"

# Browsers in sessions of their own (setsid), each killed as one process
# group before tb_cleanup removes the namespaces (test_media_chromium.sh).
declare -A CHROME_PG
CHROME_ALL=()
chrome_stop() {
	local pg=${CHROME_PG[$1]:-} i
	[ -n "$pg" ] || return 0
	kill -TERM -- "-$pg" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 -- "-$pg" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$pg" 2>/dev/null
	wait "$pg" 2>/dev/null
	unset "CHROME_PG[$1]"
	rm -rf "$TB_DIR/udd-$1"
}
chrome_stop_all() { local n; for n in "${!CHROME_PG[@]}"; do chrome_stop "$n"; done; }
SSE_PIDS=()
sse_stop_all() { local p; for p in "${SSE_PIDS[@]}"; do tb_stop_pid "$p"; done; SSE_PIDS=(); }
trap 'chrome_stop_all; sse_stop_all; tb_cleanup' EXIT

tb_net_up
tb_config
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent

RES=$TB_DIR/res
mkdir -p "$RES"
python3 "$TB_ROOT/tests/integration/tcp_forward.py" "$TB_NS_C" "$FWD_PORT" 127.0.0.1 \
	"$TB_REST_PORT" >"$TB_DIR/forward.log" 2>&1 &
TB_PIDS+=("$!")
python3 "$TB_ROOT/tests/integration/media_page.py" "$TB_NS_C" "$REPORT_PORT" "$TB_REST" \
	"$TB_TOKEN" "$RES" >"$TB_DIR/report.log" 2>&1 &
TB_PIDS+=("$!")
fwd_up() { tb_c curl -sf -m 1 -o /dev/null "http://localhost:$FWD_PORT/"; }
rep_up() { tb_c curl -sf -m 1 -o /dev/null -X POST --data '{}' "http://localhost:$REPORT_PORT/result/probe"; }
tb_check "forwarder and report collector answer in the client namespace" tb_wait 10 fwd_up
tb_wait 10 rep_up

# ---- the demo page is served, without a token --------------------------------------
ctype() { # ctype PATH: status and Content-Type, as the browser's side sees them
	tb_c curl -s -m 5 -o /dev/null -w '%{http_code} %{content_type}' "http://localhost:$FWD_PORT$1"
}
tb_check "GET / (no token) -> 200 text/html" test "$(ctype /)" = "200 text/html; charset=utf-8"
tb_check "GET /demo.js (no token) -> 200 text/javascript" \
	test "$(ctype /demo.js)" = "200 text/javascript; charset=utf-8"
tb_check "GET /nothing -> 404" test "$(ctype /nothing | cut -d' ' -f1)" = 404
page_parts() { curl -s -m 5 "$TB_REST/" >"$TB_DIR/page.html" && grep -q 'id="echo-status"' "$TB_DIR/page.html" && grep -q 'src="/demo.js"' "$TB_DIR/page.html"; }
tb_check "the page holds the echo test's status element and loads /demo.js" page_parts

# ---- the relay's REST, no browser ------------------------------------------------
code() { tb_api -o "$TB_DIR/body" -w '%{http_code}' "$@"; }
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$TB_DIR/body" "$1"; }
R=$TB_REST/v1/rooms

tb_check "join without a token -> 401" \
	test "$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X POST "$R/r1/peers")" = 401
tb_check "join a bad room name -> 400" test "$(code -X POST "$R/bad!name/peers")" = 400
tb_check "join r1 -> 201" test "$(code -X POST "$R/r1/peers")" = 201
A=$(field peer)
AKEY=$(field key)
AEV=$(field events)
cp "$TB_DIR/body" "$TB_DIR/join-a.json"
tb_check "join answer: peer id, key, events URL, TURN REST ice server on the dataplane's address" \
	python3 - "$TB_DIR/join-a.json" "$TB_GW_IP" <<'EOP'
import json, sys
j = json.load(open(sys.argv[1]))
s = j["iceServers"][0]
ok = (len(j["peer"]) == 16 and len(j["key"]) == 32 and j["peers"] == []
      and j["events"] == "/v1/rooms/r1/events?peer=%s&key=%s" % (j["peer"], j["key"])
      and s["urls"] == ["turn:%s:3478?transport=udp" % sys.argv[2]]
      and s["username"].endswith(":" + j["peer"]) and len(s["credential"]) > 20)
sys.exit(0 if ok else 1)
EOP
# A's stream, read by curl (no token: the key in the URL).
curl -s -N -m 60 "$TB_REST$AEV" >"$TB_DIR/a.sse" 2>"$TB_DIR/a.sse.err" &
SSE_A=$!
SSE_PIDS+=("$SSE_A")
joined_after_a() { [ "$(code -X POST "$R/r1/peers")" = 201 ] && grep -qF "\"peers\":[\"$A\"]" "$TB_DIR/body"; }
tb_check "join r1 again -> 201, lists the first peer" joined_after_a
B=$(field peer)
BEV=$(field events)
sse_has() { grep -qF "$2" "$TB_DIR/$1.sse"; }
tb_check "A's stream: the relay's comment, then B's join notice" \
	tb_wait 5 sse_has a "data: {\"type\":\"join\",\"from\":\"$B\"}"
msg() { # msg JSON: POST a message, print the status
	code -X POST -H 'Content-Type: application/json' --data-binary "$1" "$R/r1/messages"
}
tb_check "B -> A offer -> 202" \
	test "$(msg "{\"from\":\"$B\",\"to\":\"$A\",\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}")" = 202
tb_check "A's stream carries it as one data: line (from, to, type, sdp)" \
	tb_wait 5 sse_has a "data: {\"from\":\"$B\",\"to\":\"$A\",\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$TB_CP_PID/stat"; }
T0=$(cpu_ticks)
sleep 4
T1=$(cpu_ticks)
tb_log "control plane CPU over 4 s with an idle stream open: $((T1 - T0)) ticks"
tb_check "an idle stream does not spin the control plane (< 100 ticks = 1 s CPU in 4 s)" \
	test $((T1 - T0)) -lt 100
late_msg() { kill -0 "$SSE_A" && [ "$(msg "{\"from\":\"$B\",\"to\":\"$A\",\"type\":\"candidate\",\"n\":2}")" = 202 ]; }
tb_check "A's stream outlives controlplane.rest.request_timeout_s (3 s) and still takes messages" late_msg
tb_check "... the late message arrives" tb_wait 5 sse_has a '"type":"candidate","n":2'

tb_check "bad JSON -> 400" test "$(msg '{"from":')" = 400
tb_check "a message without \"to\" -> 400" test "$(msg "{\"from\":\"$B\",\"type\":\"x\"}")" = 400
tb_check "message to an unknown room -> 404" \
	test "$(code -X POST -H 'Content-Type: application/json' \
		--data-binary "{\"from\":\"$B\",\"to\":\"$A\",\"type\":\"x\"}" "$R/nope/messages")" = 404
tb_check "message to an unknown peer -> 404" \
	test "$(msg "{\"from\":\"$B\",\"to\":\"0000000000000000\",\"type\":\"x\"}")" = 404
tb_check "message from an unknown peer -> 404" \
	test "$(msg "{\"from\":\"0000000000000000\",\"to\":\"$A\",\"type\":\"x\"}")" = 404
tb_check "a message larger than 16 KiB -> 413" \
	test "$(msg "{\"from\":\"$B\",\"to\":\"$A\",\"type\":\"x\",\"pad\":\"$(head -c 17000 /dev/zero | tr '\0' a)\"}")" = 413
ev() { curl -s -m 5 -o "$TB_DIR/body" -w '%{http_code}' "$@"; }
tb_check "events without key or token -> 401" test "$(ev "$R/r1/events?peer=$B")" = 401
tb_check "events with a wrong key -> 401" \
	test "$(ev "$R/r1/events?peer=$B&key=00000000000000000000000000000000")" = 401
tb_check "events of an unknown room -> 404" test "$(ev "$R/nope/events?peer=$B&key=$AKEY")" = 404
tb_check "events of an unknown peer -> 404" \
	test "$(ev "$R/r1/events?peer=0000000000000000&key=$AKEY")" = 404
tb_check "a second stream for A -> 409" test "$(ev "$TB_REST$AEV")" = 409
tb_check "GET /v1/rooms without a token -> 401" test "$(ev "$R")" = 401
rooms_are() { [ "$(tb_api "$R")" = "$1" ]; }
tb_check "GET /v1/rooms lists r1 with 2 peers" rooms_are '{"rooms":[{"name":"r1","peers":2}]}'

# Limits: a queue that nobody reads (B has no stream), a full room, too many rooms.
q=0
for ((i = 0; i < 140; i++)); do
	c=$(msg "{\"from\":\"$A\",\"to\":\"$B\",\"type\":\"x\",\"i\":$i}")
	[ "$c" = 202 ] || break
	q=$((q + 1))
done
tb_check "B's queue takes 128 undelivered messages, the next -> 429 ($q queued, then $c)" \
	test "$q $c" = "128 429"
FULL=()
for ((i = 0; i < 8; i++)); do
	c=$(code -X POST "$R/full/peers")
	[ "$c" = 201 ] || break
	FULL+=("$(field peer)")
done
tb_check "a room takes 8 peers, the 9th -> 409" \
	test "${#FULL[@]} $(code -X POST "$R/full/peers")" = "8 409"
KEEP=()
for ((i = 0; i < 70; i++)); do
	c=$(code -X POST "$R/keep$i/peers")
	[ "$c" = 201 ] || break
	KEEP+=("keep$i/peers/$(field peer)")
done
n=$((${#KEEP[@]} + 2))  # and r1, full
tb_check "64 rooms at most: the 65th -> 429 ($n rooms, then $c)" test "$n $c" = "64 429"
for p in "${KEEP[@]}"; do tb_api -o /dev/null -X DELETE "$R/$p"; done
tb_check "DELETE an unknown peer -> 404" test "$(code -X DELETE "$R/r1/peers/0000000000000000")" = 404
tb_check "DELETE B -> 200" test "$(code -X DELETE "$R/r1/peers/$B")" = 200
tb_check "A's stream gets B's leave notice" \
	tb_wait 5 sse_has a "data: {\"type\":\"leave\",\"from\":\"$B\"}"
tb_check "DELETE A -> 200" test "$(code -X DELETE "$R/r1/peers/$A")" = 200
sse_gone() { ! kill -0 "$SSE_A" 2>/dev/null; }
tb_check "... and A's stream ends within 3 s (curl exits)" tb_wait 3 sse_gone
sse_stop_all
for p in "${FULL[@]}"; do tb_api -o /dev/null -X DELETE "$R/full/peers/$p"; done
tb_check "every room is gone with its last peer" rooms_are '{"rooms":[]}'

# ---- browsers -----------------------------------------------------------------------
# chrome_start NAME FRAGMENT: the demo page from the control plane, on CPU 0
# (the dataplane's worker has CPU 1); the page reports to RES/NAME.result.json.
chrome_start() {
	local name=$1 udd=$TB_DIR/udd-$1
	mkdir -p "$udd"
	setsid ip netns exec "$TB_NS_C" taskset -c 0 "$CHROME" --headless=new --no-sandbox \
		--disable-gpu --use-fake-device-for-media-stream --use-fake-ui-for-media-stream \
		--disable-background-networking --disable-component-update --disable-sync \
		--no-first-run --no-default-browser-check --mute-audio \
		--autoplay-policy=no-user-gesture-required --disable-features=Translate \
		--enable-logging=stderr --v=0 --user-data-dir="$udd" \
		"http://localhost:$FWD_PORT/#token=$TB_TOKEN&$2&report=http://localhost:$REPORT_PORT/result/$name" \
		>"$TB_DIR/chrome-$name.txt" 2>&1 &
	CHROME_PG[$name]=$!
	CHROME_ALL+=("$!")
}
# jassert NAME PYTHON-EXPR on the page's latest report (r; e = r['echo'],
# c = r['call'], each with status {cls,text}, last and samples).
jassert() {
	python3 - "$RES/$1.result.json" "$2" <<'EOP'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
    ok = eval(sys.argv[2], {"r": r, "e": r.get("echo") or {}, "c": r.get("call") or {},
                            "json": json})
except Exception:
    ok = False
sys.exit(0 if ok else 1)
EOP
}
dump() {
	tb_log "--- $1 report: $(tail -c 2500 "$RES/$1.result.json" 2>/dev/null)"
	grep -aiE 'console|error' "$TB_DIR/chrome-$1.txt" | grep -avE 'dbus|zygote' | tail -n 10 |
		sed 's/^/#   /'
	curl -s "$TB_REST/metrics" | grep -E '^rtcgw_(media|turn)' | grep -v ' 0$' | sed 's/^/# /'
}
summary() {
	python3 -c 'import json,sys; r=json.load(open(sys.argv[1])).get(sys.argv[2]) or {}; print(r.get("status"), r.get("last"))' \
		"$RES/$1.result.json" "$2" 2>/dev/null
}

# (e) the demo page's echo test goes green.
fail0=$TB_FAIL
chrome_start demo "auto=echo"
tb_check "demo page: loaded from the control plane, echo test started (reports arrive)" \
	tb_wait 20 jassert demo "'status' in e"
echo_green() {
	jassert demo "'ok' in e['status']['cls'].split() and len(e['samples']) >= 2 and e['last']['audioIn'] > e['samples'][-2]['audioIn'] > 0 and e['last']['videoIn'] > e['samples'][-2]['videoIn'] > 0 and e['last']['framesDecoded'] > 0"
}
tb_check "(e) demo page: #echo-status turns green (class ok) with audio and video packets growing, frames decoded" \
	tb_wait 40 echo_green
tb_check "demo page: the echo shows ICE connected and DTLS connected" \
	jassert demo "e['last']['dtls'] == 'connected' and e['last']['ice'] in ('connected', 'completed')"
tb_log "echo: $(summary demo echo)"
chrome_stop demo
[ "$TB_FAIL" -eq "$fail0" ] || dump demo
legs_freed() { [ "$(tb_metric rtcgw_media_legs)" = 0 ]; }
# The page's DELETE may not have gone out before the kill: consent ends the leg.
tb_wait 15 legs_freed

# The demo page's publish (WHIP) and view (WHEP) of one stream, two browsers.
fail0=$TB_FAIL
chrome_start demopub "auto=pub&stream=demo1"
pub_ok() { jassert demopub "'ok' in r['pub']['status']['cls'].split() and r['pub']['last']['videoOut'] > 0"; }
tb_check "demo page: publish (WHIP) to stream demo1 goes green (connected, sending)" \
	tb_wait 30 pub_ok
chrome_start demoview "auto=view&stream=demo1"
view_ok() {
	jassert demoview "'ok' in r['view']['status']['cls'].split() and r['view']['last']['framesDecoded'] > r['view']['samples'][-2]['framesDecoded'] > 0 and r['view']['last']['dtls'] == 'connected'"
}
tb_check "demo page: view (WHEP) of demo1 goes green (the publisher's frames decoded, growing)" \
	tb_wait 30 view_ok
tb_log "view: $(summary demoview view)"
chrome_stop demoview
chrome_stop demopub
[ "$TB_FAIL" -eq "$fail0" ] || { dump demopub; dump demoview; }
tb_wait 15 legs_freed

# (d) two browsers call each other through the relay, TURN relay only.
fail0=$TB_FAIL
M() { tb_metric "rtcgw_turn_$1_total"; }
HP0=$(M hairpin_pkts)
AL0=$(M alloc_ok)
chrome_start calla "auto=call&room=call1&relay=1"
tb_check "call: A joined room call1 and waits" \
	tb_wait 20 jassert calla "c.get('peer') and 'waiting' in c['status']['text']"
chrome_start callb "auto=call&room=call1&relay=1"
call_ok() {
	jassert "$1" "'ok' in c['status']['cls'].split() and len(c['samples']) >= 2 and c['last']['audioIn'] > c['samples'][-2]['audioIn'] > 0 and c['last']['videoIn'] > c['samples'][-2]['videoIn'] > 0 and c['last']['framesDecoded'] > 0"
}
both_ok() { call_ok calla && call_ok callb; }
tb_check "(d) call: both browsers receive growing audio and video and decode frames" \
	tb_wait 60 both_ok
relay_pair() {
	jassert "$1" "c['last']['pair']['local']['candidateType'] == 'relay' and c['last']['pair']['remote']['candidateType'] == 'relay' and c['last']['pair']['local']['address'] == '$TB_GW_IP' and c['last']['pair']['remote']['address'] == '$TB_GW_IP' and 52400 <= c['last']['pair']['local']['port'] <= 52499"
}
tb_check "(d) call: A's selected pair is relay/relay, both on rtcgw's relay range" relay_pair calla
tb_check "(d) call: B's selected pair is relay/relay, both on rtcgw's relay range" relay_pair callb
tb_check "call: A and B talk to each other (each one's peer is the other)" \
	python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["call"]; b = json.load(open(sys.argv[2]))["call"]
sys.exit(0 if a["status"]["text"].endswith(b["peer"]) and b["status"]["text"].endswith(a["peer"]) else 1)' \
	"$RES/calla.result.json" "$RES/callb.result.json"
tb_log "A: $(summary calla call)"
tb_log "B: $(summary callb call)"
HP=$(($(M hairpin_pkts) - HP0))
tb_check "call: TURN allocations made (+$(($(M alloc_ok) - AL0))) and media hairpinned in the dataplane (+$HP packets)" \
	test "$(($(M alloc_ok) - AL0))" -ge 2 -a "$HP" -ge 200
chrome_stop calla
tb_check "call: A's browser gone -> its stream closes -> B is told (B's status: peer left)" \
	tb_wait 35 jassert callb "c['status']['text'] == 'peer left'"
chrome_stop callb
[ "$TB_FAIL" -eq "$fail0" ] || { dump calla; dump callb; }
chrome_stop_all
none_left() {
	local pg
	for pg in "${CHROME_ALL[@]}"; do
		! kill -0 -- "-$pg" 2>/dev/null || { tb_log "process group $pg still alive"; return 1; }
	done
	! ls -d "$TB_DIR"/udd-* >/dev/null 2>&1
}
tb_check "every Chromium process group ended, user-data dirs removed" none_left
tb_done
