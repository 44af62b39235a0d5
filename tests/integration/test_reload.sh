#!/usr/bin/env bash
# Live configuration reload (issue 11 item 4): while 20 turnutils_uclient
# clients relay (10 with alice's static password, 10 with TURN REST
# credentials), alice's password changes (SIGHUP to the dataplane and to the
# control plane) and the REST secret rotates (POST /v1/config/reload). The
# running clients lose nothing; new Allocates need the new credentials
# (turn_client.py reports the codes); a bad file is refused with
# file:line:col and the old config keeps working; a restart-only key is
# reported and left as it runs.
#
#   netns rtlp (peer)               netns rtlc (client, router)            netns rtlg
#   rtlp0 198.18.35.2/24 <= veth => rtlc1 198.18.35.1/24
#   turnutils_peer :3480            rtlc0 198.18.34.1/24 <===== veth =====> rtlg0 (dataplane
#                                   turnutils_uclient x 20                  198.18.34.2, TURN :3478)
. "$(dirname "$0")/lib.sh"

SECRET_A=rtcgw-reload-secret-aaaa-0123
SECRET_B=rtcgw-reload-secret-bbbb-4567
tb_init rtl 34 18114

turn_conf() {        # $1 alice's password, $2 the REST secrets (YAML list body)
	TB_CONF_TURN="  enabled: true
  realm: rtcgw.test
  relay_port_min: 50000
  relay_port_max: 50999
  user_quota: 300
  users:
    - {username: alice, password: $1}
    - {username: bob, password: bob-pass-2}
  rfc5766_channels: true   # turnutils_uclient picks channels up to 0x7FFF
  auth_secrets: [$2]"
	tb_config
}
turn_conf alice-pass-1 "$SECRET_A"
tb_net_up
tb_peer_net_up 35
PEER_IP=$TB_PEER_IP

tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent

ip netns exec "$TB_NS_P" turnutils_peer -L "$PEER_IP" -p 3480 >"$TB_DIR/peer.log" 2>&1 &
TB_PIDS+=("$!")
sleep 0.5

TC="$TB_ROOT/tests/integration/turn_client.py"
tc() {
	local out rc
	out=$(tb_c timeout 30 python3 "$TC" "$TB_GW_IP" 3478 "$@")
	rc=$?
	printf '#   turn_client: %s\n' "$out"
	return $rc
}
rest_user() { printf '%s:%s' $(($(date +%s) + 3600)) "$1"; }
rest_pass() { printf '%s' "$1" | openssl dgst -sha1 -hmac "$2" -binary | base64; }
json() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }
reload_post() {      # POST /v1/config/reload; body to $TB_DIR/reload.json, prints the code
	curl -s -m 10 -o "$TB_DIR/reload.json" -w '%{http_code}' -X POST \
		-H "Authorization: Bearer $TB_TOKEN" "$TB_REST/v1/config/reload"
}
# Wait (bounded) for the n-th "config reloaded" / "refused" line of a log.
log_count_ge() { [ "$(grep -c "$2" "$1")" -ge "$3" ]; }

# 20 clients, long enough (about 15 s) to span every reload below.
tb_c timeout 120 turnutils_uclient -c -u alice -w alice-pass-1 -e "$PEER_IP" -n 750 -m 10 \
	-l 100 -z 20 "$TB_GW_IP" >"$TB_DIR/uc-static.out" 2>&1 &
UC1=$!
TB_PIDS+=("$UC1")
tb_c timeout 120 turnutils_uclient -c -W "$SECRET_A" -u restuser -e "$PEER_IP" -n 750 -m 10 \
	-l 100 -z 20 "$TB_GW_IP" >"$TB_DIR/uc-rest.out" 2>&1 &
UC2=$!
TB_PIDS+=("$UC2")
tb_wait_metric_ge rtcgw_turn_alloc_ok_total 20 10
tb_wait 10 tb_metric_ge rtcgw_turn_to_peer_pkts_total 400
tb_check "20 clients allocated and relaying" tb_metric_ge rtcgw_turn_to_peer_pkts_total 400

# 1. alice's password changes; SIGHUP to the dataplane, then to the control plane.
turn_conf alice-pass-NEW "$SECRET_A"
kill -HUP "$TB_DP_PID"
tb_check "SIGHUP to the dataplane: reloaded, turn.users live (logged)" \
	tb_wait 5 grep -q 'config reload: turn.users applied' "$TB_DP_LOG"
kill -HUP "$TB_CP_PID"
tb_check "SIGHUP to the control plane: reloaded (logged), the dataplane again" \
	tb_wait 5 log_count_ge "$TB_DP_LOG" 'config reloaded from' 2
tb_check "new Allocate with alice's old password: 401" \
	tc alloc --user alice --pass alice-pass-1 --expect 401
tb_check "new Allocate with alice's new password: 200" \
	tc alloc --user alice --pass alice-pass-NEW --expect 200

# 2. The REST secret rotates (the old one removed) through the REST API.
turn_conf alice-pass-NEW "$SECRET_B"
tb_check "POST /v1/config/reload without a token: 401" \
	bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -X POST '$TB_REST/v1/config/reload')\" = 401 ]"
CODE=$(reload_post)
tb_log "reload: $CODE $(cat "$TB_DIR/reload.json")"
rotated() {
	[ "$CODE" = 200 ] &&
	[ "$(json 'd["live"]' <"$TB_DIR/reload.json")" = "['turn.auth_secrets']" ] &&
	[ "$(json 'd["restart_required"]' <"$TB_DIR/reload.json")" = "[]" ] &&
	[ "$(json 'd["dataplane"]["status"]' <"$TB_DIR/reload.json")" = reloaded ]
}
tb_check "POST /v1/config/reload: 200, live [turn.auth_secrets], dataplane reloaded" rotated
U=$(rest_user carol)
tb_check "REST credential signed with the rotated-out secret: 401" \
	tc alloc --user "$U" --pass "$(rest_pass "$U" "$SECRET_A")" --expect 401
tb_check "REST credential signed with the new secret: 200" \
	tc alloc --user "$U" --pass "$(rest_pass "$U" "$SECRET_B")" --expect 200
api_signs_new() {
	local c u p
	c=$(tb_api "$TB_REST/v1/turn/credentials?username=erin&ttl=600")
	u=$(printf '%s' "$c" | json 'd["username"]')
	p=$(printf '%s' "$c" | json 'd["password"]')
	[ "$p" = "$(rest_pass "$u" "$SECRET_B")" ] &&
		tc alloc --user "$u" --pass "$p" --expect 200
}
tb_check "GET /v1/turn/credentials signs with the new secret, and they work" api_signs_new

# 3. A bad file: refused with file:line:col, the running config stays.
LINE=$(grep -n 'user_quota: 300' "$TB_CONF" | cut -d: -f1)
sed -i 's/user_quota: 300/user_quota: many/' "$TB_CONF"
CODE=$(reload_post)
tb_log "reload: $CODE $(cat "$TB_DIR/reload.json")"
WANT="$TB_CONF:$LINE:15: turn.user_quota: expected an integer, got 'many'"
bad_refused() {
	[ "$CODE" = 400 ] && [ "$(json 'd["error"]' <"$TB_DIR/reload.json")" = "$WANT" ]
}
tb_check "bad file: 400 {\"error\": \"file:line:col: turn.user_quota: ...\"}" bad_refused
kill -HUP "$TB_DP_PID"
tb_check "bad file on SIGHUP: the dataplane logs the same file:line:col error" \
	tb_wait 5 grep -qF "config reload refused, running config unchanged: $WANT" "$TB_DP_LOG"
tb_check "control plane logs the refusal" grep -qF "config reload refused" "$TB_DIR/cp.log"
tb_check "after the bad file: alice's new password still works (200)" \
	tc alloc --user alice --pass alice-pass-NEW --expect 200
tb_check "after the bad file: the old one still refused (401)" \
	tc alloc --user alice --pass alice-pass-1 --expect 401
tb_check "after the bad file: REST tokens unchanged (stats 200)" \
	bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $TB_TOKEN' '$TB_REST/v1/stats')\" = 200 ]"

# 4. A restart-only key: reported, logged, not applied.
turn_conf alice-pass-NEW "$SECRET_B"
sed -i 's/memory_mb: 256/memory_mb: 512/' "$TB_CONF"
CODE=$(reload_post)
tb_log "reload: $CODE $(cat "$TB_DIR/reload.json")"
restart_reported() {
	[ "$CODE" = 200 ] &&
	[ "$(json 'd["restart_required"]' <"$TB_DIR/reload.json")" = "['dataplane.memory_mb']" ] &&
	[ "$(json 'd["live"]' <"$TB_DIR/reload.json")" = "[]" ]
}
tb_check "restart-only key (dataplane.memory_mb): 200, listed in restart_required" restart_reported
tb_check "restart-only key logged by the dataplane" \
	grep -q 'dataplane.memory_mb changed in .*: needs a restart, not applied' "$TB_DP_LOG"

# 5. REST tokens and the log level, live: the old token goes, a new one works,
#    and at level warning neither process logs its (notice) reload lines.
NEW_TOKEN=rtcgw-reload-token-new-0123456789
turn_conf alice-pass-NEW "$SECRET_B"
sed -i "s/tokens: \[$TB_TOKEN\]/tokens: [$NEW_TOKEN]/; s/level: info/level: warning/" "$TB_CONF"
N_DP=$(grep -c 'config reloaded from' "$TB_DP_LOG")
N_CP=$(grep -c 'config reloaded from' "$TB_DIR/cp.log")
CODE=$(reload_post)
tb_log "reload: $CODE $(cat "$TB_DIR/reload.json")"
tokens_level() {
	[ "$CODE" = 200 ] &&
	[ "$(json 'd["live"]' <"$TB_DIR/reload.json")" = "['controlplane.rest.tokens', 'log.level']" ] &&
	[ "$(json 'd["dataplane"]["status"]' <"$TB_DIR/reload.json")" = reloaded ]
}
tb_check "tokens and log.level: 200, both live" tokens_level
tb_check "the removed token: 401" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $TB_TOKEN' '$TB_REST/v1/stats')\" = 401 ]"
tb_check "the new token: 200" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $NEW_TOKEN' '$TB_REST/v1/stats')\" = 200 ]"
quiet() {
	[ "$(grep -c 'config reloaded from' "$TB_DP_LOG")" = "$N_DP" ] &&
	[ "$(grep -c 'config reloaded from' "$TB_DIR/cp.log")" = "$N_CP" ]
}
tb_check "log.level warning in force at once: no notice lines for this reload" quiet

# 6. The running clients: still running through every reload, then 0 loss.
mid_flow() {
	local v
	v=$(tb_metric rtcgw_turn_to_peer_pkts_total)
	tb_log "relayed to peers when the reloads were done: $v of 15000"
	kill -0 "$UC1" && kill -0 "$UC2" && [ "$v" -lt 15000 ]
}
tb_check "the 20 clients were still relaying after the reloads" mid_flow
wait_uc() {
	local pid=$1 out=$2
	wait "$pid" 2>/dev/null
	grep -E 'tot_send_msgs|tot_recv_msgs' "$out" | tail -n 1 | sed 's/^/#   /'
	grep -E 'Total lost' "$out" | sed 's/^/#   /'
	grep -Eq 'Total lost packets 0 \(0\.0+%\)' "$out"
}
tb_check "10 clients with alice's old password: 0 loss across the reloads" \
	wait_uc "$UC1" "$TB_DIR/uc-static.out"
tb_check "10 clients with the rotated-out REST secret: 0 loss across the reloads" \
	wait_uc "$UC2" "$TB_DIR/uc-rest.out"
both_ways() {       # counters reach /metrics on the control plane's next snapshot
	tb_wait_metric_ge rtcgw_turn_to_peer_pkts_total 15000 3 &&
		tb_wait_metric_ge rtcgw_turn_to_client_pkts_total 15000 3
}
tb_check "every datagram of the 20 clients relayed both ways (15000 each way)" both_ways
tb_check "no relayed packet refused meanwhile (turn_drop_denied_peer 0)" \
	bash -c "[ \"\$(curl -s '$TB_REST/metrics' | awk '\$1 == \"rtcgw_turn_drop_denied_peer_total\" { print \$2 }')\" = 0 ]"
curl -s "$TB_REST/metrics" | grep -E '^rtcgw_turn' | grep -v ' 0$' | sed 's/^/# /'
tb_done
