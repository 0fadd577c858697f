/* smtp.c - keepalived's SMTP alerts, never blocking (see smtp.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtp.h"

/* ---- message text (pure) ---- */

/* An snprintf-like sink: counts everything, stores what fits. */
struct sbuf {
	char *buf;
	size_t len;
	size_t n;
};

static void
sb_put(struct sbuf *s, const char *str)
{
	size_t l = strlen(str);
	if (s->len > 0 && s->n < s->len - 1) {
		size_t room = s->len - 1 - s->n;
		memcpy(s->buf + s->n, str, l < room ? l : room);
	}
	s->n += l;
}

static void
sb_end(struct sbuf *s)
{
	if (s->len > 0)
		s->buf[s->n < s->len ? s->n : s->len - 1] = '\0';
}

/* Everything between DATA and the terminating ".\r\n". */
static void
put_content(struct sbuf *s, const struct smtp_msg *m, time_t when)
{
	char date[80];
	struct tm tm;

	/* keepalived: strftime in the C locale, local time */
	localtime_r(&when, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	sb_put(s, "Date: ");
	sb_put(s, date);
	sb_put(s, "\r\nFrom: ");
	sb_put(s, m->from);
	sb_put(s, "\r\nSubject: ");
	sb_put(s, m->subject);
	sb_put(s, "\r\nX-Mailer: Keepalived\r\nTo: ");
	for (size_t i = 0; i < m->nto; i++) {
		if (i)
			sb_put(s, ", ");
		sb_put(s, m->to[i]);
	}
	/* the body, then keepalived's own "\r\n" before the ".\r\n" terminator:
	 * an empty line precedes the dot (verified on the wire).  Like
	 * keepalived, no dot-stuffing: our subjects and bodies are one line
	 * each and never start with "." */
	sb_put(s, "\r\n\r\n");
	sb_put(s, m->body);
	sb_put(s, "\r\n\r\n");
}

static void
put_data(struct sbuf *s, const struct smtp_msg *m, time_t when)
{
	put_content(s, m, when);
	sb_put(s, ".\r\n");
}

size_t
smtp_build_data(char *buf, size_t len, const struct smtp_msg *m, time_t when)
{
	struct sbuf s = { .buf = buf, .len = len };
	put_data(&s, m, when);
	sb_end(&s);
	return s.n;
}

size_t
smtp_build_content(char *buf, size_t len, const struct smtp_msg *m, time_t when)
{
	struct sbuf s = { .buf = buf, .len = len };
	put_content(&s, m, when);
	sb_end(&s);
	return s.n;
}

/* Vigil's backoff when smtp_retry_delay is not set: soon enough to ride
 * out a restarting relay, then long enough for a short outage, and the
 * whole thing over in minutes (3 attempts with the default 30 s timeout,
 * each at worst 2 x 30 s for a silent server: 3.6 minutes). */
static const unsigned default_backoff_s[] = { 5, 30 };

unsigned
smtp_retry_wait(unsigned retries, unsigned delay_s, unsigned failed)
{
	if (failed == 0 || failed > retries)
		return 0;
	if (delay_s)
		return delay_s;
	size_t n = sizeof(default_backoff_s) / sizeof(default_backoff_s[0]);
	return default_backoff_s[failed <= n ? failed - 1 : n - 1];
}

struct state_text {
	const char *state;
	const char *subject;
	const char *instance_body;
	const char *group_body;		/* NULL: not a group state */
};

static const struct state_text state_texts[] = {
	{ "MASTER", "Entering MASTER state",
	  "=> VRRP Instance is now owning VRRP VIPs <=",
	  "=> All VRRP group instances are now in MASTER state <=" },
	{ "BACKUP", "Entering BACKUP state",
	  "=> VRRP Instance is no longer owning VRRP VIPs <=",
	  "=> All VRRP group instances are now in BACKUP state <=" },
	{ "FAULT", "Entering FAULT state",
	  "=> VRRP Instance is no longer owning VRRP VIPs <=",
	  "=> All VRRP group instances are now in FAULT state <=" },
	{ "STOP", "Stopping",
	  "=> VRRP Instance stopping <=",
	  "=> All VRRP group instances are now stopping <=" },
	{ "DELETED", "Deleted",
	  "=> VRRP Deleted at reload <=",
	  NULL },
};

bool
smtp_vrrp_text(char *subject, size_t slen, char *body, size_t blen,
	       const char *router_id, bool group, const char *name,
	       const char *state)
{
	for (size_t i = 0; i < sizeof(state_texts) / sizeof(state_texts[0]); i++) {
		const struct state_text *t = &state_texts[i];
		if (strcmp(t->state, state))
			continue;
		const char *b = group ? t->group_body : t->instance_body;
		if (!b)
			return false;
		snprintf(subject, slen, "[%s] VRRP %s %s - %s",
			 router_id ? router_id : "", group ? "Group" : "Instance",
			 name, t->subject);
		snprintf(body, blen, "%s", b);
		return true;
	}
	return false;
}

void
smtp_format_server(char *buf, size_t len, const struct sockaddr *sa)
{
	char ip[INET6_ADDRSTRLEN] = "unknown";
	unsigned port = 0;

	if (sa && sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		port = ntohs(in->sin_port);
	} else if (sa && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		port = ntohs(in6->sin6_port);
	}
	snprintf(buf, len, "[%s]:%u", ip, port);
}

/* ---- the client ---- */

/* The reply each stage waits for, and its name in keepalived's
 * "Error processing %s cmd" line (the banner is "(E)SMTP" there). */
static const struct {
	int code;
	const char *name;
} stages[] = {
	[SMTP_ST_BANNER] = { 220, "(E)SMTP" },
	[SMTP_ST_HELO] = { 250, "HELO" },
	[SMTP_ST_MAIL] = { 250, "MAIL" },
	[SMTP_ST_RCPT] = { 250, "RCPT" },
	[SMTP_ST_DATA] = { 354, "DATA" },
	[SMTP_ST_BODY] = { 250, "BODY" },
	[SMTP_ST_QUIT] = { 221, "QUIT" },
};

/* Command indexes in c->text: HELO, MAIL, RCPT x nto, DATA, body, QUIT. */
#define CMD_HELO	0
#define CMD_MAIL	1
#define CMD_RCPT(i)	(2 + (i))
#define CMD_DATA(c)	(2 + (c)->nto)
#define CMD_BODY(c)	(3 + (c)->nto)
#define CMD_QUIT(c)	(4 + (c)->nto)

static void
render(struct sbuf *s, size_t *cmd, const struct smtp_msg *m, time_t when)
{
	size_t k = 0;

	cmd[k++] = s->n;
	sb_put(s, "HELO ");
	sb_put(s, m->helo ? m->helo : "localhost");
	sb_put(s, "\r\n");
	cmd[k++] = s->n;
	sb_put(s, "MAIL FROM:<");
	sb_put(s, m->from);
	sb_put(s, ">\r\n");
	for (size_t i = 0; i < m->nto; i++) {
		cmd[k++] = s->n;
		sb_put(s, "RCPT TO:<");
		sb_put(s, m->to[i]);
		sb_put(s, ">\r\n");
	}
	cmd[k++] = s->n;
	sb_put(s, "DATA\r\n");
	cmd[k++] = s->n;
	put_data(s, m, when);
	cmd[k++] = s->n;
	sb_put(s, "QUIT\r\n");
	cmd[k] = s->n;
}

static bool
msg_valid(const struct smtp_msg *m)
{
	if (!m || !m->from || !m->subject || !m->body || !m->to || !m->nto)
		return false;
	for (size_t i = 0; i < m->nto; i++)
		if (!m->to[i])
			return false;
	return true;
}

/* Everything the dialogue will send, rendered once so the caller's
 * strings need not outlive this call. */
static int
client_init(struct smtp_client *c, const struct sockaddr *srv,
	    const struct smtp_msg *m, time_t when, uint64_t now_us,
	    uint64_t timeout_us)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->stage = SMTP_ST_DONE;
	c->deadline = UINT64_MAX;
	smtp_format_server(c->server, sizeof(c->server), srv);
	if (!msg_valid(m))
		return -EINVAL;
	c->nto = m->nto;
	c->cmd = calloc(m->nto + 6, sizeof(*c->cmd));
	if (!c->cmd)
		return -ENOMEM;
	struct sbuf s = { 0 };
	render(&s, c->cmd, m, when);	/* a dry run, for the size */
	c->text = malloc(s.n + 1);
	if (!c->text) {
		free(c->cmd);
		c->cmd = NULL;
		return -ENOMEM;
	}
	s = (struct sbuf){ .buf = c->text, .len = s.n + 1 };
	render(&s, c->cmd, m, when);
	sb_end(&s);
	c->timeout_us = timeout_us;
	c->deadline = now_us + timeout_us;
	return 0;
}

static void set_error(struct smtp_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
set_error(struct smtp_client *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err[0])
		return;		/* the first failure is the one worth logging */
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
}

static void
release(struct smtp_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->text);
	free(c->cmd);
	c->text = NULL;
	c->cmd = NULL;
	c->stage = SMTP_ST_DONE;
	c->writing = false;
	c->deadline = UINT64_MAX;
}

int
smtp_client_start(struct smtp_client *c, const struct sockaddr *srv,
		  socklen_t len, const struct smtp_msg *m, time_t when,
		  uint64_t now_us, uint64_t timeout_us)
{
	int r = client_init(c, srv, m, when, now_us, timeout_us);
	if (r < 0)
		return r;
	c->fd = socket(srv->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       IPPROTO_TCP);
	if (c->fd < 0) {
		r = -errno;
		release(c);
		return r;
	}
	if (connect(c->fd, srv, len) == 0) {
		c->stage = SMTP_ST_BANNER;
		return 0;
	}
	if (errno == EINPROGRESS) {
		c->stage = SMTP_ST_CONNECT;
		return 0;
	}
	r = -errno;
	set_error(c, "SMTP connection ERROR to %s.", c->server);
	release(c);
	return r;
}

int
smtp_client_start_fd(struct smtp_client *c, int fd,
		     const struct sockaddr *srv, const struct smtp_msg *m,
		     time_t when, uint64_t now_us, uint64_t timeout_us)
{
	int r = client_init(c, srv, m, when, now_us, timeout_us);
	if (r < 0) {
		close(fd);
		return r;
	}
	/* send/recv use MSG_DONTWAIT, so a blocking fd is fine too */
	c->fd = fd;
	c->stage = SMTP_ST_BANNER;
	return 0;
}

int
smtp_client_fd(const struct smtp_client *c)
{
	return c->fd;
}

uint32_t
smtp_client_events(const struct smtp_client *c)
{
	if (c->stage == SMTP_ST_DONE)
		return 0;
	if (c->stage == SMTP_ST_CONNECT || c->writing)
		return EPOLLOUT;
	return EPOLLIN;
}

uint64_t
smtp_client_deadline(const struct smtp_client *c)
{
	return c->deadline;
}

enum smtp_stage
smtp_client_stage(const struct smtp_client *c)
{
	return c->stage;
}

const char *
smtp_client_server(const struct smtp_client *c)
{
	return c->server;
}

const char *
smtp_client_error(const struct smtp_client *c)
{
	return c->err[0] ? c->err : NULL;
}

/* The fd stays open until smtp_client_close(), so the caller can still
 * take it out of its poll set. */
static void
finish(struct smtp_client *c)
{
	c->stage = SMTP_ST_DONE;
	c->writing = false;
	c->deadline = UINT64_MAX;
}

static void
queue(struct smtp_client *c, size_t cmd, enum smtp_stage next, uint64_t now)
{
	c->cur = cmd;
	c->off = 0;
	c->writing = true;
	c->stage = next;
	c->deadline = now + c->timeout_us;
}

/* keepalived answers every failure after the banner with a QUIT. */
static void
quit(struct smtp_client *c, uint64_t now)
{
	queue(c, CMD_QUIT(c), SMTP_ST_QUIT, now);
}

static void
on_reply(struct smtp_client *c, int code, uint64_t now)
{
	enum smtp_stage st = c->stage;

	if (st == SMTP_ST_QUIT) {
		finish(c);
		return;
	}
	if (code != stages[st].code) {
		set_error(c, "Error processing %s cmd on SMTP server %s. SMTP status code = %d",
			  stages[st].name, c->server, code);
		quit(c, now);
		return;
	}
	switch (st) {
	case SMTP_ST_BANNER:
		queue(c, CMD_HELO, SMTP_ST_HELO, now);
		break;
	case SMTP_ST_HELO:
		queue(c, CMD_MAIL, SMTP_ST_MAIL, now);
		break;
	case SMTP_ST_MAIL:
		c->rcpt = 0;
		queue(c, CMD_RCPT(0), SMTP_ST_RCPT, now);
		break;
	case SMTP_ST_RCPT:
		if (++c->rcpt < c->nto)
			queue(c, CMD_RCPT(c->rcpt), SMTP_ST_RCPT, now);
		else
			queue(c, CMD_DATA(c), SMTP_ST_DATA, now);
		break;
	case SMTP_ST_DATA:
		queue(c, CMD_BODY(c), SMTP_ST_BODY, now);
		break;
	case SMTP_ST_BODY:
		c->sent = true;
		quit(c, now);
		break;
	default:
		break;
	}
}

static int
reply_code(const char *line, size_t len)
{
	if (len < 3)
		return 0;
	int code = 0;
	for (int i = 0; i < 3; i++) {
		if (line[i] < '0' || line[i] > '9')
			return 0;
		code = code * 10 + (line[i] - '0');
	}
	return code;
}

/* Consume complete lines up to the last line of one reply ("250-" lines
 * continue it); true if a whole reply was handled. */
static bool
parse_reply(struct smtp_client *c, uint64_t now)
{
	for (;;) {
		char *eol = memmem(c->in, c->inlen, "\r\n", 2);
		if (!eol)
			return false;
		size_t llen = (size_t)(eol - c->in);
		bool more = llen >= 4 && c->in[3] == '-';
		int code = more ? 0 : reply_code(c->in, llen);
		c->inlen -= llen + 2;
		memmove(c->in, eol + 2, c->inlen);
		if (!more) {
			on_reply(c, code, now);
			return true;
		}
	}
}

/* Each step function returns true when it made progress and the caller
 * should try again, false when it would block or the dialogue ended. */
static bool
step_connect(struct smtp_client *c, uint64_t now)
{
	int err = 0;
	socklen_t len = sizeof(err);
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		set_error(c, "SMTP connection ERROR to %s.", c->server);
		finish(c);
		return false;
	}
	/* a spurious call: the connect has not completed yet */
	if (getpeername(c->fd, (struct sockaddr *)&peer, &plen) < 0)
		return false;
	c->stage = SMTP_ST_BANNER;
	c->deadline = now + c->timeout_us;
	return true;
}

static bool
step_write(struct smtp_client *c, uint64_t now)
{
	const char *p = c->text + c->cmd[c->cur] + c->off;
	size_t left = c->cmd[c->cur + 1] - c->cmd[c->cur] - c->off;
	ssize_t n = send(c->fd, p, left, MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n < 0) {
		if (errno == EINTR)
			return true;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return false;
		set_error(c, "Cannot send data to remote SMTP server %s.", c->server);
		finish(c);
		return false;
	}
	c->off += (size_t)n;
	c->deadline = now + c->timeout_us;
	if (c->off == c->cmd[c->cur + 1] - c->cmd[c->cur])
		c->writing = false;
	return true;
}

static bool
step_read(struct smtp_client *c, uint64_t now)
{
	if (parse_reply(c, now))
		return true;
	if (c->inlen == sizeof(c->in)) {
		set_error(c, "Received buffer from remote SMTP server %s"
			  " overflow our get read buffer length.", c->server);
		c->inlen = 0;
		if (c->stage == SMTP_ST_QUIT)
			finish(c);
		else
			quit(c, now);
		return c->stage != SMTP_ST_DONE;
	}
	ssize_t n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen,
			 MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EINTR)
			return true;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return false;
		set_error(c, "Error reading data from remote SMTP server %s.", c->server);
		finish(c);
		return false;
	}
	if (n == 0) {
		/* a close in answer to QUIT is just the end */
		if (c->stage != SMTP_ST_QUIT)
			set_error(c, "Remote SMTP server %s has closed the connection.",
				  c->server);
		finish(c);
		return false;
	}
	c->inlen += (size_t)n;
	/* keepalived re-arms its read timeout whenever data arrives */
	c->deadline = now + c->timeout_us;
	return true;
}

/* keepalived 2.2.7's wording (captured): a connect that never completes is
 * "Timeout opening connection"; a silent server gets a QUIT and one more
 * timeout to answer it. */
static void
on_timeout(struct smtp_client *c, uint64_t now)
{
	if (c->stage == SMTP_ST_CONNECT) {
		set_error(c, "Timeout opening connection to remote SMTP server %s.",
			  c->server);
		finish(c);
		return;
	}
	if (!c->sent)
		set_error(c, "Timeout reading data to remote SMTP server %s.", c->server);
	/* a half-written command can't be followed by a QUIT */
	if (c->stage == SMTP_ST_QUIT || (c->writing && c->off > 0))
		finish(c);
	else
		quit(c, now);
}

enum smtp_status
smtp_client_step(struct smtp_client *c, uint64_t now_us)
{
	bool progress = true;

	while (progress && c->stage != SMTP_ST_DONE) {
		if (c->stage == SMTP_ST_CONNECT)
			progress = step_connect(c, now_us);
		else if (c->writing)
			progress = step_write(c, now_us);
		else
			progress = step_read(c, now_us);
	}
	if (c->stage != SMTP_ST_DONE && now_us >= c->deadline) {
		on_timeout(c, now_us);
		/* the QUIT may go out at once */
		while (c->stage != SMTP_ST_DONE && c->writing && step_write(c, now_us))
			;
	}
	if (c->stage != SMTP_ST_DONE)
		return SMTP_MORE;
	return c->sent ? SMTP_SENT : SMTP_FAILED;
}

void
smtp_client_close(struct smtp_client *c)
{
	release(c);
}
