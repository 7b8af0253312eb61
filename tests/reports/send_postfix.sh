#!/bin/sh
# send_postfix.sh - report messages delivered by a real Postfix: a private
# instance (tests/common/private_postfix.sh) in a temporary directory
# delivering example.com and thirdparty.example into one Maildir;
# ReportSendCommand is its sendmail, "/usr/sbin/sendmail -C DIR -t -oi".
# send_run (tests/reports/send_driver) mails a spooled report (made by
# send_helper.py mkreport) to a same-domain and an authorized external
# destination (DNS from the zone-file resolver); the test reads both
# messages from the Maildir, decodes them with Python's email package,
# extracts the attachment, un-gzips it and checks it equals the spooled
# report.  A second run sends nothing twice; a failing command (/bin/false,
# Postfix's sendmail with a missing configuration directory) leaves the
# destination due, and the next run delivers it.
#
# TAP output.  Needs root (Postfix); without root or the tools it skips,
# under CI=true that is a failure.  SEND_KEEP=1 keeps the temporary
# directory.  Stops only what it started (pf_stop: "postfix -c DIR stop"
# and PIDs of its own queue directory).
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
skip_or_bail() {
	[ "${CI:-}" = true ] && { echo "Bail out! $1 (run tests/deps.sh as root)"; exit 1; }
	echo "1..0 # SKIP $1 (run tests/deps.sh as root)"
	exit 0
}

PATH="$PATH:/usr/sbin:/sbin"
for tool in postfix postqueue "$PY"; do
	command -v "$tool" >/dev/null 2>&1 || skip_or_bail "$tool not installed"
done
[ -x /usr/sbin/sendmail ] || skip_or_bail "/usr/sbin/sendmail missing"
[ "$(id -u)" -eq 0 ] || skip_or_bail "a private Postfix needs root"
[ -x "$driver" ] || { echo "Bail out! $driver not built"; exit 1; }
id nobody >/dev/null 2>&1 || { echo "Bail out! no user nobody"; exit 1; }

. "$top_srcdir/tests/common/private_postfix.sh"

# Under /tmp with mode 755: Postfix's daemons and the virtual delivery
# agent (nobody) must reach the directories below it.
tmp=$(mktemp -d /tmp/authmilter-send-pf.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
chmod 755 "$tmp"
cleanup() {
	pf_stop
	if [ -n "${SEND_KEEP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

pf_init "$tmp/postfix" mx.receiver.example "example.com thirdparty.example" ||
	{ echo "Bail out! cannot lay out $tmp/postfix"; exit 1; }
pf_start "$tmp/postfix.log"
if ! pf_wait_running 20; then
	echo "Bail out! Postfix did not start:"
	sed 's/^/# /' "$tmp/postfix.log"
	exit 1
fi
sendmail="/usr/sbin/sendmail -C $pf_conf -t -oi"

cat >"$tmp/zone" <<'ZONE'
_dmarc.example.com. TXT "v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
example.com._report._dmarc.thirdparty.example. TXT "v=DMARC1"
ZONE

# conf NAME SPOOL COMMAND - write $tmp/NAME.conf.
conf() {
	cat >"$tmp/$1.conf" <<CONF
AuthservID		mx.receiver.example
DNSZoneFile		$tmp/zone
ReportSpool		$2
ReportSendCommand	$3
CONF
}

# run NAME - the driver: $rc, $totals, log in $tmp/log.
run() {
	totals=$("$driver" -c "$tmp/$1.conf" 2>"$tmp/log")
	rc=$?
}

# delivered TO - the Maildir file of the message whose To is TO, or nothing.
delivered() {
	grep -l "^To: $1\$" "$pf_maildir"/new/* 2>/dev/null | head -1
}

# count_mail - messages in the Maildir.
count_mail() {
	ls "$pf_maildir/new" 2>/dev/null | wc -l
}

# queue_len - messages in Postfix's queue.
queue_len() {
	postqueue -c "$pf_conf" -j 2>/dev/null | wc -l
}

# check_message TO GZ LABEL - the delivered message to TO, decoded, against GZ.
check_message() {
	to=$1
	f=$(delivered "$1")
	if [ -z "$f" ]; then
		notok "$3: delivered to the mailbox"
		return
	fi
	ok "$3: delivered to the mailbox"
	check "$3: delivered by Postfix (Delivered-To, Received)" \
		'grep -qi "^Delivered-To: $to\$" "$f" && grep -q "^Received: by mx.receiver.example (Postfix" "$f"'
	"$PY" "$H" check "$f" "$2" "to=$1" from=postmaster@mx.receiver.example \
		"subject=Report Domain: example.com Submitter: mx.receiver.example Report-ID: <1a2b3c.example.com@mx.receiver.example>" \
		>"$tmp/check.out" 2>&1
	r=$?
	grep -v '^# ok:' "$tmp/check.out"
	check "$3: Subject, From, To; the attachment un-gzipped equals the spooled report" '[ "$r" -eq 0 ]'
}

S="$tmp/spool"
base=$("$PY" "$H" mkreport "$S" --pad 20000 --rua 'mailto:dmarc@example.com!10m' \
	--rua mailto:reports@thirdparty.example)
conf pf "$S" "$sendmail"
run pf
check "send through Postfix's sendmail: exit 0 ($totals)" \
	'[ "$rc" -eq 0 ] && [ "$totals" = "reports=1 sent=2 skipped=0 failed=0 deferred=0 bad=0" ]'
"$PY" "$H" maildir-wait "$pf_maildir" 2 30 >/dev/null
check_message dmarc@example.com "$S/sent/$base.xml.gz" "same-domain destination"
check_message reports@thirdparty.example "$S/sent/$base.xml.gz" "authorized external destination"
check "both destinations recorded as sent, report in sent/" \
	'[ "$(grep -c "^sent mailto:" "$S/sent/$base.meta")" -eq 2 ] && [ -z "$(ls "$S/outgoing")" ]'

run pf
sleep 2
check "second run: nothing sent twice ($totals)" \
	'[ "$rc" -eq 0 ] && [ "$totals" = "reports=0 sent=0 skipped=0 failed=0 deferred=0 bad=0" ] && [ "$(count_mail)" -eq 2 ] && [ "$(queue_len)" -eq 0 ]'

F="$tmp/spool-fail"
fbase=$("$PY" "$H" mkreport "$F" --uid f2 --id 1a2b3c.example.com@mx.receiver.example \
	--rua mailto:late@example.com)
cp "$F/outgoing/$fbase.meta" "$tmp/f.meta"
conf false "$F" /bin/false
run false
check "/bin/false: failed, exit 1 ($totals)" \
	'[ "$rc" -eq 1 ] && [ "$totals" = "reports=1 sent=0 skipped=0 failed=1 deferred=0 bad=0" ]'
check "/bin/false: destination left due (.meta unchanged in outgoing/)" 'cmp -s "$F/outgoing/$fbase.meta" "$tmp/f.meta"'
conf broken "$F" "/usr/sbin/sendmail -C $tmp/no-such-dir -t -oi"
run broken
check "sendmail with a missing configuration directory: failed, left due ($totals)" \
	'[ "$rc" -eq 1 ] && [ "$totals" = "reports=1 sent=0 skipped=0 failed=1 deferred=0 bad=0" ] && cmp -s "$F/outgoing/$fbase.meta" "$tmp/f.meta"'
check "the failure says the exit status" 'grep -q "sending to late@example.com failed: /usr/sbin/sendmail: exit status" "$tmp/log"'
conf again "$F" "$sendmail"
run again
"$PY" "$H" maildir-wait "$pf_maildir" 3 30 >/dev/null
check "next run: delivered ($totals)" \
	'[ "$rc" -eq 0 ] && [ "$totals" = "reports=1 sent=1 skipped=0 failed=0 deferred=0 bad=0" ] && [ -f "$F/sent/$fbase.meta" ]'
check_message late@example.com "$F/sent/$fbase.xml.gz" "after the failures"

check "mailbox holds exactly the 3 messages, queue empty" '[ "$(count_mail)" -eq 3 ] && [ "$(queue_len)" -eq 0 ]'
check "Postfix stopped, no process left in its queue directory" 'pf_stop'
if [ "$fail" -ne 0 ]; then
	echo "# Postfix log:"; sed 's/^/# /' "$tmp/postfix.log" | tail -40
fi
echo "1..$n"
[ "$fail" -eq 0 ]
