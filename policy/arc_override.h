/*
 * arc_override.h - the trusted_forwarder override (RFC 9989 5.3 local
 * policy, RFC 8617 7.2): when DMARC fails and the ARC chain passes, an
 * instance sealed by a domain the administrator trusts may vouch for the
 * author domain in its ARC-Authentication-Results (AAR): a dmarc=pass for
 * that very domain, or an spf=pass / dkim=pass whose domain aligns with it
 * under the DMARC record's alignment modes.  Then the disposition becomes
 * none with override reason trusted_forwarder.  The instance's own
 * ARC-Message-Signature must still verify (instance >= oldest_pass, RFC
 * 8617 5.2 step 5): otherwise the message was changed after the trusted
 * sealer saw it (seals do not cover the body, so a later hop could replay
 * the trusted sets over other content), and its AAR speaks of another
 * message.
 *
 * Plain data in, plain data out: the caller (milter/decide.c) hands over
 * the chain result, each instance's sealing domain and AAR text, the author
 * domain, the alignment modes and the trusted list; organizational domains
 * for relaxed alignment come through a callback (the same discovery the
 * verdict used).  The AAR text is parsed with the project's
 * Authentication-Results parser (authres.h), leniently.
 *
 * Pure; thread-safe on distinct objects.
 */
#ifndef AUTHMILTER_ARC_OVERRIDE_H
#define AUTHMILTER_ARC_OVERRIDE_H

#include <stdbool.h>
#include <stddef.h>

#include "dmarc_record.h"
#include "domain.h"
#include "verdict.h"

/* One ARC set as the override needs it; the strings belong to the caller. */
struct arc_override_set {
	unsigned i;		/* instance, 1..50 */
	const char *sealer;	/* ARC-Seal d= as written ("" or NULL: unknown) */
	const char *aar;	/* AAR value after "i=N;": authserv-id; results */
	size_t aar_len;
};

/*
 * arc_override_org_fn - write the organizational domain of name (normalised)
 * into org (DOMAIN_BUFSIZE bytes); false when it cannot be learnt (the
 * identifier then aligns only when equal to the author domain).
 */
typedef bool (*arc_override_org_fn)(void *ctx, const char *name, char *org);

struct arc_override_input {
	bool chain_pass;			/* the ARC chain validated (cv=pass) */
	unsigned oldest_pass;			/* the oldest instance whose AMS still verifies
						 * (1: all; 0: unknown, nothing applies) */
	size_t nsets;
	const struct arc_override_set *sets;	/* any order */
	const char *author;			/* the author domain, normalised */
	enum dmarc_align spf_mode, dkim_mode;	/* the DMARC record's aspf / adkim */
	size_t ntrusted;
	const char *const *trusted;		/* ARCTrustedSealers, lower-case A-labels */
	arc_override_org_fn org;		/* NULL: relaxed alignment needs equality */
	void *org_ctx;
};

struct arc_override_result {
	bool applies;			/* a trusted instance vouches for the author domain */
	unsigned i;			/* that instance (the newest one that does) */
	char sealer[DOMAIN_BUFSIZE];	/* its ARC-Seal d=, normalised */
	char why[320];			/* what its AAR showed, e.g. "dmarc=pass header.from=a.example" */
};

/*
 * arc_override_check - fill out (always) from in.  Nothing applies when the
 * chain did not pass, no sealer is trusted, or no trusted instance whose
 * AMS still verifies has an AAR showing a pass for the author domain; an
 * unparseable AAR shows nothing.
 */
void arc_override_check(const struct arc_override_input *in, struct arc_override_result *out);

/*
 * arc_override_apply - when r applies and v is a DMARC fail whose
 * disposition is quarantine or reject, lower the disposition to none, add
 * OVERRIDE_TRUSTED_FORWARDER and say why in v->reason.  Returns true when v
 * was changed.  The DMARC result itself stays fail.
 */
bool arc_override_apply(struct verdict *v, const struct arc_override_result *r);

/* arc_override_detail - "arc i=N d=DOMAIN" for r into buf (size bytes); "" when r does not apply. */
void arc_override_detail(const struct arc_override_result *r, char *buf, size_t size);

#endif
