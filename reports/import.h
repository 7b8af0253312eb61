/*
 * import.h - "authmilter-reports import": history files into the store.
 *
 * A file is known by the fingerprint of its first line (SHA-256), so it
 * keeps its identity when it is renamed by a rotation, copied or
 * compressed (gzip files are read transparently); the store remembers per
 * fingerprint the byte offset and line number imported up to, and each
 * batch of messages is committed together with that offset, so importing
 * the same lines twice counts them once.  Only complete lines are read: a
 * torn last line (no "\n") is left for the next run.  A malformed line is
 * reported with its file and line number and skipped.  Records without a
 * policy domain (DMARC did not apply) are not stored; nor are records
 * older than the retention period, or whose period was already reported.
 * Files are this host's (ReportHostID, given to store_open): several hosts
 * may import into one store.  When every file could be read, the host is
 * recorded as imported up to the run's clock (aggregate waits for hosts
 * that are behind).
 *
 * Called once by main.c.  Single-threaded.
 */
#ifndef AUTHMILTER_REPORTS_IMPORT_H
#define AUTHMILTER_REPORTS_IMPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "store.h"

#define IMPORT_BATCH_LINES 50000	/* lines per transaction */
#define IMPORT_PROGRESS_LINES 250000	/* a progress line every so many lines */
#define IMPORT_SHOW_MALFORMED 100	/* malformed lines shown per file; the rest counted */

struct import_opts {
	bool dry_run;		/* read and count, change nothing */
	bool quiet;		/* no progress lines, only problems and the summary */
	int64_t now;		/* the run's clock (seconds since the epoch) */
	int64_t oldest;		/* records before this are not stored (retention) */
	FILE *log;		/* progress and problems (stderr) */
};

struct import_totals {
	unsigned files;		/* files read */
	unsigned failed_files;	/* files that could not be read */
	uint64_t lines;		/* complete lines read */
	uint64_t stored;	/* messages stored */
	uint64_t malformed;	/* lines skipped as malformed */
	uint64_t no_policy;	/* records without a policy domain (not reported) */
	uint64_t too_old;	/* records older than the retention period */
	uint64_t late;		/* records of a period already reported */
	unsigned torn;		/* files ending in an incomplete line (left for the next run) */
};

/*
 * import_files - import the n files in order.  Returns 0 when everything
 * read was good, 1 when something was skipped (a malformed line, an
 * unreadable file: reported on o->log), 2 on a store error (the current
 * batch is rolled back; earlier batches stay).
 */
int import_files(struct store *st, const char *const *paths, size_t n,
    const struct import_opts *o, struct import_totals *t);

#endif
