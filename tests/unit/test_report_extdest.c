/*
 * test_report_extdest.c - unit tests for reports/extdest.c, the RFC 9990
 * section 4 external destination check, over the resolver's zone-file
 * mode (milter/resolver.c; no network): same organization (no query),
 * authorized, not authorized (no record, not a DMARC record, v=DMARC1 not
 * first), two records, the rua override (same host: used; another host:
 * nothing sent; no mailto:), a DNS timeout (deferred, never refused), a
 * name too long for the DNS, a timeout while finding Organizational
 * Domains, and the PSL mode.  The same check against a real nsd is
 * tests/reports/send_dns.sh.  Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extdest.h"
#include "tap.h"
#include "testfile.h"

static const char zone[] =
    "_dmarc.example.com. TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@example.com\"\n"
    "example.com._report._dmarc.thirdparty.example. TXT \"v=DMARC1\"\n"
    "example.com._report._dmarc.notdmarc.example. TXT \"v=spf1 -all\"\n"
    "example.com._report._dmarc.late.example. TXT \"p=none; v=DMARC1\"\n"
    "example.com._report._dmarc.two.example. TXT \"something else\"\n"
    "example.com._report._dmarc.two.example. TXT \"v=DMARC1;\"\n"
    "example.com._report._dmarc.override.example. TXT \"v=DMARC1; rua=mailto:other@override.example!5k\"\n"
    "example.com._report._dmarc.same.example. TXT \"v=DMARC1; rua=mailto:r@same.example\"\n"
    "example.com._report._dmarc.elsewhere.example. TXT \"v=DMARC1; rua=mailto:r@elsewhere.example,mailto:x@evil.example\"\n"
    "example.com._report._dmarc.https.example. TXT \"v=DMARC1; rua=https://https.example/r\"\n"
    "example.com._report._dmarc.slow.example. TIMEOUT\n"
    "_dmarc.slowwalk.example. TIMEOUT\n"
    "_dmarc.slowwalk2.example. TIMEOUT\n"
    "example.com._report._dmarc.slowwalk2.example. TXT \"v=DMARC1\"\n";

struct case_ {
	const char *name;
	const char *policy;
	const char *to;			/* the mailto: URI */
	enum org_mode mode;
	enum extdest_status want;
	int external;
	const char *final;		/* the address sent to on OK */
	const char *why;		/* substring of why */
};

static const struct case_ cases[] = {
	{ "same domain", "example.com", "mailto:dmarc@example.com", ORG_MODE_TREEWALK, EXTDEST_OK, 0,
	    "dmarc@example.com", "same organization" },
	{ "same domain, other case", "example.com", "mailto:d@EXAMPLE.com", ORG_MODE_TREEWALK,
	    EXTDEST_OK, 0, "d@example.com", "same organization" },
	{ "subdomain of the organizational domain", "example.com", "mailto:d@reports.example.com",
	    ORG_MODE_TREEWALK, EXTDEST_OK, 0, "d@reports.example.com", "same organization" },
	{ "policy at a subdomain, rua at the org domain", "sub.example.com",
	    "mailto:d@example.com", ORG_MODE_TREEWALK, EXTDEST_OK, 0, "d@example.com",
	    "same organization" },
	{ "external, authorized", "example.com", "mailto:r@thirdparty.example", ORG_MODE_TREEWALK,
	    EXTDEST_OK, 1, "r@thirdparty.example",
	    "authorized by v=DMARC1 at example.com._report._dmarc.thirdparty.example" },
	{ "external, no record", "example.com", "mailto:r@nobody.example", ORG_MODE_TREEWALK,
	    EXTDEST_REFUSED, 1, NULL,
	    "not authorized (no v=DMARC1 at example.com._report._dmarc.nobody.example)" },
	{ "external, another policy domain", "example.org", "mailto:r@thirdparty.example",
	    ORG_MODE_TREEWALK, EXTDEST_REFUSED, 1, NULL,
	    "no v=DMARC1 at example.org._report._dmarc.thirdparty.example" },
	{ "external, not a DMARC record", "example.com", "mailto:r@notdmarc.example",
	    ORG_MODE_TREEWALK, EXTDEST_REFUSED, 1, NULL, "not authorized (no v=DMARC1" },
	{ "external, v=DMARC1 not first", "example.com", "mailto:r@late.example", ORG_MODE_TREEWALK,
	    EXTDEST_REFUSED, 1, NULL, "not authorized (no v=DMARC1" },
	{ "external, two records, one DMARC", "example.com", "mailto:r@two.example",
	    ORG_MODE_TREEWALK, EXTDEST_OK, 1, "r@two.example", "authorized" },
	{ "override on the same host", "example.com", "mailto:r@override.example",
	    ORG_MODE_TREEWALK, EXTDEST_OK, 1, "other@override.example",
	    "whose rua names mailto:other@override.example instead" },
	{ "override naming the same address", "example.com", "mailto:r@same.example",
	    ORG_MODE_TREEWALK, EXTDEST_OK, 1, "r@same.example", "authorized by v=DMARC1" },
	{ "override with another host", "example.com", "mailto:r@elsewhere.example",
	    ORG_MODE_TREEWALK, EXTDEST_REFUSED, 1, NULL,
	    "sends reports on to another host (evil.example): not sent to either" },
	{ "override without mailto", "example.com", "mailto:r@https.example", ORG_MODE_TREEWALK,
	    EXTDEST_REFUSED, 1, NULL, "no usable mailto: URI" },
	{ "DNS timeout: deferred", "example.com", "mailto:r@slow.example", ORG_MODE_TREEWALK,
	    EXTDEST_TEMPFAIL, 1, NULL,
	    "DNS temporary failure at example.com._report._dmarc.slow.example" },
	{ "timeout finding the org domain, no record: deferred", "example.com",
	    "mailto:r@slowwalk.example", ORG_MODE_TREEWALK, EXTDEST_TEMPFAIL, 1, NULL,
	    "organizational domain of slowwalk.example not determined (DNS temporary failure)" },
	{ "timeout finding the org domain, authorized anyway", "example.com",
	    "mailto:r@slowwalk2.example", ORG_MODE_TREEWALK, EXTDEST_OK, 1, "r@slowwalk2.example",
	    "authorized by v=DMARC1" },
	{ "psl: subdomain, same organization", "example.com", "mailto:d@reports.example.com",
	    ORG_MODE_PSL, EXTDEST_OK, 0, "d@reports.example.com", "same organization" },
	{ "psl: registrable domains differ", "example.co.uk", "mailto:d@other.co.uk", ORG_MODE_PSL,
	    EXTDEST_REFUSED, 1, NULL, "no v=DMARC1 at example.co.uk._report._dmarc.other.co.uk" },
	{ "psl: external, authorized", "example.com", "mailto:r@thirdparty.example", ORG_MODE_PSL,
	    EXTDEST_OK, 1, "r@thirdparty.example", "authorized" },
};

static void
run_case(const struct extdest_config *base, const struct psl *psl, const struct case_ *c)
{
	struct extdest_config x = *base;
	struct extdest_result res;
	enum extdest_status st;
	char why[256];
	struct rua r;
	bool ok;

	x.mode = c->mode;
	x.psl = psl;
	if (rua_parse(c->to, strlen(c->to), &r, why, sizeof(why)) != RUA_OK) {
		tap_ok(false, "extdest: %s: rua %s parses (%s)", c->name, c->to, why);
		return;
	}
	st = extdest_check(&x, c->policy, &r, &res);
	ok = st == c->want && res.external == (c->external != 0) && strstr(res.why, c->why) != NULL;
	if (ok && st == EXTDEST_OK)
		ok = strcmp(res.dest.addr, c->final) == 0;
	if (!tap_ok(ok, "extdest: %s: %s", c->name, extdest_status_name(c->want)))
		tap_diag("got %s, external %d, dest %s, why \"%s\"", extdest_status_name(st),
		    (int)res.external, res.dest.addr, res.why);
}

/* test_override_size - the override's "!size" replaces the destination's. */
static void
test_override_size(const struct extdest_config *x)
{
	struct extdest_result res;
	char why[128];
	struct rua r;

	rua_parse("mailto:r@override.example!10m", 29, &r, why, sizeof(why));
	tap_ok(extdest_check(x, "example.com", &r, &res) == EXTDEST_OK && res.overridden &&
	    res.dest.has_size && res.dest.size_limit == 5120, "extdest: override brings its !5k");
}

/* test_too_long - step 4: the name does not fit the DNS. */
static void
test_too_long(const struct extdest_config *x)
{
	char policy[260], uri[128], why[128];
	struct extdest_result res;
	struct rua r;

	/* 3 labels of 63 and "example": 199 bytes; with the host well over 253 */
	snprintf(policy, sizeof(policy), "%.63s.%.63s.%.63s.example",
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
	    "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
	snprintf(uri, sizeof(uri), "mailto:r@reports-for-many-domains.thirdparty.example");
	rua_parse(uri, strlen(uri), &r, why, sizeof(why));
	tap_ok(extdest_check(x, policy, &r, &res) == EXTDEST_REFUSED && res.external &&
	    strstr(res.why, "is too long for the DNS") != NULL, "extdest: name too long (%s)",
	    res.why);
}

int
main(void)
{
	char dir[] = "/tmp/test_extdest.XXXXXX", path[64], err[256];
	struct resolver_config rc = { .timeout_ms = 2000 };
	struct extdest_config x = { .budget_ms = 5000 };
	struct psl *psl = NULL;
	static const char psl_text[] = "com\nuk\nco.uk\nexample\n";
	FILE *f;
	size_t i;

	if (mkdtemp(dir) == NULL)
		tap_skip_all("mkdtemp failed");
	snprintf(path, sizeof(path), "%s/zone", dir);
	if ((f = fopen(path, "w")) == NULL)
		tap_skip_all("cannot write the zone");
	fputs(zone, f);
	fclose(f);
	rc.zone_file = path;
	x.resolver = resolver_new(&rc, err, sizeof(err));
	if (!tap_ok(x.resolver != NULL, "zone-file resolver (%s)", x.resolver ? "" : err))
		return tap_done();
	tap_ok(psl_load_buffer(psl_text, strlen(psl_text), &psl, err, sizeof(err)) == PSL_OK,
	    "a small PSL");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&x, psl, &cases[i]);
	test_override_size(&x);
	test_too_long(&x);
	resolver_free(x.resolver);
	psl_free(psl);
	test_rm_rf(dir);
	return tap_done();
}
