#!/bin/sh
# autogen.sh - generate the build system (configure, Makefile.in) from
# configure.ac and Makefile.am.  Nothing it generates is committed.
set -e
cd "$(dirname "$0")"
exec autoreconf -fi
