#!/usr/bin/env bash
# The Grafana dashboard (scripts/dist/grafana/rtcgw.json) against a running
# gateway: it is valid dashboard JSON, every metric any of its queries (and
# its variables) references is a sample in the control plane's /metrics, and
# every counter that counts a drop is on it (a new drop reason needs a line
# on the "drops by reason" panels).
#
#   netns rtoc 198.18.12.1 <= veth => rtog (dataplane on net_af_packet, 198.18.12.2)
#   control plane REST 127.0.0.1:18092
. "$(dirname "$0")/lib.sh"
tb_init rto 12 18092
DASH=$TB_ROOT/scripts/dist/grafana/rtcgw.json
tb_net_up
tb_config
tb_start_dp && tb_start_cp
tb_c ping -c 1 -W 2 "$TB_GW_IP" >/dev/null 2>&1
curl -s -m 5 "$TB_REST/metrics" > "$TB_DIR/metrics"
tb_check "/metrics answers with the dataplane up" grep -qx 'rtcgw_dataplane_up 1' "$TB_DIR/metrics"

python3 - "$DASH" "$TB_DIR/metrics" > "$TB_DIR/dash.out" 2>&1 <<'PY'
import json, re, sys
dash = json.load(open(sys.argv[1]))
samples = set()
for line in open(sys.argv[2]):
    if line and not line.startswith("#"):
        samples.add(re.split(r"[{ ]", line, 1)[0])
exprs = []
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k in ("expr", "definition") and isinstance(v, str):
                exprs.append(v)
            elif k == "query" and isinstance(v, str):
                exprs.append(v)
            else:
                walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(dash)
used = set()
for e in exprs:
    used.update(re.findall(r"\brtcgw_[a-z0-9_]+", e))
print("queries", len(exprs), "metrics", len(used))
missing = sorted(used - samples)
for m in missing:
    print("MISSING", m)
drops = sorted(s for s in samples if "drop" in s and s.endswith("_total"))
for m in drops:
    if m not in used:
        print("NOT ON DASHBOARD", m)
ids = [p["id"] for p in dash["panels"]]
ok_shape = (dash.get("uid") and dash.get("title") and len(ids) == len(set(ids))
            and all("gridPos" in p for p in dash["panels"])
            and all(t.get("expr") for p in dash["panels"] if p["type"] != "row"
                    for t in p.get("targets", [])))
print("SHAPE", "ok" if ok_shape else "bad")
PY
tb_check "the dashboard is valid JSON with queries" grep -Eq '^queries [1-9][0-9]* metrics [1-9]' "$TB_DIR/dash.out"
tb_check "panels have unique ids, positions and a query each" grep -qx 'SHAPE ok' "$TB_DIR/dash.out"
tb_check "every metric the dashboard references is in /metrics" bash -c "! grep -q '^MISSING' '$TB_DIR/dash.out'"
tb_check "every drop counter in /metrics is on the dashboard" bash -c "! grep -q '^NOT ON DASHBOARD' '$TB_DIR/dash.out'"
for m in rtcgw_turn_to_peer_pkts_total rtcgw_turn_to_client_bytes_total rtcgw_turn_allocations_active \
		rtcgw_stun_binding_ok_total rtcgw_port_rx_packets_total rtcgw_ice_leg_added_total; do
	tb_check "the dashboard shows $m" grep -q "$m" "$DASH"
done
[ "$TB_FAIL" -eq 0 ] || sed 's/^/#   /' "$TB_DIR/dash.out"
tb_done
