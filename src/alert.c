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

void
alerts_init(struct alerts *a, const struct cf_global *g, int epfd, uint64_t tag_base)
{
	memset(a, 0, sizeof(*a));
	a->g = g;
	a->epfd = epfd;
	a->tag_base = tag_base;
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

	/* keepalived's defaults: the host name, and <user>@<host> */
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
	a->enabled = true;
}

static void
finish(struct alerts *a, int slot)
{
	struct smtp_client *c = a->inflight[slot];
	epoll_ctl(a->epfd, EPOLL_CTL_DEL, smtp_client_fd(c), NULL);
	smtp_client_close(c);
	free(c);
	a->inflight[slot] = NULL;
}

void
alerts_close(struct alerts *a)
{
	for (int i = 0; i < ALERT_MAX; i++)
		if (a->inflight[i])
			finish(a, i);
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

void
alerts_vrrp(struct alerts *a, bool group, const char *name, const char *state,
	    int smtp_alert, uint64_t now)
{
	if (!wanted(a, smtp_alert, state))
		return;
	int slot = 0;
	while (slot < ALERT_MAX && a->inflight[slot])
		slot++;
	if (slot == ALERT_MAX) {
		log_info("SMTP: %d alerts already in flight - not sending %s %s", ALERT_MAX,
			 name, state);
		return;
	}
	char subject[512], body[256];
	if (!smtp_vrrp_text(subject, sizeof(subject), body, sizeof(body), a->router_id,
			    group, name, state))
		return;
	struct smtp_msg m = {
		.helo = a->helo, .from = a->from,
		.to = (const char *const *)a->g->emails, .nto = a->g->nemails,
		.subject = subject, .body = body,
	};
	struct smtp_client *c = calloc(1, sizeof(*c));
	if (!c)
		return;
	uint64_t timeout = (uint64_t)a->g->smtp_connect_timeout * 1000000;
	if (smtp_client_start(c, (struct sockaddr *)&a->srv, a->srvlen, &m, time(NULL),
			      now, timeout) < 0) {
		const char *err = smtp_client_error(c);
		if (err)
			log_info("%s", err);
		free(c);
		return;
	}
	struct epoll_event ev = { .events = smtp_client_events(c),
				  .data.u64 = a->tag_base + (uint64_t)slot };
	epoll_ctl(a->epfd, EPOLL_CTL_ADD, smtp_client_fd(c), &ev);
	a->inflight[slot] = c;
}

uint64_t
alerts_deadline(const struct alerts *a)
{
	uint64_t next = 0;
	for (int i = 0; i < ALERT_MAX; i++) {
		if (!a->inflight[i])
			continue;
		uint64_t d = smtp_client_deadline(a->inflight[i]);
		if (d && (!next || d < next))
			next = d;
	}
	return next;
}

static void
step_one(struct alerts *a, int slot, uint64_t now)
{
	struct smtp_client *c = a->inflight[slot];
	enum smtp_stage before = smtp_client_stage(c);
	enum smtp_status st = smtp_client_step(c, now);
	if (before == SMTP_ST_CONNECT && smtp_client_stage(c) != SMTP_ST_CONNECT &&
	    st != SMTP_FAILED)
		log_detail("Remote SMTP server %s connected.", smtp_client_server(c));
	if (st == SMTP_MORE) {
		struct epoll_event ev = { .events = smtp_client_events(c),
					  .data.u64 = a->tag_base + (uint64_t)slot };
		epoll_ctl(a->epfd, EPOLL_CTL_MOD, smtp_client_fd(c), &ev);
		return;
	}
	if (st == SMTP_SENT)
		log_detail("SMTP alert successfully sent.");
	else
		log_info("%s", smtp_client_error(c) ? smtp_client_error(c) : "SMTP alert failed");
	finish(a, slot);
}

void
alerts_step(struct alerts *a, int slot, uint64_t now)
{
	if (slot >= 0) {
		if (slot < ALERT_MAX && a->inflight[slot])
			step_one(a, slot, now);
		return;
	}
	for (int i = 0; i < ALERT_MAX; i++) {
		if (!a->inflight[i])
			continue;
		uint64_t d = smtp_client_deadline(a->inflight[i]);
		if (d && d <= now)
			step_one(a, i, now);
	}
}
