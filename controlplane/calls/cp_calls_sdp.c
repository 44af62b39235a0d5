#include "cp_calls_sdp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

const char *
cp_calls_kind_name(enum cp_calls_kind k)
{
	return k == CP_CALLS_KIND_SDES ? "SDES" : k == CP_CALLS_KIND_WEBRTC ? "WebRTC" : "RTP";
}

static int
kind_of(enum cp_sdp_proto p, enum cp_calls_kind *k, bool *avpf)
{
	switch (p) {
	case CP_SDP_PROTO_RTP_AVP:
	case CP_SDP_PROTO_RTP_AVPF:
		*k = CP_CALLS_KIND_RTP;
		*avpf = p == CP_SDP_PROTO_RTP_AVPF;
		return 0;
	case CP_SDP_PROTO_RTP_SAVP:
	case CP_SDP_PROTO_RTP_SAVPF:
		*k = CP_CALLS_KIND_SDES;
		*avpf = p == CP_SDP_PROTO_RTP_SAVPF;
		return 0;
	case CP_SDP_PROTO_UDP_TLS_RTP_SAVPF:
	case CP_SDP_PROTO_UDP_TLS_RTP_SAVP:
		*k = CP_CALLS_KIND_WEBRTC;
		*avpf = true;
		return 0;
	default:
		return -ENOTSUP;
	}
}

int
cp_calls_sdp_kind(const struct cp_sdp *sdp, enum cp_calls_kind *kind, bool *avpf, char *why,
		  size_t wlen)
{
	bool seen = false;

	for (unsigned i = 0; i < sdp->n_media; i++) {
		const struct cp_sdp_media *m = &sdp->media[i];
		enum cp_calls_kind k;
		bool f;

		if (m->port == 0 && !m->bundle_only)
			continue;
		if (kind_of(m->proto_id, &k, &f) != 0) {
			/* a DataChannel next to WebRTC audio is rejected in the rewrite */
			if (m->proto_id == CP_SDP_PROTO_UDP_DTLS_SCTP)
				continue;
			snprintf(why, wlen, "transport %s not bridged", m->proto);
			return -ENOTSUP;
		}
		if (seen && k != *kind) {
			snprintf(why, wlen, "m= sections mix %s and %s transports",
				 cp_calls_kind_name(*kind), cp_calls_kind_name(k));
			return -ENOTSUP;
		}
		if (!seen)
			*avpf = f;
		*kind = k;
		seen = true;
	}
	if (!seen) {
		snprintf(why, wlen, "SDP without media");
		return -EINVAL;
	}
	return 0;
}

enum cp_calls_kind
cp_calls_target_kind(enum cp_calls_kind from, const struct cp_ng_req *req, bool *avpf)
{
	enum cp_calls_kind k = from;

	switch (req->proto) {
	case CP_NG_PROTO_RTP_AVP:
	case CP_NG_PROTO_RTP_AVPF:
		k = CP_CALLS_KIND_RTP;
		*avpf = req->proto == CP_NG_PROTO_RTP_AVPF;
		break;
	case CP_NG_PROTO_RTP_SAVP:
	case CP_NG_PROTO_RTP_SAVPF:
		k = CP_CALLS_KIND_SDES;
		*avpf = req->proto == CP_NG_PROTO_RTP_SAVPF;
		break;
	case CP_NG_PROTO_UDP_TLS_RTP_SAVP:
	case CP_NG_PROTO_UDP_TLS_RTP_SAVPF:
		k = CP_CALLS_KIND_WEBRTC;
		*avpf = true;
		break;
	default:
		if (req->ice == CP_NG_ICE_FORCE || req->dtls == CP_NG_DTLS_PASSIVE ||
		    req->dtls == CP_NG_DTLS_ACTIVE) {
			k = CP_CALLS_KIND_WEBRTC;
			*avpf = true;
		} else if (from == CP_CALLS_KIND_WEBRTC &&
			   (req->ice == CP_NG_ICE_REMOVE || req->dtls == CP_NG_DTLS_OFF)) {
			k = CP_CALLS_KIND_RTP;
		}
		break;
	}
	if (k == CP_CALLS_KIND_SDES && (req->sdes & CP_NG_SDES_OFF))
		k = CP_CALLS_KIND_RTP;
	return k;
}

int
cp_calls_sdes_pick(const struct cp_sdp_media *m, struct cp_sdes_key *key, uint32_t *tag,
		   char *why, size_t wlen)
{
	char last[96] = "no a=crypto line";

	for (unsigned i = 0; i < m->n_crypto; i++) {
		const struct cp_sdp_crypto *c = &m->crypto[i];
		char w[64];

		if (cp_sdes_parse(key, c->suite, c->key_params, w, sizeof(w)) != 0) {
			snprintf(last, sizeof(last), "a=crypto:%u: %s", c->tag, w);
			continue;
		}
		if (key->mki_len != 0) {
			/* one master key per direction in the dataplane, no MKI field */
			snprintf(last, sizeof(last), "a=crypto:%u: MKI not supported", c->tag);
			continue;
		}
		*tag = c->tag;
		return 0;
	}
	OPENSSL_cleanse(key, sizeof(*key));
	snprintf(why, wlen, "no usable SDES key (%s)", last);
	return -ENOENT;
}

int
cp_calls_sdes_line(const struct cp_sdes_key *key, uint32_t tag, struct cp_sdp_crypto *line)
{
	const char *suite = cp_sdes_suite_name(key->profile);
	int n;

	memset(line, 0, sizeof(*line));
	if (suite == NULL || tag == 0)
		return -EINVAL;
	n = cp_sdes_encode(key, line->key_params, sizeof(line->key_params));
	if (n < 0)
		return n;
	line->tag = tag;
	snprintf(line->suite, sizeof(line->suite), "%s", suite);
	return 0;
}

int
cp_calls_sdes_make(uint16_t profile, uint32_t tag, struct cp_sdes_key *key,
		   struct cp_sdp_crypto *line)
{
	if (cp_sdes_suite_name(profile) == NULL)
		return -ENOTSUP;
	memset(key, 0, sizeof(*key));
	key->profile = profile;
	key->salt_len = profile == CP_SDES_PROFILE_GCM128 ? 12 : 14;
	if (RAND_bytes(key->key, sizeof(key->key)) != 1 ||
	    RAND_bytes(key->salt, key->salt_len) != 1)
		return -EIO;
	return line != NULL ? cp_calls_sdes_line(key, tag, line) : 0;
}

void
cp_calls_sdp_pts(const struct cp_sdp *sdp, uint8_t pts[][CP_CALLS_PT_MASK])
{
	memset(pts, 0, CP_SDP_MAX_MEDIA * CP_CALLS_PT_MASK);
	for (unsigned i = 0; i < sdp->n_media; i++) {
		const struct cp_sdp_media *m = &sdp->media[i];

		if ((m->port == 0 && !m->bundle_only) || !cp_sdp_proto_is_rtp(m->proto_id))
			continue;
		for (unsigned c = 0; c < m->n_codecs; c++)
			if (m->codecs[c].pt < 128)
				pts[i][m->codecs[c].pt / 8] |= (uint8_t)(1u << (m->codecs[c].pt % 8));
	}
}

int
cp_calls_bundle_pts(const uint8_t (*a)[CP_CALLS_PT_MASK], const uint8_t (*b)[CP_CALLS_PT_MASK],
		    unsigned n, uint8_t (*out)[CP_CALLS_PT_MASK], char *why, size_t wlen)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < CP_CALLS_PT_MASK; j++)
			out[i][j] = (uint8_t)((a != NULL ? a[i][j] : 0) | (b != NULL ? b[i][j] : 0));
	for (unsigned i = 0; i < n; i++)
		for (unsigned k = i + 1; k < n; k++)
			for (unsigned pt = 0; pt < 128; pt++)
				if ((out[i][pt / 8] & out[k][pt / 8]) >> (pt % 8) & 1) {
					snprintf(why, wlen, "BUNDLE: payload type %u in m= sections "
						 "%u and %u (the WebRTC leg's sections share one "
						 "port and are told apart by payload type)",
						 pt, i, k);
					return -ENOTSUP;
				}
	return 0;
}

int
cp_calls_sdp_render(char *text, size_t cap, const struct cp_sdp *in,
		    const struct cp_sdp_leg_params *p)
{
	struct cp_sdp *out = malloc(sizeof(*out));
	int rc;

	if (out == NULL)
		return -ENOMEM;
	rc = cp_sdp_leg_render(out, in, p);
	if (rc == 0)
		rc = cp_sdp_encode(out, text, cap);
	/* the a=crypto keys only: the struct is 700+ KB, a full wipe per request
	 * would cost more than the rewrite */
	for (unsigned i = 0; i < CP_SDP_MAX_MEDIA; i++)
		OPENSSL_cleanse(out->media[i].crypto, sizeof(out->media[i].crypto));
	free(out);
	return rc;
}
