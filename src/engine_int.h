/* engine_int.h - what the daemon's modules share: the context and the
 * runtime objects.  Private to src/ (the public API is engine.h). */
#ifndef VIGIL_ENGINE_INT_H
#define VIGIL_ENGINE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "alert.h"
#include "engine.h"
#include "garp.h"
#include "netlink.h"
#include "notify.h"
#include "proc_track.h"
#include "proxy.h"
#include "vrrp_fsm.h"
#include "vrrp_pkt.h"
#include "vrrp_sock.h"
#include "vscript.h"

#define MAX_SOCKS 64

struct vgroup;

struct vinst {
	const struct cf_vrrp_instance *cf;
	struct vgroup *sync;		/* vrrp_sync_group, if any */
	struct vrrp_fsm fsm;
	struct vrrp_fsm_cfg fc;
	int ifindex;
	int sock;			/* index into engine.socks */
	bool unicast;
	struct cf_inaddr group;
	uint8_t (*vips)[16];		/* advertised addresses (allocated) */
	uint8_t nvips;
	struct vrrp_pkt_expect exp;
	struct cf_garp garp;		/* resolved against global_defs */
	uint64_t garp_at;		/* second gratuitous ARP burst */
	uint64_t refresh_at;		/* garp_master_refresh: next refresh */
	uint64_t lower_garp_at;		/* garp_lower_prio_delay: the second burst */
	bool fault_link;
	int track_weight;		/* sum of interface tracker weights */
	int track_faults;		/* weight-0 tracked interfaces down */
	uint64_t rx, tx, drops[VRRP_PKT_DROP_MAX], drop_logged_at[VRRP_PKT_DROP_MAX];
	/* keepalived's other counters, the last change (state_snap.c) */
	uint64_t become_master, release_master, transitions, pri_zero_rcvd,
		 pri_zero_sent, invalid_authtype;
	int64_t last_transition_us;	/* wall clock */
};

/* A vrrp_sync_group: its members move together. */
struct vgroup {
	const struct cf_sync_group *cf;
	struct vinst **members;
	size_t n;
	enum vrrp_state state;
};

/* A track_file: its value times the weight moves priorities. */
struct vtfile {
	const struct cf_track_file *cf;
	long value;
};

/* A proxy a reload replaced, finishing its connections, and the model it
 * still reads (NULL: main's, freed at exit). */
struct draining {
	struct proxy *proxy;
	struct cf_model *model;
	struct draining *next;
};

struct engine {
	const struct cf_model *m;
	const struct engine_opts *o;
	int epfd, tfd, sfd;
	struct nl_cmd nl;
	struct nl_monitor mon;
	struct garp_sockets garp;
	struct vinst *vi;
	size_t nvi;
	struct vrrp_sock socks[MAX_SOCKS];
	size_t nsocks;
	struct vscript *vs;		/* the vrrp_scripts something tracks */
	size_t nvs;
	struct vgroup *groups;
	size_t ngroups;
	struct vtfile *tf;
	size_t ntf;
	int inotify_fd;
	struct ptrack *pt;		/* vrrp_track_process */
	size_t npt;
	int proc_fd;
	uint64_t proc_rescan_at;	/* without the connector: next /proc scan */
	bool syncing;			/* a group transition is being applied */
	struct notifier notify;
	struct spawner *spawner;	/* starts the notify scripts */
	struct alerts alerts;
	struct proxy *proxy;		/* the built-in proxy, if configured */
	struct status_srv *status;	/* status_socket / status_listen */
	/* reload (SIGHUP) */
	bool reload_pending;
	struct cf_model *owned;		/* the model a reload loaded (ours to free) */
	struct draining *draining;	/* earlier configurations' proxies
					 * finishing their connections */
	uint64_t drain_check_at;
	uint64_t scripts_held_until;	/* script starts wait for an advert */
	bool stopping;
	bool caps_limited;	/* no root scripts at startup: caps_limit_process */
	int rt_priority;	/* vrrp_rt_priority in force (0: none) */
};

/* epoll tags: small integers; sockets are tagged with their index + base */
enum { TAG_TIMER = 1, TAG_SIGNAL, TAG_NETLINK, TAG_INOTIFY, TAG_PROC, TAG_PROXY,
       TAG_SMTP_BASE = 50, TAG_STATUS_BASE = 80,
       TAG_SOCK_BASE = 100 };

uint64_t now_us(void);

/* engine.c: instances, addresses */
int inst_setup(struct engine *e, struct vinst *v, const struct cf_vrrp_instance *cf);
int inst_configure(struct engine *e, struct vinst *v, const struct cf_vrrp_instance *cf);
void inst_start(struct engine *e, struct vinst *v, uint64_t now);
int vip_ifindex(const struct vinst *v, const struct cf_ipaddress *a);
void set_vips(struct engine *e, struct vinst *v, bool add, bool quiet);
void set_routes(struct engine *e, struct vinst *v, bool add, bool quiet);
void static_addresses(struct engine *e, bool add);
void static_routes(struct engine *e, bool add);
void scripts_setup(struct engine *e, uint64_t now);

/* engine.c: leave real-time scheduling (RELAX) or come back to it */
void rt_relax(struct engine *e, bool relax);

/* reload.c: SIGHUP */
void engine_reload(struct engine *e);
void reload_drain_check(struct engine *e, uint64_t now);
/* at exit: every draining proxy stops at once */
void reload_drain_stop(struct engine *e);
const char *addr_str(const struct cf_inaddr *a);

/* engine.c: carry out the state machine's actions */
void run_actions(struct engine *e, struct vinst *v, const struct vrrp_actions *acts,
		 uint64_t now);

/* tracking.c: interfaces, scripts, files and sync groups */
void inst_links(struct engine *e, struct vinst *v);
void apply_tracking(struct engine *e, struct vinst *v, uint64_t now);
void sync_group(struct engine *e, struct vinst *v, enum vrrp_state to, uint64_t now);
void link_event(const struct nl_link_event *ev, void *arg);
void children_exited(struct engine *e);
void tfiles_setup(struct engine *e);
void tfiles_changed(struct engine *e);
void groups_setup(struct engine *e);
void procs_setup(struct engine *e);
void procs_changed(struct engine *e);
void procs_rescan(struct engine *e, uint64_t now);
void procs_settle(struct engine *e, uint64_t now);
uint64_t procs_deadline(const struct engine *e);
/* PREV: the proxy a reload replaces (its listening sockets are taken) */
void proxy_setup(struct engine *e, struct proxy *prev);
void proxy_health_changed(struct engine *e);

#endif
