/*
 * failsend.h - "authmilter-reports send-failures": mail the failure
 * reports (RFC 9991, in the format of RFC 6591) that the daemon left in
 * FailureReportSpool/outgoing (doc/report-spool.md, "The failure report
 * spool") to each ruf mailto: destination.  Per destination not yet dealt
 * with: only mailto: URIs; external destinations verified as for
 * aggregate reports with ruf in place of rua (extdest.c); the message
 * within FailureReportsMaxBytes and the ruf "!size"; the rate limit
 * FailureReportsRate per policy domain and per destination (failrate.c,
 * state file FailureReportSpool/rate); the message is From:, To:, Bcc:
 * (FailureReportsBcc, when set: the send command must read recipients
 * from the header, as "sendmail -t" does), Date:, Message-ID: and then
 * the .eml, piped to ReportSendCommand (sendcmd.c).  The outcome is
 * recorded in the .meta (sent, skipped, dropped); a report dealt with for
 * every destination moves to sent/.
 *
 * Called once by reports/main.c.  Single-threaded.
 */
#ifndef AUTHMILTER_REPORTS_FAILSEND_H
#define AUTHMILTER_REPORTS_FAILSEND_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "conf.h"

struct failsend_totals {
	unsigned reports;		/* reports looked at */
	unsigned sent;			/* messages handed to the send command */
	unsigned skipped;		/* destinations refused: not mailto, not verified, too big */
	unsigned dropped;		/* destinations over the rate limit */
	unsigned failed;		/* send command failures (retried next run) */
	unsigned deferred;		/* DNS temporary failures (retried next run) */
	unsigned bad;			/* reports left alone: bad .meta, missing or bad .eml */
};

/*
 * failsend_run - send what is due at time now.  dry_run: verify and build
 * the messages, say what would be sent, change nothing (neither the
 * spool nor the rate state).  Progress lines go to log.  Returns 0 when
 * every due destination was sent, skipped or dropped for good; 1 when
 * something stays for the next run (a send command failure, a DNS
 * temporary failure, a report left alone); 2 on a setup error (no usable
 * From address, FailureReportsBcc, resolver, spool unreadable or locked
 * by another run).
 */
int failsend_run(const struct conf *c, bool dry_run, int64_t now, FILE *log,
    struct failsend_totals *t);

#endif
