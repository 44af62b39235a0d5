#!/usr/bin/env bash
# Fan-out through rtcgw (issue 7, test f) with real headless Chromium: one WHIP
# publisher and VIEWERS (4) WHEP viewers, each in its own browser process in the
# client namespace, every media check read from the pages' getStats():
#  - every viewer decodes the publisher's video (framesDecoded > 0 and growing)
#    and receives audio (packetsReceived growing, totalAudioEnergy > 0);
#  - GET /v1/sessions: the stream's session lists the publisher and every
#    viewer, and each viewer leg's dataplane counter rtp_out grows;
#  - DELETE of every resource: all legs freed (the control plane has no legs,
#    the dataplane's legs added == removed), no session left.
# Five browsers share CPU 0 (the dataplane's worker has CPU 1): the publisher's
# camera is 320x240 at 15 fps (getUserMedia constraints on the fake device).
#
#   netns rgfc (client)                                  netns rgfg
#   rgfc0 198.18.52.1/24 <============ veth =========> rgfg0 (dataplane 198.18.52.2,
#   media_page.py on 127.0.0.1:18146 (page + /v1 proxy        media 40000-40099)
#     to the REST API on the host's 127.0.0.1:18145)
. "$(dirname "$0")/lib.sh"

PAGE_PORT=18146
VIEWERS=4
STREAM=fan1

tb_init rgf 52 18145
TB_CONF_MEDIA="  port_min: 40000
  port_max: 40099
  consent_timeout_s: 10"

. "$(dirname "$0")/chromium_lib.sh"
cr_init

tb_net_up
tb_config
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent

cr_page_start

jget() { # jget NAME KEY: a top-level value of the page's result
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2]) or "")' \
		"$RES/$1.result.json" "$2" 2>/dev/null
}
dump() {
	local f
	for f in "$RES/$1.log" "$RES/$1.result.json"; do
		[ -f "$f" ] && { tb_log "--- $f"; tail -c 2000 "$f" | sed 's/^/#   /'; echo; }
	done
}
M() { tb_metric "rtcgw_$1"; }
legs_freed() {
	[ "$(M media_legs)" = 0 ] && [ "$(M media_sessions)" = 0 ] &&
		[ "$(M media_leg_added_total)" = "$(M media_leg_removed_total)" ]
}
code() { tb_api -o "$TB_DIR/body" -w '%{http_code}' "$@"; }
t_start=$(date +%s)

# ---- the publisher ----------------------------------------------------------------
chrome_start pub "mode=pub&stream=$STREAM&secs=150&w=320&h=240&fps=15"
tb_check "publisher: POST /v1/whip/$STREAM -> 201" tb_wait 40 jassert pub "r.get('status') == 201"
tb_check "publisher: connected and sending video" \
	tb_wait 30 jassert pub "s.get('conn') == 'connected' and s['videoOut'] > 30"

# ---- the viewers, one browser process each -----------------------------------------
for ((v = 1; v <= VIEWERS; v++)); do
	chrome_start "v$v" "mode=view&stream=$STREAM&secs=130"
done
for ((v = 1; v <= VIEWERS; v++)); do
	tb_check "viewer v$v: POST /v1/whep/$STREAM -> 201" \
		tb_wait 40 jassert "v$v" "r.get('status') == 201"
done
view_ok() {
	jassert "$1" "len(r['samples']) >= 3 and s['framesDecoded'] > r['samples'][-3]['framesDecoded'] > 0 and s['audioIn'] > r['samples'][-3]['audioIn'] > 0 and s['audioEnergy'] > 0"
}
# One deadline for all viewers: each wait only takes what is left of it.
deadline=$(($(date +%s) + 60))
for ((v = 1; v <= VIEWERS; v++)); do
	left=$((deadline - $(date +%s)))
	[ "$left" -ge 1 ] || left=1
	tb_check "viewer v$v: decodes the publisher's video (framesDecoded > 0 and growing), audio arrives (growing, energy > 0)" \
		tb_wait "$left" view_ok "v$v"
	tb_log "v$v: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("last"))' "$RES/v$v.result.json" 2>/dev/null)"
done

# ---- the dataplane's per-leg counters through GET /v1/sessions ----------------------
# snap FILE: "role rtp_in rtp_out" per leg of the stream's session, in REST order.
snap() {
	tb_api "$TB_REST/v1/sessions" >"$TB_DIR/sessions.json"
	python3 - "$TB_DIR/sessions.json" "$STREAM" >"$1" <<'EOP'
import json, sys
d = json.load(open(sys.argv[1]))
s = [x for x in d["sessions"] if x["id"] == sys.argv[2]][0]
assert s["rule"] == "fan-out"
for l in s["legs"]:
    print(l["id"], l["role"], l["srtp"], l["counters"]["rtp_in"], l["counters"]["rtp_out"])
EOP
}
legs_listed() {
	snap "$TB_DIR/s1" &&
		[ "$(awk '$2 == "publisher" && $3 == "active"' "$TB_DIR/s1" | wc -l)" = 1 ] &&
		[ "$(awk '$2 == "viewer" && $3 == "active"' "$TB_DIR/s1" | wc -l)" = "$VIEWERS" ]
}
tb_check "GET /v1/sessions: the stream's session lists 1 publisher + $VIEWERS viewers, SRTP active" \
	tb_wait 5 legs_listed
sed 's/^/# leg (id role srtp rtp_in rtp_out): /' "$TB_DIR/s1"
sleep 3
outs_grow() { # every viewer's rtp_out moved since s1, and the publisher's rtp_in
	snap "$TB_DIR/s2" && python3 - "$TB_DIR/s1" "$TB_DIR/s2" "$VIEWERS" <<'EOP'
import sys
a = {l.split()[0]: l.split() for l in open(sys.argv[1])}
b = {l.split()[0]: l.split() for l in open(sys.argv[2])}
views = [k for k, v in b.items() if v[1] == "viewer"]
pub = [k for k, v in b.items() if v[1] == "publisher"]
ok = (len(views) == int(sys.argv[3]) and len(pub) == 1 and
      int(b[pub[0]][3]) > int(a[pub[0]][3]) and
      all(k in a and int(b[k][4]) > int(a[k][4]) > 0 for k in views))
sys.exit(0 if ok else 1)
EOP
}
tb_check "GET /v1/sessions: the publisher's rtp_in and every viewer's rtp_out growing" \
	tb_wait 10 outs_grow
sed 's/^/# leg 3 s later: /' "$TB_DIR/s2"
tb_check "metrics: one session, $((VIEWERS + 1)) legs" \
	test "$(M media_sessions) $(M media_legs)" = "1 $((VIEWERS + 1))"

# ---- DELETE everything -----------------------------------------------------------------
for ((v = 1; v <= VIEWERS; v++)); do
	loc=$(jget "v$v" location)
	tb_check "viewer v$v: DELETE $loc -> 200" test "$(code -X DELETE "$TB_REST$loc")" = 200
done
loc=$(jget pub location)
tb_check "publisher: DELETE $loc -> 200" test "$(code -X DELETE "$TB_REST$loc")" = 200
tb_check "everything freed: no legs, no session, dataplane legs added == removed" \
	tb_wait 10 legs_freed
no_sessions() {
	[ "$(tb_api "$TB_REST/v1/sessions" |
		python3 -c 'import json,sys; print(len(json.load(sys.stdin)["sessions"]))')" = 0 ]
}
tb_check "GET /v1/sessions lists no session" tb_wait 5 no_sessions
if [ "$TB_FAIL" -ne 0 ]; then
	dump pub
	for ((v = 1; v <= VIEWERS; v++)); do dump "v$v"; done
	tb_log "--- sessions: $(tb_api "$TB_REST/v1/sessions")"
fi
chrome_stop_all
tb_log "media counters: $(curl -s "$TB_REST/metrics" | grep -E '^rtcgw_media' | grep -v ' 0$' | tr '\n' ' ')"
tb_log "browsers to DELETE: $(($(date +%s) - t_start)) s"
tb_done
