/*
 * gw_config: the one YAML file (a gateway-conf YAML file) both processes read.
 *
 * Parsing is strict (STYLE.md practice 13): an unknown key, a wrong type or an
 * out-of-range value is an error that names file:line:col and the key path, and
 * the process stops before touching a port. Parsing fills a plain struct; the
 * checks that span several fields live in gw_config_validate().
 * Every key is documented in gateway-conf/README.md.
 */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GW_CONF_MAX_PORTS    4
#define GW_CONF_MAX_LCORES   16
#define GW_CONF_MAX_TOKENS   8
#define GW_CONF_MAX_USERS    64
#define GW_CONF_MAX_SECRETS  4
#define GW_CONF_MAX_LISTEN   4     /* turn.tcp.ports, tls_ports */
#define GW_CONF_MAX_CIDRS    32
#define GW_CONF_MAX_RELAY_ADDRS 15 /* ports[].relay_addresses: with address, 16 per port */
#define GW_CONF_STR          256
#define GW_CONF_ERR_LEN      512
#define GW_CONF_MAX_STREAMS  16
#define GW_CONF_STREAM_NAME  64
#define GW_CONF_PT_DEFAULT   255   /* gw_conf_track.pt: the codec's default */

enum gw_log_level {
	GW_LOG_ERROR = 0,
	GW_LOG_WARNING,
	GW_LOG_NOTICE,
	GW_LOG_INFO,
	GW_LOG_DEBUG,
};

/** An IPv4 prefix; addresses are kept in host byte order. */
struct gw_cidr4 {
	uint32_t addr;
	uint8_t len;          /* 0..32 */
};

/** An IPv6 prefix; the address in network byte order. */
struct gw_cidr6 {
	uint8_t addr[16];
	uint8_t len;          /* 0..128 */
};

/** An IPv4 socket address in host byte order. */
struct gw_sockaddr4 {
	uint32_t addr;
	uint16_t port;
};

struct gw_conf_port {
	char name[32];                /* ports[].name: label in logs and metrics */
	char device[GW_CONF_STR];     /* ports[].device: PCI address or vdev string */
	struct gw_cidr4 address;      /* ports[].address: "198.18.0.2/24" */
	uint32_t gateway;             /* ports[].gateway: next hop off-link; 0 = none */
	uint16_t rx_queues;           /* ports[].rx_queues: 1..16, default 1 */
	uint16_t rx_desc;             /* ports[].rx_desc: 64..4096, default 1024 */
	uint16_t tx_desc;             /* ports[].tx_desc: 64..4096, default 1024 */
	uint16_t mtu;                 /* ports[].mtu: 576..9000, default 1500 */
	/* ports[].address6: "2001:2:0:60::2/64"; len 0 = no IPv6 on this port.
	 * A global or unique-local unicast address (link-local is derived from
	 * the MAC); host bits are the address. */
	struct gw_cidr6 address6;
	/* ports[].gateway6: IPv6 next hop off-link, inside address6's prefix or
	 * link-local (fe80::/10); all zero = none. */
	uint8_t gateway6[16];
	/* ports[].relay_addresses: further IPv4 addresses TURN relays on (as
	 * coturn's repeated --relay-ip), host order; each in the port's subnet
	 * (the dataplane answers ARP for it) or routed to the port. Only relay
	 * ports answer there. IPv6 relays stay on address6 alone. */
	uint32_t relay_addresses[GW_CONF_MAX_RELAY_ADDRS];
	unsigned n_relay_addresses;
};

struct gw_turn_user {
	char username[128];
	char password[128];
};

/**
 * One track of an RTP-ingest stream (media.streams[].audio / .video, or the
 * same JSON object in POST /v1/streams). codec "" = no such track.
 */
struct gw_conf_track {
	char codec[8];                /* audio: opus | pcmu; video: vp8 | h264 */
	uint16_t pt;                  /* 0..127; GW_CONF_PT_DEFAULT: the codec's default */
	uint32_t ssrc;                /* the sender's SSRC, announced to viewers; 0: none */
};

/** An RTP-ingest stream: plain RTP (and muxed RTCP) in, fanned out to WHEP viewers. */
struct gw_conf_stream {
	char name[GW_CONF_STREAM_NAME]; /* [A-Za-z0-9_-], the WHEP stream name */
	struct gw_conf_track audio, video;
};

struct gw_config {
	char path[GW_CONF_STR];       /* the file this came from (for messages) */

	struct {
		uint16_t lcores[GW_CONF_MAX_LCORES]; /* CPU ids; [0] is the EAL main lcore */
		unsigned n_lcores;
		uint16_t cpus[GW_CONF_MAX_LCORES]; /* optional: the CPU of lcores[i] */
		unsigned n_cpus;          /* 0: lcore i runs on CPU lcores[i] */
		bool busy_poll;           /* default false: back off when idle */
		uint32_t idle_sleep_us;   /* 0..10000, default 100: longest idle sleep */
		uint32_t mbufs;           /* 1023..1048575, default 16383 */
		uint32_t memory_mb;       /* 64..65536, default 512: hugepage memory */
		char hugepage_dir[GW_CONF_STR];  /* default "/dev/hugepages-rtcgw" */
		char file_prefix[64];     /* default "rtcgw": DPDK --file-prefix */
		uint32_t arp_timeout_s;   /* 10..86400, default 300 */
		struct gw_conf_port ports[GW_CONF_MAX_PORTS];
		unsigned n_ports;         /* 1..GW_CONF_MAX_PORTS */
	} dataplane;

	struct {
		uint16_t lcore;           /* CPU id for the secondary's EAL; default 0 */
		struct gw_sockaddr4 rest_listen;  /* rest.listen, default 127.0.0.1:8080 */
		char tokens[GW_CONF_MAX_TOKENS][128]; /* rest.tokens: bearer tokens */
		unsigned n_tokens;        /* 0 = every /v1 request is refused */
		struct gw_sockaddr4 health_listen; /* rest.health_listen; port 0 = none */
		uint32_t rest_max_conns;  /* rest.max_connections, per listener, default 256 */
		uint32_t rest_max_conns_per_ip; /* rest.max_connections_per_ip, default 32 */
		uint32_t rest_request_timeout_s; /* rest.request_timeout_s, default 10 */
		uint32_t ipc_poll_ms;     /* 1..100, default 5: ring drain period */
		char journal_dir[GW_CONF_STR]; /* default "/run/rtcgw": session journal */
	} controlplane;

	struct {
		enum gw_log_level level;  /* log.level, default info */
	} log;

	struct {
		bool enabled;             /* default true */
		uint16_t port;            /* default 3478 */
		char software[128];       /* SOFTWARE attribute; empty = not sent */
	} stun;

	struct {
		bool enabled;             /* default false */
		char realm[128];          /* default "rtcgw" */
		uint16_t relay_port_min;  /* default 49152 */
		uint16_t relay_port_max;  /* default 65535 */
		uint32_t default_lifetime_s;   /* default 600 */
		uint32_t max_lifetime_s;       /* default 3600 */
		uint32_t permission_lifetime_s;/* default 300 */
		uint32_t channel_lifetime_s;   /* default 600 */
		uint32_t nonce_lifetime_s;     /* default 600 */
		uint32_t max_allocations;      /* default 100000 */
		uint32_t user_quota;           /* allocations per user, default 100, 0 = unlimited */
		uint32_t ip_quota;             /* per source IP, default 1000, 0 = unlimited */
		bool rfc5766_channels;         /* accept channels 0x5000..0x7FFF, default false */
		uint64_t bandwidth_bps;        /* per allocation, 0 = unlimited */
		struct gw_turn_user users[GW_CONF_MAX_USERS];
		unsigned n_users;
		char auth_secrets[GW_CONF_MAX_SECRETS][128]; /* TURN REST API secrets */
		unsigned n_auth_secrets;
		struct gw_cidr4 allowed_peers[GW_CONF_MAX_CIDRS];
		unsigned n_allowed_peers;
		struct gw_cidr4 denied_peers[GW_CONF_MAX_CIDRS];
		unsigned n_denied_peers;
		/* the IPv6 entries of the same two keys */
		struct gw_cidr6 allowed_peers6[GW_CONF_MAX_CIDRS];
		unsigned n_allowed_peers6;
		struct gw_cidr6 denied_peers6[GW_CONF_MAX_CIDRS];
		unsigned n_denied_peers6;
		/* turn.tcp: TURN over TCP and TLS (RFC 8656 §6.2) through
		 * rtcgw-turnfront, on the exception interface's address */
		struct {
			bool enabled;             /* default false */
			uint16_t ports[GW_CONF_MAX_LISTEN];     /* plain TCP, default [3478] */
			unsigned n_ports;
			uint16_t tls_ports[GW_CONF_MAX_LISTEN]; /* TLS, default [5349, 443] */
			unsigned n_tls_ports;
			char certificate[GW_CONF_STR];  /* PEM; needed with tls_ports */
			char private_key[GW_CONF_STR];
			uint16_t lcore;           /* CPU id for the front's EAL; default 0 */
			uint32_t max_connections; /* 1..1000000, default 10000 */
			uint32_t max_connections_per_ip; /* 1..1000000, default 64 */
			uint32_t idle_timeout_s;  /* 10..86400, default 600: nothing received */
			uint32_t handshake_timeout_s; /* 1..300, default 10: TLS handshake */
			uint32_t stall_timeout_s; /* 1..300, default 10: send buffer full */
			uint32_t send_buffer_kb;  /* 4..16384, default 64: per connection */
		} tcp;
	} turn;

	struct {
		uint16_t port_min;        /* default 40000 */
		uint16_t port_max;        /* default 49151 */
		uint32_t consent_timeout_s;  /* 5..300, default 30 */
		char dtls_certificate[GW_CONF_STR]; /* PEM; "" = generated at start */
		char dtls_private_key[GW_CONF_STR]; /* PEM, with dtls_certificate */
		struct gw_conf_stream streams[GW_CONF_MAX_STREAMS]; /* RTP-ingest streams */
		unsigned n_streams;
	} media;

	struct {
		bool ng_enabled;          /* default false */
		struct gw_sockaddr4 ng_listen;  /* default 127.0.0.1:2223 */
		uint32_t max_calls;       /* 1..1000000, default 10000 */
		uint32_t ng_cache_s;      /* 1..600, default 30: retransmission cache */
		uint32_t media_timeout_s; /* 1..86400, default 60: a call without media is dropped */
	} calls;

	/* The exception path (dp_exc): a net_tap interface that gives the
	 * kernel what the dataplane does not handle itself. */
	struct {
		bool enabled;             /* default false */
		char iface[16];           /* kernel interface name, default "rtcgw-exc0" */
		char port[32];            /* the dataplane port it serves; "" = the first */
		bool tcp;                 /* default true: TCP to the port's address */
		bool icmp;                /* default true: ICMP other than echo request */
		bool udp_unhandled;       /* default false: UDP to ports no handler owns */
		bool other_protocols;     /* default false: other IPv4 protocols */
	} exception;
};

/**
 * The index in dataplane.ports of the port exception.port names (the first
 * port when it is empty).
 * @return the index, or -1 when no port has that name.
 */
int gw_config_exception_port(const struct gw_config *c);

/**
 * Check an RTP-ingest stream and fill default payload types: at least one
 * track; audio codec opus (default PT 111) or pcmu (PT 0 only), video codec
 * vp8 (default 96) or h264 (default 102); dynamic PTs 96..127; the two
 * tracks' PTs differ (one port carries both, told apart by PT). Shared by
 * the config parser and POST /v1/streams.
 * @param why  receives "audio.codec: ..." style reasons.
 * @return 0 or -EINVAL.
 */
int gw_config_stream_check(struct gw_conf_stream *s, char *why, size_t len);

/** Fill every field with its documented default. */
void gw_config_defaults(struct gw_config *c);

/**
 * Parse YAML text into c (defaults first, then the document's keys).
 * @param name  file name used in messages.
 * @param err   receives "name:line:col: key.path: reason" on failure.
 * @return 0; -EINVAL for any syntax, unknown-key, type or range error;
 *         -ENOMEM when libyaml cannot allocate.
 */
int gw_config_parse(struct gw_config *c, const char *name, const char *text,
		    size_t len, char *err, size_t errlen);

/**
 * Read path, parse it (gw_config_parse) and validate it (gw_config_validate).
 * @return 0; -errno when the file cannot be read (err says which);
 *         -EINVAL when parsing or validation fails.
 */
int gw_config_load(struct gw_config *c, const char *path, char *err, size_t errlen);

/**
 * Cross-field checks: lcores disjoint from the control plane's, port ranges
 * ordered and not overlapping, at least one port, gateway on-link, ...
 * @return 0 or -EINVAL with err naming the file and key path.
 */
int gw_config_validate(const struct gw_config *c, char *err, size_t errlen);

/**
 * The command line both processes share (-c FILE, --check-config, -V, -h):
 * parse it and load the config. Leaves optind at the first argument it did
 * not take (after "--").
 * @return true to go on with c loaded; false to exit with *exit_code (0 after
 *         --version, --help or a good --check-config; 2 on a usage or config
 *         error, already printed to stderr as "<prog>: config error: ...").
 */
bool gw_config_cli(struct gw_config *c, int argc, char **argv, const char *prog,
		   const char *version, int *exit_code);

/** "error", "warning", ... for a level. */
const char *gw_log_level_name(enum gw_log_level l);

#endif
