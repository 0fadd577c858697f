/* px_access.h - the proxy's access log, in nginx's "combined" format:
 *   ADDR - - [28/Nov/2026:04:10:49 +0000] "GET / HTTP/1.1" 200 612 "REFERER" "AGENT"
 * Each worker buffers its lines and appends them (O_APPEND) when the
 * buffer fills or at the worker's tick, so logging costs no system call
 * per request. */
#ifndef VIGIL_PX_ACCESS_H
#define VIGIL_PX_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http.h"

#define PX_ACCESS_BUF 32768

/* What a log line needs from a request, copied before its buffer moves on. */
struct px_access_rec {
	char request[512];
	char referer[256];
	char agent[256];
};

struct px_access_log {
	bool fd_valid;
	int fd;
	char buf[PX_ACCESS_BUF];
	size_t len;
};

void px_access_capture(struct px_access_rec *r, const struct http_request *req,
		       const char *buf);
/* Format one line into OUT (nginx's escaping of '"' and controls as \xHH);
 * returns its length.  Pure: WHEN is the caller's. */
size_t px_access_format(char *out, size_t cap, const struct px_access_rec *r,
			const char *addr, int status, uint64_t bytes, long when);
void px_access_open(struct px_access_log *l, const char *path);
void px_access_write(struct px_access_log *l, const struct px_access_rec *r,
		     const char *addr, int status, uint64_t bytes);
void px_access_flush(struct px_access_log *l);
void px_access_close(struct px_access_log *l);

#endif
