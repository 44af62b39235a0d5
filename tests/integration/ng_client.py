#!/usr/bin/env python3
"""Minimal rtpengine "ng" client for the tests (stdlib only).

  ng_client.py HOST PORT COOKIE JSON       send {"command": ...} (JSON -> bencode),
                                           print the reply as JSON
  ng_client.py HOST PORT --raw HEX...      send raw datagrams, one after the other from
                                           the same socket (a retransmission comes from
                                           the same address), print each reply (hex)

Exit 0 when a reply came, 2 on timeout (2 s).
"""
import json
import socket
import sys


def benc(v):
    if isinstance(v, bool):
        raise TypeError("no booleans in bencode")
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, list):
        return b"l" + b"".join(benc(x) for x in v) + b"e"
    if isinstance(v, dict):
        # Unsorted on purpose: Kamailio does not sort its keys either.
        return b"d" + b"".join(benc(k) + benc(x) for k, x in v.items()) + b"e"
    raise TypeError(type(v))


def bdec(b, i=0):
    c = b[i:i + 1]
    if c == b"i":
        j = b.index(b"e", i)
        return int(b[i + 1:j]), j + 1
    if c == b"l":
        i += 1
        out = []
        while b[i:i + 1] != b"e":
            x, i = bdec(b, i)
            out.append(x)
        return out, i + 1
    if c == b"d":
        i += 1
        out = {}
        while b[i:i + 1] != b"e":
            k, i = bdec(b, i)
            x, i = bdec(b, i)
            out[k] = x
        return out, i + 1
    j = b.index(b":", i)
    n = int(b[i:j])
    return b[j + 1:j + 1 + n].decode("utf-8", "replace"), j + 1 + n


def xfer(host, port, data, s=None):
    if s is None:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(2)
    s.sendto(data, (host, port))
    try:
        return s.recvfrom(65536)[0]
    except socket.timeout:
        return None


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    if sys.argv[3] == "--raw":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(2)
        for h in sys.argv[4:]:
            r = xfer(host, port, bytes.fromhex(h), s)
            if r is None:
                sys.exit(2)
            print(r.hex())
        return
    cookie = sys.argv[3].encode()
    r = xfer(host, port, cookie + b" " + benc(json.loads(sys.argv[4])))
    if r is None:
        sys.exit(2)
    c, _, body = r.partition(b" ")
    if c != cookie:
        print("cookie mismatch: %r" % c, file=sys.stderr)
        sys.exit(3)
    v, end = bdec(body)
    if end != len(body):
        print("trailing bytes in reply", file=sys.stderr)
        sys.exit(3)
    print(json.dumps(v, sort_keys=True))


if __name__ == "__main__":
    main()
