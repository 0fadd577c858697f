#!/bin/bash
# vrrp_track_process on a Vigil pair: A (150) tracks a process with weight
# -60; while it runs A is master, when it exits A drops to 90 and B (100)
# takes the VIP, when it starts again A takes the VIP back.  Process events
# come from the kernel (process connector), not from polling /proc.
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root

# a process name unique to this run (the kernel keeps 15 characters)
NAME="vgp$$"
NAME=${NAME:0:15}
cp /bin/sleep "$VG_WORK/$NAME"

conf() {
	cat >"$VG_WORK/$1.conf" <<EOC
vrrp_track_process proc {
    process $NAME
    weight -60
    ${3:-}
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 1
    track_process {
        proc
    }
    virtual_ipaddress {
        192.0.2.100/24
    }
}
EOC
	echo "$VG_WORK/$1.conf"
}
start_proc() { "$VG_WORK/$NAME" 120 & PROC=$!; VG_PIDS+=($PROC); }

vg_setup a b || { echo "namespace setup failed"; exit 1; }
start_proc
vg_start_vigil a "$(conf a 150)"
# B tracks the same name with weight -60 too: 100 - 60 = 40 while it is down,
# 100 while it runs; keep it running on B's side by tracking nothing
sed -i '/track_process {/,/}/d' "$(conf b 100)"
vg_start_vigil b "$VG_WORK/b.conf"
t=$(vg_wait_holder 192.0.2.100 a 8000 a b); rc=$?
vg_check "process running: A master (${t} ms)" test $rc -eq 0
vg_check "A counted the running process" grep -q "Track process proc: 1 running" "$VG_WORK/a.log"

kill "$PROC"; wait "$PROC" 2>/dev/null
t=$(vg_wait_holder 192.0.2.100 b 6000 a b); rc=$?
vg_check "process gone: B took the VIP (${t} ms)" test $rc -eq 0
vg_check "A logged 150 -> 90" grep -q "(VI_1) Changing effective priority from 150 to 90" "$VG_WORK/a.log"

start_proc
t=$(vg_wait_holder 192.0.2.100 a 6000 a b); rc=$?
vg_check "process back: A preempted (${t} ms)" test $rc -eq 0

# terminate_delay: a process that comes back within the delay is never
# reported lost; one that stays away is reported after the delay.
vg_stop a
vg_start_vigil a "$(conf a 150 'terminate_delay 2.5')"
t=$(vg_wait_holder 192.0.2.100 a 8000 a b); rc=$?
vg_check "with terminate_delay 2.5: A master (${t} ms)" test $rc -eq 0
kill "$PROC"; wait "$PROC" 2>/dev/null
sleep 1.3		# the /proc rescan (once a second here) has seen it go
start_proc
sleep 3
vg_check "a process back within terminate_delay: no priority change" \
	test "$(grep -c 'Changing effective priority' "$VG_WORK/a.log")" -eq 0
t0=$(vg_now_ms)
kill "$PROC"; wait "$PROC" 2>/dev/null
for i in $(seq 1 100); do
	grep -q 'Changing effective priority from 150 to 90' "$VG_WORK/a.log" && break
	sleep 0.05
done
dt=$(( $(vg_now_ms) - t0 ))
vg_check "a process that stays away: reported after the delay (${dt} ms, 2500..3800)" \
	test "$dt" -ge 2500 -a "$dt" -le 3800
vg_check "and logged as quorum lost" grep -q "Track process proc: quorum lost" "$VG_WORK/a.log"
vg_stop a; vg_stop b
vg_summary track_process
