#!/bin/sh
# mta.sh - the MTA misbehaves (issue 12), all at once while 300 good
# messages go through: 50 sessions stall mid-packet, 300 connections send
# nothing at all (half-open), 50 sessions close mid-message, 20 announce a
# packet over the 1 MB limit, and then 1,000 sessions are open together
# (1,420 connections, more than the soft limit of open files).  The
# daemon runs with MilterTimeout 3 and the common soft limit of 1,024 open
# files (it raises it to the hard limit itself).  Asserted: every good
# message gets its expected verdict meanwhile; the stalled and oversized
# sessions are closed by the daemon (the stalled within MilterTimeout plus
# slack); all 1,000 concurrent sessions are answered; the peak of threads
# and resident memory stays under a bound and both come back down; no
# descriptor is left behind; the log says which messages were dropped
# unevaluated.  TAP output; see tests/faults/lib.sh.
. "${top_srcdir:-.}/tests/faults/lib.sh"

make_corpus
start_dns
real_milter=$milter
cat >"$tmp/milter-1024.sh" <<WRAP
#!/bin/sh
ulimit -Sn 1024 || exit 1
exec "$real_milter" "\$@"
WRAP
chmod +x "$tmp/milter-1024.sh"
milter="$tmp/milter-1024.sh"
start_milter "MilterTimeout		3"
load warm 100 8
threads0=$(proc_field "$mpid" Threads)
fds0=$(proc_fds "$mpid")
rss0=$(proc_field "$mpid" VmRSS)
note "before: $threads0 threads, $fds0 descriptors, $rss0 kB; open file limit $(awk '/open files/ { print $4 "/" $5 }' /proc/$mpid/limits)"

# sample - the peak of threads, descriptors and VmRSS until $tmp/stop exists.
sample() {
	pt=0 pf=0 pr=0
	while [ ! -e "$tmp/stop" ] && kill -0 "$mpid" 2>/dev/null; do
		t=$(proc_field "$mpid" Threads) f=$(proc_fds "$mpid") r=$(proc_field "$mpid" VmRSS)
		[ "${t:-0}" -gt $pt ] && pt=$t
		[ "${f:-0}" -gt $pf ] && pf=$f
		[ "${r:-0}" -gt $pr ] && pr=$r
		echo "$pt $pf $pr" >"$tmp/peak"
		sleep 0.2
	done
}
sample &
spid=$!
pids="$pids $spid"
bad() { "$PY" "$src/misbehave.py" 127.0.0.1 "$mport" "$@"; }
bad stall 50 20 >"$tmp/stall.out" 2>&1 &
p1=$!
bad halfopen 300 12 >"$tmp/halfopen.out" 2>&1 &
p2=$!
sleep 1
bad midclose 50 >"$tmp/midclose.out" 2>&1 &
p3=$!
bad oversize 20 20 >"$tmp/oversize.out" 2>&1 &
p4=$!
bad flood 1000 8 >"$tmp/flood.out" 2>&1 &
p5=$!
pids="$pids $p1 $p2 $p3 $p4 $p5"
sleep 2
load during 300 8
wait $p1 $p2 $p3 $p4 $p5
sleep 2
touch "$tmp/stop"
wait "$spid"
read -r peak_threads peak_fds peak_rss <"$tmp/peak"
for f in stall halfopen midclose oversize flood; do note "$(cat "$tmp/$f.out")"; done
note "peak: $peak_threads threads, $peak_fds descriptors, $peak_rss kB"

# field FILE KEY - a key=value of a misbehave.py line.
field() { sed -n "s/.* $2=\\([^ ]*\\).*/\\1/p" "$tmp/$1.out"; }
check "300 good messages got their verdicts meanwhile ($(tally during))" \
	'[ "$(lines during)" = 300 ] && [ "$(wrong during)" = 0 ]'
check "the 50 stalled sessions were closed within MilterTimeout + 3 s ($(field stall closed) closed, the last after $(field stall maxwait) s)" \
	'[ "$(field stall closed)" = 50 ] && [ "$(echo "$(field stall maxwait) <= 6" | bc)" = 1 ]'
check "the 20 oversized packets were refused: connection closed ($(field oversize closed))" \
	'[ "$(field oversize closed)" = 20 ]'
check "all 1,000 concurrent sessions were answered ($(field flood served))" \
	'[ "$(field flood served)" = 1000 ]'
check "the connections were held at once, past the soft limit of 1,024 (peak $peak_fds descriptors)" \
	'[ "$peak_fds" -ge 1300 ]'
check "threads bounded: peak $peak_threads under 200 for 1,420 connections" '[ "$peak_threads" -lt 200 ]'
check "memory bounded: peak VmRSS $peak_rss kB under 300 MB" '[ "$peak_rss" -lt 307200 ]'
threads=$(proc_field "$mpid" Threads)
fds=$(proc_fds "$mpid")
rss=$(proc_field "$mpid" VmRSS)
note "after: $threads threads, $fds descriptors, $rss kB"
check "the threads come back down ($threads, $threads0 before)" '[ "$threads" -le $((threads0 + 8)) ]'
check "no descriptor left behind ($fds, $fds0 before)" '[ "$fds" -le $((fds0 + 2)) ]'
nd=$(grep -c "message not evaluated" "$tmp/milter.log")
check "the log names the messages dropped unevaluated ($nd lines for 70 dropped)" '[ "$nd" -ge 70 ]'
load after 100 8
check "afterwards: 100 verdicts right ($(tally after))" '[ "$(wrong after)" = 0 ] && kill -0 "$mpid"'
echo "1..$n"
[ $fail -eq 0 ]
