/* sdnotify.c - systemd readiness notification (see sdnotify.h).
 *
 * The protocol is one datagram per message to the AF_UNIX socket named by
 * $NOTIFY_SOCKET; systemd learns the sender's pid from the kernel
 * (SCM_CREDENTIALS), so nothing else has to go with it.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sdnotify.h"

int
sd_notify_send(const char *msg)
{
	const char *name = getenv("NOTIFY_SOCKET");
	if (!name || !*name)
		return 0;
	/* systemd also knows vsock:CID:PORT (for VMs); not for a host daemon */
	if (name[0] != '/' && name[0] != '@')
		return -EAFNOSUPPORT;

	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(name);
	if (len > sizeof(sa.sun_path) || (name[0] == '/' && len == sizeof(sa.sun_path)))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, name, len);
	socklen_t salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	if (name[0] == '@')
		sa.sun_path[0] = '\0';	/* abstract: the length ends the name */
	else
		salen++;		/* path: include the NUL */

	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	size_t mlen = strlen(msg);
	ssize_t n = sendto(fd, msg, mlen, MSG_NOSIGNAL, (const struct sockaddr *)&sa, salen);
	int err = errno;
	close(fd);
	if (n < 0)
		return -err;
	return (size_t)n == mlen ? 1 : -EMSGSIZE;
}

void
sd_ready(void)
{
	(void)sd_notify_send("READY=1");
}

void
sd_reloading(void)
{
	/* Type=notify-reload (systemd 253+) wants the time the reload began */
	struct timespec ts;
	char msg[64];
	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)ts.tv_sec * 1000000ULL +
			 (unsigned long long)ts.tv_nsec / 1000ULL);
	(void)sd_notify_send(msg);
}

void
sd_stopping(void)
{
	(void)sd_notify_send("STOPPING=1");
}
