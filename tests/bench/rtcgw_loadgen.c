/*
 * rtcgw_loadgen: a UDP load generator for STUN/TURN servers (rtcgw, coturn).
 *
 * One thread, many UDP sockets, sendmmsg/recvmmsg in batches of LG_BATCH;
 * with --raw-tx the traffic goes out as whole frames through AF_PACKET (see
 * raw_open), the answers still come back on the UDP sockets. With --memif
 * there are no sockets and no kernel: the generator is a DPDK process on the
 * client end of a net_memif link to the dataplane's port and plays the
 * clients, their ARP and the echo peer in frames (see mf_open), so that the
 * server's CPU is what its own code costs.
 * Modes:
 *   stun   Binding requests (with FINGERPRINT) from --sockets source ports; the
 *          transaction id carries a send timestamp, the response echoes it.
 *   turn   --sockets allocations made through the real protocol with long-term
 *          credentials (Allocate -> 401 -> Allocate with MESSAGE-INTEGRITY,
 *          CreatePermission, ChannelBind), then ChannelData (or, with
 *          --send-pct, that share of Send indications) to --peer, whose echo
 *          comes back as ChannelData or a Data indication.
 *   echo   the peer side: echoes every datagram on --listen to its sender.
 *   sink   counts datagrams on --listen, echoes nothing (offered-load check).
 *   rtp    media calls through a media proxy (rtcgw's calls, rtpengine): --calls
 *          FILE has a line "A_PORT GW_PORT_FOR_A B_PORT GW_PORT_FOR_B" per call
 *          (what the ng offer/answer gave); party A (socket bound to A_PORT)
 *          sends RTP to --server's address at GW_PORT_FOR_A, which the proxy
 *          forwards to B, and B to GW_PORT_FOR_B, forwarded to A: both
 *          directions of every call, --size bytes of payload after the RTP
 *          header, --rate packets/s over all 2 x calls streams. A line may add
 *          "A_TX_KEY A_RX_KEY" (each the 30-byte AES_CM_128_HMAC_SHA1_80
 *          key||salt, 60 hex digits): party A is then an SDES-SRTP party (its
 *          offer carried A_TX_KEY, the proxy's answer A_RX_KEY): it protects
 *          what it sends with A_TX_KEY and unprotects (authenticates, decrypts)
 *          what it receives with A_RX_KEY through libsrtp2; B stays plain RTP.
 *          An SDES party's packet counts as received only once srtp_unprotect
 *          accepted it; refused ones are counted apart (srtp_auth_fail,
 *          srtp_fail) and are not latencies. With --srtp fast the party
 *          protects and unprotects with lg_srtp.c instead (libsrtp2 on
 *          Debian 12 is too slow to keep a dataplane busy from one core) and
 *          libsrtp2 checks a sample: every packet whose sequence number is a
 *          multiple of 64 is also protected by libsrtp2 and must come out
 *          byte for byte the same, and every such packet received is also
 *          authenticated by libsrtp2 (srtp_ref, srtp_ref_bad).
 * Traffic runs at --rate packets/s (0: flat out) for --duration seconds
 * (flat out with --window N: a closed loop, at most N packets unanswered at
 * a time, so the slowest stage of the chain sets the pace and no socket is
 * overrun; a full window that no answer leaves for 20 ms is written off,
 * counted as lost and in window_stalls), then waits --drain ms for late
 * answers, and prints one line of key=value pairs: sent, received, lost,
 * loss_pct, tx_pps, rx_pps, p50_us, p99_us, bad, setup_s, and with --cpu-pid
 * the server's CPU seconds during set-up and traffic (setup_cpu_s, cpu_s: its
 * threads' run time, cpu_seconds(); the traffic figure includes the drain);
 * with --window, window and window_stalls; with --memif, memif_arp,
 * memif_echoed and memif_other (ARP requests answered, frames echoed as the
 * peer, frames that were none of these nor an answer); rtp with SDES parties adds
 * srtp_tx, srtp_rx (packets protected / authenticated), srtp_auth_fail and
 * srtp_fail (any other unprotect error, e.g. replay), and with --srtp fast
 * srtp_ref and srtp_ref_bad (sampled packets libsrtp2 agreed and disagreed on).
 *
 * STUN encoding, MESSAGE-INTEGRITY, FINGERPRINT and ChannelData come from the
 * wire library (dataplane/wire), not a copy.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include <srtp2/srtp.h>

#include "lg_srtp.h"

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "ct.h"
#include "hmac.h"
#include "net.h"
#include "stun.h"
#include "turn.h"

#define LG_BATCH      32
#define LG_MAX_SOCKS  20000
#define LG_PKT_MAX    1500
#define LG_HIST_US    200000       /* latency histogram: 1 us bins up to 200 ms */
#define LG_MAGIC      0x52544c47u  /* "RTLG": payload tag */
#define LG_CHANNEL    0x4000
#define LG_SRTP_KEY   30           /* AES_CM_128_HMAC_SHA1_80: 16-byte key + 14-byte salt */
#define LG_WINDOW_STALL_MS 20      /* --window: a full window without an answer this long */

enum lg_mode { LG_STUN, LG_TURN, LG_ECHO, LG_SINK, LG_RTP };

struct lg_opts {
	enum lg_mode mode;
	struct sockaddr_in server;   /* stun/turn: target; echo/sink: listen */
	struct sockaddr_in peer;     /* turn: the peer's address */
	struct in_addr bind;         /* local address of the sockets */
	unsigned int socks;
	uint64_t rate;               /* packets/s, 0 = flat out */
	unsigned int window;         /* flat out: at most this many unanswered; 0: no limit */
	double duration;
	unsigned int drain_ms;
	unsigned int size;           /* application payload bytes (turn) */
	unsigned int send_pct;       /* turn: share of Send indications */
	const char *user, *pass;
	int cpu_pid;                 /* server whose CPU time is reported, 0: none */
	unsigned int base_port;      /* socket i binds base_port + i; 0: ephemeral */
	const char *raw_if;          /* send through AF_PACKET on this interface */
	const char *memif;           /* or be the client end of this memif socket */
	const char *calls;           /* rtp: the calls file */
	bool fast_srtp;              /* rtp: --srtp fast, lg_srtp with libsrtp2 on a sample */
	uint8_t gw_mac[6];           /* ... to this next-hop MAC */
};

struct lg_sock {
	int fd;
	uint8_t state;               /* turn set-up step done: 0..3 */
	uint32_t seq;
	uint16_t port;               /* local port, host order */
	uint16_t dport;              /* destination port (rtp: the proxy's port for it) */
	char nonce[96];              /* turn: this 5-tuple's NONCE */
	srtp_t srtp_tx, srtp_rx;     /* rtp: an SDES party's sessions, NULL when plain */
	struct lg_srtp *ftx, *frx;   /* --srtp fast: the same keys in lg_srtp */
};

static struct lg_opts o = {
	.socks = 64, .duration = 5, .drain_ms = 500, .size = 160,
	.user = "alice", .pass = "alice-pass-1",
};
static struct lg_sock *socks;
static uint32_t hist[LG_HIST_US + 1];
static uint64_t n_sent, n_recv, n_bad;
static uint64_t n_off;           /* --window: unanswered packets written off (lost) */
static uint64_t n_stalls;        /* --window: times a full window was written off */
static uint64_t n_srtp_tx, n_srtp_rx, n_srtp_auth_fail, n_srtp_fail;
static uint64_t n_srtp_ref, n_srtp_ref_bad;   /* --srtp fast: libsrtp2's sample */
static bool any_srtp;
static struct gw_hmac_sha1_key key;
static char realm[128];
static volatile sig_atomic_t stop;
static int raw_fd = -1;                 /* --raw-tx: AF_PACKET socket */
static uint8_t raw_src_mac[6];

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The generator's own fields (send time, sequence, tag) are read back only
 * by the generator: host byte order, unaligned-safe. */
static void
put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint32_t
get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static void
put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int
parse_addr(struct sockaddr_in *sa, const char *s)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	size_t hl;

	if (!colon || (hl = (size_t)(colon - s)) >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hl);
	host[hl] = 0;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -EINVAL;
}

/* utime + stime of the whole process from /proc/PID/stat, in seconds: the
 * fallback of cpu_seconds(), at the clock tick's resolution. -1 when unreadable. */
static double
cpu_seconds_ticks(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = 0;
	/* Fields after the command name, which may hold spaces: from the last ')'. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
			 &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/*
 * Server CPU seconds: the scheduler's run time of every thread, summed from
 * /proc/PID/task/TID/schedstat (nanoseconds). utime + stime are sampled at
 * the clock tick (10 ms here), too coarse for a set-up phase of a few ticks
 * and biased for a poll loop that sleeps between short bursts; the run time
 * is accounted at every switch. Threads that end inside a window drop out
 * of the sum, so the servers measured keep theirs (rtcgw's and coturn's do).
 * Falls back to the ticks when schedstat is not there. -1 when unreadable.
 */
static double
cpu_seconds(int pid)
{
	char path[96];
	struct dirent *d;
	unsigned long long ns, sum = 0;
	unsigned n = 0;
	DIR *dir;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (dir == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL && n < 4096) {
		FILE *f;

		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%.16s/schedstat", pid, d->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;            /* the thread ended meanwhile */
		if (fscanf(f, "%llu", &ns) == 1) {
			sum += ns;
			n++;
		}
		fclose(f);
	}
	closedir(dir);
	return n > 0 ? (double)sum / 1e9 : cpu_seconds_ticks(pid);
}

/* ---- latency ---------------------------------------------------------- */

static void
record(uint64_t sent_ns, uint64_t now)
{
	uint64_t us = now > sent_ns ? (now - sent_ns) / 1000 : 0;

	hist[us > LG_HIST_US ? LG_HIST_US : us]++;
	n_recv++;
}

static double
percentile(double q)
{
	uint64_t want = (uint64_t)((double)n_recv * q), acc = 0;

	if (!n_recv)
		return -1;
	for (size_t i = 0; i <= LG_HIST_US; i++) {
		acc += hist[i];
		if (acc > want)
			return (double)i;
	}
	return LG_HIST_US;
}

/* ---- packet builders ------------------------------------------------------ */

/* Transaction id: 8-byte send time + 4-byte sequence. */
static void
make_txid(uint8_t txid[GW_STUN_TXID_LEN], uint64_t t, uint32_t seq)
{
	put64(txid, t);
	put32(txid + 8, seq);
}

static size_t
build_binding(uint8_t *buf, uint64_t t, uint32_t seq)
{
	struct gw_stun_enc e;
	uint8_t txid[GW_STUN_TXID_LEN];

	make_txid(txid, t, seq);
	if (gw_stun_enc_init(&e, buf, LG_PKT_MAX, gw_stun_type(GW_STUN_BINDING, GW_STUN_REQUEST),
			     txid) || gw_stun_enc_fingerprint(&e))
		return 0;
	return gw_stun_enc_len(&e);
}

/* Application payload: magic, send time, sequence, then filler. */
static void
fill_payload(uint8_t *p, size_t n, uint64_t t, uint32_t seq)
{
	put32(p, LG_MAGIC);
	put64(p + 4, t);
	put32(p + 12, seq);
	memset(p + 16, 0x5a, n - 16);
}

static size_t
build_turn_data(uint8_t *buf, uint64_t t, uint32_t seq, bool send_ind)
{
	uint8_t payload[LG_PKT_MAX];
	struct gw_stun_enc e;
	struct gw_stun_addr pa = { .family = GW_STUN_FAMILY_IPV4,
				   .port = ntohs(o.peer.sin_port) };
	uint8_t txid[GW_STUN_TXID_LEN];
	int n;

	fill_payload(payload, o.size, t, seq);
	if (!send_ind) {
		n = gw_turn_chandata_encode(buf, LG_PKT_MAX, LG_CHANNEL, payload, o.size, true);
		return n < 0 ? 0 : (size_t)n;
	}
	memcpy(pa.addr, &o.peer.sin_addr, 4);
	make_txid(txid, t, seq);
	if (gw_stun_enc_init(&e, buf, LG_PKT_MAX,
			     gw_stun_type(GW_STUN_SEND, GW_STUN_INDICATION), txid) ||
	    gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &pa) ||
	    gw_stun_enc_bytes(&e, GW_STUN_ATTR_DATA, payload, o.size))
		return 0;
	return gw_stun_enc_len(&e);
}

/* RTP, PCMU-like: socket i is the stream's SSRC; our payload after the header. */
static size_t
build_rtp(uint8_t *buf, uint64_t t, uint32_t seq, unsigned int i)
{
	buf[0] = 0x80;
	buf[1] = 0;
	buf[2] = (uint8_t)(seq >> 8);
	buf[3] = (uint8_t)seq;
	buf[4] = (uint8_t)((seq * 160) >> 24);
	buf[5] = (uint8_t)((seq * 160) >> 16);
	buf[6] = (uint8_t)((seq * 160) >> 8);
	buf[7] = (uint8_t)(seq * 160);
	buf[8] = 0x52;
	buf[9] = 0x54;
	buf[10] = (uint8_t)(i >> 8);
	buf[11] = (uint8_t)i;
	fill_payload(buf + 12, o.size, t, seq);
	return 12 + o.size;
}

/* 60 hex digits -> the 30-byte key||salt. */
static int
hex_key(uint8_t out[LG_SRTP_KEY], const char *hex)
{
	if (strlen(hex) != 2 * LG_SRTP_KEY)
		return -EINVAL;
	for (size_t i = 0; i < LG_SRTP_KEY; i++)
		if (sscanf(hex + 2 * i, "%2hhx", &out[i]) != 1)
			return -EINVAL;
	return 0;
}

/* One libsrtp2 session with one key for every SSRC of one direction. Made
 * at start-up: the traffic loop only protects and unprotects. */
static int
srtp_session(srtp_t *s, const char *hex, bool tx)
{
	uint8_t mkey[LG_SRTP_KEY];
	srtp_policy_t pol;

	if (hex_key(mkey, hex))
		return -EINVAL;
	memset(&pol, 0, sizeof(pol));
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	pol.ssrc.type = tx ? ssrc_any_outbound : ssrc_any_inbound;
	pol.key = mkey;
	pol.window_size = 1024;
	return srtp_create(s, &pol) == srtp_err_status_ok ? 0 : -EINVAL;
}

/* --srtp fast: the same key in lg_srtp. */
static int
fast_session(struct lg_srtp **s, const char *hex)
{
	uint8_t mkey[LG_SRTP_KEY];
	int err;

	if (hex_key(mkey, hex))
		return -EINVAL;
	*s = calloc(1, sizeof(**s));
	err = *s ? lg_srtp_init(*s, mkey) : -ENOMEM;
	gw_wipe(mkey, sizeof(mkey));
	return err;
}

/* rtp: the calls file -> socket pairs (A then B), their ports and the
 * proxy's, and an SDES party A's SRTP sessions. */
static int
load_calls(void)
{
	FILE *f = fopen(o.calls, "r");
	unsigned int a, ga, b, gb, n = 0;
	char line[256], ktx[128], krx[128];
	int k;

	if (f == NULL) {
		perror(o.calls);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		k = sscanf(line, "%u %u %u %u %127s %127s", &a, &ga, &b, &gb, ktx, krx);
		if (k == EOF)
			continue;               /* a blank line */
		if ((k != 4 && k != 6) || 2 * (n + 1) > LG_MAX_SOCKS || !a || !ga || !b ||
		    !gb || a > 65535 || ga > 65535 || b > 65535 || gb > 65535)
			goto bad;
		socks[2 * n] = (struct lg_sock){ .port = (uint16_t)a, .dport = (uint16_t)ga };
		socks[2 * n + 1] = (struct lg_sock){ .port = (uint16_t)b, .dport = (uint16_t)gb };
		if (k == 6) {
			if (!any_srtp && srtp_init() != srtp_err_status_ok) {
				fprintf(stderr, "loadgen: srtp_init failed\n");
				goto fail;
			}
			any_srtp = true;
			if (srtp_session(&socks[2 * n].srtp_tx, ktx, true) ||
			    srtp_session(&socks[2 * n].srtp_rx, krx, false) ||
			    (o.fast_srtp && (fast_session(&socks[2 * n].ftx, ktx) ||
					     fast_session(&socks[2 * n].frx, krx))))
				goto bad;
		}
		n++;
	}
	fclose(f);
	if (n == 0) {
		fprintf(stderr, "loadgen: %s: no calls\n", o.calls);
		return -1;
	}
	o.socks = 2 * n;
	return 0;
bad:
	fprintf(stderr, "loadgen: %s: call %u: bad line, bad key or too many calls\n",
		o.calls, n + 1);
fail:
	fclose(f);
	/* What srtp_free_all() must look at: the failed call's sessions too
	 * (socks has LG_MAX_SOCKS zeroed entries in rtp mode). */
	o.socks = 2 * n + 2 <= LG_MAX_SOCKS ? 2 * n + 2 : 2 * n;
	return -1;
}

static void
srtp_free_all(void)
{
	for (unsigned int i = 0; i < o.socks; i++) {
		if (socks[i].srtp_tx)
			srtp_dealloc(socks[i].srtp_tx);
		if (socks[i].srtp_rx)
			srtp_dealloc(socks[i].srtp_rx);
		lg_srtp_fini(socks[i].ftx);
		lg_srtp_fini(socks[i].frx);
		free(socks[i].ftx);
		free(socks[i].frx);
	}
	if (any_srtp)
		srtp_shutdown();
}

/* An answer: returns its send time, or 0 when it is not one of ours. */
static uint64_t
answer_time(const uint8_t *p, size_t len)
{
	struct gw_turn_chandata cd;
	struct gw_stun_view v;

	if (o.mode == LG_RTP) {
		/* RTP (version 2) whose payload is ours; the proxy may have
		 * rewritten the header, not the payload. */
		if (len < 12 + 16 || (p[0] & 0xc0) != 0x80 || get32(p + 12) != LG_MAGIC)
			return 0;
		return get64(p + 16);
	}
	if (o.mode == LG_TURN && len >= 4 && (p[0] & 0xc0) == 0x40) {
		if (gw_turn_chandata_parse(&cd, p, len) || cd.len < 16 ||
		    get32(cd.data) != LG_MAGIC)
			return 0;
		return get64(cd.data + 4);
	}
	if (gw_stun_parse(&v, p, len))
		return 0;
	if (o.mode == LG_STUN) {
		if (v.method != GW_STUN_BINDING || v.cls != GW_STUN_SUCCESS)
			return 0;
		return get64(v.txid);
	}
	if (v.method == GW_STUN_DATA && v.cls == GW_STUN_INDICATION) {
		const uint8_t *d;
		size_t dn;

		if (gw_stun_get_bytes(&v, &v.attr[GW_STUN_A_DATA], &d, &dn) || dn < 16 ||
		    get32(d) != LG_MAGIC)
			return 0;
		return get64(d + 4);
	}
	return 0;
}

#define LG_REF_MAX 1600   /* the sample copy's buffer */

/* --srtp fast, a sampled packet received: libsrtp2 must authenticate a copy. */
static void
ref_unprotect(srtp_t s, const uint8_t *p, size_t len)
{
	uint8_t c[LG_REF_MAX];
	int n = (int)len;

	memcpy(c, p, len);
	if (srtp_unprotect(s, c, &n) == srtp_err_status_ok)
		n_srtp_ref++;
	else
		n_srtp_ref_bad++;
}

/* --srtp fast, a sampled packet sent: libsrtp2's protection of the same
 * plaintext must be lg_srtp's byte for byte. plain is the packet before
 * lg_srtp_protect(), prot after it. */
static void
ref_protect(srtp_t s, const uint8_t *plain, size_t n, const uint8_t *prot, size_t pn)
{
	uint8_t c[LG_REF_MAX];
	int cn = (int)n;

	memcpy(c, plain, n);
	if (srtp_protect(s, c, &cn) == srtp_err_status_ok && (size_t)cn == pn &&
	    memcmp(c, prot, pn) == 0)
		n_srtp_ref++;
	else
		n_srtp_ref_bad++;
}

/* What came back to socket (party) si, len bytes at p (an SDES party's SRTP
 * is unprotected in place): true when it was an answer to one of ours. */
static bool
take_answer(unsigned int si, uint8_t *p, size_t len, uint64_t t)
{
	int n = (int)len;
	uint64_t s;

	if (socks[si].frx) {
		size_t fn = len;
		int err;

		if (len >= 12 && len <= LG_REF_MAX && (p[3] & 63) == 0)
			ref_unprotect(socks[si].srtp_rx, p, len);
		err = lg_srtp_unprotect(socks[si].frx, p, &fn);
		if (err == -EBADMSG) {
			n_srtp_auth_fail++;
			return false;
		}
		if (err != 0) {
			n_srtp_fail++;
			return false;
		}
		n = (int)fn;
		n_srtp_rx++;
	} else if (socks[si].srtp_rx) {
		srtp_err_status_t st = srtp_unprotect(socks[si].srtp_rx, p, &n);

		if (st == srtp_err_status_auth_fail) {
			n_srtp_auth_fail++;
			return false;
		}
		if (st != srtp_err_status_ok) {
			n_srtp_fail++;
			return false;
		}
		n_srtp_rx++;
	}
	s = answer_time(p, (size_t)n);
	if (s)
		record(s, t);
	else
		n_bad++;
	return s != 0;
}

/* ---- sockets ----------------------------------------------------------------- */

static int
open_sock(bool listen, unsigned int i)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = o.bind };
	struct sockaddr_in to = o.server;
	int fd, big = 4 << 20;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (listen)
		sa = o.server;
	else if (o.mode == LG_RTP)
		sa.sin_port = htons(socks[i].port);
	else if (o.base_port)
		sa.sin_port = htons((uint16_t)(o.base_port + i));
	if (!listen && socks[i].dport)
		to.sin_port = htons(socks[i].dport);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    (!listen && connect(fd, (struct sockaddr *)&to, sizeof(to)))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- raw TX (--raw-tx) -------------------------------------------------------
 * The requests go out as whole Ethernet frames through an AF_PACKET socket
 * with PACKET_QDISC_BYPASS, built by the wire library (gw_eth/ipv4/udp4
 * encoders, UDP checksum included), with the source port of socket i: the
 * answers still arrive on the UDP sockets. This skips the sending UDP/IP
 * stack, which caps a socket sender near 0.4 Mpps here. */

static int
raw_open(void)
{
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = 0 };
	struct ifreq ifr = { 0 };
	int one = 1, big = 4 << 20;

	raw_fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (raw_fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", o.raw_if);
	if (ioctl(raw_fd, SIOCGIFHWADDR, &ifr))
		return -errno;
	memcpy(raw_src_mac, ifr.ifr_hwaddr.sa_data, 6);
	ll.sll_ifindex = (int)if_nametoindex(o.raw_if);
	setsockopt(raw_fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	setsockopt(raw_fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (!ll.sll_ifindex || bind(raw_fd, (struct sockaddr *)&ll, sizeof(ll)))
		return -errno;
	return 0;
}

/* Wrap the UDP payload already at buf + 42 into a frame from socket i. */
static size_t
raw_frame(uint8_t *buf, size_t payload_len, unsigned int i)
{
	uint32_t src = ntohl(o.bind.s_addr), dst = ntohl(o.server.sin_addr.s_addr);

	gw_udp4_encode(buf + 34, src, dst, socks[i].port,
		       socks[i].dport ? socks[i].dport : ntohs(o.server.sin_port),
		       (uint16_t)payload_len);
	gw_ipv4_encode(buf + 14, src, dst, IPPROTO_UDP, 64, (uint16_t)(payload_len + 8),
		       (uint16_t)socks[i].seq);
	gw_eth_encode(buf, o.gw_mac, raw_src_mac, ETHERTYPE_IP);
	return payload_len + 42;
}

/* ---- TURN set-up ----------------------------------------------------------- */

static int
enc_auth(struct gw_stun_enc *e, const char *nonce)
{
	return gw_stun_enc_bytes(e, GW_STUN_ATTR_USERNAME, o.user, strlen(o.user)) ||
	       gw_stun_enc_bytes(e, GW_STUN_ATTR_REALM, realm, strlen(realm)) ||
	       gw_stun_enc_bytes(e, GW_STUN_ATTR_NONCE, nonce, strlen(nonce)) ||
	       gw_stun_enc_integrity(e, &key) || gw_stun_enc_fingerprint(e);
}

/* The request for set-up step `step` (0: unauthenticated Allocate,
 * 1: Allocate, 2: CreatePermission, 3: ChannelBind) of socket i. */
static size_t
build_setup(uint8_t *buf, unsigned int i, unsigned int step)
{
	static const uint16_t method[] = { GW_STUN_ALLOCATE, GW_STUN_ALLOCATE,
					   GW_STUN_CREATE_PERMISSION, GW_STUN_CHANNEL_BIND };
	struct gw_stun_addr pa = { .family = GW_STUN_FAMILY_IPV4,
				   .port = ntohs(o.peer.sin_port) };
	uint8_t txid[GW_STUN_TXID_LEN];
	struct gw_stun_enc e;
	int err;

	memcpy(pa.addr, &o.peer.sin_addr, 4);
	make_txid(txid, i, step);
	err = gw_stun_enc_init(&e, buf, LG_PKT_MAX, gw_stun_type(method[step], GW_STUN_REQUEST),
			       txid);
	if (step <= 1)
		err = err || gw_stun_enc_u32(&e, GW_STUN_ATTR_REQUESTED_TRANSPORT,
					     (uint32_t)GW_TURN_TRANSPORT_UDP << 24);
	if (step == 3)
		err = err || gw_stun_enc_u32(&e, GW_STUN_ATTR_CHANNEL_NUMBER,
					     (uint32_t)LG_CHANNEL << 16);
	if (step >= 2)
		err = err || gw_stun_enc_xor_addr(&e, GW_STUN_ATTR_XOR_PEER_ADDRESS, &pa);
	if (step >= 1)
		err = err || enc_auth(&e, socks[i].nonce);
	else
		err = err || gw_stun_enc_fingerprint(&e);
	return err ? 0 : gw_stun_enc_len(&e);
}

static int
copy_attr(char *dst, size_t cap, const struct gw_stun_view *v, int slot)
{
	const uint8_t *p;
	size_t n;

	if (gw_stun_get_bytes(v, &v->attr[slot], &p, &n) || n >= cap)
		return -EBADMSG;
	memcpy(dst, p, n);
	dst[n] = 0;
	return 0;
}

/* Handle one set-up answer on socket i. */
static void
setup_answer(unsigned int i, const uint8_t *p, size_t len)
{
	struct gw_stun_view v;
	uint16_t code = 0;
	unsigned int step;

	if (gw_stun_parse(&v, p, len) || get64(v.txid) != i)
		return;
	step = get32(v.txid + 8);
	if (step != socks[i].state)
		return;
	if (v.cls == GW_STUN_ERROR) {
		gw_stun_get_error(&v, &code, NULL, NULL);
		/* 401 to the first Allocate, or 438 (stale nonce): learn realm/nonce. */
		if ((code == 401 || code == 438) &&
		    !copy_attr(realm, sizeof(realm), &v, GW_STUN_A_REALM) &&
		    !copy_attr(socks[i].nonce, sizeof(socks[i].nonce), &v, GW_STUN_A_NONCE)) {
			uint8_t k[16];

			gw_stun_longterm_key_md5(k, o.user, realm, o.pass);
			gw_hmac_sha1_key_init(&key, k, sizeof(k));
			if (step == 0)
				socks[i].state = 1;
		} else {
			/* 437: this 5-tuple still has an allocation (a port an
			 * earlier run used): give runs distinct --base-port. */
			if (code == 437 && !n_bad)
				fprintf(stderr, "loadgen: 437 Allocation Mismatch on socket %u\n", i);
			n_bad++;
		}
		return;
	}
	if (v.cls == GW_STUN_SUCCESS && step >= 1)
		socks[i].state = (uint8_t)(step + 1);
}

/* ---- memif (--memif) ---------------------------------------------------------
 * The generator as a DPDK process on the client end of a net_memif link whose
 * server end is the gateway dataplane's port (role=server): no kernel between
 * the two, so the server's CPU is its own code plus its port's copy, about
 * what it spends behind a real NIC (where DMA does the copy). On the veth
 * testbed a sender also pays for the receiver's stack, which caps any server
 * well below what its own code allows (scripts/bench.sh, "own code").
 * The generator plays every party on the link: the clients (UDP source port
 * --base-port + i of --bind), the ARP answers for --bind (the dataplane's
 * gateway, so also its next hop to --peer) and, in turn mode, the echo peer:
 * a frame to --peer goes back with its MAC and IP addresses and UDP ports
 * swapped, which leaves both checksums valid. In rtp mode the parties are
 * the calls file's ports of --bind. */

#define LG_MF_MBUFS 8191

static bool mf_on;                      /* --memif given and the port is up */
static bool mf_eal;                     /* EAL initialised: mf_close() ends it */
static uint16_t mf_port;
static struct rte_mempool *mf_pool;
static bool mf_in_setup;                /* answers go to setup_answer() */
static uint64_t mf_arp, mf_echo, mf_other;
static char mf_rundir[PATH_MAX];        /* EAL's runtime directory */
static uint32_t mf_sock_of[65536];      /* our UDP port -> socket index + 1, 0: none */

/* EAL on the first CPU this process may run on (scripts pin it with
 * taskset), no hugepages (memif copies into its own shared memory), no
 * shared config, and a runtime directory of its own that mf_close()
 * removes. */
static int
mf_open(const char *sock)
{
	struct rte_eth_conf conf = { 0 };
	struct rte_ether_addr mac;
	struct rte_eth_link link;
	static char args[][24] = { "rtcgw_loadgen", "-l", "0", "--no-pci", "--no-huge", "-m",
				   "256", "--no-shconf", "--no-telemetry", "--log-level",
				   "lib.eal:warning", "--file-prefix", "", "--vdev" };
	static char vdev[PATH_MAX + 96];
	char *argv[RTE_DIM(args) + 1];
	cpu_set_t cs;
	int cpu = 0, err;

	if (sched_getaffinity(0, sizeof(cs), &cs) == 0)
		while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &cs))
			cpu++;
	snprintf(args[2], sizeof(args[2]), "%d", cpu);
	/* Its own runtime directory, removed by mf_close(). */
	snprintf(args[12], sizeof(args[12]), "rtcgw-lg-%d", (int)getpid());
	for (size_t i = 0; i < RTE_DIM(args); i++)
		argv[i] = args[i];
	argv[RTE_DIM(args)] = vdev;
	if ((size_t)snprintf(vdev, sizeof(vdev),
			     "net_memif_lg0,role=client,socket=%s,socket-abstract=no,"
			     "rsize=12,mac=02:00:00:00:00:01", sock) >= sizeof(vdev))
		return -ENAMETOOLONG;
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0)
		return -rte_errno;
	mf_eal = true;
	snprintf(mf_rundir, sizeof(mf_rundir), "%s", rte_eal_get_runtime_dir());
	if (rte_eth_dev_get_port_by_name("net_memif_lg0", &mf_port))
		return -ENODEV;
	mf_pool = rte_pktmbuf_pool_create("lg_pool", LG_MF_MBUFS, 256, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (!mf_pool)
		return -rte_errno;
	err = rte_eth_dev_configure(mf_port, 1, 1, &conf);
	err = err ? err : rte_eth_rx_queue_setup(mf_port, 0, 1024, (unsigned)rte_socket_id(),
						 NULL, mf_pool);
	err = err ? err : rte_eth_tx_queue_setup(mf_port, 0, 1024, (unsigned)rte_socket_id(),
						 NULL);
	err = err ? err : rte_eth_dev_start(mf_port);
	err = err ? err : rte_eth_macaddr_get(mf_port, &mac);
	if (err)
		return err;
	memcpy(raw_src_mac, mac.addr_bytes, 6);
	/* The link is up once the server end accepted us: bounded, 5 s. */
	for (int i = 0; i < 500; i++) {
		if (rte_eth_link_get_nowait(mf_port, &link) == 0 && link.link_status) {
			mf_on = true;
			return 0;
		}
		usleep(10000);
	}
	return -ETIMEDOUT;
}

static void
mf_close(void)
{
	if (!mf_eal)
		return;
	if (mf_pool) {
		rte_eth_dev_stop(mf_port);
		rte_eth_dev_close(mf_port);
	}
	rte_eal_cleanup();
	/* --no-shconf leaves it empty; a failed rmdir is not our business. */
	if (mf_rundir[0])
		rmdir(mf_rundir);
}

/* Send n frames (frames[i], len[i] bytes): returns how many went. */
static unsigned int
mf_tx(uint8_t (*frames)[LG_PKT_MAX + 42], const size_t *len, unsigned int n)
{
	struct rte_mbuf *m[LG_BATCH];
	unsigned int k;

	if (rte_pktmbuf_alloc_bulk(mf_pool, m, n))
		return 0;
	for (unsigned int i = 0; i < n; i++)
		rte_memcpy(rte_pktmbuf_append(m[i], (uint16_t)len[i]), frames[i], len[i]);
	k = rte_eth_tx_burst(mf_port, 0, m, (uint16_t)n);
	if (k < n)
		rte_pktmbuf_free_bulk(m + k, n - k);
	return k;
}

/* One received frame: true when it was an answer to one of our packets. */
static bool
mf_frame(struct rte_mbuf *m, struct rte_mbuf **echo, unsigned int *n_echo, uint64_t t)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);
	uint32_t me = ntohl(o.bind.s_addr);
	struct gw_eth_view eth;
	struct gw_ipv4_view ip;
	struct gw_udp_view udp;
	struct gw_arp_view arp;
	bool answered = false;
	unsigned int si;

	if (gw_eth_parse(&eth, p, m->data_len))
		goto other;
	if (eth.ethertype == 0x0806 && !gw_arp_parse(&arp, eth.payload, eth.payload_len) &&
	    arp.op == GW_ARP_OP_REQUEST && arp.tpa == me) {
		uint8_t sha[6];
		uint32_t spa = arp.spa;

		/* The request becomes its answer, in place. */
		memcpy(sha, arp.sha, 6);
		gw_eth_encode(p, sha, raw_src_mac, 0x0806);
		gw_arp_encode(p + 14, GW_ARP_OP_REPLY, raw_src_mac, me, sha, spa);
		echo[(*n_echo)++] = m;
		mf_arp++;
		return false;
	}
	/* The UDP checksum is checked where a frame ends, not at the echo:
	 * what the echo sends back keeps its checksum, the dataplane relays
	 * it on (RFC 1624) and the client's check below covers both legs. */
	if (eth.ethertype != 0x0800 || gw_ipv4_parse(&ip, eth.payload, eth.payload_len) ||
	    ip.proto != GW_IPPROTO_UDP || gw_udp_parse_opt(&udp, &ip, GW_NET_CKSUM_DEFER))
		goto other;
	if (o.mode == LG_TURN && ip.dst == ntohl(o.peer.sin_addr.s_addr) &&
	    udp.dport == ntohs(o.peer.sin_port)) {
		uint8_t tmp[6];
		uint8_t *ih = p + 14, *uh = ih + ip.hdr_len;

		memcpy(tmp, p, 6);
		memcpy(p, p + 6, 6);
		memcpy(p + 6, tmp, 6);
		memcpy(tmp, ih + 12, 4);
		memcpy(ih + 12, ih + 16, 4);
		memcpy(ih + 16, tmp, 4);
		memcpy(tmp, uh, 2);
		memcpy(uh, uh + 2, 2);
		memcpy(uh + 2, tmp, 2);
		echo[(*n_echo)++] = m;
		mf_echo++;
		return false;
	}
	si = mf_sock_of[udp.dport];
	if (ip.dst != me || si == 0 || !gw_udp_cksum_ok(&ip, &udp))
		goto other;
	si--;
	if (mf_in_setup)
		setup_answer(si, udp.payload, udp.payload_len);
	else    /* the mbuf's own bytes: an SDES party unprotects in place */
		answered = take_answer(si, p + (udp.payload - p), udp.payload_len, t);
	rte_pktmbuf_free(m);
	return answered;
other:
	mf_other++;
	rte_pktmbuf_free(m);
	return false;
}

/* Receive, answer ARP, echo what is the peer's; until an answer to one of
 * ours came or timeout_ns passed (0: what is there now). */
static void
mf_poll(uint64_t timeout_ns)
{
	uint64_t t = now_ns(), end = t + timeout_ns;

	for (;; t = now_ns()) {
		struct rte_mbuf *m[LG_BATCH], *echo[LG_BATCH];
		unsigned int n_echo = 0, k;
		uint16_t n = rte_eth_rx_burst(mf_port, 0, m, LG_BATCH);
		bool answered = false;

		for (uint16_t i = 0; i < n; i++)
			answered |= mf_frame(m[i], echo, &n_echo, t);
		k = n_echo ? rte_eth_tx_burst(mf_port, 0, echo, (uint16_t)n_echo) : 0;
		if (k < n_echo)
			rte_pktmbuf_free_bulk(echo + k, n_echo - k);
		if (n == LG_BATCH)
			continue;       /* more may be waiting */
		if (answered || stop || t >= end)
			return;
	}
}

/* Make every allocation; bounded: 10 tries of 500 ms per step. */
static int
turn_setup(void)
{
	uint8_t buf[1][LG_PKT_MAX + 42];
	struct epoll_event ev[64];
	int ep = epoll_create1(0), err = 0;

	mf_in_setup = true;
	for (unsigned int i = 0; i < o.socks && !mf_on; i++) {
		struct epoll_event e = { .events = EPOLLIN, .data.u32 = i };

		epoll_ctl(ep, EPOLL_CTL_ADD, socks[i].fd, &e);
	}
	for (unsigned int target = 1; target <= 4 && !err; target++) {
		for (int tries = 0;; tries++) {
			unsigned int pending = 0;

			for (unsigned int i = 0; i < o.socks; i++) {
				size_t n;

				if (socks[i].state >= target)
					continue;
				pending++;
				n = build_setup(mf_on ? buf[0] + 42 : buf[0], i, socks[i].state);
				if (n && mf_on) {
					n = raw_frame(buf[0], n, i);
					if (mf_tx(buf, &n, 1) != 1)
						n_bad++;
				} else if (n && send(socks[i].fd, buf[0], n, 0) < 0 && errno != EAGAIN) {
					perror("send");
				}
			}
			if (!pending)
				break;
			if (tries == 10 || stop) {
				fprintf(stderr, "loadgen: %u of %u allocations stuck before step %u\n",
					pending, o.socks, target);
				err = -ETIMEDOUT;
				break;
			}
			for (uint64_t end = now_ns() + 500000000u; now_ns() < end;) {
				int k = mf_on ? 0 : epoll_wait(ep, ev, 64, 50);

				if (mf_on)
					mf_poll(50000000u);

				for (int j = 0; j < k; j++) {
					unsigned int i = ev[j].data.u32;
					ssize_t n;

					while ((n = recv(socks[i].fd, buf[0], LG_PKT_MAX, 0)) > 0)
						setup_answer(i, buf[0], (size_t)n);
				}
				pending = 0;
				for (unsigned int i = 0; i < o.socks; i++)
					pending += socks[i].state < target;
				if (!pending)
					break;
			}
		}
	}
	close(ep);
	mf_in_setup = false;
	return err;
}

/* ---- traffic ------------------------------------------------------------- */

static uint8_t txbuf[LG_BATCH][LG_PKT_MAX + 42];
static uint8_t rxbuf[LG_BATCH][LG_PKT_MAX];

static void
drain_sock(unsigned int si, uint64_t t)
{
	int fd = socks[si].fd;
	struct mmsghdr mm[LG_BATCH];
	struct iovec iov[LG_BATCH];
	int n;

	for (int i = 0; i < LG_BATCH; i++) {
		iov[i] = (struct iovec){ rxbuf[i], LG_PKT_MAX };
		mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	for (int rounds = 0; rounds < 64; rounds++) {
		n = recvmmsg(fd, mm, LG_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		for (int i = 0; i < n; i++)
			take_answer(si, rxbuf[i], mm[i].msg_len, t);
		if (n < LG_BATCH)
			return;
	}
}

/* Receive what is ready, waiting up to timeout_ns for the first answer. */
static void
poll_rx(int ep, uint64_t timeout_ns)
{
	struct timespec ts = { (time_t)(timeout_ns / 1000000000u),
			       (long)(timeout_ns % 1000000000u) };
	struct epoll_event ev[256];
	int k;
	uint64_t t;

	if (mf_on) {
		mf_poll(timeout_ns);
		return;
	}
	k = epoll_pwait2(ep, ev, 256, &ts, NULL);
	t = now_ns();

	for (int j = 0; j < k; j++)
		drain_sock(ev[j].data.u32, t);
}

static int
traffic(double *tx_s)
{
	struct mmsghdr mm[LG_BATCH];
	struct iovec iov[LG_BATCH];
	uint64_t t0, end, t, due, stall_t0 = 0;
	unsigned int cur = 0;
	int ep = epoll_create1(0);

	for (unsigned int i = 0; i < o.socks && !mf_on; i++) {
		struct epoll_event e = { .events = EPOLLIN, .data.u32 = i };

		epoll_ctl(ep, EPOLL_CTL_ADD, socks[i].fd, &e);
	}
	t0 = now_ns();
	end = t0 + (uint64_t)(o.duration * 1e9);
	while (!stop && (t = now_ns()) < end) {
		unsigned int n = LG_BATCH;
		bool raw = raw_fd >= 0 || mf_on;
		bool spread = o.mode == LG_RTP && raw, wrapped;
		bool prot[LG_BATCH];
		size_t lens[LG_BATCH];
		int k;

		if (!o.rate && o.window) {
			/* Flat out in a closed loop: the chain's pace, not an
			 * overrun socket's drops, sets the rate. A full window
			 * waits for answers; one that none leaves for
			 * LG_WINDOW_STALL_MS is written off (lost: the run's
			 * sent - received counts them). */
			uint64_t done = n_recv + n_off;
			uint64_t flight = n_sent > done ? n_sent - done : 0;

			if (flight >= o.window) {
				uint64_t r0 = n_recv;

				poll_rx(ep, 1000000u);
				if (n_recv != r0)
					stall_t0 = 0;
				else if (!stall_t0)
					stall_t0 = t;
				else if (t - stall_t0 > LG_WINDOW_STALL_MS * 1000000u) {
					n_off += flight;
					n_stalls++;
					stall_t0 = 0;
				}
				continue;
			}
			stall_t0 = 0;
			if (o.window - flight < n)
				n = (unsigned int)(o.window - flight);
		}
		if (o.rate) {
			due = (uint64_t)((double)(t - t0) * 1e-9 * (double)o.rate);
			if (due <= n_sent) {
				/* Sleep (answers wake us) until the next packet is
				 * due: at a set rate the generator must leave its
				 * CPU to the echo peer and the kernel. */
				uint64_t next = t0 + (uint64_t)((double)(n_sent + 1) * 1e9 /
								(double)o.rate);

				poll_rx(ep, next > t ? next - t : 0);
				continue;
			}
			if (due - n_sent < n)
				n = (unsigned int)(due - n_sent);
		}
		/* One batch on one socket, sockets in turn; rtp through --raw-tx:
		 * one packet per stream, streams in turn, so that every stream
		 * (both directions of every call) gets rate / streams, whatever
		 * the batch sizes the pacing makes. */
		for (unsigned int i = 0; i < n; i++) {
			unsigned int si = spread ? (cur + i) % o.socks : cur;
			uint32_t seq = socks[si].seq++;
			uint8_t *b = raw ? txbuf[i] + 42 : txbuf[i];
			size_t len = o.mode == LG_STUN ? build_binding(b, t, seq) :
				     o.mode == LG_RTP ? build_rtp(b, t, seq, si) :
				     build_turn_data(b, t, seq, (seq % 100) < o.send_pct);

			prot[i] = socks[si].srtp_tx != NULL;
			if (prot[i] && socks[si].ftx) {
				/* txbuf has room for the tag; a sampled packet's
				 * plaintext is kept for libsrtp2's check. */
				uint8_t plain[LG_REF_MAX];
				bool sample = (seq & 63) == 0 && len + LG_SRTP_TAG <= LG_REF_MAX;
				size_t pl = len;

				if (sample)
					memcpy(plain, b, len);
				if (lg_srtp_protect(socks[si].ftx, b, &pl) != 0) {
					fprintf(stderr, "loadgen: lg_srtp_protect failed\n");
					stop = 1;
					n = i;
					break;
				}
				if (sample)
					ref_protect(socks[si].srtp_tx, plain, len, b, pl);
				len = pl;
			} else if (prot[i]) {
				/* txbuf has room for the 10-byte tag. */
				int pl = (int)len;

				if (srtp_protect(socks[si].srtp_tx, b, &pl) != srtp_err_status_ok) {
					fprintf(stderr, "loadgen: srtp_protect failed\n");
					stop = 1;
					n = i;
					break;
				}
				len = (size_t)pl;
			}
			if (raw)
				len = raw_frame(txbuf[i], len, si);
			lens[i] = len;
			iov[i] = (struct iovec){ txbuf[i], len };
			mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		if (mf_on)
			k = (int)mf_tx(txbuf, lens, n);
		else
			k = n ? sendmmsg(raw_fd >= 0 ? raw_fd : socks[cur].fd, mm, n, MSG_DONTWAIT) : 0;
		if (k > 0)
			n_sent += (uint64_t)k;
		for (int i = 0; i < k; i++)
			n_srtp_tx += prot[i];
		/* A socket whose buffer is full is skipped this turn (what
		 * sendmmsg did not take is not sent); its sequence numbers
		 * are not reused, so nothing is miscounted. */
		wrapped = cur + (spread ? n : 1) >= o.socks;
		cur = (cur + (spread ? n : 1)) % o.socks;
		if (wrapped || !o.rate)
			poll_rx(ep, 0);
	}
	*tx_s = (double)(now_ns() - t0) * 1e-9;
	end = now_ns() + (uint64_t)o.drain_ms * 1000000u;
	while (now_ns() < end)
		poll_rx(ep, 10000000u);
	close(ep);
	return 0;
}

/* ---- echo / sink peer -------------------------------------------------------- */

static int
peer_loop(bool echo)
{
	struct mmsghdr mm[LG_BATCH];
	struct iovec iov[LG_BATCH];
	struct sockaddr_in from[LG_BATCH];
	uint64_t end = now_ns() + (uint64_t)(o.duration * 1e9);
	int fd = open_sock(true, 0);

	/* Blocking, so that recvmmsg waits (up to SO_RCVTIMEO) for the first
	 * datagram: on the non-blocking socket open_sock() makes it returned
	 * at once, and the idle peer spun on the generator's core. */
	if (fd < 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		perror("loadgen: listen socket");
		if (fd >= 0)
			close(fd);
		return 1;
	}
	printf("loadgen: %s on %s:%u\n", echo ? "echo" : "sink", inet_ntoa(o.server.sin_addr),
	       ntohs(o.server.sin_port));
	fflush(stdout);
	while (!stop && now_ns() < end) {
		struct timeval tv = { 0, 100000 };
		int n;

		for (int i = 0; i < LG_BATCH; i++) {
			iov[i] = (struct iovec){ rxbuf[i], LG_PKT_MAX };
			mm[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &from[i],
							       .msg_namelen = sizeof(from[i]),
							       .msg_iov = &iov[i], .msg_iovlen = 1 } };
		}
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		n = recvmmsg(fd, mm, LG_BATCH, MSG_WAITFORONE, NULL);
		if (n <= 0)
			continue;
		n_recv += (uint64_t)n;
		if (!echo)
			continue;
		for (int i = 0; i < n; i++)
			iov[i].iov_len = mm[i].msg_len;
		n = sendmmsg(fd, mm, (unsigned int)n, 0);
		if (n > 0)
			n_sent += (uint64_t)n;
	}
	printf("received=%" PRIu64 " echoed=%" PRIu64 "\n", n_recv, n_sent);
	close(fd);
	return 0;
}

/* ---- main ------------------------------------------------------------------- */

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: rtcgw_loadgen --mode stun|turn --server IP:PORT [--bind IP] [--sockets N]\n"
		"                     [--rate PPS | --window N] [--duration S] [--drain MS]\n"
		"                     [--cpu-pid PID] [--base-port P]\n"
		"                     [--raw-tx IFNAME --gw-mac MAC | --memif SOCKET --gw-mac MAC]\n"
		"                     [--peer IP:PORT --user U --pass P --size B --send-pct P]\n"
		"       rtcgw_loadgen --mode echo|sink --listen IP:PORT [--duration S]\n"
		"       rtcgw_loadgen --mode rtp --server PROXY_IP:0 --bind IP --calls FILE\n"
		"                     (a line: A_PORT GW_PORT_FOR_A B_PORT GW_PORT_FOR_B [A_TX_KEY A_RX_KEY])\n"
		"                     [--rate PPS] [--size B] [--duration S] [--cpu-pid PID] [--raw-tx ...]\n"
		"                     [--srtp libsrtp|fast]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "mode", 1, 0, 'm' }, { "server", 1, 0, 's' }, { "listen", 1, 0, 's' },
		{ "bind", 1, 0, 'b' }, { "sockets", 1, 0, 'n' }, { "rate", 1, 0, 'r' },
		{ "duration", 1, 0, 'd' }, { "drain", 1, 0, 'D' }, { "peer", 1, 0, 'p' },
		{ "user", 1, 0, 'u' }, { "pass", 1, 0, 'w' }, { "size", 1, 0, 'l' },
		{ "send-pct", 1, 0, 'S' }, { "cpu-pid", 1, 0, 'c' }, { "base-port", 1, 0, 'B' },
		{ "raw-tx", 1, 0, 'R' }, { "gw-mac", 1, 0, 'M' }, { "calls", 1, 0, 'C' },
		{ "window", 1, 0, 'W' }, { "memif", 1, 0, 'F' }, { "srtp", 1, 0, 'T' },
		{ 0, 0, 0, 0 },
	};
	double tx_s = 0, setup_s = 0, c0, c1, c2;
	bool have_server = false;
	int c, rc = 1;
	uint64_t t;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!strcmp(optarg, "stun"))
				o.mode = LG_STUN;
			else if (!strcmp(optarg, "turn"))
				o.mode = LG_TURN;
			else if (!strcmp(optarg, "echo"))
				o.mode = LG_ECHO;
			else if (!strcmp(optarg, "sink"))
				o.mode = LG_SINK;
			else if (!strcmp(optarg, "rtp"))
				o.mode = LG_RTP;
			else
				usage();
			break;
		case 's': if (parse_addr(&o.server, optarg)) usage(); have_server = true; break;
		case 'p': if (parse_addr(&o.peer, optarg)) usage(); break;
		case 'b': if (inet_pton(AF_INET, optarg, &o.bind) != 1) usage(); break;
		case 'n': o.socks = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'r': o.rate = strtoull(optarg, NULL, 0); break;
		case 'W': o.window = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'd': o.duration = strtod(optarg, NULL); break;
		case 'D': o.drain_ms = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'u': o.user = optarg; break;
		case 'w': o.pass = optarg; break;
		case 'l': o.size = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'R': o.raw_if = optarg; break;
		case 'F': o.memif = optarg; break;
		case 'C': o.calls = optarg; break;
		case 'T':
			if (!strcmp(optarg, "fast"))
				o.fast_srtp = true;
			else if (strcmp(optarg, "libsrtp"))
				usage();
			break;
		case 'M':
			if (sscanf(optarg, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &o.gw_mac[0], &o.gw_mac[1],
				   &o.gw_mac[2], &o.gw_mac[3], &o.gw_mac[4], &o.gw_mac[5]) != 6)
				usage();
			break;
		case 'B': o.base_port = (unsigned int)strtoul(optarg, NULL, 0); break;
		case 'c': o.cpu_pid = atoi(optarg); break;
		case 'S': o.send_pct = (unsigned int)strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (!have_server || o.socks < 1 || o.socks > LG_MAX_SOCKS || o.duration <= 0 ||
	    o.duration > 3600 || o.size < 16 || o.size > 1200 || o.send_pct > 100 ||
	    (o.mode == LG_TURN && !o.peer.sin_port) || (o.mode == LG_RTP && !o.calls) ||
	    (o.window && o.rate) || o.window > 1000000 ||
	    (o.memif && o.raw_if) ||
	    (o.base_port && o.base_port + o.socks > 65536) || ((o.raw_if || o.memif) && !o.gw_mac[0] &&
	    !o.gw_mac[1] && !o.gw_mac[2] && !o.gw_mac[3] && !o.gw_mac[4] && !o.gw_mac[5]))
		usage();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (o.mode == LG_ECHO || o.mode == LG_SINK)
		return peer_loop(o.mode == LG_ECHO);

	socks = calloc(o.mode == LG_RTP ? LG_MAX_SOCKS : o.socks, sizeof(*socks));
	if (!socks)
		return 1;
	if (o.mode == LG_RTP && load_calls()) {
		srtp_free_all();
		free(socks);
		return 1;
	}
	if (o.memif && !o.base_port)
		o.base_port = 20000;
	for (unsigned int i = 0; i < o.socks && o.memif; i++) {
		/* no socket: port base_port + i on the link, or the calls file's */
		socks[i].fd = -1;
		if (o.mode != LG_RTP)
			socks[i].port = (uint16_t)(o.base_port + i);
		if (mf_sock_of[socks[i].port]) {
			fprintf(stderr, "loadgen: port %u twice\n", socks[i].port);
			goto out;
		}
		mf_sock_of[socks[i].port] = i + 1;
	}
	for (unsigned int i = 0; i < o.socks && !o.memif; i++) {
		struct sockaddr_in sa;
		socklen_t sl = sizeof(sa);

		socks[i].fd = open_sock(false, i);
		if (socks[i].fd < 0 || getsockname(socks[i].fd, (struct sockaddr *)&sa, &sl)) {
			perror("loadgen: socket");
			goto out;
		}
		socks[i].port = ntohs(sa.sin_port);
	}
	if (o.raw_if) {
		int err = raw_open();

		if (err) {
			fprintf(stderr, "loadgen: AF_PACKET on %s: %s\n", o.raw_if, strerror(-err));
			goto out;
		}
	}
	if (o.memif) {
		int err = mf_open(o.memif);

		if (err) {
			fprintf(stderr, "loadgen: memif %s: %s\n", o.memif, strerror(-err));
			goto out;
		}
	}
	t = now_ns();
	c0 = cpu_seconds(o.cpu_pid);
	if (o.mode == LG_TURN && turn_setup())
		goto out;
	setup_s = (double)(now_ns() - t) * 1e-9;
	c1 = cpu_seconds(o.cpu_pid);
	traffic(&tx_s);
	c2 = cpu_seconds(o.cpu_pid);
	if (o.cpu_pid && (c0 < 0 || c2 < 0)) {
		fprintf(stderr, "loadgen: server pid %d gone\n", o.cpu_pid);
		goto out;
	}
	printf("sent=%" PRIu64 " received=%" PRIu64 " lost=%" PRIu64 " loss_pct=%.3f"
	       " tx_pps=%.0f rx_pps=%.0f p50_us=%.0f p99_us=%.0f bad=%" PRIu64
	       " setup_s=%.3f setup_cpu_s=%.3f cpu_s=%.3f",
	       n_sent, n_recv, n_sent > n_recv ? n_sent - n_recv : 0,
	       n_sent ? 100.0 * (double)(n_sent > n_recv ? n_sent - n_recv : 0) / (double)n_sent : 0,
	       (double)n_sent / tx_s, (double)n_recv / tx_s, percentile(0.5), percentile(0.99),
	       n_bad, setup_s, c1 - c0, c2 - c1);
	/* Same line: the scripts read one key=value line. */
	if (o.window)
		printf(" window=%u window_stalls=%" PRIu64, o.window, n_stalls);
	if (mf_on)
		printf(" memif_arp=%" PRIu64 " memif_echoed=%" PRIu64 " memif_other=%" PRIu64,
		       mf_arp, mf_echo, mf_other);
	if (any_srtp)
		printf(" srtp_tx=%" PRIu64 " srtp_rx=%" PRIu64 " srtp_auth_fail=%" PRIu64
		       " srtp_fail=%" PRIu64, n_srtp_tx, n_srtp_rx, n_srtp_auth_fail, n_srtp_fail);
	if (any_srtp && o.fast_srtp)
		printf(" srtp_ref=%" PRIu64 " srtp_ref_bad=%" PRIu64, n_srtp_ref, n_srtp_ref_bad);
	printf("\n");
	rc = 0;
out:
	for (unsigned int i = 0; i < o.socks && socks[i].fd; i++)
		if (socks[i].fd > 0)
			close(socks[i].fd);
	mf_close();
	srtp_free_all();
	free(socks);
	if (raw_fd >= 0)
		close(raw_fd);
	return rc;
}
