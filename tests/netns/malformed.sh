#!/bin/bash
# Receive rules under attack (namespaces): a third node c, running no
# daemon, injects whole hand-made IPv4 packets (tests/netns/vrrp_inject.py,
# IP_HDRINCL) to 224.0.0.18 for the instances of a (MASTER 150) and b
# (BACKUP 100).  Each bad advert breaks exactly one receive rule and carries
# priority 254 and the right VRID, so that accepting it would make a yield.
#
#   1. one bad advert per rule, VRRPv2 PASS (VI_1, vrid 51) and VRRPv3
#      (VI_2, vrid 52): a keeps both VIPs, b takes none, both log the
#      drop reason ("(VI_1) dropped advert from 192.0.2.3: bad TTL (1 so far)")
#   2. a flood of 2,000 bad adverts/s for 10 s (keepalived 2.2.7 lets such a
#      flood silence the master: inventory section 11): no takeover, a
#      handful of log lines, little CPU
#   3. control: valid adverts with priority 254 do make a yield, so the
#      checks above can fail
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root

VIP1=192.0.2.100	# VI_1: v2, vrid 51, auth PASS
VIP2=192.0.2.101	# VI_2: v3, vrid 52
C=192.0.2.3		# the attacker
INJECT=(python3 "$SRC/tests/netns/vrrp_inject.py" --src "$C")
FLOOD_RATE=${FLOOD_RATE:-2000}
FLOOD_SECS=${FLOOD_SECS:-10}
CPU_LIMIT_MS=500

python3 -c 'import socket; socket.SO_BINDTODEVICE' 2>/dev/null || {
	echo "python3 with raw sockets needed: skipped"
	exit 77
}

# conf NODE STATE PRIORITY
conf() {
	cat >"$VG_WORK/$1.conf" <<EOC
global_defs {
    router_id $1
}
vrrp_instance VI_1 {
    state $2
    interface eth0
    virtual_router_id 51
    priority $3
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass s3cret
    }
    virtual_ipaddress {
        $VIP1/24
    }
}
vrrp_instance VI_2 {
    version 3
    state $2
    interface eth0
    virtual_router_id 52
    priority $3
    advert_int 1
    virtual_ipaddress {
        $VIP2/24
    }
}
EOC
	echo "$VG_WORK/$1.conf"
}

# inject ARGS... : from c
inject() { ip netns exec "$(vg_ns c)" "${INJECT[@]}" "$@"; }

# drops NODE INST REASON : how many drop lines NODE logged for that reason
drops() {
	grep -cF "($2) dropped advert from $C: $3 (" "$VG_WORK/$1.log"
}

# wait_drops NODE INST REASON ABOVE : wait (2 s at most) until more than
# ABOVE such lines are logged
wait_drops() {
	local i
	for i in $(seq 1 200); do
		[ "$(drops "$1" "$2" "$3")" -gt "$4" ] && return 0
		sleep 0.01
	done
	return 1
}

# Drop lines are rate-limited per reason (10 s): a second case with the same
# reason waits until the window of the first has passed.
declare -A SENT_AT
DROP_WINDOW_MS=10300

# bad INST VIP REASON CASE [INJECT-OPTIONS...] : three copies of one bad
# advert; a must keep VIP, b must not take it, both must log REASON
bad() {
	local inst=$1 vip=$2 reason=$3 case=$4 key="$1/$3" na nb wait
	shift 4
	if [ -n "${SENT_AT[$key]:-}" ]; then
		wait=$((SENT_AT[$key] + DROP_WINDOW_MS - $(vg_now_ms)))
		[ "$wait" -gt 0 ] && sleep "$(printf '%d.%03d' $((wait / 1000)) $((wait % 1000)))"
	fi
	na=$(drops a "$inst" "$reason")
	nb=$(drops b "$inst" "$reason")
	SENT_AT[$key]=$(vg_now_ms)
	inject --count 3 --gap 0.05 "$@" "$case"
	wait_drops a "$inst" "$reason" "$na"
	vg_check "$inst $case: a logged '$reason'" test $? -eq 0
	wait_drops b "$inst" "$reason" "$nb"
	vg_check "$inst $case: b logged '$reason'" test $? -eq 0
	sleep 0.2
	vg_check "$inst $case: $vip still on a only" test "$(vg_holders "$vip" a b)" = a
}

# mon_events NODE PATTERN AFTER_MS : address events on NODE matching
# PATTERN (grep -F) with a timestamp at or after AFTER_MS
mon_events() {
	local line ts ms n=0
	while IFS= read -r line; do
		case "$line" in *"$2"*) ;; *) continue ;; esac
		ts=${line#\[}
		ts=${ts%%\]*}
		ms=$(date -d "${ts/T/ }" +%s%3N 2>/dev/null) || continue
		[ "$ms" -ge "$3" ] && n=$((n + 1))
	done <"$VG_WORK/$1.mon"
	echo $n
}

# cpu_ms PID : user + system CPU time of PID so far, in ms
cpu_ms() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo -1; return; }
	s=${s##*) }
	# fields after "(comm) ": state is 3rd overall, utime 14th, stime 15th
	# shellcheck disable=SC2086 # split into fields on purpose
	set -- $s
	echo $(( (${12} + ${13}) * 1000 / $(getconf CLK_TCK) ))
}

vg_setup a b c || { echo "namespace setup failed"; exit 1; }
vg_mon_start a
vg_mon_start b

vg_start_vigil a "$(conf a MASTER 150)"
vg_start_vigil b "$(conf b BACKUP 100)"
t=$(vg_wait_holder $VIP1 a 6000 a b); rc1=$?
t2=$(vg_wait_holder $VIP2 a 6000 a b); rc2=$?
vg_check "start: a master of VI_1 and VI_2 ($t ms, $t2 ms)" test $rc1 -eq 0 -a $rc2 -eq 0
sleep 1.2
T0=$(vg_now_ms)

# ---- 1. one bad advert per receive rule --------------------------------
# first every reason once, then the second case of a reason (after 10 s)
bad VI_1 $VIP1 "bad TTL" ttl254
bad VI_1 $VIP1 "bad version" ver1
bad VI_1 $VIP1 "bad type" type2
bad VI_1 $VIP1 "bad length" trailing
bad VI_1 $VIP1 "bad checksum" csum
bad VI_1 $VIP1 "address count mismatch" count2
bad VI_1 $VIP1 "address list mismatch" list
bad VI_1 $VIP1 "auth type mismatch" authnone
bad VI_1 $VIP1 "auth failure" password
bad VI_1 $VIP1 "advert interval mismatch" interval2

V3=(--version 3 --vrid 52 --vip "$VIP2")
bad VI_2 $VIP2 "bad TTL" ttl254 "${V3[@]}"
bad VI_2 $VIP2 "bad version" ver1 "${V3[@]}"
bad VI_2 $VIP2 "bad type" type2 "${V3[@]}"
bad VI_2 $VIP2 "bad length" trailing "${V3[@]}"
bad VI_2 $VIP2 "bad checksum" csum "${V3[@]}"
bad VI_2 $VIP2 "address count mismatch" count2 "${V3[@]}"
bad VI_2 $VIP2 "address list mismatch" list "${V3[@]}"

bad VI_1 $VIP1 "bad version" ver4
bad VI_1 $VIP1 "bad length" truncated
bad VI_2 $VIP2 "bad version" ver2 "${V3[@]}"
bad VI_2 $VIP2 "bad length" truncated "${V3[@]}"
bad VI_1 $VIP1 "bad version" ver3

vg_check "bad adverts: a never removed a VIP" \
	test "$(mon_events a "Deleted" "$T0")" -eq 0
vg_check "bad adverts: b never added a VIP" \
	test "$(mon_events b "192.0.2.10" "$T0")" -eq 0
vg_check "bad adverts: a never left MASTER" \
	test "$(grep -c "Entering BACKUP STATE" "$VG_WORK/a.log")" -eq 2
vg_check "bad adverts: b never became MASTER" \
	test "$(grep -c "Entering MASTER STATE" "$VG_WORK/b.log")" -eq 0

# ---- 2. flood of bad passwords ---------------------------------------------
pa=$(cat "$VG_WORK/a.pid" 2>/dev/null || vg_pid a)
pb=$(cat "$VG_WORK/b.pid" 2>/dev/null || vg_pid b)
la=$(grep -c "dropped advert" "$VG_WORK/a.log")
lb=$(grep -c "dropped advert" "$VG_WORK/b.log")
ca0=$(cpu_ms "$pa")
cb0=$(cpu_ms "$pb")
F0=$(vg_now_ms)
inject --rate "$FLOOD_RATE" --duration "$FLOOD_SECS" password >"$VG_WORK/flood.out" 2>&1 &
FLOOD=$!
VG_PIDS+=("$FLOOD")
held=0 polls=0
while kill -0 $FLOOD 2>/dev/null && [ $polls -lt $((FLOOD_SECS * 10 + 100)) ]; do
	[ "$(vg_holders $VIP1 a b)" = a ] && held=$((held + 1))
	polls=$((polls + 1))
	sleep 0.1
done
wait $FLOOD
F1=$(vg_now_ms)
ca1=$(cpu_ms "$pa")
cb1=$(cpu_ms "$pb")
sleep 0.5
la=$(( $(grep -c "dropped advert" "$VG_WORK/a.log") - la ))
lb=$(( $(grep -c "dropped advert" "$VG_WORK/b.log") - lb ))
echo "  flood: $(cat "$VG_WORK/flood.out"); $((F1 - F0)) ms"
echo "  flood: CPU a $((ca1 - ca0)) ms, b $((cb1 - cb0)) ms; drop lines a $la, b $lb"
vg_check "flood: injector sent packets" grep -q "^sent [1-9]" "$VG_WORK/flood.out"
vg_check "flood: VIP on a only at every poll ($held/$polls)" test $held -eq $polls -a $polls -gt 0
vg_check "flood: a never removed its VIP" test "$(mon_events a "Deleted" "$F0")" -eq 0
vg_check "flood: b never added the VIP" test -z "$(vg_mon_added_ms b $VIP1 "$F0")"
vg_check "flood: b never became MASTER" \
	test "$(grep -c "Entering MASTER STATE" "$VG_WORK/b.log")" -eq 0
vg_check "flood: a logged $la drop lines (at most 3)" test $la -ge 1 -a $la -le 3
vg_check "flood: b logged $lb drop lines (at most 3)" test $lb -ge 1 -a $lb -le 3
vg_check "flood: a used $((ca1 - ca0)) ms CPU (< $CPU_LIMIT_MS)" \
	test "$ca0" -ge 0 -a $((ca1 - ca0)) -lt $CPU_LIMIT_MS
vg_check "flood: b used $((cb1 - cb0)) ms CPU (< $CPU_LIMIT_MS)" \
	test "$cb0" -ge 0 -a $((cb1 - cb0)) -lt $CPU_LIMIT_MS
# the counter went on under the rate limit: one more bad advert after the
# window shows how many were counted
n0=$(drops a VI_1 "auth failure")
wait=$((F1 + DROP_WINDOW_MS - $(vg_now_ms)))
[ "$wait" -gt 0 ] && sleep "$(printf '%d.%03d' $((wait / 1000)) $((wait % 1000)))"
inject password
wait_drops a VI_1 "auth failure" "$n0"
cnt=$(grep -F "(VI_1) dropped advert from $C: auth failure (" "$VG_WORK/a.log" | tail -1 |
	sed 's/.*(\([0-9]*\) so far).*/\1/')
echo "  flood: a's auth failure counter after the flood: ${cnt:-?}"
vg_check "flood: a counted the flood (${cnt:-?} auth failures)" \
	test "${cnt:-0}" -ge $((FLOOD_RATE * FLOOD_SECS / 2))

# ---- 3. control: valid adverts with priority 254 -----------------------------
inject valid
t=$(vg_wait_holder $VIP1 "" 2000 a b); rc=$?
vg_check "control VI_1: a yielded to a valid priority 254 advert ($t ms)" test $rc -eq 0
vg_check "control VI_1: a logged the higher priority" grep -qF \
	"(VI_1) Master received advert from $C with higher priority 254, ours 150" "$VG_WORK/a.log"
inject valid "${V3[@]}"
t=$(vg_wait_holder $VIP2 "" 2000 a b); rc=$?
vg_check "control VI_2: a yielded to a valid v3 priority 254 advert ($t ms)" test $rc -eq 0
vg_check "control VI_2: a logged the higher priority" grep -qF \
	"(VI_2) Master received advert from $C with higher priority 254, ours 150" "$VG_WORK/a.log"
# c falls silent: a (150) times out first and takes both back
t=$(vg_wait_holder $VIP1 a 6000 a b); rc1=$?
t2=$(vg_wait_holder $VIP2 a 6000 a b); rc2=$?
vg_check "control: a master again once c is silent" test $rc1 -eq 0 -a $rc2 -eq 0

vg_stop a; vg_stop b
vg_summary malformed
