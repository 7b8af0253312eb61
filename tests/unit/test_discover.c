/*
 * test_discover.c - unit tests for policy discovery and organizational
 * domains (discover.c): the order of the tree-walk queries, the 8-query cap
 * and the jump to 7 labels, several records discarded, non-DMARC TXT
 * ignored, psd=y / psd=n, unusable records, DNS temporary failures, the
 * memo of answers, and the RFC 7489 PSL mode.  DNS comes from fake_dns
 * tables.  Single-threaded.
 */
#include <stdio.h>
#include <string.h>

#include "discover.h"
#include "fake_dns.h"
#include "psl.h"
#include "tap.h"

#define TF "TEMPFAIL"	/* in a dns table: queries for the name fail temporarily */
#define EX NULL		/* in a dns table: the name exists (no TXT) */
#define MAXRR 8
#define MAXQ (DISCOVER_MAX_QUERIES + 1)

#define FOUND DISCOVER_FOUND
#define NONE DISCOVER_NONE
#define TEMP DISCOVER_TEMPFAIL

/* One DNS entry: name and TXT text (EX: merely exists; TF: tempfail). */
struct rr {
	const char *name, *txt;
};

struct dcase {
	const char *name;
	struct rr dns[MAXRR];
	const char *start;
	enum discover_status want_policy;	/* discover_policy(start) */
	const char *want_domain;		/* policy_domain when FOUND */
	const char *want_walk[MAXQ];		/* discover_policy's walk, in order */
	enum discover_status want_org_st;	/* discover_org_domain(start) */
	const char *want_org;			/* its answer when FOUND */
};

static const struct dcase cases[] = {
	{ "no record, short name: author, parent, TLD",
	  { { "a.example.com", EX } }, "a.example.com", NONE, NULL,
	  { "_dmarc.a.example.com", "_dmarc.example.com", "_dmarc.com" },
	  FOUND, "a.example.com" },
	{ "13 labels: full name, then 7 labels, 8 queries in all",
	  { { 0, 0 } }, "a.b.c.d.e.f.g.h.i.j.mail.example.com", NONE, NULL,
	  { "_dmarc.a.b.c.d.e.f.g.h.i.j.mail.example.com", "_dmarc.g.h.i.j.mail.example.com",
	    "_dmarc.h.i.j.mail.example.com", "_dmarc.i.j.mail.example.com",
	    "_dmarc.j.mail.example.com", "_dmarc.mail.example.com", "_dmarc.example.com",
	    "_dmarc.com" },
	  FOUND, "a.b.c.d.e.f.g.h.i.j.mail.example.com" },
	{ "8 labels: one label dropped, 8 queries",
	  { { 0, 0 } }, "a.b.c.d.e.f.example.com", NONE, NULL,
	  { "_dmarc.a.b.c.d.e.f.example.com", "_dmarc.b.c.d.e.f.example.com",
	    "_dmarc.c.d.e.f.example.com", "_dmarc.d.e.f.example.com", "_dmarc.e.f.example.com",
	    "_dmarc.f.example.com", "_dmarc.example.com", "_dmarc.com" },
	  FOUND, "a.b.c.d.e.f.example.com" },
	{ "9 labels: jump to 7",
	  { { "_dmarc.example.com", "v=DMARC1; p=reject" } }, "x.a.b.c.d.e.f.example.com", FOUND,
	  "example.com",
	  { "_dmarc.x.a.b.c.d.e.f.example.com", "_dmarc.b.c.d.e.f.example.com",
	    "_dmarc.c.d.e.f.example.com", "_dmarc.d.e.f.example.com", "_dmarc.e.f.example.com",
	    "_dmarc.f.example.com", "_dmarc.example.com", "_dmarc.com" },
	  FOUND, "example.com" },
	{ "7 labels: one label at a time, 7 queries",
	  { { 0, 0 } }, "b.c.d.e.f.example.com", NONE, NULL,
	  { "_dmarc.b.c.d.e.f.example.com", "_dmarc.c.d.e.f.example.com",
	    "_dmarc.d.e.f.example.com", "_dmarc.e.f.example.com", "_dmarc.f.example.com",
	    "_dmarc.example.com", "_dmarc.com" },
	  FOUND, "b.c.d.e.f.example.com" },
	{ "author record: policy there, walk goes on to the TLD",
	  { { "_dmarc.example.com", "v=DMARC1; p=reject" } }, "example.com", FOUND, "example.com",
	  { "_dmarc.example.com", "_dmarc.com" }, FOUND, "example.com" },
	{ "subdomain: the org domain's record",
	  { { "_dmarc.example.com", "v=DMARC1; p=reject" } }, "mail.example.com", FOUND,
	  "example.com", { "_dmarc.mail.example.com", "_dmarc.example.com", "_dmarc.com" },
	  FOUND, "example.com" },
	{ "several DMARC records at the author: discarded, org's applies",
	  { { "_dmarc.a.example.com", "v=DMARC1; p=none" },
	    { "_dmarc.a.example.com", "v=DMARC1; p=reject" },
	    { "_dmarc.example.com", "v=DMARC1; p=quarantine" } }, "a.example.com", FOUND,
	  "example.com", { "_dmarc.a.example.com", "_dmarc.example.com", "_dmarc.com" },
	  FOUND, "example.com" },
	{ "several records, one unusable: still several, all discarded",
	  { { "_dmarc.a.example.com", "v=DMARC1; p=bogus" },
	    { "_dmarc.a.example.com", "v=DMARC1; p=reject" } }, "a.example.com", NONE, NULL,
	  { "_dmarc.a.example.com", "_dmarc.example.com", "_dmarc.com" },
	  FOUND, "a.example.com" },
	{ "several records everywhere: none applies",
	  { { "_dmarc.example.com", "v=DMARC1; p=none" },
	    { "_dmarc.example.com", "v=DMARC1; p=none" } }, "example.com", NONE, NULL,
	  { "_dmarc.example.com", "_dmarc.com" }, FOUND, "example.com" },
	{ "non-DMARC TXT next to the record is ignored",
	  { { "_dmarc.example.com", "v=spf1 -all" },
	    { "_dmarc.example.com", "v=DMARC1; p=reject" },
	    { "_dmarc.example.com", "some verification token" } }, "example.com", FOUND,
	  "example.com", { "_dmarc.example.com", "_dmarc.com" }, FOUND, "example.com" },
	{ "only non-DMARC TXT: no record",
	  { { "_dmarc.example.com", "v=DMARC2; p=reject" },
	    { "_dmarc.example.com", "p=reject; v=DMARC1" } }, "example.com", NONE, NULL,
	  { "_dmarc.example.com", "_dmarc.com" }, FOUND, "example.com" },
	{ "psd=n stops the walk and is the org domain",
	  { { "_dmarc.mail.example.com", "v=DMARC1; p=quarantine; psd=n" },
	    { "_dmarc.example.com", "v=DMARC1; p=reject" } }, "a.mail.example.com", FOUND,
	  "mail.example.com", { "_dmarc.a.mail.example.com", "_dmarc.mail.example.com" },
	  FOUND, "mail.example.com" },
	{ "psd=y: org is one label below, PSD policy applies",
	  { { "_dmarc.example", "v=DMARC1; p=reject; psd=y" } }, "a.b.example", FOUND, "example",
	  { "_dmarc.a.b.example", "_dmarc.b.example", "_dmarc.example" }, FOUND, "b.example" },
	{ "psd=y: the org domain's own record wins over the PSD's",
	  { { "_dmarc.example", "v=DMARC1; p=reject; psd=y" },
	    { "_dmarc.b.example", "v=DMARC1; p=none" } }, "a.b.example", FOUND, "b.example",
	  { "_dmarc.a.b.example", "_dmarc.b.example", "_dmarc.example" }, FOUND, "b.example" },
	{ "psd=y without p or rua: org domain yes, policy no",
	  { { "_dmarc.example", "v=DMARC1; psd=y" } }, "a.b.example", NONE, NULL,
	  { "_dmarc.a.b.example", "_dmarc.b.example", "_dmarc.example" }, FOUND, "b.example" },
	{ "psd=y at the start: stops, start is the org domain",
	  { { "_dmarc.example", "v=DMARC1; p=none; psd=y" },
	    { "_dmarc.b.example", "v=DMARC1; p=reject; psd=y" } }, "b.example", FOUND, "b.example",
	  { "_dmarc.b.example" }, FOUND, "b.example" },
	{ "records at two levels: org is the fewest labels, its record applies",
	  { { "_dmarc.b.example.com", "v=DMARC1; p=quarantine" },
	    { "_dmarc.example.com", "v=DMARC1; p=reject" } }, "a.b.example.com", FOUND,
	  "example.com",
	  { "_dmarc.a.b.example.com", "_dmarc.b.example.com", "_dmarc.example.com", "_dmarc.com" },
	  FOUND, "example.com" },
	{ "unusable author record: on to the org domain",
	  { { "_dmarc.a.example.com", "v=DMARC1; p=bogus" },
	    { "_dmarc.example.com", "v=DMARC1; p=reject" } }, "a.example.com", FOUND,
	  "example.com", { "_dmarc.a.example.com", "_dmarc.example.com", "_dmarc.com" },
	  FOUND, "example.com" },
	{ "unusable record at the org domain: none",
	  { { "_dmarc.example.com", "v=DMARC1; sp=invalid; p=reject" } }, "a.example.com", NONE,
	  NULL, { "_dmarc.a.example.com", "_dmarc.example.com", "_dmarc.com" },
	  FOUND, "example.com" },
	{ "missing p with rua: usable as p=none",
	  { { "_dmarc.example.com", "v=DMARC1; rua=mailto:d@example.com" } }, "example.com",
	  FOUND, "example.com", { "_dmarc.example.com", "_dmarc.com" }, FOUND, "example.com" },
	{ "TLD author: queried like any name",
	  { { 0, 0 } }, "com", NONE, NULL, { "_dmarc.com" }, FOUND, "com" },
	{ "tempfail at the author: temperror, never none",
	  { { "_dmarc.example.com", TF } }, "example.com", TEMP, NULL, { "_dmarc.example.com" },
	  TEMP, NULL },
	{ "tempfail mid-walk without an author record",
	  { { "_dmarc.example.com", TF }, { "_dmarc.com", "v=DMARC1; p=reject; psd=y" } },
	  "a.example.com", TEMP, NULL, { "_dmarc.a.example.com", "_dmarc.example.com" },
	  TEMP, NULL },
	{ "tempfail above an author record: the policy stands, the org is unknown",
	  { { "_dmarc.a.example.com", "v=DMARC1; p=reject" }, { "_dmarc.example.com", TF } },
	  "a.example.com", FOUND, "a.example.com", { "_dmarc.a.example.com", "_dmarc.example.com" },
	  TEMP, NULL },
	{ "tempfail at the TLD",
	  { { "_dmarc.example.com", "v=DMARC1; p=reject" }, { "_dmarc.com", TF } }, "mail.example.com",
	  TEMP, NULL, { "_dmarc.mail.example.com", "_dmarc.example.com", "_dmarc.com" }, TEMP, NULL },
	{ "tempfail below a psd=n stop is not reached",
	  { { "_dmarc.example.com", "v=DMARC1; p=reject; psd=n" }, { "_dmarc.com", TF } },
	  "mail.example.com", FOUND, "example.com", { "_dmarc.mail.example.com", "_dmarc.example.com" },
	  FOUND, "example.com" },
};

/* load - publish a case's DNS table. */
static struct fake_dns *
load(const struct rr *dns)
{
	struct fake_dns *f = fake_dns_new();
	size_t i;

	for (i = 0; i < MAXRR && dns[i].name != NULL; i++) {
		if (dns[i].txt == EX)
			fake_dns_exists(f, dns[i].name);
		else if (strcmp(dns[i].txt, TF) == 0)
			fake_dns_tempfail(f, dns[i].name);
		else
			fake_dns_txt(f, dns[i].name, dns[i].txt);
	}
	return f;
}

/* walk_eq - the logged walk against a NULL-terminated list. */
static bool
walk_eq(const struct discover_walk *w, const char *const *want)
{
	size_t i;

	for (i = 0; i < MAXQ && want[i] != NULL; i++)
		if (i >= w->nqueries || strcmp(w->queries[i], want[i]) != 0)
			return false;
	return i == w->nqueries;
}

/* show_walk - print a walk when it differs. */
static void
show_walk(const struct discover_walk *w)
{
	size_t i;

	for (i = 0; i < w->nqueries; i++)
		tap_diag("    got query %zu: %s", i, w->queries[i]);
}

/* run_policy - discover_policy for one case. */
static void
run_policy(const struct dcase *c, const struct policy_env *env)
{
	struct discover *d = discover_new(env, ORG_MODE_TREEWALK, NULL);
	struct discover_policy pol;
	char why[256];
	enum discover_status st;

	st = discover_policy(d, c->start, &pol, why, sizeof(why));
	tap_inteq(st, c->want_policy, "%s: policy status", c->name);
	if (c->want_policy == FOUND)
		tap_streq(pol.policy_domain, c->want_domain, "%s: policy domain", c->name);
	else
		tap_ok(why[0] != '\0', "%s: reason given (%s)", c->name, why);
	if (!tap_ok(walk_eq(&pol.walk, c->want_walk), "%s: query order", c->name))
		show_walk(&pol.walk);
	tap_ok(pol.walk.nqueries <= DISCOVER_MAX_QUERIES, "%s: at most 8 queries", c->name);
	discover_policy_free(&pol);
	discover_free(d);
}

/* run_org - discover_org_domain for one case, on a fresh context. */
static void
run_org(const struct dcase *c, const struct policy_env *env)
{
	struct discover *d = discover_new(env, ORG_MODE_TREEWALK, NULL);
	struct discover_walk walk;
	char org[DOMAIN_BUFSIZE];
	enum discover_status st;

	st = discover_org_domain(d, c->start, org, &walk);
	tap_inteq(st, c->want_org_st, "%s: org status", c->name);
	if (c->want_org_st == FOUND)
		tap_streq(org, c->want_org, "%s: org domain", c->name);
	else
		tap_streq(org, "", "%s: no org domain on failure", c->name);
	discover_free(d);
}

/* test_memo - each _dmarc name reaches the DNS once per context. */
static void
test_memo(void)
{
	static const struct rr dns[] = {
		{ "_dmarc.example.com", "v=DMARC1; p=reject" }, { "_dmarc.com", TF }, { 0, 0 }
	};
	struct fake_dns *f = load(dns);
	struct policy_env env = fake_dns_env(f);
	struct discover *d = discover_new(&env, ORG_MODE_TREEWALK, NULL);
	struct discover_policy pol;
	struct discover_walk walk;
	char org[DOMAIN_BUFSIZE], why[256];
	size_t i, j;

	discover_policy(d, "a.example.com", &pol, why, sizeof(why));
	discover_policy_free(&pol);
	discover_org_domain(d, "a.example.com", org, &walk);
	discover_org_domain(d, "b.example.com", org, NULL);
	discover_org_domain(d, "EXAMPLE.com", org, NULL);
	tap_inteq(walk.nqueries, 3, "memo: the logical walk still lists 3 queries");
	tap_inteq(discover_query_count(d), 4, "memo: 4 distinct names queried");
	tap_inteq(fake_dns_nqueries(f), discover_query_count(d), "memo: count matches the DNS log");
	for (i = 0; i < fake_dns_nqueries(f); i++)
		for (j = i + 1; j < fake_dns_nqueries(f); j++)
			tap_ok(strcmp(fake_dns_query(f, i), fake_dns_query(f, j)) != 0,
			    "memo: %s not asked twice", fake_dns_query(f, i));
	tap_inteq(discover_query_count(NULL), 0, "memo: NULL context counts nothing");
	discover_free(d);
	fake_dns_free(f);
}

/* test_edges - odd inputs. */
static void
test_edges(void)
{
	struct fake_dns *f = fake_dns_new();
	struct policy_env env = fake_dns_env(f);
	struct discover *d = discover_new(&env, ORG_MODE_TREEWALK, NULL);
	struct discover_policy pol;
	char org[DOMAIN_BUFSIZE], why[256], longname[DOMAIN_BUFSIZE], label[64];
	size_t i;

	tap_inteq(discover_policy(d, "", &pol, why, sizeof(why)), NONE, "empty author: none");
	tap_inteq(pol.walk.nqueries, 0, "empty author: no query");
	discover_policy_free(&pol);
	tap_inteq(discover_org_domain(d, "", org, NULL), NONE, "empty name: no org domain");
	/* 63 + 63 + 63 + 60 + 3 dots = 252 bytes: "_dmarc." in front would pass the DNS limit. */
	for (i = 0; i < 63; i++)
		label[i] = 'a';
	label[63] = '\0';
	snprintf(longname, sizeof(longname), "%s.%s.%s.%.60s", label, label, label, label);
	tap_inteq((long long)strlen(longname), 252, "long name: 252 bytes");
	tap_inteq(discover_policy(d, longname, &pol, why, sizeof(why)), NONE, "long name: none");
	tap_inteq(pol.walk.nqueries, 4, "long name: 4 logical queries");
	tap_inteq(fake_dns_nqueries(f), 3, "long name: the too-long _dmarc name is not sent");
	discover_policy_free(&pol);
	tap_ok(discover_new(&env, ORG_MODE_PSL, NULL) == NULL, "PSL mode needs a list");
	tap_ok(discover_new(NULL, ORG_MODE_TREEWALK, NULL) == NULL, "an env is needed");
	tap_streq(org_mode_name(ORG_MODE_TREEWALK), "treewalk", "mode name treewalk");
	tap_streq(org_mode_name(ORG_MODE_PSL), "psl", "mode name psl");
	discover_free(d);
	discover_free(NULL);
	fake_dns_free(f);
}

struct pcase {
	const char *name;
	struct rr dns[MAXRR];
	const char *author;
	enum discover_status want;
	const char *want_domain, *want_org;
	const char *want_walk[3];
};

static const struct pcase pcases[] = {
	{ "psl: author record", { { "_dmarc.a.example.co.uk", "v=DMARC1; p=reject" } },
	  "a.example.co.uk", FOUND, "a.example.co.uk", "example.co.uk",
	  { "_dmarc.a.example.co.uk" } },
	{ "psl: org record", { { "_dmarc.example.co.uk", "v=DMARC1; p=reject" } },
	  "a.b.example.co.uk", FOUND, "example.co.uk", "example.co.uk",
	  { "_dmarc.a.b.example.co.uk", "_dmarc.example.co.uk" } },
	{ "psl: several at the author end discovery", { { "_dmarc.a.example.co.uk", "v=DMARC1; p=none" },
	  { "_dmarc.a.example.co.uk", "v=DMARC1; p=none" }, { "_dmarc.example.co.uk", "v=DMARC1; p=reject" } },
	  "a.example.co.uk", NONE, NULL, "example.co.uk", { "_dmarc.a.example.co.uk" } },
	{ "psl: the org domain is the author: one query", { { 0, 0 } },
	  "example.co.uk", NONE, NULL, "example.co.uk", { "_dmarc.example.co.uk" } },
	{ "psl: no walk above the org domain", { { "_dmarc.co.uk", "v=DMARC1; p=reject; psd=y" } },
	  "a.example.co.uk", NONE, NULL, "example.co.uk",
	  { "_dmarc.a.example.co.uk", "_dmarc.example.co.uk" } },
	{ "psl: tempfail at the org domain", { { "_dmarc.example.co.uk", TF } },
	  "a.example.co.uk", TEMP, NULL, "example.co.uk",
	  { "_dmarc.a.example.co.uk", "_dmarc.example.co.uk" } },
	{ "psl: public suffix author is its own org", { { 0, 0 } },
	  "co.uk", NONE, NULL, "co.uk", { "_dmarc.co.uk" } },
};

/* test_psl - RFC 7489 mode with a two-rule list. */
static void
test_psl(void)
{
	static const char list[] = "uk\nco.uk\ncom\n";
	struct psl *psl = NULL;
	char why[256], org[DOMAIN_BUFSIZE];
	size_t i;

	if (psl_load_buffer(list, sizeof(list) - 1, &psl, why, sizeof(why)) != PSL_OK) {
		tap_ok(false, "psl: load the test list (%s)", why);
		return;
	}
	for (i = 0; i < sizeof(pcases) / sizeof(pcases[0]); i++) {
		const struct pcase *c = &pcases[i];
		struct fake_dns *f = load(c->dns);
		struct policy_env env = fake_dns_env(f);
		struct discover *d = discover_new(&env, ORG_MODE_PSL, psl);
		struct discover_policy pol;

		tap_inteq(discover_policy(d, c->author, &pol, why, sizeof(why)), c->want, "%s: status", c->name);
		if (c->want == FOUND)
			tap_streq(pol.policy_domain, c->want_domain, "%s: policy domain", c->name);
		tap_inteq(pol.mode, ORG_MODE_PSL, "%s: mode recorded", c->name);
		if (!tap_ok(walk_eq(&pol.walk, c->want_walk), "%s: queries", c->name))
			show_walk(&pol.walk);
		tap_inteq(discover_org_domain(d, c->author, org, NULL), FOUND, "%s: org status", c->name);
		tap_streq(org, c->want_org, "%s: org domain from the list", c->name);
		discover_policy_free(&pol);
		discover_free(d);
		fake_dns_free(f);
	}
	psl_free(psl);
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_dns *f = load(cases[i].dns);
		struct policy_env env = fake_dns_env(f);

		run_policy(&cases[i], &env);
		run_org(&cases[i], &env);
		fake_dns_free(f);
	}
	test_memo();
	test_edges();
	test_psl();
	return tap_done();
}
