#!/bin/sh
# check.sh - the test command of the README: install what is needed, build
# with warnings as errors, run the whole test suite (unit tests, the
# conformance suites of ../shared/testdata, seed-corpus replays, the purity
# check).  Ends with the suite summaries and "N passed, N failed, N skipped";
# exits non-zero on any failure.
set -eu
cd "$(dirname "$0")/.."
sh tests/deps.sh
[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure --enable-werror
if ! make --no-print-directory -j"$(nproc)" check; then
	for trs in $(grep -l -E '^:test-result: (FAIL|ERROR|XPASS)' tests/*/*.trs tests/*.trs 2>/dev/null); do
		echo "==== ${trs%.trs}.log"
		cat "${trs%.trs}.log"
	done
	sh tests/summary.sh
	exit 1
fi
