#!/bin/sh
# soak.sh - the soak benchmark (issue 12; not part of make check): many
# messages through one authmilter daemon while the DNS behind it fails
# every minute, with the daemon's RSS, thread count and open descriptors
# sampled into a CSV and checked to stay flat.
#
# Steps:
#   1. Makes the benchmark corpus if it is not there (as run.sh does, in
#      BENCH_CORPUS) and a copy of its zone whose TTLs are SOAK_TTL seconds,
#      so that unbound's cache and the daemon's own answer cache expire
#      during the run and the daemon keeps asking the DNS.
#   2. Starts a private nsd serving that zone and unbound in front of it
#      (cache-max-ttl SOAK_TTL), both on free ports of 127.0.0.1, then
#      authmilter (Nameservers: that unbound).
#   3. Sends SOAK_MESSAGES messages with tests/bench/milterbench
#      (concurrency SOAK_CONC, TCP quick-ack), the corpus over and over.
#      Every SOAK_FAULT_EVERY seconds a DNS fault is injected for
#      SOAK_FAULT_SECS seconds, in turn: unbound stopped (no answer at all:
#      timeouts), then nsd stopped (unbound answers SERVFAIL for what its
#      cache lacks); then the server is started again on the same port.
#   4. Every SOAK_SAMPLE seconds writes a line to SOAK_OUT/soak.csv: seconds
#      since the start, the daemon's VmRSS (kB), Threads, open descriptors,
#      and the fault in force.  SOAK_OUT/verdicts.tsv has what each message
#      of the corpus's first pass got (milterbench -o).
#   5. The check: after the warm-up (the first SOAK_WARMUP seconds), the
#      means over the last quarter of the samples of the RSS, the thread
#      count and the descriptor count are each at most 10 % above their
#      means over the first quarter (means, not peaks: the thread and
#      descriptor counts follow the connections and DNS queries in flight
#      at the instant of a sample, so a single sample's peak says little,
#      while a leak raises every sample after it and so the mean); and the
#      daemon is still running.  Prints PASS or FAIL (exit status 0 or 1)
#      and writes SOAK_OUT/soak.txt (the figures and milterbench's summary).
#
# Messages answered with a temporary failure while the DNS is down are
# expected; milterbench's summary counts the actions.
#
# Environment (defaults): SOAK_MESSAGES (5000000) SOAK_CONC (8)
# SOAK_FAULT_EVERY (60) SOAK_FAULT_SECS (5) SOAK_SAMPLE (10) SOAK_WARMUP
# (120) SOAK_TTL (10) SOAK_OUT (soak-results) BENCH_CORPUS (bench-corpus)
# BENCH_MESSAGES BENCH_DOMAINS BENCH_SEED (as run.sh: the corpus).
# Run it under nice on a shared machine (it keeps both CPUs busy: about 45
# minutes for 5,000,000 messages at 2,000 msg/s).  Bounded: milterbench
# stops after SOAK_MESSAGES messages, or after SOAK_MAX_SECS (86400)
# seconds at the latest.  Stops only the processes it started, by PID.
set -u
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
SOAK_MESSAGES=${SOAK_MESSAGES:-5000000}
SOAK_CONC=${SOAK_CONC:-8}
SOAK_FAULT_EVERY=${SOAK_FAULT_EVERY:-60}
SOAK_FAULT_SECS=${SOAK_FAULT_SECS:-5}
SOAK_SAMPLE=${SOAK_SAMPLE:-10}
SOAK_WARMUP=${SOAK_WARMUP:-120}
SOAK_TTL=${SOAK_TTL:-10}
SOAK_MAX_SECS=${SOAK_MAX_SECS:-86400}
SOAK_OUT=${SOAK_OUT:-$top_builddir/soak-results}
BENCH_CORPUS=${BENCH_CORPUS:-$top_builddir/bench-corpus}
BENCH_MESSAGES=${BENCH_MESSAGES:-10000}
BENCH_DOMAINS=${BENCH_DOMAINS:-200}
BENCH_SEED=${BENCH_SEED:-1}
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
PATH="$PATH:/usr/sbin:/sbin"
bench="$top_builddir/tests/bench"
milter="$top_builddir/milter/authmilter"
say() { echo "soak: $*"; }
die() { echo "soak: $*" >&2; exit 2; }

if [ ! -x "$milter" ] || [ ! -x "$bench/milterbench" ]; then
	die "build first (make)"
fi
for tool in nsd unbound drill "$PY"; do
	command -v "$tool" >/dev/null 2>&1 ||
		die "$tool missing (tests/bench/run.sh installs what the benchmark needs)"
done
mkdir -p "$SOAK_OUT" || die "cannot make $SOAK_OUT"
tmp=$(mktemp -d /tmp/authmilter-soak.XXXXXX) || die "mktemp"
apid="" upid="" nspid="" mbpid=""
cleanup() {
	for p in $mbpid $apid $upid $nspid; do
		kill "$p" 2>/dev/null
	done
	for p in $mbpid $apid $upid $nspid; do
		i=0
		while [ $i -lt 50 ] && kill -0 "$p" 2>/dev/null; do
			sleep 0.1; i=$((i + 1))
		done
	done
	[ -n "${SOAK_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 2" INT TERM HUP

# free_port - an unused TCP and UDP port on 127.0.0.1.
free_port() {
	"$PY" -c 'import socket
while True:
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass'
}

# wait_pidfile FILE - its PID once the daemon wrote it, or fail.
wait_pidfile() {
	i=0
	while [ $i -lt 100 ]; do
		if [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; then
			cat "$1"
			return 0
		fi
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# stop PID - stop a process of ours and wait until it is gone.
stop() {
	kill "$1" 2>/dev/null
	i=0
	while [ $i -lt 100 ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
}

# ------------------------------------------------------------ 1. corpus
gen="$top_srcdir/tests/bench/gen_corpus.py"
stamp="seed=$BENCH_SEED messages=$BENCH_MESSAGES domains=$BENCH_DOMAINS gen=$(md5sum <"$gen" | cut -c1-12)"
if [ "$(cat "$BENCH_CORPUS/stamp" 2>/dev/null)" != "$stamp" ]; then
	say "making the corpus ($stamp) in $BENCH_CORPUS"
	rm -rf "$BENCH_CORPUS"
	"$PY" "$gen" "$BENCH_CORPUS" --messages "$BENCH_MESSAGES" --domains "$BENCH_DOMAINS" \
	    --seed "$BENCH_SEED" >"$tmp/gen.log" 2>&1 || { cat "$tmp/gen.log"; die "gen_corpus.py failed"; }
	echo "$stamp" >"$BENCH_CORPUS/stamp"
fi
mkdir -p "$tmp/nsd" "$tmp/unbound"
# The zone with short TTLs: $TTL and the SOA's negative-caching minimum.
sed -e "s/^\\\$TTL .*/\$TTL $SOAK_TTL/" \
    -e "/ SOA /s/ [0-9][0-9]*\$/ $SOAK_TTL/" "$BENCH_CORPUS/zone.db" >"$tmp/nsd/zone.db" ||
	die "cannot copy the zone"

# ------------------------------------------------------------ 2. servers
nsport=$(free_port)
cat >"$tmp/nsd/nsd.conf" <<CONF
server:
	ip-address: 127.0.0.1@$nsport
	port: $nsport
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "$tmp/nsd"
	pidfile: "$tmp/nsd/nsd.pid"
	logfile: "$tmp/nsd/nsd.log"
	database: ""
	zonelistfile: "$tmp/nsd/zone.list"
	xfrdfile: "$tmp/nsd/xfrd.state"
	xfrdir: "$tmp/nsd"
	server-count: 1
	verbosity: 1
	rrl-ratelimit: 0
	rrl-whitelist-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: "example"
	zonefile: "$tmp/nsd/zone.db"
CONF
# start_nsd - nsd on nsport; sets nspid.
start_nsd() {
	rm -f "$tmp/nsd/nsd.pid"
	nsd -c "$tmp/nsd/nsd.conf" >>"$tmp/nsd/nsd.log" 2>&1 || die "nsd did not start"
	nspid=$(wait_pidfile "$tmp/nsd/nsd.pid") || die "nsd wrote no pid file"
}

uport=$(free_port)
cat >"$tmp/unbound/unbound.conf" <<CONF
server:
	interface: 127.0.0.1
	port: $uport
	do-ip6: no
	username: ""
	chroot: ""
	directory: "$tmp/unbound"
	pidfile: "$tmp/unbound/unbound.pid"
	logfile: "$tmp/unbound/unbound.log"
	use-syslog: no
	num-threads: 1
	do-not-query-localhost: no
	module-config: "iterator"
	access-control: 127.0.0.0/8 allow
	cache-max-ttl: $SOAK_TTL
	cache-max-negative-ttl: $SOAK_TTL
	infra-host-ttl: 5
stub-zone:
	name: "example."
	stub-addr: 127.0.0.1@$nsport
remote-control:
	control-enable: no
CONF
# start_unbound - unbound on uport, answering; sets upid.
start_unbound() {
	unbound -d -c "$tmp/unbound/unbound.conf" >>"$tmp/unbound/stderr" 2>&1 &
	upid=$!
	i=0
	until drill -p "$uport" @127.0.0.1 ns.example A 2>/dev/null | grep -q "127.0.0.1"; do
		i=$((i + 1))
		[ $i -lt 100 ] || die "unbound does not answer (see $tmp/unbound/unbound.log)"
		sleep 0.1
	done
}
start_nsd
start_unbound

aport=$(free_port)
cat >"$tmp/authmilter.conf" <<CONF
Socket			inet:$aport@127.0.0.1
PidFile			$tmp/authmilter.pid
AuthservID		mx.bench.example
Nameservers		127.0.0.1@$uport
HoldQuarantinedMessages	yes
CONF
"$milter" -c "$tmp/authmilter.conf" || die "authmilter did not start"
apid=$(wait_pidfile "$tmp/authmilter.pid") || die "authmilter wrote no PidFile"
say "nsd $nspid (port $nsport), unbound $upid (port $uport), authmilter $apid (port $aport)"

# ------------------------------------------------------------ 3. load
uptime >"$tmp/uptime-before"
version="$("$milter" -V) ($(cd "$top_srcdir" && git rev-parse --short HEAD 2>/dev/null || echo "no git"))"
"$bench/milterbench" -f "$BENCH_CORPUS/corpus.dat" -n "$SOAK_MESSAGES" -c "$SOAK_CONC" -q \
    -l soak -m "inet:$aport@127.0.0.1" -p "authmilter=$apid" -t 30 \
    -o "$SOAK_OUT/verdicts.tsv" >"$SOAK_OUT/milterbench.txt" 2>&1 &
mbpid=$!

# ------------------------------------------------------------ 4. faults, samples
csv="$SOAK_OUT/soak.csv"
echo "seconds,rss_kb,threads,fds,fault" >"$csv"
start=$(date +%s)
fault="none" fault_end=0 next_fault=$((start + SOAK_FAULT_EVERY)) kind=0 faults=0
next_sample=$start
while kill -0 "$mbpid" 2>/dev/null; do
	now=$(date +%s)
	[ $((now - start)) -lt "$SOAK_MAX_SECS" ] || { say "SOAK_MAX_SECS reached"; stop "$mbpid"; break; }
	if [ "$fault" = none ] && [ "$now" -ge "$next_fault" ]; then
		if [ $kind -eq 0 ]; then fault="unbound-stopped"; stop "$upid"
		else fault="nsd-stopped"; stop "$nspid"; fi
		fault_end=$((now + SOAK_FAULT_SECS))
		faults=$((faults + 1))
	elif [ "$fault" != none ] && [ "$now" -ge "$fault_end" ]; then
		if [ $kind -eq 0 ]; then start_unbound; else start_nsd; fi
		fault="none"
		kind=$((1 - kind))
		next_fault=$((now + SOAK_FAULT_EVERY))
	fi
	if [ "$now" -ge "$next_sample" ]; then
		kill -0 "$apid" 2>/dev/null || { say "authmilter is gone"; break; }
		rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$apid/status")
		thr=$(awk '/^Threads:/ { print $2 }' "/proc/$apid/status")
		fds=$(find "/proc/$apid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
		echo "$((now - start)),$rss,$thr,$fds,$fault" >>"$csv"
		next_sample=$((next_sample + SOAK_SAMPLE))
	fi
	sleep 1
done
wait "$mbpid"
mbrc=$?
mbpid=""
[ "$fault" = unbound-stopped ] && start_unbound
[ "$fault" = nsd-stopped ] && start_nsd
uptime >"$tmp/uptime-after"
alive=no
kill -0 "$apid" 2>/dev/null && alive=yes

# ------------------------------------------------------------ 5. check
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "authmilter: $version"
	echo "messages: $SOAK_MESSAGES, concurrency $SOAK_CONC, TTL $SOAK_TTL s"
	echo "faults: $faults ($SOAK_FAULT_SECS s every $SOAK_FAULT_EVERY s, unbound and nsd stopped in turn)"
	echo "milterbench exit status: $mbrc"
	echo "authmilter still running: $alive"
	echo "load before: $(cat "$tmp/uptime-before")"
	echo "load after: $(cat "$tmp/uptime-after")"
	grep -v '^RESULT' "$SOAK_OUT/milterbench.txt"
} >"$SOAK_OUT/soak.txt"
"$PY" - "$csv" "$SOAK_WARMUP" "$alive" >>"$SOAK_OUT/soak.txt" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if int(r["seconds"]) >= int(sys.argv[2])]
ok = sys.argv[3] == "yes"
if len(rows) < 8:
    print("samples after the warm-up: %d, too few to judge (run longer)" % len(rows))
    ok = False
else:
    q = len(rows) // 4
    mean = lambda v: sum(v) / len(v)
    for key in ("rss_kb", "threads", "fds"):
        first = mean([float(r[key]) for r in rows[:q]])
        last = mean([float(r[key]) for r in rows[-q:]])
        vals = [float(r[key]) for r in rows]
        good = last <= first * 1.10
        ok = ok and good
        print("%s: mean over the first quarter %.1f, over the last quarter %.1f (x%.3f), "
              "min %.0f, max %.0f: %s" % (key, first, last, last / first if first else 0,
                                          min(vals), max(vals), "flat" if good else "GROWS"))
    print("samples after the warm-up: %d" % len(rows))
print("PASS" if ok else "FAIL")
PY
cat "$SOAK_OUT/soak.txt"
tail -1 "$SOAK_OUT/soak.txt" | grep -q PASS
