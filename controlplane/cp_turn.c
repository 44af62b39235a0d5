#include "cp_turn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cp_api.h"
#include "ct.h"
#include "hmac.h"
#include "turn.h"

#define USER_MAX 64

static bool
user_ok(const char *u)
{
	size_t n = strlen(u);

	if (n == 0 || n > USER_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (u[i] == ':' || (unsigned char)u[i] < 0x21 || u[i] == 0x7f)
			return false;
	return true;
}

static int
parse_ttl(const char *s, uint32_t *ttl)
{
	char *end;
	unsigned long v;

	if (s == NULL) {
		*ttl = CP_TURN_TTL_DEFAULT;
		return 0;
	}
	if (s[0] < '0' || s[0] > '9')       /* strtoul accepts " -1" */
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > CP_TURN_TTL_MAX)
		return -EINVAL;
	*ttl = (uint32_t)v;
	return 0;
}

int
cp_turn_rest_credential(const struct gw_config *c, const char *user, uint32_t ttl, char *name,
			size_t nlen, char pass[GW_TURN_REST_PASS_SIZE])
{
	struct gw_hmac_sha1_key k;
	struct timespec now;
	int n;

	if (c->turn.n_auth_secrets == 0)
		return -ENOENT;
	clock_gettime(CLOCK_REALTIME, &now);
	n = gw_turn_rest_username(name, nlen, (uint64_t)now.tv_sec + ttl, user);
	if (n < 0 ||
	    gw_hmac_sha1_key_init(&k, (const uint8_t *)c->turn.auth_secrets[0],
				  strlen(c->turn.auth_secrets[0])) != 0)
		return -EIO;
	n = gw_turn_rest_password(pass, GW_TURN_REST_PASS_SIZE, &k, (const uint8_t *)name,
				  (size_t)n);
	gw_hmac_sha1_key_fini(&k);
	return n != 0 ? -EIO : 0;
}

enum MHD_Result
cp_turn_credentials(void *a, const struct cp_rest_req *r)
{
	const struct cp_app *app = a;
	const struct gw_config *c = app->conf;
	const char *user = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "username");
	const char *ttl_s = MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, "ttl");
	char name[USER_MAX + 24], pass[GW_TURN_REST_PASS_SIZE];
	uint32_t ttl;
	json_t *uris;

	if (!c->turn.enabled || c->turn.n_auth_secrets == 0)
		return cp_rest_reply_error(r, 503, "TURN REST credentials need turn.enabled and "
					   "turn.auth_secrets");
	if (user == NULL || !user_ok(user))
		return cp_rest_reply_error(r, 400, "username: 1..%d printable bytes without ':'",
					   USER_MAX);
	if (parse_ttl(ttl_s, &ttl) != 0)
		return cp_rest_reply_error(r, 400, "ttl: an integer in 1..%u", CP_TURN_TTL_MAX);
	if (cp_turn_rest_credential(c, user, ttl, name, sizeof(name), pass) != 0)
		return cp_rest_reply_error(r, 500, "cannot compute the credential");
	uris = json_array();
	for (unsigned i = 0; uris != NULL && i < c->dataplane.n_ports; i++) {
		struct in_addr ia = { .s_addr = htonl(c->dataplane.ports[i].address.addr) };
		char ip[INET_ADDRSTRLEN], uri[96];

		if (inet_ntop(AF_INET, &ia, ip, sizeof(ip)) == NULL)
			continue;
		snprintf(uri, sizeof(uri), "turn:%s:%u?transport=udp", ip, c->stun.port);
		json_array_append_new(uris, json_string(uri));
	}
	{
		json_t *doc = json_pack("{s:s, s:s, s:i, s:o}", "username", name, "password", pass,
					"ttl", (json_int_t)ttl, "uris", uris);

		gw_wipe(pass, sizeof(pass));
		return cp_rest_reply_json(r, 200, doc);
	}
}
