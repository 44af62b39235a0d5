/*
 * libFuzzer target for gw_config (STYLE.md practice 15): arbitrary bytes as a
 * YAML file through gw_config_parse, then gw_config_validate when it parses,
 * then reload diffing (gw_reload) of the defaults against it and back: the
 * same keys both ways, and applying the live keys leaves only restart keys.
 * Seeds: tests/fuzz/corpus/config/ (the default file, variants, error cases).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gw_config.h"
#include "gw_reload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct gw_config c, run;   /* ~40 KiB each: keep them off the stack */
	static struct gw_reload_diff d, back;
	char err[GW_CONF_ERR_LEN], line[256];

	if (gw_config_parse(&c, "fuzz.yaml", (const char *)data, size, err,
			    sizeof(err)) == 0 &&
	    gw_config_validate(&c, err, sizeof(err)) == 0) {
		gw_config_defaults(&run);
		gw_reload_diff(&run, &c, run.turn.max_allocations, &d);
		gw_reload_diff(&c, &run, run.turn.max_allocations, &back);
		if (d.n_live + d.n_restart != back.n_live + back.n_restart)
			abort();
		(void)gw_reload_format(&d, line, sizeof(line));
		gw_reload_apply(&run, &c, run.turn.max_allocations);
		gw_reload_diff(&run, &c, run.turn.max_allocations, &back);
		if (back.n_live != 0 || back.n_restart != d.n_restart)
			abort();
	}
	/* Every message must be a terminated string. */
	if (strnlen(err, sizeof(err)) == sizeof(err))
		abort();
	return 0;
}
