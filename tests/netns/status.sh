#!/bin/bash
# What a running node shows of itself (namespaces): keepalived's dump files
# on SIGUSR1 / SIGUSR2 / SIGRTMIN+2 / SIGRTMAX-1, and Vigil's status
# endpoints (status_socket, status_listen): JSON, Prometheus metrics,
# operator step-down and step-up.
#
#   a: MASTER 150, status_socket + status_listen 192.0.2.1:8080 control
#   b: BACKUP 100, status_socket + status_listen 192.0.2.2:8080 (read-only)
#   c: no daemon; injects a bad advert (tests/netns/vrrp_inject.py)
#
# With keepalived 2.2.7 installed, the same pair runs under keepalived and
# its keepalived.stats / keepalived.json must have the same lines and keys.
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root
command -v curl >/dev/null || { echo "curl needed: skipped"; exit 77; }

VIP=192.0.2.100
MARGIN=150		# ms allowed beyond the protocol's bound
RTMIN=$(kill -l RTMIN)
RTMAX=$(kill -l RTMAX)
SIG_JSON=$((RTMIN + 2))		# 36 with glibc
SIG_CLEAR=$((RTMAX - 1))	# 63

# conf NODE STATE PRIORITY STATUS-LINES...
conf() {
	local node=$1 state=$2 prio=$3
	shift 3
	cat >"$VG_WORK/$node.conf" <<EOC
global_defs {
    router_id $node
    $(printf '%s\n    ' "$@")
}
vrrp_script chk {
    script "/bin/true"
    interval 1
    weight -20
}
vrrp_instance VI_1 {
    state $state
    interface eth0
    virtual_router_id 51
    priority $prio
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass s3cret
    }
    track_script {
        chk
    }
    virtual_ipaddress {
        $VIP/24
    }
}
EOC
	echo "$VG_WORK/$node.conf"
}

# start NODE IMPL CONF: with TMPDIR, where the dump files go, per node
start() {
	mkdir -p "$VG_WORK/tmp_$1"
	rm -f "$VG_WORK/tmp_$1"/*
	if [ "$2" = vigil ]; then
		TMPDIR="$VG_WORK/tmp_$1" vg_start_vigil "$1" "$3"
	else
		TMPDIR="$VG_WORK/tmp_$1" vg_start_keepalived "$1" "$3"
	fi
}

# dump NODE SIGNAL FILE: signal, wait (2 s at most) for a new FILE
dump() {
	local f="$VG_WORK/tmp_$1/$3" i
	rm -f "$f"
	vg_signal "$1" "$2"
	for i in $(seq 1 200); do
		[ -s "$f" ] && return 0
		sleep 0.01
	done
	return 1
}

# stat_value NODE SECTION KEY: from keepalived.stats ("Advertisements" "Sent")
stat_value() {
	awk -v sec="  $2:" -v key="    $3:" '
		$0 == sec { in_sec = 1; next }
		/^  [^ ]/ { in_sec = 0 }
		in_sec && index($0, key) == 1 { print $NF; exit }' "$VG_WORK/tmp_$1/keepalived.stats"
}

# py EXPR FILE: evaluate EXPR on the JSON document J in FILE
py() { python3 -c "import json,sys; J=json.load(open(sys.argv[1])); print($1)" "$2"; }

unix_get() { curl -sS --max-time 2 --unix-socket "$VG_WORK/$1.sock" "http://localhost$2"; }
unix_post() { curl -sS --max-time 2 -X POST --unix-socket "$VG_WORK/$1.sock" "http://localhost$2"; }
# tcp NODE METHOD URL: curl from inside NODE's namespace
tcp() { ip netns exec "$(vg_ns "$1")" curl -sS --max-time 2 -o "$VG_WORK/tcp.out" \
	-w '%{http_code}' -X "$2" "$3"; }

# plain NODE LINE: the line protocol over the Unix socket
plain() {
	python3 - "$VG_WORK/$1.sock" "$2" <<'EOP'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(2)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
out = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    out += d
sys.stdout.write(out.decode())
EOP
}

vg_setup a b c || { echo "namespace setup failed"; exit 1; }
vg_mon_start a
vg_mon_start b

start a vigil "$(conf a MASTER 150 "status_socket $VG_WORK/a.sock" \
	"status_listen 192.0.2.1:8080 control")"
start b vigil "$(conf b BACKUP 100 "status_socket $VG_WORK/b.sock" \
	"status_listen 192.0.2.2:8080")"
t=$(vg_wait_holder $VIP a 6000 a b)
vg_check "a elected master ($t ms)" test $? -eq 0
sleep 1.5
PA=$(cat "$VG_WORK/a.pid")

# ---- 1. dump files -----------------------------------------------------------------
vg_check "SIGUSR1: keepalived.data written" dump a USR1 keepalived.data
vg_check "SIGUSR1: keepalived's log line" \
	grep -qF "Printing VRRP data for process($PA) on signal" "$VG_WORK/a.log"
vg_check "keepalived.data: instance section" \
	grep -qxF " VRRP Instance = VI_1" "$VG_WORK/tmp_a/keepalived.data"
vg_check "keepalived.data: state MASTER" grep -qxF "   State = MASTER" "$VG_WORK/tmp_a/keepalived.data"
vg_check "SIGUSR2: keepalived.stats written" dump a USR2 keepalived.stats
vg_check "SIGUSR2: keepalived's log line" \
	grep -qF "Printing VRRP stats for process($PA) on signal" "$VG_WORK/a.log"
vg_check "SIGRTMIN+2: keepalived.json written" dump a "$SIG_JSON" keepalived.json
vg_check "SIGRTMIN+2: keepalived's log line" \
	grep -qF "Printing VRRP as json for process($PA) on signal" "$VG_WORK/a.log"
mode=$(stat -c %a "$VG_WORK"/tmp_a/keepalived.{data,stats,json} | sort -u)
vg_check "dump files are mode 600 ($mode)" test "$mode" = 600
vg_check "keepalived.json parses" python3 -m json.tool "$VG_WORK/tmp_a/keepalived.json" /dev/null
J=$VG_WORK/tmp_a/keepalived.json
vg_check "json: iname, state 2, effective_priority 150" test \
	"$(py '[J[0]["data"][k] for k in ("iname","state","effective_priority")]' "$J")" = "['VI_1', 2, 150]"
vg_check "json: stats.advert_sent > 0" test "$(py 'J[0]["stats"]["advert_sent"] > 0' "$J")" = True

sent1=$(stat_value a Advertisements Sent)
sleep 2.2
dump a USR2 keepalived.stats
sent2=$(stat_value a Advertisements Sent)
vg_check "stats: master's Sent grew ($sent1 -> $sent2)" test "${sent2:-0}" -ge $((sent1 + 2))
dump b USR2 keepalived.stats
rcvd1=$(stat_value b Advertisements Received)
sleep 2.2
dump b USR2 keepalived.stats
rcvd2=$(stat_value b Advertisements Received)
vg_check "stats: backup's Received grew ($rcvd1 -> $rcvd2)" test "${rcvd2:-0}" -ge $((rcvd1 + 2))
vg_check "SIGRTMIN+2 on the backup: state 1" eval \
	'dump b $SIG_JSON keepalived.json && test "$(py "J[0][\"data\"][\"state\"]" "$VG_WORK/tmp_b/keepalived.json")" = 1'

vg_check "SIGRTMAX-1: stats written" dump a "$SIG_CLEAR" keepalived.stats
vg_check "SIGRTMAX-1: keepalived's log line" \
	grep -qF "Printing and clearing VRRP stats for process($PA) on signal" "$VG_WORK/a.log"
dump a USR2 keepalived.stats
sent3=$(stat_value a Advertisements Sent)
vg_check "SIGRTMAX-1 cleared the counters (Sent $sent2 -> $sent3)" test "${sent3:-99}" -le 2

# ---- 2. status endpoints -------------------------------------------------------------
unix_get a /status >"$VG_WORK/s1.json"
vg_check "status over status_socket parses" python3 -m json.tool "$VG_WORK/s1.json" /dev/null
vg_check "status: VI_1 MASTER, priority 150/150" test \
	"$(py '[J["instances"][0][k] for k in ("name","state","priority")]' "$VG_WORK/s1.json")" = \
	"['VI_1', 'MASTER', {'effective': 150, 'base': 150}]"
vg_check "status: track script chk GOOD" test \
	"$(py 'J["instances"][0]["track_scripts"]' "$VG_WORK/s1.json")" = \
	"[{'name': 'chk', 'status': 'GOOD', 'weight': -20}]"
sleep 1.2
unix_get a /status >"$VG_WORK/s2.json"
c1=$(py 'J["instances"][0]["counters"]["adverts_sent"]' "$VG_WORK/s1.json")
c2=$(py 'J["instances"][0]["counters"]["adverts_sent"]' "$VG_WORK/s2.json")
vg_check "status: adverts_sent increases between calls ($c1 -> $c2)" test "$c2" -gt "$c1"

code=$(tcp b GET http://192.0.2.2:8080/status)
cp "$VG_WORK/tcp.out" "$VG_WORK/s3.json"
vg_check "status_listen on b's address: 200 ($code)" test "$code" = 200
vg_check "status_listen: JSON parses" python3 -m json.tool "$VG_WORK/s3.json" /dev/null
vg_check "status_listen: b BACKUP, master 192.0.2.1" test \
	"$(py '[J["instances"][0][k] for k in ("state","master")]' "$VG_WORK/s3.json")" = \
	"['BACKUP', '192.0.2.1']"
sleep 1.2
tcp b GET http://192.0.2.2:8080/status >/dev/null
r1=$(py 'J["instances"][0]["counters"]["adverts_received"]' "$VG_WORK/s3.json")
r2=$(py 'J["instances"][0]["counters"]["adverts_received"]' "$VG_WORK/tcp.out")
vg_check "status_listen: adverts_received increases ($r1 -> $r2)" test "$r2" -gt "$r1"

unix_get a /metrics >"$VG_WORK/metrics.txt"
for series in 'vigil_vrrp_state{instance="VI_1"} 2' \
	'vigil_vrrp_priority{instance="VI_1",kind="effective"} 150' \
	'vigil_vrrp_priority{instance="VI_1",kind="base"} 150' \
	'vigil_vrrp_adverts_received_total{instance="VI_1"} ' \
	'vigil_vrrp_adverts_sent_total{instance="VI_1"} ' \
	'vigil_vrrp_malformed_total{instance="VI_1",reason="ttl"} ' \
	'vigil_vrrp_transitions_total{instance="VI_1"} '; do
	vg_check "metrics: $series" grep -qF "$series" "$VG_WORK/metrics.txt"
done
vg_check "plain line 'status' answers JSON" eval \
	'plain a status | python3 -m json.tool >/dev/null'
vg_check "plain line 'metrics' answers metrics" eval \
	'plain a metrics | grep -q "^vigil_vrrp_state{instance=\"VI_1\"} 2$"'
vg_check "unknown request: 404" test "$(tcp a GET http://192.0.2.1:8080/nothing)" = 404
vg_check "unknown instance: 404" test "$(tcp a POST http://192.0.2.1:8080/stepdown/VI_9)" = 404
vg_check "read-only status_listen refuses step-down: 403" \
	test "$(tcp b POST http://192.0.2.2:8080/stepdown/VI_1)" = 403

# a client that connects and never sends must not hold the loop
python3 -c 'import socket,sys,time
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(3)' "$VG_WORK/a.sock" &
IDLE=$!
VG_PIDS+=("$IDLE")
sleep 0.3
t0=$(vg_now_ms)
unix_get a /status >/dev/null
vg_check "an idle client does not delay others ($(( $(vg_now_ms) - t0 )) ms)" \
	test $(( $(vg_now_ms) - t0 )) -lt 500
wait "$IDLE" 2>/dev/null

# ---- 3. malformed counter ------------------------------------------------------------
python3 -c 'import socket; socket.SO_BINDTODEVICE' 2>/dev/null && {
	m0=$(unix_get a /status | python3 -c 'import json,sys; print(json.load(sys.stdin)["instances"][0]["counters"]["malformed"]["ttl"])')
	ip netns exec "$(vg_ns c)" python3 "$SRC/tests/netns/vrrp_inject.py" --src 192.0.2.3 \
		--count 3 --gap 0.05 ttl254
	sleep 0.3
	unix_get a /metrics >"$VG_WORK/metrics2.txt"
	m1=$(sed -n 's/^vigil_vrrp_malformed_total{instance="VI_1",reason="ttl"} //p' "$VG_WORK/metrics2.txt")
	vg_check "malformed{reason=ttl} moved by 3 ($m0 -> $m1)" test "$m1" -eq $((m0 + 3))
	dump a USR2 keepalived.stats
	vg_check "keepalived.stats TTL errors: 3" test "$(stat_value a "Packet Errors" TTL)" = 3
	vg_check "a still master after the bad adverts" test "$(vg_holders $VIP a b)" = a
}

# ---- 4. step-down and step-up ---------------------------------------------------------
t0=$(vg_now_ms)
out=$(unix_post a /stepdown/VI_1)
vg_check "stepdown answered ($out)" test "$out" = '{"instance":"VI_1","state":"BACKUP","stepped_down":true}'
vg_wait_holder $VIP b 3000 a b >/dev/null
at=$(vg_mon_added_ms b $VIP "$t0")
t=$([ -n "$at" ] && echo $((at - t0)) || echo never)
vg_check "step-down: VIP on b after $t ms (bound 1000 + $MARGIN)" \
	test "$t" != never -a "${t/never/0}" -le $((1000 + MARGIN))
vg_check "a logged the step-down" grep -qF "(VI_1) Stepping down on operator request" "$VG_WORK/a.log"
vg_check "a logged BACKUP" grep -qF "(VI_1) Entering BACKUP STATE" "$VG_WORK/a.log"
sleep 5	# beyond a's Master_Down_Interval (3.41 s): it must stay out
vg_check "stepped down: VIP stays on b for 5 s" test "$(vg_holders $VIP a b)" = b
unix_get a /status >"$VG_WORK/s4.json"
vg_check "status: stepped_down, BACKUP, master 192.0.2.2" test \
	"$(py '[J["instances"][0][k] for k in ("stepped_down","state","master")]' "$VG_WORK/s4.json")" = \
	"[True, 'BACKUP', '192.0.2.2']"
vg_check "metrics: vigil_vrrp_stepped_down 1" eval \
	'unix_get a /metrics | grep -qxF "vigil_vrrp_stepped_down{instance=\"VI_1\"} 1"'

t0=$(vg_now_ms)
code=$(tcp a POST http://192.0.2.1:8080/stepup/VI_1)
vg_check "stepup over status_listen control: 200 ($code)" test "$code" = 200
vg_wait_holder $VIP a 6000 a b >/dev/null
at=$(vg_mon_added_ms a $VIP "$t0")
t=$([ -n "$at" ] && echo $((at - t0)) || echo never)
vg_check "step-up: a preempted after $t ms (bound 3414 + $MARGIN)" \
	test "$t" != never -a "${t/never/0}" -le $((3414 + MARGIN))
vg_check "a logged the step-up" grep -qF "(VI_1) Operator step-down cleared" "$VG_WORK/a.log"

vg_stop a; vg_stop b
vg_check "status_socket removed at stop" test ! -e "$VG_WORK/a.sock"

# ---- 5. the same files from keepalived 2.2.7 --------------------------------------------
if [ -x "$KEEPALIVED" ]; then
	for n in a b; do cp "$VG_WORK/tmp_$n/keepalived.stats" "$VG_WORK/vigil_$n.stats"; done
	cp "$J" "$VG_WORK/vigil.json"
	start a keepalived "$(conf a MASTER 150)"
	start b keepalived "$(conf b BACKUP 100)"
	vg_wait_holder $VIP a 8000 a b >/dev/null
	sleep 2
	vg_check "keepalived: stats written" dump a USR2 keepalived.stats
	vg_check "keepalived: json written" dump a "$SIG_JSON" keepalived.json
	shape() { sed 's/[0-9][0-9]*$/N/' "$1"; }
	vg_check "keepalived.stats: same lines as keepalived's" \
		diff <(shape "$VG_WORK/vigil_a.stats") <(shape "$VG_WORK/tmp_a/keepalived.stats")
	keys='[list(J[0]["data"].keys()), list(J[0]["stats"].keys())]'
	vg_check "keepalived.json: same keys, same order as keepalived's" test \
		"$(py "$keys" "$VG_WORK/vigil.json")" = "$(py "$keys" "$VG_WORK/tmp_a/keepalived.json")"
	vg_stop a; vg_stop b
else
	echo "keepalived 2.2.7 not installed: format comparison skipped"
fi

vg_summary status
