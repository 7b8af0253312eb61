/*
 * test_failure.c - unit tests for failure.c: the fo= matrix (0, 1, d, s and
 * their combinations, against DMARC pass and fail, aligned and unaligned
 * SPF and DKIM, failed and erroring signatures and SPF), what no ruf=,
 * psd=y and DMARC errors give, Identity-Alignment, and the fo text.
 * Verdicts are built by hand: failure.c reads only their fields.
 */
#include <stdio.h>
#include <string.h>

#include "failure.h"
#include "tap.h"

#define F0 DMARC_FO_0
#define F1 DMARC_FO_1
#define FD DMARC_FO_D
#define FS DMARC_FO_S

struct fcase {
	const char *name;
	unsigned fo;			/* 0: fo= absent */
	enum dmarc_result result;
	bool spf_aligned, dkim_aligned;	/* aligned passes */
	enum dkim_result dkim;		/* the one signature's result (NONE: no signature) */
	enum spf_result spf;		/* SPF for MAIL FROM */
	bool no_ruf, psd_y;
	unsigned want;			/* DMARC_FO_* bits due */
};

static const struct fcase cases[] = {
	/* fo absent = 0: DMARC fail only */
	{ "default, DMARC fail", 0, DMARC_RES_FAIL, false, false, DKIM_RES_FAIL, SPF_RES_FAIL, false, false, F0 },
	{ "default, DMARC pass by DKIM", 0, DMARC_RES_PASS, false, true, DKIM_RES_PASS, SPF_RES_FAIL, false, false, 0 },
	{ "default, no ruf", 0, DMARC_RES_FAIL, false, false, DKIM_RES_NONE, SPF_RES_FAIL, true, false, 0 },
	{ "default, psd=y", 0, DMARC_RES_FAIL, false, false, DKIM_RES_NONE, SPF_RES_FAIL, false, true, 0 },
	{ "default, temperror", 0, DMARC_RES_TEMPERROR, false, false, DKIM_RES_TEMPERROR, SPF_RES_TEMPERROR, false, false, 0 },
	{ "default, permerror", 0, DMARC_RES_PERMERROR, false, false, DKIM_RES_NONE, SPF_RES_NONE, false, false, 0 },
	{ "default, none", 0, DMARC_RES_NONE, false, false, DKIM_RES_NONE, SPF_RES_NONE, false, false, 0 },
	{ "fo=0, DMARC fail, unaligned passes", F0, DMARC_RES_FAIL, false, false, DKIM_RES_PASS, SPF_RES_PASS, false, false, F0 },
	{ "fo=0, both aligned", F0, DMARC_RES_PASS, true, true, DKIM_RES_PASS, SPF_RES_PASS, false, false, 0 },
	/* fo=1: any mechanism without an aligned pass */
	{ "fo=1, DMARC fail", F1, DMARC_RES_FAIL, false, false, DKIM_RES_NONE, SPF_RES_FAIL, false, false, F1 },
	{ "fo=1, pass by DKIM, SPF unaligned", F1, DMARC_RES_PASS, false, true, DKIM_RES_PASS, SPF_RES_PASS, false, false, F1 },
	{ "fo=1, pass by SPF, no signature", F1, DMARC_RES_PASS, true, false, DKIM_RES_NONE, SPF_RES_PASS, false, false, F1 },
	{ "fo=1, both aligned", F1, DMARC_RES_PASS, true, true, DKIM_RES_PASS, SPF_RES_PASS, false, false, 0 },
	{ "fo=1, temperror", F1, DMARC_RES_TEMPERROR, false, false, DKIM_RES_NONE, SPF_RES_TEMPERROR, false, false, 0 },
	/* fo=d: a signature failed, aligned or not */
	{ "fo=d, DMARC pass, a signature failed", FD, DMARC_RES_PASS, true, false, DKIM_RES_FAIL, SPF_RES_PASS, false, false, FD },
	{ "fo=d, DMARC fail, no signature", FD, DMARC_RES_FAIL, false, false, DKIM_RES_NONE, SPF_RES_FAIL, false, false, 0 },
	{ "fo=d, signature permerror is no failure", FD, DMARC_RES_FAIL, false, false, DKIM_RES_PERMERROR, SPF_RES_FAIL, false, false, 0 },
	{ "fo=d, signature temperror is no failure", FD, DMARC_RES_FAIL, false, false, DKIM_RES_TEMPERROR, SPF_RES_NONE, false, false, 0 },
	{ "fo=d, signature passes", FD, DMARC_RES_PASS, false, true, DKIM_RES_PASS, SPF_RES_FAIL, false, false, 0 },
	/* fo=s: SPF failed, aligned or not */
	{ "fo=s, DMARC pass by DKIM, SPF fail", FS, DMARC_RES_PASS, false, true, DKIM_RES_PASS, SPF_RES_FAIL, false, false, FS },
	{ "fo=s, softfail is no failure", FS, DMARC_RES_FAIL, false, false, DKIM_RES_NONE, SPF_RES_SOFTFAIL, false, false, 0 },
	{ "fo=s, permerror is no failure", FS, DMARC_RES_FAIL, false, false, DKIM_RES_NONE, SPF_RES_PERMERROR, false, false, 0 },
	{ "fo=s, SPF pass", FS, DMARC_RES_FAIL, false, false, DKIM_RES_FAIL, SPF_RES_PASS, false, false, 0 },
	/* combinations */
	{ "fo=0:d, DMARC fail, signature failed", F0 | FD, DMARC_RES_FAIL, false, false, DKIM_RES_FAIL, SPF_RES_NONE, false, false, F0 | FD },
	{ "fo=0:d, DMARC pass, signature failed", F0 | FD, DMARC_RES_PASS, true, false, DKIM_RES_FAIL, SPF_RES_PASS, false, false, FD },
	{ "fo=0:s, DMARC pass by DKIM, SPF fail", F0 | FS, DMARC_RES_PASS, false, true, DKIM_RES_PASS, SPF_RES_FAIL, false, false, FS },
	{ "fo=1:d:s, everything failed", F1 | FD | FS, DMARC_RES_FAIL, false, false, DKIM_RES_FAIL, SPF_RES_FAIL, false, false, F1 | FD | FS },
	{ "fo=1:d:s, everything aligned", F1 | FD | FS, DMARC_RES_PASS, true, true, DKIM_RES_PASS, SPF_RES_PASS, false, false, 0 },
	{ "fo=d:s, psd=y", FD | FS, DMARC_RES_FAIL, false, false, DKIM_RES_FAIL, SPF_RES_FAIL, false, true, 0 },
};

/* build - a verdict and its input from one case. */
static void
build(const struct fcase *c, struct verdict *v, struct verdict_input *in)
{
	static struct dmarc_uri ruf = { (char *)"mailto:ruf@example.com", 0 };

	memset(in, 0, sizeof(*in));
	verdict_init(v);
	v->result = c->result;
	v->record_found = c->result != DMARC_RES_NONE;
	v->record.fo = c->fo != 0 ? c->fo : DMARC_FO_0;
	v->record.psd = c->psd_y ? DMARC_PSD_Y : DMARC_PSD_U;
	v->record.ruf.n = c->no_ruf ? 0 : 1;
	v->record.ruf.v[0] = ruf;
	v->spf_aligned = c->spf_aligned;
	v->dkim_aligned = c->dkim_aligned;
	if (c->dkim != DKIM_RES_NONE) {
		snprintf(in->dkim[0].domain, sizeof(in->dkim[0].domain), "other.example");
		in->dkim[0].result = c->dkim;
		in->ndkim = 1;
	}
	in->spf[0].scope = SPF_SCOPE_MFROM;
	in->spf[0].result = c->spf;
	in->spf[1].scope = SPF_SCOPE_HELO;
	in->spf[1].result = SPF_RES_FAIL;	/* HELO never counts for s */
	in->nspf = 2;
}

static void
test_matrix(void)
{
	struct verdict v;
	struct verdict_input in;
	char got[16], want[16];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		build(&cases[i], &v, &in);
		tap_streq(failure_fo_text(failure_due(&v, &in), got, sizeof(got)),
		    failure_fo_text(cases[i].want, want, sizeof(want)), "%s", cases[i].name);
		v.record.ruf.n = 0;	/* the static URI is not the verdict's to free */
		verdict_free(&v);
	}
}

static void
test_alignment(void)
{
	struct verdict v;

	verdict_init(&v);
	tap_streq(failure_alignment(&v), "dkim, spf", "Identity-Alignment: neither aligned");
	v.dkim_aligned = true;
	tap_streq(failure_alignment(&v), "spf", "Identity-Alignment: DKIM aligned");
	v.dkim_aligned = false;
	v.spf_aligned = true;
	tap_streq(failure_alignment(&v), "dkim", "Identity-Alignment: SPF aligned");
	v.dkim_aligned = true;
	tap_streq(failure_alignment(&v), "none", "Identity-Alignment: both aligned");
	verdict_free(&v);
}

static void
test_fo_text(void)
{
	char buf[16];

	tap_streq(failure_fo_text(DMARC_FO_0 | DMARC_FO_D, buf, sizeof(buf)), "0:d", "fo text 0:d");
	tap_streq(failure_fo_text(DMARC_FO_1 | DMARC_FO_D | DMARC_FO_S, buf, sizeof(buf)), "1:d:s",
	    "fo text 1:d:s");
	tap_streq(failure_fo_text(0, buf, sizeof(buf)), "", "fo text empty");
}

int
main(void)
{
	test_matrix();
	test_alignment();
	test_fo_text();
	return tap_done();
}
