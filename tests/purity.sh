#!/bin/sh
# purity.sh - the policy library must stay pure: no libmilter, libunbound,
# syslog, threads, clock or randomness.  Checks the undefined symbols of
# the built archive with nm.  TAP output.
: "${top_builddir:=.}"
: "${NM:=nm}"
lib="$top_builddir/policy/libpolicy.a"
echo "1..2"
if [ ! -f "$lib" ]; then
	echo "not ok 1 - $lib exists"
	echo "not ok 2 - no forbidden symbols"
	exit 1
fi
echo "ok 1 - $lib exists"
bad=$("$NM" -u "$lib" | awk '{print $NF}' | grep -E '^(smfi_|ub_|syslog$|vsyslog$|openlog$|pthread_|time$|random$|rand$|srand$|srandom$|gettimeofday$|clock_gettime$|socket$|connect$|res_)' | sort -u)
if [ -n "$bad" ]; then
	echo "not ok 2 - no forbidden symbols"
	echo "$bad" | sed 's/^/# forbidden: /'
	exit 1
fi
echo "ok 2 - no forbidden symbols ($("$NM" -u "$lib" | awk '{print $NF}' | sort -u | wc -l) undefined symbols checked)"
