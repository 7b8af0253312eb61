/*
 * db.c - the driver layer's dispatch (see db.h): chooses the driver by the
 * form of ReportDatabase and forwards each call through the driver's
 * table.  No SQL here.
 */
#include <stdio.h>
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
