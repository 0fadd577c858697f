/* test_http.c - the proxy's HTTP/1.1 parsers: heads delivered whole, byte
 * by byte and split at every offset; every refusal (smuggling shapes,
 * limits, syntax); response framing; the chunked decoder under split
 * feeds; the forwarded-head and error writers. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "http.h"

#define LIT(s) (s), (sizeof(s) - 1)

/* ---- helpers -------------------------------------------------------- */

static void
assert_span(const char *buf, struct http_span s, const char *want)
{
	assert_int_equal(s.len, strlen(want));
	assert_memory_equal(buf + s.off, want, s.len);
}

static void
assert_same_head(const struct http_head *a, const struct http_head *b)
{
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->keep_alive, b->keep_alive);
	assert_int_equal(a->upgrade, b->upgrade);
	assert_int_equal(a->chunked, b->chunked);
	assert_int_equal(a->has_content_length, b->has_content_length);
	assert_int_equal(a->content_length, b->content_length);
	assert_int_equal(a->body, b->body);
	assert_int_equal(a->head_len, b->head_len);
	assert_int_equal(a->nheaders, b->nheaders);
	for (uint32_t i = 0; i < a->nheaders; i++) {
		assert_int_equal(a->headers[i].name.off, b->headers[i].name.off);
		assert_int_equal(a->headers[i].name.len, b->headers[i].name.len);
		assert_int_equal(a->headers[i].value.off, b->headers[i].value.off);
		assert_int_equal(a->headers[i].value.len, b->headers[i].value.len);
		assert_int_equal(a->headers[i].flags, b->headers[i].flags);
	}
}

static void
assert_same_request(const struct http_request *a, const struct http_request *b)
{
	assert_same_head(&a->head, &b->head);
	assert_int_equal(a->method, b->method);
	assert_int_equal(a->method_name.off, b->method_name.off);
	assert_int_equal(a->method_name.len, b->method_name.len);
	assert_int_equal(a->target.off, b->target.off);
	assert_int_equal(a->target.len, b->target.len);
	assert_int_equal(a->target_form, b->target_form);
	assert_int_equal(a->has_host, b->has_host);
	assert_int_equal(a->host.off, b->host.off);
	assert_int_equal(a->host.len, b->host.len);
	assert_int_equal(a->expect_100_continue, b->expect_100_continue);
}

/*
 * Parse the N bytes at S as a request whole and again one byte at a time;
 * both must reach the same verdict (and the same request).  Returns the
 * verdict; *STATUS gets the error status.
 */
static enum http_result
parse_req_lim(const char *s, size_t n, const struct http_limits *lim,
	      struct http_request *req, int *status)
{
	struct http_parser p, q;
	struct http_request *r2 = calloc(1, sizeof(*r2));
	enum http_result whole, inc = HTTP_NEED_MORE;

	assert_non_null(r2);
	http_parser_init(&p, lim);
	whole = http_parse_request(&p, req, s, n);
	http_parser_init(&q, lim);
	for (size_t k = 0; k <= n && inc == HTTP_NEED_MORE; k++)
		inc = http_parse_request(&q, r2, s, k);
	assert_int_equal(whole, inc);
	if (whole == HTTP_ERROR) {
		assert_int_equal(p.status, q.status);
		assert_string_equal(p.error, q.error);
	}
	if (whole == HTTP_DONE)
		assert_same_request(req, r2);
	if (status)
		*status = whole == HTTP_ERROR ? p.status : 0;
	free(r2);
	return whole;
}

static enum http_result
parse_req(const char *s, size_t n, struct http_request *req, int *status)
{
	return parse_req_lim(s, n, NULL, req, status);
}

/* The request must be refused with STATUS. */
static void
assert_refused(const char *what, const char *s, size_t n, int status)
{
	struct http_request *req = calloc(1, sizeof(*req));
	int got = 0;
	enum http_result r;

	assert_non_null(req);
	r = parse_req(s, n, req, &got);
	if (r != HTTP_ERROR || got != status)
		fail_msg("%s: got result %d status %d, want %d", what, r, got,
			 status);
	free(req);
}

static enum http_result
parse_resp(const char *s, size_t n, enum http_method m,
	   struct http_response *resp, int *status)
{
	struct http_parser p, q;
	struct http_response *r2 = calloc(1, sizeof(*r2));
	enum http_result whole, inc = HTTP_NEED_MORE;

	assert_non_null(r2);
	http_parser_init(&p, NULL);
	whole = http_parse_response(&p, resp, m, s, n);
	http_parser_init(&q, NULL);
	for (size_t k = 0; k <= n && inc == HTTP_NEED_MORE; k++)
		inc = http_parse_response(&q, r2, m, s, k);
	assert_int_equal(whole, inc);
	if (whole == HTTP_DONE) {
		assert_same_head(&resp->head, &r2->head);
		assert_int_equal(resp->status, r2->status);
		assert_int_equal(resp->informational, r2->informational);
	}
	if (status)
		*status = whole == HTTP_ERROR ? p.status : 0;
	free(r2);
	return whole;
}

static struct http_request *
new_req(void)
{
	struct http_request *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	return r;
}

static struct http_response *
new_resp(void)
{
	struct http_response *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	return r;
}

/* Parse a request that must succeed. */
static struct http_request *
req_ok(const char *s, size_t n)
{
	struct http_request *r = new_req();
	int st = 0;

	if (parse_req(s, n, r, &st) != HTTP_DONE)
		fail_msg("refused with %d: %.*s", st, (int)n, s);
	return r;
}

static uint32_t
flags_of(const struct http_request *r, const char *buf, const char *name)
{
	const struct http_header *h = http_find_header(&r->head, buf, name);

	assert_non_null(h);
	return h->flags;
}

/* ---- character classes, checked through the parser ------------------ */

static bool
ref_tchar(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool
ref_field_vchar(int c)
{
	return c == '\t' || c == ' ' || (c >= 0x21 && c != 0x7f);
}

static bool
ref_host(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr("-._~!$&'()*+,;=:[]%", c));
}

/* Every byte in a field name, a field value, the target and Host: the
 * parser's table must agree with RFC 9110's definitions. */
static void
test_char_classes(void **state)
{
	struct http_request *r = new_req();
	char buf[128];

	for (int c = 0; c < 256; c++) {
		int n;
		enum http_result res;

		n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\nX%cY: v\r\n\r\n", c ? c : '?');
		if (c == 0)
			buf[strlen("GET / HTTP/1.1\r\nHost: a\r\nX")] = 0;
		res = parse_req(buf, (size_t)n, r, NULL);
		/* "X:Y: v" is field X with value "Y: v" */
		if ((res == HTTP_DONE) != (ref_tchar(c) || c == ':'))
			fail_msg("field name byte 0x%02x", c);

		n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\nX: a%cb\r\n\r\n", c ? c : '?');
		if (c == 0)
			buf[strlen("GET / HTTP/1.1\r\nHost: a\r\nX: a")] = 0;
		res = parse_req(buf, (size_t)n, r, NULL);
		if ((res == HTTP_DONE) != ref_field_vchar(c))
			fail_msg("field value byte 0x%02x", c);

		n = snprintf(buf, sizeof(buf), "GET /a%cb HTTP/1.1\r\nHost: a\r\n\r\n", c ? c : '?');
		if (c == 0)
			buf[strlen("GET /a")] = 0;
		res = parse_req(buf, (size_t)n, r, NULL);
		if ((res == HTTP_DONE) != (c > 0x20 && c != 0x7f))
			fail_msg("target byte 0x%02x", c);

		n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a%cb\r\n\r\n", c ? c : '?');
		if (c == 0)
			buf[strlen("GET / HTTP/1.1\r\nHost: a")] = 0;
		res = parse_req(buf, (size_t)n, r, NULL);
		if ((res == HTTP_DONE) != ref_host(c))
			fail_msg("Host byte 0x%02x", c);
	}
	free(r);
}

/* Field values are checked a word at a time: every byte at every
 * position of a long value, against the definition. */
static void
test_long_field_values(void **state)
{
	static const char pre[] = "GET / HTTP/1.1\r\nHost: a\r\nX: ";
	struct http_request *r = new_req();
	char buf[128];

	memcpy(buf, pre, sizeof(pre) - 1);
	for (int c = 0; c < 256; c++)
		for (size_t pos = 0; pos < 19; pos++) {
			char *v = buf + sizeof(pre) - 1;
			enum http_result res;
			bool want = ref_field_vchar(c);

			memset(v, 'v', 19);
			v[pos] = (char)c;
			memcpy(v + 19, "w\r\n\r\n", 5);
			res = parse_req(buf, sizeof(pre) - 1 + 24, r, NULL);
			/* an LF just ends the line early ("vvv" then a field
			 * line without a colon); OWS next to the value's end
			 * is trimmed, which is fine */
			if ((res == HTTP_DONE) != want)
				fail_msg("byte 0x%02x at %zu", c, pos);
			if (res == HTTP_DONE)
				assert_int_equal(r->head.headers[1].value.len,
						 c == ' ' || c == '\t' ?
						 (pos == 0 ? 19 : 20) : 20);
		}
	free(r);
}

/* ---- requests: the happy path --------------------------------------- */

static const char sample[] =
	"\r\n"
	"POST /upload?x=1 HTTP/1.1\r\n"
	"Host: example.com:8080\r\n"
	"User-Agent: test/1.0\r\n"
	"Connection: keep-alive, X-Hop\r\n"
	"X-Hop: 1\r\n"
	"Content-Length: 5\r\n"
	"X-Empty:\r\n"
	"X-Ows: \t spaced  value \t\r\n"
	"\r\n"
	"hello"
	"GET /next HTTP/1.1\r\nHost: b\r\n\r\n";

static size_t
sample_head_len(void)
{
	return (size_t)(strstr(sample, "hello") - sample);
}

static void
check_sample(const struct http_request *r)
{
	const struct http_head *h = &r->head;

	assert_int_equal(r->method, HTTP_M_POST);
	assert_span(sample, r->method_name, "POST");
	assert_span(sample, r->target, "/upload?x=1");
	assert_int_equal(r->target_form, HTTP_TARGET_ORIGIN);
	assert_true(r->has_host);
	assert_span(sample, r->host, "example.com:8080");
	assert_false(r->expect_100_continue);
	assert_int_equal(h->version, 11);
	assert_true(h->keep_alive);
	assert_false(h->upgrade);
	assert_false(h->chunked);
	assert_true(h->has_content_length);
	assert_int_equal(h->content_length, 5);
	assert_int_equal(h->body, HTTP_BODY_LENGTH);
	assert_int_equal(h->head_len, sample_head_len());
	assert_int_equal(h->nheaders, 7);
	assert_span(sample, h->headers[0].name, "Host");
	assert_span(sample, h->headers[1].value, "test/1.0");
	assert_int_equal(h->headers[2].flags, HTTP_HF_HOP_BY_HOP);
	assert_span(sample, h->headers[3].name, "X-Hop");
	assert_int_equal(h->headers[3].flags, HTTP_HF_HOP_BY_HOP);
	assert_int_equal(h->headers[4].flags, HTTP_HF_FRAMING);
	assert_span(sample, h->headers[5].value, "");
	assert_span(sample, h->headers[6].value, "spaced  value");
	assert_int_equal(h->headers[6].flags, 0);
}

static void
test_sample_whole(void **state)
{
	struct http_request *r = req_ok(LIT(sample));

	check_sample(r);
	free(r);
}

/* Deliver the first K bytes, then everything: for every K the parser must
 * wait until the head is complete and then describe it exactly as when it
 * got all at once. */
static void
test_sample_split_everywhere(void **state)
{
	struct http_request *r = new_req();
	size_t n = sizeof(sample) - 1, head = sample_head_len();

	for (size_t k = 0; k <= n; k++) {
		struct http_parser p;

		http_parser_init(&p, NULL);
		assert_int_equal(http_parse_request(&p, r, sample, k),
				 k < head ? HTTP_NEED_MORE : HTTP_DONE);
		assert_true(p.scan <= k);
		assert_int_equal(http_parse_request(&p, r, sample, n), HTTP_DONE);
		check_sample(r);
		/* done is sticky */
		assert_int_equal(http_parse_request(&p, r, sample, n), HTTP_DONE);
	}
	free(r);
}

/* Three pieces at every pair of offsets. */
static void
test_sample_split_in_three(void **state)
{
	struct http_request *r = new_req();
	size_t head = sample_head_len();

	for (size_t a = 0; a <= head; a++)
		for (size_t b = a; b <= head; b++) {
			struct http_parser p;

			http_parser_init(&p, NULL);
			http_parse_request(&p, r, sample, a);
			http_parse_request(&p, r, sample, b);
			assert_int_equal(http_parse_request(&p, r, sample, head),
					 HTTP_DONE);
			check_sample(r);
		}
	free(r);
}

/* Lines already parsed are not looked at again: corrupting one after it
 * was parsed goes unnoticed.  (The proxy relies on this for speed, never
 * for correctness.) */
static void
test_no_rescan(void **state)
{
	struct http_request *r = new_req();
	char buf[sizeof(sample)];
	size_t upto = (size_t)(strstr(sample, "User-Agent") - sample);
	struct http_parser p;

	memcpy(buf, sample, sizeof(sample));
	http_parser_init(&p, NULL);
	assert_int_equal(http_parse_request(&p, r, buf, upto), HTTP_NEED_MORE);
	assert_int_equal(p.line_start, upto);
	buf[strstr(sample, "example") - sample] = '\0';
	assert_int_equal(http_parse_request(&p, r, buf, sizeof(buf) - 1),
			 HTTP_DONE);
	free(r);
}

/* The pipelined request after the body parses from its own offset. */
static void
test_pipelined_next_request(void **state)
{
	struct http_request *r = req_ok(LIT(sample));
	size_t next = r->head.head_len + r->head.content_length;
	const char *rest = sample + next;
	struct http_request *r2 = req_ok(rest, sizeof(sample) - 1 - next);

	assert_int_equal(r2->method, HTTP_M_GET);
	assert_span(rest, r2->target, "/next");
	free(r);
	free(r2);
}

static void
test_bare_lf(void **state)
{
	static const char m[] = "GET / HTTP/1.1\nHost: a\r\nX: y\n\n";
	struct http_request *r = req_ok(LIT(m));

	assert_int_equal(r->head.head_len, sizeof(m) - 1);
	assert_span(m, r->head.headers[0].value, "a");
	assert_span(m, r->head.headers[1].value, "y");
	free(r);
}

static void
test_methods(void **state)
{
	static const struct {
		const char *name;
		enum http_method m;
	} cases[] = {
		{ "GET", HTTP_M_GET },		{ "HEAD", HTTP_M_HEAD },
		{ "POST", HTTP_M_POST },	{ "PUT", HTTP_M_PUT },
		{ "DELETE", HTTP_M_DELETE },	{ "OPTIONS", HTTP_M_OPTIONS },
		{ "PATCH", HTTP_M_PATCH },	{ "TRACE", HTTP_M_TRACE },
		{ "get", HTTP_M_OTHER },	{ "PROPFIND", HTTP_M_OTHER },
		{ "M-SEARCH", HTTP_M_OTHER },	{ "GETS", HTTP_M_OTHER },
	};
	char buf[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = snprintf(buf, sizeof(buf), "%s /x HTTP/1.1\r\nHost: h\r\n\r\n",
				 cases[i].name);
		struct http_request *r = req_ok(buf, (size_t)n);

		assert_int_equal(r->method, cases[i].m);
		assert_span(buf, r->method_name, cases[i].name);
		if (cases[i].m != HTTP_M_OTHER)
			assert_string_equal(http_method_name(cases[i].m),
					    cases[i].name);
		free(r);
	}
	assert_int_equal(http_method_from(LIT("CONNECT")), HTTP_M_CONNECT);
	assert_string_equal(http_method_name(HTTP_M_OTHER), "");
}

static void
test_target_forms(void **state)
{
	struct http_request *r;

	r = req_ok(LIT("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"));
	assert_int_equal(r->target_form, HTTP_TARGET_ASTERISK);
	free(r);
	r = req_ok(LIT("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"));
	assert_int_equal(r->target_form, HTTP_TARGET_AUTHORITY);
	free(r);
	r = req_ok(LIT("GET http://example.com/a?b HTTP/1.1\r\nHost: example.com\r\n\r\n"));
	assert_int_equal(r->target_form, HTTP_TARGET_ABSOLUTE);
	free(r);
	r = req_ok(LIT("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n"));
	assert_int_equal(r->target_form, HTTP_TARGET_ORIGIN);
	free(r);
}

static void
test_versions(void **state)
{
	struct http_request *r;

	r = req_ok(LIT("GET / HTTP/1.0\r\n\r\n"));
	assert_int_equal(r->head.version, 10);
	assert_false(r->head.keep_alive);
	assert_false(r->has_host);
	free(r);
	/* a later 1.x minor speaks 1.1 (RFC 9110 2.5) */
	r = req_ok(LIT("GET / HTTP/1.2\r\nHost: h\r\n\r\n"));
	assert_int_equal(r->head.version, 11);
	assert_true(r->head.keep_alive);
	free(r);
}

static void
test_leading_empty_lines(void **state)
{
	struct http_request *r = req_ok(LIT("\r\n\n\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"));

	assert_span("\r\n\n\r\n\r\nGET", r->method_name, "GET");
	free(r);
	assert_refused("five empty lines",
		       LIT("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
}

static void
test_keep_alive(void **state)
{
	static const struct {
		const char *msg;
		bool keep;
	} cases[] = {
		{ "GET / HTTP/1.1\r\nHost: h\r\n\r\n", true },
		{ "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false },
		{ "GET / HTTP/1.1\r\nHost: h\r\nConnection: CLOSE\r\n\r\n", false },
		{ "GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, close\r\n\r\n", false },
		{ "GET / HTTP/1.1\r\nHost: h\r\nConnection: x\r\nConnection: close\r\n\r\n", false },
		{ "GET / HTTP/1.0\r\n\r\n", false },
		{ "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true },
		{ "GET / HTTP/1.0\r\nConnection: , keep-alive ,\r\n\r\n", true },
		{ "GET / HTTP/1.0\r\nConnection: keep-alive,close\r\n\r\n", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_request *r = req_ok(cases[i].msg, strlen(cases[i].msg));

		if (r->head.keep_alive != cases[i].keep)
			fail_msg("case %zu: keep_alive %d", i, r->head.keep_alive);
		free(r);
	}
}

static void
test_hop_by_hop_flags(void **state)
{
	static const char m[] =
		"GET / HTTP/1.1\r\nHost: h\r\n"
		"Connection: Upgrade, X-Private, content-length, HOST, transfer-encoding\r\n"
		"Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\n"
		"TE: trailers\r\nTrailer: X-Sum\r\nUpgrade: websocket\r\n"
		"Proxy-Authorization: Basic Zm9vOmJhcg==\r\n"
		"x-private: 1\r\nExpect: 100-continue\r\nContent-Length: 0\r\n"
		"X-Public: 2\r\n\r\n";
	struct http_request *r = req_ok(LIT(m));

	assert_int_equal(flags_of(r, m, "connection"), HTTP_HF_HOP_BY_HOP);
	assert_int_equal(flags_of(r, m, "keep-alive"), HTTP_HF_HOP_BY_HOP);
	assert_int_equal(flags_of(r, m, "proxy-connection"), HTTP_HF_HOP_BY_HOP);
	assert_int_equal(flags_of(r, m, "te"), HTTP_HF_HOP_BY_HOP);
	assert_int_equal(flags_of(r, m, "upgrade"), HTTP_HF_HOP_BY_HOP);
	assert_int_equal(flags_of(r, m, "proxy-authorization"), HTTP_HF_HOP_BY_HOP);
	assert_int_equal(flags_of(r, m, "X-PRIVATE"), HTTP_HF_HOP_BY_HOP);
	/* end-to-end, and what Connection may not strip */
	assert_int_equal(flags_of(r, m, "trailer"), 0);
	assert_int_equal(flags_of(r, m, "expect"), 0);
	assert_int_equal(flags_of(r, m, "x-public"), 0);
	assert_int_equal(flags_of(r, m, "host"), 0);
	assert_int_equal(flags_of(r, m, "content-length"), HTTP_HF_FRAMING);
	assert_true(r->head.upgrade);
	assert_true(r->expect_100_continue);
	assert_true(r->head.has_content_length);
	assert_int_equal(r->head.body, HTTP_BODY_NONE);
	free(r);
}

static void
test_expect(void **state)
{
	struct http_request *r;

	r = req_ok(LIT("PUT /f HTTP/1.1\r\nHost: h\r\nExpect:  100-Continue \r\nContent-Length: 3\r\n\r\n"));
	assert_true(r->expect_100_continue);
	free(r);
	r = req_ok(LIT("PUT /f HTTP/1.1\r\nHost: h\r\nExpect: 101-nope\r\n\r\n"));
	assert_false(r->expect_100_continue);
	free(r);
}

static void
test_chunked_request(void **state)
{
	static const char m[] =
		"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"
		"5\r\nhello\r\n0\r\n\r\n";
	struct http_request *r = req_ok(LIT(m));

	assert_true(r->head.chunked);
	assert_false(r->head.has_content_length);
	assert_int_equal(r->head.body, HTTP_BODY_CHUNKED);
	assert_int_equal(flags_of(r, m, "transfer-encoding"),
			 HTTP_HF_HOP_BY_HOP | HTTP_HF_FRAMING);
	free(r);
	/* empty list elements are ignored (RFC 9110 5.6.1) */
	r = req_ok(LIT("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: , chunked ,\r\n\r\n"));
	assert_true(r->head.chunked);
	free(r);
}

static void
test_content_length_values(void **state)
{
	struct http_request *r;

	r = req_ok(LIT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 007\r\n\r\n"));
	assert_int_equal(r->head.content_length, 7);
	free(r);
	r = req_ok(LIT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4611686018427387904\r\n\r\n"));
	assert_int_equal(r->head.content_length, HTTP_MAX_BODY_LENGTH);
	free(r);
	r = req_ok(LIT("POST / HTTP/1.0\r\nContent-Length: 0\r\n\r\n"));
	assert_true(r->head.has_content_length);
	assert_int_equal(r->head.body, HTTP_BODY_NONE);
	free(r);
}

/* ---- requests: refusals --------------------------------------------- */

#define H "Host: h\r\n"

static const struct refusal {
	const char *what;
	const char *msg;
	size_t len;
	int status;
} refusals[] = {
#define R(w, m, st) { w, m, sizeof(m) - 1, st }
	/* request line */
	R("double space", "GET  / HTTP/1.1\r\n" H "\r\n", 400),
	R("space before version", "GET /  HTTP/1.1\r\n" H "\r\n", 400),
	R("trailing space", "GET / HTTP/1.1 \r\n" H "\r\n", 400),
	R("leading space", " GET / HTTP/1.1\r\n" H "\r\n", 400),
	R("tab separator", "GET\t/ HTTP/1.1\r\n" H "\r\n", 400),
	R("HTTP/0.9 line", "GET /\r\n\r\n", 400),
	R("lower-case version", "GET / http/1.1\r\n" H "\r\n", 400),
	R("two-digit minor", "GET / HTTP/1.10\r\n" H "\r\n", 400),
	R("no minor", "GET / HTTP/1\r\n" H "\r\n", 400),
	R("HTTP/2.0", "GET / HTTP/2.0\r\n" H "\r\n", 505),
	R("HTTP/0.9", "GET / HTTP/0.9\r\n" H "\r\n", 505),
	R("HTTP/3.0", "GET / HTTP/3.0\r\n" H "\r\n", 505),
	R("method not a token", "G@T / HTTP/1.1\r\n" H "\r\n", 400),
	R("empty method", " / HTTP/1.1\r\n" H "\r\n", 400),
	R("CTL in target", "GET /a\x01" "b HTTP/1.1\r\n" H "\r\n", 400),
	R("NUL in target", "GET /a\0b HTTP/1.1\r\n" H "\r\n", 400),
	R("DEL in target", "GET /a\x7f HTTP/1.1\r\n" H "\r\n", 400),
	R("bare CR in target", "GET /a\rb HTTP/1.1\r\n" H "\r\n", 400),
	R("bare CR after version", "GET / HTTP/1.1\r\r\n" H "\r\n", 400),
	R("bare CR line end", "GET / HTTP/1.1\r" H "\r\n", 400),
	R("asterisk without OPTIONS", "GET * HTTP/1.1\r\n" H "\r\n", 400),
	R("CONNECT origin-form", "CONNECT /x HTTP/1.1\r\n" H "\r\n", 400),
	R("relative target", "GET foo HTTP/1.1\r\n" H "\r\n", 400),
	R("scheme-less absolute", "GET ://x HTTP/1.1\r\n" H "\r\n", 400),
	/* field lines */
	R("obs-fold", "GET / HTTP/1.1\r\n" H "X-A: b\r\n c\r\n\r\n", 400),
	R("obs-fold with tab", "GET / HTTP/1.1\r\n" H "X-A: b\r\n\tc\r\n\r\n", 400),
	R("space before first field", "GET / HTTP/1.1\r\n Host: h\r\n\r\n", 400),
	R("space before colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400),
	R("tab before colon", "GET / HTTP/1.1\r\n" H "X\t: y\r\n\r\n", 400),
	R("space inside name", "GET / HTTP/1.1\r\n" H "X Y: z\r\n\r\n", 400),
	R("empty name", "GET / HTTP/1.1\r\n" H ": z\r\n\r\n", 400),
	R("no colon", "GET / HTTP/1.1\r\n" H "garbage\r\n\r\n", 400),
	R("name not a token", "GET / HTTP/1.1\r\n" H "X(y): z\r\n\r\n", 400),
	R("obs-text in name", "GET / HTTP/1.1\r\n" H "X\x80: z\r\n\r\n", 400),
	R("NUL in value", "GET / HTTP/1.1\r\n" H "X: a\0b\r\n\r\n", 400),
	R("DEL in value", "GET / HTTP/1.1\r\n" H "X: a\x7f" "b\r\n\r\n", 400),
	R("ESC in value", "GET / HTTP/1.1\r\n" H "X: a\x1b" "b\r\n\r\n", 400),
	R("bare CR in value", "GET / HTTP/1.1\r\n" H "X: a\rb\r\n\r\n", 400),
	R("CR CR LF", "GET / HTTP/1.1\r\n" H "X: a\r\r\n\r\n", 400),
	R("bare CR ends head", "GET / HTTP/1.1\r\n" H "\r\r\n", 400),
	/* Host */
	R("HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400),
	R("two Host", "GET / HTTP/1.1\r\n" H H "\r\n", 400),
	R("two Host in 1.0", "GET / HTTP/1.0\r\n" H H "\r\n", 400),
	R("Host with slash", "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
	R("Host with space", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
	R("Host with userinfo", "GET / HTTP/1.1\r\nHost: u@a\r\n\r\n", 400),
	/* framing: RFC 9112 6.3 */
	R("CL then TE", "POST / HTTP/1.1\r\n" H "Content-Length: 5\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n", 400),
	R("TE then CL", "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunked\r\n"
	  "Content-Length: 5\r\n\r\n", 400),
	R("CL twice, same", "POST / HTTP/1.1\r\n" H "Content-Length: 5\r\n"
	  "Content-Length: 5\r\n\r\n", 400),
	R("CL twice, differing", "POST / HTTP/1.1\r\n" H "Content-Length: 5\r\n"
	  "Content-Length: 6\r\n\r\n", 400),
	R("CL list", "POST / HTTP/1.1\r\n" H "Content-Length: 5, 5\r\n\r\n", 400),
	R("CL sign", "POST / HTTP/1.1\r\n" H "Content-Length: +5\r\n\r\n", 400),
	R("CL negative", "POST / HTTP/1.1\r\n" H "Content-Length: -1\r\n\r\n", 400),
	R("CL hex", "POST / HTTP/1.1\r\n" H "Content-Length: 0x5\r\n\r\n", 400),
	R("CL junk", "POST / HTTP/1.1\r\n" H "Content-Length: 5a\r\n\r\n", 400),
	R("CL inner space", "POST / HTTP/1.1\r\n" H "Content-Length: 1 2\r\n\r\n", 400),
	R("CL empty", "POST / HTTP/1.1\r\n" H "Content-Length:\r\n\r\n", 400),
	R("CL over 2^62", "POST / HTTP/1.1\r\n" H
	  "Content-Length: 4611686018427387905\r\n\r\n", 400),
	R("CL overflows 64 bits", "POST / HTTP/1.1\r\n" H
	  "Content-Length: 99999999999999999999999\r\n\r\n", 400),
	R("TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
	R("TE final not chunked", "POST / HTTP/1.1\r\n" H
	  "Transfer-Encoding: gzip\r\n\r\n", 400),
	R("TE chunked then gzip", "POST / HTTP/1.1\r\n" H
	  "Transfer-Encoding: chunked, gzip\r\n\r\n", 400),
	R("TE chunked twice", "POST / HTTP/1.1\r\n" H
	  "Transfer-Encoding: chunked, chunked\r\n\r\n", 400),
	R("TE chunked twice, two lines", "POST / HTTP/1.1\r\n" H
	  "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
	R("TE chunked line then gzip line", "POST / HTTP/1.1\r\n" H
	  "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
	R("TE with parameter", "POST / HTTP/1.1\r\n" H
	  "Transfer-Encoding: chunked;x=1\r\n\r\n", 400),
	R("TE quoted", "POST / HTTP/1.1\r\n" H
	  "Transfer-Encoding: \"chunked\"\r\n\r\n", 400),
	R("TE empty", "POST / HTTP/1.1\r\n" H "Transfer-Encoding:\r\n\r\n", 400),
	R("TE only commas", "POST / HTTP/1.1\r\n" H "Transfer-Encoding: ,\r\n\r\n", 400),
	R("TE chunky", "POST / HTTP/1.1\r\n" H "Transfer-Encoding: chunky\r\n\r\n", 501),
	R("TE identity", "POST / HTTP/1.1\r\n" H "Transfer-Encoding: identity\r\n\r\n", 501),
	R("TE gzip, chunked", "POST / HTTP/1.1\r\n" H
	  "Transfer-Encoding: gzip, chunked\r\n\r\n", 501),
	R("TE gzip line then chunked line", "POST / HTTP/1.1\r\n" H
	  "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
	R("TE with CTL-free junk", "POST / HTTP/1.1\r\n" H
	  "Transfer-Encoding: xchunked\r\n\r\n", 501),
	/* Connection */
	R("Connection option not a token", "GET / HTTP/1.1\r\n" H
	  "Connection: close;x\r\n\r\n", 400),
#undef R
};

static void
test_refusals(void **state)
{
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		assert_refused(refusals[i].what, refusals[i].msg, refusals[i].len,
			       refusals[i].status);
}

static void
test_too_many_connection_options(void **state)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: h\r\nConnection: close");
	struct http_request *r;

	for (int i = 0; i < HTTP_MAX_CONN_OPTIONS; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, ", x-%d", i);
	memcpy(buf + n, "\r\n\r\n", 4);
	r = req_ok(buf, (size_t)n + 4);
	free(r);
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, ", one-more\r\n\r\n");
	assert_refused("17 Connection options", buf, (size_t)n, 400);
}

/* ---- limits ---------------------------------------------------------- */

/* A request whose only extra field line is exactly LINE bytes long. */
static char *
request_with_line(size_t line, size_t *len)
{
	static const char pre[] = "GET / HTTP/1.1\r\nHost: h\r\n";
	char *b = malloc(sizeof(pre) + line + 8);

	assert_non_null(b);
	memcpy(b, pre, sizeof(pre) - 1);
	memcpy(b + sizeof(pre) - 1, "X: ", 3);
	memset(b + sizeof(pre) - 1 + 3, 'a', line - 3);
	memcpy(b + sizeof(pre) - 1 + line, "\r\n\r\n", 4);
	*len = sizeof(pre) - 1 + line + 4;
	return b;
}

static void
test_limit_field_line(void **state)
{
	struct http_request *r = new_req();
	size_t len;
	char *b;
	int st;

	b = request_with_line(8192, &len);
	assert_int_equal(parse_req(b, len, r, &st), HTTP_DONE);
	free(b);
	b = request_with_line(8193, &len);
	assert_int_equal(parse_req(b, len, r, &st), HTTP_ERROR);
	assert_int_equal(st, 431);
	/* the same with bare LF endings */
	b[len - 4] = '\n';
	b[len - 3] = '\n';
	assert_int_equal(parse_req(b, len - 2, r, &st), HTTP_ERROR);
	assert_int_equal(st, 431);
	free(b);
	/* refused as soon as the line outgrows the limit, before its end */
	b = request_with_line(9000, &len);
	assert_int_equal(parse_req(b, len - 4, r, &st), HTTP_ERROR);
	assert_int_equal(st, 431);
	free(b);
	free(r);
}

static void
test_limit_request_line(void **state)
{
	struct http_request *r = new_req();
	struct http_limits lim = HTTP_LIMITS_DEFAULT;
	char *b = malloc(9000);
	size_t n;
	int st;

	assert_non_null(b);
	memcpy(b, "GET /", 5);
	memset(b + 5, 'a', 8190);
	n = 5 + 8190;
	memcpy(b + n, " HTTP/1.1\r\nHost: h\r\n\r\n", 22);
	/* a line of 8195 + 9 bytes */
	assert_int_equal(parse_req(b, n + 22, r, &st), HTTP_ERROR);
	assert_int_equal(st, 414);
	/* an unfinished line is refused once it is too long */
	assert_int_equal(parse_req(b, n, r, &st), HTTP_ERROR);
	assert_int_equal(st, 414);
	/* the target alone */
	lim.max_target = 100;
	memcpy(b + 5 + 100, " HTTP/1.1\r\nHost: h\r\n\r\n", 22);
	assert_int_equal(parse_req_lim(b, 5 + 100 + 22, &lim, r, &st), HTTP_ERROR);
	assert_int_equal(st, 414);
	memcpy(b + 5 + 99, " HTTP/1.1\r\nHost: h\r\n\r\n", 22);
	assert_int_equal(parse_req_lim(b, 5 + 99 + 22, &lim, r, &st), HTTP_DONE);
	assert_int_equal(r->target.len, 100);
	free(b);
	free(r);
}

/* The whole head: 32 KiB by default, the final empty line included. */
static void
test_limit_head(void **state)
{
	struct http_request *r = new_req();
	char *b = malloc(40000);
	size_t n = 0, fill;
	int st;

	assert_non_null(b);
	n += (size_t)sprintf(b, "GET / HTTP/1.1\r\nHost: h\r\n");
	for (int i = 0; i < 7; i++) {
		n += (size_t)sprintf(b + n, "X-%d: ", i);
		memset(b + n, 'v', 4000);
		n += 4000;
		memcpy(b + n, "\r\n", 2);
		n += 2;
	}
	/* one last field line that brings the head to exactly 32768 */
	fill = 32768 - n - 2 - 2;
	memset(b + n, 'y', fill);
	memcpy(b + n, "Y: ", 3);
	n += fill;
	memcpy(b + n, "\r\n\r\n", 4);
	assert_int_equal(parse_req(b, n + 4, r, &st), HTTP_DONE);
	assert_int_equal(r->head.head_len, 32768);
	/* one byte more */
	memmove(b + n + 1, b + n, 4);
	b[n] = 'y';
	assert_int_equal(parse_req(b, n + 5, r, &st), HTTP_ERROR);
	assert_int_equal(st, 431);
	/* and refused before the head even ends: 32768 bytes, no end yet */
	assert_int_equal(parse_req(b, n + 4, r, &st), HTTP_ERROR);
	assert_int_equal(st, 431);
	free(b);
	free(r);
}

static void
test_limit_field_count(void **state)
{
	struct http_request *r = new_req();
	struct http_limits lim = HTTP_LIMITS_DEFAULT;
	char *b = malloc(4096);
	size_t n;
	int st;

	assert_non_null(b);
	n = (size_t)sprintf(b, "GET / HTTP/1.1\r\nHost: h\r\n");
	for (int i = 1; i < 100; i++)
		n += (size_t)sprintf(b + n, "X%d: %d\r\n", i, i);
	memcpy(b + n, "\r\n", 2);
	assert_int_equal(parse_req(b, n + 2, r, &st), HTTP_DONE);
	assert_int_equal(r->head.nheaders, 100);
	n += (size_t)sprintf(b + n, "X: 101\r\n");
	memcpy(b + n, "\r\n", 2);
	assert_int_equal(parse_req(b, n + 2, r, &st), HTTP_ERROR);
	assert_int_equal(st, 431);
	/* a lower configured limit; more than HTTP_MAX_HEADERS is clamped */
	lim.max_headers = 3;
	assert_int_equal(parse_req_lim(LIT("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n"),
				       &lim, r, &st), HTTP_DONE);
	assert_int_equal(parse_req_lim(LIT("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"),
				       &lim, r, &st), HTTP_ERROR);
	assert_int_equal(st, 431);
	lim.max_headers = 1000;
	assert_int_equal(parse_req_lim(b, n + 2, &lim, r, &st), HTTP_ERROR);
	free(b);
	free(r);
}

static void
test_error_is_sticky(void **state)
{
	static const char m[] = "GET / HTTP/1.1\r\nHost : h\r\n\r\n";
	struct http_request *r = new_req();
	struct http_parser p;

	http_parser_init(&p, NULL);
	assert_int_equal(http_parse_request(&p, r, m, sizeof(m) - 1), HTTP_ERROR);
	assert_int_equal(p.status, 400);
	assert_string_equal(p.error, "whitespace before colon");
	assert_int_equal(http_parse_request(&p, r, m, sizeof(m) - 1), HTTP_ERROR);
	free(r);
}

/* ---- responses -------------------------------------------------------- */

static void
test_response_content_length(void **state)
{
	static const char m[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello";
	struct http_response *r = new_resp();

	assert_int_equal(parse_resp(LIT(m), HTTP_M_GET, r, NULL), HTTP_DONE);
	assert_int_equal(r->status, 200);
	assert_span(m, r->reason, "OK");
	assert_int_equal(r->head.version, 11);
	assert_int_equal(r->head.body, HTTP_BODY_LENGTH);
	assert_int_equal(r->head.content_length, 5);
	assert_true(r->head.keep_alive);
	assert_false(r->informational);
	assert_int_equal(r->head.head_len, sizeof(m) - 1 - 5);
	free(r);
}

static void
test_response_framing(void **state)
{
	static const struct {
		const char *msg;
		enum http_method m;
		enum http_body_kind body;
		bool keep;
	} cases[] = {
		{ "HTTP/1.1 200 OK\r\n\r\n", HTTP_M_GET, HTTP_BODY_UNTIL_CLOSE, false },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", HTTP_M_GET, HTTP_BODY_CHUNKED, true },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", HTTP_M_GET, HTTP_BODY_CHUNKED, true },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", HTTP_M_GET, HTTP_BODY_UNTIL_CLOSE, false },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", HTTP_M_GET, HTTP_BODY_NONE, true },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", HTTP_M_HEAD, HTTP_BODY_NONE, true },
		{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", HTTP_M_HEAD, HTTP_BODY_NONE, true },
		{ "HTTP/1.1 200 OK\r\n\r\n", HTTP_M_HEAD, HTTP_BODY_NONE, true },
		{ "HTTP/1.1 204 No Content\r\n\r\n", HTTP_M_GET, HTTP_BODY_NONE, true },
		{ "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n", HTTP_M_GET, HTTP_BODY_NONE, true },
		{ "HTTP/1.1 304 Not Modified\r\nContent-Length: 7\r\n\r\n", HTTP_M_GET, HTTP_BODY_NONE, true },
		{ "HTTP/1.1 200 Connection established\r\n\r\n", HTTP_M_CONNECT, HTTP_BODY_NONE, true },
		{ "HTTP/1.1 407 Auth\r\n\r\n", HTTP_M_CONNECT, HTTP_BODY_UNTIL_CLOSE, false },
		{ "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\n", HTTP_M_GET, HTTP_BODY_LENGTH, false },
		{ "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\n", HTTP_M_GET, HTTP_BODY_LENGTH, false },
		{ "HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n", HTTP_M_GET, HTTP_BODY_LENGTH, true },
		{ "HTTP/1.1 200\r\nContent-Length: 3\r\n\r\n", HTTP_M_GET, HTTP_BODY_LENGTH, true },
		{ "HTTP/1.1 200 \r\nContent-Length: 3\r\n\r\n", HTTP_M_GET, HTTP_BODY_LENGTH, true },
	};
	struct http_response *r = new_resp();

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st;

		if (parse_resp(cases[i].msg, strlen(cases[i].msg), cases[i].m, r,
			       &st) != HTTP_DONE)
			fail_msg("case %zu refused (%d)", i, st);
		if (r->head.body != cases[i].body || r->head.keep_alive != cases[i].keep)
			fail_msg("case %zu: body %d keep %d", i, r->head.body,
				 r->head.keep_alive);
	}
	free(r);
}

/* 100 Continue is forwarded and the real response follows on the same
 * connection. */
static void
test_response_100_continue(void **state)
{
	static const char m[] =
		"HTTP/1.1 100 Continue\r\n\r\n"
		"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok";
	struct http_response *r = new_resp();
	const char *next;

	assert_int_equal(parse_resp(LIT(m), HTTP_M_PUT, r, NULL), HTTP_DONE);
	assert_int_equal(r->status, 100);
	assert_true(r->informational);
	assert_int_equal(r->head.body, HTTP_BODY_NONE);
	next = m + r->head.head_len;
	assert_int_equal(parse_resp(next, strlen(next), HTTP_M_PUT, r, NULL),
			 HTTP_DONE);
	assert_int_equal(r->status, 201);
	assert_false(r->informational);
	assert_int_equal(r->head.body, HTTP_BODY_LENGTH);
	free(r);
}

static void
test_response_101(void **state)
{
	static const char m[] =
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		"Connection: Upgrade\r\n\r\n";
	struct http_response *r = new_resp();

	assert_int_equal(parse_resp(LIT(m), HTTP_M_GET, r, NULL), HTTP_DONE);
	assert_false(r->informational);
	assert_true(r->head.upgrade);
	assert_int_equal(r->head.body, HTTP_BODY_NONE);
	free(r);
}

static void
test_response_refusals(void **state)
{
	static const char *const bad[] = {
		"HTTP/2 200 OK\r\n\r\n",
		"HTTP/2.0 200 OK\r\n\r\n",
		"ICY 200 OK\r\n\r\n",
		"HTTP/1.1 99 Low\r\n\r\n",
		"HTTP/1.1 600 High\r\n\r\n",
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 2000 OK\r\n\r\n",
		"HTTP/1.1 200OK\r\n\r\n",
		"HTTP/1.1  200 OK\r\n\r\n",
		"HTTP/1.1 200 O\x01K\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
		"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX : a\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n",
	};
	struct http_response *r = new_resp();

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int st = 0;

		if (parse_resp(bad[i], strlen(bad[i]), HTTP_M_GET, r, &st) != HTTP_ERROR ||
		    st != 502)
			fail_msg("accepted (or not 502): %s", bad[i]);
	}
	free(r);
}

static void
test_response_split_everywhere(void **state)
{
	static const char m[] =
		"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
		"Transfer-Encoding: chunked\r\nConnection: keep-alive, X-Y\r\nX-Y: z\r\n\r\n";
	struct http_response *r = new_resp();

	for (size_t k = 0; k < sizeof(m) - 1; k++) {
		struct http_parser p;

		http_parser_init(&p, NULL);
		assert_int_equal(http_parse_response(&p, r, HTTP_M_GET, m, k),
				 HTTP_NEED_MORE);
		assert_int_equal(http_parse_response(&p, r, HTTP_M_GET, m,
						     sizeof(m) - 1), HTTP_DONE);
		assert_int_equal(r->head.body, HTTP_BODY_CHUNKED);
		assert_int_equal(r->head.headers[3].flags, HTTP_HF_HOP_BY_HOP);
	}
	free(r);
}

/* ---- bodies ----------------------------------------------------------- */

/* Feed S to a fresh chunked decoder in one go; *CONSUMED, verdict. */
static enum http_result
chunked_once(const char *s, size_t n, size_t *consumed, const char **why)
{
	struct http_body b;
	enum http_result r;

	http_body_init(&b, HTTP_BODY_CHUNKED, 0);
	r = http_body_feed(&b, s, n, consumed);
	if (why)
		*why = b.error;
	return r;
}

/* Feed S in pieces cut at A and B; the total consumed and the verdict
 * must match a single feed. */
static void
chunked_split(const char *s, size_t n, size_t a, size_t b,
	      enum http_result want, size_t want_consumed)
{
	struct http_body st;
	size_t cuts[3] = { a, b, n }, at = 0, total = 0, c;
	enum http_result r = HTTP_NEED_MORE;

	http_body_init(&st, HTTP_BODY_CHUNKED, 0);
	for (int i = 0; i < 3 && r == HTTP_NEED_MORE; i++) {
		r = http_body_feed(&st, s + at, cuts[i] - at, &c);
		assert_true(c <= cuts[i] - at);
		total += c;
		if (r == HTTP_NEED_MORE)
			assert_int_equal(c, cuts[i] - at);
		at = cuts[i];
	}
	assert_int_equal(r, want);
	assert_int_equal(total, want_consumed);
}

static const char chunked_body[] =
	"5\r\nhello\r\n"
	"1A;name=\"v a l\";x\r\nabcdefghijklmnopqrstuvwxyz\r\n"
	"0000003 ; ext\r\n\0\r\n\r\n"
	"0\r\nX-Sum: 1234\r\nX-Other:  y \r\n\r\n"
	"NEXT";

static void
test_chunked_whole_and_split(void **state)
{
	size_t n = sizeof(chunked_body) - 1, end = n - 4, c;

	assert_int_equal(chunked_once(chunked_body, n, &c, NULL), HTTP_DONE);
	assert_int_equal(c, end);
	for (size_t a = 0; a <= n; a++)
		for (size_t b = a; b <= n; b++)
			chunked_split(chunked_body, n, a, b, HTTP_DONE, end);
}

static void
test_chunked_byte_by_byte(void **state)
{
	size_t n = sizeof(chunked_body) - 1, c, i;
	struct http_body b;
	enum http_result r = HTTP_NEED_MORE;

	http_body_init(&b, HTTP_BODY_CHUNKED, 0);
	for (i = 0; i < n && r == HTTP_NEED_MORE; i++) {
		r = http_body_feed(&b, chunked_body + i, 1, &c);
		assert_int_equal(c, 1);
	}
	assert_int_equal(r, HTTP_DONE);
	assert_int_equal(i, n - 4);
	assert_int_equal(http_body_eof(&b), HTTP_DONE);
	/* done is sticky and takes nothing more */
	assert_int_equal(http_body_feed(&b, "NEXT", 4, &c), HTTP_DONE);
	assert_int_equal(c, 0);
}

static void
test_chunked_large_chunk(void **state)
{
	struct http_body b;
	char data[1000];
	size_t c;

	memset(data, 'x', sizeof(data));
	http_body_init(&b, HTTP_BODY_CHUNKED, 0);
	assert_int_equal(http_body_feed(&b, LIT("FFFFF\r\n"), &c), HTTP_NEED_MORE);
	for (int i = 0; i < 1048; i++) {
		assert_int_equal(http_body_feed(&b, data, sizeof(data), &c),
				 HTTP_NEED_MORE);
		assert_int_equal(c, sizeof(data));
	}
	assert_int_equal(http_body_feed(&b, data, 575, &c), HTTP_NEED_MORE);
	assert_int_equal(http_body_eof(&b), HTTP_ERROR);
	assert_int_equal(http_body_feed(&b, LIT("\r\n0\r\n\r\n"), &c), HTTP_DONE);
	assert_int_equal(c, 7);
}

static void
test_chunked_max_size(void **state)
{
	struct http_body b;
	size_t c;

	http_body_init(&b, HTTP_BODY_CHUNKED, 0);
	assert_int_equal(http_body_feed(&b, LIT("4000000000000000\r\n"), &c),
			 HTTP_NEED_MORE);
	assert_int_equal(b.remaining, HTTP_MAX_BODY_LENGTH);
	assert_int_equal(chunked_once(LIT("00000000000000000000004000000000000000\r\n"),
				      &c, NULL), HTTP_NEED_MORE);
}

static void
test_chunked_refusals(void **state)
{
	static const struct {
		const char *what;
		const char *body;
		size_t len;
		size_t at;	/* offset of the offending byte */
	} bad[] = {
#define B(w, s, at) { w, s, sizeof(s) - 1, at }
		B("empty size", "\r\n", 0),
		B("non-hex size", "g\r\n", 0),
		B("negative size", "-1\r\n", 0),
		B("0x prefix", "0x5\r\n", 1),
		B("size over 2^62", "4000000000000001\r\n", 15),
		B("size over 64 bits", "10000000000000000\r\n", 16),
		B("space in size", "1 0\r\n", 2),
		B("space before CRLF", "5 \r\nhello\r\n", 2),
		B("space before size", " 5\r\n", 0),
		B("bare LF after size", "5\nhello\r\n", 1),
		B("bare CR after size", "5\rhello\r\n", 2),
		B("CTL in extension", "5;a\x01" "b\r\nhello\r\n", 3),
		B("NUL in extension", "5;a\0b\r\nhello\r\n", 3),
		B("LF in extension", "5;a\nb\r\nhello\r\n", 3),
		B("data too long", "5\r\nhelloX\r\n", 8),
		B("bare LF after data", "5\r\nhello\n0\r\n\r\n", 8),
		B("CR without LF after data", "5\r\nhello\rX", 9),
		B("bare LF after last chunk", "0\n\r\n", 1),
		B("bare LF ending trailers", "0\r\n\n", 3),
		B("trailer obs-fold", "0\r\nX: a\r\n b\r\n\r\n", 9),
		B("trailer without colon", "0\r\nX\r\n\r\n", 4),
		B("trailer bad name", "0\r\nX(: a\r\n\r\n", 4),
		B("trailer NUL", "0\r\nX: a\0\r\n\r\n", 7),
		B("trailer bare LF", "0\r\nX: a\n\r\n", 7),
		B("after last CR", "0\r\n\rX", 4),
#undef B
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t c = 99;
		const char *why = NULL;
		enum http_result r = chunked_once(bad[i].body, bad[i].len, &c, &why);

		if (r != HTTP_ERROR || c != bad[i].at || !why)
			fail_msg("%s: result %d at %zu", bad[i].what, r, c);
		for (size_t a = 0; a <= bad[i].len; a++)
			chunked_split(bad[i].body, bad[i].len, a, a, HTTP_ERROR,
				      bad[i].at);
	}
}

static void
test_chunked_limits(void **state)
{
	char *b = malloc(HTTP_MAX_TRAILER + 64);
	size_t c, n;
	const char *why;

	assert_non_null(b);
	/* a size line of 4096 bytes (before CRLF) is fine, 4097 is not */
	memcpy(b, "1;", 2);
	memset(b + 2, 'e', HTTP_MAX_CHUNK_LINE - 2);
	memcpy(b + HTTP_MAX_CHUNK_LINE, "\r\nx\r\n", 5);
	assert_int_equal(chunked_once(b, HTTP_MAX_CHUNK_LINE + 5, &c, NULL),
			 HTTP_NEED_MORE);
	assert_int_equal(c, HTTP_MAX_CHUNK_LINE + 5);
	memset(b + 2, 'e', HTTP_MAX_CHUNK_LINE - 1);
	memcpy(b + HTTP_MAX_CHUNK_LINE + 1, "\r\n", 2);
	assert_int_equal(chunked_once(b, HTTP_MAX_CHUNK_LINE + 3, &c, &why),
			 HTTP_ERROR);
	assert_string_equal(why, "chunk size line too long");
	assert_int_equal(c, HTTP_MAX_CHUNK_LINE);
	/* leading zeros and whitespace count too */
	memset(b, '0', HTTP_MAX_CHUNK_LINE + 1);
	assert_int_equal(chunked_once(b, HTTP_MAX_CHUNK_LINE + 1, &c, &why),
			 HTTP_ERROR);
	assert_string_equal(why, "chunk size line too long");
	b[0] = '1';
	memset(b + 1, ' ', HTTP_MAX_CHUNK_LINE);
	assert_int_equal(chunked_once(b, HTTP_MAX_CHUNK_LINE + 1, &c, &why),
			 HTTP_ERROR);
	assert_string_equal(why, "chunk size line too long");
	/* trailer section: 8192 bytes counted from after "0\r\n" */
	memcpy(b, "0\r\nX: ", 6);
	n = 3 + HTTP_MAX_TRAILER - 4;
	memset(b + 6, 'v', n - 6);
	memcpy(b + n, "\r\n\r\n", 4);
	assert_int_equal(chunked_once(b, n + 4, &c, NULL), HTTP_DONE);
	assert_int_equal(c, n + 4);
	memset(b + 6, 'v', n + 1 - 6);
	memcpy(b + n + 1, "\r\n\r\n", 4);
	assert_int_equal(chunked_once(b, n + 5, &c, &why), HTTP_ERROR);
	assert_string_equal(why, "trailer section too large");
	free(b);
}

static void
test_chunked_error_sticky(void **state)
{
	struct http_body b;
	size_t c;

	http_body_init(&b, HTTP_BODY_CHUNKED, 0);
	assert_int_equal(http_body_feed(&b, LIT("z"), &c), HTTP_ERROR);
	assert_int_equal(http_body_feed(&b, LIT("5\r\n"), &c), HTTP_ERROR);
	assert_int_equal(c, 0);
	assert_int_equal(http_body_eof(&b), HTTP_ERROR);
}

static void
test_body_length(void **state)
{
	struct http_body b;
	size_t c;

	http_body_init(&b, HTTP_BODY_LENGTH, 10);
	assert_int_equal(http_body_feed(&b, LIT("abcd"), &c), HTTP_NEED_MORE);
	assert_int_equal(c, 4);
	assert_int_equal(http_body_eof(&b), HTTP_ERROR);
	assert_int_equal(http_body_feed(&b, LIT("efghijGET /"), &c), HTTP_DONE);
	assert_int_equal(c, 6);
	assert_int_equal(http_body_eof(&b), HTTP_DONE);
	assert_int_equal(http_body_feed(&b, LIT("more"), &c), HTTP_DONE);
	assert_int_equal(c, 0);

	http_body_init(&b, HTTP_BODY_LENGTH, 0);
	assert_int_equal(http_body_feed(&b, NULL, 0, &c), HTTP_DONE);
	assert_int_equal(c, 0);

	http_body_init(&b, HTTP_BODY_NONE, 123);
	assert_int_equal(http_body_feed(&b, LIT("x"), &c), HTTP_DONE);
	assert_int_equal(c, 0);
	assert_int_equal(http_body_eof(&b), HTTP_DONE);

	http_body_init(&b, HTTP_BODY_UNTIL_CLOSE, 0);
	assert_int_equal(http_body_feed(&b, LIT("anything\r\n0\r\n\r\n"), &c),
			 HTTP_NEED_MORE);
	assert_int_equal(c, 15);
	assert_int_equal(http_body_eof(&b), HTTP_DONE);
}

/* ---- writers ---------------------------------------------------------- */

static const char fwd_in[] =
	"GET /a?b=c HTTP/1.0\r\n"
	"Host: public.example\r\n"
	"Connection: keep-alive, X-Secret\r\n"
	"Keep-Alive: timeout=5\r\n"
	"X-Secret: s\r\n"
	"Proxy-Authorization: Basic eDp5\r\n"
	"Accept:  */* \r\n"
	"X-Forwarded-For: 192.0.2.9\r\n"
	"TE: trailers\r\n"
	"\r\n";

static const char fwd_out[] =
	"GET /a?b=c HTTP/1.1\r\n"
	"Accept: */*\r\n"
	"Host: backend:8080\r\n"
	"X-Real-IP: 198.51.100.7\r\n"
	"X-Forwarded-For: 192.0.2.9, 198.51.100.7\r\n"
	"Connection: keep-alive\r\n"
	"\r\n";

static const struct http_field fwd_set[] = {
	HTTP_FIELD("Host", "backend:8080"),
	HTTP_FIELD("X-Real-IP", "198.51.100.7"),
	HTTP_FIELD("X-Forwarded-For", "192.0.2.9, 198.51.100.7"),
	HTTP_FIELD("Connection", "keep-alive"),
};

static void
test_write_request_head(void **state)
{
	struct http_request *r = req_ok(LIT(fwd_in));
	char out[512];
	ssize_t n = http_write_request_head(r, fwd_in, NULL, 0, fwd_set, 4, out,
					    sizeof(out));

	assert_int_equal(n, sizeof(fwd_out) - 1);
	assert_memory_equal(out, fwd_out, (size_t)n);
	/* every smaller buffer is refused, never overrun */
	for (size_t cap = 0; cap < sizeof(fwd_out) - 1; cap++) {
		memset(out, 'Z', sizeof(out));
		assert_int_equal(http_write_request_head(r, fwd_in, NULL, 0,
							 fwd_set, 4, out, cap), -1);
		assert_int_equal(out[cap], 'Z');
	}
	assert_int_equal(http_write_request_head(r, fwd_in, NULL, 0, fwd_set, 4,
						 out, sizeof(fwd_out) - 1), n);
	free(r);
}

/* The body is streamed as it came: the framing fields go with it, even
 * when the client's Connection header names them. */
static void
test_write_request_keeps_framing(void **state)
{
	static const char in[] =
		"POST /up HTTP/1.1\r\nhost: h\r\nTransfer-Encoding: chunked\r\n"
		"Connection: transfer-encoding, host\r\nTrailer: X-Sum\r\n"
		"Expect: 100-continue\r\n\r\n";
	static const char want[] =
		"POST /rewritten HTTP/1.1\r\nhost: h\r\nTransfer-Encoding: chunked\r\n"
		"Trailer: X-Sum\r\nExpect: 100-continue\r\n"
		"Connection: keep-alive\r\n\r\n";
	struct http_field set[] = { HTTP_FIELD("Connection", "keep-alive") };
	struct http_request *r = req_ok(LIT(in));
	char out[512];
	ssize_t n = http_write_request_head(r, in, LIT("/rewritten"), set, 1, out,
					    sizeof(out));

	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(out, want, (size_t)n);
	free(r);
	r = req_ok(LIT("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n"
		       "Connection: Content-Length\r\n\r\n"));
	assert_int_equal(r->head.headers[1].flags, HTTP_HF_FRAMING);
	free(r);
}

static void
test_write_request_remove_and_reject(void **state)
{
	static const char in[] = "GET / HTTP/1.1\r\nHost: h\r\nCookie: a=b\r\nX: 1\r\n\r\n";
	struct http_field set[] = { { "cookie", 6, NULL, 0 } };
	struct http_field evil[] = { HTTP_FIELD("X-Evil", "a\r\nInjected: 1") };
	struct http_field badname[] = { HTTP_FIELD("X Evil", "a") };
	struct http_request *r = req_ok(LIT(in));
	char out[256];
	ssize_t n = http_write_request_head(r, in, NULL, 0, set, 1, out, sizeof(out));

	assert_true(n > 0);
	assert_memory_equal(out, "GET / HTTP/1.1\r\nHost: h\r\nX: 1\r\n\r\n", (size_t)n);
	assert_int_equal(http_write_request_head(r, in, NULL, 0, evil, 1, out,
						 sizeof(out)), -1);
	assert_int_equal(http_write_request_head(r, in, NULL, 0, badname, 1, out,
						 sizeof(out)), -1);
	free(r);
}

/* What the proxy sends upstream parses back to the same request. */
static void
test_write_request_reparses(void **state)
{
	struct http_request *r = req_ok(LIT(sample));
	struct http_request *r2;
	struct http_field set[] = { HTTP_FIELD("Connection", "keep-alive") };
	char out[512];
	ssize_t n = http_write_request_head(r, sample, NULL, 0, set, 1, out,
					    sizeof(out));

	assert_true(n > 0);
	r2 = req_ok(out, (size_t)n);
	assert_int_equal(r2->method, r->method);
	assert_int_equal(r2->head.body, r->head.body);
	assert_int_equal(r2->head.content_length, r->head.content_length);
	assert_span(out, r2->target, "/upload?x=1");
	assert_span(out, r2->host, "example.com:8080");
	assert_null(http_find_header(&r2->head, out, "x-hop"));
	assert_non_null(http_find_header(&r2->head, out, "x-empty"));
	assert_span(out, http_find_header(&r2->head, out, "x-ows")->value,
		    "spaced  value");
	free(r);
	free(r2);
}

static void
test_write_response_head(void **state)
{
	static const char in[] =
		"HTTP/1.0 200 Fine Thanks\r\nServer: up\r\nConnection: keep-alive, X-Int\r\n"
		"Keep-Alive: timeout=3\r\nX-Int: 1\r\nProxy-Authenticate: Basic\r\n"
		"Upgrade: h2c\r\nContent-Length: 12\r\nSet-Cookie: a=1\r\n"
		"Set-Cookie: b=2\r\n\r\n";
	static const char want[] =
		"HTTP/1.1 200 Fine Thanks\r\nServer: up\r\nContent-Length: 12\r\n"
		"Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nConnection: close\r\n\r\n";
	struct http_field set[] = { HTTP_FIELD("Connection", "close") };
	struct http_response *r = new_resp();
	char out[512];
	ssize_t n;

	assert_int_equal(parse_resp(LIT(in), HTTP_M_GET, r, NULL), HTTP_DONE);
	n = http_write_response_head(r, in, set, 1, out, sizeof(out));
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(out, want, (size_t)n);
	for (size_t cap = 0; cap < sizeof(want) - 1; cap++)
		assert_int_equal(http_write_response_head(r, in, set, 1, out, cap), -1);
	free(r);
}

static void
test_write_response_chunked_no_reason(void **state)
{
	static const char in[] =
		"HTTP/1.1 404\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n";
	static const char want[] =
		"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n"
		"Connection: keep-alive\r\n\r\n";
	struct http_field set[] = { HTTP_FIELD("Connection", "keep-alive") };
	struct http_response *r = new_resp();
	char out[512];
	ssize_t n;

	assert_int_equal(parse_resp(LIT(in), HTTP_M_GET, r, NULL), HTTP_DONE);
	n = http_write_response_head(r, in, set, 1, out, sizeof(out));
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(out, want, (size_t)n);
	free(r);
}

static void
test_write_error(void **state)
{
	static const int codes[] = { 400, 404, 414, 431, 501, 502, 503, 504, 505 };
	char out[1024];

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		struct http_response *r = new_resp();
		char line[64];
		ssize_t n = http_write_error(codes[i], false, out, sizeof(out));
		int st;

		assert_true(n > 0);
		snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\n", codes[i],
			 http_reason(codes[i]));
		assert_memory_equal(out, line, strlen(line));
		assert_int_equal(parse_resp(out, (size_t)n, HTTP_M_GET, r, &st),
				 HTTP_DONE);
		assert_int_equal(r->status, codes[i]);
		assert_false(r->head.keep_alive);
		assert_int_equal(r->head.body, HTTP_BODY_LENGTH);
		assert_int_equal(r->head.head_len + r->head.content_length, n);
		assert_non_null(strstr(out, "<center><h1>"));
		/* HEAD: same head, no body */
		assert_int_equal(http_write_error(codes[i], true, out, sizeof(out)),
				 r->head.head_len);
		assert_int_equal(http_write_error(codes[i], false, out,
						  (size_t)n - 1), -1);
		free(r);
	}
	assert_int_equal(http_write_error(42, false, out, sizeof(out)), -1);
}

static void
test_helpers(void **state)
{
	assert_true(http_name_eq(LIT("Content-Length"), LIT("content-LENGTH")));
	assert_false(http_name_eq(LIT("Content-Length"), LIT("Content-Lengt")));
	assert_false(http_name_eq(LIT("a"), LIT("b")));
	/* only ASCII letters fold */
	assert_false(http_name_eq(LIT("\xc0"), LIT("\xe0")));
	assert_false(http_name_eq(LIT("["), LIT("{")));
	assert_string_equal(http_reason(431), "Request Header Fields Too Large");
	assert_string_equal(http_reason(299), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_char_classes),
		cmocka_unit_test(test_long_field_values),
		cmocka_unit_test(test_sample_whole),
		cmocka_unit_test(test_sample_split_everywhere),
		cmocka_unit_test(test_sample_split_in_three),
		cmocka_unit_test(test_no_rescan),
		cmocka_unit_test(test_pipelined_next_request),
		cmocka_unit_test(test_bare_lf),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_target_forms),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_leading_empty_lines),
		cmocka_unit_test(test_keep_alive),
		cmocka_unit_test(test_hop_by_hop_flags),
		cmocka_unit_test(test_expect),
		cmocka_unit_test(test_chunked_request),
		cmocka_unit_test(test_content_length_values),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_too_many_connection_options),
		cmocka_unit_test(test_limit_field_line),
		cmocka_unit_test(test_limit_request_line),
		cmocka_unit_test(test_limit_head),
		cmocka_unit_test(test_limit_field_count),
		cmocka_unit_test(test_error_is_sticky),
		cmocka_unit_test(test_response_content_length),
		cmocka_unit_test(test_response_framing),
		cmocka_unit_test(test_response_100_continue),
		cmocka_unit_test(test_response_101),
		cmocka_unit_test(test_response_refusals),
		cmocka_unit_test(test_response_split_everywhere),
		cmocka_unit_test(test_chunked_whole_and_split),
		cmocka_unit_test(test_chunked_byte_by_byte),
		cmocka_unit_test(test_chunked_large_chunk),
		cmocka_unit_test(test_chunked_max_size),
		cmocka_unit_test(test_chunked_refusals),
		cmocka_unit_test(test_chunked_limits),
		cmocka_unit_test(test_chunked_error_sticky),
		cmocka_unit_test(test_body_length),
		cmocka_unit_test(test_write_request_head),
		cmocka_unit_test(test_write_request_keeps_framing),
		cmocka_unit_test(test_write_request_remove_and_reject),
		cmocka_unit_test(test_write_request_reparses),
		cmocka_unit_test(test_write_response_head),
		cmocka_unit_test(test_write_response_chunked_no_reason),
		cmocka_unit_test(test_write_error),
		cmocka_unit_test(test_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
