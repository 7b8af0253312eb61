/*
 * test_report_meta.c - unit tests for the report sender's parsers: the
 * spool's .meta files (reports/meta.c: every key, the strictness rules,
 * the error's file:line text, sent/skipped lines, the lines send appends
 * and their round trip) and one rua destination (reports/rua.c: mailto:
 * addresses, percent-decoding, header injection attempts, other schemes,
 * the "!size" suffix and its units).  Tables of {name, input, want}.
 * Single-threaded.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meta.h"
#include "rua.h"
#include "tap.h"

#define NAME "/spool/outgoing/mx.example.net!example.com!1795392000!1795478399!1a2b3c.meta"
#define FILE_LINE "file mx.example.net!example.com!1795392000!1795478399!1a2b3c.xml.gz\n"
#define HEAD "format dmarc-2.0\n" HEAD_REST
#define HEAD_REST \
	"policy_domain example.com\n" \
	"org_name mx.example.net\n" \
	"report_id 20261201.example.com.1a2b3c\n" \
	"begin 1795392000\n" \
	"end 1795478399\n"
#define RUA2 "rua mailto:dmarc@example.com!10m\nrua mailto:reports@thirdparty.example\n"
#define DOC HEAD FILE_LINE RUA2		/* the example of doc/report-spool.md */

struct meta_case {
	const char *name;
	const char *text;
	const char *err;	/* NULL: META_OK; else a substring of the error */
	size_t n_dest;		/* on OK */
	const char *done;	/* on OK: one letter per destination, d(ue) s(ent) k(skipped) */
	const char *meta_name;	/* NULL: NAME */
};

static const struct meta_case meta_cases[] = {
	{ "doc example", DOC, NULL, 2, "dd", NULL },
	{ "doc example with send's lines", DOC
	    "sent mailto:dmarc@example.com!10m 1795480000\n"
	    "skipped mailto:reports@thirdparty.example 1795480000 not authorized (no v=DMARC1 at "
	    "example.com._report._dmarc.thirdparty.example)\n", NULL, 2, "sk", NULL },
	{ "skipped line without a reason", DOC "skipped mailto:dmarc@example.com!10m 1\n", NULL, 2,
	    "kd", NULL },
	{ "rfc7489 format", "format rfc7489\n" HEAD_REST FILE_LINE RUA2, NULL, 2, "dd", NULL },
	{ "keys in another order", RUA2 FILE_LINE HEAD, NULL, 2, "dd", NULL },
	{ "identical rua lines are one destination", DOC "rua mailto:dmarc@example.com!10m\n", NULL,
	    2, "dd", NULL },
	{ "rua of another scheme kept (send skips it)", DOC "rua https://r.example.net/x\n", NULL, 3,
	    "ddd", NULL },
	{ "org_name with blanks and UTF-8",
	    "format dmarc-2.0\npolicy_domain example.com\norg_name Example Receiver \xc3\x9c GmbH\n"
	    "report_id a@b\nbegin 1795392000\nend 1795478399\n" FILE_LINE RUA2, NULL, 2, "dd", NULL },
	{ "report_id with @", "format dmarc-2.0\npolicy_domain example.com\norg_name x\n"
	    "report_id 1721054318-example.com@example.org\nbegin 1795392000\nend 1795478399\n"
	    FILE_LINE RUA2, NULL, 2, "dd", NULL },
	{ "begin equals end", "format dmarc-2.0\npolicy_domain example.com\norg_name x\n"
	    "report_id r\nbegin 5\nend 5\nfile m!example.com!5!5.xml.gz\nrua mailto:a@example.com\n",
	    NULL, 1, "d", "m!example.com!5!5.meta" },

	{ "empty file", "", ":0: no format line", 0, NULL, NULL },
	{ "last line without newline", "format dmarc-2.0", ":1: last line has no newline", 0, NULL, NULL },
	{ "unknown key", "format dmarc-2.0\ncolour blue\n", ":2: unknown key \"colour\"", 0, NULL, NULL },
	{ "empty line", "format dmarc-2.0\n\n", ":2: empty line", 0, NULL, NULL },
	{ "two blanks", "format  dmarc-2.0\n", ":1: bad characters or blanks in the value of format",
	    0, NULL, NULL },
	{ "trailing blank", "format dmarc-2.0 \n", ":1: bad characters or blanks", 0, NULL, NULL },
	{ "tab separator", "format\tdmarc-2.0\n", ":1: expected \"key value\"", 0, NULL, NULL },
	{ "CRLF line", "format dmarc-2.0\r\n", ":1: bad characters", 0, NULL, NULL },
	{ "NUL byte", "format dmarc-2.0\n\0x\n", "NUL byte", 0, NULL, NULL },
	{ "unknown format", "format dmarc-3.0\n", ":1: format must be dmarc-2.0 or rfc7489", 0, NULL, NULL },
	{ "format twice", "format dmarc-2.0\nformat rfc7489\n", ":2: format given twice", 0, NULL, NULL },
	{ "policy_domain upper case", "policy_domain Example.com\n", ":1: policy_domain is not in "
	    "normalised form", 0, NULL, NULL },
	{ "policy_domain trailing dot", "policy_domain example.com.\n", ":1: policy_domain is not in "
	    "normalised form", 0, NULL, NULL },
	{ "policy_domain bad hyphen", "policy_domain -x.example\n", ":1: policy_domain: ", 0, NULL, NULL },
	{ "policy_domain with a blank", "policy_domain ex ample.com\n", ":1: bad characters", 0,
	    NULL, NULL },
	{ "report_id in brackets", "report_id <a@b>\n", ":1: report_id is not an RFC 9990 ridfmt", 0,
	    NULL, NULL },
	{ "report_id two dots", "report_id a..b\n", ":1: report_id is not", 0, NULL, NULL },
	{ "report_id two @", "report_id a@b@c\n", ":1: report_id is not", 0, NULL, NULL },
	{ "report_id with a blank", "report_id a b\n", ":1: bad characters", 0, NULL, NULL },
	{ "begin with a letter", "begin 12a\n", ":1: begin is not a number", 0, NULL, NULL },
	{ "begin with a leading zero", "begin 0123\n", ":1: begin is not a number", 0, NULL, NULL },
	{ "end too long", "end 12345678901234567890\n", ":1: end is not a number", 0, NULL, NULL },
	{ "begin after end", "format dmarc-2.0\npolicy_domain example.com\norg_name x\n"
	    "report_id r\nbegin 6\nend 5\nfile m!example.com!6!5.xml.gz\nrua mailto:a@example.com\n",
	    ":8: begin is after end", 0, NULL, "m!example.com!6!5.meta" },
	{ "file with a slash", "file ../x!example.com!1!2.xml.gz\n", ":1: file must be a plain file",
	    0, NULL, NULL },
	{ "file with a quote", "file m\"!example.com!1!2.xml.gz\n", ":1: file must be a plain file",
	    0, NULL, NULL },
	{ "file not .xml.gz", "file mx.example.net!example.com!1795392000!1795478399!1a2b3c.xml\n",
	    ":1: file must be a plain file", 0, NULL, NULL },
	{ "file of another report", "file mx.example.net!example.com!1795392000!1795478399!x.xml.gz\n",
	    ":1: file is not this .meta's base name", 0, NULL, NULL },
	{ "file names another policy domain",
	    "format dmarc-2.0\npolicy_domain example.org\norg_name x\nreport_id r\n"
	    "begin 1795392000\nend 1795478399\n" FILE_LINE RUA2,
	    ":9: file is not named receiver!example.org!1795392000!1795478399", 0, NULL, NULL },
	{ "file names other times", "format dmarc-2.0\npolicy_domain example.com\norg_name x\n"
	    "report_id r\nbegin 1795392001\nend 1795478399\n" FILE_LINE RUA2,
	    ":9: file is not named", 0, NULL, NULL },
	{ "no rua", HEAD FILE_LINE, ":7: no rua line", 0, NULL, NULL },
	{ "no file", HEAD RUA2, ":8: no file line", 0, NULL, NULL },
	{ "rua with 8-bit", "rua mailto:d@b\xc3\xbc.example\n", ":1: bad characters", 0, NULL, NULL },
	{ "rua with a blank", "rua mailto:a@b.example mailto:c@d.example\n", ":1: bad characters",
	    0, NULL, NULL },
	{ "org_name with CR (header injection)", "org_name x\rBcc: y\n", ":1: bad characters", 0,
	    NULL, NULL },
	{ "sent line for no rua", DOC "sent mailto:other@example.com 1795480000\n",
	    ":10: sent line for a destination with no rua line above it", 0, NULL, NULL },
	{ "sent line before its rua", "sent mailto:a@example.com 1\nrua mailto:a@example.com\n",
	    ":1: sent line for a destination with no rua line", 0, NULL, NULL },
	{ "sent line with trailing text", DOC "sent mailto:dmarc@example.com!10m 1795480000 x\n",
	    ":10: trailing text after the time", 0, NULL, NULL },
	{ "sent line without time", DOC "sent mailto:dmarc@example.com!10m\n",
	    ":10: expected URI and time", 0, NULL, NULL },
	{ "sent line with a bad time", DOC "sent mailto:dmarc@example.com!10m -5\n",
	    ":10: the time is not a number", 0, NULL, NULL },
	{ "sent twice", DOC "sent mailto:dmarc@example.com!10m 1\nsent mailto:dmarc@example.com!10m 2\n",
	    ":11: second sent/skipped line for the destination of line 8", 0, NULL, NULL },
	{ "sent and skipped", DOC "sent mailto:dmarc@example.com!10m 1\n"
	    "skipped mailto:dmarc@example.com!10m 2 why\n", ":11: second sent/skipped line", 0, NULL, NULL },
};

/* done_letters - the destinations' states as letters. */
static void
done_letters(const struct meta *m, char *out)
{
	size_t i;

	for (i = 0; i < m->n_dest; i++)
		out[i] = m->dest[i].done == META_SENT ? 's' : m->dest[i].done == META_SKIPPED ? 'k' : 'd';
	out[i] = '\0';
}

static void
test_meta_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(meta_cases) / sizeof(meta_cases[0]); i++) {
		const struct meta_case *c = &meta_cases[i];
		size_t len = strlen(c->text);
		struct meta m;
		char err[512] = "", done[META_MAX_DEST + 1];
		enum meta_status st;
		const char *name;

		if (strcmp(c->name, "NUL byte") == 0)
			len = sizeof("format dmarc-2.0\n\0x\n") - 1;
		name = c->meta_name != NULL ? c->meta_name : NAME;
		st = meta_parse(c->text, len, name, &m, err, sizeof(err));
		if (c->err == NULL) {
			done_letters(&m, done);
			if (!tap_ok(st == META_OK && m.n_dest == c->n_dest && strcmp(done, c->done) == 0,
			    "meta: %s", c->name))
				tap_diag("status %d, %zu destinations (%s), err %s", (int)st, m.n_dest,
				    done, err);
		} else if (!tap_ok(st == META_BAD && strstr(err, c->err) != NULL &&
		    strncmp(err, name, strlen(name)) == 0 && err[strlen(name)] == ':',
		    "meta: %s: refused", c->name)) {
			tap_diag("status %d, err \"%s\", want \"%s\"", (int)st, err, c->err);
		}
		meta_free(&m);
	}
}

/* test_meta_fields - the values of the doc example. */
static void
test_meta_fields(void)
{
	struct meta m;
	char err[512];

	tap_ok(meta_parse(DOC, strlen(DOC), NAME, &m, err, sizeof(err)) == META_OK, "meta: fields: parsed");
	tap_streq(m.policy_domain, "example.com", "meta: policy_domain");
	tap_streq(m.org_name, "mx.example.net", "meta: org_name");
	tap_streq(m.report_id, "20261201.example.com.1a2b3c", "meta: report_id");
	tap_inteq((long long)m.begin, 1795392000LL, "meta: begin");
	tap_inteq((long long)m.end, 1795478399LL, "meta: end");
	tap_streq(m.file, "mx.example.net!example.com!1795392000!1795478399!1a2b3c.xml.gz",
	    "meta: file");
	tap_streq(m.dest[0].uri, "mailto:dmarc@example.com!10m", "meta: first rua as written");
	tap_inteq(m.dest[1].line, 9, "meta: line of the second rua");
	tap_ok(m.format == META_FORMAT_DMARC2 && !meta_all_done(&m), "meta: format, not done");
	meta_free(&m);
	meta_free(&m);
	tap_ok(m.n_dest == 0 && m.file == NULL, "meta: meta_free twice is safe");

	static const char legacy[] = "format rfc7489\npolicy_domain example.com\norg_name x\n"
	    "report_id r\nbegin 1\nend 2\nfile rcv!example.com!1!2!id-rfc7489.xml.gz\n"
	    "rua mailto:a@example.com\n";
	tap_ok(meta_parse(legacy, strlen(legacy), "/s/outgoing/rcv!example.com!1!2!id-rfc7489.meta",
	    &m, err, sizeof(err)) == META_OK && m.format == META_FORMAT_RFC7489,
	    "meta: legacy report NAME-rfc7489 (%s)", m.file != NULL ? "" : err);
	meta_free(&m);
	tap_ok(meta_parse(legacy, strlen(legacy), "any-name", &m, err, sizeof(err)) == META_OK,
	    "meta: a name without .meta skips the base-name check");
	meta_free(&m);
}

/* test_meta_limits - size and count limits. */
static void
test_meta_limits(void)
{
	struct str big = STR_INITIALIZER(4 * META_MAX_BYTES);
	struct str worst = STR_INITIALIZER(4 * META_MAX_BYTES);
	char uri[RUA_MAX + 1];
	struct meta m;
	char err[512];
	int i;

	str_appends(&big, HEAD FILE_LINE);
	for (i = 0; i <= META_MAX_DEST; i++)
		str_printf(&big, "rua mailto:r%d@example.com\n", i);
	tap_ok(meta_parse(big.s, big.len, NAME, &m, err, sizeof(err)) == META_BAD &&
	    strstr(err, ":40: more than 32 rua lines") != NULL, "meta: 33 rua lines refused (%s)", err);
	meta_free(&m);
	str_reset(&big);
	while (big.len <= META_MAX_BYTES)
		str_appends(&big, "org_name x\n");
	tap_ok(meta_parse(big.s, big.len, NAME, &m, err, sizeof(err)) == META_BAD &&
	    strstr(err, "larger than 131072 bytes") != NULL, "meta: file over 128 KiB refused (%s)", err);
	meta_free(&m);
	str_free(&big);

	/* The largest .meta send can produce still parses: 32 rua of RUA_MAX bytes, each skipped. */
	memset(uri, 'a', RUA_MAX);
	uri[RUA_MAX] = '\0';
	memcpy(uri, "mailto:", 7);
	str_appends(&worst, HEAD FILE_LINE);
	for (i = 0; i < META_MAX_DEST; i++) {
		snprintf(uri + 7, 4, "%03d", i);
		uri[10] = 'a';
		str_printf(&worst, "rua %s\n", uri);
	}
	for (i = 0; i < META_MAX_DEST; i++) {
		snprintf(uri + 7, 4, "%03d", i);
		uri[10] = 'a';
		meta_append_line(&worst, META_SKIPPED, uri, INT64_MAX / 1000,
		    "a reason of many words, longer than the 300 bytes kept, a reason of many words, "
		    "longer than the 300 bytes kept, a reason of many words, longer than the 300 bytes "
		    "kept, a reason of many words, longer than the 300 bytes kept, a reason of many "
		    "words, longer than the 300 bytes kept, the end");
	}
	tap_ok(worst.len <= META_MAX_BYTES && meta_parse(worst.s, worst.len, NAME, &m, err,
	    sizeof(err)) == META_OK && meta_all_done(&m), "meta: the largest .meta send writes "
	    "parses (%zu bytes)", worst.len);
	meta_free(&m);
	str_free(&worst);
}

/* test_meta_append - the lines send appends, and that they parse back. */
static void
test_meta_append(void)
{
	struct str s = STR_INITIALIZER(META_MAX_BYTES);
	char reason[400], err[512], done[8];
	struct meta m;

	meta_append_line(&s, META_SENT, "mailto:dmarc@example.com!10m", 1795480000, "ignored");
	tap_streq(str_cstr(&s), "sent mailto:dmarc@example.com!10m 1795480000\n", "append: sent line");
	str_reset(&s);
	meta_append_line(&s, META_SKIPPED, "mailto:a@b.example", 7, "  bad\r\nBcc: x\t\x80  ");
	tap_streq(str_cstr(&s), "skipped mailto:a@b.example 7 bad??Bcc: x??\n",
	    "append: skipped reason cleaned (controls, 8-bit, edge blanks)");
	str_reset(&s);
	meta_append_line(&s, META_SKIPPED, "mailto:a@b.example", 7, "");
	tap_streq(str_cstr(&s), "skipped mailto:a@b.example 7\n", "append: skipped without reason");
	memset(reason, 'x', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	str_reset(&s);
	meta_append_line(&s, META_SKIPPED, "u:x", 7, reason);
	tap_inteq((long long)s.len, (long long)strlen("skipped u:x 7 \n") + META_REASON_MAX,
	    "append: reason cut to 300 bytes");

	str_reset(&s);
	str_appends(&s, DOC);
	meta_append_line(&s, META_SKIPPED, "mailto:reports@thirdparty.example", 9,
	    "not authorized (no v=DMARC1 at example.com._report._dmarc.thirdparty.example)");
	meta_append_line(&s, META_SENT, "mailto:dmarc@example.com!10m", 10, NULL);
	tap_ok(meta_parse(s.s, s.len, NAME, &m, err, sizeof(err)) == META_OK, "append: parses back");
	done_letters(&m, done);
	tap_streq(done, "sk", "append: both destinations done");
	tap_ok(meta_all_done(&m), "append: meta_all_done");
	meta_free(&m);
	str_free(&s);
}

struct rua_case {
	const char *name;
	const char *in;
	enum rua_status want;
	const char *addr;	/* RUA_OK: the address; RUA_BAD: a substring of why */
	const char *host;
	int has_size;
	uint64_t size;
};

static const struct rua_case rua_cases[] = {
	{ "plain", "mailto:dmarc@example.com", RUA_OK, "dmarc@example.com", "example.com", 0, 0 },
	{ "scheme and domain case", "MAILTO:Dmarc@Example.COM", RUA_OK, "Dmarc@example.com",
	    "example.com", 0, 0 },
	{ "size bytes", "mailto:a@example.com!10", RUA_OK, "a@example.com", "example.com", 1, 10 },
	{ "size k", "mailto:a@example.com!10k", RUA_OK, "a@example.com", "example.com", 1, 10240 },
	{ "size K", "mailto:a@example.com!10K", RUA_OK, "a@example.com", "example.com", 1, 10240 },
	{ "size m", "mailto:a@example.com!10m", RUA_OK, "a@example.com", "example.com", 1,
	    10485760 },
	{ "size g", "mailto:a@example.com!2g", RUA_OK, "a@example.com", "example.com", 1,
	    2147483648ULL },
	{ "size t", "mailto:a@example.com!1t", RUA_OK, "a@example.com", "example.com", 1,
	    1099511627776ULL },
	{ "size zero", "mailto:a@example.com!0", RUA_OK, "a@example.com", "example.com", 1, 0 },
	{ "size saturates", "mailto:a@example.com!99999999999999999999999t", RUA_OK, "a@example.com",
	    "example.com", 1, UINT64_MAX },
	{ "size unit x", "mailto:a@example.com!10x", RUA_BAD, "bad size limit", "", 0, 0 },
	{ "size empty", "mailto:a@example.com!", RUA_BAD, "bad size limit", "", 0, 0 },
	{ "size unit only", "mailto:a@example.com!k", RUA_BAD, "bad size limit", "", 0, 0 },
	{ "size two units", "mailto:a@example.com!1mk", RUA_BAD, "bad size limit", "", 0, 0 },
	{ "size twice", "mailto:a@example.com!1!2", RUA_BAD, "bad size limit", "", 0, 0 },
	{ "percent-encoded local part", "mailto:d%6Darc@example.com", RUA_OK, "dmarc@example.com",
	    "example.com", 0, 0 },
	{ "IDN domain percent-encoded", "mailto:dmarc@b%C3%BCcher.example", RUA_OK,
	    "dmarc@xn--bcher-kva.example", "xn--bcher-kva.example", 0, 0 },
	{ "hfields ignored", "mailto:dmarc@example.com?subject=hello&body=x", RUA_OK,
	    "dmarc@example.com", "example.com", 0, 0 },
	{ "atext specials", "mailto:a+b/c=d@example.com", RUA_OK, "a+b/c=d@example.com",
	    "example.com", 0, 0 },
	{ "two addresses (encoded comma)", "mailto:a@example.com%2Cb@example.org", RUA_BAD,
	    "several addresses", "", 0, 0 },
	{ "encoded CR LF (header injection)", "mailto:a@example.com%0D%0ABcc:x@evil.example",
	    RUA_BAD, "control characters", "", 0, 0 },
	{ "raw CR LF", "mailto:a@example.com\r\nBcc: x@evil.example", RUA_BAD, "not a URI", "", 0,
	    0 },
	{ "raw blank", "mailto:a b@example.com", RUA_BAD, "not a URI", "", 0, 0 },
	{ "raw 8-bit", "mailto:dmarc@b\xc3\xbc" "cher.example", RUA_BAD, "not a URI", "", 0, 0 },
	{ "bad percent", "mailto:a%4@example.com", RUA_BAD, "not a URI", "", 0, 0 },
	{ "percent at the end", "mailto:a@example.com%", RUA_BAD, "not a URI", "", 0, 0 },
	{ "encoded NUL", "mailto:a%00@example.com", RUA_BAD, "control characters", "", 0, 0 },
	{ "raw quote", "mailto:\"q\"@example.com", RUA_BAD, "not a URI", "", 0, 0 },
	{ "quoted local part", "mailto:%22q%22@example.com", RUA_BAD, "quoted local parts", "", 0,
	    0 },
	{ "address literal", "mailto:a@[192.0.2.1]", RUA_BAD, "address literals", "", 0, 0 },
	{ "no @", "mailto:dmarc.example.com", RUA_BAD, "no '@'", "", 0, 0 },
	{ "two @", "mailto:a%40b@example.com", RUA_BAD, "not a dot-atom", "", 0, 0 },
	{ "two dots", "mailto:a..b@example.com", RUA_BAD, "not a dot-atom", "", 0, 0 },
	{ "local part 65 bytes",
	    "mailto:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.com",
	    RUA_BAD, "at most 64", "", 0, 0 },
	{ "bad domain", "mailto:a@-x.example", RUA_BAD, "bad domain", "", 0, 0 },
	{ "empty mailto", "mailto:", RUA_BAD, "no address", "", 0, 0 },
	{ "only hfields", "mailto:?to=a@example.com", RUA_BAD, "no address", "", 0, 0 },
	{ "no scheme", "dmarc@example.com", RUA_BAD, "not a URI", "", 0, 0 },
	{ "scheme starting with a digit", "1mailto:a@example.com", RUA_BAD, "not a URI", "", 0, 0 },
	{ "empty", "", RUA_BAD, "empty", "", 0, 0 },
	{ "https", "https://reports.example.net/dmarc", RUA_NOT_MAILTO, "scheme https",
	    "reports.example.net", 0, 0 },
	{ "https with userinfo and port", "https://u@Reports.Example.net:8443/x!5k", RUA_NOT_MAILTO,
	    "scheme https", "reports.example.net", 1, 5120 },
	{ "https to an address", "https://[2001:db8::1]/x", RUA_NOT_MAILTO, "scheme https", "", 0,
	    0 },
	{ "opaque other scheme", "ftp:x", RUA_NOT_MAILTO, "scheme ftp", "", 0, 0 },
};

static void
test_rua_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(rua_cases) / sizeof(rua_cases[0]); i++) {
		const struct rua_case *c = &rua_cases[i];
		char why[256] = "";
		struct rua r;
		enum rua_status st = rua_parse(c->in, strlen(c->in), &r, why, sizeof(why));
		bool ok = st == c->want;

		if (ok && st == RUA_OK)
			ok = strcmp(r.addr, c->addr) == 0 && strcmp(r.host, c->host) == 0 &&
			    r.has_size == (c->has_size != 0) && r.size_limit == c->size;
		else if (ok)
			ok = strstr(why, c->addr) != NULL && strcmp(r.host, c->host) == 0 &&
			    (st == RUA_BAD || (r.has_size == (c->has_size != 0) && r.size_limit == c->size));
		if (!tap_ok(ok, "rua: %s", c->name))
			tap_diag("status %d addr \"%s\" host \"%s\" size %d/%llu why \"%s\"", (int)st,
			    r.addr, r.host, (int)r.has_size, (unsigned long long)r.size_limit, why);
	}
}

/* test_rua_long - a URI over RUA_MAX bytes. */
static void
test_rua_long(void)
{
	char big[RUA_MAX + 32], why[256];
	struct rua r;

	memset(big, 'a', sizeof(big));
	memcpy(big, "mailto:", 7);
	tap_ok(rua_parse(big, sizeof(big), &r, why, sizeof(why)) == RUA_BAD, "rua: over %d bytes (%s)",
	    RUA_MAX, why);
}

int
main(void)
{
	test_meta_cases();
	test_meta_fields();
	test_meta_limits();
	test_meta_append();
	test_rua_cases();
	test_rua_long();
	return tap_done();
}
