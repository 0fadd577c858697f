/* kw_global.c - top-level and global_defs keywords. */
#include "config.h"

#include <netdb.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse_int.h"
#include "smtp.h"	/* the retry bounds */

#define G(f) offsetof(struct cf_global, f)
#define IGN(n) { .name = n, .type = KT_IGNORED }
#define FLAG(n, f) { .name = n, .type = KT_FLAG, .off = G(f) }
#define OPTB(n, f) { .name = n, .type = KT_OPTBOOL, .off = G(f) }
#define OPTBI(n, f) { .name = n, .type = KT_OPTBOOL_INT, .off = G(f) }
#define INT(n, f, lo, hi) { .name = n, .type = KT_INT, .off = G(f), .min = lo, .max = hi }
#define CUSTOM(n, fn_) { .name = n, .type = KT_CUSTOM, .fn = fn_ }

/* ---- global_defs handlers --------------------------------------------- */

static bool
host_resolves(const char *host)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	if (getaddrinfo(host, NULL, &hints, &res) || !res)
		return false;
	freeaddrinfo(res);
	return true;
}

static void
kw_router_id(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	if (ln->n < 2) {
		pc_err(pc, ln, 1, DC_GENERAL, "routerid name missing - ignoring");
		return;
	}
	pc->m->global.router_id = pc_strdup(pc, ln->w[1]);
}

static void
email_entry(struct pctx *pc, const struct cf_line *ln)
{
	struct cf_global *g = &pc->m->global;
	for (unsigned i = 0; i < ln->n; i++) {
		char **slot = PC_PUSH(pc, g->emails, g->nemails);
		*slot = pc_strdup(pc, ln->w[i]);
	}
}

static void
kw_emails(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	size_t before = pc->m->global.nemails;
	const struct cf_line *end = pc_read_values(pc, ln, email_entry);
	if (pc->m->global.nemails == before)
		pc_warn(pc, end ? end : ln, 0, DC_WARNING,
			"Warning - empty notification_email block");
}

static void
kw_smtp_server(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	struct cf_global *g = &pc->m->global;
	const char *host = pc_arg(pc, ln, 1);
	if (!host)
		return;
	long long port = 25;
	if (ln->n > 2 && !pc_int(pc, ln, 2, 1, 65535, &port)) {
		pc_err(pc, ln, 2, DC_GENERAL, "Invalid smtp server %s %s", host,
		       ln->w[2]);
		return;
	}
	struct cf_inaddr a;
	if (pc_addr(host, &a, NULL, NULL)) {
		g->smtp_addr = a;
	} else if (strspn(host, "0123456789.") == strlen(host) || strchr(host, ':') ||
		   (pc->opts->check_scripts && !host_resolves(host))) {
		/* keepalived resolves the name while parsing */
		pc_err(pc, ln, 1, DC_GENERAL, "Invalid smtp server %s %lld", host, port);
		return;
	}
	g->smtp_server = pc_strdup(pc, host);
	g->smtp_port = (uint16_t)port;
}

static void
kw_smtp_connect_timeout(struct pctx *pc, const struct cf_line *ln,
			const struct kw *k)
{
	long long v;
	if (!pc_int(pc, ln, 1, 0, 4294, &v)) {
		if (ln->n > 1)
			pc_err(pc, ln, 1, DC_GENERAL,
			       "smtp_connect_timeout '%s' must be in [0, 4294] - ignoring",
			       ln->w[1]);
		return;
	}
	if (v == 0) {
		/* keepalived's own message, typo included */
		pc_err(pc, ln, 1, DC_GENERAL,
		       "smtp_conect_timeout must be greater than 0, setting to 1");
		v = 1;
	}
	pc->m->global.smtp_connect_timeout = (unsigned)v;
}

/* ---- Vigil's SMTP extensions (not keepalived's: doc/engine.md) ---- */

static void
kw_smtp_retries(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (pc_int(pc, ln, 1, 0, SMTP_RETRIES_MAX, &v))
		pc->m->global.smtp_attempts = (unsigned)v + 1;
}

static void
kw_smtp_retry_delay(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (pc_int(pc, ln, 1, 1, SMTP_RETRY_DELAY_MAX, &v))
		pc->m->global.smtp_retry_delay = (unsigned)v;
}

/* STARTTLS and AUTH are libcurl's: a build without it still parses the
 * keywords (so -d shows them) but says, at the keyword, that they can't
 * work; the daemon then sends no alerts rather than send them in clear. */
static void
require_curl(struct pctx *pc, const struct cf_line *ln)
{
#ifndef HAVE_LIBCURL
	pc_err(pc, ln, 0, DC_GENERAL,
	       "%s: Vigil was built without libcurl, so SMTP alerts can't use STARTTLS or AUTH",
	       ln->w[0]);
#endif
}

static void
kw_smtp_starttls(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	int b = ln->n > 1 ? pc_bool(ln->w[1]) : 1;
	if (b < 0) {
		pc_err(pc, ln, 1, DC_GENERAL, "Invalid value '%s' for %s specified",
		       ln->w[1], ln->w[0]);
		return;
	}
	require_curl(pc, ln);
	pc->m->global.smtp_starttls = b;
}

static void
kw_smtp_tls_verify(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	int b = ln->n > 1 ? pc_bool(ln->w[1]) : 1;
	if (b < 0) {
		pc_err(pc, ln, 1, DC_GENERAL, "Invalid value '%s' for %s specified",
		       ln->w[1], ln->w[0]);
		return;
	}
	require_curl(pc, ln);
	pc->m->global.smtp_tls_noverify = !b;
}

static void
kw_smtp_tls_str(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	require_curl(pc, ln);
	*(char **)((char *)&pc->m->global + k->off) = pc_strdup(pc, s);
}

static void
kw_smtp_tls_ca_file(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	/* like scripts: only looked up when checking against this host */
	if (pc->opts->check_scripts && access(s, R_OK) < 0)
		pc_err(pc, ln, 1, DC_GENERAL, "smtp_tls_ca_file %s is not readable", s);
	kw_smtp_tls_str(pc, ln, k);
}

/* ---- Vigil's live status (doc/engine.md) ---- */

static void
kw_status_socket(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	if (s[0] != '/') {
		pc_err(pc, ln, 1, DC_GENERAL, "status_socket %s must be an absolute path", s);
		return;
	}
	if (strlen(s) >= 108) {	/* sun_path */
		pc_err(pc, ln, 1, DC_GENERAL, "status_socket %s is too long for a socket path", s);
		return;
	}
	pc->m->global.status_socket = pc_strdup(pc, s);
}

/* "192.0.2.1:8080" or "[2001:db8::1]:8080" */
static bool
parse_addr_port(const char *s, struct cf_inaddr *a, long *port)
{
	char host[64];
	const char *colon = s[0] == '[' ? strstr(s, "]:") : strrchr(s, ':');
	const char *h = s[0] == '[' ? s + 1 : s;
	if (!colon || colon <= h || (size_t)(colon - h) >= sizeof(host))
		return false;
	memcpy(host, h, (size_t)(colon - h));
	host[colon - h] = '\0';
	const char *p = colon + (s[0] == '[' ? 2 : 1);
	char *end;
	*port = strtol(p, &end, 10);
	if (end == p || *end || *port < 1 || *port > 65535)
		return false;
	bool v6 = s[0] == '[';
	return pc_addr(host, a, NULL, NULL) && (a->family == AF_INET6) == v6;
}

static void
kw_status_listen(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	struct cf_global *g = &pc->m->global;
	long port;
	if (!s)
		return;
	if (!parse_addr_port(s, &g->status_addr, &port)) {
		pc_err(pc, ln, 1, DC_GENERAL,
		       "status_listen %s: expected ADDR:PORT (IPv6 as [ADDR]:PORT)", s);
		memset(&g->status_addr, 0, sizeof(g->status_addr));
		return;
	}
	g->status_port = (uint16_t)port;
	g->status_control = false;
	if (ln->n > 2 && !strcmp(ln->w[2], "control"))
		g->status_control = true;
	else if (ln->n > 2)
		pc_err(pc, ln, 2, DC_GENERAL, "status_listen: unknown option '%s' (only 'control')",
		       ln->w[2]);
}

/* Cross-checks, at the closing brace: the keywords may come in any order. */
static void
global_defs_end(struct pctx *pc, const struct cf_line *end)
{
	const struct cf_global *g = &pc->m->global;
	if (!g->smtp_auth_user != !g->smtp_auth_password)
		pc_err(pc, end, 0, DC_GENERAL, "%s without %s - SMTP alerts won't authenticate",
		       g->smtp_auth_user ? "smtp_auth_user" : "smtp_auth_password",
		       g->smtp_auth_user ? "smtp_auth_password" : "smtp_auth_user");
	if (g->smtp_auth_user && !g->smtp_starttls)
		pc_warn(pc, end, 0, DC_WARNING,
			"smtp_auth_user without smtp_starttls - the SMTP password will cross the network in clear");
	if ((g->smtp_tls_ca_file || g->smtp_tls_noverify) && !g->smtp_starttls)
		pc_warn(pc, end, 0, DC_WARNING,
			"smtp_tls_ca_file/smtp_tls_verify without smtp_starttls have no effect");
}

static void
kw_script_timeout(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (!pc_int(pc, ln, 1, 1, 1000, &v))
		return;
	if (!strcmp(ln->w[0], "startup_script_timeout"))
		pc->m->global.startup_script_timeout = (unsigned)v;
	else
		pc->m->global.shutdown_script_timeout = (unsigned)v;
}

static void
kw_max_auto_priority(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v = 99;
	if (ln->n > 1 && !pc_int(pc, ln, 1, -1, 99, &v)) {
		pc_err(pc, ln, 1, DC_GENERAL,
		       "max_auto_priority '%s' must be in [0, 99] (or -1 to disable) - ignoring",
		       ln->w[1]);
		return;
	}
	pc->m->global.max_auto_priority = (int)v;
}

static void
kw_dynamic_interfaces(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	if (ln->n > 1 && strcmp(ln->w[1], "allow_if_changes")) {
		pc_err(pc, ln, 1, DC_GENERAL, "Unknown dynamic_interfaces option '%s'",
		       ln->w[1]);
		return;
	}
	pc->m->global.dynamic_interfaces = true;
}

static void
kw_mcast_group(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	bool v6 = !strcmp(ln->w[0], "vrrp_mcast_group6");
	const char *s = pc_arg(pc, ln, 1);
	struct cf_inaddr a;
	if (!s)
		return;
	bool ok = pc_addr(s, &a, NULL, NULL) &&
		  a.family == (v6 ? AF_INET6 : AF_INET) &&
		  (v6 ? a.a[0] == 0xff : (a.a[0] & 0xf0) == 0xe0);
	if (!ok) {
		pc_err(pc, ln, 1, DC_GENERAL, "%s [%s] is not multicast. Skipping",
		       ln->w[0], s);
		return;
	}
	if (v6 && (a.a[1] & 0x0f) != 0x02)
		pc_warn(pc, ln, 1, DC_WARNING,
			"vrrp_mcast_group6 [%s] should be link-local multicast.", s);
	if (v6)
		pc->m->global.mcast_group6 = a;
	else
		pc->m->global.mcast_group4 = a;
}

static void
kw_vrrp_version(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (!pc_int(pc, ln, 1, 2, 3, &v)) {
		pc_err(pc, ln, 1, DC_GENERAL, "VRRP Error: Version must be either 2 or 3");
		return;
	}
	pc->m->global.vrrp_version = (int)v;
}

/* Shared by global_defs and vrrp_instance: garp delays and repeats. */

void
kw_garp_value(struct pctx *pc, const struct cf_line *ln, struct cf_garp *g,
	      const char *name)
{
	long long v;
	if (!strcmp(name, "master_delay")) {
		if (pc_int(pc, ln, 1, 0, 4294, &v))
			g->master_delay = (int)v;
	} else if (!strcmp(name, "master_refresh")) {
		if (pc_int(pc, ln, 1, 0, 4294, &v))
			g->master_refresh = (int)v;
		else
			g->master_refresh = 0;
	} else if (!strcmp(name, "lower_prio_delay")) {
		if (pc_int(pc, ln, 1, 0, 4294, &v))
			g->lower_prio_delay = (int)v;
	} else if (!strcmp(name, "lower_prio_repeat")) {
		if (pc_int(pc, ln, 1, 0, 2147483647, &v))
			g->lower_prio_repeat = (int)v;
	} else {
		/* master_repeat, master_refresh_repeat: 0 -> 1 */
		bool refresh = !strcmp(name, "master_refresh_repeat");
		if (!pc_int(pc, ln, 1, 0, 2147483647, &v))
			return;
		if (v == 0) {
			pc_err(pc, ln, 1, DC_GENERAL,
			       "%s must be greater than 0, setting to 1", ln->w[0]);
			v = 1;
		}
		if (refresh)
			g->master_refresh_repeat = (int)v;
		else
			g->master_repeat = (int)v;
	}
}

static void
kw_global_garp(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	/* "vrrp_garp_" + name */
	kw_garp_value(pc, ln, &pc->m->global.garp, ln->w[0] + strlen("vrrp_garp_"));
}

static void
kw_garp_interval(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	uint64_t v;
	if (!pc_timer(pc, ln, 1, 1, 4294967295ULL, &v))
		return;
	/* keepalived logs this without calling the config wrong (-t: rc 0) */
	if (v >= 1000000)
		pc_note(pc, ln, 1, "The %s is very large - %s seconds", ln->w[0], ln->w[1]);
	if (!strcmp(ln->w[0], "vrrp_gna_interval"))
		pc->m->global.gna_interval_us = (uint32_t)v;
	else
		pc->m->global.garp_interval_us = (uint32_t)v;
}

/* [all] SECS: shared with instances (garp_extra_if). */

void
kw_extra_if(struct pctx *pc, const struct cf_line *ln, struct cf_garp *g,
	    long long min)
{
	unsigned i = 1;
	bool all = false;
	if (i < ln->n && !strcmp(ln->w[i], "all")) {
		all = true;
		i++;
	}
	long long v;
	if (!pc_int(pc, ln, i, min, 86400, &v))
		return;
	g->extra_if = (int)v;
	g->extra_if_all = all;
}

static void
kw_global_extra_if(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	if (!strcmp(ln->w[0], "vrrp_vmac_garp_intvl"))
		pc_warn(pc, ln, 0, DC_DEPRECATED,
			"Keyword \"vrrp_vmac_garp_intvl\" is deprecated - please use \"vrrp_garp_extra_if\"");
	kw_extra_if(pc, ln, &pc->m->global.garp, 1);
}

static void
kw_startup_delay(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	uint64_t v;
	if (!pc_timer(pc, ln, 1, 1000, 4294967295ULL, &v))
		return;
	if (v >= 60000000)
		pc_note(pc, ln, 1,
			"The vrrp_startup_delay is very large - %s seconds", ln->w[1]);
	pc->m->global.startup_delay_us = (uint32_t)v;
}

static void
kw_nice(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (!pc_int(pc, ln, 1, -20, 19, &v)) {
		pc_err(pc, ln, 1, DC_GENERAL, "Invalid %s specified", ln->w[0]);
		return;
	}
	if (!strcmp(ln->w[0], "vrrp_priority")) {
		pc->m->global.vrrp_priority = (int)v;
		pc->m->global.vrrp_priority_set = true;
	} else
		pc_unsupported(pc, &pc->m->global.unsupported, ln);
}

static void
kw_rt_priority(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (!pc_int(pc, ln, 1, INT32_MIN, INT32_MAX, &v))
		return;
	if (v < 1) {
		pc_err(pc, ln, 1, DC_GENERAL, "%s %lld less than minimum 1 - setting to minimum",
		       ln->w[0], v);
		v = 1;
	} else if (v > 99) {
		pc_err(pc, ln, 1, DC_GENERAL, "%s %lld greater than maximum 99 - setting to maximum",
		       ln->w[0], v);
		v = 99;
	}
	if (!strcmp(ln->w[0], "vrrp_rt_priority"))
		pc->m->global.vrrp_rt_priority = (int)v;
	else
		pc_unsupported(pc, &pc->m->global.unsupported, ln);
}

/* vrrp_rlimit_rttime USECS (and its old spelling *_rlimit_rtime): the
 * CPU time a real-time process may use without blocking */
static void
kw_rlimit_rttime(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	uint32_t v;
	const char *which = !strncmp(ln->w[0], "vrrp_", 5)      ? "vrrp"
			    : !strncmp(ln->w[0], "checker_", 8) ? "checker" : "bfd";
	if (!pc_uint(pc, ln, 1, 1, UINT32_MAX, &v)) {
		if (ln->n > 1)
			pc_err(pc, ln, 1, DC_GENERAL, "Invalid %s real-time limit - %s", which,
			       ln->w[1]);
		return;
	}
	if (!strcmp(which, "vrrp"))
		pc->m->global.vrrp_rlimit_rttime_us = v;
	else
		pc_unsupported(pc, &pc->m->global.unsupported, ln);
}

static void
kw_fifo(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	struct cf_global *g = &pc->m->global;
	struct cf_fifo *f = k->off == 1 ? &g->vrrp_notify_fifo :
			    k->off == 2 ? &g->lvs_notify_fifo : &g->notify_fifo;
	const char *path = pc_arg(pc, ln, 1);
	if (!path)
		return;
	if (f->path) {
		pc_err(pc, ln, 1, DC_GENERAL, "%s already specified - ignoring %s",
		       ln->w[0], path);
		return;
	}
	f->path = pc_strdup(pc, path);
	if (ln->n > 2)
		f->user = pc_strdup(pc, ln->w[2]);
	if (ln->n > 3)
		f->group = pc_strdup(pc, ln->w[3]);
}

static void
kw_fifo_script(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	struct cf_global *g = &pc->m->global;
	struct cf_fifo *f = k->off == 1 ? &g->vrrp_notify_fifo :
			    k->off == 2 ? &g->lvs_notify_fifo : &g->notify_fifo;
	struct cf_script *sc = pc_script(pc, ln, 1);
	if (sc)
		f->script = sc;
}

static void
kw_script_user(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	struct cf_global *g = &pc->m->global;
	const char *u = pc_arg(pc, ln, 1);
	if (!u)
		return;
	g->script_user = pc_strdup(pc, u);
	g->script_group = ln->n > 2 ? pc_strdup(pc, ln->w[2]) : NULL;
	g->script_user_set = true;
	if (pc->opts->check_scripts && !pc_user_known(u, g->script_group)) {
		pc_err(pc, ln, 1, DC_GENERAL, "Error setting global script uid/gid");
		pc->script_user_bad = true;
	}
}

static void
kw_umask(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	static const struct { const char *n; unsigned v; } bits[] = {
		{ "IRUSR", 0400 }, { "IWUSR", 0200 }, { "IXUSR", 0100 },
		{ "IRGRP", 040 }, { "IWGRP", 020 }, { "IXGRP", 010 },
		{ "IROTH", 04 }, { "IWOTH", 02 }, { "IXOTH", 01 },
	};
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	unsigned mask = 0;
	if (s[0] >= '0' && s[0] <= '9') {
		char *end;
		long v = strtol(s, &end, 0);
		if (*end || v < 0 || v > 0777) {
			pc_err(pc, ln, 1, DC_GENERAL, "Invalid umask value %s", s);
			return;
		}
		mask = (unsigned)v;
	} else {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", s);
		for (char *tok = strtok(buf, "|"); tok; tok = strtok(NULL, "|")) {
			size_t i;
			for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
				if (!strcmp(tok, bits[i].n))
					break;
			if (i == sizeof(bits) / sizeof(bits[0])) {
				pc_err(pc, ln, 1, DC_GENERAL, "Invalid umask value %s", s);
				return;
			}
			mask |= bits[i].v;
		}
	}
	pc->m->global.umask = mask;
	pc->m->global.umask_set = true;
}

static void
kw_random_seed(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (pc_int(pc, ln, 1, 0, UINT32_MAX, &v)) {
		pc->m->global.random_seed = (unsigned)v;
		pc->m->global.random_seed_set = true;
	}
}

static void
kw_opt_path(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	struct cf_global *g = &pc->m->global;
	if (!strcmp(ln->w[0], "reload_check_config"))
		g->reload_check_config = pc_strdup(pc, ln->n > 1 ? ln->w[1] : "/dev/null");
	else
		g->reload_file = pc_strdup(pc, ln->n > 1 ? ln->w[1] : "/run/keepalived.reload");
}

static void
kw_include_check(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	static const struct { const char *n; unsigned v; } types[] = {
		{ "read", CF_INC_READ }, { "match", CF_INC_MATCH },
		{ "wildcard_match", CF_INC_WILDCARD }, { "brace_match", CF_INC_BRACE },
	};
	struct cf_global *g = &pc->m->global;
	if (ln->n == 1) {
		g->include_check = CF_INC_ALL;
		return;
	}
	for (unsigned i = 1; i < ln->n; i++) {
		const char *w = ln->w[i];
		int sign = 0;
		if (*w == '+' || *w == '-')
			sign = *w++ == '+' ? 1 : -1;
		size_t t;
		for (t = 0; t < sizeof(types) / sizeof(types[0]); t++)
			if (!strcmp(w, types[t].n))
				break;
		if (t == sizeof(types) / sizeof(types[0])) {
			pc_err(pc, ln, i, DC_GENERAL,
			       "Unknown include_check type '%s' - ignoring", ln->w[i]);
			continue;
		}
		if (sign < 0)
			g->include_check &= ~types[t].v;
		else
			g->include_check |= types[t].v;
	}
}

static void
kw_process_name(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	if (s && strlen(s) > 15)
		pc_err(pc, ln, 1, DC_GENERAL, "%s '%s' too long - truncating", ln->w[0], s);
	pc_unsupported(pc, &pc->m->global.unsupported, ln);
}

static void
kw_one_arg_ignored(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	if (pc_arg(pc, ln, 1))
		pc_unsupported(pc, &pc->m->global.unsupported, ln);
}

static void
kw_lvs_timeouts(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	if (ln->n < 2) {
		pc_err(pc, ln, 0, DC_GENERAL, "lvs_timeouts requires at least one option");
		return;
	}
	for (unsigned i = 1; i < ln->n; i++) {
		const char *w = ln->w[i];
		if (strcmp(w, "tcp") && strcmp(w, "tcpfin") && strcmp(w, "udp")) {
			pc_err(pc, ln, i, DC_GENERAL, "Unknown option %s specified for lvs_timeouts", w);
			continue;
		}
		long long v;
		if (i + 1 >= ln->n) {
			pc_err(pc, ln, i, DC_GENERAL, "No value specified for lvs_timeout %s", w);
			break;
		}
		if (!pc_int(pc, ln, i + 1, 0, 2678400, &v))
			pc_err(pc, ln, i + 1, DC_GENERAL, "Invalid lvs_timeout %s (%s) - ignoring",
			       w, ln->w[i + 1]);
		i++;
	}
	pc_unsupported(pc, &pc->m->global.unsupported, ln);
}

static void
kw_lvs_sync_daemon(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	if (ln->n < 2) {
		pc_err(pc, ln, 0, DC_GENERAL, "lvs_sync_daemon requires interface");
		return;
	}
	pc_unsupported(pc, &pc->m->global.unsupported, ln);
}

static void
kw_iptables(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	/* Debian's keepalived is built without iptables */
	pc_err(pc, ln, 0, DC_GENERAL,
	       "iptables not supported, using nftables instead. Please replace 'vrrp_iptables and 'vrrp_ipsets' with 'nftables' config option");
	pc_unsupported(pc, &pc->m->global.unsupported, ln);
}

static const struct kw global_kws[] = {
	CUSTOM("router_id", kw_router_id),
	CUSTOM("notification_email", kw_emails),
	{ .name = "notification_email_from", .type = KT_STR, .off = G(email_from) },
	CUSTOM("smtp_server", kw_smtp_server),
	{ .name = "smtp_helo_name", .type = KT_STR, .off = G(smtp_helo_name) },
	CUSTOM("smtp_connect_timeout", kw_smtp_connect_timeout),
	OPTBI("smtp_alert", smtp_alert),
	OPTBI("smtp_alert_vrrp", smtp_alert_vrrp),
	OPTBI("smtp_alert_checker", smtp_alert_checker),
	FLAG("no_email_faults", no_email_faults),
	/* Vigil extensions */
	CUSTOM("smtp_retries", kw_smtp_retries),
	CUSTOM("smtp_retry_delay", kw_smtp_retry_delay),
	CUSTOM("smtp_starttls", kw_smtp_starttls),
	{ .name = "smtp_auth_user", .type = KT_CUSTOM, .fn = kw_smtp_tls_str,
	  .off = G(smtp_auth_user) },
	{ .name = "smtp_auth_password", .type = KT_CUSTOM, .fn = kw_smtp_tls_str,
	  .off = G(smtp_auth_password) },
	{ .name = "smtp_tls_ca_file", .type = KT_CUSTOM, .fn = kw_smtp_tls_ca_file,
	  .off = G(smtp_tls_ca_file) },
	CUSTOM("smtp_tls_verify", kw_smtp_tls_verify),
	CUSTOM("status_socket", kw_status_socket),
	CUSTOM("status_listen", kw_status_listen),
	IGN("checker_log_all_failures"),
	{ .name = "startup_script", .type = KT_SCRIPT, .off = G(startup_script) },
	{ .name = "shutdown_script", .type = KT_SCRIPT, .off = G(shutdown_script) },
	CUSTOM("startup_script_timeout", kw_script_timeout),
	CUSTOM("shutdown_script_timeout", kw_script_timeout),
	CUSTOM("max_auto_priority", kw_max_auto_priority),
	IGN("min_auto_priority_delay"),
	IGN("process_names"),
	CUSTOM("process_name", kw_process_name),
	CUSTOM("vrrp_process_name", kw_process_name),
	CUSTOM("checker_process_name", kw_process_name),
	CUSTOM("lvs_process_name", kw_process_name),
	CUSTOM("bfd_process_name", kw_process_name),
	CUSTOM("dynamic_interfaces", kw_dynamic_interfaces),
	{ .name = "default_interface", .type = KT_STR, .off = G(default_interface) },
	IGN("disable_local_igmp"),
	CUSTOM("vrrp_mcast_group4", kw_mcast_group),
	CUSTOM("vrrp_mcast_group6", kw_mcast_group),
	CUSTOM("vrrp_version", kw_vrrp_version),
	CUSTOM("vrrp_garp_master_delay", kw_global_garp),
	CUSTOM("vrrp_garp_master_repeat", kw_global_garp),
	CUSTOM("vrrp_garp_master_refresh", kw_global_garp),
	CUSTOM("vrrp_garp_master_refresh_repeat", kw_global_garp),
	CUSTOM("vrrp_garp_lower_prio_delay", kw_global_garp),
	CUSTOM("vrrp_garp_lower_prio_repeat", kw_global_garp),
	CUSTOM("vrrp_garp_interval", kw_garp_interval),
	CUSTOM("vrrp_gna_interval", kw_garp_interval),
	OPTB("vrrp_min_garp", min_garp),
	CUSTOM("vrrp_garp_extra_if", kw_global_extra_if),
	CUSTOM("vrrp_vmac_garp_intvl", kw_global_extra_if),
	INT("vrrp_down_timer_adverts", down_timer_adverts, 1, 100),
	OPTB("vrrp_lower_prio_no_advert", lower_prio_no_advert),
	OPTB("vrrp_higher_prio_send_advert", higher_prio_send_advert),
	FLAG("vrrp_check_unicast_src", check_unicast_src),
	FLAG("vrrp_skip_check_adv_addr", skip_check_adv_addr),
	FLAG("vrrp_strict", strict),
	OPTB("vrrp_notify_priority_changes", notify_priority_changes),
	FLAG("fifo_write_vrrp_states_on_reload", fifo_write_states_on_reload),
	CUSTOM("vrrp_startup_delay", kw_startup_delay),
	CUSTOM("vrrp_priority", kw_nice),
	CUSTOM("checker_priority", kw_nice),
	CUSTOM("bfd_priority", kw_nice),
	CUSTOM("vrrp_rt_priority", kw_rt_priority),
	CUSTOM("checker_rt_priority", kw_rt_priority),
	CUSTOM("bfd_rt_priority", kw_rt_priority),
	FLAG("vrrp_no_swap", vrrp_no_swap),
	IGN("checker_no_swap"),
	IGN("bfd_no_swap"),
	IGN("vrrp_cpu_affinity"),
	IGN("checker_cpu_affinity"),
	IGN("bfd_cpu_affinity"),
	CUSTOM("vrrp_rlimit_rttime", kw_rlimit_rttime),
	CUSTOM("checker_rlimit_rttime", kw_rlimit_rttime),
	CUSTOM("bfd_rlimit_rttime", kw_rlimit_rttime),
	{ .name = "vrrp_rlimit_rtime", .type = KT_CUSTOM, .fn = kw_rlimit_rttime,
	  .flags = KF_QUIET_DEPR },
	{ .name = "checker_rlimit_rtime", .type = KT_CUSTOM, .fn = kw_rlimit_rttime,
	  .flags = KF_QUIET_DEPR },
	{ .name = "bfd_rlimit_rtime", .type = KT_CUSTOM, .fn = kw_rlimit_rttime,
	  .flags = KF_QUIET_DEPR },
	CUSTOM("vrrp_iptables", kw_iptables),
	IGN("nftables"),
	IGN("nftables_priority"),
	IGN("nftables_ifindex"),
	IGN("nftables_counters"),
	IGN("nftables_ipvs"),
	IGN("nftables_ipvs_priority"),
	IGN("nftables_ipvs_start_fwmark"),
	{ .name = "notify_fifo", .type = KT_CUSTOM, .fn = kw_fifo, .off = 0 },
	{ .name = "notify_fifo_script", .type = KT_CUSTOM, .fn = kw_fifo_script, .off = 0 },
	{ .name = "vrrp_notify_fifo", .type = KT_CUSTOM, .fn = kw_fifo, .off = 1 },
	{ .name = "vrrp_notify_fifo_script", .type = KT_CUSTOM, .fn = kw_fifo_script, .off = 1 },
	{ .name = "lvs_notify_fifo", .type = KT_CUSTOM, .fn = kw_fifo, .off = 2 },
	{ .name = "lvs_notify_fifo_script", .type = KT_CUSTOM, .fn = kw_fifo_script, .off = 2 },
	CUSTOM("snmp_socket", kw_one_arg_ignored),
	IGN("enable_traps"),
	IGN("enable_snmp_vrrp"),
	IGN("enable_snmp_keepalived"),
	IGN("enable_snmp_rfc"),
	IGN("enable_snmp_rfcv2"),
	IGN("enable_snmp_rfcv3"),
	IGN("enable_snmp_checker"),
	IGN("enable_dbus"),
	IGN("dbus_service_name"),
	CUSTOM("script_user", kw_script_user),
	FLAG("enable_script_security", enable_script_security),
	IGN("vrrp_netlink_cmd_rcv_bufs"),
	IGN("vrrp_netlink_cmd_rcv_bufs_force"),
	IGN("vrrp_netlink_monitor_rcv_bufs"),
	IGN("vrrp_netlink_monitor_rcv_bufs_force"),
	IGN("process_monitor_rcv_bufs"),
	IGN("process_monitor_rcv_bufs_force"),
	IGN("lvs_netlink_cmd_rcv_bufs"),
	IGN("lvs_netlink_cmd_rcv_bufs_force"),
	IGN("lvs_netlink_monitor_rcv_bufs"),
	IGN("lvs_netlink_monitor_rcv_bufs_force"),
	IGN("vrrp_rx_bufs_policy"),
	IGN("vrrp_rx_bufs_multiplier"),
	IGN("rs_init_notifies"),
	IGN("no_checker_emails"),
	CUSTOM("lvs_timeouts", kw_lvs_timeouts),
	IGN("lvs_flush"),
	IGN("lvs_flush_on_stop"),
	{ .name = "lvs_flush_onstop", .type = KT_IGNORED, .flags = KF_QUIET_DEPR },
	CUSTOM("lvs_sync_daemon", kw_lvs_sync_daemon),
	FLAG("log_unknown_vrids", log_unknown_vrids),
	{ .name = "vmac_prefix", .type = KT_STR, .off = G(vmac_prefix) },
	/* Vigil: the built-in proxy's worker threads (0 = one per core) */
	{ .name = "proxy_workers", .type = KT_UINT, .off = G(proxy_workers), .min = 0,
	  .max = 256 },
	IGN("vmac_addr_prefix"),
	CUSTOM("umask", kw_umask),
	CUSTOM("random_seed", kw_random_seed),
	CUSTOM("reload_check_config", kw_opt_path),
	IGN("reload_time_file"),
	IGN("reload_repeat"),
	CUSTOM("reload_file", kw_opt_path),
	CUSTOM("include_check", kw_include_check),
	{ .name = "config_save_dir", .type = KT_STR, .off = G(config_save_dir) },
	IGN("tmp_config_directory"),
	OPTB("data_use_instance", data_use_instance),
	{ 0 },
};

const struct kw_block kb_global = { "global_defs", TG_GLOBAL, global_kws, global_defs_end };

/* ---- top level --------------------------------------------------------- */


static void
kw_top_str(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	char **field = !strcmp(ln->w[0], "net_namespace") ? &pc->m->net_namespace
							   : &pc->m->instance_name;
	if (*field) {
		pc_err(pc, ln, 1, DC_GENERAL, "Duplicate %s definition %s - ignoring",
		       ln->w[0], s);
		return;
	}
	*field = pc_strdup(pc, s);
}

static void
kw_child_wait_time(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (pc_int(pc, ln, 1, 0, UINT32_MAX, &v))
		pc->m->child_wait_time = (unsigned)v;
	else if (ln->n > 1)
		pc_err(pc, ln, 1, DC_GENERAL, "Invalid child_wait_time %s", ln->w[1]);
}

static void
kw_track_group_group(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	pc_read_values(pc, ln, NULL);
}

static const struct kw track_group_kws[] = {
	{ .name = "group", .type = KT_CUSTOM, .fn = kw_track_group_group },
	{ 0 },
};
static const struct kw_block kb_track_group = { "track_group", TG_NONE, track_group_kws, NULL };

static const struct kw garp_group_kws[] = {
	{ .name = "garp_interval", .type = KT_TIMER_US, .min = 0, .max = 2147483647 },
	{ .name = "gna_interval", .type = KT_TIMER_US, .min = 0, .max = 2147483647 },
	{ .name = "interface", .type = KT_STR },
	{ .name = "interfaces", .type = KT_VALUES },
	{ 0 },
};
static const struct kw_block kb_garp_group = { "garp_group", TG_NONE, garp_group_kws, NULL };

static const struct kw ssl_kws[] = {
	{ .name = "password", .type = KT_STR },
	{ .name = "ca", .type = KT_STR },
	{ .name = "certificate", .type = KT_STR },
	{ .name = "key", .type = KT_STR },
	{ 0 },
};
static const struct kw_block kb_ssl = { "SSL", TG_NONE, ssl_kws, NULL };

static void
kw_vrrp_track_file(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	kw_track_file(pc, ln, k);
}

static const struct kw top_kws[] = {
	{ .name = "global_defs", .type = KT_BLOCK, .sub = &kb_global },
	{ .name = "net_namespace", .type = KT_CUSTOM, .fn = kw_top_str },
	{ .name = "net_namespace_ipvs", .type = KT_IGNORED },
	{ .name = "namespace_with_ipsets", .type = KT_IGNORED },
	{ .name = "instance", .type = KT_CUSTOM, .fn = kw_top_str },
	{ .name = "use_pid_dir", .type = KT_FLAG, .off = offsetof(struct cf_model, use_pid_dir) },
	{ .name = "child_wait_time", .type = KT_CUSTOM, .fn = kw_child_wait_time },
	{ .name = "linkbeat_use_polling", .type = KT_IGNORED },
	{ .name = "linkbeat_interfaces", .type = KT_CUSTOM, .fn = kw_linkbeat_interfaces },
	{ .name = "interface_up_down_delays", .type = KT_CUSTOM, .fn = kw_up_down_delays },
	{ .name = "track_group", .type = KT_IGNORED_BLOCK, .sub = &kb_track_group },
	{ .name = "static_ipaddress", .type = KT_CUSTOM, .fn = kw_static_addrs },
	{ .name = "static_routes", .type = KT_CUSTOM, .fn = kw_static_routes },
	{ .name = "static_rules", .type = KT_CUSTOM, .fn = kw_static_routes },
	{ .name = "garp_group", .type = KT_IGNORED_BLOCK, .sub = &kb_garp_group },
	{ .name = "vrrp_script", .type = KT_CUSTOM, .fn = kw_vrrp_script },
	{ .name = "track_file", .type = KT_CUSTOM, .fn = kw_track_file },
	{ .name = "vrrp_track_file", .type = KT_CUSTOM, .fn = kw_vrrp_track_file },
	{ .name = "vrrp_track_process", .type = KT_CUSTOM, .fn = kw_track_process },
	{ .name = "vrrp_sync_group", .type = KT_CUSTOM, .fn = kw_sync_group },
	{ .name = "vrrp_instance", .type = KT_CUSTOM, .fn = kw_vrrp_instance },
	{ .name = "bfd_instance", .type = KT_CUSTOM, .fn = kw_bfd_instance },
	{ .name = "virtual_server_group", .type = KT_CUSTOM, .fn = kw_vs_group },
	{ .name = "virtual_server", .type = KT_CUSTOM, .fn = kw_virtual_server },
	{ .name = "SSL", .type = KT_IGNORED_BLOCK, .sub = &kb_ssl },
	{ 0 },
};

const struct kw_block kb_top = { "top level", TG_MODEL, top_kws, NULL };
