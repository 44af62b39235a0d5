#!/usr/bin/python3
"""Capture GStreamer webrtcbin's SDP offer, the OBS/GStreamer WHIP client's
representative (whipsink/whipclientsink wrap the same webrtcbin).

Pipeline: Opus audio (audiotestsrc) + VP8 and H.264 video (videotestsrc),
payloaded and linked to webrtcbin as sendonly transceivers (what a WHIP
publisher does); the offer is printed after ICE gathering completes.

  capture_gst.py OUT.sdp [vp8|h264]
"""
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstWebRTC', '1.0')
gi.require_version('GstSdp', '1.0')
from gi.repository import GLib, Gst, GstWebRTC  # noqa: E402

VIDEO = {
    'vp8': 'videotestsrc is-live=true ! videoconvert ! vp8enc deadline=1 ! rtpvp8pay ! '
           'application/x-rtp,media=video,encoding-name=VP8,payload=96',
    'h264': 'videotestsrc is-live=true ! videoconvert ! x264enc tune=zerolatency ! '
            'rtph264pay config-interval=-1 ! '
            'application/x-rtp,media=video,encoding-name=H264,payload=102',
}


def main():
    out, vid = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else 'vp8')
    Gst.init(None)
    pipe = Gst.parse_launch(
        'webrtcbin name=w bundle-policy=max-bundle '
        'audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample ! opusenc ! '
        'rtpopuspay ! application/x-rtp,media=audio,encoding-name=OPUS,payload=111 ! w. '
        + VIDEO[vid] + ' ! w.')
    w = pipe.get_by_name('w')
    loop = GLib.MainLoop()
    result = {}

    for t in range(2):
        tr = w.emit('get-transceiver', t)
        if tr is not None:
            tr.set_property('direction', GstWebRTC.WebRTCRTPTransceiverDirection.SENDONLY)

    def on_gathering(obj, pspec):
        if w.get_property('ice-gathering-state') == GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            result['sdp'] = w.get_property('local-description').sdp.as_text()
            loop.quit()

    def on_offer(promise, _):
        reply = promise.get_reply()
        offer = reply.get_value('offer')
        w.emit('set-local-description', offer, Gst.Promise.new())

    def on_negotiation_needed(_):
        w.emit('create-offer', None, Gst.Promise.new_with_change_func(on_offer, None))

    w.connect('on-negotiation-needed', on_negotiation_needed)
    w.connect('notify::ice-gathering-state', on_gathering)
    pipe.set_state(Gst.State.PLAYING)
    GLib.timeout_add_seconds(20, loop.quit)
    loop.run()
    pipe.set_state(Gst.State.NULL)
    if 'sdp' not in result:
        print('no offer within 20 s', file=sys.stderr)
        return 1
    with open(out, 'w', newline='') as f:
        f.write(result['sdp'])
    print('GStreamer', Gst.version_string(), 'wrote', out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
