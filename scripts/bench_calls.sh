#!/usr/bin/env bash
# rtcgw's calls vs Debian's rtpengine (userspace forwarding, --table=-1), side
# by side on the same veth topology with the same generator (issue 9): calls
# set up through each one's ng socket with the same requests
# (tests/bench/ng_calls.py: offer + answer per call, deletes at the end),
# then RTP both ways on every call (tests/bench/rtcgw_loadgen --mode rtp,
# PCMU-sized 172-byte packets, one packet per stream in turn) for four mixes:
#
#   many       CALLS_MANY calls x 50 packets/s per direction (default 1000 calls)
#   fast       CALLS_FAST calls x 1000 packets/s per direction (default 100 calls)
#   sdes-many  CALLS_SDES_MANY calls x 50 packets/s, SDES-SRTP <-> plain RTP
#              (default 400 calls)
#   sdes-fast  CALLS_SDES_FAST calls x 1000 packets/s, SDES-SRTP <-> plain RTP
#              (default 50 calls; --sdes-calls MANY,FAST sets both)
#
# many and fast are plain RTP/AVP on both sides. In the sdes mixes party A
# offers RTP/SAVP with a=crypto AES_CM_128_HMAC_SHA1_80 (a fresh key per
# call) and asks for plain RTP/AVP toward B ("transport-protocol"); the
# generator protects A's packets with A's key and authenticates + decrypts
# what A receives with the key in the server's answer (libsrtp2; only
# authenticated packets count, authentication failures are reported and must
# be 0), so the server decrypts one direction and encrypts the other. The
# generator's libsrtp2 (Debian's, on NSS) is why the sdes mixes are smaller:
# about 3 us per protect with up to 200 sessions, 14 us with 1000 (its
# per-session state falls out of cache), so one core keeps up with 50 calls
# x 1000 pps (100 calls, 200k pps offered, came out at 150k pps sent) and
# with 400 calls x 50 pps (1000 calls sent 50k of the 100k pps; 600 calls
# sent all, but the generator fell behind its answers: rtcgw's p50 latency
# 10 ms instead of 0.2). After each sdes run on rtcgw its first call's legs
# (GET /v1/calls/bench-0) are printed: the SDES leg's rtp_in (counted after
# unprotect), 182-byte packets both ways, auth_fail 0. For rtpengine, the
# kernel's UDP receive-buffer drops in its namespace during each run (Udp
# RcvbufErrors: where its losses go) are in the raw table and the report,
# and the client namespace's (the generator's sockets) for both servers.
# After the rounds, one more run of the fast and sdes-fast mixes per server
# under `perf record -g -p SERVER` (not counted in the table) splits the
# server's CPU into its own code, its sends, the receiving namespace's
# stack the veth runs inside those sends, and the rest
# (tests/bench/perf_split.py, as in scripts/bench.sh).
#
# Each round also runs rtcgw's dataplane (and control plane) with its port on
# net_memif, a kernel-free link whose other end is the generator as a DPDK
# process (rtcgw_loadgen --memif, the parties in frames), flat out: a closed
# loop of at most 4096 packets unanswered (the link's rings), CALLS_FAST
# calls plain (memif-plain) and CALLS_SDES_FAST calls SDES <-> plain
# (memif-sdes): what the forwarding code costs per CPU-second without a
# kernel, as behind a NIC (--no-memif skips it). There party A's SRTP is the
# generator's own (rtcgw_loadgen --srtp fast, tests/bench/lg_srtp.c): the
# libsrtp2 above cannot keep a dataplane busy from one core. libsrtp2 still
# checks one packet in 64 each way (byte-identical protection, authentication
# of what comes back); a disagreement is reported and must be 0. The report
# says so when the dataplane's CPU stays under 95% (the generator set the pace).
#
# Server on CPU 1 (rtcgw's dataplane worker; rtpengine with taskset, one
# forwarding thread), generator on CPU 0. Reported per server: packets
# forwarded per server CPU-second (its threads' run time, /proc/PID/task/*/schedstat,
# over the traffic),
# throughput, loss, latency p50/p99, and ng offer+answer+delete per second;
# the ratio rtcgw/rtpengine. Alternating, ROUNDS rounds, medians; a markdown
# table on stdout and in tests/bench/results/calls.md.
#
#   scripts/bench_calls.sh [--quick] [--rounds N] [--seconds S] [--pmd af_xdp|af_packet]
#                          [--sdes-calls MANY,FAST] [--no-profile] [--no-memif]
#
#   --quick   1 round of 3 s, 200 x 50, 50 x 1000, 100 x 50 (sdes-many) and
#             25 x 1000 (sdes-fast) calls (< 3 min)
#   default   3 rounds of 8 s (< 7 min)
#   --no-profile  skip the perf profile runs
#   --no-memif    skip the runs on the kernel-free port
#
# Testbed: netns rgrc/rgrg, 198.18.58.0/24. Everything it made is removed on
# exit; a server that does not start or a set-up that fails stops it with
# exit 1 and no table. Not a test (tests/bench/README.md).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=3
SECS=8
CALLS_MANY=1000
CALLS_FAST=100
CALLS_SDES_MANY=400
CALLS_SDES_FAST=50
PMD=af_xdp
OUT=$ROOT/tests/bench/results
QUICK=
SDES_ARG=
PROFILE=1
MEMIF=1
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1; ROUNDS=1; SECS=3; CALLS_MANY=200; CALLS_FAST=50; CALLS_SDES_MANY=100; CALLS_SDES_FAST=25; shift ;;
	--rounds) ROUNDS=$2; shift 2 ;;
	--seconds) SECS=$2; shift 2 ;;
	--pmd) PMD=$2; shift 2 ;;
	--sdes-calls) SDES_ARG=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--no-profile) PROFILE=; shift ;;
	--no-memif) MEMIF=; shift ;;
	-h|--help) sed -n '2,70p' "$0"; exit 0 ;;
	*) echo "bench_calls: unknown argument $1" >&2; exit 2 ;;
	esac
done
[[ $ROUNDS =~ ^[1-9]$ ]] || { echo "bench_calls: --rounds 1..9" >&2; exit 2; }
[[ $SECS =~ ^[1-9][0-9]?$ ]] || { echo "bench_calls: --seconds 1..99" >&2; exit 2; }
if [ -n "$SDES_ARG" ]; then
	[[ $SDES_ARG =~ ^([1-9][0-9]{0,3}),([1-9][0-9]{0,3})$ ]] ||
		{ echo "bench_calls: --sdes-calls MANY,FAST (1..9999 each)" >&2; exit 2; }
	CALLS_SDES_MANY=${BASH_REMATCH[1]}
	CALLS_SDES_FAST=${BASH_REMATCH[2]}
fi

say() { printf 'bench_calls: %s\n' "$*"; }
die() { printf 'bench_calls: FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run me as root"
bash "$ROOT/scripts/setup.sh" --bench || die "setup"
command -v rtpengine >/dev/null || die "rtpengine missing (Debian rtpengine-daemon)"
[ -z "$PROFILE" ] || perf --version >/dev/null 2>&1 ||
	die "perf does not run (linux-perf); --no-profile skips the profile"

if [ -z "${RTCGW_BENCH_LOCKED:-}" ]; then
	say "waiting for /tmp/rtcgw-dpdk.lock"
	again=(--pmd "$PMD" --out "$OUT" --rounds "$ROUNDS" --seconds "$SECS")
	[ -n "$QUICK" ] && again=(--quick --pmd "$PMD" --out "$OUT")
	[ -n "$SDES_ARG" ] && again+=(--sdes-calls "$SDES_ARG")
	[ -n "$PROFILE" ] || again+=(--no-profile)
	[ -n "$MEMIF" ] || again+=(--no-memif)
	RTCGW_BENCH_LOCKED=1 exec flock -o /tmp/rtcgw-dpdk.lock "$0" "${again[@]}"
fi
T_START=$SECONDS
BUILD=${RTCGW_BUILD:-$ROOT/build}
LOADGEN=$BUILD/tests/bench/rtcgw_loadgen
NGC=$ROOT/tests/bench/ng_calls.py
export RTCGW_TEST_PMD=$PMD
# shellcheck source=../tests/integration/lib.sh
. "$ROOT/tests/integration/lib.sh"
tb_init rgr 58 18160
# shellcheck disable=SC2034  # read by lib.sh tb_config
TB_CONF_MEDIA="  port_min: 40000
  port_max: 49151
  consent_timeout_s: 30"
tb_net_up
tb_config || die "config"
NG_PORT=22260
cat >>"$TB_CONF" <<EOC
calls:
  ng_enabled: true
  ng_listen: 127.0.0.1:$NG_PORT
  max_calls: 5000
  media_timeout_s: 300
EOC
mkdir -p "$OUT"
# The same configuration with the port on net_memif (lib.sh's
# tb_memif_config, as in scripts/bench.sh).
tb_memif_config || die "config: the memif port"

SERVER_PID=
NG_NS=
start_rtcgw() {
	tb_start_dp || die "rtcgw dataplane did not start (log above)"
	tb_start_cp || die "rtcgw control plane did not start (log above)"
	SERVER_PID=$TB_DP_PID
	NG_NS=
	tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent
}
stop_rtcgw() {
	tb_stop_pid "$TB_CP_PID"
	tb_stop_pid "$TB_DP_PID"
	tb_c ip neigh del "$TB_GW_IP" dev "${TB}c0" 2>/dev/null
}
start_rtcgw_memif() {
	local conf=$TB_CONF
	TB_CONF=$TB_MEMIF_CONF
	tb_start_dp || die "rtcgw dataplane on memif did not start (log above)"
	tb_start_cp || die "rtcgw control plane (memif) did not start (log above)"
	TB_CONF=$conf
	SERVER_PID=$TB_DP_PID
	NG_NS=
}
stop_rtcgw_memif() {
	tb_stop_pid "$TB_CP_PID"
	tb_stop_pid "$TB_DP_PID"
	rm -f "$TB_MEMIF_SOCK"
}
RE_N=0
start_rtpengine() {
	RE_N=$((RE_N + 1))
	# The kernel owns the gateway's veth while rtpengine runs.
	tb_g ip addr add "$TB_GW_IP/24" dev "${TB}g0"
	ip netns exec "$TB_NS_G" taskset -c 1 rtpengine --foreground --log-stderr \
		--interface="$TB_GW_IP" --listen-ng="127.0.0.1:$NG_PORT" --table=-1 \
		--port-min=40000 --port-max=49151 --num-threads=1 --log-level=4 \
		--pidfile="$TB_DIR/rtpengine.pid" >"$TB_DIR/rtpengine-$RE_N.log" 2>&1 &
	SERVER_PID=$!
	TB_PIDS+=("$SERVER_PID")
	NG_NS=$TB_NS_G
	rtpe_up() { ip netns exec "$TB_NS_G" python3 "$ROOT/tests/integration/ng_client.py" \
		127.0.0.1 "$NG_PORT" c1 '{"command":"ping"}' 2>/dev/null | grep -q pong; }
	tb_wait 10 rtpe_up || { sed 's/^/#   /' "$TB_DIR/rtpengine-$RE_N.log"; die "rtpengine did not start"; }
	tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent
}
stop_rtpengine() {
	tb_stop_pid "$SERVER_PID"
	tb_g ip addr flush dev "${TB}g0"
	tb_c ip neigh del "$TB_GW_IP" dev "${TB}c0" 2>/dev/null
}
ngc() { # ngc ARGS...: ng_calls.py against the running server's ng socket
	if [ -n "$NG_NS" ]; then
		ip netns exec "$NG_NS" python3 "$NGC" 127.0.0.1 "$NG_PORT" "$@"
	else
		python3 "$NGC" 127.0.0.1 "$NG_PORT" "$@"
	fi
}

# GET /v1/calls/{id}'s RTP legs in one line (the sdes runs' spot check): the
# dataplane counts rtp_in only after the leg's SRTP unprotect accepted the
# packet, so the SDES leg's rtp_in with auth_fail 0, and its bytes per packet
# (182 in and out: RTP + 10-byte tag; the plain leg's 172), show SRTP both ways.
legs_summary() { # legs_summary FILE
	jq -r '[.legs[]? | select(.kind == "rtp") | .counters as $c | "\(.side): rtp_in=\($c.rtp_in)"
		+ " B/pkt=\(if $c.rtp_in > 0 then ($c.bytes_in / $c.rtp_in | floor) else 0 end)"
		+ " rtp_out=\($c.rtp_out) B/pkt=\(if $c.rtp_out > 0 then ($c.bytes_out / $c.rtp_out | floor) else 0 end)"
		+ " auth_fail=\($c.auth_fail) replay=\($c.replay) malformed=\($c.malformed) dropped=\($c.dropped)"]
		| join("; ")' "$1" 2>/dev/null || cat "$1"
}

udp_rcvbuf_errors() { # [NS] the namespace's Udp RcvbufErrors (default the server's: rtpengine's sockets)
	# shellcheck disable=SC2016  # awk's own $fields
	ip netns exec "${1:-$TB_NS_G}" awk '$1 == "Udp:" && $2 ~ /^[0-9]/ { print $6; exit }' /proc/net/snmp
}

RAW=$OUT/calls-raw.tsv
printf 'round\tserver\tmix\tcalls\tsent\treceived\tloss_pct\trx_pps\tcpu_s\tpkts_per_cpu_s\tp50_us\tp99_us\tng_ops_per_s\tsrtp_tx\tsrtp_rx\tsrtp_auth_fail\tsrtp_fail\tudp_rcvbuf_drops\tclient_rcvbuf_drops\tsrtp_ref\tsrtp_ref_bad\n' >"$RAW"
PROF=$OUT/calls-profile.tsv
python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import perf_split; print(perf_split.ROW_HEADER)' \
	"$ROOT/tests/bench" >"$PROF" || die "perf_split.py"
MIXES=("many $CALLS_MANY 50 plain" "fast $CALLS_FAST 1000 plain"
	"sdes-many $CALLS_SDES_MANY 50 sdes" "sdes-fast $CALLS_SDES_FAST 1000 sdes")
RUN_N=0
# With ROUND "profile" the run is recorded with perf instead of counted: its
# split of the server's CPU goes to $PROF.
run() { # run ROUND SERVER MIX CALLS PPS plain|sdes
	local r=$1 srv=$2 mix=$3 n=$4 pps=$5 kind=$6 calls out setup del line base rcvbuf0=0 rcvbuf
	local crb0 port perf_pid=
	RUN_N=$((RUN_N + 1))
	calls=$TB_DIR/calls-$RUN_N.txt
	out=$TB_DIR/lg-$RUN_N.out
	# Fresh client ports per run: nothing of an earlier run's calls is reused.
	base=$((20000 + (RUN_N % 4) * 10000))
	setup=$(ngc setup "$n" "$TB_CLIENT_IP" "$base" "$calls" "$kind") || die "$srv $mix: call set-up failed"
	[ "$srv" = rtpengine ] && rcvbuf0=$(udp_rcvbuf_errors)
	crb0=$(udp_rcvbuf_errors "$TB_NS_C")
	if [ "$r" = profile ]; then
		perf record -q -g -p "$SERVER_PID" -o "$TB_DIR/perf-$srv-$mix.data" \
			-- sleep "$SECS" >"$TB_DIR/perf-$srv-$mix.log" 2>&1 &
		perf_pid=$!
	fi
	# pps 0: flat out on the kernel-free port
	if [ "$srv" = rtcgw_memif ]; then
		port=(--memif "$TB_MEMIF_SOCK" --window "$TB_MEMIF_RING" --srtp fast)
	else
		port=(--raw-tx "${TB}c0" --rate $((2 * n * pps)))
	fi
	if ! tb_c taskset -c 0 timeout $((SECS + 40)) "$LOADGEN" --mode rtp --server "$TB_GW_IP:0" \
		--bind "$TB_CLIENT_IP" --calls "$calls" --size 160 "${port[@]}" \
		--gw-mac "$TB_GW_MAC" --duration "$SECS" --drain 500 \
		--cpu-pid "$SERVER_PID" >"$out" 2>&1; then
		sed 's/^/#   /' "$out"
		die "$srv $mix: the generator failed"
	fi
	if [ -n "$perf_pid" ]; then
		wait "$perf_pid" || { cat "$TB_DIR/perf-$srv-$mix.log"; die "perf record"; }
		ngc delete "$n" >/dev/null || die "$srv $mix: deleting the calls failed"
		perf script -i "$TB_DIR/perf-$srv-$mix.data" -F comm,pid,tid,ip,sym,dso 2>/dev/null |
			python3 "$ROOT/tests/bench/perf_split.py" --row "$srv" "$mix" "$SERVER_PID" >>"$PROF" ||
			die "$srv $mix: no perf samples of the server"
		say "profile $srv $mix: $(tail -1 "$PROF")"
		return
	fi
	rcvbuf=0
	[ "$srv" = rtpengine ] && rcvbuf=$(($(udp_rcvbuf_errors) - rcvbuf0))
	rcvbuf="$rcvbuf $(($(udp_rcvbuf_errors "$TB_NS_C") - crb0))"
	if [ "$kind" = sdes ] && [ "$srv" != rtpengine ]; then
		tb_api "$TB_REST/v1/calls/bench-0" >"$TB_DIR/legs-$RUN_N.json"
		say "$srv bench-0 after the traffic: $(legs_summary "$TB_DIR/legs-$RUN_N.json")"
	fi
	del=$(ngc delete "$n") || die "$srv $mix: deleting the calls failed"
	line=$(grep '^sent=' "$out") || die "$srv $mix: no result line"
	awk -v r="$r" -v s="$srv" -v m="$mix" -v n="$n" -v su="$setup" -v de="$del" -v rb="$rcvbuf" '
		function kv(str, key,   a, i, f) { split(str, a, " ");
			for (i in a) { split(a[i], f, "="); if (f[1] == key) return f[2] } return 0 }
		{ for (i = 1; i <= NF; i++) { split($i, f, "="); v[f[1]] = f[2] }
		  ops = kv(su, "ops") + kv(de, "ops"); t = kv(su, "seconds") + kv(de, "seconds")
		  split(rb, b, " ")
		  printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%s\t%.0f\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", r, s, m, n,
			v["sent"], v["received"], v["loss_pct"], v["rx_pps"], v["cpu_s"],
			(v["cpu_s"] > 0 ? v["received"] / v["cpu_s"] : 0), v["p50_us"], v["p99_us"],
			(t > 0 ? ops / t : 0), v["srtp_tx"], v["srtp_rx"], v["srtp_auth_fail"],
			v["srtp_fail"], b[1], b[2], v["srtp_ref"], v["srtp_ref_bad"] }' <<<"$line" >>"$RAW"
	say "round $r $srv $mix ($n calls x $([ "$pps" = 0 ] && echo flat out || echo "$pps pps")): $(tail -1 "$RAW" | cut -f5-)"
	[ "$(tail -1 "$RAW" | cut -f16-17)" = "$(printf '0\t0')" ] ||
		say "WARNING: $srv $mix: SRTP packets the generator refused (srtp_auth_fail, srtp_fail above)"
	[ "$(tail -1 "$RAW" | cut -f21)" = 0 ] ||
		say "WARNING: $srv $mix: libsrtp2 disagreed with the generator's SRTP on sampled packets (srtp_ref_bad)"
}
MEMIF_MIXES=("memif-plain $CALLS_FAST 0 plain" "memif-sdes $CALLS_SDES_FAST 0 sdes")
round_for() {
	local r=$1 srv=$2 m mixes=("${MIXES[@]}")
	[ "$srv" = rtcgw_memif ] && mixes=("${MEMIF_MIXES[@]}")
	"start_$srv"
	for m in "${mixes[@]}"; do
		# shellcheck disable=SC2086
		run "$r" "$srv" $m
	done
	"stop_$srv"
}

say "side by side: $ROUNDS round(s), $SECS s per run, rtcgw on $PMD vs rtpengine (userspace)"
for ((r = 1; r <= ROUNDS; r++)); do
	if ((r % 2)); then round_for "$r" rtcgw; round_for "$r" rtpengine
	else round_for "$r" rtpengine; round_for "$r" rtcgw; fi
	[ -n "$MEMIF" ] && round_for "$r" rtcgw_memif
done

# ---- where the server's CPU goes (perf, not counted above) ------------------
profile_for() {
	local srv=$1 m
	"start_$srv"
	for m in "${MIXES[@]}"; do
		case $m in fast\ *|sdes-fast\ *)
			# shellcheck disable=SC2086
			run profile "$srv" $m ;;
		esac
	done
	"stop_$srv"
}
if [ -n "$PROFILE" ]; then
	say "profile: one more run of the fast mixes per server under perf record"
	profile_for rtcgw
	profile_for rtpengine
fi

MD=$OUT/calls.md
python3 - "$RAW" "$MD" "$ROUNDS" "$SECS" "$PMD" "$(rtpengine --version 2>&1 | head -1)" "$PROF" \
	"$ROOT/tests/bench" <<'EOF' || die "report"
import csv, statistics, sys, os, platform, datetime
raw, md, rounds, secs, pmd, rver, prof, here = sys.argv[1:]
sys.path.insert(0, here)
import perf_split
rows = list(csv.DictReader(open(raw), delimiter='\t'))
profs = list(csv.DictReader(open(prof), delimiter='\t'))
def med(srv, mix, key):
    v = [float(r[key]) for r in rows if (r['server'], r['mix']) == (srv, mix)]
    return statistics.median(v) if v else float('nan')
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '')
out = [f"rtcgw calls vs rtpengine ({rver}, userspace, --table=-1), "
       f"{datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs ({cpu}), kernel "
       f"{platform.release()}; rtcgw on net_{pmd}, busy_poll off; {rounds} round(s) x {secs} s, medians. "
       "Server on CPU 1, generator on CPU 0. RTP both ways, 172-byte packets; "
       "many = x 50 pps, fast = x 1000 pps per direction, plain RTP on both sides; "
       "sdes-many, sdes-fast: the same rates, party A SDES-SRTP (RTP/SAVP, AES_CM_128_HMAC_SHA1_80, "
       "182-byte packets) bridged to party B's plain RTP/AVP (the server decrypts A's half and "
       "encrypts B's).\n",
       "| mix | server | calls | pkts forwarded / server CPU-s | throughput (pps) | loss % | p50 us | p99 us | server CPU % | ng offer+answer+delete / s | ratio rtcgw/rtpengine (pkts per CPU-s) |",
       "|---|---|---|---|---|---|---|---|---|---|---|"]
mixes = [m for m in ('many', 'fast', 'sdes-many', 'sdes-fast') if any(x['mix'] == m for x in rows)]
memif = [(m, peer) for m, peer in (('memif-plain', 'fast'), ('memif-sdes', 'sdes-fast'))
         if any(x['mix'] == m for x in rows)]
for mix in mixes:
    r = med('rtcgw', mix, 'pkts_per_cpu_s')
    e = med('rtpengine', mix, 'pkts_per_cpu_s')
    for srv in ('rtcgw', 'rtpengine'):
        calls = next((x['calls'] for x in rows if (x['server'], x['mix']) == (srv, mix)), '?')
        ratio = f"**{r / e:.2f}x**" if srv == 'rtcgw' and e > 0 else ''
        out.append(f"| {mix} | {srv} | {calls} | {med(srv, mix, 'pkts_per_cpu_s'):,.0f} | "
                   f"{med(srv, mix, 'rx_pps'):,.0f} | {med(srv, mix, 'loss_pct'):.2f} | "
                   f"{med(srv, mix, 'p50_us'):.0f} | {med(srv, mix, 'p99_us'):.0f} | "
                   f"{100 * med(srv, mix, 'cpu_s') / float(secs):.0f} | {med(srv, mix, 'ng_ops_per_s'):,.0f} | {ratio} |")
if memif:
    pw = {p['case']: perf_split.without_recv_stack(med('rtpengine', p['case'], 'pkts_per_cpu_s'),
                                                   float(p['recv_stack']))
          for p in profs if p['server'] == 'rtpengine'}
    pw = {k: v for k, v in pw.items() if v == v}    # nan: no estimate
    out.append("")
    out.append("rtcgw's dataplane and control plane with the same configuration, the port on net_memif: a "
               "kernel-free link whose other end is the generator as a DPDK process (rtcgw_loadgen --memif), "
               "flat out as a closed loop of at most 4096 packets unanswered (the link's rings), in the same "
               "rounds. No kernel is on this path: the dataplane's CPU is its own code and the port's copy, "
               "what the same code costs behind a NIC. Against rtpengine's figures above at the same number "
               "of calls (fast, sdes-fast), measured, and without the "
               "receiving namespace's stack the veth charges to its sends (the profile's estimate, when it ran).")
    out.append("")
    out.append("| mix | calls | pkts forwarded / dataplane CPU-s | throughput (pps) | loss % | p50 us | p99 us | "
               "dataplane CPU % | ratio to rtpengine (measured) | ratio to rtpengine without the recv stack |")
    out.append("|---|---|---|---|---|---|---|---|---|---|")
    for mix, peer in memif:
        m = med('rtcgw_memif', mix, 'pkts_per_cpu_s')
        e = med('rtpengine', peer, 'pkts_per_cpu_s')
        calls = next((x['calls'] for x in rows if x['mix'] == mix), '?')
        out.append(f"| {mix} | {calls} | {m:,.0f} | {med('rtcgw_memif', mix, 'rx_pps'):,.0f} | "
                   f"{med('rtcgw_memif', mix, 'loss_pct'):.2f} | {med('rtcgw_memif', mix, 'p50_us'):.0f} | "
                   f"{med('rtcgw_memif', mix, 'p99_us'):.0f} | "
                   f"{100 * med('rtcgw_memif', mix, 'cpu_s') / float(secs):.0f} | "
                   + (f"**{m / e:.1f}x** ({peer})" if e == e and e > 0 else "-") + " | "
                   + (f"**{m / pw[peer]:.1f}x**" if peer in pw else "(no profile)") + " |")
    if any(med('rtcgw_memif', mix, 'cpu_s') < 0.95 * float(secs) for mix, _ in memif):
        out.append("")
        out.append("Where the dataplane's CPU is under 100%, the generator set the pace (in memif-sdes its "
                   "SRTP protect and unprotect per packet) and the worker slept between bursts: that "
                   "figure is a floor for the dataplane, not its ceiling.")
out.append("")
out.append("Packets = RTP packets received back by the generator (both directions of every call). "
           "ng: one request at a time from one client, offer + answer per call and a delete each.")
srt = [x for x in rows if 'sdes' in x['mix']]
if srt:
    def tot(srv, key):
        return sum(int(x[key]) for x in srt if x['server'] == srv)
    out.append("")
    out.append("The sdes mixes (memif-sdes for rtcgw_memif), summed over the rounds: " + "; ".join(
        f"{srv}: party A protected {tot(srv, 'srtp_tx'):,} packets "
        f"({'lg_srtp' if srv == 'rtcgw_memif' else 'libsrtp2'}), "
        f"{tot(srv, 'srtp_rx'):,} of the server's SRTP packets authenticated and decrypted "
        f"({'lg_srtp_unprotect' if srv == 'rtcgw_memif' else 'srtp_unprotect'} OK), "
        f"{tot(srv, 'srtp_auth_fail')} authentication failures, "
        f"{tot(srv, 'srtp_fail')} other unprotect errors"
        for srv in ('rtcgw', 'rtpengine', 'rtcgw_memif') if any(x['server'] == srv for x in srt))
        + ". Only authenticated packets count as received.")
    if any(x['server'] == 'rtcgw_memif' for x in srt):
        out.append("")
        out.append("memif-sdes: party A's SRTP is the generator's own (tests/bench/lg_srtp.c, rtcgw_loadgen "
                   "--srtp fast): Debian's libsrtp2 (on NSS, about 1.7 us per packet) cannot keep the "
                   "dataplane busy from one core, and dp_srtp, the code under test, must not check itself. "
                   "libsrtp2 checked one packet in 64 each way: "
                   f"{tot('rtcgw_memif', 'srtp_ref'):,} agreed (protection byte for byte the same, the "
                   f"server's SRTP authenticated), {tot('rtcgw_memif', 'srtp_ref_bad')} disagreed.")
rb = {m: med('rtpengine', m, 'udp_rcvbuf_drops') for m in mixes}
out.append("")
out.append("rtpengine's losses: UDP datagrams the kernel dropped on its sockets' full receive buffers "
           "(Udp RcvbufErrors in its namespace), median per run: " +
           ", ".join(f"{m} {rb[m]:,.0f}" for m in mixes) + ". The generator's (Udp RcvbufErrors in the "
           "client's namespace), median per run: " + "; ".join(
               f"{m} rtcgw {med('rtcgw', m, 'client_rcvbuf_drops'):,.0f}, rtpengine "
               f"{med('rtpengine', m, 'client_rcvbuf_drops'):,.0f}" for m in mixes) + ".")
if profs:
    out.append("")
    out.append("Where each server's CPU went in the fast mixes (`perf record -g -p SERVER`, one more run per "
               "server and mix after the rounds, not counted above; tests/bench/perf_split.py): its own code and "
               "libraries (user), its send syscalls (for rtcgw the AF_XDP copy-mode kick), the receiving "
               "namespace's network stack that the veth runs inside those sends (recv stack), its receive and "
               "poll syscalls, sleeping, the rest of the kernel; percent of the server's samples.")
    out.append("")
    out += perf_split.table([dict(p, measured=med(p['server'], p['case'], 'pkts_per_cpu_s'))
                             for p in profs], 'rtpengine')
open(md, 'w').write("\n".join(out) + "\n")
EOF
cat "$MD"
say "written: $MD, $RAW; $((SECONDS - T_START)) s"
tb_done >/dev/null
