/*
 * test_spf.c - table tests of milter/spf.c: libspf2 over the resolver in
 * zone-file mode.  Single-threaded; run by make check.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolver.h"
#include "spf.h"
#include "tap.h"

/* manymx.test: 11 MX names (RFC 7208 4.6.4 allows 10). */
static const char zone_mx[] =
    "manymx.test. IN MX 1 m1.test.\nmanymx.test. IN MX 2 m2.test.\n"
    "manymx.test. IN MX 3 m3.test.\nmanymx.test. IN MX 4 m4.test.\n"
    "manymx.test. IN MX 5 m5.test.\nmanymx.test. IN MX 6 m6.test.\n"
    "manymx.test. IN MX 7 m7.test.\nmanymx.test. IN MX 8 m8.test.\n"
    "manymx.test. IN MX 9 m9.test.\nmanymx.test. IN MX 10 m10.test.\n"
    "manymx.test. IN MX 11 m11.test.\n";

static const char zone[] =
    "pass.test. IN TXT \"v=spf1 ip4:192.0.2.1 -all\"\n"
    "fail.test. IN TXT \"v=spf1 -all\"\n"
    "soft.test. IN TXT \"v=spf1 ~all\"\n"
    "neutral.test. IN TXT \"v=spf1 ?all\"\n"
    "nospf.test. IN TXT \"some other text\"\n"
    "mx.test. IN TXT \"v=spf1 mx -all\"\n"
    "mx.test. IN MX 10 mail.mx.test.\n"
    "mail.mx.test. IN A 192.0.2.7\n"
    "mail.mx.test. IN AAAA 2001:db8::7\n"
    "a.test. IN TXT \"v=spf1 a:host.a.test -all\"\n"
    "host.a.test. IN A 192.0.2.9\n"
    "inc.test. IN TXT \"v=spf1 include:slow.test -all\"\n"
    "slow.test. TIMEOUT\n"
    "syntax.test. IN TXT \"v=spf1 ip4:192.0.2.300 -all\"\n"
    "badmech.test. IN TXT \"v=spf1 frobnicate -all\"\n"
    "two.test. IN TXT \"v=spf1 -all\"\n"
    "two.test. IN TXT \"v=spf1 +all\"\n"
    "exp.test. IN TXT \"v=spf1 -all exp=why.exp.test\"\n"
    "why.exp.test. IN TXT \"go away %{i}\"\n"
    "helo.test. IN TXT \"v=spf1 ip4:192.0.2.50 -all\"\n"
    "zero4.test. IN TXT \"v=spf1 ip4:10.0.0.0/0 -all\"\n"
    "zero6.test. IN TXT \"v=spf1 ip6:2001:db8::/0 -all\"\n"
    "azero.test. IN TXT \"v=spf1 a/0//0 -all\"\n"
    "azero.test. IN A 10.9.9.9\n"
    "mxzero.test. IN TXT \"v=spf1 mx/0 -all\"\n"
    "mxzero.test. IN MX 10 mail.mx.test.\n"
    "voids.test. IN TXT \"v=spf1 a:n1.test a:n2.test a:n3.test ?all\"\n"
    "voids2.test. IN TXT \"v=spf1 a:n1.test a:n2.test ?all\"\n"
    "terms.test. IN TXT \"v=spf1 a a a a a a a a a a a ?all\"\n"
    "terms.test. IN A 10.0.0.1\n"
    "terms10.test. IN TXT \"v=spf1 a a a a a a a a a a ?all\"\n"
    "terms10.test. IN A 10.0.0.1\n"
    "manymx.test. IN TXT \"v=spf1 mx ?all\"\n"
    "badend.test. IN TXT \"v=spf1 a:example.123 -all\"\n"
    "badmacro.test. IN TXT \"v=spf1 exists:%{q}.test -all\"\n"
    "unknownmod.test. IN TXT \"v=spf1 foo.bar=x:y/z ip4:192.0.2.1 -all\"\n"
    "redirall.test. IN TXT \"v=spf1 ~all redirect=redirall.test\"\n"
    "tworedir.test. IN TXT \"v=spf1 redirect=a.test redirect=a.test\"\n"
    "nul.test. IN TXT \"v=spf1 ip4:192.0.2.1\\000 -all\"\n"
    "longlabel.test. IN TXT \"v=spf1 a:"
    "a123456789012345678901234567890123456789012345678901234567890123.test"
    " -all\"\n";

struct spf_case {
	const char *name;
	const char *ip, *helo, *from;
	enum spf_scope scope;
	enum spf_result want;
	enum spf_scope want_scope;
	const char *want_domain;
};

static const struct spf_case cases[] = {
	{"pass", "192.0.2.1", "x.test", "a@pass.test", SPF_SCOPE_MFROM,
	    SPF_RES_PASS, SPF_SCOPE_MFROM, "pass.test"},
	{"not listed", "192.0.2.2", "x.test", "a@pass.test", SPF_SCOPE_MFROM,
	    SPF_RES_FAIL, SPF_SCOPE_MFROM, "pass.test"},
	{"fail", "192.0.2.1", "x.test", "a@fail.test", SPF_SCOPE_MFROM,
	    SPF_RES_FAIL, SPF_SCOPE_MFROM, "fail.test"},
	{"softfail", "192.0.2.1", "x.test", "a@soft.test", SPF_SCOPE_MFROM,
	    SPF_RES_SOFTFAIL, SPF_SCOPE_MFROM, "soft.test"},
	{"neutral", "192.0.2.1", "x.test", "a@neutral.test", SPF_SCOPE_MFROM,
	    SPF_RES_NEUTRAL, SPF_SCOPE_MFROM, "neutral.test"},
	{"none: no record", "192.0.2.1", "x.test", "a@nospf.test",
	    SPF_SCOPE_MFROM, SPF_RES_NONE, SPF_SCOPE_MFROM, "nospf.test"},
	{"none: nxdomain", "192.0.2.1", "x.test", "a@absent.test",
	    SPF_SCOPE_MFROM, SPF_RES_NONE, SPF_SCOPE_MFROM, "absent.test"},
	{"mx ip4", "192.0.2.7", "x.test", "a@mx.test", SPF_SCOPE_MFROM,
	    SPF_RES_PASS, SPF_SCOPE_MFROM, "mx.test"},
	{"mx ip6", "2001:db8::7", "x.test", "a@mx.test", SPF_SCOPE_MFROM,
	    SPF_RES_PASS, SPF_SCOPE_MFROM, "mx.test"},
	{"mx miss", "2001:db8::8", "x.test", "a@mx.test", SPF_SCOPE_MFROM,
	    SPF_RES_FAIL, SPF_SCOPE_MFROM, "mx.test"},
	{"a:", "192.0.2.9", "x.test", "a@a.test", SPF_SCOPE_MFROM,
	    SPF_RES_PASS, SPF_SCOPE_MFROM, "a.test"},
	{"temperror: include times out", "192.0.2.1", "x.test", "a@inc.test",
	    SPF_SCOPE_MFROM, SPF_RES_TEMPERROR, SPF_SCOPE_MFROM, "inc.test"},
	{"temperror: record times out", "192.0.2.1", "x.test", "a@slow.test",
	    SPF_SCOPE_MFROM, SPF_RES_TEMPERROR, SPF_SCOPE_MFROM, "slow.test"},
	{"permerror: bad ip4", "192.0.2.1", "x.test", "a@syntax.test",
	    SPF_SCOPE_MFROM, SPF_RES_PERMERROR, SPF_SCOPE_MFROM, "syntax.test"},
	{"permerror: unknown mechanism", "192.0.2.1", "x.test",
	    "a@badmech.test", SPF_SCOPE_MFROM, SPF_RES_PERMERROR,
	    SPF_SCOPE_MFROM, "badmech.test"},
	{"permerror: two records", "192.0.2.1", "x.test", "a@two.test",
	    SPF_SCOPE_MFROM, SPF_RES_PERMERROR, SPF_SCOPE_MFROM, "two.test"},
	{"helo pass", "192.0.2.50", "helo.test", "a@fail.test",
	    SPF_SCOPE_HELO, SPF_RES_PASS, SPF_SCOPE_HELO, "helo.test"},
	{"helo fail", "192.0.2.51", "helo.test", "", SPF_SCOPE_HELO,
	    SPF_RES_FAIL, SPF_SCOPE_HELO, "helo.test"},
	{"null sender: postmaster@helo", "192.0.2.50", "helo.test", "",
	    SPF_SCOPE_MFROM, SPF_RES_PASS, SPF_SCOPE_HELO, "helo.test"},
	{"null sender fail", "192.0.2.1", "helo.test", "", SPF_SCOPE_MFROM,
	    SPF_RES_FAIL, SPF_SCOPE_HELO, "helo.test"},
	{"ip4 /0 matches all", "198.51.100.1", "x.test", "a@zero4.test",
	    SPF_SCOPE_MFROM, SPF_RES_PASS, SPF_SCOPE_MFROM, "zero4.test"},
	{"ip4 /0 not for ip6", "2001:db8::1", "x.test", "a@zero4.test",
	    SPF_SCOPE_MFROM, SPF_RES_FAIL, SPF_SCOPE_MFROM, "zero4.test"},
	{"ip6 /0 matches all", "2001:db8:1::1", "x.test", "a@zero6.test",
	    SPF_SCOPE_MFROM, SPF_RES_PASS, SPF_SCOPE_MFROM, "zero6.test"},
	{"a/0 any A record", "198.51.100.1", "x.test", "a@azero.test",
	    SPF_SCOPE_MFROM, SPF_RES_PASS, SPF_SCOPE_MFROM, "azero.test"},
	{"a//0 no AAAA record", "2001:db8::1", "x.test", "a@azero.test",
	    SPF_SCOPE_MFROM, SPF_RES_FAIL, SPF_SCOPE_MFROM, "azero.test"},
	{"mx/0 any A of an MX", "198.51.100.1", "x.test", "a@mxzero.test",
	    SPF_SCOPE_MFROM, SPF_RES_PASS, SPF_SCOPE_MFROM, "mxzero.test"},
	{"ipv4-mapped client is ipv4", "::ffff:192.0.2.1", "x.test",
	    "a@pass.test", SPF_SCOPE_MFROM, SPF_RES_PASS, SPF_SCOPE_MFROM,
	    "pass.test"},
	{"3 void lookups", "192.0.2.1", "x.test", "a@voids.test",
	    SPF_SCOPE_MFROM, SPF_RES_PERMERROR, SPF_SCOPE_MFROM, "voids.test"},
	{"2 void lookups", "192.0.2.1", "x.test", "a@voids2.test",
	    SPF_SCOPE_MFROM, SPF_RES_NEUTRAL, SPF_SCOPE_MFROM, "voids2.test"},
	{"11 DNS terms", "192.0.2.1", "x.test", "a@terms.test",
	    SPF_SCOPE_MFROM, SPF_RES_PERMERROR, SPF_SCOPE_MFROM, "terms.test"},
	{"10 DNS terms", "192.0.2.1", "x.test", "a@terms10.test",
	    SPF_SCOPE_MFROM, SPF_RES_NEUTRAL, SPF_SCOPE_MFROM,
	    "terms10.test"},
	{"11 MX names", "192.0.2.1", "x.test", "a@manymx.test",
	    SPF_SCOPE_MFROM, SPF_RES_PERMERROR, SPF_SCOPE_MFROM, "manymx.test"},
	{"numeric top label", "192.0.2.1", "x.test", "a@badend.test",
	    SPF_SCOPE_MFROM, SPF_RES_PERMERROR, SPF_SCOPE_MFROM, "badend.test"},
	{"unknown macro letter", "192.0.2.1", "x.test", "a@badmacro.test",
	    SPF_SCOPE_MFROM, SPF_RES_PERMERROR, SPF_SCOPE_MFROM,
	    "badmacro.test"},
	{"unknown modifier ignored", "192.0.2.1", "x.test",
	    "a@unknownmod.test", SPF_SCOPE_MFROM, SPF_RES_PASS,
	    SPF_SCOPE_MFROM, "unknownmod.test"},
	{"redirect ignored with all", "192.0.2.1", "x.test", "a@redirall.test",
	    SPF_SCOPE_MFROM, SPF_RES_SOFTFAIL, SPF_SCOPE_MFROM,
	    "redirall.test"},
	{"two redirects", "192.0.2.1", "x.test", "a@tworedir.test",
	    SPF_SCOPE_MFROM, SPF_RES_PERMERROR, SPF_SCOPE_MFROM,
	    "tworedir.test"},
	{"NUL in record", "192.0.2.1", "x.test", "a@nul.test",
	    SPF_SCOPE_MFROM, SPF_RES_PERMERROR, SPF_SCOPE_MFROM, "nul.test"},
	{"label over 63: no such name", "192.0.2.1", "x.test",
	    "a@longlabel.test", SPF_SCOPE_MFROM, SPF_RES_FAIL, SPF_SCOPE_MFROM,
	    "longlabel.test"},
	{"no helo, null sender", "192.0.2.1", "", "", SPF_SCOPE_MFROM,
	    SPF_RES_NONE, SPF_SCOPE_HELO, ""},
};

/* run_cases - every row of the table. */
static void
run_cases(struct spf_engine *e)
{
	struct spf_outcome out;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		spf_check(e, cases[i].ip, cases[i].helo, cases[i].from,
		    cases[i].scope, resolver_now_ms() + 2000, &out);
		if (!tap_streq(spf_result_name(out.result),
		    spf_result_name(cases[i].want), "%s: result", cases[i].name))
			tap_diag("reason: %s", out.reason);
		tap_inteq(out.scope, cases[i].want_scope, "%s: scope",
		    cases[i].name);
		tap_streq(out.domain, cases[i].want_domain, "%s: domain",
		    cases[i].name);
	}
}

/* check_explanation - exp= text is expanded and returned on fail. */
static void
check_explanation(struct spf_engine *e)
{
	struct spf_outcome out;

	spf_check(e, "192.0.2.1", "x.test", "a@exp.test", SPF_SCOPE_MFROM, 0,
	    &out);
	tap_streq(spf_result_name(out.result), "fail", "exp: result");
	tap_ok(out.explanation[0] != '\0', "exp: an explanation on fail");
	/* libspf2 1.2.10 returns exp= text unexpanded, spaces as '%'. */
	tap_todo(strcmp(out.explanation, "go away 192.0.2.1") == 0,
	    "libspf2 1.2.10 does not expand exp= macros",
	    "exp: explanation expanded (got \"%s\")", out.explanation);
	spf_check(e, "192.0.2.1", "x.test", "a@pass.test", SPF_SCOPE_MFROM, 0,
	    &out);
	tap_streq(out.explanation, "", "no explanation on pass");
}

#define N_THREADS 4
#define N_ROUNDS 25

/* thread_main - run the whole table N_ROUNDS times; count mismatches. */
static void *
thread_main(void *arg)
{
	struct spf_engine *e = arg;
	struct spf_outcome out;
	size_t i, round, *bad = calloc(1, sizeof(*bad));

	for (round = 0; bad != NULL && round < N_ROUNDS; round++)
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			spf_check(e, cases[i].ip, cases[i].helo, cases[i].from,
			    cases[i].scope, 0, &out);
			if (out.result != cases[i].want)
				(*bad)++;
		}
	return bad;
}

/* check_threads - one engine used by N_THREADS threads at once. */
static void
check_threads(struct spf_engine *e)
{
	pthread_t t[N_THREADS];
	size_t i, started = 0, bad = 0;
	void *rv;

	for (i = 0; i < N_THREADS; i++)
		if (pthread_create(&t[i], NULL, thread_main, e) == 0)
			started++;
	for (i = 0; i < started; i++) {
		if (pthread_join(t[i], &rv) == 0 && rv != NULL) {
			bad += *(size_t *)rv;
			free(rv);
		} else
			bad++;
	}
	tap_inteq((long long)started, N_THREADS, "threads started");
	tap_inteq((long long)bad, 0, "concurrent checks all as expected");
}

int
main(void)
{
	char path[] = "/tmp/test_spf_zoneXXXXXX";
	struct resolver_config cfg;
	struct resolver *r = NULL;
	struct spf_engine *e = NULL;
	char err[256] = "";
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	fp = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (fp != NULL) {
		fputs(zone, fp);
		fputs(zone_mx, fp);
		fclose(fp);
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.zone_file = path;
	if (fp != NULL && (r = resolver_new(&cfg, err, sizeof(err))) != NULL)
		e = spf_engine_new(r, err, sizeof(err));
	if (tap_ok(e != NULL, "engine set up (%s)", err)) {
		run_cases(e);
		check_explanation(e);
		check_threads(e);
	}
	tap_ok(spf_engine_new(NULL, err, sizeof(err)) == NULL,
	    "no engine without a resolver");
	spf_engine_free(e);
	resolver_free(r);
	unlink(path);
	return tap_done();
}
