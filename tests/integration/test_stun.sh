#!/usr/bin/env bash
# STUN server and ICE-lite responder (issue 3): real STUN clients nobody here
# wrote (Debian's stunclient, coturn's turnutils_stunclient) learn their
# address from the dataplane; an ICE peer (stun_peer.py) with the right
# credentials is answered, with wrong ones gets 401; nomination and consent
# loss reach the control plane (REST API and log); every outcome is counted.
. "$(dirname "$0")/lib.sh"

tb_init rti 3 18083
TB_CONF_MEDIA="  port_min: 40000
  port_max: 40999
  consent_timeout_s: 5"
tb_net_up
tb_config
tb_check "dataplane starts" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1

PEER="$TB_ROOT/tests/integration/stun_peer.py"
M() { tb_metric "rtcgw_$1_total"; }
# counted NAME N: metric rtcgw_NAME_total reaches N within 3 s
counted() { tb_wait_metric_ge "rtcgw_$1_total" "$2" 3 || { tb_log "$1 = $(M "$1"), wanted >= $2"; return 1; }; }
peer() { tb_c python3 "$PEER" "$TB_GW_IP" "$@"; }
# The client knows the gateway's MAC: the first answer does not race ARP.
tb_c ip neigh replace "$TB_GW_IP" lladdr "$TB_GW_MAC" dev "${TB}c0" nud permanent
# Full UDP checksums from the client's veth (see txcsum_off.py).
tb_c python3 "$TB_ROOT/tests/integration/txcsum_off.py" "${TB}c0"

# 1. Real STUN clients.
# Debian's stun-client is the Vovida RFC 3489 client (/usr/bin/stun); test 1
# is the plain Binding request of RFC 3489 §10.1 test I.
stunclient_ok() {
	tb_c timeout 10 stun "$TB_GW_IP" 1 -v -p 45001 > "$TB_DIR/stunclient.out" 2>&1
	grep -q "MappedAddress = $TB_CLIENT_IP:45001" "$TB_DIR/stunclient.out" ||
	{ sed 's/^/#   /' "$TB_DIR/stunclient.out"; return 1; }
}
tb_check "stun-client (RFC 3489): mapped address $TB_CLIENT_IP:45001" stunclient_ok
tb_check "stun_classic_ok counted" counted stun_classic_ok 1
turnutils_ok() {
	tb_c timeout 10 turnutils_stunclient -p 3478 "$TB_GW_IP" > "$TB_DIR/turnutils.out" 2>&1
	grep -Eq "UDP reflexive addr: $TB_CLIENT_IP:[0-9]+" "$TB_DIR/turnutils.out" ||
	{ sed 's/^/#   /' "$TB_DIR/turnutils.out"; return 1; }
}
tb_check "turnutils_stunclient: reflexive address $TB_CLIENT_IP" turnutils_ok
tb_check "stun_binding_ok counted" counted stun_binding_ok 1

# 2. The STUN server's other outcomes.
tb_check "binding with FINGERPRINT: mapped address" \
	bash -c "ip netns exec $TB_NS_C python3 $PEER $TB_GW_IP 3478 binding --sport 45002 | grep -qx '200 $TB_CLIENT_IP:45002'"
tb_check "RFC 3489 binding: MAPPED-ADDRESS" \
	bash -c "ip netns exec $TB_NS_C python3 $PEER $TB_GW_IP 3478 classic --sport 45003 | grep -qx '200 $TB_CLIENT_IP:45003'"
tb_check "stun_classic_ok counted" counted stun_classic_ok 2
tb_check "unknown comprehension-required attribute: 420" peer 3478 binding --unknown-attr --expect 420
tb_check "stun_unknown_attr counted" counted stun_unknown_attr 1
tb_check "malformed STUN: no answer" peer 3478 garbage --expect none --timeout 1
tb_check "stun_drop_malformed counted" counted stun_drop_malformed 1

# RFC 3489 NAT-type test: CHANGE-REQUEST for another address is not answered
# (one address here), so the client's test II times out.
tb_c timeout 20 stun "$TB_GW_IP" -p 45004 > "$TB_DIR/stun-nat.out" 2>&1
tb_check "RFC 3489 CHANGE-REQUEST not answered, counted" counted stun_drop_classic 1

# 3. ICE legs over REST.
api_code() { curl -s -m 5 -o "$TB_DIR/body" -w '%{http_code}' -H "Authorization: Bearer $TB_TOKEN" "$@"; }
is_json_error() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d.get("error") else 1)' "$TB_DIR/body"; }
bad_body() {
	[ "$(api_code -X POST -d "$1" "$TB_REST/v1/ice/legs")" = 400 ] && is_json_error ||
	{ tb_log "body $1: $(cat "$TB_DIR/body")"; return 1; }
}
tb_check "POST without remote_ufrag: 400 JSON" bad_body '{"port": 40000}'
tb_check "POST port outside media range: 400" bad_body '{"port": 3478, "remote_ufrag": "peerR"}'
tb_check "POST bad JSON: 400" bad_body '{"port": '
tb_check "POST unknown member: 400" bad_body '{"port": 40000, "remote_ufrag": "peerR", "x": 1}'
tb_check "POST short password: 400" bad_body '{"port": 40000, "remote_ufrag": "peerR", "local_pwd": "short"}'
tb_check "POST ufrag with ':': 400" bad_body '{"port": 40000, "remote_ufrag": "pe:rR"}'

j() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$TB_DIR/$1" "$2"; }
create_leg() {
	[ "$(api_code -X POST -d '{"port": 40000, "remote_ufrag": "peerR"}' "$TB_REST/v1/ice/legs")" = 201 ] &&
	cp "$TB_DIR/body" "$TB_DIR/leg.json"
}
tb_check "POST /v1/ice/legs: 201" create_leg || exit 1
ID=$(j leg.json 'd["id"]')
LU=$(j leg.json 'd["local_ufrag"]')
LP=$(j leg.json 'd["local_pwd"]')
tb_check "generated ufrag/pwd have RFC 8445 lengths" \
	bash -c "[ ${#LU} -ge 4 ] && [ ${#LP} -ge 22 ]"
leg_state() {
	api_code "$TB_REST/v1/ice/legs/$ID" >/dev/null && cp "$TB_DIR/body" "$TB_DIR/get.json" &&
	[ "$(j get.json 'd["state"]')" = "$1" ]
}
tb_check "leg published: state waiting" tb_wait 3 leg_state waiting
tb_check "duplicate local_ufrag: 409" \
	bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $TB_TOKEN' -X POST -d '{\"port\": 40000, \"remote_ufrag\": \"x1234\", \"local_ufrag\": \"$LU\"}' $TB_REST/v1/ice/legs)\" = 409 ]"

# 4. Connectivity checks.
ice() { peer 40000 ice --user "$LU:peerR" "$@"; }
tb_check "ICE check with the right credentials: success (MI, FP verified)" ice --pwd "$LP" --sport 45010
tb_check "ICE check with a wrong password: 401" ice --pwd "wrongwrongwrongwrongwrong" --expect 401
tb_check "ICE check with an unknown ufrag: 401" peer 40000 ice --user "nobody:peerR" --pwd "$LP" --expect 401
tb_check "ICE check with the wrong remote ufrag: 401" peer 40000 ice --user "$LU:other" --pwd "$LP" --expect 401
tb_check "ICE check on another media port: 401" peer 40001 ice --user "$LU:peerR" --pwd "$LP" --expect 401
tb_check "ICE check without MESSAGE-INTEGRITY: 400" ice --expect 400
tb_check "ICE check from a controlled peer: 487" ice --pwd "$LP" --controlled --expect 487
tb_check "not nominated yet" leg_state waiting
tb_check "ICE check with USE-CANDIDATE: success" ice --pwd "$LP" --use-candidate --sport 45011
tb_check "leg nominated with the peer's address" tb_wait 3 leg_state nominated
tb_check "selected address is $TB_CLIENT_IP:45011" \
	bash -c "[ \"$(j get.json '"%s:%d" % (d["selected"]["address"], d["selected"]["port"])')\" = $TB_CLIENT_IP:45011 ]"
tb_check "nomination event logged by the control plane" \
	grep -q "ice leg $ID: nominated $TB_CLIENT_IP:45011" "$TB_DIR/cp.log"
tb_check "ice_ok counted" counted ice_ok 2
tb_check "ice_bad_mac counted" counted ice_bad_mac 1
tb_check "ice_unknown_user counted" counted ice_unknown_user 3
tb_check "ice_no_auth counted" counted ice_no_auth 1
tb_check "ice_role_conflict counted" counted ice_role_conflict 1
tb_check "ice_nominated counted" counted ice_nominated 1

# 5. Consent freshness: checks keep it, silence loses it (5 s here).
for i in 1 2 3; do ice --pwd "$LP" --sport 45011 >/dev/null; sleep 2; done
tb_check "consent kept by checks every 2 s" leg_state nominated
tb_check "consent lost after 5 s without checks" tb_wait 9 leg_state consent_lost
tb_check "consent-lost event logged" grep -q "ice leg $ID: consent lost" "$TB_DIR/cp.log"
tb_check "ice_consent_lost counted" counted ice_consent_lost 1

# 6. Delete.
tb_check "DELETE leg: 204" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $TB_TOKEN' -X DELETE $TB_REST/v1/ice/legs/$ID)\" = 204 ]"
tb_check "GET deleted leg: 404" bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $TB_TOKEN' $TB_REST/v1/ice/legs/$ID)\" = 404 ]"
tb_check "ICE check after delete: 401" ice --pwd "$LP" --expect 401
tb_check "ice_leg_removed counted" counted ice_leg_removed 1
tb_check "dataplane alive" tb_c ping -c 1 -W 2 "$TB_GW_IP"
tb_done
