#!/usr/bin/env python3
"""Send deliberately malformed Ethernet frames from a test namespace.

Usage: rawframe.py IFACE SRC_MAC DST_MAC SRC_IP DST_IP CASE [COUNT]

Each CASE is one class of bad input the dataplane must count and drop
(tests/integration/test_foundation.sh maps them to counters). This is a test
peer: it builds frames byte by byte on purpose, with the standard library only.
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


def ip4(src, dst, proto, payload, ihl=5, total=None, frag=0x4000, bad_csum=False):
    total = 20 + len(payload) if total is None else total
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, 1, frag, 64, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    c = csum(h)
    if bad_csum:
        c ^= 0x5555
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def udp(src, dst, sport, dport, data, ulen=None, bad_csum=False):
    ulen = 8 + len(data) if ulen is None else ulen
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, 8 + len(data))
    h = struct.pack("!HHHH", sport, dport, ulen, 0)
    c = csum(ph + h + data) or 0xFFFF
    if bad_csum:
        c ^= 0x00FF
    return struct.pack("!HHHH", sport, dport, ulen, c) + data


def icmp_echo(bad_csum=False):
    h = struct.pack("!BBHHH", 8, 0, 0, 7, 1) + b"rtcgw-test"
    c = csum(h)
    if bad_csum:
        c ^= 0x0F0F
    return h[:2] + struct.pack("!H", c) + h[4:]


def build(case, smac, dmac, sip, dip):
    eth = dmac + smac
    if case == "unknown-ethertype":
        return eth + b"\x88\xb5" + b"\0" * 46
    if case == "not-for-us-mac":
        return b"\x02\x00\x00\x00\x00\x99" + smac + b"\x08\x00" + ip4(sip, dip, 1, icmp_echo())
    if case == "truncated-ipv4":
        return eth + b"\x08\x00" + ip4(sip, dip, 17, b"")[:12]
    if case == "bad-ipv4-version":
        p = bytearray(ip4(sip, dip, 1, icmp_echo()))
        p[0] = 0x65
        return eth + b"\x08\x00" + bytes(p)
    if case == "bad-ipv4-ihl":
        return eth + b"\x08\x00" + ip4(sip, dip, 1, icmp_echo(), ihl=4)
    if case == "ipv4-total-too-long":
        return eth + b"\x08\x00" + ip4(sip, dip, 1, icmp_echo(), total=400)
    if case == "bad-ipv4-checksum":
        return eth + b"\x08\x00" + ip4(sip, dip, 1, icmp_echo(), bad_csum=True)
    if case == "ipv4-fragment":
        return eth + b"\x08\x00" + ip4(sip, dip, 17, udp(sip, dip, 5000, 3478, b"x" * 16), frag=0x2000)
    if case == "ipv4-not-for-us":
        return eth + b"\x08\x00" + ip4(sip, "198.18.255.254", 1, icmp_echo())
    if case == "bad-udp-length":
        return eth + b"\x08\x00" + ip4(sip, dip, 17, udp(sip, dip, 5000, 3478, b"x" * 16, ulen=200))
    if case == "bad-udp-checksum":
        return eth + b"\x08\x00" + ip4(sip, dip, 17, udp(sip, dip, 5000, 3478, b"x" * 16, bad_csum=True))
    if case == "bad-icmp-checksum":
        return eth + b"\x08\x00" + ip4(sip, dip, 1, icmp_echo(bad_csum=True))
    if case == "truncated-arp":
        return eth + b"\x08\x06" + b"\x00\x01\x08\x00\x06\x04\x00\x01" + smac
    if case == "stun-binding":      # a valid Binding request; SRC_IP may be impossible
        stun = struct.pack("!HHI", 1, 0, 0x2112A442) + b"rtcgw-martin"
        return eth + b"\x08\x00" + ip4(sip, dip, 17, udp(sip, dip, 5000, 3478, stun))
    if case == "arp-claim":         # gratuitous ARP reply: "DST_IP is at SRC_MAC"
        return (b"\xff" * 6 + smac + b"\x08\x06" + b"\x00\x01\x08\x00\x06\x04\x00\x02" +
                smac + socket.inet_aton(dip) + b"\xff" * 6 + socket.inet_aton(dip))
    if case == "udp-unhandled-port":
        return eth + b"\x08\x00" + ip4(sip, dip, 17, udp(sip, dip, 5000, 9999, b"hello"))
    raise SystemExit("unknown case " + case)


def main():
    if len(sys.argv) < 7:
        raise SystemExit(__doc__)
    iface, smac, dmac, sip, dip, case = sys.argv[1:7]
    count = int(sys.argv[7]) if len(sys.argv) > 7 else 1
    frame = build(case, mac(smac), mac(dmac), sip, dip)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for _ in range(min(count, 10000)):
        s.send(frame)
    s.close()


if __name__ == "__main__":
    main()
