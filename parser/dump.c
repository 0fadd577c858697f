/* dump.c - print the normalised model: one setting per line, stable order.
 * Tests compare this text; `keepalived -t --dump-conf` shows it. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "conf.h"

static void
dump_script(FILE *o, const char *indent, const char *key, const struct cf_script *s)
{
	if (!s || !s->cmd)
		return;
	fprintf(o, "%s%s =", indent, key);
	for (int i = 0; i < s->argc; i++)
		fprintf(o, " '%s'", s->argv[i]);
	if (s->user)
		fprintf(o, " user %s", s->user);
	if (s->group)
		fprintf(o, " group %s", s->group);
	fputc('\n', o);
}

static void
dump_addr(FILE *o, const char *indent, const struct cf_ipaddress *a)
{
	char buf[64];
	fprintf(o, "%s%s/%u", indent, cf_inaddr_str(&a->addr, buf, sizeof(buf)), a->prefix);
	if (a->brd_mode == CF_BRD_ADDR)
		fprintf(o, " brd %s", cf_inaddr_str(&a->brd, buf, sizeof(buf)));
	else if (a->brd_mode == CF_BRD_SET)
		fprintf(o, " brd +");
	else if (a->brd_mode == CF_BRD_CLEAR)
		fprintf(o, " brd -");
	if (a->dev[0])
		fprintf(o, " dev %s", a->dev);
	if (a->scope != CF_UNSET)
		fprintf(o, " scope %d", a->scope);
	if (a->label[0])
		fprintf(o, " label %s", a->label);
	if (a->no_track)
		fprintf(o, " no_track");
	fputc('\n', o);
}

static void
dump_tracks(FILE *o, const char *key, const struct cf_track_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		fprintf(o, "  %s = %s", key, l->v[i].name);
		if (l->v[i].has_weight)
			fprintf(o, " weight %d", l->v[i].weight);
		if (l->v[i].reverse == 1)
			fprintf(o, " reverse");
		fputc('\n', o);
	}
}

static void
dump_notify(FILE *o, const struct cf_notify *n)
{
	dump_script(o, "  ", "notify_master", n->master);
	dump_script(o, "  ", "notify_backup", n->backup);
	dump_script(o, "  ", "notify_fault", n->fault);
	dump_script(o, "  ", "notify_stop", n->stop);
	dump_script(o, "  ", "notify", n->notify);
}

static const char *
state_name(enum cf_state s)
{
	return s == CF_STATE_MASTER ? "MASTER" : "BACKUP";
}

static void
dump_global(FILE *o, const struct cf_global *g)
{
	char buf[64];
	fprintf(o, "global_defs\n");
	fprintf(o, "  router_id = %s\n", g->router_id ? g->router_id : "(hostname)");
	for (size_t i = 0; i < g->nemails; i++)
		fprintf(o, "  notification_email = %s\n", g->emails[i]);
	if (g->email_from)
		fprintf(o, "  notification_email_from = %s\n", g->email_from);
	if (g->smtp_server)
		fprintf(o, "  smtp_server = %s port %u\n", g->smtp_server, g->smtp_port);
	fprintf(o, "  smtp_connect_timeout = %u\n", g->smtp_connect_timeout);
	/* Vigil extensions: shown only when set, so a keepalived config's
	 * dump is unchanged; never the password */
	if (g->smtp_attempts)
		fprintf(o, "  smtp_retries = %u\n", g->smtp_attempts - 1);
	if (g->smtp_retry_delay)
		fprintf(o, "  smtp_retry_delay = %u\n", g->smtp_retry_delay);
	if (g->smtp_starttls)
		fprintf(o, "  smtp_starttls = true\n");
	if (g->smtp_auth_user)
		fprintf(o, "  smtp_auth_user = %s (password %s)\n", g->smtp_auth_user,
			g->smtp_auth_password ? "set" : "missing");
	if (g->smtp_tls_ca_file)
		fprintf(o, "  smtp_tls_ca_file = %s\n", g->smtp_tls_ca_file);
	if (g->smtp_tls_noverify)
		fprintf(o, "  smtp_tls_verify = false\n");
	if (g->status_socket)
		fprintf(o, "  status_socket = %s\n", g->status_socket);
	if (g->status_port)
		fprintf(o, "  status_listen = %s port %u%s\n",
			cf_inaddr_str(&g->status_addr, buf, sizeof(buf)), g->status_port,
			g->status_control ? " control" : "");
	fprintf(o, "  vrrp_version = %d\n", g->vrrp_version);
	fprintf(o, "  vrrp_mcast_group4 = %s\n", cf_inaddr_str(&g->mcast_group4, buf, sizeof(buf)));
	fprintf(o, "  vrrp_mcast_group6 = %s\n", cf_inaddr_str(&g->mcast_group6, buf, sizeof(buf)));
	fprintf(o, "  vrrp_garp_master_delay = %d\n", g->garp.master_delay);
	fprintf(o, "  vrrp_garp_master_repeat = %d\n", g->garp.master_repeat);
	fprintf(o, "  vrrp_strict = %s\n", g->strict ? "true" : "false");
	fprintf(o, "  enable_script_security = %s\n", g->enable_script_security ? "true" : "false");
	if (g->script_user)
		fprintf(o, "  script_user = %s\n", g->script_user);
	fprintf(o, "  umask = %04o\n", g->umask);
	for (size_t i = 0; i < g->unsupported.n; i++)
		fprintf(o, "  ignored = %s\n", g->unsupported.v[i].keyword);
}

static void
dump_instance(FILE *o, const struct cf_vrrp_instance *vi)
{
	char buf[64];
	fprintf(o, "vrrp_instance %s\n", vi->name);
	fprintf(o, "  state = %s\n", state_name(vi->state));
	fprintf(o, "  interface = %s\n", vi->ifname[0] ? vi->ifname : "(none)");
	fprintf(o, "  virtual_router_id = %d\n", vi->vrid);
	fprintf(o, "  priority = %d\n", vi->priority);
	fprintf(o, "  advert_int = %u.%06u\n", vi->advert_us / 1000000, vi->advert_us % 1000000);
	fprintf(o, "  version = %d\n", vi->version);
	fprintf(o, "  family = %s\n", vi->family == AF_INET6 ? "inet6" : "inet");
	fprintf(o, "  nopreempt = %s\n", vi->nopreempt ? "true" : "false");
	fprintf(o, "  preempt_delay = %u.%06u\n", vi->preempt_delay_us / 1000000,
		vi->preempt_delay_us % 1000000);
	if (vi->auth_type != CF_AUTH_NONE)
		fprintf(o, "  authentication = %s %s\n",
			vi->auth_type == CF_AUTH_PASS ? "PASS" : "AH", vi->auth_pass);
	if (vi->mcast_src.family)
		fprintf(o, "  %s = %s\n", vi->unicast_src_set ? "unicast_src_ip" : "mcast_src_ip",
			cf_inaddr_str(&vi->mcast_src, buf, sizeof(buf)));
	for (size_t i = 0; i < vi->npeers; i++)
		fprintf(o, "  unicast_peer = %s\n",
			cf_inaddr_str(&vi->peers[i].addr, buf, sizeof(buf)));
	for (size_t i = 0; i < vi->vips.n; i++)
		dump_addr(o, "  virtual_ipaddress = ", &vi->vips.v[i]);
	for (size_t i = 0; i < vi->evips.n; i++)
		dump_addr(o, "  virtual_ipaddress_excluded = ", &vi->evips.v[i]);
	dump_tracks(o, "track_interface", &vi->track_if);
	dump_tracks(o, "track_script", &vi->track_script);
	dump_tracks(o, "track_file", &vi->track_file);
	dump_tracks(o, "track_process", &vi->track_process);
	dump_notify(o, &vi->notify);
	if (vi->sync_group)
		fprintf(o, "  sync_group = %s\n", vi->sync_group);
	for (size_t i = 0; i < vi->unsupported.n; i++)
		fprintf(o, "  ignored = %s\n", vi->unsupported.v[i].keyword);
}

static void
dump_proxy(FILE *o, const struct cf_proxy *p)
{
	fprintf(o, "  proxy_mode = %s\n", p->tcp ? "tcp" : "http");
	for (size_t i = 0; i < p->nheaders; i++)
		fprintf(o, "  proxy_set_header = %s %s\n", p->headers[i].name, p->headers[i].value);
	fprintf(o, "  proxy timeouts (ms) = connect %u read %u send %u client %u keepalive %u\n",
		p->connect_timeout_us / 1000, p->read_timeout_us / 1000, p->send_timeout_us / 1000,
		p->client_timeout_us / 1000, p->keepalive_timeout_us / 1000);
	fprintf(o, "  proxy_keepalive = %u\n  max_fails = %u\n  fail_timeout (ms) = %u\n",
		p->upstream_keepalive, p->max_fails, p->fail_timeout_us / 1000);
	if (p->access_log)
		fprintf(o, "  access_log = %s\n", p->access_log);
}

static void
dump_vs(FILE *o, const struct cf_virtual_server *vs)
{
	char buf[64];
	static const char *const kinds[] = { "", "NAT", "DR", "TUN", "PROXY" };
	if (vs->kind == CF_VS_FWMARK)
		fprintf(o, "virtual_server fwmark %u\n", vs->fwmark);
	else if (vs->kind == CF_VS_GROUP)
		fprintf(o, "virtual_server group %s\n", vs->group);
	else
		fprintf(o, "virtual_server %s %u\n", cf_inaddr_str(&vs->addr, buf, sizeof(buf)),
			vs->port);
	fprintf(o, "  lb_algo = %s\n", vs->lb_algo);
	fprintf(o, "  lb_kind = %s\n", kinds[vs->lb_kind]);
	fprintf(o, "  protocol = %s\n", vs->protocol == CF_PROTO_TCP ? "TCP" :
		vs->protocol == CF_PROTO_UDP ? "UDP" : vs->protocol == CF_PROTO_SCTP ? "SCTP" : "none");
	fprintf(o, "  delay_loop = %llu.%06llu\n", (unsigned long long)(vs->delay_loop_us / 1000000),
		(unsigned long long)(vs->delay_loop_us % 1000000));
	if (vs->lb_kind == CF_LB_PROXY)
		dump_proxy(o, &vs->proxy);
	for (size_t i = 0; i < vs->nrs; i++) {
		const struct cf_real_server *rs = &vs->rs[i];
		fprintf(o, "  real_server = %s %u weight %d checkers %zu\n",
			cf_inaddr_str(&rs->addr, buf, sizeof(buf)), rs->port, rs->weight,
			rs->nchecks);
	}
}

void
cf_dump(const struct cf_model *m, FILE *o)
{
	dump_global(o, &m->global);
	for (size_t i = 0; i < m->nscripts; i++) {
		const struct cf_vrrp_script *s = &m->scripts[i];
		fprintf(o, "vrrp_script %s%s\n", s->name, s->removed ? " (removed)" : "");
		dump_script(o, "  ", "script", &s->script);
		fprintf(o, "  interval = %u\n  timeout = %u\n  weight = %d%s\n  rise = %d\n  fall = %d\n",
			s->interval, s->timeout ? s->timeout : s->interval, s->weight,
			s->weight_reverse ? " reverse" : "", s->rise, s->fall);
	}
	for (size_t i = 0; i < m->ntrack_files; i++)
		fprintf(o, "track_file %s\n  file = %s\n  weight = %d\n", m->track_files[i].name,
			m->track_files[i].file ? m->track_files[i].file : "(none)",
			m->track_files[i].weight);
	for (size_t i = 0; i < m->ntrack_procs; i++)
		fprintf(o, "vrrp_track_process %s\n  process = %s\n  quorum = %u\n",
			m->track_procs[i].name,
			m->track_procs[i].process ? m->track_procs[i].process : "(none)",
			m->track_procs[i].quorum);
	for (size_t i = 0; i < m->ninstances; i++)
		dump_instance(o, &m->instances[i]);
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct cf_sync_group *g = &m->groups[i];
		fprintf(o, "vrrp_sync_group %s%s\n", g->name, g->removed ? " (removed)" : "");
		for (size_t j = 0; j < g->nmembers; j++)
			fprintf(o, "  group = %s\n", g->members[j]);
		dump_notify(o, &g->notify);
	}
	for (size_t i = 0; i < m->static_addrs.n; i++)
		dump_addr(o, "static_ipaddress = ", &m->static_addrs.v[i]);
	for (size_t i = 0; i < m->nvs; i++)
		dump_vs(o, &m->vs[i]);
	for (size_t i = 0; i < m->unsupported.n; i++)
		fprintf(o, "ignored = %s\n", m->unsupported.v[i].keyword);
}
