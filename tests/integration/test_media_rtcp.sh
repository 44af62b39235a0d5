#!/usr/bin/env bash
# The gateway's own RTCP (issue 7 item 4) with real headless Chromium, WHIP
# publisher and WHEP viewer, every browser-side check read from getStats():
#  - receiver reports: the publisher's getStats() has a remote-inbound-rtp for
#    its video, which exists only when the gateway's RRs arrive (the viewer's
#    are terminated), with packetsLost and roundTripTime (LSR/DLSR echoed);
#  - NACKs answered from the dataplane's packet cache: with 5 % loss on the
#    path to the viewer only, the viewer NACKs, the gateway resends from its
#    cache (rtcgw_media_nack_answered_total > 0, the viewer leg's nack_answered
#    in /v1/sessions), and the viewer keeps decoding.
#
# The viewer sits in a namespace of its own behind the client namespace, so the
# loss (on the client namespace's egress toward it) hits only what the gateway
# sends the viewer, not the publisher's upstream. This kernel has no netem
# (CONFIG_NET_SCH_NETEM unset) and no gact action: the loss is a classic BPF
# filter (cls_bpf: a random number mod 20 == 0) whose matches mirred redirects
# to a veth that is down, i.e. dropped:
#
#   netns rgnc: publisher Chromium, page 127.0.0.1:18131
#   rgnc0 198.18.46.1/24 <==== veth ====> rgng0 (dataplane 198.18.46.2)
#   rgnc1 198.18.47.1/24 [egress: 5 % dropped]
#      ^ veth
#   netns rgnp: viewer Chromium, page 127.0.0.1:18132
#   rgnp0 198.18.47.2/24 (default via 198.18.47.1)
#   control plane REST 127.0.0.1:18130
. "$(dirname "$0")/lib.sh"

PAGE_PUB=18131
PAGE_VIEW=18132

tb_init rgn 46 18130
TB_CONF_MEDIA="  port_min: 40000
  port_max: 40099
  consent_timeout_s: 10"

. "$(dirname "$0")/chromium_lib.sh"
cr_init

tb_net_up
tb_peer_net_up 47
tb_config
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent

cr_page_start "$TB_NS_C" "$PAGE_PUB"
cr_page_start "$TB_NS_P" "$PAGE_VIEW"
last() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("last"))' "$RES/$1.result.json" 2>/dev/null; }
M() { tb_metric "rtcgw_$1"; }
gt0() { local v; v=$(M "$1"); [ -n "$v" ] && [ "$v" -gt 0 ]; }

chrome_start pub "mode=pub&stream=rtcp1&secs=150" "$TB_NS_C" "$PAGE_PUB"
tb_check "publisher: POST /v1/whip/rtcp1 -> 201" tb_wait 30 jassert pub "r.get('status') == 201"
tb_check "publisher: connected and sending video" \
	tb_wait 30 jassert pub "s.get('conn') == 'connected' and s['videoOut'] > 50"
chrome_start view "mode=view&stream=rtcp1&secs=150" "$TB_NS_P" "$PAGE_VIEW"
tb_check "viewer (own namespace): POST /v1/whep/rtcp1 -> 201" tb_wait 30 jassert view "r.get('status') == 201"
view_decoding() {
	jassert view "len(r['samples']) >= 3 and s['framesDecoded'] > r['samples'][-3]['framesDecoded'] > 0"
}
tb_check "viewer: decodes the publisher's video" tb_wait 40 view_decoding

# ---- receiver reports -----------------------------------------------------------------
tb_check "the gateway sends receiver reports (rtcgw_media_rr_sent_total > 0)" \
	tb_wait 10 gt0 media_rr_sent_total
rin_ok() {
	jassert pub "isinstance(s.get('rinVideo', {}).get('packetsLost'), int) and isinstance(s['rinVideo'].get('roundTripTime'), (int, float)) and s['rinVideo']['roundTripTime'] >= 0 and s['rinVideo'].get('rttMeasurements', 0) > 0"
}
tb_check "publisher: getStats() has remote-inbound-rtp for video with packetsLost and roundTripTime" \
	tb_wait 20 rin_ok
tb_log "publisher: $(last pub)"

# ---- NACKs answered from the cache ----------------------------------------------------
# ld rand; mod #20; jeq #0 -> ret #-1 (match: redirect, dropped), else ret #0
LOSS5='5,32 0 0 4294963256,148 0 0 20,21 0 1 0,6 0 0 4294967295,6 0 0 0'
answered0=$(M media_nack_answered_total)
tb_c ip link add "${TB}d0" type veth peer name "${TB}d1"
tb_c tc qdisc add dev "${TB}c1" clsact
tb_c tc filter add dev "${TB}c1" egress bpf bytecode "$LOSS5" \
	action mirred egress redirect dev "${TB}d0"
dropped() { # packets the loss filter took
	tb_c tc -s filter show dev "${TB}c1" egress | awk '/Sent/ { print $4; exit }'
}
lossy() { local n; n=$(dropped); [ -n "$n" ] && [ "$n" -gt 20 ]; }
tb_check "5 % loss on the path to the viewer (packets dropped by the filter)" tb_wait 10 lossy
tb_check "viewer NACKs (inbound-rtp nackCount > 0)" tb_wait 30 jassert view "s.get('nackSent', 0) > 0"
answered() { local v; v=$(M media_nack_answered_total); [ -n "$v" ] && [ "$v" -gt "${answered0:-0}" ]; }
tb_check "the gateway answers NACKs from its cache (rtcgw_media_nack_answered_total grows)" \
	tb_wait 30 answered
tb_check "rtcgw_media_nack_received_total > 0" gt0 media_nack_received_total
# The publisher's upstream is lossless: what the viewer misses the cache holds
# (a NACK mis-parsed, or a cache that drops packets, shows up as missed).
mostly_answered() { [ $(($(M media_nack_missed_total) * 10)) -le "$(M media_nack_answered_total)" ]; }
tb_check "NACKed packets come from the cache (missed <= answered / 10)" mostly_answered
sleep 5
tb_check "viewer: still decoding under 5 % loss (framesDecoded growing)" tb_wait 10 view_decoding
tb_api "$TB_REST/v1/sessions/rtcp1" >"$TB_DIR/sess.json"
tb_check "GET /v1/sessions/rtcp1: the viewer leg's nack_received and nack_answered > 0" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
v = [l for l in d["legs"] if l["role"] == "viewer"][0]["counters"]
sys.exit(0 if v["nack_received"] > 0 and v["nack_answered"] > 0 else 1)' "$TB_DIR/sess.json"
tb_log "viewer: $(last view)"
tb_log "publisher: $(last pub)"
tb_log "loss filter dropped $(dropped) packets"
tb_log "nack: received $(M media_nack_received_total) answered $(M media_nack_answered_total) missed $(M media_nack_missed_total) limited $(M media_nack_limited_total); rr sent $(M media_rr_sent_total)"
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
