#include "dp_rtcp.h"

#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "be.h"
#include "dp_ctx.h"
#include "rtp.h"

#define CACHE_MASK   (DP_RTCP_CACHE - 1)
#define MAX_DROPOUT  3000             /* RFC 3550 A.1 */
#define MAX_MISORDER 100
#define SEQ_MOD      (1u << 16)
#define CNAME        "rtcgw"

_Static_assert((DP_RTCP_CACHE & CACHE_MASK) == 0, "DP_RTCP_CACHE is a power of two");
_Static_assert(DP_RTCP_STREAMS <= 31, "report blocks fit the RC field");

struct slot {
	struct rte_mbuf *m;            /* NULL: empty */
	uint32_t ext;                  /* extended sequence number of the packet held */
	uint16_t off, len;             /* plaintext at m->buf_addr + off */
};

struct stream {
	uint32_t ssrc;
	bool used;                     /* slot taken (RTP or an SR seen) */
	bool init;                     /* RTP seen: the sequence state is valid */
	bool cache_on;
	bool have_transit;
	uint16_t max_seq;
	uint32_t cycles;               /* wraps of max_seq, times 65536 */
	uint32_t base_seq;
	uint32_t bad_seq;
	uint32_t received, expected_prior, received_prior;
	uint32_t rate;                 /* clock rate (Hz), 0 until learned */
	uint64_t mul;                  /* rate << 32 / tsc_hz */
	uint32_t ts0, ts_last;         /* RTP timestamps of the first and last packet */
	uint64_t t0, t_last;           /* and when they arrived */
	uint32_t transit;
	uint32_t jitter16;             /* RFC 3550 A.8: jitter times 16 */
	uint32_t lsr;                  /* middle 32 bits of the last SR's NTP time */
	uint64_t lsr_at;               /* its arrival (0: none yet) */
	struct slot cache[DP_RTCP_CACHE];
};

struct dp_rtcp_pub {
	struct stream s[DP_RTCP_STREAMS];
};

/* Worker 0 is the only user (it owns every leg): plain counters. */
static uint32_t budget, cached;

void
dp_rtcp_budget(uint32_t mbufs)
{
	budget = mbufs;
}

uint32_t
dp_rtcp_cached(void)
{
	return cached;
}

int
dp_rtcp_pub_create(struct dp_rtcp_pub **out)
{
	*out = rte_zmalloc("rtcgw_rtcp_pub", sizeof(**out), RTE_CACHE_LINE_SIZE);
	return *out == NULL ? -ENOMEM : 0;
}

static void
cache_flush(struct stream *s)
{
	for (unsigned i = 0; i < DP_RTCP_CACHE; i++) {
		if (s->cache[i].m != NULL) {
			rte_pktmbuf_free(s->cache[i].m);
			s->cache[i].m = NULL;
			cached--;
		}
	}
}

void
dp_rtcp_pub_free(struct dp_rtcp_pub *r)
{
	if (r == NULL)
		return;
	for (unsigned i = 0; i < DP_RTCP_STREAMS; i++)
		cache_flush(&r->s[i]);
	rte_free(r);
}

static struct stream *
find(const struct dp_rtcp_pub *r, uint32_t ssrc)
{
	for (unsigned i = 0; i < DP_RTCP_STREAMS; i++)
		if (r->s[i].used && r->s[i].ssrc == ssrc)
			return (struct stream *)(uintptr_t)&r->s[i];
	return NULL;
}

static struct stream *
find_or_add(struct dp_rtcp_pub *r, uint32_t ssrc)
{
	struct stream *s = find(r, ssrc);

	for (unsigned i = 0; s == NULL && i < DP_RTCP_STREAMS; i++) {
		if (!r->s[i].used) {
			s = &r->s[i];
			s->used = true;
			s->ssrc = ssrc;
			s->cache_on = true;
		}
	}
	return s;
}

static void
seq_init(struct stream *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = SEQ_MOD + 1;
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
}

/* RFC 3550 A.1 update_seq() without the probation (the packet authenticated:
 * it is the publisher's). false: a jump to be confirmed by the next packet. */
static bool
seq_update(struct stream *s, uint16_t seq)
{
	uint16_t udelta = (uint16_t)(seq - s->max_seq);

	if (udelta < MAX_DROPOUT) {
		if (seq < s->max_seq)
			s->cycles += SEQ_MOD;
		s->max_seq = seq;
	} else if (udelta <= SEQ_MOD - MAX_MISORDER) {
		if (seq != s->bad_seq) {
			s->bad_seq = (uint32_t)(seq + 1) & (SEQ_MOD - 1);
			return false;
		}
		seq_init(s, seq);       /* two in a row: the sender restarted */
		cache_flush(s);         /* its old numbers mean other packets now */
	}
	/* else duplicate or reordered */
	s->received++;
	return true;
}

/* The extended sequence number of seq, the nearest to the highest seen. */
static uint32_t
ext_of(const struct stream *s, uint16_t seq)
{
	return s->cycles + s->max_seq + (uint32_t)(int32_t)(int16_t)(seq - s->max_seq);
}

static void
cache_put(struct stream *s, struct rte_mbuf *m, const uint8_t *p, size_t len, uint32_t ext)
{
	struct slot *c = &s->cache[ext & CACHE_MASK];

	if (c->m != NULL) {
		if (c->ext == ext)
			return;                 /* a duplicate: keep the first */
		rte_pktmbuf_free(c->m);
		c->m = NULL;
		cached--;
	}
	/* One data segment, the plaintext inside it: a reference is enough. */
	if (cached >= budget || m->nb_segs != 1 || !RTE_MBUF_DIRECT(m))
		return;
	rte_mbuf_refcnt_update(m, 1);
	c->m = m;
	c->ext = ext;
	c->off = (uint16_t)(p - (const uint8_t *)m->buf_addr);
	c->len = (uint16_t)len;
	cached++;
}

void
dp_rtcp_rtp_in(struct dp_rtcp_pub *r, struct rte_mbuf *m, const uint8_t *p, size_t len,
	       uint64_t now)
{
	uint16_t seq;
	uint32_t ts;
	struct stream *s;

	if (r == NULL || len < GW_RTP_HDR_MIN)
		return;
	seq = gw_get16(p + 2);
	ts = gw_get32(p + 4);
	s = find_or_add(r, gw_get32(p + 8));
	if (s == NULL)
		return;
	if (!s->init) {
		s->init = true;
		seq_init(s, seq);
		s->ts0 = ts;
		s->t0 = now;
	}
	if (!seq_update(s, seq))
		return;
	s->ts_last = ts;
	s->t_last = now;
	if (s->rate != 0) {
		/* RFC 3550 A.8, arrival in RTP units (cycles >> 8 keeps the
		 * product in 64 bits for months; 256 cycles is far below a tick). */
		uint32_t arrival = (uint32_t)((((now - s->t0) >> 8) * s->mul) >> 24);
		uint32_t transit = arrival - ts;

		if (s->have_transit) {
			int32_t d = (int32_t)(transit - s->transit);
			int64_t j = (int64_t)s->jitter16 + (d < 0 ? -(int64_t)d : d) -
				    (((int64_t)s->jitter16 + 8) >> 4);

			s->jitter16 = j < 0 ? 0 : j > UINT32_MAX ? UINT32_MAX : (uint32_t)j;
		}
		s->transit = transit;
		s->have_transit = true;
	}
	if (s->cache_on && m != NULL)
		cache_put(s, m, p, len, ext_of(s, seq));
}

void
dp_rtcp_rtcp_in(struct dp_rtcp_pub *r, const uint8_t *p, size_t len, uint64_t now)
{
	/* Our own walk, as subscriber_rtcp's: reduced-size compounds too. */
	for (size_t off = 0; r != NULL && len - off >= GW_RTCP_HDR_MIN;) {
		const uint8_t *h = p + off;
		size_t plen = ((size_t)gw_get16(h + 2) + 1) * 4;
		struct stream *s;

		if ((h[0] >> 6) != 2 || plen > len - off)
			break;
		/* SR: sender SSRC, NTP seconds, NTP fraction, ... (RFC 3550 §6.4.1) */
		if (h[1] == GW_RTCP_SR && plen >= 28 && (s = find_or_add(r, gw_get32(h + 4))) != NULL) {
			s->lsr = (uint32_t)gw_get16(h + 10) << 16 | gw_get16(h + 12);
			s->lsr_at = now;
		}
		off += plen;
	}
}

bool
dp_rtcp_cache_find(const struct dp_rtcp_pub *r, uint32_t ssrc, uint16_t seq, const uint8_t **p,
		   size_t *len)
{
	const struct stream *s = r == NULL ? NULL : find(r, ssrc);
	const struct slot *c;
	uint32_t ext;

	if (s == NULL || !s->init)
		return false;
	ext = ext_of(s, seq);
	c = &s->cache[ext & CACHE_MASK];
	if (c->m == NULL || c->ext != ext)
		return false;
	*p = (const uint8_t *)c->m->buf_addr + c->off;
	*len = c->len;
	return true;
}

/* Learn the clock rate once the stream has run a second: the timestamps'
 * advance over the arrival clock's, snapped to a usual rate within 10 %. */
static void
rate_learn(struct stream *s)
{
	static const uint32_t rates[] = { 8000, 16000, 24000, 32000, 48000, 90000 };
	uint64_t dt = s->t_last - s->t0;
	double est;

	if (s->rate != 0 || dt < dp.tsc_hz || s->received < 2)
		return;
	est = (double)(uint32_t)(s->ts_last - s->ts0) * (double)dp.tsc_hz / (double)dt;
	for (unsigned i = 0; i < RTE_DIM(rates); i++) {
		if (est > rates[i] * 0.9 && est < rates[i] * 1.1) {
			s->rate = rates[i];
			s->mul = ((uint64_t)s->rate << 32) / dp.tsc_hz;
			if (s->rate != 90000) {   /* audio: NACK is for video */
				s->cache_on = false;
				cache_flush(s);
			}
			return;
		}
	}
}

size_t
dp_rtcp_rr_build(struct dp_rtcp_pub *r, uint32_t sender, uint8_t *buf, uint64_t now)
{
	uint8_t *b = buf + 8;
	unsigned n = 0;
	size_t rr_len;

	for (unsigned i = 0; r != NULL && i < DP_RTCP_STREAMS; i++) {
		struct stream *s = &r->s[i];
		uint32_t ext, expected, exp_int, rec_int, dlsr = 0;
		int64_t lost, lost_int;
		uint8_t fraction = 0;
		bool sr;

		if (!s->used || !s->init)
			continue;
		rate_learn(s);
		ext = s->cycles + s->max_seq;
		expected = ext - s->base_seq + 1;
		lost = (int64_t)expected - s->received;
		lost = lost > 0x7fffff ? 0x7fffff : lost < -0x800000 ? -0x800000 : lost;
		exp_int = expected - s->expected_prior;
		rec_int = s->received - s->received_prior;
		s->expected_prior = expected;
		s->received_prior = s->received;
		lost_int = (int64_t)exp_int - rec_int;
		if (exp_int != 0 && lost_int > 0)
			fraction = (uint8_t)RTE_MIN((lost_int << 8) / exp_int, 255);
		/* DLSR in 1/65536 s; an SR older than an hour is not reported
		 * (and the shift below stays in 64 bits). */
		sr = s->lsr_at != 0 && now - s->lsr_at < dp.tsc_hz * 3600;
		if (sr)
			dlsr = (uint32_t)(((now - s->lsr_at) << 16) / dp.tsc_hz);
		gw_put32(b, s->ssrc);
		gw_put32(b + 4, (uint32_t)fraction << 24 | ((uint32_t)lost & 0xffffff));
		gw_put32(b + 8, ext);
		gw_put32(b + 12, s->jitter16 >> 4);
		gw_put32(b + 16, sr ? s->lsr : 0);
		gw_put32(b + 20, dlsr);
		b += 24;
		n++;
	}
	if (n == 0)
		return 0;
	rr_len = 8 + 24 * n;
	buf[0] = (uint8_t)(0x80 | n);
	buf[1] = GW_RTCP_RR;
	gw_put16(buf + 2, (uint16_t)(rr_len / 4 - 1));
	gw_put32(buf + 4, sender);
	/* SDES (RFC 3550 §6.5): one chunk, CNAME, end item, padded to 32 bits:
	 * a compound carries one (§6.1), and a receiver may insist on it. */
	b[0] = 0x81;
	b[1] = GW_RTCP_SDES;
	gw_put16(b + 2, 3);
	gw_put32(b + 4, sender);
	b[8] = 1;                                     /* CNAME */
	b[9] = sizeof(CNAME) - 1;
	memcpy(b + 10, CNAME, sizeof(CNAME) - 1);
	b[15] = 0;                                    /* end of the item list */
	return rr_len + 16;
}

int
dp_rtcp_stream_get(const struct dp_rtcp_pub *r, uint32_t ssrc, struct dp_rtcp_stream_stats *st)
{
	const struct stream *s = r == NULL ? NULL : find(r, ssrc);

	if (s == NULL || !s->init)
		return -ENOENT;
	st->ext_max = s->cycles + s->max_seq;
	st->received = s->received;
	st->lost = (int32_t)((int64_t)(st->ext_max - s->base_seq + 1) - s->received);
	st->jitter = s->jitter16 >> 4;
	st->rate = s->rate;
	st->lsr = s->lsr;
	st->cached = s->cache_on;
	return 0;
}
