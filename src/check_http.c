/* check_http.c - HTTP_GET's request and verdict (see check_http.h). */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check_http.h"

const char *
http_check_vhost(const struct cf_url *url, const struct cf_checker *chk,
		 const struct cf_virtual_server *vs)
{
	if (url && url->virtualhost)
		return url->virtualhost;
	if (chk && chk->virtualhost)
		return chk->virtualhost;
	if (vs && vs->virtualhost)
		return vs->virtualhost;
	return NULL;
}

/* "addr:port" or "[addr6]:port", keepalived's Host without a virtualhost */
static void
host_of(const struct sockaddr *dst, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "";
	if (dst->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)dst;
		inet_ntop(AF_INET6, &s6->sin6_addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, ntohs(s6->sin6_port));
	} else {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)dst;
		inet_ntop(AF_INET, &s4->sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(s4->sin_port));
	}
}

int
http_check_request(char *buf, size_t len, const char *path, const char *vhost,
		   const struct sockaddr *dst, int http_protocol)
{
	char host[INET6_ADDRSTRLEN + 10];
	if (!vhost) {
		host_of(dst, host, sizeof(host));
		vhost = host;
	}
	/* 1.0C is keepalived's "HTTP/1.0 with Connection: close" */
	bool close = http_protocol == 11 || http_protocol == 12;
	int n = snprintf(buf, len,
			 "GET %s HTTP/1.%d\r\nUser-Agent: KeepAliveClient\r\n%sHost: %s\r\n\r\n",
			 path, http_protocol == 11 ? 1 : 0,
			 close ? "Connection: close\r\n" : "", vhost);
	return n < 0 || (size_t)n >= len ? -1 : n;
}

/* "HTTP/x.y NNN ..." -> NNN, else 0 (keepalived counts that as a bad code) */
static int
status_of(const char *buf, size_t len)
{
	if (len < 5 || memcmp(buf, "HTTP/", 5))
		return 0;
	const char *p = memchr(buf, ' ', len);
	if (!p)
		return 0;
	p++;
	size_t left = len - (size_t)(p - buf);
	if (left < 4 || !isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]) ||
	    !isdigit((unsigned char)p[2]) || (p[3] != ' ' && p[3] != '\r' && p[3] != '\n'))
		return 0;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/* The value of Content-Length among the header lines HEAD[0..LEN), or -1. */
static long long
content_length_of(const char *head, size_t len)
{
	static const char name[] = "content-length:";
	const size_t nlen = sizeof(name) - 1;
	const char *end = head + len;
	for (const char *line = head; line < end;) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		if (!eol)
			eol = end;
		if ((size_t)(eol - line) > nlen && !strncasecmp(line, name, nlen)) {
			const char *v = line + nlen;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			long long n = 0;
			bool digits = false;
			while (v < eol && isdigit((unsigned char)*v) && n < (1LL << 50)) {
				n = n * 10 + (*v++ - '0');
				digits = true;
			}
			return digits ? n : -1;
		}
		line = eol + 1;
	}
	return -1;
}

bool
http_check_parse(const char *buf, size_t len, struct http_check_resp *r)
{
	memset(r, 0, sizeof(*r));
	r->content_length = -1;
	const char *end = NULL;
	size_t sep = 0;
	for (size_t i = 0; i + 1 < len && !end; i++) {
		if (buf[i] != '\n')
			continue;
		if (buf[i + 1] == '\n') {
			end = buf + i;
			sep = 2;
		} else if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n') {
			end = buf + i;
			sep = 3;
		}
	}
	if (!end)
		return false;
	r->head_done = true;
	r->status = status_of(buf, (size_t)(end - buf));
	r->content_length = content_length_of(buf, (size_t)(end - buf));
	r->body = end + sep;
	r->body_len = len - (size_t)(r->body - buf);
	return true;
}

bool
http_check_complete(const struct http_check_resp *r)
{
	return r->head_done && r->content_length >= 0 &&
	       r->body_len >= (unsigned long long)r->content_length;
}

bool
http_check_status_ok(const struct cf_url *url, int status)
{
	if (!url->ncodes)
		return status >= 200 && status <= 299;
	for (size_t i = 0; i < url->ncodes; i++)
		if (status >= url->codes[i].lo && status <= url->codes[i].hi)
			return true;
	return false;
}

/* Does RE match BODY?  A body larger than we read is judged on its start. */
static bool
regex_matches(const pcre2_code *re, const char *body, size_t len)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
	if (!md)
		return false;
	int rc = pcre2_match(re, (PCRE2_SPTR)body, len, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

enum http_verdict
http_check_judge(const struct cf_url *url, const pcre2_code *re,
		 const struct http_check_resp *r)
{
	if (!r->head_done)
		return HTTP_NO_DATA;
	if (!http_check_status_ok(url, r->status))
		return HTTP_BAD_STATUS;
	enum http_verdict ok = url->ncodes ? HTTP_OK_STATUS : HTTP_OK;
	if (!re)
		return ok;
	size_t len = r->body_len;
	if (r->content_length >= 0 && len > (unsigned long long)r->content_length)
		len = (size_t)r->content_length;
	bool matched = regex_matches(re, r->body, len);
	return matched != url->regex_no_match ? HTTP_OK_REGEX : HTTP_REGEX_FAILED;
}

const char *
http_verdict_reason(enum http_verdict v)
{
	switch (v) {
	/* keepalived's trailing space gives its "from  server" */
	case HTTP_NO_DATA: return "Read, no data received from ";
	case HTTP_BAD_STATUS: return "HTTP status code error to";
	case HTTP_REGEX_FAILED: return "Regex match failed";
	default: return "";
	}
}

pcre2_code *
http_check_compile(const char *regex, char *err, size_t errlen)
{
	int code;
	PCRE2_SIZE off;
	pcre2_code *re = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED, 0, &code,
				       &off, NULL);
	if (!re && errlen) {
		PCRE2_UCHAR msg[160];
		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errlen, "%s at offset %zu", (const char *)msg, (size_t)off);
	}
	return re;
}
