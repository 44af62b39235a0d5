#!/usr/bin/env bash
# TURN relay (issue 4) against a real browser: two headless Chromium peers in
# the client namespace, both with iceTransportPolicy 'relay' through rtcgw's
# TURN, so the only possible pair is relay/relay and every packet between them
# is hairpinned inside the dataplane (allocation A -> allocation B).
# Checked from getStats (selected pair relay/relay), a DataChannel round trip,
# a fake-camera video track decoded on the other side (framesDecoded > 0), and
# the dataplane's TURN counters. Run three times: a static user from the
# config, TURN REST API credentials from GET /v1/turn/credentials, and both
# browsers forced onto turns: on 443 (TURN over TLS through rtcgw-turnfront,
# the relayed side still UDP inside the dataplane).
#
#   netns rtbc (client)                                      netns rtbg
#   rtbc0 198.18.8.1/24 <=============== veth ============> rtbg0 (dataplane 198.18.8.2,
#   chromium_signal.py on 127.0.0.1:18090 (page, signalling)       TURN :3478, relay 52000-52999)
#   chromium A (offerer: video + DataChannel)
#   chromium B (answerer: echoes, decodes)
. "$(dirname "$0")/lib.sh"

CHROME=${RTCGW_CHROMIUM:-/usr/lib/chromium/chromium}
SIG_PORT=18090
BROWSER_SECS=${RTCGW_BROWSER_SECS:-90}
REST_SECRET=rtcgw-test-rest-secret-chromium-0123

if [ ! -x "$CHROME" ]; then
	printf '# %s missing: scripts/setup.sh --test installs Debian chromium\n' "$CHROME"
	exit 1
fi

tb_init rtb 8 18088
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj "/CN=turn.rtcgw.test" -keyout "$TB_DIR/key.pem" -out "$TB_DIR/cert.pem" 2>/dev/null
TB_CONF_TURN="  enabled: true
  realm: rtcgw.test
  relay_port_min: 52000
  relay_port_max: 52999
  max_allocations: 10000
  users:
    - {username: alice, password: alice-pass-1}
  auth_secrets: [$REST_SECRET]
  tcp:
    enabled: true
    ports: []
    tls_ports: [443]
    certificate: $TB_DIR/cert.pem
    private_key: $TB_DIR/key.pem"

# Browser stderr goes to chrome-*.txt (not *.log: tb_cleanup would dump its D-Bus
# noise); dump_run shows the ICE/TURN lines of a failed run.
# Chromium runs in its own session (setsid: the session id is its PID), so
# the whole tree (zygotes, renderers, GPU/utility processes) is killed as one
# process group. Killed before tb_cleanup removes the namespaces and TB_DIR.
CHROME_PGS=()
CHROME_ALL=()
chrome_stop_all() {
	local pg i
	for pg in "${CHROME_PGS[@]}"; do
		kill -TERM -- "-$pg" 2>/dev/null || { kill -KILL "$pg" 2>/dev/null; continue; }
		for ((i = 0; i < 50; i++)); do
			kill -0 -- "-$pg" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$pg" 2>/dev/null
		wait "$pg" 2>/dev/null
	done
	CHROME_PGS=()
}
trap 'chrome_stop_all; tb_cleanup' EXIT

tb_net_up
# IPv6 for the fourth run (2001:2::/48): turns: to the port's address6
GW6=2001:2:0:8::2
CL6=2001:2:0:8::1
tb_client_ipv6 "$CL6/64"
# TURN over TLS listens on the exception interface (test_exception.sh: the
# gateway namespace's kernel answers only through it, not from the veth)
tb_g sysctl -qw "net.ipv4.conf.${TB}g0.rp_filter=1"
tb_g ip link set "${TB}g0" arp off
tb_config
sed -i "s|^      gateway: $TB_CLIENT_IP\$|&\n      address6: $GW6/64\n      gateway6: $CL6|" "$TB_CONF"
cat >>"$TB_CONF" <<EOC
exception:
  enabled: true
  iface: ${TB}x0
  tcp: true
EOC
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
ip netns exec "$TB_NS_G" "$TB_FRONT_BIN" -c "$TB_CONF" >"$TB_DIR/front.log" 2>&1 &
TB_PIDS+=("$!")
tb_check "rtcgw-turnfront (TURN over TLS on 443) starts" \
	tb_wait 30 grep -q 'proc=rtcgw-tf msg="ready' "$TB_DIR/front.log"
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent

SIG_DIR=$TB_DIR/sig
mkdir -p "$SIG_DIR"
ip netns exec "$TB_NS_C" python3 "$TB_ROOT/tests/integration/chromium_signal.py" \
	"$SIG_PORT" "$SIG_DIR" >"$TB_DIR/signal.log" 2>&1 &
TB_PIDS+=("$!")
sig_up() { tb_c curl -sf -m 1 -o /dev/null "http://localhost:$SIG_PORT/"; }
tb_check "signalling server answers in the client namespace" tb_wait 10 sig_up

# Browsers on CPU 0, the dataplane's worker on CPU 1 (DPDK-NOTES.md).
chrome_start() {
	local run=$1 role=$2 udd=$TB_DIR/udd-$1-$2
	mkdir -p "$udd"
	setsid ip netns exec "$TB_NS_C" taskset -c 0 "$CHROME" --headless=new --no-sandbox \
		--disable-gpu --use-fake-device-for-media-stream --use-fake-ui-for-media-stream \
		--disable-background-networking --disable-component-update --disable-sync \
		--no-first-run --no-default-browser-check --mute-audio \
		--autoplay-policy=no-user-gesture-required --disable-features=Translate \
		--enable-logging=stderr --v=0 --user-data-dir="$udd" \
		--ignore-certificate-errors \
		"http://localhost:$SIG_PORT/?run=$run&role=$role&secs=$((BROWSER_SECS - 5))&frames=10" \
		>"$TB_DIR/chrome-$run-$role.txt" 2>&1 &
	CHROME_PGS+=("$!")
	CHROME_ALL+=("$!")
}
# setsid did not fork (a background job of a script is no group leader), so
# the PID we hold leads the browser's session and process group.
session_leader() { [ "$(ps -o sid= -p "$1" | tr -d ' ')" = "$1" ]; }
both_leaders() { session_leader "${CHROME_PGS[0]}" && session_leader "${CHROME_PGS[1]}"; }

M() { tb_metric "rtcgw_$1_total"; }
declare -A M0
snap() { local k; for k in "$@"; do M0[$k]=$(M "$k"); done; }
moved() { # moved COUNTER MIN: the counter grew by at least MIN since snap
	local v
	v=$(M "$1")
	if [ -n "$v" ] && [ $((v - ${M0[$1]:-0})) -ge "$2" ]; then
		return 0
	fi
	tb_log "$1: $v (was ${M0[$1]:-?}), wanted +$2"
	return 1
}


both_results() { [ -f "$SIG_DIR/$1.a.result.json" ] && [ -f "$SIG_DIR/$1.b.result.json" ]; }

dump_run() {
	local run=$1 f
	for f in "$SIG_DIR/$run".a.result.json "$SIG_DIR/$run".b.result.json \
		"$SIG_DIR/$run".a.log "$SIG_DIR/$run".b.log; do
		[ -f "$f" ] || { tb_log "($f missing)"; continue; }
		tb_log "--- $f"
		case $f in
		*.json) python3 -m json.tool "$f" | sed 's/^/#   /' ;;
		*) sed 's/^/#   /' "$f" ;;
		esac
	done
	for f in "$TB_DIR/chrome-$run-a.txt" "$TB_DIR/chrome-$run-b.txt"; do
		tb_log "--- $f (WebRTC/ICE lines, last 20)"
		grep -aiE 'turn|ice|p2p|stun|error|console' "$f" | grep -avE 'dbus|zygote' |
			tail -n 20 | sed 's/^/#   /'
	done
	curl -s "$TB_REST/metrics" | grep -E '^rtcgw_(turn|demux|stun)' | grep -v ' 0$' | sed 's/^/# /'
}

# browser_run RUN USERNAME CREDENTIAL [URL PROTOCOL]: one pair of browsers,
# all checks. URL: the TURN server (default UDP on 3478); PROTOCOL: the
# relayProtocol getStats must show (udp, tls).
browser_run() {
	local run=$1 user=$2 cred=$3 url=${4:-turn:$TB_GW_IP:3478?transport=udp} proto=${5:-udp}
	local fail0=$TB_FAIL a b
	python3 - "$SIG_DIR/$run.ice.json" "$url" "$user" "$cred" <<'EOP'
import json, sys
json.dump({"iceServers": [{"urls": [sys.argv[2]], "username": sys.argv[3],
                           "credential": sys.argv[4]}]}, open(sys.argv[1], "w"))
EOP
	snap turn_alloc_ok turn_alloc_retransmit turn_perm_ok turn_chanbind_ok turn_auth_challenge \
		turn_drop_no_perm turn_drop_no_alloc turn_to_peer_pkts turn_to_client_pkts turn_hairpin_pkts \
		turn_to_peer_bytes turn_to_client_bytes
	chrome_start "$run" b
	chrome_start "$run" a
	tb_check "$run: each browser leads its own session (killable as a group)" \
		tb_wait 5 both_leaders
	tb_check "$run: both browsers report within ${BROWSER_SECS} s" \
		tb_wait "$BROWSER_SECS" both_results "$run"
	a=$SIG_DIR/$run.a.result.json
	b=$SIG_DIR/$run.b.result.json
	[ -f "$a" ] || echo '{}' >"$a"
	[ -f "$b" ] || echo '{}' >"$b"
	tb_check "$run: A's selected pair is relay/relay" \
		jassert "$a" "p['local']['candidateType'] == 'relay' and p['remote']['candidateType'] == 'relay'"
	tb_check "$run: B's selected pair is relay/relay" \
		jassert "$b" "p['local']['candidateType'] == 'relay' and p['remote']['candidateType'] == 'relay'"
	tb_check "$run: the relay candidates are rtcgw's ($TB_GW_IP, relay range, $proto to the server)" \
		jassert "$a" "all(x['address'] == '$TB_GW_IP' and 52000 <= x['port'] <= 52999 for x in (p['local'], p['remote'])) and p['local']['relayProtocol'] == '$proto'"
	tb_check "$run: DataChannel message round-trips (A sent, B echoed, A got the echo)" \
		jassert "$a" "r['dc'].get('roundTrip') is True and r['dc'].get('echo') == 'echo:' + r['dc'].get('sent', '')"
	tb_check "$run: B received A's DataChannel message" \
		jassert "$b" "r['dc'].get('received', '').startswith('ping-')"
	tb_check "$run: fake-camera video decoded by B (framesDecoded > 0)" \
		jassert "$b" "r.get('framesDecoded', 0) > 0"
	tb_check "$run: both pages report ok" \
		jassert "$a" "r.get('ok') is True and json.load(open('$b')).get('ok') is True"
	# Counters read with the browsers gone, so they no longer move.
	chrome_stop_all
	tb_check "$run: two allocations created" moved turn_alloc_ok 2
	tb_check "$run: permissions installed" moved turn_perm_ok 2
	tb_check "$run: relayed client->peer packets counted" moved turn_to_peer_pkts 100
	tb_check "$run: relayed peer->client packets counted" moved turn_to_client_pkts 100
	tb_check "$run: hairpin (relay-to-relay inside the dataplane) counted" \
		moved turn_hairpin_pkts 100
	tb_check "$run: every relayed client->peer packet was hairpinned (none left for the wire)" \
		same_delta turn_to_peer_pkts turn_hairpin_pkts
	tb_log "$run: A $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r.get("pair"), r.get("videoOut"))' "$a" 2>/dev/null)"
	tb_log "$run: B video $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("video"))' "$b" 2>/dev/null)"
	tb_log "$run: counters moved: $(for k in turn_alloc_ok turn_alloc_retransmit turn_perm_ok \
		turn_chanbind_ok turn_auth_challenge turn_drop_no_perm turn_drop_no_alloc turn_to_peer_pkts \
		turn_to_client_pkts turn_hairpin_pkts; do printf '%s +%s ' "$k" $(($(M "$k") - ${M0[$k]:-0})); done)"
	[ "$TB_FAIL" -eq "$fail0" ] || dump_run "$run"
	rm -rf "$TB_DIR/udd-$run-a" "$TB_DIR/udd-$run-b"
}
same_delta() { # same_delta A B: both counters grew by the same amount since snap
	local da db
	da=$(($(M "$1") - ${M0[$1]:-0}))
	db=$(($(M "$2") - ${M0[$2]:-0}))
	[ "$da" -eq "$db" ] || { tb_log "$1 +$da, $2 +$db"; return 1; }
}

# JSON assertion on a result file: jassert FILE PYTHON-EXPR (r = the result,
# p = its selected pair)
jassert() {
	python3 - "$1" "$2" <<'EOP'
import json, sys
r = json.load(open(sys.argv[1]))
try:
    ok = eval(sys.argv[2], {"r": r, "p": r.get("pair") or {}, "json": json})
except Exception as e:
    print("# assertion raised: %r" % e)
    ok = False
sys.exit(0 if ok else 1)
EOP
}

# 1. A static user from the config.
browser_run static alice alice-pass-1

# 2. TURN REST API credentials from the control plane.
CREDS=$(tb_api "$TB_REST/v1/turn/credentials?username=chromium&ttl=600")
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
CU=$(printf '%s' "$CREDS" | field username 2>/dev/null)
CP=$(printf '%s' "$CREDS" | field password 2>/dev/null)
have_creds() { [ -n "$CU" ] && [ -n "$CP" ] && [ "${CU#*:}" = chromium ]; }
tb_check "GET /v1/turn/credentials gives expiry:chromium and a password" have_creds
if [ -n "$CU" ] && [ -n "$CP" ]; then
	browser_run rest "$CU" "$CP"
fi

# 3. Both browsers on turns: port 443 (TURN over TLS, rtcgw-turnfront).
snap front_tls_handshakes front_msgs_in turn_stream_in
browser_run tls443 alice alice-pass-1 "turns:$TB_GW_IP:443?transport=tcp" tls
tls_moved() { moved front_tls_handshakes 2 && moved turn_stream_in 100; }
tb_check "tls443: the front completed TLS handshakes and carried the browsers' messages" tls_moved

# 4. The same over IPv6: both browsers reach turns:[2001:2:0:8::2]:443; their
# relayed addresses stay IPv4 (the default family), hairpinned as before.
snap front_tls_handshakes turn_stream_in
browser_run tls6 alice alice-pass-1 "turns:[$GW6]:443?transport=tcp" tls
tb_check "tls6: the TLS connections came over IPv6 (the front counted them)" tls_moved
tb_check "tls6: the browsers' TURN server was the IPv6 one" \
	jassert "$SIG_DIR/tls6.a.result.json" "p['local'].get('url', '').startswith('turns:[$GW6]')"

none_left() {
	local pg
	for pg in "${CHROME_ALL[@]}"; do
		! kill -0 -- "-$pg" 2>/dev/null || { tb_log "process group $pg still alive"; return 1; }
	done
	! ls -d "$TB_DIR"/udd-* >/dev/null 2>&1
}
tb_check "every Chromium process group ended, user-data dirs removed" none_left
tb_done
