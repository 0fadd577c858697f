/* proc_track.c - vrrp_track_process (see proc_track.h). */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proc_track.h"

/* Read /proc/PID/FILE; cmdline's NULs become blanks.  Returns the length. */
static size_t
read_proc(pid_t pid, const char *file, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
		buf[--n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	return (size_t)n;
}

bool
ptrack_matches(const struct cf_track_process *cf, pid_t pid)
{
	char buf[4096];
	if (!cf->full_command) {
		/* the kernel keeps 15 characters of the name */
		if (!read_proc(pid, "comm", buf, sizeof(buf)))
			return false;
		return !strncmp(buf, cf->process, 15) && strlen(buf) == strnlen(cf->process, 15);
	}
	if (!read_proc(pid, "cmdline", buf, sizeof(buf)))
		return false;
	char want[4096];
	snprintf(want, sizeof(want), "%s%s%s", cf->process, cf->params ? " " : "",
		 cf->params ? cf->params : "");
	switch (cf->param_match) {
	case CF_PARAM_INITIAL:
		return !strncmp(buf, want, strlen(want));
	case CF_PARAM_PARTIAL:
		return !strncmp(buf, cf->process, strlen(cf->process)) &&
		       (!cf->params || strstr(buf, cf->params));
	default:
		return !strcmp(buf, want);
	}
}

enum track_status
ptrack_status(const struct cf_track_process *cf, size_t count)
{
	bool ok = count >= cf->quorum &&
		  (cf->quorum_max == CF_UNSET || count <= (size_t)cf->quorum_max);
	return ok ? TRACK_GOOD : TRACK_BAD;
}

static void
add_pid(struct ptrack *t, pid_t pid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->pids[i] == pid)
			return;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		pid_t *p = realloc(t->pids, cap * sizeof(*p));
		if (!p)
			return;
		t->pids = p;
		t->cap = cap;
	}
	t->pids[t->n++] = pid;
}

static void
remove_pid(struct ptrack *t, pid_t pid)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->pids[i] == pid) {
			t->pids[i] = t->pids[--t->n];
			return;
		}
	}
}

void
ptrack_scan(struct ptrack *t, size_t n)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pid_t pid = (pid_t)atoi(e->d_name);
		for (size_t i = 0; i < n; i++)
			if (ptrack_matches(t[i].cf, pid))
				add_pid(&t[i], pid);
	}
	if (d)
		closedir(d);
	for (size_t i = 0; i < n; i++)
		t[i].status = ptrack_status(t[i].cf, t[i].n);
}

int
proc_mon_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			NETLINK_CONNECTOR);
	if (fd < 0)
		return -errno;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC,
				  .nl_pid = 0 };
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail;
	/* ask the connector to start sending process events */
	struct {
		struct nlmsghdr nl;
		struct cn_msg cn;
		enum proc_cn_mcast_op op;
	} __attribute__((packed)) req = {
		.nl = { .nlmsg_len = sizeof(req), .nlmsg_type = NLMSG_DONE },
		.cn = { .id = { .idx = CN_IDX_PROC, .val = CN_VAL_PROC },
			.len = sizeof(enum proc_cn_mcast_op) },
		.op = PROC_CN_MCAST_LISTEN,
	};
	if (send(fd, &req, sizeof(req), 0) < 0)
		goto fail;
	return fd;
fail:;
	int err = -errno;
	close(fd);
	return err;
}

/* One process event: exec may start a match, exit (or a new exec) may end it. */
static bool
proc_event(const struct proc_event *ev, struct ptrack *t, size_t n)
{
	pid_t pid;
	bool exec = false;
	if (ev->what == PROC_EVENT_EXEC) {
		pid = ev->event_data.exec.process_pid;
		exec = true;
	} else if (ev->what == PROC_EVENT_COMM) {
		pid = ev->event_data.comm.process_pid;
		exec = true;
	} else if (ev->what == PROC_EVENT_EXIT) {
		pid = ev->event_data.exit.process_pid;
		if (ev->event_data.exit.process_tgid != pid)
			return false;	/* a thread, not the process */
	} else {
		return false;
	}
	bool changed = false;
	for (size_t i = 0; i < n; i++) {
		remove_pid(&t[i], pid);
		if (exec && ptrack_matches(t[i].cf, pid))
			add_pid(&t[i], pid);
		enum track_status st = ptrack_status(t[i].cf, t[i].n);
		if (st != t[i].status) {
			t[i].status = st;
			changed = true;
		}
	}
	return changed;
}

bool
proc_mon_read(int fd, struct ptrack *t, size_t n)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	bool changed = false;
	/* bounded: a fork storm cannot keep the loop from its timers */
	for (int round = 0; round < 64; round++) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		if (len <= 0)
			break;
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			struct cn_msg *cn = NLMSG_DATA(nh);
			if (cn->id.idx != CN_IDX_PROC || cn->len < sizeof(struct proc_event))
				continue;
			/* the event sits at a 4-byte offset: copy it to align it */
			struct proc_event ev;
			memcpy(&ev, cn->data, sizeof(ev));
			changed |= proc_event(&ev, t, n);
		}
	}
	return changed;
}

bool
ptrack_settle(struct ptrack *t, uint64_t now)
{
	if (t->status == t->reported) {
		t->settle_at = 0;
		return false;
	}
	uint64_t delay = t->status == TRACK_GOOD ? t->cf->fork_delay_us
						 : t->cf->terminate_delay_us;
	if (!t->settle_at)
		t->settle_at = now + delay;
	if (now < t->settle_at)
		return false;
	t->reported = t->status;
	t->settle_at = 0;
	return true;
}

void
ptrack_free(struct ptrack *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(t[i].pids);
}
