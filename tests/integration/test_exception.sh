#!/usr/bin/env bash
# The exception path (issue 11 item 1): what the dataplane does not handle
# reaches the kernel through a net_tap interface with the dataplane port's
# MAC and address, and what the kernel writes goes out through the dataplane,
# so a kernel TCP service answers on the dataplane's address. The dataplane
# keeps ARP and ICMP echo; UDP to unhandled ports stays dropped unless
# exception.udp_unhandled is set.
#
#   netns rtzp (off-link client)
#   rtzp0 198.18.39.2/24 <= veth => rtzc1 198.18.39.1/24
#   netns rtzc (client, router)                  netns rtzg (gateway)
#   rtzc0 198.18.38.1/24 <======= veth =======>  rtzg0: rtcgw-dataplane (af_packet)
#   curl                                         198.18.38.2/24
#                                                  |  exception path
#                                                rtzx0 (net_tap, NOARP,
#                                                198.18.38.2/24, same MAC):
#                                                python3 -m http.server :8080
. "$(dirname "$0")/lib.sh"

tb_init rtz 38 18118
tb_net_up
# net_af_packet shares the veth with the gateway namespace's kernel, which
# would now answer for the address it holds on the exception interface (ARP,
# ping, TCP) straight from the veth: strict reverse-path filtering and NOARP
# on the veth keep the kernel to what the exception path gives it
# (README.md "Exception path"; a PCI port bound to vfio needs none of this).
tb_g sysctl -qw "net.ipv4.conf.${TB}g0.rp_filter=1"
tb_g ip link set "${TB}g0" arp off
tb_peer_net_up 39      # an off-link client behind the client namespace (router)
# IPv6 too (2001:2::/48): the port's address6 goes on the exception
# interface as well, and TCP over IPv6 to it reaches the kernel
GW6=2001:2:0:38::2
CL6=2001:2:0:38::1
tb_client_ipv6 "$CL6/64"
tb_config
sed -i "s|^      gateway: $TB_CLIENT_IP\$|&\n      address6: $GW6/64\n      gateway6: $CL6|" "$TB_CONF"
cat >>"$TB_CONF" <<EOC
exception:
  enabled: true
  iface: ${TB}x0
  port: veth0
  tcp: true
  icmp: true
EOC
tb_check "dataplane starts with the exception interface" tb_start_dp || exit 1
tb_check "control plane attaches" tb_start_cp || exit 1
M() { tb_metric "rtcgw_$1_total"; }

# The kernel side: the port's address and MAC, NOARP, up.
tb_check "exception interface has the dataplane's address" \
	bash -c "ip netns exec $TB_NS_G ip -4 -o addr show dev ${TB}x0 | grep -q ' $TB_GW_IP/24 '"
tb_check "exception interface has the port's MAC" \
	test "$(tb_g cat "/sys/class/net/${TB}x0/address")" = "$TB_GW_MAC"
tb_check "exception interface is up and NOARP" \
	bash -c "ip netns exec $TB_NS_G ip -o link show dev ${TB}x0 | grep -q 'NOARP,UP'"

# A kernel HTTP service on the dataplane's address.
WEB=$TB_DIR/www
mkdir -p "$WEB"
echo "hello from the kernel of $TB" >"$WEB/hello.txt"
head -c 2000000 /dev/urandom >"$WEB/big.bin"
(cd "$WEB" && exec ip netns exec "$TB_NS_G" python3 -m http.server --bind "$TB_GW_IP" 8080) \
	>"$TB_DIR/http.log" 2>&1 &
TB_PIDS+=("$!")
tb_wait 10 tb_g bash -c "ss -ltn | grep -q '$TB_GW_IP:8080'" || tb_log "http.server not listening"

echo0=$(M icmp_echo_answered)
tb_c ping -c 3 -i 0.2 -W 1 "$TB_GW_IP" >"$TB_DIR/ping.out" 2>&1
tb_check "ping answered once each (by the dataplane, not also the kernel)" \
	bash -c "grep -q ' 3 received' $TB_DIR/ping.out && ! grep -q DUP $TB_DIR/ping.out"
tb_check "echo requests counted as answered by the dataplane" \
	tb_wait_metric_ge rtcgw_icmp_echo_answered_total $((echo0 + 3))

to0=$(M exc_to_kernel)
from0=$(M exc_from_kernel)
tb_check "curl through the exception path gets the kernel's page" \
	bash -c "ip netns exec $TB_NS_C curl -sf -m 10 http://$TB_GW_IP:8080/hello.txt | \
		 grep -qx 'hello from the kernel of $TB'"
tb_c curl -sf -m 30 -o "$TB_DIR/big.out" "http://$TB_GW_IP:8080/big.bin"
tb_check "2 MB download intact (checksums, MSS, segment order)" cmp -s "$WEB/big.bin" "$TB_DIR/big.out"
tb_check "frames to the kernel counted" tb_wait_metric_ge rtcgw_exc_to_kernel_total $((to0 + 100))
tb_check "frames from the kernel counted (>= 1380 full segments for 2 MB)" \
	tb_wait_metric_ge rtcgw_exc_from_kernel_total $((from0 + 1380))

# Five downloads in parallel (one TCP flow each).
ok=0
pids=()
for i in 1 2 3 4 5; do
	ip netns exec "$TB_NS_C" curl -sf -m 30 -o "$TB_DIR/par$i.out" "http://$TB_GW_IP:8080/big.bin" &
	pids+=("$!")
done
for i in 1 2 3 4 5; do
	wait "${pids[$((i - 1))]}" && cmp -s "$WEB/big.bin" "$TB_DIR/par$i.out" && ok=$((ok + 1))
done
tb_check "5 parallel downloads intact ($ok/5)" test "$ok" -eq 5

# An off-link client: the kernel routes by a device-only default route, the
# dataplane sends via the port's gateway.
tb_g ip route add default dev "${TB}x0"
tb_check "off-link client ($TB_PEER_IP) gets the page via the port's gateway" \
	bash -c "ip netns exec $TB_NS_P curl -sf -m 10 http://$TB_GW_IP:8080/hello.txt | \
		 grep -qx 'hello from the kernel of $TB'"

# A closed port: the kernel answers with a RST at once (no timeout).
start=$(date +%s%N)
tb_c curl -s -m 5 -o /dev/null "http://$TB_GW_IP:8081/" ; rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
tb_check "closed port refused by the kernel's RST (curl rc $rc, ${ms} ms)" \
	bash -c "[ $rc -eq 7 ] && [ $ms -lt 2000 ]"

# UDP to an unhandled port is not handed over (exception.udp_unhandled off).
sleep 0.3      # counters are refreshed every 100 ms
nh0=$(M udp_no_handler)
to0=$(M exc_to_kernel)
tb_c bash -c "echo x > /dev/udp/$TB_GW_IP/9999"
tb_check "UDP to an unhandled port still dropped and counted" \
	tb_wait_metric_ge rtcgw_udp_no_handler_total $((nh0 + 1))
sleep 0.2
tb_check "... and not handed to the kernel" test "$(M exc_to_kernel)" -eq "$to0"
tb_check "nothing from the kernel dropped" test "$(M exc_from_kernel_drop)" -eq 0
tb_check "no frame for the kernel dropped" test "$(M exc_to_kernel_drop)" -eq 0

tb_stop_pid "$TB_CP_PID"
tb_stop_pid "$TB_DP_PID"
tb_check "the exception interface is gone with the dataplane" \
	bash -c "! ip netns exec $TB_NS_G ip link show dev ${TB}x0 >/dev/null 2>&1"

# exception.udp_unhandled: UDP to ports no handler owns reaches the kernel.
printf '  udp_unhandled: true\n' >>"$TB_CONF"
tb_check "dataplane restarts with udp_unhandled" tb_start_dp || exit 1
tb_check "control plane attaches again" tb_start_cp || exit 1
ip netns exec "$TB_NS_G" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 9999))
s.settimeout(20)
for _ in range(3):
    try:
        d, a = s.recvfrom(2048)
    except socket.timeout:
        break
    s.sendto(b"echo:" + d, a)
' "$TB_GW_IP" >"$TB_DIR/udpecho.log" 2>&1 &
TB_PIDS+=("$!")
sleep 0.3
UDP() {
	ip netns exec "$TB_NS_C" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect((sys.argv[1], int(sys.argv[2])))
s.send(b"ping")
try:
    print(s.recv(2048).decode())
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")
' "$TB_GW_IP" "$1"
}
tb_check "UDP to an unhandled port answered by a kernel socket" test "$(UDP 9999)" = "echo:ping"
tb_check "UDP to a closed port: the kernel's ICMP port unreachable reaches the client" \
	test "$(UDP 9998)" = "refused"
tb_c timeout 10 stun "$TB_GW_IP" 1 -v -p 45001 >"$TB_DIR/stun.out" 2>&1
tb_check "the STUN port is still the dataplane's (Binding answered)" \
	grep -q "MappedAddress = $TB_CLIENT_IP:45001" "$TB_DIR/stun.out"

# ---- IPv6: the same kernel service over TCP/IPv6 -----------------------------------------
tb_check "exception interface has the port's IPv6 address" \
	bash -c "ip netns exec $TB_NS_G ip -6 -o addr show dev ${TB}x0 | grep -q ' $GW6/64 '"
(cd "$WEB" && exec ip netns exec "$TB_NS_G" python3 -m http.server --bind "$GW6" 8082) \
	>"$TB_DIR/http6.log" 2>&1 &
TB_PIDS+=("$!")
tb_wait 10 tb_g bash -c "ss -ltn | grep -q '\\[$GW6\\]:8082'" || tb_log "http.server (IPv6) not listening"
FK0=$(M exc_from_kernel)
tb_check "curl over IPv6 through the exception path gets the kernel's page" \
	bash -c "ip netns exec $TB_NS_C curl -sf -g -m 10 'http://[$GW6]:8082/hello.txt' | grep -q 'hello from the kernel of $TB'"
tb_c curl -sf -g -m 30 -o "$TB_DIR/big6.out" "http://[$GW6]:8082/big.bin"
tb_check "a 2 MB download over IPv6 intact" cmp -s "$TB_DIR/big6.out" "$WEB/big.bin"
tb_check "exc_from_kernel grew (the kernel's IPv6 segments went out through the dataplane)" \
	tb_wait 3 bash -c "[ \$(curl -s $TB_REST/metrics | awk '\$1 == \"rtcgw_exc_from_kernel_total\" { print \$2 }') -gt $FK0 ]"
tb_check "ping6 still answered by the dataplane" tb_c ping -6 -c 2 -i 0.2 -W 2 "$GW6"
tb_done
