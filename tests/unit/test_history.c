/*
 * test_history.c - tests for policy/history*.c: round trips of rich records
 * (encode -> decode -> encode identical), a golden line, normalisation on
 * write, encoder refusals, the mapping from a verdict, forward
 * compatibility (newer minor versions, x- extensions) and a table of
 * malformed lines with their status and reason.  Single-threaded TAP program.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc_record.h"
#include "history.h"
#include "str.h"
#include "tap.h"
#include "verdict.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* set - copy a C string into a fixed buffer (test data always fits). */
static void
set(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src);
}

/* add_uri - append a URI to a record list. */
static void
add_uri(struct history_uri *list, size_t *n, const char *uri, uint64_t size)
{
	list[*n].uri = strdup(uri);
	list[*n].size_limit = size;
	(*n)++;
}

/* add_ext - append an extension field. */
static void
add_ext(struct history_record *h, const char *key, const char *value)
{
	h->ext[h->next].key = strdup(key);
	h->ext[h->next].value = strdup(value);
	h->next++;
}

/* add_dkim - append a DKIM result. */
static void
add_dkim(struct history_record *h, const char *d, const char *s, enum dkim_result r, const char *human)
{
	struct history_dkim *k = &h->dkim[h->ndkim++];

	set(k->domain, sizeof(k->domain), d);
	set(k->selector, sizeof(k->selector), s);
	k->result = r;
	set(k->human, sizeof(k->human), human);
}

/* add_spf - append an SPF result. */
static void
add_spf(struct history_record *h, const char *d, enum spf_scope scope, enum spf_result r, const char *human)
{
	struct history_spf *s = &h->spf[h->nspf++];

	set(s->domain, sizeof(s->domain), d);
	s->scope = scope;
	s->result = r;
	set(s->human, sizeof(s->human), human);
}

/* make_minimal - IPv4, no policy record, nothing optional. */
static void
make_minimal(struct history_record *h)
{
	history_record_init(h);
	h->time = 1700000000;
	set(h->source_ip, sizeof(h->source_ip), "192.0.2.1");
	set(h->header_from, sizeof(h->header_from), "example.com");
	h->result = DMARC_RES_NONE;
	h->disposition = DISP_NONE;
}

/* make_golden - the example line of doc/history-format.md. */
static void
make_golden(struct history_record *h)
{
	make_minimal(h);
	set(h->source_ip, sizeof(h->source_ip), "2001:db8::25");
	h->envelope_from_present = true;
	set(h->envelope_from, sizeof(h->envelope_from), "bounce.example.com");
	h->nrcpt = 1;
	set(h->envelope_to[0], DOMAIN_BUFSIZE, "example.net");
	set(h->org_domain, sizeof(h->org_domain), "example.com");
	h->policy_found = true;
	set(h->policy_domain, sizeof(h->policy_domain), "example.com");
	h->p = DMARC_POLICY_REJECT;
	h->sp = DMARC_POLICY_QUARANTINE;
	h->fo = DMARC_FO_1 | DMARC_FO_D;
	add_uri(h->rua, &h->nrua, "mailto:dmarc@example.com", 10485760);
	h->result = DMARC_RES_FAIL;
	h->disposition = DISP_NONE;
	h->policy = DMARC_POLICY_REJECT;
	h->applied_tag = POLICY_TAG_P;
	h->overrides = OVERRIDE_TRUSTED_FORWARDER;
	add_dkim(h, "example.com", "sel1", DKIM_RES_FAIL, "body hash mismatch");
	add_spf(h, "bounce.example.com", SPF_SCOPE_MFROM, SPF_RES_PASS, "");
	set(h->queue_id, sizeof(h->queue_id), "4Tq2xK0abcz");
}

static const char golden_line[] =
    "AMH1.0 time=1700000000 ip=2001:db8::25 hfrom=example.com mfrom=bounce.example.com"
    " rcpt=example.net disc=treewalk org=example.com pdom=example.com p=reject"
    " sp=quarantine adkim=r aspf=r fo=1:d t=n psd=u rua=mailto:dmarc@example.com,10485760"
    " result=fail disp=none policy=reject applied=p override=trusted_forwarder"
    " align_dkim=n align_spf=n dkim=example.com,sel1,fail,body%20hash%20mismatch"
    " spf=bounce.example.com,mfrom,pass qid=4Tq2xK0abcz\n";

/* make_rich - IPv6, IDN, many DKIM results, overrides, awkward URIs and text. */
static void
make_rich(struct history_record *h)
{
	static const enum dkim_result res[] = {
		DKIM_RES_PASS, DKIM_RES_FAIL, DKIM_RES_NEUTRAL, DKIM_RES_POLICY,
		DKIM_RES_TEMPERROR, DKIM_RES_PERMERROR, DKIM_RES_NONE
	};
	char d[64], s[64];
	size_t i;

	make_minimal(h);
	h->time = 9223372036854775807LL;
	set(h->source_ip, sizeof(h->source_ip), "2001:DB8:0:0:0:0:0:1");	/* canonicalised */
	set(h->header_from, sizeof(h->header_from), "xn--bcher-kva.example");
	h->envelope_from_present = true;	/* null reverse-path */
	h->nrcpt = 3;
	set(h->envelope_to[0], DOMAIN_BUFSIZE, "xn--mnchen-3ya.example");
	set(h->envelope_to[1], DOMAIN_BUFSIZE, "b\xc3\xbc" "cher.example");	/* U-label: A-label on write */
	set(h->envelope_to[2], DOMAIN_BUFSIZE, "Example.NET");
	h->discovery = ORG_MODE_PSL;
	set(h->org_domain, sizeof(h->org_domain), "xn--bcher-kva.example");
	h->policy_found = true;
	set(h->policy_domain, sizeof(h->policy_domain), "xn--bcher-kva.example");
	h->p = DMARC_POLICY_QUARANTINE;
	h->sp = DMARC_POLICY_NONE;
	h->np = DMARC_POLICY_REJECT;
	h->adkim = DMARC_ALIGN_STRICT;
	h->aspf = DMARC_ALIGN_STRICT;
	h->fo = DMARC_FO_0 | DMARC_FO_1 | DMARC_FO_D | DMARC_FO_S;
	h->testing = true;
	h->psd = DMARC_PSD_Y;
	h->pct = 0;
	add_uri(h->rua, &h->nrua, "mailto:dmarc,reports@example.com", 0);
	add_uri(h->rua, &h->nrua, "mailto:a%20b@example.com?subject=x y", 1);
	add_uri(h->rua, &h->nrua, "mailto:r\xc3\xa9" "ports@xn--bcher-kva.example", UINT64_MAX);
	add_uri(h->ruf, &h->nruf, "https://example.com/ruf;x=1#frag", 2048);
	h->result = DMARC_RES_TEMPERROR;
	h->disposition = DISP_QUARANTINE;
	h->policy = DMARC_POLICY_QUARANTINE;
	h->applied_tag = POLICY_TAG_NP;
	h->overrides = OVERRIDE_ALL;
	h->dkim_aligned = true;
	h->spf_aligned = true;
	for (i = 0; i < 20; i++) {
		snprintf(d, sizeof(d), "d%zu.xn--bcher-kva.example", i);
		snprintf(s, sizeof(s), "sel%zu,odd %%sel", i);
		add_dkim(h, d, s, res[i % NELEM(res)], i % 2 ? "" : "key \xe2\x9c\x93, 100% \"quoted\"\ttab");
	}
	add_spf(h, "helo.example", SPF_SCOPE_HELO, SPF_RES_SOFTFAIL, "x=y, z");
	add_spf(h, "example.com", SPF_SCOPE_MFROM, SPF_RES_PERMERROR, "too many lookups");
	set(h->queue_id, sizeof(h->queue_id), "q id=1");
	h->message_id = strdup("<abc def@example.com>\r\n");
	add_ext(h, "x-site", "mx1 (eu)");
	add_ext(h, "x-empty", "");
	add_ext(h, "x-site", "repeated key is kept in order");
}

/* make_full - every list at its maximum. */
static void
make_full(struct history_record *h)
{
	char buf[64];
	size_t i;

	make_minimal(h);
	h->policy_found = true;
	set(h->policy_domain, sizeof(h->policy_domain), "example.com");
	h->p = DMARC_POLICY_NONE;
	h->fo = 0;	/* no option at all: "fo=" */
	for (i = 0; i < HISTORY_MAX_RCPT; i++) {
		snprintf(buf, sizeof(buf), "r%zu.example", i);
		set(h->envelope_to[h->nrcpt++], DOMAIN_BUFSIZE, buf);
	}
	for (i = 0; i < HISTORY_MAX_URI; i++) {
		snprintf(buf, sizeof(buf), "mailto:u%zu@example.com", i);
		add_uri(h->rua, &h->nrua, buf, i);
		add_uri(h->ruf, &h->nruf, buf, 0);
	}
	for (i = 0; i < HISTORY_MAX_DKIM; i++)
		add_dkim(h, "example.com", "s", DKIM_RES_PASS, "");
	for (i = 0; i < HISTORY_MAX_SPF; i++)
		add_spf(h, "example.com", SPF_SCOPE_MFROM, SPF_RES_NONE, "");
	for (i = 0; i < HISTORY_MAX_EXT; i++)
		add_ext(h, "x-k", "v");
}

/* make_arc, make_arc_bare - the golden record with an ARC result (minor version 1). */
static void
make_arc(struct history_record *h)
{
	make_golden(h);
	h->arc = HISTORY_ARC_PASS;
	h->arc_instance = 2;
	set(h->arc_sealer, DOMAIN_BUFSIZE, "lists.example.org");
}

static void
make_arc_bare(struct history_record *h)
{
	make_minimal(h);
	h->arc = HISTORY_ARC_FAIL;
}

/* check_arc_version - lines with arc are AMH1.1, those without stay AMH1.0. */
static void
check_arc_version(void)
{
	struct history_record *h = malloc(sizeof(*h));
	struct str line = STR_INITIALIZER(HISTORY_LINE_MAX);

	make_arc(h);
	tap_inteq(history_encode(h, &line), HISTORY_OK, "arc: encode");
	tap_ok(strncmp(line.s, "AMH1.1 ", 7) == 0, "arc: written as AMH1.1");
	tap_ok(strstr(line.s, " arc=pass,2,lists.example.org qid=") != NULL, "arc: field text");
	history_record_free(h);
	make_golden(h);
	tap_inteq(history_encode(h, &line), HISTORY_OK, "no arc: encode");
	tap_ok(strncmp(line.s, "AMH1.0 ", 7) == 0, "no arc: still AMH1.0");
	history_record_free(h);
	str_free(&line);
	free(h);
}

/* round_trip - encode, decode, compare, encode again: same line. */
static void
round_trip(const char *name, void (*make)(struct history_record *))
{
	struct history_record *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct str l1 = STR_INITIALIZER(HISTORY_LINE_MAX), l2 = STR_INITIALIZER(HISTORY_LINE_MAX);
	char reason[256] = "";
	enum history_status st;

	make(a);
	tap_streq(history_status_name(history_encode(a, &l1)), "ok", "%s: encode", name);
	tap_ok(l1.len > 0 && l1.s[l1.len - 1] == '\n' && memchr(l1.s, '\n', l1.len - 1) == NULL,
	    "%s: one line ending in a newline", name);
	st = history_decode(l1.s, l1.len, b, reason, sizeof(reason));
	tap_streq(history_status_name(st), "ok", "%s: decode (%s)", name, reason);
	tap_inteq(history_encode(b, &l2), HISTORY_OK, "%s: encode again", name);
	tap_streq(str_cstr(&l2), str_cstr(&l1), "%s: identical line", name);
	history_record_free(b);
	tap_inteq(history_decode(l2.s, l2.len, b, reason, sizeof(reason)), HISTORY_OK, "%s: decode again", name);
	history_record_free(a);
	make(a);
	if (strcmp(name, "rich") != 0)	/* rich is normalised on write, so not equal to its source */
		tap_ok(history_record_equal(a, b), "%s: decoded record equals the source", name);
	history_record_free(a);
	history_record_free(b);
	str_free(&l1);
	str_free(&l2);
	free(a);
	free(b);
}

/* check_golden - exact text of a known record. */
static void
check_golden(void)
{
	struct history_record *h = malloc(sizeof(*h));
	struct str line = STR_INITIALIZER(HISTORY_LINE_MAX);

	make_golden(h);
	tap_inteq(history_encode(h, &line), HISTORY_OK, "golden: encode");
	tap_streq(str_cstr(&line), golden_line, "golden: exact line");
	history_record_free(h);
	str_free(&line);
	free(h);
}

/* check_rich_fields - what normalisation and escaping did to the rich record. */
static void
check_rich_fields(void)
{
	struct history_record *h = malloc(sizeof(*h));
	struct str line = STR_INITIALIZER(HISTORY_LINE_MAX);
	char reason[256] = "";

	make_rich(h);
	history_encode(h, &line);
	history_record_free(h);
	tap_inteq(history_decode(line.s, line.len, h, reason, sizeof(reason)), HISTORY_OK, "rich: decode");
	tap_streq(h->source_ip, "2001:db8::1", "rich: IPv6 canonical");
	tap_streq(h->envelope_to[1], "xn--bcher-kva.example", "rich: U-label written as A-label");
	tap_streq(h->envelope_to[2], "example.net", "rich: lower-cased");
	tap_ok(h->envelope_from_present && h->envelope_from[0] == '\0', "rich: null reverse-path kept");
	tap_ok(strstr(line.s, " mfrom= ") != NULL, "rich: empty mfrom written");
	tap_inteq((long long)h->ndkim, 20, "rich: 20 DKIM results");
	tap_streq(h->dkim[0].selector, "sel0,odd %sel", "rich: selector with comma and percent");
	tap_streq(h->dkim[0].human, "key \xe2\x9c\x93, 100% \"quoted\"\ttab", "rich: human_result bytes");
	tap_inteq(h->dkim[5].result, DKIM_RES_PERMERROR, "rich: result of DKIM #5");
	tap_streq(h->rua[0].uri, "mailto:dmarc,reports@example.com", "rich: URI with comma");
	tap_ok(strstr(line.s, "rua=mailto:dmarc%2Creports@example.com ") != NULL, "rich: comma escaped");
	tap_streq(h->rua[1].uri, "mailto:a%20b@example.com?subject=x y", "rich: URI with percent");
	tap_ok(h->rua[2].size_limit == UINT64_MAX, "rich: largest size limit");
	tap_inteq((long long)h->ruf[0].size_limit, 2048, "rich: ruf size limit");
	tap_inteq(h->overrides, OVERRIDE_ALL, "rich: every override");
	tap_inteq(h->applied_tag, POLICY_TAG_NP, "rich: np applied");
	tap_inteq(h->pct, 0, "rich: pct=0 is present");
	tap_streq(h->message_id, "<abc def@example.com>\r\n", "rich: message id with CRLF");
	tap_inteq((long long)h->next, 3, "rich: extensions kept");
	tap_streq(h->ext[2].value, "repeated key is kept in order", "rich: extension order");
	tap_ok(h->time == INT64_MAX, "rich: int64 max time");
	history_record_free(h);
	str_free(&line);
	free(h);
}

/* Encoder refusals: a mutation of the golden record and the status wanted. */
struct enc_case {
	const char *name;
	void (*mutate)(struct history_record *h);
	enum history_status want;
};

static void m_no_hfrom(struct history_record *h) { h->header_from[0] = '\0'; }
static void m_bad_hfrom(struct history_record *h) { set(h->header_from, DOMAIN_BUFSIZE, "exa mple.com"); }
static void m_no_ip(struct history_record *h) { h->source_ip[0] = '\0'; }
static void m_bad_ip(struct history_record *h) { set(h->source_ip, HISTORY_IP_BUFSIZE, "192.0.2.256"); }
static void m_neg_time(struct history_record *h) { h->time = -1; }
static void m_p_unset(struct history_record *h) { h->p = DMARC_POLICY_UNSET; }
static void m_no_pdom(struct history_record *h) { h->policy_domain[0] = '\0'; }
static void m_bad_result(struct history_record *h) { h->result = (enum dmarc_result)42; }
static void m_bad_disp(struct history_record *h) { h->disposition = (enum disposition)9; }
static void m_bad_override(struct history_record *h) { h->overrides = 0x100; }
static void m_bad_fo(struct history_record *h) { h->fo = 0x10; }
static void m_pct(struct history_record *h) { h->pct = 101; }
static void m_many_dkim(struct history_record *h) { h->ndkim = HISTORY_MAX_DKIM + 1; }
static void m_many_rcpt(struct history_record *h) { h->nrcpt = HISTORY_MAX_RCPT + 1; }
static void m_bad_dkim_d(struct history_record *h) { set(h->dkim[0].domain, DOMAIN_BUFSIZE, "_x..y"); }
static void m_empty_sel(struct history_record *h) { h->dkim[0].selector[0] = '\0'; }
static void m_bad_scope(struct history_record *h) { h->spf[0].scope = (enum spf_scope)7; }
static void m_bad_rcpt(struct history_record *h) { h->envelope_to[0][0] = '\0'; }
static void m_ext_key(struct history_record *h) { add_ext(h, "site", "v"); }
static void m_null_uri(struct history_record *h) { free(h->rua[0].uri); h->rua[0].uri = NULL; }
static void m_bad_mode(struct history_record *h) { h->discovery = (enum org_mode)5; }
static void m_arc_range(struct history_record *h) { h->arc = (enum history_arc)9; }
static void m_arc_i51(struct history_record *h) { h->arc = HISTORY_ARC_PASS; h->arc_instance = 51; set(h->arc_sealer, DOMAIN_BUFSIZE, "a.example"); }
static void m_arc_no_i(struct history_record *h) { h->arc = HISTORY_ARC_PASS; set(h->arc_sealer, DOMAIN_BUFSIZE, "a.example"); }
static void m_arc_bad_d(struct history_record *h) { h->arc = HISTORY_ARC_PASS; h->arc_instance = 1; set(h->arc_sealer, DOMAIN_BUFSIZE, "a..example"); }
static void m_arc_absent_i(struct history_record *h) { h->arc_instance = 1; }

static const struct enc_case enc_cases[] = {
	{ "no header_from", m_no_hfrom, HISTORY_MISSING_FIELD },
	{ "bad header_from", m_bad_hfrom, HISTORY_BAD_DOMAIN },
	{ "no source ip", m_no_ip, HISTORY_MISSING_FIELD },
	{ "bad source ip", m_bad_ip, HISTORY_BAD_IP },
	{ "negative time", m_neg_time, HISTORY_BAD_NUMBER },
	{ "policy without p", m_p_unset, HISTORY_MISSING_FIELD },
	{ "policy without domain", m_no_pdom, HISTORY_MISSING_FIELD },
	{ "result out of range", m_bad_result, HISTORY_BAD_WORD },
	{ "disposition out of range", m_bad_disp, HISTORY_BAD_WORD },
	{ "unknown override bit", m_bad_override, HISTORY_BAD_WORD },
	{ "unknown fo bit", m_bad_fo, HISTORY_BAD_WORD },
	{ "pct over 100", m_pct, HISTORY_BAD_NUMBER },
	{ "too many DKIM", m_many_dkim, HISTORY_TOO_MANY },
	{ "too many rcpt", m_many_rcpt, HISTORY_TOO_MANY },
	{ "bad DKIM domain", m_bad_dkim_d, HISTORY_BAD_DOMAIN },
	{ "empty selector", m_empty_sel, HISTORY_BAD_VALUE },
	{ "bad SPF scope", m_bad_scope, HISTORY_BAD_WORD },
	{ "empty rcpt domain", m_bad_rcpt, HISTORY_BAD_DOMAIN },
	{ "extension key without x-", m_ext_key, HISTORY_BAD_VALUE },
	{ "NULL URI", m_null_uri, HISTORY_BAD_VALUE },
	{ "discovery out of range", m_bad_mode, HISTORY_BAD_WORD },
	{ "arc out of range", m_arc_range, HISTORY_BAD_WORD },
	{ "arc instance 51", m_arc_i51, HISTORY_BAD_NUMBER },
	{ "arc sealer without instance", m_arc_no_i, HISTORY_BAD_NUMBER },
	{ "arc bad sealer", m_arc_bad_d, HISTORY_BAD_DOMAIN },
	{ "arc instance without result", m_arc_absent_i, HISTORY_BAD_VALUE },
};

/* run_enc_cases - each refusal leaves the output empty. */
static void
run_enc_cases(void)
{
	struct history_record *h = malloc(sizeof(*h));
	struct str line = STR_INITIALIZER(HISTORY_LINE_MAX);
	size_t i;

	for (i = 0; i < NELEM(enc_cases); i++) {
		make_golden(h);
		enc_cases[i].mutate(h);
		str_set(&line, "junk", 4);
		tap_streq(history_status_name(history_encode(h, &line)),
		    history_status_name(enc_cases[i].want), "encode refuses: %s", enc_cases[i].name);
		tap_inteq((long long)line.len, 0, "encode refuses: %s: output emptied", enc_cases[i].name);
		history_record_free(h);
	}
	/* an output string with a small maximum: too long, never truncated */
	str_free(&line);
	str_init(&line, 40);
	make_golden(h);
	tap_streq(history_status_name(history_encode(h, &line)), "too_long", "encode: output maximum respected");
	tap_inteq((long long)line.len, 0, "encode: nothing partial written");
	history_record_free(h);
	str_free(&line);
	free(h);
}

/* make_verdict_input - two DKIM results, one SPF result. */
static void
make_verdict_input(struct verdict_input *in)
{
	memset(in, 0, sizeof(*in));
	in->nauthors = 1;
	set(in->authors[0], DOMAIN_BUFSIZE, "mail.example.com");
	in->ndkim = 2;
	set(in->dkim[0].domain, DOMAIN_BUFSIZE, "example.com");
	set(in->dkim[0].selector, DOMAIN_BUFSIZE, "2024a");
	in->dkim[0].result = DKIM_RES_PASS;
	set(in->dkim[1].domain, DOMAIN_BUFSIZE, "esp.example");
	set(in->dkim[1].selector, DOMAIN_BUFSIZE, "k1");
	in->dkim[1].result = DKIM_RES_FAIL;
	in->nspf = 1;
	set(in->spf[0].domain, DOMAIN_BUFSIZE, "bounce.esp.example");
	in->spf[0].scope = SPF_SCOPE_MFROM;
	in->spf[0].result = SPF_RES_PASS;
	in->mode = ORG_MODE_PSL;
}

/* check_from_verdict_fields - the mapped policy part. */
static void
check_from_verdict_fields(const struct history_record *h)
{
	tap_streq(h->header_from, "mail.example.com", "from_verdict: header_from");
	tap_inteq(h->discovery, ORG_MODE_PSL, "from_verdict: discovery method");
	tap_ok(h->policy_found, "from_verdict: policy found");
	tap_streq(h->policy_domain, "example.com", "from_verdict: policy domain");
	tap_streq(h->org_domain, "example.com", "from_verdict: org domain");
	tap_inteq(h->p, DMARC_POLICY_REJECT, "from_verdict: p");
	tap_inteq(h->sp, DMARC_POLICY_QUARANTINE, "from_verdict: sp");
	tap_inteq(h->np, DMARC_POLICY_UNSET, "from_verdict: np absent");
	tap_inteq(h->adkim, DMARC_ALIGN_STRICT, "from_verdict: adkim");
	tap_inteq(h->fo, DMARC_FO_1 | DMARC_FO_D, "from_verdict: fo");
	tap_ok(h->testing, "from_verdict: t=y");
	tap_inteq(h->psd, DMARC_PSD_N, "from_verdict: psd");
	tap_inteq(h->pct, 50, "from_verdict: pct");
	tap_inteq((long long)h->nrua, 2, "from_verdict: two rua URIs");
	tap_streq(h->nrua > 0 ? h->rua[0].uri : NULL, "mailto:agg@example.com", "from_verdict: rua[0]");
	tap_ok(h->nrua > 0 && h->rua[0].size_limit == 10ULL * 1024 * 1024, "from_verdict: rua[0] !10m");
	tap_inteq((long long)h->nruf, 1, "from_verdict: one ruf URI");
	tap_inteq(h->result, DMARC_RES_FAIL, "from_verdict: result");
	tap_inteq(h->disposition, DISP_NONE, "from_verdict: disposition");
	tap_inteq(h->policy, DMARC_POLICY_QUARANTINE, "from_verdict: policy");
	tap_inteq(h->applied_tag, POLICY_TAG_SP, "from_verdict: applied tag");
	tap_inteq(h->overrides, OVERRIDE_POLICY_TEST_MODE, "from_verdict: overrides");
	tap_ok(!h->dkim_aligned && h->spf_aligned, "from_verdict: alignment");
	tap_inteq((long long)h->ndkim, 2, "from_verdict: DKIM results");
	tap_streq(h->dkim[0].selector, "2024a", "from_verdict: numeric selector");
	tap_inteq(h->dkim[1].result, DKIM_RES_FAIL, "from_verdict: DKIM result");
	tap_inteq((long long)h->nspf, 1, "from_verdict: SPF results");
	tap_streq(h->spf[0].domain, "bounce.esp.example", "from_verdict: SPF domain");
	tap_inteq(h->time, 1234, "from_verdict: caller's time untouched");
	tap_streq(h->source_ip, "198.51.100.7", "from_verdict: caller's IP untouched");
}

/* check_from_verdict - a hand-filled verdict with a parsed record, then a round trip. */
static void
check_from_verdict(void)
{
	static const char rec[] = "v=DMARC1; p=reject; sp=quarantine; adkim=s; fo=1:d; t=y; psd=n; "
	    "pct=50; rua=mailto:agg@example.com!10m,mailto:agg2@example.net; ruf=mailto:f@example.com";
	struct verdict_input *in = malloc(sizeof(*in));
	struct verdict *v = malloc(sizeof(*v));
	struct history_record *h = malloc(sizeof(*h)), *back = malloc(sizeof(*back));
	struct str line = STR_INITIALIZER(HISTORY_LINE_MAX);
	char reason[256] = "";

	make_verdict_input(in);
	verdict_init(v);
	tap_inteq(dmarc_record_parse(rec, strlen(rec), &v->record, reason, sizeof(reason)),
	    DMARC_RECORD_OK, "from_verdict: record parses (%s)", reason);
	v->record_found = true;
	v->result = DMARC_RES_FAIL;
	v->disposition = DISP_NONE;
	v->policy = DMARC_POLICY_QUARANTINE;
	v->applied_tag = POLICY_TAG_SP;
	v->overrides = OVERRIDE_POLICY_TEST_MODE;
	v->spf_aligned = true;
	set(v->header_from, DOMAIN_BUFSIZE, "mail.example.com");
	set(v->policy_domain, DOMAIN_BUFSIZE, "example.com");
	set(v->org_domain, DOMAIN_BUFSIZE, "example.com");
	history_record_init(h);
	h->time = 1234;
	set(h->source_ip, sizeof(h->source_ip), "198.51.100.7");
	tap_inteq(history_record_from_verdict(h, in, v), HISTORY_OK, "from_verdict: status");
	verdict_free(v);	/* the URIs were deep-copied */
	check_from_verdict_fields(h);
	tap_inteq(history_encode(h, &line), HISTORY_OK, "from_verdict: encodes");
	tap_inteq(history_decode(line.s, line.len, back, reason, sizeof(reason)), HISTORY_OK,
	    "from_verdict: decodes (%s)", reason);
	tap_ok(history_record_equal(h, back), "from_verdict: round trip equal");
	history_record_free(back);

	/* a second call with no record found clears the policy part */
	verdict_init(v);
	v->result = DMARC_RES_NONE;
	tap_inteq(history_record_from_verdict(h, in, v), HISTORY_OK, "from_verdict: no record");
	tap_ok(!h->policy_found && h->nrua == 0 && h->pct == -1, "from_verdict: policy part cleared");
	tap_streq(h->header_from, "mail.example.com", "from_verdict: author from the input");
	tap_inteq(history_encode(h, &line), HISTORY_OK, "from_verdict: no record encodes");
	tap_ok(strstr(line.s, " pdom=") == NULL && strstr(line.s, " p=") == NULL,
	    "from_verdict: no policy fields written");
	verdict_free(v);
	history_record_free(h);
	str_free(&line);
	free(in);
	free(v);
	free(h);
	free(back);
}

#define FIELDS " time=1700000000 ip=192.0.2.1 hfrom=example.com disc=treewalk" \
	" result=pass disp=pass align_dkim=y align_spf=n"
#define BASE "AMH1.0" FIELDS
#define POL " pdom=example.com p=none adkim=r aspf=r fo=0 t=n psd=u"

/* Lines that decode, and one fact about the result. */
struct good_case {
	const char *name;
	const char *line;
	bool (*check)(const struct history_record *h);
};

static bool g_minor(const struct history_record *h) { return h->version_minor == 7 && h->unknown_keys == 2; }
static bool g_ext(const struct history_record *h) { return h->next == 1 && strcmp(h->ext[0].value, "a b") == 0; }
static bool g_lower_hex(const struct history_record *h) { return strcmp(h->dkim[0].selector, "a,b") == 0; }
static bool g_ulabel(const struct history_record *h) { return strcmp(h->header_from, "xn--bcher-kva.example") == 0; }
static bool g_order(const struct history_record *h) { return h->time == 5 && h->spf_aligned; }
static bool g_case(const struct history_record *h) { return h->result == DMARC_RES_PASS && h->disposition == DISP_PASS; }
static bool g_fo(const struct history_record *h) { return h->fo == (DMARC_FO_S | DMARC_FO_0); }
static bool g_nopol(const struct history_record *h) { return !h->policy_found && h->pct == -1; }
static bool g_dot(const struct history_record *h) { return strcmp(h->header_from, "example.com") == 0; }
static bool g_v4mapped(const struct history_record *h) { return strcmp(h->source_ip, "::ffff:192.0.2.1") == 0; }

static bool g_arc(const struct history_record *h) { return h->arc == HISTORY_ARC_PASS && h->arc_instance == 3 && strcmp(h->arc_sealer, "lists.example.org") == 0; }
static bool g_arc_bare(const struct history_record *h) { return h->arc == HISTORY_ARC_TEMPERROR && h->arc_instance == 0; }
static bool g_arc_skipped(const struct history_record *h) { return h->arc == HISTORY_ARC_ABSENT && h->unknown_keys == 0; }

static const struct good_case good_cases[] = {
	{ "arc with instance and sealer", "AMH1.1" FIELDS " arc=pass,3,Lists.Example.ORG\n", g_arc },
	{ "arc result only", "AMH1.1" FIELDS " arc=temperror\n", g_arc_bare },
	{ "1.1 line without arc", "AMH1.1" FIELDS "\n", g_arc_skipped },
	{ "newer minor: unknown keys skipped", "AMH1.7" FIELDS " future=1 future=%41\n", g_minor },
	{ "x- extension kept", BASE " x-site=a%20b\n", g_ext },
	{ "lower-case hex escape", BASE " dkim=example.com,a%2cb,pass\n", g_lower_hex },
	{ "U-label domain", "AMH1.0 time=1 ip=192.0.2.1 hfrom=b%C3%BCcher.example disc=psl"
	  " result=none disp=none align_dkim=n align_spf=n\n", g_ulabel },
	{ "any field order", "AMH1.0 align_spf=y align_dkim=n disp=none result=none disc=psl"
	  " hfrom=example.com ip=192.0.2.1 time=5\n", g_order },
	{ "keywords in upper case", "AMH1.0 time=1 ip=192.0.2.1 hfrom=example.com disc=TREEWALK"
	  " result=PASS disp=Pass align_dkim=y align_spf=n\n", g_case },
	{ "fo in any order and case", BASE " pdom=example.com p=none adkim=r aspf=r fo=S:0 t=n psd=u\n", g_fo },
	{ "no policy", BASE "\n", g_nopol },
	{ "trailing dot dropped", "AMH1.0 time=1 ip=192.0.2.1 hfrom=Example.COM. disc=psl"
	  " result=none disp=none align_dkim=n align_spf=n\n", g_dot },
	{ "IPv4-mapped IPv6", "AMH1.0 time=1 ip=::FFFF:192.0.2.1 hfrom=example.com disc=psl"
	  " result=none disp=none align_dkim=n align_spf=n\n", g_v4mapped },
};

/* run_good_cases - decode, check, re-encode, decode, compare. */
static void
run_good_cases(void)
{
	struct history_record *h = malloc(sizeof(*h)), *h2 = malloc(sizeof(*h2));
	struct str line = STR_INITIALIZER(HISTORY_LINE_MAX);
	char reason[256];
	size_t i;

	for (i = 0; i < NELEM(good_cases); i++) {
		const struct good_case *c = &good_cases[i];

		reason[0] = '\0';
		tap_streq(history_status_name(history_decode(c->line, strlen(c->line), h, reason,
		    sizeof(reason))), "ok", "decodes: %s (%s)", c->name, reason);
		tap_ok(c->check(h), "decodes: %s: content", c->name);
		tap_inteq(history_encode(h, &line), HISTORY_OK, "decodes: %s: re-encodes", c->name);
		tap_inteq(history_decode(line.s, line.len, h2, reason, sizeof(reason)), HISTORY_OK,
		    "decodes: %s: re-decodes", c->name);
		tap_ok(history_record_equal(h, h2), "decodes: %s: equal after round trip", c->name);
		history_record_free(h);
		history_record_free(h2);
	}
	str_free(&line);
	free(h);
	free(h2);
}

#define HEAD "AMH1.0 time=1 ip=192.0.2.1 hfrom=example.com"
#define TAIL " disc=treewalk result=pass disp=pass align_dkim=y align_spf=n"

/* Malformed lines: status and a substring of the reason. */
struct bad_case {
	const char *name;
	const char *line;
	size_t len;		/* 0: strlen(line) */
	enum history_status want;
	const char *reason;
};

static const struct bad_case bad_cases[] = {
	{ "empty input", "", 0, HISTORY_TRUNCATED, "newline" },
	{ "no newline", BASE, 0, HISTORY_TRUNCATED, "partial write" },
	{ "not a history line", "From: x\n", 0, HISTORY_BAD_VERSION, "version marker" },
	{ "major version 2", "AMH2.0" FIELDS "\n", 0, HISTORY_BAD_VERSION, "major version 2" },
	{ "major version 0", "AMH0.9" FIELDS "\n", 0, HISTORY_BAD_VERSION, "major version 0" },
	{ "version without minor", "AMH1" FIELDS "\n", 0, HISTORY_BAD_VERSION, "malformed version" },
	{ "version glued to a field", "AMH1.0time=1\n", 0, HISTORY_BAD_VERSION, "malformed version" },
	{ "version digits overlong", "AMH00001.0" FIELDS "\n", 0, HISTORY_BAD_VERSION, "malformed version" },
	{ "missing time", "AMH1.0 ip=192.0.2.1 hfrom=example.com" TAIL "\n", 0, HISTORY_MISSING_FIELD, "'time'" },
	{ "missing hfrom", "AMH1.0 time=1 ip=192.0.2.1" TAIL "\n", 0, HISTORY_MISSING_FIELD, "'hfrom'" },
	{ "missing align_spf", HEAD " disc=psl result=pass disp=pass align_dkim=y\n", 0, HISTORY_MISSING_FIELD, "'align_spf'" },
	{ "only the marker", "AMH1.0\n", 0, HISTORY_MISSING_FIELD, "'time'" },
	{ "time not a number", "AMH1.0 time=abc ip=192.0.2.1 hfrom=example.com" TAIL "\n", 0, HISTORY_BAD_NUMBER, "time: 'abc'" },
	{ "negative time", "AMH1.0 time=-5 ip=192.0.2.1 hfrom=example.com" TAIL "\n", 0, HISTORY_BAD_NUMBER, "time" },
	{ "time overflows int64", "AMH1.0 time=9223372036854775808 ip=192.0.2.1 hfrom=example.com" TAIL "\n", 0, HISTORY_BAD_NUMBER, "time" },
	{ "time with leading zero", "AMH1.0 time=0123 ip=192.0.2.1 hfrom=example.com" TAIL "\n", 0, HISTORY_BAD_NUMBER, "'0123'" },
	{ "time with trailing junk", "AMH1.0 time=12x ip=192.0.2.1 hfrom=example.com" TAIL "\n", 0, HISTORY_BAD_NUMBER, "'12x'" },
	{ "bad IPv4", "AMH1.0 time=1 ip=300.1.1.1 hfrom=example.com" TAIL "\n", 0, HISTORY_BAD_IP, "300.1.1.1" },
	{ "IPv6 with zone", "AMH1.0 time=1 ip=fe80::1%25eth0 hfrom=example.com" TAIL "\n", 0, HISTORY_BAD_IP, "not an IPv4 or IPv6" },
	{ "IP is a name", "AMH1.0 time=1 ip=mx.example.com hfrom=example.com" TAIL "\n", 0, HISTORY_BAD_IP, "ip" },
	{ "domain with underscore", "AMH1.0 time=1 ip=192.0.2.1 hfrom=exa_mple.com" TAIL "\n", 0, HISTORY_BAD_DOMAIN, "invalid character" },
	{ "domain with leading hyphen", "AMH1.0 time=1 ip=192.0.2.1 hfrom=-bad.com" TAIL "\n", 0, HISTORY_BAD_DOMAIN, "hyphen" },
	{ "empty header_from", "AMH1.0 time=1 ip=192.0.2.1 hfrom=" TAIL "\n", 0, HISTORY_BAD_DOMAIN, "empty domain" },
	{ "numeric TLD", "AMH1.0 time=1 ip=192.0.2.1 hfrom=192.0.2.1" TAIL "\n", 0, HISTORY_BAD_DOMAIN, "numeric" },
	{ "bad rcpt domain", BASE " rcpt=a..b\n", 0, HISTORY_BAD_DOMAIN, "rcpt: 'a..b'" },
	{ "unknown result", HEAD " disc=treewalk result=maybe disp=pass align_dkim=y align_spf=n\n", 0, HISTORY_BAD_WORD, "result: unknown keyword 'maybe'" },
	{ "unknown discovery", HEAD " disc=dns result=pass disp=pass align_dkim=y align_spf=n\n", 0, HISTORY_BAD_WORD, "'dns'" },
	{ "unknown disposition", HEAD " disc=psl result=pass disp=discard align_dkim=y align_spf=n\n", 0, HISTORY_BAD_WORD, "'discard'" },
	{ "alignment not y/n", HEAD " disc=psl result=pass disp=pass align_dkim=pass align_spf=n\n", 0, HISTORY_BAD_WORD, "align_dkim" },
	{ "unknown p", BASE " pdom=example.com p=block adkim=r aspf=r fo=0 t=n psd=u\n", 0, HISTORY_BAD_WORD, "p: unknown keyword 'block'" },
	{ "unknown override", BASE " override=forwarded\n", 0, HISTORY_BAD_WORD, "'forwarded'" },
	{ "repeated override", BASE " override=other override=other\n", 0, HISTORY_BAD_VALUE, "repeated" },
	{ "unknown DKIM result", BASE " dkim=example.com,s,great\n", 0, HISTORY_BAD_WORD, "'great'" },
	{ "unknown SPF scope", BASE " spf=example.com,rcpt,pass\n", 0, HISTORY_BAD_WORD, "'rcpt'" },
	{ "DKIM tuple too short", BASE " dkim=example.com,s\n", 0, HISTORY_BAD_SYNTAX, "domain,selector,result" },
	{ "DKIM tuple too long", BASE " dkim=example.com,s,pass,h,extra\n", 0, HISTORY_BAD_SYNTAX, "domain,selector,result" },
	{ "DKIM empty selector", BASE " dkim=example.com,,pass\n", 0, HISTORY_BAD_VALUE, "empty value" },
	{ "DKIM empty human_result", BASE " dkim=example.com,s,pass,\n", 0, HISTORY_BAD_VALUE, "empty value" },
	{ "SPF bad domain", BASE " spf=ex%20ample.com,mfrom,pass\n", 0, HISTORY_BAD_DOMAIN, "spf" },
	{ "duplicate time", BASE " time=2\n", 0, HISTORY_DUPLICATE_KEY, "'time' appears twice" },
	{ "duplicate pdom", BASE POL " pdom=example.org\n", 0, HISTORY_DUPLICATE_KEY, "'pdom'" },
	{ "policy field without pdom", BASE " sp=reject\n", 0, HISTORY_MISSING_FIELD, "'sp' needs 'pdom'" },
	{ "pdom without p", BASE " pdom=example.com adkim=r aspf=r fo=0 t=n psd=u\n", 0, HISTORY_MISSING_FIELD, "'p' is required with 'pdom'" },
	{ "pdom without fo", BASE " pdom=example.com p=none adkim=r aspf=r t=n psd=u\n", 0, HISTORY_MISSING_FIELD, "'fo'" },
	{ "pct over 100", BASE POL " pct=101\n", 0, HISTORY_BAD_NUMBER, "pct" },
	{ "fo unknown option", BASE " pdom=example.com p=none adkim=r aspf=r fo=0:x t=n psd=u\n", 0, HISTORY_BAD_WORD, "unknown option 'x'" },
	{ "fo trailing colon", BASE " pdom=example.com p=none adkim=r aspf=r fo=0: t=n psd=u\n", 0, HISTORY_BAD_SYNTAX, "trailing ':'" },
	{ "fo control byte", BASE " pdom=example.com p=none adkim=r aspf=r fo=\x10 t=n psd=u\n", 0, HISTORY_BAD_WORD, "unknown option '?'" },
	{ "fo repeated option", BASE " pdom=example.com p=none adkim=r aspf=r fo=d:d t=n psd=u\n", 0, HISTORY_BAD_VALUE, "repeated" },
	{ "rua size zero", BASE POL " rua=mailto:a@example.com,0\n", 0, HISTORY_BAD_NUMBER, "size limit" },
	{ "rua size not a number", BASE POL " rua=mailto:a@example.com,10m\n", 0, HISTORY_BAD_NUMBER, "size limit" },
	{ "rua three components", BASE POL " rua=mailto:a@example.com,1,2\n", 0, HISTORY_BAD_SYNTAX, "more than 2" },
	{ "rua empty", BASE POL " rua=\n", 0, HISTORY_BAD_VALUE, "empty URI" },
	{ "data after the newline", BASE "\nAMH1.0\n", 0, HISTORY_BAD_SYNTAX, "after the newline" },
	{ "embedded NUL", BASE "\0x\n", sizeof(BASE) + 2, HISTORY_BAD_CHAR, "NUL byte at offset" },
	{ "CR before LF", BASE "\r\n", 0, HISTORY_BAD_CHAR, "CR byte" },
	{ "encoded NUL", BASE " qid=a%00b\n", 0, HISTORY_BAD_CHAR, "encoded NUL" },
	{ "raw tab in a value", BASE " qid=a\tb\n", 0, HISTORY_BAD_CHAR, "0x09 must be percent-encoded" },
	{ "raw 8-bit byte", BASE " qid=\xc3\xa9\n", 0, HISTORY_BAD_CHAR, "0xc3" },
	{ "raw comma in a scalar", BASE " qid=a,b\n", 0, HISTORY_BAD_CHAR, "0x2c" },
	{ "truncated escape", BASE " qid=ab%4\n", 0, HISTORY_BAD_SYNTAX, "malformed percent escape" },
	{ "non-hex escape", BASE " qid=%G1\n", 0, HISTORY_BAD_SYNTAX, "malformed percent escape" },
	{ "two spaces", "AMH1.0 time=1  ip=192.0.2.1\n", 0, HISTORY_BAD_SYNTAX, "empty field" },
	{ "trailing space", BASE " \n", 0, HISTORY_BAD_SYNTAX, "empty field" },
	{ "field without =", BASE " hello\n", 0, HISTORY_BAD_SYNTAX, "no '='" },
	{ "upper-case key", BASE " Qid=1\n", 0, HISTORY_BAD_SYNTAX, "bad character 0x51 in key" },
	{ "empty key", BASE " =1\n", 0, HISTORY_BAD_SYNTAX, "empty key" },
	{ "overlong key", BASE " x-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1\n", 0, HISTORY_BAD_SYNTAX, "key longer" },
	{ "unknown key in a 1.0 line", BASE " future=1\n", 0, HISTORY_BAD_SYNTAX, "unknown key 'future'" },
	{ "empty qid", BASE " qid=\n", 0, HISTORY_BAD_VALUE, "empty value" },
	{ "qid too long", BASE " qid=0123456789012345678901234567890123456789012345678901234567890123456789\n", 0, HISTORY_BAD_VALUE, "longer than 63" },
	{ "empty msgid", BASE " msgid=\n", 0, HISTORY_BAD_VALUE, "empty value" },
	{ "arc in a 1.0 line", BASE " arc=pass\n", 0, HISTORY_BAD_SYNTAX, "unknown key 'arc' in a version 1.0 line" },
	{ "arc unknown result", "AMH1.1" FIELDS " arc=maybe\n", 0, HISTORY_BAD_WORD, "maybe" },
	{ "arc two components", "AMH1.1" FIELDS " arc=pass,2\n", 0, HISTORY_BAD_SYNTAX, "result[,instance,sealer]" },
	{ "arc instance 0", "AMH1.1" FIELDS " arc=pass,0,a.example\n", 0, HISTORY_BAD_NUMBER, "instance 0" },
	{ "arc instance 51", "AMH1.1" FIELDS " arc=pass,51,a.example\n", 0, HISTORY_BAD_NUMBER, "arc" },
	{ "arc bad sealer", "AMH1.1" FIELDS " arc=pass,1,a%20b.example\n", 0, HISTORY_BAD_DOMAIN, "arc" },
	{ "arc twice", "AMH1.1" FIELDS " arc=pass arc=fail\n", 0, HISTORY_DUPLICATE_KEY, "'arc' appears twice" },
	{ "bad value in skipped key", "AMH1.9" FIELDS " future=%zz\n", 0, HISTORY_BAD_SYNTAX, "percent escape" },
};

/* check_bad - decode one malformed line. */
static void
check_bad(const char *name, const char *line, size_t len, enum history_status want, const char *sub)
{
	struct history_record *h = malloc(sizeof(*h));
	char reason[256] = "";
	enum history_status st;

	st = history_decode(line, len, h, reason, sizeof(reason));
	tap_streq(history_status_name(st), history_status_name(want), "rejects: %s", name);
	if (!tap_ok(strstr(reason, sub) != NULL, "rejects: %s: reason mentions \"%s\"", name, sub))
		tap_diag("reason: %s", reason);
	tap_ok(h->nrua == 0 && h->next == 0 && h->message_id == NULL, "rejects: %s: record left empty", name);
	history_record_free(h);
	free(h);
}

/* repeat_line - BASE followed by n copies of field, and a newline. */
static void
repeat_line(struct str *s, const char *prefix, const char *field, size_t n)
{
	size_t i;

	str_reset(s);
	str_appends(s, prefix);
	for (i = 0; i < n; i++)
		str_appends(s, field);
	str_appendc(s, '\n');
}

/* run_bad_cases - the table, then the generated lines (lists over their maximum, size cap). */
static void
run_bad_cases(void)
{
	struct str s = STR_INITIALIZER(4 * HISTORY_LINE_MAX);
	size_t i;

	for (i = 0; i < NELEM(bad_cases); i++)
		check_bad(bad_cases[i].name, bad_cases[i].line,
		    bad_cases[i].len ? bad_cases[i].len : strlen(bad_cases[i].line),
		    bad_cases[i].want, bad_cases[i].reason);
	repeat_line(&s, BASE, " rcpt=example.net", HISTORY_MAX_RCPT + 1);
	check_bad("17 rcpt domains", s.s, s.len, HISTORY_TOO_MANY, "rcpt: more than 16 items");
	repeat_line(&s, BASE, " dkim=example.com,s,pass", HISTORY_MAX_DKIM + 1);
	check_bad("33 DKIM results", s.s, s.len, HISTORY_TOO_MANY, "dkim: more than 32");
	repeat_line(&s, BASE, " spf=example.com,mfrom,pass", HISTORY_MAX_SPF + 1);
	check_bad("5 SPF results", s.s, s.len, HISTORY_TOO_MANY, "spf: more than 4");
	repeat_line(&s, BASE POL, " rua=mailto:a@example.com", HISTORY_MAX_URI + 1);
	check_bad("17 rua URIs", s.s, s.len, HISTORY_TOO_MANY, "rua: more than 16");
	repeat_line(&s, BASE, " x-a=1", HISTORY_MAX_EXT + 1);
	check_bad("17 extensions", s.s, s.len, HISTORY_TOO_MANY, "x-a: more than 16");
	repeat_line(&s, BASE " msgid=", "a", HISTORY_MSGID_MAX + 1);
	check_bad("overlong Message-ID", s.s, s.len, HISTORY_BAD_VALUE, "msgid: value longer than 998");
	repeat_line(&s, BASE " x-big=", "%41", HISTORY_LINE_MAX / 3);
	check_bad("line over 64 KB", s.s, s.len, HISTORY_TOO_LONG, "exceeds 65536");
	repeat_line(&s, BASE " x-big=", "a", HISTORY_EXT_VALUE_MAX + 1);
	check_bad("overlong extension value", s.s, s.len, HISTORY_BAD_VALUE, "x-big: value longer than 1024");
	str_free(&s);
}

/* check_status_names - every status has a distinct name. */
static void
check_status_names(void)
{
	tap_streq(history_status_name(HISTORY_OK), "ok", "status name: ok");
	tap_streq(history_status_name(HISTORY_BAD_VALUE), "bad_value", "status name: last");
	tap_streq(history_status_name((enum history_status)99), "unknown", "status name: out of range");
}

int
main(void)
{
	round_trip("minimal", make_minimal);
	round_trip("golden", make_golden);
	round_trip("rich", make_rich);
	round_trip("full", make_full);
	round_trip("arc", make_arc);
	round_trip("arc without instance", make_arc_bare);
	check_arc_version();
	check_golden();
	check_rich_fields();
	run_enc_cases();
	check_from_verdict();
	run_good_cases();
	run_bad_cases();
	check_status_names();
	return tap_done();
}
