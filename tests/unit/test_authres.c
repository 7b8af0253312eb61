/*
 * test_authres.c - table tests for policy/authres.c: the strict and lenient
 * parser, authserv-id extraction and the forged-header check, the writer
 * (quoting, sanitising, folding, registry checks, every method), the
 * verdict writer, round trips through our parser and through python
 * authres (Debian's python3-authres), an independent parser used as the
 * oracle of what every written header says.  Without python3-authres the
 * oracle check is skipped, except under CI=true where the test bails out.
 * Single-threaded TAP program.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authres.h"
#include "str.h"
#include "tap.h"
#include "verdict.h"

#define OUT_MAX 8192

/* ---------------- parser ---------------- */

struct parse_case {
	const char *name;
	const char *input;
	unsigned flags;
	enum authres_status want;
	const char *id;		/* want authserv-id (when OK) */
	const char *version;	/* NULL: none */
	int nresults;
	const char *first;	/* "method[/v]=result" of result 1, or NULL */
	const char *prop;	/* "ptype.property=value" of result 1 prop 1, or NULL */
	const char *reason;	/* reason of result 1, or NULL */
};

static const struct parse_case parse_cases[] = {
	{ "simple", "example.com; spf=pass smtp.mailfrom=example.net", 0, AUTHRES_OK,
	  "example.com", NULL, 1, "spf=pass", "smtp.mailfrom=example.net", NULL },
	{ "field name any case", "AUTHENTICATION-RESULTS : mx.example.org; none", 0, AUTHRES_OK,
	  "mx.example.org", NULL, 0, NULL, NULL, NULL },
	{ "folded CRLF", "mx.example.org;\r\n\tdkim=pass\r\n header.d=example.com\r\n", 0,
	  AUTHRES_OK, "mx.example.org", NULL, 1, "dkim=pass", "header.d=example.com", NULL },
	{ "folded LF", "mx.example.org;\n\tdkim=pass\n\theader.d=example.com", 0,
	  AUTHRES_OK, "mx.example.org", NULL, 1, "dkim=pass", "header.d=example.com", NULL },
	{ "version on id", "example.com 1; none", 0, AUTHRES_OK, "example.com", "1", 0,
	  NULL, NULL, NULL },
	{ "version after comment", "example.com (c) 12 (d); none", 0, AUTHRES_OK,
	  "example.com", "12", 0, NULL, NULL, NULL },
	{ "quoted id", "\"mx.example.com\"; none", 0, AUTHRES_OK, "mx.example.com", NULL, 0,
	  NULL, NULL, NULL },
	{ "method version", "x; dkim/1=pass header.d=a.example", 0, AUTHRES_OK, "x", NULL, 1,
	  "dkim/1=pass", "header.d=a.example", NULL },
	{ "keywords lower-cased", "x; DKIM=PASS HEADER.D=A.example", 0, AUTHRES_OK, "x",
	  NULL, 1, "dkim=pass", "header.d=A.example", NULL },
	{ "reason token", "x; dkim=fail reason=bad header.d=a.example", 0, AUTHRES_OK, "x",
	  NULL, 1, "dkim=fail", "header.d=a.example", "bad" },
	{ "reason quoted with escapes", "x; dkim=fail reason=\"a \\\"b\\\" \\\\c\"", 0,
	  AUTHRES_OK, "x", NULL, 1, "dkim=fail", NULL, "a \"b\" \\c" },
	{ "quoted pvalue", "x; iprev=pass policy.iprev=\"2001:db8::1\"", 0, AUTHRES_OK, "x",
	  NULL, 1, "iprev=pass", "policy.iprev=2001:db8::1", NULL },
	{ "addr-spec pvalue", "x; spf=pass smtp.mailfrom=user+tag@example.com", 0, AUTHRES_OK,
	  "x", NULL, 1, "spf=pass", "smtp.mailfrom=user+tag@example.com", NULL },
	{ "@domain pvalue", "x; dkim=pass header.i=@example.com", 0, AUTHRES_OK, "x", NULL, 1,
	  "dkim=pass", "header.i=@example.com", NULL },
	{ "quoted local-part", "x; spf=pass smtp.mailfrom=\"a b\"@example.com", 0, AUTHRES_OK,
	  "x", NULL, 1, "spf=pass", "smtp.mailfrom=a b@example.com", NULL },
	{ "nested comments", "x (a (b (c \\) d))); dkim (m) = (n) pass", 0, AUTHRES_OK, "x",
	  NULL, 1, "dkim=pass", NULL, NULL },
	{ "comment before none", "x; (why) none", 0, AUTHRES_OK, "x", NULL, 0, NULL, NULL, NULL },
	{ "none is case-insensitive", "x; NONE", 0, AUTHRES_OK, "x", NULL, 0, NULL, NULL, NULL },
	{ "empty value quoted", "x; dkim=pass header.s=\"\"", 0, AUTHRES_OK, "x", NULL, 1,
	  "dkim=pass", "header.s=", NULL },
	{ "two results", "x; spf=pass smtp.helo=h.example; dkim=none", 0, AUTHRES_OK, "x",
	  NULL, 2, "spf=pass", "smtp.helo=h.example", NULL },
	/* strict rejections */
	{ "empty", "", 0, AUTHRES_SYNTAX, NULL, NULL, 0, NULL, NULL, NULL },
	{ "only name", "Authentication-Results:", 0, AUTHRES_SYNTAX, NULL, NULL, 0, NULL, NULL,
	  NULL },
	{ "id only", "example.com", 0, AUTHRES_SYNTAX, NULL, NULL, 0, NULL, NULL, NULL },
	{ "trailing semicolon", "x; dkim=pass;", 0, AUTHRES_SYNTAX, NULL, NULL, 0, NULL, NULL,
	  NULL },
	{ "none then result", "x; none; dkim=pass", 0, AUTHRES_SYNTAX, NULL, NULL, 0, NULL,
	  NULL, NULL },
	{ "result then none", "x; dkim=pass; none", 0, AUTHRES_SYNTAX, NULL, NULL, 0, NULL,
	  NULL, NULL },
	{ "no ptype", "x; dkim=pass d=example.com", 0, AUTHRES_SYNTAX, NULL, NULL, 0, NULL, NULL,
	  NULL },
	{ "unquoted colon", "x; iprev=pass policy.iprev=2001:db8::1", 0, AUTHRES_SYNTAX, NULL,
	  NULL, 0, NULL, NULL, NULL },
	{ "unquoted slash", "x; dkim=pass header.b=ab/cd", 0, AUTHRES_SYNTAX, NULL, NULL, 0,
	  NULL, NULL, NULL },
	{ "unterminated comment", "x (oops; none", 0, AUTHRES_SYNTAX, NULL, NULL, 0, NULL, NULL,
	  NULL },
	{ "unterminated quote", "x; dkim=fail reason=\"abc", 0, AUTHRES_SYNTAX, NULL, NULL, 0,
	  NULL, NULL, NULL },
	{ "keyword ends in hyphen", "x; dkim-=pass", 0, AUTHRES_SYNTAX, NULL, NULL, 0, NULL,
	  NULL, NULL },
	{ "reason after property", "x; dkim=pass header.d=a.example reason=x", 0, AUTHRES_SYNTAX,
	  NULL, NULL, 0, NULL, NULL, NULL },
	{ "version without space", "\"x\"1; none", 0, AUTHRES_SYNTAX, NULL, NULL, 0, NULL, NULL,
	  NULL },
	{ "no method", "x; =pass", 0, AUTHRES_SYNTAX, NULL, NULL, 0, NULL, NULL, NULL },
	/* lenient */
	{ "lenient trailing ;", "x; dkim=pass;", AUTHRES_LENIENT, AUTHRES_OK, "x", NULL, 1,
	  "dkim=pass", NULL, NULL },
	{ "lenient no ptype", "x; x-tls=pass version=TLSv1.2", AUTHRES_LENIENT, AUTHRES_OK, "x",
	  NULL, 1, "x-tls=pass", ".version=TLSv1.2", NULL },
	{ "lenient skips garbage", "mx.example.com garbage \"x; y\"; dkim=pass; ==; spf=fail",
	  AUTHRES_LENIENT, AUTHRES_OK, "mx.example.com", NULL, 2, "dkim=pass", NULL, NULL },
	{ "lenient id with garbage", "MX.Example.COM/junk; dkim=pass", AUTHRES_LENIENT,
	  AUTHRES_OK, "MX.Example.COM", NULL, 1, "dkim=pass", NULL, NULL },
	{ "lenient no id", " ; dkim=pass", AUTHRES_LENIENT, AUTHRES_SYNTAX, NULL, NULL, 0, NULL,
	  NULL, NULL },
};

/* fmt_first - "method[/v]=result" of a result. */
static void
fmt_first(const struct authres_result *r, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s=%s", r->method, r->method_version ? "/" : "",
	    r->method_version ? r->method_version : "", r->result);
}

/* run_parse_case - parse one table row and compare. */
static void
run_parse_case(const struct parse_case *c)
{
	struct authres_header h;
	char reason[256], buf[512];
	enum authres_status st;

	st = authres_parse_flags(c->input, strlen(c->input), c->flags, &h, reason, sizeof(reason));
	tap_inteq(st, c->want, "parse %s: status (%s)", c->name, reason);
	if (st == AUTHRES_OK && c->want == AUTHRES_OK) {
		tap_streq(h.authserv_id, c->id, "parse %s: authserv-id", c->name);
		tap_streq(h.version, c->version, "parse %s: version", c->name);
		tap_inteq((long long)h.nresults, c->nresults, "parse %s: results", c->name);
		if (c->first != NULL && h.nresults > 0) {
			fmt_first(&h.results[0], buf, sizeof(buf));
			tap_streq(buf, c->first, "parse %s: first result", c->name);
			tap_streq(h.results[0].reason, c->reason, "parse %s: reason", c->name);
		}
		if (c->prop != NULL && h.nresults > 0 && h.results[0].nprops > 0) {
			const struct authres_prop *p = &h.results[0].props[0];

			snprintf(buf, sizeof(buf), "%s.%s=%s", p->ptype ? p->ptype : "",
			    p->property, p->value);
			tap_streq(buf, c->prop, "parse %s: property", c->name);
		} else if (c->prop != NULL)
			tap_ok(0, "parse %s: property missing", c->name);
	}
	authres_header_free(&h);
}

/* run_parse_misc - NUL bytes, comment capture, limits. */
static void
run_parse_misc(void)
{
	static const char nul[] = "x; dkim=pass\0 header.d=a.example";
	struct authres_header h;
	struct str big = STR_INITIALIZER(1 << 20);
	int i;

	tap_inteq(authres_parse(nul, sizeof(nul) - 1, &h, NULL, 0), AUTHRES_SYNTAX,
	    "strict: NUL byte rejected");
	authres_header_free(&h);
	tap_inteq(authres_parse_flags(nul, sizeof(nul) - 1, AUTHRES_LENIENT, &h, NULL, 0),
	    AUTHRES_OK, "lenient: NUL byte as space");
	tap_inteq((long long)h.nresults, 1, "lenient: NUL byte, one result");
	authres_header_free(&h);

	authres_parse_flags("x; dmarc=fail (p=reject) (dis=none) header.from=a.example",
	    56, 0, &h, NULL, 0);
	tap_streq(h.nresults ? h.results[0].comment : NULL, "p=reject dis=none",
	    "comments of a resinfo kept");
	authres_header_free(&h);

	str_appends(&big, "x");
	for (i = 0; i < AUTHRES_MAX_RESULTS; i++)
		str_appends(&big, "; dkim=pass");
	tap_inteq(authres_parse(big.s, big.len, &h, NULL, 0), AUTHRES_OK, "64 results accepted");
	authres_header_free(&h);
	str_appends(&big, "; dkim=pass");
	tap_inteq(authres_parse(big.s, big.len, &h, NULL, 0), AUTHRES_LIMIT, "65 results: limit");
	authres_header_free(&h);
	tap_inteq(authres_parse_flags(big.s, big.len, AUTHRES_LENIENT, &h, NULL, 0),
	    AUTHRES_LIMIT, "65 results: limit in lenient mode too");
	authres_header_free(&h);

	str_set(&big, "x; dkim=pass", 12);
	for (i = 0; i < AUTHRES_MAX_PROPS; i++)
		str_appends(&big, " header.d=a.example");
	tap_inteq(authres_parse(big.s, big.len, &h, NULL, 0), AUTHRES_OK, "32 properties accepted");
	authres_header_free(&h);
	str_appends(&big, " header.d=a.example");
	tap_inteq(authres_parse(big.s, big.len, &h, NULL, 0), AUTHRES_LIMIT, "33 properties: limit");
	authres_header_free(&h);

	str_set(&big, "x; none (", 9);
	for (i = 0; i < 100000; i++)
		str_appendc(&big, '(');
	for (i = 0; i < 100001; i++)
		str_appendc(&big, ')');
	tap_inteq(authres_parse(big.s, big.len, &h, NULL, 0), AUTHRES_OK,
	    "100000 nested comments, no recursion");
	authres_header_free(&h);
	str_free(&big);
}

/* ---------------- authserv-id and forgery check ---------------- */

struct claim_case {
	const char *name;
	const char *input;
	const char *id;
	bool want;
	const char *extracted;	/* authres_authserv_id result, NULL: none */
};

static const struct claim_case claim_cases[] = {
	{ "plain", "mx.example.com; dkim=pass", "mx.example.com", true, "mx.example.com" },
	{ "case and comment", "Authentication-Results: MX.Example.COM (comment); dkim=pass",
	  "mx.example.com", true, "MX.Example.COM" },
	{ "version", "example.com 1; spf=pass", "example.com", true, "example.com" },
	{ "comment first, folded", "(c (nested)\r\n\t) \r\n mx.example.com;none", "mx.example.com",
	  true, "mx.example.com" },
	{ "quoted with spaces", "\" mx.example.com \"; none", "MX.EXAMPLE.COM", true,
	  "mx.example.com" },
	{ "quoted-pair inside", "\"mx\\.example.com\"; none", "mx.example.com", true,
	  "mx.example.com" },
	{ "trailing dot on header", "mx.example.com.; none", "mx.example.com", true,
	  "mx.example.com." },
	{ "trailing dot on id", "mx.example.com; none", "mx.example.com.", true,
	  "mx.example.com" },
	{ "garbage after id", "mx.example.com/x=y ((( \"", "mx.example.com", true,
	  "mx.example.com" },
	{ "no separator garbage", "mx.example.com=dkim=pass", "mx.example.com", true,
	  "mx.example.com" },
	{ "other id", "mx.example.net; dkim=pass", "mx.example.com", false, "mx.example.net" },
	{ "prefix is not a claim", "mx.example.community; none", "mx.example.com", false,
	  "mx.example.community" },
	{ "suffix is not a claim", "evil-mx.example.com; none", "mx.example.com", false,
	  "evil-mx.example.com" },
	{ "id only in a comment", "(mx.example.com); dkim=pass", "mx.example.com", false, NULL },
	{ "unterminated comment", "(mx.example.com mx.example.com; none", "mx.example.com",
	  false, NULL },
	{ "empty", "", "mx.example.com", false, NULL },
	{ "semicolon first", "; mx.example.com", "mx.example.com", false, NULL },
	{ "empty id never matches", "mx.example.com; none", "", false, "mx.example.com" },
	{ "id '.' claims itself", ".;non=ne", ".", true, "." },
	{ "id '.' claims '.' in quotes", "\" . \"; none", ".", true, "." },
	{ "id '.' does not claim others", "mx.example.com; none", ".", false, "mx.example.com" },
	{ "id '.' does not claim '..'", "..; none", ".", false, ".." },
};

/* run_claims - authres_claims_id and authres_authserv_id over the table. */
static void
run_claims(void)
{
	struct str id = STR_INITIALIZER(1024);
	enum authres_status st;
	size_t i;

	for (i = 0; i < sizeof(claim_cases) / sizeof(claim_cases[0]); i++) {
		const struct claim_case *c = &claim_cases[i];
		size_t len = strlen(c->input);

		tap_ok(authres_claims_id(c->input, len, c->id) == c->want, "claims %s: %s", c->name,
		    c->want ? "yes" : "no");
		st = authres_authserv_id(c->input, len, &id);
		tap_streq(st == AUTHRES_OK ? str_cstr(&id) : NULL, c->extracted, "authserv-id %s",
		    c->name);
	}
	str_free(&id);
}

/* ---------------- the oracle's records ---------------- */

/*
 * Each header the writer produced goes to a file that python authres reads
 * (python_check, at the end); with it, what the header was written to say,
 * as the dump python_check prints: "id; method[/v]=result[ reason=R]
 * [ ptype.property=value]...; ..." (or "id; none"), comments dropped,
 * quotes and quoted-pairs removed.
 */
#define ORACLE_MAX 64

struct oracle {
	FILE *fp;		/* the headers, each ended by a NUL byte; NULL: no file */
	size_t n;
	char *name[ORACLE_MAX];
	char *want[ORACLE_MAX];
};

/* oracle_add - queue header value for python authres, expecting it to read as want. */
static void
oracle_add(struct oracle *o, const char *name, const char *want, const char *value)
{
	if (o->fp == NULL)
		return;
	if (o->n == ORACLE_MAX) {
		tap_ok(0, "oracle: more than %d headers", ORACLE_MAX);
		return;
	}
	o->name[o->n] = strdup(name);
	o->want[o->n] = strdup(want);
	if (o->name[o->n] == NULL || o->want[o->n] == NULL) {
		tap_ok(0, "oracle: out of memory");
		return;
	}
	o->n++;
	fprintf(o->fp, "%s%c", value, 0);
}

/* oracle_free - release the expectations. */
static void
oracle_free(struct oracle *o)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		free(o->name[i]);
		free(o->want[i]);
	}
	o->n = 0;
}

/* ---------------- writer ---------------- */

/* The steps of one writer call sequence: kind 'a' add, 'r' reason, 'p' prop, 'c' comment. */
struct wstep {
	char kind;
	const char *a, *b, *c;
};

struct write_case {
	const char *name;
	const char *id;
	struct wstep steps[6];
	enum authres_status want;
	const char *out;	/* exact output when OK */
};

static const struct write_case write_cases[] = {
	{ "none", "mx.example.com", { { 0, 0, 0, 0 } }, AUTHRES_OK, "mx.example.com; none" },
	{ "spf mailfrom", "mx", { { 'a', "spf", "pass", 0 }, { 'p', "smtp", "mailfrom",
	  "example.org" } }, AUTHRES_OK, "mx; spf=pass smtp.mailfrom=example.org" },
	{ "spf helo", "mx", { { 'a', "spf", "softfail", 0 }, { 'p', "smtp", "helo",
	  "h.example.org" } }, AUTHRES_OK, "mx; spf=softfail smtp.helo=h.example.org" },
	{ "address bare", "mx", { { 'a', "spf", "pass", 0 }, { 'p', "smtp", "mailfrom",
	  "u+x@example.org" } }, AUTHRES_OK, "mx; spf=pass smtp.mailfrom=u+x@example.org" },
	{ "dkim all props", "mx", { { 'a', "dkim", "pass", 0 }, { 'p', "header", "d", "a.example" },
	  { 'p', "header", "s", "sel" }, { 'p', "header", "a", "rsa-sha256" },
	  { 'p', "header", "i", "@a.example" }, { 'p', "header", "b", "abc+/=12" } }, AUTHRES_OK,
	  "mx; dkim=pass header.d=a.example header.s=sel\n\t"
	  "header.a=rsa-sha256 header.i=@a.example header.b=\"abc+/=12\"" },
	{ "dmarc", "mx", { { 'a', "dmarc", "fail", 0 }, { 'c', "p=reject", 0, 0 },
	  { 'p', "header", "from", "a.example" }, { 'p', "policy", "dmarc", "reject" } },
	  AUTHRES_OK, "mx; dmarc=fail (p=reject) header.from=a.example\n\tpolicy.dmarc=reject" },
	{ "arc", "mx", { { 'a', "arc", "pass", 0 }, { 'p', "smtp", "remote-ip", "192.0.2.1" },
	  { 'p', "header", "oldest-pass", "0" } }, AUTHRES_OK,
	  "mx; arc=pass smtp.remote-ip=192.0.2.1\n\theader.oldest-pass=0" },
	{ "iprev quoted v6", "mx", { { 'a', "iprev", "pass", 0 }, { 'p', "policy", "iprev",
	  "2001:db8::1" } }, AUTHRES_OK, "mx; iprev=pass policy.iprev=\"2001:db8::1\"" },
	{ "reason quoted and escaped", "mx", { { 'a', "dkim", "fail", 0 }, { 'r',
	  "bad \"sig\" \\ here", 0, 0 } }, AUTHRES_OK,
	  "mx; dkim=fail reason=\"bad \\\"sig\\\" \\\\ here\"" },
	{ "reason token", "mx", { { 'a', "dkim", "fail", 0 }, { 'r', "expired", 0, 0 } },
	  AUTHRES_OK, "mx; dkim=fail reason=expired" },
	{ "reason sanitised", "mx", { { 'a', "dkim", "fail", 0 }, { 'r', "a\r\nb\x01\xc3\xa9",
	  0, 0 } }, AUTHRES_OK, "mx; dkim=fail reason=\"a  b???\"" },
	{ "comment parens escaped", "mx", { { 'a', "dkim", "none", 0 }, { 'c', "a) (b\\ c\nd",
	  0, 0 } }, AUTHRES_OK, "mx; dkim=none (a\\) \\(b\\\\ c d)" },
	{ "empty comment skipped", "mx", { { 'a', "dkim", "none", 0 }, { 'c', "  ", 0, 0 } },
	  AUTHRES_OK, "mx; dkim=none" },
	{ "value with space quoted", "mx", { { 'a', "dkim", "pass", 0 }, { 'p', "header", "s",
	  "a b" } }, AUTHRES_OK, "mx; dkim=pass header.s=\"a b\"" },
	{ "empty value quoted", "mx", { { 'a', "dkim", "pass", 0 }, { 'p', "header", "s", "" } },
	  AUTHRES_OK, "mx; dkim=pass header.s=\"\"" },
	{ "authserv-id not a token", "m x", { { 0, 0, 0, 0 } }, AUTHRES_SYNTAX, NULL },
	{ "keywords lower-cased", "mx", { { 'a', "DKIM", "PASS", 0 }, { 'p', "HEADER", "D",
	  "A.example" } }, AUTHRES_OK, "mx; dkim=pass header.d=A.example" },
	{ "two results", "mx", { { 'a', "spf", "none", 0 }, { 'a', "dkim", "none", 0 } },
	  AUTHRES_OK, "mx; spf=none; dkim=none" },
	{ "unregistered method", "mx", { { 'a', "x-foo", "pass", 0 } }, AUTHRES_UNREGISTERED,
	  NULL },
	{ "unregistered result", "mx", { { 'a', "spf", "discard", 0 } }, AUTHRES_UNREGISTERED,
	  NULL },
	{ "unregistered pair", "mx", { { 'a', "spf", "pass", 0 }, { 'p', "header", "from",
	  "a.example" } }, AUTHRES_UNREGISTERED, NULL },
	{ "dmarc-override not registered", "mx", { { 'a', "dmarc", "fail", 0 }, { 'p', "policy",
	  "dmarc-override", "x" } }, AUTHRES_UNREGISTERED, NULL },
	{ "prop before add", "mx", { { 'p', "smtp", "helo", "a" } }, AUTHRES_UNREGISTERED, NULL },
	{ "reason after prop", "mx", { { 'a', "spf", "pass", 0 }, { 'p', "smtp", "helo", "a" },
	  { 'r', "x", 0, 0 } }, AUTHRES_SYNTAX, NULL },
	{ "empty authserv-id", "", { { 0, 0, 0, 0 } }, AUTHRES_SYNTAX, NULL },
};

/* run_steps - feed a write case's steps to the writer. */
static void
run_steps(struct authres_writer *w, const struct wstep *steps, size_t n)
{
	size_t i;

	for (i = 0; i < n && steps[i].kind != 0; i++) {
		switch (steps[i].kind) {
		case 'a':
			authres_add(w, steps[i].a, steps[i].b);
			break;
		case 'r':
			authres_add_reason(w, steps[i].a);
			break;
		case 'p':
			authres_add_prop(w, steps[i].a, steps[i].b, steps[i].c);
			break;
		default:
			authres_add_comment(w, steps[i].a);
			break;
		}
	}
}

/* roundtrip_ok - does out parse strictly, with the given id and result count? */
static bool
roundtrip_ok(const char *out, const char *id, size_t nresults)
{
	struct authres_header h;
	char reason[256];
	bool ok;

	ok = authres_parse(out, strlen(out), &h, reason, sizeof(reason)) == AUTHRES_OK &&
	    strcmp(h.authserv_id, id) == 0 && h.nresults == nresults;
	if (!ok)
		tap_diag("round trip of [%s]: %s", out, reason);
	authres_header_free(&h);
	return ok;
}

/* count_adds - number of 'a' steps. */
static size_t
count_adds(const struct wstep *steps, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n && steps[i].kind != 0; i++)
		k += steps[i].kind == 'a';
	return k;
}

/* append_lower - s in lower case. */
static void
append_lower(struct str *out, const char *s)
{
	for (; *s != '\0'; s++)
		str_appendc(out, (char)tolower((unsigned char)*s));
}

/* append_sanitized - s as the writer promises to write it: CR, LF, HTAB as spaces, other controls and non-ASCII as '?'. */
static void
append_sanitized(struct str *out, const char *s)
{
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == '\r' || c == '\n' || c == '\t')
			c = ' ';
		else if (c < 0x20 || c > 0x7e)
			c = '?';
		str_appendc(out, (char)c);
	}
}

/* steps_meaning - what a write case's steps ask the header to say, as the oracle dumps it. */
static void
steps_meaning(const char *id, const struct wstep *steps, size_t n, struct str *out)
{
	size_t i;

	str_reset(out);
	str_appends(out, id);
	if (count_adds(steps, n) == 0)
		str_appends(out, "; none");
	for (i = 0; i < n && steps[i].kind != 0; i++) {
		if (steps[i].kind == 'a') {
			str_appends(out, "; ");
			append_lower(out, steps[i].a);
			str_appendc(out, '=');
			append_lower(out, steps[i].b);
		} else if (steps[i].kind == 'r') {
			str_appends(out, " reason=");
			append_sanitized(out, steps[i].a);
		} else if (steps[i].kind == 'p') {
			str_appendc(out, ' ');
			append_lower(out, steps[i].a);
			str_appendc(out, '.');
			append_lower(out, steps[i].b);
			str_appendc(out, '=');
			str_appends(out, steps[i].c);
		}	/* comments are not in the dump */
	}
}

/* run_write_cases - the writer table, each OK output round-tripped. */
static void
run_write_cases(struct oracle *o)
{
	struct authres_writer w;
	struct str out = STR_INITIALIZER(OUT_MAX);
	struct str want = STR_INITIALIZER(OUT_MAX);
	char reason[256];
	enum authres_status st;
	size_t i, n;

	for (i = 0; i < sizeof(write_cases) / sizeof(write_cases[0]); i++) {
		const struct write_case *c = &write_cases[i];

		str_reset(&out);
		authres_writer_init(&w, &out, c->id);
		run_steps(&w, c->steps, 6);
		st = authres_writer_finish(&w, reason, sizeof(reason));
		tap_inteq(st, c->want, "write %s: status (%s)", c->name,
		    st == AUTHRES_OK ? "ok" : reason);
		if (st != AUTHRES_OK || c->want != AUTHRES_OK)
			continue;
		tap_streq(str_cstr(&out), c->out, "write %s: output", c->name);
		n = count_adds(c->steps, 6);
		tap_ok(roundtrip_ok(str_cstr(&out), c->id, n), "write %s: round trip", c->name);
		steps_meaning(c->id, c->steps, 6, &want);
		oracle_add(o, c->name, str_cstr(&want), str_cstr(&out));
	}
	str_free(&want);
	str_free(&out);
}

/* max_line - the longest line of an A-R value, counting "Authentication-Results: ". */
static size_t
max_line(const char *s)
{
	size_t col = sizeof("Authentication-Results:"), max = 0;

	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			max = col > max ? col : max;
			col = 0;
		} else
			col++;
	}
	return col > max ? col : max;
}

/* run_folding - long headers fold with "\n\t" within 78 columns and parse back. */
static void
run_folding(struct oracle *o)
{
	struct authres_writer w;
	struct str out = STR_INITIALIZER(OUT_MAX);
	struct str want = STR_INITIALIZER(OUT_MAX);
	int i;

	authres_writer_init(&w, &out, "mail-router.long-subdomain.example.net");
	str_appends(&want, "mail-router.long-subdomain.example.net");
	for (i = 0; i < 6; i++) {
		str_appends(&want, "; dkim=pass header.d=a-rather-long-signing-domain.example.com"
		    " header.s=selector2024 header.b=Qgi/FoC0");
		authres_add(&w, "dkim", "pass");
		authres_add_comment(&w, "a fairly long comment that has to be folded over "
		    "more than one line because it is long");
		authres_add_prop(&w, "header", "d", "a-rather-long-signing-domain.example.com");
		authres_add_prop(&w, "header", "s", "selector2024");
		authres_add_prop(&w, "header", "b", "Qgi/FoC0");
	}
	tap_inteq(authres_writer_finish(&w, NULL, 0), AUTHRES_OK, "fold: written");
	tap_ok(max_line(out.s) <= AUTHRES_FOLD_COLUMN, "fold: longest line %zu <= 78",
	    max_line(out.s));
	tap_ok(strstr(out.s, "\n\t") != NULL && strstr(out.s, "\r") == NULL,
	    "fold: folds are \\n\\t, no CR");
	tap_ok(roundtrip_ok(out.s, "mail-router.long-subdomain.example.net", 6),
	    "fold: round trip");
	oracle_add(o, "folded", str_cstr(&want), out.s);
	str_free(&want);
	str_free(&out);
}

/* ---------------- verdict writer ---------------- */

/* fill_input - two SPF results and two DKIM signatures. */
static void
fill_input(struct verdict_input *in)
{
	memset(in, 0, sizeof(*in));
	in->nauthors = 1;
	snprintf(in->authors[0], sizeof(in->authors[0]), "example.com");
	in->nspf = 2;
	snprintf(in->spf[0].domain, sizeof(in->spf[0].domain), "bounce.example.com");
	in->spf[0].scope = SPF_SCOPE_MFROM;
	in->spf[0].result = SPF_RES_PASS;
	snprintf(in->spf[1].domain, sizeof(in->spf[1].domain), "mail.example.net");
	in->spf[1].scope = SPF_SCOPE_HELO;
	in->spf[1].result = SPF_RES_NONE;
	in->ndkim = 2;
	snprintf(in->dkim[0].domain, sizeof(in->dkim[0].domain), "example.com");
	snprintf(in->dkim[0].selector, sizeof(in->dkim[0].selector), "s1");
	in->dkim[0].result = DKIM_RES_FAIL;
	snprintf(in->dkim[1].domain, sizeof(in->dkim[1].domain), "esp.example");
	snprintf(in->dkim[1].selector, sizeof(in->dkim[1].selector), "k1");
	in->dkim[1].result = DKIM_RES_PASS;
}

/* run_verdict - authres_write_verdict on a hand-made failing, overridden verdict. */
static void
run_verdict(struct oracle *o)
{
	static const struct authres_dkim_extra extra[2] = {
		{ "  abcdEFGH12345678", "rsa-sha256", "@example.com" },
		{ "Qgi/FoC0+more", NULL, NULL },
	};
	struct verdict_input in;
	struct verdict v;
	struct str out = STR_INITIALIZER(OUT_MAX);
	char reason[256];

	fill_input(&in);
	verdict_init(&v);
	v.result = DMARC_RES_FAIL;
	v.disposition = DISP_NONE;
	v.policy = DMARC_POLICY_REJECT;
	v.applied_tag = POLICY_TAG_P;
	v.overrides = OVERRIDE_POLICY_TEST_MODE | OVERRIDE_TRUSTED_FORWARDER;
	v.record_found = true;
	v.record.p = DMARC_POLICY_REJECT;
	v.record.sp = DMARC_POLICY_QUARANTINE;
	v.record.np = DMARC_POLICY_UNSET;
	snprintf(v.header_from, sizeof(v.header_from), "example.com");
	tap_inteq(authres_write_verdict(&out, "mx.example.org", &in, &v, extra, reason,
	    sizeof(reason)), AUTHRES_OK, "verdict: written");
	tap_streq(str_cstr(&out), "mx.example.org; spf=pass"
	    "\n\tsmtp.mailfrom=bounce.example.com; spf=none smtp.helo=mail.example.net;"
	    "\n\tdkim=fail header.d=example.com header.s=s1 header.i=@example.com"
	    "\n\theader.a=rsa-sha256 header.b=abcdEFGH; dkim=pass header.d=esp.example"
	    "\n\theader.s=k1 header.b=\"Qgi/FoC0\"; dmarc=fail (p=reject sp=quarantine"
	    "\n\tdisposition=none override=policy_test_mode,trusted_forwarder)"
	    "\n\theader.from=example.com policy.dmarc=none", "verdict: fail, overridden to none");
	tap_ok(roundtrip_ok(str_cstr(&out), "mx.example.org", 5), "verdict: round trip");
	tap_ok(max_line(out.s) <= AUTHRES_FOLD_COLUMN, "verdict: lines <= 78");
	oracle_add(o, "verdict fail, overridden", "mx.example.org; spf=pass"
	    " smtp.mailfrom=bounce.example.com; spf=none smtp.helo=mail.example.net; dkim=fail"
	    " header.d=example.com header.s=s1 header.i=@example.com header.a=rsa-sha256"
	    " header.b=abcdEFGH; dkim=pass header.d=esp.example header.s=k1 header.b=Qgi/FoC0;"
	    " dmarc=fail header.from=example.com policy.dmarc=none", out.s);
	verdict_free(&v);
	str_free(&out);
}

/* run_verdict_more - no record and no signatures, pass, reject, output limit. */
static void
run_verdict_more(struct oracle *o)
{
	struct verdict_input in;
	struct verdict v;
	struct str out = STR_INITIALIZER(OUT_MAX);

	fill_input(&in);
	in.nspf = 0;
	in.ndkim = 0;
	verdict_init(&v);
	tap_inteq(authres_write_verdict(&out, "mx.example.org", &in, &v, NULL, NULL, 0),
	    AUTHRES_OK, "verdict none: written");
	tap_streq(str_cstr(&out), "mx.example.org; dkim=none; dmarc=none\n\theader.from=example.com",
	    "verdict none: output");
	oracle_add(o, "verdict none", "mx.example.org; dkim=none; dmarc=none"
	    " header.from=example.com", out.s);
	verdict_free(&v);

	/* pass with quarantine policy */
	verdict_init(&v);
	v.result = DMARC_RES_PASS;
	v.disposition = DISP_PASS;
	v.record_found = true;
	v.record.p = DMARC_POLICY_QUARANTINE;
	snprintf(v.header_from, sizeof(v.header_from), "example.com");
	str_reset(&out);
	authres_write_verdict(&out, "mx", &in, &v, NULL, NULL, 0);
	tap_streq(str_cstr(&out), "mx; dkim=none; dmarc=pass (p=quarantine"
	    "\n\tdisposition=pass) header.from=example.com policy.dmarc=none",
	    "verdict pass: output");
	oracle_add(o, "verdict pass", "mx; dkim=none; dmarc=pass header.from=example.com"
	    " policy.dmarc=none", out.s);
	verdict_free(&v);

	/* reject */
	verdict_init(&v);
	v.result = DMARC_RES_FAIL;
	v.disposition = DISP_REJECT;
	v.record_found = true;
	v.record.p = DMARC_POLICY_REJECT;
	snprintf(v.header_from, sizeof(v.header_from), "example.com");
	str_reset(&out);
	authres_write_verdict(&out, "mx", &in, &v, NULL, NULL, 0);
	tap_ok(strstr(str_cstr(&out), "policy.dmarc=reject") != NULL, "verdict reject: policy.dmarc");
	oracle_add(o, "verdict reject", "mx; dkim=none; dmarc=fail header.from=example.com"
	    " policy.dmarc=reject", out.s);
	verdict_free(&v);

	/* output limit */
	str_free(&out);
	str_init(&out, 20);
	fill_input(&in);
	verdict_init(&v);
	tap_inteq(authres_write_verdict(&out, "mx.example.org", &in, &v, NULL, NULL, 0),
	    AUTHRES_LIMIT, "verdict: output over its maximum is an error");
	verdict_free(&v);
	str_free(&out);
}

/* unfold_inplace - the writer's "\n\t" folds as single spaces. */
static void
unfold_inplace(struct str *s)
{
	char *p;

	while ((p = strstr(s->s, "\n\t")) != NULL) {
		*p = ' ';
		memmove(p + 1, p + 2, strlen(p + 2) + 1);
		s->len--;
	}
}

/* run_verdict_arc - arc=pass with the trusted_forwarder detail, arc=fail, temperror, none. */
static void
run_verdict_arc(struct oracle *o)
{
	struct authres_arc arc = { "pass", NULL, "192.0.2.7", 0, "arc i=2 d=lists.example.org" };
	struct verdict_input in;
	struct verdict v;
	struct str out = STR_INITIALIZER(OUT_MAX);
	char reason[256];

	fill_input(&in);
	in.ndkim = 0;
	verdict_init(&v);
	v.result = DMARC_RES_FAIL;
	v.disposition = DISP_NONE;
	v.policy = DMARC_POLICY_REJECT;
	v.applied_tag = POLICY_TAG_P;
	v.overrides = OVERRIDE_TRUSTED_FORWARDER;
	v.record_found = true;
	v.record.p = DMARC_POLICY_REJECT;
	v.record.sp = DMARC_POLICY_UNSET;
	v.record.np = DMARC_POLICY_UNSET;
	snprintf(v.header_from, sizeof(v.header_from), "example.com");
	tap_inteq(authres_write_verdict_arc(&out, "mx.example.org", &in, &v, NULL, NULL, &arc,
	    reason, sizeof(reason)), AUTHRES_OK, "verdict arc: written");
	tap_streq(str_cstr(&out), "mx.example.org; spf=pass"
	    "\n\tsmtp.mailfrom=bounce.example.com; spf=none smtp.helo=mail.example.net;"
	    "\n\tdkim=none; arc=pass smtp.remote-ip=192.0.2.7 header.oldest-pass=0;"
	    "\n\tdmarc=fail (p=reject disposition=none override=trusted_forwarder)"
	    "\n\t(override trusted_forwarder: arc i=2 d=lists.example.org)"
	    "\n\theader.from=example.com policy.dmarc=none", "verdict arc: pass, trusted_forwarder");
	tap_ok(roundtrip_ok(str_cstr(&out), "mx.example.org", 5), "verdict arc: round trip");
	tap_ok(max_line(out.s) <= AUTHRES_FOLD_COLUMN, "verdict arc: lines <= 78");
	oracle_add(o, "verdict arc pass", "mx.example.org; spf=pass"
	    " smtp.mailfrom=bounce.example.com; spf=none smtp.helo=mail.example.net; dkim=none;"
	    " arc=pass smtp.remote-ip=192.0.2.7 header.oldest-pass=0; dmarc=fail"
	    " header.from=example.com policy.dmarc=none", out.s);

	/* fail with a reason: no oldest-pass; no override detail without the bit */
	v.overrides = 0;
	v.disposition = DISP_REJECT;
	arc.result = "fail";
	arc.comment = "i=2 seal does not verify";
	arc.oldest_pass = 2;
	str_reset(&out);
	authres_write_verdict_arc(&out, "mx", &in, &v, NULL, NULL, &arc, NULL, 0);
	unfold_inplace(&out);
	tap_ok(strstr(str_cstr(&out), "; arc=fail (i=2 seal does not verify)"
	    " smtp.remote-ip=192.0.2.7;") != NULL, "verdict arc fail: comment, no oldest-pass");
	tap_ok(strstr(str_cstr(&out), "override") == NULL, "verdict arc fail: no override detail");
	oracle_add(o, "verdict arc fail", "mx; spf=pass smtp.mailfrom=bounce.example.com;"
	    " spf=none smtp.helo=mail.example.net; dkim=none; arc=fail smtp.remote-ip=192.0.2.7;"
	    " dmarc=fail header.from=example.com policy.dmarc=reject", out.s);

	arc.result = "temperror";
	arc.comment = NULL;
	arc.remote_ip = NULL;
	str_reset(&out);
	authres_write_verdict_arc(&out, "mx", &in, &v, NULL, NULL, &arc, NULL, 0);
	unfold_inplace(&out);
	tap_ok(strstr(str_cstr(&out), "; arc=temperror;") != NULL, "verdict arc temperror");

	arc.result = NULL;
	str_reset(&out);
	authres_write_verdict_arc(&out, "mx", &in, &v, NULL, NULL, &arc, NULL, 0);
	tap_ok(strstr(str_cstr(&out), " arc=") == NULL, "verdict arc NULL result: no arc=");
	verdict_free(&v);
	str_free(&out);
}

/* ---------------- python authres ---------------- */

/*
 * The oracle: for each header (NUL-terminated, in argv[1]) one line, the
 * header as python authres reads it (see struct oracle), or "error: ...".
 * python authres keeps the quoted-pairs of quoted strings: they are removed
 * here.  It drops a property it cannot parse: the dump then lacks it.
 */
static const char pyoracle[] =
	"import re, sys\n"
	"import authres\n"
	"def text(v):\n"
	"    return re.sub(r'\\\\(.)', r'\\1', v)\n"
	"def dump(h):\n"
	"    out = [h.authserv_id]\n"
	"    if not h.results:\n"
	"        out.append('none')\n"
	"    for r in h.results:\n"
	"        s = r.method + ('/' + r.version if r.version else '') + '=' + r.result\n"
	"        if r.reason is not None:\n"
	"            s += ' reason=' + text(r.reason)\n"
	"        for p in r.properties:\n"
	"            s += ' %s.%s=%s' % (p.type, p.name, text(p.value))\n"
	"        out.append(s)\n"
	"    return '; '.join(out)\n"
	"data = open(sys.argv[1], 'rb').read().decode().split('\\0')[:-1]\n"
	"for value in data:\n"
	"    try:\n"
	"        print(dump(authres.AuthenticationResultsHeader.parse(\n"
	"            'Authentication-Results: ' + value.replace('\\n', ''))))\n"
	"    except Exception as e:\n"
	"        print('error: %r' % e)\n";

/* have_python_authres - can Debian's python3 import authres? */
static bool
have_python_authres(void)
{
	return system("/usr/bin/python3 -c 'import authres' >/dev/null 2>&1") == 0;
}

/* python_compare - read python's lines from fp, one per queued header, and compare. */
static void
python_compare(FILE *fp, const struct oracle *o)
{
	char *line = NULL;
	size_t cap = 0, i;
	ssize_t n;

	for (i = 0; i < o->n; i++) {
		if ((n = getline(&line, &cap, fp)) < 0) {
			tap_ok(0, "python authres reads %s: no answer", o->name[i]);
			continue;
		}
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		tap_streq(line, o->want[i], "python authres reads %s", o->name[i]);
	}
	if (getline(&line, &cap, fp) >= 0)
		tap_ok(0, "python authres: extra output: %s", line);
	free(line);
}

/* python_check - run the oracle over the headers written to path. */
static void
python_check(const char *path, const struct oracle *o)
{
	char script[1024], cmd[2048];
	FILE *fp;

	snprintf(script, sizeof(script), "%s.py", path);
	if ((fp = fopen(script, "w")) == NULL) {
		tap_ok(0, "write %s", script);
		return;
	}
	fputs(pyoracle, fp);
	fclose(fp);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 %s %s", script, path);
	if ((fp = popen(cmd, "r")) == NULL) {
		tap_ok(0, "run %s", cmd);
	} else {
		python_compare(fp, o);
		tap_inteq(pclose(fp), 0, "python authres oracle: exit status");
	}
	unlink(script);
}

int
main(void)
{
	char path[] = "/tmp/test_authres.XXXXXX";
	struct oracle o = { NULL, 0, { NULL }, { NULL } };
	bool python = have_python_authres();
	size_t i;
	int fd;

	if (!python && getenv("CI") != NULL && strcmp(getenv("CI"), "true") == 0)
		tap_missing("python3-authres not installed");
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++)
		run_parse_case(&parse_cases[i]);
	run_parse_misc();
	run_claims();
	if ((fd = mkstemp(path)) >= 0 && (o.fp = fdopen(fd, "wb")) == NULL)
		close(fd);
	if (o.fp == NULL)
		tap_ok(0, "temporary file for the python check");
	run_write_cases(&o);
	run_folding(&o);
	run_verdict(&o);
	run_verdict_more(&o);
	run_verdict_arc(&o);
	if (o.fp != NULL) {
		fclose(o.fp);
		if (python)
			python_check(path, &o);
		else
			tap_ok(1, "python authres oracle # SKIP python3-authres not installed");
		unlink(path);
	}
	oracle_free(&o);
	return tap_done();
}
