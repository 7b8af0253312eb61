#!/bin/sh
# run.sh - the benchmark ("make bench", issue 6): authmilter, a do-nothing
# libmilter filter (the floor) and Debian's OpenDKIM (verify) -> OpenDMARC
# on the same corpus, the same DNS, in one run; writes BENCH_OUT/summary.md
# (the table and the ratios of doc/PERFORMANCE.md) and the raw results.
#
# Steps:
#   1. As root, installs what is missing (unbound, opendkim, opendmarc, nsd,
#      python3-dkim, python3-nacl, publicsuffix) with apt-get, and re-runs
#      itself in a private network and mount namespace (unshare): its own
#      loopback, where nothing of the machine's can interfere, and where
#      OpenDMARC, which resolves through /etc/resolv.conf only, is given a
#      private resolv.conf by a bind mount naming our resolver at
#      127.0.0.1:53.  Without root or unshare, everything runs on free
#      ports of the machine's loopback and the OpenDKIM -> OpenDMARC chain
#      is left out (OpenDMARC cannot be pointed at our resolver there).
#   2. Makes the corpus (tests/bench/gen_corpus.py; kept in BENCH_CORPUS
#      and made again only when the seed, size or generator change).
#   3. Starts a private nsd serving the corpus zone (rate limiting off)
#      and unbound in front of it (a stub zone, do-not-query-localhost:
#      no), then authmilter (Nameservers 127.0.0.1@PORT), the do-nothing
#      filter (tests/bench/nullfilter), OpenDKIM (Mode v, Nameservers) and
#      OpenDMARC (SPFSelfValidate, RejectFailures, HoldQuarantinedMessages),
#      all on 127.0.0.1; every daemon logs to syslog, which (there being no
#      syslog daemon here) drops the lines for all of them alike.
#   4. Replays the corpus once through authmilter and once through the
#      chain to fill the DNS caches, then with tests/bench/milterbench,
#      each run after a warm-up of BENCH_WARMUP messages: at concurrency 8 with quick-ack
#      the three contenders in turn (and the do-nothing filter once more,
#      negotiating the no-reply protocol steps: nullfilter -r),
#      BENCH_REPEAT times (medians reported);
#      authmilter and the do-nothing filter at concurrency 8, 64 and 512
#      back to back, BENCH_REPEAT times, with the futex calls and context
#      switches of the filter counted by perf stat when it can; all three without quick-ack at
#      concurrency 8 and 1 (what an MTA sees); then a fresh authmilter for
#      BENCH_RSS_MESSAGES messages with its RSS taken at 100,000 and at the
#      end.  The per-message verdicts of authmilter and of the chain are
#      kept (verdicts-*.tsv) and compared with the corpus's expectations.
#   5. tests/bench/report.py writes summary.md; uptime before and after.
#
# Environment (defaults): BENCH_MESSAGES (10000) BENCH_DOMAINS (200)
# BENCH_SEED (1) BENCH_REPEAT (3) BENCH_WARMUP (1000) BENCH_NOQA_MESSAGES
# (2000: runs without quick-ack) BENCH_C1_MESSAGES (1000: concurrency 1)
# BENCH_RSS_MESSAGES (1000000; 0 skips it) BENCH_CHAIN (yes)
# BENCH_OUT (bench-results) BENCH_CORPUS (bench-corpus) BENCH_INSTALL (yes)
# BENCH_AUTHMILTER_CONF ("": more lines for authmilter's configuration, e.g.
# "ARCVerify no", to measure what a feature costs)
# BENCH_RUNS ("compare scale noqa rss": the groups of runs above; "perf" and
# "callgrind" add profiles of authmilter, BENCH_OUT/perf-authmilter.txt and
# callgrind-authmilter*.txt) BENCH_SCALE_C ("8 64 512": the concurrencies
# of the scale runs) BENCH_PERF_C ("8": the concurrencies profiled by the
# perf group, BENCH_OUT/perf-authmilter-cN.txt beyond 8) BENCH_PERF_ARGS
# ("-F 1999 -g": what perf record samples, e.g. "-e page-faults
# --call-graph dwarf" for where the daemon faults pages in)
# BENCH_AUTHMILTER_WRAP ("": environment settings and a command that starts
# authmilter, e.g. "prlimit --stack=1048576 --" or
# "GLIBC_TUNABLES=glibc.pthread.stack_cache_size=0x40000000").
# Stops only the processes it started, by PID.
set -u
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
BENCH_MESSAGES=${BENCH_MESSAGES:-10000}
BENCH_DOMAINS=${BENCH_DOMAINS:-200}
BENCH_SEED=${BENCH_SEED:-1}
BENCH_REPEAT=${BENCH_REPEAT:-3}
BENCH_WARMUP=${BENCH_WARMUP:-1000}
BENCH_NOQA_MESSAGES=${BENCH_NOQA_MESSAGES:-2000}
BENCH_C1_MESSAGES=${BENCH_C1_MESSAGES:-1000}
BENCH_RSS_MESSAGES=${BENCH_RSS_MESSAGES:-1000000}
BENCH_CHAIN=${BENCH_CHAIN:-yes}
BENCH_OUT=${BENCH_OUT:-$top_builddir/bench-results}
BENCH_CORPUS=${BENCH_CORPUS:-$top_builddir/bench-corpus}
BENCH_INSTALL=${BENCH_INSTALL:-yes}
BENCH_AUTHMILTER_CONF=${BENCH_AUTHMILTER_CONF:-}
BENCH_RUNS=${BENCH_RUNS:-compare scale noqa rss}
BENCH_SCALE_C=${BENCH_SCALE_C:-8 64 512}
BENCH_PERF_C=${BENCH_PERF_C:-8}
BENCH_PERF_ARGS=${BENCH_PERF_ARGS:--F 1999 -g}
BENCH_AUTHMILTER_WRAP=${BENCH_AUTHMILTER_WRAP:-}
export BENCH_RUNS
export top_srcdir top_builddir BENCH_MESSAGES BENCH_DOMAINS BENCH_SEED BENCH_REPEAT \
	BENCH_WARMUP BENCH_NOQA_MESSAGES BENCH_C1_MESSAGES BENCH_RSS_MESSAGES BENCH_CHAIN \
	BENCH_OUT BENCH_CORPUS BENCH_INSTALL BENCH_AUTHMILTER_CONF BENCH_SCALE_C \
	BENCH_PERF_C BENCH_PERF_ARGS BENCH_AUTHMILTER_WRAP
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
PATH="$PATH:/usr/sbin:/sbin"
bench="$top_builddir/tests/bench"
milter="$top_builddir/milter/authmilter"
say() { echo "bench: $*"; }
die() { echo "bench: $*" >&2; exit 1; }

# install_missing - the Debian packages of the benchmark, as root.
install_missing() {
	pkgs="unbound opendkim opendmarc nsd python3-dkim python3-nacl publicsuffix ldnsutils"
	missing=""
	for p in $pkgs; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	say "installing$missing"
	# OpenDMARC's package asks for a MySQL reports database: not wanted.
	echo "opendmarc opendmarc/dbconfig-install boolean false" | debconf-set-selections
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null ||
		die "apt-get install$missing failed"
}

# ------------------------------------------------------------ 1. namespace
if [ -z "${BENCH_NETNS:-}" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		[ "$BENCH_INSTALL" = yes ] && install_missing
		if unshare --net --mount true 2>/dev/null; then
			BENCH_NETNS=yes exec unshare --net --mount sh "$0" "$@"
		fi
		say "unshare failed: running on the machine's loopback, without the chain"
	else
		say "not root: no package installation, no private namespace, no chain"
	fi
	BENCH_NETNS=no
	BENCH_CHAIN=no
fi
[ -x "$milter" ] && [ -x "$bench/milterbench" ] && [ -x "$bench/nullfilter" ] ||
	die "build first (make), then make bench"
for tool in nsd unbound "$PY"; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool missing (run as root, or install it)"
done
"$PY" -c 'import dkim, nacl' 2>/dev/null || die "python3-dkim or python3-nacl missing"
if [ "$BENCH_CHAIN" = yes ]; then
	for tool in opendkim opendmarc; do
		command -v "$tool" >/dev/null 2>&1 || { say "$tool missing: no chain"; BENCH_CHAIN=no; }
	done
fi

mkdir -p "$BENCH_OUT" || die "cannot make $BENCH_OUT"
tmp=$(mktemp -d /tmp/authmilter-bench.XXXXXX) || die "mktemp"
pids=""
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	for p in $pids; do
		i=0
		while [ $i -lt 50 ] && kill -0 "$p" 2>/dev/null; do
			sleep 0.1; i=$((i + 1))
		done
	done
	sh "$top_srcdir/tests/dns/nsd-stop.sh" "$tmp/nsd"
	[ -n "${BENCH_KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 1" INT TERM HUP

if [ "$BENCH_NETNS" = yes ]; then
	ip link set lo up || die "ip link set lo up"
	printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:2\n' >"$tmp/resolv.conf"
	mount --bind "$tmp/resolv.conf" /etc/resolv.conf || die "cannot bind-mount resolv.conf"
fi

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

# wait_port PORT - until something listens on 127.0.0.1:PORT (TCP).
wait_port() {
	"$PY" -c 'import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close(); sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)' "$1"
}

uptime >"$BENCH_OUT/uptime-before.txt"
say "load before: $(cat "$BENCH_OUT/uptime-before.txt")"

# ------------------------------------------------------------ 2. corpus
gen="$top_srcdir/tests/bench/gen_corpus.py"
stamp="seed=$BENCH_SEED messages=$BENCH_MESSAGES domains=$BENCH_DOMAINS gen=$(md5sum <"$gen" | cut -c1-12)"
corpus="$BENCH_CORPUS"
if [ "$(cat "$corpus/stamp" 2>/dev/null)" != "$stamp" ]; then
	say "making the corpus ($stamp) in $corpus"
	rm -rf "$corpus"
	"$PY" "$gen" "$corpus" --messages "$BENCH_MESSAGES" --domains "$BENCH_DOMAINS" \
	    --seed "$BENCH_SEED" 2>"$tmp/gen.log" || { cat "$tmp/gen.log"; die "gen_corpus.py failed"; }
	echo "$stamp" >"$corpus/stamp"
fi
cat "$corpus/corpus.txt"

# ------------------------------------------------------------ 3. servers
# start_nsd - nsd serving the corpus zone on a free port; sets nsport.
# As tests/dns/nsd-start.sh, but with response rate limiting off: Debian
# builds nsd with it (200 answers a second to one /24), and unbound filling
# its cache at a few hundred messages a second goes past that, gets
# truncated or dropped answers, and retries for seconds.
start_nsd() {
	nsport=$(free_port)
	mkdir -p "$tmp/nsd"
	cp "$corpus/zone.db" "$tmp/nsd/zone.db" || die "cannot copy the zone"
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
	nsd -c "$tmp/nsd/nsd.conf" >>"$tmp/nsd/nsd.log" 2>&1 || die "nsd did not start (see $tmp/nsd/nsd.log)"
	nspid=$(wait_pidfile "$tmp/nsd/nsd.pid") || die "nsd wrote no pid file"
}
start_nsd
if [ "$BENCH_NETNS" = yes ]; then uport=53; else uport=$(free_port); fi
mkdir -p "$tmp/unbound"
cat >"$tmp/unbound/unbound.conf" <<CONF
# The caching resolver in front of nsd: every milter asks it.
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
stub-zone:
	name: "example."
	stub-addr: 127.0.0.1@$nsport
remote-control:
	control-enable: no
CONF
unbound -d -c "$tmp/unbound/unbound.conf" >"$tmp/unbound/stderr" 2>&1 &
upid=$!
pids="$pids $upid"
i=0
until drill -p "$uport" @127.0.0.1 _dmarc.esp.example TXT 2>/dev/null | grep -q "DMARC1"; do
	i=$((i + 1))
	[ $i -lt 50 ] || die "unbound does not answer (see $tmp/unbound/unbound.log)"
	sleep 0.1
done
say "nsd on 127.0.0.1:$nsport, unbound on 127.0.0.1:$uport (pid $upid)"

# start_authmilter - a fresh daemon; sets apid and aport.
start_authmilter() {
	aport=$(free_port)
	cat >"$tmp/authmilter.conf" <<CONF
# authmilter for the benchmark: defaults, but for these.
Socket			inet:$aport@127.0.0.1
PidFile			$tmp/authmilter.pid
AuthservID		mx.bench.example
Nameservers		127.0.0.1@$uport
HoldQuarantinedMessages	yes
CONF
	[ -n "$BENCH_AUTHMILTER_CONF" ] && printf '%s\n' "$BENCH_AUTHMILTER_CONF" >>"$tmp/authmilter.conf"
	rm -f "$tmp/authmilter.pid"
	# shellcheck disable=SC2086
	env $BENCH_AUTHMILTER_WRAP "$milter" -c "$tmp/authmilter.conf" || die "authmilter did not start"
	apid=$(wait_pidfile "$tmp/authmilter.pid") || die "authmilter wrote no PidFile"
	pids="$pids $apid"
	wait_port "$aport" || die "authmilter does not listen on $aport"
}
start_authmilter

nport=$(free_port)
"$bench/nullfilter" "inet:$nport@127.0.0.1" >"$tmp/nullfilter.log" 2>&1 &
npid=$!
pids="$pids $npid"
wait_port "$nport" || die "nullfilter does not listen on $nport"
# The same do-nothing filter negotiating the "no reply" steps (-r).
rport=$(free_port)
"$bench/nullfilter" -r "inet:$rport@127.0.0.1" >"$tmp/nullfilter-r.log" 2>&1 &
rpid=$!
pids="$pids $rpid"
wait_port "$rport" || die "nullfilter -r does not listen on $rport"

if [ "$BENCH_CHAIN" = yes ]; then
	dport=$(free_port)
	cat >"$tmp/opendkim.conf" <<CONF
# OpenDKIM, verifying only.
Mode			v
Socket			inet:$dport@127.0.0.1
PidFile			$tmp/opendkim.pid
AuthservID		mx.bench.example
Nameservers		127.0.0.1
CONF
	opendkim -x "$tmp/opendkim.conf" || die "opendkim did not start"
	dkpid=$(wait_pidfile "$tmp/opendkim.pid") || die "opendkim wrote no PidFile"
	pids="$pids $dkpid"
	mport=$(free_port)
	cat >"$tmp/opendmarc.conf" <<CONF
# OpenDMARC after OpenDKIM, doing SPF itself, enforcing as authmilter does.
Socket			inet:$mport@127.0.0.1
PidFile			$tmp/opendmarc.pid
AuthservID		mx.bench.example
TrustedAuthservIDs	mx.bench.example
RejectFailures		true
HoldQuarantinedMessages	true
SPFSelfValidate		true
SPFIgnoreResults	true
PublicSuffixList	/usr/share/publicsuffix/public_suffix_list.dat
CONF
	opendmarc -c "$tmp/opendmarc.conf" || die "opendmarc did not start"
	dmpid=$(wait_pidfile "$tmp/opendmarc.pid") || die "opendmarc wrote no PidFile"
	pids="$pids $dmpid"
	wait_port "$dport" && wait_port "$mport" || die "opendkim or opendmarc does not listen"
	say "authmilter $apid, nullfilter $npid, opendkim $dkpid, opendmarc $dmpid"
else
	say "authmilter $apid, nullfilter $npid (no OpenDKIM -> OpenDMARC chain)"
fi

# ------------------------------------------------------------ 4. runs
results="$BENCH_OUT/results.txt"
: >"$results"

# mb LABEL ARGS... - warm-up, then the measured run (its summary kept).
mb() {
	label=$1
	shift
	"$bench/milterbench" -f "$corpus/corpus.dat" -n "$BENCH_WARMUP" -l "warm-up" "$@" \
	    >/dev/null 2>&1
	"$bench/milterbench" -f "$corpus/corpus.dat" -l "$label" "$@" >"$BENCH_OUT/$label.txt"
	rc=$?
	grep -v '^RESULT' "$BENCH_OUT/$label.txt"
	grep '^RESULT' "$BENCH_OUT/$label.txt" >>"$results"
	[ $rc -eq 0 ] || say "$label: milterbench exit status $rc"
}

AM="-m inet:$aport@127.0.0.1 -p authmilter=$apid -p unbound=$upid"
NULL="-m inet:$nport@127.0.0.1 -p nullfilter=$npid"
NULLR="-m inet:$rport@127.0.0.1 -p nullfilter=$rpid"
CHAIN=""
[ "$BENCH_CHAIN" = yes ] &&
	CHAIN="-m inet:$dport@127.0.0.1 -m inet:$mport@127.0.0.1 -p opendkim=$dkpid -p opendmarc=$dmpid -p unbound=$upid"

# want GROUP - is this group of runs in BENCH_RUNS?
want() {
	case " $BENCH_RUNS " in *" $1 "*) return 0 ;; esac
	return 1
}

# Prime the caches (unbound's, and each filter's own) with the whole corpus
# once, so that no contender pays for resolving names the first time
# (a cold unbound behind nsd more than halves anyone's throughput).
for chain in "$AM" "$CHAIN"; do
	[ -n "$chain" ] || continue
	# shellcheck disable=SC2086
	"$bench/milterbench" -f "$corpus/corpus.dat" -c 8 -q -l prime $chain >/dev/null 2>&1
done

r=1
want compare || r=$((BENCH_REPEAT + 1))
while [ $r -le "$BENCH_REPEAT" ]; do
	o_am="" o_chain=""
	if [ $r -eq 1 ]; then
		o_am="-o $BENCH_OUT/verdicts-authmilter.tsv"
		o_chain="-o $BENCH_OUT/verdicts-chain.tsv"
	fi
	# shellcheck disable=SC2086
	mb "nullfilter-c8-qa.$r" $NULL -c 8 -q
	# shellcheck disable=SC2086
	mb "nullfilter_noreply-c8-qa.$r" $NULLR -c 8 -q
	# shellcheck disable=SC2086
	mb "authmilter-c8-qa.$r" $AM -c 8 -q $o_am
	# shellcheck disable=SC2086
	[ -n "$CHAIN" ] && mb "chain-c8-qa.$r" $CHAIN -c 8 -q $o_chain
	r=$((r + 1))
done
# mb_count LABEL PID ARGS... - as mb, and count the futex calls and
# context switches of process PID (all its threads) over the measured run
# with perf stat, added to its RESULT line (futex=, cs=): what threads
# waiting for each other cost, independent of how fast the CPUs are.
mb_count() {
	label=$1 cpid=$2
	shift 2
	if [ -z "$PERF_COUNT" ]; then
		mb "$label" "$@"
		return
	fi
	"$bench/milterbench" -f "$corpus/corpus.dat" -n "$BENCH_WARMUP" -l "warm-up" "$@" \
	    >/dev/null 2>&1
	perf stat -x, -e syscalls:sys_enter_futex,context-switches,page-faults,syscalls:sys_enter_mmap,syscalls:sys_enter_munmap,syscalls:sys_enter_madvise -p "$cpid" \
	    -o "$tmp/perfstat.$label" >/dev/null 2>&1 &
	pspid=$!
	sleep 0.5
	"$bench/milterbench" -f "$corpus/corpus.dat" -l "$label" "$@" >"$BENCH_OUT/$label.txt"
	rc=$?
	kill -INT "$pspid"
	wait "$pspid"
	futex=$(awk -F, '$3 ~ /futex/ { print $1 }' "$tmp/perfstat.$label")
	cs=$(awk -F, '$3 == "context-switches" { print $1 }' "$tmp/perfstat.$label")
	pf=$(awk -F, '$3 == "page-faults" { print $1 }' "$tmp/perfstat.$label")
	mm=$(awk -F, '$3 ~ /mmap|munmap|madvise/ { n += $1 } END { print n + 0 }' "$tmp/perfstat.$label")
	grep -v '^RESULT' "$BENCH_OUT/$label.txt"
	grep '^RESULT' "$BENCH_OUT/$label.txt" | sed "s/\$/ futex=${futex:-0} cs=${cs:-0} pf=${pf:-0} mm=${mm:-0}/" >>"$results"
	[ $rc -eq 0 ] || say "$label: milterbench exit status $rc"
}
PERF_COUNT=""
command -v perf >/dev/null 2>&1 &&
	perf stat -e syscalls:sys_enter_futex true >/dev/null 2>&1 && PERF_COUNT=yes

# Scaling: authmilter and the do-nothing filter at each concurrency of
# BENCH_SCALE_C, back to back, BENCH_REPEAT times (medians reported, and
# the rate at each concurrency over the rate at 8 of the same repeat).
if want scale; then
	r=1
	while [ $r -le "$BENCH_REPEAT" ]; do
		for c in $BENCH_SCALE_C; do
			# shellcheck disable=SC2086
			mb_count "authmilter-c$c-scale.$r" "$apid" $AM -c "$c" -q
			# shellcheck disable=SC2086
			mb_count "nullfilter-c$c-scale.$r" "$npid" $NULL -c "$c" -q
		done
		r=$((r + 1))
	done
fi
want noqa || BENCH_NOQA_C=""
for c in ${BENCH_NOQA_C-8 1}; do
	n=$BENCH_NOQA_MESSAGES
	[ $c -eq 1 ] && n=$BENCH_C1_MESSAGES
	# shellcheck disable=SC2086
	mb "nullfilter-c$c-noqa" $NULL -c $c -n "$n"
	# shellcheck disable=SC2086
	mb "authmilter-c$c-noqa" $AM -c $c -n "$n"
	# shellcheck disable=SC2086
	[ -n "$CHAIN" ] && mb "chain-c$c-noqa" $CHAIN -c $c -n "$n"
done

# The profiles: perf (whole system view of the daemon's process, by
# symbol) during a concurrency-8 run, and callgrind (instructions by
# function, inclusive and exclusive) of a second daemon under valgrind.
if want perf && command -v perf >/dev/null 2>&1; then
	for c in $BENCH_PERF_C; do
		sfx=""
		[ "$c" = 8 ] || sfx="-c$c"
		# shellcheck disable=SC2086
		perf record $BENCH_PERF_ARGS -o "$BENCH_OUT/perf-authmilter$sfx.data" -p "$apid" \
		    >"$tmp/perf.log" 2>&1 &
		perfpid=$!
		sleep 1
		# shellcheck disable=SC2086
		mb "authmilter-perf$sfx" $AM -c "$c" -q
		kill -INT "$perfpid"
		wait "$perfpid"
		perf report -i "$BENCH_OUT/perf-authmilter$sfx.data" --stdio --no-children \
		    --sort dso,sym -g none --percent-limit 0.3 \
		    >"$BENCH_OUT/perf-authmilter$sfx.txt" 2>/dev/null
		say "perf profile: $BENCH_OUT/perf-authmilter$sfx.txt"
	done
fi
if want callgrind && command -v valgrind >/dev/null 2>&1; then
	cport=$(free_port)
	sed "s/^Socket.*/Socket inet:$cport@127.0.0.1/; /^PidFile/d" "$tmp/authmilter.conf" \
	    >"$tmp/callgrind.conf"
	valgrind --tool=callgrind --callgrind-out-file="$BENCH_OUT/callgrind-authmilter.out" \
	    "$milter" -f -c "$tmp/callgrind.conf" >"$tmp/callgrind.log" 2>&1 &
	cgpid=$!
	pids="$pids $cgpid"
	wait_port "$cport" || sleep 10
	"$bench/milterbench" -f "$corpus/corpus.dat" -n "$BENCH_WARMUP" -c 4 -q -l callgrind \
	    -m "inet:$cport@127.0.0.1" -t 600 >"$BENCH_OUT/authmilter-callgrind.txt"
	kill "$cgpid"
	wait "$cgpid"
	callgrind_annotate "$BENCH_OUT/callgrind-authmilter.out" \
	    >"$BENCH_OUT/callgrind-authmilter.txt" 2>/dev/null
	callgrind_annotate --inclusive=yes "$BENCH_OUT/callgrind-authmilter.out" \
	    >"$BENCH_OUT/callgrind-authmilter-inclusive.txt" 2>/dev/null
	say "callgrind profile: $BENCH_OUT/callgrind-authmilter*.txt"
fi

if want rss && [ "$BENCH_RSS_MESSAGES" -gt 0 ]; then
	kill "$apid"
	while kill -0 "$apid" 2>/dev/null; do sleep 0.1; done
	start_authmilter
	say "fresh authmilter $apid: $BENCH_RSS_MESSAGES messages for the RSS"
	points=100000
	[ "$BENCH_RSS_MESSAGES" -gt 100000 ] && points="100000,$BENCH_RSS_MESSAGES"
	"$bench/milterbench" -f "$corpus/corpus.dat" -l authmilter-rss -c 8 -q \
	    -n "$BENCH_RSS_MESSAGES" -r "$points" -m "inet:$aport@127.0.0.1" \
	    -p "authmilter=$apid" >"$BENCH_OUT/authmilter-rss.txt" ||
		say "authmilter-rss: milterbench exit status $?"
	grep -v '^RESULT' "$BENCH_OUT/authmilter-rss.txt"
	grep '^RESULT' "$BENCH_OUT/authmilter-rss.txt" >>"$results"
fi

# ------------------------------------------------------------ 5. report
uptime >"$BENCH_OUT/uptime-after.txt"
{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine: $(nproc) CPUs, $(uname -sr), $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
	echo "authmilter: $("$milter" -V) ($(cd "$top_srcdir" && git rev-parse --short HEAD 2>/dev/null || echo "no git"))"
	for p in opendkim opendmarc unbound nsd libmilter1.0.1; do
		echo "$p: $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo "not installed")"
	done
	echo "network namespace: $BENCH_NETNS"
	echo "corpus: $(head -1 "$corpus/corpus.txt")"
	echo "load before: $(cat "$BENCH_OUT/uptime-before.txt")"
	echo "load after: $(cat "$BENCH_OUT/uptime-after.txt")"
} >"$BENCH_OUT/machine.txt"
"$PY" "$top_srcdir/tests/bench/report.py" "$BENCH_OUT" >"$BENCH_OUT/summary.md" ||
	die "report.py failed"
cat "$BENCH_OUT/summary.md"
say "results in $BENCH_OUT (summary.md, results.txt, verdicts-*.tsv)"
