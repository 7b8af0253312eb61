#!/bin/sh
# postfix.sh - end-to-end test: real Postfix -> authmilter -> mailbox.
#
# Starts, all on 127.0.0.1 at free high ports and under one temporary
# directory: a private nsd serving tests/wire/wire.zone plus the DKIM key
# tests/wire/sign.py makes (and the ARC sealers' keys of tests/wire/arc_seal.py);
# authmilter resolving through it, started as init/authmilter.service starts
# it ("authmilter -f" as root) and running as nobody:nogroup (UserID), with a
# PidFile, a local: socket and a HistoryFile (their owners and modes, and the
# process's ids, are checked); a private
# Postfix instance (postfix -c DIR start-fg) whose smtpd uses authmilter
# through that socket (smtpd_milters, milter_default_action = tempfail) and
# delivers the virtual
# domain rcpt.example into one Maildir.  swaks sends the messages of
# tests/wire/messages, presenting 192.0.2.x client addresses with Postfix's
# XCLIENT (so the wire zone's SPF records apply unchanged); what arrives is
# read from the Maildir (or Postfix's hold queue) and its
# Authentication-Results fields parsed by python3-authres
# (tests/e2e/helper.py).  Then the milter is killed with SIGKILL in the
# middle of a session: the client must get a 4xx and nothing may be queued
# or delivered (waited for: Postfix's log of the refusals, then its queue);
# after a restart the message goes through.
#
# TAP output.  Needs root (Postfix); without root or the tools it skips,
# but under CI=true that is a failure.  E2E_KEEP=1 keeps the temporary
# directory (logs, mailbox, swaks transcripts) for a look afterwards.
# Stops only what it started: Postfix with "postfix -c DIR stop" and the
# master's PID, the milter and nsd by PID, and any process still working
# in the private queue directory by PID.  Touches nothing of the system's
# Postfix, /etc/postfix included (see tests/e2e/README.md).
# shellcheck disable=SC2016,SC2034 # check's second argument is eval'ed later
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
src="$top_srcdir/tests/e2e"
wire="$top_srcdir/tests/wire"
milter="$top_builddir/milter/authmilter"
# Debian's python3 has python3-authres and python3-dkim; another python3
# first in PATH may not.
PY=/usr/bin/python3
PATH="$PATH:/usr/sbin:/sbin"
# ok, notok, check, skip_or_bail, wait_for, start_milter, stop_milter, swaks_reply,
# ar_check, expect_delivered, expect_rejected
. "$src/lib.sh"
for tool in postfix postqueue postcat swaks nsd openssl "$PY"; do
	command -v "$tool" >/dev/null 2>&1 || skip_or_bail "$tool not installed"
done
"$PY" -c 'import authres, dkim' 2>/dev/null || skip_or_bail "python3-authres or python3-dkim missing"
[ "$(id -u)" -eq 0 ] || skip_or_bail "a private Postfix needs root"
[ -x "$milter" ] || { echo "Bail out! $milter not built"; exit 1; }
if ! id nobody >/dev/null 2>&1 || ! getent group nogroup >/dev/null || ! getent group postfix >/dev/null; then
	echo "Bail out! no user nobody, or no group nogroup or postfix"; exit 1
fi

# Under /tmp, not $TMPDIR: the Postfix daemons (user postfix) and the
# virtual delivery agent (user nobody) must reach the queue, data and mail
# directories below it, so every directory on the way must let them pass.
tmp=$(mktemp -d /tmp/authmilter-e2e.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
chmod 755 "$tmp"
pf="$tmp/postfix"
conf="$pf/conf"
queue="$pf/queue"
maildir="$pf/mail/inbox"
# The private Postfix instance: pf_init, pf_start, pf_stop (and the queue
# and master PID helpers they use).
. "$top_srcdir/tests/common/private_postfix.sh"

cleanup() {
	pf_stop
	stop_milter
	sh "$top_srcdir/tests/dns/nsd-stop.sh" "$tmp/nsd"
	if [ -n "${E2E_KEEP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---------------------------------------------------------------- DNS
"$PY" "$wire/sign.py" "$tmp" "$wire" || { echo "Bail out! signing failed"; exit 1; }
"$PY" "$src/helper.py" sign "$tmp/dkim.pem" "$src/messages/signed-simple.eml" \
	"$tmp/signed-simple.eml" || { echo "Bail out! signing failed"; exit 1; }
"$PY" "$wire/arc_seal.py" "$tmp" || { echo "Bail out! ARC sealing failed"; exit 1; }
cat "$wire/wire.zone" "$tmp/keys.zone" "$tmp/arc.zone" >"$tmp/zone"
nsport=$(sh "$top_srcdir/tests/dns/nsd-start.sh" "$tmp/nsd" "$tmp/zone" example) ||
	{ echo "Bail out! cannot start nsd"; exit 1; }

# ---------------------------------------------------------------- milter
# As an administrator sets it up (tests/e2e/README.md): the daemon starts as
# root and runs as nobody:nogroup (UserID), with no share in Postfix's
# group.  Its socket and PidFile are in a directory of its own ($mdir, like
# /run/authmilter), owned by nobody so that the daemon can remove them at
# exit, group postfix, mode 0750: the directory decides who reaches the
# socket (root, nobody, and Postfix's processes by their group), and UMask
# 000 leaves the socket itself open to them, as Postfix's own public/
# directory does.  The HistoryFile is in a directory of nobody's ($mlib,
# like /var/lib/authmilter).
muid=$(id -u nobody)
mgid=$(getent group nogroup | cut -d: -f3)
pfgid=$(getent group postfix | cut -d: -f3)
mdir="$tmp/milter" mlib="$tmp/lib"
mkdir "$mdir" "$mlib"
chown nobody:postfix "$mdir"
chown nobody:nogroup "$mlib"
chmod 750 "$mdir" "$mlib"
msock="$mdir/authmilter.sock" mpidf="$mdir/authmilter.pid" hist="$mlib/history"
# start_milter (lib.sh) starts it with these.
mconf="$tmp/authmilter.conf" mlog="$tmp/milter.log" mwait=$msock
mspec="unix:$msock"
# IgnoreHosts: Postfix itself connects from 127.0.0.1, but after XCLIENT it
# tells the milter (a new connect event) the address XCLIENT presented, so
# the default (127.0.0.1, ::1) would do; 192.0.2.250 stands for a trusted
# host, to see a skipped message go through.
cat >"$tmp/authmilter.conf" <<CONF
# end-to-end test configuration
Socket			local:$msock
UserID			nobody:nogroup
PidFile			$mpidf
UMask			000
AuthservID		mx.wire.example
Nameservers		127.0.0.1@$nsport
DNSTimeout		3
Syslog			no
HoldQuarantinedMessages	yes
HistoryFile		$hist
IgnoreHosts		192.0.2.250
ARCTrustedSealers	lists.wire.example
CONF

# ids_of FILE - "UID GID" from a /proc status file when its real,
# effective, saved and file-system ids all agree, else its Uid: and Gid:
# lines in brackets.
ids_of() {
	awk '/^Uid:/ { u = ($2 == $3 && $3 == $4 && $4 == $5) ? $2 : "(" $2 " " $3 " " $4 " " $5 ")" }
	     /^Gid:/ { g = ($2 == $3 && $3 == $4 && $4 == $5) ? $2 : "(" $2 " " $3 " " $4 " " $5 ")" }
	     END { print u " " g }' "$1" 2>/dev/null
}

# milter_ids - the milter's and each thread's ids, one line each, deduplicated.
milter_ids() {
	for f in /proc/"$mpid"/status /proc/"$mpid"/task/*/status; do ids_of "$f"; done | sort -u
}

# check_milter_files WHEN - the milter's PidFile, ids and socket.
check_milter_files() {
	check "$1: the milter runs as nobody:nogroup, every thread ($(milter_ids | tr '\n' ' '))" \
		'[ -n "$mpid" ] && [ "$(milter_ids)" = "$muid $mgid" ]'
	check "$1: its PidFile holds its PID, root's, mode 0644 ($(stat -c '%U:%G %a' "$mpidf" 2>&1))" \
		'[ "$(cat "$mpidf" 2>/dev/null)" = "$mpid" ] && [ "$(stat -c "%u:%g %a" "$mpidf")" = "0:0 644" ]'
	check "$1: its socket is nobody:nogroup 0777 (UMask 000) in nobody:postfix 0750 ($(stat -c '%U:%G %a' "$msock" "$mdir" 2>&1 | tr '\n' ' '))" \
		'[ -S "$msock" ] && [ "$(stat -c "%u:%g %a" "$msock")" = "$muid:$mgid 777" ] &&
		 [ "$(stat -c "%u:%g %a" "$mdir")" = "$muid:$pfgid 750" ]'
}
start_milter || { echo "Bail out! the milter does not listen"; cat "$tmp/milter.log"; exit 1; }
check_milter_files "started as root"
# Who may connect: the socket's directory lets group postfix through,
# anyone else (here the user daemon) is stopped before the socket.
connect_as() {
	runuser -u "$1" -- "$PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])' "$msock" 2>"$tmp/connect.err"
}
check "Postfix's user can connect to the milter's socket" 'connect_as postfix'
check "a user outside group postfix cannot ($(connect_as daemon; tail -1 "$tmp/connect.err"))" \
	'! connect_as daemon && grep -q PermissionError "$tmp/connect.err"'

# ---------------------------------------------------------------- Postfix
sport=$("$PY" "$src/helper.py" port)
pf_init "$pf" mx.wire.example rcpt.example || { echo "Bail out! cannot lay out $pf"; exit 1; }
cat >>"$conf/main.cf" <<CONF
smtpd_peername_lookup = no
smtpd_authorized_xclient_hosts = 127.0.0.1
smtpd_milters = $mspec
non_smtpd_milters =
milter_default_action = tempfail
# An MX for mail from elsewhere: swaks connects from 127.0.0.1 (an
# inet_interfaces address, "local" to Postfix's default), so that Postfix
# does not add a missing From or append @myorigin to a From without domain.
local_header_rewrite_clients =
CONF
# The smtpd listens on 127.0.0.1 only.
echo "127.0.0.1:$sport inet n - n - - smtpd" >>"$conf/master.cf"
pf_start "$tmp/postfix.log"
if ! "$PY" "$src/helper.py" wait "$sport" 20 "$pf_fg_pid"; then
	echo "Bail out! Postfix did not start:"
	sed 's/^/# /' "$tmp/postfix.log"
	exit 1
fi

# ---------------------------------------------------------------- helpers
# send IP HELO MAILFROM MESSAGE - one message ($name names the case)
# through Postfix with swaks, XCLIENT presenting IP (and $xclient_extra
# added to the swaks options).  Sets $reply (the last reply before QUIT's
# 221: the answer to the end of data, or the earlier refusal) and $qid.
# Notes the counts of the mailbox and the queue before, for expect_rejected.
xclient_extra=""
send() {
	mail_was=$(count_mail)
	queue_was=$(count_queue)
	msg="$tmp/$4"
	[ -f "$msg" ] || msg="$wire/messages/$4"
	# shellcheck disable=SC2086 # $xclient_extra is zero or more options
	timeout 60 swaks --server 127.0.0.1 --port "$sport" --timeout 30 \
		--helo "$2" --xclient-addr "$1" --xclient-name "[UNAVAILABLE]" \
		$xclient_extra --from "$3" --to bob@rcpt.example --data "@$msg" >"$tmp/$name.swaks" 2>&1
	reply=$(swaks_reply "$tmp/$name.swaks")
	qid=$(echo "$reply" | sed -n 's/^250 .*queued as \([0-9A-Za-z]*\).*/\1/p')
}

# delivered - the Maildir file of $qid (waits 15 s), or nothing.
delivered() {
	[ -n "$qid" ] && "$PY" "$src/helper.py" find "$maildir" "$qid" 15
}

# count_mail - messages in the Maildir.
count_mail() {
	ls "$maildir/new" 2>/dev/null | wc -l
}

# queue_json - Postfix's queue, one JSON object a line.
queue_json() {
	postqueue -c "$conf" -j 2>/dev/null
}

# count_queue - messages in Postfix's queue.
count_queue() {
	queue_json | wc -l
}

# held - is $qid in the hold queue?
held() {
	[ -n "$qid" ] && queue_json | grep "\"queue_id\": *\"$qid\"" | grep -q '"queue_name": *"hold"'
}

# expect_held NAME WHAT CHECK... - 250, in the hold queue, not delivered,
# and the A-R field of the held copy (postcat) checked.
expect_held() {
	label=$1 what=$2; shift 2
	case "$reply" in
	250*) ok "$label: accepted ($reply)" ;;
	*) notok "$label: accepted (got: ${reply:-no reply})"; sed 's/^/# /' "$tmp/$name.swaks" ;;
	esac
	i=0
	while [ $i -lt 50 ] && ! held; do sleep 0.1; i=$((i + 1)); done
	check "$label: in Postfix's hold queue" 'held'
	check "$label: not delivered" '! "$PY" "$src/helper.py" find "$maildir" "$qid" 0'
	postcat -c "$conf" -hq "$qid" >"$tmp/$name.held" 2>/dev/null
	if [ -s "$tmp/$name.held" ] && ar_check "$tmp/$name.held" "$@"; then
		ok "$label: $what"
	else
		notok "$label: $what"
	fi
}

# ---------------------------------------------------------------- messages
# Each case: what swaks was told, where the message went, and what our
# Authentication-Results field (parsed by python3-authres) says.
# fate WHERE - note where the message Postfix accepted as $qid must end up
# ("delivered" or "held"), for the accounting at the end.
: >"$tmp/fates"
fate() {
	[ -n "$qid" ] && echo "$qid $1" >>"$tmp/fates"
}
before=$(count_mail)

name=pass
send 192.0.2.10 mail.pass.wire.example bounce@pass.wire.example pass.eml
expect_delivered "aligned SPF pass, p=reject" "spf=pass dmarc=pass header.from=pass.wire.example" \
	spf=pass spf.smtp.mailfrom=pass.wire.example dmarc=pass dmarc.header.from=pass.wire.example
fate delivered
pass_qid=$qid

name=none
send 192.0.2.99 mx.other.wire.example x@none.wire.example none.eml
expect_delivered "SPF fail, p=none" "spf=fail dmarc=fail policy.dmarc=none" \
	spf=fail dmarc=fail dmarc.header.from=none.wire.example dmarc.policy.dmarc=none
fate delivered

name=reject
send 192.0.2.99 mx.other.wire.example ceo@reject.wire.example reject.eml
expect_rejected "unaligned, p=reject" "rejected by DMARC policy for reject.wire.example"

name=quar
send 192.0.2.99 mx.other.wire.example x@quar.wire.example quar.eml
expect_held "p=quarantine" "dmarc=fail policy.dmarc=quarantine" \
	dmarc=fail dmarc.header.from=quar.wire.example dmarc.policy.dmarc=quarantine
fate held

name=testing
send 192.0.2.99 mx.other.wire.example x@testing.wire.example testing.eml
expect_held "p=reject; t=y (policy_test_mode: quarantine)" \
	"dmarc=fail policy.dmarc=quarantine, override=policy_test_mode" \
	dmarc=fail dmarc.header.from=testing.wire.example dmarc.policy.dmarc=quarantine \
	text:override=policy_test_mode
fate held
check "p=reject; t=y: the override policy_test_mode is recorded" \
	'grep -q "hfrom=testing.wire.example.*override=policy_test_mode" "$hist"'

name=multi
send 192.0.2.10 mail.pass.wire.example bounce@pass.wire.example multi-from.eml
expect_rejected "two From domains (pass and reject): strictest wins" \
	"rejected by DMARC policy for reject.wire.example"

# RejectUnusableFrom (default yes): a From field a reader shows as the
# bank's address but DMARC cannot read, from the attacker's own server.
name=double_angle
send 192.0.2.99 mx.other.wire.example bounce@mx.other.wire.example double-angle.eml
expect_rejected "From \"Billing <billing@reject.wire.example>>\": unusable, rejected" \
	"message not RFC 5322 compliant: unusable From field: unparseable"

name=encoded_from
send 192.0.2.99 mx.other.wire.example bounce@mx.other.wire.example encoded-from.eml
expect_rejected "From of one RFC 2047 word hiding billing@reject.wire.example: rejected" \
	"message not RFC 5322 compliant: unusable From field: unparseable"

name=no_from
send 192.0.2.10 mail.pass.wire.example bounce@pass.wire.example no-from.eml
expect_rejected "no From field: rejected" "message not RFC 5322 compliant: no From field"

name=forged
send 192.0.2.10 mail.pass.wire.example bounce@pass.wire.example forged-ar.eml
expect_delivered "forged Authentication-Results" \
	"both claiming mx.wire.example removed, other.example's kept, ours added" \
	count:mx.wire.example=1 count:other.example=1 dmarc=pass \
	"absent:header.from=reject.wire.example" "absent:MX.WIRE.EXAMPLE."
fate delivered

name=dkim
send 192.0.2.77 mail.list.wire.example bounce@list.wire.example signed-pass.eml
expect_delivered "DKIM signed by python3-dkim, relayed by a list host" \
	"dkim=pass header.d=signed.wire.example, spf=fail, dmarc=pass" \
	dkim=pass dkim.header.d=signed.wire.example spf=fail dmarc=pass \
	dmarc.header.from=signed.wire.example
fate delivered

# c=simple/simple over "To:bob@..." and "Subject:<TAB>...": passes only if
# the milter gets the header bytes as sent (SMFIP_HDR_LEADSPC), not a value
# stripped of its leading blank and rebuilt with one space.
name=simple
send 192.0.2.77 mail.list.wire.example bounce@list.wire.example signed-simple.eml
expect_delivered "DKIM simple/simple, unusual blanks after the colons" \
	"dkim=pass dmarc=pass (header bytes kept)" dkim=pass dkim.header.d=signed.wire.example dmarc=pass
fate delivered
check "DKIM simple/simple: python3-dkim verifies the message as sent" \
	'"$PY" "$src/helper.py" verify "$tmp/keys.zone" "$tmp/signed-simple.eml"'

name=tampered
send 192.0.2.77 mail.list.wire.example bounce@list.wire.example signed-tampered.eml
expect_rejected "DKIM signed, body changed after signing, p=reject" \
	"rejected by DMARC policy for signed.wire.example"

# ARC (tests/wire/arc_seal.py): the author's DKIM broken by a mailing list
# whose SPF does not align, the list's chain sealed by python3-dkim.
name=arc_trusted
send 192.0.2.30 mx.lists.wire.example bounce@list.wire.example arc-trusted.eml
expect_delivered "DMARC fails but a trusted sealer's ARC chain vouches (trusted_forwarder)" \
	"arc=pass, dmarc=fail policy.dmarc=none, override trusted_forwarder" \
	arc=pass arc.smtp.remote-ip=192.0.2.30 arc.header.oldest-pass=0 dmarc=fail \
	dmarc.header.from=signed.wire.example dmarc.policy.dmarc=none \
	text:override=trusted_forwarder text:d=lists.wire.example\)
fate delivered
check "ARC trusted_forwarder: the history record carries the override and the sealer" \
	'grep -q "^AMH1\.1 .*hfrom=signed.wire.example .*disp=none .*override=trusted_forwarder .*arc=pass,1,lists.wire.example" "$hist"'

name=arc_untrusted
send 192.0.2.30 mx.lists.wire.example bounce@list.wire.example arc-untrusted.eml
expect_rejected "the same chain sealed by an untrusted sealer" \
	"rejected by DMARC policy for signed.wire.example"

name=arc_replay
send 192.0.2.30 mx.lists.wire.example bounce@list.wire.example arc-replay.eml
expect_rejected "the trusted sets replayed over another body and resealed (oldest-pass 2)" \
	"rejected by DMARC policy for signed.wire.example"

name=ignored
send 192.0.2.250 trusted.wire.example ceo@reject.wire.example reject.eml
expect_delivered "a client in IgnoreHosts" "not evaluated: no Authentication-Results of ours" \
	count:mx.wire.example=0
fate delivered
# Postfix names the queue id after the first RCPT: the skip is logged once,
# at the end of the message, with it.
check "... its one skip line carries Postfix's queue id ($qid)" \
	'[ -n "$qid" ] && [ "$(grep -c "^authmilter\[info\]: $qid: ip=192.0.2.250 mail_from=<ceo@reject.wire.example> action=accept skipped=\"client in IgnoreHosts\"" "$tmp/milter.log")" = 1 ]'

# XCLIENT LOGIN makes Postfix's {auth_authen} macro say the client logged in.
name=authenticated
xclient_extra="--xclient-login alice"
send 192.0.2.99 mx.other.wire.example ceo@reject.wire.example reject.eml
xclient_extra=""
expect_delivered "an authenticated client (SASL login alice)" \
	"not evaluated: no Authentication-Results of ours" count:mx.wire.example=0
fate delivered
check "... its one skip line carries Postfix's queue id ($qid)" \
	'[ -n "$qid" ] && [ "$(grep -c "^authmilter\[info\]: $qid: ip=192.0.2.99 .* skipped=\"authenticated client (IgnoreAuthenticatedClients)\"" "$tmp/milter.log")" = 1 ]'

# The daemon's log line and history record of a message carry Postfix's
# queue id.
check "the milter logs Postfix's queue id ($pass_qid)" \
	'[ -n "$pass_qid" ] && grep -q "^authmilter\[info\]: $pass_qid: " "$tmp/milter.log"'
check "its history record has qid=$pass_qid" \
	'[ -n "$pass_qid" ] && grep -q "^AMH1.* qid=$pass_qid\( \|\$\)" "$hist"'
check "the HistoryFile is nobody:nogroup, mode 0640 ($(stat -c '%U:%G %a' "$hist" 2>&1))" \
	'[ "$(stat -c "%u:%g %a" "$hist")" = "$muid:$mgid 640" ]'

# ---------------------------------------------------------------- milter killed
# helper.py midkill: EHLO, XCLIENT, MAIL, RCPT, then SIGKILL to the milter,
# then DATA with the message.
mail_before=$(count_mail)
queue_before=$(queue_json | wc -l)
"$PY" "$src/helper.py" midkill "$sport" "$mpid" bounce@pass.wire.example bob@rcpt.example \
	"$wire/messages/pass.eml" >"$tmp/midkill.out" 2>&1
i=0
while [ $i -lt 50 ] && kill -0 "$mpid" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
if kill -0 "$mpid" 2>/dev/null; then
	notok "milter killed (SIGKILL) mid-session"
	stop_milter
else
	wait "$mpid" 2>/dev/null
	mpid=""
	ok "milter killed (SIGKILL) mid-session"
fi
reply=$(tail -1 "$tmp/midkill.out")
case "$reply" in
4[0-9][0-9]*) ok "mid-session: the end of data gets a temporary failure ($reply)" ;;
*) notok "mid-session: the end of data gets a temporary failure (got: $reply)"
   sed 's/^/# /' "$tmp/midkill.out" ;;
esac

name=down
send 192.0.2.10 mail.pass.wire.example bounce@pass.wire.example pass.eml
case "$reply" in
4[0-9][0-9]*) ok "milter down: a new session gets a temporary failure ($reply)" ;;
*) notok "milter down: a new session gets a temporary failure (got: ${reply:-no reply})"
   sed 's/^/# /' "$tmp/$name.swaks" ;;
esac
# Nothing delivered, nothing queued: no fixed sleep, but the events: Postfix
# logs each session's refusal, then its queue must be back where it was
# (anything taken would be there or, by then, in the mailbox).
check "Postfix logged the milter lost mid-session" \
	'wait_for 10 "grep -q \"warning: milter $mspec: can.t read SMFIC_[A-Z]* reply packet header\" \"$tmp/postfix.log\""'
check "Postfix logged the refused connection to the milter" \
	'wait_for 10 "grep -q \"warning: connect to Milter service $mspec: Connection refused\" \"$tmp/postfix.log\""'
check "Postfix logged both refusals: the killed session's queue file dropped (4.7.1), the next session NOQUEUE (451 4.7.1)" \
	'wait_for 10 "grep -q \"milter-reject: END-OF-MESSAGE from unknown\[192.0.2.10\]: 4.7.1 \" \"$tmp/postfix.log\" &&
	 grep -q \"NOQUEUE: milter-reject: [A-Z]* from unknown\[192.0.2.10\]: 451 4.7.1 \" \"$tmp/postfix.log\""'
check "milter killed: nothing queued (the client was told to try again)" \
	'wait_for 10 "[ \$(queue_json | wc -l) -eq $queue_before ]"'
check "milter killed: nothing delivered" '[ "$(count_mail)" -eq "$mail_before" ]'

# The killed milter left its socket and PidFile: the new one replaces both.
check "milter restarted (over the dead one's socket and PidFile)" 'start_milter'
check_milter_files "restarted"
name=resend
send 192.0.2.10 mail.pass.wire.example bounce@pass.wire.example pass.eml
expect_delivered "after the restart, resent" "spf=pass dmarc=pass" spf=pass dmarc=pass \
	dmarc.header.from=pass.wire.example
fate delivered

# ---------------------------------------------------------------- accounting
# Every message Postfix accepted is in the Maildir or the hold queue, and
# nothing else is: nothing lost, nothing extra.
lost=""
while read -r q fate; do
	case "$fate" in
	delivered) "$PY" "$src/helper.py" find "$maildir" "$q" 5 >/dev/null || lost="$lost $q" ;;
	held) qid=$q; held || lost="$lost $q" ;;
	esac
done <"$tmp/fates"
want_mail=$(grep -c ' delivered$' "$tmp/fates")
want_held=$(grep -c ' held$' "$tmp/fates")
check "every accepted message is where it should be${lost:+ (missing:$lost)}" '[ -z "$lost" ]'
check "mailbox holds exactly the $want_mail delivered messages" \
	'[ "$(count_mail)" -eq $((before + want_mail)) ]'
check "queue holds exactly the $want_held held messages" \
	'[ "$(queue_json | wc -l)" -eq "$want_held" ]'

# ---------------------------------------------------------------- stop
check "Postfix stopped, no process left in its queue directory" 'pf_stop'
check "milter stopped on SIGTERM" 'stop_milter && tail -1 "$tmp/milter.log" | grep -q "stopped"'
check "and removed its socket and PidFile" '! [ -e "$msock" ] && ! [ -e "$mpidf" ]'

if [ "$fail" -ne 0 ]; then
	echo "# milter log:"; sed 's/^/# /' "$tmp/milter.log" | tail -40
	echo "# Postfix log:"; sed 's/^/# /' "$tmp/postfix.log" | tail -60
fi
echo "1..$n"
[ "$fail" -eq 0 ]
