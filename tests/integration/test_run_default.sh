#!/usr/bin/env bash
# The README's first command on the default config, end to end: inside a
# network namespace this test makes (so the TAP interface and its 198.18.0.0/24
# addresses live and die with it), scripts/run.sh --detach starts the gateway
# on net_tap and returns once /healthz is green; the host side of the TAP
# reaches the dataplane (ping, STUN); scripts/run.sh --stop stops everything
# and leaves no process or hugepage file behind.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
NS=rtrun
PASS=0 FAIL=0
check() {
	local what=$1; shift
	if "$@"; then PASS=$((PASS + 1)); echo "ok - $what"; else FAIL=$((FAIL + 1)); echo "not ok - $what"; fi
}
n() { ip netns exec "$NS" "$@"; }
cleanup() {
	n "$ROOT/scripts/run.sh" --stop >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
ip netns del "$NS" 2>/dev/null
ip netns add "$NS"
n ip link set lo up

# ip netns exec gives the command its own mount namespace: the hugetlbfs mount
# run.sh makes stays in there and goes with it.
check "run.sh --detach returns with /healthz green" n "$ROOT/scripts/run.sh" --detach
check "the dataplane took the TAP interface rtcgw0" n ip link show rtcgw0
check "the host side got 198.18.0.1/24" bash -c "ip netns exec $NS ip -4 addr show rtcgw0 | grep -q '198.18.0.1/24'"
check "ping the gateway through the TAP" n ping -c 2 -W 2 198.18.0.2
stun_ok() {
	n python3 - <<'PY'
import os, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
tx = os.urandom(12)
s.sendto(struct.pack("!HHI", 1, 0, 0x2112A442) + tx, ("198.18.0.2", 3478))
d, _ = s.recvfrom(2048)
assert struct.unpack("!H", d[:2])[0] == 0x0101 and d[8:20] == tx
PY
}
check "a STUN Binding request through the TAP is answered" stun_ok
check "the TAP port uses RX checksum offload" grep -q 'rx checksum offload on' /run/rtcgw/dataplane.log
check "metrics count the ping" bash -c "ip netns exec $NS curl -s 127.0.0.1:8080/metrics | grep -Eq '^rtcgw_icmp_echo_answered_total [1-9]'"
DP=$(cat /run/rtcgw/dataplane.pid 2>/dev/null)
CP=$(cat /run/rtcgw/controlplane.pid 2>/dev/null)
check "run.sh --stop stops the gateway" n "$ROOT/scripts/run.sh" --stop
gone() { ! kill -0 "$DP" 2>/dev/null && ! kill -0 "$CP" 2>/dev/null; }
check "both processes ended" gone
check "no DPDK runtime dir left" test ! -e /var/run/dpdk/rtcgw
echo "# run.sh default config: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
