#!/bin/sh
# deps.sh - install every Debian 12 package needed to build and test
# authmilter.  Idempotent and non-interactive; run as root.
set -eu
PKGS="build-essential autoconf automake libtool pkg-config
	libmilter-dev libopendkim-dev libspf2-dev libunbound-dev libevent-dev
	libssl-dev zlib1g-dev libsqlite3-dev libpq-dev libidn2-dev libyaml-dev libsystemd-dev publicsuffix
	clang libclang-rt-14-dev python3 python3-authres python3-dkim python3-nacl openssl nsd ldnsutils
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
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi
