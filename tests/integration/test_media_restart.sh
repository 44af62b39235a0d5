#!/usr/bin/env bash
# Issue 7: the control plane killed with -9 in the middle of a WHIP/WHEP
# session: media keeps flowing to the viewer (the dataplane forwards on its
# own: its packetsReceived and framesDecoded keep growing while no control
# plane runs), and a restarted control plane takes the sessions over from its
# journal (controlplane.journal_dir): GET /v1/sessions lists them again, their
# counters move, a new viewer joins the restored publisher, and DELETE frees
# everything. A browser that vanishes while no control plane runs is cleaned
# up by the next one (consent loss left in the event ring). A control plane
# started next to a *new* dataplane ignores the old journal (it describes
# another instance) and starts from empty tables. Last, without a configured
# certificate: the generated one is journaled and a control plane taking the
# journal over answers with its fingerprint; a fresh start gets a new one.
#
#   netns rgkc (client)                                  netns rgkg
#   rgkc0 198.18.50.1/24 <============ veth =========> rgkg0 (dataplane 198.18.50.2,
#   media_page.py on 127.0.0.1:18141 (page + /v1 proxy        media 40000-40099)
#     to the REST API on the host's 127.0.0.1:18140)
. "$(dirname "$0")/lib.sh"

PAGE_PORT=18141
CONSENT_S=8

tb_init rgk 50 18140
# The DTLS certificate from the config (media.dtls_certificate): the answers
# carry its fingerprint, and a restarted control plane presents the same one.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=rtcgw-test \
	-keyout "$TB_DIR/dtls.key" -out "$TB_DIR/dtls.crt" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$TB_DIR/other.key" 2>/dev/null
CERT_FP=$(openssl x509 -in "$TB_DIR/dtls.crt" -noout -fingerprint -sha256 | sed 's/^.*=//')
TB_CONF_MEDIA="  port_min: 40000
  port_max: 40099
  consent_timeout_s: $CONSENT_S
  dtls_certificate: $TB_DIR/dtls.crt
  dtls_private_key: $TB_DIR/dtls.key"

. "$(dirname "$0")/chromium_lib.sh"
cr_init

tb_net_up
tb_config
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent
JOURNAL=$TB_DIR/journal/$TB.journal.json

cr_page_start

dump() {
	local f
	for f in "$RES/$1.log" "$RES/$1.result.json"; do
		[ -f "$f" ] && { tb_log "--- $f"; tail -c 2000 "$f" | sed 's/^/#   /'; echo; }
	done
	tb_log "--- sessions: $(tb_api "$TB_REST/v1/sessions")"
}
M() { tb_metric "rtcgw_$1"; }
legs_freed() {
	[ "$(M media_legs)" = 0 ] && [ "$(M media_leg_added_total)" = "$(M media_leg_removed_total)" ]
}
code() { tb_api -o "$TB_DIR/body" -w '%{http_code}' "$@"; }
# sess_is PYTHON-EXPR on GET /v1/sessions/cam1 (d).
sess_is() {
	tb_api "$TB_REST/v1/sessions/cam1" >"$TB_DIR/cam1.json"
	python3 - "$TB_DIR/cam1.json" "$1" <<'EOP'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    ok = eval(sys.argv[2], {"d": d})
except Exception:
    ok = False
sys.exit(0 if ok else 1)
EOP
}

# ---- a WHIP publisher and a WHEP viewer -------------------------------------------
fail0=$TB_FAIL
chrome_start pub "mode=pub&stream=cam1&secs=150"
tb_check "publisher: POST /v1/whip/cam1 -> 201" tb_wait 30 jassert pub "r.get('status') == 201"
tb_check "publisher: connected and sending video" \
	tb_wait 30 jassert pub "s.get('conn') == 'connected' and s['videoOut'] > 50"
tb_check "the answer carries the configured certificate's fingerprint (sha-256 $CERT_FP)" \
	jassert pub "'a=fingerprint:sha-256 $CERT_FP' in r.get('answer', '')"
chrome_start view "mode=view&stream=cam1&secs=150"
tb_check "viewer: POST /v1/whep/cam1 -> 201" tb_wait 30 jassert view "r.get('status') == 201"
VIEW_LOC=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("location") or "")' "$RES/view.result.json" 2>/dev/null)
PUB_LOC=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("location") or "")' "$RES/pub.result.json" 2>/dev/null)
tb_check "viewer: decodes the publisher's video" \
	tb_wait 40 jassert view "len(r['samples']) >= 3 and s['framesDecoded'] > r['samples'][-3]['framesDecoded'] > 0"
tb_check "the journal names both legs" \
	tb_wait 5 python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if len(d["sections"]["media"]) == 2 and d["dataplane"]["pid"] > 0 else 1)' "$JOURNAL"

# An RTP-ingest stream too (plain, no DTLS): it must come back with its port.
code -X POST -H 'Content-Type: application/json' \
	--data '{"name":"ing1","audio":{"codec":"opus","pt":111},"video":{"codec":"vp8","pt":96}}' \
	"$TB_REST/v1/streams" >/dev/null
ING_PORT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["port"])' "$TB_DIR/body" 2>/dev/null)
tb_check "an RTP-ingest stream ing1 on port ${ING_PORT:-?}" test -n "$ING_PORT"

# ---- kill -9 the control plane: media goes on ----------------------------------------
B0=$(M media_out_total)
tb_stop_pid "$TB_CP_PID" KILL
tb_log "control plane $TB_CP_PID killed with SIGKILL"
sleep 1
P0=$(jget view videoIn)
F0=$(jget view framesDecoded)
sleep 6
P1=$(jget view videoIn)
F1=$(jget view framesDecoded)
tb_log "viewer while no control plane ran: video packets $P0 -> $P1, frames $F0 -> $F1"
tb_check "no control plane: the viewer's video packetsReceived keep growing (+>= 30 in 6 s)" \
	test "$P1" -ge $((P0 + 30))
tb_check "no control plane: the viewer keeps decoding (framesDecoded growing)" \
	test "$F1" -gt "$F0"

# ---- a restarted control plane takes the sessions over -------------------------------
tb_check "a restarted control plane attaches" tb_start_cp
tb_check "it took the journal's legs over (log)" \
	grep -q 'media: 3 leg(s) taken over from the journal' "$TB_DIR/cp.log"
tb_check "GET /v1/sessions/cam1 lists the publisher and the viewer again (DTLS restored, SRTP active)" \
	tb_wait 5 sess_is '[l["role"] for l in d["legs"]] == ["publisher", "viewer"] and all(l["dtls"] == "restored" and l["srtp"] == "active" and l["ice"] == "nominated" for l in d["legs"])'
tb_check "their counters come from the dataplane again (viewer rtp_out > 0)" \
	tb_wait 5 sess_is 'd["legs"][1]["counters"]["rtp_out"] > 0 and d["legs"][0]["counters"]["rtp_in"] > 0'
tb_check "metrics: two sessions (cam1, ing1), three legs, none re-created" \
	test "$(M media_sessions) $(M media_legs)" = "2 3"
ing_back() {
	tb_api "$TB_REST/v1/streams/ing1" >"$TB_DIR/ing1.json"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["port"] == int(sys.argv[2]) else 1)' \
		"$TB_DIR/ing1.json" "$ING_PORT" 2>/dev/null
}
tb_check "the ingest stream came back with its port (GET /v1/streams/ing1)" ing_back
B1=$(M media_out_total)
tb_log "dataplane media_out_total: $B0 before the kill, $B1 after the restart"
tb_check "forwarding went on through the restart (dataplane media_out_total +>= 300)" \
	test "${B1:-0}" -ge $((${B0:-0} + 300))
tb_check "the viewer still decodes after the restart" \
	tb_wait 10 jassert view "len(r['samples']) >= 3 and s['framesDecoded'] > r['samples'][-3]['framesDecoded'] > 0"

# A new viewer joins the restored publisher (its offer came back from the journal).
chrome_start view2 "mode=view&stream=cam1&secs=60"
tb_check "a new viewer: POST /v1/whep/cam1 -> 201 on the restored publisher" \
	tb_wait 30 jassert view2 "r.get('status') == 201"
tb_check "the new viewer decodes the publisher's video" \
	tb_wait 40 jassert view2 "len(r['samples']) >= 3 and s['framesDecoded'] > r['samples'][-3]['framesDecoded'] > 0"
chrome_stop view2
tb_check "DELETE of a restored viewer -> 200" test "$(code -X DELETE "$TB_REST$VIEW_LOC")" = 200
tb_check "DELETE of the restored publisher -> 200" test "$(code -X DELETE "$TB_REST$PUB_LOC")" = 200
tb_check "DELETE of the restored ingest stream -> 200" \
	test "$(code -X DELETE "$TB_REST/v1/streams/ing1")" = 200
tb_check "everything freed (no legs; dataplane legs added == removed)" tb_wait 10 legs_freed
chrome_stop view
chrome_stop pub
[ "$TB_FAIL" -eq "$fail0" ] || { dump pub; dump view; dump view2; }

# A key that does not match the certificate: the control plane refuses to
# start and names the key (the running one is not disturbed).
sed "s#dtls_private_key: .*#dtls_private_key: $TB_DIR/other.key#" "$TB_CONF" >"$TB_DIR/bad.yaml"
sed -i "s#listen: 127.0.0.1:$TB_REST_PORT#listen: 127.0.0.1:$((TB_REST_PORT + 4))#" "$TB_DIR/bad.yaml"
timeout 20 "$TB_CP_BIN" -c "$TB_DIR/bad.yaml" >"$TB_DIR/bad.log" 2>&1
tb_check "a DTLS key that does not match the certificate: the control plane exits non-zero" \
	test $? -ne 0
tb_check "... naming media.dtls_certificate and the mismatch" \
	grep -q 'media.dtls_certificate: .*other.key does not match the certificate' "$TB_DIR/bad.log"

# ---- a browser that vanished while no control plane ran -------------------------------
# The dataplane reports consent loss into the event ring; the control plane
# that takes over handles what its predecessor left unread.
fail0=$TB_FAIL
chrome_start pub2 "mode=pub&stream=cam2&secs=60"
tb_check "publisher cam2 connected" \
	tb_wait 40 jassert pub2 "r.get('status') == 201 and s.get('conn') == 'connected'"
tb_stop_pid "$TB_CP_PID" KILL
chrome_stop pub2 KILL
sleep $((CONSENT_S + 2))
tb_check "a control plane restarted after the browser vanished attaches" tb_start_cp
tb_check "the consent loss reported meanwhile ends the restored leg: everything freed" \
	tb_wait 5 legs_freed
tb_check "... and the log says so" grep -q 'cam2, port [0-9]*): ended: ICE consent lost' "$TB_DIR/cp.log"
[ "$TB_FAIL" -eq "$fail0" ] || dump pub2

# ---- a journal of another dataplane instance is not taken over ------------------------
fail0=$TB_FAIL
chrome_start pub3 "mode=pub&stream=cam3&secs=60"
tb_check "publisher cam3 connected" \
	tb_wait 40 jassert pub3 "r.get('status') == 201 and s.get('conn') == 'connected'"
tb_stop_pid "$TB_CP_PID" KILL
chrome_stop pub3
tb_check "the crashed control plane left its journal" test -s "$JOURNAL"
tb_stop_pid "$TB_DP_PID"
tb_check "a new dataplane starts" tb_start_dp
tb_check "a control plane attaches to it" tb_start_cp
no_sessions() {
	tb_api "$TB_REST/v1/sessions" >"$TB_DIR/all.json"
	python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))["sessions"] == [] else 1)' \
		"$TB_DIR/all.json" 2>/dev/null
}
tb_check "the old journal was ignored (another dataplane instance): no sessions" tb_wait 5 no_sessions
tb_check "... and the control plane says why" grep -q 'describes another dataplane' "$TB_DIR/cp.log"
tb_stop_pid "$TB_CP_PID"
tb_check "a clean stop removes the journal" test ! -e "$JOURNAL"
[ "$TB_FAIL" -eq "$fail0" ] || dump pub3

# ---- a generated certificate survives a takeover --------------------------------------
# Without media.dtls_certificate the control plane generates one; the journal
# carries it (and its key), so a control plane taking the sessions over
# answers with the fingerprint the running associations were made with. A
# fresh start (no journal) generates a new one. No browser needed: the
# fingerprint is read from WHIP answers to a captured Chromium offer.
fail0=$TB_FAIL
sed -i '/dtls_certificate:\|dtls_private_key:/d' "$TB_CONF"
OFFER=$(dirname "$0")/../vectors/sdp/chromium-whip.sdp
# whip_fp STREAM: POST the offer, print the answer's fingerprint (sha-256 value).
whip_fp() {
	tb_api -X POST -H 'Content-Type: application/sdp' --data-binary "@$OFFER" \
		"$TB_REST/v1/whip/$1" | tr -d '\r' | sed -n 's/^a=fingerprint:sha-256 //p' | head -n 1
}
tb_check "a control plane without media.dtls_certificate attaches" tb_start_cp
FP_GEN=$(whip_fp gen1)
tb_log "generated certificate: sha-256 ${FP_GEN:-none}"
tb_check "its answer carries a generated certificate's fingerprint (not the configured one)" \
	test -n "$FP_GEN" -a "$FP_GEN" != "$CERT_FP"
journal_has_cert() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["sections"]
sys.exit(0 if "BEGIN PRIVATE KEY" in d["dtls"]["key"] and len(d["media"]) == 1 else 1)' "$JOURNAL" 2>/dev/null
}
tb_check "the journal carries the generated certificate and key" tb_wait 5 journal_has_cert
tb_check "... in a 0600 file in a 0700 directory" \
	test "$(stat -c %a "$JOURNAL") $(stat -c %a "$(dirname "$JOURNAL")")" = "600 700"
tb_stop_pid "$TB_CP_PID" KILL
LOG_AT=$(wc -l <"$TB_DIR/cp.log")
tb_check "a control plane restarted next to the same dataplane attaches" tb_start_cp
tb_check "it took the journal's certificate over (log)" \
	tb_wait 5 sh -c "tail -n +$((LOG_AT + 1)) '$TB_DIR/cp.log' | grep -q 'DTLS certificate taken over from the journal (sha-256 $FP_GEN)'"
# (gen1 itself had not finished a handshake: taken over, then ended as such legs are)
tb_check "... together with the sessions (log)" \
	sh -c "tail -n +$((LOG_AT + 1)) '$TB_DIR/cp.log' | grep -q 'media: 1 leg(s) taken over from the journal'"
FP_TAKEN=$(whip_fp gen2)
tb_log "after the takeover: sha-256 ${FP_TAKEN:-none}"
tb_check "after the takeover a new answer carries the same fingerprint as before the restart" \
	test -n "$FP_TAKEN" -a "$FP_TAKEN" = "$FP_GEN"
tb_stop_pid "$TB_CP_PID"
tb_check "a clean stop removes the journal (no certificate left behind)" test ! -e "$JOURNAL"
tb_check "a fresh control plane (no journal) attaches" tb_start_cp
FP_NEW=$(whip_fp gen3)
tb_log "fresh start: sha-256 ${FP_NEW:-none}"
tb_check "a fresh start generates a new certificate (another fingerprint)" \
	test -n "$FP_NEW" -a "$FP_NEW" != "$FP_GEN"
tb_stop_pid "$TB_CP_PID"
[ "$TB_FAIL" -eq "$fail0" ] || { tb_log "--- cp.log"; tail -n 30 "$TB_DIR/cp.log" | sed 's/^/#   /'; }
tb_done
