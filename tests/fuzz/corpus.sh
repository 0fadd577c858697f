#!/bin/sh
# Replay the fuzz corpus and every conformance config through the fuzz
# target: no crash, no sanitizer report, on any compiler.
set -eu
src=${top_srcdir:-.}
bld=${top_builddir:-.}
"$bld/tests/fuzz/fuzz_vrrp_pkt_driver" "$src/tests/fuzz/corpus_vrrp"
"$bld/tests/fuzz/fuzz_http_driver" "$src/tests/fuzz/corpus_http"
exec "$bld/tests/fuzz/fuzz_conf_driver" "$src/tests/fuzz/corpus" "$src/tests/configs" \
	"$src/tests/configs/real"
