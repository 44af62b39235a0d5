#!/usr/bin/python3
"""Driver for test_sdp_chromium.sh: Chromium accepts cp_sdp's answers.

Serves one page on http://localhost:PORT/ (loopback only). For each case the
page creates an RTCPeerConnection (fake audio+video devices), makes its offer,
setLocalDescription, POSTs the offer to /answer/<policy>; this server runs
build/tests/sdp_answer on it and returns our answer; the page calls
setRemoteDescription(answer) and POSTs what happened (signalingState, each
transceiver's currentDirection, or the exception). Prints one
"ok - ..." / "not ok - ..." line per case. No media flows (no gateway here):
this checks the SDP only. Bounded by --timeout.

  sdp_chromium.py SDP_ANSWER_BIN [chromium|firefox]
"""
import http.server
import json
import os
import subprocess
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'vectors', 'sdp'))
from capture_browser import run_browser  # noqa: E402

PAGE = """<!doctype html><meta charset=utf-8><title>sdp</title><script>
async function post(path, body) {
  const r = await fetch(path, {method: 'POST', body: body});
  return [r.status, await r.text()];
}
async function run(name, policy, setup, want) {
  let res = {name: name};
  try {
    const pc = new RTCPeerConnection();
    await setup(pc);
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    const [code, answer] = await post('/answer/' + policy, offer.sdp);
    if (code !== 200) throw new Error('answerer: ' + answer);
    await pc.setRemoteDescription({type: 'answer', sdp: answer});
    res.state = pc.signalingState;
    res.dirs = pc.getTransceivers().map(t => t.currentDirection);
    res.want = want;
    pc.close();
  } catch (e) {
    res.error = String(e);
  }
  await post('/result', JSON.stringify(res));
}
(async () => {
  const s = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
  await run('echo: audio+video+DataChannel, sendrecv', 'sendrecv', async pc => {
    s.getTracks().forEach(t => pc.addTrack(t, s));
    pc.createDataChannel('chat');
  }, ['sendrecv', 'sendrecv']);
  await run('WHIP publisher: sendonly offer, recvonly answer', 'recvonly', async pc => {
    s.getTracks().forEach(t => pc.addTransceiver(t, {direction: 'sendonly', streams: [s]}));
  }, ['sendonly', 'sendonly']);
  await run('WHEP viewer: recvonly offer, sendonly answer', 'sendonly', async pc => {
    pc.addTransceiver('audio', {direction: 'recvonly'});
    pc.addTransceiver('video', {direction: 'recvonly'});
  }, ['recvonly', 'recvonly']);
  await post('/done', '');
})();
</script>"""

results = []
done = threading.Event()
ANSWER_BIN = None


class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def reply(self, code, body, ctype='text/plain'):
        b = body.encode()
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(b)))
        self.end_headers()
        self.wfile.write(b)

    def do_GET(self):
        self.reply(200, PAGE, 'text/html')

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', '0')))
        if self.path.startswith('/answer/'):
            p = subprocess.run([ANSWER_BIN, self.path.rsplit('/', 1)[-1]], input=body,
                               capture_output=True, timeout=10)
            if p.returncode != 0:
                self.reply(400, p.stderr.decode())
            else:
                self.reply(200, p.stdout.decode(), 'application/sdp')
            return
        if self.path == '/result':
            results.append(json.loads(body))
        elif self.path == '/done':
            done.set()
        self.reply(204, '')


def main():
    global ANSWER_BIN
    ANSWER_BIN = sys.argv[1]
    kind = sys.argv[2] if len(sys.argv) > 2 else 'chromium'
    label = 'Chromium' if kind == 'chromium' else 'Firefox'
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        finished = run_browser(kind, 'http://localhost:%d/' % srv.server_address[1], done, 60)
    finally:
        srv.shutdown()
    fails = 0
    for r in results:
        good = 'error' not in r and r['state'] == 'stable' and r['dirs'][:2] == r['want']
        fails += not good
        print('%s - %s accepts the answer: %s (%s)' % (
            'ok' if good else 'not ok', label, r['name'],
            r.get('error') or 'state %s, directions %s' % (r['state'], r['dirs'])))
    if not finished or len(results) != 3:
        print('not ok - %s page finished all 3 cases (got %d)' % (label, len(results)))
        fails += 1
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
