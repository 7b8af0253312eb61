#!/bin/sh
# ab.sh OLD NEW [ROUNDS] - the cost of a change on the per-message path:
# two builds of the daemon (OLD and NEW: paths of milter/authmilter) on the
# same corpus (the fault tests' 300 messages), the same DNS (a private nsd)
# and the same configuration (HistoryFile on: the record is part of the
# path), taking turns ROUNDS times (default 5) so that both see the same
# machine; each turn a fresh daemon, a warm-up of 300 messages, then
# AB_MESSAGES (default 6000) at concurrency 8.  Prints each turn's rate
# and the medians, and NEW's median as a ratio of OLD's.  A quick check
# beside "make bench", not a replacement: run it on a quiet machine.
# Every process it starts is stopped by PID.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
[ $# -ge 2 ] || { echo "usage: ab.sh OLD-AUTHMILTER NEW-AUTHMILTER [ROUNDS]" >&2; exit 1; }
old=$1 new=$2 rounds=${3:-5} msgs=${AB_MESSAGES:-6000}
for b in "$old" "$new"; do
	[ -x "$b" ] || { echo "ab.sh: $b is not an executable" >&2; exit 1; }
done
. "$top_srcdir/tests/faults/lib.sh"	# sets tmp, removed on exit

make_corpus
start_dns
# turn BINARY LABEL - one turn: start, warm up, measure, stop; prints the rate.
turn() {
	milter=$1
	: >"$tmp/milter.log"
	started=0
	start_milter "HistoryFile		$tmp/history"
	load "warm-$2" 300 8
	load "$2" "$msgs" 8
	kill "$mpid"
	wait "$mpid" 2>/dev/null
	[ "$(wrong "$2")" = 0 ] || echo "ab.sh: $2: $(wrong "$2") wrong verdicts" >&2
	result "$2" mps
}
i=1
while [ "$i" -le "$rounds" ]; do
	a=$(turn "$old" "old$i")
	b=$(turn "$new" "new$i")
	echo "round $i: old $a msg/s, new $b msg/s"
	echo "$a" >>"$tmp/old.rates"
	echo "$b" >>"$tmp/new.rates"
	i=$((i + 1))
done
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mo=$(median "$tmp/old.rates")
mn=$(median "$tmp/new.rates")
echo "median: old $mo msg/s, new $mn msg/s, new/old $(echo "scale=3; $mn / $mo" | bc)"
