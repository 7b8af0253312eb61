/*
 * outbox.h - the report spool's files (doc/report-spool.md): a report is
 * NAME.xml.gz and NAME.meta in ReportSpool/outgoing, each written under a
 * temporary name (starting with ".") and renamed into place after an
 * fsync, the .meta last, so that the sender never sees half a report.
 * "expire" removes old files from ReportSpool/sent.
 * Called by aggregate.c and expire.c.  Single-threaded.
 */
#ifndef AUTHMILTER_REPORTS_OUTBOX_H
#define AUTHMILTER_REPORTS_OUTBOX_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <zlib.h>

#include "report.h"

#define SPOOL_OUTGOING "outgoing"
#define SPOOL_SENT "sent"

/* A file being written. */
struct outbox_file {
	char tmp[PATH_MAX];	/* the temporary name */
	char final[PATH_MAX];	/* the name it gets */
	int fd;
	gzFile gz;		/* for a .xml.gz */
};

/* What a .meta file says. */
struct outbox_meta {
	const char *format;		/* "dmarc-2.0" or "rfc7489" */
	const char *policy_domain;
	const char *org_name;
	const char *report_id;
	int64_t begin, end;
	const char *file;		/* the .xml.gz name, without directory */
	const struct report_policy *pol;	/* its rua list */
};

/*
 * outbox_dir - make sure ReportSpool/outgoing and ReportSpool/sent exist
 * (created 0750 when missing).  Returns 0, or -1 with err filled.
 */
int outbox_dir(const char *spool, char *err, size_t errsize);

/*
 * outbox_gz_open - start writing dir/name as gzip (a temporary file).
 * Returns 0, or -1 with err filled.
 */
int outbox_gz_open(const char *dir, const char *name, struct outbox_file *f, char *err,
    size_t errsize);

/* outbox_commit - finish, fsync and rename f into place.  Returns 0, or -1 with err (f removed). */
int outbox_commit(struct outbox_file *f, char *err, size_t errsize);

/* outbox_abort - drop a file being written. */
void outbox_abort(struct outbox_file *f);

/*
 * outbox_meta_write - write dir/name (a .meta) the same way.  A value
 * holding a control character or a rua that is not one printable word is
 * refused (returns -1 with err), since it would break the line format.
 */
int outbox_meta_write(const char *dir, const char *name, const struct outbox_meta *m, char *err,
    size_t errsize);

/* outbox_size_text - a rua size limit in bytes as DMARC writes it ("10m", "512k", "1000"). */
void outbox_size_text(uint64_t bytes, char *buf, size_t size);

/*
 * outbox_expire_sent - remove the reports in ReportSpool/sent whose .meta
 * (or, without one, whose file) was last changed before cutoff: both
 * files of a report together.  Only names of reports are touched.  With
 * dry_run only say what would go.  *removed counts reports.  Returns 0,
 * or -1 when the directory cannot be read (a missing one is fine).
 */
int outbox_expire_sent(const char *spool, int64_t cutoff, bool dry_run, FILE *log,
    unsigned *removed);

/*
 * outbox_expire_failures - the same for the failure reports in
 * FailureReportSpool/sent (NAME.meta and NAME.eml, doc/report-spool.md).
 */
int outbox_expire_failures(const char *spool, int64_t cutoff, bool dry_run, FILE *log,
    unsigned *removed);

#endif
