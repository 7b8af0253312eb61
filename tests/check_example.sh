#!/bin/sh
# check_example.sh - run authmilter-check on the README's example and on
# variations of it, asserting the verdicts.  TAP output.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
chk="$top_builddir/milter/authmilter-check"
ex="$top_srcdir/doc/examples"
n=0
fail=0

# expect NAME WANT-EXIT GREP-PATTERN ARGS... - run the checker (--dump) and check both.
expect() {
	e_name=$1 e_want=$2 e_pat=$3
	shift 3
	expect_out "$e_name" "$e_want" "$e_pat" --dump "$@"
}

# expect_out NAME WANT-EXIT GREP-PATTERN ARGS... - the same with the output as asked.
expect_out() {
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
	--dns "$ex/example.zone" --mail-from bounce@elsewhere.example.net \
	--helo-spf pass:mail.example.com "$ex/example.eml"
expect "psl mode finds the same policy" 3 '^mode: psl' \
	--dns "$ex/example.zone" --org-mode psl "$ex/example.eml"
expect_out "usage error without a message" 1 'usage' --dns "$ex/example.zone"
expect_out "default output: the header, then the action" 3 '^reject$' \
	--dns "$ex/example.zone" --spf pass:elsewhere.example.net "$ex/example.eml"
expect_out "default output is two lines" 3 '^Authentication-Results: .*dmarc=fail' \
	--dns "$ex/example.zone" --spf pass:elsewhere.example.net "$ex/example.eml"
expect_out "--json gives the whole decision" 3 '"action": "reject"' \
	--json --dns "$ex/example.zone" --spf pass:elsewhere.example.net "$ex/example.eml"
expect_out "a client in IgnoreHosts is not evaluated" 0 'not evaluated: client in IgnoreHosts' \
	--ip 127.0.0.1 --dns "$ex/example.zone" "$ex/example.eml"
expect "bad SPF word is an error" 1 'bad SPF result' \
	--dns "$ex/example.zone" --spf maybe:example.com "$ex/example.eml"
# ARC: the verifier's two-hop fixture (tests/unit/arc, sealed by python3-dkim).
arc="$top_srcdir/tests/unit/arc"
expect_out "ARC: the text output adds the arc line" 0 '^arc: pass \(2 instances, oldest-pass 0\)$' \
	--dns "$arc/keys.zone" "$arc/two-hops.eml"
expect_out "ARC: arc=pass with smtp.remote-ip and header.oldest-pass=0" 0 \
	'arc=pass smtp.remote-ip=192.0.2.1 header.oldest-pass=0;' --dns "$arc/keys.zone" "$arc/two-hops.eml"
expect_out "ARC: --json has each instance (seal d=, key bits, AMS status)" 0 \
	'"d": "example.net", "s": "hop2", "cv": "pass", "status": "pass", "key_bits": 2048' \
	--json --dns "$arc/keys.zone" "$arc/two-hops.eml"
expect_out "ARC: --set ARCVerify=no, no arc= at all" 0 '^Authentication-Results: [^;]*; spf=none; dkim=none; dmarc=none' \
	--set ARCVerify=no --dns "$arc/keys.zone" "$arc/two-hops.eml"
expect_out "ARC: --set with a bad sealer names the key" 1 "ARCTrustedSealers: 'a..b'" \
	--set ARCTrustedSealers=a..b --dns "$arc/keys.zone" "$arc/two-hops.eml"

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
expect "From trick yields no author domain: rejected (RejectUnusableFrom)" 3 \
	'^reply: 550 5.7.1 message not RFC 5322 compliant: unusable From field: unparseable' \
	--dns "$ex/example.zone" "$tmp/trick.eml"
# Hostile input through the same evaluation: a 1 MB header line, a NUL
# byte in a header field (the field ends there, as in the milter protocol),
# a From with 1,000 addresses.
python3 -c 'import sys; sys.stdout.write("From: a@example.com\nX-Huge: " + "a" * 1048576 + "\nSubject: t\n\nbody\n")' >"$tmp/huge.eml"
expect "a 1 MB header line is evaluated normally" 3 '^result: fail' \
	--dns "$ex/example.zone" "$tmp/huge.eml"
printf 'From: a@example.com\nX-Nul: a\000b\nSubject: t\n\nbody\n' >"$tmp/nul.eml"
expect "a NUL byte in a header field does no harm" 3 '^result: fail' \
	--dns "$ex/example.zone" "$tmp/nul.eml"
python3 -c 'print("From: " + ", ".join("u%d@example.com" % i for i in range(1000)) + "\n\nbody")' >"$tmp/many.eml"
expect "a From with 1,000 addresses has no author domain: rejected" 3 \
	'^reply: 550 5.7.1 message not RFC 5322 compliant: unusable From field: unparseable, too many mailboxes' \
	--dns "$ex/example.zone" "$tmp/many.eml"
echo "1..$n"
[ "$fail" -eq 0 ]
