/*
 * sdp_answer: read an SDP offer on stdin, write cp_sdp_answer's answer on
 * stdout (test_sdp_chromium.sh feeds it Chromium's offers and hands the
 * answer back to setRemoteDescription). Fixed ICE-lite credentials, a dummy
 * sha-256 fingerprint, host candidate 198.18.14.1:40000.
 *
 *   sdp_answer sendrecv|recvonly|sendonly < offer.sdp > answer.sdp
 *
 * Exit 0, or 1 with cp_sdp's error on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_sdp.h"

int
main(int argc, char **argv)
{
	static char in[CP_SDP_MAX_LEN + 1], out[CP_SDP_MAX_LEN * 2];
	static struct cp_sdp offer, ans;
	static const uint8_t fp[32] = {
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
	};
	struct cp_sdp_answer_params p;
	char err[CP_SDP_ERR_LEN];
	size_t n;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: %s sendrecv|recvonly|sendonly < offer\n", argv[0]);
		return 2;
	}
	memset(&p, 0, sizeof(p));
	p.policy = strcmp(argv[1], "recvonly") == 0 ? CP_SDP_DIR_RECVONLY :
		   strcmp(argv[1], "sendonly") == 0 ? CP_SDP_DIR_SENDONLY : CP_SDP_DIR_SENDRECV;
	n = fread(in, 1, sizeof(in), stdin);
	if (cp_sdp_parse(&offer, in, n, err, sizeof(err)) != 0) {
		fprintf(stderr, "offer: %s\n", err);
		return 1;
	}
	p.ice_ufrag = "rtcgw";
	p.ice_pwd = "rtcgwrtcgwrtcgwrtcgwrt";
	p.fingerprint = fp;
	p.cand_addr = "198.18.14.1";
	p.cand_port = 40000;
	p.sess_id = 1;
	p.sess_version = 1;
	p.ice_trickle = true;
	for (int i = 0; i < CP_SDP_MAX_MEDIA; i++) {
		p.send[i].ssrc = 0x10000000u + (uint32_t)i;
		p.send[i].rtx_ssrc = 0x20000000u + (uint32_t)i;
	}
	if (cp_sdp_answer(&ans, &offer, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "answer: %s\n", err);
		return 1;
	}
	rc = cp_sdp_encode(&ans, out, sizeof(out));
	if (rc < 0) {
		fprintf(stderr, "encode: %d\n", rc);
		return 1;
	}
	fwrite(out, 1, (size_t)rc, stdout);
	return 0;
}
