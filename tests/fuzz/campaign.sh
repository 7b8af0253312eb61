#!/bin/sh
# campaign.sh - a longer fuzzing campaign: each target in turn (one at a
# time, under nice -n 10) through run.sh for FUZZ_SECONDS, then its new
# inputs merged (-merge=1: only those that add coverage) into the committed
# corpus tests/fuzz/corpus/TARGET; the hand-written seeds stay as they are.
# FUZZ_TARGETS and FUZZ_CPU_SECONDS (a CPU-time budget per target, whatever
# the machine's load) as for run.sh; FUZZ_MAX_LEN (default 65536) caps new inputs,
# so the committed corpora stay small.  Appends one line per target to
# tests/fuzz/out/campaign.tsv: target, wall seconds, CPU seconds,
# executions, corpus files, corpus bytes, result.  Not part of make check.
set -eu
cd "$(dirname "$0")/../.."
out=tests/fuzz/out
secs=${FUZZ_SECONDS:-300}
[ -n "${FUZZ_CPU_SECONDS:-}" ] && secs=${FUZZ_SECONDS:-$((FUZZ_CPU_SECONDS * 4))}
targets=${FUZZ_TARGETS:-$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')}
mkdir -p "$out"
status=0
for t in $targets; do
	result=ok
	start=$(date +%s)
	FUZZ_TARGETS=$t FUZZ_SECONDS=$secs FUZZ_MAX_LEN=${FUZZ_MAX_LEN:-65536} \
	    nice -n 10 sh tests/fuzz/run.sh || { result=FAILED; status=1; }
	wall=$(($(date +%s) - start))
	execs=$(grep -E '^stat::number_of_executed_units' "$out/fuzz_$t.log" | awk '{print $2}')
	cpu=$(cat "$out/fuzz_$t.cpu" 2>/dev/null | tail -1 || true)
	if [ -x "$out/fuzz_$t" ]; then
		nice -n 10 "$out/fuzz_$t" -merge=1 -timeout=10 -rss_limit_mb=2048 -max_len=1100000 \
		    "tests/fuzz/corpus/$t" "$out/corpus_$t" >"$out/merge_$t.log" 2>&1 ||
		    { result="$result merge-failed"; status=1; }
	fi
	files=$(find "tests/fuzz/corpus/$t" -type f | wc -l)
	bytes=$(du -sb "tests/fuzz/corpus/$t" | cut -f1)
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$wall" "$(echo "${cpu:-0+0}" | awk -F+ '{print $1 + $2}')" \
	    "${execs:-?}" "$files" "$bytes" "$result" | tee -a "$out/campaign.tsv"
done
exit $status
