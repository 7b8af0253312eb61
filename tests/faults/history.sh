#!/bin/sh
# history.sh - HistoryFile on a full file system and on a read-only one
# (issue 12), each a small tmpfs mounted in a private mount namespace
# (unshare -m: nothing is mounted on the machine).  Under load the mail
# keeps flowing with every verdict right, the failures are counted and
# logged at a limited rate (the first, then every 1000th), writing resumes
# when space returns or the file system becomes writable (one log line
# says so), and no record is torn: authmilter-reports import reads every
# line of the file, none malformed.  TAP output; see tests/faults/lib.sh.
if [ -z "${FAULTS_IN_NS:-}" ]; then
	if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
		[ "${CI:-}" = true ] && { echo "Bail out! unshare -m needs root"; exit 1; }
		echo "1..0 # SKIP needs root and unshare -m (a private tmpfs)"
		exit 0
	fi
	FAULTS_IN_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
. "${top_srcdir:-.}/tests/faults/lib.sh"
reports="$top_builddir/reports/authmilter-reports"
[ -x "$reports" ] || bail "build reports/authmilter-reports first"

make_corpus
start_dns
mkdir -p "$tmp/full" "$tmp/ro"
mount -t tmpfs -o size=256k,mode=0755 fault-full "$tmp/full" || bail "cannot mount a tmpfs"
hist="$tmp/full/history"

# records FILE - the lines in a history file.
records() { grep -c '' "$1" 2>/dev/null || echo 0; }
# parses FILE - authmilter-reports import reads every line, none malformed.
parses() {
	printf 'AuthservID mx.bench.example\nReportDatabase %s\nReportSpool %s\nHistoryFile %s\n' \
	    "$tmp/reports.db" "$tmp/spool" "$1" >"$tmp/reports.conf"
	rm -rf "$tmp/reports.db" "$tmp/spool"
	"$reports" -c "$tmp/reports.conf" import "$1" >"$tmp/import.out" 2>&1 &&
	    grep -q " $(records "$1") new lines .* 0 malformed" "$tmp/import.out" &&
	    [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" = '\n' ]
}
# log_count TEXT - the daemon's log lines with TEXT.
log_count() { grep -c "$1" "$tmp/milter.log"; }

start_milter "HistoryFile		$hist
RecordAllMessages	yes"
load base 100 8
check "baseline: 100 verdicts right, 100 records ($(records "$hist"))" \
	'[ "$(wrong base)" = 0 ] && [ "$(lines base)" = 100 ] && [ "$(records "$hist")" = 100 ]'

# Fill the file system: the history file's last page has room for a few
# more records, then a record is cut short by ENOSPC.
dd if=/dev/zero of="$tmp/full/filler" bs=1k 2>/dev/null
before=$(records "$hist")
load full 300 16
failed=$(sed -n 's/.*cannot write HistoryFile.*(\([0-9]*\) failures so far).*/\1/p' "$tmp/milter.log" | tail -1)
written=$(($(records "$hist") - before))
check "full: 300 verdicts right while the disk is full ($(tally full))" \
	'[ "$(wrong full)" = 0 ] && [ "$(lines full)" = 300 ]'
check "full: some records written, then failures ($written written, the first failure logged)" \
	'[ "${failed:-0}" = 1 ] && [ "$written" -lt 300 ]'
nlog=$(log_count "cannot write HistoryFile")
check "full: logged at a limited rate ($nlog lines for the failures so far)" \
	'[ "$nlog" -ge 1 ] && [ "$nlog" -le $((1 + $(sed -n "s/.*(\([0-9]*\) failures so far).*/\1/p" "$tmp/milter.log" | tail -1) / 1000)) ]'
check "full: no torn record (every line of the file parses)" 'parses "$hist"'
rm -f "$tmp/full/filler"
before=$(records "$hist")
load resumed 100 8 100
check "full: after space returns the next 100 records are written ($(($(records "$hist") - before)))" \
	'[ "$(wrong resumed)" = 0 ] && [ $(($(records "$hist") - before)) = 100 ]'
# (A shorter record may fit where a longer one failed: then a "written
# again" line comes during the fault too; the last one is after it.)
lost=$(sed -n 's/.*written again (\([0-9]*\) records lost so far).*/\1/p' "$tmp/milter.log" | tail -1)
check "full: a log line says writing resumed and counts the $((300 - written)) records lost (${lost:-none})" \
	'[ "$lost" = $((300 - written)) ]'
check "full: every line of the file parses after the fault" 'parses "$hist"'
kill "$mpid"
wait "$mpid" 2>/dev/null

# A read-only file system from the start: the daemon starts anyway.
mount -t tmpfs -o size=256k,mode=0755 fault-ro "$tmp/ro" && mount -o remount,ro "$tmp/ro" ||
	bail "cannot mount a read-only tmpfs"
hist="$tmp/ro/history"
: >"$tmp/milter.log"
started=0
start_milter "HistoryFile		$hist
RecordAllMessages	yes"
check "read-only: the daemon starts and says records are lost" \
	'[ "$(log_count "records are lost until it can be opened")" = 1 ]'
load ro 200 16
check "read-only: 200 verdicts right ($(tally ro))" '[ "$(wrong ro)" = 0 ] && [ "$(lines ro)" = 200 ]'
nlog=$(log_count "cannot write HistoryFile")
check "read-only: one failure line for 200 lost records ($nlog)" \
	'[ "$nlog" = 1 ] && grep -q "Read-only file system (1 failures so far)" "$tmp/milter.log"'
mount -o remount,rw "$tmp/ro" || bail "cannot make the tmpfs writable"
load rw 50 8
check "read-only: writable again, the next 50 records are written ($(records "$hist"))" \
	'[ "$(wrong rw)" = 0 ] && [ "$(records "$hist")" = 50 ] &&
	    [ "$(log_count "written again (200 records lost so far)")" = 1 ]'
check "read-only: every line parses" 'parses "$hist"'
check "the daemon is still running" 'kill -0 "$mpid"'
kill "$mpid"
wait "$mpid" 2>/dev/null
umount "$tmp/full" "$tmp/ro"
echo "1..$n"
[ $fail -eq 0 ]
