/* vscript.c - vrrp_script runners (see vscript.h). */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "log.h"
#include "vscript.h"

#define US 1000000ULL
#define KILL_GRACE_US (2 * US)	/* SIGTERM, then SIGKILL 2 s later */

void
vscript_init(struct vscript *s, const struct cf_vrrp_script *cf,
	     const struct cf_global *g, uint64_t now)
{
	memset(s, 0, sizeof(*s));
	s->cf = cf;
	track_script_init(&s->st, cf->rise);
	if (cf->init_fail) {
		/* documented meaning (keepalived 2.2.7 resets it when tracked):
		 * start failed, so rise successes are needed to become good */
		s->st.status = TRACK_BAD;
		s->st.result = 0;
	}
	if (script_cred(&cf->script, g, &s->cred) < 0) {
		log_info("VRRP_Script(%s): unknown user or group - disabling", cf->name);
		s->disabled = true;
		return;
	}
	s->next_at = now;	/* first run at once */
}

static uint64_t
timeout_us(const struct vscript *s)
{
	unsigned t = s->cf->timeout ? s->cf->timeout : s->cf->interval;
	return (uint64_t)t * US;
}

/* The timeout counts from the run's scheduled start, the same base as the
 * next start: with the default timeout (the interval) the kill then falls
 * on the next start itself, is handled before it, and that run follows the
 * reap - not skipped because the timer woke a little late.  A start far
 * behind its schedule still gets at least half its timeout. */
static uint64_t
kill_deadline(const struct vscript *s, uint64_t now)
{
	uint64_t scheduled = s->next_at - (uint64_t)s->cf->interval * US;
	uint64_t at = scheduled + timeout_us(s);
	if (at < now + timeout_us(s) / 2)
		at = now + timeout_us(s);
	return at;
}

void
vscript_timer(struct vscript *s, uint64_t now)
{
	if (s->disabled)
		return;
	if (s->pid && s->kill_at && now >= s->kill_at) {
		if (s->kill_stage == 0) {
			script_kill(s->pid, SIGTERM);
			s->kill_stage = 1;
			s->kill_at = now + KILL_GRACE_US;
		} else if (s->kill_stage == 1) {
			script_kill(s->pid, SIGKILL);
			s->kill_stage = 2;
			s->kill_at = 0;
		}
	}
	if (now < s->next_at)
		return;
	/* the schedule counts from the previous start, as keepalived's */
	s->next_at += (uint64_t)s->cf->interval * US;
	if (s->next_at <= now)
		s->next_at = now + (uint64_t)s->cf->interval * US;
	if (s->pid) {
		if (s->kill_stage > 0) {
			/* the last run is being killed for its timeout (with the
			 * default timeout, at this very moment): this one starts
			 * when it is reaped, so a hung script still fails once an
			 * interval, as with keepalived - but never two in flight */
			s->run_pending = true;
			return;
		}
		/* unlike keepalived 2.2.7, never two runs in flight */
		log_info("Track script %s is already running, expect idle - skipping run",
			 s->cf->name);
		return;
	}
	s->run_pending = false;
	pid_t pid = script_spawn(&s->cf->script, NULL, &s->cred);
	if (pid < 0) {
		log_info("VRRP_Script(%s) cannot start: %s", s->cf->name, strerror((int)-pid));
		return;
	}
	s->pid = pid;
	s->runs++;
	s->kill_stage = 0;
	s->kill_at = kill_deadline(s, now);
}

uint64_t
vscript_deadline(const struct vscript *s)
{
	if (s->disabled)
		return 0;
	if (s->pid && s->kill_at && s->kill_at < s->next_at)
		return s->kill_at;
	return s->next_at;
}

static void
log_result(const struct vscript *s, enum track_status st, int wstatus, bool timed_out)
{
	const char *n = s->cf->name;
	if (st == TRACK_GOOD) {
		log_info("VRRP_Script(%s) succeeded", n);
		return;
	}
	if (timed_out) {
		if (!s->cf->timeout)
			log_info("VRRP_Script(%s) timed_out (after %u s: no timeout set, so the interval)",
				 n, s->cf->interval);
		else
			log_info("VRRP_Script(%s) timed_out", n);
	} else if (WIFSIGNALED(wstatus)) {
		log_info("VRRP_Script(%s) failed (due to signal %d)", n, WTERMSIG(wstatus));
	} else {
		log_info("VRRP_Script(%s) failed (exited with status %d)", n,
			 WEXITSTATUS(wstatus));
	}
}

bool
vscript_reaped(struct vscript *s, pid_t pid, int wstatus)
{
	if (!s->pid || pid != s->pid)
		return false;
	/* our own SIGTERM/SIGKILL at the timeout means "timed out" */
	bool timed_out = s->kill_stage > 0 && WIFSIGNALED(wstatus);
	if (s->kill_stage == 1)
		/* the leader gave in to SIGTERM: what is left of its group
		 * (children that ignore it) goes now - later, its id could be
		 * reused */
		script_kill(pid, SIGKILL);
	s->pid = 0;
	s->kill_at = 0;
	if (s->run_pending)
		s->next_at = 1;		/* due: the next timer pass starts it */
	if (timed_out)
		s->timeouts++;
	if (WIFEXITED(wstatus)) {
		int code = WEXITSTATUS(wstatus);
		if (s->have_last && code != s->last_status)
			log_info("Script `%s` now returning %d", s->cf->name, code);
		s->last_status = code;
		s->have_last = true;
	}
	bool ok = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
	enum track_status changed = track_script_feed(&s->st, s->cf->rise, s->cf->fall, ok);
	if (changed == TRACK_INIT)
		return false;
	log_result(s, changed, wstatus, timed_out);
	return true;
}

void
vscript_stop(struct vscript *s)
{
	if (s->pid)
		script_kill(s->pid, SIGKILL);
}
