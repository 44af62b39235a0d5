#!/usr/bin/env python3
"""Plain TCP forwarder into a network namespace (stdlib only).

Listens on 127.0.0.1:PORT inside network namespace NS and copies every
connection's bytes both ways to HOST:TARGET in this process's own namespace
(the control plane's REST on the host's loopback). Unlike media_page.py it
does not speak HTTP: what a browser in NS gets at http://localhost:PORT/ is
exactly what the control plane serves (its demo page, the Server-Sent Events
stream), and localhost keeps the page a secure context (getUserMedia).

Usage: tcp_forward.py NS PORT HOST TARGET
"""
import ctypes
import os
import socket
import sys
import threading

NS, PORT, HOST, TARGET = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
CLONE_NEWNET = 0x40000000


def setns(fd):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns")


def pump(src, dst):
    try:
        while True:
            b = src.recv(65536)
            if not b:
                break
            dst.sendall(b)
    except OSError:
        pass
    for s, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
        try:
            s.shutdown(how)
        except OSError:
            pass


def serve(c):
    try:
        u = socket.create_connection((HOST, TARGET), timeout=5)
    except OSError:
        c.close()
        return
    u.settimeout(None)
    t = threading.Thread(target=pump, args=(u, c), daemon=True)
    t.start()
    pump(c, u)
    t.join()
    c.close()
    u.close()


def main():
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    fd = os.open("/run/netns/" + NS, os.O_RDONLY)
    setns(fd)
    os.close(fd)
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", PORT))
    srv.listen(64)
    setns(own)            # connections out are made from our own namespace
    os.close(own)
    while True:
        c, _ = srv.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


if __name__ == "__main__":
    main()
