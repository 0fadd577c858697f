/* reload.c - SIGHUP: read the configuration again and carry on with it.
 *
 * What users of keepalived need from a reload is that nothing they did not
 * change moves: an instance that is still configured keeps its state, its
 * timers and its addresses - a master stays master, with no VIP removed
 * and no gratuitous ARP burst - and a track script keeps its last result
 * ("considered successful on reload").  Instances that are gone stop as
 * at shutdown; new ones start in BACKUP.  The built-in proxy starts new
 * workers on the new configuration while the old ones finish the
 * connections they hold (proxy_drain).
 *
 * A configuration that does not load leaves everything running as it was.
 */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "caps.h"
#include "diag.h"
#include "engine_int.h"
#include "log.h"
#include "sdnotify.h"
#include "status_int.h"
#include "track.h"

#define DRAIN_POLL_US 500000
#define MAX_DRAINING 4		/* earlier proxies draining at once */

/* The new configuration, or NULL (logged) when it must not be used. */
static struct cf_model *
load_new(const struct engine *e)
{
	struct diag d;
	diag_init(&d);
	struct cf_model *m = cf_load(e->o->conf_file, &e->o->parse, &d);
	for (size_t i = 0; i < d.n; i++)
		if (d.v[i].level != DIAG_NOTE)
			log_info("%s%s%u%s%s", d.v[i].file ? d.v[i].file : "",
				 d.v[i].file ? ":" : "", d.v[i].line, d.v[i].file ? ": " : "",
				 d.v[i].msg);
	bool bad = !m || d.missing_param || d.include_failed;
	diag_free(&d);
	if (bad) {
		log_info("Reload failed: the configuration could not be read - "
			 "keeping the running one");
		model_free(m);
		return NULL;
	}
	return m;
}

/* ---- what survives ------------------------------------------------------------ */

static struct vinst *
find_inst(struct vinst *vi, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(vi[i].cf->name, name))
			return &vi[i];
	return NULL;
}

/* Same router on the same link: the running state still means something. */
static bool
same_router(const struct cf_vrrp_instance *a, const struct cf_vrrp_instance *b)
{
	return a->vrid == b->vrid && a->family == b->family && a->version == b->version &&
	       !strcmp(a->ifname, b->ifname) && (a->npeers > 0) == (b->npeers > 0);
}

static bool
same_address(const struct cf_ipaddress *a, const struct cf_ipaddress *b)
{
	return cf_inaddr_eq(&a->addr, &b->addr) && a->prefix == b->prefix &&
	       !strcmp(a->dev, b->dev);
}

static bool
listed(const struct cf_ipaddress *a, const struct cf_ipaddress_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (same_address(a, &l->v[i]))
			return true;
	return false;
}

/* A master keeps its addresses: only those the new configuration dropped
 * go, and the new ones are added (those it keeps are already there). */
static void
master_addresses(struct engine *e, struct vinst *v, const struct cf_vrrp_instance *old)
{
	const struct cf_ipaddress_list *before[2] = { &old->vips, &old->evips };
	const struct cf_ipaddress_list *after[2] = { &v->cf->vips, &v->cf->evips };
	for (int l = 0; l < 2; l++)
		for (size_t i = 0; i < before[l]->n; i++) {
			const struct cf_ipaddress *a = &before[l]->v[i];
			if (listed(a, after[0]) || listed(a, after[1]))
				continue;
			log_info("(%s) removing VIP %s (no longer configured)", v->cf->name,
				 addr_str(&a->addr));
			nl_addr(&e->nl, false, vip_ifindex(v, a), a);
		}
	set_vips(e, v, true, true);
	set_routes(e, v, true, true);
}

/* Carry OLD's running state into NEW, configured from CF. */
static int
carry_instance(struct engine *e, struct vinst *nv, struct vinst *old,
	       const struct cf_vrrp_instance *cf)
{
	const struct cf_vrrp_instance *old_cf = old->cf;
	*nv = *old;
	nv->vips = NULL;		/* old->vips is freed with the old array */
	nv->sync = NULL;
	int rc = inst_configure(e, nv, cf);
	if (rc < 0)
		return rc;
	nv->fsm.base_priority = (uint8_t)cf->priority;
	if (nv->fsm.state == VRRP_STATE_MASTER)
		master_addresses(e, nv, old_cf);
	log_info("(%s) kept its %s state over the reload", cf->name,
		 vrrp_state_name(nv->fsm.state));
	return 0;
}

/* An instance the new configuration dropped stops as at shutdown. */
static void
stop_instance(struct engine *e, struct vinst *v, uint64_t now)
{
	struct vrrp_actions acts;
	log_info("(%s) removed from the configuration - stopping", v->cf->name);
	vrrp_fsm_stop(&v->fsm, &v->fc, now, &acts);
	run_actions(e, v, &acts, now);
}

/* ---- trackers and the rest ------------------------------------------------------ */

struct kept_script {
	const char *name;
	struct track_script_state st;
};

/* A track script keeps its result when it is still configured. */
static void
restore_scripts(struct engine *e, const struct kept_script *kept, size_t n)
{
	for (size_t i = 0; i < e->nvs; i++) {
		struct vscript *s = &e->vs[i];
		for (size_t k = 0; k < n; k++) {
			if (strcmp(kept[k].name, s->cf->name))
				continue;
			s->st = kept[k].st;
			int top = s->cf->rise + s->cf->fall - 1;
			if (s->st.result > top)
				s->st.result = top;
			if (s->st.status != TRACK_INIT)
				log_info("VRRP_Script(%s) considered %s on reload", s->cf->name,
					 s->st.status == TRACK_GOOD ? "successful" : "failed");
		}
	}
}

static void
close_trackers(struct engine *e)
{
	for (size_t i = 0; i < e->nvs; i++)
		vscript_stop(&e->vs[i]);
	free(e->vs);
	e->vs = NULL;
	e->nvs = 0;
	if (e->inotify_fd >= 0)
		close(e->inotify_fd);
	e->inotify_fd = -1;
	free(e->tf);
	e->tf = NULL;
	e->ntf = 0;
	if (e->proc_fd >= 0)
		close(e->proc_fd);
	e->proc_fd = -1;
	e->proc_rescan_at = 0;
	ptrack_free(e->pt, e->npt);
	free(e->pt);
	e->pt = NULL;
	e->npt = 0;
	for (size_t i = 0; i < e->ngroups; i++)
		free(e->groups[i].members);
	free(e->groups);
	e->groups = NULL;
	e->ngroups = 0;
}

/* A draining proxy is done, or cut short: stop it, free what it read. */
static void
drain_end(struct draining *d)
{
	proxy_stop(d->proxy);
	model_free(d->model);
	free(d);
}

/* The old proxy drains; a new one serves the new configuration. */
static void
switch_proxy(struct engine *e, struct cf_model *old_owned)
{
	struct proxy *old = e->proxy;
	if (old)
		epoll_ctl(e->epfd, EPOLL_CTL_DEL, proxy_event_fd(old), NULL);
	/* the new workers take the listening sockets over and wait on them
	 * next to the old ones, which then stop accepting: no moment without
	 * a listener, and no connection waiting in a backlog is lost */
	e->proxy = NULL;
	proxy_setup(e, old);
	proxy_drain(old);
	if (!old) {
		model_free(old_owned);
		return;
	}
	/* reloads in quick succession: each old proxy drains on its own, a
	 * few at a time (a reload storm would otherwise pile up threads) */
	struct draining *d = calloc(1, sizeof(*d));
	if (!d) {
		proxy_stop(old);
		model_free(old_owned);
		return;
	}
	*d = (struct draining){ old, old_owned, e->draining };
	e->draining = d;
	size_t n = 0;
	for (struct draining **pp = &e->draining; *pp;) {
		if (++n <= MAX_DRAINING) {
			pp = &(*pp)->next;
			continue;
		}
		struct draining *gone = *pp;	/* the oldest: cut short */
		*pp = gone->next;
		drain_end(gone);
	}
	e->drain_check_at = now_us() + DRAIN_POLL_US;
}

/* The status endpoint moves only when its settings changed, so a monitor
 * polling it does not see the socket vanish on every reload.  OLD is the
 * previous configuration's global_defs, still alive until the drain ends. */
static void
reopen_status(struct engine *e, const struct cf_global *old)
{
	const struct cf_global *g = &e->m->global;
	bool same = !old->status_socket == !g->status_socket &&
		    (!g->status_socket || !strcmp(old->status_socket, g->status_socket)) &&
		    old->status_port == g->status_port &&
		    cf_inaddr_eq(&old->status_addr, &g->status_addr) &&
		    old->status_control == g->status_control;
	if (same)
		return;
	status_close(e);
	status_open(e);
}

void
reload_drain_check(struct engine *e, uint64_t now)
{
	for (struct draining **pp = &e->draining; *pp;) {
		struct draining *d = *pp;
		if (!proxy_drained(d->proxy)) {
			pp = &d->next;
			continue;
		}
		*pp = d->next;
		drain_end(d);
		if (!e->draining)
			log_info("proxy: the previous configuration's connections are all closed");
	}
	e->drain_check_at = e->draining ? now + DRAIN_POLL_US : 0;
}

void
reload_drain_stop(struct engine *e)
{
	while (e->draining) {
		struct draining *d = e->draining;
		e->draining = d->next;
		drain_end(d);
	}
	e->drain_check_at = 0;
}

static void
reload(struct engine *e)
{
	log_info("Reloading");
	sd_reloading();
	struct cf_model *m = load_new(e);
	if (!m) {
		sd_ready();	/* still serving the running configuration */
		return;
	}
	uint64_t now = now_us();
	if (e->caps_limited && caps_root_scripts(m))
		log_info("WARNING - scripts now run as root, but no script did at startup and "
			 "capabilities were dropped then: they run with the reduced set; "
			 "restart keepalived to give them all of root's");

	/* results to keep, before the runners go */
	struct kept_script *kept = calloc(e->nvs ? e->nvs : 1, sizeof(*kept));
	size_t nkept = 0;
	for (size_t i = 0; kept && i < e->nvs; i++)
		kept[nkept++] = (struct kept_script){ e->vs[i].cf->name, e->vs[i].st };

	/* instances that are gone stop while their configuration is valid */
	for (size_t i = 0; i < e->nvi; i++) {
		const struct cf_vrrp_instance *cf = NULL;
		for (size_t k = 0; k < m->ninstances && !cf; k++)
			if (!m->instances[k].removed &&
			    !strcmp(m->instances[k].name, e->vi[i].cf->name) &&
			    same_router(&m->instances[k], e->vi[i].cf))
				cf = &m->instances[k];
		if (!cf)
			stop_instance(e, &e->vi[i], now);
	}

	/* static addresses and routes the new configuration dropped */
	struct cf_model *old_owned = e->owned;
	const struct cf_model *old_m = e->m;
	for (size_t i = 0; i < old_m->static_addrs.n; i++) {
		const struct cf_ipaddress *a = &old_m->static_addrs.v[i];
		if (!listed(a, &m->static_addrs)) {
			const char *def = old_m->global.default_interface
				? old_m->global.default_interface : "eth0";
			nl_addr(&e->nl, false, (int)if_nametoindex(a->dev[0] ? a->dev : def), a);
		}
	}

	close_trackers(e);
	notify_close(&e->notify);
	alerts_close(&e->alerts);

	/* from here on, the new configuration */
	struct vinst *old_vi = e->vi;
	size_t old_nvi = e->nvi;
	e->m = m;
	e->owned = m;
	e->vi = calloc(m->ninstances ? m->ninstances : 1, sizeof(*e->vi));
	e->vs = calloc(m->nscripts ? m->nscripts : 1, sizeof(*e->vs));
	e->nvi = 0;
	notify_open(&e->notify, &m->global, e->spawner);
	alerts_init(&e->alerts, &m->global, e->epfd, TAG_SMTP_BASE);
	tfiles_setup(e);
	procs_setup(e);
	static_addresses(e, true);
	static_routes(e, true);
	scripts_setup(e, now);
	restore_scripts(e, kept, nkept);
	free(kept);

	bool *fresh = calloc(m->ninstances ? m->ninstances : 1, sizeof(*fresh));
	for (size_t i = 0; i < m->ninstances; i++) {
		const struct cf_vrrp_instance *cf = &m->instances[i];
		if (cf->removed || !cf->vrid || !cf->ifname[0])
			continue;
		struct vinst *old = find_inst(old_vi, old_nvi, cf->name);
		struct vinst *nv = &e->vi[e->nvi];
		int rc = old && same_router(old->cf, cf) ? carry_instance(e, nv, old, cf)
							 : inst_setup(e, nv, cf);
		if (rc < 0) {
			free(nv->vips);
			continue;	/* logged; the others go on */
		}
		if (fresh)
			fresh[e->nvi] = !(old && same_router(old->cf, cf));
		e->nvi++;
	}
	for (size_t i = 0; i < old_nvi; i++)
		free(old_vi[i].vips);
	free(old_vi);

	groups_setup(e);
	for (size_t i = 0; i < e->nvi; i++) {
		if (fresh && fresh[i]) {
			inst_start(e, &e->vi[i], now);
		} else {
			inst_links(e, &e->vi[i]);
			apply_tracking(e, &e->vi[i], now);
		}
	}
	free(fresh);
	reopen_status(e, &old_m->global);
	switch_proxy(e, old_owned);	/* may free old_m */
	malloc_trim(0);
	log_info("Reload complete");
	sd_ready();
}

void
engine_reload(struct engine *e)
{
	/* reading and applying a whole configuration is no time-critical
	 * work, and a large one may run longer than vrrp_rlimit_rttime lets
	 * a real-time thread go without sleeping */
	rt_relax(e, true);
	reload(e);
	rt_relax(e, false);
}
