/*
 * rowbuf.h - rows of values (64-bit integers and text, NULL text for SQL
 * NULL) kept in memory and written in bulk through db.h's bulk insert
 * (db_copy_*).  The report store (store.c) buffers the message rows of a
 * transaction here and writes them before commit.  No SQL: table and
 * column names come from the caller.  Single-threaded, one buffer per
 * user.
 */
#ifndef AUTHMILTER_REPORTS_ROWBUF_H
#define AUTHMILTER_REPORTS_ROWBUF_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

struct rowbuf_val {
	int64_t num;
	size_t text;			/* offset in text; ROWBUF_INT: an integer; ROWBUF_NULL */
};

struct rowbuf {
	int ncolumns;
	struct rowbuf_val *val;		/* nval values, rows after rows */
	size_t nval, capval;
	char *text;			/* the texts, each with its NUL */
	size_t ntext, captext;
};

/* rowbuf_init - an empty buffer for rows of ncolumns values. */
void rowbuf_init(struct rowbuf *b, int ncolumns);

/* rowbuf_free - release the memory; b is empty again. */
void rowbuf_free(struct rowbuf *b);

/* rowbuf_clear - forget the rows (keeping the memory). */
void rowbuf_clear(struct rowbuf *b);

/* rowbuf_rows - complete rows held. */
size_t rowbuf_rows(const struct rowbuf *b);

/*
 * rowbuf_int64, rowbuf_text - the next value of the row being added (text
 * copied; NULL: SQL NULL).  0, or -1 when out of memory (then the buffer
 * holds a partial row: clear it).
 */
int rowbuf_int64(struct rowbuf *b, int64_t v);
int rowbuf_text(struct rowbuf *b, const char *v);

/*
 * rowbuf_write - every complete row into table's columns (ncolumns names)
 * through one bulk insert, then clear.  0, or -1 (db_errmsg says why; the
 * rows are dropped: the caller rolls the transaction back).
 */
int rowbuf_write(struct rowbuf *b, struct db *db, const char *table,
    const char *const *columns);

#endif
