#!/bin/sh
# pg.sh - authmilter-reports on PostgreSQL, beside SQLite: a private
# PostgreSQL 15 cluster of the test's own (initdb in a temporary directory
# owned by the user postgres, listening on 127.0.0.1 on a free port and on
# a socket directory of its own; the machine's clusters are never used) and
# one history file imported and aggregated once into SQLite and once into
# PostgreSQL.  The two backends must give the same reports: the same file
# names and byte for byte the same XML (nothing is normalised: Report-IDs
# depend only on the receiver, policy domain and period, and the runs' clock
# is fixed with --now), the same counts per domain and period, every report
# valid against the RFC 9990 and RFC 7489 schemas.  Then, on PostgreSQL: a
# second import of the same file stores nothing; the server killed
# (pg_ctl stop -m immediate) while an import runs makes the import exit 2
# with a clear message, and after a restart the next import completes with
# nothing lost or counted twice; importers run at once (the store's
# advisory lock shared) and give exactly the counts of one after the other
# on SQLite, a version 2 store upgraded on the way (the message id
# sequence); records of a reported period are late at both ends of the
# period; the bulk insert (COPY) keeps tabs, backslashes, newlines and
# invalid UTF-8 as the driver promises; a dry run changes nothing; a URI
# with a password is refused.  Without the PostgreSQL binaries (Debian postgresql), xmllint
# or the schemas the test is skipped; under CI=true it bails out.  TAP.
: "${top_srcdir:=.}"
: "${top_builddir:=.}"
R="$top_builddir/reports/authmilter-reports"
GEN="$top_builddir/tests/bench/gen_history"
COPY="$top_builddir/tests/reports/copy_driver"
. "$top_srcdir/tests/reports/pglib.sh"
XSD="${AUTHMILTER_TESTDATA:-$top_srcdir/../shared/testdata}/dmarc-aggregate-xsd"
XSD2="$XSD/dmarcbis-aggregate-dmarc-2.0.xsd"
XSD1="$XSD/rfc7489-appendix-c.no-target-namespace.xsd"
. "$top_srcdir/tests/common/tap.sh"
command -v xmllint >/dev/null 2>&1 || missing "xmllint not installed (libxml2-utils; run tests/deps.sh)"
[ -f "$XSD2" ] && [ -f "$XSD1" ] || missing "schemas not found in $XSD (set AUTHMILTER_TESTDATA)"
pg_test_setup
# sql DB QUERY - one value from the private cluster, as the superuser postgres.
sql() { pg_sql "$@"; }
for db in reports conc dry conc3 copy; do
	pg_createdb "$db" || { echo "Bail out! createdb $db"; exit 1; }
done

T0=1795392000			# 2026-11-23 00:00:00 UTC, a day's start
DAY=86400
NOW=$((T0 + 2 * DAY + 3600))	# two days later: T0's day is complete

# setup NAME DATABASE - a configuration in $tmp/NAME for a store at DATABASE.
setup() {
	mkdir -p "$tmp/$1"
	printf 'AuthservID mx.example.net\nReportDatabase %s\nReportSpool %s\nReportLegacyRFC7489 yes\nReportEmail dmarc-reports@example.net\n' \
		"$2" "$tmp/$1/spool" >"$tmp/$1/conf"
}
# run_r NAME ARGS... - authmilter-reports with NAME's configuration; status in $rc, stderr in $tmp/NAME/err.
run_r() {
	r_name=$1
	shift
	"$R" -c "$tmp/$r_name/conf" "$@" 2>"$tmp/$r_name/err"
	rc=$?
}
# summary NAME FIELD - a number from the last summary line.
summary() {
	sed -n "s/.* \([0-9][0-9]*\) $2.*/\1/p" "$tmp/$1/err" | tail -1
}
# xml NAME - every report of NAME, decompressed, as "FILE-NAME<TAB>XML" lines, sorted.
xml() {
	for f in "$tmp/$1/spool/outgoing/"*.xml.gz; do
		[ -f "$f" ] && printf '%s\t%s\n' "$(basename "$f")" "$(gzip -dc "$f" | tr '\n' ' ')"
	done | sort
}
# counts NAME - "domain begin count" for each 2.0 report, sorted.
counts() {
	for f in "$tmp/$1/spool/outgoing/"*.xml.gz; do
		case "$f" in *rfc7489.xml.gz) continue ;; esac
		gzip -dc "$f" | sed 's/ xmlns="[^"]*"//' |
			xmllint --xpath 'concat(//policy_published/domain," ",//date_range/begin," ",sum(//record/row/count))' - 2>/dev/null
		echo
	done | sort
}
# invalid NAME - "BAD/N": how many of the N reports of NAME fail their schema.
invalid() {
	v_bad=0
	v_n=0
	for f in "$tmp/$1/spool/outgoing/"*.xml.gz; do
		[ -f "$f" ] || continue
		case "$f" in *rfc7489.xml.gz) x=$XSD1 ;; *) x=$XSD2 ;; esac
		v_n=$((v_n + 1))
		gzip -dc "$f" | xmllint --noout --schema "$x" - 2>/dev/null || v_bad=$((v_bad + 1))
	done
	echo "$v_bad/$v_n"
}

# ---------------------------------------------------------------- one history, two backends
# 5000 generated records over T0's day and 7 domains, a message of the next
# day, a trusted_forwarder override with its ARC detail, hostile text, and a
# policy without rua.
h="$tmp/history"
"$GEN" -s 7 -t $T0 -p $DAY -d 7 -i 300 5000 >"$h"
"$GEN" -s 8 -t $((T0 + DAY)) -p 600 -d 2 -i 3 20 >>"$h"
printf '%s\n' \
	"AMH1.1 time=$((T0 + 32400)) ip=198.51.100.10 hfrom=example.com mfrom=lists.example.org rcpt=example.net disc=treewalk org=example.com pdom=example.com p=reject sp=quarantine np=reject adkim=r aspf=r fo=1:d t=n psd=u rua=mailto:agg@example.com,10485760 result=fail disp=none policy=reject applied=p override=trusted_forwarder align_dkim=n align_spf=n dkim=example.com,sel1,fail spf=lists.example.org,mfrom,pass arc=pass,2,lists.example.org" \
	"AMH1.0 time=$((T0 + 60)) ip=192.0.2.77 hfrom=esc.example mfrom= disc=treewalk pdom=esc.example p=none adkim=r aspf=r fo=0 t=n psd=u rua=mailto:d@esc.example result=fail disp=none policy=none applied=p align_dkim=n align_spf=n dkim=esc.example,s%3C1%3E,fail,%3C/human_result%3E%20%26%20%FF%01%0D%0Aend spf=esc.example,helo,pass" \
	"AMH1.0 time=$((T0 + 120)) ip=192.0.2.1 hfrom=quiet.example mfrom=quiet.example disc=treewalk pdom=quiet.example p=reject adkim=r aspf=r fo=0 t=n psd=u result=pass disp=pass align_dkim=n align_spf=y spf=quiet.example,mfrom,pass" \
	>>"$h"
with_policy=$(grep -c ' pdom=' "$h")
setup sq "$tmp/sq/reports.db"
setup pg "$URI/reports"
for b in sq pg; do
	run_r $b --now $NOW import "$h"
	is "$b: import exit 0" "$rc" 0
	is "$b: every record with a policy stored" "$(summary $b 'messages stored')" "$with_policy"
	# Before any report, so that the offset alone keeps the records out.
	run_r $b --now $NOW import "$h"
	is "$b: the same file imported again before aggregating: 0 lines read, 0 stored" \
		"$rc/$(sed -n 's/.*history: \([0-9]*\) new lines.*/\1/p' "$tmp/$b/err")/$(summary $b 'messages stored')" 0/0/0
	run_r $b --now $NOW aggregate -q
	is "$b: aggregate exit 0" "$rc" 0
	is "$b: 7 + 2 + 2 reports, each also as RFC 7489, none invalid" "$(invalid $b)" 0/22
done
check "PostgreSQL holds the messages (not a file beside the configuration)" \
	'[ "$(sql reports "SELECT COUNT(*) FROM message")" = "$with_policy" ] && [ ! -e "$tmp/pg/reports.db" ]'
is "the same counts per domain and period" "$(counts pg | tr '\n' ';')" "$(counts sq | tr '\n' ';')"
is "the counts sum to the records with a policy (but quiet.example's, without rua)" \
	"$(counts pg | awk '{ s += $3 } END { print s }')" "$((with_policy - 1))"
xml sq >"$tmp/sq.xml"
xml pg >"$tmp/pg.xml"
check "the same report files, byte for byte the same XML" 'cmp -s "$tmp/sq.xml" "$tmp/pg.xml"'
is "the period without rua closed in both" \
	"$(sql reports "SELECT COUNT(*) FROM report WHERE file IS NULL")" 1
check "the ARC comment of the override came through PostgreSQL" \
	'grep -q "<comment>arc=pass i=2 d=lists.example.org</comment>" "$tmp/pg.xml"'
for b in sq pg; do
	run_r $b --now $NOW import "$h"
	is "$b: importing the same file again stores nothing" "$(summary $b 'messages stored')/$rc" 0/0
	run_r $b --now $NOW aggregate -q
	is "$b: a second aggregate makes no report" "$(summary $b 'reports (')" 0
done
cp "$h" "$tmp/copy"
run_r pg --now $NOW import "$tmp/copy"
is "pg: a copy of an imported file is the same file" "$(summary pg 'messages stored')" 0
line=$(grep ' pdom=d0.example ' "$h" | head -1)
printf '%s\n' "$line" >"$tmp/late"
run_r pg --now $NOW import "$tmp/late"
is "pg: a record of a period already reported is not stored" "$(summary pg 'of periods already reported')" 1
# d0.example's day T0 is reported: its first and last seconds are late, a
# second of the day not reported yet is stored, on both backends alike.
for t in $T0 $((T0 + DAY - 1)) $((T0 + 2 * DAY + 10)); do
	printf '%s\n' "$line" | sed "s/ time=[0-9]* / time=$t /"
done >"$tmp/late2"
before=$(sql reports "SELECT COUNT(*) FROM message")
for b in sq pg; do
	run_r $b --now $((NOW + 60)) import "$tmp/late2"
	is "$b: the first and last second of a reported period are late, a later one stored" \
		"$(summary $b 'of periods already reported')/$(summary $b 'messages stored')" 2/1
done
is "pg: ... one message row more" "$(sql reports "SELECT COUNT(*) FROM message")" $((before + 1))

# ---------------------------------------------------------------- the bulk insert
# COPY's text format escapes backslash, tab, newline and CR and writes \N
# for NULL: rows of such text, a literal \N, invalid UTF-8 and control
# characters, read back as the driver promises (SQLite: the bytes as given;
# PostgreSQL: U+FFFD for each byte that starts no XML character).
is "bulk insert into SQLite: every hostile text read back as given" \
	"$("$COPY" "$tmp/copy.db" 2>&1)" "copy: 12 rows ok"
is "bulk insert into PostgreSQL (COPY): every hostile text read back as promised" \
	"$("$COPY" "$URI/copy" 2>&1)" "copy: 12 rows ok"

# ---------------------------------------------------------------- dry runs
setup dry "$URI/dry"
run_r dry --now $NOW --dry-run import "$h"
check "dry run on an empty database: refused, saying to run once without it" \
	'[ "$rc" -ne 0 ] && grep -q "run once without --dry-run" "$tmp/dry/err"'
is "... and no table made" "$(sql dry "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'")" 0
"$GEN" -s 11 -t $((NOW + 60)) -p 600 -d 1 -i 3 10 >"$tmp/more"
before=$(sql reports "SELECT COUNT(*) FROM message")
run_r pg --now $((NOW + 7200)) --dry-run import "$tmp/more"
is "pg: a dry-run import counts what it would store" \
	"$(summary pg 'messages stored')" "$(grep -c ' pdom=' "$tmp/more")"
is "pg: ... and stores nothing" "$(sql reports "SELECT COUNT(*) FROM message")" "$before"

# ---------------------------------------------------------------- the server killed mid-import
# 150,000 records, imported in batches of 50,000 lines: once the first
# batch is committed the server is killed.
setup conc "$URI/conc"
big="$tmp/big"
"$GEN" -s 12 -t $T0 -p $DAY -d 5 -i 200 150000 >"$big"
big_policy=$(grep -c ' pdom=' "$big")
"$R" -c "$tmp/conc/conf" --now $NOW import "$big" 2>"$tmp/conc/err1" &
ipid=$!
i=0
# done_bytes - the offset committed so far (0 before the table exists).
done_bytes() {
	d=$(sql conc 'SELECT COALESCE(MAX(bytes_done), 0) FROM import_file')
	echo "${d:-0}"
}
while [ "$(done_bytes)" = 0 ] && [ $i -lt 1200 ] && kill -0 $ipid 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
running=no
kill -0 $ipid 2>/dev/null && running=yes
pg_kill
wait $ipid
irc=$?
is "the import was running when the server was killed" "$running" yes
# Status 2 is authmilter-reports(8)'s "database error"; the batches
# committed before stay.
is "server killed mid-import: the import exits 2 (a database error)" "$irc" 2
check "... with a message naming the lost connection" \
	'grep -Eiq "server closed the connection|terminating connection|connection" "$tmp/conc/err1"'
sed 's/^/# /' "$tmp/conc/err1" | head -3
pg_start
check "the server restarted" '[ -n "$pg_started" ]'
partial=$(sql conc "SELECT COUNT(*) FROM message")
check "a batch was committed before the kill, not all ($partial)" \
	'[ "$partial" -gt 0 ] && [ "$partial" -lt "$big_policy" ]'
run_r conc --now $NOW import "$big"
is "after the restart the import completes: exit 0" "$rc" 0
is "... storing exactly the rest" \
	"$(summary conc 'messages stored')" "$((big_policy - partial))"
is "nothing lost or counted twice: the store holds every record once" \
	"$(sql conc "SELECT COUNT(*) || '/' || COUNT(DISTINCT id) FROM message")" "$big_policy/$big_policy"
is "the period table agrees" "$(sql conc "SELECT SUM(messages) FROM period")" "$big_policy"
run_r conc --now $NOW aggregate -q
is "aggregate after the restart: exit 0, 5 reports (and twins), valid" "$rc/$(invalid conc)" 0/0/10
is "the reports count every record once" \
	"$(counts conc | awk '{ s += $3 } END { print s }')" "$big_policy"

# ---------------------------------------------------------------- two importers at once
# Two files imported at the same moment into one database (a version 2
# store: upgraded by whichever comes first, the message ids then taken
# from the sequence where the counter stood): nothing lost, ids unique.
sql conc "DROP SEQUENCE message_id; DELETE FROM schema_version WHERE version > 2;
	ALTER TABLE import_file DROP COLUMN host; ALTER TABLE import_file ADD UNIQUE (fingerprint);
	DROP TABLE import_host;
	UPDATE counter SET value = (SELECT MAX(id) + 1 FROM message);
	ALTER TABLE message ADD FOREIGN KEY (pdom_id) REFERENCES pdom(id),
	ADD FOREIGN KEY (policy_id) REFERENCES policy(id), ADD FOREIGN KEY (auth_id) REFERENCES auth(id)" >/dev/null
is "a version 2 store made, with the message table's foreign keys" \
	"$(sql conc "SELECT COUNT(*) FROM pg_constraint WHERE conrelid = 'message'::regclass AND contype = 'f'")" 3
"$GEN" -s 13 -t $((T0 + DAY)) -p 3600 -d 3 -i 20 3000 >"$tmp/c1"
"$GEN" -s 14 -t $((T0 + DAY)) -p 3600 -d 3 -i 20 3000 >"$tmp/c2"
"$R" -c "$tmp/conc/conf" --now $NOW import "$tmp/c1" 2>"$tmp/conc/e1" &
p1=$!
"$R" -c "$tmp/conc/conf" --now $NOW import "$tmp/c2" 2>"$tmp/conc/e2" &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
is "two concurrent importers: both exit 0" "$r1/$r2" 0/0
want=$((big_policy + $(cat "$tmp/c1" "$tmp/c2" | grep -c ' pdom=')))
is "two concurrent importers: every record stored once, ids unique" \
	"$(sql conc "SELECT COUNT(*) || '/' || COUNT(DISTINCT id) FROM message")" "$want/$want"
is "... the version 2 store upgraded to 4" "$(sql conc "SELECT MAX(version) FROM schema_version")" 4
fkeys="SELECT COUNT(*) FROM pg_constraint WHERE conrelid = 'message'::regclass AND contype = 'f'"
is "version 4: the message table has no foreign keys (new and upgraded stores)" \
	"$(sql reports "$fkeys")/$(sql conc "$fkeys")" 0/0

# ---------------------------------------------------------------- three hosts at once
# Three files of 60,000 records over the same 4 domains and one day (more
# than a batch each: the imports overlap, interning the same policies and
# result sets at once) imported at the same moment into PostgreSQL, and
# one after the other into SQLite: the same counts per domain and period
# in the reports, summing to every record with a policy.
setup sq3 "$tmp/sq3/reports.db"
setup conc3 "$URI/conc3"
for k in 1 2 3; do
	"$GEN" -s $((20 + 2 * k)) -t $T0 -p $DAY -d 4 -i 30 60000 >"$tmp/h3.$k"
	run_r sq3 --now $NOW import "$tmp/h3.$k"
done
for k in 1 2 3; do
	"$R" -c "$tmp/conc3/conf" --now $NOW import "$tmp/h3.$k" 2>"$tmp/conc3/e$k" &
	eval "p$k=\$!"
done
wait $p1
r1=$?
wait $p2
r2=$?
wait $p3
r3=$?
is "three concurrent importers: all exit 0" "$r1/$r2/$r3" 0/0/0
want3=$(cat "$tmp/h3.1" "$tmp/h3.2" "$tmp/h3.3" | grep -c ' pdom=')
is "... every record stored once, ids unique, the periods agree" \
	"$(sql conc3 "SELECT COUNT(*) || '/' || COUNT(DISTINCT id) || '/' || (SELECT SUM(messages) FROM period) FROM message")" \
	"$want3/$want3/$want3"
interned="SELECT (SELECT COUNT(*) FROM pdom) || '/' || (SELECT COUNT(*) FROM policy) || '/' || (SELECT COUNT(*) FROM auth)"
if command -v sqlite3 >/dev/null 2>&1; then
	is "... each policy domain, policy and result set interned once, as on SQLite" \
		"$(sql conc3 "$interned")" "$(sqlite3 "$tmp/sq3/reports.db" "$interned")"
else
	ok "... interned rows as on SQLite # SKIP no sqlite3"
fi
for b in sq3 conc3; do
	run_r $b --now $NOW aggregate -q
done
is "... the same counts per domain and period as one after the other on SQLite" \
	"$(counts conc3 | tr '\n' ';')" "$(counts sq3 | tr '\n' ';')"
is "... summing to every record with a policy" "$(counts conc3 | awk '{ s += $3 } END { print s }')" "$want3"

# ---------------------------------------------------------------- passwords
setup pw "postgresql://postgres:s3cret@127.0.0.1:$PORT/reports"
run_r pw --now $NOW import "$h"
is "a URI with a password: exit 2 (configuration error)" "$rc" 2
check "... with a message saying where the password goes" 'grep -q "password.*refused.*pgpass" "$tmp/pw/err"'
check "... and the password not repeated" '! grep -q s3cret "$tmp/pw/err"'
setup pw2 "postgres://postgres@127.0.0.1:$PORT/reports?sslmode=disable&password=s3cret"
run_r pw2 --now $NOW import "$h"
is "a password= parameter: refused too, not repeated" \
	"$rc/$(grep -c 'password.*refused' "$tmp/pw2/err")/$(grep -c s3cret "$tmp/pw2/err")" 2/1/0
setup nopg "postgresql://postgres@127.0.0.1:1/reports"
run_r nopg --now $NOW import "$h"
check "no server there: exit 2, the connection failure said" \
	'[ "$rc" -eq 2 ] && grep -q "cannot connect" "$tmp/nopg/err"'

echo "1..$n"
[ "$fail" -eq 0 ]
