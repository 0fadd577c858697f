/* state_snap.c - the engine's side of the status: the counters keepalived
 * has beyond rx/tx/drops, kept where the engine already acts, and a
 * read-only snapshot of the running engine for the pure formatters
 * (state_dump.h). */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "status_int.h"

static int64_t
wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- counters ------------------------------------------------------------------- */

void
stats_count_action(struct vinst *v, const struct vrrp_action *a)
{
	if (a->type == VA_SEND_ADVERT && a->priority == 0)
		v->pri_zero_sent++;
	if (a->type != VA_STATE)
		return;
	v->transitions++;
	v->last_transition_us = wall_us();
	if (a->state == VRRP_STATE_MASTER)
		v->become_master++;
	else if (a->old == VRRP_STATE_MASTER && a->state != VRRP_STATE_STOP)
		v->release_master++;
}

void
stats_count_rx(struct vinst *v, const struct vrrp_advert *adv, enum vrrp_pkt_drop why)
{
	if (why == VRRP_PKT_OK && adv->priority == 0)
		v->pri_zero_rcvd++;
	else if (why == VRRP_PKT_AUTH_TYPE && adv->auth_type > VRRP_V2_AUTH_AH)
		v->invalid_authtype++;
}

void
stats_clear(struct vinst *v)
{
	v->rx = v->tx = 0;
	memset(v->drops, 0, sizeof(v->drops));
	v->become_master = v->release_master = v->transitions = 0;
	v->pri_zero_rcvd = v->pri_zero_sent = v->invalid_authtype = 0;
}

/* ---- snapshot -------------------------------------------------------------------- */

static const struct cf_track_list *
group_scripts(const struct vinst *v)
{
	return v->sync ? &v->sync->cf->track_script : NULL;
}

static size_t
script_refs(const struct vinst *v)
{
	const struct cf_track_list *g = group_scripts(v);
	return v->cf->track_script.n + (g ? g->n : 0);
}

static const struct vscript *
find_vscript(const struct engine *e, const char *name)
{
	for (size_t i = 0; i < e->nvs; i++)
		if (!strcmp(e->vs[i].cf->name, name))
			return &e->vs[i];
	return NULL;
}

static void
snap_track(const struct engine *e, const struct cf_track_ref *r, struct sd_track *t)
{
	const struct vscript *s = find_vscript(e, r->name);
	const struct cf_vrrp_script *cf = s ? s->cf : model_find_script(e->m, r->name);
	t->name = r->name;
	t->cmd = cf && cf->script.cmd ? &cf->script : NULL;
	t->weight = r->has_weight ? r->weight : cf ? cf->weight : 0;
	t->reverse = r->reverse != CF_UNSET ? r->reverse == 1 : cf && cf->weight_reverse;
	t->status = s ? s->st.status : TRACK_INIT;
}

/* The instance's own track_script entries, then its sync group's. */
static size_t
snap_tracks(const struct engine *e, const struct vinst *v, struct sd_track *out)
{
	const struct cf_track_list *lists[2] = { &v->cf->track_script, group_scripts(v) };
	size_t n = 0;
	for (int l = 0; l < 2; l++)
		for (size_t i = 0; lists[l] && i < lists[l]->n; i++)
			snap_track(e, &lists[l]->v[i], &out[n++]);
	return n;
}

static bool
inst_smtp_alert(const struct vinst *v, const struct cf_global *g)
{
	if (v->cf->smtp_alert != CF_UNSET)
		return v->cf->smtp_alert;
	if (v->sync && v->sync->cf->smtp_alert != CF_UNSET)
		return v->sync->cf->smtp_alert;
	if (g->smtp_alert_vrrp != CF_UNSET)
		return g->smtp_alert_vrrp;
	return g->smtp_alert != CF_UNSET && g->smtp_alert;
}

static void
snap_options(const struct engine *e, const struct vinst *v, struct sd_instance *o)
{
	const struct cf_vrrp_instance *cf = v->cf;
	const struct cf_global *g = &e->m->global;
	o->garp = v->garp;
	o->down_timer_adverts = v->fc.down_timer_adverts;
	o->lower_prio_no_advert = v->fc.lower_prio_no_advert;
	o->higher_prio_send_advert = cf->higher_prio_send_advert != CF_UNSET
		? cf->higher_prio_send_advert : g->higher_prio_send_advert;
	o->strict = cf->strict_mode != CF_UNSET ? cf->strict_mode : g->strict;
	o->accept = cf->accept != CF_UNSET ? cf->accept : !o->strict;
	o->skip_check_adv_addr = cf->skip_check_adv_addr || g->skip_check_adv_addr;
	o->smtp_alert = inst_smtp_alert(v, g);
}

static void
snap_counters(const struct vinst *v, struct sd_counters *c)
{
	c->adverts_rcvd = v->rx;
	c->adverts_sent = v->tx;
	c->become_master = v->become_master;
	c->release_master = v->release_master;
	c->transitions = v->transitions;
	c->pri_zero_rcvd = v->pri_zero_rcvd;
	c->pri_zero_sent = v->pri_zero_sent;
	memcpy(c->drops, v->drops, sizeof(c->drops));
	c->invalid_authtype = v->invalid_authtype;
}

/* A monotonic deadline on the wall clock (0 stays 0). */
static int64_t
deadline_wall(uint64_t deadline, uint64_t mono_now, int64_t wall_now)
{
	if (!deadline)
		return 0;
	return deadline > mono_now ? wall_now + (int64_t)(deadline - mono_now) : wall_now;
}

static void
snap_instance(const struct engine *e, const struct vinst *v, struct sd_instance *o,
	      uint64_t mono_now, int64_t wall_now)
{
	const struct vrrp_fsm *f = &v->fsm;
	o->cf = v->cf;
	o->sync_group = v->sync ? v->sync->cf->name : NULL;
	o->state = f->state;
	o->base_priority = f->base_priority;
	o->effective_priority = f->priority;
	o->master_priority = f->master_priority;
	o->master = f->master;
	o->src = v->fc.primary;
	o->unicast = v->unicast;
	o->stepped_down = f->held;
	o->advert_us = v->cf->advert_us;
	o->master_adver_us = f->master_adver_us ? f->master_adver_us : v->cf->advert_us;
	o->master_down_us = vrrp_master_down_us(&v->fc, o->master_adver_us, f->priority);
	o->last_transition_us = v->last_transition_us;
	o->read_timeout_us = deadline_wall(vrrp_fsm_deadline(f), mono_now, wall_now);
	o->faults = v->track_faults + (v->fault_link ? 1 : 0);
	o->fd = v->sock >= 0 && (size_t)v->sock < e->nsocks ? e->socks[v->sock].fd : -1;
	snap_options(e, v, o);
	snap_counters(v, &o->c);
	for (size_t i = 0; i < o->ntracks; i++)
		o->scripts_init += o->tracks[i].status == TRACK_INIT;
}

static void
snap_socks(const struct engine *e, struct state_snap *sn)
{
	for (size_t i = 0; i < e->nsocks; i++) {
		struct sd_sock *k = &sn->socks[i];
		k->fd = e->socks[i].fd;
		k->family = e->socks[i].family;
		k->unicast = e->socks[i].group.family == AF_UNSPEC;
		k->ifname = "";
		for (size_t v = 0; v < e->nvi; v++)
			if (e->vi[v].sock == (int)i) {
				k->ifname = e->vi[v].cf->ifname;
				break;
			}
	}
	sn->s.nsocks = e->nsocks;
}

static void
snap_scripts(const struct engine *e, struct state_snap *sn)
{
	for (size_t i = 0; i < e->nvs; i++) {
		sn->scripts[i] = (struct sd_script){
			.cf = e->vs[i].cf, .status = e->vs[i].st.status,
			.result = e->vs[i].st.result, .running = e->vs[i].pid != 0,
		};
	}
	sn->s.nscripts = e->nvs;
	for (size_t i = 0; i < e->ngroups; i++)
		sn->groups[i] = (struct sd_group){ .cf = e->groups[i].cf,
						   .state = e->groups[i].state };
	sn->s.ngroups = e->ngroups;
}

/* The proxy's virtual servers, named as keepalived names them. */
static bool
snap_vs(const struct engine *e, struct state_snap *sn)
{
	const struct cf_model *m = e->m;
	size_t n = 0;
	for (size_t i = 0; e->proxy && i < m->nvs; i++)
		n += m->vs[i].lb_kind == CF_LB_PROXY && m->vs[i].kind == CF_VS_ADDR;
	if (!n)
		return true;
	sn->vs = calloc(n, sizeof(*sn->vs) + 80);
	if (!sn->vs)
		return false;
	char *names = (char *)(sn->vs + n);
	for (size_t i = 0; i < m->nvs; i++) {
		const struct cf_virtual_server *vs = &m->vs[i];
		if (vs->lb_kind != CF_LB_PROXY || vs->kind != CF_VS_ADDR)
			continue;
		char *name = names + 80 * sn->s.nvs;
		char a[INET6_ADDRSTRLEN];
		snprintf(name, 80, "[%s]:tcp:%u", cf_inaddr_str(&vs->addr, a, sizeof(a)), vs->port);
		sn->vs[sn->s.nvs++] = (struct sd_vs){
			.name = name, .healthy = proxy_vs_healthy(e->proxy, &vs->addr, vs->port),
		};
	}
	return true;
}

static void
router_id(const struct cf_global *g, char *buf, size_t len)
{
	if (g->router_id)
		snprintf(buf, len, "%s", g->router_id);
	else if (gethostname(buf, len) < 0)
		snprintf(buf, len, "localhost");
	buf[len - 1] = '\0';
}

static bool
snap_alloc(const struct engine *e, struct state_snap *sn)
{
	size_t ntracks = 0;
	for (size_t i = 0; i < e->nvi; i++)
		ntracks += script_refs(&e->vi[i]);
	sn->vi = calloc(e->nvi + 1, sizeof(*sn->vi));
	sn->tracks = calloc(ntracks + 1, sizeof(*sn->tracks));
	sn->scripts = calloc(e->nvs + 1, sizeof(*sn->scripts));
	sn->socks = calloc(e->nsocks + 1, sizeof(*sn->socks));
	sn->groups = calloc(e->ngroups + 1, sizeof(*sn->groups));
	return sn->vi && sn->tracks && sn->scripts && sn->socks && sn->groups;
}

bool
state_snap_take(const struct engine *e, struct state_snap *sn)
{
	memset(sn, 0, sizeof(*sn));
	if (!snap_alloc(e, sn) || !snap_vs(e, sn)) {
		state_snap_free(sn);
		return false;
	}
	uint64_t mono_now = now_us();
	int64_t wall_now = wall_us();
	struct sd_track *t = sn->tracks;
	for (size_t i = 0; i < e->nvi; i++) {
		struct sd_instance *o = &sn->vi[i];
		o->tracks = t;
		o->ntracks = snap_tracks(e, &e->vi[i], t);
		t += o->ntracks;
		snap_instance(e, &e->vi[i], o, mono_now, wall_now);
	}
	snap_socks(e, sn);
	snap_scripts(e, sn);
	router_id(&e->m->global, sn->router_id, sizeof(sn->router_id));
	sn->s.m = e->m;
	sn->s.pid = (long)getpid();
	sn->s.router_id = sn->router_id;
	sn->s.vi = sn->vi;
	sn->s.nvi = e->nvi;
	sn->s.scripts = sn->scripts;
	sn->s.socks = sn->socks;
	sn->s.groups = sn->groups;
	sn->s.vs = sn->vs;
	return true;
}

void
state_snap_free(struct state_snap *sn)
{
	free(sn->vi);
	free(sn->tracks);
	free(sn->scripts);
	free(sn->socks);
	free(sn->groups);
	free(sn->vs);
	memset(sn, 0, sizeof(*sn));
}
