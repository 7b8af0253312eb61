/*
 * expire.h - "authmilter-reports expire": drop what is older than
 * ReportRetentionDays: messages of the days before the cutoff (today's
 * UTC day minus that many days), the records of reports that ended
 * before it, the rows of history files last imported before it, the
 * policies and result sets no message uses any more, and the reports in
 * ReportSpool/sent and the failure reports in FailureReportSpool/sent last
 * changed more than that many days ago.  import
 * refuses records older than the cutoff, so nothing expired comes back.
 *
 * Called once by main.c.  Single-threaded.
 */
#ifndef AUTHMILTER_REPORTS_EXPIRE_H
#define AUTHMILTER_REPORTS_EXPIRE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "store.h"

struct expire_opts {
	bool dry_run;		/* count and list, remove nothing */
	int64_t now;
	unsigned days;		/* ReportRetentionDays */
	const char *spool;	/* ReportSpool */
	const char *failure_spool; /* FailureReportSpool */
	FILE *log;
};

struct expire_totals {
	struct store_expired store;
	unsigned sent_files;	/* reports removed from ReportSpool/sent */
	unsigned failure_files;	/* failure reports removed from FailureReportSpool/sent */
};

/* expire_cutoff - the first second kept: the start of today (UTC) minus days. */
int64_t expire_cutoff(int64_t now, unsigned days);

/* expire_run - returns 0, 1 when the spool could not be cleaned, 2 on a store error. */
int expire_run(struct store *st, const struct expire_opts *o, struct expire_totals *t);

#endif
