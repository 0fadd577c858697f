#!/bin/sh
# Check the seed's balancer configs (the original pairing and the built-in
# proxy one) with Vigil's `keepalived -t`, in a throw-away network namespace
# that has the interface the configs name (eth0), and print the parsed model.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../src/keepalived}
ns="vgseed-$$"
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
ip netns add "$ns"
ip -n "$ns" link add eth0 type veth peer name eth0p
rc=0
for conf in "$here/seed_master.conf" "$here/seed_backup.conf" \
	"$here/proxy_master.conf" "$here/proxy_backup.conf"; do
	echo "== keepalived -t -f $(basename "$conf")"
	if ip netns exec "$ns" "$bin" -t -d -f "$conf"; then
		echo "== $(basename "$conf"): configuration OK"
	else
		rc=$?
		echo "== $(basename "$conf"): keepalived -t exit code $rc"
	fi
done
exit $rc
