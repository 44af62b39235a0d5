/* libFuzzer target: RTP/RTCP header parsing (wire/rtp.h) as the media path
 * runs it: RFC 5761 demux, then the RTP view and its RFC 8285 extension
 * elements, or the RTCP compound walk. Every view must stay inside the input. */
#include <stddef.h>
#include <stdint.h>

#include "rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	}
	return 0;
}
