#!/usr/bin/env bash
# Benchmark (not a test): relayed ChannelData packets per CPU-second, rtcgw's
# dataplane vs Debian's coturn (turnserver), the same turnutils_uclient load
# on the same veth topology (tests/integration/test_turn.sh's), run
# alternately ROUNDS times. The server runs on CPU 1, uclient and
# turnutils_peer on CPU 0. CPU time is the server process's utime + stime
# from /proc; packets = 2 x messages echoed (client->peer and peer->client).
#
#   flock /tmp/rtcgw-dpdk.lock bash tests/bench/bench_turn_vs_coturn.sh [clients] [msgs] [rounds] [interval_ms]
#
# rtcgw runs with busy_poll off (idle back-off), as the default config does.
. "$(dirname "$0")/../integration/lib.sh"

CLIENTS=${1:-20}
MSGS=${2:-1000}
ROUNDS=${3:-2}
INTERVAL=${4:-5}
PEER_IP=198.18.5.2

tb_init rtt 4 18085
TB_CONF_TURN="  enabled: true
  realm: rtcgw.test
  relay_port_min: 50000
  relay_port_max: 50999
  max_allocations: 10000
  users:
    - {username: alice, password: alice-pass-1}"
tb_net_up
tb_peer_net_up 5
tb_config
ip netns exec "$TB_NS_P" taskset -c 0 turnutils_peer -L "$PEER_IP" -p 3480 >/dev/null 2>&1 &
TB_PIDS+=("$!")

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# load PID NAME: run the uclient load, print "packets cpu_seconds"
load() {
	local pid=$1 name=$2 t0 t1 msgs
	t0=$(cpu_ticks "$pid")
	tb_c taskset -c 0 timeout 300 turnutils_uclient -c -u alice -w alice-pass-1 -e "$PEER_IP" \
		-n "$MSGS" -m "$CLIENTS" -l 160 -z "$INTERVAL" "$TB_GW_IP" >"$TB_DIR/uc-$name.out" 2>&1
	t1=$(cpu_ticks "$pid")
	msgs=$(grep -Eo 'tot_recv_msgs=[0-9]+' "$TB_DIR/uc-$name.out" | tail -1 | cut -d= -f2)
	echo "$((2 * ${msgs:-0})) $(echo "scale=3; ($t1 - $t0) / $(getconf CLK_TCK)" | bc)"
}

report() {
	local who=$1 pk=$2 cpu=$3
	printf '%-7s %8d packets relayed, %7.2f CPU-s, %10.0f packets per CPU-second\n' \
		"$who" "$pk" "$cpu" "$(echo "if ($cpu > 0) $pk / $cpu else 0" | bc -l)"
}

for ((r = 1; r <= ROUNDS; r++)); do
	# rtcgw
	tb_start_dp || exit 1
	tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent
	read -r pk cpu < <(load "$TB_DP_PID" "rtcgw-$r")
	report rtcgw "$pk" "$cpu"
	tb_stop_pid "$TB_DP_PID"
	tb_c ip neigh del "$TB_GW_IP" dev "${TB}c0" 2>/dev/null
	# coturn: the kernel owns the gateway's veth for the run
	tb_g ip addr add "$TB_GW_IP/24" dev "${TB}g0"
	tb_g ip route add 198.18.5.0/24 via "$TB_CLIENT_IP"
	ip netns exec "$TB_NS_G" taskset -c 1 turnserver -n --listening-ip="$TB_GW_IP" \
		--relay-ip="$TB_GW_IP" --listening-port=3478 --min-port=50000 --max-port=50999 \
		--lt-cred-mech --user=alice:alice-pass-1 --realm=rtcgw.test --no-tls --no-dtls \
		--no-cli --relay-threads=1 --log-file=stdout >"$TB_DIR/coturn-$r.log" 2>&1 &
	CT_PID=$!
	TB_PIDS+=("$CT_PID")
	sleep 1
	read -r pk cpu < <(load "$CT_PID" "coturn-$r")
	report coturn "$pk" "$cpu"
	tb_stop_pid "$CT_PID"
	tb_g ip addr flush dev "${TB}g0"
done
ip netns del "$TB_NS_P" 2>/dev/null
