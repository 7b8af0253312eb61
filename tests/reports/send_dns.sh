#!/bin/sh
# send_dns.sh - the external destination check (RFC 9990 section 4) of
# "send" against a real DNS server: a private nsd on 127.0.0.1
# (tests/dns/nsd-start.sh) serving tests/reports/send.zone as the root zone,
# the report tool's resolver forwarding to it (Nameservers).  Positive (a
# record, a wildcard record, an override on the same host), negative (no
# record, an override to another host), the same organization needing no
# record; then a server that does not answer: the external destination
# stays due (deferred, no line in the .meta) while the same-domain one is
# sent, and the next run against the real server sends it.  Messages go to
# a capturing command (send_helper.py capture).
#
# TAP output.  nsd is stopped by its PID (nsd-stop.sh); without nsd the
# test is skipped, or fails under CI=true.
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
	echo "1..0 # SKIP $1"
	exit 0
}

PATH="$PATH:/usr/sbin:/sbin"
command -v nsd >/dev/null 2>&1 || skip_or_bail "nsd not installed"
[ -x "$PY" ] || skip_or_bail "$PY missing"
[ -x "$driver" ] || { echo "Bail out! $driver not built"; exit 1; }
tmp=$(mktemp -d /tmp/authmilter-send-dns.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
cleanup() {
	sh "$top_srcdir/tests/dns/nsd-stop.sh" "$tmp/nsd"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

port=$(sh "$top_srcdir/tests/dns/nsd-start.sh" "$tmp/nsd" "$top_srcdir/tests/reports/send.zone" .) ||
	{ echo "Bail out! cannot start nsd"; cat "$tmp/nsd/nsd.log" 2>/dev/null | sed 's/^/# /'; exit 1; }
echo "# nsd on 127.0.0.1@$port"
dead=$("$PY" -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# conf NAME SPOOL NAMESERVER - write $tmp/NAME.conf.
conf() {
	cat >"$tmp/$1.conf" <<CONF
AuthservID		mx.receiver.example
Nameservers		$3
DNSTimeout		2
DNSBudget		4
ReportSpool		$2
ReportSendCommand	$PY $H capture $tmp/out-$1
CONF
}

# run NAME - the driver: $rc, $totals, log in $tmp/log.
run() {
	totals=$("$driver" -c "$tmp/$1.conf" 2>"$tmp/log")
	rc=$?
}

# sent_to NAME - the To addresses of the messages captured for NAME, sorted, on one line.
sent_to() {
	cat "$tmp/out-$1"/msg-*.eml 2>/dev/null | sed -n 's/^To: //p' | sort | tr '\n' ' '
}

S="$tmp/spool"
base=$("$PY" "$H" mkreport "$S" --rua mailto:dmarc@example.com --rua mailto:r@thirdparty.example \
	--rua mailto:r@nobody.example --rua mailto:r@wildcard.example \
	--rua mailto:r@override.example --rua mailto:r@evil-override.example \
	--rua mailto:d@reports.example.com)
conf dns "$S" "127.0.0.1@$port"
run dns
meta="$S/sent/$base.meta"
check "nsd: exit 0 ($totals)" '[ "$rc" -eq 0 ] && [ "$totals" = "reports=1 sent=5 skipped=2 failed=0 deferred=0 bad=0" ]'
check "nsd: sent to the same organization and the authorized destinations" \
	'[ "$(sent_to dns)" = "d@reports.example.com dmarc@example.com other@override.example r@thirdparty.example r@wildcard.example " ]'
check "positive: v=DMARC1 at example.com._report._dmarc.thirdparty.example" \
	'grep -q "authorized by v=DMARC1 at example.com._report._dmarc.thirdparty.example" "$tmp/log" && grep -q "^sent mailto:r@thirdparty.example " "$meta"'
check "positive: the wildcard *._report._dmarc.wildcard.example" \
	'grep -q "^sent mailto:r@wildcard.example " "$meta"'
check "positive: the override on the same host is where it went" \
	'grep -q "whose rua names mailto:other@override.example instead" "$tmp/log" && grep -q "^sent mailto:r@override.example " "$meta"'
check "negative: no record, skipped with the name queried" \
	'grep -Eq "^skipped mailto:r@nobody.example [0-9]+ not authorized \(no v=DMARC1 at example.com._report._dmarc.nobody.example\)$" "$meta"'
check "negative: an override to another host sends to neither" \
	'grep -Eq "^skipped mailto:r@evil-override.example [0-9]+ the record at example.com._report._dmarc.evil-override.example sends reports on to another host \(elsewhere.example\)" "$meta"'
check "same organization: no record needed" \
	'grep -q "^sent mailto:d@reports.example.com " "$meta" && ! grep -q "reports.example.com: authorized" "$tmp/log"'

U="$tmp/spool-unreachable"
ubase=$("$PY" "$H" mkreport "$U" --uid u1 --rua mailto:dmarc@example.com --rua mailto:r@thirdparty.example)
conf dead "$U" "127.0.0.1@$dead"
run dead
check "server not answering: exit 1, the external destination deferred ($totals)" \
	'[ "$rc" -eq 1 ] && [ "$totals" = "reports=1 sent=1 skipped=0 failed=0 deferred=1 bad=0" ]'
check "server not answering: the same domain sent, no DNS needed" '[ "$(sent_to dead)" = "dmarc@example.com " ]'
check "server not answering: no line for the deferred destination, still in outgoing/" \
	'[ -f "$U/outgoing/$ubase.meta" ] && ! grep -q "r@thirdparty.example [0-9]" "$U/outgoing/$ubase.meta"'
check "server not answering: said why" 'grep -q "r@thirdparty.example: .*(left for the next run)" "$tmp/log"'
conf back "$U" "127.0.0.1@$port"
run back
check "server back: the deferred destination sent, report moved ($totals)" \
	'[ "$rc" -eq 0 ] && [ "$totals" = "reports=1 sent=1 skipped=0 failed=0 deferred=0 bad=0" ] && [ "$(sent_to back)" = "r@thirdparty.example " ] && [ -f "$U/sent/$ubase.meta" ]'

echo "1..$n"
[ "$fail" -eq 0 ]
