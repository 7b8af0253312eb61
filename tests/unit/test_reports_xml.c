/*
 * test_reports_xml.c - tests for reports/xml.c and the report helpers:
 * a table of texts through xml_escape (entities, controls, UTF-8 edge
 * cases), the RFC 7489 address form, fo and override words, and records
 * rendered in both formats (reasons mapped, identifiers, SPF choice).
 * Single-threaded TAP program.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "tap.h"
#include "xml.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define FFFD "\xEF\xBF\xBD"

struct escape_case {
	const char *name;
	const char *in;
	size_t len;		/* 0: strlen(in) */
	const char *want;
};

static const struct escape_case escapes[] = {
	{ "plain text", "example.com", 0, "example.com" },
	{ "empty", "", 0, "" },
	{ "the five XML specials", "&<>\"'", 0, "&amp;&lt;&gt;&quot;&apos;" },
	{ "an entity is escaped, not kept", "&amp;", 0, "&amp;amp;" },
	{ "CDATA end", "a]]>b", 0, "a]]&gt;b" },
	{ "markup injection", "</human_result><x>", 0, "&lt;/human_result&gt;&lt;x&gt;" },
	{ "TAB and LF kept", "a\tb\nc", 0, "a\tb\nc" },
	{ "CR as a reference", "a\rb", 0, "a&#13;b" },
	{ "C0 controls dropped", "a\x01\x08\x0b\x0c\x1b\x1f" "b", 0, "ab" },
	{ "NUL dropped", "a\0b", 3, "ab" },
	{ "DEL kept (an XML 1.0 character)", "a\x7f" "b", 0, "a\x7f" "b" },
	{ "2-byte UTF-8", "caf\xC3\xA9", 0, "caf\xC3\xA9" },
	{ "NBSP", "\xC2\xA0", 0, "\xC2\xA0" },
	{ "C1 control U+0085 kept", "\xC2\x85", 0, "\xC2\x85" },
	{ "3-byte UTF-8", "\xE2\x82\xAC", 0, "\xE2\x82\xAC" },
	{ "4-byte UTF-8", "\xF0\x9F\x98\x80", 0, "\xF0\x9F\x98\x80" },
	{ "U+10FFFF", "\xF4\x8F\xBF\xBF", 0, "\xF4\x8F\xBF\xBF" },
	{ "U+FFFD itself", FFFD, 0, FFFD },
	{ "stray continuation byte", "a\x80" "b", 0, "a" FFFD "b" },
	{ "Latin-1 byte", "caf\xE9", 0, "caf" FFFD },
	{ "overlong 2-byte /", "\xC0\xAF", 0, FFFD FFFD },
	{ "overlong 3-byte", "\xE0\x80\xAF", 0, FFFD FFFD FFFD },
	{ "overlong 4-byte", "\xF0\x80\x80\xAF", 0, FFFD FFFD FFFD FFFD },
	{ "surrogate", "\xED\xA0\x80", 0, FFFD FFFD FFFD },
	{ "U+FFFE", "\xEF\xBF\xBE", 0, FFFD FFFD FFFD },
	{ "U+FFFF", "\xEF\xBF\xBF", 0, FFFD FFFD FFFD },
	{ "beyond U+10FFFF", "\xF4\x90\x80\x80", 0, FFFD FFFD FFFD FFFD },
	{ "lead byte F5", "\xF5\x80", 0, FFFD FFFD },
	{ "truncated sequence at the end", "a\xE2\x82", 0, "a" FFFD FFFD },
	{ "truncated sequence before ASCII", "\xE2\x82" "b", 0, FFFD FFFD "b" },
	{ "every special at once", "<a href=\"x\">&'\r\x01\xff</a>", 0,
	  "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&#13;" FFFD "&lt;/a&gt;" },
};

/* test_escape - the table through xml_escape. */
static void
test_escape(void)
{
	struct str out;
	size_t i;

	for (i = 0; i < NELEM(escapes); i++) {
		const struct escape_case *c = &escapes[i];
		enum xml_status st;

		str_init(&out, 4096);
		st = xml_escape(&out, c->in, c->len ? c->len : strlen(c->in));
		tap_inteq(st, XML_OK, "escape %s: status", c->name);
		tap_streq(str_cstr(&out), c->want, "escape %s", c->name);
		str_free(&out);
	}
	str_init(&out, 10);
	tap_inteq(xml_escape(&out, "&&&", 3), XML_TOO_LONG, "escape beyond the maximum is an error");
	str_free(&out);
	str_init(&out, 100);
	str_appends(&out, "x=");
	xml_escape(&out, "<", 1);
	tap_streq(str_cstr(&out), "x=&lt;", "escape appends");
	str_free(&out);
}

static const struct {
	const char *in, *want;
} ips[] = {
	{ "192.0.2.1", "192.0.2.1" },
	{ "2001:db8::1", "2001:db8:0:0:0:0:0:1" },
	{ "::", "0:0:0:0:0:0:0:0" },
	{ "::ffff:192.0.2.1", "0:0:0:0:0:ffff:c000:201" },
	{ "fe80::abcd:1", "fe80:0:0:0:0:0:abcd:1" },
	{ "not-an-ip", NULL },
	{ "", NULL },
};

/* test_ip_full - the RFC 7489 schema's address form. */
static void
test_ip_full(void)
{
	char out[64];
	size_t i;

	for (i = 0; i < NELEM(ips); i++) {
		int rc = xml_ip_full(ips[i].in, out, sizeof(out));

		if (ips[i].want == NULL)
			tap_inteq(rc, -1, "ip_full '%s' refused", ips[i].in);
		else
			tap_ok(rc == 0 && strcmp(out, ips[i].want) == 0, "ip_full %s -> %s (got %s)",
			    ips[i].in, ips[i].want, rc == 0 ? out : "error");
	}
}

/* test_words - fo and override texts, both ways. */
static void
test_words(void)
{
	static const struct {
		unsigned fo;
		const char *text;
	} fos[] = {
		{ 0, "" }, { DMARC_FO_0, "0" }, { DMARC_FO_1 | DMARC_FO_D, "1:d" },
		{ DMARC_FO_0 | DMARC_FO_1 | DMARC_FO_D | DMARC_FO_S, "0:1:d:s" },
	};
	static const char *const bad_fo[] = { "d:1", "x", "1:", "0::1", "00" };
	static const char *const bad_ov[] = { "nope", "local_policy,", ",other", "a,,b" };
	struct str s;
	unsigned v;
	char buf[8];
	size_t i;

	for (i = 0; i < NELEM(fos); i++) {
		report_fo_text(fos[i].fo, buf);
		tap_streq(buf, fos[i].text, "fo text %u", fos[i].fo);
		tap_ok(report_fo_parse(fos[i].text, &v) && v == fos[i].fo, "fo parse '%s'", fos[i].text);
	}
	for (i = 0; i < NELEM(bad_fo); i++)
		tap_ok(!report_fo_parse(bad_fo[i], &v), "fo '%s' refused", bad_fo[i]);
	str_init(&s, 256);
	report_overrides_text(OVERRIDE_POLICY_TEST_MODE | OVERRIDE_TRUSTED_FORWARDER, &s);
	tap_streq(str_cstr(&s), "policy_test_mode,trusted_forwarder", "overrides text");
	tap_ok(report_overrides_parse(str_cstr(&s), &v) &&
	    v == (OVERRIDE_POLICY_TEST_MODE | OVERRIDE_TRUSTED_FORWARDER), "overrides parse");
	report_overrides_text(0, &s);
	tap_streq(str_cstr(&s), "", "no overrides: empty text");
	tap_ok(report_overrides_parse("", &v) && v == 0, "empty overrides parse");
	for (i = 0; i < NELEM(bad_ov); i++)
		tap_ok(!report_overrides_parse(bad_ov[i], &v), "overrides '%s' refused", bad_ov[i]);
	str_free(&s);
}

/* render - one record of row r with results a in format f. */
static char *
render(enum xml_format f, const struct group_row *r, const struct report_auth *a)
{
	struct xml_writer w;
	char *out;

	xml_writer_init(&w, f, NULL);
	xml_report_record(&w, r, a);
	out = str_steal(&w.buf);
	xml_writer_free(&w);
	return out;
}

struct record_case {
	const char *name;
	enum xml_format format;
	const char *ip;
	const char *envelope_from;	/* NULL: absent */
	enum disposition disp;
	enum dmarc_result result;
	unsigned reasons;
	bool helo_only;			/* the only SPF result is a HELO one */
	const char *want[6];		/* substrings that must appear */
	const char *not[3];		/* substrings that must not */
};

static const struct record_case records[] = {
	{ "2.0: sampled_out is other with a comment", XML_FORMAT_DMARC2, "192.0.2.1", "b.example",
	  DISP_NONE, DMARC_RES_FAIL, OVERRIDE_SAMPLED_OUT, false,
	  { "<type>other</type>", "<comment>sampled_out (pct)</comment>" }, { "sampled_out</type>" } },
	{ "2.0: policy_test_mode as it is", XML_FORMAT_DMARC2, "192.0.2.1", "b.example",
	  DISP_QUARANTINE, DMARC_RES_FAIL, OVERRIDE_POLICY_TEST_MODE, false,
	  { "<type>policy_test_mode</type>" }, { "<comment>" } },
	{ "7489: policy_test_mode is other", XML_FORMAT_RFC7489, "192.0.2.1", "b.example",
	  DISP_QUARANTINE, DMARC_RES_FAIL, OVERRIDE_POLICY_TEST_MODE, false,
	  { "<type>other</type>", "<comment>policy_test_mode (t=y)</comment>" }, { NULL } },
	{ "7489: sampled_out as it is", XML_FORMAT_RFC7489, "192.0.2.1", "b.example",
	  DISP_NONE, DMARC_RES_FAIL, OVERRIDE_SAMPLED_OUT, false, { "<type>sampled_out</type>" }, { NULL } },
	{ "unexplained temperror", XML_FORMAT_DMARC2, "192.0.2.1", "b.example", DISP_NONE,
	  DMARC_RES_TEMPERROR, REPORT_REASON_UNEXPLAINED, false,
	  { "<type>other</type>", "<comment>DMARC temperror: the policy was not applied</comment>" }, { NULL } },
	{ "two reasons", XML_FORMAT_DMARC2, "192.0.2.1", "b.example", DISP_NONE, DMARC_RES_FAIL,
	  OVERRIDE_TRUSTED_FORWARDER | OVERRIDE_LOCAL_POLICY, false,
	  { "<type>local_policy</type>", "<type>trusted_forwarder</type>" }, { NULL } },
	{ "7489: pass disposition is none", XML_FORMAT_RFC7489, "192.0.2.1", "b.example", DISP_PASS,
	  DMARC_RES_PASS, 0, false, { "<disposition>none</disposition>" }, { "<reason>" } },
	{ "2.0: pass disposition", XML_FORMAT_DMARC2, "192.0.2.1", "b.example", DISP_PASS,
	  DMARC_RES_PASS, 0, false, { "<disposition>pass</disposition>" }, { NULL } },
	{ "7489: IPv6 written out", XML_FORMAT_RFC7489, "2001:db8::25", "b.example", DISP_NONE,
	  DMARC_RES_FAIL, 0, false, { "<source_ip>2001:db8:0:0:0:0:0:25</source_ip>" }, { NULL } },
	{ "2.0: IPv6 as stored", XML_FORMAT_DMARC2, "2001:db8::25", "b.example", DISP_NONE,
	  DMARC_RES_FAIL, 0, false, { "<source_ip>2001:db8::25</source_ip>" }, { NULL } },
	{ "2.0: null sender is an empty envelope_from", XML_FORMAT_DMARC2, "192.0.2.1", "",
	  DISP_NONE, DMARC_RES_FAIL, 0, false, { "<envelope_from></envelope_from>" }, { NULL } },
	{ "2.0: unknown envelope_from is absent", XML_FORMAT_DMARC2, "192.0.2.1", NULL,
	  DISP_NONE, DMARC_RES_FAIL, 0, false, { "<header_from>" }, { "envelope_from" } },
	{ "7489: envelope_from always there", XML_FORMAT_RFC7489, "192.0.2.1", NULL,
	  DISP_NONE, DMARC_RES_FAIL, 0, false, { "<envelope_from></envelope_from>" }, { NULL } },
	{ "2.0: only the MAIL FROM SPF result, with human_result", XML_FORMAT_DMARC2, "192.0.2.1",
	  "b.example", DISP_NONE, DMARC_RES_FAIL, 0, false,
	  { "<scope>mfrom</scope>", "<human_result>a &lt;b&gt; &amp; c</human_result>",
	    "<selector>s&amp;1</selector>" }, { "<scope>helo</scope>" } },
	{ "7489: every SPF result, no SPF human_result", XML_FORMAT_RFC7489, "192.0.2.1",
	  "b.example", DISP_NONE, DMARC_RES_FAIL, 0, false,
	  { "<scope>mfrom</scope>", "<scope>helo</scope>", "<human_result>key &lt;gone&gt;</human_result>" },
	  { "a &lt;b&gt; &amp; c" } },
	{ "2.0: a HELO-only result is not reported", XML_FORMAT_DMARC2, "192.0.2.1", "b.example",
	  DISP_NONE, DMARC_RES_FAIL, 0, true, { "<auth_results>" }, { "<scope>" } },
	{ "7489: without SPF results one none result", XML_FORMAT_RFC7489, "192.0.2.1", "",
	  DISP_NONE, DMARC_RES_FAIL, 0, true,
	  { "<domain>from.example</domain>", "<scope>mfrom</scope>", "<result>none</result>" },
	  { "<selector>" } },
};

/* fill_auth - the result set of a record case. */
static void
fill_auth(struct report_auth *a, bool helo_only)
{
	memset(a, 0, sizeof(*a));
	if (helo_only)
		return;	/* the RFC 7489 case: no result at all; 2.0 then writes none */
	a->ndkim = 1;
	snprintf(a->dkim[0].domain, sizeof(a->dkim[0].domain), "from.example");
	snprintf(a->dkim[0].selector, sizeof(a->dkim[0].selector), "s&1");
	a->dkim[0].result = DKIM_RES_FAIL;
	snprintf(a->dkim[0].human, sizeof(a->dkim[0].human), "key <gone>");
	a->nspf = 2;
	snprintf(a->spf[0].domain, sizeof(a->spf[0].domain), "helo.example");
	a->spf[0].scope = SPF_SCOPE_HELO;
	a->spf[0].result = SPF_RES_PASS;
	snprintf(a->spf[1].domain, sizeof(a->spf[1].domain), "b.example");
	a->spf[1].scope = SPF_SCOPE_MFROM;
	a->spf[1].result = SPF_RES_FAIL;
	snprintf(a->spf[1].human, sizeof(a->spf[1].human), "a <b> & c");
}

/* test_records - the record table, both formats. */
static void
test_records(void)
{
	struct report_auth a;
	struct group_row r;
	size_t i, k;

	for (i = 0; i < NELEM(records); i++) {
		const struct record_case *c = &records[i];
		char *out;

		memset(&r, 0, sizeof(r));
		r.source_ip = (char *)(uintptr_t)c->ip;
		r.header_from = (char *)(uintptr_t)"from.example";
		r.envelope_from = (char *)(uintptr_t)c->envelope_from;
		r.disposition = c->disp;
		r.result = c->result;
		r.reasons = c->reasons;
		r.count = 7;
		fill_auth(&a, c->helo_only);
		if (c->helo_only && c->format == XML_FORMAT_DMARC2) {
			a.nspf = 1;
			snprintf(a.spf[0].domain, sizeof(a.spf[0].domain), "helo.example");
			a.spf[0].scope = SPF_SCOPE_HELO;
		}
		out = render(c->format, &r, &a);
		for (k = 0; k < NELEM(c->want) && c->want[k] != NULL; k++)
			if (!tap_ok(out != NULL && strstr(out, c->want[k]) != NULL, "%s: has %s", c->name,
			    c->want[k]))
				tap_diag("%s", out ? out : "(null)");
		for (k = 0; k < NELEM(c->not) && c->not[k] != NULL; k++)
			tap_ok(out != NULL && strstr(out, c->not[k]) == NULL, "%s: no %s", c->name,
			    c->not[k]);
		tap_ok(out != NULL && strstr(out, "<count>7</count>") != NULL, "%s: count", c->name);
		free(out);
	}
}

/* test_head - metadata and policy_published of both formats. */
static void
test_head(void)
{
	const char *errors[] = { "first & one", "second" };
	struct xml_meta m = { "Org <A>", "dmarc@example.net", "20261201abc", "gen 1", 100, 199,
	    2, errors };
	struct report_policy p;
	struct xml_writer w;

	report_policy_init(&p);
	snprintf(p.domain, sizeof(p.domain), "example.com");
	p.p = DMARC_POLICY_REJECT;
	p.np = DMARC_POLICY_QUARANTINE;
	p.fo = DMARC_FO_1;
	xml_writer_init(&w, XML_FORMAT_DMARC2, NULL);
	xml_report_head(&w, &m, &p);
	xml_report_tail(&w);
	tap_ok(strstr(str_cstr(&w.buf), "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">") != NULL,
	    "2.0 namespace");
	tap_ok(strstr(str_cstr(&w.buf), "<org_name>Org &lt;A&gt;</org_name>") != NULL, "org_name escaped");
	tap_ok(strstr(str_cstr(&w.buf), "<error>first &amp; one; second</error>") != NULL,
	    "2.0: one error element");
	tap_ok(strstr(str_cstr(&w.buf), "<np>quarantine</np>") != NULL &&
	    strstr(str_cstr(&w.buf), "<sp>") == NULL, "2.0: np, no sp when absent");
	tap_ok(strstr(str_cstr(&w.buf), "<testing>n</testing>") != NULL &&
	    strstr(str_cstr(&w.buf), "<discovery_method>treewalk</discovery_method>") != NULL,
	    "2.0: testing and discovery_method");
	tap_ok(strstr(str_cstr(&w.buf), "<generator>gen 1</generator>") != NULL, "2.0: generator");
	xml_writer_free(&w);
	xml_writer_init(&w, XML_FORMAT_RFC7489, NULL);
	xml_report_head(&w, &m, &p);
	tap_ok(strstr(str_cstr(&w.buf), "<feedback>\n") != NULL, "7489: no namespace");
	tap_ok(strstr(str_cstr(&w.buf), "<error>first &amp; one</error>") != NULL &&
	    strstr(str_cstr(&w.buf), "<error>second</error>") != NULL, "7489: one error element each");
	tap_ok(strstr(str_cstr(&w.buf), "<sp>reject</sp>") != NULL &&
	    strstr(str_cstr(&w.buf), "<pct>100</pct>") != NULL &&
	    strstr(str_cstr(&w.buf), "<fo>1</fo>") != NULL, "7489: required sp, pct, fo defaulted");
	tap_ok(strstr(str_cstr(&w.buf), "<np>") == NULL &&
	    strstr(str_cstr(&w.buf), "<generator>") == NULL, "7489: no np, no generator");
	xml_writer_free(&w);
}

int
main(void)
{
	test_escape();
	test_ip_full();
	test_words();
	test_records();
	test_head();
	return tap_done();
}
