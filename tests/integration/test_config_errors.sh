#!/usr/bin/env bash
# A bad config stops both processes before they touch anything, with a
# message naming file, line, column and key path, and exit status 2.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${RTCGW_BUILD:-$ROOT/build}
DIR=$(mktemp -d /tmp/rtcgw-cfg.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
PASS=0 FAIL=0

check() {
	local what=$1; shift
	if "$@"; then PASS=$((PASS + 1)); echo "ok - $what"; else FAIL=$((FAIL + 1)); echo "not ok - $what"; fi
}

# A valid base (no ports are opened: every case fails before EAL starts).
base() {
	cat <<EOF
dataplane:
  lcores: [1]
  hugepage_dir: $DIR/huge
  file_prefix: rtcgwcfg
  ports:
    - name: p0
      device: net_tap0,iface=rtcgwcfg0
      address: 198.18.9.2/24
controlplane:
  lcore: 0
EOF
}

# expect BIN FILE EXIT MESSAGE-REGEX
expect() {
	local bin=$1 file=$2 want_rc=$3 re=$4 out rc
	out=$("$BUILD/$bin" -c "$file" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want_rc" ] || ! grep -Eq -- "$re" <<<"$out"; then
		echo "# $bin -c $file: exit $rc, output: $out"
		return 1
	fi
	# Nothing touched: no TAP device, no DPDK runtime dir.
	! ip link show rtcgwcfg0 >/dev/null 2>&1 && [ ! -e /var/run/dpdk/rtcgwcfg ]
}

base > "$DIR/unknown.yaml"
printf '  bogus_key: 1\n' >> "$DIR/unknown.yaml"         # line 11, under controlplane
base | sed 's/lcores: \[1\]/lcores: one/' > "$DIR/type.yaml"
base | sed 's|address: 198.18.9.2/24|address: 198.18.9.2/24\n      mtu: 70000|' > "$DIR/range.yaml"

for bin in dataplane/rtcgw-dataplane controlplane/rtcgw-controlplane; do
	b=${bin##*/}
	check "$b: unknown key names file:line:col and key path" \
		expect "$bin" "$DIR/unknown.yaml" 2 "config error: $DIR/unknown.yaml:11:3: controlplane.bogus_key: unknown key"
	check "$b: wrong type names file:line:col and key path" \
		expect "$bin" "$DIR/type.yaml" 2 "config error: $DIR/type.yaml:2:11: dataplane.lcores: .*(sequence|list)"
	check "$b: out-of-range value names file:line:col, key, value and range" \
		expect "$bin" "$DIR/range.yaml" 2 "config error: $DIR/range.yaml:9:12: dataplane.ports\[0\].mtu: value 70000 out of range 576..9000"
	check "$b: missing file is an error naming it" \
		expect "$bin" "$DIR/absent.yaml" 2 "$DIR/absent.yaml: cannot read"
done
check "default config passes --check-config" "$BUILD/dataplane/rtcgw-dataplane" --check-config -c "$ROOT/gateway-conf/rtcgw.yaml"

echo "# config errors: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
