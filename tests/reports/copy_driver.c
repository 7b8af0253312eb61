/*
 * copy_driver.c - the bulk insert of reports/db.h (db_copy_*) against a
 * real database, for tests/reports/pg.sh: rows of hostile text (tab,
 * backslash, a literal \N, newline, CR, bytes that are not UTF-8, control
 * characters, SQL NULL) copied into a scratch table copy_t of TARGET (an
 * SQLite path or a PostgreSQL URI), read back, and compared with what the
 * backend must hold: the bytes as given on SQLite, on PostgreSQL each
 * byte that starts no XML character as U+FFFD (as db_bind_text).  Prints
 * one line per mismatch and "copy: N rows ok" when none.  Exit 0 when all
 * match.  Single-threaded program.
 *
 * usage: copy_driver TARGET
 */
#include <stdio.h>
#include <string.h>

#include "db.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct row {
	const char *in;		/* NULL: SQL NULL */
	const char *pg;		/* what PostgreSQL holds */
};

static const struct row rows[] = {
	{ "tab\there", "tab\there" },
	{ "back\\slash", "back\\slash" },
	{ "\\N", "\\N" },
	{ "\\", "\\" },
	{ "new\nline\r\nend", "new\nline\r\nend" },
	{ "cr\rx", "cr\rx" },
	{ "bad\xff\xfe-utf8", "bad\xEF\xBF\xBD\xEF\xBF\xBD-utf8" },
	{ "ctl\x01x", "ctl\x01x" },	/* control characters are kept (the XML writer drops them) */
	{ "caf\xC3\xA9 \\t \\n", "caf\xC3\xA9 \\t \\n" },
	{ "", "" },
	{ NULL, NULL },
	{ "last\t\\\n", "last\t\\\n" },
};

/* run_sql - one statement, or a message; 0 or -1. */
static int
run_sql(struct db *db, const char *sql)
{
	if (db_exec(db, sql) == 0)
		return 0;
	fprintf(stderr, "copy_driver: %s\n", db_errmsg(db));
	return -1;
}

/* copy_rows - the rows into copy_t (n, a, b: b the same text as a) in one transaction. */
static int
copy_rows(struct db *db)
{
	static const char *const cols[] = { "n", "a", "b" };
	struct db_copy *c;
	size_t i;
	int rc = 0;

	if (db_begin(db) != 0 || db_copy_begin(db, "copy_t", cols, 3, &c) != 0) {
		fprintf(stderr, "copy_driver: %s\n", db_errmsg(db));
		return -1;
	}
	for (i = 0; i < NELEM(rows) && rc == 0; i++) {
		db_copy_int64(c, (int64_t)i);
		db_copy_text(c, rows[i].in);
		db_copy_text(c, rows[i].in);
		rc = db_copy_row(c);
	}
	if (db_copy_end(c) != 0 || rc != 0 || db_commit(db) != 0) {
		fprintf(stderr, "copy_driver: %s\n", db_errmsg(db));
		return -1;
	}
	return 0;
}

/* same - whether a column holds want (NULL: SQL NULL). */
static int
same(struct db_stmt *s, int col, const char *want)
{
	const char *got = db_col_null(s, col) ? NULL : db_col_text(s, col);

	if (got == NULL || want == NULL)
		return got == want;
	return strcmp(got, want) == 0;
}

/* check_rows - read copy_t back; the number of mismatches, -1 on failure. */
static int
check_rows(struct db *db)
{
	struct db_stmt *s;
	int bad = 0, n = 0, pg = db_backend(db) == DB_PG;
	enum db_step rc;

	if (db_prepare(db, "SELECT n, a, b FROM copy_t ORDER BY n", &s) != 0)
		return -1;
	while ((rc = db_step(s)) == DB_ROW) {
		int64_t i = db_col_int64(s, 0);
		const char *want;

		if (i < 0 || (size_t)i >= NELEM(rows) || i != n++) {
			printf("row %lld unexpected\n", (long long)i);
			bad++;
			continue;
		}
		want = pg ? rows[i].pg : rows[i].in;
		if (!same(s, 1, want) || !same(s, 2, want)) {
			printf("row %lld differs\n", (long long)i);
			bad++;
		}
	}
	db_finalize(s);
	if (rc != DB_DONE)
		return -1;
	if ((size_t)n != NELEM(rows))
		bad++, printf("%d rows read, %zu written\n", n, NELEM(rows));
	return bad;
}

int
main(int argc, char **argv)
{
	struct db *db;
	char err[512];
	int bad;

	if (argc != 2) {
		fprintf(stderr, "usage: copy_driver TARGET\n");
		return 2;
	}
	if (db_open(argv[1], DB_MODE_CREATE, &db, err, sizeof(err)) != 0) {
		fprintf(stderr, "copy_driver: %s\n", err);
		return 2;
	}
	if (run_sql(db, "DROP TABLE IF EXISTS copy_t") != 0 ||
	    run_sql(db, "CREATE TABLE copy_t (n BIGINT NOT NULL, a TEXT, b TEXT)") != 0 ||
	    copy_rows(db) != 0 || (bad = check_rows(db)) < 0) {
		db_close(db);
		return 2;
	}
	db_close(db);
	if (bad == 0)
		printf("copy: %zu rows ok\n", NELEM(rows));
	return bad == 0 ? 0 : 1;
}
