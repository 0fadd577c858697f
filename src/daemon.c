/* daemon.c - pid files and detaching (see daemon.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

int
pidfile_running(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	int pid = 0;
	int n = fscanf(f, "%d", &pid);
	fclose(f);
	if (n != 1 || pid <= 0) {
		log_info("Error reading pid file %s", path);
		unlink(path);
		return 0;
	}
	if (kill(pid, 0) == 0 || errno == EPERM)
		return 1;
	log_info("Remove a zombie pid file %s", path);
	unlink(path);
	return 0;
}

int
pidfile_write(const char *path, pid_t pid)
{
	int fd = open(path, O_NOFOLLOW | O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	/* keepalived forces 0644 whatever the umask */
	fchmod(fd, 0644);
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	int rc = write(fd, buf, (size_t)len) == len ? 0 : -EIO;
	close(fd);
	return rc;
}

void
pidfile_remove(const char *path)
{
	unlink(path);
}

int
daemonize(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -errno;
	if (chdir("/") < 0)
		return -errno;
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return 0;
}
