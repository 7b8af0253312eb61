/*
 * test_psl.c - unit tests for the Public Suffix List module: list syntax
 * (comments, first word only, CRLF, BOM), wildcard and exception rules,
 * IDN rules converted to A-labels, the default rule, invalid names, load
 * errors (bad path, empty list) and psl_public_suffix.  Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "psl.h"
#include "tap.h"

/* A small list exercising every syntax feature; 14 distinct rules. */
static const char list[] =
    "\xEF\xBB\xBF// a comment line\n"
    "\n"
    "com\n"
    "ck\n"
    "*.ck\n"
    "!www.ck\n"
    "jp\n"
    "*.kawasaki.jp\n"
    "!city.kawasaki.jp\n"
    "cn\n"
    "\xE5\x85\xAC\xE5\x8F\xB8.cn\n"		/* U-label rule 公司.cn */
    "*.\xE5\xBE\xA1\xE5\xB1\xB1.jp\n"		/* wildcard U-label rule *.御山.jp */
    "uk.com not.a.rule\n"			/* only the first word counts */
    "   // indented comment\n"
    "co.uk\r\n"					/* CRLF line end */
    "Example.ORG\n"				/* upper case in the list */
    "com\n"					/* duplicate: counted once */
    "*\n"					/* the implicit default: ignored */
    "!tld\n"					/* exception without a parent: ignored */
    "a.*.bad\n"					/* wildcard not leading: ignored */
    "bad_rule.net\n";				/* invalid name: ignored */

#define LIST_RULES 13

struct org_case {
	const char *name;
	const char *input;
	const char *want_org;	/* NULL: PSL_NOT_FOUND */
	const char *want_ps;	/* NULL: invalid name */
};

static const struct org_case cases[] = {
	{ "plain registrable", "example.com", "example.com", "com" },
	{ "deep subdomain", "a.b.example.com", "example.com", "com" },
	{ "suffix itself", "com", NULL, "com" },
	{ "wildcard makes two-label suffix", "foo.ck", NULL, "foo.ck" },
	{ "below wildcard", "bar.foo.ck", "bar.foo.ck", "foo.ck" },
	{ "deep below wildcard", "a.bar.foo.ck", "bar.foo.ck", "foo.ck" },
	{ "exception itself", "www.ck", "www.ck", "ck" },
	{ "below exception", "a.b.www.ck", "www.ck", "ck" },
	{ "wildcard tld and rule", "ck", NULL, "ck" },
	{ "wildcard under listed tld", "x.kawasaki.jp", NULL, "x.kawasaki.jp" },
	{ "registrable under wildcard", "a.x.kawasaki.jp", "a.x.kawasaki.jp", "x.kawasaki.jp" },
	{ "exception under wildcard", "city.kawasaki.jp", "city.kawasaki.jp", "kawasaki.jp" },
	{ "below exception under wildcard", "www.city.kawasaki.jp", "city.kawasaki.jp", "kawasaki.jp" },
	{ "wildcard base without own rule", "kawasaki.jp", "kawasaki.jp", "jp" },
	{ "IDN rule as A-label", "xn--55qx5d.cn", NULL, "xn--55qx5d.cn" },
	{ "below IDN rule", "www.xn--85x722f.xn--55qx5d.cn", "xn--85x722f.xn--55qx5d.cn", "xn--55qx5d.cn" },
	{ "IDN wildcard rule", "x.xn--rhtz7e.jp", NULL, "x.xn--rhtz7e.jp" },
	{ "below IDN wildcard rule", "a.x.xn--rhtz7e.jp", "a.x.xn--rhtz7e.jp", "x.xn--rhtz7e.jp" },
	{ "first word of line", "a.uk.com", "a.uk.com", "uk.com" },
	{ "second word is no rule", "x.not.a.rule", "a.rule", "rule" },
	{ "CRLF rule", "www.example.co.uk", "example.co.uk", "co.uk" },
	{ "upper-case rule", "shop.example.org", "shop.example.org", "example.org" },
	{ "case-insensitive lookup", "WWW.Example.COM", "Example.COM", "COM" },
	{ "ignored exception without parent", "tld", NULL, "tld" },
	{ "ignored bad wildcard", "x.y.bad", "y.bad", "bad" },
	{ "ignored invalid rule", "x.bad_rule.net", "bad_rule.net", "net" },
	{ "unlisted tld", "example.example", "example.example", "example" },
	{ "unlisted tld deep", "a.b.example.example", "example.example", "example" },
	{ "bare unlisted tld", "example", NULL, "example" },
	{ "empty name", "", NULL, NULL },
	{ "leading dot", ".example.com", NULL, NULL },
	{ "trailing dot", "example.com.", NULL, NULL },
	{ "empty label", "a..example.com", NULL, NULL },
};

/* check_case - org domain and public suffix of one name. */
static void
check_case(const struct psl *psl, const struct org_case *c)
{
	const char *org = "unset";
	enum psl_status st = psl_org_domain(psl, c->input, &org);

	if (c->want_org == NULL) {
		tap_ok(st == PSL_NOT_FOUND && org == NULL, "%s: %s not found (status %d)",
		    c->name, c->input, (int)st);
	} else {
		tap_inteq(st, PSL_OK, "%s: %s status", c->name, c->input);
		tap_streq(org, c->want_org, "%s: %s org domain", c->name, c->input);
	}
	tap_streq(psl_public_suffix(psl, c->input), c->want_ps, "%s: %s public suffix",
	    c->name, c->input);
}

/* test_buffer - the table against the in-memory list. */
static void
test_buffer(void)
{
	struct psl *psl = NULL;
	char reason[256] = "";
	size_t i;

	tap_inteq(psl_load_buffer(list, sizeof(list) - 1, &psl, reason, sizeof(reason)), PSL_OK,
	    "load buffer");
	if (psl == NULL) {
		tap_diag("reason: %s", reason);
		return;
	}
	tap_inteq((long long)psl_rule_count(psl), LIST_RULES, "rule count");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_case(psl, &cases[i]);
	psl_free(psl);
}

/* test_errors - loads that must fail, with the reason naming the problem. */
static void
test_errors(void)
{
	static const char comments[] = "// nothing\n\n   \n// but comments\n";
	static const char useless[] = "*\n!tld\nbad_rule.net\n";
	struct psl *psl = (struct psl *)&psl;	/* non-NULL sentinel: a failed load must reset it */
	char reason[256] = "";

	tap_inteq(psl_load_file("/nonexistent/dir/psl.dat", &psl, reason, sizeof(reason)), PSL_IO,
	    "missing file is an I/O error");
	tap_ok(psl == NULL, "missing file: no list");
	tap_ok(strstr(reason, "/nonexistent/dir/psl.dat") != NULL, "reason names the path: %s", reason);
	tap_ok(strstr(reason, "No such file") != NULL, "reason has the errno text: %s", reason);
	tap_inteq(psl_load_file("/", &psl, reason, sizeof(reason)), PSL_IO, "directory is an I/O error");
	tap_inteq(psl_load_buffer(comments, sizeof(comments) - 1, &psl, reason, sizeof(reason)), PSL_EMPTY,
	    "comments only: empty");
	tap_ok(psl == NULL && strstr(reason, "no public suffix rules") != NULL, "empty reason: %s", reason);
	tap_inteq(psl_load_buffer(useless, sizeof(useless) - 1, &psl, reason, sizeof(reason)), PSL_EMPTY,
	    "only ignored rules: empty");
	tap_inteq(psl_load_buffer("", 0, &psl, reason, sizeof(reason)), PSL_EMPTY, "zero bytes: empty");
	psl_free(NULL);
	tap_inteq((long long)psl_rule_count(NULL), 0, "NULL list has no rules");
	tap_streq(psl_public_suffix(NULL, "a.b.c"), "c", "NULL list: default rule");
}

/* test_file - psl_load_file on a temporary copy of the list. */
static void
test_file(void)
{
	char path[] = "/tmp/test_psl.XXXXXX", reason[256] = "";
	struct psl *psl = NULL;
	const char *org = NULL;
	int fd = mkstemp(path);

	if (!tap_ok(fd >= 0, "temporary file")) {
		return;
	}
	tap_ok(write(fd, list, sizeof(list) - 1) == (ssize_t)(sizeof(list) - 1), "write list");
	close(fd);
	tap_inteq(psl_load_file(path, &psl, reason, sizeof(reason)), PSL_OK, "load file");
	tap_inteq((long long)psl_rule_count(psl), LIST_RULES, "file rule count");
	tap_inteq(psl_org_domain(psl, "a.b.www.ck", &org), PSL_OK, "file lookup");
	tap_streq(org, "www.ck", "file lookup result");
	psl_free(psl);
	unlink(path);
}

/* test_default_path - the system list, when the package is installed. */
static void
test_default_path(void)
{
	struct psl *psl = NULL;
	const char *org = NULL;
	char reason[256] = "";

	if (access(PSL_DEFAULT_PATH, R_OK) != 0) {
		tap_diag("%s absent; system list not tested", PSL_DEFAULT_PATH);
		return;
	}
	tap_inteq(psl_load_file(PSL_DEFAULT_PATH, &psl, reason, sizeof(reason)), PSL_OK,
	    "load %s", PSL_DEFAULT_PATH);
	tap_ok(psl_rule_count(psl) > 5000, "system list has many rules");
	tap_inteq(psl_org_domain(psl, "www.bbc.co.uk", &org), PSL_OK, "system list lookup");
	tap_streq(org, "bbc.co.uk", "system list: bbc.co.uk");
	psl_free(psl);
}

int
main(void)
{
	test_buffer();
	test_errors();
	test_file();
	test_default_path();
	return tap_done();
}
