/* model.c - the configuration model's lifetime, defaults and lookups. */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

struct cf_model *
model_new(void)
{
	struct cf_model *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	strpool_init(&m->pool);
	model_global_defaults(&m->global);
	m->child_wait_time = 5;
	return m;
}

void
model_free(struct cf_model *m)
{
	if (!m)
		return;
	/* every string and array lives in the pool */
	strpool_free(&m->pool);
	free(m);
}

static void
garp_defaults(struct cf_garp *g)
{
	g->master_delay = 5;
	g->master_repeat = 5;
	g->master_refresh = 0;
	g->master_refresh_repeat = 1;
	g->lower_prio_delay = CF_UNSET;	/* = master_delay */
	g->lower_prio_repeat = CF_UNSET;	/* = master_repeat */
	g->extra_if = 0;
	g->extra_if_all = false;
}

void
model_global_defaults(struct cf_global *g)
{
	memset(g, 0, sizeof(*g));
	g->smtp_port = 25;
	g->smtp_connect_timeout = 30;
	g->smtp_alert = g->smtp_alert_vrrp = g->smtp_alert_checker = CF_UNSET;
	g->startup_script_timeout = g->shutdown_script_timeout = 10;
	g->mcast_group4.family = AF_INET;
	inet_pton(AF_INET, "224.0.0.18", g->mcast_group4.a);
	g->mcast_group6.family = AF_INET6;
	inet_pton(AF_INET6, "ff02::12", g->mcast_group6.a);
	g->vrrp_version = 2;
	garp_defaults(&g->garp);
	g->down_timer_adverts = 3;
	g->umask = 0177;
	g->vrrp_rlimit_rttime_us = 10000;
}

void
model_instance_defaults(struct cf_vrrp_instance *vi)
{
	memset(vi, 0, sizeof(*vi));
	vi->priority = 100;
	vi->advert_us = 1000000;
	vi->unicast_ttl = CF_UNSET;
	vi->old_unicast_checksum = CF_UNSET;
	vi->accept = CF_UNSET;
	vi->strict_mode = CF_UNSET;
	vi->smtp_alert = CF_UNSET;
	vi->notify_priority_changes = CF_UNSET;
	vi->garp = (struct cf_garp){
		.master_delay = CF_UNSET, .master_repeat = CF_UNSET,
		.master_refresh = CF_UNSET, .master_refresh_repeat = CF_UNSET,
		.lower_prio_delay = CF_UNSET, .lower_prio_repeat = CF_UNSET,
		.extra_if = CF_UNSET,
	};
	vi->down_timer_adverts = CF_UNSET;
	vi->lower_prio_no_advert = CF_UNSET;
	vi->higher_prio_send_advert = CF_UNSET;
}

const struct cf_vrrp_instance *
model_find_instance(const struct cf_model *m, const char *name)
{
	for (size_t i = 0; i < m->ninstances; i++)
		if (!m->instances[i].removed && !strcmp(m->instances[i].name, name))
			return &m->instances[i];
	return NULL;
}

const struct cf_vrrp_script *
model_find_script(const struct cf_model *m, const char *name)
{
	for (size_t i = 0; i < m->nscripts; i++)
		if (!m->scripts[i].removed && !strcmp(m->scripts[i].name, name))
			return &m->scripts[i];
	return NULL;
}

const struct cf_track_file *
model_find_track_file(const struct cf_model *m, const char *name)
{
	for (size_t i = 0; i < m->ntrack_files; i++)
		if (!m->track_files[i].removed && !strcmp(m->track_files[i].name, name))
			return &m->track_files[i];
	return NULL;
}

const struct cf_track_process *
model_find_track_process(const struct cf_model *m, const char *name)
{
	for (size_t i = 0; i < m->ntrack_procs; i++)
		if (!m->track_procs[i].removed && !strcmp(m->track_procs[i].name, name))
			return &m->track_procs[i];
	return NULL;
}

size_t
cf_family_len(int family)
{
	return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

char *
cf_script_cmdline(const struct cf_script *s)
{
	size_t len = 1;
	for (int i = 0; i < s->argc; i++)
		len += strlen(s->argv[i]) + 3;		/* ' ' and two quotes */
	char *out = malloc(len), *p = out;
	if (!out)
		return NULL;
	*p = '\0';
	for (int i = 0; i < s->argc; i++)
		p += sprintf(p, "%s'%s'", i ? " " : "", s->argv[i]);
	return out;
}

const char *
cf_inaddr_str(const struct cf_inaddr *a, char *buf, size_t len)
{
	if (a->family != AF_INET && a->family != AF_INET6) {
		snprintf(buf, len, "(none)");
		return buf;
	}
	if (!inet_ntop(a->family, a->a, buf, (socklen_t)len))
		snprintf(buf, len, "(invalid)");
	return buf;
}

bool
cf_inaddr_eq(const struct cf_inaddr *x, const struct cf_inaddr *y)
{
	return x->family == y->family && !memcmp(x->a, y->a, cf_family_len(x->family));
}
