/*
 * db_sqlite.c - the SQLite driver of the report store (see db.h): a
 * database file in WAL mode, or for a dry run without a file an empty
 * database in memory.  Transactions are BEGIN IMMEDIATE, which takes the
 * file's write lock at once, waiting up to STORE_BUSY_MS for another
 * writer, whether the store asks for its lock shared or exclusive: SQLite
 * has one writer at a time.  Bulk inserts use db.c's generic prepared
 * INSERT.  Single-threaded (SQLITE_OPEN_NOMUTEX).
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "db.h"

#define SQ_BUSY_MS 60000		/* wait for another writer */
#define SQ_ERR_MAX 512
/*
 * SQLite's page cache: import adds each batch's messages at one place per
 * policy domain of the clustered message table; a cache that holds those
 * pages keeps a batch from spilling to the WAL while it is being built.
 */
#define SQ_CACHE_PRAGMA "PRAGMA cache_size = -32768"	/* KiB */

struct sq_db {
	struct db base;
	sqlite3 *h;
	char err[SQ_ERR_MAX];
};

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *h;
	int64_t changes;		/* rows changed by the last run */
	bool bind_failed;		/* a bind failed since the last reset */
};

/* sq_fail - keep SQLite's message for what failed; -1. */
static int
sq_fail(struct sq_db *d, const char *what)
{
	snprintf(d->err, sizeof(d->err), "%s: %s", what, sqlite3_errmsg(d->h));
	return -1;
}

/* sq_close - disconnect. */
static void
sq_close(struct db *db)
{
	struct sq_db *d = (struct sq_db *)db;

	sqlite3_close(d->h);
	free(d);
}

/* sq_errmsg - the last failure. */
static const char *
sq_errmsg(const struct db *db)
{
	return ((const struct sq_db *)db)->err;
}

/* sq_exec - one statement without parameters or rows. */
static int
sq_exec(struct db *db, const char *sql)
{
	struct sq_db *d = (struct sq_db *)db;
	char *msg = NULL;

	if (sqlite3_exec(d->h, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(d->err, sizeof(d->err), "%s: %s", sql, msg != NULL ? msg : "failed");
	sqlite3_free(msg);
	return -1;
}

/* sq_prepare - compile a statement. */
static int
sq_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	struct sq_db *d = (struct sq_db *)db;
	struct sq_stmt *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		snprintf(d->err, sizeof(d->err), "prepare: out of memory");
		return -1;
	}
	if (sqlite3_prepare_v2(d->h, sql, -1, &s->h, NULL) != SQLITE_OK) {
		free(s);
		return sq_fail(d, "prepare");
	}
	s->base.db = db;
	*out = &s->base;
	return 0;
}

/* sq_finalize - release a statement. */
static void
sq_finalize(struct db_stmt *st)
{
	struct sq_stmt *s = (struct sq_stmt *)st;

	sqlite3_finalize(s->h);
	free(s);
}

/* sq_reset - end the run, clear the bindings. */
static void
sq_reset(struct db_stmt *st)
{
	struct sq_stmt *s = (struct sq_stmt *)st;

	sqlite3_reset(s->h);
	sqlite3_clear_bindings(s->h);
	s->bind_failed = false;
}

/* sq_bind_int64 - an integer parameter. */
static void
sq_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	struct sq_stmt *s = (struct sq_stmt *)st;

	if (sqlite3_bind_int64(s->h, i, (sqlite3_int64)v) != SQLITE_OK)
		s->bind_failed = true;
}

/* sq_bind_text - a text parameter, NULL as SQL NULL. */
static void
sq_bind_text(struct db_stmt *st, int i, const char *v)
{
	struct sq_stmt *s = (struct sq_stmt *)st;
	int rc;

	if (v == NULL)
		rc = sqlite3_bind_null(s->h, i);
	else
		rc = sqlite3_bind_text(s->h, i, v, -1, SQLITE_TRANSIENT);
	if (rc != SQLITE_OK)
		s->bind_failed = true;
}

/* sq_step - run, or the next row. */
static enum db_step
sq_step(struct db_stmt *st)
{
	struct sq_stmt *s = (struct sq_stmt *)st;
	struct sq_db *d = (struct sq_db *)st->db;
	int rc;

	if (s->bind_failed) {
		sq_fail(d, "binding a parameter");
		return DB_ERROR;
	}
	rc = sqlite3_step(s->h);
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE) {
		s->changes = sqlite3_changes(d->h);
		return DB_DONE;
	}
	sq_fail(d, "step");
	return DB_ERROR;
}

/* sq_changes - rows changed by the last run. */
static int64_t
sq_changes(const struct db_stmt *st)
{
	return ((const struct sq_stmt *)st)->changes;
}

/* sq_col_int64 - an integer column. */
static int64_t
sq_col_int64(struct db_stmt *st, int i)
{
	return sqlite3_column_int64(((struct sq_stmt *)st)->h, i);
}

/* sq_col_text - a text column, NULL for SQL NULL. */
static const char *
sq_col_text(struct db_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(((struct sq_stmt *)st)->h, i);
}

/* sq_col_null - whether a column is NULL. */
static bool
sq_col_null(struct db_stmt *st, int i)
{
	return sqlite3_column_type(((struct sq_stmt *)st)->h, i) == SQLITE_NULL;
}

/* sq_txn - a transaction statement; the error is SQLite's message alone. */
static int
sq_txn(struct db *db, const char *sql)
{
	struct sq_db *d = (struct sq_db *)db;

	if (sqlite3_exec(d->h, sql, NULL, NULL, NULL) == SQLITE_OK)
		return 0;
	snprintf(d->err, sizeof(d->err), "%s", sqlite3_errmsg(d->h));
	return -1;
}

/* sq_begin - a write transaction, the file's lock taken now. */
static int
sq_begin(struct db *db)
{
	return sq_txn(db, "BEGIN IMMEDIATE");
}

/* sq_commit - commit. */
static int
sq_commit(struct db *db)
{
	return sq_txn(db, "COMMIT");
}

/* sq_rollback - roll back. */
static int
sq_rollback(struct db *db)
{
	return sq_txn(db, "ROLLBACK");
}

/* sq_table_exists - a table of that name in sqlite_master. */
static int
sq_table_exists(struct db *db, const char *name, bool *exists)
{
	struct sq_db *d = (struct sq_db *)db;
	sqlite3_stmt *s;
	int rc;

	if (sqlite3_prepare_v2(d->h, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
	    -1, &s, NULL) != SQLITE_OK)
		return sq_fail(d, "reading the schema");
	sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(d, "reading the schema");
	*exists = rc == SQLITE_ROW;
	return 0;
}

static const struct db_ops sq_ops = {
	.close = sq_close, .errmsg = sq_errmsg, .exec = sq_exec, .prepare = sq_prepare,
	.finalize = sq_finalize, .reset = sq_reset, .bind_int64 = sq_bind_int64,
	.bind_text = sq_bind_text, .step = sq_step, .changes = sq_changes,
	.col_int64 = sq_col_int64, .col_text = sq_col_text, .col_null = sq_col_null,
	.begin = sq_begin, .begin_shared = sq_begin, .commit = sq_commit, .rollback = sq_rollback,
	.table_exists = sq_table_exists,
};

/* sq_connect - the file (or memory) for the mode, with the pragmas of a file. */
static int
sq_connect(struct sq_db *d, const char *path, enum db_mode mode)
{
	struct stat sb;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	if (mode == DB_MODE_DRY && stat(path, &sb) != 0 && errno == ENOENT) {
		d->base.memory = true;
		path = ":memory:";
	} else if (mode == DB_MODE_CREATE) {
		flags |= SQLITE_OPEN_CREATE;
	}
	if (sqlite3_open_v2(path, &d->h, flags, NULL) != SQLITE_OK) {
		snprintf(d->err, sizeof(d->err), "%s", d->h ? sqlite3_errmsg(d->h) : "cannot open");
		return -1;
	}
	sqlite3_busy_timeout(d->h, SQ_BUSY_MS);
	if (d->base.memory)
		return 0;
	if (sq_exec(&d->base, "PRAGMA journal_mode = WAL") != 0 ||
	    sq_exec(&d->base, "PRAGMA synchronous = NORMAL") != 0 ||
	    sq_exec(&d->base, SQ_CACHE_PRAGMA) != 0)
		return -1;
	return 0;
}

int
db_sqlite_open(const char *path, enum db_mode mode, struct db **out, char *err, size_t errsize)
{
	struct sq_db *d = calloc(1, sizeof(*d));

	*out = NULL;
	if (d == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	d->base.ops = &sq_ops;
	d->base.backend = DB_SQLITE;
	if (sq_connect(d, path, mode) != 0) {
		snprintf(err, errsize, "%s", d->err);
		sq_close(&d->base);
		return -1;
	}
	*out = &d->base;
	return 0;
}
