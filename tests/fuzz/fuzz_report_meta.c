/*
 * fuzz_report_meta.c - libFuzzer target for the report sender's parsers of
 * untrusted text: the spool's .meta files (reports/meta.c) and rua
 * destinations (reports/rua.c).  The whole input is parsed as a .meta
 * and as one rua.  For an accepted .meta: each destination is parsed;
 * appending a sent or skipped line for every destination must parse back
 * with every destination done; and the message built from the accepted
 * values (reports/mime.c) must not be refused and must have no header
 * line but ours, so nothing a .meta or a rua holds can add a field.
 * Invariant violations abort() so the fuzzer reports them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "meta.h"
#include "mime.h"
#include "rua.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* header_ok - every line before the empty one is ours or a continuation. */
static bool
header_ok(const char *s)
{
	static const char *const names[] = { "From: ", "To: ", "Subject: ", "Date: ",
	    "Message-ID: ", "MIME-Version: ", "Auto-Submitted: ", "Content-Type: " };
	const char *nl;
	size_t i;

	for (; (nl = strchr(s, '\n')) != NULL && nl != s; s = nl + 1) {
		if (*s == ' ')
			continue;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strncmp(s, names[i], strlen(names[i])) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0]) || nl - s > 998)
			return false;
	}
	return nl != NULL;
}

/* check_message - the message for a destination must build and be clean. */
static void
check_message(const struct meta *m, const struct rua *r)
{
	static const unsigned char gz[] = { 0x1f, 0x8b, 8, 0 };
	struct str out = STR_INITIALIZER(1 << 20);
	struct mime_report mr = {
		.from = "postmaster@mx.example.net", .to = r->addr,
		.policy_domain = m->policy_domain, .submitter = m->policy_domain,
		.report_id = m->report_id, .filename = m->file,
		.message_id = "x.1@mx.example.net", .boundary = "=_b_1", .begin = m->begin,
		.end = m->end, .date = 1796105821, .data = gz, .len = sizeof(gz),
	};
	char why[256];

	if (mime_build(&mr, &out, why, sizeof(why)) != MIME_OK || !header_ok(out.s))
		abort();
	str_free(&out);
}

/* check_dests - parse every destination; append a line for each; parse back. */
static void
check_dests(const struct meta *m, const char *text, size_t len)
{
	struct str s = STR_INITIALIZER(4 * META_MAX_BYTES);
	struct meta m2;
	char why[256], err[512];
	struct rua r;
	size_t i;

	if (str_append(&s, text, len) != STR_OK)
		abort();
	for (i = 0; i < m->n_dest; i++) {
		if (m->dest[i].done != META_DUE)
			continue;
		if (rua_parse(m->dest[i].uri, strlen(m->dest[i].uri), &r, why, sizeof(why)) == RUA_OK)
			check_message(m, &r);
		if (meta_append_line(&s, i % 2 ? META_SENT : META_SKIPPED, m->dest[i].uri, 1, why) !=
		    STR_OK)
			abort();
	}
	if (s.len <= META_MAX_BYTES) {
		if (meta_parse(s.s, s.len, "fuzz", &m2, err, sizeof(err)) != META_OK || !meta_all_done(&m2))
			abort();
		meta_free(&m2);
	}
	str_free(&s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], why[256];
	struct meta m;
	struct rua r;

	if (meta_parse((const char *)data, size, "fuzz", &m, err, sizeof(err)) == META_OK)
		check_dests(&m, (const char *)data, size);
	meta_free(&m);
	if (rua_parse((const char *)data, size, &r, why, sizeof(why)) == RUA_OK &&
	    (strchr(r.addr, '\n') != NULL || strchr(r.addr, '\r') != NULL || strchr(r.addr, '@') == NULL))
		abort();
	return 0;
}
