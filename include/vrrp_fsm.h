/* vrrp_fsm.h - the VRRP state machine of RFC 3768 / RFC 5798 as keepalived
 * 2.2.7 runs it.
 *
 * Pure: every entry point takes the current time and returns the actions
 * the caller must carry out (send an advert, add or remove VIPs, announce
 * them, log, notify).  Timers are deadlines stored in the state; the
 * caller wakes at vrrp_fsm_deadline() and calls vrrp_fsm_timer().  Tests
 * drive it with a fake clock.  Times are microseconds on a monotonic clock.
 */
#ifndef VIGIL_VRRP_FSM_H
#define VIGIL_VRRP_FSM_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

enum vrrp_state {
	VRRP_STATE_INIT,
	VRRP_STATE_BACKUP,
	VRRP_STATE_MASTER,
	VRRP_STATE_FAULT,
	VRRP_STATE_STOP,
};

const char *vrrp_state_name(enum vrrp_state s);	/* "BACKUP", ... */

/* What the state machine needs from the configuration. */
struct vrrp_fsm_cfg {
	int version;			/* 2 or 3 */
	uint32_t advert_us;		/* our advertisement interval */
	bool nopreempt;
	uint32_t preempt_delay_us;
	int down_timer_adverts;		/* 3 */
	bool lower_prio_no_advert;
	struct cf_inaddr primary;	/* our source address: tie-break */
};

struct vrrp_fsm {
	enum vrrp_state state;
	uint8_t base_priority;		/* configured (255 = address owner) */
	uint8_t priority;		/* effective, advertised */
	uint32_t master_adver_us;	/* v3: the master's interval */
	uint64_t advert_at;		/* MASTER: next advert (0 = none) */
	uint64_t down_at;		/* BACKUP: master down deadline (0 = none) */
	uint64_t preempt_at;		/* preempt_delay running until (0 = not) */
	struct cf_inaddr master;	/* current master while BACKUP */
	uint8_t master_priority;
	bool held;			/* operator step-down: BACKUP until
					 * vrrp_fsm_stepup() */
};

enum vrrp_action_type {
	VA_STATE,		/* entered .state from .old (INIT: the "(init)" one) */
	VA_SEND_ADVERT,		/* send one advert with priority .priority */
	VA_ADD_VIPS,
	VA_DEL_VIPS,
	VA_GARP,		/* announce the VIPs (gratuitous ARP / NA burst) */
	VA_LOG,			/* .log: a keepalived log line, see enum below */
};

enum vrrp_log {
	VL_TIMEOUT,		/* "Receive advertisement timeout" */
	VL_MASTER_HIGHER,	/* "Master received advert from X with higher priority P, ours Q" */
	VL_MASTER_SAME_HIGHER_IP,
	VL_MASTER_LOWER,	/* "Received advert from X with lower priority P, ours Q, forcing new election" */
	VL_BACKUP_LOWER,	/* "received lower priority (P) advert from X - discarding" */
	VL_BACKUP_PRIO0,	/* "Backup received priority 0 advertisement" */
	VL_MASTER_PRIO0,	/* "Master received priority 0 message" */
	VL_SENT_PRIO0,		/* "sent 0 priority" */
	VL_PREEMPT_START,	/* "start preempt delay (D)" */
	VL_PRIORITY_CHANGE,	/* "Changing effective priority from P to Q" */
};

struct vrrp_action {
	enum vrrp_action_type type;
	enum vrrp_state state, old;
	uint8_t priority;
	enum vrrp_log log;
	struct cf_inaddr peer;		/* the advert's sender, for logs */
	uint8_t peer_priority;
};

#define VRRP_MAX_ACTIONS 8

struct vrrp_actions {
	struct vrrp_action v[VRRP_MAX_ACTIONS];
	int n;
};

/* A decoded and checked advert, as far as the state machine cares. */
struct vrrp_rx {
	uint8_t priority;
	uint32_t interval_us;		/* the sender's advert interval */
	struct cf_inaddr src;
};

void vrrp_fsm_init(struct vrrp_fsm *f, uint8_t base_priority);

/* Startup: BACKUP (init) with a full down timer; the address owner becomes
 * MASTER at once. */
void vrrp_fsm_start(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c,
		    uint64_t now, struct vrrp_actions *out);

void vrrp_fsm_rx(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c,
		 const struct vrrp_rx *rx, uint64_t now, struct vrrp_actions *out);

/* Handle every deadline that is due at NOW. */
void vrrp_fsm_timer(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c,
		    uint64_t now, struct vrrp_actions *out);

/* Graceful stop: a MASTER sends priority 0 and removes its VIPs. */
void vrrp_fsm_stop(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c,
		   uint64_t now, struct vrrp_actions *out);

/* Interface (or weight-0 tracker) down: FAULT; up again: BACKUP. */
void vrrp_fsm_fault(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c,
		    bool fault, uint64_t now, struct vrrp_actions *out);

/* Trackers changed the effective priority (1..254; owners stay 255). */
void vrrp_fsm_set_priority(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c,
			   uint8_t priority, uint64_t now, struct vrrp_actions *out);

/* A sync group moves this member with another: BACKUP -> MASTER or
 * MASTER -> BACKUP (other states are left alone). */
void vrrp_fsm_sync(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c,
		   enum vrrp_state to, uint64_t now, struct vrrp_actions *out);

/*
 * Operator step-down (Vigil extension): give up mastership and stay out of
 * the election until vrrp_fsm_stepup().  A MASTER hands over as at a
 * graceful stop (advert with priority 0, VIPs removed) and becomes BACKUP;
 * a BACKUP only stops its down timer.  While held the instance keeps
 * tracking the master's adverts but never times out into MASTER, not even
 * when a sync group pulls it.  Held survives FAULT.
 */
void vrrp_fsm_stepdown(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c,
		       uint64_t now, struct vrrp_actions *out);

/* Clear a step-down: a BACKUP restarts its down timer (a full
 * Master_Down_Interval), so it preempts a lower-priority master as usual. */
void vrrp_fsm_stepup(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c,
		     uint64_t now, struct vrrp_actions *out);

/* The earliest deadline, 0 if none. */
uint64_t vrrp_fsm_deadline(const struct vrrp_fsm *f);

/* Skew_Time and Master_Down_Interval for PRIORITY (exposed for tests). */
uint64_t vrrp_skew_us(const struct vrrp_fsm_cfg *c, uint32_t master_adver_us,
		      uint8_t priority);
uint64_t vrrp_master_down_us(const struct vrrp_fsm_cfg *c,
			     uint32_t master_adver_us, uint8_t priority);

#endif
