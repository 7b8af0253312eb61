/*
 * from.h - RFC 5322 From header parsing: find the author domain(s).
 *
 * A full address-list parser (RFC 5322 section 3.4 plus the obsolete
 * syntax of section 4.4, RFC 6532 UTF-8): display names, angle addresses,
 * comments, groups, obs-route, quoted local parts, folding whitespace.
 * Domains are normalised with domain_normalize() (lower-case A-labels).
 * Anything ambiguous is FROM_UNPARSEABLE: a domain is never reported that
 * is not the real addr-spec domain.  Work is linear in the input length.
 *
 * Called by the verdict code and the milter glue.  No global state;
 * thread-safe.
 */
#ifndef AUTHMILTER_FROM_H
#define AUTHMILTER_FROM_H

#include <stdbool.h>
#include <stddef.h>

#include "domain.h"

#define FROM_MAX_DOMAINS 8	/* distinct author domains kept */
#define FROM_MAX_ADDRS 64	/* more addresses in one message: unparseable */
#define FROM_MAX_NESTING 32	/* deepest comment nesting accepted */
#define FROM_REASON_SIZE 160

enum from_status {
	FROM_OK = 0,		/* one or more addresses, one author domain */
	FROM_NONE,		/* no From header */
	FROM_MULTIPLE_HEADERS,	/* more than one From field (domains still reported) */
	FROM_MULTI_SAME_DOMAIN,	/* several addresses, one domain (usable) */
	FROM_MULTI_DIFF_DOMAIN,	/* several addresses, different domains */
	FROM_UNPARSEABLE,	/* syntax error, no address, or over a limit */
	FROM_BAD_DOMAIN,	/* parsed, but a domain is syntactically invalid */
	FROM_NOMEM		/* allocation failed */
};

struct from_result {
	enum from_status status;
	size_t naddrs;		/* mailboxes found (over all fields) */
	size_t ndomains;	/* distinct domains in domains[] */
	bool overflow;		/* more distinct domains than FROM_MAX_DOMAINS */
	size_t nunusable;	/* From fields (from_collect) that gave no domain */
	/* distinct, normalised lower-case A-labels, in order of appearance */
	char domains[FROM_MAX_DOMAINS][DOMAIN_BUFSIZE];
	char reason[FROM_REASON_SIZE];	/* why, for anything but FROM_OK ("" then);
					 * offsets only, never header text */
};

/*
 * from_parse - parse ONE From field value of len bytes (the text after
 * "From:"; an accidental leading "From:" field name is tolerated).  The
 * value may contain folding (CRLF or LF followed by WSP) and NUL bytes
 * (which make it unparseable).  Fills *out completely and returns
 * out->status:
 *   FROM_OK                exactly one mailbox (alone or in a group);
 *   FROM_MULTI_SAME_DOMAIN several addresses, all in one domain;
 *   FROM_MULTI_DIFF_DOMAIN several addresses, several domains (all listed
 *                          up to FROM_MAX_DOMAINS);
 *   FROM_UNPARSEABLE       syntax error, no mailbox, or over FROM_MAX_ADDRS;
 *   FROM_BAD_DOMAIN        syntactically an address, but a domain is not
 *                          a valid DNS name (domain literal, bad label...);
 *   FROM_NOMEM             reserved: the parser allocates nothing today.
 * out->domains holds the domains only for FROM_OK and the MULTI statuses
 * (ndomains is 0 otherwise); FROM_MULTI_SAME_DOMAIN is usable as one
 * author domain.  Empty groups alone ("undisclosed:;") are unparseable:
 * no author.  value may be NULL when len is 0.  Refused on purpose
 * (FROM_UNPARSEABLE): CFWS between the labels of a domain (obsolete syntax,
 * "a@example.net.(x)example.com"), a phrase before a bare addr-spec
 * ("Joe joe@example.com"), unbalanced < > ( ) " [, anything but a
 * separator after an address, a line end not followed by WSP, NUL bytes.
 * Accepted on purpose: empty or repeated dots in a local part, a trailing
 * dot in a domain, UTS-46 mapping of U-labels (upper case, U+3002 as dot).
 */
enum from_status from_parse(const char *value, size_t len, struct from_result *out);

/*
 * from_collect - all From field values of a message (values[i] of lens[i]
 * bytes, nheaders of them).  0 fields give FROM_NONE; more than one give
 * FROM_MULTIPLE_HEADERS, with naddrs and the distinct domains of every
 * field that parsed still reported (the reason names fields that did
 * not); a single field gives from_parse()'s result.
 */
enum from_status from_collect(const char *const *values, const size_t *lens,
    size_t nheaders, struct from_result *out);

/*
 * from_result_add - add the normalised domain dom to r->domains unless it
 * is there already; false, with r->overflow set, when FROM_MAX_DOMAINS are
 * kept and dom is new.
 */
bool from_result_add(struct from_result *r, const char *dom);

/*
 * from_usable - does r name every author domain of the message: at least
 * one domain, every field read, no address with an unusable domain, no
 * domain dropped past FROM_MAX_DOMAINS?  Anything less must not be taken
 * as the author domain set: a limit or a parse failure never turns into a
 * smaller set of policies to apply.
 */
bool from_usable(const struct from_result *r);

/*
 * from_recover - the domains a mail reader may display from From field
 * values that are not usable (policy/from_recover.c): every "@" followed by
 * domain characters, in the text as written and with RFC 2047 encoded
 * words decoded, normalised; never the parse from_parse() refused.  Fills
 * out->domains, out->ndomains and out->overflow (more than
 * FROM_MAX_DOMAINS distinct candidates); leaves the rest of out alone.
 * Returns out->ndomains.  Allocates one scratch copy per value.
 */
size_t from_recover(const char *const *values, const size_t *lens, size_t nvalues,
    struct from_result *out);

/* from_status_name - stable lower-case name of a status ("ok", "none"...). */
const char *from_status_name(enum from_status st);

#endif
