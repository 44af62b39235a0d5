#!/usr/bin/env bash
# Run the gateway on its default config (a net_tap vdev: no NIC needed).
# On a fresh Debian 12 machine, as root: installs what is missing, builds,
# reserves hugepages, mounts hugetlbfs, starts rtcgw-dataplane and
# rtcgw-controlplane under a small supervisor, gives the host side of the TAP
# interface the address the config names as the port's gateway, and prints
# where everything is.
#
#   scripts/run.sh [-c FILE]            foreground; Ctrl-C stops both cleanly
#   scripts/run.sh [-c FILE] --detach   return once /healthz is green
#   scripts/run.sh --stop               stop a detached gateway
#
# The supervisor restarts a process that exits unexpectedly (at most 5 times
# a minute). The control plane re-attaches by itself when the dataplane
# restarts; the supervisor is only its safety net.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${RTCGW_BUILD:-$ROOT/build}
CONF=$ROOT/gateway-conf/rtcgw.yaml
RUN_DIR=/run/rtcgw
MODE=foreground

while [ $# -gt 0 ]; do
	case $1 in
	-c|--config) CONF=$(readlink -f "$2"); shift 2 ;;
	--detach) MODE=detach; shift ;;
	--stop) MODE=stop; shift ;;
	--supervise) MODE=supervise; shift ;;
	-h|--help) sed -n '2,17p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

say() { printf 'rtcgw: %s\n' "$*"; }

# A few values of the config the host side needs (the config is strict YAML
# with one key per line; the processes themselves parse it properly).
conf_get() { sed -nE "s/^[[:space:]-]*$1:[[:space:]]*([^#[:space:]]+).*/\1/p" "$CONF" | head -1; }

stop_detached() {
	local pid i
	pid=$(cat "$RUN_DIR/supervisor.pid" 2>/dev/null) || { say "not running"; return 0; }
	if ! kill -0 "$pid" 2>/dev/null; then
		say "not running (stale pid file)"
		rm -f "$RUN_DIR/supervisor.pid"
		return 0
	fi
	kill -TERM "$pid"
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || { say "stopped"; return 0; }
		sleep 0.1
	done
	say "supervisor $pid did not stop within 20 s"
	return 1
}

if [ "$MODE" = stop ]; then
	stop_detached
	exit $?
fi

if [ "$MODE" != supervise ]; then
	"$ROOT/scripts/setup.sh" || exit 1
	"$BUILD/dataplane/rtcgw-dataplane" -c "$CONF" --check-config || exit 2
fi

HUGE_DIR=$(conf_get hugepage_dir)
PREFIX=$(conf_get file_prefix)
REST=$(conf_get listen)
TOKEN=$(sed -nE '/tokens:/,/^[^ ]/ s/^[[:space:]]*-[[:space:]]*([^#[:space:]]+).*/\1/p' "$CONF" | head -1)
DEVICE=$(conf_get device)
TAP=$(printf '%s' "$DEVICE" | sed -nE 's/^net_tap[0-9]*,.*iface=([^,]+).*/\1/p')
GW_ADDR=$(conf_get address)
HOST_IP=$(conf_get gateway)

mount_huge() {
	mkdir -p "$HUGE_DIR"
	mountpoint -q "$HUGE_DIR" || mount -t hugetlbfs -o pagesize=2M nodev "$HUGE_DIR"
}

healthz() { curl -sf -m 2 "http://$REST/healthz" >/dev/null; }

supervise() {
	local dp_pid= cp_pid= stopping=0 starts=() now
	mkdir -p "$RUN_DIR"
	echo $$ > "$RUN_DIR/supervisor.pid"
	mount_huge
	trap 'stopping=1' INT TERM

	too_many() {   # more than 5 starts of $1 in the last 60 s?
		now=$(date +%s)
		starts+=("$1:$now")
		local n=0 s
		for s in "${starts[@]}"; do
			[ "${s%%:*}" = "$1" ] && [ $((now - ${s#*:})) -lt 60 ] && n=$((n + 1))
		done
		[ "$n" -gt 5 ]
	}
	start_dp() {
		too_many dp && { say "dataplane keeps failing; see $RUN_DIR/dataplane.log"; stopping=1; return; }
		"$BUILD/dataplane/rtcgw-dataplane" -c "$CONF" >>"$RUN_DIR/dataplane.log" 2>&1 &
		dp_pid=$!
		echo "$dp_pid" > "$RUN_DIR/dataplane.pid"
		if [ -n "$TAP" ]; then
			local i
			for ((i = 0; i < 300; i++)); do
				ip link show "$TAP" >/dev/null 2>&1 && break
				kill -0 "$dp_pid" 2>/dev/null || return
				sleep 0.1
			done
			ip addr replace "$HOST_IP/${GW_ADDR#*/}" dev "$TAP" 2>/dev/null
			ip link set "$TAP" up 2>/dev/null
		fi
	}
	start_cp() {
		too_many cp && { say "control plane keeps failing; see $RUN_DIR/controlplane.log"; stopping=1; return; }
		"$BUILD/controlplane/rtcgw-controlplane" -c "$CONF" >>"$RUN_DIR/controlplane.log" 2>&1 &
		cp_pid=$!
		echo "$cp_pid" > "$RUN_DIR/controlplane.pid"
	}

	start_dp
	start_cp
	while [ "$stopping" -eq 0 ]; do
		sleep 1
		[ "$stopping" -eq 0 ] || break
		if ! kill -0 "$dp_pid" 2>/dev/null; then
			say "dataplane exited; restarting"
			wait "$dp_pid" 2>/dev/null
			start_dp
		fi
		if ! kill -0 "$cp_pid" 2>/dev/null; then
			say "control plane exited; restarting"
			wait "$cp_pid" 2>/dev/null
			start_cp
		fi
	done
	# The dataplane first (it waits for the control plane to detach), then
	# the control plane.
	kill -TERM "$dp_pid" 2>/dev/null
	wait "$dp_pid" 2>/dev/null
	kill -TERM "$cp_pid" 2>/dev/null
	wait "$cp_pid" 2>/dev/null
	rm -f "$RUN_DIR"/*.pid
	say "stopped"
}

banner() {
	cat <<EOB

rtcgw is running.
  dataplane      $DEVICE, address $GW_ADDR (file prefix $PREFIX, hugepages in $HUGE_DIR)
  host side      ${TAP:-<not a tap>} $HOST_IP/${GW_ADDR#*/}    try: ping ${GW_ADDR%/*}
  REST           http://$REST   (bearer token: $TOKEN)
                 curl http://$REST/healthz
                 curl http://$REST/metrics
                 curl -H 'Authorization: Bearer $TOKEN' http://$REST/v1/stats
  STUN           udp ${GW_ADDR%/*}:$(conf_get port)   try: stun ${GW_ADDR%/*} (Debian stun-client)
  logs           $RUN_DIR/dataplane.log $RUN_DIR/controlplane.log
  config         $CONF
EOB
}

case $MODE in
supervise)
	supervise
	;;
detach)
	if [ -f "$RUN_DIR/supervisor.pid" ] && kill -0 "$(cat "$RUN_DIR/supervisor.pid")" 2>/dev/null; then
		say "already running (supervisor $(cat "$RUN_DIR/supervisor.pid")); scripts/run.sh --stop first"
		exit 1
	fi
	mkdir -p "$RUN_DIR"
	setsid "$0" -c "$CONF" --supervise >>"$RUN_DIR/supervisor.log" 2>&1 < /dev/null &
	for ((i = 0; i < 600; i++)); do
		healthz && { banner; say "detached; stop with: scripts/run.sh --stop"; exit 0; }
		sleep 0.1
	done
	say "not healthy after 60 s; logs in $RUN_DIR"
	tail -20 "$RUN_DIR/dataplane.log" "$RUN_DIR/controlplane.log" 2>/dev/null
	stop_detached
	exit 1
	;;
foreground)
	if [ -f "$RUN_DIR/supervisor.pid" ] && kill -0 "$(cat "$RUN_DIR/supervisor.pid")" 2>/dev/null; then
		say "already running detached; scripts/run.sh --stop first"
		exit 1
	fi
	supervise &
	sup=$!
	trap 'kill -TERM $sup 2>/dev/null' INT TERM
	for ((i = 0; i < 600; i++)); do
		healthz && break
		kill -0 "$sup" 2>/dev/null || break
		sleep 0.1
	done
	if healthz; then
		banner
		say "Ctrl-C stops the gateway"
	else
		say "not healthy yet; logs in $RUN_DIR"
	fi
	wait "$sup"
	wait "$sup" 2>/dev/null
	;;
esac
