/*
 * testdns.c - start, stop and sign for the private test nsd (see testdns.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "tap.h"
#include "testdns.h"
#include "testfile.h"

int
testdns_start(const char *workdir, const char *zonefile, const char *zone)
{
	char cmd[2048];
	FILE *p;
	int port = 0, status, n;

	n = snprintf(cmd, sizeof(cmd), "sh '%s/tests/dns/nsd-start.sh' '%s' '%s' '%s'",
	    test_srcdir(), workdir, zonefile, zone);
	if (n < 0 || (size_t)n >= sizeof(cmd) || (p = popen(cmd, "r")) == NULL)
		return 0;
	if (fscanf(p, "%d", &port) != 1)
		port = 0;
	status = pclose(p);
	if (status != 0) {
		tap_diag("nsd-start.sh exited with status %d", status);
		return 0;
	}
	return port;
}

void
testdns_stop(const char *workdir)
{
	char cmd[2048];
	int n;

	n = snprintf(cmd, sizeof(cmd), "sh '%s/tests/dns/nsd-stop.sh' '%s'",
	    test_srcdir(), workdir);
	if (n < 0 || (size_t)n >= sizeof(cmd) || system(cmd) != 0)
		tap_diag("nsd-stop.sh %s failed", workdir);
}

int
testdns_sign(const char *workdir, const char *zonefile, const char *origin)
{
	char cmd[2048];
	int n, status;

	n = snprintf(cmd, sizeof(cmd), "sh '%s/tests/dns/sign-zone.sh' '%s' '%s' '%s'",
	    test_srcdir(), workdir, zonefile, origin);
	if (n < 0 || (size_t)n >= sizeof(cmd))
		return -1;
	status = system(cmd);
	if (status != 0)
		tap_diag("sign-zone.sh exited with status %d", status);
	return status == 0 ? 0 : -1;
}
