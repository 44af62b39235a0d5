/* The command line both rtcgw processes share: -c FILE, --check-config,
 * --version, --help. Everything after "--" is left for the caller. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "gw_config.h"

static void
usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [-c FILE] [--check-config] [-- EAL options]\n"
		"  -c, --config FILE   gateway config (default gateway-conf/rtcgw.yaml)\n"
		"      --check-config  parse and validate the config, then exit\n"
		"  -V, --version       print the version\n",
		prog);
}

bool
gw_config_cli(struct gw_config *c, int argc, char **argv, const char *prog,
	      const char *version, int *exit_code)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'k' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = "gateway-conf/rtcgw.yaml";
	char err[GW_CONF_ERR_LEN];
	bool check_only = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "c:Vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'k':
			check_only = true;
			break;
		case 'V':
			printf("%s %s\n", prog, version);
			*exit_code = EXIT_SUCCESS;
			return false;
		case 'h':
			usage(stdout, prog);
			*exit_code = EXIT_SUCCESS;
			return false;
		default:
			usage(stderr, prog);
			*exit_code = 2;
			return false;
		}
	}
	if (gw_config_load(c, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: config error: %s\n", prog, err);
		*exit_code = 2;
		return false;
	}
	if (check_only) {
		printf("%s: ok\n", path);
		*exit_code = EXIT_SUCCESS;
		return false;
	}
	return true;
}
