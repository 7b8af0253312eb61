/*
 * test_afrf.c - unit tests for afrf_redact (milter/afrf.c): the local-part
 * of every address becomes "redacted" (dot-atoms, quoted strings, several
 * in one field, folded text), and what is no address is left alone (a
 * lone "@", "@domain", "user@" at the end, "a@-b", an "@" inside a quoted
 * string's text).  The whole report is checked by tests/failures/check.py.
 */
#include <string.h>

#include "afrf.h"
#include "tap.h"

static const struct {
	const char *in, *want;
} cases[] = {
	{ "From: Alice <alice@example.com>", "From: Alice <redacted@example.com>" },
	{ "To: a.b+c@x.example, \"Carol\" <carol@y.example>",
	  "To: redacted@x.example, \"Carol\" <redacted@y.example>" },
	{ "From: \"odd @ name\"@z.example", "From: redacted@z.example" },
	{ "From: \"x\\\"y\"@z.example", "From: redacted@z.example" },
	{ "Received: from a by b for <u@v.example>;\r\n\tmore w@x.example",
	  "Received: from a by b for <redacted@v.example>;\r\n\tmore redacted@x.example" },
	{ "Subject: meet @ noon", "Subject: meet @ noon" },
	{ "X: @domain.example only", "X: @domain.example only" },
	{ "X: trailing user@", "X: trailing user@" },
	{ "X: a@-b", "X: a@-b" },
	{ "X: a@[192.0.2.1]", "X: redacted@[192.0.2.1]" },
	{ "X: josé@exämple.example", "X: redacted@exämple.example" },
	{ "", "" },
};

int
main(void)
{
	struct str out = STR_INITIALIZER(4096);
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		str_reset(&out);
		tap_ok(afrf_redact(&out, cases[i].in, strlen(cases[i].in)) == STR_OK, "redact %zu: ok", i);
		tap_streq(out.len ? out.s : "", cases[i].want, "redact %zu: %s", i, cases[i].want);
	}
	tap_inteq((long long)afrf_budget(262144), 262144 - 8192, "budget: the overhead kept");
	tap_inteq((long long)afrf_budget(4096), 0, "budget: none below the overhead");
	str_free(&out);
	return tap_done();
}
