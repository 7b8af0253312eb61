/*
 * db.h - the database driver layer under the report store (store.c): one
 * small interface, two drivers, SQLite (db_sqlite.c, a file path) and
 * PostgreSQL (db_pg.c, a postgresql:// or postgres:// URI).  The drivers
 * know no table of the store: every statement text of the program stays
 * in store.c; a driver only adds its own connection setup and transaction
 * control (doc/report-store.md).
 *
 * Statement texts use SQLite's numbered parameters ?1..?N; the PostgreSQL
 * driver rewrites them to $1..$N.  Parameters and columns are 64-bit
 * integers or text (NULL text is SQL NULL).  A statement is prepared once
 * and run many times: bind, step until DB_DONE (or stop early), reset.
 * Only one statement may be between its first step and its reset at a
 * time (PostgreSQL reads results from the one connection).
 *
 * Called by store.c only; one struct db per process, single-threaded.
 */
#ifndef AUTHMILTER_REPORTS_DB_H
#define AUTHMILTER_REPORTS_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;
struct db_stmt;

enum db_backend {
	DB_SQLITE = 0,
	DB_PG
};

enum db_mode {
	DB_MODE_CREATE = 0,	/* read-write; SQLite creates a missing file */
	DB_MODE_DRY		/* SQLite: an existing file, or an empty in-memory database */
};

enum db_step {
	DB_ROW = 0,		/* a row is ready for the column functions */
	DB_DONE,		/* no more rows: the statement is finished */
	DB_ERROR		/* failed: db_errmsg says why */
};

/* db_target_backend - which driver a ReportDatabase value names. */
enum db_backend db_target_backend(const char *target);

/*
 * db_target_label - target as it may be shown in messages: a PostgreSQL
 * URI's password (which db_open refuses anyway) replaced by ***, its
 * parameters (?...) left out.
 */
void db_target_label(const char *target, char *buf, size_t size);

/*
 * db_open - connect to target (a file path or a PostgreSQL URI) in mode.
 * Returns 0 and *out, or -1 with the reason in err (errsize bytes) and
 * *out NULL.
 */
int db_open(const char *target, enum db_mode mode, struct db **out, char *err, size_t errsize);

/* db_close - finalize nothing (the caller finalizes its statements first) and disconnect; NULL is fine. */
void db_close(struct db *db);

/* db_backend - the driver of db. */
enum db_backend db_backend(const struct db *db);

/* db_is_memory - true for SQLite's empty in-memory database of a dry run. */
bool db_is_memory(const struct db *db);

/* db_errmsg - the text of the last failure (never NULL). */
const char *db_errmsg(const struct db *db);

/* db_exec - one statement without parameters or rows; 0 or -1. */
int db_exec(struct db *db, const char *sql);

/* db_prepare - compile sql (parameters ?1..?N) into *out; 0 or -1. */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out);

/* db_finalize - release a statement (NULL is fine). */
void db_finalize(struct db_stmt *s);

/* db_reset - end the statement's run and clear its bindings (every parameter NULL). */
void db_reset(struct db_stmt *s);

/*
 * db_bind_int64, db_bind_text - parameter i (from 1); text NULL binds SQL
 * NULL, the text is copied.  A failed bind makes the next db_step fail.
 */
void db_bind_int64(struct db_stmt *s, int i, int64_t v);
void db_bind_text(struct db_stmt *s, int i, const char *v);

/* db_step - run the statement or read its next row. */
enum db_step db_step(struct db_stmt *s);

/* db_changes - rows changed by the statement's last run (after DB_DONE). */
int64_t db_changes(const struct db_stmt *s);

/*
 * Columns of the current row, from 0.  db_col_text returns NULL for SQL
 * NULL; the text is valid until the next step or reset.  db_col_int64 is
 * 0 for NULL.
 */
int64_t db_col_int64(struct db_stmt *s, int i);
const char *db_col_text(struct db_stmt *s, int i);
bool db_col_null(struct db_stmt *s, int i);

/*
 * Transactions.  db_begin takes the store's write lock exclusively:
 * SQLite's BEGIN IMMEDIATE (waiting up to the busy timeout), PostgreSQL's
 * BEGIN and a transaction-level advisory lock.  db_begin_shared takes it
 * shared: on PostgreSQL the same advisory lock in shared mode (held by any
 * number of shared transactions at once, none while an exclusive one
 * holds it); SQLite has one writer at a time whatever the mode.  0 or -1.
 */
int db_begin(struct db *db);
int db_begin_shared(struct db *db);
int db_commit(struct db *db);
int db_rollback(struct db *db);

/* db_table_exists - whether the database has a table called name; 0 or -1. */
int db_table_exists(struct db *db, const char *name, bool *exists);

/*
 * Bulk insert, within the open transaction: rows of values into ncolumns
 * columns of table (names given by the caller, used as they are).
 * PostgreSQL: COPY ... FROM STDIN in text format (text made valid UTF-8
 * as db_bind_text does); SQLite: a prepared INSERT run once per row.
 * Between db_copy_begin and db_copy_end no statement may run on the
 * connection.  db_copy_begin returns 0 and *out, or -1 (db_errmsg).  Each
 * row: one db_copy_int64 or db_copy_text per column in order (text NULL:
 * SQL NULL), then db_copy_row (0, or -1: the copy failed).  db_copy_end
 * finishes and releases the copy: 0 when every row was written, else -1
 * (and the caller rolls the transaction back).
 */
struct db_copy;
int db_copy_begin(struct db *db, const char *table, const char *const *columns, int ncolumns,
    struct db_copy **out);
void db_copy_int64(struct db_copy *c, int64_t v);
void db_copy_text(struct db_copy *c, const char *v);
int db_copy_row(struct db_copy *c);
int db_copy_end(struct db_copy *c);

/* The drivers' table, for db.c and the drivers. */
struct db_ops {
	void (*close)(struct db *db);
	const char *(*errmsg)(const struct db *db);
	int (*exec)(struct db *db, const char *sql);
	int (*prepare)(struct db *db, const char *sql, struct db_stmt **out);
	void (*finalize)(struct db_stmt *s);
	void (*reset)(struct db_stmt *s);
	void (*bind_int64)(struct db_stmt *s, int i, int64_t v);
	void (*bind_text)(struct db_stmt *s, int i, const char *v);
	enum db_step (*step)(struct db_stmt *s);
	int64_t (*changes)(const struct db_stmt *s);
	int64_t (*col_int64)(struct db_stmt *s, int i);
	const char *(*col_text)(struct db_stmt *s, int i);
	bool (*col_null)(struct db_stmt *s, int i);
	int (*begin)(struct db *db);
	int (*begin_shared)(struct db *db);
	int (*commit)(struct db *db);
	int (*rollback)(struct db *db);
	int (*table_exists)(struct db *db, const char *name, bool *exists);
	/* Bulk insert; copy_begin NULL: db.c's generic one over prepare, bind and step. */
	int (*copy_begin)(struct db *db, const char *table, const char *columns, int ncolumns,
	    struct db_copy **out);
	void (*copy_int64)(struct db_copy *c, int64_t v);
	void (*copy_text)(struct db_copy *c, const char *v);
	int (*copy_row)(struct db_copy *c);
	int (*copy_end)(struct db_copy *c);
};

/* The part every driver's connection and statement starts with. */
struct db {
	const struct db_ops *ops;
	enum db_backend backend;
	bool memory;
};

struct db_stmt {
	struct db *db;
};

/* The part every driver's bulk insert starts with. */
struct db_copy {
	struct db *db;
	struct db_stmt *stmt;		/* the generic copy's INSERT */
	int ncolumns, col;		/* columns of a row; the next one */
	bool failed;
};

/* The drivers' constructors (db_open chooses). */
int db_sqlite_open(const char *path, enum db_mode mode, struct db **out, char *err,
    size_t errsize);
int db_pg_open(const char *uri, enum db_mode mode, struct db **out, char *err, size_t errsize);

#endif
