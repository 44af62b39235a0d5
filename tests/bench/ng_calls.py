#!/usr/bin/env python3
"""Set up or tear down N calls through a media proxy's ng socket (rtcgw's
calls, or rtpengine), for scripts/bench_calls.sh. stdlib only; the bencode
codec is tests/integration/ng_client.py's.

  ng_calls.py HOST PORT setup N CLIENT_IP BASE_PORT OUTFILE [plain|sdes]
      offer + answer for calls bench-0 .. bench-(N-1): party A receives on
      CLIENT_IP:BASE_PORT+4i, party B on BASE_PORT+4i+2; writes one line per
      call to OUTFILE: "A_PORT GW_PORT_FOR_A B_PORT GW_PORT_FOR_B" (A sends to
      GW_PORT_FOR_A, which the proxy forwards to B, and back), and prints
      "ops=2N seconds=S ops_per_s=R".
      plain (default): both parties RTP/AVP.
      sdes: party A offers RTP/SAVP with a=crypto:1 AES_CM_128_HMAC_SHA1_80
      (a fresh random key per call) and asks for plain RTP toward B
      ("transport-protocol": "RTP/AVP", the same request for both proxies);
      B answers RTP/AVP. The offer's reply (what B sees) must be RTP/AVP
      without a=crypto, the answer's reply (what A sees) RTP/SAVP with the
      proxy's own a=crypto:1 AES_CM_128_HMAC_SHA1_80 key; the line gets
      " A_TX_KEY A_RX_KEY" (A's key and the proxy's, key||salt in hex) for
      rtcgw_loadgen --mode rtp.
  ng_calls.py HOST PORT delete N
      delete them; prints the same line for the N deletes.

One request at a time, each waiting for its reply (what a SIP proxy's one
transaction does); a reply that is an error, or none within 2 s, stops it
with exit 1.
"""
import base64
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from ng_client import bdec, benc  # noqa: E402

PORT_RE = re.compile(r"^m=audio (\d+) ", re.M)
PROTO_RE = re.compile(r"^m=audio \d+ (\S+) ", re.M)
# The key||salt only: a lifetime ("|2^31") may follow; an MKI ("|1:4") would
# need an MKI in every packet, which the generator does not do: refused.
CRYPTO_RE = re.compile(r"^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:([A-Za-z0-9+/=]{40})(\|[^\r\n]*)?\r?$",
                       re.M)


def sdp(ip, port, sess, crypto=None):
    proto, extra = "RTP/AVP", ""
    if crypto:
        proto = "RTP/SAVP"
        extra = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n" % crypto
    return ("v=0\r\no=- %d 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d %s 0\r\na=rtpmap:0 PCMU/8000\r\n%sa=sendrecv\r\n"
            % (sess, ip, ip, port, proto, extra))


def answer_key(cid, body):
    """The proxy's key for party A from the answer's reply, as hex."""
    if PROTO_RE.search(body).group(1) != "RTP/SAVP":
        sys.exit("ng answer %s: party A is not offered RTP/SAVP: %r" % (cid, body))
    m = CRYPTO_RE.search(body)
    if not m or (m.group(2) and ":" in m.group(2)):
        sys.exit("ng answer %s: no usable a=crypto:1 AES_CM_128_HMAC_SHA1_80 (MKI?): %r"
                 % (cid, body))
    return base64.b64decode(m.group(1)).hex()


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
        mode = sys.argv[8] if len(sys.argv) > 8 else "plain"
        if mode not in ("plain", "sdes"):
            sys.exit("mode: plain or sdes")
        lines = []
        for i in range(n):
            a, b = base + 4 * i, base + 4 * i + 2
            cid = "bench-%d" % i
            offer = {"command": "offer", "call-id": cid, "from-tag": "a%d" % i}
            keys = ""
            if mode == "sdes":
                ka = os.urandom(30)
                offer["sdp"] = sdp(ip, a, 1000 + i, base64.b64encode(ka).decode())
                offer["transport-protocol"] = "RTP/AVP"
            else:
                offer["sdp"] = sdp(ip, a, 1000 + i)
            r = ng.req(offer)
            if PROTO_RE.search(r["sdp"]).group(1) != "RTP/AVP" or "a=crypto" in r["sdp"]:
                sys.exit("ng offer %s: party B is not offered plain RTP/AVP: %r" % (cid, r["sdp"]))
            gwb = int(PORT_RE.search(r["sdp"]).group(1))
            r = ng.req({"command": "answer", "call-id": cid, "from-tag": "a%d" % i,
                        "to-tag": "b%d" % i, "sdp": sdp(ip, b, 2000 + i)})
            gwa = int(PORT_RE.search(r["sdp"]).group(1))
            if mode == "sdes":
                keys = " %s %s" % (ka.hex(), answer_key(cid, r["sdp"]))
            lines.append("%d %d %d %d%s\n" % (a, gwa, b, gwb, keys))
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
