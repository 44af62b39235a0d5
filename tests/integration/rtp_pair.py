#!/usr/bin/env python3
"""Plain RTP both ways through a bridged call (tests/integration/test_calls.sh).

  rtp_pair.py IP A_PORT GW_PORT_FOR_A B_PORT GW_PORT_FOR_B GW_IP N

Party A (IP:A_PORT) sends N PCMU RTP packets to GW_IP:GW_PORT_FOR_A, party B
(IP:B_PORT) N to GW_IP:GW_PORT_FOR_B; prints "a2b=<received by B> b2a=<received
by A> pt101=<telephone-events B got>". Every third packet A sends is an RFC
4733 telephone-event (payload type 101). Bounded: 3 s of receiving at most.
"""
import select
import socket
import struct
import sys
import time

ip, a_port, gwa, b_port, gwb, gw, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], int(sys.argv[7])
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind((ip, a_port))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b.bind((ip, b_port))


def rtp(seq, ssrc, pt, payload):
    return struct.pack("!BBHII", 0x80, pt, seq, seq * 160, ssrc) + payload


got = {a: 0, b: 0}
pt101 = 0
for i in range(n):
    if i % 3 == 2:
        a.sendto(rtp(i, 0x1111, 101, bytes([5, 0x0a, 0, 160])), (gw, gwa))
    else:
        a.sendto(rtp(i, 0x1111, 0, b"\xff" * 160), (gw, gwa))
    b.sendto(rtp(i, 0x2222, 0, b"\x7f" * 160), (gw, gwb))
    time.sleep(0.01)
end = time.time() + 3
while time.time() < end and (got[a] < n or got[b] < n):
    r, _, _ = select.select([a, b], [], [], 0.2)
    for s in r:
        d = s.recv(2048)
        got[s] += 1
        if s is b and len(d) > 1 and d[1] & 0x7f == 101:
            pt101 += 1
print("a2b=%d b2a=%d pt101=%d" % (got[b], got[a], pt101))
