/*
 * rtcgw-dataplane: the DPDK primary. Reads the gateway config, starts EAL on
 * the configured lcores, creates the shared objects of gw_ipc.h, brings the
 * ports up and runs one worker per lcore until SIGINT/SIGTERM.
 */
#include <errno.h>
#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>

#include "dp_arp.h"
#include "dp_ndp.h"
#include "dp_crc.h"
#include "dp_ctx.h"
#include "dp_exc.h"
#include "dp_frag.h"
#include "dp_ice.h"
#include "dp_ipc.h"
#include "dp_media.h"
#include "dp_lcore.h"
#include "dp_strm.h"
#include "dp_turn.h"
#include "dp_log.h"
#include "dp_port.h"
#include "dp_reload.h"
#include "dp_rtcp.h"
#include "dp_srtp.h"
#include "gw_config.h"
#include "gw_log.h"

#define MAX_EAL_ARGS 64
#define NEIGH_ENTRIES 4096
#define FRAG_MBUFS    4095      /* indirect mbufs: fragments in flight (TX rings, ARP queue) */
#define ICE_LEGS      4096
#define MEDIA_LEGS    4096
#define DETACH_WAIT_MS 2000

struct dp_ctx dp;
int dp_logtype;

static void
on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&dp.quit, true, __ATOMIC_RELAXED);
}

static const char *
rte_level(enum gw_log_level l)
{
	static const char *const map[] = { "error", "warning", "notice", "info", "debug" };

	return map[l];
}

static void
on_hup(int sig)
{
	(void)sig;
	dp_reload_request();
}

/* EAL's argv from the config: lcores, memory, file prefix, devices. The
 * strings live in bufs, which must outlive rte_eal_init. */
static int
build_eal_args(const struct gw_config *c, char **argv, char bufs[][GW_CONF_STR + 16],
	       int extra_argc, char **extra_argv)
{
	int n = 0, b = 0, pci = 0;
	size_t off = 0;

#define ARGF(...) (snprintf(bufs[b], sizeof(bufs[b]), __VA_ARGS__), argv[n++] = bufs[b++])
#define ARG(s) ARGF("%s", s)
	ARG("rtcgw-dataplane");
	ARG("--proc-type=primary");
	ARGF("--file-prefix=%s", c->dataplane.file_prefix);
	ARGF("--huge-dir=%s", c->dataplane.hugepage_dir);
	/* lcore ids are what the two processes must not share (mempool caches
	 * are per lcore id); dataplane.cpus places them on CPUs, several on one
	 * where a small machine has fewer CPUs than workers (--lcores L@C). */
	off = (size_t)snprintf(bufs[b], sizeof(bufs[b]), c->dataplane.n_cpus ? "--lcores=" : "-l");
	for (unsigned i = 0; i < c->dataplane.n_lcores; i++) {
		off += (size_t)snprintf(bufs[b] + off, sizeof(bufs[b]) - off, "%s%u",
					i ? "," : "", c->dataplane.lcores[i]);
		if (c->dataplane.n_cpus)
			off += (size_t)snprintf(bufs[b] + off, sizeof(bufs[b]) - off, "@%u",
						c->dataplane.cpus[i]);
	}
	argv[n++] = bufs[b++];
	ARGF("--main-lcore=%u", c->dataplane.lcores[0]);
	ARGF("--socket-limit=%u", c->dataplane.memory_mb);
	ARGF("--log-level=%s", rte_level(c->log.level));
	/* Hugepage memory grows on demand up to the limit; telemetry would be a
	 * second socket to secure, and our counters go through /metrics. */
	ARG("--no-telemetry");
	for (unsigned i = 0; i < c->dataplane.n_ports; i++) {
		if (dp_port_is_pci(c->dataplane.ports[i].device)) {
			ARG("-a");
			pci++;
		} else {
			ARG("--vdev");
		}
		ARG(c->dataplane.ports[i].device);
	}
	if (dp_exc_vdev(c, bufs[b + 1], sizeof(bufs[b + 1]))) {
		ARG("--vdev");
		argv[n++] = bufs[b++];
	}
	if (pci == 0)
		ARG("--no-pci");
	for (int i = 0; i < extra_argc && n < MAX_EAL_ARGS - 1; i++)
		argv[n++] = extra_argv[i];
	argv[n] = NULL;
#undef ARG
#undef ARGF
	return n;
}

static void
unlink_glob(const char *pat)
{
	glob_t g;

	if (glob(pat, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++)
		unlink(g.gl_pathv[i]);
	globfree(&g);
}

/* A killed or stopped primary leaves its hugepage files and runtime dir;
 * remove ours so a clean shutdown leaves nothing behind. */
static void
remove_runtime_files(const struct gw_config *c)
{
	char pat[GW_CONF_STR * 2];

	snprintf(pat, sizeof(pat), "%s/%smap_*", c->dataplane.hugepage_dir,
		 c->dataplane.file_prefix);
	unlink_glob(pat);
	snprintf(pat, sizeof(pat), "/var/run/dpdk/%s/*", c->dataplane.file_prefix);
	unlink_glob(pat);
	snprintf(pat, sizeof(pat), "/var/run/dpdk/%s", c->dataplane.file_prefix);
	rmdir(pat);
}

static int
create_workers(const struct gw_config *c)
{
	dp.n_workers = c->dataplane.n_lcores;
	for (unsigned i = 0; i < dp.n_workers; i++) {
		struct dp_worker *w = rte_zmalloc("rtcgw_worker", sizeof(*w), RTE_CACHE_LINE_SIZE);
		int rc;

		if (w == NULL)
			return -ENOMEM;
		w->idx = i;
		w->lcore_id = c->dataplane.lcores[i];
		w->burst_pos = DP_BURST;
		dp.workers[i] = w;
		rc = dp_frag_rx_create(w);
		if (rc == 0)
			rc = dp_ipc_worker_rings(w);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct gw_config conf;
	static char bufs[MAX_EAL_ARGS][GW_CONF_STR + 16];
	char *eal_argv[MAX_EAL_ARGS];
	char err[GW_CONF_ERR_LEN];
	FILE *log_stream;
	bool eal_up = false;
	int rc, eal_argc, status = EXIT_FAILURE;

	if (!gw_config_cli(&conf, argc, argv, "rtcgw-dataplane", RTCGW_VERSION " (IPC ABI "
			   RTE_STR(GW_IPC_VERSION) ")", &rc))
		return rc;
	dp.conf = &conf;

	/* Before EAL: its own lines take our shape too (and skip syslog). */
	log_stream = gw_log_stream_open("rtcgw-dp", rte_log_cur_msg_loglevel);
	if (log_stream != NULL)
		rte_openlog_stream(log_stream);
	dp_logtype = rte_log_register("rtcgw.dataplane");
	rte_log_set_level(dp_logtype, (uint32_t)(RTE_LOG_ERR + conf.log.level));
	eal_argc = build_eal_args(&conf, eal_argv, bufs, argc - optind, argv + optind);
	rc = rte_eal_init(eal_argc, eal_argv);
	if (rc < 0) {
		DP_LOG(ERR, "EAL init failed: %s", rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	eal_up = true;
	dp.tsc_hz = rte_get_tsc_hz();
	/* STUN FINGERPRINT: DPDK's vector CRC once it is checked against zlib */
	rc = dp_crc_init();
	if (rc < 0)
		DP_LOG(WARNING, "vector CRC-32 disagrees with zlib: FINGERPRINT stays on zlib");
	else
		DP_LOG(INFO, "FINGERPRINT CRC-32: %s", rc == 1 ? "rte_net_crc (PCLMULQDQ)" : "zlib");

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);

	/* STYLE.md practice 14: the SRTP known answers before anything opens. */
	rc = dp_srtp_selftest();
	if (rc != 0) {
		DP_LOG(ERR, "SRTP self-test failed (%s): refusing to start", strerror(-rc));
		goto out;
	}
	/* The NACK packet caches (dp_rtcp) may hold up to half as many mbufs
	 * again: the pool grows by that much, so a full cache never takes the
	 * receive path's buffers. */
	dp_rtcp_budget(conf.dataplane.mbufs / 2);
	rc = dp_ipc_create(conf.dataplane.n_lcores, conf.dataplane.mbufs + conf.dataplane.mbufs / 2);
	if (rc != 0) {
		DP_LOG(ERR, "cannot create shared objects: %s%s", strerror(-rc),
		       rc == -EEXIST ? " (another dataplane runs with this file_prefix)" : "");
		goto out;
	}
	rc = dp_arp_table_create(&dp.neigh, NEIGH_ENTRIES, conf.dataplane.arp_timeout_s);
	if (rc == 0)
		rc = dp_ndp_table_create(&dp.neigh6, NEIGH_ENTRIES, conf.dataplane.arp_timeout_s);
	if (rc == 0)
		rc = dp_frag_init(FRAG_MBUFS);
	if (rc == 0)
		rc = create_workers(&conf);
	if (rc == 0)
		rc = dp_ice_create(ICE_LEGS, dp.n_workers);
	if (rc == 0)
		rc = dp_media_create(conf.media.port_min, conf.media.port_max, MEDIA_LEGS);
	if (rc == 0)
		rc = dp_media_steer_create(dp.n_workers);
	if (rc != 0) {
		DP_LOG(ERR, "cannot create workers: %s", strerror(-rc));
		goto out;
	}
	dp.n_ports = conf.dataplane.n_ports;
	for (unsigned i = 0; i < conf.dataplane.n_ports; i++) {
		rc = dp_port_setup(i, &conf.dataplane.ports[i], dp.n_workers, err, sizeof(err));
		if (rc != 0) {
			DP_LOG(ERR, "%s", err);
			goto out;
		}
	}
	rc = dp_exc_setup(&conf, dp.n_workers, err, sizeof(err));
	if (rc != 0) {
		DP_LOG(ERR, "%s", err);
		goto out;
	}
	rc = dp_port_txbuf_init();
	if (rc != 0) {
		DP_LOG(ERR, "cannot allocate TX buffers");
		goto out;
	}
	rc = dp_turn_create(&conf, dp.n_workers);     /* after the ports: relay addresses */
	if (rc != 0) {
		DP_LOG(ERR, "cannot create the TURN tables: %s", strerror(-rc));
		goto out;
	}
	rc = dp_strm_create(&conf);
	if (rc != 0) {
		DP_LOG(ERR, "cannot create the TCP/TLS front's rings: %s", strerror(-rc));
		goto out;
	}
	rc = dp_reload_init(&conf);
	if (rc != 0) {
		DP_LOG(ERR, "cannot set up config reload: %s", strerror(-rc));
		goto out;
	}
	signal(SIGHUP, on_hup);       /* dp_reload: re-read the config on worker 0 */
	dp_ipc_ready();
	DP_LOG(NOTICE, "ready: %u worker(s), %u port(s), IPC ABI %u, pid %d",
	       dp.n_workers, dp.n_ports, GW_IPC_VERSION, (int)getpid());

	rte_eal_mp_remote_launch(dp_lcore_main, NULL, CALL_MAIN);
	rte_eal_mp_wait_lcore();
	DP_LOG(NOTICE, "stopping");
	dp_ipc_stopping(DETACH_WAIT_MS);
	status = EXIT_SUCCESS;
out:
	/* Ports first, then the mbufs still waiting in the rings. */
	dp_exc_shutdown();
	dp_port_shutdown();
	dp_ipc_drain();
	dp_strm_drain();
	dp_media_free();
	if (eal_up)
		rte_eal_cleanup();
	remove_runtime_files(&conf);
	DP_LOG(NOTICE, "stopped");
	return status;
}
