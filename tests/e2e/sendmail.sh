#!/bin/sh
# sendmail.sh - end-to-end test: real Sendmail 8.17 -> authmilter -> mailbox.
#
# Debian's Sendmail conflicts with the Postfix the other tests need, so its
# packages (sendmail-bin, sendmail-base, sendmail-cf) are fetched with
# "apt-get download" and unpacked with "dpkg-deb -x" into the test's
# temporary directory; nothing is installed and nothing of the machine's
# MTA is touched.  Its sendmail.cf is built with m4 from tests/e2e/sendmail.mc,
# which holds the README's INPUT_MAIL_FILTER line verbatim but for the
# socket.  Two runs: the milter on an inet socket, then on a local one.
# Each starts, on 127.0.0.1 at free ports and under one temporary
# directory: authmilter as root, running as nobody:nogroup (UserID), through
# tests/faults/dnsproxy.py (which can drop every query) to a private nsd
# serving tests/wire/wire.zone; and "sendmail -bD" with its own queue,
# aliases and hosts file, delivering rcpt.example into one Maildir.  swaks
# sends the messages of tests/wire/messages from addresses 127.0.2.N, which
# stand for the wire zone's 192.0.2.N (the zone's SPF records get the
# 127.0.2.N address beside each 192.0.2.N; Sendmail has no XCLIENT).
# What arrives is read from the Maildir or Sendmail's quarantine, its
# Authentication-Results fields parsed by python3-authres (helper.py).
#
# TAP output.  Needs root (Sendmail's daemon and queue); without root, the
# tools or the packages it skips, but under CI=true that is a failure.
# E2E_KEEP=1 keeps the temporary directory.  Stops only what it started:
# Sendmail, the milter, the proxy and nsd by PID, and any process still
# working in the private queue directory by PID.
# shellcheck disable=SC2016 # check's second argument is eval'ed later
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
src="$top_srcdir/tests/e2e"
wire="$top_srcdir/tests/wire"
milter="$top_builddir/milter/authmilter"
PY=/usr/bin/python3
PATH="$PATH:/usr/sbin:/sbin"
. "$src/lib.sh"

for tool in swaks nsd m4 apt-get dpkg-deb ldd unshare "$PY"; do
	command -v "$tool" >/dev/null 2>&1 || skip_or_bail "$tool not installed"
done
"$PY" -c 'import authres, dkim' 2>/dev/null || skip_or_bail "python3-authres or python3-dkim missing"
[ "$(id -u)" -eq 0 ] || skip_or_bail "a private Sendmail needs root"
unshare --uts true 2>/dev/null || skip_or_bail "unshare --uts does not work here (Sendmail's host name)"
[ -x "$milter" ] || { echo "Bail out! $milter not built"; exit 1; }
id nobody >/dev/null 2>&1 && getent group nogroup >/dev/null || { echo "Bail out! no user nobody or group nogroup"; exit 1; }

# Under /tmp: the local mailer runs as nobody and must reach the Maildir.
tmp=$(mktemp -d /tmp/authmilter-sendmail.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
chmod 755 "$tmp"
smpid="" proxy="" queue=""

# queue_procs - the PIDs of the processes working in the private queue
# directory (Sendmail's children chdir there).
queue_procs() {
	[ -n "$queue" ] || return 0
	for d in /proc/[0-9]*; do
		[ "$(readlink "$d/cwd" 2>/dev/null)" = "$queue" ] && echo "${d#/proc/}"
	done
}

# stop_sendmail - SIGTERM to the daemon, then wait (5 s) for it and its
# children; SIGKILL to those still there.  0 when they stopped by themselves.
stop_sendmail() {
	[ -n "$smpid" ] || return 0
	kill -TERM "$smpid" 2>/dev/null
	wait_for 5 '! kill -0 "$smpid" 2>/dev/null && [ -z "$(queue_procs)" ]'
	rc=$?
	for p in $smpid $(queue_procs); do kill -9 "$p" 2>/dev/null; done
	wait "$smpid" 2>/dev/null
	smpid=""
	return $rc
}

cleanup() {
	stop_sendmail
	stop_milter
	[ -n "$proxy" ] && kill "$proxy" 2>/dev/null
	sh "$top_srcdir/tests/dns/nsd-stop.sh" "$tmp/nsd"
	if [ -n "${E2E_KEEP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---------------------------------------------------------------- Sendmail
mkdir "$tmp/pkg" "$tmp/sendmail"
# fetch - the three packages into $tmp/pkg.
fetch() { (cd "$tmp/pkg" && apt-get download sendmail-bin sendmail-base sendmail-cf) >>"$tmp/download.log" 2>&1; }
# Package lists older than the mirror name versions it no longer has.
if ! fetch && ! { apt-get update -q >>"$tmp/download.log" 2>&1 && fetch; }; then
	sed 's/^/# /' "$tmp/download.log"
	skip_or_bail "cannot fetch Sendmail's packages with apt-get download"
fi
for deb in "$tmp"/pkg/*.deb; do
	dpkg-deb -x "$deb" "$tmp/sendmail" || { echo "Bail out! dpkg-deb -x $deb"; exit 1; }
done
SENDMAIL="$tmp/sendmail/usr/libexec/sendmail/sendmail"
CFDIR="$tmp/sendmail/usr/share/sendmail/cf"
missing=$(ldd "$SENDMAIL" 2>&1 | sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p' | tr '\n' ' ')
[ -z "$missing" ] || skip_or_bail "Sendmail needs $missing(tests/deps.sh installs libwrap0)"
# The README's line, as an administrator copies it into sendmail.mc.
readme_line=$(sed -n "s/^ *\(INPUT_MAIL_FILTER(\`authmilter'.*\)$/\1/p" "$top_srcdir/README.md" | head -1)
case "$readme_line" in
*"S=inet:8895@127.0.0.1,"*) ;;
*) echo "Bail out! README.md has no INPUT_MAIL_FILTER line with S=inet:8895@127.0.0.1: '$readme_line'"; exit 1 ;;
esac
echo "# README: $readme_line"

# ---------------------------------------------------------------- DNS
"$PY" "$wire/sign.py" "$tmp" "$wire" || { echo "Bail out! signing failed"; exit 1; }
"$PY" "$src/helper.py" sign "$tmp/dkim.pem" "$src/messages/signed-simple.eml" \
	"$tmp/signed-simple.eml" || { echo "Bail out! signing failed"; exit 1; }
# 127.0.2.N stands for 192.0.2.N: each SPF ip4:192.0.2.N gets ip4:127.0.2.N.
sed 's/ip4:192\.0\.2\.\([0-9]*\)/& ip4:127.0.2.\1/g' "$wire/wire.zone" >"$tmp/zone"
cat "$tmp/keys.zone" >>"$tmp/zone"
nsport=$(sh "$top_srcdir/tests/dns/nsd-start.sh" "$tmp/nsd" "$tmp/zone" example) ||
	{ echo "Bail out! cannot start nsd"; exit 1; }
pport=$("$PY" "$src/helper.py" port)
echo pass >"$tmp/dnsmode"
"$PY" "$top_srcdir/tests/faults/dnsproxy.py" "$pport" "$nsport" "$tmp/dnsmode" "$tmp/dnsstats" &
proxy=$!
wait_for 10 'grep -q "^ready" "$tmp/dnsstats" 2>/dev/null' || { echo "Bail out! dnsproxy.py did not start"; exit 1; }

# ---------------------------------------------------------------- milter
# write_conf HOLD - the milter's configuration of this run, with
# HoldQuarantinedMessages HOLD.
write_conf() {
	cat >"$run/authmilter.conf" <<CONF
# Sendmail end-to-end test, $kind socket
Socket			$mspec
UserID			nobody:nogroup
PidFile			$run/milter/authmilter.pid
AuthservID		mx.wire.example
Nameservers		127.0.0.1@$pport
DNSTimeout		2
Syslog			no
HoldQuarantinedMessages	$1
HistoryFile		$run/lib/history
IgnoreHosts		127.0.0.1, ::1, 127.0.2.250
RejectText		5.7.1 DMARC \${policy} for \${domain}: not accepted here
CONF
}

# ---------------------------------------------------------------- helpers
# send IP HELO MAILFROM MESSAGE - one message ($name names the case) to
# Sendmail with swaks from IP.  Sets $reply and $qid (Sendmail's "250 2.0.0
# QUEUEID Message accepted for delivery"); notes the mailbox and queue.
send() {
	mail_was=$(count_mail)
	queue_was=$(count_queue)
	msg="$tmp/$4"
	[ -f "$msg" ] || msg="$wire/messages/$4"
	timeout 60 swaks --server 127.0.0.1 --port "$sport" --timeout 30 --local-interface "$1" \
		--helo "$2" --from "$3" --to bob@rcpt.example --data "@$msg" >"$run/$name.swaks" 2>&1
	reply=$(swaks_reply "$run/$name.swaks")
	qid=$(echo "$reply" | sed -n 's/^250 2\.0\.0 \([0-9A-Za-z]*\) Message accepted.*/\1/p')
}

delivered() { [ -n "$qid" ] && "$PY" "$src/helper.py" find "$maildir" "$qid" 15; }
count_mail() { ls "$maildir/new" 2>/dev/null | wc -l; }
# count_queue - queue files, quarantined ones included.
count_queue() { ls "$queue" 2>/dev/null | grep -c '^[qh]f'; }
# sm ARG... - the private Sendmail, in a UTS namespace of its own whose host
# name is mx.wire.example: Sendmail wants its own name fully qualified
# before it reads its configuration, and with a machine named like "vm"
# sleeps 60 s at every start.  The machine's host name stays as it is.
sm() {
	unshare --uts sh -c 'hostname mx.wire.example && exec "$@"' sm "$SENDMAIL" -C "$run/sendmail.cf" "$@"
}

# quarantined QID - Sendmail's quarantine listing (mailq -qQ) for QID: the
# reason line that follows the id.
quarantined() {
	sm -bp -qQ 2>/dev/null | awk -v q="$1" '$1 == q { getline; print; exit }'
}

# queued_header QID - the header section of a queue file (its H lines).
queued_header() {
	awk '/^H/ { h = 1; sub(/^H(\?[^?]*\?)?/, ""); print; next }
	     /^[ \t]/ { if (h) print; next }
	     { h = 0 }' "$queue/hf$1" "$queue/qf$1" 2>/dev/null
}

# ---------------------------------------------------------------- one run
# run_cases KIND - the cases with the milter on a KIND (inet or local) socket.
run_cases() {
	kind=$1
	run="$tmp/$kind"
	queue="$run/queue" maildir="$run/inbox"
	mkdir -p "$run/milter" "$run/lib" "$queue" "$maildir/new" "$maildir/tmp"
	chmod 700 "$queue"
	chown nobody:nogroup "$run/milter" "$run/lib" "$maildir" "$maildir/new" "$maildir/tmp"
	if [ "$kind" = inet ]; then
		mport=$("$PY" "$src/helper.py" port)
		mspec="inet:$mport@127.0.0.1" mwait=$mport
	else
		mspec="local:$run/milter/authmilter.sock" mwait="$run/milter/authmilter.sock"
	fi
	mconf="$run/authmilter.conf" mlog="$run/milter.log"
	write_conf yes
	start_milter || { echo "Bail out! the milter does not listen ($kind)"; cat "$run/milter.log"; exit 1; }

	# Sendmail: the README's line with this run's socket.
	sport=$("$PY" "$src/helper.py" port)
	line=$(echo "$readme_line" | sed "s|S=inet:8895@127.0.0.1,|S=$mspec,|")
	sed -e "s|@DIR@|$run|g" -e "s|@PORT@|$sport|g" -e "s|^@FILTER@\$|$line|" \
		"$src/sendmail.mc" >"$run/sendmail.mc"
	printf 'postmaster: root\nMAILER-DAEMON: postmaster\n' >"$run/aliases"
	printf 'hosts\tfiles\naliases\tfiles\n' >"$run/service.switch"
	printf '127.0.0.1\tlocalhost mx.wire.example\n' >"$run/hosts"
	cat >"$run/deliver.sh" <<EOF
#!/bin/sh
# deliver.sh USER - Sendmail's local mailer here: stdin into the Maildir.
f="$maildir/tmp/\$\$.\$(date +%s%N)"
cat >"\$f" && mv "\$f" "$maildir/new/"
EOF
	chmod 755 "$run/deliver.sh"
	m4 -D_CF_DIR_="$CFDIR/" "$CFDIR/m4/cf.m4" "$run/sendmail.mc" >"$run/sendmail.cf" 2>"$run/m4.err" ||
		{ echo "Bail out! m4 failed"; sed 's/^/# /' "$run/m4.err"; exit 1; }
	xline="Xauthmilter, $(echo "$line" | sed "s/^INPUT_MAIL_FILTER(.authmilter., .//; s/')\(dnl\)*\$//")"
	check "$kind: sendmail.cf has the README's filter ($xline)" 'grep -qxF "$xline" "$run/sendmail.cf"'
	if [ "$kind" = inet ]; then
		# With the private cf: its hosts file, no DNS for the host name.
		version=$(sm -d0.1 -bt </dev/null 2>&1 | tee "$tmp/version.out" | sed -n 's/^Version \([0-9.]*\).*/\1/p')
		echo "# Sendmail $version, unpacked from $(cd "$tmp/pkg" && ls | tr '\n' ' ')"
		check "Sendmail is 8.17 ($version), built with MILTER" \
			'case "$version" in 8.17.*) true ;; *) false ;; esac && grep -qw MILTER "$tmp/version.out"'
	fi
	sm -bi >"$run/newaliases.out" 2>&1 || { echo "Bail out! newaliases"; cat "$run/newaliases.out"; exit 1; }
	# exec: $! is then Sendmail's own PID (unshare and sh exec too).
	(exec unshare --uts sh -c 'hostname mx.wire.example && exec "$@"' sm \
		"$SENDMAIL" -C "$run/sendmail.cf" -bD -q30m) >"$run/sendmail.out" 2>&1 &
	smpid=$!
	"$PY" "$src/helper.py" wait "$sport" 20 "$smpid" ||
		{ echo "Bail out! Sendmail did not start"; sed 's/^/# /' "$run/sendmail.out"; exit 1; }
	: >"$run/fates"

	name=pass
	send 127.0.2.10 mail.pass.wire.example bounce@pass.wire.example pass.eml
	expect_delivered "$kind: aligned SPF pass, p=reject" "spf=pass dmarc=pass header.from=pass.wire.example" \
		spf=pass spf.smtp.mailfrom=pass.wire.example dmarc=pass dmarc.header.from=pass.wire.example
	fate delivered
	pass_qid=$qid
	check "$kind: our A-R is above Sendmail's Received field (added at the top)" \
		'awk "/^Authentication-Results: mx.wire.example;/ { print \"ar\"; exit } /^Received:/ { print \"rcvd\"; exit }" "$file" | grep -qx ar'

	name=forged
	send 127.0.2.10 mail.pass.wire.example bounce@pass.wire.example forged-ar.eml
	expect_delivered "$kind: forged Authentication-Results" \
		"both claiming mx.wire.example removed, other.example's kept, ours added" \
		count:mx.wire.example=1 count:other.example=1 dmarc=pass \
		"absent:header.from=reject.wire.example" "absent:MX.WIRE.EXAMPLE."
	fate delivered

	name=dkim
	send 127.0.2.77 mail.list.wire.example bounce@list.wire.example signed-pass.eml
	expect_delivered "$kind: DKIM (relaxed) signed by python3-dkim" \
		"dkim=pass header.d=signed.wire.example, spf=fail, dmarc=pass" \
		dkim=pass dkim.header.d=signed.wire.example spf=fail dmarc=pass
	fate delivered

	# simple/simple over "To:bob@..." and "Subject:<TAB>...": the header
	# bytes must reach the milter as sent.
	name=simple
	send 127.0.2.77 mail.list.wire.example bounce@list.wire.example signed-simple.eml
	expect_delivered "$kind: DKIM simple/simple, unusual blanks after the colons" \
		"dkim=pass dmarc=pass (header bytes kept)" dkim=pass dkim.header.d=signed.wire.example dmarc=pass
	fate delivered

	name=reject
	send 127.0.2.99 mx.other.wire.example ceo@reject.wire.example reject.eml
	expect_rejected "$kind: unaligned, p=reject, RejectText" "DMARC reject for reject.wire.example: not accepted here"

	name=unusable
	send 127.0.2.99 mx.other.wire.example bounce@mx.other.wire.example double-angle.eml
	expect_rejected "$kind: From \"Billing <billing@reject.wire.example>>\": unusable, rejected" \
		"message not RFC 5322 compliant: unusable From field"

	name=quar
	send 127.0.2.99 mx.other.wire.example x@quar.wire.example quar.eml
	case "$reply" in
	250*) ok "$kind: p=quarantine: accepted ($reply)" ;;
	*) notok "$kind: p=quarantine: accepted (got: ${reply:-no reply})" ;;
	esac
	quar_qid=$qid
	reason=$(quarantined "$qid")
	check "$kind: p=quarantine: in Sendmail's quarantine, mailq -qQ gives authmilter's reason ($reason)" \
		'[ -n "$qid" ] && echo "$reason" | grep -q "QUARANTINE: DMARC policy of quar.wire.example is quarantine"'
	check "$kind: p=quarantine: not delivered" '! "$PY" "$src/helper.py" find "$maildir" "$qid" 1'
	queued_header "$qid" >"$run/quar.header"
	if ar_check "$run/quar.header" dmarc=fail dmarc.header.from=quar.wire.example dmarc.policy.dmarc=quarantine; then
		ok "$kind: p=quarantine: the held copy's A-R says dmarc=fail policy.dmarc=quarantine"
	else
		notok "$kind: p=quarantine: the held copy's A-R says dmarc=fail policy.dmarc=quarantine"
	fi
	# The README's release: "sendmail -qQ -Q -qIQUEUEID", then a queue run.
	sm -qQ -Q -qI"$qid" >"$run/release.out" 2>&1
	sm -q -qI"$qid" >>"$run/release.out" 2>&1
	check "$kind: released (sendmail -qQ -Q -qI$qid, then a queue run): delivered" \
		'[ -n "$qid" ] && [ -z "$(quarantined "$qid")" ] && file=$(delivered) && ar_check "$file" dmarc.policy.dmarc=quarantine'
	fate delivered

	name=ignored
	send 127.0.2.250 trusted.wire.example ceo@reject.wire.example reject.eml
	expect_delivered "$kind: a client in IgnoreHosts" "not evaluated: no Authentication-Results of ours" \
		count:mx.wire.example=0
	fate delivered

	name=authenticated
	send 127.0.2.251 mx.other.wire.example ceo@reject.wire.example reject.eml
	expect_delivered "$kind: an authenticated client ({auth_authen} alice, set by the .mc's rule)" \
		"not evaluated: no Authentication-Results of ours" count:mx.wire.example=0
	fate delivered
	check "$kind: the milter logged the skip with the queue id" \
		'[ -n "$qid" ] && grep -q "^authmilter\[info\]: $qid: ip=[^ ]* mail_from=<[^>]*> action=accept skipped=\"authenticated client" "$run/milter.log"'

	check "$kind: the milter logs Sendmail's queue id ($pass_qid)" \
		'[ -n "$pass_qid" ] && grep -q "^authmilter\[info\]: $pass_qid: ip=127.0.2.10 " "$run/milter.log"'
	check "$kind: its history record has qid=$pass_qid" \
		'[ -n "$pass_qid" ] && grep -q "^AMH1.* qid=$pass_qid\( \|\$\)" "$run/lib/history"'
	check "$kind: the quarantined message's record has qid=$quar_qid and disp=quarantine" \
		'[ -n "$quar_qid" ] && grep -q "^AMH1.* disp=quarantine .*qid=$quar_qid\( \|\$\)" "$run/lib/history"'

	# QuarantineHeader instead of the hold: loaded by SIGHUP.
	write_conf no
	rl_was=$(grep -c "configuration reloaded" "$run/milter.log")
	kill -HUP "$mpid"
	check "$kind: SIGHUP: HoldQuarantinedMessages no loaded" \
		'wait_for 10 "[ \$(grep -c \"configuration reloaded\" \"$run/milter.log\") -gt $rl_was ]"'
	name=quarheader
	send 127.0.2.99 mx.other.wire.example x@quar.wire.example quar.eml
	expect_delivered "$kind: p=quarantine, HoldQuarantinedMessages no" \
		"delivered with dmarc=fail policy.dmarc=quarantine" dmarc=fail dmarc.policy.dmarc=quarantine
	fate delivered
	check "$kind: ... with the QuarantineHeader, not in the quarantine" \
		'[ -n "$file" ] && grep -qx "X-Authmilter-Quarantine: yes" "$file" && [ -z "$(quarantined "$qid")" ]'

	# The DNS server gone: a fresh domain's SPF and DMARC lookups time out.
	echo drop >"$tmp/dnsmode"
	name=dnsfail
	send 127.0.2.99 mx.other.wire.example x@none.wire.example none.eml
	echo pass >"$tmp/dnsmode"
	case "$reply" in
	"451 4.7.1 "*) ok "$kind: DNS gone: 451 4.7.1 ($reply)" ;;
	*) notok "$kind: DNS gone: 451 4.7.1 (got: ${reply:-no reply})"; sed 's/^/# /' "$run/$name.swaks" ;;
	esac
	check "$kind: DNS gone: nothing queued or delivered" \
		'[ "$(count_mail)" -eq "$mail_was" ] && [ "$(count_queue)" -eq "$queue_was" ]'

	# F=T: the milter killed in the middle of a session, then down.
	mail_was=$(count_mail)
	queue_was=$(count_queue)
	"$PY" "$src/helper.py" midkill "$sport" "$mpid" bounce@pass.wire.example bob@rcpt.example \
		"$wire/messages/pass.eml" 127.0.2.10 >"$run/midkill.out" 2>&1
	check "$kind: milter killed (SIGKILL) mid-session" 'wait_for 5 "! kill -0 $mpid 2>/dev/null"'
	wait "$mpid" 2>/dev/null
	mpid=""
	reply=$(tail -1 "$run/midkill.out")
	case "$reply" in
	451*) ok "$kind: F=T, milter killed: the end of data gets 451 ($reply)" ;;
	*) notok "$kind: F=T, milter killed: the end of data gets 451 (got: $reply)"; sed 's/^/# /' "$run/midkill.out" ;;
	esac
	name=down
	send 127.0.2.10 mail.pass.wire.example bounce@pass.wire.example pass.eml
	case "$reply" in
	451*) ok "$kind: F=T, milter down: a new session gets 451 ($reply)" ;;
	*) notok "$kind: F=T, milter down: a new session gets 451 (got: ${reply:-no reply})"; sed 's/^/# /' "$run/$name.swaks" ;;
	esac
	check "$kind: milter down: nothing queued or delivered unchecked" \
		'[ "$(count_mail)" -eq "$mail_was" ] && [ "$(count_queue)" -eq "$queue_was" ]'

	write_conf yes
	check "$kind: milter restarted (over the dead one's socket and PidFile)" 'start_milter'
	name=resend
	send 127.0.2.10 mail.pass.wire.example bounce@pass.wire.example pass.eml
	expect_delivered "$kind: after the restart, resent" "spf=pass dmarc=pass" spf=pass dmarc=pass
	fate delivered

	# Every message Sendmail accepted is in the Maildir, and nothing else
	# is there or in the queue.
	lost=""
	while read -r q f; do
		"$PY" "$src/helper.py" find "$maildir" "$q" 5 >/dev/null || lost="$lost $q"
	done <"$run/fates"
	check "$kind: every accepted message was delivered${lost:+ (missing:$lost)}" '[ -z "$lost" ]'
	check "$kind: the mailbox holds exactly those $(wc -l <"$run/fates")" \
		'[ "$(count_mail)" -eq "$(wc -l <"$run/fates")" ]'
	check "$kind: Sendmail's queue is empty" '[ "$(count_queue)" -eq 0 ]'

	check "$kind: Sendmail stopped, no process left in its queue directory" 'stop_sendmail'
	check "$kind: milter stopped on SIGTERM" 'stop_milter && tail -1 "$run/milter.log" | grep -q "stopped"'
	if [ "$fail" -ne 0 ]; then
		echo "# milter log ($kind):"; sed 's/^/# /' "$run/milter.log" | tail -30
	fi
}

# fate WHERE - note where the message Sendmail accepted as $qid must end up.
fate() { [ -n "$qid" ] && echo "$qid $1" >>"$run/fates"; }

run_cases inet
run_cases local
echo "1..$n"
[ "$fail" -eq 0 ]
