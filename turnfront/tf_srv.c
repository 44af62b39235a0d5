#include "tf_srv.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include "stream.h"
#include "tf_log.h"
#include "tf_ring.h"

#define MAX_LISTEN     (4 * GW_CONF_MAX_LISTEN)   /* plain and TLS, IPv4 and IPv6 */
#define LISTEN_TAG     (1ull << 63)
#define EVENTS         256
#define ACCEPT_BURST   64
#define READ_ROUNDS    16      /* reads per connection per event: fairness */
#define RX_EXTRA       8192    /* read-ahead beyond one whole message */
#define SLOT_BITS      20      /* conn id: generation << SLOT_BITS | slot + 1 */

struct listener {
	int fd;
	uint16_t port;
	bool tls;
	bool v6;
};

struct conn {
	int fd;                       /* -1: free slot */
	uint32_t id;
	uint32_t ip, lip;               /* IPv4; for IPv6, ip is the /64's key (limits) */
	uint16_t port, lport;
	bool v6;
	uint8_t ip6[16], lip6[16];
	uint16_t gen;
	bool tls;
	bool hs;                      /* TLS handshake not done yet */
	bool got_msg;                 /* a whole message arrived (plain TCP's "handshake") */
	bool out_armed;               /* EPOLLOUT registered */
	bool again;                   /* TLS bytes left in OpenSSL after the read rounds */
	SSL *ssl;
	uint64_t t_open, t_rx, t_full;     /* ms; t_full: first drop since progress, 0 none */
	struct gw_stream rx;
	uint8_t *rxbuf;
	uint8_t *tx;
	size_t txh, txn;              /* pending bytes: tx[txh .. txh + txn) */
	uint32_t ip_next;             /* per-address chain: slot + 1, 0 ends */
	uint32_t free_next;
};

struct tf_srv {
	struct tf_srv_params p;
	int ep;
	struct listener ls[MAX_LISTEN];
	unsigned n_ls;
	struct conn *c;
	uint32_t n_conns;
	uint32_t free_head;           /* slot + 1, 0: none */
	uint32_t *bucket;             /* per-address chains: slot + 1 */
	uint32_t bucket_mask;
	uint32_t seed;
	uint32_t *again;              /* slots with c->again */
	uint32_t n_again;
	uint64_t now;
};

/* ---- addresses and limits --------------------------------------------------------- */

static uint32_t
ip_bucket(const struct tf_srv *s, uint32_t ip)
{
	return ((ip ^ s->seed) * 2654435761u) >> 7 & s->bucket_mask;
}

static uint32_t
ip_count(const struct tf_srv *s, uint32_t ip, bool v6)
{
	uint32_t n = 0;

	for (uint32_t k = s->bucket[ip_bucket(s, ip)]; k != 0; k = s->c[k - 1].ip_next)
		n += s->c[k - 1].ip == ip && s->c[k - 1].v6 == v6;
	return n;
}

static void
ip_link(struct tf_srv *s, uint32_t slot)
{
	uint32_t *b = &s->bucket[ip_bucket(s, s->c[slot].ip)];

	s->c[slot].ip_next = *b;
	*b = slot + 1;
}

static void
ip_unlink(struct tf_srv *s, uint32_t slot)
{
	uint32_t *k = &s->bucket[ip_bucket(s, s->c[slot].ip)];

	while (*k != 0 && *k != slot + 1)
		k = &s->c[*k - 1].ip_next;
	if (*k != 0)
		*k = s->c[slot].ip_next;
}

/* ---- connections -------------------------------------------------------------------- */

static void
hdr_of(const struct conn *c, struct gw_ipc_strm *h, uint8_t type)
{
	memset(h, 0, sizeof(*h));
	h->conn = c->id;
	h->client_ip = c->ip;
	h->server_ip = c->lip;
	h->client_port = c->port;
	h->server_port = c->lport;
	h->type = type;
	h->flags = c->tls ? GW_IPC_STRM_F_TLS : 0;
	if (c->v6) {
		h->flags |= GW_IPC_STRM_F_IPV6;
		h->client_ip = h->server_ip = 0;
		memcpy(h->client_ip6, c->ip6, 16);
		memcpy(h->server_ip6, c->lip6, 16);
	}
}

/* The per-address limit's key of an IPv6 client: its /64 (one subscriber's
 * prefix) folded to 32 bits (FNV-1a). Keys of the two families never mix:
 * ip_count compares the family too. */
static uint32_t
key6(const uint8_t *a)
{
	uint32_t k = 2166136261u;

	for (unsigned i = 0; i < 8; i++)
		k = (k ^ a[i]) * 16777619u;
	return k;
}

static void
set_out(struct tf_srv *s, struct conn *c, bool on)
{
	struct epoll_event ev = { .events = EPOLLIN | (on ? EPOLLOUT : 0),
				  .data.u64 = (uint64_t)(c - s->c) };

	if (c->out_armed == on)
		return;
	if (epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->out_armed = on;
}

/* Close c; why: the counter that says why (or GW_FRONT_CNT_MAX: the client did). */
static void
conn_close(struct tf_srv *s, struct conn *c, unsigned why)
{
	uint32_t slot = (uint32_t)(c - s->c);
	struct gw_ipc_strm h;

	if (c->fd < 0)
		return;
	/* its allocation goes with it (RFC 8656: the 5-tuple is gone) */
	hdr_of(c, &h, GW_IPC_STRM_CLOSE);
	(void)tf_ring_put(&h, NULL, 0);
	if (why < GW_FRONT_CNT_MAX)
		tf_cnt[why]++;
	TF_CNT(CLOSED);
	if (c->ssl != NULL) {
		if (!c->hs)
			(void)SSL_shutdown(c->ssl);    /* close_notify, best effort */
		SSL_free(c->ssl);
		ERR_clear_error();
	}
	close(c->fd);                              /* also leaves the epoll set */
	free(c->rxbuf);
	free(c->tx);
	ip_unlink(s, slot);
	c->fd = -1;
	c->ssl = NULL;
	c->rxbuf = c->tx = NULL;
	c->again = false;
	c->gen = (uint16_t)((c->gen + 1) & 0xfff);
	if (c->gen == 0)
		c->gen = 1;
	c->free_next = s->free_head;
	s->free_head = slot + 1;
	s->n_conns--;
	tf_ring_set_conns(s->n_conns);
}

/* Write up to n bytes: bytes written, -EAGAIN (would block), or -1 (broken). */
static ssize_t
raw_write(struct tf_srv *s, struct conn *c, const uint8_t *p, size_t n)
{
	ssize_t w;

	if (c->ssl == NULL) {
		w = send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w >= 0)
			return w;
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -EAGAIN : -1;
	}
	w = SSL_write(c->ssl, p, (int)n);
	if (w > 0)
		return w;
	switch (SSL_get_error(c->ssl, (int)w)) {
	case SSL_ERROR_WANT_WRITE:
	case SSL_ERROR_WANT_READ:
		return -EAGAIN;
	default:
		(void)s;
		ERR_clear_error();
		return -1;
	}
}

/* Send what waits in c's buffer. False when c was closed. */
static bool
conn_flush(struct tf_srv *s, struct conn *c)
{
	while (c->txn > 0) {
		ssize_t w = raw_write(s, c, c->tx + c->txh, c->txn);

		if (w == -EAGAIN) {
			set_out(s, c, true);
			return true;
		}
		if (w < 0) {
			conn_close(s, c, c->tls ? GW_FRONT_CNT_TLS_FAIL : GW_FRONT_CNT_MAX);
			return false;
		}
		c->txh += (size_t)w;
		c->txn -= (size_t)w;
		c->t_full = 0;                /* it reads: not stalled */
	}
	c->txh = 0;
	set_out(s, c, false);
	return true;
}

void
tf_srv_deliver(const struct gw_ipc_strm *h, const uint8_t *msg, void *srv)
{
	struct tf_srv *s = srv;
	uint32_t slot = (h->conn & ((1u << SLOT_BITS) - 1)) - 1;
	struct conn *c;
	size_t len = h->len, done = 0;

	if (h->type != GW_IPC_STRM_MSG || slot >= s->p.max_conns) {
		TF_CNT(DROP_NO_CONN);
		return;
	}
	c = &s->c[slot];
	if (c->fd < 0 || c->id != h->conn || c->hs) {
		TF_CNT(DROP_NO_CONN);
		return;
	}
	if (c->txn == 0) {
		ssize_t w;

		if (len > s->p.send_buffer) {
			TF_CNT(DROP_SEND_BUF);
			return;
		}
		/* nothing queued: straight to the socket, the rest (if any) queued */
		w = raw_write(s, c, msg, len);
		if (w < 0 && w != -EAGAIN) {
			conn_close(s, c, c->tls ? GW_FRONT_CNT_TLS_FAIL : GW_FRONT_CNT_MAX);
			return;
		}
		done = w > 0 ? (size_t)w : 0;
		if (done == len)
			goto sent;
		c->txh = 0;
		memcpy(c->tx, msg + done, len - done);
		c->txn = len - done;
		set_out(s, c, true);
		goto sent;
	}
	if (c->txh + c->txn + len > s->p.send_buffer) {
		memmove(c->tx, c->tx + c->txh, c->txn);
		c->txh = 0;
	}
	if (c->txn + len > s->p.send_buffer) {
		/* never a partial message: the stream would lose its framing */
		TF_CNT(DROP_SEND_BUF);
		if (c->t_full == 0)
			c->t_full = s->now;
		return;
	}
	memcpy(c->tx + c->txh + c->txn, msg, len);
	c->txn += len;
sent:
	TF_CNT(MSGS_OUT);
	TF_CNT_ADD(BYTES_OUT, len);
}

/* Cut what arrived into messages for the dataplane. False when c was closed. */
static bool
conn_messages(struct tf_srv *s, struct conn *c)
{
	struct gw_ipc_strm h;
	const uint8_t *msg;
	size_t len;
	int k;

	hdr_of(c, &h, GW_IPC_STRM_MSG);
	while ((k = gw_stream_next(&c->rx, &msg, &len)) > 0) {
		c->got_msg = true;
		if (tf_ring_put(&h, msg, len)) {
			TF_CNT(MSGS_IN);
			TF_CNT_ADD(BYTES_IN, len);
		}
	}
	if (k < 0) {
		if (c->v6)
			TF_DEBUG("connection %08x (IPv6) port %u: not STUN/ChannelData framing "
				 "(%s): closed", c->id, c->port, strerror(-k));
		else
			TF_DEBUG("connection %08x from %u.%u.%u.%u:%u: not STUN/ChannelData "
				 "framing (%s): closed", c->id, c->ip >> 24, c->ip >> 16 & 255,
				 c->ip >> 8 & 255, c->ip & 255, c->port, strerror(-k));
		conn_close(s, c, GW_FRONT_CNT_BAD_FRAME);
		return false;
	}
	return true;
}

/* Read what the socket has (bounded), pass it on. False when c was closed. */
static bool
conn_read(struct tf_srv *s, struct conn *c)
{
	c->again = false;
	for (int round = 0; round < READ_ROUNDS; round++) {
		uint8_t *p;
		size_t space = gw_stream_space(&c->rx, &p);
		ssize_t n;

		if (c->ssl != NULL) {
			n = SSL_read(c->ssl, p, (int)space);
			if (n <= 0) {
				switch (SSL_get_error(c->ssl, (int)n)) {
				case SSL_ERROR_WANT_READ:
					return true;
				case SSL_ERROR_WANT_WRITE:
					set_out(s, c, true);
					return true;
				case SSL_ERROR_ZERO_RETURN:
					conn_close(s, c, GW_FRONT_CNT_MAX);
					return false;
				default:
					ERR_clear_error();
					conn_close(s, c, GW_FRONT_CNT_TLS_FAIL);
					return false;
				}
			}
		} else {
			n = recv(c->fd, p, space, MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
				       errno != EINTR)) {
				conn_close(s, c, GW_FRONT_CNT_MAX);
				return false;
			}
			if (n < 0)
				return true;
		}
		gw_stream_commit(&c->rx, (size_t)n);
		c->t_rx = s->now;
		if (!conn_messages(s, c))
			return false;
		if (c->ssl == NULL && (size_t)n < space)
			return true;          /* the socket is drained */
	}
	/* more may wait: TLS bytes already decrypted are invisible to epoll */
	if (c->ssl != NULL && SSL_pending(c->ssl) > 0 && !c->again) {
		c->again = true;
		s->again[s->n_again++] = (uint32_t)(c - s->c);
	}
	return true;
}

/* Drive the TLS handshake. False when c was closed. */
static bool
conn_handshake(struct tf_srv *s, struct conn *c)
{
	int r = SSL_do_handshake(c->ssl);

	if (r == 1) {
		c->hs = false;
		TF_CNT(TLS_HANDSHAKES);
		set_out(s, c, c->txn > 0);
		return true;
	}
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		set_out(s, c, false);
		return true;
	case SSL_ERROR_WANT_WRITE:
		set_out(s, c, true);
		return true;
	default:
		ERR_clear_error();
		conn_close(s, c, GW_FRONT_CNT_TLS_FAIL);
		return false;
	}
}

static void
conn_event(struct tf_srv *s, struct conn *c, uint32_t ev)
{
	if (c->fd < 0)
		return;
	if (c->hs) {
		if (!conn_handshake(s, c) || c->hs)
			return;
	}
	if ((ev & EPOLLOUT) && !conn_flush(s, c))
		return;
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLOUT))
		(void)conn_read(s, c);
}

static void
do_accept(struct tf_srv *s, const struct listener *l)
{
	for (int i = 0; i < ACCEPT_BURST; i++) {
		struct sockaddr_storage peer, local;
		socklen_t pl = sizeof(peer), ll = sizeof(local);
		int fd = accept4(l->fd, (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = { .events = EPOLLIN };
		const struct sockaddr_in6 *p6 = (const struct sockaddr_in6 *)&peer;
		const struct sockaddr_in *p4 = (const struct sockaddr_in *)&peer;
		uint32_t slot, ip;
		struct conn *c;
		int one = 1;

		if (fd < 0)
			return;
		ip = l->v6 ? key6(p6->sin6_addr.s6_addr) : ntohl(p4->sin_addr.s_addr);
		if (s->n_conns >= s->p.max_conns || s->free_head == 0) {
			TF_CNT(REFUSED_LIMIT);
			close(fd);
			continue;
		}
		if (ip_count(s, ip, l->v6) >= s->p.max_per_ip) {
			TF_CNT(REFUSED_PER_IP);
			close(fd);
			continue;
		}
		if (getsockname(fd, (struct sockaddr *)&local, &ll) != 0) {
			close(fd);
			continue;
		}
		slot = s->free_head - 1;
		c = &s->c[slot];
		c->rxbuf = malloc(s->p.max_msg + 3 + RX_EXTRA);
		c->tx = malloc(s->p.send_buffer);
		if (c->rxbuf == NULL || c->tx == NULL) {
			free(c->rxbuf);
			free(c->tx);
			c->rxbuf = c->tx = NULL;
			TF_CNT(REFUSED_LIMIT);
			close(fd);
			continue;
		}
		if (l->tls) {
			c->ssl = SSL_new(s->p.tls);
			if (c->ssl == NULL || SSL_set_fd(c->ssl, fd) != 1) {
				SSL_free(c->ssl);
				c->ssl = NULL;
				free(c->rxbuf);
				free(c->tx);
				c->rxbuf = c->tx = NULL;
				ERR_clear_error();
				TF_CNT(TLS_FAIL);
				close(fd);
				continue;
			}
			SSL_set_accept_state(c->ssl);
		}
		s->free_head = c->free_next;
		c->fd = fd;
		c->id = (uint32_t)c->gen << SLOT_BITS | (slot + 1);
		c->ip = ip;
		c->v6 = l->v6;
		if (l->v6) {
			c->port = ntohs(p6->sin6_port);
			memcpy(c->ip6, p6->sin6_addr.s6_addr, 16);
			memcpy(c->lip6, ((const struct sockaddr_in6 *)&local)->sin6_addr.s6_addr, 16);
			c->lip = 0;
		} else {
			c->port = ntohs(p4->sin_port);
			c->lip = ntohl(((const struct sockaddr_in *)&local)->sin_addr.s_addr);
		}
		c->lport = l->port;
		c->tls = l->tls;
		c->hs = l->tls;
		c->got_msg = false;
		c->out_armed = false;
		c->again = false;
		c->t_open = c->t_rx = s->now;
		c->t_full = 0;
		c->txh = c->txn = 0;
		gw_stream_init(&c->rx, c->rxbuf, s->p.max_msg + 3 + RX_EXTRA, s->p.max_msg);
		ip_link(s, slot);
		/* media over TCP: each message out at once, no Nagle delay */
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		ev.data.u64 = slot;
		if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
			s->n_conns++;
			conn_close(s, c, GW_FRONT_CNT_MAX);
			continue;
		}
		s->n_conns++;
		tf_ring_set_conns(s->n_conns);
		TF_CNT(ACCEPTED);
	}
}

/* ---- the loop ------------------------------------------------------------------------- */

int
tf_srv_run(struct tf_srv *s, int timeout_ms, uint64_t now_ms)
{
	struct epoll_event ev[EVENTS];
	uint32_t again[64];
	unsigned n_again = 0;
	int n;

	s->now = now_ms;
	/* connections with decrypted bytes left from the last round go first */
	while (s->n_again > 0 && n_again < 64)
		again[n_again++] = s->again[--s->n_again];
	for (unsigned i = 0; i < n_again; i++)
		if (s->c[again[i]].fd >= 0 && s->c[again[i]].again)
			(void)conn_read(s, &s->c[again[i]]);
	n = epoll_wait(s->ep, ev, EVENTS, n_again > 0 || s->n_again > 0 ? 0 : timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		uint64_t d = ev[i].data.u64;

		if (d & LISTEN_TAG)
			do_accept(s, &s->ls[d & 0xff]);
		else
			conn_event(s, &s->c[d], ev[i].events);
	}
	return n + (int)n_again;
}

void
tf_srv_tick(struct tf_srv *s, uint64_t now_ms)
{
	s->now = now_ms;
	for (uint32_t i = 0; i < s->p.max_conns; i++) {
		struct conn *c = &s->c[i];

		if (c->fd < 0)
			continue;
		if ((c->hs || !c->got_msg) && now_ms - c->t_open > s->p.handshake_ms)
			conn_close(s, c, GW_FRONT_CNT_HANDSHAKE_TIMEOUT);
		else if (now_ms - c->t_rx > s->p.idle_ms)
			conn_close(s, c, GW_FRONT_CNT_IDLE_TIMEOUT);
		else if (c->t_full != 0 && now_ms - c->t_full > s->p.stall_ms)
			conn_close(s, c, GW_FRONT_CNT_STALLED);
	}
}

uint32_t
tf_srv_conns(const struct tf_srv *s)
{
	return s->n_conns;
}

/* ---- set-up ------------------------------------------------------------------------------ */

static int
listen_on(struct tf_srv *s, uint16_t port, bool tls, bool v6, char *err, size_t errlen)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(s->p.addr) };
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct epoll_event ev = { .events = EPOLLIN };
	struct listener *l = &s->ls[s->n_ls];
	int one = 1, fd, e;

	memcpy(a6.sin6_addr.s6_addr, s->p.addr6, 16);
	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (v6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	/* IPV6_FREEBIND: the exception interface's IPv6 address may still be
	 * settling when the front starts */
	if (v6)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	if ((v6 ? bind(fd, (struct sockaddr *)&a6, sizeof(a6)) :
		  bind(fd, (struct sockaddr *)&a, sizeof(a))) != 0 || listen(fd, 1024) != 0)
		goto fail;
	ev.data.u64 = LISTEN_TAG | s->n_ls;
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) != 0)
		goto fail;
	l->fd = fd;
	l->port = port;
	l->tls = tls;
	l->v6 = v6;
	s->n_ls++;
	return 0;
fail:
	e = errno;
	snprintf(err, errlen, "turn.tcp.%s: cannot listen on %s port %u: %s",
		 tls ? "tls_ports" : "ports", v6 ? "the IPv6 address" : "the IPv4 address", port,
		 strerror(e));
	if (fd >= 0)
		close(fd);
	return -e;
}

int
tf_srv_create(struct tf_srv **out, const struct tf_srv_params *p, char *err, size_t errlen)
{
	struct tf_srv *s = calloc(1, sizeof(*s));
	uint32_t nb = 1;
	int rc = -ENOMEM;

	if (s == NULL)
		goto fail;
	s->p = *p;
	s->ep = -1;
	if (p->max_conns == 0 || p->max_conns >= (1u << SLOT_BITS) || p->max_msg < 64 ||
	    p->send_buffer < p->max_msg + 4 || (p->n_tls_ports > 0 && p->tls == NULL)) {
		snprintf(err, errlen, "bad parameters");
		rc = -EINVAL;
		goto fail;
	}
	while (nb < p->max_conns)
		nb <<= 1;
	s->c = calloc(p->max_conns, sizeof(*s->c));
	s->bucket = calloc(nb, sizeof(*s->bucket));
	s->again = calloc(p->max_conns, sizeof(*s->again));
	if (s->c == NULL || s->bucket == NULL || s->again == NULL) {
		snprintf(err, errlen, "no memory for %u connections", p->max_conns);
		goto fail;
	}
	s->bucket_mask = nb - 1;
	if (getrandom(&s->seed, sizeof(s->seed), 0) != (ssize_t)sizeof(s->seed))
		s->seed = 0x5eed;
	for (uint32_t i = p->max_conns; i-- > 0;) {
		s->c[i].fd = -1;
		s->c[i].gen = 1;
		s->c[i].free_next = s->free_head;
		s->free_head = i + 1;
	}
	s->ep = epoll_create1(EPOLL_CLOEXEC);
	if (s->ep < 0) {
		rc = -errno;
		snprintf(err, errlen, "epoll_create1: %s", strerror(errno));
		goto fail;
	}
	for (int v6 = 0; v6 <= (p->has_addr6 ? 1 : 0); v6++) {
		for (unsigned i = 0; i < p->n_ports; i++)
			if ((rc = listen_on(s, p->ports[i], false, v6, err, errlen)) != 0)
				goto fail;
		for (unsigned i = 0; i < p->n_tls_ports; i++)
			if ((rc = listen_on(s, p->tls_ports[i], true, v6, err, errlen)) != 0)
				goto fail;
	}
	*out = s;
	return 0;
fail:
	tf_srv_free(s);
	return rc;
}

void
tf_srv_free(struct tf_srv *s)
{
	if (s == NULL)
		return;
	for (uint32_t i = 0; s->c != NULL && i < s->p.max_conns; i++)
		conn_close(s, &s->c[i], GW_FRONT_CNT_MAX);
	for (unsigned i = 0; i < s->n_ls; i++)
		close(s->ls[i].fd);
	if (s->ep >= 0)
		close(s->ep);
	free(s->c);
	free(s->bucket);
	free(s->again);
	free(s);
}
