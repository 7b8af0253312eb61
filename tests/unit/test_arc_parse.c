/*
 * test_arc_parse.c - table tests for policy/arc_parse.c: ARC-Seal,
 * ARC-Message-Signature, ARC-Authentication-Results and key records; good
 * fields, every required tag missing, duplicates, bad instances, bad cv=,
 * h= in a seal, bad base64, oversize values, and the inputs that crashed
 * the incumbent ("ARC-Seal: i=1; none", an RSA-3072 seal).  Every fuzzing
 * find adds a row.  Single-threaded TAP program.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arc_parse.h"
#include "tap.h"

enum kind { SEAL, AMS, AAR, KEY };

struct parse_case {
	const char *name;
	enum kind kind;
	const char *input;		/* the field value (after the colon) */
	enum arc_parse_status want;
	unsigned i;			/* want i= (0: unusable) */
};

#define SIG "dGVzdA=="
#define BH "KWSe46TZKCcDbH4klJPo+tjk5LWJnVRlP5pvjXFZYLQ="
#define SEAL_TAGS " a=rsa-sha256; cv=none; d=example.org; s=dummy; t=12345; b=" SIG
#define AMS_TAGS " a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=dummy;" \
	" h=from:to:subject; bh=" BH "; b=" SIG
/* 384 bytes: the signature of an RSA-3072 key */
#define B3072 \
	"AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO1dzj6vH4/wYNFBsiKTA3PkVMU1phaG92" \
	"fYSLkpmgp661vMPK0djf5u30+wIJEBceJSwzOkFIT1ZdZGtyeYCHjpWco6qxuL/GzdTb4unw" \
	"9/4FDBMaISgvNj1ES1JZYGdudXyDipGYn6attLvCydDX3uXs8/oBCA8WHSQrMjlAR05VXGNq" \
	"cXh/ho2Um6KpsLe+xczT2uHo7/b9BAsSGSAnLjU8Q0pRWF9mbXR7gomQl56lrLO6wcjP1t3k" \
	"6/L5AAcOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK+2vcTL0tng5+71/AMKERgfJi00O0JJUFde" \
	"ZWxzeoGIj5adpKuyucDHztXc4+rx+P8GDRQbIikwNz5FTFNaYWhvdn2Ei5KZoKeutbzDytHY" \
	"3+bt9PsCCRAXHiUsMzpBSE9WXWRrcnmAh46VnKOqsbi/xs3U2+Lp8Pf+BQwTGiEoLzY9REtS" \
	"WWBnbnV8" \
/* 512 bytes: RSA-4096, the largest accepted */
#define B4096 \
	"AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO1dzj6vH4/wYNFBsiKTA3PkVMU1phaG92" \
	"fYSLkpmgp661vMPK0djf5u30+wIJEBceJSwzOkFIT1ZdZGtyeYCHjpWco6qxuL/GzdTb4unw" \
	"9/4FDBMaISgvNj1ES1JZYGdudXyDipGYn6attLvCydDX3uXs8/oBCA8WHSQrMjlAR05VXGNq" \
	"cXh/ho2Um6KpsLe+xczT2uHo7/b9BAsSGSAnLjU8Q0pRWF9mbXR7gomQl56lrLO6wcjP1t3k" \
	"6/L5AAcOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK+2vcTL0tng5+71/AMKERgfJi00O0JJUFde" \
	"ZWxzeoGIj5adpKuyucDHztXc4+rx+P8GDRQbIikwNz5FTFNaYWhvdn2Ei5KZoKeutbzDytHY" \
	"3+bt9PsCCRAXHiUsMzpBSE9WXWRrcnmAh46VnKOqsbi/xs3U2+Lp8Pf+BQwTGiEoLzY9REtS" \
	"WWBnbnV8g4qRmJ+mrbS7wsnQ197l7PP6AQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM" \
	"09rh6O/2/QQLEhkgJy41PENKUVhfZm10e4KJkJeepayzusHIz9bd5Ovy+QAHDhUcIyoxOD9G" \
	"TVRbYmlwd36FjJOaoaivtr3Ey9LZ4Ofu9fw=" \
/* 513 bytes: over the cap */
#define B4100 \
	"AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO1dzj6vH4/wYNFBsiKTA3PkVMU1phaG92" \
	"fYSLkpmgp661vMPK0djf5u30+wIJEBceJSwzOkFIT1ZdZGtyeYCHjpWco6qxuL/GzdTb4unw" \
	"9/4FDBMaISgvNj1ES1JZYGdudXyDipGYn6attLvCydDX3uXs8/oBCA8WHSQrMjlAR05VXGNq" \
	"cXh/ho2Um6KpsLe+xczT2uHo7/b9BAsSGSAnLjU8Q0pRWF9mbXR7gomQl56lrLO6wcjP1t3k" \
	"6/L5AAcOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK+2vcTL0tng5+71/AMKERgfJi00O0JJUFde" \
	"ZWxzeoGIj5adpKuyucDHztXc4+rx+P8GDRQbIikwNz5FTFNaYWhvdn2Ei5KZoKeutbzDytHY" \
	"3+bt9PsCCRAXHiUsMzpBSE9WXWRrcnmAh46VnKOqsbi/xs3U2+Lp8Pf+BQwTGiEoLzY9REtS" \
	"WWBnbnV8g4qRmJ+mrbS7wsnQ197l7PP6AQgPFh0kKzI5QEdOVVxjanF4f4aNlJuiqbC3vsXM" \
	"09rh6O/2/QQLEhkgJy41PENKUVhfZm10e4KJkJeepayzusHIz9bd5Ovy+QAHDhUcIyoxOD9G" \
	"TVRbYmlwd36FjJOaoaivtr3Ey9LZ4Ofu9fwD" \

static const struct parse_case cases[] = {
	/* ARC-Seal */
	{ "seal ok", SEAL, " i=1;" SEAL_TAGS, ARC_PARSE_OK, 1 },
	{ "seal folded", SEAL, " i=2; a=rsa-sha256;\r\n\tcv=pass; d=example.org;\r\n s=x;"
	  " b=dGVz\r\n dA==", ARC_PARSE_OK, 2 },
	{ "seal trailing semicolon", SEAL, " i=1;" SEAL_TAGS "; ", ARC_PARSE_OK, 1 },
	{ "seal unknown tag", SEAL, " i=1;" SEAL_TAGS "; zz=whatever", ARC_PARSE_OK, 1 },
	{ "seal ws around =", SEAL, " i = 1 ; a = rsa-sha256; cv = none; d = example.org;"
	  " s = dummy; b = " SIG, ARC_PARSE_OK, 1 },
	{ "seal ed25519", SEAL, " i=1; a=ed25519-sha256; cv=none; d=e.example; s=s; b=" SIG,
	  ARC_PARSE_OK, 1 },
	{ "seal no t=", SEAL, " i=1; a=rsa-sha256; cv=none; d=e.example; s=s; b=" SIG,
	  ARC_PARSE_OK, 1 },
	{ "seal rsa-3072", SEAL, " i=1; a=rsa-sha256; cv=none; d=e.example; s=s; b=" B3072,
	  ARC_PARSE_OK, 1 },
	{ "seal rsa-4096", SEAL, " i=1; a=rsa-sha256; cv=none; d=e.example; s=s; b=" B4096,
	  ARC_PARSE_OK, 1 },
	{ "seal signature over 4096 bits", SEAL, " i=1; a=rsa-sha256; cv=none; d=e.example;"
	  " s=s; b=" B4100, ARC_PARSE_TOOLONG, 1 },
	{ "historic crash: i=1; none", SEAL, " i=1; none", ARC_PARSE_SYNTAX, 0 },
	{ "historic crash, bare", SEAL, "i=1; none", ARC_PARSE_SYNTAX, 0 },
	{ "seal missing i", SEAL, SEAL_TAGS, ARC_PARSE_MISSING, 0 },
	{ "seal missing a", SEAL, " i=1; cv=none; d=e.example; s=s; b=" SIG, ARC_PARSE_MISSING, 1 },
	{ "seal missing b", SEAL, " i=1; a=rsa-sha256; cv=none; d=e.example; s=s",
	  ARC_PARSE_MISSING, 1 },
	{ "seal missing cv", SEAL, " i=1; a=rsa-sha256; d=e.example; s=s; b=" SIG,
	  ARC_PARSE_MISSING, 1 },
	{ "seal missing d", SEAL, " i=1; a=rsa-sha256; cv=none; s=s; b=" SIG, ARC_PARSE_MISSING, 1 },
	{ "seal missing s", SEAL, " i=1; a=rsa-sha256; cv=none; d=e.example; b=" SIG,
	  ARC_PARSE_MISSING, 1 },
	{ "seal duplicate d", SEAL, " i=1;" SEAL_TAGS "; d=example.org", ARC_PARSE_DUPLICATE, 0 },
	{ "seal duplicate i", SEAL, " i=1; i=1;" SEAL_TAGS, ARC_PARSE_DUPLICATE, 0 },
	{ "seal h= present", SEAL, " i=1;" SEAL_TAGS "; h=from", ARC_PARSE_FORBIDDEN, 1 },
	{ "seal i=0", SEAL, " i=0;" SEAL_TAGS, ARC_PARSE_INSTANCE, 0 },
	{ "seal i=51", SEAL, " i=51;" SEAL_TAGS, ARC_PARSE_INSTANCE, 0 },
	{ "seal i=50", SEAL, " i=50;" SEAL_TAGS, ARC_PARSE_OK, 50 },
	{ "seal i empty", SEAL, " i=;" SEAL_TAGS, ARC_PARSE_INSTANCE, 0 },
	{ "seal i=-1", SEAL, " i=-1;" SEAL_TAGS, ARC_PARSE_INSTANCE, 0 },
	{ "seal i=1a", SEAL, " i=1a;" SEAL_TAGS, ARC_PARSE_INSTANCE, 0 },
	{ "seal i huge", SEAL, " i=99999999999999999999;" SEAL_TAGS, ARC_PARSE_INSTANCE, 0 },
	{ "seal cv=PASS", SEAL, " i=1; a=rsa-sha256; cv=PASS; d=e.example; s=s; b=" SIG,
	  ARC_PARSE_VALUE, 1 },
	{ "seal cv empty", SEAL, " i=1; a=rsa-sha256; cv=; d=e.example; s=s; b=" SIG,
	  ARC_PARSE_VALUE, 1 },
	{ "seal cv=maybe", SEAL, " i=1; a=rsa-sha256; cv=maybe; d=e.example; s=s; b=" SIG,
	  ARC_PARSE_VALUE, 1 },
	{ "seal rsa-sha1", SEAL, " i=1; a=rsa-sha1; cv=none; d=e.example; s=s; b=" SIG,
	  ARC_PARSE_ALGORITHM, 1 },
	{ "seal a empty", SEAL, " i=1; a=; cv=none; d=e.example; s=s; b=" SIG,
	  ARC_PARSE_ALGORITHM, 1 },
	{ "seal a upper case", SEAL, " i=1; a=RSA-SHA256; cv=none; d=e.example; s=s; b=" SIG,
	  ARC_PARSE_ALGORITHM, 1 },
	{ "seal b empty", SEAL, " i=1; a=rsa-sha256; cv=none; d=e.example; s=s; b=",
	  ARC_PARSE_BASE64, 1 },
	{ "seal b bad char", SEAL, " i=1; a=rsa-sha256; cv=none; d=e.example; s=s; b=dGV*dA==",
	  ARC_PARSE_BASE64, 1 },
	{ "seal b bad padding", SEAL, " i=1; a=rsa-sha256; cv=none; d=e.example; s=s; b=dGVzd===",
	  ARC_PARSE_BASE64, 1 },
	{ "seal b data after padding", SEAL, " i=1; a=rsa-sha256; cv=none; d=e.example; s=s;"
	  " b=dG==dA==", ARC_PARSE_BASE64, 1 },
	{ "seal b short", SEAL, " i=1; a=rsa-sha256; cv=none; d=e.example; s=s; b=dGVzd",
	  ARC_PARSE_BASE64, 1 },
	{ "seal d bad", SEAL, " i=1; a=rsa-sha256; cv=none; d=example..org; s=s; b=" SIG,
	  ARC_PARSE_VALUE, 1 },
	{ "seal d space", SEAL, " i=1; a=rsa-sha256; cv=none; d=exa mple.org; s=s; b=" SIG,
	  ARC_PARSE_VALUE, 1 },
	{ "seal s empty", SEAL, " i=1; a=rsa-sha256; cv=none; d=e.example; s=; b=" SIG,
	  ARC_PARSE_VALUE, 1 },
	{ "seal t empty", SEAL, " i=1;" SEAL_TAGS "; t=", ARC_PARSE_DUPLICATE, 0 },
	{ "seal t not a number", SEAL, " i=1; a=rsa-sha256; cv=none; d=e.example; s=s; t=12x;"
	  " b=" SIG, ARC_PARSE_VALUE, 1 },
	{ "seal empty", SEAL, "", ARC_PARSE_SYNTAX, 0 },
	{ "seal only spaces", SEAL, " \r\n ", ARC_PARSE_SYNTAX, 0 },
	{ "seal double semicolon", SEAL, " i=1;;" SEAL_TAGS, ARC_PARSE_SYNTAX, 0 },
	{ "seal leading semicolon", SEAL, "; i=1;" SEAL_TAGS, ARC_PARSE_SYNTAX, 0 },
	{ "seal bad tag name", SEAL, " i=1; _x=1;" SEAL_TAGS, ARC_PARSE_SYNTAX, 0 },
	{ "seal tag without =", SEAL, " i=1; a", ARC_PARSE_SYNTAX, 0 },
	{ "seal 8-bit value", SEAL, " i=1; a=rsa-sha256; cv=none; d=\xc3\xa9.example; s=s; b=" SIG,
	  ARC_PARSE_SYNTAX, 0 },
	{ "seal NUL in value", SEAL, " i=1; x=a\001b", ARC_PARSE_SYNTAX, 0 },
	/* ARC-Message-Signature */
	{ "ams ok", AMS, " i=1;" AMS_TAGS, ARC_PARSE_OK, 1 },
	{ "ams without c", AMS, " i=1; a=rsa-sha256; d=e.example; s=s; h=from; bh=" BH "; b=" SIG,
	  ARC_PARSE_OK, 1 },
	{ "ams h empty", AMS, " i=1; a=rsa-sha256; d=e.example; s=s; h=; bh=" BH "; b=" SIG,
	  ARC_PARSE_OK, 1 },
	{ "ams h folded", AMS, " i=1; a=rsa-sha256; d=e.example; s=s; h=from :\r\n to; bh=" BH
	  "; b=" SIG, ARC_PARSE_OK, 1 },
	{ "ams h lists arc-seal", AMS, " i=1; a=rsa-sha256; d=e.example; s=s; h=from:ARC-Seal;"
	  " bh=" BH "; b=" SIG, ARC_PARSE_FORBIDDEN, 1 },
	{ "ams h empty name", AMS, " i=1; a=rsa-sha256; d=e.example; s=s; h=from::to; bh=" BH
	  "; b=" SIG, ARC_PARSE_VALUE, 1 },
	{ "ams missing i", AMS, AMS_TAGS, ARC_PARSE_MISSING, 0 },
	{ "ams missing a", AMS, " i=1; d=e.example; s=s; h=from; bh=" BH "; b=" SIG,
	  ARC_PARSE_MISSING, 1 },
	{ "ams missing b", AMS, " i=1; a=rsa-sha256; d=e.example; s=s; h=from; bh=" BH,
	  ARC_PARSE_MISSING, 1 },
	{ "ams missing bh", AMS, " i=1; a=rsa-sha256; d=e.example; s=s; h=from; b=" SIG,
	  ARC_PARSE_MISSING, 1 },
	{ "ams missing d", AMS, " i=1; a=rsa-sha256; s=s; h=from; bh=" BH "; b=" SIG,
	  ARC_PARSE_MISSING, 1 },
	{ "ams missing h", AMS, " i=1; a=rsa-sha256; d=e.example; s=s; bh=" BH "; b=" SIG,
	  ARC_PARSE_MISSING, 1 },
	{ "ams missing s", AMS, " i=1; a=rsa-sha256; d=e.example; h=from; bh=" BH "; b=" SIG,
	  ARC_PARSE_MISSING, 1 },
	{ "ams duplicate h", AMS, " i=1;" AMS_TAGS "; h=from", ARC_PARSE_DUPLICATE, 0 },
	{ "ams c empty", AMS, " i=1; a=rsa-sha256; c=; d=e.example; s=s; h=from; bh=" BH
	  "; b=" SIG, ARC_PARSE_VALUE, 1 },
	{ "ams c invalid", AMS, " i=1; a=rsa-sha256; c=loose/simple; d=e.example; s=s; h=from;"
	  " bh=" BH "; b=" SIG, ARC_PARSE_VALUE, 1 },
	{ "ams c trailing slash", AMS, " i=1; a=rsa-sha256; c=relaxed/; d=e.example; s=s; h=from;"
	  " bh=" BH "; b=" SIG, ARC_PARSE_VALUE, 1 },
	{ "ams bh bad", AMS, " i=1; a=rsa-sha256; d=e.example; s=s; h=from; bh=!!; b=" SIG,
	  ARC_PARSE_BASE64, 1 },
	{ "ams bh empty", AMS, " i=1; a=rsa-sha256; d=e.example; s=s; h=from; bh=; b=" SIG,
	  ARC_PARSE_BASE64, 1 },
	{ "ams bh over 64 bytes", AMS, " i=1; a=rsa-sha256; d=e.example; s=s; h=from; bh=" B3072
	  "; b=" SIG, ARC_PARSE_TOOLONG, 1 },
	{ "ams rsa-sha1", AMS, " i=1; a=rsa-sha1; d=e.example; s=s; h=from; bh=" BH "; b=" SIG,
	  ARC_PARSE_ALGORITHM, 1 },
	{ "ams i=51", AMS, " i=51;" AMS_TAGS, ARC_PARSE_INSTANCE, 0 },
	/* ARC-Authentication-Results */
	{ "aar ok", AAR, " i=1; lists.example.org; spf=pass smtp.mfrom=a@b.example", ARC_PARSE_OK,
	  1 },
	{ "aar folded with comment", AAR, " (c) i (d) = 3 ;\r\n\tmx.example; none", ARC_PARSE_OK,
	  3 },
	{ "aar no i", AAR, " lists.example.org; i=1; none", ARC_PARSE_MISSING, 0 },
	{ "aar empty", AAR, "", ARC_PARSE_MISSING, 0 },
	{ "aar i=0", AAR, " i=0; x; none", ARC_PARSE_INSTANCE, 0 },
	{ "aar i=51", AAR, " i=51; x; none", ARC_PARSE_INSTANCE, 0 },
	{ "aar i empty", AAR, " i=; x; none", ARC_PARSE_INSTANCE, 0 },
	{ "aar no semicolon", AAR, " i=1 x; none", ARC_PARSE_SYNTAX, 1 },
	{ "aar nothing after i", AAR, " i=1;  ", ARC_PARSE_MISSING, 1 },
	{ "aar open comment", AAR, " (i=1; x", ARC_PARSE_MISSING, 0 },
	/* key records */
	{ "key ok", KEY, "v=DKIM1; k=rsa; p=" SIG, ARC_PARSE_OK, 0 },
	{ "key no v", KEY, "p=" SIG, ARC_PARSE_OK, 0 },
	{ "key ed25519", KEY, "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
	  ARC_PARSE_OK, 0 },
	{ "key revoked", KEY, "v=DKIM1; p=", ARC_PARSE_OK, 0 },
	{ "key folded p", KEY, "v=DKIM1; p=dGVz dA==", ARC_PARSE_OK, 0 },
	{ "key notes", KEY, "v=DKIM1; n=any text, even ; no; p=" SIG, ARC_PARSE_SYNTAX, 0 },
	{ "key v not first", KEY, "k=rsa; v=DKIM1; p=" SIG, ARC_PARSE_VALUE, 0 },
	{ "key v=DKIM2", KEY, "v=DKIM2; p=" SIG, ARC_PARSE_VALUE, 0 },
	{ "key k=dsa", KEY, "k=dsa; p=" SIG, ARC_PARSE_ALGORITHM, 0 },
	{ "key h=sha1", KEY, "h=sha1; p=" SIG, ARC_PARSE_ALGORITHM, 0 },
	{ "key h=sha1:sha256", KEY, "h=sha1:sha256; p=" SIG, ARC_PARSE_OK, 0 },
	{ "key s=tls", KEY, "s=tls; p=" SIG, ARC_PARSE_VALUE, 0 },
	{ "key s=*", KEY, "s=*; p=" SIG, ARC_PARSE_OK, 0 },
	{ "key no p", KEY, "v=DKIM1; k=rsa", ARC_PARSE_MISSING, 0 },
	{ "key p bad", KEY, "v=DKIM1; p=@@@@", ARC_PARSE_BASE64, 0 },
	{ "key garbage", KEY, "omgwhatsgoingon", ARC_PARSE_SYNTAX, 0 },
};

/* run - parse one row's input with its parser; the instance found in i. */
static enum arc_parse_status
run(const struct parse_case *c, size_t len, unsigned *i, char *why, size_t wsize)
{
	static struct arc_sig sig;
	static struct arc_key key;
	struct arc_aar aar;
	enum arc_parse_status st;

	*i = 0;
	switch (c->kind) {
	case SEAL:
		st = arc_seal_parse(c->input, len, &sig, why, wsize);
		*i = sig.i;
		return st;
	case AMS:
		st = arc_ams_parse(c->input, len, &sig, why, wsize);
		*i = sig.i;
		return st;
	case AAR:
		st = arc_aar_parse(c->input, len, &aar, why, wsize);
		*i = aar.i;
		return st;
	case KEY:
		break;
	}
	return arc_key_parse(c->input, len, &key, why, wsize);
}

/* test_table - every row; the status, the instance, and a reason on failure. */
static void
test_table(void)
{
	char why[128];
	unsigned i;
	size_t k, len;
	enum arc_parse_status st;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct parse_case *c = &cases[k];

		why[0] = '\0';
		len = strcmp(c->name, "seal NUL in value") == 0 ? strlen(c->input) + 1 :
		    strlen(c->input);
		st = run(c, len, &i, why, sizeof(why));
		if (!tap_ok(st == c->want, "%s: %s", c->name, arc_parse_strerror(c->want)))
			tap_diag("got %s (%s)", arc_parse_strerror(st), why);
		if (c->want != ARC_PARSE_DUPLICATE && c->want != ARC_PARSE_SYNTAX)
			tap_inteq(i, c->i, "%s: instance", c->name);
		if (st != ARC_PARSE_OK)
			tap_ok(why[0] != '\0', "%s: a reason is given", c->name);
	}
}

/* test_details - what a good seal, AMS, AAR and key record carry. */
static void
test_details(void)
{
	static const char ams[] = " i=2; a=rsa-sha256; c=relaxed; d=Example.ORG;\r\n"
	    "  s=sel; h=From : to:Subject; bh=" BH ";\r\n b = " SIG " ; t=1";
	static const char aar[] = " i=1; lists.example.org;\r\n\tspf=pass ";
	static struct arc_sig sig;
	struct arc_aar a;
	static struct arc_key key;
	const char *ed = "k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

	tap_ok(arc_ams_parse(ams, strlen(ams), &sig, NULL, 0) == ARC_PARSE_OK, "ams details: ok");
	tap_inteq(sig.hcanon, ARC_CANON_RELAXED, "c=relaxed: header relaxed");
	tap_inteq(sig.bcanon, ARC_CANON_SIMPLE, "c=relaxed: body simple");
	tap_streq(sig.d, "Example.ORG", "d= copied as written");
	tap_inteq((long long)sig.nh, 3, "three h= names");
	tap_ok(sig.nh == 3 && sig.h[0].len == 4 && memcmp(ams + sig.h[0].off, "From", 4) == 0 &&
	    sig.h[1].len == 2 && memcmp(ams + sig.h[2].off, "Subject", 7) == 0, "h= names trimmed");
	tap_inteq((long long)sig.blen, 4, "b= decoded");
	tap_ok(sig.bval.off > 0 && ams[sig.bval.off - 1] == '=' &&
	    ams[sig.bval.off + sig.bval.len] == ';', "b= value span: after = up to ;");
	tap_inteq((long long)sig.bhlen, 32, "bh= decoded");
	tap_ok(arc_seal_parse(" i=1;" SEAL_TAGS, strlen(" i=1;" SEAL_TAGS), &sig, NULL, 0) ==
	    ARC_PARSE_OK && sig.cv == ARC_CV_NONE && sig.alg == ARC_ALG_RSA_SHA256,
	    "seal cv= and a=");
	tap_ok(sig.bval.off + sig.bval.len == strlen(" i=1;" SEAL_TAGS), "seal b= last: to the end");
	tap_ok(arc_aar_parse(aar, strlen(aar), &a, NULL, 0) == ARC_PARSE_OK && a.i == 1 &&
	    a.rest.len == strlen("lists.example.org;\r\n\tspf=pass") &&
	    memcmp(aar + a.rest.off, "lists.example.org;", 18) == 0, "aar rest trimmed");
	tap_ok(arc_key_parse(ed, strlen(ed), &key, NULL, 0) == ARC_PARSE_OK && key.alg == ARC_ALG_ED25519_SHA256 && key.plen == 32,
	    "ed25519 key: 32 raw bytes");
	tap_ok(arc_key_parse("p=", 2, &key, NULL, 0) == ARC_PARSE_OK && key.plen == 0,
	    "empty p=: revoked");
}

/* test_oversize - values over the cap, and a tag-list of too many tags. */
static void
test_oversize(void)
{
	static struct arc_sig sig;
	struct arc_aar a;
	size_t n = ARC_PARSE_MAX_VALUE + 10, k;
	char *big = malloc(n + 1);

	if (big == NULL) {
		tap_ok(false, "malloc");
		return;
	}
	memset(big, 'a', n);
	memcpy(big, " i=1; x=", 8);
	big[n] = '\0';
	tap_ok(arc_seal_parse(big, n, &sig, NULL, 0) == ARC_PARSE_TOOLONG, "oversize seal");
	tap_ok(arc_ams_parse(big, n, &sig, NULL, 0) == ARC_PARSE_TOOLONG, "oversize AMS");
	tap_ok(arc_aar_parse(big, n, &a, NULL, 0) == ARC_PARSE_TOOLONG, "oversize AAR");
	k = (size_t)snprintf(big, n, "i=1;");
	for (int t = 0; t < 40; t++)
		k += (size_t)snprintf(big + k, n - k, " t%d=x;", t);
	tap_ok(arc_seal_parse(big, k, &sig, NULL, 0) == ARC_PARSE_TOOLONG,
	    "more than %d tags", ARC_PARSE_MAX_TAGS);
	free(big);
}

int
main(void)
{
	test_table();
	test_details();
	test_oversize();
	return tap_done();
}
