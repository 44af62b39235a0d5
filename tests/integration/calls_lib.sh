# Helpers the calls API tests share (test_calls_webrtc.sh, test_calls_bundle.sh,
# test_calls_ipv6.sh, test_calls_takeover.sh); sourced after lib.sh (calls_init
# sources chromium_lib.sh).

# jpy PAGE EXPR: a Python expression over the page's result JSON (r); not
# chromium_lib.sh's jget (PAGE KEY: an integer of the last sample)
jpy() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$RES/$1.result.json" "$2" 2>/dev/null; }
# urlq TEXT: TEXT URL-quoted (ng keys in a page's query string)
urlq() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
# api_post PATH OUT BODY: POST BODY's file to /v1/calls/PATH, the reply in OUT; prints the status
api_post() { tb_api -o "$2" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	--data-binary "@$3" "$TB_REST/v1/calls/$1"; }
# json_sdp FILE JSON: JSON (an object of ng keys) with "sdp" set to FILE's text
json_sdp() { python3 -c 'import json,sys; d=dict(json.loads(sys.argv[2])); d["sdp"]=open(sys.argv[1]).read(); print(json.dumps(d))' "$1" "$2"; }
# m_port FILE KIND: the port of FILE's first m=KIND line
m_port() { sed -n "s/^m=$2 \([0-9]*\) .*/\1/p" "$1" | head -1 | tr -d '\r'; }

# calls_init NAME OCTET REST_PORT: a calls test's testbed (lib.sh tb_init)
# with the media ports and consent timeout these tests use, and Chromium
# ready (chromium_lib.sh); stops the test when ffmpeg is missing.
calls_init() {
	if ! command -v ffmpeg >/dev/null; then
		printf '# ffmpeg missing: scripts/setup.sh --test installs it\n'
		exit 1
	fi
	tb_init "$1" "$2" "$3"
	TB_CONF_MEDIA="  port_min: 40000
  port_max: 40099
  consent_timeout_s: 30"
	. "$(dirname "${BASH_SOURCE[0]}")/chromium_lib.sh"
	cr_init
}

# calls_conf NG_PORT MAX_CALLS: the calls section of the config (after
# tb_config): the ng socket on 127.0.0.1:NG_PORT, a 60 s media timeout.
calls_conf() {
	cat >>"$TB_CONF" <<EOC
calls:
  ng_enabled: true
  ng_listen: 127.0.0.1:$1
  max_calls: $2
  media_timeout_s: 60
EOC
}

# ffmpeg_send NAME PORT [SUITE KEY]: 90 s of a 440 Hz sine as PCMU to the
# gateway's PORT, at CALLS_GW ("[address6]" for IPv6; default its IPv4 address).
ffmpeg_send() {
	local gw=${CALLS_GW:-$TB_GW_IP} url srtp=()
	url=rtp://$gw:$2
	if [ -n "${3:-}" ]; then
		url=srtp://$gw:$2
		srtp=(-srtp_out_suite "$3" -srtp_out_params "$4")
	fi
	tb_c timeout 110 ffmpeg -hide_banner -nostdin -loglevel warning -re \
		-f lavfi -i "sine=frequency=440:sample_rate=8000" -t 90 -ac 1 -ar 8000 \
		-c:a pcm_mulaw -payload_type 0 -f rtp "${srtp[@]}" "$url" >"$TB_DIR/send-$1.log" 2>&1 &
	TB_PIDS+=("$!")
}
# ffmpeg_recv NAME SDPFILE: RECV_S seconds of what arrives, as a WAV
# (recv-NAME.wav; recv_done NAME once written, wav_loud NAME: not silence).
ffmpeg_recv() {
	tb_c timeout 40 ffmpeg -hide_banner -nostdin -loglevel warning \
		-protocol_whitelist file,udp,rtp,srtp,crypto -i "$2" -t "$RECV_S" -ac 1 -y \
		"$TB_DIR/recv-$1.wav" >"$TB_DIR/recv-$1.log" 2>&1 &
	RECV_PID[$1]=$!
	TB_PIDS+=("$!")
}
declare -A RECV_PID
wav_loud() { # NAME: the WAV has RECV_S/2 seconds or more and is not silence
	python3 "$TB_ROOT/tests/integration/wav_loud.py" "$TB_DIR/recv-$1.wav" "$((RECV_S / 2))"
}
recv_done() { ! kill -0 "${RECV_PID[$1]}" 2>/dev/null; }
