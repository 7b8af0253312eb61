#!/bin/sh
# packaged-conf.sh SAMPLE - print /etc/authmilter.conf of the package: the
# generated sample (conf/authmilter.conf, every key commented out at its
# default) with the keys the package sets uncommented.  Fails when one of
# them is not in the sample (the sample changed: update this list).
set -eu
sample=$1
# KEY VALUE, one a line: listening on loopback, running as the package's
# user, the PID file where the sysv script looks, the history and the
# report store and spool in the state directory.
keys='Socket inet:8895@127.0.0.1
PidFile /run/authmilter/authmilter.pid
UserID authmilter
HistoryFile /var/lib/authmilter/history
ReportDatabase /var/lib/authmilter/reports.db
ReportSpool /var/lib/authmilter/reports'
script=""
for k in $(printf '%s\n' "$keys" | cut -d' ' -f1); do
	grep -q "^#$k " "$sample" || { echo "$0: no '#$k ' line in $sample" >&2; exit 1; }
	v=$(printf '%s\n' "$keys" | sed -n "s|^$k ||p")
	script="$script
s|^#$k .*|$k $v|"
done
printf '# authmilter.conf - the configuration of the Debian package authmilter;\n'
printf '# the keys it sets are uncommented, everything else is the default.\n'
printf '# Check a change with "authmilter -n", apply it with\n'
printf '# "systemctl reload authmilter" (or "service authmilter reload").\n#\n'
sed "$script" "$sample"
