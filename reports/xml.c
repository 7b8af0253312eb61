/*
 * xml.c - escaping and the report writer; see xml.h.  Element order
 * follows the RFC 9990 tables (and the RFC 7489 schema's sequences for
 * the legacy format).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "xml.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char REPLACEMENT[] = "\xEF\xBF\xBD";	/* U+FFFD */

size_t
xml_utf8_char(const unsigned char *s, size_t n)
{
	unsigned long cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		len = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		len = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;	/* overlong, or beyond Unicode */
	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF)
		return 0;	/* surrogates and the two non-characters XML excludes */
	return len;
}

/* ascii_entity - the escape of an ASCII byte, "" to drop it, NULL to keep it. */
static const char *
ascii_entity(unsigned char c)
{
	switch (c) {
	case '&': return "&amp;";
	case '<': return "&lt;";
	case '>': return "&gt;";
	case '"': return "&quot;";
	case '\'': return "&apos;";
	case '\r': return "&#13;";
	case '\t': case '\n': return NULL;
	default: return c < 0x20 ? "" : NULL;
	}
}

/* map_str - str status to xml status. */
static enum xml_status
map_str(enum str_status st)
{
	return st == STR_OK ? XML_OK : st == STR_ENOMEM ? XML_NOMEM : XML_TOO_LONG;
}

/* plain_run - how many bytes from s on are printable ASCII without anything to escape. */
static size_t
plain_run(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] >= 0x80 || s[i] == '&' || s[i] == '<' || s[i] == '>' ||
		    s[i] == '"' || s[i] == '\'')
			break;
	return i;
}

enum xml_status
xml_escape(struct str *out, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	enum str_status st = str_appends(out, "");
	const char *ent;
	size_t i = 0, n;

	while (st == STR_OK && i < len) {
		if ((n = plain_run(s + i, len - i)) > 0) {
			st = str_append(out, text + i, n);	/* the common case, in one go */
			i += n;
		} else if (s[i] < 0x80) {
			ent = ascii_entity(s[i]);
			st = ent != NULL ? str_appends(out, ent) : str_appendc(out, (char)s[i]);
			i++;
		} else if ((n = xml_utf8_char(s + i, len - i)) == 0) {
			st = str_appends(out, REPLACEMENT);
			i++;
		} else {
			st = str_append(out, text + i, n);
			i += n;
		}
	}
	return map_str(st);
}

int
xml_ip_full(const char *ip, char *out, size_t outsize)
{
	unsigned char a[16];
	int n;

	if (inet_pton(AF_INET, ip, a) == 1) {
		n = snprintf(out, outsize, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	} else if (inet_pton(AF_INET6, ip, a) == 1) {
		n = snprintf(out, outsize, "%x:%x:%x:%x:%x:%x:%x:%x",
		    (unsigned)(a[0] << 8 | a[1]), (unsigned)(a[2] << 8 | a[3]),
		    (unsigned)(a[4] << 8 | a[5]), (unsigned)(a[6] << 8 | a[7]),
		    (unsigned)(a[8] << 8 | a[9]), (unsigned)(a[10] << 8 | a[11]),
		    (unsigned)(a[12] << 8 | a[13]), (unsigned)(a[14] << 8 | a[15]));
	} else {
		return -1;
	}
	return n > 0 && (size_t)n < outsize ? 0 : -1;
}

void
xml_writer_init(struct xml_writer *w, enum xml_format format, gzFile gz)
{
	w->format = format;
	str_init(&w->buf, gz != NULL ? XML_BUF_MAX : (size_t)1 << 30);
	str_init(&w->scratch, XML_BUF_MAX);
	w->gz = gz;
	w->status = XML_OK;
}

void
xml_writer_free(struct xml_writer *w)
{
	str_free(&w->buf);
	str_free(&w->scratch);
}

/* flush - hand the buffer to the gzip stream once it is large (always when force). */
static void
flush(struct xml_writer *w, bool force)
{
	if (w->status != XML_OK || w->gz == NULL || w->buf.len == 0)
		return;
	if (!force && w->buf.len < XML_FLUSH_AT)
		return;
	if (gzwrite(w->gz, w->buf.s, (unsigned)w->buf.len) != (int)w->buf.len)
		w->status = XML_IO;
	str_reset(&w->buf);
}

/* raw - append literal markup. */
static void
raw(struct xml_writer *w, const char *s)
{
	if (w->status == XML_OK)
		w->status = map_str(str_appends(&w->buf, s));
}

/* add - append n bytes of markup. */
static void
add(struct xml_writer *w, const char *s, size_t n)
{
	if (w->status == XML_OK)
		w->status = map_str(str_append(&w->buf, s, n));
}

/* tag - indentation for depth d, then "<name>" or "</name>" (close). */
static void
tag(struct xml_writer *w, int d, const char *name, bool close)
{
	static const char spaces[] = "                ";	/* depth 8 at most */

	if (d > 0)
		add(w, spaces, (size_t)(2 * d) < sizeof(spaces) - 1 ? (size_t)(2 * d) : sizeof(spaces) - 1);
	add(w, close ? "</" : "<", close ? 2 : 1);
	add(w, name, strlen(name));
	add(w, ">", 1);
}

/* el - "<name>text</name>" on its own line, text escaped, at depth d. */
static void
el(struct xml_writer *w, int d, const char *name, const char *text)
{
	tag(w, d, name, false);
	if (w->status == XML_OK)
		w->status = xml_escape(&w->buf, text, strlen(text));
	tag(w, 0, name, true);
	add(w, "\n", 1);
}

/* eln - an element with a number. */
static void
eln(struct xml_writer *w, int d, const char *name, long long v)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", v);
	el(w, d, name, num);
}

/* open_el, close_el - a start or end tag on its own line at depth d. */
static void
open_el(struct xml_writer *w, int d, const char *name)
{
	tag(w, d, name, false);
	add(w, "\n", 1);
}

static void
close_el(struct xml_writer *w, int d, const char *name)
{
	tag(w, d, name, true);
	add(w, "\n", 1);
}

/* errors_joined - the error texts as one, "; " between them, in w->scratch. */
static const char *
errors_joined(struct xml_writer *w, const struct xml_meta *m)
{
	enum str_status st = STR_OK;
	size_t i;

	str_reset(&w->scratch);
	for (i = 0; st == STR_OK && i < m->nerrors; i++) {
		if (i > 0)
			st = str_appends(&w->scratch, "; ");
		if (st == STR_OK)
			st = str_appends(&w->scratch, m->errors[i]);
	}
	if (st != STR_OK)
		w->status = map_str(st);
	return str_cstr(&w->scratch);
}

/* metadata - report_metadata (RFC 7489: in its sequence order). */
static void
metadata(struct xml_writer *w, const struct xml_meta *m)
{
	size_t i;

	open_el(w, 1, "report_metadata");
	el(w, 2, "org_name", m->org_name);
	el(w, 2, "email", m->email);
	el(w, 2, "report_id", m->report_id);
	open_el(w, 2, "date_range");
	eln(w, 3, "begin", m->begin);
	eln(w, 3, "end", m->end);
	close_el(w, 2, "date_range");
	if (w->format == XML_FORMAT_RFC7489) {
		for (i = 0; i < m->nerrors; i++)
			el(w, 2, "error", m->errors[i]);
	} else {
		if (m->nerrors > 0)
			el(w, 2, "error", errors_joined(w, m));
		if (m->generator != NULL)
			el(w, 2, "generator", m->generator);
	}
	close_el(w, 1, "report_metadata");
}

/* policy_published - RFC 9990 table order; RFC 7489 with its required sp, pct, fo. */
static void
policy_published(struct xml_writer *w, const struct report_policy *p)
{
	const char *const *pw = report_policy_words;
	char fo[8];

	report_fo_text(p->fo, fo);
	open_el(w, 1, "policy_published");
	el(w, 2, "domain", p->domain);
	if (w->format == XML_FORMAT_DMARC2) {
		el(w, 2, "discovery_method", report_disc_words[p->discovery]);
		el(w, 2, "p", pw[p->p]);
		if (p->sp != DMARC_POLICY_UNSET)
			el(w, 2, "sp", pw[p->sp]);
		if (p->np != DMARC_POLICY_UNSET)
			el(w, 2, "np", pw[p->np]);
		if (fo[0] != '\0')
			el(w, 2, "fo", fo);
		el(w, 2, "adkim", report_align_words[p->adkim]);
		el(w, 2, "aspf", report_align_words[p->aspf]);
		el(w, 2, "testing", p->testing ? "y" : "n");
	} else {
		el(w, 2, "adkim", report_align_words[p->adkim]);
		el(w, 2, "aspf", report_align_words[p->aspf]);
		el(w, 2, "p", pw[p->p]);
		el(w, 2, "sp", pw[p->sp != DMARC_POLICY_UNSET ? p->sp : p->p]);
		eln(w, 2, "pct", p->pct >= 0 ? p->pct : 100);
		el(w, 2, "fo", fo[0] != '\0' ? fo : "0");
	}
	close_el(w, 1, "policy_published");
}

enum xml_status
xml_report_head(struct xml_writer *w, const struct xml_meta *meta, const struct report_policy *pol)
{
	raw(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	raw(w, w->format == XML_FORMAT_DMARC2 ? "<feedback xmlns=\"" XML_NAMESPACE "\">\n" :
	    "<feedback>\n");
	el(w, 1, "version", "1.0");
	metadata(w, meta);
	policy_published(w, pol);
	flush(w, false);
	return w->status;
}

/* reason_comment - the comment of reason bit on row r in this format, NULL for none. */
static const char *
reason_comment(const struct xml_writer *w, const struct group_row *r, unsigned bit)
{
	if (bit == REPORT_REASON_UNEXPLAINED) {
		if (r->result == DMARC_RES_TEMPERROR)
			return "DMARC temperror: the policy was not applied";
		if (r->result == DMARC_RES_PERMERROR)
			return "DMARC permerror: the policy was not applied";
		return "the disposition differs from the policy";
	}
	if (bit == OVERRIDE_TRUSTED_FORWARDER && r->forwarder != NULL)
		return r->forwarder;
	if (w->format == XML_FORMAT_DMARC2 && bit == OVERRIDE_SAMPLED_OUT)
		return "sampled_out (pct)";
	if (w->format == XML_FORMAT_RFC7489 && bit == OVERRIDE_POLICY_TEST_MODE)
		return "policy_test_mode (t=y)";
	return NULL;
}

/* reason_type - the type word of a reason bit in this format ("other" for what the format lacks). */
static const char *
reason_type(const struct xml_writer *w, unsigned bit)
{
	if (bit == REPORT_REASON_UNEXPLAINED)
		return "other";
	if (w->format == XML_FORMAT_DMARC2 && bit == OVERRIDE_SAMPLED_OUT)
		return "other";
	if (w->format == XML_FORMAT_RFC7489 && bit == OVERRIDE_POLICY_TEST_MODE)
		return "other";
	return override_name(bit);
}

/* reasons - one <reason> per bit of r->reasons. */
static void
reasons(struct xml_writer *w, const struct group_row *r)
{
	const char *comment;
	unsigned bit;

	for (bit = 1; bit <= REPORT_REASON_UNEXPLAINED; bit <<= 1) {
		if ((r->reasons & bit) == 0)
			continue;
		open_el(w, 4, "reason");
		el(w, 5, "type", reason_type(w, bit));
		if ((comment = reason_comment(w, r, bit)) != NULL)
			el(w, 5, "comment", comment);
		close_el(w, 4, "reason");
	}
}

/* row - <row>: source_ip, count, policy_evaluated. */
static void
row(struct xml_writer *w, const struct group_row *r)
{
	enum disposition d = r->disposition;
	char ip[64];

	open_el(w, 2, "row");
	if (w->format == XML_FORMAT_RFC7489 && xml_ip_full(r->source_ip, ip, sizeof(ip)) == 0)
		el(w, 3, "source_ip", ip);
	else
		el(w, 3, "source_ip", r->source_ip);
	eln(w, 3, "count", (long long)r->count);
	open_el(w, 3, "policy_evaluated");
	if (w->format == XML_FORMAT_RFC7489 && d == DISP_PASS)
		d = DISP_NONE;	/* RFC 7489 has no "pass" disposition */
	el(w, 4, "disposition", disposition_name(d));
	el(w, 4, "dkim", r->dkim_aligned ? "pass" : "fail");
	el(w, 4, "spf", r->spf_aligned ? "pass" : "fail");
	reasons(w, r);
	close_el(w, 3, "policy_evaluated");
	close_el(w, 2, "row");
}

/* identifiers - RFC 9990 order; RFC 7489 always has envelope_from. */
static void
identifiers(struct xml_writer *w, const struct group_row *r)
{
	open_el(w, 2, "identifiers");
	if (w->format == XML_FORMAT_DMARC2) {
		el(w, 3, "header_from", r->header_from);
		if (r->envelope_from != NULL)
			el(w, 3, "envelope_from", r->envelope_from);
		if (r->envelope_to != NULL)
			el(w, 3, "envelope_to", r->envelope_to);
	} else {
		if (r->envelope_to != NULL)
			el(w, 3, "envelope_to", r->envelope_to);
		el(w, 3, "envelope_from", r->envelope_from != NULL ? r->envelope_from : "");
		el(w, 3, "header_from", r->header_from);
	}
	close_el(w, 2, "identifiers");
}

/* dkim_results - one <dkim> per signature, in message order. */
static void
dkim_results(struct xml_writer *w, const struct report_auth *a)
{
	size_t i;

	for (i = 0; i < a->ndkim; i++) {
		open_el(w, 3, "dkim");
		el(w, 4, "domain", a->dkim[i].domain);
		el(w, 4, "selector", a->dkim[i].selector);
		el(w, 4, "result", dkim_result_name(a->dkim[i].result));
		if (a->dkim[i].human[0] != '\0')
			el(w, 4, "human_result", a->dkim[i].human);
		close_el(w, 3, "dkim");
	}
}

/* spf_one - one <spf> element. */
static void
spf_one(struct xml_writer *w, const char *domain, enum spf_scope scope, enum spf_result res,
    const char *human)
{
	open_el(w, 3, "spf");
	el(w, 4, "domain", domain);
	el(w, 4, "scope", spf_scope_name(scope));
	el(w, 4, "result", spf_result_name(res));
	if (w->format == XML_FORMAT_DMARC2 && human[0] != '\0')
		el(w, 4, "human_result", human);
	close_el(w, 3, "spf");
}

/*
 * spf_results - RFC 9990: the MAIL FROM result only, when there is one.
 * RFC 7489: every result (its schema wants at least one: "none" for the
 * MAIL FROM domain, or the From domain, when the message had none).
 */
static void
spf_results(struct xml_writer *w, const struct group_row *r, const struct report_auth *a)
{
	const char *dom;
	size_t i;

	for (i = 0; i < a->nspf; i++) {
		if (w->format == XML_FORMAT_DMARC2 && a->spf[i].scope != SPF_SCOPE_MFROM)
			continue;
		spf_one(w, a->spf[i].domain, a->spf[i].scope, a->spf[i].result, a->spf[i].human);
		if (w->format == XML_FORMAT_DMARC2)
			return;
	}
	if (w->format == XML_FORMAT_RFC7489 && a->nspf == 0) {
		dom = r->envelope_from != NULL && r->envelope_from[0] != '\0' ? r->envelope_from :
		    r->header_from;
		spf_one(w, dom, SPF_SCOPE_MFROM, SPF_RES_NONE, "");
	}
}

enum xml_status
xml_report_record(struct xml_writer *w, const struct group_row *r, const struct report_auth *a)
{
	open_el(w, 1, "record");
	row(w, r);
	identifiers(w, r);
	open_el(w, 2, "auth_results");
	dkim_results(w, a);
	spf_results(w, r, a);
	close_el(w, 2, "auth_results");
	close_el(w, 1, "record");
	flush(w, false);
	return w->status;
}

enum xml_status
xml_report_tail(struct xml_writer *w)
{
	raw(w, "</feedback>\n");
	flush(w, true);
	return w->status;
}

const char *
xml_strerror(enum xml_status st)
{
	static const char *const text[] = {
		[XML_OK] = "ok",
		[XML_NOMEM] = "out of memory",
		[XML_TOO_LONG] = "text too long",
		[XML_IO] = "write error (gzip)",
	};

	return (unsigned)st < NELEM(text) ? text[st] : "unknown";
}
