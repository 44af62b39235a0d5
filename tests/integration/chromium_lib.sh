# Headless Chromium for the media tests, sourced after lib.sh's tb_init:
#
#   cr_init                    check the browser, set the EXIT trap (browsers
#                              first, then tb_cleanup)
#   cr_page_start [NS PORT]    media_page.py (the test page + the /v1 proxy to
#                              the REST API) in NS (default the client
#                              namespace) on PORT (default $PAGE_PORT); results
#                              in $RES; checked with tb_check
#   chrome_start NAME QUERY [NS [PORT]]
#                              one browser process on the page, in a session of
#                              its own (killed as one process group), on CPU 0
#                              (the dataplane's worker has CPU 1); fake camera
#                              and microphone unless CR_FAKE_MEDIA=0
#   chrome_stop NAME [SIG]     end it (SIG, then KILL after 5 s)
#   jassert NAME PYTHON-EXPR   on the page's latest result (r; s = r['last'])
#   jget NAME KEY              the latest sample's KEY (0 when absent)
#
# Browsers run in sessions of their own (setsid): each is killed as one
# process group, before tb_cleanup removes the namespaces.

CHROME=${RTCGW_CHROMIUM:-/usr/lib/chromium/chromium}
RES=$TB_DIR/res
CR_FAKE_MEDIA=${CR_FAKE_MEDIA:-1}
declare -gA CHROME_PG     # global also when sourced from a function (calls_init)

chrome_stop() {
	local pg=${CHROME_PG[$1]:-} sig=${2:-TERM} i
	[ -n "$pg" ] || return 0
	kill "-$sig" -- "-$pg" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 -- "-$pg" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL -- "-$pg" 2>/dev/null
	wait "$pg" 2>/dev/null
	unset "CHROME_PG[$1]"
}
chrome_stop_all() { local n; for n in "${!CHROME_PG[@]}"; do chrome_stop "$n"; done; }

cr_init() {
	if [ ! -x "$CHROME" ]; then
		printf '# %s missing: scripts/setup.sh --test installs Debian chromium\n' "$CHROME"
		exit 1
	fi
	mkdir -p "$RES"
	trap 'chrome_stop_all; tb_cleanup' EXIT
}

cr_page_start() {
	local ns=${1:-$TB_NS_C} port=${2:-$PAGE_PORT}
	python3 "$TB_ROOT/tests/integration/media_page.py" "$ns" "$port" "$TB_REST" \
		"$TB_TOKEN" "$RES" >>"$TB_DIR/page-$port.log" 2>&1 &
	TB_PIDS+=("$!")
	tb_check "page server answers on port $port in $ns" \
		tb_wait 10 ip netns exec "$ns" curl -sf -m 1 -o /dev/null "http://localhost:$port/"
}

chrome_start() {
	local name=$1 ns=${3:-$TB_NS_C} port=${4:-$PAGE_PORT} udd=$TB_DIR/udd-$1
	local fake=()
	[ "$CR_FAKE_MEDIA" = 1 ] &&
		fake=(--use-fake-device-for-media-stream --use-fake-ui-for-media-stream)
	mkdir -p "$udd"
	setsid ip netns exec "$ns" taskset -c 0 "$CHROME" --headless=new --no-sandbox \
		--disable-gpu "${fake[@]}" \
		--disable-background-networking --disable-component-update --disable-sync \
		--no-first-run --no-default-browser-check --mute-audio \
		--autoplay-policy=no-user-gesture-required --disable-features=Translate \
		--enable-logging=stderr --v=0 --user-data-dir="$udd" \
		"http://localhost:$port/?name=$name&$2" >"$TB_DIR/chrome-$name.txt" 2>&1 &
	CHROME_PG[$name]=$!
}

jassert() {
	python3 - "$RES/$1.result.json" "$2" <<'EOP'
import json, re, sys
try:
    r = json.load(open(sys.argv[1]))
    ok = eval(sys.argv[2], {"r": r, "s": r.get("last") or {}, "json": json, "re": re})
except Exception as e:
    ok = False
sys.exit(0 if ok else 1)
EOP
}

jget() {
	python3 -c 'import json,sys; print(int((json.load(open(sys.argv[1])).get("last") or {}).get(sys.argv[2], 0)))' \
		"$RES/$1.result.json" "$2" 2>/dev/null || echo 0
}
