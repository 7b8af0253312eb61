/*
 * rua.h - one destination of an aggregate report as written in a policy
 * record's rua tag (and copied into the spool's .meta files): a URI with
 * the obsolete "!size" suffix of RFC 7489 6.2 / RFC 9989 4.7
 * (obs-dmarc-report-size = "!" 1*DIGIT [ "k" / "m" / "g" / "t" ], units
 * of 1024 bytes, case-insensitive).  Only mailto: URIs (RFC 6068) are
 * usable: the address (one, percent-decoded, a dot-atom local part, the
 * domain as A-labels) is what the report goes to; hfields ("?subject=...")
 * are ignored.  For other schemes only the host is extracted (to compare
 * hosts in the external destination check).  Pure functions; thread-safe.
 */
#ifndef AUTHMILTER_REPORTS_RUA_H
#define AUTHMILTER_REPORTS_RUA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rfc5322.h"

#define RUA_MAX 1024		/* bytes of one URI with its size suffix */
#define RUA_SCHEME_MAX 32	/* bytes of a scheme we keep */

enum rua_status {
	RUA_OK = 0,		/* a mailto: URI with one usable address */
	RUA_NOT_MAILTO,		/* a well-formed URI of another scheme */
	RUA_BAD			/* malformed URI, size suffix or address */
};

struct rua {
	char scheme[RUA_SCHEME_MAX];	/* lower-case ("mailto", "https") */
	char addr[RFC5322_ADDR_BUFSIZE]; /* mailto only: "local@domain" */
	char host[DOMAIN_BUFSIZE];	/* the destination host (RFC 9990 section 4, step 1):
					 * the address's domain for mailto, the authority's
					 * host for "scheme://host..." when it is a domain
					 * name, else "" */
	bool has_size;			/* a "!size" suffix was present */
	uint64_t size_limit;		/* its value in bytes (saturated) */
};

/*
 * rua_parse - parse n bytes of one rua element into out.  On RUA_BAD and
 * RUA_NOT_MAILTO, why (whysize bytes) says what is wrong, in words fit for
 * a log line and the spool's "skipped" line.
 */
enum rua_status rua_parse(const char *s, size_t n, struct rua *out, char *why, size_t whysize);

/*
 * rua_parse_size - the digits and unit after the '!' (n bytes) into *out
 * (bytes, saturated at UINT64_MAX).  Returns false when malformed.
 */
bool rua_parse_size(const char *s, size_t n, uint64_t *out);

#endif
