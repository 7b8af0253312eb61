#!/bin/sh
# run.sh - run the stress test built in this tree (tests/stress/stress) for
# STRESS_SECONDS (default here 60) through automake's TAP driver, as make
# check would, its log and results in DIR/NAME.log and DIR/NAME.trs, where
# "sh tests/summary.sh DIR" counts them (make distclean leaves DIR alone).
# Prints each result line, the evaluation counts, and on failure the
# sanitizer reports; exits non-zero when any test failed.
# Usage: tests/stress/run.sh DIR NAME    (.ci/run: ci-results stress-asan)
set -eu
cd "$(dirname "$0")/../.."
dir=$1 name=$2
mkdir -p "$dir"
STRESS_SECONDS=${STRESS_SECONDS:-60}
top_srcdir=$(pwd)
export STRESS_SECONDS top_srcdir
rm -f "$dir/$name.log" "$dir/$name.trs"
env AM_TAP_AWK="${AWK:-awk}" sh build-aux/tap-driver.sh --test-name "$name" \
	--log-file "$dir/$name.log" --trs-file "$dir/$name.trs" \
	--color-tests no --enable-hard-errors yes --expect-failure no --merge \
	-- tests/stress/stress || true
grep '^# stress: ' "$dir/$name.log" || true
if ! grep -q '^:global-test-result: PASS$' "$dir/$name.trs"; then
	echo "$name: FAILED, from $dir/$name.log:"
	grep -E -A40 '^(not ok|WARNING: ThreadSanitizer|==[0-9]+==ERROR|.*runtime error|SUMMARY|Bail out)' \
	    "$dir/$name.log" | head -400
	exit 1
fi
echo "$name: $(grep -c '^:test-result: PASS' "$dir/$name.trs") tests passed"
