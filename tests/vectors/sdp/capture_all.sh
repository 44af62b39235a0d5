#!/usr/bin/env bash
# Re-capture every offer in this folder (README.md): Chromium, Firefox and
# GStreamer webrtcbin, each inside a network namespace of its own with one veth
# carrying 198.18.14.2/24 and 2001:2:0:14::2/64 (the testbed range), so the
# gathered candidates show test addresses, not the machine's. Needs root.
set -euo pipefail
DIR=$(cd "$(dirname "$0")" && pwd)
NS=rts-sdpcap
cleanup() { ip netns del "$NS" 2>/dev/null || true; }
trap cleanup EXIT
cleanup
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add rts-sdp0 type veth peer name rts-sdp1
ip -n "$NS" addr add 198.18.14.2/24 dev rts-sdp0
ip -n "$NS" -6 addr add 2001:2:0:14::2/64 dev rts-sdp0 nodad
ip -n "$NS" link set rts-sdp0 up
ip -n "$NS" link set rts-sdp1 up
ip -n "$NS" route add default via 198.18.14.1 dev rts-sdp0
run() { ip netns exec "$NS" timeout 120 "$@"; }
run /usr/bin/python3 "$DIR/capture_browser.py" chromium "$DIR"
run /usr/bin/python3 "$DIR/capture_browser.py" firefox "$DIR"
run /usr/bin/python3 "$DIR/capture_gst.py" "$DIR/gstreamer-whip-vp8.sdp" vp8
run /usr/bin/python3 "$DIR/capture_gst.py" "$DIR/gstreamer-whip-h264.sdp" h264
