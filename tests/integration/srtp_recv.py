#!/usr/bin/env python3
"""Receive SRTP on one UDP port and check each packet's authentication tag
with a given SDES master key (RFC 3711: the auth key from the AES-CM key
derivation, HMAC-SHA1 over the packet and its rollover counter, the tag
truncated to 80 or 32 bits). Counts per payload type the packets whose tag
verified and those whose did not; writes them as JSON when done.

Tells whether a sender keyed a stream with the key we think: a packet sent
under any other key fails (2^-32 at worst for the 32-bit tag).

usage: srtp_recv.py IP PORT OUT.json SUITE INLINE_KEY SECONDS
       srtp_recv.py --selftest     (the key derivation against RFC 3711 B.3)
  SUITE       AES_CM_128_HMAC_SHA1_80 or AES_CM_128_HMAC_SHA1_32
  INLINE_KEY  the base64 of a=crypto's inline: (30 bytes: key || salt)
AES through the openssl command (no Python crypto module needed)."""
import base64
import hashlib
import hmac
import json
import select
import socket
import subprocess
import sys
import time


def aes_ecb(key, blocks):
    out = subprocess.run(["openssl", "enc", "-aes-128-ecb", "-nopad", "-K", key.hex()],
                         input=blocks, capture_output=True, check=True, timeout=10).stdout
    if len(out) != len(blocks):
        raise RuntimeError("openssl enc: short output")
    return out


def auth_key(master_key, master_salt):
    """RFC 3711 4.3.1/4.3.3: label 0x01, key derivation rate 0 (r = 0)."""
    x = bytearray(master_salt)
    x[7] ^= 0x01            # the label, 48 bits above the index's low end
    iv = bytes(x) + b"\0\0"
    blocks = b"".join(iv[:14] + i.to_bytes(2, "big") for i in range(2))
    return aes_ecb(master_key, blocks)[:20]


def selftest():
    """RFC 3711 B.3: the first 20 bytes of the authentication key."""
    k_a = auth_key(bytes.fromhex("E1F97A0D3E018BE0D64FA32C06DE4139"),
                   bytes.fromhex("0EC675AD498AFEEBB6960B3AABE6"))
    if k_a.hex() != "cebe321f6ff7716b6fd4ab49af256a156d38baa4":
        sys.exit("RFC 3711 B.3 auth key: got %s" % k_a.hex())


def main():
    if sys.argv[1:] == ["--selftest"]:
        selftest()
        return
    ip, port, out, suite, inline, secs = sys.argv[1:7]
    tag_len = {"AES_CM_128_HMAC_SHA1_80": 10, "AES_CM_128_HMAC_SHA1_32": 4}[suite]
    raw = base64.b64decode(inline)
    if len(raw) != 30:
        sys.exit("inline key: %d bytes, not 30" % len(raw))
    k_a = auth_key(raw[:16], raw[16:])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((ip, int(port)))
    ok, bad = {}, {}
    end = time.time() + float(secs)
    for _ in range(200000):             # bounded: far above what SECONDS brings
        if time.time() >= end:
            break
        if not select.select([s], [], [], 0.5)[0]:
            continue
        d = s.recv(4096)
        if len(d) < 12 + tag_len or d[0] >> 6 != 2:
            continue
        pt = str(d[1] & 0x7F)
        body, tag = d[:-tag_len], d[-tag_len:]
        # the rollover counter: 0 unless the sequence wrapped while we listened
        good = any(hmac.compare_digest(
            hmac.new(k_a, body + roc.to_bytes(4, "big"), hashlib.sha1).digest()[:tag_len], tag)
            for roc in (0, 1))
        (ok if good else bad)[pt] = (ok if good else bad).get(pt, 0) + 1
    with open(out, "w") as f:
        json.dump({"ok": ok, "bad": bad}, f)


if __name__ == "__main__":
    main()
