/* kw_vs.c - virtual_server, real_server and health-checker keywords
 * (keepalived's LVS grammar, which Vigil's proxy reuses). */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

#define CUSTOM(n, fn_) { .name = n, .type = KT_CUSTOM, .fn = fn_ }
#define VS(f) offsetof(struct cf_virtual_server, f)
#define RS(f) offsetof(struct cf_real_server, f)
#define CK(f) offsetof(struct cf_checker, f)
#define TIMER_MAX 4294967295ULL

static const char *const schedulers[] = {
	"rr", "wrr", "lc", "wlc", "lblc", "sh", "mh", "dh", "fo", "ovf",
	"lblcr", "sed", "nq", "twos", NULL,
};

static void
enter(struct pctx *pc, const struct cf_line *ln, const struct kw_block *kb)
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

/* "IP [PORT]" as used by virtual_server, real_server and sorry_server */
static bool
addr_port(struct pctx *pc, const struct cf_line *ln, unsigned i,
	  struct cf_inaddr *a, uint16_t *port)
{
	const char *s = pc_arg(pc, ln, i);
	if (!s)
		return false;
	if (!pc_addr(s, a, NULL, NULL)) {
		pc_err(pc, ln, i, DC_GENERAL, "Invalid address %s for %s", s, ln->w[0]);
		return false;
	}
	*port = 0;
	if (i + 1 < ln->n) {
		long long p;
		if (!pc_int(pc, ln, i + 1, 0, 65535, &p))
			return false;
		*port = (uint16_t)p;
	}
	return true;
}

/* ---- checkers ---------------------------------------------------------- */

static void
ck_retry(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (!strcmp(ln->w[0], "nb_get_retry"))
		pc_warn(pc, ln, 0, DC_DEPRECATED,
			"nb_get_retry is deprecated - please use 'retry'");
	if (pc_int(pc, ln, 1, 0, UINT32_MAX, &v))
		pc->chk->retry = (int)(v > INT32_MAX ? INT32_MAX : v);
}

static void
ck_port(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (!pc_int(pc, ln, 1, 1, 65535, &v))
		return;
	if (!strcmp(ln->w[0], "connect_port"))
		pc->chk->connect_port = (int)v;
	else
		pc->chk->bind_port = (int)v;
}

static void
ck_ignored(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	if (pc_arg(pc, ln, 1))
		pc_unsupported(pc, &pc->chk->unsupported, ln);
}

#define CHECKER_COMMON \
	{ .name = "connect_ip", .type = KT_ADDR, .off = CK(connect_ip) }, \
	CUSTOM("connect_port", ck_port), \
	{ .name = "bindto", .type = KT_ADDR, .off = CK(bindto) }, \
	CUSTOM("bind_port", ck_port), \
	{ .name = "bind_if", .type = KT_IFNAME, .off = CK(bind_if) }, \
	{ .name = "connect_timeout", .type = KT_TIMER_US, .off = CK(connect_timeout_us), \
	  .min = 1, .max = TIMER_MAX }, \
	CUSTOM("fwmark", ck_ignored), \
	CUSTOM("retry", ck_retry), \
	{ .name = "delay_before_retry", .type = KT_TIMER_US64, \
	  .off = CK(delay_before_retry_us), .min = 0, .max = TIMER_MAX }, \
	{ .name = "warmup", .type = KT_TIMER_US64, .off = CK(warmup_us), .min = 0, \
	  .max = TIMER_MAX }, \
	{ .name = "delay_loop", .type = KT_TIMER_US64, .off = CK(delay_loop_us), \
	  .min = 1, .max = TIMER_MAX }, \
	{ .name = "alpha", .type = KT_OPTBOOL, .off = CK(alpha) }, \
	{ .name = "log_all_failures", .type = KT_OPTBOOL, .off = CK(log_all_failures) }

/* url { ... } */
static void
url_status(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	if (!pc_arg(pc, ln, 1))
		return;
	for (unsigned i = 1; i < ln->n; i++) {
		char *end;
		long lo = strtol(ln->w[i], &end, 10), hi = lo;
		if (*end == '-')
			hi = strtol(end + 1, &end, 10);
		if (*end || lo < 100 || hi > 599 || lo > hi) {
			pc_err(pc, ln, i, DC_GENERAL, "Invalid HTTP_GET status code '%s'",
			       ln->w[i]);
			continue;
		}
		struct cf_status_range *r = PC_PUSH(pc, pc->url->codes, pc->url->ncodes);
		r->lo = (uint16_t)lo;
		r->hi = (uint16_t)hi;
	}
}

static void
url_digest(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	if (strlen(s) != 32 || strspn(s, "0123456789abcdefABCDEF") != 32) {
		pc_err(pc, ln, 1, DC_GENERAL, "digest '%s' is not a valid MD5 digest", s);
		return;
	}
	pc->url->digest = pc_strdup(pc, s);
}

static void
url_end(struct pctx *pc, const struct cf_line *end)
{
	if (!pc->url->path) {
		pc_err(pc, end, 0, DC_GENERAL, "HTTP/SSL_GET checker url has no path - ignoring");
		pc->chk->nurls--;
	}
}

static void
url_ignored(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	pc_note_ignored(pc, ln);
}

static const struct kw url_kws[] = {
	{ .name = "path", .type = KT_STR, .off = offsetof(struct cf_url, path) },
	CUSTOM("digest", url_digest),
	CUSTOM("status_code", url_status),
	{ .name = "virtualhost", .type = KT_STR, .off = offsetof(struct cf_url, virtualhost) },
	{ .name = "regex", .type = KT_STR, .off = offsetof(struct cf_url, regex) },
	{ .name = "regex_no_match", .type = KT_FLAG, .off = offsetof(struct cf_url, regex_no_match) },
	CUSTOM("regex_options", url_ignored),
	CUSTOM("regex_min_offset", url_ignored),
	CUSTOM("regex_max_offset", url_ignored),
	CUSTOM("regex_stack", url_ignored),
	{ 0 },
};
static const struct kw_block kb_url = { "url", TG_URL, url_kws, url_end };

static void
ck_url(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	pc->url = PC_PUSH(pc, pc->chk->urls, pc->chk->nurls);
	pc->url->loc = pc_loc(ln);
	enter(pc, ln, &kb_url);
	pc->url = NULL;
}

static void
ck_http_protocol(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	if (!strcmp(s, "1.0"))
		pc->chk->http_protocol = 10;
	else if (!strcmp(s, "1.1"))
		pc->chk->http_protocol = 11;
	else if (!strcmp(s, "1.0C") || !strcmp(s, "1.0c"))
		pc->chk->http_protocol = 12;
	else
		pc_err(pc, ln, 1, DC_GENERAL, "Unknown HTTP_GET protocol %s - ignoring", s);
}

static const struct kw http_kws[] = {
	CHECKER_COMMON,
	CUSTOM("url", ck_url),
	{ .name = "virtualhost", .type = KT_STR, .off = CK(virtualhost) },
	CUSTOM("http_protocol", ck_http_protocol),
	{ .name = "fast_recovery", .type = KT_OPTBOOL, .off = CK(fast_recovery) },
	{ .name = "enable_sni", .type = KT_OPTBOOL, .off = CK(enable_sni) },
	CUSTOM("nb_get_retry", ck_retry),
	{ 0 },
};

static const struct kw tcp_kws[] = { CHECKER_COMMON, { 0 } };

static const struct kw smtp_host_kws[] = { CHECKER_COMMON, { 0 } };
static const struct kw_block kb_smtp_host = { "host", TG_CHECKER, smtp_host_kws, NULL };

static void
ck_smtp_host(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	enter(pc, ln, &kb_smtp_host);
}

static const struct kw smtp_kws[] = {
	CHECKER_COMMON,
	{ .name = "helo_name", .type = KT_STR, .off = CK(helo_name) },
	CUSTOM("host", ck_smtp_host),
	{ 0 },
};

static void
ck_dns_type(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	static const char *const types[] = {
		"A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA", "RRSIG", "DNSKEY", NULL,
	};
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	for (const char *const *t = types; *t; t++) {
		if (!strcasecmp(s, *t)) {
			pc->chk->dns_type = pc_strdup(pc, *t);
			return;
		}
	}
	pc_err(pc, ln, 1, DC_GENERAL, "DNS_CHECK: Unknown query type: %s", s);
}

static const struct kw dns_kws[] = {
	CHECKER_COMMON,
	CUSTOM("type", ck_dns_type),
	{ .name = "name", .type = KT_STR, .off = CK(dns_name) },
	{ 0 },
};

static void
ck_misc_path(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	struct cf_script *sc = pc_script(pc, ln, 1);
	if (sc)
		pc->chk->misc = sc;
}

static void
ck_misc_user(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *u = pc_arg(pc, ln, 1);
	if (!u)
		return;
	if (!pc->chk->misc) {
		pc_err(pc, ln, 0, DC_GENERAL, "MISC_CHECK user specified before misc_path - ignoring");
		return;
	}
	pc->chk->misc->user = pc_strdup(pc, u);
	pc->chk->misc->group = ln->n > 2 ? pc_strdup(pc, ln->w[2]) : NULL;
}

static void
ck_misc_timeout(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (pc_int(pc, ln, 1, 0, 4294, &v))
		pc->chk->misc_timeout_s = (uint32_t)v;
}

static const struct kw misc_kws[] = {
	CHECKER_COMMON,
	CUSTOM("misc_path", ck_misc_path),
	CUSTOM("misc_timeout", ck_misc_timeout),
	{ .name = "misc_dynamic", .type = KT_FLAG, .off = CK(misc_dynamic) },
	CUSTOM("user", ck_misc_user),
	{ 0 },
};

static const struct kw ping_kws[] = { CHECKER_COMMON, { 0 } };

static void
ck_hex(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	if (ln->n < 2 && !strcmp(ln->w[0], "payload")) {
		(void)pc_arg(pc, ln, 1);
		return;
	}
	for (unsigned i = 1; i < ln->n; i++) {
		if (strspn(ln->w[i], "0123456789abcdefABCDEF") != strlen(ln->w[i])) {
			pc_err(pc, ln, i, DC_GENERAL, "Invalid hex string for UDP_CHECK %s",
			       ln->w[0]);
			return;
		}
	}
	pc_unsupported(pc, &pc->chk->unsupported, ln);
}

static const struct kw udp_kws[] = {
	CHECKER_COMMON,
	CUSTOM("payload", ck_hex),
	CUSTOM("require_reply", ck_hex),
	{ .name = "min_reply_length", .type = KT_UINT, .min = 0, .max = 65535 },
	{ .name = "max_reply_length", .type = KT_UINT, .min = 0, .max = 65535 },
	{ 0 },
};

static void
ck_bfd_name(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	for (size_t i = 0; i < pc->m->nbfd; i++)
		if (!strcmp(pc->m->bfd_names[i], s))
			return;
	char buf[64];
	pc_err(pc, ln, 1, DC_GENERAL, "([%s]:%s:%u) BFD_CHECK - BFD %s not configured",
	       cf_inaddr_str(&pc->rs->addr, buf, sizeof(buf)),
	       pc->vs->protocol == CF_PROTO_UDP ? "udp" : "tcp", pc->rs->port, s);
}

static void
ck_file_track(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	for (size_t i = 0; i < pc->m->ntrack_files; i++) {
		if (!strcmp(pc->m->track_files[i].name, s)) {
			pc->chk->file_track_set = true;
			return;
		}
	}
	pc_err(pc, ln, 1, DC_GENERAL, "track_file %s not found", s);
}

static const struct kw bfd_check_kws[] = {
	CUSTOM("name", ck_bfd_name),
	{ .name = "alpha", .type = KT_OPTBOOL, .off = CK(alpha) },
	{ 0 },
};

static void
ck_file_weight(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	pc_int(pc, ln, 1, -254, 254, &v);
}

static const struct kw file_check_kws[] = {
	CUSTOM("track_file", ck_file_track),
	CUSTOM("weight", ck_file_weight),
	{ .name = "dynamic", .type = KT_FLAG },
	{ 0 },
};

static void
ck_end(struct pctx *pc, const struct cf_line *end)
{
	struct cf_checker *c = pc->chk;
	if ((c->type == CF_CHK_HTTP_GET || c->type == CF_CHK_SSL_GET) && !c->nurls)
		pc_err(pc, end, 0, DC_GENERAL, "HTTP/SSL_GET checker has no url(s) - ignoring");
	if (c->type == CF_CHK_MISC && !c->misc)
		pc_err(pc, end, 0, DC_GENERAL, "Misc check with no misc_path - ignoring");
	if (c->type == CF_CHK_FILE && !c->file_track_set)
		pc_err(pc, end, 0, DC_GENERAL, "FILE_CHECK has no track_file specified - ignoring");
}

static const struct {
	const char *name;
	enum cf_checker_type type;
	struct kw_block kb;
} checkers[] = {
	{ "HTTP_GET", CF_CHK_HTTP_GET, { "HTTP_GET", TG_CHECKER, http_kws, ck_end } },
	{ "SSL_GET", CF_CHK_SSL_GET, { "SSL_GET", TG_CHECKER, http_kws, ck_end } },
	{ "TCP_CHECK", CF_CHK_TCP, { "TCP_CHECK", TG_CHECKER, tcp_kws, ck_end } },
	{ "SMTP_CHECK", CF_CHK_SMTP, { "SMTP_CHECK", TG_CHECKER, smtp_kws, ck_end } },
	{ "DNS_CHECK", CF_CHK_DNS, { "DNS_CHECK", TG_CHECKER, dns_kws, ck_end } },
	{ "MISC_CHECK", CF_CHK_MISC, { "MISC_CHECK", TG_CHECKER, misc_kws, ck_end } },
	{ "PING_CHECK", CF_CHK_PING, { "PING_CHECK", TG_CHECKER, ping_kws, ck_end } },
	{ "UDP_CHECK", CF_CHK_UDP, { "UDP_CHECK", TG_CHECKER, udp_kws, ck_end } },
	{ "BFD_CHECK", CF_CHK_BFD, { "BFD_CHECK", TG_CHECKER, bfd_check_kws, ck_end } },
	{ "FILE_CHECK", CF_CHK_FILE, { "FILE_CHECK", TG_CHECKER, file_check_kws, ck_end } },
};

static void
kw_checker(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	for (size_t i = 0; i < sizeof(checkers) / sizeof(checkers[0]); i++) {
		if (strcmp(checkers[i].name, ln->w[0]))
			continue;
		struct cf_checker *c = PC_PUSH(pc, pc->rs->checkers, pc->rs->nchecks);
		c->type = checkers[i].type;
		c->connect_port = c->bind_port = CF_UNSET;
		c->retry = CF_UNSET;
		c->loc = pc_loc(ln);
		if (c->type == CF_CHK_PING || c->type == CF_CHK_UDP ||
		    c->type == CF_CHK_BFD || c->type == CF_CHK_FILE ||
		    c->type == CF_CHK_DNS || c->type == CF_CHK_SMTP ||
		    c->type == CF_CHK_SSL_GET)
			pc_note_ignored(pc, ln);
		pc->chk = c;
		enter(pc, ln, &checkers[i].kb);
		pc->chk = NULL;
		return;
	}
}

/* ---- real_server ------------------------------------------------------- */

static void
rs_weight(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	char *end;
	v = strtoll(s, &end, 10);
	if (*end || end == s) {
		pc_err(pc, ln, 1, DC_GENERAL, "invalid number '%s'", s);
		return;
	}
	if (v < 0)
		pc_err(pc, ln, 1, DC_GENERAL, "negative number '%s'", s);
	if (v < 0 || v > 2147483647) {
		pc_err(pc, ln, 1, DC_GENERAL, "Real server weight %s is outside range 0-2147483647",
		       s);
		return;
	}
	pc->rs->weight = (int)v;
	pc->rs->weight_set = true;
}

static void
rs_ignored(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	pc_unsupported(pc, &pc->rs->unsupported, ln);
}

static void
rs_timer_ignored(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	uint64_t v;
	if (pc_timer(pc, ln, 1, 0, TIMER_MAX, &v))
		pc_unsupported(pc, &pc->rs->unsupported, ln);
}

static void
rs_uint_ignored(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (pc_int(pc, ln, 1, strcmp(ln->w[0], "retry") ? 0 : 1, UINT32_MAX, &v))
		pc_unsupported(pc, &pc->rs->unsupported, ln);
}

static void kw_lvs_method(struct pctx *pc, const struct cf_line *ln, const struct kw *k);

static void
rs_max_fails(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (pc_arg(pc, ln, 1) && pc_int(pc, ln, 1, 0, 1000, &v))
		pc->rs->max_fails = (int)v;
}

static void
rs_fail_timeout(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	uint64_t v;
	if (pc_arg(pc, ln, 1) && pc_timer(pc, ln, 1, 1000, TIMER_MAX, &v))
		pc->rs->fail_timeout_us = (uint32_t)v;
}

static const struct kw rs_kws[] = {
	CUSTOM("max_fails", rs_max_fails),
	CUSTOM("fail_timeout", rs_fail_timeout),
	CUSTOM("weight", rs_weight),
	CUSTOM("lvs_method", kw_lvs_method),
	CUSTOM("lb_kind", kw_lvs_method),
	{ .name = "notify_up", .type = KT_SCRIPT, .off = RS(notify_up) },
	{ .name = "notify_down", .type = KT_SCRIPT, .off = RS(notify_down) },
	CUSTOM("uthreshold", rs_uint_ignored),
	CUSTOM("lthreshold", rs_uint_ignored),
	{ .name = "inhibit_on_failure", .type = KT_OPTBOOL, .off = RS(inhibit_on_failure) },
	CUSTOM("alpha", rs_ignored),
	CUSTOM("retry", rs_uint_ignored),
	CUSTOM("delay_before_retry", rs_timer_ignored),
	CUSTOM("warmup", rs_timer_ignored),
	CUSTOM("connect_timeout", rs_timer_ignored),
	{ .name = "delay_loop", .type = KT_TIMER_US64, .off = RS(delay_loop_us), .min = 1,
	  .max = TIMER_MAX },
	{ .name = "smtp_alert", .type = KT_OPTBOOL_INT, .off = RS(smtp_alert) },
	CUSTOM("virtualhost", rs_ignored),
	CUSTOM("snmp_name", rs_ignored),
	CUSTOM("HTTP_GET", kw_checker),
	CUSTOM("SSL_GET", kw_checker),
	CUSTOM("TCP_CHECK", kw_checker),
	CUSTOM("SMTP_CHECK", kw_checker),
	CUSTOM("DNS_CHECK", kw_checker),
	CUSTOM("MISC_CHECK", kw_checker),
	CUSTOM("PING_CHECK", kw_checker),
	CUSTOM("UDP_CHECK", kw_checker),
	CUSTOM("BFD_CHECK", kw_checker),
	CUSTOM("FILE_CHECK", kw_checker),
	{ 0 },
};
static void
rs_end(struct pctx *pc, const struct cf_line *end)
{
	pc->rs->end = pc_loc(end);
}

static const struct kw_block kb_real_server = { "real_server", TG_RS, rs_kws, rs_end };

static void
vs_real_server(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	struct cf_real_server rs = { .smtp_alert = CF_UNSET, .loc = pc_loc(ln) };
	if (!addr_port(pc, ln, 1, &rs.addr, &rs.port)) {
		/* keep the block structure: skip its contents */
		const struct cf_line *b = pc_peek(pc);
		if (b && b->n == 1 && !strcmp(b->w[0], "{")) {
			pc_next(pc);
			for (int depth = 1; depth && (b = pc_next(pc));)
				depth += (b->n == 1 && !strcmp(b->w[0], "{")) -
					 (b->n == 1 && !strcmp(b->w[0], "}"));
		}
		return;
	}
	rs.weight = 1;
	rs.max_fails = CF_UNSET;
	struct cf_real_server *slot = PC_PUSH(pc, pc->vs->rs, pc->vs->nrs);
	*slot = rs;
	pc->rs = slot;
	enter(pc, ln, &kb_real_server);
	pc->rs = NULL;
}

/* ---- virtual_server ---------------------------------------------------- */

static void
vs_sched(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	for (const char *const *p = schedulers; *p; p++) {
		if (!strcmp(*p, s)) {
			snprintf(pc->vs->lb_algo, sizeof(pc->vs->lb_algo), "%s", s);
			return;
		}
	}
	pc_err(pc, ln, 1, DC_GENERAL, "Invalid lvs_scheduler '%s' - ignoring", s);
}

static void
kw_lvs_method(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	enum cf_lb_kind kind;
	if (!s)
		return;
	if (!strcmp(s, "NAT"))
		kind = CF_LB_NAT;
	else if (!strcmp(s, "DR"))
		kind = CF_LB_DR;
	else if (!strcmp(s, "TUN"))
		kind = CF_LB_TUN;
	else if (!strcmp(s, "PROXY"))
		kind = CF_LB_PROXY;
	else {
		pc_err(pc, ln, 1, DC_GENERAL,
		       "PARSER : unknown [%s] routing method for %s server.", s,
		       pc->rs ? "real" : "virtual");
		return;
	}
	if (pc->rs)
		return;
	pc->vs->lb_kind = kind;
}

static void
vs_protocol(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	if (!strcasecmp(s, "TCP"))
		pc->vs->protocol = CF_PROTO_TCP;
	else if (!strcasecmp(s, "UDP"))
		pc->vs->protocol = CF_PROTO_UDP;
	else if (!strcasecmp(s, "SCTP"))
		pc->vs->protocol = CF_PROTO_SCTP;
	else
		pc_err(pc, ln, 1, DC_GENERAL, "Unknown protocol %s - ignoring", s);
}

static void
vs_persistence(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v = 360;
	if (ln->n > 1 && !pc_int(pc, ln, 1, 1, 2678400, &v))
		return;
	pc->vs->persistence_timeout = (uint32_t)v;
}

static void
vs_quorum(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (!pc_arg(pc, ln, 1))
		return;
	if (!pc_int(pc, ln, 1, 1, UINT32_MAX, &v)) {
		pc_err(pc, ln, 1, DC_GENERAL, "Quorum %s must be in [1, 4294967295]. Setting to 1.",
		       ln->w[1]);
		v = 1;
	}
	pc->vs->quorum = (unsigned)v;
}

static void
vs_retry(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (!pc_arg(pc, ln, 1))
		return;
	if (!pc_int(pc, ln, 1, 1, UINT32_MAX, &v)) {
		pc_err(pc, ln, 1, DC_GENERAL, "retry value invalid - %s", ln->w[1]);
		return;
	}
	pc->vs->retry = (int)(v > INT32_MAX ? INT32_MAX : v);
}

static void
vs_weight(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (pc_int(pc, ln, 1, 1, 2147483647, &v))
		pc->vs->weight = (int)v;
}

static void
vs_sorry(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	if (addr_port(pc, ln, 1, &pc->vs->sorry_addr, &pc->vs->sorry_port))
		pc->vs->has_sorry = true;
}

static void
vs_warmup(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	uint64_t v;
	if (pc_timer(pc, ln, 1, 0, TIMER_MAX, &v)) {
		pc->vs->warmup_us = v;
		pc->vs->warmup_set = true;
	}
}

static void
vs_ignored(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	pc_unsupported(pc, &pc->vs->unsupported, ln);
}

/* the same, for keywords that take a value: missing is keepalived's exit 2 */
static void
vs_ignored_arg(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	if (pc_arg(pc, ln, 1))
		pc_unsupported(pc, &pc->vs->unsupported, ln);
}

static void
vs_family(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	if (s && strcmp(s, "inet") && strcmp(s, "inet6")) {
		pc_err(pc, ln, 1, DC_GENERAL, "unknown address family %s", s);
		return;
	}
	vs_ignored(pc, ln, k);
}

static void
vs_hysteresis(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (pc_int(pc, ln, 1, 0, UINT32_MAX, &v))
		pc->vs->hysteresis = (unsigned)v;
}

static void
vs_delay_loop(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	uint64_t v;
	if (!pc_arg(pc, ln, 1))
		return;
	if (!pc_timer(pc, ln, 1, 1, UINT64_MAX - 1, &v)) {
		pc_err(pc, ln, 1, DC_GENERAL, "virtual server delay loop '%s' invalid - ignoring",
		       ln->w[1]);
		return;
	}
	pc->vs->delay_loop_us = v;
}

/* ---- the built-in proxy (lb_kind PROXY; Vigil extensions) --------------- */

static void
proxy_seen(struct pctx *pc, const struct cf_line *ln)
{
	if (!pc->vs->proxy.loc.line)
		pc->vs->proxy.loc = pc_loc(ln);
}

static void
vs_proxy_mode(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	proxy_seen(pc, ln);
	if (!strcmp(s, "http"))
		pc->vs->proxy.tcp = false;
	else if (!strcmp(s, "tcp"))
		pc->vs->proxy.tcp = true;
	else
		pc_err(pc, ln, 1, DC_GENERAL, "proxy_mode '%s' must be http or tcp - ignoring", s);
}

/* proxy_set_header NAME VALUE: the rest of the line is the value, so an
 * unquoted "$host:8080 x" keeps its words */
static void
vs_proxy_set_header(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *name = pc_arg(pc, ln, 1);
	if (!name || !pc_arg(pc, ln, 2))
		return;
	proxy_seen(pc, ln);
	for (const char *c = name; *c; c++) {
		if (*c <= ' ' || *c == ':' || *c >= 127) {
			pc_err(pc, ln, 1, DC_GENERAL,
			       "proxy_set_header: invalid header name '%s' - ignoring", name);
			return;
		}
	}
	char value[1024] = "";
	size_t len = 0;
	for (unsigned i = 2; i < ln->n && len < sizeof(value); i++)
		len += (size_t)snprintf(value + len, sizeof(value) - len, "%s%s",
					i > 2 ? " " : "", ln->w[i]);
	if (len >= sizeof(value) || strpbrk(value, "\r\n")) {
		pc_err(pc, ln, 2, DC_GENERAL, "proxy_set_header %s: value too long or "
		       "not on one line - ignoring", name);
		return;
	}
	struct cf_proxy_header *h = PC_PUSH(pc, pc->vs->proxy.headers, pc->vs->proxy.nheaders);
	h->name = pc_strdup(pc, name);
	h->value = pc_strdup(pc, value);
}

/* typed proxy settings: note where the proxy block starts, then store */
static void
vs_proxy_timer(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	uint64_t v;
	if (!pc_arg(pc, ln, 1) || !pc_timer(pc, ln, 1, 1000, TIMER_MAX, &v))
		return;
	proxy_seen(pc, ln);
	*(uint32_t *)((char *)pc->vs + k->off) = (uint32_t)v;
}

static void
vs_proxy_uint(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	long long v;
	if (!pc_arg(pc, ln, 1) || !pc_int(pc, ln, 1, k->min, k->max, &v))
		return;
	proxy_seen(pc, ln);
	*(unsigned *)((char *)pc->vs + k->off) = (unsigned)v;
}

static void
vs_access_log(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	const char *s = pc_arg(pc, ln, 1);
	if (!s)
		return;
	proxy_seen(pc, ln);
	pc->vs->proxy.access_log = strcmp(s, "off") ? pc_strdup(pc, s) : NULL;
}

static void
vs_end(struct pctx *pc, const struct cf_line *end)
{
	pc->vs->end = pc_loc(end);
}

static const struct kw vs_kws[] = {
	CUSTOM("lvs_sched", vs_sched),
	CUSTOM("lb_algo", vs_sched),
	CUSTOM("ops", vs_ignored),
	CUSTOM("hashed", vs_ignored),
	CUSTOM("flag-1", vs_ignored),
	CUSTOM("flag-2", vs_ignored),
	CUSTOM("flag-3", vs_ignored),
	CUSTOM("sh-port", vs_ignored),
	CUSTOM("sh-fallback", vs_ignored),
	CUSTOM("mh-port", vs_ignored),
	CUSTOM("mh-fallback", vs_ignored),
	CUSTOM("lvs_method", kw_lvs_method),
	CUSTOM("lb_kind", kw_lvs_method),
	CUSTOM("protocol", vs_protocol),
	CUSTOM("persistence_timeout", vs_persistence),
	CUSTOM("persistence_granularity", vs_ignored_arg),
	CUSTOM("persistence_engine", vs_ignored_arg),
	{ .name = "ha_suspend", .type = KT_FLAG, .off = VS(ha_suspend) },
	{ .name = "smtp_alert", .type = KT_OPTBOOL_INT, .off = VS(smtp_alert) },
	{ .name = "virtualhost", .type = KT_STR, .off = VS(virtualhost) },
	CUSTOM("snmp_name", vs_ignored_arg),
	{ .name = "alpha", .type = KT_FLAG, .off = VS(alpha) },
	{ .name = "omega", .type = KT_FLAG, .off = VS(omega) },
	CUSTOM("quorum", vs_quorum),
	CUSTOM("hysteresis", vs_hysteresis),
	{ .name = "quorum_up", .type = KT_SCRIPT, .off = VS(quorum_up) },
	{ .name = "quorum_down", .type = KT_SCRIPT, .off = VS(quorum_down) },
	CUSTOM("weight", vs_weight),
	CUSTOM("ip_family", vs_family),
	CUSTOM("sorry_server", vs_sorry),
	CUSTOM("sorry_server_inhibit", vs_ignored),
	CUSTOM("sorry_server_lvs_method", vs_ignored_arg),
	CUSTOM("delay_loop", vs_delay_loop),
	{ .name = "connect_timeout", .type = KT_TIMER_US, .off = VS(connect_timeout_us),
	  .min = 1, .max = TIMER_MAX },
	CUSTOM("retry", vs_retry),
	{ .name = "delay_before_retry", .type = KT_TIMER_US64, .off = VS(delay_before_retry_us),
	  .min = 0, .max = TIMER_MAX },
	CUSTOM("warmup", vs_warmup),
	{ .name = "inhibit_on_failure", .type = KT_FLAG, .off = VS(inhibit_on_failure) },
	CUSTOM("real_server", vs_real_server),
	/* the built-in proxy */
	CUSTOM("proxy_mode", vs_proxy_mode),
	CUSTOM("proxy_set_header", vs_proxy_set_header),
	{ .name = "proxy_connect_timeout", .type = KT_CUSTOM, .fn = vs_proxy_timer,
	  .off = VS(proxy.connect_timeout_us) },
	{ .name = "proxy_read_timeout", .type = KT_CUSTOM, .fn = vs_proxy_timer,
	  .off = VS(proxy.read_timeout_us) },
	{ .name = "proxy_send_timeout", .type = KT_CUSTOM, .fn = vs_proxy_timer,
	  .off = VS(proxy.send_timeout_us) },
	{ .name = "client_timeout", .type = KT_CUSTOM, .fn = vs_proxy_timer,
	  .off = VS(proxy.client_timeout_us) },
	{ .name = "keepalive_timeout", .type = KT_CUSTOM, .fn = vs_proxy_timer,
	  .off = VS(proxy.keepalive_timeout_us) },
	{ .name = "fail_timeout", .type = KT_CUSTOM, .fn = vs_proxy_timer,
	  .off = VS(proxy.fail_timeout_us) },
	{ .name = "keepalive_requests", .type = KT_CUSTOM, .fn = vs_proxy_uint,
	  .off = VS(proxy.keepalive_requests), .min = 1, .max = 1000000 },
	{ .name = "proxy_keepalive", .type = KT_CUSTOM, .fn = vs_proxy_uint,
	  .off = VS(proxy.upstream_keepalive), .min = 0, .max = 65535 },
	{ .name = "max_fails", .type = KT_CUSTOM, .fn = vs_proxy_uint,
	  .off = VS(proxy.max_fails), .min = 0, .max = 1000 },
	{ .name = "proxy_next_upstream_tries", .type = KT_CUSTOM, .fn = vs_proxy_uint,
	  .off = VS(proxy.next_upstream_tries), .min = 0, .max = 1000 },
	{ .name = "client_max_header_size", .type = KT_CUSTOM, .fn = vs_proxy_uint,
	  .off = VS(proxy.max_header_size), .min = 1024, .max = 1048576 },
	CUSTOM("access_log", vs_access_log),
	{ 0 },
};
const struct kw_block kb_virtual_server = { "virtual_server", TG_VS, vs_kws, vs_end };


void
kw_virtual_server(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	struct cf_virtual_server vs = {
		.delay_loop_us = 60000000, .connect_timeout_us = 5000000,
		.retry = CF_UNSET, .quorum = 1, .weight = 1,
		.smtp_alert = CF_UNSET, .loc = pc_loc(ln),
		/* nginx's defaults for what the proxy replaces */
		.proxy = { .read_timeout_us = 60000000, .send_timeout_us = 60000000,
			   .client_timeout_us = 60000000, .keepalive_timeout_us = 75000000,
			   .keepalive_requests = 1000, .upstream_keepalive = 32,
			   .max_fails = 1, .fail_timeout_us = 10000000,
			   .max_header_size = 32768 },
	};
	bool ok = false;
	const char *a = pc_arg(pc, ln, 1);
	if (a && !strcmp(a, "fwmark")) {
		long long v;
		vs.kind = CF_VS_FWMARK;
		if (pc_int(pc, ln, 2, 1, UINT32_MAX, &v)) {
			vs.fwmark = (uint32_t)v;
			ok = true;
		}
	} else if (a && !strcmp(a, "group")) {
		const char *g = pc_arg(pc, ln, 2);
		vs.kind = CF_VS_GROUP;
		if (g) {
			vs.group = pc_strdup(pc, g);
			ok = true;
		}
	} else if (a) {
		ok = addr_port(pc, ln, 1, &vs.addr, &vs.port);
	}
	if (!ok) {
		const struct cf_line *b = pc_peek(pc);
		if (b && b->n == 1 && !strcmp(b->w[0], "{")) {
			pc_next(pc);
			for (int depth = 1; depth && (b = pc_next(pc));)
				depth += (b->n == 1 && !strcmp(b->w[0], "{")) -
					 (b->n == 1 && !strcmp(b->w[0], "}"));
		}
		return;
	}
	struct cf_virtual_server *slot = PC_PUSH(pc, pc->m->vs, pc->m->nvs);
	*slot = vs;
	pc->vs = slot;
	enter(pc, ln, &kb_virtual_server);
	pc->vs = NULL;
}

/* IP-LASTOCTET or IP-IP [PORT] | IP/len [PORT] | fwmark N [inet|inet6] */
static void
vsg_entry(struct pctx *pc, const struct cf_line *ln)
{
	if (!strcmp(ln->w[0], "fwmark")) {
		long long v;
		if (pc_int(pc, ln, 1, 0, UINT32_MAX, &v)) {
			pc->vsg.entries++;
			pc->vsg.fwmark_nofamily += ln->n < 3;
		}
		return;
	}
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", ln->w[0]);
	char *dash = strchr(buf, '-');
	if (dash)
		*dash++ = '\0';
	struct cf_inaddr a;
	uint8_t prefix;
	if (!pc_addr(buf, &a, &prefix, NULL)) {
		pc_err(pc, ln, 0, DC_GENERAL, "Invalid virtual server group IP address %s - skipping",
		       ln->w[0]);
		return;
	}
	if (dash) {
		struct cf_inaddr b;
		char *end;
		long last = strtol(dash, &end, a.family == AF_INET6 ? 16 : 10);
		bool full = pc_addr(dash, &b, NULL, NULL);
		unsigned lim = a.family == AF_INET6 ? 0xffff : 255;
		unsigned start = a.family == AF_INET6 ? (unsigned)(a.a[14] << 8 | a.a[15]) : a.a[3];
		if (full)
			last = a.family == AF_INET6 ? (b.a[14] << 8 | b.a[15]) : b.a[3];
		else if (*end || last < 0) {
			pc_err(pc, ln, 0, DC_GENERAL, "Invalid virtual server group range '%s'",
			       ln->w[0]);
			return;
		}
		if ((unsigned long)last > lim) {
			pc_err(pc, ln, 0, DC_GENERAL,
			       "Virtual server group range '%s' end '%s' too large", ln->w[0], dash);
			return;
		}
		if ((unsigned)last <= start) {
			pc_err(pc, ln, 0, DC_GENERAL,
			       "Address range end is not greater than address range start - %s - skipping",
			       ln->w[0]);
			return;
		}
	}
	if (ln->n > 1) {
		long long p;
		if (!pc_int(pc, ln, 1, 0, 65535, &p))
			return;
	}
	pc->vsg.entries++;
	if (a.family == AF_INET)
		pc->vsg.v4++;
	else
		pc->vsg.v6++;
}

void
kw_vs_group(struct pctx *pc, const struct cf_line *ln, const struct kw *k)
{
	if (ln->n < 2)
		pc_err(pc, ln, 1, DC_GENERAL, "virtual_server_group must have a name");
	pc_unsupported(pc, &pc->m->unsupported, ln);
	memset(&pc->vsg, 0, sizeof(pc->vsg));
	const struct cf_line *end = pc_read_entries(pc, vsg_entry);
	const char *name = ln->n > 1 ? ln->w[1] : "";
	if (!pc->vsg.entries)
		pc_err(pc, end ? end : ln, 0, DC_GENERAL,
		       "virtual server group %s has no entries - removing", name);
	else if (pc->vsg.v4 && pc->vsg.v6)
		pc_err(pc, end ? end : ln, 0, DC_GENERAL,
		       "virtual server group %s cannot have IPv4, IPv6 and fwmark without family - removing",
		       name);
}
