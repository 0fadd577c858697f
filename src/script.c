/* script.c - start scripts (see script.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "script.h"

void
script_identity(const struct cf_script *sc, const struct cf_global *g,
		const char **user, const char **group)
{
	/* a script's own user comes with its own group, or none */
	*user = sc->user ? sc->user : g->script_user;
	*group = sc->user ? sc->group : g->script_group;
}

int
script_cred(const struct cf_script *sc, const struct cf_global *g,
	    struct script_cred *out)
{
	const char *user, *group;
	script_identity(sc, g, &user, &group);
	return script_cred_names(user, group, out);
}

int
script_cred_names(const char *user, const char *group, struct script_cred *out)
{
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

/* What the child needs; it lives in the parent's frame, which is safe
 * because the parent is suspended until the child execs or exits. */
struct child_args {
	char *const *argv;
	const struct script_cred *cred;
};

/*
 * The child, sharing the parent's memory (CLONE_VM) on a stack of its own:
 * only plain system call wrappers here, no malloc, no locks.  The set*id
 * calls are raw system calls: glibc's wrappers would broadcast the change
 * to every thread of what they take to be their own process - the
 * parent's.  Not instrumented: the sanitizers' bookkeeping belongs to the
 * parent's thread.
 */
#if defined(__has_attribute)
#if __has_attribute(no_sanitize)
__attribute__((no_sanitize("address", "undefined")))
#endif
#endif
static int
child_exec(void *arg)
{
	const struct child_args *a = arg;
	setpgid(0, 0);
	/* SIGPIPE is the only disposition the daemon changes (SIG_IGN
	 * survives exec); the signalfd's signals are blocked, and a script
	 * must get them */
	signal(SIGPIPE, SIG_DFL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	syscall(SYS_close_range, STDERR_FILENO + 1, ~0U, 0);
	const struct script_cred *c = a->cred;
	if (c->gid && (syscall(SYS_setgroups, 1, &c->gid) < 0 ||
		       syscall(SYS_setresgid, c->gid, c->gid, c->gid) < 0))
		_exit(126);
	if (c->uid && syscall(SYS_setresuid, c->uid, c->uid, c->uid) < 0)
		_exit(126);
	extern char **environ;
	/* a bare name is looked up in PATH (keepalived resolves it at load);
	 * a file without #! is run by /bin/sh (keepalived's system()) */
	execvpe(a->argv[0], a->argv, environ);
	_exit(127);
}

/* The child's stack: big enough for execvpe's PATH search and its /bin/sh
 * fallback.  Mapped per start and unmapped after: threads that come and go
 * leave nothing behind, and a sanitizer build's allocator does not keep
 * freed stacks in quarantine (its RSS grew 2.9 MB over a test's scripts). */
#define CHILD_STACK (64 * 1024)

/*
 * vfork semantics through clone(CLONE_VM | CLONE_VFORK), as posix_spawn
 * does: no page table is copied, so the daemon's other threads (the VRRP
 * thread above all) neither wait on the address space's lock nor take
 * copy-on-write faults afterwards, as they would around a fork().  Only
 * the calling thread waits, until the child has exec'd.
 */
pid_t
script_spawn_argv(char *const *argv, const struct script_cred *cred)
{
	char *stack = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return -errno;
	struct child_args a = { .argv = argv, .cred = cred };
	/* the stack grows down on every architecture Linux runs us on */
	pid_t pid = clone(child_exec, stack + CHILD_STACK, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	int err = errno;
	munmap(stack, CHILD_STACK);	/* the child has exec'd or exited */
	/* the child made its process group before it exec'd: a kill right
	 * after this finds it */
	return pid < 0 ? -err : pid;
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
	pid_t pid = script_spawn_argv(argv, cred);
	free(argv);
	return pid;
}

void
script_kill(pid_t pid, int sig)
{
	if (pid > 0 && kill(-pid, sig) < 0)
		kill(pid, sig);
}
