#!/bin/sh
# run.sh - build every libFuzzer target with clang (ASan + UBSan) and run
# each for FUZZ_SECONDS (default 30) on a copy of its seed corpus.  New
# inputs go to tests/fuzz/out/, never into the committed corpus.  Prints the
# execution count of each target; exits non-zero on a crash, leak or UB.
# FUZZ_TARGETS: the targets (default: every tests/fuzz/fuzz_*.c);
# FUZZ_MAX_LEN: the largest input (default per target).  With /usr/bin/time
# (Debian's "time"), the CPU seconds of each run go to out/fuzz_TARGET.cpu.
set -eu
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-30}
out=tests/fuzz/out
mkdir -p "$out"
CFLAGS="-std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Ipolicy -Imilter -Itests/common
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
targets=${FUZZ_TARGETS:-$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')}
status=0
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
		milter/dnscache.c milter/spf.c milter/dkim_verify.c milter/arc_verify.c"
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
	# shellcheck disable=SC2086
	if $timer "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$maxlen" \
	    -print_final_stats=1 "$out/corpus_$t" "tests/fuzz/corpus/$t" >"$log" 2>&1; then
		execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
		echo "fuzz_$t: ${execs:-?} executions in ${secs}s, no crash"
	else
		echo "fuzz_$t: FAILED (see $log)"
		grep -E 'ERROR|SUMMARY|runtime error' "$log" | head -5
		status=1
	fi
done
exit $status
