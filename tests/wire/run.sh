#!/bin/sh
# run.sh - wire tests: the real authmilter daemon on a random loopback port,
# driven by Debian's miltertest (tests/wire/driver.lua, one SMTP session per
# tests/wire/cases/*.case), resolving through a private nsd on 127.0.0.1
# that serves tests/wire/wire.zone plus a DKIM key made during the test
# (messages signed by python3-dkim, tests/wire/sign.py; ARC chains sealed by
# python3-dkim, tests/wire/arc_seal.py).  Then: one history
# record per evaluated message, SIGHUP reload (good and bad file),
# TCP_NODELAY on the daemon's connections, clean stop on SIGTERM.
# TAP output.  Stops only the processes it started, by PID.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
src="$top_srcdir/tests/wire"
milter="$top_builddir/milter/authmilter"
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }

# Debian's python3 has python3-dkim; another python3 first in PATH may not.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
for tool in miltertest "$PY"; do
	if ! command -v $tool >/dev/null 2>&1; then
		[ "${CI:-}" = true ] && { echo "Bail out! $tool missing (run tests/deps.sh)"; exit 1; }
		echo "1..0 # SKIP $tool not installed (run tests/deps.sh)"; exit 0
	fi
done

tmp=$(mktemp -d)
mpid=""
cleanup() {
	[ -n "$mpid" ] && kill "$mpid" 2>/dev/null
	sh "$top_srcdir/tests/dns/nsd-stop.sh" "$tmp/nsd"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM HUP

# free_port - an unused TCP port on 127.0.0.1.
free_port() {
	"$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

"$PY" "$src/sign.py" "$tmp" "$src" || { echo "Bail out! signing failed"; exit 1; }
"$PY" "$src/bad_input.py" "$tmp" || { echo "Bail out! bad_input.py failed"; exit 1; }
"$PY" "$src/arc_seal.py" "$tmp" || { echo "Bail out! arc_seal.py failed"; exit 1; }
cat "$src/wire.zone" "$tmp/keys.zone" "$tmp/arc.zone" >"$tmp/zone"
nsport=$(sh "$top_srcdir/tests/dns/nsd-start.sh" "$tmp/nsd" "$tmp/zone" example) ||
	{ echo "Bail out! cannot start nsd"; exit 1; }
port=$(free_port)

# write_conf FILE [EXTRA-LINES] - the daemon's configuration.
write_conf() {
	cat >"$1" <<CONF
# wire test configuration
Socket			inet:$port@127.0.0.1
AuthservID		mx.wire.example
Nameservers		127.0.0.1@$nsport
DNSTimeout		3
Syslog			no
HoldQuarantinedMessages	yes
IgnoreMailFrom		ignored.wire.example
HistoryFile		$tmp/history
ARCTrustedSealers	lists.wire.example
$2
CONF
}
write_conf "$tmp/authmilter.conf" ""

"$milter" -f -c "$tmp/authmilter.conf" 2>"$tmp/milter.log" &
mpid=$!

export SOCKET="inet:$port@127.0.0.1" WORKDIR="$tmp" CASEDIR="$src/messages"
CASES=$(ls "$src"/cases/*.case | tr '\n' ' ')
export CASES
miltertest -s "$src/driver.lua" >"$tmp/driver.out" 2>&1
while IFS= read -r line; do
	case "$line" in
	"ok "*) ok "${line#ok }" ;;
	"not ok "*) notok "${line#not ok }" ;;
	*) echo "# $line" ;;
	esac
done <"$tmp/driver.out"
cases_hist=$(cat "$tmp/history" 2>/dev/null | grep -c "^AMH1")

# Hostile input (tests/wire/bad_input.py) through tests/wire/mtaclient.py.
for msg in "$tmp"/bad-*.eml; do
	name=$(basename "$msg" .eml)
	timeout 120 "$PY" "$src/mtaclient.py" 127.0.0.1 "$port" "$msg" >"$tmp/$name.out" 2>&1
	rc=$?
	good=1
	while IFS= read -r pat; do
		grep -qF -- "$pat" "$tmp/$name.out" || good=0
	done <"$tmp/$name.expect"
	if [ $rc -eq 0 ] && [ $good -eq 1 ]; then
		ok "$name: $(tr '\n' ' ' <"$tmp/$name.expect")"
	else
		notok "$name: $(tr '\n' ' ' <"$tmp/$name.expect") (exit $rc)"
		cut -c1-200 "$tmp/$name.out" | sed 's/^/# /'
	fi
done
# -n names the file and line of an error; a good file passes.
printf 'Socket inet:1@127.0.0.1\nRejectFailures perhaps\n' >"$tmp/bad.conf"
check "authmilter -n -c bad.conf names the file and line" \
	'! "$milter" -n -c "$tmp/bad.conf" 2>"$tmp/n.err" && grep -q "bad.conf:2:" "$tmp/n.err"'
check "authmilter -n accepts the shipped sample" \
	'"$milter" -n -c "$top_srcdir/conf/authmilter.conf" >/dev/null'

check "the daemon survived the hostile input" 'kill -0 "$mpid" 2>/dev/null'
check "its memory stayed bounded (VmHWM under 200 MB)" \
	'[ "$(awk "/VmHWM/ { print \$2 }" /proc/$mpid/status)" -lt 204800 ]'

# One history record per evaluated author domain with a DMARC record:
# each case says how many ("history N"; 0 for the ignored, authenticated
# and no-author ones, 2 for the two author domains of 09-multi-from).
nohist=$(grep -L '^history [0-9]' "$src"/cases/*.case | tr '\n' ' ')
check "every case says how many history records it writes (${nohist:-all do})" '[ -z "$nohist" ]'
want_hist=$(cat "$src"/cases/*.case | awk '$1 == "history" { s += $2 } END { print s + 0 }')
got_hist=$(cat "$tmp/history" 2>/dev/null | grep -c "^AMH1")
check "history records written by the cases: $cases_hist, as they say ($want_hist)" '[ "$cases_hist" = "$want_hist" ]'
[ "$cases_hist" = "$want_hist" ] ||
	sed -n 's/.* ip=\([^ ]*\) hfrom=\([^ ]*\) .* disp=\([^ ]*\).*/# record: ip=\1 hfrom=\2 disp=\3/p' "$tmp/history"
grep "multi-from@wire.example" "$tmp/history" >"$tmp/multi.hist"
check "the two author domains of one message have a record each ($(sed -n 's/.* hfrom=\([^ ]*\) .* disp=\([^ ]*\).*/\1:\2/p' "$tmp/multi.hist" | tr '\n' ' '))" \
	'[ "$(wc -l <"$tmp/multi.hist")" = 2 ] && grep -q "hfrom=pass.wire.example .* disp=pass" "$tmp/multi.hist" &&
	 grep -q "hfrom=reject.wire.example .* disp=reject" "$tmp/multi.hist"'
check "the null sender's record says so (mfrom empty)" \
	'grep -q "hfrom=pass.wire.example mfrom= " "$tmp/history"'
check "history has the reject of reject.wire.example" \
	'grep -q "hfrom=reject.wire.example.*disp=reject" "$tmp/history"'
check "history has the ARC override (AMH1.1, override and arc fields)" \
	'grep -q "^AMH1\.1 .*hfrom=signed.wire.example .*disp=none .*override=trusted_forwarder .*arc=pass,1,lists.wire.example" "$tmp/history"'
check "history has the untrusted chain, rejected, without an override" \
	'grep "hfrom=signed.wire.example .*disp=reject" "$tmp/history" | grep -q " arc=pass "'
check "the log line names the ARC result and the override" \
	'grep -q "arc=pass dmarc=fail .*action=accept override=trusted_forwarder(arc i=1 d=lists.wire.example)" "$tmp/milter.log"'

# Rotation: the history file moved away is made again at the next record.
mv "$tmp/history" "$tmp/history.1"
"$PY" "$src/mtaclient.py" 127.0.0.1 "$port" "$src/messages/pass.eml" --ip 192.0.2.10 \
	--mail-from "<bounce@pass.wire.example>" >/dev/null 2>&1
check "after rotation the next record goes to a new HistoryFile" \
	'[ "$(grep -c "^AMH1" "$tmp/history" 2>/dev/null)" = 1 ] && [ "$(grep -c "^AMH1" "$tmp/history.1")" = "$got_hist" ]'

# authmilter-check gives the daemon's verdict on the same message and DNS
# (cases without SMTP AUTH, which the checker has no option for).
for cf in "$src"/cases/*.case; do
	grep -q '^auth ' "$cf" && continue
	name=$(basename "$cf" .case)
	if sh "$src/same_verdict.sh" "$cf" "$src" "$tmp" "$port" "$tmp/authmilter.conf" \
	    "$top_builddir" "$PY" >"$tmp/same.out" 2>&1; then
		ok "$name: authmilter-check agrees with the daemon ($(cat "$tmp/same.out"))"
	else
		notok "$name: authmilter-check disagrees with the daemon"
		sed 's/^/# /' "$tmp/same.out"
	fi
done

# TCP_NODELAY on the daemon's accepted connection (tests/wire/nodelay.py).
check "TCP_NODELAY on the daemon's connections" \
	'"$PY" "$src/nodelay.py" "$mpid" "$port" >"$tmp/nodelay.out" 2>&1'
sed 's/^/# /' "$tmp/nodelay.out"

# reloads - how many reloads, good or bad, the daemon has logged.
reloads() { grep -cE "configuration reloaded|reload failed" "$tmp/milter.log"; }

# hup WHAT - SIGHUP the daemon and wait (every 0.1 s, at most 10 s) until
# its log has one reload more, good or bad; a TAP line says whether it did.
hup() {
	before=$(reloads)
	kill -HUP "$mpid"
	i=0
	while [ "$(reloads)" -le "$before" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	check "SIGHUP ($1): a reload logged within 10 s" '[ "$(reloads)" -gt "$before" ]'
}

# SIGHUP: a bad file keeps the old configuration, a good one is used.
cp "$tmp/authmilter.conf" "$tmp/good.conf"
write_conf "$tmp/authmilter.conf" "RejectFailures	maybe"
hup "bad file"
check "bad reload is logged with file and line" \
	'grep -q "reload failed.*authmilter.conf:[0-9]" "$tmp/milter.log"'
check "daemon still running after a bad reload" 'kill -0 "$mpid" 2>/dev/null'
write_conf "$tmp/authmilter.conf" "RejectFailures	no"
hup "RejectFailures no"
check "good reload is logged" 'grep -q "configuration reloaded" "$tmp/milter.log"'
CASES="$src/cases/02-reject.case" miltertest -s "$src/driver.lua" >"$tmp/after.out" 2>&1
check "after reload (RejectFailures no) the spoof is no longer rejected" \
	'grep -q "^not ok 02-reject: reject (got accept/accept)" "$tmp/after.out"'
write_conf "$tmp/authmilter.conf" "RejectFailures	no
ARCVerify	no"
hup "ARCVerify no"
CASES="$src/arc-verify-off.case" miltertest -s "$src/driver.lua" >"$tmp/arcoff.out" 2>&1
check "after reload (ARCVerify no) the sealed message gets no arc= result" \
	'grep -q "^ok arc-verify-off: Authentication-Results has no arc=" "$tmp/arcoff.out" && ! grep -q "^not ok" "$tmp/arcoff.out"'
sed 's/^/# /' "$tmp/arcoff.out"
write_conf "$tmp/authmilter.conf" "RejectUnusableFrom	no"
hup "RejectUnusableFrom no"
CASES="$src/unusable-recovered.case $src/unusable-none.case" \
	miltertest -s "$src/driver.lua" >"$tmp/unusable.out" 2>&1
check "after reload (RejectUnusableFrom no) the displayed domain's policy rejects, no From is accepted" \
	'[ "$(grep -c "^ok " "$tmp/unusable.out")" -ge 2 ] && ! grep -q "^not ok" "$tmp/unusable.out"'
sed 's/^/# /' "$tmp/unusable.out"

# A unix socket (and UMask): the same daemon code on "unix:PATH".
sed "s|^Socket.*|Socket local:$tmp/authmilter.sock|; s|^HistoryFile.*||" "$tmp/good.conf" >"$tmp/unix.conf"
"$milter" -f -c "$tmp/unix.conf" 2>"$tmp/unix.log" &
upid=$!
SOCKET="unix:$tmp/authmilter.sock" CASES="$src/cases/02-reject.case" \
	miltertest -s "$src/driver.lua" >"$tmp/unix.out" 2>&1
check "a unix socket works (the reject case through local:PATH)" \
	'grep -q "^ok 02-reject: reject" "$tmp/unix.out" && ! grep -q "^not ok" "$tmp/unix.out"'
check "the unix socket has the UMask 007 permissions" \
	'[ "$(stat -c %a "$tmp/authmilter.sock")" = 770 ]'
kill -TERM "$upid"
wait "$upid" 2>/dev/null

kill -TERM "$mpid"
i=0
while [ $i -lt 50 ] && kill -0 "$mpid" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
check "clean stop on SIGTERM" '! kill -0 "$mpid" 2>/dev/null && grep -q "stopped" "$tmp/milter.log"'
mpid=""

if [ "$fail" -ne 0 ]; then
	echo "# daemon log:"; sed 's/^/# /' "$tmp/milter.log" | tail -60
fi
echo "1..$n"
[ "$fail" -eq 0 ]
