#!/bin/bash
# Routes and rules (nl_route/nl_rule) against a real kernel, in a throwaway
# namespace.
#
# usage: tests/netns/nl_route.sh [SMOKE_BINARY]
#   SMOKE_BINARY  default $NL_ROUTE_SMOKE, else
#                 ${top_builddir:-.}/tests/netns/nl_route_smoke
#
# Makes namespace vgrt-<pid>-<random> with a veth pair vgrt0/vgrt1 (this
# kernel has no dummy driver), 192.0.2.1/24 and 2001:db8::1/64 on vgrt0,
# and runs the smoke program on vgrt0; it checks what it installs with
# `ip route` / `ip rule`.  The namespace goes away on any exit.
# Exit: 0 passed, 1 failed, 77 skipped (not root / no namespaces).

set -u

if [ "$(id -u)" -ne 0 ]; then
	echo "nl_route.sh: needs root (network namespace); skipping" >&2
	exit 77
fi

SMOKE=${1:-${NL_ROUTE_SMOKE:-${top_builddir:-.}/tests/netns/nl_route_smoke}}
if [ ! -x "$SMOKE" ]; then
	echo "nl_route.sh: smoke program $SMOKE not found (build it first)" >&2
	exit 1
fi

NS="vgrt-$$-$RANDOM"
DEV=vgrt0
PEER=vgrt1

cleanup() {
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! ip netns add "$NS" 2>/dev/null; then
	echo "nl_route.sh: cannot create a network namespace; skipping" >&2
	exit 77
fi
nsx() { ip netns exec "$NS" "$@"; }

nsx sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
nsx ip link set lo up &&
nsx ip link add "$DEV" type veth peer name "$PEER" &&
nsx ip link set "$DEV" up &&
nsx ip link set "$PEER" up &&
nsx ip addr add 192.0.2.1/24 dev "$DEV" &&
nsx ip addr add 2001:db8::1/64 dev "$DEV" nodad ||
	{ echo "nl_route.sh: namespace setup failed" >&2; exit 1; }

rc=0
nsx timeout 60 "$SMOKE" "$DEV" || rc=1
if [ "$rc" != 0 ]; then
	echo "# routes and rules left in $NS:"
	{ nsx ip route show table all; nsx ip -6 route show table all
	  nsx ip rule show; nsx ip -6 rule show; } 2>&1 | sed 's/^/#   /'
fi
exit $rc
