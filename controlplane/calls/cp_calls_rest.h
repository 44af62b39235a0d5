/*
 * cp_calls_rest: the REST face of the calls (issue 9), the same calls code
 * as ng: each request becomes an ng request dictionary (the JSON body's keys
 * as ng keys, the call-id from the path), runs through cp_ng_handle, and the
 * bencode reply comes back as JSON.
 *
 *   POST   /v1/calls/{call-id}/offer   {"from-tag", "sdp", ng keys...} -> 200 {"sdp", "result"}
 *   POST   /v1/calls/{call-id}/answer  {"from-tag", "to-tag", "sdp", ...}
 *   DELETE /v1/calls/{call-id}         -> 200 the call's last report
 *   GET    /v1/calls                   -> 200 {"calls": [...]}
 *   GET    /v1/calls/{call-id}         -> 200 ng query report plus "legs": ports,
 *                                         peers and per-leg dataplane counters
 *
 * Errors: 404 for an unknown call or tag, 400 for anything else the calls
 * code refuses (the ng "error-reason" as "error"), 503 when ng is disabled.
 */
#ifndef CP_CALLS_REST_H
#define CP_CALLS_REST_H

#include "cp_rest.h"

cp_rest_handler_fn cp_calls_rest_post;
cp_rest_handler_fn cp_calls_rest_delete;
cp_rest_handler_fn cp_calls_rest_get;

#endif
