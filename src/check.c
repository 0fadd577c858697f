/* check.c - the pure logic of the proxy's health checks (see check.h). */
#include "config.h"

#include "check.h"

#define SEC 1000000ULL

bool
check_type_supported(enum cf_checker_type type)
{
	return type == CF_CHK_HTTP_GET || type == CF_CHK_TCP || type == CF_CHK_MISC;
}

const char *
check_type_name(enum cf_checker_type type)
{
	switch (type) {
	case CF_CHK_HTTP_GET: return "HTTP_GET";
	case CF_CHK_SSL_GET: return "SSL_GET";
	case CF_CHK_TCP: return "TCP_CHECK";
	case CF_CHK_SMTP: return "SMTP_CHECK";
	case CF_CHK_DNS: return "DNS_CHECK";
	case CF_CHK_MISC: return "MISC_CHECK";
	case CF_CHK_PING: return "PING_CHECK";
	case CF_CHK_UDP: return "UDP_CHECK";
	case CF_CHK_BFD: return "BFD_CHECK";
	case CF_CHK_FILE: return "FILE_CHECK";
	}
	return "?";
}

/* keepalived's per-checker defaults (inventory 4.11) */
static unsigned
default_retry(enum cf_checker_type type)
{
	switch (type) {
	case CF_CHK_MISC: return 0;
	case CF_CHK_DNS: return 3;
	default: return 1;
	}
}

static uint64_t
default_delay_before_retry(enum cf_checker_type type, uint64_t delay_loop)
{
	switch (type) {
	case CF_CHK_HTTP_GET:
	case CF_CHK_SSL_GET: return 3 * SEC;
	case CF_CHK_DNS: return delay_loop;
	default: return 1 * SEC;
	}
}

void
check_params_resolve(const struct cf_virtual_server *vs, const struct cf_real_server *rs,
		     const struct cf_checker *c, struct check_params *out)
{
	out->delay_loop = c->delay_loop_us ? c->delay_loop_us
			: rs->delay_loop_us ? rs->delay_loop_us
			: vs->delay_loop_us ? vs->delay_loop_us
			: CHECK_DEFAULT_DELAY_LOOP_US;
	out->connect_timeout = c->connect_timeout_us ? c->connect_timeout_us
			     : vs->connect_timeout_us ? vs->connect_timeout_us
			     : CHECK_DEFAULT_CONNECT_US;
	out->retry = c->retry != CF_UNSET ? (unsigned)c->retry
		   : vs->retry != CF_UNSET ? (unsigned)vs->retry
		   : default_retry(c->type);
	out->delay_before_retry = c->delay_before_retry_us ? c->delay_before_retry_us
				: vs->delay_before_retry_us ? vs->delay_before_retry_us
				: default_delay_before_retry(c->type, out->delay_loop);
	/* the model cannot tell a checker's "warmup 0" from none: only the
	 * virtual server's warmup 0 turns the random start off */
	out->warmup = c->warmup_us ? c->warmup_us
		    : vs->warmup_set ? vs->warmup_us
		    : out->delay_loop;
	uint64_t vs_loop = vs->delay_loop_us ? vs->delay_loop_us : CHECK_DEFAULT_DELAY_LOOP_US;
	out->misc_timeout = c->misc_timeout_s ? (uint64_t)c->misc_timeout_s * SEC : vs_loop;
	out->alpha = c->alpha || vs->alpha;
}

void
check_state_init(struct check_state *s, bool alpha)
{
	s->up = !alpha;
	s->has_run = false;
	s->retry_it = 0;
}

struct check_outcome
check_result(struct check_state *s, const struct check_params *p, bool ok)
{
	struct check_outcome o = { .report = CHECK_QUIET, .delay = p->delay_loop };
	bool was_up = s->up;
	/* the first verdict is always told, even when it changes nothing
	 * (keepalived logs the first success of a server that starts up) */
	bool tell = s->up || !s->has_run;
	if (ok) {
		s->retry_it = 0;
		o.report = s->up && s->has_run ? CHECK_QUIET : CHECK_UP;
		s->up = true;
	} else if (s->up && s->retry_it < p->retry) {
		/* only an up checker is retried: a down one (alpha included)
		 * has nothing to lose */
		s->retry_it++;
		o.report = CHECK_RETRY;
		o.delay = p->delay_before_retry;
	} else {
		o.after_retries = tell && s->retry_it > 0;
		o.report = tell ? CHECK_DOWN : CHECK_QUIET;
		s->retry_it = 0;
		s->up = false;
	}
	s->has_run = true;
	o.changed = s->up != was_up;
	return o;
}

uint64_t
check_first_delay(const struct check_params *p, uint64_t rnd)
{
	return p->warmup ? rnd % (p->warmup + 1) : 0;
}

static bool
workers_alive(const struct px_shared *sh, uint64_t now)
{
	for (int i = 0; i < sh->nworkers; i++) {
		uint64_t beat = atomic_load_explicit(&sh->beat[i], memory_order_relaxed);
		/* a beat written after NOW was read is fresh, not stale */
		if (!beat || beat + CHECK_WORKER_STALE_US <= now)
			return false;
	}
	return true;
}

bool
check_vs_healthy(const struct px_shared *sh, const struct px_vs *vs, uint64_t now)
{
	if (atomic_load(&vs->listening) <= 0 || !workers_alive(sh, now))
		return false;
	for (size_t i = 0; i < vs->nrs; i++)
		if (px_rs_available(&vs->rs[i], now))
			return true;
	return vs->sorry && px_rs_available(vs->sorry, now);
}
