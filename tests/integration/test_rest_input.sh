#!/usr/bin/env bash
# REST input (issue 10, item 8): control characters in the decoded URI, HEAD,
# a huge declared body, garbage request lines. Every answer is a JSON error
# {"error": "..."} with the fitting status, sent at once.
#
#   curl / tests/integration/rest_raw.py (127.0.0.1)  ==>  REST 127.0.0.1:18090
#   + the usual testbed (lib.sh): dataplane in netns rthg, TURN on (credentials).
. "$(dirname "$0")/lib.sh"

TB_CONF_TURN="  enabled: true
  auth_secrets: [rtcgw-test-auth-secret-0123]"
tb_init rth 10 18090
tb_net_up
tb_config
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane starts" tb_start_cp || exit 1

AUTH="Authorization: Bearer $TB_TOKEN\r\n"
# raw REQUEST ARGS...: rest_raw.py against the REST port.
raw() {
	local req=$1
	shift
	python3 "$TB_ROOT/tests/integration/rest_raw.py" "$TB_REST_PORT" "$req" "$@"
}
# GET TARGET with the token, one request per connection.
get() { printf 'GET %s HTTP/1.1\\r\\nHost: rtcgw\\r\\n%sConnection: close\\r\\n\\r\\n' "$1" "$AUTH"; }

# 1. NUL and other control characters in the decoded query or path: 400.
tb_check "username=alice still gets credentials" \
	raw "$(get '/v1/turn/credentials?username=alice')" --status 200
# Query values: 400. A path: 400, or 404 (it names no resource either way).
for t in '/v1/turn/credentials?username=a%00b' '/v1/turn/credentials?username=a%0d%0aX' \
	 '/v1/turn/credentials?username=a&ttl=60%01' '/v1/stats%zz'; do
	tb_check "$t: 400 JSON" raw "$(get "$t")" --status 400 --json-error --within 1
done
for t in '/v1/stats%00' '/healthz%7f'; do
	tb_check "$t is not ${t%\%*}: 400 JSON" raw "$(get "$t")" --status 400,404 --json-error --within 1
done

# 2. HEAD on every GET route: answered like GET, without a body.
tb_check "HEAD /healthz: 200, Content-Length, no body" \
	raw 'HEAD /healthz HTTP/1.1\r\nHost: rtcgw\r\n\r\n' --status 200 --no-body --within 1
tb_check "HEAD /metrics: 200, no body" \
	raw 'HEAD /metrics HTTP/1.1\r\nHost: rtcgw\r\n\r\n' --status 200 --no-body --within 1
tb_check "HEAD /v1/stats with the token: 200, no body" \
	raw "HEAD /v1/stats HTTP/1.1\\r\\nHost: rtcgw\\r\\n$AUTH\\r\\n" --status 200 --no-body --within 1
tb_check "HEAD /v1/stats without the token: 401" \
	raw 'HEAD /v1/stats HTTP/1.1\r\nHost: rtcgw\r\n\r\n' --status 401 --within 1
tb_check "curl -I /healthz: 200" bash -c \
	"curl -s -m 2 -I '$TB_REST/healthz' | head -1 | grep -q ' 200 '"
tb_check "405 names the allowed methods" bash -c \
	"curl -s -m 2 -i -X PUT '$TB_REST/healthz' | grep -qi '^Allow: GET, HEAD'"

# 3. A declared 10 GB body: 413 at once, before any body byte, and closed.
tb_check "Content-Length 10 GB: 413 JSON within 1 s, closed" \
	raw "POST /v1/ice/legs HTTP/1.1\\r\\nHost: rtcgw\\r\\n${AUTH}Content-Type: application/json\\r\\nContent-Length: 10000000000\\r\\n\\r\\n" \
	--status 413 --json-error --close --within 1
tb_check "Content-Length 65537: 413 at once" \
	raw "POST /v1/ice/legs HTTP/1.1\\r\\nHost: rtcgw\\r\\n${AUTH}Content-Length: 65537\\r\\n\\r\\n" \
	--status 413 --json-error --close --within 1
tb_check "a small body is still read: POST /v1/ice/legs 400 for bad JSON" \
	raw "POST /v1/ice/legs HTTP/1.1\\r\\nHost: rtcgw\\r\\n${AUTH}Content-Length: 3\\r\\nConnection: close\\r\\n\\r\\n{x}" \
	--status 400 --json-error --within 1

# 4. Garbage request lines: 400 JSON (414, 505 where those fit), then closed.
tb_check "one-word garbage: 400 JSON, closed" \
	raw 'GARBAGE\r\n\r\n' --status 400 --json-error --close --within 1
tb_check "two-word garbage: 400 JSON, closed" \
	raw 'GARBAGE GARBAGE\r\n\r\n' --status 400 --json-error --close --within 1
tb_check "binary (a TLS ClientHello): 400 JSON, closed" \
	raw '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03' --status 400 --json-error --close --within 1
tb_check "control byte in the request target: 400 JSON, closed" \
	raw 'GET /x\x01y HTTP/1.1\r\n\r\n' --status 400 --json-error --close --within 1
tb_check "HTTP/9.9: 505 JSON, closed" \
	raw 'GET /healthz HTTP/9.9\r\n\r\n' --status 505 --json-error --close --within 1
tb_check "HTTP/2 prior knowledge: 505 JSON, closed" \
	raw 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n' --status 505 --json-error --close --within 1
long=$(printf 'a%.0s' $(seq 1 9000))
tb_check "9 KB request line: 414 JSON, closed" \
	raw "GET /$long HTTP/1.1\\r\\n\\r\\n" --status 414 --json-error --close --within 1

tb_check "refusals counted in /metrics" bash -c \
	"curl -s -m 2 '$TB_REST/metrics' | awk '\$1 == \"rtcgw_rest_bad_request_line_total\" && \$2 >= 7 { a = 1 } \$1 == \"rtcgw_rest_bad_target_total\" && \$2 >= 6 { b = 1 } \$1 == \"rtcgw_rest_body_too_large_total\" && \$2 >= 2 { c = 1 } END { exit !(a && b && c) }'"
tb_check "control plane alive" kill -0 "$TB_CP_PID"
tb_done
