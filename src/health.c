/* health.c - the proxy's health thread (see health.h).
 *
 * Every checker is a small state machine (struct hc) with one deadline:
 * idle until its next run, then connecting / sending / reading (TCP_CHECK,
 * HTTP_GET) or running a script (MISC_CHECK).  The loop arms one timerfd
 * at the earliest deadline and waits on epoll for it, the sockets in
 * flight and an eventfd that health_child_exited() writes.  The retry and
 * up/down arithmetic is check.c's; the HTTP bytes are check_http.c's. */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "check_http.h"
#include "health.h"
#include "log.h"
#include "script.h"

#define SEC 1000000ULL
#define SUMMARY_EVERY_US SEC		/* the VS summary, besides every RS change */
#define KILL_GRACE_US (2 * SEC)		/* keepalived: SIGTERM, SIGKILL 2 s later */
#define NEVER UINT64_MAX
#define REQUEST_MAX 4096
#define MAX_EVENTS 64

/* epoll tags: the timerfd, the wake eventfd, then checker i as TAG_HC + i */
enum { TAG_TIMER, TAG_WAKE, TAG_HC };

enum hc_phase {
	HC_DISABLED,	/* not run by the proxy: counts as passing */
	HC_IDLE,	/* until `at`, the next run */
	HC_CONNECTING,
	HC_SENDING,	/* HTTP_GET: the request */
	HC_READING,	/* HTTP_GET: the response */
	HC_RUNNING,	/* MISC_CHECK: the script */
};

struct hrs;

/* One checker of one real server. */
struct hc {
	struct hrs *rs;
	const struct cf_checker *cf;
	size_t tag;
	struct check_params p;
	struct check_state st;
	enum hc_phase phase;
	uint64_t at;			/* IDLE: next run; else the deadline */
	uint64_t started;
	struct sockaddr_storage dst;
	socklen_t dstlen;
	int fd;
	/* HTTP_GET */
	size_t url;			/* the url in flight */
	pcre2_code **re;		/* per url; NULL: no regex */
	char *req, *buf;		/* only while an attempt is in flight */
	size_t req_len, req_off, len;
	/* MISC_CHECK */
	pid_t pid;			/* guarded by health.lock */
	int kill_stage;			/* 0, 1 after SIGTERM, 2 after SIGKILL */
	struct script_cred cred;
};

struct hrs {
	struct health *h;
	struct px_vs *vs;
	struct px_rs *px;
	bool alive;
	bool inhibit;			/* inhibit_on_failure: "Disabling"/"Enabling" */
	struct hc *hc;
	size_t nhc;
	struct script_cred up_cred, down_cred;
	bool up_ok, down_ok;		/* notify_up/down set and runnable */
};

struct exited {
	size_t tag;
	pid_t pid;
	int status;
};

struct health {
	struct px_shared *sh;
	pthread_t thread;
	bool thread_started;
	atomic_bool stop;
	int epfd, tfd, wake_fd;
	/* every hc.pid and the queue of exits the main thread handed over */
	pthread_mutex_t lock;
	struct exited *exited;
	size_t nexited, nmisc;
	struct hrs *rs;
	size_t nrs;
	struct hc **hcs;		/* by tag - TAG_HC */
	size_t nhcs;
	uint64_t next_summary;
	uint64_t rnd;			/* xorshift state for the warmup */
};

static uint64_t
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SEC + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t
next_random(struct health *h)
{
	uint64_t x = h->rnd;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return h->rnd = x;
}

static const char *
rs_name(const struct hc *c)
{
	return c->rs->px->name;
}

/* ---- the shared outputs ------------------------------------------------ */

static void
signal_vrrp(struct health *h)
{
	uint64_t one = 1;
	if (write(h->sh->event_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn("health: cannot write the event fd: %s", strerror(errno));
}

/* Recompute every px_vs.healthy; tell the VRRP thread if one changed. */
static void
summarize(struct health *h, uint64_t now)
{
	bool changed = false;
	for (size_t i = 0; i < h->sh->nvs; i++) {
		struct px_vs *vs = &h->sh->vs[i];
		bool ok = check_vs_healthy(h->sh, vs, now);
		if (atomic_exchange(&vs->healthy, ok) != ok) {
			log_detail("Virtual server %s is now %s", vs->name,
				   ok ? "healthy" : "unhealthy");
			changed = true;
		}
	}
	if (changed)
		signal_vrrp(h);
	h->next_summary = now + SUMMARY_EVERY_US;
}

static void
run_notify(struct hrs *rs, bool alive)
{
	const struct cf_script *sc = alive ? rs->px->cf->notify_up : rs->px->cf->notify_down;
	if (!sc || !(alive ? rs->up_ok : rs->down_ok))
		return;
	/* keepalived runs it with its configured arguments only; the main
	 * thread reaps it (health_child_exited() says it is not ours) */
	pid_t pid = script_spawn(sc, NULL, alive ? &rs->up_cred : &rs->down_cred);
	if (pid < 0)
		log_info("Cannot run %s for %s: %s", sc->cmd, rs->px->name, strerror((int)-pid));
}

/* A checker changed: is the real server still what it was? */
static void
rs_update(struct hrs *rs, uint64_t now)
{
	bool alive = true;
	for (size_t i = 0; i < rs->nhc; i++)
		alive = alive && rs->hc[i].st.up;
	if (alive == rs->alive)
		return;
	rs->alive = alive;
	/* keepalived's perform_svr_state() wording */
	log_info("%s service %s %s VS %s",
		 alive ? (rs->inhibit ? "Enabling" : "Adding")
		       : (rs->inhibit ? "Disabling" : "Removing"),
		 rs->px->name, rs->inhibit ? "of" : alive ? "to" : "from", rs->vs->name);
	px_rs_set_checked(rs->px, alive);
	run_notify(rs, alive);
	summarize(rs->h, now);
}

/* ---- epoll plumbing ---------------------------------------------------- */

static int
watch(struct health *h, int fd, uint32_t events, uint64_t tag, int op)
{
	struct epoll_event ev = { .events = events, .data.u64 = tag };
	return epoll_ctl(h->epfd, op, fd, &ev);
}

/* HTTP_GET's buffers live while an attempt is in flight only: many idle
 * checkers then cost no response buffer each */
static bool
http_buffers(struct hc *c)
{
	if (!c->req)
		c->req = malloc(REQUEST_MAX);
	if (!c->buf)
		c->buf = malloc(HTTP_CHECK_MAX_RESPONSE);
	return c->req && c->buf;
}

static void
http_buffers_free(struct hc *c)
{
	free(c->req);
	free(c->buf);
	c->req = c->buf = NULL;
}

static void
close_socket(struct hc *c)
{
	if (c->fd < 0)
		return;
	epoll_ctl(c->rs->h->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	c->fd = -1;
}

/* ---- one attempt's end --------------------------------------------------- */

static void
log_tcp(const struct hc *c, const struct check_outcome *o)
{
	if (o->report == CHECK_UP)
		log_info("TCP connection to %s success.", rs_name(c));
	else if (o->report == CHECK_DOWN && o->after_retries)
		log_info("TCP_CHECK on service %s failed after %u retries.", rs_name(c),
			 c->p.retry);
	else if (o->report == CHECK_DOWN)
		log_info("TCP_CHECK on service %s failed.", rs_name(c));
}

static void
log_http(const struct hc *c, const struct check_outcome *o)
{
	if (o->report == CHECK_UP)
		log_info("Remote Web server %s succeed on service.", rs_name(c));
	else if (o->report == CHECK_DOWN && o->after_retries)
		log_info("Check on service %s failed after %u retry.", rs_name(c), c->p.retry);
	else if (o->report == CHECK_DOWN)
		log_info("Check on service %s failed.", rs_name(c));
}

/* How a MISC_CHECK script ended, for its log line. */
struct misc_end {
	int status;		/* waitpid()'s */
	bool timed_out;		/* killed by us at misc_timeout */
};

static void
log_misc(const struct hc *c, const struct check_outcome *o, const struct misc_end *e)
{
	const char *path = c->cf->misc->argv[0];
	if (o->report == CHECK_UP) {
		log_info("Misc check for [%s VS %s] by [%s] succeeded.", rs_name(c),
			 c->rs->vs->name, path);
		return;
	}
	/* a failure that will be retried is only told with log_all_failures */
	if (o->report != CHECK_DOWN && !(o->report == CHECK_RETRY && c->cf->log_all_failures))
		return;
	char after[40] = "";
	if (o->after_retries)
		snprintf(after, sizeof(after), " after %u retries", c->p.retry);
	const char *what = e->timed_out ? "timed out" : "failed";
	if (WIFEXITED(e->status))
		log_info("Misc check for [%s VS %s] by [%s] %s%s (exited with status %d).",
			 rs_name(c), c->rs->vs->name, path, what, after, WEXITSTATUS(e->status));
	else if (!e->timed_out)
		log_info("Misc check for [%s VS %s] by [%s] %s%s (due to signal %d).",
			 rs_name(c), c->rs->vs->name, path, what, after, WTERMSIG(e->status));
	else
		log_info("Misc check for [%s VS %s] by [%s] %s%s.", rs_name(c),
			 c->rs->vs->name, path, what, after);
}

/* Feed the attempt's result to the state machine, log it as keepalived
 * does (before any "Removing service"), schedule the next run.  ME: how
 * a MISC_CHECK script ended; NULL for the others. */
static void
attempt_done(struct hc *c, bool ok, uint64_t now, const struct misc_end *me)
{
	close_socket(c);
	http_buffers_free(c);
	struct check_outcome o = check_result(&c->st, &c->p, ok);
	if (c->cf->type == CF_CHK_TCP)
		log_tcp(c, &o);
	else if (c->cf->type == CF_CHK_HTTP_GET)
		log_http(c, &o);
	else if (me)
		log_misc(c, &o, me);
	c->phase = HC_IDLE;
	c->url = 0;
	/* keepalived times a script's next run from its start, a
	 * connection's from its end */
	uint64_t from = c->cf->type == CF_CHK_MISC ? c->started : now;
	c->at = from + o.delay > now ? from + o.delay : now;
	if (o.changed)
		rs_update(c->rs, now);
}

/* A connection attempt failed; REASON is HTTP_GET's word for it. */
static void
conn_failed(struct hc *c, const char *reason, bool timeout, uint64_t now)
{
	if (c->cf->type == CF_CHK_HTTP_GET && c->st.up)
		log_info("%s server %s.", reason, rs_name(c));
	else if (c->cf->type == CF_CHK_TCP && c->st.up && c->cf->log_all_failures)
		log_info("TCP connection to %s %s.", rs_name(c), timeout ? "timedout" : "failed");
	attempt_done(c, false, now, NULL);
}

/* ---- TCP_CHECK and HTTP_GET -------------------------------------------- */

static int
bind_source(const struct hc *c, int fd)
{
	const struct cf_checker *cf = c->cf;
	if (cf->bind_if[0] &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, cf->bind_if, (socklen_t)strlen(cf->bind_if)) < 0)
		return -1;
	if (cf->bindto.family == AF_UNSPEC && cf->bind_port == CF_UNSET)
		return 0;
	struct sockaddr_storage src;
	memset(&src, 0, sizeof(src));
	socklen_t len;
	uint16_t port = htons(cf->bind_port == CF_UNSET ? 0 : (uint16_t)cf->bind_port);
	if (c->dst.ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&src;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = port;
		if (cf->bindto.family == AF_INET6)
			memcpy(&s6->sin6_addr, cf->bindto.a, 16);
		else if (cf->bindto.family != AF_UNSPEC)
			return -1;
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&src;
		s4->sin_family = AF_INET;
		s4->sin_port = port;
		if (cf->bindto.family == AF_INET)
			memcpy(&s4->sin_addr, cf->bindto.a, 4);
		else if (cf->bindto.family != AF_UNSPEC)
			return -1;
		len = sizeof(*s4);
	}
	return bind(fd, (struct sockaddr *)&src, len);
}

static void
start_connect(struct hc *c, uint64_t now)
{
	struct health *h = c->rs->h;
	int fd = socket(c->dst.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind_source(c, fd) < 0) {
		/* no verdict: keepalived just tries again a delay_loop later */
		log_info("%s socket %s failed: %s. Rescheduling.", check_type_name(c->cf->type),
			 fd < 0 ? "creation" : "bind", strerror(errno));
		if (fd >= 0)
			close(fd);
		http_buffers_free(c);
		c->phase = HC_IDLE;
		c->url = 0;
		c->at = now + c->p.delay_loop;
		return;
	}
	c->fd = fd;
	c->phase = HC_CONNECTING;
	c->at = now + c->p.connect_timeout;
	if (connect(fd, (struct sockaddr *)&c->dst, c->dstlen) < 0 && errno != EINPROGRESS) {
		conn_failed(c, "Error connecting", false, now);
		return;
	}
	/* even a connect that completed at once reports through EPOLLOUT */
	if (watch(h, fd, EPOLLOUT, TAG_HC + c->tag, EPOLL_CTL_ADD) < 0)
		conn_failed(c, "Error connecting", false, now);
}

static void send_more(struct hc *c, uint64_t now);

static void
start_request(struct hc *c, uint64_t now)
{
	const struct cf_url *url = &c->cf->urls[c->url];
	const char *vhost = http_check_vhost(url, c->cf, c->rs->vs->cf);
	if (!http_buffers(c)) {
		conn_failed(c, "Cannot send get request to", false, now);
		return;
	}
	int n = http_check_request(c->req, REQUEST_MAX, url->path, vhost,
				   (struct sockaddr *)&c->dst, c->cf->http_protocol);
	if (n < 0) {
		conn_failed(c, "Cannot send get request to", false, now);
		return;
	}
	c->req_len = (size_t)n;
	c->req_off = 0;
	c->len = 0;
	c->phase = HC_SENDING;
	c->at = now + c->p.connect_timeout;
	send_more(c, now);
}

static void
connected(struct hc *c, uint64_t now)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err) {
		conn_failed(c, "Error connecting", false, now);
		return;
	}
	if (c->cf->type == CF_CHK_TCP)
		attempt_done(c, true, now, NULL);
	else
		start_request(c, now);
}

static void
send_more(struct hc *c, uint64_t now)
{
	ssize_t n = send(c->fd, c->req + c->req_off, c->req_len - c->req_off, MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		conn_failed(c, "Cannot send get request to", false, now);
		return;
	}
	c->req_off += (size_t)n;
	if (c->req_off < c->req_len)
		return;
	c->phase = HC_READING;
	c->at = now + c->p.connect_timeout;
	if (watch(c->rs->h, c->fd, EPOLLIN, TAG_HC + c->tag, EPOLL_CTL_MOD) < 0)
		conn_failed(c, "Read error with", false, now);
}

/* The url passed while the checker was down: keepalived says which. */
static void
log_url_success(const struct hc *c, enum http_verdict v)
{
	const char *what = v == HTTP_OK_REGEX ? "Regex match success"
			 : v == HTTP_OK_STATUS ? "HTTP status code success"
			 : "HTTP success";
	log_info("%s to %s url(%zu).", what, rs_name(c), c->url + 1);
}

static void
judge(struct hc *c, uint64_t now)
{
	const struct cf_url *url = &c->cf->urls[c->url];
	struct http_check_resp r;
	http_check_parse(c->buf, c->len, &r);
	enum http_verdict v = http_check_judge(url, c->re[c->url], &r);
	if (!http_verdict_ok(v)) {
		conn_failed(c, http_verdict_reason(v), false, now);
		return;
	}
	if (!c->st.up)
		log_url_success(c, v);
	/* every url must pass: the next one right away, on a new connection */
	if (++c->url < c->cf->nurls) {
		close_socket(c);
		start_connect(c, now);
		return;
	}
	attempt_done(c, true, now, NULL);
}

static void
read_more(struct hc *c, uint64_t now)
{
	for (;;) {
		size_t room = HTTP_CHECK_MAX_RESPONSE - c->len;
		if (!room) {
			judge(c, now);	/* enough: judge the start of it */
			return;
		}
		ssize_t n = recv(c->fd, c->buf + c->len, room, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0) {
			conn_failed(c, "Read error with", false, now);
			return;
		}
		if (n == 0) {
			judge(c, now);
			return;
		}
		c->len += (size_t)n;
		c->at = now + c->p.connect_timeout;	/* the timeout is per read */
		struct http_check_resp r;
		if (http_check_parse(c->buf, c->len, &r) && http_check_complete(&r)) {
			judge(c, now);
			return;
		}
	}
}

/* ---- MISC_CHECK ---------------------------------------------------------- */

static void
misc_start(struct hc *c, uint64_t now)
{
	struct health *h = c->rs->h;
	/* spawn and record under the lock: the main thread may reap the child
	 * before script_spawn() even returns, and must find it ours */
	pthread_mutex_lock(&h->lock);
	pid_t pid = script_spawn(c->cf->misc, NULL, &c->cred);
	c->pid = pid > 0 ? pid : 0;
	pthread_mutex_unlock(&h->lock);
	c->started = now;
	if (pid < 0) {
		log_info("Misc check for [%s VS %s] by [%s] cannot start: %s", rs_name(c),
			 c->rs->vs->name, c->cf->misc->argv[0], strerror((int)-pid));
		/* judged as a shell judges a command it cannot run */
		attempt_done(c, false, now, &(struct misc_end){ .status = 127 << 8 });
		return;
	}
	c->phase = HC_RUNNING;
	c->kill_stage = 0;
	c->at = now + c->p.misc_timeout;
}

static void
misc_signal(struct hc *c, int sig)
{
	struct health *h = c->rs->h;
	pthread_mutex_lock(&h->lock);
	if (c->pid)	/* else already reaped: its pid may be someone else's */
		script_kill(c->pid, sig);
	pthread_mutex_unlock(&h->lock);
}

static void
misc_timeout(struct hc *c, uint64_t now)
{
	if (c->kill_stage == 0) {
		misc_signal(c, SIGTERM);
		c->kill_stage = 1;
		c->at = now + KILL_GRACE_US;
	} else {
		misc_signal(c, SIGKILL);
		c->kill_stage = 2;
		c->at = NEVER;	/* until the main thread reaps it */
	}
}

static void
misc_exited(struct hc *c, pid_t pid, int status, uint64_t now)
{
	struct misc_end e = {
		.status = status,
		.timed_out = c->kill_stage > 0 && WIFSIGNALED(status),
	};
	if (e.timed_out && WTERMSIG(status) == SIGTERM)
		kill(-pid, SIGKILL);	/* what it started, as keepalived does */
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	/* misc_dynamic: 2-255 pass too (the weight, status - 2, is not applied) */
	bool ok = code == 0 || (c->cf->misc_dynamic && code >= 2 && code <= 255);
	attempt_done(c, ok, now, &e);
}

/* The main thread's reports: judge them here, in the health thread. */
static void
drain_exited(struct health *h, uint64_t now)
{
	struct exited batch[64];
	for (;;) {
		pthread_mutex_lock(&h->lock);
		size_t n = h->nexited < 64 ? h->nexited : 64;
		memcpy(batch, h->exited, n * sizeof(*batch));
		memmove(h->exited, h->exited + n, (h->nexited - n) * sizeof(*batch));
		h->nexited -= n;
		pthread_mutex_unlock(&h->lock);
		if (!n)
			return;
		for (size_t i = 0; i < n; i++) {
			struct hc *c = h->hcs[batch[i].tag];
			if (c->phase == HC_RUNNING)
				misc_exited(c, batch[i].pid, batch[i].status, now);
		}
	}
}

bool
health_child_exited(struct health *h, pid_t pid, int status)
{
	if (!h || pid <= 0)
		return false;
	bool ours = false;
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < h->nhcs && !ours; i++) {
		struct hc *c = h->hcs[i];
		if (c->pid != pid)
			continue;
		c->pid = 0;	/* reaped: never signal that pid again */
		/* one child per MISC_CHECK at a time: the queue cannot overflow */
		h->exited[h->nexited++] = (struct exited){ .tag = i, .pid = pid, .status = status };
		ours = true;
	}
	pthread_mutex_unlock(&h->lock);
	if (ours) {
		uint64_t one = 1;
		if (write(h->wake_fd, &one, sizeof(one)) < 0)
			log_warn("health: cannot wake the thread: %s", strerror(errno));
	}
	return ours;
}

/* ---- the loop ------------------------------------------------------------ */

/* The deadline of a checker passed. */
static void
hc_due(struct hc *c, uint64_t now)
{
	switch (c->phase) {
	case HC_IDLE:
		if (c->cf->type == CF_CHK_MISC)
			misc_start(c, now);
		else
			start_connect(c, now);
		break;
	case HC_CONNECTING:
		conn_failed(c, "Timeout connecting", true, now);
		break;
	case HC_SENDING:
		conn_failed(c, "Timeout WEB write", true, now);
		break;
	case HC_READING:
		conn_failed(c, c->len ? "Timeout HTTP read" : "Timeout WEB read", true, now);
		break;
	case HC_RUNNING:
		misc_timeout(c, now);
		break;
	case HC_DISABLED:
		break;
	}
}

static void
hc_ready(struct hc *c, uint64_t now)
{
	switch (c->phase) {
	case HC_CONNECTING: connected(c, now); break;
	case HC_SENDING: send_more(c, now); break;
	case HC_READING: read_more(c, now); break;
	default: break;
	}
}

static void
run_due(struct health *h, uint64_t now)
{
	for (size_t i = 0; i < h->nhcs; i++) {
		struct hc *c = h->hcs[i];
		if (c->phase != HC_DISABLED && c->at <= now)
			hc_due(c, now);
	}
	if (now >= h->next_summary)
		summarize(h, now);
}

static void
arm_timer(struct health *h)
{
	uint64_t at = h->next_summary;
	for (size_t i = 0; i < h->nhcs; i++)
		if (h->hcs[i]->phase != HC_DISABLED && h->hcs[i]->at < at)
			at = h->hcs[i]->at;
	if (!at)
		at = 1;		/* zero would disarm it */
	struct itimerspec its = {
		.it_value = { .tv_sec = (time_t)(at / SEC), .tv_nsec = (long)(at % SEC) * 1000 },
	};
	if (timerfd_settime(h->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		log_warn("health: timerfd_settime: %s", strerror(errno));
}

static void
drain_fd(int fd)
{
	uint64_t v;
	while (read(fd, &v, sizeof(v)) > 0)
		;
}

static void *
health_main(void *arg)
{
	struct health *h = arg;
	struct epoll_event ev[MAX_EVENTS];
	while (!atomic_load(&h->stop)) {
		run_due(h, now_us());
		arm_timer(h);
		int n = epoll_wait(h->epfd, ev, MAX_EVENTS, -1);
		if (n < 0 && errno != EINTR) {
			log_warn("health: epoll_wait: %s - checks stopped", strerror(errno));
			break;
		}
		uint64_t now = now_us();
		for (int i = 0; i < n; i++) {
			uint64_t tag = ev[i].data.u64;
			if (tag == TAG_TIMER) {
				drain_fd(h->tfd);
			} else if (tag == TAG_WAKE) {
				drain_fd(h->wake_fd);
				drain_exited(h, now);
			} else if (tag - TAG_HC < h->nhcs) {
				struct hc *c = h->hcs[tag - TAG_HC];
				/* a socket closed earlier in this batch is stale */
				if (c->fd >= 0)
					hc_ready(c, now);
			}
		}
	}
	return NULL;
}

/* ---- setting up ------------------------------------------------------------ */

static void
hc_target(struct hc *c)
{
	const struct cf_checker *cf = c->cf;
	const struct px_rs *px = c->rs->px;
	memcpy(&c->dst, &px->sa, sizeof(c->dst));
	c->dstlen = px->salen;
	if (cf->connect_ip.family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&c->dst;
		uint16_t port = c->dst.ss_family == AF_INET ? s4->sin_port
			      : ((struct sockaddr_in6 *)&c->dst)->sin6_port;
		memset(&c->dst, 0, sizeof(c->dst));
		s4->sin_family = AF_INET;
		s4->sin_port = port;
		memcpy(&s4->sin_addr, cf->connect_ip.a, 4);
		c->dstlen = sizeof(*s4);
	} else if (cf->connect_ip.family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&c->dst;
		uint16_t port = c->dst.ss_family == AF_INET6 ? s6->sin6_port
			      : ((struct sockaddr_in *)&c->dst)->sin_port;
		memset(&c->dst, 0, sizeof(c->dst));
		s6->sin6_family = AF_INET6;
		s6->sin6_port = port;
		memcpy(&s6->sin6_addr, cf->connect_ip.a, 16);
		c->dstlen = sizeof(*s6);
	}
	if (cf->connect_port != CF_UNSET) {
		uint16_t port = htons((uint16_t)cf->connect_port);
		if (c->dst.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&c->dst)->sin6_port = port;
		else
			((struct sockaddr_in *)&c->dst)->sin_port = port;
	}
}

/* HTTP_GET: the urls' regexes, compiled once.  False without memory. */
static bool
http_prepare(struct hc *c)
{
	c->re = calloc(c->cf->nurls, sizeof(*c->re));
	if (!c->re)
		return false;
	for (size_t u = 0; u < c->cf->nurls; u++) {
		const struct cf_url *url = &c->cf->urls[u];
		if (url->digest)
			log_info("HTTP_GET on %s url(%zu): digest is not supported by the proxy "
				 "(no MD5) - checking the status code only", rs_name(c), u + 1);
		if (!url->regex)
			continue;
		char err[200];
		c->re[u] = http_check_compile(url->regex, err, sizeof(err));
		if (!c->re[u])
			log_info("HTTP_GET on %s url(%zu): invalid regex '%s' (%s) - ignoring it",
				 rs_name(c), u + 1, url->regex, err);
	}
	return true;
}

/* Whether the proxy runs checker C; says once why not. */
static bool
hc_runnable(struct hc *c, const struct cf_global *g)
{
	const struct cf_checker *cf = c->cf;
	if (!check_type_supported(cf->type)) {
		log_info("%s on service %s is not supported by the proxy - counting it as passing",
			 check_type_name(cf->type), rs_name(c));
		return false;
	}
	if (cf->type == CF_CHK_HTTP_GET && !cf->nurls)
		return false;	/* keepalived: no url, up without checking */
	if (cf->type == CF_CHK_MISC && !cf->misc)
		return false;
	if (cf->type == CF_CHK_MISC && script_cred(cf->misc, g, &c->cred) < 0) {
		log_info("Misc check for %s: unknown user or group for %s - not run",
			 rs_name(c), cf->misc->cmd);
		return false;
	}
	return true;
}

static bool
hc_init(struct hc *c, struct hrs *rs, const struct cf_checker *cf, size_t tag, uint64_t now)
{
	const struct cf_global *g = rs->h->sh->g;
	c->rs = rs;
	c->cf = cf;
	c->tag = tag;
	c->fd = -1;
	check_params_resolve(rs->vs->cf, rs->px->cf, cf, &c->p);
	hc_target(c);
	if (!hc_runnable(c, g)) {
		c->phase = HC_DISABLED;
		check_state_init(&c->st, false);
		return true;
	}
	check_state_init(&c->st, c->p.alpha);
	c->phase = HC_IDLE;
	c->at = now + check_first_delay(&c->p, next_random(rs->h));
	if (cf->type == CF_CHK_MISC)
		rs->h->nmisc++;
	return cf->type != CF_CHK_HTTP_GET || http_prepare(c);
}

/* Resolve the notify scripts' users now: never in the thread (NSS may block). */
static void
notify_creds(struct hrs *rs, const struct cf_global *g)
{
	const struct cf_real_server *cf = rs->px->cf;
	rs->up_ok = cf->notify_up && script_cred(cf->notify_up, g, &rs->up_cred) == 0;
	rs->down_ok = cf->notify_down && script_cred(cf->notify_down, g, &rs->down_cred) == 0;
	if ((cf->notify_up && !rs->up_ok) || (cf->notify_down && !rs->down_ok))
		log_info("Real server %s: unknown user or group for a notify script - not run",
			 rs->px->name);
}

static bool
rs_init(struct health *h, struct hrs *rs, struct px_vs *vs, struct px_rs *px, uint64_t now)
{
	rs->h = h;
	rs->vs = vs;
	rs->px = px;
	rs->inhibit = px->cf->inhibit_on_failure || vs->cf->inhibit_on_failure;
	notify_creds(rs, h->sh->g);
	rs->nhc = px->cf->nchecks;
	if (rs->nhc && !(rs->hc = calloc(rs->nhc, sizeof(*rs->hc))))
		return false;
	for (size_t i = 0; i < rs->nhc; i++) {
		h->hcs[h->nhcs] = &rs->hc[i];
		if (!hc_init(&rs->hc[i], rs, &px->cf->checkers[i], h->nhcs++, now))
			return false;
	}
	/* up unless an alpha checker starts it down; no "Removing" for that */
	rs->alive = true;
	for (size_t i = 0; i < rs->nhc; i++)
		rs->alive = rs->alive && rs->hc[i].st.up;
	px_rs_set_checked(px, rs->alive);
	return true;
}

static bool
build(struct health *h, uint64_t now)
{
	size_t nrs = 0, nhc = 0;
	for (size_t v = 0; v < h->sh->nvs; v++) {
		nrs += h->sh->vs[v].nrs;
		for (size_t r = 0; r < h->sh->vs[v].nrs; r++)
			nhc += h->sh->vs[v].rs[r].cf->nchecks;
	}
	h->rs = calloc(nrs ? nrs : 1, sizeof(*h->rs));
	h->hcs = calloc(nhc ? nhc : 1, sizeof(*h->hcs));
	if (!h->rs || !h->hcs)
		return false;
	for (size_t v = 0; v < h->sh->nvs; v++) {
		struct px_vs *vs = &h->sh->vs[v];
		for (size_t r = 0; r < vs->nrs; r++)
			if (!rs_init(h, &h->rs[h->nrs++], vs, &vs->rs[r], now))
				return false;
	}
	h->exited = calloc(h->nmisc ? h->nmisc : 1, sizeof(*h->exited));
	return h->exited != NULL;
}

static bool
open_fds(struct health *h)
{
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	h->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	h->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return h->epfd >= 0 && h->tfd >= 0 && h->wake_fd >= 0 &&
	       watch(h, h->tfd, EPOLLIN, TAG_TIMER, EPOLL_CTL_ADD) == 0 &&
	       watch(h, h->wake_fd, EPOLLIN, TAG_WAKE, EPOLL_CTL_ADD) == 0;
}

/* The thread takes no signal: the main thread reads them from a signalfd,
 * which only works while every thread blocks them. */
static int
spawn(struct health *h)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int r = pthread_create(&h->thread, NULL, health_main, h);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return r;
}

static void
free_all(struct health *h)
{
	for (size_t i = 0; i < h->nrs; i++) {
		struct hrs *rs = &h->rs[i];
		for (size_t k = 0; k < rs->nhc; k++) {
			struct hc *c = &rs->hc[k];
			if (c->fd >= 0)
				close(c->fd);
			for (size_t u = 0; c->re && u < c->cf->nurls; u++)
				pcre2_code_free(c->re[u]);
			free(c->re);
			free(c->req);
			free(c->buf);
		}
		free(rs->hc);
	}
	free(h->rs);
	free(h->hcs);
	free(h->exited);
	if (h->epfd >= 0)
		close(h->epfd);
	if (h->tfd >= 0)
		close(h->tfd);
	if (h->wake_fd >= 0)
		close(h->wake_fd);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

struct health *
health_start(struct px_shared *shared)
{
	struct health *h = calloc(1, sizeof(*h));
	if (!h) {
		log_warn("health: out of memory");
		return NULL;
	}
	h->sh = shared;
	h->epfd = h->tfd = h->wake_fd = -1;
	atomic_init(&h->stop, false);
	pthread_mutex_init(&h->lock, NULL);
	uint64_t now = now_us();
	h->rnd = (now ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)h) | 1;
	if (!build(h, now) || !open_fds(h)) {
		log_warn("health: cannot start: %s", strerror(errno ? errno : ENOMEM));
		free_all(h);
		return NULL;
	}
	int r = spawn(h);
	if (r) {
		log_warn("health: cannot start the thread: %s", strerror(r));
		free_all(h);
		return NULL;
	}
	h->thread_started = true;
	return h;
}

void
health_stop(struct health *h)
{
	if (!h)
		return;
	if (h->thread_started) {
		atomic_store(&h->stop, true);
		uint64_t one = 1;
		if (write(h->wake_fd, &one, sizeof(one)) < 0)
			log_warn("health: cannot wake the thread: %s", strerror(errno));
		pthread_join(h->thread, NULL);
	}
	pthread_mutex_lock(&h->lock);
	for (size_t i = 0; i < h->nhcs; i++) {
		if (h->hcs[i]->pid)
			script_kill(h->hcs[i]->pid, SIGKILL);
		h->hcs[i]->pid = 0;
	}
	pthread_mutex_unlock(&h->lock);
	free_all(h);
}
