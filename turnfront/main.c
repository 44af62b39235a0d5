/*
 * rtcgw-turnfront: TURN over TCP and TLS (issue 11, DESIGN.md "Exception path
 * and TCP"). A DPDK secondary of the dataplane, like the control plane, but
 * its own process with its own event loop: slow REST work never delays a
 * stream, and a restart of the front loses only its connections (it tells
 * the dataplane, which deletes their allocations). It listens with kernel
 * sockets on the exception interface, where the dataplane hands the kernel
 * the TCP it does not handle itself (exception.tcp).
 *
 * Exit status: 0 after SIGTERM/SIGINT; 1 on a start-up error; 2 when the
 * config does not enable it (turn.tcp.enabled false: supervisors leave it
 * stopped); 3 when the dataplane stopped (systemd restarts the front, which
 * waits for the next).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "gw_config.h"
#include "gw_ipc.h"
#include "gw_log.h"
#include "tf_log.h"
#include "tf_ring.h"
#include "tf_srv.h"
#include "tf_tls.h"

#define ATTACH_WAIT_MS 30000
#define TICK_MS        250
#define EXIT_DISABLED  2
#define EXIT_DP_GONE   3
/* The front's EAL lcore id: mempool caches are per lcore id and shared by
 * every process, so it must differ from the dataplane's and the control
 * plane's ids (DPDK multi-process rule); it runs on CPU turn.tcp.lcore. */
#define TF_LCORE_ID    (RTE_MAX_LCORE - 3)

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
eal_init_secondary(const struct gw_config *c)
{
	char a[5][GW_CONF_STR + 32];
	char *argv[12];
	int n = 0;

	snprintf(a[0], sizeof(a[0]), "--file-prefix=%s", c->dataplane.file_prefix);
	snprintf(a[1], sizeof(a[1]), "--huge-dir=%s", c->dataplane.hugepage_dir);
	snprintf(a[2], sizeof(a[2]), "--lcores=%u@%u", TF_LCORE_ID, c->turn.tcp.lcore);
	snprintf(a[3], sizeof(a[3]), "--log-level=%s",
		 c->log.level >= GW_LOG_INFO ? "notice" : gw_log_level_name(c->log.level));
	snprintf(a[4], sizeof(a[4]), "rtcgw-turnfront");
	argv[n++] = a[4];
	argv[n++] = (char *)(uintptr_t)"--proc-type=secondary";
	argv[n++] = a[0];
	argv[n++] = a[1];
	argv[n++] = a[2];
	argv[n++] = a[3];
	argv[n++] = (char *)(uintptr_t)"--no-pci";
	argv[n++] = (char *)(uintptr_t)"--no-telemetry";
	argv[n] = NULL;
	return rte_eal_init(n, argv);
}

int
main(int argc, char **argv)
{
	static struct gw_config conf;
	char err[GW_CONF_ERR_LEN];
	struct tf_srv_params sp = { 0 };
	struct tf_srv *srv = NULL;
	SSL_CTX *tls = NULL;
	struct gw_ipc_strm reset = { .type = GW_IPC_STRM_RESET };
	uint64_t next_tick = 0;
	bool dp_gone = false, busy = false;
	int rc, status = EXIT_FAILURE, pi;

	if (!gw_config_cli(&conf, argc, argv, "rtcgw-turnfront", RTCGW_VERSION " (IPC ABI "
			   RTE_STR(GW_IPC_VERSION) ")", &rc))
		return rc;
	tf_log_set_level(conf.log.level);
	{
		FILE *log_stream = gw_log_stream_open("rtcgw-tf", rte_log_cur_msg_loglevel);

		if (log_stream != NULL)
			rte_openlog_stream(log_stream);
	}
	if (!conf.turn.enabled || !conf.turn.tcp.enabled) {
		TF_NOTICE("%s: turn.tcp.enabled is false (or turn.enabled): nothing to serve",
			  conf.path);
		return EXIT_DISABLED;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	/* a reload (SIGHUP to every rtcgw process) changes nothing here: the
	 * front's keys need a restart, which the reload report says */
	signal(SIGHUP, SIG_IGN);

	if (conf.turn.tcp.n_tls_ports > 0) {
		tls = tf_tls_ctx(conf.turn.tcp.certificate, conf.turn.tcp.private_key, err,
				 sizeof(err));
		if (tls == NULL) {
			TF_ERR("%s", err);
			return EXIT_FAILURE;
		}
	}
	if (eal_init_secondary(&conf) < 0) {
		TF_ERR("EAL secondary init failed (file prefix %s): %s",
		       conf.dataplane.file_prefix, rte_strerror(rte_errno));
		goto out_tls;
	}
	rc = tf_ring_attach(ATTACH_WAIT_MS, err, sizeof(err));
	if (rc != 0) {
		TF_ERR("cannot attach to the dataplane: %s", err);
		goto out_eal;
	}
	pi = gw_config_exception_port(&conf);
	sp.addr = conf.dataplane.ports[pi < 0 ? 0 : pi].address.addr;
	if (conf.dataplane.ports[pi < 0 ? 0 : pi].address6.len != 0) {
		/* the port's address6 is on the exception interface too */
		sp.has_addr6 = true;
		memcpy(sp.addr6, conf.dataplane.ports[pi < 0 ? 0 : pi].address6.addr, 16);
	}
	sp.ports = conf.turn.tcp.ports;
	sp.n_ports = conf.turn.tcp.n_ports;
	sp.tls_ports = conf.turn.tcp.tls_ports;
	sp.n_tls_ports = conf.turn.tcp.n_tls_ports;
	sp.tls = tls;
	sp.max_conns = conf.turn.tcp.max_connections;
	sp.max_per_ip = conf.turn.tcp.max_connections_per_ip;
	sp.idle_ms = conf.turn.tcp.idle_timeout_s * 1000;
	sp.handshake_ms = conf.turn.tcp.handshake_timeout_s * 1000;
	sp.stall_ms = conf.turn.tcp.stall_timeout_s * 1000;
	sp.send_buffer = (size_t)conf.turn.tcp.send_buffer_kb * 1024;
	sp.max_msg = tf_ring_max_msg();
	rc = tf_srv_create(&srv, &sp, err, sizeof(err));
	if (rc != 0) {
		TF_ERR("%s", err);
		goto out_detach;
	}
	/* connections of an earlier front are gone: their allocations too */
	(void)tf_ring_put(&reset, NULL, 0);
	tf_ring_flush();
	TF_NOTICE("ready: TURN over TCP on %u port(s), over TLS on %u port(s) of %u.%u.%u.%u%s; "
		  "up to %u connections, %u per address (per /64 for IPv6); pid %d", sp.n_ports,
		  sp.n_tls_ports, sp.addr >> 24, sp.addr >> 16 & 255, sp.addr >> 8 & 255,
		  sp.addr & 255, sp.has_addr6 ? " and its IPv6 address" : "", sp.max_conns,
		  sp.max_per_ip, (int)getpid());

	while (!quit) {
		uint64_t now = mono_ms();
		unsigned got;

		/* sockets wake the loop; the ring from the dataplane is polled:
		 * at once again while it delivers, else after at most 1 ms */
		rc = tf_srv_run(srv, busy ? 0 : 1, now);
		if (rc < 0) {
			TF_ERR("epoll_wait: %s", strerror(-rc));
			break;
		}
		got = tf_ring_poll(tf_srv_deliver, srv, 4096);
		tf_ring_flush();
		busy = got > 0;
		if (now >= next_tick) {
			next_tick = now + TICK_MS;
			tf_srv_tick(srv, now);
			tf_ring_flush();
			if (!tf_ring_dp_ready()) {
				dp_gone = true;
				break;
			}
		}
	}
	status = dp_gone ? EXIT_DP_GONE : rc < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	if (dp_gone)
		TF_WARN("the dataplane is stopping: closing every connection");
	tf_srv_free(srv);
	tf_ring_flush();
out_detach:
	tf_ring_detach();
out_eal:
	rte_eal_cleanup();
out_tls:
	SSL_CTX_free(tls);
	TF_NOTICE("stopped");
	return status;
}
