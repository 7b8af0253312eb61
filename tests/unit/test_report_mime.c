/*
 * test_report_mime.c - unit tests for the report message (reports/mime.c)
 * and the header-value checks under it (reports/rfc5322.c): the RFC 9990
 * Subject and its folding, base64 (RFC 4648 vectors, 76-character lines),
 * the Date, the whole message's structure, and every header value refused
 * when it would inject a field.  Tables of {name, input, want}.  The
 * message as a mail reader sees it is checked by tests/reports/send_mime.sh
 * with Python's email package.  Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "rfc5322.h"
#include "tap.h"

struct subject_case {
	const char *name;
	const char *domain, *submitter, *id;
	const char *want;
};

#define D63 "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc"

static const struct subject_case subject_cases[] = {
	{ "short: one line", "example.com", "mx.example.net", "1.example.com@mx.example.net",
	    "Subject: Report Domain: example.com Submitter: mx.example.net\n"
	    " Report-ID: <1.example.com@mx.example.net>\n" },
	{ "very short: one line", "a.example", "b.example", "r1",
	    "Subject: Report Domain: a.example Submitter: b.example Report-ID: <r1>\n" },
	{ "RFC 9990 example", "example.com", "mail.receiver.example", "sample-ridtxt@example.com",
	    "Subject: Report Domain: example.com Submitter: mail.receiver.example\n"
	    " Report-ID: <sample-ridtxt@example.com>\n" },
	{ "long domain: every part on its own line", D63 ".example", "mx.example.net", "r",
	    "Subject: Report Domain: " D63 ".example\n Submitter: mx.example.net Report-ID: <r>\n" },
};

static void
test_subject(void)
{
	size_t i;

	for (i = 0; i < sizeof(subject_cases) / sizeof(subject_cases[0]); i++) {
		const struct subject_case *c = &subject_cases[i];
		struct str s = STR_INITIALIZER(4096);

		tap_ok(mime_subject(&s, c->domain, c->submitter, c->id) == STR_OK, "subject: %s: built",
		    c->name);
		tap_streq(str_cstr(&s), c->want, "subject: %s", c->name);
		str_free(&s);
	}
}

struct b64_case {
	const char *in;
	size_t len;
	const char *want;
};

static const struct b64_case b64_cases[] = {
	{ "", 0, "" },
	{ "f", 1, "Zg==\n" },
	{ "fo", 2, "Zm8=\n" },
	{ "foo", 3, "Zm9v\n" },
	{ "foob", 4, "Zm9vYg==\n" },
	{ "fooba", 5, "Zm9vYmE=\n" },
	{ "foobar", 6, "Zm9vYmFy\n" },
	{ "\x00\xff\xfe", 3, "AP/+\n" },
};

static void
test_base64(void)
{
	unsigned char buf[200];
	struct str s = STR_INITIALIZER(4096);
	size_t i;

	for (i = 0; i < sizeof(b64_cases) / sizeof(b64_cases[0]); i++) {
		str_reset(&s);
		mime_base64(&s, (const unsigned char *)b64_cases[i].in, b64_cases[i].len);
		tap_streq(str_cstr(&s), b64_cases[i].want, "base64: RFC 4648 vector of %zu bytes",
		    b64_cases[i].len);
	}
	memset(buf, 0xa5, sizeof(buf));
	str_reset(&s);
	mime_base64(&s, buf, 57);
	tap_ok(s.len == 77 && s.s[76] == '\n', "base64: 57 bytes are one line of 76");
	str_reset(&s);
	mime_base64(&s, buf, 58);
	tap_ok(s.len == 77 + 5 && s.s[76] == '\n' && strcmp(s.s + 77, "pQ==\n") == 0,
	    "base64: 58 bytes are 76 + 4 characters");
	str_reset(&s);
	mime_base64(&s, buf, 200);
	/* 3 lines of 57 bytes, then 29 bytes: 10 groups, the last one padded once */
	tap_ok(s.len == 3 * 77 + 41 && strchr(s.s, '=') == s.s + s.len - 2,
	    "base64: 200 bytes: three full lines and one of 40");
	str_free(&s);
}

static void
test_date(void)
{
	char buf[64];

	tap_ok(mime_date(0, buf, sizeof(buf)) && strcmp(buf, "Thu, 01 Jan 1970 00:00:00 +0000") == 0,
	    "date: the epoch (%s)", buf);
	tap_ok(mime_date(1795392000, buf, sizeof(buf)) &&
	    strcmp(buf, "Mon, 23 Nov 2026 00:00:00 +0000") == 0, "date: 2026-11-23 (%s)", buf);
	tap_ok(mime_date(1796105821, buf, sizeof(buf)) &&
	    strcmp(buf, "Tue, 01 Dec 2026 06:17:01 +0000") == 0, "date: 2026-12-01 06:17:01 (%s)", buf);
	tap_ok(!mime_date(INT64_MAX, buf, sizeof(buf)), "date: out of range refused");
	tap_ok(!mime_date(1795392000, buf, 10), "date: buffer too small refused");
}

/* The report every build case starts from; each case changes one value. */
static const unsigned char gz[] = { 0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0, 0, 0,
	0, 0, 0 };

static struct mime_report
base_report(void)
{
	struct mime_report r = {
		.from = "postmaster@mx.example.net", .to = "dmarc@example.com",
		.policy_domain = "example.com", .submitter = "mx.example.net",
		.report_id = "20261201.example.com.1a2b3c",
		.filename = "mx.example.net!example.com!1795392000!1795478399!1a2b3c.xml.gz",
		.message_id = "20261201.example.com.1a2b3c.1@mx.example.net",
		.boundary = "=_authmilter_1_1", .begin = 1795392000, .end = 1795478399,
		.date = 1796105821, .data = gz, .len = sizeof(gz),
	};
	return r;
}

struct bad_case {
	const char *name;
	int field;		/* which value to replace */
	const char *value;
	const char *why;	/* substring of the refusal */
};

enum { F_FROM, F_TO, F_DOMAIN, F_SUBMITTER, F_ID, F_FILE, F_MSGID, F_BOUNDARY };

static const struct bad_case bad_cases[] = {
	{ "To with a new field", F_TO, "dmarc@example.com\nBcc: x@evil.example", "bad To address" },
	{ "To with CR", F_TO, "dmarc@example.com\r", "bad To address" },
	{ "To with a display name", F_TO, "Dmarc <dmarc@example.com>", "bad To address" },
	{ "To not normalised", F_TO, "dmarc@EXAMPLE.com", "bad To address" },
	{ "To NULL", F_TO, NULL, "bad To address" },
	{ "From with a new field", F_FROM, "a@b.example\nX: y", "bad From address" },
	{ "policy domain with LF", F_DOMAIN, "example.com\nBcc: x", "bad policy domain" },
	{ "policy domain upper case", F_DOMAIN, "Example.com", "bad policy domain" },
	{ "submitter with a blank", F_SUBMITTER, "mx example", "bad submitter domain" },
	{ "Report-ID with CR LF", F_ID, "abc\r\nBcc: x@y", "bad Report-ID" },
	{ "Report-ID with '>'", F_ID, "a>b", "bad Report-ID" },
	{ "file name with a quote", F_FILE, "a\"b.xml.gz", "bad file name" },
	{ "file name with LF", F_FILE, "a\nb.xml.gz", "bad file name" },
	{ "file name with a slash", F_FILE, "../a.xml.gz", "bad file name" },
	{ "Message-ID without @", F_MSGID, "abc", "bad Message-ID" },
	{ "Message-ID with brackets", F_MSGID, "<a@b>", "bad Message-ID" },
	{ "boundary with a blank", F_BOUNDARY, "=_a b", "bad MIME boundary" },
	{ "boundary without '_'", F_BOUNDARY, "abc", "bad MIME boundary" },
	{ "boundary too long", F_BOUNDARY,
	    "=_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bad MIME boundary" },
};

static void
test_build_refused(void)
{
	struct str out = STR_INITIALIZER(65536);
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct mime_report r = base_report();
		const char **f[] = { &r.from, &r.to, &r.policy_domain, &r.submitter, &r.report_id,
		    &r.filename, &r.message_id, &r.boundary };
		char why[256] = "";

		*f[c->field] = c->value;
		if (!tap_ok(mime_build(&r, &out, why, sizeof(why)) == MIME_BAD &&
		    strstr(why, c->why) != NULL && out.len == 0, "build: refused: %s", c->name))
			tap_diag("why \"%s\"", why);
	}
	str_free(&out);
}

/* header_lines - number of lines before the first empty one; max line length in *maxlen. */
static size_t
header_lines(const char *s, size_t *maxlen)
{
	size_t n = 0, len;
	const char *nl;

	*maxlen = 0;
	while ((nl = strchr(s, '\n')) != NULL && nl != s) {
		len = (size_t)(nl - s);
		if (len > *maxlen)
			*maxlen = len;
		n++;
		s = nl + 1;
	}
	return n;
}

static void
test_build(void)
{
	struct str out = STR_INITIALIZER(65536);
	struct mime_report r = base_report();
	char why[256] = "";
	size_t maxlen, n;
	const char *p;

	tap_ok(mime_build(&r, &out, why, sizeof(why)) == MIME_OK, "build: ok (%s)", why);
	p = str_cstr(&out);
	tap_ok(strncmp(p, "From: postmaster@mx.example.net\nTo: dmarc@example.com\n"
	    "Subject: Report Domain: example.com Submitter: mx.example.net\n"
	    " Report-ID: <20261201.example.com.1a2b3c>\n"
	    "Date: Tue, 01 Dec 2026 06:17:01 +0000\n"
	    "Message-ID: <20261201.example.com.1a2b3c.1@mx.example.net>\n"
	    "MIME-Version: 1.0\nAuto-Submitted: auto-generated\n"
	    "Content-Type: multipart/mixed; boundary=\"=_authmilter_1_1\"\n\n", strlen(
	    "From: postmaster@mx.example.net\nTo: dmarc@example.com\n"
	    "Subject: Report Domain: example.com Submitter: mx.example.net\n"
	    " Report-ID: <20261201.example.com.1a2b3c>\n"
	    "Date: Tue, 01 Dec 2026 06:17:01 +0000\n"
	    "Message-ID: <20261201.example.com.1a2b3c.1@mx.example.net>\n"
	    "MIME-Version: 1.0\nAuto-Submitted: auto-generated\n"
	    "Content-Type: multipart/mixed; boundary=\"=_authmilter_1_1\"\n\n")) == 0,
	    "build: the header section");
	n = header_lines(p, &maxlen);
	tap_ok(n == 9 && maxlen <= MIME_LINE_WANT, "build: 9 header lines, none over 78 (%zu, %zu)",
	    n, maxlen);
	tap_ok(strstr(p, "\n--=_authmilter_1_1\nContent-Type: text/plain; charset=us-ascii\n") != NULL,
	    "build: text/plain part");
	tap_ok(strstr(p, "\n--=_authmilter_1_1\nContent-Type: application/gzip;\n"
	    " name=\"mx.example.net!example.com!1795392000!1795478399!1a2b3c.xml.gz\"\n"
	    "Content-Transfer-Encoding: base64\nContent-Disposition: attachment;\n"
	    " filename=\"mx.example.net!example.com!1795392000!1795478399!1a2b3c.xml.gz\"\n\n"
	    "H4sIAAAAAAAAAwMAAAAAAAAAAAA=\n") != NULL, "build: the application/gzip part");
	tap_ok(strstr(p, "Period: 2026-11-23 00:00:00 to 2026-11-23 23:59:59 UTC\n") != NULL,
	    "build: the period in the text part");
	tap_ok(out.len > 20 && strcmp(p + out.len - 22, "\n--=_authmilter_1_1--\n") == 0,
	    "build: ends with the closing boundary");
	tap_ok(strchr(p, '\r') == NULL, "build: LF line ends only");
	r.legacy = true;
	mime_build(&r, &out, why, sizeof(why));
	tap_ok(strstr(out.s, "in the RFC 7489 format") != NULL, "build: legacy report said");
	str_free(&out);
}

struct addr_case {
	const char *in;
	const char *want;	/* NULL: refused */
};

static const struct addr_case addr_cases[] = {
	{ "a@example.com", "a@example.com" },
	{ "A.B@Example.COM.", "A.B@example.com" },
	{ "x!#$%&'*+-/=?^_`{|}~@example.com", "x!#$%&'*+-/=?^_`{|}~@example.com" },
	{ "a@b\xc3\xbc" "cher.example", "a@xn--bcher-kva.example" },
	{ ".a@example.com", NULL },
	{ "a.@example.com", NULL },
	{ "a b@example.com", NULL },
	{ "\"a\"@example.com", NULL },
	{ "a@[192.0.2.1]", NULL },
	{ "a@example.com\n", NULL },
	{ "@example.com", NULL },
	{ "a@", NULL },
	{ "a", NULL },
	{ "a@example..com", NULL },
};

/* shown - s with bytes outside printable ASCII as \xNN (a static buffer). */
static const char *
shown(const char *s)
{
	static char buf[512];
	size_t o = 0;

	for (; *s != '\0' && o + 5 < sizeof(buf); s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f)
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, sizeof(buf) - o, "\\x%02x", c);
	}
	buf[o] = '\0';
	return buf;
}

static void
test_addr(void)
{
	char out[RFC5322_ADDR_BUFSIZE], why[128];
	size_t i;
	bool ok;

	for (i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		const struct addr_case *c = &addr_cases[i];

		why[0] = '\0';
		ok = rfc5322_addr_normalize(c->in, strlen(c->in), out, why, sizeof(why));
		if (c->want != NULL)
			tap_ok(ok && strcmp(out, c->want) == 0, "address: \"%s\" -> %s", shown(c->in),
			    c->want);
		else
			tap_ok(!ok && why[0] != '\0', "address: refused: \"%s\" (%s)", shown(c->in), why);
	}
	tap_streq(rfc5322_addr_domain("a@b.example"), "b.example", "address: domain part");
}

struct token_case {
	const char *in;
	bool ridfmt, filename;
};

static const struct token_case token_cases[] = {
	{ "abc", true, true },
	{ "20261201.example.com.1a2b3c", true, true },
	{ "1721054318-example.com@example.org", true, true },
	{ "a!b!1!2.xml.gz", true, true },
	{ "a..b", false, true },
	{ ".a", false, false },
	{ "a@b@c", false, true },
	{ "a b", false, false },
	{ "<a@b>", false, true },
	{ "a\"b", false, false },
	{ "a\\b", false, false },
	{ "a/b", true, false },
	{ "a\x80", false, false },
	{ "", false, false },
};

static void
test_tokens(void)
{
	char big[RFC5322_RID_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof(token_cases) / sizeof(token_cases[0]); i++) {
		const struct token_case *c = &token_cases[i];

		tap_ok(rfc5322_is_ridfmt(c->in, strlen(c->in)) == c->ridfmt, "ridfmt: \"%s\" %s", shown(c->in),
		    c->ridfmt ? "yes" : "no");
		tap_ok(rfc5322_is_safe_filename(c->in, strlen(c->in)) == c->filename,
		    "file name: \"%s\" %s", shown(c->in), c->filename ? "yes" : "no");
	}
	memset(big, 'a', sizeof(big));
	tap_ok(rfc5322_is_ridfmt(big, RFC5322_RID_MAX) && !rfc5322_is_ridfmt(big, RFC5322_RID_MAX + 1),
	    "ridfmt: at most %d bytes", RFC5322_RID_MAX);
}

int
main(void)
{
	test_subject();
	test_base64();
	test_date();
	test_build();
	test_build_refused();
	test_addr();
	test_tokens();
	return tap_done();
}
