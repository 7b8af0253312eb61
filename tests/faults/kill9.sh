#!/bin/sh
# kill9.sh - kill -9 under load, then a restart on the same socket (issue
# 12; the Postfix side is tests/e2e/postfix.sh).  300 messages at
# concurrency 16 with DNS answers 100 ms late; once the daemon has decided
# 20 of them, the DNS stops answering, and the daemon is killed as soon as
# a query has met the silent server: that message is then in flight for
# DNSTimeout (5 s), so the kill cannot miss (an event, not a time: a run
# killed after a fixed delay was seen to find all 300 done, the answers
# cached).  It is started again 1 s later.  Every message
# must end in its expected verdict or in a broken connection (which the MTA
# turns into milter_default_action, tempfail): none accepted, quarantined or
# rejected wrongly.  The kill must have hit messages (milterbench then
# fails the rest of its run fast, on refused connections), and the new
# process must serve a full run right.
# TAP output; see tests/faults/lib.sh.
. "${top_srcdir:-.}/tests/faults/lib.sh"

make_corpus
start_dns 1		# 1 s TTLs: every message asks the (slowed) DNS again
start_milter
load warm 100 8
note "warm-up: $(tally warm)"
sleep 2			# the warm-up's answers expire: nothing is decided from the cache at once
set_dns slow:100
base=$(grep -c " action=" "$tmp/milter.log")
"$bench" -f "$corpus/corpus.dat" -m "inet:$mport@127.0.0.1" -n 300 -c 16 -t 20 \
    -l killed -o "$tmp/killed.tsv" >"$tmp/killed.out" 2>&1 &
bpid=$!
pids="$pids $bpid"
i=0
while [ $i -lt 300 ] && [ "$(grep -c " action=" "$tmp/milter.log")" -lt $((base + 20)) ]; do
	sleep 0.1; i=$((i + 1))
done
set_dns drop
i=0
while [ $i -lt 500 ] && [ "$(dns_count drop)" -lt 1 ]; do
	sleep 0.02; i=$((i + 1))
done
old=$mpid
kill -9 "$old"
note "$(dns_count drop) queries unanswered when killed"
wait "$old" 2>/dev/null
note "killed authmilter $old with SIGKILL"
set_dns pass
sleep 1
start_milter "" "$mport"
note "restarted as $mpid on the same port"
wait "$bpid"
wrong_final=$(awk -F'\t' '!/^#/ && $4 != $3 && $4 != "error" && $4 != "tempfail"' "$tmp/killed.tsv" | wc -l)
errors=$(count_final killed error)
right=$(awk -F'\t' '!/^#/ && $4 == $3' "$tmp/killed.tsv" | wc -l)
check "all 300 messages accounted for ($(tally killed))" '[ "$(lines killed)" = 300 ]'
check "none got a wrong verdict: each its expected one or a broken connection ($wrong_final wrong)" \
	'[ "$wrong_final" = 0 ]'
awk -F'\t' '!/^#/ && $4 != $3 && $4 != "error" && $4 != "tempfail"' "$tmp/killed.tsv" | cut -f1-5 | head -5 | sed 's/^/# /'
check "the kill broke messages in flight ($errors)" '[ "$errors" -gt 0 ]'
check "the messages finished before the kill got their verdicts ($right)" '[ "$right" -gt 0 ]'
load after 300 16
check "after the restart: 300 verdicts right ($(tally after))" '[ "$(wrong after)" = 0 ] && [ "$(lines after)" = 300 ]'
echo "1..$n"
[ $fail -eq 0 ]
