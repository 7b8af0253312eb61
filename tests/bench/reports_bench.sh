#!/bin/sh
# reports_bench.sh - a benchmark, not a test: RECORDS history records
# (default 1,000,000, made by tests/bench/gen_history over one UTC day,
# DOMAINS policy domains (200), IPS client addresses per domain (50); a
# large IPS such as 1000000 makes nearly every message a report record of
# its own, the worst case for aggregate) imported into a fresh
# store and aggregated into reports (with the RFC 7489 twins), each step
# timed with GNU time (/usr/bin/time -v: wall clock, CPU, peak RSS); then
# the same import again (nothing new: the idempotence check's cost).
# Run from the build directory after "make check" (or make
# reports/authmilter-reports tests/bench/gen_history):
#     sh tests/bench/reports_bench.sh [RECORDS [DOMAINS [IPS]]]
# BENCH_DIR (default a new temporary directory, removed afterwards; kept
# when given) holds the history, the store and the spool.
set -eu
records=${1:-1000000}
domains=${2:-200}
ips=${3:-50}
: "${top_builddir:=.}"
R="$top_builddir/reports/authmilter-reports"
GEN="$top_builddir/tests/bench/gen_history"
TIME=/usr/bin/time
for f in "$R" "$GEN" "$TIME"; do
	[ -x "$f" ] || { echo "reports_bench: $f missing (make check; apt-get install time)" >&2; exit 1; }
done
if [ -n "${BENCH_DIR:-}" ]; then
	dir=$BENCH_DIR
	mkdir -p "$dir"
else
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
fi
T0=1795392000
NOW=$((T0 + 86400 + 3600))
rm -rf "$dir/reports.db" "$dir/reports.db-wal" "$dir/reports.db-shm" "$dir/spool"
cat >"$dir/conf" <<CONF
AuthservID		mx.example.net
ReportDatabase		$dir/reports.db
ReportSpool		$dir/spool
HistoryFile		$dir/history
ReportLegacyRFC7489	yes
CONF

# measure LABEL COMMAND... - run it under GNU time, print one line of figures.
# Dirty pages of the step before are written out first (sync, not timed):
# otherwise the first fsync of a step waits for them (ext4 data=ordered).
measure() {
	label=$1
	shift
	sync
	"$TIME" -v -o "$dir/time.out" "$@" 2>"$dir/cmd.err" || {
		echo "reports_bench: $label failed:" >&2
		tail -5 "$dir/cmd.err" >&2
		exit 1
	}
	awk -v label="$label" -F': ' '
		/Elapsed \(wall clock\)/ { wall = $2 }
		/User time/ { user = $2 }
		/System time/ { sys = $2 }
		/Maximum resident set size/ { rss = $2 }
		END { printf "%-22s wall %s  user %ss  sys %ss  peak RSS %.1f MiB\n", label, wall, user, sys, rss / 1024 }
	' "$dir/time.out"
	grep -E 'import: |aggregate: ' "$dir/cmd.err" | sed 's/^authmilter-reports: /    /'
}

echo "reports_bench: $records records, $domains policy domains, $ips client addresses per domain, one UTC day"
start=$(date +%s)
"$GEN" -s 1 -t $T0 -p 86400 -d "$domains" -i "$ips" "$records" >"$dir/history"
echo "history: $(wc -c <"$dir/history" | tr -d ' ') bytes, $(wc -l <"$dir/history" | tr -d ' ') lines (made in $(($(date +%s) - start)) s)"
measure "import" "$R" -q -c "$dir/conf" --now $NOW import
measure "aggregate" "$R" -q -c "$dir/conf" --now $NOW aggregate
measure "import again (no-op)" "$R" -q -c "$dir/conf" --now $NOW import
echo "store: $(du -k "$dir/reports.db" | cut -f1) KiB"
echo "reports: $(ls "$dir/spool/outgoing"/*.xml.gz | wc -l | tr -d ' ') files, $(du -ck "$dir/spool/outgoing"/*.xml.gz | tail -1 | cut -f1) KiB gzipped"
