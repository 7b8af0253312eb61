/*
 * afrf.h - one DMARC failure report (RFC 9991) in the Authentication
 * Failure Reporting Format (RFC 6591, RFC 5965): the message text written
 * to the FailureReportSpool (doc/report-spool.md: everything but From, To,
 * Date and Message-ID, which authmilter-reports adds per destination) and
 * its .meta.  Pure: the caller gives the time and the boundary.
 *
 * Thread-safety: reentrant.
 */
#ifndef AUTHMILTER_AFRF_H
#define AUTHMILTER_AFRF_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "decide.h"
#include "str.h"

struct afrf_input {
	const struct conf *conf;	/* AuthservID, FailureReportsRedact/Body/MaxBytes */
	const struct facts *f;		/* the connection, envelope, results, queue id, now */
	const struct decision *d;	/* the verdict, its input, the action, our A-R */
	unsigned due;			/* the fo= options that asked for it (failure_due) */
	const struct str *header;	/* the header section as received, CRLF lines */
	const struct str *body;		/* the body (FailureReportsBody), or NULL */
	bool cut;			/* header or body kept only in part */
	const char *boundary;		/* the MIME boundary (not found in header or body) */
};

/* afrf_build - the report message into eml and its .meta into meta (both reset); -1 when too big. */
int afrf_build(const struct afrf_input *in, struct str *eml, struct str *meta);

/* afrf_budget - the bytes the copied header and body may take in a report of max bytes. */
size_t afrf_budget(size_t max);

/*
 * afrf_redact - text with the local-part of every address replaced by
 * "redacted" (user@example.com -> redacted@example.com), appended to out.
 */
enum str_status afrf_redact(struct str *out, const char *text, size_t len);

#endif
