/*
 * fuzz_from.c - libFuzzer target for policy/from.c.  The input is parsed
 * whole by from_parse(), then split at NUL bytes into up to FUZZ_MAX_FIELDS
 * From fields for from_collect() and from_recover() (policy/from_recover.c,
 * the lenient reader of unusable fields).  Invariants of the result are
 * checked and abort() when broken, so the fuzzer reports them: a usable
 * result names at least one domain and dropped none; every recovered
 * domain is normalised, and what the strict parser found in one field is
 * among what the lenient one recovers from it.  Single-threaded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "from.h"

#define FUZZ_MAX_FIELDS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check_result_domains - the count is bounded, every domain normalised. */
static void
check_result_domains(const struct from_result *r)
{
	char again[DOMAIN_BUFSIZE];
	size_t i;

	if (r->ndomains > FROM_MAX_DOMAINS)
		abort();
	for (i = 0; i < r->ndomains; i++)
		if (domain_normalize(r->domains[i], strlen(r->domains[i]), again) != DOMAIN_OK ||
		    strcmp(again, r->domains[i]) != 0)
			abort();
}

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

/* has_domain - is dom among r's domains? */
static int
has_domain(const struct from_result *r, const char *dom)
{
	size_t i;

	for (i = 0; i < r->ndomains; i++)
		if (strcmp(r->domains[i], dom) == 0)
			return 1;
	return 0;
}

/* check_recover - from_recover's domains are normalised, bounded, and
 * include what from_parse found in a one-field input without overflow. */
static void
check_recover(const char *const *vals, const size_t *lens, size_t n)
{
	struct from_result strict, lenient;
	size_t i;

	memset(&lenient, 0, sizeof(lenient));
	if (from_recover(vals, lens, n, &lenient) != lenient.ndomains)
		abort();
	check_result_domains(&lenient);
	if (n != 1 || lenient.overflow)
		return;
	from_parse(vals[0], lens[0], &strict);
	for (i = 0; i < strict.ndomains; i++)
		if (!strict.overflow && !has_domain(&lenient, strict.domains[i]))
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
	if (from_usable(&r) && (r.ndomains == 0 || r.overflow || r.nunusable > 0))
		abort();
	check_recover(vals, lens, n);
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
