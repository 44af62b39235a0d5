/*
 * gw_stream: TURN over TCP and TLS framing (RFC 8656 §6.2, RFC 5766 §11.5).
 *
 * On a stream the client sends STUN messages and ChannelData messages back to
 * back. A STUN message is its 20-byte header plus the header's length field
 * (a multiple of 4); ChannelData is 4 bytes plus its length field, padded on
 * the stream to a multiple of 4. The first two bits tell them apart: 00 STUN,
 * 01 ChannelData (channel numbers 0x4000..0x7FFF); anything else cannot be
 * resynchronised and ends the connection.
 *
 * The deframer works on a buffer the caller owns (no allocation, no I/O): the
 * caller reads from the socket into gw_stream_space(), commits what it read,
 * and takes messages out with gw_stream_next() until it returns 0.
 */
#ifndef GW_STREAM_H
#define GW_STREAM_H

#include <stddef.h>
#include <stdint.h>

#define GW_STREAM_STUN_HLEN      20
#define GW_STREAM_CHANDATA_HLEN  4

/** What one frame at the head of a stream is. */
enum gw_stream_kind {
	GW_STREAM_STUN = 1,
	GW_STREAM_CHANDATA = 2,
};

/**
 * Length of the frame at the head of p[0..len).
 * @param max_msg  largest message (without stream padding) accepted.
 * @param msg_len  receives the message length (what the parsers get).
 * @param frame_len receives the bytes the frame takes on the stream (with padding).
 * @return GW_STREAM_STUN or GW_STREAM_CHANDATA when a whole frame is there;
 *         0 when more bytes are needed (nothing is filled);
 *         -EBADMSG when the first two bits are neither STUN nor ChannelData;
 *         -EINVAL when a STUN length is not a multiple of 4;
 *         -EMSGSIZE when the message would be longer than max_msg.
 *         (The errors are known from the first 4 bytes: no need to wait.)
 */
int gw_stream_frame(const uint8_t *p, size_t len, size_t max_msg, size_t *msg_len,
		    size_t *frame_len);

/** A deframer over a caller's buffer. Fields are private to stream.c. */
struct gw_stream {
	uint8_t *buf;
	size_t cap;       /* bytes in buf */
	size_t head;      /* first byte not yet handed out */
	size_t tail;      /* one past the last byte received */
	size_t max_msg;
};

/**
 * Set d up over buf[0..cap). max_msg must leave room for one frame:
 * max_msg + 3 <= cap (else it is lowered to cap - 3).
 */
void gw_stream_init(struct gw_stream *d, uint8_t *buf, size_t cap, size_t max_msg);

/**
 * Where the next bytes from the socket go, and how many fit (moves the
 * unconsumed bytes to the front first, so a full frame always fits).
 * @return the free space in bytes; *p receives its start.
 */
size_t gw_stream_space(struct gw_stream *d, uint8_t **p);

/** Commit n bytes written at gw_stream_space()'s pointer (n <= the space). */
void gw_stream_commit(struct gw_stream *d, size_t n);

/**
 * Take the next whole message. *msg points into the buffer and stays valid
 * until the next gw_stream_space() call.
 * @return as gw_stream_frame(): the kind (message taken), 0 (need more
 *         bytes), or a negative errno (the stream is broken: close it).
 */
int gw_stream_next(struct gw_stream *d, const uint8_t **msg, size_t *msg_len);

/** Bytes received and not yet handed out (a partial frame). */
size_t gw_stream_pending(const struct gw_stream *d);

#endif
