#!/bin/sh
# failsend.sh - "authmilter-reports send-failures": failure reports (RFC
# 9991, RFC 6591 messages) written into a FailureReportSpool by this script
# (mkfail: a small but real multipart/report .eml with CRLF line ends and
# its .meta, as doc/report-spool.md says the daemon writes them), sent by
# the real program with --now.  DNS is a private nsd on 127.0.0.1 serving
# tests/reports/send.zone (as send_dns.sh); messages go to a capturing
# command (send_helper.py capture), and at the end through a private
# Postfix's sendmail into a Maildir (as send_postfix.sh), parsed with
# Python's email package.
#
# Checked: sent once, a second run sends nothing; a non-mailto ruf
# skipped; external destinations with and without the verifying record
# (and the record's rua not overriding a ruf); a DNS server not answering
# leaves no line; the size cap (the ruf !size, FailureReportsMaxBytes);
# the rate limit (2/h: per policy domain, per destination, counted and
# logged, kept across runs, a new window sends again); two runs at once
# never send a report twice; a failing send command leaves the report for
# the next run; Bcc; expire of FailureReportSpool/sent.
#
# TAP output.  Without nsd the test is skipped (a failure under CI=true);
# without root or Postfix only the Postfix part is skipped.  Stops only
# what it started: nsd by its PID file (nsd-stop.sh), Postfix by pf_stop,
# its own background runs by PID.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
PY=/usr/bin/python3
H="$top_srcdir/tests/reports/send_helper.py"
prog="$top_builddir/reports/authmilter-reports"
. "$top_srcdir/tests/common/tap.sh"
# check NAME EXPR - tap.sh's check, with the run's log when it fails.
check() { if eval "$2"; then ok "$1"; else notok "$1"; sed 's/^/# /' "$tmp/log" 2>/dev/null | tail -20; fi; }

PATH="$PATH:/usr/sbin:/sbin"
command -v nsd >/dev/null 2>&1 || missing "nsd not installed"
[ -x "$PY" ] || missing "$PY missing"
[ -x "$prog" ] || { echo "Bail out! $prog not built"; exit 1; }
tmp=$(mktemp -d /tmp/authmilter-failsend.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
chmod 755 "$tmp"
have_pf=""
cleanup() {
	[ -n "$have_pf" ] && pf_stop
	sh "$top_srcdir/tests/dns/nsd-stop.sh" "$tmp/nsd"
	if [ -n "${SEND_KEEP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

port=$(sh "$top_srcdir/tests/dns/nsd-start.sh" "$tmp/nsd" "$top_srcdir/tests/reports/send.zone" .) ||
	{ echo "Bail out! cannot start nsd"; sed 's/^/# /' "$tmp/nsd/nsd.log" 2>/dev/null; exit 1; }
echo "# nsd on 127.0.0.1@$port"
dead=$("$PY" -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

NOW=1796575500		# 2026-12-06 (a Sunday) 16:45:00 UTC
echo 0 >"$tmp/seq"

# mkfail SPOOL DOMAIN PADBYTES RUF... - write a report, print its name.
mkfail() {
	spool=$1 dom=$2 pad=$3
	shift 3
	seq=$(($(cat "$tmp/seq") + 1))	# a file: mkfail runs in $(...) subshells
	echo "$seq" >"$tmp/seq"
	name="$NOW.4242.$seq.$(printf '%08x' "$seq")"
	mkdir -p "$spool/outgoing"
	{
		printf 'Subject: DMARC failure report for %s from 192.0.2.1\n' "$dom"
		printf 'MIME-Version: 1.0\n'
		printf 'Content-Type: multipart/report; report-type=feedback-report;\n'
		printf '\tboundary="=_fail_%s"\n\n' "$seq"
		printf 'This is a multi-part message in MIME format.\n\n'
		printf -- '--=_fail_%s\nContent-Type: text/plain; charset=us-ascii\n\n' "$seq"
		printf 'A message claiming to be from %s failed DMARC at mx.receiver.example.\n' "$dom"
		[ "$pad" -gt 0 ] && head -c "$pad" /dev/zero | tr '\0' 'x' | fold -w 72 && echo
		printf '\n--=_fail_%s\nContent-Type: message/feedback-report\n\n' "$seq"
		printf 'Feedback-Type: auth-failure\nVersion: 1\nUser-Agent: authmilter/test\n'
		printf 'Auth-Failure: dmarc\n'
		printf 'Authentication-Results: mx.receiver.example; dmarc=fail (p=reject) header.from=%s\n' "$dom"
		printf 'Original-Envelope-Id: 4Q%s\nOriginal-Mail-From: <redacted@%s>\n' "$seq" "$dom"
		printf 'Arrival-Date: Sun, 06 Dec 2026 16:44:54 +0000\nSource-IP: 192.0.2.1\n'
		printf 'Reported-Domain: %s\nIdentity-Alignment: none\nDelivery-Result: reject\n' "$dom"
		printf '\n--=_fail_%s\nContent-Type: text/rfc822-headers\n\n' "$seq"
		printf 'From: <redacted@%s>\nTo: <redacted@receiver.example>\n' "$dom"
		printf 'Subject: invoice\nMessage-ID: <m%s@%s>\n' "$seq" "$dom"
		printf '\n--=_fail_%s--\n' "$seq"
	} | sed 's/$/\r/' >"$spool/outgoing/.$name.eml"
	mv "$spool/outgoing/.$name.eml" "$spool/outgoing/$name.eml"
	{
		printf 'format afrf-1\npolicy_domain %s\norg_domain %s\n' "$dom" "$(echo "$dom" | awk -F. '{print $(NF-1) "." $NF}')"
		printf 'created %s\nsource_ip 192.0.2.1\n' "$((NOW - 6))"
		for r in "$@"; do printf 'ruf %s\n' "$r"; done
	} >"$spool/outgoing/.$name.meta"
	mv "$spool/outgoing/.$name.meta" "$spool/outgoing/$name.meta"
	echo "$name"
}

# conf NAME SPOOL COMMAND [EXTRA-LINE...] - write $tmp/NAME.conf.
conf() {
	f="$tmp/$1.conf" spool=$2 cmd=$3
	shift 3
	{
		printf 'AuthservID\t\tmx.receiver.example\nNameservers\t\t127.0.0.1@%s\n' "$port"
		printf 'DNSTimeout\t\t2\nDNSBudget\t\t4\nReportSpool\t\t%s/agg\n' "$tmp"
		printf 'FailureReportSpool\t%s\nReportSendCommand\t%s\n' "$spool" "$cmd"
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$f"
}

# run NAME [SECONDS-AFTER-NOW] - the program: $rc, log in $tmp/log.
run() {
	"$prog" -c "$tmp/$1.conf" --now $((NOW + ${2:-0})) send-failures 2>"$tmp/log"
	rc=$?
}

# captured DIR - messages captured in DIR.
captured() {
	ls "$1" 2>/dev/null | grep -c '^msg-'
}

# sent_to DIR - the To addresses (of the top header) of the captured messages, sorted, on one line.
sent_to() {
	for f in "$1"/msg-*.eml; do
		[ -f "$f" ] && sed -n '/^\r$/q; s/^To: \(.*\)\r$/\1/p' "$f"
	done | sort | tr '\n' ' '
}

# msgids DIR - the Message-IDs (of the top header) of the captured messages, one a line.
msgids() {
	for f in "$1"/msg-*.eml; do
		[ -f "$f" ] && sed -n '/^\r$/q; s/^Message-ID: \(.*\)\r$/\1/p' "$f"
	done
}

# cap NAME - a capturing ReportSendCommand into $tmp/out-NAME.
cap() { echo "$PY $H capture $tmp/out-$1"; }

# ---- one report, several destinations, through the capturing command
S="$tmp/basic"
b1=$(mkfail "$S" example.com 0 mailto:dmarc-failures@example.com 'https://example.com/ruf' \
	mailto:f@thirdparty.example mailto:f@nobody.example mailto:r@override.example)
conf basic "$S" "$(cap basic)" "FailureReportsBcc copies@receiver.example"
run basic
M="$S/sent/$b1.meta"
check "first run: exit 0, report moved to sent/ with its .eml" \
	'[ "$rc" -eq 0 ] && [ -f "$M" ] && [ -f "$S/sent/$b1.eml" ] && [ -z "$(ls "$S/outgoing")" ]'
check "sent to the same organization and the authorized destinations" \
	'[ "$(sent_to "$tmp/out-basic")" = "dmarc-failures@example.com f@thirdparty.example r@override.example " ]'
check "a sent line per destination sent" \
	'[ "$(grep -c "^sent mailto:[^ ]* $NOW\$" "$M")" -eq 3 ]'
check "non-mailto ruf: skipped, not a mailto URI" \
	'grep -q "^skipped https://example.com/ruf $NOW not a mailto URI" "$M"'
check "external without a record: skipped, naming the record looked for" \
	'grep -q "^skipped mailto:f@nobody.example $NOW not authorized (no v=DMARC1 at example.com._report._dmarc.nobody.example)\$" "$M"'
check "external with a record: authorized (logged)" \
	'grep -q "authorized by v=DMARC1 at example.com._report._dmarc.thirdparty.example" "$tmp/log"'
check "the record's rua does not override a ruf destination" \
	'grep -q "^sent mailto:r@override.example " "$M" && ! grep -q "other@override.example" "$tmp/log"'
m=$(grep -l "^To: dmarc-failures@example.com" "$tmp/out-basic"/msg-*.eml)
check "the message: From, To, Bcc, Date, Message-ID, then the .eml unchanged" \
	'head -5 "$m" | sed "s/\r\$//" | grep -c "^\(From: postmaster@mx.receiver.example\|To: dmarc-failures@example.com\|Bcc: copies@receiver.example\|Date: Sun, 06 Dec 2026 16:45:00 +0000\|Message-ID: <$b1.1@mx.receiver.example>\)\$" | grep -qx 5 && tail -n +6 "$m" | cmp -s - "$S/sent/$b1.eml"'
check "the captured message parses as a failure report" \
	'"$PY" "$H" checkfailure "$m" to=dmarc-failures@example.com from=postmaster@mx.receiver.example domain=example.com >"$tmp/chk" 2>&1 || { cat "$tmp/chk"; false; }'
run basic 60
check "second run: nothing sent, exit 0" '[ "$rc" -eq 0 ] && [ "$(captured "$tmp/out-basic")" -eq 3 ]'

# ---- a report as the daemon writes it (authmilter-check runs its code), sent
check_prog="$top_builddir/milter/authmilter-check"
E="$tmp/fromcheck"
mkdir -p "$E"
printf '_dmarc.example.com. TXT "v=DMARC1; p=reject; ruf=mailto:dmarc-failures@example.com"\n' >"$E/zone"
printf 'From: Mallory <ceo@example.com>\r\nTo: bob@receiver.example\r\nSubject: spoof\r\nDate: Sun, 06 Dec 2026 10:00:00 +0000\r\nMessage-ID: <spoof@elsewhere.example>\r\n\r\nPay now.\r\n' >"$E/m.eml"
"$check_prog" --zone "$E/zone" --ip 198.51.100.7 --mail-from ceo@example.com \
    --authserv-id mx.receiver.example --spf fail:example.com --set FailureReports=yes \
    --set FailureReportSpool="$E/spool" "$E/m.eml" >"$E/out" 2>&1
conf fromcheck "$E/spool" "$(cap fromcheck)"
run fromcheck
m=$(ls "$tmp/out-fromcheck"/msg-*.eml 2>/dev/null | head -1)
check "a report authmilter-check wrote (the daemon's code) is sent and parses as a failure report" \
	'[ "$rc" -eq 0 ] && [ -n "$m" ] && [ "$(captured "$tmp/out-fromcheck")" -eq 1 ] &&
	 "$PY" "$H" checkfailure "$m" to=dmarc-failures@example.com from=postmaster@mx.receiver.example domain=example.com >"$tmp/chk" 2>&1 || { cat "$E/out" "$tmp/chk"; false; }'

# ---- DNS not answering: no line, retried next run
D="$tmp/dead"
d1=$(mkfail "$D" example.com 0 mailto:f@thirdparty.example mailto:dmarc-failures@example.com)
conf deadns "$D" "$(cap dead)"
sed -i "s/^Nameservers.*/Nameservers\t\t127.0.0.1@$dead/" "$tmp/deadns.conf"
run deadns
check "DNS not answering: exit 1, the same domain sent, no line for the external one, left in outgoing/" \
	'[ "$rc" -eq 1 ] && ! grep -q "^sent mailto:f@\|^skipped" "$D/outgoing/$d1.meta" && grep -q "^sent mailto:dmarc-failures@example.com" "$D/outgoing/$d1.meta" && [ "$(sent_to "$tmp/out-dead")" = "dmarc-failures@example.com " ]'
conf deadok "$D" "$(cap dead)"
run deadok
check "DNS back: the .meta with a sent line read again, the external one sent" \
	'[ "$rc" -eq 0 ] && [ "$(sent_to "$tmp/out-dead")" = "dmarc-failures@example.com f@thirdparty.example " ] && [ -f "$D/sent/$d1.meta" ]'

# ---- the size cap
Z="$tmp/size"
z1=$(mkfail "$Z" example.com 2000 'mailto:small@example.com!1k' mailto:fits@example.com)
z2=$(mkfail "$Z" example.com 6000 mailto:fits@example.com)
conf size "$Z" "$(cap size)" "FailureReportsMaxBytes 5000"
run size
check "the ruf !size: skipped too big, naming the limit" \
	'grep -Eq "^skipped mailto:small@example.com!1k $NOW too big \([0-9]+ bytes, the destination takes 1024: the ruf !size\)" "$Z/sent/$z1.meta"'
check "FailureReportsMaxBytes: skipped too big" \
	'grep -Eq "^skipped mailto:fits@example.com $NOW too big \([0-9]+ bytes, the destination takes 5000: FailureReportsMaxBytes\)" "$Z/sent/$z2.meta"'
check "what fits is sent" '[ "$(sent_to "$tmp/out-size")" = "fits@example.com " ] && grep -q "^sent mailto:fits@example.com" "$Z/sent/$z1.meta"'

# ---- the rate limit: 2/h, 5 reports of one domain to one address
R="$tmp/rate"
for i in 1 2 3 4 5; do mkfail "$R" example.com 0 mailto:dmarc-failures@example.com >/dev/null; done
conf rate "$R" "$(cap rate)" "FailureReportsRate 2/h"
run rate
check "2/h with 5 reports: exit 0, 2 sent" '[ "$rc" -eq 0 ] && [ "$(captured "$tmp/out-rate")" -eq 2 ]'
check "3 dropped lines, every report in sent/" \
	'[ "$(cat "$R"/sent/*.meta | grep -c "^dropped mailto:dmarc-failures@example.com $NOW rate limit (2/h for example.com)\$")" -eq 3 ] && [ -z "$(ls "$R/outgoing")" ]'
check "counted and logged: one summary line per run" \
	'grep -q "send-failures: 3 dropped by the rate limit (2/h), per policy domain: example.com 3\$" "$tmp/log" && grep -q "5 reports, 2 messages sent, 0 destinations skipped, 3 dropped by the rate limit" "$tmp/log"'
run rate 60
check "second run: the dropped reports are not sent" '[ "$rc" -eq 0 ] && [ "$(captured "$tmp/out-rate")" -eq 2 ]'
mkfail "$R" example.com 0 mailto:other@example.com >/dev/null
run rate 120
check "the count survives the run: a new report in the same hour is dropped" \
	'[ "$(captured "$tmp/out-rate")" -eq 2 ] && grep -q "1 dropped by the rate limit (2/h), per policy domain: example.com 1" "$tmp/log"'
check "the state file: one line per key of the window" \
	'grep -qx "domain:example.com $((NOW - NOW % 3600)) 2" "$R/rate" && [ "$(wc -l <"$R/rate")" -eq 2 ]'
mkfail "$R" example.com 0 mailto:other@example.com >/dev/null
run rate 3600
check "the next hour: sent again, the stale window dropped from the state" \
	'[ "$(captured "$tmp/out-rate")" -eq 3 ] && grep -qx "domain:example.com $((NOW + 3600 - NOW % 3600)) 1" "$R/rate" && ! grep -q " $((NOW - NOW % 3600)) " "$R/rate"'
P="$tmp/perdest"
for d in a.example.com a.example.com b.example.com b.example.com; do
	mkfail "$P" "$d" 0 mailto:shared@example.com >/dev/null
done
conf perdest "$P" "$(cap perdest)" "FailureReportsRate 2/h"
run perdest
check "per destination: 2 domains to one address, 2 sent, 2 dropped naming the address" \
	'[ "$(captured "$tmp/out-perdest")" -eq 2 ] && [ "$(cat "$P"/sent/*.meta | grep -c "rate limit (2/h to shared@example.com)")" -eq 2 ]'

# ---- two runs at once: a slow send command, never a report sent twice
C="$tmp/concurrent"
for i in 1 2 3 4 5 6; do mkfail "$C" example.com 0 mailto:dmarc-failures@example.com >/dev/null; done
printf '#!/bin/sh\nsleep 0.3\nexec %s %s capture %s\n' "$PY" "$H" "$tmp/out-conc" >"$tmp/slow.sh"
chmod 755 "$tmp/slow.sh"
conf conc "$C" "$tmp/slow.sh" "FailureReportsRate 100/h"
"$prog" -c "$tmp/conc.conf" --now "$NOW" send-failures 2>"$tmp/log1" & p1=$!
"$prog" -c "$tmp/conc.conf" --now "$NOW" send-failures 2>"$tmp/log2" & p2=$!
wait "$p1"; r1=$?
wait "$p2"; r2=$?
cat "$tmp/log1" "$tmp/log2" >"$tmp/log"
"$prog" -c "$tmp/conc.conf" --now "$NOW" send-failures 2>>"$tmp/log"
check "two runs at once: each report sent exactly once ($r1, $r2)" \
	'[ "$(captured "$tmp/out-conc")" -eq 6 ] && [ "$(msgids "$tmp/out-conc" | wc -l)" -eq 6 ] && [ "$(msgids "$tmp/out-conc" | sort -u | wc -l)" -eq 6 ]'
check "two runs at once: the one that found the lock says so" \
	'[ "$r1" -eq 0 ] && [ "$r2" -eq 0 ] || grep -q "locked by another run" "$tmp/log"'

# ---- a failing send command leaves the report for the next run
F="$tmp/fail"
f1=$(mkfail "$F" example.com 0 mailto:late@example.com)
cp "$F/outgoing/$f1.meta" "$tmp/f.meta"
conf false "$F" /bin/false
run false
check "/bin/false: exit 1, .meta unchanged in outgoing/" \
	'[ "$rc" -eq 1 ] && cmp -s "$F/outgoing/$f1.meta" "$tmp/f.meta" && grep -q "sending to late@example.com failed: /bin/false: exit status 1 (left for the next run)" "$tmp/log"'
check "/bin/false: nothing counted for the rate limit" '! grep -q "late@example.com" "$F/rate" 2>/dev/null'
conf again "$F" "$(cap again)"
run again
check "next run: sent, moved" '[ "$rc" -eq 0 ] && [ "$(sent_to "$tmp/out-again")" = "late@example.com " ] && [ -f "$F/sent/$f1.meta" ]'

# ---- limits of the .meta
L="$tmp/limits"
l1=$(mkfail "$L" example.com 0 $(i=0; while [ $i -lt 33 ]; do printf 'mailto:r%s@example.com ' $i; i=$((i + 1)); done))
conf limits "$L" "$(cap limits)"
run limits
check "33 ruf lines: left alone, exit 1, said" \
	'[ "$rc" -eq 1 ] && [ -f "$L/outgoing/$l1.meta" ] && grep -q "$l1.meta:38: more than 32 ruf lines (left alone)" "$tmp/log" && [ "$(captured "$tmp/out-limits")" -eq 0 ]'
: >"$L/outgoing/.hidden.meta"
rm -f "$L/outgoing/$l1.meta"
run limits
check "files beginning with . are ignored" '[ "$rc" -eq 0 ] && grep -q " 0 reports" "$tmp/log"'

# ---- expire removes old failure reports from sent/
touch -d "@$((NOW - 40 * 86400))" "$S/sent/$b1.meta" "$S/sent/$b1.eml"
printf 'ReportRetentionDays\t30\nReportDatabase\t\t%s/reports.db\n' "$tmp" >>"$tmp/basic.conf"
"$prog" -c "$tmp/basic.conf" --now "$NOW" expire 2>"$tmp/log"
check "expire: old failure reports removed from FailureReportSpool/sent" \
	'[ ! -e "$S/sent/$b1.meta" ] && [ ! -e "$S/sent/$b1.eml" ] && grep -q "; 1 failure reports from $S/sent" "$tmp/log"'

# ---- delivery by a real Postfix into a Maildir
if [ "$(id -u)" -ne 0 ] || ! command -v postfix >/dev/null 2>&1 || [ ! -x /usr/sbin/sendmail ]; then
	[ "${CI:-}" = true ] && { echo "Bail out! Postfix part needs root and postfix"; exit 1; }
	ok "# SKIP Postfix: needs root and postfix"
else
	. "$top_srcdir/tests/common/private_postfix.sh"
	pf_init "$tmp/postfix" mx.receiver.example "example.com thirdparty.example receiver.example" ||
		{ echo "Bail out! cannot lay out $tmp/postfix"; exit 1; }
	have_pf=1
	pf_start "$tmp/postfix.log"
	pf_wait_running 20 || { echo "Bail out! Postfix did not start"; sed 's/^/# /' "$tmp/postfix.log"; exit 1; }
	Q="$tmp/pf"
	q1=$(mkfail "$Q" example.com 0 mailto:dmarc-failures@example.com mailto:f@thirdparty.example)
	conf pf "$Q" "/usr/sbin/sendmail -C $pf_conf -t -oi" "FailureReportsBcc copies@receiver.example" \
		"FailureReportsSentBy dmarc-noreply@receiver.example"
	run pf
	"$PY" "$H" maildir-wait "$pf_maildir" 4 30 >/dev/null
	check "Postfix: exit 0, both sent, 4 messages in the mailbox (2 + 2 Bcc copies)" \
		'[ "$rc" -eq 0 ] && [ "$(ls "$pf_maildir/new" | wc -l)" -eq 4 ] && [ -f "$Q/sent/$q1.meta" ]'
	for to in dmarc-failures@example.com f@thirdparty.example; do
		f=$(grep -l "^Delivered-To: $to" "$pf_maildir"/new/* | head -1)
		check "Postfix: delivered to $to, parsed: From, To, multipart/report intact" \
			'[ -n "$f" ] && "$PY" "$H" checkfailure "$f" to=$to from=dmarc-noreply@receiver.example domain=example.com "subject=DMARC failure report for example.com from 192.0.2.1" >"$tmp/chk" 2>&1 || { sed "s/^/# /" "$tmp/chk"; false; }'
	done
	check "Postfix: the Bcc copies arrived without a Bcc: field" \
		'[ "$(grep -l "^Delivered-To: copies@receiver.example" "$pf_maildir"/new/* | wc -l)" -eq 2 ] && ! grep -q "^Bcc:" "$pf_maildir"/new/*'
	check "Postfix stopped" 'pf_stop'
	have_pf=""
fi

echo "1..$n"
[ "$fail" -eq 0 ]
