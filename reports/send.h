/*
 * send.h - "authmilter-reports send": mail the reports that "aggregate"
 * left in ReportSpool/outgoing (doc/report-spool.md) to each rua mailto:
 * destination: external destinations verified first (RFC 9990, the
 * <policy-domain>._report._dmarc.<rua-host> TXT "v=DMARC1" record, looked up
 * through the project's resolver), one MIME message per report and
 * destination (Subject "Report Domain: D Submitter: S Report-ID: <id>",
 * the report as application/gzip), piped to ReportSendCommand, size limits
 * (ReportMaxBytes and the rua "!size"), what was sent recorded so a second
 * run sends nothing twice, fully sent reports moved to ReportSpool/sent.
 *
 * Called once by reports/main.c.  Single-threaded.
 */
#ifndef AUTHMILTER_REPORTS_SEND_H
#define AUTHMILTER_REPORTS_SEND_H

#include <stdbool.h>
#include <stdio.h>

#include "conf.h"

struct send_totals {
	unsigned reports;		/* reports looked at */
	unsigned sent;			/* messages handed to the send command */
	unsigned skipped;		/* destinations refused: not verified, too big, not mailto */
	unsigned failed;		/* send command failures (retried next run) */
	unsigned deferred;		/* destinations left for the next run: DNS temporary failure */
	unsigned bad;			/* reports left alone: bad .meta, unreadable or bad report file */
};

/*
 * send_run - send what is due.  dry_run: verify and build the messages,
 * report what would be sent, change nothing.  Progress lines go to log
 * (stderr normally).  Returns 0 when every due message was sent or
 * deliberately skipped, 1 when some failed (they stay for the next run),
 * 2 on a setup error (spool unreadable, resolver).
 *
 * Also 1 when a destination was deferred (a DNS temporary failure in the
 * external destination check) or a report was left alone (a bad .meta,
 * a missing or bad report file): both stay in outgoing/ for the next run.
 * With dry_run the totals count what would happen.
 */
int send_run(const struct conf *c, bool dry_run, FILE *log, struct send_totals *t);

#endif
