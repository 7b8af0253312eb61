/*
 * verdict.c - the DMARC decision (RFC 9989 4.10, 5.3): policy discovery,
 * identifier alignment, pass/fail, policy selection (p/sp/np), the
 * testing-mode and sampling adjustments, local overrides, and one line that
 * says why.  Called by the milter's decision step, the command-line checker
 * and the tests.  All DNS and randomness come through the policy_env; one
 * struct discover per evaluation remembers the _dmarc answers.  No global
 * state: thread-safe as long as each thread has its own verdict.
 */
#include <stdio.h>
#include <string.h>

#include "align.h"
#include "verdict.h"

#define VERDICT_REASON_MAX 4096	/* the reason line: a few domains and words */
#define WHY_MAX 768

/* Overrides the caller may decide locally (the others are computed here). */
#define LOCAL_OVERRIDES (OVERRIDE_LOCAL_POLICY | OVERRIDE_TRUSTED_FORWARDER | \
	OVERRIDE_MAILING_LIST | OVERRIDE_OTHER)

/* The state of one author domain's evaluation. */
struct eval {
	const struct policy_env *env;
	const struct verdict_input *in;
	struct discover *d;
	const char *author;
	enum discover_status dns;		/* first failure met while aligning */
	char dns_name[DOMAIN_BUFSIZE];		/* the name whose walk failed */
};

/* The reason line under construction; the first error sticks. */
struct say {
	struct str *s;
	enum str_status st;
};

#define SAY(r, ...) \
	do { \
		if ((r)->st == STR_OK) \
			(r)->st = str_printf((r)->s, __VA_ARGS__); \
	} while (0)

void
verdict_init(struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->result = DMARC_RES_NONE;
	v->disposition = DISP_NONE;
	v->mode = ORG_MODE_TREEWALK;
	str_init(&v->reason, VERDICT_REASON_MAX);
}

void
verdict_free(struct verdict *v)
{
	if (v->record_found)
		dmarc_record_free(&v->record);
	v->record_found = false;
	str_free(&v->reason);
}

const char *
policy_tag_name(enum policy_tag t)
{
	switch (t) {
	case POLICY_TAG_P:
		return "p";
	case POLICY_TAG_SP:
		return "sp";
	case POLICY_TAG_NP:
		return "np";
	case POLICY_TAG_NONE:
		break;
	}
	return "";
}

/* disp_rank - strictness order: reject > quarantine > none > pass. */
static int
disp_rank(enum disposition d)
{
	switch (d) {
	case DISP_REJECT:
		return 3;
	case DISP_QUARANTINE:
		return 2;
	case DISP_NONE:
		return 1;
	case DISP_PASS:
		break;
	}
	return 0;
}

/* policy_disp - the disposition a policy asks for. */
static enum disposition
policy_disp(enum dmarc_policy p)
{
	if (p == DMARC_POLICY_REJECT)
		return DISP_REJECT;
	if (p == DMARC_POLICY_QUARANTINE)
		return DISP_QUARANTINE;
	return DISP_NONE;
}

/* lower - one step down: reject -> quarantine -> none. */
static enum disposition
lower(enum disposition d)
{
	return d == DISP_REJECT ? DISP_QUARANTINE : DISP_NONE;
}

/* copy_name - copy a normalised name (already bounded by DOMAIN_MAX). */
static void
copy_name(char *dst, const char *src)
{
	size_t len = strnlen(src, DOMAIN_MAX);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* same_tld - could the two names share an organizational domain at all? */
static bool
same_tld(const char *a, const char *b)
{
	const char *ta = domain_suffix(a, 1), *tb = domain_suffix(b, 1);

	return ta != NULL && tb != NULL && domain_equal(ta, tb);
}

/* org_of - the organizational domain of name; false (noted in e) on a DNS failure. */
static bool
org_of(struct eval *e, const char *name, char *org)
{
	enum discover_status st = discover_org_domain(e->d, name, org, NULL);

	if (st == DISCOVER_FOUND)
		return true;
	if (e->dns == DISCOVER_FOUND) {
		e->dns = st == DISCOVER_NONE ? DISCOVER_PERMFAIL : st;
		copy_name(e->dns_name, name);
	}
	return false;
}

/*
 * is_aligned - 4.10.2: strict is a comparison; relaxed compares the
 * organizational domains, walking only when the names differ and could
 * share one.
 */
static bool
is_aligned(struct eval *e, enum dmarc_align mode, const char *id)
{
	char org_id[DOMAIN_BUFSIZE], org_author[DOMAIN_BUFSIZE];

	if (id[0] == '\0')
		return false;
	if (mode == DMARC_ALIGN_STRICT)
		return align_check(mode, id, e->author, NULL, NULL);
	if (domain_equal(id, e->author))
		return true;
	if (!same_tld(id, e->author))
		return false;
	if (!org_of(e, e->author, org_author) || !org_of(e, id, org_id))
		return false;
	return align_check(mode, id, e->author, org_id, org_author);
}

/* align_spf - the first aligned SPF pass of the MAIL FROM identity (HELO never counts). */
static void
align_spf(struct eval *e, struct verdict *v)
{
	const struct verdict_spf *s;
	size_t i;

	for (i = 0; i < e->in->nspf && i < VERDICT_MAX_SPF; i++) {
		s = &e->in->spf[i];
		if (s->scope != SPF_SCOPE_MFROM || s->result != SPF_RES_PASS)
			continue;
		if (is_aligned(e, v->record.aspf, s->domain)) {
			v->spf_aligned = true;
			copy_name(v->spf_domain, s->domain);
			return;
		}
	}
}

/* align_dkim - every DKIM pass, aligned or not; the first aligned one is kept. */
static void
align_dkim(struct eval *e, struct verdict *v)
{
	const struct verdict_dkim *k;
	size_t i;

	for (i = 0; i < e->in->ndkim && i < VERDICT_MAX_DKIM; i++) {
		k = &e->in->dkim[i];
		if (k->result != DKIM_RES_PASS || !is_aligned(e, v->record.adkim, k->domain))
			continue;
		v->dkim_aligned_each[i] = true;
		if (!v->dkim_aligned) {
			v->dkim_aligned = true;
			copy_name(v->dkim_domain, k->domain);
		}
	}
}

/*
 * aligned_temperror - the name of an aligned identifier (SPF MAIL FROM or a
 * DKIM d=) whose check failed only temporarily, or NULL.  Without a pass,
 * such a message has not been shown to fail: a retry may pass it, so it is
 * a temporary error, not a DMARC failure (a DNS timeout must not reject
 * or quarantine legitimate mail).  Used only when the policy would act:
 * under p=none a failure changes nothing for the message.
 */
static const char *
aligned_temperror(struct eval *e, const struct verdict *v)
{
	const struct verdict_spf *s;
	const struct verdict_dkim *k;
	size_t i;

	for (i = 0; i < e->in->nspf && i < VERDICT_MAX_SPF; i++) {
		s = &e->in->spf[i];
		if (s->scope == SPF_SCOPE_MFROM && s->result == SPF_RES_TEMPERROR &&
		    is_aligned(e, v->record.aspf, s->domain))
			return s->domain;
	}
	for (i = 0; i < e->in->ndkim && i < VERDICT_MAX_DKIM; i++) {
		k = &e->in->dkim[i];
		if (k->result == DKIM_RES_TEMPERROR && is_aligned(e, v->record.adkim, k->domain))
			return k->domain;
	}
	return NULL;
}

/* fallback_policy - sp when present, else p. */
static enum policy_tag
fallback_tag(const struct dmarc_record *r)
{
	return r->sp != DMARC_POLICY_UNSET ? POLICY_TAG_SP : POLICY_TAG_P;
}

/* tag_policy - the value of a tag of the record. */
static enum dmarc_policy
tag_policy(const struct dmarc_record *r, enum policy_tag t)
{
	if (t == POLICY_TAG_SP)
		return r->sp;
	if (t == POLICY_TAG_NP)
		return r->np;
	return r->p;
}

/* check_exists - ask whether the author domain exists (RFC 9989 3.2.13). */
static void
check_exists(struct eval *e, struct verdict *v)
{
	enum dns_rcode rc = DNS_TEMPFAIL;

	if (e->env->exists != NULL)
		rc = e->env->exists(e->env->ctx, e->author);
	if (rc == DNS_NXDOMAIN)
		v->author_exists = TRI_NO;
	else if (rc == DNS_OK || rc == DNS_NODATA)
		v->author_exists = TRI_YES;
	else
		v->author_exists = TRI_UNKNOWN;
}

/*
 * select_policy - 4.10.1: p for the policy domain itself; for a subdomain
 * sp, or np when the author domain does not exist.  Existence is asked only
 * for failing mail, where it can matter.  Returns false when it could not be
 * learnt and np would have made a difference (a temporary error).
 */
static bool
select_policy(struct eval *e, struct verdict *v)
{
	const struct dmarc_record *r = &v->record;
	enum policy_tag fb = fallback_tag(r);

	if (domain_equal(e->author, v->policy_domain)) {
		v->applied_tag = POLICY_TAG_P;
		v->policy = r->p;
		return true;
	}
	if (v->result == DMARC_RES_FAIL)
		check_exists(e, v);
	v->applied_tag = v->author_exists == TRI_NO && r->np != DMARC_POLICY_UNSET ?
	    POLICY_TAG_NP : fb;
	v->policy = tag_policy(r, v->applied_tag);
	return !(v->result == DMARC_RES_FAIL && v->author_exists == TRI_UNKNOWN &&
	    r->np != DMARC_POLICY_UNSET && r->np != tag_policy(r, fb));
}

/* adjust - t=y, optional pct sampling and local overrides, in that order. */
static void
adjust(struct eval *e, struct verdict *v, struct say *r)
{
	enum disposition disp = policy_disp(v->policy);
	unsigned local = e->in->overrides & LOCAL_OVERRIDES, roll;
	size_t i;

	if (v->record.t && disp != DISP_NONE) {
		SAY(r, "; t=y: %s lowered to %s", disposition_name(disp),
		    disposition_name(lower(disp)));
		disp = lower(disp);
		v->overrides |= OVERRIDE_POLICY_TEST_MODE;
	}
	if (e->in->honor_pct && v->record.pct >= 0 && v->record.pct < 100 &&
	    disp != DISP_NONE) {
		roll = e->env->roll != NULL ? e->env->roll(e->env->ctx) : 0;
		if (roll >= (unsigned)v->record.pct) {
			SAY(r, "; sampled out (pct=%d, roll %u): %s lowered to %s",
			    v->record.pct, roll, disposition_name(disp),
			    disposition_name(lower(disp)));
			disp = lower(disp);
			v->overrides |= OVERRIDE_SAMPLED_OUT;
		}
	}
	if (local != 0 && disp != DISP_NONE) {
		SAY(r, "; local override (");
		for (i = 0; i < 8; i++)
			if (local & (1u << i))
				SAY(r, "%s%s", override_name(1u << i),
				    (local >> (i + 1)) != 0 ? "," : "");
		SAY(r, "): %s lowered to none", disposition_name(disp));
		disp = DISP_NONE;
		v->overrides |= local;
	}
	v->disposition = disp;
}

/* say_spf - why SPF did not give an aligned pass. */
static void
say_spf(const struct eval *e, const struct verdict *v, struct say *r)
{
	const struct verdict_spf *s, *mfrom = NULL;
	size_t i;

	for (i = 0; i < e->in->nspf && i < VERDICT_MAX_SPF; i++) {
		s = &e->in->spf[i];
		if (s->scope != SPF_SCOPE_MFROM)
			continue;
		if (s->result == SPF_RES_PASS) {
			SAY(r, "no aligned SPF (smtp.mailfrom %s not aligned, %s)",
			    s->domain, align_mode_name(v->record.aspf));
			return;
		}
		if (mfrom == NULL)
			mfrom = s;
	}
	if (mfrom != NULL)
		SAY(r, "no SPF pass (smtp.mailfrom %s: %s)", mfrom->domain,
		    spf_result_name(mfrom->result));
	else
		SAY(r, "no SPF result for smtp.mailfrom");
}

/* say_dkim - why DKIM did not give an aligned pass. */
static void
say_dkim(const struct eval *e, const struct verdict *v, struct say *r)
{
	const struct verdict_dkim *first = NULL;
	size_t i, npass = 0;

	for (i = 0; i < e->in->ndkim && i < VERDICT_MAX_DKIM; i++) {
		if (e->in->dkim[i].result != DKIM_RES_PASS)
			continue;
		if (first == NULL)
			first = &e->in->dkim[i];
		npass++;
	}
	if (first == NULL) {
		SAY(r, "no DKIM pass");
		return;
	}
	SAY(r, "no aligned DKIM pass (header.d=%s", first->domain);
	if (npass > 1)
		SAY(r, " and %zu more", npass - 1);
	SAY(r, " not aligned, %s)", align_mode_name(v->record.adkim));
}

/* say_head - "dmarc=RESULT (TAG=POLICY, domain D): ". */
static void
say_head(const struct verdict *v, struct say *r)
{
	SAY(r, "dmarc=%s (%s=%s, domain %s): ", dmarc_result_name(v->result),
	    policy_tag_name(v->applied_tag), dmarc_policy_name(v->policy),
	    v->policy_domain);
}

/* say_pass - which identifiers aligned. */
static void
say_pass(const struct verdict *v, struct say *r)
{
	say_head(v, r);
	if (v->spf_aligned)
		SAY(r, "aligned SPF (smtp.mailfrom %s, %s)", v->spf_domain,
		    align_mode_name(v->record.aspf));
	if (v->spf_aligned && v->dkim_aligned)
		SAY(r, " and ");
	if (v->dkim_aligned)
		SAY(r, "aligned DKIM (header.d=%s, %s)", v->dkim_domain,
		    align_mode_name(v->record.adkim));
}

/* decide - pass/fail/temperror from the alignment, then policy and disposition. */
static void
decide(struct eval *e, struct verdict *v, struct say *r)
{
	const char *temp;

	if (v->spf_aligned || v->dkim_aligned)
		v->result = DMARC_RES_PASS;
	else if (e->dns != DISCOVER_FOUND)
		v->result = e->dns == DISCOVER_TEMPFAIL ? DMARC_RES_TEMPERROR : DMARC_RES_PERMERROR;
	else
		v->result = DMARC_RES_FAIL;
	if (v->result == DMARC_RES_TEMPERROR || v->result == DMARC_RES_PERMERROR) {
		SAY(r, "dmarc=%s (domain %s): DNS %s failure finding the organizational domain of %s",
		    dmarc_result_name(v->result), v->policy_domain,
		    v->result == DMARC_RES_TEMPERROR ? "temporary" : "permanent", e->dns_name);
		return;
	}
	if (!select_policy(e, v)) {
		v->result = DMARC_RES_TEMPERROR;
		v->applied_tag = POLICY_TAG_NONE;
		v->policy = DMARC_POLICY_UNSET;
		SAY(r, "dmarc=temperror (domain %s): DNS temporary failure checking whether %s exists",
		    v->policy_domain, e->author);
		return;
	}
	if (v->result == DMARC_RES_PASS) {
		v->disposition = DISP_PASS;
		say_pass(v, r);
		return;
	}
	if (v->policy != DMARC_POLICY_NONE && (temp = aligned_temperror(e, v)) != NULL) {
		v->result = DMARC_RES_TEMPERROR;
		SAY(r, "dmarc=temperror (domain %s): no aligned pass, and the aligned check of %s "
		    "failed temporarily", v->policy_domain, temp);
		return;
	}
	say_head(v, r);
	say_spf(e, v, r);
	SAY(r, " and ");
	say_dkim(e, v, r);
	adjust(e, v, r);
}

/* eval_found - a policy record applies: align and decide. */
static enum verdict_status
eval_found(struct eval *e, struct verdict *v, const struct discover_policy *pol, struct say *r)
{
	if (dmarc_record_copy(&v->record, &pol->record) != 0)
		return VERDICT_NOMEM;
	v->record_found = true;
	v->record_sec = pol->sec;
	v->spf_mode = v->record.aspf;
	v->dkim_mode = v->record.adkim;
	align_spf(e, v);
	align_dkim(e, v);
	decide(e, v, r);
	return VERDICT_OK;
}

/* eval_author - the whole evaluation for one author domain. */
static enum verdict_status
eval_author(struct eval *e, struct verdict *v)
{
	struct discover_policy pol;
	struct say r = { &v->reason, STR_OK };
	enum verdict_status vs = VERDICT_OK;
	char why[WHY_MAX];

	copy_name(v->header_from, e->author);
	v->mode = e->in->mode;
	switch (discover_policy(e->d, e->author, &pol, why, sizeof(why))) {
	case DISCOVER_FOUND:
		copy_name(v->policy_domain, pol.policy_domain);
		copy_name(v->org_domain, pol.org_domain);
		vs = eval_found(e, v, &pol, &r);
		break;
	case DISCOVER_NONE:
		copy_name(v->org_domain, pol.org_domain);
		SAY(&r, "dmarc=none (domain %s): %s", e->author, why);
		break;
	case DISCOVER_TEMPFAIL:
		v->result = DMARC_RES_TEMPERROR;
		SAY(&r, "dmarc=temperror (domain %s): %s", e->author, why);
		break;
	case DISCOVER_PERMFAIL:
		v->result = DMARC_RES_PERMERROR;
		SAY(&r, "dmarc=permerror (domain %s): %s", e->author, why);
		break;
	case DISCOVER_NOMEM:
		vs = VERDICT_NOMEM;
		break;
	}
	discover_policy_free(&pol);
	if (vs == VERDICT_OK && r.st != STR_OK)
		vs = VERDICT_NOMEM;
	return vs;
}

/* no_author - nothing to evaluate: DMARC does not apply. */
static enum verdict_status
no_author(struct verdict *v, const char *why)
{
	if (str_printf(&v->reason, "dmarc=none: %s", why) != STR_OK)
		return VERDICT_NOMEM;
	return VERDICT_OK;
}

/* note_authors - say how many author domains were weighed. */
static enum verdict_status
note_authors(struct verdict *v)
{
	if (v->nauthors_evaluated < 2)
		return VERDICT_OK;
	if (str_printf(&v->reason, " [strictest of %zu author domains]",
	    v->nauthors_evaluated) != STR_OK)
		return VERDICT_NOMEM;
	return VERDICT_OK;
}

/*
 * stricter - does a decide over b: a stricter disposition, or on a tie a
 * temporary failure over a result (the open result might be the stricter
 * one: the message waits for it, whatever the order of the addresses).
 */
static bool
stricter(const struct verdict *a, const struct verdict *b)
{
	if (disp_rank(a->disposition) != disp_rank(b->disposition))
		return disp_rank(a->disposition) > disp_rank(b->disposition);
	return a->result == DMARC_RES_TEMPERROR && b->result != DMARC_RES_TEMPERROR;
}

enum verdict_status
verdict_evaluate(const struct policy_env *env, const struct verdict_input *in,
    struct verdict *out)
{
	struct eval e;
	struct verdict one;
	size_t i, n = in->nauthors < VERDICT_MAX_AUTHORS ? in->nauthors : VERDICT_MAX_AUTHORS;

	verdict_init(out);
	out->mode = in->mode;
	if (n == 0)
		return no_author(out, "no author domain");
	if (in->mode == ORG_MODE_PSL && in->psl == NULL) {
		out->result = DMARC_RES_PERMERROR;
		return no_author(out, "PSL mode without a public suffix list");
	}
	memset(&e, 0, sizeof(e));
	e.env = env;
	e.in = in;
	if ((e.d = discover_new(env, in->mode, in->psl)) == NULL)
		return VERDICT_NOMEM;
	for (i = 0; i < n; i++) {
		e.author = in->authors[i];
		e.dns = DISCOVER_FOUND;
		verdict_init(&one);
		if (eval_author(&e, &one) != VERDICT_OK) {
			verdict_free(&one);
			discover_free(e.d);
			return VERDICT_NOMEM;
		}
		if (i == 0 || stricter(&one, out)) {
			verdict_free(out);
			*out = one;
		} else {
			verdict_free(&one);
		}
	}
	discover_free(e.d);
	out->nauthors_evaluated = n;
	return note_authors(out);
}

/* yn - "yes" / "no". */
static const char *
yn(bool b)
{
	return b ? "yes" : "no";
}

/* dash - "-" for an empty value, so every line reads "key: value". */
static const char *
dash(const char *s)
{
	return s != NULL && *s != '\0' ? s : "-";
}

/* tri_name - "unknown", "no", "yes". */
static const char *
tri_name(enum tristate t)
{
	return t == TRI_YES ? "yes" : t == TRI_NO ? "no" : "unknown";
}

/* psd_name - the psd tag value. */
static const char *
psd_name(enum dmarc_psd p)
{
	return p == DMARC_PSD_Y ? "y" : p == DMARC_PSD_N ? "n" : "u";
}

/* dump_overrides - "overrides: a,b" or "overrides: -". */
static enum str_status
dump_overrides(unsigned ov, struct str *out)
{
	enum str_status st = str_appends(out, "overrides: ");
	unsigned bit;
	bool first = true;

	for (bit = 1; bit <= OVERRIDE_ALL && st == STR_OK; bit <<= 1) {
		if ((ov & bit) == 0)
			continue;
		st = str_printf(out, "%s%s", first ? "" : ",", override_name(bit));
		first = false;
	}
	if (st == STR_OK)
		st = str_appends(out, first ? "-\n" : "\n");
	return st;
}

/* dump_record - the policy record's tags as evaluated. */
static enum str_status
dump_record(const struct verdict *v, struct str *out)
{
	const struct dmarc_record *r = &v->record;
	char pct[16] = "-";

	if (!v->record_found)
		return str_appends(out, "record: -\n");
	if (r->pct >= 0)
		(void)snprintf(pct, sizeof(pct), "%d", r->pct);
	return str_printf(out, "record: p=%s sp=%s np=%s adkim=%s aspf=%s psd=%s t=%s pct=%s\n",
	    dash(dmarc_policy_name(r->p)), dash(dmarc_policy_name(r->sp)),
	    dash(dmarc_policy_name(r->np)), r->adkim == DMARC_ALIGN_STRICT ? "s" : "r",
	    r->aspf == DMARC_ALIGN_STRICT ? "s" : "r", psd_name(r->psd),
	    r->t ? "y" : "n", pct);
}

enum str_status
verdict_dump(const struct verdict *v, struct str *out)
{
	enum str_status st;

	st = str_printf(out, "result: %s\ndisposition: %s\npolicy: %s\napplied_tag: %s\n",
	    dmarc_result_name(v->result), disposition_name(v->disposition),
	    dash(dmarc_policy_name(v->policy)), dash(policy_tag_name(v->applied_tag)));
	if (st == STR_OK)
		st = dump_overrides(v->overrides, out);
	if (st == STR_OK)
		st = str_printf(out, "header_from: %s\npolicy_domain: %s\norg_domain: %s\n"
		    "mode: %s\nrecord_found: %s\n", dash(v->header_from),
		    dash(v->policy_domain), dash(v->org_domain), org_mode_name(v->mode),
		    yn(v->record_found));
	if (st == STR_OK)
		st = dump_record(v, out);
	if (st == STR_OK)
		st = str_printf(out, "record_sec: %s\nauthor_exists: %s\n",
		    v->record_found ? dns_sec_name(v->record_sec) : "-",
		    tri_name(v->author_exists));
	if (st == STR_OK)
		st = str_printf(out, "spf_aligned: %s\nspf_mode: %s\nspf_domain: %s\n"
		    "dkim_aligned: %s\ndkim_mode: %s\ndkim_domain: %s\n",
		    yn(v->spf_aligned), align_mode_name(v->spf_mode), dash(v->spf_domain),
		    yn(v->dkim_aligned), align_mode_name(v->dkim_mode), dash(v->dkim_domain));
	if (st == STR_OK)
		st = str_printf(out, "nauthors_evaluated: %zu\nreason: %s\n",
		    v->nauthors_evaluated, dash(str_cstr(&v->reason)));
	return st;
}
