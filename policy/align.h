/*
 * align.h - DMARC identifier alignment (RFC 9989 section 3.2.10, 4.4).
 *
 * Strict: the two domains are equal.  Relaxed: they have the same
 * organizational domain; the caller computes organizational domains (tree
 * walk or PSL) and passes them in, so this module does no lookups.
 * Pure; thread-safe.
 */
#ifndef AUTHMILTER_ALIGN_H
#define AUTHMILTER_ALIGN_H

#include <stdbool.h>

#include "dmarc_record.h"

/*
 * align_check - are identifier (SPF or DKIM domain) and author aligned under
 * mode?  org_id and org_author are the organizational domains of each (may be
 * NULL for strict mode).  Names are compared case-insensitively, ignoring a
 * trailing dot.
 */
bool align_check(enum dmarc_align mode, const char *identifier, const char *author,
    const char *org_id, const char *org_author);

/* align_mode_name - "relaxed" or "strict". */
const char *align_mode_name(enum dmarc_align mode);

#endif
