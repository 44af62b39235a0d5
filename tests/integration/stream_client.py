#!/usr/bin/env python3
"""TURN over TCP/TLS (RFC 8656 §6.2 framing) for the negative cases of
tests/integration/test_turn_tcp.sh, where turnutils_uclient cannot show
what the front did. Stdlib only; reuses turn_client.py's message helpers.

  stream_client.py GW_IP PORT MODE [--tls] [options]

MODE:
  alloc    401 challenge then an authenticated Allocate on one connection;
           prints the code.
  stall    allocate, permit --peer, print "relay PORT" (flushed), then read
           nothing for --secs; prints "closed" when the server closed the
           connection meanwhile (it stalled), else "open".
  flood    open --count connections at once; prints "open=N": how many the
           server kept open after a second.
  garbage  send bytes that are neither STUN nor ChannelData; prints
           "closed" when the server closes the connection.
  silent   connect and send nothing (no TLS handshake either); prints
           "closed" when the server closes it within --secs.
Exit 0 when the printed result equals --expect (when given).
"""
import argparse
import os
import socket
import ssl
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from turn_client import attr, msg, parse, xaddr  # noqa: E402
import hashlib  # noqa: E402


def connect(gw, port, tls, timeout=3.0):
    s = socket.create_connection((gw, port), timeout=timeout)
    if tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s)
    return s


def recv_exact(s, n):
    b = b""
    while len(b) < n:
        d = s.recv(n - len(b))
        if not d:
            raise EOFError()
        b += d
    return b


def recv_frame(s):
    h = recv_exact(s, 4)
    if h[0] & 0xC0 == 0:
        return h + recv_exact(s, 16 + struct.unpack("!H", h[2:4])[0])
    n = struct.unpack("!H", h[2:4])[0]
    return h + recv_exact(s, n + (4 - n % 4) % 4)


class StreamClient:
    def __init__(self, gw, port, tls, user, pwd):
        self.s = connect(gw, port, tls)
        self.user, self.pwd = user, pwd
        self.realm = self.nonce = self.key = None

    def rt(self, mtype, attrs, auth=True):
        txid = os.urandom(12)
        a = list(attrs)
        if auth and self.nonce is not None:
            a += [attr(0x0006, self.user.encode()), attr(0x0014, self.realm),
                  attr(0x0015, self.nonce)]
        self.s.sendall(msg(mtype, txid, a, self.key if auth and self.nonce else None))
        while True:
            f = recv_frame(self.s)
            if f[0] & 0xC0 == 0 and f[8:20] == txid:
                return parse(f)

    def allocate(self):
        req = [attr(0x0019, b"\x11\0\0\0")]
        _, code, at = self.rt(0x0003, req, auth=False)
        if code != 401:
            return code
        self.realm, self.nonce = at[0x0014], at[0x0015]
        self.key = hashlib.md5(self.user.encode() + b":" + self.realm + b":" +
                               self.pwd.encode()).digest()
        _, code, at = self.rt(0x0003, req)
        if code == 200:
            xr = at[0x0016]
            self.relay_port = struct.unpack("!H", xr[2:4])[0] ^ 0x2112
        return code


def closed_within(s, secs):
    """True when the peer closes s (EOF or reset) within secs; reads and
    discards what arrives."""
    end = time.time() + secs
    while time.time() < end:
        s.settimeout(max(0.05, end - time.time()))
        try:
            if not s.recv(65536):
                return True
        except socket.timeout:
            return False
        except (ConnectionError, ssl.SSLError, OSError):
            return True
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gw")
    ap.add_argument("port", type=int)
    ap.add_argument("mode", choices=["alloc", "stall", "flood", "garbage", "silent"])
    ap.add_argument("--tls", action="store_true")
    ap.add_argument("--user", default="alice")
    ap.add_argument("--pass", dest="pwd", default="")
    ap.add_argument("--peer")
    ap.add_argument("--secs", type=float, default=5)
    ap.add_argument("--count", type=int, default=10)
    ap.add_argument("--expect")
    a = ap.parse_args()
    try:
        if a.mode == "alloc":
            out = str(StreamClient(a.gw, a.port, a.tls, a.user, a.pwd).allocate())
        elif a.mode == "stall":
            c = StreamClient(a.gw, a.port, a.tls, a.user, a.pwd)
            code = c.allocate()
            if code != 200:
                out = "alloc-%s" % code
            else:
                _, code, _ = c.rt(0x0008, [attr(0x0012, xaddr(a.peer, 3480))])
                print("relay %d" % c.relay_port, flush=True)
                # read nothing for a while (the server's send buffer fills),
                # then read: a connection the server closed meanwhile ends
                # in EOF or a reset once the bytes in flight are read
                time.sleep(a.secs)
                out = "closed" if closed_within(c.s, 5) else "open"
        elif a.mode == "flood":
            socks = []
            for _ in range(a.count):
                try:
                    socks.append(socket.create_connection((a.gw, a.port), timeout=2))
                except OSError:
                    pass
            time.sleep(1.0)
            n = 0
            for s in socks:
                s.setblocking(False)
                try:
                    d = s.recv(1)
                    if d:
                        n += 1
                except BlockingIOError:
                    n += 1          # nothing to read, not closed: open
                except OSError:
                    pass
            out = "open=%d" % n
        elif a.mode == "garbage":
            s = connect(a.gw, a.port, a.tls)
            s.sendall(b"\xff\xfe\xfd\xfc" * 8)
            out = "closed" if closed_within(s, a.secs) else "open"
        else:
            s = socket.create_connection((a.gw, a.port), timeout=3)
            out = "closed" if closed_within(s, a.secs) else "open"
    except (socket.timeout, EOFError, ConnectionError, ssl.SSLError, OSError) as e:
        out = "error:%s" % type(e).__name__
    print(out, flush=True)
    return 0 if a.expect is None or out == a.expect else 1


if __name__ == "__main__":
    sys.exit(main())
