#!/usr/bin/env python3
"""Signalling server for test_turn_chromium.sh (Python 3 stdlib only).

Runs inside the test's client namespace and serves, on 127.0.0.1:PORT (so
the page is a secure context at http://localhost:PORT):

  GET  /?run=R&role=a|b        the test page (chromium_turn.html)
  GET  /config/R               R.ice.json from DIR (iceServers, written by the test)
  POST /msg/R/TO               queue one signalling message (JSON) for role TO
  GET  /msg/R/ROLE?since=N     messages N.. queued for ROLE, as a JSON list
  POST /log/R/ROLE             one line of page log, appended to DIR/R.ROLE.log
  POST /result/R/ROLE          final JSON result, written to DIR/R.ROLE.result.json

Usage: chromium_signal.py PORT DIR
"""
import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PORT = int(sys.argv[1])
DIR = sys.argv[2]
PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "chromium_turn.html")
NAME = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
LOCK = threading.Lock()
QUEUES = {}  # (run, role) -> [message, ...]


class Handler(BaseHTTPRequestHandler):
    def log_request(self, code="-", size="-"):
        # Only what went wrong: the polling would drown the failure dump.
        if isinstance(code, int) and code >= 400:
            sys.stderr.write("signal: %s -> %d\n" % (self.requestline, code))

    def log_message(self, fmt, *args):
        sys.stderr.write("signal: " + (fmt % args) + "\n")

    def send(self, code, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    def parts(self):
        u = urlparse(self.path)
        p = [x for x in u.path.split("/") if x]
        if any(not NAME.match(x) for x in p):
            return None, None
        return p, parse_qs(u.query)

    def do_GET(self):
        if self.path == "/favicon.ico":
            return self.send(204, b"", "image/x-icon")
        p, q = self.parts()
        if p is None:
            return self.send(400, "{}")
        if not p:
            with open(PAGE, "rb") as f:
                return self.send(200, f.read(), "text/html; charset=utf-8")
        if p[0] == "config" and len(p) == 2:
            try:
                with open(os.path.join(DIR, p[1] + ".ice.json"), "rb") as f:
                    return self.send(200, f.read())
            except OSError:
                return self.send(404, "{}")
        if p[0] == "msg" and len(p) == 3:
            since = int(q.get("since", ["0"])[0])
            with LOCK:
                msgs = QUEUES.get((p[1], p[2]), [])[since:]
            return self.send(200, json.dumps(msgs))
        return self.send(404, "{}")

    def do_POST(self):
        p, _ = self.parts()
        n = int(self.headers.get("Content-Length", "0"))
        if p is None or n > 1 << 20:
            return self.send(400, "{}")
        body = self.rfile.read(n)
        if len(p) != 3:
            return self.send(404, "{}")
        kind, run, role = p
        if kind == "msg":
            with LOCK:
                QUEUES.setdefault((run, role), []).append(json.loads(body))
            return self.send(200, "{}")
        if kind == "log":
            with LOCK, open(os.path.join(DIR, f"{run}.{role}.log"), "ab") as f:
                f.write(body.rstrip(b"\n") + b"\n")
            return self.send(200, "{}")
        if kind == "result":
            json.loads(body)
            tmp = os.path.join(DIR, f".{run}.{role}.tmp")
            with open(tmp, "wb") as f:
                f.write(body)
            os.rename(tmp, os.path.join(DIR, f"{run}.{role}.result.json"))
            return self.send(200, "{}")
        return self.send(404, "{}")


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
