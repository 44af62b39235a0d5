// rtcgw demo page: echo test (WHIP to /v1/echo), publish (WHIP) / view (WHEP)
// of a named stream, and a two-browser call through the signalling relay
// (/v1/rooms). Each shows ICE/DTLS state and live bitrate from getStats().
//
// URL fragment (all optional): token=T (REST bearer token), stream=S, room=R,
// relay=1 (iceTransportPolicy 'relay'), auto=echo|pub|view|call (start at
// load), report=URL (POST a JSON summary of the page's state there every
// second, for automated tests: a no-cors simple request, no credentials).
'use strict';

const frag = new URLSearchParams(location.hash.slice(1));
const $ = id => document.getElementById(id);
const report = {};

function token() { return $('token').value.trim(); }
function auth(h) { h = h || {}; h.Authorization = 'Bearer ' + token(); return h; }

function setStatus(name, cls, text) {
  const el = $(name + '-status');
  el.className = 'status' + (cls ? ' ' + cls : '');
  el.textContent = text;
  (report[name] = report[name] || {}).status = {cls: el.className, text: text};
}

function gathered(pc) {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise(ok => {
    const t = setTimeout(ok, 3000);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') { clearTimeout(t); ok(); }
    });
  });
}

// One getStats() summary; bitrates from the previous one.
async function sample(pc, prev) {
  const s = {t: Date.now(), ice: pc.iceConnectionState, conn: pc.connectionState,
             dtls: '-', audioIn: 0, videoIn: 0, framesDecoded: 0, bytesIn: 0, bytesOut: 0,
             audioOut: 0, videoOut: 0, pair: null};
  const stats = await pc.getStats();
  let pairId = null;
  stats.forEach(r => {
    if (r.type === 'inbound-rtp') {
      if (r.kind === 'audio') s.audioIn += r.packetsReceived || 0;
      if (r.kind === 'video') {
        s.videoIn += r.packetsReceived || 0;
        s.framesDecoded += r.framesDecoded || 0;
      }
      s.bytesIn += r.bytesReceived || 0;
    } else if (r.type === 'outbound-rtp') {
      if (r.kind === 'audio') s.audioOut += r.packetsSent || 0;
      if (r.kind === 'video') s.videoOut += r.packetsSent || 0;
      s.bytesOut += r.bytesSent || 0;
    } else if (r.type === 'transport') {
      s.dtls = r.dtlsState || s.dtls;
      pairId = r.selectedCandidatePairId || pairId;
    }
  });
  if (!pairId)
    stats.forEach(r => { if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') pairId = r.id; });
  const pair = pairId && stats.get(pairId);
  if (pair) {
    const l = stats.get(pair.localCandidateId), r = stats.get(pair.remoteCandidateId);
    s.pair = {local: l && {candidateType: l.candidateType, address: l.address || l.ip,
                           port: l.port, relayProtocol: l.relayProtocol},
              remote: r && {candidateType: r.candidateType, address: r.address || r.ip,
                            port: r.port}};
  }
  const dt = prev ? (s.t - prev.t) / 1000 : 0;
  s.kbpsIn = dt > 0 ? Math.round((s.bytesIn - prev.bytesIn) * 8 / dt / 1000) : 0;
  s.kbpsOut = dt > 0 ? Math.round((s.bytesOut - prev.bytesOut) * 8 / dt / 1000) : 0;
  return s;
}

function show(name, s) {
  const p = s.pair && s.pair.local && s.pair.remote ?
    s.pair.local.candidateType + '/' + s.pair.remote.candidateType : '-';
  $(name + '-stats').textContent =
    'ICE ' + s.ice + '  DTLS ' + s.dtls + '  connection ' + s.conn + '  pair ' + p + '\n' +
    'in ' + s.kbpsIn + ' kbit/s (audio ' + s.audioIn + ' video ' + s.videoIn + ' packets, ' +
    s.framesDecoded + ' frames decoded)   out ' + s.kbpsOut + ' kbit/s';
  const r = report[name] = report[name] || {};
  r.last = s;
  r.samples = (r.samples || []).concat([s]).slice(-10);
}

// Media flowing in: audio and video packets grew since the previous sample
// and video frames were decoded.
function flowing(s, prev) {
  return !!prev && s.audioIn > prev.audioIn && s.videoIn > prev.videoIn && s.framesDecoded > 0;
}

// A running leg: its peer connection, stats timer, resource to DELETE.
const legs = {};

function stop(name) {
  const l = legs[name];
  if (!l) return;
  delete legs[name];
  clearInterval(l.timer);
  if (l.stream) l.stream.getTracks().forEach(t => t.stop());
  if (l.pc) l.pc.close();
  if (l.resource)
    fetch(l.resource, {method: 'DELETE', headers: auth()}).catch(() => {});
  if (l.es) l.es.close();
  if (l.leave)
    fetch(l.leave, {method: 'DELETE', headers: auth()}).catch(() => {});
  setStatus(name, '', 'stopped');
}

function watch(name, l, judge) {
  let prev = null;
  l.timer = setInterval(async () => {
    if (!l.pc) return;
    const s = await sample(l.pc, prev);
    show(name, s);
    judge(s, prev);
    prev = s;
  }, 1000);
}

function attach(videoId, pc) {
  const ms = new MediaStream();
  pc.ontrack = e => {
    ms.addTrack(e.track);
    const v = $(videoId);
    if (v.srcObject !== ms) v.srcObject = ms;
    v.play().catch(() => {});
  };
}

// WHIP/WHEP: offer, POST it, apply the answer (ICE servers from the Link headers
// are not needed: rtcgw is ICE-lite with host candidates).
async function whip(name, url, opts) {
  stop(name);
  const l = legs[name] = {};
  setStatus(name, 'wait', 'connecting');
  try {
    const pc = l.pc = new RTCPeerConnection();
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') setStatus(name, 'bad', 'connection failed');
    };
    if (opts.recv) attach(opts.recv, pc);
    if (opts.send) {
      const m = l.stream = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
      $(opts.send).srcObject = m;
      if (opts.recv) m.getTracks().forEach(t => pc.addTrack(t, m));   // sendrecv (echo)
      else m.getTracks().forEach(t => pc.addTransceiver(t, {direction: 'sendonly', streams: [m]}));
    } else {
      pc.addTransceiver('audio', {direction: 'recvonly'});
      pc.addTransceiver('video', {direction: 'recvonly'});
    }
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const r = await fetch(url, {method: 'POST', headers: auth({'Content-Type': 'application/sdp'}),
                                body: pc.localDescription.sdp});
    const body = await r.text();
    if (r.status !== 201) throw new Error('POST ' + url + ': ' + r.status + ' ' + body);
    l.resource = r.headers.get('Location');
    await pc.setRemoteDescription({type: 'answer', sdp: body});
    setStatus(name, 'wait', 'answered, connecting');
    watch(name, l, opts.judge);
  } catch (e) {
    setStatus(name, 'bad', String(e));
  }
}

function startEcho() {
  whip('echo', '/v1/echo', {send: 'echo-local', recv: 'echo-remote', judge: (s, prev) => {
    if (flowing(s, prev)) setStatus('echo', 'ok', 'echo OK: audio and video come back');
    else if (s.conn === 'failed') setStatus('echo', 'bad', 'connection failed');
    else if (s.conn === 'connected') setStatus('echo', 'wait', 'connected, waiting for media');
  }});
}

function streamName() { return encodeURIComponent($('stream').value.trim() || 'demo'); }

function startPub() {
  whip('pub', '/v1/whip/' + streamName(), {send: 'pub-local', judge: s => {
    if (s.conn === 'connected' && s.videoOut > 0) setStatus('pub', 'ok', 'publishing');
    else if (s.conn === 'failed') setStatus('pub', 'bad', 'connection failed');
  }});
}

function startView() {
  whip('view', '/v1/whep/' + streamName(), {recv: 'view-remote', judge: (s, prev) => {
    if (prev && s.framesDecoded > prev.framesDecoded) setStatus('view', 'ok', 'playing');
    else if (s.conn === 'failed') setStatus('view', 'bad', 'connection failed');
  }});
}

// ---- the call: rooms and Server-Sent Events ----------------------------------

async function startCall() {
  stop('call');
  const l = legs.call = {pending: [], remote: null};
  const room = encodeURIComponent($('room').value.trim() || 'demo');
  setStatus('call', 'wait', 'joining');
  const send = (to, msg) => {
    msg.from = l.me; msg.to = to;
    return fetch('/v1/rooms/' + room + '/messages',
                 {method: 'POST', headers: auth({'Content-Type': 'application/json'}),
                  body: JSON.stringify(msg)});
  };
  const newPc = async peer => {
    l.remote = peer;
    const pc = l.pc = new RTCPeerConnection({iceServers: l.ice,
      iceTransportPolicy: $('relay').checked ? 'relay' : 'all'});
    attach('call-remote', pc);
    pc.onicecandidate = e => {
      if (e.candidate) send(peer, {type: 'candidate', candidate: e.candidate.toJSON()});
    };
    l.stream.getTracks().forEach(t => pc.addTrack(t, l.stream));
    watch('call', l, (s, prev) => {
      if (flowing(s, prev)) setStatus('call', 'ok', 'in call with ' + peer);
      else if (s.conn === 'failed') setStatus('call', 'bad', 'connection failed');
    });
    return pc;
  };
  const flush = async () => {
    for (const c of l.pending.splice(0)) await l.pc.addIceCandidate(c).catch(() => {});
  };
  try {
    l.stream = await navigator.mediaDevices.getUserMedia({audio: true, video: true});
    $('call-local').srcObject = l.stream;
    const r = await fetch('/v1/rooms/' + room + '/peers', {method: 'POST', headers: auth()});
    const j = await r.json();
    if (r.status !== 201) throw new Error('join: ' + r.status + ' ' + (j.error || ''));
    l.me = j.peer;
    l.ice = j.iceServers;
    l.leave = '/v1/rooms/' + room + '/peers/' + j.peer;
    (report.call = report.call || {}).peer = j.peer;
    l.es = new EventSource(j.events);
    l.es.onerror = () => { if (l.es.readyState === 2) setStatus('call', 'bad', 'events stream closed'); };
    l.es.onmessage = async ev => {
      const m = JSON.parse(ev.data);
      try {
        if (m.type === 'offer' && !l.pc) {
          const pc = await newPc(m.from);
          await pc.setRemoteDescription({type: 'offer', sdp: m.sdp});
          await flush();
          await pc.setLocalDescription(await pc.createAnswer());
          await send(m.from, {type: 'answer', sdp: pc.localDescription.sdp});
          setStatus('call', 'wait', 'answered ' + m.from);
        } else if (m.type === 'answer' && l.pc && m.from === l.remote) {
          await l.pc.setRemoteDescription({type: 'answer', sdp: m.sdp});
          await flush();
        } else if (m.type === 'candidate' && m.from === l.remote) {
          if (l.pc && l.pc.remoteDescription) await l.pc.addIceCandidate(m.candidate);
          else l.pending.push(m.candidate);
        } else if (m.type === 'candidate' && !l.remote) {
          l.pending.push(m.candidate);   // before the offer it trickles after
        } else if (m.type === 'leave' && m.from === l.remote) {
          setStatus('call', 'bad', 'peer left');
          l.pc.close(); l.pc = null; l.remote = null;
        } else if (m.type === 'join') {
          setStatus('call', 'wait', 'peer ' + m.from + ' joined, waiting for its offer');
        }
      } catch (e) {
        setStatus('call', 'bad', m.type + ': ' + e);
      }
    };
    // The newcomer calls the first peer already in the room.
    if (j.peers.length > 0) {
      const pc = await newPc(j.peers[0]);
      await pc.setLocalDescription(await pc.createOffer());
      await send(j.peers[0], {type: 'offer', sdp: pc.localDescription.sdp});
      setStatus('call', 'wait', 'calling ' + j.peers[0]);
    } else {
      setStatus('call', 'wait', 'joined as ' + j.peer + ', waiting for a peer');
    }
  } catch (e) {
    setStatus('call', 'bad', String(e));
  }
}

$('echo-start').onclick = startEcho;
$('echo-stop').onclick = () => stop('echo');
$('pub-start').onclick = startPub;
$('pub-stop').onclick = () => stop('pub');
$('view-start').onclick = startView;
$('view-stop').onclick = () => stop('view');
$('call-start').onclick = startCall;
$('call-stop').onclick = () => stop('call');

if (frag.get('token')) $('token').value = frag.get('token');
if (frag.get('stream')) $('stream').value = frag.get('stream');
if (frag.get('room')) $('room').value = frag.get('room');
if (frag.get('relay') === '1') $('relay').checked = true;
({echo: startEcho, pub: startPub, view: startView, call: startCall}[frag.get('auto')] || (() => {}))();

if (frag.get('report')) {
  setInterval(() => {
    fetch(frag.get('report'), {method: 'POST', mode: 'no-cors', body: JSON.stringify(report)})
      .catch(() => {});
  }, 1000);
}
