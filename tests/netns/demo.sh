#!/bin/bash
# The README's main job, samples/demo-proxy.sh, in its short mode with the
# build's binary: the seed's setup (balancers A and D with the built-in
# proxy, web servers B and C on nginx-light, a client through the VIP) in
# namespaces.  Asserts on what it prints: every phase reached, D takes over
# when A's real servers become unreachable from A and when A crashes, A
# preempts when healthy again, the client's outage windows are printed and
# within bounds, exit status 0, and no namespace of the run is left.
# Needs root (else 77), nginx (nginx-light), curl and python3.  About 25 s.
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root
rmdir "$VG_WORK"	# a directory of this test's own name instead
VG_WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigil-demo-test.XXXXXX") || exit 1
trap 'rm -rf "$VG_WORK"' EXIT
missing=""
for c in nginx curl python3; do
	command -v "$c" >/dev/null || [ -x "/usr/sbin/$c" ] || missing="$missing $c"
done
if [ -n "$missing" ]; then
	echo "FAIL: missing:$missing (Debian packages nginx-light curl python3)"
	exit 1
fi
if ! "$VIGIL" -v 2>&1 | grep -q "^Build options:.* PROXY"; then
	echo "built with --disable-proxy: skipped"
	exit 77
fi

out="$VG_WORK/demo.out"
t0=$(vg_now_ms)
VIGIL="$VIGIL" timeout -k 5 180 "$SRC/samples/demo-proxy.sh" --short >"$out" 2>&1
rc=$?
secs=$(( ($(vg_now_ms) - t0) / 1000 ))
sed 's/^/  | /' "$out"

has() { grep -qE -- "$1" "$out"; }
# num PHASE FIELD : a number from the summary line of phase (2)-(4):
# FIELD 1 = "VIP moved after N ms", 2 = "client outage N ms"
num() {
	sed -nE "s/^  \\($1\\) [^:]*: .*VIP moved after ([0-9]+) ms, client outage ([0-9]+) ms.*/\\$2/p" "$out" | head -1
}
within() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
# section N : the lines of phase (N) only
section() { awk -v h="($1) " 'index($0, h) == 1 { on = 1; print; next } /^\([0-9]\) / { on = 0 } /^Summary/ { on = 0 } on' "$out"; }
sec_has() { section "$1" | grep -qE -- "$2"; }

vg_check "the demo exits 0 (exit $rc, ${secs} s)" test "$rc" -eq 0
vg_check "VIP on A at the start" has "^ +[0-9]+ ms  VIP on A \\(elected after [0-9]+ ms"
vg_check "the proxy answers through the VIP (web server B or C via A's address)" \
	has "client\\\$ curl http://192\\.0\\.2\\.6/  ->  web server [BC] \\(192\\.0\\.2\\.(201|254)\\), via 192\\.0\\.2\\.4$"

# (1) requests spread over B and C, through A, none failed
line1=$(section 1 | grep -E "^ +client, " | head -1)
vg_check "(1) reached: ${line1#"${line1%%[! ]*}"}" test -n "$line1"
spread() {
	grep -qE 'A>B [1-9]' <<<"$line1" && grep -qE 'A>C [1-9]' <<<"$line1" &&
		grep -q 'failed 0; no outage' <<<"$line1"
}
vg_check "(1) answers from B and from C through A, no failure" spread

# (2) A unhealthy: FAULT, D takes over
vg_check "(2) reached" has "^\\(2\\) A's real servers unreachable"
vg_check "(2) A went FAULT (VIP removed from A)" sec_has 2 'A: health checks failed, FAULT'
vg_check "(2) D took over (VIP on D)" sec_has 2 'D took over: VIP on D'
vg_check "(2) D answers the client afterwards" sec_has 2 'answering the client now: D$'
v=$(num 2 1) o=$(num 2 2)
vg_check "(2) VIP moved after ${v:-?} ms (want <= 8000: checks ~1-2 s + skew 613 ms)" within "$v" 1 8000
vg_check "(2) client outage ${o:-?} ms printed (want <= 9000)" within "$o" 0 9000

# (3) A healthy again: A preempts
vg_check "(3) reached" has "^\\(3\\) A's routes back"
vg_check "(3) A preempted (VIP on A)" sec_has 3 'A preempted: VIP on A'
vg_check "(3) A answers the client afterwards" sec_has 3 'answering the client now: A$'
v=$(num 3 1) o=$(num 3 2)
vg_check "(3) VIP moved after ${v:-?} ms (want <= 10000: check + 3 x 1 s + skew)" within "$v" 1 10000
vg_check "(3) client outage ${o:-?} ms (want < 2000: a planned hand-over)" within "$o" 0 1999

# (4) A crashed: D takes over
vg_check "(4) reached" has "^\\(4\\) A crashed"
vg_check "(4) D took over (VIP on D)" sec_has 4 'D took over: VIP on D'
vg_check "(4) D answers the client afterwards" sec_has 4 'answering the client now: D$'
v=$(num 4 1) o=$(num 4 2)
vg_check "(4) VIP moved after ${v:-?} ms (want <= 4100: 3613 ms + 1 advert of slack)" within "$v" 1 4100
vg_check "(4) client outage ${o:-?} ms (want 1..4999: the crash is felt, < 5 s)" within "$o" 1 4999

vg_check "the last line names the variant samples/demo-ha.sh" \
	eval "tail -1 '$out' | grep -q 'samples/demo-ha.sh'"
pfx=$(sed -nE 's/^  Namespaces: ([A-Za-z0-9]+)\{.*/\1/p' "$out" | head -1)
vg_check "no namespace of the run left (prefix ${pfx:-?})" \
	eval "[ -n '$pfx' ] && ! ip netns list | grep -q '^$pfx'"
vg_summary demo
