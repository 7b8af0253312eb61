#!/bin/sh
# kill9.sh - kill -9 under load, then a restart on the same socket (issue
# 12; the Postfix side is tests/e2e/postfix.sh).  300 messages at
# concurrency 16 with DNS answers 100 ms late (so that many are in flight);
# the daemon is killed once it has decided 20 of them (a count, not a time:
# on a quiet machine the whole run may take less than 2 s) and started
# again 1 s later.  Every message
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
old=$mpid
kill -9 "$old"
wait "$old" 2>/dev/null
note "killed authmilter $old with SIGKILL"
sleep 1
start_milter "" "$mport"
note "restarted as $mpid on the same port"
wait "$bpid"
set_dns pass
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
