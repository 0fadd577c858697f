/* test_track.c - rise/fall and the priority arithmetic, against values
 * keepalived 2.2.7 was observed to produce (inventory sections 5.1-5.3). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "track.h"

static void
test_first_result_applies_at_once(void **state)
{
	struct track_script_state s;
	/* keepalived: fall 2 still went BAD on the very first failure */
	track_script_init(&s, 2);
	assert_int_equal(track_script_feed(&s, 2, 2, false), TRACK_BAD);
	track_script_init(&s, 3);
	assert_int_equal(track_script_feed(&s, 3, 2, true), TRACK_GOOD);
}

static void
test_fall_needs_consecutive_failures(void **state)
{
	struct track_script_state s;
	track_script_init(&s, 2);
	assert_int_equal(track_script_feed(&s, 2, 2, true), TRACK_GOOD);
	assert_int_equal(track_script_feed(&s, 2, 2, false), TRACK_INIT);	/* 1 of 2 */
	assert_int_equal(track_script_feed(&s, 2, 2, true), TRACK_INIT);	/* reset */
	assert_int_equal(track_script_feed(&s, 2, 2, false), TRACK_INIT);
	assert_int_equal(track_script_feed(&s, 2, 2, false), TRACK_BAD);	/* 2 of 2 */
	assert_int_equal(s.status, TRACK_BAD);
}

static void
test_rise_needs_consecutive_successes(void **state)
{
	struct track_script_state s;
	track_script_init(&s, 3);
	assert_int_equal(track_script_feed(&s, 3, 1, false), TRACK_BAD);
	assert_int_equal(track_script_feed(&s, 3, 1, true), TRACK_INIT);
	assert_int_equal(track_script_feed(&s, 3, 1, true), TRACK_INIT);
	assert_int_equal(track_script_feed(&s, 3, 1, false), TRACK_INIT);	/* back to 0 */
	assert_int_equal(track_script_feed(&s, 3, 1, true), TRACK_INIT);
	assert_int_equal(track_script_feed(&s, 3, 1, true), TRACK_INIT);
	assert_int_equal(track_script_feed(&s, 3, 1, true), TRACK_GOOD);
}

static void
test_rise_fall_one(void **state)
{
	struct track_script_state s;
	track_script_init(&s, 1);
	assert_int_equal(track_script_feed(&s, 1, 1, true), TRACK_GOOD);
	assert_int_equal(track_script_feed(&s, 1, 1, true), TRACK_INIT);
	assert_int_equal(track_script_feed(&s, 1, 1, false), TRACK_BAD);
	assert_int_equal(track_script_feed(&s, 1, 1, false), TRACK_INIT);
	assert_int_equal(track_script_feed(&s, 1, 1, true), TRACK_GOOD);
}

static void
test_weights_table(void **state)
{
	static const struct {
		enum track_status st;
		int weight;
		bool reverse;
		int delta;
		bool fault;
	} rows[] = {
		{ TRACK_GOOD, 2, false, 2, false },	/* the seed: weight 2, script OK */
		{ TRACK_BAD, 2, false, 0, false },
		{ TRACK_GOOD, -60, false, 0, false },
		{ TRACK_BAD, -60, false, -60, false },	/* keepalived: 150 -> 90 */
		{ TRACK_GOOD, 10, true, -10, false },
		{ TRACK_BAD, 10, true, 0, false },
		{ TRACK_BAD, -10, true, 10, false },
		{ TRACK_GOOD, -10, true, 0, false },
		{ TRACK_BAD, 0, false, 0, true },
		{ TRACK_GOOD, 0, false, 0, false },
		{ TRACK_GOOD, 0, true, 0, true },
		{ TRACK_INIT, 0, false, 0, true },	/* weight 0 waits in FAULT */
		{ TRACK_INIT, 50, false, 0, false },	/* no result, no contribution */
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct track_effect e = track_binary(rows[i].st, rows[i].weight, rows[i].reverse);
		assert_int_equal(e.delta, rows[i].delta);
		assert_int_equal(e.fault, rows[i].fault);
	}
}

static void
test_track_file(void **state)
{
	struct track_effect e = track_file_effect(5, 1, false);
	assert_int_equal(e.delta, 5);
	e = track_file_effect(-3, 10, false);
	assert_int_equal(e.delta, -30);
	e = track_file_effect(3, 10, true);
	assert_int_equal(e.delta, -30);
	e = track_file_effect(1, 0, false);
	assert_true(e.fault);
	e = track_file_effect(0, 0, false);
	assert_false(e.fault);
	e = track_file_effect(-254, 1, false);
	assert_true(e.fault);
	e = track_file_effect(300, 1, false);
	assert_int_equal(e.delta, 253);
}

static void
test_effective_priority_clamps(void **state)
{
	assert_int_equal(track_effective_priority(150, -60), 90);
	assert_int_equal(track_effective_priority(101, 2), 103);
	assert_int_equal(track_effective_priority(100, -200), 1);
	assert_int_equal(track_effective_priority(250, 10), 254);	/* never 255 */
	assert_int_equal(track_effective_priority(255, -100), 255);	/* owner */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_result_applies_at_once),
		cmocka_unit_test(test_fall_needs_consecutive_failures),
		cmocka_unit_test(test_rise_needs_consecutive_successes),
		cmocka_unit_test(test_rise_fall_one),
		cmocka_unit_test(test_weights_table),
		cmocka_unit_test(test_track_file),
		cmocka_unit_test(test_effective_priority_clamps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
