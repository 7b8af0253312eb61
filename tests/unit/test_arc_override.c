/*
 * test_arc_override.c - unit tests for the trusted_forwarder override:
 * trusted and untrusted sealers, chain pass / fail, every kind of AAR
 * evidence (dmarc, spf, dkim header.d and header.i) under strict and relaxed
 * alignment, malformed AARs, the newest vouching instance winning, and the
 * verdict change (only a DMARC fail with quarantine or reject is lowered).
 * Single-threaded.
 */
#include <stdio.h>
#include <string.h>

#include "arc_override.h"
#include "tap.h"

#define R DMARC_ALIGN_RELAXED
#define S DMARC_ALIGN_STRICT
#define MAX_SETS 3

struct set_spec {
	unsigned i;
	const char *sealer;
	const char *aar;
};

struct override_case {
	const char *name;
	bool chain_pass;
	unsigned oldest_pass;		/* 0 in the table: 1 (every AMS verifies) */
	struct set_spec sets[MAX_SETS];
	const char *author;
	enum dmarc_align aspf, adkim;
	const char *trusted[3];		/* NULL-terminated */
	bool want;
	unsigned want_i;
	const char *want_sealer;
	const char *want_why;
};

#define LIST "lists.example.org"
#define AAR_DMARC "mx.lists.example.org; dmarc=pass header.from=author.example"

static const struct override_case cases[] = {
	{ "trusted sealer, dmarc=pass for the author", true, 0,
	  { { 1, LIST, AAR_DMARC } }, "author.example", R, R, { LIST }, true, 1, LIST,
	  "dmarc=pass header.from=author.example" },
	{ "untrusted sealer", true, 0,
	  { { 1, "evil.example", AAR_DMARC } }, "author.example", R, R, { LIST }, false, 0, NULL, NULL },
	{ "chain fail", false, 0,
	  { { 1, LIST, AAR_DMARC } }, "author.example", R, R, { LIST }, false, 0, NULL, NULL },
	{ "no trusted list", true, 0,
	  { { 1, LIST, AAR_DMARC } }, "author.example", R, R, { NULL }, false, 0, NULL, NULL },
	{ "sealer case-insensitive", true, 0,
	  { { 1, "Lists.Example.ORG", AAR_DMARC } }, "author.example", R, R, { LIST }, true, 1, LIST,
	  "dmarc=pass header.from=author.example" },
	{ "sealer is a subdomain of a trusted one: no", true, 0,
	  { { 1, "x.lists.example.org", AAR_DMARC } }, "author.example", R, R, { LIST }, false, 0, NULL, NULL },
	{ "sealer is the parent of a trusted one: no", true, 0,
	  { { 1, "example.org", AAR_DMARC } }, "author.example", R, R, { LIST }, false, 0, NULL, NULL },
	{ "dmarc=pass for another domain", true, 0,
	  { { 1, LIST, "mx; dmarc=pass header.from=other.example" } }, "author.example", R, R,
	  { LIST }, false, 0, NULL, NULL },
	{ "dmarc=pass for a subdomain of the author: no (not the author domain)", true, 0,
	  { { 1, LIST, "mx; dmarc=pass header.from=sub.author.example" } }, "author.example", R, R,
	  { LIST }, false, 0, NULL, NULL },
	{ "dmarc=fail", true, 0,
	  { { 1, LIST, "mx; dmarc=fail header.from=author.example" } }, "author.example", R, R,
	  { LIST }, false, 0, NULL, NULL },
	{ "dmarc=pass header.from case and trailing dot", true, 0,
	  { { 1, LIST, "mx; dmarc=pass header.from=Author.Example." } }, "author.example", R, R,
	  { LIST }, true, 1, LIST, "dmarc=pass header.from=author.example" },
	{ "spf=pass aligned, relaxed", true, 0,
	  { { 1, LIST, "mx; spf=pass smtp.mailfrom=bounce@mail.author.example" } }, "author.example",
	  R, R, { LIST }, true, 1, LIST, "spf=pass smtp.mailfrom=mail.author.example" },
	{ "spf=pass subdomain, strict", true, 0,
	  { { 1, LIST, "mx; spf=pass smtp.mailfrom=bounce@mail.author.example" } }, "author.example",
	  S, R, { LIST }, false, 0, NULL, NULL },
	{ "spf=pass exact, strict", true, 0,
	  { { 1, LIST, "mx; spf=pass smtp.mailfrom=author.example" } }, "author.example",
	  S, S, { LIST }, true, 1, LIST, "spf=pass smtp.mailfrom=author.example" },
	{ "spf=pass unaligned", true, 0,
	  { { 1, LIST, "mx; spf=pass smtp.mailfrom=other.example" } }, "author.example", R, R,
	  { LIST }, false, 0, NULL, NULL },
	{ "spf=pass of HELO does not count", true, 0,
	  { { 1, LIST, "mx; spf=pass smtp.helo=author.example" } }, "author.example", R, R,
	  { LIST }, false, 0, NULL, NULL },
	{ "spf=softfail", true, 0,
	  { { 1, LIST, "mx; spf=softfail smtp.mailfrom=author.example" } }, "author.example", R, R,
	  { LIST }, false, 0, NULL, NULL },
	{ "dkim=pass header.d aligned, relaxed", true, 0,
	  { { 1, LIST, "mx; dkim=pass header.d=news.author.example header.s=s1" } },
	  "author.example", R, R, { LIST }, true, 1, LIST, "dkim=pass header.d=news.author.example" },
	{ "dkim=pass header.d subdomain, strict", true, 0,
	  { { 1, LIST, "mx; dkim=pass header.d=news.author.example header.s=s1" } },
	  "author.example", R, S, { LIST }, false, 0, NULL, NULL },
	{ "dkim=pass header.i only", true, 0,
	  { { 1, LIST, "mx; dkim=pass header.i=@author.example" } },
	  "author.example", S, S, { LIST }, true, 1, LIST, "dkim=pass header.i=author.example" },
	{ "dkim=fail aligned", true, 0,
	  { { 1, LIST, "mx; dkim=fail header.d=author.example" } }, "author.example", R, R,
	  { LIST }, false, 0, NULL, NULL },
	{ "dkim=pass of the list only", true, 0,
	  { { 1, LIST, "mx; dkim=pass header.d=lists.example.org; spf=pass smtp.mailfrom=lists.example.org" } },
	  "author.example", R, R, { LIST }, false, 0, NULL, NULL },
	{ "relaxed across the public suffix: no", true, 0,
	  { { 1, LIST, "mx; dkim=pass header.d=other.example" } }, "author.example", R, R,
	  { LIST }, false, 0, NULL, NULL },
	{ "several results, the last one vouches", true, 0,
	  { { 1, LIST, "mx; spf=fail smtp.mailfrom=author.example; dkim=none; dmarc=pass header.from=author.example" } },
	  "author.example", R, R, { LIST }, true, 1, LIST, "dmarc=pass header.from=author.example" },
	{ "AAR with comments and folding", true, 0,
	  { { 1, LIST, "mx (the list)\r\n\t; dmarc=pass (p=reject) header.from=author.example" } },
	  "author.example", R, R, { LIST }, true, 1, LIST, "dmarc=pass header.from=author.example" },
	{ "AAR none", true, 0,
	  { { 1, LIST, "mx; none" } }, "author.example", R, R, { LIST }, false, 0, NULL, NULL },
	{ "AAR empty", true, 0,
	  { { 1, LIST, "" } }, "author.example", R, R, { LIST }, false, 0, NULL, NULL },
	{ "AAR garbage", true, 0,
	  { { 1, LIST, ";;;(((" } }, "author.example", R, R, { LIST }, false, 0, NULL, NULL },
	{ "AAR unterminated quote", true, 0,
	  { { 1, LIST, "mx; dmarc=pass header.from=\"author.example" } }, "author.example", R, R,
	  { LIST }, false, 0, NULL, NULL },
	{ "unknown sealer domain", true, 0,
	  { { 1, "", AAR_DMARC } }, "author.example", R, R, { LIST }, false, 0, NULL, NULL },
	{ "bad sealer domain", true, 0,
	  { { 1, "lists..example.org", AAR_DMARC } }, "author.example", R, R, { LIST }, false, 0, NULL, NULL },
	{ "trusted i=1 vouches, untrusted i=2 on top", true, 0,
	  { { 1, LIST, AAR_DMARC }, { 2, "relay.example.net", "relay; dmarc=fail header.from=author.example" } },
	  "author.example", R, R, { LIST }, true, 1, LIST, "dmarc=pass header.from=author.example" },
	{ "two trusted, the newest vouching wins", true, 0,
	  { { 2, "fwd.example.net", "fwd; spf=pass smtp.mailfrom=author.example" }, { 1, LIST, AAR_DMARC },
	    { 3, LIST, "mx; dmarc=fail header.from=author.example" } },
	  "author.example", R, R, { LIST, "fwd.example.net" }, true, 2, "fwd.example.net",
	  "spf=pass smtp.mailfrom=author.example" },
	{ "second trusted list entry", true, 0,
	  { { 1, "fwd.example.net", AAR_DMARC } }, "author.example", R, R,
	  { LIST, "fwd.example.net" }, true, 1, "fwd.example.net", "dmarc=pass header.from=author.example" },
	{ "replay: the trusted i=1's AMS no longer verifies (oldest_pass 2)", true, 2,
	  { { 1, LIST, AAR_DMARC }, { 2, "evil.example", "evil; dmarc=pass header.from=author.example" } },
	  "author.example", R, R, { LIST }, false, 0, NULL, NULL },
	{ "trusted i=2 at oldest_pass 2 still counts", true, 2,
	  { { 1, "relay.example.net", "relay; none" }, { 2, LIST, AAR_DMARC } },
	  "author.example", R, R, { LIST }, true, 2, LIST, "dmarc=pass header.from=author.example" },
	{ "trusted i=1 and i=3, oldest_pass 3: only i=3 counts", true, 3,
	  { { 1, LIST, AAR_DMARC }, { 2, "relay.example.net", "relay; none" },
	    { 3, LIST, "mx; dmarc=fail header.from=author.example" } },
	  "author.example", R, R, { LIST }, false, 0, NULL, NULL },
	{ "trusted sealer whose AAR vouches for someone else", true, 0,
	  { { 1, LIST, "mx; dmarc=pass header.from=other.example; dkim=pass header.d=other.example" } },
	  "author.example", R, R, { LIST }, false, 0, NULL, NULL },
};

/* org_fake - the last two labels are the organizational domain (enough for .example names). */
static bool
org_fake(void *ctx, const char *name, char *org)
{
	const char *p = name + strlen(name), *dot = NULL;
	int dots = 0;

	(void)ctx;
	while (p > name) {
		p--;
		if (*p == '.' && ++dots == 2) {
			dot = p;
			break;
		}
	}
	snprintf(org, DOMAIN_BUFSIZE, "%s", dot != NULL ? dot + 1 : name);
	return true;
}

/* run_case - one row of the table. */
static void
run_case(const struct override_case *c)
{
	struct arc_override_set sets[MAX_SETS];
	struct arc_override_input in;
	struct arc_override_result r;
	size_t n = 0, k;

	memset(&in, 0, sizeof(in));
	for (k = 0; k < MAX_SETS && c->sets[k].i != 0; k++, n++) {
		sets[k].i = c->sets[k].i;
		sets[k].sealer = c->sets[k].sealer;
		sets[k].aar = c->sets[k].aar;
		sets[k].aar_len = strlen(c->sets[k].aar);
	}
	in.chain_pass = c->chain_pass;
	in.oldest_pass = c->oldest_pass != 0 ? c->oldest_pass : 1;
	in.nsets = n;
	in.sets = sets;
	in.author = c->author;
	in.spf_mode = c->aspf;
	in.dkim_mode = c->adkim;
	for (k = 0; k < 3 && c->trusted[k] != NULL; k++)
		in.ntrusted++;
	in.trusted = c->trusted;
	in.org = org_fake;
	arc_override_check(&in, &r);
	tap_ok(r.applies == c->want, "%s: applies %s", c->name, c->want ? "yes" : "no");
	if (!c->want || !r.applies)
		return;
	tap_inteq(r.i, c->want_i, "%s: instance", c->name);
	tap_streq(r.sealer, c->want_sealer, "%s: sealer", c->name);
	tap_streq(r.why, c->want_why, "%s: why", c->name);
}

struct apply_case {
	const char *name;
	enum dmarc_result result;
	enum disposition disp;
	bool applies;
	bool want;
	enum disposition want_disp;
};

static const struct apply_case apply_cases[] = {
	{ "fail reject -> none", DMARC_RES_FAIL, DISP_REJECT, true, true, DISP_NONE },
	{ "fail quarantine -> none", DMARC_RES_FAIL, DISP_QUARANTINE, true, true, DISP_NONE },
	{ "fail none stays", DMARC_RES_FAIL, DISP_NONE, true, false, DISP_NONE },
	{ "pass stays", DMARC_RES_PASS, DISP_PASS, true, false, DISP_PASS },
	{ "temperror stays", DMARC_RES_TEMPERROR, DISP_NONE, true, false, DISP_NONE },
	{ "not applying: reject stays", DMARC_RES_FAIL, DISP_REJECT, false, false, DISP_REJECT },
};

/* run_apply - one row of the apply table. */
static void
run_apply(const struct apply_case *c)
{
	struct arc_override_result r;
	struct verdict v;
	char detail[300], want[512];
	bool changed;

	memset(&r, 0, sizeof(r));
	r.applies = c->applies;
	r.i = 2;
	snprintf(r.sealer, sizeof(r.sealer), "%s", LIST);
	snprintf(r.why, sizeof(r.why), "dmarc=pass header.from=author.example");
	verdict_init(&v);
	v.result = c->result;
	v.disposition = c->disp;
	(void)str_appends(&v.reason, "dmarc=fail");
	changed = arc_override_apply(&v, &r);
	tap_ok(changed == c->want, "apply %s: changed %s", c->name, c->want ? "yes" : "no");
	tap_streq(disposition_name(v.disposition), disposition_name(c->want_disp),
	    "apply %s: disposition", c->name);
	tap_ok(((v.overrides & OVERRIDE_TRUSTED_FORWARDER) != 0) == c->want,
	    "apply %s: override bit", c->name);
	tap_ok(v.result == c->result, "apply %s: DMARC result unchanged", c->name);
	snprintf(want, sizeof(want), "dmarc=fail; local override (trusted_forwarder: arc i=2 "
	    "d=lists.example.org, dmarc=pass header.from=author.example): %s lowered to none",
	    disposition_name(c->disp));
	tap_streq(str_cstr(&v.reason), c->want ? want : "dmarc=fail", "apply %s: reason", c->name);
	arc_override_detail(&r, detail, sizeof(detail));
	tap_streq(detail, c->applies ? "arc i=2 d=lists.example.org" : "", "apply %s: detail",
	    c->name);
	verdict_free(&v);
}

/* test_unknown_oldest - oldest_pass 0 (not computed): nothing applies. */
static void
test_unknown_oldest(void)
{
	static const char *const trusted[] = { LIST };
	struct arc_override_set set = { 1, LIST, AAR_DMARC, sizeof(AAR_DMARC) - 1 };
	struct arc_override_input in;
	struct arc_override_result r;

	memset(&in, 0, sizeof(in));
	in.chain_pass = true;
	in.oldest_pass = 0;
	in.nsets = 1;
	in.sets = &set;
	in.author = "author.example";
	in.ntrusted = 1;
	in.trusted = trusted;
	arc_override_check(&in, &r);
	tap_ok(!r.applies, "oldest_pass unknown: nothing applies");
	in.oldest_pass = 1;
	arc_override_check(&in, &r);
	tap_ok(r.applies, "oldest_pass 1: the same input applies");
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	for (i = 0; i < sizeof(apply_cases) / sizeof(apply_cases[0]); i++)
		run_apply(&apply_cases[i]);
	test_unknown_oldest();
	return tap_done();
}
