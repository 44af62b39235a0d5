#!/usr/bin/env python3
"""One plain RTP party of a bridged call, in its own namespace
(tests/integration/test_calls_2if.sh).

  rtp_party.py BIND_IP BIND_PORT DST_IP DST_PORT N

Binds BIND_IP:BIND_PORT, waits 0.5 s (so that the other party, started at
the same time, has bound its socket too), then sends N PCMU RTP packets
(10 ms apart) to DST_IP:DST_PORT while receiving; prints "got=<received> from=<sources>", the
sources as a sorted, comma-separated list of IP:port. Bounded: 0.5 s, the
sending, then at most 3 s of receiving.
"""
import select
import socket
import struct
import sys
import time

bind_ip, bind_port, dst_ip, dst_port, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], \
    int(sys.argv[4]), int(sys.argv[5])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((bind_ip, bind_port))
got, srcs = 0, set()
time.sleep(0.5)


def take(timeout):
    global got
    r, _, _ = select.select([s], [], [], timeout)
    if r:
        _, a = s.recvfrom(2048)
        got += 1
        srcs.add("%s:%d" % a)


for i in range(n):
    s.sendto(struct.pack("!BBHII", 0x80, 0, i, i * 160, 0x5151) + b"\xff" * 160,
             (dst_ip, dst_port))
    end = time.time() + 0.01
    while time.time() < end:
        take(max(0.0, end - time.time()))
end = time.time() + 3
while time.time() < end and got < n:
    take(0.1)
print("got=%d from=%s" % (got, ",".join(sorted(srcs))))
