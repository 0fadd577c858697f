#!/bin/bash
# Track scripts with weights, notify scripts and the notify FIFO, on a
# Vigil pair: the seed's pattern (a script moves priority, the VIP follows),
# keepalived's notify arguments and FIFO lines, a hung script killed at
# its timeout.
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root

VIP=192.0.2.100
# each node's check succeeds while its file exists
touch "$VG_WORK/a.ok" "$VG_WORK/b.ok"

cat >"$VG_WORK/notify.sh" <<'EOS'
#!/bin/sh
echo "$*" >> "$0.$(basename "$1")".log 2>/dev/null
EOS
cat >"$VG_WORK/notify_any.sh" <<EOS
#!/bin/sh
echo "\$*" >> $VG_WORK/notify_any.log
EOS
cat >"$VG_WORK/state.sh" <<EOS
#!/bin/sh
echo "\$1" >> $VG_WORK/state.log
EOS
cat >"$VG_WORK/hang.sh" <<'EOS'
#!/bin/sh
sleep 30
EOS
chmod 755 "$VG_WORK"/*.sh
chmod 711 "$VG_WORK"

# conf NODE PRIORITY
conf() {
	cat >"$VG_WORK/$1.conf" <<EOC
global_defs {
    router_id $1
    enable_script_security
    script_user root
    notify_fifo $VG_WORK/$1.fifo
}
vrrp_script chk_ok {
    script "test -e $VG_WORK/$1.ok"
    interval 1
    weight -60
}
vrrp_script chk_hang {
    script "$VG_WORK/hang.sh"
    interval 2
    timeout 1
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 1
    track_script {
        chk_ok
        chk_hang weight 0
    }
    notify_master "$VG_WORK/state.sh master_script"
    notify "$VG_WORK/notify_any.sh generic"
    virtual_ipaddress {
        $VIP/24
    }
}
EOC
	echo "$VG_WORK/$1.conf"
}

vg_setup a b || { echo "namespace setup failed"; exit 1; }
# the hung script as weight 0 would hold A in FAULT: only B tracks it
sed_conf() { sed -i '/chk_hang weight 0/d' "$1"; echo "$1"; }
vg_start_vigil a "$(sed_conf "$(conf a 150)")"
vg_start_vigil b "$(conf b 100)"
for i in $(seq 1 200); do [ -p "$VG_WORK/a.fifo" ] && break; sleep 0.01; done
cat "$VG_WORK/a.fifo" > "$VG_WORK/a.fifo.txt" 2>/dev/null &
VG_PIDS+=($!)

t=$(vg_wait_holder $VIP a 8000 a b); rc=$?
vg_check "script OK: A (150) master (${t} ms)" test $rc -eq 0
vg_check "A logged VRRP_Script(chk_ok) succeeded" grep -q "VRRP_Script(chk_ok) succeeded" "$VG_WORK/a.log"

# B tracks a hung script with weight 0: killed at its 1 s timeout, counted
# as a failure, so B sits in FAULT
sleep 3
vg_check "hung script timed out on B" grep -q "VRRP_Script(chk_hang) timed_out" "$VG_WORK/b.log"
vg_check "B in FAULT because of it" grep -q "(VI_1) Entering FAULT STATE" "$VG_WORK/b.log"
vg_check "no hung script left running past its timeout (at most one)" \
	test "$(ip netns pids "$(vg_ns b)" | xargs -r ps -o comm= -p 2>/dev/null | grep -c hang)" -le 1
# let B work normally for the rest: restart it without the hung script
vg_stop b
vg_start_vigil b "$(sed_conf "$(conf b 100)")"
sleep 4

# the seed's pattern: the check fails -> priority 150 - 60 = 90 < 100 -> B
rm -f "$VG_WORK/a.ok"
t=$(vg_wait_holder $VIP b 6000 a b); rc=$?
vg_check "script fails: B took the VIP (${t} ms)" test $rc -eq 0
vg_check "A logged the priority change" grep -q "(VI_1) Changing effective priority from 150 to 90" "$VG_WORK/a.log"
vg_check "A logged the failure" grep -q "VRRP_Script(chk_ok) failed (exited with status 1)" "$VG_WORK/a.log"

touch "$VG_WORK/a.ok"
t=$(vg_wait_holder $VIP a 6000 a b); rc=$?
vg_check "script OK again: A preempted (${t} ms)" test $rc -eq 0

vg_stop a; vg_stop b
sleep 0.3
# notify arguments as keepalived passes them
vg_check "notify_master ran with its own arguments only" grep -qx "master_script" "$VG_WORK/state.log"
vg_check "notify got INSTANCE VI_1 MASTER 150" grep -qx "generic INSTANCE VI_1 MASTER 150" "$VG_WORK/notify_any.log"
vg_check "notify got INSTANCE VI_1 BACKUP 90" grep -qx "generic INSTANCE VI_1 BACKUP 90" "$VG_WORK/notify_any.log"
vg_check "notify got STOP with the effective priority" grep -qx "generic INSTANCE VI_1 STOP 150" "$VG_WORK/notify_any.log"
vg_check "FIFO lines as keepalived writes them" grep -qx 'INSTANCE "VI_1" MASTER 150' "$VG_WORK/a.fifo.txt"
vg_check "FIFO removed at exit (Vigil created it)" test ! -e "$VG_WORK/a.fifo"
vg_summary track_script
