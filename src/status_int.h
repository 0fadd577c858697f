/* status_int.h - the engine's hooks for what the VRRP process shows of
 * itself: counters (state_snap.c), keepalived's dump files on signals
 * (dump_files.c) and the status server (status_srv.c).  Private to src/. */
#ifndef VIGIL_STATUS_INT_H
#define VIGIL_STATUS_INT_H

#include <signal.h>
#include <stdbool.h>

#include "engine_int.h"
#include "state_dump.h"

/* ---- state_snap.c: counters and the snapshot ---------------------------------- */

/* Count what an action says happened (transitions, priority-0 adverts). */
void stats_count_action(struct vinst *v, const struct vrrp_action *a);
/* Count a received advert that passed the codec; WHY: the instance's rules. */
void stats_count_rx(struct vinst *v, const struct vrrp_advert *adv,
		    enum vrrp_pkt_drop why);
/* Zero every counter (SIGRTMAX-1). */
void stats_clear(struct vinst *v);

/* A snapshot and the memory behind it. */
struct state_snap {
	struct sd_snapshot s;
	struct sd_instance *vi;
	struct sd_track *tracks;
	struct sd_script *scripts;
	struct sd_sock *socks;
	struct sd_group *groups;
	struct sd_vs *vs;
	char router_id[256];
};

/* Fill SNAP from E (read-only).  false without memory. */
bool state_snap_take(const struct engine *e, struct state_snap *snap);
void state_snap_free(struct state_snap *snap);

/* ---- dump_files.c: keepalived's signals ----------------------------------------- */

/* Add SIGRTMIN+2 (JSON) and SIGRTMAX-1 (stats and clear) to SET; SIGUSR1
 * and SIGUSR2 are the engine's already. */
void dump_signals_add(sigset_t *set);
/* Write the file SIGNO asks for; false if SIGNO is not a dump signal. */
bool dump_on_signal(struct engine *e, int signo);

/* ---- status_srv.c: status_socket / status_listen -------------------------------- */

/* epoll tags TAG_STATUS_BASE + slot: two listeners, then the clients */
#define STATUS_LISTENERS 2
#define STATUS_CLIENTS 16
#define STATUS_SLOTS (STATUS_LISTENERS + STATUS_CLIENTS)

/* Open what global_defs asks for (nothing if neither keyword is set). */
void status_open(struct engine *e);
/* The fd in SLOT is ready. */
void status_event(struct engine *e, int slot);
void status_close(struct engine *e);

#endif
