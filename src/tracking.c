/* tracking.c - what moves an instance besides adverts: its interfaces,
 * track_interface, vrrp_script results, track_file values, and the sync
 * group it belongs to.  Computes faults and effective priorities (with
 * track.c) and feeds them to the state machine. */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine_int.h"
#include "log.h"
#include "track.h"

/* ---- tracker lists ----------------------------------------------------------- */

/*
 * An instance's trackers of one kind are its own followed by its sync
 * group's: keepalived applies a group's track_* blocks to every member.
 */
enum tk { TK_IF, TK_SCRIPT, TK_FILE, TK_PROC };

static const struct cf_track_list *
inst_list(const struct cf_vrrp_instance *c, enum tk k)
{
	return k == TK_IF ? &c->track_if : k == TK_SCRIPT ? &c->track_script :
	       k == TK_FILE ? &c->track_file : &c->track_process;
}

static const struct cf_track_list *
group_list(const struct cf_sync_group *c, enum tk k)
{
	return k == TK_IF ? &c->track_if : k == TK_SCRIPT ? &c->track_script :
	       k == TK_FILE ? &c->track_file : &c->track_process;
}

static size_t
track_count(const struct vinst *v, enum tk k)
{
	return inst_list(v->cf, k)->n + (v->sync ? group_list(v->sync->cf, k)->n : 0);
}

static const struct cf_track_ref *
track_ref(const struct vinst *v, enum tk k, size_t i)
{
	const struct cf_track_list *own = inst_list(v->cf, k);
	return i < own->n ? &own->v[i] : &group_list(v->sync->cf, k)->v[i - own->n];
}

static bool
tracks(const struct vinst *v, enum tk k, const char *name)
{
	for (size_t i = 0; i < track_count(v, k); i++)
		if (!strcmp(track_ref(v, k, i)->name, name))
			return true;
	return false;
}

/* ---- links -------------------------------------------------------------------- */

static struct vscript *
find_vscript(struct engine *e, const char *name)
{
	for (size_t i = 0; i < e->nvs; i++)
		if (!strcmp(e->vs[i].cf->name, name))
			return &e->vs[i];
	return NULL;
}

static const struct vtfile *
find_tfile(const struct engine *e, const char *name)
{
	for (size_t i = 0; i < e->ntf; i++)
		if (!strcmp(e->tf[i].cf->name, name))
			return &e->tf[i];
	return NULL;
}

/* A track_file holds an integer; missing or unreadable counts as 0. */
static long
tfile_read(const char *path)
{
	FILE *f = fopen(path, "re");
	long v = 0;
	if (!f)
		return 0;
	if (fscanf(f, "%ld", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/*
 * keepalived drops the weights of an address owner's trackers, and of a
 * sync group member's (unless sync_group_tracking_weight): only their
 * weight-0 (fault) meaning is left.
 */
static bool
weights_ignored(const struct vinst *v)
{
	return v->cf->priority == 255 ||
	       (v->sync && !v->sync->cf->sync_group_tracking_weight);
}

/* Each tracker's effect, with weights a sync group or owner ignores. */
static void
add_effect(struct track_effect *sum, struct track_effect eff)
{
	sum->delta += eff.delta;
	sum->fault = sum->fault || eff.fault;
}

static bool
ref_reverse(const struct cf_track_ref *r, bool object_reverse)
{
	return r->reverse != CF_UNSET ? r->reverse == 1 : object_reverse;
}

static void
scripts_effect(struct engine *e, const struct vinst *v, struct track_effect *sum)
{
	for (size_t i = 0; i < track_count(v, TK_SCRIPT); i++) {
		const struct cf_track_ref *r = track_ref(v, TK_SCRIPT, i);
		struct vscript *s = find_vscript(e, r->name);
		if (!s || s->disabled)
			continue;
		int w = r->has_weight ? r->weight : s->cf->weight;
		if (w && weights_ignored(v))
			continue;
		add_effect(sum, track_binary(s->st.status, w,
					     ref_reverse(r, s->cf->weight_reverse)));
	}
}

/* What file T holding VALUE means to V through reference R. */
static struct track_effect
file_ref_effect(const struct vinst *v, const struct cf_track_ref *r, const struct vtfile *t,
		long value)
{
	int w = r->has_weight ? r->weight : t->cf->weight;
	if (w && weights_ignored(v)) {
		/* the default weight 1 becomes 0; others are dropped */
		if (r->has_weight || w != 1)
			return (struct track_effect){ 0 };
		w = 0;
	}
	return track_file_effect(value, w, ref_reverse(r, t->cf->weight_reverse));
}

static void
files_effect(const struct engine *e, const struct vinst *v, struct track_effect *sum)
{
	for (size_t i = 0; i < track_count(v, TK_FILE); i++) {
		const struct cf_track_ref *r = track_ref(v, TK_FILE, i);
		const struct vtfile *t = find_tfile(e, r->name);
		if (t)
			add_effect(sum, file_ref_effect(v, r, t, t->value));
	}
}

/* keepalived's -D lines when file T's new VALUE puts V in FAULT or takes
 * it out (a weight change says nothing but the priority's line) */
static void
log_file_fault(const struct engine *e, const struct vinst *v, const struct vtfile *t,
	       long value)
{
	for (size_t i = 0; i < track_count(v, TK_FILE); i++) {
		const struct cf_track_ref *r = track_ref(v, TK_FILE, i);
		if (find_tfile(e, r->name) != t)
			continue;
		bool was = file_ref_effect(v, r, t, t->value).fault;
		bool is = file_ref_effect(v, r, t, value).fault;
		if (was != is)
			log_detail("(%s): tracked file %s %s FAULT state", v->cf->name,
				   t->cf->name, is ? "now" : "leaving");
	}
}

static void
procs_effect(const struct engine *e, const struct vinst *v, struct track_effect *sum)
{
	for (size_t i = 0; i < track_count(v, TK_PROC); i++) {
		const struct cf_track_ref *r = track_ref(v, TK_PROC, i);
		for (size_t k = 0; k < e->npt; k++) {
			const struct ptrack *p = &e->pt[k];
			if (strcmp(p->cf->name, r->name))
				continue;
			int w = r->has_weight ? r->weight : p->cf->weight;
			if (w && weights_ignored(v))
				continue;
			add_effect(sum, track_binary(p->reported, w,
						     ref_reverse(r, p->cf->weight_reverse)));
		}
	}
}

/* track_virtual_server: the proxy's health, like a script's result */
static void
vss_effect(const struct engine *e, const struct vinst *v, struct track_effect *sum)
{
	for (size_t i = 0; i < v->cf->ntrack_vs; i++) {
		const struct cf_vs_ref *r = &v->cf->track_vs[i];
		bool ok = proxy_vs_healthy(e->proxy, &r->addr, r->port);
		int w = r->weight;
		if (w && weights_ignored(v))
			continue;
		add_effect(sum, track_binary(ok ? TRACK_GOOD : TRACK_BAD, w, false));
	}
}

/* All of V's trackers: the weight they add, and whether one means FAULT. */
static struct track_effect
tracked(struct engine *e, const struct vinst *v)
{
	struct track_effect sum = { .delta = v->track_weight,
				    .fault = v->fault_link || v->track_faults > 0 };
	scripts_effect(e, v, &sum);
	files_effect(e, v, &sum);
	procs_effect(e, v, &sum);
	vss_effect(e, v, &sum);
	return sum;
}

/* Interfaces, scripts, files and processes -> fault or effective priority. */
void
apply_tracking(struct engine *e, struct vinst *v, uint64_t now)
{
	struct track_effect eff = tracked(e, v);
	struct vrrp_actions acts;
	vrrp_fsm_fault(&v->fsm, &v->fc, eff.fault, now, &acts);
	run_actions(e, v, &acts, now);
	int prio = track_effective_priority(v->fsm.base_priority, eff.delta);
	vrrp_fsm_set_priority(&v->fsm, &v->fc, (uint8_t)prio, now, &acts);
	run_actions(e, v, &acts, now);
}

/* Does V itself have a reason to be in FAULT (not just its group)? */
static bool
own_fault(struct engine *e, const struct vinst *v)
{
	return tracked(e, v).fault;
}

/*
 * keepalived's sync groups: a member going MASTER takes the others with
 * it, one going BACKUP likewise, one in FAULT puts them all in FAULT, and
 * they leave FAULT together once no member has a fault of its own.
 */
void
sync_group(struct engine *e, struct vinst *v, enum vrrp_state to, uint64_t now)
{
	struct vgroup *g = v->sync;
	if (!g || e->syncing || to == VRRP_STATE_STOP || to == g->state)
		return;
	e->syncing = true;
	bool leave_fault = g->state == VRRP_STATE_FAULT && to == VRRP_STATE_BACKUP;
	bool blocked = false;
	for (size_t i = 0; leave_fault && i < g->n; i++)
		blocked = blocked || own_fault(e, g->members[i]);
	if (blocked) {
		/* another member still has its own fault: back to FAULT */
		struct vrrp_actions acts;
		vrrp_fsm_fault(&v->fsm, &v->fc, true, now, &acts);
		run_actions(e, v, &acts, now);
		e->syncing = false;
		return;
	}
	log_info("VRRP_Group(%s) Syncing instances to %s state", g->cf->name,
		 vrrp_state_name(to));
	for (size_t i = 0; i < g->n; i++) {
		struct vinst *m = g->members[i];
		struct vrrp_actions acts;
		if (m == v || m->fsm.state == to)
			continue;
		if (to == VRRP_STATE_FAULT)
			vrrp_fsm_fault(&m->fsm, &m->fc, true, now, &acts);
		else if (leave_fault)
			vrrp_fsm_fault(&m->fsm, &m->fc, false, now, &acts);
		else
			vrrp_fsm_sync(&m->fsm, &m->fc, to, now, &acts);
		run_actions(e, m, &acts, now);
	}
	g->state = to;
	notify_group(&e->notify, g->cf, vrrp_state_name(to));
	alerts_vrrp(&e->alerts, true, g->cf->name, vrrp_state_name(to), g->cf->smtp_alert, now);
	e->syncing = false;
}

/* Reap every exited child; a script whose status changed moves priorities. */
void
children_exited(struct engine *e)
{
	int st;
	pid_t pid;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (notify_fifo_script_exited(&e->notify, pid) ||
		    proxy_child_exited(e->proxy, pid, st))
			continue;
		for (size_t i = 0; i < e->nvs; i++) {
			if (!vscript_reaped(&e->vs[i], pid, st))
				continue;
			uint64_t now = now_us();
			for (size_t k = 0; k < e->nvi; k++)
				if (tracks(&e->vi[k], TK_SCRIPT, e->vs[i].cf->name))
					apply_tracking(e, &e->vi[k], now);
		}
	}
}

/* Recompute an instance's interface trackers from the kernel's view. */
void
inst_links(struct engine *e, struct vinst *v)
{
	int up = nl_link_up(&e->nl, v->ifindex);
	v->fault_link = up == 0 && !v->cf->dont_track_primary;
	if (!v->cf->mcast_src.family &&
	    nl_primary_addr(&e->nl, v->ifindex, v->cf->family, &v->fc.primary) < 0) {
		/* no source address: keepalived goes FAULT until one appears */
		if (!v->fault_link)
			log_info("(%s) entering FAULT state (no IPv%d address for interface)",
				 v->cf->name, v->cf->family == AF_INET6 ? 6 : 4);
		v->fault_link = true;
	}
	v->track_weight = 0;
	v->track_faults = 0;
	for (size_t i = 0; i < track_count(v, TK_IF); i++) {
		const struct cf_track_ref *t = track_ref(v, TK_IF, i);
		int idx = (int)if_nametoindex(t->name);
		bool if_up = idx && nl_link_up(&e->nl, idx) == 1;
		int w = t->has_weight && !weights_ignored(v) ? t->weight : 0;
		bool reverse = t->reverse == 1;
		if (w == 0) {
			if (!if_up)
				v->track_faults++;
			continue;
		}
		/* keepalived: a positive weight is added while up, a negative one
		 * while down; reverse swaps up and down */
		bool counted = (w > 0) ? if_up != reverse : if_up == reverse;
		if (counted)
			v->track_weight += w;
	}
}

void
link_event(const struct nl_link_event *ev, void *arg)
{
	struct engine *e = arg;
	uint64_t now = now_us();
	log_info("Netlink reports %s %s", ev->ifname, ev->up ? "up" : "down");
	for (size_t i = 0; i < e->nvi; i++) {
		struct vinst *v = &e->vi[i];
		if (v->ifindex != ev->ifindex && !tracks(v, TK_IF, ev->ifname))
			continue;
		inst_links(e, v);
		apply_tracking(e, v, now);
	}
}

/* Watch each track_file's directory: the file may be replaced by rename. */
void
tfiles_setup(struct engine *e)
{
	const struct cf_model *m = e->m;
	e->inotify_fd = -1;
	e->tf = calloc(m->ntrack_files ? m->ntrack_files : 1, sizeof(*e->tf));
	for (size_t i = 0; i < m->ntrack_files; i++) {
		const struct cf_track_file *cf = &m->track_files[i];
		if (cf->removed || !cf->file)
			continue;
		if (cf->init_file && (access(cf->file, F_OK) < 0 || cf->init_overwrite)) {
			FILE *f = fopen(cf->file, "we");
			if (f) {
				fprintf(f, "%d\n", cf->init_value);
				fclose(f);
			}
		}
		struct vtfile *t = &e->tf[e->ntf++];
		t->cf = cf;
		t->value = tfile_read(cf->file);
		if (e->inotify_fd < 0) {
			e->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
			struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_INOTIFY };
			if (e->inotify_fd >= 0)
				epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->inotify_fd, &ev);
		}
		char dir[4096];
		snprintf(dir, sizeof(dir), "%s", cf->file);
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir)
			*slash = '\0';
		else
			snprintf(dir, sizeof(dir), "%s", slash ? "/" : ".");
		if (e->inotify_fd >= 0)
			inotify_add_watch(e->inotify_fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO |
					  IN_CREATE | IN_DELETE | IN_MODIFY);
	}
}

/* Something changed in a watched directory: re-read every track_file. */
void
tfiles_changed(struct engine *e)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	while (read(e->inotify_fd, buf, sizeof(buf)) > 0)
		;
	uint64_t now = now_us();
	for (size_t i = 0; i < e->ntf; i++) {
		long v = tfile_read(e->tf[i].cf->file);
		if (v == e->tf[i].value)
			continue;
		for (size_t k = 0; k < e->nvi; k++)
			log_file_fault(e, &e->vi[k], &e->tf[i], v);
		e->tf[i].value = v;
		for (size_t k = 0; k < e->nvi; k++)
			if (tracks(&e->vi[k], TK_FILE, e->tf[i].cf->name))
				apply_tracking(e, &e->vi[k], now);
	}
}

static void
log_ignored_weights(const struct vinst *v)
{
	if (!weights_ignored(v))
		return;
	const char *why = v->cf->priority == 255 ? "address_owner" : "SYNC group";
	for (size_t i = 0; i < track_count(v, TK_SCRIPT); i++)
		if (track_ref(v, TK_SCRIPT, i)->has_weight && track_ref(v, TK_SCRIPT, i)->weight)
			log_info("(%s) ignoring tracked script %s with weights due to %s",
				 v->cf->name, track_ref(v, TK_SCRIPT, i)->name, why);
	for (size_t i = 0; i < track_count(v, TK_IF); i++)
		if (track_ref(v, TK_IF, i)->has_weight && track_ref(v, TK_IF, i)->weight)
			log_info("(%s) ignoring %s tracked interface weight due to %s",
				 v->cf->name, track_ref(v, TK_IF, i)->name, why);
}

void
groups_setup(struct engine *e)
{
	const struct cf_model *m = e->m;
	e->groups = calloc(m->ngroups ? m->ngroups : 1, sizeof(*e->groups));
	for (size_t i = 0; i < m->ngroups; i++) {
		const struct cf_sync_group *cg = &m->groups[i];
		if (cg->removed)
			continue;
		struct vgroup *g = &e->groups[e->ngroups++];
		g->cf = cg;
		g->state = VRRP_STATE_BACKUP;
		g->members = calloc(cg->nmembers ? cg->nmembers : 1, sizeof(*g->members));
		for (size_t k = 0; k < cg->nmembers; k++)
			for (size_t j = 0; j < e->nvi; j++)
				if (!strcmp(e->vi[j].cf->name, cg->members[k])) {
					g->members[g->n++] = &e->vi[j];
					e->vi[j].sync = g;
					log_ignored_weights(&e->vi[j]);
				}
	}
}


/* vrrp_track_process: one /proc scan now, then process events. */
void
procs_setup(struct engine *e)
{
	const struct cf_model *m = e->m;
	e->proc_fd = -1;
	e->pt = calloc(m->ntrack_procs ? m->ntrack_procs : 1, sizeof(*e->pt));
	for (size_t i = 0; i < m->ntrack_procs; i++)
		if (!m->track_procs[i].removed && m->track_procs[i].process)
			e->pt[e->npt++].cf = &m->track_procs[i];
	if (!e->npt)
		return;
	int fd = proc_mon_open();
	if (fd < 0) {
		/* e.g. in a network namespace other than the initial one */
		log_info("Unable to open the process connector (%s): track_process "
			 "rescans /proc every second instead", strerror(-fd));
		e->proc_rescan_at = now_us() + 1000000;
	} else {
		e->proc_fd = fd;
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_PROC };
		epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &ev);
	}
	/* scan after subscribing, so no process slips between the two */
	ptrack_scan(e->pt, e->npt);
	for (size_t i = 0; i < e->npt; i++) {
		e->pt[i].reported = e->pt[i].status;
		log_info("Track process %s: %zu running", e->pt[i].cf->name, e->pt[i].n);
	}
}

/* Status changes that lasted their delay reach the instances. */
void
procs_settle(struct engine *e, uint64_t now)
{
	bool changed = false;
	for (size_t i = 0; i < e->npt; i++) {
		if (!ptrack_settle(&e->pt[i], now))
			continue;
		changed = true;
		log_info("Track process %s: quorum %s (%zu running)", e->pt[i].cf->name,
			 e->pt[i].reported == TRACK_GOOD ? "gained" : "lost", e->pt[i].n);
	}
	if (!changed)
		return;
	for (size_t k = 0; k < e->nvi; k++)
		if (track_count(&e->vi[k], TK_PROC))
			apply_tracking(e, &e->vi[k], now);
}

uint64_t
procs_deadline(const struct engine *e)
{
	uint64_t next = e->proc_rescan_at;
	for (size_t i = 0; i < e->npt; i++)
		if (e->pt[i].settle_at && (!next || e->pt[i].settle_at < next))
			next = e->pt[i].settle_at;
	return next;
}

void
procs_changed(struct engine *e)
{
	if (proc_mon_read(e->proc_fd, e->pt, e->npt))
		procs_settle(e, now_us());
}

/* Fallback without process events: a full scan, once a second. */
void
procs_rescan(struct engine *e, uint64_t now)
{
	e->proc_rescan_at = now + 1000000;
	for (size_t i = 0; i < e->npt; i++) {
		e->pt[i].n = 0;
		ptrack_scan(&e->pt[i], 1);
	}
	procs_settle(e, now);
}

/* The built-in proxy, when a virtual_server says lb_kind PROXY.  Started
 * here, in the daemon process: its threads must not cross a fork. */
void
proxy_setup(struct engine *e, struct proxy *prev)
{
	e->proxy = proxy_start(e->m, prev);
	if (!e->proxy)
		return;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_PROXY };
	epoll_ctl(e->epfd, EPOLL_CTL_ADD, proxy_event_fd(e->proxy), &ev);
}

/* Some virtual server's health changed: instances tracking one follow. */
void
proxy_health_changed(struct engine *e)
{
	uint64_t n;
	if (read(proxy_event_fd(e->proxy), &n, sizeof(n)) < 0)
		return;
	uint64_t now = now_us();
	for (size_t k = 0; k < e->nvi; k++)
		if (e->vi[k].cf->ntrack_vs)
			apply_tracking(e, &e->vi[k], now);
}
