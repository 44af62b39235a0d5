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

cp_rest_handler_fn cp_turn_credentials;

#endif
