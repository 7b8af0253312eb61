/*
 * send_driver.c - run send_run (reports/send.c) the way
 * "authmilter-reports send" does, for the tests of tests/reports/:
 *
 *     send_driver -c CONF [--dry-run]
 *
 * Progress goes to standard error; standard output gets one line of
 * totals, "reports=N sent=N skipped=N failed=N deferred=N bad=N".  The
 * exit status is send_run's (0, 1 or 2), 3 for a usage or configuration
 * error.  Single-threaded.
 */
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "send.h"

/* usage - the synopsis; returns 3. */
static int
usage(void)
{
	fprintf(stderr, "usage: send_driver -c CONF [--dry-run]\n");
	return 3;
}

int
main(int argc, char **argv)
{
	const char *path = NULL;
	struct send_totals t;
	struct conf *c;
	bool dry = false;
	char err[1024];
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--dry-run") == 0)
			dry = true;
		else
			return usage();
	}
	if (path == NULL)
		return usage();
	if ((c = conf_load(path, stderr, err, sizeof(err))) == NULL) {
		fprintf(stderr, "send_driver: %s\n", err);
		return 3;
	}
	rc = send_run(c, dry, stderr, &t);
	printf("reports=%u sent=%u skipped=%u failed=%u deferred=%u bad=%u\n", t.reports, t.sent,
	    t.skipped, t.failed, t.deferred, t.bad);
	conf_unref(c);
	return rc;
}
