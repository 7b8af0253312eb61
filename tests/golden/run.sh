#!/bin/sh
# run.sh - golden-file tests of authmilter-check: each case of cases.txt
# (name, From value, options) is run against golden.zone and its whole
# output (verdict, Authentication-Results, history record, exit status) is
# compared with NAME.ref.  TAP output.
#
#   run.sh                    compare every case with its .ref (make check);
#                             a difference is shown (diff -u) and fails.
#   run.sh --update NAME...   run every case and show the diff (diff -u) of
#                             each whose output differs from its .ref; write
#                             the .ref of the NAMEd cases only.  A case that
#                             differs and is not named is shown and refused:
#                             its .ref is kept and the exit status is 1, as
#                             for a NAME that is no case.  Review the diff
#                             before committing.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
dir="$top_srcdir/tests/golden"
chk="$top_builddir/milter/authmilter-check"
# The pinned list of the shared test data when present, else Debian's.
psl="${AUTHMILTER_TESTDATA:-$top_srcdir/../shared/testdata}/psl-publicsuffix/public_suffix_list.dat"
[ -f "$psl" ] || psl=/usr/share/publicsuffix/public_suffix_list.dat
update=0
named=" "
if [ "${1:-}" = "--update" ]; then
	shift
	[ $# -gt 0 ] || { echo "usage: $0 [--update NAME...]" >&2; exit 2; }
	update=1
	named=" $* "
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
seen=" "
tab=$(printf '\t')

# run_case NAME FROM ARGS - the case's whole output into $tmp/out.
run_case() {
	printf 'From: %s\nTo: rcpt@example.net\nSubject: golden %s\n\nbody\n' "$2" "$1" >"$tmp/msg"
	# shellcheck disable=SC2086
	"$chk" --dump --dns "$dir/golden.zone" --time 1795400000 --authserv-id mx.example.net \
		--ip 198.51.100.7 --psl "$psl" \
		$3 "$tmp/msg" >"$tmp/out" 2>&1
	echo "exit: $?" >>"$tmp/out"
}

# same NAME - is $tmp/out NAME.ref?  The diff (a missing .ref as empty) in $tmp/diff.
same() {
	ref="$dir/$1.ref"
	[ -f "$ref" ] || ref=/dev/null
	diff -u "$ref" "$tmp/out" >"$tmp/diff" 2>&1
}

# changed NAME - report a case whose output differs from its .ref: write the
# .ref when NAME is named for --update, else fail; then show the diff.
changed() {
	if [ $update -eq 1 ] && [ "${named#* "$1" }" != "$named" ]; then
		cp "$tmp/out" "$dir/$1.ref"
		echo "ok $n - $1 (updated)"
	elif [ $update -eq 1 ]; then
		echo "not ok $n - $1: output changed but not named, .ref kept (refused)"
		fail=$((fail + 1))
	else
		echo "not ok $n - $1"
		fail=$((fail + 1))
	fi
	sed 's/^/# /' "$tmp/diff"
}

while IFS="$tab" read -r name from args; do
	case "$name" in ''|'#'*) continue ;; esac
	n=$((n + 1))
	seen="$seen$name "
	run_case "$name" "$from" "$args"
	if same "$name"; then
		echo "ok $n - $name"
	else
		changed "$name"
	fi
done <"$dir/cases.txt"
for name in $named; do
	[ "${seen#* "$name" }" != "$seen" ] && continue
	n=$((n + 1))
	echo "not ok $n - --update $name: no such case in cases.txt"
	fail=$((fail + 1))
done
echo "1..$n"
[ "$fail" -eq 0 ]
