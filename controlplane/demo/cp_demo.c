#include "cp_demo.h"

#include <string.h>

enum MHD_Result
cp_demo_get(void *app, const struct cp_rest_req *r)
{
	/* The page runs scripts from its own origin only. */
	static const char *const hdrs[] = {
		"Content-Security-Policy",
		"default-src 'self'; style-src 'self' 'unsafe-inline'; media-src 'self' blob: mediastream:; "
		"connect-src 'self' *; frame-ancestors 'none'",
		"X-Content-Type-Options", "nosniff",
		NULL,
	};

	(void)app;
	for (size_t i = 0; i < cp_demo_n_assets; i++) {
		const struct cp_demo_asset *a = &cp_demo_assets[i];

		if (strcmp(a->path, r->path) == 0)
			return cp_rest_reply_hdrs(r, 200, a->content_type, (const char *)a->data,
						  a->len, hdrs);
	}
	return cp_rest_reply_error(r, 404, "no such resource: %s", r->path);
}
