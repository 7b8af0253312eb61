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
#include "spf_macro.h"
#include "tap.h"

/* manymx.test: 11 MX names (RFC 7208 4.6.4 allows 10). */
static const char zone_mx[] =
    "manymx.test. IN MX 1 m1.test.\nmanymx.test. IN MX 2 m2.test.\n"
    "manymx.test. IN MX 3 m3.test.\nmanymx.test. IN MX 4 m4.test.\n"
    "manymx.test. IN MX 5 m5.test.\nmanymx.test. IN MX 6 m6.test.\n"
    "manymx.test. IN MX 7 m7.test.\nmanymx.test. IN MX 8 m8.test.\n"
    "manymx.test. IN MX 9 m9.test.\nmanymx.test. IN MX 10 m10.test.\n"
    "manymx.test. IN MX 11 m11.test.\n";

/*
 * mxpref.test: 11 MX names, the client's the most preferred but written
 * last; mxlast.test: the client's the 11th by preference.  192.0.2.88: 12
 * PTR names, none of them with an address.
 */
static const char zone_order[] =
    "mxpref.test. IN MX 2 p1.mxpref.test.\n"
    "mxpref.test. IN MX 3 p2.mxpref.test.\n"
    "mxpref.test. IN MX 4 p3.mxpref.test.\n"
    "mxpref.test. IN MX 5 p4.mxpref.test.\n"
    "mxpref.test. IN MX 6 p5.mxpref.test.\n"
    "mxpref.test. IN MX 7 p6.mxpref.test.\n"
    "mxpref.test. IN MX 8 p7.mxpref.test.\n"
    "mxpref.test. IN MX 9 p8.mxpref.test.\n"
    "mxpref.test. IN MX 10 p9.mxpref.test.\n"
    "mxpref.test. IN MX 11 p10.mxpref.test.\n"
    "mxlast.test. IN MX 1 p1.mxpref.test.\n"
    "mxlast.test. IN MX 2 p2.mxpref.test.\n"
    "mxlast.test. IN MX 3 p3.mxpref.test.\n"
    "mxlast.test. IN MX 4 p4.mxpref.test.\n"
    "mxlast.test. IN MX 5 p5.mxpref.test.\n"
    "mxlast.test. IN MX 6 p6.mxpref.test.\n"
    "mxlast.test. IN MX 7 p7.mxpref.test.\n"
    "mxlast.test. IN MX 8 p8.mxpref.test.\n"
    "mxlast.test. IN MX 9 p9.mxpref.test.\n"
    "mxlast.test. IN MX 10 p10.mxpref.test.\n"
    "mxpref.test. IN MX 1 hit.mxpref.test.\n"
    "mxlast.test. IN MX 20 hit.mxpref.test.\n"
    "hit.mxpref.test. IN A 192.0.2.77\n"
    "mxpref.test. IN TXT \"v=spf1 mx -all\"\n"
    "mxlast.test. IN TXT \"v=spf1 mx -all\"\n"
    "88.2.0.192.in-addr.arpa. IN PTR n1.ptr.test.\n"
    "88.2.0.192.in-addr.arpa. IN PTR n2.ptr.test.\n"
    "88.2.0.192.in-addr.arpa. IN PTR n3.ptr.test.\n"
    "88.2.0.192.in-addr.arpa. IN PTR n4.ptr.test.\n"
    "88.2.0.192.in-addr.arpa. IN PTR n5.ptr.test.\n"
    "88.2.0.192.in-addr.arpa. IN PTR n6.ptr.test.\n"
    "88.2.0.192.in-addr.arpa. IN PTR n7.ptr.test.\n"
    "88.2.0.192.in-addr.arpa. IN PTR n8.ptr.test.\n"
    "88.2.0.192.in-addr.arpa. IN PTR n9.ptr.test.\n"
    "88.2.0.192.in-addr.arpa. IN PTR n10.ptr.test.\n"
    "88.2.0.192.in-addr.arpa. IN PTR n11.ptr.test.\n"
    "88.2.0.192.in-addr.arpa. IN PTR n12.ptr.test.\n"
    "manyptr.test. IN TXT \"v=spf1 ptr ?all\"\n"
    "nolabels. IN TXT \"v=spf1 +all\"\n"
    "lp.test. IN TXT \"v=spf1 exists:%{l1r+}.%{d3} -all\"\n"
    "joel.lp.test. IN A 127.0.0.2\n";

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
    "soft.exp.test. IN TXT \"v=spf1 ~all exp=why.exp.test\"\n"
    "mac.exp.test. IN TXT \"v=spf1 -all exp=%{l}.why.%{d}\"\n"
    "jo.why.mac.exp.test. IN TXT \"%{s} %{l} %{o} %{d} %{h} %{v} %{c} %{r}\"\n"
    "two.exp.test. IN TXT \"v=spf1 -all exp=two.why.exp.test\"\n"
    "two.why.exp.test. IN TXT \"one\"\n"
    "two.why.exp.test. IN TXT \"two\"\n"
    "bad.exp.test. IN TXT \"v=spf1 -all exp=bad.why.exp.test\"\n"
    "bad.why.exp.test. IN TXT \"broken %{x}\"\n"
    "none.exp.test. IN TXT \"v=spf1 -all exp=nowhere.exp.test\"\n"
    "slow.exp.test. IN TXT \"v=spf1 -all exp=slow.test\"\n"
    "split.exp.test. IN TXT \"v=spf1 -all exp=split.why.exp.test\"\n"
    "split.why.exp.test. IN TXT \"in \" \"two parts %%%_%-\"\n"
    "redir.exp.test. IN TXT \"v=spf1 exp=why.exp.test redirect=fail.test\"\n"
    "redir2.exp.test. IN TXT \"v=spf1 exp=why.exp.test redirect=mac.exp.test\"\n"
    "inc.exp.test. IN TXT \"v=spf1 include:mac.exp.test -all\"\n"
    "inc2.exp.test. IN TXT \"v=spf1 include:exp.test -all exp=why.exp.test\"\n"
    "upper.exp.test. IN TXT \"v=spf1 -all exp=upper.why.exp.test\"\n"
    "upper.why.exp.test. IN TXT \"%{L} %{ir} %{d2} %{lr-} %{l1r-+}\"\n"
    "p.exp.test. IN TXT \"v=spf1 -all exp=p.why.exp.test\"\n"
    "p.why.exp.test. IN TXT \"from %{p}\"\n"
    "1.2.0.192.in-addr.arpa. IN PTR other.test.\n"
    "1.2.0.192.in-addr.arpa. IN PTR host.p.exp.test.\n"
    "1.2.0.192.in-addr.arpa. IN PTR liar.p.exp.test.\n"
    "host.p.exp.test. IN A 192.0.2.1\n"
    "other.test. IN A 192.0.2.1\n"
    "liar.p.exp.test. IN A 192.0.2.99\n"
    "helo.test. IN TXT \"v=spf1 ip4:192.0.2.50 -all\"\n"
    "loop.test. IN TXT \"v=spf1 ip4:127.0.0.0/8 ip6:::1 -all\"\n"
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
	/* libspf2 passes loopback clients for every domain ("free ride") */
	{"loopback 127.0.0.1 not listed", "127.0.0.1", "x.test", "a@pass.test",
	    SPF_SCOPE_MFROM, SPF_RES_FAIL, SPF_SCOPE_MFROM, "pass.test"},
	{"loopback 127.0.0.2 not listed", "127.0.0.2", "x.test", "a@pass.test",
	    SPF_SCOPE_MFROM, SPF_RES_FAIL, SPF_SCOPE_MFROM, "pass.test"},
	{"loopback ::1 not listed", "::1", "x.test", "a@pass.test",
	    SPF_SCOPE_MFROM, SPF_RES_FAIL, SPF_SCOPE_MFROM, "pass.test"},
	{"loopback v4-mapped not listed", "::ffff:127.0.0.1", "x.test", "a@pass.test",
	    SPF_SCOPE_MFROM, SPF_RES_FAIL, SPF_SCOPE_MFROM, "pass.test"},
	{"loopback helo not listed", "127.0.0.1", "helo.test", "", SPF_SCOPE_HELO,
	    SPF_RES_FAIL, SPF_SCOPE_HELO, "helo.test"},
	{"loopback listed", "127.0.0.1", "x.test", "a@loop.test",
	    SPF_SCOPE_MFROM, SPF_RES_PASS, SPF_SCOPE_MFROM, "loop.test"},
	{"loopback ::1 listed", "::1", "x.test", "a@loop.test",
	    SPF_SCOPE_MFROM, SPF_RES_PASS, SPF_SCOPE_MFROM, "loop.test"},
	{"loopback: no record", "127.0.0.1", "x.test", "a@nospf.test",
	    SPF_SCOPE_MFROM, SPF_RES_NONE, SPF_SCOPE_MFROM, "nospf.test"},
	{"loopback: record times out", "127.0.0.1", "x.test", "a@slow.test",
	    SPF_SCOPE_MFROM, SPF_RES_TEMPERROR, SPF_SCOPE_MFROM, "slow.test"},
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
	{"MX names by preference", "192.0.2.77", "x.test", "a@mxpref.test",
	    SPF_SCOPE_MFROM, SPF_RES_PASS, SPF_SCOPE_MFROM, "mxpref.test"},
	{"11th MX name by preference", "192.0.2.77", "x.test",
	    "a@mxlast.test", SPF_SCOPE_MFROM, SPF_RES_PERMERROR,
	    SPF_SCOPE_MFROM, "mxlast.test"},
	{"12 PTR names: the rest ignored", "192.0.2.88", "x.test",
	    "a@manyptr.test", SPF_SCOPE_MFROM, SPF_RES_NEUTRAL, SPF_SCOPE_MFROM,
	    "manyptr.test"},
	{"single-label domain: none", "192.0.2.1", "x.test", "a@nolabels",
	    SPF_SCOPE_MFROM, SPF_RES_NONE, SPF_SCOPE_MFROM, "nolabels"},
	{"single-label helo: none", "192.0.2.1", "nolabels", "",
	    SPF_SCOPE_HELO, SPF_RES_NONE, SPF_SCOPE_HELO, "nolabels"},
	{"digits keeping every part", "192.0.2.1", "x.test", "joel@lp.test",
	    SPF_SCOPE_MFROM, SPF_RES_PASS, SPF_SCOPE_MFROM, "lp.test"},
	{"digits keeping every part, other user", "192.0.2.1", "x.test",
	    "jo@lp.test", SPF_SCOPE_MFROM, SPF_RES_FAIL, SPF_SCOPE_MFROM,
	    "lp.test"},
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

/* Explanations (RFC 7208 6.2) through the whole engine. */
struct exp_case {
	const char *name;
	const char *ip, *helo, *from;
	enum spf_result want;
	const char *want_exp;
};

static const struct exp_case exp_cases[] = {
	{"expanded", "192.0.2.1", "x.test", "a@exp.test", SPF_RES_FAIL,
	    "go away 192.0.2.1"},
	{"none on pass", "192.0.2.1", "x.test", "a@pass.test", SPF_RES_PASS,
	    ""},
	{"none on softfail", "192.0.2.1", "x.test", "a@soft.exp.test",
	    SPF_RES_SOFTFAIL, ""},
	{"none without exp=", "192.0.2.1", "x.test", "a@fail.test",
	    SPF_RES_FAIL, ""},
	{"macros in exp= and text", "192.0.2.1", "helo.test", "jo@mac.exp.test",
	    SPF_RES_FAIL, "jo@mac.exp.test jo mac.exp.test mac.exp.test "
	    "helo.test in-addr 192.0.2.1 receiver.test"},
	{"ipv6 %{c} %{v}", "2001:DB8::1", "helo.test", "jo@mac.exp.test",
	    SPF_RES_FAIL, "jo@mac.exp.test jo mac.exp.test mac.exp.test "
	    "helo.test ip6 2001:db8::1 receiver.test"},
	{"ipv4-mapped client as ipv4", "::ffff:192.0.2.1", "helo.test",
	    "jo@mac.exp.test", SPF_RES_FAIL, "jo@mac.exp.test jo mac.exp.test "
	    "mac.exp.test helo.test in-addr 192.0.2.1 receiver.test"},
	{"two TXT records: none", "192.0.2.1", "x.test", "a@two.exp.test",
	    SPF_RES_FAIL, ""},
	{"bad macro in text: none", "192.0.2.1", "x.test", "a@bad.exp.test",
	    SPF_RES_FAIL, ""},
	{"no TXT record: none", "192.0.2.1", "x.test", "a@none.exp.test",
	    SPF_RES_FAIL, ""},
	{"DNS error: none, still fail", "192.0.2.1", "x.test",
	    "a@slow.exp.test", SPF_RES_FAIL, ""},
	{"strings joined, escapes", "192.0.2.1", "x.test", "a@split.exp.test",
	    SPF_RES_FAIL, "in two parts % %20"},
	{"redirect drops the original exp=", "192.0.2.1", "x.test",
	    "a@redir.exp.test", SPF_RES_FAIL, ""},
	{"redirect target's exp=, its %{d}", "192.0.2.1", "helo.test",
	    "jo@redir2.exp.test", SPF_RES_FAIL, "jo@redir2.exp.test jo "
	    "redir2.exp.test mac.exp.test helo.test in-addr 192.0.2.1 "
	    "receiver.test"},
	{"included record's exp= unused", "192.0.2.1", "x.test",
	    "jo@inc.exp.test", SPF_RES_FAIL, ""},
	{"own exp= after a failing include", "192.0.2.1", "x.test",
	    "a@inc2.exp.test", SPF_RES_FAIL, "go away 192.0.2.1"},
	{"null sender: postmaster@helo", "192.0.2.1", "mac.exp.test", "",
	    SPF_RES_FAIL, ""},
	{"upper case escapes, transformers", "2001:db8::cb01", "x.test",
	    "strong-bad+x@upper.exp.test", SPF_RES_FAIL, "strong-bad%2Bx "
	    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2 "
	    "exp.test bad+x.strong strong"},
	{"%{p}: a validated subdomain", "192.0.2.1", "x.test", "a@p.exp.test",
	    SPF_RES_FAIL, "from host.p.exp.test"},
	{"%{p}: no PTR", "192.0.2.5", "x.test", "a@p.exp.test", SPF_RES_FAIL,
	    "from unknown"},
};

/* Macro expansion by itself: RFC 7208 7.4's examples and more. */
struct macro_case {
	const char *spec;
	enum spf_macro_kind kind;
	const char *ip;
	enum spf_macro_status want;
	const char *want_out;
};

#define D SPF_MACRO_DOMAIN
#define X SPF_MACRO_EXPLAIN
#define V4 "192.0.2.3"
#define V6 "2001:db8::cb01"
static const struct macro_case macro_cases[] = {
	{"%{s}", D, V4, SPF_MACRO_OK, "strong-bad@email.example.com"},
	{"%{o}", D, V4, SPF_MACRO_OK, "email.example.com"},
	{"%{d}", D, V4, SPF_MACRO_OK, "email.example.com"},
	{"%{d4}", D, V4, SPF_MACRO_OK, "email.example.com"},
	{"%{d3}", D, V4, SPF_MACRO_OK, "email.example.com"},
	{"%{d2}", D, V4, SPF_MACRO_OK, "example.com"},
	{"%{d1}", D, V4, SPF_MACRO_OK, "com"},
	{"%{dr}", D, V4, SPF_MACRO_OK, "com.example.email"},
	{"%{d2r}", D, V4, SPF_MACRO_OK, "example.email"},
	{"%{l}", D, V4, SPF_MACRO_OK, "strong-bad"},
	{"%{l-}", D, V4, SPF_MACRO_OK, "strong.bad"},
	{"%{lr}", D, V4, SPF_MACRO_OK, "strong-bad"},
	{"%{lr-}", D, V4, SPF_MACRO_OK, "bad.strong"},
	{"%{l1r-}", D, V4, SPF_MACRO_OK, "strong"},
	{"%{ir}.%{v}._spf.%{d2}", D, V4, SPF_MACRO_OK,
	    "3.2.0.192.in-addr._spf.example.com"},
	{"%{lr-}.lp._spf.%{d2}", D, V4, SPF_MACRO_OK,
	    "bad.strong.lp._spf.example.com"},
	{"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", D, V4, SPF_MACRO_OK,
	    "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
	{"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", D, V4, SPF_MACRO_OK,
	    "3.2.0.192.in-addr.strong.lp._spf.example.com"},
	{"%{d2}.trusted-domains.example.net", D, V4, SPF_MACRO_OK,
	    "example.com.trusted-domains.example.net"},
	{"%{ir}.%{v}._spf.%{d2}", D, V6, SPF_MACRO_OK, "1.0.b.c.0.0.0.0.0.0.0."
	    "0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"},
	{"%{D}%{S}", D, V4, SPF_MACRO_OK,
	    "email.example.comstrong-bad%40email.example.com"},
	{"%{d200}", D, V4, SPF_MACRO_OK, "email.example.com"},
	{"%{d,=}", D, V4, SPF_MACRO_OK, "email.example.com"},
	{"%{h}", D, V4, SPF_MACRO_OK, "mx.example.org"},
	{"%{p}.%{pr}", D, V4, SPF_MACRO_OK, "mx.example.org.org.example.mx"},
	{"a%%b%_c%-d", X, V4, SPF_MACRO_OK, "a%b c%20d"},
	{"%{c} %{r} %{t} %{C}", X, V6, SPF_MACRO_OK,
	    "2001:db8::cb01 receiver.test 1700000000 2001%3Adb8%3A%3Acb01"},
	{"a b", X, V4, SPF_MACRO_OK, "a b"},
	{"a b", D, V4, SPF_MACRO_SYNTAX, ""},
	{"%{c}", D, V4, SPF_MACRO_SYNTAX, ""},
	{"%{d0}", D, V4, SPF_MACRO_SYNTAX, ""},
	{"%{x}", X, V4, SPF_MACRO_SYNTAX, ""},
	{"%{d", X, V4, SPF_MACRO_SYNTAX, ""},
	{"%x", X, V4, SPF_MACRO_SYNTAX, ""},
	{"50%", X, V4, SPF_MACRO_SYNTAX, ""},
	{"%{d2r|}", X, V4, SPF_MACRO_SYNTAX, ""},
	{"caf\xc3\xa9", X, V4, SPF_MACRO_SYNTAX, ""},
	/* RFC 7208 7.3: a domain over 253 loses labels on the left. */
	{"%{s}.%{s}.%{s}.%{s}.%{s}.%{s}.%{s}.%{s}.%{s}.x", D, V4, SPF_MACRO_OK,
	    "example.com.strong-bad@email.example.com.strong-bad@email.example"
	    ".com.strong-bad@email.example.com.strong-bad@email.example.com."
	    "strong-bad@email.example.com.strong-bad@email.example.com."
	    "strong-bad@email.example.com.strong-bad@email.example.com.x"},
};
#undef D
#undef X

/* fixed_p - the %{p} callback of the macro table. */
static const char *
fixed_p(void *arg)
{
	(void)arg;
	return "mx.example.org";
}

/* check_macros - the table above, and an output buffer too small. */
static void
check_macros(void)
{
	struct spf_macro_vars v;
	char out[300];
	enum spf_macro_status st;
	size_t i;

	memset(&v, 0, sizeof(v));
	v.sender = "strong-bad@email.example.com";
	v.local_part = "strong-bad";
	v.sender_domain = v.domain = "email.example.com";
	v.helo = "mx.example.org";
	v.receiver = "receiver.test";
	v.now = 1700000000;
	v.validated_name = fixed_p;
	for (i = 0; i < sizeof(macro_cases) / sizeof(macro_cases[0]); i++) {
		v.ip = macro_cases[i].ip;
		st = spf_macro_expand(macro_cases[i].spec,
		    strlen(macro_cases[i].spec), macro_cases[i].kind, &v, out,
		    sizeof(out));
		tap_inteq(st, macro_cases[i].want, "macro %s: status",
		    macro_cases[i].spec);
		if (st == SPF_MACRO_OK)
			tap_streq(out, macro_cases[i].want_out, "macro %s",
			    macro_cases[i].spec);
	}
	v.ip = V4;
	tap_inteq(spf_macro_expand("%{s}", 4, SPF_MACRO_EXPLAIN, &v, out, 7),
	    SPF_MACRO_TOO_LONG, "macro: too long for the buffer");
	tap_streq(out, "strong", "macro: cut at the buffer");
}

/* check_explanations - the table above. */
static void
check_explanations(struct spf_engine *e)
{
	struct spf_outcome out;
	size_t i;

	for (i = 0; i < sizeof(exp_cases) / sizeof(exp_cases[0]); i++) {
		spf_check(e, exp_cases[i].ip, exp_cases[i].helo,
		    exp_cases[i].from, SPF_SCOPE_MFROM, 0, &out);
		tap_streq(spf_result_name(out.result),
		    spf_result_name(exp_cases[i].want), "exp %s: result",
		    exp_cases[i].name);
		tap_streq(out.explanation, exp_cases[i].want_exp,
		    "exp %s: explanation", exp_cases[i].name);
	}
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
		fputs(zone_order, fp);
		fclose(fp);
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.zone_file = path;
	if (fp != NULL && (r = resolver_new(&cfg, err, sizeof(err))) != NULL)
		e = spf_engine_new(r, "receiver.test", err, sizeof(err));
	if (tap_ok(e != NULL, "engine set up (%s)", err)) {
		run_cases(e);
		check_explanations(e);
		check_macros();
		check_threads(e);
	}
	tap_ok(spf_engine_new(NULL, NULL, err, sizeof(err)) == NULL,
	    "no engine without a resolver");
	spf_engine_free(e);
	resolver_free(r);
	unlink(path);
	return tap_done();
}
