#!/bin/sh
# daemon.sh - failure reports through the real daemon (issue 18): the fo=
# matrix a DNS can give without signatures (0 on a DMARC pass and a fail,
# 1 on a pass through SPF alone, s on an SPF fail and on a softfail), the
# daemon's FailureReportsRate (2/h: the third report of a domain dropped,
# logged), and a spool that cannot be written (its outgoing/ a plain file):
# the same verdict, the error in the log line; and a full one (a 64 KiB
# tmpfs).  Every written report is
# read by Python's email package.  The daemon resolves through a private
# nsd on 127.0.0.1 (tests/dns/nsd-start.sh); sessions come from
# tests/wire/mtaclient.py.  fo=d needs signatures: tests/failures/check.py
# covers it through the same code.  TAP output; stops only what it started.
# A full spool is a small tmpfs in a private mount namespace (unshare -m:
# nothing is mounted on the machine); without root that check is skipped.
if [ -z "${FAILURES_IN_NS:-}" ] && [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	FAILURES_IN_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
. "$top_srcdir/tests/common/tap.sh"
PY=/usr/bin/python3
milter="$top_builddir/milter/authmilter"
client="$top_srcdir/tests/wire/mtaclient.py"
command -v nsd >/dev/null 2>&1 || [ -x /usr/sbin/nsd ] || missing "nsd not installed (run tests/deps.sh)"
tmp=$(mktemp -d)
mpid=""
cleanup() {
	[ -n "$mpid" ] && kill "$mpid" 2>/dev/null
	sh "$top_srcdir/tests/dns/nsd-stop.sh" "$tmp/nsd" 2>/dev/null
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM HUP

cat >"$tmp/zone" <<'ZONE'
$ORIGIN example.
$TTL 60
@	SOA	ns.example. hostmaster.example. 1 3600 600 86400 60
@	NS	ns.example.
ns	A	127.0.0.1
fo0	TXT	"v=spf1 ip4:192.0.2.10 -all"
_dmarc.fo0	TXT	"v=DMARC1; p=reject; ruf=mailto:ruf@fo0.example"
fo1	TXT	"v=spf1 ip4:192.0.2.10 -all"
_dmarc.fo1	TXT	"v=DMARC1; p=quarantine; ruf=mailto:ruf@fo1.example; fo=1"
soft	TXT	"v=spf1 ip4:192.0.2.10 ~all"
_dmarc.soft	TXT	"v=DMARC1; p=reject; ruf=mailto:ruf@soft.example; fo=s"
hard	TXT	"v=spf1 ip4:192.0.2.10 -all"
_dmarc.hard	TXT	"v=DMARC1; p=reject; ruf=mailto:ruf@hard.example; fo=s"
rate	TXT	"v=spf1 -all"
full	TXT	"v=spf1 -all"
_dmarc.full	TXT	"v=DMARC1; p=reject; ruf=mailto:ruf@full.example"
_dmarc.rate	TXT	"v=DMARC1; p=reject; ruf=mailto:ruf@rate.example"
ZONE
nsport=$(sh "$top_srcdir/tests/dns/nsd-start.sh" "$tmp/nsd" "$tmp/zone" example) ||
	{ echo "Bail out! cannot start nsd"; exit 1; }
mport=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$tmp/authmilter.conf" <<CONF
Socket			inet:$mport@127.0.0.1
AuthservID		mx.receiver.example
Nameservers		127.0.0.1@$nsport
Syslog			no
IgnoreHosts		none
FailureReports		yes
FailureReportSpool	$tmp/spool
FailureReportsRate	2/h
CONF
"$milter" -f -c "$tmp/authmilter.conf" 2>"$tmp/milter.log" &
mpid=$!
i=0
while [ $i -lt 100 ] && ! grep -q "listening on" "$tmp/milter.log"; do sleep 0.1; i=$((i + 1)); done
grep -q "listening on" "$tmp/milter.log" || { echo "Bail out! authmilter did not start"; exit 1; }

# send NAME DOMAIN IP - one session, From and MAIL FROM at DOMAIN; its final action in $final.
send() {
	printf 'From: Mallory <ceo@%s>\r\nTo: bob@receiver.example\r\nSubject: %s\r\nDate: Sun, 06 Dec 2026 10:00:00 +0000\r\nMessage-ID: <%s@elsewhere.example>\r\n\r\nPay now.\r\n' \
	    "$2" "$1" "$1" >"$tmp/$1.eml"
	"$PY" "$client" 127.0.0.1 "$mport" "$tmp/$1.eml" --ip "$3" --helo "mx.$2" \
	    --mail-from "ceo@$2" --rcpt bob@receiver.example >"$tmp/$1.out" 2>&1
	case $(sed -n 's/^final //p; s/^replycode \(.\).*/\1/p' "$tmp/$1.out" | tail -1) in
	a) final=accept ;; r|5) final=reject ;; t|4) final=tempfail ;; *) final=other ;;
	esac
}
# reports DOMAIN - reports written for DOMAIN.
reports() { grep -l "^policy_domain $1\$" "$tmp/spool/outgoing"/*.meta 2>/dev/null | wc -l; }
# parses DOMAIN - every report of DOMAIN reads as a feedback report naming it.
parses() {
	for m in $(grep -l "^policy_domain $1\$" "$tmp/spool/outgoing"/*.meta); do
		"$PY" - "${m%.meta}.eml" "$1" <<'PY' || return 1
import email, sys
msg = email.message_from_binary_file(open(sys.argv[1], "rb"))
parts = [p.get_content_type() for p in msg.get_payload()]
fb = msg.get_payload()[1].get_payload()
fb = fb[0] if isinstance(fb, list) else email.message_from_string(fb)
assert msg.get_content_type() == "multipart/report", msg.get_content_type()
assert parts == ["text/plain", "message/feedback-report", "text/rfc822-headers"], parts
assert fb["Reported-Domain"] == sys.argv[2], fb["Reported-Domain"]
assert fb["Source-IP"] and fb["Auth-Failure"] == "dmarc", fb
PY
	done
}

send pass0 fo0.example 192.0.2.10
check "fo absent (0), DMARC pass: accepted, no report" '[ "$final" = accept ] && [ "$(reports fo0.example)" = 0 ]'
send fail0 fo0.example 198.51.100.9
check "fo absent (0), DMARC fail: rejected, one report" '[ "$final" = reject ] && [ "$(reports fo0.example)" = 1 ]'
send pass1 fo1.example 192.0.2.10
check "fo=1, DMARC pass through SPF alone: accepted, one report" '[ "$final" = accept ] && [ "$(reports fo1.example)" = 1 ]'
send soft soft.example 198.51.100.9
check "fo=s, SPF softfail (DMARC fails): rejected, no report" '[ "$final" = reject ] && [ "$(reports soft.example)" = 0 ]'
send hard hard.example 198.51.100.9
check "fo=s, SPF fail: rejected, one report" '[ "$final" = reject ] && [ "$(reports hard.example)" = 1 ]'
for k in 1 2 3; do send "rate$k" rate.example 198.51.100.9; done
check "FailureReportsRate 2/h: three failures, two reports" '[ "$(reports rate.example)" = 2 ]'
check "... the third dropped, said in its log line" \
	'grep "from=rate.example " "$tmp/milter.log" | grep -c "failure_report=dropped" | grep -qx 1'
check "every report reads as a feedback report naming its domain (Python's email package)" \
	'parses fo0.example && parses fo1.example && parses hard.example && parses rate.example'
rm -rf "$tmp/spool/outgoing"
: >"$tmp/spool/outgoing"		# a file where the directory should be
send unwritable fo0.example 198.51.100.9
check "a spool that cannot be written: still rejected, the error in the log line" \
	'[ "$final" = reject ] && grep "failure_report=error" "$tmp/milter.log" | grep -q "outgoing"'
send unwritable2 fo0.example 198.51.100.9
check "... and a failed write does not count against the rate (2/h: one written before, two failed)" \
	'[ "$(grep "from=fo0.example " "$tmp/milter.log" | grep -c "failure_report=error")" = 2 ]'
if [ -n "${FAILURES_IN_NS:-}" ]; then
	rm -f "$tmp/spool/outgoing"
	mkdir -p "$tmp/spool/outgoing"
	mount -t tmpfs -o size=64k,mode=0755 failures-full "$tmp/spool/outgoing" ||
		{ echo "Bail out! cannot mount a tmpfs"; exit 1; }
	dd if=/dev/zero of="$tmp/spool/outgoing/.filler" bs=1k 2>/dev/null
	send full full.example 198.51.100.9
	check "a full spool: still rejected, 'No space left' in the log line, no torn report left" \
		'[ "$final" = reject ] && grep "failure_report=error" "$tmp/milter.log" | grep -q "No space left" &&
		 [ -z "$(ls "$tmp/spool/outgoing")" ]'
	umount "$tmp/spool/outgoing"
else
	[ "${CI:-}" = true ] && { echo "Bail out! the full spool check needs root and unshare -m"; exit 1; }
	ok "# SKIP a full spool: needs root and unshare -m"
fi
check "the daemon still runs" 'kill -0 "$mpid"'
echo "1..$n"
[ "$fail" -eq 0 ]
