/*
 * xml.h - the XML of DMARC aggregate reports: the one escaping function
 * for text from history records, and a streaming writer of a report in
 * the RFC 9990 format (namespace urn:ietf:params:xml:ns:dmarc-2.0) or the
 * RFC 7489 one (no namespace, its schema's required elements), into a
 * string or through zlib into a .xml.gz file.  Called by aggregate.c and
 * the unit tests.  Not thread-safe per writer.
 */
#ifndef AUTHMILTER_REPORTS_XML_H
#define AUTHMILTER_REPORTS_XML_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

#include "group.h"
#include "report.h"
#include "str.h"

#define XML_NAMESPACE "urn:ietf:params:xml:ns:dmarc-2.0"
#define XML_FLUSH_AT (256 * 1024)	/* bytes buffered before a write to the gzip stream */
#define XML_BUF_MAX (16 * 1024 * 1024)	/* hard maximum of the buffer between flushes */

enum xml_format {
	XML_FORMAT_DMARC2 = 0,		/* RFC 9990 */
	XML_FORMAT_RFC7489		/* legacy */
};

enum xml_status {
	XML_OK = 0,
	XML_NOMEM,		/* allocation failed */
	XML_TOO_LONG,		/* text beyond the output string's maximum */
	XML_IO			/* the gzip stream failed */
};

/*
 * xml_utf8_char - the length of the XML character starting s (n > 0 bytes
 * left), 0 when none starts there: not UTF-8, overlong, a surrogate,
 * U+FFFE or U+FFFF.  xml_escape writes U+FFFD for each such byte.
 */
size_t xml_utf8_char(const unsigned char *s, size_t n);

/*
 * xml_escape - append len bytes of untrusted text to out as XML 1.0
 * character data (fit for element content and quoted attribute values):
 * & < > " ' as entities, CR as &#13; (a parser would turn it into LF), TAB
 * and LF kept; other control characters, which XML 1.0 cannot carry at
 * all, are dropped; a byte that does not start a well-formed UTF-8
 * sequence of an XML character (overlong forms, surrogates, U+FFFE,
 * U+FFFF, beyond U+10FFFF) becomes U+FFFD.  NUL bytes are dropped like
 * other controls.
 */
enum xml_status xml_escape(struct str *out, const char *text, size_t len);

/*
 * xml_ip_full - ip in the form the RFC 7489 schema's pattern accepts:
 * IPv4 as it is, IPv6 as eight groups without "::" ("2001:db8:0:0:0:0:0:1").
 * Returns 0, or -1 when ip is not an address.
 */
int xml_ip_full(const char *ip, char *out, size_t outsize);

/* Report metadata that does not come from messages. */
struct xml_meta {
	const char *org_name;
	const char *email;
	const char *report_id;
	const char *generator;		/* DMARC2 only; NULL: none */
	int64_t begin, end;
	size_t nerrors;			/* DMARC2 joins them into one error element */
	const char *const *errors;
};

/* A writer of one report. */
struct xml_writer {
	enum xml_format format;
	struct str buf;			/* pending output */
	gzFile gz;			/* NULL: everything stays in buf */
	struct str scratch;
	enum xml_status status;		/* first failure; later calls do nothing */
};

/* xml_writer_init - start a writer; gz may be NULL (output kept in w->buf). */
void xml_writer_init(struct xml_writer *w, enum xml_format format, gzFile gz);

/* xml_writer_free - release the buffers (not the gzip stream). */
void xml_writer_free(struct xml_writer *w);

/* xml_report_head - the declaration, <feedback>, metadata and policy_published. */
enum xml_status xml_report_head(struct xml_writer *w, const struct xml_meta *meta,
    const struct report_policy *pol);

/* xml_report_record - one <record>: row r with the result set a. */
enum xml_status xml_report_record(struct xml_writer *w, const struct group_row *r,
    const struct report_auth *a);

/* xml_report_tail - </feedback>, and a flush to the gzip stream (when there is one). */
enum xml_status xml_report_tail(struct xml_writer *w);

/* xml_strerror - text for a status. */
const char *xml_strerror(enum xml_status st);

#endif
