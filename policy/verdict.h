/*
 * verdict.h - the DMARC decision (RFC 9989 section 4.10, 5.3).
 *
 * From the author domain(s), the SPF and DKIM results, the discovered policy,
 * local overrides and a sampling roll, compute plain data: the DMARC result,
 * the policy applied, the disposition, override reasons and per-identifier
 * alignment.  Comparable in golden-file tests (verdict_dump).  All DNS and
 * randomness come through the policy_env.  Not shared between threads: one
 * verdict per message.
 */
#ifndef AUTHMILTER_VERDICT_H
#define AUTHMILTER_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "discover.h"
#include "dmarc_record.h"
#include "domain.h"
#include "env.h"
#include "results.h"
#include "str.h"

#define VERDICT_MAX_AUTHORS 8	/* author domains evaluated from one From header */
#define VERDICT_MAX_DKIM 16	/* DKIM results considered */
#define VERDICT_MAX_SPF 2	/* one mfrom and one helo result */

struct verdict_spf {
	char domain[DOMAIN_BUFSIZE];	/* normalised */
	enum spf_scope scope;
	enum spf_result result;
};

struct verdict_dkim {
	char domain[DOMAIN_BUFSIZE];	/* d=, normalised */
	char selector[DOMAIN_BUFSIZE];	/* s= */
	enum dkim_result result;
};

/* Everything the decision depends on; plain data owned by the caller. */
struct verdict_input {
	size_t nauthors;			/* 0: no usable author domain */
	char authors[VERDICT_MAX_AUTHORS][DOMAIN_BUFSIZE];	/* normalised, distinct */
	size_t nspf;
	struct verdict_spf spf[VERDICT_MAX_SPF];
	size_t ndkim;
	struct verdict_dkim dkim[VERDICT_MAX_DKIM];
	enum org_mode mode;
	const struct psl *psl;			/* required for ORG_MODE_PSL */
	unsigned overrides;			/* OVERRIDE_* decided locally (e.g. trusted forwarder) */
	bool honor_pct;				/* apply the historic pct= sampling (off by default) */
};

enum policy_tag {
	POLICY_TAG_NONE = 0,	/* no policy applied */
	POLICY_TAG_P,
	POLICY_TAG_SP,
	POLICY_TAG_NP
};

/* Tri-state for facts that were not always looked up. */
enum tristate {
	TRI_UNKNOWN = 0,
	TRI_NO,
	TRI_YES
};

struct verdict {
	enum dmarc_result result;
	enum disposition disposition;
	enum dmarc_policy policy;	/* policy selected (p/sp/np) before t=y and pct */
	enum policy_tag applied_tag;
	unsigned overrides;		/* OVERRIDE_* that changed the disposition */
	char header_from[DOMAIN_BUFSIZE];	/* the author domain that decided */
	char policy_domain[DOMAIN_BUFSIZE];
	char org_domain[DOMAIN_BUFSIZE];
	enum org_mode mode;
	bool record_found;
	struct dmarc_record record;	/* the policy record, when record_found */
	enum dns_sec record_sec;
	enum tristate author_exists;
	bool spf_aligned, dkim_aligned;
	enum dmarc_align spf_mode, dkim_mode;	/* the record's aspf / adkim */
	char spf_domain[DOMAIN_BUFSIZE];	/* aligned SPF identifier, if any */
	char dkim_domain[DOMAIN_BUFSIZE];	/* first aligned passing DKIM d=, if any */
	bool dkim_aligned_each[VERDICT_MAX_DKIM];	/* per input signature */
	size_t nauthors_evaluated;
	struct str reason;		/* one human-readable line explaining the decision */
};

/* verdict_init - an empty verdict (result none). */
void verdict_init(struct verdict *v);

/* verdict_free - release what a verdict holds; it may be evaluated again. */
void verdict_free(struct verdict *v);

enum verdict_status {
	VERDICT_OK = 0,
	VERDICT_NOMEM
};

/*
 * verdict_evaluate - decide.  With several author domains each is evaluated
 * and the strictest disposition wins (reject > quarantine > none > pass; on a
 * tie a temporary failure, else the first).  A DNS temporary failure gives result temperror.
 */
enum verdict_status verdict_evaluate(const struct policy_env *env,
    const struct verdict_input *in, struct verdict *out);

/*
 * verdict_dump - append a stable, line-oriented "key: value" rendering of v
 * to out (for golden files and logs).
 */
enum str_status verdict_dump(const struct verdict *v, struct str *out);

const char *policy_tag_name(enum policy_tag t);	/* "", "p", "sp", "np" */

#endif
