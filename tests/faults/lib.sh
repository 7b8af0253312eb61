# lib.sh - shared by the fault tests (tests/faults/*.sh), sourced, not run.
#
# Each test: the real daemon (milter/authmilter) on a free loopback port,
# resolving through tests/faults/dnsproxy.py (a fault-injecting UDP
# forwarder) in front of a private nsd (tests/dns/nsd-start.sh) serving the
# benchmark corpus's zone; load from tests/bench/milterbench replaying that
# corpus (tests/bench/gen_corpus.py, made once per build tree and shared by
# the tests).  TAP output; every process started here is stopped by PID on
# exit.  Sets: src, milter, bench, PY, tmp; functions below.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
src="$top_srcdir/tests/faults"
# FAULTS_MILTER: another build of the daemon (to see a test fail on a broken one).
milter="${FAULTS_MILTER:-$top_builddir/milter/authmilter}"
bench="$top_builddir/tests/bench/milterbench"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
n=0
fail=0
pids=""
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); echo "not ok $n - $1"; fail=$((fail + 1)); }
check() { if eval "$2"; then ok "$1"; else notok "$1"; fi; }
note() { echo "# $*"; }
bail() { echo "Bail out! $*"; exit 1; }

# need TOOL... - skip the test (or bail out under CI) when a tool is missing.
need() {
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 && continue
		[ "${CI:-}" = true ] && bail "$t missing (run tests/deps.sh)"
		echo "1..0 # SKIP $t not installed (run tests/deps.sh)"
		exit 0
	done
}
need nsd "$PY"
[ -x "$milter" ] && [ -x "$bench" ] || bail "build milter/authmilter and tests/bench/milterbench first"

tmp=$(mktemp -d)
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		kill -0 "$p" 2>/dev/null && sleep 0.2 && kill -9 "$p" 2>/dev/null
	done
	sh "$top_srcdir/tests/dns/nsd-stop.sh" "$tmp/nsd" 2>/dev/null
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM HUP

# free_port - an unused TCP and UDP port on 127.0.0.1.
free_port() {
	"$PY" -c 'import socket
while True:
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); break
    except OSError:
        continue
print(p)'
}

# corpus - the shared corpus (300 messages, 30 domains, fixed seed) in
# $corpus, made once per build tree under a lock (tests may run in parallel).
corpus="$top_builddir/tests/faults/corpus"
make_corpus() {
	mkdir -p "$top_builddir/tests/faults"
	(
		flock 9
		if [ ! -s "$corpus/corpus.dat" ]; then
			rm -rf "$corpus.new"
			nice -n 5 "$PY" "$top_srcdir/tests/bench/gen_corpus.py" "$corpus.new" \
			    --messages 300 --domains 30 --seed 12 >"$tmp/gen.log" 2>&1 &&
			    mv "$corpus.new" "$corpus"
		fi
	) 9>"$top_builddir/tests/faults/corpus.lock"
	[ -s "$corpus/corpus.dat" ] || { cat "$tmp/gen.log"; bail "gen_corpus.py failed"; }
}

# start_dns [TTL] - nsd with the corpus zone (every TTL and the negative TTL
# set to TTL when given, so that caches expire within the test) behind
# dnsproxy.py; sets nsport, dport.  The proxy's mode: set_dns MODE.
start_dns() {
	if [ -n "${1:-}" ]; then
		sed -e "s/^\\\$TTL .*/\$TTL $1/" -e "/ SOA /s/ [0-9]*\$/ $1/" \
		    "$corpus/zone.db" >"$tmp/zone.db"
	else
		cp "$corpus/zone.db" "$tmp/zone.db"
	fi
	nsport=$(sh "$top_srcdir/tests/dns/nsd-start.sh" "$tmp/nsd" "$tmp/zone.db" example) ||
		bail "cannot start nsd"
	dport=$(free_port)
	echo pass >"$tmp/dnsmode"
	"$PY" "$src/dnsproxy.py" "$dport" "$nsport" "$tmp/dnsmode" "$tmp/dnsstats" \
	    2>"$tmp/dnsproxy.log" &
	pids="$pids $!"
	i=0
	while [ $i -lt 50 ] && ! grep -q ready "$tmp/dnsstats" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
	grep -q ready "$tmp/dnsstats" 2>/dev/null || bail "dnsproxy.py did not start"
}
set_dns() { echo "$1" >"$tmp/dnsmode"; }
# dns_count MODE - queries the proxy has seen in MODE.
dns_count() { awk -v m="$1" '$1 == m { print $2 }' "$tmp/dnsstats" | grep . || echo 0; }

# write_conf FILE [EXTRA] - the daemon's configuration (as the benchmark's;
# DNSTimeout and DNSBudget from $dns_timeout and $dns_budget, 5 and 10 s by
# default: the machine may be busy, and only dns.sh wants timeouts).
write_conf() {
	cat >"$1" <<CONF
# fault test configuration
Socket			inet:$mport@127.0.0.1
AuthservID		mx.bench.example
Nameservers		127.0.0.1@$dport
DNSTimeout		${dns_timeout:-5}
DNSBudget		${dns_budget:-10}
DNSFailAction		tempfail
Syslog			no
HoldQuarantinedMessages	yes
${2:-}
CONF
}

# start_milter [EXTRA-CONF [PORT]] - the daemon in the foreground (on PORT,
# else a free one); sets mport, mpid.
start_milter() {
	mport=${2:-$(free_port)}
	write_conf "$tmp/authmilter.conf" "${1:-}"
	: >>"$tmp/milter.log"
	"$milter" -f -c "$tmp/authmilter.conf" >>"$tmp/milter.log" 2>&1 &
	mpid=$!
	pids="$pids $mpid"
	i=0
	while [ $i -lt 100 ] && [ "$(grep -c "listening on inet:$mport" "$tmp/milter.log")" -lt "$((${started:-0} + 1))" ]; do
		kill -0 "$mpid" 2>/dev/null || break
		sleep 0.1; i=$((i + 1))
	done
	[ "$(grep -c "listening on inet:$mport" "$tmp/milter.log")" -gt "${started:-0}" ] ||
		{ sed 's/^/# /' "$tmp/milter.log"; bail "authmilter did not start"; }
	started=$(grep -c "listening on inet:$mport" "$tmp/milter.log")
}

# load LABEL COUNT CONC [FIRST] [TIMEOUT] - COUNT corpus messages from
# FIRST through the daemon; one line per message in $tmp/LABEL.tsv (id,
# kind, expected, final, reply, changes); the exit status is milterbench's.
load() {
	"$bench" -f "$corpus/corpus.dat" -m "inet:$mport@127.0.0.1" -n "$2" -c "$3" \
	    -s "${4:-0}" -t "${5:-30}" -l "$1" -o "$tmp/$1.tsv" >"$tmp/$1.out" 2>&1
}

# tally LABEL - "final count" lines of a load's results.
tally() { grep -v '^#' "$tmp/$1.tsv" | cut -f4 | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }'; }
# wrong LABEL - messages whose final action is not the expected one.
wrong() { awk -F'\t' '!/^#/ && $3 != $4' "$tmp/$1.tsv" | wc -l; }
# count_final LABEL FINAL - messages that ended in FINAL.
count_final() { awk -F'\t' -v f="$2" '$4 == f' "$tmp/$1.tsv" | wc -l; }
# lines LABEL - messages in the results.
lines() { grep -vc '^#' "$tmp/$1.tsv"; }
# result LABEL KEY - a value of milterbench's RESULT line (max: latency ms).
result() { sed -n "s/^RESULT .* $2=\([^ ]*\).*/\1/p" "$tmp/$1.out"; }

# proc_field PID FIELD - a field of /proc/PID/status (Threads, VmRSS kB).
proc_field() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
proc_fds() { ls "/proc/$1/fd" | wc -l; }
