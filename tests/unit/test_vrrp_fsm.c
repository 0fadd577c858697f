/* test_vrrp_fsm.c - the VRRP state machine on a fake clock. */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "vrrp_fsm.h"

#define S 1000000ULL	/* one second in microseconds */

static struct cf_inaddr
ip4(const char *s)
{
	struct cf_inaddr a = { .family = AF_INET };
	inet_pton(AF_INET, s, a.a);
	return a;
}

static struct vrrp_fsm_cfg
cfg_v2(void)
{
	return (struct vrrp_fsm_cfg){
		.version = 2, .advert_us = S, .down_timer_adverts = 3,
		.primary = ip4("192.0.2.10"),
	};
}

static struct vrrp_rx
rx(uint8_t prio, const char *src)
{
	return (struct vrrp_rx){ .priority = prio, .interval_us = S, .src = ip4(src) };
}

/* Does OUT hold these action types, in this order? */
static void
assert_actions(const struct vrrp_actions *out, int n, ...)
{
	va_list ap;
	va_start(ap, n);
	assert_int_equal(out->n, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(out->v[i].type, va_arg(ap, int));
	va_end(ap);
}

static void
test_skew_and_down_interval(void **state)
{
	struct vrrp_fsm_cfg c = cfg_v2();
	/* keepalived: priority 150, v2, 1 s -> 3414062 us */
	assert_int_equal(vrrp_master_down_us(&c, S, 150), 3414062);
	assert_int_equal(vrrp_skew_us(&c, S, 100), 609375);
	c.version = 3;
	/* v3 skew scales with the master's interval: 10 ms, priority 100 */
	assert_int_equal(vrrp_skew_us(&c, 10000, 100), 6093);
	assert_int_equal(vrrp_master_down_us(&c, 10000, 100), 36093);
}

static void
test_start_backup_then_timeout_to_master(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	vrrp_fsm_init(&f, 100);
	vrrp_fsm_start(&f, &c, 0, &out);
	assert_actions(&out, 1, VA_STATE);
	assert_int_equal(out.v[0].old, VRRP_STATE_INIT);
	assert_int_equal(f.state, VRRP_STATE_BACKUP);
	assert_int_equal(vrrp_fsm_deadline(&f), 3609375);

	vrrp_fsm_timer(&f, &c, 3609374, &out);
	assert_int_equal(out.n, 0);
	vrrp_fsm_timer(&f, &c, 3609375, &out);
	assert_actions(&out, 5, VA_LOG, VA_STATE, VA_SEND_ADVERT, VA_ADD_VIPS, VA_GARP);
	assert_int_equal(out.v[0].log, VL_TIMEOUT);
	assert_int_equal(out.v[2].priority, 100);
	assert_int_equal(f.state, VRRP_STATE_MASTER);
	assert_int_equal(vrrp_fsm_deadline(&f), 3609375 + S);
}

static void
test_backup_accepts_higher_and_rearms(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	struct vrrp_rx r = rx(150, "192.0.2.11");
	vrrp_fsm_init(&f, 100);
	vrrp_fsm_start(&f, &c, 0, &out);
	vrrp_fsm_rx(&f, &c, &r, 1 * S, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(vrrp_fsm_deadline(&f), S + 3609375);
	assert_int_equal(f.master_priority, 150);
	vrrp_fsm_timer(&f, &c, 4 * S, &out);
	assert_int_equal(f.state, VRRP_STATE_BACKUP);
	vrrp_fsm_timer(&f, &c, 4610000, &out);
	assert_int_equal(f.state, VRRP_STATE_MASTER);
}

static void
test_backup_equal_priority_accepted(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	/* no tie-break while BACKUP, whatever the addresses */
	struct vrrp_rx r = rx(100, "192.0.2.1");
	vrrp_fsm_init(&f, 100);
	vrrp_fsm_start(&f, &c, 0, &out);
	vrrp_fsm_rx(&f, &c, &r, 2 * S, &out);
	assert_int_equal(vrrp_fsm_deadline(&f), 2 * S + 3609375);
}

static void
test_backup_discards_lower_without_rearm(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	struct vrrp_rx r = rx(90, "192.0.2.11");
	vrrp_fsm_init(&f, 100);
	vrrp_fsm_start(&f, &c, 0, &out);
	vrrp_fsm_rx(&f, &c, &r, 2 * S, &out);
	assert_actions(&out, 1, VA_LOG);
	assert_int_equal(out.v[0].log, VL_BACKUP_LOWER);
	assert_int_equal(out.v[0].peer_priority, 90);
	assert_int_equal(vrrp_fsm_deadline(&f), 3609375);
}

static void
test_backup_priority0_skew_only(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	struct vrrp_rx r = rx(0, "192.0.2.11");
	vrrp_fsm_init(&f, 90);
	vrrp_fsm_start(&f, &c, 0, &out);
	vrrp_fsm_rx(&f, &c, &r, 2 * S, &out);
	assert_int_equal(out.v[0].log, VL_BACKUP_PRIO0);
	/* keepalived: priority 90 took over 0.648 s after the priority-0 advert */
	assert_int_equal(vrrp_fsm_deadline(&f), 2 * S + 648437);
}

static void
test_nopreempt_accepts_lower(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	struct vrrp_rx r = rx(50, "192.0.2.11");
	c.nopreempt = true;
	vrrp_fsm_init(&f, 100);
	vrrp_fsm_start(&f, &c, 0, &out);
	vrrp_fsm_rx(&f, &c, &r, 2 * S, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(vrrp_fsm_deadline(&f), 2 * S + 3609375);
}

static void
test_preempt_delay(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	struct vrrp_rx r = rx(50, "192.0.2.11");
	c.preempt_delay_us = 5 * S;
	vrrp_fsm_init(&f, 100);
	vrrp_fsm_start(&f, &c, 0, &out);
	vrrp_fsm_rx(&f, &c, &r, 1 * S, &out);	/* starts the delay, accepted */
	assert_int_equal(out.v[0].log, VL_PREEMPT_START);
	assert_int_equal(vrrp_fsm_deadline(&f), 1 * S + 3609375);
	vrrp_fsm_rx(&f, &c, &r, 4 * S, &out);	/* still within: accepted */
	assert_int_equal(vrrp_fsm_deadline(&f), 4 * S + 3609375);
	vrrp_fsm_rx(&f, &c, &r, 6 * S, &out);	/* expired: discarded */
	assert_int_equal(out.v[0].log, VL_BACKUP_LOWER);
	assert_int_equal(vrrp_fsm_deadline(&f), 4 * S + 3609375);
	vrrp_fsm_timer(&f, &c, 4 * S + 3609375, &out);
	assert_int_equal(f.state, VRRP_STATE_MASTER);
}

static void
start_master(struct vrrp_fsm *f, const struct vrrp_fsm_cfg *c, uint8_t prio)
{
	struct vrrp_actions out;
	vrrp_fsm_init(f, prio);
	vrrp_fsm_start(f, c, 0, &out);
	vrrp_fsm_timer(f, c, 10 * S, &out);
	assert_int_equal(f->state, VRRP_STATE_MASTER);
}

static void
test_master_adverts_keep_phase(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	start_master(&f, &c, 100);
	assert_int_equal(vrrp_fsm_deadline(&f), 11 * S);
	vrrp_fsm_timer(&f, &c, 11 * S + 300, &out);	/* woke a bit late */
	assert_actions(&out, 1, VA_SEND_ADVERT);
	assert_int_equal(vrrp_fsm_deadline(&f), 12 * S);
	vrrp_fsm_timer(&f, &c, 20 * S, &out);		/* very late: restart */
	assert_int_equal(vrrp_fsm_deadline(&f), 21 * S);
}

static void
test_master_yields_to_higher(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	struct vrrp_rx r = rx(150, "192.0.2.11");
	start_master(&f, &c, 100);
	vrrp_fsm_rx(&f, &c, &r, 10 * S + 5, &out);
	assert_actions(&out, 3, VA_LOG, VA_STATE, VA_DEL_VIPS);
	assert_int_equal(out.v[0].log, VL_MASTER_HIGHER);
	assert_int_equal(out.v[1].state, VRRP_STATE_BACKUP);
	assert_int_equal(vrrp_fsm_deadline(&f), 10 * S + 5 + 3609375);
}

static void
test_master_tie_break_on_address(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();	/* our address 192.0.2.10 */
	struct vrrp_actions out;
	struct vrrp_rx lower_ip = rx(100, "192.0.2.9");
	struct vrrp_rx higher_ip = rx(100, "192.0.2.11");
	start_master(&f, &c, 100);
	vrrp_fsm_rx(&f, &c, &lower_ip, 10 * S + 1, &out);
	assert_actions(&out, 2, VA_LOG, VA_SEND_ADVERT);
	assert_int_equal(out.v[0].log, VL_MASTER_LOWER);
	assert_int_equal(f.state, VRRP_STATE_MASTER);
	vrrp_fsm_rx(&f, &c, &higher_ip, 10 * S + 2, &out);
	assert_int_equal(out.v[0].log, VL_MASTER_SAME_HIGHER_IP);
	assert_int_equal(f.state, VRRP_STATE_BACKUP);
}

static void
test_master_lower_prio_no_advert(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	struct vrrp_rx r = rx(50, "192.0.2.11");
	c.lower_prio_no_advert = true;
	start_master(&f, &c, 100);
	vrrp_fsm_rx(&f, &c, &r, 10 * S + 1, &out);
	assert_actions(&out, 1, VA_LOG);
}

static void
test_master_answers_priority0(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	struct vrrp_rx r = rx(0, "192.0.2.11");
	start_master(&f, &c, 100);
	vrrp_fsm_rx(&f, &c, &r, 10 * S + 500000, &out);
	assert_actions(&out, 2, VA_LOG, VA_SEND_ADVERT);
	assert_int_equal(vrrp_fsm_deadline(&f), 11 * S + 500000);
}

static void
test_owner_starts_master(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	vrrp_fsm_init(&f, 255);
	vrrp_fsm_start(&f, &c, 7, &out);
	/* as keepalived logs it: "Receive advertisement timeout", then
	 * "Entering MASTER STATE" from BACKUP, not "(init)" */
	assert_actions(&out, 5, VA_LOG, VA_STATE, VA_SEND_ADVERT, VA_ADD_VIPS, VA_GARP);
	assert_int_equal(out.v[0].log, VL_TIMEOUT);
	assert_int_equal(out.v[1].old, VRRP_STATE_BACKUP);
	assert_int_equal(out.v[1].state, VRRP_STATE_MASTER);
	assert_int_equal(out.v[2].priority, 255);
	assert_int_equal(f.state, VRRP_STATE_MASTER);
	/* trackers never move the owner */
	vrrp_fsm_set_priority(&f, &c, 200, 8, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(f.priority, 255);
}

static void
test_stop_master_sends_priority0(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	start_master(&f, &c, 100);
	vrrp_fsm_stop(&f, &c, 11 * S, &out);
	assert_actions(&out, 4, VA_SEND_ADVERT, VA_LOG, VA_DEL_VIPS, VA_STATE);
	assert_int_equal(out.v[0].priority, 0);
	assert_int_equal(vrrp_fsm_deadline(&f), 0);
}

static void
test_stop_backup_is_silent(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	vrrp_fsm_init(&f, 100);
	vrrp_fsm_start(&f, &c, 0, &out);
	vrrp_fsm_stop(&f, &c, 1, &out);
	assert_actions(&out, 1, VA_STATE);
}

static void
test_fault_and_recovery(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	struct vrrp_rx r = rx(150, "192.0.2.11");
	start_master(&f, &c, 100);
	vrrp_fsm_fault(&f, &c, true, 11 * S, &out);
	assert_actions(&out, 4, VA_STATE, VA_SEND_ADVERT, VA_LOG, VA_DEL_VIPS);
	assert_int_equal(f.state, VRRP_STATE_FAULT);
	assert_int_equal(vrrp_fsm_deadline(&f), 0);
	vrrp_fsm_rx(&f, &c, &r, 12 * S, &out);	/* FAULT ignores adverts */
	assert_int_equal(out.n, 0);
	vrrp_fsm_fault(&f, &c, false, 13 * S, &out);
	assert_actions(&out, 1, VA_STATE);
	assert_int_equal(f.state, VRRP_STATE_BACKUP);
	assert_int_equal(vrrp_fsm_deadline(&f), 13 * S + 3609375);
}

static void
test_fault_at_startup(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	/* interface down when the daemon starts: FAULT (init), no timers */
	vrrp_fsm_init(&f, 100);
	vrrp_fsm_fault(&f, &c, true, 0, &out);
	assert_actions(&out, 1, VA_STATE);
	assert_int_equal(out.v[0].old, VRRP_STATE_INIT);
	assert_int_equal(out.v[0].state, VRRP_STATE_FAULT);
	assert_int_equal(vrrp_fsm_deadline(&f), 0);
	vrrp_fsm_fault(&f, &c, false, 5 * S, &out);
	assert_int_equal(f.state, VRRP_STATE_BACKUP);
	assert_int_equal(vrrp_fsm_deadline(&f), 5 * S + 3609375);
}

static void
test_priority_change_moves_down_timer(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	vrrp_fsm_init(&f, 100);
	vrrp_fsm_start(&f, &c, 0, &out);
	vrrp_fsm_set_priority(&f, &c, 200, S, &out);
	assert_actions(&out, 1, VA_LOG);
	assert_int_equal(out.v[0].log, VL_PRIORITY_CHANGE);
	assert_int_equal(out.v[0].peer_priority, 100);
	assert_int_equal(out.v[0].priority, 200);
	/* skew 0.609375 -> 0.21875 */
	assert_int_equal(vrrp_fsm_deadline(&f), 3 * S + 218750);
}

static void
test_v3_learns_master_interval(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	struct vrrp_rx r = rx(150, "192.0.2.11");
	c.version = 3;
	c.advert_us = 100000;
	r.interval_us = 50000;
	vrrp_fsm_init(&f, 100);
	vrrp_fsm_start(&f, &c, 0, &out);
	assert_int_equal(vrrp_fsm_deadline(&f), 300000 + 60937);
	vrrp_fsm_rx(&f, &c, &r, S, &out);
	assert_int_equal(f.master_adver_us, 50000);
	assert_int_equal(vrrp_fsm_deadline(&f), S + 150000 + 30468);
}

/* ---- operator step-down (Vigil extension) ---- */

static void
test_stepdown_master_hands_over_and_holds(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	struct vrrp_rx lower = rx(90, "192.0.2.11"), zero = rx(0, "192.0.2.11");
	start_master(&f, &c, 100);
	vrrp_fsm_stepdown(&f, &c, 11 * S, &out);
	/* like a graceful stop: priority 0 first, then BACKUP without VIPs */
	assert_actions(&out, 4, VA_SEND_ADVERT, VA_LOG, VA_STATE, VA_DEL_VIPS);
	assert_int_equal(out.v[0].priority, 0);
	assert_int_equal(out.v[1].log, VL_SENT_PRIO0);
	assert_int_equal(out.v[2].old, VRRP_STATE_MASTER);
	assert_int_equal(out.v[2].state, VRRP_STATE_BACKUP);
	assert_true(f.held);
	assert_int_equal(vrrp_fsm_deadline(&f), 0);

	/* held: a lower-priority master is followed, not discarded; neither
	 * it, nor its priority 0, nor silence bring MASTER back */
	vrrp_fsm_rx(&f, &c, &lower, 12 * S, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(f.master_priority, 90);
	assert_int_equal(vrrp_fsm_deadline(&f), 0);
	vrrp_fsm_rx(&f, &c, &zero, 13 * S, &out);
	assert_int_equal(vrrp_fsm_deadline(&f), 0);
	vrrp_fsm_timer(&f, &c, 100 * S, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(f.state, VRRP_STATE_BACKUP);

	/* neither a sync group nor a passing fault brings it back */
	vrrp_fsm_sync(&f, &c, VRRP_STATE_MASTER, 101 * S, &out);
	assert_int_equal(out.n, 0);
	vrrp_fsm_fault(&f, &c, true, 102 * S, &out);
	vrrp_fsm_fault(&f, &c, false, 103 * S, &out);
	assert_int_equal(f.state, VRRP_STATE_BACKUP);
	assert_int_equal(vrrp_fsm_deadline(&f), 0);
}

static void
test_stepup_resumes_election(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	struct vrrp_rx lower = rx(90, "192.0.2.11");
	start_master(&f, &c, 100);
	vrrp_fsm_stepdown(&f, &c, 11 * S, &out);
	vrrp_fsm_stepup(&f, &c, 20 * S, &out);
	assert_int_equal(out.n, 0);
	assert_false(f.held);
	/* a full Master_Down_Interval, which lower adverts do not re-arm */
	assert_int_equal(vrrp_fsm_deadline(&f), 20 * S + 3609375);
	vrrp_fsm_rx(&f, &c, &lower, 21 * S, &out);
	assert_int_equal(vrrp_fsm_deadline(&f), 20 * S + 3609375);
	vrrp_fsm_timer(&f, &c, 20 * S + 3609375, &out);
	assert_int_equal(f.state, VRRP_STATE_MASTER);
	/* a second step-up is a no-op */
	vrrp_fsm_stepup(&f, &c, 30 * S, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(f.state, VRRP_STATE_MASTER);
}

static void
test_stepdown_backup_only_stops_timer(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_fsm_cfg c = cfg_v2();
	struct vrrp_actions out;
	struct vrrp_rx higher = rx(150, "192.0.2.11");
	vrrp_fsm_init(&f, 100);
	vrrp_fsm_start(&f, &c, 0, &out);
	vrrp_fsm_stepdown(&f, &c, S, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(f.state, VRRP_STATE_BACKUP);
	assert_int_equal(vrrp_fsm_deadline(&f), 0);
	/* it still follows the master */
	vrrp_fsm_rx(&f, &c, &higher, 2 * S, &out);
	assert_int_equal(f.master_priority, 150);
	assert_int_equal(vrrp_fsm_deadline(&f), 0);
	vrrp_fsm_stepup(&f, &c, 3 * S, &out);
	assert_int_equal(vrrp_fsm_deadline(&f), 3 * S + 3609375);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skew_and_down_interval),
		cmocka_unit_test(test_start_backup_then_timeout_to_master),
		cmocka_unit_test(test_backup_accepts_higher_and_rearms),
		cmocka_unit_test(test_backup_equal_priority_accepted),
		cmocka_unit_test(test_backup_discards_lower_without_rearm),
		cmocka_unit_test(test_backup_priority0_skew_only),
		cmocka_unit_test(test_nopreempt_accepts_lower),
		cmocka_unit_test(test_preempt_delay),
		cmocka_unit_test(test_master_adverts_keep_phase),
		cmocka_unit_test(test_master_yields_to_higher),
		cmocka_unit_test(test_master_tie_break_on_address),
		cmocka_unit_test(test_master_lower_prio_no_advert),
		cmocka_unit_test(test_master_answers_priority0),
		cmocka_unit_test(test_owner_starts_master),
		cmocka_unit_test(test_stop_master_sends_priority0),
		cmocka_unit_test(test_stop_backup_is_silent),
		cmocka_unit_test(test_fault_and_recovery),
		cmocka_unit_test(test_fault_at_startup),
		cmocka_unit_test(test_priority_change_moves_down_timer),
		cmocka_unit_test(test_v3_learns_master_interval),
		cmocka_unit_test(test_stepdown_master_hands_over_and_holds),
		cmocka_unit_test(test_stepup_resumes_election),
		cmocka_unit_test(test_stepdown_backup_only_stops_timer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
