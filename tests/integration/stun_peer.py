#!/usr/bin/env python3
"""A STUN / ICE test peer (stdlib only) for tests/integration/test_stun.sh.

  stun_peer.py GW_IP PORT MODE [options]

GW_IP may be IPv6 (then the request goes over IPv6 and the mapped address
is read from an IPv6 XOR-MAPPED-ADDRESS, family 2, printed as [addr]:port).

MODE:
  ice       ICE connectivity check (RFC 8445 §7.2.2): USERNAME, PRIORITY,
            ICE-CONTROLLING (or -CONTROLLED with --controlled), USE-CANDIDATE
            with --use-candidate, MESSAGE-INTEGRITY with --pwd, FINGERPRINT.
  binding   plain Binding request (add --unknown-attr for a 420)
  classic   RFC 3489 Binding request (no magic cookie)
  garbage   a datagram that looks like STUN but is not (no answer expected)

Prints one line: "<code> <mapped ip>:<port>" (code 200 for success, the
ERROR-CODE otherwise, "none" on timeout) and exits 0 when the code is the
one given with --expect (default 200), 1 otherwise. A success must carry a
valid MESSAGE-INTEGRITY (ice) and FINGERPRINT (when expected).
"""
import argparse
import hashlib
import hmac
import os
import socket
import struct
import sys
import zlib

MAGIC = 0x2112A442


def attr(t, v):
    pad = (4 - len(v) % 4) % 4
    return struct.pack("!HH", t, len(v)) + v + b"\0" * pad


def finish(mtype, txid, attrs, pwd=None, fingerprint=True):
    body = b"".join(attrs)
    if pwd is not None:
        hdr = struct.pack("!HHI", mtype, len(body) + 24, MAGIC) + txid
        mac = hmac.new(pwd.encode(), hdr + body, hashlib.sha1).digest()
        body += attr(0x0008, mac)
    if fingerprint:
        hdr = struct.pack("!HHI", mtype, len(body) + 8, MAGIC) + txid
        crc = (zlib.crc32(hdr + body) ^ 0x5354554E) & 0xFFFFFFFF
        body += attr(0x8028, struct.pack("!I", crc))
    return struct.pack("!HHI", mtype, len(body), MAGIC) + txid + body


def parse(msg):
    mtype, mlen = struct.unpack("!HH", msg[:4])
    attrs, off = [], 20
    while off + 4 <= 20 + mlen:
        t, n = struct.unpack("!HH", msg[off:off + 4])
        attrs.append((t, off, msg[off + 4:off + 4 + n]))
        off += 4 + n + (4 - n % 4) % 4
    return mtype, attrs


def check_mi(msg, attrs, pwd):
    for t, off, v in attrs:
        if t == 0x0008:
            hdr = bytearray(msg[:off])
            struct.pack_into("!H", hdr, 2, off + 24 - 20)
            return hmac.compare_digest(v, hmac.new(pwd.encode(), bytes(hdr), hashlib.sha1).digest())
    return False


def check_fp(msg, attrs):
    for t, off, v in attrs:
        if t == 0x8028:
            return struct.unpack("!I", v)[0] == (zlib.crc32(msg[:off]) ^ 0x5354554E) & 0xFFFFFFFF
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gw")
    ap.add_argument("port", type=int)
    ap.add_argument("mode", choices=["ice", "binding", "classic", "garbage"])
    ap.add_argument("--user", default="")
    ap.add_argument("--pwd")
    ap.add_argument("--use-candidate", action="store_true")
    ap.add_argument("--controlled", action="store_true")
    ap.add_argument("--unknown-attr", action="store_true")
    ap.add_argument("--sport", type=int, default=0)
    ap.add_argument("--expect", default="200")
    ap.add_argument("--timeout", type=float, default=2.0)
    a = ap.parse_args()

    v6 = ":" in a.gw
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("::" if v6 else "0.0.0.0", a.sport))
    s.settimeout(a.timeout)
    txid = os.urandom(12)
    if a.mode == "ice":
        attrs = [attr(0x0006, a.user.encode()), attr(0x0024, struct.pack("!I", 0x6E7F1EFF))]
        role = 0x8029 if a.controlled else 0x802A
        attrs.append(attr(role, os.urandom(8)))
        if a.use_candidate:
            attrs.append(attr(0x0025, b""))
        req = finish(0x0001, txid, attrs, a.pwd)
    elif a.mode == "binding":
        attrs = [attr(0x0003, b"\0\0\0\0")] if a.unknown_attr else []
        req = finish(0x0001, txid, attrs)
    elif a.mode == "classic":
        txid = os.urandom(16)
        req = struct.pack("!HH", 0x0001, 0) + txid
    else:
        req = struct.pack("!HHI", 0x0001, 8, MAGIC) + txid  # length lies
    s.sendto(req, (a.gw, a.port))
    try:
        msg, _ = s.recvfrom(2048)
    except socket.timeout:
        print("none")
        return 0 if a.expect == "none" else 1

    mtype, attrs = parse(msg)
    if a.mode == "classic":
        ok = msg[4:20] == txid
    else:
        ok = msg[8:20] == txid and msg[4:8] == struct.pack("!I", MAGIC)
    code, mapped = "200", "-"
    for t, off, v in attrs:
        if t == 0x0009:
            code = str((v[2] & 7) * 100 + v[3])
        elif t == 0x0020 and v[1] == 2 and len(v) == 20:
            port = struct.unpack("!H", v[2:4])[0] ^ (MAGIC >> 16)
            key = struct.pack("!I", MAGIC) + msg[8:20]
            ip = bytes(x ^ y for x, y in zip(v[4:20], key))
            mapped = "[%s]:%d" % (socket.inet_ntop(socket.AF_INET6, ip), port)
        elif t == 0x0020:
            port = struct.unpack("!H", v[2:4])[0] ^ (MAGIC >> 16)
            ip = struct.unpack("!I", v[4:8])[0] ^ MAGIC
            mapped = "%s:%d" % (socket.inet_ntoa(struct.pack("!I", ip)), port)
        elif t == 0x0001 and mapped == "-":
            mapped = "%s:%d" % (socket.inet_ntoa(v[4:8]), struct.unpack("!H", v[2:4])[0])
    if (mtype & 0x0110) == 0x0100 and code != "200":
        ok = False
    if a.mode == "ice":
        ok = ok and check_fp(msg, attrs)
        if code in ("200", "487", "420"):
            ok = ok and a.pwd is not None and check_mi(msg, attrs, a.pwd)
    print(code, mapped)
    return 0 if ok and code == a.expect else 1


if __name__ == "__main__":
    sys.exit(main())
