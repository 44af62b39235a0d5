#!/usr/bin/env python3
"""Send deliberately malformed (or hand-made) IPv6 frames from a test namespace.

Usage: rawframe6.py IFACE SRC_MAC DST_MAC SRC_IP6 DST_IP6 CASE [COUNT]

Each CASE is one class of IPv6 input the dataplane must count (and, for the
bad ones, drop); tests/integration/test_ipv6.sh maps them to counters. The
IPv6 twin of rawframe.py: built byte by byte on purpose, standard library
only.
"""
import socket
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def a6(s):
    return socket.inet_pton(socket.AF_INET6, s)


def ip6(src, dst, nh, payload, hlim=64, plen=None, version=6):
    plen = len(payload) if plen is None else plen
    return struct.pack("!IHBB16s16s", version << 28, plen, nh, hlim, src, dst) + payload


def l4sum(src, dst, proto, seg):
    return csum(src + dst + struct.pack("!IxxxB", len(seg), proto) + seg)


def udp6(src, dst, sport, dport, data, bad_csum=False, zero_csum=False):
    h = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    c = l4sum(src, dst, 17, h + data) or 0xFFFF
    if bad_csum:
        c ^= 0x00FF
    if zero_csum:
        c = 0
    return struct.pack("!HHHH", sport, dport, 8 + len(data), c) + data


def icmp6(src, dst, typ, code, body, bad_csum=False):
    m = struct.pack("!BBH", typ, code, 0) + body
    c = l4sum(src, dst, 58, m)
    if bad_csum:
        c ^= 0x0F0F
    return m[:2] + struct.pack("!H", c) + m[4:]


def echo(src, dst, bad_csum=False):
    return icmp6(src, dst, 128, 0, struct.pack("!HH", 7, 1) + b"rtcgw-test6", bad_csum)


def solicited(t):
    return a6("ff02::1:ff00:0")[:13] + t[13:]


def build(case, smac, dmac, sip, dip):
    eth = dmac + smac + b"\x86\xdd"
    stun = struct.pack("!HHI", 1, 0, 0x2112A442) + b"rtcgw-v6test"
    if case == "bad-version":
        return eth + ip6(sip, dip, 58, echo(sip, dip), version=4)
    if case == "truncated":                 # payload length past the frame
        return eth + ip6(sip, dip, 58, echo(sip, dip), plen=400)
    if case == "not-for-us":
        return eth + ip6(sip, a6("2001:2:0:60::99"), 58, echo(sip, a6("2001:2:0:60::99")))
    if case == "martian-src":               # loopback source
        lo = a6("::1")
        return eth + ip6(lo, dip, 58, echo(lo, dip))
    if case == "fragment":                  # first fragment of a UDP datagram
        fh = struct.pack("!BBHI", 17, 0, 0x0001, 0x1234)
        return eth + ip6(sip, dip, 44, fh + udp6(sip, dip, 5000, 3478, stun))
    if case == "routing-segleft":           # type 0 routing header, segments left 1
        rh = struct.pack("!BBBBI", 58, 2, 0, 1, 0) + a6("2001:2:0:60::7")
        return eth + ip6(sip, dip, 43, rh + echo(sip, dip))
    if case == "dstopts-echo":              # a skippable destination option: still answered
        do = struct.pack("!BB", 58, 0) + b"\x01\x04\x00\x00\x00\x00"
        return eth + ip6(sip, dip, 60, do + echo(sip, dip))
    if case == "bad-udp-checksum":
        return eth + ip6(sip, dip, 17, udp6(sip, dip, 5000, 3478, stun, bad_csum=True))
    if case == "zero-udp-checksum":         # forbidden over IPv6 (RFC 8200 §8.1)
        return eth + ip6(sip, dip, 17, udp6(sip, dip, 5000, 3478, stun, zero_csum=True))
    if case == "bad-icmp6-checksum":
        return eth + ip6(sip, dip, 58, echo(sip, dip, bad_csum=True))
    if case == "tcp":                       # a SYN: no TCP over IPv6 here
        seg = struct.pack("!HHIIBBHHH", 5000, 80, 1, 0, 0x50, 0x02, 65535, 0, 0)
        return eth + ip6(sip, dip, 6, seg)
    if case == "udp-no-handler":
        return eth + ip6(sip, dip, 17, udp6(sip, dip, 5000, 9999, b"hello"))
    if case == "ns-hoplimit":               # NS with hop limit 64: not from the link
        d = solicited(dip)
        body = struct.pack("!I", 0) + dip + struct.pack("!BB", 1, 1) + smac
        return (b"\x33\x33" + d[12:] + smac + b"\x86\xdd" +
                ip6(sip, d, 58, icmp6(sip, d, 135, 0, body), hlim=64))
    if case == "ns-not-ours":               # a well-formed NS, to us, for someone else
        t = a6("2001:2:0:60::77")
        body = struct.pack("!I", 0) + t + struct.pack("!BB", 1, 1) + smac
        return eth + ip6(sip, dip, 58, icmp6(sip, dip, 135, 0, body), hlim=255)
    if case == "na-conflict":               # unsolicited NA: "DST_IP6 is at SRC_MAC"
        d = a6("ff02::1")
        body = struct.pack("!I", 0x20000000) + dip + struct.pack("!BB", 2, 1) + smac
        return (b"\x33\x33\x00\x00\x00\x01" + smac + b"\x86\xdd" +
                ip6(sip, d, 58, icmp6(sip, d, 136, 0, body), hlim=255))
    if case == "echo-multicast":            # echo to all-nodes: not answered
        d = a6("ff02::1")
        return b"\x33\x33\x00\x00\x00\x01" + smac + b"\x86\xdd" + ip6(sip, d, 58, echo(sip, d))
    if case == "turn-allocate":             # TURN over IPv6: not yet
        alloc = struct.pack("!HHI", 3, 8, 0x2112A442) + b"rtcgw-alloc6" + \
            struct.pack("!HHI", 0x0019, 4, 17 << 24)
        return eth + ip6(sip, dip, 17, udp6(sip, dip, 5000, 3478, alloc))
    raise SystemExit("unknown case " + case)


def main():
    if len(sys.argv) < 7:
        raise SystemExit(__doc__)
    iface, smac, dmac, sip, dip, case = sys.argv[1:7]
    count = int(sys.argv[7]) if len(sys.argv) > 7 else 1
    frame = build(case, mac(smac), mac(dmac), a6(sip), a6(dip))
    if len(frame) < 60:
        frame += b"\0" * (60 - len(frame))
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for _ in range(min(count, 10000)):
        s.send(frame)
    s.close()


if __name__ == "__main__":
    main()
