/* vrrp_fsm.c - the VRRP state machine (pure; see vrrp_fsm.h).
 *
 * Behaviour follows RFC 5798 section 6.4 as keepalived 2.2.7 implements it
 * (inventory section 5): every instance starts BACKUP with a full down
 * timer except the address owner; a BACKUP accepts equal priorities (no
 * tie-break while BACKUP); discarded lower-priority adverts do not restart
 * the down timer; a MASTER breaks priority ties on the numerically higher
 * source address.
 */
#include "config.h"

#include <string.h>

#include "vrrp_fsm.h"

const char *
vrrp_state_name(enum vrrp_state s)
{
	switch (s) {
	case VRRP_STATE_INIT: return "INIT";
	case VRRP_STATE_BACKUP: return "BACKUP";
	case VRRP_STATE_MASTER: return "MASTER";
	case VRRP_STATE_FAULT: return "FAULT";
	case VRRP_STATE_STOP: return "STOP";
	}
	return "UNKNOWN";
}

/* ---- timer arithmetic --------------------------------------------------- */

uint64_t
vrrp_skew_us(const struct vrrp_fsm_cfg *c, uint32_t master_adver_us, uint8_t priority)
{
	uint64_t unit = c->version == 3 ? master_adver_us : 1000000;
	return (256 - (uint64_t)priority) * unit / 256;
}

uint64_t
vrrp_master_down_us(const struct vrrp_fsm_cfg *c, uint32_t master_adver_us,
		    uint8_t priority)
{
	int adverts = c->down_timer_adverts > 0 ? c->down_timer_adverts : 3;
	return (uint64_t)adverts * master_adver_us +
	       vrrp_skew_us(c, master_adver_us, priority);
}

uint64_t
vrrp_fsm_deadline(const struct vrrp_fsm *f)
{
	if (f->state == VRRP_STATE_MASTER)
		return f->advert_at;
	if (f->state == VRRP_STATE_BACKUP)
		return f->down_at;
	return 0;
}

/* ---- actions ------------------------------------------------------------ */

static struct vrrp_action *
push(struct vrrp_actions *out, enum vrrp_action_type type)
{
	if (out->n >= VRRP_MAX_ACTIONS)
		return NULL;	/* cannot happen: no event emits more */
	struct vrrp_action *a = &out->v[out->n++];
	memset(a, 0, sizeof(*a));
	a->type = type;
	return a;
}

static void
emit_advert(struct vrrp_actions *out, uint8_t priority)
{
	struct vrrp_action *a = push(out, VA_SEND_ADVERT);
	if (a)
		a->priority = priority;
}

static void
emit_log(struct vrrp_actions *out, enum vrrp_log log, const struct vrrp_rx *rx,
	 uint8_t priority)
{
	struct vrrp_action *a = push(out, VA_LOG);
	if (!a)
		return;
	a->log = log;
	a->priority = priority;
	if (rx) {
		a->peer = rx->src;
		a->peer_priority = rx->priority;
	}
}

static void
emit_state(struct vrrp_fsm *f, struct vrrp_actions *out, enum vrrp_state to)
{
	struct vrrp_action *a = push(out, VA_STATE);
	if (a) {
		a->old = f->state;
		a->state = to;
	}
	f->state = to;
}

/* Numeric comparison of two addresses of one family, network order. */
static int
addr_cmp(const struct cf_inaddr *a, const struct cf_inaddr *b)
{
	size_t len = a->family == AF_INET6 ? 16 : 4;
	return memcmp(a->a, b->a, len);
}

/* ---- transitions --------------------------------------------------------- */

/* Run the master down timer until AT; a stepped-down instance has none. */
static void
set_down_timer(struct vrrp_fsm *f, uint64_t at)
{
	f->down_at = f->held ? 0 : at;
}

static void
arm_down_timer(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c, uint64_t now)
{
	set_down_timer(f, now + vrrp_master_down_us(c, f->master_adver_us, f->priority));
}

static void
become_master(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c, uint64_t now,
	      struct vrrp_actions *out)
{
	emit_state(f, out, VRRP_STATE_MASTER);
	/* RFC order: advertise first, then take the addresses */
	emit_advert(out, f->priority);
	push(out, VA_ADD_VIPS);
	push(out, VA_GARP);
	f->down_at = 0;
	f->preempt_at = 0;
	f->advert_at = now + c->advert_us;
}

static void
become_backup(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c, uint64_t now,
	      struct vrrp_actions *out)
{
	bool was_master = f->state == VRRP_STATE_MASTER;
	emit_state(f, out, VRRP_STATE_BACKUP);
	if (was_master)
		push(out, VA_DEL_VIPS);
	f->advert_at = 0;
	arm_down_timer(f, c, now);
}

void
vrrp_fsm_init(struct vrrp_fsm *f, uint8_t base_priority)
{
	memset(f, 0, sizeof(*f));
	f->state = VRRP_STATE_INIT;
	f->base_priority = base_priority;
	f->priority = base_priority;
}

void
vrrp_fsm_start(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c, uint64_t now,
	       struct vrrp_actions *out)
{
	out->n = 0;
	f->master_adver_us = c->advert_us;
	if (f->base_priority == 255) {
		/* the address owner takes over at once - in keepalived's words,
		 * its down timer expires at once: no "(init)" BACKUP first */
		emit_log(out, VL_TIMEOUT, NULL, f->priority);
		f->state = VRRP_STATE_BACKUP;
		become_master(f, c, now, out);
		return;
	}
	become_backup(f, c, now, out);
}

/* ---- receiving ----------------------------------------------------------- */

/* Does a BACKUP accept this advert (restart its down timer)? */
static bool
backup_accepts(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c,
	       const struct vrrp_rx *rx, uint64_t now, struct vrrp_actions *out)
{
	/* held by a step-down: whoever advertises is the master */
	if (c->nopreempt || f->held || rx->priority >= f->priority) {
		f->preempt_at = 0;	/* "stop preempt delay" */
		return true;
	}
	if (!c->preempt_delay_us)
		return false;
	if (!f->preempt_at) {
		f->preempt_at = now + c->preempt_delay_us;
		emit_log(out, VL_PREEMPT_START, rx, f->priority);
		return true;
	}
	return now < f->preempt_at;
}

static void
backup_rx(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c,
	  const struct vrrp_rx *rx, uint64_t now, struct vrrp_actions *out)
{
	if (rx->priority == 0) {
		/* the master is leaving: take over after Skew_Time only */
		emit_log(out, VL_BACKUP_PRIO0, rx, f->priority);
		set_down_timer(f, now + vrrp_skew_us(c, f->master_adver_us, f->priority));
		return;
	}
	if (!backup_accepts(f, c, rx, now, out)) {
		emit_log(out, VL_BACKUP_LOWER, rx, f->priority);
		return;
	}
	if (c->version == 3 && rx->interval_us)
		f->master_adver_us = rx->interval_us;
	f->master = rx->src;
	f->master_priority = rx->priority;
	arm_down_timer(f, c, now);
}

static void
master_rx(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c,
	  const struct vrrp_rx *rx, uint64_t now, struct vrrp_actions *out)
{
	if (rx->priority == 0) {
		emit_log(out, VL_MASTER_PRIO0, rx, f->priority);
		emit_advert(out, f->priority);
		f->advert_at = now + c->advert_us;
		return;
	}
	int cmp = addr_cmp(&rx->src, &c->primary);
	bool higher = rx->priority > f->priority;
	bool tie_lost = rx->priority == f->priority && cmp > 0;
	if (higher || tie_lost) {
		emit_log(out, higher ? VL_MASTER_HIGHER : VL_MASTER_SAME_HIGHER_IP, rx,
			 f->priority);
		if (c->version == 3 && rx->interval_us)
			f->master_adver_us = rx->interval_us;
		f->master = rx->src;
		f->master_priority = rx->priority;
		become_backup(f, c, now, out);
		return;
	}
	if (rx->priority == f->priority && cmp == 0)
		return;		/* our own address: a misconfiguration, not a peer */
	/* a lower priority router thinks it is master: assert ourselves */
	emit_log(out, VL_MASTER_LOWER, rx, f->priority);
	if (!c->lower_prio_no_advert) {
		emit_advert(out, f->priority);
		f->advert_at = now + c->advert_us;
	}
}

void
vrrp_fsm_rx(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c,
	    const struct vrrp_rx *rx, uint64_t now, struct vrrp_actions *out)
{
	out->n = 0;
	if (f->state == VRRP_STATE_BACKUP)
		backup_rx(f, c, rx, now, out);
	else if (f->state == VRRP_STATE_MASTER)
		master_rx(f, c, rx, now, out);
	/* INIT, FAULT and STOP neither process nor answer adverts */
}

/* ---- timers, stop, fault, priority ---------------------------------------- */

void
vrrp_fsm_timer(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c, uint64_t now,
	       struct vrrp_actions *out)
{
	out->n = 0;
	if (f->state == VRRP_STATE_MASTER && f->advert_at && now >= f->advert_at) {
		emit_advert(out, f->priority);
		/* keep the phase; if we fell behind, start again from now */
		f->advert_at += c->advert_us;
		if (f->advert_at <= now)
			f->advert_at = now + c->advert_us;
	} else if (f->state == VRRP_STATE_BACKUP && f->down_at && now >= f->down_at) {
		emit_log(out, VL_TIMEOUT, NULL, f->priority);
		become_master(f, c, now, out);
	}
}

void
vrrp_fsm_stop(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c, uint64_t now,
	      struct vrrp_actions *out)
{
	out->n = 0;
	if (f->state == VRRP_STATE_MASTER) {
		emit_advert(out, 0);
		emit_log(out, VL_SENT_PRIO0, NULL, f->priority);
		push(out, VA_DEL_VIPS);
	}
	emit_state(f, out, VRRP_STATE_STOP);
	f->advert_at = f->down_at = f->preempt_at = 0;
}

void
vrrp_fsm_fault(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c, bool fault,
	       uint64_t now, struct vrrp_actions *out)
{
	out->n = 0;
	if (fault) {
		if (f->state == VRRP_STATE_FAULT || f->state == VRRP_STATE_STOP)
			return;
		bool was_master = f->state == VRRP_STATE_MASTER;
		emit_state(f, out, VRRP_STATE_FAULT);
		if (was_master) {
			emit_advert(out, 0);
			emit_log(out, VL_SENT_PRIO0, NULL, f->priority);
			push(out, VA_DEL_VIPS);
		}
		f->advert_at = f->down_at = f->preempt_at = 0;
		return;
	}
	if (f->state != VRRP_STATE_FAULT)
		return;
	f->master_adver_us = c->advert_us;
	become_backup(f, c, now, out);
}

void
vrrp_fsm_sync(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c, enum vrrp_state to,
	      uint64_t now, struct vrrp_actions *out)
{
	out->n = 0;
	if (to == VRRP_STATE_MASTER && f->state == VRRP_STATE_BACKUP && !f->held)
		become_master(f, c, now, out);
	else if (to == VRRP_STATE_BACKUP && f->state == VRRP_STATE_MASTER)
		become_backup(f, c, now, out);
}

void
vrrp_fsm_set_priority(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c,
		      uint8_t priority, uint64_t now, struct vrrp_actions *out)
{
	out->n = 0;
	if (f->base_priority == 255 || priority == f->priority)
		return;
	emit_log(out, VL_PRIORITY_CHANGE, NULL, priority);
	out->v[out->n - 1].peer_priority = f->priority;	/* "from" */
	if (f->state == VRRP_STATE_BACKUP && f->down_at) {
		/* keepalived moves the running down timer by the skew change */
		uint64_t old_skew = vrrp_skew_us(c, f->master_adver_us, f->priority);
		uint64_t new_skew = vrrp_skew_us(c, f->master_adver_us, priority);
		f->down_at = f->down_at - old_skew + new_skew;
		if (f->down_at <= now)
			f->down_at = now;
	}
	f->priority = priority;
}

/* ---- operator step-down (Vigil extension) ---------------------------------- */

void
vrrp_fsm_stepdown(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c, uint64_t now,
		  struct vrrp_actions *out)
{
	out->n = 0;
	f->held = true;
	f->preempt_at = 0;
	if (f->state == VRRP_STATE_MASTER) {
		/* hand over as at a graceful stop: the backup takes over
		 * after Skew_Time */
		emit_advert(out, 0);
		emit_log(out, VL_SENT_PRIO0, NULL, f->priority);
		become_backup(f, c, now, out);
	} else if (f->state == VRRP_STATE_BACKUP) {
		f->down_at = 0;
	}
}

void
vrrp_fsm_stepup(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c, uint64_t now,
		struct vrrp_actions *out)
{
	out->n = 0;
	if (!f->held)
		return;
	f->held = false;
	if (f->state == VRRP_STATE_BACKUP)
		arm_down_timer(f, c, now);
}
