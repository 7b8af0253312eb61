/*
 * fuzz_authres.c - libFuzzer target for policy/authres.c: strict and lenient
 * parse, authserv-id extraction and the forged-claim check, and writing back
 * what was parsed.  Invariants checked (abort on violation):
 *   - a strict parse that succeeds implies a lenient one with the same id,
 *     and authres_claims_id() finds that id (when it has no whitespace);
 *   - what the writer accepts from a parsed header parses strictly again,
 *     with the same number of results.
 * Everything allocated is freed.  Single-threaded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authres.h"
#include "str.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* write_back - feed a parsed header to the writer; check the output re-parses. */
static void
write_back(const struct authres_header *h)
{
	struct str out = STR_INITIALIZER(1 << 20);
	struct authres_writer w;
	struct authres_header again;
	size_t i, j;

	authres_writer_init(&w, &out, h->authserv_id);
	for (i = 0; i < h->nresults; i++) {
		const struct authres_result *r = &h->results[i];

		authres_add(&w, r->method, r->result);
		if (r->reason != NULL)
			authres_add_reason(&w, r->reason);
		if (r->comment != NULL)
			authres_add_comment(&w, r->comment);
		for (j = 0; j < r->nprops; j++)
			if (r->props[j].ptype != NULL)
				authres_add_prop(&w, r->props[j].ptype, r->props[j].property,
				    r->props[j].value);
	}
	if (authres_writer_finish(&w, NULL, 0) == AUTHRES_OK) {
		if (authres_parse(out.s, out.len, &again, NULL, 0) != AUTHRES_OK ||
		    again.nresults != h->nresults)
			abort();
		authres_header_free(&again);
	}
	str_free(&out);
}

/* has_space - does s contain whitespace (where claims trimming differs)? */
static int
has_space(const char *s)
{
	return strpbrk(s, " \t\r\n") != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct authres_header strict, lenient;
	struct str id = STR_INITIALIZER(size + 1);
	char reason[256];
	enum authres_status st, lst;

	st = authres_parse(s, size, &strict, reason, sizeof(reason));
	lst = authres_parse_flags(s, size, AUTHRES_LENIENT, &lenient, reason, sizeof(reason));
	(void)authres_authserv_id(s, size, &id);
	if (st == AUTHRES_OK) {
		if (lst != AUTHRES_OK || strcmp(strict.authserv_id, lenient.authserv_id) != 0)
			abort();
		if (!has_space(strict.authserv_id) &&
		    !authres_claims_id(s, size, strict.authserv_id))
			abort();
		write_back(&strict);
	}
	if (lst == AUTHRES_OK)
		write_back(&lenient);
	(void)authres_claims_id(s, size, "mx.example.com");
	authres_header_free(&strict);
	authres_header_free(&lenient);
	str_free(&id);
	return 0;
}
