/*
 * fuzz_arc_override.c - libFuzzer target for policy/arc_override.c: the
 * input is split at NUL bytes into up to four ARC-Authentication-Results
 * texts (instances 1..4, alternately sealed by a trusted and an untrusted
 * domain); the first byte picks the alignment modes and oldest_pass.
 * Invariants checked (abort on violation):
 *   - a result that applies names a trusted instance at or above oldest_pass;
 *   - applying it to a failing reject verdict lowers it to none with the
 *     trusted_forwarder bit, and the DMARC result stays fail.
 * Everything allocated is freed.  Single-threaded.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arc_override.h"

#define NSETS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* org_two - the last two labels (enough for relaxed alignment here). */
static bool
org_two(void *ctx, const char *name, char *org)
{
	const char *p = name + strlen(name);
	int dots = 0;

	(void)ctx;
	while (p > name && !(p[-1] == '.' && ++dots == 2))
		p--;
	memcpy(org, p, strlen(p) + 1);
	return true;
}

/* check_apply - the verdict change of an applying result. */
static void
check_apply(const struct arc_override_result *r)
{
	struct verdict v;

	verdict_init(&v);
	v.result = DMARC_RES_FAIL;
	v.disposition = DISP_REJECT;
	if (!arc_override_apply(&v, r) || v.disposition != DISP_NONE ||
	    !(v.overrides & OVERRIDE_TRUSTED_FORWARDER) || v.result != DMARC_RES_FAIL)
		abort();
	verdict_free(&v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const trusted[] = { "lists.example.org" };
	struct arc_override_set sets[NSETS];
	struct arc_override_input in;
	struct arc_override_result r;
	const char *p, *end, *nul;
	size_t n = 0;

	if (size < 1)
		return 0;
	memset(&in, 0, sizeof(in));
	in.spf_mode = (data[0] & 1) ? DMARC_ALIGN_STRICT : DMARC_ALIGN_RELAXED;
	in.dkim_mode = (data[0] & 2) ? DMARC_ALIGN_STRICT : DMARC_ALIGN_RELAXED;
	in.oldest_pass = (unsigned)(data[0] >> 2) % (NSETS + 1);
	p = (const char *)data + 1;
	end = (const char *)data + size;
	while (n < NSETS && p <= end) {
		nul = memchr(p, '\0', (size_t)(end - p));
		sets[n].i = (unsigned)n + 1;
		sets[n].sealer = n % 2 == 0 ? "Lists.Example.ORG" : "evil.example";
		sets[n].aar = p;
		sets[n].aar_len = nul != NULL ? (size_t)(nul - p) : (size_t)(end - p);
		n++;
		if (nul == NULL)
			break;
		p = nul + 1;
	}
	in.chain_pass = true;
	in.nsets = n;
	in.sets = sets;
	in.author = "author.example";
	in.ntrusted = 1;
	in.trusted = trusted;
	in.org = org_two;
	arc_override_check(&in, &r);
	if (r.applies) {
		if (r.i < in.oldest_pass || r.i == 0 || r.i > n || r.i % 2 != 1 ||
		    strcmp(r.sealer, "lists.example.org") != 0)
			abort();
		check_apply(&r);
	}
	return 0;
}
