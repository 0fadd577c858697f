/* reader.c - keepalived.conf meta-syntax, from files to logical lines.
 *
 * Order of work on each physical line, as keepalived 2.2.7 does it:
 *   1. `@id` / `@^id` conditional prefix
 *   2. comments (`#`, `!` outside double quotes; `\#`, `\!` literal)
 *   3. `$NAME=value` definitions (and the start of multi-line ones)
 *   4. `~SEQ(...)`, `~SEQx(...)`, `~LST(...)` generators
 *   5. `$NAME` / `${NAME}` substitution, then comments again
 *   6. `include` and its variants
 *   7. split at braces, then into words
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cf_reader.h"

#define MAX_DEPTH 32		/* include nesting and expansion recursion */
#define MAX_SUBST_ROUNDS 32	/* late-bound recursive definitions */
#define MAX_EXPANDED_LINE 65536
#define DEFAULT_MAX_LINES 4000000

struct def {
	char *name;
	char *value;		/* single-line value */
	char **lines;		/* multi-line value */
	size_t nlines;
	bool multiline;
};

struct rd {
	const struct cf_reader_opts *o;
	struct strpool *pool;
	struct cf_lines *out;
	struct diag *d;

	struct def *defs;
	size_t ndefs, capdefs;
	struct def *collecting;	/* multi-line definition being read */

	char config_id[256];
	uint64_t rng;
	unsigned include_check;
	int depth;
	size_t max_lines;
	bool overflow;

	/* position of the physical line being processed */
	const char *file;
	const char *dir;	/* directory of FILE, for includes and ${_PWD} */
	unsigned lineno;
};

/* ---- small string helpers ------------------------------------------- */

static bool
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static char *
skip_blanks(char *s)
{
	while (is_blank((unsigned char)*s))
		s++;
	return s;
}

static void
rtrim(char *s)
{
	size_t n = strlen(s);
	while (n && is_blank((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

static bool
is_name_start(int c)
{
	return isalpha(c) || c == '_';
}

static bool
is_name_char(int c)
{
	return isalnum(c) || c == '_';
}

struct buf {
	char *p;
	size_t n, cap;
};

static void
buf_putn(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 128;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			abort();
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void
buf_puts(struct buf *b, const char *s)
{
	buf_putn(b, s, strlen(s));
}

static void
buf_putc(struct buf *b, char c)
{
	buf_putn(b, &c, 1);
}

/* ---- diagnostics ------------------------------------------------------ */

#define rd_diag(r, lvl, cls, ...) \
	diag_add((r)->d, (lvl), (cls), (r)->file, (r)->lineno, 0, __VA_ARGS__)

/* ---- definitions ------------------------------------------------------ */

static struct def *
def_find(struct rd *r, const char *name, size_t len)
{
	for (size_t i = 0; i < r->ndefs; i++)
		if (strlen(r->defs[i].name) == len &&
		    !memcmp(r->defs[i].name, name, len))
			return &r->defs[i];
	return NULL;
}

static void
def_clear(struct def *d)
{
	free(d->value);
	for (size_t i = 0; i < d->nlines; i++)
		free(d->lines[i]);
	free(d->lines);
	d->value = NULL;
	d->lines = NULL;
	d->nlines = 0;
	d->multiline = false;
}

static struct def *
def_set(struct rd *r, const char *name, size_t len, const char *value)
{
	struct def *d = def_find(r, name, len);
	if (!d) {
		if (r->ndefs == r->capdefs) {
			size_t cap = r->capdefs ? r->capdefs * 2 : 16;
			struct def *v = realloc(r->defs, cap * sizeof(*v));
			if (!v)
				abort();
			r->defs = v;
			r->capdefs = cap;
		}
		d = &r->defs[r->ndefs++];
		memset(d, 0, sizeof(*d));
		d->name = strndup(name, len);
		if (!d->name)
			abort();
	} else {
		def_clear(d);
	}
	if (value) {
		d->value = strdup(value);
		if (!d->value)
			abort();
	}
	return d;
}

static void
def_append_line(struct def *d, const char *line)
{
	char **v = realloc(d->lines, (d->nlines + 1) * sizeof(*v));
	if (!v)
		abort();
	d->lines = v;
	d->lines[d->nlines] = strdup(line);
	if (!d->lines[d->nlines])
		abort();
	d->nlines++;
}

static void
defs_free(struct rd *r)
{
	for (size_t i = 0; i < r->ndefs; i++) {
		def_clear(&r->defs[i]);
		free(r->defs[i].name);
	}
	free(r->defs);
}

/*
 * `$NAME=value`: NAME immediately followed by '='.  Returns true if TEXT is
 * a definition (and records it).
 */
static bool
try_definition(struct rd *r, char *text)
{
	char *p = text + 1;
	if (!is_name_start((unsigned char)*p))
		return false;
	char *name = p;
	while (is_name_char((unsigned char)*p))
		p++;
	if (*p != '=')
		return false;
	size_t len = (size_t)(p - name);
	char *value = skip_blanks(p + 1);
	rtrim(value);
	size_t vlen = strlen(value);
	if (vlen && value[vlen - 1] == '\\') {
		/* a trailing '\' starts a multi-line definition; text before it
		 * is its first line */
		value[vlen - 1] = '\0';
		rtrim(value);
		struct def *d = def_set(r, name, len, NULL);
		d->multiline = true;
		if (*value)
			def_append_line(d, value);
		r->collecting = d;
		return true;
	}
	def_set(r, name, len, value);
	return true;
}

/* ---- comments --------------------------------------------------------- */

/* Remove comments in place: '#' or '!' outside double quotes. */
static void
decomment(char *s)
{
	bool quoted = false;
	char *w = s;
	for (char *p = s; *p; p++) {
		if (*p == '"') {
			quoted = !quoted;
		} else if (!quoted && *p == '\\' && (p[1] == '#' || p[1] == '!')) {
			p++;
		} else if (!quoted && (*p == '#' || *p == '!')) {
			break;
		}
		*w++ = *p;
	}
	*w = '\0';
}

/* ---- substitution ----------------------------------------------------- */

static unsigned
rng_next(struct rd *r)
{
	r->rng = r->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(r->rng >> 33);
}

/* ${_RANDOM [MIN [MAX]]}: default range 0..32767, as keepalived. */
static bool
expand_random(struct rd *r, const char *args, struct buf *b)
{
	long lo = 0, hi = 32767;
	char *end;
	const char *p = args;
	while (is_blank((unsigned char)*p))
		p++;
	if (*p) {
		lo = strtol(p, &end, 10);
		if (end == p)
			return false;
		p = end;
		while (is_blank((unsigned char)*p))
			p++;
		if (*p) {
			hi = strtol(p, &end, 10);
			if (end == p)
				return false;
		}
	}
	if (hi < lo)
		return false;
	unsigned long span = (unsigned long)(hi - lo) + 1;
	char num[32];
	snprintf(num, sizeof(num), "%ld", lo + (long)(rng_next(r) % span));
	buf_puts(b, num);
	return true;
}

static bool
expand_builtin(struct rd *r, const char *name, size_t len, const char *args,
	       struct buf *b)
{
#define IS(lit) (len == sizeof(lit) - 1 && !memcmp(name, lit, len))
	if (IS("_RANDOM"))
		return expand_random(r, args, b);
	if (*args)
		return false;
	if (IS("_PWD")) {
		buf_puts(b, r->dir);
		return true;
	}
	if (IS("_INSTANCE")) {
		buf_puts(b, r->config_id);
		return true;
	}
	if (IS("_HASH")) {
		buf_putc(b, '#');
		return true;
	}
	if (IS("_BANG")) {
		buf_putc(b, '!');
		return true;
	}
	return false;
#undef IS
}

static void
put_def_value(const struct def *d, struct buf *b)
{
	if (!d->multiline) {
		buf_puts(b, d->value ? d->value : "");
		return;
	}
	for (size_t i = 0; i < d->nlines; i++) {
		if (i)
			buf_putc(b, ' ');
		buf_puts(b, d->lines[i]);
	}
}

/* One pass of substitution.  Returns true if anything changed. */
static bool
subst_once(struct rd *r, const char *s, struct buf *b)
{
	bool changed = false;
	b->n = 0;
	buf_puts(b, "");
	for (const char *p = s; *p;) {
		if (*p != '$') {
			buf_putc(b, *p++);
			continue;
		}
		if (p[1] == '{') {
			const char *close = strchr(p + 2, '}');
			if (close) {
				const char *name = p + 2, *q = name;
				while (q < close && !is_blank((unsigned char)*q))
					q++;
				size_t len = (size_t)(q - name);
				char args[256] = "";
				size_t alen = (size_t)(close - q);
				if (alen < sizeof(args)) {
					memcpy(args, q, alen);
					args[alen] = '\0';
				}
				struct def *d = q == close ? def_find(r, name, len) : NULL;
				if (d) {
					put_def_value(d, b);
					changed = true;
					p = close + 1;
					continue;
				}
				if (len && name[0] == '_' &&
				    expand_builtin(r, name, len, args, b)) {
					changed = true;
					p = close + 1;
					continue;
				}
			}
			buf_putc(b, *p++);
			continue;
		}
		const char *name = p + 1, *q = name;
		if (is_name_start((unsigned char)*q))
			while (is_name_char((unsigned char)*q))
				q++;
		size_t len = (size_t)(q - name);
		struct def *d = len ? def_find(r, name, len) : NULL;
		if (d && (*q == '\0' || *q == ' ' || *q == '\t' || *q == ',' ||
			  *q == ')' || *q == '\r')) {
			put_def_value(d, b);
			changed = true;
			p = q;
			continue;
		}
		buf_putc(b, *p++);
	}
	return changed;
}

/* ---- output ----------------------------------------------------------- */

static void emit_segment(struct rd *r, const char *seg, size_t len,
			 unsigned col, const char *whole);

static void
push_line(struct rd *r, char **w, unsigned *col, unsigned n, const char *text)
{
	struct cf_lines *o = r->out;
	if (o->n >= r->max_lines) {
		if (!r->overflow)
			rd_diag(r, DIAG_ERROR, DC_FATAL,
				"configuration expands to more than %zu lines - stopping",
				r->max_lines);
		r->overflow = true;
		return;
	}
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 256;
		struct cf_line *v = realloc(o->v, cap * sizeof(*v));
		if (!v)
			abort();
		o->v = v;
		o->cap = cap;
	}
	o->v[o->n++] = (struct cf_line){
		.w = w, .col = col, .n = n,
		.text = strpool_dup(r->pool, text),
		.file = r->file, .lineno = r->lineno,
	};
}

/* Split TEXT at braces outside quotes; each piece becomes a logical line. */
static void
emit(struct rd *r, const char *text, unsigned base_col)
{
	bool quoted = false;
	const char *start = text;
	for (const char *p = text;; p++) {
		if (*p == '"')
			quoted = !quoted;
		if (*p == '\0' || (!quoted && (*p == '{' || *p == '}'))) {
			emit_segment(r, start, (size_t)(p - start),
				     base_col + (unsigned)(start - text), text);
			if (*p == '\0')
				break;
			char *w = strpool_ndup(r->pool, p, 1);
			char **wv = strpool_alloc(r->pool, sizeof(char *));
			unsigned *cv = strpool_alloc(r->pool, sizeof(unsigned));
			wv[0] = w;
			cv[0] = base_col + (unsigned)(p - text);
			r->out->open_braces += *p == '{' ? 1 : -1;
			if (r->out->open_braces < 0) {
				rd_diag(r, DIAG_ERROR, DC_GENERAL, "Extra '}' found");
				r->out->open_braces = 0;
			}
			push_line(r, wv, cv, 1, w);
			start = p + 1;
		}
	}
}

static void
emit_segment(struct rd *r, const char *seg, size_t len, unsigned col,
	     const char *whole)
{
	char *s = strpool_ndup(r->pool, seg, len);
	char *p = s;
	/* count words first, to size the vectors exactly */
	char *words[512];
	unsigned cols[512];
	unsigned n = 0;
	while (*p) {
		while (is_blank((unsigned char)*p))
			p++;
		if (!*p)
			break;
		char *w;
		unsigned wc = col + (unsigned)(p - s);
		if (*p == '"') {
			char *close = strchr(p + 1, '"');
			if (!close) {
				rd_diag(r, DIAG_ERROR, DC_GENERAL,
					"Unterminated quote '%s'", whole);
				rd_diag(r, DIAG_ERROR, DC_GENERAL,
					"Unmatched quote: '%s'", skip_blanks(s));
				break;
			}
			*close = '\0';
			w = p + 1;
			p = close + 1;
		} else {
			w = p;
			while (*p && !is_blank((unsigned char)*p) && *p != '"')
				p++;
			if (*p == '"') {
				/* a quote ends the word and opens the next */
				size_t wl = (size_t)(p - w);
				w = strpool_ndup(r->pool, w, wl);
			} else if (*p) {
				*p++ = '\0';
			}
		}
		if (n < sizeof(words) / sizeof(words[0])) {
			words[n] = w;
			cols[n] = wc;
			n++;
		}
	}
	if (!n)
		return;
	char **wv = strpool_alloc(r->pool, n * sizeof(char *));
	unsigned *cv = strpool_alloc(r->pool, n * sizeof(unsigned));
	memcpy(wv, words, n * sizeof(char *));
	memcpy(cv, cols, n * sizeof(unsigned));
	char *text = strpool_ndup(r->pool, seg, len);
	rtrim(text);
	push_line(r, wv, cv, n, skip_blanks(text));
}

/* ---- include ---------------------------------------------------------- */

static int read_file(struct rd *r, const char *shown, const char *path);

static const struct {
	const char *word;
	unsigned check;
} include_words[] = {
	{ "include", 0 },
	{ "includer", CF_INC_READ },
	{ "includem", CF_INC_MATCH },
	{ "includew", CF_INC_WILDCARD },
	{ "includeb", CF_INC_BRACE },
	{ "includea", CF_INC_ALL },
};

static bool
has_wildcard(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* Does the directory part of PATTERN exist (ignoring wildcards in it)? */
static bool
pattern_dir_exists(const char *full)
{
	const char *slash = strrchr(full, '/');
	if (!slash)
		return true;
	char dir[PATH_MAX];
	size_t n = (size_t)(slash - full);
	if (n == 0)
		return true;
	if (n >= sizeof(dir))
		return false;
	memcpy(dir, full, n);
	dir[n] = '\0';
	if (has_wildcard(dir) || strchr(dir, '{'))
		return true;
	struct stat st;
	return stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
}

/* How many brace alternatives of PATTERN name files that don't exist. */
static size_t
brace_missing(const char *full)
{
	glob_t g;
	size_t missing = 0;
	if (!strchr(full, '{'))
		return 0;
	/* GLOB_NOCHECK keeps alternatives that match nothing */
	if (glob(full, GLOB_BRACE | GLOB_NOCHECK, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct stat st;
		if (!has_wildcard(g.gl_pathv[i]) && stat(g.gl_pathv[i], &st))
			missing++;
	}
	globfree(&g);
	return missing;
}

static void
include_failed(struct rd *r)
{
	r->d->include_failed = true;
}

static void
do_include(struct rd *r, unsigned check, const char *pattern)
{
	if (!*pattern) {
		rd_diag(r, DIAG_ERROR, DC_GENERAL, "include directive without a file name");
		return;
	}
	if (r->depth >= MAX_DEPTH) {
		rd_diag(r, DIAG_ERROR, DC_FATAL,
			"include nesting deeper than %d levels - skipping '%s'",
			MAX_DEPTH, pattern);
		return;
	}
	check |= r->include_check;

	struct buf full = { 0 };
	size_t prefix = 0;
	if (pattern[0] != '/' && strcmp(r->dir, ".")) {
		buf_puts(&full, r->dir);
		buf_putc(&full, '/');
		prefix = full.n;
	}
	buf_puts(&full, pattern);

	glob_t g;
	int rc = glob(full.p, GLOB_BRACE | GLOB_MARK, NULL, &g);
	if (rc != 0 || g.gl_pathc == 0) {
		if (rc == 0)
			globfree(&g);
		bool dir_ok = pattern_dir_exists(full.p);
		if (!has_wildcard(pattern) || !dir_ok) {
			rd_diag(r, DIAG_WARNING, DC_NONE,
				"Config files missing '%s'.", pattern);
			if (check & (CF_INC_MATCH | CF_INC_WILDCARD) ||
			    (strchr(pattern, '{') && check & CF_INC_BRACE))
				include_failed(r);
		} else if (check & CF_INC_WILDCARD) {
			rd_diag(r, DIAG_WARNING, DC_NONE,
				"No config files matched '%s'.", pattern);
			include_failed(r);
		}
		free(full.p);
		return;
	}
	if (brace_missing(full.p)) {
		rd_diag(r, DIAG_WARNING, DC_NONE,
			"Some config files missing: \"%s\".", pattern);
		if (check & CF_INC_BRACE)
			include_failed(r);
	}

	const char *saved_file = r->file, *saved_dir = r->dir;
	unsigned saved_line = r->lineno, saved_check = r->include_check;
	r->depth++;
	for (size_t i = 0; i < g.gl_pathc && !r->overflow; i++) {
		const char *path = g.gl_pathv[i];
		const char *shown = strlen(path) >= prefix ? path + prefix : path;
		size_t pl = strlen(path);
		if (pl && path[pl - 1] == '/') {
			rd_diag(r, DIAG_WARNING, DC_NONE,
				"Configuration file '%s' is a directory - skipping",
				shown);
			continue;
		}
		struct stat st;
		if (stat(path, &st) || !S_ISREG(st.st_mode) ||
		    (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))) {
			rd_diag(r, DIAG_WARNING, DC_NONE,
				"Configuration file '%s' is not a regular non-executable file - skipping",
				shown);
			continue;
		}
		if (read_file(r, strpool_dup(r->pool, shown), path) < 0 &&
		    check & CF_INC_READ)
			include_failed(r);
		r->file = saved_file;
		r->dir = saved_dir;
		r->lineno = saved_line;
		r->include_check = saved_check;
	}
	r->depth--;
	globfree(&g);
	free(full.p);
}

static bool
try_include(struct rd *r, char *text)
{
	for (size_t i = 0; i < sizeof(include_words) / sizeof(include_words[0]); i++) {
		size_t n = strlen(include_words[i].word);
		if (!strncmp(text, include_words[i].word, n) &&
		    (text[n] == '\0' || is_blank((unsigned char)text[n]))) {
			do_include(r, include_words[i].check, skip_blanks(text + n));
			return true;
		}
	}
	return false;
}

/* ---- ~SEQ / ~LST ------------------------------------------------------ */

static void process_line(struct rd *r, const char *line, int depth);

/* Split "a, b, {c,d}" at top-level commas; trims each piece. */
static size_t
split_args(char *s, char **out, size_t max)
{
	size_t n = 0;
	int brace = 0;
	char *start = s;
	for (char *p = s;; p++) {
		if (*p == '{')
			brace++;
		else if (*p == '}')
			brace--;
		if (*p == '\0' || (*p == ',' && brace == 0)) {
			bool end = *p == '\0';
			*p = '\0';
			char *a = skip_blanks(start);
			rtrim(a);
			if (n < max)
				out[n++] = a;
			if (end)
				break;
			start = p + 1;
		}
	}
	return n;
}

static bool
parse_long(const char *s, long *v)
{
	char *end;
	errno = 0;
	*v = strtol(s, &end, 0);
	return *s && !*end && !errno;
}

static void
set_var(struct rd *r, const char *name, const char *value)
{
	def_set(r, name, strlen(name), value);
}

static void
expand_seq(struct rd *r, char *args, const char *rest, bool hex, int depth,
	   const char *orig)
{
	char *a[5];
	size_t n = split_args(args, a, 5);
	long start, step, end;
	bool ok = n >= 2 && n <= 4 && *a[0];
	if (ok && n == 2) {
		ok = parse_long(a[1], &end);
		start = end < 0 ? -1 : 1;
		step = end < 0 ? -1 : 1;
	} else if (ok && n == 3) {
		ok = parse_long(a[1], &start) && parse_long(a[2], &end);
		step = end < start ? -1 : 1;
	} else if (ok) {
		ok = parse_long(a[1], &start) && parse_long(a[2], &step) &&
		     parse_long(a[3], &end);
	}
	if (ok)
		ok = step != 0 && !(step > 0 && end < start) &&
		     !(step < 0 && end > start);
	if (ok && hex)
		ok = start >= 0 && end >= 0;
	if (!ok) {
		rd_diag(r, DIAG_ERROR, DC_GENERAL, "Invalid ~SEQ specification '%s'", orig);
		return;
	}
	for (long v = start; step > 0 ? v <= end : v >= end; v += step) {
		if (r->overflow)
			return;
		char num[32];
		snprintf(num, sizeof(num), hex ? "%lx" : "%ld", v);
		set_var(r, a[0], num);
		process_line(r, rest, depth + 1);
		if ((step > 0 && v > LONG_MAX - step) || (step < 0 && v < LONG_MIN - step))
			break;
	}
}

static void
expand_lst(struct rd *r, char *args, const char *rest, int depth,
	   const char *orig)
{
	char *a[256];
	size_t n = split_args(args, a, 256);
	if (n < 2 || !*a[0]) {
		rd_diag(r, DIAG_ERROR, DC_GENERAL, "Invalid ~LST specification '%s'", orig);
		return;
	}
	char *vars[16];
	size_t nv = 1;
	char varbuf[512];
	if (a[0][0] == '{') {
		snprintf(varbuf, sizeof(varbuf), "%s", a[0] + 1);
		char *close = strchr(varbuf, '}');
		if (close)
			*close = '\0';
		nv = split_args(varbuf, vars, 16);
	} else {
		vars[0] = a[0];
	}
	for (size_t i = 1; i < n && !r->overflow; i++) {
		char valbuf[1024];
		char *vals[16] = { 0 };
		size_t nvals;
		if (a[i][0] == '{') {
			snprintf(valbuf, sizeof(valbuf), "%s", a[i] + 1);
			char *close = strrchr(valbuf, '}');
			if (close)
				*close = '\0';
			nvals = split_args(valbuf, vals, 16);
		} else {
			vals[0] = a[i];
			nvals = 1;
		}
		for (size_t v = 0; v < nv; v++)
			set_var(r, vars[v], v < nvals ? vals[v] : "");
		process_line(r, rest, depth + 1);
	}
}

/* TEXT starts with '~': a generator.  Returns true if handled. */
static bool
try_generator(struct rd *r, char *text, int depth)
{
	bool hex = false, lst = false;
	char *p;
	if (!strncmp(text, "~SEQx", 5)) {
		hex = true;
		p = text + 5;
	} else if (!strncmp(text, "~SEQ", 4)) {
		p = text + 4;
	} else if (!strncmp(text, "~LST", 4)) {
		lst = true;
		p = text + 4;
	} else {
		return false;
	}
	/* keepalived skips blanks before the '(' */
	p = skip_blanks(p);
	if (*p != '(') {
		rd_diag(r, DIAG_ERROR, DC_GENERAL, "Invalid %s specification '%s'",
			lst ? "~LST" : "~SEQ", text);
		return true;
	}
	p++;
	/* find the matching ')' (braces in ~LST may hold commas) */
	int brace = 0;
	char *close = NULL;
	for (char *q = p; *q; q++) {
		if (*q == '{')
			brace++;
		else if (*q == '}')
			brace--;
		else if (*q == ')' && brace <= 0) {
			close = q;
			break;
		}
	}
	if (!close) {
		rd_diag(r, DIAG_ERROR, DC_GENERAL, "Invalid %s specification '%s'",
			lst ? "~LST" : "~SEQ", text);
		return true;
	}
	char *orig = strdup(text);
	if (!orig)
		abort();
	*close = '\0';
	char *rest = skip_blanks(close + 1);
	if (lst)
		expand_lst(r, p, rest, depth, orig);
	else
		expand_seq(r, p, rest, hex, depth, orig);
	free(orig);
	return true;
}

/* ---- the per-line pipeline ------------------------------------------- */

/* `$NAME` or `${NAME}` alone: returns the multi-line definition, if any. */
static struct def *
whole_line_multiline(struct rd *r, const char *text)
{
	if (text[0] != '$')
		return NULL;
	const char *name = text + 1, *end;
	if (*name == '{') {
		name++;
		end = strchr(name, '}');
		if (!end || end[1])
			return NULL;
	} else {
		end = name;
		while (is_name_char((unsigned char)*end))
			end++;
		if (*end)
			return NULL;
	}
	struct def *d = def_find(r, name, (size_t)(end - name));
	return d && d->multiline ? d : NULL;
}

static bool
conditional_keeps(struct rd *r, char **textp)
{
	char *p = *textp + 1;
	bool negate = false;
	if (*p == '^') {
		negate = true;
		p++;
	}
	char *id = p;
	while (*p && !is_blank((unsigned char)*p))
		p++;
	size_t len = (size_t)(p - id);
	bool match = strlen(r->config_id) == len && !memcmp(r->config_id, id, len);
	*textp = skip_blanks(p);
	return match != negate;
}

static void
process_line(struct rd *r, const char *line, int depth)
{
	if (depth > MAX_DEPTH) {
		rd_diag(r, DIAG_ERROR, DC_GENERAL,
			"definitions nest deeper than %d levels - line ignored",
			MAX_DEPTH);
		return;
	}
	if (r->overflow)
		return;

	char *copy = strdup(line);
	if (!copy)
		abort();
	char *text = skip_blanks(copy);
	unsigned base_col = 1 + (unsigned)(text - copy);

	if (*text == '@') {
		char *before = text;
		if (!conditional_keeps(r, &text) || !*text)
			goto out;
		base_col += (unsigned)(text - before);
	}
	decomment(text);
	rtrim(text);
	if (!*text)
		goto out;

	if (*text == '$' && try_definition(r, text))
		goto out;

	if (*text == '~' && try_generator(r, text, depth))
		goto out;

	if (strchr(text, '$')) {
		struct def *ml = whole_line_multiline(r, text);
		if (ml) {
			/* copy: the definition may be redefined while expanding */
			size_t n = ml->nlines;
			char **lines = calloc(n ? n : 1, sizeof(char *));
			if (!lines)
				abort();
			for (size_t i = 0; i < n; i++)
				lines[i] = strdup(ml->lines[i]);
			for (size_t i = 0; i < n; i++) {
				if (lines[i])
					process_line(r, lines[i], depth + 1);
				free(lines[i]);
			}
			free(lines);
			goto out;
		}
		struct buf a = { 0 }, b = { 0 };
		bool changed = false;
		buf_puts(&a, text);
		for (int round = 0; round < MAX_SUBST_ROUNDS; round++) {
			if (!subst_once(r, a.p, &b))
				break;
			if (b.n > MAX_EXPANDED_LINE) {
				rd_diag(r, DIAG_ERROR, DC_GENERAL,
					"definitions expand to a line longer than %d bytes - line ignored",
					MAX_EXPANDED_LINE);
				free(a.p);
				free(b.p);
				goto out;
			}
			changed = true;
			struct buf t = a;
			a = b;
			b = t;
		}
		free(b.p);
		if (changed) {
			decomment(a.p);
			rtrim(a.p);
			char *t = skip_blanks(a.p);
			if (*t == '@' || *t == '~' ||
			    (*t == '$' && whole_line_multiline(r, t))) {
				process_line(r, t, depth + 1);
				free(a.p);
				goto out;
			}
			free(copy);
			copy = strdup(t);
			free(a.p);
			if (!copy)
				abort();
			text = copy;
			if (!*text)
				goto out;
		} else {
			free(a.p);
		}
	}

	if (!strncmp(text, "include", 7) && !r->o->no_include &&
	    try_include(r, text))
		goto out;

	emit(r, text, base_col);
out:
	free(copy);
}

/* Lines of a multi-line definition end in '\'; the first that doesn't
 * (or an empty line) ends it. */
static void
collect_multiline(struct rd *r, char *line)
{
	rtrim(line);
	char *t = skip_blanks(line);
	if (!*t) {
		r->collecting = NULL;
		return;
	}
	size_t n = strlen(line);
	if (line[n - 1] == '\\') {
		line[n - 1] = '\0';
		rtrim(line);
		def_append_line(r->collecting, line);
		return;
	}
	def_append_line(r->collecting, line);
	r->collecting = NULL;
}

static void
process_buffer(struct rd *r, char *buf, size_t len)
{
	char *p = buf, *end = buf + len;
	r->lineno = 0;
	while (p < end && !r->overflow) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *next = nl ? nl + 1 : end;
		if (nl)
			*nl = '\0';
		else
			*end = '\0';
		r->lineno++;
		/* NUL bytes end the line, as with fgets-based readers */
		if (r->collecting)
			collect_multiline(r, p);
		else
			process_line(r, p, 0);
		p = next;
	}
	r->collecting = NULL;
}

static char *
dir_of(struct rd *r, const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strpool_dup(r->pool, ".");
	if (slash == path)
		return strpool_dup(r->pool, "/");
	return strpool_ndup(r->pool, path, (size_t)(slash - path));
}

static int
read_file(struct rd *r, const char *shown, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	struct buf b = { 0 };
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_putn(&b, chunk, n);
	fclose(f);
	buf_puts(&b, "");
	r->file = shown;
	r->dir = dir_of(r, path);
	r->out->nfiles++;
	process_buffer(r, b.p, b.n);
	free(b.p);
	return 0;
}

/* ---- entry points ----------------------------------------------------- */

static void
rd_init(struct rd *r, const struct cf_reader_opts *opts, struct strpool *pool,
	struct cf_lines *out, struct diag *d)
{
	static const struct cf_reader_opts none;
	memset(r, 0, sizeof(*r));
	r->o = opts ? opts : &none;
	r->pool = pool;
	r->out = out;
	r->d = d;
	r->include_check = r->o->include_check;
	r->max_lines = r->o->max_lines ? r->o->max_lines : DEFAULT_MAX_LINES;
	r->rng = r->o->have_seed ? r->o->random_seed : (uint64_t)time(NULL);
	if (r->o->config_id) {
		snprintf(r->config_id, sizeof(r->config_id), "%s", r->o->config_id);
	} else {
		struct utsname u;
		if (uname(&u) == 0) {
			snprintf(r->config_id, sizeof(r->config_id), "%s", u.nodename);
			char *dot = strchr(r->config_id, '.');
			if (dot)
				*dot = '\0';
		}
	}
	memset(out, 0, sizeof(*out));
}

int
cf_read(const char *path, const struct cf_reader_opts *opts,
	struct strpool *pool, struct cf_lines *out, struct diag *d)
{
	struct rd r;
	rd_init(&r, opts, pool, out, d);
	r.file = strpool_dup(pool, path);
	int rc = read_file(&r, r.file, path);
	if (rc < 0)
		diag_add(d, DIAG_WARNING, DC_NONE, NULL, 0, 0,
			 "Config files missing '%s'.", path);
	defs_free(&r);
	return rc;
}

int
cf_read_buffer(const char *name, const char *buf, size_t len,
	       const struct cf_reader_opts *opts, struct strpool *pool,
	       struct cf_lines *out, struct diag *d)
{
	struct rd r;
	rd_init(&r, opts, pool, out, d);
	char *copy = malloc(len + 1);
	if (!copy)
		abort();
	memcpy(copy, buf, len);
	copy[len] = '\0';
	r.file = strpool_dup(pool, name);
	r.dir = ".";
	out->nfiles = 1;
	process_buffer(&r, copy, len);
	free(copy);
	defs_free(&r);
	return 0;
}

void
cf_lines_free(struct cf_lines *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}
