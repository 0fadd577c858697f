/* diag.c - collect configuration diagnostics and derive the -t exit code. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

void
diag_init(struct diag *d)
{
	memset(d, 0, sizeof(*d));
	d->limit = 100000;
}

void
diag_free(struct diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].msg);
	free(d->v);
	memset(d, 0, sizeof(*d));
}

void
diag_add(struct diag *d, enum diag_level level, enum diag_class class,
	 const char *file, unsigned line, unsigned col, const char *fmt, ...)
{
	if (class > d->worst)
		d->worst = class;
	if (d->limit && d->n >= d->limit) {
		d->dropped++;
		return;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct diag_entry *v = realloc(d->v, cap * sizeof(*v));
		if (!v) {
			d->dropped++;
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg) {
		d->dropped++;
		return;
	}
	d->v[d->n++] = (struct diag_entry){
		.level = level, .class = class, .file = file,
		.line = line, .col = col, .msg = msg,
	};
}

static const char *
level_name(enum diag_level l)
{
	switch (l) {
	case DIAG_NOTE: return "note";
	case DIAG_WARNING: return "warning";
	case DIAG_ERROR: return "error";
	}
	return "error";
}

void
diag_print(const struct diag *d, FILE *out)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct diag_entry *e = &d->v[i];
		if (e->file && e->line)
			fprintf(out, "%s:%u:%u: ", e->file, e->line,
				e->col ? e->col : 1);
		else if (e->file)
			fprintf(out, "%s: ", e->file);
		else
			fputs("keepalived: ", out);
		fprintf(out, "%s: %s\n", level_name(e->level), e->msg);
	}
	if (d->dropped)
		fprintf(out, "keepalived: note: %zu further diagnostics not shown\n",
			d->dropped);
}

int
diag_exit_code(const struct diag *d)
{
	if (d->missing_param)
		return 2;
	if (d->include_failed)
		return 6;
	switch (d->worst) {
	case DC_NONE:
		return 0;
	case DC_FILE_NOT_FOUND:
	case DC_BAD_IF:
	case DC_FATAL:
		return 4;
	case DC_SECURITY:
		return 6;
	default:
		return 5;
	}
}

size_t
diag_count(const struct diag *d, enum diag_level level)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++)
		n += d->v[i].level == level;
	return n;
}
