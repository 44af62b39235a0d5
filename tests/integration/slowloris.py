#!/usr/bin/env python3
"""A bounded slowloris client (for test_rest_slowloris.sh).

  slowloris.py PORT READY_FILE FIRST_SRC N_SRC PER_SRC INTERVAL DURATION [MODE]

Opens PER_SRC connections from each of N_SRC loopback source addresses
starting at FIRST_SRC (127.0.0.x, consecutive) and never finishes a request,
for at most DURATION seconds. MODE "headers" (default): sends a request line,
then one more header line every INTERVAL seconds. MODE "line": sends the
request line itself one byte every INTERVAL seconds. Writes READY_FILE once every connection is
opened. Prints one JSON summary:
  opened        connections the kernel accepted
  refused       closed by the server within 0.5 s of connecting
  refused_codes status codes of those answers (if any)
  held          alive longer than 0.5 s
  lifetimes     seconds each held connection lived until the server closed it
  held_codes    status codes the server answered held connections with (if any)
  still_open    held connections the server had not closed at the end
"""
import ipaddress
import json
import selectors
import socket
import sys
import time


def main():
    port, ready = int(sys.argv[1]), sys.argv[2]
    first = ipaddress.IPv4Address(sys.argv[3])
    n_src, per_src = int(sys.argv[4]), int(sys.argv[5])
    interval, duration = float(sys.argv[6]), float(sys.argv[7])
    mode = sys.argv[8] if len(sys.argv) > 8 else "headers"
    line = b"GET /healthz HTTP/1.1\r\n"
    first_bytes = b"GET /healthz HTTP/1.1\r\nHost: rtcgw\r\n" if mode == "headers" else b"G"
    assert first in ipaddress.IPv4Network("127.0.0.0/8")
    assert n_src * per_src <= 900 and duration <= 60

    sel = selectors.DefaultSelector()
    conns = {}
    t_start = time.monotonic()
    for i in range(n_src):
        src = str(first + i)
        for _ in range(per_src):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((src, 0))
            s.settimeout(2)
            try:
                s.connect(("127.0.0.1", port))
                s.sendall(first_bytes)
            except OSError:
                s.close()
                continue
            s.setblocking(False)
            c = {"sock": s, "t0": time.monotonic(), "closed": None, "data": b""}
            conns[s.fileno()] = c
            sel.register(s, selectors.EVENT_READ, c)
    open(ready, "w").close()

    n = 0
    next_send = time.monotonic() + interval
    while time.monotonic() - t_start < duration:
        for key, _ in sel.select(timeout=0.1):
            c = key.data
            try:
                d = c["sock"].recv(4096)
            except OSError:
                d = b""
            if d:
                c["data"] += d
                continue
            c["closed"] = time.monotonic()
            sel.unregister(c["sock"])
            c["sock"].close()
        if time.monotonic() >= next_send:
            n += 1
            next_send += interval
            for c in conns.values():
                if c["closed"] is None:
                    more = b"X-Slow-%d: 1\r\n" % n if mode == "headers" else line[n:n + 1]
                    try:
                        c["sock"].send(more)
                    except OSError:
                        pass
        if all(c["closed"] is not None for c in conns.values()):
            break

    out = {"opened": len(conns), "refused": 0, "refused_codes": [], "held": 0,
           "lifetimes": [], "held_codes": [], "still_open": 0}
    for c in conns.values():
        life = None if c["closed"] is None else c["closed"] - c["t0"]
        if life is not None and life < 0.5:
            out["refused"] += 1
            code = c["data"].split(b" ")[1].decode() if c["data"].count(b" ") else ""
            if code not in out["refused_codes"]:
                out["refused_codes"].append(code)
            continue
        out["held"] += 1
        code = c["data"].split(b" ")[1].decode() if c["data"].count(b" ") else ""
        if code and code not in out["held_codes"]:
            out["held_codes"].append(code)
        if life is None:
            out["still_open"] += 1
            c["sock"].close()
        else:
            out["lifetimes"].append(round(life, 2))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
