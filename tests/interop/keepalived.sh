#!/bin/bash
# Interop with Debian's keepalived 2.2.7 on one segment (namespaces):
# {Vigil master + keepalived backup, keepalived master + Vigil backup}
#   x {v2 1 s, v3 0.1 s} x {IPv4 multicast, IPv4 unicast, IPv6}.
# Each case: one master elected and exactly one VIP holder; master crash ->
# backup takes over within the RFC bound (+50 ms, from the kernel's address
# events); master back -> preempts.
set -u
. "$(dirname "$0")/../netns/lib.sh"
vg_require_root
if [ ! -x "$KEEPALIVED" ]; then
	echo "FAIL: keepalived ($KEEPALIVED) not installed"
	exit 1
fi
MARGIN=50
CASES=${INTEROP_CASES:-all}

vg_setup m b || { echo "namespace setup failed"; exit 1; }

# conf NODE PRIO FAMILY MODE VERSION ADVERT
conf() {
	local node=$1 prio=$2 fam=$3 mode=$4 ver=$5 adv=$6 vip self peer uni=""
	if [ "$fam" = 6 ]; then vip=2001:db8::100/64; else vip=192.0.2.100/24; fi
	if [ "$node" = m ]; then self=1; peer=2; else self=2; peer=1; fi
	if [ "$mode" = unicast ]; then
		uni="unicast_src_ip 192.0.2.$self
    unicast_peer {
        192.0.2.$peer
    }"
	fi
	cat >"$VG_WORK/$node.conf" <<EOC
global_defs {
    router_id node_$node
    vrrp_version $ver
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 61
    priority $prio
    advert_int $adv
    $uni
    virtual_ipaddress {
        $vip
    }
}
EOC
	echo "$VG_WORK/$node.conf"
}

start() { # start NODE IMPL CONF
	if [ "$2" = vigil ]; then vg_start_vigil "$1" "$3"; else vg_start_keepalived "$1" "$3"; fi
}

# run_case MASTER_IMPL BACKUP_IMPL FAMILY MODE VERSION ADVERT_S BOUND_MS
run_case() {
	local mi=$1 bi=$2 fam=$3 mode=$4 ver=$5 adv=$6 bound=$7 vip t t0 at
	local name="$mi master + $bi backup, v$ver ${adv}s, IPv$fam $mode"
	if [ "$fam" = 6 ]; then vip=2001:db8::100; else vip=192.0.2.100; fi
	local settle=$(( ${adv/./} ))	# rough: adverts of 1 s or 0.1 s
	vg_mon_start m
	vg_mon_start b
	start m "$mi" "$(conf m 150 "$fam" "$mode" "$ver" "$adv")"
	start b "$bi" "$(conf b 100 "$fam" "$mode" "$ver" "$adv")"
	t=$(vg_wait_holder $vip m 8000 m b)
	vg_check "$name: master elected, VIP on the master only (${t} ms)" test $? -eq 0
	sleep "$(awk "BEGIN{print $adv * 3}")"
	vg_check "$name: still exactly one holder after 3 adverts" test "$(vg_holders $vip m b)" = m

	t0=$(vg_now_ms)
	vg_crash m
	vg_wait_holder $vip "m b" 8000 m b >/dev/null
	at=$(vg_mon_added_ms b $vip "$t0")
	t=$([ -n "$at" ] && echo $((at - t0)) || echo never)
	vg_check "$name: crash -> backup took the VIP after ${t} ms (bound $bound + $MARGIN)" \
		test "$t" != never -a "${t/never/0}" -le $((bound + MARGIN))

	start m "$mi" "$(conf m 150 "$fam" "$mode" "$ver" "$adv")"
	t=$(vg_wait_holder $vip m 8000 m b)
	vg_check "$name: master back -> preempted, VIP on the master only (${t} ms)" test $? -eq 0

	vg_stop m
	vg_stop b
	# monitors die with the namespaces' processes; restart them next case
	local p
	for p in "${VG_MON_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	VG_MON_PIDS=()
	for n in m b; do
		ip -n "$(vg_ns $n)" addr del "$vip/$([ "$fam" = 6 ] && echo 64 || echo 24)" dev eth0 2>/dev/null
		[ -f "$VG_WORK/$n.log" ] && mv "$VG_WORK/$n.log" "$VG_WORK/${n}.$mi-$bi-$fam-$mode-$ver.log.old"
	done
	: "$settle"
}

for pair in "vigil keepalived" "keepalived vigil"; do
	set -- $pair
	# v2 1 s: bound 3 x 1 + (256-100)/256 = 3609 ms; v3 0.1 s: 300 + 60.9 = 361 ms
	run_case "$1" "$2" 4 multicast 2 1 3609
	run_case "$1" "$2" 4 unicast 2 1 3609
	run_case "$1" "$2" 4 multicast 3 0.1 361
	run_case "$1" "$2" 4 unicast 3 0.1 361
	run_case "$1" "$2" 6 multicast 3 1 3609
	run_case "$1" "$2" 6 multicast 3 0.1 361
done
vg_summary interop
