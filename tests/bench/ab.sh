#!/bin/sh
# ab.sh OLD NEW [ROUNDS] - the cost of a change on the per-message path:
# two builds of the daemon (OLD and NEW: paths of milter/authmilter) on the
# same corpus (the fault tests' 300 messages), the same DNS (a private nsd)
# and the same configuration (HistoryFile on: the record is part of the
# path), taking turns ROUNDS times (default 5) so that both see the same
# machine; each turn a fresh daemon, a warm-up of 300 messages, then
# AB_MESSAGES (default 6000) at concurrency 8.  Prints each turn's rate
# and the medians, and NEW's median as a ratio of OLD's, for the rate and
# for the daemon's CPU time per message (user and system, from /proc).
# AB_OLD_CONF and AB_NEW_CONF: configuration lines added to each side's
# (OLD and NEW may then be the same binary: "MetricsSocket
# inet:9795@127.0.0.1" on one side measures the metrics); AB_SCRAPE_URL:
# fetched with curl every second while NEW is measured.  A quick check
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
# turn BINARY LABEL CONF [URL] - one turn: start, warm up, measure, stop;
# prints the rate and the CPU ms per message.
turn() {
	milter=$1
	: >"$tmp/milter.log"
	started=0
	start_milter "HistoryFile		$tmp/history
$3"
	load "warm-$2" 300 8
	"$bench" -f "$corpus/corpus.dat" -m "inet:$mport@127.0.0.1" -n "$msgs" -c 8 \
	    -t 30 -l "$2" -p "authmilter=$mpid" -o "$tmp/$2.tsv" >"$tmp/$2.out" 2>&1 &
	bpid=$!
	while [ -n "${4:-}" ] && kill -0 "$bpid" 2>/dev/null; do
		curl -sf --max-time 5 -o /dev/null "$4" || echo "ab.sh: $2: scrape failed" >&2
		sleep 1
	done
	wait "$bpid"
	kill "$mpid"
	wait "$mpid" 2>/dev/null
	[ "$(wrong "$2")" = 0 ] || echo "ab.sh: $2: $(wrong "$2") wrong verdicts" >&2
	echo "$(result "$2" mps) $(result "$2" cpu.authmilter)"
}
i=1
while [ "$i" -le "$rounds" ]; do
	a=$(turn "$old" "old$i" "${AB_OLD_CONF:-}")
	b=$(turn "$new" "new$i" "${AB_NEW_CONF:-}" "${AB_SCRAPE_URL:-}")
	echo "round $i: old ${a% *} msg/s ${a#* } ms CPU/msg, new ${b% *} msg/s ${b#* } ms CPU/msg"
	echo "${a% *}" >>"$tmp/old.rates"
	echo "${b% *}" >>"$tmp/new.rates"
	echo "${a#* }" >>"$tmp/old.cpu"
	echo "${b#* }" >>"$tmp/new.cpu"
	i=$((i + 1))
done
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
mo=$(median "$tmp/old.rates")
mn=$(median "$tmp/new.rates")
co=$(median "$tmp/old.cpu")
cn=$(median "$tmp/new.cpu")
echo "median: old $mo msg/s, new $mn msg/s, new/old $(echo "scale=3; $mn / $mo" | bc)"
echo "median CPU per message: old $co ms, new $cn ms, new/old $(echo "scale=3; $cn / $co" | bc)"
