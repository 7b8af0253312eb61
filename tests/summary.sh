#!/bin/sh
# summary.sh - the end of a test run: one line per conformance suite
# ("SUITE: P/T passed", from the runners' logs) and the closing line
# "N passed, N failed, N skipped" counted from automake's .trs files.
# Listed deviations (TAP TODO, automake XFAIL) are counted apart.
# Run from the build directory.  Each DIR argument adds the .trs files in
# it (the stress runs of .ci/run, kept apart from make's results).
# Usage: tests/summary.sh [DIR...]
extra=""
for d in "$@"; do
	extra="$extra $d/*.trs"
done
for log in tests/conformance/run_*.log; do
	[ -f "$log" ] && sed -n 's/^# \([a-z0-9/-]*: [0-9]*\/[0-9]* passed\)$/\1/p' "$log"
done
# shellcheck disable=SC2086
cat tests/*.trs tests/*/*.trs $extra 2>/dev/null | awk '
	/^:test-result: PASS/ { pass++ }
	/^:test-result: (FAIL|XPASS|ERROR)/ { fail++ }
	/^:test-result: SKIP/ { skip++ }
	/^:test-result: XFAIL/ { xfail++ }
	END {
		if (xfail) printf "%d expected failures (TAP TODO: the deviations in tests/conformance/deviations.tsv and known library defects)\n", xfail
		printf "%d passed, %d failed, %d skipped\n", pass, fail, skip
	}'
