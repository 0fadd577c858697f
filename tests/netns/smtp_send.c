/* smtp_send.c - send one VRRP alert with the SMTP client, driven the way
 * the engine drives it: a poll loop on smtp_client_events() and
 * smtp_client_deadline() over CLOCK_MONOTONIC.  Run by tests/netns/smtp.sh.
 *
 * usage: smtp_send IP PORT TIMEOUT_S ROUTER_ID INSTANCE STATE FROM HELO RCPT...
 *
 * Prints keepalived's log lines ("Remote SMTP server [ip]:port connected.",
 * "SMTP alert successfully sent." or the error) on stdout, and on stderr
 * the longest time one step took, to show that nothing waited.
 * Exit: 0 sent, 1 not sent, 2 usage. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>

#include "smtp.h"

static uint64_t
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int
parse_server(struct sockaddr_storage *ss, socklen_t *len, const char *ip,
	     const char *port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &in->sin_addr) == 1) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)atoi(port));
		*len = sizeof(*in);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)atoi(port));
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}

/* One poll round: wait for readiness or the deadline, then step. */
static enum smtp_status
poll_once(struct smtp_client *c, uint64_t *longest)
{
	uint32_t ev = smtp_client_events(c);
	struct pollfd pfd = {
		.fd = smtp_client_fd(c),
		.events = (short)((ev & EPOLLIN ? POLLIN : 0) | (ev & EPOLLOUT ? POLLOUT : 0)),
	};
	uint64_t now = now_us(), dl = smtp_client_deadline(c);
	int ms = dl > now ? (int)((dl - now + 999) / 1000) : 0;

	poll(&pfd, 1, ms);
	uint64_t t = now_us();
	enum smtp_status st = smtp_client_step(c, t);
	uint64_t took = now_us() - t;
	if (took > *longest)
		*longest = took;
	return st;
}

int
main(int argc, char **argv)
{
	if (argc < 10) {
		fprintf(stderr, "usage: smtp_send IP PORT TIMEOUT_S ROUTER_ID INSTANCE"
			" STATE FROM HELO RCPT...\n");
		return 2;
	}
	struct sockaddr_storage ss;
	socklen_t sslen;
	if (parse_server(&ss, &sslen, argv[1], argv[2]) < 0) {
		fprintf(stderr, "smtp_send: bad address %s\n", argv[1]);
		return 2;
	}
	char subject[256], body[256];
	if (!smtp_vrrp_text(subject, sizeof(subject), body, sizeof(body), argv[4],
			    false, argv[5], argv[6])) {
		fprintf(stderr, "smtp_send: bad state %s\n", argv[6]);
		return 2;
	}
	struct smtp_msg m = {
		.helo = argv[8], .from = argv[7],
		.to = (const char *const *)&argv[9], .nto = (size_t)(argc - 9),
		.subject = subject, .body = body,
	};
	struct smtp_client c;
	uint64_t timeout = (uint64_t)atoi(argv[3]) * 1000000;
	if (smtp_client_start(&c, (struct sockaddr *)&ss, sslen, &m, time(NULL),
			      now_us(), timeout) < 0) {
		printf("%s\n", smtp_client_error(&c) ? smtp_client_error(&c) : "start failed");
		return 1;
	}

	uint64_t longest = 0;
	bool connected = false;
	enum smtp_status st = SMTP_MORE;
	for (;;) {
		/* the engine logs this one with -D, as keepalived does */
		enum smtp_stage now = smtp_client_stage(&c);
		if (!connected && now != SMTP_ST_CONNECT && (now != SMTP_ST_DONE || c.sent)) {
			printf("Remote SMTP server %s connected.\n", smtp_client_server(&c));
			connected = true;
		}
		if (st != SMTP_MORE)
			break;
		st = poll_once(&c, &longest);
	}
	if (st == SMTP_SENT)
		printf("SMTP alert successfully sent.\n");
	else
		printf("%s\n", smtp_client_error(&c));
	fprintf(stderr, "smtp_send: longest step %llu us\n", (unsigned long long)longest);
	smtp_client_close(&c);
	return st == SMTP_SENT ? 0 : 1;
}
