#!/bin/sh
# keys.sh - every configuration key that changes what happens to a message,
# exercised through the real daemon (issue 13): milter/authmilter on a
# random loopback port, driven by tests/wire/mtaclient.py, resolving through
# tests/faults/dnsproxy.py (which can drop or delay answers) in front of a
# private nsd serving tests/wire/wire.zone and tests/wire/keys/keys.zone.
#
# tests/wire/keys.tsv has one line per key of the configuration table:
#   Key<TAB>case case...        the cases of tests/wire/keys/ that exercise it
#   Key<TAB>-<TAB>reason        why it changes no decision, and where it is tested
# The table's keys come from "authmilter-confgen defaults" (the daemon's own
# table, so the list cannot drift): a key without a line, a line naming no
# key of the table, a case that does not exist or that no line names, fail.
# For each key with cases, every case that sets the key must have a case on
# its line with the same session that does not set it (the default), and
# what came back (replies, header changes, log, history) must differ.
#
# A case file (tests/wire/keys/NAME.case), "key value" lines as in
# tests/wire/cases/*.case:
#   the session: ip, helo ("-": none), auth (the {auth_authen} macro),
#     mailfrom, rcpt, message (made in the work directory, else
#     tests/wire/messages/), actions (the milter actions the MTA offers, as
#     SMFIF_* bits), dns (the proxy's mode: pass, drop, slow:MS);
#   conf KEY VALUE: a line of the configuration, added to the base one
#     below (in place of the base's line for KEY, if any);
#   the outcome: want (accept, reject, tempfail, quarantine), want_reply
#     (the whole SMTP reply), want_header (text of the inserted
#     Authentication-Results), want_no_header, want_line / want_no_line (a
#     line of mtaclient.py's output, folded lines joined), want_log /
#     want_no_log (the daemon's log during the session), want_history /
#     want_no_history (the HistoryFile record of the session).
# In values @TMP@ is the work directory, @SRC@ tests/wire and @AUTHSERV@
# the default AuthservID (the host name).  Each distinct configuration is
# loaded by SIGHUP; a case that delays or drops DNS gets a fresh load (a new
# resolver, nothing cached, no server backoff) and so does the case after it.
# The checks and the sessions run in one process, tests/wire/keys_cases.py.
# TAP output.  Stops only the processes it started, by PID.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
src="$top_srcdir/tests/wire"
# KEYS_MILTER: another build of the daemon (to see a case fail on a broken one).
milter="${KEYS_MILTER:-$top_builddir/milter/authmilter}"
confgen="$top_builddir/milter/authmilter-confgen"
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=$((fail + 1)); }

# Debian's python3 has python3-dkim; another python3 first in PATH may not.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
[ -x "$confgen" ] && [ -x "$milter" ] ||
	{ echo "Bail out! build milter/authmilter and milter/authmilter-confgen first"; exit 1; }
command -v "$PY" >/dev/null 2>&1 || {
	[ "${CI:-}" = true ] && { echo "Bail out! python3 missing (run tests/deps.sh)"; exit 1; }
	echo "1..0 # SKIP python3 not installed (run tests/deps.sh)"; exit 0
}
missing=""
for tool in nsd openssl; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || missing="$missing $tool"
done
"$PY" -c 'import dkim' 2>/dev/null || missing="$missing python3-dkim"

# tap_from FILE - keys_cases.py's TAP lines, numbered.
tap_from() {
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) ok "${line#ok - }" ;;
		"not ok - "*) notok "${line#not ok - }" ;;
		*) echo "# $line" ;;
		esac
	done <"$1"
}

tmp=$(mktemp -d)
mpid=""
proxy=""
cleanup() {
	[ -n "$mpid" ] && kill "$mpid" 2>/dev/null
	[ -n "$proxy" ] && kill "$proxy" 2>/dev/null
	sh "$top_srcdir/tests/dns/nsd-stop.sh" "$tmp/nsd"
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM HUP

# free_port - a port free for TCP and UDP on 127.0.0.1.
free_port() {
	"$PY" -c 'import socket
while True:
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); break
    except OSError:
        continue
print(p)'
}

# wait_for FILE PATTERN - until FILE has a line matching PATTERN (10 s).
wait_for() {
	i=0
	while [ $i -lt 200 ]; do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# The keys of the daemon's table, from the table itself.
"$confgen" defaults | awk '{ print $1 }' >"$tmp/table.keys"
if [ -n "$missing" ]; then
	# keys.tsv against the table needs nothing more
	[ "${CI:-}" = true ] && { echo "Bail out! missing:$missing (run tests/deps.sh)"; exit 1; }
	"$PY" "$src/keys_cases.py" table "$src" "$tmp/table.keys" >"$tmp/table.out" 2>&1
	tap_from "$tmp/table.out"
	ok "the cases # SKIP missing:$missing (run tests/deps.sh)"
	echo "1..$n"
	[ "$fail" -eq 0 ]
	exit
fi

# Messages: DKIM-signed (sign.py), ARC-sealed (arc_seal.py), and one with a
# signature by a domain without a key above the good one (DKIMMaxSignatures).
"$PY" "$src/sign.py" "$tmp" "$src" || { echo "Bail out! signing failed"; exit 1; }
"$PY" "$src/arc_seal.py" "$tmp" || { echo "Bail out! arc_seal.py failed"; exit 1; }
{
	printf 'DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=nokey.wire.example;\r\n'
	printf '\ts=sel; h=from:to:subject; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n'
	printf '\tb=dGhpcyBzaWduYXR1cmUgaGFzIG5vIGtleQ==\r\n'
	cat "$tmp/signed-pass.eml"
} >"$tmp/two-sigs.eml"
# A trust anchor for example. that the unsigned zone cannot meet: with it
# every answer is bogus.
printf 'example. 3600 IN DS 12345 8 2 %s\n' \
	"0000000000000000000000000000000000000000000000000000000000000000" >"$tmp/ta.ds"

cat "$src/wire.zone" "$src/keys/keys.zone" "$tmp/keys.zone" "$tmp/arc.zone" >"$tmp/zone"
nsport=$(sh "$top_srcdir/tests/dns/nsd-start.sh" "$tmp/nsd" "$tmp/zone" example) ||
	{ echo "Bail out! cannot start nsd"; exit 1; }
pport=$(free_port)
echo pass >"$tmp/dnsmode"
"$PY" "$top_srcdir/tests/faults/dnsproxy.py" "$pport" "$nsport" "$tmp/dnsmode" "$tmp/dnsstats" &
proxy=$!
wait_for "$tmp/dnsstats" '^ready' || { echo "Bail out! dnsproxy.py did not start"; exit 1; }
port=$(free_port)

# The base configuration: the defaults but for where the daemon listens,
# logs and resolves, and the HistoryFile the cases look at.
cat >"$tmp/base.conf" <<CONF
Socket		inet:$port@127.0.0.1
Syslog		no
Nameservers	127.0.0.1@$pport
HistoryFile	$tmp/history
CONF
cp "$tmp/base.conf" "$tmp/authmilter.conf"
"$milter" -f -c "$tmp/authmilter.conf" 2>"$tmp/milter.log" &
mpid=$!
wait_for "$tmp/milter.log" "listening on" || { echo "Bail out! the daemon did not start"; exit 1; }

AUTHSERV=$("$confgen" defaults | awk '$1 == "AuthservID" { print $2 }')
export AUTHSERV
timeout 300 "$PY" "$src/keys_cases.py" cases "$src" "$tmp/table.keys" "$tmp" "$port" "$mpid" \
	>"$tmp/cases.out" 2>&1
rc=$?
tap_from "$tmp/cases.out"
[ $rc -eq 0 ] || [ "$fail" -gt 0 ] || notok "keys_cases.py exited $rc"
if kill -0 "$mpid" 2>/dev/null; then ok "the daemon ran to the end"; else notok "the daemon ran to the end"; fi
if [ "$fail" -ne 0 ]; then
	echo "# daemon log:"; sed 's/^/# /' "$tmp/milter.log" | tail -60
fi
echo "1..$n"
[ "$fail" -eq 0 ]
