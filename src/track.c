/* track.c - rise/fall counting and tracker weights (see track.h). */
#include "config.h"

#include "track.h"

void
track_script_init(struct track_script_state *s, int rise)
{
	s->result = rise - 1;
	s->status = TRACK_INIT;
}

enum track_status
track_script_feed(struct track_script_state *s, int rise, int fall, bool success)
{
	enum track_status was = s->status;
	if (success) {
		if (s->result < rise - 1) {
			s->result++;
		} else if (s->result != rise + fall - 1) {
			if (s->result < rise)
				s->status = TRACK_GOOD;
			s->result = rise + fall - 1;
		}
	} else {
		if (s->result > rise) {
			s->result--;
		} else {
			if (s->result == rise || s->status == TRACK_INIT)
				s->status = TRACK_BAD;
			s->result = 0;
		}
	}
	return s->status != was ? s->status : TRACK_INIT;
}

struct track_effect
track_binary(enum track_status st, int weight, bool reverse)
{
	struct track_effect e = { 0, false };
	if (weight == 0) {
		/* binary: FAULT while failing (while succeeding if reversed); a
		 * tracker without a result yet holds the instance in FAULT */
		e.fault = st == TRACK_INIT || (st == TRACK_BAD) != reverse;
		return e;
	}
	if (st == TRACK_INIT)
		return e;
	int m = reverse ? -1 : 1;
	if (weight > 0 && st == TRACK_GOOD)
		e.delta = weight * m;
	else if (weight < 0 && st == TRACK_BAD)
		e.delta = weight * m;
	return e;
}

struct track_effect
track_file_effect(long value, int weight, bool reverse)
{
	struct track_effect e = { 0, false };
	if (weight == 0) {
		e.fault = value != 0;
		return e;
	}
	long v = value * weight * (reverse ? -1 : 1);
	if (v <= -254) {
		e.fault = true;
		return e;
	}
	e.delta = v > 253 ? 253 : (int)v;
	return e;
}

int
track_effective_priority(int base, int total)
{
	if (base == 255)
		return 255;
	int p = base + total;
	return p < 1 ? 1 : p > 254 ? 254 : p;
}
