/*
 * cp_demo: the demo page (GET /, GET /demo.js), embedded in the binary at
 * build time (embed.py writes cp_demo_assets[] from index.html and demo.js).
 * No bearer token: the page holds no secret and asks for the token itself.
 */
#ifndef CP_DEMO_H
#define CP_DEMO_H

#include <stddef.h>

#include "cp_rest.h"

struct cp_demo_asset {
	const char *path;            /* "/" for index.html, else "/<file name>" */
	const char *content_type;
	const unsigned char *data;
	size_t len;
};

extern const struct cp_demo_asset cp_demo_assets[];
extern const size_t cp_demo_n_assets;

/** GET of an embedded file: 200 with its content type; 404 for anything else. */
cp_rest_handler_fn cp_demo_get;

#endif
