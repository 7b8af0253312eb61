/*
 * test_dmarc_record.c - unit tests of policy/dmarc_record.c (RFC 9989 4.7,
 * 4.8, 4.10.1).  Tables of {name, input, want}; the rows taken from the
 * third-party vectors in ../shared/testdata (OpenDMARC record-parse.tsv,
 * Mail::DMARC policy-tag-values / record-validity / parse-results /
 * real-world-records) carry RFC 9989's answer, and a comment where it
 * differs from the incumbent's.  Single-threaded TAP program.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_record.h"
#include "env.h"
#include "tap.h"

#define OK	DMARC_RECORD_OK
#define NOTD	DMARC_RECORD_NOT_DMARC
#define UNUS	DMARC_RECORD_UNUSABLE
#define UNSET	DMARC_POLICY_UNSET
#define NONE	DMARC_POLICY_NONE
#define QUAR	DMARC_POLICY_QUARANTINE
#define REJ	DMARC_POLICY_REJECT

/* ---- status, policies, rua rule, invalid bits ------------------------- */

struct status_case {
	const char *name;
	const char *rec;
	enum dmarc_record_status st;
	enum dmarc_policy p, sp, np;
	bool rua_rule;
	unsigned invalid;
};

static const struct status_case status_cases[] = {
	/* the basics */
	{ "minimal reject", "v=DMARC1; p=reject", OK, REJ, UNSET, UNSET, false, 0 },
	{ "minimal none", "v=DMARC1; p=none", OK, NONE, UNSET, UNSET, false, 0 },
	{ "minimal quarantine", "v=DMARC1; p=quarantine", OK, QUAR, UNSET, UNSET, false, 0 },
	{ "all three policies", "v=DMARC1; p=reject; sp=quarantine; np=none", OK, REJ, QUAR, NONE, false, 0 },
	{ "no spaces", "v=DMARC1;p=reject;sp=none", OK, REJ, NONE, UNSET, false, 0 },
	{ "trailing ;", "v=DMARC1; p=reject;", OK, REJ, UNSET, UNSET, false, 0 },
	{ "trailing ; and WSP", "v=DMARC1; p=reject ;  ", OK, REJ, UNSET, UNSET, false, 0 },
	{ "empty terms", "v=DMARC1;; ;p=reject;;", OK, REJ, UNSET, UNSET, false, 0 },
	{ "WSP around =", "v = DMARC1 ; p =\treject", OK, REJ, UNSET, UNSET, false, 0 },
	{ "tabs as separators", "v=DMARC1\t;\tp=quarantine\t", OK, QUAR, UNSET, UNSET, false, 0 },
	{ "leading WSP tolerated", "  v=DMARC1; p=reject", OK, REJ, UNSET, UNSET, false, 0 },
	{ "upper-case tag names", "V=DMARC1; P=reject; SP=none", OK, REJ, NONE, UNSET, false, 0 },
	{ "upper-case names of every tag", "v=DMARC1; P=reject; SP=quarantine; NP=none; ADKIM=s; ASPF=s; FO=1; "
	  "RUA=mailto:a@b.c; RUF=mailto:a@b.c; PSD=n; T=y; PCT=5; RF=afrf; RI=5", OK, REJ, QUAR, NONE, false, 0 },
	{ "mixed-case values", "v=DMARC1; p=REJEcT; sp=QuarAntine; np=NoNe", OK, REJ, QUAR, NONE, false, 0 },
	{ "unknown tags ignored", "v=DMARC1; p=none; foo=bar; buzz=happy", OK, NONE, UNSET, UNSET, false, 0 },
	{ "unknown tag with odd value", "v=DMARC1; p=none; x=\x01\x02", OK, NONE, UNSET, UNSET, false, 0 },
	{ "first p wins", "v=DMARC1; p=reject; p=none", OK, REJ, UNSET, UNSET, false, 0 },
	{ "repeated v ignored", "v=DMARC1; v=DMARC1; p=reject", OK, REJ, UNSET, UNSET, false, 0 },
	{ "repeated bad v ignored", "v=DMARC1; v=DMARC2; p=reject", OK, REJ, UNSET, UNSET, false, 0 },
	{ "backslash before ; dropped", "v=DMARC1\\; p=reject\\;", OK, REJ, UNSET, UNSET, false, 0 },

	/* not a DMARC record at all */
	{ "empty", "", NOTD, UNSET, UNSET, UNSET, false, 0 },
	{ "only WSP", "   ", NOTD, UNSET, UNSET, UNSET, false, 0 },
	{ "only ;", ";", NOTD, UNSET, UNSET, UNSET, false, 0 },
	{ "leading ;", ";v=DMARC1; p=reject", NOTD, UNSET, UNSET, UNSET, false, 0 },
	{ "lower-case version", "v=dmarc1; p=reject", NOTD, UNSET, UNSET, UNSET, false, 0 },
	{ "version DMARC2", "v=DMARC2; p=reject", NOTD, UNSET, UNSET, UNSET, false, 0 },
	{ "version with suffix", "v=DMARC1x; p=reject", NOTD, UNSET, UNSET, UNSET, false, 0 },
	{ "version missing ;", "v=DMARC1 p=reject", NOTD, UNSET, UNSET, UNSET, false, 0 },
	{ "v not first", "p=reject; v=DMARC1", NOTD, UNSET, UNSET, UNSET, false, 0 },
	{ "no v at all", "p=reject", NOTD, UNSET, UNSET, UNSET, false, 0 },
	{ "spf record", "v=spf1 -all", NOTD, UNSET, UNSET, UNSET, false, 0 },
	{ "v without =", "v DMARC1; p=reject", NOTD, UNSET, UNSET, UNSET, false, 0 },
	{ "empty v", "v=; p=reject", NOTD, UNSET, UNSET, UNSET, false, 0 },
	{ "V=BOB (OpenDMARC 7)", "V=BOB", NOTD, UNSET, UNSET, UNSET, false, 0 },

	/* RFC 9989 4.10.1: missing/invalid p, invalid sp/np */
	{ "v alone", "v=DMARC1", UNUS, UNSET, UNSET, UNSET, false, 0 },
	{ "v alone with ;", "v=DMARC1;", UNUS, UNSET, UNSET, UNSET, false, 0 },
	{ "missing p, rua saves", "v=DMARC1; rua=mailto:d@example.com", OK, NONE, UNSET, UNSET, true, 0 },
	{ "missing p, sp kept? no: rua rule resets", "v=DMARC1; sp=reject; rua=mailto:d@example.com", OK, NONE, UNSET, UNSET, true, 0 },
	{ "invalid p, rua saves", "v=DMARC1; p=bogus; rua=mailto:d@example.com", OK, NONE, UNSET, UNSET, true, DMARC_BAD_P },
	{ "invalid p, no rua", "v=DMARC1; p=bogus", UNUS, UNSET, UNSET, UNSET, false, DMARC_BAD_P },
	{ "empty p, no rua", "v=DMARC1; p=", UNUS, UNSET, UNSET, UNSET, false, DMARC_BAD_P },
	{ "invalid sp, no rua", "v=DMARC1; p=reject; sp=invalid", UNUS, REJ, UNSET, UNSET, false, DMARC_BAD_SP },
	{ "invalid sp, rua saves as p=none", "v=DMARC1; p=reject; sp=invalid; rua=mailto:rua@example.com", OK, NONE, UNSET, UNSET, true, DMARC_BAD_SP },
	{ "invalid np, no rua", "v=DMARC1; p=none; np=bogus", UNUS, NONE, UNSET, UNSET, false, DMARC_BAD_NP },
	{ "invalid np, rua", "v=DMARC1; p=reject; sp=reject; np=x; rua=mailto:a@b.c", OK, NONE, UNSET, UNSET, true, DMARC_BAD_NP },
	{ "missing p, invalid rua", "v=DMARC1; rua=nourl", UNUS, UNSET, UNSET, UNSET, false, DMARC_BAD_RUA },
	{ "missing p, rua with one valid", "v=DMARC1; rua=bad, mailto:a@b.c", OK, NONE, UNSET, UNSET, true, DMARC_BAD_RUA },
	{ "missing p, only ruf", "v=DMARC1; ruf=mailto:a@b.c", UNUS, UNSET, UNSET, UNSET, false, 0 },
	{ "psd=y without p", "v=DMARC1; psd=y", UNUS, UNSET, UNSET, UNSET, false, 0 },
	{ "psd=y without p, rua", "v=DMARC1; psd=y; rua=mailto:a@b.c", OK, NONE, UNSET, UNSET, true, 0 },
	{ "pct alone (OpenDMARC 15)", "v=DMARC1; pct=100", UNUS, UNSET, UNSET, UNSET, false, 0 },
	{ "abbreviated p=n (OpenDMARC 5)", "v=DMARC1; p=n;", UNUS, UNSET, UNSET, UNSET, false, DMARC_BAD_P },
	{ "p=bob (OpenDMARC 8)", "v=DMARC1; p=bob;", UNUS, UNSET, UNSET, UNSET, false, DMARC_BAD_P },
	{ "sp=bob (OpenDMARC 9)", "v=DMARC1; p=none; sp=bob;", UNUS, NONE, UNSET, UNSET, false, DMARC_BAD_SP },
	{ "first p invalid, later p ignored", "v=DMARC1; p=rejct; p=reject", UNUS, UNSET, UNSET, UNSET, false, DMARC_BAD_P },
	{ "p with trailing junk", "v=DMARC1; p=reject x", UNUS, UNSET, UNSET, UNSET, false, DMARC_BAD_P },
	{ "p with control byte", "v=DMARC1; p=rej\x01" "ect", UNUS, UNSET, UNSET, UNSET, false, DMARC_BAD_P },
	{ "p with 8-bit byte", "v=DMARC1; p=r\xc3\xa9ject", UNUS, UNSET, UNSET, UNSET, false, DMARC_BAD_P },
	{ "p name with digit is not p", "v=DMARC1; p1=reject", UNUS, UNSET, UNSET, UNSET, false, 0 },

	/* other bad values are discarded, the record stays usable (RFC 9989 4.8) */
	{ "adkim=bob (OpenDMARC 10)", "v=DMARC1; p=none; adkim=bob;", OK, NONE, UNSET, UNSET, false, DMARC_BAD_ADKIM },
	{ "aspf=bob (OpenDMARC 11)", "v=DMARC1; p=none; aspf=bob;", OK, NONE, UNSET, UNSET, false, DMARC_BAD_ASPF },
	{ "rf=bob (OpenDMARC 12)", "v=DMARC1; p=none; rf=bob;", OK, NONE, UNSET, UNSET, false, DMARC_BAD_RF },
	{ "ri=bob (OpenDMARC 13)", "v=DMARC1; p=none; ri=bob;", OK, NONE, UNSET, UNSET, false, DMARC_BAD_RI },
	{ "pct=500 (OpenDMARC 14)", "v=DMARC1; p=none; pct=500;", OK, NONE, UNSET, UNSET, false, DMARC_BAD_PCT },
	{ "rf=000... (OpenDMARC 19)", "v=DMARC1; p=none; rf=000000000000000000000000000000000", OK, NONE, UNSET, UNSET, false, DMARC_BAD_RF },
	{ "bad fo", "v=DMARC1; p=reject; fo=x", OK, REJ, UNSET, UNSET, false, DMARC_BAD_FO },
	{ "bad psd", "v=DMARC1; p=reject; psd=yes", OK, REJ, UNSET, UNSET, false, DMARC_BAD_PSD },
	{ "bad t", "v=DMARC1; p=reject; t=yes", OK, REJ, UNSET, UNSET, false, DMARC_BAD_T },
	{ "bad ruf", "v=DMARC1; p=reject; ruf=x", OK, REJ, UNSET, UNSET, false, DMARC_BAD_RUF },
	{ "bad rua, p valid", "v=DMARC1; p=reject; rua=x", OK, REJ, UNSET, UNSET, false, DMARC_BAD_RUA },
	{ "many bad values", "v=DMARC1; p=reject; adkim=x; aspf=y; fo=2; psd=q; t=z; pct=x; rf=x; ri=x; ruf=x",
	  OK, REJ, UNSET, UNSET, false, DMARC_BAD_ADKIM | DMARC_BAD_ASPF | DMARC_BAD_FO | DMARC_BAD_PSD |
	  DMARC_BAD_T | DMARC_BAD_PCT | DMARC_BAD_RF | DMARC_BAD_RI | DMARC_BAD_RUF },
	{ "empty pct dropped (parse-results 3)",
	  "v=DMARC1;p=reject;rua=mailto:dmarc-feedback@theartfarm.com;pct=;ruf=mailto:dmarc-feedback@theartfarm.com",
	  OK, REJ, UNSET, UNSET, false, DMARC_BAD_PCT },

	/* OpenDMARC record-parse.tsv, the accepted rows */
	{ "OpenDMARC 1", "v=DMARC1; p=none; rf=afrf; rua=mailto:dmarc-a@abuse.net; ruf=mailto:dmarc-f@abuse.net", OK, NONE, UNSET, UNSET, false, 0 },
	{ "OpenDMARC 16 ftp rua", "v=DMARC1; p=none; rua=ftp://abuse.com", OK, NONE, UNSET, UNSET, false, 0 },
	{ "OpenDMARC 17 mailto://", "v=DMARC1; p=none; ruf=mailto://abuse.com", OK, NONE, UNSET, UNSET, false, 0 },
	{ "OpenDMARC 18", "v=DMARC1; p=none; ruf=mailto://abuse.com; foo=bar; buzz=happy;", OK, NONE, UNSET, UNSET, false, 0 },

	/* Mail::DMARC record-validity.tsv */
	{ "validity: unknown tag", "v=DMARC1; p=reject; newtag=unknown", OK, REJ, UNSET, UNSET, false, 0 },
	{ "validity: np with psd=n", "v=DMARC1; p=none; np=reject; psd=n", OK, NONE, UNSET, REJ, false, 0 },
	/* RFC 9989: ftp://www.example.com is a syntactically valid URI, so the rua rule applies */
	{ "validity: ftp rua saves", "v=DMARC1; rua=ftp://www.example.com", OK, NONE, UNSET, UNSET, true, 0 },

	/* real-world garbage (real-world-records.tsv): tolerant, finds p */
	{ "fo:0 term", "v=DMARC1;p=none;fo:0;adkim=r;aspf=r;sp=none;rua=mailto:accu_postmaster@accuquote.com", OK, NONE, NONE, UNSET, false, 0 },
	{ "rf:afrf term", "v=DMARC1;p=none;rua=mailto:postmaster@targetselect.net;ruf=mailto:postmaster@targetselect.net;adkim=r;aspf=r;pct=100;rf:afrf;ri=86400;sp=none", OK, NONE, NONE, UNSET, false, 0 },
	{ "bare 0 term", "v=DMARC1;p=none;0;adkim=r;aspf=r", OK, NONE, UNSET, UNSET, false, 0 },
	{ "fo:1:d term", "v=DMARC1;p=quarantine;rua=mailto:retorno@teogenes.com.br;fo:1:d;adkim=r;aspf=r;rf=afrf;sp=quarantine", OK, QUAR, QUAR, UNSET, false, 0 },
	{ ";; with pct", "v=DMARC1;p=reject;adkim=s;aspf=r;rf=afrf;;pct=100", OK, REJ, UNSET, UNSET, false, 0 },
	{ "!10m and ;;", "v=DMARC1;p=none;sp=none;rua=mailto:postmaster@cmnet.org!10m;;pct=100;ri=86400", OK, NONE, NONE, UNSET, false, 0 },
	{ "1:d:s term", "v=DMARC1;p=quarantine;rua=mailto:dan@darau.com;ruf=mailto:dan@darau.com;1:d:s;adkim=r;aspf=r;rf=afrf;sp=quarantine", OK, QUAR, QUAR, UNSET, false, 0 },
	{ "sp-none term", "v=DMARC1;p=none;sp-none;rua=mailto:postmaster@genetex.com!1m;ruf=mailto:postmaster@genetex.com!1m;rf=afrf;pct=100;ri=86400", OK, NONE, UNSET, UNSET, false, 0 },
	{ "ri=86000", "v=DMARC1;p=none;rua=mailto:umesh@force24.co.uk;ruf=mailto:umesh@force24.co.uk;fo:0;adkim=r;aspf=r;pct=100;rf=afrf;ri=86000;sp=none", OK, NONE, NONE, UNSET, false, 0 },
	{ "term is only =", "v=DMARC1; =; p=reject", OK, REJ, UNSET, UNSET, false, 0 },
	{ "term is =value", "v=DMARC1; =reject; p=none", OK, NONE, UNSET, UNSET, false, 0 },
};

/* Records with a NUL byte inside: the length is given. */
static const struct nul_case {
	struct status_case c;
	size_t len;
} nul_cases[] = {
	{ { "NUL in version", "v=DMA\0RC1; p=reject", NOTD, UNSET, UNSET, UNSET, false, 0 }, 19 },
	{ { "NUL in p value", "v=DMARC1; p=re\0ject", UNUS, UNSET, UNSET, UNSET, false, DMARC_BAD_P }, 19 },
	{ { "NUL in unknown tag", "v=DMARC1; x=\0; p=reject", OK, REJ, UNSET, UNSET, false, 0 }, 23 },
	{ { "NUL after v", "v=DMARC1\0; p=reject", NOTD, UNSET, UNSET, UNSET, false, 0 }, 19 },
	{ { "NUL in rua", "v=DMARC1; rua=mailto:a\0@b.c", UNUS, UNSET, UNSET, UNSET, false, DMARC_BAD_RUA }, 27 },
};

/* run_status - one status_cases row; len is that of the text. */
static void
run_status(const struct status_case *c, size_t len)
{
	struct dmarc_record rec;
	char reason[200];
	enum dmarc_record_status st;
	bool ok;

	st = dmarc_record_parse(c->rec, len, &rec, reason, sizeof(reason));
	ok = st == c->st && rec.p == c->p && rec.sp == c->sp && rec.np == c->np &&
	    rec.rua_rule == c->rua_rule && rec.invalid == c->invalid;
	tap_ok(ok, "status: %s", c->name);
	if (!ok)
		tap_diag("got st=%s p=%d sp=%d np=%d rua_rule=%d invalid=%#x reason=%s; want st=%s p=%d sp=%d np=%d rua_rule=%d invalid=%#x",
		    dmarc_record_status_name(st), rec.p, rec.sp, rec.np, rec.rua_rule, rec.invalid, reason,
		    dmarc_record_status_name(c->st), c->p, c->sp, c->np, c->rua_rule, c->invalid);
	if (st != OK)
		tap_ok(reason[0] != '\0', "status: %s: reason given (%s)", c->name, reason);
	else
		tap_streq(reason, "", "status: %s: no reason when OK", c->name);
	tap_inteq(dmarc_record_is_dmarc(c->rec, len), st != NOTD,
	    "status: %s: is_dmarc agrees", c->name);
	dmarc_record_free(&rec);
}

/* ---- the other fields, and their defaults ------------------------------ */

struct field_case {
	const char *name;
	const char *rec;
	enum dmarc_align adkim, aspf;
	enum dmarc_psd psd;
	bool t;
	unsigned fo;
	int pct;
	uint32_t ri;
	bool rf_present, ri_present;
};

#define R DMARC_ALIGN_RELAXED
#define S DMARC_ALIGN_STRICT
#define PU DMARC_PSD_U
#define PY DMARC_PSD_Y
#define PN DMARC_PSD_N
#define F0 DMARC_FO_0
#define F1 DMARC_FO_1
#define FD DMARC_FO_D
#define FS DMARC_FO_S

static const struct field_case field_cases[] = {
	{ "defaults", "v=DMARC1; p=none", R, R, PU, false, F0, -1, 86400, false, false },
	{ "strict both", "v=DMARC1; p=none; adkim=s; aspf=s", S, S, PU, false, F0, -1, 86400, false, false },
	{ "upper-case S", "v=DMARC1; p=none; adkim=S; aspf=R", S, R, PU, false, F0, -1, 86400, false, false },
	{ "bad adkim keeps default", "v=DMARC1; p=none; adkim=strict", R, R, PU, false, F0, -1, 86400, false, false },
	{ "psd=y", "v=DMARC1; p=none; psd=y", R, R, PY, false, F0, -1, 86400, false, false },
	{ "psd=N", "v=DMARC1; p=none; psd=N", R, R, PN, false, F0, -1, 86400, false, false },
	{ "psd=u", "v=DMARC1; p=none; psd=u", R, R, PU, false, F0, -1, 86400, false, false },
	{ "bad psd keeps u", "v=DMARC1; p=none; psd=maybe", R, R, PU, false, F0, -1, 86400, false, false },
	{ "psd=y kept on unusable record", "v=DMARC1; psd=y", R, R, PY, false, F0, -1, 86400, false, false },
	{ "t=y", "v=DMARC1; p=reject; t=y", R, R, PU, true, F0, -1, 86400, false, false },
	{ "t=Y", "v=DMARC1; p=reject; t=Y", R, R, PU, true, F0, -1, 86400, false, false },
	{ "t=n", "v=DMARC1; p=reject; t=n", R, R, PU, false, F0, -1, 86400, false, false },
	{ "t=yes keeps n", "v=DMARC1; p=reject; t=yes", R, R, PU, false, F0, -1, 86400, false, false },
	{ "fo=1", "v=DMARC1; p=none; fo=1", R, R, PU, false, F1, -1, 86400, false, false },
	{ "fo=d", "v=DMARC1; p=none; fo=d", R, R, PU, false, FD, -1, 86400, false, false },
	{ "fo=S", "v=DMARC1; p=none; fo=S", R, R, PU, false, FS, -1, 86400, false, false },
	{ "fo=0:d", "v=DMARC1; p=none; fo=0:d", R, R, PU, false, F0 | FD, -1, 86400, false, false },
	{ "fo=1:d:s", "v=DMARC1; p=none; fo=1:d:s", R, R, PU, false, F1 | FD | FS, -1, 86400, false, false },
	{ "fo=d:1:s", "v=DMARC1; p=none; fo=d:1:s", R, R, PU, false, F1 | FD | FS, -1, 86400, false, false },
	{ "fo=s:d:0", "v=DMARC1; p=none; fo=s:d:0", R, R, PU, false, F0 | FD | FS, -1, 86400, false, false },
	{ "fo=d:s", "v=DMARC1; p=none; fo=d:s", R, R, PU, false, FD | FS, -1, 86400, false, false },
	{ "fo=0:1 exclusive", "v=DMARC1; p=none; fo=0:1", R, R, PU, false, F0, -1, 86400, false, false },
	{ "fo=0:1:d:s exclusive", "v=DMARC1; p=none; fo=0:1:d:s", R, R, PU, false, F0, -1, 86400, false, false },
	{ "fo=d:d twice", "v=DMARC1; p=none; fo=d:d", R, R, PU, false, F0, -1, 86400, false, false },
	{ "fo=00", "v=DMARC1; p=none; fo=00", R, R, PU, false, F0, -1, 86400, false, false },
	{ "fo=1: trailing colon", "v=DMARC1; p=none; fo=1:", R, R, PU, false, F0, -1, 86400, false, false },
	{ "fo=:1 leading colon", "v=DMARC1; p=none; fo=:1", R, R, PU, false, F0, -1, 86400, false, false },
	{ "fo=1::d", "v=DMARC1; p=none; fo=1::d", R, R, PU, false, F0, -1, 86400, false, false },
	{ "fo=1 : d (no WSP in dmarc-fo)", "v=DMARC1; p=none; fo=1 : d", R, R, PU, false, F0, -1, 86400, false, false },
	{ "pct=0", "v=DMARC1; p=none; pct=0", R, R, PU, false, F0, 0, 86400, false, false },
	{ "pct=100", "v=DMARC1; p=none; pct=100", R, R, PU, false, F0, 100, 86400, false, false },
	{ "pct=050", "v=DMARC1; p=none; pct=050", R, R, PU, false, F0, 50, 86400, false, false },
	{ "pct=101", "v=DMARC1; p=none; pct=101", R, R, PU, false, F0, -1, 86400, false, false },
	{ "pct=-1", "v=DMARC1; p=none; pct=-1", R, R, PU, false, F0, -1, 86400, false, false },
	{ "pct=1.0", "v=DMARC1; p=none; pct=1.0", R, R, PU, false, F0, -1, 86400, false, false },
	{ "pct huge", "v=DMARC1; p=none; pct=99999999999999999999999", R, R, PU, false, F0, -1, 86400, false, false },
	{ "ri=3600 rf=afrf", "v=DMARC1; p=none; ri=3600; rf=afrf", R, R, PU, false, F0, -1, 3600, true, true },
	{ "ri=0", "v=DMARC1; p=none; ri=0", R, R, PU, false, F0, -1, 0, false, true },
	{ "ri max", "v=DMARC1; p=none; ri=4294967295", R, R, PU, false, F0, -1, 4294967295u, false, true },
	{ "ri overflow", "v=DMARC1; p=none; ri=4294967296", R, R, PU, false, F0, -1, 86400, false, false },
	{ "rf=afrf:iodef", "v=DMARC1; p=none; rf=afrf:iodef", R, R, PU, false, F0, -1, 86400, true, false },
	{ "rf=IODEF", "v=DMARC1; p=none; rf=IODEF", R, R, PU, false, F0, -1, 86400, true, false },
	{ "rf=rfrf", "v=DMARC1; p=none; rf=rfrf", R, R, PU, false, F0, -1, 86400, false, false },
	{ "rf=afrf:", "v=DMARC1; p=none; rf=afrf:", R, R, PU, false, F0, -1, 86400, false, false },
	{ "upper-case tag names", "v=DMARC1; P=none; ADKIM=s; Aspf=S; PSD=y; T=y; FO=d; PCT=7; RF=afrf; RI=9",
	  S, S, PY, true, FD, 7, 9, true, true },
	{ "first of repeated tags wins", "v=DMARC1; p=none; adkim=s; adkim=r; pct=1; pct=2; psd=n; psd=y",
	  S, R, PN, false, F0, 1, 86400, false, false },
	{ "everything", "v=DMARC1; p=reject; sp=quarantine; np=reject; adkim=s; aspf=s; fo=1:d:s; "
	  "rua=mailto:a@example.com; ruf=mailto:f@example.com; psd=n; t=y; pct=42; rf=iodef; ri=60",
	  S, S, PN, true, F1 | FD | FS, 42, 60, true, true },
};

/* run_field - one field_cases row. */
static void
run_field(const struct field_case *c)
{
	struct dmarc_record rec;
	bool ok;

	dmarc_record_parse(c->rec, strlen(c->rec), &rec, NULL, 0);
	ok = rec.adkim == c->adkim && rec.aspf == c->aspf && rec.psd == c->psd &&
	    rec.t == c->t && rec.fo == c->fo && rec.pct == c->pct && rec.ri == c->ri &&
	    rec.rf_present == c->rf_present && rec.ri_present == c->ri_present;
	tap_ok(ok, "field: %s", c->name);
	if (!ok)
		tap_diag("got adkim=%d aspf=%d psd=%d t=%d fo=%#x pct=%d ri=%u rf=%d ri_p=%d",
		    rec.adkim, rec.aspf, rec.psd, rec.t, rec.fo, rec.pct, (unsigned)rec.ri,
		    rec.rf_present, rec.ri_present);
	dmarc_record_free(&rec);
}

/* ---- URI lists ---------------------------------------------------------- */

struct uri_case {
	const char *name;
	const char *value;	/* the rua= value */
	bool bad;		/* DMARC_BAD_RUA expected */
	size_t n;		/* URIs kept */
	const char *first;	/* v[0].uri, NULL when n == 0 */
	uint64_t first_size;
	const char *last;	/* v[n-1].uri */
	uint64_t last_size;
};

static const struct uri_case uri_cases[] = {
	{ "mailto", "mailto:d@example.com", false, 1, "mailto:d@example.com", 0, "mailto:d@example.com", 0 },
	{ "https", "https://example.com/dmarc?x=1#frag", false, 1, "https://example.com/dmarc?x=1#frag", 0, "https://example.com/dmarc?x=1#frag", 0 },
	{ "http with port", "http://example.com:8080/r", false, 1, "http://example.com:8080/r", 0, "http://example.com:8080/r", 0 },
	{ "ipv6 literal", "https://[2001:db8::1]:443/r", false, 1, "https://[2001:db8::1]:443/r", 0, "https://[2001:db8::1]:443/r", 0 },
	{ "userinfo", "ftp://user:pw@example.com/x", false, 1, "ftp://user:pw@example.com/x", 0, "ftp://user:pw@example.com/x", 0 },
	{ "pct-encoded comma", "mailto:a%2Cb@example.com", false, 1, "mailto:a%2Cb@example.com", 0, "mailto:a%2Cb@example.com", 0 },
	{ "two, WSP around comma", "mailto:a@x.org , mailto:b@y.org", false, 2, "mailto:a@x.org", 0, "mailto:b@y.org", 0 },
	{ "two, tab and no WSP", "mailto:a@x.org,\tmailto:b@y.org,mailto:c@z.org", false, 3, "mailto:a@x.org", 0, "mailto:c@z.org", 0 },
	{ "!10m", "mailto:a@x.org!10m", false, 1, "mailto:a@x.org", 10485760, "mailto:a@x.org", 10485760 },
	{ "!50k", "mailto:a@x.org!50k", false, 1, "mailto:a@x.org", 51200, "mailto:a@x.org", 51200 },
	{ "!1g", "mailto:a@x.org!1g", false, 1, "mailto:a@x.org", 1073741824, "mailto:a@x.org", 1073741824 },
	{ "!2T upper", "mailto:a@x.org!2T", false, 1, "mailto:a@x.org", 2199023255552ULL, "mailto:a@x.org", 2199023255552ULL },
	{ "!500 bytes", "mailto:a@x.org!500", false, 1, "mailto:a@x.org", 500, "mailto:a@x.org", 500 },
	{ "!size saturates", "mailto:a@x.org!99999999999999999999999t", false, 1, "mailto:a@x.org", UINT64_MAX, "mailto:a@x.org", UINT64_MAX },
	{ "sizes in a list", "mailto:a@x.org!1m, https://r.example/!2k", false, 2, "mailto:a@x.org", 1048576, "https://r.example/", 2048 },
	{ "bare !", "mailto:a@x.org!", true, 0, NULL, 0, NULL, 0 },
	{ "!k no digits", "mailto:a@x.org!k", true, 0, NULL, 0, NULL, 0 },
	{ "!10x bad unit", "mailto:a@x.org!10x", true, 0, NULL, 0, NULL, 0 },
	{ "two !", "mailto:a@x.org!1m!2m", true, 0, NULL, 0, NULL, 0 },
	{ "! inside the URI", "mailto:a!b@x.org", true, 0, NULL, 0, NULL, 0 },
	{ "no scheme", "d@example.com", true, 0, NULL, 0, NULL, 0 },
	{ "scheme starts with digit", "1mailto:a@x.org", true, 0, NULL, 0, NULL, 0 },
	{ "empty scheme", ":a@x.org", true, 0, NULL, 0, NULL, 0 },
	{ "space inside", "mailto:a b@x.org", true, 0, NULL, 0, NULL, 0 },
	{ "bad percent", "mailto:a%2@x.org", true, 0, NULL, 0, NULL, 0 },
	{ "bad percent at end", "mailto:a@x.org%", true, 0, NULL, 0, NULL, 0 },
	{ "bad port", "http://example.com:80a/", true, 0, NULL, 0, NULL, 0 },
	{ "bad ip literal", "http://[::1/", true, 0, NULL, 0, NULL, 0 },
	{ "backslash", "mailto:a\\b@x.org", true, 0, NULL, 0, NULL, 0 },
	{ "angle brackets", "<mailto:a@x.org>", true, 0, NULL, 0, NULL, 0 },
	{ "empty element", "mailto:a@x.org,,mailto:b@x.org", true, 2, "mailto:a@x.org", 0, "mailto:b@x.org", 0 },
	{ "trailing comma", "mailto:a@x.org,", true, 1, "mailto:a@x.org", 0, "mailto:a@x.org", 0 },
	{ "one bad of three", "mailto:a@x.org, nope, mailto:c@x.org", true, 2, "mailto:a@x.org", 0, "mailto:c@x.org", 0 },
	{ "other schemes are syntactically valid", "torrent://piratebay.net/dmarc", false, 1, "torrent://piratebay.net/dmarc", 0, "torrent://piratebay.net/dmarc", 0 },
	{ "mail: scheme", "mail:msimerson@cnap.org", false, 1, "mail:msimerson@cnap.org", 0, "mail:msimerson@cnap.org", 0 },
	{ "Mail::DMARC http !30m", "http://example.com/pub/dmarc!30m", false, 1, "http://example.com/pub/dmarc", 31457280, "http://example.com/pub/dmarc", 31457280 },
	{ "Mail::DMARC https ?report!1m", "https://example.com/dmarc?report!1m", false, 1, "https://example.com/dmarc?report", 1048576, "https://example.com/dmarc?report", 1048576 },
};

/* run_uri - one uri_cases row, as rua and as ruf. */
static void
run_uri(const struct uri_case *c, bool ruf)
{
	struct dmarc_record rec;
	char buf[512];
	const struct dmarc_uri_list *l;
	unsigned bit = ruf ? DMARC_BAD_RUF : DMARC_BAD_RUA;
	bool ok;

	snprintf(buf, sizeof(buf), "v=DMARC1; p=none; %s=%s", ruf ? "ruf" : "rua", c->value);
	dmarc_record_parse(buf, strlen(buf), &rec, NULL, 0);
	l = ruf ? &rec.ruf : &rec.rua;
	ok = ((rec.invalid & bit) != 0) == c->bad && l->n == c->n;
	if (ok && c->n > 0)
		ok = strcmp(l->v[0].uri, c->first) == 0 && l->v[0].size_limit == c->first_size &&
		    strcmp(l->v[c->n - 1].uri, c->last) == 0 && l->v[c->n - 1].size_limit == c->last_size;
	tap_ok(ok, "uri %s: %s", ruf ? "ruf" : "rua", c->name);
	if (!ok)
		tap_diag("got invalid=%#x n=%zu first=%s", rec.invalid, l->n, l->n ? l->v[0].uri : "-");
	dmarc_record_free(&rec);
}

/* test_uri_max - a list longer than DMARC_URI_MAX keeps the first DMARC_URI_MAX. */
static void
test_uri_max(void)
{
	struct dmarc_record rec;
	char buf[DNS_TXT_MAX], want[64];
	size_t off, i;
	enum dmarc_record_status st;

	off = (size_t)snprintf(buf, sizeof(buf), "v=DMARC1; rua=");
	for (i = 0; i < DMARC_URI_MAX + 5; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%smailto:r%zu@example.com!%zuk",
		    i ? ", " : "", i, i + 1);
	st = dmarc_record_parse(buf, off, &rec, NULL, 0);
	tap_inteq(st, OK, "uri max: record usable through the rua rule");
	tap_inteq((long long)rec.rua.n, DMARC_URI_MAX, "uri max: %d kept", DMARC_URI_MAX);
	tap_ok((rec.invalid & DMARC_BAD_RUA) != 0, "uri max: overlong list flagged");
	snprintf(want, sizeof(want), "mailto:r%d@example.com", DMARC_URI_MAX - 1);
	tap_streq(rec.rua.v[DMARC_URI_MAX - 1].uri, want, "uri max: last kept is the %dth", DMARC_URI_MAX);
	tap_inteq((long long)rec.rua.v[DMARC_URI_MAX - 1].size_limit, DMARC_URI_MAX * 1024LL,
	    "uri max: its size");
	dmarc_record_free(&rec);

	/* exactly DMARC_URI_MAX: not an error */
	off = (size_t)snprintf(buf, sizeof(buf), "v=DMARC1; p=none; ruf=");
	for (i = 0; i < DMARC_URI_MAX; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%smailto:f%zu@example.com", i ? "," : "", i);
	dmarc_record_parse(buf, off, &rec, NULL, 0);
	tap_ok(rec.ruf.n == DMARC_URI_MAX && rec.invalid == 0, "uri max: exactly %d is fine", DMARC_URI_MAX);
	dmarc_record_free(&rec);
}

/* ---- Mail::DMARC policy-tag-values.tsv, one tag at a time ----------------- */

struct tagval_case {
	const char *tag, *value;
	bool valid;		/* RFC 9989's answer */
	const char *differs;	/* non-NULL: Mail::DMARC answers the opposite, and why */
};

static const struct tagval_case tagval_cases[] = {
	{ "p", "none", true, NULL }, { "p", "reject", true, NULL }, { "p", "quarantine", true, NULL },
	{ "p", "NONE", true, NULL }, { "p", "REJEcT", true, NULL }, { "p", "Quarantine", true, NULL },
	{ "v", "DMARC1", true, NULL },
	{ "v", "dmarc1", false, "4.7/4.8: the v value is case-sensitive %s\"DMARC1\"" },
	{ "sp", "none", true, NULL }, { "sp", "reject", true, NULL }, { "sp", "quarantine", true, NULL },
	{ "sp", "NoNe", true, NULL }, { "sp", "REjEcT", true, NULL }, { "sp", "QuarAntine", true, NULL },
	{ "np", "none", true, NULL }, { "np", "reject", true, NULL }, { "np", "quarantine", true, NULL },
	{ "np", "None", true, NULL }, { "np", "Reject", true, NULL }, { "np", "Quarantine", true, NULL },
	{ "psd", "y", true, NULL }, { "psd", "n", true, NULL }, { "psd", "u", true, NULL },
	{ "psd", "Y", true, NULL }, { "psd", "N", true, NULL }, { "psd", "U", true, NULL },
	{ "t", "y", true, NULL }, { "t", "n", true, NULL }, { "t", "Y", true, NULL }, { "t", "N", true, NULL },
	{ "adkim", "r", true, NULL }, { "adkim", "s", true, NULL }, { "adkim", "R", true, NULL }, { "adkim", "S", true, NULL },
	{ "aspf", "r", true, NULL }, { "aspf", "s", true, NULL }, { "aspf", "R", true, NULL }, { "aspf", "S", true, NULL },
	{ "fo", "0", true, NULL }, { "fo", "1", true, NULL }, { "fo", "d", true, NULL }, { "fo", "s", true, NULL },
	{ "fo", "D", true, NULL }, { "fo", "S", true, NULL }, { "fo", "0:d", true, NULL },
	{ "fo", "0:1:d:s", false, "4.8 dmarc-fo: \"0\" and \"1\" are mutually exclusive" },
	{ "rua", "http://example.com/pub/dmarc!30m", true, NULL },
	{ "rua", "mailto:dmarc-feed@example.com!10m", true, NULL },
	{ "ruf", "https://example.com/dmarc?report!1m", true, NULL },
	{ "rf", "iodef", true, NULL }, { "rf", "afrf", true, NULL }, { "rf", "IODEF", true, NULL }, { "rf", "AFRF", true, NULL },
	{ "ri", "0", true, NULL }, { "ri", "1", true, NULL }, { "ri", "1000", true, NULL }, { "ri", "4294967295", true, NULL },
	{ "pct", "0", true, NULL }, { "pct", "10", true, NULL }, { "pct", "50", true, NULL },
	{ "pct", "99", true, NULL }, { "pct", "100", true, NULL },
	{ "p", "nonense", false, NULL }, { "p", "silly", false, NULL }, { "p", "example", false, NULL },
	{ "v", "DMARC2", false, NULL },
	{ "sp", "nones", false, NULL }, { "sp", "rejection", false, NULL }, { "sp", "quarrantine", false, NULL },
	{ "np", "nones", false, NULL }, { "np", "rejection", false, NULL }, { "np", "quarrantine", false, NULL },
	{ "psd", "yes", false, NULL }, { "psd", "no", false, NULL }, { "psd", "maybe", false, NULL },
	{ "t", "yes", false, NULL }, { "t", "no", false, NULL }, { "t", "testing", false, NULL },
	{ "adkim", "relaxed", false, NULL }, { "adkim", "strict", false, NULL },
	{ "aspf", "relaxed", false, NULL }, { "aspf", "strict", false, NULL },
	{ "fo", "00", false, NULL }, { "fo", "11", false, NULL }, { "fo", "dd", false, NULL }, { "fo", "ss", false, NULL },
	{ "rua", "ftp://example.com/pub", true, "4.7/4.10.1: any syntactically valid RFC 3986 URI; unsupported schemes are ignored when sending, not a syntax error" },
	{ "rua", "torrent://piratebay.net/dmarc", true, "4.7/4.10.1: any syntactically valid RFC 3986 URI" },
	{ "ruf", "mail:msimerson@cnap.org", true, "4.7/4.10.1: any syntactically valid RFC 3986 URI" },
	{ "rf", "iodef2", false, NULL }, { "rf", "rfrf2", false, NULL }, { "rf", "rfrf", false, NULL },
	{ "ri", "-1", false, NULL }, { "ri", "a", false, NULL }, { "ri", "4294967296", false, NULL },
	{ "pct", "-1", false, NULL }, { "pct", "f", false, NULL }, { "pct", "101", false, NULL },
	{ "pct", "1.1", false, NULL }, { "pct", "1.0", false, NULL }, { "pct", "5.f1", false, NULL },
};

/* tag_bit - the DMARC_BAD_* bit of a tag name. */
static unsigned
tag_bit(const char *tag)
{
	static const struct { const char *tag; unsigned bit; } bits[] = {
		{ "p", DMARC_BAD_P }, { "sp", DMARC_BAD_SP }, { "np", DMARC_BAD_NP },
		{ "adkim", DMARC_BAD_ADKIM }, { "aspf", DMARC_BAD_ASPF }, { "fo", DMARC_BAD_FO },
		{ "rua", DMARC_BAD_RUA }, { "ruf", DMARC_BAD_RUF }, { "psd", DMARC_BAD_PSD },
		{ "t", DMARC_BAD_T }, { "pct", DMARC_BAD_PCT }, { "rf", DMARC_BAD_RF }, { "ri", DMARC_BAD_RI },
	};
	size_t i;

	for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (strcmp(bits[i].tag, tag) == 0)
			return bits[i].bit;
	return 0;
}

/* run_tagval - one tag value inside an otherwise minimal record. */
static void
run_tagval(const struct tagval_case *c)
{
	struct dmarc_record rec;
	char buf[256];
	enum dmarc_record_status st;
	bool valid;

	if (strcmp(c->tag, "v") == 0)
		snprintf(buf, sizeof(buf), "v=%s; p=none", c->value);
	else if (strcmp(c->tag, "p") == 0)
		snprintf(buf, sizeof(buf), "v=DMARC1; p=%s", c->value);
	else
		snprintf(buf, sizeof(buf), "v=DMARC1; p=none; %s=%s", c->tag, c->value);
	st = dmarc_record_parse(buf, strlen(buf), &rec, NULL, 0);
	if (strcmp(c->tag, "v") == 0)
		valid = st == OK;
	else
		valid = (rec.invalid & tag_bit(c->tag)) == 0;
	tap_ok(valid == c->valid && (strcmp(c->tag, "v") == 0 || (rec.invalid & ~tag_bit(c->tag)) == 0),
	    "tag value %s=%s is %s%s%s", c->tag, c->value, c->valid ? "valid" : "invalid",
	    c->differs ? " (Mail::DMARC differs)" : "", "");
	if (c->differs != NULL)
		tap_diag("deviation from Mail::DMARC: %s=%s: %s", c->tag, c->value, c->differs);
	dmarc_record_free(&rec);
}

/* ---- dmarc_record_is_dmarc ---------------------------------------------- */

struct isdmarc_case {
	const char *txt;
	bool want;
};

static const struct isdmarc_case isdmarc_cases[] = {
	{ "v=DMARC1", true }, { "v=DMARC1;", true }, { "v=DMARC1; p=reject", true },
	{ "v = DMARC1 ;p=none", true }, { "V=DMARC1", true }, { " v=DMARC1", true },
	{ "v=DMARC1 ", true }, { "v=DMARC1; p=garbage", true }, { "v=DMARC1\\;", true },
	{ "", false }, { "v=DMARC", false }, { "v=DMARC10", false }, { "v=dmarc1", false },
	{ "v=DMARC1 p=none", false }, { "p=none; v=DMARC1", false }, { "v=spf1 -all", false },
	{ "x=DMARC1", false }, { "vv=DMARC1", false }, { ";v=DMARC1", false }, { "v:DMARC1", false },
	{ "\"v=DMARC1\"", false }, { "v=DMARC1\r\n", false },
};

/* printable - txt with control bytes shown as \xHH, for TAP test names. */
static const char *
printable(const char *txt, char *buf, size_t size)
{
	size_t o = 0;

	for (; *txt != '\0' && o + 5 < size; txt++) {
		if ((unsigned char)*txt < 0x20 || (unsigned char)*txt > 0x7e)
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", (unsigned char)*txt);
		else
			buf[o++] = *txt;
	}
	buf[o] = '\0';
	return buf;
}

/* ---- odd calls and the small functions ---------------------------------- */

/* test_lengths - records at and over DNS_TXT_MAX; a record not NUL-terminated. */
static void
test_lengths(void)
{
	struct dmarc_record rec;
	char *buf = malloc(DNS_TXT_MAX + 2);
	char reason[100];
	size_t pre;

	if (buf == NULL)
		exit(99);
	pre = (size_t)snprintf(buf, DNS_TXT_MAX, "v=DMARC1; p=reject; x=");
	memset(buf + pre, 'a', DNS_TXT_MAX + 1 - pre);
	buf[DNS_TXT_MAX + 1] = '\0';
	tap_inteq(dmarc_record_parse(buf, DNS_TXT_MAX, &rec, reason, sizeof(reason)), OK,
	    "length: exactly DNS_TXT_MAX is accepted");
	tap_inteq(rec.p, REJ, "length: p found in a 4 KB record");
	dmarc_record_free(&rec);
	tap_inteq(dmarc_record_parse(buf, DNS_TXT_MAX + 1, &rec, reason, sizeof(reason)), UNUS,
	    "length: DNS_TXT_MAX + 1 is rejected");
	tap_ok(strstr(reason, "long") != NULL, "length: reason says so (%s)", reason);
	tap_inteq(rec.p, UNSET, "length: nothing parsed from an overlong record");
	dmarc_record_free(&rec);
	memcpy(buf, "x=DMARC1", 8);
	tap_inteq(dmarc_record_parse(buf, DNS_TXT_MAX + 1, &rec, reason, sizeof(reason)), NOTD,
	    "length: overlong non-DMARC text is NOT_DMARC");
	dmarc_record_free(&rec);
	/* the length is honoured: the text after it is never read */
	memcpy(buf, "v=DMARC1; p=reject", 18);
	tap_inteq(dmarc_record_parse(buf, 15, &rec, NULL, 0), UNUS, "length: \"v=DMARC1; p=re\" is cut at len");
	tap_ok((rec.invalid & DMARC_BAD_P) != 0, "length: the cut p value is invalid");
	dmarc_record_free(&rec);
	free(buf);
}

/* test_reason_buffers - NULL / tiny / NULL text. */
static void
test_reason_buffers(void)
{
	struct dmarc_record rec;
	char tiny[4] = "xyz";

	tap_inteq(dmarc_record_parse("v=DMARC1", 8, &rec, NULL, 0), UNUS, "reason: NULL buffer is fine");
	dmarc_record_free(&rec);
	tap_inteq(dmarc_record_parse("v=DMARC1", 8, &rec, tiny, sizeof(tiny)), UNUS, "reason: tiny buffer");
	tap_inteq((long long)strlen(tiny), 3, "reason: tiny buffer truncated and terminated");
	dmarc_record_free(&rec);
	tap_inteq(dmarc_record_parse(NULL, 10, &rec, NULL, 0), NOTD, "reason: NULL text is NOT_DMARC");
	dmarc_record_free(&rec);
	tap_ok(!dmarc_record_is_dmarc(NULL, 5), "is_dmarc: NULL text");
}

/* test_copy_free - deep copy, free twice, re-parse after free. */
static void
test_copy_free(void)
{
	struct dmarc_record a, b;
	const char *txt = "v=DMARC1; p=quarantine; sp=reject; adkim=s; pct=20; "
	    "rua=mailto:a@x.org!5m,mailto:b@x.org; ruf=https://f.example/r";

	tap_inteq(dmarc_record_parse(txt, strlen(txt), &a, NULL, 0), OK, "copy: source parses");
	memset(&b, 0xa5, sizeof(b));	/* dst need not be initialised */
	tap_inteq(dmarc_record_copy(&b, &a), 0, "copy: succeeds");
	tap_ok(b.rua.n == 2 && b.ruf.n == 1 && b.rua.v[0].uri != a.rua.v[0].uri &&
	    strcmp(b.rua.v[0].uri, "mailto:a@x.org") == 0 && b.rua.v[0].size_limit == 5242880 &&
	    strcmp(b.rua.v[1].uri, "mailto:b@x.org") == 0 &&
	    strcmp(b.ruf.v[0].uri, "https://f.example/r") == 0, "copy: URI lists are deep copies");
	tap_ok(b.p == QUAR && b.sp == REJ && b.adkim == S && b.pct == 20, "copy: scalar fields");
	dmarc_record_free(&a);
	tap_ok(a.rua.n == 0 && a.p == UNSET && a.pct == -1, "free: record back at defaults");
	dmarc_record_free(&a);
	tap_streq(b.rua.v[1].uri, "mailto:b@x.org", "copy: survives freeing the source");
	dmarc_record_free(&b);
}

/* test_names - dmarc_policy_name and dmarc_record_status_name. */
static void
test_names(void)
{
	tap_streq(dmarc_policy_name(UNSET), "", "name: UNSET");
	tap_streq(dmarc_policy_name(NONE), "none", "name: none");
	tap_streq(dmarc_policy_name(QUAR), "quarantine", "name: quarantine");
	tap_streq(dmarc_policy_name(REJ), "reject", "name: reject");
	tap_streq(dmarc_policy_name((enum dmarc_policy)42), "", "name: out of range");
	tap_streq(dmarc_record_status_name(OK), "ok", "status name: ok");
	tap_ok(strcmp(dmarc_record_status_name(NOTD), dmarc_record_status_name(UNUS)) != 0 &&
	    dmarc_record_status_name(DMARC_RECORD_NOMEM)[0] != '\0' &&
	    dmarc_record_status_name((enum dmarc_record_status)42)[0] != '\0',
	    "status names: distinct and never empty");
}

int
main(void)
{
	char name[128];
	size_t i;

	for (i = 0; i < sizeof(status_cases) / sizeof(status_cases[0]); i++)
		run_status(&status_cases[i], strlen(status_cases[i].rec));
	for (i = 0; i < sizeof(nul_cases) / sizeof(nul_cases[0]); i++)
		run_status(&nul_cases[i].c, nul_cases[i].len);
	for (i = 0; i < sizeof(field_cases) / sizeof(field_cases[0]); i++)
		run_field(&field_cases[i]);
	for (i = 0; i < sizeof(uri_cases) / sizeof(uri_cases[0]); i++) {
		run_uri(&uri_cases[i], false);
		run_uri(&uri_cases[i], true);
	}
	test_uri_max();
	for (i = 0; i < sizeof(tagval_cases) / sizeof(tagval_cases[0]); i++)
		run_tagval(&tagval_cases[i]);
	for (i = 0; i < sizeof(isdmarc_cases) / sizeof(isdmarc_cases[0]); i++)
		tap_inteq(dmarc_record_is_dmarc(isdmarc_cases[i].txt, strlen(isdmarc_cases[i].txt)),
		    isdmarc_cases[i].want, "is_dmarc: \"%s\"",
		    printable(isdmarc_cases[i].txt, name, sizeof(name)));
	test_lengths();
	test_reason_buffers();
	test_copy_free();
	test_names();
	return tap_done();
}
