#!/usr/bin/env python3
"""Send raw bytes to an HTTP server and check the answer (for test_rest_*.sh).

  rest_raw.py PORT REQUEST [--status N[,N]] [--json-error] [--close]
              [--no-body] [--within SECONDS]

REQUEST is a Python bytes literal body (escapes allowed, e.g. 'GET / HTTP/1.1\\r\\n\\r\\n').
--close: the server must close the connection after its answer (EOF within 2 s).
Prints what it got; exit 0 when every expectation holds, 1 otherwise.
"""
import argparse
import ast
import json
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("request")
    ap.add_argument("--status", default=None)
    ap.add_argument("--json-error", action="store_true")
    ap.add_argument("--close", action="store_true")
    ap.add_argument("--no-body", action="store_true")
    ap.add_argument("--within", type=float, default=2.0)
    a = ap.parse_args()

    req = ast.literal_eval("b'" + a.request.replace("'", "\\'") + "'")
    t0 = time.monotonic()
    s = socket.create_connection(("127.0.0.1", a.port), timeout=3)
    s.settimeout(0.2)
    s.sendall(req)
    data = b""
    eof = False
    answered_at = None
    deadline = t0 + a.within + 2.0
    while time.monotonic() < deadline:
        try:
            d = s.recv(65536)
        except socket.timeout:
            if answered_at is not None and not a.close:
                break
            continue
        except ConnectionResetError:
            eof = True
            break
        if not d:
            eof = True
            break
        data += d
        if answered_at is None and b"\r\n\r\n" in data:
            answered_at = time.monotonic() - t0
    s.close()

    ok = True
    head, _, body = data.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    print(f"# got {status_line!r} after {answered_at}, body {body[:200]!r}, eof={eof}")
    parts = status_line.split(" ")
    status = parts[1] if len(parts) > 1 else None
    if answered_at is None or answered_at > a.within:
        print(f"# no answer within {a.within} s")
        ok = False
    if a.status and status not in a.status.split(","):
        print(f"# status {status}, want {a.status}")
        ok = False
    if a.json_error:
        try:
            doc = json.loads(body)
            if not isinstance(doc.get("error"), str) or not doc["error"]:
                raise ValueError("no error string")
            ctype = [h for h in head.split(b"\r\n") if h.lower().startswith(b"content-type:")]
            if not ctype or b"application/json" not in ctype[0]:
                raise ValueError("content type not JSON")
        except (ValueError, AttributeError) as e:
            print(f"# not a JSON error: {e}")
            ok = False
    if a.no_body:
        lens = [h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length:")]
        if body or not lens or int(lens[0].split(b":")[1]) == 0:
            print(f"# want no body but a Content-Length: body {len(body)} bytes, {lens}")
            ok = False
    if a.close and not eof:
        print("# connection not closed")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
