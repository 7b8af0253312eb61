/*
 * psl.h - the Public Suffix List and the RFC 7489 organizational domain.
 *
 * A struct psl is loaded once (from a file path given by the caller, or a
 * buffer) and is then read-only: lookups are thread-safe.  Rules are stored
 * as lower-case A-labels; wildcard and exception rules follow the PSL
 * algorithm; the implicit rule "*" applies.
 */
#ifndef AUTHMILTER_PSL_H
#define AUTHMILTER_PSL_H

#include <stdbool.h>
#include <stddef.h>

struct psl;

enum psl_status {
	PSL_OK = 0,
	PSL_NOMEM,
	PSL_IO,			/* the file could not be read */
	PSL_EMPTY,		/* no rule at all: almost certainly the wrong file */
	PSL_NOT_FOUND		/* lookup: the name is a public suffix itself, or invalid */
};

#define PSL_DEFAULT_PATH "/usr/share/publicsuffix/public_suffix_list.dat"

/*
 * psl_load_file - read a list in the publicsuffix.org format.  On error
 * *out is NULL and reason (reasonsize bytes) names the problem.  The
 * library opens the named file and does no other I/O.
 */
enum psl_status psl_load_file(const char *path, struct psl **out, char *reason, size_t reasonsize);

/* psl_load_buffer - the same from len bytes in memory. */
enum psl_status psl_load_buffer(const char *text, size_t len, struct psl **out, char *reason, size_t reasonsize);

/* psl_free - release a list (NULL is fine). */
void psl_free(struct psl *psl);

/* psl_rule_count - number of rules loaded. */
size_t psl_rule_count(const struct psl *psl);

/*
 * psl_public_suffix - the public suffix of a normalised (A-label,
 * lower-case) name: a pointer into name; NULL when name is empty or has a
 * leading dot, a trailing dot or an empty label.  Matching ignores ASCII
 * case.  A NULL psl behaves as an empty list (only the default rule "*").
 */
const char *psl_public_suffix(const struct psl *psl, const char *name);

/*
 * psl_org_domain - the registrable domain (public suffix plus one label) of
 * a normalised name, as a pointer into name; PSL_NOT_FOUND when name is a
 * public suffix itself.
 */
enum psl_status psl_org_domain(const struct psl *psl, const char *name, const char **org);

#endif
