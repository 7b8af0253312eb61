#!/bin/sh
# dns.sh - DNS faults under load (issue 12): the resolver's server stops
# answering, answers SERVFAIL to everything, answers with the TC bit set
# and no records (no TCP to fall back to), and answers later than
# DNSTimeout.  While a fault lasts, every message must get the configured
# temporary failure (DNSFailAction tempfail: 451 4.7.1), never a verdict the
# DNS did not prove, and no message may take longer than its DNS budget
# allows (under slow answers, a verdict the late answers proved is right
# too); when the server is back, the same daemon (no restart) must give
# every message its expected verdict again, with as many threads as before.
# A message's DNS time is bounded by DNSBudget per step (SPF at MAIL FROM,
# DKIM keys, ARC, DMARC and its tree walk): a hung thread would show as a
# message answered late or never; the bound is 20 budgets, since a machine
# at a load average of 25 was seen to stretch a message to 31 s (budget 3 s).
# The zone's TTLs are 1 s, so the daemon's caches cannot hide a fault.
# TAP output; see tests/faults/lib.sh.
. "${top_srcdir:-.}/tests/faults/lib.sh"

# DNSTimeout 2 s, DNSBudget 3 s: a fault costs little time, yet a busy
# machine does not time out the baseline.
dns_timeout=2
dns_budget=3
make_corpus
start_dns 1
start_milter

load base 300 16 || note "milterbench exit status $? (base)"
check "baseline: all 300 messages get their expected verdict ($(tally base))" \
	'[ "$(lines base)" = 300 ] && [ "$(wrong base)" = 0 ]'
threads0=$(proc_field "$mpid" Threads)
fds0=$(proc_fds "$mpid")
note "after the baseline: $threads0 threads, $fds0 descriptors, $(proc_field "$mpid" VmRSS) kB"

# fault MODE NAME START - one fault for 48 messages from corpus message
# START, then the server back and the recovery measured.
fault() {
	label=$2
	set_dns "$1"
	sleep 2			# the 1 s TTLs run out
	before=$(dns_count "${1%%:*}")
	load "$2" 48 24 "$3" 90
	seen=$(($(dns_count "${1%%:*}") - before))
	# Wrong: neither the temporary failure nor the message's own verdict
	# (a late answer libunbound kept may still prove one: slow answers).
	bad=$(awk -F'\t' '!/^#/ && !($4 == "tempfail" && $5 ~ /^451 4\.7\.1 /) && $4 != $3' "$tmp/$2.tsv" | wc -l)
	temp=$(awk -F'\t' '!/^#/ && $4 == "tempfail" && $5 ~ /^451 4\.7\.1 /' "$tmp/$2.tsv" | wc -l)
	check "$2: of 48 messages none got a verdict the DNS did not prove; $temp tempfailed with 451 4.7.1 ($(tally "$2"); $seen queries met the fault)" \
		'[ "$(lines "$label")" = 48 ] && [ "$bad" = 0 ] && [ "$temp" -ge "$min_temp" ] && [ "$seen" -gt 0 ]'
	if [ "$bad" != 0 ]; then
		awk -F'\t' '!/^#/ && !($4 == "tempfail" && $5 ~ /^451 4\.7\.1 /) && $4 != $3' "$tmp/$2.tsv" | cut -f1-5 | head -5 | sed 's/^/# /'
	fi
	maxms=$(result "$2" max)
	check "$2: no message hung: each answered within 20 DNSBudgets, $((dns_budget * 20)) s (longest ${maxms} ms)" \
		'[ -n "$maxms" ] && [ "${maxms%.*}" -lt $((dns_budget * 20000)) ]'
	set_dns pass
	t0=$(date +%s)
	tries=0
	while [ $tries -lt 30 ]; do
		tries=$((tries + 1))
		load "$2-after" 100 16 "$3"
		[ "$(wrong "$2-after")" = 0 ] && break
		sleep 1
	done
	t1=$(date +%s)
	check "$2: after the server returns, a run of 100 messages all get their verdict again within 30 s ($(tally "$2-after"); recovered in $((t1 - t0)) s, no restart)" \
		'[ "$(lines "$label-after")" = 100 ] && [ "$(wrong "$label-after")" = 0 ] && kill -0 "$mpid"'
	[ $tries -gt 1 ] && note "$2: $((tries - 1)) runs of 100 before that had messages tempfailed"
	threads=$(proc_field "$mpid" Threads)
	check "$2: no thread left hanging ($threads threads, $threads0 before)" \
		'[ "$threads" -le "$threads0" ]'
}

# The least of the 48 messages that must be tempfailed: all, but under slow
# answers most (libunbound keeps a late answer, which may prove a verdict).
min_temp=48
fault drop gone 0
fault servfail servfail 50
fault truncate truncated 100
min_temp=36
fault slow:3000 slow 150

check "the daemon is still running" 'kill -0 "$mpid"'
fds=$(proc_fds "$mpid")
check "no descriptor leaked ($fds, $fds0 after the baseline)" '[ "$fds" -le "$fds0" ]'
grep -q "dns.*tempfail\|temporary DNS failure\|451 4.7.1" "$tmp/milter.log" &&
	note "$(grep -c "action=tempfail" "$tmp/milter.log") log lines with action=tempfail"
echo "1..$n"
[ $fail -eq 0 ]
