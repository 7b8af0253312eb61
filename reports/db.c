/*
 * db.c - the driver layer's dispatch (see db.h): chooses the driver by the
 * form of ReportDatabase and forwards each call through the driver's
 * table.  No SQL here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

enum db_backend
db_target_backend(const char *target)
{
	if (strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0)
		return DB_PG;
	return DB_SQLITE;
}

int
db_open(const char *target, enum db_mode mode, struct db **out, char *err, size_t errsize)
{
	*out = NULL;
	if (db_target_backend(target) == DB_PG)
		return db_pg_open(target, mode, out, err, errsize);
	return db_sqlite_open(target, mode, out, err, errsize);
}

void
db_target_label(const char *target, char *buf, size_t size)
{
	const char *auth, *at = NULL, *colon;
	size_t len, i;

	snprintf(buf, size, "%s", target);
	if (db_target_backend(target) != DB_PG)
		return;
	auth = strstr(target, "://") + 3;
	len = strcspn(auth, "/?#");
	if (strchr(auth, '?') != NULL)	/* parameters may hold a password= too: not shown */
		snprintf(buf, size, "%.*s", (int)(strchr(auth, '?') - target), target);
	for (i = 0; i < len; i++) {
		if (auth[i] == '@')
			at = auth + i;	/* the last one ends the user information */
	}
	if (at != NULL && (colon = memchr(auth, ':', (size_t)(at - auth))) != NULL)
		snprintf(buf, size, "%.*s***%.*s", (int)(colon + 1 - target), target,
		    (int)strcspn(at, "?"), at);
}

void
db_close(struct db *db)
{
	if (db != NULL)
		db->ops->close(db);
}

enum db_backend
db_backend(const struct db *db)
{
	return db->backend;
}

bool
db_is_memory(const struct db *db)
{
	return db->memory;
}

const char *
db_errmsg(const struct db *db)
{
	return db->ops->errmsg(db);
}

int
db_exec(struct db *db, const char *sql)
{
	return db->ops->exec(db, sql);
}

int
db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	*out = NULL;
	return db->ops->prepare(db, sql, out);
}

void
db_finalize(struct db_stmt *s)
{
	if (s != NULL)
		s->db->ops->finalize(s);
}

void
db_reset(struct db_stmt *s)
{
	s->db->ops->reset(s);
}

void
db_bind_int64(struct db_stmt *s, int i, int64_t v)
{
	s->db->ops->bind_int64(s, i, v);
}

void
db_bind_text(struct db_stmt *s, int i, const char *v)
{
	s->db->ops->bind_text(s, i, v);
}

enum db_step
db_step(struct db_stmt *s)
{
	return s->db->ops->step(s);
}

int64_t
db_changes(const struct db_stmt *s)
{
	return s->db->ops->changes(s);
}

int64_t
db_col_int64(struct db_stmt *s, int i)
{
	return s->db->ops->col_int64(s, i);
}

const char *
db_col_text(struct db_stmt *s, int i)
{
	return s->db->ops->col_text(s, i);
}

bool
db_col_null(struct db_stmt *s, int i)
{
	return s->db->ops->col_null(s, i);
}

int
db_begin(struct db *db)
{
	return db->ops->begin(db);
}

int
db_begin_shared(struct db *db)
{
	return db->ops->begin_shared(db);
}

int
db_commit(struct db *db)
{
	return db->ops->commit(db);
}

int
db_rollback(struct db *db)
{
	return db->ops->rollback(db);
}

int
db_table_exists(struct db *db, const char *name, bool *exists)
{
	return db->ops->table_exists(db, name, exists);
}

/* column_list - "a, b, c" of the column names (malloc'd; NULL when out of memory). */
static char *
column_list(const char *const *columns, int n)
{
	size_t len = 1;
	char *out, *o;
	int i;

	for (i = 0; i < n; i++)
		len += strlen(columns[i]) + 2;
	if ((out = o = malloc(len)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		o += snprintf(o, len - (size_t)(o - out), "%s%s", i ? ", " : "", columns[i]);
	return out;
}

/* copy_generic_begin - the bulk insert as "INSERT INTO table (columns) VALUES (?1, ...)". */
static int
copy_generic_begin(struct db *db, const char *table, const char *columns, int ncolumns,
    struct db_copy **out)
{
	size_t len = strlen(table) + strlen(columns) + 48 + 6 * (size_t)ncolumns;
	struct db_copy *c = calloc(1, sizeof(*c));
	char *sql = malloc(len);
	int i, o, rc = -1;

	if (c != NULL && sql != NULL) {
		o = snprintf(sql, len, "INSERT INTO %s (%s) VALUES (", table, columns);
		for (i = 1; i <= ncolumns; i++)
			o += snprintf(sql + o, len - (size_t)o, "%s?%d", i > 1 ? ", " : "", i);
		snprintf(sql + o, len - (size_t)o, ")");
		rc = db_prepare(db, sql, &c->stmt);
	}
	free(sql);
	if (rc != 0) {
		free(c);
		return -1;
	}
	c->db = db;
	*out = c;
	return 0;
}

int
db_copy_begin(struct db *db, const char *table, const char *const *columns, int ncolumns,
    struct db_copy **out)
{
	char *list = column_list(columns, ncolumns);
	int rc;

	*out = NULL;
	if (list == NULL)
		return -1;
	if (db->ops->copy_begin != NULL)
		rc = db->ops->copy_begin(db, table, list, ncolumns, out);
	else
		rc = copy_generic_begin(db, table, list, ncolumns, out);
	free(list);
	if (rc == 0) {
		(*out)->ncolumns = ncolumns;
		(*out)->col = 0;
	}
	return rc;
}

void
db_copy_int64(struct db_copy *c, int64_t v)
{
	if (c->db->ops->copy_int64 != NULL)
		c->db->ops->copy_int64(c, v);
	else
		db_bind_int64(c->stmt, ++c->col, v);
}

void
db_copy_text(struct db_copy *c, const char *v)
{
	if (c->db->ops->copy_text != NULL)
		c->db->ops->copy_text(c, v);
	else
		db_bind_text(c->stmt, ++c->col, v);
}

int
db_copy_row(struct db_copy *c)
{
	enum db_step rc;

	if (c->failed)
		return -1;
	if (c->db->ops->copy_row != NULL)
		return c->db->ops->copy_row(c);
	rc = db_step(c->stmt);
	db_reset(c->stmt);
	c->col = 0;
	if (rc != DB_DONE)
		c->failed = true;
	return rc == DB_DONE ? 0 : -1;
}

int
db_copy_end(struct db_copy *c)
{
	int rc;

	if (c->db->ops->copy_end != NULL)
		return c->db->ops->copy_end(c);
	rc = c->failed ? -1 : 0;
	db_finalize(c->stmt);
	free(c);
	return rc;
}
