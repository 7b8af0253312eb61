/*
 * test_align.c - unit tests for align_check and align_mode_name: strict and
 * relaxed modes, case, trailing dots, subdomain and parent in both
 * directions, absent organizational domains.  Single-threaded.
 */
#include <stddef.h>

#include "align.h"
#include "tap.h"

#define S DMARC_ALIGN_STRICT
#define R DMARC_ALIGN_RELAXED

struct align_case {
	const char *name;
	enum dmarc_align mode;
	const char *id, *author;		/* SPF/DKIM identifier, From domain */
	const char *org_id, *org_author;	/* their organizational domains */
	bool want;
};

static const struct align_case cases[] = {
	{ "strict equal", S, "example.com", "example.com", NULL, NULL, true },
	{ "strict equal, orgs given", S, "example.com", "example.com", "example.com", "example.com", true },
	{ "strict case", S, "EXAMPLE.com", "example.COM", NULL, NULL, true },
	{ "strict trailing dot on id", S, "example.com.", "example.com", NULL, NULL, true },
	{ "strict trailing dot on author", S, "example.com", "example.com.", NULL, NULL, true },
	{ "strict trailing dots both", S, "Example.Com.", "example.com.", NULL, NULL, true },
	{ "strict two trailing dots", S, "example.com..", "example.com", NULL, NULL, false },
	{ "strict subdomain id", S, "mail.example.com", "example.com", "example.com", "example.com", false },
	{ "strict parent id", S, "example.com", "mail.example.com", "example.com", "example.com", false },
	{ "strict siblings", S, "a.example.com", "b.example.com", "example.com", "example.com", false },
	{ "strict other domain", S, "example.org", "example.com", "example.org", "example.com", false },
	{ "strict label prefix", S, "oooo.com", "ooo.com", NULL, NULL, false },
	{ "strict label suffix", S, "xample.com", "example.com", NULL, NULL, false },
	{ "strict longer name", S, "example.com.au", "example.com", NULL, NULL, false },
	{ "strict empty names", S, "", "", NULL, NULL, false },
	{ "strict dot only", S, ".", ".", NULL, NULL, false },
	{ "strict NULL identifier", S, NULL, "example.com", NULL, NULL, false },
	{ "strict NULL author", S, "example.com", NULL, NULL, NULL, false },
	{ "relaxed equal", R, "example.com", "example.com", "example.com", "example.com", true },
	{ "relaxed subdomain id", R, "mail.example.com", "example.com", "example.com", "example.com", true },
	{ "relaxed parent id", R, "example.com", "mail.example.com", "example.com", "example.com", true },
	{ "relaxed deep subdomain", R, "a.b.c.example.com", "example.com", "example.com", "example.com", true },
	{ "relaxed siblings", R, "a.example.com", "b.example.com", "example.com", "example.com", true },
	{ "relaxed org case", R, "mail.EXAMPLE.com", "example.com", "EXAMPLE.com", "example.COM", true },
	{ "relaxed org trailing dot", R, "mail.example.com.", "example.com", "example.com.", "example.com", true },
	{ "relaxed other org", R, "example.org", "example.com", "example.org", "example.com", false },
	{ "relaxed sibling under public suffix", R, "a.co.uk", "b.co.uk", "a.co.uk", "b.co.uk", false },
	{ "relaxed label prefix", R, "oooo.com", "ooo.com", "oooo.com", "ooo.com", false },
	{ "relaxed NULL org of id", R, "example.com", "example.com", NULL, "example.com", false },
	{ "relaxed NULL org of author", R, "example.com", "example.com", "example.com", NULL, false },
	{ "relaxed NULL orgs, same name", R, "com", "com", NULL, NULL, false },
	{ "relaxed empty orgs", R, "example.com", "example.com", "", "", false },
	{ "relaxed NULL identifier", R, NULL, "example.com", "example.com", "example.com", false },
};

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct align_case *c = &cases[i];

		tap_ok(align_check(c->mode, c->id, c->author, c->org_id, c->org_author) == c->want,
		    "%s", c->name);
	}
	tap_streq(align_mode_name(DMARC_ALIGN_STRICT), "strict", "mode name strict");
	tap_streq(align_mode_name(DMARC_ALIGN_RELAXED), "relaxed", "mode name relaxed");
	return tap_done();
}
