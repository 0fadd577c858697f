#!/bin/bash
# Link faults and interface tracking (namespaces): a (Vigil MASTER 150) and
# b (Vigil BACKUP 100) on one segment.
#
#   1. a's eth0 goes down: a enters FAULT, b takes the VIP within the
#      master down interval; eth0 up: a enters BACKUP, then preempts
#   2. track_interface { eth1 weight -60 }: eth1 down lowers a to 90 and b
#      (100) takes over; eth1 up restores 150 and a preempts
#   3. track_interface { eth1 } (weight 0): eth1 down (or its carrier lost)
#      puts a in FAULT, its priority 0 advert hands over within Skew_Time;
#      eth1 up: a enters BACKUP, then preempts
# Takeover times are taken from the kernel's address events (ip monitor).
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root

VIP=192.0.2.100
MARGIN=100	# ms allowed beyond the RFC bounds (link events, polling)
DOWN_B=3609	# b's master down interval: 3 x 1 s + (256 - 100)/256 s
DOWN_A=3414	# a's: 3 x 1 s + (256 - 150)/256 s
SKEW_B=609	# b's Skew_Time, after a priority 0 advert

# conf NODE STATE PRIORITY [TRACK-BLOCK-LINE]
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
    ${4:-}
    authentication {
        auth_type PASS
        auth_pass s3cret
    }
    virtual_ipaddress {
        $VIP/24
    }
}
EOC
	echo "$VG_WORK/$1.conf"
}

# takeover_ms NODE SINCE_MS : ms from SINCE_MS until NODE added the VIP
takeover_ms() {
	local at
	at=$(vg_mon_added_ms "$1" $VIP "$2")
	[ -n "$at" ] && echo $((at - $2)) || echo never
}

within() { [ "$1" != never ] && [ "$1" -le "$2" ]; }
# between T MIN MAX : a fresh down timer neither fires early nor late
between() { within "$1" "$3" && [ "$1" -ge "$2" ]; }

# wait_log NODE TEXT [TIMEOUT_MS] : wait until NODE's log has TEXT (fixed
# string) at least once more than it had when the phase started
# (LOG_BASE[node], set by mark)
declare -A LOG_BASE
wait_log() {
	local node=$1 text=$2 tmo=${3:-2000} base=${LOG_BASE[$1]:-0} i
	for i in $(seq 1 $((tmo / 10))); do
		[ "$(tail -n +$((base + 1)) "$VG_WORK/$node.log" | grep -cF -- "$text")" -gt 0 ] &&
			return 0
		sleep 0.01
	done
	return 1
}

# mark NODE : later wait_log calls only look at lines logged after now
mark() { LOG_BASE[$1]=$(wc -l <"$VG_WORK/$1.log"); }

# since_mark NODE PATTERN : lines matching PATTERN logged since mark NODE
since_mark() { tail -n +$((${LOG_BASE[$1]:-0} + 1)) "$VG_WORK/$1.log" | grep -c -- "$2"; }

vg_setup a b || { echo "namespace setup failed"; exit 1; }
NSA=$(vg_ns a)
ip -n "$NSA" link add eth1 type veth peer name eth1p || { echo "veth setup failed"; exit 1; }
ip -n "$NSA" link set eth1 up
ip -n "$NSA" link set eth1p up
vg_mon_start a
vg_mon_start b

# ---- 1. a's own interface ----------------------------------------------------
vg_start_vigil a "$(conf a MASTER 150)"
vg_start_vigil b "$(conf b BACKUP 100)"
t=$(vg_wait_holder $VIP a 6000 a b); rc=$?
vg_check "start: a master, VIP on a only (${t} ms)" test $rc -eq 0
sleep 1.2

mark a
t0=$(vg_now_ms)
ip -n "$NSA" link set eth0 down
vg_check "eth0 down: a logged 'Netlink reports eth0 down'" wait_log a "Netlink reports eth0 down"
vg_check "eth0 down: a entered FAULT" wait_log a "(VI_1) Entering FAULT STATE"
vg_wait_holder $VIP b $((DOWN_B + 2000)) a b >/dev/null
vg_check "eth0 down: VIP on b only" test "$(vg_holders $VIP a b)" = b
t=$(takeover_ms b "$t0")
vg_check "eth0 down: b took the VIP after ${t} ms (bound $DOWN_B + $MARGIN)" \
	within "$t" $((DOWN_B + MARGIN))
sleep 1.5
vg_check "eth0 down: a stays in FAULT, VIP on b only" test "$(vg_holders $VIP a b)" = b

mark a
t0=$(vg_now_ms)
ip -n "$NSA" link set eth0 up
vg_check "eth0 up: a logged 'Netlink reports eth0 up'" wait_log a "Netlink reports eth0 up"
vg_check "eth0 up: a entered BACKUP" wait_log a "(VI_1) Entering BACKUP STATE"
vg_check "eth0 up: no 'Entering MASTER' before the down timer" \
	test "$(since_mark a "Entering MASTER")" -eq 0
vg_wait_holder $VIP a $((DOWN_A + 3000)) a b >/dev/null
vg_check "eth0 up: a preempted, VIP on a only" test "$(vg_holders $VIP a b)" = a
t=$(takeover_ms a "$t0")
vg_check "eth0 up: a took the VIP back after ${t} ms (new down timer $DOWN_A + $MARGIN)" \
	between "$t" $DOWN_A $((DOWN_A + MARGIN))

# restart a with a configuration CONF-LINE, and wait until it preempts
restart_a() {
	vg_stop a
	vg_start_vigil a "$(conf a MASTER 150 "$1")"
	t=$(vg_wait_holder $VIP a 8000 a b); rc=$?
	vg_check "$2: a started and preempted (${t} ms)" test $rc -eq 0
	sleep 1.2
}

# ---- 2. track_interface with a weight -----------------------------------------
restart_a "track_interface { eth1 weight -60 }" "weight -60"
vg_check "weight -60: a starts at priority 150 (no change logged)" \
	test "$(grep -c "Changing effective priority" "$VG_WORK/a.log")" -eq 0

mark a
t0=$(vg_now_ms)
ip -n "$NSA" link set eth1 down
vg_check "eth1 down: a logged 'Netlink reports eth1 down'" wait_log a "Netlink reports eth1 down"
vg_check "eth1 down: a logged the priority change 150 -> 90" \
	wait_log a "(VI_1) Changing effective priority from 150 to 90"
vg_check "eth1 down: a did not enter FAULT" \
	test "$(since_mark a "FAULT")" -eq 0
vg_wait_holder $VIP b $((DOWN_B + 2000)) a b >/dev/null
vg_check "eth1 down: VIP on b only" test "$(vg_holders $VIP a b)" = b
t=$(takeover_ms b "$t0")
vg_check "eth1 down: b (100) took over from a (90) after ${t} ms (bound $DOWN_B + $MARGIN)" \
	within "$t" $((DOWN_B + MARGIN))
vg_check "eth1 down: a yielded to b's higher priority" \
	wait_log a "(VI_1) Master received advert from 192.0.2.2 with higher priority 100, ours 90"
vg_check "eth1 down: a entered BACKUP" wait_log a "(VI_1) Entering BACKUP STATE"
sleep 1.5
vg_check "eth1 down: VIP stays on b" test "$(vg_holders $VIP a b)" = b

mark a
t0=$(vg_now_ms)
ip -n "$NSA" link set eth1 up
vg_check "eth1 up: a logged the priority change 90 -> 150" \
	wait_log a "(VI_1) Changing effective priority from 90 to 150"
vg_wait_holder $VIP a $((DOWN_A + 3000)) a b >/dev/null
vg_check "eth1 up: a preempted, VIP on a only" test "$(vg_holders $VIP a b)" = a
t=$(takeover_ms a "$t0")
vg_check "eth1 up: a took the VIP back after ${t} ms (bound $DOWN_A + $MARGIN)" \
	within "$t" $((DOWN_A + MARGIN))

# ---- 3. track_interface without weight: FAULT ---------------------------------
restart_a "track_interface { eth1 }" "weight 0"

# track_fault HOW DOWN-CMD UP-CMD : the tracked interface fails, then recovers
track_fault() {
	local how=$1
	mark a
	t0=$(vg_now_ms)
	ip -n "$NSA" link set "$2" down
	vg_check "$how: a logged 'Netlink reports eth1 down'" wait_log a "Netlink reports eth1 down"
	vg_check "$how: a entered FAULT" wait_log a "(VI_1) Entering FAULT STATE"
	vg_check "$how: a sent priority 0" wait_log a "(VI_1) sent 0 priority"
	vg_wait_holder $VIP b 3000 a b >/dev/null
	vg_check "$how: VIP on b only" test "$(vg_holders $VIP a b)" = b
	t=$(takeover_ms b "$t0")
	vg_check "$how: b took over after ${t} ms (Skew_Time $SKEW_B + $MARGIN)" \
		within "$t" $((SKEW_B + MARGIN))
	sleep 1.5
	vg_check "$how: a stays in FAULT, VIP on b only" test "$(vg_holders $VIP a b)" = b

	mark a
	t0=$(vg_now_ms)
	ip -n "$NSA" link set "$3" up
	vg_check "$how, back up: a logged 'Netlink reports eth1 up'" wait_log a "Netlink reports eth1 up"
	vg_check "$how, back up: a entered BACKUP" wait_log a "(VI_1) Entering BACKUP STATE"
	vg_wait_holder $VIP a $((DOWN_A + 3000)) a b >/dev/null
	vg_check "$how, back up: a preempted, VIP on a only" test "$(vg_holders $VIP a b)" = a
	t=$(takeover_ms a "$t0")
	vg_check "$how, back up: a took the VIP back after ${t} ms (new down timer $DOWN_A + $MARGIN)" \
		between "$t" $DOWN_A $((DOWN_A + MARGIN))
	sleep 1.2
}
track_fault "eth1 down" eth1 eth1
# the carrier goes (the veth peer is down) while eth1 itself stays up
track_fault "eth1 carrier lost" eth1p eth1p

vg_stop a; vg_stop b
vg_check "no VIP left after both stopped" test -z "$(vg_holders $VIP a b)"
vg_summary fault
