#!/bin/sh
# tests/package/run.sh - the Debian package test (issue 14), TAP.  Not part
# of make check: .ci/run runs it as its own step, as root, on a Debian 12
# machine where authmilter is not installed.  It installs what it needs
# (debhelper, lintian, the build dependencies, nsd, systemd for
# systemd-analyze, logrotate for its config check), then:
#  1. builds the package with dpkg-buildpackage from a fresh git clone of
#     this repository (the committed HEAD: uncommitted changes are not in
#     it) and runs lintian (no errors, no warnings);
#  2. apt-get install ./authmilter_*.deb: files, owners, modes, the user,
#     the conffile's keys, "authmilter -n", the units (systemd-analyze
#     verify and security --offline=yes, "OK" or better);
#  3. starts the service with /etc/init.d/authmilter (PID 1 is not
#     systemd here), a milter conversation on its socket with
#     tests/wire/mtaclient.py: a DMARC pass (header) and a p=reject spoof
#     (550), the daemon's user in /proc, a reload on SIGHUP, a stop;
#  4. the report job as the cron file and the timer's unit run it, as the
#     authmilter user, on the history just written, with no ReportEmail;
#  5. apt-get purge leaves nothing (the file list before the install and
#     after the purge, as piuparts compares them); then install, a local
#     change to /etc/authmilter.conf, an upgrade to a rebuilt package with a
#     higher version whose shipped conffile changed too (dpkg's conffile
#     question answered by --force-confold: the local file is kept), a
#     restart, purge, and the file list again.
# DNS comes from a private nsd on 127.0.0.1 serving tests/wire/wire.zone:
# the test points the installed configuration's Nameservers at it (a local
# conffile change, the one the upgrade must keep).  Syslog: where no
# syslog daemon listens on /dev/log, the test listens there itself (and
# removes it after) to see the daemon's log lines.
# The package is built with DEB_BUILD_OPTIONS=nocheck unless PKG_CHECK=1:
# .ci/run's first step ran make check on the same tree.
# Exits non-zero when a test failed; ends with the lintian summary and the
# systemd-analyze security score.
set -u
cd "$(dirname "$0")/../.." || exit 1
top=$(pwd)
export DEBIAN_FRONTEND=noninteractive
n=0
failures=0
lintian_summary="not run"
security_score="not run"

ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failures=$((failures + 1)); echo "not ok $n - $1"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# check NAME CMD - one TAP line: CMD (eval'ed) succeeds.
check() {
	if eval "$2"; then ok "$1"; else notok "$1"; fi
}
# finish - the plan, the two summaries, the exit status.
finish() {
	echo "1..$n"
	echo "# lintian: $lintian_summary"
	echo "# systemd-analyze security --offline=yes authmilter.service: $security_score"
	[ "$failures" -eq 0 ] && [ "$n" -gt 0 ]
	exit $?
}
bail() {
	echo "Bail out! $1"
	finish_failed=1
	failures=$((failures + 1))
	finish
}

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP the package test runs as root (it installs and purges the package)"
	exit 0
fi
installed() { dpkg-query -W -f='${Status}' authmilter 2>/dev/null | grep -q 'ok installed\|config-files'; }
if installed; then
	echo "Bail out! authmilter is installed already: the test installs and purges it"
	exit 1
fi

tmp=$(mktemp -d /tmp/authmilter-pkg.XXXXXX) || exit 1
nsd_started=no
syslog_pid=""
devlog_ours=no

# gone PID - process PID has ended (or is a zombie its parent has not
# reaped yet).
gone() {
	st=$(cut -d" " -f3 "/proc/$1/stat" 2>/dev/null) || return 0
	[ "$st" = Z ]
}

# stop_daemon - stop the daemon the test started (the PID of its PidFile,
# only when that process is /usr/sbin/authmilter), waiting at most 10 s.
stop_daemon() {
	pid=$(cat /run/authmilter/authmilter.pid 2>/dev/null) || return 0
	[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = /usr/sbin/authmilter ] || return 0
	kill -TERM "$pid" 2>/dev/null
	i=0
	while ! gone "$pid" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
}

cleanup() {
	if installed; then
		stop_daemon
		apt-get purge -y -q authmilter >"$tmp/cleanup-purge.log" 2>&1 ||
			echo "# cleanup: apt-get purge authmilter failed, see $tmp/cleanup-purge.log"
	fi
	[ "$nsd_started" = yes ] && sh "$top/tests/dns/nsd-stop.sh" "$tmp/nsd" >/dev/null 2>&1
	[ -n "$syslog_pid" ] && kill "$syslog_pid" 2>/dev/null
	[ "$devlog_ours" = yes ] && rm -f /dev/log
	case "$tmp" in /tmp/authmilter-pkg.*) rm -rf "$tmp" ;; esac
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ------------------------------------------------------------ what it needs
echo "# installing the tools and the build dependencies"
apt-get update -q >"$tmp/apt.log" 2>&1
if ! apt-get install -y -q --no-install-recommends debhelper lintian dpkg-dev fakeroot git \
    nsd python3 systemd logrotate >>"$tmp/apt.log" 2>&1 ||
    ! apt-get build-dep -y -q -P nocheck "$top" >>"$tmp/apt.log" 2>&1; then
	tail -20 "$tmp/apt.log"
	bail "cannot install the tools or the build dependencies"
fi

# snapshot FILE - the file list of the system, without the places other
# processes and apt/dpkg's own bookkeeping change (as piuparts does).
snapshot() {
	find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path /tmp -o -path /var/tmp \
	    -o -path /work -o -path /root -o -path /home -o -path /var/cache -o -path /var/lib/apt \
	    -o -path /var/lib/dpkg -o -path /var/log -o -path /var/backups -o -path /var/mail \
	    -o -path /var/spool \) -prune -o -print | sort >"$1"
	find /run -path /run/authmilter -print -o -path '/run/*' -prune >>"$1" 2>/dev/null
}

# compare_snapshots BEFORE AFTER WHAT - a TAP line: nothing of the package
# is left; paths new since BEFORE that another package owns (dependencies
# installed on the way) are listed, not counted.
compare_snapshots() {
	comm -13 "$1" "$2" >"$tmp/new"
	: >"$tmp/left"
	while IFS= read -r f; do
		owner=$(dpkg -S "$f" 2>/dev/null | cut -d: -f1)
		if [ -n "$owner" ]; then
			echo "# $3: new, of package $owner: $f"
		else
			echo "$f" >>"$tmp/left"
		fi
	done <"$tmp/new"
	comm -23 "$1" "$2" >"$tmp/gone"
	sed "s|^|# $3: gone: |" "$tmp/gone"
	sed "s|^|# $3: left behind: |" "$tmp/left"
	check "$3: nothing left behind (file list as before the install)" \
	    '[ ! -s "$tmp/left" ] && [ ! -s "$tmp/gone" ]'
}

snapshot "$tmp/before"

# ------------------------------------------------------------ 1. build, lintian
git clone -q "$top" "$tmp/src" || bail "git clone failed"
opts=${DEB_BUILD_OPTIONS:-}
[ "${PKG_CHECK:-0}" = 1 ] || opts="$opts nocheck"
opts="$opts parallel=$(nproc)"
echo "# dpkg-buildpackage -us -uc -b, DEB_BUILD_OPTIONS='$opts'"
if (cd "$tmp/src" && DEB_BUILD_OPTIONS="$opts" dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	ok "dpkg-buildpackage builds the package from a fresh clone"
else
	tail -40 "$tmp/build.log" | sed 's/^/# /'
	bail "the package does not build"
fi
deb=$(ls "$tmp"/authmilter_*_*.deb 2>/dev/null | head -1)
check "it made authmilter_VERSION_ARCH.deb" '[ -n "$deb" ] && [ -f "$deb" ]'
version=$(dpkg-deb -f "$deb" Version)
dpkg-deb -c "$deb" | sed 's/^/# /'

lintian --info --display-info --pedantic --show-overrides "$tmp"/authmilter_*.changes >"$tmp/lintian.out" 2>&1
sed 's/^/# lintian output: /' "$tmp/lintian.out"
count() { grep -c "^$1: " "$tmp/lintian.out"; }
lintian_summary="$(count E) errors, $(count W) warnings, $(count I) info, $(count P) pedantic, $(count O) overridden"
check "lintian: no errors, no warnings ($lintian_summary)" \
    '[ "$(count E)" = 0 ] && [ "$(count W)" = 0 ]'
if [ -f debian/authmilter.lintian-overrides ]; then
	check "each lintian override carries its reason (a comment above it)" \
	    'awk "/^#/ { c = 1; next } /^[^#[:space:]]/ { if (!c) bad = 1; c = 0 } END { exit bad }" \
		debian/authmilter.lintian-overrides'
else
	ok "no lintian overrides (debian/authmilter.lintian-overrides does not exist)"
fi

# ------------------------------------------------------------ 2. install
if apt-get install -y -q "$deb" >"$tmp/install.log" 2>&1; then
	ok "apt-get install ./$(basename "$deb") (with its dependencies)"
else
	sed 's/^/# /' "$tmp/install.log"
	bail "apt-get install failed"
fi

# mode_is PATH OWNER:GROUP MODE
mode_is() {
	got=$(stat -c '%U:%G %a' "$1" 2>/dev/null)
	[ "$got" = "$2 $3" ] || { echo "# $1: $got, want $2 $3"; return 1; }
}
check "the programs: /usr/sbin/authmilter, /usr/sbin/authmilter-reports, /usr/bin/authmilter-check" \
    'mode_is /usr/sbin/authmilter root:root 755 && mode_is /usr/sbin/authmilter-reports root:root 755 &&
     mode_is /usr/bin/authmilter-check root:root 755'
check "the man pages" \
    'for m in man8/authmilter.8 man8/authmilter-reports.8 man5/authmilter.conf.5 man1/authmilter-check.1; do
	mode_is /usr/share/man/$m.gz root:root 644 || exit 1; done'
check "/etc/authmilter.conf root:root 0644, a conffile" \
    'mode_is /etc/authmilter.conf root:root 644 && grep -qx /etc/authmilter.conf /var/lib/dpkg/info/authmilter.conffiles'
check "the conffile sets the packaged paths, loopback socket, UserID authmilter" \
    'for l in "Socket inet:8895@127.0.0.1" "UserID authmilter" "PidFile /run/authmilter/authmilter.pid" \
	"HistoryFile /var/lib/authmilter/history" "ReportDatabase /var/lib/authmilter/reports.db" \
	"ReportSpool /var/lib/authmilter/reports"; do grep -qx "$l" /etc/authmilter.conf || exit 1; done;
     ! grep -q "^ReportEmail" /etc/authmilter.conf'
check "the units in /lib/systemd/system, the sysv script, tmpfiles.d, logrotate, cron.d" \
    'mode_is /lib/systemd/system/authmilter.service root:root 644 &&
     mode_is /lib/systemd/system/authmilter-reports.service root:root 644 &&
     mode_is /lib/systemd/system/authmilter-reports.timer root:root 644 &&
     mode_is /lib/systemd/system/authmilter-failures.service root:root 644 &&
     mode_is /lib/systemd/system/authmilter-failures.timer root:root 644 &&
     mode_is /etc/init.d/authmilter root:root 755 && mode_is /usr/lib/tmpfiles.d/authmilter.conf root:root 644 &&
     mode_is /etc/logrotate.d/authmilter root:root 644 && mode_is /etc/cron.d/authmilter-reports root:root 644'
check "/usr/share/doc/authmilter: README, changelog, copyright (machine-readable), examples" \
    'd=/usr/share/doc/authmilter; [ -f $d/README.md.gz ] && [ -f $d/changelog.gz ] &&
     head -1 $d/copyright | grep -q "^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" &&
     [ -f $d/examples/authmilter.conf ]'
check "the system user and group authmilter (uid < 1000, no login shell)" \
    'u=$(getent passwd authmilter) && [ "$(echo "$u" | cut -d: -f3)" -lt 1000 ] &&
     case $(echo "$u" | cut -d: -f7) in */nologin|/bin/false) true ;; *) false ;; esac &&
     getent group authmilter >/dev/null && [ "$(id -gn authmilter)" = authmilter ]'
check "/var/lib/authmilter is authmilter:authmilter 0750" 'mode_is /var/lib/authmilter authmilter:authmilter 750'
check "/run/authmilter (tmpfiles.d at configure) is authmilter:authmilter 0750" \
    'mode_is /run/authmilter authmilter:authmilter 750'
check "authmilter -n accepts the installed configuration" \
    '/usr/sbin/authmilter -n -c /etc/authmilter.conf >"$tmp/n.out" 2>&1 || { sed "s/^/# /" "$tmp/n.out"; false; }'
check "logrotate accepts /etc/logrotate.d/authmilter" \
    'logrotate -d /etc/logrotate.d/authmilter >"$tmp/logrotate.out" 2>&1 && ! grep -qi "error" "$tmp/logrotate.out" ||
     { sed "s/^/# /" "$tmp/logrotate.out"; false; }'
check "the maintainer scripts restart the daemon after an upgrade (sysv and systemd)" \
    'p=/var/lib/dpkg/info/authmilter.postinst;
     grep -q "invoke-rc.d .*authmilter \$_dh_action" $p && grep -q "deb-systemd-invoke \$_dh_action .authmilter.service." $p &&
     [ "$(grep -c "_dh_action=restart" $p)" = 2 ]'

units="/lib/systemd/system/authmilter.service /lib/systemd/system/authmilter-reports.service
	/lib/systemd/system/authmilter-reports.timer /lib/systemd/system/authmilter-failures.service
	/lib/systemd/system/authmilter-failures.timer"
man_opt=""
command -v man >/dev/null || man_opt="--man=no"	# no man-db: Documentation= cannot be checked
# shellcheck disable=SC2086
check "systemd-analyze verify: the five units" \
    'systemd-analyze verify $man_opt $units >"$tmp/verify.out" 2>&1 && [ ! -s "$tmp/verify.out" ] ||
     { sed "s/^/# /" "$tmp/verify.out"; false; }'
systemd-analyze security --offline=yes /lib/systemd/system/authmilter.service >"$tmp/security.out" 2>&1
security_score=$(sed -n 's/.*Overall exposure level for authmilter.service: //p' "$tmp/security.out" |
	sed 's/ *[^ -~]*$//')
check "systemd-analyze security: authmilter.service is OK or better ($security_score)" \
    'case "$security_score" in *" OK"|*" SAFE") true ;; *) false ;; esac'
systemd-analyze security --offline=yes /lib/systemd/system/authmilter-reports.service >"$tmp/security2.out" 2>&1
echo "# authmilter-reports.service: $(sed -n 's/.*Overall exposure level for authmilter-reports.service: //p' "$tmp/security2.out")"

# ------------------------------------------------------------ 3. the service
nsport=$(sh tests/dns/nsd-start.sh "$tmp/nsd" tests/wire/wire.zone example) || bail "cannot start nsd"
nsd_started=yes
# The local conffile change: the private nsd as the resolver.
sed -i "s|^#Nameservers none|Nameservers 127.0.0.1@$nsport|" /etc/authmilter.conf
check "local change: Nameservers 127.0.0.1@$nsport in /etc/authmilter.conf" \
    'grep -qx "Nameservers 127.0.0.1@$nsport" /etc/authmilter.conf'

log="$tmp/syslog"
: >"$log"
if [ ! -e /dev/log ]; then
	python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)
f = open(sys.argv[1], "ab", buffering=0)
while True:
    f.write(s.recv(65536) + b"\n")
' "$log" &
	syslog_pid=$!
	devlog_ours=yes
	i=0
	while [ ! -S /dev/log ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
else
	echo "# /dev/log exists: the daemon's log goes to this machine's syslog"
fi

if python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",8895))' 2>/dev/null; then
	ok "port 8895 on 127.0.0.1 is free"
else
	notok "port 8895 on 127.0.0.1 is free (something else listens there)"
fi
check "/etc/init.d/authmilter start" '/etc/init.d/authmilter start >"$tmp/start.out" 2>&1 ||
    { sed "s/^/# /" "$tmp/start.out"; false; }'
pid=$(cat /run/authmilter/authmilter.pid 2>/dev/null)
check "it runs, its PID in /run/authmilter/authmilter.pid" \
    '[ -n "$pid" ] && [ "$(readlink /proc/$pid/exe)" = /usr/sbin/authmilter ]'
check "it listens on 127.0.0.1:8895 only" \
    'python3 -c "import socket; socket.create_connection((\"127.0.0.1\", 8895), 5)" 2>/dev/null &&
     grep -q " 0100007F:22BF 00000000:0000 0A " /proc/net/tcp && ! grep -q " 00000000:22BF 00000000:0000 0A " /proc/net/tcp &&
     ! grep -q ":22BF 0\{32\}:0000 0A " /proc/net/tcp6'
uid=$(id -u authmilter)
gid=$(id -g authmilter)
check "it runs as authmilter:authmilter (/proc/PID/status: real, effective, saved, fs ids)" \
    'grep -q "^Uid:[[:space:]]*$uid[[:space:]]*$uid[[:space:]]*$uid[[:space:]]*$uid$" /proc/$pid/status &&
     grep -q "^Gid:[[:space:]]*$gid[[:space:]]*$gid[[:space:]]*$gid[[:space:]]*$gid$" /proc/$pid/status'

mta="$top/tests/wire/mtaclient.py"
msgs="$top/tests/wire/messages"
# conversation WHEN - the two messages of the wire test's cases 01 and 02
# (mtaclient.py prints a folded header on several lines: joined here).
conversation() {
	python3 "$mta" 127.0.0.1 8895 "$msgs/pass.eml" --ip 192.0.2.10 --helo mail.pass.wire.example \
	    --mail-from "<bounce@pass.wire.example>" >"$tmp/pass.out" 2>&1
	python3 "$mta" 127.0.0.1 8895 "$msgs/reject.eml" --ip 192.0.2.99 --helo mx.other.wire.example \
	    --mail-from "<ceo@reject.wire.example>" >"$tmp/reject.out" 2>&1
	sed "s/^/# pass: /" "$tmp/pass.out"
	sed "s/^/# spoof: /" "$tmp/reject.out"
	check "$1: DMARC pass accepted with Authentication-Results (spf=pass, dmarc=pass)" \
	    'tr "\n\t" "  " <"$tmp/pass.out" |
		grep -q "insheader [0-9]* Authentication-Results .*spf=pass smtp.mailfrom=pass.wire.example.* dmarc=pass .*header.from=pass.wire.example" &&
	     grep -qx "final a" "$tmp/pass.out"'
	check "$1: the p=reject spoof gets 550 5.7.1" \
	    'grep -q "^replycode 550 5.7.1 .*reject.wire.example" "$tmp/reject.out"'
}
conversation "milter conversation"
check "the daemon wrote its history, owned by authmilter" \
    '[ "$(grep -c "^AMH1" /var/lib/authmilter/history 2>/dev/null)" = 2 ] &&
     [ "$(stat -c %U /var/lib/authmilter/history)" = authmilter ]'

# reloads - how many reloads the daemon has logged.
reloads() { grep -c "configuration reloaded" "$log"; }
if [ "$devlog_ours" = yes ]; then
	before=$(reloads)
	check "/etc/init.d/authmilter reload (authmilter -n, then SIGHUP)" \
	    '/etc/init.d/authmilter reload >"$tmp/reload.out" 2>&1 || { sed "s/^/# /" "$tmp/reload.out"; false; }'
	i=0
	while [ "$(reloads)" -le "$before" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	check "the reload is logged (syslog), same process" \
	    '[ "$(reloads)" -gt "$before" ] && kill -0 "$pid" 2>/dev/null &&
	     [ "$(cat /run/authmilter/authmilter.pid)" = "$pid" ]'
	grep -a "configuration reloaded" "$log" | sed 's/^/# syslog: /'
else
	skip "the reload is logged" "no log of our own: /dev/log belongs to this machine's syslog"
fi
check "/etc/init.d/authmilter stop: the daemon is gone when it returns" \
    '/etc/init.d/authmilter stop >"$tmp/stop.out" 2>&1 && gone "$pid" ||
     { sed "s/^/# /" "$tmp/stop.out"; false; }'

# ------------------------------------------------------------ 4. the report job
# authmilter-reports(8), EXIT STATUS: 0 done, 1 done with problems, 2
# nothing done (a usage or configuration error).  The packaged
# configuration sets no ReportEmail (nor AuthservID): reports would come
# from postmaster@ the AuthservID, the host name.  The history is of
# today, a day not finished: no report is due, nothing is sent.  Where the
# host name is not a domain name (no dot), aggregate refuses with exit
# status 2 and says to set AuthservID; import, expire and send still run.
authserv=$(hostname)
case "$authserv" in
*.*) agg_rc=0 agg_msg="aggregate: 0 reports" ;;
*) agg_rc=2 agg_msg="AuthservID '$authserv' is not a domain name.*set AuthservID" ;;
esac
# as_authmilter CMD... - CMD as the authmilter user, in a clean environment.
as_authmilter() {
	(cd /var/lib/authmilter && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	    runuser -u authmilter -- "$@") </dev/null
}

# The timer's unit, ExecStart by ExecStart, as systemd runs it: a failure
# of a command marked "-" does not fail the unit.
: >"$tmp/timer.out"
unit_failed=no
sed -n 's/^ExecStart=//p' /lib/systemd/system/authmilter-reports.service >"$tmp/execstart"
while IFS= read -r cmd; do
	# shellcheck disable=SC2086
	as_authmilter ${cmd#-} >"$tmp/step.out" 2>&1
	rc=$?
	sed "s/^/# timer unit: [exit $rc] /" "$tmp/step.out"
	cat "$tmp/step.out" >>"$tmp/timer.out"
	echo "${cmd#-} => $rc" >>"$tmp/timer.rc"
	case "$cmd" in -*) ;; *) [ $rc = 0 ] || unit_failed=yes ;; esac
done <"$tmp/execstart"
check "the timer's unit: import, aggregate, expire, send as authmilter" \
    '[ "$(grep -c "authmilter-reports -q -c /etc/authmilter.conf \(import\|aggregate\|expire\|send\)$" "$tmp/execstart")" = 4 ]'
check "import stores the 2 messages the daemon recorded, exit status 0" \
    'grep -q "import => 0" "$tmp/timer.rc" && grep -q "import: 1 files, 2 lines, 2 messages stored, 0 malformed" "$tmp/timer.out"'
check "aggregate, host name '$authserv': exit status $agg_rc, '$agg_msg'" \
    'grep -q "aggregate => $agg_rc" "$tmp/timer.rc" && grep -q "$agg_msg" "$tmp/timer.out"'
check "expire and send exit 0, nothing to send, nothing sent; the unit succeeds" \
    'grep -q "expire => 0" "$tmp/timer.rc" && grep -q "send => 0" "$tmp/timer.rc" &&
     grep -q "send: 0 reports, 0 messages sent" "$tmp/timer.out" && [ $unit_failed = no ] &&
     [ -z "$(ls -A /var/lib/authmilter/reports/outgoing /var/lib/authmilter/reports/sent 2>/dev/null)" ]'
check "the store belongs to authmilter" \
    '[ "$(stat -c %U:%G /var/lib/authmilter/reports.db)" = authmilter:authmilter ]'

# The cron file's command (its seventh field on), as cron runs it: as the
# authmilter user, with the cron file's SHELL and PATH; where systemd runs
# it does nothing.
# The daily job is the line starting with a digit; the failure reports'
# line ("*/5 ...") runs send-failures.
cronline=$(grep -E '^[0-9]' /etc/cron.d/authmilter-reports)
cronjob=$(echo "$cronline" | awk '{ for (i = 1; i <= 6; i++) sub(/^[^ ]+ +/, ""); print }')
check "the cron file runs the job as authmilter" \
    '[ "$(echo "$cronline" | awk "{ print \$6 }")" = authmilter ] && [ -n "$cronjob" ]'
failline=$(grep -E '^\*/5 ' /etc/cron.d/authmilter-reports)
check "the cron file runs send-failures every 5 minutes as authmilter, not where systemd runs" \
    '[ "$(echo "$failline" | awk "{ print \$6 }")" = authmilter ] &&
     echo "$failline" | grep -q "\[ -d /run/systemd/system \] ||.*authmilter-reports -q send-failures\$"'
if [ -d /run/systemd/system ]; then
	skip "the cron job" "systemd runs here: the cron job does nothing, the timer runs"
else
	as_authmilter /bin/sh -c "$cronjob" >"$tmp/cron.out" 2>&1
	cronrc=$?
	sed 's/^/# cron job: /' "$tmp/cron.out"
	check "the cron job runs the 4 steps (nothing new to import), its exit status is send's, 0" \
	    '[ $cronrc = 0 ] && grep -q "import: 1 files, 0 lines" "$tmp/cron.out" &&
	     grep -q "$agg_msg" "$tmp/cron.out" && grep -q "expire" "$tmp/cron.out" &&
	     grep -q "send: 0 reports, 0 messages sent" "$tmp/cron.out"'
fi
check "the cron job does nothing where systemd runs (/run/systemd/system)" \
    'echo "$cronjob" | grep -q "^\[ -d /run/systemd/system \] ||"'

# ------------------------------------------------------------ 5. purge, upgrade
check "apt-get purge authmilter" 'apt-get purge -y -q authmilter >"$tmp/purge.log" 2>&1'
snapshot "$tmp/after1"
compare_snapshots "$tmp/before" "$tmp/after1" "after install and purge"
check "the system user authmilter stays after the purge (Debian policy)" 'getent passwd authmilter >/dev/null'

# The rebuilt package: a higher version, and a shipped conffile that
# changed too, so that dpkg has a question to ask about the local change.
newver="$version+pkgtest1"
(cd "$tmp/src" &&
	sed -i "1s/($version)/($newver)/" debian/changelog &&
	sed -i 's|^sed "\$script" "\$sample"$|&; echo "# (the package test'"'"'s rebuild)"|' debian/packaged-conf.sh &&
	DEB_BUILD_OPTIONS="$opts" dpkg-buildpackage -us -uc -b -nc) >"$tmp/build2.log" 2>&1
deb2=$(ls "$tmp"/authmilter_"$newver"_*.deb 2>/dev/null | head -1)
check "rebuilt with version $newver and a changed conffile" \
    '[ -n "$deb2" ] && dpkg-deb --fsys-tarfile "$deb2" | tar -xOf - ./etc/authmilter.conf | grep -q "package test.s rebuild"' ||
    tail -20 "$tmp/build2.log" | sed 's/^/# /'
check "install $version again" 'apt-get install -y -q "$deb" >"$tmp/install2.log" 2>&1'
sed -i "s|^#Nameservers none|Nameservers 127.0.0.1@$nsport|" /etc/authmilter.conf
check "/etc/init.d/authmilter start" '/etc/init.d/authmilter start >"$tmp/start2.out" 2>&1'
pid=$(cat /run/authmilter/authmilter.pid 2>/dev/null)
check "upgrade to $newver keeping the local conffile (--force-confold)" \
    'apt-get install -y -q -o Dpkg::Options::=--force-confold "$deb2" >"$tmp/upgrade.log" 2>&1 &&
     [ "$(dpkg-query -W -f="\${Version}" authmilter)" = "$newver" ]' || sed 's/^/# /' "$tmp/upgrade.log"
check "the local change is kept, the new shipped file is beside it (.dpkg-dist)" \
    'grep -qx "Nameservers 127.0.0.1@$nsport" /etc/authmilter.conf && grep -q "package test.s rebuild" /etc/authmilter.conf.dpkg-dist'
# policy-rc.d (exit 101) keeps invoke-rc.d from restarting it here: the
# restart the postinst asks for, by hand.
check "the daemon ran through the upgrade; restart runs the new package" \
    'kill -0 "$pid" 2>/dev/null && /etc/init.d/authmilter restart >"$tmp/restart.out" 2>&1 &&
     [ "$(cat /run/authmilter/authmilter.pid)" != "$pid" ]'
conversation "after the upgrade"
stop_daemon
check "apt-get purge authmilter" 'apt-get purge -y -q authmilter >"$tmp/purge2.log" 2>&1'
snapshot "$tmp/after2"
compare_snapshots "$tmp/before" "$tmp/after2" "after install, upgrade and purge"
check "/etc/authmilter.conf and its .dpkg-dist are gone" \
    '[ ! -e /etc/authmilter.conf ] && [ ! -e /etc/authmilter.conf.dpkg-dist ]'

finish
