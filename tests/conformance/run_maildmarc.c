/*
 * run_maildmarc.c - conformance runner for the Mail::DMARC test vectors
 * (testdata/dmarc-mail-dmarc-cases): tag values, record validity, parse
 * results, real-world records, From-header domains and PSL exception
 * rules.  One suite, "dmarc-mail-dmarc-cases", with case ids
 * "<table>:<n>" where n counts the table's data rows from 1.
 *
 * Judgements (RFC 9989): a tag value is valid when a record carrying it is
 * usable and the tag's DMARC_BAD_* bit is clear (for the historic pct, rf
 * and ri too: their values are still checked and a bad one is flagged,
 * although RFC 9989 9.3 gives them no effect on policy); v is judged by
 * dmarc_record_is_dmarc.
 * Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dmarc_record.h"
#include "domain.h"
#include "from.h"
#include "psl.h"
#include "suite.h"
#include "tap.h"
#include "tsv.h"

#define REC_MAX 2048
#define JSON_MAX_PAIRS 16

typedef void (*table_fn)(struct suite *s, const struct tsv_row *r, const char *id);

struct kv {
	char key[32];
	char val[512];
};

struct kv_set {
	size_t n;
	struct kv v[JSON_MAX_PAIRS];
};

/* tag_bit - the DMARC_BAD_* bit of a tag; *historic for pct, rf, ri. */
static unsigned
tag_bit(const char *tag, bool *historic)
{
	static const struct {
		const char *tag;
		unsigned bit;
		bool historic;
	} map[] = {
		{ "p", DMARC_BAD_P, false }, { "sp", DMARC_BAD_SP, false },
		{ "np", DMARC_BAD_NP, false }, { "adkim", DMARC_BAD_ADKIM, false },
		{ "aspf", DMARC_BAD_ASPF, false }, { "fo", DMARC_BAD_FO, false },
		{ "rua", DMARC_BAD_RUA, false }, { "ruf", DMARC_BAD_RUF, false },
		{ "psd", DMARC_BAD_PSD, false }, { "t", DMARC_BAD_T, false },
		{ "pct", DMARC_BAD_PCT, true }, { "rf", DMARC_BAD_RF, true },
		{ "ri", DMARC_BAD_RI, true },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].tag, tag) == 0) {
			*historic = map[i].historic;
			return map[i].bit;
		}
	}
	*historic = false;
	return 0;
}

/* tag_value_valid - our judgement of one tag value (see the file comment). */
static bool
tag_value_valid(const char *tag, const char *value, char *why, size_t whysize)
{
	struct dmarc_record rec;
	enum dmarc_record_status st;
	char txt[REC_MAX], reason[256] = "";
	bool historic, ok;
	unsigned bit = tag_bit(tag, &historic);

	if (strcmp(tag, "v") == 0) {
		snprintf(txt, sizeof(txt), "v=%s; p=none", value);
		snprintf(why, whysize, "record \"%s\"", txt);
		return dmarc_record_is_dmarc(txt, strlen(txt));
	}
	if (strcmp(tag, "p") == 0)
		snprintf(txt, sizeof(txt), "v=DMARC1; p=%s", value);
	else
		snprintf(txt, sizeof(txt), "v=DMARC1; p=none; %s=%s", tag, value);
	st = dmarc_record_parse(txt, strlen(txt), &rec, reason, sizeof(reason));
	ok = st == DMARC_RECORD_OK && bit != 0 && (rec.invalid & bit) == 0;
	snprintf(why, whysize, "record \"%s\": %s (%s), invalid bits 0x%x", txt,
	    dmarc_record_status_name(st), reason, rec.invalid);
	dmarc_record_free(&rec);
	return ok;
}

/* policy_tag_values - tag, value, expected (valid/invalid). */
static void
policy_tag_values(struct suite *s, const struct tsv_row *r, const char *id)
{
	const char *want = tsv_get(r, 2);
	char why[REC_MAX + 512];
	bool got = tag_value_valid(tsv_get(r, 0), tsv_get(r, 1), why, sizeof(why));

	suite_case(s, id, strcmp(got ? "valid" : "invalid", want) == 0, "%s: got %s, want %s",
	    why, got ? "valid" : "invalid", want);
}

/* record_validity - record, expected (valid = DMARC_RECORD_OK). */
static void
record_validity(struct suite *s, const struct tsv_row *r, const char *id)
{
	const char *txt = tsv_get(r, 0), *want = tsv_get(r, 1);
	struct dmarc_record rec;
	enum dmarc_record_status st;
	char reason[256] = "";

	st = dmarc_record_parse(txt, strlen(txt), &rec, reason, sizeof(reason));
	suite_case(s, id, strcmp(st == DMARC_RECORD_OK ? "valid" : "invalid", want) == 0,
	    "record \"%s\": %s (%s), want %s", txt, dmarc_record_status_name(st), reason, want);
	dmarc_record_free(&rec);
}

/* json_string - parse a "..." string at *pp into out; -1 on syntax error. */
static int
json_string(const char **pp, char *out, size_t outsize)
{
	const char *p = *pp;
	size_t n = 0;

	if (*p++ != '"')
		return -1;
	while (*p != '"') {
		if (*p == '\0' || n + 1 >= outsize)
			return -1;
		if (*p == '\\' && p[1] != '\0')
			p++;
		out[n++] = *p++;
	}
	out[n] = '\0';
	*pp = p + 1;
	return 0;
}

/* json_object - a flat object of string values into set; -1 on syntax error. */
static int
json_object(const char *p, struct kv_set *set)
{
	set->n = 0;
	if (*p++ != '{')
		return -1;
	while (*p != '}') {
		if (set->n == JSON_MAX_PAIRS)
			return -1;
		if (json_string(&p, set->v[set->n].key, sizeof(set->v[set->n].key)) != 0 || *p++ != ':')
			return -1;
		if (json_string(&p, set->v[set->n].val, sizeof(set->v[set->n].val)) != 0)
			return -1;
		set->n++;
		if (*p == ',')
			p++;
		else if (*p != '}')
			return -1;
	}
	return 0;
}

/* kv_add - append key=value to set (silently full at JSON_MAX_PAIRS). */
static void
kv_add(struct kv_set *set, const char *key, const char *val)
{
	if (set->n == JSON_MAX_PAIRS)
		return;
	snprintf(set->v[set->n].key, sizeof(set->v[set->n].key), "%s", key);
	snprintf(set->v[set->n].val, sizeof(set->v[set->n].val), "%s", val);
	set->n++;
}

/* uri_list - the URIs of a list, comma-separated. */
static void
uri_list(const struct dmarc_uri_list *l, char *out, size_t outsize)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < l->n && len < outsize; i++)
		len += (size_t)snprintf(out + len, outsize - len, "%s%s", i ? "," : "", l->v[i].uri);
}

/* kept_tags - the tags of a parsed record that the JSON can name. */
static void
kept_tags(enum dmarc_record_status st, const struct dmarc_record *rec, struct kv_set *set)
{
	char buf[512];

	set->n = 0;
	if (st == DMARC_RECORD_NOT_DMARC || st == DMARC_RECORD_NOMEM)
		return;
	kv_add(set, "v", "DMARC1");
	if (rec->p_explicit)
		kv_add(set, "p", dmarc_policy_name(rec->p));
	if (rec->sp != DMARC_POLICY_UNSET)
		kv_add(set, "sp", dmarc_policy_name(rec->sp));
	if (rec->np != DMARC_POLICY_UNSET)
		kv_add(set, "np", dmarc_policy_name(rec->np));
	if (rec->pct >= 0) {
		snprintf(buf, sizeof(buf), "%d", rec->pct);
		kv_add(set, "pct", buf);
	}
	if (rec->rua.n > 0) {
		uri_list(&rec->rua, buf, sizeof(buf));
		kv_add(set, "rua", buf);
	}
	if (rec->ruf.n > 0) {
		uri_list(&rec->ruf, buf, sizeof(buf));
		kv_add(set, "ruf", buf);
	}
}

/* kv_find - the value of key in set, or NULL. */
static const char *
kv_find(const struct kv_set *set, const char *key)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->v[i].key, key) == 0)
			return set->v[i].val;
	return NULL;
}

/* kv_diff - describe the first difference of two sets into out; 0 when equal. */
static int
kv_diff(const struct kv_set *want, const struct kv_set *got, char *out, size_t outsize)
{
	const char *v;
	size_t i;

	for (i = 0; i < want->n; i++) {
		v = kv_find(got, want->v[i].key);
		if (v == NULL || strcmp(v, want->v[i].val) != 0) {
			snprintf(out, outsize, "%s: got \"%s\", want \"%s\"", want->v[i].key,
			    v ? v : "(absent)", want->v[i].val);
			return -1;
		}
	}
	for (i = 0; i < got->n; i++) {
		if (kv_find(want, got->v[i].key) == NULL) {
			snprintf(out, outsize, "%s=\"%s\" kept but not expected", got->v[i].key,
			    got->v[i].val);
			return -1;
		}
	}
	return 0;
}

/* parse_results - record, expected tags as a JSON object. */
static void
parse_results(struct suite *s, const struct tsv_row *r, const char *id)
{
	const char *txt = tsv_get(r, 0);
	struct kv_set *want = calloc(2, sizeof(*want));
	struct dmarc_record rec;
	enum dmarc_record_status st;
	char reason[256] = "", diff[1200] = "";

	if (want == NULL || json_object(tsv_get(r, 1), want) != 0) {
		suite_case(s, id, false, "bad expectation %s", tsv_get(r, 1));
		free(want);
		return;
	}
	st = dmarc_record_parse(txt, strlen(txt), &rec, reason, sizeof(reason));
	kept_tags(st, &rec, &want[1]);
	suite_case(s, id, kv_diff(&want[0], &want[1], diff, sizeof(diff)) == 0,
	    "record \"%s\" (%s): %s", txt, dmarc_record_status_name(st), diff);
	dmarc_record_free(&rec);
	free(want);
}

/* p_value - the text of the p= tag of a record into out ("" if none). */
static void
p_value(const char *txt, char *out, size_t outsize)
{
	const char *p = txt, *end;

	out[0] = '\0';
	while (p != NULL && *p != '\0') {
		p += strspn(p, " \t");
		if (p[0] == 'p' && (p[1] == '=' || p[1] == ' ')) {
			p = strchr(p, '=');
			if (p == NULL)
				return;
			p++;
			p += strspn(p, " \t");
			end = p + strcspn(p, "; \t");
			snprintf(out, outsize, "%.*s", (int)(end - p), p);
			return;
		}
		p = strchr(p, ';');
		if (p != NULL)
			p++;
	}
}

/* real_world - domain, record, lenient-valid: v=DMARC1 and p found. */
static void
real_world(struct suite *s, const struct tsv_row *r, const char *id)
{
	const char *txt = tsv_get(r, 1);
	struct dmarc_record rec;
	enum dmarc_record_status st;
	char reason[256] = "", p[64];
	bool ok;

	p_value(txt, p, sizeof(p));
	st = dmarc_record_parse(txt, strlen(txt), &rec, reason, sizeof(reason));
	ok = st == DMARC_RECORD_OK && rec.p_explicit && p[0] != '\0' &&
	    strcasecmp(dmarc_policy_name(rec.p), p) == 0;
	suite_case(s, id, ok, "%s \"%s\": %s (%s), p=%s, published p=%s", tsv_get(r, 0), txt,
	    dmarc_record_status_name(st), reason, rec.p_explicit ? dmarc_policy_name(rec.p) : "-", p);
	dmarc_record_free(&rec);
}

/* from_domain - From value, expected single author domain ("" = none). */
static void
from_domain(struct suite *s, const struct tsv_row *r, const char *id)
{
	const char *value = tsv_get(r, 0), *want = tsv_get(r, 1), *got = "";
	struct from_result *res = calloc(1, sizeof(*res));
	enum from_status st;

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

/* psl_exception - comma-separated rules, domain, expected org domain. */
static void
psl_exception(struct suite *s, const struct tsv_row *r, const char *id)
{
	char rules[1024], norm[DOMAIN_BUFSIZE], reason[256] = "";
	const char *dom = tsv_get(r, 1), *want = tsv_get(r, 2), *got = "";
	struct psl *psl = NULL;
	size_t i;

	snprintf(rules, sizeof(rules), "%s", tsv_get(r, 0));
	for (i = 0; rules[i] != '\0'; i++)
		if (rules[i] == ',')
			rules[i] = '\n';
	if (psl_load_buffer(rules, strlen(rules), &psl, reason, sizeof(reason)) != PSL_OK) {
		suite_case(s, id, false, "rules %s: %s", tsv_get(r, 0), reason);
		return;
	}
	if (domain_normalize(dom, strlen(dom), norm) != DOMAIN_OK ||
	    psl_org_domain(psl, norm, &got) != PSL_OK)
		got = "";
	suite_case(s, id, strcmp(got, want) == 0, "rules %s, %s: got \"%s\", want \"%s\"",
	    tsv_get(r, 0), dom, got, want);
	psl_free(psl);
}

/* run_table - every row of one file; ids are "<table>:<row number>". */
static int
run_table(struct suite *s, const char *table, table_fn fn)
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
		snprintf(id, sizeof(id), "%s:%zu", table, i + 1);
		fn(s, &t.rows[i], id);
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
		{ "policy-tag-values", policy_tag_values },
		{ "record-validity", record_validity },
		{ "parse-results", parse_results },
		{ "real-world-records", real_world },
		{ "from-header-domain", from_domain },
		{ "psl-exception-rules", psl_exception },
	};
	struct suite *s = suite_open("dmarc-mail-dmarc-cases");
	size_t i;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (run_table(s, tables[i].table, tables[i].fn) != 0)
			return 99;
	return suite_finish(s);
}
