#!/bin/sh
# check_example.sh - run authmilter-check on the README's example and on
# variations of it, asserting the verdicts.  TAP output.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
chk="$top_builddir/milter/authmilter-check"
ex="$top_srcdir/doc/examples"
n=0
fail=0

# expect NAME WANT-EXIT GREP-PATTERN ARGS... - run the checker and check both.
expect() {
	name=$1 want=$2 pat=$3
	shift 3
	n=$((n + 1))
	out=$("$chk" "$@" 2>&1)
	got=$?
	if [ "$got" -eq "$want" ] && printf '%s\n' "$out" | grep -qE "$pat"; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name (exit $got, want $want; pattern $pat)"
		printf '%s\n' "$out" | sed 's/^/# /'
		fail=$((fail + 1))
	fi
}

expect "aligned SPF pass passes" 0 '^result: pass' \
	--dns "$ex/example.zone" --spf pass:mail.example.com "$ex/example.eml"
expect "no aligned pass is rejected (p=reject)" 3 '^disposition: reject' \
	--dns "$ex/example.zone" --spf pass:elsewhere.example.net --dkim fail:example.com:sel1 "$ex/example.eml"
expect "the history record carries the decision" 3 '^history: AMH1\.0 .*pdom=example\.com .*disp=reject' \
	--dns "$ex/example.zone" --spf pass:elsewhere.example.net --ip 2001:db8::1 "$ex/example.eml"
expect "aligned DKIM pass passes" 0 '^result: pass' \
	--dns "$ex/example.zone" --dkim pass:example.com:sel1 "$ex/example.eml"
expect "HELO SPF never counts" 3 '^result: fail' \
	--dns "$ex/example.zone" --helo-spf pass:mail.example.com "$ex/example.eml"
expect "psl mode finds the same policy" 3 '^mode: psl' \
	--dns "$ex/example.zone" --org-mode psl "$ex/example.eml"
expect "usage error without --dns" 1 'usage' "$ex/example.eml"
expect "bad SPF word is an error" 1 'bad SPF result' \
	--dns "$ex/example.zone" --spf maybe:example.com "$ex/example.eml"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'From: a@example.org\nSubject: t\n\nbody\n' >"$tmp/org.eml"
expect "t=y lowers quarantine to none" 0 '^overrides: policy_test_mode' \
	--dns "$ex/example.zone" "$tmp/org.eml"
printf 'From: a@example.org, b@mail.example.com\n\nbody\n' >"$tmp/multi.eml"
expect "several From domains: the strictest wins" 3 '^disposition: reject' \
	--dns "$ex/example.zone" "$tmp/multi.eml"
printf '_dmarc.example.com. TIMEOUT\n' >"$tmp/timeout.zone"
expect "DNS timeout is a temporary failure, not 'no record'" 4 '^result: temperror' \
	--dns "$tmp/timeout.zone" "$ex/example.eml"
printf 'From: a@example.net(.example.com\n\nbody\n' >"$tmp/trick.eml"
expect "From trick yields no author domain" 0 '^from: unparseable' \
	--dns "$ex/example.zone" "$tmp/trick.eml"
echo "1..$n"
[ "$fail" -eq 0 ]
