/*
 * align.c - DMARC identifier alignment (see align.h; RFC 9989 section
 * 3.2.10 and 4.4).
 *
 * Called by the verdict for the SPF and DKIM identifiers.  The caller has
 * already found the organizational domains, so this is a pure comparison
 * with no state; thread-safe.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "align.h"

/* trimmed_len - length of name without one trailing dot. */
static size_t
trimmed_len(const char *name)
{
	size_t n = strlen(name);

	return (n > 0 && name[n - 1] == '.') ? n - 1 : n;
}

/*
 * same_name - equal ignoring ASCII case and a trailing dot.  An empty name
 * (or NULL) equals nothing: an absent identifier never aligns.
 */
static bool
same_name(const char *a, const char *b)
{
	size_t na, nb;

	if (a == NULL || b == NULL)
		return false;
	na = trimmed_len(a);
	nb = trimmed_len(b);
	return na > 0 && na == nb && strncasecmp(a, b, na) == 0;
}

bool
align_check(enum dmarc_align mode, const char *identifier, const char *author,
    const char *org_id, const char *org_author)
{
	if (identifier == NULL || author == NULL)
		return false;
	if (mode == DMARC_ALIGN_STRICT)
		return same_name(identifier, author);
	return same_name(org_id, org_author);
}

const char *
align_mode_name(enum dmarc_align mode)
{
	return mode == DMARC_ALIGN_STRICT ? "strict" : "relaxed";
}
