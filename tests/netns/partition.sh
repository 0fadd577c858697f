#!/bin/bash
# Network partition and heal (namespaces): a (MASTER 150) and b (BACKUP
# 100), advert_int 1, one VIP.  The segment is cut in the switch namespace
# by a dropping egress qdisc ("pfifo limit 0") on the bridge ports pa / pb,
# one per direction: every link stays up, so neither node sees a fault.
#
#   1. partition: b stops hearing a and becomes master after its master
#      down interval (3 x 1 s + Skew_Time 0.609 s, counted from the last
#      advert of a it received); both hold the VIP (split brain, expected)
#   2. heal, both directions at once: b hears a's advert (150 > 100), goes
#      BACKUP and removes the VIP within one advert interval of the heal;
#      a stays master throughout, the VIP ends on a only
#   3. half heal (b -> a only first): a, master, receives b's lower
#      priority advert and answers at once with its own (keepalived's
#      default, "forcing new election"; RFC 3768 would discard it); b's
#      adverts come 609 ms after a's in phase (b's down timer started at a's
#      last advert), so a's regular advert would be ~390 ms later and the
#      answer is told apart from it.  Then a -> b heals: as in 2.
#
# Pairings: Vigil/Vigil (rounds 2 and 3), then Vigil a with keepalived b
# and keepalived a with Vigil b (round 3 each), when keepalived is there.
#
# Times come from the kernel (ip monitor address events) and from tcpdump
# captures on each node's eth0 (same wall clock).  Measured on a busy 2-core
# machine (other namespace tests and a flood of scripts beside), Vigil and
# keepalived alike: b's reaction to a's first advert (capture -> address
# event) 0-6 ms, a's answer to a lower advert 0-1 ms, b's takeover
# 3609-3611 ms after a's last advert; the heal -> VIP removal is 0-1000 ms
# as the heal falls in the advert phase (133-166 ms and 565-582 ms seen).
# Allowed: REACT=100 ms for a reaction, MARGIN=200 ms beyond one advert
# interval for the heal, DOWN_MARGIN=150 ms either side of the down timer.
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root

VIP=192.0.2.100
ADV=1000	# advert interval, ms
DOWN_B=3609	# b's master down interval: 3 x 1 s + (256 - 100)/256 s
MARGIN=200	# ms beyond one advert interval for the heal
REACT=100	# ms for a daemon to react to an advert it received
DOWN_MARGIN=150	# ms either side of b's down timer
SW=

if ! command -v tcpdump >/dev/null || ! command -v tc >/dev/null; then
	[ -n "${VG_KEEP:-}" ] || rm -rf "$VG_WORK"
	echo "needs tcpdump and tc: skipped"
	exit 77
fi

# conf NODE STATE PRIORITY
conf() {
	cat >"$VG_WORK/$1.conf" <<EOC
global_defs {
    router_id $1
}
vrrp_instance VI_1 {
    state $2
    interface eth0
    virtual_router_id 51
    priority $3
    advert_int 1
    virtual_ipaddress {
        $VIP/24
    }
}
EOC
	echo "$VG_WORK/$1.conf"
}

# ---- partition: a dropping egress qdisc on a bridge port ---------------------
# cut PORT / uncut PORT: frames the bridge sends out of PORT (to that node)
# are dropped / delivered.  pa: b -> a, pb: a -> b.
cut() { tc -n "$SW" qdisc replace dev "$1" root pfifo limit 0; }
uncut() { tc -n "$SW" qdisc del dev "$1" root 2>/dev/null; }

# ---- captures -----------------------------------------------------------------
# cap_start NODE : VRRP packets seen on NODE's eth0, one line each
cap_start() {
	ip netns exec "$(vg_ns "$1")" tcpdump -i eth0 -nn -tt -l --immediate-mode -Z root 'ip proto 112' \
		>"$VG_WORK/$1.cap" 2>"$VG_WORK/$1.cap.err" &
	VG_PIDS+=($!)
	eval "CAP_$1=$!"
	local i
	for i in $(seq 1 300); do
		grep -q "listening on" "$VG_WORK/$1.cap.err" 2>/dev/null && return 0
		sleep 0.01
	done
	return 1
}
cap_stop() {
	local pid
	pid=$(eval "echo \$CAP_$1")
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# adverts NODE SRC [AFTER_MS [BEFORE_MS]] : epoch ms of the adverts from SRC
# in NODE's capture, in order
adverts() {
	awk -v src="$2" -v after="${3:-0}" -v before="${4:-99999999999999}" '
		$2 == "IP" && $3 == src && /VRRP/ {
			split($1, t, "."); ms = t[1] * 1000 + int(substr(t[2], 1, 3))
			if (ms >= after && ms < before) printf "%.0f\n", ms
		}' "$VG_WORK/$1.cap"
}
first_advert() { adverts "$@" | head -1; }
last_advert() { adverts "$@" | tail -1; }

# wait_advert NODE SRC AFTER_MS TIMEOUT_MS : until NODE captured an advert
# from SRC after AFTER_MS; prints its time
wait_advert() {
	local i t
	for i in $(seq 1 $(($4 / 10))); do
		t=$(first_advert "$1" "$2" "$3")
		[ -n "$t" ] && { echo "$t"; return 0; }
		sleep 0.01
	done
	return 1
}

# ---- logs ---------------------------------------------------------------------
declare -A LOG_BASE
mark() { LOG_BASE[$1]=$(wc -l <"$VG_WORK/$1.log"); }
since_mark() { tail -n +$((${LOG_BASE[$1]:-0} + 1)) "$VG_WORK/$1.log" | grep -cF -- "$2"; }
wait_log() { # wait_log NODE TEXT TIMEOUT_MS : TEXT logged since mark NODE
	local i
	for i in $(seq 1 $(($3 / 10))); do
		[ "$(since_mark "$1" "$2")" -gt 0 ] && return 0
		sleep 0.01
	done
	return 1
}

within() { [ -n "$1" ] && [ "$1" -le "$2" ]; }
between() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }
ms_or_never() { [ -n "$1" ] && echo "$1 ms" || echo never; }

# ---- one partition ------------------------------------------------------------
# partition TAG : cut both directions; b becomes master on its down timer
partition() {
	local tag=$1 t_cut t_last t_add d
	sleep 0.3
	mark a; mark b
	cut pa && cut pb
	t_cut=$(vg_now_ms)	# nothing crosses after this
	vg_check "$tag: segment cut without a link going down" \
		test "$(ip -n "$(vg_ns b)" -br link show dev eth0 | awk '{print $2}')" = UP
	t=$(vg_wait_holder $VIP "a b" $((DOWN_B + 3000)) a b); rc=$?
	vg_check "$tag: split brain, both a and b hold the VIP (${t} ms after the cut)" test $rc -eq 0
	t_last=$(last_advert b 192.0.2.1 0 $((t_cut + 1)))
	t_add=$(vg_mon_added_ms b $VIP "$t_cut")
	d=$([ -n "$t_last" ] && [ -n "$t_add" ] && echo $((t_add - t_last)))
	vg_check "$tag: b took over $(ms_or_never "$d") after a's last advert it heard (down interval $DOWN_B +- $DOWN_MARGIN)" \
		between "$d" $((DOWN_B - DOWN_MARGIN)) $((DOWN_B + DOWN_MARGIN))
	vg_check "$tag: b logged MASTER" wait_log b "(VI_1) Entering MASTER STATE" 1000
	sleep 1.2	# a few adverts each way while cut
	vg_check "$tag: no advert of a crossed to b while cut" \
		test -z "$(first_advert b 192.0.2.1 $((t_cut + 1)))"
	vg_check "$tag: no advert of b crossed to a while cut" \
		test -z "$(first_advert a 192.0.2.2 $((t_cut + 1)))"
	vg_check "$tag: still both hold the VIP" test "$(vg_holders $VIP a b)" = "a b"
}

# healed TAG T_HEAL : after a -> b healed at T_HEAL, b steps down at a's next
# advert, within one advert interval; one master (a) remains
healed() {
	local tag=$1 t_heal=$2 t_adv t_del d
	t=$(vg_wait_holder $VIP a $((ADV + 2000)) a b); rc=$?
	vg_check "$tag: one master left, VIP on a only (${t} ms after the heal)" test $rc -eq 0
	t_del=$(vg_mon_deleted_ms b $VIP "$t_heal")
	d=$([ -n "$t_del" ] && echo $((t_del - t_heal)))
	vg_check "$tag: b removed the VIP $(ms_or_never "$d") after the heal (bound $ADV + $MARGIN)" \
		within "$d" $((ADV + MARGIN))
	vg_check "$tag: b yielded to a's higher priority" \
		wait_log b "(VI_1) Master received advert from 192.0.2.1 with higher priority 150, ours 100" 1000
	vg_check "$tag: b logged BACKUP" wait_log b "(VI_1) Entering BACKUP STATE" 1000
	sleep 2.2	# two more adverts: nothing flaps
	t_adv=$(first_advert b 192.0.2.1 "$t_heal")
	d=$([ -n "$t_adv" ] && [ -n "$t_del" ] && echo $((t_del - t_adv)))
	vg_check "$tag: b removed it $(ms_or_never "$d") after a's first advert reached it (bound $REACT)" \
		between "$d" -5 $REACT
	vg_check "$tag: VIP still on a only 2 s later" test "$(vg_holders $VIP a b)" = a
	vg_check "$tag: a never left MASTER" test "$(since_mark a "Entering BACKUP")" -eq 0
	vg_check "$tag: a never re-entered MASTER (no VIP re-add on a)" \
		test -z "$(vg_mon_added_ms a $VIP "$T_START")"
	vg_check "$tag: b did not become master again" \
		test "$(since_mark b "Entering MASTER")" -eq 1
}

# round_heal TAG : partition, then heal both directions at once
round_heal() {
	local tag=$1 t_heal
	partition "$tag"
	t_heal=$(vg_now_ms)
	uncut pa; uncut pb
	healed "$tag" "$t_heal"
}

# round_half TAG : partition, heal b -> a first (a answers b's lower
# advert at once), then a -> b
round_half() {
	local tag=$1 t_open t_b1 t_ans t_reg t_a0 t_heal d
	partition "$tag"
	t_open=$(vg_now_ms)
	uncut pa
	t_b1=$(wait_advert a 192.0.2.2 "$t_open" $((ADV + 1500)))
	vg_check "$tag: b's advert reaches a once b -> a heals" test -n "$t_b1"
	sleep 0.4
	t_ans=$([ -n "$t_b1" ] && first_advert a 192.0.2.1 "$t_b1")
	d=$([ -n "$t_ans" ] && echo $((t_ans - t_b1)))
	vg_check "$tag: a answered b's lower advert $(ms_or_never "$d") after it (bound $REACT)" \
		within "$d" $REACT
	# a's regular advert, had it not answered: one interval after its last
	t_a0=$([ -n "$t_b1" ] && last_advert a 192.0.2.1 0 "$t_b1")
	t_reg=$([ -n "$t_a0" ] && echo $((t_a0 + ADV - t_b1)))
	vg_check "$tag: ... which is no regular advert: that was due $(ms_or_never "$t_reg") after b's (b's phase $((DOWN_B - 3 * ADV)) ms after a's)" \
		within $((REACT + 150)) "${t_reg:-0}"
	vg_check "$tag: a logged the lower advert, forcing new election" \
		wait_log a "(VI_1) Received advert from 192.0.2.2 with lower priority 100, ours 150, forcing new election" 500
	vg_check "$tag: b is still master while a -> b is cut" test "$(vg_holders $VIP a b)" = "a b"
	t_heal=$(vg_now_ms)
	uncut pb
	healed "$tag" "$t_heal"
}

# ---- pairings -------------------------------------------------------------------
# pairing TAG START_A START_B ROUND...
pairing() {
	local tag=$1 start_a=$2 start_b=$3 r
	shift 3
	"$start_a" a "$(conf a MASTER 150)"
	"$start_b" b "$(conf b BACKUP 100)"
	t=$(vg_wait_holder $VIP a 8000 a b); rc=$?
	vg_check "$tag: start: a master, VIP on a only (${t} ms)" test $rc -eq 0
	sleep 1.5
	T_START=$(vg_now_ms)
	mark a
	for r in "$@"; do
		"$r" "$tag, ${r#round_}"
	done
	vg_stop a; vg_stop b
	sleep 0.2
	vg_check "$tag: no VIP left after both stopped" test -z "$(vg_holders $VIP a b)"
}

vg_setup a b || { echo "namespace setup failed"; exit 1; }
SW=$(vg_ns sw)
cut pa && uncut pa || { echo "tc pfifo qdisc not usable"; exit 1; }
vg_mon_start a
vg_mon_start b
cap_start a || { echo "tcpdump did not start"; exit 1; }
cap_start b || { echo "tcpdump did not start"; exit 1; }

pairing "vigil/vigil" vg_start_vigil vg_start_vigil round_heal round_half
if [ -x "$KEEPALIVED" ]; then
	pairing "vigil a/keepalived b" vg_start_vigil vg_start_keepalived round_half
	pairing "keepalived a/vigil b" vg_start_keepalived vg_start_vigil round_half
else
	echo "($KEEPALIVED not found: mixed pairings skipped)"
fi
cap_stop a; cap_stop b
vg_summary partition
