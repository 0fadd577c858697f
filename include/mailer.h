/* mailer.h - SMTP alerts through libcurl, for Vigil's STARTTLS and AUTH
 * extensions (keepalived's plain client, smtp.c, has neither).
 *
 * libcurl's easy interface blocks, so it runs in one mail thread of its
 * own: the VRRP loop submits a job and carries on; the thread does the
 * whole dialogue (connect, EHLO, STARTTLS, TLS handshake, AUTH, MAIL,
 * RCPT, DATA, QUIT) and hands the job back through an eventfd that the
 * loop polls with everything else.  The loop never waits on mail: submit
 * and collect take a mutex the thread only holds to move a job pointer,
 * never across a transfer.
 *
 * A job belongs to the thread from mailer_submit() until mailer_collect()
 * returns it; the caller must not touch it in between.  One job runs at a
 * time (alerts are rare; a second one simply queues).  Retries are the
 * caller's business: a job is one attempt.
 *
 * Built without libcurl, mailer_available() is false and mailer_start()
 * fails with -ENOTSUP. */
#ifndef VIGIL_MAILER_H
#define VIGIL_MAILER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define MAILER_JOBS	16	/* jobs submitted and not yet collected */

/* What every job shares: the server and the account.  The strings are the
 * caller's and must outlive the mailer (they are the configuration's). */
struct mailer_conf {
	const char *host;		/* smtp_server as written: a name or a literal */
	unsigned port;
	const struct sockaddr *addr;	/* resolved at start: the thread never resolves */
	socklen_t addrlen;
	const char *helo;
	const char *from;
	const char *const *rcpt;
	size_t nrcpt;
	const char *user, *password;	/* NULL: no AUTH */
	const char *ca_file;		/* NULL: libcurl's default bundle */
	bool starttls;			/* refuse to send unless STARTTLS succeeds */
	bool verify;			/* check the server's certificate and name */
	unsigned timeout_s;		/* smtp_connect_timeout */
};

/* One attempt at one mail. */
struct mail_job {
	const char *data;		/* smtp_build_content(): no final ".\r\n" */
	size_t len;
	size_t off;			/* the thread's upload position */
	/* the outcome, written by the thread */
	bool sent;
	bool connected;			/* the TCP connect succeeded */
	char err[256];			/* the log line when !sent */
};

struct mailer {
	bool running;
	pthread_t thread;
	pthread_mutex_t lock;		/* guards todo, done, njobs, stop */
	pthread_cond_t wake;
	bool stop;
	atomic_bool abort;		/* read by libcurl's progress callback */
	int done_fd;			/* eventfd: a job has finished */
	struct mailer_conf conf;
	char url[1100];		/* smtp://host:port/helo, the HELO escaped */
	char resolve[300];		/* "host:port:addr" for CURLOPT_RESOLVE, or "" */
	char server[64];		/* "[ip]:port", keepalived's label in log lines */
	struct mail_job *todo[MAILER_JOBS], *done[MAILER_JOBS];
	size_t ntodo, ndone, njobs;
};

bool mailer_available(void);

/* Initialise libcurl (the process is still single-threaded: call it before
 * any other thread exists) and start the thread.  0 or -errno. */
int mailer_start(struct mailer *m, const struct mailer_conf *conf);

/* Poll it for EPOLLIN: then mailer_collect(). */
int mailer_fd(const struct mailer *m);

/* Hand J to the thread; false if MAILER_JOBS are already out. */
bool mailer_submit(struct mailer *m, struct mail_job *j);

/* The finished jobs, at most MAX, back to the caller; how many. */
size_t mailer_collect(struct mailer *m, struct mail_job **out, size_t max);

/* "[ip]:port" of the server, for the caller's log lines. */
const char *mailer_server(const struct mailer *m);

/* Abort the transfer in progress (within about a second: libcurl's
 * progress callback), join the thread, release libcurl.  Jobs not
 * collected are dropped: the caller owns and frees them.  Safe on a
 * mailer that never started. */
void mailer_stop(struct mailer *m);

#endif
