/* check_http.h - the pure half of HTTP_GET: keepalived's request, and the
 * verdict on a response (status code ranges, regex on the body).
 *
 * No sockets and no clocks: health.c does the I/O and hands the bytes
 * here, so every rule can be tested on a buffer. */
#ifndef VIGIL_CHECK_HTTP_H
#define VIGIL_CHECK_HTTP_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "model.h"

/* The most of a response a check reads: past it, it judges what it has
 * (the status line and headers always fit). */
#define HTTP_CHECK_MAX_RESPONSE	(64 * 1024)

/* The Host a url's request names: the url's virtualhost, else the
 * checker's, else the virtual server's; NULL = the address connected to. */
const char *http_check_vhost(const struct cf_url *url, const struct cf_checker *chk,
			     const struct cf_virtual_server *vs);

/*
 * keepalived's GET into BUF:
 *   GET <path> HTTP/1.<0|1>\r\nUser-Agent: KeepAliveClient\r\n
 *   [Connection: close\r\n]Host: <vhost | addr:port | [addr6]:port>\r\n\r\n
 * "Connection: close" for http_protocol 1.1 and 1.0C; the version is 1.1
 * only for 1.1.  DST is where the checker connects (the Host when there is
 * no virtualhost).  The length, or -1 if it does not fit in LEN.
 */
int http_check_request(char *buf, size_t len, const char *path, const char *vhost,
		       const struct sockaddr *dst, int http_protocol);

/* What a response says, as far as a check cares.  Points into the buffer. */
struct http_check_resp {
	bool head_done;		/* the blank line after the headers was seen */
	int status;		/* 0 when the status line is not "HTTP/x.y NNN" */
	long long content_length;	/* -1: none given */
	const char *body;
	size_t body_len;
};

/* Parse BUF[0..LEN): false while the headers are incomplete. */
bool http_check_parse(const char *buf, size_t len, struct http_check_resp *r);

/* The whole response is in: the body reached Content-Length (a server
 * that keeps the connection open need not be waited for). */
bool http_check_complete(const struct http_check_resp *r);

enum http_verdict {
	HTTP_OK,		/* status in 200-299 (no status_code given) */
	HTTP_OK_STATUS,		/* status in a configured status_code range */
	HTTP_OK_REGEX,		/* ... and the regex (or regex_no_match) held */
	HTTP_NO_DATA,		/* no complete header: keepalived's "no data" */
	HTTP_BAD_STATUS,
	HTTP_REGEX_FAILED,
};

static inline bool
http_verdict_ok(enum http_verdict v)
{
	return v == HTTP_OK || v == HTTP_OK_STATUS || v == HTTP_OK_REGEX;
}

/* True if STATUS is one URL accepts (its status_code ranges, else 2xx). */
bool http_check_status_ok(const struct cf_url *url, int status);

/* Judge a finished response to URL.  RE is the url's compiled regex (NULL
 * if none or it did not compile).  The digest is not checked (no MD5
 * without vendored code): the caller says so once. */
enum http_verdict http_check_judge(const struct cf_url *url, const pcre2_code *re,
				   const struct http_check_resp *r);

/* keepalived's words for a failed verdict, as in "<reason> server X." */
const char *http_verdict_reason(enum http_verdict v);

/* Compile URL's regex; NULL (and ERR filled) when it does not compile. */
pcre2_code *http_check_compile(const char *regex, char *err, size_t errlen);

#endif
