/* parse.c - walk logical lines through the keyword tables into the model.
 *
 * Block structure follows keepalived: a block keyword wants '{' (on its
 * line or the next), an unknown keyword's '{' is ignored so its contents
 * land in the enclosing block, and a value block ends at the first '}'.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

/* ---- diagnostics ------------------------------------------------------ */

static void
vdiag(struct pctx *pc, enum diag_level lvl, enum diag_class cls,
      const struct cf_line *ln, unsigned word, const char *fmt, va_list ap)
{
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	unsigned col = 0;
	if (ln && ln->n)
		col = word < ln->n ? ln->col[word] : ln->col[ln->n - 1] +
			(unsigned)strlen(ln->w[ln->n - 1]);
	diag_add(pc->d, lvl, cls, ln ? ln->file : NULL, ln ? ln->lineno : 0, col,
		 "%s", msg);
	free(msg);
}

void
pc_err(struct pctx *pc, const struct cf_line *ln, unsigned word,
       enum diag_class cls, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(pc, DIAG_ERROR, cls, ln, word, fmt, ap);
	va_end(ap);
}

void
pc_warn(struct pctx *pc, const struct cf_line *ln, unsigned word,
	enum diag_class cls, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(pc, DIAG_WARNING, cls, ln, word, fmt, ap);
	va_end(ap);
}

void
pc_note(struct pctx *pc, const struct cf_line *ln, unsigned word,
	const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(pc, DIAG_NOTE, DC_NONE, ln, word, fmt, ap);
	va_end(ap);
}

void
pc_global(struct pctx *pc, enum diag_level lvl, enum diag_class cls,
	  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(pc, lvl, cls, NULL, 0, fmt, ap);
	va_end(ap);
}

const char *
pc_arg(struct pctx *pc, const struct cf_line *ln, unsigned i)
{
	if (i < ln->n)
		return ln->w[i];
	pc_err(pc, ln, i, DC_GENERAL,
	       "*** Configuration line starting `%s` is missing a parameter after keyword `%s` at word position %u",
	       ln->w[0], ln->w[i - 1], i + 1);
	pc->d->missing_param = true;
	return NULL;
}

struct cf_loc
pc_loc(const struct cf_line *ln)
{
	return (struct cf_loc){ .file = ln ? ln->file : NULL,
				.line = ln ? ln->lineno : 0 };
}

char *
pc_strdup(struct pctx *pc, const char *s)
{
	return s ? strpool_dup(&pc->m->pool, s) : NULL;
}

/* Arrays grow in the pool: capacity doubles at powers of two. */
void *
pc_push(struct pctx *pc, void **arr, size_t *n, size_t elem)
{
	size_t cnt = *n;
	if (cnt == 0 || (cnt >= 4 && !(cnt & (cnt - 1)))) {
		size_t cap = cnt ? cnt * 2 : 4;
		void *v = strpool_alloc(&pc->m->pool, cap * elem);
		if (cnt)
			memcpy(v, *arr, cnt * elem);
		*arr = v;
	}
	void *slot = (char *)*arr + cnt * elem;
	memset(slot, 0, elem);
	(*n)++;
	return slot;
}

/* ---- values ----------------------------------------------------------- */

/*
 * keepalived's read_int: decimal only, the whole word must be a number;
 * messages "invalid number", "negative number", "outside range".
 */
bool
pc_int(struct pctx *pc, const struct cf_line *ln, unsigned i, long long min,
       long long max, long long *out)
{
	const char *s = pc_arg(pc, ln, i);
	if (!s)
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end) {
		pc_err(pc, ln, i, DC_GENERAL, "invalid number '%s'", s);
		return false;
	}
	if (errno == ERANGE) {
		pc_err(pc, ln, i, DC_GENERAL, "number '%s' outside integer range", s);
		return false;
	}
	if (v < 0 && min >= 0) {
		pc_err(pc, ln, i, DC_GENERAL, "negative number '%s'", s);
		return false;
	}
	if (v < min || v > max) {
		pc_err(pc, ln, i, DC_GENERAL, "number '%s' outside range [%lld, %lld]",
		       s, min, max);
		return false;
	}
	*out = v;
	return true;
}

bool
pc_uint(struct pctx *pc, const struct cf_line *ln, unsigned i, uint32_t min, uint32_t max,
	uint32_t *out)
{
	const char *s = i < ln->n ? ln->w[i] : NULL;	/* pc_int reports a missing one */
	if (s && *s && strspn(s, "0123456789") == strlen(s) &&
	    (strlen(s) > 10 || strtoull(s, NULL, 10) > UINT32_MAX)) {
		pc_err(pc, ln, i, DC_GENERAL, "number '%s' outside unsigned integer range", s);
		return false;
	}
	long long v;
	if (!pc_int(pc, ln, i, min, max, &v))
		return false;
	*out = (uint32_t)v;
	return true;
}

bool
pc_user_known(const char *user, const char *group)
{
	return getpwnam(user) && (!group || getgrnam(group));
}

/* Decimal seconds with at most 6 decimal places, into microseconds. */
bool
pc_timer(struct pctx *pc, const struct cf_line *ln, unsigned i, uint64_t min_us,
	 uint64_t max_us, uint64_t *out)
{
	const char *s = pc_arg(pc, ln, i);
	if (!s)
		return false;
	const char *p = s;
	if (*p == '-') {
		pc_err(pc, ln, i, DC_GENERAL, "negative number '%s'", s);
		return false;
	}
	if (*p == '+')
		p++;
	uint64_t whole = 0, frac = 0;
	unsigned places = 0;
	bool digits = false;
	while (isdigit((unsigned char)*p)) {
		if (whole > UINT64_MAX / 100)
			goto range;
		whole = whole * 10 + (uint64_t)(*p++ - '0');
		digits = true;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			if (places < 6) {
				frac = frac * 10 + (uint64_t)(*p - '0');
				places++;
			} else if (places++ == 6) {
				pc_err(pc, ln, i, DC_GENERAL,
				       "number '%s' has too many decimal places", s);
			}
			p++;
			digits = true;
		}
	}
	if (!digits || *p) {
		pc_err(pc, ln, i, DC_GENERAL, "invalid number '%s'", s);
		return false;
	}
	for (unsigned k = places > 6 ? 6 : places; k < 6; k++)
		frac *= 10;
	if (whole > UINT64_MAX / 1000000 / 2)
		goto range;
	uint64_t v = whole * 1000000 + frac;
	if (v < min_us || v > max_us) {
		pc_err(pc, ln, i, DC_GENERAL, "number '%s' outside range [%llu.%06llu, %llu.%06llu]",
		       s, (unsigned long long)(min_us / 1000000),
		       (unsigned long long)(min_us % 1000000),
		       (unsigned long long)(max_us / 1000000),
		       (unsigned long long)(max_us % 1000000));
		return false;
	}
	*out = v;
	return true;
range:
	pc_err(pc, ln, i, DC_GENERAL, "number '%s' outside integer range", s);
	return false;
}

int
pc_bool(const char *s)
{
	static const char *const yes[] = { "on", "true", "yes" };
	static const char *const no[] = { "off", "false", "no" };
	for (size_t i = 0; i < 3; i++) {
		if (!strcmp(s, yes[i]))
			return 1;
		if (!strcmp(s, no[i]))
			return 0;
	}
	return -1;
}

bool
pc_addr(const char *s, struct cf_inaddr *a, uint8_t *prefix, bool *has_prefix)
{
	char buf[INET6_ADDRSTRLEN + 8];
	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	char *slash = strchr(buf, '/');
	if (has_prefix)
		*has_prefix = slash != NULL;
	if (slash) {
		if (!prefix)
			return false;
		*slash = '\0';
		char *end;
		long p = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end || p < 0 || p > 255)
			return false;
		*prefix = (uint8_t)p;
	}
	memset(a, 0, sizeof(*a));
	if (strchr(buf, ':')) {
		a->family = AF_INET6;
		return inet_pton(AF_INET6, buf, a->a) == 1;
	}
	a->family = AF_INET;
	return inet_pton(AF_INET, buf, a->a) == 1;
}

/*
 * SCRIPT [USER [GROUP]]: the raw line is re-split shell-style; the first
 * word after the keyword is the command, which is split again into argv.
 */
struct cf_script *
pc_script(struct pctx *pc, const struct cf_line *ln, unsigned first)
{
	int n;
	const char *err;
	char **words = cf_split_command(ln->text, &n, &err);
	if (!words) {
		pc_err(pc, ln, first, DC_GENERAL, "invalid script '%s': %s",
		       ln->text, err);
		return NULL;
	}
	struct cf_script *sc = NULL;
	if ((int)first >= n || !*words[first]) {
		free(words);
		(void)pc_arg(pc, ln, first < ln->n ? ln->n : first);
		return NULL;
	}
	sc = strpool_alloc(&pc->m->pool, sizeof(*sc));
	memset(sc, 0, sizeof(*sc));
	sc->cmd = pc_strdup(pc, words[first]);
	if ((int)first + 1 < n)
		sc->user = pc_strdup(pc, words[first + 1]);
	if ((int)first + 2 < n)
		sc->group = pc_strdup(pc, words[first + 2]);
	sc->loc = pc_loc(ln);
	free(words);

	int argc;
	char **argv = cf_split_command(sc->cmd, &argc, &err);
	if (!argv || argc == 0) {
		pc_err(pc, ln, first, DC_GENERAL, "invalid script '%s'%s%s", sc->cmd,
		       err ? ": " : "", err ? err : "");
		free(argv);
		return NULL;
	}
	sc->argv = strpool_alloc(&pc->m->pool, (size_t)(argc + 1) * sizeof(char *));
	for (int i = 0; i < argc; i++)
		sc->argv[i] = pc_strdup(pc, argv[i]);
	sc->argv[argc] = NULL;
	sc->argc = argc;
	free(argv);
	return sc;
}

void
pc_note_ignored(struct pctx *pc, const struct cf_line *ln)
{
	for (size_t i = 0; i < pc->nnoted; i++)
		if (!strcmp(pc->noted[i], ln->w[0]))
			return;
	const char **slot = PC_PUSH(pc, pc->noted, pc->nnoted);
	*slot = pc_strdup(pc, ln->w[0]);
	pc_note(pc, ln, 0, "'%s' is not implemented by Vigil, ignored", ln->w[0]);
}

void
pc_unsupported(struct pctx *pc, struct cf_unsupported_list *list,
	       const struct cf_line *ln)
{
	struct cf_unsupported *u = PC_PUSH(pc, list->v, list->n);
	u->keyword = pc_strdup(pc, ln->w[0]);
	u->nargs = ln->n - 1;
	u->args = strpool_alloc(&pc->m->pool, (ln->n) * sizeof(char *));
	for (unsigned i = 1; i < ln->n; i++)
		u->args[i - 1] = pc_strdup(pc, ln->w[i]);
	u->loc = pc_loc(ln);
	pc_note_ignored(pc, ln);
}

/* ---- the walker -------------------------------------------------------- */

const struct cf_line *
pc_peek(struct pctx *pc)
{
	if (pc->stop || pc->pos >= pc->lines->n)
		return NULL;
	return &pc->lines->v[pc->pos];
}

const struct cf_line *
pc_next(struct pctx *pc)
{
	const struct cf_line *ln = pc_peek(pc);
	if (ln)
		pc->pos++;
	return ln;
}

static bool
is_word(const struct cf_line *ln, const char *w)
{
	return ln && ln->n == 1 && !strcmp(ln->w[0], w);
}

static unsigned
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 99;
	unsigned prev[65], cur[65];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			unsigned del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(unsigned));
	}
	return prev[lb];
}

static const char *
did_you_mean(const struct kw_block *kb, const char *word)
{
	const char *best = NULL;
	unsigned best_d = 99;
	size_t len = strlen(word);
	unsigned limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;
	for (const struct kw *k = kb->kws; k->name; k++) {
		unsigned d = edit_distance(word, k->name);
		/* case slips are the commonest typo of all */
		if (strlen(k->name) == len && !strcasecmp(k->name, word))
			d = 1;
		if (d < best_d) {
			best_d = d;
			best = k->name;
		}
	}
	return best_d <= limit ? best : NULL;
}

static void *
target_ptr(struct pctx *pc, enum kw_target t)
{
	switch (t) {
	case TG_MODEL: return pc->m;
	case TG_GLOBAL: return &pc->m->global;
	case TG_SCRIPT: return pc->script;
	case TG_TFILE: return pc->tfile;
	case TG_TPROC: return pc->tproc;
	case TG_INSTANCE: return pc->vi;
	case TG_GROUP: return pc->sg;
	case TG_VS: return pc->vs;
	case TG_RS: return pc->rs;
	case TG_CHECKER: return pc->chk;
	case TG_URL: return pc->url;
	case TG_NONE: return NULL;
	}
	return NULL;
}

static struct cf_unsupported_list *
unsupported_list(struct pctx *pc, enum kw_target t)
{
	switch (t) {
	case TG_GLOBAL: return &pc->m->global.unsupported;
	case TG_INSTANCE: return pc->vi ? &pc->vi->unsupported : NULL;
	case TG_VS: return pc->vs ? &pc->vs->unsupported : NULL;
	case TG_RS: return pc->rs ? &pc->rs->unsupported : NULL;
	case TG_CHECKER: return pc->chk ? &pc->chk->unsupported : NULL;
	default: return &pc->m->unsupported;
	}
}

/* Skip a block we keep but do not model: nested braces are balanced. */
static void
skip_block(struct pctx *pc)
{
	int depth = 1;
	const struct cf_line *ln;
	while (depth > 0 && (ln = pc_next(pc))) {
		if (is_word(ln, "{"))
			depth++;
		else if (is_word(ln, "}"))
			depth--;
	}
}

/*
 * A value block: entries until the first '}'.  The opening '{' may be on
 * the keyword's line (split off by the reader) or the next line.  Words
 * after the keyword itself are reported like keepalived does.
 */
const struct cf_line *
pc_read_values(struct pctx *pc, const struct cf_line *opener, kw_entry_fn *entry)
{
	if (opener->n > 1)
		pc_err(pc, opener, 1, DC_GENERAL,
		       "Block %s has extra parameters %s ...", opener->w[0],
		       opener->w[1]);
	return pc_read_entries(pc, entry);
}

const struct cf_line *
pc_read_entries(struct pctx *pc, kw_entry_fn *entry)
{
	const struct cf_line *ln = pc_peek(pc);
	if (is_word(ln, "{"))
		pc_next(pc);
	while ((ln = pc_next(pc))) {
		if (is_word(ln, "}"))
			return ln;
		if (entry)
			entry(pc, ln);
	}
	return NULL;
}

static void
set_generic(struct pctx *pc, const struct cf_line *ln, const struct kw *k,
	    void *obj)
{
	char *field = obj ? (char *)obj + k->off : NULL;
	long long v;
	uint64_t t;
	switch (k->type) {
	case KT_FLAG:
		if (field)
			*(bool *)field = true;
		break;
	case KT_OPTBOOL:
	case KT_OPTBOOL_INT: {
		int b = 1;
		if (ln->n > 1) {
			b = pc_bool(ln->w[1]);
			if (b < 0) {
				pc_err(pc, ln, 1, DC_GENERAL,
				       "Invalid value '%s' for %s specified",
				       ln->w[1], ln->w[0]);
				break;
			}
		}
		if (field && k->type == KT_OPTBOOL)
			*(bool *)field = b;
		else if (field)
			*(int *)field = b;
		break;
	}
	case KT_STR: {
		const char *s = pc_arg(pc, ln, 1);
		if (s && field)
			*(char **)field = pc_strdup(pc, s);
		break;
	}
	case KT_IFNAME: {
		const char *s = pc_arg(pc, ln, 1);
		if (!s || !field)
			break;
		if (strlen(s) >= IF_NAMESIZE) {
			pc_err(pc, ln, 1, DC_GENERAL,
			       "Interface name '%s' too long - ignoring", s);
			break;
		}
		strcpy(field, s);
		break;
	}
	case KT_INT:
		if (pc_int(pc, ln, 1, k->min, k->max, &v) && field)
			*(int *)field = (int)v;
		break;
	case KT_UINT:
		if (pc_int(pc, ln, 1, k->min, k->max, &v) && field)
			*(unsigned *)field = (unsigned)v;
		break;
	case KT_TIMER_US:
		if (pc_timer(pc, ln, 1, (uint64_t)k->min, (uint64_t)k->max, &t) && field)
			*(uint32_t *)field = (uint32_t)t;
		break;
	case KT_TIMER_US64:
		if (pc_timer(pc, ln, 1, (uint64_t)k->min, (uint64_t)k->max, &t) && field)
			*(uint64_t *)field = t;
		break;
	case KT_ADDR: {
		const char *s = pc_arg(pc, ln, 1);
		struct cf_inaddr a;
		if (!s)
			break;
		if (!pc_addr(s, &a, NULL, NULL)) {
			pc_err(pc, ln, 1, DC_GENERAL, "invalid address '%s' for %s",
			       s, ln->w[0]);
			break;
		}
		if (field)
			*(struct cf_inaddr *)field = a;
		break;
	}
	case KT_SCRIPT: {
		struct cf_script *sc = pc_script(pc, ln, 1);
		if (!sc || !field)
			break;
		if (*(struct cf_script **)field) {
			pc_err(pc, ln, 0, DC_GENERAL, "%s script already specified - ignoring",
			       ln->w[0]);
			break;
		}
		*(struct cf_script **)field = sc;
		break;
	}
	default:
		break;
	}
}

static void
run_block(struct pctx *pc, const struct cf_line *ln, const struct kw_block *sub)
{
	const struct cf_line *brace = pc_peek(pc);
	if (!is_word(brace, "{")) {
		if (brace)
			pc_err(pc, brace, 0, DC_GENERAL,
			       "Missing '{' at beginning of configuration block");
		else
			pc_err(pc, ln, 0, DC_GENERAL,
			       "Missing '{' at beginning of configuration block");
		return;
	}
	pc_next(pc);
	pc_walk_block(pc, sub);
}

static void
dispatch(struct pctx *pc, const struct kw_block *kb, const struct kw *k,
	 const struct cf_line *ln)
{
	if (k->flags & KF_DEPRECATED)
		pc_warn(pc, ln, 0, DC_DEPRECATED,
			"Keyword \"%s\" is deprecated - please use \"%s\"", k->name,
			k->alias_of ? k->alias_of : "its replacement");
	switch (k->type) {
	case KT_CUSTOM:
		k->fn(pc, ln, k);
		break;
	case KT_BLOCK:
		if (k->fn)
			k->fn(pc, ln, k);
		if (k->sub)
			run_block(pc, ln, k->sub);
		break;
	case KT_VALUES:
		if (k->fn)
			k->fn(pc, ln, k);
		pc_read_values(pc, ln, k->entry);
		break;
	case KT_IGNORED:
		pc_unsupported(pc, unsupported_list(pc, kb->target), ln);
		break;
	case KT_IGNORED_BLOCK:
		pc_unsupported(pc, unsupported_list(pc, kb->target), ln);
		if (k->sub) {
			run_block(pc, ln, k->sub);
		} else if (is_word(pc_peek(pc), "{")) {
			pc_next(pc);
			skip_block(pc);
		}
		break;
	case KT_IGNORED_VALUES:
		pc_unsupported(pc, unsupported_list(pc, kb->target), ln);
		pc_read_values(pc, ln, NULL);
		break;
	default:
		set_generic(pc, ln, k, target_ptr(pc, kb->target));
		break;
	}
}

static const struct kw *
lookup(const struct kw_block *kb, const char *w)
{
	for (const struct kw *k = kb->kws; k->name; k++)
		if (!strcmp(k->name, w))
			return k;
	return NULL;
}

void
pc_walk_block(struct pctx *pc, const struct kw_block *kb)
{
	bool top = kb == &kb_top;
	const struct cf_line *ln;
	while ((ln = pc_next(pc))) {
		const char *w = ln->w[0];
		if (is_word(ln, "}")) {
			if (!top) {
				if (kb->end)
					kb->end(pc, ln);
				return;
			}
			pc_err(pc, ln, 0, DC_UNKNOWN_KEYWORD, "Unknown keyword '}'");
			continue;
		}
		if (is_word(ln, "{")) {
			pc_err(pc, ln, 0, DC_GENERAL, "Unexpected '{' - ignoring");
			continue;
		}
		const struct kw *k = lookup(kb, w);
		if (!k) {
			const char *hint = did_you_mean(kb, w);
			if (hint)
				pc_err(pc, ln, 0, DC_UNKNOWN_KEYWORD,
				       "Unknown keyword '%s' (did you mean '%s'?)", w, hint);
			else
				pc_err(pc, ln, 0, DC_UNKNOWN_KEYWORD,
				       "Unknown keyword '%s'", w);
			continue;
		}
		dispatch(pc, kb, k, ln);
	}
	if (!top && kb->end && !pc->stop)
		kb->end(pc, NULL);
}

/* ---- entry points ------------------------------------------------------ */

static struct cf_model *
parse_lines(struct cf_model *m, const struct cf_lines *lines,
	    const struct cf_options *opts, struct diag *d)
{
	struct pctx pc = {
		.m = m, .d = d, .opts = opts, .lines = lines,
	};
	pc_walk_block(&pc, &kb_top);
	if (lines->open_braces > 0)
		diag_add(d, DIAG_ERROR, DC_GENERAL, NULL, 0, 0,
			 "There are %d missing '}'s or extra '{'s",
			 lines->open_braces);
	validate_model(&pc);
	return m;
}

static void
reader_opts(const struct cf_options *o, struct cf_reader_opts *ro)
{
	memset(ro, 0, sizeof(*ro));
	ro->config_id = o->config_id;
	ro->include_check = o->all_config ? CF_INC_ALL : 0;
	ro->random_seed = o->random_seed;
	ro->have_seed = o->have_seed;
	ro->max_lines = o->max_lines;
	ro->no_include = o->no_include;
}

struct cf_model *
cf_load(const char *path, const struct cf_options *opts, struct diag *d)
{
	static const struct cf_options none;
	if (!opts)
		opts = &none;
	struct cf_model *m = model_new();
	if (!m)
		return NULL;
	struct cf_reader_opts ro;
	reader_opts(opts, &ro);
	struct cf_lines lines;
	if (cf_read(path, &ro, &m->pool, &lines, d) < 0) {
		if (opts->all_config)
			d->include_failed = true;
		cf_lines_free(&lines);
		return m;
	}
	parse_lines(m, &lines, opts, d);
	cf_lines_free(&lines);
	return m;
}

struct cf_model *
cf_load_buffer(const char *name, const char *buf, size_t len,
	       const struct cf_options *opts, struct diag *d)
{
	static const struct cf_options none;
	if (!opts)
		opts = &none;
	struct cf_model *m = model_new();
	if (!m)
		return NULL;
	struct cf_reader_opts ro;
	reader_opts(opts, &ro);
	struct cf_lines lines;
	cf_read_buffer(name, buf, len, &ro, &m->pool, &lines, d);
	parse_lines(m, &lines, opts, d);
	cf_lines_free(&lines);
	return m;
}
