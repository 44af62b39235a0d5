#!/usr/bin/env python3
"""Serve page.html and /config on 127.0.0.1:PORT; write the POSTed /result to OUT and exit.

  serve.py PORT CONFIG_JSON_FILE OUT
"""
import http.server
import os
import sys

PORT, CONF, OUT = int(sys.argv[1]), sys.argv[2], sys.argv[3]
HERE = os.path.dirname(os.path.abspath(__file__))


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, body, ctype):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/config":
            self.send(open(CONF, "rb").read(), "application/json")
        else:
            self.send(open(os.path.join(HERE, "page.html"), "rb").read(), "text/html")

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        open(OUT, "wb").write(body)
        self.send(b"{}", "application/json")
        self.server.done = True


srv = http.server.HTTPServer(("127.0.0.1", PORT), H)
srv.done = False
while not srv.done:
    srv.handle_request()
