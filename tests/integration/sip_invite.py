#!/usr/bin/env python3
"""Send one SIP INVITE with an SDP offer over UDP and print the status line
of the final reply (stdlib only).

  sip_invite.py LOCAL_IP PROXY_IP PROXY_PORT CALL_ID

Exit 0 with the status line on stdout, 2 when no final reply came in 5 s.
"""
import socket
import sys
import time

local, proxy, port, call_id = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((local, 0))
lport = s.getsockname()[1]
sdp = ("v=0\r\no=alice 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
       "m=audio 10000 RTP/AVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
       "a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n") % (local, local)
msg = ("INVITE sip:bob@%s SIP/2.0\r\n"
       "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-%s;rport\r\n"
       "Max-Forwards: 70\r\n"
       "From: <sip:alice@%s>;tag=ft-%s\r\n"
       "To: <sip:bob@%s>\r\n"
       "Call-ID: %s\r\n"
       "CSeq: 1 INVITE\r\n"
       "Contact: <sip:alice@%s:%d>\r\n"
       "Content-Type: application/sdp\r\n"
       "Content-Length: %d\r\n\r\n%s") % (proxy, local, lport, call_id, local, call_id, proxy,
                                          call_id, local, lport, len(sdp), sdp)
s.settimeout(1)
deadline = time.time() + 5
s.sendto(msg.encode(), (proxy, port))
while time.time() < deadline:
    try:
        r = s.recv(65536).decode("utf-8", "replace")
    except socket.timeout:
        s.sendto(msg.encode(), (proxy, port))    # SIP's own retransmission
        continue
    line = r.split("\r\n", 1)[0]
    code = line.split(" ")[1] if line.startswith("SIP/2.0 ") else ""
    if code >= "200":
        print(line)
        sys.exit(0)
sys.exit(2)
