/* fuzz_http.c - libFuzzer target: the proxy's HTTP/1.1 parsers on
 * arbitrary bytes.
 *
 * One input is read three ways:
 *   - as a request: parsed whole, one byte at a time and in two pieces,
 *     which must agree exactly; a parsed request must describe itself with
 *     spans inside its head, and its forwarded head must parse back to the
 *     same method, target and body framing; the bytes after the head go
 *     through the body decoder its framing calls for;
 *   - as a response (the request method taken from the first byte), with
 *     the same agreement, span and re-parse checks;
 *   - as a chunked body: whole, byte by byte and in three pieces, the same
 *     verdict at the same offset, never consuming more than it was given.
 */
#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

/* Room for a forwarded head: every line may grow by ": " and CRLF, plus
 * the fields the proxy sets. */
#define OUT_CAP(len) ((len) * 2 + 512)

static const struct http_limits roomy = { 1 << 16, 1 << 20, 1 << 16,
					  HTTP_MAX_HEADERS };

/* ---- invariants ----------------------------------------------------- */

static void
check_span(struct http_span s, uint32_t end)
{
	CHECK(s.off <= end && s.len <= end - s.off);
}

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static void
check_head(const struct http_head *h, const char *buf, size_t size)
{
	CHECK(h->head_len > 0 && h->head_len <= size);
	CHECK(h->nheaders <= HTTP_MAX_HEADERS);
	CHECK(h->version == 10 || h->version == 11);
	CHECK(h->chunked == (h->body == HTTP_BODY_CHUNKED) ||
	      h->body == HTTP_BODY_NONE);
	if (h->body == HTTP_BODY_LENGTH)
		CHECK(h->has_content_length && h->content_length > 0);
	CHECK(h->content_length <= HTTP_MAX_BODY_LENGTH);
	for (uint32_t i = 0; i < h->nheaders; i++) {
		const struct http_header *f = &h->headers[i];

		check_span(f->name, h->head_len);
		check_span(f->value, h->head_len);
		CHECK(f->name.len > 0);
		CHECK(buf[f->name.off + f->name.len] == ':');
		if (f->value.len)
			CHECK(!is_ows(buf[f->value.off]) &&
			      !is_ows(buf[f->value.off + f->value.len - 1]));
		/* VCHAR, SP, HTAB, obs-text: nothing else */
		for (uint32_t k = 0; k < f->value.len; k++) {
			unsigned char ch = (unsigned char)buf[f->value.off + k];

			CHECK((ch >= 0x20 && ch != 0x7f) || ch == '\t');
		}
	}
}

static void
same_head(const struct http_head *a, const struct http_head *b)
{
	CHECK(a->version == b->version && a->keep_alive == b->keep_alive);
	CHECK(a->upgrade == b->upgrade && a->chunked == b->chunked);
	CHECK(a->has_content_length == b->has_content_length);
	CHECK(a->content_length == b->content_length && a->body == b->body);
	CHECK(a->head_len == b->head_len && a->nheaders == b->nheaders);
	for (uint32_t i = 0; i < a->nheaders; i++)
		CHECK(memcmp(&a->headers[i], &b->headers[i],
			     sizeof(a->headers[i])) == 0);
}

static void
same_request(const struct http_request *a, const struct http_request *b)
{
	same_head(&a->head, &b->head);
	CHECK(a->method == b->method && a->target_form == b->target_form);
	CHECK(memcmp(&a->method_name, &b->method_name, sizeof(a->method_name)) == 0);
	CHECK(memcmp(&a->target, &b->target, sizeof(a->target)) == 0);
	CHECK(a->has_host == b->has_host &&
	      a->expect_100_continue == b->expect_100_continue);
	if (a->has_host)
		CHECK(memcmp(&a->host, &b->host, sizeof(a->host)) == 0);
}

static bool
span_eq(const char *a, struct http_span sa, const char *b, struct http_span sb)
{
	return sa.len == sb.len && memcmp(a + sa.off, b + sb.off, sa.len) == 0;
}

/* ---- bodies ----------------------------------------------------------- */

/* Feed BUF to a body of KIND whole, then byte by byte, then cut at CUT:
 * the same verdict after the same number of bytes. */
static void
check_body(enum http_body_kind kind, uint64_t length, const char *buf,
	   size_t len, size_t cut)
{
	struct http_body b;
	size_t whole_c, c, total = 0, i;
	enum http_result whole, r = HTTP_NEED_MORE;

	http_body_init(&b, kind, length);
	whole = http_body_feed(&b, buf, len, &whole_c);
	CHECK(whole_c <= len);
	if (whole == HTTP_NEED_MORE)
		CHECK(whole_c == len);
	if (whole == HTTP_ERROR)
		CHECK(b.error != NULL);

	http_body_init(&b, kind, length);
	for (i = 0; i < len && r == HTTP_NEED_MORE; i++) {
		r = http_body_feed(&b, buf + i, 1, &c);
		total += c;
	}
	if (len == 0)
		r = http_body_feed(&b, buf, 0, &c);
	CHECK(r == whole && total == whole_c);

	http_body_init(&b, kind, length);
	cut = len ? cut % (len + 1) : 0;
	r = http_body_feed(&b, buf, cut, &c);
	total = c;
	if (r == HTTP_NEED_MORE) {
		r = http_body_feed(&b, buf + cut, len - cut, &c);
		total += c;
	}
	CHECK(r == whole && total == whole_c);
}

/* ---- requests --------------------------------------------------------- */

static struct http_request rq_whole, rq_bytes, rq_split, rq_again;

/* The head the proxy would send upstream parses back to the same request
 * line and framing, without the hop-by-hop fields. */
static void
check_forwarded_request(const struct http_request *r, const char *buf)
{
	static const struct http_field set[] = {
		HTTP_FIELD("Host", "backend"),
		HTTP_FIELD("X-Forwarded-For", "192.0.2.1"),
		HTTP_FIELD("Connection", "keep-alive"),
	};
	size_t cap = OUT_CAP(r->head.head_len);
	char *out = malloc(cap);
	struct http_parser p;
	ssize_t n;

	if (!out)
		return;
	n = http_write_request_head(r, buf, NULL, 0, set, 3, out, cap);
	CHECK(n > 0 && (size_t)n <= cap);
	CHECK(http_write_request_head(r, buf, NULL, 0, set, 3, out,
				      (size_t)n - 1) == -1);
	/* three fields more may pass the field count limit */
	if (r->head.nheaders + 3 <= HTTP_MAX_HEADERS) {
		http_parser_init(&p, &roomy);
		CHECK(http_parse_request(&p, &rq_again, out, (size_t)n) == HTTP_DONE);
		CHECK(rq_again.head.head_len == (uint32_t)n);
		CHECK(rq_again.method == r->method);
		CHECK(span_eq(out, rq_again.method_name, buf, r->method_name));
		CHECK(span_eq(out, rq_again.target, buf, r->target));
		CHECK(rq_again.head.body == r->head.body);
		CHECK(rq_again.head.content_length == r->head.content_length);
		CHECK(rq_again.head.keep_alive);
		for (uint32_t i = 0; i < rq_again.head.nheaders; i++) {
			const struct http_header *f = &rq_again.head.headers[i];

			if (f->flags & HTTP_HF_HOP_BY_HOP)
				CHECK(http_name_eq(out + f->name.off, f->name.len,
						   "Connection", 10) ||
				      (f->flags & HTTP_HF_FRAMING));
		}
	}
	free(out);
}

static void
check_request(const char *buf, size_t size, size_t cut)
{
	struct http_parser p1, p2, p3;
	enum http_result whole, bytes = HTTP_NEED_MORE, split;

	http_parser_init(&p1, NULL);
	whole = http_parse_request(&p1, &rq_whole, buf, size);
	http_parser_init(&p2, NULL);
	for (size_t k = 0; k <= size && bytes == HTTP_NEED_MORE; k++)
		bytes = http_parse_request(&p2, &rq_bytes, buf, k);
	http_parser_init(&p3, NULL);
	split = http_parse_request(&p3, &rq_split, buf, cut % (size + 1));
	if (split == HTTP_NEED_MORE)
		split = http_parse_request(&p3, &rq_split, buf, size);
	CHECK(whole == bytes && whole == split);
	if (whole == HTTP_ERROR) {
		CHECK(p1.status == p2.status && p1.status == p3.status);
		CHECK(p1.status == 400 || p1.status == 414 || p1.status == 431 ||
		      p1.status == 501 || p1.status == 505);
		CHECK(p1.error && strcmp(p1.error, p2.error) == 0);
	}
	if (whole != HTTP_DONE)
		return;
	same_request(&rq_whole, &rq_bytes);
	same_request(&rq_whole, &rq_split);
	check_head(&rq_whole.head, buf, size);
	check_span(rq_whole.method_name, rq_whole.head.head_len);
	check_span(rq_whole.target, rq_whole.head.head_len);
	CHECK(rq_whole.head.body != HTTP_BODY_UNTIL_CLOSE);
	if (rq_whole.head.version == 11)
		CHECK(rq_whole.has_host);
	if (rq_whole.has_host)
		check_span(rq_whole.host, rq_whole.head.head_len);
	check_forwarded_request(&rq_whole, buf);
	check_body(rq_whole.head.body, rq_whole.head.content_length,
		   buf + rq_whole.head.head_len, size - rq_whole.head.head_len,
		   cut);
}

/* ---- responses -------------------------------------------------------- */

static struct http_response rs_whole, rs_bytes, rs_again;

static void
check_forwarded_response(const struct http_response *r, const char *buf,
			 enum http_method m)
{
	static const struct http_field set[] = {
		HTTP_FIELD("Connection", "close"),
	};
	size_t cap = OUT_CAP(r->head.head_len);
	char *out = malloc(cap);
	struct http_parser p;
	ssize_t n;

	if (!out)
		return;
	n = http_write_response_head(r, buf, set, 1, out, cap);
	CHECK(n > 0 && (size_t)n <= cap);
	if (r->head.nheaders + 1 <= HTTP_MAX_HEADERS) {
		http_parser_init(&p, &roomy);
		CHECK(http_parse_response(&p, &rs_again, m, out, (size_t)n) ==
		      HTTP_DONE);
		CHECK(rs_again.status == r->status);
		CHECK(rs_again.head.body == r->head.body);
		CHECK(rs_again.head.content_length == r->head.content_length);
		CHECK(!rs_again.head.keep_alive);
	}
	free(out);
}

static void
check_response(const char *buf, size_t size, enum http_method m)
{
	struct http_parser p1, p2;
	enum http_result whole, bytes = HTTP_NEED_MORE;

	http_parser_init(&p1, NULL);
	whole = http_parse_response(&p1, &rs_whole, m, buf, size);
	http_parser_init(&p2, NULL);
	for (size_t k = 0; k <= size && bytes == HTTP_NEED_MORE; k++)
		bytes = http_parse_response(&p2, &rs_bytes, m, buf, k);
	CHECK(whole == bytes);
	if (whole == HTTP_ERROR)
		CHECK(p1.status == 502 && p2.status == 502);
	if (whole != HTTP_DONE)
		return;
	same_head(&rs_whole.head, &rs_bytes.head);
	CHECK(rs_whole.status == rs_bytes.status);
	check_head(&rs_whole.head, buf, size);
	CHECK(rs_whole.status >= 100 && rs_whole.status <= 599);
	check_span(rs_whole.reason, rs_whole.head.head_len);
	if (m == HTTP_M_HEAD || rs_whole.status < 200 ||
	    rs_whole.status == 204 || rs_whole.status == 304)
		CHECK(rs_whole.head.body == HTTP_BODY_NONE);
	if (rs_whole.head.body == HTTP_BODY_UNTIL_CLOSE)
		CHECK(!rs_whole.head.keep_alive);
	check_forwarded_response(&rs_whole, buf, m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	size_t cut;

	if (size > 65536)
		return 0;
	/* a cut point that varies with the input but not with its tail */
	cut = size ? (size_t)data[0] * 31 + data[size / 2] : 0;
	check_request(buf, size, cut);
	check_response(buf, size,
		       size ? (enum http_method)(data[0] % (HTTP_M_TRACE + 1))
			    : HTTP_M_GET);
	check_body(HTTP_BODY_CHUNKED, 0, buf, size, cut);
	return 0;
}
