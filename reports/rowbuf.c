/*
 * rowbuf.c - rows of values held for a bulk insert; see rowbuf.h.
 */
#include <stdlib.h>
#include <string.h>

#include "rowbuf.h"

#define ROWBUF_INT ((size_t)-1)		/* rowbuf_val.text of an integer */
#define ROWBUF_NULL ((size_t)-2)	/* rowbuf_val.text of SQL NULL */

void
rowbuf_init(struct rowbuf *b, int ncolumns)
{
	memset(b, 0, sizeof(*b));
	b->ncolumns = ncolumns;
}

void
rowbuf_free(struct rowbuf *b)
{
	free(b->val);
	free(b->text);
	rowbuf_init(b, b->ncolumns);
}

void
rowbuf_clear(struct rowbuf *b)
{
	b->nval = 0;
	b->ntext = 0;
}

size_t
rowbuf_rows(const struct rowbuf *b)
{
	return b->nval / (size_t)b->ncolumns;
}

/* add - one more value slot; NULL when out of memory. */
static struct rowbuf_val *
add(struct rowbuf *b)
{
	struct rowbuf_val *v;
	size_t cap;

	if (b->nval == b->capval) {
		cap = b->capval ? 2 * b->capval : 1024;
		if ((v = realloc(b->val, cap * sizeof(*v))) == NULL)
			return NULL;
		b->val = v;
		b->capval = cap;
	}
	return &b->val[b->nval++];
}

int
rowbuf_int64(struct rowbuf *b, int64_t v)
{
	struct rowbuf_val *x = add(b);

	if (x == NULL)
		return -1;
	x->num = v;
	x->text = ROWBUF_INT;
	return 0;
}

int
rowbuf_text(struct rowbuf *b, const char *v)
{
	size_t len = v != NULL ? strlen(v) + 1 : 0, cap;
	struct rowbuf_val *x;
	char *t;

	if (b->ntext + len > b->captext) {
		cap = 2 * (b->ntext + len) + 4096;
		if ((t = realloc(b->text, cap)) == NULL)
			return -1;
		b->text = t;
		b->captext = cap;
	}
	if ((x = add(b)) == NULL)
		return -1;
	x->num = 0;
	x->text = v != NULL ? b->ntext : ROWBUF_NULL;
	if (v != NULL) {
		memcpy(b->text + b->ntext, v, len);
		b->ntext += len;
	}
	return 0;
}

/* put - one value into the copy. */
static void
put(const struct rowbuf *b, const struct rowbuf_val *v, struct db_copy *c)
{
	if (v->text == ROWBUF_INT)
		db_copy_int64(c, v->num);
	else
		db_copy_text(c, v->text == ROWBUF_NULL ? NULL : b->text + v->text);
}

int
rowbuf_write(struct rowbuf *b, struct db *db, const char *table, const char *const *columns)
{
	size_t rows = rowbuf_rows(b), r;
	struct db_copy *c;
	int i, rc = 0;

	if (rows == 0) {
		rowbuf_clear(b);
		return 0;
	}
	if (db_copy_begin(db, table, columns, b->ncolumns, &c) != 0) {
		rowbuf_clear(b);
		return -1;
	}
	for (r = 0; r < rows && rc == 0; r++) {
		for (i = 0; i < b->ncolumns; i++)
			put(b, &b->val[r * (size_t)b->ncolumns + (size_t)i], c);
		rc = db_copy_row(c);
	}
	if (db_copy_end(c) != 0)
		rc = -1;
	rowbuf_clear(b);
	return rc;
}
