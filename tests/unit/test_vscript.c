/* test_vscript.c - the vrrp_script runner's schedule, driven by a fake clock.
 * The children are real (`sleep`, which never finishes in time), so the
 * timeout path signals and reaps real processes; the clock alone is fake. */
#include "config.h"

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "log.h"
#include "vscript.h"

#define S 1000000ULL
#define MS 1000ULL

static char *hang_argv[] = { "sleep", "30", NULL };

static void
setup_script(struct cf_vrrp_script *cf, struct cf_global *g, unsigned timeout)
{
	memset(cf, 0, sizeof(*cf));
	memset(g, 0, sizeof(*g));
	cf->name = "chk_hang";
	cf->script.cmd = "sleep 30";
	cf->script.argv = hang_argv;
	cf->script.argc = 2;
	cf->interval = 1;
	cf->timeout = timeout;
	cf->rise = cf->fall = 1;
}

/* Wait for S's child, which must be dying of SIG, and hand it back. */
static void
reap(struct vscript *s, int sig)
{
	int ws;
	pid_t pid = waitpid(s->pid, &ws, 0);
	assert_int_equal(pid, s->pid);
	assert_true(WIFSIGNALED(ws));
	assert_int_equal(WTERMSIG(ws), sig);
	vscript_reaped(s, pid, ws);
	assert_int_equal(s->pid, 0);
}

/* The CI failure: each start came a few ms late, the kill then fell after
 * the next start, and every other run was skipped.  The default timeout
 * (the interval) counts from the scheduled start, so the kill comes first
 * and the next run follows the reap: one run a second. */
static void
test_default_timeout_run_each_interval_despite_late_wakeups(void **state)
{
	struct cf_vrrp_script cf;
	struct cf_global g;
	struct vscript s;
	setup_script(&cf, &g, 0);
	uint64_t now = 10 * S;
	vscript_init(&s, &cf, &g, now);
	for (int i = 0; i < 3; i++) {
		now += 5 * MS;			/* the loop wakes 5 ms late */
		vscript_timer(&s, now);
		assert_int_not_equal(s.pid, 0);
		assert_int_equal(s.runs, (uint64_t)i + 1);
		/* the next start and the kill share one deadline */
		assert_int_equal(s.kill_at, s.next_at);
		now = vscript_deadline(&s) + 5 * MS;
		vscript_timer(&s, now);
		assert_int_equal(s.kill_stage, 1);	/* SIGTERM sent */
		assert_true(s.run_pending);		/* not skipped */
		reap(&s, SIGTERM);
		assert_int_equal(s.timeouts, (uint64_t)i + 1);
		assert_true(vscript_deadline(&s) <= now);	/* due at once */
	}
	vscript_stop(&s);
}

/* A timeout longer than the interval: a tick that finds the run still
 * inside its timeout skips (keepalived's "already running"), and the run
 * is killed at its own deadline. */
static void
test_longer_timeout_skips_ticks(void **state)
{
	struct cf_vrrp_script cf;
	struct cf_global g;
	struct vscript s;
	setup_script(&cf, &g, 3);
	vscript_init(&s, &cf, &g, 0);
	vscript_timer(&s, 1 * MS);
	assert_int_equal(s.runs, 1);
	vscript_timer(&s, 1 * S + 1 * MS);
	vscript_timer(&s, 2 * S + 1 * MS);
	assert_int_equal(s.runs, 1);
	assert_int_equal(s.kill_stage, 0);
	assert_false(s.run_pending);
	assert_int_equal(vscript_deadline(&s), 3 * S);	/* the next start */
	vscript_timer(&s, 3 * S);	/* kill (0 + 3 s) before the start (3 s) */
	assert_int_equal(s.kill_stage, 1);
	assert_true(s.run_pending);
	reap(&s, SIGTERM);
	vscript_timer(&s, 3 * S + 2 * MS);
	assert_int_equal(s.runs, 2);
	vscript_stop(&s);
	reap(&s, SIGKILL);
}

/* A start far behind its schedule (the daemon was stalled) still gets a
 * fair share of its timeout rather than an instant kill. */
static void
test_late_start_keeps_its_timeout(void **state)
{
	struct cf_vrrp_script cf;
	struct cf_global g;
	struct vscript s;
	setup_script(&cf, &g, 0);
	cf.interval = 10;
	vscript_init(&s, &cf, &g, 0);
	vscript_timer(&s, 8 * S);	/* 8 s late, the timeout is 10 s */
	assert_int_equal(s.runs, 1);
	assert_true(s.kill_at >= 8 * S + 5 * S);
	vscript_stop(&s);
	reap(&s, SIGKILL);
}

int
main(void)
{
	struct log_opts lo = { .console = false, .syslog = false };
	log_init(&lo);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_timeout_run_each_interval_despite_late_wakeups),
		cmocka_unit_test(test_longer_timeout_skips_ticks),
		cmocka_unit_test(test_late_start_keeps_its_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
