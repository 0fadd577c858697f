/* alert.c - SMTP alerts (see alert.h). */
#include "config.h"

#include <netdb.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "log.h"

static void
host_name(char *buf, size_t len)
{
	if (gethostname(buf, len) < 0)
		snprintf(buf, len, "localhost");
	buf[len - 1] = '\0';
}

/* keepalived's defaults: the host name, and <user>@<host> */
static void
names(struct alerts *a, const struct cf_global *g)
{
	char host[200];
	host_name(host, sizeof(host));
	snprintf(a->router_id, sizeof(a->router_id), "%s", g->router_id ? g->router_id : host);
	snprintf(a->helo, sizeof(a->helo), "%s", g->smtp_helo_name ? g->smtp_helo_name : host);
	if (g->email_from) {
		snprintf(a->from, sizeof(a->from), "%s", g->email_from);
	} else {
		struct passwd *pw = getpwuid(getuid());
		snprintf(a->from, sizeof(a->from), "%s@%s", pw ? pw->pw_name : "root", host);
	}
}

/* STARTTLS or AUTH: the mail thread, started now, while the process is
 * still single-threaded (libcurl's global init wants that). */
static bool
start_mailer(struct alerts *a)
{
	const struct cf_global *g = a->g;
	if (!mailer_available()) {
		log_info("SMTP: smtp_starttls/smtp_auth_user need libcurl, and this Vigil"
			 " was built without it - not sending alerts");
		return false;
	}
	struct mailer_conf conf = {
		.host = g->smtp_server, .port = g->smtp_port,
		.addr = (const struct sockaddr *)&a->srv, .addrlen = a->srvlen,
		.helo = a->helo, .from = a->from,
		.rcpt = (const char *const *)g->emails, .nrcpt = g->nemails,
		.user = g->smtp_auth_user, .password = g->smtp_auth_password,
		.ca_file = g->smtp_tls_ca_file,
		.starttls = g->smtp_starttls, .verify = !g->smtp_tls_noverify,
		.timeout_s = g->smtp_connect_timeout,
	};
	int r = mailer_start(&a->mailer, &conf);
	if (r < 0) {
		log_info("SMTP: cannot start the mail thread (%s) - not sending alerts",
			 strerror(-r));
		return false;
	}
	struct epoll_event ev = { .events = EPOLLIN,
				  .data.u64 = a->tag_base + ALERT_TAG_MAILER };
	epoll_ctl(a->epfd, EPOLL_CTL_ADD, mailer_fd(&a->mailer), &ev);
	return true;
}

void
alerts_init(struct alerts *a, const struct cf_global *g, int epfd, uint64_t tag_base)
{
	memset(a, 0, sizeof(*a));
	a->g = g;
	a->epfd = epfd;
	a->tag_base = tag_base;
	a->mailer.done_fd = -1;
	if (!g->smtp_server || !g->nemails)
		return;
	char port[8];
	snprintf(port, sizeof(port), "%u", g->smtp_port);
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	if (getaddrinfo(g->smtp_server, port, &hints, &res) || !res) {
		log_info("Invalid smtp server %s %u", g->smtp_server, g->smtp_port);
		return;
	}
	memcpy(&a->srv, res->ai_addr, res->ai_addrlen);
	a->srvlen = res->ai_addrlen;
	freeaddrinfo(res);
	names(a, g);
	a->retries = g->smtp_attempts ? g->smtp_attempts - 1 : SMTP_RETRIES_DEFAULT;
	a->retry_delay = g->smtp_retry_delay;
	a->use_curl = g->smtp_starttls || g->smtp_auth_user;
	a->queue = calloc(ALERT_QUEUE, sizeof(*a->queue));
	if (!a->queue) {
		log_info("SMTP: out of memory - not sending alerts");
		return;
	}
	if (a->use_curl && !start_mailer(a))
		return;
	a->enabled = true;
}

/* ---- one alert's life: attempts, retries, the end ---- */

static void
drop_client(struct alerts *a, struct alert *al)
{
	if (!al->client)
		return;
	epoll_ctl(a->epfd, EPOLL_CTL_DEL, smtp_client_fd(al->client), NULL);
	smtp_client_close(al->client);
	free(al->client);
	al->client = NULL;
}

static void
release(struct alerts *a, struct alert *al)
{
	drop_client(a, al);
	free(al->content);
	memset(al, 0, sizeof(*al));
}

void
alerts_close(struct alerts *a)
{
	/* first the thread: then no job is in its hands */
	mailer_stop(&a->mailer);
	for (int i = 0; i < ALERT_SLOTS; i++)
		if (a->slot[i].used)
			release(a, &a->slot[i]);
	if (a->qlen)
		log_info("SMTP: %u alerts waiting for a connection not sent", a->qlen);
	free(a->queue);
	a->queue = NULL;
	a->qlen = 0;
}

static void
succeeded(struct alerts *a, struct alert *al)
{
	log_detail("SMTP alert successfully sent.");
	release(a, al);
}

/* One line per failed attempt (keepalived's, from the client), then either
 * a retry kept as a deadline, or the end. */
static void
failed(struct alerts *a, struct alert *al, const char *why, uint64_t now)
{
	log_info("%s", why ? why : "SMTP alert failed");
	unsigned wait = smtp_retry_wait(a->retries, a->retry_delay, al->attempts);
	if (wait) {
		al->retry_at = now + (uint64_t)wait * 1000000;
		return;
	}
	if (al->attempts > 1)
		log_info("SMTP alert \"%s\" not sent after %u attempts - giving up",
			 al->t.subject, al->attempts);
	release(a, al);
}

static struct smtp_msg
message(const struct alerts *a, const struct alert *al)
{
	return (struct smtp_msg){
		.helo = a->helo, .from = a->from,
		.to = (const char *const *)a->g->emails, .nto = a->g->nemails,
		.subject = al->t.subject, .body = al->t.body,
	};
}

static void
attempt_plain(struct alerts *a, struct alert *al, uint64_t now)
{
	struct smtp_msg m = message(a, al);
	struct smtp_client *c = calloc(1, sizeof(*c));
	if (!c) {
		failed(a, al, "SMTP alert failed: out of memory", now);
		return;
	}
	uint64_t timeout = (uint64_t)a->g->smtp_connect_timeout * 1000000;
	if (smtp_client_start(c, (struct sockaddr *)&a->srv, a->srvlen, &m, al->t.when,
			      now, timeout) < 0) {
		char why[sizeof(c->err)];
		snprintf(why, sizeof(why), "%s",
			 smtp_client_error(c) ? smtp_client_error(c) : "SMTP alert failed");
		free(c);
		failed(a, al, why, now);
		return;
	}
	int slot = (int)(al - a->slot);
	struct epoll_event ev = { .events = smtp_client_events(c),
				  .data.u64 = a->tag_base + (uint64_t)slot };
	epoll_ctl(a->epfd, EPOLL_CTL_ADD, smtp_client_fd(c), &ev);
	al->client = c;
}

/* The same bytes as the plain client's DATA, rendered once: every attempt
 * sends the same message. */
static bool
render_content(const struct alerts *a, struct alert *al)
{
	if (al->content)
		return true;
	struct smtp_msg m = message(a, al);
	size_t len = smtp_build_content(NULL, 0, &m, al->t.when);
	al->content = malloc(len + 1);
	if (!al->content)
		return false;
	smtp_build_content(al->content, len + 1, &m, al->t.when);
	al->job.data = al->content;
	al->job.len = len;
	return true;
}

static void
attempt_curl(struct alerts *a, struct alert *al, uint64_t now)
{
	if (!render_content(a, al)) {
		failed(a, al, "SMTP alert failed: out of memory", now);
		return;
	}
	if (!mailer_submit(&a->mailer, &al->job)) {
		failed(a, al, "SMTP alert failed: the mail thread is not running", now);
		return;
	}
	al->job_out = true;
}

static void
attempt(struct alerts *a, struct alert *al, uint64_t now)
{
	al->attempts++;
	al->retry_at = 0;
	if (a->use_curl)
		attempt_curl(a, al, now);
	else
		attempt_plain(a, al, now);
}

static bool
wanted(const struct alerts *a, int smtp_alert, const char *state)
{
	const struct cf_global *g = a->g;
	int on = smtp_alert != CF_UNSET ? smtp_alert
		 : g->smtp_alert_vrrp != CF_UNSET ? g->smtp_alert_vrrp
		 : g->smtp_alert != CF_UNSET ? g->smtp_alert : 0;
	if (!strcmp(state, "FAULT") && g->no_email_faults)
		return false;
	return a->enabled && on;
}

/* A slot for a new alert: a free one, else one whose alert only waits to
 * be retried (the oldest such alert gives up: news of the latest state
 * counts more than another try at an old one).  NULL when every slot has
 * an attempt in flight (a server that hangs each connection until
 * smtp_connect_timeout, with state changes faster than that): the new
 * alert waits in the queue. */
static struct alert *
free_slot(struct alerts *a)
{
	struct alert *waiting = NULL;
	for (int i = 0; i < ALERT_SLOTS; i++) {
		struct alert *al = &a->slot[i];
		if (!al->used)
			return al;
		if (al->retry_at && !al->client && !al->job_out &&
		    (!waiting || al->t.when < waiting->t.when))
			waiting = al;
	}
	if (!waiting)
		return NULL;
	log_info("SMTP alert \"%s\" not sent after %u attempts - giving up for a newer one",
		 waiting->t.subject, waiting->attempts);
	release(a, waiting);
	return waiting;
}

/* Queued alerts, oldest first, into the slots free now. */
static void
start_queued(struct alerts *a, uint64_t now)
{
	struct alert *al;
	while (a->qlen && (al = free_slot(a))) {
		al->used = true;
		al->t = a->queue[a->qhead];
		a->qhead = (a->qhead + 1) % ALERT_QUEUE;
		a->qlen--;
		attempt(a, al, now);
	}
}

void
alerts_vrrp(struct alerts *a, bool group, const char *name, const char *state,
	    int smtp_alert, uint64_t now)
{
	if (!wanted(a, smtp_alert, state))
		return;
	if (a->qlen == ALERT_QUEUE) {
		log_info("SMTP: %d alerts in flight and %d waiting - not sending %s %s",
			 ALERT_SLOTS, ALERT_QUEUE, name, state);
		return;
	}
	struct alert_text *t = &a->queue[(a->qhead + a->qlen) % ALERT_QUEUE];
	if (!smtp_vrrp_text(t->subject, sizeof(t->subject), t->body, sizeof(t->body),
			    a->router_id, group, name, state))
		return;
	t->when = time(NULL);
	a->qlen++;
	start_queued(a, now);
}

uint64_t
alerts_deadline(const struct alerts *a)
{
	uint64_t next = 0;
	for (int i = 0; i < ALERT_SLOTS; i++) {
		const struct alert *al = &a->slot[i];
		uint64_t d = al->client ? smtp_client_deadline(al->client) : al->retry_at;
		if (d && (!next || d < next))
			next = d;
	}
	return next;
}

static void
step_plain(struct alerts *a, struct alert *al, uint64_t now)
{
	struct smtp_client *c = al->client;
	enum smtp_stage before = smtp_client_stage(c);
	enum smtp_status st = smtp_client_step(c, now);
	if (before == SMTP_ST_CONNECT && smtp_client_stage(c) != SMTP_ST_CONNECT &&
	    st != SMTP_FAILED)
		log_detail("Remote SMTP server %s connected.", smtp_client_server(c));
	if (st == SMTP_MORE) {
		int slot = (int)(al - a->slot);
		struct epoll_event ev = { .events = smtp_client_events(c),
					  .data.u64 = a->tag_base + (uint64_t)slot };
		epoll_ctl(a->epfd, EPOLL_CTL_MOD, smtp_client_fd(c), &ev);
		return;
	}
	if (st == SMTP_SENT) {
		succeeded(a, al);
		return;
	}
	char why[sizeof(c->err)];
	snprintf(why, sizeof(why), "%s",
		 smtp_client_error(c) ? smtp_client_error(c) : "SMTP alert failed");
	drop_client(a, al);
	failed(a, al, why, now);
}

/* The mail thread finished attempts: their outcome, as the plain client
 * would have logged it. */
static void
collect_mail(struct alerts *a, uint64_t now)
{
	struct mail_job *done[MAILER_JOBS];
	size_t n = mailer_collect(&a->mailer, done, MAILER_JOBS);
	for (size_t k = 0; k < n; k++) {
		struct alert *al = NULL;
		for (int i = 0; i < ALERT_SLOTS && !al; i++)
			if (&a->slot[i].job == done[k])
				al = &a->slot[i];
		if (!al)
			continue;
		al->job_out = false;
		if (al->job.connected)
			log_detail("Remote SMTP server %s connected.", mailer_server(&a->mailer));
		if (al->job.sent)
			succeeded(a, al);
		else
			failed(a, al, al->job.err, now);
	}
}

void
alerts_step(struct alerts *a, int slot, uint64_t now)
{
	if (slot == ALERT_TAG_MAILER) {
		collect_mail(a, now);
	} else if (slot >= 0) {
		if (slot < ALERT_SLOTS && a->slot[slot].client)
			step_plain(a, &a->slot[slot], now);
	} else {
		for (int i = 0; i < ALERT_SLOTS; i++) {
			struct alert *al = &a->slot[i];
			if (al->client) {
				uint64_t d = smtp_client_deadline(al->client);
				if (d && d <= now)
					step_plain(a, al, now);
			} else if (al->retry_at && al->retry_at <= now) {
				attempt(a, al, now);
			}
		}
	}
	/* a slot that came free, or an alert that only waits to retry now */
	start_queued(a, now);
}
