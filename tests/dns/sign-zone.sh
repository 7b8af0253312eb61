#!/bin/sh
# sign-zone.sh - sign a test zone during the test, for the DNSSEC tests.
#
# Usage: sign-zone.sh WORKDIR ZONEFILE ORIGIN
# Makes a KSK and a ZSK (ECDSA P-256) in WORKDIR, signs ZONEFILE into
# WORKDIR/signed.zone, writes the KSK's DS as WORKDIR/ta.ds (a trust anchor
# for ub_ctx_add_ta_file), then tampers with the TXT data of the owner
# "bad.ORIGIN." so that its signature no longer matches (bogus).
# Called by tests/unit/test_resolver.  Exit 77 (skip) when ldnsutils is
# missing.
set -u
dir=$1 zonefile=$2 origin=$3
command -v ldns-keygen >/dev/null 2>&1 || exit 77
command -v ldns-signzone >/dev/null 2>&1 || exit 77
mkdir -p "$dir" && cd "$dir" || exit 1
ksk=$(ldns-keygen -a ECDSAP256SHA256 -k "$origin") || exit 1
zsk=$(ldns-keygen -a ECDSAP256SHA256 "$origin") || exit 1
cp "$zonefile" unsigned.zone || exit 1
ldns-signzone -o "$origin" -f signed.tmp unsigned.zone "$ksk" "$zsk" || exit 1
cp "$ksk.ds" ta.ds || exit 1
# Change the signed data, not the signature: "-all" becomes "+all".
sed "/^bad\\.$origin\\.[[:space:]].*[[:space:]]TXT[[:space:]]/s/-all/+all/" \
    signed.tmp > signed.zone || exit 1
grep -q '^bad\..*+all' signed.zone || { echo "sign-zone.sh: tamper failed" >&2; exit 1; }
rm -f signed.tmp
exit 0
