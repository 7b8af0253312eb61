# lib.sh - what the end-to-end tests (tests/e2e/postfix.sh and sendmail.sh)
# share, sourced after they set src, tmp and PY.  TAP output.
#
#   ok TEXT / notok TEXT / check TEXT CONDITION
#       one TAP line; check evals CONDITION; $n counts lines, $fail failures
#   skip_or_bail WHY
#       a missing prerequisite: "1..0 # SKIP", but "Bail out!" under CI=true
#   wait_for SECONDS CONDITION
#       poll CONDITION (eval'ed) every 0.1 s; its status at the end
#   start_milter
#       start the daemon ($milter) as root with the configuration $mconf,
#       its log appended to $mlog; wait until $mwait (a port or a socket
#       path) accepts a connection and the log says it listens (after the
#       privileges are dropped and its engines made); sets mpid
#   stop_milter
#       SIGTERM to $mpid and wait for it (5 s, then SIGKILL); 0 when
#       SIGTERM was enough
#   swaks_reply FILE
#       the last SMTP reply of a swaks transcript before QUIT's 221 (the
#       answer to the end of data, or the earlier refusal), without "<- "
#   ar_check FILE CHECK...
#       helper.py's checks of the Authentication-Results fields in FILE
#       against ours (mx.wire.example), its report printed as TAP comments
#   expect_delivered LABEL WHAT CHECK... / expect_rejected LABEL TEXT
#       after a send: 250 and the message (found by the test's "delivered"
#       function) passes ar_check; or "550 5.7.1 TEXT" and neither the
#       test's "count_mail" nor its "count_queue" changed since send noted
#       them in $mail_was and $queue_was ($name names the case's transcript)
# shellcheck shell=sh disable=SC2154 # src, tmp, PY, milter, name, reply...: the test's
n=0
fail=0
mpid=""
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

skip_or_bail() {
	[ "${CI:-}" = true ] && { echo "Bail out! $1 (run tests/deps.sh as root)"; exit 1; }
	echo "1..0 # SKIP $1 (run tests/deps.sh as root)"
	exit 0
}

wait_for() {
	wf_i=0
	while [ $wf_i -lt $(($1 * 10)) ]; do
		eval "$2" && return 0
		sleep 0.1; wf_i=$((wf_i + 1))
	done
	eval "$2"
}

start_milter() {
	ml_was=$(grep -c "listening on" "$mlog" 2>/dev/null)
	"$milter" -f -c "$mconf" 2>>"$mlog" &
	mpid=$!
	"$PY" "$src/helper.py" wait "$mwait" 10 "$mpid" &&
		wait_for 10 '[ "$(grep -c "listening on" "$mlog")" -gt "${ml_was:-0}" ]'
}

stop_milter() {
	[ -n "$mpid" ] || return 0
	kill -TERM "$mpid" 2>/dev/null
	i=0
	while [ $i -lt 50 ] && kill -0 "$mpid" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	rc=0
	kill -9 "$mpid" 2>/dev/null && rc=1
	wait "$mpid" 2>/dev/null
	mpid=""
	return $rc
}

swaks_reply() {
	grep -E '^(<-|<\*\*) +[0-9]{3}[ -]' "$1" | grep -v ' 221 ' | tail -1 | sed 's/^<[-*]*  *//'
}

ar_check() {
	f=$1; shift
	"$PY" "$src/helper.py" ar "$f" mx.wire.example "$@" >"$tmp/ar.out" 2>&1
	rc=$?
	sed 's/^# //; s/^/# /' "$tmp/ar.out"
	return $rc
}

expect_delivered() {
	label=$1 what=$2; shift 2
	case "$reply" in
	250*) ok "$label: accepted ($reply)" ;;
	*) notok "$label: accepted (got: ${reply:-no reply})"; sed 's/^/# /' "$tmp/$name.swaks" ;;
	esac
	file=$(delivered)
	if [ -n "$file" ]; then ok "$label: delivered to the mailbox"; else notok "$label: delivered to the mailbox"; fi
	if [ -n "$file" ] && ar_check "$file" "$@"; then
		ok "$label: $what"
	else
		notok "$label: $what"
	fi
}

expect_rejected() {
	case "$reply" in
	"550 5.7.1 $2"*) ok "$1: 550 5.7.1 at end of data ($reply)" ;;
	*) notok "$1: 550 5.7.1 $2 (got: ${reply:-no reply})"; sed 's/^/# /' "$tmp/$name.swaks" ;;
	esac
	check "$1: nothing queued or delivered" \
		'[ "$(count_mail)" -eq "$mail_was" ] && [ "$(count_queue)" -eq "$queue_was" ]'
}
