#!/usr/bin/env python3
"""Count frames on an interface for a bounded time (a test's wire tap).

Usage: sniff.py IFACE SECONDS [--src-mac MAC] [--dst IP ...] [--udp-sport PORT]

Prints the number of frames received (not sent) on IFACE that match every
given filter: sent from --src-mac; IPv4 to one of the --dst addresses, or an
ARP request asking for one of them (a datagram to an on-link address shows on
the wire as its ARP first); UDP from --udp-sport. Stdlib only (no tcpdump on
the test machines); reads at most 100000 frames. Each match is described
on stderr.
"""
import argparse
import select
import socket
import struct
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("seconds", type=float)
    ap.add_argument("--src-mac")
    ap.add_argument("--dst", action="append", default=[])
    ap.add_argument("--udp-sport", type=int)
    a = ap.parse_args()
    smac = bytes(int(x, 16) for x in a.src_mac.split(":")) if a.src_mac else None
    dsts = {socket.inet_aton(d) for d in a.dst}
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind((a.iface, 0))
    end = time.monotonic() + min(a.seconds, 60)
    n = seen = 0
    while seen < 100000:
        left = end - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            break
        f, meta = s.recvfrom(65535)
        seen += 1
        if meta[2] == socket.PACKET_OUTGOING or len(f) < 34:
            continue
        if smac is not None and f[6:12] != smac:
            continue
        if f[12:14] == b"\x08\x06" and len(f) >= 42:       # ARP
            if dsts and a.udp_sport is None and f[20:22] == b"\x00\x01" and f[38:42] in dsts:
                n += 1
                sys.stderr.write("arp who-has %s\n" % socket.inet_ntoa(f[38:42]))
            continue
        if f[12:14] != b"\x08\x00":
            continue
        if dsts and f[30:34] not in dsts:
            continue
        if a.udp_sport is not None:
            ihl = (f[14] & 0x0F) * 4
            if f[23] != 17 or len(f) < 14 + ihl + 2 or \
               struct.unpack("!H", f[14 + ihl:16 + ihl])[0] != a.udp_sport:
                continue
        n += 1
        sys.stderr.write("ipv4 %s -> %s proto %d len %d\n" % (
            socket.inet_ntoa(f[26:30]), socket.inet_ntoa(f[30:34]), f[23], len(f)))
    print(n)


if __name__ == "__main__":
    main()
