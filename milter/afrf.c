/*
 * afrf.c - a DMARC failure report in RFC 6591's format; see afrf.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "afrf.h"
#include "config.h"
#include "failure.h"

#define OVERHEAD 8192		/* bytes kept for everything but the copied message */

/* is_local_char - a character of a dot-atom local-part. */
static bool
is_local_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    c >= 0x80 || strchr("!#$%&'*+-/=?^_`{|}~.", c) != NULL;
}

/* local_start - where the local-part ending just before text[at] begins (at itself: none). */
static size_t
local_start(const char *text, size_t at)
{
	size_t i = at;

	if (i > 0 && text[i - 1] == '"') {	/* a quoted local-part */
		for (i -= 1; i > 0; i--)
			if (text[i - 1] == '"' && (i < 2 || text[i - 2] != '\\'))
				return i - 1;
		return at;
	}
	while (i > 0 && is_local_char((unsigned char)text[i - 1]))
		i--;
	return i;
}

enum str_status
afrf_redact(struct str *out, const char *text, size_t len)
{
	enum str_status st = STR_OK;
	size_t done = 0, i, start;
	unsigned char next;

	for (i = 0; i < len && st == STR_OK; i++) {
		if (text[i] != '@' || i + 1 >= len)
			continue;
		next = (unsigned char)text[i + 1];
		start = local_start(text, i);
		if (start < done || start == i || !(next == '[' || next >= 0x80 ||
		    (next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') ||
		    (next >= '0' && next <= '9')))
			continue;
		st = str_append(out, text + done, start - done);
		if (st == STR_OK)
			st = str_appends(out, "redacted");
		done = i;
	}
	return st == STR_OK ? str_append(out, text + done, len - done) : st;
}

/* kept_whole - header fields whose "@" is no person's address. */
static bool
kept_whole(const char *field, size_t len)
{
	static const char *const names[] = {
		"Message-ID:", "In-Reply-To:", "References:", "Content-ID:", "Resent-Message-ID:"
	};
	size_t i, n;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		n = strlen(names[i]);
		if (len >= n && strncasecmp(field, names[i], n) == 0)
			return true;
	}
	return false;
}

/* copy_header - the header section, field by field, redacted when asked. */
static enum str_status
copy_header(struct str *out, const struct str *h, bool redact)
{
	const char *p = h->s, *end = h->s + h->len, *q;
	enum str_status st = STR_OK;

	while (p < end && st == STR_OK) {
		for (q = p; q < end; q++)	/* the field ends before a line not starting with WSP */
			if (*q == '\n' && (q + 1 >= end || (q[1] != ' ' && q[1] != '\t')))
				break;
		q = q < end ? q + 1 : end;
		st = (!redact || kept_whole(p, (size_t)(q - p))) ? str_append(out, p, (size_t)(q - p)) :
		    afrf_redact(out, p, (size_t)(q - p));
		p = q;
	}
	return st;
}

/* has_8bit - any byte above 127? */
static bool
has_8bit(const struct str *s)
{
	size_t i;

	for (i = 0; s != NULL && i < s->len; i++)
		if ((unsigned char)s->s[i] >= 0x80)
			return true;
	return false;
}

/* ascii_field - append text with CR, LF and non-ASCII bytes as '?' (a field value). */
static enum str_status
ascii_field(struct str *out, const char *name, const char *text)
{
	enum str_status st = str_printf(out, "%s: ", name);

	for (; st == STR_OK && *text != '\0'; text++)
		st = str_appendc(out, ((unsigned char)*text < 0x20 || (unsigned char)*text >= 0x7f) ?
		    '?' : *text);
	return st == STR_OK ? str_appends(out, "\r\n") : st;
}

/* date_text - t as an RFC 5322 date in UTC. */
static void
date_text(int64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, size, "%a, %d %b %Y %H:%M:%S +0000", &tm) == 0)
		snprintf(buf, size, "Thu, 01 Jan 1970 00:00:00 +0000");
}

/* delivery_result - RFC 6591's Delivery-Result for the action taken. */
static const char *
delivery_result(enum decision_action a)
{
	switch (a) {
	case ACTION_ACCEPT: return "delivered";
	case ACTION_QUARANTINE: return "spam";
	case ACTION_REJECT: return "reject";
	default: return "other";
	}
}

/* crlf - text with bare LFs as CRLF. */
static enum str_status
crlf(struct str *out, const char *text)
{
	enum str_status st = STR_OK;
	char prev = '\0';

	for (; st == STR_OK && *text != '\0'; prev = *text++) {
		if (*text == '\n' && prev != '\r')
			st = str_appendc(out, '\r');
		if (st == STR_OK)
			st = str_appendc(out, *text);
	}
	return st;
}

/* aligned_dkim_failure - a failed signature whose d= is aligned (relaxed), or -1. */
static int
aligned_dkim_failure(const struct decision *d)
{
	const char *org = d->verdict.org_domain;
	size_t i, n, m = strlen(org);

	for (i = 0; i < d->in.ndkim && i < VERDICT_MAX_DKIM; i++) {
		if (d->in.dkim[i].result != DKIM_RES_FAIL)
			continue;
		n = strlen(d->in.dkim[i].domain);
		if (strcasecmp(d->in.dkim[i].domain, d->verdict.header_from) == 0 ||
		    (m > 0 && n >= m && strcasecmp(d->in.dkim[i].domain + n - m, org) == 0 &&
		    (n == m || d->in.dkim[i].domain[n - m - 1] == '.')))
			return (int)i;
	}
	return -1;
}

/* human_part - the text/plain part. */
static enum str_status
human_part(const struct afrf_input *in, const char *date, struct str *o)
{
	const struct verdict *v = &in->d->verdict;
	char fo[16];

	return str_printf(o, "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
	    "This is a DMARC failure report (RFC 9991) from %s for a message\r\n"
	    "received from %s on %s.\r\n\r\n"
	    "Reported domain: %s (policy domain %s, p=%s, fo=%s)\r\n"
	    "DMARC result: %s; aligned SPF: %s; aligned DKIM: %s\r\n"
	    "Action taken: %s\r\n\r\n"
	    "The message's %s follows%s%s.\r\n",
	    in->conf->authserv_id, in->f->ip[0] ? in->f->ip : "an unknown address", date,
	    v->header_from, v->policy_domain, dmarc_policy_name(v->record.p),
	    failure_fo_text(in->due, fo, sizeof(fo)), dmarc_result_name(v->result),
	    v->spf_aligned ? "pass" : "none", v->dkim_aligned ? "pass" : "none",
	    action_name(in->d->action), in->body != NULL ? "content" : "header section",
	    in->conf->failure_reports_redact ? ", with the local-parts of addresses redacted" : "",
	    in->cut ? " (cut short: FailureReportsMaxBytes)" : "");
}

/* feedback_part - the message/feedback-report part. */
static enum str_status
feedback_part(const struct afrf_input *in, const char *date, struct str *o)
{
	const struct decision *d = in->d;
	struct str from = STR_INITIALIZER(2048);
	enum str_status st;
	int k = aligned_dkim_failure(d);

	st = str_printf(o, "Content-Type: message/feedback-report\r\n\r\n"
	    "Feedback-Type: auth-failure\r\nVersion: 1\r\nUser-Agent: %s/%s\r\n"
	    "Auth-Failure: dmarc\r\nAuthentication-Results: ", PACKAGE_NAME, PACKAGE_VERSION);
	if (st == STR_OK)
		st = crlf(o, str_cstr(&d->authres));
	if (st == STR_OK)
		st = str_appends(o, "\r\n");
	if (st == STR_OK && in->f->queue_id[0] != '\0')
		st = ascii_field(o, "Original-Envelope-Id", in->f->queue_id);
	if (st == STR_OK && (in->conf->failure_reports_redact ?
	    afrf_redact(&from, in->f->mail_from, strlen(in->f->mail_from)) :
	    str_appends(&from, in->f->mail_from)) == STR_OK)
		st = ascii_field(o, "Original-Mail-From", from.len ? from.s : "<>");
	str_free(&from);
	if (st == STR_OK)
		st = str_printf(o, "Arrival-Date: %s\r\n", date);
	if (st == STR_OK && in->f->ip[0] != '\0')
		st = str_printf(o, "Source-IP: %s\r\n", in->f->ip);
	if (st == STR_OK)
		st = str_printf(o, "Reported-Domain: %s\r\nIdentity-Alignment: %s\r\n"
		    "Delivery-Result: %s\r\n", d->verdict.header_from, failure_alignment(&d->verdict),
		    delivery_result(d->action));
	if (st == STR_OK && k >= 0)
		st = str_printf(o, "DKIM-Domain: %s\r\nDKIM-Selector: %s\r\n", d->in.dkim[k].domain,
		    d->in.dkim[k].selector);
	return st;
}

/* original_part - the header section, or the whole message. */
static enum str_status
original_part(const struct afrf_input *in, struct str *o)
{
	bool eight = has_8bit(in->header) || has_8bit(in->body);
	enum str_status st;

	st = str_printf(o, "Content-Type: %s\r\n%s\r\n",
	    in->body != NULL ? "message/rfc822" : "text/rfc822-headers",
	    eight ? "Content-Transfer-Encoding: 8bit\r\n" : "");
	if (st == STR_OK)
		st = copy_header(o, in->header, in->conf->failure_reports_redact);
	if (st == STR_OK && in->body != NULL)
		st = str_appends(o, "\r\n");
	if (st == STR_OK && in->body != NULL && in->body->len > 0)
		st = str_append(o, in->body->s, in->body->len);
	return st;
}

/* build_meta - the .meta lines. */
static enum str_status
build_meta(const struct afrf_input *in, struct str *m)
{
	const struct verdict *v = &in->d->verdict;
	enum str_status st;
	size_t i;

	st = str_printf(m, "format afrf-1\npolicy_domain %s\norg_domain %s\ncreated %lld\n"
	    "source_ip %s\n", v->policy_domain, v->org_domain[0] ? v->org_domain : v->policy_domain,
	    (long long)in->f->now, in->f->ip[0] ? in->f->ip : "-");
	for (i = 0; st == STR_OK && i < v->record.ruf.n; i++)
		st = v->record.ruf.v[i].size_limit ?
		    str_printf(m, "ruf %s!%llu\n", v->record.ruf.v[i].uri,
		    (unsigned long long)v->record.ruf.v[i].size_limit) :
		    str_printf(m, "ruf %s\n", v->record.ruf.v[i].uri);
	return st;
}

int
afrf_build(const struct afrf_input *in, struct str *eml, struct str *meta)
{
	const char *b = in->boundary;
	char date[64];
	enum str_status st;

	str_reset(eml);
	str_reset(meta);
	date_text(in->f->now, date, sizeof(date));
	st = str_printf(eml, "Subject: DMARC failure report for %s from %s\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/report; report-type=feedback-report;\r\n\tboundary=\"%s\"\r\n"
	    "%s\r\nThis is a DMARC failure report in MIME format (RFC 6591).\r\n\r\n--%s\r\n",
	    in->d->verdict.header_from, in->f->ip[0] ? in->f->ip : "an unknown address", b,
	    has_8bit(in->header) || has_8bit(in->body) ? "Content-Transfer-Encoding: 8bit\r\n" : "", b);
	if (st == STR_OK)
		st = human_part(in, date, eml);
	if (st == STR_OK)
		st = str_printf(eml, "\r\n--%s\r\n", b);
	if (st == STR_OK)
		st = feedback_part(in, date, eml);
	if (st == STR_OK)
		st = str_printf(eml, "\r\n--%s\r\n", b);
	if (st == STR_OK)
		st = original_part(in, eml);
	if (st == STR_OK)
		st = str_printf(eml, "\r\n--%s--\r\n", b);
	if (st == STR_OK)
		st = build_meta(in, meta);
	return st == STR_OK ? 0 : -1;
}

size_t
afrf_budget(size_t max)
{
	return max > OVERHEAD ? max - OVERHEAD : 0;
}
