/*
 * sendutil.h - what "send" (send.c, aggregate reports) and
 * "send-failures" (failsend.c, failure reports) share: the From address,
 * the resolver and PSL of the external destination check, recording the
 * outcome for one destination in a .meta (doc/report-spool.md).
 *
 * Called once per run (from, dns) and once per destination dealt with
 * (record).  Single-threaded.
 */
#ifndef AUTHMILTER_REPORTS_SENDUTIL_H
#define AUTHMILTER_REPORTS_SENDUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "extdest.h"
#include "meta.h"
#include "rfc5322.h"
#include "spool.h"
#include "str.h"

/*
 * sendutil_from - the From address: configured (may be NULL), else
 * postmaster@authserv_id, checked and normalised into out
 * (RFC5322_ADDR_BUFSIZE bytes).  False with why set when unusable; *used
 * then points at the text that was refused.
 */
bool sendutil_from(const char *configured, const char *authserv_id, char *out,
    const char **used, char *why, size_t whysize);

/*
 * sendutil_dns - fill x from the configuration c (OrganizationalDomain,
 * DNSBudget) with a new resolver (*resolver) and, in PSL mode, the public
 * suffix list (*psl); the caller releases both (resolver_free, psl_free)
 * whatever the result.  False with err set on failure.
 */
bool sendutil_dns(const struct conf *c, struct extdest_config *x, struct resolver **resolver,
    struct psl **psl, char *err, size_t errsize);

/*
 * sendutil_record - append the line for destination uri (meta_append_line:
 * done, when, why) to the .meta meta_name of outgoing/, whose current
 * content is *text: the new text is written in full (spool_rewrite:
 * temporary file, rename) and only then replaces *text (which may grow to
 * max bytes).  False with err set when it could not be written; *text is
 * then unchanged.
 */
bool sendutil_record(struct spool *sp, const char *meta_name, struct str *text, size_t max,
    enum meta_done done, const char *uri, int64_t when, const char *why, char *err,
    size_t errsize);

#endif
