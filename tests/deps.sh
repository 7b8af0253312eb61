#!/bin/sh
# deps.sh - install every Debian 12 package needed to build and test
# authmilter.  Idempotent and non-interactive; run as root.
set -eu
PKGS="build-essential autoconf automake libtool pkg-config
	libmilter-dev libopendkim-dev libspf2-dev libunbound-dev libevent-dev
	libssl-dev zlib1g-dev libsqlite3-dev libpq-dev libidn2-dev libyaml-dev libsystemd-dev libmicrohttpd-dev publicsuffix
	clang libclang-rt-14-dev python3 python3-authres python3-dkim python3-nacl python3-prometheus-client curl openssl nsd ldnsutils
	miltertest postfix swaks libxml2-utils time m4 libwrap0 postgresql"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	export DEBIAN_FRONTEND=noninteractive
	# Postfix is only a test peer here: install it unconfigured.
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	apt-get update -q
	updated=yes
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi

# promtool (tests/metrics/examples.sh) comes only with Debian's Prometheus
# server: install it without letting the server start (policy-rc.d forbids
# it, deb-systemd-invoke obeys), then disable the unit, so no server is
# left listening on this machine.
if ! dpkg-query -W -f='${Status}' prometheus 2>/dev/null | grep -q "install ok installed"; then
	export DEBIAN_FRONTEND=noninteractive
	had_policy=no
	[ -e /usr/sbin/policy-rc.d ] && had_policy=yes && mv /usr/sbin/policy-rc.d /usr/sbin/policy-rc.d.authmilter
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	rc=0
	[ "${updated:-no}" = yes ] || apt-get update -q || rc=$?
	[ "$rc" != 0 ] || apt-get install -y -q --no-install-recommends prometheus || rc=$?
	rm -f /usr/sbin/policy-rc.d
	[ "$had_policy" = yes ] && mv /usr/sbin/policy-rc.d.authmilter /usr/sbin/policy-rc.d
	[ -d /run/systemd/system ] && systemctl disable --now prometheus >/dev/null 2>&1
	[ "$rc" = 0 ] || exit "$rc"
fi
