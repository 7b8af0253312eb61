/*
 * tsv.h - read the tab-separated tables of the conformance suites: one row
 * per line, lines starting with '#' and empty lines skipped.  Single-threaded.
 */
#ifndef AUTHMILTER_TSV_H
#define AUTHMILTER_TSV_H

#include <stddef.h>

#define TSV_MAX_FIELDS 16

struct tsv_row {
	int line;			/* 1-based line number */
	size_t nfields;
	char *field[TSV_MAX_FIELDS];	/* missing trailing fields are "" */
};

struct tsv {
	size_t nrows;
	struct tsv_row *rows;
	char *buf;
};

/* tsv_load - read path; returns 0, or -1 with errno set. */
int tsv_load(const char *path, struct tsv *t);

/* tsv_free - release the table. */
void tsv_free(struct tsv *t);

/* tsv_get - field i of a row, "" when absent. */
const char *tsv_get(const struct tsv_row *r, size_t i);

#endif
