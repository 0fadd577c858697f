/* test_sdnotify.c - the systemd notification protocol: a datagram to the
 * socket named by $NOTIFY_SOCKET (a path, or abstract with '@'), carrying
 * the sender's credentials, and nothing at all without the variable. */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "sdnotify.h"

struct rx {
	char dir[96];		/* temp dir holding a path socket, or "" */
	char name[128];		/* $NOTIFY_SOCKET as systemd would set it */
	int fd;
};

/* A receiving socket like systemd's: datagram, SO_PASSCRED on. */
static void
rx_open(struct rx *r, bool abstract)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t salen;
	r->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(r->fd >= 0);
	int one = 1;
	assert_int_equal(setsockopt(r->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)), 0);
	if (abstract) {
		r->dir[0] = '\0';
		snprintf(r->name, sizeof(r->name), "@vigil-test-sdnotify-%ld-%ld",
			 (long)getpid(), (long)random());
		memcpy(sa.sun_path, r->name, strlen(r->name));
		sa.sun_path[0] = '\0';
		salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(r->name));
	} else {
		/* sun_path holds 108 bytes: a long $TMPDIR can't be used */
		const char *tmp = getenv("TMPDIR");
		if (!tmp || *tmp != '/' || strlen(tmp) > 64)
			tmp = "/tmp";
		snprintf(r->dir, sizeof(r->dir), "%s/vigil-sdnotify.XXXXXX", tmp);
		assert_non_null(mkdtemp(r->dir));
		snprintf(r->name, sizeof(r->name), "%s/notify", r->dir);
		assert_true(strlen(r->name) < sizeof(sa.sun_path));
		memcpy(sa.sun_path, r->name, strlen(r->name) + 1);
		salen = sizeof(sa);
	}
	assert_int_equal(bind(r->fd, (struct sockaddr *)&sa, salen), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", r->name, 1), 0);
}

static void
rx_close(struct rx *r)
{
	close(r->fd);
	if (r->dir[0]) {
		unlink(r->name);
		rmdir(r->dir);
	}
	unsetenv("NOTIFY_SOCKET");
}

/* The next datagram (already queued: a unix datagram is delivered by the
 * time sendto returns), checking it came from this process. */
static void
rx_expect(struct rx *r, const char *want_prefix, size_t want_len)
{
	char buf[256];
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct ucred))];
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) - 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
	ssize_t n = recvmsg(r->fd, &mh, MSG_DONTWAIT);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_int_equal(strncmp(buf, want_prefix, strlen(want_prefix)), 0);
	if (want_len)
		assert_int_equal((size_t)n, want_len);
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	assert_non_null(c);
	assert_int_equal(c->cmsg_type, SCM_CREDENTIALS);
	struct ucred cred;
	memcpy(&cred, CMSG_DATA(c), sizeof(cred));
	assert_int_equal(cred.pid, getpid());
}

static void
rx_expect_nothing(struct rx *r)
{
	char buf[64];
	assert_int_equal(recv(r->fd, buf, sizeof(buf), MSG_DONTWAIT), -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
}

static void
test_path_socket(void **state)
{
	struct rx r;
	rx_open(&r, false);
	sd_ready();
	rx_expect(&r, "READY=1", strlen("READY=1"));
	sd_stopping();
	rx_expect(&r, "STOPPING=1", strlen("STOPPING=1"));
	sd_reloading();
	rx_expect(&r, "RELOADING=1\nMONOTONIC_USEC=", 0);
	rx_expect_nothing(&r);
	rx_close(&r);
}

static void
test_abstract_socket(void **state)
{
	struct rx r;
	rx_open(&r, true);
	assert_int_equal(sd_notify_send("READY=1"), 1);
	rx_expect(&r, "READY=1", strlen("READY=1"));
	sd_ready();
	rx_expect(&r, "READY=1", strlen("READY=1"));
	rx_expect_nothing(&r);
	rx_close(&r);
}

/* No $NOTIFY_SOCKET (a daemon started by hand or by another init): the
 * calls do nothing and report that there was nothing to do. */
static void
test_unset_is_silent(void **state)
{
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sd_notify_send("READY=1"), 0);
	sd_ready();
	sd_reloading();
	sd_stopping();
	assert_int_equal(setenv("NOTIFY_SOCKET", "", 1), 0);
	assert_int_equal(sd_notify_send("READY=1"), 0);
	unsetenv("NOTIFY_SOCKET");
}

/* A socket that is gone, a name that is not a unix socket, a name too
 * long for sun_path: errors, never a crash or a hang. */
static void
test_errors(void **state)
{
	assert_int_equal(setenv("NOTIFY_SOCKET", "/nonexistent/vigil/notify", 1), 0);
	assert_true(sd_notify_send("READY=1") < 0);
	sd_ready();	/* ignored */
	assert_int_equal(setenv("NOTIFY_SOCKET", "vsock:2:1234", 1), 0);
	assert_int_equal(sd_notify_send("READY=1"), -EAFNOSUPPORT);
	char longname[200];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[0] = '/';
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(setenv("NOTIFY_SOCKET", longname, 1), 0);
	assert_int_equal(sd_notify_send("READY=1"), -ENAMETOOLONG);
	unsetenv("NOTIFY_SOCKET");
}

int
main(void)
{
	srandom((unsigned)getpid());
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_socket),
		cmocka_unit_test(test_abstract_socket),
		cmocka_unit_test(test_unset_is_silent),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
