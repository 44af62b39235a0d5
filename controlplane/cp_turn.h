/*
 * cp_turn: TURN REST API credentials (the scheme coturn calls use-auth-secret,
 * draft-uberti-behave-turn-rest):
 *
 *   GET /v1/turn/credentials?username=U&ttl=T
 *     -> 200 {"username": "<expiry>:U", "password": base64(HMAC-SHA1(secret,
 *             username)), "ttl": T, "uris": ["turn:ADDR:PORT?transport=udp", ...]}
 *
 * The password is signed with turn.auth_secrets[0]; the dataplane accepts
 * every configured secret, so a new secret is added first (as [1]), moved to
 * [0] once every node has it, and the old one removed after the longest ttl.
 * Errors: 400 (username missing, longer than 64 bytes, or with ':' or a
 * control character; ttl not an integer in 1..604800), 503 (TURN disabled or
 * no auth_secrets). Bearer auth applies as for every /v1 route.
 */
#ifndef CP_TURN_H
#define CP_TURN_H

#include "cp_rest.h"

#define CP_TURN_TTL_DEFAULT 86400u
#define CP_TURN_TTL_MAX     604800u

#include <stddef.h>
#include <stdint.h>

#include "gw_config.h"
#include "turn.h"

/**
 * A TURN REST credential for user, valid ttl seconds, signed with
 * turn.auth_secrets[0]: name "<expiry>:user" (nlen bytes of room), pass the
 * base64 HMAC (also used for the WHIP/WHEP Link headers).
 * @return 0; -ENOENT (no auth_secrets); -EIO (name too long, HMAC failed).
 */
int cp_turn_rest_credential(const struct gw_config *c, const char *user, uint32_t ttl,
			    char *name, size_t nlen, char pass[GW_TURN_REST_PASS_SIZE]);

cp_rest_handler_fn cp_turn_credentials;

#endif
