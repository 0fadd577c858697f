/* script.h - start scripts without ever waiting for them.
 *
 * The child gets its own process group (so a timeout kills everything it
 * started), stdio on /dev/null, the configured uid/gid, and keepalived's
 * environment; the caller reaps it from its SIGCHLD signalfd.
 */
#ifndef VIGIL_SCRIPT_H
#define VIGIL_SCRIPT_H

#include <sys/types.h>

#include "model.h"

struct script_cred {
	uid_t uid;
	gid_t gid;
};

/* The user and group names SC runs as: its own, else the global
 * script_user and script_group (either may be NULL). */
void script_identity(const struct cf_script *sc, const struct cf_global *g,
		     const char **user, const char **group);

/* Resolve SC's user/group, else the global script_user, else root.
 * 0, or -ENOENT for an unknown user or group. */
int script_cred(const struct cf_script *sc, const struct cf_global *g,
		struct script_cred *out);
/* The same from the names script_cred() would pick: USER (NULL: the
 * keepalived_script user if the system has one, else root) and GROUP
 * (NULL: USER's primary group). */
int script_cred_names(const char *user, const char *group, struct script_cred *out);

/*
 * Start SC's argv followed by EXTRA (NULL-terminated, may be NULL).
 * A bare command name is searched in PATH; a file without #! is run by
 * /bin/sh, as keepalived's system() fallback does.  Scripts outlive the
 * daemon (STOP notifications must finish); the engine kills its track
 * scripts itself at exit.  Returns the child's pid or -errno.
 */
pid_t script_spawn(const struct cf_script *sc, const char *const *extra,
		   const struct script_cred *cred);
/* The same with a ready command line (argv[0] the command). */
pid_t script_spawn_argv(char *const *argv, const struct script_cred *cred);

/* Kill the child's whole process group with SIG. */
void script_kill(pid_t pid, int sig);

#endif
