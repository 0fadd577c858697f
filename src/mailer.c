/* mailer.c - SMTP alerts through libcurl, in a mail thread (see mailer.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "caps.h"
#include "mailer.h"
#include "smtp.h"

#ifdef HAVE_LIBCURL

#include <curl/curl.h>

bool
mailer_available(void)
{
	return true;
}

/* ---- the request, built once at start ---- */

static bool
is_literal(const char *host, int family)
{
	unsigned char a[sizeof(struct in6_addr)];
	return inet_pton(family, host, a) == 1;
}

/* RFC 3986 percent-encoding of everything but unreserved characters:
 * the HELO name travels as the URL's path. */
static void
url_escape(char *out, size_t len, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;
	for (; *s && n + 4 <= len; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
}

static void
addr_text(char *buf, size_t len, const struct sockaddr *sa)
{
	buf[0] = '\0';
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf,
			  (socklen_t)len);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
			  (socklen_t)len);
}

/* smtp://host:port/helo: curl sends "EHLO <path>".  The host stays the
 * configured name, so the certificate is checked against it; a name is
 * pinned (CURLOPT_RESOLVE) to the address resolved at start, so the
 * thread never resolves and talks to the same server as the plain client. */
static void
build_request(struct mailer *m)
{
	const struct mailer_conf *c = &m->conf;
	char helo[256 * 3 + 1], ip[INET6_ADDRSTRLEN];
	bool v6 = is_literal(c->host, AF_INET6);

	url_escape(helo, sizeof(helo), c->helo);
	snprintf(m->url, sizeof(m->url), "smtp://%s%s%s:%u/%s", v6 ? "[" : "", c->host,
		 v6 ? "]" : "", c->port, helo);
	m->resolve[0] = '\0';
	addr_text(ip, sizeof(ip), c->addr);
	if (!v6 && !is_literal(c->host, AF_INET) && ip[0])
		snprintf(m->resolve, sizeof(m->resolve), "%s:%u:%s%s%s", c->host, c->port,
			 c->addr->sa_family == AF_INET6 ? "[" : "", ip,
			 c->addr->sa_family == AF_INET6 ? "]" : "");
	smtp_format_server(m->server, sizeof(m->server), c->addr);
}

/* ---- one attempt, in the mail thread ---- */

static size_t
read_job(char *buf, size_t size, size_t nitems, void *arg)
{
	struct mail_job *j = arg;
	size_t room = size * nitems, left = j->len - j->off;
	size_t n = left < room ? left : room;
	memcpy(buf, j->data + j->off, n);
	j->off += n;
	return n;
}

/* Called by libcurl about once a second, and more often while data moves:
 * how a shutdown interrupts a transfer waiting on a slow server. */
static int
check_abort(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
	    curl_off_t ulnow)
{
	const struct mailer *m = arg;
	return atomic_load(&m->abort) ? 1 : 0;
}

/* keepalived's wording where keepalived has a line for it. */
static void
describe_failure(struct mail_job *j, const char *server, CURLcode rc, long reply,
		 const char *reason)
{
	if (rc == CURLE_COULDNT_CONNECT)
		snprintf(j->err, sizeof(j->err), "SMTP connection ERROR to %s.", server);
	else if (rc == CURLE_OPERATION_TIMEDOUT && !j->connected)
		snprintf(j->err, sizeof(j->err),
			 "Timeout opening connection to remote SMTP server %s.", server);
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(j->err, sizeof(j->err),
			 "Timeout reading data to remote SMTP server %s.", server);
	else if (reply >= 400)
		snprintf(j->err, sizeof(j->err),
			 "Error sending SMTP alert to %s: %s. SMTP status code = %ld", server,
			 reason, reply);
	else
		snprintf(j->err, sizeof(j->err), "Error sending SMTP alert to %s: %s.",
			 server, reason);
}

static void
set_tls(CURL *h, const struct mailer_conf *c)
{
	if (c->starttls)
		curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (c->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, c->verify ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, c->verify ? 2L : 0L);
	if (c->user) {
		curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
		curl_easy_setopt(h, CURLOPT_PASSWORD, c->password ? c->password : "");
	}
}

/* keepalived bounds each wait by smtp_connect_timeout; libcurl's
 * equivalents are the connect and per-reply timeouts.  The whole attempt
 * gets twice that, the plain client's worst case (a silent server, then an
 * unanswered QUIT), so a TLS read that hangs ends too and the retries stay
 * as bounded as the plain client's. */
static void
set_timeouts(CURL *h, const struct mailer_conf *c)
{
	long t = (long)c->timeout_s;
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, t);
	curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, t);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 2 * t);
}

static struct curl_slist *
recipients(const struct mailer_conf *c)
{
	struct curl_slist *list = NULL;
	for (size_t i = 0; i < c->nrcpt; i++) {
		char addr[512];
		snprintf(addr, sizeof(addr), "<%s>", c->rcpt[i]);
		struct curl_slist *more = curl_slist_append(list, addr);
		if (!more) {
			curl_slist_free_all(list);
			return NULL;
		}
		list = more;
	}
	return list;
}

static void
deliver(struct mailer *m, struct mail_job *j)
{
	const struct mailer_conf *c = &m->conf;
	char errbuf[CURL_ERROR_SIZE] = "", from[512];
	CURL *h = curl_easy_init();
	struct curl_slist *rcpt = recipients(c), *pin = NULL;

	j->off = 0;
	j->sent = j->connected = false;
	j->err[0] = '\0';
	if (m->resolve[0])
		pin = curl_slist_append(NULL, m->resolve);
	if (!h || !rcpt || (m->resolve[0] && !pin)) {
		snprintf(j->err, sizeof(j->err), "Error sending SMTP alert to %s: out of memory.",
			 m->server);
		goto out;
	}
	snprintf(from, sizeof(from), "<%s>", c->from);
	curl_easy_setopt(h, CURLOPT_URL, m->url);
	if (pin)
		curl_easy_setopt(h, CURLOPT_RESOLVE, pin);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);	/* we are not the main thread */
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, read_job);
	curl_easy_setopt(h, CURLOPT_READDATA, j);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)j->len);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, check_abort);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, m);
	set_tls(h, c);
	set_timeouts(h, c);

	CURLcode rc = curl_easy_perform(h);
	curl_off_t connect_us = 0;
	long reply = 0;
	curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect_us);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &reply);
	j->connected = connect_us > 0;
	j->sent = rc == CURLE_OK;
	if (!j->sent)
		describe_failure(j, m->server, rc, reply,
				 errbuf[0] ? errbuf : curl_easy_strerror(rc));
out:
	curl_slist_free_all(pin);
	curl_slist_free_all(rcpt);
	if (h)
		curl_easy_cleanup(h);
}

static void
post_done(struct mailer *m, struct mail_job *j)
{
	uint64_t one = 1;
	m->done[m->ndone++] = j;
	/* an eventfd write only fails when the counter would overflow */
	if (write(m->done_fd, &one, sizeof(one)) < 0)
		return;
}

static void *
mail_thread(void *arg)
{
	struct mailer *m = arg;
	caps_drop_thread();	/* it only talks to the SMTP server */

	pthread_mutex_lock(&m->lock);
	while (!m->stop) {
		if (!m->ntodo) {
			pthread_cond_wait(&m->wake, &m->lock);
			continue;
		}
		struct mail_job *j = m->todo[0];
		m->ntodo--;
		memmove(m->todo, m->todo + 1, m->ntodo * sizeof(m->todo[0]));
		pthread_mutex_unlock(&m->lock);
		deliver(m, j);
		pthread_mutex_lock(&m->lock);
		post_done(m, j);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

/* ---- the loop's side ---- */

/* The thread must take no signal: the loop reads them from a signalfd,
 * which only works while every thread blocks them. */
static int
spawn(struct mailer *m)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int r = pthread_create(&m->thread, NULL, mail_thread, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return -r;
}

int
mailer_start(struct mailer *m, const struct mailer_conf *conf)
{
	memset(m, 0, sizeof(*m));
	m->done_fd = -1;
	m->conf = *conf;
	atomic_init(&m->abort, false);
	build_request(m);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -EIO;
	m->done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int r = m->done_fd < 0 ? -errno : 0;
	if (!r) {
		pthread_mutex_init(&m->lock, NULL);
		pthread_cond_init(&m->wake, NULL);
		r = spawn(m);
		if (r) {
			pthread_cond_destroy(&m->wake);
			pthread_mutex_destroy(&m->lock);
		}
	}
	if (r) {
		if (m->done_fd >= 0)
			close(m->done_fd);
		m->done_fd = -1;
		curl_global_cleanup();
		return r;
	}
	m->running = true;
	return 0;
}

bool
mailer_submit(struct mailer *m, struct mail_job *j)
{
	if (!m->running)
		return false;
	pthread_mutex_lock(&m->lock);
	bool room = m->njobs < MAILER_JOBS;
	if (room) {
		m->todo[m->ntodo++] = j;
		m->njobs++;
		pthread_cond_signal(&m->wake);
	}
	pthread_mutex_unlock(&m->lock);
	return room;
}

size_t
mailer_collect(struct mailer *m, struct mail_job **out, size_t max)
{
	uint64_t count;
	if (!m->running)
		return 0;
	/* drain first: a job finishing after the copy below rings again */
	if (read(m->done_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		return 0;
	pthread_mutex_lock(&m->lock);
	size_t n = m->ndone < max ? m->ndone : max;
	memcpy(out, m->done, n * sizeof(out[0]));
	m->ndone -= n;
	memmove(m->done, m->done + n, m->ndone * sizeof(m->done[0]));
	m->njobs -= n;
	pthread_mutex_unlock(&m->lock);
	return n;
}

void
mailer_stop(struct mailer *m)
{
	if (!m->running)
		return;
	pthread_mutex_lock(&m->lock);
	m->stop = true;
	atomic_store(&m->abort, true);
	pthread_cond_signal(&m->wake);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	pthread_cond_destroy(&m->wake);
	pthread_mutex_destroy(&m->lock);
	close(m->done_fd);
	m->done_fd = -1;
	curl_global_cleanup();
	m->running = false;
}

#else /* !HAVE_LIBCURL */

bool
mailer_available(void)
{
	return false;
}

int
mailer_start(struct mailer *m, const struct mailer_conf *conf)
{
	memset(m, 0, sizeof(*m));
	m->done_fd = -1;
	return -ENOTSUP;
}

bool
mailer_submit(struct mailer *m, struct mail_job *j)
{
	return false;
}

size_t
mailer_collect(struct mailer *m, struct mail_job **out, size_t max)
{
	return 0;
}

void
mailer_stop(struct mailer *m)
{
}

#endif

int
mailer_fd(const struct mailer *m)
{
	return m->done_fd;
}

const char *
mailer_server(const struct mailer *m)
{
	return m->server;
}
