#!/bin/sh
# run.sh - authmilter-reports end to end: history records made by
# authmilter-check (the daemon's evaluation) and by tests/bench/gen_history
# (the policy library's encoder) are imported, aggregated and checked:
# every report validates with xmllint against the RFC 9990 schema (and the
# RFC 7489 one for the legacy twin), counts sum to the messages imported
# per domain and period, what the checker decided is what the report says
# (disposition, alignment, DKIM and SPF results, reasons), and torn,
# malformed, overlong, duplicate, rotated, compressed, late and old input
# is handled as documented; then dry runs, partial days, expiry and exit
# statuses.  The schemas come from ../shared/testdata (or
# $AUTHMILTER_TESTDATA): without them the test is skipped, under CI=true it
# fails.  TAP output.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
R="$top_builddir/reports/authmilter-reports"
CHK="$top_builddir/milter/authmilter-check"
GEN="$top_builddir/tests/bench/gen_history"
ZONE="$top_srcdir/tests/golden/golden.zone"
XSD="${AUTHMILTER_TESTDATA:-$top_srcdir/../shared/testdata}/dmarc-aggregate-xsd"
XSD2="$XSD/dmarcbis-aggregate-dmarc-2.0.xsd"
XSD1="$XSD/rfc7489-appendix-c.no-target-namespace.xsd"
. "$top_srcdir/tests/common/tap.sh"
command -v xmllint >/dev/null 2>&1 || missing "xmllint not installed (libxml2-utils; run tests/deps.sh)"
[ -f "$XSD2" ] && [ -f "$XSD1" ] || missing "schemas not found in $XSD (set AUTHMILTER_TESTDATA)"

tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
trap "exit 1" INT TERM HUP

T0=1795392000			# 2026-11-23 00:00:00 UTC, a day's start
DAY=86400
NOW=$((T0 + 2 * DAY + 3600))	# two days later: T0's day is complete

# setup NAME [EXTRA-LINES] - a store, spool and configuration in $tmp/NAME.
setup() {
	mkdir -p "$tmp/$1"
	cat >"$tmp/$1/conf" <<CONF
AuthservID		mx.example.net
ReportDatabase		$tmp/$1/reports.db
ReportSpool		$tmp/$1/spool
HistoryFile		$tmp/$1/history
ReportLegacyRFC7489	yes
ReportEmail		dmarc-reports@example.net
${2:-}
CONF
}

# reports NAME [FORMAT] - the report files made in store NAME (2.0 or rfc7489).
reports() {
	for f in "$tmp/$1/spool/outgoing/"*.xml.gz; do
		[ -f "$f" ] || continue
		case "$f" in
		*rfc7489.xml.gz) [ "${2:-2.0}" = rfc7489 ] && echo "$f" ;;
		*) [ "${2:-2.0}" = 2.0 ] && echo "$f" ;;
		esac
	done
}

# report_of NAME DOMAIN [FORMAT] - the one report of DOMAIN.
report_of() {
	reports "$1" "${3:-2.0}" | grep "!$2!" | head -1
}

# plain FILE - the report's XML without its namespace (for short XPath).
plain() {
	gzip -dc "$1" | sed 's/ xmlns="[^"]*"//'
}

# xp FILE XPATH - the XPath value of a report.
xp() {
	plain "$1" | xmllint --xpath "$2" - 2>/dev/null
}

# validate_all NAME - every report of NAME against its schema; count failures.
validate_all() {
	v_bad=0
	v_n=0
	for f in "$tmp/$1/spool/outgoing/"*.xml.gz; do
		[ -f "$f" ] || continue
		case "$f" in *rfc7489.xml.gz) x=$XSD1 ;; *) x=$XSD2 ;; esac
		v_n=$((v_n + 1))
		if ! gzip -dc "$f" | xmllint --noout --schema "$x" - 2>"$tmp/xmllint.err"; then
			v_bad=$((v_bad + 1))
			sed 's/^/# /' "$tmp/xmllint.err" | head -5
		fi
	done
}

# run_r NAME ARGS... - authmilter-reports with store NAME's configuration; status in $rc, stderr in $tmp/NAME/err.
run_r() {
	r_name=$1
	shift
	"$R" -c "$tmp/$r_name/conf" "$@" 2>"$tmp/$r_name/err"
	rc=$?
}

# summary NAME FIELD - a number from the last summary line ("messages stored", ...).
summary() {
	sed -n "s/.* \([0-9][0-9]*\) $2.*/\1/p" "$tmp/$1/err" | tail -1
}

# ---------------------------------------------------------------- round trip
# Messages through authmilter-check; what it decided must be what the report says.
setup rt "RecordAllMessages yes"
mkdir -p "$tmp/msg"
# The golden zone, testing.example with a rua (its record has none there).
sed 's/"v=DMARC1; p=reject; t=y"/"v=DMARC1; p=reject; t=y; rua=mailto:t@testing.example"/' "$ZONE" >"$tmp/zone"
ZONE="$tmp/zone"
# evaluate TIME IP FROM ARGS... - one message, its history line appended to rt's history.
evaluate() {
	e_time=$1 e_ip=$2 e_from=$3
	shift 3
	printf 'From: %s\nTo: user@example.net\nSubject: report test\n\nbody\n' "$e_from" >"$tmp/msg/m.eml"
	"$CHK" --config "$tmp/${E_STORE:-rt}/conf" --dump --dns "$ZONE" --time "$e_time" --ip "$e_ip" \
		--rcpt user@example.net "$@" "$tmp/msg/m.eml" >"$tmp/msg/out" 2>&1
	sed -n 's/^history: //p' "$tmp/msg/out" >>"$tmp/${E_STORE:-rt}/history"
}
for i in 1 2 3; do
	evaluate $((T0 + 3600 * i)) 198.51.100.7 sales@example.com --mail-from b@bounce.example.org \
		--spf pass:bounce.example.org --dkim pass:example.org:s1
done
evaluate $((T0 + 14400)) 198.51.100.8 sales@example.com --mail-from b@bounce.example.org \
	--spf fail:bounce.example.org --dkim pass:example.com:sel1 --dkim fail:example.org:s2
evaluate $((T0 + 18000)) 2001:db8::25 user@mail.example.com --mail-from u@mail.example.com \
	--spf softfail:mail.example.com
evaluate $((T0 + 21600)) 198.51.100.9 user@testing.example --mail-from u@testing.example \
	--spf fail:testing.example
evaluate $((T0 + 25200)) 198.51.100.9 user@nodmarc.example --mail-from u@nodmarc.example \
	--spf pass:nodmarc.example
evaluate $((T0 + 28800)) 198.51.100.9 user@strict.example --mail-from u@strict.example \
	--spf pass:strict.example
evaluate $((T0 + DAY + 100)) 198.51.100.7 sales@example.com --mail-from b@bounce.example.org \
	--spf pass:bounce.example.org --dkim pass:example.org:s1
is "the checker wrote one history line per message" "$(wc -l <"$tmp/rt/history" | tr -d ' ')" 9
# A DMARC failure overridden by a trusted ARC sealer, as the daemon writes it
# (AMH1.1 with the arc key; the wire and end-to-end tests make such lines
# from chains sealed by python3-dkim).
printf '%s\n' "AMH1.1 time=$((T0 + 32400)) ip=198.51.100.10 hfrom=example.com mfrom=lists.example.org rcpt=example.net disc=treewalk org=example.com pdom=example.com p=reject sp=quarantine np=reject adkim=r aspf=r fo=1:d t=n psd=u rua=mailto:agg@example.com,10485760 rua=mailto:other@reports.example.net ruf=mailto:fail@example.com result=fail disp=none policy=reject applied=p override=trusted_forwarder align_dkim=n align_spf=n dkim=example.com,sel1,fail spf=lists.example.org,mfrom,pass arc=pass,2,lists.example.org" \
	>>"$tmp/rt/history"
run_r rt --now $NOW import
is "import: exit 0" "$rc" 0
is "import: 9 messages with a policy stored" "$(summary rt 'messages stored')" 9
is "import: the message without DMARC record is not stored" \
	"$(summary rt 'records without a DMARC policy')" 1
run_r rt --now $NOW aggregate
is "aggregate: exit 0" "$rc" 0
is "aggregate: one report per policy domain and day (3), each also as RFC 7489" \
	"$(reports rt 2.0 | wc -l | tr -d ' ')/$(reports rt rfc7489 | wc -l | tr -d ' ')" 3/3
validate_all rt
is "every report ($v_n) validates against its schema" "$v_bad" 0
ex=$(reports rt | grep "!example.com!$T0!")
check "example.com's first day has its report" '[ -n "$ex" ]'
check "file name receiver!domain!begin!end!id.xml.gz" \
	'basename "$ex" | grep -Eq "^mx\.example\.net!example\.com!$T0!$((T0 + DAY - 1))![0-9a-f]{24}\.xml\.gz$"'
is "example.com day 1: counts sum to its 6 messages" "$(xp "$ex" 'sum(//record/row/count)')" 6
r0='//record[row/source_ip="198.51.100.10"]'
is "ARC trusted_forwarder: disposition none, reason trusted_forwarder with the ARC comment" \
	"$(xp "$ex" "concat($r0/row/policy_evaluated/disposition,' ',$r0/row/policy_evaluated/reason/type,' ',$r0/row/policy_evaluated/reason/comment)")" \
	"none trusted_forwarder arc=pass i=2 d=lists.example.org"
r1='//record[row/source_ip="198.51.100.7"]'
is "unaligned pass: the 3 messages are one row" "$(xp "$ex" "string($r1/row/count)")" 3
is "unaligned pass: disposition reject" "$(xp "$ex" "string($r1/row/policy_evaluated/disposition)")" reject
is "unaligned pass: dkim and spf alignment fail" \
	"$(xp "$ex" "concat($r1/row/policy_evaluated/dkim,'/',$r1/row/policy_evaluated/spf)")" fail/fail
is "unaligned pass: DKIM result example.org s1 pass" \
	"$(xp "$ex" "concat($r1/auth_results/dkim/domain,' ',$r1/auth_results/dkim/selector,' ',$r1/auth_results/dkim/result)")" \
	"example.org s1 pass"
is "unaligned pass: SPF result bounce.example.org mfrom pass" \
	"$(xp "$ex" "concat($r1/auth_results/spf/domain,' ',$r1/auth_results/spf/scope,' ',$r1/auth_results/spf/result)")" \
	"bounce.example.org mfrom pass"
is "identifiers: header_from, envelope_from, envelope_to" \
	"$(xp "$ex" "concat($r1/identifiers/header_from,' ',$r1/identifiers/envelope_from,' ',$r1/identifiers/envelope_to)")" \
	"example.com bounce.example.org example.net"
r2='//record[row/source_ip="198.51.100.8"]'
is "aligned DKIM: disposition pass, dkim pass, spf fail" \
	"$(xp "$ex" "concat($r2/row/policy_evaluated/disposition,' ',$r2/row/policy_evaluated/dkim,' ',$r2/row/policy_evaluated/spf)")" \
	"pass pass fail"
is "aligned DKIM: both signatures reported, in message order" \
	"$(xp "$ex" "concat(count($r2/auth_results/dkim),' ',$r2/auth_results/dkim[1]/domain,' ',$r2/auth_results/dkim[2]/result)")" \
	"2 example.com fail"
r3='//record[identifiers/header_from="mail.example.com"]'
is "subdomain under example.com's policy: quarantine (sp)" \
	"$(xp "$ex" "string($r3/row/policy_evaluated/disposition)")" quarantine
is "policy_published: p, sp, np, fo, alignment, discovery, testing" \
	"$(xp "$ex" 'concat(//policy_published/domain," ",//policy_published/p," ",//policy_published/sp," ",//policy_published/np," ",//policy_published/fo," ",//policy_published/adkim,//policy_published/aspf," ",//policy_published/discovery_method," ",//policy_published/testing)')" \
	"example.com reject quarantine reject 1:d rr treewalk n"
is "metadata: org_name, email, date_range" \
	"$(xp "$ex" 'concat(//report_metadata/org_name," ",//report_metadata/email," ",//date_range/begin," ",//date_range/end)')" \
	"mx.example.net dmarc-reports@example.net $T0 $((T0 + DAY - 1))"
check "metadata: report_id is the file name's unique-id" \
	'basename "$ex" .xml.gz | grep -q "!$(xp "$ex" "string(//report_id)")\$"'
check "metadata: generator" '[ -n "$(xp "$ex" "string(//generator)")" ]'
check "2.0 report has the dmarc-2.0 namespace" \
	'gzip -dc "$ex" | grep -q "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">"'
ex1=$(reports rt rfc7489 | grep "!example.com!$T0!")
is "RFC 7489 twin: the same counts" "$(xp "$ex1" 'sum(//record/row/count)')" 6
is "RFC 7489 twin: trusted_forwarder with the ARC comment" \
	"$(xp "$ex1" 'concat(//record[row/source_ip="198.51.100.10"]/row/policy_evaluated/reason/type," ",//record[row/source_ip="198.51.100.10"]/row/policy_evaluated/reason/comment)')" \
	"trusted_forwarder arc=pass i=2 d=lists.example.org"
is "RFC 7489 twin: IPv6 written out for its schema" \
	"$(xp "$ex1" 'string(//record[identifiers/header_from="mail.example.com"]/row/source_ip)')" \
	"2001:db8:0:0:0:0:0:25"
is "RFC 7489 twin: pass disposition as none" \
	"$(xp "$ex1" 'string(//record[row/source_ip="198.51.100.8"]/row/policy_evaluated/disposition)')" none
is "the .meta names the files, format and rua (size as in the record)" \
	"$(grep -c -e '^format dmarc-2.0$' -e "^file $(basename "$ex")\$" -e '^rua mailto:agg@example.com!10m$' \
		-e '^rua mailto:other@reports.example.net$' "${ex%.xml.gz}.meta")" 4
te=$(report_of rt testing.example)
is "t=y: quarantine with reason policy_test_mode" \
	"$(xp "$te" 'concat(//row/policy_evaluated/disposition," ",//row/policy_evaluated/reason/type," ",//policy_published/testing)')" \
	"quarantine policy_test_mode y"
is "t=y in RFC 7489: reason other, with a comment" \
	"$(xp "$(report_of rt testing.example rfc7489)" 'concat(//reason/type," ",//reason/comment)')" \
	"other policy_test_mode (t=y)"
is "strict.example has no rua: its period closed without a report" \
	"$(summary rt 'periods without rua closed')/$(reports rt | grep -c '!strict.example!')" "1/0"
ex2=$(reports rt | grep "!example.com!$((T0 + DAY))!")
is "example.com's second day: its own report with 1 message" "$(xp "$ex2" 'sum(//record/row/count)')" 1

# ---------------------------------------------------------------- several authors
# One message with two author domains, from the null sender whose HELO is
# an address literal (no SPF identity with a domain): each author domain's
# report counts it once (RFC 9989 evaluates each author domain).
setup ma
E_STORE=ma evaluate $((T0 + 3600)) 198.51.100.11 "sales@example.com, user@testing.example" \
	--mail-from "" --helo "[192.0.2.1]"
is "two author domains: two history lines, one each" \
	"$(sed -n 's/.* hfrom=\([^ ]*\) .*/\1/p' "$tmp/ma/history" | tr '\n' ' ')" "example.com testing.example "
run_r ma --now $NOW import
is "two author domains: both records stored" "$(summary ma 'messages stored')" 2
run_r ma --now $NOW aggregate
validate_all ma
is "two author domains: a report each, and its RFC 7489 twin, every one valid" "$v_n/$v_bad" "4/0"
for d in example.com testing.example; do
	f=$(report_of ma "$d")
	is "$d's report counts the message once, under its own policy" \
		"$(xp "$f" 'concat(sum(//record/row/count)," ",//policy_published/domain," ",//record/identifiers/header_from)')" \
		"1 $d $d"
	is "$d's report: null sender (envelope_from empty), no SPF result without a domain" \
		"$(xp "$f" 'concat(count(//record/identifiers/envelope_from),"[",//record/identifiers/envelope_from,"] spf:",count(//record/auth_results/spf))')" \
		"1[] spf:0"
done

# ---------------------------------------------------------------- counts
# 5000 generated records over one day and 7 domains: every report's counts
# sum to the records of its domain.
setup cnt
"$GEN" -s 7 -t $T0 -p $DAY -d 7 -i 300 5000 >"$tmp/cnt/history"
run_r cnt --now $NOW import
is "generated: import exit 0" "$rc" 0
stored=$(summary cnt 'messages stored')
is "generated: every record with a policy stored" "$stored" "$(grep -c ' pdom=' "$tmp/cnt/history")"
run_r cnt --now $NOW aggregate -q
is "generated: 7 reports" "$(reports cnt | wc -l | tr -d ' ')" 7
validate_all cnt
is "generated: all $v_n reports validate" "$v_bad" 0
bad=0
total=0
for d in 0 1 2 3 4 5 6; do
	want=$(grep -c " pdom=d$d.example " "$tmp/cnt/history")
	got=$(xp "$(report_of cnt "d$d.example")" 'sum(//record/row/count)')
	[ "$got" = "$want" ] || { bad=$((bad + 1)); echo "# d$d.example: report $got, history $want"; }
	total=$((total + got))
done
is "generated: each report's counts sum to its domain's records" "$bad" 0
is "generated: the reports hold every stored message" "$total" "$stored"
rows=$(xp "$(report_of cnt d0.example)" 'count(//record)')
check "generated: rows aggregate (fewer records than messages)" \
	'[ "$rows" -lt "$(grep -c " pdom=d0.example " "$tmp/cnt/history")" ]'
run_r cnt --now $NOW aggregate
is "a second aggregate makes no report" "$(summary cnt 'reports (')" 0
run_r cnt --now $NOW import
is "importing the same file again stores nothing" "$(summary cnt 'messages stored')" 0

# ---------------------------------------------------------------- robustness
setup rb
# line N - generated record N (of 40, in T0's day) on standard output.
"$GEN" -s 3 -t $T0 -p 3600 -d 2 -i 5 40 | grep ' pdom=' | head -30 >"$tmp/rb/all"
line() { sed -n "${1}p" "$tmp/rb/all"; }
h="$tmp/rb/history"
{ line 1; line 2; line 3; line 4 | tr -d '\n' | head -c 60; } >"$h"
run_r rb --now $NOW import
is "torn last line: 3 stored" "$(summary rb 'messages stored')" 3
is "torn last line: exit 0" "$rc" 0
check "torn last line: said to be left for the next run" 'grep -q "incomplete last line" "$tmp/rb/err"'
line 4 | cut -c 61- >>"$h"
run_r rb --now $NOW import
is "the completed line is imported by the next run" "$(summary rb 'messages stored')" 1
{ line 5; echo "AMH1.0 time=12x ip=192.0.2.1"; echo "garbage"; line 6; } >>"$h"
run_r rb --now $NOW import
is "malformed lines: exit 1" "$rc" 1
check "malformed line reported with file and line number (6)" \
	'grep -q "history:6: bad_number" "$tmp/rb/err"'
check "second malformed line reported (7)" 'grep -q "history:7: bad_version" "$tmp/rb/err"'
is "malformed lines: the good ones around them stored" "$(summary rb 'messages stored')" 2
is "malformed lines counted" "$(summary rb 'malformed lines')" 2
{ printf 'AMH1.0 x-pad='; head -c 70000 /dev/zero | tr '\0' a; echo; line 7; } >>"$h"
run_r rb --now $NOW import
check "overlong line reported as too_long, line 9" 'grep -q "history:9: too_long" "$tmp/rb/err"'
is "overlong line: the next line stored" "$(summary rb 'messages stored')" 1
run_r rb --now $NOW import
is "nothing twice: a second import stores nothing" "$(summary rb 'messages stored')" 0
check "nothing twice: no malformed line reported again" '! grep -q "history:6" "$tmp/rb/err"'
cp "$h" "$tmp/rb/copy"
run_r rb --now $NOW import "$tmp/rb/copy"
is "a copy of an imported file is the same file" "$(summary rb 'messages stored')" 0
# Rotation: lines appended to the old file after the last import, the old
# file renamed to history.1, a new history started: both are read by default.
{ line 8; line 9; } >>"$h"
mv "$h" "$h.1"
{ line 10; line 11; line 12; } >"$h"
run_r rb --now $NOW import
is "rotation: the rest of history.1 and the new history (5)" "$(summary rb 'messages stored')" 5
gzip "$h.1"
run_r rb --now $NOW import
is "rotation: history.1.gz is known (nothing new)" "$(summary rb 'messages stored')" 0
check "rotation: history.1.gz was read" 'grep -q "history.1.gz: 0 new lines" "$tmp/rb/err"'
# A file cut shorter than what was imported, first line unchanged: refused.
{ line 14; line 15; line 16; } >"$tmp/rb/cut"
run_r rb --now $NOW import "$tmp/rb/cut"
line 14 >"$tmp/rb/cut"
run_r rb --now $NOW import "$tmp/rb/cut"
is "a file cut in place is refused: exit 1" "$rc" 1
check "a file cut in place is named" 'grep -q "cut: does not match" "$tmp/rb/err"'
run_r rb --now $NOW import "$tmp/rb/missing"
is "a missing file: exit 1" "$rc" 1
run_r rb --now $NOW aggregate -q
validate_all rb
is "robustness store: reports validate ($v_n)" "$v_bad" 0
sum=0
for f in $(reports rb); do sum=$((sum + $(xp "$f" 'sum(//record/row/count)'))); done
is "robustness store: every line counted exactly once (3+1+2+1+5+3)" "$sum" 15
# Late: a record of a reported day is not stored.
line 17 >"$tmp/rb/late"
run_r rb --now $NOW import "$tmp/rb/late"
is "a record of a period already reported is not stored" "$(summary rb 'of periods already reported')" 1
# Old: beyond ReportRetentionDays (90) from the run's clock.
sed -n '18,30p' "$tmp/rb/all" >"$tmp/rb/old"
run_r rb --now $((T0 + 100 * DAY)) import "$tmp/rb/old"
is "records older than the retention are not stored" "$(summary rb 'older than the retention')" 13

# ---------------------------------------------------------------- escaping
setup esc
printf '%s\n' "AMH1.0 time=$((T0 + 60)) ip=192.0.2.77 hfrom=esc.example mfrom= disc=treewalk pdom=esc.example p=none adkim=r aspf=r fo=0 t=n psd=u rua=mailto:d@esc.example result=fail disp=none policy=none applied=p align_dkim=n align_spf=n dkim=esc.example,s%3C1%3E,fail,%3C/human_result%3E%20%26%20%FF%01%0D%0Aend spf=esc.example,helo,pass" >"$tmp/esc/history"
run_r esc --now $NOW import
run_r esc --now $NOW aggregate -q
validate_all esc
is "hostile text: the reports validate ($v_n)" "$v_bad" 0
e=$(report_of esc esc.example)
check "hostile text escaped" 'gzip -dc "$e" | grep -q "<human_result>&lt;/human_result&gt; &amp; "'
check "hostile text: selector escaped" 'gzip -dc "$e" | grep -q "<selector>s&lt;1&gt;</selector>"'
is "null sender: empty envelope_from" "$(xp "$e" 'count(//identifiers/envelope_from)')/$(xp "$e" 'string(//identifiers/envelope_from)')" "1/"
is "HELO-only SPF: no spf in auth_results (2.0)" "$(xp "$e" 'count(//auth_results/spf)')" 0
is "HELO-only SPF: reported in RFC 7489" \
	"$(xp "$(report_of esc esc.example rfc7489)" 'string(//auth_results/spf/scope)')" helo

# ---------------------------------------------------------------- partial days, no rua, dry runs
setup pt
"$GEN" -s 9 -t $((NOW - 3000)) -p 2000 -d 1 -i 3 20 | grep ' pdom=' >"$tmp/pt/history"
today=$(wc -l <"$tmp/pt/history" | tr -d ' ')
run_r pt --now $NOW import
run_r pt --now $NOW aggregate
is "the day is not over: no report" "$(reports pt | wc -l | tr -d ' ')" 0
run_r pt --now $NOW aggregate --partial
p1=$(reports pt)
is "--partial: today's report up to the second before now" \
	"$(xp "$p1" 'concat(//date_range/begin," ",//date_range/end," ",sum(//record/row/count))')" \
	"$((NOW - NOW % DAY)) $((NOW - 1)) $today"
"$GEN" -s 10 -t $((NOW + 60)) -p 600 -d 1 -i 3 5 | grep ' pdom=' >>"$tmp/pt/history"
more=$(($(wc -l <"$tmp/pt/history" | tr -d ' ') - today))
run_r pt --now $((NOW + DAY)) import
run_r pt --now $((NOW + DAY)) aggregate
p2=$(reports pt | grep -v "!$((NOW - NOW % DAY))!$((NOW - 1))!")
is "the rest of the day: a report from where the partial one ended" \
	"$(xp "$p2" 'concat(//date_range/begin," ",//date_range/end," ",sum(//record/row/count))')" \
	"$NOW $((NOW - NOW % DAY + DAY - 1)) $more"
setup norua
printf '%s\n' "AMH1.0 time=$((T0 + 60)) ip=192.0.2.1 hfrom=quiet.example mfrom=quiet.example disc=treewalk pdom=quiet.example p=reject adkim=r aspf=r fo=0 t=n psd=u result=pass disp=pass align_dkim=n align_spf=y spf=quiet.example,mfrom,pass" >"$tmp/norua/history"
run_r norua --now $NOW --dry-run import
check "dry-run import creates no database" '[ ! -f "$tmp/norua/reports.db" ]'
is "dry-run import counts what it would store" "$(summary norua 'messages stored')" 1
run_r norua --now $NOW import
run_r norua --now $NOW --dry-run aggregate
check "dry-run aggregate writes nothing" '[ -z "$(reports norua)" ]'
run_r norua --now $NOW aggregate
is "a policy without rua: the period is closed without a report" \
	"$(summary norua 'periods without rua closed')/$(ls "$tmp/norua/spool/outgoing" | wc -l | tr -d ' ')" "1/0"
run_r norua --now $NOW aggregate
is "... once" "$(summary norua 'periods without rua closed')" 0
run_r cnt --now $NOW --dry-run aggregate --partial
is "dry-run aggregate on a done store: exit 0" "$rc" 0

# ---------------------------------------------------------------- expire
mkdir -p "$tmp/cnt/spool/sent"
old="$tmp/cnt/spool/sent/mx.example.net!old.example!1!2!1"
new="$tmp/cnt/spool/sent/mx.example.net!new.example!3!4!2"
: >"$old.xml.gz"; : >"$old.meta"; : >"$new.xml.gz"; : >"$new.meta"; : >"$tmp/cnt/spool/sent/keep.txt"
touch -d "@$((NOW - 100 * DAY))" "$old.xml.gz" "$old.meta" "$tmp/cnt/spool/sent/keep.txt"
run_r cnt --now $NOW --dry-run expire
check "dry-run expire removes nothing" '[ -f "$old.meta" ] && [ -f "$old.xml.gz" ]'
check "dry-run expire names what would go" 'grep -q "would remove .*old.example" "$tmp/cnt/err"'
run_r cnt --now $NOW expire
is "expire: exit 0" "$rc" 0
check "expire: the old sent report is gone, both files" '[ ! -f "$old.meta" ] && [ ! -f "$old.xml.gz" ]'
check "expire: the recent one and other files stay" '[ -f "$new.meta" ] && [ -f "$new.xml.gz" ] && [ -f "$tmp/cnt/spool/sent/keep.txt" ]'
is "expire: nothing in the store is old yet" "$(summary cnt 'messages,')" 0
run_r cnt --now $((NOW + 95 * DAY)) expire
is "expire 95 days later: every message dropped" "$(summary cnt 'messages,')" "$stored"
run_r cnt --now $((NOW + 95 * DAY)) aggregate
is "expire: nothing left to report" "$(summary cnt 'reports (')" 0

# ---------------------------------------------------------------- command line
"$R" >/dev/null 2>&1
is "no command: exit 2" "$?" 2
"$R" -c "$tmp/cnt/conf" frobnicate >/dev/null 2>&1
is "unknown command: exit 2" "$?" 2
printf 'NoSuchKey yes\n' >"$tmp/bad.conf"
"$R" -c "$tmp/bad.conf" import >"$tmp/out" 2>&1
is "bad configuration: exit 2" "$?" 2
check "bad configuration: file and line named" 'grep -q "bad.conf:1" "$tmp/out"'
"$R" -c "$tmp/cnt/conf" aggregate "$tmp/x" >/dev/null 2>&1
is "aggregate takes no file: exit 2" "$?" 2
check "-V prints the version" '"$R" -V | grep -q "^authmilter-reports [0-9]"'
check "--help prints the usage" '"$R" --help | grep -q "^usage: authmilter-reports"'
printf 'AuthservID not_a_domain\nReportDatabase %s\n' "$tmp/x.db" >"$tmp/nodomain.conf"
"$R" -c "$tmp/nodomain.conf" aggregate >"$tmp/out" 2>&1
is "aggregate needs a domain as AuthservID: exit 2" "$?" 2
run_r cnt --dry-run send
check "send runs the sender and prints its summary" 'grep -q "send: [0-9]* reports" "$tmp/cnt/err"'

# ---------------------------------------------------------------- aggregate -> send
# What aggregate spooled is what send mails: store rt's reports, sent with
# a command that appends each message to a file, DNS from the tests' zone,
# where reports.example.net does not authorize reports for example.com.
printf 'ReportSendCommand /usr/bin/tee -a %s\nDNSZoneFile %s\n' "$tmp/rt/mbox" "$ZONE" >>"$tmp/rt/conf"
n_out=$(ls "$tmp/rt/spool/outgoing/"*.meta | wc -l | tr -d ' ')
n_rua=$(cat "$tmp/rt/spool/outgoing/"*.meta | grep -c '^rua ')
run_r rt send
is "aggregate -> send: exit 0" "$rc" 0
n_sent=$(cat "$tmp/rt/spool/sent/"*.meta | grep -c '^sent ')
is "aggregate -> send: every rua dealt with (sent or skipped)" \
	"$(cat "$tmp/rt/spool/sent/"*.meta | grep -c '^\(sent\|skipped\) ')" "$n_rua"
is "aggregate -> send: one message per report and sent rua" \
	"$(grep -c '^Subject: Report Domain: ' "$tmp/rt/mbox" 2>/dev/null)" "$n_sent"
check "aggregate -> send: only the unauthorized external rua is skipped" \
	'! cat "$tmp/rt/spool/sent/"*.meta | grep "^skipped " | grep -v -q "reports.example.net .*not authorized"'
is "aggregate -> send: every report moved to sent/" \
	"$(ls "$tmp/rt/spool/sent/"*.meta 2>/dev/null | wc -l | tr -d ' ')/$(ls "$tmp/rt/spool/outgoing/" | wc -l | tr -d ' ')" "$n_out/0"
run_r rt send
is "aggregate -> send: a second run sends nothing" \
	"$(grep -c '^Subject: Report Domain: ' "$tmp/rt/mbox")" "$n_sent"

# ---------------------------------------------------------------- schema 1 -> 4
# A version 1 store (no message.forwarder, import_file keyed by the
# fingerprint alone, no import_host), made from a new one, is upgraded when
# opened, its files kept as this host's (importing the same history again
# stores nothing); a dry run refuses it rather than change it.
if command -v sqlite3 >/dev/null 2>&1; then
	setup v1
	printf '%s\n' "AMH1.0 time=$((T0 + 100)) ip=198.51.100.7 hfrom=example.com disc=treewalk pdom=example.com p=reject adkim=r aspf=r fo=0 t=n psd=u rua=mailto:agg@example.com result=fail disp=reject policy=reject applied=p align_dkim=n align_spf=n" >"$tmp/v1/history"
	printf 'ReportHostID mx1\n' >>"$tmp/v1/conf"
	run_r v1 --now $NOW import
	sqlite3 "$tmp/v1/reports.db" "ALTER TABLE message DROP COLUMN forwarder;
		CREATE TABLE f (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE,
		 path TEXT NOT NULL, bytes_done INTEGER NOT NULL, lines_done INTEGER NOT NULL,
		 first_import INTEGER NOT NULL, last_import INTEGER NOT NULL);
		INSERT INTO f SELECT id, fingerprint, path, bytes_done, lines_done, first_import,
		 last_import FROM import_file;
		DROP TABLE import_file; ALTER TABLE f RENAME TO import_file; DROP TABLE import_host;
		DELETE FROM schema_version WHERE version > 1"
	run_r v1 --now $NOW --dry-run aggregate
	check "schema 1: a dry run refuses it, saying to upgrade" \
		'[ "$rc" -ne 0 ] && grep -q "schema version 1: run once without --dry-run" "$tmp/v1/err"'
	run_r v1 --now $NOW aggregate
	is "schema 1: upgraded to 4 when opened, and aggregated" \
		"$rc/$(sqlite3 "$tmp/v1/reports.db" 'SELECT MAX(version) FROM schema_version')/$(reports v1 | wc -l | tr -d ' ')" "0/4/1"
	is "schema 1 -> 4: the imported file is this host's (ReportHostID)" \
		"$(sqlite3 "$tmp/v1/reports.db" 'SELECT host, lines_done FROM import_file')" "mx1|1"
	run_r v1 --now $NOW import
	is "schema 1 -> 4: importing the same history again stores nothing" \
		"$rc/$(summary v1 'messages stored')" 0/0
fi

echo "1..$n"
[ "$fail" -eq 0 ]
