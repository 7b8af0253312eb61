/*
 * run_opendmarc.c - conformance runner for OpenDMARC's library test tables
 * (testdata/dmarc-opendmarc-tables): record parsing, From-header domain
 * extraction, identifier alignment and organizational domains.  One suite,
 * "dmarc-opendmarc-tables", with case ids "<table>:<case>".
 *
 * OpenDMARC status names map onto dmarc_record_parse statuses: OKAY is a
 * usable record (DMARC_RECORD_OK); EMPTY and BAD_VERSION are not DMARC
 * records at all (DMARC_RECORD_NOT_DMARC); NO_REQUIRED_P rejects a DMARC
 * record (DMARC_RECORD_UNUSABLE).  BAD_VALUE means "a tag value is bad": it
 * holds when the record is rejected, or when it stays usable with the bad
 * value detected and discarded for its default (a DMARC_BAD_* bit set), as
 * RFC 9989 4.8 requires.  Organizational domains
 * come from the pinned list in ../psl-publicsuffix.  Single-threaded.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "align.h"
#include "dmarc_record.h"
#include "domain.h"
#include "from.h"
#include "psl.h"
#include "suite.h"
#include "tap.h"
#include "tsv.h"

typedef void (*table_fn)(struct suite *s, const struct psl *psl, const struct tsv_row *r,
    const char *id);

/* want_status - the dmarc_record_status an OpenDMARC status name stands for. */
static int
want_status(const char *name, enum dmarc_record_status *st)
{
	static const struct {
		const char *name;
		enum dmarc_record_status st;
	} map[] = {
		{ "DMARC_PARSE_OKAY", DMARC_RECORD_OK },
		{ "DMARC_PARSE_ERROR_EMPTY", DMARC_RECORD_NOT_DMARC },
		{ "DMARC_PARSE_ERROR_BAD_VERSION", DMARC_RECORD_NOT_DMARC },
		{ "DMARC_PARSE_ERROR_BAD_VALUE", DMARC_RECORD_UNUSABLE },
		{ "DMARC_PARSE_ERROR_NO_REQUIRED_P", DMARC_RECORD_UNUSABLE },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].name, name) == 0) {
			*st = map[i].st;
			return 0;
		}
	}
	return -1;
}

/* record_parse - case, record, expected_status. */
static void
record_parse(struct suite *s, const struct psl *psl, const struct tsv_row *r, const char *id)
{
	const char *txt = tsv_get(r, 1);
	struct dmarc_record rec;
	enum dmarc_record_status want, got;
	char reason[256] = "";
	bool bad_value;

	(void)psl;
	if (want_status(tsv_get(r, 2), &want) != 0) {
		suite_case(s, id, false, "unknown expected status %s", tsv_get(r, 2));
		return;
	}
	got = dmarc_record_parse(txt, strlen(txt), &rec, reason, sizeof(reason));
	bad_value = strcmp(tsv_get(r, 2), "DMARC_PARSE_ERROR_BAD_VALUE") == 0;
	suite_case(s, id, got == want || (bad_value && got == DMARC_RECORD_OK && rec.invalid != 0), "record \"%s\": got %s (%s; invalid bits 0x%x), want %s",
	    txt, dmarc_record_status_name(got), reason, rec.invalid, dmarc_record_status_name(want));
	dmarc_record_free(&rec);
}

/* finddomain - case, raw From value, expected single author domain. */
static void
finddomain(struct suite *s, const struct psl *psl, const struct tsv_row *r, const char *id)
{
	const char *value = tsv_get(r, 1), *want = tsv_get(r, 2), *got = "";
	struct from_result *res = calloc(1, sizeof(*res));
	enum from_status st;

	(void)psl;
	if (res == NULL) {
		suite_case(s, id, false, "out of memory");
		return;
	}
	st = from_parse(value, strlen(value), res);
	if ((st == FROM_OK || st == FROM_MULTI_SAME_DOMAIN) && res->ndomains == 1)
		got = res->domains[0];
	suite_case(s, id, strcmp(got, want) == 0, "From \"%s\": got \"%s\" (%s: %s), want \"%s\"",
	    value, got, from_status_name(st), res->reason, want);
	free(res);
}

/* strip_dots - copy in without leading and trailing dots (as OpenDMARC does). */
static void
strip_dots(const char *in, char *out, size_t outsize)
{
	size_t n;

	while (*in == '.')
		in++;
	n = strlen(in);
	while (n > 0 && in[n - 1] == '.')
		n--;
	snprintf(out, outsize, "%.*s", (int)n, in);
}

/* org_of - organizational domain of name (normalised into norm), or NULL. */
static const char *
org_of(const struct psl *psl, const char *name, char *norm)
{
	const char *org;

	if (domain_normalize(name, strlen(name), norm) != DOMAIN_OK)
		return NULL;
	return psl_org_domain(psl, norm, &org) == PSL_OK ? org : NULL;
}

/* alignment - case, domain_a, domain_b, mode, expected. */
static void
alignment(struct suite *s, const struct psl *psl, const struct tsv_row *r, const char *id)
{
	char a[DOMAIN_BUFSIZE * 4], b[DOMAIN_BUFSIZE * 4];
	char na[DOMAIN_BUFSIZE], nb[DOMAIN_BUFSIZE];
	const char *oa, *ob, *mode = tsv_get(r, 3), *want = tsv_get(r, 4);
	enum dmarc_align m = strcmp(mode, "strict") == 0 ? DMARC_ALIGN_STRICT : DMARC_ALIGN_RELAXED;
	bool got;

	strip_dots(tsv_get(r, 1), a, sizeof(a));
	strip_dots(tsv_get(r, 2), b, sizeof(b));
	oa = org_of(psl, a, na);
	ob = org_of(psl, b, nb);
	got = align_check(m, a, b, oa, ob);
	suite_case(s, id, strcmp(got ? "aligned" : "not_aligned", want) == 0,
	    "%s vs %s (%s; orgs %s, %s): got %s, want %s", a, b, align_mode_name(m),
	    oa ? oa : "-", ob ? ob : "-", got ? "aligned" : "not_aligned", want);
}

/* org_domain - case, domain, expected organizational domain. */
static void
org_domain(struct suite *s, const struct psl *psl, const struct tsv_row *r, const char *id)
{
	char norm[DOMAIN_BUFSIZE];
	const char *got = org_of(psl, tsv_get(r, 1), norm), *want = tsv_get(r, 2);

	if (got == NULL)
		got = "";
	suite_case(s, id, strcmp(got, want) == 0, "%s: got \"%s\", want \"%s\"",
	    tsv_get(r, 1), got, want);
}

/* run_table - every row of one file; ids are "<table>:<case column>". */
static int
run_table(struct suite *s, const struct psl *psl, const char *table, table_fn fn)
{
	char file[128], id[256];
	struct tsv t;
	size_t i;

	snprintf(file, sizeof(file), "%s.tsv", table);
	if (tsv_load(suite_path(s, file), &t) != 0) {
		printf("Bail out! cannot read %s\n", suite_path(s, file));
		return -1;
	}
	for (i = 0; i < t.nrows; i++) {
		snprintf(id, sizeof(id), "%s:%s", table, tsv_get(&t.rows[i], 0));
		fn(s, psl, &t.rows[i], id);
	}
	tsv_free(&t);
	return 0;
}

int
main(void)
{
	static const struct {
		const char *table;
		table_fn fn;
	} tables[] = {
		{ "record-parse", record_parse },
		{ "finddomain", finddomain },
		{ "alignment", alignment },
		{ "org-domain", org_domain },
	};
	struct suite *s = suite_open("dmarc-opendmarc-tables");
	struct psl *psl = NULL;
	char reason[512];
	size_t i;

	if (psl_load_file(suite_path(s, "../psl-publicsuffix/public_suffix_list.dat"), &psl,
	    reason, sizeof(reason)) != PSL_OK) {
		printf("Bail out! %s\n", reason);
		return 99;
	}
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		if (run_table(s, psl, tables[i].table, tables[i].fn) != 0) {
			psl_free(psl);
			return 99;
		}
	}
	psl_free(psl);
	return suite_finish(s);
}
