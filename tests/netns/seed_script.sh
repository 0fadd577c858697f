#!/bin/bash
# The seed's own track script, samples/nginx_status.sh, unchanged, run by
# Vigil on the seed's pair: A (samples/seed_master.conf, 101, MASTER) and
# D (samples/seed_backup.conf, 99), each with an nginx on port 80 in its
# namespace.  The script finds nginx by nmap, restarts it when the port is
# closed and, if it is still closed 3 s later, stops the daemon.
#  (a) nginx killed on A: the script restarts it, the VIP stays on A.
#  (b) nginx killed and unable to restart, the seed's config as it is
#      (interval 2, no timeout): the script is killed at its timeout (the
#      interval, as keepalived 2.2.7 does) inside its `sleep 3`, so it never
#      reaches the stop; A stays master (101 against D's 99 + 2).
#  (c) the same with `timeout 10` added: the stop runs, A sends priority 0
#      and D takes the VIP.
# Runs with the real keepalived too: VIGIL=/usr/sbin/keepalived.
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root
missing=""
for c in nmap nginx; do
	command -v "$c" >/dev/null || [ -x "/usr/sbin/$c" ] || missing="$missing $c"
done
if [ -n "$missing" ]; then
	echo "FAIL: missing:$missing (Debian packages nmap nginx-light)"
	exit 1
fi
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)

VIP=192.0.2.6
chmod 711 "$VG_WORK"
cp "$SRC/samples/nginx_status.sh" "$VG_WORK/nginx_status.sh"
chmod 755 "$VG_WORK/nginx_status.sh"

vg_setup a d || { echo "namespace setup failed"; exit 1; }

# nginx_conf NODE : a minimal nginx on port 80, its files in the work dir
nginx_conf() {
	local w="$VG_WORK/$1.nginx"
	mkdir -p "$w"
	cat >"$w/nginx.conf" <<EOC
daemon on;
worker_processes 1;
pid $w/nginx.pid;
error_log $w/error.log;
events {
    worker_connections 64;
}
http {
    access_log $w/access.log;
    client_body_temp_path $w/body;
    proxy_temp_path $w/proxy;
    fastcgi_temp_path $w/fastcgi;
    uwsgi_temp_path $w/uwsgi;
    scgi_temp_path $w/scgi;
    server {
        listen 80;
        location / {
            return 200 "$1\n";
        }
    }
}
EOC
	# $NGINX for the script: nginx with this config, or a failure while
	# the node's flag file "broken" exists
	cat >"$w/nginx.sh" <<EOS
#!/bin/sh
[ -e $w/broken ] && exit 1
# nginx takes \$NGINX in its environment for inherited sockets (binary
# upgrade) and would stay in the foreground: not ours to pass on
exec env -u NGINX $NGINX_BIN -c $w/nginx.conf -e $w/error.log "\$@"
EOS
	# \$KEEPALIVED_STOP: stop this node's daemon, as the init script would
	cat >"$w/stop.sh" <<EOS
#!/bin/sh
echo "\$(date +%s%N)" >> $w/stopped
kill -TERM "\$(cat $VG_WORK/$1.pid)"
EOS
	chmod 755 "$w/nginx.sh" "$w/stop.sh"
	chmod 711 "$w"
}

# conf NODE SAMPLE [EXTRA] : the seed's config, the script's path adjusted
conf() {
	sed -e "s|\${_PWD}/nginx_status.sh|$VG_WORK/nginx_status.sh|" \
		-e "s|^\(    weight 2\)$|\1${3:+\n    $3}|" \
		"$SRC/samples/$2" >"$VG_WORK/$1.conf"
	echo "$VG_WORK/$1.conf"
}

# start NODE CONF : the daemon, with the script's environment
start() {
	local w="$VG_WORK/$1.nginx"
	NGINX="$w/nginx.sh" PORT=80 KEEPALIVED_STOP="$w/stop.sh" vg_start_vigil "$1" "$2"
}

nginx_pids() {
	ip netns pids "$(vg_ns "$1")" | xargs -r ps -o pid=,comm= -p 2>/dev/null |
		awk '$2 == "nginx" { print $1 }'
}
nginx_up() { [ -n "$(nginx_pids "$1")" ] && ip netns exec "$(vg_ns "$1")" \
	nmap localhost -p 80 2>/dev/null | grep -q "80/tcp open"; }
kill_nginx() { nginx_pids "$1" | xargs -r kill -9; }
daemon_alive() { kill -0 "$(vg_pid "$1")" 2>/dev/null; }

# stays NODE SECONDS : the VIP is on NODE alone at every look for SECONDS
stays() {
	local end=$(( $(vg_now_ms) + $2 * 1000 )) i h
	for i in $(seq 1 $(($2 * 20))); do
		h=$(vg_holders $VIP a d)
		[ "$h" = "$1" ] || { echo "  holders: '$h'"; return 1; }
		[ "$(vg_now_ms)" -ge "$end" ] && break
		sleep 0.05
	done
}


vg_mon_start a
vg_mon_start d
for n in a d; do
	nginx_conf $n
	ip netns exec "$(vg_ns $n)" "$VG_WORK/$n.nginx/nginx.sh"
done
vg_check "nginx up on A and D" eval 'nginx_up a && nginx_up d'

start a "$(conf a seed_master.conf)"
start d "$(conf d seed_backup.conf)"
t=$(vg_wait_holder $VIP a 8000 a d); rc=$?
vg_check "A (101 + 2) master with the VIP (${t} ms)" test $rc -eq 0
sleep 3
vg_check "script succeeds on A" grep -q "VRRP_Script(chk_http_port) succeeded" "$VG_WORK/a.log"
vg_check "script succeeds on D" grep -q "VRRP_Script(chk_http_port) succeeded" "$VG_WORK/d.log"
vg_check "D backup" test "$(vg_holders $VIP a d)" = a

echo "(a) nginx killed on A"
old=$(nginx_pids a | tr '\n' ' ')
kill_nginx a
ok=1
for i in $(seq 1 80); do
	nginx_up a && break
	sleep 0.1
done
nginx_up a || ok=0
vg_check "the script restarted nginx on A (within $((i / 10)) s)" test $ok -eq 1
vg_check "new nginx processes" test "$(nginx_pids a | tr '\n' ' ')" != "$old"
vg_check "the VIP stayed on A" stays a 6
vg_check "A's daemon still running" daemon_alive a
vg_check "the stop was not run" test ! -e "$VG_WORK/a.nginx/stopped"

echo "(b) nginx cannot restart, the seed's config: no timeout"
touch "$VG_WORK/a.nginx/broken"
kill_nginx a
vg_check "the VIP stayed on A (101 against 99 + 2: no preemption)" stays a 10
vg_check "the script was killed at its timeout (the interval)" \
	grep -q "VRRP_Script(chk_http_port) timed_out" "$VG_WORK/a.log"
vg_check "so it never reached the stop: A's daemon running" daemon_alive a
vg_check "the stop was not run" test ! -e "$VG_WORK/a.nginx/stopped"
vg_check "nginx still down on A" eval '! nginx_up a'

echo "(c) nginx cannot restart, timeout 10: the stop runs"
rm -f "$VG_WORK/a.nginx/broken"
ip netns exec "$(vg_ns a)" "$VG_WORK/a.nginx/nginx.sh"
vg_stop a
t=$(vg_wait_holder $VIP d 4000 a d); rc=$?
vg_check "A stopped: D took the VIP (${t} ms)" test $rc -eq 0
start a "$(conf a seed_master.conf "timeout 10")"
vg_check "config with timeout 10" grep -q "^    timeout 10$" "$VG_WORK/a.conf"
t=$(vg_wait_holder $VIP a 10000 a d); rc=$?
vg_check "A back with timeout 10 (103 > 101): preempted (${t} ms)" test $rc -eq 0
sleep 2
touch "$VG_WORK/a.nginx/broken"
t_kill=$(vg_now_ms)
kill_nginx a
for i in $(seq 1 150); do
	daemon_alive a || break
	sleep 0.1
done
vg_check "the script ran the stop (${i}00 ms after the kill)" test -e "$VG_WORK/a.nginx/stopped"
vg_check "A's daemon exited" eval '! daemon_alive a'
t=$(vg_wait_holder $VIP d 3000 a d); rc=$?
vg_check "D took the VIP" test $rc -eq 0
# A leaves with priority 0, so D waits its skew time, (256 - 101) / 256 s
# = 605 ms, not the 3 s master down interval: from the kernel's events,
# A's VIP deleted -> D's VIP added
gone=$(vg_mon_deleted_ms a $VIP "$t_kill")
got=$(vg_mon_added_ms d $VIP "$t_kill")
gap=$(( ${got:-0} - ${gone:-0} ))
echo "  A's VIP removed -> D's VIP added: $gap ms"
vg_check "D took over after its skew time, not the down interval ($gap ms)" \
	test -n "$gone" -a -n "$got" -a "$gap" -ge 400 -a "$gap" -le 1500

vg_stop d
for n in a d; do kill_nginx $n; done
[ -n "${SEED_KEEP:-}" ] && cp -r "$VG_WORK" "$SEED_KEEP"
vg_summary seed_script
