/* engine.c - the VRRP daemon loop (see engine.h).
 *
 * The state machine (vrrp_fsm.c) decides; this file only turns its actions
 * into I/O: adverts out through raw sockets, VIPs through netlink,
 * gratuitous ARP / NA, log lines.  Received packets go through the codec's
 * receive rules first; a packet that fails one is counted and dropped, and
 * never reaches the state machine or the timers.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine_int.h"
#include "status_int.h"
#include "garp.h"
#include "caps.h"
#include "log.h"
#include "netlink.h"
#include "nl_route.h"
#include "notify.h"
#include "spawner.h"
#include "sdnotify.h"
#include "track.h"
#include "vscript.h"
#include "vrrp_fsm.h"
#include "vrrp_pkt.h"
#include "vrrp_sock.h"

#define DROP_LOG_INTERVAL_US 10000000ULL	/* one line per reason per 10 s */


uint64_t
now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

const char *
addr_str(const struct cf_inaddr *a)
{
	static char buf[4][INET6_ADDRSTRLEN];
	static int slot;
	slot = (slot + 1) % 4;
	return cf_inaddr_str(a, buf[slot], sizeof(buf[slot]));
}

/* ---- configuration to runtime ------------------------------------------- */

static int
resolve_garp(int inst, int global)
{
	return inst != CF_UNSET ? inst : global;
}

static void
inst_garp(struct vinst *v, const struct cf_global *g)
{
	const struct cf_garp *c = &v->cf->garp;
	v->garp.master_delay = resolve_garp(c->master_delay, g->garp.master_delay);
	v->garp.master_repeat = resolve_garp(c->master_repeat, g->garp.master_repeat);
	v->garp.master_refresh = resolve_garp(c->master_refresh, g->garp.master_refresh);
	v->garp.master_refresh_repeat =
		resolve_garp(c->master_refresh_repeat, g->garp.master_refresh_repeat);
	if (g->min_garp) {
		v->garp.master_repeat = 1;
		v->garp.master_delay = 0;
		v->garp.master_refresh = 0;
	}
	/* unset lower-priority values follow the master ones (verified) */
	v->garp.lower_prio_delay = resolve_garp(c->lower_prio_delay,
		resolve_garp(g->garp.lower_prio_delay, v->garp.master_delay));
	v->garp.lower_prio_repeat = resolve_garp(c->lower_prio_repeat,
		resolve_garp(g->garp.lower_prio_repeat, v->garp.master_repeat));
}

static void
inst_vips(struct vinst *v)
{
	const struct cf_ipaddress_list *l = &v->cf->vips;
	size_t alen = v->cf->family == AF_INET6 ? 16 : 4;
	v->nvips = 0;
	/* sized to the instance: 255 instances must not cost 255 x 4 KiB */
	v->vips = calloc(l->n ? l->n : 1, sizeof(*v->vips));
	if (!v->vips)
		return;
	for (size_t i = 0; i < l->n && v->nvips < VRRP_MAX_ADDRS; i++) {
		if (l->v[i].addr.family != v->cf->family)
			continue;
		memcpy(v->vips[v->nvips++], l->v[i].addr.a, alen);
	}
}

static void
inst_expect(struct vinst *v, const struct cf_global *g)
{
	const struct cf_vrrp_instance *cf = v->cf;
	struct vrrp_pkt_expect *e = &v->exp;
	memset(e, 0, sizeof(*e));
	e->version = (uint8_t)cf->version;
	e->vrid = (uint8_t)cf->vrid;
	e->min_ttl = e->max_ttl = 255;
	if (v->unicast) {
		/* unicast: TTL checked only when peers set limits */
		e->min_ttl = e->max_ttl = -1;
	}
	if (cf->version == 2 && cf->auth_type == CF_AUTH_PASS) {
		e->auth_type = VRRP_V2_AUTH_PASS;
		memcpy(e->auth_pass, cf->auth_pass, strnlen(cf->auth_pass, VRRP_AUTH_LEN));
	}
	e->interval_cs = (uint16_t)(cf->advert_us / 10000);
	e->check_addrs = !cf->skip_check_adv_addr && !g->skip_check_adv_addr;
	e->naddr = v->nvips;
	e->addrs = (const uint8_t (*)[16])v->vips;
}

/* The socket for (interface, family, source, multicast or unicast); shared
 * by every instance with the same key, so a packet is read once. */
static int
engine_sock(struct engine *e, struct vinst *v, const struct cf_inaddr *src)
{
	for (size_t i = 0; i < e->nsocks; i++) {
		struct vrrp_sock *s = &e->socks[i];
		bool mcast = s->group.family != AF_UNSPEC;
		if (s->ifindex == v->ifindex && s->family == v->cf->family &&
		    mcast == !v->unicast &&
		    (!mcast || !memcmp(&s->group, &v->group, sizeof(v->group))))
			return (int)i;
	}
	if (e->nsocks == MAX_SOCKS)
		return -ENOSPC;
	struct vrrp_sock *s = &e->socks[e->nsocks];
	int ttl = v->unicast && v->cf->unicast_ttl != CF_UNSET ? v->cf->unicast_ttl : 255;
	int rc = vrrp_sock_open(s, v->cf->family, v->ifindex,
				v->unicast ? NULL : &v->group,
				v->cf->mcast_src.family ? src : NULL, ttl);
	if (rc < 0)
		return rc;
	struct epoll_event ev = { .events = EPOLLIN,
				  .data.u64 = TAG_SOCK_BASE + e->nsocks };
	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, s->fd, &ev) < 0) {
		rc = -errno;
		vrrp_sock_close(s);
		return rc;
	}
	return (int)e->nsocks++;
}

/* What an instance derives from its configuration (timers, addresses,
 * what its adverts must look like, its socket), leaving its state alone:
 * a reload calls this for an instance that keeps running. */
int
inst_configure(struct engine *e, struct vinst *v, const struct cf_vrrp_instance *cf)
{
	const struct cf_global *g = &e->m->global;
	v->cf = cf;
	v->ifindex = (int)if_nametoindex(cf->ifname);
	if (!v->ifindex) {
		log_info("(%s) interface %s doesn't exist", cf->name, cf->ifname);
		return -ENODEV;
	}
	v->unicast = cf->npeers > 0;
	v->group = cf->family == AF_INET6 ? g->mcast_group6 : g->mcast_group4;
	if (cf->mcast_dst.family == cf->family)
		v->group = cf->mcast_dst;

	v->fc.version = cf->version;
	v->fc.advert_us = cf->advert_us;
	v->fc.nopreempt = cf->nopreempt;
	v->fc.preempt_delay_us = cf->preempt_delay_us;
	v->fc.down_timer_adverts = cf->down_timer_adverts != CF_UNSET
					   ? cf->down_timer_adverts : g->down_timer_adverts;
	v->fc.lower_prio_no_advert = cf->lower_prio_no_advert != CF_UNSET
					     ? cf->lower_prio_no_advert
					     : g->lower_prio_no_advert;
	if (cf->mcast_src.family == cf->family)
		v->fc.primary = cf->mcast_src;
	else if (nl_primary_addr(&e->nl, v->ifindex, cf->family, &v->fc.primary) < 0)
		v->fc.primary.family = AF_UNSPEC;

	inst_garp(v, g);
	free(v->vips);
	v->vips = NULL;
	v->nvips = 0;
	inst_vips(v);
	inst_expect(v, g);

	int rc = engine_sock(e, v, &v->fc.primary);
	if (rc < 0) {
		log_info("(%s) cannot open VRRP socket on %s: %s", cf->name, cf->ifname,
			 strerror(-rc));
		return rc;
	}
	v->sock = rc;
	return 0;
}

int
inst_setup(struct engine *e, struct vinst *v, const struct cf_vrrp_instance *cf)
{
	memset(v, 0, sizeof(*v));
	vrrp_fsm_init(&v->fsm, (uint8_t)cf->priority);
	return inst_configure(e, v, cf);
}

/* ---- actions --------------------------------------------------------------- */

static void
send_advert(struct engine *e, struct vinst *v, uint8_t priority)
{
	struct vrrp_advert a;
	memset(&a, 0, sizeof(a));
	a.version = (uint8_t)v->cf->version;
	a.vrid = (uint8_t)v->cf->vrid;
	a.priority = priority;
	a.interval_cs = (uint16_t)(v->cf->advert_us / 10000);
	a.family = (sa_family_t)v->cf->family;
	a.naddr = v->nvips;
	memcpy(a.addrs, v->vips, sizeof(a.addrs[0]) * v->nvips);
	if (a.version == 2 && v->cf->auth_type == CF_AUTH_PASS) {
		a.auth_type = VRRP_V2_AUTH_PASS;
		memcpy(a.auth_pass, v->cf->auth_pass, strnlen(v->cf->auth_pass, VRRP_AUTH_LEN));
	}
	a.src = v->fc.primary;
	uint8_t buf[1500];
	struct vrrp_sock *s = &e->socks[v->sock];
	size_t ndst = v->unicast ? v->cf->npeers : 1;
	for (size_t i = 0; i < ndst; i++) {
		a.dst = v->unicast ? v->cf->peers[i].addr : v->group;
		size_t len = vrrp_pkt_encode(&a, buf, sizeof(buf));
		if (!len)
			continue;
		int rc = vrrp_sock_send(s, &a.dst, buf, len);
		if (rc < 0)
			log_detail("(%s) advert to %s not sent: %s", v->cf->name,
				   addr_str(&a.dst), strerror(-rc));
		else
			v->tx++;
	}
}

int
vip_ifindex(const struct vinst *v, const struct cf_ipaddress *a)
{
	if (!a->dev[0])
		return v->ifindex;
	int idx = (int)if_nametoindex(a->dev);
	return idx ? idx : v->ifindex;
}

void
set_vips(struct engine *e, struct vinst *v, bool add, bool quiet)
{
	const struct cf_ipaddress_list *lists[2] = { &v->cf->vips, &v->cf->evips };
	if (!quiet)
		log_detail("(%s) %s VIPs.", v->cf->name, add ? "setting" : "removing");
	for (int l = 0; l < 2; l++) {
		for (size_t i = 0; i < lists[l]->n; i++) {
			const struct cf_ipaddress *a = &lists[l]->v[i];
			int rc = nl_addr(&e->nl, add, vip_ifindex(v, a), a);
			if (rc < 0 && rc != -EEXIST && rc != -EADDRNOTAVAIL && !quiet)
				log_info("(%s) cannot %s VIP %s: %s", v->cf->name,
					 add ? "add" : "remove", addr_str(&a->addr),
					 strerror(-rc));
		}
	}
}

/* virtual_routes / virtual_rules follow the VIPs: added after them,
 * removed before them (rules first), as keepalived does. */
void
set_routes(struct engine *e, struct vinst *v, bool add, bool quiet)
{
	const struct cf_route_list *routes = &v->cf->vroutes, *rules = &v->cf->vrules;
	if (!add) {
		for (size_t i = 0; i < rules->n; i++) {
			int rc = nl_rule(&e->nl, false, &rules->v[i]);
			if (rc < 0 && rc != -ENOENT && !quiet)
				log_info("(%s) cannot remove rule: %s", v->cf->name, strerror(-rc));
		}
	}
	for (size_t i = 0; i < routes->n; i++) {
		int rc = nl_route(&e->nl, add, &routes->v[i], v->ifindex);
		if (rc < 0 && rc != -EEXIST && rc != -ESRCH && !quiet)
			log_info("(%s) cannot %s route: %s", v->cf->name,
				 add ? "add" : "remove", strerror(-rc));
	}
	if (add) {
		for (size_t i = 0; i < rules->n; i++) {
			int rc = nl_rule(&e->nl, true, &rules->v[i]);
			if (rc < 0 && rc != -EEXIST && !quiet)
				log_info("(%s) cannot add rule: %s", v->cf->name, strerror(-rc));
		}
	}
}

static void
garp_burst(struct engine *e, struct vinst *v, int repeat)
{
	const struct cf_ipaddress_list *l = &v->cf->vips;
	bool detail = log_detailed();
	/* keepalived's -D lines: the burst, named by the first VIP, then each
	 * packet */
	if (detail && l->n)
		log_detail("(%s) Sending/queueing %s on %s for %s", v->cf->name,
			   l->v[0].addr.family == AF_INET ? "gratuitous ARPs"
							  : "Unsolicited Neighbour Adverts",
			   v->cf->ifname, addr_str(&l->v[0].addr));
	for (size_t i = 0; i < l->n; i++) {
		const struct cf_ipaddress *a = &l->v[i];
		int idx = vip_ifindex(v, a);
		char ifname[IF_NAMESIZE] = "";
		if (detail && !if_indextoname((unsigned)idx, ifname))
			snprintf(ifname, sizeof(ifname), "%s", v->cf->ifname);
		for (int r = 0; r < repeat; r++) {
			if (a->addr.family == AF_INET)
				garp_send_arp(&e->garp, idx, a->addr.a);
			else
				garp_send_na(&e->garp, idx, a->addr.a);
			if (detail)
				log_detail("Sending %s on %s for %s",
					   a->addr.family == AF_INET ? "gratuitous ARP"
								     : "unsolicited Neighbour Advert",
					   ifname, addr_str(&a->addr));
		}
	}
}

static void
log_action(const struct vinst *v, const struct vrrp_action *a)
{
	const char *n = v->cf->name;
	switch (a->log) {
	case VL_TIMEOUT:
		log_detail("(%s) Receive advertisement timeout", n);
		break;
	case VL_MASTER_HIGHER:
		log_info("(%s) Master received advert from %s with higher priority %u, ours %u",
			 n, addr_str(&a->peer), a->peer_priority, a->priority);
		break;
	case VL_MASTER_SAME_HIGHER_IP:
		log_info("(%s) Master received advert from %s with same priority %u but higher IP address than ours",
			 n, addr_str(&a->peer), a->peer_priority);
		break;
	case VL_MASTER_LOWER:
		log_info("(%s) Received advert from %s with lower priority %u, ours %u%s", n,
			 addr_str(&a->peer), a->peer_priority, a->priority,
			 v->fc.lower_prio_no_advert ? "" : ", forcing new election");
		break;
	case VL_BACKUP_LOWER:
		log_info("(%s) received lower priority (%u) advert from %s - discarding", n,
			 a->peer_priority, addr_str(&a->peer));
		break;
	case VL_BACKUP_PRIO0:
		log_detail("(%s) Backup received priority 0 advertisement", n);
		break;
	case VL_MASTER_PRIO0:
		log_detail("(%s) Master received priority 0 message", n);
		break;
	case VL_SENT_PRIO0:
		log_detail("(%s) sent 0 priority", n);
		break;
	case VL_PREEMPT_START:
		log_detail("(%s) start preempt delay (%u.%06u)", n,
			   v->fc.preempt_delay_us / 1000000, v->fc.preempt_delay_us % 1000000);
		break;
	case VL_PRIORITY_CHANGE:
		log_info("(%s) Changing effective priority from %u to %u", n,
			 a->peer_priority, a->priority);
		break;
	}
}

/* notify_priority_changes: the instance's, else its sync group's, else global */
static bool
notify_priority_changes(const struct engine *e, const struct vinst *v)
{
	if (v->cf->notify_priority_changes != CF_UNSET)
		return v->cf->notify_priority_changes;
	if (v->sync && v->sync->cf->notify_priority_changes != CF_UNSET)
		return v->sync->cf->notify_priority_changes;
	return e->m->global.notify_priority_changes;
}

/* What follows some log lines in keepalived: FIFO events, a script, GARPs. */
static void
action_event(struct engine *e, struct vinst *v, const struct vrrp_action *a, uint64_t now)
{
	enum vrrp_state st = v->fsm.state;
	if (a->log == VL_PRIORITY_CHANGE && notify_priority_changes(e, v) &&
	    (st == VRRP_STATE_MASTER || st == VRRP_STATE_BACKUP)) {
		notify_instance_event(&e->notify, v->cf, st == VRRP_STATE_MASTER
				      ? "MASTER_PRIORITY" : "BACKUP_PRIORITY", a->priority);
	} else if (a->log == VL_MASTER_LOWER) {
		/* remind the segment who the master is: now and once more later */
		if (v->garp.lower_prio_repeat > 0) {
			garp_burst(e, v, v->garp.lower_prio_repeat);
			v->lower_garp_at = v->garp.lower_prio_delay > 0
				? now + (uint64_t)v->garp.lower_prio_delay * 1000000 : 0;
		}
		notify_master_rx_lower_pri(&e->notify, v->cf, v->fsm.priority);
	}
}

void
run_actions(struct engine *e, struct vinst *v, const struct vrrp_actions *acts,
	    uint64_t now)
{
	enum vrrp_state state_changed = VRRP_STATE_INIT;
	for (int i = 0; i < acts->n; i++) {
		const struct vrrp_action *a = &acts->v[i];
		stats_count_action(v, a);
		switch (a->type) {
		case VA_STATE:
			if (a->state != VRRP_STATE_STOP)
				log_info("(%s) Entering %s STATE%s", v->cf->name,
					 vrrp_state_name(a->state),
					 a->old == VRRP_STATE_INIT ? " (init)" : "");
			state_changed = a->state;
			break;
		case VA_SEND_ADVERT:
			send_advert(e, v, a->priority);
			/* garp_master_refresh: with the first advert after N s */
			if (v->refresh_at && now >= v->refresh_at &&
			    v->fsm.state == VRRP_STATE_MASTER) {
				garp_burst(e, v, v->garp.master_refresh_repeat);
				/* keep the phase: "now" is a little after the
				 * deadline, and the next advert must still count */
				v->refresh_at += (uint64_t)v->garp.master_refresh * 1000000;
				if (v->refresh_at <= now)
					v->refresh_at = now + (uint64_t)v->garp.master_refresh * 1000000;
			}
			break;
		case VA_ADD_VIPS:
			set_vips(e, v, true, false);
			set_routes(e, v, true, false);
			break;
		case VA_DEL_VIPS:
			if (!(e->stopping && e->o->keep_vips_on_stop)) {
				set_routes(e, v, false, false);
				set_vips(e, v, false, false);
			}
			break;
		case VA_GARP:
			garp_burst(e, v, v->garp.master_repeat);
			v->garp_at = v->garp.master_delay > 0
					     ? now + (uint64_t)v->garp.master_delay * 1000000 : 0;
			v->refresh_at = v->garp.master_refresh > 0
					? now + (uint64_t)v->garp.master_refresh * 1000000 : 0;
			break;
		case VA_LOG:
			log_action(v, a);
			action_event(e, v, a, now);
			break;
		}
	}
	if (v->fsm.state != VRRP_STATE_MASTER)
		v->garp_at = v->refresh_at = v->lower_garp_at = 0;
	/* notify once the addresses are in place, as keepalived does */
	if (state_changed != VRRP_STATE_INIT) {
		notify_instance(&e->notify, v->cf, vrrp_state_name(state_changed),
				v->fsm.priority);
		alerts_vrrp(&e->alerts, false, v->cf->name, vrrp_state_name(state_changed),
			    v->cf->smtp_alert, now);
		sync_group(e, v, state_changed, now);
	}
}

/* ---- receiving -------------------------------------------------------------- */

static void
count_drop(struct vinst *v, enum vrrp_pkt_drop why, const struct cf_inaddr *src,
	   uint64_t now)
{
	v->drops[why]++;
	/* log once per reason and interval: a flood must not flood the log */
	if (v->drop_logged_at[why] && now - v->drop_logged_at[why] < DROP_LOG_INTERVAL_US)
		return;
	v->drop_logged_at[why] = now;
	log_info("(%s) dropped advert from %s: %s (%llu so far)", v->cf->name,
		 addr_str(src), vrrp_pkt_drop_name(why), (unsigned long long)v->drops[why]);
}

static bool
is_multicast(const struct cf_inaddr *a)
{
	return a->family == AF_INET ? (a->a[0] & 0xf0) == 0xe0 : a->a[0] == 0xff;
}

static void
deliver(struct engine *e, int sock, const struct vrrp_advert *adv, uint64_t now)
{
	for (size_t i = 0; i < e->nvi; i++) {
		struct vinst *v = &e->vi[i];
		if (v->sock != sock || v->cf->vrid != adv->vrid)
			continue;
		/* multicast instances take multicast adverts, unicast ones unicast */
		if (is_multicast(&adv->dst) == v->unicast)
			continue;
		if (!memcmp(adv->src.a, v->fc.primary.a, adv->family == AF_INET ? 4 : 16))
			continue;	/* our own advert looped back */
		enum vrrp_pkt_drop why = vrrp_pkt_check(adv, &v->exp);
		stats_count_rx(v, adv, why);
		if (why != VRRP_PKT_OK) {
			count_drop(v, why, &adv->src, now);
			continue;
		}
		v->rx++;
		struct vrrp_rx rx = {
			.priority = adv->priority,
			.interval_us = (uint32_t)adv->interval_cs * 10000,
			.src = adv->src,
		};
		struct vrrp_actions acts;
		vrrp_fsm_rx(&v->fsm, &v->fc, &rx, now, &acts);
		run_actions(e, v, &acts, now);
	}
}

static void
sock_readable(struct engine *e, int idx)
{
	struct vrrp_sock *s = &e->socks[idx];
	uint8_t buf[2048];
	/* bounded: a flood cannot keep the loop from its timers */
	for (int n = 0; n < 64; n++) {
		struct cf_inaddr src, dst;
		uint8_t hop = 0;
		int ifindex = 0;
		ssize_t len = vrrp_sock_recv(s, buf, sizeof(buf), &src, &dst, &hop, &ifindex);
		if (len <= 0)
			return;
		uint64_t now = now_us();
		struct vrrp_advert adv;
		enum vrrp_pkt_drop why = s->family == AF_INET
			? vrrp_pkt_decode4(buf, (size_t)len, &adv)
			: vrrp_pkt_decode6(buf, (size_t)len, &src, &dst, hop, &adv);
		if (why != VRRP_PKT_OK) {
			/* charge it to every instance with that VRID, if we can tell */
			for (size_t i = 0; i < e->nvi; i++)
				if (e->vi[i].sock == idx && len > 1 &&
				    e->vi[i].cf->vrid == adv.vrid)
					count_drop(&e->vi[i], why, &adv.src, now);
			continue;
		}
		deliver(e, idx, &adv, now);
	}
}

/* ---- the loop ------------------------------------------------------------------- */

/* Starting a script holds this thread until the child's exec: half a
 * millisecond typically, a few on a busy host.  Script starts (and kills)
 * due shortly before an advert wait until it has gone out; with the same
 * interval, as is usual, the two would otherwise meet every time. */
#define SPAWN_GUARD_US 5000

static uint64_t
advert_imminent(const struct engine *e, uint64_t now)
{
	uint64_t soonest = 0;
	for (size_t i = 0; i < e->nvi; i++) {
		uint64_t d = vrrp_fsm_deadline(&e->vi[i].fsm);
		if (d > now && d <= now + SPAWN_GUARD_US && (!soonest || d < soonest))
			soonest = d;
	}
	return soonest;
}

/* When a script due at DUE gets its turn: after an imminent advert, but
 * never held for longer than the guard (many instances with short
 * intervals could otherwise always have one imminent). */
static uint64_t
script_start_at(const struct engine *e, uint64_t due)
{
	if (due >= e->scripts_held_until)
		return due;
	uint64_t limit = due + SPAWN_GUARD_US;
	return e->scripts_held_until < limit ? e->scripts_held_until : limit;
}

static uint64_t
next_deadline(const struct engine *e)
{
	uint64_t next = 0;
	for (size_t i = 0; i < e->nvi; i++) {
		uint64_t d = vrrp_fsm_deadline(&e->vi[i].fsm);
		if (d && (!next || d < next))
			next = d;
		d = e->vi[i].garp_at;
		if (d && (!next || d < next))
			next = d;
		d = e->vi[i].lower_garp_at;
		if (d && (!next || d < next))
			next = d;
	}
	for (size_t i = 0; i < e->nvs; i++) {
		uint64_t d = vscript_deadline(&e->vs[i]);
		if (d)
			d = script_start_at(e, d);
		if (d && (!next || d < next))
			next = d;
	}
	uint64_t d = alerts_deadline(&e->alerts);
	if (d && (!next || d < next))
		next = d;
	d = procs_deadline(e);
	if (d && (!next || d < next))
		next = d;
	if (e->drain_check_at && (!next || e->drain_check_at < next))
		next = e->drain_check_at;
	return next;
}

static void
arm_timer(struct engine *e)
{
	uint64_t next = next_deadline(e);
	struct itimerspec its = { 0 };
	if (next) {
		its.it_value.tv_sec = (time_t)(next / 1000000);
		its.it_value.tv_nsec = (long)(next % 1000000) * 1000;
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	timerfd_settime(e->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void
timers_due(struct engine *e)
{
	uint64_t expirations;
	if (read(e->tfd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return;
	uint64_t now = now_us();
	for (size_t i = 0; i < e->nvi; i++) {
		struct vinst *v = &e->vi[i];
		uint64_t d = vrrp_fsm_deadline(&v->fsm);
		if (d && d <= now) {
			struct vrrp_actions acts;
			vrrp_fsm_timer(&v->fsm, &v->fc, now, &acts);
			run_actions(e, v, &acts, now);
		}
		if (v->garp_at && v->garp_at <= now) {
			v->garp_at = 0;
			garp_burst(e, v, v->garp.master_repeat);
		}
		if (v->lower_garp_at && v->lower_garp_at <= now) {
			v->lower_garp_at = 0;
			garp_burst(e, v, v->garp.lower_prio_repeat);
		}
	}
	alerts_step(&e->alerts, -1, now);
	if (e->drain_check_at && e->drain_check_at <= now)
		reload_drain_check(e, now);
	if (e->proc_rescan_at && e->proc_rescan_at <= now)
		procs_rescan(e, now);
	else if (procs_deadline(e) && procs_deadline(e) <= now)
		procs_settle(e, now);
	/* scripts after the adverts, also after those due in a moment */
	e->scripts_held_until = advert_imminent(e, now);
	for (size_t i = 0; i < e->nvs; i++) {
		uint64_t d = vscript_deadline(&e->vs[i]);
		if (d && script_start_at(e, d) <= now)
			vscript_timer(&e->vs[i], now);
	}
}

static void
signal_arrived(struct engine *e)
{
	struct signalfd_siginfo si;
	while (read(e->sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			e->stopping = true;
			break;
		case SIGCHLD:
			children_exited(e);
			break;
		case SIGHUP:
			/* after this turn's events: a reload rebuilds what they use */
			e->reload_pending = true;
			break;
		default:
			dump_on_signal(e, (int)si.ssi_signo);
			break;
		}
	}
}

static int
loop_setup(struct engine *e)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGCHLD);
	dump_signals_add(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	e->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	e->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (e->epfd < 0 || e->tfd < 0 || e->sfd < 0)
		return -errno;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_TIMER };
	epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->tfd, &ev);
	ev.data.u64 = TAG_SIGNAL;
	epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->sfd, &ev);
	if (nl_monitor_open(&e->mon) == 0) {
		ev.data.u64 = TAG_NETLINK;
		epoll_ctl(e->epfd, EPOLL_CTL_ADD, nl_monitor_fd(&e->mon), &ev);
	} else {
		e->mon.sock = NULL;
	}
	return 0;
}

static void
loop_run(struct engine *e)
{
	while (!e->stopping) {
		arm_timer(e);
		struct epoll_event evs[32];
		int n = epoll_wait(e->epfd, evs, 32, -1);
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n && !e->stopping; i++) {
			uint64_t tag = evs[i].data.u64;
			if (tag == TAG_TIMER)
				timers_due(e);
			else if (tag == TAG_SIGNAL)
				signal_arrived(e);
			else if (tag == TAG_NETLINK)
				nl_monitor_read(&e->mon, link_event, e);
			else if (tag == TAG_INOTIFY)
				tfiles_changed(e);
			else if (tag == TAG_PROC)
				procs_changed(e);
			else if (tag == TAG_PROXY)
				proxy_health_changed(e);
			else if (tag >= TAG_SMTP_BASE && tag < TAG_SMTP_BASE + ALERT_MAX)
				alerts_step(&e->alerts, (int)(tag - TAG_SMTP_BASE), now_us());
			else if (tag >= TAG_STATUS_BASE && tag < TAG_STATUS_BASE + STATUS_SLOTS)
				status_event(e, (int)(tag - TAG_STATUS_BASE));
			else if (tag >= TAG_SOCK_BASE)
				sock_readable(e, (int)(tag - TAG_SOCK_BASE));
		}
		if (e->reload_pending && !e->stopping) {
			e->reload_pending = false;
			engine_reload(e);
		}
	}
}

/* static_ipaddress: set at start, removed at stop (unless -V) */
void
static_routes(struct engine *e, bool add)
{
	const struct cf_route_list *routes = &e->m->static_routes;
	const struct cf_route_list *rules = &e->m->static_rules;
	const char *def = e->m->global.default_interface ? e->m->global.default_interface
							 : "eth0";
	int idx = (int)if_nametoindex(def);
	for (size_t i = 0; i < rules->n && !add; i++)
		nl_rule(&e->nl, false, &rules->v[i]);
	for (size_t i = 0; i < routes->n; i++) {
		int rc = nl_route(&e->nl, add, &routes->v[i], idx);
		if (rc < 0 && rc != -EEXIST && rc != -ESRCH)
			log_info("cannot %s static route: %s", add ? "add" : "remove",
				 strerror(-rc));
	}
	for (size_t i = 0; i < rules->n && add; i++) {
		int rc = nl_rule(&e->nl, true, &rules->v[i]);
		if (rc < 0 && rc != -EEXIST)
			log_info("cannot add static rule: %s", strerror(-rc));
	}
}

void
static_addresses(struct engine *e, bool add)
{
	const struct cf_ipaddress_list *l = &e->m->static_addrs;
	const char *def = e->m->global.default_interface ? e->m->global.default_interface
							 : "eth0";
	for (size_t i = 0; i < l->n; i++) {
		const struct cf_ipaddress *a = &l->v[i];
		int idx = (int)if_nametoindex(a->dev[0] ? a->dev : def);
		if (!idx)
			continue;
		int rc = nl_addr(&e->nl, add, idx, a);
		if (rc < 0 && rc != -EEXIST && rc != -EADDRNOTAVAIL)
			log_info("cannot %s static address %s: %s", add ? "add" : "remove",
				 addr_str(&a->addr), strerror(-rc));
	}
}

/* The vrrp_scripts something tracks (into e->vs, sized by the caller). */
void
scripts_setup(struct engine *e, uint64_t now)
{
	const struct cf_model *m = e->m;
	for (size_t i = 0; i < m->nscripts; i++) {
		const struct cf_vrrp_script *s = &m->scripts[i];
		if (s->removed || !s->used) {
			if (!s->removed)
				log_info("Warning - script %s is not used", s->name);
			continue;
		}
		vscript_init(&e->vs[e->nvs++], s, &m->global, now);
	}
}

/* keepalived's last line of the VRRP process; with -D, its CPU use */
static void
log_stopped(void)
{
	struct rusage self, kids;
	if (!log_detailed() || getrusage(RUSAGE_SELF, &self) < 0 ||
	    getrusage(RUSAGE_CHILDREN, &kids) < 0) {
		log_info("Stopped");
		return;
	}
	if (kids.ru_utime.tv_sec || kids.ru_utime.tv_usec)
		log_info("Stopped - used (self/children) %ld.%6.6ld/%ld.%6.6ld user time, "
			 "%ld.%6.6ld/%ld.%6.6ld system time",
			 (long)self.ru_utime.tv_sec, (long)self.ru_utime.tv_usec,
			 (long)kids.ru_utime.tv_sec, (long)kids.ru_utime.tv_usec,
			 (long)self.ru_stime.tv_sec, (long)self.ru_stime.tv_usec,
			 (long)kids.ru_stime.tv_sec, (long)kids.ru_stime.tv_usec);
	else
		log_info("Stopped - used %ld.%6.6ld user time, %ld.%6.6ld system time",
			 (long)self.ru_utime.tv_sec, (long)self.ru_utime.tv_usec,
			 (long)self.ru_stime.tv_sec, (long)self.ru_stime.tv_usec);
}

static void
engine_stop(struct engine *e)
{
	uint64_t now = now_us();
	e->stopping = true;
	log_info("Stopping");
	sd_stopping();	/* systemd: the stop has begun, adverts with priority 0 follow */
	for (size_t i = 0; i < e->nvi; i++) {
		struct vrrp_actions acts;
		vrrp_fsm_stop(&e->vi[i].fsm, &e->vi[i].fc, now, &acts);
		run_actions(e, &e->vi[i], &acts, now);
	}
	if (!e->o->keep_vips_on_stop) {
		static_routes(e, false);
		static_addresses(e, false);
	}
	for (size_t i = 0; i < e->nvs; i++)
		vscript_stop(&e->vs[i]);
	/* last: clients were served until the addresses went */
	proxy_stop(e->proxy);
	e->proxy = NULL;
	log_stopped();
}

static void
engine_close(struct engine *e)
{
	for (size_t i = 0; i < e->ngroups; i++)
		free(e->groups[i].members);
	free(e->groups);
	for (size_t i = 0; i < e->nsocks; i++)
		vrrp_sock_close(&e->socks[i]);
	if (e->mon.sock)
		nl_monitor_close(&e->mon);
	garp_close(&e->garp);
	nl_cmd_close(&e->nl);
	notify_close(&e->notify);
	/* after the STOP notifications: it starts what is queued, then ends */
	spawner_stop(e->spawner);
	alerts_close(&e->alerts);
	status_close(e);
	proxy_stop(e->proxy);
	reload_drain_stop(e);
	model_free(e->owned);
	if (e->inotify_fd >= 0)
		close(e->inotify_fd);
	if (e->proc_fd >= 0)
		close(e->proc_fd);
	ptrack_free(e->pt, e->npt);
	free(e->pt);
	free(e->tf);
	free(e->vs);
	for (size_t i = 0; i < e->nvi; i++)
		free(e->vi[i].vips);
	free(e->vi);
	close(e->epfd);
	close(e->tfd);
	close(e->sfd);
}

/* The first state: FAULT (init) if the link is down, else BACKUP (init)
 * (or MASTER for the address owner), then the trackers' say. */
void
inst_start(struct engine *e, struct vinst *v, uint64_t now)
{
	/* a backup must not hold what an earlier run left behind */
	if (v->cf->priority != 255) {
		set_routes(e, v, false, true);
		set_vips(e, v, false, true);
	}
	inst_links(e, v);
	struct vrrp_actions acts;
	if (v->fault_link || v->track_faults)
		vrrp_fsm_fault(&v->fsm, &v->fc, true, now, &acts);
	else
		vrrp_fsm_start(&v->fsm, &v->fc, now, &acts);
	run_actions(e, v, &acts, now);
	if (v->track_weight || v->cf->track_script.n || v->cf->track_file.n ||
	    v->cf->track_process.n)
		apply_tracking(e, v, now);
}

/* The calling thread real-time at PRIO (SCHED_RR), or ordinary for 0;
 * threads it starts are ordinary either way.  -errno on failure. */
static int
set_rt(int prio)
{
	struct sched_param sp = { .sched_priority = prio };
	int policy = (prio ? SCHED_RR : SCHED_OTHER) | SCHED_RESET_ON_FORK;
	return sched_setscheduler(0, policy, &sp) < 0 ? -errno : 0;
}

/* Without vrrp_rt_priority the VRRP thread stays in the fair scheduler,
 * made to wake up on time on a busy host: the shortest time slice it
 * offers (100 us; Linux 6.12 and later, older kernels ignore it), so that
 * its wake-ups preempt at once instead of waiting out another thread's
 * slice, and, unless vrrp_priority says otherwise, nice -10, so that the
 * proxy workers and scripts of its own process do not go first.  It runs
 * for microseconds per event: neither takes anyone's CPU time.  Threads
 * and children it starts get the defaults back (reset on fork).
 * bench/jitter on two saturated CPUs: adverts 3-13 ms late with neither,
 * within 1.1 ms with the slice alone, within 0.5 ms with both. */
#define FAIR_SLICE_NS 100000ULL
#define FAIR_NICE (-10)

static void
set_fair(const struct cf_global *g)
{
	int nice = g->vrrp_priority_set ? g->vrrp_priority : FAIR_NICE;
	struct {
		uint32_t size, policy;
		uint64_t flags;
		int32_t nice;
		uint32_t priority;
		uint64_t runtime, deadline, period;
	} attr = { .size = sizeof(attr), .policy = SCHED_OTHER,
		   .flags = 0x01 /* SCHED_FLAG_RESET_ON_FORK */,
		   .nice = nice, .runtime = FAIR_SLICE_NS };
	if (syscall(SYS_sched_setattr, 0, &attr, 0) == 0)
		return;
	/* no CAP_SYS_NICE (a container), or no sched_setattr: each part on
	 * its own, as far as it goes - the slice needs no privilege */
	int err = setpriority(PRIO_PROCESS, 0, nice) < 0 ? errno : 0;
	errno = 0;
	attr.nice = getpriority(PRIO_PROCESS, 0);
	if (!errno)
		syscall(SYS_sched_setattr, 0, &attr, 0);
	if (err && g->vrrp_priority_set)
		log_info("Unable to set vrrp_priority %d: %s", nice, strerror(err));
}

/* vrrp_priority (nice), vrrp_rt_priority (SCHED_RR), vrrp_no_swap: what
 * keepalived offers to keep adverts on time on a busy host.  Real-time
 * comes with keepalived's guard, vrrp_rlimit_rttime (default 10 ms): a
 * VRRP thread that runs that long without sleeping is broken, and is
 * killed so that the backup takes over instead of a CPU being lost. */
static void
scheduling(struct engine *e, const struct cf_global *g)
{
	if (!g->vrrp_rt_priority) {
		set_fair(g);
	} else {
		if (g->vrrp_priority_set && setpriority(PRIO_PROCESS, 0, g->vrrp_priority) < 0)
			log_info("Unable to set vrrp_priority %d: %s", g->vrrp_priority,
				 strerror(errno));
		rlim_t us = g->vrrp_rlimit_rttime_us;
		struct rlimit rl = { .rlim_cur = us, .rlim_max = us };
		if (setrlimit(RLIMIT_RTTIME, &rl) < 0)
			log_info("Unable to set vrrp_rlimit_rttime %lu: %s", (unsigned long)us,
				 strerror(errno));
		int rc = set_rt(g->vrrp_rt_priority);
		if (rc < 0)
			log_info("Unable to set vrrp_rt_priority %d: %s", g->vrrp_rt_priority,
				 strerror(-rc));
		else
			e->rt_priority = g->vrrp_rt_priority;
	}
	if (g->vrrp_no_swap && mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		log_info("Unable to lock memory (vrrp_no_swap): %s", strerror(errno));
}

/* Leave real-time scheduling for work that is not time-critical (a reload)
 * and may run longer than vrrp_rlimit_rttime, or come back to it. */
void
rt_relax(struct engine *e, bool relax)
{
	if (!e->rt_priority)
		return;
	int rc = set_rt(relax ? 0 : e->rt_priority);
	if (rc < 0)
		log_info("Unable to %s vrrp_rt_priority %d: %s", relax ? "leave" : "restore",
			 e->rt_priority, strerror(-rc));
}

/* Before any thread starts: capability sets are per thread, and threads
 * inherit their creator's. */
static void
limit_capabilities(struct engine *e)
{
	if (caps_root_scripts(e->m))
		return;		/* root scripts keep all of root's power, as with keepalived */
	int rc = caps_limit_process(caps_daemon_keep());
	if (rc < 0) {
		log_info("Unable to drop capabilities: %s", strerror(-rc));
		return;
	}
	e->caps_limited = true;
	log_info("No script runs as root: capabilities limited to those VRRP and the proxy use");
}

int
engine_run(const struct cf_model *m, const struct engine_opts *o)
{
	struct engine e = { .m = m, .o = o, .epfd = -1, .tfd = -1, .sfd = -1,
			    .inotify_fd = -1, .proc_fd = -1 };
	int rc = nl_cmd_open(&e.nl);
	if (rc < 0) {
		log_info("cannot open netlink: %s", strerror(-rc));
		return 1;
	}
	garp_open(&e.garp);
	limit_capabilities(&e);
	if (loop_setup(&e) < 0) {
		engine_close(&e);
		return 1;
	}
	e.vi = calloc(m->ninstances ? m->ninstances : 1, sizeof(*e.vi));
	e.vs = calloc(m->nscripts ? m->nscripts : 1, sizeof(*e.vs));
	e.spawner = spawner_start();
	notify_open(&e.notify, &m->global, e.spawner);
	alerts_init(&e.alerts, &m->global, e.epfd, TAG_SMTP_BASE);
	tfiles_setup(&e);
	procs_setup(&e);
	proxy_setup(&e, NULL);
	static_addresses(&e, true);
	static_routes(&e, true);
	uint64_t now = now_us();
	scripts_setup(&e, now);
	for (size_t i = 0; i < m->ninstances; i++) {
		const struct cf_vrrp_instance *cf = &m->instances[i];
		if (cf->removed || !cf->vrid || !cf->ifname[0])
			continue;
		if (inst_setup(&e, &e.vi[e.nvi], cf) < 0) {
			/* keepalived: the VRRP process exits with a config error */
			free(e.vi[e.nvi].vips);
			engine_close(&e);
			return 2;
		}
		e.nvi++;
	}
	/* groups before the first state: they change how trackers count */
	groups_setup(&e);
	status_open(&e);
	/* the parser's line buffers are gone: give their pages back */
	malloc_trim(0);
	for (size_t i = 0; i < e.nvi; i++)
		inst_start(&e, &e.vi[i], now);
	/* real-time for the loop only: setting up hundreds of instances may
	 * run longer than vrrp_rlimit_rttime without sleeping (and the
	 * threads started above stay ordinary) */
	scheduling(&e, &m->global);
	loop_run(&e);
	engine_stop(&e);
	engine_close(&e);
	return 0;
}
