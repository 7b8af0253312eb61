#!/bin/sh
# run.sh - golden-file tests of authmilter-check: each case of cases.txt
# (name, From value, options) is run against golden.zone and its whole
# output (verdict, Authentication-Results, history record, exit status) is
# compared with NAME.ref.  With --update the .ref files are rewritten
# (review the diff before committing).  TAP output.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
dir="$top_srcdir/tests/golden"
chk="$top_builddir/milter/authmilter-check"
# The pinned list of the shared test data when present, else Debian's.
psl="${AUTHMILTER_TESTDATA:-$top_srcdir/../shared/testdata}/psl-publicsuffix/public_suffix_list.dat"
[ -f "$psl" ] || psl=/usr/share/publicsuffix/public_suffix_list.dat
update=0
[ "${1:-}" = "--update" ] && update=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
fail=0
tab=$(printf '\t')
while IFS="$tab" read -r name from args; do
	case "$name" in ''|'#'*) continue ;; esac
	n=$((n + 1))
	printf 'From: %s\nTo: rcpt@example.net\nSubject: golden %s\n\nbody\n' "$from" "$name" >"$tmp/msg"
	# shellcheck disable=SC2086
	"$chk" --dump --dns "$dir/golden.zone" --time 1795400000 --authserv-id mx.example.net \
		--ip 198.51.100.7 --psl "$psl" \
		$args "$tmp/msg" >"$tmp/out" 2>&1
	echo "exit: $?" >>"$tmp/out"
	if [ $update -eq 1 ]; then
		cp "$tmp/out" "$dir/$name.ref"
		echo "ok $n - $name (updated)"
	elif diff -u "$dir/$name.ref" "$tmp/out" >"$tmp/diff" 2>&1; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		sed 's/^/# /' "$tmp/diff"
		fail=$((fail + 1))
	fi
done <"$dir/cases.txt"
echo "1..$n"
[ "$fail" -eq 0 ]
