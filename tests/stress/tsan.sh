#!/bin/sh
# tsan.sh - the stress test under ThreadSanitizer: configure this tree with
# --enable-sanitizers=thread (after make distclean: it replaces any other
# configuration), build only tests/stress/stress, and run it with
# tests/stress/run.sh for STRESS_SECONDS (default 60).  Any TSan report that
# tests/stress/tsan.supp does not suppress fails the run (exit code 66).
# Usage: tests/stress/tsan.sh DIR     (results in DIR/stress-tsan.{log,trs})
set -eu
cd "$(dirname "$0")/../.."
dir=${1:-ci-results}
[ -x configure ] || ./autogen.sh
[ ! -f Makefile ] || make distclean >/dev/null
./configure --enable-werror --enable-sanitizers=thread >/dev/null
make --no-print-directory -j"$(nproc)" tests/stress/stress >/dev/null
TSAN_OPTIONS="suppressions=$(pwd)/tests/stress/tsan.supp:exitcode=66:second_deadlock_stack=1:history_size=4" \
	sh tests/stress/run.sh "$dir" stress-tsan
