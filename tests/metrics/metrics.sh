#!/bin/sh
# metrics.sh - the MetricsSocket (issue 17): the real daemon under load from
# tests/bench/milterbench (the fault suite's corpus, DNS and helpers:
# tests/faults/lib.sh), scraped with curl while the load runs and after it;
# every scrape is read by Prometheus's own text parser (parse.py, Debian
# python3-prometheus-client), and the counters must equal what the load's
# client counted, message for message: the actions milterbench saw, and the
# DMARC, SPF and DKIM results of the daemon's own log lines; the decision
# histogram counts every message; the history records equal the file's
# lines; the DNS counters see the queries the DNS proxy saw, and the
# SERVFAIL and timeout faults it injected, with the messages they
# tempfailed; reloads are counted ok and rejected; the STATUS line the
# service manager gets (a datagram socket of the test as NOTIFY_SOCKET)
# carries the same message counts.  The HTTP side: 404 off /metrics, 405
# for POST, HEAD, and the listener closed with the daemon.  TAP output.
. "${top_srcdir:-.}/tests/faults/lib.sh"
need curl
"$PY" -c 'import prometheus_client' 2>/dev/null || {
	[ "${CI:-}" = true ] && bail "python3-prometheus-client missing (run tests/deps.sh)"
	echo "1..0 # SKIP python3-prometheus-client not installed (run tests/deps.sh)"
	exit 0
}
parse="$top_srcdir/tests/metrics/parse.py"

# scrape NAME - GET /metrics into $tmp/NAME.txt, parsed into $tmp/NAME.s; false on failure.
scrape() {
	curl -sf --max-time 10 -o "$tmp/$1.txt" "http://127.0.0.1:$metport/metrics" &&
	    "$PY" "$parse" "$tmp/$1.txt" >"$tmp/$1.s" 2>"$tmp/$1.err"
}
# val NAME METRIC [LABEL=VALUE...] - the sum of the samples of METRIC that have every label given.
val() {
	f=$1 m=$2
	shift 2
	awk -v m="$m" -v want="$*" '
	$1 == m { n = split(want, w, " "); ok = 1
		for (i = 1; i <= n; i++) if (index("," $2 ",", "," w[i] ",") == 0) ok = 0
		if (ok) s += $3 }
	END { printf "%d\n", s }' "$tmp/$f.s"
}
# logged WORD - messages whose log line has WORD (e.g. " dmarc=pass "), in the daemon's log.
logged() { grep -c -e "$1" "$tmp/milter.log"; }
# logged_n PATTERN - occurrences of PATTERN (an ERE) in the daemon's log lines.
logged_n() { grep -oE -e "$1" "$tmp/milter.log" | wc -l; }

make_corpus
dns_timeout=2
dns_budget=3
start_dns 1
metport=$(free_port)
# The service manager: a datagram socket of ours, each message to a file.
notify="$tmp/notify.sock"
"$PY" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
open(sys.argv[2], "w").close()
while True:
    m = s.recv(4096).decode()
    with open(sys.argv[2], "a") as f:
        f.write(m.replace("\n", " | ") + "\n")' "$notify" "$tmp/notify.log" &
pids="$pids $!"
i=0
while [ $i -lt 50 ] && [ ! -S "$notify" ]; do sleep 0.1; i=$((i + 1)); done
NOTIFY_SOCKET=$notify start_milter "MetricsSocket		inet:$metport@127.0.0.1
HistoryFile		$tmp/history
RecordAllMessages	yes"

scrape before
check "before any mail: the exposition parses ($(wc -l <"$tmp/before.s") samples)" \
	'[ -s "$tmp/before.s" ]'
check "... every message counter is 0, the build is named" \
	'[ "$(val before authmilter_messages_total)" = 0 ] &&
	 [ "$(val before authmilter_build_info)" = 1 ]'

# The load, scraped while it runs.
load base 300 8 &
lpid=$!
during=0 bad=0 prev=0 maxconn=0
while kill -0 "$lpid" 2>/dev/null && [ $during -lt 200 ]; do
	if scrape during; then
		during=$((during + 1))
		now=$(val during authmilter_messages_total)
		[ "$now" -ge "$prev" ] || bad=$((bad + 1))
		prev=$now
		c=$(val during authmilter_connections)
		[ "$c" -le "$maxconn" ] || maxconn=$c
	else
		bad=$((bad + 1)); sed 's/^/# /' "$tmp/during.err"
	fi
	sleep 0.1
done
wait "$lpid" || note "milterbench exit status $?"
check "during the load: $during scrapes, each parsed, the message count never went back ($prev at the last)" \
	'[ "$during" -ge 2 ] && [ "$bad" = 0 ]'
# (a connection the client closed counts until libmilter's close callback
# has run, while the client already opened the next one: 8 plus a few)
check "... open connections seen, bounded by the load's 8 and those closing (at most $maxconn)" \
	'[ "$maxconn" -ge 1 ] && [ "$maxconn" -le 16 ]'

scrape after
total=$(lines base)
check "after: the exposition parses; messages_total is the load's $total messages" \
	'[ "$total" = 300 ] && [ "$(val after authmilter_messages_total)" = "$total" ]'
for a in accept quarantine reject tempfail; do
	want=$(count_final base $a)
	got=$(val after authmilter_messages_total "action=$a")
	check "... action=$a: $got counted, the client saw $want" '[ "$got" = "$want" ]'
done
for r in pass fail none temperror permerror; do
	want=$(logged " dmarc=$r ")
	got=$(val after authmilter_dmarc_results_total "result=$r")
	check "... dmarc result $r: $got counted, $want in the log" '[ "$got" = "$want" ]'
done
got=$(val after authmilter_messages_total reason=dmarc_pass)
check "... reason=dmarc_pass is the DMARC passes ($got)" \
	'[ "$got" = "$(logged " dmarc=pass ")" ] && [ "$got" -gt 0 ]'
got=$(($(val after authmilter_messages_total reason=dmarc_fail) + $(val after authmilter_messages_total reason=override)))
check "... reason dmarc_fail plus override is the DMARC failures ($got)" \
	'[ "$got" = "$(logged " dmarc=fail ")" ]'
for s in mfrom helo; do
	want=$(logged_n " spf=[a-z]+\\($s ")
	got=$(val after authmilter_spf_results_total "scope=$s")
	check "... spf $s results: $got counted, $want in the log" '[ "$got" = "$want" ]'
done
want=$(logged_n " dkim=[a-z]+\\(")
got=$(val after authmilter_dkim_results_total)
check "... DKIM signatures: $got counted, $want in the log, as many by algorithm and key" \
	'[ "$got" = "$want" ] && [ "$(val after authmilter_dkim_signatures_total)" = "$want" ]'
want=$(logged_n " dkim=pass\\(")
check "... DKIM passes: $(val after authmilter_dkim_results_total result=pass), $want in the log" \
	'[ "$(val after authmilter_dkim_results_total result=pass)" = "$want" ]'
check "... decision and message histograms count every message" \
	'[ "$(val after authmilter_decision_seconds_count)" = "$total" ] &&
	 [ "$(val after authmilter_message_seconds_count)" = "$total" ] &&
	 [ "$(val after authmilter_decision_seconds_bucket le=+Inf)" = "$total" ]'
records=$(grep -c '' "$tmp/history")
check "... history records written: $(val after authmilter_history_records_total result=written), the file has $records" \
	'[ "$(val after authmilter_history_records_total result=written)" = "$records" ] &&
	 [ "$(val after authmilter_history_records_total result=write_error)" = 0 ]'
proxied=$(dns_count pass)
check "... DNS: $(val after authmilter_dns_queries_total) queries sent, the proxy saw $proxied, $(val after authmilter_dns_cache_hits_total) cache hits" \
	'[ "$proxied" -gt 0 ] && [ "$(val after authmilter_dns_queries_total)" -ge "$proxied" ] &&
	 [ "$(val after authmilter_dns_cache_hits_total)" -gt 0 ]'
check "... no connection left open" '[ "$(val after authmilter_connections)" = 0 ]'

# DNS faults: SERVFAIL, then no answer; the 1 s TTLs run out first.
for mode in servfail drop; do
	set_dns $mode
	sleep 2
	load "$mode" 30 8 200 || note "milterbench exit status $? ($mode)"
	set_dns pass
	scrape "$mode"
	tf=$(count_final "$mode" tempfail)
	# A silent server: timeouts, or SERVFAIL once libunbound has marked it down.
	kind=kind=servfail
	[ $mode = drop ] && kind=
	errs=$(($(val "$mode" authmilter_dns_errors_total $kind) - $(val after authmilter_dns_errors_total $kind)))
	dt=$(($(val "$mode" authmilter_messages_total action=tempfail reason=dns_temperror) - $(val after authmilter_messages_total action=tempfail reason=dns_temperror)))
	check "dns $mode: $errs lookups counted as failed (${kind:-any kind}); $dt messages tempfailed for dns_temperror, the client saw $tf tempfails" \
		'[ "$errs" -gt 0 ] && [ "$tf" -gt 0 ] && [ "$dt" = "$tf" ]'
	cp "$tmp/$mode.s" "$tmp/after.s"
done

# Reloads, and the STATUS line.
# reload NAME TEXT - SIGHUP, then wait (10 s at most) for a STATUS line
# with TEXT and scrape into NAME.
reload() {
	kill -HUP "$mpid"
	i=0
	while [ $i -lt 100 ] && [ "$(grep -c "$2" "$tmp/notify.log")" = 0 ]; do
		sleep 0.1; i=$((i + 1))
	done
	scrape "$1"
}
n_all=$(val after authmilter_messages_total)
reload reload1 'reloads: 1, 0 refused'
check "SIGHUP: reloads_total{result=ok} 1, last reload successful" \
	'[ "$(val reload1 authmilter_config_reloads_total result=ok)" = 1 ] &&
	 [ "$(val reload1 authmilter_config_last_reload_successful)" = 1 ]'
line=$(grep 'reloads: 1, 0 refused' "$tmp/notify.log" | tail -1)
acc=$(val after authmilter_messages_total action=accept)
check "... the STATUS line counts the $n_all messages, $acc accepted ($line)" \
	'echo "$line" | grep -q "messages: $n_all ($acc accepted, "'
echo "NoSuchKey yes" >>"$tmp/authmilter.conf"
reload reload2 '1 refused'
check "a refused reload: reloads_total{result=rejected} 1, last reload successful 0" \
	'[ "$(val reload2 authmilter_config_reloads_total result=rejected)" = 1 ] &&
	 [ "$(val reload2 authmilter_config_last_reload_successful)" = 0 ]'

# The HTTP side.
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }
check "GET / is 404, POST /metrics 405, HEAD /metrics 200" \
	'[ "$(code "http://127.0.0.1:$metport/")" = 404 ] &&
	 [ "$(code -X POST "http://127.0.0.1:$metport/metrics")" = 405 ] &&
	 [ "$(code -I "http://127.0.0.1:$metport/metrics")" = 200 ]'
check "Content-Type is the text format 0.0.4" \
	'curl -sI --max-time 10 "http://127.0.0.1:$metport/metrics" | grep -qi "^content-type: text/plain; version=0.0.4"'
kill "$mpid"
i=0
while [ $i -lt 100 ] && kill -0 "$mpid" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
check "after SIGTERM the metrics port is closed" '! curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$metport/metrics"'
echo "1..$n"
[ "$fail" = 0 ]
