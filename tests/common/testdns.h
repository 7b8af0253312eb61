/*
 * testdns.h - a private nsd on 127.0.0.1 for the test programs, through
 * tests/dns/nsd-start.sh, nsd-stop.sh and sign-zone.sh.  Each server lives
 * in its own work directory and is stopped by the PID in its PID file only.
 * A guard process stops it too when the test program dies without doing so
 * (a sanitizer abort, a signal), so no nsd outlives its test.  Paths given
 * must be absolute.  Used by tests/unit/test_resolver and
 * tests/stress/stress.  Single-threaded: start and stop servers before
 * starting threads or after joining them.
 */
#ifndef AUTHMILTER_TESTDNS_H
#define AUTHMILTER_TESTDNS_H

#include <sys/types.h>

/* One running server. */
struct testdns {
	int port;		/* 0: not running */
	char workdir[512];
	int guard_fd;		/* write end of the guard's pipe, or -1 */
	pid_t guard_pid;	/* the guard process, or 0 */
};

/*
 * testdns_start - nsd serving zonefile as zone (no trailing dot) on a free
 * high port of 127.0.0.1, working in workdir (created).  Fills t and
 * returns the port, or 0 when nsd is missing or could not start (the reason
 * is a TAP diagnostic).
 */
int testdns_start(struct testdns *t, const char *workdir, const char *zonefile,
    const char *zone);

/* testdns_stop - stop the server of t (if running) and its guard. */
void testdns_stop(struct testdns *t);

/*
 * testdns_sign - sign zonefile for origin (no trailing dot) into
 * workdir/signed.zone with fresh ECDSA keys, write the KSK's DS as the trust
 * anchor workdir/ta.ds, and tamper with the TXT record of "bad.ORIGIN" so
 * that it is bogus.  Returns 0, or -1 (ldnsutils missing, or a failure).
 */
int testdns_sign(const char *workdir, const char *zonefile, const char *origin);

#endif
