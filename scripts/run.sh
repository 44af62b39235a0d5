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
#   scripts/run.sh --stop               stop the gateway (detached or foreground)
#
# The supervisor restarts a process that exits unexpectedly (at most 5 times
# a minute), never while it is stopping. Ctrl-C, SIGINT, SIGTERM or SIGHUP to
# the supervisor and --stop all stop the control plane, then the dataplane,
# each waited for (RTCGW_STOP_TIMEOUT s, default 10, then SIGKILL), remove the
# hugepage files, the DPDK runtime dir and the TAP, and only then say "stopped".
# RTCGW_RUN_DIR (default /run/rtcgw) holds the pid files and logs.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${RTCGW_BUILD:-$ROOT/build}
CONF=$ROOT/gateway-conf/rtcgw.yaml
RUN_DIR=${RTCGW_RUN_DIR:-/run/rtcgw}
STOP_TIMEOUT=${RTCGW_STOP_TIMEOUT:-10}
MODE=foreground
# shellcheck source=scripts/rtcgw-host.sh
. "$ROOT/scripts/rtcgw-host.sh"

while [ $# -gt 0 ]; do
	case $1 in
	-c|--config) CONF=$(readlink -f "$2"); shift 2 ;;
	--detach) MODE=detach; shift ;;
	--stop) MODE=stop; shift ;;
	--supervise) MODE=supervise; shift ;;
	-h|--help) sed -n '2,18p' "$0"; exit 0 ;;
	*) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done

say() { printf 'rtcgw: %s\n' "$*"; }
conf_get() { rtcgw_conf_get "$1" "$CONF"; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# Stop one process by pid: SIGTERM, wait up to STOP_TIMEOUT s, then SIGKILL
# with a message. $1 = name, $2 = pid.
stop_proc() {
	local name=$1 pid=$2 i
	alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
		alive "$pid" || { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.1
	done
	say "$name (pid $pid) did not stop within $STOP_TIMEOUT s; sending SIGKILL"
	kill -KILL "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		alive "$pid" || break
		sleep 0.1
	done
	wait "$pid" 2>/dev/null
	return 0
}

# Both processes are gone: remove what they may have left and say whether
# anything is still there.
clean_host() {
	local left
	rtcgw_cleanup "$CONF"
	rm -f "$RUN_DIR/dataplane.pid" "$RUN_DIR/controlplane.pid" "$RUN_DIR/turnfront.pid" \
		"$RUN_DIR/config.path"
	left=$(rtcgw_leftovers "$CONF")
	if [ -n "$left" ]; then
		say "left behind:"
		printf '  %s\n' "$left"
		return 1
	fi
	return 0
}

# --stop: stop the supervisor (foreground or detached) and wait until it has
# stopped both processes; if it is gone or does not stop, stop the processes
# from their pid files and clean up here.
stop_gateway() {
	local pid i bound=$((STOP_TIMEOUT * 2 + 10))
	pid=$(cat "$RUN_DIR/supervisor.pid" 2>/dev/null)
	# The config the running gateway was started with, for the clean-up.
	[ -r "$RUN_DIR/config.path" ] && CONF=$(cat "$RUN_DIR/config.path")
	if alive "$pid"; then
		kill -TERM "$pid"
		for ((i = 0; i < bound * 10; i++)); do
			alive "$pid" || break
			sleep 0.1
		done
		if alive "$pid"; then
			say "supervisor (pid $pid) did not stop within $bound s; sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null
		fi
	elif [ -n "$pid" ]; then
		say "supervisor $pid is gone (stale pid file)"
	elif [ ! -f "$RUN_DIR/dataplane.pid" ] && [ ! -f "$RUN_DIR/controlplane.pid" ]; then
		say "not running"
		return 0
	fi
	rm -f "$RUN_DIR/supervisor.pid"
	stop_proc "TCP/TLS front" "$(cat "$RUN_DIR/turnfront.pid" 2>/dev/null)"
	stop_proc "control plane" "$(cat "$RUN_DIR/controlplane.pid" 2>/dev/null)"
	stop_proc "dataplane" "$(cat "$RUN_DIR/dataplane.pid" 2>/dev/null)"
	clean_host || return 1
	say "stopped"
}

if [ "$MODE" = stop ]; then
	stop_gateway
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
TAP=$(rtcgw_conf_tap "$CONF")
GW_ADDR=$(conf_get address)
HOST_IP=$(conf_get gateway)

healthz() { curl -sf -m 2 "http://$REST/healthz" >/dev/null; }

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

# The supervisor. It runs in run.sh itself (foreground) or in a process of
# its own session (--detach). The two processes run in sessions of their
# own: a Ctrl-C in the terminal (SIGINT to the terminal's process group)
# reaches the supervisor only, which then stops them in order. Otherwise the
# processes would see the signal too, end in any order, and a supervisor
# still in its watch loop would restart them.
# $1 = foreground | detached.
supervise() {
	local dp_pid='' cp_pid='' tf_pid='' tf_off=0 stopping=0 starts=() now i tick
	mkdir -p "$RUN_DIR"
	echo $$ > "$RUN_DIR/supervisor.pid"
	echo "$CONF" > "$RUN_DIR/config.path"
	trap 'stopping=1' INT TERM HUP
	if ! rtcgw_prepare "$CONF"; then
		say "cannot prepare hugepages in $HUGE_DIR"
		rm -f "$RUN_DIR/supervisor.pid"
		return 1
	fi

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
		setsid "$BUILD/dataplane/rtcgw-dataplane" -c "$CONF" >>"$RUN_DIR/dataplane.log" 2>&1 </dev/null &
		dp_pid=$!
		echo "$dp_pid" > "$RUN_DIR/dataplane.pid"
		if [ -n "$TAP" ]; then
			for ((i = 0; i < 300 && stopping == 0; i++)); do
				ip link show "$TAP" >/dev/null 2>&1 && break
				alive "$dp_pid" || return
				sleep 0.1
			done
			ip addr replace "$HOST_IP/${GW_ADDR#*/}" dev "$TAP" 2>/dev/null
			ip link set "$TAP" up 2>/dev/null
		fi
	}
	start_cp() {
		too_many cp && { say "control plane keeps failing; see $RUN_DIR/controlplane.log"; stopping=1; return; }
		setsid "$BUILD/controlplane/rtcgw-controlplane" -c "$CONF" >>"$RUN_DIR/controlplane.log" 2>&1 </dev/null &
		cp_pid=$!
		echo "$cp_pid" > "$RUN_DIR/controlplane.pid"
	}

	# TURN over TCP/TLS: exits 2 at once when the config does not enable it
	start_tf() {
		too_many tf && { say "TCP/TLS front keeps failing; see $RUN_DIR/turnfront.log"; tf_off=1; return; }
		setsid "$BUILD/turnfront/rtcgw-turnfront" -c "$CONF" >>"$RUN_DIR/turnfront.log" 2>&1 </dev/null &
		tf_pid=$!
		echo "$tf_pid" > "$RUN_DIR/turnfront.pid"
	}

	start_dp
	[ "$stopping" -eq 0 ] && start_cp
	[ "$stopping" -eq 0 ] && start_tf
	if [ "$1" = foreground ] && [ "$stopping" -eq 0 ]; then
		for ((i = 0; i < 600 && stopping == 0; i++)); do
			healthz && break
			sleep 0.1
		done
		if [ "$stopping" -eq 0 ]; then
			if healthz; then
				banner
				say "Ctrl-C stops the gateway"
			else
				say "not healthy yet; logs in $RUN_DIR"
			fi
		fi
	fi
	while [ "$stopping" -eq 0 ]; do
		# A trapped signal ends the wait at once (a plain sleep would not).
		sleep 1 &
		tick=$!
		wait "$tick" 2>/dev/null
		kill "$tick" 2>/dev/null
		wait "$tick" 2>/dev/null
		[ "$stopping" -eq 0 ] || break
		if ! alive "$dp_pid"; then
			wait "$dp_pid" 2>/dev/null
			say "dataplane exited (status $?); restarting"
			start_dp
		fi
		[ "$stopping" -eq 0 ] || break
		if ! alive "$cp_pid"; then
			wait "$cp_pid" 2>/dev/null
			say "control plane exited (status $?); restarting"
			start_cp
		fi
		if [ "$tf_off" -eq 0 ] && ! alive "$tf_pid"; then
			wait "$tf_pid" 2>/dev/null
			i=$?
			if [ "$i" -eq 2 ]; then
				tf_off=1      # turn.tcp not enabled
			else
				say "TCP/TLS front exited (status $i); restarting"
				start_tf
			fi
		fi
	done
	# Further signals change nothing now: the stop below runs to its end.
	trap '' INT TERM HUP
	say "stopping"
	# The control plane first (a DPDK secondary detaches from the primary's
	# memory), then the dataplane (the primary removes its files on exit).
	[ "$tf_off" -eq 1 ] || stop_proc "TCP/TLS front" "$tf_pid"
	stop_proc "control plane" "$cp_pid"
	stop_proc "dataplane" "$dp_pid"
	clean_host
	rm -f "$RUN_DIR/supervisor.pid"
	say "stopped"
}

case $MODE in
supervise)
	supervise detached
	;;
detach|foreground)
	if alive "$(cat "$RUN_DIR/supervisor.pid" 2>/dev/null)"; then
		say "already running (supervisor $(cat "$RUN_DIR/supervisor.pid")); scripts/run.sh --stop first"
		exit 1
	fi
	if [ "$MODE" = foreground ]; then
		supervise foreground
		exit $?
	fi
	mkdir -p "$RUN_DIR"
	setsid "$0" -c "$CONF" --supervise >>"$RUN_DIR/supervisor.log" 2>&1 < /dev/null &
	for ((i = 0; i < 600; i++)); do
		healthz && { banner; say "detached; stop with: scripts/run.sh --stop"; exit 0; }
		sleep 0.1
	done
	say "not healthy after 60 s; logs in $RUN_DIR"
	tail -20 "$RUN_DIR/dataplane.log" "$RUN_DIR/controlplane.log" 2>/dev/null
	stop_gateway
	exit 1
	;;
esac
