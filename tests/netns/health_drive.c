/* health_drive.c - run the proxy's health thread on a configuration,
 * standing in for the proxy's workers and the VRRP thread.  Run by
 * tests/netns/health.sh.
 *
 * usage: health_drive CONF
 *
 * Builds px_shared for the PROXY virtual servers, says every one is
 * listened on and keeps the workers' beats fresh, starts the health
 * thread, reaps children with waitpid(-1) as the main thread does and
 * hands them to health_child_exited().  On stdout, one line per change,
 * with the wall clock in ms (to compare with `date +%s%3N`):
 *   <ms> rs <vs> <rs> up|down       px_rs.check_up
 *   <ms> vs <vs> healthy 0|1        px_vs.healthy, read after the event fd
 *   <ms> child <pid> ours|other     a reaped child, and whose
 * keepalived's log lines go to stderr.  SIGUSR1 stops (and restarts) the
 * beats, as a stuck worker would; SIGTERM or SIGINT: stop cleanly.
 * Exit: 0, 1 on error, 2 usage. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "health.h"
#include "log.h"
#include "proxy.h"

struct drive {
	struct px_shared *sh;
	struct health *h;
	bool *rs_up;		/* as last printed, by index over all RS */
	bool *vs_ok;
	bool stalled;
};

static uint64_t
mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static long long
wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
beat(struct drive *d)
{
	if (d->stalled)
		return;
	uint64_t now = mono_us();
	for (int w = 0; w < d->sh->nworkers; w++)
		atomic_store(&d->sh->beat[w], now);
}

static void
print_rs(struct drive *d, bool all)
{
	size_t k = 0;
	for (size_t v = 0; v < d->sh->nvs; v++) {
		struct px_vs *vs = &d->sh->vs[v];
		for (size_t r = 0; r < vs->nrs; r++, k++) {
			bool up = atomic_load(&vs->rs[r].check_up);
			if (!all && up == d->rs_up[k])
				continue;
			d->rs_up[k] = up;
			printf("%lld rs %s %s %s\n", wall_ms(), vs->name, vs->rs[r].name,
			       up ? "up" : "down");
		}
	}
	fflush(stdout);
}

static void
print_vs(struct drive *d, bool all)
{
	for (size_t v = 0; v < d->sh->nvs; v++) {
		bool ok = atomic_load(&d->sh->vs[v].healthy);
		if (!all && ok == d->vs_ok[v])
			continue;
		d->vs_ok[v] = ok;
		printf("%lld vs %s healthy %d\n", wall_ms(), d->sh->vs[v].name, ok);
	}
	fflush(stdout);
}

static void
reap(struct drive *d)
{
	int st;
	pid_t pid;
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		bool ours = health_child_exited(d->h, pid, st);
		printf("%lld child %d %s\n", wall_ms(), (int)pid, ours ? "ours" : "other");
	}
	fflush(stdout);
}

/* false: time to stop */
static bool
on_signal(struct drive *d, int sfd)
{
	struct signalfd_siginfo si;
	while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			reap(d);
		else if (si.ssi_signo == SIGUSR1)
			d->stalled = !d->stalled;
		else
			return false;
	}
	return true;
}

static int
run(struct drive *d, int sfd)
{
	struct pollfd pfd[2] = {
		{ .fd = sfd, .events = POLLIN },
		{ .fd = d->sh->event_fd, .events = POLLIN },
	};
	print_rs(d, true);
	print_vs(d, true);
	for (;;) {
		beat(d);
		if (poll(pfd, 2, 50) < 0 && errno != EINTR)
			return 1;
		if (pfd[0].revents && !on_signal(d, sfd))
			return 0;
		if (pfd[1].revents) {
			uint64_t v;
			if (read(d->sh->event_fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
				print_vs(d, false);
		}
		print_rs(d, false);
	}
}

static struct cf_model *
load(const char *path)
{
	struct cf_options opts = { .check_scripts = true };
	struct diag dg;
	diag_init(&dg);
	struct cf_model *m = cf_load(path, &opts, &dg);
	diag_print(&dg, stderr);
	int rc = diag_exit_code(&dg);
	diag_free(&dg);
	if (m && rc != 0 && rc != 6) {	/* 6: script security, fine here */
		model_free(m);
		return NULL;
	}
	return m;
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CONF\n", argv[0]);
		return 2;
	}
	struct log_opts lo = { .console = true, .syslog = false, .detail = 1 };
	log_init(&lo);
	struct cf_model *m = load(argv[1]);
	if (!m)
		return 1;
	struct drive d = { .sh = px_shared_build(m) };
	if (!d.sh || !d.sh->nvs) {
		fprintf(stderr, "no virtual_server with lb_kind PROXY\n");
		return 1;
	}
	size_t nrs = 0;
	for (size_t v = 0; v < d.sh->nvs; v++) {
		nrs += d.sh->vs[v].nrs;
		atomic_store(&d.sh->vs[v].listening, 1);
	}
	d.rs_up = calloc(nrs + 1, sizeof(bool));
	d.vs_ok = calloc(d.sh->nvs, sizeof(bool));
	beat(&d);

	/* block before the thread starts: it inherits the mask */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);

	d.h = health_start(d.sh);
	int rc = sfd >= 0 && d.h ? run(&d, sfd) : 1;
	health_stop(d.h);
	d.h = NULL;	/* what is reaped from now on is nobody's */
	reap(&d);
	px_shared_free(d.sh);
	free(d.rs_up);
	free(d.vs_ok);
	model_free(m);
	if (sfd >= 0)
		close(sfd);
	return rc;
}
