/*
 * group.c - messages into report rows with counts; see group.h.
 */
#include <stdlib.h>
#include <string.h>

#include "group.h"

#define GROUP_KEY_MAX 4096	/* bytes of a row key: 4 domains/IP and a few numbers */

void
group_init(struct group *g)
{
	strmap_init(&g->map);
	str_init(&g->key, GROUP_KEY_MAX);
	g->rows = NULL;
	g->nrows = g->caprows = 0;
	g->total = 0;
}

/* row_free - one row and its strings. */
static void
row_free(struct group_row *r)
{
	free(r->source_ip);
	free(r->header_from);
	free(r->envelope_from);
	free(r->envelope_to);
	free(r->forwarder);
	free(r);
}

void
group_free(struct group *g)
{
	size_t i;

	for (i = 0; i < g->nrows; i++)
		row_free(g->rows[i]);
	free(g->rows);
	strmap_free(&g->map);
	str_free(&g->key);
	group_init(g);
}

/* row_key - the grouping key of m into g->key. */
static enum str_status
row_key(struct group *g, const struct report_msg *m, unsigned reasons)
{
	struct str *k = &g->key;
	enum str_status st;

	str_reset(k);
	st = report_key_add(k, m->source_ip);
	if (st == STR_OK)
		st = report_key_add(k, m->header_from);
	if (st == STR_OK)
		st = report_key_add(k, m->envelope_from);
	if (st == STR_OK)
		st = report_key_add(k, m->envelope_to);
	if (st == STR_OK)
		st = report_key_add(k, m->forwarder[0] != '\0' ? m->forwarder : NULL);
	if (st == STR_OK)
		st = str_printf(k, "#%d#%d#%d#%d#%u#%lld", (int)m->result, (int)m->disposition,
		    (int)m->dkim_aligned, (int)m->spf_aligned, reasons, (long long)m->auth_id);
	return st;
}

/* dup_opt - strdup that keeps NULL; false when out of memory. */
static bool
dup_opt(const char *s, char **out)
{
	*out = NULL;
	if (s == NULL)
		return true;
	return (*out = strdup(s)) != NULL;
}

/* row_new - a row for m with count 0; NULL when out of memory. */
static struct group_row *
row_new(const struct report_msg *m, unsigned reasons)
{
	struct group_row *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	if (!dup_opt(m->source_ip, &r->source_ip) || !dup_opt(m->header_from, &r->header_from) ||
	    !dup_opt(m->envelope_from, &r->envelope_from) ||
	    !dup_opt(m->envelope_to, &r->envelope_to) ||
	    !dup_opt(m->forwarder[0] != '\0' ? m->forwarder : NULL, &r->forwarder)) {
		row_free(r);
		return NULL;
	}
	r->result = m->result;
	r->disposition = m->disposition;
	r->dkim_aligned = m->dkim_aligned;
	r->spf_aligned = m->spf_aligned;
	r->reasons = reasons;
	r->auth_id = m->auth_id;
	return r;
}

/* append_row - add r to g->rows. */
static enum group_status
append_row(struct group *g, struct group_row *r)
{
	struct group_row **rows;
	size_t cap;

	if (g->nrows == g->caprows) {
		cap = g->caprows ? g->caprows * 2 : 64;
		if ((rows = realloc(g->rows, cap * sizeof(*rows))) == NULL)
			return GROUP_NOMEM;
		g->rows = rows;
		g->caprows = cap;
	}
	g->rows[g->nrows++] = r;
	return GROUP_OK;
}

enum group_status
group_add(struct group *g, const struct report_msg *m)
{
	unsigned reasons = report_reasons(m);
	struct strmap_entry *e;
	struct group_row *r;
	int created;

	if (row_key(g, m, reasons) != STR_OK)
		return GROUP_NOMEM;	/* the key of valid data always fits */
	if (strmap_put(&g->map, str_cstr(&g->key), g->key.len, &e, &created) != STRMAP_OK)
		return GROUP_NOMEM;
	if (created) {
		if ((r = row_new(m, reasons)) == NULL || append_row(g, r) != GROUP_OK) {
			if (r != NULL)
				row_free(r);
			/* leave no entry without a row behind */
			e->ptr = NULL;
			return GROUP_NOMEM;
		}
		e->ptr = r;
	}
	if ((r = e->ptr) == NULL)
		return GROUP_NOMEM;
	r->count++;
	g->total++;
	return GROUP_OK;
}

/* cmp_opt - strcmp with NULL first. */
static int
cmp_opt(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/* cmp_int - three-way comparison of two numbers. */
static int
cmp_int(long long a, long long b)
{
	return (a > b) - (a < b);
}

/* cmp_row - qsort order of rows, see group_sort. */
static int
cmp_row(const void *pa, const void *pb)
{
	const struct group_row *a = *(struct group_row *const *)pa;
	const struct group_row *b = *(struct group_row *const *)pb;
	int c;

	if ((c = cmp_opt(a->source_ip, b->source_ip)) != 0 ||
	    (c = cmp_opt(a->header_from, b->header_from)) != 0 ||
	    (c = cmp_opt(a->envelope_from, b->envelope_from)) != 0 ||
	    (c = cmp_opt(a->envelope_to, b->envelope_to)) != 0 ||
	    (c = cmp_int(a->disposition, b->disposition)) != 0 ||
	    (c = cmp_int(a->dkim_aligned, b->dkim_aligned)) != 0 ||
	    (c = cmp_int(a->spf_aligned, b->spf_aligned)) != 0 ||
	    (c = cmp_int(a->reasons, b->reasons)) != 0 ||
	    (c = cmp_opt(a->forwarder, b->forwarder)) != 0 ||
	    (c = cmp_int(a->result, b->result)) != 0)
		return c;
	return cmp_int(a->auth_id, b->auth_id);
}

void
group_sort(struct group *g)
{
	if (g->nrows > 1)
		qsort(g->rows, g->nrows, sizeof(g->rows[0]), cmp_row);
}
