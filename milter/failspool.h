/*
 * failspool.h - failure reports into the FailureReportSpool
 * (doc/report-spool.md): NAME.eml then NAME.meta in outgoing/, each written
 * to a temporary name and renamed; never more than FailureReportsRate
 * reports per policy domain (a flood of forgeries fills no disk: the
 * rest are dropped here, counted in the log line; a report that could not
 * be written does not count).  A failure is the
 * caller's to log; the message is never affected.
 *
 * Thread-safety: any thread (the rate table has a lock of its own, taken
 * only for messages that get a report).
 */
#ifndef AUTHMILTER_FAILSPOOL_H
#define AUTHMILTER_FAILSPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "str.h"

enum failspool_status {
	FAILSPOOL_WRITTEN,	/* name says which */
	FAILSPOOL_LIMITED,	/* over FailureReportsRate for the domain: not written */
	FAILSPOOL_ERROR		/* err says why */
};

/* failspool_boundary - a MIME boundary found in neither a nor b (b may be NULL). */
void failspool_boundary(const struct str *a, const struct str *b, char *out, size_t size);

/* failspool_write - one report of policy_domain at now (seconds since the epoch). */
enum failspool_status failspool_write(const struct conf *c, const char *policy_domain,
    int64_t now, const struct str *eml, const struct str *meta, char *name, size_t namesize,
    char *err, size_t errsize);

#endif
