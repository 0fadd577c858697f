/* script.c - start scripts (see script.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "script.h"

int
script_cred(const struct cf_script *sc, const struct cf_global *g,
	    struct script_cred *out)
{
	const char *user = sc->user ? sc->user : g->script_user;
	const char *group = sc->user ? sc->group : g->script_group;
	out->uid = 0;
	out->gid = 0;
	if (user) {
		struct passwd *pw = getpwnam(user);
		if (!pw)
			return -ENOENT;
		out->uid = pw->pw_uid;
		out->gid = pw->pw_gid;
	} else {
		/* keepalived's default: this user when the system has it, else
		 * keepalived's own uid (root) */
		struct passwd *pw = getpwnam("keepalived_script");
		if (pw) {
			out->uid = pw->pw_uid;
			out->gid = pw->pw_gid;
		}
	}
	if (group) {
		struct group *gr = getgrnam(group);
		if (!gr)
			return -ENOENT;
		out->gid = gr->gr_gid;
	}
	return 0;
}

/* In the child: never returns. */
static void __attribute__((noreturn))
child_exec(char **argv, const struct script_cred *cred)
{
	setpgid(0, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	closefrom(STDERR_FILENO + 1);
	if (cred->gid && (setgroups(1, &cred->gid) < 0 || setgid(cred->gid) < 0))
		_exit(126);
	if (cred->uid && setuid(cred->uid) < 0)
		_exit(126);
	extern char **environ;
	/* a bare name is looked up in PATH (keepalived resolves it at load);
	 * a file without #! is run by /bin/sh (keepalived's system()) */
	execvpe(argv[0], argv, environ);
	_exit(127);
}

pid_t
script_spawn(const struct cf_script *sc, const char *const *extra,
	     const struct script_cred *cred)
{
	int nextra = 0;
	while (extra && extra[nextra])
		nextra++;
	char **argv = calloc((size_t)(sc->argc + nextra + 1), sizeof(char *));
	if (!argv)
		return -ENOMEM;
	for (int i = 0; i < sc->argc; i++)
		argv[i] = sc->argv[i];
	for (int i = 0; i < nextra; i++)
		argv[sc->argc + i] = (char *)extra[i];
	pid_t pid = fork();
	if (pid == 0)
		child_exec(argv, cred);
	int err = errno;
	free(argv);
	if (pid < 0)
		return -err;
	/* also from the parent, so a kill right after fork finds the group */
	setpgid(pid, pid);
	return pid;
}

void
script_kill(pid_t pid, int sig)
{
	if (pid > 0 && kill(-pid, sig) < 0)
		kill(pid, sig);
}
