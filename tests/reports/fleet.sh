#!/bin/sh
# fleet.sh - several MX hosts, one report store (issue 16): three
# simulated hosts (ReportHostID h1, h2, h3, each with its own history file
# and its own spool) share one store, first an SQLite file, then a
# PostgreSQL database of a private PostgreSQL 15 cluster (pglib.sh).  On
# each backend:
#   - a period is not reported while a host that imported since the day
#     before has not imported past its end: aggregate says it waits for
#     that host, and makes no report;
#   - the three hosts import at the same moment, then run aggregate at the
#     same moment, then send: exactly one report per policy domain and day
#     for the fleet (the spools together), XSD-valid, its count the sum of
#     the three hosts' records; each report mailed once;
#   - a file that begins like another host's is read, with a warning;
#   - after ReportHostGrace a host still behind is not waited for: the
#     report is made without it and names it in its errors; the records it
#     imports afterwards are counted as late, not stored;
#   - one host importing one file twice at the same moment counts it once;
#   - a PostgreSQL store of schema version 2, upgraded, keeps its history
#     files as the upgrading host's: they are not read again.
# Without xmllint, the schemas or (for the PostgreSQL half) the PostgreSQL
# binaries the test is skipped; under CI=true it bails out.  TAP.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
R="$top_builddir/reports/authmilter-reports"
GEN="$top_builddir/tests/bench/gen_history"
XSD="${AUTHMILTER_TESTDATA:-$top_srcdir/../shared/testdata}/dmarc-aggregate-xsd/dmarcbis-aggregate-dmarc-2.0.xsd"
. "$top_srcdir/tests/reports/pglib.sh"
. "$top_srcdir/tests/common/tap.sh"
command -v xmllint >/dev/null 2>&1 || missing "xmllint not installed (libxml2-utils; run tests/deps.sh)"
[ -f "$XSD" ] || missing "schema not found: $XSD (set AUTHMILTER_TESTDATA)"
pg_test_setup
for db in fleet old; do
	pg_createdb $db || { echo "Bail out! createdb $db"; exit 1; }
done

T0=1795392000			# 2026-11-23 00:00:00 UTC, a day's start
DAY=86400
D2=$((T0 + DAY))
GRACE=21600			# ReportHostGrace's default, 6 hours
NOW1=$((D2 + 1800))		# day 1 is over, its grace is not
NOW2=$((D2 + DAY + 1800))	# the same for day 2
NOW3=$((D2 + DAY + GRACE))	# day 2's grace has passed

# The mailer of ReportSendCommand: each message into a file of its own in $1.
printf '#!/bin/sh\nf=$(mktemp "$1/msg.XXXXXX") && cat >"$f"\n' >"$tmp/sendmail.sh"
chmod +x "$tmp/sendmail.sh"

# setup B TARGET - the three hosts' configurations for backend B.
setup() {
	for h in h1 h2 h3; do
		mkdir -p "$tmp/$1/$h"
		printf '%s\n' "AuthservID mx-$h.example.net" "ReportHostID $h" \
			"ReportDatabase $2" "ReportSpool $tmp/$1/$h/spool" \
			"ReportOrgName example.net" "ReportEmail dmarc-reports@example.net" \
			"ReportSendCommand $tmp/sendmail.sh $tmp/$1/mail" \
			"HistoryFile $tmp/$1/$h/history" >"$tmp/$1/$h/conf"
	done
	mkdir -p "$tmp/$1/mail"
}
# r B HOST ARGS... - authmilter-reports as HOST; stderr in $tmp/B/HOST/err, status in $rc.
r() {
	r_dir="$tmp/$1/$2"
	shift 2
	"$R" -c "$r_dir/conf" "$@" 2>"$r_dir/err"
	rc=$?
}
# bg B HOST ARGS... - the same in the background; its PID in $bgpid.
bg() {
	bg_dir="$tmp/$1/$2"
	shift 2
	"$R" -c "$bg_dir/conf" "$@" 2>"$bg_dir/err" &
	bgpid=$!
}
# all3 B ARGS... - the three hosts run ARGS at the same moment; "rc1/rc2/rc3" in $rcs.
all3() {
	a_b=$1
	shift
	bg "$a_b" h1 "$@"
	p1=$bgpid
	bg "$a_b" h2 "$@"
	p2=$bgpid
	bg "$a_b" h3 "$@"
	p3=$bgpid
	wait $p1
	r1=$?
	wait $p2
	r2=$?
	wait $p3
	r3=$?
	rcs="$r1/$r2/$r3"
}
# summary B HOST FIELD - a number from HOST's last summary line (0 when none).
summary() {
	s_v=$(sed -n "s/.* \([0-9][0-9]*\) $3.*/\1/p" "$tmp/$1/$2/err" | tail -1)
	echo "${s_v:-0}"
}
# reports B - every 2.0 report of the fleet (the three spools).
reports() {
	ls "$tmp/$1"/h?/spool/outgoing/*.xml.gz 2>/dev/null
}
# counts B BEGIN - "domain count" of each report of the day starting at BEGIN, sorted.
counts() {
	for f in $(reports "$1"); do
		gzip -dc "$f" | sed 's/ xmlns="[^"]*"//' |
			xmllint --xpath 'concat(//policy_published/domain," ",//date_range/begin," ",sum(//record/row/count))' - 2>/dev/null
		echo
	done | awk -v b="$2" '$2 == b { print $1, $3 }' | sort
}
# expect FILE... - "domain count" of the records with a policy in the history FILEs.
expect() {
	cat "$@" | grep -o ' pdom=[^ ]*' | sed 's/ pdom=//' | sort | uniq -c | awk '{ print $2, $1 }' | sort
}
# invalid B - "BAD/N" of the fleet's reports against the schema.
invalid() {
	v_bad=0
	v_n=0
	for f in $(reports "$1"); do
		v_n=$((v_n + 1))
		gzip -dc "$f" | xmllint --noout --schema "$XSD" - 2>/dev/null || v_bad=$((v_bad + 1))
	done
	echo "$v_bad/$v_n"
}
# count_lines TEXT - lines in TEXT.
count_lines() {
	printf '%s' "$1" | grep -c .
}

# The histories: each host's records of day 1 (h1's and h2's in two
# halves), day 2's for h1 and h2 (h2's in two parts).
# (Seeds whose first lines differ: the generator's first line depends on
# the seed only loosely, and files that begin alike are the case of the
# copy below.)
h=1
for s in 21 22 24; do
	"$GEN" -s $s -t $T0 -p $DAY -d 6 -i 40 2000 >"$tmp/day1.h$h"
	h=$((h + 1))
done
"$GEN" -s 31 -t $D2 -p $DAY -d 4 -i 20 600 >"$tmp/day2.h1"
"$GEN" -s 32 -t $D2 -p 43200 -d 4 -i 20 400 >"$tmp/day2.h2a"
"$GEN" -s 33 -t $((D2 + 43200)) -p 43200 -d 4 -i 20 300 >"$tmp/day2.h2b"
ndom=$(expect "$tmp"/day1.h? | wc -l | tr -d ' ')

# behind B - h2 has imported half its day at noon: h1's aggregate waits for it.
behind() {
	b=$1
	head -1000 "$tmp/day1.h1" >"$tmp/$b/h1/history"
	head -1000 "$tmp/day1.h2" >"$tmp/$b/h2/history"
	r "$b" h2 --now $((T0 + 43200)) import "$tmp/$b/h2/history"
	is "$b: h2 imports half its day at noon: exit 0" "$rc" 0
	r "$b" h1 --now $NOW1 import "$tmp/$b/h1/history"
	r "$b" h1 --now $NOW1 aggregate
	cp "$tmp/$b/h1/err" "$tmp/$b/h1/err.wait"
	is "$b: h1 aggregates after the day: exit 0, no report, $ndom periods waiting" \
		"$rc/$(summary $b h1 'reports (')/$(summary $b h1 'periods waiting')" "0/0/$ndom"
	check "$b: ... saying it waits for h2 (imported up to noon) until the grace ends" \
		'grep -q "waiting for host h2 (imported up to 2026-11-23T12:00:00Z) until 2026-11-24T06:00:00Z" "$tmp/$b/h1/err.wait"'
	check "$b: ... not for h3, which never imported" '! grep -q "host h3" "$tmp/$b/h1/err.wait"'
}

# together B - the three hosts import, aggregate and send at the same moments.
together() {
	b=$1
	tail -n +1001 "$tmp/day1.h1" >>"$tmp/$b/h1/history"
	tail -n +1001 "$tmp/day1.h2" >>"$tmp/$b/h2/history"
	cp "$tmp/day1.h3" "$tmp/$b/h3/history"
	all3 "$b" --now $NOW1 import
	is "$b: three hosts import at once: exit 0 each" "$rcs" 0/0/0
	is "$b: ... each storing its new records" \
		"$(summary $b h1 'messages stored')/$(summary $b h2 'messages stored')/$(summary $b h3 'messages stored')" \
		"$(tail -n +1001 "$tmp/day1.h1" | grep -c ' pdom=')/$(tail -n +1001 "$tmp/day1.h2" | grep -c ' pdom=')/$(grep -c ' pdom=' "$tmp/day1.h3")"
	all3 "$b" --now $NOW1 aggregate
	is "$b: three hosts aggregate at once: exit 0 each" "$rcs" 0/0/0
	is "$b: ... $ndom reports made in all, one per domain" \
		"$(($(summary $b h1 'reports (') + $(summary $b h2 'reports (') + $(summary $b h3 'reports (')))/$(reports $b | wc -l | tr -d ' ')" \
		"$ndom/$ndom"
	is "$b: ... each domain's count the sum of the three hosts' records" \
		"$(counts $b $T0 | tr '\n' ';')" "$(expect "$tmp"/day1.h? | tr '\n' ';')"
	is "$b: ... every report valid (RFC 9990 schema)" "$(invalid $b)" "0/$ndom"
	all3 "$b" --now $NOW1 aggregate
	is "$b: aggregate again on the three: nothing more" \
		"$rcs/$(reports $b | wc -l | tr -d ' ')" "0/0/0/$ndom"
	all3 "$b" --now $NOW1 send
	is "$b: three hosts send at once: exit 0 each" "$rcs" 0/0/0
	is "$b: ... each report mailed once" \
		"$(ls "$tmp/$b/mail" | wc -l | tr -d ' ')/$(cat "$tmp/$b/mail"/* | grep '^Subject: ' | sort -u | wc -l | tr -d ' ')" \
		"$ndom/$ndom"
	all3 "$b" --now $NOW1 send
	is "$b: send again: nothing more" "$rcs/$(ls "$tmp/$b/mail" | wc -l | tr -d ' ')" "0/0/0/$ndom"
}

# grace B - day 2: h2 stays behind until ReportHostGrace has passed.
grace() {
	b=$1
	cat "$tmp/day2.h1" >>"$tmp/$b/h1/history"
	cat "$tmp/day2.h2a" >>"$tmp/$b/h2/history"
	r "$b" h2 --now $((D2 + 43200)) import "$tmp/$b/h2/history"
	r "$b" h3 --now $NOW2 import "$tmp/$b/h3/history"
	r "$b" h1 --now $NOW2 import "$tmp/$b/h1/history"
	r "$b" h1 --now $NOW2 aggregate
	is "$b: day 2, h2 behind, within the grace: nothing reported" \
		"$rc/$(summary $b h1 'reports (')/$(count_lines "$(counts $b $D2)")" 0/0/0
	r "$b" h1 --now $NOW3 aggregate
	is "$b: once the grace has passed: reported without h2's later records" \
		"$rc/$(counts $b $D2 | tr '\n' ';')" "0/$(expect "$tmp/day2.h1" "$tmp/day2.h2a" | tr '\n' ';')"
	check "$b: ... the log names h2" \
		'grep -q "host h2 imported only up to 2026-11-24T12:00:00Z: reported without its later records" "$tmp/$b/h1/err"'
	nerr=0
	for f in $(reports "$b"); do
		gzip -dc "$f" | grep -q '<error>host h2: history after 2026-11-24T12:00:00Z not included</error>' &&
			nerr=$((nerr + 1))
	done
	is "$b: ... and so does each day-2 report's metadata (an error element)" \
		"$nerr" "$(count_lines "$(counts $b $D2)")"
	cat "$tmp/day2.h2b" >>"$tmp/$b/h2/history"
	r "$b" h2 --now $NOW3 import "$tmp/$b/h2/history"
	is "$b: h2's later records, imported after the report: late, not stored" \
		"$rc/$(summary $b h2 'messages stored')/$(summary $b h2 'of periods already reported')" \
		"0/0/$(grep -c ' pdom=' "$tmp/day2.h2b")"
	# A file beginning like another host's is this host's all the same
	# (here a copy: its records fall in reported periods, late).
	head -1500 "$tmp/$b/h2/history" >"$tmp/$b/h1/copy-of-h2"
	r "$b" h1 --now $NOW3 import "$tmp/$b/h1/copy-of-h2"
	is "$b: h1 imports a file that begins like h2's: exit 1, read as h1's" \
		"$rc/$(summary $b h1 'of periods already reported')" "1/$(head -1500 "$tmp/$b/h2/history" | grep -c ' pdom=')"
	check "$b: ... warning that h2 has one like it" \
		'grep -q "copy-of-h2: warning: host h2 imported a file that begins with the same line; imported as this host.s (h1)" "$tmp/$b/h1/err"'
}

for backend in sq pg; do
	case $backend in sq) setup sq "$tmp/sq-reports.db" ;; pg) setup pg "$URI/fleet" ;; esac
	behind $backend
	together $backend
	grace $backend
done

# ---- a PostgreSQL store of schema version 2, upgraded by h2: its files stay h2's.
setup old "$URI/old"
cp "$tmp/day1.h1" "$tmp/old/h2/history"
r old h2 --now $NOW1 import "$tmp/old/h2/history"
pg_sql old "ALTER TABLE import_file DROP COLUMN host; ALTER TABLE import_file ADD UNIQUE (fingerprint);
	DROP TABLE import_host; DROP SEQUENCE message_id; DELETE FROM schema_version WHERE version > 2" >/dev/null
is "pg: made a version 2 store" "$(pg_sql old 'SELECT MAX(version) FROM schema_version')" 2
r old h2 --now $NOW1 import "$tmp/old/h2/history"
is "pg: version 2 upgraded to 4 by h2's import, the file not read again" \
	"$rc/$(pg_sql old 'SELECT MAX(version) FROM schema_version')/$(summary old h2 'messages stored')" 0/4/0
is "pg: ... the file is h2's" "$(pg_sql old 'SELECT host, lines_done FROM import_file')" "h2|2000"

# ---- one host importing one file twice at the same moment (a timer run and
# one by hand): whichever moves the file's offset first keeps its batch, the
# other's batch is refused (exit 2) and nothing is stored twice.
pg_createdb twice || { echo "Bail out! createdb twice"; exit 1; }
"$GEN" -s 41 -t $T0 -p $DAY -d 6 -i 40 120000 >"$tmp/big"
big=$(grep -c ' pdom=' "$tmp/big")
for target in "$tmp/twice.db" "$URI/twice"; do
	case $target in /*) b=sq2 ;; *) b=pg2 ;; esac
	setup $b "$target"
	bg $b h1 --now $NOW1 import "$tmp/big"
	q1=$bgpid
	"$R" -c "$tmp/$b/h1/conf" --now $NOW1 import "$tmp/big" 2>"$tmp/$b/h1/err2" &
	q2=$!
	wait $q1
	s1=$?
	wait $q2
	s2=$?
	r $b h1 --now $NOW1 import "$tmp/big"
	r $b h1 --now $NOW1 aggregate -q
	is "$b: the same file imported twice at once ($s1/$s2), then once more: every record counted once" \
		"$(counts $b $T0 | awk '{ s += $2 } END { print s }')" "$big"
done

echo "1..$n"
[ "$fail" -eq 0 ]
