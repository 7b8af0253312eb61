/*
 * domain.h - domain names as DMARC sees them: validation, normalisation to
 * lower-case A-labels, label arithmetic.  Used by the From parser, the
 * record and alignment code, the PSL and the tree walk.  No global state;
 * thread-safe.
 */
#ifndef AUTHMILTER_DOMAIN_H
#define AUTHMILTER_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>

#define DOMAIN_MAX 253		/* RFC 1035, without the trailing dot */
#define DOMAIN_LABEL_MAX 63
#define DOMAIN_BUFSIZE (DOMAIN_MAX + 1)

enum domain_status {
	DOMAIN_OK = 0,
	DOMAIN_EMPTY,		/* no characters */
	DOMAIN_TOO_LONG,	/* over 253 octets, or a label over 63 */
	DOMAIN_EMPTY_LABEL,	/* leading dot or two dots in a row */
	DOMAIN_BAD_CHAR,	/* a character outside letters, digits, '-' (and U-labels) */
	DOMAIN_BAD_HYPHEN,	/* label starts or ends with '-' */
	DOMAIN_NUMERIC_TLD,	/* last label all digits: an address, not a domain */
	DOMAIN_BAD_IDN		/* non-ASCII label that is not a valid IDNA2008 U-label */
};

/*
 * domain_normalize - validate a domain name of len bytes and write it to out
 * (DOMAIN_BUFSIZE bytes) as lower-case A-labels without a trailing dot.
 * U-labels (UTF-8) are converted to A-labels; A-labels are kept as given.
 * On any status but DOMAIN_OK, out is the empty string.
 */
enum domain_status domain_normalize(const char *in, size_t len, char *out);

/* domain_strerror - text for a status. */
const char *domain_strerror(enum domain_status st);

/* domain_labels - number of labels of a normalised name (0 for ""). */
size_t domain_labels(const char *name);

/* domain_parent - the name without its first label, or NULL for a single label. */
const char *domain_parent(const char *name);

/* domain_suffix - the last n labels of name (name itself if it has n or fewer). */
const char *domain_suffix(const char *name, size_t n);

/* domain_is_within - is name equal to parent or below it (case-insensitive)? */
bool domain_is_within(const char *name, const char *parent);

/* domain_equal - case-insensitive equality of two names. */
bool domain_equal(const char *a, const char *b);

/*
 * domain_to_unicode - convert a normalised name to U-labels in out
 * (outsize bytes).  Returns 0, or -1 when it cannot or does not fit.
 */
int domain_to_unicode(const char *name, char *out, size_t outsize);

#endif
