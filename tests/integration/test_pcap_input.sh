#!/usr/bin/env bash
# Every class of malformed frame, replayed from a pcap through net_pcap: each
# is counted under its own reason and dropped, the good frames in between are
# still answered (the answers land in the output pcap), and the dataplane
# lives on. Unlike af_packet, net_pcap hands over lone IPv4 fragments too.
. "$(dirname "$0")/lib.sh"

tb_init rtp 6 18086
IN=$TB_DIR/in.pcap
OUT=$TB_DIR/out.pcap
GW_MAC=ff:ff:ff:ff:ff:ff   # net_pcap has no mac devarg: address the frames to broadcast
CL_MAC=02:00:00:00:06:01

# case:count:counter
CASES="arp-request:2:arp_request_answered unknown-ethertype:3:eth_unknown_type not-for-us-mac:3:eth_not_for_us
truncated-ipv4:2:ipv4_bad_hdr bad-ipv4-version:2:ipv4_bad_hdr bad-ipv4-ihl:2:ipv4_bad_hdr
ipv4-total-too-long:2:ipv4_bad_hdr bad-ipv4-checksum:3:ipv4_bad_cksum ipv4-fragment:4:ipv4_fragment
ipv4-not-for-us:3:ipv4_not_for_us bad-udp-length:3:udp_bad_hdr bad-udp-checksum:3:udp_bad_cksum
bad-icmp-checksum:3:icmp_bad truncated-arp:3:arp_bad udp-unhandled-port:3:udp_no_handler
icmp-echo:5:icmp_echo_answered"

python3 - "$IN" "$CL_MAC" "$GW_MAC" $CASES <<'PY'
import importlib.util, os, socket, struct, sys
spec = importlib.util.spec_from_file_location("rf", os.path.join(os.environ.get("TB_ROOT", "."), "tests/integration/rawframe.py"))
rf = importlib.util.module_from_spec(spec); spec.loader.exec_module(rf)
out, smac, dmac = sys.argv[1], rf.mac(sys.argv[2]), rf.mac(sys.argv[3])
sip, dip = "198.18.6.1", "198.18.6.2"
def frame(case):
    eth = dmac + smac
    if case == "icmp-echo":
        return eth + b"\x08\x00" + rf.ip4(sip, dip, 1, rf.icmp_echo())
    if case == "arp-request":
        return (b"\xff" * 6 + smac + b"\x08\x06" + b"\x00\x01\x08\x00\x06\x04\x00\x01" + smac +
                socket.inet_aton(sip) + b"\0" * 6 + socket.inet_aton(dip))
    return rf.build(case, smac, dmac, sip, dip)
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    t = 0
    for spec_ in sys.argv[4:]:
        case, n, _ = spec_.split(":")
        for _ in range(int(n)):
            b = frame(case)
            t += 1
            f.write(struct.pack("<IIII", 1700000000, t, len(b), len(b)) + b)
PY
[ -s "$IN" ] || { echo "not ok - pcap written"; exit 1; }

tb_net_up                    # the dataplane runs in the gateway netns
tb_config
# The port is the pcap pair instead of a veth.
sed -i "s|device: .*|device: net_pcap0,rx_pcap=$IN,tx_pcap=$OUT|" "$TB_CONF"
sed -i "s|gateway: .*|gateway: 198.18.6.1|" "$TB_CONF"
export TB_ROOT
tb_check "dataplane starts on net_pcap" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1

total=0
for c in $CASES; do IFS=: read -r _ n _ <<<"$c"; total=$((total + n)); done
tb_check "all $total frames read" tb_wait_metric_ge rtcgw_rx_pkts_total "$total" 10

# Sum the expected count per counter (several cases share one).
declare -A want
for c in $CASES; do
	IFS=: read -r _ n ctr <<<"$c"
	want[$ctr]=$(( ${want[$ctr]:-0} + n ))
done
for ctr in "${!want[@]}"; do
	tb_check "$ctr counted exactly ${want[$ctr]}" \
		bash -c "[ \"\$(curl -s '$TB_REST/metrics' | awk '\$1 == \"rtcgw_${ctr}_total\" { print \$2 }')\" = ${want[$ctr]} ]"
done
tb_check "dataplane still answers IPC after the bad input" tb_healthz_ok
tb_stop_pid "$TB_DP_PID" TERM
# Answers went out: 2 ARP replies + 5 echo replies (+ ARP for the echo
# replies' next hop is not needed: the ARP requests taught it).
cat > "$TB_DIR/replies.py" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, arp, echo = 24, 0, 0
while off + 16 <= len(d):
    incl = struct.unpack("<IIII", d[off:off + 16])[2]
    fr = d[off + 16: off + 16 + incl]
    off += 16 + incl
    if fr[12:14] == b"\x08\x06" and fr[21] == 2:
        arp += 1
    elif fr[12:14] == b"\x08\x00" and fr[23] == 1 and fr[34] == 0:
        echo += 1
print(arp, echo)
PY
tb_check "answers written: 2 ARP replies, 5 echo replies" \
	bash -c "[ \"\$(python3 '$TB_DIR/replies.py' '$OUT')\" = '2 5' ]"
tb_done
