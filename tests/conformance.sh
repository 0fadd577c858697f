#!/bin/bash
# Parser conformance: compare `keepalived -t` (the oracle, keepalived 2.2.7)
# with Vigil's `-t` on every config under tests/configs/.
#
# usage: tests/conformance.sh [VIGIL_BINARY]
#   VIGIL_BINARY       default ${top_builddir:-.}/src/keepalived
#   KEEPALIVED_ORACLE  default /usr/sbin/keepalived
#   CONFORMANCE_ONLY=glob        run only configs whose name (e.g. foo.conf,
#                                real/foo.conf) matches the glob
#   CONFORMANCE_ORACLE_ONLY=1    only print the oracle's rc and flagged lines
#                                per config (Vigil is not needed)
#   CONFORMANCE_VERBOSE=1        with ORACLE_ONLY: also print the oracle output
#
# A config passes iff both verdicts agree (accepted <=> rc 0) and every line
# the oracle flags, "(Line N)" or "(FILE: Line N)", is also flagged by Vigil
# with an error/warning diagnostic "FILE:LINE:COL: error|warning: msg".
# Exit: 0 all passed, 1 failures (or missing binaries), 77 not root (SKIP).

set -u

if [ "$(id -u)" -ne 0 ]; then
	echo "conformance: needs root (network namespace); skipping" >&2
	exit 77
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
confdir="$here/configs"

ORACLE=${KEEPALIVED_ORACLE:-/usr/sbin/keepalived}
VIGIL=${1:-${top_builddir:-.}/src/keepalived}
case "$VIGIL" in /*) ;; *) VIGIL="$PWD/$VIGIL" ;; esac
case "$ORACLE" in /*) ;; *) ORACLE="$PWD/$ORACLE" ;; esac
ORACLE_ONLY=${CONFORMANCE_ORACLE_ONLY:-0}
ONLY=${CONFORMANCE_ONLY:-}
VERBOSE=${CONFORMANCE_VERBOSE:-0}
TMO=20

if [ ! -x "$ORACLE" ]; then
	echo "conformance: FAIL: oracle binary '$ORACLE' missing or not executable (set KEEPALIVED_ORACLE)" >&2
	exit 1
fi
if [ "$ORACLE_ONLY" != 1 ] && [ ! -x "$VIGIL" ]; then
	echo "conformance: FAIL: Vigil binary '$VIGIL' missing or not executable (pass it as first argument)" >&2
	exit 1
fi
if [ ! -d "$confdir" ]; then
	echo "conformance: FAIL: config directory '$confdir' missing" >&2
	exit 1
fi
for tool in ip timeout sort comm sed grep; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "conformance: FAIL: required tool '$tool' not found" >&2
		exit 1
	fi
done

NS="vgconf-$$-$RANDOM"
work=$(mktemp -d "${TMPDIR:-/tmp}/vgconf.XXXXXX") || exit 1
ns_created=0

# shellcheck disable=SC2317  # invoked via trap
cleanup() {
	if [ "$ns_created" = 1 ]; then
		ip netns delete "$NS" 2>/dev/null
		ns_created=0
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'cleanup; trap - EXIT; exit 130' INT
trap 'cleanup; trap - EXIT; exit 143' TERM

if ! ip netns add "$NS"; then
	echo "conformance: FAIL: cannot create network namespace $NS" >&2
	exit 1
fi
ns_created=1
ip -n "$NS" link set lo up || exit 1
for i in 0 1 2; do
	if ! ip -n "$NS" link add "eth$i" type veth peer name "veth${i}p"; then
		echo "conformance: FAIL: cannot create eth$i in namespace $NS" >&2
		exit 1
	fi
	ip -n "$NS" link set "veth${i}p" up
	ip -n "$NS" link set "eth$i" up
done

# Collect configs: configs/*.conf, then configs/real/, configs/holdout/ and
# the shipped samples/, each sorted.
configs=()
while IFS= read -r f; do
	[ -n "$f" ] && configs+=("$f")
done < <(
	cd "$confdir" && {
		for f in *.conf; do [ -f "$f" ] && printf '%s\n' "$f"; done | LC_ALL=C sort
		for sub in real holdout ../../samples; do
			[ -d "$sub" ] || continue
			# samples/proxy_*.conf use Vigil's proxy extensions, which
			# keepalived rejects by design (samples/check-seed.sh checks them)
			for f in "$sub"/*.conf; do
				case $f in */samples/proxy_*) continue ;; esac
				[ -f "$f" ] && printf '%s\n' "$f"
			done | LC_ALL=C sort
		done
	}
)

# run BIN REL OUTFILE -> sets $rc; runs BIN -t -f BASENAME in the namespace,
# cwd = the config's directory.
run_one() {
	local bin=$1 rel=$2 out=$3 dir base
	dir=$(dirname "$confdir/$rel")
	base=$(basename "$rel")
	(cd "$dir" && exec ip netns exec "$NS" timeout -k 5 "$TMO" "$bin" -t -f "$base") \
		>"$out" 2>&1 </dev/null
	rc=$?
}

# Oracle flagged lines: "(Line N)" -> MAIN:N, "(FILE: Line N)" -> basename(FILE):N
oracle_lines() {
	local main=$1 out=$2
	grep -oE '\(([^()]*: )?Line [0-9]+\)' "$out" |
		sed -E -e 's/^\(Line ([0-9]+)\)$/'"$main"':\1/' \
		       -e 's/^\((.*\/)?([^/]*): Line ([0-9]+)\)$/\2:\3/' |
		LC_ALL=C sort -u
}

# Vigil flagged lines: "FILE:LINE:COL: error|warning: ..." -> basename(FILE):LINE
vigil_lines() {
	local out=$1
	grep -E '^[^:]+:[0-9]+:([0-9]+:)? ?(error|warning):' "$out" |
		sed -E 's/^(.*\/)?([^/:]+):([0-9]+):.*$/\2:\3/' |
		LC_ALL=C sort -u
}

indent() { sed 's/^/    /' "$1"; }
join_lines() { tr '\n' ' ' | sed 's/ $//'; }
# display order: by file name, then numerically by line
display_sort() { sed '/^$/d' | LC_ALL=C sort -t: -k1,1 -k2,2n; }

passed=0 failed=0 skipped=0 total=0
acc=0 rej=0
failed_names=()

for rel in "${configs[@]}"; do
	base=$(basename "$rel")
	if [ -n "$ONLY" ]; then
		# shellcheck disable=SC2053
		[[ $rel == $ONLY || $base == $ONLY ]] || continue
	fi
	total=$((total + 1))
	oout="$work/oracle.out"
	run_one "$ORACLE" "$rel" "$oout"
	orc=$rc
	oset=$(oracle_lines "$base" "$oout")

	if [ "$ORACLE_ONLY" = 1 ]; then
		if [ "$orc" -ge 124 ]; then
			skipped=$((skipped + 1))
			verdict="no-verdict"
		elif [ "$orc" -eq 0 ]; then
			acc=$((acc + 1))
			verdict="accepted"
		else
			rej=$((rej + 1))
			verdict="rejected"
		fi
		lines=$(printf '%s\n' "$oset" | display_sort | join_lines)
		printf 'oracle: %s rc=%s %s lines=[%s]\n' "$rel" "$orc" "$verdict" "$lines"
		if [ "$VERBOSE" = 1 ]; then
			indent "$oout"
		fi
		continue
	fi

	if [ "$orc" -ge 124 ]; then
		echo "SKIP: $rel: oracle gave no verdict (rc $orc: timeout or killed by signal)"
		skipped=$((skipped + 1))
		continue
	fi

	vout="$work/vigil.out"
	run_one "$VIGIL" "$rel" "$vout"
	vrc=$rc
	vset=$(vigil_lines "$vout")

	why=""
	if [ "$vrc" -ge 124 ]; then
		why="Vigil crashed or timed out (rc $vrc)"
	elif { [ "$orc" -eq 0 ] && [ "$vrc" -ne 0 ]; } || { [ "$orc" -ne 0 ] && [ "$vrc" -eq 0 ]; }; then
		why="verdicts differ"
	fi
	missing=$(comm -23 <(printf '%s\n' "$oset" | sed '/^$/d') \
		<(printf '%s\n' "$vset" | sed '/^$/d') | display_sort | join_lines)
	if [ -n "$missing" ]; then
		why="${why:+$why; }lines flagged by the oracle but not by Vigil"
	fi

	if [ -z "$why" ]; then
		passed=$((passed + 1))
		echo "PASS: $rel"
	else
		failed=$((failed + 1))
		failed_names+=("$rel")
		echo "FAIL: $rel: $why"
		echo "  oracle rc=$orc  vigil rc=$vrc"
		echo "  missing lines: ${missing:-none}"
		echo "  oracle output:"
		indent "$oout"
		echo "  vigil output:"
		indent "$vout"
	fi
done

if [ "$ORACLE_ONLY" = 1 ]; then
	echo "oracle-only: $total configs, $acc accepted (rc 0), $rej rejected, $skipped no verdict"
	[ "$skipped" -eq 0 ] || exit 1
	exit 0
fi

if [ "$failed" -gt 0 ]; then
	echo "failed configs: ${failed_names[*]}"
fi
echo "conformance: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || exit 1
exit 0
