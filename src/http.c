/* http.c - HTTP/1.1 heads, body framing and forwarded heads (see http.h).
 *
 * Heads are parsed a line at a time: memchr finds the next LF from where
 * the previous call stopped looking, and each complete line is parsed once
 * and its facts recorded (the field array, Content-Length, ...).  So a head
 * arriving in many reads costs the same as one arriving whole, and the only
 * state between calls is two offsets and a few flags.
 *
 * Chunked bodies are decoded byte by byte through their framing only; the
 * data of a chunk is skipped in one step.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "http.h"

/* Empty lines tolerated before a start line (RFC 9112 2.2: at least one,
 * for clients that end a POST body with an extra CRLF). */
#define MAX_LEADING_EMPTY 4

enum phase { PH_START_LINE, PH_FIELDS, PH_DONE, PH_ERROR };

/* ---- character classes ---------------------------------------------- */

#define C_TCHAR 0x01	/* token (RFC 9110 5.6.2): method, field name */
#define C_FIELD 0x02	/* field value: HTAB, SP, VCHAR, obs-text */
#define C_TARGET 0x04	/* request-target: VCHAR and, like nginx, obs-text */
#define C_HOST 0x08	/* Host: reg-name, IP literal, port, pct-encoding */
#define C_HEX 0x10

#define T_ (C_TCHAR | C_FIELD | C_TARGET)		/* token-only punct */
#define TH (C_TCHAR | C_FIELD | C_TARGET | C_HOST)	/* token + host */
#define HX (TH | C_HEX)					/* hex digit */
#define FU (C_FIELD | C_TARGET)				/* other VCHAR */
#define FH (C_FIELD | C_TARGET | C_HOST)		/* host punct */

/* tests/unit/test_http.c checks this table against the RFC definitions. */
static const uint8_t cclass[256] = {
	/* 0x00: controls; only HTAB may appear in a field value */
	0, 0, 0, 0, 0, 0, 0, 0, 0, C_FIELD, 0, 0, 0, 0, 0, 0,
	/* 0x10 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	/* 0x20:  SP  !   "   #   $   %   &   '   (   )   *   +   ,   -   .   / */
	C_FIELD, TH, FU, T_, TH, TH, TH, TH, FH, FH, TH, TH, FH, TH, TH, FU,
	/* 0x30: 0-9  :   ;   <   =   >   ? */
	HX, HX, HX, HX, HX, HX, HX, HX, HX, HX, FH, FH, FU, FH, FU, FU,
	/* 0x40:  @  A-F  G-O */
	FU, HX, HX, HX, HX, HX, HX, TH, TH, TH, TH, TH, TH, TH, TH, TH,
	/* 0x50: P-Z  [   \   ]   ^   _ */
	TH, TH, TH, TH, TH, TH, TH, TH, TH, TH, TH, FH, FU, FH, T_, TH,
	/* 0x60:  `  a-f  g-o */
	T_, HX, HX, HX, HX, HX, HX, TH, TH, TH, TH, TH, TH, TH, TH, TH,
	/* 0x70: p-z  {   |   }   ~  DEL */
	TH, TH, TH, TH, TH, TH, TH, TH, TH, TH, TH, FU, T_, FU, TH, 0,
	/* 0x80-0xff: obs-text */
	FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU,
	FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU,
	FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU,
	FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU,
	FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU,
	FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU,
	FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU,
	FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU, FU,
};

static inline bool
is(unsigned char c, uint8_t cls)
{
	return (cclass[c] & cls) != 0;
}

static inline bool
is_ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static inline unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

static unsigned
hex_value(unsigned char c)
{
	if (c <= '9')
		return c - '0';
	return (unsigned)lower(c) - 'a' + 10;
}

/* Whether S[0..N) is a valid field value (C_FIELD).  Values are mostly
 * long runs of printable ASCII (cookies, user agents), so 8 bytes at a time
 * are checked for a byte below 0x20 or equal to 0x7f with the classic
 * "has less than" / "has zero byte" word tricks; only a word holding one
 * (HTAB, or an error) is looked at byte by byte. */
static bool
field_value_ok(const unsigned char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w, del;

		memcpy(&w, s + i, 8);
		del = w ^ (ones * 0x7f);
		if ((((w - ones * 0x20) & ~w) | ((del - ones) & ~del)) & highs) {
			for (size_t k = i; k < i + 8; k++)
				if (!is(s[k], C_FIELD))
					return false;
		}
	}
	for (; i < n; i++)
		if (!is(s[i], C_FIELD))
			return false;
	return true;
}

/* Whether all of S[0..N) are in class CLS. */
static bool
all_in(const unsigned char *s, size_t n, uint8_t cls)
{
	for (size_t i = 0; i < n; i++)
		if (!is(s[i], cls))
			return false;
	return true;
}

bool
http_name_eq(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return false;
	return true;
}

/* S (N bytes) equals the string literal LIT, ignoring case; a macro so
 * the literal's length is a constant. */
#define lit_eq(s, n, lit) http_name_eq((s), (n), (lit), sizeof(lit) - 1)

static struct http_span
span(size_t from, size_t to)
{
	return (struct http_span){ (uint32_t)from, (uint32_t)(to - from) };
}

/* ---- names ------------------------------------------------------------ */

static const struct {
	const char *name;
	size_t len;
} methods[] = {
#define M(e, n) [e] = { n, sizeof(n) - 1 }
	M(HTTP_M_OTHER, ""),		M(HTTP_M_GET, "GET"),
	M(HTTP_M_HEAD, "HEAD"),		M(HTTP_M_POST, "POST"),
	M(HTTP_M_PUT, "PUT"),		M(HTTP_M_DELETE, "DELETE"),
	M(HTTP_M_OPTIONS, "OPTIONS"),	M(HTTP_M_PATCH, "PATCH"),
	M(HTTP_M_CONNECT, "CONNECT"),	M(HTTP_M_TRACE, "TRACE"),
#undef M
};

const char *
http_method_name(enum http_method m)
{
	if ((unsigned)m > HTTP_M_TRACE)
		return "";
	return methods[m].name;
}

/* Methods are case-sensitive (RFC 9110 9.1). */
enum http_method
http_method_from(const char *name, size_t len)
{
	for (unsigned m = HTTP_M_GET; m <= HTTP_M_TRACE; m++)
		if (methods[m].len == len &&
		    memcmp(methods[m].name, name, len) == 0)
			return (enum http_method)m;
	return HTTP_M_OTHER;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 103: return "Early Hints";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 417: return "Expectation Failed";
	case 421: return "Misdirected Request";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "";
	}
}

/* ---- head parsing: shared machinery ---------------------------------- */

/* One call's view: the parser, the message being filled, the buffer. */
struct head_ctx {
	struct http_parser *p;
	struct http_head *h;
	struct http_request *req;	/* NULL when parsing a response */
	struct http_response *resp;
	enum http_method req_method;	/* response: the request's method */
	const char *buf;
};

void
http_parser_init(struct http_parser *p, const struct http_limits *limits)
{
	memset(p, 0, sizeof(*p));
	p->limits = limits ? *limits : HTTP_LIMITS_DEFAULT;
	if (p->limits.max_headers > HTTP_MAX_HEADERS)
		p->limits.max_headers = HTTP_MAX_HEADERS;
	p->phase = PH_START_LINE;
}

/* Refuse the message.  Anything wrong in an upstream's response is the
 * gateway's problem to report: 502, whatever the fault. */
static enum http_result
fail(struct head_ctx *c, int status, const char *why)
{
	c->p->phase = PH_ERROR;
	c->p->status = c->req ? status : 502;
	c->p->error = why;
	return HTTP_ERROR;
}

static const unsigned char *
ubuf(const struct head_ctx *c)
{
	return (const unsigned char *)c->buf;
}

static void
reset_head(struct http_head *h)
{
	h->version = 0;
	h->keep_alive = h->upgrade = h->chunked = false;
	h->has_content_length = false;
	h->content_length = 0;
	h->body = HTTP_BODY_NONE;
	h->head_len = 0;
	h->nheaders = 0;
}

/* "HTTP/x.y" in exactly 8 bytes: 10 or 11 (any 1.y above 0 speaks 1.1,
 * RFC 9110 2.5), -505 for another major version, -400 if malformed. */
static int
parse_version(const unsigned char *s, size_t n)
{
	if (n != 8 || memcmp(s, "HTTP/", 5) != 0 || s[6] != '.' ||
	    s[5] < '0' || s[5] > '9' || s[7] < '0' || s[7] > '9')
		return -400;
	if (s[5] != '1')
		return -505;
	return s[7] == '0' ? 10 : 11;
}

/* ---- start lines ------------------------------------------------------ */

static bool
is_alpha(unsigned char c)
{
	return lower(c) >= 'a' && lower(c) <= 'z';
}

/* scheme "://" (RFC 3986 3.1) at the start of the target */
static bool
has_scheme(const unsigned char *s, size_t n)
{
	size_t i = 1;

	if (n == 0 || !is_alpha(s[0]))
		return false;
	while (i < n && (is_alpha(s[i]) || (s[i] >= '0' && s[i] <= '9') ||
			 s[i] == '+' || s[i] == '-' || s[i] == '.'))
		i++;
	return n - i > 3 && memcmp(s + i, "://", 3) == 0;
}

/* RFC 9112 3.2: which form the target takes, and whether the method allows
 * it (authority-form is CONNECT's alone, asterisk-form OPTIONS'). */
static enum http_result
classify_target(struct head_ctx *c)
{
	struct http_request *r = c->req;
	const unsigned char *t = ubuf(c) + r->target.off;
	size_t n = r->target.len;

	if (r->method == HTTP_M_CONNECT) {
		if (!all_in(t, n, C_HOST))
			return fail(c, 400, "invalid CONNECT target");
		r->target_form = HTTP_TARGET_AUTHORITY;
	} else if (n == 1 && t[0] == '*') {
		if (r->method != HTTP_M_OPTIONS)
			return fail(c, 400, "asterisk target without OPTIONS");
		r->target_form = HTTP_TARGET_ASTERISK;
	} else if (t[0] == '/') {
		r->target_form = HTTP_TARGET_ORIGIN;
	} else if (has_scheme(t, n)) {
		r->target_form = HTTP_TARGET_ABSOLUTE;
	} else {
		return fail(c, 400, "invalid request target");
	}
	return HTTP_NEED_MORE;
}

/* method SP request-target SP HTTP-version, single spaces only */
static enum http_result
parse_request_line(struct head_ctx *c, size_t s, size_t e)
{
	const unsigned char *b = ubuf(c);
	struct http_request *r = c->req;
	size_t i = s, t;
	int v;

	while (i < e && is(b[i], C_TCHAR))
		i++;
	if (i == s || i == e || b[i] != ' ')
		return fail(c, 400, "invalid method");
	r->method_name = span(s, i);
	r->method = http_method_from(c->buf + s, i - s);
	t = ++i;
	while (i < e && is(b[i], C_TARGET))
		i++;
	if (i - t > c->p->limits.max_target)
		return fail(c, 414, "request target too long");
	if (i == t || i == e || b[i] != ' ')
		return fail(c, 400, "invalid request target");
	r->target = span(t, i);
	v = parse_version(b + i + 1, e - i - 1);
	if (v < 0)
		return fail(c, -v, v == -505 ? "unsupported HTTP version" :
					       "invalid HTTP version");
	c->h->version = (uint8_t)v;
	return classify_target(c);
}

/* HTTP-version SP 3DIGIT [SP reason-phrase]; the space after the code is
 * optional since servers that send no reason often omit it. */
static enum http_result
parse_status_line(struct head_ctx *c, size_t s, size_t e)
{
	const unsigned char *b = ubuf(c) + s;
	size_t n = e - s;
	int v = parse_version(b, n < 8 ? n : 8);

	if (v < 0)
		return fail(c, 502, "invalid status line version");
	if (n < 12 || b[8] != ' ' || b[9] < '1' || b[9] > '5' ||
	    b[10] < '0' || b[10] > '9' || b[11] < '0' || b[11] > '9')
		return fail(c, 502, "invalid status code");
	if (n > 12 && b[12] != ' ')
		return fail(c, 502, "invalid status line");
	if (n > 13 && !all_in(b + 13, n - 13, C_FIELD))
		return fail(c, 502, "invalid reason phrase");
	c->h->version = (uint8_t)v;
	c->resp->status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
	c->resp->reason = n > 13 ? span(s + 13, e) : span(e, e);
	return HTTP_NEED_MORE;
}

static enum http_result
parse_start_line(struct head_ctx *c, size_t s, size_t e)
{
	reset_head(c->h);
	if (c->req) {
		c->req->has_host = c->req->expect_100_continue = false;
		c->req->host = span(0, 0);
		return parse_request_line(c, s, e);
	}
	c->resp->informational = false;
	return parse_status_line(c, s, e);
}

/* ---- field lines ------------------------------------------------------ */

/* Call FN on each non-empty element of the comma-separated list in
 * [s, e), trimmed of OWS (RFC 9110 5.6.1: empty elements are ignored).
 * Stops at the first result other than HTTP_NEED_MORE. */
typedef enum http_result (*element_fn)(struct head_ctx *c, size_t s, size_t e);

static enum http_result
for_each_element(struct head_ctx *c, size_t s, size_t e, element_fn fn)
{
	const unsigned char *b = ubuf(c);

	while (s < e) {
		size_t comma = s, a = s, z;
		enum http_result r;

		while (comma < e && b[comma] != ',')
			comma++;
		z = comma;
		while (a < z && is_ows(b[a]))
			a++;
		while (z > a && is_ows(b[z - 1]))
			z--;
		if (a < z && (r = fn(c, a, z)) != HTTP_NEED_MORE)
			return r;
		s = comma + 1;
	}
	return HTTP_NEED_MORE;
}

/* Codings a request may name but the proxy cannot promise an upstream
 * understands (everything but chunked): 501.  Anything else: unknown,
 * also 501 (RFC 9112 6.1). */
static bool
known_coding(const char *s, size_t n)
{
	return lit_eq(s, n, "gzip") || lit_eq(s, n, "x-gzip") ||
	       lit_eq(s, n, "deflate") || lit_eq(s, n, "compress") ||
	       lit_eq(s, n, "x-compress");
}

/* One Transfer-Encoding coding.  Nothing may follow chunked, which must be
 * final and applied once (RFC 9112 6.1): chunked then anything is the
 * classic smuggling shape, refused in responses too. */
static enum http_result
te_element(struct head_ctx *c, size_t s, size_t e)
{
	struct http_parser *p = c->p;
	const char *name = c->buf + s;

	if (!all_in(ubuf(c) + s, e - s, C_TCHAR))
		return fail(c, 400, "invalid Transfer-Encoding");
	if (p->te_chunked)
		return fail(c, 400, "Transfer-Encoding: chunked is not final");
	if (lit_eq(name, e - s, "chunked")) {
		p->te_chunked = true;
		return HTTP_NEED_MORE;
	}
	if (c->req && !known_coding(name, e - s))
		return fail(c, 501, "unknown Transfer-Encoding");
	p->te_other = true;
	return HTTP_NEED_MORE;
}

/* One Connection option: close, keep-alive, or the name of a field that
 * is hop-by-hop for this message (RFC 9110 7.6.1). */
static enum http_result
connection_element(struct head_ctx *c, size_t s, size_t e)
{
	struct http_parser *p = c->p;
	const char *opt = c->buf + s;

	if (!all_in(ubuf(c) + s, e - s, C_TCHAR))
		return fail(c, 400, "invalid Connection option");
	if (lit_eq(opt, e - s, "close"))
		p->conn_close = true;
	else if (lit_eq(opt, e - s, "keep-alive"))
		p->conn_keep_alive = true;
	else if (p->nconn_options == HTTP_MAX_CONN_OPTIONS)
		return fail(c, 400, "too many Connection options");
	else
		p->conn_options[p->nconn_options++] = span(s, e);
	return HTTP_NEED_MORE;
}

/* 1*DIGIT, no sign, no list: "5, 5" is refused like a duplicate. */
static enum http_result
content_length(struct head_ctx *c, struct http_span v)
{
	const unsigned char *d = ubuf(c) + v.off;
	uint64_t n = 0;

	if (c->h->has_content_length)
		return fail(c, 400, "duplicate Content-Length");
	if (v.len == 0)
		return fail(c, 400, "empty Content-Length");
	for (uint32_t i = 0; i < v.len; i++) {
		if (d[i] < '0' || d[i] > '9')
			return fail(c, 400, "invalid Content-Length");
		n = n * 10 + (d[i] - '0');
		if (n > HTTP_MAX_BODY_LENGTH)
			return fail(c, 400, "Content-Length too large");
	}
	c->h->has_content_length = true;
	c->h->content_length = n;
	return HTTP_NEED_MORE;
}

static enum http_result
host_field(struct head_ctx *c, struct http_span v)
{
	struct http_request *r = c->req;

	if (r->has_host)
		return fail(c, 400, "duplicate Host");
	if (!all_in(ubuf(c) + v.off, v.len, C_HOST))
		return fail(c, 400, "invalid Host");
	r->has_host = true;
	r->host = v;
	return HTTP_NEED_MORE;
}

/* The fields whose name alone means something to a proxy: record their
 * facts and flags.  Dispatch on the length first: most fields are none
 * of these and cost one switch. */
static enum http_result
known_field(struct head_ctx *c, struct http_header *f)
{
	const char *n = c->buf + f->name.off;
	size_t len = f->name.len;
	size_t vs = f->value.off, ve = vs + f->value.len;

	switch (len) {
	case 2:
		if (lit_eq(n, len, "te"))
			f->flags |= HTTP_HF_HOP_BY_HOP;
		break;
	case 4:
		if (c->req && lit_eq(n, len, "host"))
			return host_field(c, f->value);
		break;
	case 6:
		if (c->req && lit_eq(n, len, "expect") &&
		    lit_eq(c->buf + vs, ve - vs, "100-continue"))
			c->req->expect_100_continue = true;
		break;
	case 7:
		if (lit_eq(n, len, "upgrade")) {
			f->flags |= HTTP_HF_HOP_BY_HOP;
			c->h->upgrade = true;
		}
		break;
	case 10:
		if (lit_eq(n, len, "connection")) {
			f->flags |= HTTP_HF_HOP_BY_HOP;
			return for_each_element(c, vs, ve, connection_element);
		}
		if (lit_eq(n, len, "keep-alive"))
			f->flags |= HTTP_HF_HOP_BY_HOP;
		break;
	case 14:
		if (lit_eq(n, len, "content-length")) {
			f->flags |= HTTP_HF_FRAMING;
			return content_length(c, f->value);
		}
		break;
	case 16:
		if (lit_eq(n, len, "proxy-connection"))
			f->flags |= HTTP_HF_HOP_BY_HOP;
		break;
	case 17:
		if (lit_eq(n, len, "transfer-encoding")) {
			f->flags |= HTTP_HF_HOP_BY_HOP | HTTP_HF_FRAMING;
			c->p->te_seen = true;
			if (vs == ve)
				return fail(c, 400, "empty Transfer-Encoding");
			return for_each_element(c, vs, ve, te_element);
		}
		break;
	case 18:
	case 19:
		if (lit_eq(n, len, "proxy-authenticate") ||
		    lit_eq(n, len, "proxy-authorization"))
			f->flags |= HTTP_HF_HOP_BY_HOP;
		break;
	}
	return HTTP_NEED_MORE;
}

/* field-name ":" OWS field-value OWS */
static enum http_result
parse_field_line(struct head_ctx *c, size_t s, size_t e)
{
	const unsigned char *b = ubuf(c);
	struct http_header *f;
	size_t i = s, vs, ve;

	/* obs-fold (RFC 9112 5.2): a server must refuse or unfold it; a
	 * proxy that unfolds differently from its upstream is a smuggling
	 * risk, so refuse.  This also refuses whitespace before the first
	 * field (RFC 9112 2.2). */
	if (is_ows(b[s]))
		return fail(c, 400, "obsolete line folding");
	while (i < e && is(b[i], C_TCHAR))
		i++;
	if (i == e || b[i] != ':')
		return fail(c, 400, i < e && is_ows(b[i]) ?
			    "whitespace before colon" : "invalid field name");
	if (i == s)
		return fail(c, 400, "empty field name");
	if (!field_value_ok(b + i + 1, e - i - 1))
		return fail(c, 400, "invalid character in field value");
	if (c->h->nheaders == c->p->limits.max_headers)
		return fail(c, 431, "too many header fields");
	for (vs = i + 1; vs < e && is_ows(b[vs]); vs++)
		;
	for (ve = e; ve > vs && is_ows(b[ve - 1]); ve--)
		;
	f = &c->h->headers[c->h->nheaders++];
	f->name = span(s, i);
	f->value = span(vs, ve);
	f->flags = 0;
	return known_field(c, f);
}

/* ---- end of head ------------------------------------------------------ */

/* Fields the Connection header may not make hop-by-hop: dropping the
 * framing ("Connection: Content-Length") would let a client desynchronise
 * the upstream connection, and the upstream needs Host. */
static bool
protected_field(const struct head_ctx *c, const struct http_header *f)
{
	return (f->flags & HTTP_HF_FRAMING) ||
	       (c->req && lit_eq(c->buf + f->name.off, f->name.len, "host"));
}

/* The Connection options may precede the fields they name, so they are
 * applied once the head is complete: at most 16 options x 100 fields. */
static void
mark_connection_options(struct head_ctx *c)
{
	const struct http_parser *p = c->p;

	for (uint32_t i = 0; i < c->h->nheaders; i++) {
		struct http_header *f = &c->h->headers[i];

		if ((f->flags & HTTP_HF_HOP_BY_HOP) || protected_field(c, f))
			continue;
		for (unsigned k = 0; k < p->nconn_options; k++)
			if (http_name_eq(c->buf + f->name.off, f->name.len,
					 c->buf + p->conn_options[k].off,
					 p->conn_options[k].len)) {
				f->flags |= HTTP_HF_HOP_BY_HOP;
				break;
			}
	}
}

static bool
version_keep_alive(const struct http_parser *p, uint8_t version)
{
	if (p->conn_close)
		return false;
	return version >= 11 || p->conn_keep_alive;
}

/* RFC 9112 6.1-6.3 for requests; a request without either field has no
 * body (there is no "until close" for requests). */
static enum http_result
request_framing(struct head_ctx *c)
{
	struct http_parser *p = c->p;
	struct http_head *h = c->h;

	if (h->version >= 11 && !c->req->has_host)
		return fail(c, 400, "missing Host");
	if (p->te_seen) {
		if (h->version < 11)
			return fail(c, 400, "Transfer-Encoding in HTTP/1.0");
		if (h->has_content_length)
			return fail(c, 400,
				    "both Content-Length and Transfer-Encoding");
		if (!p->te_chunked)
			return fail(c, 400, "final coding is not chunked");
		if (p->te_other)
			return fail(c, 501, "unsupported transfer coding");
		h->chunked = true;
		h->body = HTTP_BODY_CHUNKED;
	} else if (h->has_content_length && h->content_length > 0) {
		h->body = HTTP_BODY_LENGTH;
	}
	return HTTP_DONE;
}

/* Responses that never have a body, whatever their fields say (RFC 9112
 * 6.3 items 1 and 2). */
static bool
bodiless_response(const struct head_ctx *c)
{
	int st = c->resp->status;

	return c->req_method == HTTP_M_HEAD || st < 200 || st == 204 ||
	       st == 304 || (c->req_method == HTTP_M_CONNECT && st < 300);
}

static enum http_result
response_framing(struct head_ctx *c)
{
	struct http_parser *p = c->p;
	struct http_head *h = c->h;

	if (p->te_seen) {
		if (h->version < 11)
			return fail(c, 502, "Transfer-Encoding in HTTP/1.0");
		if (h->has_content_length)
			return fail(c, 502,
				    "both Content-Length and Transfer-Encoding");
		h->chunked = p->te_chunked;
		h->body = p->te_chunked ? HTTP_BODY_CHUNKED :
					  HTTP_BODY_UNTIL_CLOSE;
	} else if (h->has_content_length) {
		h->body = h->content_length ? HTTP_BODY_LENGTH : HTTP_BODY_NONE;
	} else {
		h->body = HTTP_BODY_UNTIL_CLOSE;
	}
	if (bodiless_response(c))
		h->body = HTTP_BODY_NONE;
	c->resp->informational = c->resp->status < 200 &&
				 c->resp->status != 101;
	return HTTP_DONE;
}

static enum http_result
finish_head(struct head_ctx *c, size_t head_len)
{
	enum http_result r;

	r = c->req ? request_framing(c) : response_framing(c);
	if (r != HTTP_DONE)
		return r;
	c->h->head_len = (uint32_t)head_len;
	c->h->keep_alive = version_keep_alive(c->p, c->h->version) &&
			   c->h->body != HTTP_BODY_UNTIL_CLOSE;
	mark_connection_options(c);
	c->p->phase = PH_DONE;
	return HTTP_DONE;
}

/* ---- the line loop ---------------------------------------------------- */

/* Line [s, e) (EOL stripped) is complete; NEXT is the offset after its LF. */
static enum http_result
parse_line(struct head_ctx *c, size_t s, size_t e, size_t next)
{
	struct http_parser *p = c->p;
	enum http_result r;

	if (e - s > p->limits.max_line)
		return p->phase == PH_START_LINE && c->req ?
		       fail(c, 414, "request line too long") :
		       fail(c, 431, "header line too long");
	if (p->phase == PH_FIELDS)
		return s == e ? finish_head(c, next) : parse_field_line(c, s, e);
	if (s == e) {
		if (++p->empty_lines > MAX_LEADING_EMPTY)
			return fail(c, 400, "too many empty lines");
		return HTTP_NEED_MORE;
	}
	r = parse_start_line(c, s, e);
	if (r == HTTP_NEED_MORE)
		p->phase = PH_FIELDS;
	return r;
}

/* No LF before the line's or the head's limit: whatever arrives next, it
 * is too long. */
static enum http_result
too_long(struct head_ctx *c, size_t line_lim, size_t head_lim)
{
	if (head_lim < line_lim)
		return fail(c, 431, "request header too large");
	if (c->p->phase == PH_START_LINE && c->req)
		return fail(c, 414, "request line too long");
	return fail(c, 431, "header line too long");
}

static enum http_result
parse_head(struct head_ctx *c, size_t len)
{
	struct http_parser *p = c->p;
	/* the furthest an LF may be: after max_line bytes and a CR, or as the
	 * last byte of a max_head head */
	size_t head_lim = p->limits.max_head;

	if (p->phase == PH_DONE)
		return HTTP_DONE;
	if (p->phase == PH_ERROR)
		return HTTP_ERROR;
	for (;;) {
		size_t line_lim = (size_t)p->line_start + p->limits.max_line + 2;
		size_t lim = line_lim < head_lim ? line_lim : head_lim;
		const char *lf;
		size_t end, eol;
		enum http_result r;

		if (lim > len)
			lim = len;
		lf = p->scan < lim ? memchr(c->buf + p->scan, '\n', lim - p->scan)
				   : NULL;
		if (!lf) {
			p->scan = (uint32_t)lim;
			return lim == line_lim || lim == head_lim ?
			       too_long(c, line_lim, head_lim) : HTTP_NEED_MORE;
		}
		end = (size_t)(lf - c->buf);
		eol = end > p->line_start && c->buf[end - 1] == '\r' ? end - 1
								       : end;
		r = parse_line(c, p->line_start, eol, end + 1);
		p->line_start = p->scan = (uint32_t)(end + 1);
		if (r != HTTP_NEED_MORE)
			return r;
	}
}

enum http_result
http_parse_request(struct http_parser *p, struct http_request *req,
		   const char *buf, size_t len)
{
	struct head_ctx c = { .p = p, .h = &req->head, .req = req, .buf = buf };

	return parse_head(&c, len);
}

enum http_result
http_parse_response(struct http_parser *p, struct http_response *resp,
		    enum http_method req_method, const char *buf, size_t len)
{
	struct head_ctx c = { .p = p, .h = &resp->head, .resp = resp,
			      .req_method = req_method, .buf = buf };

	return parse_head(&c, len);
}

const struct http_header *
http_find_header(const struct http_head *h, const char *buf, const char *name)
{
	size_t n = strlen(name);

	for (uint32_t i = 0; i < h->nheaders; i++)
		if (http_name_eq(buf + h->headers[i].name.off,
				 h->headers[i].name.len, name, n))
			return &h->headers[i];
	return NULL;
}

/* ---- bodies ----------------------------------------------------------- */

enum chunk_state {
	CK_SIZE_FIRST,		/* a chunk-size's first hex digit */
	CK_SIZE,		/* more digits, ';', BWS or CR */
	CK_SIZE_BWS,		/* whitespace after the size: only ';' next */
	CK_EXT,			/* chunk extensions up to CR */
	CK_SIZE_LF,
	CK_DATA,
	CK_DATA_CR,
	CK_DATA_LF,
	CK_TRAILER_START,	/* a trailer field, or CR ending the body */
	CK_TRAILER_NAME,
	CK_TRAILER_VALUE,
	CK_TRAILER_LF,
	CK_END_LF,
	CK_DONE,
	CK_ERROR,
};

void
http_body_init(struct http_body *b, enum http_body_kind kind, uint64_t length)
{
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->remaining = kind == HTTP_BODY_LENGTH ? length : 0;
	b->state = CK_SIZE_FIRST;
}

static enum http_result
chunk_error(struct http_body *b, const char *why, size_t at, size_t *consumed)
{
	b->state = CK_ERROR;
	b->error = why;
	*consumed = at;
	return HTTP_ERROR;
}

/* One framing byte C in state B->state: the next state, or CK_ERROR with
 * B->error set. */
static enum chunk_state
chunk_step(struct http_body *b, unsigned char c)
{
	switch (b->state) {
	case CK_SIZE_FIRST:
		if (!is(c, C_HEX))
			break;
		b->remaining = hex_value(c);
		return CK_SIZE;
	case CK_SIZE:
		if (is(c, C_HEX)) {
			if (b->remaining > (HTTP_MAX_BODY_LENGTH - hex_value(c)) / 16) {
				b->error = "chunk size too large";
				return CK_ERROR;
			}
			b->remaining = b->remaining * 16 + hex_value(c);
			return CK_SIZE;
		}
		if (c == ';')
			return CK_EXT;
		if (is_ows(c))
			return CK_SIZE_BWS;
		return c == '\r' ? CK_SIZE_LF : CK_ERROR;
	case CK_SIZE_BWS:
		if (is_ows(c))
			return CK_SIZE_BWS;
		return c == ';' ? CK_EXT : CK_ERROR;
	case CK_EXT:
		if (c == '\r')
			return CK_SIZE_LF;
		if (!is(c, C_FIELD)) {
			b->error = "control character in chunk extension";
			return CK_ERROR;
		}
		return CK_EXT;
	case CK_SIZE_LF:
		if (c != '\n')
			break;
		b->line_len = 0;
		return b->remaining ? CK_DATA : CK_TRAILER_START;
	case CK_DATA_CR:
		if (c == '\r')
			return CK_DATA_LF;
		b->error = "chunk data not followed by CRLF";
		return CK_ERROR;
	case CK_DATA_LF:
		if (c == '\n')
			return CK_SIZE_FIRST;
		b->error = "chunk data not followed by CRLF";
		return CK_ERROR;
	case CK_TRAILER_START:
		if (c == '\r')
			return CK_END_LF;
		return is(c, C_TCHAR) ? CK_TRAILER_NAME : CK_ERROR;
	case CK_TRAILER_NAME:
		if (c == ':')
			return CK_TRAILER_VALUE;
		return is(c, C_TCHAR) ? CK_TRAILER_NAME : CK_ERROR;
	case CK_TRAILER_VALUE:
		if (c == '\r')
			return CK_TRAILER_LF;
		return is(c, C_FIELD) ? CK_TRAILER_VALUE : CK_ERROR;
	case CK_TRAILER_LF:
		return c == '\n' ? CK_TRAILER_START : CK_ERROR;
	case CK_END_LF:
		return c == '\n' ? CK_DONE : CK_ERROR;
	}
	return CK_ERROR;
}

/* Generic messages for the states that fail without naming a reason. */
static const char *
chunk_state_error(enum chunk_state s)
{
	if (s <= CK_SIZE_BWS)
		return "invalid chunk size";
	if (s == CK_SIZE_LF)
		return "chunk size line not ended by CRLF";
	return "invalid trailer section";
}

static enum http_result
chunked_feed(struct http_body *b, const char *buf, size_t len,
	     size_t *consumed)
{
	size_t i = 0;

	while (i < len) {
		enum chunk_state prev = b->state, next;

		if (prev == CK_DATA) {
			uint64_t n = b->remaining < len - i ? b->remaining
							    : len - i;
			i += n;
			b->remaining -= n;
			if (b->remaining == 0)
				b->state = CK_DATA_CR;
			continue;
		}
		/* leading zeros, whitespace and extensions are all bounded:
		 * a size line may not stream forever */
		if (prev <= CK_EXT && buf[i] != '\r' &&
		    ++b->line_len > HTTP_MAX_CHUNK_LINE)
			return chunk_error(b, "chunk size line too long", i,
					   consumed);
		if (prev >= CK_TRAILER_START &&
		    ++b->trailer_len > HTTP_MAX_TRAILER)
			return chunk_error(b, "trailer section too large", i,
					   consumed);
		b->error = NULL;
		next = chunk_step(b, (unsigned char)buf[i]);
		if (next == CK_ERROR)
			return chunk_error(b, b->error ? b->error :
					   chunk_state_error(prev), i, consumed);
		b->state = (uint8_t)next;
		i++;
		if (next == CK_DONE) {
			*consumed = i;
			return HTTP_DONE;
		}
	}
	*consumed = len;
	return HTTP_NEED_MORE;
}

enum http_result
http_body_feed(struct http_body *b, const char *buf, size_t len,
	       size_t *consumed)
{
	uint64_t n;

	*consumed = 0;
	switch (b->kind) {
	case HTTP_BODY_NONE:
		return HTTP_DONE;
	case HTTP_BODY_UNTIL_CLOSE:
		*consumed = len;
		return HTTP_NEED_MORE;
	case HTTP_BODY_LENGTH:
		n = b->remaining < len ? b->remaining : len;
		b->remaining -= n;
		*consumed = (size_t)n;
		return b->remaining ? HTTP_NEED_MORE : HTTP_DONE;
	case HTTP_BODY_CHUNKED:
		if (b->state == CK_DONE)
			return HTTP_DONE;
		if (b->state == CK_ERROR)
			return HTTP_ERROR;
		return chunked_feed(b, buf, len, consumed);
	}
	return HTTP_ERROR;
}

enum http_result
http_body_eof(const struct http_body *b)
{
	switch (b->kind) {
	case HTTP_BODY_NONE:
	case HTTP_BODY_UNTIL_CLOSE:
		return HTTP_DONE;
	case HTTP_BODY_LENGTH:
		return b->remaining ? HTTP_ERROR : HTTP_DONE;
	case HTTP_BODY_CHUNKED:
		return b->state == CK_DONE ? HTTP_DONE : HTTP_ERROR;
	}
	return HTTP_ERROR;
}

/* ---- writing heads ---------------------------------------------------- */

/* A bounded output buffer that remembers running out of room. */
struct out {
	char *p;
	size_t len, cap;
	bool full;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void
put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
put_field(struct out *o, const char *name, size_t nlen, const char *value,
	  size_t vlen)
{
	put(o, name, nlen);
	put(o, ": ", 2);
	put(o, value, vlen);
	put(o, "\r\n", 2);
}

static bool
named_in_set(const char *name, size_t len, const struct http_field *set,
	     size_t nset)
{
	for (size_t i = 0; i < nset; i++)
		if (http_name_eq(name, len, set[i].name, set[i].name_len))
			return true;
	return false;
}

/* A caller's field must not smuggle a line break into the head. */
static bool
set_is_safe(const struct http_field *set, size_t nset)
{
	for (size_t i = 0; i < nset; i++) {
		if (set[i].name_len == 0 ||
		    !all_in((const unsigned char *)set[i].name,
			    set[i].name_len, C_TCHAR))
			return false;
		if (set[i].value &&
		    !all_in((const unsigned char *)set[i].value,
			    set[i].value_len, C_FIELD))
			return false;
	}
	return true;
}

/* The received fields that travel on, then SET's, then the empty line. */
static void
put_fields(struct out *o, const struct http_head *h, const char *buf,
	   const struct http_field *set, size_t nset)
{
	for (uint32_t i = 0; i < h->nheaders; i++) {
		const struct http_header *f = &h->headers[i];
		const char *name = buf + f->name.off;

		if ((f->flags & (HTTP_HF_HOP_BY_HOP | HTTP_HF_FRAMING)) ==
		    HTTP_HF_HOP_BY_HOP)
			continue;
		if (named_in_set(name, f->name.len, set, nset))
			continue;
		put_field(o, name, f->name.len, buf + f->value.off,
			  f->value.len);
	}
	for (size_t i = 0; i < nset; i++)
		if (set[i].value)
			put_field(o, set[i].name, set[i].name_len,
				  set[i].value, set[i].value_len);
	put(o, "\r\n", 2);
}

static ssize_t
out_result(const struct out *o)
{
	return o->full ? -1 : (ssize_t)o->len;
}

ssize_t
http_write_request_head(const struct http_request *req, const char *buf,
			const char *target, size_t target_len,
			const struct http_field *set, size_t nset, char *out,
			size_t cap)
{
	struct out o = { out, 0, cap, false };

	if (!set_is_safe(set, nset))
		return -1;
	if (!target) {
		target = buf + req->target.off;
		target_len = req->target.len;
	}
	put(&o, buf + req->method_name.off, req->method_name.len);
	put(&o, " ", 1);
	put(&o, target, target_len);
	put(&o, " HTTP/1.1\r\n", 11);
	put_fields(&o, &req->head, buf, set, nset);
	return out_result(&o);
}

ssize_t
http_write_response_head(const struct http_response *resp, const char *buf,
			 const struct http_field *set, size_t nset, char *out,
			 size_t cap)
{
	struct out o = { out, 0, cap, false };
	char code[4] = {
		(char)('0' + resp->status / 100 % 10),
		(char)('0' + resp->status / 10 % 10),
		(char)('0' + resp->status % 10), ' ',
	};

	if (!set_is_safe(set, nset) || resp->status < 100 || resp->status > 599)
		return -1;
	put(&o, "HTTP/1.1 ", 9);
	put(&o, code, 4);
	if (resp->reason.len)
		put(&o, buf + resp->reason.off, resp->reason.len);
	else
		put_str(&o, http_reason(resp->status));
	put(&o, "\r\n", 2);
	put_fields(&o, &resp->head, buf, set, nset);
	return out_result(&o);
}

ssize_t
http_write_error(int status, bool head_request, char *out, size_t cap)
{
	char body[512], head[256];
	const char *reason = http_reason(status);
	int blen, hlen;

	if (status < 100 || status > 599)
		return -1;
	blen = snprintf(body, sizeof(body),
			"<html>\r\n<head><title>%d %s</title></head>\r\n"
			"<body>\r\n<center><h1>%d %s</h1></center>\r\n"
			"<hr><center>vigil</center>\r\n</body>\r\n</html>\r\n",
			status, reason, status, reason);
	hlen = snprintf(head, sizeof(head),
			"HTTP/1.1 %d %s\r\nServer: vigil\r\n"
			"Content-Type: text/html\r\nContent-Length: %d\r\n"
			"Connection: close\r\n\r\n",
			status, reason, blen);
	if (head_request)
		blen = 0;
	if ((size_t)hlen + (size_t)blen > cap)
		return -1;
	memcpy(out, head, (size_t)hlen);
	memcpy(out + hlen, body, (size_t)blen);
	return hlen + blen;
}
