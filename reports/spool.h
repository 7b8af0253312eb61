/*
 * spool.h - the files of ReportSpool (doc/report-spool.md) as "send" uses
 * them: list outgoing/ *.meta, read a .meta or a report, rewrite a .meta
 * with lines appended (a temporary file ".NAME.tmp" renamed into place,
 * so a reader never sees half a file), move a finished report (its
 * .xml.gz, then its .meta) to sent/.
 *
 * spool_open takes an exclusive flock on the outgoing directory, so two
 * "send" runs never work on the same spool at once.  File names are used
 * relative to the directory (openat), never followed through symbolic
 * links.  Called by send.c; single-threaded.
 */
#ifndef AUTHMILTER_REPORTS_SPOOL_H
#define AUTHMILTER_REPORTS_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum spool_status {
	SPOOL_OK = 0,
	SPOOL_NONE,		/* spool_open: there is no outgoing directory */
	SPOOL_BUSY,		/* spool_open: another run holds the lock */
	SPOOL_TOOBIG,		/* spool_read: the file is larger than allowed */
	SPOOL_ERROR		/* see err */
};

struct spool {
	char path[4096];	/* ReportSpool */
	int outfd;		/* outgoing/, locked; -1 when closed */
};

/*
 * spool_open - open and lock root/outgoing.  Returns SPOOL_OK, SPOOL_NONE
 * (no such directory), SPOOL_BUSY or SPOOL_ERROR (err set).
 */
enum spool_status spool_open(struct spool *sp, const char *root, char *err, size_t errsize);

/* spool_close - unlock and close (safe twice). */
void spool_close(struct spool *sp);

/*
 * spool_list - the names of the *.meta files of outgoing/ (not starting
 * with '.'), sorted, as a malloc'd array of malloc'd strings in *names
 * (*n of them; release with spool_list_free).
 */
enum spool_status spool_list(struct spool *sp, char ***names, size_t *n, char *err,
    size_t errsize);

/* spool_list_free - release a spool_list result. */
void spool_list_free(char **names, size_t n);

/*
 * spool_stat - the size of the regular file name in outgoing/ (not a
 * symbolic link).  SPOOL_ERROR with err when missing or not a regular
 * file.
 */
enum spool_status spool_stat(struct spool *sp, const char *name, uint64_t *size, char *err,
    size_t errsize);

/*
 * spool_read - the whole regular file name of outgoing/ into a malloc'd
 * buffer (*data, NUL-terminated, *len bytes); SPOOL_TOOBIG when larger
 * than max bytes.
 */
enum spool_status spool_read(struct spool *sp, const char *name, size_t max, char **data,
    size_t *len, char *err, size_t errsize);

/*
 * spool_rewrite - replace outgoing/name by old (oldlen bytes) followed by
 * add (addlen bytes): written to ".name.tmp", fsync'd, renamed over name,
 * the directory fsync'd.  The file keeps its permission bits.
 */
enum spool_status spool_rewrite(struct spool *sp, const char *name, const char *old,
    size_t oldlen, const char *add, size_t addlen, char *err, size_t errsize);

/*
 * spool_finish - move the report file (if still in outgoing/; already in
 * sent/ is fine) and then the .meta meta_name to sent/ (created when
 * missing).
 */
enum spool_status spool_finish(struct spool *sp, const char *meta_name, const char *file,
    char *err, size_t errsize);

#endif
