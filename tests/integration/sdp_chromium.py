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

  sdp_chromium.py SDP_ANSWER_BIN
"""
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading

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
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    prof = tempfile.mkdtemp(prefix='rtcgw-sdp-chromium-')
    cmd = ['/usr/lib/chromium/chromium', '--headless=new', '--no-sandbox', '--disable-gpu',
           '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
           '--disable-background-networking', '--user-data-dir=' + prof,
           'http://localhost:%d/' % srv.server_address[1]]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        finished = done.wait(60)
    finally:
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        srv.shutdown()
        shutil.rmtree(prof, ignore_errors=True)
    fails = 0
    for r in results:
        good = 'error' not in r and r['state'] == 'stable' and r['dirs'][:2] == r['want']
        fails += not good
        print('%s - Chromium accepts the answer: %s (%s)' % (
            'ok' if good else 'not ok', r['name'],
            r.get('error') or 'state %s, directions %s' % (r['state'], r['dirs'])))
    if not finished or len(results) != 3:
        print('not ok - Chromium page finished all 3 cases (got %d)' % len(results))
        fails += 1
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
