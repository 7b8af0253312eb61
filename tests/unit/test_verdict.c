/*
 * test_verdict.c - unit tests for the DMARC decision (verdict.c): alignment
 * (strict, relaxed, HELO and failed DKIM ignored), pass/fail/none/temperror,
 * p/sp/np selection and the existence check, t=y, pct sampling, local
 * overrides, several author domains, the reason line and verdict_dump
 * golden output.  DNS from fake_dns tables.  Single-threaded.
 */
#include <stdio.h>
#include <string.h>

#include "fake_dns.h"
#include "psl.h"
#include "tap.h"
#include "verdict.h"

#define TF "TEMPFAIL"	/* in a dns table: queries for the name fail temporarily */
#define EX NULL		/* in a dns table: the name exists */
#define MAXRR 8

#define MF SPF_SCOPE_MFROM
#define HELO SPF_SCOPE_HELO

struct rr {
	const char *name, *txt;
};

struct spf_in {
	const char *domain;
	enum spf_scope scope;
	enum spf_result result;
};

struct dkim_in {
	const char *domain;
	enum dkim_result result;
};

struct vcase {
	const char *name;
	struct rr dns[MAXRR];
	const char *authors[3];
	struct spf_in spf[VERDICT_MAX_SPF];
	struct dkim_in dkim[3];
	unsigned overrides;
	bool honor_pct;
	unsigned roll;
	/* want */
	enum dmarc_result result;
	enum disposition disp;
	enum policy_tag tag;
	unsigned want_overrides;
	enum tristate exists;
	const char *reason_has;		/* a substring of the reason line (NULL: not checked) */
};

#define REJ "_dmarc.example.com", "v=DMARC1; p=reject"
#define PASS_SPF { { "example.com", MF, SPF_RES_PASS } }
#define FOREIGN_SPF { { "other.net", MF, SPF_RES_PASS } }

static const struct vcase cases[] = {
	/* alignment */
	{ "spf pass, same domain", { { REJ } }, { "example.com" }, PASS_SPF, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_PASS, DISP_PASS, POLICY_TAG_P, 0, TRI_UNKNOWN, "aligned SPF (smtp.mailfrom example.com" },
	{ "spf pass, relaxed subdomain", { { REJ } }, { "example.com" },
	  { { "bounce.example.com", MF, SPF_RES_PASS } }, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_PASS, DISP_PASS, POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	{ "spf pass, strict subdomain fails", { { "_dmarc.example.com", "v=DMARC1; p=reject; aspf=s" } },
	  { "example.com" }, { { "bounce.example.com", MF, SPF_RES_PASS } }, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_FAIL, DISP_REJECT, POLICY_TAG_P, 0, TRI_UNKNOWN,
	  "no aligned SPF (smtp.mailfrom bounce.example.com not aligned, strict)" },
	{ "spf pass, unrelated domain", { { REJ } }, { "example.com" },
	  { { "bounce.example.net", MF, SPF_RES_PASS } }, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_FAIL, DISP_REJECT, POLICY_TAG_P, 0, TRI_UNKNOWN,
	  "dmarc=fail (p=reject, domain example.com): no aligned SPF (smtp.mailfrom bounce.example.net not aligned, relaxed) and no DKIM pass" },
	{ "helo pass never counts", { { REJ } }, { "example.com" },
	  { { "other.net", MF, SPF_RES_PASS }, { "example.com", HELO, SPF_RES_PASS } }, { { 0, 0 } },
	  0, false, 0, DMARC_RES_FAIL, DISP_REJECT, POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	{ "spf softfail does not count", { { REJ } }, { "example.com" },
	  { { "example.com", MF, SPF_RES_SOFTFAIL } }, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_FAIL, DISP_REJECT, POLICY_TAG_P, 0, TRI_UNKNOWN, "no SPF pass (smtp.mailfrom example.com: softfail)" },
	{ "second mfrom result aligned is enough", { { REJ } }, { "example.com" },
	  { { "other.net", MF, SPF_RES_PASS }, { "example.com", MF, SPF_RES_PASS } }, { { 0, 0 } },
	  0, false, 0, DMARC_RES_PASS, DISP_PASS, POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	{ "dkim pass aligned", { { REJ } }, { "example.com" }, FOREIGN_SPF,
	  { { "example.com", DKIM_RES_PASS } }, 0, false, 0,
	  DMARC_RES_PASS, DISP_PASS, POLICY_TAG_P, 0, TRI_UNKNOWN, "aligned DKIM (header.d=example.com, relaxed)" },
	{ "dkim fail ignored", { { REJ } }, { "example.com" }, FOREIGN_SPF,
	  { { "example.com", DKIM_RES_FAIL } }, 0, false, 0,
	  DMARC_RES_FAIL, DISP_REJECT, POLICY_TAG_P, 0, TRI_UNKNOWN, "no DKIM pass" },
	{ "dkim strict subdomain fails", { { "_dmarc.example.com", "v=DMARC1; p=quarantine; adkim=s" } },
	  { "example.com" }, FOREIGN_SPF, { { "mail.example.com", DKIM_RES_PASS } }, 0, false, 0,
	  DMARC_RES_FAIL, DISP_QUARANTINE, POLICY_TAG_P, 0, TRI_UNKNOWN,
	  "no aligned DKIM pass (header.d=mail.example.com not aligned, strict)" },
	{ "dkim relaxed parent domain", { { REJ } }, { "news.example.com" }, FOREIGN_SPF,
	  { { "other.net", DKIM_RES_PASS }, { "example.com", DKIM_RES_PASS } }, 0, false, 0,
	  DMARC_RES_PASS, DISP_PASS, POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	{ "psd=y splits siblings", { { "_dmarc.bank.example", "v=DMARC1; p=reject; psd=y" },
	  { "_dmarc.giant.bank.example", "v=DMARC1; p=reject" } }, { "giant.bank.example" },
	  { { "mega.bank.example", MF, SPF_RES_PASS } }, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_FAIL, DISP_REJECT, POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	/* p / sp / np */
	{ "existing subdomain takes sp", { { "_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine; np=none" },
	  { "sub.example.com", EX } }, { "sub.example.com" }, FOREIGN_SPF, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_FAIL, DISP_QUARANTINE, POLICY_TAG_SP, 0, TRI_YES, "(sp=quarantine, domain example.com)" },
	{ "non-existent subdomain takes np", { { "_dmarc.example.com", "v=DMARC1; p=none; sp=none; np=reject" } },
	  { "ghost.example.com" }, FOREIGN_SPF, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_FAIL, DISP_REJECT, POLICY_TAG_NP, 0, TRI_NO, "(np=reject, domain example.com)" },
	{ "non-existent subdomain, no np: sp", { { "_dmarc.example.com", "v=DMARC1; p=none; sp=quarantine" } },
	  { "ghost.example.com" }, FOREIGN_SPF, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_FAIL, DISP_QUARANTINE, POLICY_TAG_SP, 0, TRI_NO, NULL },
	{ "non-existent subdomain, no np or sp: p", { { REJ } }, { "ghost.example.com" }, FOREIGN_SPF,
	  { { 0, 0 } }, 0, false, 0, DMARC_RES_FAIL, DISP_REJECT, POLICY_TAG_P, 0, TRI_NO, NULL },
	{ "existing subdomain without sp: p", { { "_dmarc.example.com", "v=DMARC1; p=quarantine; np=reject" },
	  { "sub.example.com", EX } }, { "sub.example.com" }, FOREIGN_SPF, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_FAIL, DISP_QUARANTINE, POLICY_TAG_P, 0, TRI_YES, NULL },
	{ "author's own record takes p, no existence check",
	  { { "_dmarc.example.com", "v=DMARC1; p=reject; sp=none; np=none" }, { "example.com", TF } },
	  { "example.com" }, FOREIGN_SPF, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_FAIL, DISP_REJECT, POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	{ "existence tempfail when np matters: temperror",
	  { { "_dmarc.example.com", "v=DMARC1; p=none; np=reject" }, { "ghost.example.com", TF } },
	  { "ghost.example.com" }, FOREIGN_SPF, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_TEMPERROR, DISP_NONE, POLICY_TAG_NONE, 0, TRI_UNKNOWN, "checking whether ghost.example.com exists" },
	{ "existence tempfail when np equals the fallback: fail",
	  { { "_dmarc.example.com", "v=DMARC1; p=reject; np=reject" }, { "ghost.example.com", TF } },
	  { "ghost.example.com" }, FOREIGN_SPF, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_FAIL, DISP_REJECT, POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	{ "existence tempfail without np: fail",
	  { { "_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine" }, { "ghost.example.com", TF } },
	  { "ghost.example.com" }, FOREIGN_SPF, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_FAIL, DISP_QUARANTINE, POLICY_TAG_SP, 0, TRI_UNKNOWN, NULL },
	{ "existence not asked for a pass",
	  { { "_dmarc.example.com", "v=DMARC1; p=none; np=reject" }, { "ghost.example.com", TF } },
	  { "ghost.example.com" }, PASS_SPF, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_PASS, DISP_PASS, POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	/* none and temperror */
	{ "no record: none", { { "example.com", EX } }, { "example.com" }, PASS_SPF, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_NONE, DISP_NONE, POLICY_TAG_NONE, 0, TRI_UNKNOWN,
	  "dmarc=none (domain example.com): no DMARC policy record for example.com" },
	{ "unusable record: none", { { "_dmarc.example.com", "v=DMARC1; p=bogus" } }, { "example.com" },
	  FOREIGN_SPF, { { 0, 0 } }, 0, false, 0, DMARC_RES_NONE, DISP_NONE, POLICY_TAG_NONE, 0,
	  TRI_UNKNOWN, "unusable" },
	{ "no author domain: none", { { REJ } }, { NULL }, PASS_SPF, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_NONE, DISP_NONE, POLICY_TAG_NONE, 0, TRI_UNKNOWN, "dmarc=none: no author domain" },
	{ "tempfail at the author: temperror", { { "_dmarc.example.com", TF } }, { "example.com" },
	  PASS_SPF, { { 0, 0 } }, 0, false, 0, DMARC_RES_TEMPERROR, DISP_NONE, POLICY_TAG_NONE, 0,
	  TRI_UNKNOWN, "DNS temporary failure looking up _dmarc.example.com" },
	{ "tempfail mid-walk: temperror", { { REJ }, { "_dmarc.sub.example.com", TF } },
	  { "a.sub.example.com" }, PASS_SPF, { { 0, 0 } }, 0, false, 0, DMARC_RES_TEMPERROR,
	  DISP_NONE, POLICY_TAG_NONE, 0, TRI_UNKNOWN, NULL },
	{ "tempfail in an identifier's walk: temperror",
	  { { REJ }, { "_dmarc.bounce.example.com", TF } }, { "example.com" },
	  { { "bounce.example.com", MF, SPF_RES_PASS } }, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_TEMPERROR, DISP_NONE, POLICY_TAG_NONE, 0, TRI_UNKNOWN,
	  "organizational domain of bounce.example.com" },
	/* an aligned check that failed only temporarily is no proof of failure */
	{ "aligned SPF temperror, no pass, p=reject: temperror", { { REJ } }, { "example.com" },
	  { { "example.com", MF, SPF_RES_TEMPERROR } }, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_TEMPERROR, DISP_NONE, POLICY_TAG_P, 0, TRI_UNKNOWN,
	  "the aligned check of example.com failed temporarily" },
	{ "aligned DKIM temperror, no pass, p=reject: temperror", { { REJ } }, { "example.com" },
	  { { "other.net", MF, SPF_RES_PASS } }, { { "mail.example.com", DKIM_RES_TEMPERROR } }, 0,
	  false, 0, DMARC_RES_TEMPERROR, DISP_NONE, POLICY_TAG_P, 0, TRI_UNKNOWN,
	  "aligned check of mail.example.com failed temporarily" },
	{ "unaligned DKIM temperror: fail stands", { { REJ } }, { "example.com" },
	  { { "other.net", MF, SPF_RES_TEMPERROR } }, { { "other.net", DKIM_RES_TEMPERROR } }, 0,
	  false, 0, DMARC_RES_FAIL, DISP_REJECT, POLICY_TAG_P, 0, TRI_UNKNOWN, "no DKIM pass" },
	{ "aligned temperror under p=none: fail, nothing to defer",
	  { { "_dmarc.example.com", "v=DMARC1; p=none" } }, { "example.com" },
	  { { "example.com", MF, SPF_RES_TEMPERROR } }, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_FAIL, DISP_NONE, POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	{ "tempfail in one walk, another identifier aligns: pass",
	  { { REJ }, { "_dmarc.bounce.example.com", TF } }, { "example.com" },
	  { { "bounce.example.com", MF, SPF_RES_PASS } }, { { "example.com", DKIM_RES_PASS } }, 0, false, 0,
	  DMARC_RES_PASS, DISP_PASS, POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	{ "tempfail above the author's record, strict: fail stands",
	  { { "_dmarc.example.com", "v=DMARC1; p=reject; aspf=s; adkim=s" }, { "_dmarc.com", TF } },
	  { "example.com" }, { { "bounce.example.com", MF, SPF_RES_PASS } }, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_FAIL, DISP_REJECT, POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	{ "tempfail above the author's record, identical SPF: pass without a walk",
	  { { REJ }, { "_dmarc.com", TF } }, { "example.com" }, PASS_SPF, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_PASS, DISP_PASS, POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	{ "tempfail above the author's record, relaxed subdomain: temperror",
	  { { REJ }, { "_dmarc.com", TF } }, { "example.com" },
	  { { "bounce.example.com", MF, SPF_RES_PASS } }, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_TEMPERROR, DISP_NONE, POLICY_TAG_NONE, 0, TRI_UNKNOWN, "organizational domain of example.com" },
	/* t=y and pct */
	{ "t=y lowers reject to quarantine", { { "_dmarc.example.com", "v=DMARC1; p=reject; t=y" } },
	  { "example.com" }, FOREIGN_SPF, { { 0, 0 } }, 0, false, 0, DMARC_RES_FAIL, DISP_QUARANTINE,
	  POLICY_TAG_P, OVERRIDE_POLICY_TEST_MODE, TRI_UNKNOWN, "t=y: reject lowered to quarantine" },
	{ "t=y lowers quarantine to none", { { "_dmarc.example.com", "v=DMARC1; p=quarantine; t=y" } },
	  { "example.com" }, FOREIGN_SPF, { { 0, 0 } }, 0, false, 0, DMARC_RES_FAIL, DISP_NONE,
	  POLICY_TAG_P, OVERRIDE_POLICY_TEST_MODE, TRI_UNKNOWN, NULL },
	{ "t=y has no effect on p=none", { { "_dmarc.example.com", "v=DMARC1; p=none; t=y" } },
	  { "example.com" }, FOREIGN_SPF, { { 0, 0 } }, 0, false, 0, DMARC_RES_FAIL, DISP_NONE,
	  POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	{ "t=y on a pass: nothing", { { "_dmarc.example.com", "v=DMARC1; p=reject; t=y" } },
	  { "example.com" }, PASS_SPF, { { 0, 0 } }, 0, false, 0, DMARC_RES_PASS, DISP_PASS,
	  POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	{ "pct honoured, sampled out", { { "_dmarc.example.com", "v=DMARC1; p=reject; pct=50" } },
	  { "example.com" }, FOREIGN_SPF, { { 0, 0 } }, 0, true, 70, DMARC_RES_FAIL, DISP_QUARANTINE,
	  POLICY_TAG_P, OVERRIDE_SAMPLED_OUT, TRI_UNKNOWN, "sampled out (pct=50, roll 70)" },
	{ "pct honoured, roll equal to pct is out", { { "_dmarc.example.com", "v=DMARC1; p=quarantine; pct=50" } },
	  { "example.com" }, FOREIGN_SPF, { { 0, 0 } }, 0, true, 50, DMARC_RES_FAIL, DISP_NONE,
	  POLICY_TAG_P, OVERRIDE_SAMPLED_OUT, TRI_UNKNOWN, NULL },
	{ "pct honoured, sampled in", { { "_dmarc.example.com", "v=DMARC1; p=reject; pct=50" } },
	  { "example.com" }, FOREIGN_SPF, { { 0, 0 } }, 0, true, 49, DMARC_RES_FAIL, DISP_REJECT,
	  POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	{ "pct not honoured by default", { { "_dmarc.example.com", "v=DMARC1; p=reject; pct=0" } },
	  { "example.com" }, FOREIGN_SPF, { { 0, 0 } }, 0, false, 99, DMARC_RES_FAIL, DISP_REJECT,
	  POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	{ "pct=100 never samples out", { { "_dmarc.example.com", "v=DMARC1; p=reject; pct=100" } },
	  { "example.com" }, FOREIGN_SPF, { { 0, 0 } }, 0, true, 99, DMARC_RES_FAIL, DISP_REJECT,
	  POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	{ "t=y then pct: two steps", { { "_dmarc.example.com", "v=DMARC1; p=reject; t=y; pct=10" } },
	  { "example.com" }, FOREIGN_SPF, { { 0, 0 } }, 0, true, 90, DMARC_RES_FAIL, DISP_NONE,
	  POLICY_TAG_P, OVERRIDE_POLICY_TEST_MODE | OVERRIDE_SAMPLED_OUT, TRI_UNKNOWN, NULL },
	/* local overrides */
	{ "trusted forwarder turns reject into none", { { REJ } }, { "example.com" }, FOREIGN_SPF,
	  { { 0, 0 } }, OVERRIDE_TRUSTED_FORWARDER, false, 0, DMARC_RES_FAIL, DISP_NONE, POLICY_TAG_P,
	  OVERRIDE_TRUSTED_FORWARDER, TRI_UNKNOWN, "local override (trusted_forwarder): reject lowered to none" },
	{ "mailing list and local policy together", { { REJ } }, { "example.com" }, FOREIGN_SPF,
	  { { 0, 0 } }, OVERRIDE_MAILING_LIST | OVERRIDE_LOCAL_POLICY, false, 0, DMARC_RES_FAIL, DISP_NONE,
	  POLICY_TAG_P, OVERRIDE_MAILING_LIST | OVERRIDE_LOCAL_POLICY, TRI_UNKNOWN,
	  "local override (local_policy,mailing_list)" },
	{ "override on a pass changes nothing", { { REJ } }, { "example.com" }, PASS_SPF,
	  { { 0, 0 } }, OVERRIDE_TRUSTED_FORWARDER, false, 0, DMARC_RES_PASS, DISP_PASS, POLICY_TAG_P,
	  0, TRI_UNKNOWN, NULL },
	{ "override on p=none is not recorded", { { "_dmarc.example.com", "v=DMARC1; p=none" } },
	  { "example.com" }, FOREIGN_SPF, { { 0, 0 } }, OVERRIDE_LOCAL_POLICY, false, 0,
	  DMARC_RES_FAIL, DISP_NONE, POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
	{ "computed bits passed in are not local overrides", { { REJ } }, { "example.com" }, FOREIGN_SPF,
	  { { 0, 0 } }, OVERRIDE_SAMPLED_OUT, false, 0, DMARC_RES_FAIL, DISP_REJECT, POLICY_TAG_P,
	  0, TRI_UNKNOWN, NULL },
	/* several author domains */
	{ "two authors: reject beats pass", { { REJ }, { "_dmarc.example.org", "v=DMARC1; p=reject" } },
	  { "example.com", "example.org" }, PASS_SPF, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_FAIL, DISP_REJECT, POLICY_TAG_P, 0, TRI_UNKNOWN,
	  "domain example.org): no aligned SPF (smtp.mailfrom example.com not aligned, relaxed)" },
	{ "two authors: reject beats quarantine", { { "_dmarc.example.com", "v=DMARC1; p=quarantine" },
	  { "_dmarc.example.org", "v=DMARC1; p=reject" } }, { "example.com", "example.org" },
	  FOREIGN_SPF, { { 0, 0 } }, 0, false, 0, DMARC_RES_FAIL, DISP_REJECT, POLICY_TAG_P, 0,
	  TRI_UNKNOWN, "[strictest of 2 author domains]" },
	{ "two authors: none beats pass", { { REJ } }, { "example.com", "example.net" }, PASS_SPF,
	  { { 0, 0 } }, 0, false, 0, DMARC_RES_NONE, DISP_NONE, POLICY_TAG_NONE, 0, TRI_UNKNOWN,
	  "domain example.net" },
	{ "two authors: tie keeps the first", { { REJ }, { "_dmarc.example.org", "v=DMARC1; p=reject" } },
	  { "example.com", "example.org" }, FOREIGN_SPF, { { 0, 0 } }, 0, false, 0,
	  DMARC_RES_FAIL, DISP_REJECT, POLICY_TAG_P, 0, TRI_UNKNOWN, "domain example.com)" },
	{ "two authors both pass", { { REJ }, { "_dmarc.example.org", "v=DMARC1; p=reject" } },
	  { "example.com", "example.org" }, PASS_SPF, { { "example.org", DKIM_RES_PASS } }, 0, false, 0,
	  DMARC_RES_PASS, DISP_PASS, POLICY_TAG_P, 0, TRI_UNKNOWN, NULL },
};

/* load - publish a DNS table. */
static struct fake_dns *
load(const struct rr *dns)
{
	struct fake_dns *f = fake_dns_new();
	size_t i;

	for (i = 0; i < MAXRR && dns[i].name != NULL; i++) {
		if (dns[i].txt == EX)
			fake_dns_exists(f, dns[i].name);
		else if (strcmp(dns[i].txt, TF) == 0)
			fake_dns_tempfail(f, dns[i].name);
		else
			fake_dns_txt(f, dns[i].name, dns[i].txt);
	}
	return f;
}

/* make_input - the verdict input of a case. */
static void
make_input(const struct vcase *c, struct verdict_input *in)
{
	size_t i;

	memset(in, 0, sizeof(*in));
	for (i = 0; i < 3 && c->authors[i] != NULL; i++)
		snprintf(in->authors[in->nauthors++], DOMAIN_BUFSIZE, "%s", c->authors[i]);
	for (i = 0; i < VERDICT_MAX_SPF && c->spf[i].domain != NULL; i++, in->nspf++) {
		snprintf(in->spf[i].domain, DOMAIN_BUFSIZE, "%s", c->spf[i].domain);
		in->spf[i].scope = c->spf[i].scope;
		in->spf[i].result = c->spf[i].result;
	}
	for (i = 0; i < 3 && c->dkim[i].domain != NULL; i++, in->ndkim++) {
		snprintf(in->dkim[i].domain, DOMAIN_BUFSIZE, "%s", c->dkim[i].domain);
		snprintf(in->dkim[i].selector, DOMAIN_BUFSIZE, "s%zu", i);
		in->dkim[i].result = c->dkim[i].result;
	}
	in->mode = ORG_MODE_TREEWALK;
	in->overrides = c->overrides;
	in->honor_pct = c->honor_pct;
}

/* run_case - evaluate one case and compare. */
static void
run_case(const struct vcase *c)
{
	struct fake_dns *f = load(c->dns);
	struct policy_env env = fake_dns_env(f);
	struct verdict_input in;
	struct verdict v;
	const char *reason;

	fake_dns_set_roll(f, c->roll);
	make_input(c, &in);
	tap_inteq(verdict_evaluate(&env, &in, &v), VERDICT_OK, "%s: evaluates", c->name);
	reason = str_cstr(&v.reason);
	tap_streq(dmarc_result_name(v.result), dmarc_result_name(c->result), "%s: result", c->name);
	tap_streq(disposition_name(v.disposition), disposition_name(c->disp), "%s: disposition", c->name);
	tap_streq(policy_tag_name(v.applied_tag), policy_tag_name(c->tag), "%s: applied tag", c->name);
	tap_inteq(v.overrides, c->want_overrides, "%s: overrides", c->name);
	tap_inteq(v.author_exists, c->exists, "%s: author exists", c->name);
	tap_inteq(v.nauthors_evaluated, in.nauthors, "%s: authors evaluated", c->name);
	tap_ok(reason[0] != '\0' && strchr(reason, '\n') == NULL, "%s: one reason line", c->name);
	if (c->reason_has != NULL && !tap_ok(strstr(reason, c->reason_has) != NULL,
	    "%s: reason mentions \"%s\"", c->name, c->reason_has))
		tap_diag("  reason: %s", reason);
	verdict_free(&v);
	fake_dns_free(f);
}

/* test_memo - one evaluation asks each _dmarc name once and needs no extra walks. */
static void
test_memo(void)
{
	static const struct rr dns[] = {
		{ REJ }, { "_dmarc.example.org", "v=DMARC1; p=none" }, { 0, 0 }
	};
	static const struct vcase c = { "memo", { { 0, 0 } }, { "a.example.com", "example.org" },
	    { { "b.example.com", MF, SPF_RES_PASS } },
	    { { "c.example.com", DKIM_RES_PASS }, { "a.example.com", DKIM_RES_PASS }, { "d.example.com", DKIM_RES_FAIL } },
	    0, false, 0, DMARC_RES_FAIL, DISP_NONE, POLICY_TAG_P, 0, TRI_UNKNOWN, NULL };
	struct fake_dns *f = load(dns);
	struct policy_env env = fake_dns_env(f);
	struct verdict_input in;
	struct verdict v;
	size_t i, j, dup = 0;

	make_input(&c, &in);
	verdict_evaluate(&env, &in, &v);
	for (i = 0; i < fake_dns_nqueries(f); i++)
		for (j = i + 1; j < fake_dns_nqueries(f); j++)
			if (strcmp(fake_dns_query(f, i), fake_dns_query(f, j)) == 0)
				dup++;
	tap_inteq(dup, 0, "memo: no _dmarc name queried twice");
	/* a.example.com, example.com, com, b.example.com, c.example.com, example.org, org */
	tap_inteq(fake_dns_nqueries(f), 7, "memo: 7 distinct names for 2 authors and 3 identifiers");
	tap_streq(v.header_from, "example.org", "memo: the failing author (p=none) beats the passing one");
	tap_inteq(v.nauthors_evaluated, 2, "memo: both authors evaluated");
	verdict_free(&v);
	/* Evaluated again, first author alone: per-signature alignment. */
	in.nauthors = 1;
	fake_dns_clear_log(f);
	verdict_evaluate(&env, &in, &v);
	tap_streq(dmarc_result_name(v.result), "pass", "memo: first author passes");
	tap_ok(v.dkim_aligned_each[0] && v.dkim_aligned_each[1] && !v.dkim_aligned_each[2],
	    "memo: per-signature alignment (pass, pass, fail)");
	tap_streq(v.dkim_domain, "c.example.com", "memo: first aligned DKIM d= kept");
	tap_streq(v.spf_domain, "b.example.com", "memo: aligned SPF domain kept");
	tap_inteq(fake_dns_nqueries(f), 5, "memo: a new evaluation starts a new memo");
	verdict_free(&v);
	fake_dns_free(f);
}

struct qcase {
	const char *name;
	const char *spf, *dkim;		/* passing identifiers */
	enum dmarc_align mode;		/* aspf and adkim of example.com's record */
	size_t want;			/* TXT queries for author example.com */
};

static const struct qcase qcases[] = {
	{ "queries: identical identifiers need no walk", "example.com", "example.com", DMARC_ALIGN_RELAXED, 2 },
	{ "queries: another TLD needs no walk", "other.net", "mail.other.org", DMARC_ALIGN_RELAXED, 2 },
	{ "queries: strict mode needs no walk", "a.example.com", "b.example.com", DMARC_ALIGN_STRICT, 2 },
	{ "queries: relaxed subdomain walks it", "a.example.com", "a.example.com", DMARC_ALIGN_RELAXED, 3 },
	{ "queries: two relaxed subdomains", "a.example.com", "b.example.com", DMARC_ALIGN_RELAXED, 4 },
	{ "queries: relaxed, other domain under the TLD", "example.org", "x.example.net", DMARC_ALIGN_RELAXED, 2 },
	{ "queries: relaxed, sibling org under the TLD", "other.com", "other.com", DMARC_ALIGN_RELAXED, 3 },
};

/* test_queries - alignment walks only when they can change the answer. */
static void
test_queries(void)
{
	size_t i;

	for (i = 0; i < sizeof(qcases) / sizeof(qcases[0]); i++) {
		const struct qcase *q = &qcases[i];
		struct fake_dns *f = fake_dns_new();
		struct policy_env env = fake_dns_env(f);
		struct verdict_input in;
		struct verdict v;

		fake_dns_txt(f, "_dmarc.example.com", q->mode == DMARC_ALIGN_STRICT ?
		    "v=DMARC1; p=reject; aspf=s; adkim=s" : "v=DMARC1; p=reject");
		memset(&in, 0, sizeof(in));
		in.nauthors = 1;
		snprintf(in.authors[0], DOMAIN_BUFSIZE, "example.com");
		in.nspf = 1;
		snprintf(in.spf[0].domain, DOMAIN_BUFSIZE, "%s", q->spf);
		in.spf[0].result = SPF_RES_PASS;
		in.ndkim = 1;
		snprintf(in.dkim[0].domain, DOMAIN_BUFSIZE, "%s", q->dkim);
		in.dkim[0].result = DKIM_RES_PASS;
		verdict_evaluate(&env, &in, &v);
		tap_inteq(fake_dns_nqueries(f), q->want, "%s", q->name);
		verdict_free(&v);
		fake_dns_free(f);
	}
}

/* test_psl_mode - RFC 7489 organizational domains from a list. */
static void
test_psl_mode(void)
{
	static const char list[] = "uk\nco.uk\n";
	struct fake_dns *f = fake_dns_new();
	struct policy_env env = fake_dns_env(f);
	struct verdict_input in;
	struct verdict v;
	struct psl *psl = NULL;
	char why[128];

	if (!tap_ok(psl_load_buffer(list, sizeof(list) - 1, &psl, why, sizeof(why)) == PSL_OK,
	    "psl mode: list loads"))
		return;
	fake_dns_txt(f, "_dmarc.example.co.uk", "v=DMARC1; p=reject");
	fake_dns_txt(f, "_dmarc.co.uk", "v=DMARC1; p=none; psd=n");
	memset(&in, 0, sizeof(in));
	in.mode = ORG_MODE_PSL;
	in.psl = psl;
	in.nauthors = 1;
	snprintf(in.authors[0], DOMAIN_BUFSIZE, "news.example.co.uk");
	in.nspf = 1;
	snprintf(in.spf[0].domain, DOMAIN_BUFSIZE, "bounce.example.co.uk");
	in.spf[0].result = SPF_RES_PASS;
	in.ndkim = 1;
	snprintf(in.dkim[0].domain, DOMAIN_BUFSIZE, "other.co.uk");
	in.dkim[0].result = DKIM_RES_PASS;
	tap_inteq(verdict_evaluate(&env, &in, &v), VERDICT_OK, "psl mode: evaluates");
	tap_streq(dmarc_result_name(v.result), "pass", "psl mode: relaxed SPF by the list");
	tap_ok(v.spf_aligned && !v.dkim_aligned, "psl mode: sibling under co.uk not aligned");
	tap_streq(v.org_domain, "example.co.uk", "psl mode: org domain from the list");
	tap_streq(v.policy_domain, "example.co.uk", "psl mode: policy from the org domain");
	tap_streq(org_mode_name(v.mode), "psl", "psl mode: recorded");
	tap_inteq(fake_dns_nqueries(f), 2, "psl mode: author and org domain queried, nothing else");
	verdict_free(&v);
	psl_free(psl);
	fake_dns_free(f);
}

/* test_psl_missing - PSL mode without a list is an error, not a crash. */
static void
test_psl_missing(void)
{
	struct fake_dns *f = fake_dns_new();
	struct policy_env env = fake_dns_env(f);
	struct verdict_input in;
	struct verdict v;

	memset(&in, 0, sizeof(in));
	in.nauthors = 1;
	snprintf(in.authors[0], DOMAIN_BUFSIZE, "example.com");
	in.mode = ORG_MODE_PSL;
	tap_inteq(verdict_evaluate(&env, &in, &v), VERDICT_OK, "psl without list: evaluates");
	tap_streq(dmarc_result_name(v.result), "permerror", "psl without list: permerror");
	tap_inteq(fake_dns_nqueries(f), 0, "psl without list: no query");
	verdict_free(&v);
	verdict_free(&v);	/* freeing twice is harmless */
	fake_dns_free(f);
}

struct golden {
	const char *name;
	struct rr dns[MAXRR];
	const char *author;
	struct spf_in spf;
	unsigned overrides;
	const char *want;
};

static const struct golden goldens[] = {
	{ "golden: fail with sp and t=y",
	  { { "_dmarc.example.com", "v=DMARC1; p=reject; sp=reject; t=y; rua=mailto:d@example.com" },
	    { "news.example.com", EX } }, "news.example.com", { "bounce.example.net", MF, SPF_RES_PASS }, 0,
	  "result: fail\n"
	  "disposition: quarantine\n"
	  "policy: reject\n"
	  "applied_tag: sp\n"
	  "overrides: policy_test_mode\n"
	  "header_from: news.example.com\n"
	  "policy_domain: example.com\n"
	  "org_domain: example.com\n"
	  "mode: treewalk\n"
	  "record_found: yes\n"
	  "record: p=reject sp=reject np=- adkim=r aspf=r psd=u t=y pct=-\n"
	  "record_sec: insecure\n"
	  "author_exists: yes\n"
	  "spf_aligned: no\n"
	  "spf_mode: relaxed\n"
	  "spf_domain: -\n"
	  "dkim_aligned: no\n"
	  "dkim_mode: relaxed\n"
	  "dkim_domain: -\n"
	  "nauthors_evaluated: 1\n"
	  "reason: dmarc=fail (sp=reject, domain example.com): no aligned SPF (smtp.mailfrom "
	  "bounce.example.net not aligned, relaxed) and no DKIM pass; t=y: reject lowered to quarantine\n" },
	{ "golden: strict pass",
	  { { "_dmarc.example.com", "v=DMARC1; p=quarantine; aspf=s; pct=20" } }, "example.com",
	  { "example.com", MF, SPF_RES_PASS }, 0,
	  "result: pass\n"
	  "disposition: pass\n"
	  "policy: quarantine\n"
	  "applied_tag: p\n"
	  "overrides: -\n"
	  "header_from: example.com\n"
	  "policy_domain: example.com\n"
	  "org_domain: example.com\n"
	  "mode: treewalk\n"
	  "record_found: yes\n"
	  "record: p=quarantine sp=- np=- adkim=r aspf=s psd=u t=n pct=20\n"
	  "record_sec: insecure\n"
	  "author_exists: unknown\n"
	  "spf_aligned: yes\n"
	  "spf_mode: strict\n"
	  "spf_domain: example.com\n"
	  "dkim_aligned: no\n"
	  "dkim_mode: relaxed\n"
	  "dkim_domain: -\n"
	  "nauthors_evaluated: 1\n"
	  "reason: dmarc=pass (p=quarantine, domain example.com): aligned SPF (smtp.mailfrom "
	  "example.com, strict)\n" },
	{ "golden: no record",
	  { { "_dmarc.example.com", "v=spf1 -all" } }, "mail.example.com",
	  { "mail.example.com", MF, SPF_RES_PASS }, OVERRIDE_TRUSTED_FORWARDER,
	  "result: none\n"
	  "disposition: none\n"
	  "policy: -\n"
	  "applied_tag: -\n"
	  "overrides: -\n"
	  "header_from: mail.example.com\n"
	  "policy_domain: -\n"
	  "org_domain: mail.example.com\n"
	  "mode: treewalk\n"
	  "record_found: no\n"
	  "record: -\n"
	  "record_sec: -\n"
	  "author_exists: unknown\n"
	  "spf_aligned: no\n"
	  "spf_mode: relaxed\n"
	  "spf_domain: -\n"
	  "dkim_aligned: no\n"
	  "dkim_mode: relaxed\n"
	  "dkim_domain: -\n"
	  "nauthors_evaluated: 1\n"
	  "reason: dmarc=none (domain mail.example.com): no DMARC policy record for mail.example.com\n" },
	{ "golden: temperror",
	  { { "_dmarc.example.com", TF } }, "example.com", { "example.com", MF, SPF_RES_PASS }, 0,
	  "result: temperror\n"
	  "disposition: none\n"
	  "policy: -\n"
	  "applied_tag: -\n"
	  "overrides: -\n"
	  "header_from: example.com\n"
	  "policy_domain: -\n"
	  "org_domain: -\n"
	  "mode: treewalk\n"
	  "record_found: no\n"
	  "record: -\n"
	  "record_sec: -\n"
	  "author_exists: unknown\n"
	  "spf_aligned: no\n"
	  "spf_mode: relaxed\n"
	  "spf_domain: -\n"
	  "dkim_aligned: no\n"
	  "dkim_mode: relaxed\n"
	  "dkim_domain: -\n"
	  "nauthors_evaluated: 1\n"
	  "reason: dmarc=temperror (domain example.com): DNS temporary failure looking up _dmarc.example.com\n" },
};

/* test_golden - verdict_dump against inline expected text. */
static void
test_golden(void)
{
	size_t i;

	for (i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		const struct golden *g = &goldens[i];
		struct fake_dns *f = load(g->dns);
		struct policy_env env = fake_dns_env(f);
		struct verdict_input in;
		struct verdict v;
		struct str out = STR_INITIALIZER(8192);

		memset(&in, 0, sizeof(in));
		in.nauthors = 1;
		snprintf(in.authors[0], DOMAIN_BUFSIZE, "%s", g->author);
		in.nspf = 1;
		snprintf(in.spf[0].domain, DOMAIN_BUFSIZE, "%s", g->spf.domain);
		in.spf[0].scope = g->spf.scope;
		in.spf[0].result = g->spf.result;
		in.overrides = g->overrides;
		verdict_evaluate(&env, &in, &v);
		tap_inteq(verdict_dump(&v, &out), STR_OK, "%s: dump", g->name);
		tap_streq(str_cstr(&out), g->want, "%s: text", g->name);
		str_free(&out);
		verdict_free(&v);
		fake_dns_free(f);
	}
}

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_memo();
	test_queries();
	test_psl_mode();
	test_psl_missing();
	test_golden();
	tap_streq(policy_tag_name(POLICY_TAG_NP), "np", "tag name np");
	tap_streq(policy_tag_name(POLICY_TAG_NONE), "", "tag name none");
	return tap_done();
}
