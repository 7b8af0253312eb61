#!/bin/sh
# run.sh - build every libFuzzer target with clang (ASan + UBSan) and run
# each for FUZZ_SECONDS (default 30) on a copy of its seed corpus.  New
# inputs go to tests/fuzz/out/, never into the committed corpus.  Prints the
# execution count of each target; exits non-zero on a crash, leak or UB.
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
	*)	extra="" ;;
	esac
	case $t in
	arc_verify) libs="-lunbound -lcrypto -lpthread" ;;
	*)	libs="" ;;
	esac
	# shellcheck disable=SC2086
	clang $CFLAGS -o "$bin" "tests/fuzz/fuzz_$t.c" $extra policy/*.c milter/spf_macro.c -lidn2 $libs
	mkdir -p "$out/corpus_$t"
	log="$out/fuzz_$t.log"
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=1100000 \
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
