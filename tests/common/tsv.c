/*
 * tsv.c - tab-separated table reader (see tsv.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testfile.h"
#include "tsv.h"

/* split_row - split one line into fields. */
static void
split_row(char *line, struct tsv_row *r)
{
	char *p = line, *tab;

	r->nfields = 0;
	while (r->nfields < TSV_MAX_FIELDS) {
		r->field[r->nfields++] = p;
		if ((tab = strchr(p, '\t')) == NULL)
			break;
		*tab = '\0';
		p = tab + 1;
	}
}

int
tsv_load(const char *path, struct tsv *t)
{
	char *p, *nl, *next;
	size_t len;
	int line = 0;

	memset(t, 0, sizeof(*t));
	if ((t->buf = test_read_file(path, NULL)) == NULL)
		return -1;
	for (p = t->buf; p != NULL && *p != '\0'; p = next) {
		line++;
		nl = strchr(p, '\n');
		next = nl != NULL ? nl + 1 : NULL;
		if (nl != NULL)
			*nl = '\0';
		len = strlen(p);
		if (len > 0 && p[len - 1] == '\r')
			p[len - 1] = '\0';
		if (*p == '#' || *p == '\0')
			continue;
		t->rows = realloc(t->rows, (t->nrows + 1) * sizeof(*t->rows));
		if (t->rows == NULL) {
			errno = ENOMEM;
			return -1;
		}
		t->rows[t->nrows].line = line;
		split_row(p, &t->rows[t->nrows]);
		t->nrows++;
	}
	return 0;
}

void
tsv_free(struct tsv *t)
{
	free(t->rows);
	free(t->buf);
	memset(t, 0, sizeof(*t));
}

const char *
tsv_get(const struct tsv_row *r, size_t i)
{
	return i < r->nfields ? r->field[i] : "";
}
