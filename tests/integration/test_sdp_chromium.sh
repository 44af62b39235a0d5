#!/usr/bin/env bash
# cp_sdp's answers accepted by real browsers: headless Chromium (Debian's; and
# Firefox ESR when installed)
# makes its own offers (echo with a DataChannel, WHIP publisher, WHEP viewer),
# build/tests/sdp_answer answers them, setRemoteDescription must succeed with
# the directions we chose. Loopback only (the page on 127.0.0.1); no DPDK, no
# namespaces, no media: the SDP alone. One ok/not ok line per case.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# The browsers' temporary files (Chromium's singleton dirs) go with the test.
TMPDIR=$(mktemp -d /tmp/rtcgw-sdpc.XXXXXX)
export TMPDIR
trap 'rm -rf "$TMPDIR"' EXIT
BIN=${RTCGW_BUILD:-$ROOT/build}/tests/sdp_answer
if [ ! -x "$BIN" ]; then
	echo "not ok - $BIN not built"
	exit 1
fi
/usr/bin/python3 "$ROOT/tests/integration/sdp_chromium.py" "$BIN" chromium
rc=$?
# Firefox too where it is installed (not in scripts/setup.sh: optional here)
if command -v firefox-esr >/dev/null; then
	/usr/bin/python3 "$ROOT/tests/integration/sdp_chromium.py" "$BIN" firefox || rc=1
else
	echo "# firefox-esr not installed: Firefox cases skipped"
fi
echo "# test_sdp_chromium: exit $rc"
exit $rc
