#!/bin/sh
# nsd-start.sh - start a private nsd on 127.0.0.1 at a free high port.
#
# Usage: nsd-start.sh WORKDIR ZONEFILE ZONENAME
# Copies ZONEFILE into WORKDIR, writes WORKDIR/nsd.conf, starts nsd (which
# writes WORKDIR/nsd.pid) and prints the port on stdout.  Stop it with
# nsd-stop.sh WORKDIR, which kills only the PID in WORKDIR/nsd.pid.
# Called by tests/unit/test_resolver.  Exit 77 (skip) when nsd is missing.
set -u
dir=$1 zonefile=$2 zone=$3
NSD=$(command -v nsd || ls /usr/sbin/nsd 2>/dev/null) || exit 77
[ -x "$NSD" ] || exit 77
mkdir -p "$dir" || exit 1
cp "$zonefile" "$dir/zone.db" || exit 1
tries=0
while [ $tries -lt 20 ]; do
	tries=$((tries + 1))
	ns=$(date +%N | sed 's/^0*//')
	port=$(( (($$ + ${ns:-1} + tries * 7919) % 30000) + 20000 ))
	rm -f "$dir/nsd.pid"
	cat > "$dir/nsd.conf" <<CONF
server:
	ip-address: 127.0.0.1@$port
	port: $port
	do-ip6: no
	username: ""
	chroot: ""
	zonesdir: "$dir"
	pidfile: "$dir/nsd.pid"
	logfile: "$dir/nsd.log"
	database: ""
	zonelistfile: "$dir/zone.list"
	xfrdfile: "$dir/xfrd.state"
	xfrdir: "$dir"
	server-count: 1
	verbosity: 1
remote-control:
	control-enable: no
zone:
	name: "$zone"
	zonefile: "$dir/zone.db"
CONF
	"$NSD" -c "$dir/nsd.conf" >>"$dir/nsd.log" 2>&1 || continue
	i=0
	while [ $i -lt 50 ] && ! [ -s "$dir/nsd.pid" ]; do
		sleep 0.1; i=$((i + 1))
	done
	if [ -s "$dir/nsd.pid" ] && kill -0 "$(cat "$dir/nsd.pid")" 2>/dev/null; then
		sleep 0.2
		kill -0 "$(cat "$dir/nsd.pid")" 2>/dev/null || continue
		echo "$port"
		exit 0
	fi
done
echo "nsd-start.sh: could not start nsd, see $dir/nsd.log" >&2
exit 1
