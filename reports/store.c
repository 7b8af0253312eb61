/*
 * store.c - the SQLite report store; see store.h and doc/report-store.md.
 * Every SQL text of authmilter-reports is in this file: the schema, and
 * one table of statements, each prepared once on first use.  Keywords
 * (results, policies, ...) are stored as their report words, so that the
 * database reads well with the sqlite3 shell.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store.h"
#include "strmap.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define STORE_BUSY_MS 60000		/* wait for another writer */
#define STORE_CACHE_MAX 100000		/* entries of one interning cache before it is emptied */
/*
 * SQLite's page cache: import adds each batch's messages at one place per
 * policy domain of the clustered message table; a cache that holds those
 * pages keeps a batch from spilling to the WAL while it is being built.
 */
#define STORE_CACHE_PRAGMA "PRAGMA cache_size = -32768"	/* KiB */

/* The schema, version 1 (doc/report-store.md). */
static const char *const schema_v1[] = {
	"CREATE TABLE schema_version (version INTEGER NOT NULL)",
	"CREATE TABLE pdom (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)",
	"CREATE TABLE policy (id INTEGER PRIMARY KEY, ident TEXT NOT NULL UNIQUE,"
	" pdom_id INTEGER NOT NULL REFERENCES pdom(id), discovery TEXT NOT NULL,"
	" p TEXT NOT NULL, sp TEXT, np TEXT, adkim TEXT NOT NULL, aspf TEXT NOT NULL,"
	" fo TEXT NOT NULL, testing INTEGER NOT NULL, psd TEXT NOT NULL, pct INTEGER)",
	"CREATE TABLE policy_rua (policy_id INTEGER NOT NULL REFERENCES policy(id),"
	" seq INTEGER NOT NULL, uri TEXT NOT NULL, size_limit INTEGER,"
	" PRIMARY KEY (policy_id, seq))",
	"CREATE TABLE auth (id INTEGER PRIMARY KEY, ident TEXT NOT NULL UNIQUE)",
	"CREATE TABLE auth_dkim (auth_id INTEGER NOT NULL REFERENCES auth(id),"
	" seq INTEGER NOT NULL, domain TEXT NOT NULL, selector TEXT NOT NULL,"
	" result TEXT NOT NULL, human_result TEXT, PRIMARY KEY (auth_id, seq))",
	"CREATE TABLE auth_spf (auth_id INTEGER NOT NULL REFERENCES auth(id),"
	" seq INTEGER NOT NULL, domain TEXT NOT NULL, scope TEXT NOT NULL,"
	" result TEXT NOT NULL, human_result TEXT, PRIMARY KEY (auth_id, seq))",
	/* Clustered by policy domain and day: a period's messages are read in one sweep. */
	"CREATE TABLE message (pdom_id INTEGER NOT NULL REFERENCES pdom(id),"
	" day INTEGER NOT NULL, time INTEGER NOT NULL, id INTEGER NOT NULL,"
	" policy_id INTEGER NOT NULL REFERENCES policy(id),"
	" auth_id INTEGER NOT NULL REFERENCES auth(id), source_ip TEXT NOT NULL,"
	" header_from TEXT NOT NULL, envelope_from TEXT, envelope_to TEXT,"
	" result TEXT NOT NULL, disposition TEXT NOT NULL, evaluated_policy TEXT,"
	" dkim_aligned INTEGER NOT NULL, spf_aligned INTEGER NOT NULL,"
	" overrides TEXT NOT NULL, PRIMARY KEY (pdom_id, day, time, id)) WITHOUT ROWID",
	"CREATE TABLE counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
	"INSERT INTO counter (name, value) VALUES ('message', 0)",
	"CREATE TABLE period (pdom_id INTEGER NOT NULL REFERENCES pdom(id), day INTEGER NOT NULL,"
	" messages INTEGER NOT NULL, last_time INTEGER NOT NULL, reported_upto INTEGER NOT NULL,"
	" PRIMARY KEY (pdom_id, day)) WITHOUT ROWID",
	"CREATE TABLE import_file (id INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL UNIQUE,"
	" path TEXT NOT NULL, bytes_done INTEGER NOT NULL, lines_done INTEGER NOT NULL,"
	" first_import INTEGER NOT NULL, last_import INTEGER NOT NULL)",
	"CREATE TABLE report (id INTEGER PRIMARY KEY, pdom_id INTEGER NOT NULL REFERENCES pdom(id),"
	" period_begin INTEGER NOT NULL, period_end INTEGER NOT NULL, report_id TEXT NOT NULL,"
	" file TEXT, messages INTEGER NOT NULL, nrows INTEGER NOT NULL, created INTEGER NOT NULL,"
	" UNIQUE (pdom_id, period_begin))",
	"INSERT INTO schema_version (version) VALUES (1)",
};

/* Version 2: the ARC detail of a trusted_forwarder override, per message. */
static const char *const schema_v2[] = {
	"ALTER TABLE message ADD COLUMN forwarder TEXT",
	"INSERT INTO schema_version (version) VALUES (2)",
};

/* The statements, prepared on first use. */
enum stmt {
	S_BEGIN, S_COMMIT, S_ROLLBACK,
	S_FILE_FIND, S_FILE_SAVE,
	S_PDOM_FIND, S_PDOM_ADD,
	S_POLICY_FIND, S_POLICY_ADD, S_RUA_ADD,
	S_AUTH_FIND, S_AUTH_ADD, S_DKIM_ADD, S_SPF_ADD,
	S_MESSAGE_ADD, S_COUNTER_GET, S_COUNTER_SET, S_PERIOD_ADD, S_PERIOD_REPORTED,
	S_DAYS, S_REPORTED_UPTO, S_LAST_POLICY, S_NCONFIGS, S_POLICY_GET, S_RUA_GET,
	S_MESSAGES, S_DKIM_GET, S_SPF_GET, S_REPORT_ADD,
	S_EXP_MESSAGES, S_EXP_PERIODS, S_EXP_REPORTS, S_EXP_FILES, S_EXP_RUA, S_EXP_POLICIES,
	S_EXP_DKIM, S_EXP_SPF, S_EXP_AUTH, S_EXP_PDOM,
	S_COUNT
};

static const char *const sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_FILE_FIND] = "SELECT path, bytes_done, lines_done, first_import, last_import"
	    " FROM import_file WHERE fingerprint = ?1",
	[S_FILE_SAVE] = "INSERT INTO import_file (fingerprint, path, bytes_done, lines_done,"
	    " first_import, last_import) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	    " ON CONFLICT (fingerprint) DO UPDATE SET path = ?2, bytes_done = ?3,"
	    " lines_done = ?4, last_import = ?6",
	[S_PDOM_FIND] = "SELECT id FROM pdom WHERE name = ?1",
	[S_PDOM_ADD] = "INSERT INTO pdom (name) VALUES (?1)",
	[S_POLICY_FIND] = "SELECT id FROM policy WHERE ident = ?1",
	[S_POLICY_ADD] = "INSERT INTO policy (ident, pdom_id, discovery, p, sp, np, adkim, aspf,"
	    " fo, testing, psd, pct) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
	[S_RUA_ADD] = "INSERT INTO policy_rua (policy_id, seq, uri, size_limit)"
	    " VALUES (?1, ?2, ?3, ?4)",
	[S_AUTH_FIND] = "SELECT id FROM auth WHERE ident = ?1",
	[S_AUTH_ADD] = "INSERT INTO auth (ident) VALUES (?1)",
	[S_DKIM_ADD] = "INSERT INTO auth_dkim (auth_id, seq, domain, selector, result,"
	    " human_result) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_SPF_ADD] = "INSERT INTO auth_spf (auth_id, seq, domain, scope, result,"
	    " human_result) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[S_MESSAGE_ADD] = "INSERT INTO message (time, day, pdom_id, policy_id, auth_id,"
	    " source_ip, header_from, envelope_from, envelope_to, result, disposition,"
	    " evaluated_policy, dkim_aligned, spf_aligned, overrides, id, forwarder)"
	    " SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17"
	    " WHERE NOT EXISTS (SELECT 1 FROM report WHERE pdom_id = ?3"
	    " AND period_begin <= ?1 AND period_end >= ?1)",
	[S_COUNTER_GET] = "SELECT value FROM counter WHERE name = 'message'",
	[S_COUNTER_SET] = "UPDATE counter SET value = ?1 WHERE name = 'message'",
	[S_PERIOD_ADD] = "INSERT INTO period (pdom_id, day, messages, last_time, reported_upto)"
	    " VALUES (?1, ?2, ?3, ?4, -1) ON CONFLICT (pdom_id, day) DO UPDATE SET"
	    " messages = messages + ?3, last_time = MAX(last_time, ?4)",
	[S_PERIOD_REPORTED] = "UPDATE period SET reported_upto = MAX(reported_upto, ?3)"
	    " WHERE pdom_id = ?1 AND day = ?2",
	[S_DAYS] = "SELECT p.pdom_id, d.name, p.day, p.last_time, p.reported_upto FROM period p"
	    " JOIN pdom d ON d.id = p.pdom_id WHERE p.day <= ?1 AND p.last_time > p.reported_upto"
	    " ORDER BY p.day, d.name",
	[S_REPORTED_UPTO] = "SELECT MAX(period_end) FROM report WHERE pdom_id = ?1"
	    " AND period_begin >= ?2 AND period_end <= ?3",
	[S_LAST_POLICY] = "SELECT policy_id FROM message WHERE pdom_id = ?1 AND day = ?2"
	    " AND time BETWEEN ?3 AND ?4 ORDER BY pdom_id DESC, day DESC, time DESC, id DESC"
	    " LIMIT 1",
	[S_NCONFIGS] = "SELECT COUNT(DISTINCT policy_id) FROM message WHERE pdom_id = ?1"
	    " AND day = ?2 AND time BETWEEN ?3 AND ?4",
	[S_POLICY_GET] = "SELECT d.name, p.discovery, p.p, p.sp, p.np, p.adkim, p.aspf, p.fo,"
	    " p.testing, p.psd, p.pct FROM policy p JOIN pdom d ON d.id = p.pdom_id"
	    " WHERE p.id = ?1",
	[S_RUA_GET] = "SELECT uri, size_limit FROM policy_rua WHERE policy_id = ?1 ORDER BY seq",
	[S_MESSAGES] = "SELECT time, source_ip, header_from, envelope_from, envelope_to, result,"
	    " disposition, evaluated_policy, dkim_aligned, spf_aligned, overrides, auth_id,"
	    " policy_id, forwarder FROM message WHERE pdom_id = ?1 AND day = ?2"
	    " AND time BETWEEN ?3 AND ?4",
	[S_DKIM_GET] = "SELECT domain, selector, result, human_result FROM auth_dkim"
	    " WHERE auth_id = ?1 ORDER BY seq",
	[S_SPF_GET] = "SELECT domain, scope, result, human_result FROM auth_spf"
	    " WHERE auth_id = ?1 ORDER BY seq",
	[S_REPORT_ADD] = "INSERT INTO report (pdom_id, period_begin, period_end, report_id, file,"
	    " messages, nrows, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[S_EXP_MESSAGES] = "DELETE FROM message WHERE (pdom_id, day) IN"
	    " (SELECT pdom_id, day FROM period WHERE day < ?1)",
	[S_EXP_PERIODS] = "DELETE FROM period WHERE day < ?1",
	[S_EXP_REPORTS] = "DELETE FROM report WHERE period_end < ?1",
	[S_EXP_FILES] = "DELETE FROM import_file WHERE last_import < ?1",
	[S_EXP_RUA] = "DELETE FROM policy_rua WHERE policy_id NOT IN"
	    " (SELECT policy_id FROM message)",
	[S_EXP_POLICIES] = "DELETE FROM policy WHERE id NOT IN (SELECT policy_id FROM message)",
	[S_EXP_DKIM] = "DELETE FROM auth_dkim WHERE auth_id NOT IN (SELECT auth_id FROM message)",
	[S_EXP_SPF] = "DELETE FROM auth_spf WHERE auth_id NOT IN (SELECT auth_id FROM message)",
	[S_EXP_AUTH] = "DELETE FROM auth WHERE id NOT IN (SELECT auth_id FROM message)",
	[S_EXP_PDOM] = "DELETE FROM pdom WHERE id NOT IN (SELECT pdom_id FROM period)"
	    " AND id NOT IN (SELECT pdom_id FROM report) AND id NOT IN (SELECT pdom_id FROM policy)",
};

/* Messages added to one (policy domain, day) in the open transaction. */
struct period_add {
	int64_t pdom_id, day, messages, last_time;
};

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[S_COUNT];
	bool memory;			/* the in-memory store of a dry run */
	bool in_txn;
	struct strmap pdoms, policies, auths;	/* interning caches: key -> id */
	struct strmap periods;		/* "pdom_id/day" -> struct period_add, flushed at commit */
	int64_t next_id;		/* the next message id, -1 when not read yet */
	struct str key;			/* scratch key */
	char err[STORE_ERR_MAX];
};

/* fail - set the error text from a format and return STORE_ERROR. */
static enum store_status __attribute__((format(printf, 2, 3)))
fail(struct store *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
	return STORE_ERROR;
}

/* db_fail - the database's own error for what was being done. */
static enum store_status
db_fail(struct store *st, const char *what)
{
	return fail(st, "%s: %s", what, sqlite3_errmsg(st->db));
}

/* prep - statement s, reset, bindings cleared. */
static sqlite3_stmt *
prep(struct store *st, enum stmt s)
{
	if (st->stmt[s] == NULL) {
		if (sqlite3_prepare_v2(st->db, sql[s], -1, &st->stmt[s], NULL) != SQLITE_OK) {
			db_fail(st, "prepare");
			st->stmt[s] = NULL;
			return NULL;
		}
	}
	sqlite3_reset(st->stmt[s]);
	sqlite3_clear_bindings(st->stmt[s]);
	return st->stmt[s];
}

/* bind_text - bind a C string, NULL as SQL NULL. */
static int
bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

/* col_text - a text column, "" for NULL. */
static const char *
col_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t != NULL ? (const char *)t : "";
}

/* run - step a statement that returns no rows (DONE expected). */
static enum store_status
run(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? STORE_OK : db_fail(st, what);
}

/* exec_simple - one statement without parameters or rows (setup only). */
static enum store_status
exec_simple(struct store *st, const char *text)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, text, NULL, NULL, &msg) != SQLITE_OK) {
		fail(st, "%s: %s", text, msg != NULL ? msg : "failed");
		sqlite3_free(msg);
		return STORE_ERROR;
	}
	return STORE_OK;
}

/* clear_periods - forget the pending period counts. */
static void
clear_periods(struct store *st)
{
	size_t i;

	for (i = 0; i < st->periods.cap; i++)
		free(st->periods.slot[i].ptr);
	strmap_free(&st->periods);
}

/* clear_caches - forget interned ids and pending counts (after a rollback or an expire). */
static void
clear_caches(struct store *st)
{
	strmap_free(&st->pdoms);
	strmap_free(&st->policies);
	strmap_free(&st->auths);
	clear_periods(st);
	st->next_id = -1;
}

/* schema_version - the version in the file: 0 when it has no tables at all. */
static enum store_status
schema_version(struct store *st, int *version)
{
	sqlite3_stmt *s;
	int rc;

	*version = 0;
	if (sqlite3_prepare_v2(st->db, "SELECT name FROM sqlite_master WHERE name = 'schema_version'",
	    -1, &s, NULL) != SQLITE_OK)
		return db_fail(st, "reading the schema");
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return STORE_OK;
	if (rc != SQLITE_ROW)
		return db_fail(st, "reading the schema");
	if (sqlite3_prepare_v2(st->db, "SELECT MAX(version) FROM schema_version", -1, &s,
	    NULL) != SQLITE_OK)
		return db_fail(st, "reading schema_version");
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW || *version <= 0)
		return fail(st, "schema_version holds no version");
	return STORE_OK;
}

/* run_steps - SQL texts in one transaction. */
static enum store_status
run_steps(struct store *st, const char *const *steps, size_t n)
{
	size_t i;

	if (exec_simple(st, "BEGIN IMMEDIATE") != STORE_OK)
		return STORE_ERROR;
	for (i = 0; i < n; i++) {
		if (exec_simple(st, steps[i]) != STORE_OK) {
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
			return STORE_ERROR;
		}
	}
	return exec_simple(st, "COMMIT");
}

/* create_schema - the tables of version 1, then the changes of version 2. */
static enum store_status
create_schema(struct store *st)
{
	if (run_steps(st, schema_v1, NELEM(schema_v1)) != STORE_OK)
		return STORE_ERROR;
	return run_steps(st, schema_v2, NELEM(schema_v2));
}

/* check_schema - create the schema in a new file, upgrade version 1, refuse newer ones. */
static enum store_status
check_schema(struct store *st, enum store_open_mode mode)
{
	int version;

	if (schema_version(st, &version) != STORE_OK)
		return STORE_ERROR;
	if (version == 0)
		return create_schema(st);
	if (version == 1 && mode == STORE_OPEN_DRY) {
		fail(st, "schema version 1: run once without --dry-run to upgrade it to %d",
		    STORE_SCHEMA_VERSION);
		return STORE_VERSION;
	}
	if (version == 1)
		return run_steps(st, schema_v2, NELEM(schema_v2));	/* upgrade in place */
	if (version > STORE_SCHEMA_VERSION) {
		fail(st, "schema version %d is newer than this program's (%d)", version,
		    STORE_SCHEMA_VERSION);
		return STORE_VERSION;
	}
	return STORE_OK;
}

/* open_db - the connection for the mode: the file, or memory for a dry run without a file. */
static enum store_status
open_db(struct store *st, const char *path, enum store_open_mode mode)
{
	struct stat sb;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	if (mode == STORE_OPEN_DRY && stat(path, &sb) != 0 && errno == ENOENT) {
		st->memory = true;
		path = ":memory:";
	} else if (mode == STORE_OPEN_CREATE) {
		flags |= SQLITE_OPEN_CREATE;
	}
	if (sqlite3_open_v2(path, &st->db, flags, NULL) != SQLITE_OK)
		return fail(st, "%s: %s", path, st->db ? sqlite3_errmsg(st->db) : "cannot open");
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	if (st->memory)
		return STORE_OK;
	if (exec_simple(st, "PRAGMA journal_mode = WAL") != STORE_OK ||
	    exec_simple(st, "PRAGMA synchronous = NORMAL") != STORE_OK ||
	    exec_simple(st, STORE_CACHE_PRAGMA) != STORE_OK)
		return STORE_ERROR;
	return STORE_OK;
}

enum store_status
store_open(const char *path, enum store_open_mode mode, struct store **out, char *err,
    size_t errsize)
{
	struct store *st = calloc(1, sizeof(*st));
	enum store_status rc;

	*out = NULL;
	if (st == NULL) {
		snprintf(err, errsize, "out of memory");
		return STORE_NOMEM;
	}
	strmap_init(&st->pdoms);
	strmap_init(&st->policies);
	strmap_init(&st->auths);
	strmap_init(&st->periods);
	st->next_id = -1;
	str_init(&st->key, REPORT_KEY_MAX);
	if ((rc = open_db(st, path, mode)) == STORE_OK)
		rc = check_schema(st, mode);
	if (rc != STORE_OK) {
		snprintf(err, errsize, "%s: %s", path, st->err);
		store_close(st);
		return rc;
	}
	*out = st;
	return STORE_OK;
}

void
store_close(struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	if (st->in_txn)
		store_rollback(st);
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_close(st->db);
	clear_caches(st);
	str_free(&st->key);
	free(st);
}

const char *
store_error(const struct store *st)
{
	return st->err;
}

bool
store_is_memory(const struct store *st)
{
	return st->memory;
}

/* txn - run BEGIN, COMMIT or ROLLBACK. */
static enum store_status
txn(struct store *st, enum stmt which, const char *what)
{
	sqlite3_stmt *s = prep(st, which);

	if (s == NULL)
		return STORE_ERROR;
	return run(st, s, what);
}

enum store_status
store_begin(struct store *st)
{
	enum store_status rc = txn(st, S_BEGIN, "begin");

	st->in_txn = rc == STORE_OK;
	return rc;
}

/* flush_periods - the pending period counts into the period table. */
static enum store_status
flush_periods(struct store *st)
{
	sqlite3_stmt *s;
	size_t i;

	for (i = 0; i < st->periods.cap; i++) {
		const struct period_add *p = st->periods.slot[i].ptr;

		if (st->periods.slot[i].key == NULL || p == NULL)
			continue;
		if ((s = prep(st, S_PERIOD_ADD)) == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 1, p->pdom_id);
		sqlite3_bind_int64(s, 2, p->day);
		sqlite3_bind_int64(s, 3, p->messages);
		sqlite3_bind_int64(s, 4, p->last_time);
		if (run(st, s, "counting a period") != STORE_OK)
			return STORE_ERROR;
	}
	clear_periods(st);
	return STORE_OK;
}

/* save_counter - the next message id, when messages were added. */
static enum store_status
save_counter(struct store *st)
{
	sqlite3_stmt *s;

	if (st->next_id < 0)
		return STORE_OK;
	if ((s = prep(st, S_COUNTER_SET)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, st->next_id);
	return run(st, s, "saving the message counter");
}

enum store_status
store_commit(struct store *st)
{
	enum store_status rc;

	if ((rc = flush_periods(st)) != STORE_OK || (rc = save_counter(st)) != STORE_OK)
		return rc;
	if ((rc = txn(st, S_COMMIT, "commit")) == STORE_OK)
		st->in_txn = false;
	return rc;
}

enum store_status
store_rollback(struct store *st)
{
	enum store_status rc = txn(st, S_ROLLBACK, "rollback");

	st->in_txn = false;
	clear_caches(st);
	return rc;
}

/* ---------------------------------------------------------------- import */

enum store_status
store_file_find(struct store *st, struct store_file *f)
{
	sqlite3_stmt *s = prep(st, S_FILE_FIND);
	int rc;

	f->path = NULL;
	if (s == NULL)
		return STORE_ERROR;
	bind_text(s, 1, f->fingerprint);
	if ((rc = sqlite3_step(s)) == SQLITE_DONE) {
		sqlite3_reset(s);
		return STORE_NOTFOUND;
	}
	if (rc != SQLITE_ROW)
		return db_fail(st, "reading import_file");
	f->path = strdup(col_text(s, 0));
	f->offset = sqlite3_column_int64(s, 1);
	f->lines = sqlite3_column_int64(s, 2);
	f->first_import = sqlite3_column_int64(s, 3);
	f->last_import = sqlite3_column_int64(s, 4);
	sqlite3_reset(s);
	return f->path != NULL ? STORE_OK : STORE_NOMEM;
}

enum store_status
store_file_save(struct store *st, const struct store_file *f, const char *path)
{
	sqlite3_stmt *s = prep(st, S_FILE_SAVE);

	if (s == NULL)
		return STORE_ERROR;
	bind_text(s, 1, f->fingerprint);
	bind_text(s, 2, path);
	sqlite3_bind_int64(s, 3, f->offset);
	sqlite3_bind_int64(s, 4, f->lines);
	sqlite3_bind_int64(s, 5, f->first_import);
	sqlite3_bind_int64(s, 6, f->last_import);
	return run(st, s, "saving import_file");
}

/* single_int - the one integer a statement returns; STORE_NOTFOUND without a row. */
static enum store_status
single_int(struct store *st, sqlite3_stmt *s, int64_t *v)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return STORE_OK;
	return rc == SQLITE_DONE ? STORE_NOTFOUND : db_fail(st, "query");
}

/* find_id - the id a FIND statement returns for key, or STORE_NOTFOUND. */
static enum store_status
find_id(struct store *st, enum stmt which, const char *key, int64_t *id)
{
	sqlite3_stmt *s = prep(st, which);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	bind_text(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return STORE_OK;
	return rc == SQLITE_DONE ? STORE_NOTFOUND : db_fail(st, "lookup");
}

/* cache_get - a cached id for key; false when not cached. */
static bool
cache_get(struct strmap *m, const char *key, size_t len, int64_t *id)
{
	struct strmap_entry *e = strmap_get(m, key, len);

	if (e == NULL)
		return false;
	*id = e->num;
	return true;
}

/* cache_put - remember key -> id (emptying a full cache first). */
static enum store_status
cache_put(struct strmap *m, const char *key, size_t len, int64_t id)
{
	struct strmap_entry *e;
	int created;

	if (m->n >= STORE_CACHE_MAX)
		strmap_free(m);
	if (strmap_put(m, key, len, &e, &created) != STRMAP_OK)
		return STORE_NOMEM;
	e->num = id;
	return STORE_OK;
}

/* intern_pdom - the id of policy domain name. */
static enum store_status
intern_pdom(struct store *st, const char *name, int64_t *id)
{
	enum store_status rc;
	sqlite3_stmt *s;

	if (cache_get(&st->pdoms, name, strlen(name), id))
		return STORE_OK;
	if ((rc = find_id(st, S_PDOM_FIND, name, id)) == STORE_NOTFOUND) {
		if ((s = prep(st, S_PDOM_ADD)) == NULL)
			return STORE_ERROR;
		bind_text(s, 1, name);
		if ((rc = run(st, s, "adding a policy domain")) == STORE_OK)
			*id = sqlite3_last_insert_rowid(st->db);
	}
	if (rc != STORE_OK)
		return rc;
	return cache_put(&st->pdoms, name, strlen(name), *id);
}

/* add_rua - the rua rows of a new policy. */
static enum store_status
add_rua(struct store *st, int64_t policy_id, const struct history_record *h)
{
	sqlite3_stmt *s;
	size_t i;

	for (i = 0; i < h->nrua; i++) {
		if ((s = prep(st, S_RUA_ADD)) == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 1, policy_id);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
		bind_text(s, 3, h->rua[i].uri);
		if (h->rua[i].size_limit > 0)
			sqlite3_bind_int64(s, 4, (sqlite3_int64)h->rua[i].size_limit);
		if (run(st, s, "adding a rua") != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}

/* add_policy - insert h's policy configuration (key in st->key); its id. */
static enum store_status
add_policy(struct store *st, const struct history_record *h, int64_t pdom_id, int64_t *id)
{
	sqlite3_stmt *s = prep(st, S_POLICY_ADD);
	char fo[8];

	if (s == NULL)
		return STORE_ERROR;
	report_fo_text(h->fo, fo);
	bind_text(s, 1, str_cstr(&st->key));
	sqlite3_bind_int64(s, 2, pdom_id);
	bind_text(s, 3, report_disc_words[h->discovery]);
	bind_text(s, 4, report_policy_words[h->p]);
	bind_text(s, 5, h->sp != DMARC_POLICY_UNSET ? report_policy_words[h->sp] : NULL);
	bind_text(s, 6, h->np != DMARC_POLICY_UNSET ? report_policy_words[h->np] : NULL);
	bind_text(s, 7, report_align_words[h->adkim]);
	bind_text(s, 8, report_align_words[h->aspf]);
	bind_text(s, 9, fo);
	sqlite3_bind_int(s, 10, h->testing);
	bind_text(s, 11, report_psd_words[h->psd]);
	if (h->pct >= 0)
		sqlite3_bind_int(s, 12, h->pct);
	if (run(st, s, "adding a policy") != STORE_OK)
		return STORE_ERROR;
	*id = sqlite3_last_insert_rowid(st->db);
	return add_rua(st, *id, h);
}

/* intern_policy - the id of h's policy configuration. */
static enum store_status
intern_policy(struct store *st, const struct history_record *h, int64_t pdom_id, int64_t *id)
{
	enum store_status rc;

	if (report_policy_key(h, &st->key) != STR_OK)
		return fail(st, "policy key too long");
	if (cache_get(&st->policies, st->key.s, st->key.len, id))
		return STORE_OK;
	if ((rc = find_id(st, S_POLICY_FIND, str_cstr(&st->key), id)) == STORE_NOTFOUND)
		rc = add_policy(st, h, pdom_id, id);
	if (rc != STORE_OK)
		return rc;
	return cache_put(&st->policies, st->key.s, st->key.len, *id);
}

/* add_results - the auth_dkim and auth_spf rows of a new result set. */
static enum store_status
add_results(struct store *st, int64_t auth_id, const struct history_record *h)
{
	sqlite3_stmt *s;
	size_t i;

	for (i = 0; i < h->ndkim; i++) {
		const struct history_dkim *d = &h->dkim[i];

		if ((s = prep(st, S_DKIM_ADD)) == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 1, auth_id);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
		bind_text(s, 3, d->domain);
		bind_text(s, 4, d->selector);
		bind_text(s, 5, dkim_result_name(d->result));
		bind_text(s, 6, d->human[0] != '\0' ? d->human : NULL);
		if (run(st, s, "adding a DKIM result") != STORE_OK)
			return STORE_ERROR;
	}
	for (i = 0; i < h->nspf; i++) {
		const struct history_spf *p = &h->spf[i];

		if ((s = prep(st, S_SPF_ADD)) == NULL)
			return STORE_ERROR;
		sqlite3_bind_int64(s, 1, auth_id);
		sqlite3_bind_int64(s, 2, (sqlite3_int64)i);
		bind_text(s, 3, p->domain);
		bind_text(s, 4, spf_scope_name(p->scope));
		bind_text(s, 5, spf_result_name(p->result));
		bind_text(s, 6, p->human[0] != '\0' ? p->human : NULL);
		if (run(st, s, "adding an SPF result") != STORE_OK)
			return STORE_ERROR;
	}
	return STORE_OK;
}

/* intern_auth - the id of h's result set. */
static enum store_status
intern_auth(struct store *st, const struct history_record *h, int64_t *id)
{
	enum store_status rc;
	sqlite3_stmt *s;

	if (report_auth_key(h, &st->key) != STR_OK)
		return fail(st, "result set key too long");
	if (cache_get(&st->auths, st->key.s, st->key.len, id))
		return STORE_OK;
	if ((rc = find_id(st, S_AUTH_FIND, str_cstr(&st->key), id)) == STORE_NOTFOUND) {
		if ((s = prep(st, S_AUTH_ADD)) == NULL)
			return STORE_ERROR;
		bind_text(s, 1, str_cstr(&st->key));
		if ((rc = run(st, s, "adding a result set")) == STORE_OK) {
			*id = sqlite3_last_insert_rowid(st->db);
			rc = add_results(st, *id, h);
		}
	}
	if (rc != STORE_OK)
		return rc;
	return cache_put(&st->auths, st->key.s, st->key.len, *id);
}

/* next_message_id - a new message id (the counter is read once per transaction). */
static enum store_status
next_message_id(struct store *st, int64_t *id)
{
	sqlite3_stmt *s;
	enum store_status rc;

	if (st->next_id < 0) {
		if ((s = prep(st, S_COUNTER_GET)) == NULL)
			return STORE_ERROR;
		if ((rc = single_int(st, s, &st->next_id)) != STORE_OK) {
			st->next_id = -1;
			return rc == STORE_NOTFOUND ? fail(st, "the message counter is missing") : rc;
		}
	}
	*id = st->next_id++;
	return STORE_OK;
}

/* count_period - one more message of (pdom_id, m's day), flushed at commit. */
static enum store_status
count_period(struct store *st, int64_t pdom_id, const struct report_msg *m)
{
	int64_t day = report_day_begin(m->time);
	struct strmap_entry *e;
	struct period_add *p;
	char key[48];
	int n, created;

	n = snprintf(key, sizeof(key), "%lld/%lld", (long long)pdom_id, (long long)day);
	if (strmap_put(&st->periods, key, (size_t)n, &e, &created) != STRMAP_OK)
		return STORE_NOMEM;
	if (created && (e->ptr = calloc(1, sizeof(*p))) == NULL)
		return STORE_NOMEM;
	p = e->ptr;
	p->pdom_id = pdom_id;
	p->day = day;
	p->messages++;
	if (m->time > p->last_time)
		p->last_time = m->time;
	return STORE_OK;
}

/* bind_message - the parameters of S_MESSAGE_ADD from m (overrides text in st->key). */
static void
bind_message(struct store *st, sqlite3_stmt *s, const struct report_msg *m, int64_t pdom_id)
{
	sqlite3_bind_int64(s, 1, m->time);
	sqlite3_bind_int64(s, 2, report_day_begin(m->time));
	sqlite3_bind_int64(s, 3, pdom_id);
	sqlite3_bind_int64(s, 4, m->policy_id);
	sqlite3_bind_int64(s, 5, m->auth_id);
	bind_text(s, 6, m->source_ip);
	bind_text(s, 7, m->header_from);
	bind_text(s, 8, m->envelope_from);
	bind_text(s, 9, m->envelope_to);
	bind_text(s, 10, dmarc_result_name(m->result));
	bind_text(s, 11, disposition_name(m->disposition));
	bind_text(s, 12, m->policy != DMARC_POLICY_UNSET ? report_policy_words[m->policy] : NULL);
	sqlite3_bind_int(s, 13, m->dkim_aligned);
	sqlite3_bind_int(s, 14, m->spf_aligned);
	bind_text(s, 15, str_cstr(&st->key));
	bind_text(s, 17, m->forwarder[0] != '\0' ? m->forwarder : NULL);
}

enum store_status
store_message_add(struct store *st, const struct history_record *h, enum store_add *res)
{
	struct report_msg m;
	sqlite3_stmt *s;
	int64_t pdom_id = 0, id = 0;
	enum store_status rc;

	if (!h->policy_found)
		return fail(st, "a message without a policy domain");
	report_msg_from_history(h, &m);
	if ((rc = intern_pdom(st, h->policy_domain, &pdom_id)) != STORE_OK ||
	    (rc = intern_policy(st, h, pdom_id, &m.policy_id)) != STORE_OK ||
	    (rc = intern_auth(st, h, &m.auth_id)) != STORE_OK ||
	    (rc = next_message_id(st, &id)) != STORE_OK)
		return rc;
	if (report_overrides_text(m.overrides, &st->key) != STR_OK)
		return STORE_NOMEM;
	if ((s = prep(st, S_MESSAGE_ADD)) == NULL)
		return STORE_ERROR;
	bind_message(st, s, &m, pdom_id);
	sqlite3_bind_int64(s, 16, id);
	if ((rc = run(st, s, "adding a message")) != STORE_OK)
		return rc;
	*res = sqlite3_changes(st->db) == 1 ? STORE_ADDED : STORE_LATE;
	return *res == STORE_ADDED ? count_period(st, pdom_id, &m) : STORE_OK;
}

/* ---------------------------------------------------------------- aggregate */

/* day_list_add - append one day to a growing array. */
static enum store_status
day_list_add(struct store_day **days, size_t *n, size_t *cap, const struct store_day *d)
{
	struct store_day *v;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		if ((v = realloc(*days, *cap * sizeof(*v))) == NULL)
			return STORE_NOMEM;
		*days = v;
	}
	(*days)[(*n)++] = *d;
	return STORE_OK;
}

enum store_status
store_days(struct store *st, int64_t last_day, struct store_day **days, size_t *ndays)
{
	sqlite3_stmt *s = prep(st, S_DAYS);
	enum store_status rc = STORE_OK;
	struct store_day d;
	size_t cap = 0;
	int step;

	*days = NULL;
	*ndays = 0;
	if (s == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, last_day);
	while (rc == STORE_OK && (step = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&d, 0, sizeof(d));
		d.pdom_id = sqlite3_column_int64(s, 0);
		snprintf(d.domain, sizeof(d.domain), "%s", col_text(s, 1));
		d.day = sqlite3_column_int64(s, 2);
		d.last_time = sqlite3_column_int64(s, 3);
		d.reported_upto = sqlite3_column_int64(s, 4);
		rc = day_list_add(days, ndays, &cap, &d);
	}
	if (rc == STORE_OK && step != SQLITE_DONE)
		rc = db_fail(st, "listing days");
	sqlite3_reset(s);
	if (rc != STORE_OK) {
		free(*days);
		*days = NULL;
		*ndays = 0;
	}
	return rc;
}

enum store_status
store_reported_upto(struct store *st, int64_t pdom_id, int64_t begin, int64_t end, int64_t *upto)
{
	sqlite3_stmt *s = prep(st, S_REPORTED_UPTO);
	int rc;

	*upto = -1;
	if (s == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, pdom_id);
	sqlite3_bind_int64(s, 2, begin);
	sqlite3_bind_int64(s, 3, end);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL)
		*upto = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? STORE_OK : db_fail(st, "reading reports");
}

/* bind_period - ?1 pdom, ?2 day, ?3 begin, ?4 end. */
static void
bind_period(sqlite3_stmt *s, int64_t pdom_id, int64_t begin, int64_t end)
{
	sqlite3_bind_int64(s, 1, pdom_id);
	sqlite3_bind_int64(s, 2, report_day_begin(begin));
	sqlite3_bind_int64(s, 3, begin);
	sqlite3_bind_int64(s, 4, end);
}

/* word_col - column i as an index of tab; allow_null maps NULL to 0. */
static bool
word_col(sqlite3_stmt *s, int i, const char *const *tab, size_t n, bool allow_null, int *out)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL) {
		*out = 0;
		return allow_null;
	}
	return (*out = report_word_find(tab, n, col_text(s, i))) >= 0;
}

/* policy_row - fill pol from an S_POLICY_GET row. */
static bool
policy_row(sqlite3_stmt *s, struct report_policy *pol)
{
	int disc, p, sp, np, adkim, aspf, psd;

	snprintf(pol->domain, sizeof(pol->domain), "%s", col_text(s, 0));
	if (!word_col(s, 1, report_disc_words, 2, false, &disc) ||
	    !word_col(s, 2, report_policy_words, 4, false, &p) || p == 0 ||
	    !word_col(s, 3, report_policy_words, 4, true, &sp) ||
	    !word_col(s, 4, report_policy_words, 4, true, &np) ||
	    !word_col(s, 5, report_align_words, 2, false, &adkim) ||
	    !word_col(s, 6, report_align_words, 2, false, &aspf) ||
	    !report_fo_parse(col_text(s, 7), &pol->fo) ||
	    !word_col(s, 9, report_psd_words, 3, false, &psd))
		return false;
	pol->discovery = (enum org_mode)disc;
	pol->p = (enum dmarc_policy)p;
	pol->sp = (enum dmarc_policy)sp;
	pol->np = (enum dmarc_policy)np;
	pol->adkim = (enum dmarc_align)adkim;
	pol->aspf = (enum dmarc_align)aspf;
	pol->testing = sqlite3_column_int(s, 8) != 0;
	pol->psd = (enum dmarc_psd)psd;
	pol->pct = sqlite3_column_type(s, 10) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 10);
	return true;
}

/* policy_rua - the rua list of policy id into pol. */
static enum store_status
policy_rua(struct store *st, int64_t id, struct report_policy *pol)
{
	sqlite3_stmt *s = prep(st, S_RUA_GET);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && pol->nrua < HISTORY_MAX_URI) {
		struct history_uri *u = &pol->rua[pol->nrua];

		if ((u->uri = strdup(col_text(s, 0))) == NULL) {
			sqlite3_reset(s);
			return STORE_NOMEM;
		}
		u->size_limit = (uint64_t)sqlite3_column_int64(s, 1);
		pol->nrua++;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? STORE_OK : db_fail(st, "reading rua");
}

/* policy_get - policy id into pol. */
static enum store_status
policy_get(struct store *st, int64_t id, struct report_policy *pol)
{
	sqlite3_stmt *s = prep(st, S_POLICY_GET);
	bool ok;
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, id);
	if ((rc = sqlite3_step(s)) != SQLITE_ROW) {
		sqlite3_reset(s);
		return rc == SQLITE_DONE ? fail(st, "policy %lld is missing", (long long)id) :
		    db_fail(st, "reading a policy");
	}
	ok = policy_row(s, pol);
	sqlite3_reset(s);
	if (!ok) {
		fail(st, "policy %lld: a value this program cannot read", (long long)id);
		return STORE_BADDATA;
	}
	return policy_rua(st, id, pol);
}

enum store_status
store_last_policy(struct store *st, int64_t pdom_id, int64_t begin, int64_t end,
    struct report_policy *pol, unsigned *nconfigs)
{
	enum store_status rc;
	sqlite3_stmt *s;
	int64_t id, n = 0;

	report_policy_init(pol);
	if ((s = prep(st, S_LAST_POLICY)) == NULL)
		return STORE_ERROR;
	bind_period(s, pdom_id, begin, end);
	if ((rc = single_int(st, s, &id)) != STORE_OK)
		return rc;
	if ((s = prep(st, S_NCONFIGS)) == NULL)
		return STORE_ERROR;
	bind_period(s, pdom_id, begin, end);
	if ((rc = single_int(st, s, &n)) != STORE_OK)
		return rc;
	*nconfigs = (unsigned)n;
	if ((rc = policy_get(st, id, pol)) != STORE_OK)
		report_policy_free(pol);
	return rc;
}

/* message_row - an S_MESSAGES row into m (strings point into the statement). */
static bool
message_row(sqlite3_stmt *s, struct report_msg *m)
{
	int pol;

	memset(m, 0, sizeof(*m));
	m->time = sqlite3_column_int64(s, 0);
	m->source_ip = col_text(s, 1);
	m->header_from = col_text(s, 2);
	m->envelope_from = sqlite3_column_type(s, 3) == SQLITE_NULL ? NULL : col_text(s, 3);
	m->envelope_to = sqlite3_column_type(s, 4) == SQLITE_NULL ? NULL : col_text(s, 4);
	if (!dmarc_result_from_name(col_text(s, 5), &m->result) ||
	    !disposition_from_name(col_text(s, 6), &m->disposition) ||
	    !word_col(s, 7, report_policy_words, 4, true, &pol) ||
	    !report_overrides_parse(col_text(s, 10), &m->overrides))
		return false;
	m->policy = (enum dmarc_policy)pol;
	m->dkim_aligned = sqlite3_column_int(s, 8) != 0;
	m->spf_aligned = sqlite3_column_int(s, 9) != 0;
	m->auth_id = sqlite3_column_int64(s, 11);
	m->policy_id = sqlite3_column_int64(s, 12);
	if (sqlite3_column_type(s, 13) != SQLITE_NULL)
		snprintf(m->forwarder, sizeof(m->forwarder), "%s", col_text(s, 13));
	return true;
}

enum store_status
store_messages(struct store *st, int64_t pdom_id, int64_t begin, int64_t end,
    int (*fn)(void *arg, const struct report_msg *m), void *arg)
{
	sqlite3_stmt *s = prep(st, S_MESSAGES);
	enum store_status ret = STORE_OK;
	struct report_msg m;
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	bind_period(s, pdom_id, begin, end);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!message_row(s, &m)) {
			fail(st, "a message row this program cannot read");
			ret = STORE_BADDATA;
			break;
		}
		if (fn(arg, &m) != 0) {
			ret = fail(st, "stopped");
			break;
		}
	}
	if (ret == STORE_OK && rc != SQLITE_DONE)
		ret = db_fail(st, "reading messages");
	sqlite3_reset(s);
	return ret;
}

/* copy_col - a text column into a fixed buffer; false when it does not fit. */
static bool
copy_col(sqlite3_stmt *s, int i, char *buf, size_t size)
{
	const char *t = col_text(s, i);
	size_t n = strlen(t);

	if (n >= size)
		return false;
	memcpy(buf, t, n + 1);
	return true;
}

/* dkim_row - an S_DKIM_GET row. */
static bool
dkim_row(sqlite3_stmt *s, struct history_dkim *d)
{
	return copy_col(s, 0, d->domain, sizeof(d->domain)) &&
	    copy_col(s, 1, d->selector, sizeof(d->selector)) &&
	    dkim_result_from_name(col_text(s, 2), &d->result) &&
	    copy_col(s, 3, d->human, sizeof(d->human));
}

/* spf_row - an S_SPF_GET row. */
static bool
spf_row(sqlite3_stmt *s, struct history_spf *p)
{
	return copy_col(s, 0, p->domain, sizeof(p->domain)) &&
	    spf_scope_from_name(col_text(s, 1), &p->scope) &&
	    spf_result_from_name(col_text(s, 2), &p->result) &&
	    copy_col(s, 3, p->human, sizeof(p->human));
}

/* results_get - the DKIM (dkim true) or SPF rows of auth_id into a. */
static enum store_status
results_get(struct store *st, int64_t auth_id, bool dkim, struct report_auth *a)
{
	sqlite3_stmt *s = prep(st, dkim ? S_DKIM_GET : S_SPF_GET);
	bool ok = true;
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, auth_id);
	while (ok && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (dkim)
			ok = a->ndkim < HISTORY_MAX_DKIM && dkim_row(s, &a->dkim[a->ndkim++]);
		else
			ok = a->nspf < HISTORY_MAX_SPF && spf_row(s, &a->spf[a->nspf++]);
	}
	sqlite3_reset(s);
	if (!ok) {
		fail(st, "result set %lld: a row this program cannot read", (long long)auth_id);
		return STORE_BADDATA;
	}
	return rc == SQLITE_DONE ? STORE_OK : db_fail(st, "reading results");
}

enum store_status
store_auth(struct store *st, int64_t auth_id, struct report_auth *a)
{
	enum store_status rc;

	a->ndkim = a->nspf = 0;
	if ((rc = results_get(st, auth_id, true, a)) != STORE_OK)
		return rc;
	return results_get(st, auth_id, false, a);
}

enum store_status
store_report_add(struct store *st, const struct store_report *r)
{
	sqlite3_stmt *s = prep(st, S_REPORT_ADD);

	if (s == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, r->pdom_id);
	sqlite3_bind_int64(s, 2, r->begin);
	sqlite3_bind_int64(s, 3, r->end);
	bind_text(s, 4, r->report_id);
	bind_text(s, 5, r->file);
	sqlite3_bind_int64(s, 6, r->messages);
	sqlite3_bind_int64(s, 7, r->rows);
	sqlite3_bind_int64(s, 8, r->created);
	if (run(st, s, "recording a report") != STORE_OK || (s = prep(st, S_PERIOD_REPORTED)) == NULL)
		return STORE_ERROR;
	sqlite3_bind_int64(s, 1, r->pdom_id);
	sqlite3_bind_int64(s, 2, report_day_begin(r->begin));
	sqlite3_bind_int64(s, 3, r->end);
	return run(st, s, "recording a report");
}

/* ---------------------------------------------------------------- expire */

/* delete_count - run a DELETE (?1 = cutoff when it has a parameter); rows deleted. */
static enum store_status
delete_count(struct store *st, enum stmt which, int64_t cutoff, int64_t *n)
{
	sqlite3_stmt *s = prep(st, which);
	enum store_status rc;

	if (s == NULL)
		return STORE_ERROR;
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, cutoff);
	if ((rc = run(st, s, "expiring")) == STORE_OK)
		*n += sqlite3_changes(st->db);
	return rc;
}

enum store_status
store_expire(struct store *st, int64_t cutoff_day, struct store_expired *x)
{
	int64_t ignored = 0;
	enum store_status rc;

	memset(x, 0, sizeof(*x));
	clear_caches(st);
	if ((rc = delete_count(st, S_EXP_MESSAGES, cutoff_day, &x->messages)) != STORE_OK ||
	    (rc = delete_count(st, S_EXP_PERIODS, cutoff_day, &ignored)) != STORE_OK ||
	    (rc = delete_count(st, S_EXP_REPORTS, cutoff_day, &x->reports)) != STORE_OK ||
	    (rc = delete_count(st, S_EXP_FILES, cutoff_day, &x->files)) != STORE_OK ||
	    (rc = delete_count(st, S_EXP_RUA, 0, &ignored)) != STORE_OK ||
	    (rc = delete_count(st, S_EXP_POLICIES, 0, &x->policies)) != STORE_OK ||
	    (rc = delete_count(st, S_EXP_DKIM, 0, &ignored)) != STORE_OK ||
	    (rc = delete_count(st, S_EXP_SPF, 0, &ignored)) != STORE_OK ||
	    (rc = delete_count(st, S_EXP_AUTH, 0, &x->results)) != STORE_OK)
		return rc;
	return delete_count(st, S_EXP_PDOM, 0, &x->domains);
}

const char *
store_strerror(enum store_status s)
{
	static const char *const text[] = {
		[STORE_OK] = "ok",
		[STORE_NOTFOUND] = "not found",
		[STORE_ERROR] = "database error",
		[STORE_NOMEM] = "out of memory",
		[STORE_BADDATA] = "unreadable data",
		[STORE_VERSION] = "unknown schema version",
	};

	return (unsigned)s < NELEM(text) ? text[s] : "unknown";
}
