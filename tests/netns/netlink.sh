#!/bin/bash
# Netlink and GARP/NA against a real kernel, in a throwaway namespace.
#
# usage: tests/netns/netlink.sh [SMOKE_BINARY]
#   SMOKE_BINARY  default $NETLINK_SMOKE, else
#                 ${top_builddir:-.}/tests/netns/netlink_smoke
#
# Makes namespace vgnl-<pid>-<random> with a veth pair vgnl0/vgnl1 (this
# kernel has no dummy driver, and a peer gives us somewhere to listen),
# runs the smoke program on vgnl0 and, when tcpdump is installed, captures
# on vgnl1 to confirm the gratuitous ARP and the NA left with the bytes
# keepalived 2.2.7 uses.  The namespace goes away on any exit.
# Exit: 0 passed, 1 failed, 77 skipped (not root / no namespaces).

set -u

if [ "$(id -u)" -ne 0 ]; then
	echo "netlink.sh: needs root (network namespace); skipping" >&2
	exit 77
fi

SMOKE=${1:-${NETLINK_SMOKE:-${top_builddir:-.}/tests/netns/netlink_smoke}}
if [ ! -x "$SMOKE" ]; then
	echo "netlink.sh: smoke program $SMOKE not found (build it first)" >&2
	exit 1
fi

NS="vgnl-$$-$RANDOM"
DEV=vgnl0
PEER=vgnl1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vgnl.XXXXXX") || exit 1
TDPID=

cleanup() {
	if [ -n "$TDPID" ]; then
		kill "$TDPID" 2>/dev/null
		wait "$TDPID" 2>/dev/null
	fi
	ip netns del "$NS" 2>/dev/null
	[ -n "${KEEP_WORK:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! ip netns add "$NS" 2>/dev/null; then
	echo "netlink.sh: cannot create a network namespace; skipping" >&2
	exit 77
fi
nsx() { ip netns exec "$NS" "$@"; }

nsx ip link set lo up &&
nsx ip link add "$DEV" type veth peer name "$PEER" &&
nsx ip link set "$DEV" up &&
nsx ip link set "$PEER" up || { echo "netlink.sh: veth setup failed" >&2; exit 1; }
MAC=$(nsx cat "/sys/class/net/$DEV/address")

capture=0
if command -v tcpdump >/dev/null 2>&1; then
	# not through nsx: $! must be tcpdump itself (ip netns exec execs it)
	ip netns exec "$NS" tcpdump -Z root -i "$PEER" -n -U --immediate-mode \
		-w "$WORK/cap.pcap" 'arp or icmp6' 2>"$WORK/tcpdump.log" &
	TDPID=$!
	# tcpdump says "listening on" once the capture is armed
	for _ in $(seq 50); do
		grep -q "listening on" "$WORK/tcpdump.log" && { capture=1; break; }
		sleep 0.1
	done
	[ "$capture" = 1 ] || echo "netlink.sh: tcpdump did not start; no capture" >&2
else
	echo "netlink.sh: tcpdump not installed: GARP/NA not confirmed on the wire" >&2
fi

rc=0
nsx timeout 60 "$SMOKE" "$DEV" || rc=1

fail() { echo "not ok - $*"; rc=1; }
pass() { echo "ok - $*"; }

if [ "$capture" = 1 ]; then
	sleep 1				# let the last frames reach the file
	kill "$TDPID" 2>/dev/null
	wait "$TDPID" 2>/dev/null
	TDPID=
	tcpdump -r "$WORK/cap.pcap" -n -e -vv 2>/dev/null >"$WORK/cap.txt"
	tcpdump -r "$WORK/cap.pcap" -n -XX 'arp' 2>/dev/null >"$WORK/arp.hex"

	arp=$(grep -E "^[0-9:.]+ $MAC > ff:ff:ff:ff:ff:ff, ethertype ARP \(0x0806\), length 42: .*Request who-has 192\.0\.2\.10 \(ff:ff:ff:ff:ff:ff\) tell 192\.0\.2\.10, length 28" "$WORK/cap.txt")
	[ -n "$arp" ] && pass "capture: gratuitous ARP from $MAC: ${arp#* }" ||
		fail "capture: no gratuitous ARP for 192.0.2.10 from $MAC"

	# the ARP bytes, as keepalived sends them (see tests/unit/test_garp.c)
	want="ffff ffff ffff ${MAC:0:2}${MAC:3:2} ${MAC:6:2}${MAC:9:2} ${MAC:12:2}${MAC:15:2} 0806 0001 0800 0604 0001 ${MAC:0:2}${MAC:3:2} ${MAC:6:2}${MAC:9:2} ${MAC:12:2}${MAC:15:2} c000 020a ffff ffff ffff c000 020a"
	got=$(awk '/^\t0x/ { for (i = 2; i <= 9 && i <= NF; i++) if ($i ~ /^[0-9a-f]+$/ && length($i) <= 4) printf "%s ", $i } /^[0-9]/ { if (n++) exit }' "$WORK/arp.hex" | sed 's/ $//')
	[ "$got" = "$want" ] && pass "capture: ARP frame bytes match keepalived's layout" ||
		fail "capture: ARP bytes: got [$got] want [$want]"

	na=$(grep -A1 -F "$MAC > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 86: (hlim 255, next-header ICMPv6 (58) payload length: 32) 2001:db8::10 > ff02::1: [icmp6 sum ok] ICMP6, neighbor advertisement, length 32, tgt is 2001:db8::10, Flags [override]" "$WORK/cap.txt")
	if [ -n "$na" ] && grep -qF "destination link-address option (2), length 8 (1): $MAC" <<<"$na"; then
		pass "capture: NA 2001:db8::10 > ff02::1, hlim 255, checksum ok, Override, target link-layer $MAC"
	else
		fail "capture: no NA for 2001:db8::10 as keepalived sends it"
	fi
	if [ "$rc" != 0 ]; then
		echo "# what was captured on $PEER:"
		sed 's/^/# /' "$WORK/cap.txt"
	fi
else
	echo "skip - capture (GARP/NA sent but not observed)"
fi

exit $rc
