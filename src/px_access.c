/* px_access.c - the proxy's access log (see px_access.h). */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "px_access.h"

/* Copy a span, escaping what would break the quoted field as nginx does. */
static void
copy_escaped(char *out, size_t cap, const char *p, size_t len)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 5 < cap; i++) {
		unsigned char ch = (unsigned char)p[i];
		if (ch == '"' || ch == '\\' || ch < 0x20 || ch >= 0x7f)
			o += (size_t)snprintf(out + o, cap - o, "\\x%02X", ch);
		else
			out[o++] = (char)ch;
	}
	out[o] = '\0';
}

static void
capture_header(char *out, size_t cap, const struct http_request *req, const char *buf,
	       const char *name)
{
	const struct http_header *h = http_find_header(&req->head, buf, name);
	if (h)
		copy_escaped(out, cap, buf + h->value.off, h->value.len);
	else
		snprintf(out, cap, "-");
}

void
px_access_capture(struct px_access_rec *r, const struct http_request *req, const char *buf)
{
	char target[400];
	copy_escaped(target, sizeof(target), buf + req->target.off, req->target.len);
	snprintf(r->request, sizeof(r->request), "%.*s %s HTTP/%d.%d",
		 (int)req->method_name.len, buf + req->method_name.off, target,
		 req->head.version / 10, req->head.version % 10);
	capture_header(r->referer, sizeof(r->referer), req, buf, "Referer");
	capture_header(r->agent, sizeof(r->agent), req, buf, "User-Agent");
}

size_t
px_access_format(char *out, size_t cap, const struct px_access_rec *r, const char *addr,
		 int status, uint64_t bytes, long when)
{
	struct tm tm;
	time_t t = (time_t)when;
	char date[64];
	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%d/%b/%Y:%H:%M:%S %z", &tm);
	int n = snprintf(out, cap, "%s - - [%s] \"%s\" %d %llu \"%s\" \"%s\"\n", addr, date,
			 r->request, status, (unsigned long long)bytes, r->referer, r->agent);
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

void
px_access_open(struct px_access_log *l, const char *path)
{
	l->len = 0;
	l->fd_valid = false;
	if (!path)
		return;
	/* 0640: an access log names clients; never world-readable */
	l->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	l->fd_valid = l->fd >= 0;
}

void
px_access_flush(struct px_access_log *l)
{
	if (l->fd_valid && l->len) {
		/* a short write loses the rest: the log never holds the proxy up */
		if (write(l->fd, l->buf, l->len) < 0)
			l->len = 0;
	}
	l->len = 0;
}

void
px_access_write(struct px_access_log *l, const struct px_access_rec *r, const char *addr,
		int status, uint64_t bytes)
{
	char line[1200];
	size_t n = px_access_format(line, sizeof(line), r, addr, status, bytes, (long)time(NULL));
	if (l->len + n > sizeof(l->buf))
		px_access_flush(l);
	memcpy(l->buf + l->len, line, n);
	l->len += n;
}

void
px_access_close(struct px_access_log *l)
{
	px_access_flush(l);
	if (l->fd_valid)
		close(l->fd);
	l->fd_valid = false;
}
