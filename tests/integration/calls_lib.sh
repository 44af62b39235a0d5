# Helpers the calls API tests share (test_calls_webrtc.sh, test_calls_bundle.sh,
# test_calls_ipv6.sh); sourced after lib.sh and chromium_lib.sh.

# jget PAGE EXPR: a Python expression over the page's result JSON (r)
jget() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$RES/$1.result.json" "$2" 2>/dev/null; }
# urlq TEXT: TEXT URL-quoted (ng keys in a page's query string)
urlq() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
# api_post PATH OUT BODY: POST BODY's file to /v1/calls/PATH, the reply in OUT; prints the status
api_post() { tb_api -o "$2" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	--data-binary "@$3" "$TB_REST/v1/calls/$1"; }
# json_sdp FILE JSON: JSON (an object of ng keys) with "sdp" set to FILE's text
json_sdp() { python3 -c 'import json,sys; d=dict(json.loads(sys.argv[2])); d["sdp"]=open(sys.argv[1]).read(); print(json.dumps(d))' "$1" "$2"; }
# m_port FILE KIND: the port of FILE's first m=KIND line
m_port() { sed -n "s/^m=$2 \([0-9]*\) .*/\1/p" "$1" | head -1 | tr -d '\r'; }
