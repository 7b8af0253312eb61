#!/bin/sh
# production.sh - the daemon started the way a service starts it: as root,
# with UserID (nobody:nogroup), PidFile, a local: socket under UMask 007 and a
# HistoryFile in a directory of that user's (the layout of
# init/authmilter.tmpfiles: /run/authmilter and /var/lib/authmilter owned by
# the daemon's user, mode 0750).
#
# 1. As init/authmilter.init starts it: "authmilter -c CONF", no -f, so it
#    forks into the background and only the PidFile names it.  Checked: the
#    exit status and standard error of a start that fails (no such UserID,
#    no PidFile directory) and of one that works (ready when it returns), the
#    PidFile (its PID is the one process running CONF; root's, 0644, written
#    in place of a symbolic link the daemon's user could have left there), the
#    real, effective, saved and file-system uid and gid of the process and of
#    every thread (/proc/PID/status and /proc/PID/task/*/status), the
#    supplementary groups, the socket (nobody:nogroup, 0770 from UMask 007),
#    mail through the socket (tests/wire/driver.lua, miltertest), the
#    HistoryFile (nobody:nogroup, 0640, a record per message, made again
#    as nobody after a rotation), and a stop on SIGTERM that removes the
#    socket and the PidFile.
# 2. As init/authmilter.service starts it: "authmilter -f" as root, log on
#    standard error, with the HistoryFile in a directory of root's that
#    nobody cannot write: a log line that names the file, the error and the
#    uid, and mail still flows.
#
# TAP output.  Needs root (to start as root and drop privileges): without it
# the test is skipped, under CI=true that is a failure.  PROD_KEEP=1 keeps
# the temporary directory.  Stops only what it started, by PID.
# shellcheck disable=SC2016 # check's second argument is eval'ed later
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
src="$top_srcdir/tests/wire"
milter="$top_builddir/milter/authmilter"
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

# skip_or_bail WHY - a missing prerequisite: a skip, but a failure under CI.
skip_or_bail() {
	[ "${CI:-}" = true ] && { echo "Bail out! $1"; exit 1; }
	echo "1..0 # SKIP $1"
	exit 0
}

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
PATH="$PATH:/usr/sbin:/sbin"
for tool in miltertest nsd "$PY"; do
	command -v "$tool" >/dev/null 2>&1 || skip_or_bail "$tool not installed (run tests/deps.sh)"
done
[ "$(id -u)" -eq 0 ] ||
	skip_or_bail "not root: the daemon must start as root to drop privileges to UserID"
[ -x "$milter" ] || { echo "Bail out! $milter not built"; exit 1; }
user=nobody group=nogroup
uid=$(id -u "$user" 2>/dev/null)
gid=$(getent group "$group" | cut -d: -f3)
if [ -z "$uid" ] || [ -z "$gid" ]; then
	echo "Bail out! no user $user or group $group"; exit 1
fi

# Under /tmp, not $TMPDIR: nobody must pass every directory on the way to
# its socket and HistoryFile, and mktemp's 0700 directory is opened to 0711
# (traverse, not list).
tmp=$(mktemp -d /tmp/authmilter-prod.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
chmod 711 "$tmp"
run="$tmp/run" lib="$tmp/lib" rootdir="$tmp/rootonly"
mkdir "$run" "$lib" "$rootdir"
chown "$user:$group" "$run" "$lib"
chmod 750 "$run" "$lib"
chmod 755 "$rootdir"
mpid=""

# stop_pid PID - SIGTERM, wait up to 10 s; 0 when it exited.
stop_pid() {
	kill -TERM "$1" 2>/dev/null || return 1
	i=0
	while [ $i -lt 100 ] && kill -0 "$1" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
	! kill -0 "$1" 2>/dev/null
}

# cleanup - the daemons this test started: $mpid, and any other process
# running one of its configuration files (a PidFile that named another PID).
cleanup() {
	for p in $mpid $(procs_running "$tmp/prod.conf") $(procs_running "$tmp/fg.conf") \
	    $(procs_running "$tmp/nouser.conf") $(procs_running "$tmp/nopid.conf"); do
		stop_pid "$p" || kill -KILL "$p" 2>/dev/null
	done
	sh "$top_srcdir/tests/dns/nsd-stop.sh" "$tmp/nsd"
	if [ -n "${PROD_KEEP:-}" ]; then echo "# kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

nsport=$(sh "$top_srcdir/tests/dns/nsd-start.sh" "$tmp/nsd" "$src/wire.zone" example)
case $? in
0) ;;
77) skip_or_bail "nsd not installed (run tests/deps.sh)" ;;
*) echo "Bail out! cannot start nsd"; exit 1 ;;
esac

# write_conf FILE SOCKET PIDFILE HISTORYFILE - a production configuration.
write_conf() {
	cat >"$1" <<CONF
# production-style configuration (tests/wire/production.sh)
Socket			local:$2
UserID			$user:$group
PidFile			$3
UMask			007
HistoryFile		$4
AuthservID		mx.wire.example
Nameservers		127.0.0.1@$nsport
DNSTimeout		3
Syslog			no
CONF
}

# wait_for SECONDS CONDITION - poll CONDITION (eval'ed) every 0.1 s.
wait_for() {
	i=0
	while [ $i -lt $(($1 * 10)) ]; do
		eval "$2" && return 0
		sleep 0.1; i=$((i + 1))
	done
	eval "$2"
}

# ids_of FILE - the Uid: and Gid: lines of a /proc status file, as "UID
# GID" when real, effective, saved and file-system ids all agree, else the
# lines themselves.
ids_of() {
	awk '/^Uid:/ { u = $2 " " $3 " " $4 " " $5; uu = ($2 == $3 && $3 == $4 && $4 == $5) ? $2 : "(" u ")" }
	     /^Gid:/ { g = $2 " " $3 " " $4 " " $5; gg = ($2 == $3 && $3 == $4 && $4 == $5) ? $2 : "(" g ")" }
	     END { print uu " " gg }' "$1" 2>/dev/null
}

# threads_ids PID - "N BAD": the number of threads and how many of them do
# not run as $uid $gid.
threads_ids() {
	t=0 bad=0
	for f in /proc/"$1"/task/*/status; do
		t=$((t + 1))
		[ "$(ids_of "$f")" = "$uid $gid" ] || { bad=$((bad + 1)); echo "# thread $f: $(ids_of "$f")" >&2; }
	done
	echo "$t $bad"
}

# procs_running CONF - the PIDs of the processes whose command line names CONF.
procs_running() {
	for d in /proc/[0-9]*; do
		{ tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -q -- "-c $1 *\$" && echo "${d#/proc/}"
	done
}

# mail SOCKET CASE... - the cases through the socket with miltertest
# (as root, like the MTA's smtpd would, by the socket's group); the
# driver's TAP lines counted here.
mail() {
	sock=$1; shift
	SOCKET="unix:$sock" WORKDIR="$tmp" CASEDIR="$src/messages" CASES="$*" \
		timeout 120 miltertest -s "$src/driver.lua" >"$tmp/driver.out" 2>&1
	grep -q '^ok ' "$tmp/driver.out" || notok "mail through $sock: the driver said nothing"
	while IFS= read -r line; do
		case "$line" in
		"ok "*) ok "${line#ok }" ;;
		"not ok "*) notok "${line#not ok }" ;;
		*) echo "# $line" ;;
		esac
	done <"$tmp/driver.out"
}

# ---------------------------------------------------------------- 1. sysv init
sock="$run/authmilter.sock" pidf="$run/authmilter.pid" hist="$lib/history"
write_conf "$tmp/prod.conf" "$sock" "$pidf" "$hist"
# What the daemon's user could leave in its own directory for root to
# write through: the PidFile a symbolic link to a file of root's.
printf 'root data\n' >"$tmp/victim"
chmod 600 "$tmp/victim"
ln -s "$tmp/victim" "$pidf"

# A start that cannot work must say so to whoever started it: an init
# script only sees the exit status and standard error of the process it
# ran, which returns once the daemon in the background is ready.
write_conf "$tmp/nouser.conf" "$run/nouser.sock" "$run/nouser.pid" "$hist"
sed -i "s/^UserID.*/UserID			no-such-user-authmilter/" "$tmp/nouser.conf"
check "authmilter -n (what init scripts run first) rejects a UserID that does not exist" \
	'! "$milter" -n -c "$tmp/nouser.conf" >/dev/null 2>"$tmp/n.err" &&
	 grep -q "nouser.conf: UserID no-such-user-authmilter: no such user or group" "$tmp/n.err"'
check "without -f, a UserID that does not exist: exit 1, the reason on standard error, no daemon left" \
	'! timeout 20 "$milter" -c "$tmp/nouser.conf" 2>"$tmp/nouser.err" &&
	 grep -q "UserID no-such-user-authmilter: no such user" "$tmp/nouser.err" &&
	 [ -z "$(procs_running "$tmp/nouser.conf")" ]'
sed 's/^/# /' "$tmp/nouser.err"
write_conf "$tmp/nopid.conf" "$run/nopid.sock" "$tmp/missing/authmilter.pid" "$hist"
check "without -f, a PidFile in a directory that does not exist: exit 1, the reason on standard error" \
	'! timeout 20 "$milter" -c "$tmp/nopid.conf" 2>"$tmp/nopid.err" &&
	 grep -q "PidFile $tmp/missing/authmilter.pid: No such file or directory" "$tmp/nopid.err" &&
	 [ -z "$(procs_running "$tmp/nopid.conf")" ]'
sed 's/^/# /' "$tmp/nopid.err"
rm -f "$run"/nouser.* "$run"/nopid.*

check "started as root without -f: exit 0, nothing on standard error" \
	'timeout 20 "$milter" -c "$tmp/prod.conf" 2>"$tmp/start.err" && ! [ -s "$tmp/start.err" ]'
sed 's/^/# /' "$tmp/start.err"
check "when it returns, the daemon is ready: its PidFile and socket are there" \
	'[ -f "$pidf" ] && ! [ -L "$pidf" ] && [ -S "$sock" ]'
wait_for 10 '[ -f "$pidf" ] && ! [ -L "$pidf" ] && [ -S "$sock" ]'
mpid=$(cat "$pidf" 2>/dev/null)
running=$(procs_running "$tmp/prod.conf" | tr '\n' ' ')
check "the PidFile holds the PID of the one process running the configuration ($running)" \
	'[ -n "$mpid" ] && [ "$running" = "$mpid " ] && [ "$(cat "$pidf")" = "$mpid" ]'
case $mpid in *[!0-9]* | "") mpid="" ;; esac
check "the PidFile is a regular file of root's, mode 0644 ($(stat -c '%U:%G %a' "$pidf" 2>&1))" \
	'[ -f "$pidf" ] && ! [ -L "$pidf" ] && [ "$(stat -c "%u:%g %a" "$pidf")" = "0:0 644" ]'
check "the symbolic link left at the PidFile's path was replaced, not followed" \
	'[ "$(cat "$tmp/victim")" = "root data" ] && [ "$(stat -c %a "$tmp/victim")" = 600 ]'
check "the process runs as $user:$group: real, effective, saved and fs uid and gid ($(ids_of "/proc/$mpid/status"))" \
	'[ -n "$mpid" ] && [ "$(ids_of "/proc/$mpid/status")" = "$uid $gid" ]'
check "its supplementary groups are $group's only ($(grep '^Groups:' "/proc/$mpid/status" 2>&1))" \
	'[ "$(awk "/^Groups:/ { \$1 = \"\"; print }" "/proc/$mpid/status" | tr -d " ")" = "$gid" ]'
ti=$(threads_ids "$mpid")
check "every thread (${ti% *}) runs as $user:$group (not: ${ti#* })" \
	'[ "${ti% *}" -gt 1 ] && [ "${ti#* }" -eq 0 ]'
check "the socket is $user:$group, mode 0770 from UMask 007 ($(stat -c '%U:%G %a' "$sock" 2>&1))" \
	'[ -S "$sock" ] && [ "$(stat -c "%u:%g %a" "$sock")" = "$uid:$gid 770" ]'

mail "$sock" "$src/cases/01-pass.case" "$src/cases/02-reject.case"

check "the HistoryFile is $user:$group, mode 0640 ($(stat -c '%U:%G %a' "$hist" 2>&1))" \
	'[ -f "$hist" ] && [ "$(stat -c "%u:%g %a" "$hist")" = "$uid:$gid 640" ]'
check "it has a record of each message (pass.wire.example accepted, reject.wire.example rejected)" \
	'[ "$(grep -c "^AMH1" "$hist")" -eq 2 ] && grep -q "hfrom=pass.wire.example .*result=pass disp=pass" "$hist" &&
	 grep -q "hfrom=reject.wire.example .*disp=reject" "$hist"'
# Rotation, as logrotate does it (root moves the file away): the daemon,
# now $user, makes the file again.
mv "$hist" "$hist.1"
mail "$sock" "$src/cases/02-reject.case"
check "after a rotation the daemon ($user) makes a new HistoryFile, $user:$group 0640, with the next record" \
	'[ "$(stat -c "%u:%g %a" "$hist" 2>&1)" = "$uid:$gid 640" ] && [ "$(grep -c "^AMH1" "$hist")" -eq 1 ]'

check "it stops on SIGTERM" '[ -n "$mpid" ] && stop_pid "$mpid"'
mpid=""
check "and removes its socket and PidFile (in its own directory)" \
	'! [ -e "$sock" ] && ! [ -e "$pidf" ]'

# ---------------------------------------------------------------- 2. systemd
# The HistoryFile in a directory nobody cannot write: the daemon must say so
# and go on.
sock="$run/fg.sock" pidf="$run/fg.pid" hist="$rootdir/history"
write_conf "$tmp/fg.conf" "$sock" "$pidf" "$hist"
"$milter" -f -c "$tmp/fg.conf" 2>"$tmp/fg.log" &
mpid=$!
wait_for 10 '[ -S "$sock" ] && [ -s "$pidf" ] && grep -q "listening on" "$tmp/fg.log"'
check "started as root with -f: the PidFile holds its PID ($mpid)" \
	'[ "$(cat "$pidf" 2>/dev/null)" = "$mpid" ]'
check "it runs as $user:$group ($(ids_of "/proc/$mpid/status"))" \
	'[ "$(ids_of "/proc/$mpid/status")" = "$uid $gid" ]'
check "an unwritable HistoryFile directory is logged: the file, the error, the uid" \
	'grep -q "^authmilter\[error\]: HistoryFile $hist: Permission denied (as uid $uid gid $gid): messages are evaluated" "$tmp/fg.log"'
mail "$sock" "$src/cases/02-reject.case"
check "each lost record is logged (the first one at once)" \
	'grep -q "error\]: .*cannot write HistoryFile $hist: Permission denied (1 failures so far)" "$tmp/fg.log"'
check "no HistoryFile appeared in root's directory" '! [ -e "$hist" ]'
check "it stops on SIGTERM" 'stop_pid "$mpid"'
wait "$mpid" 2>/dev/null
mpid=""

if [ "$fail" -ne 0 ]; then
	echo "# foreground daemon log:"; sed 's/^/# /' "$tmp/fg.log" | tail -30
fi
echo "1..$n"
[ "$fail" -eq 0 ]
