#!/bin/bash
# SIGHUP reload on a Vigil pair (A 150 master, B 100), as keepalived users
# need it: an instance whose configuration did not change keeps MASTER,
# loses no VIP (the kernel's address events say so) and sends no GARP
# burst; an added instance starts, a removed one stops and its VIP goes; a
# VIP added to a running master appears without the others moving; a
# configuration that fails to load changes nothing; a track script keeps
# its result; a download through the built-in proxy that spans the
# reload completes, and wrk through the proxy across three reloads sees no
# error.
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root
proxy=no
"$VIGIL" -v 2>&1 | grep -q "^Build options:.* PROXY" && proxy=yes

cat >"$VG_WORK/chk.sh" <<'EOF'
#!/bin/sh
exit 0
EOF
chmod 755 "$VG_WORK/chk.sh"
head -c 3000000 /dev/urandom >"$VG_WORK/big.bin"

# conf_a [EXTRA-VIP] [WITH-VI_2] [BROKEN]
conf_a() {
	local extra=${1:-} vi2=${2:-} broken=${3:-}
	{
	cat <<EOC
global_defs {
    router_id A
    enable_script_security
    script_user root
}
vrrp_script chk {
    script "$VG_WORK/chk.sh"
    interval 1
    weight -60
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 1
    track_script {
        chk
    }
    virtual_ipaddress {
        192.0.2.100/24
        $extra
    }
}
EOC
	[ -n "$vi2" ] && cat <<EOC
vrrp_instance VI_2 {
    interface eth0
    virtual_router_id 52
    priority 150
    advert_int 1
    virtual_ipaddress {
        192.0.2.101/24
    }
}
EOC
	[ "$proxy" = yes ] && cat <<EOC
virtual_server 192.0.2.100 80 {
    lb_kind PROXY
    protocol TCP
    real_server 192.0.2.2 8080 {
        weight 1
    }
}
EOC
	# a keyword without its value: keepalived's "missing parameter" error
	[ -n "$broken" ] && printf 'vrrp_instance VI_3 {\n    virtual_router_id\n}\n'
	} >"$VG_WORK/a.conf"
}

# A's VI_1 gains a VIP at reload 2: B takes its adverts all the same
# (else it would go master 3 s later and the test would race it)
cat >"$VG_WORK/b.conf" <<EOC
vrrp_instance VI_1 {
    skip_check_adv_addr
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
EOC

# the real server: python's file server (a connection per request), with
# a listen backlog that takes bursts of new connections: python's default
# of 5 drops SYNs under wrk, and a dropped SYN costs the request a 1 s
# retry - sometimes two, beyond wrk's 2 s timeout
cat >"$VG_WORK/web.py" <<'EOP'
import functools, http.server, sys
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass
class S(http.server.ThreadingHTTPServer):
    request_queue_size = 128
S(("192.0.2.2", 8080), functools.partial(H, directory=sys.argv[1])).serve_forever()
EOP
vg_setup a b c || { echo "namespace setup failed"; exit 1; }
(exec setsid ip netns exec "$(vg_ns b)" python3 "$VG_WORK/web.py" "$VG_WORK" >/dev/null 2>&1) &
VG_PIDS+=($!)
conf_a
vg_mon_start a
vg_start_vigil a "$VG_WORK/a.conf"
vg_start_vigil b "$VG_WORK/b.conf"
t=$(vg_wait_holder 192.0.2.100 a 8000 a b); rc=$?
vg_check "A master before the reloads (${t} ms)" test $rc -eq 0
# the track script has a result, and garp_master_delay's second burst
# (5 s after becoming master) is over
sleep 6

# wait_log PATTERN SECONDS : A's log gets a line matching PATTERN (count grows)
wait_log() {
	local before i
	before=$(grep -c -- "$1" "$VG_WORK/a.log")
	vg_signal a HUP
	for i in $(seq 1 $(($2 * 20))); do
		[ "$(grep -c -- "$1" "$VG_WORK/a.log")" -gt "$before" ] && return 0
		sleep 0.05
	done
	return 1
}
arps() { # arps SECONDS: gratuitous ARPs for .100 seen from C
	timeout "$1" ip netns exec "$(vg_ns c)" tcpdump -i eth0 -nn -l arp 2>/dev/null |
		tee -a "$VG_WORK/arps.txt" | grep -c 'who-has 192.0.2.100 .*tell 192.0.2.100'
}

# 1. unchanged instance, plus a new one; a download through the proxy spans it
t0=$(vg_now_ms)
if [ "$proxy" = yes ]; then
	ip netns exec "$(vg_ns c)" curl -s --max-time 20 --limit-rate 1000K -o "$VG_WORK/dl.bin" \
		-w '%{http_code}' http://192.0.2.100/big.bin >"$VG_WORK/dl.code" 2>/dev/null &
	dl=$!
	sleep 1
fi
arps 3 >"$VG_WORK/arps1" &
arps_job=$!
sleep 0.3
conf_a "" vi2
wait_log "Reload complete" 5
vg_check "reload 1 (VI_2 added): 'Reload complete'" test $? -eq 0
wait "$arps_job"
[ "$proxy" = yes ] && wait "$dl"
vg_check "VI_1 kept MASTER: 'kept its MASTER state over the reload'" \
	grep -q "(VI_1) kept its MASTER state over the reload" "$VG_WORK/a.log"
vg_check "no deletion of 192.0.2.100 on A since before the reload" \
	test -z "$(vg_mon_deleted_ms a 192.0.2.100 "$t0")"
vg_check "no GARP burst for the unchanged VIP ($(cat "$VG_WORK/arps1") seen in 3 s)" \
	test "$(cat "$VG_WORK/arps1")" -eq 0
vg_check "the track script kept its result" \
	grep -q "VRRP_Script(chk) considered successful on reload" "$VG_WORK/a.log"
t=$(vg_wait_holder 192.0.2.101 a 6000 a b); rc=$?
vg_check "the added VI_2 came up and took 192.0.2.101 (${t} ms)" test $rc -eq 0
if [ "$proxy" = yes ]; then
	vg_check "a download through the proxy spanning the reload completed (HTTP $(cat "$VG_WORK/dl.code"), $(stat -c %s "$VG_WORK/dl.bin" 2>/dev/null) bytes)" \
		cmp -s "$VG_WORK/dl.bin" "$VG_WORK/big.bin"
	code=$(ip netns exec "$(vg_ns c)" curl -s -o /dev/null --max-time 5 -w '%{http_code}' \
		http://192.0.2.100/)
	vg_check "the proxy serves new connections after the reload ($code)" test "$code" = 200
fi

# 2. a VIP added to the running master, under load through the proxy
t0=$(vg_now_ms)
if [ "$proxy" = yes ] && command -v wrk >/dev/null; then
	ip netns exec "$(vg_ns c)" wrk -t1 -c8 -d6s http://192.0.2.100/ >"$VG_WORK/wrk.txt" 2>&1 &
	wrk_job=$!
	sleep 1.5
fi
conf_a "192.0.2.102/24" vi2
wait_log "Reload complete" 5
if [ -n "${wrk_job:-}" ]; then
	# two more reloads of the same configuration under the same load: each
	# hands the listening socket over while connections queue on it
	reloads=1
	for i in 1 2; do
		sleep 0.8
		wait_log "Reload complete" 5 && reloads=$((reloads + 1))
	done
	wait "$wrk_job"
	reqs=$(awk '/requests in/ {print $1}' "$VG_WORK/wrk.txt")
	vg_check "wrk through the proxy across $reloads reloads: ${reqs:-no} requests" \
		test "${reqs:-0}" -gt 0 -a "$reloads" -eq 3
	vg_check "and no socket error or non-2xx ($(grep -E 'Socket errors|Non-2xx' "$VG_WORK/wrk.txt" | tr -s ' ' | tr '\n' ' '))" \
		eval '! grep -qE "Socket errors|Non-2xx" "$VG_WORK/wrk.txt"'
fi
t=$(vg_wait_holder 192.0.2.102 a 3000 a b); rc=$?
vg_check "reload 2: the added VIP 192.0.2.102 appeared (${t} ms)" test $rc -eq 0
vg_check "and 192.0.2.100 was never removed" test -z "$(vg_mon_deleted_ms a 192.0.2.100 "$t0")"

# 3. VI_2 removed: it stops and its address goes
conf_a "192.0.2.102/24"
wait_log "Reload complete" 5
t=$(vg_wait_holder 192.0.2.101 "" 3000 a b); rc=$?
vg_check "reload 3: the removed VI_2 let 192.0.2.101 go (${t} ms)" test $rc -eq 0
vg_check "VI_1 still holds 192.0.2.100" test "$(vg_holders 192.0.2.100 a b)" = a

# 4. a configuration that does not load changes nothing
conf_a "192.0.2.102/24" "" broken
before=$(grep -c "Reload complete" "$VG_WORK/a.log")
wait_log "Reload failed" 5
vg_check "reload 4: a broken configuration is refused" test $? -eq 0
sleep 0.5
vg_check "and nothing moved: A holds 192.0.2.100 and .102, no new 'Reload complete'" \
	test "$(vg_holders 192.0.2.100 a b)" = a -a "$(vg_holders 192.0.2.102 a b)" = a \
	-a "$(grep -c "Reload complete" "$VG_WORK/a.log")" -eq "$before"
vg_check "A is still running" kill -0 "$(vg_pid a)"

vg_stop a
vg_stop b
vg_summary reload
