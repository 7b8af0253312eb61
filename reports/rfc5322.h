/*
 * rfc5322.h - the few RFC 5322 tokens the report sender puts into header
 * fields, checked before use: addresses (dot-atom local part, a valid
 * domain), RFC 9990 Report-IDs (ridfmt), file names safe inside a
 * quoted-string.  Everything that reaches a header field of a report
 * message passes one of these, so text from the spool or the DNS cannot
 * add a header field or a MIME part.  Pure functions; thread-safe.
 */
#ifndef AUTHMILTER_REPORTS_RFC5322_H
#define AUTHMILTER_REPORTS_RFC5322_H

#include <stdbool.h>
#include <stddef.h>

#include "domain.h"

#define RFC5322_LOCAL_MAX 64		/* RFC 5321 4.5.3.1.1 */
#define RFC5322_ADDR_BUFSIZE (RFC5322_LOCAL_MAX + 1 + DOMAIN_BUFSIZE)
#define RFC5322_RID_MAX 200		/* bytes of a Report-ID we accept */
#define RFC5322_FILENAME_MAX 200	/* bytes of a report file name */

/* rfc5322_is_atext - RFC 5322 3.2.3 atext (ALPHA DIGIT and !#$%&'*+-/=?^_`{|}~). */
bool rfc5322_is_atext(unsigned char c);

/* rfc5322_is_dot_atom - are the n bytes a dot-atom-text (atext runs joined by single dots)? */
bool rfc5322_is_dot_atom(const char *s, size_t n);

/*
 * rfc5322_addr_normalize - check an address "local@domain" of n bytes: a
 * dot-atom local part of at most 64 bytes and a domain that
 * domain_normalize accepts.  Writes "local@domain-as-A-labels" to out
 * (RFC5322_ADDR_BUFSIZE bytes) and returns true; false with the reason in
 * why (whysize bytes) otherwise.  Quoted local parts and address literals
 * are refused.
 */
bool rfc5322_addr_normalize(const char *s, size_t n, char *out, char *why, size_t whysize);

/* rfc5322_addr_domain - the domain part of a checked address (after the last '@'). */
const char *rfc5322_addr_domain(const char *addr);

/*
 * rfc5322_is_ridfmt - RFC 9990 ridfmt: dot-atom-text ["@" dot-atom-text],
 * at most RFC5322_RID_MAX bytes.
 */
bool rfc5322_is_ridfmt(const char *s, size_t n);

/*
 * rfc5322_is_safe_filename - a file name that can stand in a quoted-string
 * parameter and a directory unchanged: 1..RFC5322_FILENAME_MAX bytes of
 * printable ASCII without blank, '"', '\\' or '/', not starting with '.'.
 */
bool rfc5322_is_safe_filename(const char *s, size_t n);

#endif
