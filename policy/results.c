/*
 * results.c - names of the shared result vocabularies (see results.h).
 * Pure tables; thread-safe.
 */
#include <stddef.h>
#include <strings.h>

#include "results.h"

static const char *const spf_names[] = {
	"none", "neutral", "pass", "fail", "softfail", "temperror", "permerror"
};
static const char *const scope_names[] = { "mfrom", "helo" };
static const char *const dkim_names[] = {
	"none", "pass", "fail", "neutral", "policy", "temperror", "permerror"
};
static const char *const dmarc_names[] = {
	"none", "pass", "fail", "temperror", "permerror"
};
static const char *const disp_names[] = { "none", "pass", "quarantine", "reject" };
static const char *const override_names[] = {
	"policy_test_mode", "sampled_out", "local_policy", "trusted_forwarder",
	"mailing_list", "other"
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* name_at - table lookup with a bounds check. */
static const char *
name_at(const char *const *tab, size_t n, unsigned i)
{
	return i < n ? tab[i] : "unknown";
}

/* index_of - case-insensitive reverse lookup; -1 when absent. */
static int
index_of(const char *const *tab, size_t n, const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < n; i++)
		if (strcasecmp(tab[i], name) == 0)
			return (int)i;
	return -1;
}

const char *spf_result_name(enum spf_result r) { return name_at(spf_names, NELEM(spf_names), r); }
const char *spf_scope_name(enum spf_scope s) { return name_at(scope_names, NELEM(scope_names), s); }
const char *dkim_result_name(enum dkim_result r) { return name_at(dkim_names, NELEM(dkim_names), r); }
const char *dmarc_result_name(enum dmarc_result r) { return name_at(dmarc_names, NELEM(dmarc_names), r); }
const char *disposition_name(enum disposition d) { return name_at(disp_names, NELEM(disp_names), d); }

const char *
override_name(unsigned bit)
{
	size_t i;

	for (i = 0; i < NELEM(override_names); i++)
		if (bit == (1u << i))
			return override_names[i];
	return "unknown";
}

/* FROM_NAME - define one reverse lookup. */
#define FROM_NAME(fn, type, tab) \
	bool fn(const char *name, type *out) \
	{ \
		int i = index_of(tab, NELEM(tab), name); \
		if (i < 0) \
			return false; \
		*out = (type)i; \
		return true; \
	}

FROM_NAME(spf_result_from_name, enum spf_result, spf_names)
FROM_NAME(spf_scope_from_name, enum spf_scope, scope_names)
FROM_NAME(dkim_result_from_name, enum dkim_result, dkim_names)
FROM_NAME(dmarc_result_from_name, enum dmarc_result, dmarc_names)
FROM_NAME(disposition_from_name, enum disposition, disp_names)

bool
override_from_name(const char *name, unsigned *bit)
{
	int i = index_of(override_names, NELEM(override_names), name);

	if (i < 0)
		return false;
	*bit = 1u << i;
	return true;
}
