/*
 * rtcgw-controlplane: the DPDK secondary. One event loop: REST
 * (libmicrohttpd), a short timer that drains the IPC rings, nothing that
 * spins.
 *
 * Attachment: a secondary cannot re-run rte_eal_init, so the control plane
 * attaches once per process image. With no dataplane running it serves REST
 * detached (/healthz says 503) and watches for a primary; when one appears,
 * or when the one it was attached to dies and a new one starts, it re-executes
 * itself (same pid, same arguments) and attaches to the new one.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "cp_api.h"
#include "cp_clock.h"
#include "cp_ice.h"
#include "cp_calls.h"
#include "cp_calls_journal.h"
#include "cp_calls_media.h"
#include "cp_ipc.h"
#include "cp_journal.h"
#include "cp_log.h"
#include "cp_ng.h"
#include "cp_reload.h"
#include "cp_rest.h"
#include "cp_room_rest.h"
#include "cp_ingest.h"
#include "cp_session.h"
#include "gw_config.h"
#include "gw_log.h"

#define ATTACH_WAIT_MS 20000
#define WATCH_MS       250

static volatile sig_atomic_t quit;
static volatile sig_atomic_t hup;

static void
on_hup(int sig)
{
	(void)sig;
	hup = 1;
}

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static int
eal_init_secondary(const struct gw_config *c)
{
	char a[6][GW_CONF_STR + 32];
	char *argv[12];
	int n = 0;

	snprintf(a[0], sizeof(a[0]), "--file-prefix=%s", c->dataplane.file_prefix);
	snprintf(a[1], sizeof(a[1]), "--huge-dir=%s", c->dataplane.hugepage_dir);
	snprintf(a[2], sizeof(a[2]), "-l%u", c->controlplane.lcore);
	snprintf(a[3], sizeof(a[3]), "--log-level=%s",
		 c->log.level >= GW_LOG_INFO ? "notice" : gw_log_level_name(c->log.level));
	snprintf(a[4], sizeof(a[4]), "rtcgw-controlplane");
	snprintf(a[5], sizeof(a[5]), "--proc-type=secondary");
	argv[n++] = a[4];
	argv[n++] = a[5];
	argv[n++] = a[0];
	argv[n++] = a[1];
	argv[n++] = a[2];
	argv[n++] = a[3];
	/* The ports belong to the dataplane; do not probe any device here. */
	argv[n++] = (char *)(uintptr_t)"--no-pci";
	argv[n++] = (char *)(uintptr_t)"--no-telemetry";
	argv[n] = NULL;
	return rte_eal_init(n, argv);
}

static void
reexec(char **argv)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	sigset_t stop;

	/* A stop request must survive the exec: block the signals (the mask
	 * and anything pending carry over), and the new image unblocks them
	 * once its handlers are installed. A request already seen wins. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);     /* a reload request too: its default would kill */
	sigprocmask(SIG_BLOCK, &stop, NULL);
	if (quit) {
		CP_NOTICE("stopped");
		exit(EXIT_SUCCESS);
	}

	/* Close everything EAL opened: its locks on the shared-memory files
	 * would otherwise survive exec and keep a new dataplane from starting. */
	for (int fd = (int)sysconf(_SC_OPEN_MAX) - 1; fd > 2; fd--)
		close(fd);

	if (n <= 0) {
		CP_ERR("cannot find my own executable: %s", strerror(errno));
		exit(EXIT_FAILURE);
	}
	self[n] = '\0';
	CP_NOTICE("re-executing to attach to the new dataplane");
	fflush(stderr);
	execv(self, argv);
	CP_ERR("execv %s: %s", self, strerror(errno));
	exit(EXIT_FAILURE);
}

/* Take the sessions over when the journal describes this dataplane. */
static bool
journal_attach(void *ctx, const struct cp_dp_info *dpi)
{
	(void)ctx;
	return cp_journal_restore(dpi->pid, dpi->start_unix_ns);
}

int
main(int argc, char **argv)
{
	static struct gw_config conf;
	char err[GW_CONF_ERR_LEN];
	struct cp_app app = { .conf = &conf };
	struct cp_rest *rest = NULL;
	struct cp_calls *calls = NULL;
	struct cp_ng *ng = NULL;
	bool eal_up = false, want_reexec = false;
	uint64_t next_watch = 0;
	int rc, status = EXIT_FAILURE;

	if (!gw_config_cli(&conf, argc, argv, "rtcgw-controlplane", RTCGW_VERSION " (IPC ABI "
			   RTE_STR(GW_IPC_VERSION) ")", &rc))
		return rc;
	cp_log_set_level(conf.log.level);
	{
		/* EAL's lines in our shape too (and not to syslog as well). */
		FILE *log_stream = gw_log_stream_open("rtcgw-cp", rte_log_cur_msg_loglevel);

		if (log_stream != NULL)
			rte_openlog_stream(log_stream);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, on_hup);       /* cp_reload: re-read the config in the loop */
	{
		/* Blocked across a re-exec (see reexec()): deliver what is pending. */
		sigset_t stop;

		sigemptyset(&stop);
		sigaddset(&stop, SIGINT);
		sigaddset(&stop, SIGTERM);
		sigaddset(&stop, SIGHUP);
		sigprocmask(SIG_UNBLOCK, &stop, NULL);
	}

	/* features register their IPC rows before the first attach; the
	 * journal is read first, so their attach rows know whether it restored */
	rc = cp_journal_init(conf.controlplane.journal_dir, conf.dataplane.file_prefix);
	if (rc != 0)
		CP_WARN("journal %s: %s: sessions will not survive a control-plane crash",
			conf.controlplane.journal_dir, strerror(-rc));
	cp_ipc_on_restore(journal_attach, NULL);
	rc = cp_ice_init();
	if (rc == 0)
		rc = cp_calls_journal_register(conf.calls.ng_enabled);
	if (rc == 0)
		rc = cp_reload_init(&conf);
	if (rc == 0)
		rc = cp_session_init(&app);
	if (rc == 0)
		rc = cp_room_rest_init(&app);
	if (rc == 0)
		cp_ingest_init(&app);
	if (rc != 0) {
		CP_ERR("start-up failed: %s", strerror(-rc));
		return EXIT_FAILURE;
	}
	if (cp_ipc_primary_alive(conf.dataplane.file_prefix)) {
		if (eal_init_secondary(&conf) < 0) {
			CP_ERR("EAL secondary init failed (file prefix %s): %s",
			       conf.dataplane.file_prefix, rte_strerror(rte_errno));
			return EXIT_FAILURE;
		}
		eal_up = true;
		rc = cp_ipc_attach(&app.ipc, ATTACH_WAIT_MS, err, sizeof(err));
		if (rc != 0) {
			CP_ERR("cannot attach to the dataplane: %s", err);
			goto out;
		}
		CP_NOTICE("attached to dataplane pid %d (%u worker(s))",
			  (int)cp_ipc_info(app.ipc)->pid, cp_ipc_info(app.ipc)->n_workers);
	} else {
		CP_WARN("no dataplane running with file prefix '%s': serving detached, "
			"waiting for one", conf.dataplane.file_prefix);
	}

	rc = cp_rest_create(&rest, &conf, cp_api_routes, cp_api_n_routes, &app, err, sizeof(err));
	if (rc != 0) {
		CP_ERR("%s", err);
		goto out;
	}
	app.rest = rest;
	/* The events stream of the signalling relay takes a peer key instead of
	 * the token (a browser's EventSource sends no Authorization header). */
	(void)cp_rest_own_auth(rest, cp_room_rest_get);
	if (conf.controlplane.health_listen.port != 0)
		CP_NOTICE("REST listening on port %u, health checks also on port %u",
			  conf.controlplane.rest_listen.port, conf.controlplane.health_listen.port);
	else
		CP_NOTICE("REST listening on port %u", conf.controlplane.rest_listen.port);
	if (conf.calls.ng_enabled) {
		rc = cp_calls_create(&calls, conf.calls.max_calls, cp_calls_media, NULL, NULL);
		if (rc == 0)
			rc = cp_ng_create(&ng, &cp_calls_ng_ops, calls, conf.calls.ng_cache_s);
		if (rc != 0) {
			CP_ERR("ng: %s", strerror(-rc));
			goto out;
		}
		rc = cp_ng_listen(ng, &conf.calls.ng_listen, err, sizeof(err));
		if (rc != 0) {
			CP_ERR("%s", err);
			goto out;
		}
		CP_NOTICE("ng protocol listening on UDP port %u", conf.calls.ng_listen.port);
		app.ng = ng;
		app.calls = calls;
		cp_calls_media_init(&app, calls);
		cp_ng_set_instance(ng, cp_calls_media_instance());
	}

	while (!quit) {
		struct pollfd pfd[2] = {
			{ .fd = cp_rest_fd(rest), .events = POLLIN },
			{ .fd = cp_ng_fd(ng), .events = POLLIN },   /* -1: ignored */
		};
		int timeout = (int)conf.controlplane.ipc_poll_ms;
		int rt = cp_rest_timeout_ms(rest);
		uint64_t now;

		if (rt >= 0 && rt < timeout)
			timeout = rt;
		if (poll(pfd, 2, timeout) < 0 && errno != EINTR) {
			CP_ERR("poll: %s", strerror(errno));
			goto out;
		}
		cp_rest_run(rest);
		if (hup) {
			hup = 0;
			cp_reload_signal(&app);
		}
		now = cp_mono_ms();
		if (pfd[1].revents & POLLIN)
			cp_ng_run(ng, now);
		cp_session_tick(now);
		cp_journal_flush(now);
		cp_room_rest_tick(now);
		cp_ingest_tick(now);
		if (calls != NULL)
			cp_calls_media_tick(now);
		if (app.ipc != NULL) {
			rc = cp_ipc_poll(app.ipc, now);
			if (rc == -ESHUTDOWN || rc == -EPIPE) {
				/* Let go at once: a new dataplane cannot start while
				 * we hold the old one's shared memory. The re-executed
				 * image serves /healthz (503) until one is up. */
				app.dp_lost = true;
				want_reexec = true;
				break;
			}
		}
		if (app.ipc == NULL && now >= next_watch) {
			next_watch = now + WATCH_MS;
			/* A primary holds its config lock from early init; once it
			 * does, our (re-executed) attach waits for READY. */
			if (cp_ipc_primary_alive(conf.dataplane.file_prefix)) {
				want_reexec = true;
				break;
			}
		}
	}
	status = EXIT_SUCCESS;
out:
	app.rest = NULL;
	cp_session_fini();
	cp_room_rest_fini();
	/* A clean stop ended every session (a re-exec follows a new dataplane,
	 * which the journal cannot describe): nothing to take over. */
	cp_journal_remove();
	cp_rest_free(rest);
	app.ng = NULL;
	app.calls = NULL;
	cp_ng_free(ng);
	cp_calls_free(calls);
	cp_ipc_free(app.ipc);
	app.ipc = NULL;
	/* After the primary died, EAL cleanup would talk to a ghost; the
	 * re-exec replaces the whole image anyway. */
	if (eal_up && cp_ipc_primary_alive(conf.dataplane.file_prefix))
		rte_eal_cleanup();
	if (want_reexec) {
		/* A stopping dataplane still holds its lock until it exits; wait
		 * (bounded) so the new image does not attach to it again. */
		for (int i = 0; i < 250 && !quit && app.dp_lost &&
				cp_ipc_primary_alive(conf.dataplane.file_prefix); i++)
			nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000000 }, NULL);
		reexec(argv);
	}
	CP_NOTICE("stopped");
	return status;
}
