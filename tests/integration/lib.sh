# shellcheck shell=bash
# Testbed for rtcgw integration tests (sourced, not run).
#
# Topology made per test (TB = a short prefix unique to the test, N = its
# subnet octet):
#
#   netns ${TB}c (client)                       netns ${TB}g (gateway)
#   ${TB}c0  198.18.N.1/24  <===== veth =====>  ${TB}g0  (no kernel address:
#                                               rtcgw-dataplane owns it through
#                                               net_af_packet, or net_af_xdp
#                                               with RTCGW_TEST_PMD=af_xdp,
#                                               as 198.18.N.2/24)
#
#   rtcgw-controlplane runs in the root netns (DPDK's multi-process sockets are
#   filesystem paths, so they cross network namespaces); REST on 127.0.0.1.
#
# Only 198.18.0.0/15 addresses inside namespaces this file made, or loopback.
# Everything created is removed by tb_cleanup (trap EXIT): processes by PID,
# namespaces, the hugetlbfs mount, DPDK runtime files.
#
# Usage:
#   . "$(dirname "$0")/lib.sh"
#   tb_init rtf 1 18081          # prefix, subnet octet, REST port
#   tb_net_up
#   tb_config                    # writes $TB_CONF (TB_CONF_* variables tweak it)
#   tb_start_dp && tb_start_cp
#   tb_check "ping answered" tb_c ping -c 2 -W 1 "$TB_GW_IP"
#   tb_done                      # prints the summary line, exits 0/1

set -u

TB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TB_BUILD=${RTCGW_BUILD:-$TB_ROOT/build}
TB_DP_BIN=$TB_BUILD/dataplane/rtcgw-dataplane
TB_CP_BIN=$TB_BUILD/controlplane/rtcgw-controlplane
TB_FRONT_BIN=$TB_BUILD/turnfront/rtcgw-turnfront
TB_TOKEN=rtcgw-test-token-0123456789
# The DPDK port driver on the gateway's veth end: af_packet (default) or
# af_xdp (an XDP socket on the veth; the PMD loads its own XDP program).
TB_PMD=${RTCGW_TEST_PMD:-af_packet}
TB_PASS=0
TB_FAIL=0
TB_PIDS=()
TB_EXTRA_NS=()     # more namespaces a test made: removed by tb_cleanup too
TB_DP_PID=
TB_CP_PID=

tb_log() { printf '# %s\n' "$*"; }

tb_init() {
	TB=$1
	TB_NET=$2
	TB_REST_PORT=$3
	TB_CLIENT_IP=198.18.$TB_NET.1
	TB_GW_IP=198.18.$TB_NET.2
	TB_NS_C=${TB}c
	TB_NS_G=${TB}g
	TB_DIR=$(mktemp -d "/tmp/rtcgw-$TB.XXXXXX")
	# Every process the test starts makes its temporary files in the test's
	# own directory (Chromium's /tmp/org.chromium.Chromium.* singleton dirs
	# outlive a browser ended by signal), so tb_cleanup removes them too.
	mkdir -p "$TB_DIR/tmp"
	export TMPDIR=$TB_DIR/tmp
	TB_HUGE=$TB_DIR/huge
	TB_CONF=$TB_DIR/rtcgw.yaml
	TB_REST=http://127.0.0.1:$TB_REST_PORT
	trap tb_cleanup EXIT
	trap 'exit 130' INT TERM
	# Leftovers of an earlier run that was killed before its cleanup.
	ip netns del "$TB_NS_C" 2>/dev/null || true
	ip netns del "$TB_NS_G" 2>/dev/null || true
	mkdir -p "$TB_HUGE"
	mount -t hugetlbfs -o pagesize=2M nodev "$TB_HUGE"
}

# Run a command in the client / gateway namespace.
tb_c() { ip netns exec "$TB_NS_C" "$@"; }
tb_g() { ip netns exec "$TB_NS_G" "$@"; }

tb_net_up() {
	ip netns add "$TB_NS_C"
	ip netns add "$TB_NS_G"
	ip link add "${TB}c0" netns "$TB_NS_C" type veth peer name "${TB}g0" netns "$TB_NS_G"
	tb_c ip link set lo up
	tb_g ip link set lo up
	# The gateway side carries no kernel IP; IPv6 off so the kernel does
	# not chatter on it (the dataplane would count that as unknown ethertype).
	tb_g sysctl -qw "net.ipv6.conf.${TB}g0.disable_ipv6=1"
	tb_c sysctl -qw "net.ipv6.conf.${TB}c0.disable_ipv6=1"
	tb_g ip link set "${TB}g0" up
	# The client sends real checksums, as a host behind a real NIC does: a
	# veth with TX offload hands the peer partial UDP checksums, which the
	# dataplane would rightly count as bad.
	tb_c python3 "$TB_ROOT/tests/integration/txcsum_off.py" "${TB}c0"
	tb_c ip addr add "$TB_CLIENT_IP/24" dev "${TB}c0"
	tb_c ip link set "${TB}c0" up
	TB_CLIENT_MAC=$(tb_c cat "/sys/class/net/${TB}c0/address")
	TB_GW_MAC=$(tb_g cat "/sys/class/net/${TB}g0/address")
}

# tb_client_ipv6 ADDR/LEN: IPv6 on the client's link to the gateway (tb_net_up
# turns it off there), ADDR without duplicate address detection (usable at
# once), no router advertisements taken.
tb_client_ipv6() {
	tb_c sysctl -qw "net.ipv6.conf.${TB}c0.disable_ipv6=0"
	tb_c sysctl -qw "net.ipv6.conf.${TB}c0.accept_ra=0"
	tb_c ip -6 addr add "$1" dev "${TB}c0" nodad
}

# A third namespace ${TB}p (peer) behind the client namespace, which routes
# for it (the TURN tests' relayed peers):
#   ${TB}p0 198.18.$1.2/24 <= veth => ${TB}c1 198.18.$1.1/24 (in ${TB}c)
# The dataplane reaches it through its gateway (the client, 198.18.N.1).
# Sets TB_NS_P and TB_PEER_IP; tb_cleanup removes the namespace.
tb_p() { ip netns exec "$TB_NS_P" "$@"; }
tb_peer_net_up() {
	TB_NS_P=${TB}p
	TB_PEER_IP=198.18.$1.2
	ip netns del "$TB_NS_P" 2>/dev/null || true
	ip netns add "$TB_NS_P"
	TB_EXTRA_NS+=("$TB_NS_P")
	ip link add "${TB}c1" netns "$TB_NS_C" type veth peer name "${TB}p0" netns "$TB_NS_P"
	tb_p ip link set lo up
	tb_c ip addr add "198.18.$1.1/24" dev "${TB}c1"
	tb_c ip link set "${TB}c1" up
	tb_p ip addr add "$TB_PEER_IP/24" dev "${TB}p0"
	tb_p ip link set "${TB}p0" up
	tb_p ip route add default via "198.18.$1.1"
	tb_c sysctl -qw net.ipv4.ip_forward=1
	tb_c python3 "$TB_ROOT/tests/integration/txcsum_off.py" "${TB}c1"
	tb_p python3 "$TB_ROOT/tests/integration/txcsum_off.py" "${TB}p0"
}

# Sections a test may replace before tb_config (YAML text, 2-space indent).
TB_CONF_STUN=${TB_CONF_STUN:-"  enabled: true
  port: 3478
  software: rtcgw-test"}
TB_CONF_TURN=${TB_CONF_TURN:-"  enabled: false"}
# More keys of the port (6-space indent), e.g. "      relay_addresses: [198.18.9.3]".
TB_CONF_PORT=${TB_CONF_PORT:-}
# More controlplane.rest keys (4-space indent), e.g. "    request_timeout_s: 3".
TB_CONF_REST=${TB_CONF_REST:-}
TB_CONF_MEDIA=${TB_CONF_MEDIA:-"  port_min: 40000
  port_max: 40999
  consent_timeout_s: 30"}

# The port's DPDK device string for TB_PMD.
tb_port_device() {
	case $TB_PMD in
	af_packet) echo "net_af_packet0,iface=${TB}g0,qdisc_bypass=1" ;;
	af_xdp) echo "net_af_xdp0,iface=${TB}g0,start_queue=0,queue_count=1" ;;
	*) tb_log "RTCGW_TEST_PMD=$TB_PMD: af_packet or af_xdp"; return 1 ;;
	esac
}

tb_config() {
	local dev
	dev=$(tb_port_device) || return 1
	cat > "$TB_CONF" <<EOC
# generated by tests/integration/lib.sh for test $TB
dataplane:
  lcores: [1]
  busy_poll: false
  idle_sleep_us: 100
  mbufs: 8191
  memory_mb: 256
  hugepage_dir: $TB_HUGE
  file_prefix: $TB
  ports:
    - name: veth0
      device: $dev
      address: $TB_GW_IP/24
      gateway: $TB_CLIENT_IP
${TB_CONF_PORT:+$TB_CONF_PORT
}controlplane:
  lcore: 0
  rest:
    listen: 127.0.0.1:$TB_REST_PORT
    tokens: [$TB_TOKEN]
${TB_CONF_REST:+$TB_CONF_REST
}  ipc_poll_ms: 5
  journal_dir: $TB_DIR/journal
log:
  level: info
stun:
$TB_CONF_STUN
turn:
$TB_CONF_TURN
media:
$TB_CONF_MEDIA
EOC
}

# The same configuration with the port on net_memif, the kernel-free link of
# the benches (rtcgw_loadgen --memif is its other end): $TB_MEMIF_CONF, the
# socket $TB_MEMIF_SOCK a file in the test's directory (an abstract socket
# would be the gateway namespace's), rings of $TB_MEMIF_RING slots (rsize=12,
# the generator asks the same), the veth end's MAC. After tb_net_up, tb_config.
# shellcheck disable=SC2034  # read by the benches: their closed-loop window
TB_MEMIF_RING=4096
tb_memif_config() {
	TB_MEMIF_SOCK=$TB_DIR/memif.sock
	TB_MEMIF_CONF=$TB_DIR/rtcgw-memif.yaml
	sed "s|^      device: .*|      device: net_memif0,role=server,socket=$TB_MEMIF_SOCK,socket-abstract=no,rsize=12,mac=$TB_GW_MAC|" \
		"$TB_CONF" >"$TB_MEMIF_CONF" && grep -q "device: net_memif0" "$TB_MEMIF_CONF"
}

# Wait (bounded) until "$@" succeeds. $1 = seconds.
tb_wait() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

TB_DP_N=0
tb_start_dp() {
	TB_DP_N=$((TB_DP_N + 1))
	TB_DP_LOG=$TB_DIR/dp.$TB_DP_N.log
	# Not through tb_g: a backgrounded function is a subshell, and $! must
	# be the dataplane itself (ip netns exec execs it in place).
	[ "$TB_DP_N" -gt 1 ] || tb_log "dataplane port: $(tb_port_device)"
	ip netns exec "$TB_NS_G" "$TB_DP_BIN" -c "$TB_CONF" >"$TB_DP_LOG" 2>&1 &
	TB_DP_PID=$!
	TB_PIDS+=("$TB_DP_PID")
	if ! tb_wait 30 grep -q 'proc=rtcgw-dp msg="ready' "$TB_DP_LOG"; then
		tb_log "dataplane did not become ready; log:"
		sed 's/^/#   /' "$TB_DP_LOG"
		return 1
	fi
}

tb_start_cp() {
	"$TB_CP_BIN" -c "$TB_CONF" >>"$TB_DIR/cp.log" 2>&1 &
	TB_CP_PID=$!
	TB_PIDS+=("$TB_CP_PID")
	if ! tb_wait 30 tb_healthz_ok; then
		tb_log "control plane not healthy; log:"
		sed 's/^/#   /' "$TB_DIR/cp.log"
		return 1
	fi
}

# End one process we started, by PID: TERM, then KILL after 10 s.
tb_stop_pid() {
	local pid=$1 sig=${2:-TERM} i
	[ -n "$pid" ] || return 0
	kill -"$sig" "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

tb_healthz_ok() { curl -sf -m 2 "$TB_REST/healthz" >/dev/null; }
tb_healthz_code() { curl -s -m 2 -o /dev/null -w '%{http_code}' "$TB_REST/healthz"; }
tb_api() { curl -s -m 5 -H "Authorization: Bearer $TB_TOKEN" "$@"; }

# Value of one (unlabelled) metric from /metrics; empty when absent.
tb_metric() {
	curl -s -m 2 "$TB_REST/metrics" | awk -v n="$1" '$1 == n { print $2; exit }'
}

# Wait up to $3 s until metric $1 >= $2.
tb_metric_ge() {
	local v
	v=$(tb_metric "$1")
	[ -n "$v" ] && [ "$v" -ge "$2" ]
}
tb_wait_metric_ge() { tb_wait "${3:-5}" tb_metric_ge "$1" "$2"; }

# tb_check WHAT CMD...: one check, counted and printed as "ok - WHAT" or
# "not ok - WHAT"; returns CMD's success, so that `tb_check ... || exit 1`
# stops a test whose later checks need this one.
tb_check() {
	local what=$1
	shift
	if "$@"; then
		TB_PASS=$((TB_PASS + 1))
		printf 'ok - %s\n' "$what"
	else
		TB_FAIL=$((TB_FAIL + 1))
		printf 'not ok - %s\n' "$what"
		return 1
	fi
}

# tb_stop_tree PID: the processes below PID first (a backgrounded
# function's subshell, `ip netns exec`, `timeout`, the program under them),
# then PID itself; each by its PID, as tb_stop_pid.
tb_stop_tree() {
	local pid=$1 c
	[ -n "$pid" ] || return 0
	for c in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
		tb_stop_tree "$c"
	done
	tb_stop_pid "$pid"
}

tb_cleanup() {
	local pid
	# the tree: `tb_c prog &` leaves a subshell's PID in TB_PIDS, with
	# prog under it (test_turn_relayaddr.sh's turnutils_peer outlived a
	# run that way)
	for pid in "${TB_PIDS[@]}"; do
		tb_stop_tree "$pid"
	done
	if [ "$TB_FAIL" -ne 0 ] || [ -n "${TB_KEEP_LOGS:-}" ]; then
		for f in "$TB_DIR"/*.log; do
			[ -f "$f" ] || continue
			tb_log "--- $f"
			tail -n 40 "$f" | sed 's/^/#   /'
		done
	fi
	ip netns del "$TB_NS_C" 2>/dev/null
	ip netns del "$TB_NS_G" 2>/dev/null
	for ns in "${TB_EXTRA_NS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	# A dataplane killed with -9 cannot remove its own files.
	rm -f "$TB_HUGE"/* 2>/dev/null
	umount "$TB_HUGE" 2>/dev/null
	rm -rf "/var/run/dpdk/$TB" "$TB_DIR"
	# A control plane attached to a net_pcap dataplane probes the vdev too,
	# and DPDK opens a cut-down tx_pcap path of its own (an empty pcap named
	# /tmp/rtcgw-$TB.<2 chars>): remove those, files only, our prefix only.
	find /tmp -maxdepth 1 -type f -name "rtcgw-$TB.*" -delete 2>/dev/null
}

tb_done() {
	printf '# %s: %d passed, %d failed\n' "$TB" "$TB_PASS" "$TB_FAIL"
	[ "$TB_FAIL" -eq 0 ]
}
