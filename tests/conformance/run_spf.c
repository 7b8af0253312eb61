/*
 * run_spf.c - the openspf RFC 7208 test suite (spf-rfc7208-openspf) through
 * the real stack: milter/spf.c (libspf2 + its DNS layer) over the resolver
 * in zone-file mode, one zone file per scenario written from its zonedata.
 *
 * Run by make check (top_srcdir set).  Single-threaded.  A case passes when
 * the result is one of the expected results; the explanation is not
 * compared (the suite's README makes exp= optional for runners).
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
#include "yaml_tree.h"

#define SUITE_NAME "spf-rfc7208-openspf"
#define SUITE_FILE "rfc7208-tests.yml"

/* put_name - write a domain name as an absolute zone-file name. */
static void
put_name(FILE *fp, const char *name)
{
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.' || *p == '*')
			fputc(*p, fp);
		else
			fprintf(fp, "\\%03u", *p);
	}
	if (p == (const unsigned char *)name || p[-1] != '.')
		fputc('.', fp);
}

/* put_string - write one TXT character-string (n octets), quoted. */
static void
put_string(FILE *fp, const char *s, size_t n)
{
	const unsigned char *p, *end = (const unsigned char *)s + n;

	fputc('"', fp);
	for (p = (const unsigned char *)s; p < end; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(fp, "\\%03u", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

/* name_loadable - every label 1..63 octets, the name under 254. */
static bool
name_loadable(const char *name)
{
	size_t n = strlen(name), l;

	if (n == 0 || n > 253)
		return false;
	while (*name != '\0') {
		l = strcspn(name, ".");
		if (l > 63 || (l == 0 && name[l] != '\0'))
			return false;
		name += l + (name[l] == '.');
	}
	return true;
}

/* put_txt - a TXT (or SPF served as TXT) entry; NONE writes nothing. */
static void
put_txt(FILE *fp, const char *owner, const struct ynode *v)
{
	size_t i;

	if (v->type == YNODE_SCALAR && strcmp(v->scalar, "NONE") == 0)
		return;
	put_name(fp, owner);
	fputs(" 300 IN TXT ", fp);
	if (v->type == YNODE_SCALAR)
		put_string(fp, v->scalar, v->scalar_len);
	else if (v->n == 0)
		put_string(fp, "", 0);
	for (i = 0; v->type == YNODE_SEQ && i < v->n; i++) {
		if (v->items[i]->type == YNODE_SCALAR)
			put_string(fp, v->items[i]->scalar,
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
		put_name(fp, owner);
		fprintf(fp, " 300 IN MX %s ", v->items[0]->scalar);
		put_name(fp, v->items[1]->scalar);
	} else if (v->type == YNODE_SCALAR) {
		put_name(fp, owner);
		fprintf(fp, " 300 IN %s ", type);
		if (strcmp(type, "A") == 0 || strcmp(type, "AAAA") == 0)
			fputs(v->scalar, fp);
		else
			put_name(fp, v->scalar);
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

	if (list->type != YNODE_SEQ || !name_loadable(owner))
		return;
	for (i = 0; i < list->n; i++) {
		it = list->items[i];
		if (it->type == YNODE_SCALAR) {
			if (strcmp(it->scalar, "TIMEOUT") == 0 && !records) {
				put_name(fp, owner);
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
	struct spf_outcome out;

	spf_check(e, host != NULL ? host : "", helo != NULL ? helo : "",
	    from != NULL ? from : "", SPF_SCOPE_MFROM, 0, &out);
	suite_case(s, id, result_ok(want, out.result),
	    "got %s (%s), want %s", spf_result_name(out.result), out.reason,
	    want != NULL && want->type == YNODE_SCALAR ? want->scalar :
	    "one of a list");
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
		e = spf_engine_new(r, err, sizeof(err));
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

int
main(void)
{
	struct suite *s = suite_open(SUITE_NAME);
	char dpath[] = "/tmp/run_spf_docXXXXXX";
	char zpath[] = "/tmp/run_spf_zoneXXXXXX";
	char err[256];
	struct ynode *doc;
	FILE *in;
	int fd1, fd2;

	in = fopen(suite_path(s, SUITE_FILE), "r");
	fd1 = mkstemp(dpath);
	fd2 = mkstemp(zpath);
	if (in == NULL || fd1 < 0 || fd2 < 0) {
		suite_case(s, "open", false, "cannot open %s or temp files",
		    SUITE_FILE);
		return suite_finish(s);
	}
	close(fd1);
	close(fd2);
	while (next_doc(in, dpath)) {
		doc = yaml_load_file(dpath, err, sizeof(err));
		if (doc != NULL && doc->type == YNODE_MAP)
			run_scenario(s, doc, zpath);
		ynode_free(doc);
	}
	fclose(in);
	unlink(dpath);
	unlink(zpath);
	return suite_finish(s);
}
