/* status_srv.c - live status without signals (Vigil extension, see
 * doc/engine.md): global_defs `status_socket PATH` (Unix stream socket,
 * mode 0600) and `status_listen ADDR:PORT [control]` (TCP), served from the
 * VRRP event loop.
 *
 * One request per connection: accept, read one request (a plain line such
 * as "status", or an HTTP request line and its headers), write the whole
 * reply with one non-blocking send, close.  Nothing here waits: a reply the
 * socket cannot take at once is dropped with its client, requests are
 * bounded (4 KiB), so are clients (16; the oldest makes room for a new
 * one, and one idle for 5 s goes when the next arrives).
 *
 * Step-down / step-up change instances: always allowed on the Unix socket
 * (only its owner, root, can connect), on TCP only with `control`.
 */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "status_int.h"

#define STATUS_REQ_MAX 4096
#define STATUS_REPLY_MAX (4u << 20)
#define STATUS_IDLE_US 5000000ULL

struct status_client {
	int fd;			/* -1: free */
	int epfd;		/* the loop's epoll set it is in */
	bool control;		/* may step instances down and up */
	uint64_t since;		/* accepted at (monotonic us) */
	size_t len;
	char req[STATUS_REQ_MAX + 1];
};

struct status_srv {
	int listen_fd[STATUS_LISTENERS];	/* 0: Unix, 1: TCP; -1 if not open */
	bool control[STATUS_LISTENERS];
	char *unix_path;			/* ours to unlink at close */
	struct status_client client[STATUS_CLIENTS];
};

static const char JSON_TYPE[] = "application/json";
static const char METRICS_TYPE[] = "text/plain; version=0.0.4; charset=utf-8";

/* ---- listeners ------------------------------------------------------------------- */

/* A stale socket from an earlier run is replaced; any other file is not. */
static int
clear_socket_path(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	return unlink(path) < 0 ? -errno : 0;
}

static int
open_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	int rc = clear_socket_path(path);
	if (rc < 0)
		return rc;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* mode 0600 before listen(): nobody can connect in between */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0600) < 0 ||
	    listen(fd, STATUS_CLIENTS) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

static int
open_tcp(const struct cf_inaddr *addr, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	if (addr->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, addr->a, 16);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, addr->a, 4);
		len = sizeof(*s4);
	}
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* a management address may come up after the daemon */
	if (ss.ss_family == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one));
	} else {
		setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, STATUS_CLIENTS) < 0) {
		int rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

static void
watch(struct engine *e, int fd, int slot)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_STATUS_BASE + (uint64_t)slot };
	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		log_info("status: cannot watch fd %d: %s", fd, strerror(errno));
}

static void
open_listeners(struct engine *e, struct status_srv *s)
{
	const struct cf_global *g = &e->m->global;
	char a[64];
	if (g->status_socket) {
		int fd = open_unix(g->status_socket);
		if (fd < 0) {
			log_info("status_socket %s: %s", g->status_socket, strerror(-fd));
		} else {
			s->listen_fd[0] = fd;
			s->control[0] = true;
			s->unix_path = strdup(g->status_socket);
			watch(e, fd, 0);
		}
	}
	if (g->status_port) {
		int fd = open_tcp(&g->status_addr, g->status_port);
		cf_inaddr_str(&g->status_addr, a, sizeof(a));
		if (fd < 0) {
			log_info("status_listen %s port %u: %s", a, g->status_port, strerror(-fd));
		} else {
			s->listen_fd[1] = fd;
			s->control[1] = g->status_control;
			watch(e, fd, 1);
		}
	}
}

void
status_open(struct engine *e)
{
	const struct cf_global *g = &e->m->global;
	if (!g->status_socket && !g->status_port)
		return;
	struct status_srv *s = calloc(1, sizeof(*s));
	if (!s) {
		log_info("status: out of memory");
		return;
	}
	for (int i = 0; i < STATUS_LISTENERS; i++)
		s->listen_fd[i] = -1;
	for (int i = 0; i < STATUS_CLIENTS; i++)
		s->client[i].fd = -1;
	open_listeners(e, s);
	e->status = s;
}

/* ---- clients ----------------------------------------------------------------------- */

static void
client_close(struct status_client *c)
{
	/* out of the set first: a script child holding a copy of the
	 * descriptor until its exec would keep the registration alive */
	if (c->fd >= 0) {
		epoll_ctl(c->epfd, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
	c->len = 0;
}

/* A free slot: an unused one, else an idle one, else the oldest. */
static struct status_client *
client_slot(struct status_srv *s, uint64_t now)
{
	struct status_client *oldest = &s->client[0];
	for (int i = 0; i < STATUS_CLIENTS; i++) {
		struct status_client *c = &s->client[i];
		if (c->fd >= 0 && now - c->since > STATUS_IDLE_US)
			client_close(c);
		if (c->fd < 0)
			return c;
		if (c->since < oldest->since)
			oldest = c;
	}
	client_close(oldest);
	return oldest;
}

static void
accept_clients(struct engine *e, struct status_srv *s, int listener)
{
	/* bounded: a connection storm cannot hold the loop */
	for (int n = 0; n < STATUS_CLIENTS; n++) {
		int fd = accept4(s->listen_fd[listener], NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		uint64_t now = now_us();
		struct status_client *c = client_slot(s, now);
		c->fd = fd;
		c->epfd = e->epfd;
		c->control = s->control[listener];
		c->since = now;
		c->len = 0;
		watch(e, fd, STATUS_LISTENERS + (int)(c - s->client));
	}
}

/* ---- requests ------------------------------------------------------------------------ */

static struct vinst *
find_instance(struct engine *e, const char *name)
{
	for (size_t i = 0; i < e->nvi; i++)
		if (!strcmp(e->vi[i].cf->name, name))
			return &e->vi[i];
	return NULL;
}

static int
error_reply(struct sd_buf *body, int code, const char *msg)
{
	sd_puts(body, "{\"error\":");
	sd_json_str(body, msg);
	sd_puts(body, "}\n");
	return code;
}

/* stepdown / stepup NAME: through the state machine, like any event */
static int
operator_step(struct engine *e, const struct sd_request *r, struct sd_buf *body)
{
	struct vinst *v = find_instance(e, r->instance);
	if (!v)
		return error_reply(body, 404, "no such vrrp_instance");
	uint64_t now = now_us();
	struct vrrp_actions acts;
	bool was_held = v->fsm.held;
	if (r->kind == SD_REQ_STEPDOWN) {
		if (!was_held)
			log_info("(%s) Stepping down on operator request", v->cf->name);
		vrrp_fsm_stepdown(&v->fsm, &v->fc, now, &acts);
	} else {
		if (was_held)
			log_info("(%s) Operator step-down cleared", v->cf->name);
		vrrp_fsm_stepup(&v->fsm, &v->fc, now, &acts);
	}
	run_actions(e, v, &acts, now);
	sd_puts(body, "{\"instance\":");
	sd_json_str(body, v->cf->name);
	sd_printf(body, ",\"state\":\"%s\",\"stepped_down\":%s}\n",
		  vrrp_state_name(v->fsm.state), v->fsm.held ? "true" : "false");
	return 200;
}

static int
show(struct engine *e, void (*format)(const struct sd_snapshot *, struct sd_buf *),
     struct sd_buf *body)
{
	struct state_snap snap;
	if (!state_snap_take(e, &snap))
		return error_reply(body, 500, "out of memory");
	format(&snap.s, body);
	state_snap_free(&snap);
	return 200;
}

/* Carry out R; the reply's status code, its body in BODY. */
static int
handle(struct engine *e, const struct status_client *c, const struct sd_request *r,
       struct sd_buf *body, const char **type)
{
	*type = JSON_TYPE;
	switch (r->kind) {
	case SD_REQ_STATUS:
		return show(e, sd_format_status, body);
	case SD_REQ_METRICS:
		*type = METRICS_TYPE;
		return show(e, sd_format_metrics, body);
	case SD_REQ_STEPDOWN:
	case SD_REQ_STEPUP:
		if (!c->control)
			return error_reply(body, 403, "read-only listener (status_listen without control)");
		return operator_step(e, r, body);
	case SD_REQ_NOT_FOUND:
		return error_reply(body, 404, "unknown request");
	case SD_REQ_METHOD:
		return error_reply(body, 405, "wrong method (GET /status, GET /metrics, POST /stepdown/NAME, POST /stepup/NAME)");
	case SD_REQ_BAD:
		break;
	}
	return error_reply(body, 400, "bad request");
}

/* The whole reply at once, or the client goes: the loop never waits. */
static void
send_reply(struct status_client *c, const struct sd_buf *out)
{
	int size = (int)(out->len < STATUS_REPLY_MAX ? out->len : STATUS_REPLY_MAX);
	if (size > 65536 && setsockopt(c->fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	ssize_t n = send(c->fd, out->p, out->len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 || (size_t)n != out->len)
		log_detail("status: client could not take a %zu byte reply at once - dropped",
			   out->len);
}

/* Read what the client still sends (bounded), so that closing does not
 * reset the connection under a reply it has not read yet. */
static void
client_finish(struct status_client *c)
{
	char sink[4096];
	shutdown(c->fd, SHUT_WR);
	for (int i = 0; i < 16; i++)
		if (recv(c->fd, sink, sizeof(sink), MSG_DONTWAIT) <= 0)
			break;
	client_close(c);
}

static void
respond(struct engine *e, struct status_client *c, const char *line, size_t len)
{
	struct sd_request r;
	struct sd_buf body = { .max = STATUS_REPLY_MAX }, out = { 0 };
	const char *type;
	sd_parse_request(line, len, &r);
	int code = handle(e, c, &r, &body, &type);
	if (body.failed) {
		sd_buf_free(&body);
		body = (struct sd_buf){ 0 };
		code = error_reply(&body, 500, "reply too large");
	}
	sd_frame_reply(&out, &r, code, type, &body);
	if (!out.failed && out.len)
		send_reply(c, &out);
	sd_buf_free(&body);
	sd_buf_free(&out);
	client_finish(c);
}

/* Is the request in? A plain line ends at its newline; an HTTP request
 * at the blank line after its headers (or at EOF).  *LINE_LEN: the first
 * line's length. */
static bool
request_complete(const struct status_client *c, bool eof, size_t *line_len)
{
	const char *nl = memchr(c->req, '\n', c->len);
	if (!nl) {
		*line_len = c->len;
		return eof && c->len;
	}
	*line_len = (size_t)(nl - c->req);
	struct sd_request r;
	sd_parse_request(c->req, *line_len, &r);
	return !r.http || eof || memmem(c->req, c->len, "\r\n\r\n", 4) ||
	       memmem(c->req, c->len, "\n\n", 2);
}

static void
client_readable(struct engine *e, struct status_client *c)
{
	if (c->fd < 0)
		return;
	ssize_t n = recv(c->fd, c->req + c->len, STATUS_REQ_MAX - c->len, MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			client_close(c);
		return;
	}
	c->len += (size_t)n;
	c->req[c->len] = '\0';
	size_t line_len;
	if (request_complete(c, n == 0, &line_len)) {
		respond(e, c, c->req, line_len);
	} else if (c->len == STATUS_REQ_MAX) {
		/* headers beyond 4 KiB are not read; a first line that long is bad */
		bool have_line = memchr(c->req, '\n', c->len) != NULL;
		respond(e, c, c->req, have_line ? line_len : 0);
	} else if (n == 0) {
		client_close(c);	/* gone without a request */
	}
}

void
status_event(struct engine *e, int slot)
{
	struct status_srv *s = e->status;
	if (!s || slot < 0 || slot >= STATUS_SLOTS)
		return;
	if (slot < STATUS_LISTENERS)
		accept_clients(e, s, slot);
	else
		client_readable(e, &s->client[slot - STATUS_LISTENERS]);
}

void
status_close(struct engine *e)
{
	struct status_srv *s = e->status;
	if (!s)
		return;
	for (int i = 0; i < STATUS_CLIENTS; i++)
		client_close(&s->client[i]);
	for (int i = 0; i < STATUS_LISTENERS; i++)
		if (s->listen_fd[i] >= 0)
			close(s->listen_fd[i]);
	if (s->unix_path)
		unlink(s->unix_path);
	free(s->unix_path);
	free(s);
	e->status = NULL;
}
