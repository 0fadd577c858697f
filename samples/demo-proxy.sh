#!/bin/bash
# The seed's setup on one machine, with Vigil's built-in proxy in place of
# nginx on the balancers:
#
#   A       192.0.2.4    Vigil, samples/proxy_master.conf (MASTER, priority 101)
#   D       192.0.2.3    Vigil, samples/proxy_backup.conf (BACKUP, priority 99)
#   B       192.0.2.201  nginx-light, a page naming B
#   C       192.0.2.254  nginx-light, a page naming C
#   client  192.0.2.100  GET http://192.0.2.6/ every 50 ms (fresh connection,
#                        1 s timeout), logging who answered or the failure
#
# A and D share the VIP 192.0.2.6 and proxy it to B and C.  Each node is a
# network namespace on one bridge.  The timeline, with numbers measured
# from the kernel's address events and from the client's log:
#   (1) VIP on A, requests spread over B and C
#   (2) A's real servers unreachable from A only (blackhole routes on A):
#       A's health checks fail, A goes FAULT, D takes over
#   (3) the routes removed: A healthy again, A preempts
#   (4) A crashed (SIGKILL): D takes over
# Outage windows are the client's: from its first failed request to its
# first answered one (resolution: the 50 ms request interval).
#
# Usage: samples/demo-proxy.sh [--short]    (or DEMO_SHORT=1)
#   --short: the same timeline with shorter steady phases (a test runs it)
#   VIGIL=PATH: the binary (default: src/keepalived of the build)
#   DEMO_KEEP=1: keep the work directory (configs, logs, client log)
# Needs root, iproute2, nginx (nginx-light), curl and python3.  Documentation
# addresses only (192.0.2.0/24); every namespace carries a per-run prefix and
# is deleted on exit, on failure and on Ctrl-C too.  About 40 s (--short: 25 s).
#
# samples/demo-ha.sh is the variant with the seed's original pairing.
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
PFX="vgdemo$$x${RANDOM}"	# per run: cleanup deletes exactly these
# a work directory of the demo's own name (lib.sh's vgtest.* are the tests')
rmdir "$VG_WORK" 2>/dev/null
VG_WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigil-demo.XXXXXX") || exit 1
vg_require_root

missing=""
for c in ip nginx curl python3; do
	command -v "$c" >/dev/null || [ -x "/usr/sbin/$c" ] || missing="$missing $c"
done
if [ -n "$missing" ]; then
	echo "missing:$missing (Debian packages iproute2 nginx-light curl python3)"
	rm -rf "$VG_WORK"
	exit 1
fi
if [ ! -x "$VIGIL" ]; then
	echo "no Vigil binary at $VIGIL: build first (./configure && make) or set VIGIL"
	rm -rf "$VG_WORK"
	exit 1
fi
if ! "$VIGIL" -v 2>&1 | grep -q "^Build options:.* PROXY"; then
	echo "$VIGIL was built with --disable-proxy: the built-in proxy is missing"
	rm -rf "$VG_WORK"
	exit 1
fi
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
PY=$( [ -x /usr/bin/python3 ] && echo /usr/bin/python3 || command -v python3)

VIP=192.0.2.6
IP_A=192.0.2.4 IP_D=192.0.2.3 IP_B=192.0.2.201 IP_C=192.0.2.254 IP_CL=192.0.2.100
if [ "$short" = 1 ]; then
	STEADY1=1.5 STEADY=1	# seconds of steady traffic shown per phase
else
	STEADY1=5 STEADY=3
fi
WAIT_MS=20000	# bound for every wait on the VIP
CLIENT_MAX_S=300	# the client's own bound

T0=$(vg_now_ms)
rel() { echo $(( $1 - T0 )); }
step() { printf '%7s ms  %s\n' "$(rel "$(vg_now_ms)")" "$*"; }
stepat() { local t=$1; shift; printf '%7s ms  %s\n' "$(rel "$t")" "$*"; }
die() { step "FAILED: $*"; echo "A's log:"; tail -15 "$VG_WORK/a.log" | sed 's/^/  /'
	echo "D's log:"; tail -15 "$VG_WORK/d.log" | sed 's/^/  /'; exit 1; }

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

# ---- web servers B and C: nginx-light, a page naming itself ----------------

nginx_up() { # NODE NAME ADDR
	local w="$VG_WORK/$1.nginx"
	mkdir -p "$w"
	chmod 711 "$w"
	cat >"$w/nginx.conf" <<EOC
daemon on;
worker_processes 1;
pid $w/nginx.pid;
error_log $w/error.log;
events {
    worker_connections 512;
}
http {
    access_log off;
    client_body_temp_path $w/body;
    proxy_temp_path $w/proxy;
    fastcgi_temp_path $w/fastcgi;
    uwsgi_temp_path $w/uwsgi;
    scgi_temp_path $w/scgi;
    server {
        listen 80;
        location / {
            default_type text/plain;
            return 200 "web server $2 ($3), via \$remote_addr\n";
        }
    }
}
EOC
	ip netns exec "$(vg_ns "$1")" "$NGINX_BIN" -c "$w/nginx.conf" -e "$w/error.log"
}

# ---- balancers A and D: the samples, with quicker health checks -----------

# The samples check every 2 s with a 3 s connect timeout and keepalived's
# HTTP_GET retry defaults (1 retry, 3 s apart): ~5-8 s to notice a dead
# real server.  The demo checks every second: ~1-2 s.
gen_conf() { # SAMPLE OUT
	sed -e 's/^\( *\)connect_timeout 3$/\1connect_timeout 1/' \
	    -e 's/^\( *\)delay_loop 2$/\1delay_loop 1\n\1retry 1\n\1delay_before_retry 1/' \
	    -e '1a ! (generated by samples/demo-proxy.sh: HTTP_GET every 1 s, 1 retry 1 s later)' \
	    "$1" >"$2"
}
gen_conf "$here/proxy_master.conf" "$VG_WORK/a.conf"
gen_conf "$here/proxy_backup.conf" "$VG_WORK/d.conf"

cat <<EOT
Vigil proxy HA demo: the seed's setup, Vigil's built-in proxy in place of nginx$([ "$short" = 1 ] && echo " (short mode)")
  A       $IP_A    Vigil, samples/proxy_master.conf: MASTER, priority 101
  D       $IP_D    Vigil, samples/proxy_backup.conf: BACKUP, priority 99
  B       $IP_B  nginx-light, page "web server B"
  C       $IP_C  nginx-light, page "web server C"
  client  $IP_CL  GET http://$VIP/ every 50 ms, new connection, 1 s timeout
  VIP $VIP (advert_int 1); configs as the samples but for faster health
  checks: HTTP_GET connect_timeout 3 -> 1, delay_loop 2 -> 1, retry 1,
  delay_before_retry 1 (failure noticed in ~1-2 s)
  In the counts, A>B is an answer from web server B through balancer A.
  Namespaces: $PFX{a,d,b,c,cl} on a bridge in ${PFX}sw (deleted on exit)
EOT

for n in a d; do
	ip netns exec "$(vg_ns $n)" "$VIGIL" -t -f "$VG_WORK/$n.conf" >"$VG_WORK/$n.t" 2>&1 ||
		{ cat "$VG_WORK/$n.t"; die "keepalived -t rejects the generated $n.conf"; }
done

nginx_up b B $IP_B || die "nginx did not start on B"
nginx_up c C $IP_C || die "nginx did not start on C"
web_up() {
	incl curl -s --max-time 1 "http://$IP_B/" | grep -q "web server B" &&
		incl curl -s --max-time 1 "http://$IP_C/" | grep -q "web server C"
}
for ((i = 0; i < 50; i++)); do web_up && break; sleep 0.1; done
web_up || die "B and C do not answer"
step "nginx serving on B and C"

vg_mon_start a
vg_mon_start d
vg_start_vigil a "$VG_WORK/a.conf"
vg_start_vigil d "$VG_WORK/d.conf"
step "Vigil started on A and D"
t=$(vg_wait_holder $VIP a $WAIT_MS a d) || die "VIP not on A alone after $t ms (holders: $(vg_holders $VIP a d))"
step "VIP on A (elected after $t ms: 3 x advert_int + skew)"
for ((i = 0; i < 100; i++)); do
	page=$(incl curl -s --max-time 1 "http://$VIP/") && [ -n "$page" ] && break
	sleep 0.1
done
[ -n "${page:-}" ] || die "the proxy does not answer on $VIP:80"
step "client\$ curl http://$VIP/  ->  ${page}"

# ---- the client (samples/demo_client.py: a GET every 50 ms, one log line each) --

CLIENT_LOG="$VG_WORK/client.log"
setsid ip netns exec "$(vg_ns cl)" "$PY" "$here/demo_client.py" run $VIP $VIP "$CLIENT_LOG" \
	"$VG_WORK/client.stop" $CLIENT_MAX_S >"$VG_WORK/client.out" 2>&1 </dev/null &
VG_PIDS+=($!)
CLIENT_PID=$!
for ((i = 0; i < 50; i++)); do [ -s "$CLIENT_LOG" ] && break; sleep 0.1; done
[ -s "$CLIENT_LOG" ] || die "the client did not start ($(cat "$VG_WORK/client.out"))"

# describe COUNTS : "A>B 50, A>C 50, failed 3 (timeout 3)"
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

# gap FROM : ms from FROM to the next event, or "?"
gap() { [ -n "$2" ] && echo $(( $2 - $1 )) || echo "?"; }

# ---- (1) -------------------------------------------------------------------

echo
echo "(1) VIP on A: A proxies to B and C"
p1=$(vg_now_ms)
sleep "$STEADY1"
p1e=$(vg_now_ms)
report "$p1" "$p1e" "over $(( p1e - p1 )) ms"
P1_OUT=$OUTAGE

# ---- (2) -------------------------------------------------------------------

echo
echo "(2) A's real servers unreachable from A only (blackhole routes on A; D still reaches them)"
t2=$(vg_now_ms)
ip -n "$(vg_ns a)" route add blackhole $IP_B/32
ip -n "$(vg_ns a)" route add blackhole $IP_C/32
stepat "$t2" "ip -n A route add blackhole $IP_B/32, $IP_C/32"
t=$(vg_wait_holder $VIP d $WAIT_MS a d) || die "VIP not on D alone after $t ms (holders: $(vg_holders $VIP a d))"
a_del=$(vg_mon_deleted_ms a $VIP "$t2")
d_add=$(vg_mon_added_ms d $VIP "$t2")
grep -q "Entering FAULT STATE" "$VG_WORK/a.log" || die "A did not log 'Entering FAULT STATE'"
[ -n "$a_del" ] && stepat "$a_del" "A: health checks failed, FAULT: VIP removed from A, $(gap "$t2" "$a_del") ms after the routes"
[ -n "$d_add" ] && stepat "$d_add" "D took over: VIP on D, $(gap "$t2" "$d_add") ms after the routes ($(gap "$a_del" "$d_add") ms after A's FAULT: priority-0 advert + skew)"
sleep "$STEADY"
t2e=$(vg_now_ms)
report "$t2" "$t2e" "since the routes"
P2_OUT=$OUTAGE P2_FAIL=$NFAIL P2_VIP=$(gap "$t2" "$d_add")
P2_WHO=$(awk -v lo="$(( t2e - 1000 ))" '$1 >= lo && $3 !~ /^fail/ { split($3, w, ">"); print w[1] }' "$CLIENT_LOG" | sort -u | paste -sd' ')
step "answering the client now: ${P2_WHO:-nobody}"

# ---- (3) -------------------------------------------------------------------

echo
echo "(3) A's routes back: A healthy again, preempts D"
t3=$(vg_now_ms)
ip -n "$(vg_ns a)" route del blackhole $IP_B/32
ip -n "$(vg_ns a)" route del blackhole $IP_C/32
stepat "$t3" "ip -n A route del blackhole $IP_B/32, $IP_C/32"
t=$(vg_wait_holder $VIP a $WAIT_MS a d) || die "A did not preempt: VIP holders after $t ms: $(vg_holders $VIP a d)"
a_add=$(vg_mon_added_ms a $VIP "$t3")
d_del=$(vg_mon_deleted_ms d $VIP "$t3")
[ -n "$d_del" ] && stepat "$d_del" "D: VIP removed (A's higher priority advert), $(gap "$t3" "$d_del") ms after the routes"
[ -n "$a_add" ] && stepat "$a_add" "A preempted: VIP on A, $(gap "$t3" "$a_add") ms after the routes (checks pass, BACKUP, 3 x advert_int + skew, MASTER)"
sleep "$STEADY"
t3e=$(vg_now_ms)
report "$t3" "$t3e" "since the routes"
P3_OUT=$OUTAGE P3_FAIL=$NFAIL P3_VIP=$(gap "$t3" "$a_add")
P3_WHO=$(awk -v lo="$(( t3e - 1000 ))" '$1 >= lo && $3 !~ /^fail/ { split($3, w, ">"); print w[1] }' "$CLIENT_LOG" | sort -u | paste -sd' ')
step "answering the client now: ${P3_WHO:-nobody}"

# ---- (4) -------------------------------------------------------------------

echo
echo "(4) A crashed: its keepalived SIGKILLed (VIP left on A's eth0, as on a hung machine)"
t4=$(vg_now_ms)
vg_crash a
{ wait "$(vg_pid a)"; } 2>/dev/null	# reaped here, quietly
stepat "$t4" "kill -9 A's keepalived"
t=$(vg_wait_holder $VIP "a d" $WAIT_MS a d) || die "D did not take over after $t ms (holders: $(vg_holders $VIP a d))"
d_add=$(vg_mon_added_ms d $VIP "$t4")
[ -n "$d_add" ] && stepat "$d_add" "D took over: VIP on D, $(gap "$t4" "$d_add") ms after the crash (bound: 3 x 1 s + (256-99)/256 s = 3613 ms)"
sleep "$STEADY"
t4e=$(vg_now_ms)
report "$t4" "$t4e" "since the crash"
P4_OUT=$OUTAGE P4_FAIL=$NFAIL P4_VIP=$(gap "$t4" "$d_add")
P4_WHO=$(awk -v lo="$(( t4e - 1000 ))" '$1 >= lo && $3 !~ /^fail/ { split($3, w, ">"); print w[1] }' "$CLIENT_LOG" | sort -u | paste -sd' ')
step "answering the client now: ${P4_WHO:-nobody}"

# ---- the end -------------------------------------------------------------------

touch "$VG_WORK/client.stop"
for ((i = 0; i < 30 && $(kill -0 $CLIENT_PID 2>/dev/null && echo 1 || echo 0); i++)); do sleep 0.1; done
vg_stop d >/dev/null
total=$(grep -c '' "$CLIENT_LOG")
failed=$(grep -c ' fail' "$CLIENT_LOG")
step "client stopped ($total requests, $failed failed); D stopped"

echo
echo "Summary (client's outage: start of its first failed request to start of its first answered one;"
echo "requests every 50 ms, each giving up after 1 s):"
printf '  (1) steady            : VIP on A, answers from B and C, outage %s ms\n' "$P1_OUT"
printf '  (2) A unhealthy       : D took over, VIP moved after %s ms, client outage %s ms (%s failed)\n' "$P2_VIP" "$P2_OUT" "$P2_FAIL"
printf '  (3) A healthy again   : A preempted, VIP moved after %s ms, client outage %s ms (%s failed)\n' "$P3_VIP" "$P3_OUT" "$P3_FAIL"
printf '  (4) A crashed         : D took over, VIP moved after %s ms, client outage %s ms (%s failed)\n' "$P4_VIP" "$P4_OUT" "$P4_FAIL"
echo
echo "A's log:"; grep -E "Entering|Removing service|Adding service" "$VG_WORK/a.log" | tail -8 | sed 's/^/  /'
echo "D's log:"; grep -E "Entering|Removing service|Adding service" "$VG_WORK/d.log" | tail -8 | sed 's/^/  /'
[ -n "${VG_KEEP:-}" ] && echo "work directory kept: $VG_WORK (a.conf, d.conf, *.log, client.log)"
echo "Namespaces removed on exit.  The seed's original pairing (Vigil + external nginx + the unchanged track script samples/nginx_status.sh): samples/demo-ha.sh"
exit 0
