#!/usr/bin/env python3
"""ng control-plane benchmark (issue 9): offer + answer + delete cycles.

  ng_bench.py HOST PORT PID CYCLES MODE

Sends CYCLES calls one after the other (one request outstanding), each an
offer from a SIP party, the answer of the other party and a delete, to the ng
server at HOST:PORT, and reads the server's CPU time (utime + stime of
/proc/PID/stat, all its threads) before and after. MODE is the call mix:
  plain   RTP/AVP offer, RTP/AVP answer
  sdes    RTP/SAVP offer (a=crypto AES_CM_128_HMAC_SHA1_80) bridged to
          RTP/AVP (transport-protocol), RTP/AVP answer
  webrtc  RTP/AVP offer bridged to WebRTC (ICE=force DTLS=passive
          UDP/TLS/RTP/SAVPF), a browser-like answer (ICE, fingerprint, active)
An offer or answer refused as busy is retried after 1 ms (counted). Prints
one line: mode, cycles, errors, busy retries, wall s, cycles/s, server CPU s,
cycles per server CPU-second.
"""
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from ng_client import bdec, benc  # noqa: E402

HOST, PORT, PID, CYCLES, MODE = (sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
                                 int(sys.argv[4]), sys.argv[5])
IP = "198.18.49.1"
HZ = os.sysconf("SC_CLK_TCK")


def cpu():
    with open("/proc/%d/stat" % PID) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / HZ


def sdp(port, proto, extra=""):
    return ("v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d %s 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
            "a=rtpmap:101 telephone-event/8000\r\n%sa=sendrecv\r\n") % (IP, IP, port, proto, extra)


KEY = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"
FP = ":".join(["AB"] * 32)
if MODE == "plain":
    OFFER, ANSWER, FLAGS = sdp(30000, "RTP/AVP"), sdp(30010, "RTP/AVP"), {}
elif MODE == "sdes":
    OFFER = sdp(30000, "RTP/SAVP", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:%s\r\n" % KEY)
    ANSWER, FLAGS = sdp(30010, "RTP/AVP"), {"transport-protocol": "RTP/AVP"}
elif MODE == "webrtc":
    OFFER = sdp(30000, "RTP/AVP")
    ANSWER = sdp(30010, "UDP/TLS/RTP/SAVPF",
                 "a=mid:0\r\na=ice-ufrag:bnch\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n"
                 "a=fingerprint:sha-256 %s\r\na=setup:active\r\na=rtcp-mux\r\n"
                 "a=candidate:1 1 udp 2122260223 %s 30010 typ host\r\n" % (FP, IP))
    FLAGS = {"ICE": "force", "DTLS": "passive", "transport-protocol": "UDP/TLS/RTP/SAVPF"}
else:
    sys.exit("mode: plain, sdes or webrtc")

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
s.connect((HOST, PORT))
seq = 0


def req(d):
    global seq
    seq += 1
    cookie = b"b%d " % seq
    s.send(cookie + benc(d))
    while True:
        r = s.recv(65536)
        if r.startswith(cookie):
            return bdec(r[len(cookie):])[0]


def req_retry(d):
    """A request refused as busy (rtcgw's command ring to the dataplane is
    full) is sent again 1 ms later, as a proxy would retry."""
    global retries
    for _ in range(2000):
        r = req(d)
        if r.get("result") != "error" or "busy" not in r.get("error-reason", ""):
            return r
        retries += 1
        time.sleep(0.001)
    return r


errors = retries = 0
c0, t0 = cpu(), time.monotonic()
for i in range(CYCLES):
    cid = "bench-%s-%d" % (MODE, i)
    try:
        o = dict(command="offer", **{"call-id": cid, "from-tag": "a", "sdp": OFFER,
                                      "flags": ["trust-address"], "replace": ["origin"]})
        o.update(FLAGS)
        r1 = req_retry(o)
        r2 = req_retry({"command": "answer", "call-id": cid, "from-tag": "a", "to-tag": "b",
                  "sdp": ANSWER, "flags": ["trust-address"], "replace": ["origin"]})
        r3 = req({"command": "delete", "call-id": cid, "from-tag": "a"})
        if any(r.get("result") != "ok" for r in (r1, r2, r3)):
            errors += 1
            if errors == 1:
                sys.stderr.write("first error: %r %r %r\n" % (r1, r2, r3))
    except socket.timeout:
        errors += 1
wall, c = time.monotonic() - t0, cpu() - c0
print("%s cycles=%d errors=%d busy_retries=%d wall=%.2fs cycles/s=%.0f server_cpu=%.2fs "
      "cycles/cpu_s=%.0f" % (MODE, CYCLES, errors, retries, wall, CYCLES / wall, c,
                             CYCLES / c if c > 0 else 0))
