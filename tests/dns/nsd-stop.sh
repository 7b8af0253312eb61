#!/bin/sh
# nsd-stop.sh - stop the nsd started by nsd-start.sh WORKDIR, by its PID file
# only, and wait for it to exit.  Usage: nsd-stop.sh WORKDIR
set -u
pidfile=$1/nsd.pid
[ -s "$pidfile" ] || exit 0
pid=$(cat "$pidfile")
kill "$pid" 2>/dev/null || exit 0
i=0
while [ $i -lt 50 ] && kill -0 "$pid" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
exit 0
