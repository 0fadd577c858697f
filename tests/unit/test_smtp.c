/* test_smtp.c - SMTP alerts: the DATA bytes, the subjects and bodies, and
 * the client's dialogue with the test playing the server over a
 * socketpair (and once over real TCP on 127.0.0.1), on a fake clock.
 *
 * The expected bytes are keepalived 2.2.7's, captured by a sink on
 * 127.0.0.1:2525 with the daemon MASTER in a namespace (TZ=UTC). */
#include "config.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "smtp.h"

#define SEC	1000000ULL
#define T0	(1000 * SEC)		/* the fake clock's start */
#define TMO	(5 * SEC)		/* smtp_connect_timeout 5 */

static const char *const rcpts[] = { "ops1@example.com", "ops2@example.com" };

/* Fri, 27 Nov 2026 04:46:03 +0000 */
static const time_t when = 1795754763;

static const struct smtp_msg msg = {
	.helo = "vm",
	.from = "kaA@example.com",
	.to = rcpts,
	.nto = 2,
	.subject = "[nodeA] VRRP Instance VI_1 - Entering MASTER state",
	.body = "=> VRRP Instance is now owning VRRP VIPs <=",
};

static const char ka_data[] =
	"Date: Fri, 27 Nov 2026 04:46:03 +0000\r\n"
	"From: kaA@example.com\r\n"
	"Subject: [nodeA] VRRP Instance VI_1 - Entering MASTER state\r\n"
	"X-Mailer: Keepalived\r\n"
	"To: ops1@example.com, ops2@example.com\r\n"
	"\r\n"
	"=> VRRP Instance is now owning VRRP VIPs <=\r\n"
	"\r\n"
	".\r\n";

static int
set_utc(void **state)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

/* ---- the message text ---- */

static void
test_data_bytes(void **state)
{
	char buf[1024];
	size_t n = smtp_build_data(buf, sizeof(buf), &msg, when);
	assert_int_equal(n, strlen(ka_data));
	assert_string_equal(buf, ka_data);
}

static void
test_data_truncated(void **state)
{
	char buf[20];
	size_t n = smtp_build_data(buf, sizeof(buf), &msg, when);
	assert_int_equal(n, strlen(ka_data));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	assert_memory_equal(buf, ka_data, sizeof(buf) - 1);
	/* a size query */
	assert_int_equal(smtp_build_data(NULL, 0, &msg, when), strlen(ka_data));
}

static void
test_data_local_time(void **state)
{
	char buf[1024];
	const char *one = "ops@example.com";
	struct smtp_msg m = msg;
	m.to = &one;
	m.nto = 1;
	setenv("TZ", "<+0230>-2:30", 1);	/* no tzdata needed */
	tzset();
	smtp_build_data(buf, sizeof(buf), &m, when);
	setenv("TZ", "UTC", 1);
	tzset();
	assert_memory_equal(buf, "Date: Fri, 27 Nov 2026 07:16:03 +0230\r\n", 39);
	assert_non_null(strstr(buf, "\r\nTo: ops@example.com\r\n\r\n"));
}

/* What libcurl uploads: the same bytes but the final ".\r\n", which curl
 * writes itself (".\r\n" only, as the content ends with "\r\n"). */
static void
test_content_bytes(void **state)
{
	char buf[1024];
	size_t want = strlen(ka_data) - 3;
	size_t n = smtp_build_content(buf, sizeof(buf), &msg, when);
	assert_int_equal(n, want);
	assert_memory_equal(buf, ka_data, want);
	assert_int_equal(buf[n], '\0');
	assert_memory_equal(buf + n - 4, "\r\n\r\n", 4);
	/* a size query, and truncation like snprintf */
	assert_int_equal(smtp_build_content(NULL, 0, &msg, when), want);
	char small[8];
	assert_int_equal(smtp_build_content(small, sizeof(small), &msg, when), want);
	assert_string_equal(small, "Date: F");
}

/* ---- Vigil's retry schedule ---- */

static void
test_retry_default_backoff(void **state)
{
	/* 2 retries: 5 s after the first failure, 30 s after the second */
	assert_int_equal(smtp_retry_wait(SMTP_RETRIES_DEFAULT, 0, 1), 5);
	assert_int_equal(smtp_retry_wait(SMTP_RETRIES_DEFAULT, 0, 2), 30);
	assert_int_equal(smtp_retry_wait(SMTP_RETRIES_DEFAULT, 0, 3), 0);
	/* more retries keep the last step */
	assert_int_equal(smtp_retry_wait(SMTP_RETRIES_MAX, 0, 4), 30);
	assert_int_equal(smtp_retry_wait(SMTP_RETRIES_MAX, 0, SMTP_RETRIES_MAX), 30);
	assert_int_equal(smtp_retry_wait(SMTP_RETRIES_MAX, 0, SMTP_RETRIES_MAX + 1), 0);
}

static void
test_retry_fixed_delay(void **state)
{
	assert_int_equal(smtp_retry_wait(3, 2, 1), 2);
	assert_int_equal(smtp_retry_wait(3, 2, 3), 2);
	assert_int_equal(smtp_retry_wait(3, 2, 4), 0);
}

static void
test_retry_none(void **state)
{
	/* smtp_retries 0: keepalived's single attempt */
	assert_int_equal(smtp_retry_wait(0, 0, 1), 0);
	assert_int_equal(smtp_retry_wait(0, 7, 1), 0);
	/* nothing failed yet: nothing to wait for */
	assert_int_equal(smtp_retry_wait(2, 0, 0), 0);
}

/* The worst case stays within a few minutes: every attempt timing out
 * (connect, then QUIT unanswered: 2 x timeout) plus the waits. */
static void
test_retry_bounded(void **state)
{
	unsigned total = 0, timeout = 30;
	for (unsigned failed = 1;; failed++) {
		total += 2 * timeout;
		unsigned w = smtp_retry_wait(SMTP_RETRIES_DEFAULT, 0, failed);
		if (!w)
			break;
		total += w;
	}
	assert_true(total <= 240);
}

static void
expect_text(bool group, const char *state, const char *subject, const char *body)
{
	char s[256], b[256];
	assert_true(smtp_vrrp_text(s, sizeof(s), b, sizeof(b), "nodeA", group,
				   group ? "G1" : "VI_1", state));
	assert_string_equal(s, subject);
	assert_string_equal(b, body);
}

static void
test_instance_text(void **state)
{
	expect_text(false, "MASTER", "[nodeA] VRRP Instance VI_1 - Entering MASTER state",
		    "=> VRRP Instance is now owning VRRP VIPs <=");
	expect_text(false, "BACKUP", "[nodeA] VRRP Instance VI_1 - Entering BACKUP state",
		    "=> VRRP Instance is no longer owning VRRP VIPs <=");
	expect_text(false, "FAULT", "[nodeA] VRRP Instance VI_1 - Entering FAULT state",
		    "=> VRRP Instance is no longer owning VRRP VIPs <=");
	expect_text(false, "STOP", "[nodeA] VRRP Instance VI_1 - Stopping",
		    "=> VRRP Instance stopping <=");
	expect_text(false, "DELETED", "[nodeA] VRRP Instance VI_1 - Deleted",
		    "=> VRRP Deleted at reload <=");
}

static void
test_group_text(void **state)
{
	expect_text(true, "MASTER", "[nodeA] VRRP Group G1 - Entering MASTER state",
		    "=> All VRRP group instances are now in MASTER state <=");
	expect_text(true, "BACKUP", "[nodeA] VRRP Group G1 - Entering BACKUP state",
		    "=> All VRRP group instances are now in BACKUP state <=");
	expect_text(true, "FAULT", "[nodeA] VRRP Group G1 - Entering FAULT state",
		    "=> All VRRP group instances are now in FAULT state <=");
	expect_text(true, "STOP", "[nodeA] VRRP Group G1 - Stopping",
		    "=> All VRRP group instances are now stopping <=");

	char s[64], b[64];
	assert_false(smtp_vrrp_text(s, sizeof(s), b, sizeof(b), "n", true, "G1", "DELETED"));
	assert_false(smtp_vrrp_text(s, sizeof(s), b, sizeof(b), "n", false, "VI_1", "master"));
}

static void
test_format_server(void **state)
{
	char buf[64];
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(2525),
				  .sin_addr.s_addr = htonl(0x7f000001) };
	smtp_format_server(buf, sizeof(buf), (struct sockaddr *)&in);
	assert_string_equal(buf, "[127.0.0.1]:2525");
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6, .sin6_port = htons(25),
				    .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	smtp_format_server(buf, sizeof(buf), (struct sockaddr *)&in6);
	assert_string_equal(buf, "[::1]:25");
}

/* ---- the client; the test is the server ---- */

struct pair {
	struct smtp_client c;
	int srv;		/* the test's end */
	uint64_t now;
};

static void
pair_open(struct pair *p, const struct smtp_msg *m)
{
	/* the socketpair has no address: this one only labels the errors */
	struct sockaddr_in label = { .sin_family = AF_INET, .sin_port = htons(2525),
				     .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	p->srv = sv[1];
	p->now = T0;
	assert_int_equal(smtp_client_start_fd(&p->c, sv[0], (const struct sockaddr *)&label,
					      m, when, p->now, TMO), 0);
	assert_int_equal(smtp_client_stage(&p->c), SMTP_ST_BANNER);
	assert_int_equal(smtp_client_events(&p->c), EPOLLIN);
	assert_int_equal(smtp_client_deadline(&p->c), T0 + TMO);
}

static void
pair_close(struct pair *p)
{
	smtp_client_close(&p->c);
	assert_int_equal(smtp_client_fd(&p->c), -1);
	close(p->srv);
}

/* The server says S, then the client takes one step. */
static enum smtp_status
say(struct pair *p, const char *s)
{
	assert_int_equal(write(p->srv, s, strlen(s)), (ssize_t)strlen(s));
	return smtp_client_step(&p->c, p->now);
}

/* The client must have sent exactly WANT, and nothing more. */
static void
hear(struct pair *p, const char *want)
{
	size_t len = strlen(want), got = 0;
	char *buf = malloc(len + 1);
	while (got < len) {
		struct pollfd pfd = { .fd = p->srv, .events = POLLIN };
		assert_int_equal(poll(&pfd, 1, 1000), 1);
		ssize_t n = read(p->srv, buf + got, len - got);
		assert_true(n > 0);
		got += (size_t)n;
	}
	buf[len] = '\0';
	assert_string_equal(buf, want);
	free(buf);
	struct pollfd pfd = { .fd = p->srv, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 0), 0);
}

/* The server's side of a successful alert up to the DATA reply. */
static void
to_data(struct pair *p)
{
	/* a multi-line banner, delivered in two pieces */
	assert_int_equal(say(p, "220-sink.example ESMTP\r\n2"), SMTP_MORE);
	hear(p, "");
	assert_int_equal(say(p, "20 ready\r\n"), SMTP_MORE);
	hear(p, "HELO vm\r\n");
	assert_int_equal(smtp_client_stage(&p->c), SMTP_ST_HELO);
	assert_int_equal(say(p, "250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n"), SMTP_MORE);
	hear(p, "MAIL FROM:<kaA@example.com>\r\n");
	assert_int_equal(say(p, "250 2.1.0 Ok\r\n"), SMTP_MORE);
	hear(p, "RCPT TO:<ops1@example.com>\r\n");
	assert_int_equal(say(p, "250 2.1.5 Ok\r\n"), SMTP_MORE);
	hear(p, "RCPT TO:<ops2@example.com>\r\n");
	assert_int_equal(say(p, "250 2.1.5 Ok\r\n"), SMTP_MORE);
	hear(p, "DATA\r\n");
}

static void
test_dialogue(void **state)
{
	struct pair p;
	pair_open(&p, &msg);
	to_data(&p);
	p.now += SEC;
	assert_int_equal(say(&p, "354 End data with <CR><LF>.<CR><LF>\r\n"), SMTP_MORE);
	assert_int_equal(smtp_client_deadline(&p.c), p.now + TMO);
	hear(&p, ka_data);
	assert_int_equal(say(&p, "250 2.0.0 Ok: queued\r\n"), SMTP_MORE);
	hear(&p, "QUIT\r\n");
	assert_int_equal(smtp_client_stage(&p.c), SMTP_ST_QUIT);
	assert_int_equal(say(&p, "221 2.0.0 Bye\r\n"), SMTP_SENT);
	assert_null(smtp_client_error(&p.c));
	assert_int_equal(smtp_client_events(&p.c), 0);
	assert_int_equal(smtp_client_deadline(&p.c), UINT64_MAX);
	/* done is done */
	assert_int_equal(smtp_client_step(&p.c, p.now), SMTP_SENT);
	pair_close(&p);
}

static void
test_rcpt_refused(void **state)
{
	struct pair p;
	pair_open(&p, &msg);
	assert_int_equal(say(&p, "220 ready\r\n"), SMTP_MORE);
	hear(&p, "HELO vm\r\n");
	assert_int_equal(say(&p, "250 sink\r\n"), SMTP_MORE);
	hear(&p, "MAIL FROM:<kaA@example.com>\r\n");
	assert_int_equal(say(&p, "250 Ok\r\n"), SMTP_MORE);
	hear(&p, "RCPT TO:<ops1@example.com>\r\n");
	/* keepalived stops at the first refusal and says QUIT */
	assert_int_equal(say(&p, "550 5.1.1 no such user\r\n"), SMTP_MORE);
	hear(&p, "QUIT\r\n");
	assert_string_equal(smtp_client_error(&p.c),
			    "Error processing RCPT cmd on SMTP server [127.0.0.1]:2525."
			    " SMTP status code = 550");
	assert_int_equal(say(&p, "221 Bye\r\n"), SMTP_FAILED);
	pair_close(&p);
}

static void
test_bad_banner(void **state)
{
	struct pair p;
	pair_open(&p, &msg);
	assert_int_equal(say(&p, "554-busy\r\n554 go away\r\n"), SMTP_MORE);
	hear(&p, "QUIT\r\n");
	assert_string_equal(smtp_client_error(&p.c),
			    "Error processing (E)SMTP cmd on SMTP server [127.0.0.1]:2525."
			    " SMTP status code = 554");
	/* any answer to QUIT ends it */
	assert_int_equal(say(&p, "500 what\r\n"), SMTP_FAILED);
	pair_close(&p);
}

static void
test_body_refused(void **state)
{
	struct pair p;
	pair_open(&p, &msg);
	to_data(&p);
	assert_int_equal(say(&p, "354 go\r\n"), SMTP_MORE);
	hear(&p, ka_data);
	assert_int_equal(say(&p, "552 too big\r\n"), SMTP_MORE);
	hear(&p, "QUIT\r\n");
	assert_string_equal(smtp_client_error(&p.c),
			    "Error processing BODY cmd on SMTP server [127.0.0.1]:2525."
			    " SMTP status code = 552");
	assert_int_equal(say(&p, "221 Bye\r\n"), SMTP_FAILED);
	pair_close(&p);
}

/* A server that never answers: the timeout runs from the start (and from
 * each command), a QUIT goes out, and one more timeout ends it. */
static void
test_silent_server(void **state)
{
	struct pair p;
	pair_open(&p, &msg);
	p.now = T0 + TMO - 1;
	assert_int_equal(smtp_client_step(&p.c, p.now), SMTP_MORE);
	hear(&p, "");
	assert_null(smtp_client_error(&p.c));
	p.now = T0 + TMO;
	assert_int_equal(smtp_client_step(&p.c, p.now), SMTP_MORE);
	assert_string_equal(smtp_client_error(&p.c),
			    "Timeout reading data to remote SMTP server [127.0.0.1]:2525.");
	hear(&p, "QUIT\r\n");
	assert_int_equal(smtp_client_deadline(&p.c), T0 + 2 * TMO);
	assert_int_equal(smtp_client_events(&p.c), EPOLLIN);
	p.now = T0 + 2 * TMO;
	assert_int_equal(smtp_client_step(&p.c, p.now), SMTP_FAILED);
	pair_close(&p);
}

/* Silence after DATA: the timeout counts from the last command. */
static void
test_silent_after_data(void **state)
{
	struct pair p;
	pair_open(&p, &msg);
	to_data(&p);
	p.now = T0 + 3 * SEC;
	assert_int_equal(say(&p, "354 go\r\n"), SMTP_MORE);
	hear(&p, ka_data);
	p.now = T0 + 3 * SEC + TMO - 1;
	assert_int_equal(smtp_client_step(&p.c, p.now), SMTP_MORE);
	p.now++;
	assert_int_equal(smtp_client_step(&p.c, p.now), SMTP_MORE);
	hear(&p, "QUIT\r\n");
	assert_int_equal(say(&p, "221 Bye\r\n"), SMTP_FAILED);
	assert_string_equal(smtp_client_error(&p.c),
			    "Timeout reading data to remote SMTP server [127.0.0.1]:2525.");
	pair_close(&p);
}

/* Accepted, then the server never answers QUIT: the alert was sent. */
static void
test_quit_unanswered(void **state)
{
	struct pair p;
	pair_open(&p, &msg);
	to_data(&p);
	assert_int_equal(say(&p, "354 go\r\n"), SMTP_MORE);
	hear(&p, ka_data);
	assert_int_equal(say(&p, "250 queued\r\n"), SMTP_MORE);
	hear(&p, "QUIT\r\n");
	p.now += TMO;
	assert_int_equal(smtp_client_step(&p.c, p.now), SMTP_SENT);
	assert_null(smtp_client_error(&p.c));
	pair_close(&p);
}

static void
test_server_closes(void **state)
{
	struct pair p;
	pair_open(&p, &msg);
	assert_int_equal(say(&p, "220 ready\r\n"), SMTP_MORE);
	hear(&p, "HELO vm\r\n");
	shutdown(p.srv, SHUT_WR);
	assert_int_equal(smtp_client_step(&p.c, p.now), SMTP_FAILED);
	assert_string_equal(smtp_client_error(&p.c),
			    "Remote SMTP server [127.0.0.1]:2525 has closed the connection.");
	pair_close(&p);
}

static void
test_reply_overflow(void **state)
{
	struct pair p;
	char junk[SMTP_REPLY_MAX + 1];
	pair_open(&p, &msg);
	memset(junk, 'x', sizeof(junk) - 1);
	junk[sizeof(junk) - 1] = '\0';
	assert_int_equal(say(&p, junk), SMTP_MORE);
	hear(&p, "QUIT\r\n");
	assert_string_equal(smtp_client_error(&p.c),
			    "Received buffer from remote SMTP server [127.0.0.1]:2525"
			    " overflow our get read buffer length.");
	/* any line ends the QUIT stage, even the junk line's tail */
	assert_int_equal(say(&p, "\r\n221 Bye\r\n"), SMTP_FAILED);
	pair_close(&p);
}

/* A body larger than the socket buffer goes out in pieces, each waiting
 * for EPOLLOUT; the mail is still byte-exact. */
static void
test_partial_writes(void **state)
{
	size_t blen = 512 * 1024;
	char *body = malloc(blen + 1);
	memset(body, 'b', blen);
	body[blen] = '\0';
	struct smtp_msg m = msg;
	m.body = body;
	size_t dlen = smtp_build_data(NULL, 0, &m, when);
	char *want = malloc(dlen + 1);
	smtp_build_data(want, dlen + 1, &m, when);

	struct pair p;
	pair_open(&p, &m);
	to_data(&p);
	assert_int_equal(say(&p, "354 go\r\n"), SMTP_MORE);
	assert_int_equal(smtp_client_events(&p.c), EPOLLOUT);
	char *got = malloc(dlen);
	size_t n = 0;
	int rounds = 0;
	while (n < dlen && rounds++ < 10000) {
		ssize_t r = read(p.srv, got + n, dlen - n);
		assert_true(r > 0);
		n += (size_t)r;
		p.now += 1000;	/* progress re-arms the timeout */
		assert_int_equal(smtp_client_step(&p.c, p.now), SMTP_MORE);
	}
	assert_true(rounds > 1);
	assert_int_equal(n, dlen);
	assert_memory_equal(got, want, dlen);
	assert_int_equal(smtp_client_events(&p.c), EPOLLIN);
	assert_int_equal(say(&p, "250 queued\r\n"), SMTP_MORE);
	hear(&p, "QUIT\r\n");
	assert_int_equal(say(&p, "221 Bye\r\n"), SMTP_SENT);
	pair_close(&p);
	free(got);
	free(want);
	free(body);
}

static void
test_helo_default(void **state)
{
	struct smtp_msg m = msg;
	m.helo = NULL;
	struct pair p;
	pair_open(&p, &m);
	assert_int_equal(say(&p, "220 ready\r\n"), SMTP_MORE);
	hear(&p, "HELO localhost\r\n");
	pair_close(&p);
}

static void
test_bad_msg(void **state)
{
	struct smtp_client c;
	struct smtp_msg m = msg;
	m.nto = 0;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(smtp_client_start_fd(&c, sv[0], NULL, &m, when, T0, TMO), -EINVAL);
	smtp_client_close(&c);
	close(sv[1]);
}

/* ---- over real TCP: the connect is non-blocking too ---- */

static int
listener(struct sockaddr_in *sa)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	socklen_t len = sizeof(*sa);
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)sa, sizeof(*sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)sa, &len), 0);
	return fd;
}

/* Step the client until it wants to read the banner. */
static void
wait_connected(struct smtp_client *c, uint64_t now)
{
	for (int i = 0; i < 100 && smtp_client_stage(c) == SMTP_ST_CONNECT; i++) {
		struct pollfd pfd = { .fd = smtp_client_fd(c), .events = POLLOUT };
		assert_int_equal(poll(&pfd, 1, 1000), 1);
		assert_int_equal(smtp_client_step(c, now), SMTP_MORE);
	}
	assert_int_equal(smtp_client_stage(c), SMTP_ST_BANNER);
}

static void
test_tcp(void **state)
{
	struct sockaddr_in sa;
	int lfd = listener(&sa);
	struct pair p = { .now = T0 };
	assert_int_equal(smtp_client_start(&p.c, (struct sockaddr *)&sa, sizeof(sa),
					   &msg, when, p.now, TMO), 0);
	char want[64];
	snprintf(want, sizeof(want), "[127.0.0.1]:%u", ntohs(sa.sin_port));
	assert_string_equal(smtp_client_server(&p.c), want);
	wait_connected(&p.c, p.now);
	p.srv = accept(lfd, NULL, NULL);
	assert_true(p.srv >= 0);
	to_data(&p);
	assert_int_equal(say(&p, "354 go\r\n"), SMTP_MORE);
	hear(&p, ka_data);
	assert_int_equal(say(&p, "250 queued\r\n"), SMTP_MORE);
	hear(&p, "QUIT\r\n");
	struct pollfd pfd = { .fd = smtp_client_fd(&p.c), .events = POLLIN };
	assert_int_equal(write(p.srv, "221 Bye\r\n", 9), 9);
	assert_int_equal(poll(&pfd, 1, 1000), 1);
	assert_int_equal(smtp_client_step(&p.c, p.now), SMTP_SENT);
	pair_close(&p);
	close(lfd);
}

static void
test_tcp_refused(void **state)
{
	struct sockaddr_in sa;
	close(listener(&sa));	/* a port nobody listens on */
	struct smtp_client c;
	char want[96];
	snprintf(want, sizeof(want), "SMTP connection ERROR to [127.0.0.1]:%u.",
		 ntohs(sa.sin_port));
	int r = smtp_client_start(&c, (struct sockaddr *)&sa, sizeof(sa), &msg, when,
				  T0, TMO);
	if (r == 0) {
		struct pollfd pfd = { .fd = smtp_client_fd(&c), .events = POLLOUT };
		assert_int_equal(poll(&pfd, 1, 1000), 1);
		assert_int_equal(smtp_client_step(&c, T0), SMTP_FAILED);
	} else {
		assert_int_equal(r, -ECONNREFUSED);
	}
	assert_string_equal(smtp_client_error(&c), want);
	smtp_client_close(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data_bytes),
		cmocka_unit_test(test_data_truncated),
		cmocka_unit_test(test_data_local_time),
		cmocka_unit_test(test_content_bytes),
		cmocka_unit_test(test_retry_default_backoff),
		cmocka_unit_test(test_retry_fixed_delay),
		cmocka_unit_test(test_retry_none),
		cmocka_unit_test(test_retry_bounded),
		cmocka_unit_test(test_instance_text),
		cmocka_unit_test(test_group_text),
		cmocka_unit_test(test_format_server),
		cmocka_unit_test(test_dialogue),
		cmocka_unit_test(test_rcpt_refused),
		cmocka_unit_test(test_bad_banner),
		cmocka_unit_test(test_body_refused),
		cmocka_unit_test(test_silent_server),
		cmocka_unit_test(test_silent_after_data),
		cmocka_unit_test(test_quit_unanswered),
		cmocka_unit_test(test_server_closes),
		cmocka_unit_test(test_reply_overflow),
		cmocka_unit_test(test_partial_writes),
		cmocka_unit_test(test_helo_default),
		cmocka_unit_test(test_bad_msg),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_tcp_refused),
	};
	return cmocka_run_group_tests(tests, set_utc, NULL);
}
