#!/usr/bin/env bash
# Run every rtcgw test suite on a Debian 12 machine (as root): installs what
# is missing, builds, then runs the unit tests (cmocka), the fuzz targets for a
# bounded time each (clang-14 libFuzzer), and the integration tests (real
# processes in network namespaces). The last line is "N passed, N failed";
# the exit code is non-zero when anything failed.
#
#   scripts/test.sh                 everything
#   scripts/test.sh unit|fuzz|integration [...]   only those stages
#   RTCGW_FUZZ_SECONDS=30           seconds per fuzz target
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${RTCGW_BUILD:-$ROOT/build}
FUZZ_BUILD=${RTCGW_FUZZ_BUILD:-$ROOT/build-fuzz}
FUZZ_SECONDS=${RTCGW_FUZZ_SECONDS:-30}
PASS=0
FAIL=0
FAILED=()

pass() { PASS=$((PASS + 1)); }
fail() { FAIL=$((FAIL + 1)); FAILED+=("$1"); }
stage() { printf '\n=== %s\n' "$*"; }

# Count meson test's result lines ("N/M name OK ..."): $1 labels failures.
count_meson() {
	local label=$1 out=$2 name result
	echo "$out" | grep -E '^ *[0-9]+/[0-9]+ ' || true
	if ! echo "$out" | grep -qE '^ *[0-9]+/[0-9]+ '; then
		echo "$out" | tail -20
		fail "$label:meson"
		return
	fi
	while read -r name result; do
		case $result in
		OK) pass ;;
		*) fail "$label:$name" ;;
		esac
	done < <(echo "$out" | sed -nE 's/^ *[0-9]+\/[0-9]+ +([^ ]+) +([A-Z]+).*/\1 \2/p')
}

stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(unit fuzz integration)
want() { [[ " ${stages[*]} " == *" $1 "* ]]; }

stage "setup"
if ! "$ROOT/scripts/setup.sh" --test; then
	echo "setup failed"
	echo "0 passed, 1 failed"
	exit 1
fi

if want unit; then
	stage "unit tests (cmocka)"
	count_meson unit "$(meson test -C "$BUILD" --suite unit --print-errorlogs 2>&1)"
fi

if want unit; then
	stage "headers compile on their own"
	if "$ROOT/scripts/check-headers.sh"; then pass; else fail "check-headers"; fi
	stage "the benches' profile split (tests/bench/perf_split.py)"
	if python3 "$ROOT/tests/bench/test_perf_split.py"; then pass; else fail "test_perf_split"; fi
fi

if want unit; then
	stage "unit tests again under ASan + UBSan (the pure-C suites; the DPDK ones map hugepage memory ASan cannot shadow)"
	ASAN=${RTCGW_ASAN_BUILD:-$ROOT/build-asan}
	if [ ! -f "$ASAN/build.ninja" ]; then
		meson setup "$ASAN" "$ROOT" -Db_sanitize=address,undefined -Db_lundef=false \
			-Dtests=enabled >/dev/null 2>&1
	fi
	if ninja -C "$ASAN" >"$ASAN.log" 2>&1; then
		names=$(meson test -C "$ASAN" --suite unit --list 2>/dev/null | sed -E 's/^.* \/ //' |
			grep -E '^[a-z0-9_]+$' | grep -v '^dp_')
		# shellcheck disable=SC2086
		count_meson asan "$(UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			meson test -C "$ASAN" --print-errorlogs $names 2>&1)"
	else
		tail -30 "$ASAN.log"
		fail "asan:build"
	fi
fi

if want fuzz; then
	stage "fuzz targets (${FUZZ_SECONDS}s each)"
	for f in "$FUZZ_BUILD"/tests/fuzz/fuzz_*; do
		[ -x "$f" ] && [ -f "$f" ] || continue
		name=${f##*/fuzz_}
		work=$(mktemp -d)
		# New inputs go to the scratch dir first; the committed corpus is
		# read, never written.
		if "$f" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix="$work/" "$work" "$ROOT/tests/fuzz/corpus/$name" \
			>"$work/log" 2>&1; then
			printf 'ok - fuzz_%s: %s\n' "$name" "$(grep -E '^Done' "$work/log" | tail -1)"
			pass
		else
			printf 'not ok - fuzz_%s crashed:\n' "$name"
			# the target's own message first (what broke), then the end
			grep -m 3 -E '^(generated|ERROR|==[0-9]+==)' "$work/log" || true
			tail -30 "$work/log"
			# the input, so the failure can be replayed from this log
			for a in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
				[ -f "$a" ] && [ "$(stat -c %s "$a")" -le 16384 ] || continue
				printf '# input %s (base64):\n' "${a##*/}"
				base64 -w 100 "$a" | sed 's/^/# /'
			done
			fail "fuzz:$name"
		fi
		rm -rf "$work"
	done
fi

# integration TEST PMD: run one integration test with the dataplane's veth
# port on PMD (af_packet or af_xdp), count its ok / not ok lines.
# One DPDK test at a time on this machine: a shared lock with any other
# run; -o keeps the lock fd out of the processes the tests start.
# The running test's log, removed on exit too (an interrupted run left it).
CUR_LOG=
trap 'rm -f "$CUR_LOG"' EXIT
integration() {
	local t=$1 pmd=$2 name log rc p f
	name=$(basename "$t" .sh)
	[ "$pmd" = af_packet ] || name="${name}[$pmd]"
	echo "--- $name"
	log=$(mktemp)
	CUR_LOG=$log
	RTCGW_TEST_PMD=$pmd flock -o /tmp/rtcgw-dpdk.lock timeout -k 10 900 bash "$t" >"$log" 2>&1
	rc=$?
	grep -E '^(ok|not ok|#)' "$log"
	p=$(grep -c '^ok' "$log")
	f=$(grep -c '^not ok' "$log")
	PASS=$((PASS + p))
	FAIL=$((FAIL + f))
	[ "$f" -eq 0 ] || FAILED+=("$name")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$name exited with $rc without a failed check; last lines:"
		tail -20 "$log"
		fail "$name (exit $rc)"
	fi
	rm -f "$log"
}

if want integration; then
	stage "integration tests (network namespaces, real processes)"
	for t in "$ROOT"/tests/integration/test_*.sh; do
		integration "$t" af_packet
	done
	# The veth tests once more with the dataplane on net_af_xdp (lib.sh's
	# RTCGW_TEST_PMD): the port the README recommends on a kernel driver;
	# the suite issue 8 found (foundation, stun, turn, turn_chromium), the
	# attack tests (hardening), and calls_2if on two af_xdp ports (media on
	# two interfaces).
	for t in foundation stun turn turn_chromium hardening calls_2if; do
		integration "$ROOT/tests/integration/test_$t.sh" af_xdp
	done
fi

stage "summary"
if [ ${#FAILED[@]} -gt 0 ]; then
	printf 'failed: %s\n' "${FAILED[*]}"
fi
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
