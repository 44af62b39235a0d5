#include "demux.h"

enum gw_demux_class
gw_demux_classify(const uint8_t *p, size_t len)
{
	uint8_t b;

	if (len == 0)
		return GW_DEMUX_EMPTY;
	b = p[0];
	if (b <= 3)
		return GW_DEMUX_STUN;
	if (b >= 16 && b <= 19)
		return GW_DEMUX_ZRTP;
	if (b >= 20 && b <= 63)
		return GW_DEMUX_DTLS;
	if (b >= 64 && b <= 79)
		return GW_DEMUX_CHANDATA;
	if (b >= 128 && b <= 191) {
		/* RTCP packet types 192..223 occupy the second byte whole. */
		if (len >= 2 && p[1] >= 192 && p[1] <= 223)
			return GW_DEMUX_RTCP;
		return GW_DEMUX_RTP;
	}
	return GW_DEMUX_UNKNOWN;
}

const char *
gw_demux_name(enum gw_demux_class c)
{
	static const char *const names[] = {
		"empty", "stun", "zrtp", "dtls", "chandata", "rtp", "rtcp", "unknown",
	};

	_Static_assert(sizeof(names) / sizeof(names[0]) == GW_DEMUX_MAX,
		       "one name per demux class");
	return (unsigned)c < GW_DEMUX_MAX ? names[c] : "invalid";
}
