#!/bin/bash
# track_file on a Vigil pair: the file's value times the weight moves A's
# priority (150 + value x 1); a value that drops it below B's hands the VIP
# over, restoring it takes the VIP back; init_file creates the file.  A
# second file tracked with weight 0: non-zero puts A in FAULT (B takes
# over), 0 again takes it out, with keepalived's -D lines.
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root

conf() {
	cat >"$VG_WORK/$1.conf" <<EOC
track_file tf {
    file $VG_WORK/$1.value
    weight 1
    init_file 0
}
track_file down {
    file $VG_WORK/$1.down
    init_file 0
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 1
    track_file {
        tf
        down weight 0
    }
    virtual_ipaddress {
        192.0.2.100/24
    }
}
EOC
	echo "$VG_WORK/$1.conf"
}

vg_setup a b || { echo "namespace setup failed"; exit 1; }
vg_start_vigil a "$(conf a 150)"
vg_start_vigil b "$(conf b 100)"
t=$(vg_wait_holder 192.0.2.100 a 8000 a b); rc=$?
vg_check "A master with value 0 (${t} ms)" test $rc -eq 0
vg_check "init_file created the file with 0" grep -qx 0 "$VG_WORK/a.value"

echo -60 > "$VG_WORK/a.value.new" && mv "$VG_WORK/a.value.new" "$VG_WORK/a.value"
t=$(vg_wait_holder 192.0.2.100 b 6000 a b); rc=$?
vg_check "value -60: A at 90, B took the VIP (${t} ms)" test $rc -eq 0
vg_check "A logged 150 -> 90" grep -q "(VI_1) Changing effective priority from 150 to 90" "$VG_WORK/a.log"

# written atomically: a plain "echo >" is seen half-done (empty = 0) first
echo 5 > "$VG_WORK/a.value.new" && mv "$VG_WORK/a.value.new" "$VG_WORK/a.value"
t=$(vg_wait_holder 192.0.2.100 a 6000 a b); rc=$?
vg_check "value 5: A at 155 preempted (${t} ms)" test $rc -eq 0
vg_check "A logged 90 -> 155" grep -q "(VI_1) Changing effective priority from 90 to 155" "$VG_WORK/a.log"

echo 1 > "$VG_WORK/a.down.new" && mv "$VG_WORK/a.down.new" "$VG_WORK/a.down"
t=$(vg_wait_holder 192.0.2.100 b 6000 a b); rc=$?
vg_check "weight 0, value 1: A in FAULT, B took the VIP (${t} ms)" \
	test $rc -eq 0 -a "$(grep -c "(VI_1) Entering FAULT STATE" "$VG_WORK/a.log")" -eq 1
vg_check "A logged keepalived's '(VI_1): tracked file down now FAULT state'" \
	grep -q "(VI_1): tracked file down now FAULT state" "$VG_WORK/a.log"
echo 0 > "$VG_WORK/a.down.new" && mv "$VG_WORK/a.down.new" "$VG_WORK/a.down"
t=$(vg_wait_holder 192.0.2.100 a 8000 a b); rc=$?
vg_check "value 0 again: A left FAULT and preempted (${t} ms)" test $rc -eq 0
vg_check "A logged '(VI_1): tracked file down leaving FAULT state'" \
	grep -q "(VI_1): tracked file down leaving FAULT state" "$VG_WORK/a.log"
vg_stop a; vg_stop b
vg_summary track_file
