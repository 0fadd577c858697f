/* http.h - HTTP/1.1 message parsing for the built-in reverse proxy
 * (RFC 9110 semantics, RFC 9112 syntax).
 *
 * Pure: no sockets, no clocks, no allocation.  The parsers read a buffer
 * holding the bytes received so far and describe the message with spans
 * (offset + length) into that buffer, so the caller may move or grow the
 * buffer between calls as long as its first byte stays the message's first.
 *
 * What is refused, and why (the proxy must never see a message two ways):
 *   request                                     status
 *   bad request line, extra spaces, CTL in target     400
 *   request line longer than max_line                 414
 *   target longer than max_target                     414
 *   HTTP/2.0, HTTP/0.9 ... (major version not 1)      505
 *   bare CR, obs-fold, space before ':', bad name     400
 *   CTL (NUL included) in a field value               400
 *   one line > max_line, head > max_head,
 *     more than max_headers fields                    431
 *   Content-Length and Transfer-Encoding together     400
 *   Content-Length twice (even the same value: as
 *     nginx), not all digits, > 2^62                  400
 *   Transfer-Encoding in HTTP/1.0                     400
 *   Transfer-Encoding whose final coding is not
 *     chunked, or chunked twice                       400
 *   Transfer-Encoding with a coding other than
 *     chunked (the proxy forwards bodies as they
 *     are, so it only accepts what every upstream
 *     must understand)                                501
 *   HTTP/1.1 without Host, Host twice, bad Host chars 400
 * Responses from an upstream fail with 502 for the same faults, except that
 * any transfer coding is accepted (final coding not chunked: read until
 * close, RFC 9112 6.3).
 *
 * Line endings: CRLF or a bare LF end a head's lines (RFC 9112 2.2 allows
 * LF; nginx accepts it) and the head is rewritten with CRLF when forwarded.
 * A CR anywhere else is refused.  Chunked bodies are forwarded unchanged,
 * so their framing is held to CRLF only: a bare LF there is a smuggling
 * vector between parsers that disagree.
 */
#ifndef VIGIL_HTTP_H
#define VIGIL_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Compile-time capacity of a head's field array; limits.max_headers may
 * lower it. */
#define HTTP_MAX_HEADERS 100
/* Connection options naming other fields ("Connection: close, X-Foo"): a
 * head with more is refused (400/502); real clients send one or two. */
#define HTTP_MAX_CONN_OPTIONS 16
/* Chunked framing limits: one chunk-size line (size, extensions; CRLF not
 * counted), and the whole trailer section. */
#define HTTP_MAX_CHUNK_LINE 4096
#define HTTP_MAX_TRAILER 8192
/* Largest Content-Length or chunk size accepted: 2^62, far beyond any real
 * body, and safe from overflow in any sum of two. */
#define HTTP_MAX_BODY_LENGTH ((uint64_t)1 << 62)

enum http_result {
	HTTP_ERROR = -1,	/* parser->status says which reply to send */
	HTTP_NEED_MORE = 0,	/* every byte so far is fine; read more */
	HTTP_DONE = 1,		/* complete; see head_len / consumed */
};

enum http_method {
	HTTP_M_OTHER = 0,	/* a valid token we have no name for */
	HTTP_M_GET,
	HTTP_M_HEAD,
	HTTP_M_POST,
	HTTP_M_PUT,
	HTTP_M_DELETE,
	HTTP_M_OPTIONS,
	HTTP_M_PATCH,
	HTTP_M_CONNECT,
	HTTP_M_TRACE,
};

/* RFC 9112 3.2 */
enum http_target_form {
	HTTP_TARGET_ORIGIN,	/* /path?query */
	HTTP_TARGET_ABSOLUTE,	/* http://host/path */
	HTTP_TARGET_AUTHORITY,	/* host:port, CONNECT only */
	HTTP_TARGET_ASTERISK,	/* "*", OPTIONS only */
};

/* How the body after a head is delimited. */
enum http_body_kind {
	HTTP_BODY_NONE,		/* no body (or Content-Length: 0) */
	HTTP_BODY_LENGTH,	/* Content-Length bytes */
	HTTP_BODY_CHUNKED,	/* chunked framing, up to the trailer's end */
	HTTP_BODY_UNTIL_CLOSE,	/* responses only: until the upstream closes */
};

/* Bytes [off, off + len) of the buffer that was parsed. */
struct http_span {
	uint32_t off;
	uint32_t len;
};

static inline const char *
http_span_ptr(const char *buf, struct http_span s)
{
	return buf + s.off;
}

/* Per-field flags */
#define HTTP_HF_HOP_BY_HOP 0x1	/* dropped when forwarding */
#define HTTP_HF_FRAMING 0x2	/* Content-Length / Transfer-Encoding: kept */

struct http_header {
	struct http_span name;	/* as received (case kept) */
	struct http_span value;	/* leading and trailing SP/HTAB trimmed */
	uint32_t flags;		/* HTTP_HF_* */
};

struct http_limits {
	uint32_t max_line;	/* request line or one field line, no EOL */
	uint32_t max_head;	/* the whole head, empty line included */
	uint32_t max_target;	/* request-target */
	uint32_t max_headers;	/* <= HTTP_MAX_HEADERS */
};

/* nginx's large_client_header_buffers is 4 x 8k: 8 KiB per line, and we
 * cap the whole head at 32 KiB. */
#define HTTP_LIMITS_DEFAULT \
	((struct http_limits){ 8192, 32768, 8192, HTTP_MAX_HEADERS })

/* What a request and a response head have in common. */
struct http_head {
	uint8_t version;		/* 10 or 11 (HTTP/1.2+ counts as 11) */
	bool keep_alive;		/* version default, then Connection */
	bool upgrade;			/* an Upgrade field is present */
	bool chunked;			/* Transfer-Encoding ends in chunked */
	bool has_content_length;
	uint64_t content_length;
	enum http_body_kind body;	/* framing of what follows */
	uint32_t head_len;		/* bytes of the head, final EOL included */
	uint32_t nheaders;
	struct http_header headers[HTTP_MAX_HEADERS];
};

struct http_request {
	struct http_head head;
	enum http_method method;
	struct http_span method_name;
	struct http_span target;
	enum http_target_form target_form;
	bool has_host;
	struct http_span host;		/* valid when has_host */
	bool expect_100_continue;
};

struct http_response {
	struct http_head head;
	int status;			/* 100..599 */
	struct http_span reason;	/* may be empty */
	/* 1xx other than 101: forward it, then parse the next head (RFC 9110
	 * 15.2).  101 is final: the connection becomes a tunnel. */
	bool informational;
};

/*
 * Incremental head parser.  It remembers how far it has looked, so each
 * call only examines bytes that arrived since the previous one, and the
 * lines already complete are never parsed again.
 */
struct http_parser {
	struct http_limits limits;
	uint32_t line_start;	/* offset of the first line not yet parsed */
	uint32_t scan;		/* where the search for LF resumes */
	uint8_t phase;		/* start line, fields, done, error */
	uint8_t empty_lines;	/* empty lines skipped before the start line */
	bool te_seen, te_chunked, te_other;	/* Transfer-Encoding so far */
	bool conn_close, conn_keep_alive;
	uint8_t nconn_options;
	struct http_span conn_options[HTTP_MAX_CONN_OPTIONS];
	int status;		/* on HTTP_ERROR: the status to reply with */
	const char *error;	/* on HTTP_ERROR: a reason for the log */
};

/* LIMITS may be NULL for HTTP_LIMITS_DEFAULT. */
void http_parser_init(struct http_parser *p, const struct http_limits *limits);

/*
 * Parse the request head at the start of BUF (LEN bytes received so far;
 * BUF must hold the same first bytes on every call, only more of them).
 * HTTP_DONE: REQ is complete and REQ->head.head_len bytes are the head
 * (what follows is the body, then maybe the next request).  HTTP_ERROR:
 * P->status is 400, 414, 431, 501 or 505.  REQ is only meaningful after
 * HTTP_DONE; keep P and REQ unchanged between calls.
 */
enum http_result http_parse_request(struct http_parser *p,
				    struct http_request *req,
				    const char *buf, size_t len);

/*
 * The same for a response head from an upstream; REQ_METHOD is the method
 * of the request it answers (HEAD and CONNECT change the framing).
 * HTTP_ERROR: P->status is 502.
 * Body framing (RFC 9112 6.3): none for HEAD, 1xx, 204, 304 and a 2xx to
 * CONNECT; else chunked, Content-Length or until close.
 */
enum http_result http_parse_response(struct http_parser *p,
				     struct http_response *resp,
				     enum http_method req_method,
				     const char *buf, size_t len);

/* ---- bodies ----------------------------------------------------------- */

/*
 * One API for every body framing.  The proxy streams body bytes unchanged;
 * the state only says how many of the bytes it holds belong to the body.
 */
struct http_body {
	enum http_body_kind kind;
	uint8_t state;		/* chunked: where in the framing */
	uint64_t remaining;	/* LENGTH: bytes left; CHUNKED: of this chunk */
	uint32_t line_len;	/* chunked: bytes of the size line so far */
	uint32_t trailer_len;	/* chunked: trailer section bytes */
	const char *error;	/* on HTTP_ERROR */
};

/* LENGTH is the Content-Length for HTTP_BODY_LENGTH, ignored otherwise. */
void http_body_init(struct http_body *b, enum http_body_kind kind,
		    uint64_t length);

/*
 * Feed the next LEN bytes of the stream.  *CONSUMED is how many belong to
 * the body; HTTP_DONE means the body ended within them (what follows is
 * the next message), HTTP_NEED_MORE that all were body and more is to
 * come.  NONE (and LENGTH 0) is HTTP_DONE at once, even for LEN 0.
 * UNTIL_CLOSE takes everything: see http_body_eof.  HTTP_ERROR: malformed
 * chunked framing (B->error says how), at byte *CONSUMED; the connection
 * must be closed.  Once DONE or ERROR, later calls repeat it, consuming 0.
 */
enum http_result http_body_feed(struct http_body *b, const char *buf,
				size_t len, size_t *consumed);

/* The peer closed the connection: HTTP_DONE if that ends the body cleanly
 * (until-close, or already complete), HTTP_ERROR if it was truncated. */
enum http_result http_body_eof(const struct http_body *b);

/* ---- helpers for the proxy ------------------------------------------- */

/* Field names compare ASCII case-insensitively (RFC 9110 5.1). */
bool http_name_eq(const char *a, size_t alen, const char *b, size_t blen);

/* The first field named NAME, or NULL. */
const struct http_header *http_find_header(const struct http_head *h,
					   const char *buf, const char *name);

enum http_method http_method_from(const char *name, size_t len);
const char *http_method_name(enum http_method m);	/* "GET", ...; "" */

/* "Bad Request" for 400 ...; "" for a status we have no phrase for. */
const char *http_reason(int status);

/* A field the proxy sets when forwarding: it replaces every received field
 * of that name.  VALUE NULL only removes them. */
struct http_field {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

#define HTTP_FIELD(n, v) \
	((struct http_field){ (n), sizeof(n) - 1, (v), sizeof(v) - 1 })

/*
 * Write the head to send upstream into OUT: "METHOD TARGET HTTP/1.1", then
 * every received field except the hop-by-hop ones and those named in SET,
 * in received order and with the received name case, then SET's fields
 * with a value, then the empty line.  TARGET NULL keeps the request's.
 *
 * Dropped (hop-by-hop): Connection, Keep-Alive, Proxy-Connection, TE,
 * Upgrade, Proxy-Authorization, and every field the Connection header
 * names.  Proxy-Authorization carries credentials for a proxy; Vigil is
 * the client's origin, so they were not meant for the upstream (RFC 9110
 * 11.7.2 lets a proxy drop them; nginx forwards them).  The caller adds
 * Connection (and Upgrade, when it tunnels) itself.
 *
 * Kept: Content-Length and Transfer-Encoding as received, because the body
 * is streamed unchanged (chunked stays chunked) - even when Connection
 * names them, which would otherwise let a client strip the framing the
 * upstream needs.  Host likewise stays unless SET replaces it.  Trailer
 * is end-to-end (RFC 9110 6.6.2) and the trailers themselves pass through
 * unchanged, so it is kept.  Expect is kept: the proxy relays the
 * upstream's 100 Continue.
 *
 * Returns the length written, or -1 if OUT (CAP bytes) is too small or a
 * SET field is not a token name with a CTL-free value (no header
 * injection through a value the caller built from client data).
 */
ssize_t http_write_request_head(const struct http_request *req,
				const char *buf, const char *target,
				size_t target_len, const struct http_field *set,
				size_t nset, char *out, size_t cap);

/*
 * Write the head to send the client: "HTTP/1.1 STATUS REASON" (the
 * upstream's reason, or ours if it sent none), then the fields as for a
 * request: hop-by-hop ones dropped (Connection, Keep-Alive,
 * Proxy-Connection, TE, Upgrade, Proxy-Authenticate, and those Connection
 * names), Content-Length and Transfer-Encoding kept, SET's fields
 * replacing and added (the caller's Connection: keep-alive or close).
 */
ssize_t http_write_response_head(const struct http_response *resp,
				 const char *buf, const struct http_field *set,
				 size_t nset, char *out, size_t cap);

/*
 * A complete error reply, as nginx sends one: status line, Server,
 * Content-Type text/html, Content-Length, Connection: close and a small
 * HTML body (omitted for a HEAD request; Content-Length still says what
 * it would be).  Returns the length, or -1 if CAP is too small.
 */
ssize_t http_write_error(int status, bool head_request, char *out, size_t cap);

#endif
