/*
 * store.h - the report store of authmilter-reports: every SQL statement
 * of the program is in store.c, behind this interface.  store.c runs its
 * statements through the driver layer of db.h: SQLite (ReportDatabase a
 * file path) or PostgreSQL (a postgresql:// URI).  The schema is in
 * doc/report-store.md, versioned by the schema_version table.  Prepared
 * statements only; callers group changes in transactions (store_begin /
 * store_commit / store_rollback).
 *
 * Called by import.c, aggregate.c and expire.c; one struct store per
 * process, single-threaded.
 */
#ifndef AUTHMILTER_REPORTS_STORE_H
#define AUTHMILTER_REPORTS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "history.h"
#include "report.h"

#define STORE_SCHEMA_VERSION 4
#define STORE_FINGERPRINT_SIZE 65	/* hex SHA-256 and its NUL */
#define STORE_ERR_MAX 512		/* a good size for error buffers */

struct store;

enum store_status {
	STORE_OK = 0,
	STORE_NOTFOUND,		/* no such row */
	STORE_ERROR,		/* the database failed; the reason says how */
	STORE_NOMEM,
	STORE_BADDATA,		/* a row the program cannot read (edited by hand?) */
	STORE_VERSION		/* a schema this program does not know */
};

enum store_open_mode {
	STORE_OPEN_CREATE = 0,	/* read-write, create the file and schema when missing */
	STORE_OPEN_DRY		/* for --dry-run: an existing file, or an empty in-memory store */
};

/*
 * store_open - open (or create) the store at path as host (ReportHostID:
 * the history files imported are this host's).  An older schema is
 * upgraded; one newer than STORE_SCHEMA_VERSION is refused (STORE_VERSION).
 * err (errsize bytes) says why on failure.  *out is NULL on failure.
 */
enum store_status store_open(const char *path, const char *host, enum store_open_mode mode,
    struct store **out, char *err, size_t errsize);

/* store_close - finish every statement and close (NULL is fine; an open transaction is rolled back). */
void store_close(struct store *st);

/* store_error - the text of the last failure. */
const char *store_error(const struct store *st);

/* store_host - the host the store was opened as (ReportHostID). */
const char *store_host(const struct store *st);

/* store_is_memory - true for the empty in-memory store of a dry run. */
bool store_is_memory(const struct store *st);

/*
 * Transactions.  store_begin takes the store's write lock at once
 * (SQLite: waiting up to 60 s for another writer; PostgreSQL: an advisory
 * lock, waiting as long as it takes), so that a run sees and changes a
 * consistent store.  The lock is exclusive unless store_set_lock asked for
 * STORE_LOCK_SHARED.  store_commit first writes the messages added in the
 * transaction; store_rollback drops them and forgets the interning caches.
 */
enum store_status store_begin(struct store *st);
enum store_status store_commit(struct store *st);
enum store_status store_rollback(struct store *st);

enum store_lock {
	STORE_LOCK_EXCLUSIVE = 0,	/* the default: aggregate, expire, schema changes */
	STORE_LOCK_SHARED		/* imports: on PostgreSQL those of several hosts run at once */
};

/*
 * store_set_lock - how the transactions store_begin starts from now on
 * take the write lock.  A shared transaction may only import (files and
 * messages): store_report_add and store_expire refuse to run in one.
 * SQLite has one writer at a time in both modes.
 */
void store_set_lock(struct store *st, enum store_lock lock);

/* ---- import ---- */

/* How far a history file of this host was imported, keyed by the fingerprint of its first line. */
struct store_file {
	char fingerprint[STORE_FINGERPRINT_SIZE];
	char *path;		/* last path it was imported from: malloc'd by store_file_find */
	int64_t offset;		/* bytes imported (always the end of a complete line) */
	int64_t saved;		/* the offset stored, as this run last read or wrote it */
	int64_t lines;		/* lines up to offset */
	int64_t first_import, last_import;
};

/* store_file_find - the file with f->fingerprint; STORE_NOTFOUND when new.  Free f->path. */
enum store_status store_file_find(struct store *st, struct store_file *f);

/*
 * store_file_save - insert or update the file's row (offset, lines, times;
 * path as given, f->path ignored), only if the stored offset is still
 * f->saved (else another import of the same file moved it: an error, and
 * the caller rolls its batch back); then f->saved is f->offset.
 */
enum store_status store_file_save(struct store *st, struct store_file *f, const char *path);

/*
 * store_file_owner - another host that imported a file with this
 * fingerprint (its name into host, size bytes); STORE_NOTFOUND when none.
 */
enum store_status store_file_owner(struct store *st, const char *fingerprint, char *host,
    size_t size);

/*
 * store_host_imported - this host has imported everything its history
 * files held at clock upto (kept as the host's imported_upto when later
 * than the one stored).
 */
enum store_status store_host_imported(struct store *st, int64_t upto);

enum store_add {
	STORE_ADDED = 0,	/* stored, to be reported */
	STORE_LATE		/* not stored: its period was already reported */
};

/*
 * store_message_add - store one message of history record h (which must
 * have a policy domain): its policy configuration and result set are
 * interned, the message row added unless a report already covers its time
 * for its policy domain (*res says which, at once).  The rows are kept in
 * memory and written in bulk (before the commit, and whenever enough are
 * held): a database failure while writing them shows in a later call or
 * in store_commit.
 */
enum store_status store_message_add(struct store *st, const struct history_record *h,
    enum store_add *res);

/* ---- aggregate ---- */

/* A UTC day of one policy domain with messages. */
struct store_day {
	int64_t pdom_id;
	char domain[DOMAIN_BUFSIZE];
	int64_t day;			/* the day's first second */
	int64_t last_time;		/* latest message of that day */
	int64_t reported_upto;		/* end of the last report within the day, -1 when none */
};

/*
 * store_days - every (policy domain, day) with messages, days starting at
 * or before last_day, whose latest message is not yet in a report.  *days
 * is malloc'd (free it); ordered by day, then domain.
 */
enum store_status store_days(struct store *st, int64_t last_day, struct store_day **days,
    size_t *ndays);

/* A host of the store and how far it has imported. */
struct store_host {
	char name[256];
	int64_t imported_upto;
};

/*
 * store_hosts_behind - the hosts whose imported_upto lies in [since, end]
 * (they imported recently, but not past end), by name; *hosts is malloc'd.
 */
enum store_status store_hosts_behind(struct store *st, int64_t since, int64_t end,
    struct store_host **hosts, size_t *nhosts);

/*
 * store_reported_upto - end of the last report of pdom_id that lies within
 * [begin, end], or -1.
 */
enum store_status store_reported_upto(struct store *st, int64_t pdom_id, int64_t begin,
    int64_t end, int64_t *upto);

/*
 * store_last_policy - the policy configuration of the latest message of
 * pdom_id in [begin, end] (what the report publishes) into pol (release
 * with report_policy_free), and how many configurations the period saw.
 */
enum store_status store_last_policy(struct store *st, int64_t pdom_id, int64_t begin,
    int64_t end, struct report_policy *pol, unsigned *nconfigs);

/*
 * store_messages - call fn for every message of pdom_id in [begin, end]
 * (strings valid during the call).  fn returns 0 to go on, anything else
 * to stop (store_messages then returns STORE_ERROR with "stopped").
 */
enum store_status store_messages(struct store *st, int64_t pdom_id, int64_t begin, int64_t end,
    int (*fn)(void *arg, const struct report_msg *m), void *arg);

/* store_auth - the result set auth_id into a. */
enum store_status store_auth(struct store *st, int64_t auth_id, struct report_auth *a);

/* A report made (or a period closed without one: file NULL, no rua). */
struct store_report {
	int64_t pdom_id;
	int64_t begin, end;
	const char *report_id;
	const char *file;		/* NULL: no report written (no rua in the policy) */
	int64_t messages, rows;
	int64_t created;
};

/* store_report_add - record that the period is done. */
enum store_status store_report_add(struct store *st, const struct store_report *r);

/* ---- expire ---- */

struct store_expired {
	int64_t messages, reports, files, policies, results, domains;
};

/*
 * store_expire - delete messages of days before cutoff_day (a day's first
 * second), reports that ended before it, file rows last imported before
 * it, and the policies, result sets and domains no longer used.
 */
enum store_status store_expire(struct store *st, int64_t cutoff_day, struct store_expired *x);

/* store_strerror - text for a status. */
const char *store_strerror(enum store_status s);

#endif
