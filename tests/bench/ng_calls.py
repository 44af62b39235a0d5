#!/usr/bin/env python3
"""Set up or tear down N plain-RTP calls through a media proxy's ng socket
(rtcgw's calls, or rtpengine), for scripts/bench_calls.sh. stdlib only; the
bencode codec is tests/integration/ng_client.py's.

  ng_calls.py HOST PORT setup N CLIENT_IP BASE_PORT OUTFILE
      offer + answer for calls bench-0 .. bench-(N-1): party A receives on
      CLIENT_IP:BASE_PORT+4i, party B on BASE_PORT+4i+2; writes one line per
      call to OUTFILE: "A_PORT GW_PORT_FOR_A B_PORT GW_PORT_FOR_B" (A sends to
      GW_PORT_FOR_A, which the proxy forwards to B, and back), and prints
      "ops=2N seconds=S ops_per_s=R".
  ng_calls.py HOST PORT delete N
      delete them; prints the same line for the N deletes.

One request at a time, each waiting for its reply (what a SIP proxy's one
transaction does); a reply that is an error, or none within 2 s, stops it
with exit 1.
"""
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from ng_client import bdec, benc  # noqa: E402

PORT_RE = re.compile(r"^m=audio (\d+) ", re.M)


def sdp(ip, port, sess):
    return ("v=0\r\no=- %d 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n" % (sess, ip, ip, port))


class Ng:
    def __init__(self, host, port):
        self.addr = (host, port)
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.settimeout(2)
        self.n = 0

    def req(self, d):
        self.n += 1
        cookie = b"b%d_%d" % (os.getpid(), self.n)
        self.s.sendto(cookie + b" " + benc(d), self.addr)
        while True:
            data = self.s.recvfrom(65536)[0]
            c, _, body = data.partition(b" ")
            if c == cookie:
                break
        r, _ = bdec(body)
        if r.get("result") != "ok":
            sys.exit("ng %s %s: %s" % (d["command"], d.get("call-id"), r))
        return r


def main():
    host, port, what, n = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    ng = Ng(host, port)
    t0 = time.monotonic()
    if what == "setup":
        ip, base, out = sys.argv[5], int(sys.argv[6]), sys.argv[7]
        lines = []
        for i in range(n):
            a, b = base + 4 * i, base + 4 * i + 2
            cid = "bench-%d" % i
            r = ng.req({"command": "offer", "call-id": cid, "from-tag": "a%d" % i,
                        "sdp": sdp(ip, a, 1000 + i)})
            gwb = int(PORT_RE.search(r["sdp"]).group(1))
            r = ng.req({"command": "answer", "call-id": cid, "from-tag": "a%d" % i,
                        "to-tag": "b%d" % i, "sdp": sdp(ip, b, 2000 + i)})
            gwa = int(PORT_RE.search(r["sdp"]).group(1))
            lines.append("%d %d %d %d\n" % (a, gwa, b, gwb))
        ops = 2 * n
        with open(out, "w") as f:
            f.writelines(lines)
    else:
        for i in range(n):
            ng.req({"command": "delete", "call-id": "bench-%d" % i, "from-tag": "a%d" % i})
        ops = n
    dt = time.monotonic() - t0
    print("ops=%d seconds=%.3f ops_per_s=%.0f" % (ops, dt, ops / dt if dt > 0 else 0))


if __name__ == "__main__":
    main()
