#!/bin/sh
# examples.sh - check the Prometheus examples in doc/examples with promtool:
# the scrape configuration (and the rule file it names), the alerting
# rules, and their unit test (tests/metrics/alerts_test.yml); then that
# the files use only the metric names authmilter serves and that every
# alert has a firing and a silent test case.  TAP output.
# Without promtool (Debian: prometheus) the test is skipped, but under
# CI=true that is a failure.
: "${top_srcdir:=.}"
ex="$top_srcdir/doc/examples"
dir="$top_srcdir/tests/metrics"

if ! command -v promtool >/dev/null 2>&1; then
	[ "${CI:-}" = true ] && { echo "Bail out! promtool missing"; exit 1; }
	echo "1..0 # SKIP promtool not installed (run tests/deps.sh)"
	exit 0
fi

echo "1..5"
n=0
fail=0

# result NAME STATUS OUTPUT - one TAP line; the output shown on failure.
result() {
	n=$((n + 1))
	if [ "$2" -eq 0 ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		printf '%s\n' "$3" | sed 's/^/# /'
		fail=$((fail + 1))
	fi
}

# run NAME COMMAND... - a promtool run: ok when it exits 0.
run() {
	r_name=$1
	shift
	r_out=$("$@" 2>&1)
	result "$r_name" $? "$r_out"
}

# promtool resolves rule_files relative to the file naming them: the
# configuration names authmilter-alerts.yml beside it, the unit test
# ../../doc/examples/authmilter-alerts.yml; both hold in the source tree
# and in the distribution, whatever the current directory.
run "promtool check config doc/examples/prometheus.yml (and its rule file)" \
	promtool check config "$ex/prometheus.yml"
run "promtool check rules doc/examples/authmilter-alerts.yml" \
	promtool check rules "$ex/authmilter-alerts.yml"
run "promtool test rules tests/metrics/alerts_test.yml" \
	promtool test rules "$dir/alerts_test.yml"

# The metrics authmilter serves (MetricsSocket): a name in the rules or
# their test that is not one of these is a typo both may share.
known="authmilter_messages_total authmilter_dmarc_results_total \
authmilter_spf_results_total authmilter_dkim_results_total \
authmilter_dkim_signatures_total authmilter_arc_results_total \
authmilter_dns_queries_total authmilter_dns_cache_hits_total \
authmilter_dns_errors_total authmilter_history_records_total \
authmilter_config_reloads_total authmilter_config_last_reload_successful \
authmilter_config_last_reload_success_timestamp_seconds authmilter_connections \
authmilter_decision_seconds_bucket authmilter_decision_seconds_sum \
authmilter_decision_seconds_count authmilter_message_seconds_bucket \
authmilter_message_seconds_sum authmilter_message_seconds_count \
authmilter_build_info"
unknown=""
# shellcheck disable=SC2013 # one name a word is what is wanted
for m in $(grep -ohE 'authmilter_[a-z_]+' "$ex/authmilter-alerts.yml" "$dir/alerts_test.yml" | sort -u); do
	case " $known " in
	*" $m "*) ;;
	*) unknown="$unknown $m" ;;
	esac
done
result "the rules and the test use only authmilter's metric names" \
	"$([ -z "$unknown" ]; echo $?)" "unknown:$unknown"

# Every alert of the rules file has, in the test, a case where it fires
# (exp_alerts with entries) and one where it is silent (exp_alerts: []).
untested=$(awk '
	FILENAME == ARGV[1] && $1 == "-" && $2 == "alert:" { alerts[$3] = 1; next }
	FILENAME == ARGV[2] && $1 == "alertname:" { name = $2; next }
	FILENAME == ARGV[2] && $1 == "exp_alerts:" {
		if ($2 == "[]") silent[name] = 1; else firing[name] = 1
	}
	END {
		for (a in alerts) {
			if (!(a in firing)) print a ": no firing case"
			if (!(a in silent)) print a ": no silent case"
		}
	}' "$ex/authmilter-alerts.yml" "$dir/alerts_test.yml")
result "every alert has a firing and a silent test case" \
	"$([ -z "$untested" ]; echo $?)" "$untested"

[ "$fail" -eq 0 ]
