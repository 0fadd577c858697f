/* diag.h - configuration diagnostics: collected, printed compiler-style,
 * and folded into keepalived's `-t` exit code. */
#ifndef VIGIL_DIAG_H
#define VIGIL_DIAG_H

#include <stdbool.h>
#include <stdio.h>

enum diag_level {
	DIAG_NOTE,
	DIAG_WARNING,
	DIAG_ERROR,
};

/*
 * keepalived 2.2.7 records a "config error class" per problem and keeps the
 * numerically highest one seen; `keepalived -t` turns that into its exit
 * code.  The order below is keepalived's, which is why a later plain
 * warning masks an earlier fatal error.
 */
enum diag_class {
	DC_NONE,		/* notes: never change the exit code */
	DC_FILE_NOT_FOUND,	/* rc 4 */
	DC_BAD_IF,		/* rc 4 */
	DC_FATAL,		/* rc 4 */
	DC_UNKNOWN_KEYWORD,	/* rc 5 */
	DC_GENERAL,		/* rc 5 */
	DC_WARNING,		/* rc 5 */
	DC_DEPRECATED,		/* rc 5 */
	DC_SECURITY,		/* rc 6 */
};

struct diag_entry {
	enum diag_level level;
	enum diag_class class;
	const char *file;	/* interned by the owner; may be NULL */
	unsigned line;		/* 0 = no line */
	unsigned col;		/* 1-based; 0 = unknown */
	char *msg;
};

struct diag {
	struct diag_entry *v;
	size_t n, cap;
	enum diag_class worst;
	bool missing_param;	/* keepalived exits 2 at once for these */
	bool include_failed;	/* include_check / -e failure: rc 6 */
	size_t limit;		/* stop recording after this many (0 = none) */
	size_t dropped;
};

void diag_init(struct diag *d);
void diag_free(struct diag *d);

void diag_add(struct diag *d, enum diag_level level, enum diag_class class,
	      const char *file, unsigned line, unsigned col,
	      const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Print every entry as "FILE:LINE:COL: level: message". */
void diag_print(const struct diag *d, FILE *out);

/* The exit code `keepalived -t` would give for what was recorded. */
int diag_exit_code(const struct diag *d);

size_t diag_count(const struct diag *d, enum diag_level level);

#endif
