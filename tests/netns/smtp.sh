#!/bin/bash
# SMTP alerts on the wire, in a throwaway namespace: Vigil's client against
# a recording sink on 127.0.0.1:2525, compared byte for byte (all but the
# Date header's value) with keepalived 2.2.7's dialogue; then the failure
# paths (RCPT refused, silent server, refused connect, connect timeout);
# then, if keepalived is installed, its own mails through the same sink,
# diffed against ours.
#
# usage: tests/netns/smtp.sh [SMTP_SEND_BINARY]
#   SMTP_SEND_BINARY  default $SMTP_SEND, else
#                     ${top_builddir:-.}/tests/netns/smtp_send
#
# Exit: 0 passed, 1 failed, 77 skipped (not root / no namespaces).

set -u

if [ "$(id -u)" -ne 0 ]; then
	echo "smtp.sh: needs root (network namespace); skipping" >&2
	exit 77
fi

HERE=$(cd "$(dirname "$0")" && pwd)
SEND=${1:-${SMTP_SEND:-${top_builddir:-.}/tests/netns/smtp_send}}
SINK="$HERE/smtp_sink.py"
KEEPALIVED=${KEEPALIVED_ORACLE:-/usr/sbin/keepalived}
if [ ! -x "$SEND" ]; then
	echo "smtp.sh: $SEND not found (build it first)" >&2
	exit 1
fi

NS="vgsmtp-$$-$RANDOM"
W=$(mktemp -d "${TMPDIR:-/tmp}/vgsmtp.XXXXXX")

cleanup() {
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! ip netns add "$NS" 2>/dev/null; then
	echo "smtp.sh: cannot create a network namespace; skipping" >&2
	exit 77
fi
nsx() { ip netns exec "$NS" "$@"; }

# eth0 carries keepalived's instance; eth2's peer is down, and 198.51.100.2
# has a permanent neighbour entry, so a SYN to it vanishes: a connect that
# never completes
nsx ip link set lo up &&
nsx ip link add eth0 type veth peer name eth1 &&
nsx ip link set eth0 up && nsx ip link set eth1 up &&
nsx ip addr add 192.0.2.1/24 dev eth0 &&
nsx ip link add eth2 type veth peer name eth3 &&
nsx ip link set eth2 up &&
nsx ip addr add 198.51.100.1/24 dev eth2 &&
nsx ip neigh add 198.51.100.2 lladdr 02:00:00:00:00:02 dev eth2 nud permanent ||
	{ echo "smtp.sh: namespace setup failed" >&2; exit 1; }

export TZ=UTC
FAILS=0
ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; FAILS=$((FAILS + 1)); }

# sink NAME ARGS... : start the sink in the background, wait until it listens
sink() {
	local name=$1
	shift
	rm -f "$W/ready"
	nsx python3 "$SINK" "$W/$name" --ready "$W/ready" "$@" &
	SINK_PID=$!
	local i
	for i in $(seq 1 100); do
		[ -e "$W/ready" ] && return 0
		sleep 0.05
	done
	echo "smtp.sh: sink did not start" >&2
	return 1
}

sink_wait() {
	local i
	for i in $(seq 1 200); do
		kill -0 "$SINK_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill "$SINK_PID" 2>/dev/null
	wait "$SINK_PID" 2>/dev/null
}

# The Date value is the only thing that may differ; its shape must not.
DATE_RE='^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}\r$'
undate() { sed -E "s/$DATE_RE/Date: <date>\r/" "$1"; }

# same WANT GOT WHAT : byte comparison after undating both
same() {
	if cmp -s <(undate "$1") <(undate "$2"); then
		ok "$3"
	else
		fail "$3"
		diff <(undate "$1" | od -c) <(undate "$2" | od -c) | head -20 | sed 's/^/#   /'
	fi
}

# keepalived 2.2.7's mail for entering STATE, as captured from the daemon
expected() {
	local subj body
	case $1 in
	MASTER) subj="Entering MASTER state"; body="=> VRRP Instance is now owning VRRP VIPs <=" ;;
	BACKUP) subj="Entering BACKUP state"; body="=> VRRP Instance is no longer owning VRRP VIPs <=" ;;
	esac
	printf 'HELO vm\r\nMAIL FROM:<kaA@example.com>\r\n'
	printf 'RCPT TO:<ops1@example.com>\r\nRCPT TO:<ops2@example.com>\r\nDATA\r\n'
	printf 'Date: Fri, 27 Nov 2026 04:46:03 +0000\r\nFrom: kaA@example.com\r\n'
	printf 'Subject: [nodeA] VRRP Instance VI_1 - %s\r\nX-Mailer: Keepalived\r\n' "$subj"
	printf 'To: ops1@example.com, ops2@example.com\r\n\r\n%s\r\n\r\n.\r\nQUIT\r\n' "$body"
}

send() { nsx timeout 30 "$SEND" "$@" 2>"$W/send.err"; }
SEND_ARGS=(nodeA VI_1)
MAILARGS=(kaA@example.com vm ops1@example.com ops2@example.com)

# ---- 1. a MASTER alert, byte for byte ----
sink vigil --conns 2 || exit 1
out=$(send 127.0.0.1 2525 5 "${SEND_ARGS[@]}" MASTER "${MAILARGS[@]}")
rc=$?
out2=$(send 127.0.0.1 2525 5 "${SEND_ARGS[@]}" BACKUP "${MAILARGS[@]}")
rc2=$?
sink_wait
if [ $rc = 0 ] && [ $rc2 = 0 ] &&
   [ "$out" = $'Remote SMTP server [127.0.0.1]:2525 connected.\nSMTP alert successfully sent.' ]; then
	ok "alerts sent: $(tr '\n' ' ' <<<"$out")($(cat "$W/send.err"))"
else
	fail "alerts not sent (rc $rc/$rc2): $out"
fi
if undate "$W/vigil.1" | grep -q '^Date: <date>'; then ok "Date header shape"; else fail "Date header shape"; fi
expected MASTER >"$W/want.master"
expected BACKUP >"$W/want.backup"
same "$W/want.master" "$W/vigil.1" "MASTER dialogue matches keepalived's"
same "$W/want.backup" "$W/vigil.2" "BACKUP dialogue matches keepalived's"

# ---- 2. RCPT refused: stop there, QUIT ----
sink rcpt --rcpt-code 550 || exit 1
out=$(send 127.0.0.1 2525 5 "${SEND_ARGS[@]}" MASTER "${MAILARGS[@]}")
rc=$?
sink_wait
printf 'HELO vm\r\nMAIL FROM:<kaA@example.com>\r\nRCPT TO:<ops1@example.com>\r\nQUIT\r\n' >"$W/want.rcpt"
same "$W/want.rcpt" "$W/rcpt.1" "RCPT 550: dialogue stops with QUIT"
want="Error processing RCPT cmd on SMTP server [127.0.0.1]:2525. SMTP status code = 550"
if [ $rc = 1 ] && [ "$(tail -1 <<<"$out")" = "$want" ]; then ok "RCPT 550 logged"; else fail "RCPT 550: rc $rc, $out"; fi

# ---- 3. a silent server: timeout, QUIT, timeout ----
sink mute --mute || exit 1
t0=$(date +%s%N)
out=$(send 127.0.0.1 2525 1 "${SEND_ARGS[@]}" MASTER "${MAILARGS[@]}")
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
sink_wait
printf 'QUIT\r\n' >"$W/want.mute"
same "$W/want.mute" "$W/mute.1" "silent server: only QUIT sent"
want="Timeout reading data to remote SMTP server [127.0.0.1]:2525."
if [ $rc = 1 ] && [ "$(tail -1 <<<"$out")" = "$want" ] && [ $ms -ge 1900 ] && [ $ms -lt 4000 ]; then
	ok "silent server: timed out twice in ${ms} ms"
else
	fail "silent server: rc $rc after ${ms} ms: $out"
fi

# ---- 4. nobody listening ----
out=$(send 127.0.0.1 2525 5 "${SEND_ARGS[@]}" MASTER "${MAILARGS[@]}")
rc=$?
want="SMTP connection ERROR to [127.0.0.1]:2525."
if [ $rc = 1 ] && [ "$out" = "$want" ]; then ok "refused connect"; else fail "refused connect: rc $rc, $out"; fi

# ---- 5. a connect that never completes ----
t0=$(date +%s%N)
out=$(send 198.51.100.2 2525 1 "${SEND_ARGS[@]}" MASTER "${MAILARGS[@]}")
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
want="Timeout opening connection to remote SMTP server [198.51.100.2]:2525."
if [ $rc = 1 ] && [ "$out" = "$want" ] && [ $ms -ge 900 ] && [ $ms -lt 3000 ]; then
	ok "connect timeout after ${ms} ms"
else
	fail "connect timeout: rc $rc after ${ms} ms: $out"
fi

# ---- 6. the oracle: keepalived's own mails through the same sink ----
if [ -x "$KEEPALIVED" ]; then
	cat >"$W/ka.conf" <<EOC
global_defs {
    router_id nodeA
    notification_email {
        ops1@example.com
        ops2@example.com
    }
    notification_email_from kaA@example.com
    smtp_server 127.0.0.1 2525
    smtp_connect_timeout 5
    smtp_helo_name vm
    smtp_alert
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 1
    virtual_ipaddress {
        192.0.2.200/24
    }
}
EOC
	# keepalived mails BACKUP at startup, then MASTER
	sink ka --conns 2 || exit 1
	nsx "$KEEPALIVED" -n -l -D -f "$W/ka.conf" -p "$W/ka.pid" -r "$W/ka.vrrp.pid" \
		-c "$W/ka.chk.pid" >"$W/ka.log" 2>&1 </dev/null &
	KA=$!
	for i in $(seq 1 200); do
		kill -0 "$SINK_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill "$KA" 2>/dev/null
	sink_wait
	for i in $(seq 1 100); do kill -0 "$KA" 2>/dev/null || break; sleep 0.05; done
	if [ -s "$W/ka.2" ]; then
		same "$W/ka.1" "$W/vigil.2" "keepalived's BACKUP mail = ours (but Date)"
		same "$W/ka.2" "$W/vigil.1" "keepalived's MASTER mail = ours (but Date)"
	else
		fail "keepalived sent no mails"
		sed 's/^/#   /' "$W/ka.log" | tail -20
	fi
else
	echo "ok - keepalived oracle not installed: skipped # SKIP"
fi

[ $FAILS = 0 ]
