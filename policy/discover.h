/*
 * discover.h - DMARC policy discovery and organizational domains.
 *
 * Two modes: the RFC 9989 DNS tree walk (section 4.10: at most 8 queries,
 * the jump to 7 labels, several DMARC records at one name discarded, psd=y /
 * psd=n handling) and the legacy RFC 7489 public-suffix-list mode.  All DNS
 * goes through the policy_env txt callback; a struct discover remembers the
 * answers of one evaluation, so the author domain and each identifier cost
 * each _dmarc name at most one query.  One struct discover per message;
 * not shared between threads.
 */
#ifndef AUTHMILTER_DISCOVER_H
#define AUTHMILTER_DISCOVER_H

#include <stdbool.h>
#include <stddef.h>

#include "dmarc_record.h"
#include "domain.h"
#include "env.h"
#include "psl.h"

enum org_mode {
	ORG_MODE_TREEWALK = 0,	/* RFC 9989 DNS tree walk */
	ORG_MODE_PSL		/* RFC 7489 public suffix list */
};

#define DISCOVER_MAX_QUERIES 8	/* RFC 9989 4.10: queries per tree walk */
#define DISCOVER_SHORTCUT_LABELS 7	/* jump to this many labels */

enum discover_status {
	DISCOVER_FOUND = 0,	/* a policy record applies */
	DISCOVER_NONE,		/* no DMARC record applies: DMARC does not apply */
	DISCOVER_TEMPFAIL,	/* a DNS temporary failure: DMARC temperror */
	DISCOVER_PERMFAIL,	/* a DNS permanent failure (not NXDOMAIN/NODATA): permerror */
	DISCOVER_NOMEM
};

struct discover;

/* One tree walk as the algorithm saw it (for tests and logs). */
struct discover_walk {
	size_t nqueries;
	char queries[DISCOVER_MAX_QUERIES][DOMAIN_BUFSIZE + 8];	/* "_dmarc.<name>" in order */
};

/* The policy that applies to an author domain. */
struct discover_policy {
	char author_domain[DOMAIN_BUFSIZE];
	char policy_domain[DOMAIN_BUFSIZE];	/* where the record was found */
	char org_domain[DOMAIN_BUFSIZE];	/* organizational domain of the author domain */
	struct dmarc_record record;		/* valid when status is FOUND */
	enum dns_sec sec;			/* DNSSEC status of the record's answer */
	enum org_mode mode;
	struct discover_walk walk;		/* the _dmarc names consulted, in order */
};

/* org_mode_name - "treewalk" or "psl" (the words used in reports). */
const char *org_mode_name(enum org_mode mode);

/*
 * discover_new - one evaluation's context.  psl is required for
 * ORG_MODE_PSL (and may be NULL otherwise); env must outlive the context.
 * Returns NULL when out of memory, or for ORG_MODE_PSL without a psl.
 */
struct discover *discover_new(const struct policy_env *env, enum org_mode mode, const struct psl *psl);

/* discover_free - release the context and its cached answers (NULL is fine). */
void discover_free(struct discover *d);

/*
 * discover_policy - find the DMARC policy record for a normalised author
 * domain (RFC 9989 4.10.1).  out is filled on every status; release it with
 * discover_policy_free().  reason (reasonsize bytes) explains NONE, TEMPFAIL
 * and PERMFAIL.  out->walk is the tree walk from the author domain (its first
 * query is the author's own _dmarc name).  When the author's own record was
 * found but a later query of the walk failed, the status is FOUND and
 * out->org_domain is "" (discover_org_domain then reports the failure).
 */
enum discover_status discover_policy(struct discover *d, const char *author,
    struct discover_policy *out, char *reason, size_t reasonsize);

/* discover_policy_free - release out's record. */
void discover_policy_free(struct discover_policy *out);

/*
 * discover_org_domain - the organizational domain of a normalised name
 * (RFC 9989 4.10.2 selection rules, or the PSL), into org (DOMAIN_BUFSIZE
 * bytes).  walk (may be NULL) receives the queries of the tree walk.
 * Returns DISCOVER_FOUND when the domain was determined (org is "" on any
 * other status); TEMPFAIL / PERMFAIL when a query of the walk failed.
 */
enum discover_status discover_org_domain(struct discover *d, const char *name,
    char *org, struct discover_walk *walk);

/* discover_query_count - DNS queries actually sent through env so far. */
size_t discover_query_count(const struct discover *d);

#endif
