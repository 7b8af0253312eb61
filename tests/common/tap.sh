# tap.sh - TAP helpers for the shell tests, sourced: ok NAME, notok NAME,
# check NAME EXPR (EXPR eval'ed: ok when true), is NAME GOT WANT (both
# shown when they differ), missing WHY (a missing prerequisite: the test
# is skipped, or bails out under CI=true, where nothing may be skipped).
# The test ends with: echo "1..$n"; [ "$fail" -eq 0 ].
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }
is() { if [ "$2" = "$3" ]; then ok "$1"; else notok "$1 (got '$2', want '$3')"; fi; }
missing() {
	[ "${CI:-}" = true ] && { echo "Bail out! $1"; exit 1; }
	echo "1..0 # SKIP $1"
	exit 0
}
