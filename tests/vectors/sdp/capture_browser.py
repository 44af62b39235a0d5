#!/usr/bin/python3
"""Capture a real browser's SDP offer (tests/vectors/sdp/README.md).

Serves one page on http://localhost:PORT/ (a secure context, so getUserMedia
works with fake devices), starts the browser headless on it, and waits for the
page to POST its offer(s) back. Writes OUTDIR/<prefix>-<name>.sdp exactly as
the browser produced them (CRLF kept). Loopback only; bounded by --timeout.

  capture_browser.py chromium OUTDIR   # Debian chromium
  capture_browser.py firefox OUTDIR    # Debian firefox-esr
"""
import http.server
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

PAGE = """<!doctype html><meta charset=utf-8><title>offer</title><script>
async function post(name, text) {
  await fetch('/sdp/' + name, {method: 'POST', body: text});
}
function gathered(pc) {
  return new Promise(r => {
    if (pc.iceGatheringState === 'complete') return r();
    pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') r(); };
    setTimeout(r, 4000);
  });
}
(async () => {
  try {
    // 1: audio+video from fake devices plus a DataChannel (sendrecv, what echo gets)
    const s = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
    const pc = new RTCPeerConnection();
    s.getTracks().forEach(t => pc.addTrack(t, s));
    pc.createDataChannel('chat');
    const o = await pc.createOffer();
    await post('av-dc', o.sdp);
    await pc.setLocalDescription(o);
    await gathered(pc);
    await post('av-dc-gathered', pc.localDescription.sdp);
    // 2: WHIP publisher: sendonly transceivers
    const pub = new RTCPeerConnection();
    s.getTracks().forEach(t => pub.addTransceiver(t, {direction: 'sendonly', streams: [s]}));
    await post('whip', (await pub.createOffer()).sdp);
    // 3: WHEP viewer: recvonly transceivers
    const v = new RTCPeerConnection();
    v.addTransceiver('audio', {direction: 'recvonly'});
    v.addTransceiver('video', {direction: 'recvonly'});
    await post('whep', (await v.createOffer()).sdp);
    await post('done', navigator.userAgent);
  } catch (e) {
    await post('error', String(e));
  }
})();
</script>"""

got = {}
done = threading.Event()


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        b = PAGE.encode()
        self.send_response(200)
        self.send_header('Content-Type', 'text/html')
        self.send_header('Content-Length', str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def do_POST(self):
        n = int(self.headers.get('Content-Length', '0'))
        body = self.rfile.read(n)
        name = self.path.rsplit('/', 1)[-1]
        got[name] = body
        self.send_response(204)
        self.end_headers()
        if name in ('done', 'error'):
            done.set()


def run_browser(kind, url, event, timeout):
    """Start Chromium or Firefox headless on url (fresh profile, fake media
    devices), wait up to timeout for event, then end the browser's process
    group. Returns whether event was set. Also used by
    tests/integration/sdp_chromium.py."""
    prof = tempfile.mkdtemp(prefix='rtcgw-browser-')
    if kind == 'chromium':
        cmd = ['/usr/lib/chromium/chromium', '--headless=new', '--no-sandbox', '--disable-gpu',
               '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
               '--disable-background-networking', '--user-data-dir=' + prof, url]
    else:
        with open(os.path.join(prof, 'user.js'), 'w') as f:
            f.write('user_pref("media.navigator.streams.fake", true);\n'
                    'user_pref("media.navigator.permission.disabled", true);\n'
                    'user_pref("browser.shell.checkDefaultBrowser", false);\n')
        cmd = ['firefox-esr', '--headless', '--no-remote', '--profile', prof, url]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        return event.wait(timeout)
    finally:
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        shutil.rmtree(prof, ignore_errors=True)


def main():
    kind, outdir = sys.argv[1], sys.argv[2]
    srv = http.server.HTTPServer(('127.0.0.1', 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        ok = run_browser(kind, 'http://localhost:%d/' % srv.server_address[1], done, 60)
    finally:
        srv.shutdown()
    if not ok or 'error' in got:
        print('capture failed:', got.get('error', b'timeout').decode(), file=sys.stderr)
        return 1
    for name, body in got.items():
        if name == 'done':
            print('user agent:', body.decode())
            continue
        path = os.path.join(outdir, '%s-%s.sdp' % (kind, name))
        with open(path, 'wb') as f:
            f.write(body)
        print('wrote', path, len(body), 'bytes')
    return 0


if __name__ == '__main__':
    sys.exit(main())
