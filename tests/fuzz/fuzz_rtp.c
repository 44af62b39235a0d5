/* libFuzzer target: RTP/RTCP header parsing (wire/rtp.h) as the media path
 * runs it: RFC 5761 demux, then the RTP view and its RFC 8285 extension
 * elements, or the RTCP compound walk. Every view must stay inside the input.
 * Also what the dataplane builds from them: an RFC 4588 RTX packet of the RTP
 * packet (exactly 2 bytes more than header + payload), and a receiver's copy
 * of an RTCP compound's sender reports (never longer, still a compound the
 * walk accepts as far as the original's). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
counts(void *arg, uint32_t ssrc, uint32_t *packets, uint32_t *octets)
{
	(void)arg;
	*packets = ssrc;
	*octets = ~ssrc;
	return (ssrc & 1) != 0;
}

static void
inside(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
	if (p < data || p + n > data + size)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (gw_rtp_is_rtcp(data, size)) {
		struct gw_rtcp_iter it;
		struct gw_rtcp_view v;
		size_t total = 0;

		gw_rtcp_begin(&it, data, size);
		while (gw_rtcp_next(&it, &v) > 0) {
			inside(v.body, v.body_len, data, size);
			total += v.len;
			if (total > size)
				__builtin_trap();
		}
		if (size <= 1500) {
			uint8_t copy[1500];
			size_t n;

			memcpy(copy, data, size);
			n = gw_rtcp_sr_rewrite(copy, size, counts, NULL);
			if (n > size)
				__builtin_trap();
		}
	} else {
		struct gw_rtp_view v;
		struct gw_rtp_ext_iter it;
		struct gw_rtp_ext_elem e;
		int h = gw_rtp_hdr_len(data, size);

		if (gw_rtp_parse(&v, data, size) != 0)
			return 0;
		if (h != v.hdr_len)
			__builtin_trap();
		inside(v.payload, v.payload_len + v.pad_len, data, size);
		if (v.ext != NULL)
			inside(v.ext, v.ext_len, data, size);
		if (gw_rtp_ext_begin(&it, &v) == 0)
			while (gw_rtp_ext_next(&it, &e) > 0)
				inside(e.data, e.len, v.ext, v.ext_len);
		(void)gw_rtp_ext_find(&v, 3, &e);
		if (size <= 1500) {
			uint8_t rtx[1502];
			int n = gw_rtp_rtx_encode(rtx, sizeof(rtx), data, size, 97, 1, 2);

			if (n != (int)(v.hdr_len + 2 + v.payload_len) ||
			    (rtx[n - (int)v.payload_len - 2] << 8 | rtx[n - (int)v.payload_len - 1]) != v.seq)
				__builtin_trap();
		}
	}
	return 0;
}
