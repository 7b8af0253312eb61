/*
 * fuzz_from.c - libFuzzer target for policy/from.c.  The input is parsed
 * whole by from_parse(), then split at NUL bytes into up to FUZZ_MAX_FIELDS
 * From fields for from_collect().  Invariants of the result are checked and
 * abort() when broken, so the fuzzer reports them.  Single-threaded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "from.h"

#define FUZZ_MAX_FIELDS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_result - status, counts and domains must agree. */
static void
check_result(const struct from_result *r)
{
	char again[DOMAIN_BUFSIZE];
	size_t i;

	if (r->ndomains > FROM_MAX_DOMAINS || r->naddrs > FROM_MAX_ADDRS * FUZZ_MAX_FIELDS)
		abort();
	switch (r->status) {
	case FROM_OK:
		if (r->naddrs != 1 || r->ndomains != 1)
			abort();
		break;
	case FROM_MULTI_SAME_DOMAIN:
		if (r->naddrs < 2 || r->ndomains != 1)
			abort();
		break;
	case FROM_MULTI_DIFF_DOMAIN:
		if (r->naddrs < 2 || r->ndomains < 2)
			abort();
		break;
	case FROM_UNPARSEABLE:
	case FROM_BAD_DOMAIN:
	case FROM_NONE:
		if (r->ndomains != 0 || r->reason[0] == '\0')
			abort();
		break;
	default:
		break;
	}
	for (i = 0; i < r->ndomains; i++) {
		/* every domain kept is already normalised */
		if (domain_normalize(r->domains[i], strlen(r->domains[i]), again) != DOMAIN_OK ||
		    strcmp(again, r->domains[i]) != 0)
			abort();
	}
	if (memchr(r->reason, '\0', sizeof(r->reason)) == NULL)
		abort();
}

/* collect_split - the input as several From fields, split at NUL. */
static void
collect_split(const char *p, size_t size)
{
	const char *vals[FUZZ_MAX_FIELDS];
	size_t lens[FUZZ_MAX_FIELDS], n = 0;
	const char *nul;
	struct from_result r;

	while (n < FUZZ_MAX_FIELDS) {
		nul = memchr(p, '\0', size);
		vals[n] = p;
		lens[n] = nul != NULL ? (size_t)(nul - p) : size;
		n++;
		if (nul == NULL)
			break;
		size -= lens[n - 1] + 1;
		p = nul + 1;
	}
	from_collect(vals, lens, n, &r);
	if (n > 1 && r.status != FROM_MULTIPLE_HEADERS)
		abort();
	check_result(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct from_result r;
	char *copy;

	if (size == 0) {
		from_parse("", 0, &r);
		check_result(&r);
		collect_split("", 0);
		return 0;
	}
	/* a private copy, so reads past the end are caught by ASan */
	if ((copy = malloc(size)) == NULL)
		return 0;
	memcpy(copy, data, size);
	from_parse(copy, size, &r);
	check_result(&r);
	if (memchr(copy, '\0', size) != NULL && r.status != FROM_UNPARSEABLE)
		abort();
	collect_split(copy, size);
	free(copy);
	return 0;
}
