/*
 * test_from.c - table tests for policy/from.c: RFC 5322 From parsing,
 * the incumbents' CVE-style inputs, limits and from_collect().
 * Single-threaded TAP program.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "from.h"
#include "str.h"
#include "tap.h"

struct from_case {
	const char *name;
	const char *input;
	size_t len;		/* 0: strlen(input) */
	enum from_status want;
	const char *domains;	/* comma-joined, "" for none */
};

#define S(x) x, sizeof(x) - 1	/* literal with embedded NULs */

static const struct from_case cases[] = {
	/* plain forms */
	{ "bare addr-spec", "user@example.com", 0, FROM_OK, "example.com" },
	{ "angle only", "<user@example.com>", 0, FROM_OK, "example.com" },
	{ "display name", "Joe Q. Public <john.q.public@example.com>", 0, FROM_OK, "example.com" },
	{ "case folded", "User@EXAMPLE.Com", 0, FROM_OK, "example.com" },
	{ "trailing dot", "user@example.com.", 0, FROM_OK, "example.com" },
	{ "spaces around @", "user @ example.com", 0, FROM_OK, "example.com" },
	{ "spaces around", " <user@example.com > ", 0, FROM_OK, "example.com" },
	{ "tabs", "\tJoe\t<\tuser@example.com\t>\t", 0, FROM_OK, "example.com" },
	{ "single label", "root@localhost", 0, FROM_OK, "localhost" },
	{ "apostrophe in phrase", "Davide D'Marco <user@blah.com>", 0, FROM_OK, "blah.com" },
	{ "atext specials in local", "a!#$%&'*+/=?^_`{|}~-b@example.com", 0, FROM_OK, "example.com" },

	/* quoted strings */
	{ "quoted display", "\"Joe Johnson\" <joe@joe.com>", 0, FROM_OK, "joe.com" },
	{ "quoted display with comma", "\"Public, John\" <jqp@example.com>", 0, FROM_OK, "example.com" },
	{ "quoted display looks like address", "\"a@evil.example\" <b@good.example>", 0, FROM_OK, "good.example" },
	{ "quoted display with angle address", "\"<a@evil.example>\" <b@good.example>", 0, FROM_OK, "good.example" },
	{ "quoted display escaped quote", "\"Joe \\\" <a@evil.example>\" <b@good.example>", 0, FROM_OK, "good.example" },
	{ "quoted display escaped backslash", "\"Joe \\\\\" <b@good.example>", 0, FROM_OK, "good.example" },
	{ "quoted local part", "\"john doe\"@example.com", 0, FROM_OK, "example.com" },
	{ "quoted local part with @", "\"a@evil.example\"@good.example", 0, FROM_OK, "good.example" },
	{ "quoted local in angle", "Joe <\"j,o<e>\"@good.example>", 0, FROM_OK, "good.example" },
	{ "mixed obs local part", "john.\"q\".doe@example.com", 0, FROM_OK, "example.com" },
	{ "unterminated quoted string", "\"Joe <j@x.example>", 0, FROM_UNPARSEABLE, "" },
	{ "quoted string escapes its end", "\"Joe\\\" <j@x.example>", 0, FROM_UNPARSEABLE, "" },

	/* comments */
	{ "comment before", "(Joe Johnson) joe@joe.com", 0, FROM_OK, "joe.com" },
	{ "comment after", "joe@joe.com (Joe)", 0, FROM_OK, "joe.com" },
	{ "comment with comma", "(,) joe@joe.com", 0, FROM_OK, "joe.com" },
	{ "comment holds address", "(evil@evil.example) joe@good.example", 0, FROM_OK, "good.example" },
	{ "nested comment", "joe@good.example (a (b (c) d) e)", 0, FROM_OK, "good.example" },
	{ "comment quoted-pair paren", "joe@good.example (a \\) b \\( c)", 0, FROM_OK, "good.example" },
	{ "comments inside angle", "<(c)joe(c)@(c)good.example(c)>", 0, FROM_OK, "good.example" },
	{ "comment in display name", "Joe (the man) Public <j@good.example>", 0, FROM_OK, "good.example" },
	{ "unterminated comment", "(joe@good.example", 0, FROM_UNPARSEABLE, "" },
	{ "unbalanced close paren", "joe@good.example)", 0, FROM_UNPARSEABLE, "" },
	{ "extra close paren", "joe@good.example (a))", 0, FROM_UNPARSEABLE, "" },
	{ "comment only", "(nobody)", 0, FROM_UNPARSEABLE, "" },

	/* folding and line ends */
	{ "folded CRLF", "Joe\r\n <joe@good.example>", 0, FROM_OK, "good.example" },
	{ "folded LF", "Joe\n\t<joe@good.example>", 0, FROM_OK, "good.example" },
	{ "folded in quoted string", "\"Joe\r\n Smith\" <j@good.example>", 0, FROM_OK, "good.example" },
	{ "folded in comment", "j@good.example (a\r\n b)", 0, FROM_OK, "good.example" },
	{ "trailing CRLF", "j@good.example\r\n", 0, FROM_OK, "good.example" },
	{ "CRLF not followed by WSP", "a@good.example\r\nFrom: b@evil.example", 0, FROM_UNPARSEABLE, "" },
	{ "LF not followed by WSP", "a@good.example\nb@evil.example", 0, FROM_UNPARSEABLE, "" },
	{ "bare CR", "a@good.example\r b@evil.example", 0, FROM_UNPARSEABLE, "" },
	{ "CRLF in quoted string", "\"a\r\nb\" <a@good.example>", 0, FROM_UNPARSEABLE, "" },
	{ "escaped LF in comment", "a@good.example (x\\\nFrom: b@evil.example)", 0, FROM_UNPARSEABLE, "" },
	{ "escaped CRLF in quoted string", "\"x\\\r\nFrom: \" <b@evil.example>", 0, FROM_UNPARSEABLE, "" },
	{ "escaped fold in comment", "a@good.example (x\\\r\n y)", 0, FROM_OK, "good.example" },
	{ "backslash at end of comment", "a@good.example (x\\", 0, FROM_UNPARSEABLE, "" },
	{ "backslash at end of quoted", "\"x\\", 0, FROM_UNPARSEABLE, "" },

	/* encoded words and UTF-8 */
	{ "encoded word B", "=?UTF-8?B?5pel5pys?= <user@example.jp>", 0, FROM_OK, "example.jp" },
	{ "encoded word Q", "=?iso-8859-1?q?J=F6rg?= <j@example.de>", 0, FROM_OK, "example.de" },
	{ "encoded word with @ not decoded", "=?utf-8?q?a@evil.example?= <b@good.example>", 0, FROM_UNPARSEABLE, "" },
	{ "encoded word hiding address", "=?utf-8?b?YUBldmlsLmV4YW1wbGU=?= <b@good.example>", 0, FROM_OK, "good.example" },
	{ "UTF-8 display name", "J\xc3\xb6rg <j@example.de>", 0, FROM_OK, "example.de" },
	{ "UTF-8 local part", "j\xc3\xb6rg@example.de", 0, FROM_OK, "example.de" },
	{ "IDN U-label", "user@b\xc3\xbc" "cher.example", 0, FROM_OK, "xn--bcher-kva.example" },
	{ "IDN A-label", "user@XN--BCHER-KVA.example", 0, FROM_OK, "xn--bcher-kva.example" },
	{ "IDN in angle", "M\xc3\xbcller <m@b\xc3\xbc" "cher.example>", 0, FROM_OK, "xn--bcher-kva.example" },
	{ "invalid UTF-8 domain", "a@\xff\xfe.example", 0, FROM_BAD_DOMAIN, "" },

	/* obsolete syntax */
	{ "obs local part with spaces", "john . doe@example.com", 0, FROM_OK, "example.com" },
	{ "local part double dot", "john..doe@example.com", 0, FROM_OK, "example.com" },
	{ "local part trailing dot", "<john.@example.com>", 0, FROM_OK, "example.com" },
	{ "obs-route", "<@route1.example,@route2.example:user@example.com>", 0, FROM_OK, "example.com" },
	{ "obs-route with name", "Joe <@r.example:user@example.com>", 0, FROM_OK, "example.com" },
	{ "obs-route extra commas", "<,@a.example,,@b.example : user@example.com>", 0, FROM_OK, "example.com" },
	{ "obs-route literal", "<@[192.0.2.1]:user@example.com>", 0, FROM_OK, "example.com" },
	{ "obs-route without colon", "<@r.example user@example.com>", 0, FROM_UNPARSEABLE, "" },
	{ "obs-route only", "<@r.example:>", 0, FROM_UNPARSEABLE, "" },
	{ "obs empty list elements", ", a@x.example,,", 0, FROM_OK, "x.example" },
	{ "obs phrase with dots", "Joe.Q.Public <j@x.example>", 0, FROM_OK, "x.example" },
	{ "obs From with space", "From : a@x.example", 0, FROM_OK, "x.example" },

	/* leading field name */
	{ "leading From:", "From: Sample User <user@example.com>", 0, FROM_OK, "example.com" },
	{ "leading FROM: no space", "FROM:user@example.com", 0, FROM_OK, "example.com" },
	{ "leading From: quoted", "From: \"Sample User\" <user@example.com>", 0, FROM_OK, "example.com" },
	{ "From: then nothing", "From: \"Test 1.1.5\"", 0, FROM_UNPARSEABLE, "" },

	/* groups (RFC 6854) */
	{ "group two domains", "undisclosed: a@b.example, c@d.example;", 0, FROM_MULTI_DIFF_DOMAIN, "b.example,d.example" },
	{ "group same domain", "team: a@x.example, Bob <b@X.example> (c) ;", 0, FROM_MULTI_SAME_DOMAIN, "x.example" },
	{ "group one member", "team: a@x.example;", 0, FROM_OK, "x.example" },
	{ "empty group", "undisclosed-recipients:;", 0, FROM_UNPARSEABLE, "" },
	{ "empty group obs commas", "undisclosed: , , ;", 0, FROM_UNPARSEABLE, "" },
	{ "empty group then mailbox", "undisclosed:;, a@x.example", 0, FROM_OK, "x.example" },
	{ "mailbox then group", "a@x.example, g: b@y.example;", 0, FROM_MULTI_DIFF_DOMAIN, "x.example,y.example" },
	{ "quoted group name", "\"the team\": a@x.example;", 0, FROM_OK, "x.example" },
	{ "group not terminated", "team: a@x.example", 0, FROM_UNPARSEABLE, "" },
	{ "nested group", "a: b: c@x.example;;", 0, FROM_UNPARSEABLE, "" },
	{ "semicolon outside group", "a@x.example;", 0, FROM_UNPARSEABLE, "" },
	{ "group without name", ": a@x.example;", 0, FROM_UNPARSEABLE, "" },
	{ "text after group", "g: a@x.example; b@y.example", 0, FROM_UNPARSEABLE, "" },
	{ "Mail From: unterminated group", "Mail From:<joe@joe.com>", 0, FROM_UNPARSEABLE, "" },

	/* several mailboxes */
	{ "two domains", "a@x.example, b@y.example", 0, FROM_MULTI_DIFF_DOMAIN, "x.example,y.example" },
	{ "two same domain", "a@x.example, b@X.EXAMPLE.", 0, FROM_MULTI_SAME_DOMAIN, "x.example" },
	{ "three with duplicate", "a@x.example, b@y.example, c@x.example", 0, FROM_MULTI_DIFF_DOMAIN, "x.example,y.example" },
	{ "CVE multi-valued From", "Joe Johnson <joe@joe.com>, ace@ace.com", 0, FROM_MULTI_DIFF_DOMAIN, "joe.com,ace.com" },
	{ "multi no space", "Sample User <user@example.com>,Sample2<user@example2.com>", 0, FROM_MULTI_DIFF_DOMAIN, "example.com,example2.com" },
	{ "multi with bad domain", "a@x.example, b@[192.0.2.1]", 0, FROM_BAD_DOMAIN, "" },

	/* domains */
	{ "domain literal", "user@[192.0.2.1]", 0, FROM_BAD_DOMAIN, "" },
	{ "domain literal IPv6", "Joe <user@[IPv6:2001:db8::1]>", 0, FROM_BAD_DOMAIN, "" },
	{ "unterminated domain literal", "user@[192.0.2.1", 0, FROM_UNPARSEABLE, "" },
	{ "domain literal with [", "user@[1[2]", 0, FROM_UNPARSEABLE, "" },
	{ "domain literal then domain", "user@[192.0.2.1].evil.example", 0, FROM_UNPARSEABLE, "" },
	{ "underscore in domain", "user@exa_mple.com", 0, FROM_BAD_DOMAIN, "" },
	{ "numeric TLD", "user@192.0.2.1", 0, FROM_BAD_DOMAIN, "" },
	{ "leading hyphen", "user@-example.com", 0, FROM_BAD_DOMAIN, "" },
	{ "label too long", "u@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", 0, FROM_BAD_DOMAIN, "" },
	{ "label 63 ok", "u@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com", 0, FROM_OK,
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com" },
	{ "empty domain", "user@", 0, FROM_UNPARSEABLE, "" },
	{ "empty domain in angle", "<user@>", 0, FROM_UNPARSEABLE, "" },
	{ "leading dot domain", "user@.example.com", 0, FROM_UNPARSEABLE, "" },
	{ "double dot domain", "user@example..com", 0, FROM_UNPARSEABLE, "" },
	{ "missing local part", "@example.com", 0, FROM_UNPARSEABLE, "" },
	{ "missing local part in angle", "Joe <@example.com>", 0, FROM_UNPARSEABLE, "" },
	{ "empty angle", "<>", 0, FROM_UNPARSEABLE, "" },
	{ "no @", "user", 0, FROM_UNPARSEABLE, "" },
	{ "no @ in angle", "Joe <user>", 0, FROM_UNPARSEABLE, "" },

	/* attacks on the domain */
	{ "a@b@c", "a@b.example@c.example", 0, FROM_UNPARSEABLE, "" },
	{ "CVE open comment in domain", "a@example.net(.example.com", 0, FROM_UNPARSEABLE, "" },
	{ "comment between labels", "a@example.net.(comment)example.com", 0, FROM_UNPARSEABLE, "" },
	{ "comment before dot", "a@example.net(c).example.com", 0, FROM_UNPARSEABLE, "" },
	{ "space before dot", "a@example.net .example.com", 0, FROM_UNPARSEABLE, "" },
	{ "space after dot", "a@example. com", 0, FROM_UNPARSEABLE, "" },
	{ "folded inside domain", "a@example.\r\n com", 0, FROM_UNPARSEABLE, "" },
	{ "word after domain", "a@example.net example.com", 0, FROM_UNPARSEABLE, "" },
	{ "unbalanced <", "<a@example.com", 0, FROM_UNPARSEABLE, "" },
	{ "unbalanced >", "a@example.com>", 0, FROM_UNPARSEABLE, "" },
	{ "display unbalanced <", "Joe <a@example.com", 0, FROM_UNPARSEABLE, "" },
	{ "double angle", "<<a@example.com>>", 0, FROM_UNPARSEABLE, "" },
	{ "OpenDMARC angle soup", "<<<><joe@joe.com>>>", 0, FROM_UNPARSEABLE, "" },
	{ "address as display name", "a@evil.example <b@good.example>", 0, FROM_UNPARSEABLE, "" },
	{ "address after angle", "<b@good.example> a@evil.example", 0, FROM_UNPARSEABLE, "" },
	{ "two angles", "Joe <a@x.example> <b@y.example>", 0, FROM_UNPARSEABLE, "" },
	{ "trailing word", "Joe <a@x.example> trailing", 0, FROM_UNPARSEABLE, "" },
	{ "phrase then addr-spec", "John Doe john@example.com", 0, FROM_UNPARSEABLE, "" },
	{ "quoted phrase then addr-spec", "\"Johnson, Joe <joe@joe.com>\" joe@joe.com", 0, FROM_UNPARSEABLE, "" },
	{ "quoted comment-like then addr-spec", "\"( bob@bob.com)\" joe@joe.com", 0, FROM_UNPARSEABLE, "" },
	{ "two words local part", "john doe@example.com", 0, FROM_UNPARSEABLE, "" },
	{ "backslash outside quotes", "a\\@b.example", 0, FROM_UNPARSEABLE, "" },
	{ "control character", "a@x.example\x01", 0, FROM_UNPARSEABLE, "" },
	{ "DEL character", "a\x7f@x.example", 0, FROM_UNPARSEABLE, "" },
	{ "NUL inside", S("a@good.example\0b@evil.example"), FROM_UNPARSEABLE, "" },
	{ "NUL at end", S("a@good.example\0"), FROM_UNPARSEABLE, "" },
	{ "NUL in comment", S("a@good.example (\0)"), FROM_UNPARSEABLE, "" },
	{ "NUL in quoted string", S("\"\0\" <a@good.example>"), FROM_UNPARSEABLE, "" },

	/* nothing usable */
	{ "empty", "", 0, FROM_UNPARSEABLE, "" },
	{ "white space only", " \t ", 0, FROM_UNPARSEABLE, "" },
	{ "display name only", "\"Test 1.1.5\"", 0, FROM_UNPARSEABLE, "" },
	{ "commas only", ", ,", 0, FROM_UNPARSEABLE, "" },
};

/* join_domains - the result's domains, comma-joined. */
static void
join_domains(const struct from_result *r, struct str *sp)
{
	size_t i;

	str_reset(sp);
	str_appends(sp, "");
	for (i = 0; i < r->ndomains; i++) {
		if (i > 0)
			str_appendc(sp, ',');
		str_appends(sp, r->domains[i]);
	}
}

/* check - one parse against its expectations. */
static void
check(const char *name, const struct from_result *r, enum from_status got,
    enum from_status want, const char *domains)
{
	struct str joined = STR_INITIALIZER(4096);

	tap_ok(got == r->status, "%s: return equals out->status", name);
	if (!tap_streq(from_status_name(got), from_status_name(want), "%s: status", name))
		tap_diag("  reason: %s", r->reason);
	join_domains(r, &joined);
	tap_streq(str_cstr(&joined), domains, "%s: domains", name);
	str_free(&joined);
}

/* run_table - every row of cases[]. */
static void
run_table(void)
{
	struct from_result r;
	enum from_status got;
	size_t i, len;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = cases[i].len ? cases[i].len : strlen(cases[i].input);
		got = from_parse(cases[i].input, len, &r);
		check(cases[i].name, &r, got, cases[i].want, cases[i].domains);
	}
}

/* big - a generated input: prefix, n copies of unit, suffix. */
static char *
big(const char *prefix, const char *unit, size_t n, const char *suffix, size_t *len)
{
	struct str s = STR_INITIALIZER(4u << 20);
	size_t i;

	str_appends(&s, prefix);
	for (i = 0; i < n; i++)
		str_appends(&s, unit);
	str_appends(&s, suffix);
	*len = s.len;
	return str_steal(&s);
}

struct big_case {
	const char *name, *prefix, *unit;
	size_t n;
	const char *suffix;
	enum from_status want;
	const char *domains;
};

#define MB (1u << 20)

static const struct big_case big_cases[] = {
	{ "1 MB comment", "a@good.example (", "x", MB, ")", FROM_OK, "good.example" },
	{ "1 MB quoted display", "\"", "x", MB, "\" <a@good.example>", FROM_OK, "good.example" },
	{ "1 MB phrase", "", "x ", MB / 2, "<a@good.example>", FROM_OK, "good.example" },
	{ "1 MB local part", "", "x", MB, "@good.example", FROM_OK, "good.example" },
	{ "1 MB domain", "a@", "x.", MB / 2, "example", FROM_BAD_DOMAIN, "" },
	{ "1 MB of mailboxes", "", "a@x.example,", MB / 12, "", FROM_UNPARSEABLE, "" },
	{ "1 MB of commas", "", ",", MB, "a@x.example", FROM_OK, "x.example" },
	{ "1 MB of (", "a@x.example ", "(", MB, "", FROM_UNPARSEABLE, "" },
	{ "1 MB of <", "", "<", MB, "a@x.example", FROM_UNPARSEABLE, "" },
	{ "1 MB of folds", "a@x.example", "\r\n ", MB / 3, "", FROM_OK, "x.example" },
	{ "1 MB unterminated quote", "\"", "a@evil.example ", MB / 15, "", FROM_UNPARSEABLE, "" },
	{ "nesting 32", "a@x.example ", "(", 32, ")))))))))))))))))))))))))))))))))", FROM_UNPARSEABLE, "" },
	{ "nesting at limit", "a@x.example ", "(", 32, "))))))))))))))))))))))))))))))))", FROM_OK, "x.example" },
	{ "nesting over limit", "a@x.example ", "(", 33, ")))))))))))))))))))))))))))))))))", FROM_UNPARSEABLE, "" },
	{ "64 mailboxes", "a@x.example", ",b@x.example", 63, "", FROM_MULTI_SAME_DOMAIN, "x.example" },
	{ "65 mailboxes", "a@x.example", ",b@x.example", 64, "", FROM_UNPARSEABLE, "" },
	{ "65 mailboxes in a group", "g:a@x.example", ",b@x.example", 64, ";", FROM_UNPARSEABLE, "" },
};

/* run_big - generated inputs: size limits and linear work. */
static void
run_big(void)
{
	struct from_result r;
	enum from_status got;
	size_t i, len;
	char *in;

	for (i = 0; i < sizeof(big_cases) / sizeof(big_cases[0]); i++) {
		const struct big_case *c = &big_cases[i];

		in = big(c->prefix, c->unit, c->n, c->suffix, &len);
		if (!tap_ok(in != NULL, "%s: generated", c->name))
			continue;
		got = from_parse(in, len, &r);
		check(c->name, &r, got, c->want, c->domains);
		free(in);
	}
}

/* run_many_domains - more distinct domains than FROM_MAX_DOMAINS. */
static void
run_many_domains(void)
{
	static const char in[] = "a@d1.example, a@d2.example, a@d3.example, "
	    "a@d4.example, a@d5.example, a@d6.example, a@d7.example, "
	    "a@d8.example, a@d9.example, a@d1.example, a@d10.example";
	struct from_result r;

	from_parse(in, strlen(in), &r);
	tap_streq(from_status_name(r.status), "multi-diff-domain", "10 domains: status");
	tap_inteq((long long)r.naddrs, 11, "10 domains: naddrs");
	tap_inteq((long long)r.ndomains, FROM_MAX_DOMAINS, "10 domains: kept %d", FROM_MAX_DOMAINS);
	tap_streq(r.domains[7], "d8.example", "10 domains: the first 8 in order");
	tap_ok(strstr(r.reason, "more than") != NULL, "10 domains: reason says more (%s)", r.reason);
}

/* run_counts - naddrs and reasons. */
static void
run_counts(void)
{
	struct from_result r;

	from_parse("g: a@x.example, b@x.example;, c@x.example", 41, &r);
	tap_inteq((long long)r.naddrs, 3, "naddrs counts group members");
	from_parse("user@[192.0.2.1]", 16, &r);
	tap_ok(strstr(r.reason, "literal") != NULL, "literal reason: %s", r.reason);
	tap_inteq((long long)r.ndomains, 0, "bad domain: no domains");
	from_parse("a@x.example\r\nBcc: b@y.example", 29, &r);
	tap_ok(strstr(r.reason, "offset 11") != NULL, "reason has offset: %s", r.reason);
	from_parse(NULL, 0, &r);
	tap_streq(from_status_name(r.status), "unparseable", "NULL value");
	from_parse("joe@joe.com", 11, &r);
	tap_streq(r.reason, "", "ok: empty reason");
}

struct collect_case {
	const char *name;
	const char *values[3];
	size_t n;
	enum from_status want;
	const char *domains;
	size_t naddrs;
};

static const struct collect_case collect_cases[] = {
	{ "no field", { NULL }, 0, FROM_NONE, "", 0 },
	{ "one field", { "Joe <j@x.example>" }, 1, FROM_OK, "x.example", 1 },
	{ "one field two domains", { "a@x.example, b@y.example" }, 1, FROM_MULTI_DIFF_DOMAIN, "x.example,y.example", 2 },
	{ "one bad field", { "a@example.net(.example.com" }, 1, FROM_UNPARSEABLE, "", 0 },
	{ "two fields same domain", { "a@x.example", "b@X.example" }, 2, FROM_MULTIPLE_HEADERS, "x.example", 2 },
	{ "two fields two domains", { "a@x.example", "b@y.example" }, 2, FROM_MULTIPLE_HEADERS, "x.example,y.example", 2 },
	{ "two fields one bad", { "a@x.example", "<b@y.example" }, 2, FROM_MULTIPLE_HEADERS, "x.example", 1 },
	{ "three fields overlap", { "a@x.example, b@y.example", "c@y.example", "" }, 3, FROM_MULTIPLE_HEADERS,
	  "x.example,y.example", 3 },
	{ "two empty fields", { "", "" }, 2, FROM_MULTIPLE_HEADERS, "", 0 },
};

/* run_collect - from_collect() over several fields. */
static void
run_collect(void)
{
	struct from_result r;
	struct str joined = STR_INITIALIZER(4096);
	size_t i, j, lens[3];
	enum from_status got;

	for (i = 0; i < sizeof(collect_cases) / sizeof(collect_cases[0]); i++) {
		const struct collect_case *c = &collect_cases[i];

		for (j = 0; j < c->n; j++)
			lens[j] = strlen(c->values[j]);
		got = from_collect(c->values, lens, c->n, &r);
		tap_ok(got == r.status, "collect %s: return equals status", c->name);
		tap_streq(from_status_name(got), from_status_name(c->want), "collect %s: status", c->name);
		join_domains(&r, &joined);
		tap_streq(str_cstr(&joined), c->domains, "collect %s: domains", c->name);
		tap_inteq((long long)r.naddrs, (long long)c->naddrs, "collect %s: naddrs", c->name);
		if (got != FROM_OK)
			tap_ok(r.reason[0] != '\0', "collect %s: reason %s", c->name, r.reason);
	}
	str_free(&joined);
}

struct usable_case {
	const char *name;
	const char *values[2];
	size_t n;
	bool want;
};

static const struct usable_case usable_cases[] = {
	{ "one address", { "a@x.example" }, 1, true },
	{ "two domains", { "a@x.example, b@y.example" }, 1, true },
	{ "two fields", { "a@x.example", "b@y.example" }, 2, true },
	{ "no field", { NULL }, 0, false },
	{ "unparseable", { "a@x.example>" }, 1, false },
	{ "address literal", { "a@[192.0.2.1]" }, 1, false },
	{ "one good one literal", { "a@x.example, b@[192.0.2.1]" }, 1, false },
	{ "second field unparseable", { "a@x.example", "<b@y.example" }, 2, false },
	{ "second field empty", { "a@x.example", "" }, 2, false },
	{ "eight domains", { "a@d1.example, a@d2.example, a@d3.example, a@d4.example, "
	  "a@d5.example, a@d6.example, a@d7.example, a@d8.example" }, 1, true },
	{ "nine domains", { "a@d1.example, a@d2.example, a@d3.example, a@d4.example, "
	  "a@d5.example, a@d6.example, a@d7.example, a@d8.example, a@d9.example" }, 1, false },
	{ "nine domains in two fields", { "a@d1.example, a@d2.example, a@d3.example, a@d4.example, "
	  "a@d5.example, a@d6.example, a@d7.example, a@d8.example", "a@d9.example" }, 2, false },
};

/* run_usable - from_usable(): every author domain named, or not usable. */
static void
run_usable(void)
{
	struct from_result r;
	size_t i, j, lens[2];

	for (i = 0; i < sizeof(usable_cases) / sizeof(usable_cases[0]); i++) {
		const struct usable_case *c = &usable_cases[i];

		for (j = 0; j < c->n; j++)
			lens[j] = strlen(c->values[j]);
		from_collect(c->values, lens, c->n, &r);
		tap_ok(from_usable(&r) == c->want, "usable %s: %s", c->name, c->want ? "yes" : "no");
	}
}

struct recover_case {
	const char *name;
	const char *value;
	size_t len;		/* 0: strlen(value) */
	const char *domains;
};

static const struct recover_case recover_cases[] = {
	{ "one '>' too many", "Billing <billing@bank.example>>", 0, "bank.example" },
	{ "unterminated comment", "a@bank.example(.evil.example", 0, "bank.example" },
	{ "quoted-pair comma", "<a@bank.example\\,@evil.example>", 0, "bank.example,evil.example" },
	{ "encoded word B", "=?utf-8?B?YmlsbGluZ0BiYW5rLmV4YW1wbGU=?=", 0, "bank.example" },
	{ "encoded word Q", "=?us-ascii?Q?billing=40bank.example?=", 0, "bank.example" },
	{ "encoded word lower-case q", "=?us-ascii?q?billing=40Bank.Example?=", 0, "bank.example" },
	{ "two encoded words, blank dropped", "=?x?Q?a=40bank?= =?x?Q?.example?=", 0,
	  "bank.example" },
	{ "not an encoded word", "=?x?Z?abc?= a@bank.example", 0, "bank.example" },
	{ "unterminated encoded word: shown as written", "=?x?Q?a=40bank.example", 0, "" },
	{ "trailing dots", "a@bank.example..", 0, "bank.example" },
	{ "blanks around @", "doe @ bank.example>", 0, "bank.example" },
	{ "comment after @", "<a@(x (y) \\) z)bank.example", 0, "bank.example" },
	{ "folded after @", "a@\r\n\tbank.example>", 0, "bank.example" },
	{ "leading dots", "a@..bank.example", 0, "bank.example" },
	{ "address literal", "a@[192.0.2.1]", 0, "" },
	{ "no at", "billing", 0, "" },
	{ "at only", "@", 0, "" },
	{ "NUL inside", "a@bank.example\0b@evil.example", 30, "bank.example,evil.example" },
	{ "bare CR", "a@bank.example\rb@evil.example", 0, "bank.example,evil.example" },
	{ "U-label", "a@b\xc3\xa4nk.example>", 0, "xn--bnk-qla.example" },
	{ "upper case", "A@BANK.EXAMPLE>", 0, "bank.example" },
	{ "nine domains", "a@d1.example a@d2.example a@d3.example a@d4.example a@d5.example "
	  "a@d6.example a@d7.example a@d8.example a@d9.example", 0,
	  "d1.example,d2.example,d3.example,d4.example,d5.example,d6.example,d7.example,d8.example" },
};

/* run_recover - from_recover(): the domains a reader may display. */
static void
run_recover(void)
{
	struct from_result r;
	struct str joined = STR_INITIALIZER(4096);
	const char *vals[2];
	size_t i, n, lens[2];

	for (i = 0; i < sizeof(recover_cases) / sizeof(recover_cases[0]); i++) {
		const struct recover_case *c = &recover_cases[i];

		vals[0] = c->value;
		lens[0] = c->len ? c->len : strlen(c->value);
		n = from_recover(vals, lens, 1, &r);
		tap_inteq((long long)n, (long long)r.ndomains, "recover %s: returns ndomains", c->name);
		join_domains(&r, &joined);
		tap_streq(str_cstr(&joined), c->domains, "recover %s: domains", c->name);
	}
	vals[0] = "a@d1.example a@d2.example a@d3.example a@d4.example a@d5.example";
	vals[1] = "a@d6.example a@d7.example a@d8.example a@d9.example";
	lens[0] = strlen(vals[0]);
	lens[1] = strlen(vals[1]);
	from_recover(vals, lens, 2, &r);
	tap_ok(r.overflow && r.ndomains == FROM_MAX_DOMAINS, "recover: nine domains in two fields overflow");
	from_recover(vals, lens, 1, &r);
	tap_ok(!r.overflow && r.ndomains == 5, "recover: overflow is reset by the next call");
	str_free(&joined);
}

/* run_names - every status has a distinct name. */
static void
run_names(void)
{
	static const char *want[] = { "ok", "none", "multiple-headers", "multi-same-domain",
	    "multi-diff-domain", "unparseable", "bad-domain", "nomem" };
	size_t i;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		tap_streq(from_status_name((enum from_status)i), want[i], "status name %zu", i);
	tap_streq(from_status_name((enum from_status)99), "unknown", "unknown status name");
}

int
main(void)
{
	run_table();
	run_big();
	run_many_domains();
	run_counts();
	run_collect();
	run_usable();
	run_recover();
	run_names();
	return tap_done();
}
