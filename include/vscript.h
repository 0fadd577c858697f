/* vscript.h - vrrp_script runners: one run at a time per script, started
 * from the event loop, killed (whole process group) at their timeout, the
 * result counted with rise/fall.  Nothing here waits. */
#ifndef VIGIL_VSCRIPT_H
#define VIGIL_VSCRIPT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"
#include "script.h"
#include "track.h"

struct vscript {
	const struct cf_vrrp_script *cf;
	struct track_script_state st;
	struct script_cred cred;
	pid_t pid;		/* running child, 0 when idle */
	uint64_t next_at;	/* next start */
	uint64_t kill_at;	/* next signal while timing out, 0 = none */
	int kill_stage;		/* 0 running, 1 SIGTERM sent, 2 SIGKILL sent */
	int last_status;	/* for "now returning N" */
	bool have_last;
	bool disabled;
	bool run_pending;	/* due while the last run was being killed */
	uint64_t runs, timeouts;
};

void vscript_init(struct vscript *s, const struct cf_vrrp_script *cf,
		  const struct cf_global *g, uint64_t now);

/* Start a due run, or escalate a timed-out one. */
void vscript_timer(struct vscript *s, uint64_t now);

uint64_t vscript_deadline(const struct vscript *s);

/* PID exited with WSTATUS: if it was S's run, count the result.  Returns
 * true when the script's GOOD/BAD status changed. */
bool vscript_reaped(struct vscript *s, pid_t pid, int wstatus);

/* Stop: kill a running child (at daemon exit). */
void vscript_stop(struct vscript *s);

#endif
