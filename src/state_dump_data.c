/* state_dump_data.c - keepalived.data from a snapshot (pure; see
 * state_dump.h).
 *
 * Layout of keepalived 2.2.7 (inventory section 8.1, checked against a
 * dump of the real daemon): section headings, one-space indented items,
 * three-space indented fields.  Sections Vigil has: Global definitions,
 * VRRP Topology, VRRP Sockpool, VRRP Sync groups, VRRP Scripts, VRRP Track
 * files.  Lines about features Vigil does not have (nftables, VMAC,
 * checker and BFD processes, interfaces' kernel details) are left out.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "state_dump.h"

static const char *
tf(bool v)
{
	return v ? "true" : "false";
}

static void
heading(struct sd_buf *b, const char *name)
{
	sd_printf(b, "------< %s >------\n", name);
}

/* "1795841165.034233 (Sat Nov 28 04:46:05.034233 2026)", local time */
static void
wall_time(struct sd_buf *b, int64_t us)
{
	time_t t = (time_t)(us / 1000000);
	long frac = (long)(us % 1000000);
	struct tm tm;
	char day[32] = "", year[8] = "";
	if (localtime_r(&t, &tm)) {
		strftime(day, sizeof(day), "%a %b %e %H:%M:%S", &tm);
		strftime(year, sizeof(year), "%Y", &tm);
	}
	sd_printf(b, "%lld.%06ld (%s.%06ld %s)", (long long)t, frac, day, frac, year);
}

static void
cmd_line(struct sd_buf *b, const struct cf_script *s)
{
	char *cmd = cf_script_cmdline(s);
	sd_printf(b, "%s", cmd ? cmd : "");
	free(cmd);
}

/* ---- Global definitions ------------------------------------------------------- */

static const char *
optbool(int v)
{
	return v == CF_UNSET ? "unset" : v ? "true" : "false";
}

static void
global_smtp(struct sd_buf *b, const struct cf_global *g)
{
	if (!g->smtp_server)
		return;
	sd_printf(b, " Smtp server = %s\n", g->smtp_server);
	sd_printf(b, " Smtp server port = %u\n", g->smtp_port);
	if (g->smtp_helo_name)
		sd_printf(b, " Smtp HELO name = %s\n", g->smtp_helo_name);
	sd_printf(b, " Smtp server connection timeout = %u\n", g->smtp_connect_timeout);
	if (g->email_from)
		sd_printf(b, " Email notification from = %s\n", g->email_from);
	if (g->nemails) {
		sd_puts(b, " Email notification to:\n");
		for (size_t i = 0; i < g->nemails; i++)
			sd_printf(b, "   %s\n", g->emails[i]);
	}
}

static void
global_garp(struct sd_buf *b, const struct cf_global *g)
{
	sd_printf(b, " Gratuitous ARP delay = %d\n", g->garp.master_delay);
	sd_printf(b, " Gratuitous ARP repeat = %d\n", g->garp.master_repeat);
	sd_printf(b, " Gratuitous ARP refresh timer = %d\n", g->garp.master_refresh);
	sd_printf(b, " Gratuitous ARP refresh repeat = %d\n", g->garp.master_refresh_repeat);
	/* unset lower-priority values follow the master ones */
	sd_printf(b, " Gratuitous ARP lower priority delay = %d\n",
		  g->garp.lower_prio_delay != CF_UNSET ? g->garp.lower_prio_delay
						       : g->garp.master_delay);
	sd_printf(b, " Gratuitous ARP lower priority repeat = %d\n",
		  g->garp.lower_prio_repeat != CF_UNSET ? g->garp.lower_prio_repeat
							: g->garp.master_repeat);
	sd_printf(b, " Num adverts before down = %d\n", g->down_timer_adverts);
	sd_printf(b, " Gratuitous ARP for each secondary VMAC = %ds\n",
		  g->garp.extra_if == CF_UNSET ? 0 : g->garp.extra_if);
	sd_printf(b, " Send advert after receive lower priority advert = %s\n",
		  tf(!g->lower_prio_no_advert));
	sd_printf(b, " Send advert after receive higher priority advert = %s\n",
		  tf(g->higher_prio_send_advert));
	sd_printf(b, " Gratuitous ARP interval = %f\n", g->garp_interval_us / 1e6);
	sd_printf(b, " Gratuitous NA interval = %f\n", g->gna_interval_us / 1e6);
}

static void
global_vrrp(struct sd_buf *b, const struct cf_global *g)
{
	char a4[64], a6[64];
	if (g->vrrp_notify_fifo.path)
		sd_printf(b, " VRRP notify fifo = %s, uid:gid 0:0\n", g->vrrp_notify_fifo.path);
	sd_printf(b, " FIFO write vrrp states on reload = %s\n",
		  tf(g->fifo_write_states_on_reload));
	sd_printf(b, " VRRP notify priority changes = %s\n", tf(g->notify_priority_changes));
	sd_printf(b, " VRRP IPv4 mcast group = %s\n",
		  cf_inaddr_str(&g->mcast_group4, a4, sizeof(a4)));
	sd_printf(b, " VRRP IPv6 mcast group = %s\n",
		  cf_inaddr_str(&g->mcast_group6, a6, sizeof(a6)));
	global_garp(b, g);
	sd_printf(b, " VRRP default protocol version = %d\n", g->vrrp_version);
	sd_printf(b, " VRRP check unicast_src = %s\n", tf(g->check_unicast_src));
	sd_printf(b, " VRRP skip check advert addresses = %s\n", tf(g->skip_check_adv_addr));
	sd_printf(b, " VRRP strict mode = %s\n", tf(g->strict));
	sd_printf(b, " Max auto priority = %d\n", g->max_auto_priority);
	sd_puts(b, " Min auto priority delay = 1000000 usecs\n");
	if (g->startup_delay_us)
		sd_printf(b, " vrrp_startup_delay = %g\n", g->startup_delay_us / 1e6);
	sd_printf(b, " VRRP process priority = %d\n", g->vrrp_priority);
	sd_printf(b, " VRRP don't swap = %s\n", tf(g->vrrp_no_swap));
	sd_printf(b, " VRRP realtime priority = %d\n", g->vrrp_rt_priority);
	sd_printf(b, " VRRP realtime limit = %u\n", g->vrrp_rlimit_rttime_us);
}

static void
global_section(struct sd_buf *b, const struct sd_snapshot *s)
{
	const struct cf_global *g = &s->m->global;
	heading(b, "Global definitions");
	sd_printf(b, " Network namespace = %s\n",
		  s->m->net_namespace ? s->m->net_namespace : "(default)");
	sd_puts(b, " Network namespace ipvs = (main namespace)\n");
	sd_printf(b, " Router ID = %s\n", s->router_id ? s->router_id : "");
	global_smtp(b, g);
	sd_printf(b, " Default smtp_alert = %s\n", optbool(g->smtp_alert));
	sd_printf(b, " Default smtp_alert_vrrp = %s\n", optbool(g->smtp_alert_vrrp));
	sd_printf(b, " Default smtp_alert_checker = %s\n", optbool(g->smtp_alert_checker));
	sd_puts(b, " Checkers log all failures = false\n");
	if (g->reload_check_config)
		sd_printf(b, " Test config before reload, log to %s\n", g->reload_check_config);
	else
		sd_puts(b, " No test config before reload\n");
	sd_printf(b, " Dynamic interfaces = %s\n", tf(g->dynamic_interfaces));
	sd_printf(b, " Default interface = %s\n",
		  g->default_interface ? g->default_interface : "eth0");
	sd_puts(b, " Disable local IGMP = no\n LVS flush = false\n LVS flush on stop = disabled\n");
	global_vrrp(b, g);
	sd_puts(b, " SNMP vrrp disabled\n SNMP checker disabled\n SNMP RFCv2 disabled\n"
		   " SNMP RFCv3 disabled\n SNMP traps disabled\n"
		   " SNMP socket = default (unix:/var/agentx/master)\n"
		   " DBus disabled\n DBus service name = \n");
	sd_printf(b, " Script security %s\n",
		  g->enable_script_security ? "enabled" : "disabled");
	if (!g->script_user)
		sd_puts(b, " Default script uid:gid 0:0\n");
	static const char *const bufs[] = {
		"vrrp_netlink_cmd_rcv_bufs", "vrrp_netlink_monitor_rcv_bufs",
		"process_monitor_rcv_bufs", "lvs_netlink_cmd_rcv_bufs",
		"lvs_netlink_monitor_rcv_bufs",
	};
	for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		sd_printf(b, " %s = 0\n %s_force = 0\n", bufs[i], bufs[i]);
	sd_puts(b, " rs_init_notifies = 0\n no_checker_emails = 0\n rx_bufs_multiples = 3\n");
	sd_printf(b, " umask = %04o\n", g->umask);
}

/* ---- VRRP Topology ------------------------------------------------------------ */

static void
inst_head(struct sd_buf *b, const struct sd_instance *v)
{
	const struct cf_vrrp_instance *cf = v->cf;
	char buf[64];
	sd_printf(b, " VRRP Instance = %s\n", cf->name);
	sd_printf(b, "   VRRP Version = %d\n", cf->version);
	if (v->sync_group)
		sd_printf(b, "   Sync group = %s\n", v->sync_group);
	if (cf->family == AF_INET6)
		sd_puts(b, "   Using Native IPv6\n");
	sd_printf(b, "   State = %s\n", vrrp_state_name(v->state));
	if (v->state == VRRP_STATE_BACKUP && v->master.family) {
		sd_printf(b, "   Master router = %s\n",
			  cf_inaddr_str(&v->master, buf, sizeof(buf)));
		sd_printf(b, "   Master priority = %u\n", v->master_priority);
		if (cf->version == 3)
			sd_printf(b, "   Master advert int = %.2f sec\n",
				  v->master_adver_us / 1e6);
	}
	sd_puts(b, v->unicast ? "   Flags:\n     Using unicast\n" : "   Flags: none\n");
	sd_printf(b, "   Wantstate = %s\n", vrrp_state_name(v->state));
	sd_puts(b, "   Number of config faults = 0\n");
	sd_printf(b, "   Number of interface and track script faults = %d\n", v->faults);
	sd_printf(b, "   Number of track scripts init = %d\n", v->scripts_init);
	sd_puts(b, "   Last transition = ");
	wall_time(b, v->last_transition_us);
	sd_puts(b, "\n   Read timeout = ");
	if (v->read_timeout_us)
		wall_time(b, v->read_timeout_us);
	else
		sd_puts(b, "DISABLED");
	sd_printf(b, "\n   Master down timer = %llu usecs\n",
		  (unsigned long long)v->master_down_us);
}

static void
inst_addressing(struct sd_buf *b, const struct sd_instance *v,
		const struct cf_global *g)
{
	const struct cf_vrrp_instance *cf = v->cf;
	char buf[64];
	sd_printf(b, "   Interface = %s\n", cf->ifname);
	sd_printf(b, "   Using src_ip = %s%s\n", cf_inaddr_str(&v->src, buf, sizeof(buf)),
		  cf->mcast_src.family ? " (from configuration)" : "");
	if (!v->unicast) {
		const struct cf_inaddr *grp = cf->mcast_dst.family == cf->family
			? &cf->mcast_dst
			: cf->family == AF_INET6 ? &g->mcast_group6 : &g->mcast_group4;
		sd_printf(b, "   Multicast address %s\n", cf_inaddr_str(grp, buf, sizeof(buf)));
	}
	sd_printf(b, "   Gratuitous ARP delay = %d\n", v->garp.master_delay);
	sd_printf(b, "   Gratuitous ARP repeat = %d\n", v->garp.master_repeat);
	sd_printf(b, "   Gratuitous ARP refresh = %d\n", v->garp.master_refresh);
	sd_printf(b, "   Gratuitous ARP refresh repeat = %d\n", v->garp.master_refresh_repeat);
	sd_printf(b, "   Gratuitous ARP lower priority delay = %d\n", v->garp.lower_prio_delay);
	sd_printf(b, "   Gratuitous ARP lower priority repeat = %d\n", v->garp.lower_prio_repeat);
	sd_printf(b, "   Down timer adverts = %d\n", v->down_timer_adverts);
	sd_printf(b, "   Send advert after receive lower priority advert = %s\n",
		  tf(!v->lower_prio_no_advert));
	sd_printf(b, "   Send advert after receive higher priority advert = %s\n",
		  tf(v->higher_prio_send_advert));
}

static void
inst_priority(struct sd_buf *b, const struct sd_instance *v)
{
	const struct cf_vrrp_instance *cf = v->cf;
	sd_printf(b, "   Virtual Router ID = %d\n", cf->vrid);
	sd_printf(b, "   Priority = %u\n", v->base_priority);
	sd_printf(b, "   Effective priority = %u\n", v->effective_priority);
	sd_printf(b, "   Total priority = %u\n", v->effective_priority);
	if (cf->version == 2)
		sd_printf(b, "   Advert interval = %u sec\n", v->advert_us / 1000000);
	else
		sd_printf(b, "   Advert interval = %u milli-sec\n", v->advert_us / 1000);
	if (cf->version == 3 && v->state == VRRP_STATE_BACKUP)
		sd_printf(b, "   Master advert interval = %u milli-sec\n",
			  v->master_adver_us / 1000);
	sd_printf(b, "   Accept = %s\n", v->accept ? "enabled" : "disabled");
	sd_printf(b, "   Preempt = %s\n", cf->nopreempt ? "disabled" : "enabled");
	if (cf->preempt_delay_us)
		sd_printf(b, "   Preempt delay = %u secs\n", cf->preempt_delay_us / 1000000);
	sd_printf(b, "   Promote_secondaries = %s\n",
		  cf->promote_secondaries ? "enabled" : "disabled");
	if (cf->version != 2)
		return;
	if (cf->auth_type == CF_AUTH_PASS)
		sd_printf(b, "   Authentication type = SIMPLE_PASSWORD\n   Password = %s\n",
			  cf->auth_pass);
	else
		sd_printf(b, "   Authentication type = %s\n",
			  cf->auth_type == CF_AUTH_AH ? "IPSEC_AH" : "none");
}

static void
inst_vips(struct sd_buf *b, const struct sd_instance *v, const char *title,
	  const struct cf_ipaddress_list *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += l->v[i].addr.family == v->cf->family;
	if (!n)
		return;
	sd_printf(b, "   %s (%zu):\n", title, n);
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].addr.family != v->cf->family)
			continue;
		sd_puts(b, "     ");
		sd_format_vip(b, &l->v[i], v->cf->ifname);
		sd_puts(b, v->state == VRRP_STATE_MASTER ? " set\n" : "\n");
	}
}

static void
inst_unicast(struct sd_buf *b, const struct sd_instance *v)
{
	const struct cf_vrrp_instance *cf = v->cf;
	char buf[64];
	if (!v->unicast)
		return;
	sd_printf(b, "   Unicast TTL = %d\n", cf->unicast_ttl == CF_UNSET ? 255 : cf->unicast_ttl);
	sd_printf(b, "   Check unicast src : %s\n", cf->check_unicast_src ? "yes" : "no");
	sd_puts(b, "   Unicast Peer :\n");
	for (size_t i = 0; i < cf->npeers; i++) {
		const struct cf_unicast_peer *p = &cf->peers[i];
		sd_printf(b, "     %s min_ttl %d max_ttl %d\n",
			  cf_inaddr_str(&p->addr, buf, sizeof(buf)),
			  p->min_ttl == CF_UNSET ? 0 : p->min_ttl,
			  p->max_ttl == CF_UNSET ? 255 : p->max_ttl);
	}
	sd_printf(b, "   Unicast checksum compatibility = %s\n",
		  cf->old_unicast_checksum == 1 ? "yes" : "no");
}

static void
inst_routes(struct sd_buf *b, const char *title, const struct cf_route_list *l)
{
	if (!l->n)
		return;
	sd_printf(b, "   %s :\n", title);
	for (size_t i = 0; i < l->n; i++) {
		sd_puts(b, "    ");
		for (unsigned w = 0; w < l->v[i].nwords; w++)
			sd_printf(b, " %s", l->v[i].words[w]);
		sd_puts(b, "\n");
	}
}

static void
inst_trackers(struct sd_buf *b, const struct sd_instance *v)
{
	const struct cf_vrrp_instance *cf = v->cf;
	if (cf->track_if.n)
		sd_puts(b, "   Tracked interfaces :\n");
	for (size_t i = 0; i < cf->track_if.n; i++)
		sd_printf(b, "     %s weight %d\n", cf->track_if.v[i].name,
			  cf->track_if.v[i].has_weight ? cf->track_if.v[i].weight : 0);
	if (v->ntracks)
		sd_puts(b, "   Tracked scripts :\n");
	for (size_t i = 0; i < v->ntracks; i++)
		sd_printf(b, "     %s weight %d%s\n", v->tracks[i].name, v->tracks[i].weight,
			  v->tracks[i].reverse ? " reverse" : "");
	if (cf->track_file.n)
		sd_puts(b, "   Tracked files :\n");
	for (size_t i = 0; i < cf->track_file.n; i++)
		sd_printf(b, "     %s, weight %d\n", cf->track_file.v[i].name,
			  cf->track_file.v[i].has_weight ? cf->track_file.v[i].weight : 1);
	if (cf->track_process.n)
		sd_puts(b, "   Tracked processes :\n");
	for (size_t i = 0; i < cf->track_process.n; i++)
		sd_printf(b, "     %s, weight %d\n", cf->track_process.v[i].name,
			  cf->track_process.v[i].has_weight ? cf->track_process.v[i].weight : 0);
}

static void
inst_notify(struct sd_buf *b, const struct sd_instance *v, const struct cf_global *g)
{
	const struct cf_notify *n = &v->cf->notify;
	const struct { const char *what; const struct cf_script *s; } scripts[] = {
		{ "Backup", n->backup }, { "Master", n->master }, { "Fault", n->fault },
		{ "Stop", n->stop }, { "Deleted", n->deleted }, { "Generic", n->notify },
	};
	sd_printf(b, "   Using smtp notification = %s\n", v->smtp_alert ? "yes" : "no");
	sd_printf(b, "   Notify deleted = %s\n",
		  n->deleted_set || n->deleted ? "Deleted" : "Fault");
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		if (!scripts[i].s || !scripts[i].s->cmd)
			continue;
		sd_printf(b, "   %s state transition script = ", scripts[i].what);
		cmd_line(b, scripts[i].s);
		sd_puts(b, ", uid:gid 0:0\n");
	}
	if (n->master_rx_lower_pri && n->master_rx_lower_pri->cmd) {
		sd_puts(b, "   Master receive lower priority state transition script = ");
		cmd_line(b, n->master_rx_lower_pri);
		sd_puts(b, ", uid:gid 0:0\n");
	}
	int npc = v->cf->notify_priority_changes;
	sd_printf(b, "   Notify priority changes = %s\n",
		  tf(npc != CF_UNSET ? npc : g->notify_priority_changes));
}

static void
topology_section(struct sd_buf *b, const struct sd_snapshot *s)
{
	if (!s->nvi)
		return;
	heading(b, "VRRP Topology");
	for (size_t i = 0; i < s->nvi; i++) {
		const struct sd_instance *v = &s->vi[i];
		inst_head(b, v);
		inst_addressing(b, v, &s->m->global);
		inst_priority(b, v);
		inst_vips(b, v, "Virtual IP", &v->cf->vips);
		inst_vips(b, v, "Virtual IP Excluded", &v->cf->evips);
		inst_unicast(b, v);
		if (v->fd >= 0)
			sd_printf(b, "   fd_in %d, fd_out %d\n", v->fd, v->fd);
		else
			sd_puts(b, "   No sockets allocated\n");
		inst_routes(b, "Virtual Routes", &v->cf->vroutes);
		inst_routes(b, "Virtual Rules", &v->cf->vrules);
		inst_trackers(b, v);
		inst_notify(b, v, &s->m->global);
	}
}

/* ---- sockets, groups, scripts, track files ------------------------------------- */

static void
sockpool_section(struct sd_buf *b, const struct sd_snapshot *s)
{
	if (!s->nsocks)
		return;
	heading(b, "VRRP Sockpool");
	for (size_t i = 0; i < s->nsocks; i++) {
		const struct sd_sock *k = &s->socks[i];
		sd_printf(b, " fd_in %d fd_out = %d\n", k->fd, k->fd);
		sd_printf(b, "   Interface = %s\n", k->ifname);
		sd_printf(b, "   Family = %s\n", k->family == AF_INET6 ? "IPv6" : "IPv4");
		sd_puts(b, "   Protocol = VRRP\n");
		sd_printf(b, "   Type = %s\n", k->unicast ? "Unicast" : "Multicast");
		sd_puts(b, "   Rx buf size = 0\n   VRRP instances\n");
		for (size_t v = 0; v < s->nvi; v++)
			if (s->vi[v].fd == k->fd)
				sd_printf(b, "     %s vrid %d\n", s->vi[v].cf->name,
					  s->vi[v].cf->vrid);
	}
}

static void
groups_section(struct sd_buf *b, const struct sd_snapshot *s)
{
	if (!s->ngroups)
		return;
	heading(b, "VRRP Sync groups");
	for (size_t i = 0; i < s->ngroups; i++) {
		const struct sd_group *g = &s->groups[i];
		int fault = 0, init = 0;
		for (size_t v = 0; v < s->nvi; v++) {
			if (!s->vi[v].sync_group || strcmp(s->vi[v].sync_group, g->cf->name))
				continue;
			fault += s->vi[v].state == VRRP_STATE_FAULT;
			init += s->vi[v].state == VRRP_STATE_INIT;
		}
		sd_printf(b, " VRRP Sync Group = %s, %s\n", g->cf->name, vrrp_state_name(g->state));
		sd_printf(b, "   Num member fault %d, num member init %d\n", fault, init);
		sd_puts(b, "   VRRP member instances :\n");
		for (size_t m = 0; m < g->cf->nmembers; m++)
			sd_printf(b, "     %s\n", g->cf->members[m]);
	}
}

static const char *
status_word(enum track_status st)
{
	return st == TRACK_GOOD ? "GOOD" : "BAD";
}

static void
script_entry(struct sd_buf *b, const struct sd_snapshot *s, const struct sd_script *sc)
{
	const struct cf_vrrp_script *cf = sc->cf;
	sd_printf(b, " VRRP Script = %s\n   Command = ", cf->name);
	cmd_line(b, &cf->script);
	sd_printf(b, "\n   Interval = %u sec\n   Timeout = %u sec\n", cf->interval, cf->timeout);
	sd_printf(b, "   Weight = %d%s\n", cf->weight, cf->weight_reverse ? " reverse" : "");
	sd_printf(b, "   Rise = %d\n   Fall = %d\n", cf->rise, cf->fall);
	sd_printf(b, "   Result = %d\n   Insecure = no\n", sc->result);
	sd_printf(b, "   Init state = %s\n",
		  sc->status == TRACK_INIT ? (cf->init_fail ? "INIT/FAILED" : "INIT")
					   : "unknown");
	sd_printf(b, "   Status = %s\n", status_word(sc->status));
	sd_puts(b, "   Script uid:gid = 0:0\n   VRRP instances :\n   Tracking instances :\n");
	for (size_t v = 0; v < s->nvi; v++)
		for (size_t t = 0; t < s->vi[v].ntracks; t++)
			if (!strcmp(s->vi[v].tracks[t].name, cf->name))
				sd_printf(b, "     %s, weight %d\n", s->vi[v].cf->name,
					  s->vi[v].tracks[t].weight);
	sd_printf(b, "   State = %s\n", sc->running ? "running" : "idle");
}

static void
scripts_section(struct sd_buf *b, const struct sd_snapshot *s)
{
	if (!s->nscripts)
		return;
	heading(b, "VRRP Scripts");
	for (size_t i = 0; i < s->nscripts; i++)
		script_entry(b, s, &s->scripts[i]);
}

static void
tfiles_section(struct sd_buf *b, const struct sd_snapshot *s)
{
	const struct cf_model *m = s->m;
	bool any = false;
	for (size_t i = 0; i < m->ntrack_files; i++) {
		const struct cf_track_file *f = &m->track_files[i];
		if (f->removed)
			continue;
		if (!any)
			heading(b, "VRRP Track files");
		any = true;
		sd_printf(b, " Track file = %s\n   File = %s\n   Weight = %d%s\n", f->name,
			  f->file, f->weight, f->weight_reverse ? " reverse" : "");
		sd_puts(b, "   Tracking instances :\n");
		for (size_t v = 0; v < s->nvi; v++) {
			const struct cf_track_list *l = &s->vi[v].cf->track_file;
			for (size_t k = 0; k < l->n; k++)
				if (!strcmp(l->v[k].name, f->name))
					sd_printf(b, "     %s, weight %d\n", s->vi[v].cf->name,
						  l->v[k].has_weight ? l->v[k].weight : f->weight);
		}
	}
}

void
sd_format_data(const struct sd_snapshot *s, struct sd_buf *b)
{
	global_section(b, s);
	topology_section(b, s);
	sockpool_section(b, s);
	groups_section(b, s);
	scripts_section(b, s);
	tfiles_section(b, s);
}
