/* cf_reader.h - keepalived.conf meta-syntax: turns files into logical lines.
 *
 * Handles comments, quoting, brace splitting, `include` (glob, relative to
 * the including file), `@id`/`@^id` conditional lines, `$NAME=value`
 * definitions (also multi-line), `${_RANDOM ...}` and friends, and the
 * `~SEQ`/`~SEQx`/`~LST` generators.  The result is a flat array of lines,
 * each a vector of words that remembers its file and line number.
 */
#ifndef VIGIL_CF_READER_H
#define VIGIL_CF_READER_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "strpool.h"

/* include_check levels, as keepalived names them */
enum cf_include_check {
	CF_INC_READ = 1 << 0,
	CF_INC_MATCH = 1 << 1,
	CF_INC_WILDCARD = 1 << 2,
	CF_INC_BRACE = 1 << 3,
	CF_INC_ALL = 0xf,
};

struct cf_line {
	char **w;		/* words, quotes removed */
	unsigned *col;		/* 1-based column of each word */
	unsigned n;
	char *text;		/* the logical line as text, for script keywords */
	const char *file;	/* interned path as written */
	unsigned lineno;
};

struct cf_lines {
	struct cf_line *v;
	size_t n, cap;
	unsigned nfiles;	/* distinct files read */
	int open_braces;	/* '{' minus '}' over everything read */
};

struct cf_reader_opts {
	const char *config_id;	/* for @id lines; NULL = hostname up to '.' */
	unsigned include_check;	/* CF_INC_* bits; -e sets all */
	unsigned random_seed;
	bool have_seed;
	size_t max_lines;	/* safety cap on generated lines (0 = default) */
	bool no_include;	/* ignore include lines (fuzzing) */
};

/*
 * Read PATH and everything it includes.  Problems are reported to D with
 * keepalived's wording.  Returns 0, or -1 if PATH itself could not be read
 * (already reported).
 */
int cf_read(const char *path, const struct cf_reader_opts *opts,
	    struct strpool *pool, struct cf_lines *out, struct diag *d);

/* Same, but from a buffer that stands for a file called NAME. */
int cf_read_buffer(const char *name, const char *buf, size_t len,
		   const struct cf_reader_opts *opts, struct strpool *pool,
		   struct cf_lines *out, struct diag *d);

void cf_lines_free(struct cf_lines *l);

/*
 * Split a script-type value the way keepalived's shell-like tokenizer does:
 * '…' and "…" quote, backslash escapes.  Returns a NULL-terminated argv
 * allocated in one block (free() it), or NULL with *err set.
 */
char **cf_split_command(const char *s, int *argc, const char **err);

#endif
