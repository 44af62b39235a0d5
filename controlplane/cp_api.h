/*
 * cp_api: the REST resources of the control plane (routes for cp_rest):
 *   GET /healthz    200 when a dataplane is attached and answering, else 503
 *   GET /metrics    Prometheus text exposition of every dataplane counter
 *   GET /v1/stats   the same as JSON (bearer token)
 */
#ifndef CP_API_H
#define CP_API_H

#include <stdbool.h>
#include <stddef.h>

#include "cp_calls.h"
#include "cp_ipc.h"
#include "cp_ng.h"
#include "cp_rest.h"
#include "gw_config.h"

/** What the handlers see: the loop owns it. */
struct cp_app {
	const struct gw_config *conf;
	struct cp_ipc *ipc;            /* NULL while detached */
	struct cp_rest *rest;          /* for its counters in /metrics */
	bool dp_lost;                  /* the attached dataplane went away */
	struct cp_ng *ng;              /* NULL unless calls.ng_enabled */
	struct cp_calls *calls;
};

extern const struct cp_rest_route cp_api_routes[];
extern const size_t cp_api_n_routes;

#endif
