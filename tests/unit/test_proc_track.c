/* test_proc_track.c - process matching, quorum, and (as root, in the
 * initial network namespace) the process connector's events. */
#include "config.h"

#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "proc_track.h"

static void
test_matches_own_comm(void **state)
{
	struct cf_track_process cf = { .name = "t", .process = "test_proc_track",
				       .quorum = 1, .quorum_max = CF_UNSET };
	assert_true(ptrack_matches(&cf, getpid()));
	cf.process = "test_proc_trac";	/* prefix only: no match */
	assert_false(ptrack_matches(&cf, getpid()));
}

static void
test_quorum(void **state)
{
	struct cf_track_process cf = { .quorum = 2, .quorum_max = 3 };
	assert_int_equal(ptrack_status(&cf, 1), TRACK_BAD);
	assert_int_equal(ptrack_status(&cf, 2), TRACK_GOOD);
	assert_int_equal(ptrack_status(&cf, 3), TRACK_GOOD);
	assert_int_equal(ptrack_status(&cf, 4), TRACK_BAD);
	cf.quorum = 1;
	cf.quorum_max = CF_UNSET;
	assert_int_equal(ptrack_status(&cf, 100), TRACK_GOOD);
}

/* fork_delay / terminate_delay: a change is reported once it has lasted */
static void
test_settle_delays(void **state)
{
	struct cf_track_process cf = { .quorum = 1, .quorum_max = CF_UNSET,
				       .terminate_delay_us = 2000000,
				       .fork_delay_us = 500000 };
	struct ptrack t = { .cf = &cf, .status = TRACK_GOOD, .reported = TRACK_GOOD };

	/* quorum lost at t=10 s: reported at 12 s, not before */
	t.status = TRACK_BAD;
	assert_false(ptrack_settle(&t, 10000000));
	assert_int_equal(t.settle_at, 12000000);
	assert_false(ptrack_settle(&t, 11999999));
	assert_int_equal(t.reported, TRACK_GOOD);
	assert_true(ptrack_settle(&t, 12000000));
	assert_int_equal(t.reported, TRACK_BAD);
	assert_int_equal(t.settle_at, 0);

	/* gained at 20 s, lost again at 20.2 s: never reported */
	t.status = TRACK_GOOD;
	assert_false(ptrack_settle(&t, 20000000));
	assert_int_equal(t.settle_at, 20500000);
	t.status = TRACK_BAD;
	assert_false(ptrack_settle(&t, 20200000));
	assert_int_equal(t.settle_at, 0);
	assert_int_equal(t.reported, TRACK_BAD);

	/* no delay: reported at once */
	cf.fork_delay_us = 0;
	t.status = TRACK_GOOD;
	assert_true(ptrack_settle(&t, 30000000));
	assert_int_equal(t.reported, TRACK_GOOD);
}

static void
test_full_command(void **state)
{
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/sleep", "sleep", "7.25", (char *)NULL);
		_exit(127);
	}
	usleep(100000);
	struct cf_track_process cf = { .process = "sleep", .params = "7.25",
				       .param_match = CF_PARAM_EXACT, .full_command = true };
	assert_true(ptrack_matches(&cf, pid));
	cf.params = "7";
	assert_false(ptrack_matches(&cf, pid));
	cf.param_match = CF_PARAM_INITIAL;
	assert_true(ptrack_matches(&cf, pid));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Exec and exit events move the count: only where the connector works. */
static void
test_connector_events(void **state)
{
	int fd = proc_mon_open();
	if (fd < 0) {
		/* not root, or not the initial network namespace: covered by
		 * tests/netns/track_process.sh's /proc fallback instead */
		skip();
	}
	struct cf_track_process cf = { .name = "p", .process = "sleep",
				       .quorum = 1, .quorum_max = CF_UNSET };
	struct ptrack t = { .cf = &cf };
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/sleep", "sleep", "30", (char *)NULL);
		_exit(127);
	}
	bool seen = false;
	for (int i = 0; i < 50 && !seen; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		poll(&p, 1, 100);
		proc_mon_read(fd, &t, 1);
		for (size_t k = 0; k < t.n; k++)
			seen = seen || t.pids[k] == pid;
	}
	assert_true(seen);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	bool gone = false;
	for (int i = 0; i < 50 && !gone; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		poll(&p, 1, 100);
		proc_mon_read(fd, &t, 1);
		gone = true;
		for (size_t k = 0; k < t.n; k++)
			gone = gone && t.pids[k] != pid;
	}
	assert_true(gone);
	ptrack_free(&t, 1);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matches_own_comm),
		cmocka_unit_test(test_quorum),
		cmocka_unit_test(test_settle_delays),
		cmocka_unit_test(test_full_command),
		cmocka_unit_test(test_connector_events),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
