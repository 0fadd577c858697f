/* proxy.c - the built-in reverse proxy's workers (see proxy.h).
 *
 * Each worker thread owns an epoll loop, its client connections and a pool
 * of idle keep-alive connections to real servers.  The workers wait on one
 * listening socket per virtual server (EPOLLEXCLUSIVE), which a reload
 * hands over to the next configuration's workers.  Nothing else is shared
 * between workers but the real servers' atomics (availability, connection
 * counts).
 *
 * Sockets are registered once, edge-triggered, for reading and writing;
 * each side remembers whether it may be read or written, so a turn of the
 * loop makes every possible progress without a wasted system call: a read
 * that returns less than it asked for means the socket is drained (a new
 * edge will come with new data), and a write is attempted as soon as there
 * is something to write.
 *
 * One connection carries one request at a time (pipelined requests wait in
 * the input buffer).  Bodies stream through fixed buffers in both
 * directions, framed by http.c, never buffered whole.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "health.h"
#include "http.h"
#include "caps.h"
#include "log.h"
#include "proxy.h"
#include "px_access.h"

#define BUF_SIZE	16384		/* each direction's buffer */
#define TICK_US		200000		/* timeouts are checked this often */
#define UPSTREAM_IDLE_US 60000000	/* idle pooled connection lifetime */
#define MAX_EVENTS	256
#define DRAIN_MAX_US	60000000	/* a reload waits this long for old
					 * connections at most */
#define DRAIN_IDLE_US	1000000		/* a reload closes a connection idle
					 * this long: one that was idle for
					 * less may have a request on its way */

enum obj_kind { OBJ_LISTENER, OBJ_CLIENT, OBJ_UPSTREAM, OBJ_WAKE, OBJ_DEAD };

/* What an epoll event points to starts with its kind.  A connection closed
 * while handling one event of a batch may have more events further on in
 * the same batch: it is only marked dead (retire()), and freed once the
 * batch is done (bury()). */
struct obj {
	enum obj_kind kind;
	struct obj *next_dead;
};

struct buf {
	char *d;
	uint32_t cap, r, w;		/* bytes [r, w) are pending */
};

struct worker;
struct conn;

struct listener {
	struct obj o;
	int fd;
	struct px_vs *vs;
	size_t vs_index;
};

/* A connection to a real server: in use by one client connection, or idle
 * in the worker's pool. */
struct upconn {
	struct obj o;
	int fd;
	struct px_rs *rs;
	struct conn *owner;		/* NULL while idle */
	struct upconn *next;		/* idle list */
	uint64_t idle_since;
	bool connected, readable, writable, reused;
	bool hup;			/* the peer closed: read until 0 */
	bool eof;			/* ... and 0 was read */
};

enum req_state { RQ_HEAD, RQ_BODY, RQ_DONE };
enum resp_state { RS_IDLE, RS_CONNECTING, RS_HEAD, RS_BODY, RS_DONE };

struct conn {
	struct obj o;
	struct worker *w;
	struct conn *prev, *next;	/* the worker's list, for timeouts */
	int fd;
	struct px_vs *vs;
	size_t vs_index;
	struct sockaddr_storage peer;
	char peer_addr[INET6_ADDRSTRLEN];
	char peer_port[8];
	bool readable, writable, eof, closing;
	bool hup;			/* the client closed its side: read until 0 */
	uint64_t deadline;
	uint64_t idle_since;		/* waiting for a request since then */
	struct conn *next_again;	/* the worker's `again` list */
	bool again;			/* on it */
	unsigned requests;
	uint64_t moved;			/* bytes read, written or copied: a turn
					 * of conn_run that moves none is done */

	struct buf in;			/* from the client */
	struct buf out;			/* to the client */
	struct buf uin;			/* from the upstream */
	struct buf uout;		/* to the upstream */

	/* the request in flight */
	enum req_state rq;
	enum resp_state rs;
	struct http_parser parser;
	struct http_request req;
	struct http_body req_body;
	struct http_response resp;
	struct http_body resp_body;
	bool client_keep_alive;
	bool resp_head_sent;		/* the client has seen a response head */
	bool replayable;		/* uout still holds the whole request */
	uint64_t resp_bytes;
	int status;

	struct upconn *up;
	uint64_t tried;			/* bit per real server already tried */
	unsigned tries;
	struct px_access_rec log;
};

struct worker {
	int index;
	struct px_shared *sh;
	pthread_t thread;
	int ep, wake;
	atomic_bool stop;
	atomic_bool draining;		/* reload: serve what is open, accept nothing */
	atomic_bool done;		/* the thread has left its loop */
	bool listeners_closed;
	uint64_t drain_deadline;
	struct listener *ls;
	size_t nls;
	struct conn *conns;		/* every client connection */
	struct obj *dead;		/* closed during this batch of events */
	struct conn *again;		/* stopped while they could still move:
					 * no edge will come to wake them */
	struct upconn **idle;		/* per real server (flat index): idle list */
	size_t *rs_base;		/* first flat index of each vs */
	unsigned nidle;
	int *wrr_current;		/* smooth weighted round robin, flat index */
	unsigned *rr_next;		/* per vs */
	struct px_access_log alog;
	uint64_t next_tick;
};

struct proxy {
	struct px_shared *sh;
	int *lfd;			/* per virtual server: the listening socket
					 * every worker waits on (EPOLLEXCLUSIVE) */
	struct worker *w;
	int nworkers;
	struct health *health;
};

static uint64_t
mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* ---- buffers -------------------------------------------------------------- */

static bool
buf_alloc(struct buf *b, uint32_t cap)
{
	if (b->d)
		return true;
	b->d = malloc(cap);
	b->cap = b->d ? cap : 0;
	b->r = b->w = 0;
	return b->d != NULL;
}

static uint32_t buf_len(const struct buf *b) { return b->w - b->r; }

/* Room at the end, moving pending bytes to the front when that helps. */
static uint32_t
buf_room(struct buf *b)
{
	if (b->r == b->w)
		b->r = b->w = 0;
	if (b->cap - b->w < b->cap / 4 && b->r) {
		memmove(b->d, b->d + b->r, b->w - b->r);
		b->w -= b->r;
		b->r = 0;
	}
	return b->cap - b->w;
}

static bool
buf_put(struct buf *b, const char *p, size_t n)
{
	if (buf_room(b) < n)
		return false;
	memcpy(b->d + b->w, p, n);
	b->w += (uint32_t)n;
	return true;
}

static void
buf_free(struct buf *b)
{
	free(b->d);
	memset(b, 0, sizeof(*b));
}

/* ---- sockets ------------------------------------------------------------------ */

static void
set_nodelay(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int
ep_add(struct worker *w, int fd, struct obj *o)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
				  .data.ptr = o };
	return epoll_ctl(w->ep, EPOLL_CTL_ADD, fd, &ev);
}

/* Read into B: >0 bytes, 0 on EOF, -EAGAIN when drained, -errno.  HUP:
 * the peer's FIN came with the edge, which will not fire again, so a short
 * read must be followed by another to see the end. */
static ssize_t
read_into(int fd, struct buf *b, bool *readable, bool hup)
{
	uint32_t room = buf_room(b);
	if (!room)
		return -ENOBUFS;
	ssize_t n = recv(fd, b->d + b->w, room, 0);
	if (n > 0) {
		b->w += (uint32_t)n;
		if ((uint32_t)n < room && !hup)
			*readable = false;	/* drained: the next edge brings more */
		return n;
	}
	if (n == 0)
		return 0;
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		*readable = false;
		return -EAGAIN;
	}
	return -errno;
}

/* Write B's pending bytes (counted in *MOVED): 0 when all written or
 * blocked, -errno. */
static int
write_from(int fd, struct buf *b, bool *writable, uint64_t *moved)
{
	while (buf_len(b) && *writable) {
		ssize_t n = send(fd, b->d + b->r, buf_len(b), MSG_NOSIGNAL);
		if (n > 0) {
			b->r += (uint32_t)n;
			*moved += (uint64_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			*writable = false;
			return 0;
		}
		return n < 0 ? -errno : -EPIPE;
	}
	if (!buf_len(b))
		b->r = b->w = 0;
	return 0;
}

/* ---- choosing a real server --------------------------------------------------- */

static size_t
rs_flat(const struct worker *w, const struct conn *c, const struct px_rs *rs)
{
	return w->rs_base[c->vs_index] + (size_t)(rs - c->vs->rs);
}

static bool
rs_candidate(const struct conn *c, size_t i, uint64_t now)
{
	const struct px_rs *rs = &c->vs->rs[i];
	return rs->weight > 0 && !(i < 64 && (c->tried >> i) & 1) &&
	       px_rs_available(rs, now);
}

/* nginx's smooth weighted round robin: every candidate gains its weight,
 * the largest wins and pays the total back. */
static struct px_rs *
pick_wrr(struct worker *w, struct conn *c, uint64_t now, bool weighted)
{
	int *cur = &w->wrr_current[w->rs_base[c->vs_index]];
	int total = 0, best = -1;
	for (size_t i = 0; i < c->vs->nrs; i++) {
		if (!rs_candidate(c, i, now))
			continue;
		int wt = weighted ? c->vs->rs[i].weight : 1;
		cur[i] += wt;
		total += wt;
		if (best < 0 || cur[i] > cur[best])
			best = (int)i;
	}
	if (best < 0)
		return NULL;
	cur[best] -= total;
	return &c->vs->rs[best];
}

/* least connections, weighted: conns/weight smallest (cross-multiplied) */
static struct px_rs *
pick_lc(struct conn *c, uint64_t now, bool weighted)
{
	struct px_rs *best = NULL;
	long long bc = 0, bw = 1;
	for (size_t i = 0; i < c->vs->nrs; i++) {
		if (!rs_candidate(c, i, now))
			continue;
		struct px_rs *rs = &c->vs->rs[i];
		long long conns = atomic_load_explicit(&rs->conns, memory_order_relaxed);
		long long wt = weighted ? rs->weight : 1;
		if (!best || conns * bw < bc * wt) {
			best = rs;
			bc = conns;
			bw = wt;
		}
	}
	return best;
}

/* source hashing: the client address picks a slot of the weight ring;
 * unavailable servers are skipped in ring order */
static struct px_rs *
pick_sh(struct conn *c, uint64_t now)
{
	uint32_t h = 2166136261u;
	const uint8_t *p;
	size_t len;
	if (c->peer.ss_family == AF_INET6) {
		p = ((const struct sockaddr_in6 *)&c->peer)->sin6_addr.s6_addr;
		len = 16;
	} else {
		p = (const uint8_t *)&((const struct sockaddr_in *)&c->peer)->sin_addr;
		len = 4;
	}
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 16777619u;
	long long total = 0;
	for (size_t i = 0; i < c->vs->nrs; i++)
		total += c->vs->rs[i].weight;
	if (total <= 0)
		return NULL;
	long long slot = (long long)(h % (uint64_t)total);
	size_t start = 0;
	for (; start < c->vs->nrs; start++) {
		slot -= c->vs->rs[start].weight;
		if (slot < 0)
			break;
	}
	for (size_t k = 0; k < c->vs->nrs; k++) {
		size_t i = (start + k) % c->vs->nrs;
		if (rs_candidate(c, i, now))
			return &c->vs->rs[i];
	}
	return NULL;
}

static struct px_rs *
pick_rs(struct worker *w, struct conn *c, uint64_t now)
{
	const char *algo = c->vs->cf->lb_algo;
	struct px_rs *rs;
	if (!strcmp(algo, "rr"))
		rs = pick_wrr(w, c, now, false);
	else if (!strcmp(algo, "lc"))
		rs = pick_lc(c, now, false);
	else if (!strcmp(algo, "wlc"))
		rs = pick_lc(c, now, true);
	else if (!strcmp(algo, "sh"))
		rs = pick_sh(c, now);
	else
		rs = pick_wrr(w, c, now, true);
	if (!rs && !c->tries && c->vs->sorry && px_rs_available(c->vs->sorry, now))
		rs = c->vs->sorry;	/* nginx's "backup" server */
	return rs;
}

/* ---- upstream connections ------------------------------------------------------ */

/* Out of the epoll set before the close: a child forked for a script
 * holds a copy of every descriptor until its exec, and while one exists
 * the close alone would leave the registration - and its events - behind. */
static void
ep_forget(struct worker *w, int fd)
{
	epoll_ctl(w->ep, EPOLL_CTL_DEL, fd, NULL);
}

static void
retire(struct worker *w, struct obj *o)
{
	o->kind = OBJ_DEAD;
	o->next_dead = w->dead;
	w->dead = o;
}

static void
bury(struct worker *w)
{
	while (w->dead) {
		struct obj *o = w->dead;
		w->dead = o->next_dead;
		free(o);	/* the object's first member: the whole of it */
	}
}

static void
upconn_close(struct worker *w, struct upconn *u)
{
	if (!u)
		return;
	if (u->owner)
		atomic_fetch_sub_explicit(&u->rs->conns, 1, memory_order_relaxed);
	ep_forget(w, u->fd);
	close(u->fd);
	retire(w, &u->o);
}

/* An idle upstream connection we drop (pool full, too old): nothing is in
 * flight, so a reset is safe, and it leaves no TIME_WAIT behind - under
 * load those would use up the ephemeral ports towards the real servers. */
static void
upconn_drop_idle(struct worker *w, struct upconn *u)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	setsockopt(u->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	upconn_close(w, u);
}

static struct upconn *
pool_take(struct worker *w, struct conn *c, struct px_rs *rs)
{
	if (rs == c->vs->sorry)
		return NULL;
	struct upconn **head = &w->idle[rs_flat(w, c, rs)];
	struct upconn *u;
	while ((u = *head)) {
		*head = u->next;
		u->next = NULL;
		w->nidle--;
		if (!u->readable)
			return u;
		/* an idle connection that heard something is being closed */
		upconn_close(w, u);
	}
	return NULL;
}

static void
pool_put(struct worker *w, struct conn *c, struct upconn *u, uint64_t now)
{
	unsigned cap = c->vs->cf->proxy.upstream_keepalive;
	atomic_fetch_sub_explicit(&u->rs->conns, 1, memory_order_relaxed);
	u->owner = NULL;
	if (u->rs == c->vs->sorry || w->nidle >= cap) {
		upconn_drop_idle(w, u);
		return;
	}
	u->idle_since = now;
	u->reused = true;
	struct upconn **head = &w->idle[rs_flat(w, c, u->rs)];
	u->next = *head;
	*head = u;
	w->nidle++;
}

/* A new non-blocking connection to RS: NULL if the socket call failed at
 * once (ECONNREFUSED on a local address can come back immediately). */
static struct upconn *
upconn_open(struct worker *w, struct px_rs *rs, int *err)
{
	int fd = socket(rs->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	set_nodelay(fd);
	struct upconn *u = calloc(1, sizeof(*u));
	if (!u) {
		close(fd);
		*err = ENOMEM;
		return NULL;
	}
	u->o.kind = OBJ_UPSTREAM;
	u->fd = fd;
	u->rs = rs;
	if (connect(fd, (const struct sockaddr *)&rs->sa, rs->salen) == 0) {
		u->connected = true;
	} else if (errno != EINPROGRESS) {
		*err = errno;
		close(fd);
		free(u);
		return NULL;
	}
	if (ep_add(w, fd, &u->o) < 0) {
		*err = errno;
		close(fd);
		free(u);
		return NULL;
	}
	return u;
}

/* ---- replies of our own ----------------------------------------------------- */

static void
send_error(struct conn *c, int status)
{
	char tmp[1024];
	bool head = c->rq != RQ_HEAD && c->req.method == HTTP_M_HEAD;
	ssize_t n = http_write_error(status, head, tmp, sizeof(tmp));
	c->status = status;
	c->out.r = c->out.w = 0;
	if (n > 0)
		buf_put(&c->out, tmp, (size_t)n);
	c->resp_bytes = 0;
	c->resp_head_sent = true;
	c->closing = true;
	c->rs = RS_DONE;
}

/* ---- forwarding the request ------------------------------------------------- */

/* $variables in proxy_set_header values, as nginx names them */
static size_t
expand_var(const struct conn *c, const char *name, size_t nlen, char *out, size_t cap)
{
	const char *buf = c->in.d + c->in.r;
	const struct http_header *h;
#define IS(s) (nlen == sizeof(s) - 1 && !memcmp(name, s, nlen))
	if (IS("remote_addr"))
		return (size_t)snprintf(out, cap, "%s", c->peer_addr);
	if (IS("remote_port"))
		return (size_t)snprintf(out, cap, "%s", c->peer_port);
	if (IS("scheme"))
		return (size_t)snprintf(out, cap, "http");
	if (IS("server_port"))
		return (size_t)snprintf(out, cap, "%u", c->vs->cf->port);
	if (IS("request_uri"))
		return (size_t)snprintf(out, cap, "%.*s", (int)c->req.target.len,
					buf + c->req.target.off);
	if (IS("http_host") || IS("host")) {
		if (!c->req.has_host)
			return 0;
		size_t len = c->req.host.len;
		const char *p = buf + c->req.host.off;
		if (IS("host")) {
			/* nginx's $host: lower case, without the port */
			const char *colon = p[0] == '[' ? memchr(p, ']', len) : memchr(p, ':', len);
			if (colon && p[0] == '[')
				colon++;
			if (colon && colon < p + len && *colon == ':')
				len = (size_t)(colon - p);
		}
		if (len >= cap)
			return 0;
		for (size_t i = 0; i < len; i++)
			out[i] = (char)((p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i]);
		return len;
	}
	if (IS("proxy_add_x_forwarded_for")) {
		h = http_find_header(&c->req.head, buf, "X-Forwarded-For");
		if (h && h->value.len)
			return (size_t)snprintf(out, cap, "%.*s, %s", (int)h->value.len,
						buf + h->value.off, c->peer_addr);
		return (size_t)snprintf(out, cap, "%s", c->peer_addr);
	}
	if (nlen > 5 && !memcmp(name, "http_", 5)) {
		char hname[128];
		size_t k = 0;
		for (size_t i = 5; i < nlen && k + 1 < sizeof(hname); i++)
			hname[k++] = name[i] == '_' ? '-' : name[i];
		hname[k] = '\0';
		h = http_find_header(&c->req.head, buf, hname);
		if (h && h->value.len < cap) {
			memcpy(out, buf + h->value.off, h->value.len);
			return h->value.len;
		}
		return 0;
	}
#undef IS
	/* unknown: kept as written */
	if (nlen + 1 >= cap)
		return 0;
	out[0] = '$';
	memcpy(out + 1, name, nlen);
	return nlen + 1;
}

static size_t
expand_value(const struct conn *c, const char *v, char *out, size_t cap)
{
	size_t len = 0;
	while (*v && len + 1 < cap) {
		if (*v != '$') {
			out[len++] = *v++;
			continue;
		}
		const char *name = ++v;
		while ((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
		       (*v >= '0' && *v <= '9') || *v == '_')
			v++;
		size_t n = expand_var(c, name, (size_t)(v - name), out + len, cap - len);
		len += n < cap - len ? n : 0;
	}
	out[len] = '\0';
	return len;
}

#define MAX_SET 32

/* Rewrite the request head into uout: the configured headers and
 * Connection: keep-alive to the upstream (the pool reuses it). */
static bool
build_upstream_head(struct conn *c)
{
	const struct cf_proxy *p = &c->vs->cf->proxy;
	struct http_field set[MAX_SET + 1];
	char vals[MAX_SET][512];
	size_t n = 0;
	for (size_t i = 0; i < p->nheaders && n < MAX_SET; i++, n++) {
		size_t len = expand_value(c, p->headers[i].value, vals[n], sizeof(vals[n]));
		set[n] = (struct http_field){ p->headers[i].name, strlen(p->headers[i].name),
					      len ? vals[n] : NULL, len };
	}
	set[n++] = HTTP_FIELD("Connection", "keep-alive");
	buf_room(&c->uout);
	ssize_t len = http_write_request_head(&c->req, c->in.d + c->in.r, NULL, 0, set, n,
					      c->uout.d + c->uout.w, c->uout.cap - c->uout.w);
	if (len < 0)
		return false;
	c->uout.w += (uint32_t)len;
	return true;
}

/* Move request body bytes from the client's buffer to the upstream's. */
static void
pump_request_body(struct conn *c)
{
	if (c->rq != RQ_BODY)
		return;
	uint32_t room = buf_room(&c->uout);
	size_t avail = buf_len(&c->in) < room ? buf_len(&c->in) : room;
	size_t used = 0;
	enum http_result r = http_body_feed(&c->req_body, c->in.d + c->in.r, avail, &used);
	if (r == HTTP_ERROR) {
		if (!c->resp_head_sent)
			send_error(c, 400);
		c->closing = true;
		return;
	}
	if (used) {
		memcpy(c->uout.d + c->uout.w, c->in.d + c->in.r, used);
		c->uout.w += (uint32_t)used;
		c->in.r += (uint32_t)used;
		c->moved += used;
	}
	if (r == HTTP_DONE)
		c->rq = RQ_DONE;
}

/* ---- the request's life ------------------------------------------------------ */

static void conn_run(struct conn *c, uint64_t now);

static void
start_upstream(struct conn *c, uint64_t now)
{
	struct worker *w = c->w;
	const struct cf_proxy *p = &c->vs->cf->proxy;
	unsigned limit = p->next_upstream_tries ? p->next_upstream_tries
						: (unsigned)c->vs->nrs + 1;
	while (c->tries < limit) {
		struct px_rs *rs = pick_rs(w, c, now);
		if (!rs)
			break;
		c->tries++;
		if (rs != c->vs->sorry && (size_t)(rs - c->vs->rs) < 64)
			c->tried |= 1ULL << (rs - c->vs->rs);
		struct upconn *u = pool_take(w, c, rs);
		int err = 0;
		if (!u)
			u = upconn_open(w, rs, &err);
		if (!u) {
			px_rs_failed(rs, now);
			log_detail("proxy: connect to %s failed: %s", rs->name, strerror(err));
			continue;
		}
		u->owner = c;
		atomic_fetch_add_explicit(&rs->conns, 1, memory_order_relaxed);
		c->up = u;
		c->rs = u->connected ? RS_HEAD : RS_CONNECTING;
		c->deadline = now + (u->connected ? p->send_timeout_us : p->connect_timeout_us);
		if (u->connected)
			u->writable = true;
		return;
	}
	log_info("proxy: %s: no live real server for %s", c->vs->name, c->peer_addr);
	send_error(c, 502);
}

/* The upstream failed before the client saw a response: try the next real
 * server if the request can be sent again, else 502/504. */
static void
upstream_failed(struct conn *c, int status, bool count_failure, uint64_t now)
{
	struct upconn *u = c->up;
	bool stale = u && u->reused && !c->resp_bytes;
	struct px_rs *rs = u ? u->rs : NULL;
	if (u) {
		if (count_failure && !stale)
			px_rs_failed(u->rs, now);
		log_detail("proxy: %s: upstream %s failed (%d)", c->vs->name, u->rs->name, status);
		upconn_close(c->w, u);
		c->up = NULL;
	}
	if (c->resp_head_sent) {
		c->closing = true;	/* what is queued still goes out */
		return;
	}
	if (c->replayable) {
		c->uout.r = 0;
		if (stale && c->tries)
			c->tries--;	/* a dead pooled connection is not a try */
		if (stale && rs != c->vs->sorry && (size_t)(rs - c->vs->rs) < 64)
			c->tried &= ~(1ULL << (rs - c->vs->rs));
		c->rs = RS_IDLE;
		start_upstream(c, now);
		return;
	}
	send_error(c, status);
}

static void
access_log(struct conn *c)
{
	if (!c->w->alog.fd_valid || !c->vs->cf->proxy.access_log)
		return;
	px_access_write(&c->w->alog, &c->log, c->peer_addr, c->status, c->resp_bytes);
}

/* The response is complete: recycle the upstream, ready the next request. */
static void
finish_request(struct conn *c, uint64_t now)
{
	const struct cf_proxy *p = &c->vs->cf->proxy;
	if (c->up) {
		bool reusable = c->resp.head.keep_alive && c->rq == RQ_DONE &&
				c->resp_body.kind != HTTP_BODY_UNTIL_CLOSE;
		if (reusable) {
			px_rs_succeeded(c->up->rs);
			pool_put(c->w, c, c->up, now);
		} else {
			upconn_close(c->w, c->up);
		}
		c->up = NULL;
	}
	access_log(c);
	c->requests++;
	/* not on a reload alone: a client told "keep-alive" may be sending
	 * its next request already (drain_step() and the next response's
	 * "close" see to it) */
	if (!c->client_keep_alive || c->rq != RQ_DONE || c->requests >= p->keepalive_requests) {
		c->closing = true;
		return;
	}
	/* the next request, maybe already in the buffer (pipelining) */
	c->rq = RQ_HEAD;
	c->rs = RS_IDLE;
	c->tries = 0;
	c->tried = 0;
	c->resp_bytes = 0;
	c->resp_head_sent = false;
	c->status = 0;
	c->uout.r = c->uout.w = 0;
	c->uin.r = c->uin.w = 0;
	http_parser_init(&c->parser, NULL);
	c->parser.limits.max_head = p->max_header_size;
	c->deadline = now + (buf_len(&c->in) ? p->client_timeout_us : p->keepalive_timeout_us);
	c->idle_since = now;
}

/* A request head is complete: choose where it goes. */
static void
request_ready(struct conn *c, uint64_t now)
{
	const struct http_head *h = &c->req.head;
	c->client_keep_alive = h->keep_alive;
	if (c->vs->cf->proxy.access_log)
		px_access_capture(&c->log, &c->req, c->in.d + c->in.r);
	if (!build_upstream_head(c)) {
		send_error(c, 431);
		return;
	}
	c->in.r += h->head_len;
	http_parser_init(&c->parser, NULL);	/* from now on: the response's */
	http_body_init(&c->req_body, h->body, h->content_length);
	c->rq = RQ_BODY;
	pump_request_body(c);
	if (c->closing)
		return;		/* malformed body: 400, and no real server saw it */
	/* the whole request fits in uout: it can be sent again elsewhere */
	c->replayable = c->rq == RQ_DONE;
	start_upstream(c, now);
}

static void
parse_request(struct conn *c, uint64_t now)
{
	if (c->rq != RQ_HEAD || !buf_len(&c->in))
		return;
	if (c->in.r) {
		/* the parser wants the head at the buffer's start */
		memmove(c->in.d, c->in.d + c->in.r, buf_len(&c->in));
		c->in.w -= c->in.r;
		c->in.r = 0;
	}
	if (c->deadline > now + c->vs->cf->proxy.client_timeout_us)
		c->deadline = now + c->vs->cf->proxy.client_timeout_us;
	enum http_result r = http_parse_request(&c->parser, &c->req, c->in.d, c->in.w);
	if (r == HTTP_ERROR) {
		log_detail("proxy: %s: bad request from %s: %s", c->vs->name, c->peer_addr,
			   c->parser.error ? c->parser.error : "");
		send_error(c, c->parser.status);
	} else if (r == HTTP_DONE) {
		request_ready(c, now);
	} else if (buf_room(&c->in) == 0) {
		/* the head outgrew the buffer: grow up to the configured limit */
		uint32_t cap = c->in.cap * 2;
		char *d = cap <= c->vs->cf->proxy.max_header_size + BUF_SIZE
			  ? realloc(c->in.d, cap) : NULL;
		if (!d) {
			send_error(c, 431);
			return;
		}
		c->in.d = d;
		c->in.cap = cap;
	}
}

/* Move response bytes from the upstream's buffer to the client's. */
static void
pump_response(struct conn *c, uint64_t now)
{
	const struct cf_proxy *p = &c->vs->cf->proxy;
	while (c->rs == RS_HEAD && buf_len(&c->uin)) {
		if (c->uin.r) {
			memmove(c->uin.d, c->uin.d + c->uin.r, buf_len(&c->uin));
			c->uin.w -= c->uin.r;
			c->uin.r = 0;
		}
		enum http_result r = http_parse_response(&c->parser, &c->resp, c->req.method,
							 c->uin.d, c->uin.w);
		if (r == HTTP_NEED_MORE) {
			if (buf_room(&c->uin) == 0)
				upstream_failed(c, 502, false, now);
			return;
		}
		if (r == HTTP_ERROR) {
			upstream_failed(c, 502, false, now);
			return;
		}
		bool keep = c->client_keep_alive && c->resp.head.body != HTTP_BODY_UNTIL_CLOSE &&
			    c->requests + 1 < p->keepalive_requests &&
			    !atomic_load_explicit(&c->w->draining, memory_order_relaxed);
		struct http_field set[1] = { keep ? HTTP_FIELD("Connection", "keep-alive")
						  : HTTP_FIELD("Connection", "close") };
		buf_room(&c->out);
		ssize_t n = http_write_response_head(&c->resp, c->uin.d, set, 1,
						     c->out.d + c->out.w, c->out.cap - c->out.w);
		if (n < 0) {
			if (buf_len(&c->out))
				return;		/* wait for the client to drain */
			upstream_failed(c, 502, false, now);
			return;
		}
		c->out.w += (uint32_t)n;
		c->uin.r += c->resp.head.head_len;
		c->moved += (uint64_t)n;
		c->resp_head_sent = true;
		c->resp_bytes = 0;
		c->status = c->resp.status;
		if (c->resp.informational) {
			http_parser_init(&c->parser, NULL);	/* the final head follows */
			continue;
		}
		c->client_keep_alive = keep;
		http_body_init(&c->resp_body, c->resp.head.body, c->resp.head.content_length);
		c->rs = RS_BODY;
	}
	if (c->rs != RS_BODY)
		return;
	uint32_t room = buf_room(&c->out);
	size_t avail = buf_len(&c->uin) < room ? buf_len(&c->uin) : room;
	size_t used = 0;
	enum http_result r = http_body_feed(&c->resp_body, c->uin.d + c->uin.r, avail, &used);
	if (used) {
		memcpy(c->out.d + c->out.w, c->uin.d + c->uin.r, used);
		c->out.w += (uint32_t)used;
		c->uin.r += (uint32_t)used;
		c->resp_bytes += used;
		c->moved += used;
	}
	if (r == HTTP_ERROR) {
		upstream_failed(c, 502, false, now);
	} else if (r == HTTP_DONE) {
		c->rs = RS_DONE;
		finish_request(c, now);
	}
}

/* ---- TCP mode ------------------------------------------------------------------- */

static void
tcp_pump(struct conn *c)
{
	/* bytes flow unchanged: client -> uout, upstream -> out */
	uint32_t n = buf_len(&c->in), room = buf_room(&c->uout);
	if (n > room)
		n = room;
	memcpy(c->uout.d + c->uout.w, c->in.d + c->in.r, n);
	c->uout.w += n;
	c->in.r += n;
	c->moved += n;
	n = buf_len(&c->uin);
	room = buf_room(&c->out);
	if (n > room)
		n = room;
	memcpy(c->out.d + c->out.w, c->uin.d + c->uin.r, n);
	c->out.w += n;
	c->uin.r += n;
	c->resp_bytes += n;
	c->moved += n;
}

/* ---- connections ----------------------------------------------------------------- */

/* Close a client after its last response: bytes it sent that we never
 * read would make close() answer with a reset, which can destroy the end
 * of the response still on its way, so read them away first. */
static void
close_gracefully(int fd)
{
	char scratch[4096];
	shutdown(fd, SHUT_WR);
	for (int i = 0; i < 16; i++)
		if (recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT) <= 0)
			break;
	close(fd);
}

static void
conn_free(struct conn *c)
{
	struct worker *w = c->w;
	if (c->up)
		upconn_close(w, c->up);
	ep_forget(w, c->fd);
	if (c->closing && !buf_len(&c->out))
		close_gracefully(c->fd);
	else
		close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		w->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	buf_free(&c->in);
	buf_free(&c->out);
	buf_free(&c->uin);
	buf_free(&c->uout);
	retire(w, &c->o);
}

/* HTTP: the real server closed, and every byte it sent is on its way to
 * the client: the end of a body that runs until close, else a failure. */
static void
upstream_closed(struct conn *c, uint64_t now)
{
	if (c->rs == RS_BODY && http_body_eof(&c->resp_body) == HTTP_DONE) {
		c->rs = RS_DONE;
		c->client_keep_alive = false;
		finish_request(c, now);
	} else {
		upstream_failed(c, 502, !c->resp_bytes, now);
	}
}

/* Everything that can happen now without waiting, in order. */
static void
conn_run(struct conn *c, uint64_t now)
{
	const struct cf_proxy *p = &c->vs->cf->proxy;
	for (int round = 0; round < 64; round++) {
		uint64_t moved_before = c->moved;
		enum req_state rq_before = c->rq;
		enum resp_state rs_before = c->rs;

		/* to the client */
		if (buf_len(&c->out) && c->writable && write_from(c->fd, &c->out, &c->writable, &c->moved) < 0) {
			conn_free(c);
			return;
		}
		/* TCP: what the upstream sent before closing still goes out */
		if (c->closing && !buf_len(&c->out) && !(p->tcp && buf_len(&c->uin))) {
			if (!p->tcp && c->status && c->rs == RS_DONE && !c->up)
				access_log(c);
			conn_free(c);
			return;
		}
		/* from the client */
		bool want_in = !c->eof && !c->closing &&
			       (p->tcp || c->rq == RQ_HEAD || c->rq == RQ_BODY);
		if (want_in && c->readable) {
			ssize_t n = read_into(c->fd, &c->in, &c->readable, c->hup);
			if (n == 0) {
				c->eof = true;
				if (!p->tcp && c->rq == RQ_HEAD && !buf_len(&c->in) &&
				    c->rs == RS_IDLE) {
					conn_free(c);	/* an idle keep-alive client left */
					return;
				}
			} else if (n < 0 && n != -EAGAIN && n != -ENOBUFS) {
				conn_free(c);
				return;
			}
			if (n > 0) {
				c->moved += (uint64_t)n;
				if (p->tcp || c->rq != RQ_HEAD)
					c->deadline = now + (p->tcp ? p->read_timeout_us
								    : p->client_timeout_us);
			}
		}
		if (p->tcp) {
			if (!c->up && c->rs == RS_IDLE) {
				start_upstream(c, now);
				if (c->closing) {
					c->status = 0;
					c->out.r = c->out.w = 0;	/* no HTTP reply in TCP mode */
					continue;
				}
			}
			tcp_pump(c);
		} else {
			parse_request(c, now);
			pump_request_body(c);
			if (c->eof && c->rq != RQ_DONE && !c->closing) {
				/* the client left mid-request */
				conn_free(c);
				return;
			}
		}
		/* to the upstream */
		struct upconn *u = c->up;
		if (u && u->connected && buf_len(&c->uout) && u->writable) {
			if (write_from(u->fd, &c->uout, &u->writable, &c->moved) < 0) {
				upstream_failed(c, 502, true, now);
				continue;
			}
			if (!c->replayable || c->rq != RQ_DONE)
				c->replayable = false;
			if (c->rq == RQ_DONE && !buf_len(&c->uout))
				c->deadline = now + p->read_timeout_us;
		}
		if (c->replayable && c->rq == RQ_DONE && u && !buf_len(&c->uout))
			c->uout.w = c->uout.r = 0;	/* sent: keep no stale bytes */
		/* from the upstream */
		if (u && c->up == u && u->connected && u->readable && !u->eof &&
		    (p->tcp || c->rs == RS_HEAD || c->rs == RS_BODY)) {
			ssize_t n = read_into(u->fd, &c->uin, &u->readable, u->hup);
			if (n > 0) {
				c->moved += (uint64_t)n;
				c->deadline = now + p->read_timeout_us;
				if (c->rs == RS_HEAD)
					c->replayable = false;
			} else if (n == 0) {
				/* read no more: what uin holds goes out first (HTTP:
				 * then upstream_closed(); TCP: then the close) */
				u->eof = true;
				if (p->tcp)
					c->closing = true;
				continue;
			} else if (n != -EAGAIN && n != -ENOBUFS) {
				upstream_failed(c, 502, true, now);
				continue;
			}
		}
		if (!p->tcp) {
			pump_response(c, now);
			/* a body waits for its last bytes to go out; a head
			 * cut short by the close never completes */
			if (u && c->up == u && u->eof &&
			    (!buf_len(&c->uin) || c->rs != RS_BODY)) {
				upstream_closed(c, now);
				continue;
			}
		} else if (c->eof && !buf_len(&c->uout) && c->up) {
			shutdown(c->up->fd, SHUT_WR);
		}
		/* another turn while bytes move or the request advances */
		if (c->moved == moved_before && c->rq == rq_before && c->rs == rs_before)
			return;
	}
	/* enough for one turn: the others' turn now, this one's again after
	 * them - both sides may be ready still, and edge-triggered epoll
	 * would not say so again */
	if (!c->again) {
		c->again = true;
		c->next_again = c->w->again;
		c->w->again = c;
	}
}

/* The connections conn_run() left with more to do get another turn. */
static void
run_again(struct worker *w, uint64_t now)
{
	struct conn *list = w->again;
	w->again = NULL;
	while (list) {
		struct conn *c = list;
		list = c->next_again;
		c->again = false;
		if (c->o.kind == OBJ_CLIENT)	/* not closed since (retire()) */
			conn_run(c, now);
	}
}

static void
upstream_event(struct upconn *u, uint32_t events, uint64_t now)
{
	struct conn *c = u->owner;
	if (!c) {
		/* an idle pooled connection heard something: it is closing */
		u->readable = true;
		return;
	}
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		u->readable = true;
	if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		u->hup = true;
	if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
		u->writable = true;
	if (!u->connected) {
		int err = 0;
		socklen_t len = sizeof(err);
		getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			upstream_failed(c, 502, true, now);
			conn_run(c, now);
			return;
		}
		if (!(events & EPOLLOUT))
			return;
		u->connected = true;
		c->rs = RS_HEAD;
		c->deadline = now + c->vs->cf->proxy.send_timeout_us;
	}
	conn_run(c, now);
}

static void
accept_clients(struct worker *w, struct listener *l, uint64_t now)
{
	/* a few per wakeup: the listener is level-triggered and shared, so
	 * what is left wakes another worker (EPOLLEXCLUSIVE) - the load
	 * spreads by who is free, not by a hash of the client's port */
	for (int i = 0; i < 8; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;	/* EAGAIN, or a transient error (EMFILE): next edge */
		set_nodelay(fd);
		struct conn *c = calloc(1, sizeof(*c));
		if (!c || !buf_alloc(&c->in, BUF_SIZE) || !buf_alloc(&c->out, BUF_SIZE) ||
		    !buf_alloc(&c->uin, BUF_SIZE) || !buf_alloc(&c->uout, BUF_SIZE)) {
			if (c) {
				buf_free(&c->in);
				buf_free(&c->out);
				buf_free(&c->uin);
			}
			free(c);
			close(fd);
			continue;
		}
		c->o.kind = OBJ_CLIENT;
		c->w = w;
		c->fd = fd;
		c->vs = l->vs;
		c->vs_index = l->vs_index;
		c->peer = ss;
		c->writable = true;
		c->readable = true;
		if (ss.ss_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
			inet_ntop(AF_INET6, &s6->sin6_addr, c->peer_addr, sizeof(c->peer_addr));
			snprintf(c->peer_port, sizeof(c->peer_port), "%u", ntohs(s6->sin6_port));
		} else {
			const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
			inet_ntop(AF_INET, &s4->sin_addr, c->peer_addr, sizeof(c->peer_addr));
			snprintf(c->peer_port, sizeof(c->peer_port), "%u", ntohs(s4->sin_port));
		}
		http_parser_init(&c->parser, NULL);
		c->parser.limits.max_head = l->vs->cf->proxy.max_header_size;
		c->deadline = now + (l->vs->cf->proxy.tcp ? l->vs->cf->proxy.connect_timeout_us
							 : l->vs->cf->proxy.client_timeout_us);
		c->idle_since = now;
		c->next = w->conns;
		if (w->conns)
			w->conns->prev = c;
		w->conns = c;
		if (ep_add(w, fd, &c->o) < 0) {
			conn_free(c);
			continue;
		}
		/* the request is often there already: no need to wait for the edge */
		conn_run(c, now);
	}
}

/* ---- timeouts ---------------------------------------------------------------------- */

static void
conn_timed_out(struct conn *c, uint64_t now)
{
	switch (c->rs) {
	case RS_CONNECTING:
		log_detail("proxy: %s: connect to %s timed out", c->vs->name, c->up->rs->name);
		upstream_failed(c, 504, true, now);
		conn_run(c, now);
		return;
	case RS_HEAD:
	case RS_BODY:
		if (c->vs->cf->proxy.tcp)
			break;
		log_detail("proxy: %s: upstream %s timed out", c->vs->name,
			   c->up ? c->up->rs->name : "?");
		if (c->up)
			px_rs_failed(c->up->rs, now);
		if (c->up)
			upconn_close(c->w, c->up);
		c->up = NULL;
		c->replayable = false;
		if (!c->resp_head_sent) {
			send_error(c, 504);
			conn_run(c, now);
			return;
		}
		break;
	default:
		if (!c->vs->cf->proxy.tcp && c->rq == RQ_HEAD && buf_len(&c->in) &&
		    !c->closing) {
			/* a head that never finished: nginx answers 408 silently */
			break;
		}
		break;
	}
	conn_free(c);
}

/* Reload: the new workers accept from now on; these finish what they
 * have.  Busy clients are closed after their current response, idle
 * keep-alive ones once they have been idle for a while (they reconnect to
 * the new workers).  One idle for a moment only - or just accepted - may
 * have its next request in flight: closing it now would fail that request,
 * so it gets the time to send it and is answered with "close". */
static void
drain_step(struct worker *w, uint64_t now)
{
	if (!w->listeners_closed) {
		/* handed over to the new workers, or shut down by proxy_drain():
		 * either way the proxy's to close, not this worker's */
		for (size_t i = 0; i < w->nls; i++) {
			if (w->ls[i].fd < 0)
				continue;
			epoll_ctl(w->ep, EPOLL_CTL_DEL, w->ls[i].fd, NULL);
			w->ls[i].fd = -1;
			atomic_fetch_sub(&w->ls[i].vs->listening, 1);
		}
		w->listeners_closed = true;
		w->drain_deadline = now + DRAIN_MAX_US;
	}
	struct conn *next;
	for (struct conn *c = w->conns; c; c = next) {
		next = c->next;
		bool idle = !c->vs->cf->proxy.tcp && c->rq == RQ_HEAD && !buf_len(&c->in) &&
			    c->rs == RS_IDLE && !buf_len(&c->out);
		if ((idle && now - c->idle_since >= DRAIN_IDLE_US) || now >= w->drain_deadline)
			conn_free(c);
	}
}

static void
tick(struct worker *w, uint64_t now)
{
	struct conn *next;
	if (atomic_load(&w->draining)) {
		drain_step(w, now);
	} else {
		/* a connection whose wakeup went to a worker of the previous
		 * configuration as it stopped listening would wait for the
		 * next one's: look for it now and then */
		for (size_t i = 0; i < w->nls; i++)
			if (w->ls[i].fd >= 0)
				accept_clients(w, &w->ls[i], now);
	}
	for (struct conn *c = w->conns; c; c = next) {
		next = c->next;
		if (c->deadline && now >= c->deadline)
			conn_timed_out(c, now);
	}
	/* idle pooled connections: old ones, and those the server closed */
	size_t total = w->rs_base[w->sh->nvs];
	for (size_t i = 0; i < total; i++) {
		struct upconn **pp = &w->idle[i];
		while (*pp) {
			struct upconn *u = *pp;
			if (u->readable || now - u->idle_since > UPSTREAM_IDLE_US) {
				*pp = u->next;
				w->nidle--;
				upconn_drop_idle(w, u);
			} else {
				pp = &u->next;
			}
		}
	}
	px_access_flush(&w->alog);
	atomic_store_explicit(&w->sh->beat[w->index], now, memory_order_relaxed);
	w->next_tick = now + TICK_US;
}

/* ---- workers ------------------------------------------------------------------------- */

static int
listen_on(const struct px_vs *vs)
{
	int fd = socket(vs->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	/* listen on a VIP this node does not hold yet (a backup's) */
	if (vs->sa.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	else
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&vs->sa, vs->salen) < 0 || listen(fd, 511) < 0) {
		int err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[MAX_EVENTS];
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);	/* signals are the VRRP thread's */
	/* this thread reads what clients send: it needs no privilege, its
	 * sockets and log were opened for it */
	caps_drop_thread();
	w->next_tick = mono_us() + TICK_US;
	while (!atomic_load(&w->stop)) {
		uint64_t now = mono_us();
		int timeout = now >= w->next_tick || w->again
				      ? 0 : (int)((w->next_tick - now) / 1000) + 1;
		int n = epoll_wait(w->ep, evs, MAX_EVENTS, timeout);
		now = mono_us();
		for (int i = 0; i < n; i++) {
			struct obj *o = evs[i].data.ptr;
			switch (o->kind) {
			case OBJ_LISTENER:
				/* even while draining, until drain_step() takes the
				 * listener out: this wakeup was this worker's alone
				 * (EPOLLEXCLUSIVE), no other worker saw it */
				accept_clients(w, (struct listener *)o, now);
				break;
			case OBJ_CLIENT: {
				struct conn *c = (struct conn *)o;
				if (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
					c->readable = true;
				if (evs[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
					c->hup = true;
				if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
					c->writable = true;
				conn_run(c, now);
				break;
			}
			case OBJ_UPSTREAM:
				upstream_event((struct upconn *)o, evs[i].events, now);
				break;
			case OBJ_WAKE:
			case OBJ_DEAD:
				break;
			}
		}
		run_again(w, now);
		if (now >= w->next_tick || atomic_load(&w->draining))
			tick(w, now);
		bury(w);
		if (w->listeners_closed && !w->conns)
			break;		/* drained */
	}
	atomic_store(&w->done, true);
	return NULL;
}

static void
worker_free(struct worker *w)
{
	while (w->conns)
		conn_free(w->conns);
	if (w->idle) {
		for (size_t i = 0; i < w->rs_base[w->sh->nvs]; i++)
			while (w->idle[i]) {
				struct upconn *u = w->idle[i];
				w->idle[i] = u->next;
				close(u->fd);
				free(u);
			}
	}
	bury(w);
	px_access_close(&w->alog);
	if (w->ep >= 0)
		close(w->ep);
	if (w->wake >= 0)
		close(w->wake);
	free(w->ls);
	free(w->idle);
	free(w->rs_base);
	free(w->wrr_current);
	free(w->rr_next);
}

static int
worker_init(struct worker *w, struct px_shared *sh, int index, const int *lfd)
{
	w->index = index;
	w->sh = sh;
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	w->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	w->ls = calloc(sh->nvs ? sh->nvs : 1, sizeof(*w->ls));
	w->rs_base = calloc(sh->nvs + 1, sizeof(*w->rs_base));
	if (w->ep < 0 || w->wake < 0 || !w->ls || !w->rs_base)
		return -1;
	for (size_t i = 0; i < sh->nvs; i++)
		w->rs_base[i + 1] = w->rs_base[i] + sh->vs[i].nrs;
	size_t total = w->rs_base[sh->nvs];
	w->idle = calloc(total ? total : 1, sizeof(*w->idle));
	w->wrr_current = calloc(total ? total : 1, sizeof(*w->wrr_current));
	w->rr_next = calloc(sh->nvs ? sh->nvs : 1, sizeof(*w->rr_next));
	if (!w->idle || !w->wrr_current || !w->rr_next)
		return -1;
	static struct obj wake_obj = { .kind = OBJ_WAKE };
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &wake_obj };
	epoll_ctl(w->ep, EPOLL_CTL_ADD, w->wake, &ev);
	for (size_t i = 0; i < sh->nvs; i++) {
		struct listener *l = &w->ls[w->nls++];
		l->o.kind = OBJ_LISTENER;
		l->vs = &sh->vs[i];
		l->vs_index = i;
		l->fd = lfd[i];
		if (l->fd < 0)
			continue;
		ev = (struct epoll_event){ .events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &l->o };
		if (epoll_ctl(w->ep, EPOLL_CTL_ADD, l->fd, &ev) < 0) {
			l->fd = -1;
			continue;
		}
		atomic_fetch_add(&l->vs->listening, 1);
	}
	/* one access log per virtual server would need one file each; the
	 * first configured path serves all (documented) */
	const char *path = NULL;
	for (size_t i = 0; i < sh->nvs && !path; i++)
		path = sh->vs[i].cf->proxy.access_log;
	px_access_open(&w->alog, path);
	atomic_store(&sh->beat[index], mono_us());
	return 0;
}

static bool
same_sockaddr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
		return x->sin6_port == y->sin6_port && x->sin6_scope_id == y->sin6_scope_id &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
	}
	const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
	return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
}

/* The listening socket for VS: PREV's for the same address if it has one
 * (taken from it: what waits in its backlog is served, not reset, and no
 * connection is hashed to a socket about to go), else a new one. */
static int
take_or_listen(const struct px_vs *vs, struct proxy *prev)
{
	for (size_t j = 0; prev && prev->lfd && j < prev->sh->nvs; j++) {
		if (prev->lfd[j] < 0 || !same_sockaddr(&prev->sh->vs[j].sa, &vs->sa))
			continue;
		int fd = prev->lfd[j];
		prev->lfd[j] = -1;
		return fd;
	}
	return listen_on(vs);
}

struct proxy *
proxy_start(const struct cf_model *m, struct proxy *prev)
{
	struct px_shared *sh = px_shared_build(m);
	if (!sh)
		return NULL;
	if (!sh->nvs) {
		px_shared_free(sh);
		return NULL;
	}
	struct proxy *p = calloc(1, sizeof(*p));
	int n = sh->nworkers;		/* proxy_workers, else one per core */
	if (p)
		p->w = calloc((size_t)n, sizeof(*p->w));
	if (!p || !p->w) {
		free(p ? p->w : NULL);
		free(p);
		px_shared_free(sh);
		return NULL;
	}
	p->sh = sh;
	p->lfd = calloc(sh->nvs, sizeof(*p->lfd));
	for (size_t i = 0; p->lfd && i < sh->nvs; i++) {
		p->lfd[i] = take_or_listen(&sh->vs[i], prev);
		if (p->lfd[i] < 0)
			log_info("proxy: cannot listen on %s: %s", sh->vs[i].name,
				 strerror(-p->lfd[i]));
	}
	for (int i = 0; i < n; i++) {
		p->w[i].ep = p->w[i].wake = -1;
		if (!p->lfd || worker_init(&p->w[i], sh, i, p->lfd) < 0 ||
		    pthread_create(&p->w[i].thread, NULL, worker_main, &p->w[i]) != 0) {
			log_info("proxy: cannot start worker %d", i);
			worker_free(&p->w[i]);
			p->nworkers = i;
			proxy_stop(p);
			return NULL;
		}
		p->nworkers = i + 1;
	}
	p->health = health_start(sh);
	for (size_t i = 0; i < sh->nvs; i++)
		log_info("proxy: %s: %d workers listening, %zu real servers, %s mode, %s",
			 sh->vs[i].name, atomic_load(&sh->vs[i].listening) / (n ? n : 1) ? n : 0,
			 sh->vs[i].nrs, sh->vs[i].cf->proxy.tcp ? "tcp" : "http",
			 sh->vs[i].cf->lb_algo);
	return p;
}

void
proxy_stop(struct proxy *p)
{
	if (!p)
		return;
	if (p->health)
		health_stop(p->health);
	for (int i = 0; i < p->nworkers; i++) {
		atomic_store(&p->w[i].stop, true);
		uint64_t one = 1;
		if (write(p->w[i].wake, &one, sizeof(one)) < 0)
			continue;
	}
	for (int i = 0; i < p->nworkers; i++) {
		pthread_join(p->w[i].thread, NULL);
		worker_free(&p->w[i]);
	}
	free(p->w);
	for (size_t i = 0; p->lfd && i < p->sh->nvs; i++)
		if (p->lfd[i] >= 0)
			close(p->lfd[i]);
	free(p->lfd);
	px_shared_free(p->sh);
	free(p);
}

void
proxy_drain(struct proxy *p)
{
	if (!p)
		return;
	/* the new configuration's health thread takes over */
	health_stop(p->health);
	p->health = NULL;
	/* the sockets the new configuration took over stay open; those of
	 * virtual servers it dropped stop listening at once (what waits in
	 * their backlog is reset) */
	for (size_t i = 0; p->lfd && i < p->sh->nvs; i++)
		if (p->lfd[i] >= 0)
			shutdown(p->lfd[i], SHUT_RDWR);
	for (int i = 0; i < p->nworkers; i++) {
		atomic_store(&p->w[i].draining, true);
		uint64_t one = 1;
		if (write(p->w[i].wake, &one, sizeof(one)) < 0)
			continue;
	}
}

bool
proxy_drained(const struct proxy *p)
{
	for (int i = 0; p && i < p->nworkers; i++)
		if (!atomic_load(&p->w[i].done))
			return false;
	return true;
}

int
proxy_event_fd(const struct proxy *p)
{
	return p ? p->sh->event_fd : -1;
}

bool
proxy_vs_healthy(const struct proxy *p, const struct cf_inaddr *addr, uint16_t port)
{
	if (!p)
		return false;
	for (size_t i = 0; i < p->sh->nvs; i++) {
		const struct cf_virtual_server *cf = p->sh->vs[i].cf;
		if (cf->port == port && cf_inaddr_eq(&cf->addr, addr))
			return atomic_load(&p->sh->vs[i].healthy);
	}
	return false;
}

bool
proxy_child_exited(struct proxy *p, pid_t pid, int status)
{
	return p && p->health && health_child_exited(p->health, pid, status);
}
