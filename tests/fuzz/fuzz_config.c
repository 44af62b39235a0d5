/*
 * libFuzzer target for gw_config (STYLE.md practice 15): arbitrary bytes as a
 * YAML file through gw_config_parse, then gw_config_validate when it parses.
 * Seeds: tests/fuzz/corpus/config/ (the default file, variants, error cases).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gw_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gw_config c;   /* ~40 KiB: keep it off the stack */
	char err[GW_CONF_ERR_LEN];

	if (gw_config_parse(&c, "fuzz.yaml", (const char *)data, size, err,
			    sizeof(err)) == 0)
		(void)gw_config_validate(&c, err, sizeof(err));
	/* Every message must be a terminated string. */
	if (strnlen(err, sizeof(err)) == sizeof(err))
		abort();
	return 0;
}
