/* libFuzzer target: the TURN TCP/TLS deframer (wire/stream.h). The first
 * byte picks the buffer size and the read sizes; the rest is the stream.
 * Whatever the chunking, the deframer must hand out the same messages as a
 * one-shot walk of the whole stream (gw_stream_frame), each inside the
 * buffer, no longer than max_msg, and stop at the same error. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_MSG 1500

/* max_msg as gw_stream_init lowers it for a buffer of cap bytes */
static size_t
lim_of(size_t cap)
{
	return cap >= MAX_MSG + 3 ? MAX_MSG : cap - 3;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[4096];
	struct gw_stream d;
	size_t cap, fed = 0, off = 0, ml, fl;
	uint8_t ctl;
	int want = 0, rc = 0;

	if (size < 1)
		return 0;
	ctl = data[0];
	data++, size--;
	cap = (ctl & 0x80) ? sizeof(buf) : 64 + (ctl & 0x3f) * 8;
	gw_stream_init(&d, buf, cap, MAX_MSG);
	for (unsigned i = 0; fed < size || rc > 0; i++) {
		const uint8_t *m;
		uint8_t *w;
		size_t room = gw_stream_space(&d, &w);
		size_t n = 1 + ((ctl + i * 7u) % 97u);

		if (n > size - fed)
			n = size - fed;
		if (n > room)
			n = room;
		memcpy(w, data + fed, n);
		gw_stream_commit(&d, n);
		fed += n;
		while ((rc = gw_stream_next(&d, &m, &ml)) > 0) {
			size_t lim = lim_of(cap);

			if (m < buf || m + ml > buf + cap || ml > lim)
				__builtin_trap();
			/* the reference: one walk over the whole input */
			want = gw_stream_frame(data + off, size - off, lim, &ml, &fl);
			if (want != rc || memcmp(m, data + off, ml) != 0)
				__builtin_trap();
			off += fl;
		}
		if (rc < 0) {
			if (gw_stream_frame(data + off, size - off, lim_of(cap), &ml, &fl) != rc)
				__builtin_trap();
			return 0;
		}
		if (n == 0)
			break;
	}
	/* what is left is a partial frame the reference does not finish either */
	if (gw_stream_pending(&d) != size - off)
		__builtin_trap();
	return 0;
}
