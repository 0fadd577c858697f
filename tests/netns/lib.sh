# lib.sh - namespaces for VRRP tests: a bridge in its own namespace, nodes
# attached to it by veth, documentation addresses only.  Sourced by tests.
#
# Every namespace name starts with $PFX (per run), and vg_cleanup (set as an
# EXIT trap by vg_setup) kills what the test started and deletes them all.

PFX="vg$$x${RANDOM}"
VG_PIDS=()
VG_WORK=$(mktemp -d "${TMPDIR:-/tmp}/vgtest.XXXXXX")
SRC=$(cd "${top_srcdir:-$(dirname "${BASH_SOURCE[0]}")/../..}" && pwd)
BLD=$(cd "${top_builddir:-$SRC}" && pwd)
VIGIL=${VIGIL:-$BLD/src/keepalived}
KEEPALIVED=${KEEPALIVED_ORACLE:-/usr/sbin/keepalived}

vg_require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		[ -n "${VG_KEEP:-}" ] || rm -rf "$VG_WORK"
		echo "needs root (network namespaces): skipped"
		exit 77
	fi
}

vg_cleanup() {
	local p ns
	for p in "${VG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PFX"); do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	[ -n "${VG_KEEP:-}" ] || rm -rf "$VG_WORK"
}

# vg_setup NODE... : switch namespace with br0, one namespace per node with
# eth0 on the bridge.  Node N (1-based) gets 192.0.2.N/24 and 2001:db8::N/64.
vg_setup() {
	trap vg_cleanup EXIT
	trap 'exit 130' INT TERM
	ip netns add "${PFX}sw" || return 1
	ip -n "${PFX}sw" link add br0 type bridge || return 1
	ip -n "${PFX}sw" link set br0 up
	local i=1 n
	for n in "$@"; do
		local ns="${PFX}$n"
		ip netns add "$ns" || return 1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
		ip -n "$ns" link set lo up
		ip -n "$ns" link add eth0 type veth peer name "p$n" netns "${PFX}sw" || return 1
		ip -n "${PFX}sw" link set "p$n" master br0 up
		ip -n "$ns" link set eth0 up
		ip -n "$ns" addr add "192.0.2.$i/24" dev eth0
		ip -n "$ns" addr add "2001:db8::$i/64" dev eth0 nodad
		i=$((i + 1))
	done
}

vg_ns() { echo "${PFX}$1"; }

# vg_start_vigil NODE CONF : Vigil in the foreground of its own session
vg_start_vigil() {
	local node=$1 conf=$2
	setsid ip netns exec "$(vg_ns "$node")" "$VIGIL" -n -l -D -G -f "$conf" \
		-p "$VG_WORK/$node.pid" -r "$VG_WORK/$node.vrrp.pid" \
		>"$VG_WORK/$node.log" 2>&1 </dev/null &
	VG_PIDS+=($!)
	eval "PID_$node=$!"
}

# vg_start_keepalived NODE CONF : the real keepalived 2.2.7
vg_start_keepalived() {
	local node=$1 conf=$2
	setsid ip netns exec "$(vg_ns "$node")" "$KEEPALIVED" -n -l -D -G -f "$conf" \
		-p "$VG_WORK/$node.pid" -r "$VG_WORK/$node.vrrp.pid" \
		-c "$VG_WORK/$node.chk.pid" >"$VG_WORK/$node.log" 2>&1 </dev/null &
	VG_PIDS+=($!)
	eval "PID_$node=$!"
}

vg_pid() { eval "echo \$PID_$1"; }

# vg_signal NODE SIG : signal the daemon (keepalived: its parent)
vg_signal() {
	local pid
	pid=$(cat "$VG_WORK/$1.pid" 2>/dev/null)
	[ -n "$pid" ] || pid=$(vg_pid "$1")
	kill "-$2" "$pid" 2>/dev/null
}

# vg_crash NODE : SIGKILL every process of the node's daemon, like a power
# cut for VRRP; the node's VIPs stay configured, as on a dead machine.  Its
# pid files go, as /run does on a reboot (a stale one naming a recycled pid
# would make keepalived refuse to start: "daemon is already running").
vg_crash() {
	rm -f "$VG_WORK/$1".*pid "$VG_WORK/$1.pid"
	local p
	for p in $(ip netns pids "$(vg_ns "$1")"); do
		case " ${VG_MON_PIDS[*]} " in *" $p "*) continue ;; esac
		kill -9 "$p" 2>/dev/null
	done
	local i
	for i in $(seq 1 100); do
		[ "$(ip netns pids "$(vg_ns "$1")" | wc -l)" -le "${#VG_MON_PIDS[@]}" ] && return 0
		sleep 0.01
	done
}

# vg_stop NODE : SIGTERM and wait (bounded) for the daemon to exit
vg_stop() {
	vg_signal "$1" TERM
	local pid i
	pid=$(vg_pid "$1")
	for i in $(seq 1 500); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.01
	done
	echo "  $1 did not stop within 5 s"
	return 1
}

# vg_holders VIP NODE... : the nodes whose eth0 holds VIP
vg_holders() {
	local vip=$1 n out=""
	shift
	for n in "$@"; do
		if ip -n "$(vg_ns "$n")" addr show dev eth0 2>/dev/null |
			grep -qF " ${vip}/"; then
			out="$out $n"
		fi
	done
	echo "${out# }"
}

vg_now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# vg_wait_holder VIP EXPECT TIMEOUT_MS NODE... : wait until exactly EXPECT
# (a node name, or "" for nobody) holds VIP; prints elapsed ms; 1 on timeout
vg_wait_holder() {
	local vip=$1 want=$2 tmo=$3 start now
	shift 3
	start=$(vg_now_ms)
	while :; do
		if [ "$(vg_holders "$vip" "$@")" = "$want" ]; then
			echo $(( $(vg_now_ms) - start ))
			return 0
		fi
		now=$(vg_now_ms)
		if [ $((now - start)) -ge "$tmo" ]; then
			echo $((now - start))
			return 1
		fi
		sleep 0.005
	done
}

VG_PASS=0
VG_FAIL=0
vg_ok() { echo "ok: $*"; VG_PASS=$((VG_PASS + 1)); }
vg_bad() { echo "FAIL: $*"; VG_FAIL=$((VG_FAIL + 1)); }
vg_check() { # vg_check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then vg_ok "$d"; else vg_bad "$d"; fi
}

vg_show_logs() {
	local f
	for f in "$VG_WORK"/*.log; do
		[ -f "$f" ] || continue
		echo "---- $(basename "$f")"
		tail -40 "$f" | sed 's/^/    /'
	done
}

vg_summary() {
	echo "$1: $VG_PASS passed, $VG_FAIL failed"
	[ "$VG_FAIL" -eq 0 ] || { vg_show_logs; return 1; }
}

# Precise timings come from the kernel's view, not from polling: an address
# monitor per node logs every VIP change with a timestamp.
VG_MON_PIDS=()
vg_mon_start() {
	ip -n "$(vg_ns "$1")" -ts monitor address >"$VG_WORK/$1.mon" 2>&1 &
	VG_PIDS+=($!)
	VG_MON_PIDS+=($!)
}

# vg_mon_added_ms NODE VIP AFTER_MS : epoch ms of the first addition of VIP
# on NODE after AFTER_MS (empty if none); vg_mon_deleted_ms: its removal
vg_mon_added_ms() { vg_mon_event_ms added "$@"; }
vg_mon_deleted_ms() { vg_mon_event_ms deleted "$@"; }

vg_mon_event_ms() {
	local kind=$1 node=$2 vip=$3 after=$4 line ts ms
	while IFS= read -r line; do
		case "$kind:$line" in
		added:*"Deleted"*) continue ;;
		added:*" $vip/"*) ;;
		deleted:*"Deleted"*" $vip/"*) ;;
		*) continue ;;
		esac
		ts=${line#\[}
		ts=${ts%%\]*}
		ms=$(date -d "${ts/T/ }" +%s%3N 2>/dev/null) || continue
		if [ "$ms" -ge "$after" ]; then
			echo "$ms"
			return 0
		fi
	done <"$VG_WORK/$node.mon"
}
