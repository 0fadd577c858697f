#!/bin/bash
# Capabilities (include/caps.h), read from /proc of a running daemon:
#   1. no script runs as root (a track script as `nobody`, a proxied virtual
#      server): the bounding, permitted and effective sets hold exactly the
#      kept capabilities; every proxy worker thread holds none; VRRP, the
#      script (as nobody) and the proxy still work, and a reload that moves
#      the virtual server to another privileged port still binds it
#   2. a track script as root: the daemon keeps all its capabilities
#   3. files the daemon creates: notify FIFO and dump files 0600 (umask
#      0177, keepalived's default), pid files 0644, none world-writable
# Namespaces as tests/netns/lib.sh; documentation addresses only.
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root
PY=$(command -v python3)
VIP=192.0.2.6
B=192.0.2.2

# CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER KILL SETGID SETUID NET_BIND_SERVICE
# NET_ADMIN NET_RAW IPC_LOCK SYS_NICE SYS_RESOURCE
KEEP=0
for c in 0 1 2 3 5 6 7 10 12 13 14 23 24; do KEEP=$((KEEP | (1 << c))); done
FULL=$((16#$(awk '/^CapBnd/ {print $2}' /proc/self/status)))
KEEP=$((KEEP & FULL))	# a container may withhold some (SYS_RESOURCE, say)

vg_setup lb b || { echo "namespace setup failed"; exit 1; }
trap '{ vg_cleanup; wait; } 2>/dev/null' EXIT	# reap what it kills quietly
chmod 755 "$VG_WORK"
ip netns exec "$(vg_ns b)" "$PY" -m http.server 8000 --bind $B \
	--directory "$VG_WORK" >/dev/null 2>&1 &
VG_PIDS+=($!)
echo hello >"$VG_WORK/index.html"

printf '#!/bin/sh\nid -u > %s/script.uid\nexit 0\n' "$VG_WORK" >"$VG_WORK/chk.sh"
chmod 755 "$VG_WORK/chk.sh"
touch "$VG_WORK/script.uid"
chmod 666 "$VG_WORK/script.uid"

# conf USER PORT
conf() {
	cat >"$VG_WORK/lb.conf" <<EOC
global_defs {
    router_id lb
    enable_script_security
    script_user $1
    vrrp_notify_fifo $VG_WORK/notify.fifo
}
vrrp_script chk {
    script "$VG_WORK/chk.sh"
    interval 1
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 1
    virtual_ipaddress {
        $VIP/24
    }
    track_script {
        chk
    }
}
virtual_server $VIP $2 {
    lb_algo rr
    lb_kind PROXY
    protocol TCP
    real_server $B 8000 {
    }
}
EOC
}

# hexfield PID|PID/task/TID FIELD : a capability set as a number
capfield() { echo $((16#$(awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"))); }
daemon_pid() { cat "$VG_WORK/lb.pid" 2>/dev/null; }
fetch() { ip netns exec "$(vg_ns lb)" curl -s --max-time 3 "http://$VIP:$1/index.html"; }
wait_until() {	# wait_until TRIES COMMAND...: 0.25 s apart
	local n=$1 i; shift
	for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.25; done
	return 1
}
served() { [ "$(fetch "$1")" = hello ]; }

# ---- 1. no root script ---------------------------------------------------------------
conf nobody 80
touch "$VG_WORK/start.stamp"
TMPDIR=$VG_WORK vg_start_vigil lb "$VG_WORK/lb.conf"
wait_until 40 test -s "$VG_WORK/lb.pid"
pid=$(daemon_pid)
vg_wait_holder $VIP lb 6000 lb >/dev/null
vg_check "VIP held" test "$(vg_holders $VIP lb)" = lb
wait_until 20 test -s "$VG_WORK/script.uid"
vg_check "track script ran as nobody ($(cat "$VG_WORK/script.uid"))" \
	test "$(cat "$VG_WORK/script.uid")" = "$(id -u nobody)"
vg_check "logged the limit" grep -q "capabilities limited" "$VG_WORK/lb.log"
bnd=$(capfield "$pid" CapBnd) eff=$(capfield "$pid" CapEff) prm=$(capfield "$pid" CapPrm)
vg_check "bounding set = kept set ($(printf %x "$bnd"))" test "$bnd" -eq $KEEP
vg_check "permitted set = kept set ($(printf %x "$prm"))" test "$prm" -eq $KEEP
vg_check "effective set = kept set ($(printf %x "$eff"))" test "$eff" -eq $KEEP
zero=0 tasks=0
for t in /proc/"$pid"/task/*; do
	tasks=$((tasks + 1))
	[ "$(capfield "$pid/task/${t##*/}" CapEff)" -eq 0 ] && zero=$((zero + 1))
done
# proxy_workers defaults to one per core; the health thread keeps the
# process's set (it forks MISC_CHECK scripts)
workers=$(nproc)
vg_check "$zero of $tasks threads hold no capability (>= $workers proxy workers)" \
	test "$zero" -ge "$workers" -a "$zero" -lt "$tasks"
wait_until 20 served 80
vg_check "proxy serves on :80" served 80

conf nobody 81
vg_signal lb HUP
wait_until 40 served 81
vg_check "after reload, proxy binds privileged :81 and serves" served 81
vg_check "daemon still the same process" test "$(daemon_pid)" = "$pid"
vg_check "VIP still held after reload" test "$(vg_holders $VIP lb)" = lb

# ---- 3. file modes -------------------------------------------------------------------
vg_signal lb USR1
vg_signal lb USR2
wait_until 20 test -s "$VG_WORK/keepalived.stats"
mode() { stat -c %a "$1" 2>/dev/null; }
vg_check "notify FIFO mode $(mode "$VG_WORK/notify.fifo") (600)" test "$(mode "$VG_WORK/notify.fifo")" = 600
vg_check "keepalived.data mode $(mode "$VG_WORK/keepalived.data") (600)" \
	test "$(mode "$VG_WORK/keepalived.data")" = 600
vg_check "keepalived.stats mode $(mode "$VG_WORK/keepalived.stats") (600)" \
	test "$(mode "$VG_WORK/keepalived.stats")" = 600
vg_check "pid file mode $(mode "$VG_WORK/lb.pid") (644)" test "$(mode "$VG_WORK/lb.pid")" = 644
ww=$(find "$VG_WORK" -newer "$VG_WORK/start.stamp" -perm -o+w ! -name script.uid ! -type l | wc -l)
vg_check "no world-writable file created ($ww)" test "$ww" -eq 0
vg_stop lb

# ---- 2. a root script ----------------------------------------------------------------
conf root 80
rm -f "$VG_WORK/lb.pid"
vg_start_vigil lb "$VG_WORK/lb.conf"
wait_until 40 test -s "$VG_WORK/lb.pid"
pid=$(daemon_pid)
wait_until 20 grep -q "VRRP_Script(chk) succeeded" "$VG_WORK/lb.log"
vg_check "root script: bounding set untouched" test "$(capfield "$pid" CapBnd)" -eq "$FULL"
vg_check "root script: effective set untouched" test "$(capfield "$pid" CapEff)" -eq "$FULL"
vg_check "root script: no limit logged" test "$(grep -c 'capabilities limited' "$VG_WORK/lb.log")" -eq 0
vg_stop lb

vg_summary caps
