#!/usr/bin/env bash
# rtcgw benchmarks in one command (as root, Debian 12): installs what is
# missing (scripts/setup.sh --bench: build deps, coturn, gnuplot-nox), builds,
# runs the in-process benches (tests/bench/bench_*), then rtcgw's dataplane
# and coturn's turnserver side by side, each on CPU 1, driven by the same
# generator (tests/bench/rtcgw_loadgen) on CPU 0:
#
#   STUN  Binding requests (FINGERPRINT) from 100 source ports
#   TURN  100 allocations (401 -> Allocate with MESSAGE-INTEGRITY,
#         CreatePermission, ChannelBind), ChannelData to an echo peer in a
#         third namespace, the echo relayed back
#
# at light (5000 pps offered: 100 clients x 50 msg/s), medium (50000 pps)
# and flat-out load (a closed loop: at most --window packets unanswered, so
# the slowest stage of the chain sets the pace and no socket buffer is
# overrun; --window 0: open loop, as fast as the generator can send), the
# servers alternating (round r starts with rtcgw when
# r is odd), ROUNDS rounds. Server CPU: the run time of its threads
# (/proc/PID/task/*/schedstat, read by the generator) over the traffic phase
# (TURN allocation set-up reported apart). Each run also records where the
# packets that were not answered went (the kernel's UDP receive-buffer drops
# in each namespace, the veths' drops). After the rounds, one more flat-out
# run per server and path under `perf record -g -p SERVER` (not counted in
# the table) splits the server's CPU into its own code, its sends, the
# receiving namespace's stack that the veth runs inside those sends, and
# the rest (tests/bench/perf_split.py).
# Each round also runs rtcgw's dataplane, flat out, on a kernel-free port:
# net_memif, with the generator a DPDK process on the link's other end
# (rtcgw_loadgen --memif) playing the clients and the echo peer in frames.
# No kernel is on that path, so the dataplane's CPU is its own code and the
# port's copy: what the same code costs behind a real NIC, measured rather
# than estimated from the profile (--no-memif skips it).
# Prints a markdown table (medians over the rounds; also written to
# tests/bench/results/latest.md) and plots it (latest.png).
#
#   scripts/bench.sh [--quick] [--rounds N] [--seconds S] [--pmd af_xdp|af_packet]
#                    [--no-inproc] [--out DIR] [--loads light,medium,flat]
#                    [--idle-sleep-us N] [--no-profile] [--window N] [--no-memif]
#
#   --quick    1 round of 3 s per run, short in-process benches (< 3 min)
#   default    3 rounds of 8 s per run (< 15 min)
#   --loads    only these loads (default all three)
#   --idle-sleep-us  rtcgw's dataplane.idle_sleep_us (default 300, the
#              config default): the longest sleep of an idle worker, i.e.
#              light-load CPU traded against added latency
#   --no-profile  skip the perf profile runs (and the split of the CPU)
#   --window   flat out's closed-loop window (default 1024; 0: open loop)
#   --no-memif skip the runs on the kernel-free port
#
# Testbed: netns rtxc/rtxg/rtxp, 198.18.20.0/24 and 198.18.21.0/24 (see
# tests/integration/lib.sh). Everything is removed on exit; a server that
# does not start or a run whose set-up fails stops the script with exit 1
# and no table.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=3
SECS=8
QUICK=
INPROC=1
PMD=af_xdp
OUT=$ROOT/tests/bench/results
LOADS_ARG=light,medium,flat
IDLE_US=300
PROFILE=1
WINDOW=1024
MEMIF=1
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1; ROUNDS=1; SECS=3; shift ;;
	--rounds) ROUNDS=$2; shift 2 ;;
	--seconds) SECS=$2; shift 2 ;;
	--pmd) PMD=$2; shift 2 ;;
	--no-inproc) INPROC=; shift ;;
	--out) OUT=$2; shift 2 ;;
	--loads) LOADS_ARG=$2; shift 2 ;;
	--idle-sleep-us) IDLE_US=$2; shift 2 ;;
	--no-profile) PROFILE=; shift ;;
	--window) WINDOW=$2; shift 2 ;;
	--no-memif) MEMIF=; shift ;;
	-h|--help) sed -n '2,53p' "$0"; exit 0 ;;
	*) echo "bench: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ $ROUNDS =~ ^[1-9]$ ]] || { echo "bench: --rounds 1..9" >&2; exit 2; }
[[ $SECS =~ ^[1-9][0-9]?$ ]] || { echo "bench: --seconds 1..99" >&2; exit 2; }
[[ $LOADS_ARG =~ ^(light|medium|flat)(,(light|medium|flat))*$ ]] ||
	{ echo "bench: --loads: a comma list of light, medium, flat" >&2; exit 2; }
[[ $WINDOW =~ ^[0-9]{1,6}$ ]] || { echo "bench: --window 0..999999" >&2; exit 2; }
[[ $IDLE_US =~ ^[0-9]{1,5}$ ]] && [ "$IDLE_US" -le 10000 ] ||
	{ echo "bench: --idle-sleep-us 0..10000" >&2; exit 2; }

say() { printf 'bench: %s\n' "$*"; }
die() { printf 'bench: FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run me as root"
bash "$ROOT/scripts/setup.sh" --bench || die "setup"
[ -z "$PROFILE" ] || perf --version >/dev/null 2>&1 ||
	die "perf does not run (linux-perf); --no-profile skips the profile"

# One DPDK run on the machine at a time (README: the lock).
if [ -z "${RTCGW_BENCH_LOCKED:-}" ]; then
	say "waiting for /tmp/rtcgw-dpdk.lock"
	again=(--pmd "$PMD" --out "$OUT")
	[ -n "$QUICK" ] && again+=(--quick)
	again+=(--rounds "$ROUNDS" --seconds "$SECS" --loads "$LOADS_ARG" --idle-sleep-us "$IDLE_US")
	[ -n "$INPROC" ] || again+=(--no-inproc)
	[ -n "$PROFILE" ] || again+=(--no-profile)
	[ -n "$MEMIF" ] || again+=(--no-memif)
	again+=(--window "$WINDOW")
	RTCGW_BENCH_LOCKED=1 exec flock -o /tmp/rtcgw-dpdk.lock "$0" "${again[@]}"
fi
T_START=$SECONDS
BUILD=${RTCGW_BUILD:-$ROOT/build}
LOADGEN=$BUILD/tests/bench/rtcgw_loadgen
mkdir -p "$OUT"

# ---- in-process benches ------------------------------------------------------
INPROC_TXT=$OUT/inproc.txt
: > "$INPROC_TXT"
if [ -n "$INPROC" ]; then
	say "in-process benches (CPU 1)"
	if [ -n "$QUICK" ]; then it=200000 pk=2000000 mp=512; else it=1000000 pk=10000000 mp=4096; fi
	{
		echo "\$ taskset -c 1 bench_stun $it"
		taskset -c 1 "$BUILD/tests/bench/bench_stun" "$it" || die "bench_stun"
		echo "\$ taskset -c 1 bench_turn_relay 10000 $pk"
		taskset -c 1 "$BUILD/tests/bench/bench_turn_relay" 10000 "$pk" || die "bench_turn_relay"
		echo "\$ taskset -c 1 bench_media $mp"
		taskset -c 1 "$BUILD/tests/bench/bench_media" "$mp" || die "bench_media"
	} 2>&1 | grep -v '^EAL' | tee -a "$INPROC_TXT"
	[ "${PIPESTATUS[0]}" -eq 0 ] || die "in-process benches"
fi

# ---- testbed -------------------------------------------------------------------
export RTCGW_TEST_PMD=$PMD
# shellcheck source=../tests/integration/lib.sh
. "$ROOT/tests/integration/lib.sh"
tb_init rtx 20 18100
# shellcheck disable=SC2034  # read by lib.sh tb_config
TB_CONF_TURN="  enabled: true
  realm: rtcgw.bench
  relay_port_min: 50000
  relay_port_max: 50999
  max_allocations: 10000
  user_quota: 0
  ip_quota: 0
  users:
    - {username: alice, password: alice-pass-1}"
# A receive ring of 4096 frames (the config's default is 1024): on this veth
# the worker's AF_XDP sends run the receivers' stacks (the profile's "recv
# stack"), and while a send runs the ring fills: with 1024 frames the
# gateway veth dropped 40,683 frames (3.8%) in one STUN flat-out run, with
# 4096 0 to 640 in four. coturn's counterpart is its socket buffer, which
# overflows because its core is full, not for want of room.
# shellcheck disable=SC2034  # read by lib.sh tb_config
TB_CONF_PORT="      rx_desc: 4096"
tb_net_up
tb_peer_net_up 21
tb_config || die "config"
sed -i "s/^  mbufs: .*/  mbufs: 16383/" "$TB_CONF"     # the ring's frames come from the pool
sed -i "s/^  idle_sleep_us: .*/  idle_sleep_us: $IDLE_US/" "$TB_CONF"
grep -q "^  idle_sleep_us: $IDLE_US\$" "$TB_CONF" || die "config: idle_sleep_us"
PEER_PORT=3480
ip netns exec "$TB_NS_P" taskset -c 0 "$LOADGEN" --mode echo \
	--listen "$TB_PEER_IP:$PEER_PORT" --duration 3600 >"$TB_DIR/echo.log" 2>&1 &
TB_PIDS+=("$!")
tb_wait 5 grep -q 'loadgen: echo' "$TB_DIR/echo.log" || die "echo peer did not start"

# The same dataplane and config on the kernel-free port (lib.sh's
# tb_memif_config: rings of 4096 slots) and a window as large: with 1024 the
# closed loop fell, in some runs by hand, into a rhythm where the worker
# slept between short bursts (1.1M pps against 4.9M in the others) and the
# figure was the wake-ups' as much as the code's; with 4096 the worker is
# busy the whole run.
tb_memif_config || die "config: the memif port"

SERVER_PID=
start_rtcgw() {
	tb_start_dp || die "rtcgw dataplane did not start (log above)"
	SERVER_PID=$TB_DP_PID
	tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent
}
stop_rtcgw() {
	tb_stop_pid "$TB_DP_PID"
	tb_c ip neigh del "$TB_GW_IP" dev "${TB}c0" 2>/dev/null
}
start_rtcgw_memif() {
	local conf=$TB_CONF
	TB_CONF=$TB_MEMIF_CONF
	tb_start_dp || die "rtcgw dataplane on memif did not start (log above)"
	TB_CONF=$conf
	SERVER_PID=$TB_DP_PID
}
stop_rtcgw_memif() {
	tb_stop_pid "$TB_DP_PID"
	rm -f "$TB_MEMIF_SOCK"
}
CT_N=0
start_coturn() {
	CT_N=$((CT_N + 1))
	# The kernel owns the gateway's veth while coturn runs.
	tb_g ip addr add "$TB_GW_IP/24" dev "${TB}g0"
	tb_g ip route add "198.18.21.0/24" via "$TB_CLIENT_IP"
	ip netns exec "$TB_NS_G" taskset -c 1 turnserver -n --listening-ip="$TB_GW_IP" \
		--relay-ip="$TB_GW_IP" --listening-port=3478 --min-port=50000 --max-port=50999 \
		--lt-cred-mech --user=alice:alice-pass-1 --realm=rtcgw.bench --no-tls --no-dtls \
		--no-cli --relay-threads=1 --allowed-peer-ip=198.18.21.2 \
		--log-file=stdout >"$TB_DIR/coturn-$CT_N.log" 2>&1 &
	SERVER_PID=$!
	TB_PIDS+=("$SERVER_PID")
	tb_wait 10 grep -q 'Total General servers' "$TB_DIR/coturn-$CT_N.log" ||
		tb_wait 3 false
	kill -0 "$SERVER_PID" 2>/dev/null || {
		sed 's/^/#   /' "$TB_DIR/coturn-$CT_N.log"; die "coturn did not start"; }
	tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent
}
stop_coturn() {
	tb_stop_pid "$SERVER_PID"
	tb_g ip addr flush dev "${TB}g0"
	tb_c ip neigh del "$TB_GW_IP" dev "${TB}c0" 2>/dev/null
}

# ---- runs ---------------------------------------------------------------------
# profile_row DATA SERVER CASE: perf_split.py's line of profile.tsv for
# SERVER_PID's samples in DATA (perf record -g -p).
profile_row() {
	perf script -i "$1" -F comm,pid,tid,ip,sym,dso 2>/dev/null |
		python3 "$ROOT/tests/bench/perf_split.py" --row "$2" "$3" "$SERVER_PID"
}
RAW=$OUT/raw.tsv
printf 'round\tserver\tproto\tload\tsent\treceived\tloss_pct\trx_pps\tcpu_s\tpkts_per_cpu_s\tp50_us\tp99_us\tsetup_cpu_s\tudp_rcvbuf_drops\tclient_rcvbuf_drops\tpeer_rcvbuf_drops\tgw_veth_drops\tveth_drops\tsetup_s\twindow_stalls\n' > "$RAW"
PROF=$OUT/profile.tsv
python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import perf_split; print(perf_split.ROW_HEADER)' \
	"$ROOT/tests/bench" > "$PROF" || die "perf_split.py"
LOADS=()
for l in light:5000 medium:50000 flat:0; do
	[[ ,$LOADS_ARG, == *,${l%%:*},* ]] && LOADS+=("${l%%:*} ${l##*:}")
done

# udp_rcvbuf_errors [NS]: the namespace's (default the gateway's) UDP
# RcvbufErrors: datagrams dropped because a socket's buffer was full.
udp_rcvbuf_errors() {
	ip netns exec "${1:-$TB_NS_G}" awk '/^Udp:/ { if (h) { print $6; exit } h = 1 }' /proc/net/snmp
}
# veth_drops END...: the receive drops of these veth ends, NS:DEV (on the
# gateway's end: frames its XDP program could not hand to the dataplane's
# socket, whose ring was full).
veth_drops() {
	local n=0 e v
	for e in "$@"; do
		v=$(ip netns exec "${e%%:*}" cat "/sys/class/net/${e#*:}/statistics/rx_dropped") || v=0
		n=$((n + v))
	done
	echo "$n"
}
GW_END=("$TB_NS_G:${TB}g0")
CLIENT_ENDS=("$TB_NS_C:${TB}c0" "$TB_NS_C:${TB}c1" "$TB_NS_P:${TB}p0")

# run ROUND SERVER PROTO LOAD RATE: one generator run against SERVER_PID.
# Every run of a server start uses its own 100 source ports (the TURN
# allocations of an earlier run are still there: no 437). With ROUND
# "profile" the run is recorded with perf instead of counted: its split of
# the server's CPU goes to $PROF.
RUN_N=0
run() {
	local r=$1 srv=$2 proto=$3 load=$4 rate=$5 out args line rb0 crb0 prb0 gvd0 vd0 perf_pid=
	out=$TB_DIR/lg-$r-$srv-$proto-$load.out
	RUN_N=$((RUN_N + 1))
	args=(--mode "$proto" --server "$TB_GW_IP:3478" --bind "$TB_CLIENT_IP" --sockets 100
		--base-port $((20000 + 100 * (RUN_N % 300))) --gw-mac "$TB_GW_MAC"
		--duration "$SECS" --drain 500 --cpu-pid "$SERVER_PID")
	if [ "$srv" = rtcgw_memif ]; then
		args+=(--memif "$TB_MEMIF_SOCK")
	else
		args+=(--raw-tx "${TB}c0")
	fi
	if [ "$rate" = 0 ] && [ "$WINDOW" -gt 0 ] && [ "$srv" = rtcgw_memif ]; then
		args+=(--window "$TB_MEMIF_RING")
	elif [ "$rate" = 0 ] && [ "$WINDOW" -gt 0 ]; then
		args+=(--window "$WINDOW")
	else
		args+=(--rate "$rate")
	fi
	[ "$proto" = turn ] && args+=(--peer "$TB_PEER_IP:$PEER_PORT" --user alice
		--pass alice-pass-1 --size 160)
	# The gateway namespace's UDP RcvbufErrors: datagrams the kernel dropped
	# because coturn's socket buffer was full (0 for rtcgw: no kernel socket).
	rb0=$(udp_rcvbuf_errors)
	crb0=$(udp_rcvbuf_errors "$TB_NS_C")
	prb0=$(udp_rcvbuf_errors "$TB_NS_P")
	gvd0=$(veth_drops "${GW_END[@]}")
	vd0=$(veth_drops "${CLIENT_ENDS[@]}")
	if [ "$r" = profile ]; then
		# The whole run, TURN's set-up included (a few ms of CPU).
		perf record -q -g -p "$SERVER_PID" -o "$TB_DIR/perf-$srv-$proto.data" \
			-- sleep "$SECS" >"$TB_DIR/perf-$srv-$proto.log" 2>&1 &
		perf_pid=$!
	fi
	if ! tb_c taskset -c 0 timeout $((SECS + 40)) "$LOADGEN" "${args[@]}" >"$out" 2>&1; then
		sed 's/^/#   /' "$out"
		die "$srv $proto $load: the generator failed"
	fi
	line=$(grep '^sent=' "$out") || die "$srv $proto $load: no result line"
	if [ -n "$perf_pid" ]; then
		wait "$perf_pid" || { cat "$TB_DIR/perf-$srv-$proto.log"; die "perf record"; }
		profile_row "$TB_DIR/perf-$srv-$proto.data" "$srv" "$proto" >> "$PROF" ||
			die "$srv $proto: no perf samples of the server"
		say "profile $srv $proto: $(tail -1 "$PROF")"
		return
	fi
	line="$line rcvbuf_drops=$(($(udp_rcvbuf_errors) - rb0))"
	line="$line client_rcvbuf_drops=$(($(udp_rcvbuf_errors "$TB_NS_C") - crb0))"
	line="$line peer_rcvbuf_drops=$(($(udp_rcvbuf_errors "$TB_NS_P") - prb0))"
	line="$line gw_veth_drops=$(($(veth_drops "${GW_END[@]}") - gvd0))"
	line="$line veth_drops=$(($(veth_drops "${CLIENT_ENDS[@]}") - vd0))"
	# key=value -> the columns of $RAW
	awk -v r="$r" -v s="$srv" -v p="$proto" -v l="$load" '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		pk = (p == "turn" ? 2 : 1) * v["received"]
		printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", r, s, p, l,
			v["sent"], v["received"], v["loss_pct"], v["rx_pps"] * (p == "turn" ? 2 : 1),
			v["cpu_s"], (v["cpu_s"] > 0 ? pk / v["cpu_s"] : 0), v["p50_us"], v["p99_us"],
			v["setup_cpu_s"], v["rcvbuf_drops"], v["client_rcvbuf_drops"],
			v["peer_rcvbuf_drops"], v["gw_veth_drops"], v["veth_drops"], v["setup_s"],
			v["window_stalls"] + 0 }' <<<"$line" >> "$RAW"
	say "round $r $srv $proto $load: $(tail -1 "$RAW" | cut -f5-)"
}

round_for() {
	local r=$1 srv=$2 proto lr loads=("${LOADS[@]}")
	# on the kernel-free port flat out only: what the code can do
	[ "$srv" = rtcgw_memif ] && loads=("flat 0")
	"start_$srv"
	for proto in stun turn; do
		for lr in "${loads[@]}"; do
			# shellcheck disable=SC2086
			run "$r" "$srv" "$proto" $lr
		done
	done
	"stop_$srv"
}

say "side by side: $ROUNDS round(s), $SECS s per run, rtcgw on $PMD"
for ((r = 1; r <= ROUNDS; r++)); do
	if ((r % 2)); then round_for "$r" rtcgw; round_for "$r" coturn
	else round_for "$r" coturn; round_for "$r" rtcgw; fi
	[ -n "$MEMIF" ] && [[ ,$LOADS_ARG, == *,flat,* ]] && round_for "$r" rtcgw_memif
done

# ---- where the server's CPU goes (perf, flat out, not counted above) ------
profile_for() {
	local srv=$1 proto
	"start_$srv"
	for proto in stun turn; do run profile "$srv" "$proto" flat 0; done
	"stop_$srv"
}
if [ -n "$PROFILE" ]; then
	say "profile: one more flat-out run per server and path under perf record"
	profile_for rtcgw
	profile_for coturn
fi

# ---- report -----------------------------------------------------------------------
MD=$OUT/latest.md
DAT=$OUT/latest.dat
python3 - "$RAW" "$MD" "$DAT" "$ROUNDS" "$SECS" "$PMD" "$INPROC_TXT" "$IDLE_US" "$PROF" "$ROOT/tests/bench" "$WINDOW" "$TB_MEMIF_RING" <<'EOF' || die "report"
import csv, statistics, sys, platform, os, datetime
raw, md, dat, rounds, secs, pmd, inproc, idle, prof, here, window, memif_window = sys.argv[1:]
sys.path.insert(0, here)
import perf_split
rows = list(csv.DictReader(open(raw), delimiter='\t'))
profs = {(p['server'], p['case']): p for p in csv.DictReader(open(prof), delimiter='\t')}
loads = [l for l in ('light', 'medium', 'flat') if any(r['load'] == l for r in rows)]
def med(srv, proto, load, key):
    v = [float(r[key]) for r in rows if (r['server'], r['proto'], r['load']) == (srv, proto, load)]
    return statistics.median(v) if v else float('nan')
cpu = ''
for l in open('/proc/cpuinfo'):
    if l.startswith('model name'):
        cpu = l.split(':', 1)[1].strip(); break
out = []
out.append(f"rtcgw vs coturn, {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs ({cpu}), "
           f"kernel {platform.release()}; rtcgw on net_{pmd}, busy_poll off, idle_sleep_us {idle}; {rounds} round(s) x {secs} s "
           "per run, medians. Server on CPU 1, generator and echo peer on CPU 0.\n")
out.append("| path | load | server | pkts / server CPU-s | throughput (pps) | loss % | p50 us | p99 us | server CPU % | ratio rtcgw/coturn (pkts per CPU-s) |")
out.append("|---|---|---|---|---|---|---|---|---|---|")
plot = []
for proto in ('stun', 'turn'):
    for load in loads:
        r = med('rtcgw', proto, load, 'pkts_per_cpu_s')
        c = med('coturn', proto, load, 'pkts_per_cpu_s')
        for srv in ('rtcgw', 'coturn'):
            busy = 100 * med(srv, proto, load, 'cpu_s') / float(secs)
            ratio = f"**{r / c:.2f}x**" if srv == 'rtcgw' and c > 0 else ''
            out.append(f"| {proto.upper()} | {load} | {srv} | {med(srv, proto, load, 'pkts_per_cpu_s'):,.0f} | "
                       f"{med(srv, proto, load, 'rx_pps'):,.0f} | {med(srv, proto, load, 'loss_pct'):.2f} | "
                       f"{med(srv, proto, load, 'p50_us'):.0f} | {med(srv, proto, load, 'p99_us'):.0f} | {busy:.0f} | {ratio} |")
        m = med('rtcgw_memif', proto, load, 'pkts_per_cpu_s')
        plot.append(f'"{proto.upper()} {load}" {r:.0f} {c:.0f} ' + (f'{m:.0f}' if m == m else 'NaN'))
memif = [p for p in ('stun', 'turn') if med('rtcgw_memif', p, 'flat', 'pkts_per_cpu_s') > 0]
if memif:
    out.append("")
    out.append("The same dataplane and config, flat out on a kernel-free port: net_memif, with the generator a "
               "DPDK process on the link's other end playing the clients, their ARP and the echo peer "
               "(rtcgw_loadgen --memif), in the same rounds" +
               (f", flat out as a closed loop of at most {memif_window} packets unanswered (the size of "
                "the link's rings)" if int(window) > 0 else "") + ". No kernel is on this path, so the dataplane's CPU "
               "is its own code and the port's copy: what the same code costs behind a NIC, where DMA does the "
               "copy. Ratios against coturn's flat-out figure above (on the veth; coturn needs a kernel socket) "
               "and against coturn without the receiving namespace's stack that the veth charges to its sends "
               "(an estimate from the profile below, when it ran).")
    out.append("")
    out.append("| path | pkts / dataplane CPU-s | throughput (pps) | loss % | p50 us | p99 us | dataplane CPU % | "
               "ratio to coturn (measured) | ratio to coturn without the recv stack |")
    out.append("|---|---|---|---|---|---|---|---|---|")
    for proto in memif:
        m = med('rtcgw_memif', proto, 'flat', 'pkts_per_cpu_s')
        c = med('coturn', proto, 'flat', 'pkts_per_cpu_s')
        p = profs.get(('coturn', proto))
        wo = perf_split.without_recv_stack(c, float(p['recv_stack'])) if p else float('nan')
        busy = 100 * med('rtcgw_memif', proto, 'flat', 'cpu_s') / float(secs)
        out.append(f"| {proto.upper()} flat | {m:,.0f} | {med('rtcgw_memif', proto, 'flat', 'rx_pps'):,.0f} | "
                   f"{med('rtcgw_memif', proto, 'flat', 'loss_pct'):.2f} | "
                   f"{med('rtcgw_memif', proto, 'flat', 'p50_us'):.0f} | "
                   f"{med('rtcgw_memif', proto, 'flat', 'p99_us'):.0f} | {busy:.0f} | "
                   f"**{m / c:.1f}x** | " + (f"**{m / wo:.1f}x**" if wo == wo else "(no profile)") + " |")
    if any(med('rtcgw_memif', p, 'flat', 'cpu_s') < 0.95 * float(secs) for p in memif):
        out.append("")
        out.append("Where the dataplane's CPU is under 100%, its worker slept between bursts: the "
                   "generator's core set the pace, and the figure is a floor for the dataplane, not its ceiling.")
out.append("")
out.append("TURN allocation set-up (100 allocations: 401, Allocate, CreatePermission, ChannelBind), "
           "server CPU-s, median: " + ", ".join(
    f"{srv} {med(srv, 'turn', loads[0], 'setup_cpu_s'):.3f}" for srv in ('rtcgw', 'coturn')))
out.append("")
out.append("coturn's UDP receive-buffer drops (kernel RcvbufErrors in the gateway namespace), median per run: " +
           ", ".join(f"{p.upper()} {l} {med('coturn', p, l, 'udp_rcvbuf_drops'):.0f}"
                     for p in ('stun', 'turn') for l in loads))
out.append("")
out.append("Packets: STUN = requests answered; TURN = 2 x echoes received (client->peer and peer->client "
           "relayed). Throughput: the same per second of the run. Loss: sent but not answered within 0.5 s after the run.")
if 'flat' in loads:
    out.append("")
    out.append(f"Flat out: " + (f"a closed loop, at most {window} packets unanswered at a time (rtcgw_loadgen --window): "
               "the slowest stage of the chain (generator, echo peer, server) sets the pace, no socket buffer is "
               "overrun; a window no answer left for 20 ms is written off as lost (window stalls, median per run: " +
               ", ".join(f"{p.upper()} {srv} {med(srv, p, 'flat', 'window_stalls'):.0f}"
                         for p in ('stun', 'turn') for srv in ('rtcgw', 'coturn')) + ")."
               if int(window) > 0 else "an open loop, the generator sending as fast as it can (--window 0)."))
if 'flat' in loads:
    out.append("")
    out.append("Where the flat-out runs' losses were counted (medians per run): the rate the generator offered, "
               "datagrams the kernel dropped on a full socket buffer in the client's namespace (the generator's "
               "sockets), the echo peer's and the gateway's (coturn's), and the veths' receive drops on the "
               "gateway's end (frames XDP could not hand to the dataplane) and on the client's and peer's ends.")
    out.append("")
    out.append("| path | server | offered pps | sent | lost | client socket drops | echo peer socket drops | gateway socket drops | gateway veth drops | other veth drops |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for proto in ('stun', 'turn'):
        for srv in ('rtcgw', 'coturn'):
            sent = med(srv, proto, 'flat', 'sent')
            lost = sent - med(srv, proto, 'flat', 'received')
            out.append(f"| {proto.upper()} | {srv} | {sent / float(secs):,.0f} | {sent:,.0f} | {lost:,.0f} | "
                       f"{med(srv, proto, 'flat', 'client_rcvbuf_drops'):,.0f} | {med(srv, proto, 'flat', 'peer_rcvbuf_drops'):,.0f} | "
                       f"{med(srv, proto, 'flat', 'udp_rcvbuf_drops'):,.0f} | {med(srv, proto, 'flat', 'gw_veth_drops'):,.0f} | "
                       f"{med(srv, proto, 'flat', 'veth_drops'):,.0f} |")
if profs and 'flat' in loads:
    out.append("")
    out.append("Where each server's CPU went at flat out (`perf record -g -p SERVER`, one more run per server and path "
               "after the rounds, not counted above; tests/bench/perf_split.py): its own code and libraries (user), "
               "its send syscalls (for rtcgw the AF_XDP copy-mode kick: an skb per frame handed to the veth), the "
               "receiving namespace's network stack that the veth runs inside those sends (recv stack), its receive "
               "and poll syscalls, sleeping, the rest of the kernel; percent of the server's samples.")
    out.append("")
    out += perf_split.table([dict(profs[(srv, proto)], case=f"{proto.upper()} flat",
                                  measured=med(srv, proto, 'flat', 'pkts_per_cpu_s'))
                             for proto in ('stun', 'turn') for srv in ('rtcgw', 'coturn')
                             if (srv, proto) in profs], 'coturn')
txt = open(inproc).read().strip()
if txt:
    out += ["", "In-process benches (one core):", "", "```", txt, "```"]
open(md, 'w').write("\n".join(out) + "\n")
open(dat, 'w').write("\n".join(plot) + "\n")
EOF
gnuplot <<EOF || die "gnuplot"
set terminal pngcairo size 900,500 noenhanced
set output "$OUT/latest.png"
set title "Packets per server CPU-second (higher is better), rtcgw on net_$PMD vs coturn"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "packets / CPU-s"
set yrange [0:*]
set grid ytics
set key top left
set xtics rotate by -20
plot "$DAT" using 2:xtic(1) title "rtcgw (veth)", "" using 3 title "coturn (veth)", \
	"" using 4 title "rtcgw (memif, no kernel)"
EOF
cat "$MD"
say "written: $MD, $OUT/latest.png, $RAW; $((SECONDS - T_START)) s"
