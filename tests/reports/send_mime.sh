#!/bin/sh
# send_mime.sh - "send" end to end without a mail server: send_run (through
# tests/reports/send_driver) on spools made here (send_helper.py mkreport),
# ReportSendCommand a script that keeps each message (send_helper.py
# capture), DNS from the resolver's zone-file mode.  Each message is decoded
# with Python's email package (send_helper.py check): fields, Subject,
# the application/gzip attachment equal to the spooled .xml.gz.  Also: the
# .meta lines written, the move to sent/, a second run sending nothing,
# --dry-run changing nothing, a failing command leaving the destination
# due, a DNS timeout deferring, a bad .meta and a missing report left
# alone (with file and line), the size limits, the spool lock.
#
# TAP output.  Everything lives in one temporary directory; no process
# outlives the test.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
PY=/usr/bin/python3
H="$top_srcdir/tests/reports/send_helper.py"
driver="$top_builddir/tests/reports/send_driver"
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else notok "$1"; sed 's/^/# /' "$tmp/log" 2>/dev/null | tail -20; fi; }

[ -x "$PY" ] || { echo "1..0 # SKIP $PY missing"; exit 0; }
[ -x "$driver" ] || { echo "Bail out! $driver not built"; exit 1; }
tmp=$(mktemp -d /tmp/authmilter-send.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

cat >"$tmp/zone" <<'ZONE'
_dmarc.example.com. TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
example.com._report._dmarc.thirdparty.example. TXT "v=DMARC1"
example.com._report._dmarc.slow.example. TIMEOUT
ZONE

# conf NAME SPOOL COMMAND [EXTRA-LINES] - write $tmp/NAME.conf.
conf() {
	cat >"$tmp/$1.conf" <<CONF
AuthservID		mx.receiver.example
DNSZoneFile		$tmp/zone
ReportSpool		$2
ReportSendCommand	$3
$4
CONF
}

# run NAME [--dry-run] - the driver on $tmp/NAME.conf: $rc, $totals, log in $tmp/log.
run() {
	totals=$("$driver" -c "$tmp/$1.conf" $2 2>"$tmp/log")
	rc=$?
}

# tree DIR - every file under DIR with its checksum (to see that nothing changed).
tree() {
	(cd "$1" && find . -type f | sort | xargs -r md5sum)
}

capture="$PY $H capture $tmp/out"
S="$tmp/spool"
base=$("$PY" "$H" mkreport "$S" --pad 3000 --rua 'mailto:dmarc@example.com!10m' \
	--rua https://reports.example.net/dmarc --rua mailto:reports@thirdparty.example \
	--rua mailto:x@nobody.example --rua 'mailto:small@example.com!1k' \
	--rua 'mailto:bad%0A@example.com')
cp "$S/outgoing/$base.xml.gz" "$tmp/report.xml.gz"
subject="Report Domain: example.com Submitter: mx.receiver.example Report-ID: <1a2b3c.example.com@mx.receiver.example>"
conf main "$S" "$capture"

# ---------------------------------------------------------------- dry run
before=$(tree "$S")
run main --dry-run
check "dry run: exit 0" '[ "$rc" -eq 0 ]'
check "dry run: totals say what would happen ($totals)" \
	'[ "$totals" = "reports=1 sent=2 skipped=4 failed=0 deferred=0 bad=0" ]'
check "dry run: the spool is unchanged" '[ "$(tree "$S")" = "$before" ]'
check "dry run: nothing handed to the send command" '[ ! -d "$tmp/out" ]'
check "dry run: says it would send and would move" \
	'grep -q "would send to dmarc@example.com" "$tmp/log" && grep -q "would move to sent/" "$tmp/log"'

# ---------------------------------------------------------------- send
run main
check "send: exit 0" '[ "$rc" -eq 0 ]'
check "send: totals ($totals)" '[ "$totals" = "reports=1 sent=2 skipped=4 failed=0 deferred=0 bad=0" ]'
check "send: two messages handed to the command" '[ -f "$tmp/out/msg-1.eml" ] && [ -f "$tmp/out/msg-2.eml" ] && [ ! -f "$tmp/out/msg-3.eml" ]'
check "send: report and .meta moved to sent/, the report unchanged" \
	'[ -f "$S/sent/$base.meta" ] && cmp -s "$S/sent/$base.xml.gz" "$tmp/report.xml.gz" && [ -z "$(ls "$S/outgoing")" ]'
for i in 1 2; do
	case $i in 1) to=dmarc@example.com ;; 2) to=reports@thirdparty.example ;; esac
	"$PY" "$H" check "$tmp/out/msg-$i.eml" "$S/sent/$base.xml.gz" "to=$to" \
		"from=postmaster@mx.receiver.example" "subject=$subject" \
		"msgid-contains=1a2b3c.example.com.$( [ $i = 1 ] && echo 1 || echo 3 )@mx.receiver.example" \
		>"$tmp/check.out" 2>&1
	r=$?
	grep -v '^# ok:' "$tmp/check.out"
	check "message to $to: fields, Subject, attachment equals the spooled report (Python email)" '[ "$r" -eq 0 ]'
done
meta="$S/sent/$base.meta"
check "meta: sent line for mailto:dmarc@example.com!10m" 'grep -Eq "^sent mailto:dmarc@example.com!10m [0-9]+$" "$meta"'
check "meta: sent line for the authorized third party" 'grep -Eq "^sent mailto:reports@thirdparty.example [0-9]+$" "$meta"'
check "meta: https skipped, not a mailto: URI" \
	'grep -Eq "^skipped https://reports.example.net/dmarc [0-9]+ not a mailto: URI \(scheme https\)$" "$meta"'
check "meta: unauthorized third party skipped with the name queried" \
	'grep -Eq "^skipped mailto:x@nobody.example [0-9]+ not authorized \(no v=DMARC1 at example.com._report._dmarc.nobody.example\)$" "$meta"'
check "meta: over the rua !1k skipped" \
	'grep -Eq "^skipped mailto:small@example.com!1k [0-9]+ the report file of [0-9]+ bytes is over the limit of 1024 bytes \(the rua !size\)$" "$meta"'
check "meta: encoded LF in the address skipped as malformed" \
	'grep -Eq "^skipped mailto:bad%0A@example.com [0-9]+ .*control characters \(malformed URI\)$" "$meta"'
check "meta: the original lines kept, 6 lines added" '[ "$(wc -l <"$meta")" -eq $((7 + 6 + 6)) ]'

# ---------------------------------------------------------------- again
run main
check "second run: sends nothing twice ($totals)" \
	'[ "$rc" -eq 0 ] && [ "$totals" = "reports=0 sent=0 skipped=0 failed=0 deferred=0 bad=0" ] && [ ! -f "$tmp/out/msg-3.eml" ]'

# ---------------------------------------------------------------- failures
F="$tmp/spool-fail"
fbase=$("$PY" "$H" mkreport "$F" --uid f1 --rua mailto:dmarc@example.com --rua mailto:r@slow.example)
conf false "$F" "/bin/false"
cp "$F/outgoing/$fbase.meta" "$tmp/f.meta"
run false
check "failing command: exit 1" '[ "$rc" -eq 1 ]'
check "failing command: counted failed, the DNS timeout deferred ($totals)" \
	'[ "$totals" = "reports=1 sent=0 skipped=0 failed=1 deferred=1 bad=0" ]'
check "failing command: says why (exit status 1) and that it stays" \
	'grep -q "sending to dmarc@example.com failed: /bin/false: exit status 1 (left for the next run)" "$tmp/log"'
check "DNS timeout: deferred, not skipped" \
	'grep -q "DNS temporary failure at example.com._report._dmarc.slow.example (left for the next run)" "$tmp/log"'
check "failing command: the .meta unchanged, still in outgoing/" 'cmp -s "$F/outgoing/$fbase.meta" "$tmp/f.meta"'
conf nocmd "$F" "/nonexistent/sendmail -t"
run nocmd
check "command that cannot run: failed, stays ($totals)" \
	'[ "$rc" -eq 1 ] && [ "$totals" = "reports=1 sent=0 skipped=0 failed=1 deferred=1 bad=0" ] && cmp -s "$F/outgoing/$fbase.meta" "$tmp/f.meta"'
conf fixed "$F" "$capture"
run fixed
check "next run with a working command: sent, the timeout still deferred ($totals)" \
	'[ "$rc" -eq 1 ] && [ "$totals" = "reports=1 sent=1 skipped=0 failed=0 deferred=1 bad=0" ] && [ -f "$F/outgoing/$fbase.meta" ]'
check "next run: sent line recorded, nothing for the deferred destination" \
	'grep -q "^sent mailto:dmarc@example.com " "$F/outgoing/$fbase.meta" && ! grep -q "r@slow.example [0-9]" "$F/outgoing/$fbase.meta"'
msgs=$(ls "$tmp/out" | wc -l)
run fixed
check "a run after that: only the deferred destination tried again, nothing sent twice ($totals)" \
	'[ "$rc" -eq 1 ] && [ "$totals" = "reports=1 sent=0 skipped=0 failed=0 deferred=1 bad=0" ] && [ "$(ls "$tmp/out" | wc -l)" -eq "$msgs" ]'

# ---------------------------------------------------------------- left alone
B="$tmp/spool-bad"
good=$("$PY" "$H" mkreport "$B" --uid g1 --rua mailto:dmarc@example.com)
bad=$("$PY" "$H" mkreport "$B" --uid b1 --rua mailto:dmarc@example.com --meta-extra "colour blue")
nogz=$("$PY" "$H" mkreport "$B" --uid n1 --rua mailto:dmarc@example.com)
rm "$B/outgoing/$nogz.xml.gz"
cp "$B/outgoing/$bad.meta" "$tmp/bad.meta"
conf bad "$B" "$capture"
run bad
check "bad .meta: exit 1, the good report sent ($totals)" \
	'[ "$rc" -eq 1 ] && [ "$totals" = "reports=2 sent=1 skipped=0 failed=0 deferred=0 bad=2" ] && [ -f "$B/sent/$good.meta" ]'
check "bad .meta: reported with file and line" \
	'grep -qF "$B/outgoing/$bad.meta:9: unknown key \"colour\" (left alone)" "$tmp/log"'
check "bad .meta: left alone, unchanged" 'cmp -s "$B/outgoing/$bad.meta" "$tmp/bad.meta"'
check "missing report file: reported, .meta left in outgoing/" \
	'grep -q "$nogz: cannot stat $nogz.xml.gz: No such file or directory (left alone)" "$tmp/log" && [ -f "$B/outgoing/$nogz.meta" ]'

# ---------------------------------------------------------------- sizes, names
Z="$tmp/spool-size"
zbase=$("$PY" "$H" mkreport "$Z" --uid z1 --pad 4000 --org "Example Receiver Inc" \
	--rua mailto:dmarc@example.com)
conf size "$Z" "$capture" "ReportMaxBytes 4096
ReportEmail dmarc-reports@Receiver.example"
run size
check "ReportMaxBytes: the message over it skipped ($totals)" \
	'[ "$rc" -eq 0 ] && [ "$totals" = "reports=1 sent=0 skipped=1 failed=0 deferred=0 bad=0" ]'
check "ReportMaxBytes: the reason names the message size and the key" \
	'grep -Eq "^skipped mailto:dmarc@example.com [0-9]+ the message of [0-9]+ bytes is over the limit of 4096 bytes \(ReportMaxBytes\)$" "$Z/sent/$zbase.meta"'
rm -rf "$tmp/out"
Y="$tmp/spool-names"
ybase=$("$PY" "$H" mkreport "$Y" --uid y1 --org "Example Receiver Inc" --rua mailto:dmarc@example.com)
conf names "$Y" "$capture" "ReportEmail dmarc-reports@Receiver.example"
run names
"$PY" "$H" check "$tmp/out/msg-1.eml" "$Y/sent/$ybase.xml.gz" to=dmarc@example.com \
	from=dmarc-reports@receiver.example \
	"subject=Report Domain: example.com Submitter: receiver.example Report-ID: <y1.example.com@mx.receiver.example>" \
	>"$tmp/check.out" 2>&1
r=$?
grep -v '^# ok:' "$tmp/check.out"
check "ReportEmail is the From; an org_name that is no domain gives the From domain as Submitter" '[ "$r" -eq 0 ]'

# ---------------------------------------------------------------- setup
L="$tmp/spool-lock"
"$PY" "$H" mkreport "$L" --uid l1 --rua mailto:dmarc@example.com >/dev/null
conf lock "$L" "$capture"
if command -v flock >/dev/null 2>&1; then
	# Another run: a process that locks the outgoing directory, then makes
	# $tmp/locked, then holds the lock (as the sleep it becomes) until killed.
	(exec 9<"$L/outgoing" && flock 9 && : >"$tmp/locked" && exec sleep 60) &
	fpid=$!
	i=0
	while [ ! -f "$tmp/locked" ] && [ $i -lt 100 ] && kill -0 "$fpid" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ -f "$tmp/locked" ]; then
		run lock
		check "spool locked by another run: exit 2, nothing sent" \
			'[ "$rc" -eq 2 ] && grep -q "is locked by another run" "$tmp/log" && [ -f "$L/outgoing/"*l1.meta ]'
	else
		notok "spool locked by another run: the other run did not get the lock within 10 s"
	fi
	kill "$fpid" 2>/dev/null
	wait "$fpid" 2>/dev/null
else
	ok "spool lock # SKIP flock(1) missing"
fi
conf none "$tmp/nonexistent" "$capture"
run none
check "no outgoing directory: nothing to send, exit 0" '[ "$rc" -eq 0 ] && grep -q "nothing to send" "$tmp/log"'
conf from "$L" "$capture" "ReportEmail not-an-address"
run from
check "unusable ReportEmail: exit 2" '[ "$rc" -eq 2 ] && grep -q "ReportEmail not-an-address is not a usable address" "$tmp/log"'

echo "1..$n"
[ "$fail" -eq 0 ]
