#!/bin/bash
# The seed's original pairing on one machine: an external nginx load
# balancer on each of A and D, watched by the seed's unchanged track script
# samples/nginx_status.sh, and Vigil doing VRRP for them with
# samples/seed_master.conf / samples/seed_backup.conf:
#
#   A       192.0.2.4    nginx (upstream B and C) + Vigil, seed_master.conf
#                        (MASTER, priority 101, track script weight 2)
#   D       192.0.2.3    nginx (upstream B and C) + Vigil, seed_backup.conf
#                        (BACKUP, priority 99, track script weight 2)
#   B       192.0.2.201  nginx-light, a page naming B
#   C       192.0.2.254  nginx-light, a page naming C
#   client  192.0.2.100  GET http://192.0.2.6/ (Host: api.example.com) every
#                        50 ms, fresh connection, 1 s timeout
#
# A and D share the VIP 192.0.2.6.  Each node is a network namespace on one
# bridge.  The timeline, with numbers measured from the kernel's address
# events, from the track script's own calls and from the client's log:
#   (1) VIP on A, requests spread over B and C
#   (2) nginx on A killed: the track script restarts it, the VIP stays on A
#   (3) nginx on A killed and unable to restart: the track script stops A's
#       Vigil (its KEEPALIVED_STOP), D takes the VIP
#   (4) A restored (nginx and Vigil started again): A preempts D
# Outage windows are the client's: from its first failed request to its
# first answered one (resolution: the 50 ms request interval).
#
# One line is added to each seed config: "timeout 10" in vrrp_script.  The
# seed has none, so the timeout is the interval, 2 s, and a run that finds
# nginx dead is killed inside the script's "sleep 3", before its last
# resort ever runs: with nginx unable to restart, A would keep the VIP with
# nothing listening behind it (keepalived 2.2.7 and Vigil alike; see the
# comment in samples/seed_master.conf and tests/netns/seed_script.sh).
#
# The script's commands are its environment's: NGINX, PORT and
# KEEPALIVED_STOP are given to each Vigil, whose scripts inherit its
# environment.  They point at per-node copies under the work directory: an
# nginx wrapper using the node's own nginx.conf (own pid file, logs and
# temporary paths) and a stop that signals only that node's Vigil by its pid
# file.  (The wrapper takes NGINX out of nginx's own environment: nginx reads
# a variable of that name as inherited listening sockets and then does not
# daemonize, so the script's "$NGINX" would hang until its timeout.)
# The host's nginx and keepalived are never touched (the namespaces
# share the host's file system); the demo checks the environment of each
# Vigil before making the script act, and compares the host's nginx and
# keepalived processes and pid files before and after.
#
# Usage: samples/demo-ha.sh [--short]    (or DEMO_SHORT=1)
#   --short: the same timeline with shorter steady phases (a test runs it)
#   VIGIL=PATH: the binary (default: src/keepalived of the build)
#   DEMO_KEEP=1: keep the work directory (configs, logs, client log)
# Needs root, iproute2, nginx (nginx-light), nmap, curl and python3.
# Documentation addresses only (192.0.2.0/24); every namespace carries a
# per-run prefix and is deleted on exit, on failure and on Ctrl-C too.
# About 35 s (--short: 25 s).
#
# samples/demo-proxy.sh is the main demo: Vigil's built-in proxy in place of
# nginx and the track script.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/..}
short=${DEMO_SHORT:-0}
[ "$short" = 0 ] || short=1
for arg in "$@"; do
	case $arg in
	--short) short=1 ;;
	-h | --help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "usage: $0 [--short]" >&2; exit 2 ;;
	esac
done
[ -n "${DEMO_KEEP:-}" ] && VG_KEEP=1
. "$here/../tests/netns/lib.sh"
PFX="vghademo$$x${RANDOM}"	# per run: cleanup deletes exactly these
# a work directory of the demo's own name (lib.sh's vgtest.* are the tests')
rmdir "$VG_WORK" 2>/dev/null
VG_WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigil-demo-ha.XXXXXX") || exit 1
vg_require_root

missing=""
for c in ip nginx nmap curl python3; do
	command -v "$c" >/dev/null || [ -x "/usr/sbin/$c" ] || missing="$missing $c"
done
if [ -n "$missing" ]; then
	echo "missing:$missing (Debian packages iproute2 nginx-light nmap curl python3)"
	rm -rf "$VG_WORK"
	exit 1
fi
if [ ! -x "$VIGIL" ]; then
	echo "no Vigil binary at $VIGIL: build first (./configure && make) or set VIGIL"
	rm -rf "$VG_WORK"
	exit 1
fi
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
PY=$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)

VIP=192.0.2.6
IP_A=192.0.2.4 IP_D=192.0.2.3 IP_B=192.0.2.201 IP_C=192.0.2.254 IP_CL=192.0.2.100
HOST=api.example.com	# the seed's api.zhezi.com, as a documentation name
if [ "$short" = 1 ]; then
	STEADY1=1.5 STEADY=1	# seconds of steady traffic shown per phase
else
	STEADY1=5 STEADY=3
fi
WAIT_MS=20000	# bound for every wait
CLIENT_MAX_S=300	# the client's own bound

T0=$(vg_now_ms)
rel() { echo $(( $1 - T0 )); }
step() { printf '%7s ms  %s\n' "$(rel "$(vg_now_ms)")" "$*"; }
stepat() { local t=$1; shift; printf '%7s ms  %s\n' "$(rel "$t")" "$*"; }
die() { step "FAILED: $*"
	for n in a d; do
		for f in "$VG_WORK/$n.log.1" "$VG_WORK/$n.log"; do
			[ -f "$f" ] || continue
			echo "$(basename "$f"):"; tail -15 "$f" | sed 's/^/  /'
		done
		[ -s "$VG_WORK/$n/nginx.calls" ] && { echo "$n's nginx wrapper calls:"; sed 's/^/  /' "$VG_WORK/$n/nginx.calls"; }
	done
	exit 1; }

# The host's nginx and keepalived, to show they are left alone: processes of
# those names in the host's network namespace (the demo's own run in other
# ones), and the default pid files the seed's script would use
host_state() {
	local p hostnet
	hostnet=$(readlink /proc/$$/ns/net)
	for p in $(pgrep -x 'nginx|keepalived'); do
		[ "$(readlink "/proc/$p/ns/net" 2>/dev/null)" = "$hostnet" ] &&
			echo "$p:$(cat "/proc/$p/comm" 2>/dev/null)"
	done | sort | paste -sd' '
}
host_pidfiles() {
	local f
	for f in /run/nginx.pid /run/keepalived.pid /var/run/nginx.pid /var/run/keepalived.pid; do
		[ -e "$f" ] && f=$(readlink -f "$f") && echo "$f:$(stat -c %Y "$f"):$(cat "$f" 2>/dev/null)"
	done | sort -u | paste -sd' '
}
HOST_BEFORE=$(host_state)
HOST_FILES_BEFORE=$(host_pidfiles)

# ---- the nodes -------------------------------------------------------------

chmod 711 "$VG_WORK"
vg_setup a d b c cl >/dev/null || { echo "namespace setup failed"; exit 1; }
trap '{ vg_cleanup; wait; } 2>/dev/null' EXIT	# reap what it kills quietly
trap 'echo; echo "interrupted: removing the namespaces"; exit 130' INT TERM
for n in a:$IP_A d:$IP_D b:$IP_B c:$IP_C cl:$IP_CL; do
	ip -n "$(vg_ns "${n%%:*}")" addr flush dev eth0 scope global
	ip -n "$(vg_ns "${n%%:*}")" addr add "${n#*:}/24" dev eth0
done
incl() { ip netns exec "$(vg_ns cl)" "$@"; }

# nginx_common DIR : the top of an nginx.conf with every file under DIR
nginx_common() {
	cat <<EOC
daemon on;
worker_processes 1;
pid $1/nginx.pid;
error_log $1/error.log;
events {
    worker_connections 512;
}
http {
    access_log off;
    client_body_temp_path $1/body;
    proxy_temp_path $1/proxy;
    fastcgi_temp_path $1/fastcgi;
    uwsgi_temp_path $1/uwsgi;
    scgi_temp_path $1/scgi;
EOC
}

# ---- web servers B and C: nginx-light, a page naming itself ----------------

web_up() { # NODE NAME ADDR
	local w="$VG_WORK/$1"
	mkdir -p "$w"
	chmod 711 "$w"
	{
		nginx_common "$w"
		cat <<EOC
    server {
        listen 80;
        location / {
            default_type text/plain;
            return 200 "web server $2 ($3), via \$remote_addr, Host \$host, X-Real-IP \$http_x_real_ip, X-Forwarded-For \$http_x_forwarded_for\n";
        }
    }
}
EOC
	} >"$w/nginx.conf"
	ip netns exec "$(vg_ns "$1")" "$NGINX_BIN" -c "$w/nginx.conf" -e "$w/error.log"
}

# ---- balancers A and D: the seed's nginx, script and config ----------------

# balancer NODE SAMPLE : the node's directory: the seed's nginx.conf
# (upstream B and C), the seed's script and config copied unchanged (the
# config's ${_PWD} is then this directory) but for "timeout 10", and the
# commands the script gets from its environment
balancer() {
	local n=$1 w="$VG_WORK/$1"
	mkdir -p "$w"
	chmod 711 "$w"
	{
		nginx_common "$w"
		cat <<EOC
    upstream $HOST {
         server $IP_B:80;
         server $IP_C:80;
    }
    server {
        listen 80;
        server_name $HOST;
        location / {
            proxy_pass http://$HOST;
            proxy_set_header Host \$host;
            proxy_set_header X-Real-IP \$remote_addr;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        }
    }
}
EOC
	} >"$w/nginx.conf"
	# $NGINX: nginx with this node's config; every call logged (ms, result,
	# caller: nginx_status.sh when the track script, args);
	# fails while the flag file "broken" exists (a broken nginx).  NGINX is
	# taken out of nginx's environment: nginx reads a variable of that name
	# as the listening sockets of a binary upgrade, and then stays in the
	# foreground ("using inherited sockets from ..."), so the script's
	# "\$NGINX" would never return
	cat >"$w/nginx.sh" <<EOS
#!/bin/sh
if [ -e $w/broken ]; then
	echo "\$(date +%s%3N) fail \$(cat /proc/\$PPID/comm) \$*" >>$w/nginx.calls
	exit 1
fi
echo "\$(date +%s%3N) run \$(cat /proc/\$PPID/comm) \$*" >>$w/nginx.calls
exec env -u NGINX $NGINX_BIN -c $w/nginx.conf -e $w/error.log "\$@"
EOS
	# $KEEPALIVED_STOP: what /etc/init.d/keepalived stop does, to this
	# node's Vigil only
	cat >"$w/stop.sh" <<EOS
#!/bin/sh
echo "\$(date +%s%3N)" >>$w/stopped
kill -TERM "\$(cat $VG_WORK/$n.pid)"
EOS
	cp "$here/nginx_status.sh" "$w/nginx_status.sh"
	chmod 755 "$w/nginx.sh" "$w/stop.sh" "$w/nginx_status.sh"
	sed -e 's|^\(    weight 2\)$|\1\n    timeout 10     # added by samples/demo-ha.sh|' \
		"$here/$2" >"$w/keepalived.conf"
	grep -q "^    timeout 10 " "$w/keepalived.conf" || die "cannot add timeout 10 to $2"
}
balancer a seed_master.conf
balancer d seed_backup.conf

# start_vigil NODE : Vigil with the seed's config and the script's environment
start_vigil() {
	local w="$VG_WORK/$1"
	NGINX="$w/nginx.sh" PORT=80 KEEPALIVED_STOP="$w/stop.sh" \
		vg_start_vigil "$1" "$w/keepalived.conf"
}
# env_ok NODE : the running Vigil of NODE has the script's environment
env_ok() {
	local pid w="$VG_WORK/$1" e
	pid=$(cat "$VG_WORK/$1.pid" 2>/dev/null) || return 1
	e=$(tr '\0' '\n' <"/proc/$pid/environ") || return 1
	grep -qxF "NGINX=$w/nginx.sh" <<<"$e" && grep -qxF "PORT=80" <<<"$e" &&
		grep -qxF "KEEPALIVED_STOP=$w/stop.sh" <<<"$e"
}
nginx_pids() {
	ip netns pids "$(vg_ns "$1")" | xargs -r ps -o pid=,comm= -p 2>/dev/null |
		awk '$2 == "nginx" { print $1 }'
}
kill_nginx() { nginx_pids "$1" | xargs -r kill -9; }
# port_open NODE : what the script asks, nmap on localhost port 80
port_open() { ip netns exec "$(vg_ns "$1")" nmap localhost -p 80 2>/dev/null | grep -q "80/tcp open"; }
daemon_alive() { kill -0 "$(vg_pid "$1")" 2>/dev/null; }
# calls NODE AFTER_MS : the track script's calls of the wrapper since AFTER_MS
# ("MS run|fail nginx_status.sh ARGS")
calls() { awk -v t="$2" '$1 >= t && $3 == "nginx_status.sh"' "$VG_WORK/$1/nginx.calls" 2>/dev/null; }
# log_since NODE LINE : the node's Vigil log from line LINE on
log_since() { tail -n "+$2" "$VG_WORK/$1.log" 2>/dev/null; }
log_lines() { wc -l <"$VG_WORK/$1.log" 2>/dev/null || echo 0; }

cat <<EOT
Vigil HA demo, the seed's original pairing: nginx on the balancers, the seed's
track script samples/nginx_status.sh, Vigil for the VIP$([ "$short" = 1 ] && echo " (short mode)")
  A       $IP_A    nginx + Vigil, samples/seed_master.conf: MASTER, priority 101
  D       $IP_D    nginx + Vigil, samples/seed_backup.conf: BACKUP, priority 99
  B       $IP_B  nginx-light, page "web server B"
  C       $IP_C  nginx-light, page "web server C"
  client  $IP_CL  GET http://$VIP/ (Host: $HOST) every 50 ms, new connection, 1 s timeout
  VIP $VIP (advert_int 1).  nginx on A and D as the seed's: upstream of B and C,
  listen 80 (all addresses, so the VIP too), Host/X-Real-IP/X-Forwarded-For set.
  Track script chk_http_port: nginx_status.sh every 2 s, weight 2 (A 103, D 101
  while it succeeds), unchanged; its NGINX and KEEPALIVED_STOP point at the
  node's own nginx and Vigil.  The configs are the seed's plus "timeout 10":
  without it the timeout is the interval, 2 s, and the script is killed in its
  "sleep 3" before it can stop a balancer whose nginx cannot restart.
  In the counts, A>B is an answer from web server B through balancer A.
  Namespaces: $PFX{a,d,b,c,cl} on a bridge in ${PFX}sw (deleted on exit)
EOT

for n in a d; do
	ip netns exec "$(vg_ns $n)" "$VIGIL" -t -f "$VG_WORK/$n/keepalived.conf" >"$VG_WORK/$n.t" 2>&1 ||
		{ cat "$VG_WORK/$n.t"; die "keepalived -t rejects $n's config"; }
done

web_up b B $IP_B || die "nginx did not start on B"
web_up c C $IP_C || die "nginx did not start on C"
webs_up() {
	incl curl -s --max-time 1 "http://$IP_B/" | grep -q "web server B" &&
		incl curl -s --max-time 1 "http://$IP_C/" | grep -q "web server C"
}
for ((i = 0; i < 50; i++)); do webs_up && break; sleep 0.1; done
webs_up || die "B and C do not answer"
step "nginx serving on B and C"

for n in a d; do
	ip netns exec "$(vg_ns $n)" "$VG_WORK/$n/nginx.sh" || die "nginx did not start on $n"
done
for ((i = 0; i < 50; i++)); do port_open a && port_open d && break; sleep 0.1; done
port_open a && port_open d || die "nginx on A and D not listening on port 80"
page=$(ip netns exec "$(vg_ns a)" curl -s --max-time 2 -H "Host: $HOST" http://127.0.0.1/)
case $page in "web server "[BC]*) ;; *) die "nginx on A does not proxy to B and C (got '$page')" ;; esac
step "nginx on A and D (port 80 open for nmap localhost; proxying to B and C)"

vg_mon_start a
vg_mon_start d
start_vigil a
start_vigil d
step "Vigil started on A and D"
for ((i = 0; i < 400; i++)); do
	[ -s "$VG_WORK/a.pid" ] && [ -s "$VG_WORK/d.pid" ] && break
	sleep 0.05
done
env_ok a && env_ok d || die "the daemons lack the script's environment: stopping before the script could act on the host"
step "each Vigil's environment (inherited by its scripts): NGINX=<node>/nginx.sh PORT=80 KEEPALIVED_STOP=<node>/stop.sh"
t=$(vg_wait_holder $VIP a $WAIT_MS a d) || die "VIP not on A alone after $t ms (holders: $(vg_holders $VIP a d))"
step "VIP on A (elected after $t ms: 3 x advert_int + skew)"
for ((i = 0; i < 200; i++)); do
	grep -q "VRRP_Script(chk_http_port) succeeded" "$VG_WORK/a.log" &&
		grep -q "VRRP_Script(chk_http_port) succeeded" "$VG_WORK/d.log" && break
	sleep 0.1
done
grep -q "VRRP_Script(chk_http_port) succeeded" "$VG_WORK/a.log" || die "the track script does not succeed on A"
grep -q "VRRP_Script(chk_http_port) succeeded" "$VG_WORK/d.log" || die "the track script does not succeed on D"
step "track script succeeding on A and D (priorities 103 and 101)"
for ((i = 0; i < 100; i++)); do
	page=$(incl curl -s --max-time 1 -H "Host: $HOST" "http://$VIP/") && [ -n "$page" ] && break
	sleep 0.1
done
[ -n "${page:-}" ] || die "nothing answers on $VIP:80"
step "client\$ curl -H 'Host: $HOST' http://$VIP/"
echo "             -> ${page}"

# ---- the client (samples/demo_client.py: a GET every 50 ms, one log line each) --

CLIENT_LOG="$VG_WORK/client.log"
setsid ip netns exec "$(vg_ns cl)" "$PY" "$here/demo_client.py" run $VIP $HOST "$CLIENT_LOG" \
	"$VG_WORK/client.stop" $CLIENT_MAX_S >"$VG_WORK/client.out" 2>&1 </dev/null &
VG_PIDS+=($!)
CLIENT_PID=$!
for ((i = 0; i < 50; i++)); do [ -s "$CLIENT_LOG" ] && break; sleep 0.1; done
[ -s "$CLIENT_LOG" ] || die "the client did not start ($(cat "$VG_WORK/client.out"))"

# describe COUNTS : "A>B 50, A>C 50, failed 3 (refused 3)"
describe() {
	local ok="" bad="" nbad=0 kv
	for kv in ${1//,/ }; do
		case $kv in
		fail:*) kv=${kv#fail:}; bad="$bad, ${kv%:*} ${kv##*:}"; nbad=$((nbad + ${kv##*:})) ;;
		*) ok="$ok, ${kv%:*} ${kv##*:}" ;;
		esac
	done
	ok=${ok#, }
	if [ "$nbad" -gt 0 ]; then
		echo "${ok:-no answer}, failed $nbad (${bad#, })"
	else
		echo "${ok:-no answer}, failed 0"
	fi
}

# report FROM TO LABEL : the client's view of [FROM, TO); sets OUTAGE, NFAIL
report() {
	local n ok nf out ff rec counts
	read -r n ok nf out ff rec counts <<<"$("$PY" "$here/demo_client.py" analyse "$CLIENT_LOG" "$1" "$2")"
	[ -n "$rec" ] || die "cannot read the client's log $CLIENT_LOG"
	NFAIL=$nf
	if [ "$out" -lt 0 ]; then
		OUTAGE=0
		echo "             client, $3: $n requests: $(describe "$counts"); no outage"
	else
		OUTAGE=$out
		echo "             client, $3: $n requests: $(describe "$counts")"
		if [ "$rec" -ge 0 ]; then
			echo "             client outage: $out ms (first failure at +$ff ms, answered again at +$rec ms)"
		else
			echo "             client outage: $out ms and counting (first failure at +$ff ms, no answer since)"
		fi
	fi
}

# gap FROM TO : ms from FROM to TO, or "?"
gap() { [ -n "${2:-}" ] && [ -n "${1:-}" ] && echo $(( $2 - $1 )) || echo "?"; }
# answering SINCE_MS : the balancers that answered the client since SINCE_MS
answering() {
	awk -v lo="$1" '$1 >= lo && $3 !~ /^fail/ { split($3, w, ">"); print w[1] }' "$CLIENT_LOG" |
		sort -u | paste -sd' '
}

# ---- (1) -------------------------------------------------------------------

echo
echo "(1) VIP on A: A's nginx balances over B and C"
p1=$(vg_now_ms)
sleep "$STEADY1"
p1e=$(vg_now_ms)
report "$p1" "$p1e" "over $(( p1e - p1 )) ms"
P1_OUT=$OUTAGE

# ---- (2) -------------------------------------------------------------------

echo
echo "(2) nginx on A killed: the track script restarts it"
l2=$(log_lines a)
t2=$(vg_now_ms)
kill_nginx a
stepat "$t2" "kill -9 every nginx process of A"
for ((i = 0; i < 200; i++)); do
	calls a "$t2" | grep -qE '^[0-9]+ run nginx_status.sh *$' && port_open a && break
	sleep 0.1
done
started=$(calls a "$t2" | awk '$2 == "run" && NF == 3 { print $1; exit }')
[ -n "$started" ] || die "the track script did not start nginx on A (wrapper calls: $(calls a "$t2" | paste -sd';'))"
port_open a || die "nginx on A not listening again after the script's restart"
stopcall=$(calls a "$t2" | awk '$4 == "-s" { print $1; exit }')
[ -n "$stopcall" ] && stepat "$stopcall" "A's track script: nmap found port 80 closed; \$NGINX -s stop (nothing to stop)"
stepat "$started" "A's track script: \$NGINX: nginx started again, $(gap "$t2" "$started") ms after the kill"
# the run that restarted nginx still exits 1: its last command is the test
# [ \$? -ne 0 ], false when the port is open again
for ((i = 0; i < 400; i++)); do
	log_since a "$l2" | grep -q "VRRP_Script(chk_http_port) failed" && break
	sleep 0.05
done
log_since a "$l2" | grep -q "VRRP_Script(chk_http_port) failed (exited with status 1)" ||
	die "A's restarting run did not end as the seed's script does (exit 1)"
step "that run exited 1 all the same (its last command, [ \$? -ne 0 ], is false once the port"
echo "             is open again): A's priority 103 -> 101 = D's 101; a backup does not preempt on a tie"
for ((i = 0; i < 400; i++)); do
	log_since a "$l2" | sed -n '/VRRP_Script(chk_http_port) failed/,$p' |
		grep -q "VRRP_Script(chk_http_port) succeeded" && break
	sleep 0.05
done
log_since a "$l2" | sed -n '/VRRP_Script(chk_http_port) failed/,$p' |
	grep -q "VRRP_Script(chk_http_port) succeeded" || die "the track script did not succeed again on A"
step "A's next run succeeded: priority back to 103"
daemon_alive a || die "A's Vigil exited"
[ -e "$VG_WORK/a/stopped" ] && die "the script ran KEEPALIVED_STOP on A"
sleep "$STEADY"
t2e=$(vg_now_ms)
a_del=$(vg_mon_deleted_ms a $VIP "$t2")
d_add=$(vg_mon_added_ms d $VIP "$t2")
[ -z "$a_del" ] && [ -z "$d_add" ] && [ "$(vg_holders $VIP a d)" = a ] ||
	die "the VIP moved (A removed: ${a_del:-no}, D added: ${d_add:-no}, holders now: $(vg_holders $VIP a d))"
step "VIP stayed on A all along (no address event on A or D since the kill)"
report "$t2" "$t2e" "since the kill"
P2_OUT=$OUTAGE P2_FAIL=$NFAIL P2_UP=$(gap "$t2" "$started")
P2_WHO=$(answering $(( t2e - 1000 )))
step "answering the client now: ${P2_WHO:-nobody}"
[ "$P2_WHO" = A ] || die "expected A alone to answer"

# ---- (3) -------------------------------------------------------------------

echo
echo "(3) nginx on A killed and unable to restart: the script's last resort"
l3=$(log_lines a)
touch "$VG_WORK/a/broken"
t3=$(vg_now_ms)
kill_nginx a
stepat "$t3" "A's nginx wrapper made to fail (a broken nginx), kill -9 every nginx process of A"
for ((i = 0; i < 200; i++)); do
	[ -s "$VG_WORK/a/stopped" ] && ! daemon_alive a && break
	sleep 0.1
done
[ -s "$VG_WORK/a/stopped" ] || die "the track script did not run KEEPALIVED_STOP on A"
stopped=$(head -1 "$VG_WORK/a/stopped")
failstart=$(calls a "$t3" | awk '$2 == "fail" && NF == 3 { print $1; exit }')
[ -n "$failstart" ] && stepat "$failstart" "A's track script: port 80 closed; \$NGINX -s stop, \$NGINX: both fail; sleep 3"
stepat "$stopped" "A's track script: port still closed: \$KEEPALIVED_STOP (SIGTERM to A's Vigil), $(gap "$t3" "$stopped") ms after the kill"
daemon_alive a && die "A's Vigil still running after the stop"
{ wait "$(vg_pid a)"; } 2>/dev/null	# reaped here, quietly
t=$(vg_wait_holder $VIP d $WAIT_MS a d) || die "VIP not on D alone after $t ms (holders: $(vg_holders $VIP a d))"
a_del=$(vg_mon_deleted_ms a $VIP "$t3")
d_add=$(vg_mon_added_ms d $VIP "$t3")
[ -n "$a_del" ] && stepat "$a_del" "A's Vigil stopping: priority-0 advert, VIP removed from A"
[ -n "$d_add" ] && stepat "$d_add" "D took over: VIP on D, $(gap "$t3" "$d_add") ms after the kill ($(gap "$a_del" "$d_add") ms after A left: D's skew (256-101)/256 s = 605 ms)"
grep -q "timed_out" <(log_since a "$l3") && die "A's script timed out despite timeout 10"
sleep "$STEADY"
t3e=$(vg_now_ms)
report "$t3" "$t3e" "since the kill"
P3_OUT=$OUTAGE P3_FAIL=$NFAIL P3_VIP=$(gap "$t3" "$d_add") P3_STOP=$(gap "$t3" "$stopped") P3_SKEW=$(gap "$a_del" "$d_add")
P3_WHO=$(answering $(( t3e - 1000 )))
step "answering the client now: ${P3_WHO:-nobody}"
[ "$P3_WHO" = D ] || die "expected D alone to answer"

# ---- (4) -------------------------------------------------------------------

echo
echo "(4) A restored: nginx and Vigil started again on A"
rm -f "$VG_WORK/a/broken" "$VG_WORK/a/stopped" "$VG_WORK/a.pid" "$VG_WORK/a.vrrp.pid"
mv "$VG_WORK/a.log" "$VG_WORK/a.log.1"
t4=$(vg_now_ms)
ip netns exec "$(vg_ns a)" "$VG_WORK/a/nginx.sh" || die "nginx did not start on A"
start_vigil a
stepat "$t4" "nginx started on A, then Vigil (same config and environment)"
for ((i = 0; i < 400; i++)); do [ -s "$VG_WORK/a.pid" ] && break; sleep 0.05; done
env_ok a || die "A's new Vigil lacks the script's environment"
t=$(vg_wait_holder $VIP a $WAIT_MS a d) || die "A did not preempt: VIP holders after $t ms: $(vg_holders $VIP a d)"
a_add=$(vg_mon_added_ms a $VIP "$t4")
d_del=$(vg_mon_deleted_ms d $VIP "$t4")
[ -n "$a_add" ] && stepat "$a_add" "A preempted: VIP on A, $(gap "$t4" "$a_add") ms after the start (script good: 103 > D's 101; 3 x advert_int + skew)"
[ -n "$d_del" ] && stepat "$d_del" "D: VIP removed (A's higher priority advert), $(gap "$t4" "$d_del") ms after the start"
sleep "$STEADY"
t4e=$(vg_now_ms)
report "$t4" "$t4e" "since the start"
P4_OUT=$OUTAGE P4_FAIL=$NFAIL P4_VIP=$(gap "$t4" "$a_add")
P4_WHO=$(answering $(( t4e - 1000 )))
step "answering the client now: ${P4_WHO:-nobody}"
[ "$P4_WHO" = A ] || die "expected A alone to answer"

# ---- the end -------------------------------------------------------------------

touch "$VG_WORK/client.stop"
for ((i = 0; i < 30; i++)); do kill -0 $CLIENT_PID 2>/dev/null || break; sleep 0.1; done
vg_stop a >/dev/null
vg_stop d >/dev/null
for n in a d b c; do kill_nginx $n; done
total=$(grep -c '' "$CLIENT_LOG")
failed=$(grep -c ' fail' "$CLIENT_LOG")
step "client stopped ($total requests, $failed failed); Vigil and nginx stopped"

HOST_AFTER=$(host_state)
HOST_FILES_AFTER=$(host_pidfiles)
host_ok=1
for p in $HOST_BEFORE; do
	case " $HOST_AFTER " in *" $p "*) ;; *) host_ok=0 ;; esac
done
[ "$HOST_FILES_BEFORE" = "$HOST_FILES_AFTER" ] || host_ok=0

echo
echo "Summary (client's outage: start of its first failed request to start of its first answered one;"
echo "requests every 50 ms, each giving up after 1 s):"
printf '  (1) steady             : VIP on A, answers from B and C, outage %s ms\n' "$P1_OUT"
printf '  (2) nginx killed on A  : restarted by the track script after %s ms, VIP stayed on A, client outage %s ms (%s failed)\n' "$P2_UP" "$P2_OUT" "$P2_FAIL"
printf '  (3) nginx broken on A  : script stopped A'"'"'s Vigil after %s ms, VIP on D after %s ms (%s ms after A left), client outage %s ms (%s failed)\n' "$P3_STOP" "$P3_VIP" "$P3_SKEW" "$P3_OUT" "$P3_FAIL"
printf '  (4) A restored         : A preempted, VIP moved after %s ms, client outage %s ms (%s failed)\n' "$P4_VIP" "$P4_OUT" "$P4_FAIL"
echo
echo "A's log:"; cat "$VG_WORK/a.log.1" "$VG_WORK/a.log" 2>/dev/null |
	grep -E "Entering|Stopp|VRRP_Script|now returning" | tail -12 | sed 's/^/  /'
echo "D's log:"; grep -E "Entering|Stopp|VRRP_Script|now returning" "$VG_WORK/d.log" | tail -6 | sed 's/^/  /'
echo "A's nginx wrapper (\$NGINX) calls, ms after the start: result, caller, arguments:"
awk -v t0="$T0" '{ $1 = "+" ($1 - t0) " ms"; print "  " $0 }' "$VG_WORK/a/nginx.calls" | tail -6
[ -n "${VG_KEEP:-}" ] && echo "work directory kept: $VG_WORK (a/, d/, *.log, client.log)"
if [ "$host_ok" = 1 ]; then
	echo "Host untouched: nginx/keepalived in the host's network namespace before and after: [${HOST_BEFORE}]; pid files: [${HOST_FILES_BEFORE}]"
else
	echo "HOST CHANGED: nginx/keepalived before [${HOST_BEFORE}] after [${HOST_AFTER}]; pid files before [${HOST_FILES_BEFORE}] after [${HOST_FILES_AFTER}]"
	exit 1
fi
echo "Namespaces removed on exit.  The main demo, with Vigil's built-in proxy in place of nginx and the track script: samples/demo-proxy.sh"
exit 0
