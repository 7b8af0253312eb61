/*
 * mime.c - build the mail message of one report for one destination (see
 * mime.h).  Pure functions; thread-safe.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "domain.h"
#include "mime.h"
#include "rfc5322.h"

/* An output string and the first error appending to it. */
struct out {
	struct str *s;
	enum str_status st;
};

/* put, putn - append text unless an earlier append failed. */
static void
putn(struct out *o, const char *text, size_t n)
{
	if (o->st == STR_OK)
		o->st = str_append(o->s, text, n);
}

static void
put(struct out *o, const char *text)
{
	putn(o, text, strlen(text));
}

/* line_len - bytes of the last (unfinished) line of s. */
static size_t
line_len(const struct str *s)
{
	size_t i = s->len;

	while (i > 0 && s->s[i - 1] != '\n')
		i--;
	return s->len - i;
}

/*
 * put_folded - parts joined by sep (";" or "") and one blank, or by sep
 * and a fold (LF and one blank) where the line would pass 78 characters;
 * then LF.  The first part starts the field ("Subject: ...").
 */
static void
put_folded(struct out *o, const char *const *parts, size_t n, const char *sep)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0) {
			put(o, sep);
			if (o->st == STR_OK &&
			    line_len(o->s) + 1 + strlen(parts[i]) > MIME_LINE_WANT)
				put(o, "\n");
			put(o, " ");
		}
		put(o, parts[i]);
	}
	put(o, "\n");
}

enum str_status
mime_subject(struct str *out, const char *policy_domain, const char *submitter,
    const char *report_id)
{
	char first[DOMAIN_BUFSIZE + 32], second[DOMAIN_BUFSIZE + 16], third[RFC5322_RID_MAX + 16];
	const char *parts[3] = { first, second, third };
	struct out o = { out, STR_OK };

	snprintf(first, sizeof(first), "Subject: Report Domain: %s", policy_domain);
	snprintf(second, sizeof(second), "Submitter: %s", submitter);
	snprintf(third, sizeof(third), "Report-ID: <%s>", report_id);
	put_folded(&o, parts, 3, "");
	return o.st;
}

enum str_status
mime_base64(struct str *out, const unsigned char *d, size_t len)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct out o = { out, STR_OK };
	char q[4];
	size_t i, col = 0;

	for (i = 0; i < len && o.st == STR_OK; i += 3) {
		unsigned long v = (unsigned long)d[i] << 16;

		if (i + 1 < len)
			v |= (unsigned long)d[i + 1] << 8;
		if (i + 2 < len)
			v |= d[i + 2];
		q[0] = tab[(v >> 18) & 63];
		q[1] = tab[(v >> 12) & 63];
		q[2] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? tab[v & 63] : '=';
		putn(&o, q, 4);
		if ((col += 4) == MIME_B64_LINE) {
			put(&o, "\n");
			col = 0;
		}
	}
	if (col > 0)
		put(&o, "\n");
	return o.st;
}

bool
mime_date(int64_t t, char *buf, size_t size)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;
	int n;

	if ((int64_t)tt != t || gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 1900)
		return false;
	n = snprintf(buf, size, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday],
	    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return n > 0 && (size_t)n < size;
}

/* utc - "YYYY-MM-DD HH:MM:SS" of t, or the number when it cannot be shown. */
static void
utc(uint64_t t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((uint64_t)tt != t || gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, size, "%llu", (unsigned long long)t);
}

/* is_domain - a domain already in normalised form? */
static bool
is_domain(const char *s)
{
	char norm[DOMAIN_BUFSIZE];

	return s != NULL && domain_normalize(s, strlen(s), norm) == DOMAIN_OK &&
	    strcmp(norm, s) == 0;
}

/* is_addr - an address already in the form rfc5322_addr_normalize gives? */
static bool
is_addr(const char *s)
{
	char norm[RFC5322_ADDR_BUFSIZE], why[128];

	return s != NULL && rfc5322_addr_normalize(s, strlen(s), norm, why, sizeof(why)) &&
	    strcmp(norm, s) == 0;
}

/* is_msgid - "dot-atom@dot-atom" (RFC 5322 3.6.4 id-left "@" id-right, no brackets). */
static bool
is_msgid(const char *s)
{
	const char *at = s != NULL ? strchr(s, '@') : NULL;

	return at != NULL && strlen(s) <= 900 && rfc5322_is_dot_atom(s, (size_t)(at - s)) &&
	    rfc5322_is_dot_atom(at + 1, strlen(at + 1));
}

/* is_boundary - 1..70 of [A-Za-z0-9=_.]: never a base64 line, never in our text. */
static bool
is_boundary(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0, i;

	if (n == 0 || n > MIME_BOUNDARY_MAX || strchr(s, '_') == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789=_.",
		    s[i]) == NULL)
			return false;
	return true;
}

/* check - every value of r; the name of the first bad one in why. */
static bool
check(const struct mime_report *r, char *why, size_t whysize)
{
	const char *badname = NULL;

	if (!is_addr(r->from))
		badname = "From address";
	else if (!is_addr(r->to))
		badname = "To address";
	else if (!is_domain(r->policy_domain))
		badname = "policy domain";
	else if (!is_domain(r->submitter))
		badname = "submitter domain";
	else if (r->report_id == NULL || !rfc5322_is_ridfmt(r->report_id, strlen(r->report_id)))
		badname = "Report-ID";
	else if (r->filename == NULL || !rfc5322_is_safe_filename(r->filename, strlen(r->filename)))
		badname = "file name";
	else if (!is_msgid(r->message_id))
		badname = "Message-ID";
	else if (!is_boundary(r->boundary))
		badname = "MIME boundary";
	if (badname != NULL)
		snprintf(why, whysize, "refused to build the message: bad %s", badname);
	return badname == NULL;
}

/* put_header - the top-level header section. */
static void
put_header(struct out *o, const struct mime_report *r, const char *date)
{
	const char *ct[2] = { "Content-Type: multipart/mixed", NULL };
	char bparam[MIME_BOUNDARY_MAX + 16];

	put(o, "From: "); put(o, r->from); put(o, "\n");
	put(o, "To: "); put(o, r->to); put(o, "\n");
	if (o->st == STR_OK)
		o->st = mime_subject(o->s, r->policy_domain, r->submitter, r->report_id);
	put(o, "Date: "); put(o, date); put(o, "\n");
	put(o, "Message-ID: <"); put(o, r->message_id); put(o, ">\n");
	put(o, "MIME-Version: 1.0\n");
	put(o, "Auto-Submitted: auto-generated\n");
	snprintf(bparam, sizeof(bparam), "boundary=\"%s\"", r->boundary);
	ct[1] = bparam;
	put_folded(o, ct, 2, ";");
	put(o, "\nThis is a multi-part message in MIME format.\n");
}

/* put_text_part - the human-readable part. */
static void
put_text_part(struct out *o, const struct mime_report *r)
{
	char b[32], e[32];

	utc(r->begin, b, sizeof(b));
	utc(r->end, e, sizeof(e));
	put(o, "\n--"); put(o, r->boundary); put(o, "\n");
	put(o, "Content-Type: text/plain; charset=us-ascii\n");
	put(o, "Content-Transfer-Encoding: 7bit\n\n");
	put(o, "This is a DMARC aggregate report ");
	put(o, r->legacy ? "in the RFC 7489 format" : "(RFC 9990)");
	put(o, "\nfrom "); put(o, r->submitter);
	put(o, " for the domain "); put(o, r->policy_domain); put(o, ".\n\n");
	put(o, "Report-ID: <"); put(o, r->report_id); put(o, ">\n");
	put(o, "Period: "); put(o, b); put(o, " to "); put(o, e); put(o, " UTC\n");
	put(o, "Report: the attached "); put(o, r->filename); put(o, "\n");
}

/* put_report_part - the gzipped report, base64. */
static void
put_report_part(struct out *o, const struct mime_report *r)
{
	char name[RFC5322_FILENAME_MAX + 16], fname[RFC5322_FILENAME_MAX + 16];
	const char *ct[2] = { "Content-Type: application/gzip", name };
	const char *cd[2] = { "Content-Disposition: attachment", fname };

	snprintf(name, sizeof(name), "name=\"%s\"", r->filename);
	snprintf(fname, sizeof(fname), "filename=\"%s\"", r->filename);
	put(o, "\n--"); put(o, r->boundary); put(o, "\n");
	put_folded(o, ct, 2, ";");
	put(o, "Content-Transfer-Encoding: base64\n");
	put_folded(o, cd, 2, ";");
	put(o, "\n");
	if (o->st == STR_OK)
		o->st = mime_base64(o->s, r->data, r->len);
	put(o, "\n--"); put(o, r->boundary); put(o, "--\n");
}

enum mime_status
mime_build(const struct mime_report *r, struct str *out, char *why, size_t whysize)
{
	struct out o = { out, STR_OK };
	char date[64];

	str_reset(out);
	if (!check(r, why, whysize))
		return MIME_BAD;
	if (!mime_date(r->date, date, sizeof(date))) {
		snprintf(why, whysize, "refused to build the message: bad date");
		return MIME_BAD;
	}
	put_header(&o, r, date);
	put_text_part(&o, r);
	put_report_part(&o, r);
	if (o.st != STR_OK) {
		snprintf(why, whysize, "building the message: %s", str_strerror(o.st));
		str_reset(out);
		return o.st == STR_ENOMEM ? MIME_NOMEM : MIME_BAD;
	}
	return MIME_OK;
}
