#!/bin/bash
# The seed's HA pair, on one machine: balancers A (192.0.2.4, MASTER 101)
# and D (192.0.2.3, BACKUP 99) run Vigil with samples/seed_master.conf and
# samples/seed_backup.conf, in network namespaces joined by a bridge, and
# share the VIP 192.0.2.6.  Prints a timeline with measured takeover times
# and removes every namespace at the end.
#
# (The built-in proxy, track scripts and mail alerts come with issues #4-#6;
# this demo shows the VRRP part of the seed working end to end.)
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/..}
. "$here/../tests/netns/lib.sh"
vg_require_root

VIP=192.0.2.6
step() { printf '%8s ms  %s\n' "$(( $(vg_now_ms) - T0 ))" "$*"; }

vg_setup a d >/dev/null || { echo "namespace setup failed"; exit 1; }
# the seed's addresses, mapped to documentation ones: A .4, D .3
ip -n "$(vg_ns a)" addr flush dev eth0 scope global
ip -n "$(vg_ns a)" addr add 192.0.2.4/24 dev eth0
ip -n "$(vg_ns d)" addr flush dev eth0 scope global
ip -n "$(vg_ns d)" addr add 192.0.2.3/24 dev eth0
vg_mon_start a
vg_mon_start d

T0=$(vg_now_ms)
echo "Vigil seed HA demo: A = 192.0.2.4 (MASTER, priority 101), D = 192.0.2.3 (BACKUP, 99), VIP $VIP"
vg_start_vigil a "$here/seed_master.conf"
vg_start_vigil d "$here/seed_backup.conf"
step "started A and D"
if t=$(vg_wait_holder $VIP a 8000 a d); then
	step "VIP on A (elected after $t ms: 3 x 1 s + skew, as RFC 3768 says)"
else
	step "FAILED: VIP not on A alone (holders: $(vg_holders $VIP a d))"; exit 1
fi

sleep 2
t0=$(vg_now_ms)
vg_crash a
step "A crashed (SIGKILL)"
vg_wait_holder $VIP "a d" 8000 a d >/dev/null
at=$(vg_mon_added_ms d $VIP "$t0")
step "VIP on D, $((at - t0)) ms after the crash (bound 3 x 1 s + (256-99)/256 s = 3613 ms)"

vg_start_vigil a "$here/seed_master.conf"
step "A restarted"
if t=$(vg_wait_holder $VIP a 8000 a d); then
	step "A preempted: VIP back on A after $t ms"
else
	step "FAILED: A did not preempt"; exit 1
fi

sleep 2
t0=$(vg_now_ms)
vg_stop a
step "A stopped gracefully (SIGTERM: priority-0 advert)"
vg_wait_holder $VIP d 4000 a d >/dev/null
at=$(vg_mon_added_ms d $VIP "$t0")
step "VIP on D, $((at - t0)) ms after the stop (bound: skew (256-99)/256 s = 613 ms)"

vg_stop d
step "D stopped; VIP holders now: [$(vg_holders $VIP a d)]"
echo
echo "A's log:"; sed 's/^/  /' "$VG_WORK/a.log" | grep -E "Entering|Stopp|track_script" | tail -8
echo "D's log:"; sed 's/^/  /' "$VG_WORK/d.log" | grep -E "Entering|Stopp|track_script" | tail -8
