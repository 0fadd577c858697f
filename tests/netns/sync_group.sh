#!/bin/bash
# vrrp_sync_group on a Vigil pair: a fault in one member moves the whole
# group (both VIPs change hands together), group notifications carry
# GROUP name STATE 0, and the group comes back together.
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root

cat >"$VG_WORK/gnotify.sh" <<EOS
#!/bin/sh
echo "\$*" >> $VG_WORK/gnotify.log
EOS
chmod 755 "$VG_WORK/gnotify.sh"

# conf NODE PRIORITY [TRACK-LINE [GROUP-TRACK-LINE]]
conf() {
	cat >"$VG_WORK/$1.conf" <<EOC
global_defs {
    router_id $1
    enable_script_security
    script_user root
}
vrrp_track_file gtf {
    file $VG_WORK/$1.gtf
}
vrrp_sync_group G {
    group {
        VI_1
        VI_2
    }
    notify "$VG_WORK/gnotify.sh $1"
    ${4:-}
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 52
    priority $2
    advert_int 1
    ${3:-}
    virtual_ipaddress {
        192.0.2.101/24
    }
}
EOC
	echo "$VG_WORK/$1.conf"
}

vg_setup a b || { echo "namespace setup failed"; exit 1; }
# a second interface on A that only VI_2 tracks (weight 0: down = FAULT)
ip -n "$(vg_ns a)" link add eth1 type veth peer name eth1p
ip -n "$(vg_ns a)" link set eth1 up
ip -n "$(vg_ns a)" link set eth1p up

vg_start_vigil a "$(conf a 150 'track_interface {
        eth1
    }')"
vg_start_vigil b "$(conf b 100)"
vg_wait_holder 192.0.2.100 a 8000 a b >/dev/null
t=$(vg_wait_holder 192.0.2.101 a 8000 a b); rc=$?
vg_check "A holds both VIPs (${t} ms)" test $rc -eq 0 -a "$(vg_holders 192.0.2.100 a b)" = a

ip -n "$(vg_ns a)" link set eth1 down
t=$(vg_wait_holder 192.0.2.100 b 6000 a b); rc1=$?
t2=$(vg_wait_holder 192.0.2.101 b 6000 a b); rc2=$?
vg_check "VI_2's fault took VI_1 along: B holds both VIPs (${t}/${t2} ms)" test $rc1 -eq 0 -a $rc2 -eq 0
vg_check "A logged the group sync to FAULT" grep -q "VRRP_Group(G) Syncing instances to FAULT state" "$VG_WORK/a.log"
vg_check "A's VI_1 entered FAULT with VI_2" test "$(grep -c 'Entering FAULT STATE' "$VG_WORK/a.log")" -ge 2

ip -n "$(vg_ns a)" link set eth1 up
t=$(vg_wait_holder 192.0.2.100 a 8000 a b); rc1=$?
t2=$(vg_wait_holder 192.0.2.101 a 8000 a b); rc2=$?
vg_check "fault cleared: A preempted both (${t}/${t2} ms)" test $rc1 -eq 0 -a $rc2 -eq 0

# trackers on the sync group itself apply to every member
vg_stop a
echo 0 >"$VG_WORK/a.gtf"
vg_start_vigil a "$(conf a 150 '' 'track_file {
        gtf weight 0
    }')"
t=$(vg_wait_holder 192.0.2.101 a 8000 a b); rc=$?
vg_check "restarted with a group track_file: A holds the VIPs (${t} ms)" test $rc -eq 0
echo 1 >"$VG_WORK/a.gtf"
t=$(vg_wait_holder 192.0.2.100 b 6000 a b); rc1=$?
t2=$(vg_wait_holder 192.0.2.101 b 6000 a b); rc2=$?
vg_check "the group's track_file failing put both members in FAULT (${t}/${t2} ms)" \
	test $rc1 -eq 0 -a $rc2 -eq 0
echo 0 >"$VG_WORK/a.gtf"
t=$(vg_wait_holder 192.0.2.100 a 8000 a b); rc1=$?
t2=$(vg_wait_holder 192.0.2.101 a 8000 a b); rc2=$?
vg_check "cleared: A preempted both (${t}/${t2} ms)" test $rc1 -eq 0 -a $rc2 -eq 0

vg_stop a; vg_stop b
sleep 0.3
vg_check "group notify: GROUP G MASTER 0" grep -qx "a GROUP G MASTER 0" "$VG_WORK/gnotify.log"
vg_check "group notify: GROUP G FAULT 0" grep -qx "a GROUP G FAULT 0" "$VG_WORK/gnotify.log"
vg_check "B's group went MASTER too" grep -qx "b GROUP G MASTER 0" "$VG_WORK/gnotify.log"
vg_summary sync_group
