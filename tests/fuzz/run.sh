#!/bin/sh
# run.sh - build every libFuzzer target with clang (ASan + UBSan) and run
# each for FUZZ_SECONDS (default 30) on a copy of its seed corpus.  New
# inputs go to tests/fuzz/out/, never into the committed corpus.  Prints the
# execution count of each target; exits non-zero on a crash, leak or UB.
# FUZZ_TARGETS: the targets (default: every tests/fuzz/fuzz_*.c);
# FUZZ_MAX_LEN: the largest input (default per target).  With /usr/bin/time
# (Debian's "time"), the CPU seconds of each run go to out/fuzz_TARGET.cpu.
# FUZZ_CPU_SECONDS: run each target until it has used that much CPU time
# (user + system, read from /proc every 5 s), however busy the machine is,
# then stop it with SIGINT (libFuzzer prints its final stats and exits 72);
# FUZZ_SECONDS is then only a wall-clock ceiling (default 4 x the budget).
set -eu
cd "$(dirname "$0")/../.."
cpu_budget=${FUZZ_CPU_SECONDS:-}
secs=${FUZZ_SECONDS:-30}
[ -n "$cpu_budget" ] && secs=${FUZZ_SECONDS:-$((cpu_budget * 4))}
out=tests/fuzz/out
mkdir -p "$out"
CFLAGS="-std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ipolicy -Imilter -Itests/common
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
targets=${FUZZ_TARGETS:-$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')}
status=0

# cpu_seconds PID: the CPU seconds (user + system) the process has used.
cpu_seconds() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null |
	    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.1f+%.1f\n", $12 / hz, $13 / hz }'
}

# run_budget CPUFILE COMMAND...: runs COMMAND until it exits or has used
# $cpu_budget CPU seconds (then SIGINT); the last reading goes to CPUFILE.
run_budget() {
	cpufile=$1
	shift
	"$@" &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		used=$(cpu_seconds "$pid")
		[ -n "$used" ] && echo "$used" >"$cpufile"
		if [ -n "$used" ] && echo "$used" | awk -F+ -v b="$cpu_budget" '{ exit !($1 + $2 >= b) }'; then
			kill -INT "$pid" 2>/dev/null || true
			break
		fi
		sleep 5
	done
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 72 ] && rc=0	# libFuzzer's exit status after SIGINT
	return "$rc"
}

for t in $targets; do
	bin="$out/fuzz_$t"
	# Targets over milter/ code name their sources; config.h is configure's.
	case $t in
	conf)	extra="-Imilter -I. milter/conf.c milter/conf_check.c milter/conf_doc.c milter/netlist.c"
		[ -f config.h ] || { echo "fuzz_$t: run ./configure first (config.h)"; status=1; continue; } ;;
	report_meta) extra="-Ireports reports/meta.c reports/rua.c reports/rfc5322.c reports/mime.c" ;;
	arc_verify) extra="milter/arc_verify.c milter/resolver.c milter/dnscache.c" ;;
	milter)	extra="-I. -I/usr/include/opendkim milter/message.c milter/decide.c milter/runtime.c
		milter/conf.c milter/conf_check.c milter/conf_doc.c milter/netlist.c milter/resolver.c
		milter/dnscache.c milter/spf.c milter/dkim_verify.c milter/arc_verify.c
		milter/afrf.c milter/failspool.c"
		[ -f config.h ] || { echo "fuzz_$t: run ./configure first (config.h)"; status=1; continue; } ;;
	*)	extra="" ;;
	esac
	case $t in
	arc_verify) libs="-lunbound -lcrypto -lpthread" ;;
	milter)	libs="-lunbound -lspf2 -lopendkim -lcrypto -lpthread" ;;
	*)	libs="" ;;
	esac
	# shellcheck disable=SC2086
	clang $CFLAGS -o "$bin" "tests/fuzz/fuzz_$t.c" $extra policy/*.c milter/spf_macro.c -lidn2 $libs
	# A callback sequence needs no megabyte: its 'H' records repeat values.
	case $t in
	milter)	maxlen=${FUZZ_MAX_LEN:-32768} ;;
	*)	maxlen=${FUZZ_MAX_LEN:-1100000} ;;
	esac
	timer=""
	[ -x /usr/bin/time ] && timer="/usr/bin/time -f %U+%S -o $out/fuzz_$t.cpu"
	mkdir -p "$out/corpus_$t"
	log="$out/fuzz_$t.log"
	[ -n "$cpu_budget" ] && timer="run_budget $out/fuzz_$t.cpu"
	# shellcheck disable=SC2086
	if $timer "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$maxlen" \
	    -print_final_stats=1 "$out/corpus_$t" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
		execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
		echo "fuzz_$t: ${execs:-?} executions in ${secs}s${cpu_budget:+ or ${cpu_budget} CPU s}, no crash"
	else
		echo "fuzz_$t: FAILED (see $log)"
		grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -5
		status=1
	fi
done
exit $status
