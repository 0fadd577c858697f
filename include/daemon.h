/* daemon.h - pid files and detaching, as keepalived does them. */
#ifndef VIGIL_DAEMON_H
#define VIGIL_DAEMON_H

#include <sys/types.h>

/* 1 if PATH names a live process (keepalived: "daemon is already running"),
 * 0 otherwise; a stale or unreadable file is removed. */
int pidfile_running(const char *path);

/* Write "%d\n", mode 0644 whatever the umask, O_NOFOLLOW.  0 or -errno. */
int pidfile_write(const char *path, pid_t pid);
void pidfile_remove(const char *path);

/* fork, setsid, chdir("/"), stdio to /dev/null.  Returns in the child;
 * the parent exits 0.  0 or -errno. */
int daemonize(void);

#endif
