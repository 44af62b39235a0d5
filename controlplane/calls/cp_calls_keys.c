/*
 * cp_calls_keys: one call party's SDES-SRTP keys (cp_calls_keys.h).
 */
#include "cp_calls_keys.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cp_calls_sdp.h"

int
cp_calls_keys_take_offer(struct cp_calls_keys *k, const struct cp_sdp *sdp, char *why,
			 size_t wlen)
{
	for (unsigned i = 0; i < sdp->n_media; i++) {
		const struct cp_sdp_media *m = &sdp->media[i];
		struct cp_sdes_key *rx = &k->rx[i];
		uint32_t tag = 0;
		int rc;

		memset(rx, 0, sizeof(*rx));
		if (m->port == 0) {
			memset(&k->tx[i], 0, sizeof(k->tx[i]));
			k->tx_tag[i] = 0;
			continue;
		}
		rc = cp_calls_sdes_pick(m, rx, &tag, why, wlen);
		if (rc != 0)
			return rc;
		if (k->tx[i].profile == rx->profile && k->tx_tag[i] == tag)
			continue;
		if (cp_calls_sdes_make(rx->profile, tag, &k->tx[i], NULL) != 0) {
			snprintf(why, wlen, "SDES key generation failed");
			return -EIO;
		}
		k->tx_tag[i] = tag;
	}
	return 0;
}

int
cp_calls_keys_make_offer(struct cp_calls_keys *k, unsigned n_media, char *why, size_t wlen)
{
	static const uint16_t profiles[CP_CALLS_KEYS_OFFERED] = {
		CP_SDES_PROFILE_CM_80, CP_SDES_PROFILE_CM_32, CP_SDES_PROFILE_GCM128,
	};

	if (k->offered)
		return 0;           /* a re-offer keeps them (the sections' number stays) */
	for (unsigned i = 0; i < n_media && i < CP_SDP_MAX_MEDIA; i++) {
		for (unsigned j = 0; j < CP_CALLS_KEYS_OFFERED; j++) {
			if (k->tx[i].profile == profiles[j]) {
				k->offered_key[i][j] = k->tx[i];
			} else if (cp_calls_sdes_make(profiles[j], j + 1, &k->offered_key[i][j],
						      NULL) != 0) {
				snprintf(why, wlen, "SDES key generation failed");
				return -EIO;
			}
		}
	}
	k->offered = true;
	return 0;
}

int
cp_calls_keys_take_answer(struct cp_calls_keys *k, const struct cp_sdp *sdp, char *why,
			  size_t wlen)
{
	for (unsigned i = 0; i < sdp->n_media; i++) {
		const struct cp_sdp_media *m = &sdp->media[i];
		uint32_t tag = 0;
		int rc;

		memset(&k->rx[i], 0, sizeof(k->rx[i]));
		memset(&k->tx[i], 0, sizeof(k->tx[i]));
		k->tx_tag[i] = 0;
		if (m->port == 0)
			continue;
		rc = cp_calls_sdes_pick(m, &k->rx[i], &tag, why, wlen);
		if (rc != 0)
			return rc;
		if (!k->offered || tag < 1 || tag > CP_CALLS_KEYS_OFFERED ||
		    k->offered_key[i][tag - 1].profile != k->rx[i].profile) {
			snprintf(why, wlen,
				 "SDES answer: a=crypto:%u in m= section %u does not match an "
				 "offered suite", tag, i);
			return -EINVAL;
		}
		k->tx[i] = k->offered_key[i][tag - 1];
		k->tx_tag[i] = tag;
	}
	return 0;
}

bool
cp_calls_keys_changed(const struct cp_calls_keys *before, struct cp_calls_keys *k, uint32_t *rx,
		      uint32_t *tx)
{
	_Static_assert(CP_SDP_MAX_MEDIA <= 32, "a bit per section");
	*rx = *tx = 0;
	for (unsigned i = 0; i < CP_SDP_MAX_MEDIA; i++) {
		if (!before->keyed || memcmp(&before->rx[i], &k->rx[i], sizeof(k->rx[i])) != 0)
			*rx |= 1u << i;
		if (!before->keyed || memcmp(&before->tx[i], &k->tx[i], sizeof(k->tx[i])) != 0)
			*tx |= 1u << i;
	}
	k->keyed = true;
	return (*rx | *tx) != 0;
}

int
cp_calls_keys_lines(const struct cp_calls_keys *k, unsigned n_media, bool offer,
		    struct cp_sdp_crypto *lines, struct cp_sdp_leg_params *p)
{
	for (unsigned i = 0; i < n_media && i < CP_SDP_MAX_MEDIA; i++) {
		struct cp_sdp_crypto *l = &lines[i * CP_CALLS_KEYS_OFFERED];

		if (offer) {
			for (unsigned j = 0; j < CP_CALLS_KEYS_OFFERED; j++)
				if (cp_calls_sdes_line(&k->offered_key[i][j], j + 1, &l[j]) != 0)
					return -EINVAL;
		} else if (k->tx_tag[i] != 0 &&
			   cp_calls_sdes_line(&k->tx[i], k->tx_tag[i], &l[0]) != 0) {
			return -EINVAL;
		}
	}
	p->kind = CP_SDP_LEG_SDES;
	p->n_crypto = offer ? CP_CALLS_KEYS_OFFERED : 1;
	p->crypto_stride = CP_CALLS_KEYS_OFFERED;
	p->crypto = lines;
	return 0;
}
