#!/usr/bin/env bash
# RTX toward a viewer and the gateway's own sender reports (issue 7 item 4),
# with real headless Chromium, WHIP publisher and WHEP viewer, checked from
# getStats() and the gateway's counters:
#  - RTX: Chromium's WHEP offer carries rtx (apt=VP8) and the answer announces
#    the publisher's RTX SSRC (ssrc-group FID), so with 5 % loss on the path
#    to the viewer the gateway answers the viewer's NACKs from its cache as
#    RFC 4588 RTX packets: the viewer's inbound-rtp retransmittedPacketsReceived
#    > 0 while frames keep decoding, rtcgw_media_nack_rtx_total > 0 and the
#    viewer leg's nack_rtx > 0;
#  - sender reports: the viewer joins about 15 s after the publisher began, and
#    its remote-outbound-rtp (built from the SRs it gets) says packetsSent
#    within 5 % of what it counted itself when the SR was made
#    (packetsReceived - retransmitted + packetsLost);
#    the publisher's own count, which the SRs carried unchanged before, is
#    checked to be well above that (so the check tells the two apart).
#
# Topology as test_media_rtcp.sh (the viewer behind the client namespace; the
# loss is a cls_bpf random match redirected to a veth that is down):
#
#   netns rgac: publisher Chromium, page 127.0.0.1:18201
#   rgac0 198.18.70.1/24 <==== veth ====> rgag0 (dataplane 198.18.70.2)
#   rgac1 198.18.71.1/24 [egress: 5 % dropped]
#      ^ veth
#   netns rgap: viewer Chromium, page 127.0.0.1:18202
#   rgap0 198.18.71.2/24 (default via 198.18.71.1)
#   control plane REST 127.0.0.1:18200
. "$(dirname "$0")/lib.sh"

PAGE_PUB=18201
PAGE_VIEW=18202

tb_init rga 70 18200
TB_CONF_MEDIA="  port_min: 40000
  port_max: 40099
  consent_timeout_s: 10"

. "$(dirname "$0")/chromium_lib.sh"
cr_init

tb_net_up
tb_peer_net_up 71
tb_config
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent

cr_page_start "$TB_NS_C" "$PAGE_PUB"
cr_page_start "$TB_NS_P" "$PAGE_VIEW"
last() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("last"))' "$RES/$1.result.json" 2>/dev/null; }
M() { tb_metric "rtcgw_$1"; }
gt0() { local v; v=$(M "$1"); [ -n "$v" ] && [ "$v" -gt 0 ]; }

chrome_start pub "mode=pub&stream=rtx1&secs=110" "$TB_NS_C" "$PAGE_PUB"
tb_check "publisher: POST /v1/whip/rtx1 -> 201" tb_wait 30 jassert pub "r.get('status') == 201"
tb_check "publisher: connected and sending video" \
	tb_wait 30 jassert pub "s.get('conn') == 'connected' and s['videoOut'] > 50"
# the viewer joins late: the publisher's packet count runs well ahead of its own
sleep 15

# ld rand; mod #20; jeq #0 -> ret #-1 (match: redirect, dropped), else ret #0
LOSS5='5,32 0 0 4294963256,148 0 0 20,21 0 1 0,6 0 0 4294967295,6 0 0 0'
tb_c ip link add "${TB}d0" type veth peer name "${TB}d1"
tb_c tc qdisc add dev "${TB}c1" clsact
tb_c tc filter add dev "${TB}c1" egress bpf bytecode "$LOSS5" \
	action mirred egress redirect dev "${TB}d0"
dropped() { # packets the loss filter took
	tb_c tc -s filter show dev "${TB}c1" egress | awk '/Sent/ { print $4; exit }'
}

chrome_start view "mode=view&stream=rtx1&secs=75" "$TB_NS_P" "$PAGE_VIEW"
tb_check "viewer (own namespace, 5 % loss toward it): POST /v1/whep/rtx1 -> 201" \
	tb_wait 30 jassert view "r.get('status') == 201"
tb_check "viewer: its answer negotiated rtx for VP8 and announces an RTX SSRC (FID)" \
	tb_wait 5 jassert view "re.search(r'a=fmtp:\\d+ apt=\\d+', r.get('answer', '')) is not None and 'a=ssrc-group:FID ' in r.get('answer', '')"
view_decoding() {
	jassert view "len(r['samples']) >= 3 and s['framesDecoded'] > r['samples'][-3]['framesDecoded'] > 0"
}
tb_check "viewer: decodes the publisher's video" tb_wait 40 view_decoding
lossy() { local n; n=$(dropped); [ -n "$n" ] && [ "$n" -gt 20 ]; }
tb_check "5 % loss on the path to the viewer (packets dropped by the filter)" tb_wait 10 lossy

# ---- RTX ------------------------------------------------------------------------------
tb_check "viewer NACKs (inbound-rtp nackCount > 0)" tb_wait 30 jassert view "s.get('nackSent', 0) > 0"
tb_check "the gateway resends as RTX (rtcgw_media_nack_rtx_total > 0)" tb_wait 30 gt0 media_nack_rtx_total
tb_check "viewer: inbound-rtp retransmittedPacketsReceived > 0" \
	tb_wait 30 jassert view "s.get('rtxIn', 0) > 0"
sleep 5
tb_check "viewer: still decoding under 5 % loss (framesDecoded growing)" tb_wait 10 view_decoding
tb_api "$TB_REST/v1/sessions/rtx1" >"$TB_DIR/sess.json"
tb_check "GET /v1/sessions/rtx1: the viewer leg's nack_rtx > 0 and <= nack_answered" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
v = [l for l in d["legs"] if l["role"] == "viewer"][0]["counters"]
sys.exit(0 if 0 < v["nack_rtx"] <= v["nack_answered"] else 1)' "$TB_DIR/sess.json"

# ---- the viewer's sender reports ------------------------------------------------------
# By now the viewer has watched for 30 s or more, the publisher sent for 15 s
# longer. packetsSent is the count when the publisher made the SR (its NTP
# time, remoteTimestamp, on this same host's clock), up to a second and a half
# before the sample it is read in: it is compared with the viewer's own count
# at that moment, interpolated between the getStats() samples around it.
# packetsReceived includes the retransmissions (W3C webrtc-stats), packetsLost
# is expected - received without them: the packets of the stream sent to the
# viewer are packetsReceived - retransmittedPacketsReceived + packetsLost.
sr_close() {
	python3 - "$RES/view.result.json" "$TB_DIR/sr.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); ss = r["samples"]
def own(x): return x["videoIn"] - x.get("rtxIn", 0) + x.get("videoLost", 0)
for s in reversed(ss):
    ro = s.get("routVideo") or {}
    ts, sent = ro.get("remoteTimestamp"), ro.get("packetsSent", 0)
    if ts is None or sent <= 0:
        continue
    for a, b in zip(ss, ss[1:]):
        if a["t"] <= ts <= b["t"]:
            e = own(a) + (own(b) - own(a)) * (ts - a["t"]) / (b["t"] - a["t"])
            open(sys.argv[2], "w").write("SR packetsSent %d, the viewer's own count then %.0f (%+.1f %%)" % (sent, e, 100.0 * (sent - e) / e))
            sys.exit(0 if e > 0 and abs(sent - e) <= 0.05 * e else 1)
    break
sys.exit(1)
PY
}
tb_check "viewer: remote-outbound-rtp packetsSent within 5 % of its packetsReceived - retransmitted + packetsLost when the SR was made" \
	tb_wait 10 sr_close
tb_log "$(cat "$TB_DIR/sr.txt" 2>/dev/null)"
pub_ahead() { # the publisher's own count (what its SRs say) is well above the viewer's
	python3 - "$RES/pub.result.json" "$RES/view.result.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))["last"]; v = json.load(open(sys.argv[2]))["last"]
sys.exit(0 if p["videoOut"] > 1.25 * (v["videoIn"] - v["rtxIn"] + v["videoLost"]) else 1)
PY
}
tb_check "the publisher's own packet count is > 1.25x the viewer's (the late join shows)" pub_ahead
tb_log "viewer: $(last view)"
tb_log "publisher: $(last pub)"
tb_log "loss filter dropped $(dropped) packets"
tb_log "nack: received $(M media_nack_received_total) answered $(M media_nack_answered_total) rtx $(M media_nack_rtx_total) missed $(M media_nack_missed_total) limited $(M media_nack_limited_total)"
tb_c tc qdisc del dev "${TB}c1" clsact 2>/dev/null

chrome_stop view
chrome_stop pub
legs_freed() { [ "$(M media_legs)" = 0 ]; }
tb_check "browsers gone: every leg freed within the consent timeout" tb_wait 20 legs_freed
[ "$TB_FAIL" -eq 0 ] || {
	for f in "$RES"/*.log; do tb_log "--- $f"; tail -c 2000 "$f" | sed 's/^/#   /'; done
	curl -s "$TB_REST/metrics" | grep -E '^rtcgw_media' | grep -v ' 0$' | sed 's/^/# /'
}
tb_done
