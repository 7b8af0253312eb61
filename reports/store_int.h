/*
 * store_int.h - what the two halves of the report store share: store.c
 * (the schema, connections, transactions and the import's write path)
 * and store_report.c (reading periods for aggregate, recording reports,
 * expire).  Not for the store's callers: they use store.h.
 */
#ifndef AUTHMILTER_REPORTS_STORE_INT_H
#define AUTHMILTER_REPORTS_STORE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "rowbuf.h"
#include "store.h"
#include "str.h"
#include "strmap.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define STORE_CACHE_MAX 100000		/* entries of one interning cache before it is emptied */
#define STORE_FLUSH_ROWS 8192		/* message rows held before they are written */
#define STORE_ID_BLOCK 1000		/* ids one nextval reserves: the sequence's INCREMENT */
#define STORE_DAY_LAST 86399		/* the last second of a UTC day, from its first */

/* The statements, prepared on first use. */
enum stmt {
	S_FILE_FIND, S_FILE_OWNER, S_FILE_SAVE, S_V3_COPY, S_HOST_SAVE, S_HOSTS_BEHIND,
	S_PDOM_FIND, S_PDOM_ADD,
	S_POLICY_FIND, S_POLICY_ADD, S_RUA_ADD,
	S_AUTH_FIND, S_AUTH_ADD, S_DKIM_ADD, S_SPF_ADD,
	S_LATE, S_ID_BLOCK, S_PDOM_ALL, S_POLICY_ALL, S_AUTH_ALL,
	S_COUNTER_GET, S_COUNTER_SET, S_PERIOD_ADD, S_PERIOD_REPORTED,
	S_DAYS, S_REPORTED_UPTO, S_LAST_POLICY, S_NCONFIGS, S_POLICY_GET, S_RUA_GET,
	S_MESSAGES, S_DKIM_GET, S_SPF_GET, S_REPORT_ADD,
	S_EXP_MESSAGES, S_EXP_PERIODS, S_EXP_REPORTS, S_EXP_FILES, S_EXP_RUA, S_EXP_POLICIES,
	S_EXP_DKIM, S_EXP_SPF, S_EXP_AUTH, S_EXP_PDOM, S_EXP_HOSTS,
	S_COUNT
};

/* The statement texts, by enum stmt (store.c). */
extern const char *const store_sql[S_COUNT];

/* Messages added to one (policy domain, day) in the open transaction. */
struct period_add {
	int64_t pdom_id, day, messages, last_time;
};

/* The reports of one (policy domain, day), read once per transaction: [begin, end] pairs. */
struct late_day {
	size_t n;
	int64_t span[];			/* 2 * n: begin, end, ... */
};

struct store {
	struct db *db;
	struct db_stmt *stmt[S_COUNT];
	bool in_txn;
	bool shared;			/* store_begin takes the lock shared (imports) */
	bool dry;			/* opened for a dry run */
	bool preloaded;			/* PostgreSQL imports: the interning caches were filled */
	char *target;			/* ReportDatabase, for the interning connection */
	/*
	 * PostgreSQL imports (shared, not dry): a second connection that
	 * interns policy domains, policies and result sets in short
	 * transactions of their own, committed at once, so that imports
	 * running at once never hold (and wait for) each other's new rows
	 * until the end of a batch.  NULL until needed.
	 */
	struct db *idb;
	struct db_stmt *istmt[S_COUNT];
	struct strmap pdoms, policies, auths;	/* interning caches: key -> id */
	struct strmap periods;		/* "pdom_id/day" -> struct period_add, flushed at commit */
	struct strmap late;		/* "pdom_id/day" -> struct late_day, for the transaction */
	struct rowbuf messages;		/* message rows not written yet (message_columns) */
	int64_t next_id;		/* SQLite: the next message id, -1 when not read yet */
	int64_t id_next, id_end;	/* PostgreSQL: the ids reserved and not used yet */
	char *host;			/* ReportHostID: whose files are imported */
	struct str key;			/* scratch key */
	char err[STORE_ERR_MAX];
};

/* store_fail - set the error text from a format; returns STORE_ERROR. */
enum store_status store_fail(struct store *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* store_db_fail - the database's own error for what was being done; STORE_ERROR. */
enum store_status store_db_fail(struct store *st, const char *what);

/* store_prep - statement s of the main connection, reset, bindings cleared; NULL on error. */
struct db_stmt *store_prep(struct store *st, enum stmt s);

/* store_col_text - a text column, "" for NULL. */
const char *store_col_text(struct db_stmt *s, int i);

/* store_run - step a statement that returns no rows (DONE expected). */
enum store_status store_run(struct store *st, struct db_stmt *s, const char *what);

/* store_single_int - the one integer a statement returns; STORE_NOTFOUND without a row. */
enum store_status store_single_int(struct store *st, struct db_stmt *s, int64_t *v);

/* store_clear_late - forget the reports read for the late rule. */
void store_clear_late(struct store *st);

/* store_clear_caches - forget interned ids and pending counts. */
void store_clear_caches(struct store *st);

/* store_flush_messages - write the message rows held. */
enum store_status store_flush_messages(struct store *st);

#endif
