/* proc_track.h - vrrp_track_process: count the processes that match, from
 * one scan of /proc at start and then the kernel's process events (the
 * netlink process connector), so nothing polls /proc on the VRRP path. */
#ifndef VIGIL_PROC_TRACK_H
#define VIGIL_PROC_TRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"
#include "track.h"

struct ptrack {
	const struct cf_track_process *cf;
	pid_t *pids;		/* matching processes */
	size_t n, cap;
	enum track_status status;	/* from the current count */
	enum track_status reported;	/* what trackers see: status after
					 * fork_delay / terminate_delay */
	uint64_t settle_at;		/* when status becomes reported (0: none) */
};

/* Does the process PID match CF (comm, or the command line with params)? */
bool ptrack_matches(const struct cf_track_process *cf, pid_t pid);

/* GOOD iff quorum <= count <= quorum_max. */
enum track_status ptrack_status(const struct cf_track_process *cf, size_t count);

/* Fill every tracker from /proc; sets each status. */
void ptrack_scan(struct ptrack *t, size_t n);

/* The process connector socket (-errno if unavailable: needs root). */
int proc_mon_open(void);

/* Read pending process events and update the trackers.  Returns true when
 * some tracker's status changed. */
bool proc_mon_read(int fd, struct ptrack *t, size_t n);

/* Carry a status change over to `reported` once it has lasted the
 * configured delay (fork_delay when quorum is gained, terminate_delay when
 * it is lost); a change that reverts first is never reported.  Pure: NOW
 * is the caller's clock.  Returns true when `reported` changed. */
bool ptrack_settle(struct ptrack *t, uint64_t now);

void ptrack_free(struct ptrack *t, size_t n);

#endif
