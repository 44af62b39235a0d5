#!/usr/bin/env bash
# What the dataplane needs from the host, for one config file, before it
# starts and after it stopped. Used by scripts/run.sh (sourced) and by the
# systemd units (installed as /usr/lib/rtcgw/rtcgw-host).
#
#   rtcgw-host prepare [-c FILE]   reserve 2 MiB hugepages for dataplane.memory_mb
#                                  (only ever raises vm.nr_hugepages), mount hugetlbfs
#                                  on dataplane.hugepage_dir, remove what a killed
#                                  dataplane of this file_prefix left behind
#   rtcgw-host cleanup [-c FILE]   once the processes have stopped: remove this
#                                  file_prefix's hugepage files, /var/run/dpdk/<prefix>
#                                  and the TAP interface the config names
#   rtcgw-host get KEY [-c FILE]   print one config value (first "KEY:" line)
#
# FILE defaults to $RTCGW_CONF, else /etc/rtcgw/rtcgw.yaml. Nothing is removed
# while a process still maps the prefix's DPDK runtime files.
set -uo pipefail

RTCGW_DPDK_RUN=${RTCGW_DPDK_RUN:-/var/run/dpdk}

# A few values of the config the host side needs (the config is strict YAML
# with one key per line; the processes themselves parse it properly).
rtcgw_conf_get() {   # KEY FILE
	sed -nE "s/^[[:space:]-]*$1:[[:space:]]*([^#[:space:]]+).*/\1/p" "$2" | head -1
}

# The TAP interface a net_tap port of the config creates (empty: none).
rtcgw_conf_tap() {   # FILE
	rtcgw_conf_get device "$1" | sed -nE 's/^net_tap[0-9]*,.*iface=([^,]+).*/\1/p'
}

# Pids of processes that map this prefix's DPDK runtime files (a running
# dataplane or an attached control plane).
rtcgw_users() {   # PREFIX
	local dir
	dir=$(readlink -f "$RTCGW_DPDK_RUN/$1")   # /var/run is /run: maps show the real path
	grep -lsF "$dir/" /proc/[0-9]*/maps 2>/dev/null | sed -E 's#/proc/([0-9]+)/maps#\1#'
}

# What is left of this config's dataplane on the host, one item a line
# (empty: nothing).
rtcgw_leftovers() {   # FILE
	local huge prefix tap f
	huge=$(rtcgw_conf_get hugepage_dir "$1")
	prefix=$(rtcgw_conf_get file_prefix "$1")
	tap=$(rtcgw_conf_tap "$1")
	for f in "$huge/${prefix}map_"*; do
		[ -e "$f" ] && echo "hugepage file $f"
	done
	[ -e "$RTCGW_DPDK_RUN/$prefix" ] && echo "runtime dir $RTCGW_DPDK_RUN/$prefix"
	[ -n "$tap" ] && ip link show "$tap" >/dev/null 2>&1 && echo "interface $tap"
	return 0
}

rtcgw_cleanup() {   # FILE
	local huge prefix tap users
	huge=$(rtcgw_conf_get hugepage_dir "$1")
	prefix=$(rtcgw_conf_get file_prefix "$1")
	tap=$(rtcgw_conf_tap "$1")
	if [ -z "$prefix" ] || [ -z "$huge" ]; then
		echo "rtcgw-host: no file_prefix/hugepage_dir in $1" >&2
		return 1
	fi
	users=$(rtcgw_users "$prefix" | tr '\n' ' ')
	if [ -n "$users" ]; then
		echo "rtcgw-host: file prefix $prefix still in use by pid(s) ${users% }; not cleaning up" >&2
		return 1
	fi
	rm -f "$huge/${prefix}map_"*
	rm -rf "${RTCGW_DPDK_RUN:?}/$prefix"
	if [ -n "$tap" ] && ip link show "$tap" >/dev/null 2>&1; then
		ip link del "$tap" 2>/dev/null
	fi
	return 0
}

rtcgw_prepare() {   # FILE
	local huge mb need free total
	huge=$(rtcgw_conf_get hugepage_dir "$1")
	mb=$(rtcgw_conf_get memory_mb "$1")
	mb=${mb:-512}
	[ -n "$huge" ] || { echo "rtcgw-host: no dataplane.hugepage_dir in $1" >&2; return 1; }
	rtcgw_cleanup "$1" || return 1
	need=$(((mb + 1) / 2))
	free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
	if [ "${free:-0}" -lt "$need" ]; then
		total=$(cat /proc/sys/vm/nr_hugepages)
		echo $((total + need - free)) > /proc/sys/vm/nr_hugepages
		free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
		if [ "${free:-0}" -lt "$need" ]; then
			echo "rtcgw-host: only $free free 2 MiB hugepages, dataplane.memory_mb $mb needs $need" >&2
			return 1
		fi
	fi
	mkdir -p "$huge"
	if ! mountpoint -q "$huge"; then
		mount -t hugetlbfs -o pagesize=2M nodev "$huge" || return 1
	fi
	return 0
}

rtcgw_host_main() {
	local cmd=${1:-} key='' conf=${RTCGW_CONF:-/etc/rtcgw/rtcgw.yaml}
	shift || true
	if [ "$cmd" = get ]; then
		key=${1:-}
		shift || true
	fi
	while [ $# -gt 0 ]; do
		case $1 in
		-c|--config) conf=$2; shift 2 ;;
		*) echo "rtcgw-host: unknown argument $1" >&2; return 2 ;;
		esac
	done
	case $cmd in
	prepare|cleanup|get) ;;
	*) sed -n '2,16p' "${BASH_SOURCE[0]}"; return 2 ;;
	esac
	[ -r "$conf" ] || { echo "rtcgw-host: cannot read $conf" >&2; return 2; }
	case $cmd in
	prepare) rtcgw_prepare "$conf" ;;
	cleanup) rtcgw_cleanup "$conf" ;;
	get) [ -n "$key" ] || return 2; rtcgw_conf_get "$key" "$conf" ;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	rtcgw_host_main "$@"
	exit $?
fi
