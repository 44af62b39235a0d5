/*
 * cp_calls_journal: the calls a restarted control plane takes over
 * (cp_calls_journal.h), saved into and read back from cp_journal's file.
 *
 * A call is its registry entry (tags, labels, which leg talks to which) and
 * its media state: ports, dataplane leg ids, per side the party's addresses,
 * kind, SDES keys, ICE credentials and DTLS progress. The side is saved as
 * its bytes (only this build reads them back: the layout's size is checked,
 * and a journal of another layout is not taken over; deflated: blob_of).
 * The DTLS endpoint is not (its handshake is over once keys were sent; the
 * keys are in the dataplane), so a restored side has none, unless its keys
 * had not been sent: then cp_calls_media_adopt starts a fresh one. The file
 * holds SDES and ICE secrets: cp_journal writes it 0600 in a 0700 directory.
 */
#include "cp_calls_journal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "cp_calls_media_int.h"
#include "cp_ice.h"
#include "cp_ipc.h"
#include "cp_journal.h"
#include "cp_log.h"
#include "ct.h"
#include "gw_ipc.h"

static struct cp_calls *registry;       /* set at restore (the registry exists then) */
static json_t *stash;                   /* calls to take over at restore */
static bool calls_enabled;              /* calls.ng_enabled */

/* A struct's bytes as base64 of their zlib deflate (the side is mostly zeros:
 * 5 KB of SDES key slots for a plain call come to a few hundred bytes; written
 * for every call at each journal flush). */
static json_t *
blob_of(const void *p, size_t n)
{
	uLongf zl = compressBound((uLong)n);
	uint8_t *z = malloc(zl), *b64 = NULL;
	json_t *v = NULL;
	int bl;

	if (z == NULL || compress2(z, &zl, p, (uLong)n, Z_BEST_SPEED) != Z_OK)
		goto out;
	b64 = malloc(4 * ((zl + 2) / 3) + 1);
	if (b64 == NULL)
		goto out;
	bl = EVP_EncodeBlock(b64, z, (int)zl);
	v = json_stringn((const char *)b64, (size_t)bl);
	gw_wipe(b64, (size_t)bl);
out:
	if (z != NULL)
		gw_wipe(z, zl);
	free(z);
	free(b64);
	return v;
}

/* blob_of's inverse into exactly n bytes at p. @return 0 or -EINVAL. */
static int
bytes_of(const char *s, void *p, size_t n)
{
	size_t sl = s != NULL ? strlen(s) : 0;
	uint8_t *z = sl > 0 && sl % 4 == 0 ? malloc(sl / 4 * 3) : NULL;
	uLongf out = (uLongf)n;
	int zl, rc = -EINVAL;

	if (z == NULL)
		return rc;
	zl = EVP_DecodeBlock(z, (const unsigned char *)s, (int)sl);
	/* EVP_DecodeBlock counts the '=' padding as zero bytes; inflate stops at
	 * the stream's end, so the extra zeros are harmless */
	if (zl > 0 && uncompress(p, &out, z, (uLong)zl) == Z_OK && out == n)
		rc = 0;
	gw_wipe(z, sl / 4 * 3);
	free(z);
	return rc;
}

static json_t *
journal_save(void *ctx)
{
	json_t *arr = json_array();

	(void)ctx;
	for (const struct mcall *k = cp_calls_media_list(); arr != NULL && k != NULL; k = k->next) {
		struct cp_calls_rec rec;
		struct side sd[2];
		json_t *o;

		if (cp_calls_get(registry, k->id, k->id_len, &rec) != 0)
			continue;
		memcpy(sd, k->s, sizeof(sd));
		sd[0].dtls = sd[1].dtls = NULL;
		o = json_pack("{s:s%, s:i, s:I, s:b, s:b, s:b, s:o, s:o, s:I, s:I}",
			      "id", k->id, k->id_len, "n_media", (int)k->n_media,
			      "leg0", (json_int_t)k->leg0, "rules_set", k->rules_set,
			      "mux0", k->rules_mux[0], "mux1", k->rules_mux[1],
			      "sides", blob_of(sd, sizeof(sd)), "reg", blob_of(&rec, sizeof(rec)),
			      "created", (json_int_t)rec.created,
			      "last_signal", (json_int_t)rec.last_signal);
		gw_wipe(sd, sizeof(sd));
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr == NULL ? NULL
			   : json_pack("{s:I, s:I, s:o}", "side_size", (json_int_t)sizeof(struct side),
				       "rec_size", (json_int_t)sizeof(struct cp_calls_rec), "calls", arr);
}

/* Kept until cp_calls_media_init (the registry does not exist at attach). */
static int
journal_load(void *ctx, json_t *v)
{
	(void)ctx;
	json_decref(stash);
	stash = NULL;
	if (json_integer_value(json_object_get(v, "side_size")) != (json_int_t)sizeof(struct side) ||
	    json_integer_value(json_object_get(v, "rec_size")) !=
		    (json_int_t)sizeof(struct cp_calls_rec) ||
	    !json_is_array(json_object_get(v, "calls"))) {
		CP_WARN("journal: calls of another build's layout: not taken over");
		return -EPROTO;
	}
	stash = json_incref(v);
	return 0;
}

/* A fresh attachment that took the journal over: what calls it cannot take
 * over go (legs of calls with the GW_IPC_MEDIA_ID_CALLS bit, their ICE legs). */
static void
on_attach(void *ctx, struct cp_ipc *c)
{
	struct gw_ipc_msg m = { .type = GW_IPC_MEDIA_LEG_REQ };

	(void)ctx;
	if (!cp_journal_restored() || (stash != NULL && calls_enabled))
		return;
	m.u.media_leg.op = GW_IPC_MEDIA_DEL;
	m.u.media_leg.pub_leg_id = GW_IPC_MEDIA_ID_CALLS;
	(void)cp_ipc_send(c, 0, &m);
	cp_ice_drop_calls(c);
	json_decref(stash);
	stash = NULL;
}

int
cp_calls_journal_register(bool enabled)
{
	int rc;

	calls_enabled = enabled;
	rc = cp_journal_register("calls", journal_save, journal_load, NULL);
	return rc != 0 ? rc : cp_ipc_on_attach(on_attach, NULL);
}

void
cp_calls_journal_restore(struct cp_calls *c)
{
	json_t *arr = json_object_get(stash, "calls"), *e;
	unsigned n = 0;
	size_t i;

	registry = c;
	if (stash == NULL)
		return;
	json_array_foreach(arr, i, e) {
		const char *id = json_string_value(json_object_get(e, "id"));
		size_t id_len = json_string_length(json_object_get(e, "id"));
		json_int_t nm = json_integer_value(json_object_get(e, "n_media"));
		json_int_t leg0 = json_integer_value(json_object_get(e, "leg0"));
		struct cp_calls_rec rec;
		struct mcall *k;

		if (id == NULL || id_len == 0 || id_len >= CP_CALLS_ID_MAX || nm < 1 ||
		    nm > CP_SDP_MAX_MEDIA || !(leg0 & LEG_ID_FLAG) || leg0 > UINT32_MAX ||
		    (k = calloc(1, sizeof(*k))) == NULL)
			continue;
		memcpy(k->id, id, id_len);
		k->id_len = id_len;
		k->n_media = (unsigned)nm;
		k->leg0 = (uint32_t)leg0;
		k->rules_set = json_is_true(json_object_get(e, "rules_set"));
		k->rules_mux[0] = json_is_true(json_object_get(e, "mux0"));
		k->rules_mux[1] = json_is_true(json_object_get(e, "mux1"));
		if (bytes_of(json_string_value(json_object_get(e, "sides")), k->s, sizeof(k->s)) != 0 ||
		    bytes_of(json_string_value(json_object_get(e, "reg")), &rec, sizeof(rec)) != 0 ||
		    cp_calls_put(registry, id, id_len, &rec) != 0) {
			gw_wipe(k, sizeof(*k));
			free(k);
			continue;
		}
		if (cp_calls_media_adopt(k) != 0) {
			(void)cp_calls_drop(registry, id, id_len);
			gw_wipe(k, sizeof(*k));
			free(k);
			continue;
		}
		n++;
	}
	CP_NOTICE("calls: %u call(s) taken over from the journal", n);
	json_decref(stash);
	stash = NULL;
}
