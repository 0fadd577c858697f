/* track.h - tracker logic as keepalived 2.2.7 computes it (pure).
 *
 * Script results go through rise/fall counting into a GOOD/BAD status;
 * statuses and weights add up to an instance's total priority, clamped to
 * the effective (advertised) priority, or put it into FAULT.
 */
#ifndef VIGIL_TRACK_H
#define VIGIL_TRACK_H

#include <stdbool.h>

enum track_status {
	TRACK_INIT,		/* no result yet */
	TRACK_GOOD,
	TRACK_BAD,
};

struct track_script_state {
	int result;		/* keepalived's counter, in [0, rise+fall-1] */
	enum track_status status;
};

void track_script_init(struct track_script_state *s, int rise);

/*
 * Feed one run's outcome.  Returns the new status when it changed (the
 * caller logs "VRRP_Script(X) succeeded" / "failed"), TRACK_INIT when not.
 * The first result after start applies at once, whatever rise and fall.
 */
enum track_status track_script_feed(struct track_script_state *s, int rise,
				    int fall, bool success);

/* One tracker's effect on an instance: priority delta, or fault. */
struct track_effect {
	int delta;
	bool fault;
};

/*
 * A binary tracker (script, interface, process) with weight W and REVERSE:
 * weight 0 faults while bad (while good when reversed; and while INIT);
 * W > 0 adds W while good, W < 0 adds W while bad (reverse swaps the sign
 * and the sense, as keepalived's m = -1).
 */
struct track_effect track_binary(enum track_status st, int weight, bool reverse);

/* A track_file: VALUE x WEIGHT (x -1 reversed); weight 0 faults on any
 * non-zero value; <= -254 faults; > 253 is capped. */
struct track_effect track_file_effect(long value, int weight, bool reverse);

/* Effective priority: base + total clamped to 1..254; the owner keeps 255. */
int track_effective_priority(int base, int total);

#endif
