#!/usr/bin/env bash
# scripts/run.sh in the foreground, stopped the four ways an operator stops
# it, each time through a real terminal (a pty, tests/integration/pty_run.py):
#   ctrl-c       ^C typed into the terminal (the line discipline sends SIGINT
#                to the terminal's foreground process group)
#   sigint-pgrp  SIGINT to run.sh's whole process group from a script
#   sigterm      SIGTERM to run.sh
#   cmd          scripts/run.sh --stop from another shell
# Each run must say "stopped" only once both processes have exited and their
# hugepage files, DPDK runtime dir and TAP are gone, return 0, and never
# restart a process while stopping. A detached run stopped with --stop must
# leave nothing either.
#
# The default config with this test's own names: netns rtog (the TAP and the
# REST port live and die with it), TAP rto0, file prefix rto, hugepages on
# this test's hugetlbfs mount, 198.18.12.0/24, REST 127.0.0.1:18092 inside
# the namespace, pid files and logs in RTCGW_RUN_DIR under the test's dir.
. "$(dirname "$0")/lib.sh"
tb_init rto 12 18092
NS=$TB_NS_G
TAP=rto0
ip netns add "$NS"
tb_g ip link set lo up

sed -e "s#hugepage_dir: .*#hugepage_dir: $TB_HUGE#" \
	-e "s#file_prefix: .*#file_prefix: $TB#" \
	-e "s#iface=rtcgw0#iface=$TAP#" \
	-e "s#memory_mb: .*#memory_mb: 256#" \
	-e "s#198\.18\.0\.#198.18.$TB_NET.#g" \
	-e "s#listen: 127.0.0.1:8080#listen: 127.0.0.1:$TB_REST_PORT#" \
	"$TB_ROOT/gateway-conf/rtcgw.yaml" > "$TB_CONF"
export RTCGW_RUN_DIR=$TB_DIR/run
RUN=("ip" "netns" "exec" "$NS" "$TB_ROOT/scripts/run.sh")

# What the at-ready hook saw: the two pids. What the at-stopped hook checks:
# both gone, no hugepage file, no runtime dir, no TAP.
cat > "$TB_DIR/pids.sh" <<EOS
cat "$RTCGW_RUN_DIR/dataplane.pid" "$RTCGW_RUN_DIR/controlplane.pid" > "$TB_DIR/pids"
EOS
cat > "$TB_DIR/gone.sh" <<EOS
left=0
for p in \$(cat "$TB_DIR/pids"); do
	if kill -0 "\$p" 2>/dev/null; then echo "process \$p still runs"; left=1; fi
done
for f in "$TB_HUGE"/${TB}map_*; do
	[ -e "\$f" ] && { echo "hugepage file \$f"; left=1; }
done
[ -e /var/run/dpdk/$TB ] && { echo "runtime dir /var/run/dpdk/$TB"; left=1; }
ip netns exec $NS ip link show $TAP >/dev/null 2>&1 && { echo "interface $TAP"; left=1; }
exit \$left
EOS

# ts=... level=... proc=rtcgw-dp|rtcgw-cp msg="..." and nothing else.
kv_logs() {
	local f
	for f in "$RTCGW_RUN_DIR/dataplane.log" "$RTCGW_RUN_DIR/controlplane.log"; do
		[ -s "$f" ] || return 1
		if grep -Ev '^ts=[0-9T:.-]+Z level=(error|warning|notice|info|debug) proc=rtcgw-(dp|cp) msg="([^"\\]|\\.)*"$' "$f" |
				sed "s|^|#   $(basename "$f"): |" | grep .; then
			return 1
		fi
	done
	return 0
}

pty_stop() {   # HOW
	local how=$1 out=$TB_DIR/pty.$1.out
	local extra=()
	[ "$how" = cmd ] && extra=(--stop-cmd "${RUN[*]} --stop")
	rm -f "$TB_DIR/pids"
	python3 "$TB_ROOT/tests/integration/pty_run.py" --stop "$how" "${extra[@]}" \
		--at-ready "bash $TB_DIR/pids.sh" --at-stopped "bash $TB_DIR/gone.sh" \
		--log "$TB_DIR/pty.$how.log" -- "${RUN[@]}" -c "$TB_CONF" > "$out" 2>&1
	tb_check "$how: the gateway came up in the terminal" grep -q '^# ready' "$out"
	tb_check "$how: at-ready saw two pids" test "$(wc -w < "$TB_DIR/pids" 2>/dev/null)" = 2
	tb_check "$how: run.sh printed 'stopped' and returned 0 within the bound" \
		grep -q '^# exit status 0$' "$out"
	tb_check "$how: when 'stopped' appeared nothing was left" \
		grep -q '^# at-stopped status 0$' "$out"
	tb_check "$how: both stopped on SIGTERM (no SIGKILL needed)" \
		bash -c "! grep -q 'SIGKILL' '$TB_DIR/pty.$how.log'"
	tb_check "$how: nothing restarted while stopping" \
		bash -c "! grep -q 'restarting' '$TB_DIR/pty.$how.log'"
	tb_check "$how: the control plane logged its last line" \
		bash -c "tail -1 '$RTCGW_RUN_DIR/controlplane.log' | grep -q stopped"
	tb_check "$how: the dataplane logged its last line" \
		bash -c "tail -1 '$RTCGW_RUN_DIR/dataplane.log' | grep -q stopped"
	tb_check "$how: still nothing left afterwards" bash "$TB_DIR/gone.sh"
	tb_check "$how: every log line of both processes is one key=value record" kv_logs
	grep '^# stopped seen' "$out"
	if [ "$TB_FAIL" -ne 0 ]; then
		sed 's/^/#   /' "$out"
		tr -d '\r' < "$TB_DIR/pty.$how.log" | tail -15 | sed 's/^/#   tty: /'
	fi
	: > "$RTCGW_RUN_DIR/controlplane.log"
	: > "$RTCGW_RUN_DIR/dataplane.log"
}

for how in ctrl-c sigint-pgrp sigterm cmd; do
	pty_stop "$how"
done

# Detached, then --stop.
detach() { "${RUN[@]}" -c "$TB_CONF" --detach > "$TB_DIR/detach.out" 2>&1; }
tb_check "detach: run.sh --detach returns with /healthz green" detach
bash "$TB_DIR/pids.sh"
tb_check "detach: the TAP is up with the host address" \
	bash -c "ip netns exec $NS ip -4 addr show $TAP | grep -q '198.18.$TB_NET.1/24'"
# Not stopping: a crashed control plane is restarted.
CP0=$(cat "$RTCGW_RUN_DIR/controlplane.pid")
kill -KILL "$CP0"
restarted() { grep -q 'control plane exited (status 137); restarting' "$RTCGW_RUN_DIR/supervisor.log"; }
tb_check "detach: a killed control plane is restarted by the supervisor" tb_wait 10 restarted
healthy() { ip netns exec "$NS" curl -sf -m 2 "$TB_REST/healthz" >/dev/null; }
tb_check "detach: /healthz green again after the restart" tb_wait 30 healthy
bash "$TB_DIR/pids.sh"
"${RUN[@]}" --stop > "$TB_DIR/stop.out" 2>&1
tb_check "detach: run.sh --stop says stopped" grep -q 'rtcgw: stopped' "$TB_DIR/stop.out"
tb_check "detach: nothing left after --stop (the restarted control plane too)" bash "$TB_DIR/gone.sh"
tb_check "detach: the supervisor restarted nothing while stopping" \
	bash -c "[ \"\$(grep -c restarting '$RTCGW_RUN_DIR/supervisor.log')\" = 1 ]"

# A dataplane that ignores SIGTERM is killed after the bound, with a message.
# (A stand-in: a sleep that ignores TERM, registered as the dataplane.)
mkdir -p "$RTCGW_RUN_DIR"
setsid bash -c "trap '' TERM; exec sleep 60" </dev/null >/dev/null 2>&1 &
STUCK=$!
TB_PIDS+=("$STUCK")
sleep 0.3
echo "$STUCK" > "$RTCGW_RUN_DIR/dataplane.pid"
echo "$TB_CONF" > "$RTCGW_RUN_DIR/config.path"
RTCGW_STOP_TIMEOUT=1 "${RUN[@]}" --stop > "$TB_DIR/stuck.out" 2>&1
tb_check "stuck: --stop sends SIGKILL after the bound and says so" \
	grep -q "dataplane (pid $STUCK) did not stop within 1 s; sending SIGKILL" "$TB_DIR/stuck.out"
tb_check "stuck: the stuck process is gone" bash -c "! kill -0 $STUCK 2>/dev/null"
tb_check "stuck: then stopped" grep -q 'rtcgw: stopped' "$TB_DIR/stuck.out"

tb_done
