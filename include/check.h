/* check.h - the pure logic of the proxy's health checks: each checker's
 * timings after keepalived's inheritance, the retry/up/down arithmetic of
 * one checker, and a virtual server's health summary.
 *
 * No I/O and no clock of its own: health.c feeds results and the time, so
 * the tests can run keepalived's schedules on a fake clock. */
#ifndef VIGIL_CHECK_H
#define VIGIL_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "proxy.h"

#define CHECK_DEFAULT_DELAY_LOOP_US	60000000ULL
#define CHECK_DEFAULT_CONNECT_US	5000000ULL
#define CHECK_WORKER_STALE_US		3000000ULL	/* a worker's beat older: stuck */

/* One checker's timings, in microseconds, after inheritance. */
struct check_params {
	uint64_t delay_loop;		/* checker, else real server, else VS */
	uint64_t connect_timeout;	/* checker, else VS (5 s) */
	uint64_t delay_before_retry;	/* checker, else VS, else per type */
	uint64_t warmup;		/* first run within [0, warmup] */
	uint64_t misc_timeout;		/* MISC_CHECK: misc_timeout, else VS delay_loop */
	unsigned retry;			/* checker, else VS, else per type */
	bool alpha;			/* starts down (checker's or the VS's alpha) */
};

/* Whether the proxy runs checkers of TYPE (others count as passing). */
bool check_type_supported(enum cf_checker_type type);
const char *check_type_name(enum cf_checker_type type);

void check_params_resolve(const struct cf_virtual_server *vs, const struct cf_real_server *rs,
			  const struct cf_checker *c, struct check_params *out);

/* One checker's state, as keepalived keeps it. */
struct check_state {
	bool up;		/* starts true unless alpha */
	bool has_run;		/* a verdict was reached at least once */
	unsigned retry_it;	/* failed attempts since the last verdict */
};

enum check_report {
	CHECK_QUIET,	/* nothing to say: still up, or still down */
	CHECK_RETRY,	/* failed while up: try again after delay_before_retry */
	CHECK_UP,	/* succeeded on the first run or after being down: log it */
	CHECK_DOWN,	/* failed for good (after the retries): log it */
};

struct check_outcome {
	enum check_report report;
	bool changed;		/* state.up flipped */
	bool after_retries;	/* CHECK_DOWN: "failed after N retries" */
	uint64_t delay;		/* until the next attempt */
};

void check_state_init(struct check_state *s, bool alpha);

/*
 * Feed one attempt's result.  keepalived's rules: a success is a verdict
 * (up); a failure while up is retried RETRY times, delay_before_retry
 * apart, before the checker goes down; a failure while already down
 * (alpha at start included) is not retried: the next try is a delay_loop
 * later.  The first verdict is always reported, changed or not.
 */
struct check_outcome check_result(struct check_state *s, const struct check_params *p,
				  bool ok);

/* The first run: a pseudo-random point in [0, warmup].  RND is any
 * random 64-bit value (the caller's generator: no global state here). */
uint64_t check_first_delay(const struct check_params *p, uint64_t rnd);

/*
 * A proxied virtual server is healthy when some worker listens on it,
 * every worker's loop turned in the last CHECK_WORKER_STALE_US, and at
 * least one real server (or the sorry server) is available.  NOW in
 * monotonic microseconds.  Reads atomics only.
 */
bool check_vs_healthy(const struct px_shared *sh, const struct px_vs *vs, uint64_t now);

#endif
