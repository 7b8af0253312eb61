/*
 * failure.h - whether a DMARC policy record asks for a failure report on a
 * verdict (RFC 9989 fo=, RFC 9991), and what the report's
 * Identity-Alignment field says.  Pure: no I/O.
 *
 * fo= (default 0; a record without ruf= asks for nothing, and neither does
 * one with psd=y, RFC 9991 section 2):
 *   0  every mechanism failed to give an aligned pass (DMARC fail);
 *   1  any mechanism failed to give an aligned pass (a report even when
 *      DMARC passed through the other one);
 *   d  a DKIM signature failed verification (result fail), aligned or not;
 *   s  SPF gave fail, aligned or not.
 * A temporary or permanent error is no failure: nothing is reported for
 * DMARC temperror or permerror, nor for DKIM or SPF errors under d and s.
 *
 * Thread-safety: reentrant.
 */
#ifndef AUTHMILTER_FAILURE_H
#define AUTHMILTER_FAILURE_H

#include <stddef.h>

#include "verdict.h"

/*
 * failure_due - the fo= options (DMARC_FO_* bits) of v's record that in
 * and v meet; 0: no report is due.
 */
unsigned failure_due(const struct verdict *v, const struct verdict_input *in);

/*
 * failure_alignment - the Identity-Alignment value: the mechanisms that
 * failed to authenticate an aligned identity ("dkim", "spf", "dkim, spf")
 * or "none".
 */
const char *failure_alignment(const struct verdict *v);

/* failure_fo_text - fo bits as in a record ("0:d"), into buf. */
const char *failure_fo_text(unsigned fo, char *buf, size_t size);

#endif
