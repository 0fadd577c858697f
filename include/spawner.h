/* spawner.h - notify scripts started from a thread of their own.
 *
 * A notify script is fire-and-forget: nobody waits for its pid.  The VRRP
 * thread only copies the command line into a queue; the spawner thread
 * resolves the user (getpwnam may ask NSS, i.e. the network) and starts
 * the script (script_spawn(), which waits for the exec).  Jobs start one
 * after the other, in the order they were queued, as keepalived starts
 * them.  The VRRP thread reaps the children, like every other.
 */
#ifndef VIGIL_SPAWNER_H
#define VIGIL_SPAWNER_H

#include <sys/types.h>

#include "model.h"

struct spawner;

/* The thread; NULL if it cannot start (spawner_submit() then runs the
 * script on the caller's thread). */
struct spawner *spawner_start(void);

/* Queue SC's command line followed by EXTRA (NULL-terminated, may be
 * NULL), to run as SC's user or G's script_user.  Everything is copied:
 * SC and G may be freed at once (a reload).  0 or -errno. */
int spawner_submit(struct spawner *s, const struct cf_script *sc,
		   const char *const *extra, const struct cf_global *g);

/* Start SC (with EXTRA, as G says) on the caller's thread and log what
 * fails, as the thread would: the child's pid, or -errno. */
pid_t spawner_run_now(const struct cf_script *sc, const char *const *extra,
		      const struct cf_global *g);

/* Start what is still queued (STOP notifications at exit), then end the
 * thread.  NULL is fine. */
void spawner_stop(struct spawner *s);

#endif
