/* validate.c - keepalived's defaults and cross-checks after parsing.
 *
 * Split per object, each check one small function, with keepalived's
 * messages so that `-t` flags the same lines.  Checks that need the host
 * (interfaces, script files, users) run only when the options ask.
 */
#include "config.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parse_int.h"

static void
at(struct pctx *pc, struct cf_loc loc, enum diag_level lvl, enum diag_class cls,
   const char *msg)
{
	diag_add(pc->d, lvl, cls, loc.file, loc.line, 0, "%s", msg);
}

#define AT(pc, loc, cls, ...) do { \
	char *m_ = NULL; \
	if (asprintf(&m_, __VA_ARGS__) >= 0) { \
		at((pc), (loc), DIAG_ERROR, (cls), m_); \
		free(m_); \
	} \
} while (0)

static bool
interface_exists(struct pctx *pc, const char *name)
{
	if (!pc->opts->check_interfaces || pc->m->global.dynamic_interfaces)
		return true;
	return if_nametoindex(name) != 0;
}

/* keepalived refuses a loopback interface for VRRP (checked on the flags,
 * not the name, so any loopback counts). */
static bool
interface_is_loopback(struct pctx *pc, const char *name)
{
	if (!pc->opts->check_interfaces)
		return false;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	bool lo = ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_LOOPBACK);
	close(fd);
	return lo;
}

/* ---- scripts ------------------------------------------------------------ */

/* Resolve a command the way keepalived does: as is with a '/', else PATH. */
static bool
find_executable(const char *cmd, char *out, size_t len)
{
	if (strchr(cmd, '/')) {
		snprintf(out, len, "%s", cmd);
		return access(cmd, X_OK) == 0;
	}
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	while (*path) {
		const char *colon = strchr(path, ':');
		size_t n = colon ? (size_t)(colon - path) : strlen(path);
		snprintf(out, len, "%.*s/%s", (int)n, path, cmd);
		if (access(out, X_OK) == 0)
			return true;
		path += n + (colon ? 1 : 0);
	}
	return false;
}

/* A path is secure when it and its directories are root-owned and not
 * writable by group or others (keepalived's check_script_secure). */
static bool
path_is_secure(const char *path)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	for (;;) {
		struct stat st;
		if (stat(buf, &st))
			return false;
		if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))
			return S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) &&
			       st.st_uid == 0 && strcmp(buf, path);
		char *slash = strrchr(buf, '/');
		if (!slash || slash == buf)
			return true;
		*slash = '\0';
	}
}

struct script_scan {
	bool any_executable;
	bool any_check_executable;
	bool default_user_ok;
};

/* keepalived checks the path of a script only when it runs with uid or gid
 * 0, or is set-uid/set-gid root: a script run as nobody may live anywhere. */
static bool
runs_as_root(struct pctx *pc, const struct script_scan *ss, const struct cf_script *sc,
	     const char *path)
{
	const struct cf_global *g = &pc->m->global;
	const char *user = sc->user ? sc->user : g->script_user;
	const char *group = sc->user ? sc->group : g->script_group;
	if (!user && ss->default_user_ok)
		user = "keepalived_script";
	uid_t uid = 0;
	gid_t gid = 0;
	if (user) {
		const struct passwd *pw = getpwnam(user);
		if (!pw)
			return true;	/* refused elsewhere; stay on the safe side */
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (group) {
		const struct group *gr = getgrnam(group);
		if (gr)
			gid = gr->gr_gid;
	}
	struct stat st;
	bool setid_root = stat(path, &st) == 0 &&
			  (((st.st_mode & S_ISUID) && st.st_uid == 0) ||
			   ((st.st_mode & S_ISGID) && st.st_gid == 0));
	return uid == 0 || gid == 0 || setid_root;
}

/* What keepalived reports for one script that will be run. */
static bool
check_script(struct pctx *pc, struct script_scan *ss, struct cf_script *sc,
	     struct cf_loc user_loc, bool is_check)
{
	char path[4096];
	if (!sc || !sc->argv || !pc->opts->check_scripts)
		return true;
	const struct cf_global *g = &pc->m->global;
	if (g->enable_script_security && !sc->user && !g->script_user_set &&
	    !ss->default_user_ok) {
		at(pc, user_loc, DIAG_ERROR, DC_GENERAL,
		   "Unable to set default user keepalived_script for script");
		return false;
	}
	if (!find_executable(sc->argv[0], path, sizeof(path)))
		return false;
	if (is_check)
		ss->any_check_executable = true;
	else
		ss->any_executable = true;
	if (g->enable_script_security && runs_as_root(pc, ss, sc, path) &&
	    !path_is_secure(path)) {
		AT(pc, sc->loc, DC_SECURITY,
		   "Unsafe permissions found for script '%s' - disabling.", sc->cmd);
		return false;
	}
	return true;
}

static void
check_notify(struct pctx *pc, struct script_scan *ss, struct cf_notify *n)
{
	struct cf_script *all[] = { n->master, n->backup, n->fault, n->stop,
				    n->deleted, n->notify, n->master_rx_lower_pri };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i])
			check_script(pc, ss, all[i], all[i]->loc, false);
}

/* ---- tracker references --------------------------------------------------- */

/* Drop references to objects removed since (script not found, no file
 * set...): keepalived says so once, on the object, not on each reference. */
static void
resolve_tracks(struct pctx *pc, const char *owner, struct cf_track_list *scripts,
	       struct cf_track_list *files, struct cf_track_list *procs)
{
	size_t keep = 0;
	for (size_t i = 0; i < scripts->n; i++) {
		/* the model is ours to mark: scripts referenced are "used" */
		struct cf_vrrp_script *s =
			(struct cf_vrrp_script *)model_find_script(pc->m, scripts->v[i].name);
		if (!s)
			continue;
		s->used = true;
		scripts->v[keep++] = scripts->v[i];
	}
	scripts->n = keep;
	keep = 0;
	for (size_t i = 0; i < files->n; i++)
		if (model_find_track_file(pc->m, files->v[i].name))
			files->v[keep++] = files->v[i];
	files->n = keep;
	keep = 0;
	for (size_t i = 0; i < procs->n; i++)
		if (model_find_track_process(pc->m, procs->v[i].name))
			procs->v[keep++] = procs->v[i];
	procs->n = keep;
}

static void
check_track_interfaces(struct pctx *pc, const char *owner, const char *own_if,
		       struct cf_track_list *l)
{
	size_t keep = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct cf_track_ref *r = &l->v[i];
		if (own_if && !strcmp(r->name, own_if)) {
			pc_global(pc, DIAG_ERROR, DC_GENERAL,
				  "(%s) Ignoring track_interface %s since own interface",
				  owner, r->name);
			continue;
		}
		l->v[keep++] = *r;
	}
	l->n = keep;
}

/* ---- instances ------------------------------------------------------------ */

static int
instance_family(const struct cf_vrrp_instance *vi)
{
	if (vi->native_ipv6)
		return AF_INET6;
	if (vi->vips.n)
		return vi->vips.v[0].addr.family;
	if (vi->mcast_src.family)
		return vi->mcast_src.family;
	if (vi->npeers)
		return vi->peers[0].addr.family;
	return AF_INET;
}

/* Every interface a route names, its nexthops' included, as keepalived
 * checks them (rules are not checked). */
static void
check_route_devs(struct pctx *pc, const struct cf_route_list *l, bool *bad_if)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct cf_route *r = &l->v[i];
		for (unsigned k = 0; k + 1 < r->nwords; k++) {
			const char *w = r->words[k], *dev = r->words[k + 1];
			if ((strcmp(w, "dev") && strcmp(w, "oif")) || interface_exists(pc, dev))
				continue;
			AT(pc, r->loc, DC_WARNING,
			   "WARNING - interface %s for VROUTE nexthop doesn't exist", dev);
			*bad_if = true;
		}
	}
}

static void
check_vips(struct pctx *pc, struct cf_vrrp_instance *vi, struct cf_ipaddress_list *l,
	   bool excluded, bool *bad_if)
{
	size_t keep = 0;
	for (size_t i = 0; i < l->n; i++) {
		struct cf_ipaddress *a = &l->v[i];
		char buf[64];
		cf_inaddr_str(&a->addr, buf, sizeof(buf));
		if (!excluded && a->addr.family != vi->family) {
			unsigned maxp = a->addr.family == AF_INET ? 32 : 128;
			if (a->prefix != maxp)
				snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "/%u",
					 a->prefix);
			AT(pc, a->loc, DC_GENERAL,
			   "(%s): address family must match VRRP instance [%s] - ignoring",
			   vi->name, buf);
			continue;
		}
		if (a->dev[0] && !interface_exists(pc, a->dev)) {
			AT(pc, a->loc, DC_WARNING,
			   "WARNING - interface %s for ip address %s doesn't exist",
			   a->dev, buf);
			*bad_if = true;
		}
		l->v[keep++] = *a;
	}
	l->n = keep;
}

static void
instance_priority_and_state(struct pctx *pc, struct cf_vrrp_instance *vi)
{
	if (!vi->priority_set && vi->state == CF_STATE_MASTER)
		vi->priority = 255;
	if (vi->priority == 255 && vi->state == CF_STATE_UNSET)
		vi->state = CF_STATE_MASTER;
	if (vi->state == CF_STATE_UNSET)
		vi->state = CF_STATE_BACKUP;
	if (vi->nopreempt && vi->priority == 255) {
		pc_global(pc, DIAG_ERROR, DC_GENERAL,
			  "(%s) nopreempt is incompatible with priority 255. resetting nopreempt",
			  vi->name);
		vi->nopreempt = false;
	}
	if (vi->nopreempt && vi->state == CF_STATE_MASTER) {
		pc_global(pc, DIAG_ERROR, DC_GENERAL,
			  "(%s) Warning - nopreempt will not work with initial state MASTER - clearing",
			  vi->name);
		vi->nopreempt = false;
	}
	if (vi->preempt_delay_us && vi->state == CF_STATE_MASTER) {
		pc_global(pc, DIAG_ERROR, DC_GENERAL,
			  "(%s) Warning - preempt delay will not work with initial state MASTER - clearing",
			  vi->name);
		vi->preempt_delay_us = 0;
	}
}

static void
instance_version_and_timers(struct pctx *pc, struct cf_vrrp_instance *vi)
{
	if (vi->family == AF_INET6) {
		if (vi->version == 2)
			pc_global(pc, DIAG_ERROR, DC_GENERAL,
				  "(%s) cannot use IPv6 with VRRP version 2; setting version 3",
				  vi->name);
		vi->version = 3;
	} else if (!vi->version) {
		vi->version = pc->m->global.vrrp_version;
	}
	if (vi->version == 2 && vi->advert_us % 1000000) {
		pc_global(pc, DIAG_ERROR, DC_GENERAL,
			  "(%s) VRRPv2 advertisement interval %u.%06us must be an integer. rounding",
			  vi->name, vi->advert_us / 1000000, vi->advert_us % 1000000);
		vi->advert_us = (vi->advert_us + 500000) / 1000000 * 1000000;
		if (!vi->advert_us)
			vi->advert_us = 1000000;
	}
	if (vi->version == 3 && vi->advert_us % 10000) {
		pc_global(pc, DIAG_ERROR, DC_GENERAL,
			  "(%s) VRRPv3 advertisement interval %u.%06us must be in units of 10ms - rounding",
			  vi->name, vi->advert_us / 1000000, vi->advert_us % 1000000);
		vi->advert_us = (vi->advert_us + 5000) / 10000 * 10000;
	}
	if (vi->version == 3 && vi->advert_us > 40950000) {
		pc_global(pc, DIAG_ERROR, DC_GENERAL,
			  "(%s) VRRPv3 advertisement interval %u.%02us is out of range. Must be less than 40.96s. Setting to 40.95s",
			  vi->name, vi->advert_us / 1000000, vi->advert_us % 1000000 / 10000);
		vi->advert_us = 40950000;
	}
}

static void
instance_auth(struct pctx *pc, struct cf_vrrp_instance *vi, bool strict)
{
	if (vi->auth_type == CF_AUTH_NONE)
		return;
	if (vi->version == 3) {
		pc_global(pc, DIAG_ERROR, DC_GENERAL,
			  "(%s) VRRP version 3 does not support authentication. Ignoring.",
			  vi->name);
		vi->auth_type = CF_AUTH_NONE;
	} else if (strict) {
		pc_global(pc, DIAG_ERROR, DC_GENERAL,
			  "(%s) Strict mode does not support authentication. Ignoring.",
			  vi->name);
		vi->auth_type = CF_AUTH_NONE;
	} else if (vi->auth_type == CF_AUTH_PASS && !vi->auth_pass[0]) {
		pc_global(pc, DIAG_ERROR, DC_GENERAL,
			  "(%s) no authentication data provided - ignoring authentication",
			  vi->name);
		vi->auth_type = CF_AUTH_NONE;
	} else if (vi->auth_type == CF_AUTH_AH && vi->state == CF_STATE_MASTER &&
		   vi->priority != 255) {
		pc_global(pc, DIAG_ERROR, DC_GENERAL,
			  "(%s) Initial state master is incompatible with AH authentication - clearing",
			  vi->name);
		vi->state = CF_STATE_BACKUP;
	}
	if (vi->auth_type == CF_AUTH_AH)
		pc_global(pc, DIAG_NOTE, DC_NONE,
			  "(%s) auth_type AH is not implemented by Vigil: its adverts carry no "
			  "authentication, and a peer using AH drops them", vi->name);
}

static void
instance_unicast(struct pctx *pc, struct cf_vrrp_instance *vi)
{
	size_t keep = 0;
	for (size_t i = 0; i < vi->npeers; i++) {
		char buf[64];
		if (vi->peers[i].addr.family != vi->family) {
			AT(pc, vi->peers[i].loc, DC_GENERAL,
			   "Configuration error: VRRP instance[%s] and unicast peer address[%s] MUST be of the same family !!! Skipping...",
			   vi->name, cf_inaddr_str(&vi->peers[i].addr, buf, sizeof(buf)));
			continue;
		}
		vi->peers[keep++] = vi->peers[i];
	}
	vi->npeers = keep;
	if (vi->unicast_ttl != CF_UNSET && !vi->npeers) {
		AT(pc, vi->end, DC_GENERAL,
		   "(%s): Cannot use unicast_ttl without unicast peers - resetting", vi->name);
		vi->unicast_ttl = CF_UNSET;
	}
	if (vi->unicast_src_set && !vi->npeers && !vi->unicast_fault_no_peer)
		pc_global(pc, DIAG_ERROR, DC_GENERAL,
			  "(%s) A unicast keyword has been specified without any unicast peers. Defaulting to multicast. This usage is deprecated - please update your configuration.",
			  vi->name);
}

static void
validate_instance(struct pctx *pc, struct cf_vrrp_instance *vi, bool *bad_if,
		  struct script_scan *ss)
{
	const struct cf_global *g = &pc->m->global;
	bool strict = vi->strict_mode == CF_UNSET ? g->strict : vi->strict_mode;

	if (!vi->vrid)
		pc_global(pc, DIAG_ERROR, DC_GENERAL, "(%s) the virtual router id must be set",
			  vi->name);
	if (vi->ifname[0] && interface_is_loopback(pc, vi->ifname)) {
		AT(pc, vi->if_loc, DC_GENERAL,
		   "(%s) cannot use a loopback interface (%s) for vrrp - ignoring",
		   vi->name, vi->ifname);
		vi->ifname[0] = '\0';
	}
	if (vi->ifname[0]) {
		if (!interface_exists(pc, vi->ifname)) {
			AT(pc, vi->if_loc, DC_WARNING,
			   "WARNING - interface %s for vrrp_instance %s doesn't exist",
			   vi->ifname, vi->name);
			*bad_if = true;
		}
	} else if (!vi->npeers) {
		pc_global(pc, DIAG_ERROR, DC_GENERAL, "(%s) Unknown interface!", vi->name);
	}

	vi->family = instance_family(vi);
	instance_priority_and_state(pc, vi);
	instance_version_and_timers(pc, vi);
	instance_auth(pc, vi, strict);
	instance_unicast(pc, vi);
	if (strict) {
		/* strict mode: a master never answers a lower priority advert */
		vi->garp.lower_prio_repeat = 0;
		vi->garp.lower_prio_delay = 0;
		vi->lower_prio_no_advert = 1;
		vi->higher_prio_send_advert = 0;
	}

	check_vips(pc, vi, &vi->vips, false, bad_if);
	check_vips(pc, vi, &vi->evips, true, bad_if);
	check_route_devs(pc, &vi->vroutes, bad_if);
	if (!vi->vips.n)
		pc_global(pc, DIAG_ERROR, DC_GENERAL,
			  vi->version == 3 || strict
				  ? "(%s) No VIP specified; at least one is required"
				  : "(%s) No VIP specified; at least one is sensible",
			  vi->name);

	check_track_interfaces(pc, vi->name, vi->ifname[0] ? vi->ifname : NULL,
			       &vi->track_if);
	resolve_tracks(pc, vi->name, &vi->track_script, &vi->track_file,
		       &vi->track_process);
	check_notify(pc, ss, &vi->notify);
}

/* Two instances may not share a VRID on one interface and family. */
static void
check_duplicate_vrids(struct pctx *pc)
{
	struct cf_model *m = pc->m;
	for (size_t i = 0; i < m->ninstances; i++) {
		const struct cf_vrrp_instance *a = &m->instances[i];
		if (!a->vrid || !a->ifname[0])
			continue;
		for (size_t j = i + 1; j < m->ninstances; j++) {
			const struct cf_vrrp_instance *b = &m->instances[j];
			if (b->vrid == a->vrid && b->family == a->family &&
			    !strcmp(a->ifname, b->ifname) && !a->npeers && !b->npeers)
				pc_global(pc, DIAG_ERROR, DC_GENERAL,
					  "%s and %s both use VRID %d with IPv%d on interface %s",
					  a->name, b->name, a->vrid,
					  a->family == AF_INET6 ? 6 : 4, a->ifname);
		}
	}
}

static void
check_static_addresses(struct pctx *pc, bool *bad_if)
{
	const struct cf_ipaddress_list *l = &pc->m->static_addrs;
	const char *def = pc->m->global.default_interface ? pc->m->global.default_interface
							  : "eth0";
	for (size_t i = 0; i < l->n; i++) {
		const char *dev = l->v[i].dev[0] ? l->v[i].dev : def;
		char buf[64];
		if (interface_exists(pc, dev))
			continue;
		AT(pc, l->v[i].loc, DC_WARNING,
		   "WARNING - interface %s for ip address %s/%u doesn't exist", dev,
		   cf_inaddr_str(&l->v[i].addr, buf, sizeof(buf)), l->v[i].prefix);
		*bad_if = true;
	}
}

/* ---- sync groups ----------------------------------------------------------- */

static struct cf_vrrp_instance *
find_instance(struct cf_model *m, const char *name)
{
	for (size_t i = 0; i < m->ninstances; i++)
		if (!strcmp(m->instances[i].name, name))
			return &m->instances[i];
	return NULL;
}

static void
validate_group(struct pctx *pc, struct cf_sync_group *g, struct script_scan *ss)
{
	if (!g->nmembers) {
		pc_global(pc, DIAG_ERROR, DC_GENERAL, "Sync group %s has no virtual router(s). removing",
			  g->name);
		g->removed = true;
		return;
	}
	size_t found = 0;
	for (size_t i = 0; i < g->nmembers; i++) {
		struct cf_vrrp_instance *vi = find_instance(pc->m, g->members[i]);
		if (!vi) {
			pc_global(pc, DIAG_ERROR, DC_GENERAL,
				  "Virtual router %s specified in sync group %s doesn't exist - ignoring",
				  g->members[i], g->name);
			continue;
		}
		if (vi->sync_group) {
			pc_global(pc, DIAG_ERROR, DC_GENERAL,
				  "Virtual router %s cannot exist in more than one sync group; ignoring %s",
				  vi->name, g->name);
			continue;
		}
		vi->sync_group = g->name;
		g->members[found++] = g->members[i];
	}
	g->nmembers = found;
	if (!found) {
		pc_global(pc, DIAG_ERROR, DC_GENERAL,
			  "Sync group %s, no matching virtual router found in group declaration - removing",
			  g->name);
		g->removed = true;
		return;
	}
	if (found == 1)
		pc_global(pc, DIAG_ERROR, DC_GENERAL,
			  "Sync group %s has only 1 virtual router(s) - this probably isn't what you want",
			  g->name);
	check_track_interfaces(pc, g->name, NULL, &g->track_if);
	resolve_tracks(pc, g->name, &g->track_script, &g->track_file, &g->track_process);
	check_notify(pc, ss, &g->notify);
}

/* ---- virtual servers ----------------------------------------------------------- */

static const char *
proto_name(enum cf_proto p)
{
	switch (p) {
	case CF_PROTO_TCP: return "tcp";
	case CF_PROTO_UDP: return "udp";
	case CF_PROTO_SCTP: return "sctp";
	default: return "none";
	}
}

/* keepalived's name for a virtual server in messages */
static void
vs_name(const struct cf_virtual_server *vs, char *name, size_t len)
{
	char buf[64];
	if (vs->kind == CF_VS_FWMARK)
		snprintf(name, len, "FWM %u", vs->fwmark);
	else if (vs->kind == CF_VS_GROUP)
		snprintf(name, len, "[%s]:%u", vs->group, vs->port);
	else
		snprintf(name, len, "[%s]:%s:%u", cf_inaddr_str(&vs->addr, buf, sizeof(buf)),
			 proto_name(vs->protocol), vs->port);
}

static void validate_proxy(struct pctx *pc, struct cf_virtual_server *vs, const char *name);

static void
validate_vs(struct pctx *pc, struct cf_virtual_server *vs, struct script_scan *ss)
{
	char name[96], buf[64];
	vs_name(vs, name, sizeof(name));
	if (vs->kind == CF_VS_FWMARK && vs->protocol != CF_PROTO_UNSET)
		pc_global(pc, DIAG_ERROR, DC_GENERAL,
			  "Warning: Virtual server %s: protocol specified for fwmark - protocol will be ignored",
			  name);
	if (vs->kind != CF_VS_FWMARK && vs->protocol == CF_PROTO_UNSET) {
		if (vs->lb_kind == CF_LB_PROXY) {
			vs->protocol = CF_PROTO_TCP;
		} else {
			pc_global(pc, DIAG_ERROR, DC_GENERAL,
				  "Virtual server %s: no protocol set - defaulting to UDP", name);
			vs->protocol = CF_PROTO_UDP;
		}
		vs_name(vs, name, sizeof(name));
	}
	if (!vs->lb_algo[0] && vs->lb_kind != CF_LB_PROXY) {
		pc_global(pc, DIAG_ERROR, DC_GENERAL,
			  "Virtual server %s: no scheduler set, setting default 'wlc'", name);
		snprintf(vs->lb_algo, sizeof(vs->lb_algo), "wlc");
	}
	if (vs->lb_kind == CF_LB_UNSET) {
		pc_global(pc, DIAG_ERROR, DC_GENERAL,
			  "Virtual server %s: no forwarding method set, setting default NAT",
			  name);
		vs->lb_kind = CF_LB_NAT;
	}
	size_t keep = 0;
	for (size_t i = 0; i < vs->nrs; i++) {
		struct cf_real_server *rs = &vs->rs[i];
		if (vs->kind == CF_VS_ADDR && vs->lb_kind != CF_LB_TUN &&
		    rs->addr.family != vs->addr.family) {
			AT(pc, rs->end.line ? rs->end : rs->loc, DC_GENERAL,
			   "Address family of virtual server and real server %s don't match - skipping real server.",
			   cf_inaddr_str(&rs->addr, buf, sizeof(buf)));
			continue;
		}
		vs->rs[keep++] = *rs;
	}
	vs->nrs = keep;
	if (!vs->nrs && !vs->has_sorry)
		pc_global(pc, DIAG_ERROR, DC_GENERAL, "Virtual server %s has no real servers - ignoring",
			  name);
	for (size_t i = 0; i < vs->nrs; i++) {
		struct cf_real_server *rs = &vs->rs[i];
		if (!rs->weight_set)
			rs->weight = vs->weight;
		if (vs->kind == CF_VS_FWMARK && rs->port)
			pc_global(pc, DIAG_ERROR, DC_GENERAL,
				  "WARNING - fwmark virtual server %s, real server [%s]:%s:%u has port specified - port will be ignored",
				  name, cf_inaddr_str(&rs->addr, buf, sizeof(buf)),
				  proto_name(vs->protocol), rs->port);
		for (size_t c = 0; c < rs->nchecks; c++)
			if (rs->checkers[c].type == CF_CHK_MISC && rs->checkers[c].misc)
				check_script(pc, ss, rs->checkers[c].misc,
					     rs->checkers[c].misc->loc, true);
		/* the checker process runs these: "check scripts" */
		check_script(pc, ss, rs->notify_up, rs->notify_up ? rs->notify_up->loc : rs->loc,
			     true);
		check_script(pc, ss, rs->notify_down,
			     rs->notify_down ? rs->notify_down->loc : rs->loc, true);
	}
	check_script(pc, ss, vs->quorum_up, vs->quorum_up ? vs->quorum_up->loc : vs->loc, true);
	check_script(pc, ss, vs->quorum_down, vs->quorum_down ? vs->quorum_down->loc : vs->loc,
		     true);
	validate_proxy(pc, vs, name);
}

/* ---- the built-in proxy ------------------------------------------------------- */

static bool
proxy_algo_supported(const char *algo)
{
	static const char *const ok[] = { "rr", "wrr", "lc", "wlc", "sh", NULL };
	for (const char *const *p = ok; *p; p++)
		if (!strcmp(*p, algo))
			return true;
	return false;
}

/* A note (never an exit code): keepalived users' LVS services parse, but
 * only the proxy serves anything. */
static void
note_lvs(struct pctx *pc, const struct cf_virtual_server *vs, const char *name)
{
	char *m = NULL;
	if (asprintf(&m, "Virtual server %s: LVS (lb_kind NAT/DR/TUN) is not implemented "
		     "by Vigil; lb_kind PROXY serves it with the built-in proxy", name) < 0)
		return;
	at(pc, vs->loc, DIAG_NOTE, DC_NONE, m);
	free(m);
}

/* lb_kind PROXY: what the proxy can do with this virtual_server. */
static void
validate_proxy(struct pctx *pc, struct cf_virtual_server *vs, const char *name)
{
	struct cf_proxy *p = &vs->proxy;
	if (vs->lb_kind != CF_LB_PROXY) {
		if (p->loc.line)
			AT(pc, p->loc, DC_GENERAL, "Virtual server %s: proxy keywords apply to "
			   "lb_kind PROXY only - ignoring them", name);
		else
			note_lvs(pc, vs, name);
		return;
	}
	if (vs->kind != CF_VS_ADDR || vs->protocol != CF_PROTO_TCP) {
		AT(pc, vs->loc, DC_GENERAL, "Virtual server %s: the proxy serves an address "
		   "and TCP port only (no fwmark, group or UDP) - ignoring", name);
		vs->lb_kind = CF_LB_UNSET;
		return;
	}
	if (!vs->lb_algo[0]) {
		snprintf(vs->lb_algo, sizeof(vs->lb_algo), "wrr");
	} else if (!proxy_algo_supported(vs->lb_algo)) {
		AT(pc, vs->loc, DC_GENERAL, "Virtual server %s: lb_algo %s is not supported "
		   "by the proxy (rr, wrr, lc, wlc, sh) - using wrr", name, vs->lb_algo);
		snprintf(vs->lb_algo, sizeof(vs->lb_algo), "wrr");
	}
	if (!p->connect_timeout_us)
		p->connect_timeout_us = vs->connect_timeout_us;
	if (!vs->port)
		AT(pc, vs->loc, DC_GENERAL, "Virtual server %s: the proxy needs a port", name);
	for (size_t i = 0; i < vs->nrs; i++) {
		struct cf_real_server *rs = &vs->rs[i];
		if (rs->max_fails == CF_UNSET)
			rs->max_fails = (int)p->max_fails;
		if (!rs->fail_timeout_us)
			rs->fail_timeout_us = p->fail_timeout_us;
		if (!rs->port)
			rs->port = vs->port;
	}
}

/* track_virtual_server must name a proxied virtual_server */
static void
validate_track_vs(struct pctx *pc, struct cf_vrrp_instance *vi)
{
	size_t keep = 0;
	for (size_t i = 0; i < vi->ntrack_vs; i++) {
		const struct cf_vs_ref *r = &vi->track_vs[i];
		bool found = false;
		for (size_t k = 0; k < pc->m->nvs && !found; k++) {
			const struct cf_virtual_server *vs = &pc->m->vs[k];
			found = vs->lb_kind == CF_LB_PROXY && vs->port == r->port &&
				cf_inaddr_eq(&vs->addr, &r->addr);
		}
		if (!found) {
			char buf[64];
			AT(pc, r->loc, DC_GENERAL, "(%s) track_virtual_server %s %u: no "
			   "virtual_server with lb_kind PROXY there - ignoring", vi->name,
			   cf_inaddr_str(&r->addr, buf, sizeof(buf)), r->port);
			continue;
		}
		vi->track_vs[keep++] = *r;
	}
	vi->ntrack_vs = keep;
}

/* ---- the whole model --------------------------------------------------------- */

static void
validate_scripts(struct pctx *pc, struct script_scan *ss)
{
	for (size_t i = 0; i < pc->m->nscripts; i++) {
		struct cf_vrrp_script *s = &pc->m->scripts[i];
		/* unused scripts are never run, but keepalived still counts
		 * them for its script-security verdict */
		if (s->removed || !pc->opts->check_scripts)
			continue;
		char path[4096];
		if (!find_executable(s->script.argv[0], path, sizeof(path))) {
			if (s->used)
				pc_global(pc, DIAG_ERROR, DC_WARNING,
					  "Disabling track script %s since not found/accessible",
					  s->name);
			s->removed = true;
			continue;
		}
		if (!check_script(pc, ss, &s->script, s->end, false))
			s->removed = true;
	}
}

static bool
scripts_configured(const struct cf_model *m)
{
	if (m->nscripts || m->global.startup_script || m->global.shutdown_script)
		return true;
	for (size_t i = 0; i < m->ninstances; i++) {
		const struct cf_notify *n = &m->instances[i].notify;
		if (n->master || n->backup || n->fault || n->stop || n->notify)
			return true;
	}
	for (size_t i = 0; i < m->nvs; i++)
		if (m->vs[i].nrs)
			return true;	/* MISC_CHECK or notify_up/down may follow */
	return false;
}

void
validate_model(struct pctx *pc)
{
	struct cf_model *m = pc->m;
	struct cf_global *g = &m->global;
	struct script_scan ss = {
		/* only looked up when there are scripts: NSS costs memory */
		.default_user_ok = pc->opts->check_scripts && scripts_configured(m) &&
				   getpwnam("keepalived_script") != NULL,
	};
	bool bad_if = false;

	/* track_script references first: they decide which scripts are used */
	for (size_t i = 0; i < m->nscripts; i++) {
		struct cf_vrrp_script *s = &m->scripts[i];
		for (size_t j = 0; j < m->ninstances && !s->removed; j++)
			for (size_t k = 0; k < m->instances[j].track_script.n; k++)
				if (!strcmp(m->instances[j].track_script.v[k].name, s->name))
					s->used = true;
		for (size_t j = 0; j < m->ngroups && !s->removed; j++)
			for (size_t k = 0; k < m->groups[j].track_script.n; k++)
				if (!strcmp(m->groups[j].track_script.v[k].name, s->name))
					s->used = true;
	}
	validate_scripts(pc, &ss);

	for (size_t i = 0; i < m->ninstances; i++)
		validate_instance(pc, &m->instances[i], &bad_if, &ss);
	check_duplicate_vrids(pc);
	check_static_addresses(pc, &bad_if);
	check_route_devs(pc, &pc->m->static_routes, &bad_if);
	/* once, after every use of a missing interface, as keepalived */
	if (bad_if)
		pc_global(pc, DIAG_ERROR, DC_WARNING,
			  "Non-existent interface specified in configuration");
	for (size_t i = 0; i < m->ngroups; i++)
		validate_group(pc, &m->groups[i], &ss);
	for (size_t i = 0; i < m->nvs; i++)
		validate_vs(pc, &m->vs[i], &ss);
	for (size_t i = 0; i < m->ninstances; i++)
		validate_track_vs(pc, &m->instances[i]);

	struct cf_script *globals[] = { g->startup_script, g->shutdown_script,
					g->notify_fifo.script, g->vrrp_notify_fifo.script,
					g->lvs_notify_fifo.script };
	for (size_t i = 0; i < sizeof(globals) / sizeof(globals[0]); i++)
		if (globals[i])
			check_script(pc, &ss, globals[i], globals[i]->loc, false);

	if (!g->enable_script_security && ss.any_executable)
		pc_global(pc, DIAG_ERROR, DC_SECURITY,
			  "SECURITY VIOLATION - scripts are being executed but script_security not enabled.");
	if (!g->enable_script_security && ss.any_check_executable)
		pc_global(pc, DIAG_ERROR, DC_SECURITY,
			  "SECURITY VIOLATION - check scripts are being executed but script_security not enabled.");
}
