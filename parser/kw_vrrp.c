/* kw_vrrp.c - VRRP-side keywords: vrrp_script, track_file,
 * vrrp_track_process, vrrp_sync_group, vrrp_instance, static_*, bfd. */
#include "config.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <pwd.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"


#define IGN(n) { .name = n, .type = KT_IGNORED }
#define CUSTOM(n, fn_) { .name = n, .type = KT_CUSTOM, .fn = fn_ }

/* The object name after a block keyword: exactly one word. */
static const char *
block_name(struct pctx *pc, const struct cf_line *ln)
{
	if (ln->n < 2) {
		pc_err(pc, ln, 1, DC_GENERAL, "%s must have a name", ln->w[0]);
		return NULL;
	}
	return ln->w[1];
}

/* Consume "{" ... "}" when the block's header was rejected. */
static void
skip_rejected_block(struct pctx *pc)
{
	const struct cf_line *ln = pc_peek(pc);
	if (!ln || ln->n != 1 || strcmp(ln->w[0], "{"))
		return;
	pc_next(pc);
	int depth = 1;
	while (depth && (ln = pc_next(pc)))
		if (ln->n == 1 && !strcmp(ln->w[0], "{"))
			depth++;
		else if (ln->n == 1 && !strcmp(ln->w[0], "}"))
			depth--;
}

static void
enter_block(struct pctx *pc, const struct cf_line *ln, const struct kw_block *kb)
{
	const struct cf_line *brace = pc_peek(pc);
	if (!brace || brace->n != 1 || strcmp(brace->w[0], "{")) {
		pc_err(pc, brace ? brace : ln, 0, DC_GENERAL,
		       "Missing '{' at beginning of configuration block");
		return;
	}
	pc_next(pc);
	pc_walk_block(pc, kb);
}

/* weight W [reverse] for vrrp_script / track_file / track_process */
static bool
object_weight(struct pctx *pc, const struct cf_line *ln, long long lo,
	      long long hi, bool keep_out_of_range, int *weight, bool *reverse,
	      const char *what, const char *name)
{
	long long v;
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return false;
	char *end;
	v = strtoll(s, &end, 10);
	if (end == s || *end) {
		pc_err(pc, ln, 1, DC_GENERAL, "invalid number '%s'", s);
		return false;
	}
	if (v < lo || v > hi) {
		pc_err(pc, ln, 1, DC_GENERAL, "number '%s' outside range [%lld, %lld]",
		       s, lo, hi);
		pc_err(pc, ln, 1, DC_GENERAL, "%s %s weight %s must be in [%lld, %lld]",
		       what, name, s, lo, hi);
		if (!keep_out_of_range)
			return false;
	}
	if (ln->n > 2) {
		if (!strcmp(ln->w[2], "reverse")) {
			*reverse = true;
		} else {
			pc_err(pc, ln, 2, DC_GENERAL, "%s %s unknown weight option %s",
			       what, name, ln->w[2]);
		}
	}
	*weight = (int)v;
	return true;
}

/* ---- vrrp_script ------------------------------------------------------- */

static void
vs_script(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	struct cf_script *sc = pc_script(pc, ln, 1);
	if (sc)
		pc->script->script = *sc;
}

static void
vs_interval(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	bool timeout = !strcmp(ln->w[0], "timeout");
	if (!pc_int(pc, ln, 1, 0, 4294, &v))
		return;
	if (v == 0) {
		pc_err(pc, ln, 1, DC_GENERAL,
		       "(%s): vrrp script %s must be greater than 0, setting to 1",
		       pc->script->name, ln->w[0]);
		v = 1;
	}
	if (timeout)
		pc->script->timeout = (unsigned)v;
	else
		pc->script->interval = (unsigned)v;
}

static void
vs_weight(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	/* 2.2.7 reports an out-of-range weight but keeps it */
	object_weight(pc, ln, -253, 253, true, &pc->script->weight,
		      &pc->script->weight_reverse, "vrrp_script", pc->script->name);
}

static void
vs_rise_fall(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	int *field = !strcmp(ln->w[0], "rise") ? &pc->script->rise : &pc->script->fall;
	if (!pc_int(pc, ln, 1, 1, 2147483647, &v)) {
		pc_err(pc, ln, 1, DC_GENERAL, "(%s): vrrp script %s value '%s' invalid, defaulting to 1",
		       pc->script->name, ln->w[0], ln->n > 1 ? ln->w[1] : "");
		*field = 1;
		return;
	}
	*field = (int)v;
}

/* keepalived checks a vrrp_script's user and group as it reads them: if
 * either is unknown, the script is removed (its track_script references
 * then say "not found").  The message quotes the command read so far:
 * none if the user line comes first. */
static void
check_script_user(struct pctx *pc, const struct cf_line *ln)
{
	const struct cf_script *sc = &pc->script->script;
	if (!pc->opts->check_scripts || pc->script->removed)
		return;
	if (pc_user_known(sc->user, sc->group))
		return;
	char *cmd = cf_script_cmdline(sc);
	pc_err(pc, ln, 1, DC_GENERAL, "Unable to set uid/gid for script %s", cmd ? cmd : "");
	free(cmd);
	pc->script->removed = true;
}

static void
vs_user(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *u = pc_arg(pc, ln, 1);
	if (!u)
		return;
	pc->script->script.user = pc_strdup(pc, u);
	pc->script->script.group = ln->n > 2 ? pc_strdup(pc, ln->w[2]) : NULL;
	check_script_user(pc, ln);
}

static void
vs_end(struct pctx *pc, const struct cf_line *end)
{
	pc->script->end = pc_loc(end);
	if (!pc->script->script.cmd) {
		pc_err(pc, end, 0, DC_GENERAL, "No script set for vrrp_script %s - removing",
		       pc->script->name);
		pc->script->removed = true;
		return;
	}
	if (pc->script_user_bad && !pc->script->script.user && !pc->script->removed) {
		/* keepalived: the default user is the unknown one */
		pc_err(pc, end, 0, DC_GENERAL,
		       "Unable to set default user for vrrp script %s - removing",
		       pc->script->name);
		pc->script->removed = true;
		return;
	}
	/* keepalived resolves the default script user here, with the
	 * global_defs seen so far; a script without one is removed */
	const struct cf_global *g = &pc->m->global;
	if (pc->opts->check_scripts && g->enable_script_security &&
	    !pc->script->script.user && !g->script_user_set &&
	    !getpwnam("keepalived_script")) {
		pc_err(pc, end, 0, DC_GENERAL,
		       "Unable to set default user keepalived_script for script");
		pc_err(pc, end, 0, DC_GENERAL,
		       "Unable to set default user for vrrp script %s - removing",
		       pc->script->name);
		pc->script->removed = true;
	}
}

static const struct kw script_kws[] = {
	CUSTOM("script", vs_script),
	CUSTOM("interval", vs_interval),
	CUSTOM("timeout", vs_interval),
	CUSTOM("weight", vs_weight),
	CUSTOM("rise", vs_rise_fall),
	CUSTOM("fall", vs_rise_fall),
	CUSTOM("user", vs_user),
	{ .name = "init_fail", .type = KT_FLAG, .off = offsetof(struct cf_vrrp_script, init_fail) },
	{ 0 },
};
const struct kw_block kb_vrrp_script = { "vrrp_script", TG_SCRIPT, script_kws, vs_end };

void
kw_vrrp_script(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *name = block_name(pc, ln);
	if (!name) {
		skip_rejected_block(pc);
		return;
	}
	struct cf_vrrp_script *s = PC_PUSH(pc, pc->m->scripts, pc->m->nscripts);
	s->name = pc_strdup(pc, name);
	s->interval = 1;
	s->rise = s->fall = 1;
	s->loc = pc_loc(ln);
	pc->script = s;
	enter_block(pc, ln, &kb_vrrp_script);
	pc->script = NULL;
}

/* ---- track_file -------------------------------------------------------- */

static void
tf_file(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *f = pc_arg(pc, ln, 1);
	if (!f)
		return;
	if (pc->tfile->file) {
		pc_err(pc, ln, 1, DC_GENERAL, "track file %s already specified - ignoring %s",
		       pc->tfile->name, f);
		return;
	}
	pc->tfile->file = pc_strdup(pc, f);
}

static void
tf_weight(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	int w = pc->tfile->weight;
	bool rev = false;
	if (object_weight(pc, ln, -254, 254, false, &w, &rev, "track_file",
			  pc->tfile->name)) {
		pc->tfile->weight = w;
		pc->tfile->weight_reverse = rev;
	}
}

static void
tf_init_file(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	struct cf_track_file *t = pc->tfile;
	t->init_file = true;
	for (unsigned i = 1; i < ln->n; i++) {
		if (!strcmp(ln->w[i], "overwrite")) {
			t->init_overwrite = true;
			continue;
		}
		char *end;
		long v = strtol(ln->w[i], &end, 10);
		if (*end) {
			pc_err(pc, ln, i, DC_GENERAL, "track file %s init_file value '%s' invalid",
			       t->name, ln->w[i]);
			continue;
		}
		if (v < -254 || v > 254)
			pc_warn(pc, ln, i, DC_WARNING,
				"track file %s init_file value %ld outside [-254, 254]",
				t->name, v);
		t->init_value = (int)v;
	}
}

static void
tf_end(struct pctx *pc, const struct cf_line *end)
{
	pc->tfile->end = pc_loc(end);
	if (!pc->tfile->file) {
		pc_err(pc, end, 0, DC_GENERAL, "No file set for track_file %s - ignoring",
		       pc->tfile->name);
		pc->tfile->removed = true;
	}
}

static const struct kw tfile_kws[] = {
	CUSTOM("file", tf_file),
	CUSTOM("weight", tf_weight),
	CUSTOM("init_file", tf_init_file),
	{ 0 },
};
const struct kw_block kb_track_file = { "track_file", TG_TFILE, tfile_kws, tf_end };


void
kw_track_file(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *name = block_name(pc, ln);
	if (!name) {
		skip_rejected_block(pc);
		return;
	}
	struct cf_track_file *t = PC_PUSH(pc, pc->m->track_files, pc->m->ntrack_files);
	t->name = pc_strdup(pc, name);
	t->weight = 1;
	t->loc = pc_loc(ln);
	pc->tfile = t;
	enter_block(pc, ln, &kb_track_file);
	pc->tfile = NULL;
}

/* ---- vrrp_track_process ------------------------------------------------ */

static void
tp_process(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	struct cf_track_process *t = pc->tproc;
	const char *p = pc_arg(pc, ln, 1);
	if (!p)
		return;
	t->process = pc_strdup(pc, p);
	if (ln->n > 2) {
		/* the arguments form the command line to match */
		size_t len = 0;
		for (unsigned i = 2; i < ln->n; i++)
			len += strlen(ln->w[i]) + 1;
		char *params = strpool_alloc(&pc->m->pool, len);
		params[0] = '\0';
		for (unsigned i = 2; i < ln->n; i++) {
			if (i > 2)
				strcat(params, " ");
			strcat(params, ln->w[i]);
		}
		t->params = params;
		if (t->param_match == CF_PARAM_NONE)
			t->param_match = CF_PARAM_EXACT;
		t->full_command = true;
	}
}

static void
tp_param_match(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	struct cf_track_process *t = pc->tproc;
	if (ln->n < 2)
		t->param_match = CF_PARAM_EXACT;
	else if (!strcmp(ln->w[1], "initial"))
		t->param_match = CF_PARAM_INITIAL;
	else if (!strcmp(ln->w[1], "partial"))
		t->param_match = CF_PARAM_PARTIAL;
	else {
		pc_err(pc, ln, 1, DC_GENERAL, "Invalid param_match '%s'", ln->w[1]);
		return;
	}
	t->full_command = true;
}

static void
tp_weight(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	int w = 0;
	bool rev = false;
	if (object_weight(pc, ln, -254, 254, false, &w, &rev, "track_process",
			  pc->tproc->name)) {
		pc->tproc->weight = w;
		pc->tproc->weight_reverse = rev;
	}
}

static void
tp_quorum(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	bool max = !strcmp(ln->w[0], "quorum_max");
	if (!pc_int(pc, ln, 1, max ? 0 : 1, 65535, &v)) {
		if (ln->n > 1)
			pc_err(pc, ln, 1, DC_GENERAL, "Invalid %s %s - ignoring", ln->w[0],
			       ln->w[1]);
		return;
	}
	if (max)
		pc->tproc->quorum_max = (int)v;
	else
		pc->tproc->quorum = (unsigned)v;
}

static void
tp_delay(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	uint64_t v;
	if (!pc_timer(pc, ln, 1, 1, 3600000000ULL, &v))
		return;
	if (strcmp(ln->w[0], "fork_delay"))
		pc->tproc->terminate_delay_us = (uint32_t)v;
	if (strcmp(ln->w[0], "terminate_delay"))
		pc->tproc->fork_delay_us = (uint32_t)v;
}

static void
tp_end(struct pctx *pc, const struct cf_line *end)
{
	pc->tproc->end = pc_loc(end);
	if (!pc->tproc->process) {
		pc_err(pc, end, 0, DC_GENERAL, "track process '%s' process name not specified",
		       pc->tproc->name);
		pc->tproc->removed = true;
	}
}

static const struct kw tproc_kws[] = {
	CUSTOM("process", tp_process),
	CUSTOM("param_match", tp_param_match),
	CUSTOM("weight", tp_weight),
	CUSTOM("quorum", tp_quorum),
	CUSTOM("quorum_max", tp_quorum),
	CUSTOM("delay", tp_delay),
	CUSTOM("terminate_delay", tp_delay),
	CUSTOM("fork_delay", tp_delay),
	{ .name = "full_command", .type = KT_FLAG,
	  .off = offsetof(struct cf_track_process, full_command) },
	{ 0 },
};
const struct kw_block kb_track_process = { "vrrp_track_process", TG_TPROC, tproc_kws, tp_end };


void
kw_track_process(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *name = block_name(pc, ln);
	if (!name) {
		skip_rejected_block(pc);
		return;
	}
	struct cf_track_process *t = PC_PUSH(pc, pc->m->track_procs, pc->m->ntrack_procs);
	t->name = pc_strdup(pc, name);
	t->quorum = 1;
	t->quorum_max = CF_UNSET;
	t->loc = pc_loc(ln);
	pc->tproc = t;
	enter_block(pc, ln, &kb_track_process);
	pc->tproc = NULL;
}

/* ---- tracker references (instances and sync groups) ------------------- */

/* "track_script" -> "track script", as keepalived words its messages */
static const char *
kw_words(const char *kw)
{
	static char buf[32];
	snprintf(buf, sizeof(buf), "%s", kw);
	for (char *p = buf; *p; p++)
		if (*p == '_')
			*p = ' ';
	return buf;
}

/*
 * keepalived looks a tracked object up when the reference is parsed, so it
 * must be defined earlier in the file; interfaces must exist by then.
 */
static bool
track_target_defined(struct pctx *pc, const char *kw, const char *name)
{
	const struct cf_model *m = pc->m;
	if (!strcmp(kw, "track_interface"))
		return !pc->opts->check_interfaces || m->global.dynamic_interfaces ||
		       if_nametoindex(name);
	if (!strcmp(kw, "track_script"))
		return model_find_script(m, name) != NULL;
	if (!strcmp(kw, "track_file"))
		return model_find_track_file(m, name) != NULL;
	if (!strcmp(kw, "track_process"))
		return model_find_track_process(m, name) != NULL;
	return true;	/* track_bfd: BFD is not modelled */
}

/* NAME [weight W [reverse|noreverse]] */
void
pc_track_entry(struct pctx *pc, const struct cf_line *ln)
{
	const char *kw = pc->value_kw;
	bool is_if = !strcmp(kw, "track_interface");
	bool is_bfd = !strcmp(kw, "track_bfd");
	const char *owner = pc->vi ? pc->vi->name : pc->sg ? pc->sg->name : "?";
	struct cf_track_list *list = pc->tracks;
	if (!list)
		return;
	for (size_t i = 0; i < list->n; i++) {
		if (!strcmp(list->v[i].name, ln->w[0])) {
			pc_err(pc, ln, 0, DC_GENERAL, "(%s) duplicate %s %s - ignoring",
			       owner, kw, ln->w[0]);
			return;
		}
	}
	if (!track_target_defined(pc, kw, ln->w[0])) {
		if (is_if)
			pc_err(pc, ln, 0, DC_GENERAL, "(%s) tracked interface %s doesn't exist",
			       owner, ln->w[0]);
		else
			pc_err(pc, ln, 0, DC_GENERAL, "(%s) %s %s not found, ignoring...", owner,
			       kw_words(kw), ln->w[0]);
		return;
	}
	struct cf_track_ref r = {
		.name = pc_strdup(pc, ln->w[0]),
		.reverse = CF_UNSET,
		.loc = pc_loc(ln),
	};
	if (ln->n > 1) {
		if (strcmp(ln->w[1], "weight")) {
			pc_err(pc, ln, 1, DC_GENERAL, "(%s) unknown option %s for %s %s",
			       owner, ln->w[1], kw, ln->w[0]);
		} else {
			long long lim = is_bfd ? 253 : 254;
			long long v;
			if (pc_int(pc, ln, 2, -lim, lim, &v)) {
				if (v == 254 || v == -254) {
					pc_err(pc, ln, 2, DC_GENERAL,
					       "(%s) weight for %s cannot be +/-254. Setting to +/-253",
					       owner, ln->w[0]);
					v = v > 0 ? 253 : -253;
				}
				r.weight = (int)v;
				r.has_weight = true;
			} else if (ln->n > 2) {
				if (is_if)
					pc_err(pc, ln, 2, DC_GENERAL,
					       "(%s) weight %s for %s must be between [-253..253] inclusive. Ignoring...",
					       owner, ln->w[2], ln->w[0]);
				else
					pc_err(pc, ln, 2, DC_GENERAL,
					       "(%s) %s %s: weight must be between [-253..253] inclusive, ignoring...",
					       owner, kw_words(kw), ln->w[0]);
				if (is_if) {
					r.weight = 0;
					r.has_weight = true;
				}
			}
			if (ln->n > 3) {
				if (!strcmp(ln->w[3], "reverse"))
					r.reverse = 1;
				else if (!strcmp(ln->w[3], "noreverse") && !is_if)
					r.reverse = 0;
				else
					pc_err(pc, ln, 3, DC_GENERAL,
					       "(%s) %s %s unknown weight option %s",
					       owner, kw, ln->w[0], ln->w[3]);
			}
		}
	}
	struct cf_track_ref *slot = PC_PUSH(pc, list->v, list->n);
	*slot = r;
}

static void
track_block(struct pctx *pc, const struct cf_line *ln, struct cf_track_list *list)
{
	pc->tracks = list;
	pc->value_kw = ln->w[0];
	pc_read_values(pc, ln, pc_track_entry);
	pc->tracks = NULL;
}

/* Each tracker keyword picks its list in the current instance or group. */
static struct cf_track_list *
track_list_for(struct pctx *pc, const char *kw)
{
	struct cf_track_list *base[5];
	if (pc->vi) {
		base[0] = &pc->vi->track_if; base[1] = &pc->vi->track_script;
		base[2] = &pc->vi->track_file; base[3] = &pc->vi->track_process;
		base[4] = &pc->vi->track_bfd;
	} else {
		base[0] = &pc->sg->track_if; base[1] = &pc->sg->track_script;
		base[2] = &pc->sg->track_file; base[3] = &pc->sg->track_process;
		base[4] = &pc->sg->track_bfd;
	}
	static const char *const names[5] = {
		"track_interface", "track_script", "track_file", "track_process",
		"track_bfd",
	};
	for (int i = 0; i < 5; i++)
		if (!strcmp(kw, names[i]))
			return base[i];
	return NULL;
}

static void
kw_track(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	track_block(pc, ln, track_list_for(pc, ln->w[0]));
}

/* track_virtual_server { ADDR PORT [weight W] } (Vigil extension): the
 * built-in proxy's health for that virtual server moves the instance */
static void
track_vs_entry(struct pctx *pc, const struct cf_line *ln)
{
	struct cf_vs_ref r = { .loc = pc_loc(ln) };
	long long port, w = 0;
	if (!pc_addr(ln->w[0], &r.addr, NULL, NULL)) {
		pc_err(pc, ln, 0, DC_GENERAL, "track_virtual_server: invalid address %s - ignoring",
		       ln->w[0]);
		return;
	}
	if (ln->n < 2) {
		pc_err(pc, ln, 1, DC_GENERAL, "track_virtual_server %s: port missing - ignoring",
		       ln->w[0]);
		return;
	}
	if (!pc_int(pc, ln, 1, 1, 65535, &port))
		return;
	if (ln->n > 2) {
		if (strcmp(ln->w[2], "weight") || ln->n != 4) {
			pc_err(pc, ln, 2, DC_GENERAL, "track_virtual_server: expected "
			       "'weight W' after the port - ignoring");
			return;
		}
		if (!pc_int(pc, ln, 3, -254, 254, &w))
			return;
	}
	r.port = (uint16_t)port;
	r.weight = (int)w;
	*PC_PUSH(pc, pc->vi->track_vs, pc->vi->ntrack_vs) = r;
}

static void
kw_track_vs(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	pc_read_values(pc, ln, track_vs_entry);
}

/* ---- notify scripts ---------------------------------------------------- */

static struct cf_notify *
current_notify(struct pctx *pc)
{
	return pc->vi ? &pc->vi->notify : &pc->sg->notify;
}

static void
kw_notify(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	struct cf_notify *n = current_notify(pc);
	const char *w = ln->w[0];
	struct cf_script **slot =
		!strcmp(w, "notify_master") ? &n->master :
		!strcmp(w, "notify_backup") ? &n->backup :
		!strcmp(w, "notify_fault") ? &n->fault :
		!strcmp(w, "notify_stop") ? &n->stop :
		!strcmp(w, "notify_deleted") ? &n->deleted :
		!strcmp(w, "notify_master_rx_lower_pri") ? &n->master_rx_lower_pri :
		&n->notify;
	if (slot == &n->deleted && ln->n < 2) {
		n->deleted_set = true;
		return;
	}
	struct cf_script *sc = pc_script(pc, ln, 1);
	if (!sc)
		return;
	if (*slot) {
		pc_err(pc, ln, 0, DC_GENERAL, "(%s) %s script already specified - ignoring %s",
		       pc->vi ? pc->vi->name : pc->sg->name, w, sc->cmd);
		return;
	}
	*slot = sc;
	if (slot == &n->deleted)
		n->deleted_set = true;
}

/* ---- vrrp_sync_group --------------------------------------------------- */

static void
sg_member(struct pctx *pc, const struct cf_line *ln)
{
	for (unsigned i = 0; i < ln->n; i++) {
		char **slot = PC_PUSH(pc, pc->sg->members, pc->sg->nmembers);
		*slot = pc_strdup(pc, ln->w[i]);
	}
}

static void
sg_group(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	if (pc->sg->members_set) {
		pc_err(pc, ln, 0, DC_GENERAL, "Group list already specified for sync group %s",
		       pc->sg->name);
		pc_read_values(pc, ln, NULL);
		return;
	}
	pc->sg->members_set = true;
	pc_read_values(pc, ln, sg_member);
}

static void
sg_global_tracking(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	pc_warn(pc, ln, 0, DC_DEPRECATED,
		"(%s) global_tracking is deprecated. Use track_interface/script/file on the sync group",
		pc->sg->name);
	pc->sg->sync_group_tracking_weight = true;
}

static void
sg_end(struct pctx *pc, const struct cf_line *end)
{
	pc->sg->end = pc_loc(end);
}

static const struct kw group_kws[] = {
	CUSTOM("group", sg_group),
	CUSTOM("track_interface", kw_track),
	CUSTOM("track_script", kw_track),
	CUSTOM("track_file", kw_track),
	CUSTOM("track_process", kw_track),
	CUSTOM("track_bfd", kw_track),
	CUSTOM("notify_master", kw_notify),
	CUSTOM("notify_backup", kw_notify),
	CUSTOM("notify_fault", kw_notify),
	CUSTOM("notify_stop", kw_notify),
	CUSTOM("notify", kw_notify),
	{ .name = "smtp_alert", .type = KT_OPTBOOL_INT,
	  .off = offsetof(struct cf_sync_group, smtp_alert) },
	{ .name = "notify_priority_changes", .type = KT_OPTBOOL_INT,
	  .off = offsetof(struct cf_sync_group, notify_priority_changes) },
	{ .name = "sync_group_tracking_weight", .type = KT_FLAG,
	  .off = offsetof(struct cf_sync_group, sync_group_tracking_weight) },
	CUSTOM("global_tracking", sg_global_tracking),
	{ 0 },
};
const struct kw_block kb_sync_group = { "vrrp_sync_group", TG_GROUP, group_kws, sg_end };


void
kw_sync_group(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *name = block_name(pc, ln);
	if (!name) {
		skip_rejected_block(pc);
		return;
	}
	for (size_t i = 0; i < pc->m->ngroups; i++) {
		if (!strcmp(pc->m->groups[i].name, name)) {
			pc_err(pc, ln, 1, DC_GENERAL, "Sync group %s already defined", name);
			skip_rejected_block(pc);
			return;
		}
	}
	struct cf_sync_group *g = PC_PUSH(pc, pc->m->groups, pc->m->ngroups);
	g->name = pc_strdup(pc, name);
	g->smtp_alert = g->notify_priority_changes = CF_UNSET;
	g->loc = pc_loc(ln);
	pc->sg = g;
	enter_block(pc, ln, &kb_sync_group);
	pc->sg = NULL;
}

/* ---- addresses and routes ---------------------------------------------- */

static int
scope_number(const char *s)
{
	static const struct { const char *n; int v; } scopes[] = {
		{ "global", 0 }, { "site", 200 }, { "link", 253 },
		{ "host", 254 }, { "nowhere", 255 },
	};
	for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if (!strcmp(s, scopes[i].n))
			return scopes[i].v;
	char *end;
	long v = strtol(s, &end, 0);
	return (*s && !*end && v >= 0 && v <= 255) ? (int)v : -1;
}

void
pc_addr_entry(struct pctx *pc, const struct cf_line *ln)
{
	struct cf_ipaddress a = { .scope = CF_UNSET, .preferred_lft = CF_UNSET,
				  .loc = pc_loc(ln) };
	bool has_prefix;
	uint8_t prefix = 0;
	if (!pc_addr(ln->w[0], &a.addr, &prefix, &has_prefix)) {
		pc_err(pc, ln, 0, DC_GENERAL, "VRRP parsed invalid IP %s. skipping IP...",
		       ln->w[0]);
		return;
	}
	unsigned maxp = a.addr.family == AF_INET ? 32 : 128;
	a.prefix = (uint8_t)maxp;
	if (has_prefix) {
		if (prefix > maxp) {
			pc_err(pc, ln, 0, DC_GENERAL, "number '%u' outside range [0, %u]",
			       prefix, maxp);
			pc_err(pc, ln, 0, DC_GENERAL,
			       "Invalid address prefix len %u for address %s - using %u",
			       prefix, ln->w[0], maxp);
		} else {
			a.prefix = prefix;
		}
	}
	for (unsigned i = 1; i < ln->n; i++) {
		const char *o = ln->w[i];
		const char *v = i + 1 < ln->n ? ln->w[i + 1] : NULL;
		bool takes = !strcmp(o, "dev") || !strcmp(o, "brd") ||
			     !strcmp(o, "broadcast") || !strcmp(o, "scope") ||
			     !strcmp(o, "label") || !strcmp(o, "peer") ||
			     !strcmp(o, "preferred_lft") || !strcmp(o, "track_group");
		if (takes && !v) {
			pc_err(pc, ln, i, DC_GENERAL, "No %s parameter specified for %s",
			       o, ln->w[0]);
			return;
		}
		if (!strcmp(o, "dev")) {
			if (strlen(v) >= IF_NAMESIZE) {
				pc_err(pc, ln, i + 1, DC_GENERAL,
				       "Interface name '%s' too long - ignoring", v);
				return;
			}
			strcpy(a.dev, v);
			i++;
		} else if (!strcmp(o, "brd") || !strcmp(o, "broadcast")) {
			if (a.addr.family == AF_INET6) {
				pc_err(pc, ln, i, DC_GENERAL,
				       "VRRP is trying to assign a broadcast %s to the IPv6 address %s - skipping",
				       v, ln->w[0]);
				return;
			}
			if (!strcmp(v, "+"))
				a.brd_mode = CF_BRD_SET;
			else if (!strcmp(v, "-"))
				a.brd_mode = CF_BRD_CLEAR;
			else if (pc_addr(v, &a.brd, NULL, NULL) && a.brd.family == AF_INET)
				a.brd_mode = CF_BRD_ADDR;
			else {
				pc_err(pc, ln, i + 1, DC_GENERAL,
				       "VRRP is trying to assign invalid broadcast %s. skipping VIP...",
				       v);
				return;
			}
			i++;
		} else if (!strcmp(o, "scope")) {
			int s = scope_number(v);
			if (s < 0) {
				pc_err(pc, ln, i + 1, DC_GENERAL, "Invalid scope '%s' specified for %s",
				       v, ln->w[0]);
			} else if (a.addr.family == AF_INET6) {
				pc_err(pc, ln, i, DC_GENERAL,
				       "Cannot set scope on IPv6 address %s - ignoring", ln->w[0]);
			} else {
				a.scope = s;
			}
			i++;
		} else if (!strcmp(o, "label")) {
			if (a.addr.family == AF_INET6) {
				pc_err(pc, ln, i, DC_GENERAL,
				       "Cannot set label on IPv6 address %s - ignoring", ln->w[0]);
			} else if (strlen(v) >= IF_NAMESIZE) {
				pc_err(pc, ln, i + 1, DC_GENERAL,
				       "Label '%s' is too long - skipping address", v);
				return;
			} else {
				strcpy(a.label, v);
			}
			i++;
		} else if (!strcmp(o, "peer")) {
			bool hp;
			if (!pc_addr(v, &a.peer, &a.peer_prefix, &hp) ||
			    a.peer.family != a.addr.family) {
				pc_err(pc, ln, i + 1, DC_GENERAL,
				       "Invalid peer address %s for %s", v, ln->w[0]);
				return;
			}
			i++;
		} else if (!strcmp(o, "preferred_lft")) {
			if (!strcmp(v, "forever")) {
				a.preferred_lft = -2;
			} else {
				char *end;
				long long n = strtoll(v, &end, 10);
				if (*end || n < 0 || n > 0xffffffffLL) {
					pc_err(pc, ln, i + 1, DC_GENERAL,
					       "Invalid preferred_lft %s for %s", v, ln->w[0]);
					return;
				}
				a.preferred_lft = n;
			}
			i++;
		} else if (!strcmp(o, "track_group")) {
			a.track_group = pc_strdup(pc, v);
			i++;
		} else if (!strcmp(o, "home")) {
			a.home = true;
		} else if (!strcmp(o, "-nodad")) {
			a.nodad = true;
		} else if (!strcmp(o, "mngtmpaddr")) {
			a.mngtmpaddr = true;
		} else if (!strcmp(o, "noprefixroute")) {
			a.noprefixroute = true;
		} else if (!strcmp(o, "autojoin")) {
			a.autojoin = true;
		} else if (!strcmp(o, "no_track")) {
			a.no_track = true;
		} else if (!strcmp(o, "use_vmac")) {
			a.use_vmac = true;
		} else {
			pc_err(pc, ln, i, DC_GENERAL,
			       "Unknown configuration entry '%s' for ip address - ignoring", o);
		}
	}
	if ((a.brd_mode == CF_BRD_SET || a.brd_mode == CF_BRD_CLEAR) && a.prefix > 30) {
		pc_err(pc, ln, 0, DC_GENERAL,
		       "Address prefix length %u too long for broadcast", a.prefix);
		a.brd_mode = CF_BRD_NONE;
	}
	struct cf_ipaddress *slot = PC_PUSH(pc, pc->addrs->v, pc->addrs->n);
	*slot = a;
}

static const char *const route_words[] = {
	"inet", "inet6", "src", "as", "via", "gw", "from", "tos", "table",
	"protocol", "scope", "metric", "priority", "preference", "dev", "oif",
	"onlink", "encap", "expires", "mtu", "hoplimit", "advmss", "rtt",
	"rttvar", "reordering", "window", "cwnd", "ssthresh", "realms",
	"rto_min", "initcwnd", "initrwnd", "features", "quickack", "congctl",
	"pref", "low", "medium", "high", "ttl-propagate", "enabled", "disabled",
	"fastopen_no_cookie", "add", "prepend", "append", "or", "nexthop",
	"no_track", "track_group", "vrf", "to", "weight", "lock", NULL,
};
static const char *const route_types[] = {
	"unicast", "blackhole", "unreachable", "prohibit", "throw", "local",
	"broadcast", "anycast", "multicast", "nat", NULL,
};
static const char *const rule_words[] = {
	"inet", "inet6", "from", "to", "table", "lookup", "preference", "order",
	"priority", "tos", "dsfield", "fwmark", "realms", "suppress_prefixlength",
	"sup_pl", "suppress_ifgroup", "sup_group", "dev", "iif", "oif",
	"tunnel-id", "uidrange", "l3mdev", "protocol", "ipproto", "sport",
	"dport", "no_track", "track_group", "type", "goto", "nop", "not", "all",
	"default", NULL,
};

static bool
in_list(const char *const *list, const char *w)
{
	for (; *list; list++)
		if (!strcmp(*list, w))
			return true;
	return false;
}

/* Words whose next word is a value (so it is not checked as a keyword). */
static bool
takes_value(const char *w)
{
	static const char *const flags[] = {
		"inet", "inet6", "onlink", "no_track", "low", "medium", "high",
		"ttl-propagate", "enabled", "disabled", "fastopen_no_cookie",
		"add", "prepend", "append", "nexthop", "not", "all",
		"default", "nop", "l3mdev", "lock", NULL,
	};
	return !in_list(flags, w);
}

static bool
parse_route_dst(const char *w, struct cf_route *r)
{
	if (!strcmp(w, "default") || !strcmp(w, "any") || !strcmp(w, "all")) {
		r->dst.family = AF_INET;
		r->dst_prefix = 0;
		return true;
	}
	if (!strcmp(w, "default6")) {
		r->dst.family = AF_INET6;
		r->dst_prefix = 0;
		return true;
	}
	bool has_prefix;
	if (!pc_addr(w, &r->dst, &r->dst_prefix, &has_prefix))
		return false;
	if (!has_prefix)
		r->dst_prefix = r->dst.family == AF_INET ? 32 : 128;
	return true;
}

static void
route_words_check(struct pctx *pc, const struct cf_line *ln, struct cf_route *r,
		  bool *has_pref, bool *ok)
{
	bool rules = pc->routes_are_rules;
	const char *const *words = rules ? rule_words : route_words;
	bool have_dst = rules;
	bool in_nexthop = false;	/* a nexthop's dev is not the route's */
	unsigned i = 0;
	if (!rules && in_list(route_types, ln->w[0]))
		i = 1;
	for (; i < ln->n; i++) {
		const char *w = ln->w[i];
		if (!in_list(words, w)) {
			if (!have_dst) {
				if (!parse_route_dst(w, r)) {
					pc_err(pc, ln, i, DC_GENERAL,
					       "VRRP parsed invalid IP %s. skipping IP...", w);
					*ok = false;
					return;
				}
				have_dst = true;
				continue;
			}
			pc_err(pc, ln, i, DC_GENERAL, "Unknown route/rule option '%s'", w);
			*ok = false;
			return;
		}
		if (!strcmp(w, "or"))
			pc_warn(pc, ln, i, DC_DEPRECATED,
				"\"or\" for routes is deprecated. Please use \"nexthop\"");
		if (!rules && !strcmp(w, "gw"))
			pc_warn(pc, ln, i, DC_DEPRECATED,
				"\"gw\" for routes is deprecated. Please use \"via\"");
		if (!strcmp(w, "no_track"))
			r->no_track = true;
		if (!strcmp(w, "nexthop") || !strcmp(w, "or"))
			in_nexthop = true;
		if (!strcmp(w, "preference") || !strcmp(w, "order") || !strcmp(w, "priority"))
			*has_pref = true;
		if (!takes_value(w) && strcmp(w, "or"))
			continue;
		if (i + 1 >= ln->n) {
			pc_err(pc, ln, i, DC_GENERAL, "Missing value for %s", w);
			*ok = false;
			return;
		}
		const char *v = ln->w[++i];
		/* iproute2's "via [inet|inet6] ADDR" */
		if (!rules && (!strcmp(w, "via") || !strcmp(w, "gw")) &&
		    (!strcmp(v, "inet") || !strcmp(v, "inet6"))) {
			if (i + 1 >= ln->n) {
				pc_err(pc, ln, i, DC_GENERAL, "Missing value for %s", w);
				*ok = false;
				return;
			}
			v = ln->w[++i];
		}
		if ((!strcmp(w, "dev") || !strcmp(w, "oif")) && !in_nexthop &&
		    strlen(v) < IF_NAMESIZE)
			strcpy(r->dev, v);
		if (!rules && !strcmp(w, "to")) {
			if (!parse_route_dst(v, r)) {
				pc_err(pc, ln, i, DC_GENERAL,
				       "VRRP parsed invalid IP %s. skipping IP...", v);
				*ok = false;
				return;
			}
			have_dst = true;
		}
		if (rules && (!strcmp(w, "from") || !strcmp(w, "to")) &&
		    strcmp(v, "all") && strcmp(v, "default")) {
			struct cf_inaddr a;
			uint8_t pfx;
			if (!pc_addr(v, &a, &pfx, NULL)) {
				pc_err(pc, ln, i, DC_GENERAL,
				       "VRRP parsed invalid IP %s. skipping IP...", v);
				pc_err(pc, ln, i, DC_GENERAL, "Invalid rule %s address %s", w, v);
				*ok = false;
				return;
			}
		}
	}
}

void
pc_route_entry(struct pctx *pc, const struct cf_line *ln)
{
	struct cf_route r = { .loc = pc_loc(ln) };
	bool has_pref = false, ok = true;
	route_words_check(pc, ln, &r, &has_pref, &ok);
	if (!ok)
		return;
	if (pc->routes_are_rules && !has_pref)
		pc_warn(pc, ln, 0, DC_WARNING,
			"Rule has no preference specified - setting to 16384. This is probably not what you want.");
	if (!pc->routes_are_rules && !r.dev[0] && !r.no_track) {
		char buf[64];
		pc_warn(pc, ln, 0, DC_WARNING,
			"Warning - cannot track route %s/%u with no interface specified, not tracking",
			cf_inaddr_str(&r.dst, buf, sizeof(buf)), r.dst_prefix);
	}
	r.nwords = ln->n;
	r.words = strpool_alloc(&pc->m->pool, ln->n * sizeof(char *));
	for (unsigned k = 0; k < ln->n; k++)
		r.words[k] = pc_strdup(pc, ln->w[k]);
	struct cf_route *slot = PC_PUSH(pc, pc->routes->v, pc->routes->n);
	*slot = r;
}

static void
read_addrs(struct pctx *pc, const struct cf_line *ln, struct cf_ipaddress_list *l)
{
	pc->addrs = l;
	pc_read_values(pc, ln, pc_addr_entry);
	pc->addrs = NULL;
}

static void
read_routes(struct pctx *pc, const struct cf_line *ln, struct cf_route_list *l,
	    bool rules)
{
	pc->routes = l;
	pc->routes_are_rules = rules;
	pc_read_values(pc, ln, pc_route_entry);
	pc->routes = NULL;
}


void
kw_static_addrs(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	read_addrs(pc, ln, &pc->m->static_addrs);
}

void
kw_static_routes(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	bool rules = !strcmp(ln->w[0], "static_rules");
	read_routes(pc, ln, rules ? &pc->m->static_rules : &pc->m->static_routes, rules);
}

/* ---- vrrp_instance ----------------------------------------------------- */

#define VI(f) offsetof(struct cf_vrrp_instance, f)

static void
vi_state(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	struct cf_vrrp_instance *vi = pc->vi;
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	if (!strcmp(s, "MASTER")) {
		vi->state = CF_STATE_MASTER;
	} else if (!strcmp(s, "BACKUP")) {
		if (vi->state == CF_STATE_MASTER) {
			pc_err(pc, ln, 1, DC_GENERAL,
			       "(%s) state previously set as MASTER - ignoring BACKUP",
			       vi->name);
			return;
		}
		vi->state = CF_STATE_BACKUP;
	} else {
		pc_err(pc, ln, 1, DC_GENERAL, "(%s) unknown state '%s', defaulting to BACKUP",
		       vi->name, s);
		vi->state = CF_STATE_BACKUP;
	}
	vi->state_loc = pc_loc(ln);
}

static void
vi_interface(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	if (strlen(s) >= IF_NAMESIZE) {
		pc_err(pc, ln, 1, DC_GENERAL, "(%s) Interface name '%s' too long - ignoring",
		       pc->vi->name, s);
		return;
	}
	strcpy(pc->vi->ifname, s);
	pc->vi->if_loc = pc_loc(ln);
}

static void
vi_vrid(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (!pc_arg(pc, ln, 1))
		return;
	if (!pc_int(pc, ln, 1, 1, 255, &v)) {
		pc_err(pc, ln, 1, DC_GENERAL, "(%s): VRID '%s' not valid - must be between 1 & 255",
		       pc->vi->name, ln->w[1]);
		return;
	}
	pc->vi->vrid = (int)v;
}

static void
vi_priority(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (!pc_arg(pc, ln, 1))
		return;
	if (!pc_int(pc, ln, 1, 1, 255, &v)) {
		pc_err(pc, ln, 1, DC_GENERAL,
		       "(%s) Priority not valid! must be between 1 & 255. Using default 100",
		       pc->vi->name);
		pc->vi->priority = 100;
		pc->vi->priority_set = true;
		return;
	}
	pc->vi->priority = (int)v;
	pc->vi->priority_set = true;
}

static void
vi_advert_int(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	uint64_t v;
	if (!pc_arg(pc, ln, 1))
		return;
	if (!pc_timer(pc, ln, 1, 10000, 255000000, &v)) {
		pc_err(pc, ln, 1, DC_GENERAL,
		       "(%s) Advert interval (%s) not valid! Must be > 0 - ignoring",
		       pc->vi->name, ln->w[1]);
		return;
	}
	pc->vi->advert_us = (uint32_t)v;
}

static void
vi_version(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (!pc_int(pc, ln, 1, 2, 3, &v)) {
		pc_err(pc, ln, 1, DC_GENERAL, "(%s): Version must be either 2 or 3",
		       pc->vi->name);
		return;
	}
	pc->vi->version = (int)v;
}

static void
vi_nopreempt(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	pc->vi->nopreempt = !strcmp(ln->w[0], "nopreempt");
	if (pc->vi->nopreempt)
		pc->vi->nopreempt_loc = pc_loc(ln);
}

static void
vi_preempt_delay(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	uint64_t v;
	if (!pc_timer(pc, ln, 1, 0, 1000000000ULL, &v)) {
		pc->vi->preempt_delay_us = 0;
		return;
	}
	pc->vi->preempt_delay_us = (uint32_t)v;
}

static void
auth_type(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	if (!strcmp(s, "PASS"))
		pc->vi->auth_type = CF_AUTH_PASS;
	else if (!strcmp(s, "AH"))
		pc->vi->auth_type = CF_AUTH_AH;
	else
		pc_err(pc, ln, 1, DC_GENERAL, "(%s) unknown authentication type '%s'",
		       pc->vi->name, s);
}

static void
auth_pass(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	if (strlen(s) > 8)
		pc_err(pc, ln, 1, DC_GENERAL, "Truncating auth_pass to %d characters", 8);
	snprintf(pc->vi->auth_pass, sizeof(pc->vi->auth_pass), "%s", s);
}

static const struct kw auth_kws[] = {
	CUSTOM("auth_type", auth_type),
	CUSTOM("auth_pass", auth_pass),
	{ 0 },
};
static const struct kw_block kb_auth = { "authentication", TG_INSTANCE, auth_kws, NULL };

static void
vi_vips(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	bool excluded = !strcmp(ln->w[0], "virtual_ipaddress_excluded");
	read_addrs(pc, ln, excluded ? &pc->vi->evips : &pc->vi->vips);
}

static void
vi_routes(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	bool rules = !strcmp(ln->w[0], "virtual_rules");
	read_routes(pc, ln, rules ? &pc->vi->vrules : &pc->vi->vroutes, rules);
}

static void
vi_src_ip(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	struct cf_inaddr a;
	if (!s)
		return;
	uint8_t prefix;
	/* keepalived accepts (and ignores) a prefix here */
	if (!pc_addr(s, &a, &prefix, NULL)) {
		pc_err(pc, ln, 1, DC_GENERAL, "(%s) invalid %s %s", pc->vi->name,
		       ln->w[0], s);
		return;
	}
	pc->vi->mcast_src = a;
	if (!strcmp(ln->w[0], "unicast_src_ip"))
		pc->vi->unicast_src_set = true;
}

static void
peer_entry(struct pctx *pc, const struct cf_line *ln)
{
	struct cf_unicast_peer p = { .min_ttl = CF_UNSET, .max_ttl = CF_UNSET,
				     .loc = pc_loc(ln) };
	uint8_t prefix;
	if (!pc_addr(ln->w[0], &p.addr, &prefix, NULL)) {
		pc_err(pc, ln, 0, DC_GENERAL, "(%s) VRRP parsed invalid IP %s. skipping IP...",
		       pc->vi->name, ln->w[0]);
		return;
	}
	for (unsigned i = 1; i < ln->n; i++) {
		long long v;
		if (strcmp(ln->w[i], "min_ttl") && strcmp(ln->w[i], "max_ttl")) {
			pc_err(pc, ln, i, DC_GENERAL, "(%s) unknown unicast_peer option %s",
			       pc->vi->name, ln->w[i]);
			break;
		}
		if (!pc_int(pc, ln, i + 1, 0, 255, &v))
			break;
		if (ln->w[i][1] == 'i')
			p.min_ttl = (int)v;
		else
			p.max_ttl = (int)v;
		i++;
	}
	struct cf_unicast_peer *slot = PC_PUSH(pc, pc->vi->peers, pc->vi->npeers);
	*slot = p;
}

static void
vi_unicast_peer(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	pc_read_values(pc, ln, peer_entry);
}

static void
vi_mcast_dst(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	struct cf_inaddr a;
	if (!s)
		return;
	if (!pc_addr(s, &a, NULL, NULL) ||
	    !(a.family == AF_INET ? (a.a[0] & 0xf0) == 0xe0 : a.a[0] == 0xff)) {
		pc_err(pc, ln, 1, DC_GENERAL, "(%s) mcast_dst_ip %s is not multicast - ignoring",
		       pc->vi->name, s);
		return;
	}
	pc->vi->mcast_dst = a;
}

static void
vi_old_checksum(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	if (ln->n > 1 && strcmp(ln->w[1], "never")) {
		pc_err(pc, ln, 1, DC_GENERAL, "(%s) unknown old_unicast_checksum option %s",
		       pc->vi->name, ln->w[1]);
		return;
	}
	pc->vi->old_unicast_checksum = ln->n > 1 ? 0 : 1;
}

static void
vi_use_vmac(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	pc->vi->use_vmac = true;
	if (ln->n > 1 && strlen(ln->w[1]) < IF_NAMESIZE && !strchr(ln->w[1], ':'))
		strcpy(pc->vi->vmac_ifname, ln->w[1]);
	pc_note_ignored(pc, ln);
}

static void
vi_accept(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	pc->vi->accept = !strcmp(ln->w[0], "accept");
}

static void
vi_skip_check(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	/* 2.2.7 turns the option on for any valid BOOL, even "off" */
	if (ln->n > 1 && pc_bool(ln->w[1]) < 0) {
		pc_err(pc, ln, 1, DC_GENERAL, "Invalid value '%s' for %s specified",
		       ln->w[1], ln->w[0]);
		return;
	}
	if (ln->n > 1 && pc_bool(ln->w[1]) == 0)
		pc_warn(pc, ln, 1, DC_NONE,
			"(%s) 'skip_check_adv_addr %s' turns the option on in keepalived 2.2.7; Vigil turns it off as documented",
			pc->vi->name, ln->w[1]);
	pc->vi->skip_check_adv_addr = ln->n < 2 || pc_bool(ln->w[1]) == 1;
}

static void
vi_debug(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (!pc_arg(pc, ln, 1))
		return;
	if (!pc_int(pc, ln, 1, 0, 4, &v)) {
		pc_err(pc, ln, 1, DC_GENERAL,
		       "(%s) Debug value '%s' not valid; must be between 0-4",
		       pc->vi->name, ln->w[1]);
		return;
	}
	pc->vi->debug = (int)v;
}

static void
vi_garp(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	kw_garp_value(pc, ln, &pc->vi->garp, ln->w[0] + strlen("garp_"));
}

static void
vi_extra_if(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	if (!strcmp(ln->w[0], "vmac_garp_intvl"))
		pc_warn(pc, ln, 0, DC_DEPRECATED,
			"Keyword \"vmac_garp_intvl\" is deprecated - please use \"garp_extra_if\"");
	kw_extra_if(pc, ln, &pc->vi->garp, 0);
}

static void
vi_linkbeat(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	pc_warn(pc, ln, 0, DC_DEPRECATED,
		"(%s) 'linkbeat_use_polling' in vrrp instance deprecated - use linkbeat_interfaces block",
		pc->vi->name);
}

static void
vi_lvs_sync(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	pc_warn(pc, ln, 0, DC_DEPRECATED,
		"(%s) Specifying lvs_sync_daemon_interface against a vrrp is deprecated.",
		pc->vi->name);
	pc_warn(pc, ln, 0, DC_DEPRECATED, "        Please use global lvs_sync_daemon");
}

static void
vi_kernel_rx_buf(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (pc_int(pc, ln, 1, 0, UINT32_MAX, &v))
		pc->vi->kernel_rx_buf_size = (uint32_t)v;
}

static void
vi_ipvlan(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	pc_unsupported(pc, &pc->vi->unsupported, ln);
}

static void
vi_end(struct pctx *pc, const struct cf_line *end)
{
	pc->vi->end = pc_loc(end);
}

static const struct kw instance_kws[] = {
	CUSTOM("state", vi_state),
	CUSTOM("interface", vi_interface),
	IGN("vrf"),
	CUSTOM("virtual_router_id", vi_vrid),
	CUSTOM("priority", vi_priority),
	CUSTOM("advert_int", vi_advert_int),
	CUSTOM("version", vi_version),
	{ .name = "native_ipv6", .type = KT_FLAG, .off = VI(native_ipv6) },
	CUSTOM("nopreempt", vi_nopreempt),
	CUSTOM("preempt", vi_nopreempt),
	CUSTOM("preempt_delay", vi_preempt_delay),
	{ .name = "authentication", .type = KT_BLOCK, .sub = &kb_auth },
	CUSTOM("auth_type", auth_type),
	CUSTOM("auth_pass", auth_pass),
	CUSTOM("virtual_ipaddress", vi_vips),
	CUSTOM("virtual_ipaddress_excluded", vi_vips),
	CUSTOM("virtual_routes", vi_routes),
	CUSTOM("virtual_rules", vi_routes),
	{ .name = "promote_secondaries", .type = KT_FLAG, .off = VI(promote_secondaries) },
	CUSTOM("track_virtual_server", kw_track_vs),
	CUSTOM("track_interface", kw_track),
	CUSTOM("track_script", kw_track),
	CUSTOM("track_file", kw_track),
	CUSTOM("track_process", kw_track),
	CUSTOM("track_bfd", kw_track),
	{ .name = "dont_track_primary", .type = KT_FLAG, .off = VI(dont_track_primary) },
	CUSTOM("mcast_src_ip", vi_src_ip),
	CUSTOM("unicast_src_ip", vi_src_ip),
	CUSTOM("unicast_peer", vi_unicast_peer),
	{ .name = "unicast_ttl", .type = KT_INT, .off = VI(unicast_ttl), .min = 0, .max = 255 },
	{ .name = "unicast_fault_no_peer", .type = KT_FLAG, .off = VI(unicast_fault_no_peer) },
	{ .name = "check_unicast_src", .type = KT_FLAG, .off = VI(check_unicast_src) },
	CUSTOM("old_unicast_checksum", vi_old_checksum),
	CUSTOM("mcast_dst_ip", vi_mcast_dst),
	{ .name = "track_src_ip", .type = KT_FLAG, .off = VI(track_src_ip) },
	CUSTOM("use_vmac", vi_use_vmac),
	{ .name = "use_vmac_addr", .type = KT_FLAG, .off = VI(use_vmac_addr) },
	{ .name = "vmac_xmit_base", .type = KT_FLAG, .off = VI(vmac_xmit_base) },
	CUSTOM("use_ipvlan", vi_ipvlan),
	CUSTOM("accept", vi_accept),
	CUSTOM("no_accept", vi_accept),
	CUSTOM("skip_check_adv_addr", vi_skip_check),
	{ .name = "strict_mode", .type = KT_OPTBOOL_INT, .off = VI(strict_mode) },
	CUSTOM("debug", vi_debug),
	CUSTOM("notify_master", kw_notify),
	CUSTOM("notify_backup", kw_notify),
	CUSTOM("notify_fault", kw_notify),
	CUSTOM("notify_stop", kw_notify),
	CUSTOM("notify_deleted", kw_notify),
	CUSTOM("notify", kw_notify),
	CUSTOM("notify_master_rx_lower_pri", kw_notify),
	{ .name = "smtp_alert", .type = KT_OPTBOOL_INT, .off = VI(smtp_alert) },
	{ .name = "notify_priority_changes", .type = KT_OPTBOOL_INT,
	  .off = VI(notify_priority_changes) },
	CUSTOM("garp_master_delay", vi_garp),
	CUSTOM("garp_master_repeat", vi_garp),
	CUSTOM("garp_master_refresh", vi_garp),
	CUSTOM("garp_master_refresh_repeat", vi_garp),
	CUSTOM("garp_lower_prio_delay", vi_garp),
	CUSTOM("garp_lower_prio_repeat", vi_garp),
	CUSTOM("garp_extra_if", vi_extra_if),
	CUSTOM("vmac_garp_intvl", vi_extra_if),
	{ .name = "down_timer_adverts", .type = KT_INT, .off = VI(down_timer_adverts),
	  .min = 1, .max = 100 },
	{ .name = "lower_prio_no_advert", .type = KT_OPTBOOL_INT, .off = VI(lower_prio_no_advert) },
	{ .name = "higher_prio_send_advert", .type = KT_OPTBOOL_INT,
	  .off = VI(higher_prio_send_advert) },
	CUSTOM("kernel_rx_buf_size", vi_kernel_rx_buf),
	CUSTOM("linkbeat_use_polling", vi_linkbeat),
	CUSTOM("lvs_sync_daemon_interface", vi_lvs_sync),
	{ 0 },
};
const struct kw_block kb_instance = { "vrrp_instance", TG_INSTANCE, instance_kws, vi_end };


void
kw_vrrp_instance(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	if (ln->n != 2) {
		pc_err(pc, ln, 1, DC_GENERAL, "vrrp_instance must have a name");
		skip_rejected_block(pc);
		return;
	}
	const char *name = ln->w[1];
	for (size_t i = 0; i < pc->m->ninstances; i++) {
		if (!strcmp(pc->m->instances[i].name, name)) {
			pc_err(pc, ln, 1, DC_GENERAL, "vrrp instance %s already defined", name);
			skip_rejected_block(pc);
			return;
		}
	}
	struct cf_vrrp_instance *vi = PC_PUSH(pc, pc->m->instances, pc->m->ninstances);
	model_instance_defaults(vi);
	vi->name = pc_strdup(pc, name);
	vi->loc = pc_loc(ln);
	pc->vi = vi;
	enter_block(pc, ln, &kb_instance);
	pc->vi = NULL;
}

/* ---- bfd_instance, linkbeat_interfaces, interface_up_down_delays ------- */

static void
bfd_weight(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	pc_int(pc, ln, 1, -253, 253, &v);
}

static const struct kw bfd_kws[] = {
	{ .name = "neighbor_ip", .type = KT_ADDR },
	{ .name = "neighbour_ip", .type = KT_ADDR },
	{ .name = "source_ip", .type = KT_ADDR },
	{ .name = "min_rx", .type = KT_UINT, .min = 1, .max = 4294967 },
	{ .name = "min_tx", .type = KT_UINT, .min = 1, .max = 4294967 },
	{ .name = "idle_tx", .type = KT_UINT, .min = 1000, .max = 4294967 },
	{ .name = "multiplier", .type = KT_UINT, .min = 1, .max = 255 },
	{ .name = "passive", .type = KT_FLAG },
	{ .name = "ttl", .type = KT_UINT, .min = 1, .max = 255 },
	{ .name = "hoplimit", .type = KT_UINT, .min = 1, .max = 255 },
	{ .name = "max_hops", .type = KT_INT, .min = -1, .max = 255 },
	CUSTOM("weight", bfd_weight),
	{ .name = "vrrp", .type = KT_FLAG },
	{ .name = "checker", .type = KT_FLAG },
	{ 0 },
};
const struct kw_block kb_bfd_instance = { "bfd_instance", TG_NONE, bfd_kws, NULL };


void
kw_bfd_instance(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *name = block_name(pc, ln);
	if (!name) {
		skip_rejected_block(pc);
		return;
	}
	if (strlen(name) > 31)
		pc_err(pc, ln, 1, DC_GENERAL, "BFD instance name %s too long - truncating", name);
	char **slot = PC_PUSH(pc, pc->m->bfd_names, pc->m->nbfd);
	*slot = pc_strdup(pc, name);
	pc_unsupported(pc, &pc->m->unsupported, ln);
	enter_block(pc, ln, &kb_bfd_instance);
}

static void
linkbeat_entry(struct pctx *pc, const struct cf_line *ln)
{
	if (pc->opts->check_interfaces && !if_nametoindex(ln->w[0]))
		pc_err(pc, ln, 0, DC_FATAL,
		       "unknown interface %s specified for linkbeat interface", ln->w[0]);
	if (ln->n > 1 && strcmp(ln->w[1], "MII") && strcmp(ln->w[1], "ETHTOOL") &&
	    strcmp(ln->w[1], "IOCTL"))
		pc_err(pc, ln, 1, DC_GENERAL, "Unknown linkbeat type %s", ln->w[1]);
}


void
kw_linkbeat_interfaces(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	pc_unsupported(pc, &pc->m->unsupported, ln);
	pc_read_values(pc, ln, linkbeat_entry);
}

static void
updown_entry(struct pctx *pc, const struct cf_line *ln)
{
	uint64_t v;
	if (pc->opts->check_interfaces && !if_nametoindex(ln->w[0]))
		pc_err(pc, ln, 0, DC_FATAL,
		       "unknown interface %s specified for up/down delays", ln->w[0]);
	if (ln->n > 1)
		pc_timer(pc, ln, 1, 0, 255000000, &v);
	if (ln->n > 2)
		pc_timer(pc, ln, 2, 0, 255000000, &v);
}


void
kw_up_down_delays(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	pc_unsupported(pc, &pc->m->unsupported, ln);
	pc_read_values(pc, ln, updown_entry);
}
