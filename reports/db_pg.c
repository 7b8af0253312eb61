/*
 * db_pg.c - the PostgreSQL driver of the report store (see db.h), over
 * libpq.  ReportDatabase is a libpq connection URI (postgresql://...); a
 * password is never taken from it (only from ~/.pgpass or PGPASSFILE).
 *
 * Each statement is prepared once on the server (PQprepare), its ?N
 * parameters rewritten to $N; parameters go as text, integers written in
 * decimal.  Results are read in single-row mode, so that a period of a
 * million messages never sits in memory at once; hence only one
 * statement runs at a time on the connection (db.h).
 *
 * Transactions: BEGIN, then a transaction-level advisory lock with one
 * fixed key (PG_LOCK_SQL), exclusive (db_begin: every other transaction of
 * the store waits, as with SQLite's BEGIN IMMEDIATE) or shared
 * (db_begin_shared: the imports of several hosts run at once, while
 * aggregate and expire wait for them and they for those).
 *
 * Bulk inserts are COPY ... FROM STDIN in text format: values escaped
 * (backslash, tab, newline, carriage return), \N for NULL, text made
 * valid UTF-8 as pg_utf8 does; sent in chunks of PG_COPY_CHUNK bytes.
 * Single-threaded.
 */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "xml.h"

#define PG_ERR_MAX 512
#define PG_NAME_MAX 32
/* The advisory lock of the store: "AMREPORT" in ASCII, as a 64-bit key. */
#define PG_LOCK_SQL "SELECT pg_advisory_xact_lock(4705507643325633108)"
#define PG_LOCK_SHARED_SQL "SELECT pg_advisory_xact_lock_shared(4705507643325633108)"
#define PG_COPY_CHUNK (256 * 1024)	/* bytes of COPY data sent at once */

struct pg_db {
	struct db base;
	PGconn *conn;
	struct pg_stmt *active;		/* the statement whose results are being read */
	unsigned nstmt;			/* statements prepared: their names */
	char err[PG_ERR_MAX];
};

struct pg_stmt {
	struct db_stmt base;
	char name[PG_NAME_MAX];
	int nparams;
	char **params;			/* nparams values, NULL: SQL NULL */
	PGresult *row;			/* the current row (single-row mode) */
	bool running, done, bind_failed;
	int64_t changes;
};

/* pg_set_err - the driver's error text from a prefix and libpq's message, without its newline. */
static int
pg_set_err(struct pg_db *d, const char *what, const char *msg)
{
	size_t n;

	snprintf(d->err, sizeof(d->err), "%s: %s", what, msg != NULL && *msg ? msg : "failed");
	n = strlen(d->err);
	while (n > 0 && (d->err[n - 1] == '\n' || d->err[n - 1] == ' '))
		d->err[--n] = '\0';
	return -1;
}

/* pg_conn_err - the connection's error for what failed. */
static int
pg_conn_err(struct pg_db *d, const char *what)
{
	return pg_set_err(d, what, PQerrorMessage(d->conn));
}

/* pg_close - disconnect. */
static void
pg_close(struct db *db)
{
	struct pg_db *d = (struct pg_db *)db;

	PQfinish(d->conn);
	free(d);
}

/* pg_errmsg - the last failure. */
static const char *
pg_errmsg(const struct db *db)
{
	return ((const struct pg_db *)db)->err;
}

/* pg_result_ok - whether a result is a success; else its error into d->err. */
static bool
pg_result_ok(struct pg_db *d, PGresult *r, const char *what)
{
	ExecStatusType t = PQresultStatus(r);

	if (r != NULL && (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK))
		return true;
	pg_set_err(d, what, r != NULL ? PQresultErrorMessage(r) : PQerrorMessage(d->conn));
	return false;
}

/* pg_idle - no statement's results are pending; else an error. */
static int
pg_idle(struct pg_db *d)
{
	if (d->active == NULL)
		return 0;
	snprintf(d->err, sizeof(d->err), "statement %s still running", d->active->name);
	return -1;
}

/* pg_exec - one statement without parameters; rows are ignored. */
static int
pg_exec(struct db *db, const char *sql)
{
	struct pg_db *d = (struct pg_db *)db;
	PGresult *r;
	bool ok;

	if (pg_idle(d) != 0)
		return -1;
	r = PQexec(d->conn, sql);
	ok = pg_result_ok(d, r, sql);
	PQclear(r);
	return ok ? 0 : -1;
}

/*
 * pg_rewrite - sql with ?N turned into $N outside quoted strings and
 * identifiers; *nparams the highest N.  malloc'd, NULL when out of memory.
 */
static char *
pg_rewrite(const char *sql, int *nparams)
{
	char *out = malloc(strlen(sql) + 1), *o = out;
	char quote = 0;
	long n;

	*nparams = 0;
	if (out == NULL)
		return NULL;
	for (; *sql != '\0'; sql++) {
		if (quote != 0 && *sql == quote)
			quote = 0;
		else if (quote == 0 && (*sql == '\'' || *sql == '"'))
			quote = *sql;
		else if (quote == 0 && *sql == '?' && sql[1] >= '0' && sql[1] <= '9') {
			n = strtol(sql + 1, NULL, 10);
			if (n > *nparams && n < 1000)
				*nparams = (int)n;
			*o++ = '$';
			continue;
		}
		*o++ = *sql;
	}
	*o = '\0';
	return out;
}

/* pg_stmt_free - release a statement's memory (not its server side). */
static void
pg_stmt_free(struct pg_stmt *s)
{
	int i;

	for (i = 0; s->params != NULL && i < s->nparams; i++)
		free(s->params[i]);
	free(s->params);
	PQclear(s->row);
	free(s);
}

/* pg_server_prepare - PQprepare text under s's name. */
static int
pg_server_prepare(struct pg_db *d, struct pg_stmt *s, const char *text)
{
	PGresult *r;
	bool ok;

	snprintf(s->name, sizeof(s->name), "am_s%u", d->nstmt++);
	r = PQprepare(d->conn, s->name, text, s->nparams, NULL);
	ok = pg_result_ok(d, r, "prepare");
	PQclear(r);
	return ok ? 0 : -1;
}

/* pg_prepare - rewrite the parameters and prepare on the server. */
static int
pg_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	struct pg_db *d = (struct pg_db *)db;
	struct pg_stmt *s = calloc(1, sizeof(*s));
	char *text = NULL;
	int rc = -1;

	if (pg_idle(d) != 0) {
		free(s);
		return -1;
	}
	if (s != NULL && (text = pg_rewrite(sql, &s->nparams)) != NULL &&
	    (s->params = calloc((size_t)s->nparams + 1, sizeof(char *))) != NULL)
		rc = pg_server_prepare(d, s, text);
	else
		snprintf(d->err, sizeof(d->err), "prepare: out of memory");
	free(text);
	if (rc != 0) {
		if (s != NULL)
			pg_stmt_free(s);
		return -1;
	}
	s->base.db = db;
	*out = &s->base;
	return 0;
}

/* pg_drain - read and drop the rest of the connection's results. */
static void
pg_drain(struct pg_db *d)
{
	PGresult *r;

	while ((r = PQgetResult(d->conn)) != NULL)
		PQclear(r);
}

/* pg_reset - end the run (reading what the server still sends), clear the bindings. */
static void
pg_reset(struct db_stmt *st)
{
	struct pg_stmt *s = (struct pg_stmt *)st;
	struct pg_db *d = (struct pg_db *)st->db;
	int i;

	if (d->active == s) {
		pg_drain(d);
		d->active = NULL;
	}
	PQclear(s->row);
	s->row = NULL;
	for (i = 0; i < s->nparams; i++) {
		free(s->params[i]);
		s->params[i] = NULL;
	}
	s->running = s->done = s->bind_failed = false;
}

/* pg_finalize - release a statement (the server's copy goes with the connection). */
static void
pg_finalize(struct db_stmt *st)
{
	pg_reset(st);
	pg_stmt_free((struct pg_stmt *)st);
}

/* pg_bind - parameter i as v (malloc'd, taken over; NULL as SQL NULL, or_failed: out of memory). */
static void
pg_bind(struct pg_stmt *s, int i, char *v, bool or_failed)
{
	if (i < 1 || i > s->nparams || (v == NULL && or_failed)) {
		free(v);
		s->bind_failed = true;
		return;
	}
	free(s->params[i - 1]);
	s->params[i - 1] = v;
}

/* pg_bind_int64 - an integer parameter, as decimal text. */
static void
pg_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%" PRId64, v);
	pg_bind((struct pg_stmt *)st, i, strdup(buf), true);
}

/*
 * pg_utf8 - v as valid UTF-8, which a PostgreSQL text must be: each byte
 * that starts no XML character becomes U+FFFD, exactly as the XML writer
 * would write it, so that the reports do not depend on the backend.
 * malloc'd; NULL when out of memory.
 */
static char *
pg_utf8(const char *v)
{
	size_t len = strlen(v), i = 0, o = 0, n;
	char *out = malloc(3 * len + 1);

	if (out == NULL)
		return NULL;
	while (i < len) {
		if ((n = xml_utf8_char((const unsigned char *)v + i, len - i)) == 0) {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, v + i, n);
		o += n;
		i += n;
	}
	out[o] = '\0';
	return out;
}

/* pg_bind_text - a text parameter, made valid UTF-8. */
static void
pg_bind_text(struct db_stmt *st, int i, const char *v)
{
	pg_bind((struct pg_stmt *)st, i, v != NULL ? pg_utf8(v) : NULL, v != NULL);
}

/* pg_send - start the statement's run in single-row mode. */
static int
pg_send(struct pg_db *d, struct pg_stmt *s)
{
	if (pg_idle(d) != 0)
		return -1;
	if (s->bind_failed) {
		snprintf(d->err, sizeof(d->err), "binding a parameter failed");
		return -1;
	}
	if (!PQsendQueryPrepared(d->conn, s->name, s->nparams, (const char *const *)s->params,
	    NULL, NULL, 0))
		return pg_conn_err(d, "step");
	PQsetSingleRowMode(d->conn);
	d->active = s;
	s->running = true;
	return 0;
}

/* pg_finish - the run's last result r: done, or failed. */
static enum db_step
pg_finish(struct pg_db *d, struct pg_stmt *s, PGresult *r)
{
	bool ok = r == NULL || pg_result_ok(d, r, "step");

	if (ok && r != NULL)
		s->changes = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	pg_drain(d);
	d->active = NULL;
	s->done = true;
	return ok ? DB_DONE : DB_ERROR;
}

/* pg_step - run, or the next row. */
static enum db_step
pg_step(struct db_stmt *st)
{
	struct pg_stmt *s = (struct pg_stmt *)st;
	struct pg_db *d = (struct pg_db *)st->db;
	PGresult *r;

	if (!s->running) {
		s->changes = 0;
		if (pg_send(d, s) != 0)
			return DB_ERROR;
	}
	if (s->done)
		return DB_DONE;
	PQclear(s->row);
	s->row = NULL;
	r = PQgetResult(d->conn);
	if (r != NULL && PQresultStatus(r) == PGRES_SINGLE_TUPLE) {
		s->row = r;
		return DB_ROW;
	}
	return pg_finish(d, s, r);
}

/* pg_changes - rows changed by the last run. */
static int64_t
pg_changes(const struct db_stmt *st)
{
	return ((const struct pg_stmt *)st)->changes;
}

/* pg_col_null - whether a column of the current row is NULL (or there is no row). */
static bool
pg_col_null(struct db_stmt *st, int i)
{
	struct pg_stmt *s = (struct pg_stmt *)st;

	return s->row == NULL || i >= PQnfields(s->row) || PQgetisnull(s->row, 0, i);
}

/* pg_col_text - a text column, NULL for SQL NULL. */
static const char *
pg_col_text(struct db_stmt *st, int i)
{
	struct pg_stmt *s = (struct pg_stmt *)st;

	return pg_col_null(st, i) ? NULL : PQgetvalue(s->row, 0, i);
}

/* pg_col_int64 - an integer column (sent as decimal text), 0 for NULL. */
static int64_t
pg_col_int64(struct db_stmt *st, int i)
{
	const char *t = pg_col_text(st, i);

	return t != NULL ? strtoll(t, NULL, 10) : 0;
}

/* pg_begin_lock - a transaction holding the store's advisory lock, as lock_sql takes it. */
static int
pg_begin_lock(struct db *db, const char *lock_sql)
{
	struct pg_db *d = (struct pg_db *)db;
	PGresult *r;

	if (pg_exec(db, "BEGIN") != 0)
		return -1;
	if (pg_exec(db, lock_sql) == 0)
		return 0;
	r = PQexec(d->conn, "ROLLBACK");
	PQclear(r);
	return -1;
}

/* pg_begin - a transaction holding the store's advisory lock alone. */
static int
pg_begin(struct db *db)
{
	return pg_begin_lock(db, PG_LOCK_SQL);
}

/* pg_begin_shared - a transaction sharing the store's advisory lock. */
static int
pg_begin_shared(struct db *db)
{
	return pg_begin_lock(db, PG_LOCK_SHARED_SQL);
}

/* pg_commit - commit; a transaction the server had aborted is a failure. */
static int
pg_commit(struct db *db)
{
	struct pg_db *d = (struct pg_db *)db;
	PGresult *r;
	bool ok;

	if (pg_idle(d) != 0)
		return -1;
	r = PQexec(d->conn, "COMMIT");
	ok = pg_result_ok(d, r, "commit");
	if (ok && strcmp(PQcmdStatus(r), "COMMIT") != 0)
		ok = pg_set_err(d, "commit", "the server rolled the transaction back") == 0;
	PQclear(r);
	return ok ? 0 : -1;
}

/* pg_rollback - roll back. */
static int
pg_rollback(struct db *db)
{
	struct pg_db *d = (struct pg_db *)db;

	if (d->active != NULL)
		pg_reset(&d->active->base);
	return pg_exec(db, "ROLLBACK");
}

/* pg_table_exists - a table of that name in the connection's current schema. */
static int
pg_table_exists(struct db *db, const char *name, bool *exists)
{
	struct pg_db *d = (struct pg_db *)db;
	const char *param[1] = { name };
	PGresult *r;
	bool ok;

	if (pg_idle(d) != 0)
		return -1;
	r = PQexecParams(d->conn, "SELECT 1 FROM pg_catalog.pg_tables"
	    " WHERE schemaname = current_schema() AND tablename = $1", 1, NULL, param, NULL, NULL, 0);
	ok = pg_result_ok(d, r, "reading the schema");
	*exists = ok && PQntuples(r) > 0;
	PQclear(r);
	return ok ? 0 : -1;
}

/* A COPY ... FROM STDIN in progress. */
struct pg_copy {
	struct db_copy base;
	char *buf;			/* rows not sent yet */
	size_t len, cap;
};

/* pg_copy_begin - start COPY table (columns) FROM STDIN. */
static int
pg_copy_begin(struct db *db, const char *table, const char *columns, int ncolumns,
    struct db_copy **out)
{
	struct pg_db *d = (struct pg_db *)db;
	size_t len = strlen(table) + strlen(columns) + 32;
	struct pg_copy *c = calloc(1, sizeof(*c));
	char *sql = malloc(len);
	PGresult *r = NULL;
	bool ok = false;

	(void)ncolumns;
	if (c == NULL || sql == NULL || (c->buf = malloc(PG_COPY_CHUNK + 1024)) == NULL)
		snprintf(d->err, sizeof(d->err), "copy: out of memory");
	else if (pg_idle(d) == 0) {
		snprintf(sql, len, "COPY %s (%s) FROM STDIN", table, columns);
		r = PQexec(d->conn, sql);
		if (!(ok = PQresultStatus(r) == PGRES_COPY_IN) && pg_result_ok(d, r, "copy"))
			pg_set_err(d, "copy", "the server did not start it");
	}
	PQclear(r);
	free(sql);
	if (!ok) {
		if (c != NULL)
			free(c->buf);
		free(c);
		return -1;
	}
	c->cap = PG_COPY_CHUNK + 1024;
	c->base.db = db;
	*out = &c->base;
	return 0;
}

/* pg_copy_room - room for n more bytes in the row buffer; false when out of memory. */
static bool
pg_copy_room(struct pg_copy *c, size_t n)
{
	char *b;

	if (c->len + n <= c->cap)
		return true;
	if ((b = realloc(c->buf, 2 * (c->len + n))) == NULL) {
		c->base.failed = true;
		snprintf(((struct pg_db *)c->base.db)->err, PG_ERR_MAX, "copy: out of memory");
		return false;
	}
	c->buf = b;
	c->cap = 2 * (c->len + n);
	return true;
}

/* pg_copy_sep - the separator before a column (a tab but before the first). */
static void
pg_copy_sep(struct pg_copy *c)
{
	if (c->base.col++ > 0)
		c->buf[c->len++] = '\t';
}

/* pg_copy_int64 - an integer column, in decimal. */
static void
pg_copy_int64(struct db_copy *cp, int64_t v)
{
	struct pg_copy *c = (struct pg_copy *)cp;

	if (!pg_copy_room(c, 24))
		return;
	pg_copy_sep(c);
	c->len += (size_t)snprintf(c->buf + c->len, 23, "%" PRId64, v);
}

/* pg_copy_char - one character of text (n bytes at s) with COPY's escapes. */
static void
pg_copy_char(struct pg_copy *c, const char *s, size_t n)
{
	static const char from[] = "\\\t\n\r", to[] = "\\tnr";
	const char *e;

	if (n == 1 && *s != '\0' && (e = strchr(from, *s)) != NULL) {
		c->buf[c->len++] = '\\';
		c->buf[c->len++] = to[e - from];
		return;
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
}

/*
 * pg_copy_text - a text column: \N for NULL; else each byte that starts
 * no XML character as U+FFFD (as pg_utf8), the rest escaped for COPY.
 */
static void
pg_copy_text(struct db_copy *cp, const char *v)
{
	struct pg_copy *c = (struct pg_copy *)cp;
	size_t len = v != NULL ? strlen(v) : 0, i = 0, n;

	if (!pg_copy_room(c, 3 * len + 3))
		return;
	pg_copy_sep(c);
	if (v == NULL) {
		memcpy(c->buf + c->len, "\\N", 2);
		c->len += 2;
		return;
	}
	while (i < len) {
		if ((n = xml_utf8_char((const unsigned char *)v + i, len - i)) == 0) {
			pg_copy_char(c, "\xEF\xBF\xBD", 3);
			i++;
			continue;
		}
		pg_copy_char(c, v + i, n);
		i += n;
	}
}

/* pg_copy_send - the buffered rows to the server. */
static int
pg_copy_send(struct pg_copy *c)
{
	struct pg_db *d = (struct pg_db *)c->base.db;

	if (c->len > 0 && PQputCopyData(d->conn, c->buf, (int)c->len) != 1) {
		c->base.failed = true;
		return pg_conn_err(d, "copy");
	}
	c->len = 0;
	return 0;
}

/* pg_copy_row - end the row; send a full chunk. */
static int
pg_copy_row(struct db_copy *cp)
{
	struct pg_copy *c = (struct pg_copy *)cp;

	if (cp->failed || !pg_copy_room(c, 1))
		return -1;
	c->buf[c->len++] = '\n';
	cp->col = 0;
	return c->len >= PG_COPY_CHUNK ? pg_copy_send(c) : 0;
}

/* pg_copy_end - the rest of the rows and the end (an abort after a failure); the server's verdict. */
static int
pg_copy_end(struct db_copy *cp)
{
	struct pg_copy *c = (struct pg_copy *)cp;
	struct pg_db *d = (struct pg_db *)cp->db;
	bool ok = !cp->failed && pg_copy_send(c) == 0;
	PGresult *r;

	if (PQputCopyEnd(d->conn, ok ? NULL : "failed") != 1 && ok)
		ok = pg_conn_err(d, "copy") == 0;
	while ((r = PQgetResult(d->conn)) != NULL) {
		bool stuck = PQresultStatus(r) == PGRES_COPY_IN;	/* the end was not sent */

		if (ok && !pg_result_ok(d, r, "copy"))
			ok = false;
		PQclear(r);
		if (stuck)
			break;
	}
	free(c->buf);
	free(c);
	return ok ? 0 : -1;
}

static const struct db_ops pg_ops = {
	.close = pg_close, .errmsg = pg_errmsg, .exec = pg_exec, .prepare = pg_prepare,
	.finalize = pg_finalize, .reset = pg_reset, .bind_int64 = pg_bind_int64,
	.bind_text = pg_bind_text, .step = pg_step, .changes = pg_changes,
	.col_int64 = pg_col_int64, .col_text = pg_col_text, .col_null = pg_col_null,
	.begin = pg_begin, .begin_shared = pg_begin_shared, .commit = pg_commit,
	.rollback = pg_rollback, .table_exists = pg_table_exists,
	.copy_begin = pg_copy_begin, .copy_int64 = pg_copy_int64, .copy_text = pg_copy_text,
	.copy_row = pg_copy_row, .copy_end = pg_copy_end,
};

/* pg_has_password - whether a connection URI carries a password; -1 when it does not parse. */
static int
pg_has_password(const char *uri, char *err, size_t errsize)
{
	PQconninfoOption *opts, *o;
	char *msg = NULL;
	int found = 0;

	if ((opts = PQconninfoParse(uri, &msg)) == NULL) {
		snprintf(err, errsize, "not a PostgreSQL connection URI: %s",
		    msg != NULL ? msg : "out of memory");
		PQfreemem(msg);
		return -1;
	}
	for (o = opts; o->keyword != NULL; o++) {
		if (strcmp(o->keyword, "password") == 0 && o->val != NULL && o->val[0] != '\0')
			found = 1;
	}
	PQconninfoFree(opts);
	return found;
}

/* pg_quiet - the server's notices are not the report tool's output. */
static void
pg_quiet(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

int
db_pg_open(const char *uri, enum db_mode mode, struct db **out, char *err, size_t errsize)
{
	struct pg_db *d;
	int pw;

	(void)mode;	/* a dry run connects alike: its callers roll every transaction back */
	*out = NULL;
	if ((pw = pg_has_password(uri, err, errsize)) != 0) {
		if (pw > 0)
			snprintf(err, errsize, "a password in ReportDatabase is refused:"
			    " put it in ~/.pgpass or the file PGPASSFILE names");
		return -1;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		snprintf(err, errsize, "out of memory");
		return -1;
	}
	d->base.ops = &pg_ops;
	d->base.backend = DB_PG;
	d->conn = PQconnectdb(uri);
	if (d->conn == NULL || PQstatus(d->conn) != CONNECTION_OK) {
		pg_set_err(d, "cannot connect", d->conn ? PQerrorMessage(d->conn) : "out of memory");
		snprintf(err, errsize, "%s", d->err);
		pg_close(&d->base);
		return -1;
	}
	PQsetNoticeProcessor(d->conn, pg_quiet, NULL);
	*out = &d->base;
	return 0;
}
