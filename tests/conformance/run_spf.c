/*
 * run_spf.c - the openspf SPF test suite (spf-rfc7208-openspf), both of its
 * editions, through the real stack: milter/spf.c (libspf2 + its DNS layer)
 * over the resolver in zone-file mode, one zone file per scenario written
 * from its zonedata.  The RFC 7208 edition reports as "spf-rfc7208-openspf",
 * the older RFC 4408 edition as "spf-rfc7208-openspf/rfc4408"; the engine
 * follows RFC 7208 in both, so a 4408 answer that RFC 7208 changed fails
 * and is listed in deviations.tsv.
 *
 * Run by make check (top_srcdir set).  Single-threaded.  A case passes when
 * the result is one of the expected results and, where the case gives one,
 * the explanation is the expected text ("DEFAULT", the receiver's default,
 * is the empty explanation the engine gives without a usable exp=).
 *
 * Zone data rules (README): SPF entries are served as TXT at names without
 * an explicit TXT entry; "NONE" means no record; names absent are NXDOMAIN.
 * TIMEOUT makes the whole name time out (the resolver's TIMEOUT line).  When
 * served records (not NONE) precede TIMEOUT, those types must answer normally: the resolver
 * cannot time out per type, so the runner serves the records and lets the
 * other types answer NODATA (only TXT is ever asked of those names).  Names
 * the resolver cannot load (a label over 63 octets) are left out, which is
 * what a real resolver says about them: no such name.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolver.h"
#include "spf.h"
#include "suite.h"
#include "tap.h"
#include "testfile.h"
#include "yaml_tree.h"

/* The suite's directory and the two editions it holds. */
#define SUITE_DIR "spf-rfc7208-openspf"

struct edition {
	const char *label;	/* summary line and deviations.tsv name */
	const char *file;
};

static const struct edition editions[] = {
	{SUITE_DIR, "rfc7208-tests.yml"},
	{SUITE_DIR "/rfc4408", "rfc4408-tests.yml"},
};

/* put_txt - a TXT (or SPF served as TXT) entry; NONE writes nothing. */
static void
put_txt(FILE *fp, const char *owner, const struct ynode *v)
{
	size_t i;

	if (v->type == YNODE_SCALAR && strcmp(v->scalar, "NONE") == 0)
		return;
	test_put_name(fp, owner);
	fputs(" 300 IN TXT ", fp);
	if (v->type == YNODE_SCALAR)
		test_put_string(fp, v->scalar, v->scalar_len);
	else if (v->n == 0)
		test_put_string(fp, "", 0);
	for (i = 0; v->type == YNODE_SEQ && i < v->n; i++) {
		if (v->items[i]->type == YNODE_SCALAR)
			test_put_string(fp, v->items[i]->scalar,
			    v->items[i]->scalar_len);
		fputc(' ', fp);
	}
	fputc('\n', fp);
}

/* put_other - an A, AAAA, MX, PTR or CNAME entry. */
static void
put_other(FILE *fp, const char *owner, const char *type,
    const struct ynode *v)
{
	if (strcmp(type, "MX") == 0) {
		if (v->type != YNODE_SEQ || v->n != 2)
			return;
		test_put_name(fp, owner);
		fprintf(fp, " 300 IN MX %s ", v->items[0]->scalar);
		test_put_name(fp, v->items[1]->scalar);
	} else if (v->type == YNODE_SCALAR) {
		test_put_name(fp, owner);
		fprintf(fp, " 300 IN %s ", type);
		if (strcmp(type, "A") == 0 || strcmp(type, "AAAA") == 0)
			fputs(v->scalar, fp);
		else
			test_put_name(fp, v->scalar);
	} else
		return;
	fputc('\n', fp);
}

/* has_key - does the list of entries hold one of type key? */
static bool
has_key(const struct ynode *list, const char *key)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (list->items[i]->type == YNODE_MAP &&
		    ynode_get(list->items[i], key) != NULL)
			return true;
	return false;
}

/* served - does entry it give a record (TXT, served SPF, A, ...)? */
static bool
served(const struct ynode *it, bool explicit_txt)
{
	const struct ynode *v;

	if (it->type != YNODE_MAP || it->n != 1)
		return false;
	v = it->items[0];
	if (v->type == YNODE_SCALAR && strcmp(v->scalar, "NONE") == 0)
		return false;
	return strcmp(it->keys[0], "SPF") != 0 || !explicit_txt;
}

/* put_owner - all entries of one owner name. */
static void
put_owner(FILE *fp, const char *owner, const struct ynode *list)
{
	bool explicit_txt = has_key(list, "TXT");
	const struct ynode *it;
	bool records = false;
	size_t i;

	if (list->type != YNODE_SEQ || !test_name_loadable(owner))
		return;
	for (i = 0; i < list->n; i++) {
		it = list->items[i];
		if (it->type == YNODE_SCALAR) {
			if (strcmp(it->scalar, "TIMEOUT") == 0 && !records) {
				test_put_name(fp, owner);
				fputs(" TIMEOUT\n", fp);
			}
			continue;
		}
		if (it->type != YNODE_MAP || it->n != 1)
			continue;
		records = records || served(it, explicit_txt);
		if (strcmp(it->keys[0], "TXT") == 0 ||
		    (strcmp(it->keys[0], "SPF") == 0 && !explicit_txt))
			put_txt(fp, owner, it->items[0]);
		else if (strcmp(it->keys[0], "SPF") != 0)
			put_other(fp, owner, it->keys[0], it->items[0]);
	}
}

/* write_zone - the scenario's zonedata as a zone file at path. */
static int
write_zone(const struct ynode *zd, const char *path)
{
	FILE *fp = fopen(path, "w");
	size_t i;

	if (fp == NULL)
		return -1;
	for (i = 0; zd != NULL && zd->type == YNODE_MAP && i < zd->n; i++)
		put_owner(fp, zd->keys[i], zd->items[i]);
	return fclose(fp) == 0 ? 0 : -1;
}

/* result_ok - is got one of the expected results (a string or a list)? */
static bool
result_ok(const struct ynode *want, enum spf_result got)
{
	enum spf_result w;
	size_t i;

	if (want == NULL)
		return false;
	if (want->type == YNODE_SCALAR)
		return spf_result_from_name(want->scalar, &w) && w == got;
	for (i = 0; want->type == YNODE_SEQ && i < want->n; i++)
		if (result_ok(want->items[i], got))
			return true;
	return false;
}

/* run_case - one test of a scenario. */
static void
run_case(struct suite *s, struct spf_engine *e, const char *id,
    const struct ynode *t)
{
	const struct ynode *want = ynode_get(t, "result");
	const char *host = ynode_str(t, "host"), *helo = ynode_str(t, "helo");
	const char *from = ynode_str(t, "mailfrom");
	const char *exp = ynode_str(t, "explanation");
	struct spf_outcome out;
	bool exp_ok;

	spf_check(e, host != NULL ? host : "", helo != NULL ? helo : "",
	    from != NULL ? from : "", SPF_SCOPE_MFROM, 0, &out);
	/* "DEFAULT": the receiver's own text; the engine gives none. */
	if (exp != NULL && strcmp(exp, "DEFAULT") == 0)
		exp = "";
	exp_ok = exp == NULL || strcmp(out.explanation, exp) == 0;
	suite_case(s, id, result_ok(want, out.result) && exp_ok,
	    "got %s (%s) \"%s\", want %s \"%s\"",
	    spf_result_name(out.result), out.reason, out.explanation,
	    want != NULL && want->type == YNODE_SCALAR ? want->scalar :
	    "one of a list", exp != NULL ? exp : "(any)");
}

/* run_scenario - load the zone, run every test of one YAML document. */
static void
run_scenario(struct suite *s, const struct ynode *doc, const char *zpath)
{
	const struct ynode *tests = ynode_get(doc, "tests");
	struct resolver_config cfg;
	struct resolver *r = NULL;
	struct spf_engine *e = NULL;
	char err[256] = "";
	size_t i;

	memset(&cfg, 0, sizeof(cfg));
	cfg.zone_file = zpath;
	if (write_zone(ynode_get(doc, "zonedata"), zpath) == 0 &&
	    (r = resolver_new(&cfg, err, sizeof(err))) != NULL)
		e = spf_engine_new(r, NULL, err, sizeof(err));
	for (i = 0; tests != NULL && tests->type == YNODE_MAP &&
	    i < tests->n; i++) {
		if (e != NULL)
			run_case(s, e, tests->keys[i], tests->items[i]);
		else
			suite_case(s, tests->keys[i], false, "setup: %s", err);
	}
	spf_engine_free(e);
	resolver_free(r);
}

/* next_doc - copy the next "---"-separated document of in into path. */
static bool
next_doc(FILE *in, const char *path)
{
	char line[8192];
	FILE *out = fopen(path, "w");
	bool any = false;

	if (out == NULL)
		return false;
	while (fgets(line, sizeof(line), in) != NULL) {
		if (strncmp(line, "---", 3) == 0 && any)
			break;
		any = true;
		fputs(line, out);
	}
	fclose(out);
	return any;
}

/* run_edition - every scenario of one edition's file. */
static void
run_edition(const struct edition *ed, const char *dpath, const char *zpath)
{
	struct suite *s = suite_open_as(SUITE_DIR, ed->label);
	char err[256];
	struct ynode *doc;
	FILE *in;

	if ((in = fopen(suite_path(s, ed->file), "r")) == NULL) {
		suite_case(s, "open", false, "cannot open %s", ed->file);
		suite_close(s);
		return;
	}
	while (next_doc(in, dpath)) {
		err[0] = '\0';
		doc = yaml_load_file(dpath, err, sizeof(err));
		if (doc != NULL && doc->type == YNODE_MAP)
			run_scenario(s, doc, zpath);
		else if (err[0] != '\0')	/* not just a comment block */
			suite_case(s, "parse", false, "%s: %s", ed->file, err);
		ynode_free(doc);
	}
	fclose(in);
	suite_close(s);
}

int
main(void)
{
	char dpath[] = "/tmp/run_spf_docXXXXXX";
	char zpath[] = "/tmp/run_spf_zoneXXXXXX";
	int fd1, fd2;
	size_t i;

	fd1 = mkstemp(dpath);
	fd2 = mkstemp(zpath);
	if (fd1 < 0 || fd2 < 0) {
		tap_ok(false, "cannot create temporary files");
		return tap_done();
	}
	close(fd1);
	close(fd2);
	for (i = 0; i < sizeof(editions) / sizeof(editions[0]); i++)
		run_edition(&editions[i], dpath, zpath);
	unlink(dpath);
	unlink(zpath);
	return tap_done();
}
