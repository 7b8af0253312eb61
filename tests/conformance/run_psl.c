/*
 * run_psl.c - conformance runner for the official Public Suffix List tests
 * (testdata/psl-publicsuffix/tests.txt against the pinned
 * public_suffix_list.dat of the same directory).
 *
 * Each line is "<input> <expected>": the registrable domain in the label
 * form of the input, or "null".  Inputs are normalised to A-labels, looked
 * up with psl_org_domain, and the answer is turned back into U-labels when
 * the input had any.  Case ids are the test file's line numbers plus input.
 * Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "psl.h"
#include "suite.h"
#include "tap.h"
#include "tsv.h"

#define OUT_MAX (4 * DOMAIN_BUFSIZE)

/* has_8bit - does s contain non-ASCII bytes (U-labels)? */
static int
has_8bit(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

/*
 * registrable - the answer for one input in the label form of the input,
 * written to out; returns 0, or -1 for "null".
 */
static int
registrable(const struct psl *psl, const char *input, char *out, size_t outsize)
{
	char norm[DOMAIN_BUFSIZE];
	const char *org;

	if (strcmp(input, "null") == 0)
		return -1;
	if (domain_normalize(input, strlen(input), norm) != DOMAIN_OK)
		return -1;
	if (psl_org_domain(psl, norm, &org) != PSL_OK)
		return -1;
	if (has_8bit(input))
		return domain_to_unicode(org, out, outsize);
	snprintf(out, outsize, "%s", org);
	return 0;
}

/* run_line - one "<input> <expected>" line (modified in place). */
static void
run_line(struct suite *s, const struct psl *psl, const struct tsv_row *r)
{
	char *line = r->field[0], *want, *end, got[OUT_MAX], id[512];
	int rc;

	want = line + strcspn(line, " \t");
	if (*want != '\0')
		*want++ = '\0';
	want += strspn(want, " \t");
	end = want + strcspn(want, " \t");
	*end = '\0';
	snprintf(id, sizeof(id), "%d:%s", r->line, line);
	rc = registrable(psl, line, got, sizeof(got));
	if (rc != 0)
		snprintf(got, sizeof(got), "null");
	suite_case(s, id, strcmp(got, want) == 0, "input %s: got %s, want %s", line, got, want);
}

int
main(void)
{
	struct suite *s = suite_open("psl-publicsuffix");
	struct psl *psl = NULL;
	struct tsv t;
	char reason[512];
	size_t i;

	if (psl_load_file(suite_path(s, "public_suffix_list.dat"), &psl, reason, sizeof(reason)) != PSL_OK) {
		printf("Bail out! %s\n", reason);
		return 99;
	}
	if (tsv_load(suite_path(s, "tests.txt"), &t) != 0) {
		printf("Bail out! cannot read %s\n", suite_path(s, "tests.txt"));
		psl_free(psl);
		return 99;
	}
	for (i = 0; i < t.nrows; i++) {
		if (strncmp(t.rows[i].field[0], "//", 2) == 0)
			continue;
		run_line(s, psl, &t.rows[i]);
	}
	tsv_free(&t);
	psl_free(psl);
	return suite_finish(s);
}
