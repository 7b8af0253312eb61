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
#
# BENCH_PG=1 (as root, Debian's postgresql 15 installed) then does the
# same on PostgreSQL for BENCH_HOSTS simulated hosts (default 3): a
# private cluster started in BENCH_DIR exactly as tests/reports/pg.sh does
# (initdb and pg_ctl as the user postgres, 127.0.0.1, a free port, its own
# socket directory; stopped with pg_ctl at the end), one history file of
# RECORDS records per host (seeds 101, 103, ...: different first lines),
# the hosts' imports run at once into one database (each under GNU time:
# per-host wall time and records/s), then one aggregate.  BENCH_SQLITE=0
# leaves the SQLite part out.
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
fi
pg_started=""
# cleanup - stop the private PostgreSQL (when started) and remove the temporary directory.
cleanup() {
	[ -n "$pg_started" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir/pg/data" stop -m fast >/dev/null 2>&1
	[ -n "${BENCH_DIR:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT
trap "exit 1" INT TERM HUP
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
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

# rate WALL-CLOCK N - records per second for GNU time's "h:mm:ss" or "m:ss.ss".
rate() {
	echo "$1" | awk -F: -v n="$2" '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.0f", n / s }'
}
echo "machine: $(nproc) CPUs, $(uname -r), load average$(uptime | sed 's/.*load average//')"
if [ "${BENCH_SQLITE:-1}" = 1 ]; then
echo "reports_bench: $records records, $domains policy domains, $ips client addresses per domain, one UTC day"
start=$(date +%s)
"$GEN" -s 1 -t $T0 -p 86400 -d "$domains" -i "$ips" "$records" >"$dir/history"
echo "history: $(wc -c <"$dir/history" | tr -d ' ') bytes, $(wc -l <"$dir/history" | tr -d ' ') lines (made in $(($(date +%s) - start)) s)"
measure "import" "$R" -q -c "$dir/conf" --now $NOW import
measure "aggregate" "$R" -q -c "$dir/conf" --now $NOW aggregate
measure "import again (no-op)" "$R" -q -c "$dir/conf" --now $NOW import
echo "store: $(du -k "$dir/reports.db" | cut -f1) KiB"
echo "reports: $(ls "$dir/spool/outgoing"/*.xml.gz | wc -l | tr -d ' ') files, $(du -ck "$dir/spool/outgoing"/*.xml.gz | tail -1 | cut -f1) KiB gzipped"
fi

[ "${BENCH_PG:-0}" = 1 ] || exit 0
# ---------------------------------------------------------------- PostgreSQL, several hosts at once
hosts=${BENCH_HOSTS:-3}
[ "$(id -u)" -eq 0 ] && [ -x "$PGBIN/initdb" ] || { echo "reports_bench: BENCH_PG=1 needs root and $PGBIN" >&2; exit 1; }
pg() { runuser -u postgres -- "$@"; }
rm -rf "$dir/pg"
mkdir -p "$dir/pg/sock"
chown -R postgres "$dir/pg"
chmod 755 "$dir"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pg "$PGBIN/initdb" -D "$dir/pg/data" >"$dir/pg/initdb.log" 2>&1 || { tail -5 "$dir/pg/initdb.log" >&2; exit 1; }
pg "$PGBIN/pg_ctl" -D "$dir/pg/data" -o "-k $dir/pg/sock -h 127.0.0.1 -p $PORT" \
	-l "$dir/pg/log" -w start >/dev/null && pg_started=1
pg "$PGBIN/createdb" -h "$dir/pg/sock" -p "$PORT" reports
rm -rf "$dir/pgspool"
sed -e "s|^ReportDatabase.*|ReportDatabase		postgresql://postgres@127.0.0.1:$PORT/reports|" \
	-e "s|^ReportSpool.*|ReportSpool		$dir/pgspool|" "$dir/conf" >"$dir/pgconf"
echo "reports_bench: PostgreSQL 15, $hosts hosts importing at once, $records records each, $domains policy domains, $ips client addresses per domain, one UTC day"
k=1
while [ $k -le "$hosts" ]; do
	"$GEN" -s $((99 + 2 * k)) -t $T0 -p 86400 -d "$domains" -i "$ips" "$records" >"$dir/history.$k"
	k=$((k + 1))
done
# Create the schema first (an empty import), so that the hosts' runs time only their imports.
: >"$dir/empty"
"$R" -q -c "$dir/pgconf" --now $NOW import "$dir/empty" 2>/dev/null
sync
start=$(date +%s.%N)
k=1
while [ $k -le "$hosts" ]; do
	"$TIME" -v -o "$dir/time.$k" "$R" -q -c "$dir/pgconf" --now $NOW import "$dir/history.$k" 2>"$dir/err.$k" &
	eval "pid$k=\$!"
	k=$((k + 1))
done
failed=0
k=1
while [ $k -le "$hosts" ]; do
	eval "wait \$pid$k" || { echo "reports_bench: host $k's import failed:" >&2; tail -5 "$dir/err.$k" >&2; failed=1; }
	k=$((k + 1))
done
end=$(date +%s.%N)
[ $failed = 0 ] || exit 1
k=1
while [ $k -le "$hosts" ]; do
	wall=$(sed -n 's/.*Elapsed (wall clock).*: //p' "$dir/time.$k")
	awk -v label="import host $k" -v rate="$(rate "$wall" "$records")" -F': ' '
		/Elapsed \(wall clock\)/ { wall = $2 }
		/User time/ { user = $2 }
		/System time/ { sys = $2 }
		/Maximum resident set size/ { rss = $2 }
		END { printf "%-22s wall %s  %s records/s  user %ss  sys %ss  peak RSS %.1f MiB\n", label, wall, rate, user, sys, rss / 1024 }
	' "$dir/time.$k"
	grep -E 'import: ' "$dir/err.$k" | sed 's/^authmilter-reports: /    /'
	k=$((k + 1))
done
echo "$start $end $records $hosts" | awk '{ t = $2 - $1; printf "all %d hosts: %.1f s, %.0f records/s together\n", $4, t, $3 * $4 / t }'
measure "aggregate (PostgreSQL)" "$R" -q -c "$dir/pgconf" --now $NOW aggregate
echo "store: $(pg psql -h "$dir/pg/sock" -p "$PORT" -d reports -Atqc "SELECT pg_database_size('reports') / 1024") KiB," \
	"$(pg psql -h "$dir/pg/sock" -p "$PORT" -d reports -Atqc "SELECT COUNT(*) FROM message") messages"
echo "reports: $(ls "$dir/pgspool/outgoing"/*.xml.gz | wc -l | tr -d ' ') files"
