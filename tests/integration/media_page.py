#!/usr/bin/env python3
"""Page server and WHIP/WHEP proxy for test_media_chromium.sh (stdlib only).

Listens on 127.0.0.1:PORT inside network namespace NS (the browsers' side,
so the page is a secure context at http://localhost:PORT) while its
forwarding connections go to the control plane's REST API on the host's
loopback: the listening socket is made after setns() into NS, and the
process returns to its own namespace before any request is served (sockets
keep the namespace they were made in; threads inherit the creator's).

  GET  /?mode=echo|pub|view&name=N&stream=S&secs=T   the test page
  POST|PATCH|DELETE|OPTIONS /v1/...   forwarded to REST with the bearer token;
                                      status, body and the WHIP headers back
  POST /log/N       one line of page log, appended to DIR/N.log
  POST /result/N    the page's result (JSON), written to DIR/N.result.json
  GET  /box/N       DIR/N.box, which the test writes for the page (404 until then,
                    and while it is still empty)

Usage: media_page.py NS PORT REST_URL TOKEN DIR
"""
import ctypes
import http.client
import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

NS, PORT, REST, TOKEN, DIR = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "media_page.html")
NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
CLONE_NEWNET = 0x40000000
LOCK = threading.Lock()


def setns(path):
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns " + path)
    finally:
        os.close(fd)


class Handler(BaseHTTPRequestHandler):
    def log_request(self, code="-", size="-"):
        if isinstance(code, int) and code >= 400:
            sys.stderr.write("page: %s -> %d\n" % (self.requestline, code))

    def send(self, code, body, ctype="application/json", headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def forward(self, method):
        u = urlparse(REST)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        h = {"Authorization": "Bearer " + TOKEN}
        for k in ("Content-Type", "If-Match"):
            if self.headers.get(k):
                h[k] = self.headers[k]
        try:
            c.request(method, self.path, body=self.body(), headers=h)
            r = c.getresponse()
            data = r.read()
            keep = [(k, v) for k, v in r.getheaders() if k.lower() in ("location", "etag", "link")]
            self.send(r.status, data, r.getheader("Content-Type") or "text/plain", keep)
        except OSError as e:
            self.send(502, json.dumps({"error": str(e)}))
        finally:
            c.close()

    def do_GET(self):
        p = urlparse(self.path)
        if p.path == "/":
            with open(PAGE, "rb") as f:
                return self.send(200, f.read(), "text/html; charset=utf-8")
        parts = [x for x in p.path.split("/") if x]
        if len(parts) == 2 and parts[0] == "box" and NAME.match(parts[1]):
            try:
                with open(os.path.join(DIR, parts[1] + ".box"), "rb") as f:
                    body = f.read()
                # empty: the test has created the file but not written it yet
                if body:
                    return self.send(200, body, "application/sdp")
            except OSError:
                pass
            return self.send(404, "{}")
        if p.path == "/favicon.ico":
            return self.send(204, b"", "image/x-icon")
        return self.send(404, "{}")

    def do_POST(self):
        parts = [x for x in urlparse(self.path).path.split("/") if x]
        if parts and parts[0] == "v1":
            return self.forward("POST")
        if len(parts) != 2 or parts[0] not in ("log", "result") or not NAME.match(parts[1]):
            return self.send(400, "{}")
        data = self.body()
        with LOCK:
            if parts[0] == "log":
                with open(os.path.join(DIR, parts[1] + ".log"), "ab") as f:
                    f.write(data + b"\n")
            else:
                with open(os.path.join(DIR, parts[1] + ".result.json"), "wb") as f:
                    f.write(data)
        return self.send(200, "{}")

    def do_PATCH(self):
        return self.forward("PATCH")

    def do_DELETE(self):
        return self.forward("DELETE")


def main():
    home = "/proc/self/ns/net"
    own = os.open(home, os.O_RDONLY)
    setns("/run/netns/" + NS)
    srv = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(own, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns back")
    os.close(own)
    srv.daemon_threads = True
    srv.serve_forever()


if __name__ == "__main__":
    main()
