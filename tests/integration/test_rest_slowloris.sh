#!/usr/bin/env bash
# REST under slowloris (issue 10, item 1): a few hundred connections that
# never finish their request must not lock out /healthz, must be closed at
# controlplane.rest.request_timeout_s however busy the client keeps them, and
# no client address may hold more than max_connections_per_ip of them.
#
#   slowloris.py (root netns, loopback sources 127.0.0.2..)  ==>  REST 127.0.0.1:18090
#   curl (127.0.0.1)                                          ==>  health 127.0.0.1:18091
#   + the usual testbed (lib.sh): dataplane in netns rthg, so /healthz is 200.
. "$(dirname "$0")/lib.sh"

TIMEOUT_S=4
MAX_CONNS=200
PER_IP=25
HEALTH_PORT=18091
TB_CONF_REST="    health_listen: 127.0.0.1:$HEALTH_PORT
    max_connections: $MAX_CONNS
    max_connections_per_ip: $PER_IP
    request_timeout_s: $TIMEOUT_S"
tb_init rth 10 18090
tb_net_up
tb_config
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane starts with the REST limits" tb_start_cp || exit 1
HEALTH=http://127.0.0.1:$HEALTH_PORT
SL=$TB_ROOT/tests/integration/slowloris.py

# Run slowloris.py in the background; $1 = name, the rest its arguments after
# the port. Waits (bounded) until every connection is opened.
sl_start() {
	local name=$1
	shift
	rm -f "$TB_DIR/$name.ready"
	python3 "$SL" "$TB_REST_PORT" "$TB_DIR/$name.ready" "$@" >"$TB_DIR/$name.json" &
	SL_PID=$!
	TB_PIDS+=("$SL_PID")
	tb_wait 20 test -f "$TB_DIR/$name.ready"
}
sl_wait() { wait "$SL_PID"; }
# sl_get NAME EXPR: evaluate a Python expression on the summary d.
sl_get() { python3 -c "import json; d = json.load(open('$TB_DIR/$1.json')); print($2)"; }

# healthz_fast URL: 200 within 1 s.
healthz_fast() {
	local out
	out=$(curl -s -m 1 -o /dev/null -w '%{http_code} %{time_total}' "$1/healthz")
	tb_log "$1/healthz: $out"
	[ "${out%% *}" = 200 ]
}

# 1. 300 connections from 12 addresses (25 each) dripping header lines every
#    second for 8 s: the main listener fills up (200), the rest are refused.
tb_check "300 slowloris connections opened" sl_start many 127.0.0.2 12 25 1 8
sleep 0.5
for i in 1 2 3; do
	tb_check "health listener answers /healthz within 1 s while held ($i)" healthz_fast "$HEALTH"
	sleep 0.7
done
tb_check "main listener full: refused at once with JSON 503" bash -c \
	"curl -s -m 1 '$TB_REST/healthz' | grep -q 'max_connections'"
tb_check "/metrics on the health listener shows the refusals" bash -c \
	"curl -s -m 1 '$HEALTH/metrics' | awk '\$1 == \"rtcgw_rest_refused_full_total\" && \$2 > 0 { ok = 1 } END { exit !ok }'"
sl_wait
tb_log "slowloris: $(cat "$TB_DIR/many.json" | cut -c1-300)"
tb_check "the server held exactly max_connections ($MAX_CONNS)" \
	[ "$(sl_get many "d['held']")" = "$MAX_CONNS" ]
tb_check "the others were refused at once with 503" \
	[ "$(sl_get many "d['refused'] == 300 - $MAX_CONNS and d['refused_codes'] == ['503']")" = True ]
tb_check "no held connection outlived the deadline" [ "$(sl_get many "d['still_open']")" = 0 ]
tb_check "every held connection closed at ${TIMEOUT_S} s (+-0.5 s)" \
	[ "$(sl_get many "all($TIMEOUT_S - 0.5 <= t <= $TIMEOUT_S + 0.5 for t in d['lifetimes']) and len(d['lifetimes']) == $MAX_CONNS")" = True ]
tb_check "deadline closures counted" bash -c \
	"curl -s -m 1 '$HEALTH/metrics' | awk '\$1 == \"rtcgw_rest_deadline_closed_total\" && \$2 >= $MAX_CONNS { ok = 1 } END { exit !ok }'"
tb_check "main listener serves /healthz again within 1 s" healthz_fast "$TB_REST"

# 2. One address opening 30: only max_connections_per_ip are kept.
tb_check "30 connections from one address opened" sl_start one 127.0.0.50 1 30 1 6
sl_wait
tb_log "one address: $(cut -c1-300 "$TB_DIR/one.json")"
tb_check "one address holds at most $PER_IP" [ "$(sl_get one "d['held']")" = "$PER_IP" ]
tb_check "the rest refused at once with 429" \
	[ "$(sl_get one "d['refused'] == 30 - $PER_IP and d['refused_codes'] == ['429']")" = True ]

# 3. A request line dripped one byte a second never reaches the HTTP parser:
#    closed at the deadline too, with a JSON 408.
tb_check "20 connections dripping their request line" sl_start line 127.0.0.60 2 10 1 7 line
sl_wait
tb_log "request line dripped: $(cut -c1-300 "$TB_DIR/line.json")"
tb_check "closed at ${TIMEOUT_S} s with 408" \
	[ "$(sl_get line "d['held'] == 20 and d['held_codes'] == ['408'] and all($TIMEOUT_S - 0.5 <= t <= $TIMEOUT_S + 0.5 for t in d['lifetimes'])")" = True ]
tb_check "REST still serves the API" bash -c \
	"[ \"\$(curl -s -m 2 -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $TB_TOKEN' '$TB_REST/v1/stats')\" = 200 ]"
tb_check "dataplane and control plane alive" kill -0 "$TB_DP_PID" "$TB_CP_PID"
tb_done
