/*
 * fuzz_turn: the TURN request path before any state is touched
 * (STYLE.md practice 15): ChannelData parsing with an encode round trip,
 * STUN parsing followed by TURN attribute validation, nonce and REST
 * username checks on attribute bytes. The first input byte picks the path so
 * one corpus covers both framings (RFC 7983: 0-3 STUN, 64-79 ChannelData).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hmac.h"
#include "stun.h"
#include "turn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gw_hmac_sha1_key nonce_key;
static int ready;

static void
chandata(const uint8_t *p, size_t n)
{
	struct gw_turn_chandata cd;
	uint8_t out[65536 + 8];
	int len;

	if (gw_turn_chandata_parse(&cd, p, n) != 0)
		return;
	if (cd.len > 0)
		(void)cd.data[cd.len - 1];           /* ASan: the span is readable */
	len = gw_turn_chandata_encode(out, sizeof(out), cd.channel, cd.data, cd.len, true);
	if (len < 0 || (size_t)len < 4u + cd.len)
		abort();
	if (memcmp(out + 4, cd.data, cd.len) != 0)
		abort();
	if (gw_turn_chandata_parse(&cd, out, (size_t)len) != 0)
		abort();
}

static void
request(const uint8_t *p, size_t n)
{
	struct gw_stun_view v;
	struct gw_turn_req r;
	const uint8_t *s;
	size_t sl;
	uint64_t exp;
	int err;

	if (gw_stun_parse(&v, p, n) != 0)
		return;
	err = gw_turn_req_check(&r, &v);
	if (err == 0) {
		if (r.n_peers > GW_STUN_MAX_PEERS)
			abort();
		if (r.data_len > 0)
			(void)r.data[r.data_len - 1];
		if (r.method == GW_STUN_CHANNEL_BIND && (r.channel < GW_TURN_CHAN_MIN || r.channel > GW_TURN_CHAN_MAX_RFC5766))
			abort();
	} else if (GW_IS_STUN_ERR(err)) {
		uint16_t code = (uint16_t)GW_STUN_CODE(err);

		if (code < 300 || code > 699)
			abort();
	}
	if (gw_stun_get_bytes(&v, &v.attr[GW_STUN_A_NONCE], &s, &sl) == 0) {
		uint32_t f;

		(void)gw_turn_nonce_check(s, sl, &nonce_key, 0xc6120401u, 1700000000, 600);
		(void)gw_turn_nonce_features(s, sl, &f);
	}
	if (gw_stun_get_bytes(&v, &v.attr[GW_STUN_A_USERNAME], &s, &sl) == 0) {
		char pass[GW_TURN_REST_PASS_SIZE];

		(void)gw_turn_rest_expiry(s, sl, &exp);
		(void)gw_turn_rest_check(s, sl, 1700000000);
		if (gw_turn_rest_password(pass, sizeof(pass), &nonce_key, s, sl) != 0 ||
		    strlen(pass) != 28)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready) {
		if (gw_hmac_sha1_key_init(&nonce_key, (const uint8_t *)"fuzz-nonce-key", 14) != 0)
			abort();
		ready = 1;
	}
	if (size > 0 && data[0] >= 64 && data[0] <= 79)
		chandata(data, size);
	else
		request(data, size);
	return 0;
}
