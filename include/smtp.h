/* smtp.h - keepalived's SMTP alerts: the message bytes and a non-blocking
 * client that sends one alert per connection.
 *
 * The dialogue is keepalived 2.2.7's, byte for byte (captured from the
 * real daemon): HELO (never EHLO), MAIL FROM:<from>, one RCPT TO:<addr>
 * per recipient, DATA, the headers Date/From/Subject/X-Mailer/To, the
 * one-line body, a blank line, ".", then QUIT.  After every command the
 * client waits for one reply (220 banner, 250, 250, 250 per RCPT, 354,
 * 250, 221); continuation lines ("250-...") are skipped.  A wrong code
 * or a silent server still gets a QUIT, as keepalived does.
 *
 * Nothing here blocks: the caller resolves the server once (at config
 * load), registers smtp_client_fd() in its poll set with the events of
 * smtp_client_events(), and calls smtp_client_step() when the fd is ready
 * or smtp_client_deadline() has passed.  The clock is the caller's. */
#ifndef VIGIL_SMTP_H
#define VIGIL_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

struct smtp_msg {
	const char *helo;		/* NULL: "localhost", as keepalived */
	const char *from;		/* notification_email_from */
	const char *const *to;		/* notification_email, config order */
	size_t nto;
	const char *subject;
	const char *body;
};

/* The DATA part, from the Date header to the final ".\r\n" inclusive;
 * Date is `when` in local time.  Returns the length it needs (without the
 * NUL), like snprintf: the output is complete iff the result < len. */
size_t smtp_build_data(char *buf, size_t len, const struct smtp_msg *m,
		       time_t when);

/* The same without the final ".\r\n": what libcurl uploads, since it
 * writes the terminator itself (and it then sends the same bytes: the
 * content ends with "\r\n", so curl's terminator is ".\r\n", and no line
 * starts with "." for it to dot-stuff).  Returns as smtp_build_data(). */
size_t smtp_build_content(char *buf, size_t len, const struct smtp_msg *m,
			  time_t when);

/* Vigil's bounded retry (not in keepalived, which tries once).
 * SMTP_RETRIES_DEFAULT retries unless smtp_retries says otherwise. */
#define SMTP_RETRIES_DEFAULT	2
#define SMTP_RETRIES_MAX	5
#define SMTP_RETRY_DELAY_MAX	300	/* seconds */

/* Seconds to wait, after FAILED attempts (1-based) of one alert failed,
 * before the next attempt; 0: give up.  RETRIES bounds the retries;
 * DELAY_S 0 is the default backoff (5 s, then 30 s), else every retry
 * waits DELAY_S (smtp_retry_delay). */
unsigned smtp_retry_wait(unsigned retries, unsigned delay_s, unsigned failed);

/* keepalived's subject and body for a VRRP instance (group false) or sync
 * group (group true) entering STATE: "MASTER", "BACKUP", "FAULT", "STOP",
 * or (instances only) "DELETED".  False for any other state. */
bool smtp_vrrp_text(char *subject, size_t slen, char *body, size_t blen,
		    const char *router_id, bool group, const char *name,
		    const char *state);

/* "[ip]:port", keepalived's rendering of the server in its log lines. */
void smtp_format_server(char *buf, size_t len, const struct sockaddr *sa);

enum smtp_status {
	SMTP_MORE,		/* in progress: poll again */
	SMTP_SENT,		/* the server accepted the message (250 after ".") */
	SMTP_FAILED,		/* not sent; smtp_client_error() says why */
};

/* Where the dialogue stands; the reply awaited names the stage. */
enum smtp_stage {
	SMTP_ST_CONNECT,	/* non-blocking connect in progress */
	SMTP_ST_BANNER,		/* 220 */
	SMTP_ST_HELO,		/* 250 */
	SMTP_ST_MAIL,		/* 250 */
	SMTP_ST_RCPT,		/* 250, once per recipient */
	SMTP_ST_DATA,		/* 354 */
	SMTP_ST_BODY,		/* 250 */
	SMTP_ST_QUIT,		/* 221 (any reply ends it) */
	SMTP_ST_DONE,
};

#define SMTP_REPLY_MAX	1024	/* keepalived's receive buffer */

struct smtp_client {
	int fd;
	enum smtp_stage stage;
	bool sent;		/* body accepted: delivered, whatever QUIT does */
	size_t rcpt;		/* recipients acknowledged so far */
	size_t nto;
	uint64_t timeout_us;
	uint64_t deadline;
	/* every command, rendered at start: HELO, MAIL, RCPT x nto, DATA,
	 * the DATA part, QUIT; cmd[i] .. cmd[i + 1] bounds command i */
	char *text;
	size_t *cmd;
	size_t cur;		/* the command being written */
	size_t off;		/* bytes of it already written */
	bool writing;
	char in[SMTP_REPLY_MAX];
	size_t inlen;
	char server[64];	/* "[ip]:port" */
	char err[192];
};

/* Start one alert to SRV: a non-blocking connect, then the dialogue.
 * TIMEOUT_US bounds the connect and each wait for a reply (keepalived's
 * smtp_connect_timeout).  0, or -errno with the client closed (and, for a
 * refused connect, smtp_client_error() set). */
int smtp_client_start(struct smtp_client *c, const struct sockaddr *srv,
		      socklen_t len, const struct smtp_msg *m, time_t when,
		      uint64_t now_us, uint64_t timeout_us);

/* The same over an already connected stream socket (tests, socketpairs);
 * SRV only labels log lines and may be NULL.  The client owns FD. */
int smtp_client_start_fd(struct smtp_client *c, int fd,
			 const struct sockaddr *srv, const struct smtp_msg *m,
			 time_t when, uint64_t now_us, uint64_t timeout_us);

int smtp_client_fd(const struct smtp_client *c);
/* EPOLLIN or EPOLLOUT as needed now; 0 once done. */
uint32_t smtp_client_events(const struct smtp_client *c);
/* UINT64_MAX once done. */
uint64_t smtp_client_deadline(const struct smtp_client *c);
enum smtp_stage smtp_client_stage(const struct smtp_client *c);
/* "[ip]:port" of the server. */
const char *smtp_client_server(const struct smtp_client *c);

/* Do what can be done without blocking: on readiness, on the deadline, or
 * spuriously (it then just returns SMTP_MORE). */
enum smtp_status smtp_client_step(struct smtp_client *c, uint64_t now_us);

/* keepalived's log line for the first failure, or NULL. */
const char *smtp_client_error(const struct smtp_client *c);

/* Close the socket and free; safe on a finished or failed client. */
void smtp_client_close(struct smtp_client *c);

#endif
