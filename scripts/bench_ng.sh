#!/usr/bin/env bash
# ng control-plane benchmark, rtcgw beside Debian's rtpengine (issue 9; not a
# test): offer + answer + delete cycles per second and per server CPU-second
# through the ng protocol, same client (tests/bench/ng_bench.py, CPU 1) and
# call mixes (plain RTP<->RTP, SDES-SRTP<->RTP, RTP<->WebRTC) against
#   rtcgw     its control plane (the ng server; CPU time of that process; the
#             dataplane's leg commands run on its own lcore and are not counted)
#   rtpengine rtpengine-daemon 10.5, userspace only (--table=-1), one worker
#             thread, interface 198.18.49.1 in the client namespace
# Both servers on CPU 0 (rtcgw's control plane has controlplane.lcore 0; its
# dataplane's worker sleeps on CPU 1 when idle). Run as root, under the DPDK lock:
#   flock -o /tmp/rtcgw-dpdk.lock scripts/bench_ng.sh [CYCLES]   (default 2000)
# Testbed: netns rgcc/rgcg, 198.18.49.0/24, REST 18138, ng 127.0.0.1:18139.
# Media forwarding (packets per CPU-second) is not measured here yet.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CYCLES=${1:-2000}
NG_PORT=18139
TB_ROOT=$ROOT
. "$ROOT/tests/integration/lib.sh"
command -v rtpengine >/dev/null || { echo "bench_ng: apt-get install rtpengine-daemon" >&2; exit 1; }

tb_init rgc 49 18138
TB_CONF_MEDIA="  port_min: 40000
  port_max: 44999"
tb_net_up
tb_config
cat >> "$TB_CONF" <<EOC
calls:
  ng_enabled: true
  ng_listen: 127.0.0.1:$NG_PORT
  max_calls: 1000
EOC
tb_start_dp || { echo "bench_ng: dataplane did not start" >&2; exit 1; }
tb_start_cp || { echo "bench_ng: control plane did not start" >&2; exit 1; }
BENCH=$ROOT/tests/bench/ng_bench.py
# a warm-up round for each server (first allocations, caches): not reported
taskset -c 1 python3 "$BENCH" 127.0.0.1 $NG_PORT "$TB_CP_PID" 300 plain >/dev/null
for mode in plain sdes webrtc; do
	printf 'rtcgw     %s\n' "$(taskset -c 1 python3 "$BENCH" 127.0.0.1 $NG_PORT "$TB_CP_PID" "$CYCLES" $mode)"
done
sleep 1
printf 'rtcgw     dataplane legs added %s, removed %s, calls held %s (a refusal that found the command ring full leaves legs behind)\n' \
	"$(tb_metric rtcgw_media_leg_added_total)" "$(tb_metric rtcgw_media_leg_removed_total)" \
	"$(tb_metric rtcgw_calls_active)"
tb_stop_pid "$TB_CP_PID"
tb_stop_pid "$TB_DP_PID"

tb_c taskset -c 0 rtpengine --foreground --table=-1 --interface=$TB_CLIENT_IP \
	--listen-ng=127.0.0.1:$NG_PORT --port-min=40000 --port-max=44999 --num-threads=1 --delete-delay=0 \
	--log-stderr --log-level=3 --pidfile="$TB_DIR/rtpe.pid" >"$TB_DIR/rtpe.log" 2>&1 &
TB_PIDS+=("$!")
tb_wait 10 test -s "$TB_DIR/rtpe.pid" || { cat "$TB_DIR/rtpe.log" >&2; exit 1; }
RPID=$(cat "$TB_DIR/rtpe.pid")
TB_PIDS+=("$RPID")
tb_c taskset -c 1 python3 "$BENCH" 127.0.0.1 $NG_PORT "$RPID" 300 plain >/dev/null
for mode in plain sdes webrtc; do
	printf 'rtpengine %s\n' "$(tb_c taskset -c 1 python3 "$BENCH" 127.0.0.1 $NG_PORT "$RPID" "$CYCLES" $mode)"
done
