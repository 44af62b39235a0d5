#include "cp_metrics.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>

static const char *const upper_names[GW_CNT_MAX] = {
#define CP_CNT_NAME(sym, text) #sym,
	GW_FOREACH_COUNTER(CP_CNT_NAME)
#undef CP_CNT_NAME
};

static const char *const help[GW_CNT_MAX] = {
#define CP_CNT_HELP(sym, text) text,
	GW_FOREACH_COUNTER(CP_CNT_HELP)
#undef CP_CNT_HELP
};

const char *
cp_metrics_counter_name(unsigned idx)
{
	static char lower[GW_CNT_MAX][40];

	if (idx >= GW_CNT_MAX)
		return "invalid";
	if (lower[idx][0] == '\0') {
		size_t n = strlen(upper_names[idx]);

		for (size_t k = 0; k < n && k < sizeof(lower[idx]) - 1; k++)
			lower[idx][k] = (char)tolower((unsigned char)upper_names[idx][k]);
	}
	return lower[idx];
}

static void
port_gauge(FILE *f, const char *name, const char *type, const char *what,
	   const struct cp_dp_snapshot *s, size_t off, bool u64)
{
	fprintf(f, "# HELP rtcgw_port_%s %s\n# TYPE rtcgw_port_%s %s\n", name, what, name, type);
	for (unsigned p = 0; p < s->n_ports; p++) {
		const uint8_t *base = (const uint8_t *)&s->ports[p];
		uint64_t v;

		if (u64) {
			memcpy(&v, base + off, sizeof(v));
		} else {
			uint8_t b;

			memcpy(&b, base + off, 1);
			v = b;
		}
		fprintf(f, "rtcgw_port_%s{port=\"%.24s\"} %llu\n", name, s->ports[p].name,
			(unsigned long long)v);
	}
}

/* The REST server's own counters (cp_rest_stats), always present. */
static const struct {
	const char *name, *type, *help;
	size_t off;
} rest_metrics[] = {
#define R(n, t, h, f) { n, t, h, offsetof(struct cp_rest_stats, f) }
	R("rest_connections", "gauge", "REST connections open now", connections),
	R("rest_refused_full_total", "counter",
	  "REST connections refused: controlplane.rest.max_connections reached", refused_full),
	R("rest_refused_per_ip_total", "counter",
	  "REST connections refused: controlplane.rest.max_connections_per_ip reached",
	  refused_per_ip),
	R("rest_deadline_closed_total", "counter",
	  "REST connections closed at controlplane.rest.request_timeout_s", deadline_closed),
	R("rest_bad_request_line_total", "counter",
	  "REST connections refused for a malformed request line", bad_request_line),
	R("rest_bad_target_total", "counter",
	  "REST requests refused for a control character or bad escape in the URI", bad_target),
	R("rest_body_too_large_total", "counter", "REST requests refused with 413",
	  body_too_large),
	R("rest_accept_errors_total", "counter", "REST accept() failures", accept_errors),
#undef R
};

int
cp_metrics_prometheus(const struct cp_dp_snapshot *s, const struct cp_dp_info *i,
		      const struct cp_rest_stats *rs, char **out, size_t *len)
{
	bool up = s != NULL && s->valid;
	FILE *f = open_memstream(out, len);

	if (f == NULL)
		return -ENOMEM;
	fprintf(f, "# HELP rtcgw_dataplane_up 1 when the dataplane answers the control plane\n"
		   "# TYPE rtcgw_dataplane_up gauge\nrtcgw_dataplane_up %d\n", up);
	if (up) {
		fprintf(f, "# HELP rtcgw_dataplane_workers worker lcores\n"
			   "# TYPE rtcgw_dataplane_workers gauge\nrtcgw_dataplane_workers %u\n",
			s->n_workers);
		fprintf(f, "# HELP rtcgw_dataplane_start_time_seconds dataplane start, unix time\n"
			   "# TYPE rtcgw_dataplane_start_time_seconds gauge\n"
			   "rtcgw_dataplane_start_time_seconds %llu\n",
			(unsigned long long)(i->start_unix_ns / 1000000000ull));
		for (unsigned k = 0; k < GW_CNT_MAX; k++) {
			const char *n = cp_metrics_counter_name(k);

			fprintf(f, "# HELP rtcgw_%s_total %s\n# TYPE rtcgw_%s_total counter\n"
				   "rtcgw_%s_total %llu\n",
				n, help[k], n, n, (unsigned long long)s->total[k]);
		}
		/* Per worker, what shows how RSS spreads the load. */
		fprintf(f, "# HELP rtcgw_worker_rx_pkts_total frames a worker received\n"
			   "# TYPE rtcgw_worker_rx_pkts_total counter\n");
		for (unsigned wk = 0; wk < s->n_workers && wk < GW_IPC_MAX_WORKERS; wk++)
			fprintf(f, "rtcgw_worker_rx_pkts_total{worker=\"%u\"} %llu\n", wk,
				(unsigned long long)s->per_worker[wk][GW_CNT_RX_PKTS]);
		fprintf(f, "# HELP rtcgw_worker_tx_pkts_total frames a worker handed to a port\n"
			   "# TYPE rtcgw_worker_tx_pkts_total counter\n");
		for (unsigned wk = 0; wk < s->n_workers && wk < GW_IPC_MAX_WORKERS; wk++)
			fprintf(f, "rtcgw_worker_tx_pkts_total{worker=\"%u\"} %llu\n", wk,
				(unsigned long long)s->per_worker[wk][GW_CNT_TX_PKTS]);
		fprintf(f, "# HELP rtcgw_turn_allocations_active TURN allocations alive now\n"
			   "# TYPE rtcgw_turn_allocations_active gauge\n"
			   "rtcgw_turn_allocations_active %lld\n",
			(long long)(s->total[GW_CNT_TURN_ALLOC_OK] - s->total[GW_CNT_TURN_ALLOC_DELETED] -
				    s->total[GW_CNT_TURN_ALLOC_EXPIRED] -
				    s->total[GW_CNT_TURN_STREAM_CLOSED]));
		port_gauge(f, "link_up", "gauge", "1 when the port's link is up", s,
			   offsetof(struct gw_ipc_port, link_up), false);
		port_gauge(f, "rx_packets_total", "counter", "packets the port received", s,
			   offsetof(struct gw_ipc_port, ipackets), true);
		port_gauge(f, "tx_packets_total", "counter", "packets the port sent", s,
			   offsetof(struct gw_ipc_port, opackets), true);
		port_gauge(f, "rx_bytes_total", "counter", "bytes the port received", s,
			   offsetof(struct gw_ipc_port, ibytes), true);
		port_gauge(f, "tx_bytes_total", "counter", "bytes the port sent", s,
			   offsetof(struct gw_ipc_port, obytes), true);
		port_gauge(f, "rx_missed_total", "counter", "packets the port dropped (RX full)", s,
			   offsetof(struct gw_ipc_port, imissed), true);
		port_gauge(f, "rx_errors_total", "counter", "receive errors", s,
			   offsetof(struct gw_ipc_port, ierrors), true);
		port_gauge(f, "tx_errors_total", "counter", "transmit errors", s,
			   offsetof(struct gw_ipc_port, oerrors), true);
	}
	for (size_t k = 0; rs != NULL && k < sizeof(rest_metrics) / sizeof(rest_metrics[0]); k++) {
		uint64_t v;

		memcpy(&v, (const char *)rs + rest_metrics[k].off, sizeof(v));
		fprintf(f, "# HELP rtcgw_%s %s\n# TYPE rtcgw_%s %s\nrtcgw_%s %llu\n",
			rest_metrics[k].name, rest_metrics[k].help, rest_metrics[k].name,
			rest_metrics[k].type, rest_metrics[k].name, (unsigned long long)v);
	}
	if (fclose(f) != 0)
		return -ENOMEM;
	return 0;
}

static const char *const front_names[GW_FRONT_CNT_MAX] = {
#define CP_FRONT_NAME(sym, text) #sym,
	GW_FOREACH_FRONT_COUNTER(CP_FRONT_NAME)
#undef CP_FRONT_NAME
};

static const char *const front_help[GW_FRONT_CNT_MAX] = {
#define CP_FRONT_HELP(sym, text) text,
	GW_FOREACH_FRONT_COUNTER(CP_FRONT_HELP)
#undef CP_FRONT_HELP
};

int
cp_metrics_front_append(const struct gw_ipc_front *fr, char **out, size_t *len)
{
	bool ok = fr != NULL && fr->magic == GW_IPC_MAGIC && fr->abi_version == GW_IPC_VERSION &&
		  fr->n_counters == GW_FRONT_CNT_MAX;
	int32_t pid = ok ? __atomic_load_n(&fr->pid, __ATOMIC_ACQUIRE) : 0;
	bool up = pid > 0 && kill(pid, 0) == 0;
	char *text = NULL, *all = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);

	if (f == NULL)
		return -ENOMEM;
	fprintf(f, "# HELP rtcgw_front_up 1 when rtcgw-turnfront (TURN over TCP/TLS) runs\n"
		   "# TYPE rtcgw_front_up gauge\nrtcgw_front_up %d\n", up);
	/* always the whole set (zeros before a front ever ran): dashboards and
	 * alerts find every series */
	{
		fprintf(f, "# HELP rtcgw_front_connections TCP/TLS connections open\n"
			   "# TYPE rtcgw_front_connections gauge\nrtcgw_front_connections %u\n",
			up ? __atomic_load_n(&fr->conns, __ATOMIC_RELAXED) : 0);
		for (unsigned k = 0; k < GW_FRONT_CNT_MAX; k++) {
			char name[48];
			size_t j;

			for (j = 0; front_names[k][j] != '\0' && j < sizeof(name) - 1; j++)
				name[j] = (char)tolower((unsigned char)front_names[k][j]);
			name[j] = '\0';
			fprintf(f, "# HELP rtcgw_front_%s_total %s\n# TYPE rtcgw_front_%s_total "
				   "counter\nrtcgw_front_%s_total %llu\n", name, front_help[k], name,
				name, ok ? (unsigned long long)__atomic_load_n(&fr->cnt[k],
									       __ATOMIC_RELAXED) : 0ull);
		}
	}
	if (fclose(f) != 0) {
		free(text);
		return -ENOMEM;
	}
	all = realloc(*out, *len + n + 1);
	if (all == NULL) {
		free(text);
		return -ENOMEM;
	}
	memcpy(all + *len, text, n + 1);
	*out = all;
	*len += n;
	free(text);
	return 0;
}

json_t *
cp_metrics_json(const struct cp_dp_snapshot *s, const struct cp_dp_info *i, uint64_t now_ms)
{
	json_t *doc = json_object(), *counters, *ports, *dpo;
	bool up = s != NULL && s->valid;

	if (doc == NULL)
		return NULL;
	dpo = json_object();
	json_object_set_new(doc, "dataplane", dpo);
	json_object_set_new(dpo, "up", json_boolean(up));
	if (!up)
		return doc;
	json_object_set_new(dpo, "pid", json_integer(i->pid));
	json_object_set_new(dpo, "version", json_string(i->version));
	json_object_set_new(dpo, "ipc_abi", json_integer(GW_IPC_VERSION));
	json_object_set_new(dpo, "workers", json_integer(s->n_workers));
	json_object_set_new(dpo, "start_unix_ns", json_integer((json_int_t)i->start_unix_ns));
	json_object_set_new(dpo, "snapshot_age_ms", json_integer((json_int_t)(now_ms - s->at_ms)));
	counters = json_object();
	json_object_set_new(doc, "counters", counters);
	for (unsigned k = 0; k < GW_CNT_MAX; k++)
		json_object_set_new(counters, cp_metrics_counter_name(k),
				    json_integer((json_int_t)s->total[k]));
	/* Per worker: its non-zero counters (how RSS spreads the load). */
	{
		json_t *wa = json_array();

		json_object_set_new(doc, "workers", wa);
		for (unsigned wk = 0; wa != NULL && wk < s->n_workers && wk < GW_IPC_MAX_WORKERS;
		     wk++) {
			json_t *wc = json_object();

			for (unsigned k = 0; wc != NULL && k < GW_CNT_MAX; k++)
				if (s->per_worker[wk][k] != 0)
					json_object_set_new(wc, cp_metrics_counter_name(k),
							    json_integer((json_int_t)
									 s->per_worker[wk][k]));
			json_array_append_new(wa, json_pack("{s:i, s:o}", "worker", (int)wk,
							    "counters", wc));
		}
	}
	ports = json_array();
	json_object_set_new(doc, "ports", ports);
	for (unsigned p = 0; p < s->n_ports; p++) {
		const struct gw_ipc_port *o = &s->ports[p];
		char mac[18], ip[INET_ADDRSTRLEN + 4];
		struct in_addr a = { .s_addr = htonl(o->ipv4) };
		char addr[INET_ADDRSTRLEN];

		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", o->mac[0], o->mac[1],
			 o->mac[2], o->mac[3], o->mac[4], o->mac[5]);
		inet_ntop(AF_INET, &a, addr, sizeof(addr));
		snprintf(ip, sizeof(ip), "%s/%u", addr, o->prefix_len);
		json_array_append_new(ports, json_pack(
			"{s:s%, s:i, s:b, s:i, s:s, s:s, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			"name", o->name, strnlen(o->name, sizeof(o->name)),
			"ethdev", o->port_id, "link_up", o->link_up, "speed_mbps", o->speed_mbps,
			"mac", mac, "address", ip, "mtu", o->mtu,
			"rx_packets", (json_int_t)o->ipackets, "tx_packets", (json_int_t)o->opackets,
			"rx_bytes", (json_int_t)o->ibytes, "tx_bytes", (json_int_t)o->obytes,
			"rx_missed", (json_int_t)o->imissed, "rx_errors", (json_int_t)o->ierrors,
			"tx_errors", (json_int_t)o->oerrors));
	}
	return doc;
}
