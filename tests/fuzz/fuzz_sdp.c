/*
 * libFuzzer target for cp_sdp (STYLE.md practice 15): arbitrary bytes through
 * cp_sdp_parse; what parses is generated, parsed again (must succeed and give
 * the same struct and text), answered as echo/WHIP/WHEP (the answer must
 * generate and parse again) and rendered as an RTP, SDES and WebRTC leg.
 * Seeds: tests/fuzz/corpus/sdp/ (the captured browser and GStreamer offers).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cp_sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t fp[32] = {1, 2, 3};

static void
reparse(const struct cp_sdp *s, struct cp_sdp *tmp, char *buf, size_t len, bool same)
{
	static char buf2[CP_SDP_MAX_LEN * 2];
	char err[CP_SDP_ERR_LEN];
	int n = cp_sdp_encode(s, buf, len), n2;

	if (n == -ENOSPC)
		return;   /* a description near the limit can grow past it */
	if (n < 0)
		abort();
	if (cp_sdp_parse(tmp, buf, (size_t)n, err, sizeof(err)) != 0) {
		if ((size_t)n > CP_SDP_MAX_LEN)
			return;
		fprintf(stderr, "generated SDP does not parse: %s\n%.*s\n", err, n, buf);
		abort();   /* we wrote something we do not accept */
	}
	if (!same)
		return;
	if (memcmp(s, tmp, sizeof(*s)) != 0)
		abort();
	n2 = cp_sdp_encode(tmp, buf2, sizeof(buf2));
	if (n2 != n || memcmp(buf, buf2, (size_t)n) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cp_sdp s, tmp, ans;   /* about 730 KiB each: not on the stack */
	static char buf[CP_SDP_MAX_LEN * 2];
	static const enum cp_sdp_dir pol[] = {CP_SDP_DIR_SENDRECV, CP_SDP_DIR_RECVONLY,
					      CP_SDP_DIR_SENDONLY};
	struct cp_sdp_answer_params p;
	struct cp_sdp_leg_params lp;
	struct cp_sdp_crypto k = {1, "AES_CM_128_HMAC_SHA1_80", "inline:AAAA", ""};
	static struct cp_sdp_crypto ks[CP_SDP_MAX_MEDIA];
	char err[CP_SDP_ERR_LEN];

	if (cp_sdp_parse(&s, (const char *)data, size, err, sizeof(err)) != 0) {
		if (strnlen(err, sizeof(err)) == sizeof(err) || strncmp(err, "line ", 5) != 0)
			abort();
		return 0;
	}
	reparse(&s, &tmp, buf, sizeof(buf), true);

	memset(&p, 0, sizeof(p));
	p.ice_ufrag = "fuzz";
	p.ice_pwd = "fuzzfuzzfuzzfuzzfuzzfu";
	p.fingerprint = fp;
	p.cand_addr = "198.18.14.1";
	p.cand_port = 40000;
	p.policy = pol[size % 3];
	p.restrict_to = (size & 4) ? &s : NULL;
	p.codecs = (size & 8) ? 0xffffffffu : 0;
	for (int i = 0; i < CP_SDP_MAX_MEDIA; i++)
		p.send[i].ssrc = (uint32_t)i + 1, p.send[i].rtx_ssrc = (uint32_t)i + 100;
	if (cp_sdp_answer(&ans, &s, &p, err, sizeof(err)) == 0)
		reparse(&ans, &tmp, buf, sizeof(buf), true);

	memset(&lp, 0, sizeof(lp));
	lp.addr = "198.18.14.1";
	lp.port = 30000;
	lp.ice_ufrag = p.ice_ufrag;
	lp.ice_pwd = p.ice_pwd;
	lp.fingerprint = fp;
	lp.crypto = &k;
	lp.n_crypto = 1;
	/* the calls' variants: a key per section (crypto_stride), a second
	 * host candidate of the other family, a=rtcp's form, generated mids */
	if (size & 64) {
		for (int i = 0; i < CP_SDP_MAX_MEDIA; i++) {
			ks[i] = k;
			ks[i].tag = (uint32_t)i + 1;
		}
		lp.crypto = ks;
		lp.crypto_stride = 1;
	}
	lp.cand_addr2 = (size & 128) ? "2001:2:0:14::1" : NULL;
	lp.rtcp_attr = (enum cp_sdp_rtcp_attr)(size % 3);    /* a=rtcp's three forms */
	lp.generate_mid = (size & 8) != 0;
	for (int kind = CP_SDP_LEG_WEBRTC; kind <= CP_SDP_LEG_SDES; kind++) {
		lp.kind = (enum cp_sdp_leg_kind)kind;
		lp.avpf = (size & 16) != 0;
		lp.rtcp_mux = (size & 32) != 0;
		if (cp_sdp_leg_render(&ans, &s, &lp) == 0)
			reparse(&ans, &tmp, buf, sizeof(buf), false);
	}
	return 0;
}
