#!/bin/bash
# Two Vigil nodes on one segment (namespaces): election, crash takeover,
# graceful-stop takeover after Skew_Time, preemption and nopreempt.
# Takeover times are taken from the kernel's address events (ip monitor).
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root

VIP=192.0.2.100
MARGIN=50	# ms allowed beyond the RFC bound

# conf NODE STATE PRIORITY [EXTRA-LINE]
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
    virtual_routes {
        198.51.100.0/24 via 192.0.2.254 dev eth0
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

vg_setup a b || { echo "namespace setup failed"; exit 1; }
vg_mon_start a
vg_mon_start b

# 1. election: A (150) becomes master, B (100) backup
vg_start_vigil a "$(conf a MASTER 150)"
vg_start_vigil b "$(conf b BACKUP 100)"
t=$(vg_wait_holder $VIP a 6000 a b); rc=$?
vg_check "A elected master, VIP on A only (${t} ms)" test $rc -eq 0
sleep 1.2
vg_check "VIP stays on A only" test "$(vg_holders $VIP a b)" = a
vg_check "B logged BACKUP (init)" grep -q "(VI_1) Entering BACKUP STATE (init)" "$VG_WORK/b.log"
vg_check "A logged MASTER" grep -q "(VI_1) Entering MASTER STATE" "$VG_WORK/a.log"
has_route() { ip -n "$(vg_ns "$1")" route show 198.51.100.0/24 | grep -q "via 192.0.2.254"; }
vg_check "virtual_routes: the master has the route" has_route a
vg_check "virtual_routes: the backup has not" eval '! has_route b'


# 2. A crashes: B takes over within 3 x 1 s + (256-100)/256 s
t0=$(vg_now_ms)
vg_crash a
vg_wait_holder $VIP "a b" 5000 a b >/dev/null
t=$(takeover_ms b "$t0")
vg_check "crash: B took the VIP after ${t} ms (bound 3609 + $MARGIN)" within "$t" $((3609 + MARGIN))

# 3. A comes back (stale VIP cleaned), then preempts
vg_start_vigil a "$(conf a MASTER 150)"
t=$(vg_wait_holder $VIP a 6000 a b); rc=$?
vg_check "A back: preempted, VIP on A only (${t} ms)" test $rc -eq 0

# 4. graceful stop of A: B takes over after Skew_Time (0.609 s)
t0=$(vg_now_ms)
vg_stop a
vg_wait_holder $VIP b 2000 a b >/dev/null
t=$(takeover_ms b "$t0")
vg_check "graceful stop: B master after ${t} ms (bound 609 + $MARGIN)" within "$t" $((609 + MARGIN))
vg_check "A removed its VIP on stop" test -z "$(vg_holders $VIP a)"
vg_check "A removed its virtual route on stop" eval '! has_route a'
vg_check "B installed the route as new master" has_route b
vg_check "A pid files removed" test ! -e "$VG_WORK/a.pid"

# 5. nopreempt: A returns with nopreempt (state BACKUP) and does not preempt
vg_start_vigil a "$(conf a BACKUP 150 nopreempt)"
sleep 5
vg_check "nopreempt: VIP stays on B" test "$(vg_holders $VIP a b)" = b

vg_stop a; vg_stop b
vg_check "no VIP left after both stopped" test -z "$(vg_holders $VIP a b)"
vg_summary vrrp_pair
