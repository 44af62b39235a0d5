#!/usr/bin/env python3
"""Party A moves to another source port mid-call (tests/integration/test_calls.sh:
ng's strict-source and media-handover).

  rtp_move.py IP A_PORT A2_PORT GW_PORT_FOR_A B_PORT GW_PORT_FOR_B GW_IP N

1. A (IP:A_PORT) and B (IP:B_PORT) send N PCMU RTP packets each to the
   gateway's ports for them (A's first packet latches A).
2. A2 (IP:A2_PORT: A, moved) sends N to A's gateway port, then B sends N more.
Prints "p1_a2b=<B got> p1_b2a=<A got> p2_a2b=<B got from A2's> p2_b2a_old=<A
got> p2_b2a_new=<A2 got>". Bounded: 2 s of receiving per phase at most.
"""
import select
import socket
import struct
import sys
import time

ip, a_port, a2_port, gwa, b_port, gwb, gw, n = sys.argv[1], int(sys.argv[2]), \
    int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), sys.argv[7], \
    int(sys.argv[8])
socks = {}
for name, port in (("a", a_port), ("a2", a2_port), ("b", b_port)):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, port))
    socks[name] = s


def rtp(seq, ssrc):
    return struct.pack("!BBHII", 0x80, 0, seq, seq * 160, ssrc) + b"\xff" * 160


def send(name, port, ssrc, first):
    for i in range(n):
        socks[name].sendto(rtp(first + i, ssrc), (gw, port))
        time.sleep(0.005)


def drain(total):
    """Count what each socket receives until total packets came (then 0.3 s
    more for strays) or 2 s passed."""
    got = {k: 0 for k in socks}
    end = time.time() + 2
    while time.time() < end:
        if sum(got.values()) >= total:
            end = min(end, time.time() + 0.3)
        r, _, _ = select.select(list(socks.values()), [], [], 0.1)
        for s in r:
            s.recv(2048)
            for k, v in socks.items():
                if v is s:
                    got[k] += 1
    return got


send("a", gwa, 0x1111, 0)
send("b", gwb, 0x2222, 0)
g1 = drain(2 * n)
send("a2", gwa, 0x1111, n)
time.sleep(0.1)
g2 = drain(n)
send("b", gwb, 0x2222, n)
g3 = drain(n)
print("p1_a2b=%d p1_b2a=%d p2_a2b=%d p2_b2a_old=%d p2_b2a_new=%d" %
      (g1["b"], g1["a"], g2["b"], g3["a"], g3["a2"]))
