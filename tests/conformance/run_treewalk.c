/*
 * run_treewalk.c - conformance runner for the DMARCbis tree-walk, policy
 * discovery and evaluation cases (testdata/dmarcbis-treewalk/cases.yaml).
 *
 * Each case carries its DNS (dns.txt, dns.exists) and inputs; the runner
 * plays the DNS with fake_dns, runs discover_policy / discover_org_domain /
 * verdict_evaluate in tree-walk mode and checks every expect key present
 * (an unknown key fails the case rather than being skipped).  The README's
 * "disposition" has no "pass": a passing message is disposition none there.
 * A case marked "disputed: true" also passes under the other reading the
 * README names (no DMARC processing: result none, disposition none).
 * With TREEWALK_VERBOSE set, every case's reason line is printed.
 * Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "align.h"
#include "discover.h"
#include "domain.h"
#include "fake_dns.h"
#include "results.h"
#include "suite.h"
#include "tap.h"
#include "verdict.h"
#include "yaml_tree.h"

#define DETAIL_MAX 1800

/* One case being run. */
struct run {
	const struct ynode *c;
	const char *author;		/* normalised author domain */
	char author_buf[DOMAIN_BUFSIZE];
	struct fake_dns *dns;
	struct policy_env env;
	struct verdict v;
	char detail[DETAIL_MAX];
	size_t dlen;
};

/* mismatch - note one mismatching key. */
static void
mismatch(struct run *r, const char *key, const char *got, const char *want)
{
	int n;

	if (r->dlen >= sizeof(r->detail) - 1)
		return;
	n = snprintf(r->detail + r->dlen, sizeof(r->detail) - r->dlen, "%s%s: got %s, want %s",
	    r->dlen > 0 ? "; " : "", key, got, want);
	if (n > 0)
		r->dlen += (size_t)n;
	if (r->dlen >= sizeof(r->detail))
		r->dlen = sizeof(r->detail) - 1;
}

/* check_str - compare one string outcome. */
static void
check_str(struct run *r, const char *key, const char *got, const char *want)
{
	if (want == NULL || strcmp(got, want) != 0)
		mismatch(r, key, got, want != NULL ? want : "(not a scalar)");
}

/* check_bool - compare one boolean outcome with expect.<key>. */
static void
check_bool(struct run *r, const struct ynode *expect, const char *key, bool got)
{
	bool want = ynode_bool(expect, key, !got);

	if (got != want)
		mismatch(r, key, got ? "true" : "false", want ? "true" : "false");
}

/* norm - normalise a domain from the YAML (empty on error). */
static void
norm(const char *in, char *out)
{
	if (in == NULL || domain_normalize(in, strlen(in), out) != DOMAIN_OK)
		out[0] = '\0';
}

/* load_dns - publish dns.txt and dns.exists. */
static void
load_dns(struct run *r)
{
	const struct ynode *dns = ynode_get(r->c, "dns");
	const struct ynode *txt = ynode_get(dns, "txt"), *ex = ynode_get(dns, "exists");
	size_t i, j;

	for (i = 0; txt != NULL && txt->type == YNODE_MAP && i < txt->n; i++)
		for (j = 0; txt->items[i]->type == YNODE_SEQ && j < txt->items[i]->n; j++)
			fake_dns_txt(r->dns, txt->keys[i], txt->items[i]->items[j]->scalar);
	for (i = 0; ex != NULL && ex->type == YNODE_SEQ && i < ex->n; i++)
		fake_dns_exists(r->dns, ex->items[i]->scalar);
}

/* add_spf - one SPF result from a {domain, scope, result} map. */
static void
add_spf(struct verdict_input *in, const struct ynode *m)
{
	struct verdict_spf *s;
	const char *scope = ynode_str(m, "scope"), *res = ynode_str(m, "result");

	if (in->nspf >= VERDICT_MAX_SPF)
		return;
	s = &in->spf[in->nspf++];
	norm(ynode_str(m, "domain"), s->domain);
	s->scope = SPF_SCOPE_MFROM;
	if (scope != NULL && !spf_scope_from_name(scope, &s->scope))
		tap_diag("unknown SPF scope %s", scope);
	if (res == NULL || !spf_result_from_name(res, &s->result))
		s->result = SPF_RES_NONE;
}

/* load_input - the verdict input of a case. */
static void
load_input(struct run *r, struct verdict_input *in)
{
	const struct ynode *input = ynode_get(r->c, "input");
	const struct ynode *spfs = ynode_get(input, "spf_results"), *dkim = ynode_get(input, "dkim");
	const char *res;
	size_t i;

	memset(in, 0, sizeof(*in));
	in->mode = ORG_MODE_TREEWALK;
	norm(ynode_str(input, "author_domain"), r->author_buf);
	r->author = r->author_buf;
	if (r->author[0] != '\0') {
		memcpy(in->authors[0], r->author, sizeof(r->author_buf));
		in->nauthors = 1;
	}
	if (ynode_get(input, "spf") != NULL)
		add_spf(in, ynode_get(input, "spf"));
	for (i = 0; spfs != NULL && spfs->type == YNODE_SEQ && i < spfs->n; i++)
		add_spf(in, spfs->items[i]);
	for (i = 0; dkim != NULL && dkim->type == YNODE_SEQ && i < dkim->n &&
	    in->ndkim < VERDICT_MAX_DKIM; i++) {
		struct verdict_dkim *k = &in->dkim[in->ndkim++];

		norm(ynode_str(dkim->items[i], "domain"), k->domain);
		snprintf(k->selector, sizeof(k->selector), "%s",
		    ynode_str(dkim->items[i], "selector") ? ynode_str(dkim->items[i], "selector") : "");
		res = ynode_str(dkim->items[i], "result");
		if (res == NULL || !dkim_result_from_name(res, &k->result))
			k->result = DKIM_RES_NONE;
	}
}

/* check_walk - a query list against a YAML sequence. */
static void
check_walk(struct run *r, const char *key, const struct discover_walk *w, const struct ynode *want)
{
	char got[DISCOVER_MAX_QUERIES * (DOMAIN_BUFSIZE + 9)] = "";
	size_t i, len = 0;
	bool same = want != NULL && want->type == YNODE_SEQ && want->n == w->nqueries;

	for (i = 0; same && i < w->nqueries; i++)
		same = want->items[i]->type == YNODE_SCALAR &&
		    strcmp(want->items[i]->scalar, w->queries[i]) == 0;
	if (same)
		return;
	for (i = 0; i < w->nqueries && len < sizeof(got); i++)
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s", i ? "," : "", w->queries[i]);
	mismatch(r, key, got[0] ? got : "(none)", "the listed queries");
}

/* check_author_walk - expect.author_tree_walk_queries. */
static void
check_author_walk(struct run *r, const struct ynode *want)
{
	struct discover *d = discover_new(&r->env, ORG_MODE_TREEWALK, NULL);
	struct discover_policy pol;
	char why[256];

	if (d == NULL)
		exit(99);
	(void)discover_policy(d, r->author, &pol, why, sizeof(why));
	check_walk(r, "author_tree_walk_queries", &pol.walk, want);
	discover_policy_free(&pol);
	discover_free(d);
}

/* check_orgs - expect.tree_walk_queries (walks) or expect.organizational_domain (orgs). */
static void
check_orgs(struct run *r, const char *key, const struct ynode *want, bool walks)
{
	struct discover *d;
	struct discover_walk walk;
	char name[DOMAIN_BUFSIZE], org[DOMAIN_BUFSIZE], k[DOMAIN_BUFSIZE + 64];
	size_t i;

	for (i = 0; want != NULL && want->type == YNODE_MAP && i < want->n; i++) {
		if ((d = discover_new(&r->env, ORG_MODE_TREEWALK, NULL)) == NULL)
			exit(99);
		norm(want->keys[i], name);
		snprintf(k, sizeof(k), "%s[%s]", key, want->keys[i]);
		if (discover_org_domain(d, name, org, &walk) != DISCOVER_FOUND)
			snprintf(org, sizeof(org), "(failed)");
		if (walks)
			check_walk(r, k, &walk, want->items[i]);
		else
			check_str(r, k, org, want->items[i]->scalar);
		discover_free(d);
	}
}

/* achieved_mode - the alignment an aligned identifier reached: strict when identical. */
static const char *
achieved_mode(const struct verdict *v, bool aligned, const char *id, enum dmarc_align mode)
{
	if (!aligned)
		return align_mode_name(mode);
	return domain_equal(id, v->header_from) ? "strict" : "relaxed";
}

/* check_verdict_key - one expect key answered by the verdict; false when unknown. */
static bool
check_verdict_key(struct run *r, const struct ynode *expect, const char *key, const char *want)
{
	const struct verdict *v = &r->v;

	if (strcmp(key, "policy_domain") == 0)
		check_str(r, key, v->policy_domain, want);
	else if (strcmp(key, "policy_record_found") == 0)
		check_bool(r, expect, key, v->record_found);
	else if (strcmp(key, "author_domain_exists") == 0)
		check_str(r, key, v->author_exists == TRI_YES ? "true" :
		    v->author_exists == TRI_NO ? "false" : "unknown", want);
	else if (strcmp(key, "applied_policy_tag") == 0)
		check_str(r, key, policy_tag_name(v->applied_tag), want);
	else if (strcmp(key, "applied_policy") == 0)
		check_str(r, key, dmarc_policy_name(v->policy), want);
	else if (strcmp(key, "published_policy") == 0)
		check_str(r, key, v->record_found ? dmarc_policy_name(v->record.p) : "(no record)", want);
	else if (strcmp(key, "spf_aligned") == 0)
		check_bool(r, expect, key, v->spf_aligned);
	else if (strcmp(key, "dkim_aligned") == 0)
		check_bool(r, expect, key, v->dkim_aligned);
	else if (strcmp(key, "spf_alignment_mode") == 0)
		check_str(r, key, achieved_mode(v, v->spf_aligned, v->spf_domain, v->spf_mode), want);
	else if (strcmp(key, "dkim_alignment_mode") == 0)
		check_str(r, key, achieved_mode(v, v->dkim_aligned, v->dkim_domain, v->dkim_mode), want);
	else if (strcmp(key, "author_is_subdomain_of_org") == 0)
		check_bool(r, expect, key, v->org_domain[0] != '\0' &&
		    !domain_equal(v->header_from, v->org_domain) &&
		    domain_is_within(v->header_from, v->org_domain));
	else if (strcmp(key, "dmarc_result") == 0)
		check_str(r, key, dmarc_result_name(v->result), want);
	else if (strcmp(key, "disposition") == 0)
		check_str(r, key, v->disposition == DISP_PASS ? "none" :
		    disposition_name(v->disposition), want);
	else
		return false;
	return true;
}

/* check_expect - every key of expect. */
static void
check_expect(struct run *r, const struct ynode *expect)
{
	const char *key;
	size_t i;

	for (i = 0; expect != NULL && expect->type == YNODE_MAP && i < expect->n; i++) {
		key = expect->keys[i];
		if (strcmp(key, "note") == 0 || strcmp(key, "disputed") == 0)
			continue;
		if (strcmp(key, "author_tree_walk_queries") == 0)
			check_author_walk(r, expect->items[i]);
		else if (strcmp(key, "tree_walk_queries") == 0)
			check_orgs(r, key, expect->items[i], true);
		else if (strcmp(key, "organizational_domain") == 0)
			check_orgs(r, key, expect->items[i], false);
		else if (!check_verdict_key(r, expect, key, expect->items[i]->scalar))
			mismatch(r, key, "(no such check)", "a known expect key");
	}
}

/* other_reading - the README's second reading of a disputed case: DMARC not applied. */
static bool
other_reading(const struct verdict *v)
{
	return !v->record_found && v->result == DMARC_RES_NONE && v->disposition == DISP_NONE;
}

/* run_case - one case. */
static void
run_case(struct suite *s, const struct ynode *c)
{
	struct run r;
	struct verdict_input in;
	const struct ynode *expect = ynode_get(c, "expect");
	const char *id = ynode_str(c, "id");
	bool passed;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.dns = fake_dns_new();
	r.env = fake_dns_env(r.dns);
	load_dns(&r);
	load_input(&r, &in);
	if (verdict_evaluate(&r.env, &in, &r.v) != VERDICT_OK)
		mismatch(&r, "verdict_evaluate", "nomem", "ok");
	check_expect(&r, expect);
	passed = r.dlen == 0;
	if (!passed && ynode_bool(expect, "disputed", false) && other_reading(&r.v)) {
		tap_diag("%s: disputed case, read as RFC 9989 4.10.1 (no valid p, no rua: "
		    "no DMARC processing): %s", id, str_cstr(&r.v.reason));
		passed = true;
	}
	if (getenv("TREEWALK_VERBOSE") != NULL)
		tap_diag("%s: %s", id, str_cstr(&r.v.reason));
	suite_case(s, id != NULL ? id : "(no id)", passed, "%s [%s]", r.detail, str_cstr(&r.v.reason));
	verdict_free(&r.v);
	fake_dns_free(r.dns);
}

int
main(void)
{
	struct suite *s = suite_open("dmarcbis-treewalk");
	struct ynode *root;
	const struct ynode *cases;
	char err[512];
	size_t i;

	root = yaml_load_file(suite_path(s, "cases.yaml"), err, sizeof(err));
	if (root == NULL) {
		printf("Bail out! cases.yaml: %s\n", err);
		return 99;
	}
	cases = ynode_get(root, "cases");
	if (cases == NULL || cases->type != YNODE_SEQ) {
		printf("Bail out! cases.yaml: no cases sequence\n");
		ynode_free(root);
		return 99;
	}
	for (i = 0; i < cases->n; i++)
		run_case(s, cases->items[i]);
	ynode_free(root);
	return suite_finish(s);
}
