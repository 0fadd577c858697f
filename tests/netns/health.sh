#!/bin/bash
# The proxy's health checks against real servers in namespaces: the health
# thread (run by tests/netns/health_drive, which stands in for the proxy's
# workers and the VRRP thread) on node lb, Python web servers on rs1 and
# rs2.  Checks keepalived's log lines and the timings of HTTP_GET (IPv4
# and IPv6, status and regex), TCP_CHECK and MISC_CHECK (exit status,
# hung script killed at misc_timeout), notify_up/down, alpha, a connect
# that never completes not delaying anyone, and each virtual server's
# health as the VRRP thread sees it (event fd), stuck workers included.
#
# Exit: 0 passed, 1 failed, 77 skipped (not root).
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root

DRIVE=${HEALTH_DRIVE:-$BLD/tests/netns/health_drive}
if [ ! -x "$DRIVE" ]; then
	echo "health.sh: $DRIVE not found (make check builds it)"
	exit 1
fi
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

W=$VG_WORK
OUT=$W/drive.out	# the driver's state changes, "<ms> ..." per line
LOG=$W/drive.log	# keepalived's log lines
VSA="[192.0.2.100]:tcp:80"
VS6="[2001:db8::100]:tcp:80"
VSM="[192.0.2.101]:tcp:80"
VSX="[192.0.2.102]:tcp:80"
RS1="[192.0.2.2]:tcp:8000"
RS2="[192.0.2.3]:tcp:8000"
RS26="[2001:db8::3]:tcp:8000"
HOLE="[192.0.2.9]:tcp:8000"
MARK="3$((RANDOM % 900 + 100)).25"	# the hung script's sleep, to find leftovers

vg_setup lb rs1 rs2 || { echo "health.sh: namespace setup failed"; exit 1; }
# 192.0.2.9 "exists" but never answers: its SYNs vanish into the bridge
ip -n "$(vg_ns lb)" neigh add 192.0.2.9 lladdr 02:00:00:00:00:09 dev eth0 nud permanent

mkdir -p "$W/www1" "$W/www2"
echo "status: ok" >"$W/www1/health.txt"
echo "status: ok" >"$W/www2/health.txt"
echo 0 >"$W/flag"
cat >"$W/flag.sh" <<EOS
#!/bin/sh
exit \$(cat $W/flag)
EOS
cat >"$W/hang.sh" <<EOS
#!/bin/sh
sleep $MARK &
wait
EOS
cat >"$W/notify.sh" <<EOS
#!/bin/sh
echo "\$*" >> $W/notify.log
EOS
chmod 755 "$W"/*.sh

cat >"$W/health.conf" <<EOC
global_defs {
    script_user root
    enable_script_security
}
virtual_server 192.0.2.100 80 {
    lb_kind PROXY
    protocol TCP
    delay_loop 0.5
    warmup 0
    real_server 192.0.2.2 8000 {
        notify_up "$W/notify.sh up rs1"
        notify_down "$W/notify.sh down rs1"
        HTTP_GET {
            url {
                path /health.txt
                status_code 200
                regex "status: ok"
            }
            connect_timeout 1
            delay_before_retry 0.5
        }
    }
    real_server 192.0.2.3 8000 {
        TCP_CHECK {
            connect_timeout 1
            delay_before_retry 0.5
        }
    }
}
virtual_server 2001:db8::100 80 {
    lb_kind PROXY
    protocol TCP
    delay_loop 0.5
    warmup 0
    real_server 2001:db8::3 8000 {
        HTTP_GET {
            url {
                path /health.txt
            }
            connect_timeout 1
            delay_before_retry 0.5
        }
    }
}
virtual_server 192.0.2.101 80 {
    lb_kind PROXY
    protocol TCP
    delay_loop 0.5
    warmup 0
    real_server 192.0.2.2 8000 {
        MISC_CHECK {
            misc_path "$W/flag.sh"
        }
    }
    real_server 192.0.2.3 8000 {
        MISC_CHECK {
            misc_path "$W/hang.sh"
            misc_timeout 1
        }
    }
}
virtual_server 192.0.2.102 80 {
    lb_kind PROXY
    protocol TCP
    delay_loop 0.5
    warmup 0
    alpha
    real_server 192.0.2.9 8000 {
        TCP_CHECK {
            connect_timeout 3
        }
    }
}
EOC

# ---- helpers ----

# web NODE: a web server on NODE's addresses (v4 and v6), port 8000
web() {
	local n=$1 dir=$W/www${1#rs}
	ip netns exec "$(vg_ns "$n")" "$PY" -m http.server 8000 --bind :: --directory "$dir" \
		>/dev/null 2>&1 </dev/null &
	VG_PIDS+=($!)
}

# web_wait IP: until a web server answers on IP port 8000 (bounded: 5 s)
web_wait() {
	local i
	for i in $(seq 1 100); do
		ip netns exec "$(vg_ns lb)" bash -c "exec 3<>/dev/tcp/$1/8000" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# web_stop NODE: stop it (all that runs there) and wait until it is gone
web_stop() {
	local ns i
	ns=$(vg_ns "$1")
	ip netns pids "$ns" | xargs -r kill 2>/dev/null
	for i in $(seq 1 100); do
		[ -z "$(ip netns pids "$ns")" ] && return 0
		sleep 0.02
	done
	return 1
}

count() {
	local n
	n=$(grep -cF -- "$2" "$1" 2>/dev/null)
	echo "${n:-0}"
}

# wait_count FILE TEXT N TIMEOUT_MS: until N lines of FILE contain TEXT
wait_count() {
	local f=$1 t=$2 n=$3 tmo=$4 start
	start=$(vg_now_ms)
	while [ "$(count "$f" "$t")" -lt "$n" ]; do
		[ $(($(vg_now_ms) - start)) -ge "$tmo" ] && return 1
		sleep 0.05
	done
}

# event_ms TEXT AFTER_MS: the time of the driver's first line with TEXT
# at or after AFTER_MS
event_ms() {
	awk -v a="$2" -v t="$1" '$1 >= a && index($0, t) { print $1; exit }' "$OUT"
}

# expect_event WHAT TEXT AFTER_MS MIN_MS MAX_MS: the driver reports TEXT
# between MIN_MS and MAX_MS after AFTER_MS
expect_event() {
	local what=$1 text=$2 after=$3 min=$4 max=$5 i ev
	for i in $(seq 1 $(((max + 2000) / 50))); do
		ev=$(event_ms "$text" "$after")
		[ -n "$ev" ] && break
		sleep 0.05
	done
	if [ -z "$ev" ]; then
		vg_bad "$what: no '$text' within $((max + 2000)) ms"
	elif [ $((ev - after)) -lt "$min" ] || [ $((ev - after)) -gt "$max" ]; then
		vg_bad "$what: after $((ev - after)) ms (want $min-$max)"
	else
		vg_ok "$what ($((ev - after)) ms)"
	fi
}

# expect_log WHAT TEXT N: the log has N lines with TEXT (within 3 s)
expect_log() {
	if wait_count "$LOG" "$2" "$3" 3000; then vg_ok "$1"; else vg_bad "$1: want $3 x '$2'"; fi
}

# ---- start ----

web rs1
web rs2
# the first checks must find them: a first failure is retried, and a
# success after a retry is not logged (keepalived's rule)
web_wait 192.0.2.2 && web_wait 192.0.2.3 && web_wait 2001:db8::3 ||
	vg_bad "web servers did not start"
T0=$(vg_now_ms)
ip netns exec "$(vg_ns lb)" "$DRIVE" "$W/health.conf" >"$OUT" 2>"$LOG" </dev/null &
DRIVE_PID=$!
VG_PIDS+=($DRIVE_PID)

expect_log "HTTP_GET up at start" "Remote Web server $RS1 succeed on service." 1
expect_log "HTTP_GET over IPv6 up at start" "Remote Web server $RS26 succeed on service." 1
expect_log "TCP_CHECK up at start" "TCP connection to $RS2 success." 1
expect_log "MISC_CHECK up at start" "Misc check for [$RS1 VS $VSM] by [$W/flag.sh] succeeded." 1
expect_event "virtual server healthy at start" "vs $VSA healthy 1" "$T0" 0 3000
if grep -qF "rs $VSX $HOLE down" "$OUT" && ! grep -qF "rs $VSX $HOLE up" "$OUT"; then
	vg_ok "alpha: starts down"
else
	vg_bad "alpha: not down from the start"
fi

# ---- a hung MISC_CHECK script: killed at misc_timeout ----
expect_log "hung script timed out" "Misc check for [$RS2 VS $VSM] by [$W/hang.sh] timed out." 1
expect_log "hung script: real server removed" "Removing service $RS2 from VS $VSM" 1
# the driver prints what it polls: its line may follow the log's a little
wait_count "$OUT" "rs $VSM $RS2 down" 1 2000
t=$(grep -m1 -F "rs $VSM $RS2 down" "$OUT" | cut -d' ' -f1)
if [ -n "$t" ] && [ $((t - T0)) -ge 900 ] && [ $((t - T0)) -le 3500 ]; then
	vg_ok "hung script down at misc_timeout ($((t - T0)) ms after start)"
else
	vg_bad "hung script down at ${t:-never} (start $T0)"
fi
n=$(pgrep -fc "sleep $MARK")
if [ "$n" -le 1 ]; then vg_ok "hung scripts are killed with their children ($n running)"; else vg_bad "$n hung scripts left"; fi

# ---- HTTP_GET: the regex stops matching, then matches again ----
echo "status: bad" >"$W/www1/health.txt"
t=$(vg_now_ms)
expect_event "regex failure: down after the retry" "rs $VSA $RS1 down" "$t" 450 2500
expect_log "regex failure logged" "Regex match failed server $RS1." 1
expect_log "regex failure: failed after 1 retry" "Check on service $RS1 failed after 1 retry." 1
expect_log "regex failure: Removing service" "Removing service $RS1 from VS $VSA" 1
echo "status: ok" >"$W/www1/health.txt"
t=$(vg_now_ms)
expect_event "regex matches again: up" "rs $VSA $RS1 up" "$t" 0 1500
expect_log "regex success logged" "Regex match success to $RS1 url(1)." 1
expect_log "regex success: Adding service" "Adding service $RS1 to VS $VSA" 1
LOG_SAVE=$LOG; LOG=$W/notify.log
expect_log "notify_down ran (its arguments only)" "down rs1" 1
expect_log "notify_up ran (its arguments only)" "up rs1" 1
LOG=$LOG_SAVE

# ---- HTTP_GET: the server stops, then comes back ----
t=$(vg_now_ms)
web_stop rs1
expect_event "server stopped: down after the retry" "rs $VSA $RS1 down" "$t" 450 2500
expect_log "server stopped: Error connecting" "Error connecting server $RS1." 1
expect_log "server stopped: Removing service" "Removing service $RS1 from VS $VSA" 2
t=$(vg_now_ms)
web rs1
expect_event "server back: up" "rs $VSA $RS1 up" "$t" 0 4000
expect_log "server back: url success logged" "Regex match success to $RS1 url(1)." 2
expect_log "server back: Adding service" "Adding service $RS1 to VS $VSA" 2

# ---- TCP_CHECK, then both real servers down: the VS is unhealthy ----
t=$(vg_now_ms)
web_stop rs2
expect_event "TCP_CHECK: down after the retry" "rs $VSA $RS2 down" "$t" 450 2500
expect_log "TCP_CHECK failed after 1 retries" "TCP_CHECK on service $RS2 failed after 1 retries." 1
expect_log "TCP_CHECK: Removing service" "Removing service $RS2 from VS $VSA" 1
expect_event "IPv6 VS without its real server: unhealthy" "vs $VS6 healthy 0" "$t" 0 4000
t=$(vg_now_ms)
web_stop rs1
expect_event "both real servers down: VS unhealthy" "vs $VSA healthy 0" "$t" 450 2500
t=$(vg_now_ms)
web rs1
web rs2
expect_event "both back: VS healthy" "vs $VSA healthy 1" "$t" 0 4000
expect_event "TCP_CHECK back: up" "rs $VSA $RS2 up" "$t" 0 4000
expect_log "TCP_CHECK back: success" "TCP connection to $RS2 success." 2
expect_event "IPv6 VS healthy again" "vs $VS6 healthy 1" "$t" 0 4000

# ---- MISC_CHECK exiting 1 ----
echo 1 >"$W/flag"
t=$(vg_now_ms)
expect_event "MISC_CHECK exit 1: down" "rs $VSM $RS1 down" "$t" 0 1500
expect_log "MISC_CHECK exit 1 logged" \
	"Misc check for [$RS1 VS $VSM] by [$W/flag.sh] failed (exited with status 1)." 1
expect_log "MISC_CHECK: Removing service" "Removing service $RS1 from VS $VSM" 1
expect_event "both MISC real servers down: VS unhealthy" "vs $VSM healthy 0" "$t" 0 1500
echo 0 >"$W/flag"
t=$(vg_now_ms)
expect_event "MISC_CHECK exit 0: up" "rs $VSM $RS1 up" "$t" 0 1500

# ---- stuck workers: every VS unhealthy within 3 s (+ the 1 s summary) ----
t=$(vg_now_ms)
kill -USR1 "$DRIVE_PID"
expect_event "stuck workers: VS unhealthy" "vs $VSA healthy 0" "$t" 2500 4500
t=$(vg_now_ms)
kill -USR1 "$DRIVE_PID"
expect_event "workers back: VS healthy" "vs $VSA healthy 1" "$t" 0 1500

# ---- the connect that never completes held nobody up, and said nothing ----
if grep -qF "Removing service $HOLE" "$LOG"; then
	vg_bad "alpha: 'Removing service' for a server that was never added"
else
	vg_ok "alpha: no 'Removing service' for a server never added"
fi
expect_log "unanswered connect: TCP_CHECK failed (first verdict)" "TCP_CHECK on service $HOLE failed." 1
if grep -q "rs $VSX $HOLE up" "$OUT"; then vg_bad "black hole came up"; else vg_ok "black hole stays down"; fi

# ---- a clean stop: every script reaped, no hung one left ----
kill -TERM "$DRIVE_PID"
for i in $(seq 1 100); do kill -0 "$DRIVE_PID" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$DRIVE_PID" 2>/dev/null; then
	vg_bad "driver did not stop within 5 s"
else
	wait "$DRIVE_PID"
	rc=$?
	if [ $rc -eq 0 ]; then vg_ok "driver stopped cleanly"; else vg_bad "driver exit $rc"; fi
fi
for i in $(seq 1 40); do pgrep -f "sleep $MARK" >/dev/null || break; sleep 0.05; done
if pgrep -f "sleep $MARK" >/dev/null; then vg_bad "hung script left after stop"; else vg_ok "no hung script left after stop"; fi
if grep -q "child .* other" "$OUT" && ! grep -q "ERROR\|AddressSanitizer\|runtime error" "$LOG"; then
	vg_ok "notify scripts reaped by the main thread, not claimed; no sanitizer report"
else
	vg_bad "children or sanitizer report"
	grep "AddressSanitizer\|runtime error" "$LOG" | head -5
fi
echo "ran in $(($(vg_now_ms) - T0)) ms"
vg_summary health.sh
