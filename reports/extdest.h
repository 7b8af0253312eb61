/*
 * extdest.h - may a report for a policy domain go to a destination?  RFC
 * 9990 section 4 ("Verifying External Destinations").
 *
 * When the Organizational Domain of the policy domain (the domain the
 * DMARC record was found at) and that of the destination host (the
 * mailto: address's domain) are not identical, the destination must have
 * published a TXT record starting with "v=DMARC1" at
 * "<policy-domain>._report._dmarc.<destination-host>" (a wildcard
 * "*._report._dmarc.<host>" answers for every domain).  Organizational
 * Domains are determined the way the milter does (OrganizationalDomain:
 * the RFC 9989 tree walk or the public suffix list), through the project's
 * resolver.  A record with a rua tag (a ruf tag for failure reports, RFC
 * 9991) overrides the destination (step 9):
 * the first mailto: URI on the same host is used instead; a URI on any
 * other host in it means no report at all goes there.
 *
 * DNS temporary failures give EXTDEST_TEMPFAIL (try again next run),
 * never a refusal.  A missing or non-DMARC record, a name too long for the
 * DNS (step 4) or a permanent DNS failure give EXTDEST_REFUSED.
 *
 * Called by send.c and failsend.c.  Not thread-safe per resolver use beyond what the
 * resolver allows (it allows concurrent lookups); no state of its own.
 */
#ifndef AUTHMILTER_REPORTS_EXTDEST_H
#define AUTHMILTER_REPORTS_EXTDEST_H

#include <stdbool.h>

#include "discover.h"
#include "psl.h"
#include "resolver.h"
#include "rua.h"

#define EXTDEST_NAME_BUFSIZE (2 * DOMAIN_BUFSIZE + 16)

enum extdest_status {
	EXTDEST_OK = 0,		/* send: the same organization, or authorized */
	EXTDEST_REFUSED,	/* do not send (why says why) */
	EXTDEST_TEMPFAIL	/* cannot tell now (DNS temporary failure): try later */
};

struct extdest_config {
	struct resolver *resolver;
	enum org_mode mode;		/* how Organizational Domains are found */
	const struct psl *psl;		/* required for ORG_MODE_PSL */
	unsigned budget_ms;		/* DNS time for one check */
	bool ruf;			/* failure reports (RFC 9991 section "Verifying External
					 * Destinations"): the record's ruf tag, not its rua,
					 * overrides the destination */
};

struct extdest_result {
	bool external;			/* the verification was needed */
	bool overridden;		/* the record's rua replaced the destination */
	struct rua dest;		/* where to send on EXTDEST_OK */
	char name[EXTDEST_NAME_BUFSIZE]; /* the name queried ("" when not external) */
	char why[1024];			/* what was decided, for the log / the skipped line */
};

/*
 * extdest_check - decide for the normalised policy_domain and the parsed
 * mailto: destination dest (rua_parse gave RUA_OK).  out is always
 * filled.
 */
enum extdest_status extdest_check(const struct extdest_config *x, const char *policy_domain,
    const struct rua *dest, struct extdest_result *out);

/* extdest_status_name - "ok", "refused", "tempfail". */
const char *extdest_status_name(enum extdest_status st);

#endif
