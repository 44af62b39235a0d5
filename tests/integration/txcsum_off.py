#!/usr/bin/env python3
"""Turn TX checksum offload off on a (veth) interface: txcsum_off.py IFACE.

A veth with offload on hands the peer UDP packets whose checksum is only
partial (CHECKSUM_PARTIAL); net_af_packet delivers them as they are and the
dataplane counts them as udp_bad_cksum. A real NIC never does. The legacy
ETHTOOL_STXCSUM ioctl does what `ethtool -K IFACE tx off` does, without
needing ethtool installed.
"""
import ctypes
import fcntl
import socket
import struct
import sys

SIOCETHTOOL = 0x8946
ETHTOOL_STXCSUM = 0x17

cmd = ctypes.create_string_buffer(struct.pack("II", ETHTOOL_STXCSUM, 0))
ifr = struct.pack("16sP", sys.argv[1].encode(), ctypes.addressof(cmd))
with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
    fcntl.ioctl(s.fileno(), SIOCETHTOOL, ifr)
