/*
 * aggregate.h - "authmilter-reports aggregate": one report per policy
 * domain and period from the store into the spool (doc/report-spool.md).
 *
 * Periods are UTC days.  A day is reported once it has ended (its last
 * second is before the run's clock); with partial set, the current day
 * is reported too, up to the second before the run, and a later run
 * reports the rest of that day as a period of its own (periods never
 * overlap).  A period is done once: the store records it, with or without
 * a report (a policy without rua gets none).  The report publishes the
 * latest policy configuration seen in the period and is sent to its rua.
 * Several hosts may share the store (ReportHostID): a period is reported
 * once every host that imported since the day before it has imported past
 * its end, or once ReportHostGrace has passed since its end (the report
 * then names the hosts missing in its errors); until then it waits for a
 * later run.  Two runs at once make one report: the period is read again
 * under the store's write lock.
 *
 * Called once by main.c.  Single-threaded.
 */
#ifndef AUTHMILTER_REPORTS_AGGREGATE_H
#define AUTHMILTER_REPORTS_AGGREGATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "store.h"

struct aggregate_opts {
	bool dry_run;		/* say what would be made; write and record nothing */
	bool partial;		/* include the current day up to now */
	bool legacy;		/* also the RFC 7489 format (ReportLegacyRFC7489) */
	bool quiet;		/* no line per report */
	int64_t now;		/* the run's clock */
	int64_t host_grace;	/* ReportHostGrace (seconds): how long to wait for a host behind */
	const char *spool;	/* ReportSpool */
	const char *receiver;	/* the receiver of the file names: AuthservID, a domain */
	const char *org_name;	/* report_metadata/org_name, the .meta's org_name */
	const char *email;	/* report_metadata/email */
	FILE *log;
};

struct aggregate_totals {
	unsigned reports;	/* reports written (per format: legacy ones counted apart) */
	unsigned legacy;	/* RFC 7489 reports written */
	unsigned no_rua;	/* periods closed without a report: the policy has no rua */
	unsigned failed;	/* reports that could not be written (tried again next run) */
	unsigned waiting;	/* periods left for later: a host has not imported them yet */
	uint64_t messages;	/* messages in them */
	uint64_t rows;		/* records in them */
};

/*
 * aggregate_run - make every report that is due.  Returns 0 when all
 * went well, 1 when some report could not be written (it is tried again
 * by the next run), 2 on a store or spool setup error.
 */
int aggregate_run(struct store *st, const struct aggregate_opts *o, struct aggregate_totals *t);

/*
 * aggregate_report_id - the Report-ID (also the file name's unique-id,
 * RFC 9990: letters and digits only): the begin date YYYYMMDD and 16 hex
 * digits of SHA-256 over receiver, domain, begin and end; the same period
 * always gets the same ID, so a report made again is recognisable as a
 * duplicate.  out holds AGGREGATE_ID_SIZE bytes.
 */
#define AGGREGATE_ID_SIZE 25
void aggregate_report_id(const char *receiver, const char *domain, int64_t begin, int64_t end,
    char out[AGGREGATE_ID_SIZE]);

#endif
