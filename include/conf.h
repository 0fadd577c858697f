/* conf.h - load keepalived.conf into the typed model. */
#ifndef VIGIL_CONF_H
#define VIGIL_CONF_H

#include <stdbool.h>
#include <stdio.h>

#include "diag.h"
#include "model.h"

struct cf_options {
	const char *config_id;	/* -i; NULL = host name up to the first '.' */
	bool all_config;	/* -e: every include must be there */
	bool check_interfaces;	/* interfaces must exist, as at run time */
	bool check_scripts;	/* look scripts and users up on this host */
	bool no_include;	/* ignore include lines (fuzzing) */
	bool have_seed;
	unsigned random_seed;
	size_t max_lines;	/* cap on generated lines; 0 = default */
};

/*
 * Parse PATH (and its includes), apply keepalived's defaults and checks.
 * Always returns a model (NULL only without memory); D says what was wrong
 * and diag_exit_code(D) gives the `keepalived -t` exit code.
 */
struct cf_model *cf_load(const char *path, const struct cf_options *opts,
			 struct diag *d);
struct cf_model *cf_load_buffer(const char *name, const char *buf, size_t len,
				const struct cf_options *opts, struct diag *d);

/* Print the normalised model, one setting per line (for tests, -d). */
void cf_dump(const struct cf_model *m, FILE *out);

#endif
