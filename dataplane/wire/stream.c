#include "stream.h"

#include <errno.h>
#include <string.h>

int
gw_stream_frame(const uint8_t *p, size_t len, size_t max_msg, size_t *msg_len,
		size_t *frame_len)
{
	size_t body, msg;
	int kind;

	if (len < 4)
		return 0;
	body = (size_t)p[2] << 8 | p[3];
	switch (p[0] >> 6) {
	case 0:
		if (body % 4 != 0)
			return -EINVAL;
		msg = GW_STREAM_STUN_HLEN + body;
		kind = GW_STREAM_STUN;
		break;
	case 1:
		msg = GW_STREAM_CHANDATA_HLEN + body;
		kind = GW_STREAM_CHANDATA;
		break;
	default:
		return -EBADMSG;
	}
	if (msg > max_msg)
		return -EMSGSIZE;
	if (len < msg)
		return 0;
	*msg_len = msg;
	/* RFC 8656 §12.5: ChannelData is padded to 4 on a stream; the padding
	 * may not have arrived yet, and the message is only complete with it. */
	*frame_len = (msg + 3) & ~(size_t)3;
	if (len < *frame_len)
		return 0;
	return kind;
}

void
gw_stream_init(struct gw_stream *d, uint8_t *buf, size_t cap, size_t max_msg)
{
	d->buf = buf;
	d->cap = cap;
	d->head = d->tail = 0;
	d->max_msg = max_msg + 3 <= cap ? max_msg : (cap >= 3 ? cap - 3 : 0);
}

size_t
gw_stream_space(struct gw_stream *d, uint8_t **p)
{
	if (d->head != 0) {
		memmove(d->buf, d->buf + d->head, d->tail - d->head);
		d->tail -= d->head;
		d->head = 0;
	}
	*p = d->buf + d->tail;
	return d->cap - d->tail;
}

void
gw_stream_commit(struct gw_stream *d, size_t n)
{
	if (n > d->cap - d->tail)
		n = d->cap - d->tail;
	d->tail += n;
}

int
gw_stream_next(struct gw_stream *d, const uint8_t **msg, size_t *msg_len)
{
	size_t ml, fl;
	int rc = gw_stream_frame(d->buf + d->head, d->tail - d->head, d->max_msg, &ml, &fl);

	if (rc <= 0)
		return rc;
	*msg = d->buf + d->head;
	*msg_len = ml;
	d->head += fl;
	return rc;
}

size_t
gw_stream_pending(const struct gw_stream *d)
{
	return d->tail - d->head;
}
