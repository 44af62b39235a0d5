#!/usr/bin/env bash
# WebRTC media over IPv6 (issue 11 item 3 with issue 7's sessions): headless
# Chromium in a namespace that has no IPv4 at all reaches the gateway over
# IPv6 only, through a router, so every check below is about the IPv6 path:
#  (a) echo through WHIP: the answer carries the port's IPv6 host candidate
#      beside the IPv4 one (same media port), inbound audio and video
#      packetsReceived growing, framesDecoded > 0, the selected candidate
#      pair's remote candidate is the gateway's IPv6 address, /v1/sessions
#      shows the IPv6 peer; DELETE frees everything (dataplane legs added ==
#      removed);
#  (b) an IPv4 publisher with a WHEP viewer on IPv6, and the reverse (an IPv6
#      publisher with an IPv4 viewer), both viewers decoding;
#  (c) the control plane killed with -9 and restarted: the journal gives the
#      IPv6 legs back with their IPv6 peers, the IPv6 viewer keeps decoding;
#  (d) consent loss: an IPv6 browser killed by PID ends its legs within
#      media.consent_timeout_s.
#
#   netns rgev (IPv6 only)          netns rgec (router, IPv4 browsers:       netns rgeg
#                                    ip6tables drops its own UDP to ::2)
#   rgev0 2001:2:0:73::2/64 <=veth=> rgecv 2001:2:0:73::1/64
#                                    rgec0 198.18.72.1/24, 2001:2:0:72::1/64 <=veth=> rgeg0
#   (default route via ::1)                                  (dataplane 198.18.72.2,
#                                                             2001:2:0:72::2/64, gateway6 ::1)
#   page servers: 127.0.0.1:18211 in rgec, 127.0.0.1:18212 in rgev; REST 127.0.0.1:18210
. "$(dirname "$0")/lib.sh"

PAGE4=18211
PAGE6=18212
CONSENT_S=6
GW6=2001:2:0:72::2
RT6=2001:2:0:72::1
CL6=2001:2:0:73::2

tb_init rge 72 18210
TB_CONF_MEDIA="  port_min: 40000
  port_max: 40099
  consent_timeout_s: $CONSENT_S"

. "$(dirname "$0")/chromium_lib.sh"
cr_init

tb_net_up
NS6=${TB}v
ip netns del "$NS6" 2>/dev/null || true
ip netns add "$NS6"
TB_EXTRA_NS+=("$NS6")
t6() { ip netns exec "$NS6" "$@"; }
# The client namespace routes IPv6 between the gateway's link and NS6's.
tb_client_ipv6 "$RT6/64"
ip link add "${TB}cv" netns "$TB_NS_C" type veth peer name "${TB}v0" netns "$NS6"
tb_c sysctl -qw "net.ipv6.conf.${TB}cv.disable_ipv6=0"
tb_c ip -6 addr add 2001:2:0:73::1/64 dev "${TB}cv" nodad
tb_c ip link set "${TB}cv" up
tb_c sysctl -qw net.ipv6.conf.all.forwarding=1
tb_c python3 "$TB_ROOT/tests/integration/txcsum_off.py" "${TB}cv"
t6 ip link set lo up
t6 python3 "$TB_ROOT/tests/integration/txcsum_off.py" "${TB}v0"
t6 ip -6 addr add "$CL6/64" dev "${TB}v0" nodad
t6 ip link set "${TB}v0" up
t6 ip -6 route add default via 2001:2:0:73::1
# The client namespace's own browsers stay IPv4 (Chromium prefers an IPv6
# pair when it has one): UDP it sends itself to the gateway's IPv6 address is
# dropped. OUTPUT sees locally sent packets only, not what it forwards for NS6.
tb_check "the client namespace's own UDP to $GW6 dropped (ip6tables; scripts/setup.sh --test installs iptables)" \
	tb_c ip6tables -A OUTPUT -p udp -d "$GW6" -j DROP || exit 1
tb_config
sed -i "s|^      gateway: $TB_CLIENT_IP\$|&\n      address6: $GW6/64\n      gateway6: $RT6|" "$TB_CONF"
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent

no_ipv4() { ! t6 ip -4 addr show scope global | grep -q inet && ! t6 ip -4 route show | grep -q .; }
tb_check "$NS6 has no IPv4 address or route" no_ipv4
tb_check "$NS6 reaches the gateway over IPv6 (ping6 $GW6 through the router, gateway6 back)" \
	t6 ping -6 -c 2 -i 0.2 -W 2 "$GW6"

cr_page_start "$TB_NS_C" "$PAGE4"
cr_page_start "$NS6" "$PAGE6"

M() { tb_metric "rtcgw_$1"; }
legs_freed() {
	[ "$(M media_legs)" = 0 ] && [ "$(M media_leg_added_total)" = "$(M media_leg_removed_total)" ]
}
code() { tb_api -o "$TB_DIR/body" -w '%{http_code}' "$@"; }
dump() {
	local f
	for f in "$RES/$1.log" "$RES/$1.result.json"; do
		[ -f "$f" ] && { tb_log "--- $f"; tail -c 2500 "$f" | sed 's/^/#   /'; echo; }
	done
	tb_log "--- sessions: $(tb_api "$TB_REST/v1/sessions")"
	curl -s "$TB_REST/metrics" | grep -E '^rtcgw_(media|ipc_punt|ipc_tx|ice|ndp|ipv6|demux)' |
		grep -v ' 0$' | sed 's/^/# /'
}
# sess_leg ID ROLE PYTHON-EXPR: on leg ROLE of session ID (l), true
sess_leg() {
	tb_api "$TB_REST/v1/sessions/$1" >"$TB_DIR/sess-$1.json"
	python3 - "$TB_DIR/sess-$1.json" "$2" "$3" <<'EOP'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    ok = any(eval(sys.argv[3], {"l": l}) for l in d["legs"] if l["role"] == sys.argv[2])
except Exception:
    ok = False
sys.exit(0 if ok else 1)
EOP
}
res_id() { python3 -c 'import json,sys; print((json.load(open(sys.argv[1])).get("location") or "").rsplit("/",1)[-1])' "$RES/$1.result.json" 2>/dev/null; }
GW4_RE=${TB_GW_IP//./\\.}
V6="l.get('peer', {}).get('family') == 'ipv6' and l['peer']['address'] == '$CL6'"
V4="l.get('peer', {}).get('family') == 'ipv4' and l['peer']['address'] == '$TB_CLIENT_IP'"

# ---- (a) echo over IPv6 ---------------------------------------------------------------
fail0=$TB_FAIL
C6=$(M ice6_checked_total)
chrome_start echo6 "mode=echo&secs=45&w=320&h=240&fps=15" "$NS6" "$PAGE6"
tb_check "echo6: POST /v1/echo -> 201" tb_wait 30 jassert echo6 "r.get('status') == 201"
tb_check "echo6: the answer has the IPv6 host candidate on the IPv4 candidate's port" \
	jassert echo6 "re.search(r'a=candidate:1 1 udp \d+ $GW4_RE (\d+) typ host\r\na=candidate:2 1 udp \d+ $GW6 \1 typ host', r['answer']) is not None"
echo_ok() {
	jassert echo6 "len(r['samples']) >= 3 and s['audioIn'] > r['samples'][-3]['audioIn'] > 0 and s['videoIn'] > r['samples'][-3]['videoIn'] > 0 and s['framesDecoded'] > 0"
}
tb_check "echo6: inbound audio and video packetsReceived growing, framesDecoded > 0" tb_wait 40 echo_ok
tb_check "echo6: the selected pair's remote candidate is $GW6" \
	jassert echo6 "s.get('remote') == '$GW6'"
tb_log "echo6: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("last"))' "$RES/echo6.result.json" 2>/dev/null)"
ID=$(res_id echo6)
tb_check "echo6: /v1/sessions/echo-$ID: nominated, DTLS connected, SRTP active, peer [$CL6] (ipv6), media both ways" \
	tb_wait 5 sess_leg "echo-$ID" echo "l['ice'] == 'nominated' and l['dtls'] == 'connected' and l['srtp'] == 'active' and l['counters']['rtp_in'] > 0 and l['counters']['rtp_out'] > 0 and $V6"
tb_log "session: $(cat "$TB_DIR/sess-echo-$ID.json" | head -c 600)"
tb_check "echo6: ICE checks came over IPv6 (ice6_checked grew)" \
	tb_metric_ge rtcgw_ice6_checked_total $((C6 + 1))
tb_check "echo6: DELETE -> 200" test "$(code -X DELETE "$TB_REST/v1/resources/$ID")" = 200
tb_check "echo6: everything freed (no legs; dataplane legs added == removed)" tb_wait 5 legs_freed
chrome_stop echo6
[ "$TB_FAIL" -eq "$fail0" ] || dump echo6

# ---- (b) IPv4 publisher -> IPv6 viewer, IPv6 publisher -> IPv4 viewer -----------------
fail0=$TB_FAIL
SMALL="w=320&h=240&fps=15"
chrome_start pub4 "mode=pub&stream=cam4&secs=150&$SMALL" "$TB_NS_C" "$PAGE4"
chrome_start pub6 "mode=pub&stream=cam6&secs=150&$SMALL" "$NS6" "$PAGE6"
pub_sending() { jassert "$1" "s.get('conn') == 'connected' and s['videoOut'] > 50"; }
both_sending() { pub_sending pub4 && pub_sending pub6; }
tb_check "pub4 (IPv4) and pub6 (IPv6): connected and sending video" tb_wait 40 both_sending
chrome_start view6 "mode=view&stream=cam4&secs=150" "$NS6" "$PAGE6"
chrome_start view4 "mode=view&stream=cam6&secs=150" "$TB_NS_C" "$PAGE4"
view_ok() {
	jassert "$1" "len(r['samples']) >= 3 and s['framesDecoded'] > r['samples'][-3]['framesDecoded'] > 0"
}
tb_check "view6 (IPv6) decodes the IPv4 publisher's video (framesDecoded > 0 and growing)" \
	tb_wait 40 view_ok view6
tb_check "view4 (IPv4) decodes the IPv6 publisher's video (framesDecoded > 0 and growing)" \
	tb_wait 30 view_ok view4
remotes_ok() {
	jassert view6 "s.get('remote') == '$GW6'" && jassert pub6 "s.get('remote') == '$GW6'" &&
		jassert pub4 "s.get('remote') == '$TB_GW_IP'" && jassert view4 "s.get('remote') == '$TB_GW_IP'"
}
remotes_say() { # each page's last sample's selected remote candidate (after a failure)
	local p
	for p in view6 pub6 pub4 view4; do
		tb_log "$p: $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); l=r.get("last") or {}; print(l.get("remote"), l.get("ice"), l.get("t"), len(r.get("samples", [])))' "$RES/$p.result.json" 2>&1)"
	done
}
# (the pages write a sample a second: a moment for the pair just selected)
f0=$TB_FAIL
tb_check "selected remote candidates: $GW6 for pub6 and view6, $TB_GW_IP for pub4 and view4" \
	tb_wait 5 remotes_ok
[ "$TB_FAIL" = "$f0" ] || remotes_say
cam4_ok() { sess_leg cam4 publisher "$V4" && sess_leg cam4 viewer "$V6"; }
cam6_ok() { sess_leg cam6 publisher "$V6" && sess_leg cam6 viewer "$V4"; }
f0=$TB_FAIL
tb_check "/v1/sessions/cam4: publisher on IPv4, viewer on IPv6" tb_wait 5 cam4_ok
[ "$TB_FAIL" = "$f0" ] || tb_log "cam4: $(cat "$TB_DIR/sess-cam4.json")"
tb_check "/v1/sessions/cam6: publisher on IPv6, viewer on IPv4" tb_wait 5 cam6_ok

# ---- (c) control plane kill -9 + restart: the journal keeps the IPv6 peers ---------------
F0=$(jget view6 framesDecoded)
tb_stop_pid "$TB_CP_PID" KILL
tb_log "control plane $TB_CP_PID killed with SIGKILL"
tb_check "a restarted control plane attaches" tb_start_cp
tb_check "it took the journal's 4 media legs over" \
	grep -q 'media: 4 leg(s) taken over from the journal' "$TB_DIR/cp.log"
tb_check "after the restart /v1/sessions/cam4 shows the viewer's IPv6 peer" \
	tb_wait 5 sess_leg cam4 viewer "$V6"
tb_check "after the restart /v1/sessions/cam6 shows the publisher's IPv6 peer" \
	tb_wait 5 sess_leg cam6 publisher "$V6"
ice6_legs() {
	tb_api "$TB_REST/v1/ice/legs" | python3 -c '
import json, sys
L = json.load(sys.stdin)["legs"]
sys.exit(0 if sum(1 for l in L if l.get("selected", {}).get("family") == "ipv6"
                  and l["selected"]["address"] == sys.argv[1]) == 2 else 1)' "$CL6"
}
tb_check "/v1/ice/legs: both IPv6 legs' selected pairs are [$CL6] after the restart" ice6_legs
more_frames() { [ "$(jget view6 framesDecoded)" -gt $((F0 + 30)) ]; }
tb_check "the IPv6 viewer kept decoding through the restart (+30 frames)" tb_wait 15 more_frames

# ---- (d) consent loss of IPv6 browsers -----------------------------------------------------
gone_viewer() { ! sess_leg cam4 viewer "True"; }
t0=$(date +%s)
chrome_stop view6 KILL
tb_check "the killed IPv6 viewer's leg ended within consent_timeout_s ($CONSENT_S s) + 3 s" \
	tb_wait $((CONSENT_S + 3)) gone_viewer
tb_log "view6 ended after $(($(date +%s) - t0)) s"
tb_check "... with ICE consent lost (log)" grep -q 'ended: ICE consent lost' "$TB_DIR/cp.log"
no_cam6() { [ "$(code "$TB_REST/v1/sessions/cam6")" = 404 ]; }
t0=$(date +%s)
chrome_stop pub6 KILL
tb_check "the killed IPv6 publisher's session (and its IPv4 viewer) ended within $CONSENT_S s + 3 s" \
	tb_wait $((CONSENT_S + 3)) no_cam6
tb_log "cam6 ended after $(($(date +%s) - t0)) s"
PUB4=$(res_id pub4)
tb_check "pub4: DELETE -> 200" test "$(code -X DELETE "$TB_REST/v1/resources/$PUB4")" = 200
tb_check "everything freed (no legs; dataplane legs added == removed)" tb_wait 5 legs_freed
chrome_stop pub4
chrome_stop view4
[ "$TB_FAIL" -eq "$fail0" ] || { dump pub4; dump pub6; dump view6; dump view4; }
tb_log "media/IPv6 counters: $(curl -s "$TB_REST/metrics" | grep -E '^rtcgw_(media_(rtp|out|legs)|ice6|ipc_tx|ipc_punt|ndp_pending)' | grep -v ' 0$' | tr '\n' ' ')"
tb_done
