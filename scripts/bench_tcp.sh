#!/usr/bin/env bash
# TURN over TCP and TLS, rtcgw vs coturn (issue 11's benchmark): the same
# client (coturn's turnutils_uclient -t, and -t -S for TLS), the same
# topology and the same echo peer (turnutils_peer), the servers one after
# the other on CPU 1, client and peer on CPU 0:
#
#   rtcgw: rtcgw-dataplane (net_af_packet) + rtcgw-turnfront (TCP/TLS on the
#          exception interface) + rtcgw-controlplane; CPU of all three
#   coturn: turnserver (kernel sockets, --relay-threads 1)
#
# Each run: C clients, each sending N messages of 160 bytes every Z ms over its
# own TCP/TLS connection, relayed as UDP to the peer and echoed back, so each
# message is relayed twice. Server CPU: utime + stime from /proc/PID/stat
# around the run (set-up included: uclient allocates first). Reports relayed
# packets per server CPU-second and the ratio (medians over the rounds) in
# tests/bench/results/tcp.md.
#
#   scripts/bench_tcp.sh [--quick] [--rounds N]
#     --quick   1 round, lighter runs (about 2 min)
#     default   3 rounds (about 8 min)
#
# Testbed: netns rgdc/rgdg/rgdp, 198.18.68.0/24 and 198.18.69.0/24 (lib.sh);
# everything removed on exit.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=3
QUICK=
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1; ROUNDS=1; shift ;;
	--rounds) ROUNDS=$2; shift 2 ;;
	-h|--help) sed -n '2,24p' "$0"; exit 0 ;;
	*) echo "bench_tcp: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ $ROUNDS =~ ^[1-9]$ ]] || { echo "bench_tcp: --rounds 1..9" >&2; exit 2; }
say() { printf 'bench_tcp: %s\n' "$*"; }
die() { printf 'bench_tcp: FAILED: %s\n' "$*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "run me as root"
bash "$ROOT/scripts/setup.sh" --bench || die "setup"
if [ -z "${RTCGW_BENCH_LOCKED:-}" ]; then
	say "waiting for /tmp/rtcgw-dpdk.lock"
	again=(--rounds "$ROUNDS")
	[ -n "$QUICK" ] && again+=(--quick)
	RTCGW_BENCH_LOCKED=1 exec flock -o /tmp/rtcgw-dpdk.lock "$0" "${again[@]}"
fi
T_START=$SECONDS
OUT=$ROOT/tests/bench/results
mkdir -p "$OUT"

. "$ROOT/tests/integration/lib.sh"
tb_init rgd 68 18198
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
	-subj "/CN=turn.rtcgw.bench" -keyout "$TB_DIR/key.pem" -out "$TB_DIR/cert.pem" 2>/dev/null
# shellcheck disable=SC2034  # read by lib.sh tb_config
TB_CONF_TURN="  enabled: true
  realm: rtcgw.bench
  relay_port_min: 50000
  relay_port_max: 50999
  max_allocations: 10000
  user_quota: 0
  ip_quota: 0
  rfc5766_channels: true
  users:
    - {username: alice, password: alice-pass-1}
  allowed_peers: [198.18.69.2/32]
  tcp:
    enabled: true
    ports: [3478]
    tls_ports: [5349]
    certificate: $TB_DIR/cert.pem
    private_key: $TB_DIR/key.pem
    lcore: 1
    max_connections_per_ip: 1000
    max_connections: 10000"
tb_net_up
tb_peer_net_up 69
tb_config || die "config"
cat >>"$TB_CONF" <<EOC
exception:
  enabled: true
  iface: ${TB}x0
  tcp: true
EOC
# directly, not through tb_p: $! must be the peer itself (tb_cleanup ends it)
ip netns exec "$TB_NS_P" taskset -c 0 turnutils_peer -L "$TB_PEER_IP" -p 3480 \
	>"$TB_DIR/peer.log" 2>&1 &
TB_PIDS+=("$!")

cpu_of() { # utime + stime of the PIDs, in clock ticks
	local t=0 p
	for p in "$@"; do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
SERVER_PIDS=()
FRONT_PID=
start_rtcgw() {
	# the gateway namespace's kernel must not answer from the veth itself
	tb_g sysctl -qw "net.ipv4.conf.${TB}g0.rp_filter=1"
	tb_g ip link set "${TB}g0" arp off
	tb_start_dp || die "rtcgw dataplane did not start"
	tb_start_cp || die "rtcgw control plane did not start"
	ip netns exec "$TB_NS_G" "$TB_FRONT_BIN" -c "$TB_CONF" >"$TB_DIR/front.log" 2>&1 &
	FRONT_PID=$!
	TB_PIDS+=("$FRONT_PID")
	tb_wait 30 grep -q 'proc=rtcgw-tf msg="ready' "$TB_DIR/front.log" || die "front did not start"
	SERVER_PIDS=("$TB_DP_PID" "$FRONT_PID" "$TB_CP_PID")
	tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent
}
stop_rtcgw() {
	tb_stop_pid "$FRONT_PID"
	tb_stop_pid "$TB_CP_PID"
	tb_stop_pid "$TB_DP_PID"
	rm -f "$TB_HUGE"/* 2>/dev/null
	tb_c ip neigh del "$TB_GW_IP" dev "${TB}c0" 2>/dev/null
}
CT_N=0
start_coturn() {
	CT_N=$((CT_N + 1))
	tb_g ip link set "${TB}g0" arp on
	tb_g ip addr add "$TB_GW_IP/24" dev "${TB}g0"
	tb_g ip route add "198.18.69.0/24" via "$TB_CLIENT_IP"
	ip netns exec "$TB_NS_G" taskset -c 1 turnserver -n --listening-ip="$TB_GW_IP" \
		--relay-ip="$TB_GW_IP" --listening-port=3478 --tls-listening-port=5349 \
		--cert="$TB_DIR/cert.pem" --pkey="$TB_DIR/key.pem" --no-dtls --no-udp \
		--min-port=50000 --max-port=50999 --lt-cred-mech --user=alice:alice-pass-1 \
		--realm=rtcgw.bench --no-cli --relay-threads=1 --allowed-peer-ip=198.18.69.2 \
		--log-file=stdout >"$TB_DIR/coturn-$CT_N.log" 2>&1 &
	SERVER_PIDS=("$!")
	TB_PIDS+=("$!")
	tb_wait 10 grep -q 'Total General servers' "$TB_DIR/coturn-$CT_N.log" || tb_wait 3 false
	kill -0 "${SERVER_PIDS[0]}" 2>/dev/null || {
		sed 's/^/#   /' "$TB_DIR/coturn-$CT_N.log"; die "coturn did not start"; }
}
stop_coturn() {
	tb_stop_pid "${SERVER_PIDS[0]}"
	tb_g ip addr flush dev "${TB}g0"
}

RAW=$OUT/tcp-raw.tsv
printf 'round\tserver\tproto\tload\tsent\treceived\tlost\tcpu_s\trelayed_per_cpu_s\twall_s\tcpu_each\tidle_cpu_per_s\n' >"$RAW"
if [ -n "$QUICK" ]; then
	LOADS=("light 50 300 20" "heavy 100 600 5")
else
	LOADS=("light 50 1000 20" "heavy 100 2000 5")
fi
HZ=$(getconf CLK_TCK)
run() { # ROUND SERVER PROTO LOAD CLIENTS MSGS INTERVAL_MS
	local r=$1 srv=$2 proto=$3 load=$4 c=$5 n=$6 z=$7 out flags c0 c1 t0 t1 sent recv lost
	out=$TB_DIR/uc-$r-$srv-$proto-$load.out
	flags=(-t)
	[ "$proto" = tls ] && flags=(-t -S -p 5349)
	local e0=() e1=() each='' i
	for i in "${SERVER_PIDS[@]}"; do e0+=("$(cpu_of "$i")"); done
	c0=$(cpu_of "${SERVER_PIDS[@]}")
	t0=$(date +%s.%N)
	# RTCGW_BENCH_PERF=DIR: perf record of rtcgw's processes during its heavy runs
	local perf_pid=
	if [ -n "${RTCGW_BENCH_PERF:-}" ] && [ "$srv" = rtcgw ] && [ "$load" = heavy ]; then
		mkdir -p "$RTCGW_BENCH_PERF"
		perf record -q -g -o "$RTCGW_BENCH_PERF/$proto.data" \
			-p "$(IFS=,; echo "${SERVER_PIDS[*]}")" >/dev/null 2>&1 &
		perf_pid=$!
	fi
	tb_c taskset -c 0 timeout 300 turnutils_uclient "${flags[@]}" -u alice -w alice-pass-1 \
		-e "$TB_PEER_IP" -n "$n" -m "$c" -l 160 -z "$z" "$TB_GW_IP" >"$out" 2>&1
	t1=$(date +%s.%N)
	if [ -n "$perf_pid" ]; then
		kill -INT "$perf_pid" 2>/dev/null
		wait "$perf_pid" 2>/dev/null
	fi
	c1=$(cpu_of "${SERVER_PIDS[@]}")
	# per process (rtcgw: dataplane, front, control plane), CPU-s
	for i in "${!SERVER_PIDS[@]}"; do
		each+="${each:+/}$(awk -v a="${e0[$i]}" -v b="$(cpu_of "${SERVER_PIDS[$i]}")" -v hz="$HZ" 'BEGIN { printf "%.2f", (b - a) / hz }')"
	done
	sent=$(grep -o 'tot_send_msgs=[0-9]*' "$out" | tail -1 | cut -d= -f2)
	recv=$(grep -o 'tot_recv_msgs=[0-9]*' "$out" | tail -1 | cut -d= -f2)
	lost=$(sed -n 's/.*Total lost packets \([0-9]*\) .*/\1/p' "$out" | tail -1)
	[ -n "$recv" ] && [ "$recv" -gt 0 ] || { tail -5 "$out" | sed 's/^/#   /'; die "$srv $proto $load: no messages"; }
	awk -v r="$r" -v s="$srv" -v p="$proto" -v l="$load" -v se="$sent" -v re="$recv" -v each="$each" -v idle="$IDLE" \
		-v lo="${lost:-0}" -v cpu=$((c1 - c0)) -v hz="$HZ" -v t0="$t0" -v t1="$t1" \
		'BEGIN { cs = cpu / hz; w = t1 - t0; pc = cs > 0 ? 2 * re / cs : 0
			fmt = "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t%.0f\t%.1f\t%s\t%.4f\n"
			printf(fmt, r, s, p, l, se, re, lo, cs, pc, w, each, idle) }' >>"$RAW"
	say "round $r $srv $proto $load: $(tail -1 "$RAW" | cut -f5-)"
}
IDLE=0
round_for() {
	local r=$1 srv=$2 proto lr c0
	"start_$srv"
	# what the server burns with no traffic at all (polling, timers), CPU-s per s
	c0=$(cpu_of "${SERVER_PIDS[@]}")
	sleep 5
	IDLE=$(awk -v a="$c0" -v b="$(cpu_of "${SERVER_PIDS[@]}")" -v hz="$HZ" 'BEGIN { printf "%.4f", (b - a) / hz / 5 }')
	say "$srv idle: $IDLE CPU-s per second"
	for proto in tcp tls; do
		for lr in "${LOADS[@]}"; do
			# shellcheck disable=SC2086
			run "$r" "$srv" "$proto" $lr
		done
	done
	"stop_$srv"
}
say "$ROUNDS round(s)"
for ((r = 1; r <= ROUNDS; r++)); do
	if ((r % 2)); then round_for "$r" rtcgw; round_for "$r" coturn
	else round_for "$r" coturn; round_for "$r" rtcgw; fi
done

MD=$OUT/tcp.md
python3 - "$RAW" "$MD" "$ROUNDS" "${LOADS[@]}" <<'EOP' || die "report"
import csv, statistics, sys, os, platform, datetime
raw, md, rounds = sys.argv[1:4]
loads = [l.split() for l in sys.argv[4:]]
rows = list(csv.DictReader(open(raw), delimiter='\t'))
def med(s, p, l, k):
    v = [float(r[k]) for r in rows if (r['server'], r['proto'], r['load']) == (s, p, l)]
    return statistics.median(v) if v else float('nan')
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '')
out = [f"TURN over TCP/TLS, rtcgw vs coturn, {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, "
       f"{os.cpu_count()} CPUs ({cpu}), kernel {platform.release()}; {rounds} round(s), medians. "
       "Client: turnutils_uclient -t (TCP) / -t -S (TLS 1.3), 160-byte messages, echo peer "
       "turnutils_peer; servers on CPU 1, client and peer on CPU 0. rtcgw CPU = dataplane "
       "(net_af_packet, busy_poll off) + rtcgw-turnfront + control plane.", "",
       "| proto | load | server | relayed pkts / server CPU-s | ratio rtcgw/coturn | same, idle CPU subtracted | ratio | messages received / sent | lost | server CPU-s (rtcgw: dp/front/cp) |",
       "|---|---|---|---|---|---|---|---|---|---|"]
def net(s, p, l):
    v = [2 * float(r['received']) / max(1e-9, float(r['cpu_s']) - float(r['idle_cpu_per_s']) * float(r['wall_s']))
         for r in rows if (r['server'], r['proto'], r['load']) == (s, p, l)]
    return statistics.median(v) if v else float('nan')
def each(s, p, l):
    v = [r['cpu_each'] for r in rows if (r['server'], r['proto'], r['load']) == (s, p, l)]
    return v[len(v) // 2] if v else ''
idle = {s: statistics.median([float(r['idle_cpu_per_s']) for r in rows if r['server'] == s]) for s in ('rtcgw', 'coturn')}
for p in ('tcp', 'tls'):
    for l, c, n, z in loads:
        r, k = med('rtcgw', p, l, 'relayed_per_cpu_s'), med('coturn', p, l, 'relayed_per_cpu_s')
        rn, kn = net('rtcgw', p, l), net('coturn', p, l)
        for s in ('rtcgw', 'coturn'):
            ratio = f"**{r / k:.2f}x**" if s == 'rtcgw' and k > 0 else ''
            ration = f"{rn / kn:.2f}x" if s == 'rtcgw' and kn > 0 else ''
            out.append(f"| {p.upper()} | {l} ({c} clients x {n} msgs every {z} ms) | {s} | "
                       f"{med(s, p, l, 'relayed_per_cpu_s'):,.0f} | {ratio} | {net(s, p, l):,.0f} | {ration} | "
                       f"{med(s, p, l, 'received'):,.0f} / {med(s, p, l, 'sent'):,.0f} | "
                       f"{med(s, p, l, 'lost'):.0f} | {med(s, p, l, 'cpu_s'):.2f} ({each(s, p, l)}) |")
out += ["", f"Idle CPU (no traffic, polling and timers), CPU-s per second: rtcgw {idle['rtcgw']:.3f}, coturn {idle['coturn']:.3f}.",
        "", "Relayed packets: 2 x messages received (client -> peer and the echo peer -> client). "
        "Server CPU includes each client's connection set-up and allocation (uclient allocates, "
        "then sends)."]
open(md, 'w').write("\n".join(out) + "\n")
EOP
cat "$MD"
say "written: $MD, $RAW; $((SECONDS - T_START)) s"
