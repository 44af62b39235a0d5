#!/usr/bin/env python3
"""A minimal TURN client (stdlib only) for the negative cases of
tests/integration/test_turn.sh, where coturn's turnutils_uclient cannot
say what went wrong.

  turn_client.py GW_IP PORT MODE --user U --pass P [options]

MODE:
  alloc    401 challenge, then an authenticated Allocate; prints the final
           code (200 or the ERROR-CODE). --bad-nonce first sends a nonce the
           server never issued: expects 438 with a fresh nonce, then retries.
  quota    --count N allocations from N sockets (a 437 from a port an earlier
           allocation still holds is retried from another); prints the count
           of successes and the last failure ("ok=N last=CODE").
  noperm   allocate, CreatePermission for --peer only; a Send indication to
           --other is not relayed, and a datagram from this host (no
           permission) to the relayed address is not delivered as Data;
           prints "isolated" when nothing arrives.
  perm     allocate, CreatePermission for --peer; prints its code, then sends
           a Send indication to --peer:3480 anyway (a denied peer must get
           nothing: the test sniffs the wire).
  perms    allocate, then for each of --peers (comma-separated, IPv4 or IPv6)
           CreatePermission and a Send indication anyway; prints the codes
           joined by commas.
  dualdrop a dual allocation (ADDITIONAL-ADDRESS-FAMILY IPv6), then a Refresh
           with REQUESTED-ADDRESS-FAMILY IPv6 and LIFETIME 0 (RFC 8656 §7.3:
           deletes the IPv6 relayed address only), CreatePermission for the
           IPv6 --peer (443 now) and the IPv4 --other (200), the same Refresh
           again (443), a Refresh of the allocation (200); prints
           "drop=C,perm6=C,perm4=C,again=C,refresh=C".
  relays   --count N allocations from N sockets; each permits --peer, sends
           a Send indication to --peer:3480 (turnutils_peer echoes it) and
           waits for the echo as a Data indication; prints the relayed IPv4
           addresses that relayed both ways, sorted, joined by commas
           (ports[].relay_addresses: test_turn_relayaddr.sh).
GW_IP may be IPv6 (the client then speaks UDP over IPv6); --family 4, 6 or
any other number adds REQUESTED-ADDRESS-FAMILY to the Allocate (RFC 6156).
Exit 0 when the printed result equals --expect.
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
    return struct.pack("!HH", t, len(v)) + v + b"\0" * ((4 - len(v) % 4) % 4)


def msg(mtype, txid, attrs, key=None):
    body = b"".join(attrs)
    if key is not None:
        hdr = struct.pack("!HHI", mtype, len(body) + 24, MAGIC) + txid
        body += attr(0x0008, hmac.new(key, hdr + body, hashlib.sha1).digest())
    hdr = struct.pack("!HHI", mtype, len(body) + 8, MAGIC) + txid
    crc = (zlib.crc32(hdr + body) ^ 0x5354554E) & 0xFFFFFFFF
    return hdr + body + attr(0x8028, struct.pack("!I", crc))


def parse(b):
    mtype, mlen, _ = struct.unpack("!HHI", b[:8])
    attrs, off = {}, 20
    while off + 4 <= 20 + mlen:
        t, n = struct.unpack("!HH", b[off:off + 4])
        attrs.setdefault(t, b[off + 4:off + 4 + n])
        off += 4 + n + (4 - n % 4) % 4
    code = 200
    if mtype & 0x0110 == 0x0110:
        e = attrs.get(0x0009, b"\0\0\0\0")
        code = (e[2] & 7) * 100 + e[3]
    return mtype, code, attrs


def xaddr(ip, port, txid=None):
    if ":" in ip:
        # IPv6: the address is XORed with the cookie and the transaction id
        key = struct.pack("!I", MAGIC) + txid
        a = bytes(x ^ y for x, y in zip(socket.inet_pton(socket.AF_INET6, ip), key))
        return struct.pack("!BBH", 0, 2, port ^ (MAGIC >> 16)) + a
    a = struct.unpack("!I", socket.inet_aton(ip))[0] ^ MAGIC
    return struct.pack("!BBHI", 0, 1, port ^ (MAGIC >> 16), a)


class Client:
    def __init__(self, gw, port, user, pwd):
        self.gw = (gw, port)
        self.user, self.pwd = user, pwd
        v6 = ":" in gw
        self.s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
        self.s.settimeout(2)
        self.s.bind(("::" if v6 else "0.0.0.0", 0))
        self.realm = self.nonce = self.key = None

    def rt(self, mtype, attrs, auth=True):
        txid = os.urandom(12)
        a = list(attrs(txid) if callable(attrs) else attrs)
        if auth and self.nonce is not None:
            a += [attr(0x0006, self.user.encode()), attr(0x0014, self.realm),
                  attr(0x0015, self.nonce)]
        m = msg(mtype, txid, a, self.key if auth and self.nonce else None)
        # retransmit like a STUN client (RFC 8489 §6.2.1), same transaction id
        for _ in range(5):
            self.s.sendto(m, self.gw)
            self.s.settimeout(0.5)
            try:
                while True:
                    data, _ = self.s.recvfrom(2048)
                    if data[8:20] == txid:
                        return parse(data)
            except socket.timeout:
                continue
        raise socket.timeout()

    def learn(self, attrs):
        self.realm, self.nonce = attrs[0x0014], attrs[0x0015]
        self.key = hashlib.md5(self.user.encode() + b":" + self.realm + b":" +
                               self.pwd.encode()).digest()

    def allocate(self, bad_nonce=False, family=None, additional=None):
        req = [attr(0x0019, b"\x11\0\0\0")]
        if family is not None:
            req.append(attr(0x0017, struct.pack("!B3x", family)))
        if additional is not None:
            req.append(attr(0x8000, struct.pack("!B3x", additional)))
        _, code, at = self.rt(0x0003, req, auth=False)
        if code != 401:
            return code
        self.learn(at)
        if bad_nonce:
            self.nonce = b"obMatJos2AAAB" + b"0" * 24
            _, code, at = self.rt(0x0003, req)
            # a stateless nonce issued in the same second may equal `good`
            if code != 438 or at.get(0x0015) in (None, self.nonce):
                return "no-438:%s" % code
            self.learn(at)
        _, code, at = self.rt(0x0003, req)
        if code == 200:
            xr = at[0x0016]
            self.relay_port = struct.unpack("!H", xr[2:4])[0] ^ (MAGIC >> 16)
            if xr[1] == 1:
                self.relay_ip = socket.inet_ntoa(
                    struct.pack("!I", struct.unpack("!I", xr[4:8])[0] ^ MAGIC))
        return code


def alloc_client(a):
    """A Client and its Allocate's code; a 437 (our ephemeral port still holds
    an allocation an earlier socket left, e.g. test_turn.sh's quota run) is
    retried from another socket, as RFC 8656 §7.3 suggests."""
    for _ in range(4):
        c = Client(a.gw, a.port, a.user, a.pwd)
        r = c.allocate()
        if r != 437:
            break
    return c, r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gw")
    ap.add_argument("port", type=int)
    ap.add_argument("mode", choices=["alloc", "quota", "noperm", "perm", "perms", "dualdrop",
                                         "relays"])
    ap.add_argument("--user", required=True)
    ap.add_argument("--pass", dest="pwd", required=True)
    ap.add_argument("--bad-nonce", action="store_true")
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--peer")
    ap.add_argument("--other")
    ap.add_argument("--peers", default="")
    ap.add_argument("--family", type=int)
    ap.add_argument("--expect", default="200")
    a = ap.parse_args()
    try:
        if a.mode == "alloc":
            for _ in range(4):
                # 437: our ephemeral port still holds someone's allocation
                out = str(Client(a.gw, a.port, a.user, a.pwd).allocate(a.bad_nonce, a.family))
                if out not in ("437", "no-438:437"):
                    break
        elif a.mode == "quota":
            ok, last, keep = 0, "none", []
            for _ in range(a.count):
                for _ in range(4):
                    # 437: an allocation left by an earlier socket on the same
                    # ephemeral port; retry from another port (RFC 8656 §7.3)
                    c = Client(a.gw, a.port, a.user, a.pwd)
                    keep.append(c)
                    r = c.allocate()
                    if r != 437:
                        break
                if r == 200:
                    ok += 1
                else:
                    last = str(r)
            out = "ok=%d last=%s" % (ok, last)
        elif a.mode == "relays":
            seen, keep = set(), []
            for i in range(a.count):
                c, r = alloc_client(a)
                keep.append(c)
                if r != 200:
                    continue
                _, code, _ = c.rt(0x0008, lambda t: [attr(0x0012, xaddr(a.peer, 3480, t))])
                if code != 200:
                    continue
                data = b"relayaddr-%d" % i
                for _ in range(5):
                    t = os.urandom(12)
                    c.s.sendto(msg(0x0016, t, [attr(0x0012, xaddr(a.peer, 3480, t)),
                                               attr(0x0013, data)]), c.gw)
                    c.s.settimeout(1)
                    try:
                        while True:
                            mt, _, at = parse(c.s.recvfrom(2048)[0])
                            if mt == 0x0017 and at.get(0x0013) == data:
                                seen.add(c.relay_ip)
                                break
                    except socket.timeout:
                        continue
                    break
            out = ",".join(sorted(seen))
        elif a.mode == "perms":
            c = Client(a.gw, a.port, a.user, a.pwd)
            r = c.allocate(family=a.family)
            if r != 200:
                out = "alloc-%s" % r
            else:
                codes = []
                for p in a.peers.split(","):
                    _, code, _ = c.rt(0x0008, lambda t, p=p: [attr(0x0012, xaddr(p, 3480, t))])
                    codes.append(str(code))
                    t = os.urandom(12)
                    c.s.sendto(msg(0x0016, t, [attr(0x0012, xaddr(p, 3480, t)),
                                               attr(0x0013, b"z" * 20)]), c.gw)
                out = ",".join(codes)
        elif a.mode == "dualdrop":
            c = Client(a.gw, a.port, a.user, a.pwd)
            r = c.allocate(additional=2)
            if r != 200:
                out = "alloc-%s" % r
            else:
                raf6 = attr(0x0017, struct.pack("!B3x", 2))
                codes = []
                _, code, _ = c.rt(0x0004, [raf6, attr(0x000D, struct.pack("!I", 0))])
                codes.append("drop=%d" % code)
                _, code, _ = c.rt(0x0008, lambda t: [attr(0x0012, xaddr(a.peer, 3480, t))])
                codes.append("perm6=%d" % code)
                _, code, _ = c.rt(0x0008, lambda t: [attr(0x0012, xaddr(a.other, 3480, t))])
                codes.append("perm4=%d" % code)
                _, code, _ = c.rt(0x0004, [raf6, attr(0x000D, struct.pack("!I", 0))])
                codes.append("again=%d" % code)
                _, code, _ = c.rt(0x0004, [attr(0x000D, struct.pack("!I", 600))])
                codes.append("refresh=%d" % code)
                out = ",".join(codes)
        elif a.mode == "perm":
            c, r = alloc_client(a)
            if r != 200:
                out = "alloc-%s" % r
            else:
                _, code, _ = c.rt(0x0008, [attr(0x0012, xaddr(a.peer, 3480))])
                c.s.sendto(msg(0x0016, os.urandom(12),
                               [attr(0x0012, xaddr(a.peer, 3480)), attr(0x0013, b"y" * 20)]),
                           c.gw)
                out = str(code)
        else:
            c, r = alloc_client(a)
            if r != 200:
                out = "alloc-%s" % r
            else:
                _, code, _ = c.rt(0x0008, [attr(0x0012, xaddr(a.peer, 3480))])
                c.s.sendto(msg(0x0016, os.urandom(12),
                               [attr(0x0012, xaddr(a.other, 3480)), attr(0x0013, b"x" * 20)]),
                           c.gw)
                spy = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                spy.sendto(b"unpermitted", (a.gw, c.relay_port))
                c.s.settimeout(1)
                try:
                    c.s.recvfrom(2048)
                    out = "delivered"
                except socket.timeout:
                    out = "isolated" if code == 200 else "perm-%s" % code
    except socket.timeout:
        out = "timeout"
    print(out)
    return 0 if out == a.expect else 1


if __name__ == "__main__":
    sys.exit(main())
