#!/bin/sh
# Fuzz with libFuzzer when clang is available: the config parser for
# FUZZ_SECONDS (default 60), the VRRP packet decoder and the proxy's HTTP
# parsers for half that each.
# A crash, leak or sanitizer report fails the test.
set -eu
src=$(cd "${top_srcdir:-.}" && pwd)
bld=$(cd "${top_builddir:-.}" && pwd)
secs=${FUZZ_SECONDS:-60}
cc=${CLANG:-}
if [ -z "$cc" ]; then
	echo "clang not found: libFuzzer run skipped"
	exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
flags="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
flags="$flags -I$src/include -I$src/parser -I$bld -DSYSCONFDIR=\"/etc\""

# fuzz NAME SECONDS CORPUS_SOURCES... : build, run, report
fuzz() {
	name=$1 t=$2
	shift 2
	mkdir "$work/corpus_$name"
	for d in "$@"; do cp "$d"/* "$work/corpus_$name/" 2>/dev/null || true; done
	mkdir -p "$bld/fuzz-artifacts"
	(cd "$work" && ./"$name" -max_total_time="$t" -max_len=8192 -timeout=10 \
		-rss_limit_mb=2048 $dict -print_final_stats=1 \
		-artifact_prefix="$bld/fuzz-artifacts/$name-" "corpus_$name" \
		> "$name.log" 2>&1) || {
		tail -60 "$work/$name.log"
		echo "reproducer kept in $bld/fuzz-artifacts/ (run: $name FILE)"
		exit 1
	}
	grep -E 'stat::number_of_executed_units' "$work/$name.log" || true
	echo "fuzz $name: no crash, leak or UB in ${t}s"
}

# shellcheck disable=SC2086
"$cc" $flags "$src"/parser/*.c "$src/tests/fuzz/fuzz_conf.c" -o "$work/fuzz_conf"
# shellcheck disable=SC2086
"$cc" $flags "$src/src/vrrp_pkt.c" "$src/tests/fuzz/fuzz_vrrp_pkt.c" -o "$work/fuzz_vrrp_pkt"
# shellcheck disable=SC2086
"$cc" $flags "$src/src/http.c" "$src/tests/fuzz/fuzz_http.c" -o "$work/fuzz_http"
dict="-dict=$src/tests/fuzz/keepalived.dict"
fuzz fuzz_conf "$secs" "$src/tests/fuzz/corpus" "$src/tests/configs"
dict=""
fuzz fuzz_vrrp_pkt $((secs / 2)) "$src/tests/fuzz/corpus_vrrp"
fuzz fuzz_http $((secs / 2)) "$src/tests/fuzz/corpus_http"
