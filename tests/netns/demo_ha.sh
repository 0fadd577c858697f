#!/bin/bash
# The README's variant demo, samples/demo-ha.sh, in its short mode with the
# build's binary: the seed's original pairing (nginx on balancers A and D,
# the seed's unchanged track script samples/nginx_status.sh, Vigil with
# samples/seed_master.conf / seed_backup.conf plus "timeout 10"; web servers
# B and C on nginx-light, a client through the VIP) in namespaces.  Asserts
# on what it prints: every phase reached; nginx killed on A is restarted by
# the track script and the VIP stays on A; nginx unable to restart makes the
# script stop A's Vigil and D takes over after its skew time; A restored
# preempts; the client's outage windows are printed and within bounds; exit
# status 0; no namespace of the run left; the host's nginx and keepalived
# (processes in the host's network namespace, default pid files) untouched.
# Needs root (else 77), nginx (nginx-light), nmap, curl and python3.
# About 25 s.
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root
rmdir "$VG_WORK"	# a directory of this test's own name instead
VG_WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigil-demo-ha-test.XXXXXX") || exit 1
trap 'rm -rf "$VG_WORK"' EXIT
missing=""
for c in nginx nmap curl python3; do
	command -v "$c" >/dev/null || [ -x "/usr/sbin/$c" ] || missing="$missing $c"
done
if [ -n "$missing" ]; then
	echo "FAIL: missing:$missing (Debian packages nginx-light nmap curl python3)"
	exit 1
fi

# the host's nginx and keepalived: processes in this network namespace, and
# the default pid files the seed's script would act on
host_procs() {
	local p hostnet
	hostnet=$(readlink /proc/$$/ns/net)
	for p in $(pgrep -x 'nginx|keepalived'); do
		[ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$hostnet" ] &&
			echo "$p:$(cat "/proc/$p/comm" 2>/dev/null)"
	done | sort
}
host_files() {
	local f
	for f in /run/nginx.pid /run/keepalived.pid /var/run/nginx.pid /var/run/keepalived.pid; do
		[ -e "$f" ] && f=$(readlink -f "$f") && echo "$f:$(stat -c %Y "$f"):$(cat "$f" 2>/dev/null)"
	done | sort -u
}
procs_before=$(host_procs)
files_before=$(host_files)

out="$VG_WORK/demo.out"
t0=$(vg_now_ms)
VIGIL="$VIGIL" timeout -k 5 180 "$SRC/samples/demo-ha.sh" --short >"$out" 2>&1
rc=$?
secs=$(( ($(vg_now_ms) - t0) / 1000 ))
sed 's/^/  | /' "$out"

has() { grep -qE -- "$1" "$out"; }
# summary NUM REGEX : the first number captured by REGEX (ERE, one group)
# in the summary line of phase (NUM)
summary() { sed -nE "s/^  \\($1\\) [^:]*: .*$2.*/\\1/p" "$out" | head -1; }
within() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
# section N : the lines of phase (N) only
section() { awk -v h="($1) " 'index($0, h) == 1 { on = 1; print; next } /^\([0-9]\) / { on = 0 } /^Summary/ { on = 0 } on' "$out"; }
sec_has() { section "$1" | grep -qE -- "$2"; }

vg_check "the demo exits 0 (exit $rc, ${secs} s)" test "$rc" -eq 0
vg_check "each Vigil has the script's environment" \
	has "^ +[0-9]+ ms  each Vigil's environment .*NGINX=<node>/nginx\\.sh PORT=80 KEEPALIVED_STOP=<node>/stop\\.sh"
vg_check "VIP on A at the start" has "^ +[0-9]+ ms  VIP on A \\(elected after [0-9]+ ms"
vg_check "the track script succeeds on A and D" has "^ +[0-9]+ ms  track script succeeding on A and D"
vg_check "nginx on A answers through the VIP (B or C, via A, X-Real-IP of the client, Host kept)" \
	has "^ +-> web server [BC] \\(192\\.0\\.2\\.(201|254)\\), via 192\\.0\\.2\\.4, Host api\\.example\\.com, X-Real-IP 192\\.0\\.2\\.100, X-Forwarded-For 192\\.0\\.2\\.100$"

# (1) requests spread over B and C, through A, none failed
line1=$(section 1 | grep -E "^ +client, " | head -1)
vg_check "(1) reached: ${line1#"${line1%%[! ]*}"}" test -n "$line1"
spread() {
	grep -qE 'A>B [1-9]' <<<"$line1" && grep -qE 'A>C [1-9]' <<<"$line1" &&
		grep -q 'failed 0; no outage' <<<"$line1"
}
vg_check "(1) answers from B and from C through A, no failure" spread

# (2) nginx killed on A: restarted by the script, the VIP stays
vg_check "(2) reached" has "^\\(2\\) nginx on A killed: the track script restarts it"
vg_check "(2) the script ran \$NGINX -s stop" sec_has 2 'track script: nmap found port 80 closed; \$NGINX -s stop'
vg_check "(2) the script started nginx again" sec_has 2 'track script: \$NGINX: nginx started again, [0-9]+ ms after the kill'
vg_check "(2) the restarting run exited 1 (the seed script's last test)" sec_has 2 'that run exited 1 all the same'
vg_check "(2) the next run succeeded" sec_has 2 "A's next run succeeded: priority back to 103"
vg_check "(2) the VIP stayed on A" sec_has 2 'VIP stayed on A all along'
vg_check "(2) A answers the client afterwards" sec_has 2 'answering the client now: A$'
v=$(summary 2 'restarted by the track script after ([0-9]+) ms') o=$(summary 2 'client outage ([0-9]+) ms')
vg_check "(2) nginx restarted after ${v:-?} ms (want <= 8000: next run within the 2 s interval + nmap)" within "$v" 1 8000
vg_check "(2) client outage ${o:-?} ms (want <= 8000)" within "$o" 0 8000

# (3) nginx unable to restart: the script stops A's Vigil, D takes over
vg_check "(3) reached" has "^\\(3\\) nginx on A killed and unable to restart"
vg_check "(3) \$NGINX failed in the script" sec_has 3 '\$NGINX -s stop, \$NGINX: both fail; sleep 3'
vg_check "(3) the script ran \$KEEPALIVED_STOP" sec_has 3 'port still closed: \$KEEPALIVED_STOP \(SIGTERM to A.s Vigil\)'
vg_check "(3) A's VIP removed by the stopping Vigil" sec_has 3 "A's Vigil stopping: priority-0 advert, VIP removed from A"
vg_check "(3) D took over (VIP on D)" sec_has 3 'D took over: VIP on D'
vg_check "(3) D answers the client afterwards" sec_has 3 'answering the client now: D$'
s=$(summary 3 "script stopped A's Vigil after ([0-9]+) ms")
v=$(summary 3 'VIP on D after ([0-9]+) ms')
k=$(summary 3 'VIP on D after [0-9]+ ms \(([0-9]+) ms after A left\)')
o=$(summary 3 'client outage ([0-9]+) ms')
vg_check "(3) the stop ran ${s:-?} ms after the kill (want 3000..12000: next run + sleep 3 + 2 nmap)" within "$s" 3000 12000
vg_check "(3) VIP on D ${v:-?} ms after the kill (want 3000..13000)" within "$v" 3000 13000
vg_check "(3) D took over ${k:-?} ms after A left (want 400..1500: skew 605 ms, not the down interval)" within "$k" 400 1500
vg_check "(3) client outage ${o:-?} ms (want 3000..14000: the script's sleep 3 is felt)" within "$o" 3000 14000

# (4) A restored: A preempts
vg_check "(4) reached" has "^\\(4\\) A restored"
vg_check "(4) A preempted (VIP on A)" sec_has 4 'A preempted: VIP on A'
vg_check "(4) A answers the client afterwards" sec_has 4 'answering the client now: A$'
v=$(summary 4 'VIP moved after ([0-9]+) ms') o=$(summary 4 'client outage ([0-9]+) ms')
vg_check "(4) VIP moved after ${v:-?} ms (want <= 10000: 3 x 1 s + skew, A's start)" within "$v" 1 10000
vg_check "(4) client outage ${o:-?} ms (want < 2000: a planned hand-over)" within "$o" 0 1999

vg_check "the demo reports the host untouched" has "^Host untouched: "
vg_check "the last line names the main demo samples/demo-proxy.sh" \
	eval "tail -1 '$out' | grep -q 'samples/demo-proxy.sh'"
pfx=$(sed -nE 's/^  Namespaces: ([A-Za-z0-9]+)\{.*/\1/p' "$out" | head -1)
vg_check "no namespace of the run left (prefix ${pfx:-?})" \
	eval "[ -n '$pfx' ] && ! ip netns list | grep -q '^$pfx'"
procs_after=$(host_procs)
files_after=$(host_files)
gone=$(comm -23 <(echo "$procs_before") <(echo "$procs_after") | paste -sd' ')
vg_check "the host's nginx/keepalived processes all still there (before: [$(echo $procs_before)])" test -z "$gone"
vg_check "the host's nginx/keepalived pid files unchanged ([$(echo $files_before)])" \
	test "$files_before" = "$files_after"
vg_summary demo_ha
