#!/bin/sh
# Fuzz the config parser with libFuzzer for FUZZ_SECONDS (default 60) when
# clang is available; a crash, leak or sanitizer report fails the test.
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
"$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$src/include" -I"$src/parser" -I"$bld" \
	-DSYSCONFDIR='"/etc"' \
	"$src"/parser/*.c "$src/tests/fuzz/fuzz_conf.c" -o "$work/fuzz_conf"
mkdir "$work/corpus"
cp "$src"/tests/fuzz/corpus/* "$src"/tests/configs/*.conf "$work/corpus/" 2>/dev/null || true
cd "$work"
./fuzz_conf -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
	-dict="$src/tests/fuzz/keepalived.dict" -print_final_stats=1 corpus \
	> fuzz.log 2>&1 || { tail -60 fuzz.log; exit 1; }
grep -E 'stat::number_of_executed_units|Done' fuzz.log || true
echo "fuzz: no crash, leak or UB in ${secs}s"
