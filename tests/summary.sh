#!/bin/sh
# summary.sh - the end of a test run: one line per conformance suite
# ("SUITE: P/T passed", from the runners' logs) and the closing line
# "N passed, N failed, N skipped" counted from automake's .trs files.
# Listed deviations (TAP TODO, automake XFAIL) are counted apart.
# Run from the build directory.
for log in tests/conformance/run_*.log; do
	[ -f "$log" ] && sed -n 's/^# \([a-z0-9/-]*: [0-9]*\/[0-9]* passed\)$/\1/p' "$log"
done
cat tests/*.trs tests/*/*.trs 2>/dev/null | awk '
	/^:test-result: PASS/ { pass++ }
	/^:test-result: (FAIL|XPASS|ERROR)/ { fail++ }
	/^:test-result: SKIP/ { skip++ }
	/^:test-result: XFAIL/ { xfail++ }
	END {
		if (xfail) printf "%d expected failures (TAP TODO: the deviations in tests/conformance/deviations.tsv and known library defects)\n", xfail
		printf "%d passed, %d failed, %d skipped\n", pass, fail, skip
	}'
