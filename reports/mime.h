/*
 * mime.h - the mail message carrying one aggregate report to one
 * destination (RFC 9990 section 3.5.2, "Email"): an RFC 5322 message,
 * MIME (RFC 2045) multipart/mixed with a short text/plain part and the
 * gzipped report as an application/gzip attachment (base64, 76-character
 * lines) whose file name is the report's file name, and the Subject
 * "Report Domain: D Submitter: S Report-ID: <id>" (folded at its blanks
 * when longer than 78 characters).
 *
 * Every value is checked again here before it goes into a header field
 * (addresses, domains, Report-ID, file name, Message-ID, boundary): a
 * value that fails is refused, never written, so no text from the spool
 * can add a header field or a part.  Lines end in LF (what sendmail reads
 * on its standard input).  Pure functions; thread-safe.
 */
#ifndef AUTHMILTER_REPORTS_MIME_H
#define AUTHMILTER_REPORTS_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "str.h"

#define MIME_LINE_WANT 78	/* RFC 5322 2.1.1: SHOULD not exceed */
#define MIME_B64_LINE 76	/* RFC 2045 6.8: base64 line length */
#define MIME_BOUNDARY_MAX 70	/* RFC 2046 5.1.1 */

enum mime_status {
	MIME_OK = 0,
	MIME_BAD,		/* a value failed its check: why says which */
	MIME_NOMEM
};

struct mime_report {
	const char *from;		/* "local@domain", checked by rfc5322_addr_normalize */
	const char *to;			/* the destination, the same form */
	const char *policy_domain;	/* normalised domain */
	const char *submitter;		/* normalised domain (the report generator) */
	const char *report_id;		/* ridfmt */
	const char *filename;		/* the attachment's file name (.xml.gz) */
	const char *message_id;		/* "dot-atom@dot-atom", without the angle brackets */
	const char *boundary;		/* 1..70 of [A-Za-z0-9=_.] */
	bool legacy;			/* an RFC 7489 format report (said in the text part) */
	uint64_t begin, end;		/* the report's period, for the text part */
	int64_t date;			/* Date: seconds since the epoch */
	const unsigned char *data;	/* the gzipped report */
	size_t len;
};

/*
 * mime_build - the whole message into out (emptied first; out's maximum
 * must leave room: about 1.4 * len + 4096).  On MIME_BAD why (whysize
 * bytes) names the value refused; out is then empty.
 */
enum mime_status mime_build(const struct mime_report *r, struct str *out, char *why,
    size_t whysize);

/*
 * mime_subject - append the Subject field (name, value, folding, final LF)
 * for the three checked values.
 */
enum str_status mime_subject(struct str *out, const char *policy_domain, const char *submitter,
    const char *report_id);

/* mime_base64 - append len bytes as base64 in lines of 76 characters, each ending in LF. */
enum str_status mime_base64(struct str *out, const unsigned char *data, size_t len);

/*
 * mime_date - RFC 5322 3.3 date-time of t in UTC ("Tue, 01 Dec 2026
 * 00:00:00 +0000") into buf; false when t cannot be represented.
 */
bool mime_date(int64_t t, char *buf, size_t size);

#endif
